//! Custom decisions in a run: the data the engine shows them, their answers checked, and
//! the calls that install them. The built-ins never come here (the engine matches them
//! statically); only a custom decision pays for building its view.

use super::capacity::Placement;
use super::ec2::{Ec2Placement, NodeSlot, Pool};
use super::jobs::{Job, JobSlot, JobTable};
use super::{DecisionError, QueuePolicy, Simulation};
use crate::model::{CeId, JobStatus, QueueId, QueuePriorityMode};
use crate::policy::{
    AttemptOutcome, BackfillPolicy, CeCapacity, CrossQueueAsk, CrossQueueRule, Installed, JobDetails, JobInfo, NodeOn,
    NodeType, NodesCandidate, PlaceOn, PlacementCandidate, PlacementPolicy, QueueDemand, QueuedJob, ReservationAsk,
    ReservationRule, ScaleOutPolicy, Shared, SharedPolicy,
};
use crate::time::SimTime;

/// What a policy may know of a live job.
pub(super) fn job_info(j: &Job) -> JobInfo {
    JobInfo {
        id: j.id(),
        share_identifier: j.spec.share.clone(),
        scheduling_priority: j.priority(),
        resources: j.resources(),
        name: j.spec.name.clone(),
        definition: j.spec.definition.clone(),
        submitted_at: j.submitted_at,
        runtime_estimate: (j.attempts() == 0).then_some(j.first_plan().runtime),
        requested_runtime: j.estimate().get(),
        attempts: j.attempts(),
    }
}

/// The job table as a view's [`JobDetails`].
pub(super) struct Details<'a>(&'a JobTable);

impl JobDetails for Details<'_> {
    fn details(&self, job: &QueuedJob) -> Option<JobInfo> {
        self.0.get_if(JobSlot(job.slot), job.id).map(job_info)
    }
}

