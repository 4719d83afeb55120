//! EC2 and Spot compute environments: packing, scaling limits, Spot theory, bills.

mod common;

use batchsim::{Options, Report, Scenario, Simulation};
use serde_json::{json, Value};

fn ec2_ce(name: &str, kind: &str, types: &[&str], max: u32, strategy: &str, sim: Value) -> Value {
    json!({"computeEnvironmentName": name, "type": "MANAGED",
           "computeResources": {"type": kind, "minvCpus": 0, "maxvCpus": max, "instanceTypes": types,
                                "allocationStrategy": strategy, "subnets": ["subnet-1"], "instanceRole": "ecsInstanceRole"},
           "simulation": sim})
}

fn ec2_def(name: &str, vcpus: &str, memory: &str) -> Value {
    json!({"jobDefinitionName": name, "type": "container", "platformCapabilities": ["EC2"],
           "containerProperties": {"image": "busybox", "resourceRequirements": [
               {"type": "VCPU", "value": vcpus}, {"type": "MEMORY", "value": memory}]}})
}

fn burst(n: u64, def: &str, seconds: f64) -> Value {
    json!({"arrivals": {"process": "every", "seconds": 0.001}, "count": n,
           "submitJob": {"jobName": "job", "jobQueue": "q", "jobDefinition": def},
           "runtime": {"distribution": "fixed", "seconds": seconds}})
}

/// Runs a scenario by steps; returns the report and the largest provisioned vCPUs and
/// instance count seen on CE 0.
fn run_watching(v: &Value) -> (Report, f64, usize) {
    let s = Scenario::from_value(v, "ec2.json").unwrap_or_else(|e| panic!("{e}"));
    let mut sim = Simulation::new(&s, Options::default()).unwrap();
    let (mut peak_vcpus, mut peak_instances) = (0.0f64, 0usize);
    while sim.step() {
        let u = &sim.compute_environment_usage()[0];
        peak_vcpus = peak_vcpus.max(u.vcpus_provisioned);
        peak_instances = peak_instances.max(u.instances);
        assert!(u.vcpus_in_use <= u.vcpus_provisioned + 1e-9);
    }
    (sim.finish(), peak_vcpus, peak_instances)
}

fn packing_scenario(memory: &str, max: u32, strategy: &str) -> Value {
    let sim = json!({"instanceLaunchSeconds": 120, "startupSeconds": 0, "scaleInIdleSeconds": 60});
    json!({"computeEnvironments": [ec2_ce("ec2", "EC2", &["m5.large"], max, strategy, sim)],
           "jobQueues": [common::queue("q", 1, &["ec2"])],
           "jobDefinitions": [ec2_def("d", "1", memory)],
           "workload": [burst(10, "d", 600.0)]})
}

#[test]
fn ten_one_vcpu_jobs_pack_two_per_m5_large() {
    // m5.large: 2 vCPU, 8192 MiB. 1 vCPU + 3 GiB jobs: two per instance -> 5 instances,
    // launched at t=0, ready at 120, jobs run 120..720, idle instances end at 780.
    let (r, peak, instances) = run_watching(&packing_scenario("3072", 100, "BEST_FIT"));
    let ce = &r.compute_environments["ec2"];
    assert_eq!(ce.instances_launched, 5);
    assert_eq!(instances, 5);
    assert_eq!(peak, 10.0);
    assert_eq!(r.wait_seconds.stats.max, Some(120.0));
    let p50 = r.wait_seconds.stats.p50.expect("waits");
    assert!((p50 - 120.0).abs() < 0.01, "{p50}");
    assert!(
        (r.end_seconds - 780.008).abs() < 1e-9,
        "last instance launched at 0.008 s: {}",
        r.end_seconds
    );
    assert!((ce.vcpu_seconds_used - 6000.0).abs() < 1.0, "{}", ce.vcpu_seconds_used);
    // 5 instances x 2 vCPU x (780 s - launch times of 0..0.009 s).
    assert!(
        (ce.vcpu_seconds_provisioned - 7800.0).abs() < 0.1,
        "{}",
        ce.vcpu_seconds_provisioned
    );
    assert!((ce.utilization - 6000.0 / 7800.0).abs() < 1e-3);
    // Bill: 5 x 780 s x $0.096/h = $0.104.
    assert!((ce.cost - 0.104).abs() < 0.0005, "{}", ce.cost);
}

#[test]
fn memory_bound_jobs_get_an_instance_each() {
    // 1 vCPU + 5 GiB: the vCPUs would allow two per m5.large, the memory only one.
    let (r, peak, _) = run_watching(&packing_scenario("5120", 100, "BEST_FIT"));
    let ce = &r.compute_environments["ec2"];
    assert_eq!(ce.instances_launched, 10);
    assert_eq!(peak, 20.0);
    assert!((ce.utilization - 6000.0 / 15600.0).abs() < 1e-3, "{}", ce.utilization);
}

#[test]
fn best_fit_never_exceeds_max_vcpus_and_progressive_by_one_instance() {
    // maxvCpus 7 with 2-vCPU instances: BEST_FIT stops at 3 instances (6 vCPUs).
    let v = packing_scenario("5120", 7, "BEST_FIT");
    let (r, peak, instances) = run_watching(&v);
    assert_eq!((peak, instances), (6.0, 3));
    assert_eq!(r.jobs.succeeded, 10);
    // Ten jobs, three at a time on the same three instances: 120..720, 720..1320,
    // 1320..1920, 1920..2520 (one job), then scale-in 60 s later.
    assert_eq!(r.end_seconds, 2580.0);
    assert_eq!(r.compute_environments["ec2"].instances_launched, 3);
    // BEST_FIT_PROGRESSIVE may pass maxvCpus by one instance: 4 instances (8 vCPUs).
    let v = packing_scenario("5120", 7, "BEST_FIT_PROGRESSIVE");
    let (r, peak, instances) = run_watching(&v);
    assert_eq!((peak, instances), (8.0, 4));
    assert_eq!(r.jobs.succeeded, 10);
}

