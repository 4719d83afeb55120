//! The engine's errors, typed: why a submission or an action was not accepted, and why a
//! compute environment or a job definition cannot be used. Each `Display` is the sentence a
//! user reads (in a warning, a CLI message or an [`crate::Error`]); no code looks inside the
//! sentences.

use super::api::{
    quote, JobQueueRef, MAX_ARRAY_SIZE, MAX_DEPENDENCIES, MAX_NODES, MAX_QUEUE_COMPUTE_ENVIRONMENTS,
    MAX_SCHEDULING_PRIORITY, MAX_VCPUS, MIN_ARRAY_SIZE, MIN_TIMEOUT_SECONDS,
};
use super::attempt::MAX_ACTIVE_SHARES;
use crate::model::instance_catalog::UnknownInstanceType;
use crate::model::job_definition::ResolveError;
use crate::model::retry::RetryLimitError;
use crate::model::{CeId, JobId, PolicyId, QueueId};
use crate::time::{SimDuration, SimTime};

/// Why an API submission was not accepted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SubmitError {
    /// No job queue has that name.
    #[error("no job queue is named {}", quote(queue.name()))]
    UnknownQueue {
        /// The reference given.
        queue: JobQueueRef,
    },
    /// A dependency names no job the simulation knows.
    #[error(
        "job {job} in dependsOn is not a job of this simulation (jobs that ended are known when they were submitted through the API, or when per-job records are kept)"
    )]
    UnknownDependency {
        /// The dependency that is not known.
        job: JobId,
    },
    /// N_TO_N between jobs that are not two arrays of the same size.
    #[error("an N_TO_N dependency on job {job} needs two array jobs of the same size")]
    NToN {
        /// The dependency.
        job: JobId,
    },
    /// More than 20 dependencies.
    #[error("a job can depend on at most {MAX_DEPENDENCIES} jobs, found {count}")]
    TooManyDependencies {
        /// How many were given.
        count: usize,
    },
    /// `arrayProperties.size` outside 2..=10,000.
    #[error("the array size must be from {MIN_ARRAY_SIZE} to {MAX_ARRAY_SIZE}, found {size}")]
    ArraySize {
        /// The size given.
        size: u32,
    },
    /// SEQUENTIAL on a job that is not an array.
    #[error("a SEQUENTIAL dependency applies to array jobs only")]
    SequentialWithoutArray,
    /// The retry strategy breaks a limit.
    #[error("{0}")]
    Retry(RetryLimitError),
    /// A timeout under 60 s.
    #[error("the timeout must be at least {MIN_TIMEOUT_SECONDS} seconds, found {} s", timeout.as_secs_f64())]
    Timeout {
        /// The timeout given.
        timeout: SimDuration,
    },
    /// `schedulingPriorityOverride` above 9999.
    #[error("the scheduling priority must be from 0 to {MAX_SCHEDULING_PRIORITY}, found {priority}")]
    SchedulingPriority {
        /// The priority given.
        priority: u32,
    },
    /// A `jobName` AWS would refuse.
    #[error("{} is not a valid job name (1 to 128 letters, numbers, hyphens and underscores, starting with a letter or number)", quote(name))]
    JobName {
        /// The name given.
        name: String,
    },
    /// A `shareIdentifier` AWS would refuse.
    #[error(
        "{} is not a valid share identifier (1 to 255 letters, numbers, hyphens and underscores)",
        quote(share)
    )]
    ShareIdentifier {
        /// The identifier given.
        share: String,
    },
    /// A vCPU override of 0.
    #[error("a job needs more than 0 vCPUs")]
    Resources,
    /// A consumable resource override names no resource of the simulation.
    #[error("no consumable resource is named {}", quote(name))]
    UnknownConsumableResource {
        /// The name given.
        name: String,
    },
    /// A consumable resource override of quantity 0.
    #[error(
        "a consumable resource quantity must be 1 or more (consumable resource {})",
        quote(name)
    )]
    ConsumableQuantity {
        /// The resource's name.
        name: String,
    },
    /// A runtime model that cannot be drawn from.
    #[error("the runtime model cannot be used: {reason}")]
    Runtime {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The run is over (the clock reached `until`).
    #[error("the run ended at {} s: nothing more can be submitted", at.as_secs_f64())]
    Ended {
        /// When it ended.
        at: SimTime,
    },
    /// AWS would refuse it now (queue DISABLED, unknown or inactive job definition, share
    /// rules, platform mismatch, ...).
    #[error("{reason}")]
    Refused {
        /// AWS's reason.
        reason: Refusal,
    },
}