impl Simulation {
    /// The job table as a view's [`JobDetails`].
    pub(super) fn job_details(&self) -> Details<'_> {
        Details(self.jobs.table())
    }

    /// Compute environment `ce`'s capacity now.
    pub(super) fn ce_capacity(&self, ce: CeId) -> CeCapacity {
        let c = &self.ces[ce];
        let max = u64::from(c.spec.max_vcpus) * 1000;
        let (free, memory, launchable, instances) = match &c.pool {
            None => (max.saturating_sub(c.used_millivcpus), None, 0, 0),
            Some(pool) => {
                let (cpu, mem) = pool.ready_free();
                (
                    cpu,
                    Some(mem),
                    max.saturating_sub(pool.provisioned_millivcpus),
                    pool.instances.len(),
                )
            }
        };
        CeCapacity {
            ce,
            name: c.spec.name.clone(),
            enabled: c.enabled(),
            fargate: c.pool.is_none(),
            max_vcpus: c.spec.max_vcpus,
            used_millivcpus: c.used_millivcpus,
            free_millivcpus: free,
            free_memory_mib: memory,
            launchable_millivcpus: launchable,
            instances,
        }
    }

    /// Queue `q`'s custom policy's pick, if it is a RUNNABLE job of the queue.
    #[cold]
    #[inline(never)]
    pub(super) fn custom_pick(&self, q: QueueId, policy: &SharedPolicy) -> Option<JobSlot> {
        let qr = &self.queues[q];
        let capacity: Vec<CeCapacity> = qr
            .spec
            .compute_environments
            .iter()
            .map(|&c| self.ce_capacity(c))
            .collect();
        let details = self.job_details();
        let view = qr
            .set
            .view(self.kernel.now)
            .with_details(&details)
            .with_capacity(&capacity);
        let job = policy.lock().pick(&view).map(|j| (JobSlot(j.slot), j.id))?;
        // A custom policy must answer with a job of the view; anything else offers nothing.
        self.jobs
            .get_if(job.0, job.1)
            .filter(|j| j.status == JobStatus::Runnable && j.queue() == q)
            .map(|_| job.0)
    }

    /// Whether compute environment `ce` may take a job needing `millivcpus` of queue `q`
    /// now: ENABLED, not held by the cross-queue rule (`queuePriority`, or a custom
    /// [`CrossQueueRule`]), within `computeReservation`.
    #[inline(always)]
    pub(super) fn ce_eligible(&self, q: QueueId, ce: CeId, millivcpus: u32) -> bool {
        let c = &self.ces[ce];
        c.enabled()
            && match &c.cross_queue.0 {
                // The built-ins, matched statically: AwsCycle holds nothing back,
                // StrictPriority is `blocked_by_higher`.
                None => !(c.spec.queue_priority == QueuePriorityMode::Strict && self.blocked_by_higher(ce, q)),
                Some(rule) => self.custom_cross_queue(q, ce, rule),
            }
            && self.reservation_allows(q, ce, millivcpus)
    }

    /// Asks queue `q`'s custom reservation rule whether a job needing `millivcpus` more may
    /// go to `ce` now.
    #[cold]
    #[inline(never)]
    pub(super) fn custom_reservation(
        &self,
        q: QueueId,
        ce: CeId,
        millivcpus: u32,
        rule: &Shared<dyn ReservationRule>,
    ) -> bool {
        let qr = &self.queues[q];
        let compute_reservation = qr
            .spec
            .scheduling_policy
            .map_or(0, |p| self.queues.policy(p).compute_reservation);
        let ask = ReservationAsk {
            queue: q,
            ce,
            compute_reservation,
            active_shares: qr.active.count_at(self.kernel.now),
            max_vcpus: self.ces[ce].spec.max_vcpus,
            held_millivcpus: qr.held_on_ce[ce.index()],
            job_millivcpus: millivcpus,
        };
        rule.lock().allows(&ask)
    }

    /// Asks a custom cross-queue rule of `ce` whether queue `q` may use it now.
    #[cold]
    #[inline(never)]
    fn custom_cross_queue(&self, q: QueueId, ce: CeId, rule: &Shared<dyn CrossQueueRule>) -> bool {
        let attached: Vec<QueueDemand> = self.ces[ce]
            .attached
            .iter()
            .map(|&a| {
                let qr = &self.queues[a];
                QueueDemand {
                    queue: a,
                    priority: qr.spec.priority,
                    waiting: qr.fits_waiting_on(ce),
                }
            })
            .collect();
        let ask = CrossQueueAsk {
            ce,
            queue: q,
            priority: self.queues[q].spec.priority,
            attached: &attached,
        };
        rule.lock().may_use(&ask)
    }

    /// The compute environments of queue `q` as a placement sees them for `job`.
    fn placement_candidates(&self, q: QueueId, job: &Job) -> Vec<PlacementCandidate> {
        self.queues[q]
            .spec
            .compute_environments
            .iter()
            .map(|&ce| {
                let c = &self.ces[ce];
                let eligible = self.ce_eligible(q, ce, job.resources().millivcpus)
                    && self.ces[ce].runs_architecture(job.spec.architecture)
                    // FARGATE_SPOT inside a `simulation.unavailable` window starts nothing.
                    && !c.spot_unavailable
                    // LAMBDA: concurrency, then a warm environment or room in the scaling window.
                    && c.lambda.as_ref().is_none_or(|l| l.can_start(&c.spec, &job.resources()));
                let capacity = self.ce_capacity(ce);
                let Some(pool) = &c.pool else {
                    return PlacementCandidate {
                        eligible,
                        ..PlacementCandidate::fargate(capacity)
                    };
                };
                let (ready, launching) = pool.placeable_instances();
                // No new instance is offered inside a scale-out cooldown (`latency.rs`).
                let launch = match eligible && c.may_scale_out() {
                    true => c
                        .launch_type_with(&job.resources(), |t| self.ec2_available(ce, t))
                        .and_then(|t| pool.instance_option(t, c.spec.max_vcpus, c.spec.allocation_strategy)),
                    false => None,
                };
                PlacementCandidate {
                    capacity,
                    eligible,
                    ready,
                    launching,
                    launch,
                }
            })
            .collect()
    }

    /// Where queue `q`'s custom placement puts the single-node job in `slot`, checked.
    #[cold]
    #[inline(never)]
    pub(super) fn custom_place(
        &self,
        q: QueueId,
        slot: JobSlot,
        placement: &Shared<dyn PlacementPolicy>,
    ) -> Option<(CeId, Placement)> {
        let job = self.jobs.get(slot)?;
        let candidates = self.placement_candidates(q, job);
        let answer = placement.lock().place(job.id(), &job.resources(), &candidates)?;
        let need = &job.resources();
        let of = |ce: CeId| candidates.iter().find(|c| c.capacity.ce == ce && c.eligible);
        match answer {
            PlaceOn::Task { ce } => of(ce).filter(|c| c.task_fits(need)).map(|_| (ce, Placement::Task)),
            PlaceOn::Instance { ce, instance } => {
                let c = of(ce)?;
                let fits =
                    |list: &[crate::policy::InstanceRoom]| list.iter().any(|i| i.id == instance && i.holds(need));
                let p = if fits(&c.ready) {
                    Ec2Placement::Ready(instance.0)
                } else if fits(&c.launching) {
                    Ec2Placement::Launching(instance.0)
                } else {
                    return None;
                };
                Some((ce, Placement::Instance(p)))
            }
            PlaceOn::Launch { ce } => {
                let t = of(ce)?.launch.as_ref()?.index;
                Some((ce, Placement::Instance(Ec2Placement::Launch(t))))
            }
        }
    }

    /// Where queue `q`'s custom placement puts the multi-node job in `slot`, checked: every
    /// node on an instance of its own on one eligible compute environment, an idle one
    /// that holds it or a new one of an offered type that holds it, within `maxvCpus`.
    #[cold]
    #[inline(never)]
    pub(super) fn custom_place_nodes(
        &self,
        q: QueueId,
        slot: JobSlot,
        placement: &Shared<dyn PlacementPolicy>,
    ) -> Option<(CeId, Placement)> {
        let job = self.jobs.get(slot)?;
        let nodes = job.spec.nodes.as_deref()?;
        let candidates: Vec<NodesCandidate> = self.queues[q]
            .spec
            .compute_environments
            .iter()
            .map(|&ce| {
                let c = &self.ces[ce];
                let capacity = self.ce_capacity(ce);
                let Some(pool) = &c.pool else {
                    // Multi-node parallel jobs run on EC2 instances only.
                    return NodesCandidate {
                        capacity,
                        eligible: false,
                        idle: Vec::new(),
                        types: Vec::new(),
                    };
                };
                let eligible =
                    self.ce_eligible(q, ce, job.resources().millivcpus) && c.runs_architecture(job.spec.architecture);
                let (idle, types) = pool.node_options(c.spec.max_vcpus, c.spec.allocation_strategy, c.may_scale_out());
                NodesCandidate {
                    capacity,
                    eligible,
                    idle,
                    types,
                }
            })
            .collect();
        let answer = placement.lock().place_nodes(job.id(), nodes, &candidates)?;
        let offered = candidates.iter().find(|c| c.capacity.ce == answer.ce && c.eligible)?;
        if answer.nodes.len() != nodes.len() {
            return None;
        }
        let mut taken: Vec<u32> = Vec::with_capacity(nodes.len());
        let mut added = 0u64;
        let mut slots = Vec::with_capacity(nodes.len());
        for (node, on) in nodes.iter().zip(&answer.nodes) {
            match *on {
                NodeOn::Idle(id) => {
                    let idle = offered.idle.iter().any(|i| i.id == id && i.holds(node));
                    if !idle || taken.contains(&id.0) {
                        return None;
                    }
                    taken.push(id.0);
                    slots.push(NodeSlot::Idle(id.0));
                }
                NodeOn::Launch(t) => {
                    let ty = offered
                        .types
                        .iter()
                        .find(|x| x.option.index == t && x.option.holds(node))?;
                    added += ty.counted_millivcpus;
                    slots.push(NodeSlot::Launch(t));
                }
            }
        }
        let c = &self.ces[answer.ce];
        let provisioned = c.pool.as_ref()?.provisioned_millivcpus;
        (provisioned + added <= u64::from(c.spec.max_vcpus) * 1000).then_some((answer.ce, Placement::Nodes(slots)))
    }

    /// Tells queue `q`'s custom policy (if any) that the job in `slot` started on `ce`.
    #[inline]
    pub(super) fn notify_start(&self, q: QueueId, slot: JobSlot, ce: CeId) {
        if !self.custom_policies {
            return;
        }
        if let QueuePolicy::Custom(p) = &self.queues[q].policy {
            self.tell(p, slot, |p, info, now| p.on_start(info, ce, now));
        }
    }

    /// Tells queue `q`'s custom policy (if any) that the attempt of the job in `slot` ended:
    /// the job goes back to RUNNABLE (`requeue`) or ends with `status`.
    #[inline]
    pub(super) fn notify_end(&self, q: QueueId, slot: JobSlot, requeue: bool, status: JobStatus) {
        if !self.custom_policies {
            return;
        }
        let outcome = match (requeue, status) {
            (true, _) => AttemptOutcome::Retried,
            (false, JobStatus::Succeeded) => AttemptOutcome::Succeeded,
            (false, _) => AttemptOutcome::Failed,
        };
        if let QueuePolicy::Custom(p) = &self.queues[q].policy {
            self.tell(p, slot, |p, info, now| p.on_end(info, outcome, now));
        }
    }

    /// Calls `f` with the policy and the details of the job in `slot`.
    #[cold]
    #[inline(never)]
    fn tell(
        &self,
        p: &SharedPolicy,
        slot: JobSlot,
        f: impl FnOnce(&mut dyn crate::policy::JobPolicy, &JobInfo, SimTime),
    ) {
        if let Some(j) = self.jobs.get(slot) {
            f(&mut **p.lock(), &job_info(j), self.kernel.now);
        }
    }

    /// Replaces the placement of queue `queue` (by name): which of its compute environments,
    /// and which instance there, each job goes to (a multi-node job through
    /// [`PlacementPolicy::place_nodes`], AWS's rule unless the placement overrides it). An
    /// unknown queue is an error and nothing changes. The cross-queue rule and the
    /// reservation rule still decide which compute environments are eligible.
    pub fn set_placement(&mut self, queue: &str, placement: Box<dyn PlacementPolicy>) -> Result<(), DecisionError> {
        let q = self.decision_queue(queue)?;
        let qr = &mut self.queues[q];
        qr.placement = Installed(Some(Shared::new(placement)));
        qr.stalled = false;
        self.dispatch_needed = true;
        Ok(())
    }

    /// Replaces the cross-queue rule of compute environment `ce` (by name or ARN): whether a
    /// queue may place a job on it while queues of higher priority attached to it wait
    /// ([`CrossQueueRule`]; the built-ins are [`crate::policy::AwsCycle`] for
    /// `queuePriority: "aws"` and [`crate::policy::StrictPriority`] for `"strict"`). From now
    /// on every queue counts its RUNNABLE jobs each of its compute environments could ever
    /// fit (the rule's `waiting`), the jobs already queued included. An unknown compute
    /// environment is an error (with the closest name) and nothing changes.
    pub fn set_cross_queue_rule(&mut self, ce: &str, rule: Box<dyn CrossQueueRule>) -> Result<(), DecisionError> {
        let c = self.decision_ce(ce)?;
        self.ces[c].cross_queue = Installed(Some(Shared::new(rule)));
        if !self.strict_on {
            self.strict_on = true;
            for q in self.queues.ids() {
                self.recompute_fit_counts(q);
            }
        }
        self.capacity_changed(c);
        self.dispatch_needed = true;
        Ok(())
    }

    /// Replaces the reservation rule of queue `queue` (by name): how much of each of its
    /// compute environments it keeps free for share identifiers that have no job yet
    /// ([`ReservationRule`]; the built-in is [`crate::policy::AwsReservation`], the queue's
    /// scheduling policy's `computeReservation`). A custom rule is asked on any queue, a
    /// FIFO queue included (with a `computeReservation` of 0). An unknown queue is an error
    /// (with the closest name) and nothing changes.
    pub fn set_reservation_rule(&mut self, queue: &str, rule: Box<dyn ReservationRule>) -> Result<(), DecisionError> {
        let q = self.decision_queue(queue)?;
        let qr = &mut self.queues[q];
        qr.reservation = Installed(Some(Shared::new(rule)));
        qr.stalled = false;
        self.dispatch_needed = true;
        Ok(())
    }

    /// Replaces the scale-out decision of EC2/SPOT compute environment `ce` (by name): which
    /// instance type it launches for a job no live instance can take. An unknown compute
    /// environment, or one that launches no instances (Fargate, Lambda), is an error and
    /// nothing changes. The `minvCpus`/`desiredvCpus`
    /// capacity and multi-node jobs keep the built-in rules (CONTRACT 7.14 e).
    pub fn set_scale_out(&mut self, ce: &str, scale_out: Box<dyn ScaleOutPolicy>) -> Result<(), DecisionError> {
        let c = self.decision_ce(ce)?;
        if self.ces[c].pool.is_none() {
            return Err(DecisionError::NoInstances {
                name: self.ces[c].spec.name.clone(),
            });
        }
        self.ces[c].scale_out = Installed(Some(Shared::new(scale_out)));
        self.capacity_changed(c);
        Ok(())
    }

    /// Replaces the backfilling of queue `queue` (by name), whatever its `backfill` mode:
    /// which later jobs start while its head cannot be placed. An unknown queue is an error
    /// and nothing changes.
    pub fn set_backfill(&mut self, queue: &str, backfill: Box<dyn BackfillPolicy>) -> Result<(), DecisionError> {
        let q = self.decision_queue(queue)?;
        self.track_for_backfilling();
        let qr = &mut self.queues[q];
        qr.backfill_policy = Installed(Some(Shared::new(backfill)));
        qr.stalled = false;
        self.dispatch_needed = true;
        Ok(())
    }

    /// The compute environment a `set_*` call names, or the error naming the closest one.
    fn decision_ce(&self, ce: &str) -> Result<CeId, DecisionError> {
        self.compute_environment_id(ce).ok_or_else(|| {
            let names = self.ces.iter().map(|c| c.spec.name.as_str());
            DecisionError::UnknownComputeEnvironment {
                name: ce.to_string(),
                suggestion: crate::suggest::suggest(crate::model::arn_tail(ce), names).map(str::to_string),
            }
        })
    }

    /// The queue a `set_*` call names, or the error naming the closest queue.
    pub(super) fn decision_queue(&self, queue: &str) -> Result<QueueId, DecisionError> {
        self.queue_id(queue).ok_or_else(|| {
            let names = self.queues.iter().map(|q| q.spec.name.as_str());
            DecisionError::UnknownQueue {
                name: queue.to_string(),
                suggestion: crate::suggest::suggest(crate::model::arn_tail(queue), names).map(str::to_string),
            }
        })
    }

    /// Starts the bookkeeping backfilling needs (each queue's backfill index, each compute
    /// environment's attempts), from the live jobs, if no queue backfilled so far.
    fn track_for_backfilling(&mut self) {
        if self.backfill_on {
            return;
        }
        self.backfill_on = true;
        let live: Vec<(JobSlot, bool, Option<CeId>)> = self
            .jobs
            .iter()
            .map(|(s, j)| {
                // A RUNNABLE job is in its queue's set unless it holds a claim (CONTRACT 7.14 b).
                let queued = j.status == JobStatus::Runnable && j.claim().is_none();
                (s, queued, j.attempt().map(|a| a.ce))
            })
            .collect();
        for (slot, queued, ce) in live {
            if queued {
                self.backfill_index_insert(slot);
            }
            if let Some(ce) = ce {
                self.ces[ce].attempts.insert(slot.0);
            }
        }
    }
}

