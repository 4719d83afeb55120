//! The RUNNABLE jobs of one queue, grouped by share, with each share's usage.

use crate::model::{JobId, Resources};
use crate::time::{SimDuration, SimTime};
use std::collections::BTreeMap;
use std::sync::Arc;

use super::ordered::Ordered;

/// A RUNNABLE job as a policy sees it: 40 bytes, copied, no reference count (the RUNNABLE
/// set of a queue stores these alone, one per job: a million-job backlog is 40 MB here).
/// Its share is the [`ShareView`] it came from, or [`QueueView::share_of`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueuedJob {
    /// The job's id; its submission order is the id order.
    pub id: JobId,
    /// `schedulingPriority` (or `schedulingPriorityOverride`): higher first inside a share.
    pub scheduling_priority: u32,
    /// What the job needs.
    pub resources: Resources,
    /// The job's share's number in its set (given by the set at insertion).
    pub(crate) share: u32,
    /// The engine's handle of the job (0 for jobs made outside the engine; `u32::MAX` marks
    /// a removed entry inside the set).
    pub(crate) slot: u32,
}

impl QueuedJob {
    /// A job with priority 0 (its share is given when it is inserted:
    /// [`RunnableSet::insert_in_share`]).
    pub fn new(id: JobId, resources: Resources) -> QueuedJob {
        QueuedJob {
            id,
            scheduling_priority: 0,
            resources,
            share: 0,
            slot: 0,
        }
    }

    /// The same job with priority `priority`.
    pub fn with_priority(mut self, priority: u32) -> QueuedJob {
        self.scheduling_priority = priority;
        self
    }
}

/// Order inside a share: higher priority first, then submission order.
type JobOrder = (std::cmp::Reverse<u32>, JobId);

impl super::ordered::Entry for QueuedJob {
    type Key = JobOrder;
    #[inline]
    fn key(&self) -> JobOrder {
        (std::cmp::Reverse(self.scheduling_priority), self.id)
    }
    #[inline]
    fn is_dead(&self) -> bool {
        self.slot == u32::MAX
    }
    #[inline]
    fn kill(&mut self) {
        self.slot = u32::MAX;
    }
}

#[derive(Clone, Debug, Default)]
pub(super) struct Share {
    pub(super) identifier: Arc<str>,
    pub(super) jobs: Ordered<QueuedJob>,
    /// vCPUs (milli) held now by the share's dispatched attempts.
    held_millivcpus: u64,
}

/// The numbers fair share's score reads of one share, kept apart from the share's jobs and
/// name so that the pick's pass over the shares reads 24 contiguous bytes per share.
#[derive(Clone, Copy, Debug)]
pub(super) struct ShareUsage {
    /// `R` in vCPUs: `held_millivcpus / 1000`, updated with it where the set tracks decay.
    pub(super) r: f64,
    /// Decayed usage, scaled: H = scale(t) * g (see `RunnableSet` docs).
    pub(super) g: f64,
    /// e^((last - base)/D) at the share's last usage change.
    pub(super) e_last: f64,
}

/// Fair share's score of a share of weight `w` with usage `u` in a view of scale `vs`, decay
/// `d`: `w x (R + H/D)`. The one expression every pick uses (the full scan and
/// [`super::share_pick`]'s cached pick), so that they agree bit for bit.
#[inline(always)]
pub(super) fn share_score(w: f64, u: &ShareUsage, vs: f64, d: f64) -> f64 {
    on_grid(w * (u.r + decayed_per_decay(u.g, u.e_last, u.r, vs, d)))
}

/// Low bits of a score's mantissa rounded away by [`on_grid`].
const GRID_BITS: u32 = 16;

