//! Calls of the `terraform-aws-modules/batch/aws` module (version 3): a `module` block whose
//! inputs include `compute_environments`, `job_queues` or `job_definitions` is read as the
//! resources that module creates from them.
//!
//! | input | becomes |
//! |-------|---------|
//! | `compute_environments.<key>` | a compute environment named `name`, else `name_prefix` (Terraform adds a unique suffix, left out here), else the key; `compute_resources.instance_types` are its instance types |
//! | `job_queues.<key>` | a job queue named `name`, else the key; `compute_environment_order.<order>.compute_environment_key` names a compute environment by its key (order: `order`, else the map key) |
//! | `job_queues.<key>` with `create_scheduling_policy` (default `true`) | also a scheduling policy of the queue's name with its `fair_share_policy`, used by the queue |
//! | `job_definitions.<key>` | a job definition named `name`, else the key (`type` defaults to `container`); `timeout.attempt_duration_seconds` (version 2's top-level `attempt_duration_seconds` is dropped with a note, as Terraform drops it for version 3), `retry_strategy.evaluate_on_exit.<key>` |

use super::super::error::ImportError;
use super::super::setup::{ObjectKind, Setup};
use super::super::terraform::{resource, TfKind};
use super::partial;
use hcl::eval::Context;
use hcl::Body;
use serde_json::{json, Map, Value};

const INPUTS: [&str; 3] = ["compute_environments", "job_queues", "job_definitions"];

