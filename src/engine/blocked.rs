//! Blocked queue heads: the AWS status reason of a head job no compute environment of its
//! queue could ever run, and `jobStateTimeLimitActions` that cancel a head left RUNNABLE too
//! long (CONTRACT sections 6 and 7.9).
//!
//! The reasons and their texts are those of the API model (`JobDetail.statusReason`):
//! - `MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE` - "All compute environments have a
//!   maxVcpu setting that is smaller than the job requirements.";
//! - `MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT` - "All compute environments have no connected
//!   instances that meet the job requirements.";
//! - `CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY` - "All compute environments have insufficient
//!   capacity to service the job." That one means EC2 could not supply the instances: it is
//!   given only when the scenario's `ec2Capacity` refuses the instances a compute environment
//!   would launch for the job and no compute environment of the queue can take it otherwise
//!   (`ec2_capacity.rs`). A job that waits its turn behind running jobs has no reason, and no
//!   time-limit action fires for it.

use super::attempt::Ending;
use super::event::Event;
use super::jobs::JobSlot;
use super::jobs::{Job, Reason};
use super::Simulation;
use crate::model::{CeId, JobId, JobStatus, QueueId};
use crate::time::SimTime;

/// Reason of a head job no instance type (Fargate: no task size) of its queue's compute
/// environments can hold.
pub const JOB_RESOURCE_REQUIREMENT: &str = "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT";
/// Reason of a head job whose vCPUs are more than every attached compute environment's
/// `maxvCpus` allows.
pub const COMPUTE_ENVIRONMENT_MAX_RESOURCE: &str = "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE";
/// Reason of a head job whose instances EC2 cannot supply (the scenario's `ec2Capacity`).
pub const INSUFFICIENT_INSTANCE_CAPACITY: &str = "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY";
/// The full status reason of a job blocked for [`INSUFFICIENT_INSTANCE_CAPACITY`] (API model
/// text).
pub const INSUFFICIENT_INSTANCE_CAPACITY_TEXT: &str =
    "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY - All compute environments have insufficient capacity to service the job.";
/// The full status reason of a job blocked for [`JOB_RESOURCE_REQUIREMENT`] (API model text).
pub const JOB_RESOURCE_REQUIREMENT_TEXT: &str = "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT - All compute environments have no connected instances that meet the job requirements.";
/// The full status reason of a job blocked for [`COMPUTE_ENVIRONMENT_MAX_RESOURCE`] (API
/// model text).
pub const COMPUTE_ENVIRONMENT_MAX_RESOURCE_TEXT: &str = "MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE - All compute environments have a maxVcpu setting that is smaller than the job requirements.";

/// Why a job can never run on one compute environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Never {
    /// `maxvCpus` is below what the job needs (or below the smallest type that holds it).
    MaxResource,
    /// No instance type (Fargate: no task size) holds the job.
    NoType,
}

/// The blocked-queue reason of a head job, by what each attached compute environment says.
fn blocked_reason(verdicts: impl Iterator<Item = Option<Never>>) -> Option<(&'static str, &'static str)> {
    let mut all_max = true;
    for v in verdicts {
        match v {
            None => return None,
            Some(Never::MaxResource) => {}
            Some(Never::NoType) => all_max = false,
        }
    }
    Some(if all_max {
        (COMPUTE_ENVIRONMENT_MAX_RESOURCE, COMPUTE_ENVIRONMENT_MAX_RESOURCE_TEXT)
    } else {
        (JOB_RESOURCE_REQUIREMENT, JOB_RESOURCE_REQUIREMENT_TEXT)
    })
}

impl Simulation {
    /// Why compute environment `ce` can never run `job`, or `None` when it could (CONTRACT
    /// 7.14 f: live instances whose type holds the job count, evaluated now).
    fn never_on(&self, ce: CeId, job: &Job) -> Option<Never> {
        if self.ce_could_ever_run(ce, job) {
            return None;
        }
        let c = &self.ces[ce];
        if !c.runs_architecture(job.spec.architecture) {
            // An ARM64 job on Fargate Spot: no task of any size runs it there.
            return Some(Never::NoType);
        }
        let nodes = job.spec.nodes.as_deref();
        let need: u64 = match nodes {
            Some(n) => n.iter().map(|r| u64::from(r.millivcpus)).sum(),
            None => u64::from(job.resources().millivcpus),
        };
        if u64::from(c.spec.max_vcpus) * 1000 < need {
            return Some(Never::MaxResource);
        }
        let holds = match (&c.pool, nodes) {
            (None, None) => true,
            (None, Some(_)) => false,
            (Some(pool), None) => pool.some_type_holds(&job.resources()),
            (Some(pool), Some(n)) => n.iter().all(|r| pool.some_type_holds(r)),
        };
        Some(if holds { Never::MaxResource } else { Never::NoType })
    }

