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

use super::jobs::{JobSlot, Reason};
use super::Simulation;
use crate::model::{
    ConsumableRequirement, ConsumableResource, ConsumableResourceId, ConsumableResourceType, ConsumableUpdate, JobId,
    QueueId,
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

/// One resource's state and figures.
#[derive(Clone, Debug)]
struct ResourceState {
    spec: ConsumableResource,
    /// `totalQuantity` now.
    total: u64,
    /// `inUseQuantity` now.
    in_use: u64,
    peak_in_use: u64,
    consumed: u64,
    acquisitions: u64,
    /// Integrals since time 0 up to `since`: unit-milliseconds in use and of the total (or
    /// of what is in use, when more).
    in_use_unit_ms: u128,
    total_unit_ms: u128,
    since: SimTime,
    jobs_waited: u64,
    wait: StatsAccumulator,
    /// Queues whose blocked head (or a backfilling candidate) found this resource short.
    waiting_queues: BTreeSet<QueueId>,
    /// The status reason of a job waiting for it.
    reason: Arc<str>,
}

impl ResourceState {
    fn available(&self) -> u64 {
        self.total.saturating_sub(self.in_use)
    }

    /// Brings the integrals up to `now` (before a quantity changes, and at the end).
    fn integrate(&mut self, now: SimTime) {
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
    resources: Vec<ResourceState>,
    /// Jobs holding their resources now.
    holders: BTreeSet<JobId>,
    /// Jobs found short: when first, and of which resource (one entry per job and resource).
    waiting: BTreeMap<(JobId, ConsumableResourceId), SimTime>,
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

    /// The first resource of `needs` with less available than needed.
    fn short_of(&self, needs: &[ConsumableRequirement]) -> Option<ConsumableResourceId> {
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
    fn take(&mut self, id: JobId, needs: &[ConsumableRequirement], now: SimTime, dispatch: bool) {
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
    fn give_back(&mut self, id: JobId, needs: &[ConsumableRequirement], consume: bool, now: SimTime) -> Vec<usize> {
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

impl Simulation {
    /// A library submission's override by name, resolved (sorted, one entry per resource).
    pub(super) fn consumable_override(
        &self,
        list: &[(String, u64)],
    ) -> Result<Vec<ConsumableRequirement>, super::SubmitError> {
        let mut out = Vec::with_capacity(list.len());
        for (name, quantity) in list {
            let tail = crate::model::arn_tail(name);
            let resource = self
                .consumables
                .as_deref()
                .and_then(|c| c.resources.iter().position(|r| r.spec.name == tail))
                .ok_or_else(|| super::SubmitError::UnknownConsumableResource { name: name.clone() })?;
            if *quantity == 0 {
                return Err(super::SubmitError::ConsumableQuantity { name: name.clone() });
            }
            out.push(ConsumableRequirement {
                resource: ConsumableResourceId(resource as u32),
                quantity: *quantity,
            });
        }
        Ok(crate::model::merge_consumable_override(&[], &out))
    }

    /// How many consumable resources the simulation has.
    pub(super) fn consumable_count(&self) -> usize {
        self.consumables.as_deref().map_or(0, |c| c.resources.len())
    }

    /// The first consumable resource job `slot` needs and cannot have now (`None`: it has
    /// all it needs, or needs none).
    #[inline]
    pub(super) fn consumable_short(&self, slot: JobSlot) -> Option<ConsumableResourceId> {
        let c = self.consumables.as_deref()?;
        let job = self.jobs.get(slot)?;
        if job.spec.consumables.is_empty() || c.holders.contains(&job.id) {
            return None;
        }
        c.short_of(&job.spec.consumables)
    }

    /// Job `slot` of queue `q` found `r` short: the queue waits on `r`; `head` (the queue's
    /// blocked head, not a backfilling candidate) starts its wait and gets the status reason.
    pub(super) fn consumable_wait(&mut self, q: QueueId, slot: JobSlot, r: ConsumableResourceId, head: bool) {
        let now = self.kernel.now;
        let Some(c) = self.consumables.as_deref_mut() else {
            return;
        };
        let Some(res) = c.resources.get_mut(r.index()) else {
            return;
        };
        res.waiting_queues.insert(q);
        let reason = res.reason.clone();
        let Some(job) = self.jobs.get_mut(slot) else { return };
        if !head {
            return;
        }
        if let std::collections::btree_map::Entry::Vacant(e) = c.waiting.entry((job.id, r)) {
            e.insert(now);
            res.jobs_waited += 1;
        }
        // Resources are checked in id order: one before `r` the job waited for is there now,
        // so that wait is over.
        let over: Vec<(ConsumableResourceId, SimTime)> = c
            .waiting
            .range((job.id, ConsumableResourceId(0))..(job.id, r))
            .map(|(k, since)| (k.1, *since))
            .collect();
        for (earlier, since) in over {
            c.waiting.remove(&(job.id, earlier));
            if let Some(e) = c.resources.get_mut(earlier.index()) {
                e.wait.record(now.since(since).as_millis());
            }
        }
        // The reason names the resource waited for now (another reason stays).
        let ours = match &job.status_reason {
            None => true,
            Some(Reason::Text(t)) => c.resources.iter().any(|x| Arc::ptr_eq(&x.reason, t)),
            Some(_) => false,
        };
        if ours {
            job.status_reason = Some(Reason::Text(reason));
        }
    }

    /// Job `slot` takes its consumable resources: at `dispatch`, or with a claim.
    pub(super) fn take_consumables(&mut self, slot: JobSlot, dispatch: bool) {
        let now = self.kernel.now;
        let Some(c) = self.consumables.as_deref_mut() else {
            return;
        };
        let Some(job) = self.jobs.get_mut(slot) else { return };
        if job.spec.consumables.is_empty() {
            return;
        }
        c.take(job.id, &job.spec.consumables, now, dispatch);
        // The wait is over: a reason it was given for the wait goes.
        if matches!(&job.status_reason, Some(Reason::Text(t)) if c.resources.iter().any(|r| Arc::ptr_eq(&r.reason, t)))
        {
            job.status_reason = None;
        }
    }

    /// Job `slot` gives its consumable resources back: `consume` when an attempt ended (a
    /// NON_REPLENISHABLE resource's units are then gone), not when a claim is given up. The
    /// queues waiting on a resource with more available are woken.
    pub(super) fn give_back_consumables(&mut self, slot: JobSlot, consume: bool) {
        let now = self.kernel.now;
        let Some(c) = self.consumables.as_deref_mut() else {
            return;
        };
        let Some(job) = self.jobs.get(slot) else { return };
        if job.spec.consumables.is_empty() {
            return;
        }
        let freed = c.give_back(job.id, &job.spec.consumables, consume, now);
        for r in freed {
            self.wake_consumable(r);
        }
    }

    /// A job leaves RUNNABLE without being dispatched (cancelled, failed): its waits end
    /// without a sample.
    pub(super) fn forget_consumable_waits(&mut self, slot: JobSlot) {
        let Some(c) = self.consumables.as_deref_mut() else {
            return;
        };
        let Some(job) = self.jobs.get(slot) else { return };
        for n in job.spec.consumables.iter() {
            c.waiting.remove(&(job.id, n.resource));
        }
    }

    /// The queues waiting on resource `r` may go on.
    fn wake_consumable(&mut self, r: usize) {
        let Some(c) = self.consumables.as_deref_mut() else {
            return;
        };
        let Some(res) = c.resources.get_mut(r) else { return };
        for q in std::mem::take(&mut res.waiting_queues) {
            if let Some(qr) = self.queues.get_mut(q.index()) {
                qr.stalled = false;
            }
            self.dispatch_needed = true;
        }
    }

    /// UpdateConsumableResource: the new total; waiting queues wake when more is available.
    pub(super) fn update_consumable(&mut self, r: ConsumableResourceId, update: ConsumableUpdate) {
        let now = self.kernel.now;
        let Some(c) = self.consumables.as_deref_mut() else {
            return;
        };
        let Some(res) = c.resources.get_mut(r.index()) else {
            return;
        };
        res.integrate(now);
        let before = res.available();
        if let ConsumableUpdate::Remove(q) = update {
            if q > res.total {
                let warning = format!(
                    "updateConsumableResource at {} s: REMOVE {q} from consumable resource `{}`, whose total was {}: the total is 0",
                    now.as_secs_f64(),
                    res.spec.name,
                    res.total
                );
                self.ledger.warnings.push(warning);
            }
        }
        res.total = update.apply(res.total);
        if res.available() > before {
            self.wake_consumable(r.index());
        }
    }

    /// The report's `consumableResources` at `end` (empty without consumable resources).
    pub(super) fn consumable_report(&self, end: SimTime) -> BTreeMap<String, ConsumableReport> {
        let Some(c) = self.consumables.as_deref() else {
            return BTreeMap::new();
        };
        let live: BTreeSet<JobId> = self
            .jobs
            .iter()
            .filter(|(_, j)| j.first_dispatch.is_none() && j.status == crate::model::JobStatus::Runnable)
            .map(|(_, j)| j.id)
            .collect();
        c.report(end, |id| live.contains(&id))
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
