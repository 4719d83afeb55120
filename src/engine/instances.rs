//! EC2/SPOT instances over their lives: placing jobs on them, claims on launching ones,
//! readiness, idleness and scale-in, Spot notices and reclaims, termination and billing.
//!
//! CONTRACT 7.14:
//! - (b) room on a launching instance (or an instance launched for the job) is a claim: the
//!   job stays RUNNABLE but leaves its queue's RUNNABLE set, so the queue offers its next job
//!   in the same pass; it counts neither for the `strict` rule nor for the head clock.
//! - (c) a claim is not binding: it holds the room against other claims while the instance
//!   launches, but in a later pass the claimed job takes READY room it fits (on the compute
//!   environments of its queue in order, up to the claim's own: (a) keeps a later one out
//!   while an earlier one can take the job), releasing the claim; when the instance becomes
//!   READY its claims lapse, the jobs rejoin their queues in their places, and its room goes
//!   to RUNNABLE jobs in normal pass order. A multi-node job's claims (whole instances
//!   launched for its nodes) stay binding.
//! - (d) scale-in runs after the instant's dispatch pass: an instance idle for its idle time
//!   and still idle after the pass is terminated, oldest idle first, unless that takes the
//!   READY instances below `minvCpus`. The review is made at every instant where an idle
//!   time runs out, an instance becomes READY or the limits change (the only things that can
//!   change its outcome).

use super::capacity::Placement;
use super::claimed::Shape;
use super::ec2::{Ec2Placement, NodeSlot, Pool};
use super::event::Event;
use super::jobs::Reason;
use super::jobs::{Claim, Job, JobSlot};
use super::rooms::Rooms;
use super::Simulation;
use crate::model::{CeId, ComputeEnvironmentType, JobId, QueueId, Resources};
use crate::time::{SimDuration, SimTime};
use std::ops::Bound;

/// Seconds EC2 bills for an instance launched at `launched_at` that spends `pending` in the
/// `pending` state and stops being billed at `end`: per second from when it enters `running`,
/// rounded up, at least 60; 0 if it never got there. AWS: instance usage is "Not billed" in
/// `pending` and "Billed" in `running` (EC2 User Guide, instance state changes); "If your
/// instance is billed by the second, then you're billed for a minimum of 60 seconds when an
/// instance ... enters the running state" and "Per-second billing with a 60-second minimum is
/// available for Amazon Linux, Windows, RHEL, Ubuntu, and Ubuntu Pro instances" (AWS
/// Knowledge Center, *How am I billed for Amazon EC2 instances?*), On-Demand and Spot alike.
pub(super) fn ec2_billed_seconds(launched_at: SimTime, pending: SimDuration, end: SimTime) -> u64 {
    let running = launched_at + pending;
    if end < running {
        return 0;
    }
    end.since(running).as_millis().div_ceil(1000).max(60)
}

/// The bill of one instance at `price_per_hour` (see [`ec2_billed_seconds`]).
pub(super) fn ec2_bill(price_per_hour: f64, launched_at: SimTime, pending: SimDuration, end: SimTime) -> f64 {
    ec2_billed_seconds(launched_at, pending, end) as f64 / 3600.0 * price_per_hour
}

