//! AWS CLI / SDK describe output: `describe-compute-environments`, `describe-job-queues`,
//! `describe-job-definitions`, `describe-scheduling-policies`, `describe-consumable-resource`
//! (and `list-consumable-resources`).
//!
//! Each object is the API's detail shape: its request fields are kept, its read-only fields
//! (ARNs, `status`, `statusReason`, `ecsClusterArn`, `uuid`, `containerOrchestrationType`,
//! `revision`, ...) are understood and left out, except a compute environment's
//! `ecsClusterArn`, kept as its `simulation.ecsClusterArn` for calibration. A file may hold several pages one after
//! the other (`aws ... > out.json` run more than once, or pages concatenated).

use super::error::ImportError;
use super::setup::{request, ObjectKind, Revision, Setup};
use super::shapes::{self, Style};
use serde_json::Value;

/// The top-level keys that make a JSON document describe output.
pub(crate) const KEYS: [&str; 6] = [
    "computeEnvironments",
    "jobQueues",
    "jobDefinitions",
    "schedulingPolicies",
    "consumableResources",
    "consumableResourceName",
];

/// Read-only fields of the detail shapes: left out without a note.
const READ_ONLY: [&str; 17] = [
    "computeEnvironmentArn",
    "jobQueueArn",
    "jobDefinitionArn",
    "arn",
    "ecsClusterArn",
    "status",
    "statusReason",
    "uuid",
    "containerOrchestrationType",
    "revision",
    "updatePolicy",
    "createdAt",
    "updatedAt",
    "serviceEnvironmentOrder",
    "consumableResourceArn",
    "inUseQuantity",
    "availableQuantity",
];

/// Whether a JSON document is describe output (one of [`KEYS`] at the top).
pub(crate) fn is_describe(doc: &Value) -> bool {
    doc.as_object().is_some_and(|o| KEYS.iter().any(|k| o.contains_key(*k)))
}

