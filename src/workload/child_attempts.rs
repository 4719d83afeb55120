//! `runtime.childAttempts`: an array job's children, each replaying its own recorded
//! attempts (a job history read by `batchsim import`).
//!
//! AWS runs every child of an array job as a job of its own: an array job "runs as a
//! collection of related yet separate basic jobs", and "the array index for the child job
//! is appended to the end of the parent ID, such as `example_job_ID:0` for the first child
//! job of the array" (AWS Batch User Guide, *Array jobs*), so each child has its own
//! attempts, run times, exit codes and status reasons in describe-jobs. A submission's `runtime.childAttempts` lists them by
//! `arrayProperties.index`; a child the list does not name replays the submission's
//! `runtime.attempts` when it has them, else runs with its drawn runtime.
//!
//! Children that ran alike share one list: the table keeps each distinct list once and a
//! sorted (index, list) pair per named child, 8 bytes a child, so a 10,000-child array whose
//! children all ran for one of a few times costs a few lists and 80 kB. The engine looks a
//! child's list up by its index when the child is dispatched ([`ChildAttempts::get`], a
//! binary search); the job record itself carries nothing more.
//!
//! ```
//! use batchsim::workload::{ChildAttempts, RecordedAttempt};
//! use batchsim::SimDuration;
//!
//! let ok = |s| vec![RecordedAttempt::exited(SimDuration::from_secs(s), 0)];
//! let retried = vec![
//!     RecordedAttempt::exited(SimDuration::from_secs(5), 1),
//!     RecordedAttempt::exited(SimDuration::from_secs(30), 0),
//! ];
//! let table = ChildAttempts::new(vec![(2, retried.clone()), (0, ok(10)), (1, ok(20)), (3, ok(10))])
//!     .expect("each index once");
//! assert_eq!(table.get(2), Some(retried.as_slice()));
//! assert_eq!(table.get(1).map(|a| a[0].runtime.as_millis()), Some(20_000));
//! assert_eq!(table.get(4), None, "not named: the submission's runtime");
//! assert_eq!((table.children(), table.distinct_lists()), (4, 3), "0 and 3 share a list");
//! assert_eq!(ChildAttempts::new(vec![(1, ok(1)), (1, ok(2))]), Err(1), "index 1 twice");
//! ```

use super::RecordedAttempt;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The recorded attempts of an array job's children, by array index (see the module
/// documentation). Empty for a submission without `runtime.childAttempts`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChildAttempts {
    /// Each distinct list of attempts once, in order of first appearance.
    lists: Vec<Arc<[RecordedAttempt]>>,
    /// (array index, number of its list in `lists`), sorted by index, each index once.
    by_index: Vec<(u32, u32)>,
}

/// A list's key for sharing: each attempt's run time, exit code and status reason.
type ListKey = Vec<(u64, Option<i32>, Option<Arc<str>>)>;

impl ChildAttempts {
    /// The table of `children` ((array index, recorded attempts) in any order); `Err` with
    /// the first index given twice.
    pub fn new(children: Vec<(u32, Vec<RecordedAttempt>)>) -> Result<ChildAttempts, u32> {
        let mut lists: Vec<Arc<[RecordedAttempt]>> = Vec::new();
        let mut known: BTreeMap<ListKey, u32> = BTreeMap::new();
        let mut by_index = Vec::with_capacity(children.len());
        for (index, attempts) in children {
            let key: ListKey = attempts
                .iter()
                .map(|a| (a.runtime.as_millis(), a.exit_code, a.status_reason.clone()))
                .collect();
            let n = *known.entry(key).or_insert_with(|| {
                lists.push(Arc::from(attempts));
                (lists.len() - 1) as u32
            });
            by_index.push((index, n));
        }
        by_index.sort_unstable();
        if let Some(w) = by_index.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(w[0].0);
        }
        Ok(ChildAttempts { lists, by_index })
    }

    /// The recorded attempts of child `index`; `None` when the table does not name it.
    pub fn get(&self, index: u32) -> Option<&[RecordedAttempt]> {
        let at = self.by_index.binary_search_by_key(&index, |(i, _)| *i).ok()?;
        self.lists.get(self.by_index[at].1 as usize).map(|l| &**l)
    }

    /// How many children the table names.
    pub fn children(&self) -> usize {
        self.by_index.len()
    }

    /// How many distinct lists of attempts the children share.
    pub fn distinct_lists(&self) -> usize {
        self.lists.len()
    }

    /// Whether the table names no child.
    pub fn is_empty(&self) -> bool {
        self.by_index.is_empty()
    }

    /// The largest index named (`None` when empty).
    pub fn max_index(&self) -> Option<u32> {
        self.by_index.last().map(|(i, _)| *i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::SimDuration;

    #[test]
    fn ten_thousand_alike_children_share_one_list() {
        let same = vec![RecordedAttempt::exited(SimDuration::from_secs(60), 0)];
        let mut children: Vec<(u32, Vec<RecordedAttempt>)> = (0..10_000).map(|i| (i, same.clone())).collect();
        children[7].1 = vec![
            RecordedAttempt::exited(SimDuration::from_secs(3), 1),
            RecordedAttempt::exited(SimDuration::from_secs(60), 0),
        ];
        children.reverse();
        let t = ChildAttempts::new(children).unwrap();
        assert_eq!(
            (t.children(), t.distinct_lists(), t.max_index()),
            (10_000, 2, Some(9_999))
        );
        assert_eq!(t.get(7).map(<[_]>::len), Some(2));
        assert_eq!(t.get(9_999), Some(same.as_slice()));
        assert_eq!(t.get(10_000), None);
        assert!(ChildAttempts::default().is_empty());
    }

    #[test]
    fn lists_differing_only_by_reason_are_kept_apart() {
        let a = RecordedAttempt {
            runtime: SimDuration::from_secs(5),
            exit_code: None,
            status_reason: Some(Arc::from("Host EC2 (instance i-0) terminated.")),
        };
        let b = RecordedAttempt {
            status_reason: Some(Arc::from("Host EC2 (instance i-1) terminated.")),
            ..a.clone()
        };
        let t = ChildAttempts::new(vec![(0, vec![a.clone()]), (1, vec![b])]).unwrap();
        assert_eq!(t.distinct_lists(), 2);
        assert_eq!(t.get(0), Some(std::slice::from_ref(&a)));
    }
}
