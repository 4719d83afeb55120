//! Terraform: `terraform show -json` output (state: `values.root_module`, plan:
//! `planned_values.root_module`, child modules included), and the resource mapping shared
//! with `.tf` files ([`super::hcl`]).
//!
//! The AWS provider's resources and their arguments:
//!
//! | resource | becomes | name | notes |
//! |----------|---------|------|-------|
//! | `aws_batch_compute_environment` | compute environment | `compute_environment_name` (provider 6: `name`), else the resource name | `compute_resources` block: `max_vcpus`, `instance_type` (-> `instanceTypes`), `allocation_strategy`, ... |
//! | `aws_batch_job_queue` | job queue | `name` | `compute_environment_order` blocks, or the legacy `compute_environments` list (its order is the list order) |
//! | `aws_batch_job_definition` | job definition | `name` | `container_properties`, `ecs_properties`, `node_properties` are JSON strings in the API's own names; `revision` is kept |
//! | `aws_batch_scheduling_policy` | scheduling policy | `name` | `fair_share_policy` block |
//!
//! Argument names map to the API by the model ([`super::shapes`]); ARNs in references
//! become names.

use super::error::ImportError;
use super::setup::{request, ObjectKind, Revision, Setup};
use super::shapes::{self, Style};
use serde_json::{json, Map, Value};

/// How a Terraform resource type is imported.
pub(crate) enum TfKind {
    /// A compute environment, queue or scheduling policy.
    Object(ObjectKind),
    /// A job definition.
    JobDefinition,
}

/// The Batch resource types read.
pub(crate) fn tf_kind(resource_type: &str) -> Option<TfKind> {
    match resource_type {
        "aws_batch_compute_environment" => Some(TfKind::Object(ObjectKind::ComputeEnvironment)),
        "aws_batch_job_queue" => Some(TfKind::Object(ObjectKind::JobQueue)),
        "aws_batch_scheduling_policy" => Some(TfKind::Object(ObjectKind::SchedulingPolicy)),
        "aws_batch_job_definition" => Some(TfKind::JobDefinition),
        _ => None,
    }
}

/// Imports one Batch resource whose arguments are `values` (snake_case, blocks as lists).
/// `label` is the resource's name in the configuration (its default name); `path` says
/// where it is in the input, for notes and errors.
pub(crate) fn resource(
    file: &str,
    kind: &TfKind,
    label: &str,
    values: &Value,
    path: &str,
    setup: &mut Setup,
) -> Result<(), ImportError> {
    let Some(values) = values.as_object() else {
        return Err(ImportError::invalid(file, path, "expected an object of arguments"));
    };
    let mut values = values.clone();
    let mut notes = Vec::new();
    match kind {
        TfKind::Object(k) => {
            if *k == ObjectKind::JobQueue {
                legacy_compute_environments(&mut values);
            }
            let cluster = values.get("ecs_cluster_arn").cloned();
            let mut body = request(
                (k.shape(), k.name_field()),
                &Value::Object(values),
                Style::Terraform,
                path,
                label,
                &mut notes,
                file,
            );
            if *k == ObjectKind::ComputeEnvironment {
                super::setup::keep_cluster(&mut body, cluster.as_ref());
            }
            setup.notes.append(&mut notes);
            setup.add(*k, body, file);
        }
        TfKind::JobDefinition => {
            for field in ["container_properties", "ecs_properties", "node_properties"] {
                if let Some(Value::String(text)) = values.get(field) {
                    let parsed: Value = serde_json::from_str(text).map_err(|e| {
                        ImportError::invalid(file, shapes::join(path, field), format!("not a JSON document: {e}"))
                    })?;
                    values.insert(field.to_owned(), parsed);
                }
            }
            let revision = values
                .get("revision")
                .and_then(Value::as_u64)
                .and_then(|r| u32::try_from(r).ok())
                .filter(|r| *r > 0);
            let body = request(
                (shapes::JOB_DEFINITION, "jobDefinitionName"),
                &Value::Object(values),
                Style::Terraform,
                path,
                label,
                &mut notes,
                file,
            );
            setup.notes.append(&mut notes);
            let name = body
                .get("jobDefinitionName")
                .and_then(Value::as_str)
                .unwrap_or(label)
                .to_owned();
            setup.add_revision(
                Revision {
                    name,
                    revision,
                    active: true,
                    body,
                },
                file,
            );
        }
    }
    Ok(())
}

