//! The RUNNABLE jobs of one queue, grouped by share, with each share's usage.

use crate::model::{JobId, Resources};
use crate::time::{SimDuration, SimTime};
use std::collections::{BTreeMap, BTreeSet};

/// A RUNNABLE job as a policy sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct QueuedJob {
    /// The job's id; its submission order is the id order.
    pub id: JobId,
    /// `shareIdentifier` (empty on FIFO queues).
    pub share_identifier: String,
    /// `schedulingPriority` (or `schedulingPriorityOverride`): higher first inside a share.
    pub scheduling_priority: u32,
    /// What the job needs.
    pub resources: Resources,
    /// The engine's handle of the job (0 for jobs made outside the engine).
    pub(crate) slot: u32,
}

impl QueuedJob {
    /// A job without a share and with priority 0.
    pub fn new(id: JobId, resources: Resources) -> QueuedJob {
        QueuedJob {
            id,
            share_identifier: String::new(),
            scheduling_priority: 0,
            resources,
            slot: 0,
        }
    }

    /// The same job in share `share` with priority `priority`.
    pub fn in_share(mut self, share: &str, priority: u32) -> QueuedJob {
        self.share_identifier = share.to_owned();
        self.scheduling_priority = priority;
        self
    }
}

/// Order inside a share: higher priority first, then submission order.
type JobOrder = (std::cmp::Reverse<u32>, JobId);

#[derive(Clone, Debug, Default)]
struct Share {
    identifier: String,
    jobs: BTreeMap<JobOrder, QueuedJob>,
    /// vCPUs (milli) held now by the share's dispatched attempts.
    held_millivcpus: u64,
    /// Decayed usage, scaled: H = scale(t) * g (see `RunnableSet` docs).
    g: f64,
    /// e^((last - base)/D) at the share's last usage change.
    e_last: f64,
}

/// The RUNNABLE jobs of one queue, grouped by share, plus each share's usage: `R`, the vCPUs
/// its attempts hold now, and `H`, its past vCPU-seconds decayed exponentially with time
/// constant `D`.
///
/// `H` is kept exactly and cheaply: with a base time `b`, each share stores
/// `G = H(t_last) * e^((t_last - b)/D)`-style scaled sums that change only when the share's
/// `R` changes; reading `H` at time `t` costs one multiplication per share and one `exp` per
/// read of the whole view.
#[derive(Clone, Debug)]
pub struct RunnableSet {
    decay_ms: Option<f64>,
    base: SimTime,
    shares: Vec<Share>,
    by_identifier: BTreeMap<String, usize>,
    nonempty: BTreeSet<usize>,
    where_is: BTreeMap<JobId, (usize, JobOrder)>,
}

impl RunnableSet {
    /// An empty set. `decay` is the fair-share decay time `D` (`None` tracks no `H`).
    pub fn new(decay: Option<SimDuration>) -> RunnableSet {
        RunnableSet {
            decay_ms: decay.map(|d| d.as_millis().max(1) as f64),
            base: SimTime::ZERO,
            shares: Vec::new(),
            by_identifier: BTreeMap::new(),
            nonempty: BTreeSet::new(),
            where_is: BTreeMap::new(),
        }
    }

    fn share_index(&mut self, identifier: &str) -> usize {
        if let Some(&i) = self.by_identifier.get(identifier) {
            return i;
        }
        let i = self.shares.len();
        self.shares.push(Share {
            identifier: identifier.to_owned(),
            e_last: 1.0,
            ..Share::default()
        });
        self.by_identifier.insert(identifier.to_owned(), i);
        i
    }

    /// Adds a RUNNABLE job.
    pub fn insert(&mut self, job: QueuedJob) {
        let s = self.share_index(&job.share_identifier);
        let order = (std::cmp::Reverse(job.scheduling_priority), job.id);
        self.where_is.insert(job.id, (s, order));
        self.shares[s].jobs.insert(order, job);
        self.nonempty.insert(s);
    }

    /// Removes a job (dispatched or cancelled); returns it if it was here.
    pub fn remove(&mut self, id: JobId) -> Option<QueuedJob> {
        let (s, order) = self.where_is.remove(&id)?;
        let share = &mut self.shares[s];
        let job = share.jobs.remove(&order);
        if share.jobs.is_empty() {
            self.nonempty.remove(&s);
        }
        job
    }

    /// True when the job is RUNNABLE here.
    pub fn contains(&self, id: JobId) -> bool {
        self.where_is.contains_key(&id)
    }

    /// The job with this id, if RUNNABLE here.
    pub fn get(&self, id: JobId) -> Option<&QueuedJob> {
        let (s, order) = self.where_is.get(&id)?;
        self.shares[*s].jobs.get(order)
    }

    /// Number of RUNNABLE jobs.
    pub fn len(&self) -> usize {
        self.where_is.len()
    }

    /// True when no job is RUNNABLE.
    pub fn is_empty(&self) -> bool {
        self.where_is.is_empty()
    }

