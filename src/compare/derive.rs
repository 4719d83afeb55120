//! Each platform's set-up derived from the scenario document (the rule in the module
//! documentation of [`crate::compare`]).

use super::Platform;
use crate::model::resources::{fargate_memory_options, fargate_vcpu_options};
use crate::model::{JobDefinitionRef, Resources};
use crate::workload::WorkloadEntry;
use crate::Scenario;
use serde_json::{json, Map, Value};

/// Suffix of the queue that holds the jobs a platform cannot run.
pub(super) const IMPOSSIBLE_SUFFIX: &str = "-impossible";

/// The smallest Fargate task size holding `r`, if Fargate sells one.
pub(super) fn fargate_size(r: &Resources) -> Option<Resources> {
    if r.gpus > 0 {
        return None;
    }
    let mut vcpus: Vec<u32> = fargate_vcpu_options().collect();
    vcpus.sort_unstable();
    vcpus.into_iter().filter(|&v| v >= r.millivcpus).find_map(|v| {
        let mem = fargate_memory_options(v).into_iter().find(|&m| m >= r.memory_mib)?;
        Some(Resources {
            millivcpus: v,
            memory_mib: mem,
            gpus: 0,
        })
    })
}

/// The scenario `doc` set up for `platform` (see the module documentation), and the reasons
/// of the job definitions it cannot run (`<definition>: <why>`).
pub fn derive(doc: &Value, scenario: &Scenario, platform: Platform) -> (Value, Vec<String>) {
    let mut out = doc.clone();
    let ces = doc.get("computeEnvironments").and_then(Value::as_array);
    let max: u64 = ces
        .into_iter()
        .flatten()
        .filter_map(|c| c.pointer("/computeResources/maxvCpus").and_then(Value::as_u64))
        .sum();
    let source = settings_source(doc, platform);
    let mut resources = json!({"type": platform.kind(), "maxvCpus": max});
    if platform == Platform::Ec2 {
        resources["minvCpus"] = json!(0);
        resources["instanceTypes"] = json!(["optimal"]);
    }
    let mut ce = json!({"computeEnvironmentName": platform.name(), "type": "MANAGED", "state": "ENABLED",
                        "computeResources": resources});
    if let Some(mut sim) = source.and_then(|(c, _)| c.get("simulation")).cloned() {
        if let Some(o) = sim.as_object_mut() {
            for key in SPOT_ONLY {
                o.remove(key);
            }
        }
        ce["simulation"] = sim;
    }
    if let Some(actions) = out.get_mut("actions").and_then(Value::as_array_mut) {
        // The compute environments they change are replaced by the platform's.
        actions.retain(|a| a.get("updateComputeEnvironment").is_none());
    }
    if let Some(o) = out.as_object_mut() {
        if platform == Platform::Lambda {
            // An invocation does not pass through Batch's job queue scheduler.
            o.remove("simulation");
        }
        if platform != Platform::Ec2 {
            o.remove("ec2Capacity");
        }
    }
    let mut none = ce.clone();
    none["computeEnvironmentName"] = json!("impossible");
    none["state"] = json!("DISABLED");
    none["computeResources"]["maxvCpus"] = json!(0);

    // Which definitions (by name) the platform cannot run, and their sizes on Fargate.
    let mut reasons = Vec::new();
    let mut impossible_entries = Vec::new();
    for (i, entry) in scenario.workload().iter().enumerate() {
        let template = match entry {
            WorkloadEntry::Submission { template, .. }
            | WorkloadEntry::Stream { template, .. }
            | WorkloadEntry::Trace { template, .. } => template,
        };
        let r = JobDefinitionRef::parse(&template.job_definition);
        let def = scenario
            .job_definitions()
            .iter()
            .rfind(|d| d.name == r.name && r.revision.is_none_or(|v| v == d.revision));
        let Some(def) = def else { continue };
        let need = template.resource_overrides.apply(def.resources);
        if let Some(why) = platform.cannot_hold(&need, def.multinode.is_some()) {
            let line = format!("`{}` {why}", def.name);
            if !reasons.contains(&line) {
                reasons.push(line);
            }
            impossible_entries.push(i);
        }
    }
    let mut extra_queues = Vec::new();
    if let Some(entries) = out.get_mut("workload").and_then(Value::as_array_mut) {
        for &i in &impossible_entries {
            let Some(submit) = entries.get_mut(i).and_then(|e| e.get_mut("submitJob")) else {
                continue;
            };
            let q = submit.get("jobQueue").and_then(Value::as_str).unwrap_or_default();
            let q = crate::model::arn_tail(q).to_owned();
            let name = format!("{q}{IMPOSSIBLE_SUFFIX}");
            submit["jobQueue"] = json!(name);
            if !extra_queues.iter().any(|(n, _): &(String, String)| *n == name) {
                extra_queues.push((name, q));
            }
        }
    }
    let queues = out.get_mut("jobQueues").and_then(Value::as_array_mut);
    if let Some(queues) = queues {
        for q in queues.iter_mut() {
            q["computeEnvironmentOrder"] = json!([{"order": 1, "computeEnvironment": platform.name()}]);
            // The type follows the new compute environment ("For regular container jobs, this
            // value is EKS, ECS, or ECS_FARGATE depending on the compute environment", API
            // model, `jobQueueType`): the original's would contradict it (an imported `ECS`
            // queue set up for Fargate).
            if let Some(q) = q.as_object_mut() {
                q.remove("jobQueueType");
            }
        }
        for (name, from) in &extra_queues {
            let mut nq = Map::new();
            nq.insert("jobQueueName".into(), json!(name));
            nq.insert("priority".into(), json!(0));
            nq.insert(
                "computeEnvironmentOrder".into(),
                json!([{"order": 1, "computeEnvironment": "impossible"}]),
            );
            let policy = queues
                .iter()
                .find(|q| q.get("jobQueueName").and_then(Value::as_str) == Some(from))
                .and_then(|q| q.get("schedulingPolicyArn"))
                .cloned();
            if let Some(p) = policy {
                nq.insert("schedulingPolicyArn".into(), p);
            }
            queues.push(Value::Object(nq));
        }
    }
    let mut list = vec![ce];
    if !extra_queues.is_empty() {
        list.push(none);
    }
    out["computeEnvironments"] = Value::Array(list);
    if let Some(defs) = out.get_mut("jobDefinitions").and_then(Value::as_array_mut) {
        for d in defs.iter_mut() {
            set_platform(d, platform);
        }
    }
    (out, reasons)
}

