//! What the fuzz targets check (`fuzz/fuzz_targets/*.rs` include this file), also run on
//! every saved corpus entry by `tests/fuzz_corpus.rs`, so CI replays each finding without
//! the fuzzer.
//!
//! Each check takes arbitrary bytes and must return without a panic or a hang: bad input
//! is an error value, good input runs (bounded: at most [`MAX_JOBS`] generated jobs and
//! [`MAX_STEPS`] engine steps).
#![allow(dead_code)]

use batchsim::engine::SubmitJob;
use batchsim::model::{Action, RetryStrategy};
use batchsim::workload::RuntimeModel;
use batchsim::{JobId, Options, Scenario, SimDuration, SimTime, Simulation};

/// Scenarios generating more jobs than this are loaded and checked but not run.
pub const MAX_JOBS: u64 = 20_000;
/// Engine steps per run at most (each applies one instant).
pub const MAX_STEPS: usize = 20_000;

/// Steps `sim` to its end or [`MAX_STEPS`], then reports (the report must build).
fn run_bounded(mut sim: Simulation) {
    let mut steps = 0;
    while steps < MAX_STEPS && sim.step() {
        steps += 1;
    }
    let report = sim.finish();
    let j = &report.jobs;
    assert_eq!(
        j.submitted,
        j.succeeded + j.failed + j.cancelled + j.unfinished,
        "every job is terminal or unfinished"
    );
    assert_eq!(j.unfinished, j.queued + j.running);
}

/// The scenario loader, then a bounded run of what loads. True when it ran.
pub fn scenario(data: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(data) else {
        return false;
    };
    let Ok(s) = Scenario::from_json_str(text, "fuzz.json") else {
        return false;
    };
    if batchsim::scenario::check_job_bound(&s, None, MAX_JOBS).is_err() {
        return false;
    }
    let options = Options {
        record_jobs: true,
        ..Options::default()
    };
    match Simulation::new(&s, options) {
        Ok(sim) => {
            run_bounded(sim);
            true
        }
        Err(_) => false,
    }
}

/// A trace file's bytes, read as each trace format by a scenario that replays it. True
/// when some format ran it.
pub fn trace(data: &[u8]) -> bool {
    let dir = std::env::temp_dir().join(format!("batchsim-fuzz-trace-{}", std::process::id()));
    if std::fs::create_dir_all(&dir).is_err() {
        return false;
    }
    let mut ran = false;
    for (format, name) in [("swf", "t.swf"), ("csv", "t.csv"), ("swf", "t.swf.gz")] {
        let path = dir.join(name);
        if std::fs::write(&path, data).is_err() {
            return ran;
        }
        let scenario = format!(
            r#"{{"computeEnvironments": [{{"computeEnvironmentName": "ce", "type": "MANAGED",
                 "computeResources": {{"type": "FARGATE", "maxvCpus": 64}}}}],
               "jobQueues": [{{"jobQueueName": "q", "priority": 1,
                 "computeEnvironmentOrder": [{{"order": 1, "computeEnvironment": "ce"}}]}}],
               "jobDefinitions": [{{"jobDefinitionName": "d", "type": "container",
                 "platformCapabilities": ["FARGATE"],
                 "containerProperties": {{"resourceRequirements": [
                   {{"type": "VCPU", "value": "1"}}, {{"type": "MEMORY", "value": "2048"}}]}}}}],
               "workload": [{{"trace": {{"path": {path:?}, "format": "{format}"}},
                 "submitJob": {{"jobName": "t", "jobQueue": "q", "jobDefinition": "d"}}}}],
               "until": 100000}}"#,
            path = path.display().to_string()
        );
        let Ok(s) = Scenario::from_json_str(&scenario, "fuzz-trace.json") else {
            continue;
        };
        if let Ok(sim) = Simulation::new(&s, Options::default()) {
            run_bounded(sim);
            ran = true;
        }
    }
    ran
}

