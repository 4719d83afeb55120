//! A custom placement: "spread", each job to the eligible compute environment with the most
//! free vCPUs (ties: queue order), instead of AWS's first-in-order rule.
//!
//! It beats nothing (AWS fills the first compute environment first, which keeps the others
//! free to scale in); it shows a placement written against plain data, tested on hand-built
//! candidates, then installed with `Simulation::set_placement`. `tests/custom_decisions.rs`
//! runs this file's [`placements`] and asserts its result.
//!
//! `cargo run --release --example spread_placement`

use batchsim::model::CeId;
use batchsim::policy::{AwsOrder, CeCapacity, PlaceOn, PlacementCandidate, PlacementPolicy};
use batchsim::{JobId, Options, Resources, Scenario, Simulation};

/// The eligible compute environment with the most free vCPUs that can take the job; there,
/// AWS's own choice of instance (best fit, else a launch).
#[derive(Clone, Copy, Debug, Default)]
pub struct Spread;

impl PlacementPolicy for Spread {
    fn place(&mut self, job: JobId, need: &Resources, ces: &[PlacementCandidate]) -> Option<PlaceOn> {
        let mut best: Option<(u64, PlaceOn)> = None;
        for c in ces {
            // AWS's rule on this one compute environment alone: where the job would go there.
            let Some(on) = AwsOrder.place(job, need, std::slice::from_ref(c)) else {
                continue;
            };
            let free = c.capacity.free_millivcpus;
            if best.is_none_or(|(b, _)| free > b) {
                best = Some((free, on));
            }
        }
        best.map(|(_, on)| on)
    }

    fn clone_box(&self) -> Option<Box<dyn PlacementPolicy>> {
        Some(Box::new(*self))
    }
}

/// Two Fargate compute environments, `small` (4 vCPUs, first in the queue's order) and
/// `large` (8 vCPUs); six 1-vCPU jobs of 100 s, one a second from t=0.
pub fn scenario() -> Result<Scenario, batchsim::Error> {
    Scenario::from_json_str(
        r#"{
  "computeEnvironments": [
    {"computeEnvironmentName": "small", "type": "MANAGED",
     "computeResources": {"type": "FARGATE", "maxvCpus": 4}, "simulation": {"startupSeconds": 0}},
    {"computeEnvironmentName": "large", "type": "MANAGED",
     "computeResources": {"type": "FARGATE", "maxvCpus": 8}, "simulation": {"startupSeconds": 0}}],
  "jobQueues": [{"jobQueueName": "q", "priority": 1, "computeEnvironmentOrder": [
     {"order": 1, "computeEnvironment": "small"}, {"order": 2, "computeEnvironment": "large"}]}],
  "jobDefinitions": [{"jobDefinitionName": "d", "type": "container", "platformCapabilities": ["FARGATE"],
     "containerProperties": {"resourceRequirements": [{"type": "VCPU", "value": "1"},
                                                      {"type": "MEMORY", "value": "2048"}]}}],
  "workload": [{"arrivals": {"process": "every", "seconds": 1}, "count": 6,
     "submitJob": {"jobName": "j", "jobQueue": "q", "jobDefinition": "d"},
     "runtime": {"distribution": "fixed", "seconds": 100}}]
}"#,
        "spread.json",
    )
}

/// The compute environment each job ran on, in submission order, under AWS's order or
/// (`spread`) [`Spread`].
pub fn placements(spread: bool) -> Result<Vec<String>, batchsim::Error> {
    let options = Options {
        record_jobs: true,
        ..Options::default()
    };
    let mut sim = Simulation::new(&scenario()?, options)?;
    if spread {
        sim.set_placement("q", Box::new(Spread)).unwrap();
    }
    let (_, records) = sim.run_with_records();
    Ok(records
        .into_iter()
        .map(|r| r.compute_environment.as_deref().unwrap_or_default().to_owned())
        .collect())
}

/// The placement on hand-built candidates, without the engine.
pub fn check_placement() {
    let fargate = |ce: u32, max: u32, free: u32| {
        PlacementCandidate::fargate(CeCapacity {
            ce: CeId(ce),
            name: format!("ce{ce}"),
            enabled: true,
            fargate: true,
            max_vcpus: max,
            used_millivcpus: u64::from(max - free) * 1000,
            free_millivcpus: u64::from(free) * 1000,
            free_memory_mib: None,
            launchable_millivcpus: 0,
            instances: 0,
        })
    };
    let job = Resources::new(2.0, 4096);
    let ces = [fargate(0, 4, 4), fargate(1, 8, 5), fargate(2, 8, 1)];
    assert_eq!(
        Spread.place(JobId::new(1), &job, &ces),
        Some(PlaceOn::Task { ce: CeId(1) })
    );
    assert_eq!(
        AwsOrder.place(JobId::new(1), &job, &ces),
        Some(PlaceOn::Task { ce: CeId(0) })
    );
    let mut held = ces.clone();
    held[1].eligible = false;
    assert_eq!(
        Spread.place(JobId::new(1), &job, &held),
        Some(PlaceOn::Task { ce: CeId(0) }),
        "an ineligible compute environment is skipped"
    );
    println!("placement harness: ok");
}

fn main() -> Result<(), batchsim::Error> {
    check_placement();
    println!("AWS order: {}", placements(false)?.join(" "));
    println!("spread:    {}", placements(true)?.join(" "));
    Ok(())
}
