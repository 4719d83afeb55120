//! Compute environment capacity: what fits where, standing EC2 capacity, and the
//! bookkeeping every capacity change needs.

use super::ec2::{Ec2Placement, NodeSlot, Pool, Room};
use super::error::CeError;
use super::event::Event;
use super::Simulation;
use crate::model::instance_catalog::Architecture;
use crate::model::{CeId, CeState, ComputeEnvironment, ComputeEnvironmentType, Resources};
use crate::time::{SimDuration, SimTime};
use crate::workload::rng::{stream, StreamKind};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Where a job goes on a compute environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Placement {
    /// Fargate: a task of its own.
    Task,
    /// EC2/SPOT: see [`Ec2Placement`].
    Instance(Ec2Placement),
    /// EC2: a multi-node parallel job, one instance per node.
    Nodes(Vec<NodeSlot>),
}

/// The engine's state of one compute environment.
#[derive(Clone)]
pub(crate) struct CeRuntime {
    /// The definition, as changed by actions (state, vCPU limits).
    pub spec: ComputeEnvironment,
    /// `spec.name`, shared (every row of the per-job table names its compute environment).
    pub name: std::sync::Arc<str>,
    /// milli-vCPUs held by dispatched attempts.
    pub used_millivcpus: u64,
    /// Queues that list this compute environment, in visiting order.
    pub attached: Vec<crate::model::QueueId>,
    /// Spot reclaim draws.
    pub interruptions: ChaCha8Rng,
    /// EC2/SPOT instances.
    pub pool: Option<Pool>,
    /// LAMBDA: invocations in flight, warm environments, scaling windows.
    pub lambda: Option<Box<super::lambda::LambdaPool>>,
    /// Slots of the jobs with an attempt here (kept only when some queue backfills).
    pub attempts: std::collections::BTreeSet<u32>,
    /// Instances that became READY at this instant: their idle clocks start after the pass
    /// if no job took them.
    pub settle: Vec<u32>,
    /// Idle instances are reviewed for scale-in after this instant's pass.
    pub scale_in_review: bool,
    /// Instances whose idle time ran out at this instant.
    pub scale_in_due: Vec<u32>,
    /// Idle instances the minimum kept (or would have): looked at again at every review,
    /// with the due ones, so no review looks at every instance.
    pub scale_in_kept: std::collections::BTreeSet<u32>,
    /// Its index in the scenario.
    pub id: CeId,
    /// A custom scale-out decision (`None`: CONTRACT 7.14 g, [`crate::policy::AwsScaleOut`]).
    pub scale_out: crate::policy::Installed<dyn crate::policy::ScaleOutPolicy>,
    /// A custom cross-queue rule (`None`: the `queuePriority` setting's built-in,
    /// [`crate::policy::AwsCycle`] or [`crate::policy::StrictPriority`]).
    pub cross_queue: crate::policy::Installed<dyn crate::policy::CrossQueueRule>,
    /// The last scale-out decision (instances launched for jobs), when a cooldown is set.
    pub last_scale_out: Option<SimTime>,
    /// Inside the cooldown of the last decision: no launches for jobs (`latency.rs`).
    pub scale_out_held: bool,
    /// FARGATE_SPOT inside a `simulation.unavailable` window: no task starts
    /// (`spot_market.rs`).
    pub spot_unavailable: bool,
    /// When the pending [`Event::SpotMarket`] of this compute environment is due.
    pub spot_wake: Option<SimTime>,
}

impl CeRuntime {
    pub fn new(spec: ComputeEnvironment, seed: u64, index: usize) -> Result<CeRuntime, CeError> {
        let pool = match !spec.kind.has_instances() {
            true => None,
            false => Some(
                Pool::new(&spec, spec.reserved_memory_mib.map(u64::from)).map_err(|source| CeError {
                    ce: spec.name.clone(),
                    source,
                })?,
            ),
        };
        let interruptions = stream(seed, StreamKind::Interruptions, index as u64);
        let lambda = spec.kind.is_lambda().then(Box::default);
        Ok(CeRuntime {
            name: std::sync::Arc::from(spec.name.as_str()),
            spec,
            used_millivcpus: 0,
            attached: Vec::new(),
            interruptions,
            pool,
            lambda,
            attempts: Default::default(),
            settle: Vec::new(),
            scale_in_review: false,
            scale_in_due: Vec::new(),
            scale_in_kept: Default::default(),
            id: CeId(index as u32),
            scale_out: Default::default(),
            cross_queue: Default::default(),
            last_scale_out: None,
            scale_out_held: false,
            spot_unavailable: false,
            spot_wake: None,
        })
    }

