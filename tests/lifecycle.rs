//! The job lifecycle, job by job (issue 5): arrays, dependencies, cancel/terminate, retries,
//! timeouts, timed actions, submission overrides, `until`, and the validation of all of these.
//!
//! Every scenario is deterministic (fixed runtimes, `startupSeconds: 0` unless startup is what
//! is tested) and every expected value is derived by hand from CONTRACT.md in the comments
//! next to it; none was copied from the program's output.

mod common;

use batchsim::{JobRecord, Options, Report, Scenario, SimTime, Simulation};
use serde_json::{json, Value};

const EXITED: &str = "Essential container in task exited";
const TIMEOUT: &str = "Job attempt duration exceeded timeout";

// ---------------------------------------------------------------------------------------------
// Builders and checks
// ---------------------------------------------------------------------------------------------

/// One FARGATE compute environment `ce` of `max` vCPUs (zero startup), one FIFO queue `q` on
/// it, job definitions `d1` (1 vCPU), `d2` (2 vCPUs) and `d4` (4 vCPUs); no workload yet.
fn base(max: u32) -> Value {
    json!({
        "computeEnvironments": [common::fargate_ce("ce", max)],
        "jobQueues": [common::queue("q", 1, &["ce"])],
        "jobDefinitions": [
            common::fargate_def("d1", "1", "2048"),
            common::fargate_def("d2", "2", "4096"),
            common::fargate_def("d4", "4", "8192"),
        ],
        "workload": [],
        "actions": [],
    })
}

/// A single submission of `name` to queue `q` at `at`, running `secs` seconds with exit code 0.
fn job(at: f64, name: &str, def: &str, secs: f64) -> Value {
    json!({"at": at, "submitJob": {"jobName": name, "jobQueue": "q", "jobDefinition": def},
           "runtime": {"distribution": "fixed", "seconds": secs}})
}

/// `job` with `extra` merged into its `submitJob`.
fn job_with(at: f64, name: &str, def: &str, secs: f64, extra: Value) -> Value {
    let mut j = job(at, name, def, secs);
    for (k, v) in extra.as_object().expect("extra is an object") {
        j["submitJob"][k] = v.clone();
    }
    j
}

/// `job` whose every attempt exits with `code`.
fn failing(at: f64, name: &str, def: &str, secs: f64, code: i32) -> Value {
    let mut j = job(at, name, def, secs);
    j["runtime"]["exitCode"] = json!(code);
    j
}

fn push(s: &mut Value, key: &str, item: Value) {
    s[key].as_array_mut().expect("array").push(item);
}

fn load(s: &Value) -> Scenario {
    Scenario::from_value(s, "lifecycle.json").unwrap_or_else(|e| panic!("invalid test scenario: {e}\n{s:#}"))
}

/// Runs with per-job records and checks the accounting identities every run must keep.
fn run(s: &Value) -> (Report, Vec<JobRecord>) {
    let sim = Simulation::new(
        &load(s),
        Options {
            record_jobs: true,
            ..Options::default()
        },
    )
    .unwrap_or_else(|e| panic!("cannot run: {e}"));
    let (report, records) = sim.run_with_records();
    let j = &report.jobs;
    assert_eq!(
        j.submitted,
        j.succeeded + j.failed + j.cancelled + j.unfinished,
        "submitted = succeeded + failed + cancelled + unfinished: {j:?}"
    );
    assert_eq!(records.len() as u64, j.submitted, "one record per schedulable job");
    (report, records)
}

/// The lifecycle facts of one job that these tests pin.
#[derive(Debug, PartialEq)]
struct Row {
    status: String,
    reason: Option<String>,
    attempts: u32,
    started: Option<f64>,
    stopped: Option<f64>,
    ce: Option<String>,
}

fn row(
    status: &str,
    reason: Option<&str>,
    attempts: u32,
    started: Option<f64>,
    stopped: Option<f64>,
    ce: Option<&str>,
) -> Row {
    Row {
        status: status.into(),
        reason: reason.map(Into::into),
        attempts,
        started,
        stopped,
        ce: ce.map(Into::into),
    }
}

/// A job that ran once on `ce` from `start` to `stop` and exited 0.
fn ok(start: f64, stop: f64, ce: &str) -> Row {
    row("SUCCEEDED", Some(EXITED), 1, Some(start), Some(stop), Some(ce))
}

/// A job that ended FAILED at `stop` without ever being dispatched (failed dependency).
fn dep_failed(dep: &str, stop: f64) -> Row {
    let reason = format!("Dependent job {dep} failed");
    row("FAILED", Some(&reason), 0, None, Some(stop), None)
}

/// A queued job cancelled at `stop` with `reason`.
fn cancelled(reason: &str, stop: f64) -> Row {
    row("FAILED", Some(reason), 0, None, Some(stop), None)
}

fn secs(t: Option<SimTime>) -> Option<f64> {
    t.map(SimTime::as_secs_f64)
}

fn record<'a>(records: &'a [JobRecord], id: &str) -> &'a JobRecord {
    records
        .iter()
        .find(|r| r.job_id.to_string() == id)
        .unwrap_or_else(|| panic!("no job {id} in {:?}", ids(records)))
}

fn get(records: &[JobRecord], id: &str) -> Row {
    let r = record(records, id);
    Row {
        status: r.status.as_str().into(),
        reason: r.status_reason.as_deref().map(str::to_owned),
        attempts: r.attempts,
        started: secs(r.started_at),
        stopped: secs(r.stopped_at),
        ce: r.compute_environment.as_deref().map(str::to_owned),
    }
}

fn ids(records: &[JobRecord]) -> Vec<String> {
    records.iter().map(|r| r.job_id.to_string()).collect()
}

/// (submitted, succeeded, failed, cancelled, unfinished)
fn counts(r: &Report) -> (u64, u64, u64, u64, u64) {
    let j = &r.jobs;
    (j.submitted, j.succeeded, j.failed, j.cancelled, j.unfinished)
}

// ---------------------------------------------------------------------------------------------
// Array jobs
// ---------------------------------------------------------------------------------------------

#[test]
fn array_children_are_the_counted_jobs_and_dependents_wait_for_the_whole_array() {
    // 2 vCPUs, array of 4 one-vCPU children of 100 s: children 0 and 1 run [0, 100], children
    // 2 and 3 run [100, 200] (FIFO by index). `after` depends on the whole array: RUNNABLE when
    // the last child ends at 200, then runs [200, 250].
    let mut s = base(2);
    push(
        &mut s,
        "workload",
        job_with(0.0, "arr", "d1", 100.0, json!({"arrayProperties": {"size": 4}})),
    );
    push(
        &mut s,
        "workload",
        job_with(0.0, "after", "d1", 50.0, json!({"dependsOn": [{"jobId": "arr"}]})),
    );
    let (report, records) = run(&s);
    // Ids: the array is submission 1 (children 1:0..1:3, no row for the parent), `after` is 2.
    assert_eq!(ids(&records), ["1:0", "1:1", "1:2", "1:3", "2"]);
    assert_eq!(get(&records, "1:0"), ok(0.0, 100.0, "ce"));
    assert_eq!(get(&records, "1:1"), ok(0.0, 100.0, "ce"));
    assert_eq!(get(&records, "1:2"), ok(100.0, 200.0, "ce"));
    assert_eq!(get(&records, "1:3"), ok(100.0, 200.0, "ce"));
    assert_eq!(get(&records, "2"), ok(200.0, 250.0, "ce"));
    assert_eq!(&*record(&records, "1:2").job_name, "arr");
    assert_eq!(secs(record(&records, "2").runnable_at), Some(200.0));
    // Five schedulable jobs (4 children + 1), the parent not counted.
    assert_eq!(counts(&report), (5, 5, 0, 0, 0));
    assert_eq!(report.compute_environments["ce"].jobs_started, 5);
    // 4 x 100 + 50 vCPU-seconds.
    assert_eq!(report.compute_environments["ce"].vcpu_seconds_used, 450.0);
    assert_eq!(report.end_seconds, 250.0);
}

#[test]
fn a_failed_child_fails_the_parent_for_dependents_of_the_whole_array() {
    // As above, but child 1 is terminated at 50 (FAILED, counted failed). Its vCPU frees at 50,
    // so child 2 runs [50, 150]; child 0 ends at 100 and child 3 runs [100, 200]. The parent
    // ends when its last child does (200), FAILED because child 1 failed, so `after` ends
    // FAILED at 200 without starting, naming the parent (job 1).
    let mut s = base(2);
    push(
        &mut s,
        "workload",
        job_with(0.0, "arr", "d1", 100.0, json!({"arrayProperties": {"size": 4}})),
    );
    push(
        &mut s,
        "workload",
        job_with(0.0, "after", "d1", 50.0, json!({"dependsOn": [{"jobId": "arr"}]})),
    );
    push(
        &mut s,
        "actions",
        json!({"at": 50, "terminateJob": {"jobId": "arr:1", "reason": "stop child"}}),
    );
    let (report, records) = run(&s);
    assert_eq!(get(&records, "1:0"), ok(0.0, 100.0, "ce"));
    assert_eq!(
        get(&records, "1:1"),
        row("FAILED", Some("stop child"), 1, Some(0.0), Some(50.0), Some("ce"))
    );
    assert_eq!(get(&records, "1:2"), ok(50.0, 150.0, "ce"));
    assert_eq!(get(&records, "1:3"), ok(100.0, 200.0, "ce"));
    assert_eq!(get(&records, "2"), dep_failed("1", 200.0));
    // succeeded: 1:0, 1:2, 1:3; failed: 1:1 (terminated while running) and `after`.
    assert_eq!(counts(&report), (5, 3, 2, 0, 0));
}