/// Compute environment `simulation` settings that apply to Spot capacity only, left out when
/// a Spot compute environment's settings are taken for an On-Demand set-up.
const SPOT_ONLY: [&str; 4] = [
    "interruptionsPerHour",
    "spotPriceHistory",
    "unavailable",
    "interruptionNoticeSeconds",
];

/// The Spot kind whose settings an On-Demand platform takes when the scenario has no compute
/// environment of the platform's own kind.
fn spot_twin(platform: Platform) -> Option<&'static str> {
    match platform {
        Platform::Lambda => None,
        Platform::Fargate => Some("FARGATE_SPOT"),
        Platform::Ec2 => Some("SPOT"),
    }
}

fn ce_kind(c: &Value) -> Option<&str> {
    c.pointer("/computeResources/type").and_then(Value::as_str)
}

fn ce_name(c: &Value) -> &str {
    c.get("computeEnvironmentName")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// The compute environment whose `simulation` block the platform's set-up takes: the first
/// of the platform's kind, else the first of its Spot twin (true: a Spot one).
fn settings_source(doc: &Value, platform: Platform) -> Option<(&Value, bool)> {
    let ces = doc.get("computeEnvironments").and_then(Value::as_array)?;
    ces.iter()
        .find(|c| ce_kind(c) == Some(platform.kind()))
        .map(|c| (c, false))
        .or_else(|| {
            let twin = spot_twin(platform)?;
            ces.iter().find(|c| ce_kind(c) == Some(twin)).map(|c| (c, true))
        })
}

/// What [`derive`] carried over from the scenario to `platform`'s set-up and what it dropped,
/// one sentence each, in the order of the scenario's fields (empty when the scenario has
/// nothing to carry or drop).
pub(crate) fn set_up_notes(doc: &Value, platform: Platform) -> Vec<String> {
    let mut notes = Vec::new();
    let title = platform.title();
    if let Some((c, spot)) = settings_source(doc, platform) {
        if c.get("simulation")
            .is_some_and(|s| s.as_object().is_some_and(|o| !o.is_empty()))
        {
            notes.push(if spot {
                format!(
                    "compute environment settings (`simulation`) taken from the Spot compute environment `{}`, without its Spot-only ones",
                    ce_name(c)
                )
            } else {
                format!("compute environment settings (`simulation`) taken from `{}`", ce_name(c))
            });
        }
    }
    for c in doc
        .get("computeEnvironments")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let kind = ce_kind(c).unwrap_or_default();
        if kind != "SPOT" && kind != "FARGATE_SPOT" {
            continue;
        }
        let mut what = vec![kind.to_owned()];
        if c.pointer("/simulation/spotPriceHistory").is_some() {
            what.push("its spotPriceHistory".to_owned());
        }
        if let Some(b) = c.pointer("/computeResources/bidPercentage").and_then(Value::as_u64) {
            what.push(format!("bidPercentage {b}"));
        }
        if c.pointer("/simulation/interruptionsPerHour").is_some() {
            what.push("its interruption rates".to_owned());
        }
        let instead = match platform {
            Platform::Lambda => "Lambda",
            Platform::Fargate => "Fargate On-Demand",
            Platform::Ec2 => "EC2 On-Demand",
        };
        notes.push(format!(
            "Spot compute environment `{}` ({}) not used: the {} platform is {instead}",
            ce_name(c),
            what.join(", "),
            platform.name()
        ));
    }
    if let Some(o) = doc.get("simulation").and_then(Value::as_object) {
        let set: Vec<String> = ["schedulingIntervalSeconds", "submittedToRunnableSeconds"]
            .iter()
            .filter_map(|k| {
                o.get(*k)
                    .filter(|v| v.as_f64().is_some_and(|x| x > 0.0))
                    .map(|v| format!("{k} {v}"))
            })
            .collect();
        if !set.is_empty() {
            notes.push(if platform == Platform::Lambda {
                format!(
                    "the scheduler latency (`simulation`: {}) dropped: a Lambda invocation does not pass through AWS Batch's job queue scheduler",
                    set.join(", ")
                )
            } else {
                format!("the scheduler latency (`simulation`: {}) carried", set.join(", "))
            });
        }
    }
    let updates = doc.get("actions").and_then(Value::as_array).map_or(0, |a| {
        a.iter().filter(|a| a.get("updateComputeEnvironment").is_some()).count()
    });
    if updates > 0 {
        notes.push(format!(
            "{updates} updateComputeEnvironment action(s) dropped: the compute environments they change are replaced by {title}'s"
        ));
    }
    if doc.get("ec2Capacity").is_some_and(|v| !v.is_null()) {
        notes.push(if platform == Platform::Ec2 {
            "`ec2Capacity` carried (the account's EC2 supply and quotas)".to_owned()
        } else {
            format!("`ec2Capacity` dropped: {title} launches no EC2 instances")
        });
    }
    let consumables = doc
        .get("consumableResources")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    if consumables > 0 {
        notes.push(format!(
            "{consumables} consumable resource(s) carried: jobs wait for them as on the scenario's set-up"
        ));
    }
    notes
}

