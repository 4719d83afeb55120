//! The claimed jobs of one queue (CONTRACT 7.14 b, c): RUNNABLE jobs holding room on one
//! launching instance, by job id and grouped by shape.
//!
//! A later pass offers each claimed job READY room in job id order (7.14 c). Whether a
//! claimed job finds READY room depends only on its shape, its needs and the compute
//! environment of its claim, and READY room only shrinks while claimed jobs move, so once a
//! shape found none in a search no later job of that shape can. Walking every claimed job to
//! skip those of shapes that found nothing was most of an EC2 run's work (thousands of
//! claimed jobs of a few shapes); grouped by shape, a search looks at the first job of each
//! shape still in play and costs in proportion to the shapes, not the jobs. Each set of jobs
//! is a sorted double-ended queue (`claimed_run.rs`).

use super::claimed_run::ClaimedRun;
use crate::model::{CeId, JobId, Resources};
use std::ops::Bound;

/// A claimed job: its id and job slot (the set's order is the id's).
pub(crate) type ClaimedJob = (JobId, u32);

/// A shape in a search for READY room (`instances.rs`): its first claimed job in range and
/// the READY room found for it (compute environment, instance; `None`: to be searched again
/// after a move took room).
pub(crate) type ShapeHead = (Shape, ClaimedJob, Option<(CeId, u32)>);

/// What decides whether a claimed job finds READY room: its needs and its claim's compute
/// environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Shape {
    millivcpus: u32,
    memory_mib: u32,
    gpus: u32,
    ce: CeId,
}

impl Shape {
    /// The shape of a job needing `r` with its claim on `ce`.
    pub(crate) fn new(r: &Resources, ce: CeId) -> Shape {
        Shape {
            millivcpus: r.millivcpus,
            memory_mib: r.memory_mib,
            gpus: r.gpus,
            ce,
        }
    }

    /// The milli-vCPUs the shape needs.
    pub(crate) fn millivcpus(&self) -> u64 {
        u64::from(self.millivcpus)
    }

    /// What a job of the shape needs.
    pub(crate) fn resources(&self) -> Resources {
        Resources {
            millivcpus: self.millivcpus,
            memory_mib: self.memory_mib,
            gpus: self.gpus,
        }
    }

    /// The compute environment of the claims.
    pub(crate) fn ce(&self) -> CeId {
        self.ce
    }
}

/// The claimed jobs of a queue, in job id order and by shape.
#[derive(Clone, Debug, Default)]
pub(crate) struct ClaimedSet {
    all: ClaimedRun,
    /// Each shape's jobs, in shape order. A queue's claimed jobs come in a handful of shapes:
    /// a scan of a short vector finds one in fewer instructions than a B-tree's descent with
    /// four-field comparisons (one per claim, release and search).
    by_shape: Vec<(Shape, ClaimedRun)>,
}

/// Whether the jobs after `after` and before job `before` can form a nonempty range: when
/// `after` is at or past `before` there is no job between them.
fn nonempty_range(after: &Bound<ClaimedJob>, before: Option<JobId>) -> bool {
    let Some(b) = before else { return true };
    let end = (b, 0);
    match after {
        Bound::Unbounded => true,
        Bound::Included(a) => *a <= end,
        Bound::Excluded(a) => *a < end,
    }
}

impl ClaimedSet {
    /// The position of `shape`'s jobs in `by_shape`.
    #[inline]
    fn shape_at(&self, shape: &Shape) -> Option<usize> {
        self.by_shape.iter().position(|(s, _)| s == shape)
    }

    /// Adds a claimed job of `shape`.
    pub(crate) fn insert(&mut self, job: ClaimedJob, shape: Shape) {
        if !self.all.insert(job) {
            return;
        }
        let at = match self.shape_at(&shape) {
            Some(at) => at,
            None => {
                let at = self.by_shape.partition_point(|(s, _)| *s < shape);
                self.by_shape.insert(at, (shape, ClaimedRun::default()));
                at
            }
        };
        let added = self.by_shape[at].1.insert(job);
        debug_assert!(added, "a job new to the set is new to its shape");
    }

