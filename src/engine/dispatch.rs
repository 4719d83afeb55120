//! The dispatch pass: offer each queue's next job to its compute environments.

use super::capacity::{CeRuntime, Placement};
use super::jobs::{Job, JobSlot};
use super::rooms::Rooms;
use super::{QueuePolicy, Simulation};
use crate::model::{CeId, QueueId};

impl Simulation {
    /// One dispatch pass (CONTRACT section 6): queues in descending priority, each offering
    /// jobs until its next job cannot be placed; repeated until nothing more is placed.
    pub(super) fn dispatch_pass(&mut self) {
        self.dispatch_needed = false;
        self.passes += 1;
        if self.lambda_on {
            self.sync_lambda_clocks();
        }
        if self.spot_on {
            self.sync_spot_markets();
        }
        loop {
            let mut placed = false;
            let mut i = 0;
            while let Some(q) = self.queues.in_order(i) {
                i += 1;
                let qr = &self.queues[q];
                // Most queues have nothing to do: skip them without a call.
                if qr.stalled || (qr.set.is_empty() && qr.claimed.is_empty()) {
                    continue;
                }
                placed |= self.dispatch_queue(q);
            }
            if !placed {
                break;
            }
        }
        if self.spot_on {
            self.spot_after_pass();
        }
    }

    /// Offers queue `q`'s jobs (the queue is neither stalled nor empty).
    fn dispatch_queue(&mut self, q: QueueId) -> bool {
        let mut placed = false;
        let previous = self.queues[q].head.take();
        let mut blocked = None;
        while let Some(slot) = self.pick(q) {
            // Claimed jobs ahead of it may take READY room first (CONTRACT 7.14 c); a queue
            // without claimed jobs (every Fargate queue) is not asked (a call per pick).
            if !self.queues[q].claimed.is_empty() {
                placed |= self.claims_to_ready_room(q, Some(slot));
            }
            // A job short of a consumable resource is not offered to any compute
            // environment (it launches nothing) and waits at the head (`consumable.rs`).
            let short = self.consumable_short(slot);
            if let Some(r) = short {
                self.consumable_wait(q, slot, r, true);
            }
            match short.is_none().then(|| self.find_ce(q, slot)).flatten() {
                Some((ce, Placement::Task)) => {
                    self.dispatch(slot, ce, Rooms::default());
                    placed = true;
                }
                Some((ce, placement)) => {
                    self.place_on_instances(slot, ce, placement);
                    placed = true;
                }
                None => {
                    // FIFO: the head stays the head until something changes, so the queue
                    // can rest until then. A fair-share pick can change with time (usage
                    // decays), so the queue rests only when no share's first job fits
                    // anywhere now: then no pick could place anything until capacity or the
                    // queue changes. A custom policy may pick any job: it is always asked.
                    let rest = match &self.queues[q].policy {
                        QueuePolicy::Fifo => true,
                        QueuePolicy::FairShare(_) => !self.some_share_head_fits(q),
                        QueuePolicy::Custom(_) => false,
                    };
                    if rest {
                        self.queues[q].stalled = true;
                        if self.consumables.is_some() {
                            self.share_heads_wait(q);
                        }
                    }
                    if self.ec2_capacity.is_some() {
                        self.ec2_wake_if_short(q, slot);
                    }
                    blocked = Some(slot);
                    break;
                }
            }
        }
        if blocked.is_none() && !self.queues[q].claimed.is_empty() {
            placed |= self.claims_to_ready_room(q, None);
        }
        self.new_head(q, previous, blocked);
        if let Some(slot) = blocked {
            self.wake_when_a_share_expires(q, slot);
        }
        if let Some(head) = blocked {
            placed |= self.backfill(q, head);
        }
        placed
    }

    /// Whether the first job of some share of queue `q` could be placed now.
    fn some_share_head_fits(&self, q: QueueId) -> bool {
        let ces = &self.queues[q].spec.compute_environments;
        if ces.iter().all(|c| self.ces[*c].is_full()) {
            // Every compute environment is full: no head fits, without asking each.
            return false;
        }
        let view = self.queues[q].set.view(self.kernel.now);
        let fits = view
            .shares()
            .filter_map(|s| s.head())
            .any(|j| self.consumable_short(JobSlot(j.slot)).is_none() && self.find_ce(q, JobSlot(j.slot)).is_some());
        fits
    }

    /// A fair-share queue goes to rest: each share's head short of a consumable resource
    /// makes the queue wait on that resource, so its return wakes the queue.
    fn share_heads_wait(&mut self, q: QueueId) {
        if !matches!(self.queues[q].policy, QueuePolicy::FairShare(_)) {
            return;
        }
        let view = self.queues[q].set.view(self.kernel.now);
        let heads: Vec<JobSlot> = view
            .shares()
            .filter_map(|s| s.head())
            .map(|j| JobSlot(j.slot))
            .collect();
        for slot in heads {
            if let Some(r) = self.consumable_short(slot) {
                self.consumable_wait(q, slot, r, false);
            }
        }
    }

