//! The per-attempt table (`batchsim run --attempts FILE`, issue 14 item 4): one row per
//! dispatch, consistent with the per-job table and the report.

mod common;

use common::{scenario_path, temp_dir};
use std::collections::BTreeMap;
use std::process::Command;

fn batchsim(args: &[&str]) -> std::process::Output {
    let o = Command::new(env!("CARGO_BIN_EXE_batchsim"))
        .args(args)
        .output()
        .expect("run batchsim");
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    o
}

/// One CSV row by column name.
type Row = BTreeMap<String, String>;

fn table(path: &std::path::Path) -> Vec<Row> {
    let mut r = csv::Reader::from_path(path).expect("a CSV table");
    let headers = r.headers().expect("header").clone();
    r.records()
        .map(|row| {
            let row = row.expect("a row");
            headers
                .iter()
                .zip(row.iter())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

fn secs(v: &str) -> f64 {
    v.parse().unwrap_or_else(|_| panic!("a number: {v:?}"))
}

/// Runs `scenario` with both tables and the JSON report.
fn run_tables(scenario: &str, tag: &str) -> (Vec<Row>, Vec<Row>, serde_json::Value) {
    let dir = temp_dir(tag);
    let (jobs, attempts) = (dir.join("jobs.csv"), dir.join("attempts.csv"));
    let o = batchsim(&[
        "run",
        &scenario_path(scenario),
        "--format",
        "json",
        "--jobs",
        &jobs.display().to_string(),
        "--attempts",
        &attempts.display().to_string(),
    ]);
    let report = serde_json::from_slice(&o.stdout).expect("JSON report");
    (table(&jobs), table(&attempts), report)
}

#[test]
fn spot_attempts_add_up_to_the_job_rows_and_the_report() {
    let (jobs, attempts, report) = run_tables("compare-ec2-spot.json", "attempts-spot");
    // AWS: "When a job is submitted to a job queue and placed into the RUNNING state that's
    // considered an attempt" (SubmitJob retryStrategy): rows that reached RUNNING are the
    // job rows' `attempts`.
    let running = attempts.iter().filter(|a| !a["startedAt"].is_empty()).count();
    let counted: u64 = jobs.iter().map(|j| j["attempts"].parse::<u64>().unwrap()).sum();
    assert_eq!(running as u64, counted);
    let dispatched: u64 = report["computeEnvironments"]
        .as_object()
        .unwrap()
        .values()
        .map(|c| c["jobsStarted"].as_u64().unwrap())
        .sum();
    assert_eq!(attempts.len() as u64, dispatched, "one row per dispatch");
    // Reclaims show as FAILED attempts with the EC2 host reason and no exit code.
    let reclaimed: Vec<_> = attempts
        .iter()
        .filter(|a| a["statusReason"].starts_with("Host EC2 (instance i-"))
        .collect();
    // Interruptions count reclaimed instances, idle ones included: at least one per
    // reclaimed attempt's instance.
    let interruptions = report["computeEnvironments"]["ec2-spot"]["interruptions"]
        .as_u64()
        .unwrap();
    let hosts: std::collections::BTreeSet<&str> = reclaimed.iter().map(|a| a["instanceIds"].as_str()).collect();
    assert!(
        !hosts.is_empty() && hosts.len() as u64 <= interruptions,
        "{} hosts, {interruptions}",
        hosts.len()
    );
    assert!(reclaimed
        .iter()
        .all(|a| a["status"] == "FAILED" && a["exitCode"].is_empty()));
    assert!(reclaimed.iter().all(|a| a["statusReason"].contains(&a["instanceIds"])));
    // Each row's instance type is one the CE may launch.
    assert!(attempts.iter().all(|a| !a["instanceTypes"].is_empty()));
    // A job's attempts are numbered 1, 2, ... in dispatch order.
    let mut last: BTreeMap<&str, (u32, f64)> = BTreeMap::new();
    let mut by_end: Vec<&BTreeMap<String, String>> = attempts.iter().collect();
    by_end.sort_by(|a, b| secs(&a["dispatchedAt"]).total_cmp(&secs(&b["dispatchedAt"])));
    for a in by_end {
        let n: u32 = a["attempt"].parse().unwrap();
        let prev = last.insert(&a["jobId"], (n, secs(&a["dispatchedAt"])));
        assert_eq!(n, prev.map_or(1, |(p, _)| p + 1), "{a:?}");
    }
    // The job row's wait is its first dispatch minus its first RUNNABLE.
    let first: BTreeMap<&str, f64> = attempts
        .iter()
        .filter(|a| a["attempt"] == "1")
        .map(|a| (a["jobId"].as_str(), secs(&a["dispatchedAt"])))
        .collect();
    for j in jobs.iter().filter(|j| !j["waitSeconds"].is_empty()) {
        let wait = first[j["jobId"].as_str()] - secs(&j["runnableAt"]);
        assert!((wait - secs(&j["waitSeconds"])).abs() < 1e-9, "{j:?}");
    }
    // Attempts' costs plus the idle cost are the bill.
    let billed: f64 = attempts.iter().map(|a| secs(&a["cost"])).sum();
    let (total, idle) = (
        report["cost"]["total"].as_f64().unwrap(),
        report["cost"]["idle"].as_f64().unwrap(),
    );
    assert!((billed + idle - total).abs() < 1e-6, "{billed} + {idle} != {total}");
}

#[test]
fn exit_codes_and_timeouts_appear_per_attempt() {
    let (jobs, attempts, _) = run_tables("timeout-retry.json", "attempts-retry");
    assert!(attempts
        .iter()
        .any(|a| a["exitCode"] == "0" && a["status"] == "SUCCEEDED"));
    let failed_exit = attempts
        .iter()
        .filter(|a| a["status"] == "FAILED" && !a["exitCode"].is_empty())
        .count();
    let timed_out = attempts
        .iter()
        .filter(|a| a["statusReason"].contains("timed out") || a["statusReason"].contains("Timeout"))
        .count();
    assert!(failed_exit + timed_out > 0, "the scenario has failing attempts");
    // Fargate: no instances.
    assert!(attempts.iter().all(|a| a["instanceIds"].is_empty()));
    // Every job that ran has its last attempt's end as its stoppedAt.
    let mut last_end: BTreeMap<&str, &str> = BTreeMap::new();
    for a in &attempts {
        last_end.insert(&a["jobId"], &a["stoppedAt"]);
    }
    for j in jobs.iter().filter(|j| j["attempts"] != "0") {
        assert_eq!(last_end[j["jobId"].as_str()], j["stoppedAt"], "{j:?}");
    }
}

#[test]
fn attempts_dash_is_stdout_with_the_summary_on_stderr() {
    let o = batchsim(&["run", &scenario_path("quickstart.json"), "--attempts", "-"]);
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.starts_with(batchsim::report::attempts::HEADER), "{out}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("scenario quickstart"));
    let o = Command::new(env!("CARGO_BIN_EXE_batchsim"))
        .args([
            "run",
            &scenario_path("quickstart.json"),
            "--attempts",
            "-",
            "--jobs",
            "-",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "two tables cannot share standard output");
}

#[test]
fn attempts_still_live_at_the_end_have_no_stopped_at() {
    let dir = temp_dir("attempts-until");
    let path = dir.join("a.csv");
    batchsim(&[
        "run",
        &scenario_path("quickstart.json"),
        "--until",
        "100",
        "--attempts",
        &path.display().to_string(),
    ]);
    let rows = table(&path);
    let live: Vec<_> = rows.iter().filter(|a| a["stoppedAt"].is_empty()).collect();
    assert!(!live.is_empty(), "quickstart has jobs running at 100 s");
    assert!(live
        .iter()
        .all(|a| a["status"] == "RUNNING" || a["status"] == "STARTING"));
    assert!(
        live.iter().all(|a| secs(&a["cost"]) > 0.0),
        "billed to the end of the run"
    );
}

#[test]
fn a_job_rows_ce_and_started_at_come_from_one_attempt() {
    // Issue 16: "a job's `startedAt` can come from an earlier attempt than its
    // `computeEnvironment` (an attempt reclaimed while STARTING)". Job x runs on `od` from 0
    // and fails at 100 s (retried); y, in a higher-priority queue, takes `od` at 100 s, so
    // x's retry goes to `spot` (enabled at 100 s), whose tasks are reclaimed within their
    // 60 s start. At 130 s x has one attempt that reached RUNNING, on `od`: its row names
    // `od` with that attempt's `startedAt` (CONTRACT 7.4), though its latest dispatch was
    // to `spot`.
    let fargate = |name: &str, kind: &str, startup: u32, reclaims: f64| {
        serde_json::json!({"computeEnvironmentName": name, "type": "MANAGED",
            "computeResources": {"type": kind, "maxvCpus": 1},
            "simulation": {"startupSeconds": startup, "interruptionsPerHour": reclaims}})
    };
    // 360 an hour x 60 s: 6 reclaims expected per start, the most validation accepts.
    let mut spot = fargate("spot", "FARGATE_SPOT", 60, 360.0);
    spot["state"] = serde_json::json!("DISABLED");
    let mut def = common::fargate_def("d", "1", "2048");
    def["retryStrategy"] = serde_json::json!({"attempts": 2});
    let v = serde_json::json!({
        "computeEnvironments": [fargate("od", "FARGATE", 0, 0.0), spot],
        "jobQueues": [common::queue("q", 1, &["od", "spot"]), common::queue("hq", 9, &["od"])],
        "jobDefinitions": [def],
        "workload": [
            {"at": 0, "submitJob": {"jobName": "x", "jobQueue": "q", "jobDefinition": "d"},
             "runtime": {"distribution": "fixed", "seconds": 100, "exitCode": 1}},
            {"at": 50, "submitJob": {"jobName": "y", "jobQueue": "hq", "jobDefinition": "d"},
             "runtime": {"distribution": "fixed", "seconds": 1000}}],
        "actions": [{"at": 100, "updateComputeEnvironment": {"computeEnvironment": "spot", "state": "ENABLED"}}],
        "until": 130
    });
    let s = common::load(&v);
    let mut sim = batchsim::Simulation::new(
        &s,
        batchsim::Options {
            record_jobs: true,
            ..Default::default()
        },
    )
    .unwrap();
    let rows = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = rows.clone();
    sim.set_attempt_sink(move |a| sink.lock().unwrap().push(a));
    let (_, records) = sim.run_with_records();
    let rows = rows.lock().unwrap();
    let x: Vec<_> = rows.iter().filter(|a| a.job_name == "x").collect();
    assert!(x.len() >= 2, "x was dispatched again: {x:?}");
    assert_eq!(x[0].compute_environment, "od");
    assert!(
        x[1..]
            .iter()
            .all(|a| a.compute_environment == "spot" && a.started_at.is_none()),
        "{x:?}"
    );
    let row = records.iter().find(|r| &*r.job_name == "x").unwrap();
    assert_eq!(row.attempts, 1);
    assert_eq!(row.started_at, Some(batchsim::SimTime::ZERO));
    assert_eq!(row.compute_environment.as_deref(), Some("od"), "{row:?}");
}

/// One FARGATE_SPOT job of 10 s on a 1-vCPU compute environment with `startupSeconds` and
/// `interruptionsPerHour`, with `retry` attempts, and no `until`.
fn spot_task(startup: f64, rate: f64, retry: u32) -> serde_json::Value {
    let mut def = common::fargate_def("d", "1", "2048");
    def["retryStrategy"] = serde_json::json!({"attempts": retry});
    serde_json::json!({
        "computeEnvironments": [{"computeEnvironmentName": "spot", "type": "MANAGED",
            "computeResources": {"type": "FARGATE_SPOT", "maxvCpus": 1},
            "simulation": {"startupSeconds": startup, "interruptionsPerHour": rate}}],
        "jobQueues": [common::queue("q", 1, &["spot"])],
        "jobDefinitions": [def],
        "workload": [{"at": 0, "submitJob": {"jobName": "x", "jobQueue": "q", "jobDefinition": "d"},
            "runtime": {"distribution": "fixed", "seconds": 10}}]
    })
}

#[test]
fn a_rate_at_which_no_task_starts_is_rejected() {
    // Found by tests/fuzz_input.rs (a random case hung CI): at `interruptionsPerHour: 1e300`
    // and 30 s of startup every task is reclaimed while STARTING, which does not use up a
    // retry (CONTRACT 7.4), so the job is dispatched again for ever and a run without
    // `until` never ends. Such a rate is a validation error at its path.
    let e = batchsim::Scenario::from_value(&spot_task(30.0, 1e300, 1), "spot.json").unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("computeEnvironments[0].simulation.interruptionsPerHour")
            && text.contains("at 1e300 reclaims per hour and startupSeconds 30, an attempt is expected to be reclaimed 8.333e297 times before it starts (at most 6)"),
        "{text}"
    );
    assert_eq!(common::not_for_people(&text), None, "{text}");
    // From the command line: exit 2, the file and the path named.
    let dir = temp_dir("unstartable");
    let file = dir.join("spot.json");
    std::fs::write(&file, spot_task(30.0, 1e300, 1).to_string()).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_batchsim"))
        .args(["run", file.to_str().unwrap()])
        .output()
        .expect("run batchsim");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("spot.json") && err.contains("simulation.interruptionsPerHour: at 1e300"),
        "{err}"
    );
    // With `until` too: the run would end there, but after a dispatch and a reclaim every
    // millisecond per task until then.
    let mut bounded = spot_task(30.0, 1e300, 1);
    bounded["until"] = serde_json::json!(86_400);
    let e = batchsim::Scenario::from_value(&bounded, "spot.json").unwrap_err();
    assert!(e.to_string().contains("simulation.interruptionsPerHour"), "{e}");
    // 6 reclaims expected per startup is the bound (720 per hour x 30 s / 3600 = 6): about one
    // dispatch in e^6 = 403 starts, and the run ends with the job terminal.
    let report = common::run(&spot_task(30.0, 720.0, 1));
    assert_eq!(report.jobs.submitted, 1);
    assert_eq!(report.jobs.unfinished, 0, "{:?}", report.jobs);
    assert_eq!(report.jobs.succeeded + report.jobs.failed, 1, "{:?}", report.jobs);
    assert!(report.compute_environments["spot"].interruptions >= 1);
}

#[test]
fn a_reclaim_comes_at_least_a_millisecond_after_the_start() {
    // Without startup the 1e300 rate is accepted (nothing to survive before RUNNING): every
    // draw rounds to 0 ms, and the clock's step is the floor, so each of the 3 attempts runs
    // 1 ms before its task is reclaimed, and each uses up a retry (it reached RUNNING).
    let (report, records) = common::run_records(&spot_task(0.0, 1e300, 3));
    assert_eq!(report.jobs.failed, 1, "{:?}", report.jobs);
    assert_eq!(report.compute_environments["spot"].interruptions, 3);
    let r = &records[0];
    assert_eq!(r.attempts, 3);
    assert_eq!(r.status_reason.as_deref(), Some("Your Spot Task was interrupted."));
    assert_eq!(r.stopped_at, Some(batchsim::SimTime::from_millis(3)));
}
