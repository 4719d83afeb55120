//! The express lane (`Simulation::run` on simple scenarios) against the engine (stepping):
//! the same report, byte for byte, on random scenarios of the class the lane takes.

use batchsim::{Options, Scenario, Simulation};
use proptest::prelude::*;
use serde_json::{json, Value};

/// A random scenario the express lane takes: Fargate compute environments (some Spot,
/// some with startup time, some DISABLED), FIFO queues with tied or distinct priorities over
/// random compute environment orders, streams and single submissions of several sizes,
/// runtime models with failures (never retried), and an optional `until`.
fn scenario() -> impl Strategy<Value = Value> {
    let ce = (
        1u32..12,
        any::<bool>(),
        prop_oneof![Just(0u32), 1u32..40],
        prop::bool::weighted(0.15),
    );
    let queue = (1u32..4, prop::collection::vec(0usize..3, 1..4));
    let runtime = prop_oneof![
        (1u32..600).prop_map(|s| json!({"distribution": "fixed", "seconds": s})),
        (1u32..900).prop_map(|m| json!({"distribution": "exponential", "meanSeconds": m})),
        (0u32..100, 100u32..700)
            .prop_map(|(a, b)| json!({"distribution": "uniform", "minSeconds": a, "maxSeconds": b})),
        (1u32..300).prop_map(|m| json!({"distribution": "exponential", "meanSeconds": m, "failureProbability": 0.3})),
    ];
    let entry = (
        0usize..3,
        0usize..3,
        prop_oneof![
            (1u32..400, 1u64..150)
                .prop_map(|(r, n)| json!({"arrivals": {"process": "poisson", "ratePerHour": r * 10}, "count": n})),
            (1u32..120, 1u64..60)
                .prop_map(|(s, n)| json!({"arrivals": {"process": "every", "seconds": s}, "count": n, "start": s})),
            (0u32..3000).prop_map(|at| json!({"at": at})),
        ],
        runtime,
    );
    (
        prop::collection::vec(ce, 1..4),
        prop::collection::vec(queue, 1..4),
        prop::collection::vec(entry, 1..5),
        prop_oneof![Just(None), (600u32..20_000).prop_map(Some)],
        any::<u64>(),
    )
        .prop_map(|(ces, queues, entries, until, seed)| {
            let n_ce = ces.len();
            let ces: Vec<Value> = ces
                .iter()
                .enumerate()
                .map(|(i, (max, spot, startup, disabled))| {
                    json!({"computeEnvironmentName": format!("ce{i}"), "type": "MANAGED",
                       "state": if *disabled { "DISABLED" } else { "ENABLED" },
                       "computeResources": {"type": if *spot { "FARGATE_SPOT" } else { "FARGATE" }, "maxvCpus": max},
                       "simulation": {"startupSeconds": startup}})
                })
                .collect();
            let n_q = queues.len();
            let queues: Vec<Value> = queues
                .iter()
                .enumerate()
                .map(|(i, (prio, order))| {
                    let mut names: Vec<String> = Vec::new();
                    for c in order {
                        let name = format!("ce{}", c % n_ce);
                        if !names.contains(&name) {
                            names.push(name);
                        }
                    }
                    let order: Vec<Value> = names
                        .iter()
                        .enumerate()
                        .map(|(k, c)| json!({"order": k + 1, "computeEnvironment": c}))
                        .collect();
                    json!({"jobQueueName": format!("q{i}"), "priority": prio, "computeEnvironmentOrder": order})
                })
                .collect();
            let defs = [("0.25", "512"), ("1", "2048"), ("2", "4096")];
            let definitions: Vec<Value> = defs
                .iter()
                .enumerate()
                .map(|(i, (v, m))| {
                    json!({"jobDefinitionName": format!("d{i}"), "type": "container", "platformCapabilities": ["FARGATE"],
                       "containerProperties": {"resourceRequirements": [{"type": "VCPU", "value": v}, {"type": "MEMORY", "value": m}]}})
                })
                .collect();
            let workload: Vec<Value> = entries
                .iter()
                .enumerate()
                .map(|(i, (q, d, arrival, runtime))| {
                    let mut e = arrival.clone();
                    e["submitJob"] = json!({"jobName": format!("j{i}"), "jobQueue": format!("q{}", q % n_q), "jobDefinition": format!("d{d}")});
                    e["runtime"] = runtime.clone();
                    e
                })
                .collect();
            let mut s = json!({"seed": seed, "computeEnvironments": ces, "jobQueues": queues,
                "jobDefinitions": definitions, "workload": workload});
            if let Some(u) = until {
                s["until"] = json!(u);
            }
            s
        })
}