/// `s` rounded to the nearest of the numbers with 36 significant bits (a relative step of
/// 2^-36, about 1.5e-11), the grid on which fair share compares scores.
///
/// Two shares with the same history score the same in exact arithmetic, but their `H` is
/// summed from different updates (one share's job ended and the next started at one
/// instant, the other's ran on), and the two sums can differ in the last bit. The contract's
/// tie-break ("Ties: lexicographic share identifier") then never applies: the pick would
/// go to whichever sum happened to round down. On the grid such scores are equal (a few
/// ulps apart fall on one grid point unless they straddle a rounding boundary, about one
/// case in 10^3 to 10^4), and scores that differ by more than the grid's step keep their
/// order. Found by a differential test against an independent implementation.
#[inline(always)]
pub(crate) fn on_grid(s: f64) -> f64 {
    if !s.is_finite() {
        return s;
    }
    // Sign and magnitude: adding half a step to the magnitude's bits and clearing the low
    // bits rounds half away from zero; a carry moves into the exponent as it should.
    let half = 1u64 << (GRID_BITS - 1);
    f64::from_bits((s.to_bits() + half) & !((1u64 << GRID_BITS) - 1))
}

/// `H / D` at a view whose scale is `vs` (`1 / e_now`), for a share holding `r` vCPUs:
/// `H(now) = (G + R*D*(e_now - e_last)) / e_now`. The pick's scan and
/// [`ShareView::decayed_usage_per_decay`] both compute it here, so they agree bit for bit.
#[inline(always)]
fn decayed_per_decay(g: f64, e_last: f64, r: f64, vs: f64, d: f64) -> f64 {
    (g * vs + r * d * (1.0 - e_last * vs)) / d
}

impl Default for ShareUsage {
    fn default() -> Self {
        ShareUsage {
            r: 0.0,
            g: 0.0,
            e_last: 1.0,
        }
    }
}

/// The RUNNABLE jobs of one queue, grouped by share, plus each share's usage: `R`, the vCPUs
/// its attempts hold now, and `H`, its past vCPU-seconds decayed exponentially with time
/// constant `D`.
///
/// `H` is kept exactly and cheaply: with a base time `b`, each share stores
/// `G = H(t_last) * e^((t_last - b)/D)`-style scaled sums that change only when the share's
/// `R` changes; reading `H` at time `t` costs one multiplication per share and one `exp` per
/// read of the whole view.
#[derive(Debug)]
pub struct RunnableSet {
    /// Unique among the sets of the process (a clone gets a new one): policies cache
    /// per-share data by `(set id, share number)`.
    id: u64,
    pub(super) decay_ms: Option<f64>,
    base: SimTime,
    pub(super) shares: Vec<Share>,
    /// Each share's usage numbers, by share index (beside `shares`).
    pub(super) usage: Vec<ShareUsage>,
    by_identifier: BTreeMap<Arc<str>, usize>,
    /// Indices of the shares with RUNNABLE jobs, ascending (a short sorted vector: cheaper
    /// than a tree for the few shares a queue has at once).
    pub(super) nonempty: Vec<usize>,
    /// Changes every fair-share score at once (a new base time, a new decay time) since the
    /// set was made: a cached pick ([`super::share_pick`]) of another stamp starts afresh.
    pub(super) stamp: u64,
    /// The shares whose score or presence changed since the stamp (usage changed, first job
    /// in, last job out), in order, repeats allowed; at most [`TOUCH_LOG`] (then the stamp
    /// moves on instead).
    pub(super) touched: Vec<u32>,
    /// Number of RUNNABLE jobs.
    count: usize,
    /// Some job was inserted with a non-zero priority (then a share's order is not
    /// submission order).
    prioritized: bool,
    /// The share looked up last (most lookups repeat it).
    last: Option<usize>,
    /// Share numbers by the caller's key (the engine's run-wide share number): lookups
    /// without comparing names.
    by_key: Vec<u32>,
    /// The share number of key `u32::MAX` (no share), `u32::MAX` until it is known.
    unkeyed: u32,
}

/// The most share changes a set logs between two stamps (a cached pick reads them).
pub(super) const TOUCH_LOG: usize = 64;

/// Gives out [`RunnableSet`] ids.
static NEXT_SET_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