    /// The job queue `q`'s policy offers next.
    pub(super) fn pick(&self, q: QueueId) -> Option<JobSlot> {
        let qr = &self.queues[q];
        match &qr.policy {
            // The built-ins answer with a job of the set: no check needed.
            QueuePolicy::Fifo => qr.set.first_submitted().map(|j| JobSlot(j.slot)),
            QueuePolicy::FairShare(p) => p.choose(&qr.set.view(self.kernel.now)).map(|j| JobSlot(j.slot)),
            QueuePolicy::Custom(p) => self.custom_pick(q, p),
        }
    }

    /// The first compute environment of `q` (in order) that takes the job now, and where.
    pub(super) fn find_ce(&self, q: QueueId, slot: JobSlot) -> Option<(CeId, Placement)> {
        let job = self.jobs.get(slot)?;
        let qr = &self.queues[q];
        if let Some(custom) = &qr.placement.0 {
            return match job.spec.nodes {
                None => self.custom_place(q, slot, custom),
                Some(_) => self.custom_place_nodes(q, slot, custom),
            };
        }
        if self.ec2_capacity.is_some() {
            return self.find_ce_with_capacity(q, slot);
        }
        qr.spec.compute_environments.iter().copied().find_map(|ce| {
            let c = self.candidate_ce(q, ce, job)?;
            c.plan(&job.resources(), job.spec.nodes.as_deref()).map(|p| (ce, p))
        })
    }

    /// [`Simulation::find_ce`] under the scenario's `ec2Capacity`: launches only of types EC2
    /// supplies now (kept off the default path).
    #[cold]
    #[inline(never)]
    fn find_ce_with_capacity(&self, q: QueueId, slot: JobSlot) -> Option<(CeId, Placement)> {
        self.next_ce_placing(q, slot, &mut 0)
    }

    /// [`Simulation::find_ce`] from the queue's `*next`-th compute environment on (the
    /// queue's own order; no custom placement), under the scenario's `ec2Capacity` if it has
    /// one: the first that takes the job now, and where, with `*next` moved past it.
    /// Backfilling asks again when its policy refuses the place.
    pub(super) fn next_ce_placing(&self, q: QueueId, slot: JobSlot, next: &mut usize) -> Option<(CeId, Placement)> {
        let job = self.jobs.get(slot)?;
        let ces = &self.queues[q].spec.compute_environments;
        while let Some(&ce) = ces.get(*next) {
            *next += 1;
            let Some(c) = self.candidate_ce(q, ce, job) else {
                continue;
            };
            let plan = if self.ec2_capacity.is_some() {
                c.plan_with(&job.resources(), job.spec.nodes.as_deref(), |t| {
                    self.ec2_available(ce, t)
                })
            } else {
                c.plan(&job.resources(), job.spec.nodes.as_deref())
            };
            if let Some(p) = plan {
                return Some((ce, p));
            }
        }
        None
    }

    /// Compute environment `ce` of queue `q` when it may take `job` at all: eligible for the
    /// queue (the `strict` rule, `computeReservation`) and running the job's architecture.
    #[inline]
    fn candidate_ce(&self, q: QueueId, ce: CeId, job: &Job) -> Option<&CeRuntime> {
        if !self.ce_eligible(q, ce, job.resources().millivcpus) {
            return None;
        }
        let c = &self.ces[ce];
        c.runs_architecture(job.spec.architecture).then_some(c)
    }

    /// `strict`: a higher-priority queue attached to `ce` has a RUNNABLE job `ce` could ever
    /// fit.
    pub(super) fn blocked_by_higher(&self, ce: CeId, q: QueueId) -> bool {
        let prio = self.queues[q].spec.priority;
        self.ces[ce].attached.iter().any(|&h| {
            let hq = &self.queues[h];
            hq.spec.priority > prio && hq.fits_waiting_on(ce) > 0
        })
    }

    /// `computeReservation`: a fair-share queue's vCPUs on `ce`, with the new job, stay within
    /// `maxvCpus x (1 - (c/100)^A)` ([`crate::policy::AwsReservation`]), or what the queue's
    /// custom [`crate::policy::ReservationRule`] says. It belongs to the queue's scheduling
    /// policy, so it also holds when a custom policy (`set_policy`) decides the order.
    #[inline(always)]
    pub(super) fn reservation_allows(&self, q: QueueId, ce: CeId, millivcpus: u32) -> bool {
        let qr = &self.queues[q];
        // A FIFO queue without a custom rule reserves nothing: no call.
        qr.spec.scheduling_policy.is_none() && qr.reservation.0.is_none() || self.reservation_check(q, ce, millivcpus)
    }

    /// [`Simulation::reservation_allows`] for a fair-share queue or a custom rule.
    #[inline(never)]
    fn reservation_check(&self, q: QueueId, ce: CeId, millivcpus: u32) -> bool {
        let qr = &self.queues[q];
        if let Some(rule) = &qr.reservation.0 {
            return self.custom_reservation(q, ce, millivcpus, rule);
        }
        let Some(policy) = qr.spec.scheduling_policy else {
            return true;
        };
        let c = self.queues.policy(policy).compute_reservation;
        if c == 0 {
            return true;
        }
        crate::policy::AwsReservation::allows_with(
            c,
            qr.active.count_at(self.kernel.now),
            self.ces[ce].spec.max_vcpus,
            qr.held_on_ce[ce.index()],
            millivcpus,
        )
    }
}