    /// Number of shares that have RUNNABLE jobs.
    pub fn shares_with_jobs(&self) -> usize {
        self.nonempty.len()
    }

    fn scale_at(&self, t: SimTime) -> f64 {
        match self.decay_ms {
            Some(d) => ((t.as_millis() as f64 - self.base.as_millis() as f64) / d).exp(),
            None => 1.0,
        }
    }

    /// Moves the base time to `t` when the scaled sums grow large (keeps them finite).
    fn rebase(&mut self, t: SimTime) {
        let Some(d) = self.decay_ms else { return };
        let elapsed = t.as_millis().saturating_sub(self.base.as_millis()) as f64;
        if elapsed / d < 50.0 {
            return;
        }
        let f = (-elapsed / d).exp();
        for s in &mut self.shares {
            s.g *= f;
            s.e_last *= f;
        }
        self.base = t;
    }

    /// Changes share `identifier`'s held vCPUs by `delta_millivcpus` at time `t` (an attempt
    /// dispatched: positive; ended: negative).
    pub fn add_held(&mut self, identifier: &str, delta_millivcpus: i64, t: SimTime) {
        self.rebase(t);
        let e_t = self.scale_at(t);
        let decay = self.decay_ms;
        let s = self.share_index(identifier);
        let share = &mut self.shares[s];
        if let Some(d) = decay {
            // G accumulates R * D * (e_t - e_last) in the base's scale: the exact integral of
            // a constant R decayed with time constant D, in vCPU-milliseconds.
            share.g += share.held_millivcpus as f64 / 1000.0 * d * (e_t - share.e_last);
        }
        share.e_last = e_t;
        share.held_millivcpus = share.held_millivcpus.saturating_add_signed(delta_millivcpus);
    }

    /// Changes the decay time `D` at `now` (the queue was given another scheduling policy):
    /// each share keeps its `H` at `now`, which decays with the new `D` from then on.
    pub fn set_decay(&mut self, decay: Option<SimDuration>, now: SimTime) {
        let new = decay.map(|d| d.as_millis().max(1) as f64);
        if new == self.decay_ms {
            return;
        }
        let inv_scale = 1.0 / self.scale_at(now);
        for s in &mut self.shares {
            // H(now) in vCPU-milliseconds, as `ShareView::decayed_usage_per_decay` reads it.
            s.g = match self.decay_ms {
                Some(d) => s.g * inv_scale + s.held_millivcpus as f64 / 1000.0 * d * (1.0 - s.e_last * inv_scale),
                None => 0.0,
            };
            s.e_last = 1.0;
        }
        self.base = now;
        self.decay_ms = new;
    }

    /// The read-only view a policy picks from, at time `now`.
    pub fn view(&self, now: SimTime) -> QueueView<'_> {
        let inv_scale = 1.0 / self.scale_at(now);
        QueueView {
            set: self,
            now,
            inv_scale,
        }
    }
}

/// A read-only view of one queue's RUNNABLE jobs at one instant.
pub struct QueueView<'a> {
    set: &'a RunnableSet,
    now: SimTime,
    inv_scale: f64,
}

impl<'a> QueueView<'a> {
    /// The instant of the view.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Number of RUNNABLE jobs.
    pub fn len(&self) -> usize {
        self.set.len()
    }

    /// True when no job is RUNNABLE.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    /// The shares that have RUNNABLE jobs, in the order they first appeared in the queue.
    pub fn shares(&self) -> impl Iterator<Item = ShareView<'a>> + '_ {
        self.set.nonempty.iter().map(move |&i| self.share_view(i))
    }

    /// One share by identifier (also when it has no RUNNABLE job but has usage).
    pub fn share(&self, identifier: &str) -> Option<ShareView<'a>> {
        self.set.by_identifier.get(identifier).map(|&i| self.share_view(i))
    }

    fn share_view(&self, i: usize) -> ShareView<'a> {
        ShareView {
            share: &self.set.shares[i],
            view_scale: self.inv_scale,
            decay_ms: self.set.decay_ms,
        }
    }

    /// Every RUNNABLE job, across shares, in submission order.
    pub fn jobs_in_submission_order(&self) -> impl Iterator<Item = &'a QueuedJob> + 'a {
        let set = self.set;
        set.where_is
            .values()
            .filter_map(move |(s, o)| set.shares[*s].jobs.get(o))
    }
}

/// One share of a [`QueueView`].
#[derive(Clone, Copy)]
pub struct ShareView<'a> {
    share: &'a Share,
    view_scale: f64,
    decay_ms: Option<f64>,
}

