//! Rules that rest on AWS's documentation (issue 11): the memory an EC2 instance offers jobs,
//! EC2 per-second billing from the `running` state with a one-minute minimum, Fargate ARM64
//! prices and Fargate Spot's refusal of ARM64 jobs. Each test quotes the sentence it rests on.

mod common;

use batchsim::{JobStatus, Scenario};
use serde_json::{json, Value};

fn ec2_ce(name: &str, types: &[&str], sim: Value) -> Value {
    json!({"computeEnvironmentName": name, "type": "MANAGED",
           "computeResources": {"type": "EC2", "minvCpus": 0, "maxvCpus": 64, "instanceTypes": types,
                                "allocationStrategy": "BEST_FIT", "subnets": ["subnet-1"], "instanceRole": "ecsInstanceRole"},
           "simulation": sim})
}

fn ec2_def(name: &str, vcpus: &str, memory: &str) -> Value {
    json!({"jobDefinitionName": name, "type": "container", "platformCapabilities": ["EC2"],
           "containerProperties": {"image": "busybox", "resourceRequirements": [
               {"type": "VCPU", "value": vcpus}, {"type": "MEMORY", "value": memory}]}})
}

fn one_job(def: &str, secs: f64) -> Value {
    json!({"at": 0, "submitJob": {"jobName": "j", "jobQueue": "q", "jobDefinition": def},
           "runtime": {"distribution": "fixed", "seconds": secs}})
}

fn ec2_scenario(sim: Value, def: Value, secs: f64) -> Value {
    json!({"computeEnvironments": [ec2_ce("ec2", &["m5"], sim)],
           "jobQueues": [common::queue("q", 1, &["ec2"])],
           "jobDefinitions": [def],
           "workload": [one_job("d", secs)]})
}

/// AWS Batch User Guide, *Compute resource memory management*: "Suppose that you specify 8192
/// MiB for the job, and none of your compute resources have 8192 MiB or greater of memory
/// available to satisfy this requirement. Then, the job can't be placed in your compute
/// environment. If you're using a managed compute environment, AWS Batch must launch a larger
/// instance type to accommodate the request." and "The default AWS Batch compute resource AMI
/// also reserves 32 MiB of memory for the Amazon ECS container agent".
#[test]
fn a_job_asking_for_an_instances_nominal_memory_gets_a_larger_type() {
    let sim = json!({"instanceLaunchSeconds": 0, "startupSeconds": 0, "scaleInIdleSeconds": 60});
    // 2 vCPU / 8192 MiB: not an m5.large (7601 MiB registered), so an m5.xlarge (4 vCPU,
    // $0.192/h) lives 3540 + 60 s.
    let r = common::run(&ec2_scenario(sim.clone(), ec2_def("d", "2", "8192"), 3540.0));
    let ce = &r.compute_environments["ec2"];
    assert_eq!(ce.instances_launched, 1);
    assert!(
        (ce.vcpu_seconds_provisioned - 4.0 * 3600.0).abs() < 1e-6,
        "{}",
        ce.vcpu_seconds_provisioned
    );
    assert!((ce.cost - 0.192).abs() < 1e-9, "{}", ce.cost);
    // 7601 MiB fits the m5.large.
    let r = common::run(&ec2_scenario(sim.clone(), ec2_def("d", "2", "7601"), 3540.0));
    let ce = &r.compute_environments["ec2"];
    assert!((ce.vcpu_seconds_provisioned - 2.0 * 3600.0).abs() < 1e-6);
    assert!((ce.cost - 0.096).abs() < 1e-9, "{}", ce.cost);
    // `reservedMemoryMiB: 0` overrides it: the nominal 8192 MiB fit the m5.large again.
    let mut nominal = sim;
    nominal["reservedMemoryMiB"] = json!(0);
    let r = common::run(&ec2_scenario(nominal, ec2_def("d", "2", "8192"), 3540.0));
    assert!((r.compute_environments["ec2"].cost - 0.096).abs() < 1e-9);
}

