//! Demand-sized scale-out (`simulation.scaleOut: "demand"`) and the EC2 capacity model
//! (`ec2Capacity`): issue 11, items 11 and 2. Each test quotes the AWS sentence it rests on.

mod common;

use batchsim::{JobStatus, Report, Scenario};
use serde_json::{json, Value};

fn ce(types: &[&str], max: u32, strategy: &str, scale_out: &str) -> Value {
    json!({"computeEnvironmentName": "ec2", "type": "MANAGED",
           "computeResources": {"type": "EC2", "minvCpus": 0, "maxvCpus": max, "instanceTypes": types,
                                "allocationStrategy": strategy, "subnets": ["subnet-1"], "instanceRole": "ecsInstanceRole"},
           "simulation": {"instanceLaunchSeconds": 120, "startupSeconds": 0, "scaleInIdleSeconds": 60,
                          "scaleOut": scale_out}})
}

fn def(vcpus: &str, memory: &str) -> Value {
    json!({"jobDefinitionName": "d", "type": "container", "platformCapabilities": ["EC2"],
           "containerProperties": {"image": "busybox", "resourceRequirements": [
               {"type": "VCPU", "value": vcpus}, {"type": "MEMORY", "value": memory}]}})
}

/// `n` jobs submitted together at `at`.
fn jobs(n: usize, at: f64, seconds: f64) -> Vec<Value> {
    (0..n)
        .map(|i| {
            json!({"at": at, "submitJob": {"jobName": format!("j{i}"), "jobQueue": "q", "jobDefinition": "d"},
                   "runtime": {"distribution": "fixed", "seconds": seconds}})
        })
        .collect()
}

fn scenario(ce: Value, def: Value, workload: Vec<Value>) -> Value {
    json!({"computeEnvironments": [ce], "jobQueues": [common::queue("q", 1, &["ec2"])],
           "jobDefinitions": [def], "workload": workload})
}

fn run(v: &Value) -> (Report, Vec<batchsim::JobRecord>) {
    common::run_records(v)
}

/// AWS Batch User Guide, *Instance type allocation strategies*: "AWS Batch selects instance
/// types from the instanceTypes specified that best fit the needs of the jobs." 16 queued
/// 2-vCPU jobs: one m5.8xlarge (32 vCPUs, $1.536/h) sized for all of them, where the per-job
/// rule launches 16 m5.large.
#[test]
fn sixteen_jobs_get_one_instance_sized_for_them() {
    let per_job = scenario(
        ce(&["m5"], 256, "BEST_FIT", "perJob"),
        def("2", "4096"),
        jobs(16, 0.0, 600.0),
    );
    let (r, _) = run(&per_job);
    assert_eq!(r.compute_environments["ec2"].instances_launched, 16);
    let demand = scenario(
        ce(&["m5"], 256, "BEST_FIT", "demand"),
        def("2", "4096"),
        jobs(16, 0.0, 600.0),
    );
    let (r, records) = run(&demand);
    let c = &r.compute_environments["ec2"];
    assert_eq!(c.instances_launched, 1);
    assert_eq!(r.jobs.succeeded, 16);
    // CONTRACT 7.14 b: each job claims room on the launching instance and starts when it is
    // ready (120 s); nothing else was launched for them.
    for j in &records {
        assert_eq!(j.started_at.map(|t| t.as_millis()), Some(120_000), "{}", j.job_id);
    }
    // 1 x m5.8xlarge from 0 to 780 s (600 s of jobs from 120, then 60 s idle): $1.536/h.
    assert!((c.cost - 1.536 * 780.0 / 3600.0).abs() < 1e-6, "{}", c.cost);
    // The default is unchanged by the setting's existence.
    let mut default = per_job.clone();
    default["computeEnvironments"][0]["simulation"]
        .as_object_mut()
        .unwrap()
        .remove("scaleOut");
    assert_eq!(run(&default).0.compute_environments["ec2"].instances_launched, 16);
}

