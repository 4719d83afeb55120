//! Consumable resources (AWS Batch resource-aware scheduling, issue 11 item 13), run from the
//! scenario files in `tests/data/consumable/` with every figure worked by hand.
//!
//! The AWS sentences the rules rest on (User Guide):
//! - *Specify the resources needed to run a job*: "If a consumable resource for the job is
//!   not available when the job reaches the head of the queue, the job will wait in
//!   `RUNNABLE` state until all the required resources become available or the job state
//!   time limit is reached ... Once Batch has validated that all the resources are
//!   available, the job transitions to the `STARTING` state and then to `RUNNING`. Resources
//!   are locked once the job moves to `STARTING` and are then unlocked when the job moves to
//!   `SUCCEEDED` or `FAILED`."
//! - *Check how many resources are in-use and available*: "If the resource is
//!   `NON_REPLENISHABLE`, the number of consumed resources is subtracted from both the total
//!   and available quantities and won't be added back whether the job moves to the
//!   `SUCCEEDED` or `FAILED` state."
//! - *Resource-aware scheduling*: "You can reduce the under-utilization of compute resources
//!   by allocating only the jobs that have all the required resources available."
//!
//! Before consumable resources were simulated every one of these files was refused
//! (`consumableResources` was an unknown top-level key), so each test fails on that code.

mod common;

use batchsim::{JobRecord, JobStatus, Options, Report, Scenario, Simulation};
use common::{batchsim, fargate_ce, fargate_def, load, queue, run_records, temp_dir};
use serde_json::{json, Value};

