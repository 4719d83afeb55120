//! The queue set: every job queue's runtime state (its RUNNABLE set, its policy, what the
//! dispatch pass remembers of it), the order the dispatch pass visits them in (CONTRACT 7.1:
//! descending `priority`, then scenario order), the scheduling policies they use, and the
//! run's numbering of share identifiers.
//!
//! A component that owns its data: the rest of the engine reaches a queue by its
//! [`QueueId`] (`queues[q]`) and never sees the vectors inside.

use crate::model::{CeId, PolicyId, QueueId, SchedulingPolicy};
use crate::policy::{FairShare, RunnableSet};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The scheduling policy of one queue. Built-ins are matched statically; a custom policy is
/// called through its trait object.
pub(crate) enum QueuePolicy {
    Fifo,
    FairShare(FairShare),
    Custom(crate::policy::SharedPolicy),
}

impl Clone for QueuePolicy {
    fn clone(&self) -> Self {
        match self {
            QueuePolicy::Fifo => QueuePolicy::Fifo,
            QueuePolicy::FairShare(p) => QueuePolicy::FairShare(p.clone()),
            QueuePolicy::Custom(p) => QueuePolicy::Custom(p.fork()),
        }
    }
}

/// The engine's state of one job queue.
#[derive(Clone)]
pub(crate) struct QueueRuntime {
    pub spec: crate::model::JobQueue,
    /// `spec.name`, shared (every row of the per-job table names its queue).
    pub name: std::sync::Arc<str>,
    pub set: RunnableSet,
    pub policy: QueuePolicy,
    /// A FIFO queue whose head could not be placed and for which nothing relevant changed.
    pub stalled: bool,
    /// milli-vCPUs held by this queue's attempts, per compute environment index.
    pub held_on_ce: Vec<u64>,
    /// Per CE of `spec.compute_environments`: RUNNABLE jobs that CE could ever fit (for the
    /// `strict` cross-queue rule).
    pub fit_counts: Vec<u64>,
    /// The job the queue could not place at its last pass (the blocked head), if any.
    pub head: Option<(crate::model::JobId, super::jobs::JobSlot)>,
    /// The head's `jobStateTimeLimitActions` clocks still to come (due time, event), so that
    /// a head that leaves withdraws them: a clock of a job that is no longer the head is no
    /// event of the run (it would move `endSeconds`, CONTRACT 7.2).
    pub head_timers: Vec<(crate::time::SimTime, super::queue::EventKey)>,
    /// RUNNABLE jobs holding a claim on one launching instance (out of `set`: not the
    /// queue's head), by job id (CONTRACT 7.14 b, c).
    pub claimed: super::claimed::ClaimedSet,
    /// (pass number, last claimed job looked at): within one dispatch pass READY room only
    /// shrinks, so a claimed job that found none is not looked at again in that pass.
    pub claims_checked: (u64, Option<crate::model::JobId>),
    /// Fair share's active shares (a job SUBMITTED..RUNNING, or the decay period not over
    /// since the last one ended).
    pub active: super::shares::ActiveShares,
    /// The RUNNABLE set in submission order for backfilling (kept when some queue
    /// backfills).
    pub backfill_index: super::backfill_index::BackfillIndex,
    /// A custom placement (`None`: AWS's order, [`crate::policy::AwsOrder`]).
    pub placement: crate::policy::Installed<dyn crate::policy::PlacementPolicy>,
    /// A custom backfilling policy (`None`: the queue's `backfill` mode).
    pub backfill_policy: crate::policy::Installed<dyn crate::policy::BackfillPolicy>,
    /// A custom reservation rule (`None`: `computeReservation`,
    /// [`crate::policy::AwsReservation`]).
    pub reservation: crate::policy::Installed<dyn crate::policy::ReservationRule>,
}

