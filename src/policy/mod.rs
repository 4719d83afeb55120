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
}