fn data(name: &str) -> String {
    format!("{}/tests/data/consumable/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn run_file(name: &str) -> (Report, Vec<JobRecord>) {
    let scenario = Scenario::from_file(data(name)).unwrap_or_else(|e| panic!("{e}"));
    let options = Options {
        record_jobs: true,
        ..Options::default()
    };
    Simulation::new(&scenario, options).unwrap().run_with_records()
}

fn secs(t: Option<batchsim::SimTime>) -> Option<f64> {
    t.map(|t| t.as_secs_f64())
}

/// The most jobs of `rows` RUNNING at once (starts and ends at one instant: ends first).
fn most_at_once(rows: &[&JobRecord]) -> usize {
    let mut edges: Vec<(f64, i32)> = Vec::new();
    for r in rows {
        if let (Some(a), Some(b)) = (secs(r.started_at), secs(r.stopped_at)) {
            edges.push((a, 1));
            edges.push((b, -1));
        }
    }
    edges.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
    let (mut now, mut most) = (0i32, 0i32);
    for (_, d) in edges {
        now += d;
        most = most.max(now);
    }
    most as usize
}

/// Two licences, five 100 s jobs a second apart from t=0 on 8 vCPUs: only two run at once.
/// By hand: jobs 1 and 2 start at 0 and 1 and end at 100 and 101; job 3 (head from t=2)
/// starts at 100 (wait 98), job 4 at 101 (wait 98), job 5 at 200 (wait 196), end 300.
/// A resource is shared by every queue and compute environment; a job that needs none (queue
/// `b`, its own compute environment) is not held up.
#[test]
fn two_licences_let_two_jobs_run_at_once_and_the_rest_wait_in_runnable() {
    let (report, rows) = run_file("shared-licences.json");
    let solves: Vec<&JobRecord> = rows.iter().filter(|r| &*r.job_name == "solve").collect();
    let starts: Vec<Option<f64>> = solves.iter().map(|r| secs(r.started_at)).collect();
    assert_eq!(
        starts,
        vec![Some(0.0), Some(1.0), Some(100.0), Some(101.0), Some(200.0)]
    );
    let waits: Vec<f64> = solves.iter().map(|r| r.wait.unwrap().as_secs_f64()).collect();
    assert_eq!(waits, vec![0.0, 0.0, 98.0, 98.0, 196.0]);
    assert_eq!(most_at_once(&solves), 2, "only two licences");
    let other = rows.iter().find(|r| &*r.job_name == "other").unwrap();
    assert_eq!(
        (secs(other.started_at), secs(other.stopped_at)),
        (Some(0.5), Some(10.5))
    );
    assert_eq!(report.jobs.succeeded, 6);
    assert_eq!(report.end_seconds, 300.0);

    let l = &report.consumable_resources["licences"];
    assert_eq!(l.resource_type, "REPLENISHABLE");
    assert_eq!((l.total_quantity, l.in_use_quantity, l.available_quantity), (2, 0, 2));
    assert_eq!((l.peak_in_use, l.consumed, l.acquisitions), (2, 0, 5));
    // 500 licence-seconds used of 2 x 300.
    assert_eq!(l.unit_seconds_in_use, 500.0);
    assert!((l.utilization - 500.0 / 600.0).abs() < 1e-12);
    // Job 3 was the head short of a licence from t=2 to 100, job 4 from 100 (job 3 left) to
    // 101, job 5 from 101 to 200.
    assert_eq!((l.jobs_waited, l.jobs_waiting), (3, 0));
    assert_eq!(l.wait_seconds.count, 3);
    assert_eq!(l.wait_seconds.max, Some(99.0));
    assert!((l.wait_seconds.mean.unwrap() - (98.0 + 1.0 + 99.0) / 3.0).abs() < 1e-9);
}

/// Three NON_REPLENISHABLE tokens. `flaky` (t=0, exit 1, `attempts: 2`) takes one per
/// attempt: two, at t=0 and t=10 (a retry takes them again). `call` 1 at t=60 takes the
/// last; calls 2-4 (t=120, 180, 240) never start, and the run stops at t=240 with them
/// RUNNABLE (no hang): the head has the status reason, the report counts them.
#[test]
fn non_replenishable_tokens_run_out_and_leave_jobs_unfinished_and_reported() {
    let (report, rows) = run_file("tokens-run-out.json");
    let flaky = &rows[0];
    assert_eq!((flaky.status, flaky.attempts), (JobStatus::Failed, 2));
    assert_eq!(secs(flaky.stopped_at), Some(20.0));
    assert_eq!(
        (rows[1].status, secs(rows[1].started_at)),
        (JobStatus::Succeeded, Some(60.0))
    );
    for r in &rows[2..] {
        assert_eq!((r.status, r.started_at), (JobStatus::Runnable, None), "{}", r.job_id);
    }
    assert_eq!(
        rows[2].status_reason.as_deref(),
        Some("Waiting for consumable resource tokens"),
        "the head's reason (batchsim's text: AWS documents none)"
    );
    assert_eq!(rows[3].status_reason, None, "behind the head: waiting its turn");
    assert_eq!((report.jobs.unfinished, report.jobs.queued), (3, 3));
    assert_eq!(report.wait_seconds.never_started, 3);
    assert_eq!(report.end_seconds, 240.0);
    let t = &report.consumable_resources["tokens"];
    assert_eq!(t.resource_type, "NON_REPLENISHABLE");
    assert_eq!((t.total_quantity, t.in_use_quantity, t.available_quantity), (0, 0, 0));
    assert_eq!((t.consumed, t.acquisitions, t.peak_in_use), (3, 3, 1));
    assert_eq!((t.jobs_waited, t.jobs_waiting), (1, 1));
    assert_eq!(t.wait_seconds.count, 0);
}

/// One licence, jobs at t=0, 1, 2 (100 s each); at t=10 `updateConsumableResource` ADD 2:
/// jobs 2 and 3 start at once at t=10 (waits 9 and 8) and the run ends at 110.
#[test]
fn update_consumable_resource_add_releases_the_waiting_jobs() {
    let (report, rows) = run_file("licence-added.json");
    let starts: Vec<Option<f64>> = rows.iter().map(|r| secs(r.started_at)).collect();
    assert_eq!(starts, vec![Some(0.0), Some(10.0), Some(10.0)]);
    assert_eq!(report.end_seconds, 110.0);
    let l = &report.consumable_resources["licences"];
    assert_eq!((l.total_quantity, l.peak_in_use), (3, 3));
    // Job 2 waited at the head from t=1 to t=10.
    assert_eq!((l.jobs_waited, l.wait_seconds.max), (1, Some(9.0)));
}

/// UpdateConsumableResource SET and REMOVE ("Sets the quantity of the resource to the value
/// specified by the `quantity` parameter", "Reduces the quantity ..."): REMOVE 1 at t=5
/// leaves none for job 2 when job 1 gives its licence back at t=100; SET 1 at t=150 lets it
/// start.
#[test]
fn update_consumable_resource_set_and_remove() {
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(data("licence-added.json")).unwrap()).unwrap();
    doc["workload"][0]["count"] = json!(2);
    doc["actions"] = json!([
        {"at": 5, "updateConsumableResource": {"consumableResource": "licences", "operation": "REMOVE", "quantity": 1}},
        {"at": 150, "updateConsumableResource": {"consumableResource": "licences", "operation": "SET", "quantity": 1}}
    ]);
    let (report, rows) = run_records(&doc);
    assert_eq!(secs(rows[1].started_at), Some(150.0));
    let l = &report.consumable_resources["licences"];
    assert_eq!((l.total_quantity, l.available_quantity), (1, 1));
    // Job 1 keeps its licence to t=100 with the total at 0 from t=5 (what is in use beyond
    // the total counts as there): 1 x 100 + 0 x 50 + 1 x 100 = 200 licence-seconds, all used.
    assert_eq!(l.unit_seconds_in_use, 200.0);
    assert_eq!(l.utilization, 1.0);
    assert_eq!(report.end_seconds, 250.0);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    doc["actions"][0]["updateConsumableResource"]["quantity"] = json!(4);
    let (report, _) = run_records(&doc);
    assert_eq!(
        report.warnings,
        vec!["updateConsumableResource at 5 s: REMOVE 4 from consumable resource `licences`, whose total was 1: the total is 0"]
    );
}