impl Simulation {
    /// Applies an EC2/SPOT placement: runs the job on ready instances, or claims room on
    /// launching ones (the job stays RUNNABLE, its wait running, until all are ready).
    pub(super) fn place_on_instances(&mut self, slot: JobSlot, ce: CeId, placement: Placement) {
        let Some((r, job_id)) = self.jobs.get(slot).map(|j| (j.resources(), j.id())) else {
            return;
        };
        // (instance, room taken): a single job takes its own size, a node a whole instance.
        let rooms: Rooms = match placement {
            Placement::Task => return,
            Placement::Instance(p) => {
                let id = match p {
                    Ec2Placement::Ready(id) | Ec2Placement::Launching(id) => id,
                    Ec2Placement::Launch(t) if self.demand_sized(ce) => {
                        self.scaled_out(ce);
                        self.launch_for_demand(slot, ce, t)
                    }
                    Ec2Placement::Launch(t) => {
                        self.scaled_out(ce);
                        self.launch_instance(ce, t, false)
                    }
                };
                Rooms::One((id, r))
            }
            Placement::Nodes(nodes) => nodes
                .into_iter()
                .map(|n| {
                    let id = match n {
                        NodeSlot::Idle(id) => id,
                        NodeSlot::Launch(t) => {
                            self.scaled_out(ce);
                            self.launch_instance(ce, t, false)
                        }
                    };
                    let whole = self.ces[ce].pool.as_ref().map_or(r, |p| p.whole_room(id));
                    (id, whole)
                })
                .collect::<Vec<_>>()
                .into(),
        };
        let Some(pool) = self.ces[ce].pool.as_mut() else {
            return;
        };
        // The room is taken; a launching instance also gets the job's claim.
        let waiting = rooms
            .iter()
            .filter(|(id, room)| pool.occupy_or_claim(*id, room, (slot.0, job_id)))
            .count();
        if waiting == 0 {
            self.dispatch(slot, ce, rooms);
            return;
        }
        if self.consumables.is_some() {
            // The claim is the decision to run the job there: it takes its resources now.
            self.take_consumables(slot, false);
        }
        self.leave_runnable(slot);
        let Some(job) = self.jobs.live_mut(slot) else { return };
        let (q, mv) = (job.queue(), u64::from(r.millivcpus));
        let (rooms_len, multinode) = (rooms.len(), job.spec.nodes.is_some());
        // The box the job will be dispatched with (a reused one).
        if let Some(p) = self.jobs.progress_mut(slot) {
            p.claim = Some(Claim {
                ce,
                rooms,
                waiting: waiting as u32,
            });
        }
        let qr = &mut self.queues[q];
        qr.held_on_ce[ce.index()] += mv;
        if rooms_len == 1 && !multinode {
            qr.claimed.insert((job_id, slot.0), Shape::new(&r, ce));
        }
    }

    /// A claimed job leaves (cancelled) before its instances are ready: its room is given
    /// back.
    pub(super) fn release_claim(&mut self, slot: JobSlot) {
        let Some((ce, rooms)) = self.drop_claim(slot) else {
            return;
        };
        for &(id, _) in rooms.iter() {
            self.instance_idle(ce, id);
        }
        self.capacity_changed(ce);
    }

    /// Takes a job's claim away: its room back on the instances, its vCPUs off its queue's
    /// count; returns the compute environment and the rooms it held.
    fn drop_claim(&mut self, slot: JobSlot) -> Option<(CeId, Rooms)> {
        let job = self.jobs.get_mut(slot)?;
        let claim = job.take_claim()?;
        if self.consumables.is_some() {
            self.give_back_consumables(slot, false);
        }
        let job = self.jobs.get_mut(slot)?;
        let (job_id, q, r) = (job.id(), job.queue(), job.resources());
        let ce = claim.ce;
        let qr = &mut self.queues[q];
        qr.held_on_ce[ce.index()] -= u64::from(r.millivcpus);
        qr.claimed.remove(&(job_id, slot.0), Shape::new(&r, ce));
        if let Some(pool) = self.ces[ce].pool.as_mut() {
            for (id, room) in &claim.rooms {
                pool.release_claim(*id, room, job_id);
            }
        }
        Some((ce, claim.rooms))
    }

    /// A claimed job takes READY room on instance `id` of `ce` (7.14 c): the effects of
    /// [`Simulation::release_claim`] and then of [`Simulation::place_on_instances`] on that
    /// room, in their order, without the placement's look-ups (the job and its room are
    /// known, and READY room records no claim).
    fn claim_to_ready_room(&mut self, slot: JobSlot, ce: CeId, id: u32) {
        let Some((held, rooms)) = self.drop_claim(slot) else {
            debug_assert!(false, "a claimed job without a claim");
            return;
        };
        for &(i, _) in rooms.iter() {
            self.instance_idle(held, i);
        }
        self.capacity_changed(held);
        let Some(r) = self.jobs.get(slot).map(Job::resources) else {
            debug_assert!(false, "a claimed job not in the job store");
            return;
        };
        let Some(pool) = self.ces[ce].pool.as_mut() else {
            debug_assert!(false, "READY room on a compute environment without instances");
            return;
        };
        pool.occupy_ready(id, &r);
        self.dispatch(slot, ce, Rooms::One((id, r)));
    }

