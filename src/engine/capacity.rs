//! Compute environment capacity: what fits where, and the capacity events (EC2 instances
//! launching, becoming ready, Spot notices and reclaims, scale-in).

use super::ec2::{Ec2Placement, Pool};
use super::event::Event;
use super::jobs::JobSlot;
use super::Simulation;
use crate::model::{CeId, CeState, ComputeEnvironment, Resources};
use crate::time::{SimDuration, SimTime};
use crate::workload::rng::{stream, StreamKind};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::sync::Arc;

/// Where a job goes on a compute environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Placement {
    /// Fargate: a task of its own.
    Task,
    /// EC2/SPOT: see [`Ec2Placement`].
    Instance(Ec2Placement),
}

/// The engine's state of one compute environment.
pub(crate) struct CeRuntime {
    /// The definition, as changed by actions (state, vCPU limits).
    pub spec: ComputeEnvironment,
    /// milli-vCPUs held by dispatched attempts.
    pub used_millivcpus: u64,
    /// Queues that list this compute environment, in visiting order.
    pub attached: Vec<crate::model::QueueId>,
    /// Spot reclaim draws.
    pub interruptions: ChaCha8Rng,
    /// EC2/SPOT instances.
    pub pool: Option<Pool>,
}

impl CeRuntime {
    pub fn new(spec: ComputeEnvironment, seed: u64, index: usize) -> Result<CeRuntime, String> {
        let pool = if spec.kind.is_fargate() {
            None
        } else {
            Some(
                Pool::new(&spec, u64::from(spec.reserved_memory_mib))
                    .map_err(|e| format!("compute environment `{}`: {e}", spec.name))?,
            )
        };
        Ok(CeRuntime {
            spec,
            used_millivcpus: 0,
            attached: Vec::new(),
            interruptions: stream(seed, StreamKind::Interruptions, index as u64),
            pool,
        })
    }

    /// ENABLED compute environments take new jobs.
    pub fn enabled(&self) -> bool {
        self.spec.state == CeState::Enabled
    }

    fn max_millivcpus(&self) -> u64 {
        u64::from(self.spec.max_vcpus) * 1000
    }

    /// Where a job needing `r` goes now, if it can go anywhere.
    pub fn plan(&self, r: &Resources) -> Option<Placement> {
        match &self.pool {
            None => {
                (self.used_millivcpus + u64::from(r.millivcpus) <= self.max_millivcpus()).then_some(Placement::Task)
            }
            Some(pool) => pool
                .plan(r, self.spec.max_vcpus, self.spec.allocation_strategy, true)
                .map(Placement::Instance),
        }
    }

    /// Whether a job needing `r` could ever be placed here (with everything else idle).
    pub fn could_ever_fit(&self, r: &Resources) -> bool {
        match &self.pool {
            None => u64::from(r.millivcpus) <= self.max_millivcpus(),
            Some(pool) => pool.could_ever_fit(r, self.spec.max_vcpus, self.spec.allocation_strategy),
        }
    }

    /// Exponential time to the next Spot reclaim at `interruptionsPerHour`.
    pub fn draw_reclaim(&mut self) -> SimDuration {
        let u: f64 = self.interruptions.random();
        let hours = -(1.0 - u).ln() / self.spec.interruptions_per_hour;
        SimDuration::from_secs_f64(hours * 3600.0).unwrap_or(SimDuration::from_millis(u64::MAX / 4))
    }
}

impl Simulation {
    /// Brings a compute environment to its starting size: EC2 instances for
    /// `max(minvCpus, desiredvCpus)` vCPUs, ready at time 0.
    pub(super) fn start_compute_environment(&mut self, ce: CeId) {
        self.metrics.ces[ce.index()].max_since = SimTime::ZERO;
        self.fill_standing_capacity(ce, true);
    }

    /// Launches instances until `max(minvCpus, desiredvCpus)` is provisioned.
    fn fill_standing_capacity(&mut self, ce: CeId, ready_now: bool) {
        let now = self.now;
        let c = &self.ces[ce.index()];
        let Some(pool) = &c.pool else { return };
        let target = u64::from(c.spec.min_vcpus.max(c.spec.desired_vcpus.unwrap_or(0))) * 1000;
        let mut launched = Vec::new();
        let mut provisioned = pool.provisioned_millivcpus;
        while provisioned < target {
            let Some(t) = self.ces[ce.index()]
                .pool
                .as_ref()
                .and_then(|p| p.type_for_capacity(target - provisioned))
            else {
                break;
            };
            let id = self.launch_instance(ce, t, ready_now);
            launched.push(id);
            provisioned = self.ces[ce.index()]
                .pool
                .as_ref()
                .map_or(target, |p| p.provisioned_millivcpus);
        }
        let _ = now;
        for id in launched {
            if ready_now {
                self.instance_idle(ce, id);
            }
        }
    }

