//! Backfilling: which jobs behind a blocked head may start (CONTRACT sections 2.2 and 7.8;
//! AWS Batch itself does not backfill, so these are policy experiments).
//!
//! When a queue's head cannot be placed, the engine offers the queue's later RUNNABLE jobs
//! in submission order, each with where it would go now; a [`BackfillPolicy`] says yes or
//! no. A policy that [`BackfillPolicy::reserves`] gets the head's reservation (EASY's
//! *shadow time*, the earliest the head could start on one bin, and the *extra* room free
//! then beyond the head's need) and may take room from it.
//!
//! ```
//! use batchsim::model::CeId;
//! use batchsim::policy::{BackfillCandidate, BackfillPolicy, Easy, HeadReservation};
//! use batchsim::{JobId, Resources, SimDuration, SimTime};
//!
//! // The head may start at t=100 s on the Fargate compute environment, with 1 vCPU to spare.
//! let mut reservation = HeadReservation {
//!     head: JobId::new(1), ce: CeId(0), instance: None, shadow: SimTime::from_millis(100_000),
//!     extra_millivcpus: 1000, extra_memory_mib: u64::MAX / 4, extra_gpus: u64::MAX / 4,
//! };
//! let candidate = |n, secs| BackfillCandidate {
//!     id: JobId::new(n), resources: Resources::new(1.0, 2048),
//!     estimate: Some(SimDuration::from_secs(secs)), ce: CeId(0), instance: None,
//!     new_instance: false, running_at: SimTime::ZERO,
//! };
//! // Ends by the shadow time: starts, whatever its size.
//! assert!(Easy.admit(&candidate(2, 50), Some(&mut reservation)));
//! // Ends later: only in the extra room, which it then takes.
//! assert!(Easy.admit(&candidate(3, 500), Some(&mut reservation)));
//! assert!(!Easy.admit(&candidate(4, 500), Some(&mut reservation)), "no extra room left");
//! ```

use super::InstanceId;
use crate::model::{CeId, JobId, Resources};
use crate::time::{SimDuration, SimTime};

/// The blocked head's reservation (EASY).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeadReservation {
    /// The head.
    pub head: JobId,
    /// The compute environment of the bin.
    pub ce: CeId,
    /// The instance of the bin (`None`: the bin is a Fargate compute environment, where
    /// only vCPUs count).
    pub instance: Option<InstanceId>,
    /// The shadow time: when the head could start there, by the running attempts'
    /// estimates.
    pub shadow: SimTime,
    /// Room free at the shadow time beyond the head's need: milli-vCPUs.
    pub extra_millivcpus: u64,
    /// ... MiB.
    pub extra_memory_mib: u64,
    /// ... GPUs.
    pub extra_gpus: u64,
}

impl HeadReservation {
    /// Whether a job needing `r` fits the extra room (vCPUs only on a Fargate bin).
    pub fn extra_holds(&self, r: &Resources) -> bool {
        let fargate = self.instance.is_none();
        self.extra_millivcpus >= u64::from(r.millivcpus)
            && (fargate || (self.extra_memory_mib >= u64::from(r.memory_mib) && self.extra_gpus >= u64::from(r.gpus)))
    }

    /// Takes a job's room from the extra room (which must hold it).
    pub fn take_extra(&mut self, r: &Resources) {
        self.extra_millivcpus = self.extra_millivcpus.saturating_sub(u64::from(r.millivcpus));
        if self.instance.is_some() {
            self.extra_memory_mib = self.extra_memory_mib.saturating_sub(u64::from(r.memory_mib));
            self.extra_gpus = self.extra_gpus.saturating_sub(u64::from(r.gpus));
        }
    }

    /// Whether a candidate placed now lands on the reservation's bin.
    pub fn same_bin(&self, c: &BackfillCandidate) -> bool {
        !c.new_instance && c.ce == self.ce && c.instance == self.instance
    }
}

