//! The job store: every live job by slot ([`JobTable`]), the numbering of submissions and
//! attempts, and what outlives a job for the jobs that refer to it: the names dependencies
//! and actions use ([`NameIndex`]), the array parents ([`ArrayTable`]), CancelJob requests
//! waiting for a PENDING job to leave PENDING ([`PendingCancels`]) and the outcomes of ended
//! jobs submitted through the API.
//!
//! A component that owns its data: the engine reaches a job by its slot through the
//! look-ups here (O(1)), and the tables of names, arrays and cancels through their own
//! types. Memory follows the jobs in flight: an ended job's slot is reused, and an ended
//! array parent is dropped unless something can still ask for it
//! ([`JobStore::array_ended`]).

use super::dependencies::{ArrayParent, ArrayTable, NameIndex, PendingCancels};
use super::jobs::{Job, JobSlot, JobTable, Progress, Waiter};
use crate::model::{JobId, TimedAction};
use crate::workload::WorkloadEntry;
use std::collections::BTreeMap;

/// The live jobs and what the engine remembers of ended ones.
#[derive(Clone)]
pub(crate) struct JobStore {
    table: JobTable,
    names: NameIndex,
    arrays: ArrayTable,
    pending_cancels: PendingCancels,
    /// Outcomes (true = succeeded) of ended jobs submitted through the API (dependencies
    /// and `job_status` by id).
    api_outcomes: BTreeMap<JobId, bool>,
    /// The dependency links of the live jobs that have any, by slot: few jobs do, so the
    /// job record does not carry them (12 bytes in every queued job).
    links: BTreeMap<u32, Links>,
    /// Each live job's row in the per-job table, by slot, when one is kept (empty
    /// otherwise): beside the records, so that a queued job of a run writing `--jobs` needs
    /// no boxed [`Progress`] for it.
    rows: Vec<u64>,
    next_submission: u64,
    next_attempt: u64,
}

/// A live job's dependency links.
#[derive(Clone, Debug, Default)]
struct Links {
    /// Dependencies not yet met.
    unmet: u32,
    /// The jobs waiting on this one (told when it ends).
    waiters: Vec<Waiter>,
}

impl JobStore {
    /// An empty store tracking the names `workload` and `actions` refer to.
    pub fn new(workload: &[WorkloadEntry], actions: &[TimedAction]) -> JobStore {
        JobStore {
            table: JobTable::default(),
            names: NameIndex::new(workload, actions),
            arrays: ArrayTable::default(),
            pending_cancels: PendingCancels::default(),
            api_outcomes: BTreeMap::new(),
            links: BTreeMap::new(),
            rows: Vec::new(),
            next_submission: 1,
            next_attempt: 0,
        }
    }

    /// The number of the next submission (the `17` of job `17` and `17:3`), taken.
    pub fn take_submission_number(&mut self) -> u64 {
        let n = self.next_submission;
        self.next_submission += 1;
        n
    }

    /// The id of the next attempt (numbering every dispatch of the run), taken.
    pub fn take_attempt_id(&mut self) -> u64 {
        let n = self.next_attempt;
        self.next_attempt += 1;
        n
    }

    /// The live jobs by slot.
    pub fn table(&self) -> &JobTable {
        &self.table
    }

    /// Stores a job; returns its slot.
    pub fn insert(&mut self, job: Job) -> JobSlot {
        self.table.insert(job)
    }

    /// Frees a slot, dropping its job (and its links: a PENDING job cancelled keeps
    /// unmet dependencies).
    pub fn free(&mut self, slot: JobSlot) {
        if !self.links.is_empty() {
            self.links.remove(&slot.0);
        }
        self.table.free(slot)
    }

    /// The dependencies of the job in `slot` not yet met.
    #[inline]
    pub fn unmet(&self, slot: JobSlot) -> u32 {
        if self.links.is_empty() {
            return 0;
        }
        self.links.get(&slot.0).map_or(0, |l| l.unmet)
    }