fn next_set_id() -> u64 {
    NEXT_SET_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl Clone for RunnableSet {
    fn clone(&self) -> Self {
        RunnableSet {
            id: next_set_id(),
            decay_ms: self.decay_ms,
            base: self.base,
            shares: self.shares.clone(),
            usage: self.usage.clone(),
            by_identifier: self.by_identifier.clone(),
            nonempty: self.nonempty.clone(),
            stamp: self.stamp,
            touched: self.touched.clone(),
            count: self.count,
            prioritized: self.prioritized,
            last: self.last,
            by_key: self.by_key.clone(),
            unkeyed: self.unkeyed,
        }
    }
}

impl RunnableSet {
    /// An empty set. `decay` is the fair-share decay time `D` (`None` tracks no `H`).
    pub fn new(decay: Option<SimDuration>) -> RunnableSet {
        RunnableSet {
            id: next_set_id(),
            decay_ms: decay.map(|d| d.as_millis().max(1) as f64),
            base: SimTime::ZERO,
            shares: Vec::new(),
            usage: Vec::new(),
            by_identifier: BTreeMap::new(),
            nonempty: Vec::new(),
            stamp: 0,
            touched: Vec::new(),
            count: 0,
            prioritized: false,
            last: None,
            by_key: Vec::new(),
            unkeyed: u32::MAX,
        }
    }

    /// The set's id (see the field).
    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    fn share_index(&mut self, identifier: &str) -> usize {
        self.share_index_with(identifier, None)
    }

    /// The share's index, created if new (keeping `owned`, the caller's `Arc`, so that later
    /// lookups with it compare addresses only).
    fn share_index_with(&mut self, identifier: &str, owned: Option<&Arc<str>>) -> usize {
        if let Some(i) = self.last {
            let known: &str = &self.shares[i].identifier;
            // The engine passes the same `Arc<str>` again and again: compare addresses first.
            if std::ptr::eq(known, identifier) || known == identifier {
                return i;
            }
        }
        let i = match self.by_identifier.get(identifier) {
            Some(&i) => i,
            None => {
                let i = self.shares.len();
                let id: Arc<str> = owned.cloned().unwrap_or_else(|| Arc::from(identifier));
                self.shares.push(Share {
                    identifier: id.clone(),
                    ..Share::default()
                });
                self.usage.push(ShareUsage::default());
                self.by_identifier.insert(id, i);
                i
            }
        };
        self.last = Some(i);
        i
    }

    /// Adds a RUNNABLE job without a share (FIFO queues).
    pub fn insert(&mut self, job: QueuedJob) {
        self.insert_in_share("", job);
    }

    /// Adds a RUNNABLE job of share `share`.
    pub fn insert_in_share(&mut self, share: &str, job: QueuedJob) {
        let s = self.share_index(share);
        self.insert_in(s, job);
    }

    /// Adds a RUNNABLE job of share `share`, which the caller numbers `key` (the same
    /// identifier always with the same key, `u32::MAX` for none): no lookup by name once the
    /// key is known. Returns the share's number in this set, for [`RunnableSet::remove_at`]
    /// and [`RunnableSet::add_held_at`].
    pub(crate) fn insert_keyed(&mut self, share: &Arc<str>, job: QueuedJob, key: u32) -> u32 {
        let known = self.by_key.get(key as usize).copied().filter(|&s| s != u32::MAX);
        let s = match known {
            Some(s) => s as usize,
            None => {
                let s = self.share_index_with(share, Some(share));
                if key == u32::MAX {
                    self.unkeyed = s as u32;
                } else {
                    if self.by_key.len() <= key as usize {
                        self.by_key.resize(key as usize + 1, u32::MAX);
                    }
                    self.by_key[key as usize] = s as u32;
                }
                s
            }
        };
        self.insert_in(s, job)
    }

    fn insert_in(&mut self, s: usize, mut job: QueuedJob) -> u32 {
        debug_assert!(job.slot != u32::MAX, "slot u32::MAX marks a removed entry");
        job.share = s as u32;
        self.prioritized |= job.scheduling_priority != 0;
        if self.shares[s].jobs.is_empty() {
            if let Err(at) = self.nonempty.binary_search(&s) {
                self.nonempty.insert(at, s);
            }
            self.touch(s);
        }
        if self.shares[s].jobs.insert(job).is_none() {
            self.count += 1;
        }
        s as u32
    }

    /// Removes a job whose share and priority are known (what the engine does): one lookup.
    pub fn remove_known(&mut self, share: &str, priority: u32, id: JobId) -> Option<QueuedJob> {
        let s = match self.last {
            Some(i)
                if std::ptr::eq::<str>(&*self.shares[i].identifier, share) || *self.shares[i].identifier == *share =>
            {
                i
            }
            _ => *self.by_identifier.get(share)?,
        };
        self.remove_at(s as u32, priority, id)
    }

    /// Removes a job of share number `share` (as [`RunnableSet::insert_keyed`] returned it).
    pub(crate) fn remove_at(&mut self, share: u32, priority: u32, id: JobId) -> Option<QueuedJob> {
        let s = share as usize;
        let sh = self.shares.get_mut(s)?;
        let job = sh.jobs.remove(&(std::cmp::Reverse(priority), id))?;
        self.count -= 1;
        if sh.jobs.is_empty() {
            if let Ok(at) = self.nonempty.binary_search(&s) {
                self.nonempty.remove(at);
            }
            self.touch(s);
        }
        Some(job)
    }

    /// Removes a job by id alone (dispatched or cancelled); returns it if it was here. Looks
    /// through the shares: prefer [`RunnableSet::remove_known`] when the share is known.
    pub fn remove(&mut self, id: JobId) -> Option<QueuedJob> {
        let (share, priority) = self.get(id).map(|j| (j.share, j.scheduling_priority))?;
        self.remove_at(share, priority, id)
    }

    /// True when the job is RUNNABLE here.
    pub fn contains(&self, id: JobId) -> bool {
        self.get(id).is_some()
    }

    /// The job with this id, if RUNNABLE here (looks through the shares).
    pub fn get(&self, id: JobId) -> Option<&QueuedJob> {
        self.nonempty
            .iter()
            .find_map(|&s| self.shares[s].jobs.values().find(|j| j.id == id))
    }

    /// Number of RUNNABLE jobs.
    pub fn len(&self) -> usize {
        self.count
    }

    /// The share number of the caller's key `key` (as [`RunnableSet::insert_keyed`] returned
    /// it for that key; `u32::MAX` while no job of that key was inserted).
    #[inline]
    pub(crate) fn share_of_key(&self, key: u32) -> u32 {
        if key == u32::MAX {
            self.unkeyed
        } else {
            self.by_key.get(key as usize).copied().unwrap_or(u32::MAX)
        }
    }

    /// The identifier of share number `share` (as [`RunnableSet::insert_keyed`] returned
    /// it, or a [`QueuedJob`] of this set carries).
    pub(crate) fn share_identifier(&self, share: u32) -> Option<&Arc<str>> {
        self.shares.get(share as usize).map(|s| &s.identifier)
    }

    /// The earliest submission of the set, FIFO's pick, without building a view (the
    /// engine's hot path for FIFO queues; [`crate::policy::Fifo`] over a view is the same).
    pub(crate) fn first_submitted(&self) -> Option<&QueuedJob> {
        match self.nonempty.as_slice() {
            [] => None,
            [only] => self.shares[*only].jobs.first(),
            many => many
                .iter()
                .filter_map(|&s| self.shares[s].jobs.first())
                .min_by_key(|j| j.id),
        }
    }

    /// True when no job is RUNNABLE.
    pub fn is_empty(&self) -> bool {
        self.count == 0
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
        for u in &mut self.usage {
            u.g *= f;
            u.e_last *= f;
        }
        self.base = t;
        self.new_stamp();
    }

    /// Share `s`'s score or presence changed (see `touched`; only a set tracking decay,
    /// the only kind a cached pick reads, keeps the log).
    #[inline]
    fn touch(&mut self, s: usize) {
        if self.decay_ms.is_none() {
            return;
        }
        if self.touched.len() >= TOUCH_LOG {
            self.new_stamp();
        } else {
            self.touched.push(s as u32);
        }
    }

    /// Every score may have changed: cached picks start afresh.
    fn new_stamp(&mut self) {
        self.stamp += 1;
        self.touched.clear();
    }

    /// Changes share `identifier`'s held vCPUs by `delta_millivcpus` at time `t` (an attempt
    /// dispatched: positive; ended: negative).
    pub fn add_held(&mut self, identifier: &str, delta_millivcpus: i64, t: SimTime) {
        if self.decay_ms.is_some() {
            // Rebase first: a share created now starts in the new base's scale.
            self.rebase(t);
        }
        let s = self.share_index(identifier);
        self.add_held_at(s as u32, delta_millivcpus, t);
    }

    /// [`RunnableSet::add_held`] for share number `share` (as [`RunnableSet::insert_keyed`]
    /// returned it).
    pub(crate) fn add_held_at(&mut self, share: u32, delta_millivcpus: i64, t: SimTime) {
        let Some(d) = self.decay_ms else {
            // No decay tracked (FIFO): only R changes.
            // (`ShareUsage::r` is kept only where decay is tracked; a pick over a set
            // without decay reads `held_millivcpus`.)
            if let Some(sh) = self.shares.get_mut(share as usize) {
                sh.held_millivcpus = sh.held_millivcpus.saturating_add_signed(delta_millivcpus);
            }
            return;
        };
        self.rebase(t);
        let e_t = self.scale_at(t);
        let (Some(sh), Some(u)) = (self.shares.get_mut(share as usize), self.usage.get_mut(share as usize)) else {
            return;
        };
        // G accumulates R * D * (e_t - e_last) in the base's scale: the exact integral of a
        // constant R decayed with time constant D, in vCPU-milliseconds.
        u.g += sh.held_millivcpus as f64 / 1000.0 * d * (e_t - u.e_last);
        u.e_last = e_t;
        sh.held_millivcpus = sh.held_millivcpus.saturating_add_signed(delta_millivcpus);
        u.r = sh.held_millivcpus as f64 / 1000.0;
        self.touch(share as usize);
    }

    /// Changes the decay time `D` at `now` (the queue was given another scheduling policy):
    /// each share keeps its `H` at `now`, which decays with the new `D` from then on.
    pub fn set_decay(&mut self, decay: Option<SimDuration>, now: SimTime) {
        let new = decay.map(|d| d.as_millis().max(1) as f64);
        if new == self.decay_ms {
            return;
        }
        let inv_scale = 1.0 / self.scale_at(now);
        for (s, u) in self.shares.iter().zip(&mut self.usage) {
            // H(now) in vCPU-milliseconds, as `ShareView::decayed_usage_per_decay` reads it.
            u.g = match self.decay_ms {
                Some(d) => u.g * inv_scale + s.held_millivcpus as f64 / 1000.0 * d * (1.0 - u.e_last * inv_scale),
                None => 0.0,
            };
            u.e_last = 1.0;
            u.r = s.held_millivcpus as f64 / 1000.0;
        }
        self.base = now;
        self.decay_ms = new;
        self.new_stamp();
    }

    /// The read-only view a policy picks from, at time `now`.
    pub fn view(&self, now: SimTime) -> QueueView<'_> {
        let inv_scale = 1.0 / self.scale_at(now);
        QueueView {
            set: self,
            now,
            inv_scale,
            details: None,
            capacity: &[],
        }
    }
}