    pub(super) fn instance_ready(&mut self, ce: CeId, id: u32) {
        let c = &mut self.ces[ce];
        if c.spec.min_vcpus > 0 {
            // More READY vCPUs: an idle instance the minimum kept may go now.
            c.scale_in_review = true;
            self.scale_in_pending = true;
        }
        let Some(pool) = c.pool.as_mut() else {
            return;
        };
        pool.set_ready(id);
        let claims = pool.instances.get(&id).map(|i| i.claims.clone()).unwrap_or_default();
        for (slot, job_id) in claims {
            let slot = JobSlot(slot);
            let Some(job) = self.jobs.get(slot).filter(|j| j.id() == job_id) else {
                continue;
            };
            let q = job.queue();
            if self.queues[q].claimed.contains(&(job_id, slot.0)) {
                // (c) The claim lapses: the job rejoins its queue and this pass places it.
                self.drop_claim(slot);
                self.enter_runnable_set(slot);
                continue;
            }
            let Some(job) = self.jobs.get_mut(slot) else { continue };
            if let Some(i) = self.ces[ce].pool.as_mut().and_then(|p| p.instances.get_mut(&id)) {
                i.claims.retain(|c| c.1 != job_id);
            }
            let Some(claim) = job.claim_mut() else { continue };
            claim.waiting = claim.waiting.saturating_sub(1);
            if claim.waiting == 0 {
                // The claim goes with the dispatch: its rooms move to the attempt.
                let rooms = std::mem::take(&mut claim.rooms);
                self.dispatch(slot, ce, rooms);
            }
        }
        // Whether it stays idle is known after this instant's pass (`scale_in_after_pass`).
        let c = &mut self.ces[ce];
        c.settle.push(id);
        self.scale_in_pending = true;
        self.capacity_changed(ce);
    }

