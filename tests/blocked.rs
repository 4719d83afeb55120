//! Blocked queues: the AWS reason of a head job no compute environment can run, and
//! jobStateTimeLimitActions cancelling heads left RUNNABLE too long (CONTRACT 6, 7.9).
//!
//! The reasons, as the API model (`JobDetail.statusReason`) gives them:
//! "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - All compute environments have insufficient
//! capacity to service the job." "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE - All
//! compute environments have a maxVcpu setting that is smaller than the job requirements."
//! "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT - All compute environments have no connected
//! instances that meet the job requirements."

mod common;

use batchsim::{JobStatus, Scenario, SimTime};
use serde_json::{json, Value};

const MAX_RESOURCE_TEXT: &str = "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE - All compute environments have a maxVcpu setting that is smaller than the job requirements.";
const JOB_RESOURCE_TEXT: &str = "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT - All compute environments have no connected instances that meet the job requirements.";

fn limits() -> Value {
    json!([
        {"reason": "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE", "state": "RUNNABLE", "maxTimeSeconds": 600, "action": "CANCEL"},
        {"reason": "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT", "state": "RUNNABLE", "maxTimeSeconds": 600, "action": "CANCEL"},
        {"reason": "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY", "state": "RUNNABLE", "maxTimeSeconds": 900, "action": "CANCEL"}
    ])
}

fn submit(at: f64, name: &str, def: &str, secs: f64) -> Value {
    json!({"at": at, "submitJob": {"jobName": name, "jobQueue": "q", "jobDefinition": def},
           "runtime": {"distribution": "fixed", "seconds": secs}})
}

fn run(workload: Vec<Value>, limits: Value) -> Vec<batchsim::JobRecord> {
    let mut q = common::queue("q", 1, &["ce"]);
    q["jobStateTimeLimitActions"] = limits;
    let v = json!({"computeEnvironments": [common::fargate_ce("ce", 4)], "jobQueues": [q],
                   "jobDefinitions": [common::fargate_def("small", "1", "2048"), common::fargate_def("four", "4", "8192"),
                                      common::fargate_def("huge", "8", "16384")],
                   "workload": workload});
    let (r, records) = common::run_records(&v);
    assert_eq!(
        r.jobs.submitted,
        r.jobs.succeeded + r.jobs.failed + r.jobs.cancelled + r.jobs.unfinished
    );
    records
}

#[test]
fn a_head_that_can_never_run_is_cancelled_and_the_queue_moves_on() {
    // `huge` (8 vCPU) can never fit the 4-vCPU compute environment (maxvCpus 4 < 8: the
    // MAX_RESOURCE reason): it blocks the FIFO queue from t=0 (it is head at once) until its
    // 600 s limit; `small` behind it starts then.
    let recs = run(
        vec![submit(0.0, "huge", "huge", 10.0), submit(1.0, "small", "small", 10.0)],
        limits(),
    );
    let huge = &recs[0];
    assert_eq!(huge.status, JobStatus::Failed);
    assert_eq!(
        huge.status_reason.as_deref(),
        Some("Canceled by JobStateTimeLimit action due to reason: MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE")
    );
    assert_eq!(huge.stopped_at, Some(SimTime::from_secs_f64(600.0).unwrap()));
    assert_eq!(huge.attempts, 0);
    assert_eq!(huge.started_at, None);
    let small = &recs[1];
    assert_eq!(small.started_at, Some(SimTime::from_secs_f64(600.0).unwrap()));
    assert_eq!(small.status, JobStatus::Succeeded);
}

#[test]
fn without_a_limit_the_blocked_head_shows_the_aws_reason_and_blocks_forever() {
    let v = vec![submit(0.0, "huge", "huge", 10.0), submit(1.0, "small", "small", 10.0)];
    let recs = run(v, json!([]));
    assert_eq!(recs[0].status, JobStatus::Runnable);
    assert_eq!(recs[0].status_reason.as_deref(), Some(MAX_RESOURCE_TEXT));
    assert_eq!(recs[1].status, JobStatus::Runnable, "head-of-line blocking");
    assert_eq!(recs[1].status_reason, None);
}