/// A read-only view of one queue's RUNNABLE jobs at one instant.
///
/// In a run, the view a custom policy gets also knows each job's [`JobInfo`](super::JobInfo)
/// ([`QueueView::details`]) and the free capacity of the queue's compute environments
/// ([`QueueView::capacity`]); the built-in policies never ask, and a view built by hand has
/// neither unless given them ([`QueueView::with_details`], [`QueueView::with_capacity`]):
///
/// ```
/// use batchsim::policy::{JobInfo, QueuedJob, RunnableSet};
/// use batchsim::{JobId, Resources, SimTime};
/// use std::collections::BTreeMap;
///
/// let job = QueuedJob::new(JobId::new(1), Resources::new(1.0, 2048));
/// let mut set = RunnableSet::new(None);
/// set.insert(job);
/// let mut info = JobInfo::new(&job);
/// info.name = "render-1".into();
/// let details = BTreeMap::from([(job.id, info)]);
/// let view = set.view(SimTime::ZERO).with_details(&details);
/// assert_eq!(view.details(&job).map(|i| i.name.to_string()), Some("render-1".into()));
/// assert!(view.capacity().is_empty());
/// ```
pub struct QueueView<'a> {
    pub(super) set: &'a RunnableSet,
    now: SimTime,
    pub(super) inv_scale: f64,
    details: Option<&'a dyn super::JobDetails>,
    capacity: &'a [super::CeCapacity],
}