    /// A later pass (CONTRACT 7.14 c): each claimed job of queue `q` ahead of the job the
    /// queue offers next (`next`; by submission order, the queue's order for FIFO; `None`:
    /// nothing is offered, every claimed job), in order, that fits READY room on a compute
    /// environment of its queue (in order) goes there, releasing its claim. Returns whether
    /// any did.
    pub(super) fn claims_to_ready_room(&mut self, q: QueueId, next: Option<JobSlot>) -> bool {
        let qr = &self.queues[q];
        if qr.claimed.is_empty() {
            return false;
        }
        // The most free vCPUs of a READY instance on the queue's compute environments: a
        // claimed job needing more cannot move (nothing to look at while READY ones are full).
        let mut max_free = self.max_ready_free(q);
        if max_free == 0 {
            return false;
        }
        let bound = next.and_then(|s| self.jobs.get(s)).map(Job::id);
        let qr = &mut self.queues[q];
        let mut after = match qr.claims_checked {
            (pass, Some(last)) if pass == self.passes => Bound::Excluded((last, u32::MAX)),
            _ => Bound::Unbounded,
        };
        // Every claimed job up to the bound is looked at (moved, or of a shape that found no
        // room) unless READY room runs out first.
        let Some((first, last)) = qr.claimed.ends_between(after, bound) else {
            return false;
        };
        if first == last {
            // One claimed job to look at (usually the one the previous pick claimed).
            qr.claims_checked = (self.passes, Some(last.0));
            let (job_id, slot) = last;
            let fits = self
                .jobs
                .get(JobSlot(slot))
                .is_some_and(|j| u64::from(j.resources().millivcpus) <= max_free);
            let Some((ce, id)) = fits
                .then(|| self.ready_room_for_claimed(q, JobSlot(slot), job_id))
                .flatten()
            else {
                return false;
            };
            self.claim_to_ready_room(JobSlot(slot), ce, id);
            return true;
        }
        // The jobs go in job id order. Whether one finds READY room depends on its shape only
        // (needs, claim's compute environment), and room only shrinks while claimed jobs
        // move, so a shape without room now gets none in this call: only the shapes with
        // room are kept, each with its first job by id (`claimed.rs`), and the next job is
        // the first of those. The room found is the job's target until a move changes room.
        let mut heads = std::mem::take(&mut self.claim_heads);
        heads.clear();
        let qr = &self.queues[q];
        for shape in qr.claimed.shapes() {
            if shape.millivcpus() > max_free {
                continue;
            }
            let Some(target) = self.ready_room_for_shape(q, &shape) else {
                continue;
            };
            if let Some(head) = qr.claimed.first_of(&shape, after, bound) {
                heads.push((shape, head, Some(target)));
            }
        }
        let mut moved = false;
        let mut checked = last.0;
        loop {
            let next_job = heads
                .iter()
                .enumerate()
                .filter(|(_, (s, _, _))| s.millivcpus() <= max_free)
                .map(|(k, (_, h, _))| (*h, k))
                .min();
            let Some(((job_id, slot), k)) = next_job else {
                break;
            };
            after = Bound::Excluded((job_id, u32::MAX));
            let shape = heads[k].0;
            let target = heads[k].2.or_else(|| self.ready_room_for_shape(q, &shape));
            let Some((ce, id)) = target else {
                heads.swap_remove(k);
                continue;
            };
            debug_assert!(
                self.jobs
                    .get_if(JobSlot(slot), job_id)
                    .is_some_and(|j| j.claim().is_some_and(|c| Shape::new(&j.resources(), c.ce) == shape)),
                "a claimed job holds a claim of its shape"
            );
            self.claim_to_ready_room(JobSlot(slot), ce, id);
            moved = true;
            // Only this job left the set: the other shapes' first jobs stay; the room each
            // found may have gone with the move.
            match self.queues[q].claimed.first_of(&shape, after, bound) {
                Some(head) => heads[k].1 = head,
                None => {
                    heads.swap_remove(k);
                }
            }
            for h in &mut heads {
                h.2 = None;
            }
            let free = self.max_ready_free(q);
            debug_assert!(free <= max_free, "READY room only shrinks while claimed jobs move");
            max_free = free;
            if max_free == 0 {
                checked = job_id;
                break;
            }
        }
        self.claim_heads = heads;
        self.queues[q].claims_checked = (self.passes, Some(checked));
        moved
    }

    /// The most free milli-vCPUs of a READY instance on the compute environments of `q`.
    fn max_ready_free(&self, q: QueueId) -> u64 {
        self.queues[q]
            .spec
            .compute_environments
            .iter()
            .filter_map(|ce| self.ces[*ce].pool.as_ref())
            .map(Pool::max_ready_free_millivcpus)
            .max()
            .unwrap_or(0)
    }

    /// READY room for a claimed job on the compute environments of queue `q`, in order up to
    /// the one it holds its claim on (7.14 a: a later compute environment is tried only when
    /// an earlier one can do none of ready room, launching room or new capacity, and the
    /// claim's is one that can), under the same rules as any placement (ENABLED, `strict`,
    /// `computeReservation` counting the claim where it is).
    fn ready_room_for_claimed(&self, q: QueueId, slot: JobSlot, job_id: JobId) -> Option<(CeId, u32)> {
        let job = self.jobs.get_if(slot, job_id)?;
        self.ready_room_for_shape(q, &Shape::new(&job.resources(), job.claim()?.ce))
    }

