//! The library API for programs that drive a simulation: submissions between steps, name
//! lookups, job states (also after a job ended), queue snapshots, timed actions and
//! observers.
//!
//! Every function here is total: a request that breaks an AWS limit, names something the
//! simulation does not have, or comes after the run ended is answered with a typed error
//! ([`SubmitError`], [`ApplyError`]) whose `Display` is a sentence for people.
//!
//! AWS limits enforced here, quoted from the AWS Batch API model (`service-2.json`):
//! - `arrayProperties.size`: "The array size can be between 2 and 10,000." ([`MIN_ARRAY_SIZE`],
//!   [`MAX_ARRAY_SIZE`])
//! - `dependsOn`: "A job can depend upon a maximum of 20 jobs." ([`MAX_DEPENDENCIES`])
//! - `retryStrategy.attempts`: "You can specify between 1 and 10 attempts."
//!   ([`crate::model::retry::MAX_ATTEMPTS`]); `evaluateOnExit`: "Array of up to 5 objects".
//! - `timeout`: "The minimum value for the timeout is 60 seconds." ([`MIN_TIMEOUT_SECONDS`])
//! - `schedulingPriorityOverride`: "The minimum supported value is 0 and the maximum supported
//!   value is 9999." ([`MAX_SCHEDULING_PRIORITY`])
//! - `jobName`: "It can be up to 128 letters long. The first character must be alphanumeric,
//!   can contain uppercase and lowercase letters, numbers, hyphens (-), and underscores (_)."
//! - a job queue has at most 3 compute environments, all Fargate or all EC2 (AWS_FACTS), and
//!   a multi-node job at most 1,000 nodes.

use super::dependencies::DepTarget;
use super::error::{ApplyError, Refusal, SubmitError};
use super::jobs::JobSlot;
use super::{QueuePolicy, Simulation};
use crate::model::job_definition::JobDefinitionRef;
use crate::model::{Action, CeId, JobId, JobStatus, PolicyId, QueueId, RetryStrategy, SchedulingPolicy as Policy};
use crate::policy::{Fifo, JobPolicy};
use crate::time::{SimDuration, SimTime};
use crate::workload::{ArrayDependency, JobTemplate, ResourceOverrides, RuntimeModel};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

/// The workload entry index of jobs submitted through the API.
pub(crate) const API_ENTRY: u32 = u32::MAX;

/// Most jobs one job can depend on: "A job can depend upon a maximum of 20 jobs" (API model,
/// `SubmitJobRequest.dependsOn`).
pub const MAX_DEPENDENCIES: usize = 20;
/// Smallest array: "The array size can be between 2 and 10,000" (API model,
/// `SubmitJobRequest.arrayProperties`).
pub const MIN_ARRAY_SIZE: u32 = 2;
/// Largest array (API model, `SubmitJobRequest.arrayProperties`: "between 2 and 10,000").
pub const MAX_ARRAY_SIZE: u32 = 10_000;
/// Shortest timeout: "The minimum value for the timeout is 60 seconds" (API model,
/// `SubmitJobRequest.timeout`).
pub const MIN_TIMEOUT_SECONDS: u64 = 60;
/// Highest scheduling priority: "The minimum supported value is 0 and the maximum supported
/// value is 9999" (API model, `SubmitJobRequest.schedulingPriorityOverride`).
pub const MAX_SCHEDULING_PRIORITY: u32 = 9999;
/// Longest `jobName`: "It can be up to 128 letters long" (API model, `SubmitJobRequest.jobName`).
pub const MAX_JOB_NAME_LEN: usize = 128;
/// Longest `shareIdentifier`: "limited to 255 alphanumeric characters" (API model,
/// `SubmitJobRequest.shareIdentifier`).
pub const MAX_SHARE_IDENTIFIER_LEN: usize = 255;
/// Most compute environments per job queue (AWS service quota, fixed).
pub const MAX_QUEUE_COMPUTE_ENVIRONMENTS: usize = 3;
/// Most nodes of a multi-node parallel job (AWS service quota).
pub const MAX_NODES: u32 = 1000;
/// Highest `maxvCpus`, `minvCpus` or `desiredvCpus` the engine counts (in milli-vCPUs, a `u32`).
pub const MAX_VCPUS: u32 = u32::MAX / 1000;

/// What an API submission adds to a [`JobTemplate`].
pub(crate) struct ApiSubmission {
    pub depends_on: Vec<(JobId, Option<ArrayDependency>)>,
    pub runtime: RuntimeModel,
}

/// A job queue, by name or ARN (`jobQueue` of SubmitJob).
///
/// ```
/// use batchsim::engine::JobQueueRef;
/// assert_eq!(JobQueueRef::new("arn:aws:batch:us-east-1:1:job-queue/batch").name(), "batch");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobQueueRef(String);