fn both_ways(value: &Value) -> (String, String, bool) {
    let scenario = Scenario::from_value(value, "express.json").unwrap_or_else(|e| panic!("invalid scenario: {e}"));
    let express = Simulation::new(&scenario, Options::default()).expect("simulation");
    let lane = express.uses_express_lane();
    let fast = serde_json::to_string_pretty(&express.run()).expect("report");
    let mut engine = Simulation::new(&scenario, Options::default()).expect("simulation");
    while engine.step() {}
    let slow = serde_json::to_string_pretty(&engine.finish()).expect("report");
    (fast, slow, lane)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn express_lane_reports_what_the_engine_reports(s in scenario()) {
        let (fast, slow, lane) = both_ways(&s);
        prop_assert!(lane, "the scenario should take the express lane");
        prop_assert_eq!(fast, slow);
    }
}

#[test]
fn bundled_quickstart_takes_the_lane_with_the_same_report() {
    let path = format!("{}/scenarios/quickstart.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("quickstart");
    let value: Value = serde_json::from_str(&text).expect("json");
    let (fast, slow, lane) = both_ways(&value);
    assert!(lane);
    assert_eq!(fast, slow);
}

#[test]
fn scenarios_outside_the_class_use_the_engine() {
    let base = json!({
        "computeEnvironments": [{"computeEnvironmentName": "c", "type": "MANAGED",
            "computeResources": {"type": "FARGATE", "maxvCpus": 4}}],
        "jobQueues": [{"jobQueueName": "q", "priority": 1, "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "c"}]}],
        "jobDefinitions": [{"jobDefinitionName": "d", "type": "container", "platformCapabilities": ["FARGATE"],
            "containerProperties": {"resourceRequirements": [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "2048"}]}}],
        "workload": [{"at": 0, "submitJob": {"jobName": "a", "jobQueue": "q", "jobDefinition": "d"},
            "runtime": {"distribution": "fixed", "seconds": 60}}]
    });
    let lane = |v: &Value| {
        let s = Scenario::from_value(v, "x.json").expect("valid");
        Simulation::new(&s, Options::default())
            .expect("sim")
            .uses_express_lane()
    };
    assert!(lane(&base));
    let mut array = base.clone();
    array["workload"][0]["submitJob"]["arrayProperties"] = json!({"size": 3});
    assert!(!lane(&array));
    let mut timeout = base.clone();
    timeout["workload"][0]["submitJob"]["timeout"] = json!({"attemptDurationSeconds": 60});
    assert!(!lane(&timeout));
    let mut retried = base.clone();
    retried["workload"][0]["runtime"]["failureProbability"] = json!(0.5);
    retried["workload"][0]["submitJob"]["retryStrategy"] = json!({"attempts": 3});
    assert!(!lane(&retried));
    let mut action = base.clone();
    action["actions"] = json!([{"at": 10, "updateComputeEnvironment": {"computeEnvironment": "c", "computeResources": {"maxvCpus": 8}}}]);
    assert!(!lane(&action));
    let mut spot = base.clone();
    spot["computeEnvironments"][0]["computeResources"]["type"] = json!("FARGATE_SPOT");
    spot["computeEnvironments"][0]["simulation"] = json!({"interruptionsPerHour": 0.5});
    assert!(!lane(&spot));
    let s = Scenario::from_value(&base, "x.json").expect("valid");
    let records = Simulation::new(
        &s,
        Options {
            record_jobs: true,
            ..Options::default()
        },
    )
    .expect("sim");
    assert!(!records.uses_express_lane());
}
