//! The cross-queue rule: whether a queue may place a job on a compute environment it shares
//! with queues of higher priority.
//!
//! Several job queues can list one compute environment; the dispatch pass visits them in
//! descending `priority` (CONTRACT 7.1). What a lower queue may then use is the compute
//! environment's cross-queue rule (`simulation.queuePriority`, CONTRACT section 6). The two
//! built-ins are ordinary implementations of [`CrossQueueRule`]:
//!
//! - [`AwsCycle`] (`"aws"`, the default): AWS's documented cycle. "Job queues with a higher
//!   priority (or a higher integer value for the `priority` parameter) are evaluated first
//!   when associated with the same compute environment" (API reference, CreateJobQueue,
//!   `priority`), and a lower queue uses what the higher ones could not use at that pass:
//!   the rule never holds a queue back.
//! - [`StrictPriority`] (`"strict"`): a lower queue waits while any higher-priority queue
//!   attached to the compute environment has a RUNNABLE job that the compute environment
//!   could ever fit.
//!
//! A custom rule is installed per compute environment with
//! [`crate::Simulation::set_cross_queue_rule`], and sees, for the queue asking, every queue
//! attached to the compute environment with its priority and how many of its RUNNABLE jobs
//! the compute environment could ever fit.
//!
//! ```
//! use batchsim::model::{CeId, QueueId};
//! use batchsim::policy::{AwsCycle, CrossQueueAsk, CrossQueueRule, QueueDemand, StrictPriority};
//!
//! let attached = [
//!     QueueDemand { queue: QueueId(0), priority: 10, waiting: 3 },
//!     QueueDemand { queue: QueueId(1), priority: 1, waiting: 5 },
//! ];
//! let low = CrossQueueAsk { ce: CeId(0), queue: QueueId(1), priority: 1, attached: &attached };
//! assert!(AwsCycle.may_use(&low), "AWS: the low queue takes what the high one left");
//! assert!(!StrictPriority.may_use(&low), "strict: it waits for the high queue's 3 jobs");
//! ```

use crate::model::{CeId, QueueId};

/// One queue attached to the compute environment, as the rule sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueDemand {
    /// The queue.
    pub queue: QueueId,
    /// Its `priority` now.
    pub priority: u32,
    /// Its RUNNABLE jobs this compute environment could ever fit (size and architecture).
    pub waiting: u64,
}

/// The question put to a [`CrossQueueRule`]: may `queue` place a job on `ce` now?
#[derive(Clone, Copy, Debug)]
pub struct CrossQueueAsk<'a> {
    /// The compute environment.
    pub ce: CeId,
    /// The queue asking.
    pub queue: QueueId,
    /// Its `priority` now.
    pub priority: u32,
    /// Every queue attached to `ce` (the one asking included), in visiting order.
    pub attached: &'a [QueueDemand],
}

/// Decides whether a queue may use a compute environment that it shares with others.
///
/// Asked at every placement attempt (and when backfilling or the fair-share rest check
/// probe where a job would go): keep no state that assumes the job was placed. A queue the
/// rule holds back is asked again when a count of `waiting` on the compute environment
/// drops to zero, or its capacity changes. Must be deterministic.
pub trait CrossQueueRule: Send {
    /// Whether `ask.queue` may place a job on `ask.ce` now.
    fn may_use(&mut self, ask: &CrossQueueAsk<'_>) -> bool;

    /// A copy for a copy of the simulation; `None` (the default) shares this one (exact only
    /// for a rule without state).
    fn clone_box(&self) -> Option<Box<dyn CrossQueueRule>> {
        None
    }
}

impl super::Forkable for dyn CrossQueueRule {
    fn fork_box(&self) -> Option<Box<Self>> {
        self.clone_box()
    }
}

/// `queuePriority: "aws"`: a lower queue uses what the higher ones could not use at this
/// pass (capacity a higher queue's job claimed stays claimed: that is the claim's rule, not
/// this one's).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AwsCycle;

impl CrossQueueRule for AwsCycle {
    fn may_use(&mut self, _ask: &CrossQueueAsk<'_>) -> bool {
        true
    }

    fn clone_box(&self) -> Option<Box<dyn CrossQueueRule>> {
        Some(Box::new(*self))
    }
}

/// `queuePriority: "strict"`: a queue waits while a queue of higher priority attached to the
/// compute environment has a RUNNABLE job the compute environment could ever fit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StrictPriority;

impl CrossQueueRule for StrictPriority {
    fn may_use(&mut self, ask: &CrossQueueAsk<'_>) -> bool {
        !ask.attached.iter().any(|d| d.priority > ask.priority && d.waiting > 0)
    }

    fn clone_box(&self) -> Option<Box<dyn CrossQueueRule>> {
        Some(Box::new(*self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(priority: u32, attached: &[QueueDemand]) -> bool {
        let a = CrossQueueAsk {
            ce: CeId(0),
            queue: QueueId(9),
            priority,
            attached,
        };
        StrictPriority.may_use(&a)
    }

    #[test]
    fn strict_waits_only_for_higher_queues_with_jobs_that_could_fit() {
        let q = |queue, priority, waiting| QueueDemand {
            queue: QueueId(queue),
            priority,
            waiting,
        };
        assert!(
            ask(5, &[q(0, 9, 0), q(9, 5, 4)]),
            "the higher queue has nothing this CE fits"
        );
        assert!(!ask(5, &[q(0, 9, 1), q(9, 5, 4)]), "one job of a higher queue holds it");
        assert!(ask(5, &[q(0, 5, 7), q(9, 5, 4)]), "equal priority does not hold it");
        assert!(
            ask(9, &[q(0, 5, 7), q(9, 9, 0)]),
            "lower queues never hold a higher one"
        );
        assert!(ask(1, &[]), "no other queue");
    }

    #[test]
    fn the_aws_cycle_never_holds_a_queue_back() {
        let attached = [QueueDemand {
            queue: QueueId(0),
            priority: 100,
            waiting: 1_000,
        }];
        let a = CrossQueueAsk {
            ce: CeId(3),
            queue: QueueId(1),
            priority: 0,
            attached: &attached,
        };
        assert!(AwsCycle.may_use(&a));
    }
}