/// AWS Knowledge Center, *How am I billed for Amazon EC2 instances?*: "Per-second billing with
/// a 60-second minimum is available for Amazon Linux, Windows, RHEL, Ubuntu, and Ubuntu Pro
/// instances across all Regions" and "If your instance is billed by the second, then you're
/// billed for a minimum of 60 seconds when an instance ... enters the running state"; EC2 User
/// Guide, instance states: `pending` "Not billed", `running` "Billed".
#[test]
fn ec2_bills_per_second_from_running_with_a_one_minute_minimum() {
    // A 10 s job on an instance ready at once, scaled in 5 s later: up 15 s, billed 60 s.
    let sim = json!({"instanceLaunchSeconds": 0, "startupSeconds": 0, "scaleInIdleSeconds": 5});
    let r = common::run(&ec2_scenario(sim, ec2_def("d", "2", "4096"), 10.0));
    let ce = &r.compute_environments["ec2"];
    assert_eq!(r.end_seconds, 15.0);
    assert!(
        (ce.vcpu_seconds_provisioned - 2.0 * 15.0).abs() < 1e-9,
        "provisioned time is not billed time"
    );
    assert!((ce.cost - 60.0 / 3600.0 * 0.096).abs() < 1e-12, "{}", ce.cost);
    // 120 s launch of which 30 s `pending`, job 1000 s, idle 600 s: up 1720 s, billed 1690 s.
    let sim = json!({"instanceLaunchSeconds": 120, "instancePendingSeconds": 30, "startupSeconds": 0,
                     "scaleInIdleSeconds": 600});
    let r = common::run(&ec2_scenario(sim, ec2_def("d", "2", "4096"), 1000.0));
    let ce = &r.compute_environments["ec2"];
    assert_eq!(r.end_seconds, 1720.0);
    assert!((ce.cost - 1690.0 / 3600.0 * 0.096).abs() < 1e-12, "{}", ce.cost);
    // Spot instances too (at the Spot price, 30% of On-Demand by default).
    let mut spot = ec2_scenario(
        json!({"instanceLaunchSeconds": 0, "startupSeconds": 0, "scaleInIdleSeconds": 5}),
        ec2_def("d", "2", "4096"),
        10.0,
    );
    spot["computeEnvironments"][0]["computeResources"]["type"] = json!("SPOT");
    let r = common::run(&spot);
    let cost = r.compute_environments["ec2"].cost;
    assert!((cost - 60.0 / 3600.0 * 0.096 * 0.3).abs() < 1e-12, "{cost}");
}

fn arm_def(name: &str, arch: &str) -> Value {
    let mut d = common::fargate_def(name, "1", "2048");
    d["containerProperties"]["runtimePlatform"] = json!({"operatingSystemFamily": "LINUX", "cpuArchitecture": arch});
    d
}

/// AWS Fargate pricing, us-east-1 (quoted by Vantage and CloudBurn, March 2026): Linux/ARM
/// $0.03238 per vCPU-hour and $0.00356 per GB-hour; Linux/x86 $0.04048 and $0.004445.
/// API model, `RuntimePlatform.cpuArchitecture`: "The default value is X86_64. Valid values
/// are X86_64 and ARM64."
#[test]
fn fargate_arm64_jobs_pay_the_arm_price() {
    let v = json!({"computeEnvironments": [common::fargate_ce("ce", 16)],
                   "jobQueues": [common::queue("q", 1, &["ce"])],
                   "jobDefinitions": [arm_def("arm", "ARM64"), arm_def("x86", "X86_64"), common::fargate_def("plain", "1", "2048")],
                   "workload": [one_job("arm", 3600.0)]});
    let cost = |def: &str| {
        let mut v = v.clone();
        v["workload"] = json!([one_job(def, 3600.0)]);
        common::run(&v).cost.total
    };
    assert!(
        (cost("arm") - (0.03238 + 2.0 * 0.00356)).abs() < 1e-12,
        "{}",
        cost("arm")
    );
    assert!((cost("x86") - (0.04048 + 2.0 * 0.004445)).abs() < 1e-12);
    assert_eq!(cost("x86"), cost("plain"), "X86_64 is the default");
    // The ARM rates can be overridden like the x86 ones.
    let mut priced = v.clone();
    priced["computeEnvironments"][0]["simulation"]["prices"] = json!({"arm64VcpuHour": 0.1, "arm64GbHour": 0.0});
    assert!((common::run(&priced).cost.total - 0.1).abs() < 1e-12);
}

