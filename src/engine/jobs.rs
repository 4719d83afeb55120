//! The engine's job table: live jobs in a slab, addressed by [`JobSlot`].
//!
//! A finished job's slot is freed at once (its record is kept only when per-job output was
//! asked for), so memory follows the jobs in flight, not the jobs ever submitted.

use crate::engine::queue::EventKey;
use crate::model::{CeId, JobId, JobStatus, QueueId, Resources, RetryStrategy};
use crate::time::{SimDuration, SimTime};
use crate::workload::runtime::AttemptPlan;
use std::sync::Arc;

/// A time that may not have happened yet, in 8 bytes (an `Option<SimTime>` takes 16): a job
/// carries six of them. `u64::MAX` milliseconds means "not yet". A scenario's times stop
/// near 2^50 ms (`MAX_SECONDS`); only the library API can reach the last millisecond of
/// `SimTime` (`run_until(SimTime::MAX)`, then a submission), and a stamp set there reads one
/// millisecond earlier.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Stamp(u64);

impl Stamp {
    /// Not happened yet.
    pub const NONE: Stamp = Stamp(u64::MAX);

    /// The time, if it happened.
    #[inline]
    pub fn get(self) -> Option<SimTime> {
        (self.0 != u64::MAX).then_some(SimTime::from_millis(self.0))
    }

    /// It happened at `t`.
    #[inline]
    pub fn set(&mut self, t: SimTime) {
        self.0 = t.as_millis().min(u64::MAX - 1);
    }

    /// It happened at `t`, unless it already had.
    #[inline]
    pub fn set_if_none(&mut self, t: SimTime) {
        if self.is_none() {
            self.set(t);
        }
    }

    /// Forgotten (not happened, as far as anyone asks).
    #[inline]
    pub fn clear(&mut self) {
        *self = Stamp::NONE;
    }

    /// Not happened yet.
    #[inline]
    pub fn is_none(self) -> bool {
        self.0 == u64::MAX
    }

    /// Happened.
    #[inline]
    pub fn is_some(self) -> bool {
        !self.is_none()
    }
}

/// A duration that may be unknown, in 8 bytes (an `Option<SimDuration>` takes 16):
/// `u64::MAX` milliseconds means "none". A job's run time estimate.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Estimate(u64);

impl Estimate {
    /// No estimate.
    pub const NONE: Estimate = Estimate(u64::MAX);

    /// `d`, or none (the longest duration reads one millisecond shorter).
    #[inline]
    pub fn new(d: Option<SimDuration>) -> Estimate {
        d.map_or(Estimate::NONE, |d| Estimate(d.as_millis().min(u64::MAX - 1)))
    }

    /// The estimate, if there is one.
    #[inline]
    pub fn get(self) -> Option<SimDuration> {
        (self.0 != u64::MAX).then_some(SimDuration::from_millis(self.0))
    }
}

impl std::fmt::Debug for Estimate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

/// The jobs waiting on a job, in 8 bytes (most jobs have none; a `Vec` takes 24). The box
/// is the point: one pointer in every job, the list's own 24 bytes only in jobs waited on.
#[derive(Clone, Debug, Default)]
#[allow(clippy::box_collection)]
pub struct Waiters(Option<Box<Vec<Waiter>>>);

impl Waiters {
    /// Adds one.
    #[inline]
    pub fn push(&mut self, w: Waiter) {
        self.0.get_or_insert_with(Default::default).push(w);
    }

    /// All of them, taken.
    #[inline]
    pub fn take(&mut self) -> Vec<Waiter> {
        self.0.take().map_or_else(Vec::new, |b| *b)
    }
}

impl std::fmt::Debug for Stamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

/// Index of a live job in the [`JobTable`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JobSlot(pub u32);

/// What a job was submitted with, shared by every job of one template (a stream's million
/// jobs share one).
#[derive(Debug)]
pub struct JobSpec {
    /// `jobName`.
    pub name: Arc<str>,
    /// `shareIdentifier` ("" on FIFO queues).
    pub share: Arc<str>,
    /// The share's number in the run (`u32::MAX` for no share).
    pub share_ix: u32,
    /// Effective retry strategy (submission override, else the definition's).
    pub retry: RetryStrategy,
    /// Effective timeout.
    pub timeout: Option<SimDuration>,
    /// `name:revision` of the job definition.
    pub definition: Arc<str>,
    /// The workload entry the job came from (its runtime model and random streams).
    pub entry: u32,
    /// Multi-node parallel jobs: what each node needs (one instance per node).
    pub nodes: Option<Arc<[Resources]>>,
    /// Jobs submitted through the library API carry their own runtime model.
    pub runtime: Option<crate::workload::RuntimeModel>,
    /// The container command with `Ref::name` parameters substituted (shared with the job
    /// table's rows).
    pub command: Arc<[String]>,
    /// The job definition's `runtimePlatform.cpuArchitecture` (Fargate price, no Fargate
    /// Spot for `ARM64`).
    pub architecture: crate::model::instance_catalog::Architecture,
    /// The consumable resources each attempt needs (the job definition's list with the
    /// submission's override), sorted by resource; empty for most jobs.
    pub consumables: Box<[crate::model::ConsumableRequirement]>,
}