/// AWS Batch User Guide, *Jobs stuck in a RUNNABLE status*: "If AWS Batch detects that you
/// have a RUNNABLE job at the head and blocking the queue, [...] The same reason is also
/// updated into the statusReason field". A retried job back in RUNNABLE shows the reason
/// that blocks it, not its failed attempt's `Essential container in task exited`. (Found by
/// a differential test: the reason was written only over an empty one.)
#[test]
fn a_retried_job_that_blocks_its_queue_shows_the_blocked_reason() {
    // 4 vCPUs: `a` (4 vCPUs, two attempts) fails its first attempt at 100; at 50 maxvCpus
    // fell to 2, so its retry can never fit.
    let mut a = submit(0.0, "a", "four", 100.0);
    a["runtime"]["exitCode"] = json!(1);
    a["submitJob"]["retryStrategy"] = json!({"attempts": 2});
    let v = json!({"computeEnvironments": [common::fargate_ce("ce", 4)], "jobQueues": [common::queue("q", 1, &["ce"])],
                   "jobDefinitions": [common::fargate_def("four", "4", "8192")],
                   "workload": [a],
                   "actions": [{"at": 50, "updateComputeEnvironment": {"computeEnvironment": "ce",
                                                                         "computeResources": {"maxvCpus": 2}}}]});
    let (r, recs) = common::run_records(&v);
    assert_eq!(r.jobs.unfinished, 1);
    assert_eq!((recs[0].status, recs[0].attempts), (JobStatus::Runnable, 1));
    assert_eq!(recs[0].status_reason.as_deref(), Some(MAX_RESOURCE_TEXT));
}

#[test]
fn the_clock_starts_when_the_job_becomes_head_and_waiting_behind_running_jobs_is_no_reason() {
    // CONTRACT 7.9 / issue 11 item 2: "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - All compute
    // environments have insufficient capacity to service the job" means EC2 could not supply
    // instances; a job that waits its turn behind running jobs is not stuck.
    // `four` holds the whole CE from 0 to 10000. `huge` (t=1) is head at once and is
    // cancelled at 601 (MAX_RESOURCE, 600 s). `second` (t=2, fits, waits for `busy`) becomes
    // head at 601: it has no reason, so the 900 s INSUFFICIENT_INSTANCE_CAPACITY action never
    // fires (before: cancelled at 1501). It runs 10000..10010, `third` 10010..10020.
    let recs = run(
        vec![
            submit(0.0, "busy", "four", 10_000.0),
            submit(1.0, "huge", "huge", 10.0),
            submit(2.0, "second", "four", 10.0),
            submit(3.0, "third", "small", 10.0),
        ],
        limits(),
    );
    assert_eq!(recs[0].status, JobStatus::Succeeded);
    assert_eq!(recs[1].stopped_at, SimTime::from_secs_f64(601.0));
    assert_eq!(recs[2].status, JobStatus::Succeeded);
    assert_eq!(
        recs[2].status_reason.as_deref(),
        Some("Essential container in task exited")
    );
    assert_eq!(recs[2].started_at, SimTime::from_secs_f64(10_000.0));
    assert_eq!(recs[3].started_at, SimTime::from_secs_f64(10_010.0));
    assert_eq!(recs[3].status, JobStatus::Succeeded);
}

fn ec2_ce(name: &str, max: u32, types: &[&str]) -> Value {
    json!({"computeEnvironmentName": name, "type": "MANAGED",
           "computeResources": {"type": "EC2", "minvCpus": 0, "maxvCpus": max, "instanceTypes": types,
                                "allocationStrategy": "BEST_FIT", "subnets": ["s"], "instanceRole": "r"},
           "simulation": {"instanceLaunchSeconds": 0, "startupSeconds": 0}})
}

