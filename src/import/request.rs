//! Single request bodies, as saved for `aws batch ... --cli-input-json` (or `--cli-input-yaml`),
//! including the empty templates `--generate-cli-skeleton` prints and the AWS Batch User Guide
//! shows.
//!
//! A body is recognised by its name field: `computeEnvironmentName` (CreateComputeEnvironment),
//! `jobQueueName` (CreateJobQueue), `jobDefinitionName` (RegisterJobDefinition), or `name` with
//! `fairsharePolicy` (CreateSchedulingPolicy).
//!
//! A skeleton's placeholders (`""`, `[""]`, `{"KeyName": ""}`, and `0` where AWS takes no 0)
//! are handled field by field:
//! - where the simulation needs a real value (names, types, `maxvCpus`, instance types,
//!   compute environment references, job sizes, `attempts`, `attemptDurationSeconds`), each
//!   one is a problem of its own that says what to put there; the import fails with all of
//!   them;
//! - everywhere else (roles, images, subnets, tags, volumes, `state`, ...) the placeholder is
//!   left out, so AWS's default applies, and the fields left out are listed in one note.

use super::error::ImportError;
use super::setup::{request, ObjectKind, Revision, Setup};
use super::shapes::{self, Style};
use crate::error::{Problem, Problems};
use serde_json::{Map, Value};

/// What a request body creates, from its name field.
pub(crate) fn kind_of(doc: &Value) -> Option<Option<ObjectKind>> {
    let o = doc.as_object()?;
    if o.contains_key("computeEnvironmentName") {
        Some(Some(ObjectKind::ComputeEnvironment))
    } else if o.contains_key("jobQueueName") {
        Some(Some(ObjectKind::JobQueue))
    } else if o.contains_key("jobDefinitionName") {
        Some(None)
    } else if o.contains_key("name") && (o.contains_key("fairsharePolicy") || o.contains_key("quotaSharePolicy")) {
        Some(Some(ObjectKind::SchedulingPolicy))
    } else {
        None
    }
}

/// Where a placeholder needs a real value, with what to put there. Paths have list indices
/// written as `[]`.
const NEEDED: [(&str, &str); 16] = [
    ("computeEnvironmentName", "the compute environment's name"),
    (
        "type",
        "the type (MANAGED for a compute environment, container or multinode for a job definition)",
    ),
    (
        "computeResources.type",
        "the capacity type: EC2, SPOT, FARGATE or FARGATE_SPOT",
    ),
    (
        "computeResources.maxvCpus",
        "the most vCPUs the compute environment may use",
    ),
    (
        "computeResources.instanceTypes[]",
        "an instance type or family (e.g. optimal, c5, m5.large), or remove the entry",
    ),
    ("jobQueueName", "the job queue's name"),
    (
        "computeEnvironmentOrder[].computeEnvironment",
        "the name or ARN of a compute environment",
    ),
    ("jobDefinitionName", "the job definition's name"),
    (
        "containerProperties.vcpus",
        "the job's vCPUs, or remove it and give resourceRequirements",
    ),
    (
        "containerProperties.memory",
        "the job's memory in MiB, or remove it and give resourceRequirements",
    ),
    (
        "containerProperties.resourceRequirements[].value",
        "the amount (vCPUs, MiB or GPUs)",
    ),
    ("containerProperties.resourceRequirements[].type", "VCPU, MEMORY or GPU"),
    ("retryStrategy.attempts", "1 to 10 attempts, or remove retryStrategy"),
    (
        "timeout.attemptDurationSeconds",
        "at least 60 seconds, or remove timeout",
    ),
    ("name", "the scheduling policy's name"),
    (
        "fairsharePolicy.shareDistribution[].shareIdentifier",
        "a share identifier, or remove the entry",
    ),
];

/// Where a 0 in a skeleton is a placeholder (AWS takes no 0 there).
const ZERO_IS_PLACEHOLDER: [&str; 5] = [
    "computeResources.maxvCpus",
    "containerProperties.vcpus",
    "containerProperties.memory",
    "retryStrategy.attempts",
    "timeout.attemptDurationSeconds",
];

/// Reads one request body into `setup`.
pub(crate) fn read(file: &str, doc: &Value, setup: &mut Setup) -> Result<(), ImportError> {
    let Some(kind) = kind_of(doc) else {
        return Err(ImportError::invalid(file, "", "not a request body"));
    };
    let mut problems = Vec::new();
    let mut left_out = Vec::new();
    let body = strip(doc, "", "", &mut problems, &mut left_out).unwrap_or_else(|| Value::Object(Map::new()));
    if !problems.is_empty() {
        return Err(ImportError::Problems(Problems {
            file: file.to_owned(),
            list: problems,
        }));
    }
    if !left_out.is_empty() {
        setup.notes.push(format!(
            "{file}: placeholders left out (AWS defaults apply): {}",
            left_out.join(", ")
        ));
    }
    let mut notes = Vec::new();
    match kind {
        Some(k) => {
            let name = body
                .get(k.name_field())
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let body = request(
                (k.shape(), k.name_field()),
                &body,
                Style::Api,
                "",
                &name,
                &mut notes,
                file,
            );
            setup.notes.append(&mut notes);
            setup.add(k, body, file);
        }
        None => {
            let name = body
                .get("jobDefinitionName")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let body = request(
                (shapes::JOB_DEFINITION, "jobDefinitionName"),
                &body,
                Style::Api,
                "",
                &name,
                &mut notes,
                file,
            );
            setup.notes.append(&mut notes);
            setup.add_revision(
                Revision {
                    name,
                    revision: None,
                    active: true,
                    body,
                },
                file,
            );
        }
    }
    Ok(())
}