    /// The job in `slot` waits on one more dependency.
    pub fn add_unmet(&mut self, slot: JobSlot) {
        if self.table.get(slot).is_some() {
            self.links.entry(slot.0).or_default().unmet += 1;
        }
    }

    /// One dependency of the job in `slot` was met; returns how many are left.
    pub fn met_one(&mut self, slot: JobSlot) -> u32 {
        match self.links.get_mut(&slot.0) {
            Some(l) => {
                l.unmet = l.unmet.saturating_sub(1);
                let left = l.unmet;
                if left == 0 && l.waiters.is_empty() {
                    self.links.remove(&slot.0);
                }
                left
            }
            None => 0,
        }
    }

    /// Job `w` waits on the job in `slot`.
    pub fn push_waiter(&mut self, slot: JobSlot, w: Waiter) {
        if self.table.get(slot).is_some() {
            self.links.entry(slot.0).or_default().waiters.push(w);
        }
    }

    /// The jobs waiting on the job in `slot`, taken (when it ends).
    #[inline]
    pub fn take_waiters(&mut self, slot: JobSlot) -> Vec<Waiter> {
        if self.links.is_empty() {
            return Vec::new();
        }
        match self.links.get_mut(&slot.0) {
            Some(l) => {
                let w = std::mem::take(&mut l.waiters);
                if l.unmet == 0 {
                    self.links.remove(&slot.0);
                }
                w
            }
            None => Vec::new(),
        }
    }

    /// Gives the job in `slot` its row `row` in the per-job table.
    pub fn set_row(&mut self, slot: JobSlot, row: u64) {
        let i = slot.0 as usize;
        if self.rows.len() <= i {
            self.rows.resize(i + 1, 0);
        }
        self.rows[i] = row;
    }

    /// The row in the per-job table of the job in `slot` (0 when none was given).
    pub fn row(&self, slot: JobSlot) -> u64 {
        self.rows.get(slot.0 as usize).copied().unwrap_or(0)
    }

    /// The boxed part of the live job in `slot`, mutably, allocated (or an ended job's box
    /// reused) when it has none yet ([`JobTable::progress_mut`]).
    #[inline]
    #[track_caller]
    pub fn progress_mut(&mut self, slot: JobSlot) -> Option<&mut Progress> {
        self.table.progress_mut(slot)
    }

    /// The job in a slot.
    #[inline]
    pub fn get(&self, slot: JobSlot) -> Option<&Job> {
        self.table.get(slot)
    }

    /// The job in a slot, mutably.
    #[inline]
    pub fn get_mut(&mut self, slot: JobSlot) -> Option<&mut Job> {
        self.table.get_mut(slot)
    }

    /// The job in `slot`, which the caller knows to be live ([`JobTable::live`]: asserted
    /// in debug builds).
    #[inline]
    #[track_caller]
    pub fn live(&self, slot: JobSlot) -> Option<&Job> {
        self.table.live(slot)
    }

    /// [`JobStore::live`], mutably.
    #[inline]
    #[track_caller]
    pub fn live_mut(&mut self, slot: JobSlot) -> Option<&mut Job> {
        self.table.live_mut(slot)
    }

    /// The job in `slot` if it is still job `id` (slots are reused).
    pub fn get_if(&self, slot: JobSlot, id: JobId) -> Option<&Job> {
        self.table.get_if(slot, id)
    }

    /// Every live job with its slot, in slot order.
    pub fn iter(&self) -> impl Iterator<Item = (JobSlot, &Job)> {
        self.table.iter()
    }

    /// The names dependencies and actions refer to.
    pub fn names(&self) -> &NameIndex {
        &self.names
    }

    /// The names dependencies and actions refer to, mutably.
    pub fn names_mut(&mut self) -> &mut NameIndex {
        &mut self.names
    }

    /// Records a new array parent; returns its index.
    pub fn insert_array(&mut self, parent: ArrayParent) -> u32 {
        self.arrays.insert(parent)
    }

    /// The array parent `p`, while it is kept.
    pub fn array(&self, p: u32) -> Option<&ArrayParent> {
        self.arrays.parents.get(&p)
    }

