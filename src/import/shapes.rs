//! The AWS Batch request shapes, used to turn CloudFormation's PascalCase and Terraform's
//! snake_case property names into the API's camelCase names, and to keep only the fields a
//! request takes.
//!
//! The table is `src/scenario/aws_model.json`, which is generated from the official botocore
//! model (`service-2.json`) by a test in [`crate::scenario::schema`]: every input shape of the
//! operations a scenario uses, with its members and their shapes. A property name matches a
//! member when both are equal ignoring letter case and underscores (`MaxvCpus`, `max_vcpus`
//! and `maxvCpus` all match `maxvCpus`); the few names where the tools differ from the API
//! are in [`exception`].

use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::OnceLock;

/// The generated AWS Batch model (see [`crate::scenario::schema`]).
const AWS_MODEL: &str = include_str!("../scenario/aws_model.json");

/// Shape of a compute environment request.
pub(crate) const COMPUTE_ENVIRONMENT: &str = "CreateComputeEnvironmentRequest";
/// Shape of a job queue request.
pub(crate) const JOB_QUEUE: &str = "CreateJobQueueRequest";
/// Shape of a job definition request.
pub(crate) const JOB_DEFINITION: &str = "RegisterJobDefinitionRequest";
/// Shape of a scheduling policy request.
pub(crate) const SCHEDULING_POLICY: &str = "CreateSchedulingPolicyRequest";
/// Shape of a consumable resource request.
pub(crate) const CONSUMABLE_RESOURCE: &str = "CreateConsumableResourceRequest";

/// One shape of the model, as far as name mapping needs it.
#[derive(Debug, Clone, PartialEq)]
enum Kind {
    /// Member name -> member shape, in the model's (alphabetical) order.
    Structure(Vec<(String, String)>),
    /// Shape of the elements.
    List(String),
    /// Shape of the values (keys are free text and kept as they are).
    Map(String),
    Integer,
    Number,
    Boolean,
    String,
    Other,
}

fn model() -> &'static HashMap<String, Kind> {
    static MODEL: OnceLock<HashMap<String, Kind>> = OnceLock::new();
    MODEL.get_or_init(|| parse_model(AWS_MODEL))
}

fn parse_model(text: &str) -> HashMap<String, Kind> {
    let mut out = HashMap::new();
    let Ok(Value::Object(shapes)) = serde_json::from_str::<Value>(text) else {
        return out;
    };
    let name_of = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or_default().to_owned();
    for (name, def) in &shapes {
        let kind = match def.get("type").and_then(Value::as_str) {
            Some("structure") => Kind::Structure(
                def.get("members")
                    .and_then(Value::as_object)
                    .map(|m| m.iter().map(|(k, v)| (k.clone(), name_of(Some(v)))).collect())
                    .unwrap_or_default(),
            ),
            Some("list") => Kind::List(name_of(def.get("member"))),
            Some("map") => Kind::Map(name_of(def.get("value"))),
            Some("integer" | "long") => Kind::Integer,
            Some("float" | "double") => Kind::Number,
            Some("boolean") => Kind::Boolean,
            Some("string") => Kind::String,
            _ => Kind::Other,
        };
        out.insert(name.clone(), kind);
    }
    out
}

/// Which tool wrote the property names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Style {
    /// The API's own camelCase (describe output, request bodies).
    Api,
    /// CloudFormation's PascalCase.
    CloudFormation,
    /// Terraform's snake_case (blocks are lists of one object, unset values `null` or `""`).
    Terraform,
}

/// What to do with a property that the model alone cannot place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Exception {
    /// It is this member.
    Member(&'static str),
    /// A property of the tool itself, not of the request: dropped without a note.
    Ignore,
}