    /// Whether no compute environment of queue `q` could ever run the job in `slot` (the
    /// `MISCONFIGURATION` reasons).
    pub(super) fn can_never_run(&self, q: QueueId, slot: JobSlot) -> bool {
        let Some(job) = self.jobs.get(slot) else { return false };
        let ces = &self.queues[q].spec.compute_environments;
        blocked_reason(ces.iter().map(|ce| self.never_on(*ce, job))).is_some()
    }

    /// The blocked-queue reason (short form, full text) of the job in `slot` on queue `q`, or
    /// `None` when some compute environment of the queue could run it.
    fn head_reason(&self, q: QueueId, slot: JobSlot) -> Option<(&'static str, &'static str)> {
        let job = self.jobs.get(slot)?;
        let ces = &self.queues[q].spec.compute_environments;
        let never = blocked_reason(ces.iter().map(|ce| self.never_on(*ce, job)));
        if never.is_some() || self.ec2_capacity.is_none() {
            return never;
        }
        // EC2 cannot supply it: every compute environment that could run the job is short of
        // the instances it would launch for it (and at least one could run it).
        let mut short = false;
        for &ce in ces {
            if self.never_on(ce, job).is_some() {
                continue;
            }
            if !self.short_of_capacity(ce, job) {
                return None;
            }
            short = true;
        }
        short.then_some((INSUFFICIENT_INSTANCE_CAPACITY, INSUFFICIENT_INSTANCE_CAPACITY_TEXT))
    }

    /// After a queue's turn in a pass: `blocked` is the job it could not place (its head), if
    /// any; a head that lost its place loses its time-limit clock.
    pub(super) fn new_head(&mut self, q: QueueId, previous: Option<(JobId, JobSlot)>, blocked: Option<JobSlot>) {
        if previous.is_none() && blocked.is_none() {
            // No head before or after (the queue placed everything): nothing to track.
            return;
        }
        let now = self.kernel.now;
        let new = blocked.and_then(|s| self.jobs.get(s).map(|j| (j.id(), s)));
        if let Some((prev_id, prev_slot)) = previous {
            if new.is_none_or(|(id, _)| id != prev_id) {
                if let Some(j) = self.jobs.get_mut(prev_slot).filter(|j| j.id() == prev_id) {
                    j.clear_head_since();
                }
            }
        }
        self.queues[q].head = new;
        let Some((_, slot)) = new else { return };
        let never = self.head_reason(q, slot);
        if self.jobs.get(slot).is_none() {
            return;
        }
        // The head's boxed part (a reused box): it is about to be dispatched, or waits with
        // its clock.
        let Some(p) = self.jobs.progress_mut(slot) else { return };
        // AWS: "The same reason is also updated into the statusReason field": over what a
        // failed attempt left there too (a retried job blocking its queue shows why).
        if let Some((_, text)) = never {
            p.status_reason = Some(Reason::Static(text));
        }
        if p.head_since.is_some() {
            return;
        }
        p.head_since.set(now);
        let mut limits: Vec<_> = self.queues[q]
            .spec
            .state_time_limit_actions
            .iter()
            .map(|a| a.max_time)
            .collect();
        limits.sort();
        limits.dedup();
        for max in limits {
            self.kernel.schedule(
                now + max,
                Event::StateTimeLimit {
                    slot,
                    head_since_ms: now.as_millis(),
                },
            );
        }
    }

    /// A `jobStateTimeLimitActions` clock ran out: cancel the job if it is still the head it
    /// was, still RUNNABLE, and an action for its current reason has passed its time.
    pub(super) fn state_time_limit(&mut self, slot: JobSlot, head_since_ms: u64) {
        let now = self.kernel.now;
        let Some(job) = self.jobs.get(slot) else { return };
        let since = SimTime::from_millis(head_since_ms);
        if job.status != JobStatus::Runnable
            || job.head_since().get() != Some(since)
            || self.queues[job.queue()].head.map(|h| h.0) != Some(job.id())
        {
            return;
        }
        let q = job.queue();
        // A job that waits for capacity in use has no reason: no action fires for it.
        let Some((reason, _)) = self.head_reason(q, slot) else {
            return;
        };
        let waited = now.since(since);
        let due = self.queues[q]
            .spec
            .state_time_limit_actions
            .iter()
            .any(|a| a.reason == reason && a.max_time <= waited);
        if due {
            let text = format!("Canceled by JobStateTimeLimit action due to reason: {reason}");
            self.finish_job(slot, JobStatus::Failed, Some(Reason::from(text)), Ending::Cancelled);
            self.queues[q].head = None;
            self.queues[q].stalled = false;
            self.dispatch_needed = true;
        }
    }
}