impl QueueRuntime {
    /// RUNNABLE jobs of this queue that compute environment `ce` could ever fit (the
    /// `strict` counts; 0 when the queue does not list `ce`).
    #[inline]
    pub fn fits_waiting_on(&self, ce: CeId) -> u64 {
        self.spec
            .compute_environments
            .iter()
            .position(|&c| c == ce)
            .map_or(0, |k| self.fit_counts[k])
    }
}

/// Every queue of the run, by [`QueueId`], with the visiting order, the scheduling policies
/// and the share numbering.
#[derive(Clone)]
pub(crate) struct QueueSet {
    queues: Vec<QueueRuntime>,
    /// Queue ids in visiting order: descending priority, then scenario order.
    order: Vec<QueueId>,
    /// The scenario's scheduling policies (as changed by actions), by [`PolicyId`].
    policies: Vec<SchedulingPolicy>,
    /// Share identifiers by name, numbered in order of appearance.
    share_ids: BTreeMap<Arc<str>, u32>,
}

impl QueueSet {
    /// A set with no queues yet, using `policies`.
    pub fn new(policies: Vec<SchedulingPolicy>) -> QueueSet {
        QueueSet {
            queues: Vec::new(),
            order: Vec::new(),
            policies,
            share_ids: BTreeMap::new(),
        }
    }

    /// The runtime state of a queue defined by `spec`, for a run of `ce_count` compute
    /// environments (its policy from `spec.scheduling_policy`, nothing queued).
    pub fn runtime(&self, spec: crate::model::JobQueue, ce_count: usize) -> QueueRuntime {
        let fair = spec.scheduling_policy.map(|p| self.policies[p.index()].clone());
        let decay = fair.as_ref().map(|p| p.share_decay);
        QueueRuntime {
            set: RunnableSet::new(decay),
            policy: match fair {
                Some(p) => QueuePolicy::FairShare(FairShare::new(p)),
                None => QueuePolicy::Fifo,
            },
            stalled: false,
            head: None,
            head_timers: Vec::new(),
            claimed: Default::default(),
            claims_checked: (0, None),
            held_on_ce: vec![0; ce_count],
            fit_counts: vec![0; spec.compute_environments.len()],
            active: super::shares::ActiveShares::new(decay),
            backfill_index: Default::default(),
            placement: Default::default(),
            backfill_policy: Default::default(),
            reservation: Default::default(),
            name: std::sync::Arc::from(spec.name.as_str()),
            spec,
        }
    }

    /// Adds a queue (the next [`QueueId`]); call [`QueueSet::relink`] after the last one.
    pub fn push(&mut self, queue: QueueRuntime) {
        self.queues.push(queue);
    }

    /// The queue `q`, if the run has it.
    pub fn get_mut(&mut self, q: QueueId) -> Option<&mut QueueRuntime> {
        self.queues.get_mut(q.index())
    }