#[test]
fn dependencies_on_an_array_that_already_ended() {
    // `good` (job 1, 2 x 100 s) succeeds at 100; `bad` (job 2, 2 x 100 s exiting 1) fails at
    // 100. 8 vCPUs. Submitted at 300:
    //  3 `g` after `good`: met, RUNNABLE at once, [300,310].
    //  4 `gn` (2 x 10 s) N_TO_N on `good`: both children [300,310].
    //  5 `b` after `bad`: FAILED at 300 without starting, naming the array (job 2).
    //  6 `b1` after `bad:1`: FAILED at 300, naming the child 2:1.
    let mut s = base(8);
    push(
        &mut s,
        "workload",
        job_with(0.0, "good", "d1", 100.0, json!({"arrayProperties": {"size": 2}})),
    );
    let mut bad = failing(0.0, "bad", "d1", 100.0, 1);
    bad["submitJob"]["arrayProperties"] = json!({"size": 2});
    push(&mut s, "workload", bad);
    push(
        &mut s,
        "workload",
        job_with(300.0, "g", "d1", 10.0, json!({"dependsOn": [{"jobId": "good"}]})),
    );
    push(
        &mut s,
        "workload",
        job_with(
            300.0,
            "gn",
            "d1",
            10.0,
            json!({"arrayProperties": {"size": 2}, "dependsOn": [{"jobId": "good", "type": "N_TO_N"}]}),
        ),
    );
    push(
        &mut s,
        "workload",
        job_with(300.0, "b", "d1", 10.0, json!({"dependsOn": [{"jobId": "bad"}]})),
    );
    push(
        &mut s,
        "workload",
        job_with(300.0, "b1", "d1", 10.0, json!({"dependsOn": [{"jobId": "bad:1"}]})),
    );
    let (report, records) = run(&s);
    assert_eq!(get(&records, "3"), ok(300.0, 310.0, "ce"));
    assert_eq!(get(&records, "4:0"), ok(300.0, 310.0, "ce"));
    assert_eq!(get(&records, "4:1"), ok(300.0, 310.0, "ce"));
    assert_eq!(get(&records, "5"), dep_failed("2", 300.0));
    assert_eq!(get(&records, "6"), dep_failed("2:1", 300.0));
    // 2 + 2 + 1 + 2 + 1 + 1 jobs; failed: 2:0, 2:1, 5, 6.
    assert_eq!(counts(&report), (9, 5, 4, 0, 0));
}

#[test]
fn sequential_arrays_run_one_child_at_a_time_and_a_failed_child_fails_the_rest() {
    // 4 vCPUs, three SEQUENTIAL arrays of one-vCPU children submitted at 0 (at most one child
    // of each runs at a time, so capacity never binds):
    //  - `seq` (job 1), 3 x 100 s: children run [0,100], [100,200], [200,300].
    //  - `seqterm` (job 2), 4 x 100 s, child 1 terminated at 150: 2:0 [0,100] succeeds, 2:1
    //    runs [100,150] and fails; 2:2 then fails at 150 without starting because the child it
    //    waits for (2:1) failed, and 2:3 likewise because of 2:2.
    //  - `seqexit` (job 3), 3 x 60 s exiting 3 (one attempt): 3:0 fails at 60, 3:1 and 3:2 fail
    //    at 60 without starting.
    let mut s = base(4);
    let seq = |size: u32| json!({"arrayProperties": {"size": size}, "dependsOn": [{"type": "SEQUENTIAL"}]});
    push(&mut s, "workload", job_with(0.0, "seq", "d1", 100.0, seq(3)));
    push(&mut s, "workload", job_with(0.0, "seqterm", "d1", 100.0, seq(4)));
    let mut e = failing(0.0, "seqexit", "d1", 60.0, 3);
    e["submitJob"]["arrayProperties"] = json!({"size": 3});
    e["submitJob"]["dependsOn"] = json!([{"type": "SEQUENTIAL"}]);
    push(&mut s, "workload", e);
    push(
        &mut s,
        "actions",
        json!({"at": 150, "terminateJob": {"jobId": "seqterm:1", "reason": "bad input"}}),
    );
    let (report, records) = run(&s);
    assert_eq!(get(&records, "1:0"), ok(0.0, 100.0, "ce"));
    assert_eq!(get(&records, "1:1"), ok(100.0, 200.0, "ce"));
    assert_eq!(get(&records, "1:2"), ok(200.0, 300.0, "ce"));
    // A later child becomes RUNNABLE when its predecessor ends.
    assert_eq!(secs(record(&records, "1:1").runnable_at), Some(100.0));
    assert_eq!(secs(record(&records, "1:2").runnable_at), Some(200.0));

    assert_eq!(get(&records, "2:0"), ok(0.0, 100.0, "ce"));
    assert_eq!(
        get(&records, "2:1"),
        row("FAILED", Some("bad input"), 1, Some(100.0), Some(150.0), Some("ce"))
    );
    assert_eq!(get(&records, "2:2"), dep_failed("2:1", 150.0));
    assert_eq!(get(&records, "2:3"), dep_failed("2:2", 150.0));

    assert_eq!(
        get(&records, "3:0"),
        row("FAILED", Some(EXITED), 1, Some(0.0), Some(60.0), Some("ce"))
    );
    assert_eq!(get(&records, "3:1"), dep_failed("3:0", 60.0));
    assert_eq!(get(&records, "3:2"), dep_failed("3:1", 60.0));
    // 10 children: succeeded 1:0..1:2 and 2:0; failed the other six.
    assert_eq!(counts(&report), (10, 4, 6, 0, 0));
    // Attempts: 3 + 2 + 1.
    assert_eq!(report.compute_environments["ce"].jobs_started, 6);
}

#[test]
fn n_to_n_children_wait_for_their_partner_and_an_untyped_dependency_for_the_whole_array() {
    // Queue `q` on `ce` (2 vCPUs) runs array `a` (job 1, 3 x 100 s): a:0, a:1 [0,100], a:2
    // [100,200]. Queue `q2` on `ce2` (8 vCPUs, never full) runs the dependents:
    //  - `b` (job 2, 3 x 10 s) N_TO_N on `a`: b:i starts when a:i ends: b:0, b:1 [100,110],
    //    b:2 [200,210];
    //  - `whole` (job 3, 10 s) depends on `a` without a type: the whole array, [200,210];
    //  - `one` (job 4, 10 s) depends on `a:0` only: [100,110].
    let mut s = base(2);
    s["computeEnvironments"]
        .as_array_mut()
        .unwrap()
        .push(common::fargate_ce("ce2", 8));
    s["jobQueues"]
        .as_array_mut()
        .unwrap()
        .push(common::queue("q2", 1, &["ce2"]));
    push(
        &mut s,
        "workload",
        job_with(0.0, "a", "d1", 100.0, json!({"arrayProperties": {"size": 3}})),
    );
    push(
        &mut s,
        "workload",
        job_with(
            0.0,
            "b",
            "d1",
            10.0,
            json!({"jobQueue": "q2", "arrayProperties": {"size": 3}, "dependsOn": [{"jobId": "a", "type": "N_TO_N"}]}),
        ),
    );
    push(
        &mut s,
        "workload",
        job_with(
            0.0,
            "whole",
            "d1",
            10.0,
            json!({"jobQueue": "q2", "dependsOn": [{"jobId": "a"}]}),
        ),
    );
    push(
        &mut s,
        "workload",
        job_with(
            0.0,
            "one",
            "d1",
            10.0,
            json!({"jobQueue": "q2", "dependsOn": [{"jobId": "a:0"}]}),
        ),
    );
    let (report, records) = run(&s);
    assert_eq!(get(&records, "1:0"), ok(0.0, 100.0, "ce"));
    assert_eq!(get(&records, "1:1"), ok(0.0, 100.0, "ce"));
    assert_eq!(get(&records, "1:2"), ok(100.0, 200.0, "ce"));
    assert_eq!(get(&records, "2:0"), ok(100.0, 110.0, "ce2"));
    assert_eq!(get(&records, "2:1"), ok(100.0, 110.0, "ce2"));
    assert_eq!(get(&records, "2:2"), ok(200.0, 210.0, "ce2"));
    assert_eq!(get(&records, "3"), ok(200.0, 210.0, "ce2"));
    assert_eq!(get(&records, "4"), ok(100.0, 110.0, "ce2"));
    assert_eq!(counts(&report), (8, 8, 0, 0, 0));
}

#[test]
fn an_n_to_n_child_fails_only_with_its_partner() {
    // `a` (job 1, 2 x 100 s) on 2 vCPUs: both children [0,100]; a:1 is terminated at 50.
    // `b` (job 2, N_TO_N): b:0 runs [100,110]; b:1 fails at 50 naming a:1.
    let mut s = base(4);
    push(
        &mut s,
        "workload",
        job_with(0.0, "a", "d1", 100.0, json!({"arrayProperties": {"size": 2}})),
    );
    push(
        &mut s,
        "workload",
        job_with(
            0.0,
            "b",
            "d1",
            10.0,
            json!({"arrayProperties": {"size": 2}, "dependsOn": [{"jobId": "a", "type": "N_TO_N"}]}),
        ),
    );
    push(
        &mut s,
        "actions",
        json!({"at": 50, "terminateJob": {"jobId": "a:1", "reason": "x"}}),
    );
    let (report, records) = run(&s);
    assert_eq!(get(&records, "2:0"), ok(100.0, 110.0, "ce"));
    assert_eq!(get(&records, "2:1"), dep_failed("1:1", 50.0));
    assert_eq!(counts(&report), (4, 2, 2, 0, 0));
}