/// Reads one page of describe output into `setup`.
pub(crate) fn read(file: &str, doc: &Value, page: usize, setup: &mut Setup) -> Result<(), ImportError> {
    let prefix = if page == 0 {
        String::new()
    } else {
        format!("(page {})", page + 1)
    };
    let Some(top) = doc.as_object() else {
        return Err(ImportError::invalid(
            file,
            prefix,
            "expected a JSON object of describe output",
        ));
    };
    for (key, value) in top {
        let list_path = shapes::join(&prefix, key);
        let kind = match key.as_str() {
            "computeEnvironments" => Some(ObjectKind::ComputeEnvironment),
            "jobQueues" => Some(ObjectKind::JobQueue),
            "schedulingPolicies" => Some(ObjectKind::SchedulingPolicy),
            "jobDefinitions" => None,
            "consumableResources" => Some(ObjectKind::ConsumableResource),
            "consumableResourceName" => {
                // describe-consumable-resource: the document is the one object.
                let kind = ObjectKind::ConsumableResource;
                let Some(name) = value.as_str() else {
                    return Err(ImportError::invalid(file, list_path, "expected a name"));
                };
                let body = body(file, kind.shape(), kind.name_field(), doc, &prefix, name, setup);
                setup.add(kind, body, file);
                continue;
            }
            // nextToken, and the other fields of describe-consumable-resource.
            _ => continue,
        };
        let Some(items) = value.as_array() else {
            return Err(ImportError::invalid(file, list_path, "expected a list"));
        };
        for (i, item) in items.iter().enumerate() {
            let path = format!("{list_path}[{i}]");
            let Some(object) = item.as_object() else {
                return Err(ImportError::invalid(file, path, "expected an object"));
            };
            match (key.as_str(), kind) {
                ("jobDefinitions", _) => {
                    let name = object
                        .get("jobDefinitionName")
                        .and_then(Value::as_str)
                        .ok_or_else(|| ImportError::invalid(file, format!("{path}.jobDefinitionName"), "missing"))?;
                    let revision = match object.get("revision") {
                        None | Some(Value::Null) => None,
                        Some(r) => Some(
                            r.as_u64()
                                .and_then(|r| u32::try_from(r).ok())
                                .filter(|r| *r > 0)
                                .ok_or_else(|| {
                                    ImportError::invalid(
                                        file,
                                        format!("{path}.revision"),
                                        "expected a revision number (1, 2, ...)",
                                    )
                                })?,
                        ),
                    };
                    let active = match object.get("status").and_then(Value::as_str) {
                        None | Some("ACTIVE") => true,
                        Some("INACTIVE") => false,
                        Some(other) => {
                            return Err(ImportError::invalid(
                                file,
                                format!("{path}.status"),
                                format!("\"{other}\" is not one of ACTIVE, INACTIVE"),
                            ))
                        }
                    };
                    let body = body(
                        file,
                        shapes::JOB_DEFINITION,
                        "jobDefinitionName",
                        item,
                        &path,
                        name,
                        setup,
                    );
                    setup.add_revision(
                        Revision {
                            name: name.to_owned(),
                            revision,
                            active,
                            body,
                        },
                        file,
                    );
                }
                (_, Some(kind)) => {
                    let name = object.get(kind.name_field()).and_then(Value::as_str).ok_or_else(|| {
                        ImportError::invalid(file, format!("{path}.{}", kind.name_field()), "missing")
                    })?;
                    let body = body(file, kind.shape(), kind.name_field(), item, &path, name, setup);
                    setup.add(kind, body, file);
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// The request body of one detail object; fields that are neither request fields nor known
/// read-only fields are noted.
fn body(file: &str, shape: &str, name_field: &str, item: &Value, path: &str, name: &str, setup: &mut Setup) -> Value {
    let mut notes = Vec::new();
    let mut trimmed = item.clone();
    if let Some(o) = trimmed.as_object_mut() {
        o.retain(|k, _| !READ_ONLY.contains(&k.as_str()));
    }
    let mut body = request((shape, name_field), &trimmed, Style::Api, path, name, &mut notes, file);
    if shape == ObjectKind::ComputeEnvironment.shape() {
        super::setup::keep_cluster(&mut body, item.get("ecsClusterArn"));
    }
    setup.notes.extend(notes);
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn read_only_fields_are_left_out_and_revisions_kept() {
        let mut s = Setup::default();
        let ce = json!({"computeEnvironments": [{"computeEnvironmentName": "ce",
            "computeEnvironmentArn": "arn:aws:batch:us-east-1:1:compute-environment/ce",
            "ecsClusterArn": "arn:aws:ecs:us-east-1:1:cluster/AWSBatch-ce-1a2b", "type": "MANAGED", "state": "ENABLED", "status": "VALID",
            "statusReason": "ok", "uuid": "u", "containerOrchestrationType": "ECS",
            "computeResources": {"type": "FARGATE", "maxvCpus": 8, "subnets": []}}]});
        read("ce.json", &ce, 0, &mut s).unwrap();
        let defs = json!({"jobDefinitions": [
            {"jobDefinitionName": "d", "revision": 2, "status": "ACTIVE", "type": "container",
             "jobDefinitionArn": "arn:x:job-definition/d:2", "containerProperties": {"image": "i"}},
            {"jobDefinitionName": "d", "revision": 1, "status": "INACTIVE", "type": "container",
             "containerProperties": {"image": "i"}}]});
        read("defs.json", &defs, 0, &mut s).unwrap();
        assert!(s.notes.is_empty(), "{:?}", s.notes);
        let v = s.build_scenario("x");
        assert_eq!(
            v["computeEnvironments"][0],
            json!({"computeEnvironmentName": "ce", "type": "MANAGED", "state": "ENABLED",
            "computeResources": {"type": "FARGATE", "maxvCpus": 8, "subnets": []},
            "simulation": {"ecsClusterArn": "arn:aws:ecs:us-east-1:1:cluster/AWSBatch-ce-1a2b"}}),
            "ecsClusterArn is kept for calibration, the other read-only fields are not"
        );
        assert_eq!(v["jobDefinitions"].as_array().unwrap().len(), 2);
        assert_eq!(v["actions"][0]["deregisterJobDefinition"]["jobDefinition"], "d:1");
    }

    #[test]
    fn bad_pages_name_the_path() {
        let mut s = Setup::default();
        let e = read("q.json", &json!({"jobQueues": [{"priority": 1}]}), 0, &mut s).unwrap_err();
        assert_eq!(e.to_string(), "q.json: jobQueues[0].jobQueueName: missing");
        let e = read("q.json", &json!({"jobQueues": {}}), 1, &mut s).unwrap_err();
        assert_eq!(e.to_string(), "q.json: (page 2).jobQueues: expected a list");
        let e = read(
            "d.json",
            &json!({"jobDefinitions": [{"jobDefinitionName": "d", "revision": "x"}]}),
            0,
            &mut s,
        )
        .unwrap_err();
        assert!(e.to_string().contains("jobDefinitions[0].revision"), "{e}");
    }

    #[test]
    fn consumable_resources_become_create_consumable_resource_bodies() {
        let mut s = Setup::default();
        // describe-consumable-resource: one object; list-consumable-resources: a list.
        let one = json!({"consumableResourceName": "licenses", "totalQuantity": 10,
            "consumableResourceArn": "arn:aws:batch:us-east-1:1:consumable-resource/licenses",
            "inUseQuantity": 2, "availableQuantity": 8, "resourceType": "REPLENISHABLE",
            "createdAt": 1717236000000u64, "tags": {}});
        read("cr.json", &one, 0, &mut s).unwrap();
        let list = json!({"consumableResources": [{"consumableResourceName": "quota", "totalQuantity": 5,
            "consumableResourceArn": "arn:x", "inUseQuantity": 0, "resourceType": "NON_REPLENISHABLE"}],
            "nextToken": null});
        read("list.json", &list, 0, &mut s).unwrap();
        assert!(s.notes.is_empty(), "{:?}", s.notes);
        let v = s.build_scenario("x");
        assert_eq!(
            v["consumableResources"],
            json!([
                {"consumableResourceName": "licenses", "totalQuantity": 10, "resourceType": "REPLENISHABLE", "tags": {}},
                {"consumableResourceName": "quota", "totalQuantity": 5, "resourceType": "NON_REPLENISHABLE"}
            ])
        );
    }
}
