//! Scheduling decisions as narrow traits over plain data, each testable without the engine.
//!
//! | decision | trait | built-ins | installed with |
//! |---|---|---|---|
//! | which RUNNABLE job of a queue next | [`JobPolicy`] | [`Fifo`], [`FairShare`] | [`crate::Simulation::set_policy`] |
//! | which compute environment and instance a job goes to (each node of a multi-node job: [`PlacementPolicy::place_nodes`]) | [`PlacementPolicy`] | [`AwsOrder`] | [`crate::Simulation::set_placement`] |
//! | which instance type an EC2/SPOT compute environment launches | [`ScaleOutPolicy`] | [`AwsScaleOut`] | [`crate::Simulation::set_scale_out`] |
//! | which types and how many for the queue's demand (`scaleOut: "demand"`) | [`ScaleOutPolicy::launch_plan`] | [`DemandScaleOut`] | [`crate::Simulation::set_scale_out`] |
//! | which jobs behind a blocked head may start | [`BackfillPolicy`] | [`Easy`], [`Greedy`] | [`crate::Simulation::set_backfill`] |
//! | whether a queue may use a compute environment shared with higher-priority queues | [`CrossQueueRule`] | [`AwsCycle`], [`StrictPriority`] | [`crate::Simulation::set_cross_queue_rule`] |
//! | how much of a compute environment a fair-share queue keeps free (`computeReservation`) | [`ReservationRule`] | [`AwsReservation`] | [`crate::Simulation::set_reservation_rule`] |
//!
//! The engine owns the jobs, the capacity and the accounting; a decision only reads what it
//! is given and answers with data (a job, a compute environment and instance, a type, yes or
//! no). The engine checks every answer: one that is not among what it was offered places
//! nothing. The built-ins are matched statically on the engine's hot path (no trait object,
//! no view built for them); a custom decision pays for the data it is shown.
//!
//! A job policy picks from a read-only [`QueueView`]: the queue's RUNNABLE jobs, grouped by
//! share, with each share's current usage.
//!
//! ```
//! use batchsim::policy::{Fifo, JobPolicy, QueuedJob, RunnableSet};
//! use batchsim::{JobId, Resources, SimTime};
//!
//! let mut set = RunnableSet::new(None);
//! set.insert(QueuedJob::new(JobId::new(2), Resources::new(1.0, 2048)));
//! set.insert(QueuedJob::new(JobId::new(1), Resources::new(1.0, 2048)));
//! let pick = Fifo.pick(&set.view(SimTime::ZERO)).map(|job| job.id);
//! assert_eq!(pick, Some(JobId::new(1)), "FIFO offers the earliest submission");
//! ```
//!
//! Write your own by implementing [`JobPolicy`] (and see `examples/round_robin.rs` and
//! `examples/spread_placement.rs`).

mod backfill;
mod capacity;
mod cross_queue;
mod fair_share;
mod fifo;
mod job;
mod node_placement;
mod ordered;
mod placement;
mod reservation;
mod runnable;
mod scale_out;
mod scale_plan;
mod share_pick;

pub use backfill::{BackfillCandidate, BackfillPolicy, Easy, Greedy, HeadReservation};
pub use capacity::{CeCapacity, InstanceId, InstanceRoom};
pub use cross_queue::{AwsCycle, CrossQueueAsk, CrossQueueRule, QueueDemand, StrictPriority};
pub use fair_share::FairShare;
pub use fifo::Fifo;
pub use job::{AttemptOutcome, JobDetails, JobInfo};
pub use node_placement::{NodeOn, NodeType, NodesCandidate, NodesOn};
pub use placement::{AwsOrder, PlaceOn, PlacementCandidate, PlacementPolicy};
pub use reservation::{AwsReservation, ReservationAsk, ReservationRule};
pub use runnable::{QueueView, QueuedJob, RunnableSet, ShareView};
pub(crate) use scale_out::availability_rank as scale_out_availability_rank;
pub(crate) use scale_out::per_vcpu_cmp as scale_out_per_vcpu_cmp;
pub(crate) use scale_out::{
    capacity_cmp as scale_out_capacity_cmp, price_capacity_threshold as scale_out_price_capacity_threshold,
};
pub use scale_out::{AwsScaleOut, InstanceOption, ScaleOutPolicy, ScaleOutView};
pub use scale_plan::{DemandScaleOut, LaunchPlan};