#[test]
fn a_sequential_n_to_n_array_submitted_after_a_partner_failed_fails_its_later_children() {
    // 1 vCPU. `a` (job 1, 3 x 10 s): a:0 [0,10]; a:1 is cancelled at 5 while RUNNABLE; a:2
    // [10,20]. `b` (job 2, 3 x 10 s) at 100 is SEQUENTIAL and N_TO_N on `a`:
    //  - b:0 (partner a:0 succeeded) runs [100,110];
    //  - b:1 (partner a:1 failed) ends FAILED at 100 without starting;
    //  - b:2 (partner a:2 succeeded) waits for b:1, which failed: FAILED at 100 too. It must not
    //    stay PENDING for ever although b:1 failed while `b` was still being submitted.
    let mut s = base(1);
    push(
        &mut s,
        "workload",
        job_with(0.0, "a", "d1", 10.0, json!({"arrayProperties": {"size": 3}})),
    );
    push(
        &mut s,
        "workload",
        job_with(
            100.0,
            "b",
            "d1",
            10.0,
            json!({"arrayProperties": {"size": 3},
                   "dependsOn": [{"type": "SEQUENTIAL"}, {"jobId": "a", "type": "N_TO_N"}]}),
        ),
    );
    push(
        &mut s,
        "actions",
        json!({"at": 5, "cancelJob": {"jobId": "a:1", "reason": "no"}}),
    );
    let (report, records) = run(&s);
    assert_eq!(get(&records, "1:0"), ok(0.0, 10.0, "ce"));
    assert_eq!(get(&records, "1:1"), cancelled("no", 5.0));
    assert_eq!(get(&records, "1:2"), ok(10.0, 20.0, "ce"));
    assert_eq!(get(&records, "2:0"), ok(100.0, 110.0, "ce"));
    assert_eq!(get(&records, "2:1"), dep_failed("1:1", 100.0));
    assert_eq!(get(&records, "2:2"), dep_failed("2:1", 100.0));
    assert_eq!(counts(&report), (6, 3, 2, 1, 0));
}

// ---------------------------------------------------------------------------------------------
// Plain dependencies
// ---------------------------------------------------------------------------------------------

#[test]
fn dependencies_by_name_hold_jobs_pending_and_failures_cascade() {
    // 4 vCPUs, never full. Ids in submission order (time, then entry):
    //  1 `first`  @0, 100 s               -> [0,100]
    //  2 `bad`    @0, 30 s, exit 1        -> [0,30] FAILED
    //  3 `second` @10 after `first`, 50 s -> PENDING until 100, then [100,150]
    //  4 `child`  @10 after `bad`         -> FAILED at 30 without starting ("Dependent job 2 failed")
    //  5 `grand`  @10 after `child`       -> FAILED at 30 too ("Dependent job 4 failed")
    //  6 `lateok` @200 after `first` (succeeded at 100): RUNNABLE at once, [200,210]
    //  7 `latebad`@200 after `bad` (failed at 30): FAILED at 200, never started
    let mut s = base(4);
    push(&mut s, "workload", job(0.0, "first", "d1", 100.0));
    push(&mut s, "workload", failing(0.0, "bad", "d1", 30.0, 1));
    push(
        &mut s,
        "workload",
        job_with(10.0, "second", "d1", 50.0, json!({"dependsOn": [{"jobId": "first"}]})),
    );
    push(
        &mut s,
        "workload",
        job_with(10.0, "child", "d1", 50.0, json!({"dependsOn": [{"jobId": "bad"}]})),
    );
    push(
        &mut s,
        "workload",
        job_with(10.0, "grand", "d1", 50.0, json!({"dependsOn": [{"jobId": "child"}]})),
    );
    push(
        &mut s,
        "workload",
        job_with(200.0, "lateok", "d1", 10.0, json!({"dependsOn": [{"jobId": "first"}]})),
    );
    push(
        &mut s,
        "workload",
        job_with(200.0, "latebad", "d1", 10.0, json!({"dependsOn": [{"jobId": "bad"}]})),
    );

    // While `first` runs, `second` is PENDING (not RUNNABLE, no runnableAt).
    let mut sim = Simulation::new(
        &load(&s),
        Options {
            record_jobs: true,
            ..Options::default()
        },
    )
    .unwrap();
    sim.run_until(SimTime::from_secs_f64(50.0).unwrap());
    let live = sim.job_records();
    assert_eq!(record(&live, "3").status.as_str(), "PENDING");
    assert_eq!(record(&live, "3").runnable_at, None);
    assert_eq!(record(&live, "1").status.as_str(), "RUNNING");

    let (report, records) = run(&s);
    assert_eq!(get(&records, "1"), ok(0.0, 100.0, "ce"));
    assert_eq!(
        get(&records, "2"),
        row("FAILED", Some(EXITED), 1, Some(0.0), Some(30.0), Some("ce"))
    );
    assert_eq!(get(&records, "3"), ok(100.0, 150.0, "ce"));
    assert_eq!(secs(record(&records, "3").runnable_at), Some(100.0));
    assert_eq!(get(&records, "4"), dep_failed("2", 30.0));
    assert_eq!(get(&records, "5"), dep_failed("4", 30.0));
    assert_eq!(get(&records, "6"), ok(200.0, 210.0, "ce"));
    assert_eq!(get(&records, "7"), dep_failed("2", 200.0));
    // Jobs that never ran have no wait sample: 4 dispatched jobs (1, 2, 3, 6).
    assert_eq!(report.wait_seconds.stats.count, 4);
    // Dependents of failed jobs count as failed, not cancelled.
    assert_eq!(counts(&report), (7, 3, 4, 0, 0));
    assert_eq!(report.queues["q"].failed, 4);
}

#[test]
fn a_dependency_names_the_latest_earlier_submission_of_that_name() {
    // Two submissions named `x`: job 1 @0 (100 s) and job 2 @10 (300 s). `y` @20 depends on
    // `x`, which means job 2: it starts when job 2 ends at 310. 4 vCPUs.
    let mut s = base(4);
    push(&mut s, "workload", job(0.0, "x", "d1", 100.0));
    push(&mut s, "workload", job(10.0, "x", "d1", 300.0));
    push(
        &mut s,
        "workload",
        job_with(20.0, "y", "d1", 10.0, json!({"dependsOn": [{"jobId": "x"}]})),
    );
    let (_, records) = run(&s);
    assert_eq!(get(&records, "2"), ok(10.0, 310.0, "ce"));
    assert_eq!(get(&records, "3"), ok(310.0, 320.0, "ce"));
}

// ---------------------------------------------------------------------------------------------
// cancelJob / terminateJob
// ---------------------------------------------------------------------------------------------

#[test]
fn cancel_ends_queued_jobs_at_once_pending_ones_when_their_dependencies_complete() {
    // 1 vCPU. Ids: 1 `run` (100 s) runs [0,100]; 2 `queued` RUNNABLE behind it; 3 `dep` PENDING
    // on `queued`; 4 `pend` PENDING on `run`.
    //  - cancel `queued` at 20: FAILED, cancelled, stoppedAt 20, the given reason; its dependent
    //    `dep` ends FAILED at 20 and counts as failed ("Dependent job 2 failed").
    //  - cancel `run` at 30: RUNNING, nothing happens; it succeeds at 100.
    //  - cancel `pend` at 40: PENDING. AWS CancelJob: "A PENDING job is cancelled after all
    //    dependency jobs are completed": cancelled at 100, when `run` completes (before: 40).
    let mut s = base(1);
    push(&mut s, "workload", job(0.0, "run", "d1", 100.0));
    push(&mut s, "workload", job(0.0, "queued", "d1", 10.0));
    push(
        &mut s,
        "workload",
        job_with(0.0, "dep", "d1", 10.0, json!({"dependsOn": [{"jobId": "queued"}]})),
    );
    push(
        &mut s,
        "workload",
        job_with(0.0, "pend", "d1", 10.0, json!({"dependsOn": [{"jobId": "run"}]})),
    );
    push(
        &mut s,
        "actions",
        json!({"at": 20, "cancelJob": {"jobId": "queued", "reason": "not needed"}}),
    );
    push(
        &mut s,
        "actions",
        json!({"at": 30, "cancelJob": {"jobId": "run", "reason": "too late"}}),
    );
    push(
        &mut s,
        "actions",
        json!({"at": 40, "cancelJob": {"jobId": "pend", "reason": "drop"}}),
    );
    let (report, records) = run(&s);
    assert_eq!(get(&records, "1"), ok(0.0, 100.0, "ce"));
    assert_eq!(get(&records, "2"), cancelled("not needed", 20.0));
    assert_eq!(get(&records, "3"), dep_failed("2", 20.0));
    assert_eq!(get(&records, "4"), cancelled("drop", 100.0));
    assert_eq!(counts(&report), (4, 1, 1, 2, 0));
    assert_eq!(report.queues["q"].cancelled, 2);
    // The queued job was RUNNABLE but never dispatched: no wait sample.
    assert_eq!(report.wait_seconds.stats.count, 1);
    // Turnaround covers every terminal job: 100 (run), 20 (queued), 20 (dep), 100 (pend).
    assert_eq!(report.turnaround_seconds.count, 4);
    assert_eq!(report.turnaround_seconds.max, Some(100.0));
    assert_eq!(report.end_seconds, 100.0);
}