    /// Starts an instance; ready at once when `ready` (or when the launch time is zero),
    /// else an [`Event::InstanceReady`] follows after `instanceLaunchSeconds`.
    pub(super) fn launch_instance(&mut self, ce: CeId, type_index: usize, ready: bool) -> u32 {
        let now = self.now;
        let launch = self.ces[ce.index()].spec.instance_launch;
        let ready = ready || launch.is_zero();
        let Some(pool) = self.ces[ce.index()].pool.as_mut() else {
            return 0;
        };
        let id = pool.launch(type_index, now, ready);
        self.metrics.ces[ce.index()].instances_launched += 1;
        if !ready {
            self.events
                .schedule(now + launch, Event::InstanceReady { ce, instance: id });
        }
        id
    }

    /// Applies a placement on an EC2/SPOT compute environment: runs the job on a ready
    /// instance, or claims room on a launching one (the job stays RUNNABLE until it is ready).
    pub(super) fn place_on_instance(&mut self, slot: JobSlot, ce: CeId, p: Ec2Placement) {
        let Some(r) = self.jobs.get(slot).map(|j| j.resources) else {
            return;
        };
        match p {
            Ec2Placement::Ready(id) => {
                if let Some(pool) = self.ces[ce.index()].pool.as_mut() {
                    pool.occupy(id, &r);
                }
                self.dispatch(slot, ce, Some(id));
            }
            Ec2Placement::Launching(id) => self.claim(slot, ce, id),
            Ec2Placement::Launch(t) => {
                let id = self.launch_instance(ce, t, false);
                if self.ces[ce.index()]
                    .pool
                    .as_ref()
                    .and_then(|p| p.instances.get(&id))
                    .is_some_and(|i| i.ready)
                {
                    if let Some(pool) = self.ces[ce.index()].pool.as_mut() {
                        pool.occupy(id, &r);
                    }
                    self.dispatch(slot, ce, Some(id));
                } else {
                    self.claim(slot, ce, id);
                }
            }
        }
    }

    fn claim(&mut self, slot: JobSlot, ce: CeId, id: u32) {
        self.leave_runnable(slot);
        let Some(job) = self.jobs.get_mut(slot) else { return };
        job.claim = Some((ce, id));
        let (r, job_id, q) = (job.resources, job.id, job.queue);
        self.queues[q.index()].held_on_ce[ce.index()] += u64::from(r.millivcpus);
        if let Some(pool) = self.ces[ce.index()].pool.as_mut() {
            pool.occupy(id, &r);
            if let Some(i) = pool.instances.get_mut(&id) {
                i.claims.push((slot.0, job_id));
            }
        }
    }

