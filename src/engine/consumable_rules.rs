//! The engine's consumable-resource rules (the state, and the AWS sentences they rest on,
//! are in `consumable.rs`): what the dispatch pass asks, what dispatch, the end of an
//! attempt and the claims take and give back, the `updateConsumableResource` action, the
//! library override and the report's block.

use super::jobs::{JobSlot, Reason};
use super::Simulation;
use crate::model::{ConsumableRequirement, ConsumableResourceId, ConsumableUpdate, JobId, QueueId};
use crate::report::ConsumableReport;
use crate::time::SimTime;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

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
        if job.spec.consumables.is_empty() || c.holders.contains(&job.id()) {
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
        let id = job.id();
        if let std::collections::btree_map::Entry::Vacant(e) = c.waiting.entry((id, r)) {
            e.insert(now);
            res.jobs_waited += 1;
        }
        // Resources are checked in id order: one before `r` the job waited for is there now,
        // so that wait is over.
        let over: Vec<(ConsumableResourceId, SimTime)> = c
            .waiting
            .range((id, ConsumableResourceId(0))..(id, r))
            .map(|(k, since)| (k.1, *since))
            .collect();
        for (earlier, since) in over {
            c.waiting.remove(&(id, earlier));
            if let Some(e) = c.resources.get_mut(earlier.index()) {
                e.wait.record(now.since(since).as_millis());
            }
        }
        // The reason names the resource waited for now. A blocked queue's reason
        // (`MISCONFIGURATION:...`, `CAPACITY:...`) stays; a failed attempt's, on a retried
        // job, goes, as it does for a blocked queue's reason (AWS: "The same reason is also
        // updated into the statusReason field"): found by an independent implementation.
        let ours = job
            .status_reason()
            .is_none_or(|t| !super::blocked::is_blocked_reason(t));
        if ours {
            job.progress_mut().status_reason = Some(Reason::Text(reason));
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
        c.take(job.id(), &job.spec.consumables, now, dispatch);
        // The wait is over: a reason it was given for the wait goes.
        if matches!(job.status_reason(), Some(Reason::Text(t)) if c.resources.iter().any(|r| Arc::ptr_eq(&r.reason, t)))
        {
            if let Some(p) = job.progress_if_any() {
                p.status_reason = None;
            }
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
        let freed = c.give_back(job.id(), &job.spec.consumables, consume, now);
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
            c.waiting.remove(&(job.id(), n.resource));
        }
    }

    /// The queues waiting on resource `r` may go on.
    fn wake_consumable(&mut self, r: usize) {
        let Some(c) = self.consumables.as_deref_mut() else {
            return;
        };
        let Some(res) = c.resources.get_mut(r) else { return };
        for q in std::mem::take(&mut res.waiting_queues) {
            if let Some(qr) = self.queues.get_mut(q) {
                qr.stalled = false;
            }
            self.dispatch_needed = true;
        }
    }

    /// Queue `q` waits on each resource of `mask` (bits by index, as
    /// [`super::consumable::needs_mask`]): a backfilling pass skipped jobs short of them.
    pub(super) fn consumable_wait_all(&mut self, q: QueueId, mask: u64) {
        let Some(c) = self.consumables.as_deref_mut() else {
            return;
        };
        for (i, res) in c.resources.iter_mut().enumerate().take(64) {
            if mask & 1 << i != 0 {
                res.waiting_queues.insert(q);
            }
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
            .filter(|(_, j)| j.status == crate::model::JobStatus::Runnable)
            .map(|(_, j)| j.id())
            .collect();
        c.report(end, |id| live.contains(&id))
    }
}
