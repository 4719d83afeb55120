//! Multi-container ECS job definitions (`ecsProperties`): a task needs the sum of its
//! containers' resources, and a bad sum is refused at the path it came from.

mod common;

use batchsim::Scenario;
use serde_json::{json, Value};

/// The RegisterJobDefinition payload of the AWS Batch User Guide, *Reference: AWS Batch job
/// scenarios using EcsProperties*, "AWS Batch job for Amazon ECS on Amazon EC2"
/// (<https://docs.aws.amazon.com/batch/latest/userguide/multi-container-jobs-scenarios.html>),
/// as printed there: three containers of 2, 2 and 6 vCPUs and 4096, 4096 and 12288 MiB, one
/// of them with a `firelensConfiguration` that does not affect scheduling.
fn user_guide_ec2_definition() -> Value {
    let container = |name: &str, essential: bool, vcpus: &str, memory: &str| {
        json!({"name": name, "essential": essential, "command": ["echo", "hello world"],
               "image": "public.ecr.aws/amazonlinux/amazonlinux:latest",
               "resourceRequirements": [{"type": "VCPU", "value": vcpus},
                                        {"type": "MEMORY", "value": memory}]})
    };
    let mut c3 = container("c3", true, "6", "12288");
    c3["firelensConfiguration"] = json!({"type": "fluentbit", "options": {"enable-ecs-log-metadata": "true"}});
    json!({"jobDefinitionName": "multicontainer-ecs-ec2", "type": "container",
           "ecsProperties": {"taskProperties": [{"containers": [
               container("c1", false, "2", "4096"), container("c2", false, "2", "4096"), c3]}]}})
}

fn ec2_ce() -> Value {
    json!({"computeEnvironmentName": "ec2", "type": "MANAGED",
           "computeResources": {"type": "EC2", "minvCpus": 0, "maxvCpus": 64,
                                "instanceTypes": ["m5.4xlarge"], "allocationStrategy": "BEST_FIT",
                                "subnets": ["subnet-1"], "instanceRole": "ecsInstanceRole"},
           "simulation": {"instanceLaunchSeconds": 0, "startupSeconds": 0}})
}

fn scenario(ce: Value, ce_name: &str, def: Value, def_name: &str) -> Value {
    json!({"computeEnvironments": [ce], "jobQueues": [common::queue("q", 1, &[ce_name])],
           "jobDefinitions": [def],
           "workload": [{"at": 0, "submitJob": {"jobName": "j", "jobQueue": "q", "jobDefinition": def_name,
                                                     "arrayProperties": {"size": 3}},
                         "runtime": {"distribution": "fixed", "seconds": 60}}]})
}

/// The task is the unit placed on an instance, so it holds every container's reservation:
/// 2 + 2 + 6 = 10 vCPUs and 4096 + 4096 + 12288 = 20480 MiB. An m5.4xlarge (16 vCPUs,
/// 64 GiB) holds one such task at a time, so the three children run on three instances.
#[test]
fn the_user_guides_multi_container_ec2_job_holds_the_sum_of_its_containers() {
    let v = scenario(ec2_ce(), "ec2", user_guide_ec2_definition(), "multicontainer-ecs-ec2");
    let (r, recs) = common::run_records(&v);
    assert_eq!(r.jobs.succeeded, 3, "{r:?}");
    let children: Vec<_> = recs.iter().filter(|j| j.job_id.array_index.is_some()).collect();
    assert_eq!(children.len(), 3);
    for j in &children {
        assert_eq!((j.resources.millivcpus, j.resources.memory_mib), (10_000, 20_480));
        assert_eq!(j.started_at.map(|t| t.as_secs_f64()), Some(0.0));
    }
    let ce = &r.compute_environments["ec2"];
    assert_eq!(ce.jobs_started, 3);
}

/// On Fargate the task size is the sum too, and it must be one of Fargate's combinations
/// (AWS_FACTS: 0.25 vCPU takes 512, 1024 or 2048 MiB; 0.75 vCPU is none). Two containers
/// of 0.5 vCPU and 1024 MiB make a valid 1 vCPU / 2048 MiB task; 0.25 + 0.5 vCPU does not,
/// and the error names the containers, not a `containerProperties` the file does not have.
#[test]
fn a_fargate_multi_container_task_is_checked_as_a_whole() {
    let def = |vcpus: [&str; 2], memory: [&str; 2]| {
        let c = |i: usize| {
            json!({"name": format!("c{i}"), "image": "busybox",
                   "resourceRequirements": [{"type": "VCPU", "value": vcpus[i]},
                                            {"type": "MEMORY", "value": memory[i]}]})
        };
        json!({"jobDefinitionName": "d", "type": "container", "platformCapabilities": ["FARGATE"],
               "ecsProperties": {"taskProperties": [{"containers": [c(0), c(1)]}]}})
    };
    let fargate = common::fargate_ce("fargate", 4);
    let mut v = scenario(fargate, "fargate", def(["0.5", "0.5"], ["1024", "1024"]), "d");
    let (r, recs) = common::run_records(&v);
    assert_eq!(r.jobs.succeeded, 3);
    assert!(recs
        .iter()
        .all(|j| (j.resources.millivcpus, j.resources.memory_mib) == (1000, 2048)));
    // Four vCPUs hold the three 1-vCPU tasks at once.
    assert!(recs.iter().all(|j| j.started_at.map(|t| t.as_secs_f64()) == Some(0.0)));

    v["jobDefinitions"][0] = def(["0.25", "0.5"], ["512", "512"]);
    let e = match Scenario::from_value(&v, "ecs.json") {
        Ok(_) => panic!("a 0.75-vCPU Fargate task was accepted"),
        Err(e) => e.to_string(),
    };
    assert!(
        e.contains("jobDefinitions[0].ecsProperties.taskProperties[0].containers")
            && !e.contains("containerProperties"),
        "{e}"
    );
}