    /// A claimed job leaves (cancelled) before its instance is ready: its room is given back.
    pub(super) fn release_claim(&mut self, slot: JobSlot) {
        let Some(job) = self.jobs.get_mut(slot) else { return };
        let Some((ce, id)) = job.claim.take() else { return };
        let (r, job_id, q) = (job.resources, job.id, job.queue);
        self.queues[q.index()].held_on_ce[ce.index()] -= u64::from(r.millivcpus);
        if let Some(pool) = self.ces[ce.index()].pool.as_mut() {
            pool.release(id, &r);
            if let Some(i) = pool.instances.get_mut(&id) {
                i.claims.retain(|c| c.1 != job_id);
            }
        }
        self.instance_idle(ce, id);
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
            if self
                .jobs
                .get(slot)
                .is_some_and(|j| j.id == job_id && j.claim == Some((ce, id)))
            {
                self.dispatch(slot, ce, Some(id));
            }
        }
        self.instance_idle(ce, id);
        self.capacity_changed(ce);
    }

    /// Called when an instance may have become idle: starts its scale-in clock, stops its
    /// Spot clock.
    pub(super) fn instance_idle(&mut self, ce: CeId, id: u32) {
        let now = self.now;
        let idle_for = self.ces[ce.index()].spec.scale_in_idle;
        let Some(i) = self.ces[ce.index()]
            .pool
            .as_mut()
            .and_then(|p| p.instances.get_mut(&id))
        else {
            return;
        };
        if !i.is_idle() || !i.ready {
            return;
        }
        i.idle_since = Some(now);
        if !i.noticed {
            let keys = std::mem::take(&mut i.spot_events);
            for k in keys.into_iter().flatten() {
                self.events.cancel_pending(k);
            }
        }
        self.events.schedule(
            now + idle_for,
            Event::ScaleInCheck {
                ce,
                instance: id,
                idle_since_ms: now.as_millis(),
            },
        );
    }

    /// An attempt starts on an instance: the instance is busy; on SPOT its reclaim clock
    /// starts when it turns busy.
    pub(super) fn instance_busy(&mut self, ce: CeId, id: u32, slot: JobSlot, attempt: u64) {
        let now = self.now;
        let c = &mut self.ces[ce.index()];
        let spot = c.spec.kind == crate::model::ComputeEnvironmentType::Spot && c.spec.interruptions_per_hour > 0.0;
        let notice = c.spec.interruption_notice;
        let Some(i) = c.pool.as_mut().and_then(|p| p.instances.get_mut(&id)) else {
            return;
        };
        i.attempts += 1;
        i.idle_since = None;
        i.running.push((slot.0, attempt));
        let start_clock = spot && i.spot_events.iter().all(Option::is_none) && !i.noticed;
        if start_clock {
            let d = c.draw_reclaim();
            let reclaim_at = now + d;
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
    }

    /// An attempt on an instance ended: its room is free again.
    pub(super) fn instance_attempt_ended(&mut self, ce: CeId, id: u32, r: &Resources, attempt: u64) {
        if let Some(pool) = self.ces[ce.index()].pool.as_mut() {
            pool.release(id, r);
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
        let reason: Arc<str> = Arc::from(format!(
            "Host EC2 (instance {}) terminated.",
            Pool::instance_name(ce.0, id)
        ));
        for (slot, attempt) in running {
            let slot = JobSlot(slot);
            let current = self
                .jobs
                .get(slot)
                .and_then(|j| j.attempt.as_ref())
                .is_some_and(|a| a.id == attempt);
            if current {
                self.end_attempt(slot, super::attempt::AttemptEnd::Reclaimed(reason.clone()));
            }
        }
        self.terminate_instance(ce, id);
        self.fill_standing_capacity(ce, false);
        self.capacity_changed(ce);
    }

    pub(super) fn scale_in_check(&mut self, ce: CeId, id: u32, idle_since_ms: u64) {
        let c = &self.ces[ce.index()];
        let min = u64::from(c.spec.min_vcpus) * 1000;
        let Some(pool) = &c.pool else { return };
        let Some(i) = pool.instances.get(&id) else { return };
        if !i.is_idle() || i.idle_since != Some(SimTime::from_millis(idle_since_ms)) {
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

    /// Capacity changed on `ce` (freed, added, limits or state changed): every queue that
    /// uses it must look again.
    pub(super) fn capacity_changed(&mut self, ce: CeId) {
        for i in 0..self.ces[ce.index()].attached.len() {
            let q = self.ces[ce.index()].attached[i];
            self.queues[q.index()].stalled = false;
        }
        self.dispatch_needed = true;
    }

    /// Integrates `maxvCpus` up to now (before it changes, and at the end).
    pub(super) fn integrate_max(&mut self, ce: CeId, now: SimTime) {
        let m = &mut self.metrics.ces[ce.index()];
        let span = u128::from(now.since(m.max_since).as_millis());
        m.max_vcpu_ms += span * u128::from(self.ces[ce.index()].spec.max_vcpus);
        m.max_since = now;
    }

    /// After UpdateComputeEnvironment: launch toward new min/desired, and let idle instances
    /// beyond a lowered minimum scale in.
    pub(super) fn capacity_update(&mut self, ce: CeId) {
        if self.ces[ce.index()].pool.is_none() {
            return;
        }
        self.fill_standing_capacity(ce, false);
        let now = self.now;
        let idle_for = self.ces[ce.index()].spec.scale_in_idle;
        let idle: Vec<(u32, SimTime)> = self.ces[ce.index()]
            .pool
            .as_ref()
            .map(|p| {
                p.instances
                    .iter()
                    .filter(|(_, i)| i.ready && i.is_idle())
                    .filter_map(|(id, i)| i.idle_since.map(|s| (*id, s)))
                    .collect()
            })
            .unwrap_or_default();
        for (id, since) in idle {
            let at = (since + idle_for).max(now);
            self.events.schedule(
                at,
                Event::ScaleInCheck {
                    ce,
                    instance: id,
                    idle_since_ms: since.as_millis(),
                },
            );
        }
    }

    /// At the end of the run: instances still up are billed and counted to `end`.
    pub(super) fn close_capacity(&mut self, end: SimTime) {
        for c in 0..self.ces.len() {
            let Some(pool) = &self.ces[c].pool else { continue };
            let mut provisioned = 0u128;
            let mut cost = 0.0;
            for i in pool.instances.values() {
                let t = &pool.types[i.type_index];
                let ms = end.since(i.launched_at).as_millis();
                provisioned += u128::from(t.room.millivcpus) * u128::from(ms);
                cost += ms as f64 / 3_600_000.0 * t.price_per_hour;
            }
            let m = &mut self.metrics.ces[c];
            m.provisioned_millivcpu_ms += provisioned;
            m.cost += cost;
        }
    }
}
