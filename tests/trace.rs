//! Trace workloads: the KTH SP2 log replayed FIFO against an independent strict-FCFS replay,
//! EASY backfilling with its reservation invariant, CSV traces and skipped-line warnings.

mod common;

use batchsim::{Options, Scenario, Simulation};
use serde_json::json;
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
    match &scenario.workload[0] {
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
    let w = &r.wait_seconds;
    assert_eq!(w.count, 27_992);
    assert!((w.mean - 218_980.575_272).abs() < 1e-3, "mean {}", w.mean);
    assert!((w.p50 - 149_467.5).abs() < 1e-6);
    assert!((w.p95 - 573_580.5).abs() < 1e-6);
    assert!((w.p99 - 635_007.18).abs() < 1e-6);
    assert_eq!(w.max, 705_687.0);
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
    assert!(
        easy.wait_seconds.mean < fifo.wait_seconds.mean / 10.0,
        "EASY {} vs FIFO {}",
        easy.wait_seconds.mean,
        fifo.wait_seconds.mean
    );
    // EASY never lets a job wait as long as FIFO's worst; greedy may starve big jobs.
    assert!(easy.wait_seconds.max < fifo.wait_seconds.max);
    let greedy = Simulation::new(&greedy, Options::default()).unwrap().run();
    assert!(greedy.wait_seconds.mean < fifo.wait_seconds.mean / 10.0);
    assert!(
        greedy.wait_seconds.max > easy.wait_seconds.max,
        "greedy starves the widest jobs longer"
    );
}

fn temp(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("batchsim-trace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
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
         x,1,1,,,,\n\
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
    assert_eq!(recs[1].job_name, "second");
    assert_eq!(recs[1].resources.millivcpus, 500);
    assert_eq!(recs[1].resources.memory_mib, 1024);
    assert_eq!(recs[2].resources.memory_mib, 2048, "no memory cell: the definition's");
    assert_eq!(recs[2].job_name, "third");
    assert_eq!(recs[0].job_queue, "a");
    assert_eq!(recs[1].job_queue, "b");
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    assert!(
        r.warnings[0].starts_with("trace jobs.csv: 1 line skipped"),
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
