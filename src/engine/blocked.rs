//! Blocked queue heads: the AWS status reason of a head job no compute environment of its
//! queue could ever run, and `jobStateTimeLimitActions` that cancel a head left RUNNABLE too
//! long (CONTRACT sections 6 and 7.9).

use super::attempt::Ending;
use super::event::Event;
use super::jobs::JobSlot;
use super::jobs::Reason;
use super::Simulation;
use crate::model::{JobId, JobStatus, QueueId};
use crate::time::SimTime;

/// Reason of a head job that no compute environment of its queue could ever fit.
pub const JOB_RESOURCE_REQUIREMENT: &str = "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT";
/// Reason of a head job that fits but for which no capacity came.
pub const INSUFFICIENT_INSTANCE_CAPACITY: &str = "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY";
/// The full status reason AWS shows on a job blocked for [`JOB_RESOURCE_REQUIREMENT`].
pub const JOB_RESOURCE_REQUIREMENT_TEXT: &str = "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT - The job resource requirement (vCPU/memory/GPU) is higher than that can be met by the CE(s) attached to the job queue.";

impl Simulation {
    /// Whether some compute environment of queue `q` could ever run the job in `slot`.
    fn could_ever_run(&self, q: QueueId, slot: JobSlot) -> bool {
        let Some(job) = self.jobs.get(slot) else { return false };
        self.queues[q.index()]
            .spec
            .compute_environments
            .iter()
            .any(|ce| self.ce_could_ever_run(*ce, job))
    }

    /// After a queue's turn in a pass: `blocked` is the job it could not place (its head), if
    /// any; a head that lost its place loses its time-limit clock.
    pub(super) fn new_head(&mut self, q: QueueId, previous: Option<(JobId, JobSlot)>, blocked: Option<JobSlot>) {
        if previous.is_none() && blocked.is_none() {
            // No head before or after (the queue placed everything): nothing to track.
            return;
        }
        let now = self.now;
        let new = blocked.and_then(|s| self.jobs.get(s).map(|j| (j.id, s)));
        if let Some((prev_id, prev_slot)) = previous {
            if new.is_none_or(|(id, _)| id != prev_id) {
                if let Some(j) = self.jobs.get_mut(prev_slot).filter(|j| j.id == prev_id) {
                    j.head_since = None;
                }
            }
        }
        self.queues[q.index()].head = new;
        let Some((_, slot)) = new else { return };
        let never = !self.could_ever_run(q, slot);
        let Some(job) = self.jobs.get_mut(slot) else { return };
        if never && job.status_reason.is_none() {
            job.status_reason = Some(Reason::Static(JOB_RESOURCE_REQUIREMENT_TEXT));
        }
        if job.head_since.is_some() {
            return;
        }
        job.head_since = Some(now);
        let mut limits: Vec<_> = self.queues[q.index()]
            .spec
            .state_time_limit_actions
            .iter()
            .map(|a| a.max_time)
            .collect();
        limits.sort();
        limits.dedup();
        for max in limits {
            self.events.schedule(
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
        let now = self.now;
        let Some(job) = self.jobs.get(slot) else { return };
        let since = SimTime::from_millis(head_since_ms);
        if job.status != JobStatus::Runnable
            || job.head_since != Some(since)
            || self.queues[job.queue.index()].head.map(|h| h.0) != Some(job.id)
        {
            return;
        }
        let q = job.queue;
        let reason = if self.could_ever_run(q, slot) {
            INSUFFICIENT_INSTANCE_CAPACITY
        } else {
            JOB_RESOURCE_REQUIREMENT
        };
        let waited = now.since(since);
        let due = self.queues[q.index()]
            .spec
            .state_time_limit_actions
            .iter()
            .any(|a| a.reason == reason && a.max_time <= waited);
        if due {
            let text = format!("Canceled by JobStateTimeLimit action due to reason: {reason}");
            self.finish_job(slot, JobStatus::Failed, Some(Reason::from(text)), Ending::Cancelled);
            self.queues[q.index()].head = None;
            self.queues[q.index()].stalled = false;
            self.dispatch_needed = true;
        }
    }
}