    /// [`Simulation::ready_room_for_claimed`] for any claimed job of `shape` (its needs and
    /// its claim's compute environment are all the answer depends on).
    fn ready_room_for_shape(&self, q: QueueId, shape: &Shape) -> Option<(CeId, u32)> {
        let (held_on, r) = (shape.ce(), shape.resources());
        let ces = &self.queues[q].spec.compute_environments;
        let upto = ces.iter().position(|&c| c == held_on).map_or(ces.len(), |k| k + 1);
        // Every compute environment known to have no READY room for the shape: nothing to
        // find, whatever the eligibility rules say; they are skipped when built in (a
        // custom rule is asked as before: it may count or record its calls).
        let quiet = self.queues[q].reservation.0.is_none();
        if quiet
            && ces[..upto].iter().all(|&ce| {
                let c = &self.ces[ce];
                c.cross_queue.0.is_none() && c.pool.as_ref().is_none_or(|p| p.ready_room_known_none(&r))
            })
        {
            return None;
        }
        ces[..upto].iter().find_map(|&ce| {
            let extra = if ce == held_on { 0 } else { r.millivcpus };
            // ENABLED, the cross-queue rule (built-in or custom), the reservation rule.
            if !self.ce_eligible(q, ce, extra) {
                return None;
            }
            self.ces[ce].pool.as_ref()?.ready_room(&r).map(|id| (ce, id))
        })
    }

    /// After the instant's dispatch pass: instances READY now start their idle clocks if no
    /// job took them, and compute environments due for scale-in review terminate their idle
    /// instances (CONTRACT 7.14 d).
    pub(super) fn scale_in_after_pass(&mut self) {
        self.scale_in_pending = false;
        for c in self.ces.ids() {
            let ce = c;
            for id in std::mem::take(&mut self.ces[c].settle) {
                self.instance_idle(ce, id);
                // Idle after the pass with an idle time of zero: due in this review, with
                // the instances whose time ran out at this instant (7.14 d: "an instance idle
                // for scaleInIdleSeconds that is still idle after the pass is terminated"),
                // not after another pass. Its check at this instant then finds it gone or
                // kept.
                let c = &mut self.ces[ce];
                let due_now = c
                    .pool
                    .as_ref()
                    .and_then(|p| p.instances.get(&id))
                    .is_some_and(|i| i.ready && i.is_idle() && c.idle_time(i).is_zero());
                if due_now {
                    c.scale_in_due.push(id);
                    c.scale_in_review = true;
                }
            }
            if std::mem::take(&mut self.ces[c].scale_in_review) {
                self.scale_in(ce);
            }
            self.ces[c].scale_in_due.clear();
        }
    }

    /// Terminates the instances of `ce` idle for their idle time, oldest idle first (ties: by
    /// id), while the READY instances left keep `minvCpus`.
    fn scale_in(&mut self, ce: CeId) {
        let now = self.kernel.now;
        let c = &self.ces[ce];
        let min = u64::from(c.spec.min_vcpus) * 1000;
        let Some(pool) = &c.pool else { return };
        let mut ready = pool.ready_millivcpus;
        // The candidates: instances whose idle time ran out now, and idle ones the minimum
        // kept before (any other idle one past its time went at its own instant).
        let mut kept = std::collections::BTreeSet::new();
        let mut due: Vec<(SimTime, u32, u64)> = Vec::new();
        // Kept ones whose idle time has not run out yet: (when it does, id, vCPUs, epoch).
        let mut later: Vec<(SimTime, u32, u64, u32)> = Vec::new();
        for id in c.scale_in_due.iter().chain(&c.scale_in_kept) {
            let Some(i) = pool.instances.get(id).filter(|i| i.ready && i.is_idle()) else {
                continue;
            };
            let Some(since) = i.idle_since else { continue };
            let vcpus = pool.types[i.type_index].room.millivcpus;
            if since + c.idle_time(i) <= now {
                due.push((since, *id, vcpus));
            } else if c.scale_in_kept.contains(id) {
                later.push((since + c.idle_time(i), *id, vcpus, i.idle_epoch));
            }
        }
        due.sort_unstable();
        due.dedup_by_key(|d| d.1);
        let mut ended = false;
        for (_, id, vcpus) in due {
            if ready.saturating_sub(vcpus) >= min {
                ready = ready.saturating_sub(vcpus);
                self.terminate_instance(ce, id);
                ended = true;
            } else {
                kept.insert(id);
            }
        }
        // A kept instance the minimum no longer needs (more READY capacity came) gets the
        // check of its idle time again ("the check is made again at every instant").
        for (at, id, vcpus, epoch) in later {
            if ready.saturating_sub(vcpus) < min {
                kept.insert(id);
                continue;
            }
            self.reschedule_scale_in_check(ce, id, at, epoch);
        }
        if ended && min > 0 {
            self.keep_for_min(ce, ready, &mut kept);
        }
        self.ces[ce].scale_in_kept = kept;
        if ended {
            self.capacity_changed(ce);
        }
    }

