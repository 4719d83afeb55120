//! One ordered run of claimed jobs (`claimed.rs`): a sorted double-ended queue of
//! (job id, slot).
//!
//! Claims come mostly in job id order (a queue offers its jobs in submission order) and go
//! mostly from the front (the oldest claimed job of a shape is the first to move to READY
//! room, and the oldest launching instances become READY first), so a sorted `VecDeque`
//! takes an entry at its back and gives one up at its front without a shift; an entry or a
//! removal elsewhere is a binary search and a shift of the shorter side (a queue holds a few
//! hundred claimed jobs). A `BTreeSet` cost a node walk with tuple comparisons, and node
//! allocations, at every claim, release and search (about a tenth of a Spot run's
//! instructions, two sets per claim).

use super::claimed::ClaimedJob;
use std::collections::VecDeque;
use std::ops::Bound;

/// Claimed jobs in (job id, slot) order, each once.
#[derive(Clone, Debug, Default)]
pub(crate) struct ClaimedRun {
    jobs: VecDeque<ClaimedJob>,
}

/// Whether `job` lies after the bound `after`.
#[inline]
pub(crate) fn is_after(after: &Bound<ClaimedJob>, job: &ClaimedJob) -> bool {
    match after {
        Bound::Unbounded => true,
        Bound::Included(a) => job >= a,
        Bound::Excluded(a) => job > a,
    }
}

impl ClaimedRun {
    /// Enters `job`; false when it was there already.
    pub(crate) fn insert(&mut self, job: ClaimedJob) -> bool {
        if self.jobs.back().is_none_or(|last| *last < job) {
            self.jobs.push_back(job);
            return true;
        }
        let at = self.jobs.partition_point(|j| *j < job);
        if self.jobs.get(at) == Some(&job) {
            return false;
        }
        self.jobs.insert(at, job);
        true
    }

    /// Removes `job`; returns whether it was there.
    pub(crate) fn remove(&mut self, job: &ClaimedJob) -> bool {
        if self.jobs.front() == Some(job) {
            self.jobs.pop_front();
            return true;
        }
        let at = self.jobs.partition_point(|j| j < job);
        if self.jobs.get(at) != Some(job) {
            return false;
        }
        self.jobs.remove(at);
        true
    }

    /// Whether `job` is in the run.
    pub(crate) fn contains(&self, job: &ClaimedJob) -> bool {
        self.jobs.binary_search(job).is_ok()
    }

    /// How many jobs the run holds.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.jobs.len()
    }

    /// Whether the run holds no job.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }

    /// The last job.
    #[inline]
    pub(crate) fn last(&self) -> Option<ClaimedJob> {
        self.jobs.back().copied()
    }

    /// The first job after the bound `after`. The usual asks are answered from the ends:
    /// from the start (unbounded, or a bound before the first job) and past the last job
    /// but one (a search after the job the last call looked at).
    #[inline]
    pub(crate) fn first_after(&self, after: &Bound<ClaimedJob>) -> Option<ClaimedJob> {
        let first = self.jobs.front()?;
        if is_after(after, first) {
            return Some(*first);
        }
        let n = self.jobs.len();
        if !is_after(after, &self.jobs[n - 1]) {
            return None;
        }
        if n >= 2 && !is_after(after, &self.jobs[n - 2]) {
            return Some(self.jobs[n - 1]);
        }
        let at = self.jobs.partition_point(|j| !is_after(after, j));
        self.jobs.get(at).copied()
    }

    /// The last job before `end` (in (job id, slot) order).
    #[inline]
    pub(crate) fn last_before(&self, end: ClaimedJob) -> Option<ClaimedJob> {
        let last = *self.jobs.back()?;
        if last < end {
            return Some(last);
        }
        let at = self.jobs.partition_point(|j| *j < end);
        at.checked_sub(1).map(|k| self.jobs[k])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::JobId;
    use std::collections::BTreeSet;

    fn job(n: u64, slot: u32) -> ClaimedJob {
        (JobId::new(n), slot)
    }

    proptest::proptest! {
        /// After any entries and removals the run holds what a `BTreeSet` holds, and its
        /// searches find what the set's ranges find.
        #[test]
        fn a_run_is_a_sorted_set(
            ops in proptest::collection::vec((0u64..60, 0u32..3, proptest::bool::ANY), 0..400),
            asks in proptest::collection::vec((0u8..3, 0u64..62, 0u32..4), 1..12),
        ) {
            let mut run = ClaimedRun::default();
            let mut plain: BTreeSet<ClaimedJob> = BTreeSet::new();
            for (n, slot, add) in ops {
                let j = job(n, slot);
                if add {
                    proptest::prop_assert_eq!(run.insert(j), plain.insert(j));
                } else {
                    proptest::prop_assert_eq!(run.remove(&j), plain.remove(&j));
                }
                proptest::prop_assert_eq!(run.len(), plain.len());
                proptest::prop_assert_eq!(run.last(), plain.last().copied());
            }
            proptest::prop_assert_eq!(run.jobs.iter().copied().collect::<Vec<_>>(), plain.iter().copied().collect::<Vec<_>>());
            for (kind, n, slot) in asks {
                let at = job(n, slot);
                let after = match kind {
                    0 => Bound::Unbounded,
                    1 => Bound::Excluded(at),
                    _ => Bound::Included(at),
                };
                proptest::prop_assert_eq!(run.first_after(&after), plain.range((after, Bound::Unbounded)).next().copied());
                proptest::prop_assert_eq!(run.last_before(at), plain.range(..at).next_back().copied());
                proptest::prop_assert_eq!(run.contains(&at), plain.contains(&at));
            }
        }
    }

    #[test]
    fn entries_go_to_their_places_once() {
        let mut run = ClaimedRun::default();
        assert!(run.insert(job(5, 0)));
        assert!(run.insert(job(9, 0)));
        assert!(run.insert(job(2, 0)), "an older job goes to the front");
        assert!(run.insert(job(7, 1)));
        assert!(!run.insert(job(7, 1)), "entered once");
        assert_eq!(run.jobs, [job(2, 0), job(5, 0), job(7, 1), job(9, 0)]);
        assert_eq!(run.first_after(&Bound::Excluded(job(7, u32::MAX))), Some(job(9, 0)));
        assert_eq!(run.first_after(&Bound::Excluded(job(5, 0))), Some(job(7, 1)));
        assert_eq!(run.first_after(&Bound::Excluded(job(9, 0))), None);
        assert_eq!(run.last_before(job(7, 0)), Some(job(5, 0)));
        assert_eq!(run.last_before(job(2, 0)), None);
        assert!(run.remove(&job(2, 0)));
        assert!(run.remove(&job(7, 1)));
        assert!(!run.remove(&job(7, 1)), "removed once");
        assert_eq!(run.jobs, [job(5, 0), job(9, 0)]);
        assert!(run.contains(&job(9, 0)) && !run.contains(&job(2, 0)));
    }
}