impl<'a> QueueView<'a> {
    /// The id of the set this views (see [`RunnableSet`]'s `id`).
    pub(crate) fn set_id(&self) -> u64 {
        self.set.id()
    }

    /// The instant of the view.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// The same view, with job details from `details`.
    pub fn with_details(mut self, details: &'a dyn super::JobDetails) -> QueueView<'a> {
        self.details = Some(details);
        self
    }

    /// The same view, with the capacity of the queue's compute environments.
    pub fn with_capacity(mut self, capacity: &'a [super::CeCapacity]) -> QueueView<'a> {
        self.capacity = capacity;
        self
    }

    /// What the engine knows of `job` (name, definition, submission time, estimates), when
    /// the view has details (always in a run, for a custom policy).
    pub fn details(&self, job: &QueuedJob) -> Option<super::JobInfo> {
        self.details?.details(job)
    }

    /// The queue's compute environments in queue order, with their free capacity now (empty
    /// when the view was built without it).
    pub fn capacity(&self) -> &'a [super::CeCapacity] {
        self.capacity
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

    /// The share `job` (a job of this view) belongs to.
    pub fn share_of(&self, job: &QueuedJob) -> Option<ShareView<'a>> {
        self.share_at(job.share as usize)
    }

    /// Share number `i`, if the set has it.
    pub(crate) fn share_at(&self, i: usize) -> Option<ShareView<'a>> {
        (i < self.set.shares.len()).then(|| self.share_view(i))
    }