    /// Schedules instance `id`'s scale-in check of idle period `epoch` at `at`, in place of
    /// its pending one (cancelled).
    pub(super) fn reschedule_scale_in_check(&mut self, ce: CeId, id: u32, at: SimTime, epoch: u32) {
        let key = self.kernel.schedule(
            at,
            Event::ScaleInCheck {
                ce,
                instance: id,
                epoch,
            },
        );
        let i = self.ces[ce].pool.as_mut().and_then(|p| p.instances.get_mut(&id));
        if let Some(old) = i.and_then(|i| i.scale_in_check.replace(key)) {
            self.kernel.events.cancel_pending(old);
        }
    }

    /// After a scale-in left `ready` READY milli-vCPUs on `ce`: an idle instance whose check
    /// is pending but which `minvCpus` now keeps (its check would end nothing) loses the
    /// check and is kept, to be looked at again when READY capacity grows (as
    /// [`Simulation::instance_idle`] keeps it). Only a pool within one instance of its
    /// minimum has any.
    fn keep_for_min(&mut self, ce: CeId, ready: u64, kept: &mut std::collections::BTreeSet<u32>) {
        let c = &mut self.ces[ce];
        let min = u64::from(c.spec.min_vcpus) * 1000;
        let Some(pool) = c.pool.as_mut() else { return };
        let largest = pool.types.iter().map(|t| t.room.millivcpus).max().unwrap_or(0);
        if ready >= min.saturating_add(largest) {
            return;
        }
        let keep: Vec<u32> = pool
            .instances
            .iter()
            .filter(|(_, i)| {
                i.ready
                    && i.is_idle()
                    && i.scale_in_check.is_some()
                    && ready.saturating_sub(pool.types[i.type_index].room.millivcpus) < min
            })
            .map(|(id, _)| id)
            .collect();
        for id in keep {
            if let Some(k) = pool.instances.get_mut(&id).and_then(|i| i.scale_in_check.take()) {
                self.kernel.events.cancel_pending(k);
                kept.insert(id);
            }
        }
    }

    /// Called when an instance may have become idle: starts its scale-in clock, stops its
    /// Spot clock.
    pub(super) fn instance_idle(&mut self, ce: CeId, id: u32) {
        let now = self.kernel.now;
        let c = &mut self.ces[ce];
        let min = u64::from(c.spec.min_vcpus) * 1000;
        let Some(i) = c.pool.as_ref().and_then(|p| p.instances.get(&id)) else {
            return;
        };
        let idle_for = c.idle_time(i);
        let Some(pool) = c.pool.as_mut() else { return };
        let provisioned = pool.provisioned_millivcpus;
        let Some(i) = pool.instances.get_mut(&id) else { return };
        if !i.is_idle() || !i.ready {
            return;
        }
        i.idle_since = Some(now);
        i.idle_epoch = i.idle_epoch.wrapping_add(1);
        let epoch = i.idle_epoch;
        if !i.noticed {
            for k in std::mem::take(&mut i.spot_events).into_iter().flatten() {
                self.kernel.events.cancel_pending(k);
            }
        }
        // An instance the minimum needs gets no check of its own: it is remembered and looked
        // at by later reviews (another instance READY; changed limits schedule checks again,
        // see `capacity_update`).
        let vcpus = pool.types[i.type_index].room.millivcpus;
        if provisioned.saturating_sub(vcpus) < min {
            // Its last idle period's check, if still pending, could be the run's last event
            // and end nothing: cancelled. (A new check below comes after it: the old one
            // fires first, finds another epoch and does nothing, without a cancellation,
            // which would cost a look-up at every event while it waits.)
            if let Some(k) = i.scale_in_check.take() {
                self.kernel.events.cancel_pending(k);
            }
            c.scale_in_kept.insert(id);
        } else {
            let key = self.kernel.schedule(
                now + idle_for,
                Event::ScaleInCheck {
                    ce,
                    instance: id,
                    epoch,
                },
            );
            i.scale_in_check = Some(key);
        }
    }