/// The current attempt of a dispatched job.
#[derive(Clone, Debug)]
pub struct Attempt {
    /// Unique over the run; events carry it so that stale ones are recognised.
    pub id: u64,
    /// Where it runs.
    pub ce: CeId,
    /// EC2/SPOT: dollars per hour of its instances attributed to it (each instance's price
    /// times the attempt's share of its vCPUs); 0 on Fargate.
    pub instance_rate: f64,
    /// EC2: the instances it runs on and the room it takes on each (one for a container
    /// job, one per node for a multi-node job; empty on Fargate).
    pub rooms: Vec<(u32, Resources)>,
    /// Dispatch time (STARTING; Fargate billing starts here).
    pub dispatched_at: SimTime,
    /// RUNNING time, once reached.
    pub running_at: Option<SimTime>,
    /// Drawn run time and exit code.
    pub plan: AttemptPlan,
    /// Pending events of this attempt (start, end, interruption), to cancel.
    pub events: [Option<EventKey>; 2],
    /// The instances' ids and types, kept only while an attempt table is written (a
    /// reclaimed instance is gone when its attempts end).
    pub placement: Option<Box<(Vec<String>, Vec<String>)>>,
}

/// Room a RUNNABLE job holds on launching instances; it is dispatched when they are all ready.
#[derive(Clone, Debug)]
pub struct Claim {
    /// The compute environment.
    pub ce: CeId,
    /// (instance, room taken) for every instance the job will run on.
    pub rooms: Vec<(u32, Resources)>,
    /// Instances not ready yet.
    pub waiting: u32,
}

/// A status reason: one of the fixed texts (no allocation, no reference counting on the hot
/// path), or a text made at run time.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// A fixed text.
    Static(&'static str),
    /// A text made at run time (cancel reasons, failed dependencies, instance ids).
    Text(Arc<str>),
}

impl Reason {
    /// The text as a per-job table row holds it (a fixed text without a copy).
    pub fn to_cow(&self) -> std::borrow::Cow<'static, str> {
        match self {
            Reason::Static(s) => std::borrow::Cow::Borrowed(s),
            Reason::Text(s) => std::borrow::Cow::Owned(s.to_string()),
        }
    }
}

impl std::ops::Deref for Reason {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            Reason::Static(s) => s,
            Reason::Text(s) => s,
        }
    }
}

impl From<String> for Reason {
    fn from(s: String) -> Reason {
        Reason::Text(Arc::from(s))
    }
}

impl From<&str> for Reason {
    fn from(s: &str) -> Reason {
        Reason::Text(Arc::from(s))
    }
}

/// A parent array job or a dependency link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Waiter {
    /// A job waiting for this one (decrement its unmet count on success, fail it on failure).
    Job(JobSlot, JobId),
    /// The array parent this child belongs to.
    Parent(u32),
}

/// A live job.
#[derive(Clone, Debug)]
pub struct Job {
    /// Id (`17`, `17:3`).
    pub id: JobId,
    /// Template data.
    pub spec: Arc<JobSpec>,
    /// Queue.
    pub queue: QueueId,
    /// vCPU / memory / GPU.
    pub resources: Resources,
    /// `schedulingPriority` (fair-share queues).
    pub priority: u32,
    /// The job's share's number in its queue's RUNNABLE set (`u32::MAX` until it first
    /// joins it): usage and removal without a lookup by name.
    pub share_slot: u32,
    /// The job's row in the per-job table (when one is kept).
    pub row: u64,
    /// State.
    pub status: JobStatus,
    /// Attempts that reached RUNNING so far (an attempt ended while STARTING does not count).
    pub attempts: u32,
    /// Dispatches so far (every attempt, those ended while STARTING included).
    pub dispatches: u32,
    /// A job replaying a history: its recorded attempts replayed to their recorded end so
    /// far (an attempt the simulation interrupts does not count; see
    /// [`crate::workload::RecordedAttempt`]).
    pub replayed: u8,
    /// Submission time.
    pub submitted_at: SimTime,
    /// First time RUNNABLE.
    pub runnable_at: Stamp,
    /// First dispatch.
    pub first_dispatch: Stamp,
    /// Last attempt's RUNNING time.
    pub started_at: Stamp,
    /// Terminal time.
    pub stopped_at: Stamp,
    /// The exit code of the last attempt that ended (`None` when it ended without one).
    pub exit_code: Option<i32>,
    /// Dollars of the attempts accounted so far, summed in the order they were accounted.
    pub cost: f64,
    /// Compute environment of the last attempt that reached RUNNING (the one `started_at`
    /// is from), or while none has, of the latest dispatch.
    pub last_ce: Option<CeId>,
    /// `statusReason`.
    pub status_reason: Option<Reason>,
    /// The current attempt, when STARTING or RUNNING (boxed: a queued job does not carry
    /// its 112 bytes).
    pub attempt: Option<Box<Attempt>>,
    /// The first attempt's plan, drawn at submission (same job, same runtime under any
    /// policy).
    pub first_plan: AttemptPlan,
    /// Dependencies not yet met.
    pub unmet: u32,
    /// Who waits on this job.
    pub waiters: Waiters,
    /// EC2: the launching instances this RUNNABLE job waits for.
    pub claim: Option<Box<Claim>>,
    /// When the job became its queue's head while RUNNABLE (jobStateTimeLimitActions).
    pub head_since: Stamp,
    /// Run time estimate for EASY backfilling: the timeout, or a trace's requested time.
    pub estimate: Estimate,
    /// EASY: the start time first reserved for this job while it was its queue's head.
    pub reserved_at: Stamp,
}