    pub(super) fn share_view(&self, i: usize) -> ShareView<'a> {
        ShareView {
            index: i,
            share: &self.set.shares[i],
            usage: &self.set.usage[i],
            view_scale: self.inv_scale,
            decay_ms: self.set.decay_ms,
        }
    }

    /// Number of shares the set knows (with or without jobs): share indices are below it.
    pub(crate) fn share_count(&self) -> usize {
        self.set.shares.len()
    }

    /// The share with RUNNABLE jobs that has the lowest `weight(index) x (R + H/D)` (compared
    /// on [`on_grid`]'s grid), ties to the lexicographically smaller identifier: fair
    /// share's pick, in one pass over the
    /// shares' usage numbers (the same arithmetic as [`ShareView::vcpus_held`] plus
    /// [`ShareView::decayed_usage_per_decay`], so the same scores bit for bit).
    #[inline]
    pub(crate) fn lowest_weighted_usage(&self, mut weight: impl FnMut(usize) -> f64) -> Option<ShareView<'a>> {
        let set = self.set;
        let vs = self.inv_scale;
        let mut best: Option<(f64, usize)> = None;
        let mut consider = |score: f64, i: usize| {
            let better = match best {
                None => true,
                Some((b, j)) => score < b || (score == b && set.shares[i].identifier < set.shares[j].identifier),
            };
            if better {
                best = Some((score, i));
            }
        };
        match set.decay_ms {
            Some(d) => {
                for &i in &set.nonempty {
                    let Some(u) = set.usage.get(i) else { continue };
                    consider(share_score(weight(i), u, vs, d), i);
                }
            }
            // No decay tracked (a fair-share policy over a FIFO queue's set): R alone.
            None => {
                for &i in &set.nonempty {
                    let Some(sh) = set.shares.get(i) else { continue };
                    consider(on_grid(weight(i) * (sh.held_millivcpus as f64 / 1000.0 + 0.0)), i);
                }
            }
        }
        best.map(|(_, i)| self.share_view(i))
    }

    /// Every RUNNABLE job, across shares, in submission order.
    pub fn jobs_in_submission_order(&self) -> Box<dyn Iterator<Item = &'a QueuedJob> + 'a> {
        let set = self.set;
        if set.nonempty.len() <= 1 && !set.prioritized {
            // One share, every priority equal: the share's order is submission order.
            return Box::new(set.nonempty.iter().flat_map(move |&s| set.shares[s].jobs.values()));
        }
        let mut all: Vec<&'a QueuedJob> = set.nonempty.iter().flat_map(|&s| set.shares[s].jobs.values()).collect();
        all.sort_by_key(|j| j.id);
        Box::new(all.into_iter())
    }
}

/// One share of a [`QueueView`].
#[derive(Clone, Copy)]
pub struct ShareView<'a> {
    index: usize,
    share: &'a Share,
    usage: &'a ShareUsage,
    view_scale: f64,
    decay_ms: Option<f64>,
}