    /// ENABLED compute environments take new jobs.
    pub fn enabled(&self) -> bool {
        self.spec.state == CeState::Enabled
    }

    /// milli-vCPUs provisioned now: EC2/SPOT instances up or launching; on Fargate, the
    /// tasks' vCPUs in use.
    pub fn provisioned_millivcpus(&self) -> u64 {
        self.pool
            .as_ref()
            .map_or(self.used_millivcpus, |p| p.provisioned_millivcpus)
    }

    /// True when no job at all could be placed here now: DISABLED, or a Fargate compute
    /// environment whose tasks already hold all of `maxvCpus`. (An EC2 pool is never
    /// called full here: a job may still fit on an instance or launch one.)
    pub fn is_full(&self) -> bool {
        !self.enabled()
            || self.spot_unavailable
            || (self.pool.is_none() && self.used_millivcpus >= self.max_millivcpus())
            || self.lambda.as_ref().is_some_and(|l| l.is_full(&self.spec))
    }

    fn max_millivcpus(&self) -> u64 {
        u64::from(self.spec.max_vcpus) * 1000
    }

    /// Where a job needing `r` (or, for a multi-node job, one instance per node) goes now.
    /// (Inline, with a task's answer first: called at every placement attempt; when the
    /// engine grew, the compiler stopped inlining it, M/M/100 +1.4%.)
    #[inline]
    pub fn plan(&self, r: &Resources, nodes: Option<&[Resources]>) -> Option<Placement> {
        match (&self.pool, nodes, &self.scale_out.0) {
            (None, None, _) => self.plan_task(r),
            // The built-in scale-out without a capacity model: the pool's own rule.
            (Some(pool), None, None) => pool
                .plan(
                    r,
                    self.spec.max_vcpus,
                    self.spec.allocation_strategy,
                    self.may_scale_out(),
                )
                .map(Placement::Instance),
            _ => self.plan_with(r, nodes, |_| None),
        }
    }

    /// A task (Fargate, Fargate Spot, Lambda) needing `r` starts now if its vCPUs stay
    /// within `maxvCpus` (and Fargate Spot has capacity, Lambda concurrency).
    #[inline]
    fn plan_task(&self, r: &Resources) -> Option<Placement> {
        (!self.spot_unavailable
            && self.used_millivcpus + u64::from(r.millivcpus) <= self.max_millivcpus()
            && self.lambda.as_ref().is_none_or(|l| l.can_start(&self.spec, r)))
        .then_some(Placement::Task)
    }

    /// [`CeRuntime::plan`] when EC2 supplies `available(type index)` more instances of each
    /// type (`None`: no limit).
    pub fn plan_with(
        &self,
        r: &Resources,
        nodes: Option<&[Resources]>,
        available: impl Fn(usize) -> Option<u32>,
    ) -> Option<Placement> {
        match (&self.pool, nodes) {
            (None, None) => self.plan_task(r),
            (None, Some(_)) => None,
            (Some(pool), None) => pool
                .plan_existing(r)
                .or_else(|| {
                    // Inside a scale-out cooldown, no launch (latency.rs).
                    self.may_scale_out()
                        .then(|| self.launch_type_with(r, available).map(Ec2Placement::Launch))
                        .flatten()
                })
                .map(Placement::Instance),
            (Some(pool), Some(nodes)) => pool
                .plan_nodes(nodes, self.spec.max_vcpus)
                // Inside a scale-out cooldown, only idle instances take nodes.
                .filter(|slots| self.may_scale_out() || slots.iter().all(|s| matches!(s, NodeSlot::Idle(_))))
                .map(Placement::Nodes),
        }
    }