/// EC2, 60 s instance launch, one licence: job 1 (t=0) claims a launching m5.large and its
/// licence; job 2 (t=1) is short of the licence and launches nothing ("allocating only the
/// jobs that have all the required resources available"). At t=160 job 1 ends: its licence
/// and its instance free at once and job 2 starts there. Without the licence job 2 would
/// have launched a second instance at t=1 and started at 61.
#[test]
fn on_ec2_a_job_short_of_a_resource_launches_no_instance() {
    let (report, rows) = run_file("ec2-claims.json");
    assert_eq!(secs(rows[0].started_at), Some(60.0));
    assert_eq!(secs(rows[1].started_at), Some(160.0));
    assert_eq!(report.compute_environments["ec2"].instances_launched, 1);
    let l = &report.consumable_resources["licences"];
    assert_eq!(
        (l.acquisitions, l.peak_in_use),
        (2, 1),
        "a claim's licence is counted once"
    );
    assert_eq!(l.wait_seconds.max, Some(159.0));

    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(data("ec2-claims.json")).unwrap()).unwrap();
    doc["jobDefinitions"][0]
        .as_object_mut()
        .unwrap()
        .remove("consumableResourceProperties");
    let (report, rows) = run_records(&doc);
    assert_eq!(secs(rows[1].started_at), Some(61.0));
    assert_eq!(report.compute_environments["ec2"].instances_launched, 2);
}

