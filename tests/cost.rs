//! Cost per queue, per share and idle capacity (issue 14, item 3), and fair share reported
//! per queue with the targets of that queue's own scheduling policy.
//!
//! The rule (README, "Cost"): each attempt's cost goes to its queue and share. On Fargate
//! that is the task's bill ("pricing is calculated based on the vCPU and memory resources
//! used from the time you start to download your container image until the Amazon ECS Task
//! terminates, rounded up to the nearest second", one-minute minimum: AWS Fargate pricing).
//! On EC2 and SPOT it is the instance's price for the time the attempt held the instance
//! (dispatch to end) times the attempt's share of the instance's vCPUs; the rest of what
//! instances cost (launching, idle, vCPUs no job used) is the compute environment's
//! `idleCost`. So the queues' costs plus the idle cost are the total.

mod common;

use common::{fargate_ce, fargate_def, queue, run};
use serde_json::{json, Value};

fn fixed_jobs(n: u64, q: &str, def: &str, share: Option<&str>, seconds: f64) -> Value {
    let mut submit = json!({"jobName": format!("{q}-job"), "jobQueue": q, "jobDefinition": def});
    if let Some(s) = share {
        submit["shareIdentifier"] = json!(s);
    }
    json!({"arrivals": {"process": "every", "seconds": 1}, "count": n, "submitJob": submit,
           "runtime": {"distribution": "fixed", "seconds": seconds}})
}

fn fair_queue(name: &str, policy: &str, ces: &[&str]) -> Value {
    let mut q = queue(name, 1, ces);
    q["schedulingPolicyArn"] = json!(format!(
        "arn:aws:batch:us-east-1:123456789012:scheduling-policy/{policy}"
    ));
    q
}

fn policy(name: &str, weights: &[(&str, f64)]) -> Value {
    let dist: Vec<Value> = weights
        .iter()
        .map(|(s, w)| json!({"shareIdentifier": s, "weightFactor": w}))
        .collect();
    json!({"name": name, "fairsharePolicy": {"shareDecaySeconds": 600, "computeReservation": 0,
                                             "shareDistribution": dist}})
}

#[test]
fn fargate_queues_pay_their_tasks_bills_and_nothing_is_idle() {
    // Two queues on one Fargate CE, the same task shape: queue `a` runs three tasks, `b` one,
    // so `a` pays exactly three times what `b` pays, and the two add up to the CE's bill.
    let s = json!({
        "computeEnvironments": [fargate_ce("f", 16)],
        "jobQueues": [queue("a", 2, &["f"]), queue("b", 1, &["f"])],
        "jobDefinitions": [fargate_def("d", "1", "2048")],
        "workload": [fixed_jobs(3, "a", "d", None, 600.0), fixed_jobs(1, "b", "d", None, 600.0)]
    });
    let r = run(&s);
    let (a, b) = (r.queues["a"].cost, r.queues["b"].cost);
    assert!(b > 0.0);
    assert!((a - 3.0 * b).abs() < 1e-12, "a {a} b {b}");
    // 600 s of 1 vCPU + 2 GB at the catalog's Fargate prices.
    let ce = &r.compute_environments["f"];
    assert_eq!(ce.idle_cost, 0.0, "every Fargate task is billed to its job");
    assert_eq!(r.cost.idle, 0.0);
    assert!((a + b - r.cost.total).abs() < 1e-12);
}