#[test]
fn gpu_jobs_go_to_gpu_instances_and_best_fit_picks_the_cheapest() {
    let sim = json!({"instanceLaunchSeconds": 0, "startupSeconds": 0, "scaleInIdleSeconds": 0});
    let mut def = ec2_def("gpu", "4", "15000");
    def["containerProperties"]["resourceRequirements"]
        .as_array_mut()
        .unwrap()
        .push(json!({"type": "GPU", "value": "1"}));
    let v = json!({"computeEnvironments": [ec2_ce("ec2", "EC2", &["g4dn", "g5"], 64, "BEST_FIT", sim)],
                   "jobQueues": [common::queue("q", 1, &["ec2"])], "jobDefinitions": [def],
                   "workload": [burst(1, "gpu", 3600.0)]});
    let (r, _, _) = run_watching(&v);
    // g4dn.xlarge (4 vCPU, 16 GiB, 1 GPU) is the cheapest fit at $0.526/h.
    let ce = &r.compute_environments["ec2"];
    assert_eq!(ce.instances_launched, 1);
    assert!((ce.cost - 0.526).abs() < 0.001, "{}", ce.cost);
    assert!((ce.vcpu_seconds_provisioned - 4.0 * 3600.0).abs() < 0.01);
}

/// Runs `n` jobs of length `l_secs` on a Spot CE reclaiming at `rate` per hour with `k`
/// attempts retried only on reclaim; returns the failed fraction.
fn spot_failed_fraction(ce: Value, def: Value, reason_glob: &str, n: u64, l_secs: f64, k: u32) -> f64 {
    let mut def = def;
    def["retryStrategy"] = json!({"attempts": k, "evaluateOnExit": [
        {"onStatusReason": reason_glob, "action": "RETRY"}, {"onReason": "*", "action": "EXIT"}]});
    let v = json!({"seed": 11, "computeEnvironments": [ce], "jobQueues": [common::queue("q", 1, &["spot"])],
                   "jobDefinitions": [def],
                   "workload": [{"arrivals": {"process": "every", "seconds": 2}, "count": n,
                                 "submitJob": {"jobName": "j", "jobQueue": "q", "jobDefinition": "d"},
                                 "runtime": {"distribution": "fixed", "seconds": l_secs}}]});
    let r = common::run(&v);
    assert_eq!(r.jobs.submitted, r.jobs.succeeded + r.jobs.failed);
    assert_eq!(r.wait_seconds.stats.max, Some(0.0), "capacity must not be the limit");
    r.jobs.failed as f64 / n as f64
}

#[test]
fn fargate_spot_failures_match_theory() {
    let (rate, l, k, n) = (1.0, 1800.0, 2, 20_000u64);
    let want = (1.0 - f64::exp(-rate * l / 3600.0)).powi(k as i32);
    let ce = json!({"computeEnvironmentName": "spot", "type": "MANAGED",
                    "computeResources": {"type": "FARGATE_SPOT", "maxvCpus": 10000},
                    "simulation": {"startupSeconds": 0, "interruptionsPerHour": rate}});
    let got = spot_failed_fraction(ce, common::fargate_def("d", "0.25", "512"), "Your Spot Task*", n, l, k);
    let sd = (want * (1.0 - want) / n as f64).sqrt();
    eprintln!("failed fraction {got:.4}, theory {want:.4} (sd {sd:.4})");
    assert!(
        (got - want).abs() < 4.0 * sd,
        "failed fraction {got:.4}, theory {want:.4} (sd {sd:.4})"
    );
}

#[test]
fn ec2_spot_reclaims_match_theory_and_retry_on_host_ec2() {
    // One 2-vCPU job per m5.large: each attempt lives on its own instance.
    let (rate, l, k, n) = (1.0, 1800.0, 2, 10_000u64);
    let want = (1.0 - f64::exp(-rate * l / 3600.0)).powi(k as i32);
    let sim =
        json!({"instanceLaunchSeconds": 0, "startupSeconds": 0, "scaleInIdleSeconds": 0, "interruptionsPerHour": rate});
    let ce = ec2_ce("spot", "SPOT", &["m5.large"], 100_000, "SPOT_CAPACITY_OPTIMIZED", sim);
    let got = spot_failed_fraction(ce, ec2_def("d", "2", "4096"), "Host EC2*", n, l, k);
    let sd = (want * (1.0 - want) / n as f64).sqrt();
    eprintln!("failed fraction {got:.4}, theory {want:.4} (sd {sd:.4})");
    assert!(
        (got - want).abs() < 4.0 * sd,
        "failed fraction {got:.4}, theory {want:.4} (sd {sd:.4})"
    );
}

#[test]
fn fargate_bill_matches_a_hand_computed_one() {
    // 10 jobs of 4 vCPU / 8 GiB on FARGATE, 30 s startup + 7170 s run = 7200 s billed each:
    // 2 h x (4 x 0.04048 + 8 x 0.004445) = $0.39496 per job -> $3.9496.
    // One 0.25 vCPU / 512 MiB job of 10 s: 40 s, billed the 60 s minimum:
    // 60/3600 x (0.25 x 0.04048 + 0.5 x 0.004445) = $0.000205708.
    // The same 10 big jobs on FARGATE_SPOT: 30% of the price -> $1.18488.
    let ce = |name: &str, kind: &str| {
        json!({"computeEnvironmentName": name, "type": "MANAGED",
        "computeResources": {"type": kind, "maxvCpus": 1000}, "simulation": {"startupSeconds": 30}})
    };
    let stream = |q: &str, def: &str, n: u64, secs: f64| {
        json!({"arrivals": {"process": "every", "seconds": 1}, "count": n,
        "submitJob": {"jobName": "j", "jobQueue": q, "jobDefinition": def},
        "runtime": {"distribution": "fixed", "seconds": secs}})
    };
    let v = json!({"computeEnvironments": [ce("od", "FARGATE"), ce("spot", "FARGATE_SPOT")],
                   "jobQueues": [common::queue("q", 1, &["od"]), common::queue("s", 1, &["spot"])],
                   "jobDefinitions": [common::fargate_def("big", "4", "8192"), common::fargate_def("tiny", "0.25", "512")],
                   "workload": [stream("q", "big", 10, 7170.0), stream("q", "tiny", 1, 10.0), stream("s", "big", 10, 7170.0)]});
    let r = common::run(&v);
    let od = r.compute_environments["od"].cost;
    let spot = r.compute_environments["spot"].cost;
    assert!((od - (3.9496 + 0.000205708)).abs() < 1e-6, "on-demand bill {od}");
    assert!((spot - 1.18488).abs() < 1e-6, "spot bill {spot}");
    assert!((r.cost.total - (od + spot)).abs() < 1e-9);
    assert_eq!(format!("{:.2}", r.cost.total), "5.13");
}

