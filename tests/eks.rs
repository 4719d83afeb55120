//! EKS job definitions and compute environments, and the queue settings batchsim refuses
//! until service environments are modelled (issue 11 item 10). Each test quotes the AWS
//! sentence it rests on.

mod common;

use batchsim::{JobStatus, Scenario};
use serde_json::{json, Value};

fn eks_ce(name: &str) -> Value {
    json!({"computeEnvironmentName": name, "type": "MANAGED",
           "eksConfiguration": {"eksClusterArn": "arn:aws:eks:us-east-1:123456789012:cluster/batch",
                                "kubernetesNamespace": "batch"},
           "computeResources": {"type": "EC2", "minvCpus": 0, "maxvCpus": 64, "instanceTypes": ["m5"],
                                "allocationStrategy": "BEST_FIT", "subnets": ["subnet-1"], "instanceRole": "ecsInstanceRole"},
           "simulation": {"instanceLaunchSeconds": 0, "startupSeconds": 0, "scaleInIdleSeconds": 60}})
}

fn ecs_ce(name: &str) -> Value {
    let mut c = eks_ce(name);
    c.as_object_mut().unwrap().remove("eksConfiguration");
    c
}

fn container(requests: Value, limits: Value) -> Value {
    json!({"image": "public.ecr.aws/amazonlinux/amazonlinux:2", "command": ["sleep", "60"],
           "resources": {"requests": requests, "limits": limits}})
}

fn eks_def(name: &str, containers: Value, init: Value) -> Value {
    json!({"jobDefinitionName": name, "type": "container",
           "eksProperties": {"podProperties": {"containers": containers, "initContainers": init}}})
}

fn scenario(ces: Vec<Value>, queue_ces: &[&str], defs: Vec<Value>) -> Value {
    json!({"computeEnvironments": ces, "jobQueues": [common::queue("q", 1, queue_ces)],
           "jobDefinitions": defs,
           "workload": [{"at": 0, "submitJob": {"jobName": "j", "jobQueue": "q", "jobDefinition": "d"},
                         "runtime": {"distribution": "fixed", "seconds": 60}}]})
}

fn error_of(v: &Value) -> String {
    match Scenario::from_value(v, "eks.json") {
        Ok(_) => panic!("accepted"),
        Err(e) => e.to_string(),
    }
}

/// AWS Batch User Guide, *Memory and vCPU considerations for AWS Batch on Amazon EKS*: "AWS
/// Batch uses the `requests` value for scaling decisions. If a `requests` value isn't
/// specified, the `limits` value is copied to the `requests` value."
#[test]
fn an_eks_job_is_sized_from_its_pods_requests_or_limits() {
    let pod = json!([
        container(
            json!({"cpu": "1", "memory": "1024Mi"}),
            json!({"cpu": "2", "memory": "1024Mi"})
        ),
        container(json!({}), json!({"cpu": "0.5", "memory": "512Mi"}))
    ]);
    // Containers: 1 + 0.5 vCPU, 1024 + 512 MiB. The init container (runs first, alone) needs
    // 2 vCPUs: the pod needs 2 vCPU and 1536 MiB.
    let init = json!([container(json!({"cpu": "2", "memory": "256Mi"}), json!({}))]);
    let v = scenario(vec![eks_ce("eks")], &["eks"], vec![eks_def("d", pod, init)]);
    let (r, recs) = common::run_records(&v);
    assert_eq!(r.jobs.succeeded, 1);
    assert_eq!(recs[0].resources.millivcpus, 2000);
    assert_eq!(recs[0].resources.memory_mib, 1536);
    assert_eq!(recs[0].compute_environment.as_deref(), Some("eks"));
    // Quarter vCPUs are valid on EKS ("in increments of 0.25").
    let quarter = json!([container(json!({"cpu": "0.25", "memory": "256Mi"}), json!({}))]);
    let v = scenario(vec![eks_ce("eks")], &["eks"], vec![eks_def("d", quarter, json!([]))]);
    let (_, recs) = common::run_records(&v);
    assert_eq!(
        (recs[0].resources.millivcpus, recs[0].status),
        (250, JobStatus::Succeeded)
    );
}