/// FIFO: the head short of a licence holds up the job behind it that needs none (the head
/// "will wait in RUNNABLE state"; a FIFO queue runs its jobs in order). One licence held by
/// job `a` (0-100); `b` (t=1) needs it; `c` (t=2) needs nothing but waits behind `b`.
#[test]
fn on_a_fifo_queue_the_short_head_holds_up_the_jobs_behind_it() {
    let mut needs = fargate_def("licensed", "1", "2048");
    needs["consumableResourceProperties"] =
        json!({"consumableResourceList": [{"consumableResource": "licences", "quantity": 1}]});
    let at = |t: f64, name: &str, def: &str| {
        json!({"at": t, "submitJob": {"jobName": name, "jobQueue": "q", "jobDefinition": def},
               "runtime": {"distribution": "fixed", "seconds": 100}})
    };
    let doc = json!({
        "consumableResources": [{"consumableResourceName": "licences", "totalQuantity": 1}],
        "computeEnvironments": [fargate_ce("ce", 8)],
        "jobQueues": [queue("q", 1, &["ce"])],
        "jobDefinitions": [needs, fargate_def("plain", "1", "2048")],
        "workload": [at(0.0, "a", "licensed"), at(1.0, "b", "licensed"), at(2.0, "c", "plain")],
    });
    let (_, rows) = run_records(&doc);
    let starts: Vec<Option<f64>> = rows.iter().map(|r| secs(r.started_at)).collect();
    assert_eq!(starts, vec![Some(0.0), Some(100.0), Some(100.0)]);
}

/// Fair share: a share whose head is short of the licence does not hold up another share's
/// jobs (the scheduler picks among the shares' heads; each that can start does). Share A: 3
/// jobs at t=0 needing the one licence; share B: 2 jobs at t=0.5 needing none.
#[test]
fn on_a_fair_share_queue_other_shares_go_on() {
    let mut needs = fargate_def("licensed", "1", "2048");
    needs["consumableResourceProperties"] =
        json!({"consumableResourceList": [{"consumableResource": "licences", "quantity": 1}]});
    let mut q = queue("q", 1, &["ce"]);
    q["schedulingPolicyArn"] = json!("fs");
    let jobs = |t: f64, share: &str, def: &str, n: usize| -> Vec<Value> {
        (0..n)
            .map(|_| {
                json!({"at": t, "submitJob": {"jobName": share, "jobQueue": "q", "jobDefinition": def,
                       "shareIdentifier": share},
                       "runtime": {"distribution": "fixed", "seconds": 100}})
            })
            .collect()
    };
    let mut workload = jobs(0.0, "A", "licensed", 3);
    workload.extend(jobs(0.5, "B", "plain", 2));
    let doc = json!({
        "consumableResources": [{"consumableResourceName": "licences", "totalQuantity": 1}],
        "computeEnvironments": [fargate_ce("ce", 8)],
        "schedulingPolicies": [{"name": "fs", "fairsharePolicy": {"shareDecaySeconds": 0, "shareDistribution": []}}],
        "jobQueues": [q],
        "jobDefinitions": [needs, fargate_def("plain", "1", "2048")],
        "workload": workload,
    });
    let (report, rows) = run_records(&doc);
    let starts: Vec<(String, Option<f64>)> = rows
        .iter()
        .map(|r| (r.job_name.to_string(), secs(r.started_at)))
        .collect();
    let at = |n: &str, t: f64| (n.to_string(), Some(t));
    assert_eq!(
        starts,
        vec![at("A", 0.0), at("A", 100.0), at("A", 200.0), at("B", 0.5), at("B", 0.5)]
    );
    assert_eq!(report.consumable_resources["licences"].peak_in_use, 1);
}

