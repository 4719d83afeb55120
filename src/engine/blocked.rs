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

/// Whether `reason` is one of the blocked-queue status reasons above (the full texts a head
/// job is given), which a consumable resource's wait reason does not replace.
pub(super) fn is_blocked_reason(reason: &str) -> bool {
    [
        COMPUTE_ENVIRONMENT_MAX_RESOURCE_TEXT,
        JOB_RESOURCE_REQUIREMENT_TEXT,
        INSUFFICIENT_INSTANCE_CAPACITY_TEXT,
    ]
    .contains(&reason)
}

/// Why a job can never run on one compute environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Never {
    /// `maxvCpus` is below what the job needs (or below the smallest type that holds it).
    MaxResource,
    /// No instance type (Fargate: no task size) holds the job.
    NoType,
    /// The compute environment does not run the job's architecture at all (an ARM64 job
    /// on Fargate Spot): the job skips it, and the reason comes from the others.
    Architecture,
}

/// The blocked-queue reason of a head job, by what each attached compute environment says.
///
/// A compute environment the job's architecture skips counts for neither reason: an ARM64
/// job on a queue with FARGATE (`maxvCpus` too small) and FARGATE_SPOT is blocked by the
/// FARGATE environment's `maxvCpus` (7.9: "when every attached CE's `maxvCpus` is below the
/// job's need"); with only such environments it is `JOB_RESOURCE_REQUIREMENT` (no task
/// there holds it).
fn blocked_reason(verdicts: impl Iterator<Item = Option<Never>>) -> Option<(&'static str, &'static str)> {
    let (mut all_max, mut any_max) = (true, false);
    for v in verdicts {
        match v {
            None => return None,
            Some(Never::MaxResource) => any_max = true,
            Some(Never::NoType) => all_max = false,
            Some(Never::Architecture) => {}
        }
    }
    Some(if all_max && any_max {
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
            return Some(Never::Architecture);
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
                self.drop_head_timers(q);
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
        if let Some(since) = p.head_since.get() {
            // The same head as before. A reason that appears after its clock ran out (an
            // action lowered `maxvCpus`, the last instance that held it ended) cancels it now:
            // it has been the head longer than `maxTimeSeconds` and has the reason.
            let late = never.is_some_and(|(reason, _)| self.time_limit_due(q, reason, now.since(since)))
                && !self.queues[q].head_timers.iter().any(|&(t, _)| t == now);
            if late {
                self.arm_head_clock(q, slot, since, now);
            }
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
        self.void_checks_on |= !limits.is_empty();
        for max in limits {
            self.arm_head_clock(q, slot, now, now + max);
        }
    }

    /// Schedules the clock of queue `q`'s head in `slot` (head since `since`) at `at`, kept
    /// in the queue's pending head clocks so that the head's leaving withdraws it.
    fn arm_head_clock(&mut self, q: QueueId, slot: JobSlot, since: SimTime, at: SimTime) {
        let head_since_ms = since.as_millis();
        let key = self.kernel.schedule(at, Event::StateTimeLimit { slot, head_since_ms });
        self.queues[q].head_timers.push((at, key));
    }

    /// Whether queue `q` has a `jobStateTimeLimitActions` entry for `reason` whose time has
    /// passed after `waited` at the head.
    fn time_limit_due(&self, q: QueueId, reason: &str, waited: crate::time::SimDuration) -> bool {
        self.queues[q]
            .spec
            .state_time_limit_actions
            .iter()
            .any(|a| a.reason == reason && a.max_time <= waited)
    }

    /// Withdraws the `jobStateTimeLimitActions` clocks of queue `q`'s head (it left, or
    /// another job took its place). Inline: most queues have none, and a head changes at most
    /// passes of a fair-share queue.
    #[inline]
    pub(super) fn drop_head_timers(&mut self, q: QueueId) {
        if !self.queues[q].head_timers.is_empty() {
            self.withdraw_head_timers(q);
        }
    }

    #[inline(never)]
    fn withdraw_head_timers(&mut self, q: QueueId) {
        let mut timers = std::mem::take(&mut self.queues[q].head_timers);
        for (_, key) in timers.drain(..) {
            self.kernel.events.cancel_pending(key);
        }
        self.queues[q].head_timers = timers;
    }

    /// A `jobStateTimeLimitActions` clock ran out: cancel the job if it is still the head it
    /// was, still RUNNABLE, and an action for its current reason has passed its time.
    pub(super) fn state_time_limit(&mut self, slot: JobSlot, head_since_ms: u64) {
        let now = self.kernel.now;
        let Some(q) = self.jobs.get(slot).map(Job::queue) else {
            return;
        };
        // This clock came out: it is no longer one to withdraw.
        self.forget_head_timer(q, now);
        let Some(reason) = self.time_limit_fires(slot, head_since_ms, now) else {
            return;
        };
        let text = format!("Canceled by JobStateTimeLimit action due to reason: {reason}");
        self.finish_job(slot, JobStatus::Failed, Some(Reason::from(text)), Ending::Cancelled);
        self.queues[q].head = None;
        self.drop_head_timers(q);
        self.queues[q].stalled = false;
        self.dispatch_needed = true;
    }

    /// The reason for which the clock of the head in `slot` (head since `head_since_ms`)
    /// cancels it at `at`, or `None` when it would do nothing: the job is no longer that
    /// head, or it has no reason an action of its queue names with a time passed. (A job
    /// that waits for capacity in use has no reason: no action fires for it.)
    fn time_limit_fires(&self, slot: JobSlot, head_since_ms: u64, at: SimTime) -> Option<&'static str> {
        let job = self.jobs.get(slot)?;
        let since = SimTime::from_millis(head_since_ms);
        let q = job.queue();
        if job.status != JobStatus::Runnable
            || job.head_since().get() != Some(since)
            || self.queues[q].head.map(|h| h.0) != Some(job.id())
        {
            return None;
        }
        let (reason, _) = self.head_reason(q, slot)?;
        self.time_limit_due(q, reason, at.since(since)).then_some(reason)
    }

    /// Removes the clock due at `at` from queue `q`'s pending head clocks.
    fn forget_head_timer(&mut self, q: QueueId, at: SimTime) {
        let timers = &mut self.queues[q].head_timers;
        if let Some(i) = timers.iter().position(|&(t, _)| t == at) {
            timers.swap_remove(i);
        }
    }

    /// Whether the head clock next on the event queue (due at `at`) would do nothing; if so
    /// it is forgotten, for `drop_void_events` to take off the queue. Such a clock stays
    /// void: a head that leaves never comes back with the same `head_since`, and a reason
    /// that appears later cancels the head at that pass (`new_head`), as the clock would.
    pub(super) fn head_clock_is_void(&mut self, slot: JobSlot, head_since_ms: u64, at: SimTime) -> bool {
        if self.time_limit_fires(slot, head_since_ms, at).is_some() {
            return false;
        }
        if let Some(q) = self.jobs.get(slot).map(Job::queue) {
            self.forget_head_timer(q, at);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(verdicts: &[Option<Never>]) -> Option<&'static str> {
        blocked_reason(verdicts.iter().copied()).map(|(short, _)| short)
    }

    #[test]
    fn reasons_by_what_each_compute_environment_says() {
        use Never::*;
        // One compute environment that could run it: no reason.
        assert_eq!(reason(&[Some(MaxResource), None]), None);
        // 7.9: "when every attached CE's maxvCpus is below the job's need".
        assert_eq!(
            reason(&[Some(MaxResource), Some(MaxResource)]),
            Some(COMPUTE_ENVIRONMENT_MAX_RESOURCE)
        );
        // "when no instance type (Fargate: no task size) of the attached CEs can hold it".
        assert_eq!(
            reason(&[Some(MaxResource), Some(NoType)]),
            Some(JOB_RESOURCE_REQUIREMENT)
        );
        // An ARM64 job skips Fargate Spot: FARGATE's maxvCpus decides.
        assert_eq!(
            reason(&[Some(MaxResource), Some(Architecture)]),
            Some(COMPUTE_ENVIRONMENT_MAX_RESOURCE)
        );
        assert_eq!(
            reason(&[Some(Architecture), Some(NoType)]),
            Some(JOB_RESOURCE_REQUIREMENT)
        );
        // Only Fargate Spot: no task there holds it.
        assert_eq!(
            reason(&[Some(Architecture), Some(Architecture)]),
            Some(JOB_RESOURCE_REQUIREMENT)
        );
    }
}