    /// The type this EC2/SPOT compute environment launches for a single-node job needing `r`
    /// (its scale-out decision's answer, checked: a type that holds the job within the
    /// limit), if any.
    pub fn launch_type(&self, r: &Resources) -> Option<usize> {
        self.launch_type_with(r, |_| None)
    }

    /// [`CeRuntime::launch_type`] when EC2 supplies `available(type index)` more instances
    /// of each type (`None`: no limit); a custom decision's answer must be supplied too.
    pub fn launch_type_with(&self, r: &Resources, available: impl Fn(usize) -> Option<u32>) -> Option<usize> {
        let pool = self.pool.as_ref()?;
        let (max, strategy) = (self.spec.max_vcpus, self.spec.allocation_strategy);
        let Some(custom) = &self.scale_out.0 else {
            return pool.launch_type_with(r, max, strategy, available);
        };
        let view = pool.scale_out_view(self.id, max, strategy, available);
        // A type priced out by the bid that holds the job: wake when its price falls.
        if view.types.iter().any(|t| t.priced_out && t.holds(r)) {
            pool.bid_wait.set(true);
        }
        let pick = custom.lock().instance_type(r, &view)?;
        view.types
            .iter()
            .find(|t| t.index == pick && t.within_limit && !t.priced_out && t.holds(r) && t.supplied())
            .map(|t| t.index)
    }

    /// An upper bound on the milli-vCPUs of a single-node job [`CeRuntime::plan`] places now,
    /// not counting EC2 instance `except` (0 when DISABLED).
    pub fn max_placeable_millivcpus(&self, except: Option<u32>) -> u64 {
        if !self.enabled() || self.spot_unavailable {
            return 0;
        }
        match &self.pool {
            None if self.lambda.as_ref().is_some_and(|l| l.is_full(&self.spec)) => 0,
            None => self.max_millivcpus().saturating_sub(self.used_millivcpus),
            Some(pool) => pool.max_placeable_millivcpus(self.spec.max_vcpus, self.spec.allocation_strategy, except),
        }
    }

    /// An upper bound on the memory (MiB) and the GPUs of a single-node job with vCPUs that
    /// [`CeRuntime::plan`] places now (`millivcpus` unused; none when DISABLED); Fargate and
    /// Lambda have no bound here (their sizes are checked when the job is submitted).
    pub fn max_placeable(&self) -> Room {
        let unbounded = Room {
            millivcpus: u64::MAX,
            memory_mib: u64::MAX,
            gpus: u64::MAX,
        };
        if !self.enabled() || self.spot_unavailable {
            return Room {
                memory_mib: 0,
                gpus: 0,
                ..unbounded
            };
        }
        match &self.pool {
            None => unbounded,
            Some(pool) => pool.max_placeable(self.spec.max_vcpus, self.spec.allocation_strategy),
        }
    }

    /// Whether jobs of architecture `arch` can run here at all. Fargate Spot takes no `ARM64`
    /// job: "Fargate Spot is not supported for ARM64 and Windows-based containers on Fargate.
    /// A job queue will be blocked if a Fargate ARM64 or Windows job is submitted to a job
    /// queue with only Fargate Spot compute environments." (AWS Batch API reference,
    /// `RuntimePlatform.cpuArchitecture`; ECS: "Linux tasks with the ARM64 architecture don't
    /// support the Fargate Spot capacity provider.")
    pub fn runs_architecture(&self, arch: Architecture) -> bool {
        !(self.spec.kind == ComputeEnvironmentType::FargateSpot && arch == Architecture::Arm64)
    }

    /// Whether `job` could ever be placed here (with everything else idle): its architecture
    /// runs here ([`CeRuntime::runs_architecture`]) and its size could ever fit.
    pub fn could_ever_run(&self, job: &super::jobs::Job) -> bool {
        self.runs_architecture(job.spec.architecture)
            && self.could_ever_fit(&job.resources(), job.spec.nodes.as_deref())
    }