fn is_placeholder(v: &Value, pattern: &str) -> bool {
    match v {
        Value::String(s) => s.is_empty(),
        Value::Number(n) => n.as_f64() == Some(0.0) && ZERO_IS_PLACEHOLDER.contains(&pattern),
        _ => false,
    }
}

/// `value` without its placeholders; `None` when nothing but placeholders is left. `path` is
/// the JSON path, `pattern` the same with list indices as `[]`.
fn strip(
    value: &Value,
    path: &str,
    pattern: &str,
    problems: &mut Vec<Problem>,
    left_out: &mut Vec<String>,
) -> Option<Value> {
    if is_placeholder(value, pattern) {
        match NEEDED.iter().find(|(p, _)| *p == pattern) {
            Some((_, what)) => problems.push(Problem {
                path: if path.is_empty() {
                    "(root)".into()
                } else {
                    path.to_owned()
                },
                message: format!("the skeleton's placeholder {value} needs a real value: {what}"),
            }),
            None => left_out.push(path.to_owned()),
        }
        return None;
    }
    match value {
        Value::Object(o) => {
            let mut out = Map::new();
            for (k, v) in o {
                let p = shapes::join(path, k);
                let pat = if pattern.is_empty() {
                    k.clone()
                } else {
                    format!("{pattern}.{k}")
                };
                if let Some(v) = strip(v, &p, &pat, problems, left_out) {
                    out.insert(k.clone(), v);
                }
            }
            // A skeleton entry (a volume, a ulimit) keeps only its flags and zeros once its
            // placeholders are gone: it is a placeholder as a whole.
            let skeleton_entry = out.len() < o.len() && !path.is_empty() && !out.values().any(substantive);
            (!skeleton_entry && (!out.is_empty() || o.is_empty())).then_some(Value::Object(out))
        }
        Value::Array(a) => {
            let out: Vec<Value> = a
                .iter()
                .enumerate()
                .filter_map(|(i, v)| strip(v, &format!("{path}[{i}]"), &format!("{pattern}[]"), problems, left_out))
                .collect();
            (!out.is_empty() || a.is_empty()).then_some(Value::Array(out))
        }
        other => Some(other.clone()),
    }
}

/// Whether a value says something a skeleton does not: text, a number other than 0, or a
/// list or object holding one.
fn substantive(v: &Value) -> bool {
    match v {
        Value::String(s) => !s.is_empty(),
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::Array(a) => a.iter().any(substantive),
        Value::Object(o) => o.values().any(substantive),
        Value::Bool(_) | Value::Null => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_skeleton_names_each_placeholder_that_needs_a_value() {
        let skeleton = json!({"jobQueueName": "", "state": "", "priority": 0,
            "computeEnvironmentOrder": [{"order": 0, "computeEnvironment": ""}]});
        let e = read("q.json", &skeleton, &mut Setup::default())
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "q.json: jobQueueName: the skeleton's placeholder \"\" needs a real value: the job queue's name\n\
             q.json: computeEnvironmentOrder[0].computeEnvironment: the skeleton's placeholder \"\" needs a real value: the name or ARN of a compute environment"
        );
    }

    #[test]
    fn a_filled_in_body_imports_with_the_other_placeholders_left_out() {
        let body = json!({"computeEnvironmentName": "ce", "type": "MANAGED", "state": "",
            "computeResources": {"type": "FARGATE", "minvCpus": 0, "maxvCpus": 16, "subnets": [""],
                "tags": {"KeyName": ""}, "imageId": ""}, "serviceRole": ""});
        let mut s = Setup::default();
        read("ce.json", &body, &mut s).unwrap();
        let v = s.build_scenario("x");
        assert_eq!(
            v["computeEnvironments"][0],
            json!({"computeEnvironmentName": "ce", "type": "MANAGED",
                "computeResources": {"type": "FARGATE", "minvCpus": 0, "maxvCpus": 16}})
        );
        assert!(
            s.notes[0].contains("state, computeResources.subnets[0], computeResources.tags.KeyName"),
            "{:?}",
            s.notes
        );
    }

    #[test]
    fn bodies_are_recognised_by_their_name_field() {
        assert_eq!(kind_of(&json!({"jobQueueName": "q"})), Some(Some(ObjectKind::JobQueue)));
        assert_eq!(kind_of(&json!({"jobDefinitionName": "d"})), Some(None));
        assert_eq!(
            kind_of(&json!({"name": "p", "fairsharePolicy": {}})),
            Some(Some(ObjectKind::SchedulingPolicy))
        );
        assert_eq!(kind_of(&json!({"name": "p"})), None);
        assert_eq!(kind_of(&json!([1])), None);
    }
}
