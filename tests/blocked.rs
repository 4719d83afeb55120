//! Blocked queues: the AWS reason of a head job no compute environment can run, and
//! jobStateTimeLimitActions cancelling heads left RUNNABLE too long (CONTRACT 6, 7.9).

mod common;

use batchsim::{JobStatus, Scenario, SimTime};
use serde_json::{json, Value};

fn limits() -> Value {
    json!([
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
    // `huge` (8 vCPU) can never fit the 4-vCPU compute environment: it blocks the FIFO queue
    // from t=0 (it is head at once) until its 600 s limit; `small` behind it starts then.
    let recs = run(
        vec![submit(0.0, "huge", "huge", 10.0), submit(1.0, "small", "small", 10.0)],
        limits(),
    );
    let huge = &recs[0];
    assert_eq!(huge.status, JobStatus::Failed);
    assert_eq!(
        huge.status_reason.as_deref(),
        Some("Canceled by JobStateTimeLimit action due to reason: MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT")
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
    assert_eq!(
        recs[0].status_reason.as_deref(),
        Some("MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT - The job resource requirement (vCPU/memory/GPU) is higher than that can be met by the CE(s) attached to the job queue.")
    );
    assert_eq!(recs[1].status, JobStatus::Runnable, "head-of-line blocking");
    assert_eq!(recs[1].status_reason, None);
}

#[test]
fn the_clock_starts_when_the_job_becomes_head() {
    // `four` holds the whole CE from 0 to 10000. `huge` (t=1) is head at once and is
    // cancelled at 601; `second` (t=2, fits but no capacity) becomes head at 601 and is
    // cancelled 900 s later, at 1501 -- not 902.
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
    assert_eq!(recs[2].stopped_at, SimTime::from_secs_f64(1501.0));
    assert_eq!(
        recs[2].status_reason.as_deref(),
        Some("Canceled by JobStateTimeLimit action due to reason: CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY")
    );
    // `third` becomes head at 1501 and is cancelled at 2401.
    assert_eq!(recs[3].stopped_at, SimTime::from_secs_f64(2401.0));
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
