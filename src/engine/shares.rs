//! Fair share's active share identifiers per queue: `computeReservation`'s A and AWS's limit
//! of 500 active share identifiers (CONTRACT 7.7).
//!
//! A share is active while it has a job SUBMITTED..RUNNING in the queue, and stays active
//! until the decay period (`shareDecaySeconds`, 0 meaning 600) has passed after its last job
//! ended. AWS: "After the period of time for decay expires, a share identifier is considered
//! inactive." The expiry is computed when A is read (no event per share, so a run's
//! `endSeconds` does not move). Under AWS's `computeReservation` a share going inactive only
//! grows the reserve, so it runs no pass; a queue with a custom reservation rule (which may
//! read A any way) whose job was refused while a share lingers asks for one wake-up at the
//! next expiry.

use super::event::Event;
use super::jobs::JobSlot;
use super::queue::EventKey;
use super::Simulation;
use crate::model::QueueId;
use crate::time::{SimDuration, SimTime};
use std::collections::BTreeSet;

/// The active shares of one queue.
#[derive(Clone, Debug, Default)]
pub(crate) struct ActiveShares {
    /// Jobs SUBMITTED..RUNNING per share number.
    jobs: Vec<u64>,
    /// Per share number with no job: until when it stays active.
    idle_until: Vec<Option<SimTime>>,
    /// Shares with no job that are still counted: (expiry, share number).
    lingering: BTreeSet<(SimTime, usize)>,
    /// Shares with a job plus the lingering ones (expired ones included until purged).
    count: usize,
    /// How long a share stays active after its last job ended (`None`: not a fair-share
    /// queue; shares go inactive at once).
    decay: Option<SimDuration>,
    /// A wake-up event is pending for this time (with its key, to cancel it when the queue
    /// has no RUNNABLE job left for it to let through).
    wake_at: Option<(SimTime, EventKey)>,
}

impl ActiveShares {
    /// No share active yet; `decay` is the policy's `shareDecaySeconds` (fair-share queues).
    pub fn new(decay: Option<SimDuration>) -> ActiveShares {
        ActiveShares {
            decay,
            ..ActiveShares::default()
        }
    }

    /// A new policy's decay applies to shares that go idle from now on.
    pub fn set_decay(&mut self, decay: Option<SimDuration>) {
        self.decay = decay;
    }

    /// Drops the shares whose time ran out by `now`.
    fn purge(&mut self, now: SimTime) {
        while let Some(&(until, ix)) = self.lingering.first() {
            if until > now {
                break;
            }
            self.lingering.pop_first();
            if let Some(u) = self.idle_until.get_mut(ix) {
                *u = None;
            }
            self.count = self.count.saturating_sub(1);
        }
    }

    /// A job of share `ix` joined the queue (SUBMITTED). Returns whether a pending wake-up
    /// lost the expiry it was set for (the share was lingering and is active again, and no
    /// other share goes inactive then): see [`Simulation::share_back_before_expiry`].
    #[must_use]
    pub fn job_added(&mut self, ix: usize, now: SimTime) -> bool {
        self.purge(now);
        if self.jobs.len() <= ix {
            self.jobs.resize(ix + 1, 0);
            self.idle_until.resize(ix + 1, None);
        }
        self.jobs[ix] += 1;
        if self.jobs[ix] == 1 {
            match self.idle_until[ix].take() {
                Some(until) => {
                    self.lingering.remove(&(until, ix));
                    return self.wake_at.is_some_and(|(w, _)| w == until) && !self.expires_at(until);
                }
                None => self.count += 1,
            }
        }
        false
    }

    /// Whether a lingering share goes inactive at exactly `t`.
    fn expires_at(&self, t: SimTime) -> bool {
        self.lingering.range((t, 0)..=(t, usize::MAX)).next().is_some()
    }

    /// A job of share `ix` ended; returns whether the share became inactive at once (then
    /// `computeReservation`'s limit rose).
    pub fn job_ended(&mut self, ix: usize, now: SimTime) -> bool {
        self.purge(now);
        let Some(n) = self.jobs.get_mut(ix) else { return false };
        *n = n.saturating_sub(1);
        if *n > 0 {
            return false;
        }
        match self.decay.filter(|d| !d.is_zero()) {
            Some(d) => {
                let until = now + d;
                self.idle_until[ix] = Some(until);
                self.lingering.insert((until, ix));
                false
            }
            None => {
                self.count = self.count.saturating_sub(1);
                true
            }
        }
    }

    /// A: the shares active at `now`.
    pub fn count_at(&self, now: SimTime) -> usize {
        let expired = self.lingering.range(..=(now, usize::MAX)).count();
        self.count.saturating_sub(expired)
    }

    /// Whether share `ix` is active at `now`.
    pub fn is_active(&self, ix: usize, now: SimTime) -> bool {
        self.jobs.get(ix).is_some_and(|n| *n > 0) || self.idle_until.get(ix).is_some_and(|u| u.is_some_and(|t| t > now))
    }

