//! Issue 12, item 2: a job history's retries "replay as they happened". Each recorded
//! attempt (describe-jobs `attempts[]`, EventBridge `detail.attempts`) runs for its recorded
//! time and ends with its exit code and status reason; the job definition's retry strategy
//! decides after each, as AWS does. AWS (API reference, `EvaluateOnExit`): "If none of the
//! EvaluateOnExit conditions in a RetryStrategy match, then the job is retried."

mod common;

use batchsim::engine::{Options, Simulation};
use batchsim::import::{ImportOptions, Importer};
use batchsim::report::AttemptRecord;
use common::{batchsim, load, scenario_path, temp_dir};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

/// Runs a scenario value; returns its attempt records in the order they ended.
fn attempts_of(scenario: &Value) -> Vec<AttemptRecord> {
    let kept = Arc::new(Mutex::new(Vec::new()));
    let mut sim = Simulation::new(&load(scenario), Options::default()).expect("runs");
    let sink = kept.clone();
    sim.set_attempt_sink(move |a| sink.lock().unwrap().push(a));
    let _ = sim.run();
    let out = kept.lock().unwrap().clone();
    out
}

/// Job ids in the order their attempts started RUNNING (ties by job id).
fn start_order(attempts: &[AttemptRecord]) -> Vec<String> {
    let mut s: Vec<(u64, String)> = attempts
        .iter()
        .filter_map(|a| Some((a.started_at?.as_millis(), a.job_id.to_string())))
        .collect();
    s.sort();
    s.into_iter().map(|(_, j)| j).collect()
}

/// The workload `batchsim import` reads from history documents (one file's text).
fn imported_workload(name: &str, text: &str) -> Value {
    let dir = temp_dir(&format!("replay-{name}"));
    let file = dir.join(name);
    std::fs::write(&file, text).unwrap();
    let mut importer = Importer::new(ImportOptions::default());
    importer.add_file(&file).expect("imports");
    importer.finish("history").expect("finish").scenario["workload"].clone()
}

