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

// ---------------------------------------------------------------------------------------
// A custom placement decides multi-node jobs too
// ---------------------------------------------------------------------------------------

mod custom {
    use batchsim::model::JobId;
    use batchsim::policy::{AwsOrder, NodeOn, NodesCandidate, NodesOn, PlaceOn, PlacementCandidate, PlacementPolicy};
    use batchsim::{Options, Resources, SimTime, Simulation};
    use serde_json::json;

    /// Two EC2 compute environments, `a` then `b` in the queue's order, and the 3-node job
    /// of [`super::scenario`] at t=0.
    fn two_ces() -> batchsim::Scenario {
        let mut v = super::scenario(16);
        let mut b = v["computeEnvironments"][0].clone();
        b["computeEnvironmentName"] = json!("b");
        v["computeEnvironments"][0]["computeEnvironmentName"] = json!("a");
        v["computeEnvironments"].as_array_mut().unwrap().push(b);
        v["jobQueues"][0]["computeEnvironmentOrder"] =
            json!([{"order": 1, "computeEnvironment": "a"}, {"order": 2, "computeEnvironment": "b"}]);
        common_load(&v)
    }

    fn common_load(v: &serde_json::Value) -> batchsim::Scenario {
        super::common::load(v)
    }

    /// AWS's rule on the last eligible compute environment instead of the first.
    struct LastCe;

    impl PlacementPolicy for LastCe {
        fn place(&mut self, _: JobId, need: &Resources, ces: &[PlacementCandidate]) -> Option<PlaceOn> {
            AwsOrder.place(JobId::new(0), need, ces)
        }

        fn place_nodes(&mut self, _: JobId, nodes: &[Resources], ces: &[NodesCandidate]) -> Option<NodesOn> {
            ces.iter()
                .rev()
                .find_map(|c| AwsOrder::place_nodes_in_order(nodes, std::slice::from_ref(c)))
        }
    }

    /// Answers with the right compute environment but one node too few.
    struct ShortAnswer;

    impl PlacementPolicy for ShortAnswer {
        fn place(&mut self, _: JobId, need: &Resources, ces: &[PlacementCandidate]) -> Option<PlaceOn> {
            AwsOrder.place(JobId::new(0), need, ces)
        }

        fn place_nodes(&mut self, _: JobId, nodes: &[Resources], ces: &[NodesCandidate]) -> Option<NodesOn> {
            let mut on = AwsOrder::place_nodes_in_order(nodes, ces)?;
            assert_eq!(on.nodes, [NodeOn::Launch(0); 3], "nothing idle at t=0: three launches");
            on.nodes.pop();
            Some(on)
        }
    }

    fn records(set: impl FnOnce(&mut Simulation)) -> Vec<batchsim::JobRecord> {
        records_of(&two_ces(), set).1
    }

    fn records_of(
        s: &batchsim::Scenario,
        set: impl FnOnce(&mut Simulation),
    ) -> (batchsim::Report, Vec<batchsim::JobRecord>) {
        let options = Options {
            record_jobs: true,
            ..Options::default()
        };
        let mut sim = Simulation::new(s, options).unwrap();
        set(&mut sim);
        sim.run_with_records()
    }

    #[test]
    fn the_built_in_rule_over_the_candidates_reuses_idle_instances_as_the_engine_does() {
        // A second 3-node job at 730 s: the first job's three instances have been idle since
        // 720 (scale-in after 60 s idle), so it takes them and launches nothing.
        let mut v = super::scenario(16);
        v["workload"].as_array_mut().unwrap().push(json!(
            {"at": 730, "submitJob": {"jobName": "mpi2", "jobQueue": "q", "jobDefinition": "mpi"},
             "runtime": {"distribution": "fixed", "seconds": 100}}));
        let s = common_load(&v);
        let builtin = records_of(&s, |_| {});
        assert_eq!(builtin.1[2].started_at, Some(SimTime::from_millis(730_000)));
        assert_eq!(builtin.0.compute_environments["ec2"].instances_launched, 4);
        let custom = records_of(&s, |s| s.set_placement("q", Box::new(AwsOrder)).unwrap());
        assert_eq!(custom.1, builtin.1);
        assert_eq!(custom.0, builtin.0);
    }

    #[test]
    fn a_custom_placement_chooses_where_a_multi_node_job_goes() {
        let builtin = records(|_| {});
        assert_eq!(
            builtin[0].compute_environment.as_deref(),
            Some("a"),
            "AWS: the first in order"
        );
        // AwsOrder installed as a custom placement: the same rows (its default `place_nodes`
        // is AWS's rule over the candidates).
        assert_eq!(records(|s| s.set_placement("q", Box::new(AwsOrder)).unwrap()), builtin);
        // The last compute environment: b launches the three instances, ready at 120 s.
        let last = records(|s| s.set_placement("q", Box::new(LastCe)).unwrap());
        assert_eq!(last[0].compute_environment.as_deref(), Some("b"));
        assert_eq!(last[0].started_at, Some(SimTime::from_millis(120_000)));
        // An answer with a node missing places nothing: the job never starts.
        let short = records(|s| s.set_placement("q", Box::new(ShortAnswer)).unwrap());
        assert_eq!(short[0].started_at, None);
    }
}
