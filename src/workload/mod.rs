//! What is submitted, when, and how long each attempt runs.
//!
//! A scenario's `workload` is a list of entries: single [`WorkloadEntry::Submission`]s,
//! [`WorkloadEntry::Stream`]s of many submissions from one template, and
//! [`WorkloadEntry::Trace`]s replaying a real log. Runtimes come from a [`RuntimeModel`]
//! (or the trace); nothing is executed.

pub(crate) mod arrivals;
pub(crate) mod child_attempts;
pub(crate) mod recorded;
pub(crate) mod rng;
pub(crate) mod runtime;
pub mod trace;

pub use arrivals::ArrivalProcess;
pub use child_attempts::ChildAttempts;
pub use recorded::RecordedAttempt;
pub use runtime::{Distribution, RuntimeModel};

use crate::model::{QueueId, Resources, RetryStrategy};
use crate::time::{SimDuration, SimTime};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// `dependsOn[].type` for array jobs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ArrayDependency {
    /// Child i waits for child i of the dependency.
    NToN,
    /// Children run one at a time, in index order.
    Sequential,
}

/// One `dependsOn` entry: a job named by an earlier submission's `jobName` (`name` or
/// `name:i` for child i), or by id through the library API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dependency {
    /// `jobId` as written: a job name (scenario files) or a job id (`17`, `17:3`).
    pub job: String,
    /// `type`.
    pub kind: Option<ArrayDependency>,
}

/// `containerOverrides` resource changes of a submission.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ResourceOverrides {
    /// vCPUs in thousandths.
    pub millivcpus: Option<u32>,
    /// Memory in MiB.
    pub memory_mib: Option<u32>,
    /// GPUs.
    pub gpus: Option<u32>,
}

impl ResourceOverrides {
    /// `base` with these overrides applied.
    pub fn apply(&self, base: Resources) -> Resources {
        Resources {
            millivcpus: self.millivcpus.unwrap_or(base.millivcpus),
            memory_mib: self.memory_mib.unwrap_or(base.memory_mib),
            gpus: self.gpus.unwrap_or(base.gpus),
        }
    }
}

/// A SubmitJob request, validated: what every job from this template gets.
#[derive(Clone, Debug, PartialEq)]
pub struct JobTemplate {
    /// `jobName`.
    pub job_name: String,
    /// `jobQueue`.
    pub job_queue: QueueId,
    /// `jobDefinition` as written (resolved at submission time: `name` is the latest ACTIVE
    /// revision then).
    pub job_definition: String,
    /// `shareIdentifier`.
    pub share_identifier: Option<String>,
    /// `schedulingPriorityOverride`.
    pub scheduling_priority_override: Option<u32>,
    /// `arrayProperties.size`.
    pub array_size: Option<u32>,
    /// `dependsOn`.
    pub depends_on: Vec<Dependency>,
    /// `containerOverrides` resource changes.
    pub resource_overrides: ResourceOverrides,
    /// `retryStrategy` override.
    pub retry_strategy: Option<RetryStrategy>,
    /// `timeout.attemptDurationSeconds` override.
    pub timeout: Option<SimDuration>,
    /// `parameters` (override the definition's defaults).
    pub parameters: BTreeMap<String, String>,
    /// `containerOverrides.command`.
    pub command: Option<Vec<String>>,
    /// `consumableResourcePropertiesOverride.consumableResourceList` (see
    /// [`crate::model::merge_consumable_override`]).
    pub consumable_override: Vec<crate::model::ConsumableRequirement>,
}

impl JobTemplate {
    /// A template with only the three required fields set.
    pub fn new(job_name: impl Into<String>, job_queue: QueueId, job_definition: impl Into<String>) -> Self {
        JobTemplate {
            job_name: job_name.into(),
            job_queue,
            job_definition: job_definition.into(),
            share_identifier: None,
            scheduling_priority_override: None,
            array_size: None,
            depends_on: Vec::new(),
            resource_overrides: ResourceOverrides::default(),
            retry_strategy: None,
            timeout: None,
            parameters: BTreeMap::new(),
            command: None,
            consumable_override: Vec::new(),
        }
    }
}

/// A trace file's format.
pub use trace::TraceFormat;

/// One entry of the scenario's `workload`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum WorkloadEntry {
    /// One SubmitJob at a given time.
    Submission {
        /// `at`.
        at: SimTime,
        /// `submitJob`.
        template: JobTemplate,
        /// `runtime`.
        runtime: RuntimeModel,
        /// `runtime.attempts`: the attempts a job history recorded, replayed in order
        /// (see [`RecordedAttempt`]); empty for a job whose runs are drawn from `runtime`.
        recorded: Vec<RecordedAttempt>,
        /// `runtime.childAttempts`: an array job's children, each with the attempts the
        /// history recorded for it (see [`ChildAttempts`]); empty otherwise.
        child_recorded: ChildAttempts,
    },
    /// Many submissions from one template.
    Stream {
        /// `arrivals`.
        arrivals: ArrivalProcess,
        /// `start` (default 0).
        start: SimTime,
        /// `end` (exclusive).
        end: Option<SimTime>,
        /// `count`.
        count: Option<u64>,
        /// `submitJob`.
        template: JobTemplate,
        /// `runtime`.
        runtime: RuntimeModel,
    },
    /// One submission per line of a trace file.
    Trace {
        /// Resolved path of the trace file.
        path: PathBuf,
        /// `trace.format`.
        format: TraceFormat,
        /// `submitJob` template (queue, definition, share; a CSV line may override some).
        template: JobTemplate,
        /// Lines of the file that submit a job, counted when the scenario was validated
        /// (the bound on the jobs a scenario may generate counts them).
        records: u64,
    },
}