impl JobQueueRef {
    /// A queue's name or ARN.
    pub fn new(name_or_arn: impl Into<String>) -> JobQueueRef {
        JobQueueRef(name_or_arn.into())
    }

    /// The name (the ARN's tail).
    pub fn name(&self) -> &str {
        crate::model::arn_tail(&self.0)
    }

    /// The reference as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for JobQueueRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A name or value quoted for a message, control characters escaped.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('`');
    for c in s.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.push('`');
    out
}

/// A SubmitJob request made through the library, with the runtime model of its attempts.
///
/// The queue and the job definition are typed ([`JobQueueRef`], [`JobDefinitionRef`]), so
/// they cannot be swapped by mistake; [`SubmitJob::from_names`] takes three strings for code
/// written before.
///
/// ```
/// use batchsim::engine::{JobQueueRef, SubmitJob};
/// use batchsim::model::JobDefinitionRef;
/// use batchsim::workload::RuntimeModel;
///
/// let req = SubmitJob::new(
///     "render",
///     JobQueueRef::new("batch"),
///     JobDefinitionRef::parse("render-def:2"),
///     RuntimeModel::fixed(60.0),
/// )
/// .array(10)
/// .vcpus(2.0)
/// .parameter("scene", "city");
/// assert_eq!(req.array_size, Some(10));
/// assert_eq!(req.job_definition.revision, Some(2));
/// assert_eq!(req, SubmitJob::from_names("render", "batch", "render-def:2", RuntimeModel::fixed(60.0))
///     .array(10).vcpus(2.0).parameter("scene", "city"));
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct SubmitJob {
    /// `jobName`.
    pub job_name: String,
    /// `jobQueue` (name or ARN).
    pub job_queue: JobQueueRef,
    /// `jobDefinition` (`name`, `name:rev` or ARN).
    pub job_definition: JobDefinitionRef,
    /// `shareIdentifier`.
    pub share_identifier: Option<String>,
    /// `schedulingPriorityOverride`.
    pub scheduling_priority_override: Option<u32>,
    /// `arrayProperties.size`.
    pub array_size: Option<u32>,
    /// `dependsOn`, by job id (`type` for array jobs).
    pub depends_on: Vec<(JobId, Option<ArrayDependency>)>,
    /// `dependsOn: [{"type": "SEQUENTIAL"}]`: the array's children one at a time.
    pub sequential: bool,
    /// `containerOverrides` resource changes.
    pub resources: ResourceOverrides,
    /// `retryStrategy` override.
    pub retry_strategy: Option<RetryStrategy>,
    /// `timeout.attemptDurationSeconds` override.
    pub timeout: Option<SimDuration>,
    /// `parameters`.
    pub parameters: BTreeMap<String, String>,
    /// How long attempts run and how they exit.
    pub runtime: RuntimeModel,
    /// `consumableResourcePropertiesOverride`: (resource name or ARN, quantity), merged with
    /// the job definition's list as [`crate::model::merge_consumable_override`] does.
    pub consumable_resources_override: Vec<(String, u64)>,
}

impl SubmitJob {
    /// A submission of one job to `job_queue`, of `job_definition`.
    pub fn new(
        job_name: impl Into<String>,
        job_queue: JobQueueRef,
        job_definition: JobDefinitionRef,
        runtime: RuntimeModel,
    ) -> SubmitJob {
        SubmitJob {
            job_name: job_name.into(),
            job_queue,
            job_definition,
            share_identifier: None,
            scheduling_priority_override: None,
            array_size: None,
            depends_on: Vec::new(),
            sequential: false,
            resources: ResourceOverrides::default(),
            retry_strategy: None,
            timeout: None,
            parameters: BTreeMap::new(),
            runtime,
            consumable_resources_override: Vec::new(),
        }
    }

    /// [`SubmitJob::new`] from three strings: job name, queue (name or ARN), job definition
    /// (`name`, `name:rev` or ARN).
    pub fn from_names(job_name: &str, job_queue: &str, job_definition: &str, runtime: RuntimeModel) -> SubmitJob {
        SubmitJob::new(
            job_name,
            JobQueueRef::new(job_queue),
            JobDefinitionRef::parse(job_definition),
            runtime,
        )
    }

    /// Adds `quantity` of consumable resource `resource` (name or ARN) to
    /// `consumableResourcePropertiesOverride`.
    pub fn consumable(mut self, resource: &str, quantity: u64) -> Self {
        self.consumable_resources_override.push((resource.to_owned(), quantity));
        self
    }

    /// Sets `shareIdentifier`.
    pub fn share(mut self, share: &str) -> Self {
        self.share_identifier = Some(share.to_owned());
        self
    }