/// API model, `ComputeResource.allocationStrategy`: "With any allocation strategy except
/// BEST_FIT using On-Demand (EC2) compute resources, Batch might need to exceed maxvCpus to
/// meet your capacity requirements." Under BEST_FIT on EC2 the plan stays within maxvCpus:
/// 20 vCPUs hold 10 of the 16 jobs; the others run when those end.
#[test]
fn a_demand_plan_keeps_maxvcpus_and_the_rest_waits() {
    let v = scenario(
        ce(&["m5"], 20, "BEST_FIT", "demand"),
        def("2", "4096"),
        jobs(16, 0.0, 600.0),
    );
    let (r, records) = run(&v);
    assert_eq!(r.jobs.succeeded, 16);
    let at_120 = records
        .iter()
        .filter(|j| j.started_at.map(|t| t.as_millis()) == Some(120_000))
        .count();
    assert_eq!(at_120, 10, "an m5.4xlarge (8 jobs) and an m5.xlarge (2 jobs)");
    assert!(r.compute_environments["ec2"].vcpu_seconds_provisioned > 0.0);
}

/// API model, BEST_FIT_PROGRESSIVE_ORDERED: "Batch selects instance types in the order they
/// appear in the instanceTypes list." c5 is cheaper per vCPU, but m5.4xlarge is listed first.
#[test]
fn ordered_follows_the_list() {
    let progressive = scenario(
        ce(&["m5.4xlarge", "c5"], 256, "BEST_FIT_PROGRESSIVE", "demand"),
        def("2", "2048"),
        jobs(16, 0.0, 600.0),
    );
    let ordered = scenario(
        ce(&["m5.4xlarge", "c5"], 256, "BEST_FIT_PROGRESSIVE_ORDERED", "demand"),
        def("2", "2048"),
        jobs(16, 0.0, 600.0),
    );
    let cost = |v: &Value| run(v).0.compute_environments["ec2"].cost;
    // Two c5.4xlarge ($0.68/h) against two m5.4xlarge ($0.768/h), 780 s each.
    assert!((cost(&progressive) - 2.0 * 0.68 * 780.0 / 3600.0).abs() < 1e-6);
    assert!((cost(&ordered) - 2.0 * 0.768 * 780.0 / 3600.0).abs() < 1e-6);
}

fn with_capacity(mut v: Value, capacity: Value, limits: Value) -> Value {
    v["ec2Capacity"] = capacity;
    v["jobQueues"][0]["jobStateTimeLimitActions"] = limits;
    v
}

fn insufficient_after(secs: u32) -> Value {
    json!([{"reason": "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY", "state": "RUNNABLE",
            "maxTimeSeconds": secs, "action": "CANCEL"}])
}

/// Issue 11 item 2 / CONTRACT 7.9: "A job that waits its turn behind running jobs has no
/// reason and no action fires for it." A capacity model that supplies everything asked for,
/// a backlog behind a full compute environment: nothing is cancelled.
#[test]
fn an_ordinary_backlog_gets_no_reason_and_no_action() {
    let v = with_capacity(
        scenario(
            ce(&["m5.large"], 2, "BEST_FIT", "perJob"),
            def("2", "4096"),
            jobs(3, 0.0, 1000.0),
        ),
        json!({"onDemandVcpuQuota": 1000, "insufficientCapacity": [
            {"instanceTypes": ["c5.*"], "start": 0, "end": 100000}]}),
        insufficient_after(600),
    );
    let (r, records) = run(&v);
    assert_eq!(r.jobs.succeeded, 3);
    assert_eq!(r.jobs.cancelled, 0);
    assert!(records
        .iter()
        .all(|j| !j.status_reason.as_deref().unwrap_or_default().contains("CAPACITY")));
}

/// API model, `JobDetail.statusReason`: "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - All compute
/// environments have insufficient capacity to service the job." A job whose only type is in
/// an insufficient-capacity window is cancelled by the action after maxTimeSeconds.
#[test]
fn a_job_whose_types_cannot_be_had_is_cancelled_after_max_time() {
    let v = with_capacity(
        scenario(
            ce(&["m5.large"], 16, "BEST_FIT", "perJob"),
            def("2", "4096"),
            jobs(1, 0.0, 60.0),
        ),
        json!({"insufficientCapacity": [{"instanceTypes": ["m5.*"], "start": 0, "end": 7200}]}),
        insufficient_after(600),
    );
    let (r, records) = run(&v);
    assert_eq!(r.jobs.cancelled, 1);
    assert_eq!(r.compute_environments["ec2"].instances_launched, 0);
    let j = &records[0];
    assert_eq!(j.status, JobStatus::Failed);
    assert_eq!(j.stopped_at.map(|t| t.as_millis()), Some(600_000));
    assert_eq!(
        j.status_reason.as_deref(),
        Some("Canceled by JobStateTimeLimit action due to reason: CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY")
    );
    // Without the action it runs when the window closes (7200 s) and the instance is up.
    let mut waits = v.clone();
    waits["jobQueues"][0]["jobStateTimeLimitActions"] = json!([]);
    let (r, records) = run(&waits);
    assert_eq!(r.jobs.succeeded, 1);
    assert_eq!(records[0].started_at.map(|t| t.as_millis()), Some(7_320_000));
}

