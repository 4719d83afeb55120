//! The reservation rule: how much of a compute environment a fair-share queue leaves free
//! for share identifiers that have no job yet.
//!
//! AWS's rule is the scheduling policy's `computeReservation` (API reference,
//! FairsharePolicy): "The reserved ratio is
//! `(computeReservation/100)^ActiveFairShares` where `ActiveFairShares` is the number of
//! active share identifiers. For example, a `computeReservation` value of 50 indicates that
//! Batch reserves 50% of the maximum available vCPU if there's only one share identifier. It
//! reserves 25% if there are two share identifiers. It reserves 12.5% if there are three
//! share identifiers." The built-in [`AwsReservation`] is that rule as an ordinary
//! implementation of [`ReservationRule`]; the engine matches it statically.
//!
//! A custom rule is installed per queue with [`crate::Simulation::set_reservation_rule`] and
//! is asked at every placement attempt of the queue (also when backfilling, and for a
//! claimed job's READY room), with the queue's vCPUs on the compute environment, the job's
//! and the policy's setting.
//!
//! ```
//! use batchsim::model::{CeId, QueueId};
//! use batchsim::policy::{AwsReservation, ReservationAsk, ReservationRule};
//!
//! // computeReservation 50 on a 100-vCPU compute environment, one active share: 50 vCPUs
//! // are kept back, so the queue may hold 50.
//! let ask = |held_vcpus: u64| ReservationAsk {
//!     queue: QueueId(0), ce: CeId(0), compute_reservation: 50, active_shares: 1,
//!     max_vcpus: 100, held_millivcpus: held_vcpus * 1000, job_millivcpus: 1000,
//! };
//! assert!(AwsReservation.allows(&ask(49)), "49 + 1 = 50 vCPUs: within the limit");
//! assert!(!AwsReservation.allows(&ask(50)), "50 + 1 = 51 vCPUs: into the reserve");
//! ```

use crate::model::{CeId, QueueId};

/// The question put to a [`ReservationRule`]: may `queue` place a job needing
/// `job_millivcpus` on `ce` now?
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReservationAsk {
    /// The queue asking.
    pub queue: QueueId,
    /// The compute environment.
    pub ce: CeId,
    /// The queue's scheduling policy's `computeReservation` now (0 to 99; 0 on a queue
    /// without a fair-share policy).
    pub compute_reservation: u32,
    /// The queue's active share identifiers now: a share is active while it has a job
    /// SUBMITTED..RUNNING in the queue and until its decay period has passed after its last
    /// job ended ("After the period of time for decay expires, a share identifier is
    /// considered inactive", User Guide, fair-share scheduling).
    pub active_shares: usize,
    /// The compute environment's `maxvCpus` now.
    pub max_vcpus: u32,
    /// milli-vCPUs the queue's attempts (and claims) hold on `ce` now, without the job.
    pub held_millivcpus: u64,
    /// milli-vCPUs the job would add (0 for a claimed job moving to room on the compute
    /// environment it already counts on).
    pub job_millivcpus: u32,
}

/// Decides whether a queue keeps part of a compute environment free.
///
/// Asked at every placement attempt: keep no state that assumes the job was placed. A queue
/// the rule holds back is asked again when capacity changes (an attempt ends, an instance
/// is READY, a setting changes) or one of its lingering shares goes inactive. Must be
/// deterministic.
pub trait ReservationRule: Send {
    /// Whether `ask.queue` may place the job on `ask.ce` now.
    fn allows(&mut self, ask: &ReservationAsk) -> bool;

    /// A copy for a copy of the simulation; `None` (the default) shares this one (exact only
    /// for a rule without state).
    fn clone_box(&self) -> Option<Box<dyn ReservationRule>> {
        None
    }
}

impl super::Forkable for dyn ReservationRule {
    fn fork_box(&self) -> Option<Box<Self>> {
        self.clone_box()
    }
}