    /// Makes it an array job of `size` children.
    pub fn array(mut self, size: u32) -> Self {
        self.array_size = Some(size);
        self
    }

    /// Runs the array's children one at a time (SEQUENTIAL).
    pub fn sequential(mut self) -> Self {
        self.sequential = true;
        self
    }

    /// Waits for job `id` (the whole array when `id` is an array parent).
    pub fn depends_on(mut self, id: JobId) -> Self {
        self.depends_on.push((id, None));
        self
    }

    /// N_TO_N: child i waits for child i of array `id`.
    pub fn n_to_n(mut self, id: JobId) -> Self {
        self.depends_on.push((id, Some(ArrayDependency::NToN)));
        self
    }

    /// Overrides the vCPUs (rounded to the thousandth; must be more than 0).
    pub fn vcpus(mut self, vcpus: f64) -> Self {
        // `as` saturates (NaN gives 0, refused at submission).
        self.resources.millivcpus = Some((vcpus * 1000.0).round() as u32);
        self
    }

    /// Overrides the memory (MiB).
    pub fn memory_mib(mut self, mib: u32) -> Self {
        self.resources.memory_mib = Some(mib);
        self
    }

    /// Sets `schedulingPriorityOverride` (0 to 9999).
    pub fn priority(mut self, p: u32) -> Self {
        self.scheduling_priority_override = Some(p);
        self
    }

    /// Overrides the timeout (at least 60 s).
    pub fn timeout(mut self, t: SimDuration) -> Self {
        self.timeout = Some(t);
        self
    }

    /// Overrides the retry strategy (1 to 10 attempts).
    pub fn retry(mut self, r: RetryStrategy) -> Self {
        self.retry_strategy = Some(r);
        self
    }

    /// Sets a parameter (for `Ref::name` in the command).
    pub fn parameter(mut self, name: &str, value: &str) -> Self {
        self.parameters.insert(name.to_owned(), value.to_owned());
        self
    }

    /// The limits AWS checks on the request itself (nothing that depends on the simulation).
    pub(super) fn check(&self) -> Result<(), SubmitError> {
        let name_ok = self.job_name.len() <= MAX_JOB_NAME_LEN
            && self.job_name.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
            && self
                .job_name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !name_ok {
            return Err(SubmitError::JobName {
                name: self.job_name.clone(),
            });
        }
        if let Some(share) = &self.share_identifier {
            let ok = !share.is_empty()
                && share.len() <= MAX_SHARE_IDENTIFIER_LEN
                && share.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !ok {
                return Err(SubmitError::ShareIdentifier { share: share.clone() });
            }
        }
        if self.depends_on.len() > MAX_DEPENDENCIES {
            return Err(SubmitError::TooManyDependencies {
                count: self.depends_on.len(),
            });
        }
        match self.array_size {
            Some(n) if !(MIN_ARRAY_SIZE..=MAX_ARRAY_SIZE).contains(&n) => {
                return Err(SubmitError::ArraySize { size: n });
            }
            None if self.sequential => return Err(SubmitError::SequentialWithoutArray),
            _ => {}
        }
        if let Some(r) = &self.retry_strategy {
            r.check().map_err(SubmitError::Retry)?;
        }
        if let Some(t) = self.timeout {
            if t < SimDuration::from_secs(MIN_TIMEOUT_SECONDS) {
                return Err(SubmitError::Timeout { timeout: t });
            }
        }
        if let Some(p) = self.scheduling_priority_override {
            if p > MAX_SCHEDULING_PRIORITY {
                return Err(SubmitError::SchedulingPriority { priority: p });
            }
        }
        if self.resources.millivcpus == Some(0) {
            return Err(SubmitError::Resources);
        }
        check_runtime(&self.runtime).map_err(|reason| SubmitError::Runtime { reason })
    }
}

/// Why a runtime model cannot be drawn from (`None` when it can).
fn check_runtime(m: &RuntimeModel) -> Result<(), &'static str> {
    use crate::workload::runtime::Distribution as D;
    let ok = |x: f64| x.is_finite() && x >= 0.0;
    let fine = match m.distribution {
        D::Fixed { seconds } => ok(seconds),
        D::Exponential { mean_seconds } => ok(mean_seconds),
        D::Uniform {
            min_seconds,
            max_seconds,
        } => ok(min_seconds) && ok(max_seconds) && min_seconds <= max_seconds,
        D::LogNormal { median_seconds, sigma } => ok(median_seconds) && ok(sigma),
    };
    if !fine {
        return Err("its seconds must be finite and not negative (and a uniform minimum at most its maximum)");
    }
    if !(0.0..=1.0).contains(&m.failure_probability) {
        return Err("its failure probability must be from 0 to 1");
    }
    Ok(())
}