/// Where CloudFormation or Terraform name a property differently from the API (`normalized`
/// is the property name in lower case without underscores).
///
/// | tool | shape | property | API member |
/// |------|-------|----------|------------|
/// | both | ComputeResource | `instance_type` (Terraform) | `instanceTypes` |
/// | Terraform | CreateJobQueueRequest | `job_state_time_limit_action` | `jobStateTimeLimitActions` |
/// | Terraform | CreateComputeEnvironmentRequest | `name` (provider 6) | `computeEnvironmentName` |
/// | Terraform | CreateJobQueueRequest | `name` | `jobQueueName` |
/// | Terraform | RegisterJobDefinitionRequest | `name` | `jobDefinitionName` |
/// | CloudFormation | CreateComputeEnvironmentRequest | `ReplaceComputeEnvironment`, `UpdatePolicy` | (stack update settings, ignored) |
/// | CloudFormation | ComputeResource | `UpdateToLatestImageVersion` | (update setting, ignored) |
/// | CloudFormation | RegisterJobDefinitionRequest | `ResourceRetentionPolicy` | (ignored) |
/// | Terraform | every shape | `tags_all`, `id`, `arn`, `arn_prefix`, `revision`, `status`, `status_reason`, `ecs_cluster_arn`, `deregister_on_new_revision`, `update_policy`, `compute_environment_name_prefix`, `name_prefix`, `timeouts` | (read-only or Terraform-only, ignored) |
fn exception(style: Style, shape: &str, normalized: &str) -> Option<Exception> {
    use Exception::*;
    match (style, shape, normalized) {
        (Style::Terraform, "ComputeResource", "instancetype") => Some(Member("instanceTypes")),
        (Style::Terraform, JOB_QUEUE, "jobstatetimelimitaction") => Some(Member("jobStateTimeLimitActions")),
        (Style::Terraform, COMPUTE_ENVIRONMENT, "name") => Some(Member("computeEnvironmentName")),
        (Style::Terraform, JOB_QUEUE, "name") => Some(Member("jobQueueName")),
        (Style::Terraform, JOB_DEFINITION, "name") => Some(Member("jobDefinitionName")),
        (Style::CloudFormation, COMPUTE_ENVIRONMENT, "replacecomputeenvironment" | "updatepolicy") => Some(Ignore),
        (Style::CloudFormation, "ComputeResource", "updatetolatestimageversion") => Some(Ignore),
        (Style::CloudFormation, JOB_DEFINITION, "resourceretentionpolicy") => Some(Ignore),
        (
            Style::Terraform,
            _,
            "tagsall"
            | "id"
            | "arn"
            | "arnprefix"
            | "revision"
            | "status"
            | "statusreason"
            | "ecsclusterarn"
            | "deregisteronnewrevision"
            | "updatepolicy"
            | "computeenvironmentnameprefix"
            | "nameprefix"
            | "timeouts",
        ) => Some(Ignore),
        _ => None,
    }
}

fn normalize(key: &str) -> String {
    key.chars().filter(|c| *c != '_').flat_map(char::to_lowercase).collect()
}

/// Converts `value` to the request shape `shape`: property names become the API's, values
/// get the JSON type the API takes (`"256"` -> `256` for an integer, `8` -> `"8"` for a
/// string), Terraform's one-element block lists become objects, and unset values are left
/// out. Every property the shape does not take is left out and its path (starting at
/// `path`) pushed to `dropped`. Returns `None` for a value that is unset.
pub(crate) fn convert(
    shape: &str,
    value: &Value,
    style: Style,
    path: &str,
    dropped: &mut Vec<String>,
) -> Option<Value> {
    convert_at(shape, value, style, path, dropped, 0)
}

/// The schemas are not recursive; this only guards against hostile nesting in the input.
const MAX_DEPTH: usize = 64;