/// The slab of live jobs.
#[derive(Clone, Debug, Default)]
pub struct JobTable {
    slots: Vec<Option<Job>>,
    free: Vec<u32>,
    live: usize,
    /// Boxes of ended attempts, for the next ones (no allocation per dispatch): the boxes
    /// themselves are what is kept, so `Vec<Attempt>` would not do.
    #[allow(clippy::vec_box)]
    spare: Vec<Box<Attempt>>,
}

impl JobTable {
    /// Stores a job; returns its slot.
    pub fn insert(&mut self, job: Job) -> JobSlot {
        self.live += 1;
        match self.free.pop() {
            Some(i) => {
                self.slots[i as usize] = Some(job);
                JobSlot(i)
            }
            None => {
                self.slots.push(Some(job));
                JobSlot(self.slots.len() as u32 - 1)
            }
        }
    }

    /// `a` in a box, reusing the box of an ended attempt when there is one.
    pub fn boxed(&mut self, a: Attempt) -> Box<Attempt> {
        match self.spare.pop() {
            Some(mut b) => {
                *b = a;
                b
            }
            None => Box::new(a),
        }
    }

    /// Keeps an ended attempt's box for [`JobTable::boxed`] (at most one per live job).
    pub fn recycle(&mut self, b: Box<Attempt>) {
        if self.spare.len() < self.live.max(16) {
            self.spare.push(b);
        }
    }

    /// Frees a slot, dropping its job in place.
    pub fn free(&mut self, slot: JobSlot) {
        if let Some(s) = self.slots.get_mut(slot.0 as usize) {
            if s.is_some() {
                // Assigning drops the job where it lies.
                *s = None;
                self.free.push(slot.0);
                self.live -= 1;
            }
        }
    }

    /// The job in a slot.
    pub fn get(&self, slot: JobSlot) -> Option<&Job> {
        self.slots.get(slot.0 as usize)?.as_ref()
    }

    /// The job in a slot, mutably.
    pub fn get_mut(&mut self, slot: JobSlot) -> Option<&mut Job> {
        self.slots.get_mut(slot.0 as usize)?.as_mut()
    }

    /// The job in `slot`, which the caller knows to be live (a job on its way through its
    /// states: the event or call that got here was checked for it). Debug builds assert the
    /// invariant; release builds give `None`, and the caller does nothing.
    #[inline]
    #[track_caller]
    pub fn live(&self, slot: JobSlot) -> Option<&Job> {
        let job = self.get(slot);
        debug_assert!(job.is_some(), "job slot {} is not live", slot.0);
        job
    }

    /// [`JobTable::live`], mutably.
    #[inline]
    #[track_caller]
    pub fn live_mut(&mut self, slot: JobSlot) -> Option<&mut Job> {
        let live = self.get(slot).is_some();
        debug_assert!(live, "job slot {} is not live", slot.0);
        self.get_mut(slot)
    }

    /// The job in `slot` if it is still job `id` (slots are reused).
    pub fn get_if(&self, slot: JobSlot, id: JobId) -> Option<&Job> {
        self.get(slot).filter(|j| j.id == id)
    }

    /// Every live job with its slot, in slot order.
    pub fn iter(&self) -> impl Iterator<Item = (JobSlot, &Job)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, j)| j.as_ref().map(|j| (JobSlot(i as u32), j)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stamp_is_an_option_in_half_the_room() {
        assert_eq!(std::mem::size_of::<Stamp>(), 8);
        let mut s = Stamp::NONE;
        assert_eq!(s.get(), None);
        s.set_if_none(SimTime::from_millis(5));
        s.set_if_none(SimTime::from_millis(9));
        assert_eq!(s.get(), Some(SimTime::from_millis(5)), "the first time stays");
        s.set(SimTime::ZERO);
        assert_eq!(s.get(), Some(SimTime::ZERO), "time zero is a time");
        s.clear();
        assert!(s.is_none());
        s.set(SimTime::MAX);
        assert_eq!(
            s.get(),
            Some(SimTime::from_millis(u64::MAX - 1)),
            "the last millisecond is a time"
        );
    }

    /// What a queued job costs in the job table (issue 13 asks for at most 96 bytes with its
    /// RUNNABLE entry; this keeps the figure from growing unnoticed).
    #[test]
    fn a_job_record_stays_small() {
        assert!(
            std::mem::size_of::<Option<Job>>() <= 224,
            "{}",
            std::mem::size_of::<Option<Job>>()
        );
    }
}