/// One job state change, as an observer sees it.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ObservedJobEvent {
    /// When.
    pub time: SimTime,
    /// The job.
    pub job: JobId,
    /// Its `jobName`.
    pub job_name: String,
    /// Its queue.
    pub job_queue: String,
    /// The state it entered.
    pub status: JobStatus,
    /// Its status reason then, if any.
    pub status_reason: Option<String>,
    /// The compute environment of the attempt this event belongs to (STARTING, RUNNING, and
    /// the end of an attempt: RUNNABLE again for a retry, SUCCEEDED, FAILED); `None` before
    /// the first dispatch.
    pub compute_environment: Option<String>,
    /// The number of that attempt, from 1 (0 before the first dispatch).
    pub attempt: u32,
    /// The container's exit code, when the attempt ended by exiting (not by a timeout, a
    /// reclaim or TerminateJob).
    pub exit_code: Option<i32>,
}

/// What the engine's end-of-job hook (`Simulation::observer`) receives; [`Hub`] completes it
/// with what it noted of the job's last attempt into an [`ObservedJobEvent`].
pub(crate) struct JobEvent {
    pub time: SimTime,
    pub job: JobId,
    pub job_name: String,
    pub job_queue: String,
    pub status: JobStatus,
    pub status_reason: Option<String>,
}

/// A field that a copy of the simulation does not copy: the copy starts from `T::default()`
/// (observers: none).
#[derive(Default)]
pub(crate) struct NotCloned<T: Default>(T);

impl<T: Default> Clone for NotCloned<T> {
    fn clone(&self) -> Self {
        NotCloned(T::default())
    }
}

impl<T: Default> std::ops::Deref for NotCloned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Default> std::ops::DerefMut for NotCloned<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

/// A callback told of job state changes.
pub(crate) type ObserverFn = Box<dyn FnMut(&ObservedJobEvent) + Send>;

/// What the hub noted of a job's current (or last) attempt.
struct AttemptNote {
    ce: CeId,
    attempt: u32,
    exit_code: i32,
    /// When it ends by exiting (RUNNING time plus run time, when within the timeout).
    exits_at: Option<SimTime>,
}

/// The observers of a run and what they need to know of live jobs' attempts. Shared between
/// the simulation (which tells it of SUBMITTED..RUNNING) and the engine's end-of-job hook.
pub(crate) struct Hub {
    observers: Vec<ObserverFn>,
    notes: BTreeMap<JobId, AttemptNote>,
    ce_names: Vec<String>,
}

fn lock(hub: &Mutex<Hub>) -> MutexGuard<'_, Hub> {
    // A poisoned lock means an observer panicked; the notes are still whole.
    hub.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Hub {
    fn deliver(&mut self, raw: &JobEvent, ended: bool) {
        let note = if ended { self.notes.remove(&raw.job) } else { None };
        let note = note.as_ref().or_else(|| self.notes.get(&raw.job));
        let exited = raw.status_reason.as_deref() == Some(super::attempt::REASON_EXITED);
        let event = ObservedJobEvent {
            time: raw.time,
            job: raw.job,
            job_name: raw.job_name.clone(),
            job_queue: raw.job_queue.clone(),
            status: raw.status,
            status_reason: raw.status_reason.clone(),
            compute_environment: note.and_then(|n| self.ce_names.get(n.ce.index()).cloned()),
            attempt: note.map_or(0, |n| n.attempt),
            exit_code: note
                .filter(|n| exited && n.exits_at == Some(raw.time) && !matches!(raw.status, JobStatus::Running))
                .map(|n| n.exit_code),
        };
        for o in &mut self.observers {
            o(&event);
        }
    }
}