/// One job definition document set up for `platform`.
fn set_platform(d: &mut Value, platform: Platform) {
    if d.get("eksProperties").is_some_and(|v| !v.is_null()) || d.get("nodeProperties").is_some_and(|v| !v.is_null()) {
        return;
    }
    match platform {
        Platform::Lambda => {}
        Platform::Ec2 => d["platformCapabilities"] = json!(["EC2"]),
        Platform::Fargate => {
            d["platformCapabilities"] = json!(["FARGATE"]);
            let Some(cp) = d.get_mut("containerProperties").and_then(Value::as_object_mut) else {
                return;
            };
            let r = definition_resources(cp);
            let size = fargate_size(&r).unwrap_or(Resources::new(0.25, 512));
            if size != r {
                cp.remove("vcpus");
                cp.remove("memory");
                cp.insert(
                    "resourceRequirements".into(),
                    json!([{"type": "VCPU", "value": format_vcpus(size.millivcpus)},
                           {"type": "MEMORY", "value": size.memory_mib.to_string()}]),
                );
            }
        }
    }
}

fn format_vcpus(millivcpus: u32) -> String {
    let v = f64::from(millivcpus) / 1000.0;
    if v.fract() == 0.0 {
        format!("{}", v as u64)
    } else {
        format!("{v}")
    }
}

