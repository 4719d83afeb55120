//! Job queues (CreateJobQueue plus `simulation`).

use super::{CeId, PolicyId};
use crate::time::SimDuration;

/// `state` of a job queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum QueueState {
    /// Accepts submissions.
    #[default]
    Enabled,
    /// Refuses new submissions; jobs already queued still run.
    Disabled,
}

/// `simulation.backfill` of a FIFO queue (CONTRACT section 2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Backfill {
    /// AWS: only the head job is considered; a head that does not fit blocks the queue.
    #[default]
    None,
    /// EASY backfilling: later jobs may start if they do not delay the head's reservation.
    Easy,
    /// Any later job that fits may start (may starve big jobs).
    Greedy,
}

/// One entry of `jobStateTimeLimitActions`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateTimeLimitAction {
    /// The blocked-queue reason it applies to (`MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT`).
    pub reason: String,
    /// How long a head job may stay RUNNABLE for that reason.
    pub max_time: SimDuration,
}

/// A job queue.
#[derive(Clone, Debug, PartialEq)]
pub struct JobQueue {
    /// `jobQueueName`.
    pub name: String,
    /// `state`.
    pub state: QueueState,
    /// `priority`: higher is served first.
    pub priority: u32,
    /// `computeEnvironmentOrder`, sorted by `order` (ties keep the listed order).
    pub compute_environments: Vec<CeId>,
    /// `schedulingPolicyArn`: a fair-share queue when set, FIFO otherwise.
    pub scheduling_policy: Option<PolicyId>,
    /// `jobStateTimeLimitActions`.
    pub state_time_limit_actions: Vec<StateTimeLimitAction>,
    /// `simulation.backfill`.
    pub backfill: Backfill,
}
