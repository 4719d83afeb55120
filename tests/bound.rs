//! Bounded work: backfilling costs O(log n) per job it considers, not a scan of the backlog
//! (issue 16, "Bounded work"). Every run here has a deadline, so a regression fails instead
//! of hanging.

use batchsim::{Options, Report, Scenario, Simulation};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/bound")
        .join(name)
}

/// Runs `scenario` on another thread; fails when it takes longer than `limit` (the runs here
/// take well under a second now, and several seconds each before the index).
fn run_within(scenario: Scenario, limit: Duration) -> Report {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let report = Simulation::new(&scenario, Options::default()).map(Simulation::run);
        let _ = tx.send(report);
    });
    match rx.recv_timeout(limit) {
        Ok(report) => report.expect("the scenario runs"),
        Err(_) => panic!("the run took longer than {limit:?}"),
    }
}

/// Three 10,000-job arrays on 16 vCPUs: the backlog is 30,000 jobs deep for most of the run.
/// Before the backfilling index, EASY took 8.5 s and greedy 7.5 s in release mode (FIFO
/// 0.03 s); a debug build took minutes.
#[test]
fn three_big_arrays_backfill_in_bounded_time() {
    for mode in ["none", "easy", "greedy"] {
        let scenario = Scenario::from_file(data(&format!("arrays-{mode}.json"))).unwrap();
        let report = run_within(scenario, Duration::from_secs(5));
        assert_eq!(report.jobs.succeeded, 30_000, "{mode}: every child");
        assert_eq!(report.jobs.failed, 0, "{mode}");
    }
}

/// An overloaded SWF trace (one job every 10 s, 1 to 64 processors, up to 20,000 s each, on
/// one 100-processor node): EASY and greedy, 20,000 jobs. Before: over a minute for 100,000
/// lines in release mode.
#[test]
fn an_overloaded_trace_backfills_in_bounded_time() {
    let dir = std::env::temp_dir().join(format!("batchsim-bound-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut swf = String::new();
    let mut x: u64 = 7;
    let mut next = || {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        x >> 33
    };
    for i in 1..=20_000u64 {
        let procs = [1, 1, 2, 4, 8, 16, 32, 64][(next() % 8) as usize];
        let run = 100 + next() % 19_900;
        swf.push_str(&format!(
            "{i} {} -1 {run} {procs} -1 -1 {procs} {} -1 1 1 1 -1 -1 -1 -1 -1\n",
            i * 10,
            run * 2
        ));
    }
    std::fs::write(dir.join("over.swf"), swf).unwrap();
    let template =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/kth-sp2-easy.json")).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&template).unwrap();
    value["workload"][0]["trace"]["path"] = "over.swf".into();
    let mut done = Vec::new();
    for mode in ["none", "easy", "greedy"] {
        value["jobQueues"][0]["simulation"]["backfill"] = mode.into();
        let path = dir.join(format!("over-{mode}.json"));
        std::fs::write(&path, serde_json::to_string(&value).unwrap()).unwrap();
        let report = run_within(Scenario::from_file(&path).unwrap(), Duration::from_secs(5));
        assert_eq!(report.jobs.succeeded, 20_000, "{mode}");
        done.push((mode, report.wait_seconds.mean));
    }
    let _ = std::fs::remove_dir_all(&dir);
    // Backfilling shortens the mean wait of an overloaded FIFO queue.
    assert!(done[1].1 < done[0].1 && done[2].1 < done[0].1, "{done:?}");
}