#[test]
fn ec2_bill_matches_a_hand_computed_one() {
    // One m5.large launched at 0, ready at 120, container start 10 s, job runs 130..3130,
    // idle until 3730 when it is scaled in: 3730 s x $0.096/h = $0.099467.
    // The same on SPOT with the default 70% discount and bidPercentage 20: the price paid is
    // capped at 20% of On-Demand: $0.0198933.
    let sim = json!({"instanceLaunchSeconds": 120, "startupSeconds": 10, "scaleInIdleSeconds": 600});
    let mut spot = ec2_ce(
        "spot",
        "SPOT",
        &["m5.large"],
        16,
        "SPOT_PRICE_CAPACITY_OPTIMIZED",
        sim.clone(),
    );
    spot["computeResources"]["bidPercentage"] = json!(20);
    let v = json!({"computeEnvironments": [ec2_ce("od", "EC2", &["m5.large"], 16, "BEST_FIT", sim), spot],
                   "jobQueues": [common::queue("q", 1, &["od"]), common::queue("s", 1, &["spot"])],
                   "jobDefinitions": [ec2_def("d", "2", "4096")],
                   "workload": [
                       {"at": 0, "submitJob": {"jobName": "a", "jobQueue": "q", "jobDefinition": "d"}, "runtime": {"distribution": "fixed", "seconds": 3000}},
                       {"at": 0, "submitJob": {"jobName": "b", "jobQueue": "s", "jobDefinition": "d"}, "runtime": {"distribution": "fixed", "seconds": 3000}}]});
    let r = common::run(&v);
    assert_eq!(r.end_seconds, 3730.0);
    let od = &r.compute_environments["od"];
    assert!((od.cost - 3730.0 / 3600.0 * 0.096).abs() < 1e-9, "{}", od.cost);
    assert_eq!(format!("{:.2}", od.cost), "0.10");
    assert!((od.vcpu_seconds_provisioned - 2.0 * 3730.0).abs() < 1e-9);
    assert!((od.vcpu_seconds_used - 6000.0).abs() < 1e-9);
    let spot = &r.compute_environments["spot"];
    assert!(
        (spot.cost - 3730.0 / 3600.0 * 0.096 * 0.2).abs() < 1e-9,
        "{}",
        spot.cost
    );
    assert_eq!(
        r.wait_seconds.stats.max,
        Some(120.0),
        "RUNNABLE while the instance launches"
    );
}