/// A library submission's override (`SubmitJob::consumable`) is merged with the definition's
/// list; an unknown resource or a quantity of 0 is refused with a typed error.
#[test]
fn the_library_api_takes_the_override() {
    use batchsim::engine::SubmitJob;
    use batchsim::workload::RuntimeModel;
    let doc = json!({
        "consumableResources": [{"consumableResourceName": "licences", "totalQuantity": 3}],
        "computeEnvironments": [fargate_ce("ce", 8)],
        "jobQueues": [queue("q", 1, &["ce"])],
        "jobDefinitions": [fargate_def("plain", "1", "2048")],
    });
    let mut sim = Simulation::new(&load(&doc), Options::default()).unwrap();
    let big = SubmitJob::from_names("big", "q", "plain", RuntimeModel::fixed(10.0)).consumable("licences", 2);
    let a = sim.submit(&big).unwrap();
    let b = sim.submit(&big).unwrap();
    sim.run_until(batchsim::SimTime::from_millis(1));
    assert_eq!(sim.job_status(a), Some(JobStatus::Running));
    assert_eq!(
        sim.job_status(b),
        Some(JobStatus::Runnable),
        "3 licences: one job of 2 at a time"
    );
    let err = sim
        .submit(&SubmitJob::from_names("x", "q", "plain", RuntimeModel::fixed(1.0)).consumable("licence", 1))
        .unwrap_err();
    assert_eq!(err.to_string(), "no consumable resource is named `licence`");
    let err = sim
        .submit(&SubmitJob::from_names("x", "q", "plain", RuntimeModel::fixed(1.0)).consumable("licences", 0))
        .unwrap_err();
    assert!(err.to_string().contains("must be 1 or more"), "{err}");
    let report = sim.run();
    assert_eq!(report.jobs.succeeded, 2);
    assert_eq!(report.end_seconds, 20.0);
}

/// Same file, same bytes (the report and the job table), and no `consumableResources` key in
/// a report of a scenario without consumable resources.
#[test]
fn runs_are_deterministic_and_the_block_appears_only_with_resources() {
    let dir = temp_dir("consumable-det");
    let f = data("shared-licences.json");
    let (a, b) = (
        dir.join("a.csv").display().to_string(),
        dir.join("b.csv").display().to_string(),
    );
    let x = batchsim(&["run", &f, "--format", "json", "--jobs", &a]);
    let y = batchsim(&["run", &f, "--format", "json", "--jobs", &b]);
    assert!(x.status.success());
    assert_eq!(x.stdout, y.stdout);
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    assert!(String::from_utf8_lossy(&x.stdout).contains("\"consumableResources\""));
    let plain = batchsim(&["run", &common::scenario_path("quickstart.json"), "--format", "json"]);
    assert!(!String::from_utf8_lossy(&plain.stdout).contains("consumableResources"));
}