    /// An attempt starts on an instance: the instance is busy; on SPOT its reclaim clock
    /// starts when it turns busy.
    pub(super) fn instance_busy(&mut self, ce: CeId, id: u32, slot: JobSlot, attempt: u64) {
        let now = self.kernel.now;
        let c = &mut self.ces[ce];
        let notice = c.spec.interruption_notice;
        let Some(pool) = c.pool.as_mut() else { return };
        // The pool's rate: `interruptionsPerHour` by instance type or family (`spot_market.rs`).
        let Some(rate) = pool
            .instances
            .get(&id)
            .map(|i| pool.types[i.type_index].spot.interruptions_per_hour)
        else {
            return;
        };
        let spot = c.spec.kind == ComputeEnvironmentType::Spot && rate > 0.0;
        let Some(i) = pool.instances.get_mut(&id) else {
            return;
        };
        i.attempts += 1;
        i.has_run = true;
        i.idle_since = None;
        i.running.push((slot.0, attempt));
        if !(spot && i.spot_events.iter().all(Option::is_none) && !i.noticed) {
            return;
        }
        let reclaim_at = now + c.draw_reclaim(rate);
        let notice_at = SimTime::from_millis(reclaim_at.as_millis().saturating_sub(notice.as_millis())).max(now);
        let k0 = self
            .kernel
            .schedule(notice_at, Event::InstanceNotice { ce, instance: id });
        let k1 = self
            .kernel
            .schedule(reclaim_at, Event::InstanceReclaimed { ce, instance: id });
        if let Some(i) = self.ces[ce].pool.as_mut().and_then(|p| p.instances.get_mut(&id)) {
            i.spot_events = [Some(k0), Some(k1)];
        }
    }

    /// An attempt on an instance ended: its room is free again.
    pub(super) fn instance_attempt_ended(&mut self, ce: CeId, id: u32, room: &Resources, attempt: u64) {
        if let Some(pool) = self.ces[ce].pool.as_mut() {
            pool.release(id, room);
            if let Some(i) = pool.instances.get_mut(&id) {
                i.attempts = i.attempts.saturating_sub(1);
                i.running.retain(|x| x.1 != attempt);
            }
        }
        self.instance_idle(ce, id);
    }

    pub(super) fn instance_notice(&mut self, ce: CeId, id: u32) {
        if let Some(pool) = self.ces[ce].pool.as_mut() {
            pool.set_noticed(id);
            if let Some(i) = pool.instances.get_mut(&id) {
                i.spot_events[0] = None;
            }
        }
    }

    pub(super) fn instance_reclaimed(&mut self, ce: CeId, id: u32) {
        let Some(i) = self.ces[ce].pool.as_mut().and_then(|p| p.instances.get_mut(&id)) else {
            return;
        };
        i.spot_events = [None, None];
        let running = std::mem::take(&mut i.running);
        self.ledger.interrupted(ce);
        let mut text = String::with_capacity(48);
        text.push_str("Host EC2 (instance ");
        text.push_str(&Pool::instance_name(ce.0, id));
        text.push_str(") terminated.");
        let reason = Reason::from(text);
        // The instance goes first: the attempts ending on it must not start an idle clock
        // (the scale-down delay does not apply to "Spot instances reclaimed due to
        // interruption", API model `ComputeScalingPolicy`).
        self.terminate_instance(ce, id);
        for (slot, attempt) in running {
            let slot = JobSlot(slot);
            if self
                .jobs
                .get(slot)
                .and_then(Job::attempt)
                .is_some_and(|a| a.id == attempt)
            {
                self.end_attempt(slot, super::attempt::AttemptEnd::Reclaimed(reason.clone()));
            }
        }
        self.fill_standing_capacity(ce, None, false);
        self.capacity_changed(ce);
    }

