//! EC2/SPOT instances over their lives: placing jobs on them, claims on launching ones,
//! readiness, idleness and scale-in, Spot notices and reclaims, termination and billing.

use super::capacity::Placement;
use super::ec2::{Ec2Placement, NodeSlot, Pool};
use super::event::Event;
use super::jobs::Reason;
use super::jobs::{Claim, JobSlot};
use super::Simulation;
use crate::model::{CeId, ComputeEnvironmentType, Resources};
use crate::time::SimTime;

impl Simulation {
    /// Applies an EC2/SPOT placement: runs the job on ready instances, or claims room on
    /// launching ones (the job stays RUNNABLE, its wait running, until all are ready).
    pub(super) fn place_on_instances(&mut self, slot: JobSlot, ce: CeId, placement: Placement) {
        let Some(r) = self.jobs.get(slot).map(|j| j.resources) else {
            return;
        };
        // (instance, room taken): a single job takes its own size, a node a whole instance.
        let rooms: Vec<(u32, Resources)> = match placement {
            Placement::Task => return,
            Placement::Instance(p) => {
                let id = match p {
                    Ec2Placement::Ready(id) | Ec2Placement::Launching(id) => id,
                    Ec2Placement::Launch(t) => self.launch_instance(ce, t, false),
                };
                vec![(id, r)]
            }
            Placement::Nodes(nodes) => nodes
                .into_iter()
                .map(|n| {
                    let id = match n {
                        NodeSlot::Idle(id) => id,
                        NodeSlot::Launch(t) => self.launch_instance(ce, t, false),
                    };
                    let whole = self.ces[ce.index()].pool.as_ref().map_or(r, |p| p.whole_room(id));
                    (id, whole)
                })
                .collect(),
        };
        let Some(pool) = self.ces[ce.index()].pool.as_mut() else {
            return;
        };
        for (id, room) in &rooms {
            pool.occupy(*id, room);
        }
        let launching: Vec<u32> = rooms
            .iter()
            .map(|(id, _)| *id)
            .filter(|id| pool.instances.get(id).is_some_and(|i| !i.ready))
            .collect();
        if launching.is_empty() {
            self.dispatch(slot, ce, rooms);
            return;
        }
        self.leave_runnable(slot);
        let Some(job) = self.jobs.get_mut(slot) else { return };
        let (job_id, q, mv) = (job.id, job.queue, u64::from(r.millivcpus));
        job.claim = Some(Box::new(Claim {
            ce,
            rooms,
            waiting: launching.len() as u32,
        }));
        self.queues[q.index()].held_on_ce[ce.index()] += mv;
        let Some(pool) = self.ces[ce.index()].pool.as_mut() else {
            return;
        };
        for id in launching {
            if let Some(i) = pool.instances.get_mut(&id) {
                i.claims.push((slot.0, job_id));
            }
        }
    }

    /// A claimed job leaves (cancelled) before its instances are ready: its room is given
    /// back.
    pub(super) fn release_claim(&mut self, slot: JobSlot) {
        let Some(job) = self.jobs.get_mut(slot) else { return };
        let Some(claim) = job.claim.take() else { return };
        let (job_id, q, mv) = (job.id, job.queue, u64::from(job.resources.millivcpus));
        let ce = claim.ce;
        self.queues[q.index()].held_on_ce[ce.index()] -= mv;
        if let Some(pool) = self.ces[ce.index()].pool.as_mut() {
            for (id, room) in &claim.rooms {
                pool.release(*id, room);
                if let Some(i) = pool.instances.get_mut(id) {
                    i.claims.retain(|c| c.1 != job_id);
                }
            }
        }
        for (id, _) in claim.rooms {
            self.instance_idle(ce, id);
        }
        self.capacity_changed(ce);
    }

    pub(super) fn instance_ready(&mut self, ce: CeId, id: u32) {
        let Some(pool) = self.ces[ce.index()].pool.as_mut() else {
            return;
        };
        pool.set_ready(id);
        let claims = pool
            .instances
            .get_mut(&id)
            .map(|i| std::mem::take(&mut i.claims))
            .unwrap_or_default();
        for (slot, job_id) in claims {
            let slot = JobSlot(slot);
            let Some(job) = self.jobs.get_mut(slot).filter(|j| j.id == job_id) else {
                continue;
            };
            let Some(claim) = job.claim.as_mut() else { continue };
            claim.waiting = claim.waiting.saturating_sub(1);
            if claim.waiting == 0 {
                let rooms = claim.rooms.clone();
                self.dispatch(slot, ce, rooms);
            }
        }
        self.instance_idle(ce, id);
        self.capacity_changed(ce);
    }