/// The legacy `compute_environments = [arn, ...]` of a queue as `compute_environment_order`.
fn legacy_compute_environments(values: &mut Map<String, Value>) {
    let has_order = values
        .get("compute_environment_order")
        .is_some_and(|o| o.as_array().is_some_and(|a| !a.is_empty()));
    if let Some(Value::Array(list)) = values.remove("compute_environments") {
        if !has_order && !list.is_empty() {
            let order: Vec<Value> = list
                .iter()
                .enumerate()
                .map(|(i, ce)| json!({"order": i, "compute_environment": ce}))
                .collect();
            values.insert("compute_environment_order".into(), Value::Array(order));
        }
    }
}

/// Reads `terraform show -json` output into `setup`.
pub(crate) fn read_json(file: &str, doc: &Value, setup: &mut Setup) -> Result<(), ImportError> {
    let (root, root_path) = match (
        doc.pointer("/values/root_module"),
        doc.pointer("/planned_values/root_module"),
    ) {
        (Some(r), _) => (r, "values.root_module"),
        (None, Some(r)) => (r, "planned_values.root_module"),
        (None, None) => {
            return Err(ImportError::invalid(
                file,
                "",
                "terraform show -json output without `values.root_module` (state) or `planned_values.root_module` (plan): nothing to import",
            ))
        }
    };
    let mut found = 0usize;
    let mut ignored = Vec::new();
    walk_module(file, root, root_path, setup, &mut found, &mut ignored, 0)?;
    if found == 0 {
        return Err(ImportError::invalid(
            file,
            root_path,
            "no aws_batch_compute_environment, aws_batch_job_queue, aws_batch_job_definition or aws_batch_scheduling_policy resources in this Terraform output",
        ));
    }
    if !ignored.is_empty() {
        setup.notes.push(format!(
            "{file}: resources ignored (not simulated): {}",
            ignored.join(", ")
        ));
    }
    Ok(())
}

