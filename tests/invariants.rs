//! Properties over random small scenarios: capacity never exceeded, time never goes back,
//! every job accounted for exactly once, and no job runs before its dependencies succeeded.
//! The scenarios mix array jobs (SEQUENTIAL, N_TO_N), dependencies on earlier submissions
//! and cancelJob/terminateJob actions with capacity and queue changes.

mod common;

use batchsim::{JobRecord, JobStatus, Options, Scenario, SimTime, Simulation};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

const SIZES: &[(&str, &str)] = &[
    ("0.25", "512"),
    ("0.5", "1024"),
    ("1", "2048"),
    ("2", "4096"),
    ("4", "8192"),
];

fn ce_strategy(i: usize) -> impl Strategy<Value = Value> {
    (1u32..=8, 0u32..=40, any::<bool>(), 0.0f64..3.0, any::<bool>()).prop_map(
        move |(max, startup, spot, rate, strict)| {
            json!({"computeEnvironmentName": format!("ce{i}"), "type": "MANAGED",
               "computeResources": {"type": if spot { "FARGATE_SPOT" } else { "FARGATE" }, "maxvCpus": max},
               "simulation": {"startupSeconds": startup, "interruptionsPerHour": if spot { rate } else { 0.0 },
                              "queuePriority": if strict { "strict" } else { "aws" }}})
        },
    )
}

fn runtime_strategy() -> impl Strategy<Value = Value> {
    prop_oneof![
        (0u32..400).prop_map(|s| json!({"distribution": "fixed", "seconds": s})),
        (1u32..400, 0.0f64..0.5)
            .prop_map(|(m, p)| json!({"distribution": "exponential", "meanSeconds": m, "failureProbability": p})),
        (0u32..100, 0u32..300)
            .prop_map(|(a, b)| json!({"distribution": "uniform", "minSeconds": a, "maxSeconds": a + b})),
        (1u32..200, 0.0f64..1.5)
            .prop_map(|(m, s)| json!({"distribution": "lognormal", "medianSeconds": m, "sigma": s, "exitCode": 0})),
    ]
}