/// Picks the next job of a queue, and may keep state across picks.
///
/// `pick` proposes; it is not told whether its job could be placed, and it may be asked
/// again at the same instant (for the next job, after a placement, or by
/// [`crate::Simulation::queue_snapshot`]). Keep what you learn from the engine in
/// [`JobPolicy::on_start`] and [`JobPolicy::on_end`]: each attempt that starts is told once,
/// and its end once. Implementations must be deterministic: the same view and the same
/// history give the same answer (no clocks, no hash order, no unseeded randomness).
pub trait JobPolicy: Send {
    /// The job to offer next (one of the view's jobs), or `None` to offer nothing now.
    fn pick<'a>(&mut self, view: &QueueView<'a>) -> Option<&'a QueuedJob>;

    /// An attempt of `job` was dispatched (STARTING) on compute environment `ce` at `now`.
    fn on_start(&mut self, job: &JobInfo, ce: crate::model::CeId, now: crate::SimTime) {
        let _ = (job, ce, now);
    }

    /// The attempt of `job` told to [`JobPolicy::on_start`] ended at `now`, with `outcome`.
    fn on_end(&mut self, job: &JobInfo, outcome: AttemptOutcome, now: crate::SimTime) {
        let _ = (job, outcome, now);
    }

    /// A copy of this policy for a copy of the simulation ([`crate::Simulation`] is `Clone`).
    ///
    /// By default (`None`) the copies share this one policy object. That is exact only for a
    /// policy without state; a policy with state (anything `on_start`, `on_end` or `pick`
    /// change) must return its own copy, or the two runs would change each other's state:
    ///
    /// ```
    /// use batchsim::policy::{JobPolicy, QueueView, QueuedJob};
    ///
    /// #[derive(Clone)]
    /// struct Newest;
    ///
    /// impl JobPolicy for Newest {
    ///     fn pick<'a>(&mut self, view: &QueueView<'a>) -> Option<&'a QueuedJob> {
    ///         view.jobs_in_submission_order().max_by_key(|j| j.id)
    ///     }
    ///     fn clone_box(&self) -> Option<Box<dyn JobPolicy>> {
    ///         Some(Box::new(self.clone()))
    ///     }
    /// }
    /// assert!(Newest.clone_box().is_some());
    /// ```
    fn clone_box(&self) -> Option<Box<dyn JobPolicy>> {
        None
    }
}

/// A custom decision as a simulation holds it: shared by the simulation's copies unless the
/// decision gives each its own (`clone_box`).
pub(crate) struct Shared<T: ?Sized>(std::sync::Arc<std::sync::Mutex<Box<T>>>);

impl<T: ?Sized> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

/// A decision trait object that may give a copy of itself.
pub(crate) trait Forkable {
    /// Its own copy, if it gives one.
    fn fork_box(&self) -> Option<Box<Self>>;
}

impl Forkable for dyn JobPolicy {
    fn fork_box(&self) -> Option<Box<Self>> {
        self.clone_box()
    }
}

impl<T: ?Sized + Forkable> Shared<T> {
    /// Holds `decision`.
    pub(crate) fn new(decision: Box<T>) -> Shared<T> {
        Shared(std::sync::Arc::new(std::sync::Mutex::new(decision)))
    }

    /// The decision, to call.
    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, Box<T>> {
        // Poisoned only if the decision panicked; it is still the same object.
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The decision for a copy of the simulation: its own copy, or this one shared.
    pub(crate) fn fork(&self) -> Shared<T> {
        match self.lock().fork_box() {
            Some(copy) => Shared::new(copy),
            None => self.clone(),
        }
    }
}

/// A custom job policy as a simulation holds it.
pub(crate) type SharedPolicy = Shared<dyn JobPolicy>;

/// A custom decision installed in place of a built-in (`None`: the built-in). A copy of the
/// simulation gets the decision's own copy when it gives one, else shares it.
pub(crate) struct Installed<T: ?Sized>(pub(crate) Option<Shared<T>>);

impl<T: ?Sized> Default for Installed<T> {
    fn default() -> Self {
        Installed(None)
    }
}

impl<T: ?Sized + Forkable> Clone for Installed<T> {
    fn clone(&self) -> Self {
        Installed(self.0.as_ref().map(Shared::fork))
    }
}