/// The views of an EC2/SPOT pool that custom decisions get.
impl Pool {
    /// The pool as a [`crate::policy::ScaleOutPolicy`] sees it.
    pub fn scale_out_view(
        &self,
        ce: CeId,
        max_vcpus: u32,
        strategy: crate::model::AllocationStrategy,
        available: impl Fn(usize) -> Option<u32>,
    ) -> crate::policy::ScaleOutView {
        crate::policy::ScaleOutView {
            ce,
            allocation_strategy: strategy,
            spot: self.spot,
            max_vcpus,
            provisioned_millivcpus: self.provisioned_millivcpus,
            types: (0..self.types.len())
                .filter_map(|i| {
                    let mut option = self.instance_option(i, max_vcpus, strategy)?;
                    option.available = available(i);
                    Some(option)
                })
                .collect(),
        }
    }

    /// Type `index` as a scale-out decision sees it.
    pub fn instance_option(
        &self,
        index: usize,
        max_vcpus: u32,
        strategy: crate::model::AllocationStrategy,
    ) -> Option<crate::policy::InstanceOption> {
        let t = self.types.get(index)?;
        Some(crate::policy::InstanceOption {
            index,
            name: t.instance_type.name.to_string(),
            millivcpus: t.usable().millivcpus,
            memory_mib: t.room.memory_mib,
            gpus: t.room.gpus,
            price_per_hour: t.price_per_hour,
            within_limit: self.may_launch(t.room.millivcpus, max_vcpus, strategy),
            available: None,
            entry: t.entry,
            interruptions_per_hour: t.spot.interruptions_per_hour,
            priced_out: t.spot.priced_out,
        })
    }

