//! YAML input (CloudFormation templates), read with the `saphyr` crate into JSON values.
//!
//! CloudFormation's short-form tags become the long form: `!Ref X` is `{"Ref": "X"}`,
//! `!Condition X` is `{"Condition": "X"}`, `!GetAtt A.B` is `{"Fn::GetAtt": ["A", "B"]}`, and
//! every other `!Name v` is `{"Fn::Name": v}` (`!Sub`, `!Join`, `!If`, `!Equals`, ...).
//! Anchors and aliases are expanded (within saphyr's budget).

use super::error::ImportError;
use saphyr::{LoadableYamlNode, Scalar, Yaml};
use serde_json::{Map, Value};

/// Deeper than any template; guards against hostile nesting.
const MAX_DEPTH: usize = 256;

/// Parses the first YAML document of `text` into JSON (`null` for an empty file).
pub(crate) fn parse(file: &str, text: &str) -> Result<Value, ImportError> {
    let docs = Yaml::load_from_str(text).map_err(|e| ImportError::Syntax {
        file: file.to_owned(),
        format: "YAML",
        line: e.marker().line(),
        column: e.marker().col() + 1,
        message: e.info().to_owned(),
    })?;
    match docs.first() {
        Some(doc) => to_json(doc, 0).ok_or_else(|| ImportError::Syntax {
            file: file.to_owned(),
            format: "YAML",
            line: 0,
            column: 0,
            message: "nested too deeply".to_owned(),
        }),
        None => Ok(Value::Null),
    }
}

fn scalar(s: &Scalar) -> Value {
    match s {
        Scalar::Null => Value::Null,
        Scalar::Boolean(b) => Value::Bool(*b),
        Scalar::Integer(i) => Value::from(*i),
        Scalar::FloatingPoint(f) => serde_json::Number::from_f64(f.into_inner())
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(f.into_inner().to_string())),
        Scalar::String(s) => Value::String(s.to_string()),
    }
}

/// A mapping key as a JSON object key.
fn key_text(key: &Yaml) -> String {
    match key {
        Yaml::Value(Scalar::String(s)) => s.to_string(),
        Yaml::Value(s) => match scalar(s) {
            Value::String(s) => s,
            other => other.to_string(),
        },
        Yaml::Representation(s, _, _) => s.to_string(),
        Yaml::Tagged(_, inner) => key_text(inner),
        _ => String::new(),
    }
}

fn to_json(node: &Yaml, depth: usize) -> Option<Value> {
    if depth > MAX_DEPTH {
        return None;
    }
    Some(match node {
        Yaml::Value(s) => scalar(s),
        Yaml::Representation(s, _, _) => Value::String(s.to_string()),
        Yaml::Sequence(items) => Value::Array(
            items
                .iter()
                .map(|i| to_json(i, depth + 1))
                .collect::<Option<Vec<_>>>()?,
        ),
        Yaml::Mapping(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                out.insert(key_text(k), to_json(v, depth + 1)?);
            }
            Value::Object(out)
        }
        Yaml::Tagged(tag, inner) => {
            let value = to_json(inner, depth + 1)?;
            if tag.handle != "!" {
                return Some(value); // core schema tags (`!!str`) and other namespaces
            }
            let mut out = Map::new();
            match tag.suffix.as_str() {
                "Ref" => out.insert("Ref".to_owned(), value),
                "Condition" => out.insert("Condition".to_owned(), value),
                "GetAtt" => {
                    let value = match value {
                        Value::String(s) => match s.split_once('.') {
                            Some((a, b)) => Value::Array(vec![Value::String(a.into()), Value::String(b.into())]),
                            None => Value::String(s),
                        },
                        other => other,
                    };
                    out.insert("Fn::GetAtt".to_owned(), value)
                }
                other => out.insert(format!("Fn::{other}"), value),
            };
            Value::Object(out)
        }
        Yaml::Alias(_) | Yaml::BadValue => Value::Null,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn short_form_tags_become_the_long_form() {
        let text =
            "Resources:\n  Q:\n    Type: AWS::Batch::JobQueue\n    Properties:\n      Priority: !Ref Prio\n      \
                    Name: !Sub '${AWS::StackName}-q'\n      Arn: !GetAtt CE.ComputeEnvironmentArn\n      \
                    Pick: !If [IsProd, 10, !Join ['-', [a, b]]]\n      Big: 1.5\n      On: true\n      Str: !!str 3\n";
        let v = parse("t.yaml", text).unwrap();
        assert_eq!(
            v["Resources"]["Q"]["Properties"],
            json!({"Priority": {"Ref": "Prio"}, "Name": {"Fn::Sub": "${AWS::StackName}-q"},
                "Arn": {"Fn::GetAtt": ["CE", "ComputeEnvironmentArn"]},
                "Pick": {"Fn::If": ["IsProd", 10, {"Fn::Join": ["-", ["a", "b"]]}]},
                "Big": 1.5, "On": true, "Str": "3"})
        );
    }

    #[test]
    fn anchors_expand_and_errors_have_a_position() {
        let v = parse("a.yaml", "a: &x {b: 1}\nc: *x\n").unwrap();
        assert_eq!(v["c"], json!({"b": 1}));
        let e = parse("bad.yaml", "a: [1, 2\nb: c: d\n").unwrap_err().to_string();
        assert!(e.starts_with("bad.yaml:"), "{e}");
        assert!(e.contains("malformed YAML"), "{e}");
        assert_eq!(parse("e.yaml", "").unwrap(), Value::Null);
    }
}