/// Why an action applied through [`crate::Simulation::apply`] was not accepted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ApplyError {
    /// The compute environment id is not one of this simulation's.
    #[error("compute environment {} is not one of the {count} of this simulation", .id.0)]
    UnknownComputeEnvironment {
        /// The id given.
        id: CeId,
        /// How many this simulation has.
        count: usize,
    },
    /// The job queue id is not one of this simulation's.
    #[error("job queue {} is not one of the {count} of this simulation", .id.0)]
    UnknownQueue {
        /// The id given.
        id: QueueId,
        /// How many this simulation has.
        count: usize,
    },
    /// The scheduling policy id is not one of this simulation's.
    #[error("scheduling policy {} is not one of the {count} of this simulation", .id.0)]
    UnknownPolicy {
        /// The id given.
        id: PolicyId,
        /// How many this simulation has.
        count: usize,
    },
    /// The consumable resource id is not one of this simulation's.
    #[error("consumable resource {} is not one of the {count} of this simulation", .id.0)]
    UnknownConsumableResource {
        /// The id given.
        id: crate::model::ConsumableResourceId,
        /// How many this simulation has.
        count: usize,
    },
    /// The request breaks an AWS rule or limit.
    #[error("{reason}")]
    Invalid {
        /// The rule.
        reason: InvalidAction,
    },
    /// The run is over (the clock reached `until`).
    #[error("the run ended at {} s: no more actions apply", at.as_secs_f64())]
    Ended {
        /// When it ended.
        at: SimTime,
    },
}

/// Why AWS refuses a submission at the moment it is made (the request itself is well
/// formed): the state of the queue, the job definition or the shares at that time. A refused
/// workload submission is counted and listed in the report's warnings with this text.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The job queue is DISABLED.
    #[error("job queue `{queue}` is DISABLED: submission of `{job}` at {at} s refused")]
    QueueDisabled {
        /// The queue.
        queue: String,
        /// The job's name.
        job: String,
        /// When.
        at: SimTime,
    },
    /// A new share identifier on a queue that already has the most active ones.
    #[error(
        "job queue `{queue}` already has {MAX_ACTIVE_SHARES} active share identifiers: submission of `{job}` with share `{share}` refused"
    )]
    TooManyShares {
        /// The queue.
        queue: String,
        /// The job's name.
        job: String,
        /// The new share identifier.
        share: String,
    },
    /// A workload dependency by name on a job whose own submission was refused.
    #[error(
        "`{job}` at {at} s depends on `{dependency}`, which was never submitted (its submission was refused): submission refused"
    )]
    DependencyNeverSubmitted {
        /// The job's name.
        job: String,
        /// When.
        at: SimTime,
        /// The name it depends on.
        dependency: String,
    },
    /// A dependency by id on a job this simulation does not know.
    #[error("job {job} in dependsOn is not a job of this simulation")]
    UnknownDependency {
        /// The dependency.
        job: JobId,
    },
    /// A trace line names a job queue the scenario does not have.
    #[error("trace line {line}: unknown job queue `{queue}`; submission refused")]
    TraceQueue {
        /// The line of the trace.
        line: u64,
        /// The queue named there.
        queue: String,
    },
    /// The job definition is unknown, has no such revision, or is INACTIVE.
    #[error(
        "job definition {} cannot be used at {at} s ({reason}): submission of {} refused",
        quote(definition),
        quote(job)
    )]
    JobDefinition {
        /// The reference given.
        definition: String,
        /// When.
        at: SimTime,
        /// Why it does not resolve.
        reason: ResolveError,
        /// The job's name.
        job: String,
    },
    /// The job definition's platform is not the queue's (Fargate against EC2).
    #[error(
        "job definition `{definition}` does not run on the compute environments of job queue `{queue}`: submission of `{job}` refused"
    )]
    Platform {
        /// The job definition (`name:revision`).
        definition: String,
        /// The queue.
        queue: String,
        /// The job's name.
        job: String,
    },
    /// A fair-share queue and no `shareIdentifier`.
    #[error("job queue `{queue}` has a fair-share policy: submission of `{job}` without shareIdentifier refused")]
    ShareMissing {
        /// The queue.
        queue: String,
        /// The job's name.
        job: String,
    },
    /// A FIFO queue and a `shareIdentifier`.
    #[error("job queue `{queue}` is FIFO: submission of `{job}` with a shareIdentifier refused")]
    ShareOnFifo {
        /// The queue.
        queue: String,
        /// The job's name.
        job: String,
    },
}