/// AWS's `computeReservation`: the queue's vCPUs on the compute environment, with the job,
/// stay within `maxvCpus x (1 - (computeReservation/100)^ActiveFairShares)`; a setting of 0
/// reserves nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AwsReservation;

impl AwsReservation {
    /// The rule as a plain function (what the engine computes on its own path).
    #[inline]
    pub(crate) fn allows_with(
        compute_reservation: u32,
        active_shares: usize,
        max_vcpus: u32,
        held_millivcpus: u64,
        job_millivcpus: u32,
    ) -> bool {
        if compute_reservation == 0 {
            return true;
        }
        let active = i32::try_from(active_shares).unwrap_or(i32::MAX);
        let limit = f64::from(max_vcpus) * 1000.0 * (1.0 - (f64::from(compute_reservation) / 100.0).powi(active));
        (held_millivcpus + u64::from(job_millivcpus)) as f64 <= limit + 1e-9
    }
}

impl ReservationRule for AwsReservation {
    fn allows(&mut self, ask: &ReservationAsk) -> bool {
        AwsReservation::allows_with(
            ask.compute_reservation,
            ask.active_shares,
            ask.max_vcpus,
            ask.held_millivcpus,
            ask.job_millivcpus,
        )
    }

    fn clone_box(&self) -> Option<Box<dyn ReservationRule>> {
        Some(Box::new(*self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The most vCPUs (in whole vCPUs) `AwsReservation` lets a queue hold on a 1,000-vCPU
    /// compute environment, adding 1-vCPU jobs one by one (the compute environment's own
    /// room, checked elsewhere, stops at 1,000).
    fn usable(compute_reservation: u32, active_shares: usize) -> u64 {
        let mut held = 0;
        while held < 1000
            && AwsReservation.allows(&ReservationAsk {
                queue: QueueId(0),
                ce: CeId(0),
                compute_reservation,
                active_shares,
                max_vcpus: 1000,
                held_millivcpus: held * 1000,
                job_millivcpus: 1000,
            })
        {
            held += 1;
        }
        held
    }

    /// AWS's own examples (API reference, FairsharePolicy, `computeReservation`): "a
    /// `computeReservation` value of 50 indicates that Batch reserves 50% of the maximum
    /// available vCPU if there's only one share identifier. It reserves 25% if there are two
    /// share identifiers. It reserves 12.5% if there are three share identifiers. A
    /// `computeReservation` value of 25 indicates that Batch should reserve 25% ... if
    /// there's only one share identifier, 6.25% if there are two fair share identifiers, and
    /// 1.56% if there are three share identifiers."
    #[test]
    fn the_reserve_is_the_documented_share_of_max_vcpus() {
        assert_eq!(usable(50, 1), 500, "50% reserved");
        assert_eq!(usable(50, 2), 750, "25% reserved");
        assert_eq!(usable(50, 3), 875, "12.5% reserved");
        assert_eq!(usable(25, 1), 750, "25% reserved");
        assert_eq!(usable(25, 2), 937, "6.25% reserved: 937.5 usable, whole jobs");
        assert_eq!(usable(25, 3), 984, "1.5625% reserved: 984.375 usable");
        assert_eq!(usable(0, 1), 1000, "0 reserves nothing");
        // No active share (the first job of the first share is being placed): (c/100)^0 = 1,
        // everything reserved, as the formula reads; the engine counts the job's own share
        // as active from its submission, so a placement always sees at least one.
        assert_eq!(usable(50, 0), 0);
    }

    #[test]
    fn a_claimed_job_adds_nothing_where_it_already_counts() {
        let ask = ReservationAsk {
            queue: QueueId(0),
            ce: CeId(0),
            compute_reservation: 50,
            active_shares: 1,
            max_vcpus: 10,
            held_millivcpus: 5000,
            job_millivcpus: 0,
        };
        assert!(AwsReservation.allows(&ask), "at the limit, nothing added");
        assert!(!AwsReservation.allows(&ReservationAsk {
            job_millivcpus: 1,
            ..ask
        }));
    }
}
