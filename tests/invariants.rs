//! Properties over random small scenarios: capacity never exceeded, time never goes back,
//! every job accounted for exactly once.

mod common;

use batchsim::{Options, Scenario, SimTime, Simulation};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;

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
                  subs in proptest::collection::vec((0u32..600, 0usize..3, 0usize..3, runtime_strategy()), 0..12),
                  streams in proptest::collection::vec((1u32..=60, 1u64..=30, 0usize..3, 0usize..3, runtime_strategy()), 0..=2),
                  actions in proptest::collection::vec((0u32..900, 0usize..6, 0usize..3, 1u32..=12), 0..4))
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
        let mut workload: Vec<Value> = subs.into_iter().enumerate().map(|(i, (at, q, d, rt))| json!({
            "at": at, "submitJob": {"jobName": format!("s{i}"), "jobQueue": format!("q{}", q % n_queues), "jobDefinition": format!("d{}", d % defs.len())},
            "runtime": rt})).collect();
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
        loop {
            let more = sim.step();
            prop_assert!(sim.now() >= last, "time went back: {:?} -> {:?}", last, sim.now());
            last = sim.now();
            for u in sim.compute_environment_usage() {
                // maxvCpus only rises in these scenarios, so usage may never pass it.
                prop_assert!(u.vcpus_in_use <= f64::from(u.max_vcpus) + 1e-9, "{} uses {} of {}", u.name, u.vcpus_in_use, u.max_vcpus);
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
        prop_assert_eq!(report.wait_seconds.count, records.iter().filter(|r| r.wait.is_some()).count() as u64);
        for q in report.queues.values() {
            prop_assert_eq!(q.submitted, q.succeeded + q.failed + q.cancelled + q.unfinished);
        }
        for r in &records {
            if let (Some(start), Some(stop)) = (r.started_at, r.stopped_at) {
                prop_assert!(start <= stop);
            }
            prop_assert!(r.runnable_at.is_none_or(|t| t >= r.submitted_at));
        }
        // No run may leave a job running with nothing left to happen.
        prop_assert!(!records.iter().any(|r| matches!(r.status, batchsim::JobStatus::Running | batchsim::JobStatus::Starting)));
    }
}