/// One Fargate (or Fargate Spot) environment, queue `q` and job definition `d` with `retry`.
fn setup(kind: &str, retry: Value, ce_simulation: Value) -> Value {
    json!({
        "seed": 3,
        "computeEnvironments": [{"computeEnvironmentName": "ce", "type": "MANAGED",
            "computeResources": {"type": kind, "maxvCpus": 4}, "simulation": ce_simulation}],
        "jobQueues": [{"jobQueueName": "q", "priority": 1,
            "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "ce"}]}],
        "jobDefinitions": [{"jobDefinitionName": "d", "type": "container", "platformCapabilities": ["FARGATE"],
            "containerProperties": {"resourceRequirements": [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "2048"}]},
            "retryStrategy": retry}]
    })
}

/// describe-jobs output of one job that ran three attempts: exit 1 after 10 s, exit 1
/// after 20 s, exit 0 after 30 s (times in epoch milliseconds, as AWS writes them).
fn three_attempts() -> String {
    let t0 = 1_717_200_000_000i64;
    let attempt = |start: i64, secs: i64, code: i64| {
        json!({"container": {"exitCode": code}, "startedAt": t0 + start, "stoppedAt": t0 + start + secs * 1000,
               "statusReason": "Essential container in task exited"})
    };
    json!({"jobs": [{"jobId": "a1", "jobName": "flaky", "jobQueue": "arn:aws:batch:eu-west-1:1:job-queue/q",
        "jobDefinition": "arn:aws:batch:eu-west-1:1:job-definition/d:1", "status": "SUCCEEDED",
        "createdAt": t0, "startedAt": t0 + 200_000, "stoppedAt": t0 + 230_000, "container": {"exitCode": 0},
        "attempts": [attempt(5_000, 10, 1), attempt(100_000, 20, 1), attempt(200_000, 30, 0)]}]})
    .to_string()
}

/// (run time in ms, exit code, status reason) of each attempt that reached RUNNING.
fn outcomes(attempts: &[AttemptRecord]) -> Vec<(u64, Option<i32>, String)> {
    attempts
        .iter()
        .filter_map(|a| {
            let run = a.stopped_at?.as_millis() - a.started_at?.as_millis();
            Some((run, a.exit_code, a.status_reason.clone().unwrap_or_default()))
        })
        .collect()
}

const EXITED: &str = "Essential container in task exited";

#[test]
fn three_recorded_attempts_replay_as_three_attempts_with_their_times_and_codes() {
    let workload = imported_workload("jobs.json", &three_attempts());
    assert_eq!(
        workload[0]["runtime"],
        json!({"distribution": "fixed", "seconds": 30.0,
               "attempts": [{"seconds": 10.0, "exitCode": 1}, {"seconds": 20.0, "exitCode": 1}, {"seconds": 30.0, "exitCode": 0}]})
    );
    let mut scenario = setup("FARGATE", json!({"attempts": 3}), json!({}));
    scenario["workload"] = workload.clone();
    let got = outcomes(&attempts_of(&scenario));
    assert_eq!(
        got,
        vec![
            (10_000, Some(1), EXITED.into()),
            (20_000, Some(1), EXITED.into()),
            (30_000, Some(0), EXITED.into())
        ]
    );
    // The retry strategy still decides: with an EXIT on exit code 1 the job ends after its
    // first attempt, as it would have on AWS.
    let mut scenario = setup(
        "FARGATE",
        json!({"attempts": 3, "evaluateOnExit": [{"onExitCode": "1", "action": "EXIT"}]}),
        json!({}),
    );
    scenario["workload"] = workload.clone();
    assert_eq!(
        outcomes(&attempts_of(&scenario)),
        vec![(10_000, Some(1), EXITED.into())]
    );
    // A what-if with fewer attempts fails the job after two.
    let mut scenario = setup("FARGATE", json!({"attempts": 2}), json!({}));
    scenario["workload"] = workload;
    let (report, records) = common::run_records(&scenario);
    assert_eq!((report.jobs.succeeded, report.jobs.failed), (0, 1));
    assert_eq!(records[0].attempts, 2);
}

#[test]
fn a_recorded_host_termination_is_replayed_and_matched_by_on_status_reason() {
    // An EventBridge event's detail carries the attempts too: the first attempt lost its
    // host (no exit code), the second exited 0.
    let reason = "Host EC2 (instance i-0123456789abcdef0) terminated.";
    let detail = json!({"jobId": "e1", "jobName": "spotty", "jobQueue": "q", "jobDefinition": "d:1",
        "status": "SUCCEEDED", "createdAt": 1000, "startedAt": 90_000, "stoppedAt": 150_000,
        "attempts": [
            {"container": {}, "startedAt": 5000, "stoppedAt": 65_000, "statusReason": reason},
            {"container": {"exitCode": 0}, "startedAt": 90_000, "stoppedAt": 150_000, "statusReason": EXITED}]});
    let event = json!({"detail-type": "Batch Job State Change", "source": "aws.batch",
        "time": "1970-01-01T00:02:30Z", "detail": detail});
    let workload = imported_workload("events.jsonl", &format!("{event}\n"));
    assert_eq!(
        workload[0]["runtime"]["attempts"],
        json!([{"seconds": 60.0, "statusReason": reason}, {"seconds": 60.0, "exitCode": 0}])
    );
    let retry = json!({"attempts": 2, "evaluateOnExit": [
        {"onStatusReason": "Host EC2*", "action": "RETRY"}, {"onReason": "*", "action": "EXIT"}]});
    let mut scenario = setup("FARGATE", retry, json!({}));
    scenario["workload"] = workload.clone();
    assert_eq!(
        outcomes(&attempts_of(&scenario)),
        vec![(60_000, None, reason.into()), (60_000, Some(0), EXITED.into())]
    );
    // Without a rule that retries it, a host termination is still retried when no entry
    // matches ("If none of the EvaluateOnExit conditions ... match, then the job is
    // retried"); an EXIT on it ends the job.
    let exit = json!({"attempts": 2, "evaluateOnExit": [{"onStatusReason": "Host EC2*", "action": "EXIT"}]});
    let mut scenario = setup("FARGATE", exit, json!({}));
    scenario["workload"] = workload;
    assert_eq!(outcomes(&attempts_of(&scenario)), vec![(60_000, None, reason.into())]);
}

#[test]
fn an_attempt_the_simulation_interrupts_is_replayed_again() {
    // Fargate Spot reclaims that did not happen in the recording: each reclaimed attempt
    // ends the simulation's way, and the next attempt replays the same recorded one, so the
    // attempts that end by themselves are the recorded ones, in order.
    let workload = imported_workload("jobs.json", &three_attempts());
    let mut scenario = setup(
        "FARGATE_SPOT",
        json!({"attempts": 10}),
        json!({"interruptionsPerHour": 60}),
    );
    scenario["workload"] = workload;
    let attempts = attempts_of(&scenario);
    let reclaimed = attempts
        .iter()
        .filter(|a| a.status_reason.as_deref() == Some("Your Spot Task was interrupted."))
        .count();
    assert!(reclaimed >= 1, "the seed gives at least one reclaim: {attempts:?}");
    let own: Vec<_> = outcomes(&attempts)
        .into_iter()
        .filter(|(_, code, _)| code.is_some())
        .collect();
    assert_eq!(
        own,
        vec![
            (10_000, Some(1), EXITED.into()),
            (20_000, Some(1), EXITED.into()),
            (30_000, Some(0), EXITED.into())
        ]
    );
    assert_eq!(attempts.last().and_then(|a| a.exit_code), Some(0));
}

#[test]
fn recorded_attempts_are_checked() {
    let mut scenario = setup("FARGATE", json!({"attempts": 3}), json!({}));
    scenario["workload"] = json!([
        {"at": 0, "submitJob": {"jobName": "a", "jobQueue": "q", "jobDefinition": "d"},
         "runtime": {"distribution": "fixed", "seconds": 1, "attempts": [{"seconds": -1}, {"exitCode": 1}]}},
        {"at": 0, "submitJob": {"jobName": "b", "jobQueue": "q", "jobDefinition": "d"},
         "runtime": {"distribution": "fixed", "seconds": 1, "attempts": []}},
        {"arrivals": {"process": "every", "seconds": 60}, "count": 2,
         "submitJob": {"jobName": "c", "jobQueue": "q", "jobDefinition": "d"},
         "runtime": {"distribution": "fixed", "seconds": 1, "attempts": [{"seconds": 1}]}}
    ]);
    let err = batchsim::Scenario::from_value(&scenario, "s.json")
        .unwrap_err()
        .to_string();
    for want in [
        "workload[0].runtime.attempts[0].seconds: must be 0 or more and at most 1e12 seconds, found -1",
        "workload[0].runtime.attempts[1]: missing required field `seconds`",
        "workload[1].runtime.attempts: give at least one recorded attempt",
        "workload[2].runtime.attempts: recorded attempts replay one job",
    ] {
        assert!(err.contains(want), "{want}\n{err}");
    }
}

/// The round trip of issue 12 with retries: run a scenario whose jobs fail and are retried
/// (`timeout-retry`: exit code 75 retried, timeouts not), write `--jobs out.json`
/// (describe-jobs), import it, replay it under the same set-up: every attempt comes back
/// with its run time, exit code and status reason, and the jobs start in the same order.
#[test]
fn run_describe_jobs_import_replay_reproduces_attempts_and_start_order() {
    let path = scenario_path("timeout-retry.json");
    let original: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let dir = temp_dir("replay-round-trip");
    let out_json = dir.join("out.json");
    let o = batchsim(&["run", &path, "--jobs", out_json.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let history: Value = serde_json::from_str(&std::fs::read_to_string(&out_json).unwrap()).unwrap();
    let retried = history["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|j| j["attempts"].as_array().unwrap().len() > 1)
        .count();
    assert!(retried >= 10, "the history has retried jobs: {retried}");
    let mut importer = Importer::new(ImportOptions::default());
    importer.add_file(&out_json).unwrap();
    let mut replay = original.clone();
    replay["workload"] = importer.finish("replay").unwrap().scenario["workload"].clone();
    let before = attempts_of(&original);
    let after = attempts_of(&replay);
    assert!(before.iter().any(|a| a.exit_code == Some(75)));
    assert!(before
        .iter()
        .any(|a| a.status_reason.as_deref() == Some("Job attempt duration exceeded timeout")));
    // The replay's clock starts at the first submission; so does the recording's (0 s).
    let key = |a: &AttemptRecord| {
        (
            a.job_id.to_string(),
            a.attempt,
            a.started_at.map(|t| t.as_millis()),
            a.stopped_at.map(|t| t.as_millis()),
            a.exit_code,
            a.status_reason.clone(),
        )
    };
    let mut b: Vec<_> = before.iter().map(key).collect();
    let mut a: Vec<_> = after.iter().map(key).collect();
    b.sort();
    a.sort();
    assert_eq!(a.len(), b.len());
    assert_eq!(a, b, "every attempt, job by job");
    // Start order: attempts by RUNNING time, ties by job.
    assert_eq!(start_order(&after), start_order(&before));
}

/// describe-jobs output of an array job of three children that ran 10 s, 20 s and 30 s;
/// child 2 first failed (exit 1 after 5 s) and its retry ran the 30 s.
fn three_children() -> String {
    let t0 = 1_717_200_000_000i64;
    let attempt = |start: i64, secs: i64, code: i64| {
        json!({"container": {"exitCode": code}, "startedAt": t0 + start, "stoppedAt": t0 + start + secs * 1000,
               "statusReason": EXITED})
    };
    let child = |i: u32, attempts: Vec<Value>| {
        let last = attempts.last().cloned().unwrap();
        json!({"jobId": format!("arr:{i}"), "jobName": "fan", "jobQueue": "q", "jobDefinition": "d:1",
            "status": "SUCCEEDED", "createdAt": t0, "startedAt": last["startedAt"], "stoppedAt": last["stoppedAt"],
            "container": {"exitCode": 0}, "arrayProperties": {"index": i}, "attempts": attempts})
    };
    json!({"jobs": [
        {"jobId": "arr", "jobName": "fan", "jobQueue": "arn:aws:batch:eu-west-1:1:job-queue/q",
         "jobDefinition": "arn:aws:batch:eu-west-1:1:job-definition/d:1", "status": "SUCCEEDED",
         "createdAt": t0, "arrayProperties": {"size": 3, "statusSummary": {"SUCCEEDED": 3}}},
        child(0, vec![attempt(1000, 10, 0)]),
        child(1, vec![attempt(1000, 20, 0)]),
        child(2, vec![attempt(1000, 5, 1), attempt(9000, 30, 0)])]})
    .to_string()
}

/// (job id, run time in ms, exit code) of each attempt that reached RUNNING, sorted.
fn by_job(attempts: &[AttemptRecord]) -> Vec<(String, u64, Option<i32>)> {
    let mut v: Vec<_> = attempts
        .iter()
        .filter_map(|a| {
            let run = a.stopped_at?.as_millis() - a.started_at?.as_millis();
            Some((a.job_id.to_string(), run, a.exit_code))
        })
        .collect();
    v.sort();
    v
}

#[test]
fn each_array_child_replays_its_own_recorded_attempts() {
    // AWS (User Guide, Array jobs): an array job "runs as a collection of related yet
    // separate basic jobs", each child with its own job ID (`example_job_ID:0`): each
    // child's attempts are its own.
    let workload = imported_workload("array.json", &three_children());
    assert_eq!(workload.as_array().map(Vec::len), Some(1), "{workload}");
    assert_eq!(
        workload[0]["runtime"],
        json!({"distribution": "fixed", "seconds": 20.0, "childAttempts": [
            {"index": 0, "attempts": [{"seconds": 10.0, "exitCode": 0}]},
            {"index": 1, "attempts": [{"seconds": 20.0, "exitCode": 0}]},
            {"index": 2, "attempts": [{"seconds": 5.0, "exitCode": 1}, {"seconds": 30.0, "exitCode": 0}]}]})
    );
    let mut scenario = setup("FARGATE", json!({"attempts": 2}), json!({}));
    scenario["workload"] = workload.clone();
    let attempts = attempts_of(&scenario);
    assert_eq!(
        by_job(&attempts),
        vec![
            ("1:0".to_owned(), 10_000, Some(0)),
            ("1:1".to_owned(), 20_000, Some(0)),
            ("1:2".to_owned(), 5_000, Some(1)),
            ("1:2".to_owned(), 30_000, Some(0)),
        ]
    );
    // The retry strategy still decides for each child: one attempt only, child 2 fails.
    let mut scenario = setup("FARGATE", json!({"attempts": 1}), json!({}));
    scenario["workload"] = workload;
    let (report, records) = common::run_records(&scenario);
    assert_eq!((report.jobs.succeeded, report.jobs.failed), (2, 1));
    let failed: Vec<String> = records
        .iter()
        .filter(|r| r.status == batchsim::JobStatus::Failed)
        .map(|r| r.job_id.to_string())
        .collect();
    assert_eq!(failed, ["1:2"]);
}

#[test]
fn child_attempts_are_checked() {
    let mut scenario = setup("FARGATE", json!({"attempts": 3}), json!({}));
    let one = json!([{"seconds": 1}]);
    scenario["workload"] = json!([
        {"at": 0, "submitJob": {"jobName": "a", "jobQueue": "q", "jobDefinition": "d"},
         "runtime": {"distribution": "fixed", "seconds": 1, "childAttempts": [{"index": 0, "attempts": one}]}},
        {"at": 0, "submitJob": {"jobName": "b", "jobQueue": "q", "jobDefinition": "d", "arrayProperties": {"size": 2}},
         "runtime": {"distribution": "fixed", "seconds": 1, "childAttempts": [
            {"index": 1, "attempts": one}, {"index": 2, "attempts": one}, {"index": 1, "attempts": one},
            {"index": -1, "attempts": one}, {"index": 0, "attempts": []}, {"index": 0}]}},
        {"arrivals": {"process": "every", "seconds": 60}, "count": 2,
         "submitJob": {"jobName": "c", "jobQueue": "q", "jobDefinition": "d", "arrayProperties": {"size": 2}},
         "runtime": {"distribution": "fixed", "seconds": 1, "childAttempts": [{"index": 0, "attempts": one}]}},
        {"at": 0, "submitJob": {"jobName": "e", "jobQueue": "q", "jobDefinition": "d", "arrayProperties": {"size": 2}},
         "runtime": {"distribution": "fixed", "seconds": 1, "childAttempts": [{"index": 0, "attempts": one, "exitCode": 1}]}}
    ]);
    let err = batchsim::Scenario::from_value(&scenario, "s.json")
        .unwrap_err()
        .to_string();
    for want in [
        "workload[0].runtime.childAttempts: replays the children of an array job: give `submitJob.arrayProperties.size`",
        "workload[1].runtime.childAttempts[1].index: 2 is past the array's last child (arrayProperties.size 2: indexes 0 to 1)",
        "workload[1].runtime.childAttempts[2].index: child 1 is listed twice (also at childAttempts[0])",
        "workload[1].runtime.childAttempts[3].index: must be an array index from 0, found -1",
        "workload[1].runtime.childAttempts[4].attempts: give at least one recorded attempt",
        "workload[1].runtime.childAttempts[5]: missing required field `attempts`",
        "workload[2].runtime.childAttempts: recorded attempts replay one array job",
        "workload[3].runtime.childAttempts[0].exitCode: unknown field `exitCode`",
    ] {
        assert!(err.contains(want), "{want}\n{err}");
    }
}

/// The round trip of issue 12 with array jobs: children drawn with different run times,
/// some failing and retried, written as describe-jobs, imported and replayed: every
/// child's attempts come back with their times and exit codes, in the same start order.
#[test]
fn array_children_round_trip_through_describe_jobs() {
    let mut original = setup("FARGATE", json!({"attempts": 3}), json!({}));
    original["workload"] = json!([
        {"at": 0, "submitJob": {"jobName": "fan", "jobQueue": "q", "jobDefinition": "d", "arrayProperties": {"size": 12}},
         "runtime": {"distribution": "uniform", "minSeconds": 10, "maxSeconds": 90,
                     "failureProbability": 0.3, "failureExitCode": 7}},
        {"at": 30, "submitJob": {"jobName": "single", "jobQueue": "q", "jobDefinition": "d"},
         "runtime": {"distribution": "fixed", "seconds": 40}},
        {"at": 45, "submitJob": {"jobName": "pair", "jobQueue": "q", "jobDefinition": "d", "arrayProperties": {"size": 2}},
         "runtime": {"distribution": "fixed", "seconds": 15}}
    ]);
    let dir = temp_dir("replay-array-round-trip");
    let scenario_file = dir.join("arrays.json");
    std::fs::write(&scenario_file, original.to_string()).unwrap();
    let out_json = dir.join("out.json");
    let o = batchsim(&[
        "run",
        scenario_file.to_str().unwrap(),
        "--jobs",
        out_json.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let mut importer = Importer::new(ImportOptions::default());
    importer.add_file(&out_json).unwrap();
    let imported = importer.finish("replay").unwrap();
    let mut replay = original.clone();
    replay["workload"] = imported.scenario["workload"].clone();
    let fan = &replay["workload"][0]["runtime"];
    assert_eq!(fan["childAttempts"].as_array().map(Vec::len), Some(12), "{fan}");
    assert!(
        replay["workload"][2]["runtime"].get("childAttempts").is_none(),
        "alike children: the plain runtime {}",
        replay["workload"][2]
    );
    assert!(
        !imported.notes.iter().any(|n| n.contains("mean run time")),
        "every child has its record: {:?}",
        imported.notes
    );
    let before = attempts_of(&original);
    let after = attempts_of(&replay);
    assert!(
        before.iter().any(|a| a.exit_code == Some(7)),
        "the seed fails some children: {before:?}"
    );
    let distinct: std::collections::BTreeSet<u64> = by_job(&before)
        .iter()
        .filter(|(j, _, _)| j.starts_with("1:"))
        .map(|r| r.1)
        .collect();
    assert!(distinct.len() >= 6, "children ran for different times: {distinct:?}");
    let key = |a: &AttemptRecord| {
        (
            a.job_id.to_string(),
            a.attempt,
            a.started_at.map(|t| t.as_millis()),
            a.stopped_at.map(|t| t.as_millis()),
            a.exit_code,
        )
    };
    let mut b: Vec<_> = before.iter().map(key).collect();
    let mut a: Vec<_> = after.iter().map(key).collect();
    b.sort();
    a.sort();
    assert_eq!(a, b, "every child's attempts, job by job");
    assert_eq!(start_order(&after), start_order(&before));
}

/// Job ids with the run time estimate (milliseconds) a policy saw for them.
type Estimates = Arc<Mutex<Vec<(String, Option<u64>)>>>;

/// Takes the earliest submission (FIFO) and writes down the run time estimate each job
/// offered had, by job id.
struct EstimateSeen(Estimates);

impl batchsim::policy::JobPolicy for EstimateSeen {
    fn pick<'a>(&mut self, view: &batchsim::policy::QueueView<'a>) -> Option<&'a batchsim::policy::QueuedJob> {
        let job = view.jobs_in_submission_order().next()?;
        let estimate = view
            .details(job)
            .and_then(|i| i.runtime_estimate)
            .map(|d| d.as_millis());
        let mut seen = self.0.lock().unwrap();
        let id = job.id.to_string();
        if !seen.iter().any(|(j, _)| *j == id) {
            seen.push((id, estimate));
        }
        Some(job)
    }
}

#[test]
fn a_replayed_array_childs_run_time_estimate_is_its_own_first_attempt() {
    // A custom policy sees each child's estimate (JobInfo::runtime_estimate): the time of its
    // own first recorded attempt, not the children's mean (20 s) the entry's model gives.
    let mut scenario = setup("FARGATE", json!({"attempts": 2}), json!({}));
    scenario["workload"] = imported_workload("array-estimate.json", &three_children());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut sim = Simulation::new(&load(&scenario), Options::default()).expect("runs");
    sim.set_policy("q", Box::new(EstimateSeen(seen.clone()))).unwrap();
    let report = sim.run();
    assert_eq!(report.jobs.succeeded, 3);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        [
            ("1:0".to_owned(), Some(10_000)),
            ("1:1".to_owned(), Some(20_000)),
            ("1:2".to_owned(), Some(5_000)),
        ]
    );
}
