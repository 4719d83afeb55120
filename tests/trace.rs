//! Trace workloads: the KTH SP2 log replayed FIFO against an independent strict-FCFS replay,
//! EASY backfilling with its reservation invariant, CSV traces and skipped-line warnings, and
//! traces checked up front when a scenario is loaded (bad lines, gzip damage, open failures,
//! rows naming queues or shares that cannot be used, absolute submit times).

mod common;

use batchsim::{Options, Scenario, Simulation};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// The vendored KTH SP2 log (scenarios/traces/, see its README).
fn kth() -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/traces/KTH-SP2-1996-2.1-cln.swf.gz");
    assert!(p.is_file(), "{} is missing: it is part of the repository", p.display());
    p
}

/// A bundled KTH scenario, loaded from its own file (so its relative trace path is the one
/// checked).
fn kth_scenario(backfill: &str) -> Scenario {
    let s = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("scenarios/kth-sp2-{backfill}.json"));
    let scenario = Scenario::from_file(&s).unwrap_or_else(|e| panic!("{e}"));
    match &scenario.workload()[0] {
        batchsim::workload::WorkloadEntry::Trace { path, .. } => {
            assert_eq!(
                std::fs::canonicalize(path).unwrap(),
                std::fs::canonicalize(kth()).unwrap()
            );
        }
        other => panic!("not a trace entry: {other:?}"),
    }
    scenario
}

/// The figures of an independent strict-FCFS replay of the same log on 100 processors
/// (a short Python program written apart from batchsim: jobs in submission order, each
/// starting at the earliest time at or after its submission and its predecessor's start
/// when enough processors are free; waits in seconds, percentiles by linear interpolation
/// between closest ranks):
///   jobs 27992, mean 218980.575272, p50 149467.5, p95 573580.5, p99 635007.18,
///   max 705687, last completion 29381344.
#[test]
fn kth_fifo_replay_agrees_with_an_independent_fcfs_replay() {
    let s = kth_scenario("none");
    let r = Simulation::new(&s, Options::default()).unwrap().run();
    assert_eq!(r.jobs.submitted, 27_992);
    assert_eq!(r.jobs.succeeded, 27_992);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert_eq!(
        (r.wait_seconds.never_started, r.wait_seconds.oldest_wait_seconds),
        (0, None)
    );
    let w = &r.wait_seconds.stats;
    assert_eq!(w.count, 27_992);
    let (mean, p50, p95, p99) = (w.mean.unwrap(), w.p50.unwrap(), w.p95.unwrap(), w.p99.unwrap());
    assert!((mean - 218_980.575_272).abs() < 1e-3, "mean {mean}");
    // 27,992 samples: past the 8,192 a statistic keeps exactly (64 KiB), so percentiles are
    // within the contract's bound: "Percentiles are exact or within 1% relative error"
    // (CONTRACT section 4); mean and max stay exact.
    for (got, want) in [(p50, 149_467.5), (p95, 573_580.5), (p99, 635_007.18)] {
        assert!((got - want).abs() <= 0.01 * want, "got {got}, want {want}");
    }
    assert_eq!(w.max, Some(705_687.0));
    assert_eq!(r.end_seconds, 29_381_344.0);
}

#[test]
fn kth_easy_backfilling_cuts_waits_and_keeps_every_reservation() {
    let (fifo, easy, greedy) = (kth_scenario("none"), kth_scenario("easy"), kth_scenario("greedy"));
    let fifo = Simulation::new(&fifo, Options::default()).unwrap().run();
    let mut sim = Simulation::new(&easy, Options::default()).unwrap();
    while sim.step() {}
    assert_eq!(
        sim.reservation_misses(),
        0,
        "a backfilled job delayed a head past its reservation"
    );
    let easy = sim.finish();
    assert_eq!(easy.jobs.succeeded, 27_992);
    let mean = |r: &batchsim::Report| r.wait_seconds.stats.mean.expect("waits");
    let max = |r: &batchsim::Report| r.wait_seconds.stats.max.expect("waits");
    assert!(
        mean(&easy) < mean(&fifo) / 10.0,
        "EASY {} vs FIFO {}",
        mean(&easy),
        mean(&fifo)
    );
    // EASY never lets a job wait as long as FIFO's worst; greedy may starve big jobs.
    assert!(max(&easy) < max(&fifo));
    let greedy = Simulation::new(&greedy, Options::default()).unwrap().run();
    assert!(mean(&greedy) < mean(&fifo) / 10.0);
    assert!(max(&greedy) > max(&easy), "greedy starves the widest jobs longer");
}