#[test]
fn a_cancelled_pending_job_ends_when_its_dependencies_complete_and_its_dependents_fail() {
    // AWS CancelJob: "A PENDING job is cancelled after all dependency jobs are completed.
    // Therefore, it might take longer than expected to cancel a job in PENDING status."
    // 4 vCPUs. Ids: 1 `a` [0,100]; 2 `b` (exit 1) [0,50] FAILED; 3 `p` PENDING on `a`; 4 `q2`
    // PENDING on `p`; 5 `f` PENDING on `a` and `b`.
    //  - cancel `p` at 10: it stays PENDING until `a` completes at 100, then ends FAILED with
    //    the cancel reason (counted cancelled); `q2` depends on it: FAILED at 100, "Dependent
    //    job 3 failed", counted failed (CONTRACT 7.6).
    //  - cancel `f` at 10: `b` fails at 50; the cancel asked for first decides: FAILED at 50
    //    with the cancel reason, counted cancelled.
    let mut s = base(4);
    push(&mut s, "workload", job(0.0, "a", "d1", 100.0));
    push(
        &mut s,
        "workload",
        json!({"at": 0, "submitJob": {"jobName": "b", "jobQueue": "q", "jobDefinition": "d1"},
               "runtime": {"distribution": "fixed", "seconds": 50, "exitCode": 1}}),
    );
    push(
        &mut s,
        "workload",
        job_with(0.0, "p", "d1", 10.0, json!({"dependsOn": [{"jobId": "a"}]})),
    );
    push(
        &mut s,
        "workload",
        job_with(0.0, "q2", "d1", 10.0, json!({"dependsOn": [{"jobId": "p"}]})),
    );
    push(
        &mut s,
        "workload",
        job_with(
            0.0,
            "f",
            "d1",
            10.0,
            json!({"dependsOn": [{"jobId": "a"}, {"jobId": "b"}]}),
        ),
    );
    push(
        &mut s,
        "actions",
        json!({"at": 10, "cancelJob": {"jobId": "p", "reason": "stop p"}}),
    );
    push(
        &mut s,
        "actions",
        json!({"at": 10, "cancelJob": {"jobId": "f", "reason": "stop f"}}),
    );
    let (report, records) = run(&s);
    assert_eq!(get(&records, "1"), ok(0.0, 100.0, "ce"));
    assert_eq!(
        get(&records, "2"),
        row("FAILED", Some(EXITED), 1, Some(0.0), Some(50.0), Some("ce"))
    );
    assert_eq!(get(&records, "3"), cancelled("stop p", 100.0));
    assert_eq!(get(&records, "4"), dep_failed("3", 100.0));
    assert_eq!(get(&records, "5"), cancelled("stop f", 50.0));
    // 5 jobs: `a` succeeded; `b` and `q2` failed; `p` and `f` cancelled.
    assert_eq!(counts(&report), (5, 1, 2, 2, 0));
}

#[test]
fn cancelling_a_pending_array_cancels_every_child_and_the_parent_ends_with_the_last() {
    // AWS CancelJob: "When you try to cancel an array parent job in PENDING, Batch attempts to
    // cancel all child jobs. The array parent job is cancelled when all child jobs are
    // completed." 4 vCPUs. 1 `a` [0,100]; 2 `arr` (3 children) depends on `a`: PENDING with
    // its children; 3 `after` depends on `arr`. cancelJob `arr` at 10: each PENDING child is
    // cancelled when `a` completes, at 100; the parent ends then (FAILED: cancelled children
    // are FAILED), so `after` fails at 100: "Dependent job 2 failed".
    let mut s = base(4);
    push(&mut s, "workload", job(0.0, "a", "d1", 100.0));
    push(
        &mut s,
        "workload",
        job_with(
            0.0,
            "arr",
            "d1",
            10.0,
            json!({"arrayProperties": {"size": 3}, "dependsOn": [{"jobId": "a"}]}),
        ),
    );
    push(
        &mut s,
        "workload",
        job_with(0.0, "after", "d1", 10.0, json!({"dependsOn": [{"jobId": "arr"}]})),
    );
    push(
        &mut s,
        "actions",
        json!({"at": 10, "cancelJob": {"jobId": "arr", "reason": "all"}}),
    );
    let (report, records) = run(&s);
    assert_eq!(get(&records, "1"), ok(0.0, 100.0, "ce"));
    for i in 0..3 {
        assert_eq!(get(&records, &format!("2:{i}")), cancelled("all", 100.0));
    }
    assert_eq!(get(&records, "3"), dep_failed("2", 100.0));
    assert_eq!(counts(&report), (5, 1, 1, 3, 0));
}

#[test]
fn cancelling_a_blocking_head_lets_the_jobs_behind_it_start_at_that_instant() {
    // 4 vCPUs. `long` (1 vCPU, 1000 s) runs [0,1000]. `big` (4 vCPUs) heads the FIFO queue and
    // cannot fit while `long` runs, so `small` (1 vCPU) behind it waits (head-of-line
    // blocking). Cancelling `big` at 100 is a change (section 6: an action applies), so the
    // dispatch pass at 100 starts `small`: [100,110].
    let mut s = base(4);
    push(&mut s, "workload", job(0.0, "long", "d1", 1000.0));
    push(&mut s, "workload", job(0.0, "big", "d4", 10.0));
    push(&mut s, "workload", job(0.0, "small", "d1", 10.0));
    push(
        &mut s,
        "actions",
        json!({"at": 100, "cancelJob": {"jobId": "big", "reason": "too big"}}),
    );
    let (report, records) = run(&s);
    assert_eq!(get(&records, "1"), ok(0.0, 1000.0, "ce"));
    assert_eq!(get(&records, "2"), cancelled("too big", 100.0));
    assert_eq!(get(&records, "3"), ok(100.0, 110.0, "ce"));
    assert_eq!(counts(&report), (3, 2, 0, 1, 0));
}

#[test]
fn terminate_ends_running_attempts_without_retry_and_frees_capacity_at_once() {
    // 2 vCPUs; every job has 3 attempts (submission retryStrategy), so only the rules of
    // terminate keep them from being retried. Ids:
    //  1 `long`  1000 s [0, ...) terminated at 100: FAILED at 100, attempts 1, counted failed.
    //  2 `exact` 200 s [0,200], terminated at 200, the instant it would complete: section 7.1
    //    applies actions before the engine's own events, so the terminate wins: FAILED at 200.
    //  3 `next`  50 s, RUNNABLE behind them: the vCPU `long` frees at 100 is used at 100:
    //    [100,150].
    //  4 `queued` 10 s, RUNNABLE, terminated at 50: counts as cancelled (it never ran).
    let mut s = base(2);
    let three = json!({"retryStrategy": {"attempts": 3}});
    push(&mut s, "workload", job_with(0.0, "long", "d1", 1000.0, three.clone()));
    push(&mut s, "workload", job_with(0.0, "exact", "d1", 200.0, three.clone()));
    push(&mut s, "workload", job_with(0.0, "next", "d1", 50.0, three.clone()));
    push(&mut s, "workload", job_with(0.0, "queued", "d1", 10.0, three));
    push(
        &mut s,
        "actions",
        json!({"at": 50, "terminateJob": {"jobId": "queued", "reason": "unwanted"}}),
    );
    push(
        &mut s,
        "actions",
        json!({"at": 100, "terminateJob": {"jobId": "long", "reason": "operator"}}),
    );
    push(
        &mut s,
        "actions",
        json!({"at": 200, "terminateJob": {"jobId": "exact", "reason": "at the bell"}}),
    );
    let (report, records) = run(&s);
    assert_eq!(
        get(&records, "1"),
        row("FAILED", Some("operator"), 1, Some(0.0), Some(100.0), Some("ce"))
    );
    assert_eq!(
        get(&records, "2"),
        row("FAILED", Some("at the bell"), 1, Some(0.0), Some(200.0), Some("ce"))
    );
    assert_eq!(get(&records, "3"), ok(100.0, 150.0, "ce"));
    assert_eq!(get(&records, "4"), cancelled("unwanted", 50.0));
    assert_eq!(counts(&report), (4, 1, 2, 1, 0));
    let ce = &report.compute_environments["ce"];
    // One attempt each for the three dispatched jobs; used 100 + 200 + 50 vCPU-seconds.
    assert_eq!(ce.jobs_started, 3);
    assert_eq!(ce.vcpu_seconds_used, 350.0);
}

#[test]
fn terminating_a_starting_job_fails_it_before_it_runs() {
    // startupSeconds 30: the job is STARTING over [0,30). Terminated at 10: FAILED at 10, last
    // attempt on `ce`, never RUNNING (no startedAt), so 0 attempts (CONTRACT 7.4: `attempts`
    // counts attempts that reached RUNNING), no RUNNING time used. The second job
    // (queued behind it on 1 vCPU) is dispatched at 10 and RUNNING at 40, ending at 50.
    let mut s = base(1);
    s["computeEnvironments"][0]["simulation"]["startupSeconds"] = json!(30);
    push(&mut s, "workload", job(0.0, "slow", "d1", 100.0));
    push(&mut s, "workload", job(0.0, "then", "d1", 10.0));
    // A cancel at 5 finds `slow` STARTING: nothing happens (no warning either, the job is live).
    push(
        &mut s,
        "actions",
        json!({"at": 5, "cancelJob": {"jobId": "slow", "reason": "ignored"}}),
    );
    push(
        &mut s,
        "actions",
        json!({"at": 10, "terminateJob": {"jobId": "slow", "reason": "stop"}}),
    );
    let (report, records) = run(&s);
    assert_eq!(
        get(&records, "1"),
        row("FAILED", Some("stop"), 0, None, Some(10.0), Some("ce"))
    );
    assert_eq!(get(&records, "2"), ok(40.0, 50.0, "ce"));
    assert_eq!(record(&records, "2").wait.map(|w| w.as_secs_f64()), Some(10.0));
    assert_eq!(counts(&report), (2, 1, 1, 0, 0));
    assert_eq!(report.compute_environments["ce"].vcpu_seconds_used, 10.0);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
}