/// Bad input exits 2 with the file, the JSON path and the reason; `validate` lists them all.
#[test]
fn bad_input_exits_2_with_the_json_path() {
    let dir = temp_dir("consumable-bad");
    let good = std::fs::read_to_string(data("shared-licences.json")).unwrap();
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "\"consumableResource\": \"licences\"",
            "\"consumableResource\": \"licence\"",
            &[
                "jobDefinitions[0].consumableResourceProperties.consumableResourceList[0].consumableResource",
                "unknown consumable resource `licence`; did you mean `licences`?",
            ],
        ),
        (
            "\"quantity\": 1",
            "\"quantity\": 3",
            &[
                "jobDefinitions[0].consumableResourceProperties.consumableResourceList[0].quantity",
                "never more than 2",
            ],
        ),
        (
            "\"quantity\": 1",
            "\"quantity\": 0",
            &["consumableResourceList[0].quantity", "must be 1 or more, found 0"],
        ),
        (
            "\"quantity\": 1",
            "\"quantity\": -1",
            &["consumableResourceList[0].quantity", "must be 1 or more, found -1"],
        ),
        (
            "\"totalQuantity\": 2,",
            "\"totalQuantity\": 2, \"resourceType\": \"CONSUMABLE\",",
            &[
                "consumableResources[0].resourceType",
                "\"CONSUMABLE\" is not one of REPLENISHABLE, NON_REPLENISHABLE",
            ],
        ),
        (
            "\"jobDefinition\": \"solver\"}",
            "\"jobDefinition\": \"solver\", \"consumableResourcePropertiesOverride\": {\"consumableResourceList\": [{\"consumableResource\": \"tokens\", \"quantity\": 1}]}}",
            &[
                "workload[0].submitJob.consumableResourcePropertiesOverride.consumableResourceList[0].consumableResource",
                "unknown consumable resource `tokens`",
            ],
        ),
    ];
    for (i, (from, to, expect)) in cases.iter().enumerate() {
        assert!(good.contains(from), "{from}");
        let path = dir.join(format!("bad-{i}.json"));
        std::fs::write(&path, good.replacen(from, to, 1)).unwrap();
        let p = path.display().to_string();
        for cmd in ["run", "validate"] {
            let o = batchsim(&[cmd, &p]);
            let err = String::from_utf8_lossy(&o.stderr).into_owned() + &String::from_utf8_lossy(&o.stdout);
            assert_eq!(o.status.code(), Some(2), "{cmd} {i}: {err}");
            assert!(err.contains(&format!("bad-{i}.json")), "{cmd} {i}: {err}");
            for e in *expect {
                assert!(err.contains(e), "{cmd} {i}: `{e}` not in {err}");
            }
        }
    }
    // An action on an undeclared resource, and a bad operation, both listed by validate.
    let mut doc: Value = serde_json::from_str(&good).unwrap();
    doc["actions"] = json!([
        {"at": 1, "updateConsumableResource": {"consumableResource": "licenses", "operation": "ADD", "quantity": 1}},
        {"at": 2, "updateConsumableResource": {"consumableResource": "licences", "operation": "DOUBLE", "quantity": 1}}
    ]);
    let path = dir.join("bad-actions.json");
    std::fs::write(&path, doc.to_string()).unwrap();
    let o = batchsim(&["validate", &path.display().to_string()]);
    let err = String::from_utf8_lossy(&o.stderr).into_owned() + &String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("actions[0].updateConsumableResource.consumableResource"),
        "{err}"
    );
    assert!(err.contains("did you mean `licences`?"), "{err}");
    assert!(err.contains("actions[1].updateConsumableResource.operation"), "{err}");
}

/// `batchsim import` writes what the engine runs: `AWS::Batch::ConsumableResource` in a
/// CloudFormation template (a job definition naming it with `Ref`) and
/// `describe-consumable-resource` output become `consumableResources`, and the imported
/// scenario, given a workload, holds its jobs to the resource's quantity.
#[test]
fn import_writes_consumable_resources_the_engine_runs() {
    let dir = temp_dir("consumable-import");
    let template = json!({"Resources": {
        "Licences": {"Type": "AWS::Batch::ConsumableResource", "Properties": {
            "ConsumableResourceName": "solver-licences", "TotalQuantity": 1, "ResourceType": "REPLENISHABLE"}},
        "Ce": {"Type": "AWS::Batch::ComputeEnvironment", "Properties": {
            "ComputeEnvironmentName": "ce", "Type": "MANAGED",
            "ComputeResources": {"Type": "FARGATE", "MaxvCpus": 8, "Subnets": ["subnet-1"]}}},
        "Queue": {"Type": "AWS::Batch::JobQueue", "Properties": {
            "JobQueueName": "q", "Priority": 1,
            "ComputeEnvironmentOrder": [{"Order": 1, "ComputeEnvironment": {"Ref": "Ce"}}]}},
        "Def": {"Type": "AWS::Batch::JobDefinition", "Properties": {
            "JobDefinitionName": "solver", "Type": "container", "PlatformCapabilities": ["FARGATE"],
            "ContainerProperties": {"Image": "i", "ResourceRequirements": [
                {"Type": "VCPU", "Value": "1"}, {"Type": "MEMORY", "Value": "2048"}]},
            "ConsumableResourceProperties": {"ConsumableResourceList": [
                {"ConsumableResource": {"Ref": "Licences"}, "Quantity": 1}]}}}
    }});
    let cfn = dir.join("stack.json");
    std::fs::write(&cfn, template.to_string()).unwrap();
    let describe = format!(
        "{}/scenarios/import/describe/consumable-resource.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let out = batchsim(&["import", &cfn.display().to_string(), &describe]);
    let notes = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{notes}");
    assert!(notes.contains("2 consumable resources"), "{notes}");
    assert!(!notes.contains("ignored"), "{notes}");
    let mut doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc["consumableResources"],
        json!([
            {"consumableResourceName": "solver-licences", "totalQuantity": 1, "resourceType": "REPLENISHABLE"},
            {"consumableResourceName": "db-connections", "totalQuantity": 40, "resourceType": "REPLENISHABLE", "tags": {}}
        ])
    );
    doc["computeEnvironments"][0]["simulation"] = json!({"startupSeconds": 0});
    doc["workload"] = json!([{"arrivals": {"process": "every", "seconds": 1}, "count": 3,
        "submitJob": {"jobName": "s", "jobQueue": "q", "jobDefinition": "solver"},
        "runtime": {"distribution": "fixed", "seconds": 50}}]);
    let (report, rows) = run_records(&doc);
    let starts: Vec<Option<f64>> = rows.iter().map(|r| secs(r.started_at)).collect();
    assert_eq!(
        starts,
        vec![Some(0.0), Some(50.0), Some(100.0)],
        "one licence: one at a time"
    );
    assert_eq!(report.consumable_resources["solver-licences"].peak_in_use, 1);
    assert_eq!(report.consumable_resources["db-connections"].acquisitions, 0);
}