/// Same page: "At least one vCPU `requests` or `limits` value must be specified." and "At
/// least one memory `requests` or `limits` value must be specified."; "vCPU values can't be
/// specified in milliCPU form"; memory "If both are specified, the `requests` value must be
/// equal to the `limits` value."
#[test]
fn an_eks_definition_without_requests_or_limits_is_refused_with_its_path() {
    let no_memory = json!([container(json!({"cpu": "1"}), json!({}))]);
    let e = error_of(&scenario(
        vec![eks_ce("eks")],
        &["eks"],
        vec![eks_def("d", no_memory, json!([]))],
    ));
    assert!(
        e.contains("jobDefinitions[0].eksProperties.podProperties.containers")
            && e.contains("At least one memory requests or limits value must be specified."),
        "{e}"
    );
    let bad = json!([container(
        json!({"cpu": "100m", "memory": "1024Mi"}),
        json!({"memory": "2048Mi"})
    )]);
    let e = error_of(&scenario(
        vec![eks_ce("eks")],
        &["eks"],
        vec![eks_def("d", bad, json!([]))],
    ));
    assert!(
        e.contains("jobDefinitions[0].eksProperties.podProperties.containers[0].resources.requests.cpu")
            && e.contains("milliCPU"),
        "{e}"
    );
    assert!(
        e.contains("resources.requests.memory") && e.contains("must be equal to the limits value"),
        "{e}"
    );
    // The command line says so and exits 2.
    let dir = common::temp_dir("eks-bad");
    let path = dir.join("eks.json");
    let no_cpu = json!([container(json!({"memory": "1024Mi"}), json!({}))]);
    let v = scenario(vec![eks_ce("eks")], &["eks"], vec![eks_def("d", no_cpu, json!([]))]);
    std::fs::write(&path, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    let o = common::batchsim(&["validate", path.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("eks.json") && err.contains("At least one vCPU requests or limits value"),
        "{err}"
    );
}

/// API model, `RegisterJobDefinition.platformCapabilities`: "If the job runs on Amazon EKS
/// resources, then you must not specify platformCapabilities."; `eksProperties`: "This must
/// not be specified for Amazon ECS based job definitions."; `jobQueueType`: "For regular
/// container jobs, this value is EKS, ECS, or ECS_FARGATE depending on the compute
/// environment."
#[test]
fn eks_jobs_run_on_eks_compute_environments_only() {
    let pod = json!([container(json!({"cpu": "1", "memory": "1024Mi"}), json!({}))]);
    let ecs_def = json!({"jobDefinitionName": "d", "type": "container", "platformCapabilities": ["EC2"],
                         "containerProperties": {"image": "busybox", "resourceRequirements": [
                             {"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "1024"}]}});
    let e = error_of(&scenario(
        vec![ecs_ce("ecs")],
        &["ecs"],
        vec![eks_def("d", pod.clone(), json!([]))],
    ));
    assert!(
        e.contains("workload[0]") && e.contains("is an EKS one (eksProperties)"),
        "{e}"
    );
    let e = error_of(&scenario(vec![eks_ce("eks")], &["eks"], vec![ecs_def]));
    assert!(e.contains("has EKS compute environments"), "{e}");
    let e = error_of(&scenario(
        vec![eks_ce("eks"), ecs_ce("ecs")],
        &["eks", "ecs"],
        vec![eks_def("d", pod.clone(), json!([]))],
    ));
    assert!(
        e.contains("jobQueues[0].computeEnvironmentOrder[1].computeEnvironment") && e.contains("cannot mix EKS"),
        "{e}"
    );
    let mut with_platform = eks_def("d", pod, json!([]));
    with_platform["platformCapabilities"] = json!(["EC2"]);
    let e = error_of(&scenario(vec![eks_ce("eks")], &["eks"], vec![with_platform]));
    assert!(e.contains("jobDefinitions[0].platformCapabilities"), "{e}");
}

/// API model, `JobStateTimeLimitAction.action`: "For job queues connected to a ECS, FARGATE or
/// EKS compute environment, the only supported value is CANCEL, which will cancel the job. For
/// job queues connected to a SAGEMAKER_TRAINING service environment, the only supported value
/// is TERMINATE"; `CreateJobQueue.serviceEnvironmentOrder`: "A job queue can't have both a
/// serviceEnvironmentOrder and a computeEnvironmentOrder field."
#[test]
fn terminate_actions_and_service_environment_queues_are_refused() {
    let mut v = json!({"computeEnvironments": [common::fargate_ce("ce", 4)],
                       "jobQueues": [common::queue("q", 1, &["ce"])],
                       "jobDefinitions": [common::fargate_def("d", "1", "2048")], "workload": []});
    v["jobQueues"][0]["jobStateTimeLimitActions"] = json!([
        {"reason": "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT", "state": "RUNNABLE", "maxTimeSeconds": 600, "action": "TERMINATE"}]);
    let e = error_of(&v);
    assert!(
        e.contains("jobQueues[0].jobStateTimeLimitActions[0].action") && e.contains("supports only CANCEL"),
        "{e}"
    );
    let mut v = json!({"computeEnvironments": [common::fargate_ce("ce", 4)],
                       "jobQueues": [{"jobQueueName": "training", "priority": 1,
                                      "serviceEnvironmentOrder": [{"order": 1, "serviceEnvironment": "sagemaker"}]}],
                       "jobDefinitions": [], "workload": []});
    let e = error_of(&v);
    assert!(
        e.contains("jobQueues[0].serviceEnvironmentOrder") && e.contains("not simulated"),
        "{e}"
    );
    assert!(
        !e.contains("needs at least one compute environment"),
        "one clear reason: {e}"
    );
    v["jobQueues"][0]["jobQueueType"] = json!("SAGEMAKER_TRAINING");
    assert!(error_of(&v).contains("jobQueues[0].jobQueueType"));
}

/// API model, `jobQueueType`: "For regular container jobs, this value is EKS, ECS, or
/// ECS_FARGATE depending on the compute environment."
#[test]
fn a_job_queue_type_must_match_its_compute_environments() {
    let pod = json!([container(json!({"cpu": "1", "memory": "1024Mi"}), json!({}))]);
    let mut v = scenario(vec![eks_ce("eks")], &["eks"], vec![eks_def("d", pod, json!([]))]);
    v["jobQueues"][0]["jobQueueType"] = json!("EKS");
    assert_eq!(common::run(&v).jobs.succeeded, 1);
    v["jobQueues"][0]["jobQueueType"] = json!("ECS");
    let e = error_of(&v);
    assert!(
        e.contains("jobQueues[0].jobQueueType") && e.contains("which make it EKS"),
        "{e}"
    );
}

/// EKS-optimized AMI (`bootstrap.sh` of awslabs/amazon-eks-ami): "KubeReserved is a function
/// of pod density", `memory_to_reserve=$((11 * $max_num_pods + 255))`, and the kubelet evicts
/// below `memory.available<100Mi`: a pod fits a node's allocatable memory, which is less than
/// what the ECS agent would register on the same type.
#[test]
fn eks_nodes_offer_pods_their_allocatable_memory() {
    // m5.large: ECS registers 8192 - 559 - 32 = 7601 MiB; an EKS node leaves 8192 - 559 -
    // (11 x 29 + 255) - 100 = 6959 MiB allocatable. A 1.5 vCPU / 7168 MiB pod needs an
    // m5.xlarge. (1.5 vCPUs: the node's 2 vCPUs less the kubelet's 70 millicores hold it.)
    let pod = json!([container(json!({"cpu": "1.5", "memory": "7168Mi"}), json!({}))]);
    let v = scenario(
        vec![eks_ce("eks")],
        &["eks"],
        vec![eks_def("d", pod.clone(), json!([]))],
    );
    let r = common::run(&v);
    let ce = &r.compute_environments["eks"];
    assert_eq!(r.jobs.succeeded, 1);
    assert!(
        (ce.vcpu_seconds_provisioned - 4.0 * 120.0).abs() < 1e-6,
        "{}",
        ce.vcpu_seconds_provisioned
    );
    let fits = json!([container(json!({"cpu": "1.5", "memory": "6959Mi"}), json!({}))]);
    let v = scenario(vec![eks_ce("eks")], &["eks"], vec![eks_def("d", fits, json!([]))]);
    let ce = &common::run(&v).compute_environments["eks"];
    assert!(
        (ce.vcpu_seconds_provisioned - 2.0 * 120.0).abs() < 1e-6,
        "m5.large holds 6959 MiB"
    );
    // `reservedMemoryMiB` overrides it on EKS too.
    let mut v = scenario(vec![eks_ce("eks")], &["eks"], vec![eks_def("d", pod, json!([]))]);
    v["computeEnvironments"][0]["simulation"]["reservedMemoryMiB"] = json!(0);
    let ce = &common::run(&v).compute_environments["eks"];
    assert!((ce.vcpu_seconds_provisioned - 2.0 * 120.0).abs() < 1e-6);
}

#[test]
fn a_submissions_eks_resource_override_is_refused_not_dropped() {
    let pod = json!([container(json!({"cpu": "1", "memory": "1024Mi"}), json!({}))]);
    let mut v = scenario(vec![eks_ce("eks")], &["eks"], vec![eks_def("d", pod, json!([]))]);
    v["workload"][0]["submitJob"]["eksPropertiesOverride"] =
        json!({"podProperties": {"containers": [{"command": ["true"]}, {"resources": {"requests": {"cpu": "4"}}}]}});
    let e = error_of(&v);
    assert!(
        e.contains("workload[0].submitJob.eksPropertiesOverride.podProperties.containers[1].resources")
            && e.contains("not simulated"),
        "{e}"
    );
    // A command override alone changes nothing batchsim models: accepted.
    v["workload"][0]["submitJob"]["eksPropertiesOverride"] =
        json!({"podProperties": {"containers": [{"command": ["true"]}]}});
    assert_eq!(common::run(&v).jobs.succeeded, 1);
}