    /// Called when an instance may have become idle: starts its scale-in clock, stops its
    /// Spot clock.
    pub(super) fn instance_idle(&mut self, ce: CeId, id: u32) {
        let now = self.now;
        let c = &mut self.ces[ce.index()];
        let (idle_for, min) = (c.spec.scale_in_idle, u64::from(c.spec.min_vcpus) * 1000);
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
                self.events.cancel_pending(k);
            }
        }
        // An instance the minimum needs is not checked (changing the limits schedules checks
        // again, see `capacity_update`).
        let vcpus = pool.types[i.type_index].room.millivcpus;
        if provisioned.saturating_sub(vcpus) >= min {
            self.events.schedule(
                now + idle_for,
                Event::ScaleInCheck {
                    ce,
                    instance: id,
                    epoch,
                },
            );
        }
    }

    /// An attempt starts on an instance: the instance is busy; on SPOT its reclaim clock
    /// starts when it turns busy.
    pub(super) fn instance_busy(&mut self, ce: CeId, id: u32, slot: JobSlot, attempt: u64) {
        let now = self.now;
        let c = &mut self.ces[ce.index()];
        let spot = c.spec.kind == ComputeEnvironmentType::Spot && c.spec.interruptions_per_hour > 0.0;
        let notice = c.spec.interruption_notice;
        let Some(i) = c.pool.as_mut().and_then(|p| p.instances.get_mut(&id)) else {
            return;
        };
        i.attempts += 1;
        i.idle_since = None;
        i.running.push((slot.0, attempt));
        if !(spot && i.spot_events.iter().all(Option::is_none) && !i.noticed) {
            return;
        }
        let reclaim_at = now + c.draw_reclaim();
        let notice_at = SimTime::from_millis(reclaim_at.as_millis().saturating_sub(notice.as_millis())).max(now);
        let k0 = self
            .events
            .schedule(notice_at, Event::InstanceNotice { ce, instance: id });
        let k1 = self
            .events
            .schedule(reclaim_at, Event::InstanceReclaimed { ce, instance: id });
        if let Some(i) = self.ces[ce.index()]
            .pool
            .as_mut()
            .and_then(|p| p.instances.get_mut(&id))
        {
            i.spot_events = [Some(k0), Some(k1)];
        }
    }

    /// An attempt on an instance ended: its room is free again.
    pub(super) fn instance_attempt_ended(&mut self, ce: CeId, id: u32, room: &Resources, attempt: u64) {
        if let Some(pool) = self.ces[ce.index()].pool.as_mut() {
            pool.release(id, room);
            if let Some(i) = pool.instances.get_mut(&id) {
                i.attempts = i.attempts.saturating_sub(1);
                i.running.retain(|x| x.1 != attempt);
            }
        }
        self.instance_idle(ce, id);
    }

    pub(super) fn instance_notice(&mut self, ce: CeId, id: u32) {
        if let Some(pool) = self.ces[ce.index()].pool.as_mut() {
            pool.set_noticed(id);
            if let Some(i) = pool.instances.get_mut(&id) {
                i.spot_events[0] = None;
            }
        }
    }

    pub(super) fn instance_reclaimed(&mut self, ce: CeId, id: u32) {
        let Some(i) = self.ces[ce.index()]
            .pool
            .as_mut()
            .and_then(|p| p.instances.get_mut(&id))
        else {
            return;
        };
        i.spot_events = [None, None];
        let running = std::mem::take(&mut i.running);
        self.metrics.ces[ce.index()].interruptions += 1;
        let reason = Reason::from(format!(
            "Host EC2 (instance {}) terminated.",
            Pool::instance_name(ce.0, id)
        ));
        for (slot, attempt) in running {
            let slot = JobSlot(slot);
            if self
                .jobs
                .get(slot)
                .and_then(|j| j.attempt.as_ref())
                .is_some_and(|a| a.id == attempt)
            {
                self.end_attempt(slot, super::attempt::AttemptEnd::Reclaimed(reason.clone()));
            }
        }
        self.terminate_instance(ce, id);
        self.fill_standing_capacity(ce, false);
        self.capacity_changed(ce);
    }

    pub(super) fn scale_in_check(&mut self, ce: CeId, id: u32, epoch: u32) {
        let c = &self.ces[ce.index()];
        let min = u64::from(c.spec.min_vcpus) * 1000;
        let Some(pool) = &c.pool else { return };
        let Some(i) = pool.instances.get(&id) else { return };
        if !i.is_idle() || i.idle_epoch != epoch {
            return;
        }
        let vcpus = pool.types[i.type_index].room.millivcpus;
        if pool.provisioned_millivcpus.saturating_sub(vcpus) >= min {
            self.terminate_instance(ce, id);
            self.capacity_changed(ce);
        }
    }

    /// Removes an instance and bills its lifetime.
    fn terminate_instance(&mut self, ce: CeId, id: u32) {
        let now = self.now;
        let Some(pool) = self.ces[ce.index()].pool.as_mut() else {
            return;
        };
        let Some(i) = pool.terminate(id) else { return };
        for k in i.spot_events.into_iter().flatten() {
            self.events.cancel_pending(k);
        }
        let t = &pool.types[i.type_index];
        let (mv, price) = (t.room.millivcpus, t.price_per_hour);
        let ms = now.since(i.launched_at).as_millis();
        let m = &mut self.metrics.ces[ce.index()];
        m.provisioned_millivcpu_ms += u128::from(mv) * u128::from(ms);
        m.cost += ms as f64 / 3_600_000.0 * price;
    }
}