/// AWS Batch API reference (and CloudFormation), `RuntimePlatform.cpuArchitecture`: "Fargate
/// Spot is not supported for ARM64 and Windows-based containers on Fargate. A job queue will
/// be blocked if a Fargate ARM64 or Windows job is submitted to a job queue with only Fargate
/// Spot compute environments. However, you can attach both FARGATE and FARGATE_SPOT compute
/// environments to the same job queue."
#[test]
fn arm64_jobs_never_run_on_fargate_spot() {
    let spot = json!({"computeEnvironmentName": "spot", "type": "MANAGED",
                      "computeResources": {"type": "FARGATE_SPOT", "maxvCpus": 16}, "simulation": {"startupSeconds": 0}});
    let job = |name: &str, def: &str, at: f64| {
        json!({"at": at, "submitJob": {"jobName": name, "jobQueue": "q", "jobDefinition": def},
               "runtime": {"distribution": "fixed", "seconds": 60}})
    };
    // Only Fargate Spot: the ARM64 head blocks the FIFO queue; the x86 job behind it waits.
    let v = json!({"computeEnvironments": [spot.clone()], "jobQueues": [common::queue("q", 1, &["spot"])],
                   "jobDefinitions": [arm_def("arm", "ARM64"), arm_def("x86", "X86_64")],
                   "workload": [job("a", "arm", 0.0), job("b", "x86", 1.0)], "until": 3600});
    let (r, recs) = common::run_records(&v);
    assert_eq!(r.jobs.succeeded, 0);
    assert_eq!(recs[0].status, JobStatus::Runnable);
    assert_eq!(
        recs[0].status_reason.as_deref(),
        Some("MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT - All compute environments have no connected instances that meet the job requirements.")
    );
    assert_eq!(recs[1].status, JobStatus::Runnable, "blocked behind the ARM64 head");
    // Fargate Spot first, then Fargate: the ARM64 job runs on Fargate, the x86 one on Spot.
    let v = json!({"computeEnvironments": [spot, common::fargate_ce("od", 16)],
                   "jobQueues": [common::queue("q", 1, &["spot", "od"])],
                   "jobDefinitions": [arm_def("arm", "ARM64"), arm_def("x86", "X86_64")],
                   "workload": [job("a", "arm", 0.0), job("b", "x86", 1.0)]});
    let (r, recs) = common::run_records(&v);
    assert_eq!(r.jobs.succeeded, 2);
    assert_eq!(recs[0].compute_environment.as_deref(), Some("od"));
    assert_eq!(recs[1].compute_environment.as_deref(), Some("spot"));
}

fn error_of(v: &Value) -> String {
    match Scenario::from_value(v, "bad.json") {
        Ok(_) => panic!("accepted"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_architecture_and_pending_time_are_refused_with_their_path() {
    let v = json!({"computeEnvironments": [common::fargate_ce("ce", 16)],
                   "jobQueues": [common::queue("q", 1, &["ce"])],
                   "jobDefinitions": [arm_def("arm", "arm64")], "workload": []});
    let e = error_of(&v);
    assert!(
        e.contains("jobDefinitions[0].containerProperties.runtimePlatform.cpuArchitecture")
            && e.contains("\"arm64\" is not one of X86_64, ARM64; did you mean \"ARM64\"?"),
        "{e}"
    );
    let sim = json!({"instanceLaunchSeconds": 60, "instancePendingSeconds": 90});
    let e = error_of(&ec2_scenario(sim, ec2_def("d", "2", "4096"), 10.0));
    assert!(
        e.contains("computeEnvironments[0].simulation.instancePendingSeconds")
            && e.contains("at most instanceLaunchSeconds"),
        "{e}"
    );
}