#[test]
fn cancel_by_child_reference_or_array_name() {
    // 2 vCPUs. `arr` (job 1, 4 x 100 s): 1:0, 1:1 run [0,100]; 1:2, 1:3 RUNNABLE.
    // `arr2` (job 2, 3 x 100 s): all RUNNABLE. `after` (job 3) depends on `arr`.
    //  - cancel `arr:2` at 10: only 1:2 (cancelled at 10).
    //  - cancel `arr2` at 20: all three queued children (cancelled at 20).
    //  - cancel `arr` at 30: 1:3 (queued) is cancelled; 1:0 and 1:1 run on and succeed at 100.
    //  The array ends at 100 FAILED (cancelled children are FAILED), so `after` fails at 100.
    let mut s = base(2);
    push(
        &mut s,
        "workload",
        job_with(0.0, "arr", "d1", 100.0, json!({"arrayProperties": {"size": 4}})),
    );
    push(
        &mut s,
        "workload",
        job_with(0.0, "arr2", "d1", 100.0, json!({"arrayProperties": {"size": 3}})),
    );
    push(
        &mut s,
        "workload",
        job_with(0.0, "after", "d1", 10.0, json!({"dependsOn": [{"jobId": "arr"}]})),
    );
    push(
        &mut s,
        "actions",
        json!({"at": 10, "cancelJob": {"jobId": "arr:2", "reason": "one"}}),
    );
    push(
        &mut s,
        "actions",
        json!({"at": 20, "cancelJob": {"jobId": "arr2", "reason": "all"}}),
    );
    push(
        &mut s,
        "actions",
        json!({"at": 30, "cancelJob": {"jobId": "arr", "reason": "rest"}}),
    );
    let (report, records) = run(&s);
    assert_eq!(get(&records, "1:0"), ok(0.0, 100.0, "ce"));
    assert_eq!(get(&records, "1:1"), ok(0.0, 100.0, "ce"));
    assert_eq!(get(&records, "1:2"), cancelled("one", 10.0));
    assert_eq!(get(&records, "1:3"), cancelled("rest", 30.0));
    for i in 0..3 {
        assert_eq!(get(&records, &format!("2:{i}")), cancelled("all", 20.0));
    }
    assert_eq!(get(&records, "3"), dep_failed("1", 100.0));
    // 8 jobs: 2 succeeded, 5 cancelled, `after` failed.
    assert_eq!(counts(&report), (8, 2, 1, 5, 0));
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
}

#[test]
fn terminate_by_array_name_ends_running_children_and_cancels_queued_ones() {
    // 2 vCPUs, `arr` (job 1, 3 x 100 s): 1:0, 1:1 RUNNING from 0, 1:2 RUNNABLE. terminateJob
    // `arr` at 50: the running children end FAILED at 50 (counted failed); 1:2 is still queued
    // when its turn comes (the freed capacity is only used by the pass after the action), so
    // it is cancelled at 50.
    let mut s = base(2);
    push(
        &mut s,
        "workload",
        job_with(0.0, "arr", "d1", 100.0, json!({"arrayProperties": {"size": 3}})),
    );
    push(
        &mut s,
        "actions",
        json!({"at": 50, "terminateJob": {"jobId": "arr", "reason": "abort"}}),
    );
    let (report, records) = run(&s);
    let killed = row("FAILED", Some("abort"), 1, Some(0.0), Some(50.0), Some("ce"));
    assert_eq!(get(&records, "1:0"), killed);
    assert_eq!(get(&records, "1:1"), killed);
    assert_eq!(get(&records, "1:2"), cancelled("abort", 50.0));
    assert_eq!(counts(&report), (3, 0, 2, 1, 0));
    assert_eq!(report.end_seconds, 50.0);
}

#[test]
fn a_cancel_at_the_instant_of_submission_comes_before_the_dispatch_pass() {
    // Section 7.1: submissions, then actions, then one pass. `j` is submitted at 100 and
    // cancelled at 100: it was RUNNABLE, never dispatched. `k`, submitted at 100 too, starts.
    let mut s = base(4);
    push(&mut s, "workload", job(100.0, "j", "d1", 10.0));
    push(&mut s, "workload", job(100.0, "k", "d1", 10.0));
    push(
        &mut s,
        "actions",
        json!({"at": 100, "cancelJob": {"jobId": "j", "reason": "changed my mind"}}),
    );
    let (report, records) = run(&s);
    assert_eq!(get(&records, "1"), cancelled("changed my mind", 100.0));
    assert_eq!(get(&records, "2"), ok(100.0, 110.0, "ce"));
    assert_eq!(counts(&report), (2, 1, 0, 1, 0));
    assert_eq!(report.compute_environments["ce"].jobs_started, 1);
}

#[test]
fn cancel_or_terminate_of_a_job_that_already_ended_changes_nothing() {
    // `a` (10 s) ends at 10; cancelling and terminating it at 20 leave it SUCCEEDED (a warning
    // says nothing changed).
    let mut s = base(1);
    push(&mut s, "workload", job(0.0, "a", "d1", 10.0));
    push(
        &mut s,
        "actions",
        json!({"at": 20, "cancelJob": {"jobId": "a", "reason": "r"}}),
    );
    push(
        &mut s,
        "actions",
        json!({"at": 20, "terminateJob": {"jobId": "a", "reason": "r"}}),
    );
    let (report, records) = run(&s);
    assert_eq!(get(&records, "1"), ok(0.0, 10.0, "ce"));
    assert_eq!(counts(&report), (1, 1, 0, 0, 0));
    assert_eq!(report.warnings.len(), 2, "{:?}", report.warnings);
}

// ---------------------------------------------------------------------------------------------
// Retries
// ---------------------------------------------------------------------------------------------

#[test]
fn a_retried_job_keeps_its_queue_position_ahead_of_later_jobs() {
    // 1 vCPU. `flaky` (job 1, 100 s, exit 1, 3 attempts): [0,100], [100,200], [200,300], then
    // FAILED (attempts used up). `later` (job 2) arrives at 50; at 100 and 200 both are
    // RUNNABLE and the retried job comes first (submission order), so `later` runs
    // [300,310] and waited 250 s.
    let mut s = base(1);
    let mut f = failing(0.0, "flaky", "d1", 100.0, 1);
    f["submitJob"]["retryStrategy"] = json!({"attempts": 3});
    push(&mut s, "workload", f);
    push(&mut s, "workload", job(50.0, "later", "d1", 10.0));
    let (report, records) = run(&s);
    assert_eq!(
        get(&records, "1"),
        row("FAILED", Some(EXITED), 3, Some(200.0), Some(300.0), Some("ce"))
    );
    // runnableAt and the wait use the first RUNNABLE time and the first dispatch.
    assert_eq!(secs(record(&records, "1").runnable_at), Some(0.0));
    assert_eq!(record(&records, "1").wait.map(|w| w.as_secs_f64()), Some(0.0));
    assert_eq!(get(&records, "2"), ok(300.0, 310.0, "ce"));
    assert_eq!(record(&records, "2").wait.map(|w| w.as_secs_f64()), Some(250.0));
    assert_eq!(counts(&report), (2, 1, 1, 0, 0));
    // jobsStarted counts attempts: 3 + 1.
    assert_eq!(report.compute_environments["ce"].jobs_started, 4);
}

#[test]
fn evaluate_on_exit_first_match_decides_and_submission_overrides_the_definition() {
    // 8 vCPUs, every job exits 3 after 100 s, all start at 0. A job's attempts run back to back:
    // n attempts end at 100 n, the last one started at 100 (n - 1).
    //  1 `exitfirst`: [EXIT on 3, RETRY on *], 5 attempts -> first rule matches: 1 attempt.
    //  2 `retryfirst`: [retry on * (lowercase action), EXIT on 3], 3 attempts -> the RETRY rule
    //    matches first every time: 3 attempts.
    //  3 `allglobs`: [{Essential* AND exit 4}: EXIT, {onReason *}: EXIT], 4 attempts -> the first
    //    entry fails on the exit code; the second matches (a missing reason is ""): 1 attempt.
    //  4 `nomatch`: [EXIT on 9], 2 attempts -> no entry matches, retried: 2 attempts.
    //  5 `fromdef`: no submission strategy, the definition `twice` gives 2 attempts.
    //  6 `override`: definition `twice`, submission {attempts: 1}: 1 attempt.
    let mut s = base(8);
    let mut twice = common::fargate_def("twice", "1", "2048");
    twice["retryStrategy"] = json!({"attempts": 2});
    push(&mut s, "jobDefinitions", twice);
    let with = |name: &str, def: &str, strategy: Option<Value>| {
        let mut j = failing(0.0, name, def, 100.0, 3);
        if let Some(st) = strategy {
            j["submitJob"]["retryStrategy"] = st;
        }
        j
    };
    push(
        &mut s,
        "workload",
        with(
            "exitfirst",
            "d1",
            Some(json!({"attempts": 5, "evaluateOnExit": [
            {"onExitCode": "3", "action": "EXIT"}, {"onExitCode": "*", "action": "RETRY"}]})),
        ),
    );
    push(
        &mut s,
        "workload",
        with(
            "retryfirst",
            "d1",
            Some(json!({"attempts": 3, "evaluateOnExit": [
            {"onExitCode": "*", "action": "retry"}, {"onExitCode": "3", "action": "EXIT"}]})),
        ),
    );
    push(
        &mut s,
        "workload",
        with(
            "allglobs",
            "d1",
            Some(json!({"attempts": 4, "evaluateOnExit": [
            {"onStatusReason": "Essential*", "onExitCode": "4", "action": "EXIT"},
            {"onReason": "*", "action": "EXIT"}]})),
        ),
    );
    push(
        &mut s,
        "workload",
        with(
            "nomatch",
            "d1",
            Some(json!({"attempts": 2, "evaluateOnExit": [{"onExitCode": "9", "action": "EXIT"}]})),
        ),
    );
    push(&mut s, "workload", with("fromdef", "twice", None));
    push(
        &mut s,
        "workload",
        with("override", "twice", Some(json!({"attempts": 1}))),
    );
    let (report, records) = run(&s);
    let failed = |n: u32| {
        row(
            "FAILED",
            Some(EXITED),
            n,
            Some(100.0 * f64::from(n - 1)),
            Some(100.0 * f64::from(n)),
            Some("ce"),
        )
    };
    assert_eq!(get(&records, "1"), failed(1));
    assert_eq!(get(&records, "2"), failed(3));
    assert_eq!(get(&records, "3"), failed(1));
    assert_eq!(get(&records, "4"), failed(2));
    assert_eq!(get(&records, "5"), failed(2));
    assert_eq!(get(&records, "6"), failed(1));
    assert_eq!(counts(&report), (6, 0, 6, 0, 0));
    assert_eq!(report.compute_environments["ce"].jobs_started, 1 + 3 + 1 + 2 + 2 + 1);
}