prop_compose! {
    fn scenario()(n_ces in 1usize..=3, n_queues in 1usize..=3, seed in any::<u64>(),
                  ces in proptest::collection::vec(ce_strategy(0), 3),
                  prios in proptest::collection::vec(0u32..5, 3),
                  orders in proptest::collection::vec(proptest::collection::vec(0usize..3, 1..=3), 3),
                  defs in proptest::collection::vec((0usize..SIZES.len(), 1u32..=3, proptest::option::of(60u32..300)), 1..=3),
                  subs in proptest::collection::vec((0u32..600, 0usize..3, 0usize..3, runtime_strategy(),
                                                     proptest::option::weighted(0.3, 2u32..=4),
                                                     proptest::option::weighted(0.5, (0usize..12, 0u8..3, 0u32..4)),
                                                     any::<bool>()), 0..12),
                  streams in proptest::collection::vec((1u32..=60, 1u64..=30, 0usize..3, 0usize..3, runtime_strategy()), 0..=2),
                  actions in proptest::collection::vec((0u32..900, 0usize..8, 0usize..3, 1u32..=12), 0..6))
                 -> Value {
        let ces: Vec<Value> = ces.into_iter().take(n_ces).enumerate().map(|(i, mut c)| {
            c["computeEnvironmentName"] = json!(format!("ce{i}"));
            c
        }).collect();
        let queues: Vec<Value> = (0..n_queues).map(|q| {
            let mut seen = BTreeSet::new();
            let order: Vec<Value> = orders[q].iter().map(|c| c % n_ces).filter(|c| seen.insert(*c))
                .enumerate().map(|(k, c)| json!({"order": k, "computeEnvironment": format!("ce{c}")})).collect();
            json!({"jobQueueName": format!("q{q}"), "priority": prios[q], "computeEnvironmentOrder": order})
        }).collect();
        let defs_json: Vec<Value> = defs.iter().enumerate().map(|(i, (size, attempts, timeout))| {
            let (v, m) = SIZES[*size];
            let mut d = common::fargate_def(&format!("d{i}"), v, m);
            d["retryStrategy"] = json!({"attempts": attempts, "evaluateOnExit": [
                {"onStatusReason": "Your Spot*", "action": "RETRY"}, {"onExitCode": "2", "action": "EXIT"}]});
            if let Some(t) = timeout { d["timeout"] = json!({"attemptDurationSeconds": t}); }
            d
        }).collect();
        // Sorted by time, so that every lower-numbered submission is an earlier one (same instant:
        // earlier workload entry) that a dependency may name.
        let mut subs = subs;
        subs.sort_by_key(|s| s.0);
        let sizes: Vec<Option<u32>> = subs.iter().map(|s| s.4).collect();
        let mut workload: Vec<Value> = subs.into_iter().enumerate().map(|(i, (at, q, d, rt, array, dep, sequential))| {
            let mut sj = json!({"jobName": format!("s{i}"), "jobQueue": format!("q{}", q % n_queues), "jobDefinition": format!("d{}", d % defs.len())});
            let mut depends: Vec<Value> = Vec::new();
            if let Some(size) = array {
                sj["arrayProperties"] = json!({"size": size});
                if sequential { depends.push(json!({"type": "SEQUENTIAL"})); }
            }
            if let (Some((k, kind, child)), true) = (dep, i > 0) {
                let k = k % i;
                depends.push(match (kind, sizes[k]) {
                    (1, Some(size_k)) => json!({"jobId": format!("s{k}:{}", child % size_k)}),
                    (2, Some(size_k)) if array == Some(size_k) => json!({"jobId": format!("s{k}"), "type": "N_TO_N"}),
                    _ => json!({"jobId": format!("s{k}")}),
                });
            }
            if !depends.is_empty() { sj["dependsOn"] = json!(depends); }
            json!({"at": at, "submitJob": sj, "runtime": rt})
        }).collect();
        for (i, (every, count, q, d, rt)) in streams.into_iter().enumerate() {
            workload.push(json!({"arrivals": {"process": "every", "seconds": every}, "count": count,
                "submitJob": {"jobName": format!("st{i}"), "jobQueue": format!("q{}", q % n_queues), "jobDefinition": format!("d{}", d % defs.len())},
                "runtime": rt}));
        }
        let actions: Vec<Value> = actions.into_iter().map(|(at, kind, target, n)| match kind {
            0 => json!({"at": at, "updateComputeEnvironment": {"computeEnvironment": format!("ce{}", target % n_ces), "state": "DISABLED"}}),
            1 => json!({"at": at, "updateComputeEnvironment": {"computeEnvironment": format!("ce{}", target % n_ces), "state": "ENABLED"}}),
            2 => json!({"at": at, "updateJobQueue": {"jobQueue": format!("q{}", target % n_queues), "priority": n}}),
            3 => json!({"at": at, "updateJobQueue": {"jobQueue": format!("q{}", target % n_queues), "state": "DISABLED"}}),
            5 | 6 if !sizes.is_empty() => {
                // A job by name, or one array child by `name:i`.
                let k = n as usize % sizes.len();
                let job = match sizes[k] {
                    Some(size) if target > 0 => format!("s{k}:{}", target as u32 % size),
                    _ => format!("s{k}"),
                };
                let verb = if kind == 5 { "cancelJob" } else { "terminateJob" };
                json!({"at": at, verb: {"jobId": job, "reason": format!("{verb} at {at}")}})
            }
            _ => json!({"at": at, "updateComputeEnvironment": {"computeEnvironment": format!("ce{}", target % n_ces), "computeResources": {"maxvCpus": 8 + n}}}),
        }).collect();
        json!({"seed": seed, "computeEnvironments": ces, "jobQueues": queues, "jobDefinitions": defs_json,
               "workload": workload, "actions": actions})
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    #[test]
    fn capacity_time_and_accounting_hold(value in scenario()) {
        let s = Scenario::from_value(&value, "prop.json").map_err(|e| TestCaseError::fail(format!("{e}\n{value:#}")))?;
        let mut sim = Simulation::new(&s, Options { record_jobs: true, ..Options::default() }).unwrap();
        let mut last = SimTime::ZERO;
        // Per compute environment: attempts started and vCPUs in use after the previous step.
        let mut before: BTreeMap<String, (u64, f64)> = BTreeMap::new();
        loop {
            let more = sim.step();
            prop_assert!(sim.now() >= last, "time went back: {:?} -> {:?}", last, sim.now());
            last = sim.now();
            let report = sim.report();
            check_counts(&report)?;
            for u in sim.compute_environment_usage() {
                let started = report.compute_environments[&u.name].jobs_started;
                let (started_before, used_before) = before.get(&u.name).copied().unwrap_or((0, 0.0));
                if u.vcpus_in_use > f64::from(u.max_vcpus) + 1e-9 {
                    // Only a later action with a lower maxvCpus can leave running tasks above
                    // it; then nothing new may be placed there until usage is back under it.
                    prop_assert!(started == started_before && u.vcpus_in_use <= used_before + 1e-9,
                        "{} uses {} of {} (was {}; attempts {} -> {})", u.name, u.vcpus_in_use, u.max_vcpus,
                        used_before, started_before, started);
                }
                before.insert(u.name.clone(), (started, u.vcpus_in_use));
            }
            if !more { break; }
        }
        let (report, records) = sim.run_with_records();
        let j = &report.jobs;
        prop_assert_eq!(j.submitted, j.succeeded + j.failed + j.cancelled + j.unfinished);
        prop_assert_eq!(records.len() as u64, j.submitted);
        let ids: BTreeSet<_> = records.iter().map(|r| r.job_id).collect();
        prop_assert_eq!(ids.len(), records.len(), "each job exactly once");
        let terminal = records.iter().filter(|r| r.status.is_terminal()).count() as u64;
        prop_assert_eq!(terminal, j.succeeded + j.failed + j.cancelled);
        prop_assert_eq!(report.wait_seconds.stats.count, records.iter().filter(|r| r.wait.is_some()).count() as u64);
        check_counts(&report)?;
        check_unfinished(&report, &records)?;
        for r in &records {
            if let (Some(start), Some(stop)) = (r.started_at, r.stopped_at) {
                prop_assert!(start <= stop);
            }
            prop_assert!(r.runnable_at.is_none_or(|t| t >= r.submitted_at));
        }
        check_dependencies(&value, &records)?;
        // No run may leave a job running with nothing left to happen.
        prop_assert!(!records.iter().any(|r| matches!(r.status, JobStatus::Running | JobStatus::Starting)));
    }
}

/// The records each record depends on, one group per dependency (a whole array is one
/// group), from the scenario's `dependsOn` (names are unique: `s{i}` for single submissions).
type Groups<'a> = Vec<Vec<&'a JobRecord>>;

/// The report's count identities: `submitted = succeeded + failed + cancelled + unfinished`
/// and `unfinished = queued + running`, for the run and each queue; a wait block with no
/// sample has no figure, and `oldestWaitSeconds` is there exactly when a job never started.
fn check_counts(report: &batchsim::Report) -> Result<(), TestCaseError> {
    let j = &report.jobs;
    prop_assert_eq!(j.submitted, j.succeeded + j.failed + j.cancelled + j.unfinished);
    prop_assert_eq!(j.unfinished, j.queued + j.running);
    for q in report.queues.values() {
        prop_assert_eq!(q.submitted, q.succeeded + q.failed + q.cancelled + q.unfinished);
        prop_assert_eq!(q.unfinished, q.queued + q.running);
    }
    prop_assert_eq!(report.queues.values().map(|q| q.queued).sum::<u64>(), j.queued);
    prop_assert_eq!(report.queues.values().map(|q| q.running).sum::<u64>(), j.running);
    let blocks = std::iter::once(&report.wait_seconds)
        .chain(report.queues.values().map(|q| &q.wait_seconds))
        .chain(report.shares.values().map(|s| &s.wait_seconds));
    for w in blocks {
        prop_assert_eq!(
            w.stats.count == 0,
            w.stats.p95.is_none() && w.stats.mean.is_none() && w.stats.max.is_none()
        );
        prop_assert_eq!(w.never_started > 0, w.oldest_wait_seconds.is_some());
        prop_assert!(w.never_started <= j.queued);
    }
    Ok(())
}

/// `queued`, `running`, `neverStarted` and `oldestWaitSeconds` recomputed from the job table.
fn check_unfinished(report: &batchsim::Report, records: &[JobRecord]) -> Result<(), TestCaseError> {
    let end = SimTime::from_secs_f64(report.end_seconds).expect("end time");
    let tally = |rows: &mut dyn Iterator<Item = &JobRecord>| {
        let (mut queued, mut running, mut never, mut oldest) = (0u64, 0u64, 0u64, None::<f64>);
        for r in rows.filter(|r| !r.status.is_terminal()) {
            match r.status {
                JobStatus::Starting | JobStatus::Running => running += 1,
                _ => queued += 1,
            }
            if let (Some(t), None) = (r.runnable_at, r.wait) {
                never += 1;
                let waited = end.since(t).as_secs_f64();
                oldest = Some(oldest.map_or(waited, |o| o.max(waited)));
            }
        }
        (queued, running, never, oldest)
    };
    let w = &report.wait_seconds;
    let (queued, running, never, oldest) = tally(&mut records.iter());
    prop_assert_eq!((report.jobs.queued, report.jobs.running), (queued, running));
    prop_assert_eq!((w.never_started, w.oldest_wait_seconds), (never, oldest));
    for (name, q) in &report.queues {
        let (queued, running, never, oldest) = tally(&mut records.iter().filter(|r| *r.job_queue == **name));
        prop_assert_eq!((q.queued, q.running), (queued, running), "queue {}", name);
        prop_assert_eq!(
            (q.wait_seconds.never_started, q.wait_seconds.oldest_wait_seconds),
            (never, oldest),
            "queue {}",
            name
        );
    }
    for (name, s) in &report.shares {
        let (_, _, never, oldest) = tally(&mut records.iter().filter(|r| *r.share_identifier == **name));
        prop_assert_eq!(
            (s.wait_seconds.never_started, s.wait_seconds.oldest_wait_seconds),
            (never, oldest),
            "share {}",
            name
        );
    }
    Ok(())
}

fn dependencies<'a>(value: &Value, records: &'a [JobRecord]) -> Vec<(&'a JobRecord, Groups<'a>)> {
    let mut by_name: BTreeMap<&str, Vec<&JobRecord>> = BTreeMap::new();
    for r in records {
        by_name.entry(&*r.job_name).or_default().push(r);
    }
    let mut out = Vec::new();
    for entry in value["workload"].as_array().into_iter().flatten() {
        let sj = &entry["submitJob"];
        let Some(name) = sj["jobName"].as_str() else { continue };
        let Some(deps) = sj["dependsOn"].as_array() else {
            continue;
        };
        let Some(mine) = by_name.get(name) else { continue };
        for &r in mine {
            let mut groups: Groups<'a> = Vec::new();
            for d in deps {
                let kind = d["type"].as_str();
                let Some(target) = d["jobId"].as_str() else {
                    // SEQUENTIAL: child i waits for child i - 1.
                    if let Some(i) = r.job_id.array_index.filter(|i| *i > 0) {
                        groups.push(
                            mine.iter()
                                .copied()
                                .filter(|c| c.job_id.array_index == Some(i - 1))
                                .collect(),
                        );
                    }
                    continue;
                };
                let (base, index) = match target.split_once(':') {
                    Some((b, i)) => (b, i.parse::<u32>().ok()),
                    None => (target, None),
                };
                let theirs = by_name.get(base).map(Vec::as_slice).unwrap_or_default();
                groups.push(
                    theirs
                        .iter()
                        .copied()
                        .filter(|t| match (index, kind) {
                            (Some(i), _) => t.job_id.array_index == Some(i),
                            (None, Some("N_TO_N")) => t.job_id.array_index == r.job_id.array_index,
                            (None, _) => true,
                        })
                        .collect(),
                );
            }
            out.push((r, groups));
        }
    }
    out
}