impl Simulation {
    /// Submits a job now. It is placed at the next [`Simulation::step`] (or
    /// [`Simulation::run_until`]), in the dispatch pass of the current instant. A run that
    /// stopped because nothing was left to happen goes on with the new job; after the clock
    /// reached `until` the answer is [`SubmitError::Ended`].
    ///
    /// ```
    /// use batchsim::engine::SubmitJob;
    /// use batchsim::workload::RuntimeModel;
    /// use batchsim::{JobStatus, Options, Scenario, Simulation, SimTime};
    ///
    /// let scenario = Scenario::builder("api")
    ///     .fargate_compute_environment("ce", 4, 0.0)
    ///     .job_queue("q", 1, &["ce"])
    ///     .fargate_job_definition("d", 1.0, 2048)
    ///     .build()?;
    /// let mut sim = Simulation::new(&scenario, Options::default())?;
    /// let a = sim.submit(&SubmitJob::from_names("a", "q", "d", RuntimeModel::fixed(60.0))).unwrap();
    /// let b = sim.submit(&SubmitJob::from_names("b", "q", "d", RuntimeModel::fixed(30.0)).depends_on(a)).unwrap();
    /// sim.run_until(SimTime::from_millis(70_000));
    /// assert_eq!(sim.job_status(a), Some(JobStatus::Succeeded), "ended jobs are remembered");
    /// assert_eq!(sim.job_status(b), Some(JobStatus::Running));
    /// # Ok::<(), batchsim::Error>(())
    /// ```
    pub fn submit(&mut self, req: &SubmitJob) -> Result<JobId, SubmitError> {
        self.check_open().map_err(|at| SubmitError::Ended { at })?;
        let queue = self
            .queue_id(req.job_queue.as_str())
            .ok_or_else(|| SubmitError::UnknownQueue {
                queue: req.job_queue.clone(),
            })?;
        req.check()?;
        self.check_dependencies(req)?;
        let definition = match req.job_definition.revision {
            Some(r) => format!("{}:{r}", req.job_definition.name),
            None => req.job_definition.name.clone(),
        };
        let mut t = JobTemplate::new(req.job_name.clone(), queue, definition);
        t.share_identifier = req.share_identifier.clone();
        t.scheduling_priority_override = req.scheduling_priority_override;
        t.array_size = req.array_size;
        if req.sequential {
            t.depends_on.push(crate::workload::Dependency {
                job: String::new(),
                kind: Some(ArrayDependency::Sequential),
            });
        }
        t.resource_overrides = req.resources;
        t.retry_strategy = req.retry_strategy.clone();
        t.timeout = req.timeout;
        t.parameters = req.parameters.clone();
        t.consumable_override = self.consumable_override(&req.consumable_resources_override)?;
        let plan = self.kernel.sources.first_plan(API_ENTRY, Some(&req.runtime));
        let api = ApiSubmission {
            depends_on: req.depends_on.clone(),
            runtime: req.runtime,
        };
        self.kernel.events_processed += 1;
        let id = self
            .submit_template(&t, API_ENTRY, plan, None, Some(&api))
            .map_err(|reason| SubmitError::Refused { reason })?;
        self.resume();
        Ok(id)
    }

    /// `Err(end)` once the clock reached `until`.
    pub(super) fn check_open(&self) -> Result<(), SimTime> {
        self.kernel.check_open()
    }

    /// Something new happens at the current instant: a dispatch pass is due, and a run that
    /// had stopped for want of anything to do goes on.
    pub(super) fn resume(&mut self) {
        self.dispatch_needed = true;
        if self.check_open().is_ok() {
            self.kernel.stopped = false;
        }
    }

    /// Every dependency of `req` is a job this simulation knows; N_TO_N ones are arrays of
    /// the same size as the request.
    fn check_dependencies(&self, req: &SubmitJob) -> Result<(), SubmitError> {
        for &(id, kind) in &req.depends_on {
            let parent = self.array_parent(id);
            if kind == Some(ArrayDependency::NToN) {
                let same = parent.is_some_and(|p| id.array_index.is_none() && Some(p.size) == req.array_size);
                if !same {
                    return Err(if parent.is_some() || self.job_status(id).is_some() {
                        SubmitError::NToN { job: id }
                    } else {
                        SubmitError::UnknownDependency { job: id }
                    });
                }
            }
            let known = match (parent, id.array_index) {
                (Some(p), Some(i)) => i < p.size,
                (Some(_), None) => true,
                (None, _) => self.job_status(id).is_some(),
            };
            if !known {
                return Err(SubmitError::UnknownDependency { job: id });
            }
        }
        Ok(())
    }

    fn array_parent(&self, id: JobId) -> Option<&super::dependencies::ArrayParent> {
        self.jobs.array_of_submission(id.submission).map(|(_, p)| p)
    }

    /// The [`super::dependencies::ArrayTable`] index of the array with `id`'s submission
    /// number (O(arrays); the API's own path).
    fn array_index(&self, id: JobId) -> Option<u32> {
        self.jobs.array_of_submission(id.submission).map(|(i, _)| i)
    }

    /// Resolves API dependencies by job id; `Err` names the first unknown one.
    pub(super) fn resolve_dependencies_by_id(
        &self,
        deps: &[(JobId, Option<ArrayDependency>)],
    ) -> Result<Vec<(DepTarget, Option<ArrayDependency>)>, Refusal> {
        let mut out = Vec::new();
        for &(id, kind) in deps {
            let parent = self.array_index(id);
            let target = match (id.array_index, parent) {
                (Some(i), Some(p)) => self.child_target(p, i),
                (None, Some(p)) if kind == Some(ArrayDependency::NToN) => DepTarget::Parent(p),
                (None, Some(p)) => self.parent_target(p),
                _ => match self.slot_of(id) {
                    Some(slot) => DepTarget::Job(slot, id),
                    None => match self.ended_status(id) {
                        Some(JobStatus::Succeeded) => DepTarget::Met,
                        Some(_) => DepTarget::Failed(id),
                        None => return Err(Refusal::UnknownDependency { job: id }),
                    },
                },
            };
            out.push((target, kind));
        }
        Ok(out)
    }