    /// What a multi-node placement sees of this pool: the idle READY instances (no job, no
    /// claim, no Spot notice) in the order [`Pool::plan_nodes`] takes them (the smallest
    /// type, then the oldest), and, when it may launch (`launch`), the types cheapest first
    /// as [`Pool::plan_nodes`] prefers them (then fewer vCPUs, then name).
    pub fn node_options(
        &self,
        max_vcpus: u32,
        strategy: crate::model::AllocationStrategy,
        launch: bool,
    ) -> (Vec<crate::policy::InstanceRoom>, Vec<NodeType>) {
        let mut idle: Vec<(super::ec2::Room, u32)> = self
            .instances
            .iter()
            .filter(|(_, i)| i.ready && !i.noticed && i.is_idle())
            .map(|(id, i)| (self.types[i.type_index].room, id))
            .collect();
        idle.sort_unstable();
        let idle = idle.into_iter().filter_map(|(_, id)| self.instance_room(id)).collect();
        if !launch {
            return (idle, Vec::new());
        }
        let mut order: Vec<usize> = (0..self.types.len()).collect();
        order.sort_by(|&a, &b| super::ec2::cheaper_node_type(&self.types[a], &self.types[b]));
        let types = order
            .into_iter()
            .filter_map(|t| {
                Some(NodeType {
                    option: self.instance_option(t, max_vcpus, strategy)?,
                    counted_millivcpus: self.types[t].room.millivcpus,
                })
            })
            .collect();
        (idle, types)
    }