    /// Whether a job could ever be placed here (with everything else idle).
    pub fn could_ever_fit(&self, r: &Resources, nodes: Option<&[Resources]>) -> bool {
        match (&self.pool, nodes) {
            (None, None) => {
                u64::from(r.millivcpus) <= self.max_millivcpus()
                    && (!self.spec.kind.is_lambda() || crate::model::lambda::memory_mb(r).is_some())
            }
            (None, Some(_)) => false,
            (Some(pool), None) => pool.could_ever_fit(r, self.spec.max_vcpus, self.spec.allocation_strategy),
            (Some(pool), Some(nodes)) => pool.could_ever_fit_nodes(nodes, self.spec.max_vcpus),
        }
    }

    /// How long instance `i` is kept idle before it is terminated: the scale-down delay
    /// (`scaleInIdleSeconds`) for an instance that has run a job; for one that has not, the
    /// idle time without AWS's delay, which "does not apply to: ... Newly launched instances
    /// that have not yet run any jobs" (API model, `ComputeScalingPolicy`).
    pub fn idle_time(&self, i: &super::ec2::Instance) -> SimDuration {
        if i.has_run {
            self.spec.scale_in_idle
        } else {
            self.spec.unused_scale_in_idle
        }
    }

    /// Exponential time to the next Spot reclaim at `rate` per hour (`interruptionsPerHour`,
    /// or the instance type's own rate), at least one millisecond (the clock's step).
    ///
    /// A reclaim while STARTING does not use up a retry (CONTRACT 7.4), so at a rate whose
    /// draws round to zero (the fuzz tests found `1e300`) a task reclaimed at its dispatch
    /// was dispatched again at the same instant, for ever: with the floor the clock moves on
    /// at each reclaim, and a run with an end (`until`) ends.
    pub fn draw_reclaim(&mut self, rate: f64) -> SimDuration {
        let e: f64 = self.interruptions.sample(rand_distr::Exp1);
        let hours = e / rate;
        let at = SimDuration::from_secs_f64(hours * 3600.0).unwrap_or(SimDuration::from_millis(u64::MAX / 4));
        at.max(SimDuration::from_millis(1))
    }
}

impl Simulation {
    /// Whether compute environment `ce` could ever run the job in `slot`.
    pub(super) fn ce_could_ever_run(&self, ce: CeId, job: &super::jobs::Job) -> bool {
        self.ces[ce].could_ever_run(job)
    }

    /// Brings a compute environment to its starting size: EC2 instances for
    /// `max(minvCpus, desiredvCpus)` vCPUs, ready at time 0.
    pub(super) fn start_compute_environment(&mut self, ce: CeId) {
        self.ledger.max_vcpus_from(ce, SimTime::ZERO);
        let desired = self.ces[ce].spec.desired_vcpus;
        self.fill_standing_capacity(ce, desired, true);
    }

    /// Launches instances until `max(minvCpus, desired)` is provisioned. `desired` is a
    /// `desiredvCpus` given now (the create request, or an update that names it): after that
    /// AWS moves the desired capacity with demand ("desiredvCpus moves between min and max
    /// with demand", AWS_FACTS), so later refills (a raised `minvCpus`, a reclaimed Spot
    /// instance) keep only the minimum, and an update that names neither field launches
    /// nothing of its own (CONTRACT 7.14 e: "Raised later by an action, it launches
    /// normally").
    pub(super) fn fill_standing_capacity(&mut self, ce: CeId, desired: Option<u32>, ready_now: bool) {
        let c = &self.ces[ce];
        let target = u64::from(c.spec.min_vcpus.max(desired.unwrap_or(0))) * 1000;
        loop {
            let Some(pool) = &self.ces[ce].pool else { return };
            let have = pool.provisioned_millivcpus;
            if have >= target {
                return;
            }
            let spec = &self.ces[ce].spec;
            let Some(t) = pool.type_for_capacity(target - have, spec.max_vcpus, spec.allocation_strategy) else {
                return;
            };
            let id = self.launch_instance(ce, t, ready_now);
            if ready_now {
                self.instance_idle(ce, id);
            }
        }
    }