/// User Guide: BEST_FIT "If additional instances of the selected instance type aren't
/// available, AWS Batch waits for the additional instances to be available";
/// BEST_FIT_PROGRESSIVE "If additional instances of the previously selected instance types
/// aren't available, AWS Batch selects new instance types."
#[test]
fn best_fit_waits_and_progressive_falls_back() {
    let window = json!({"insufficientCapacity": [{"instanceTypes": ["m5.large"], "start": 0, "end": 3600}]});
    let run_with = |strategy: &str| {
        let v = with_capacity(
            scenario(
                ce(&["m5.large", "c5"], 64, strategy, "perJob"),
                def("2", "2048"),
                jobs(1, 0.0, 60.0),
            ),
            window.clone(),
            json!([]),
        );
        run(&v).1[0].started_at.map(|t| t.as_millis())
    };
    // m5.large ($0.096) is BEST_FIT's type only if c5.large ($0.085) does not hold the job:
    // 2 GiB fits c5.large's 3631 MiB, so BEST_FIT takes c5.large at once here.
    assert_eq!(run_with("BEST_FIT"), Some(120_000));
    // Only m5: BEST_FIT's type is m5.large, in the window; BEST_FIT_PROGRESSIVE's too (the
    // same price per vCPU, cheaper), but it falls back to m5.xlarge.
    let run_big = |strategy: &str| {
        let v = with_capacity(
            scenario(
                ce(&["m5.large", "m5.xlarge"], 64, strategy, "perJob"),
                def("2", "4096"),
                jobs(1, 0.0, 60.0),
            ),
            window.clone(),
            json!([]),
        );
        run(&v).1[0].started_at.map(|t| t.as_millis())
    };
    assert_eq!(run_big("BEST_FIT"), Some(3_720_000), "waits for m5.large");
    assert_eq!(run_big("BEST_FIT_PROGRESSIVE"), Some(120_000), "m5.xlarge instead");
}

/// User Guide: "If there aren't enough instances available, or if the user is reaching the
/// Amazon EC2 service quotas, then additional jobs don't run until currently running jobs are
/// complete." An instance limit and a vCPU quota each hold the compute environment to two
/// m5.large.
#[test]
fn limits_and_quotas_hold_scaling() {
    for capacity in [
        json!({"instanceLimits": [{"instanceTypes": ["m5"], "maxInstances": 2}]}),
        json!({"onDemandVcpuQuota": 4}),
    ] {
        for mode in ["perJob", "demand"] {
            let v = with_capacity(
                scenario(
                    ce(&["m5.large"], 64, "BEST_FIT", mode),
                    def("2", "4096"),
                    jobs(4, 0.0, 600.0),
                ),
                capacity.clone(),
                insufficient_after(600),
            );
            let (r, records) = run(&v);
            assert_eq!(r.compute_environments["ec2"].instances_launched, 2, "{capacity} {mode}");
            let mut starts: Vec<u64> = records
                .iter()
                .filter_map(|j| j.started_at.map(|t| t.as_millis()))
                .collect();
            starts.sort();
            // Two at 120 s; the third, the head blocked because EC2 cannot supply a third
            // instance, is cancelled by the action at 600 s; the fourth becomes the head then
            // and takes an instance when the first jobs end (720 s), before its own 600 s.
            assert_eq!(starts, [120_000, 120_000, 720_000], "{capacity} {mode}");
            assert_eq!(r.jobs.cancelled, 1, "{capacity} {mode}");
        }
    }
}