#[test]
fn an_ec2_job_pays_its_vcpu_share_of_the_instance_while_it_holds_it() {
    // One m5.large (2 vCPUs, $0.096 an hour On-Demand in the catalog), one 1-vCPU job that
    // holds it from dispatch (t = 120, the instance ready) for 10 s of startup and 3,600 s
    // of run time: half of the instance for 3,610 s = 3610/3600 x 0.096 / 2 dollars.
    let ce = json!({"computeEnvironmentName": "ec2", "type": "MANAGED",
        "computeResources": {"type": "EC2", "minvCpus": 0, "maxvCpus": 2, "instanceTypes": ["m5.large"],
                             "allocationStrategy": "BEST_FIT", "subnets": ["subnet-1"],
                             "instanceRole": "ecsInstanceRole"},
        "simulation": {"instanceLaunchSeconds": 120, "startupSeconds": 10, "scaleInIdleSeconds": 60}});
    let def = json!({"jobDefinitionName": "d", "type": "container", "platformCapabilities": ["EC2"],
        "containerProperties": {"image": "busybox", "resourceRequirements": [
            {"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "1024"}]}});
    let s = json!({"computeEnvironments": [ce], "jobQueues": [queue("q", 1, &["ec2"])],
                   "jobDefinitions": [def], "workload": [fixed_jobs(1, "q", "d", None, 3600.0)]});
    let r = run(&s);
    let expected = 3610.0 / 3600.0 * 0.096 / 2.0;
    let q = r.queues["q"].cost;
    assert!((q - expected).abs() < 1e-9, "queue cost {q}, expected {expected}");
    let ce = &r.compute_environments["ec2"];
    // The other half of the instance, its launch and its idle minute are idle cost.
    assert!(ce.idle_cost > expected, "idle {} of {}", ce.idle_cost, ce.cost);
    assert!((q + ce.idle_cost - ce.cost).abs() < 1e-12);
    assert!((r.cost.idle - ce.idle_cost).abs() < 1e-15);
}

/// A CPU queue and a GPU queue with their own policies; `research` uses both.
fn two_fair_queues() -> Value {
    json!({
        "computeEnvironments": [fargate_ce("cpu", 4), fargate_ce("gpu", 4)],
        "schedulingPolicies": [policy("cpu-policy", &[("research", 0.5), ("ml", 1.0)]),
                               policy("gpu-policy", &[("research", 4.0)])],
        "jobQueues": [fair_queue("cpu-q", "cpu-policy", &["cpu"]), fair_queue("gpu-q", "gpu-policy", &["gpu"])],
        "jobDefinitions": [fargate_def("d", "1", "2048")],
        "workload": [fixed_jobs(20, "cpu-q", "d", Some("research"), 300.0),
                     fixed_jobs(20, "cpu-q", "d", Some("ml"), 300.0),
                     fixed_jobs(6, "gpu-q", "d", Some("research"), 300.0)]
    })
}

#[test]
fn shares_are_reported_under_their_queue_with_that_queues_targets() {
    let r = run(&two_fair_queues());
    let cpu = &r.queues["cpu-q"].shares;
    let gpu = &r.queues["gpu-q"].shares;
    assert_eq!(cpu.keys().collect::<Vec<_>>(), ["ml", "research"]);
    assert_eq!(gpu.keys().collect::<Vec<_>>(), ["research"]);
    // cpu-policy: weights 0.5 and 1 -> targets (1/0.5) / (1/0.5 + 1/1) = 2/3 and 1/3.
    assert_eq!(cpu["research"].weight_factor, 0.5);
    assert!((cpu["research"].target_fraction - 2.0 / 3.0).abs() < 1e-12);
    assert!((cpu["ml"].target_fraction - 1.0 / 3.0).abs() < 1e-12);
    // gpu-policy: research alone on its queue, whatever its weight.
    assert_eq!(gpu["research"].weight_factor, 4.0);
    assert_eq!(gpu["research"].target_fraction, 1.0);
    assert_eq!(gpu["research"].used_fraction, 1.0);
    assert_eq!((cpu["research"].submitted, gpu["research"].submitted), (20, 6));
    // The run-wide share sums the queues (the contract's `shares` key).
    let all = &r.shares["research"];
    assert_eq!(all.submitted, 26);
    assert_eq!(all.succeeded, cpu["research"].succeeded + gpu["research"].succeeded);
    assert!((all.vcpu_seconds - cpu["research"].vcpu_seconds - gpu["research"].vcpu_seconds).abs() < 1e-9);
    assert!((all.cost - cpu["research"].cost - gpu["research"].cost).abs() < 1e-12);
    assert_eq!(
        all.wait_seconds.stats.count,
        cpu["research"].wait_seconds.stats.count + gpu["research"].wait_seconds.stats.count
    );
    // Each queue's shares pay the queue's whole bill (every job there has a share).
    for q in ["cpu-q", "gpu-q"] {
        let shares: f64 = r.queues[q].shares.values().map(|s| s.cost).sum();
        assert!((shares - r.queues[q].cost).abs() < 1e-12, "{q}");
    }
    // FIFO queues list no shares.
    let text = batchsim::report::text::render(&r);
    assert!(
        text.contains("research: used  50.0%  target  66.7% (weight 0.5)"),
        "{text}"
    );
    assert!(
        text.contains("research: used 100.0%  target 100.0% (weight 4)"),
        "{text}"
    );
}

#[test]
fn fifo_queues_have_no_shares_in_the_report() {
    let s = json!({
        "computeEnvironments": [fargate_ce("f", 4)],
        "jobQueues": [queue("q", 1, &["f"])],
        "jobDefinitions": [fargate_def("d", "1", "2048")],
        "workload": [fixed_jobs(2, "q", "d", None, 60.0)]
    });
    let r = run(&s);
    assert!(r.queues["q"].shares.is_empty());
    assert!(
        !r.to_json().contains("\"shares\": {\n"),
        "no per-queue shares key on FIFO queues"
    );
}

#[test]
fn bundled_scenarios_cost_adds_up_to_the_cent() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let scenario = batchsim::Scenario::from_file(&path).unwrap_or_else(|e| panic!("{e}"));
        let r = batchsim::Simulation::new(&scenario, batchsim::Options::default())
            .unwrap()
            .run();
        let queues: f64 = r.queues.values().map(|q| q.cost).sum();
        let name = path.display();
        assert!(
            (queues + r.cost.idle - r.cost.total).abs() < 0.005,
            "{name}: queues {queues} + idle {} != total {}",
            r.cost.idle,
            r.cost.total
        );
        let ce_idle: f64 = r.compute_environments.values().map(|c| c.idle_cost).sum();
        assert!((ce_idle - r.cost.idle).abs() < 1e-9, "{name}");
        for (share, s) in &r.shares {
            let per_queue: f64 = r
                .queues
                .values()
                .filter_map(|q| q.shares.get(share))
                .map(|s| s.cost)
                .sum();
            assert!((per_queue - s.cost).abs() < 1e-9, "{name}: share {share}");
        }
        if r.cost.total > 0.0 {
            checked += 1;
        }
    }
    assert!(checked >= 8, "only {checked} bundled scenarios with a cost");
}