    /// Starts an instance; ready at once when `ready` (or when the launch time is zero),
    /// else an [`Event::InstanceReady`] follows after `instanceLaunchSeconds`.
    pub(super) fn launch_instance(&mut self, ce: CeId, type_index: usize, ready: bool) -> u32 {
        let now = self.kernel.now;
        let launch = self.ces[ce].spec.instance_launch;
        let ready = ready || launch.is_zero();
        if ready && self.ces[ce].spec.min_vcpus > 0 {
            // More READY vCPUs at once (no `InstanceReady` follows): an idle instance the
            // minimum kept may go now, as `instance_ready` says for a launch that takes time.
            self.ces[ce].scale_in_review = true;
            self.scale_in_pending = true;
        }
        if ready {
            // READY room that did not exist when this pass looked at the claimed jobs (the
            // one way READY room grows inside a pass): they are looked at again (CONTRACT
            // 7.14 c, "a later pass gives the claimed job any READY room it fits").
            for i in 0..self.ces[ce].attached.len() {
                let q = self.ces[ce].attached[i];
                self.queues[q].claims_checked = (0, None);
            }
        }
        let Some(pool) = self.ces[ce].pool.as_mut() else {
            return 0;
        };
        let id = pool.launch(type_index, now, ready);
        let millivcpus = pool.types.get(type_index).map_or(0, |t| t.room.millivcpus);
        self.ec2_count(ce, type_index, true);
        self.ledger.launched(ce);
        self.live_instances_changed(ce, millivcpus);
        if !ready {
            self.kernel
                .schedule(now + launch, Event::InstanceReady { ce, instance: id });
        }
        id
    }

    /// Capacity changed on `ce` (freed, added, limits or state changed): every queue that
    /// uses it must look again.
    pub(super) fn capacity_changed(&mut self, ce: CeId) {
        for i in 0..self.ces[ce].attached.len() {
            let q = self.ces[ce].attached[i];
            self.queues[q].stalled = false;
        }
        self.dispatch_needed = true;
    }

    /// Integrates `maxvCpus` up to now (before it changes, and at the end).
    pub(super) fn integrate_max(&mut self, ce: CeId, now: SimTime) {
        self.ledger.max_vcpus_until(ce, self.ces[ce].spec.max_vcpus, now);
    }

    /// After UpdateComputeEnvironment: launch toward the new `minvCpus` / `desiredvCpus` when
    /// the update names one of them (`standing_named`; `desired` the one it gives), and let
    /// idle instances beyond a lowered minimum scale in.
    pub(super) fn capacity_update(&mut self, ce: CeId, standing_named: bool, desired: Option<u32>) {
        if self.ces[ce].pool.is_none() {
            return;
        }
        if standing_named {
            self.fill_standing_capacity(ce, desired, false);
        }
        let now = self.kernel.now;
        let c = &self.ces[ce];
        let idle: Vec<(u32, SimTime, u32)> = c
            .pool
            .as_ref()
            .map(|p| {
                p.instances
                    .iter()
                    .filter(|(_, i)| i.ready && i.is_idle())
                    .filter_map(|(id, i)| i.idle_since.map(|s| (id, s + c.idle_time(i), i.idle_epoch)))
                    .collect()
            })
            .unwrap_or_default();
        for (id, due, epoch) in idle {
            self.reschedule_scale_in_check(ce, id, due.max(now), epoch);
        }
    }

    /// At the end of the run: instances still up are billed (per second from `running`, 60 s
    /// minimum) and counted to `end`.
    pub(super) fn close_capacity(&mut self, end: SimTime) {
        for c in self.ces.ids() {
            let Some(pool) = &self.ces[c].pool else { continue };
            let pending = self.ces[c].spec.instance_pending;
            let mut provisioned = 0u128;
            let mut cost = 0.0;
            let mut paid = Vec::new();
            for i in pool.instances.values() {
                let t = &pool.types[i.type_index];
                let ms = end.since(i.launched_at).as_millis();
                provisioned += u128::from(t.room.millivcpus) * u128::from(ms);
                cost += t.bill(i.launched_at, pending, end);
                paid.extend(t.spot_paid(i.launched_at, pending, end));
            }
            for p in paid {
                self.ledger.spot_billed(c, p);
            }
            self.ledger.instances_billed(c, provisioned, cost);
        }
    }
}