#[test]
fn random_runtimes_are_drawn_per_attempt() {
    // One job, uniform 100..200 s, always exit 1, 3 attempts, 1 vCPU, no startup: attempts run
    // back to back. Each attempt's RUNNING time is observed while stepping; the three
    // durations are each within [100, 200] and not all the same draw.
    let mut s = base(1);
    push(
        &mut s,
        "workload",
        json!({"at": 0, "submitJob": {"jobName": "r", "jobQueue": "q", "jobDefinition": "d1",
                                       "retryStrategy": {"attempts": 3}},
               "runtime": {"distribution": "uniform", "minSeconds": 100, "maxSeconds": 200, "exitCode": 1}}),
    );
    s["seed"] = json!(7);
    let mut sim = Simulation::new(
        &load(&s),
        Options {
            record_jobs: true,
            ..Options::default()
        },
    )
    .unwrap();
    let mut starts: Vec<f64> = Vec::new();
    while sim.step() {
        for r in sim.job_records() {
            if let Some(t) = secs(r.started_at) {
                if starts.last() != Some(&t) {
                    starts.push(t);
                }
            }
        }
    }
    let (_, records) = sim.run_with_records();
    let r = record(&records, "1");
    assert_eq!(r.attempts, 3);
    assert_eq!(starts.len(), 3, "{starts:?}");
    assert_eq!(starts[0], 0.0);
    let end = secs(r.stopped_at).unwrap();
    let durations = [starts[1] - starts[0], starts[2] - starts[1], end - starts[2]];
    for d in durations {
        assert!((100.0..=200.0).contains(&d), "{durations:?}");
    }
    assert!(
        durations[0] != durations[1] || durations[1] != durations[2],
        "one draw reused for every attempt: {durations:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Timeouts
// ---------------------------------------------------------------------------------------------

#[test]
fn timeouts_count_from_running_end_exactly_and_are_not_retried() {
    // startupSeconds 30: every job is STARTING [0,30) and RUNNING from 30. 8 vCPUs.
    // Definition `limited`: timeout 100 s, 3 attempts.
    //  1 `slow`  500 s: timed out at 30 + 100 = 130, FAILED, one attempt (never retried).
    //  2 `exact` 100 s: a runtime equal to the timeout succeeds at 130.
    //  3 `longer` 150 s, submission timeout 200 s overrides the definition's: succeeds at 180.
    //  4 `short` 100 s on `d1` (no timeout), submission timeout 60 s: timed out at 90.
    let mut s = base(8);
    s["computeEnvironments"][0]["simulation"]["startupSeconds"] = json!(30);
    let mut limited = common::fargate_def("limited", "1", "2048");
    limited["timeout"] = json!({"attemptDurationSeconds": 100});
    limited["retryStrategy"] = json!({"attempts": 3});
    push(&mut s, "jobDefinitions", limited);
    push(&mut s, "workload", job(0.0, "slow", "limited", 500.0));
    push(&mut s, "workload", job(0.0, "exact", "limited", 100.0));
    push(
        &mut s,
        "workload",
        job_with(
            0.0,
            "longer",
            "limited",
            150.0,
            json!({"timeout": {"attemptDurationSeconds": 200}}),
        ),
    );
    push(
        &mut s,
        "workload",
        job_with(
            0.0,
            "short",
            "d1",
            100.0,
            json!({"timeout": {"attemptDurationSeconds": 60}}),
        ),
    );
    let (report, records) = run(&s);
    assert_eq!(
        get(&records, "1"),
        row("FAILED", Some(TIMEOUT), 1, Some(30.0), Some(130.0), Some("ce"))
    );
    assert_eq!(get(&records, "2"), ok(30.0, 130.0, "ce"));
    assert_eq!(get(&records, "3"), ok(30.0, 180.0, "ce"));
    assert_eq!(
        get(&records, "4"),
        row("FAILED", Some(TIMEOUT), 1, Some(30.0), Some(90.0), Some("ce"))
    );
    assert_eq!(counts(&report), (4, 2, 2, 0, 0));
    // RUNNING time only: 100 + 100 + 150 + 60.
    assert_eq!(report.compute_environments["ce"].vcpu_seconds_used, 410.0);
    assert_eq!(report.compute_environments["ce"].jobs_started, 4);
}

// ---------------------------------------------------------------------------------------------
// until
// ---------------------------------------------------------------------------------------------

#[test]
fn until_stops_the_clock_before_the_events_of_that_instant() {
    // until 200, 1 vCPU. `a` [0,100]; `b` RUNNING from 100 would end at 200 but events at
    // exactly `until` are not applied: `b` is unfinished (RUNNING, no stoppedAt). `c`, due at
    // 200, is never submitted; the maxvCpus change at 200 is not applied. endSeconds = 200.
    let mut s = base(1);
    s["until"] = json!(200);
    push(&mut s, "workload", job(0.0, "a", "d1", 100.0));
    push(&mut s, "workload", job(0.0, "b", "d1", 100.0));
    push(&mut s, "workload", job(200.0, "c", "d1", 10.0));
    push(
        &mut s,
        "actions",
        json!({"at": 200, "updateComputeEnvironment": {"computeEnvironment": "ce", "computeResources": {"maxvCpus": 5}}}),
    );
    let (report, records) = run(&s);
    assert_eq!(report.end_seconds, 200.0);
    assert_eq!(get(&records, "1"), ok(0.0, 100.0, "ce"));
    assert_eq!(
        get(&records, "2"),
        row("RUNNING", None, 1, Some(100.0), None, Some("ce"))
    );
    assert_eq!(counts(&report), (2, 1, 0, 0, 1));
    assert_eq!(report.queues["q"].unfinished, 1);
    let ce = &report.compute_environments["ce"];
    assert_eq!(ce.max_vcpus, 1);
    // The running attempt is accounted up to the end: 100 + 100 vCPU-seconds over 1 x 200.
    assert_eq!(ce.vcpu_seconds_used, 200.0);
    assert_eq!(ce.utilization_of_max, 1.0);

    // Options::until overrides the file's: at 250 `b` has ended (200) and `c` runs [200,210].
    let sim = Simulation::new(
        &load(&s),
        Options {
            until: SimTime::from_secs_f64(250.0),
            record_jobs: true,
            ..Options::default()
        },
    )
    .unwrap();
    let (report, records) = sim.run_with_records();
    assert_eq!(get(&records, "2"), ok(100.0, 200.0, "ce"));
    assert_eq!(get(&records, "3"), ok(200.0, 210.0, "ce"));
    assert_eq!(counts(&report), (3, 3, 0, 0, 0));
    // Nothing was due after 210: the clock did not need stopping, endSeconds is the last event.
    assert_eq!(report.end_seconds, 210.0);
}

// ---------------------------------------------------------------------------------------------
// Timed actions
// ---------------------------------------------------------------------------------------------

#[test]
fn raising_max_vcpus_lets_queued_jobs_start_at_that_instant() {
    // 1 vCPU: `a` [0,1000]; `b`, `c` RUNNABLE. maxvCpus -> 3 at 300: both start at 300.
    let mut s = base(1);
    for n in ["a", "b", "c"] {
        push(&mut s, "workload", job(0.0, n, "d1", 1000.0));
    }
    push(
        &mut s,
        "actions",
        json!({"at": 300, "updateComputeEnvironment": {"computeEnvironment": "ce", "computeResources": {"maxvCpus": 3}}}),
    );
    let (report, records) = run(&s);
    assert_eq!(get(&records, "1"), ok(0.0, 1000.0, "ce"));
    assert_eq!(get(&records, "2"), ok(300.0, 1300.0, "ce"));
    assert_eq!(get(&records, "3"), ok(300.0, 1300.0, "ce"));
    let ce = &report.compute_environments["ce"];
    assert_eq!(ce.max_vcpus, 3);
    // maxvCpus integrated: 1 x 300 + 3 x 1000 = 3300; used 3000.
    assert!((ce.utilization_of_max - 3000.0 / 3300.0).abs() < 1e-12);
}

#[test]
fn a_disabled_compute_environment_places_nothing_new_but_running_jobs_go_on() {
    // Queue `q` over [ce, ce2], queue `solo` over [ce] only; 4 vCPUs each.
    //  1 `x` @0 on q -> ce [0,200]; `ce` is DISABLED at 50, `x` runs on.
    //  2 `y` @100 on q -> `ce` takes nothing new, so `ce2`: [100,110].
    //  3 `s` @100 on solo -> no ENABLED CE: RUNNABLE until `ce` is ENABLED at 500: [500,510].
    let mut s = base(4);
    s["computeEnvironments"]
        .as_array_mut()
        .unwrap()
        .push(common::fargate_ce("ce2", 4));
    s["jobQueues"] = json!([common::queue("q", 1, &["ce", "ce2"]), common::queue("solo", 1, &["ce"])]);
    push(&mut s, "workload", job(0.0, "x", "d1", 200.0));
    push(&mut s, "workload", job(100.0, "y", "d1", 10.0));
    push(
        &mut s,
        "workload",
        job_with(100.0, "s", "d1", 10.0, json!({"jobQueue": "solo"})),
    );
    push(
        &mut s,
        "actions",
        json!({"at": 50, "updateComputeEnvironment": {"computeEnvironment": "ce", "state": "DISABLED"}}),
    );
    push(
        &mut s,
        "actions",
        json!({"at": 500, "updateComputeEnvironment": {"computeEnvironment": "ce", "state": "ENABLED"}}),
    );
    let (report, records) = run(&s);
    assert_eq!(get(&records, "1"), ok(0.0, 200.0, "ce"));
    assert_eq!(get(&records, "2"), ok(100.0, 110.0, "ce2"));
    assert_eq!(get(&records, "3"), ok(500.0, 510.0, "ce"));
    assert_eq!(counts(&report), (3, 3, 0, 0, 0));
}

#[test]
fn a_disabled_job_queue_refuses_new_submissions_and_still_runs_its_jobs() {
    // 1 vCPU: `a` [0,100]; `b` queued. Queue DISABLED at 50; `c` at 60 is refused (a warning,
    // not counted); `b` still runs [100,200].
    let mut s = base(1);
    push(&mut s, "workload", job(0.0, "a", "d1", 100.0));
    push(&mut s, "workload", job(0.0, "b", "d1", 100.0));
    push(&mut s, "workload", job(60.0, "c", "d1", 100.0));
    push(
        &mut s,
        "actions",
        json!({"at": 50, "updateJobQueue": {"jobQueue": "q", "state": "DISABLED"}}),
    );
    let (report, records) = run(&s);
    assert_eq!(ids(&records), ["1", "2"]);
    assert_eq!(get(&records, "2"), ok(100.0, 200.0, "ce"));
    assert_eq!(counts(&report), (2, 2, 0, 0, 0));
    assert_eq!(report.queues["q"].submitted, 2);
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    assert!(report.warnings[0].contains("`c`") && report.warnings[0].contains("DISABLED"));
}

#[test]
fn a_priority_change_swaps_which_queue_is_served_first() {
    // 1 vCPU shared by `hi` (priority 10) and `lo` (priority 1). `block` on hi runs [0,100];
    // `h` (hi) and `l` (lo) wait. At 50 `lo` gets priority 20, so at 100 the pass visits `lo`
    // first: `l` [100,110], then `h` [110,120]. Without the action the order is the reverse.
    let scenario = |swap: bool| {
        let mut s = base(1);
        s["jobQueues"] = json!([common::queue("hi", 10, &["ce"]), common::queue("lo", 1, &["ce"])]);
        push(
            &mut s,
            "workload",
            job_with(0.0, "block", "d1", 100.0, json!({"jobQueue": "hi"})),
        );
        push(
            &mut s,
            "workload",
            job_with(0.0, "h", "d1", 10.0, json!({"jobQueue": "hi"})),
        );
        push(
            &mut s,
            "workload",
            job_with(0.0, "l", "d1", 10.0, json!({"jobQueue": "lo"})),
        );
        if swap {
            push(
                &mut s,
                "actions",
                json!({"at": 50, "updateJobQueue": {"jobQueue": "lo", "priority": 20}}),
            );
        }
        s
    };
    let (_, records) = run(&scenario(false));
    assert_eq!(get(&records, "2"), ok(100.0, 110.0, "ce"));
    assert_eq!(get(&records, "3"), ok(110.0, 120.0, "ce"));
    let (_, records) = run(&scenario(true));
    assert_eq!(get(&records, "3"), ok(100.0, 110.0, "ce"));
    assert_eq!(get(&records, "2"), ok(110.0, 120.0, "ce"));
}

#[test]
fn a_priority_change_lets_a_queue_the_strict_rule_held_start_at_that_instant() {
    // CONTRACT 6: `strict` "makes a lower queue wait while any higher-priority queue attached
    // to that CE has a RUNNABLE job that the CE could ever fit", and "A dispatch pass runs
    // whenever something changes (... an action applies), at that instant". 3 vCPUs: `A`
    // (hi, 2 vCPUs) runs [0,1000], `B` (hi, 2 vCPUs) waits for room, `C` (lo, 1 vCPU) fits
    // but waits behind `B`. At 100 `hi` drops to `lo`'s priority: `C` runs [100,150]. (Found
    // by a differential test: `lo`, resting since 0, was not looked at again until 1000.)
    let mut s = base(3);
    s["computeEnvironments"][0]["simulation"]["queuePriority"] = json!("strict");
    s["jobQueues"] = json!([common::queue("hi", 2, &["ce"]), common::queue("lo", 1, &["ce"])]);
    push(
        &mut s,
        "workload",
        job_with(0.0, "A", "d2", 1000.0, json!({"jobQueue": "hi"})),
    );
    push(
        &mut s,
        "workload",
        job_with(0.0, "B", "d2", 100.0, json!({"jobQueue": "hi"})),
    );
    push(
        &mut s,
        "workload",
        job_with(0.0, "C", "d1", 50.0, json!({"jobQueue": "lo"})),
    );
    push(
        &mut s,
        "actions",
        json!({"at": 100, "updateJobQueue": {"jobQueue": "hi", "priority": 1}}),
    );
    let (_, records) = run(&s);
    assert_eq!(get(&records, "3"), ok(100.0, 150.0, "ce"));
    assert_eq!(get(&records, "2"), ok(1000.0, 1100.0, "ce"));
}

#[test]
fn registered_and_deregistered_revisions_decide_what_a_bare_name_means() {
    // `work` revision 1 has 1 vCPU; `registerJobDefinition` at 100 adds revision 2 with 2 vCPUs;
    // `deregisterJobDefinition work:2` at 200 makes `work` mean revision 1 again.
    //  1 `w1` @50  `work`   -> work:1, 1 vCPU
    //  2 `w2` @150 `work`   -> work:2, 2 vCPUs
    //  3 `w3` @150 `work:1` -> work:1
    //  4 `w4` @250 `work`   -> work:1 (latest ACTIVE)
    let mut s = base(8);
    push(&mut s, "jobDefinitions", common::fargate_def("work", "1", "2048"));
    push(
        &mut s,
        "actions",
        json!({"at": 100, "registerJobDefinition": common::fargate_def("work", "2", "4096")}),
    );
    push(
        &mut s,
        "actions",
        json!({"at": 200, "deregisterJobDefinition": {"jobDefinition": "work:2"}}),
    );
    push(&mut s, "workload", job(50.0, "w1", "work", 10.0));
    push(&mut s, "workload", job(150.0, "w2", "work", 10.0));
    push(&mut s, "workload", job(150.0, "w3", "work:1", 10.0));
    push(&mut s, "workload", job(250.0, "w4", "work", 10.0));
    let (report, records) = run(&s);
    let defs: Vec<(&str, u32)> = records
        .iter()
        .map(|r| (&*r.job_definition, r.resources.millivcpus))
        .collect();
    assert_eq!(
        defs,
        [("work:1", 1000), ("work:2", 2000), ("work:1", 1000), ("work:1", 1000)]
    );
    // The per-job table's jobDefinition column (6th) is `name:revision`.
    let csv = batchsim::report::csv::row(record(&records, "2"));
    assert_eq!(csv.split(',').nth(5), Some("work:2"), "{csv}");
    // 10 s each: 1 + 2 + 1 + 1 vCPUs.
    assert_eq!(report.compute_environments["ce"].vcpu_seconds_used, 50.0);
    assert_eq!(counts(&report), (4, 4, 0, 0, 0));
}

// ---------------------------------------------------------------------------------------------
// Submission overrides
// ---------------------------------------------------------------------------------------------

#[test]
fn container_overrides_change_the_vcpus_a_job_holds() {
    // 4 vCPUs. `big` (d1 overridden to 4 vCPUs / 8192 MiB) runs [0,100] and fills the CE, so
    // `small` (d1, 1 vCPU) waits until 100: [100,110].
    let mut s = base(4);
    push(
        &mut s,
        "workload",
        job_with(
            0.0,
            "big",
            "d1",
            100.0,
            json!({"containerOverrides": {"resourceRequirements": [
                {"type": "VCPU", "value": "4"}, {"type": "MEMORY", "value": "8192"}]}}),
        ),
    );
    push(&mut s, "workload", job(0.0, "small", "d1", 10.0));
    let (report, records) = run(&s);
    assert_eq!(get(&records, "1"), ok(0.0, 100.0, "ce"));
    assert_eq!(get(&records, "2"), ok(100.0, 110.0, "ce"));
    let big = record(&records, "1");
    assert_eq!((big.resources.millivcpus, big.resources.memory_mib), (4000, 8192));
    // 4 x 100 + 1 x 10.
    assert_eq!(report.compute_environments["ce"].vcpu_seconds_used, 410.0);
}

#[test]
fn scheduling_priority_override_orders_jobs_inside_a_share() {
    // Fair-share queue on 1 vCPU, one share `A`; definition `p` has schedulingPriority 5.
    // `block` runs [0,100]; `mid` (5, from the definition), `high` (override 9) and `low`
    // (override 1) wait. Inside a share: higher priority first, so at 100 `high` [100,110],
    // then `mid` [110,120], then `low` [120,130].
    let mut s = base(1);
    s["schedulingPolicies"] = json!([{"name": "fs", "fairsharePolicy": {"shareDecaySeconds": 600}}]);
    s["jobQueues"][0]["schedulingPolicyArn"] = json!("fs");
    let mut p = common::fargate_def("p", "1", "2048");
    p["schedulingPriority"] = json!(5);
    push(&mut s, "jobDefinitions", p);
    let fs = |at: f64, name: &str, secs: f64, prio: Option<u32>| {
        let mut j = job_with(at, name, "p", secs, json!({"shareIdentifier": "A"}));
        if let Some(v) = prio {
            j["submitJob"]["schedulingPriorityOverride"] = json!(v);
        }
        j
    };
    push(&mut s, "workload", fs(0.0, "block", 100.0, None));
    push(&mut s, "workload", fs(1.0, "mid", 10.0, None));
    push(&mut s, "workload", fs(2.0, "high", 10.0, Some(9)));
    push(&mut s, "workload", fs(3.0, "low", 10.0, Some(1)));
    let (_, records) = run(&s);
    assert_eq!(get(&records, "1"), ok(0.0, 100.0, "ce"));
    assert_eq!(get(&records, "3"), ok(100.0, 110.0, "ce"));
    assert_eq!(get(&records, "2"), ok(110.0, 120.0, "ce"));
    assert_eq!(get(&records, "4"), ok(120.0, 130.0, "ce"));
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

/// The problems of a scenario that must be refused, as `path: message` lines.
fn problems(s: &Value) -> Vec<String> {
    match Scenario::from_value(s, "bad.json") {
        Ok(_) => panic!("accepted an invalid scenario:\n{s:#}"),
        Err(e) => e.problems().iter().map(ToString::to_string).collect(),
    }
}

#[track_caller]
fn assert_problem(s: &Value, path: &str, words: &[&str]) {
    let list = problems(s);
    let hit = list
        .iter()
        .any(|p| p.starts_with(&format!("{path}: ")) && words.iter().all(|w| p.contains(w)));
    assert!(
        hit,
        "expected a problem at `{path}` containing {words:?}, got {list:#?}"
    );
}

#[test]
fn dependencies_must_name_an_earlier_submission() {
    // Unknown name, with the closest earlier name suggested.
    let mut s = base(1);
    push(&mut s, "workload", job(0.0, "first", "d1", 10.0));
    push(
        &mut s,
        "workload",
        job_with(5.0, "second", "d1", 10.0, json!({"dependsOn": [{"jobId": "frist"}]})),
    );
    assert_problem(
        &s,
        "workload[1].submitJob.dependsOn[0].jobId",
        &["frist", "did you mean `first`?"],
    );
    // A name submitted later (and one submitted at the same instant by a later entry).
    let mut s = base(1);
    push(
        &mut s,
        "workload",
        job_with(0.0, "early", "d1", 10.0, json!({"dependsOn": [{"jobId": "late"}]})),
    );
    push(&mut s, "workload", job(100.0, "late", "d1", 10.0));
    assert_problem(&s, "workload[0].submitJob.dependsOn[0].jobId", &["`late`", "earlier"]);
    let mut s = base(1);
    push(
        &mut s,
        "workload",
        job_with(0.0, "early", "d1", 10.0, json!({"dependsOn": [{"jobId": "same"}]})),
    );
    push(&mut s, "workload", job(0.0, "same", "d1", 10.0));
    assert_problem(&s, "workload[0].submitJob.dependsOn[0].jobId", &["`same`"]);
}

#[test]
fn at_most_twenty_dependencies() {
    let mut s = base(1);
    for i in 0..21 {
        push(&mut s, "workload", job(0.0, &format!("p{i}"), "d1", 10.0));
    }
    let deps = |n: usize| -> Value { (0..n).map(|i| json!({"jobId": format!("p{i}")})).collect() };
    let mut ok20 = s.clone();
    push(
        &mut ok20,
        "workload",
        job_with(1.0, "x", "d1", 10.0, json!({"dependsOn": deps(20)})),
    );
    load(&ok20);
    push(
        &mut s,
        "workload",
        job_with(1.0, "x", "d1", 10.0, json!({"dependsOn": deps(21)})),
    );
    assert_problem(&s, "workload[21].submitJob.dependsOn", &["20", "21"]);
}

#[test]
fn array_sizes_are_two_to_ten_thousand() {
    for (size, good) in [(1, false), (2, true), (10_000, true), (10_001, false)] {
        let mut s = base(1);
        push(
            &mut s,
            "workload",
            job_with(0.0, "a", "d1", 10.0, json!({"arrayProperties": {"size": size}})),
        );
        if good {
            load(&s);
        } else {
            assert_problem(&s, "workload[0].submitJob.arrayProperties.size", &[&size.to_string()]);
        }
    }
}

#[test]
fn n_to_n_needs_two_arrays_of_the_same_size() {
    let mut s = base(1);
    push(
        &mut s,
        "workload",
        job_with(0.0, "a", "d1", 10.0, json!({"arrayProperties": {"size": 3}})),
    );
    push(
        &mut s,
        "workload",
        job_with(
            0.0,
            "b",
            "d1",
            10.0,
            json!({"arrayProperties": {"size": 4}, "dependsOn": [{"jobId": "a", "type": "N_TO_N"}]}),
        ),
    );
    assert_problem(&s, "workload[1].submitJob.dependsOn[0].type", &["N_TO_N"]);
    // And a plain job cannot be N_TO_N on an array.
    let mut s = base(1);
    push(
        &mut s,
        "workload",
        job_with(0.0, "a", "d1", 10.0, json!({"arrayProperties": {"size": 3}})),
    );
    push(
        &mut s,
        "workload",
        job_with(
            0.0,
            "b",
            "d1",
            10.0,
            json!({"dependsOn": [{"jobId": "a", "type": "N_TO_N"}]}),
        ),
    );
    assert_problem(&s, "workload[1].submitJob.dependsOn[0].type", &["N_TO_N"]);
}

#[test]
fn cancel_and_terminate_must_name_a_workload_job() {
    let mut s = base(1);
    push(&mut s, "workload", job(0.0, "nightly", "d1", 10.0));
    push(
        &mut s,
        "actions",
        json!({"at": 5, "cancelJob": {"jobId": "nigthly", "reason": "r"}}),
    );
    push(
        &mut s,
        "actions",
        json!({"at": 5, "terminateJob": {"jobId": "ghost", "reason": "r"}}),
    );
    assert_problem(
        &s,
        "actions[0].cancelJob.jobId",
        &["nigthly", "did you mean `nightly`?"],
    );
    assert_problem(&s, "actions[1].terminateJob.jobId", &["ghost"]);
}

#[test]
fn the_command_line_refuses_these_with_exit_code_2_and_the_path() {
    let mut s = base(1);
    push(
        &mut s,
        "workload",
        job_with(0.0, "a", "d1", 10.0, json!({"arrayProperties": {"size": 1}})),
    );
    push(
        &mut s,
        "actions",
        json!({"at": 5, "cancelJob": {"jobId": "ghost", "reason": "r"}}),
    );
    let dir = std::env::temp_dir().join(format!("batchsim-lifecycle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.json");
    std::fs::write(&path, serde_json::to_string_pretty(&s).unwrap()).unwrap();
    for cmd in ["validate", "run"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_batchsim"))
            .args([cmd, path.to_str().unwrap()])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{cmd}: {err}");
        assert!(err.contains("bad.json"), "{err}");
        assert!(err.contains("workload[0].submitJob.arrayProperties.size"), "{err}");
        assert!(err.contains("actions[0].cancelJob.jobId"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

// ---------------------------------------------------------------------------------------------
// What counts as an attempt (CONTRACT 7.4, issue 11 item 8)
// ---------------------------------------------------------------------------------------------

/// Runs `v` with per-job records and an observer; returns the records and, per job, the
/// states it entered in order.
fn run_observed(
    v: &Value,
) -> (
    Vec<JobRecord>,
    std::collections::BTreeMap<batchsim::JobId, Vec<batchsim::JobStatus>>,
) {
    use std::sync::{Arc, Mutex};
    let seen: Arc<Mutex<Vec<(batchsim::JobId, batchsim::JobStatus)>>> = Arc::default();
    let sink = Arc::clone(&seen);
    let options = Options {
        record_jobs: true,
        ..Options::default()
    };
    let mut sim = Simulation::new(&common::load(v), options).unwrap();
    sim.set_observer(move |e| sink.lock().unwrap().push((e.job, e.status)));
    let (_, records) = sim.run_with_records();
    let mut by_job = std::collections::BTreeMap::new();
    for (id, status) in seen.lock().unwrap().iter() {
        by_job.entry(*id).or_insert_with(Vec::new).push(*status);
    }
    (records, by_job)
}

#[test]
fn a_spot_reclaim_while_starting_is_not_an_attempt_and_uses_no_retry() {
    // AWS (RetryStrategy.attempts, user guide "Automated job retries"): "When a job is
    // submitted to a job queue and placed into the RUNNING state that's considered an
    // attempt." FARGATE_SPOT with a 600 s task start and 6 reclaims per task-hour (mean 600 s
    // to a reclaim): an attempt is reclaimed while STARTING with probability
    // 1 - e^-1 = 0.63, while its 60 s RUNNING with e^-1 x (1 - e^-0.1) = 0.035. The default
    // retryStrategy (attempts 1) allows one attempt: a reclaim while STARTING puts the job
    // back to RUNNABLE (no attempt used), a reclaim while RUNNING fails it with attempts 1.
    // So every job that ended reached RUNNING exactly once, and `attempts` is 1 for all of
    // them. (Before: the first reclaim while STARTING failed the job with attempts 1 and no
    // RUNNING at all.)
    let mut v = base(100);
    v["computeEnvironments"] = json!([{"computeEnvironmentName": "ce", "type": "MANAGED",
        "computeResources": {"type": "FARGATE_SPOT", "maxvCpus": 100},
        "simulation": {"startupSeconds": 600, "interruptionsPerHour": 6}}]);
    v["workload"] = json!([{"arrivals": {"process": "every", "seconds": 1}, "count": 40,
        "submitJob": {"jobName": "s", "jobQueue": "q", "jobDefinition": "d1"},
        "runtime": {"distribution": "fixed", "seconds": 60}}]);
    let (records, states) = run_observed(&v);
    assert_eq!(records.len(), 40);
    let mut starting_reclaims = 0;
    for r in &records {
        let seen = &states[&r.job_id];
        let runs = seen.iter().filter(|s| **s == batchsim::JobStatus::Running).count() as u32;
        let starts = seen.iter().filter(|s| **s == batchsim::JobStatus::Starting).count() as u32;
        starting_reclaims += starts - runs;
        assert!(r.status.is_terminal(), "{:?} ended: {:?}", r.job_id, r.status);
        assert_eq!(
            r.attempts, runs,
            "{:?}: attempts = RUNNING attempts ({seen:?})",
            r.job_id
        );
        assert_eq!(
            runs, 1,
            "{:?}: a STARTING reclaim must not use the one attempt",
            r.job_id
        );
        if r.status == batchsim::JobStatus::Failed {
            assert_eq!(r.status_reason.as_deref(), Some("Your Spot Task was interrupted."));
        } else {
            assert_eq!(r.status_reason.as_deref(), Some(EXITED));
        }
        // startedAt is the RUNNING time of the one attempt: 600 s after some dispatch.
        assert!(r.started_at.is_some());
    }
    // 40 jobs, each retried a geometric number of times with success chance e^-1 = 0.37:
    // about 40 x 0.63 / 0.37 = 68 STARTING reclaims expected; far more than 10 for any seed
    // worth the name (P(<= 10) is below 1e-12).
    assert!(starting_reclaims > 10, "{starting_reclaims}");
}