fn walk_module(
    file: &str,
    module: &Value,
    path: &str,
    setup: &mut Setup,
    found: &mut usize,
    ignored: &mut Vec<String>,
    depth: usize,
) -> Result<(), ImportError> {
    if depth > 32 {
        return Err(ImportError::invalid(file, path, "modules nest too deeply"));
    }
    if let Some(resources) = module.get("resources").and_then(Value::as_array) {
        for (i, r) in resources.iter().enumerate() {
            let here = format!("{path}.resources[{i}]");
            let ty = r.get("type").and_then(Value::as_str).unwrap_or_default();
            let address = r.get("address").and_then(Value::as_str).unwrap_or(ty);
            let mode = r.get("mode").and_then(Value::as_str).unwrap_or("managed");
            match tf_kind(ty) {
                Some(kind) if mode == "managed" => {
                    let label = r.get("name").and_then(Value::as_str).unwrap_or(ty);
                    let values = r.get("values").cloned().unwrap_or_else(|| json!({}));
                    resource(file, &kind, label, &values, &format!("{here}.values"), setup)?;
                    *found += 1;
                }
                _ => ignored.push(address.to_owned()),
            }
        }
    }
    if let Some(children) = module.get("child_modules").and_then(Value::as_array) {
        for (i, child) in children.iter().enumerate() {
            walk_module(
                file,
                child,
                &format!("{path}.child_modules[{i}]"),
                setup,
                found,
                ignored,
                depth + 1,
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_resources_map_to_requests() {
        let doc = json!({"format_version": "1.0", "terraform_version": "1.9.0", "values": {"root_module": {
          "resources": [
            {"address": "aws_iam_role.r", "mode": "managed", "type": "aws_iam_role", "name": "r", "values": {}},
            {"address": "aws_batch_compute_environment.ce", "mode": "managed", "type": "aws_batch_compute_environment",
             "name": "ce", "values": {"compute_environment_name": "my-ce", "type": "MANAGED", "state": "ENABLED",
               "arn": "arn:aws:batch:eu-west-1:1:compute-environment/my-ce", "ecs_cluster_arn": "x", "status": "VALID",
               "compute_resources": [{"type": "EC2", "max_vcpus": 16, "min_vcpus": 0, "desired_vcpus": 0,
                 "instance_type": ["c5.large"], "allocation_strategy": "BEST_FIT_PROGRESSIVE", "image_id": "",
                 "launch_template": [], "ec2_configuration": [{"image_type": "ECS_AL2", "image_id_override": ""}]}],
               "tags_all": {}, "update_policy": []}}],
          "child_modules": [{"resources": [
            {"address": "module.m.aws_batch_job_queue.q", "mode": "managed", "type": "aws_batch_job_queue", "name": "q",
             "values": {"name": "q", "priority": 5, "state": "ENABLED",
               "compute_environments": ["arn:aws:batch:eu-west-1:1:compute-environment/my-ce"],
               "compute_environment_order": [], "scheduling_policy_arn": null}},
            {"address": "module.m.aws_batch_job_definition.d", "mode": "managed", "type": "aws_batch_job_definition", "name": "d",
             "values": {"name": "d", "type": "container", "revision": 2, "platform_capabilities": ["EC2"],
               "container_properties": "{\"image\":\"busybox\",\"vcpus\":1,\"memory\":512}",
               "retry_strategy": [{"attempts": 2, "evaluate_on_exit": []}], "timeout": [],
               "parameters": {}, "propagate_tags": false}}]}]}}});
        let mut s = Setup::default();
        read_json("state.json", &doc, &mut s).unwrap();
        let v = s.build_scenario("x");
        assert!(s.notes.iter().any(|n| n.contains("aws_iam_role.r")), "{:?}", s.notes);
        assert_eq!(s.notes.len(), 2, "{:?}", s.notes);
        let ce = &v["computeEnvironments"][0];
        assert_eq!(ce["computeEnvironmentName"], "my-ce");
        assert_eq!(ce["computeResources"]["instanceTypes"], json!(["c5.large"]));
        assert_eq!(
            ce["computeResources"]["ec2Configuration"],
            json!([{"imageType": "ECS_AL2"}])
        );
        let q = &v["jobQueues"][0];
        assert_eq!(
            q["computeEnvironmentOrder"],
            json!([{"order": 0, "computeEnvironment": "my-ce"}])
        );
        let defs = v["jobDefinitions"].as_array().unwrap();
        assert_eq!(defs.len(), 2, "revision 1 filled");
        assert_eq!(defs[1]["containerProperties"]["memory"], 512);
        assert_eq!(defs[1]["retryStrategy"], json!({"attempts": 2, "evaluateOnExit": []}));
        crate::Scenario::from_value(&v, "x.json").unwrap();
    }

    #[test]
    fn a_plan_without_batch_resources_is_an_error() {
        let doc = json!({"format_version": "1.2", "planned_values": {"root_module": {"resources": [
            {"address": "aws_s3_bucket.b", "mode": "managed", "type": "aws_s3_bucket", "name": "b", "values": {}}]}}});
        let e = read_json("plan.json", &doc, &mut Setup::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("plan.json: planned_values.root_module: no aws_batch_compute_environment"),
            "{e}"
        );
        let e = read_json("plan.json", &json!({"format_version": "1.2"}), &mut Setup::default()).unwrap_err();
        assert!(e.to_string().contains("(root)"), "{e}");
    }

    #[test]
    fn bad_container_properties_name_their_path() {
        let doc = json!({"format_version": "1.0", "values": {"root_module": {"resources": [
            {"address": "aws_batch_job_definition.d", "mode": "managed", "type": "aws_batch_job_definition", "name": "d",
             "values": {"name": "d", "type": "container", "container_properties": "{oops"}}]}}});
        let e = read_json("s.json", &doc, &mut Setup::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("s.json: values.root_module.resources[0].values.container_properties: not a JSON document"),
            "{e}"
        );
    }
}
