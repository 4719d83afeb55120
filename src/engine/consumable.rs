//! Consumable resources at run time (AWS Batch resource-aware scheduling): what each
//! resource has, who holds it, who waits for it, and the queues to wake when it comes back.
//!
//! AWS (User Guide, *Specify the resources needed to run a job*): "If a consumable resource
//! for the job is not available when the job reaches the head of the queue, the job will
//! wait in `RUNNABLE` state until all the required resources become available or the job
//! state time limit is reached ... Resources are locked once the job moves to `STARTING` and
//! are then unlocked when the job moves to `SUCCEEDED` or `FAILED`." And (*Check how many
//! resources are in-use and available*): "If the resource is `NON_REPLENISHABLE`, the number
//! of consumed resources is subtracted from both the total and available quantities and
//! won't be added back".
//!
//! The rules, as the engine applies them:
//! - a job's resources are checked before any compute environment is asked (so a job short of
//!   a resource launches no instance); a job short of one is its queue's blocked head (a
//!   FIFO queue waits behind it, as for capacity) with the status reason
//!   [`reason_text`] (batchsim's text: AWS documents none);
//! - they are taken at dispatch (STARTING) or, on EC2, when the job claims room on a
//!   launching instance (the claim is the decision to run it there; batchsim's choice), and
//!   given back when the attempt ends (REPLENISHABLE) or subtracted from the total
//!   (NON_REPLENISHABLE); a claim given up gives them back; a retry takes them again;
//! - a queue whose head is short of resource `r` rests (no pass looks at it) until `r` is
//!   given back or raised by `updateConsumableResource`: only the queues waiting on `r` are
//!   woken, so a pass never scans jobs because a resource is short.
//!
//! Everything is in `BTreeMap`/`Vec` order by id: no hash order reaches the results.