    /// The id of a job queue by name (or ARN).
    pub fn queue_id(&self, name: &str) -> Option<QueueId> {
        let name = crate::model::arn_tail(name);
        self.queues
            .iter()
            .position(|q| q.spec.name == name)
            .map(|i| QueueId(i as u32))
    }

    /// The id of a compute environment by name (or ARN), for [`crate::model::Action`]s.
    pub fn compute_environment_id(&self, name: &str) -> Option<CeId> {
        let name = crate::model::arn_tail(name);
        self.ces
            .iter()
            .position(|c| c.spec.name == name)
            .map(|i| CeId(i as u32))
    }

    /// The id of a scheduling policy by name (or ARN), for [`crate::model::Action`]s.
    pub fn scheduling_policy_id(&self, name: &str) -> Option<PolicyId> {
        let name = crate::model::arn_tail(name);
        self.queues
            .policies()
            .iter()
            .position(|p: &Policy| p.name == name)
            .map(|i| PolicyId(i as u32))
    }

    /// The state of a job: live jobs, array parents (PENDING until every child ended, then
    /// SUCCEEDED or FAILED), and ended jobs that were submitted through the API (or any
    /// ended job when [`super::Options::record_jobs`] is set). `None` for an id this
    /// simulation never issued, and for an ended workload job without records (finished
    /// jobs of the workload are not kept, so that memory follows the jobs in flight).
    pub fn job_status(&self, id: JobId) -> Option<JobStatus> {
        if let Some(j) = self.slot_of(id).and_then(|s| self.jobs.get(s)) {
            return Some(j.status);
        }
        if id.array_index.is_none() {
            if let Some(p) = self.array_parent(id) {
                return Some(match (p.ended == p.size, p.failed) {
                    (false, _) => JobStatus::Pending,
                    (true, false) => JobStatus::Succeeded,
                    (true, true) => JobStatus::Failed,
                });
            }
        }
        self.ended_status(id)
    }

    /// The terminal state of an ended job, if it is remembered.
    fn ended_status(&self, id: JobId) -> Option<JobStatus> {
        if let Some(ok) = self.jobs.api_outcome(id) {
            return Some(if ok { JobStatus::Succeeded } else { JobStatus::Failed });
        }
        self.ledger.recorder.as_ref()?.ended_status(id)
    }

    /// The RUNNABLE jobs of a queue in the order its policy would dispatch them now, at most
    /// `limit` (AWS's GetJobQueueSnapshot shows the front of the queue). A fair-share queue's
    /// order accounts for each pick's vCPUs as the policy would. `None` for an unknown queue.
    pub fn queue_snapshot(&self, queue: &str, limit: usize) -> Option<Vec<SnapshotEntry>> {
        let q = self.queue_id(queue)?;
        let qr = &self.queues[q];
        let mut set = qr.set.clone();
        let mut out = Vec::new();
        // A custom policy picks on its own copy when it gives one (the snapshot changes
        // nothing), else on itself, with the view a run gives it.
        let custom = match &qr.policy {
            QueuePolicy::Custom(p) => Some(p.fork()),
            _ => None,
        };
        let capacity: Vec<_> = match custom {
            Some(_) => qr
                .spec
                .compute_environments
                .iter()
                .map(|&c| self.ce_capacity(c))
                .collect(),
            None => Vec::new(),
        };
        let details = self.job_details();
        while out.len() < limit {
            let view = set.view(self.kernel.now);
            let pick = match (&qr.policy, &custom) {
                (QueuePolicy::FairShare(p), _) => p.choose(&view),
                (_, Some(p)) => p.lock().pick(&view.with_details(&details).with_capacity(&capacity)),
                _ => Fifo.pick(&view),
            }
            .cloned();
            let Some(job) = pick else { break };
            if set.remove_at(job.share, job.scheduling_priority, job.id).is_none() {
                // A custom policy offered a job that is not in the queue: the snapshot ends.
                break;
            }
            set.add_held_at(job.share, i64::from(job.resources.millivcpus), self.kernel.now);
            out.push(SnapshotEntry {
                job: job.id,
                share_identifier: set
                    .share_identifier(job.share)
                    .map_or_else(String::new, |s| s.to_string()),
                scheduling_priority: job.scheduling_priority,
            });
        }
        Some(out)
    }