fn problems(v: &Value) -> String {
    match Scenario::from_value(v, "capacity.json") {
        Ok(_) => panic!("accepted"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_capacity_models_name_the_path() {
    let base = scenario(
        ce(&["m5.large"], 16, "BEST_FIT", "demand"),
        def("2", "4096"),
        jobs(1, 0.0, 60.0),
    );
    let with = |capacity: Value| {
        let mut v = base.clone();
        v["ec2Capacity"] = capacity;
        v
    };
    let e = problems(&with(
        json!({"instanceLimits": [{"instanceTypes": ["m5.lareg"], "maxInstances": 2}]}),
    ));
    assert!(
        e.contains("ec2Capacity.instanceLimits[0].instanceTypes[0]") && e.contains("did you mean `m5.large`"),
        "{e}"
    );
    let e = problems(&with(
        json!({"instanceLimits": [{"instanceTypes": ["m5"], "maxInstances": -1}]}),
    ));
    assert!(e.contains("ec2Capacity.instanceLimits[0].maxInstances"), "{e}");
    let e = problems(&with(
        json!({"insufficientCapacity": [{"instanceTypes": ["*"], "start": 100, "end": 50}]}),
    ));
    assert!(
        e.contains("ec2Capacity.insufficientCapacity[0].end") && e.contains("after start"),
        "{e}"
    );
    let e = problems(&with(json!({"spotVcpuQuota": -4})));
    assert!(e.contains("ec2Capacity.spotVcpuQuota"), "{e}");
    let mut bad_mode = base.clone();
    bad_mode["computeEnvironments"][0]["simulation"]["scaleOut"] = json!("demnd");
    let e = problems(&bad_mode);
    assert!(e.contains("computeEnvironments[0].simulation.scaleOut"), "{e}");
    // The CLI: exit 2, every problem listed.
    let dir = common::temp_dir("capacity");
    let path = dir.join("bad.json");
    let v = with(
        json!({"instanceLimits": [{"instanceTypes": ["m5.lareg"], "maxInstances": -1}],
                        "insufficientCapacity": [{"instanceTypes": ["m5"], "start": 10, "end": 10}]}),
    );
    std::fs::write(&path, serde_json::to_string(&v).unwrap()).unwrap();
    let o = common::batchsim(&["validate", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    for p in [
        "ec2Capacity.instanceLimits[0].instanceTypes[0]",
        "ec2Capacity.instanceLimits[0].maxInstances",
        "ec2Capacity.insufficientCapacity[0].end",
    ] {
        assert!(err.contains(p), "{p}: {err}");
    }
}

/// The EKS-optimized AMI reserves CPU for the kubelet (bootstrap.sh
/// `get_cpu_millicores_to_reserve`: 6% of the first core, 1% of the second, ...): a pod
/// asking for both vCPUs of an m5.large (1930 millicores allocatable) gets an m5.xlarge.
#[test]
fn an_eks_pod_asking_for_every_vcpu_of_a_type_does_not_fit_it() {
    let eks_ce = json!({"computeEnvironmentName": "ec2", "type": "MANAGED",
        "eksConfiguration": {"eksClusterArn": "arn:aws:eks:us-east-1:123456789012:cluster/batch",
                             "kubernetesNamespace": "batch"},
        "computeResources": {"type": "EC2", "minvCpus": 0, "maxvCpus": 64, "instanceTypes": ["m5.large", "m5.xlarge"],
                             "allocationStrategy": "BEST_FIT", "subnets": ["subnet-1"], "instanceRole": "ecsInstanceRole"},
        "simulation": {"instanceLaunchSeconds": 0, "startupSeconds": 0, "scaleInIdleSeconds": 60}});
    let pod = |cpu: &str| {
        json!({"jobDefinitionName": "d", "type": "container",
               "eksProperties": {"podProperties": {"containers": [{"image": "busybox",
                   "resources": {"requests": {"cpu": cpu, "memory": "1024Mi"}}}]}}})
    };
    let cost = |cpu: &str| {
        let (r, _) = run(&scenario(eks_ce.clone(), pod(cpu), jobs(1, 0.0, 3540.0)));
        assert_eq!(r.jobs.succeeded, 1);
        r.compute_environments["ec2"].cost
    };
    // 3540 s of job + 60 s idle = one hour.
    assert!(
        (cost("1.75") - 0.096).abs() < 1e-9,
        "1.75 vCPUs fit the 1930 millicores of an m5.large"
    );
    assert!((cost("2") - 0.192).abs() < 1e-9, "2 vCPUs need the m5.xlarge");
}