/// A `--set PATH=VALUES` argument applied to a bundled scenario, as `sweep` does. True
/// when the sweep was set up.
pub fn set_path(data: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(data) else {
        return false;
    };
    let Ok(setting) = text.parse::<batchsim::sweep::Setting>() else {
        return false;
    };
    let base = include_str!("../../scenarios/priority-fargate-spot.json");
    let Ok(value) = serde_json::from_str::<serde_json::Value>(base) else {
        return false;
    };
    let Ok(seeds) = batchsim::sweep::Seeds::new(1, 1) else {
        return false;
    };
    batchsim::sweep::Sweep::from_value_at(
        &value,
        "scenarios/priority-fargate-spot.json",
        seeds,
        vec![setting],
        Default::default(),
    )
    .is_ok()
}

/// The embedding API driven by a byte program: each byte picks a call, the next bytes its
/// arguments. True when some submission was accepted.
pub fn api(data: &[u8]) -> bool {
    let base = include_str!("../../scenarios/quickstart.json");
    let Ok(s) = Scenario::from_json_str(base, "quickstart.json") else {
        return false;
    };
    let Ok(mut sim) = Simulation::new(&s, Options::default()) else {
        return false;
    };
    let mut bytes = data.iter().copied();
    let mut next = move || bytes.next();
    let mut ids: Vec<JobId> = Vec::new();
    let mut steps = 0;
    while let Some(op) = next() {
        let arg = next().unwrap_or(0);
        match op % 10 {
            0 | 1 => {
                let mut req = SubmitJob::from_names(
                    ["a", "b", ""][usize::from(arg % 3)],
                    ["default", "nope", ""][usize::from(arg / 3 % 3)],
                    ["hello", "hello:1", "hello:99", "x"][usize::from(arg / 9 % 4)],
                    RuntimeModel::fixed(f64::from(next().unwrap_or(1)) * 10.0),
                );
                let flags = next().unwrap_or(0);
                if flags & 1 != 0 {
                    req = req.array(u32::from(next().unwrap_or(2)) * 100);
                }
                if flags & 2 != 0 {
                    let pick = usize::from(next().unwrap_or(0));
                    let dep = ids.get(pick % ids.len().max(1)).copied().unwrap_or(JobId::new(9_999));
                    req = if flags & 4 != 0 {
                        req.n_to_n(dep)
                    } else {
                        req.depends_on(dep)
                    };
                }
                if flags & 8 != 0 {
                    req = req.retry(RetryStrategy {
                        attempts: u32::from(next().unwrap_or(0)) % 12,
                        ..RetryStrategy::default()
                    });
                }
                if flags & 16 != 0 {
                    req = req.timeout(SimDuration::from_millis(u64::from(next().unwrap_or(0)) * 1_000));
                }
                if flags & 32 != 0 {
                    req = req.vcpus(f64::from(next().unwrap_or(0)) / 8.0);
                }
                if flags & 64 != 0 {
                    req = req.memory_mib(u32::from(next().unwrap_or(0)) * 512);
                }
                if flags & 128 != 0 {
                    req = req.sequential();
                }
                if let Ok(id) = sim.submit(&req) {
                    ids.push(id);
                }
            }
            2 | 3 => {
                if steps < MAX_STEPS {
                    steps += 1;
                    sim.step();
                }
            }
            4 => {
                let t = sim.now().as_millis().saturating_add(u64::from(arg) * 60_000);
                sim.run_until(SimTime::from_millis(t));
            }
            5 => {
                if let Some(&id) = ids.get(usize::from(arg) % ids.len().max(1)) {
                    let _ = sim.cancel_job(id, "fuzz");
                }
            }
            6 => {
                if let Some(&id) = ids.get(usize::from(arg) % ids.len().max(1)) {
                    let _ = sim.terminate_job(id, "fuzz");
                    let _ = sim.job_status(id);
                }
            }
            7 => {
                if let Some(ce) = sim.compute_environment_id("fargate") {
                    let _ = sim.apply(&Action::UpdateComputeEnvironment {
                        compute_environment: ce,
                        state: None,
                        min_vcpus: None,
                        max_vcpus: Some(u32::from(arg) * 4),
                        desired_vcpus: None,
                    });
                }
            }
            8 => {
                let _ = sim.job_status(JobId::new(u64::from(arg)));
                let _ = sim.queue_snapshot("default", usize::from(arg));
            }
            _ => {
                let fork = sim.clone();
                run_bounded(fork);
            }
        }
    }
    run_bounded(sim);
    !ids.is_empty()
}
