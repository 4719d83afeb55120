//! Timed API calls: the capacity planner's "what if" (CONTRACT section 2.4).

use super::{CeId, CeState, JobDefinition, PolicyId, QueueId, QueueState, StateTimeLimitAction};
use crate::time::SimTime;

/// An AWS Batch API call applied at a simulated time.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Action {
    /// UpdateComputeEnvironment: state and capacity.
    UpdateComputeEnvironment {
        /// The compute environment.
        compute_environment: CeId,
        /// New `state`.
        state: Option<CeState>,
        /// New `minvCpus`.
        min_vcpus: Option<u32>,
        /// New `maxvCpus`.
        max_vcpus: Option<u32>,
        /// New `desiredvCpus`.
        desired_vcpus: Option<u32>,
    },
    /// UpdateJobQueue.
    UpdateJobQueue {
        /// The queue.
        job_queue: QueueId,
        /// New `state`.
        state: Option<QueueState>,
        /// New `priority`.
        priority: Option<u32>,
        /// New `computeEnvironmentOrder`, sorted by order.
        compute_environments: Option<Vec<CeId>>,
        /// New `schedulingPolicyArn`.
        scheduling_policy: Option<PolicyId>,
        /// New `jobStateTimeLimitActions`.
        state_time_limit_actions: Option<Vec<StateTimeLimitAction>>,
    },
    /// RegisterJobDefinition: the next revision of its name.
    RegisterJobDefinition(JobDefinition),
    /// DeregisterJobDefinition: `name`, `name:rev` or ARN.
    DeregisterJobDefinition(String),
    /// CancelJob: a job name (latest earlier submission), `name:i`, or a job id.
    CancelJob {
        /// The job.
        job: String,
        /// `reason`.
        reason: String,
    },
    /// TerminateJob.
    TerminateJob {
        /// The job.
        job: String,
        /// `reason`.
        reason: String,
    },
    /// UpdateConsumableResource: a new total quantity.
    UpdateConsumableResource {
        /// The resource (`consumableResource`).
        resource: super::ConsumableResourceId,
        /// `operation` with its `quantity`.
        update: super::ConsumableUpdate,
    },
}

/// An [`Action`] and when it applies.
#[derive(Clone, Debug, PartialEq)]
pub struct TimedAction {
    /// `at`.
    pub at: SimTime,
    /// The call.
    pub action: Action,
}
