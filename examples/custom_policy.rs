//! A custom scheduling policy and its test harness.
//!
//! A policy only answers "which RUNNABLE job next?" from a read-only view, so it can be
//! checked on a hand-built queue before it ever meets the engine, then plugged into a run
//! with `Simulation::set_policy` and compared with the built-in FIFO.
//!
//! `cargo run --release --example custom_policy`

use batchsim::policy::{JobPolicy, QueueView, QueuedJob, RunnableSet};
use batchsim::{JobId, Options, Resources, RuntimeModel, Scenario, SimTime, Simulation};

/// Smallest job first: the RUNNABLE job asking for the fewest vCPUs (ties: submission
/// order). Small jobs stop waiting behind big ones, at the risk of starving the big ones.
struct SmallestFirst;

impl JobPolicy for SmallestFirst {
    fn pick<'a>(&mut self, view: &QueueView<'a>) -> Option<&'a QueuedJob> {
        view.jobs_in_submission_order()
            .min_by_key(|j| (j.resources.millivcpus, j.id))
    }
}

/// The harness: the policy on a hand-built queue, without the engine.
fn check_policy() {
    let mut set = RunnableSet::new(None);
    set.insert(QueuedJob::new(JobId::new(1), Resources::new(4.0, 8192)));
    set.insert(QueuedJob::new(JobId::new(2), Resources::new(1.0, 2048)));
    set.insert(QueuedJob::new(JobId::new(3), Resources::new(1.0, 2048)));
    let pick = SmallestFirst.pick(&set.view(SimTime::ZERO)).map(|j| j.id);
    assert_eq!(pick, Some(JobId::new(2)), "the first of the two 1-vCPU jobs");
    set.remove(JobId::new(2));
    assert_eq!(
        SmallestFirst.pick(&set.view(SimTime::ZERO)).map(|j| j.id),
        Some(JobId::new(3))
    );
    println!("policy harness: ok");
}

fn scenario() -> Result<Scenario, batchsim::Error> {
    // Big 4-vCPU jobs and small 1-vCPU jobs interleaved on 8 vCPUs.
    Scenario::builder("smallest-first")
        .fargate_compute_environment("ce", 8, 0.0)
        .job_queue("q", 1, &["ce"])
        .fargate_job_definition("big", 4.0, 8192)
        .fargate_job_definition("small", 1.0, 2048)
        .stream_every(60.0, 40, "big", "q", "big", RuntimeModel::fixed(300.0))
        .stream_every(20.0, 120, "small", "q", "small", RuntimeModel::fixed(60.0))
        .build()
}

fn main() -> Result<(), batchsim::Error> {
    check_policy();
    let s = scenario()?;
    let fifo = Simulation::new(&s, Options::default())?.run();
    let mut sim = Simulation::new(&s, Options::default())?;
    sim.set_policy("q", Box::new(SmallestFirst)).unwrap();
    let custom = sim.run();
    // A figure is `None` when no job was dispatched: print it as `-`.
    let secs = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |s| format!("{s:.1}"));
    println!("{:>15}  {:>14}  {:>14}", "", "mean wait (s)", "max wait (s)");
    for (name, r) in [("FIFO", &fifo), ("smallest first", &custom)] {
        let w = &r.wait_seconds.stats;
        println!("{name:>15}  {:>14}  {:>14}", secs(w.mean), secs(w.max));
    }
    assert_eq!(fifo.jobs.succeeded, custom.jobs.succeeded);
    Ok(())
}