fn ec2_def(name: &str, vcpus: &str, memory: &str) -> Value {
    json!({"jobDefinitionName": name, "type": "container", "platformCapabilities": ["EC2"],
           "containerProperties": {"resourceRequirements": [
               {"type": "VCPU", "value": vcpus}, {"type": "MEMORY", "value": memory}]}})
}

/// One job of `vcpus`/`memory` alone on a queue over `ces`; its record.
fn ec2_blocked(ces: Vec<Value>, vcpus: &str, memory: &str) -> batchsim::JobRecord {
    let names: Vec<String> = ces
        .iter()
        .map(|c| c["computeEnvironmentName"].as_str().unwrap_or("").to_string())
        .collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut q = common::queue("q", 1, &refs);
    q["jobStateTimeLimitActions"] = limits();
    let v = json!({"computeEnvironments": ces, "jobQueues": [q],
                   "jobDefinitions": [ec2_def("d", vcpus, memory)],
                   "workload": [submit(0.0, "j", "d", 10.0)], "until": 100});
    let (_, records) = common::run_records(&v);
    records.into_iter().next().unwrap()
}

#[test]
fn ec2_reasons_say_whether_max_vcpus_or_the_instance_types_are_the_problem() {
    // m5.large: 2 vCPU, 8192 MiB; m5: the m5 family, 2 to 96 vCPU.
    // 3 vCPU on an m5 CE with maxvCpus 2: 2 < 3, MAX_RESOURCE ("All compute environments
    // have a maxVcpu setting that is smaller than the job requirements").
    let r = ec2_blocked(vec![ec2_ce("a", 2, &["m5"])], "3", "2048");
    assert_eq!(r.status_reason.as_deref(), Some(MAX_RESOURCE_TEXT));
    // 3 vCPU with maxvCpus 3 under BEST_FIT: the smallest m5 holding it (m5.xlarge, 4 vCPU)
    // would pass maxvCpus: still the maxvCpus setting is the problem.
    let r = ec2_blocked(vec![ec2_ce("a", 3, &["m5"])], "3", "2048");
    assert_eq!(r.status_reason.as_deref(), Some(MAX_RESOURCE_TEXT));
    // 1 vCPU + 16384 MiB on m5.large only, maxvCpus 100: no type holds it
    // (JOB_RESOURCE_REQUIREMENT: "no connected instances that meet the job requirements").
    let r = ec2_blocked(vec![ec2_ce("a", 100, &["m5.large"])], "1", "16384");
    assert_eq!(r.status_reason.as_deref(), Some(JOB_RESOURCE_TEXT));
    // Two CEs: `a` too small by maxvCpus, `b` has no type for 4 vCPU: not every CE is a
    // maxvCpus problem, so JOB_RESOURCE_REQUIREMENT.
    let r = ec2_blocked(
        vec![ec2_ce("a", 2, &["m5"]), ec2_ce("b", 100, &["m5.large"])],
        "4",
        "4096",
    );
    assert_eq!(r.status_reason.as_deref(), Some(JOB_RESOURCE_TEXT));
    // Both limits are 600 s and `until` is 100: not cancelled yet, still RUNNABLE.
    assert_eq!(r.status, JobStatus::Runnable);
}

#[test]
fn limits_are_validated() {
    let mut q = common::queue("q", 1, &["ce"]);
    q["jobStateTimeLimitActions"] = json!([{"reason": "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY", "state": "RUNNABLE", "maxTimeSeconds": 599, "action": "CANCEL"}]);
    let v = json!({"computeEnvironments": [common::fargate_ce("ce", 4)], "jobQueues": [q]});
    let e = Scenario::from_value(&v, "bad.json").unwrap_err().to_string();
    assert!(
        e.contains("jobQueues[0].jobStateTimeLimitActions[0].maxTimeSeconds: must be from 600 to 86400, found 599"),
        "{e}"
    );
}