    /// Adds an observer, called at every job state change from now on (SUBMITTED, PENDING,
    /// RUNNABLE, STARTING, RUNNING, SUCCEEDED, FAILED), after the observers added before it.
    /// Observers are not copied by [`Clone`]: a copy of the simulation has none.
    ///
    /// ```
    /// use batchsim::engine::{JobEvent, SubmitJob};
    /// use batchsim::workload::RuntimeModel;
    /// use batchsim::{JobStatus, Options, Scenario, Simulation};
    /// use std::sync::{Arc, Mutex};
    ///
    /// let scenario = Scenario::builder("observed")
    ///     .fargate_compute_environment("ce", 4, 0.0)
    ///     .job_queue("q", 1, &["ce"])
    ///     .fargate_job_definition("d", 1.0, 2048)
    ///     .build()?;
    /// let mut sim = Simulation::new(&scenario, Options::default())?;
    /// let seen = Arc::new(Mutex::new(Vec::<JobEvent>::new()));
    /// let log = seen.clone();
    /// sim.add_observer(move |e| log.lock().unwrap().push(e.clone()));
    /// sim.submit(&SubmitJob::from_names("a", "q", "d", RuntimeModel::fixed(60.0))).unwrap();
    /// while sim.step() {}
    /// let seen = seen.lock().unwrap();
    /// let end = seen.last().unwrap();
    /// assert_eq!(end.status, JobStatus::Succeeded);
    /// assert_eq!(end.compute_environment.as_deref(), Some("ce"));
    /// assert_eq!((end.attempt, end.exit_code), (1, Some(0)));
    /// # Ok::<(), batchsim::Error>(())
    /// ```
    pub fn add_observer(&mut self, observer: impl FnMut(&ObservedJobEvent) + Send + 'static) {
        let hub = self.observers.get_or_insert_with(|| {
            Arc::new(Mutex::new(Hub {
                observers: Vec::new(),
                notes: BTreeMap::new(),
                ce_names: self.ces.iter().map(|c| c.spec.name.clone()).collect(),
            }))
        });
        let mut h = lock(hub);
        if h.observers.is_empty() {
            // Jobs dispatched before: what their attempts are, for the events to come.
            for (_, job) in self.jobs.iter() {
                let Some(ce) = job.attempt().map(|a| a.ce).or(job.last_ce()) else {
                    continue;
                };
                let a = job.attempt();
                let exits_at = a.and_then(|a| {
                    let within = job.spec.timeout.is_none_or(|t| a.plan.runtime <= t);
                    a.running_at.filter(|_| within).map(|r| r + a.plan.runtime)
                });
                // `attempts` counts attempts that reached RUNNING (CONTRACT 7.4): a STARTING
                // attempt is the next one.
                let starting = a.is_some_and(|a| a.running_at.is_none());
                let note = AttemptNote {
                    ce,
                    attempt: job.attempts() + u32::from(starting),
                    exit_code: a.map_or(0, |a| a.plan.exit_code),
                    exits_at,
                };
                h.notes.insert(job.id(), note);
            }
        }
        h.observers.push(Box::new(observer));
        drop(h);
        let shared = hub.clone();
        *self.observer = Some(Box::new(move |raw: &JobEvent| lock(&shared).deliver(raw, true)));
    }

    /// Replaces every observer with `observer` (see [`Simulation::add_observer`]).
    pub fn set_observer(&mut self, observer: impl FnMut(&ObservedJobEvent) + Send + 'static) {
        self.clear_observers();
        self.add_observer(observer);
    }

    /// Removes every observer.
    pub fn clear_observers(&mut self) {
        *self.observers = None;
        *self.observer = None;
    }

    /// Tells the observers, if any, that the live job in `slot` entered `status`.
    pub(super) fn observe(&mut self, slot: JobSlot, status: JobStatus) {
        let Some(hub) = self.observers.as_ref() else { return };
        let Some(job) = self.jobs.get(slot) else { return };
        let mut hub = lock(hub);
        match (status, job.attempt()) {
            (JobStatus::Starting, Some(a)) => {
                hub.notes.insert(
                    job.id(),
                    AttemptNote {
                        ce: a.ce,
                        // `attempts` counts attempts that reached RUNNING (CONTRACT 7.4): this
                        // STARTING one is the next.
                        attempt: job.attempts() + 1,
                        exit_code: a.plan.exit_code,
                        exits_at: None,
                    },
                );
            }
            (JobStatus::Running, Some(a)) => {
                let within = job.spec.timeout.is_none_or(|t| a.plan.runtime <= t);
                if let Some(n) = hub.notes.get_mut(&job.id()) {
                    n.exits_at = within.then(|| self.kernel.now + a.plan.runtime);
                }
            }
            _ => {}
        }
        let raw = JobEvent {
            time: self.kernel.now,
            job: job.id(),
            job_name: job.spec.name.to_string(),
            job_queue: self.queues[job.queue()].spec.name.clone(),
            status,
            status_reason: job.status_text().map(str::to_owned),
        };
        hub.deliver(&raw, false);
    }
}