    /// Removes a claimed job of `shape`; returns whether it was there.
    pub(crate) fn remove(&mut self, job: &ClaimedJob, shape: Shape) -> bool {
        if !self.all.remove(job) {
            return false;
        }
        if let Some(at) = self.shape_at(&shape) {
            let jobs = &mut self.by_shape[at].1;
            let was = jobs.remove(job);
            debug_assert!(was, "a claimed job is in its shape's set");
            if jobs.is_empty() {
                self.by_shape.remove(at);
            }
        }
        true
    }

    /// Whether `job` is claimed.
    pub(crate) fn contains(&self, job: &ClaimedJob) -> bool {
        self.all.contains(job)
    }

    /// How many jobs are claimed.
    pub(crate) fn len(&self) -> usize {
        self.all.len()
    }

    /// Whether no job is claimed.
    pub(crate) fn is_empty(&self) -> bool {
        self.all.is_empty()
    }

    /// The shapes of the claimed jobs, in shape order.
    pub(crate) fn shapes(&self) -> impl Iterator<Item = Shape> + '_ {
        self.by_shape.iter().map(|(s, _)| *s)
    }

    /// The first and the last claimed job after `after` and before job `before` (the same
    /// job when only one lies between).
    pub(crate) fn ends_between(
        &self,
        after: Bound<ClaimedJob>,
        before: Option<JobId>,
    ) -> Option<(ClaimedJob, ClaimedJob)> {
        if !nonempty_range(&after, before) {
            return None;
        }
        // The usual calls (all claimed jobs before the next job offered; none or one claimed
        // since the last call) are answered from the run's ends without a search.
        let first = self.all.first_after(&after)?;
        let last = match before {
            None => self.all.last()?,
            Some(b) => self.all.last_before((b, 0))?,
        };
        (first <= last).then_some((first, last))
    }

    /// The first claimed job of `shape` after `after` and before job `before`.
    pub(crate) fn first_of(
        &self,
        shape: &Shape,
        after: Bound<ClaimedJob>,
        before: Option<JobId>,
    ) -> Option<ClaimedJob> {
        if !nonempty_range(&after, before) {
            return None;
        }
        let at = self.shape_at(shape)?;
        let first = self.by_shape[at].1.first_after(&after)?;
        before.is_none_or(|b| first.0 < b).then_some(first)
    }
}

#[cfg(test)]
mod tests {
    use super::super::claimed_run::is_after;
    use super::*;
    use std::collections::BTreeSet;

    fn job(n: u64, slot: u32) -> ClaimedJob {
        (JobId::new(n), slot)
    }

    fn shape(vcpus: f64, mib: u32, ce: u32) -> Shape {
        Shape::new(&Resources::new(vcpus, mib), CeId(ce))
    }

    /// A bound of a search: after nothing, after a job (excluded), or from one (included).
    fn bound(kind: u8, n: u64, slot: u32) -> Bound<ClaimedJob> {
        match kind {
            0 => Bound::Unbounded,
            1 => Bound::Excluded((JobId::new(n), slot)),
            _ => Bound::Included((JobId::new(n), slot)),
        }
    }

    proptest::proptest! {
        /// After any entries and removals, the ends of a range and each shape's first job in
        /// it are what a scan of a plain set of (job, shape) finds.
        #[test]
        fn searches_are_scans_of_a_plain_set(
            ops in proptest::collection::vec((1u64..40, 0u32..3, 0u32..2, proptest::bool::ANY), 0..200),
            searches in proptest::collection::vec((0u8..3, 0u64..42, proptest::bool::ANY, proptest::option::of(0u64..42)), 1..10),
        ) {
            let shapes = [shape(1.0, 2048, 0), shape(2.0, 4096, 0), shape(1.0, 2048, 1)];
            let mut set = ClaimedSet::default();
            let mut plain: BTreeSet<(ClaimedJob, Shape)> = BTreeSet::new();
            for (n, s, slot, add) in ops {
                // A job id has one slot and one shape while claimed.
                let j = job(n, slot);
                let sh = shapes[s as usize];
                let held = plain.iter().find(|(k, _)| k.0 == j.0).copied();
                if add && held.is_none() {
                    set.insert(j, sh);
                    plain.insert((j, sh));
                } else if let Some((k, ksh)) = held.filter(|_| !add) {
                    proptest::prop_assert!(set.remove(&k, ksh));
                    plain.remove(&(k, ksh));
                }
                proptest::prop_assert_eq!(set.len(), plain.len());
            }
            let in_shapes: Vec<Shape> = plain.iter().map(|p| p.1).collect::<BTreeSet<_>>().into_iter().collect();
            proptest::prop_assert_eq!(set.shapes().collect::<Vec<_>>(), in_shapes);
            for (kind, n, high_slot, before) in searches {
                let after = bound(kind, n, if high_slot { u32::MAX } else { 0 });
                let before = before.map(JobId::new);
                let inside = |k: &ClaimedJob| is_after(&after, k) && before.is_none_or(|b| k.0 < b);
                let jobs: Vec<ClaimedJob> = plain.iter().map(|p| p.0).filter(inside).collect::<BTreeSet<_>>().into_iter().collect();
                let ends = jobs.first().zip(jobs.last()).map(|(a, b)| (*a, *b));
                proptest::prop_assert_eq!(set.ends_between(after, before), ends);
                for sh in shapes {
                    let first = plain.iter().filter(|p| p.1 == sh).map(|p| p.0).filter(inside).min();
                    proptest::prop_assert_eq!(set.first_of(&sh, after, before), first);
                }
            }
        }
    }