    /// An instance's idle time ran out: its compute environment reviews scale-in after this
    /// instant's pass (CONTRACT 7.14 d).
    pub(super) fn scale_in_check(&mut self, ce: CeId, id: u32, epoch: u32) {
        let c = &mut self.ces[ce];
        let Some(pool) = &mut c.pool else { return };
        let Some(i) = pool.instances.get_mut(&id) else { return };
        if i.idle_epoch == epoch {
            // The check of this idle period: no longer pending.
            i.scale_in_check = None;
        }
        if !i.is_idle() || i.idle_epoch != epoch {
            return;
        }
        c.scale_in_review = true;
        c.scale_in_due.push(id);
        self.scale_in_pending = true;
    }

    /// Removes an instance and bills its lifetime.
    fn terminate_instance(&mut self, ce: CeId, id: u32) {
        let now = self.kernel.now;
        let pending = self.ces[ce].spec.instance_pending;
        let Some(pool) = self.ces[ce].pool.as_mut() else {
            return;
        };
        let Some(i) = pool.terminate(id) else { return };
        for k in i.spot_events.into_iter().flatten().chain(i.scale_in_check) {
            self.kernel.events.cancel_pending(k);
        }
        let t = &pool.types[i.type_index];
        let mv = t.room.millivcpus;
        let ms = now.since(i.launched_at).as_millis();
        let type_index = i.type_index;
        let cost = t.bill(i.launched_at, pending, now);
        if let Some(paid) = t.spot_paid(i.launched_at, pending, now) {
            self.ledger.spot_billed(ce, paid);
        }
        self.ec2_count(ce, type_index, false);
        self.ledger.instances_billed(ce, u128::from(mv) * u128::from(ms), cost);
        self.live_instances_changed(ce, mv);
    }

    /// "Could ever fit" counts live instances (CONTRACT 7.14 f): the `strict` rule's counts
    /// are redone when an instance of `millivcpus` comes or goes that the compute environment
    /// could not launch now (its limit was lowered below it); other instances change nothing
    /// that the instance types do not already say.
    pub(super) fn live_instances_changed(&mut self, ce: CeId, millivcpus: u64) {
        let c = &self.ces[ce];
        let beyond = c.pool.as_ref().is_some_and(|p| {
            let max = u64::from(c.spec.max_vcpus) * 1000;
            if p.never_past_max(c.spec.allocation_strategy) {
                millivcpus > max
            } else {
                max == 0
            }
        });
        if self.strict_on && beyond {
            for i in 0..self.ces[ce].attached.len() {
                let q = self.ces[ce].attached[i];
                self.recompute_fit_counts(q);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(ms: u64) -> SimTime {
        SimTime::from_millis(ms)
    }

    /// AWS Knowledge Center, "How am I billed for Amazon EC2 instances?": "If your instance is
    /// billed by the second, then you're billed for a minimum of 60 seconds when an instance
    /// ... enters the running state"; EC2 User Guide: `pending` is "Not billed".
    #[test]
    fn per_second_from_running_with_a_one_minute_minimum() {
        let none = SimDuration::ZERO;
        assert_eq!(ec2_billed_seconds(t(0), none, t(10_000)), 60, "10 s run: 60 s billed");
        assert_eq!(
            ec2_billed_seconds(t(0), none, t(0)),
            60,
            "entered running, ended at once"
        );
        assert_eq!(ec2_billed_seconds(t(0), none, t(60_000)), 60);
        assert_eq!(
            ec2_billed_seconds(t(0), none, t(60_001)),
            61,
            "rounded up to the second"
        );
        assert_eq!(ec2_billed_seconds(t(500), none, t(3_600_500)), 3600);
        // 30 s pending, not billed.
        let pending = SimDuration::from_millis(30_000);
        assert_eq!(ec2_billed_seconds(t(0), pending, t(200_000)), 170);
        assert_eq!(
            ec2_billed_seconds(t(0), pending, t(29_999)),
            0,
            "never running: not billed"
        );
        assert_eq!(ec2_billed_seconds(t(0), pending, t(40_000)), 60);
        assert!((ec2_bill(0.096, t(0), none, t(3_600_000)) - 0.096).abs() < 1e-12);
        assert!((ec2_bill(0.096, t(0), none, t(1_000)) - 0.096 / 60.0).abs() < 1e-12);
    }
}