/// A head waiting for a consumable resource has none of the API model's blocked-queue
/// reasons, so no `jobStateTimeLimitActions` entry (whose `reason` must be one of them)
/// cancels it: AWS's "until all the required resources become available or the job state
/// time limit is reached" has no reason to match here. With one licence held for 1000 s and
/// a 600 s CANCEL action on `MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT`, the second job
/// still runs at t=1000.
#[test]
fn no_state_time_limit_action_cancels_a_job_waiting_for_a_resource() {
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(data("licence-added.json")).unwrap()).unwrap();
    doc["actions"] = json!([]);
    doc["workload"][0]["count"] = json!(2);
    doc["workload"][0]["runtime"]["seconds"] = json!(1000);
    doc["jobQueues"][0]["jobStateTimeLimitActions"] = json!([{"reason": "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT",
        "state": "RUNNABLE", "maxTimeSeconds": 600, "action": "CANCEL"}]);
    let (report, rows) = run_records(&doc);
    assert_eq!(report.jobs.cancelled, 0);
    assert_eq!(secs(rows[1].started_at), Some(1000.0));
}

/// One NON_REPLENISHABLE token; job a takes it, exits 1 at 10 and is retried (attempts 2),
/// and the token is gone with its first attempt: the retry waits at its queue's head for
/// ever. Its status reason is the wait's, over the failed attempt's ("the job will wait in
/// `RUNNABLE` state until all the required resources become available"; README:
/// `Waiting for consumable resource <name>` for a head job short of one), and the report
/// counts it as still waiting. It kept `Essential container in task exited` and was not
/// counted (only never-dispatched jobs were): found by an independent implementation
/// (fifteenth session).
#[test]
fn a_retried_job_short_of_a_resource_says_so_and_is_counted_waiting() {
    let (report, jobs) = run_file("retried-job-short-of-tokens.json");
    assert_eq!(jobs[0].status, JobStatus::Runnable);
    assert_eq!(
        jobs[0].status_reason.as_deref(),
        Some("Waiting for consumable resource quota")
    );
    let quota = &report.consumable_resources["quota"];
    assert_eq!((quota.jobs_waited, quota.jobs_waiting), (1, 1));
    assert_eq!(quota.wait_seconds.count, 0, "no wait has ended");
}