/// A job becomes RUNNABLE only after every job it depends on SUCCEEDED; a job whose
/// dependency failed (an array: every child ended, one failed) ends FAILED without ever being
/// dispatched, and only such a job has a `Dependent job ... failed` reason.
fn check_dependencies(value: &Value, records: &[JobRecord]) -> Result<(), TestCaseError> {
    for (r, groups) in dependencies(value, records) {
        let mut any_failed = false;
        for group in &groups {
            for d in group {
                if let Some(runnable) = r.runnable_at {
                    prop_assert_eq!(
                        d.status,
                        JobStatus::Succeeded,
                        "{} RUNNABLE though {} did not succeed",
                        r.job_id,
                        d.job_id
                    );
                    prop_assert!(
                        d.stopped_at.is_some_and(|t| t <= runnable),
                        "{} RUNNABLE before {} ended",
                        r.job_id,
                        d.job_id
                    );
                }
            }
            let failed = !group.is_empty()
                && group.iter().all(|d| d.status.is_terminal())
                && group.iter().any(|d| d.status == JobStatus::Failed);
            if failed {
                any_failed = true;
                prop_assert_eq!(
                    r.status,
                    JobStatus::Failed,
                    "{} outlived its failed dependency",
                    r.job_id
                );
                prop_assert_eq!(r.attempts, 0, "{} ran though a dependency failed", r.job_id);
            }
        }
        if r.status_reason
            .as_deref()
            .is_some_and(|s| s.starts_with("Dependent job "))
        {
            prop_assert_eq!(r.attempts, 0);
            prop_assert!(r.started_at.is_none());
            prop_assert!(any_failed, "{} failed without a failed dependency", r.job_id);
        }
    }
    Ok(())
}