/// The resources a `containerProperties` object asks for (resourceRequirements, else the
/// legacy `vcpus`/`memory`).
fn definition_resources(cp: &Map<String, Value>) -> Resources {
    let mut r = Resources::new(1.0, 2048);
    let num = |v: &Value| v.as_f64().or_else(|| v.as_str().and_then(|s| s.parse().ok()));
    if let Some(v) = cp.get("vcpus").and_then(num) {
        r.millivcpus = (v * 1000.0).round() as u32;
    }
    if let Some(m) = cp.get("memory").and_then(num) {
        r.memory_mib = m as u32;
    }
    for req in cp
        .get("resourceRequirements")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let value = req.get("value").and_then(num);
        match (req.get("type").and_then(Value::as_str), value) {
            (Some("VCPU"), Some(v)) => r.millivcpus = (v * 1000.0).round() as u32,
            (Some("MEMORY"), Some(m)) => r.memory_mib = m as u32,
            (Some("GPU"), Some(g)) => r.gpus = g as u32,
            _ => {}
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Value {
        json!({
            "computeEnvironments": [
                {"computeEnvironmentName": "a", "type": "MANAGED", "computeResources": {"type": "FARGATE", "maxvCpus": 16}},
                {"computeEnvironmentName": "b", "type": "MANAGED",
                 "computeResources": {"type": "EC2", "maxvCpus": 48, "instanceTypes": ["m6i"]},
                 "simulation": {"instanceLaunchSeconds": 60}}],
            "jobQueues": [{"jobQueueName": "q", "priority": 1,
                "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "a"}]},
                {"jobQueueName": "r", "priority": 2,
                "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "b"}]}],
            "jobDefinitions": [
                {"jobDefinitionName": "odd", "type": "container", "platformCapabilities": ["EC2"],
                 "containerProperties": {"vcpus": 3, "memory": 5000}},
                {"jobDefinitionName": "fits", "type": "container", "platformCapabilities": ["FARGATE"],
                 "containerProperties": {"resourceRequirements": [
                     {"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "2048"}]}}],
            "workload": [
                {"at": 0, "submitJob": {"jobName": "o", "jobQueue": "r", "jobDefinition": "odd"},
                 "runtime": {"distribution": "fixed", "seconds": 10}},
                {"at": 0, "submitJob": {"jobName": "f", "jobQueue": "q", "jobDefinition": "fits"},
                 "runtime": {"distribution": "fixed", "seconds": 10}}]
        })
    }

    #[test]
    fn each_platform_gets_one_compute_environment_with_the_summed_max() {
        let d = doc();
        let s = Scenario::from_value(&d, "t.json").expect("valid");
        for p in [Platform::Lambda, Platform::Fargate, Platform::Ec2] {
            let (out, reasons) = derive(&d, &s, p);
            let ces = out["computeEnvironments"].as_array().expect("ces");
            assert_eq!(ces.len(), 1, "{p:?}: nothing impossible, no extra compute environment");
            assert_eq!(ces[0]["computeEnvironmentName"], p.name());
            assert_eq!(ces[0]["computeResources"]["type"], p.kind());
            assert_eq!(ces[0]["computeResources"]["maxvCpus"], 64);
            for q in out["jobQueues"].as_array().expect("queues") {
                assert_eq!(
                    q["computeEnvironmentOrder"],
                    json!([{"order": 1, "computeEnvironment": p.name()}])
                );
            }
            assert!(reasons.is_empty(), "{p:?}: {reasons:?}");
            Scenario::from_value(&out, "t.json").unwrap_or_else(|e| panic!("{p:?}: {e}"));
        }
        // The EC2 set-up keeps the scenario's EC2 simulation block; 3 vCPUs / 5,000 MiB is
        // no Fargate size: the smallest that holds it is 4 vCPUs / 8,192 MiB.
        let (ec2, _) = derive(&d, &s, Platform::Ec2);
        assert_eq!(ec2["computeEnvironments"][0]["simulation"]["instanceLaunchSeconds"], 60);
        assert_eq!(
            ec2["computeEnvironments"][0]["computeResources"]["instanceTypes"],
            json!(["optimal"])
        );
        let (fargate, _) = derive(&d, &s, Platform::Fargate);
        assert_eq!(
            fargate["jobDefinitions"][0]["containerProperties"]["resourceRequirements"],
            json!([{"type": "VCPU", "value": "4"}, {"type": "MEMORY", "value": "8192"}])
        );
        assert_eq!(fargate["jobDefinitions"][0]["platformCapabilities"], json!(["FARGATE"]));
    }

    #[test]
    fn jobs_a_platform_cannot_hold_move_to_a_queue_of_their_own() {
        let mut d = doc();
        d["jobDefinitions"][0]["containerProperties"] = json!({"vcpus": 8, "memory": 5000});
        let s = Scenario::from_value(&d, "t.json").expect("valid");
        let (out, reasons) = derive(&d, &s, Platform::Lambda);
        assert_eq!(reasons, ["`odd` needs 8 vCPUs, over Lambda's 6"]);
        assert_eq!(out["workload"][0]["submitJob"]["jobQueue"], "r-impossible");
        assert_eq!(out["workload"][1]["submitJob"]["jobQueue"], "q");
        assert_eq!(out["computeEnvironments"][1]["state"], "DISABLED");
        assert_eq!(out["jobQueues"][2]["jobQueueName"], "r-impossible");
        Scenario::from_value(&out, "t.json").expect("still valid");
    }
}