use crate::model::{
    ConsumableRequirement, ConsumableResource, ConsumableResourceId, ConsumableResourceType, JobId, QueueId,
};
use crate::report::{ConsumableReport, StatsAccumulator};
use crate::time::SimTime;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The status reason of a RUNNABLE job whose consumable resource is short (batchsim's text:
/// AWS documents none for this wait).
pub(crate) fn reason_text(name: &str) -> String {
    format!("Waiting for consumable resource {name}")
}

/// The resources among the first 64 (one bit each by index) of which `needs` takes at least
/// a unit (see [`Consumables::exhausted_mask`]).
pub(super) fn needs_mask(needs: &[ConsumableRequirement]) -> u64 {
    needs
        .iter()
        .filter(|n| n.quantity > 0 && n.resource.index() < 64)
        .fold(0, |m, n| m | 1 << n.resource.index())
}

/// One resource's state and figures.
#[derive(Clone, Debug)]
pub(super) struct ResourceState {
    pub(super) spec: ConsumableResource,
    /// `totalQuantity` now.
    pub(super) total: u64,
    /// `inUseQuantity` now.
    pub(super) in_use: u64,
    pub(super) peak_in_use: u64,
    pub(super) consumed: u64,
    pub(super) acquisitions: u64,
    /// Integrals since time 0 up to `since`: unit-milliseconds in use and of the total (or
    /// of what is in use, when more).
    pub(super) in_use_unit_ms: u128,
    pub(super) total_unit_ms: u128,
    pub(super) since: SimTime,
    pub(super) jobs_waited: u64,
    pub(super) wait: StatsAccumulator,
    /// Queues whose blocked head (or a backfilling candidate) found this resource short.
    pub(super) waiting_queues: BTreeSet<QueueId>,
    /// The status reason of a job waiting for it.
    pub(super) reason: Arc<str>,
}

impl ResourceState {
    pub(super) fn available(&self) -> u64 {
        self.total.saturating_sub(self.in_use)
    }

    /// Brings the integrals up to `now` (before a quantity changes, and at the end).
    pub(super) fn integrate(&mut self, now: SimTime) {
        let ms = u128::from(now.since(self.since).as_millis());
        self.in_use_unit_ms += ms * u128::from(self.in_use);
        // What is in use beyond the total (an update took the total below it) counts as
        // there, so utilization stays at most 1.
        self.total_unit_ms += ms * u128::from(self.total.max(self.in_use));
        self.since = now;
    }
}

/// Every consumable resource of a run (the engine has one only when the scenario declares
/// some).
#[derive(Clone, Debug)]
pub(crate) struct Consumables {
    pub(super) resources: Vec<ResourceState>,
    /// Jobs holding their resources now.
    pub(super) holders: BTreeSet<JobId>,
    /// Jobs found short: when first, and of which resource (one entry per job and resource).
    pub(super) waiting: BTreeMap<(JobId, ConsumableResourceId), SimTime>,
}

impl Consumables {
    /// The state at time 0 of `resources` (`None` when there are none).
    pub(crate) fn new(resources: &[ConsumableResource]) -> Option<Box<Consumables>> {
        if resources.is_empty() {
            return None;
        }
        Some(Box::new(Consumables {
            resources: resources
                .iter()
                .map(|r| ResourceState {
                    spec: r.clone(),
                    total: r.total_quantity,
                    in_use: 0,
                    peak_in_use: 0,
                    consumed: 0,
                    acquisitions: 0,
                    in_use_unit_ms: 0,
                    total_unit_ms: 0,
                    since: SimTime::ZERO,
                    jobs_waited: 0,
                    wait: StatsAccumulator::new(),
                    waiting_queues: BTreeSet::new(),
                    reason: Arc::from(reason_text(&r.name)),
                })
                .collect(),
            holders: BTreeSet::new(),
            waiting: BTreeMap::new(),
        }))
    }

    /// The resources (the first 64, one bit each by index) with nothing available: any job
    /// needing a unit of one is short of it (backfilling skips such jobs without a look).
    pub(super) fn exhausted_mask(&self) -> u64 {
        self.resources
            .iter()
            .take(64)
            .enumerate()
            .filter(|(_, r)| r.available() == 0)
            .fold(0, |m, (i, _)| m | 1 << i)
    }

    /// The first resource of `needs` with less available than needed.
    pub(super) fn short_of(&self, needs: &[ConsumableRequirement]) -> Option<ConsumableResourceId> {
        needs
            .iter()
            .find(|n| {
                self.resources
                    .get(n.resource.index())
                    .is_none_or(|r| r.available() < n.quantity)
            })
            .map(|n| n.resource)
    }

    /// Takes `needs` for job `id` (checked available by the caller); ends its waits. A
    /// `dispatch` counts one acquisition of each (a claim's units are counted when the job
    /// is dispatched).
    pub(super) fn take(&mut self, id: JobId, needs: &[ConsumableRequirement], now: SimTime, dispatch: bool) {
        if dispatch {
            for n in needs {
                if let Some(r) = self.resources.get_mut(n.resource.index()) {
                    r.acquisitions += 1;
                }
            }
        }
        if !self.holders.insert(id) {
            return;
        }
        for n in needs {
            let Some(r) = self.resources.get_mut(n.resource.index()) else {
                continue;
            };
            r.integrate(now);
            r.in_use = r.in_use.saturating_add(n.quantity);
            r.peak_in_use = r.peak_in_use.max(r.in_use);
            if let Some(since) = self.waiting.remove(&(id, n.resource)) {
                r.wait.record(now.since(since).as_millis());
            }
        }
    }

    /// Gives back what job `id` holds: `consume` (an attempt ended) subtracts a
    /// NON_REPLENISHABLE resource's units from its total. Returns the resources with more
    /// available now.
    pub(super) fn give_back(
        &mut self,
        id: JobId,
        needs: &[ConsumableRequirement],
        consume: bool,
        now: SimTime,
    ) -> Vec<usize> {
        if !self.holders.remove(&id) {
            return Vec::new();
        }
        let mut freed = Vec::new();
        for n in needs {
            let Some(r) = self.resources.get_mut(n.resource.index()) else {
                continue;
            };
            r.integrate(now);
            r.in_use = r.in_use.saturating_sub(n.quantity);
            if consume && r.spec.resource_type == ConsumableResourceType::NonReplenishable {
                r.total = r.total.saturating_sub(n.quantity);
                r.consumed = r.consumed.saturating_add(n.quantity);
            } else {
                freed.push(n.resource.index());
            }
        }
        freed
    }

    /// The report's figures at `end`, by name; `live_waiting` tells which waiting jobs are
    /// still RUNNABLE.
    pub(crate) fn report(
        &self,
        end: SimTime,
        live_waiting: impl Fn(JobId) -> bool,
    ) -> BTreeMap<String, ConsumableReport> {
        let mut still = vec![0u64; self.resources.len()];
        for (id, r) in self.waiting.keys() {
            if live_waiting(*id) {
                if let Some(s) = still.get_mut(r.index()) {
                    *s += 1;
                }
            }
        }
        self.resources
            .iter()
            .zip(still)
            .map(|(r, jobs_waiting)| {
                let mut r2 = r.clone();
                r2.integrate(end.max(r.since));
                let report = ConsumableReport {
                    resource_type: r.spec.resource_type.as_str().to_string(),
                    total_quantity: r.total,
                    in_use_quantity: r.in_use,
                    available_quantity: r.available(),
                    peak_in_use: r.peak_in_use,
                    consumed: r.consumed,
                    acquisitions: r.acquisitions,
                    unit_seconds_in_use: r2.in_use_unit_ms as f64 / 1000.0,
                    utilization: if r2.total_unit_ms > 0 {
                        r2.in_use_unit_ms as f64 / r2.total_unit_ms as f64
                    } else {
                        0.0
                    },
                    jobs_waited: r.jobs_waited,
                    jobs_waiting,
                    wait_seconds: r.wait.stats(),
                };
                (r.spec.name.clone(), report)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn need(r: u32, quantity: u64) -> ConsumableRequirement {
        ConsumableRequirement {
            resource: ConsumableResourceId(r),
            quantity,
        }
    }

    fn state() -> Box<Consumables> {
        let mut tokens = ConsumableResource::new("tokens", 3);
        tokens.resource_type = ConsumableResourceType::NonReplenishable;
        Consumables::new(&[ConsumableResource::new("licences", 2), tokens]).unwrap()
    }

    const T0: SimTime = SimTime::ZERO;

    #[test]
    fn none_without_resources() {
        assert!(Consumables::new(&[]).is_none());
    }

    #[test]
    fn replenishable_units_come_back_and_non_replenishable_ones_are_consumed() {
        let mut c = state();
        let (a, b) = (JobId::new(1), JobId::new(2));
        assert_eq!(c.short_of(&[need(0, 2), need(1, 3)]), None);
        c.take(a, &[need(0, 2), need(1, 3)], T0, true);
        assert_eq!(c.short_of(&[need(0, 1)]), Some(ConsumableResourceId(0)));
        assert_eq!(c.short_of(&[need(1, 1)]), Some(ConsumableResourceId(1)));
        // Taking again (a claimed job dispatched) counts the dispatch and holds no more.
        c.take(a, &[need(0, 2), need(1, 3)], T0, true);
        assert_eq!(c.resources[0].in_use, 2);
        assert_eq!(c.resources[0].acquisitions, 2);
        let t = SimTime::from_millis(10_000);
        let freed = c.give_back(a, &[need(0, 2), need(1, 3)], true, t);
        assert_eq!(freed, vec![0], "only the REPLENISHABLE resource has more available");
        assert_eq!((c.resources[0].total, c.resources[0].in_use), (2, 0));
        assert_eq!((c.resources[1].total, c.resources[1].consumed), (0, 3));
        assert_eq!(
            c.short_of(&[need(1, 1)]),
            Some(ConsumableResourceId(1)),
            "gone for good"
        );
        // Giving back what is not held does nothing.
        assert!(c.give_back(b, &[need(0, 1)], true, t).is_empty());
        let r = c.report(t, |_| false);
        assert_eq!(r["licences"].unit_seconds_in_use, 20.0);
        assert_eq!(r["licences"].utilization, 1.0);
        assert_eq!(r["tokens"].peak_in_use, 3);
        assert_eq!(r["tokens"].total_quantity, 0);
    }

    #[test]
    fn a_claim_given_up_does_not_consume() {
        let mut c = state();
        let a = JobId::new(1);
        c.take(a, &[need(1, 2)], T0, false);
        assert_eq!(c.resources[1].acquisitions, 0, "a claim is not a dispatch");
        assert_eq!(c.give_back(a, &[need(1, 2)], false, T0), vec![1]);
        assert_eq!((c.resources[1].total, c.resources[1].consumed), (3, 0));
    }

    #[test]
    fn waits_are_timed_from_first_short_to_taken() {
        let mut c = state();
        let a = JobId::new(1);
        c.waiting
            .insert((a, ConsumableResourceId(0)), SimTime::from_millis(1_000));
        c.take(a, &[need(0, 1)], SimTime::from_millis(4_500), true);
        assert_eq!(c.resources[0].wait.stats().max, Some(3.5));
        assert!(c.waiting.is_empty());
    }
}