impl<'a> ShareView<'a> {
    /// `shareIdentifier` (empty on FIFO queues).
    pub fn identifier(&self) -> &'a str {
        &self.share.identifier
    }

    /// The share's first job: highest priority, then earliest submission.
    pub fn head(&self) -> Option<&'a QueuedJob> {
        self.share.jobs.values().next()
    }

    /// The share's RUNNABLE jobs in the share's order.
    pub fn jobs(&self) -> impl Iterator<Item = &'a QueuedJob> + 'a {
        self.share.jobs.values()
    }

    /// Number of RUNNABLE jobs in the share.
    pub fn runnable(&self) -> usize {
        self.share.jobs.len()
    }

    /// `R`: vCPUs held now by the share's dispatched attempts.
    pub fn vcpus_held(&self) -> f64 {
        self.share.held_millivcpus as f64 / 1000.0
    }

    /// `H / D`: the share's decayed past usage divided by the decay time, in vCPUs (0 when
    /// the set tracks no decay). Fair share ranks shares by `weight x (R + H/D)`.
    pub fn decayed_usage_per_decay(&self) -> f64 {
        let Some(d) = self.decay_ms else { return 0.0 };
        let r = self.vcpus_held();
        // H(now) = (G + R*D*(e_now - e_last)) / e_now, with view_scale = 1/e_now.
        (self.share.g * self.view_scale + r * d * (1.0 - self.share.e_last * self.view_scale)) / d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(n: u64, share: &str, prio: u32) -> QueuedJob {
        QueuedJob::new(JobId::new(n), Resources::new(1.0, 2048)).in_share(share, prio)
    }

    #[test]
    fn share_order_is_priority_then_submission() {
        let mut set = RunnableSet::new(None);
        set.insert(job(1, "a", 0));
        set.insert(job(2, "a", 5));
        set.insert(job(3, "a", 5));
        let view = set.view(SimTime::ZERO);
        let ids: Vec<u64> = view.share("a").unwrap().jobs().map(|j| j.id.submission).collect();
        assert_eq!(ids, [2, 3, 1]);
        assert_eq!(set.remove(JobId::new(2)).map(|j| j.id.submission), Some(2));
        assert_eq!(set.remove(JobId::new(2)), None);
        assert_eq!(set.len(), 2);
    }

    #[test]
    fn decayed_usage_matches_the_closed_form() {
        let d = 600.0;
        let mut set = RunnableSet::new(Some(SimDuration::from_secs(600)));
        // 4 vCPUs held for 300 s, then released; read 600 s later.
        set.add_held("a", 4000, SimTime::ZERO);
        set.add_held("a", -4000, SimTime::from_millis(300_000));
        let h_at_300 = 4.0 * d * (1.0 - (-300.0f64 / d).exp());
        let want = h_at_300 * (-600.0f64 / d).exp() / d;
        let got = set
            .view(SimTime::from_millis(900_000))
            .share("a")
            .unwrap()
            .decayed_usage_per_decay();
        assert!((got - want).abs() < 1e-9 * want.max(1.0), "got {got}, want {want}");
        // While held, H/D approaches R.
        set.add_held("b", 2000, SimTime::from_millis(900_000));
        let long = set.view(SimTime::from_millis(900_000 + 100 * 600_000));
        let hb = long.share("b").unwrap().decayed_usage_per_decay();
        assert!((hb - 2.0).abs() < 1e-9, "{hb}");
    }

    #[test]
    fn a_new_decay_time_keeps_h_and_decays_it_from_then_on() {
        let (d1, d2): (f64, f64) = (600.0, 6000.0);
        let mut set = RunnableSet::new(Some(SimDuration::from_secs(600)));
        // 2 vCPUs held from 0 on; at 300 s the decay time becomes 6000 s.
        set.add_held("a", 2000, SimTime::ZERO);
        let h_300 = 2.0 * d1 * (1.0 - (-300.0 / d1).exp());
        set.set_decay(Some(SimDuration::from_secs(6000)), SimTime::from_millis(300_000));
        // 900 s later: the old H decayed with D2 plus 900 s of 2 vCPUs decayed with D2.
        let h_1200 = h_300 * (-900.0 / d2).exp() + 2.0 * d2 * (1.0 - (-900.0 / d2).exp());
        let got = set
            .view(SimTime::from_millis(1_200_000))
            .share("a")
            .unwrap()
            .decayed_usage_per_decay();
        assert!((got - h_1200 / d2).abs() < 1e-9, "got {got}, want {}", h_1200 / d2);
        // Same decay again: nothing changes.
        set.set_decay(Some(SimDuration::from_secs(6000)), SimTime::from_millis(1_200_000));
        let again = set
            .view(SimTime::from_millis(1_200_000))
            .share("a")
            .unwrap()
            .decayed_usage_per_decay();
        assert!((again - got).abs() < 1e-12);
    }

    #[test]
    fn rebasing_keeps_values() {
        let mut set = RunnableSet::new(Some(SimDuration::from_secs(1)));
        set.add_held("a", 1000, SimTime::ZERO);
        for k in 1..200u64 {
            // Touch the set often so that it rebases many times.
            set.add_held("z", 0, SimTime::from_millis(k * 10_000));
        }
        let v = set.view(SimTime::from_millis(2_000_000));
        let h = v.share("a").unwrap().decayed_usage_per_decay();
        assert!((h - 1.0).abs() < 1e-9, "{h}");
        assert!(h.is_finite());
    }
}
