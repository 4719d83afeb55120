//! EASY backfilling with several compute environments and queues (README "Job queue
//! extension", CONTRACT 2.2 and 7.8). The scenarios in `tests/data/backfill/` are ones on
//! which batchsim disagreed with an independent implementation of the contract; each test
//! says what decides it and fails without its fix.

use batchsim::{JobRecord, Report, Scenario, Simulation};

fn run(name: &str) -> (Report, Vec<JobRecord>) {
    let path = format!("{}/tests/data/backfill/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let scenario = Scenario::from_file(&path).expect("valid scenario");
    let opts = batchsim::Options {
        record_jobs: true,
        ..Default::default()
    };
    Simulation::new(&scenario, opts).expect("simulation").run_with_records()
}

/// (name, compute environment, startedAt, stoppedAt) of every job, in submission order.
fn rows(records: &[JobRecord]) -> Vec<(String, String, f64, f64)> {
    let secs = |t: Option<batchsim::SimTime>| t.map_or(f64::NAN, |t| t.as_secs_f64());
    records
        .iter()
        .map(|r| {
            (
                r.job_name.to_string(),
                r.compute_environment.as_deref().unwrap_or("").to_string(),
                secs(r.started_at),
                secs(r.stopped_at),
            )
        })
        .collect()
}

fn row(name: &str, ce: &str, start: f64, stop: f64) -> (String, String, f64, f64) {
    (name.to_string(), ce.to_string(), start, stop)
}

/// `big` (4 vCPUs, order 1) runs `A` (2 vCPUs, [0,100]); the head `B` (4 vCPUs) is reserved
/// there at 100. `C` (1 vCPU, estimate 200) would end after 100 on `big`, but `small`
/// (2 vCPUs, order 2) is empty: "a later job may start now if it fits and does not delay
/// that reservation", and on another compute environment it cannot. It was offered only to
/// the first compute environment that could place it.
#[test]
fn a_job_refused_on_the_heads_bin_starts_on_the_next_compute_environment() {
    let (_, records) = run("easy-backfill-only-first-fitting-ce");
    assert_eq!(
        rows(&records),
        [
            row("A", "big", 0.0, 100.0),
            row("B", "big", 100.0, 160.0),
            row("C", "small", 0.0, 50.0)
        ]
    );
}

/// 2 vCPUs shared by `high` (EASY) and `low` (FIFO). `high`: `A` (1 vCPU, estimate 100)
/// runs, the head `B` needs 2 (shadow 100), `C` (0.25 vCPU, estimate 150) would end after
/// it and is refused. Then `low`'s `D` (0.5 vCPU, 200 s) starts in the same pass: `B` now
/// waits for 200, and `C`, ending at 150, delays nothing. CONTRACT 6: "The pass repeats
/// until nothing more is placed"; 7.8: "the reservation is recomputed at every pass". The
/// resting `high` was not looked at again.
#[test]
fn another_queues_placement_makes_an_easy_queue_look_again() {
    let (report, records) = run("easy-stalled-queue-not-recomputed");
    assert_eq!(
        rows(&records),
        [
            row("A", "ce", 0.0, 100.0),
            row("B", "ce", 200.0, 260.0),
            row("C", "ce", 0.0, 150.0),
            row("D", "ce", 0.0, 200.0)
        ]
    );
    assert_eq!(report.end_seconds, 260.0);
}

/// `ce0` (8 vCPUs) runs four 2-vCPU jobs ending at 100, 150, 200 and 300, and an action at
/// 10 lowers its `maxvCpus` to 4: 4 vCPUs over the limit. The head `H` (4 vCPUs) fits
/// `ce0` again only at 300 (the first 4 vCPUs that free pay the excess back), and `ce1` at
/// 250: `H` is reserved on `ce1` and starts there at 250 ("on the bin with the earliest
/// shadow time"). Counting `ce0` as 0 free put the shadow at 150 on `ce0`, let `D` take
/// `ce1`, and `H` started at 300.
#[test]
fn use_above_a_lowered_max_frees_nothing_until_it_is_paid_back() {
    let (_, records) = run("easy-overcommitted-bin-shadow");
    let h = rows(&records).into_iter().find(|r| r.0 == "H").expect("H");
    assert_eq!(h, row("H", "ce1", 250.0, 310.0));
}

/// The head `big` (4 vCPUs) can never run on the 2-vCPU compute environment
/// (`MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE`): there is no start to delay, so
/// `small` (1 vCPU, estimate 120) starts at once instead of waiting behind it for ever.
#[test]
fn a_head_that_can_never_run_does_not_stop_backfilling() {
    let (report, records) = run("easy-never-fitting-head");
    let r = rows(&records);
    assert_eq!(r[1], row("small", "ce0", 0.0, 60.0));
    assert_eq!((report.jobs.succeeded, report.jobs.unfinished), (1, 1));
}

/// The head (8 vCPUs) fits only `big`, which is DISABLED (CONTRACT 6: a CE takes a job "if
/// it is ENABLED and the job fits"), and never `small` (2 vCPUs): until an action enables
/// `big` there is no time at which the head could start, so no reservation to delay, and
/// `short` (0.5 vCPU, estimate 600) starts on `small` at once. It waited for ever (the run
/// ended at 5 with both unfinished), while with `big` too small for the head it started:
/// found by an independent implementation (fifteenth session).
#[test]
fn a_head_only_a_disabled_compute_environment_could_run_does_not_stop_backfilling() {
    let (report, records) = run("easy-head-only-a-disabled-ce-could-run");
    let r = rows(&records);
    assert_eq!(r[1], row("short", "small", 5.0, 105.0));
    assert!(r[0].2.is_nan(), "the head never starts: {:?}", r[0]);
    assert_eq!((report.jobs.succeeded, report.jobs.unfinished), (1, 1));
    assert_eq!(report.end_seconds, 105.0);
}

/// X (4 vCPUs, no estimate) fills `ceA`, Y (2 vCPUs, estimate 100) runs on `ceB`; the head H
/// (4 vCPUs) could start on either. `ceB`'s shadow time is known (100), `ceA`'s is not: X
/// could end at any moment, so `ceA` may be the earliest bin. CONTRACT 7.8: "with a running
/// job lacking an estimate nothing is backfilled", so C (2 vCPUs, estimate 60), which would
/// end on `ceB` before its shadow time, waits: H runs at 100 on `ceB`, C at 150 after it.
/// (The same independent implementation first read it as applying to the earliest known bin
/// only, and came round to this reading.)
#[test]
fn a_running_attempt_without_an_estimate_on_a_bin_that_could_hold_the_head_stops_backfilling() {
    let (_, records) = run("easy-unestimated-attempt-on-another-bin");
    let r = rows(&records);
    assert_eq!(r[2], row("H", "ceB", 100.0, 150.0));
    assert_eq!(r[3], row("C", "ceB", 150.0, 210.0));
}
