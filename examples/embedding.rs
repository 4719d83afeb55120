//! Driving a simulation from a program: submit an array job and a job that waits for it,
//! watch the run with two observers, then fork it at 5 minutes to compare two futures
//! (as is, and with the compute environment doubled).
//!
//! `cargo run --release --example embedding`

use batchsim::{
    Action, JobDefinitionRef, JobQueueRef, JobStatus, Options, RuntimeModel, Scenario, SimTime, Simulation, SubmitJob,
};
use std::sync::{Arc, Mutex};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let scenario = Scenario::builder("embedding")
        .fargate_compute_environment("ce", 4, 0.0)
        .job_queue("q", 1, &["ce"])
        .fargate_job_definition("render", 1.0, 2048)
        .build()?;
    let mut sim = Simulation::new(&scenario, Options::default())?;

    // Observer 1: every job that ends, with its compute environment and exit code.
    let ends = Arc::new(Mutex::new(Vec::new()));
    let log = ends.clone();
    sim.add_observer(move |e| {
        if matches!(e.status, JobStatus::Succeeded | JobStatus::Failed) {
            log.lock().unwrap().push(format!(
                "{:>6.0} s  {:<5} {} on {} (exit code {})",
                e.time.as_secs_f64(),
                e.job.to_string(),
                e.status,
                e.compute_environment.as_deref().unwrap_or("-"),
                e.exit_code.map_or("-".to_string(), |c| c.to_string())
            ));
        }
    });
    // Observer 2: how many attempts started.
    let started = Arc::new(Mutex::new(0u32));
    let count = started.clone();
    sim.add_observer(move |e| {
        if e.status == JobStatus::Starting {
            *count.lock().unwrap() += 1;
        }
    });

    let frames = sim.submit(
        &SubmitJob::new(
            "frames",
            JobQueueRef::new("q"),
            JobDefinitionRef::parse("render"),
            RuntimeModel::fixed(300.0),
        )
        .array(12),
    )?;
    let video = sim.submit(
        &SubmitJob::new(
            "video",
            JobQueueRef::new("q"),
            JobDefinitionRef::parse("render"),
            RuntimeModel::fixed(60.0),
        )
        .depends_on(frames),
    )?;

    sim.run_until(SimTime::from_millis(300_000));
    assert_eq!(sim.job_status(video), Some(JobStatus::Pending));

    // Fork: the copy has no observers; give it twice the vCPUs.
    let mut bigger = sim.clone();
    let ce = bigger.compute_environment_id("ce").ok_or("no ce")?;
    bigger.apply(&Action::UpdateComputeEnvironment {
        compute_environment: ce,
        state: None,
        min_vcpus: None,
        max_vcpus: Some(8),
        desired_vcpus: None,
    })?;
    while sim.step() {}
    while bigger.step() {}

    for line in ends.lock().unwrap().iter() {
        println!("{line}");
    }
    println!("attempts started: {}", started.lock().unwrap());
    println!(
        "video done at {} s with 4 vCPUs, at {} s with 8 from 300 s",
        sim.now().as_secs_f64(),
        bigger.now().as_secs_f64()
    );
    // 12 frames of 300 s on 4 vCPUs: three rounds (900 s), then the video (60 s).
    assert_eq!(sim.now(), SimTime::from_millis(960_000));
    // With 8 vCPUs from 300 s the last eight frames run together (300..600 s).
    assert_eq!(bigger.now(), SimTime::from_millis(660_000));
    assert_eq!(sim.job_status(video), Some(JobStatus::Succeeded));
    assert_eq!(*started.lock().unwrap(), 13);
    Ok(())
}
