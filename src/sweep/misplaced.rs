//! A `--set` path that adds a field the scenario does not know there (`--set maxvCpus=4`,
//! meant for `computeEnvironments[0].computeResources.maxvCpus`): one problem naming the
//! setting and where such a field is, instead of the loader's "unknown field" for each value
//! combination.

use super::set::Concrete;
use crate::Error;
use serde_json::Value;
use std::fmt::Write as _;

/// At most this many places are suggested.
const MAX_SUGGESTED: usize = 3;

/// The JSON path text of `path` (`computeEnvironments[0].computeResources.maxvCpus`).
pub(crate) fn path_text(path: &[Concrete]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Concrete::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Concrete::Index(n) => {
                let _ = write!(out, "[{n}]");
            }
        }
    }
    out
}

/// The key `path` adds to `root`: its last step, when that is a key its parent object lacks.
fn added_key<'a>(root: &Value, path: &'a [Concrete]) -> Option<&'a str> {
    let (Concrete::Key(k), init) = path.split_last()? else {
        return None;
    };
    let mut here = root;
    for step in init {
        here = match step {
            Concrete::Key(k) => here.get(k.as_str()),
            Concrete::Index(n) => here.get(*n),
        }
        // A `simulation` object the setting makes: everything in it is new.
        .unwrap_or(&Value::Null);
    }
    match here {
        Value::Object(map) if map.contains_key(k.as_str()) => None,
        _ => Some(k),
    }
}

/// Paths in `v` (under `at`) to fields named `key`, in document order, at most `limit`.
fn places(v: &Value, key: &str, at: &mut String, out: &mut Vec<String>, limit: usize) {
    if out.len() >= limit {
        return;
    }
    let len = at.len();
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                if !at.is_empty() {
                    at.push('.');
                }
                at.push_str(k);
                if k == key && out.len() < limit {
                    out.push(at.clone());
                }
                places(x, key, at, out, limit);
                at.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                let _ = write!(at, "[{i}]");
                places(x, key, at, out, limit);
                at.truncate(len);
            }
        }
        _ => {}
    }
}

/// When loading a combination's scenario failed with "unknown field" exactly at the field
/// a setting adds (`path`, resolved on `root`), and fields of that name are elsewhere in
/// `root`, the one reason to give for the setting: the field is not one of its parent's, and
/// where those are. `None` otherwise (a misspelling the loader suggests a name for, a name
/// found nowhere: the loader's message stands).
pub(crate) fn reason(root: &Value, path: &[Concrete], error: &Error) -> Option<String> {
    let key = added_key(root, path)?;
    let text = path_text(path);
    let problem = error
        .problems()
        .iter()
        .find(|p| p.path == text && p.message.starts_with("unknown field"))?;
    // A misspelling of a field of that place: the loader's suggestion is the better one.
    if problem.message.contains("did you mean") {
        return None;
    }
    let parent = match path.len() {
        1 => "the scenario".to_owned(),
        n => format!("`{}`", path_text(&path[..n - 1])),
    };
    let mut found = Vec::new();
    places(root, key, &mut String::new(), &mut found, MAX_SUGGESTED);
    let hint = match &found[..] {
        // No field of that name anywhere: the loader's message is as good.
        [] => return None,
        [one] => format!("; did you mean `{one}`?"),
        many => format!(
            "; fields of that name are at {}",
            many.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
        ),
    };
    Some(format!("{parent} has no field `{key}`{hint}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key(k: &str) -> Concrete {
        Concrete::Key(k.into())
    }

    #[test]
    fn a_misplaced_field_is_one_reason_with_its_places() {
        let root = json!({"computeEnvironments": [{"computeResources": {"maxvCpus": 4}},
                                                  {"computeResources": {"maxvCpus": 8}}],
                          "seed": 1});
        let unknown = |path: &str| {
            Error::Invalid(crate::Problems {
                file: "s.json".into(),
                list: vec![crate::Problem {
                    path: path.into(),
                    message: "unknown field `maxvCpus`".into(),
                }],
            })
        };
        let top = [key("maxvCpus")];
        assert_eq!(
            reason(&root, &top, &unknown("maxvCpus")).as_deref(),
            Some(
                "the scenario has no field `maxvCpus`; fields of that name are at \
                 `computeEnvironments[0].computeResources.maxvCpus`, \
                 `computeEnvironments[1].computeResources.maxvCpus`"
            )
        );
        let one = json!({"computeEnvironments": [{"computeResources": {"maxvCpus": 4}}]});
        let deep = [key("computeEnvironments"), Concrete::Index(0), key("maxvCpus")];
        assert_eq!(path_text(&deep), "computeEnvironments[0].maxvCpus");
        assert_eq!(
            reason(&one, &deep, &unknown("computeEnvironments[0].maxvCpus")).as_deref(),
            Some(
                "`computeEnvironments[0]` has no field `maxvCpus`; did you mean \
                 `computeEnvironments[0].computeResources.maxvCpus`?"
            )
        );
        // A field that exists is set, not misplaced; another problem is not this one.
        assert_eq!(reason(&root, &[key("seed")], &unknown("seed")), None);
        assert_eq!(reason(&root, &top, &unknown("workload")), None);
        assert_eq!(reason(&root, &[key("nowhere")], &unknown("nowhere")), None);
        let misspelt = Error::Invalid(crate::Problems {
            file: "s.json".into(),
            list: vec![crate::Problem {
                path: "maxvCpus".into(),
                message: "unknown field `maxvCpus`; did you mean `maxVcpus`?".into(),
            }],
        });
        assert_eq!(reason(&root, &top, &misspelt), None);
    }
}