    /// Found by `tests/table_properties.rs`: a search starting at or past its end asked the
    /// B-tree for a reversed range, which panics.
    #[test]
    fn a_search_starting_past_its_end_finds_nothing() {
        let mut set = ClaimedSet::default();
        let s = shape(1.0, 2048, 0);
        set.insert(job(5, 0), s);
        set.insert(job(9, 1), s);
        let past = Bound::Excluded((JobId::new(9), u32::MAX));
        assert_eq!(set.ends_between(past, Some(JobId::new(7))), None);
        assert_eq!(set.first_of(&s, past, Some(JobId::new(7))), None);
        let at = Bound::Excluded((JobId::new(7), 0));
        assert_eq!(set.ends_between(at, Some(JobId::new(7))), None);
        assert_eq!(
            set.ends_between(Bound::Included((JobId::new(7), 0)), Some(JobId::new(7))),
            None
        );
        assert_eq!(
            set.ends_between(Bound::Unbounded, Some(JobId::new(7))),
            Some((job(5, 0), job(5, 0))),
            "one job: first and last"
        );
    }

    #[test]
    fn jobs_are_kept_in_id_order_and_by_shape() {
        let (a, b) = (shape(1.0, 2048, 0), shape(4.0, 8192, 0));
        let mut set = ClaimedSet::default();
        set.insert(job(5, 50), a);
        set.insert(job(2, 20), b);
        set.insert(job(9, 90), a);
        set.insert(job(9, 90), a);
        assert_eq!(set.len(), 3, "a job is claimed once");
        assert_eq!(set.shapes().collect::<Vec<_>>(), vec![a, b], "by vCPUs first");
        assert_eq!(set.first_of(&a, Bound::Unbounded, None), Some(job(5, 50)));
        assert_eq!(
            set.first_of(&a, Bound::Excluded((JobId::new(5), u32::MAX)), None),
            Some(job(9, 90))
        );
        assert_eq!(
            set.first_of(&a, Bound::Unbounded, Some(JobId::new(5))),
            None,
            "before job 5: none of shape a"
        );
        assert_eq!(
            set.ends_between(Bound::Unbounded, Some(JobId::new(9))),
            Some((job(2, 20), job(5, 50)))
        );
        assert_eq!(set.ends_between(Bound::Unbounded, None), Some((job(2, 20), job(9, 90))));
        assert_eq!(
            set.ends_between(Bound::Excluded((JobId::new(2), u32::MAX)), Some(JobId::new(9))),
            Some((job(5, 50), job(5, 50)))
        );
        assert!(set.contains(&job(2, 20)));
    }

    #[test]
    fn a_shape_goes_with_its_last_job() {
        let (a, b) = (shape(1.0, 2048, 0), shape(1.0, 2048, 1));
        let mut set = ClaimedSet::default();
        set.insert(job(1, 1), a);
        set.insert(job(2, 2), b);
        assert_eq!(set.shapes().count(), 2, "another compute environment is another shape");
        assert!(set.remove(&job(1, 1), a));
        assert!(!set.remove(&job(1, 1), a), "removed once");
        assert_eq!(set.shapes().collect::<Vec<_>>(), vec![b]);
        assert!(set.remove(&job(2, 2), b));
        assert!(set.is_empty());
        assert_eq!(set.shapes().count(), 0);
    }
}
