//! Scheduling policies: which RUNNABLE job of a queue is offered next.
//!
//! A policy is a pure decision over a read-only [`QueueView`]: the queue's RUNNABLE jobs,
//! grouped by share, with each share's current usage. The engine owns the jobs and the usage
//! accounting ([`RunnableSet`]); the policy only answers "which job next?". That keeps a
//! policy testable without the engine:
//!
//! ```
//! use batchsim::policy::{Fifo, QueuedJob, RunnableSet, SchedulingPolicy};
//! use batchsim::{JobId, Resources, SimTime};
//!
//! let mut set = RunnableSet::new(None);
//! set.insert(QueuedJob::new(JobId::new(2), Resources::new(1.0, 2048)));
//! set.insert(QueuedJob::new(JobId::new(1), Resources::new(1.0, 2048)));
//! let pick = Fifo.pick(&set.view(SimTime::ZERO)).map(|job| job.id);
//! assert_eq!(pick, Some(JobId::new(1)), "FIFO offers the earliest submission");
//! ```
//!
//! Built-in policies: [`Fifo`] (AWS's default queue order) and [`FairShare`] (AWS fair-share
//! scheduling). Write your own by implementing [`SchedulingPolicy`].

mod fair_share;
mod fifo;
mod ordered;
mod runnable;

pub use fair_share::FairShare;
pub use fifo::Fifo;
pub use runnable::{QueueView, QueuedJob, RunnableSet, ShareView};

/// Picks the next job of a queue. Implementations must be deterministic: the same view gives
/// the same answer.
pub trait SchedulingPolicy: Send {
    /// The job to offer next (one of the view's jobs), or `None` to offer nothing now.
    fn pick<'a>(&self, view: &QueueView<'a>) -> Option<&'a QueuedJob>;

    /// A copy of this policy for a copy of the simulation ([`crate::Simulation`] is `Clone`).
    ///
    /// By default (`None`) the copies share this one policy object. That is exact for a
    /// policy whose pick depends only on the view, as this trait asks (`pick` takes `&self`);
    /// a policy with interior state (a `Cell`, a counter) should return its own copy:
    ///
    /// ```
    /// use batchsim::policy::{QueueView, QueuedJob, SchedulingPolicy};
    ///
    /// #[derive(Clone)]
    /// struct Newest;
    ///
    /// impl SchedulingPolicy for Newest {
    ///     fn pick<'a>(&self, view: &QueueView<'a>) -> Option<&'a QueuedJob> {
    ///         view.jobs_in_submission_order().max_by_key(|j| j.id)
    ///     }
    ///     fn clone_box(&self) -> Option<Box<dyn SchedulingPolicy>> {
    ///         Some(Box::new(self.clone()))
    ///     }
    /// }
    /// assert!(Newest.clone_box().is_some());
    /// ```
    fn clone_box(&self) -> Option<Box<dyn SchedulingPolicy>> {
        None
    }
}

/// A custom policy as a simulation holds it: shared by the simulation's copies unless the
/// policy gives each its own ([`SchedulingPolicy::clone_box`]).
#[derive(Clone)]
pub(crate) struct SharedPolicy(std::sync::Arc<std::sync::Mutex<Box<dyn SchedulingPolicy>>>);

impl SharedPolicy {
    /// Holds `policy`.
    pub(crate) fn new(policy: Box<dyn SchedulingPolicy>) -> SharedPolicy {
        SharedPolicy(std::sync::Arc::new(std::sync::Mutex::new(policy)))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Box<dyn SchedulingPolicy>> {
        // Poisoned only if the policy panicked; it is still the same object.
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The policy's pick.
    pub(crate) fn pick<'a>(&self, view: &QueueView<'a>) -> Option<&'a QueuedJob> {
        self.lock().pick(view)
    }

    /// The policy for a copy of the simulation: its own copy, or this one shared.
    pub(crate) fn fork(&self) -> SharedPolicy {
        match self.lock().clone_box() {
            Some(copy) => SharedPolicy::new(copy),
            None => self.clone(),
        }
    }
}