/// Reads a module call; `false` when it is not one of the Batch module.
pub(super) fn read(
    file: &str,
    label: &str,
    body: &Body,
    ctx: &Context,
    notes: &mut Vec<String>,
    setup: &mut Setup,
) -> Result<bool, ImportError> {
    let path = format!("module.{label}");
    let mut inputs = Map::new();
    for a in body.attributes() {
        let key = a.key.as_str();
        if INPUTS.contains(&key) {
            if let Some(v) = partial(&a.expr, ctx, &format!("{path}.{key}"), notes, 0) {
                inputs.insert(key.to_owned(), v);
            }
        }
    }
    if inputs.is_empty() {
        return Ok(false);
    }
    if body
        .attributes()
        .find(|a| a.key.as_str() == "create")
        .and_then(|a| hcl::eval::Evaluate::evaluate(&a.expr, ctx).ok())
        == Some(hcl::Value::Bool(false))
    {
        notes.push(format!("{file}: {path} has `create = false`; it creates nothing"));
        return Ok(true);
    }
    let empty = Map::new();
    let object = |k: &str| inputs.get(k).and_then(Value::as_object).unwrap_or(&empty);

    // Compute environments, and the name each key stands for.
    let mut ce_names: Vec<(String, String)> = Vec::new();
    for (key, ce) in object("compute_environments") {
        let here = format!("{path}.compute_environments.{key}");
        let name = match (text(ce, "name"), text(ce, "name_prefix")) {
            (Some(n), _) => n,
            (None, Some(prefix)) => {
                notes.push(format!(
                    "{file}: {here}: named `{prefix}` from its name_prefix (Terraform adds a unique suffix)"
                ));
                prefix
            }
            (None, None) => key.clone(),
        };
        let mut values = Map::new();
        values.insert("name".into(), Value::String(name.clone()));
        values.insert(
            "type".into(),
            ce.get("type").cloned().unwrap_or_else(|| json!("MANAGED")),
        );
        for k in ["state", "service_role", "tags", "unmanaged_vcpus"] {
            if let Some(v) = ce.get(k) {
                values.insert(k.into(), v.clone());
            }
        }
        if let Some(Value::Object(cr)) = ce.get("compute_resources") {
            let mut cr = cr.clone();
            if let Some(types) = cr.remove("instance_types") {
                cr.insert("instance_type".into(), types);
            }
            values.insert("compute_resources".into(), Value::Object(cr));
        }
        let kind = TfKind::Object(ObjectKind::ComputeEnvironment);
        resource(file, &kind, key, &Value::Object(values), &here, setup)?;
        ce_names.push((key.clone(), name));
    }

    // Scheduling policies first (queues refer to them), then the queues.
    let queues = object("job_queues");
    for (key, q) in queues {
        if q.get("create_scheduling_policy") == Some(&Value::Bool(false)) {
            continue;
        }
        let here = format!("{path}.job_queues.{key}");
        let name = text(q, "name").unwrap_or_else(|| key.clone());
        let mut values = Map::new();
        values.insert("name".into(), Value::String(name));
        if let Some(Value::Object(fs)) = q.get("fair_share_policy") {
            values.insert("fair_share_policy".into(), Value::Object(fs.clone()));
        }
        let kind = TfKind::Object(ObjectKind::SchedulingPolicy);
        resource(file, &kind, key, &Value::Object(values), &here, setup)?;
    }
    for (key, q) in queues {
        let here = format!("{path}.job_queues.{key}");
        let name = text(q, "name").unwrap_or_else(|| key.clone());
        let mut values = Map::new();
        values.insert("name".into(), Value::String(name.clone()));
        values.insert(
            "state".into(),
            q.get("state").cloned().unwrap_or_else(|| json!("ENABLED")),
        );
        if let Some(p) = q.get("priority") {
            values.insert("priority".into(), p.clone());
        }
        if q.get("create_scheduling_policy") != Some(&Value::Bool(false)) {
            values.insert("scheduling_policy_arn".into(), Value::String(name.clone()));
        } else if let Some(arn) = q.get("scheduling_policy_arn") {
            values.insert("scheduling_policy_arn".into(), arn.clone());
        }
        let mut order = Vec::new();
        if let Some(Value::Object(entries)) = q.get("compute_environment_order") {
            for (k, e) in entries {
                let Some(ce_key) = text(e, "compute_environment_key") else {
                    continue;
                };
                let Some((_, ce_name)) = ce_names.iter().find(|(k, _)| *k == ce_key) else {
                    notes.push(format!(
                        "{file}: {here}.compute_environment_order.{k}: no compute environment has the key `{ce_key}`; left out"
                    ));
                    continue;
                };
                let n = e
                    .get("order")
                    .cloned()
                    .unwrap_or_else(|| k.parse::<i64>().map_or(json!(k), Value::from));
                order.push(json!({"order": n, "compute_environment": ce_name}));
            }
        }
        values.insert("compute_environment_order".into(), Value::Array(order));
        if let Some(Value::Object(actions)) = q.get("job_state_time_limit_action") {
            let list: Vec<Value> = actions
                .values()
                .map(|a| {
                    let mut a = a.clone();
                    if let Value::Object(o) = &mut a {
                        o.entry("action").or_insert(json!("CANCEL"));
                        o.entry("state").or_insert(json!("RUNNABLE"));
                    }
                    a
                })
                .collect();
            values.insert("job_state_time_limit_action".into(), Value::Array(list));
        }
        let kind = TfKind::Object(ObjectKind::JobQueue);
        resource(file, &kind, key, &Value::Object(values), &here, setup)?;
    }

    for (key, d) in object("job_definitions") {
        let here = format!("{path}.job_definitions.{key}");
        let Some(d) = d.as_object() else { continue };
        let mut values = Map::new();
        values.insert(
            "name".into(),
            Value::String(d.get("name").and_then(Value::as_str).unwrap_or(key).to_owned()),
        );
        values.extend(
            d.iter()
                .filter(|(k, _)| *k != "name")
                .map(|(k, v)| (k.clone(), v.clone())),
        );
        values.entry("type").or_insert(json!("container"));
        if values.remove("attempt_duration_seconds").is_some() {
            notes.push(format!(
                "{file}: {here}.attempt_duration_seconds: not an input of version 3 of the module (Terraform drops it); use `timeout = {{ attempt_duration_seconds = N }}`"
            ));
        }
        if let Some(Value::Object(rs)) = values.get_mut("retry_strategy") {
            if let Some(Value::Object(rules)) = rs.get("evaluate_on_exit") {
                let list: Vec<Value> = rules.values().cloned().collect();
                rs.insert("evaluate_on_exit".into(), Value::Array(list));
            }
        }
        values.remove("tags");
        resource(file, &TfKind::JobDefinition, key, &Value::Object(values), &here, setup)?;
    }
    Ok(true)
}