/// A job in a queue snapshot (like GetJobQueueSnapshot's front of queue).
#[derive(Clone, Debug, PartialEq)]
pub struct SnapshotEntry {
    /// The job.
    pub job: JobId,
    /// Its share (fair-share queues).
    pub share_identifier: String,
    /// Its scheduling priority.
    pub scheduling_priority: u32,
}

impl Simulation {
    /// Checks an action for [`Simulation::apply`].
    pub(super) fn check_action(&self, action: &Action) -> Result<(), ApplyError> {
        self.check_open().map_err(|at| ApplyError::Ended { at })?;
        let kinds: Vec<_> = self.ces.iter().map(|c| c.spec.kind).collect();
        let fair: Vec<bool> = self.queues.iter().map(|q| q.spec.scheduling_policy.is_some()).collect();
        super::limits::check_action(action, &kinds, &fair, self.queues.policies().len())?;
        if let Action::UpdateComputeEnvironment {
            compute_environment,
            min_vcpus,
            max_vcpus,
            desired_vcpus,
            ..
        } = action
        {
            // The scenario loader makes the same walk over a file's timed updates
            // (`scenario/actions.rs`); here the current values are the compute environment's.
            let spec = &self.ces[*compute_environment].spec;
            super::limits::check_ce_limits((spec.min_vcpus, spec.max_vcpus), *min_vcpus, *max_vcpus, *desired_vcpus)?;
        }
        super::limits::consumable_action(action, self.consumable_count())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_escapes_control_characters() {
        assert_eq!(quote("a\nb\u{1b}[31m"), "`a\\nb\\u{1b}[31m`");
        assert_eq!(quote("plain-name"), "`plain-name`");
    }

    #[test]
    fn requests_are_checked_against_aws_limits() {
        let ok = SubmitJob::from_names("job-1", "q", "d", RuntimeModel::fixed(1.0));
        assert_eq!(ok.check(), Ok(()));
        let e = |r: SubmitJob| r.check().err().map(|e| e.to_string());
        assert_eq!(
            e(ok.clone().array(1)),
            Some("the array size must be from 2 to 10000, found 1".into())
        );
        assert!(e(ok.clone().array(10_000)).is_none());
        assert!(e(ok.clone().array(10_001)).is_some());
        assert_eq!(
            e(ok.clone().sequential()),
            Some("a SEQUENTIAL dependency applies to array jobs only".into())
        );
        let mut many = ok.clone();
        for i in 0..21 {
            many = many.depends_on(JobId::new(i));
        }
        assert_eq!(e(many), Some("a job can depend on at most 20 jobs, found 21".into()));
        assert_eq!(
            e(ok.clone().retry(RetryStrategy {
                attempts: u32::MAX,
                evaluate_on_exit: Vec::new()
            })),
            Some("retryStrategy.attempts must be from 1 to 10, found 4294967295".into())
        );
        assert_eq!(
            e(ok.clone().timeout(SimDuration::from_secs(59))),
            Some("the timeout must be at least 60 seconds, found 59 s".into())
        );
        assert!(e(ok.clone().priority(10_000)).is_some());
        assert_eq!(
            e(ok.clone().vcpus(f64::NAN)),
            Some("a job needs more than 0 vCPUs".into())
        );
        assert!(e(SubmitJob::from_names("a\nb", "q", "d", RuntimeModel::fixed(1.0)))
            .is_some_and(|m| m.starts_with("`a\\nb` is not a valid job name")));
        assert!(e(SubmitJob::from_names("", "q", "d", RuntimeModel::fixed(1.0))).is_some());
        assert_eq!(
            e(ok.clone().share("team a")),
            Some(
                "`team a` is not a valid share identifier (1 to 255 letters, numbers, hyphens and underscores)".into()
            )
        );
        assert!(e(ok.clone().share(&"s".repeat(256))).is_some());
        assert!(e(ok.clone().share("team-A_1")).is_none());
        assert!(e(SubmitJob::from_names("-a", "q", "d", RuntimeModel::fixed(1.0))).is_some());
        assert!(e(SubmitJob::from_names(
            &"a".repeat(129),
            "q",
            "d",
            RuntimeModel::fixed(1.0)
        ))
        .is_some());
        assert!(e(SubmitJob::from_names("a", "q", "d", RuntimeModel::fixed(f64::NAN))).is_some());
        assert!(e(SubmitJob::from_names("a", "q", "d", RuntimeModel::fixed(-1.0))).is_some());
    }
}