/// The AWS CLI's own examples (awscli/examples/batch/create-compute-environment.rst and
/// create-job-queue.rst) validate and run unchanged.
#[test]
fn aws_cli_example_bodies_run_unchanged() {
    let c4_on_demand = json!({
        "computeEnvironmentName": "C4OnDemand", "type": "MANAGED", "state": "ENABLED",
        "computeResources": {"type": "EC2", "minvCpus": 0, "maxvCpus": 128, "desiredvCpus": 48,
            "instanceTypes": ["c4.large", "c4.xlarge", "c4.2xlarge", "c4.4xlarge", "c4.8xlarge"],
            "subnets": ["subnet-220c0e0a", "subnet-1a95556d", "subnet-978f6dce"],
            "securityGroupIds": ["sg-cf5093b2"], "ec2KeyPair": "id_rsa", "instanceRole": "ecsInstanceRole",
            "tags": {"Name": "Batch Instance - C4OnDemand"}},
        "serviceRole": "arn:aws:iam::012345678910:role/AWSBatchServiceRole"});
    let m4_spot = json!({
        "computeEnvironmentName": "M4Spot", "type": "MANAGED", "state": "ENABLED",
        "computeResources": {"type": "SPOT", "spotIamFleetRole": "arn:aws:iam::012345678910:role/aws-ec2-spot-fleet-role",
            "minvCpus": 0, "maxvCpus": 128, "desiredvCpus": 4, "instanceTypes": ["m4"], "bidPercentage": 20,
            "subnets": ["subnet-220c0e0a", "subnet-1a95556d", "subnet-978f6dce"], "securityGroupIds": ["sg-cf5093b2"],
            "ec2KeyPair": "id_rsa", "instanceRole": "ecsInstanceRole", "tags": {"Name": "Batch Instance - M4Spot"}},
        "serviceRole": "arn:aws:iam::012345678910:role/AWSBatchServiceRole"});
    let low = json!({"jobQueueName": "LowPriority", "state": "ENABLED", "priority": 10,
                     "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "M4Spot"}]});
    let high = json!({"jobQueueName": "HighPriority", "state": "ENABLED", "priority": 1,
                      "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "C4OnDemand"}, {"order": 2, "computeEnvironment": "M4Spot"}]});
    let def = json!({"jobDefinitionName": "sleep60", "type": "container",
                     "containerProperties": {"image": "busybox", "vcpus": 1, "memory": 128, "command": ["sleep", "60"]}});
    let v = json!({"computeEnvironments": [c4_on_demand, m4_spot], "jobQueues": [low, high], "jobDefinitions": [def],
                   "workload": [
                       {"arrivals": {"process": "every", "seconds": 5}, "count": 50,
                        "submitJob": {"jobName": "example", "jobQueue": "HighPriority", "jobDefinition": "sleep60"},
                        "runtime": {"distribution": "fixed", "seconds": 60}},
                       {"arrivals": {"process": "every", "seconds": 5}, "count": 50,
                        "submitJob": {"jobName": "example", "jobQueue": "arn:aws:batch:us-east-1:012345678910:job-queue/LowPriority",
                                      "jobDefinition": "arn:aws:batch:us-east-1:012345678910:job-definition/sleep60:1"},
                        "runtime": {"distribution": "fixed", "seconds": 60}}]});
    let r = common::run(&v);
    assert_eq!(r.jobs.succeeded, 100);
    // desiredvCpus: 48 vCPUs of c4 ready at t=0 (c4.8xlarge has 36, then 12 more), 4 of m4.
    let c4 = &r.compute_environments["C4OnDemand"];
    assert!(c4.instances_launched >= 2);
    assert_eq!(
        r.queues["HighPriority"].wait_seconds.stats.max,
        Some(0.0),
        "standing capacity takes them at once"
    );
    assert!(r.compute_environments["M4Spot"].instances_launched >= 1);
    assert!(r.cost.total > 0.0);
}

#[test]
fn min_vcpus_stay_up_and_disabled_places_nothing_new() {
    // minvCpus 4 of m5.xlarge (4 vCPU): one instance from t=0 that never scales in; the CE
    // is DISABLED at 1000 s, so the job submitted at 1500 s waits until it is ENABLED at 2000 s.
    let mut ce = ec2_ce(
        "ec2",
        "EC2",
        &["m5.xlarge"],
        8,
        "BEST_FIT",
        json!({"instanceLaunchSeconds": 100, "startupSeconds": 0, "scaleInIdleSeconds": 60}),
    );
    ce["computeResources"]["minvCpus"] = json!(4);
    let v = json!({"computeEnvironments": [ce], "jobQueues": [common::queue("q", 1, &["ec2"])],
                   "jobDefinitions": [ec2_def("d", "2", "4096")],
                   "workload": [
                       {"at": 10, "submitJob": {"jobName": "a", "jobQueue": "q", "jobDefinition": "d"}, "runtime": {"distribution": "fixed", "seconds": 100}},
                       {"at": 1500, "submitJob": {"jobName": "b", "jobQueue": "q", "jobDefinition": "d"}, "runtime": {"distribution": "fixed", "seconds": 100}}],
                   "actions": [
                       {"at": 1000, "updateComputeEnvironment": {"computeEnvironment": "ec2", "state": "DISABLED"}},
                       {"at": 2000, "updateComputeEnvironment": {"computeEnvironment": "ec2", "state": "ENABLED"}}]});
    let s = Scenario::from_value(&v, "min.json").unwrap();
    let (r, records) = Simulation::new(
        &s,
        Options {
            record_jobs: true,
            until: batchsim::SimTime::from_secs_f64(5000.0),
            ..Options::default()
        },
    )
    .unwrap()
    .run_with_records();
    let ce = &r.compute_environments["ec2"];
    assert_eq!(ce.instances_launched, 1, "the standing instance serves both jobs");
    assert_eq!(
        records[0].wait,
        Some(batchsim::SimDuration::ZERO),
        "a ready at t=0, no launch wait"
    );
    assert_eq!(records[1].started_at, batchsim::SimTime::from_secs_f64(2000.0));
    // b ends at 2100; the instance is the minimum, so no scale-in is even checked and
    // nothing else is left to happen: the run ends at 2100 (not at `until`), the instance
    // billed for all of it.
    assert_eq!(r.end_seconds, 2100.0);
    assert!(
        (ce.vcpu_seconds_provisioned - 4.0 * 2100.0).abs() < 1e-9,
        "{}",
        ce.vcpu_seconds_provisioned
    );
    assert!((ce.cost - 2100.0 / 3600.0 * 0.192).abs() < 1e-9, "{}", ce.cost);
}

#[test]
fn invalid_ec2_settings_are_refused_with_paths() {
    let bad = |ce: Value| {
        let v = json!({"computeEnvironments": [ce], "jobQueues": [common::queue("q", 1, &["ec2"])],
                       "jobDefinitions": [ec2_def("d", "1", "2048")], "workload": []});
        Scenario::from_value(&v, "bad.json").unwrap_err().to_string()
    };
    let sim = json!({});
    let e = bad(ec2_ce("ec2", "EC2", &["m5.larg"], 8, "BEST_FIT", sim.clone()));
    assert!(
        e.contains("computeEnvironments[0].computeResources.instanceTypes[0]")
            && e.contains("did you mean `m5.large`?"),
        "{e}"
    );
    let e = bad(ec2_ce("ec2", "EC2", &["m5", "m6g"], 8, "BEST_FIT", sim.clone()));
    assert!(e.contains("instanceTypes[1]") && e.contains("one architecture"), "{e}");
    let e = bad(ec2_ce("ec2", "EC2", &["m5"], 8, "SPOT_CAPACITY_OPTIMIZED", sim.clone()));
    assert!(
        e.contains("allocationStrategy") && e.contains("SPOT compute environments only"),
        "{e}"
    );
    let e = bad(ec2_ce(
        "ec2",
        "EC2",
        &["m5"],
        8,
        "BEST_FIT",
        json!({"interruptionsPerHour": 1}),
    ));
    assert!(e.contains("simulation.interruptionsPerHour"), "{e}");
    let mut ce = ec2_ce("ec2", "EC2", &["m5"], 8, "BEST_FIT", sim);
    ce["computeResources"]["minvCpus"] = json!(16);
    let e = bad(ce);
    assert!(
        e.contains("computeResources.minvCpus") && e.contains("from 0 to 8"),
        "{e}"
    );
}

#[test]
fn aws_scale_down_delay_keeps_idle_instances() {
    // computeResources.scalingPolicy.minScaleDownDelayMinutes = 30: the instance stays 30
    // minutes after its job (ready at 0 + 60, job 60..160, scaled in at 160 + 1800).
    let mut ce = ec2_ce(
        "ec2",
        "EC2",
        &["m5.large"],
        8,
        "BEST_FIT",
        json!({"instanceLaunchSeconds": 60, "startupSeconds": 0}),
    );
    ce["computeResources"]["scalingPolicy"] = json!({"minScaleDownDelayMinutes": 30});
    let v = json!({"computeEnvironments": [ce], "jobQueues": [common::queue("q", 1, &["ec2"])],
                   "jobDefinitions": [ec2_def("d", "2", "4096")], "workload": [burst(1, "d", 100.0)]});
    let r = common::run(&v);
    assert_eq!(r.end_seconds, 1960.0);
    let mut bad = ec2_ce("ec2", "EC2", &["m5.large"], 8, "BEST_FIT", json!({}));
    bad["computeResources"]["scalingPolicy"] = json!({"minScaleDownDelayMinutes": 5});
    let v = json!({"computeEnvironments": [bad], "jobQueues": [common::queue("q", 1, &["ec2"])],
                   "jobDefinitions": [ec2_def("d", "2", "4096")], "workload": []});
    let e = Scenario::from_value(&v, "bad.json").unwrap_err().to_string();
    assert!(
        e.contains("computeResources.scalingPolicy.minScaleDownDelayMinutes: must be from 20 to 10080, found 5"),
        "{e}"
    );
}

#[test]
fn best_fit_on_spot_may_pass_max_vcpus_by_one_instance() {
    // API model (ComputeResource.allocationStrategy): "With any allocation strategy except
    // BEST_FIT using On-Demand (EC2) compute resources, Batch might need to exceed maxvCpus to
    // meet your capacity requirements. In this event, Batch never exceeds maxvCpus by more
    // than a single instance."
    // maxvCpus 7, m5.large (2 vCPU, 8 GiB), ten 1-vCPU jobs of 5 GiB: one job per instance.
    // SPOT + BEST_FIT launches while fewer than 7 vCPUs are provisioned: 0, 2, 4, 6 -> a
    // fourth instance, 8 vCPUs (one past 7); EC2 + BEST_FIT stops at 3 (6 vCPUs, the test
    // above).
    let sim = json!({"instanceLaunchSeconds": 120, "startupSeconds": 0, "scaleInIdleSeconds": 60});
    let mut ce = ec2_ce("ec2", "SPOT", &["m5.large"], 7, "BEST_FIT", sim);
    ce["computeResources"]["spotIamFleetRole"] = json!("arn:aws:iam::123456789012:role/fleet");
    let v = json!({"computeEnvironments": [ce], "jobQueues": [common::queue("q", 1, &["ec2"])],
                   "jobDefinitions": [ec2_def("d", "1", "5120")], "workload": [burst(10, "d", 600.0)]});
    let (r, peak, instances) = run_watching(&v);
    assert_eq!((peak, instances), (8.0, 4));
    assert_eq!(r.compute_environments["ec2"].instances_launched, 4);
    assert_eq!(r.jobs.succeeded, 10);
}

#[test]
fn best_fit_takes_a_pricier_type_that_fits_rather_than_launching_nothing() {
    // CONTRACT 7.14 (g): "BEST_FIT: the cheapest allowed type that holds the job and keeps the
    // CE within maxvCpus; a pricier type that fits when the cheapest would not is taken rather
    // than launching nothing." Custom types: `big` 4 vCPU at $0.10/h, `small` 2 vCPU at
    // $0.20/h; maxvCpus 6; four 2-vCPU jobs of 100 s at t=0; launch 100 s, start 0.
    //  - job 1: cheapest holding it is `big` (0 + 4 <= 6): launch big, claim 2 of its 4;
    //  - job 2: claims the other 2 vCPUs of the launching big;
    //  - job 3: `big` would make 8 > 6; `small` makes 6: launch small (before: nothing, job 3
    //    waited for big's room at 200);
    //  - job 4: nothing within 6: waits.
    // t=100 both ready: jobs 1, 2 on big, job 3 on small, 100..200. t=200: job 4 goes to the
    // best fit, `small` (2 free, leaves 0) over `big` (4 free): 200..300.
    let types = json!([
        {"instanceType": "big", "vcpus": 4, "memoryMiB": 16384, "gpus": 0, "pricePerHour": 0.10, "architecture": "x86_64"},
        {"instanceType": "small", "vcpus": 2, "memoryMiB": 8192, "gpus": 0, "pricePerHour": 0.20, "architecture": "x86_64"}
    ]);
    let sim = json!({"instanceLaunchSeconds": 100, "startupSeconds": 0, "scaleInIdleSeconds": 1000,
                     "instanceTypes": types});
    let ce = ec2_ce("ec2", "EC2", &["big", "small"], 6, "BEST_FIT", sim);
    let workload: Vec<Value> = (0..4)
        .map(|i| {
            json!({"at": 0, "submitJob": {"jobName": format!("j{i}"), "jobQueue": "q", "jobDefinition": "d"},
                        "runtime": {"distribution": "fixed", "seconds": 100}})
        })
        .collect();
    let v = json!({"computeEnvironments": [ce], "jobQueues": [common::queue("q", 1, &["ec2"])],
                   "jobDefinitions": [ec2_def("d", "2", "2048")], "workload": workload});
    let (r, records) = common::run_records(&v);
    let starts: Vec<f64> = records
        .iter()
        .map(|j| j.started_at.map_or(f64::NAN, |t| t.as_secs_f64()))
        .collect();
    assert_eq!(starts, [100.0, 100.0, 100.0, 200.0]);
    let ce = &r.compute_environments["ec2"];
    assert_eq!(ce.instances_launched, 2);
    // big idle from 200, small from 300; each ends 1000 s later: big at 1200, small at 1300.
    assert_eq!(r.end_seconds, 1300.0);
    // Bill: big 1200 s x $0.10/h + small 1300 s x $0.20/h.
    let bill = 1200.0 / 3600.0 * 0.10 + 1300.0 / 3600.0 * 0.20;
    assert!((ce.cost - bill).abs() < 1e-9, "{} vs {bill}", ce.cost);
}

// ---------------------------------------------------------------------------------------------
// CONTRACT 7.14: placement and scaling, job by job
// ---------------------------------------------------------------------------------------------

/// An EC2 compute environment `ec2` on `types` with the given min/desired/max vCPUs and
/// simulation settings; one queue `q` per entry of `queues` (name, priority), all on it.
fn ec2_7_14(types: &[&str], min: u32, desired: u32, max: u32, sim: Value, queues: &[(&str, u32)]) -> Value {
    let mut ce = ec2_ce("ec2", "EC2", types, max, "BEST_FIT", sim);
    ce["computeResources"]["minvCpus"] = json!(min);
    ce["computeResources"]["desiredvCpus"] = json!(desired);
    let qs: Vec<Value> = queues.iter().map(|(n, p)| common::queue(n, *p, &["ec2"])).collect();
    json!({"computeEnvironments": [ce], "jobQueues": qs,
           "jobDefinitions": [ec2_def("d1", "1", "1024"), ec2_def("d2", "2", "1024"), ec2_def("d4", "4", "4096"),
                              ec2_def("d12g", "2", "12288")],
           "workload": []})
}

/// A job `name` on queue `q` at `at` of definition `def`, running `secs`.
fn at(at: f64, name: &str, q: &str, def: &str, secs: f64) -> Value {
    json!({"at": at, "submitJob": {"jobName": name, "jobQueue": q, "jobDefinition": def},
           "runtime": {"distribution": "fixed", "seconds": secs}})
}

fn started(records: &[batchsim::JobRecord]) -> Vec<f64> {
    records
        .iter()
        .map(|j| j.started_at.map_or(f64::NAN, |t| t.as_secs_f64()))
        .collect()
}

#[test]
fn rule_b_a_claimed_job_stops_being_head_and_the_queue_offers_the_next() {
    // (b) desiredvCpus 2: one m5.large (2 vCPU) READY at 0 (e). `small` (1 vCPU, 500 s) takes
    // 1 of it at 0; `big` (2 vCPU) at 1 finds no READY room, launches a second m5.large
    // (ready at 301) and claims it: it is no longer the FIFO head, so `next` (1 vCPU, 500 s)
    // at 1 takes the READY instance's last vCPU at once (not after `big`). `big` runs on its
    // instance at 301.
    let mut v = ec2_7_14(
        &["m5.large"],
        0,
        2,
        100,
        json!({"instanceLaunchSeconds": 300, "startupSeconds": 0, "scaleInIdleSeconds": 100}),
        &[("q", 1)],
    );
    v["workload"] = json!([
        at(0.0, "small", "q", "d1", 500.0),
        at(1.0, "big", "q", "d2", 50.0),
        at(1.0, "next", "q", "d1", 500.0)
    ]);
    let (r, records) = common::run_records(&v);
    assert_eq!(started(&records), [0.0, 301.0, 1.0]);
    assert_eq!(r.compute_environments["ec2"].instances_launched, 2);
}

#[test]
fn rule_c_a_claimed_job_takes_ready_room_that_frees_before_its_instance() {
    // (c) "a later pass gives the claimed job any READY room it fits, releasing the claim".
    // desiredvCpus 2: m5.large A READY at 0. `one` (2 vCPU) runs on A 0..100. `two` (2 vCPU)
    // at 10 launches B (ready at 310) and claims it. At 100 A is free: `two` takes it,
    // 100..200 (before: it waited for B, 310..410). B comes up unused at 310.
    // Scale-in (idle 1000 s): A idle from 200 -> 1200; B idle from 310 -> 1310 (the end).
    let mut v = ec2_7_14(
        &["m5.large"],
        0,
        2,
        100,
        json!({"instanceLaunchSeconds": 300, "startupSeconds": 0, "scaleInIdleSeconds": 1000}),
        &[("q", 1)],
    );
    v["workload"] = json!([at(0.0, "one", "q", "d2", 100.0), at(10.0, "two", "q", "d2", 100.0)]);
    let (r, records) = common::run_records(&v);
    assert_eq!(started(&records), [0.0, 100.0]);
    assert_eq!(records[1].wait.map(|w| w.as_secs_f64()), Some(90.0));
    let ce = &r.compute_environments["ec2"];
    assert_eq!(ce.instances_launched, 2);
    assert_eq!(r.end_seconds, 1310.0);
    // Bill at $0.096/h: A 0..1200, B 10..1310.
    assert!(
        (ce.cost - (1200.0 + 1300.0) / 3600.0 * 0.096).abs() < 1e-9,
        "{}",
        ce.cost
    );
}

#[test]
fn rule_c_claims_lapse_when_the_instance_is_ready_and_its_room_goes_in_pass_order() {
    // (c) "when the instance becomes READY its claims lapse and its room goes to RUNNABLE
    // jobs in normal pass order". No standing capacity; m5.large only; launch 300 s.
    //  - `low` (queue `low`, priority 1) at 0: launches B (ready 300), claims it.
    //  - `high` (queue `high`, priority 9) at 50: B is full of `low`'s claim: launches C
    //    (ready 350), claims it.
    //  - 300: B READY, `low`'s claim lapses. The pass visits `high` first: its claimed job
    //    takes B's READY room (releasing C); then `low` claims the room on C: runs at 350.
    // Before: `low` ran on B at 300 and `high` on C at 350.
    let mut v = ec2_7_14(
        &["m5.large"],
        0,
        0,
        100,
        json!({"instanceLaunchSeconds": 300, "startupSeconds": 0, "scaleInIdleSeconds": 100}),
        &[("high", 9), ("low", 1)],
    );
    v["workload"] = json!([
        at(0.0, "low", "low", "d2", 100.0),
        at(50.0, "high", "high", "d2", 100.0)
    ]);
    let (r, records) = common::run_records(&v);
    assert_eq!(started(&records), [350.0, 300.0]);
    assert_eq!(r.compute_environments["ec2"].instances_launched, 2);
    // B idle from 400, C from 450: scaled in at 500 and 550.
    assert_eq!(r.end_seconds, 550.0);
}

#[test]
fn rule_d_scale_in_runs_after_the_pass_of_its_instant() {
    // (d) desiredvCpus 2: m5.large A READY and idle at 0; idle time 600 s, so it is due at
    // 600. A job submitted at 600 is placed by that instant's pass first: it runs on A at
    // 600 (before: A was terminated by its check and the job launched B, ready at 900).
    // A idle again from 700: terminated at 1300.
    let mut v = ec2_7_14(
        &["m5.large"],
        0,
        2,
        100,
        json!({"instanceLaunchSeconds": 300, "startupSeconds": 0, "scaleInIdleSeconds": 600}),
        &[("q", 1)],
    );
    v["workload"] = json!([at(600.0, "late", "q", "d2", 100.0)]);
    let (r, records) = common::run_records(&v);
    assert_eq!(started(&records), [600.0]);
    let ce = &r.compute_environments["ec2"];
    assert_eq!(ce.instances_launched, 1);
    assert_eq!(r.end_seconds, 1300.0);
    assert!((ce.cost - 1300.0 / 3600.0 * 0.096).abs() < 1e-9, "{}", ce.cost);
}

#[test]
fn rule_d_min_vcpus_counts_ready_instances_and_the_oldest_idle_goes_first() {
    // (d) minvCpus 2 on m5.large (2 vCPU, $0.096/h) and m5.xlarge (4 vCPU, $0.192/h);
    // launch 700 s, idle 600 s. At 0 the minimum is m5.large A, READY (e). `x` (4 vCPU) at 0
    // fits only m5.xlarge: B launches (ready 700). From 600 A is idle past its time, but
    // while B is not READY the READY vCPUs would fall to 2 - 2 < 2: A stays. At 700 B is
    // READY, `x` runs 700..800, and the review after that pass ends A (the oldest idle;
    // 6 - 2 = 4 >= 2). B is idle from 800 but it is the minimum now (4 - 4 < 2): no scale-in
    // is even scheduled for it, so the run ends at 800. (Before: A, the minimum when it went
    // idle at 0, was never checked again; B was terminated at 1400 and A kept.)
    let mut v = ec2_7_14(
        &["m5.large", "m5.xlarge"],
        2,
        2,
        100,
        json!({"instanceLaunchSeconds": 700, "startupSeconds": 0, "scaleInIdleSeconds": 600}),
        &[("q", 1)],
    );
    v["workload"] = json!([at(0.0, "x", "q", "d4", 100.0)]);
    let (r, records) = common::run_records(&v);
    assert_eq!(started(&records), [700.0]);
    let ce = &r.compute_environments["ec2"];
    assert_eq!(ce.instances_launched, 2);
    // A is billed 0..700, B 0..800.
    assert_eq!(r.end_seconds, 800.0);
    let bill = 700.0 / 3600.0 * 0.096 + 800.0 / 3600.0 * 0.192;
    assert!((ce.cost - bill).abs() < 1e-9, "{} vs {bill}", ce.cost);
}

#[test]
fn rule_e_standing_capacity_ties_go_to_the_listed_order_and_best_fit_stays_within_max() {
    // (e) desiredvCpus 4 with custom `x1` (4 vCPU, 8 GiB) and `x2` (4 vCPU, 16 GiB), both
    // $0.20/h: the same size and price per vCPU, so the first listed, x1, is READY at 0.
    // A 2-vCPU 12 GiB job does not fit x1: it launches an x2 (2 launches in all; had the
    // standing instance been x2 it would have run at once).
    let types = json!([
        {"instanceType": "x1", "vcpus": 4, "memoryMiB": 8192, "gpus": 0, "pricePerHour": 0.2, "architecture": "x86_64"},
        {"instanceType": "x2", "vcpus": 4, "memoryMiB": 16384, "gpus": 0, "pricePerHour": 0.2, "architecture": "x86_64"}
    ]);
    let mut v = ec2_7_14(
        &["x1", "x2"],
        0,
        4,
        100,
        json!({"instanceLaunchSeconds": 100, "startupSeconds": 0, "scaleInIdleSeconds": 50, "instanceTypes": types}),
        &[("q", 1)],
    );
    v["workload"] = json!([at(0.0, "mem", "q", "d12g", 10.0)]);
    let (r, records) = common::run_records(&v);
    assert_eq!(started(&records), [100.0]);
    assert_eq!(r.compute_environments["ec2"].instances_launched, 2);
    // BEST_FIT on EC2 never passes maxvCpus, standing capacity included: minvCpus 1 with a
    // 2-vCPU smallest type and maxvCpus 1 launches nothing.
    let v = ec2_7_14(&["m5.large"], 1, 1, 1, json!({}), &[("q", 1)]);
    let r = common::run(&v);
    assert_eq!(r.compute_environments["ec2"].instances_launched, 0);
}

// API model, ComputeScalingPolicy.minScaleDownDelayMinutes: "The scale down delay does not
// apply to: Instances being replaced during infrastructure updates; Newly launched instances
// that have not yet run any jobs; Spot instances reclaimed due to interruption." (issue 11
// item 9; the two tests below.)

#[test]
fn the_scale_down_delay_does_not_keep_an_instance_that_never_ran_a_job() {
    // minScaleDownDelayMinutes 30 (1800 s); the idle time without it is the default 600 s.
    // desiredvCpus 2: m5.large S READY at 0. `one` runs on S 0..100; `two` at 10 launches B
    // (ready 310) and claims it; at 100 `two` takes S (7.14 c), 100..200. B comes up at 310
    // and never runs a job: terminated at 310 + 600 = 910, not 310 + 1800 = 2110. S ran
    // jobs: kept 1800 s after its last one, to 2000 (the end).
    let mut v = ec2_7_14(
        &["m5.large"],
        0,
        2,
        100,
        json!({"instanceLaunchSeconds": 300, "startupSeconds": 0}),
        &[("q", 1)],
    );
    v["computeEnvironments"][0]["computeResources"]["scalingPolicy"] = json!({"minScaleDownDelayMinutes": 30});
    v["workload"] = json!([at(0.0, "one", "q", "d2", 100.0), at(10.0, "two", "q", "d2", 100.0)]);
    let (r, records) = common::run_records(&v);
    assert_eq!(started(&records), [0.0, 100.0]);
    assert_eq!(r.end_seconds, 2000.0);
    let ce = &r.compute_environments["ec2"];
    // S billed 0..2000, B 10..910 (from the launch decision).
    assert!(
        (ce.cost - (2000.0 + 900.0) / 3600.0 * 0.096).abs() < 1e-9,
        "{}",
        ce.cost
    );
    assert!((ce.vcpu_seconds_provisioned - 2.0 * (2000.0 + 900.0)).abs() < 1e-9);
}

#[test]
fn the_scale_down_delay_does_not_keep_a_reclaimed_spot_instance() {
    // SPOT, minScaleDownDelayMinutes 30, 10 reclaims per instance-hour: the one job (10 h,
    // one attempt) is reclaimed at some time R (the chance of no reclaim in 10 h is e^-100).
    // The instance ends at R with the job: nothing is kept for the delay, so the run ends at
    // R (a kept instance would end it at R + 1800) and the instance is billed 0..R.
    let mut v = ec2_7_14(
        &["m5.large"],
        0,
        0,
        100,
        json!({"instanceLaunchSeconds": 0, "startupSeconds": 0, "interruptionsPerHour": 10}),
        &[("q", 1)],
    );
    let ce = &mut v["computeEnvironments"][0];
    ce["computeResources"]["type"] = json!("SPOT");
    ce["computeResources"]["spotIamFleetRole"] = json!("arn:aws:iam::123456789012:role/fleet");
    ce["computeResources"]["scalingPolicy"] = json!({"minScaleDownDelayMinutes": 30});
    v["workload"] = json!([at(0.0, "long", "q", "d2", 36_000.0)]);
    let (r, records) = common::run_records(&v);
    let job = &records[0];
    assert_eq!(job.status, batchsim::JobStatus::Failed);
    assert!(job
        .status_reason
        .as_deref()
        .unwrap_or("")
        .starts_with("Host EC2 (instance i-"));
    let reclaim = job.stopped_at.map_or(f64::NAN, |t| t.as_secs_f64());
    assert!(reclaim > 0.0 && reclaim < 36_000.0, "{reclaim}");
    assert_eq!(r.end_seconds, reclaim);
    let ce = &r.compute_environments["ec2"];
    assert_eq!(ce.interruptions, 1);
    assert!(
        (ce.vcpu_seconds_provisioned - 2.0 * reclaim).abs() < 1e-6,
        "{}",
        ce.vcpu_seconds_provisioned
    );
}

#[test]
fn rule_a_the_first_compute_environment_that_can_take_the_job_in_any_way_takes_it() {
    // (a) Queue order [slow, warm]. `slow`: m5.large, nothing standing, launch 300 s. `warm`:
    // m5.large, desiredvCpus 2, READY at 0. The job (2 vCPU) at 0: `slow` has no READY or
    // launching room but can launch (new capacity), so it takes the job: it runs at 300 on
    // `slow`, and `warm`'s READY instance is never used (a later CE is tried only when an
    // earlier one can do none of the three; the claim stays on `slow`, 7.14 c).
    let sim = json!({"instanceLaunchSeconds": 300, "startupSeconds": 0, "scaleInIdleSeconds": 100});
    let slow = ec2_ce("slow", "EC2", &["m5.large"], 100, "BEST_FIT", sim.clone());
    let mut warm = ec2_ce("warm", "EC2", &["m5.large"], 100, "BEST_FIT", sim);
    warm["computeResources"]["desiredvCpus"] = json!(2);
    let v = json!({"computeEnvironments": [slow, warm], "jobQueues": [common::queue("q", 1, &["slow", "warm"])],
                   "jobDefinitions": [ec2_def("d2", "2", "1024")],
                   "workload": [at(0.0, "j", "q", "d2", 100.0), at(50.0, "k", "q", "d2", 10.0)]});
    let (r, records) = common::run_records(&v);
    // `k` at 50: `slow` has a launching instance but its room is claimed, and it can launch
    // again: a second instance on `slow`, ready at 350.
    assert_eq!(started(&records), [300.0, 350.0]);
    assert_eq!(records[0].compute_environment.as_deref(), Some("slow"));
    assert_eq!(records[1].compute_environment.as_deref(), Some("slow"));
    assert_eq!(r.compute_environments["warm"].jobs_started, 0);
    assert_eq!(r.compute_environments["slow"].instances_launched, 2);
}

#[test]
fn rule_f_could_ever_fit_counts_live_instances_for_the_strict_rule() {
    // (f) `strict` CE, BEST_FIT, m5.xlarge (4 vCPU), desiredvCpus 4: A READY at 0. Queues
    // `high` (9) and `low` (1). `run` (high, 3 vCPU) on A 0..1000. At 10 maxvCpus drops to 2:
    // no type fits within it any more, but A, live, holds 4 vCPUs. `h` (high, 4 vCPU) at 20
    // cannot be placed (A has 1 vCPU free, no launch within 2) yet could ever fit (A), so it
    // has no blocked reason and, under `strict`, keeps `l` (low, 1 vCPU, 30) off the CE
    // although A has a free vCPU. 1000: `run` ends, `h` takes A 1000..1100; `l` is free to
    // go but A is full and nothing may launch: `l` runs on A at 1100.
    let mut v = ec2_7_14(
        &["m5.xlarge"],
        0,
        4,
        8,
        json!({"instanceLaunchSeconds": 300, "startupSeconds": 0, "scaleInIdleSeconds": 100_000,
               "queuePriority": "strict"}),
        &[("high", 9), ("low", 1)],
    );
    v["jobDefinitions"]
        .as_array_mut()
        .unwrap()
        .push(ec2_def("d3", "3", "1024"));
    v["workload"] = json!([
        at(0.0, "run", "high", "d3", 1000.0),
        at(20.0, "h", "high", "d4", 100.0),
        at(30.0, "l", "low", "d1", 10.0)
    ]);
    v["actions"] = json!([{"at": 10, "updateComputeEnvironment": {"computeEnvironment": "ec2",
                           "computeResources": {"maxvCpus": 2}}}]);
    let (_, records) = common::run_records(&v);
    assert_eq!(started(&records), [0.0, 1000.0, 1100.0]);
    assert_eq!(
        records[1].status_reason.as_deref(),
        Some("Essential container in task exited")
    );
}

#[test]
fn runnable_counts_include_jobs_waiting_for_a_launching_instance() {
    // Issue 14: "the RUNNABLE panel leaves out jobs waiting for a launching instance". Ten
    // jobs wait 120 s for five m5.large to launch; each is RUNNABLE all that time, holding
    // a claim on its instance, and the queue depth (the chart's RUNNABLE panel) counts them.
    let s = Scenario::from_value(&packing_scenario("3072", 100, "BEST_FIT"), "ec2.json").unwrap();
    let mut sim = Simulation::new(&s, Options::default()).unwrap();
    let mut peak = 0;
    while sim.step() {
        let live = sim
            .live_counts()
            .get(&batchsim::JobStatus::Runnable)
            .copied()
            .unwrap_or(0);
        let counted: usize = sim.runnable_counts().sum();
        assert_eq!(counted as u64, live, "at {:?}", sim.now());
        assert_eq!(sim.queue_depths()[0].1, counted);
        peak = peak.max(counted);
        let provisioned: f64 = sim.vcpus_provisioned().sum();
        assert!(provisioned >= sim.vcpus_in_use().map(|(u, _)| u).sum::<f64>());
    }
    assert_eq!(peak, 10, "all ten wait for the instances at once");
}
