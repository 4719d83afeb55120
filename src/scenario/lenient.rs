//! Reading a scenario document into the raw structs when some of its values do not fit them,
//! so that `validate` lists every problem of the file (issue 16, item 4).
//!
//! The structural check (`schema.rs`) sees JSON types; serde sees Rust types too: `"seed":
//! -1` is a JSON integer the schema accepts and a `u64` serde refuses. Serde stops at the
//! first value it refuses, which used to end validation there and hide every semantic
//! problem of the rest of the file. Here each refused value is reported (at its JSON path,
//! in words rather than Rust types) and taken out of a copy of the document (every raw field
//! is optional, so a removed member reads as absent; a refused list element is replaced by a
//! neutral value of another type), and the copy is read again, until it reads. The paths
//! taken out are returned, so that the semantic checks' complaints about those same values
//! (now absent) are not reported twice.

use serde_json::Value;
use serde_path_to_error::Segment;

use super::raw::RawScenario;
use crate::error::{strip_position, Problem};

/// At most this many values taken out before giving up (a file refusing more is reported
/// with those first problems only).
const MAX_PATCHES: usize = 256;

/// Stand-ins for a refused list element, tried in turn.
fn stand_in(attempt: usize) -> Option<Value> {
    match attempt {
        0 => Some(Value::Object(Default::default())),
        1 => Some(Value::String(String::new())),
        2 => Some(Value::from(0)),
        3 => Some(Value::Bool(false)),
        4 => Some(Value::Array(Vec::new())),
        _ => None,
    }
}

/// What a lenient read found.
pub(super) struct Read {
    /// The raw scenario (`None`: the document could not be made to read, e.g. its root is
    /// not an object).
    pub raw: Option<RawScenario>,
    /// The values serde refused, as problems (their messages in words).
    pub problems: Vec<Problem>,
    /// JSON paths of the values taken out.
    pub patched: Vec<String>,
}

/// Reads `value`, taking out each value serde refuses (see the module documentation).
pub(super) fn read(value: &Value) -> Read {
    let mut out = Read {
        raw: None,
        problems: Vec::new(),
        patched: Vec::new(),
    };
    let mut doc: Option<Value> = None;
    let mut attempts: Vec<(String, usize)> = Vec::new();
    for _ in 0..MAX_PATCHES {
        let current = doc.as_ref().unwrap_or(value);
        let err = match serde_path_to_error::deserialize::<_, RawScenario>(current) {
            Ok(raw) => {
                out.raw = Some(raw);
                return out;
            }
            Err(e) => e,
        };
        let path = err.path().to_string();
        let segments: Vec<Segment> = err.path().iter().cloned().collect();
        let message = in_words(&strip_position(&err.inner().to_string()));
        let path = if path == "." { "(root)".to_owned() } else { path };
        if !out.problems.iter().any(|p| p.path == path) {
            out.problems.push(Problem {
                path: path.clone(),
                message,
            });
        }
        let attempt = match attempts.iter_mut().find(|(p, _)| *p == path) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                attempts.push((path.clone(), 0));
                0
            }
        };
        let doc = doc.get_or_insert_with(|| value.clone());
        if !take_out(doc, &segments, attempt) {
            return out;
        }
        if !out.patched.contains(&path) {
            out.patched.push(path);
        }
    }
    out
}

/// Takes the value at `segments` out of `doc`: removes an object member, replaces a list
/// element by stand-in number `attempt`. Returns whether anything changed.
fn take_out(doc: &mut Value, segments: &[Segment], attempt: usize) -> bool {
    let Some((last, parents)) = segments.split_last() else {
        return false;
    };
    let mut at = doc;
    for s in parents {
        at = match (s, at) {
            (Segment::Map { key }, Value::Object(m)) => match m.get_mut(key) {
                Some(v) => v,
                None => return false,
            },
            (Segment::Seq { index }, Value::Array(a)) => match a.get_mut(*index) {
                Some(v) => v,
                None => return false,
            },
            _ => return false,
        };
    }
    match (last, at) {
        (Segment::Map { key }, Value::Object(m)) => m.remove(key).is_some(),
        (Segment::Seq { index }, Value::Array(a)) => match (a.get_mut(*index), stand_in(attempt)) {
            (Some(v), Some(s)) => {
                *v = s;
                true
            }
            _ => false,
        },
        _ => false,
    }
}