/// A string member of an object, if it is one.
fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::super::read as read_tf;
    use super::*;
    use crate::import::ImportOptions;

    #[test]
    fn module_inputs_become_the_resources_it_creates() {
        let tf = r#"
module "batch" {
  source = "terraform-aws-modules/batch/aws"
  compute_environments = {
    a = { name_prefix = "fg", compute_resources = { type = "FARGATE", max_vcpus = 8, subnets = module.vpc.private_subnets } }
    b = { name = "ec2", compute_resources = { type = "EC2", max_vcpus = 16, instance_types = ["c5.large"] } }
  }
  job_queues = {
    low = { name = "Low", priority = 1, create_scheduling_policy = false,
            compute_environment_order = { 0 = { compute_environment_key = "b" }, 1 = { compute_environment_key = "nope" } } }
    high = { priority = 9, compute_environment_order = { 0 = { compute_environment_key = "a" } },
             fair_share_policy = { share_decay_seconds = 3600, share_distribution = [{ share_identifier = "A", weight_factor = 0.5 }] } }
  }
  job_definitions = {
    example = {
      platform_capabilities = ["FARGATE"]
      container_properties = jsonencode({ image = "busybox", executionRoleArn = aws_iam_role.x.arn,
        resourceRequirements = [{ type = "VCPU", value = "1" }, { type = "MEMORY", value = "2048" }] })
      retry_strategy = { attempts = 3, evaluate_on_exit = { a = { action = "RETRY", on_exit_code = 1 } } }
      timeout = { attempt_duration_seconds = 600 }
    }
  }
}
"#;
        let mut s = Setup::default();
        read_tf("main.tf", tf, &ImportOptions::default(), &mut s).unwrap();
        let v = s.build_scenario("x");
        assert_eq!(v["computeEnvironments"][0]["computeEnvironmentName"], "fg");
        assert_eq!(
            v["computeEnvironments"][1]["computeResources"]["instanceTypes"],
            json!(["c5.large"])
        );
        assert_eq!(v["schedulingPolicies"][0]["name"], "high");
        assert_eq!(
            v["jobQueues"][0]["computeEnvironmentOrder"],
            json!([{"order": 0, "computeEnvironment": "ec2"}])
        );
        assert!(v["jobQueues"][0].get("schedulingPolicyArn").is_none());
        assert_eq!(v["jobQueues"][1]["jobQueueName"], "high");
        assert_eq!(v["jobQueues"][1]["schedulingPolicyArn"], "high");
        let d = &v["jobDefinitions"][0];
        assert_eq!(d["jobDefinitionName"], "example");
        assert_eq!(d["containerProperties"]["image"], "busybox");
        assert!(d["containerProperties"].get("executionRoleArn").is_none());
        assert_eq!(d["retryStrategy"]["evaluateOnExit"][0]["onExitCode"], "1");
        assert_eq!(d["timeout"]["attemptDurationSeconds"], 600);
        let notes = s.notes.join("\n");
        assert!(
            notes.contains("module.batch.compute_environments.a.compute_resources.subnets: left out"),
            "{notes}"
        );
        assert!(notes.contains("executionRoleArn: left out"), "{notes}");
        assert!(notes.contains("no compute environment has the key `nope`"), "{notes}");
        crate::Scenario::from_value(&v, "x.json").unwrap();
    }
}