    /// Whether a wake-up event is pending.
    pub fn has_wake(&self) -> bool {
        self.wake_at.is_some()
    }

    /// The next time a lingering share goes inactive, after `now`.
    fn next_expiry(&self, now: SimTime) -> Option<SimTime> {
        self.lingering.iter().map(|&(t, _)| t).find(|t| *t > now)
    }
}

impl Simulation {
    /// Queue `q` could not place the job in `blocked`: when a custom reservation rule reads
    /// the active shares and a share lingers, a dispatch pass is due when that share goes
    /// inactive, unless no compute environment could ever run that job. At most one
    /// wake-up is pending per queue.
    ///
    /// Not for AWS's `computeReservation`: it reserves `(c/100)^A` of `maxvCpus` ("It
    /// reserves 25% if there are two fair share identifiers. It reserves 12.5% if there are
    /// three", API model), so a share going inactive only grows the reserve and can let no
    /// job through. Such a pass placed nothing and, as the last event, set `endSeconds` and
    /// billed kept instances to it (a differential test: 4,305 s instead of 705).
    pub(super) fn wake_when_a_share_expires(&mut self, q: QueueId, blocked: JobSlot) {
        let now = self.kernel.now;
        let qr = &self.queues[q];
        if qr.reservation.0.is_none() {
            return;
        }
        let Some(at) = qr.active.next_expiry(now) else { return };
        if self.can_never_run(q, blocked) {
            return;
        }
        let qr = &self.queues[q];
        if qr.active.wake_at.is_some_and(|(w, _)| w <= at && w > now) {
            return;
        }
        self.schedule_share_wake(q, at);
    }

    /// Schedules queue `q`'s share-expiry wake-up at `at` and remembers it.
    fn schedule_share_wake(&mut self, q: QueueId, at: SimTime) {
        let key = self.kernel.schedule(at, Event::ShareExpiry { queue: q });
        self.queues[q].active.wake_at = Some((at, key));
    }

    /// Queue `q`'s last RUNNABLE job left: a pending share-expiry wake-up has nothing to let
    /// through, and is cancelled (a job that joins and cannot be placed schedules one
    /// again). Left pending, it would be the run's last event and stretch `endSeconds`
    /// (CONTRACT 7.2: "the time of the last event") past the last job, found by a
    /// differential test.
    pub(super) fn drop_share_wake(&mut self, q: QueueId) {
        if let Some((_, key)) = self.queues[q].active.wake_at.take() {
            self.kernel.events.cancel_pending(key);
        }
    }

    /// A lingering share of queue `q` is active again (a job of it joined) and the queue's
    /// pending wake-up was set for its expiry alone: that wake-up has nothing left to do
    /// (section 6: a pass runs when something changes, and at that instant nothing would),
    /// so it goes, and one is set for the next lingering share's expiry, if any, as the
    /// refused job would have asked for then. Left pending, it ran a pass that placed a job
    /// with no change to trigger it (the fair-share pick had drifted meanwhile), and as the
    /// run's last event it stretched `endSeconds` (CONTRACT 7.2): found by an independent
    /// implementation of sections 6 and 7.7 (`tests/data/differential/`).
    pub(super) fn share_back_before_expiry(&mut self, q: QueueId) {
        let now = self.kernel.now;
        self.drop_share_wake(q);
        if let Some(at) = self.queues[q].active.next_expiry(now) {
            self.schedule_share_wake(q, at);
        }
    }

    /// A lingering share of queue `q` went inactive: its queue looks again.
    pub(super) fn share_expiry(&mut self, q: QueueId) {
        let now = self.kernel.now;
        let qr = &mut self.queues[q];
        if qr.active.wake_at.is_some_and(|(w, _)| w == now) {
            qr.active.wake_at = None;
        }
        qr.active.purge(now);
        qr.stalled = false;
        self.dispatch_needed = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_share_stays_active_for_the_decay_period_after_its_last_job() {
        let t = |s: u64| SimTime::from_millis(s * 1000);
        let mut a = ActiveShares::new(Some(SimDuration::from_secs(600)));
        assert!(!a.job_added(0, t(0)));
        assert!(!a.job_added(1, t(0)));
        assert_eq!(a.count_at(t(0)), 2);
        assert!(!a.job_ended(0, t(100)));
        // Share 0 is active over [100, 700), inactive from 700.
        assert_eq!(a.count_at(t(699)), 2);
        assert!(a.is_active(0, t(699)));
        assert_eq!(a.count_at(t(700)), 1);
        assert!(!a.is_active(0, t(700)));
        // A new job before the expiry keeps it active without counting it twice.
        assert!(!a.job_added(0, t(500)));
        assert_eq!(a.count_at(t(800)), 2);
        assert_eq!(a.next_expiry(t(800)), None);
        let mut fifo = ActiveShares::new(None);
        assert!(!fifo.job_added(3, t(0)));
        assert!(fifo.job_ended(3, t(1)));
        assert_eq!(fifo.count_at(t(1)), 0);
    }
}