    /// Every queue in scenario order.
    pub fn iter(&self) -> std::slice::Iter<'_, QueueRuntime> {
        self.queues.iter()
    }

    /// The queues as a slice in scenario order (for helpers that take every queue).
    pub fn as_mut_slice(&mut self) -> &mut [QueueRuntime] {
        &mut self.queues
    }

    /// Every id, in scenario order (not borrowing the set, so the caller may change queues
    /// while it walks them).
    pub fn ids(&self) -> impl Iterator<Item = QueueId> + use<> {
        (0..self.queues.len() as u32).map(QueueId)
    }

    /// The `i`-th queue id in visiting order (by position, so a caller may change queues
    /// while it walks the order).
    pub fn in_order(&self, i: usize) -> Option<QueueId> {
        self.order.get(i).copied()
    }

    /// Recomputes the visiting order (descending `priority`, then scenario order) and calls
    /// `attach(ce, q)` for each compute environment each queue lists, queues in visiting
    /// order: how each compute environment learns its attached queues.
    pub fn relink(&mut self, mut attach: impl FnMut(CeId, QueueId)) {
        let queues = &self.queues;
        let mut order: Vec<QueueId> = (0..queues.len() as u32).map(QueueId).collect();
        order.sort_by_key(|q| (std::cmp::Reverse(queues[q.index()].spec.priority), q.0));
        for &q in &order {
            for &c in &queues[q.index()].spec.compute_environments {
                attach(c, q);
            }
        }
        self.order = order;
    }

    /// The scheduling policy `p`.
    pub fn policy(&self, p: PolicyId) -> &SchedulingPolicy {
        &self.policies[p.index()]
    }

    /// The scheduling policy `p`, if the run has it.
    pub fn get_policy(&self, p: PolicyId) -> Option<&SchedulingPolicy> {
        self.policies.get(p.index())
    }

    /// Every scheduling policy, by [`PolicyId`].
    pub fn policies(&self) -> &[SchedulingPolicy] {
        &self.policies
    }

    /// The run's number of share identifier `share` and whether it is new (numbered
    /// `next` now); `u32::MAX` for no share.
    pub fn share_number(&mut self, share: &Arc<str>, next: u32) -> (u32, bool) {
        if share.is_empty() {
            return (u32::MAX, false);
        }
        if let Some(&ix) = self.share_ids.get(share) {
            return (ix, false);
        }
        self.share_ids.insert(share.clone(), next);
        (next, true)
    }
}

impl std::ops::Index<QueueId> for QueueSet {
    type Output = QueueRuntime;
    fn index(&self, q: QueueId) -> &QueueRuntime {
        &self.queues[q.index()]
    }
}

impl std::ops::IndexMut<QueueId> for QueueSet {
    fn index_mut(&mut self, q: QueueId) -> &mut QueueRuntime {
        &mut self.queues[q.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Backfill, JobQueue, QueueState};

    fn queue(name: &str, priority: u32, ces: &[u32]) -> JobQueue {
        JobQueue {
            name: name.into(),
            state: QueueState::Enabled,
            priority,
            compute_environments: ces.iter().map(|&c| CeId(c)).collect(),
            scheduling_policy: None,
            state_time_limit_actions: Vec::new(),
            backfill: Backfill::None,
        }
    }

    /// CONTRACT 7.1: queues are visited in descending priority, ties in scenario order; each
    /// compute environment learns its queues in that order.
    #[test]
    fn queues_are_visited_by_priority_then_scenario_order() {
        let mut set = QueueSet::new(Vec::new());
        for (name, priority, ces) in [("low", 1, &[0][..]), ("high", 9, &[1, 0]), ("tie", 1, &[0])] {
            let q = set.runtime(queue(name, priority, ces), 2);
            set.push(q);
        }
        let mut attached = Vec::new();
        set.relink(|c, q| attached.push((c.0, q.0)));
        let order: Vec<u32> = (0..).map_while(|i| set.in_order(i)).map(|q| q.0).collect();
        assert_eq!(order, vec![1, 0, 2]);
        assert_eq!(attached, vec![(1, 1), (0, 1), (0, 0), (0, 2)]);
        assert_eq!(set[QueueId(1)].spec.name, "high");
        assert_eq!(
            set[QueueId(0)].held_on_ce,
            vec![0, 0],
            "one counter per compute environment"
        );
        assert!(matches!(set[QueueId(2)].policy, QueuePolicy::Fifo));
    }

    #[test]
    fn shares_are_numbered_in_order_of_appearance() {
        let mut set = QueueSet::new(Vec::new());
        let (a, b): (Arc<str>, Arc<str>) = ("blue".into(), "red".into());
        assert_eq!(set.share_number(&a, 0), (0, true));
        assert_eq!(set.share_number(&b, 1), (1, true));
        assert_eq!(set.share_number(&a, 2), (0, false), "a known share keeps its number");
        assert_eq!(set.share_number(&"".into(), 2), (u32::MAX, false), "no share");
    }
}
