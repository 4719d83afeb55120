//! A stateful job policy: round robin across shares.
//!
//! Each pick serves the share after the one served last (by identifier, wrapping around),
//! whatever the shares' weights and usage: it beats nothing, but shows a policy that keeps
//! state, learns from the engine ([`JobPolicy::on_start`]) and gives a simulation copy its
//! own state ([`JobPolicy::clone_box`]). `tests/custom_decisions.rs` runs this file's
//! [`start_order`] and asserts its result.
//!
//! `cargo run --release --example round_robin`

use batchsim::model::CeId;
use batchsim::policy::{JobInfo, JobPolicy, QueueView, QueuedJob, RunnableSet};
use batchsim::{JobId, Options, Resources, Scenario, SimTime, Simulation};
use std::sync::Arc;

/// Serves the shares in turn.
#[derive(Clone, Debug, Default)]
pub struct RoundRobin {
    /// The share whose job started last.
    last: Option<Arc<str>>,
    /// Attempts started so far (told by the engine).
    pub started: u64,
}

impl JobPolicy for RoundRobin {
    fn pick<'a>(&mut self, view: &QueueView<'a>) -> Option<&'a QueuedJob> {
        let shares = || view.shares().filter(|s| s.head().is_some());
        let after_last = self.last.as_deref().and_then(|last| {
            shares()
                .filter(|s| s.identifier() > last)
                .min_by_key(|s| s.identifier())
        });
        after_last
            .or_else(|| shares().min_by_key(|s| s.identifier()))
            .and_then(|s| s.head())
    }

    // The pick is only a proposal (the job may not fit): the turn moves when a job starts.
    fn on_start(&mut self, job: &JobInfo, _ce: CeId, _now: SimTime) {
        self.last = Some(job.share_identifier.clone());
        self.started += 1;
    }

    fn clone_box(&self) -> Option<Box<dyn JobPolicy>> {
        Some(Box::new(self.clone()))
    }
}

/// One vCPU, a fair-share queue whose policy favours share A ten to one; at t=0 four jobs
/// of A, two of B and one of C, 100 s each.
pub fn scenario() -> Result<Scenario, batchsim::Error> {
    let job = |n: u32, share: &str| {
        format!(
            r#"{{"at": 0, "submitJob": {{"jobName": "{share}{n}", "jobQueue": "q", "jobDefinition": "d",
              "shareIdentifier": "{share}"}}, "runtime": {{"distribution": "fixed", "seconds": 100}}}}"#
        )
    };
    let jobs: Vec<String> = [("A", 4), ("B", 2), ("C", 1)]
        .iter()
        .flat_map(|&(share, n)| (1..=n).map(move |i| job(i, share)))
        .collect();
    Scenario::from_json_str(
        &format!(
            r#"{{
  "computeEnvironments": [{{"computeEnvironmentName": "ce", "type": "MANAGED",
     "computeResources": {{"type": "FARGATE", "maxvCpus": 1}}, "simulation": {{"startupSeconds": 0}}}}],
  "schedulingPolicies": [{{"name": "fs", "fairsharePolicy": {{"shareDecaySeconds": 3600,
     "shareDistribution": [{{"shareIdentifier": "A", "weightFactor": 0.1}},
                           {{"shareIdentifier": "B", "weightFactor": 1}},
                           {{"shareIdentifier": "C", "weightFactor": 1}}]}}}}],
  "jobQueues": [{{"jobQueueName": "q", "priority": 1, "schedulingPolicyArn": "fs",
     "computeEnvironmentOrder": [{{"order": 1, "computeEnvironment": "ce"}}]}}],
  "jobDefinitions": [{{"jobDefinitionName": "d", "type": "container", "platformCapabilities": ["FARGATE"],
     "containerProperties": {{"resourceRequirements": [{{"type": "VCPU", "value": "1"}},
                                                      {{"type": "MEMORY", "value": "2048"}}]}}}}],
  "workload": [{}]
}}"#,
            jobs.join(",")
        ),
        "round-robin.json",
    )
}

/// The job names in the order they started, under the queue's fair share or (`policy`)
/// the given policy; and how many starts the policy was told of (0 without one).
pub fn start_order(policy: Option<RoundRobin>) -> Result<(Vec<String>, u64), batchsim::Error> {
    let options = Options {
        record_jobs: true,
        ..Options::default()
    };
    let mut sim = Simulation::new(&scenario()?, options)?;
    let told = Arc::new(std::sync::Mutex::new(0));
    if let Some(p) = policy {
        sim.set_policy("q", Box::new(Counted(p, told.clone()))).unwrap();
    }
    let (_, mut records) = sim.run_with_records();
    records.sort_by_key(|r| (r.started_at, r.job_id));
    let starts = *told.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    Ok((records.into_iter().map(|r| r.job_name.to_string()).collect(), starts))
}

/// A policy that reports its `started` count when dropped (the simulation owns it).
struct Counted(RoundRobin, Arc<std::sync::Mutex<u64>>);

impl JobPolicy for Counted {
    fn pick<'a>(&mut self, view: &QueueView<'a>) -> Option<&'a QueuedJob> {
        self.0.pick(view)
    }
    fn on_start(&mut self, job: &JobInfo, ce: CeId, now: SimTime) {
        self.0.on_start(job, ce, now);
        if let Ok(mut n) = self.1.lock() {
            *n = self.0.started;
        }
    }
}

/// The policy on a hand-built queue, without the engine.
pub fn check_policy() {
    let mut set = RunnableSet::new(None);
    for (n, share) in [(1, "A"), (2, "A"), (3, "B")] {
        set.insert_in_share(share, QueuedJob::new(JobId::new(n), Resources::new(1.0, 2048)));
    }
    let mut rr = RoundRobin::default();
    let view = set.view(SimTime::ZERO);
    let first = rr.pick(&view).map(|j| j.id);
    assert_eq!(first, Some(JobId::new(1)), "no share served yet: the first identifier");
    let mut info = JobInfo::new(&QueuedJob::new(JobId::new(1), Resources::new(1.0, 2048)));
    info.share_identifier = "A".into();
    rr.on_start(&info, CeId(0), SimTime::ZERO);
    assert_eq!(rr.pick(&view).map(|j| j.id), Some(JobId::new(3)), "B after A");
    info.share_identifier = "B".into();
    rr.on_start(&info, CeId(0), SimTime::ZERO);
    assert_eq!(rr.pick(&view).map(|j| j.id), Some(JobId::new(1)), "wraps around to A");
    println!("policy harness: ok");
}

fn main() -> Result<(), batchsim::Error> {
    check_policy();
    let (fair, _) = start_order(None)?;
    let (rr, told) = start_order(Some(RoundRobin::default()))?;
    println!("fair share:  {}", fair.join(" "));
    println!("round robin: {}  ({told} starts told)", rr.join(" "));
    Ok(())
}