fn convert_at(
    shape: &str,
    value: &Value,
    style: Style,
    path: &str,
    dropped: &mut Vec<String>,
    depth: usize,
) -> Option<Value> {
    if value.is_null() || depth > MAX_DEPTH {
        return None;
    }
    if style == Style::Terraform && value.as_str() == Some("") {
        return None;
    }
    let Some(kind) = model().get(shape) else {
        return Some(value.clone());
    };
    match kind {
        Kind::Structure(members) => {
            let object = match value {
                Value::Object(o) => o,
                // Terraform writes a nested block as a list of (here at most) one object.
                Value::Array(a) if a.len() <= 1 => match a.first() {
                    Some(Value::Object(o)) => o,
                    Some(other) => return convert_at(shape, other, style, path, dropped, depth + 1),
                    None => return None,
                },
                other => return Some(other.clone()),
            };
            let mut out = Map::new();
            for (key, v) in object {
                let here = join(path, key);
                let normalized = normalize(key);
                let member = match exception(style, shape, &normalized) {
                    Some(Exception::Ignore) => continue,
                    Some(Exception::Member(m)) => members.iter().find(|(n, _)| n == m),
                    None => members
                        .iter()
                        .find(|(n, _)| n == key)
                        .or_else(|| members.iter().find(|(n, _)| normalize(n) == normalized)),
                };
                let Some((name, member_shape)) = member else {
                    dropped.push(here);
                    continue;
                };
                if let Some(v) = convert_at(member_shape, v, style, &here, dropped, depth + 1) {
                    out.insert(name.clone(), v);
                }
            }
            Some(Value::Object(out))
        }
        Kind::List(member) => match value {
            Value::Array(a) => Some(Value::Array(
                a.iter()
                    .enumerate()
                    .filter_map(|(i, v)| convert_at(member, v, style, &format!("{path}[{i}]"), dropped, depth + 1))
                    .collect(),
            )),
            // Old describe output writes an empty list as `{}`.
            Value::Object(o) if o.is_empty() => Some(Value::Array(Vec::new())),
            other => Some(other.clone()),
        },
        Kind::Map(value_shape) => match value {
            Value::Object(o) => {
                let mut out = Map::new();
                for (k, v) in o {
                    if let Some(v) = convert_at(value_shape, v, style, &join(path, k), dropped, depth + 1) {
                        out.insert(k.clone(), v);
                    }
                }
                Some(Value::Object(out))
            }
            // CloudFormation tags may be a list of {Key, Value}.
            Value::Array(a) if a.iter().all(|t| t.get("Key").is_some()) => {
                let mut out = Map::new();
                for t in a {
                    if let (Some(k), Some(v)) = (t.get("Key").and_then(Value::as_str), t.get("Value")) {
                        out.insert(k.to_owned(), scalar_string(v));
                    }
                }
                Some(Value::Object(out))
            }
            other => Some(other.clone()),
        },
        Kind::Integer => Some(match value {
            Value::String(s) => match s.trim().parse::<i64>() {
                Ok(i) => Value::from(i),
                Err(_) => value.clone(),
            },
            Value::Number(n) if n.as_i64().is_none() => match n.as_f64() {
                Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Value::from(f as i64),
                _ => value.clone(),
            },
            other => other.clone(),
        }),
        Kind::Number => Some(match value {
            Value::String(s) => match s.trim().parse::<f64>() {
                Ok(f) if f.is_finite() => serde_json::Number::from_f64(f).map_or(value.clone(), Value::Number),
                _ => value.clone(),
            },
            other => other.clone(),
        }),
        Kind::Boolean => Some(match value.as_str().map(str::to_ascii_lowercase).as_deref() {
            Some("true") => Value::Bool(true),
            Some("false") => Value::Bool(false),
            _ => value.clone(),
        }),
        Kind::String => Some(match value {
            Value::Number(_) | Value::Bool(_) => scalar_string(value),
            other => other.clone(),
        }),
        Kind::Other => Some(value.clone()),
    }
}

/// A scalar as the string the API would take (`8` -> `"8"`).
fn scalar_string(v: &Value) -> Value {
    match v {
        Value::String(_) => v.clone(),
        Value::Number(n) => Value::String(n.to_string()),
        Value::Bool(b) => Value::String(b.to_string()),
        other => other.clone(),
    }
}