/// An AWS rule or limit that an action (or a scenario's queue, as loaded) breaks.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidAction {
    /// `minvCpus`, `maxvCpus` or `desiredvCpus` above [`MAX_VCPUS`].
    #[error("vCPU counts are at most {MAX_VCPUS}")]
    VcpuLimit,
    /// `minvCpus` or `desiredvCpus` other than 0 on a Fargate compute environment.
    #[error("minvCpus and desiredvCpus do not apply to Fargate compute environments")]
    FargateMinOrDesired,
    /// `minvCpus` above `maxvCpus` once the update applies (the values not given stay the
    /// compute environment's current ones).
    #[error("the update leaves minvCpus ({min}) above maxvCpus ({max}); a compute environment's minimum must not exceed its maximum")]
    MinAboveMax {
        /// `minvCpus` after the update.
        min: u32,
        /// `maxvCpus` after the update.
        max: u32,
    },
    /// `desiredvCpus` outside `minvCpus..=maxvCpus` once the update applies. AWS
    /// (`ComputeResourceUpdate`): "When you update the desiredvCpus setting, the value must be
    /// between the minvCpus and maxvCpus values."
    #[error("desiredvCpus must be between minvCpus ({min}) and maxvCpus ({max}), found {desired}")]
    DesiredOutsideLimits {
        /// The `desiredvCpus` given.
        desired: u32,
        /// `minvCpus` after the update.
        min: u32,
        /// `maxvCpus` after the update.
        max: u32,
    },
    /// A job queue with no compute environment or more than 3.
    #[error("a job queue has 1 to {MAX_QUEUE_COMPUTE_ENVIRONMENTS} compute environments, found {count}")]
    QueueComputeEnvironments {
        /// How many were given.
        count: usize,
    },
    /// A compute environment listed twice in one queue.
    #[error("compute environment {} is listed twice", .id.0)]
    ListedTwice {
        /// The compute environment.
        id: CeId,
    },
    /// Fargate and EC2 compute environments in one queue.
    #[error("a job queue's compute environments are all Fargate or all EC2")]
    MixedPlatforms,
    /// A scheduling policy given to a FIFO queue.
    #[error("AWS cannot turn a FIFO job queue into a fair-share one; create the queue with a scheduling policy")]
    FifoToFairShare,
    /// `jobStateTimeLimitActions.maxTimeSeconds` outside 600..=86400 (whole seconds).
    #[error("jobStateTimeLimitActions maxTimeSeconds must be from 600 to 86400, found {} s", max_time.as_secs_f64())]
    StateTimeLimit {
        /// The time given.
        max_time: SimDuration,
    },
    /// A job definition (RegisterJobDefinition) that breaks a limit.
    #[error("{0}")]
    JobDefinition(DefinitionError),
}

/// An AWS limit that a job definition breaks.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DefinitionError {
    /// The retry strategy breaks a limit.
    #[error("{0}")]
    Retry(RetryLimitError),
    /// A timeout under 60 s.
    #[error("the timeout must be at least {MIN_TIMEOUT_SECONDS} seconds")]
    Timeout,
    /// `schedulingPriority` above 9999.
    #[error("the scheduling priority must be from 0 to {MAX_SCHEDULING_PRIORITY}, found {priority}")]
    SchedulingPriority {
        /// The priority given.
        priority: u32,
    },
    /// A multi-node job of no node, more than 1,000 nodes, or a main node not among them.
    #[error(
        "a multi-node job has 1 to {MAX_NODES} nodes and its main node is one of them, found {nodes} nodes, main node {main_node}"
    )]
    Nodes {
        /// `numNodes`.
        nodes: u32,
        /// `mainNode`.
        main_node: u32,
    },
}

/// A compute environment the engine cannot build: an instance type it does not know.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("compute environment `{ce}`: {source}")]
pub(crate) struct CeError {
    /// The compute environment's name.
    pub ce: String,
    /// The unknown entry of `instanceTypes`.
    pub source: UnknownInstanceType,
}

/// Why a custom decision was not installed ([`crate::Simulation::set_policy`],
/// [`crate::Simulation::set_placement`], [`crate::Simulation::set_scale_out`],
/// [`crate::Simulation::set_backfill`]). Nothing is changed when one of these is returned.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DecisionError {
    /// No job queue has that name.
    #[error("no job queue is named {}{}", quote(name), did_you_mean(suggestion))]
    UnknownQueue {
        /// The name given.
        name: String,
        /// The closest queue name, when one is close.
        suggestion: Option<String>,
    },
    /// No compute environment has that name.
    #[error("no compute environment is named {}{}", quote(name), did_you_mean(suggestion))]
    UnknownComputeEnvironment {
        /// The name given.
        name: String,
        /// The closest compute environment name, when one is close.
        suggestion: Option<String>,
    },
    /// The compute environment launches no instances (FARGATE, FARGATE_SPOT, LAMBDA), so it
    /// has no scale-out decision to replace.
    #[error("compute environment {} launches no instances (only EC2, SPOT and EKS compute environments scale out by instance)", quote(name))]
    NoInstances {
        /// The compute environment's name.
        name: String,
    },
}

fn did_you_mean(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(s) => format!(" (did you mean {}?)", quote(s)),
        None => String::new(),
    }
}