    /// The array parent `p`, mutably, while it is kept.
    pub fn array_mut(&mut self, p: u32) -> Option<&mut ArrayParent> {
        self.arrays.parents.get_mut(&p)
    }

    /// The index of the array parent of submission `submission`, while it is kept (an
    /// ended array child finds its parent here; O(log arrays kept)).
    pub fn array_index_of_submission(&self, submission: u64) -> Option<u32> {
        self.arrays.of_submission(submission)
    }

    /// The array parent of submission `submission` with its index.
    pub fn array_of_submission(&self, submission: u64) -> Option<(u32, &ArrayParent)> {
        let i = self.array_index_of_submission(submission)?;
        self.arrays.parents.get(&i).map(|p| (i, p))
    }

    /// Array parent `p` has ended (its last child ended). It is dropped when nothing can
    /// ask for it again: `keep` is true when its name is referenced by a dependency or an
    /// action, when it was submitted through the API (`job_status` by id), or when per-job
    /// records are kept (they answer for ended jobs too). So a stream of arrays holds
    /// memory for the arrays in flight only.
    pub fn array_ended(&mut self, p: u32, keep: bool) {
        if !keep {
            self.arrays.remove(p);
        }
    }

    /// Records a CancelJob request on a PENDING job (the first reason is kept).
    pub fn request_cancel(&mut self, id: JobId, reason: super::jobs::Reason) {
        self.pending_cancels.request(id, reason)
    }

    /// The CancelJob request on job `id`, taken.
    pub fn take_cancel(&mut self, id: JobId) -> Option<super::jobs::Reason> {
        self.pending_cancels.take(id)
    }

    /// Records the outcome of an ended job submitted through the API.
    pub fn record_api_outcome(&mut self, id: JobId, ok: bool) {
        self.api_outcomes.insert(id, ok);
    }

    /// The outcome of an ended job submitted through the API (true = succeeded).
    pub fn api_outcome(&self, id: JobId) -> Option<bool> {
        self.api_outcomes.get(&id).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parent(submission: u64) -> ArrayParent {
        ArrayParent {
            id: JobId::new(submission),
            size: 2,
            ended: 2,
            failed: false,
            children: vec![Err(true), Err(true)],
            waiters: Vec::new(),
        }
    }

    #[test]
    fn numbers_are_taken_in_sequence() {
        let mut store = JobStore::new(&[], &[]);
        assert_eq!(store.take_submission_number(), 1, "job ids start at 1");
        assert_eq!(store.take_submission_number(), 2);
        assert_eq!(store.take_attempt_id(), 0);
        assert_eq!(store.take_attempt_id(), 1);
    }

    /// Issue 13: nothing is held for finished arrays unless something can ask for them.
    #[test]
    fn an_ended_array_is_dropped_unless_kept() {
        let mut store = JobStore::new(&[], &[]);
        let dropped = store.insert_array(parent(7));
        let kept = store.insert_array(parent(8));
        store.array_ended(dropped, false);
        store.array_ended(kept, true);
        assert!(store.array(dropped).is_none());
        assert!(store.array_of_submission(7).is_none());
        assert_eq!(store.array_of_submission(8).map(|(i, p)| (i, p.size)), Some((kept, 2)));
    }

    #[test]
    fn cancels_and_api_outcomes_are_remembered_by_id() {
        let mut store = JobStore::new(&[], &[]);
        let id = JobId::new(3);
        store.request_cancel(id, super::super::jobs::Reason::from("first"));
        store.request_cancel(id, super::super::jobs::Reason::from("second"));
        assert_eq!(
            store.take_cancel(id).as_deref(),
            Some("first"),
            "the first reason is kept"
        );
        assert!(store.take_cancel(id).is_none(), "taken once");
        store.record_api_outcome(id, false);
        assert_eq!(store.api_outcome(id), Some(false));
        assert_eq!(store.api_outcome(JobId::new(4)), None);
    }
}
