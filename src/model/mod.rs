//! The AWS Batch objects batchsim simulates, as validated, typed values.
//!
//! These are what a scenario file turns into after [`crate::scenario`] has checked it, and what
//! a program embedding batchsim can build directly. They are plain data: the engine keeps the
//! changing state (jobs in flight, capacity in use) separately and refers to these by typed ids.

pub(crate) mod action;
mod arn;
pub(crate) mod compute_environment;
pub(crate) mod consumable;
pub mod ec2_capacity;
pub(crate) mod eks_node;
pub mod instance_catalog;
pub(crate) mod job;
pub(crate) mod job_definition;
pub(crate) mod job_queue;
pub mod lambda;
pub(crate) mod latency;
pub(crate) mod resources;
pub(crate) mod retry;
pub(crate) mod scheduling_policy;
pub mod spot_market;

pub use action::{Action, TimedAction};
pub(crate) use arn::arn_tail;
pub use compute_environment::{
    AllocationStrategy, CeState, ComputeEnvironment, ComputeEnvironmentType, Prices, QueuePriorityMode, ScaleOutMode,
};
pub use consumable::{
    merge_consumable_override, ConsumableRequirement, ConsumableResource, ConsumableResourceType, ConsumableUpdate,
};
pub use ec2_capacity::Ec2CapacityModel;
pub use instance_catalog::InstanceType;
pub use job::{JobId, JobStatus};
pub use job_definition::{
    JobDefinition, JobDefinitionRef, JobDefinitionStatus, MultiNode, NodeRange, Platform, ResolveError,
};
pub use job_queue::{Backfill, JobQueue, QueueState, StateTimeLimitAction};
pub use lambda::LambdaSettings;
pub use latency::SchedulerLatency;
pub use resources::Resources;
pub use retry::{EvaluateOnExit, RetryAction, RetryLimitError, RetryStrategy};
pub use scheduling_policy::{SchedulingPolicy, ShareWeight};

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u32);
        impl $name {
            /// The position in the scenario's list.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

typed_id!(
    /// A compute environment: its position in `computeEnvironments`.
    CeId
);
typed_id!(
    /// A job queue: its position in `jobQueues`.
    QueueId
);
typed_id!(
    /// A scheduling policy: its position in `schedulingPolicies`.
    PolicyId
);
typed_id!(
    /// A consumable resource: its position in `consumableResources`.
    ConsumableResourceId
);