    /// Instance `id`'s free room, as decisions see it.
    pub fn instance_room(&self, id: u32) -> Option<crate::policy::InstanceRoom> {
        let i = self.instances.get(&id)?;
        let t = &self.types[i.type_index];
        Some(crate::policy::InstanceRoom {
            id: crate::policy::InstanceId(id),
            instance_type: t.instance_type.name.to_string(),
            ready: i.ready,
            free_millivcpus: i.free.millivcpus,
            free_memory_mib: i.free.memory_mib,
            free_gpus: i.free.gpus,
            total_millivcpus: t.room.millivcpus,
        })
    }

    /// READY instances that take jobs, and launching ones with free room, in id order (what
    /// [`Pool::plan_existing`] chooses among).
    pub fn placeable_instances(&self) -> (Vec<crate::policy::InstanceRoom>, Vec<crate::policy::InstanceRoom>) {
        let mut ready = Vec::new();
        let mut launching = Vec::new();
        for (id, i) in self.instances.iter() {
            if i.noticed {
                continue;
            }
            if i.ready {
                ready.extend(self.instance_room(id));
            } else if i.free.millivcpus > 0 {
                launching.extend(self.instance_room(id));
            }
        }
        (ready, launching)
    }

    /// Free vCPUs and memory of the READY instances that take jobs.
    pub fn ready_free(&self) -> (u64, u64) {
        self.instances
            .values()
            .filter(|i| i.ready && !i.noticed)
            .fold((0, 0), |(c, m), i| (c + i.free.millivcpus, m + i.free.memory_mib))
    }
}