impl<'a> ShareView<'a> {
    /// The share's number in this queue (stable for the queue's life; policies can cache
    /// per-share data by it).
    pub fn index(&self) -> usize {
        self.index
    }

    /// `shareIdentifier` (empty on FIFO queues).
    pub fn identifier(&self) -> &'a str {
        &self.share.identifier
    }

    /// The share's first job: highest priority, then earliest submission.
    pub fn head(&self) -> Option<&'a QueuedJob> {
        self.share.jobs.first()
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
        decayed_per_decay(self.usage.g, self.usage.e_last, r, self.view_scale, d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(n: u64, prio: u32) -> QueuedJob {
        QueuedJob::new(JobId::new(n), Resources::new(1.0, 2048)).with_priority(prio)
    }

    #[test]
    fn a_runnable_entry_is_40_bytes() {
        // The entry a queued job costs in its queue's set (the deque stores it alone).
        assert_eq!(std::mem::size_of::<QueuedJob>(), 40);
    }

    #[test]
    fn share_order_is_priority_then_submission() {
        let mut set = RunnableSet::new(None);
        set.insert_in_share("a", job(1, 0));
        set.insert_in_share("a", job(2, 5));
        set.insert_in_share("a", job(3, 5));
        set.insert_in_share("b", job(4, 0));
        let view = set.view(SimTime::ZERO);
        let ids: Vec<u64> = view.share("a").unwrap().jobs().map(|j| j.id.submission).collect();
        assert_eq!(ids, [2, 3, 1]);
        let b = view.share("b").unwrap().head().copied().unwrap();
        assert_eq!(view.share_of(&b).map(|s| s.identifier()), Some("b"));
        assert_eq!(set.remove(JobId::new(2)).map(|j| j.id.submission), Some(2));
        assert_eq!(set.remove(JobId::new(2)), None);
        assert_eq!(set.len(), 3);
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

    proptest::proptest! {
        /// The fair-share scan over the usage numbers scores every share exactly as the
        /// public views do (`weight x (vcpus_held + decayed_usage_per_decay)`, ties to the
        /// smaller identifier), whatever happened before: inserts, removals, usage changes,
        /// rebases, a new decay time.
        #[test]
        fn the_usage_scan_picks_as_the_views_score(
            ops in proptest::collection::vec((0u8..5, 0u8..6, 0u64..4_000, 1u64..90_000), 1..120),
            decay in proptest::option::of(1u64..5_000),
        ) {
            let mut set = RunnableSet::new(decay.map(SimDuration::from_secs));
            let names = ["a", "b", "c", "d", "e", "f"];
            let weight = |i: usize| 0.5 + (i % 3) as f64 * 0.25;
            let (mut t, mut next) = (0u64, 1u64);
            for (op, share, amount, dt) in ops {
                t += dt;
                let now = SimTime::from_millis(t);
                let name = names[share as usize];
                match op {
                    0 | 1 => {
                        set.insert_in_share(name, job(next, 0));
                        next += 1;
                    }
                    2 => {
                        let first = set.view(now).share(name).and_then(|s| s.head().map(|j| j.id));
                        if let Some(id) = first {
                            set.remove(id);
                            set.add_held(name, amount as i64, now);
                        }
                    }
                    3 => {
                        let held = set.view(now).share(name).map_or(0, |s| s.share.held_millivcpus);
                        set.add_held(name, -(held.min(amount) as i64), now);
                    }
                    _ => set.set_decay(Some(SimDuration::from_secs(1 + amount)), now),
                }
                let view = set.view(now);
                let mut want: Option<(f64, ShareView<'_>)> = None;
                for sh in view.shares() {
                    let score = on_grid(weight(sh.index()) * (sh.vcpus_held() + sh.decayed_usage_per_decay()));
                    let better = match &want {
                        None => true,
                        Some((b, s)) => score < *b || (score == *b && sh.identifier() < s.identifier()),
                    };
                    if better {
                        want = Some((score, sh));
                    }
                }
                let got = view.lowest_weighted_usage(weight).map(|s| s.index());
                proptest::prop_assert_eq!(got, want.map(|(_, s)| s.index()));
            }
        }
    }
}