/// A serde message in the structural check's words: `invalid value: integer `-1`, expected
/// u64` becomes `expected a whole number from 0 to 18446744073709551615, found -1`.
fn in_words(message: &str) -> String {
    let Some((left, expected)) = message.split_once(", expected ") else {
        return message.to_owned();
    };
    let found = left
        .strip_prefix("invalid value: ")
        .or_else(|| left.strip_prefix("invalid type: "));
    let Some(found) = found else {
        return message.to_owned();
    };
    let found = match found.split_once(' ') {
        Some(("integer" | "floating" | "boolean", rest)) => {
            rest.trim_start_matches("point ").trim_matches('`').to_owned()
        }
        Some(("string", rest)) => rest.to_owned(),
        _ => match found {
            "map" => "an object".to_owned(),
            "sequence" => "a list".to_owned(),
            "null" | "unit value" => "null".to_owned(),
            other => other.to_owned(),
        },
    };
    let expected = match expected {
        "u8" => "a whole number from 0 to 255".to_owned(),
        "u16" => "a whole number from 0 to 65535".to_owned(),
        "u32" => format!("a whole number from 0 to {}", u32::MAX),
        "u64" | "usize" => format!("a whole number from 0 to {}", u64::MAX),
        "i32" => format!("a whole number from {} to {}", i32::MIN, i32::MAX),
        "i64" | "isize" => format!("a whole number from {} to {}", i64::MIN, i64::MAX),
        "f32" | "f64" => "a number".to_owned(),
        "a sequence" => "a list".to_owned(),
        "a map" => "an object".to_owned(),
        e if e.starts_with("struct ") => "an object".to_owned(),
        e => e.to_owned(),
    };
    format!("expected {expected}, found {found}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn serde_messages_in_words() {
        assert_eq!(
            in_words("invalid value: integer `-1`, expected u64"),
            "expected a whole number from 0 to 18446744073709551615, found -1"
        );
        assert_eq!(
            in_words("invalid type: floating point `1.5`, expected u32"),
            "expected a whole number from 0 to 4294967295, found 1.5"
        );
        assert_eq!(
            in_words("invalid type: string \"a\\nb\", expected f64"),
            "expected a number, found \"a\\nb\""
        );
        assert_eq!(
            in_words("invalid type: map, expected a string"),
            "expected a string, found an object"
        );
        assert_eq!(in_words("something else"), "something else");
    }

    #[test]
    fn every_refused_value_is_reported_and_taken_out() {
        let doc = json!({
            "seed": -1,
            "until": "soon",
            "computeEnvironments": [{"computeEnvironmentName": "ce", "computeResources": {"maxvCpus": "four"}}],
            "jobQueues": [{"jobQueueName": "q", "priority": 1.5}],
            "workload": [7]
        });
        let r = read(&doc);
        let raw = r.raw.expect("reads once the refused values are out");
        assert_eq!(raw.seed, None);
        assert_eq!(
            raw.compute_environments[0].compute_environment_name.as_deref(),
            Some("ce")
        );
        let mut paths: Vec<&str> = r.problems.iter().map(|p| p.path.as_str()).collect();
        let mut patched: Vec<&str> = r.patched.iter().map(String::as_str).collect();
        paths.sort_unstable();
        patched.sort_unstable();
        assert_eq!(patched, paths);
        assert_eq!(
            paths,
            [
                "computeEnvironments[0].computeResources.maxvCpus",
                "jobQueues[0].priority",
                "seed",
                "until",
                "workload[0]"
            ]
        );
        let seed = r.problems.iter().find(|p| p.path == "seed").unwrap();
        assert_eq!(
            seed.message,
            "expected a whole number from 0 to 18446744073709551615, found -1"
        );
    }

    #[test]
    fn a_root_that_is_not_an_object_gives_up_with_one_problem() {
        let r = read(&json!("a scenario"));
        assert!(r.raw.is_none());
        assert_eq!(r.problems.len(), 1);
        assert_eq!(r.problems[0].path, "(root)");
    }
}