/// A later job of the queue that could start now, and where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BackfillCandidate {
    /// The job.
    pub id: JobId,
    /// What it needs.
    pub resources: Resources,
    /// Its run-time estimate (the timeout, or a trace's requested time), if any.
    pub estimate: Option<SimDuration>,
    /// Where it would go.
    pub ce: CeId,
    /// The instance it would go to (`None` on Fargate or with `new_instance`).
    pub instance: Option<InstanceId>,
    /// It would go to an instance launched for it.
    pub new_instance: bool,
    /// When it would reach RUNNING (startup, and a launch if the instance is not ready).
    pub running_at: SimTime,
}

/// Says which jobs behind a blocked head start. Must be deterministic.
pub trait BackfillPolicy: Send {
    /// Whether the head gets a reservation ([`HeadReservation`]) before candidates are
    /// offered; when the engine can compute none (no live bin holds the head, or a running
    /// attempt there has no estimate), nothing is backfilled. A head no compute environment
    /// could ever run (the `MISCONFIGURATION` reasons) gets no reservation and candidates
    /// are offered with `None`: there is no start for them to delay.
    fn reserves(&self) -> bool {
        false
    }

    /// Whether `candidate` starts now. `reservation` is the head's when [`Self::reserves`];
    /// take room from it for a job that would still hold room at the shadow time. A job
    /// refused here is offered again on the queue's next compute environment that could
    /// place it (without a custom placement), so one job may be asked about more than once.
    fn admit(&mut self, candidate: &BackfillCandidate, reservation: Option<&mut HeadReservation>) -> bool;

    /// A copy for a copy of the simulation; `None` (the default) shares this one (exact only
    /// for a decision without state).
    fn clone_box(&self) -> Option<Box<dyn BackfillPolicy>> {
        None
    }
}

impl super::Forkable for dyn BackfillPolicy {
    fn fork_box(&self) -> Option<Box<Self>> {
        self.clone_box()
    }
}

/// `greedy`: any later job that fits starts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Greedy;

impl BackfillPolicy for Greedy {
    fn admit(&mut self, _: &BackfillCandidate, _: Option<&mut HeadReservation>) -> bool {
        true
    }

    fn clone_box(&self) -> Option<Box<dyn BackfillPolicy>> {
        Some(Box::new(*self))
    }
}

/// `easy` (EASY backfilling): a job with an estimate starts if it lands off the head's bin,
/// or ends (by its estimate, counted from RUNNING) by the shadow time, or fits the extra
/// room (which it then takes). A job without an estimate never starts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Easy;

impl BackfillPolicy for Easy {
    fn reserves(&self) -> bool {
        true
    }

    fn admit(&mut self, c: &BackfillCandidate, reservation: Option<&mut HeadReservation>) -> bool {
        let Some(estimate) = c.estimate else {
            return false;
        };
        let Some(res) = reservation else { return true };
        if !res.same_bin(c) || c.running_at + estimate <= res.shadow {
            return true;
        }
        if !res.extra_holds(&c.resources) {
            return false;
        }
        res.take_extra(&c.resources);
        true
    }

    fn clone_box(&self) -> Option<Box<dyn BackfillPolicy>> {
        Some(Box::new(*self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn easy_on_an_instance_counts_memory_and_ignores_other_bins() {
        let mut res = HeadReservation {
            head: JobId::new(1),
            ce: CeId(0),
            instance: Some(InstanceId(3)),
            shadow: SimTime::from_millis(10_000),
            extra_millivcpus: 2000,
            extra_memory_mib: 1024,
            extra_gpus: 0,
        };
        let mut c = BackfillCandidate {
            id: JobId::new(2),
            resources: Resources::new(1.0, 2048),
            estimate: Some(SimDuration::from_secs(60)),
            ce: CeId(0),
            instance: Some(InstanceId(3)),
            new_instance: false,
            running_at: SimTime::ZERO,
        };
        assert!(!Easy.admit(&c, Some(&mut res)), "2 GiB > 1 GiB extra on the instance");
        c.instance = Some(InstanceId(4));
        assert!(Easy.admit(&c, Some(&mut res)), "another instance: no limit");
        c.estimate = None;
        assert!(!Easy.admit(&c, Some(&mut res)), "no estimate, never");
        assert!(Greedy.admit(&c, Some(&mut res)));
        assert_eq!(res.extra_millivcpus, 2000, "nothing taken");
    }
}