fn temp(name: &str, text: &str) -> PathBuf {
    temp_bytes(name, text.as_bytes())
}

fn temp_bytes(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("batchsim-trace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn easy_backfills_only_what_does_not_delay_the_head() {
    // 4 vCPUs. t=0: A (3 vCPU, 100 s, estimate 100) runs. t=1: B (4 vCPU) blocks: shadow
    // time 100 when A ends, extra 0. C (1 vCPU, estimate 90) ends by 92 < 100: backfilled at
    // 2. D (1 vCPU, estimate 200) would pass 100 and there is no extra: it waits for B.
    // SWF fields: job, submit, wait, run, procs, cpu, mem, req procs, req time, ...
    let swf = temp(
        "easy.swf",
        "; a tiny log\n\
         1 0 -1 100 3 -1 -1 3 100 -1 1 1 1 -1 1 -1 -1 -1\n\
         2 1 -1 100 4 -1 -1 4 100 -1 1 1 1 -1 1 -1 -1 -1\n\
         3 2 -1 90 1 -1 -1 1 90 -1 1 1 1 -1 1 -1 -1 -1\n\
         4 3 -1 200 1 -1 -1 1 150 -1 1 1 1 -1 1 -1 -1 -1\n",
    );
    let v = json!({
        "computeEnvironments": [common::fargate_ce("ce", 4)],
        "jobQueues": [{"jobQueueName": "q", "priority": 1, "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "ce"}],
                       "simulation": {"backfill": "easy"}}],
        "jobDefinitions": [common::fargate_def("d", "1", "2048")],
        "workload": [{"trace": {"path": swf.display().to_string(), "format": "swf"},
                      "submitJob": {"jobQueue": "q", "jobDefinition": "d"}}]
    });
    let (r, recs) = common::run_records(&v);
    let start = |i: usize| recs[i].started_at.map(|t| t.as_secs_f64());
    assert_eq!(start(0), Some(0.0));
    assert_eq!(start(2), Some(2.0), "C backfilled");
    assert_eq!(start(1), Some(100.0), "B at its reservation");
    assert_eq!(start(3), Some(200.0), "D not backfilled: it would have delayed B");
    assert_eq!(r.jobs.succeeded, 4);
}

#[test]
fn csv_traces_take_their_columns_and_report_skipped_lines() {
    let csv = temp(
        "jobs.csv",
        "submitSeconds,runSeconds,vcpus,memoryMiB,jobQueue,shareIdentifier,jobName\n\
         0,60,1,2048,a,,first\n\
         5,60,0.5,1024,b,,second\n\
         ,1,1,,,,\n\
         10,30,2,,,,third\n",
    );
    let v = json!({
        "computeEnvironments": [common::fargate_ce("ce", 4)],
        "jobQueues": [common::queue("a", 1, &["ce"]), common::queue("b", 1, &["ce"])],
        "jobDefinitions": [common::fargate_def("d", "1", "2048")],
        "workload": [{"trace": {"path": csv.display().to_string(), "format": "csv"},
                      "submitJob": {"jobQueue": "a", "jobDefinition": "d"}}]
    });
    let (r, recs) = common::run_records(&v);
    assert_eq!(r.jobs.succeeded, 3);
    assert_eq!(
        r.queues["a"].submitted, 2,
        "first and third (no jobQueue cell: the template's)"
    );
    assert_eq!(r.queues["b"].submitted, 1);
    assert_eq!(&*recs[1].job_name, "second");
    assert_eq!(recs[1].resources.millivcpus, 500);
    assert_eq!(recs[1].resources.memory_mib, 1024);
    assert_eq!(recs[2].resources.memory_mib, 2048, "no memory cell: the definition's");
    assert_eq!(&*recs[2].job_name, "third");
    assert_eq!(&*recs[0].job_queue, "a");
    assert_eq!(&*recs[1].job_queue, "b");
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    assert!(
        r.warnings[0] == "trace jobs.csv: 1 line skipped (submit time missing)",
        "{:?}",
        r.warnings
    );
}

#[test]
fn a_missing_trace_file_is_a_scenario_error() {
    let v = json!({
        "computeEnvironments": [common::fargate_ce("ce", 4)],
        "jobQueues": [common::queue("q", 1, &["ce"])],
        "jobDefinitions": [common::fargate_def("d", "1", "2048")],
        "workload": [{"trace": {"path": "/nonexistent/trace.swf", "format": "swf"}, "submitJob": {"jobQueue": "q", "jobDefinition": "d"}}]
    });
    let e = Scenario::from_value(&v, "t.json").unwrap_err().to_string();
    assert!(
        e.contains("workload[0].trace.path") && e.contains("/nonexistent/trace.swf"),
        "{e}"
    );
}

/// A scenario with one trace entry over `queues` (FIFO queues `a` and `b` and fair-share queue
/// `fs`), and `extra` further identical entries.
fn trace_scenario(path: &Path, format: &str, template: Value, extra: usize) -> Value {
    let entry = json!({"trace": {"path": path.display().to_string(), "format": format}, "submitJob": template});
    let mut fs = common::queue("fs", 1, &["ce"]);
    fs["schedulingPolicyArn"] = json!("arn:aws:batch:us-east-1:123456789012:scheduling-policy/pol");
    json!({
        "computeEnvironments": [common::fargate_ce("ce", 4)],
        "schedulingPolicies": [{"name": "pol", "fairsharePolicy": {"shareDecaySeconds": 0, "computeReservation": 0,
                                 "shareDistribution": [{"shareIdentifier": "teamA", "weightFactor": 1}]}}],
        "jobQueues": [common::queue("a", 1, &["ce"]), common::queue("b", 1, &["ce"]), fs],
        "jobDefinitions": [common::fargate_def("d", "1", "2048")],
        "workload": vec![entry; extra + 1]
    })
}

/// The problems of an invalid scenario, as `path: message` lines.
fn problems(v: &Value) -> Vec<String> {
    match Scenario::from_value(v, "t.json") {
        Ok(_) => panic!("the scenario should be invalid"),
        Err(e) => e.problems().iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn validate_reports_every_bad_csv_line_with_path_file_and_line() {
    let csv = temp(
        "bad-rows.csv",
        "submitSeconds,runSeconds,vcpus,jobQueue,shareIdentifier,jobName\n\
         0,60,1,a,,ok\n\
         1,60,1,bb,,unknown-queue\n\
         2,60,1,a,teamA,share-on-fifo\n\
         3,60,1,fs,,no-share\n\
         4,sixty,1,a,,not-a-number\n\
         5,60,1,a,,bad name\n\
         6,60,1,a\n\
         2024-01-01T00:00:00Z,60,1,a,,iso-among-relative\n\
         9,60,1,fs,teamA,fine-too\n",
    );
    let v = trace_scenario(&csv, "csv", json!({"jobQueue": "a", "jobDefinition": "d"}), 0);
    let got = problems(&v);
    let file = format!("`{}`", csv.display());
    let at = |line: u32, what: &str| format!("workload[0].trace: {file} line {line}: {what}");
    assert_eq!(
        got,
        vec![
            at(3, "jobQueue: unknown job queue `bb`; did you mean `b`?"),
            at(
                4,
                "shareIdentifier `teamA` (the row's): job queue `a` is FIFO (no scheduling policy); AWS refuses a shareIdentifier there"
            ),
            at(
                5,
                "no shareIdentifier: job queue `fs` has a fair-share scheduling policy (give the row a shareIdentifier, or the entry's submitJob one)"
            ),
            at(6, "runSeconds: `sixty` is not a number"),
            at(
                7,
                "jobName: `bad name` is not a valid name (1 to 128 letters, numbers, hyphens and underscores)"
            ),
            format!("workload[0].trace: {file}: 2 more bad lines not listed (7 in all)"),
        ]
    );
    // The same through the command line, with the scenario file named.
    let scenario = temp("bad-rows.json", &v.to_string());
    let out = common::batchsim(&["validate", scenario.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&at(3, "jobQueue: unknown job queue `bb`")), "{stderr}");
    let out = common::batchsim(&["run", scenario.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "run refuses it too");
}

#[test]
fn a_truncated_gzip_trace_is_an_error_not_half_a_run() {
    let whole = std::fs::read(kth()).unwrap();
    let half = temp_bytes("KTH-half.swf.gz", &whole[..whole.len() / 2]);
    let v = trace_scenario(&half, "swf", json!({"jobQueue": "a", "jobDefinition": "d"}), 0);
    let got = problems(&v);
    assert_eq!(got.len(), 1, "{got:?}");
    let prefix = format!("workload[0].trace: `{}` line ", half.display());
    assert!(got[0].starts_with(&prefix), "{got:?}");
    assert!(
        got[0].ends_with(": cannot read: the gzip data is truncated or corrupt (the compressed stream ends early)"),
        "{got:?}"
    );
    let line: u64 = got[0][prefix.len()..].split(':').next().unwrap().parse().unwrap();
    assert!((10_000..28_016).contains(&line), "{line}");
}

#[test]
fn unreadable_trace_paths_say_why() {
    let dir = std::env::temp_dir().join(format!("batchsim-trace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("trace.fifo");
    let _ = std::fs::remove_file(&fifo);
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    for (path, reason) in [
        (dir.clone(), "is a directory"),
        (PathBuf::from("/dev/null"), "not a regular file"),
        (fifo.clone(), "not a regular file"),
        (dir.join("absent.swf"), "No such file or directory (os error 2)"),
    ] {
        let v = trace_scenario(&path, "swf", json!({"jobQueue": "a", "jobDefinition": "d"}), 0);
        assert_eq!(
            problems(&v),
            vec![format!(
                "workload[0].trace.path: cannot read trace file `{}`: {reason} (paths are relative to the scenario file)",
                path.display()
            )]
        );
    }
}

#[test]
fn three_hundred_trace_entries_validate_and_run() {
    let csv = temp("small.csv", "submitSeconds,runSeconds,vcpus\n0,10,1\n5,10,1\n");
    let v = trace_scenario(&csv, "csv", json!({"jobQueue": "a", "jobDefinition": "d"}), 299);
    let r = common::run(&v);
    assert_eq!(r.jobs.submitted, 600);
    assert_eq!(r.jobs.succeeded, 600);
}

#[test]
fn csv_submit_times_may_be_iso_8601_or_epoch_and_start_at_the_earliest() {
    for (name, cells) in [
        (
            "iso.csv",
            [
                "2024-03-01T10:00:30Z",
                "2024-03-01T11:00:00+01:00",
                "2024-03-01T10:02:00.250Z",
            ],
        ),
        ("epoch-s.csv", ["1709287230", "1709287200", "1709287320.25"]),
        ("epoch-ms.csv", ["1709287230000", "1709287200000", "1709287320250"]),
    ] {
        let text = format!(
            "submitSeconds,runSeconds,vcpus\n{},10,1\n{},10,1\n{},10,1\n",
            cells[0], cells[1], cells[2]
        );
        let csv = temp(name, &text);
        let v = trace_scenario(&csv, "csv", json!({"jobQueue": "a", "jobDefinition": "d"}), 0);
        let (r, recs) = common::run_records(&v);
        assert_eq!(r.jobs.succeeded, 3, "{name}");
        let mut submitted: Vec<f64> = recs.iter().map(|j| j.submitted_at.as_secs_f64()).collect();
        submitted.sort_by(f64::total_cmp);
        // The earliest (11:00+01:00 = 10:00Z) is t = 0; the file's order is kept, so the
        // first line (t = 30) comes before it and the replay starts at 30.
        assert_eq!(submitted, vec![30.0, 30.0, 120.25], "{name}");
    }
    // A timestamp that cannot be read is an error with its line, not a silent skip.
    let csv = temp(
        "bad-iso.csv",
        "submitSeconds,runSeconds,vcpus\n2024-03-01T10:00:30Z,10,1\n2024-03-01T25:00:00Z,10,1\n",
    );
    let v = trace_scenario(&csv, "csv", json!({"jobQueue": "a", "jobDefinition": "d"}), 0);
    assert_eq!(
        problems(&v),
        vec![format!(
            "workload[0].trace: `{}` line 3: submitSeconds: `2024-03-01T25:00:00Z` is not an ISO-8601 timestamp: hour out of range",
            csv.display()
        )]
    );
}

#[test]
fn swf_lines_missing_run_time_or_processors_stay_warnings() {
    let swf = temp(
        "missing.swf",
        "1 0 -1 100 1 -1 -1 1 100 -1 1 1 1 -1 1 -1 -1 -1\n\
         2 1 -1 -1 1 -1 -1 1 100 -1 1 1 1 -1 1 -1 -1 -1\n\
         3 2 -1 100 -1 -1 -1 -1 100 -1 1 1 1 -1 1 -1 -1 -1\n",
    );
    let v = trace_scenario(&swf, "swf", json!({"jobQueue": "a", "jobDefinition": "d"}), 0);
    let r = common::run(&v);
    assert_eq!(r.jobs.submitted, 1);
    assert_eq!(
        r.warnings,
        vec![
            "trace missing.swf: 1 line skipped (run time missing)",
            "trace missing.swf: 1 line skipped (processors missing)"
        ]
    );
}

/// A log whose submit times go backwards (100, 50, 200, 150) is replayed in file order, each
/// submission no earlier than the one before (README, "Workload"); the report says so
/// instead of moving the two lines unseen.
#[test]
fn swf_submit_times_going_backwards_are_replayed_in_order_and_reported() {
    let line = |n: u32, at: u32| format!("{n} {at} -1 5 1 -1 -1 1 100 -1 1 1 1 -1 1 -1 -1 -1\n");
    let swf = temp(
        "unsorted.swf",
        &(line(1, 100) + &line(2, 50) + &line(3, 200) + &line(4, 140)),
    );
    let v = trace_scenario(&swf, "swf", json!({"jobQueue": "a", "jobDefinition": "d"}), 0);
    let (r, jobs) = common::run_records(&v);
    let submitted: Vec<f64> = jobs.iter().map(|j| j.submitted_at.as_secs_f64()).collect();
    assert_eq!(submitted, [100.0, 100.0, 200.0, 200.0]);
    assert_eq!(
        r.warnings,
        ["trace unsorted.swf: 2 submissions with a submit time earlier than the line before were submitted in file order, at most 60 s late"]
    );
}

#[test]
fn a_share_in_the_template_on_a_fair_share_queue_covers_rows_without_one() {
    let csv = temp(
        "fs.csv",
        "submitSeconds,runSeconds,vcpus,jobQueue\n0,10,1,fs\n1,10,1,a\n",
    );
    let v = trace_scenario(
        &csv,
        "csv",
        json!({"jobQueue": "fs", "jobDefinition": "d", "shareIdentifier": "teamA"}),
        0,
    );
    let got = problems(&v);
    assert_eq!(
        got,
        vec![format!(
            "workload[0].trace: `{}` line 3: shareIdentifier `teamA` (the submitJob template's): job queue `a` is FIFO (no scheduling policy); AWS refuses a shareIdentifier there",
            csv.display()
        )]
    );
}

/// Messages are for people: names and values quoted with control characters escaped, no Rust
/// `Debug` text (`Some(`, `None`).
#[test]
fn messages_quote_names_and_carry_no_debug_text() {
    let csv = temp(
        "escapes.csv",
        "submitSeconds,runSeconds,vcpus,jobQueue,jobName\n\
         0,60,1,\"a\nb\",x\n\
         1,60,1,a,\"\u{1b}[31mred\"\n\
         2,6\u{1b}[2J0,1,a,y\n",
    );
    let mut v = trace_scenario(&csv, "csv", json!({"jobQueue": "a", "jobDefinition": "d"}), 0);
    // Two more entries: an N_TO_N dependency between a plain job and an array, and a bad
    // queue reference holding a line break.
    v["workload"].as_array_mut().unwrap().extend([
        json!({"at": 0, "submitJob": {"jobName": "arr", "jobQueue": "a", "jobDefinition": "d", "arrayProperties": {"size": 3}},
               "runtime": {"distribution": "fixed", "seconds": 1}}),
        json!({"at": 1, "submitJob": {"jobName": "one", "jobQueue": "a\nq", "jobDefinition": "d",
                                      "dependsOn": [{"jobId": "arr", "type": "N_TO_N"}]},
               "runtime": {"distribution": "fixed", "seconds": 1}}),
    ]);
    let got = problems(&v);
    let file = format!("`{}`", csv.display());
    assert_eq!(
        got,
        vec![
            format!("workload[0].trace: {file} line 2: jobQueue: unknown job queue `a\\nb`; did you mean `a`?"),
            format!(
                "workload[0].trace: {file} line 4: jobName: `\\u{{1b}}[31mred` is not a valid name (1 to 128 letters, numbers, hyphens and underscores)"
            ),
            format!("workload[0].trace: {file} line 5: runSeconds: `6\\u{{1b}}[2J0` is not a number"),
            "workload[2].submitJob.jobQueue: unknown job queue `a\\nq`; did you mean `a`?".to_string(),
            "workload[2].submitJob.dependsOn[0].type: N_TO_N needs two array jobs of the same size (`arr` is an array of 3 jobs, this job is not an array job)".to_string(),
        ]
    );
    for message in &got {
        assert!(!message.contains("Some(") && !message.contains("None"), "{message}");
        assert!(!message.chars().any(char::is_control), "{message:?}");
    }
}

/// A trace whose CSV header is wrong stops `run` before it writes anything: no empty
/// `--jobs` or `--plot` file is left behind.
#[test]
fn a_bad_csv_header_stops_run_before_any_output_file() {
    let csv = temp("bad-header.csv", "submitSeconds,runSecs,vcpus\n0,1,1\n");
    let v = trace_scenario(&csv, "csv", json!({"jobQueue": "a", "jobDefinition": "d"}), 0);
    let scenario = temp("bad-header.json", &v.to_string());
    let jobs = scenario.with_file_name("bad-header-jobs.csv");
    let plot = scenario.with_file_name("bad-header-plot.svg");
    let out = common::batchsim(&[
        "run",
        scenario.to_str().unwrap(),
        "--jobs",
        jobs.to_str().unwrap(),
        "--plot",
        plot.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "workload[0].trace: `{}` line 1: bad CSV header: column 2 is `runSecs` but must be `runSeconds`",
            csv.display()
        )),
        "{stderr}"
    );
    assert!(!jobs.exists() && !plot.exists());
}

/// Issue 16, item 3: a CSV row naming a queue its job definition cannot run on (a Fargate
/// definition, a queue of EC2 compute environments) is a problem at `workload[0].trace` with
/// the file and line. AWS: "Jobs run on Fargate resources specify FARGATE." (API reference,
/// `platformCapabilities`) and, of a queue's compute environments, "EC2 and Fargate compute
/// environments can't be mixed." (User Guide, Job queues on Fargate): a queue of EC2
/// compute environments never runs a FARGATE definition's job. Rows on the template's own
/// queue are not re-checked (that pair was checked already).
#[test]
fn a_row_whose_queue_its_definition_cannot_run_on_is_reported() {
    let csv = temp(
        "platform.csv",
        "submitSeconds,runSeconds,vcpus,jobQueue\n0,60,1,a\n1,60,1,e\n2,60,1,a\n3,60,1,e\n",
    );
    let mut v = trace_scenario(&csv, "csv", json!({"jobQueue": "a", "jobDefinition": "d"}), 0);
    v["computeEnvironments"].as_array_mut().unwrap().push(json!({
        "computeEnvironmentName": "ec2", "type": "MANAGED",
        "computeResources": {"type": "EC2", "minvCpus": 0, "maxvCpus": 16, "instanceTypes": ["m5.large"]}}));
    v["jobQueues"]
        .as_array_mut()
        .unwrap()
        .push(common::queue("e", 1, &["ec2"]));
    let file = format!("`{}`", csv.display());
    let want = |line: u32| {
        format!(
            "workload[0].trace: {file} line {line}: jobQueue: job definition `d` is for FARGATE but job queue `e` has EC2 compute environments"
        )
    };
    assert_eq!(problems(&v), vec![want(3), want(5)]);
}
