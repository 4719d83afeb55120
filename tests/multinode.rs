//! Multi-node parallel jobs on EC2: all nodes together, one instance each, or the job waits.

mod common;

use batchsim::{JobStatus, Scenario, SimTime};
use serde_json::{json, Value};

fn scenario(max: u32) -> Value {
    json!({
        "computeEnvironments": [{"computeEnvironmentName": "ec2", "type": "MANAGED",
            "computeResources": {"type": "EC2", "minvCpus": 0, "maxvCpus": max, "instanceTypes": ["m5.xlarge"]},
            "simulation": {"instanceLaunchSeconds": 120, "startupSeconds": 0, "scaleInIdleSeconds": 60}}],
        "jobQueues": [common::queue("q", 1, &["ec2"])],
        "jobDefinitions": [
            {"jobDefinitionName": "mpi", "type": "multinode", "platformCapabilities": ["EC2"],
             "nodeProperties": {"numNodes": 3, "mainNode": 0, "nodeRangeProperties": [
                 {"targetNodes": "0:", "container": {"image": "mpi", "resourceRequirements": [
                     {"type": "VCPU", "value": "2"}, {"type": "MEMORY", "value": "4096"}]}}]}},
            {"jobDefinitionName": "small", "type": "container",
             "containerProperties": {"resourceRequirements": [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "1024"}]}}],
        "workload": [
            {"at": 0, "submitJob": {"jobName": "mpi", "jobQueue": "q", "jobDefinition": "mpi"},
             "runtime": {"distribution": "fixed", "seconds": 600}},
            {"at": 10, "submitJob": {"jobName": "small", "jobQueue": "q", "jobDefinition": "small"},
             "runtime": {"distribution": "fixed", "seconds": 60}}]
    })
}

fn run(v: &Value) -> (batchsim::Report, Vec<batchsim::JobRecord>) {
    common::run_records(v)
}

#[test]
fn nodes_start_together_one_instance_each() {
    // Three nodes, each on its own m5.xlarge (4 vCPU), launched at 0 and ready at 120; the
    // nodes take their instances whole, so the small job at t=10 gets an instance of its own
    // (ready at 130).
    let (r, recs) = run(&scenario(16));
    assert_eq!(r.jobs.succeeded, 2);
    assert_eq!(recs[0].started_at, SimTime::from_secs_f64(120.0));
    assert_eq!(recs[0].stopped_at, SimTime::from_secs_f64(720.0));
    assert_eq!(
        recs[0].resources.millivcpus, 6000,
        "the job holds its three nodes' vCPUs"
    );
    assert_eq!(recs[1].started_at, SimTime::from_secs_f64(130.0));
    let ce = &r.compute_environments["ec2"];
    assert_eq!(ce.instances_launched, 4);
    // 3 nodes x 2 vCPU x 600 s + 1 vCPU x 60 s.
    assert!((ce.vcpu_seconds_used - 3660.0).abs() < 1e-9, "{}", ce.vcpu_seconds_used);
}

#[test]
fn a_job_whose_nodes_exceed_max_vcpus_waits() {
    // Three 4-vCPU instances need 12 vCPUs; maxvCpus 8 can never hold them: the job waits
    // with the blocked-queue reason and blocks the FIFO queue. Some type holds each node, so
    // it is the maxvCpus setting that is too small (CONTRACT 7.9; API model:
    // "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE - All compute environments have a
    // maxVcpu setting that is smaller than the job requirements.").
    let (r, recs) = run(&scenario(8));
    assert_eq!(recs[0].status, JobStatus::Runnable);
    assert!(recs[0]
        .status_reason
        .as_deref()
        .unwrap_or("")
        .starts_with("MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE"));
    assert_eq!(r.jobs.unfinished, 2);
    assert_eq!(r.compute_environments["ec2"].instances_launched, 0);
}

#[test]
fn multinode_on_fargate_or_spot_is_refused() {
    let mut v = scenario(16);
    v["computeEnvironments"][0]["computeResources"]["type"] = json!("SPOT");
    let e = Scenario::from_value(&v, "mnp.json").unwrap_err().to_string();
    assert!(
        e.contains("workload[0].submitJob.jobDefinition") && e.contains("cannot run on SPOT"),
        "{e}"
    );
    let mut v = scenario(16);
    v["jobDefinitions"][0]["platformCapabilities"] = json!(["FARGATE"]);
    let e = Scenario::from_value(&v, "mnp.json").unwrap_err().to_string();
    assert!(e.contains("multi-node parallel jobs run on EC2 only"), "{e}");
}