/// `path.key` (or `key` at the top, or `path["a b"]` for a key that is not an identifier).
pub(crate) fn join(path: &str, key: &str) -> String {
    let ident = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == ':');
    match (path.is_empty(), ident) {
        (true, true) => key.to_owned(),
        (_, false) => format!("{path}[{}]", Value::String(key.to_owned())),
        (false, true) => format!("{path}.{key}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_model_loads_with_the_request_shapes() {
        for shape in [COMPUTE_ENVIRONMENT, JOB_QUEUE, JOB_DEFINITION, SCHEDULING_POLICY] {
            assert!(
                matches!(model().get(shape), Some(Kind::Structure(m)) if !m.is_empty()),
                "{shape}"
            );
        }
        assert!(parse_model("not json").is_empty());
    }

    #[test]
    fn pascal_case_becomes_camel_case_recursively() {
        let mut dropped = Vec::new();
        let cfn = json!({"ComputeEnvironmentName": "ce", "Type": "MANAGED",
            "ComputeResources": {"MaxvCpus": "256", "MinvCpus": 0, "InstanceTypes": ["optimal"],
                "Type": "EC2", "LaunchTemplate": {"LaunchTemplateId": "lt-1"}, "Frobnicate": 1},
            "ReplaceComputeEnvironment": false, "Tags": {"team": "a"}});
        let out = convert(
            COMPUTE_ENVIRONMENT,
            &cfn,
            Style::CloudFormation,
            "Properties",
            &mut dropped,
        )
        .unwrap();
        assert_eq!(
            out,
            json!({"computeEnvironmentName": "ce", "type": "MANAGED",
            "computeResources": {"maxvCpus": 256, "minvCpus": 0, "instanceTypes": ["optimal"],
                "type": "EC2", "launchTemplate": {"launchTemplateId": "lt-1"}},
            "tags": {"team": "a"}})
        );
        assert_eq!(dropped, ["Properties.ComputeResources.Frobnicate"]);
    }

    #[test]
    fn terraform_blocks_and_names_map_to_the_api() {
        let mut dropped = Vec::new();
        let tf = json!({"name": "q", "priority": 1, "state": "ENABLED", "arn": "arn:x", "tags_all": {},
            "scheduling_policy_arn": null,
            "compute_environment_order": [{"order": 1, "compute_environment": "arn:aws:batch:r:1:compute-environment/a"}],
            "job_state_time_limit_action": [{"action": "CANCEL", "max_time_seconds": 600,
                "reason": "r", "state": "RUNNABLE"}]});
        let out = convert(JOB_QUEUE, &tf, Style::Terraform, "", &mut dropped).unwrap();
        assert_eq!(
            out,
            json!({"jobQueueName": "q", "priority": 1, "state": "ENABLED",
            "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "arn:aws:batch:r:1:compute-environment/a"}],
            "jobStateTimeLimitActions": [{"action": "CANCEL", "maxTimeSeconds": 600, "reason": "r", "state": "RUNNABLE"}]})
        );
        assert!(dropped.is_empty(), "{dropped:?}");
        let ce = json!({"compute_resources": [{"max_vcpus": 16, "instance_type": ["c5.large"], "image_id": ""}]});
        let out = convert(COMPUTE_ENVIRONMENT, &ce, Style::Terraform, "", &mut dropped).unwrap();
        assert_eq!(
            out,
            json!({"computeResources": {"maxvCpus": 16, "instanceTypes": ["c5.large"]}})
        );
    }

    #[test]
    fn scalars_take_the_api_type_and_paths_quote_odd_keys() {
        let mut dropped = Vec::new();
        let def = json!({"ContainerProperties": {"ResourceRequirements": [{"Type": "VCPU", "Value": 2}]},
            "PropagateTags": "true", "Parameters": {"a b": 1}});
        let out = convert(JOB_DEFINITION, &def, Style::CloudFormation, "", &mut dropped).unwrap();
        assert_eq!(
            out,
            json!({"containerProperties": {"resourceRequirements": [{"type": "VCPU", "value": "2"}]},
            "propagateTags": true, "parameters": {"a b": "1"}})
        );
        assert_eq!(join("p", "a b"), "p[\"a b\"]");
        assert_eq!(join("", "k"), "k");
    }
}
