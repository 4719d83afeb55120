//! Problems in the order of the document (issue 16): `validate` lists what is wrong with a
//! file from its top to its bottom, whichever check found each problem (the structure
//! check, the type check or the semantic checks).
//!
//! A problem's JSON path (`workload[3].runtime.seconds`) is turned into the positions of its
//! steps in the document (the member's place in its object, which `serde_json`'s
//! `preserve_order` keeps as written, or the element's index); comparing those position lists
//! lexicographically is the document's pre-order, an object's own problems (a missing field)
//! coming before those of its members.

use serde_json::Value;

use crate::error::Problem;

/// Sorts `problems` into the order of `doc`, keeping the order of problems at one path (the
/// bad lines of one trace) and putting paths the document does not have (`(root)`, a file
/// named on the command line) where their longest existing prefix is.
pub(super) fn sort(doc: &Value, problems: Vec<Problem>) -> Vec<Problem> {
    if problems.len() < 2 {
        return problems;
    }
    let mut keyed: Vec<(Vec<usize>, Problem)> = problems.into_iter().map(|p| (positions(doc, &p.path), p)).collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed.into_iter().map(|(_, p)| p).collect()
}

/// The positions of the steps of `path` in `doc`, as far as the document has them.
fn positions(doc: &Value, path: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut at = doc;
    for step in steps(path) {
        let next = match (step, at) {
            // One walk of the members gives the position and the value.
            (Step::Member(name), Value::Object(map)) => map
                .iter()
                .enumerate()
                .find(|(_, (k, _))| *k == name)
                .map(|(i, (_, v))| (i, v)),
            (Step::Index(i), Value::Array(list)) => list.get(i).map(|v| (i, v)),
            _ => None,
        };
        match next {
            Some((i, v)) => {
                out.push(i);
                at = v;
            }
            None => break,
        }
    }
    out
}

enum Step<'a> {
    Member(&'a str),
    Index(usize),
}

/// `a.b[2].c` as `a`, `b`, `[2]`, `c`; anything that is not a path gives no steps.
fn steps(path: &str) -> impl Iterator<Item = Step<'_>> {
    path.split('.').flat_map(|part| {
        let (name, rest) = part.split_once('[').map_or((part, ""), |(n, r)| (n, r));
        let member = (!name.is_empty()).then_some(Step::Member(name));
        let indices = rest
            .split('[')
            .filter_map(|i| i.strip_suffix(']').and_then(|i| i.parse().ok()).map(Step::Index))
            .collect::<Vec<_>>();
        member.into_iter().chain(indices)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn problem(path: &str, message: &str) -> Problem {
        Problem {
            path: path.into(),
            message: message.into(),
        }
    }

    #[test]
    fn problems_follow_the_document_whoever_found_them() {
        let doc = json!({
            "seed": -1,
            "computeEnvironments": [{"computeResources": {"maxvCpus": "x"}}],
            "jobQueues": [{"priority": 1}, {"priority": "high"}],
            "workload": [{"trace": {}}, {"runtime": {"seconds": -1}}]
        });
        let list = vec![
            problem("workload[1].runtime.seconds", "negative"),
            problem("jobQueues[1].priority", "type"),
            problem("workload[0].trace", "line 3"),
            problem("workload[0].trace", "line 1"),
            problem("computeEnvironments[0].computeResources", "missing"),
            problem("(root)", "file"),
            problem("seed", "type"),
            problem("computeEnvironments[0].computeResources.maxvCpus", "type"),
        ];
        let list = sort(&doc, list);
        let order: Vec<_> = list.iter().map(|p| format!("{} {}", p.path, p.message)).collect();
        assert_eq!(
            order,
            [
                "(root) file",
                "seed type",
                "computeEnvironments[0].computeResources missing",
                "computeEnvironments[0].computeResources.maxvCpus type",
                "jobQueues[1].priority type",
                "workload[0].trace line 3",
                "workload[0].trace line 1",
                "workload[1].runtime.seconds negative",
            ]
        );
    }

    #[test]
    fn paths_the_document_lacks_sort_by_their_longest_prefix() {
        let doc = json!({"a": {"b": 1}, "c": [0, 1]});
        assert_eq!(positions(&doc, "a.b"), [0, 0]);
        assert_eq!(positions(&doc, "a.zzz"), [0]);
        assert_eq!(positions(&doc, "c[1]"), [1, 1]);
        assert_eq!(positions(&doc, "c[7]"), [1]);
        assert_eq!(positions(&doc, "--set"), Vec::<usize>::new());
    }
}
