//! The library API for programs that drive a simulation: submissions between steps, name
//! lookups, queue snapshots and an event observer.

use super::dependencies::DepTarget;
use super::jobs::JobSlot;
use super::{QueuePolicy, Simulation};
use crate::model::{CeId, JobId, JobStatus, QueueId, RetryStrategy};
use crate::policy::{Fifo, SchedulingPolicy};
use crate::time::SimDuration;
use crate::workload::{ArrayDependency, JobTemplate, ResourceOverrides, RuntimeModel};
use std::collections::BTreeMap;

/// The workload entry index of jobs submitted through the API.
pub(crate) const API_ENTRY: u32 = u32::MAX;

/// What an API submission adds to a [`JobTemplate`].
pub(crate) struct ApiSubmission {
    pub depends_on: Vec<(JobId, Option<ArrayDependency>)>,
    pub runtime: RuntimeModel,
}

/// A SubmitJob request made through the library, with the runtime model of its attempts.
///
/// ```
/// use batchsim::engine::SubmitJob;
/// use batchsim::workload::RuntimeModel;
///
/// let req = SubmitJob::new("render", "batch", "render-def", RuntimeModel::fixed(60.0))
///     .array(10)
///     .vcpus(2.0)
///     .parameter("scene", "city");
/// assert_eq!(req.array_size, Some(10));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SubmitJob {
    /// `jobName`.
    pub job_name: String,
    /// `jobQueue` (name or ARN).
    pub job_queue: String,
    /// `jobDefinition` (`name`, `name:rev` or ARN).
    pub job_definition: String,
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
}

impl SubmitJob {
    /// A submission of one job.
    pub fn new(job_name: &str, job_queue: &str, job_definition: &str, runtime: RuntimeModel) -> SubmitJob {
        SubmitJob {
            job_name: job_name.to_owned(),
            job_queue: job_queue.to_owned(),
            job_definition: job_definition.to_owned(),
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
        }
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

    /// Overrides the vCPUs.
    pub fn vcpus(mut self, vcpus: f64) -> Self {
        self.resources.millivcpus = Some((vcpus * 1000.0).round() as u32);
        self
    }

    /// Overrides the memory (MiB).
    pub fn memory_mib(mut self, mib: u32) -> Self {
        self.resources.memory_mib = Some(mib);
        self
    }

    /// Sets `schedulingPriorityOverride`.
    pub fn priority(mut self, p: u32) -> Self {
        self.scheduling_priority_override = Some(p);
        self
    }

    /// Overrides the timeout.
    pub fn timeout(mut self, t: SimDuration) -> Self {
        self.timeout = Some(t);
        self
    }

    /// Overrides the retry strategy.
    pub fn retry(mut self, r: RetryStrategy) -> Self {
        self.retry_strategy = Some(r);
        self
    }

    /// Sets a parameter (for `Ref::name` in the command).
    pub fn parameter(mut self, name: &str, value: &str) -> Self {
        self.parameters.insert(name.to_owned(), value.to_owned());
        self
    }
}

/// Why an API submission was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubmitError {
    /// No job queue has that name.
    #[error("unknown job queue `{0}`")]
    UnknownQueue(String),
    /// A dependency names no job the simulation knows.
    #[error(
        "dependency on unknown job {0} (a job that ended is remembered only when it was submitted through the API)"
    )]
    UnknownDependency(JobId),
    /// The request breaks a rule (size out of range, more than 20 dependencies, ...).
    #[error("{0}")]
    Invalid(String),
    /// AWS would refuse it now (queue DISABLED, unknown or inactive job definition, share rules, ...).
    #[error("{0}")]
    Refused(String),
}

/// One job state change, as an observer sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct JobEvent {
    /// When.
    pub time: crate::time::SimTime,
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
    /// Submits a job now. It is placed at the next [`Simulation::step`] (or
    /// [`Simulation::run_until`]), in the dispatch pass of the current instant.
    ///
    /// ```
    /// use batchsim::engine::SubmitJob;
    /// use batchsim::workload::RuntimeModel;
    /// use batchsim::{Options, Scenario, Simulation, SimTime};
    ///
    /// let scenario = Scenario::builder("api")
    ///     .fargate_compute_environment("ce", 4, 0.0)
    ///     .job_queue("q", 1, &["ce"])
    ///     .fargate_job_definition("d", 1.0, 2048)
    ///     .build()?;
    /// let mut sim = Simulation::new(&scenario, Options::default())?;
    /// let a = sim.submit(&SubmitJob::new("a", "q", "d", RuntimeModel::fixed(60.0))).unwrap();
    /// let b = sim.submit(&SubmitJob::new("b", "q", "d", RuntimeModel::fixed(30.0)).depends_on(a)).unwrap();
    /// sim.run_until(SimTime::from_millis(70_000));
    /// assert_eq!(sim.job_status(a), None, "a ended and was dropped");
    /// assert_eq!(sim.job_status(b), Some(batchsim::JobStatus::Running));
    /// # Ok::<(), batchsim::Error>(())
    /// ```
    pub fn submit(&mut self, req: &SubmitJob) -> Result<JobId, SubmitError> {
        let queue = self
            .queue_id(&req.job_queue)
            .ok_or_else(|| SubmitError::UnknownQueue(req.job_queue.clone()))?;
        if req.depends_on.len() > 20 {
            return Err(SubmitError::Invalid(format!(
                "a job can depend on at most 20 jobs, found {}",
                req.depends_on.len()
            )));
        }
        if let Some(n) = req.array_size {
            if !(2..=10_000).contains(&n) {
                return Err(SubmitError::Invalid(format!(
                    "array size must be from 2 to 10000, found {n}"
                )));
            }
        }
        let mut t = JobTemplate::new(req.job_name.clone(), queue, req.job_definition.clone());
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
        let plan = req.runtime.sample(&mut self.sources.api_runtimes);
        let api = ApiSubmission {
            depends_on: req.depends_on.clone(),
            runtime: req.runtime,
        };
        self.events_processed += 1;
        let id = self
            .submit_template(&t, API_ENTRY, plan, None, Some(&api))
            .map_err(|m| {
                if m.starts_with("unknown-dependency:") {
                    SubmitError::UnknownDependency(req.depends_on.iter().map(|d| d.0).next().unwrap_or(JobId::new(0)))
                } else {
                    SubmitError::Refused(m)
                }
            })?;
        self.dispatch_needed = true;
        Ok(id)
    }

    /// Resolves API dependencies by job id.
    pub(super) fn resolve_dependencies_by_id(
        &self,
        deps: &[(JobId, Option<ArrayDependency>)],
    ) -> Result<Vec<(DepTarget, Option<ArrayDependency>)>, String> {
        let mut out = Vec::new();
        for &(id, kind) in deps {
            let parent = self
                .arrays
                .parents
                .iter()
                .find(|(_, p)| p.id.submission == id.submission)
                .map(|(i, _)| *i);
            let target = match (id.array_index, parent) {
                (Some(i), Some(p)) => self.child_target(p, i),
                (None, Some(p)) if kind == Some(ArrayDependency::NToN) => DepTarget::Parent(p),
                (None, Some(p)) => self.parent_target(p),
                _ => match self.slot_of(id) {
                    Some(slot) => DepTarget::Job(slot, id),
                    None => match self.api_outcomes.get(&id) {
                        Some(true) => DepTarget::Met,
                        Some(false) => DepTarget::Failed(id),
                        None => return Err(format!("unknown-dependency: {id}")),
                    },
                },
            };
            out.push((target, kind));
        }
        Ok(out)
    }

    /// The id of a job queue by name (or ARN).
    pub fn queue_id(&self, name: &str) -> Option<QueueId> {
        let name = crate::scenario::arn_tail(name);
        self.queues
            .iter()
            .position(|q| q.spec.name == name)
            .map(|i| QueueId(i as u32))
    }

    /// The id of a compute environment by name (or ARN), for [`crate::model::Action`]s.
    pub fn compute_environment_id(&self, name: &str) -> Option<CeId> {
        let name = crate::scenario::arn_tail(name);
        self.ces
            .iter()
            .position(|c| c.spec.name == name)
            .map(|i| CeId(i as u32))
    }

    /// The state of a live job (`None` once it ended: finished jobs are not kept).
    pub fn job_status(&self, id: JobId) -> Option<JobStatus> {
        self.slot_of(id).and_then(|s| self.jobs.get(s)).map(|j| j.status)
    }

    /// The RUNNABLE jobs of a queue in the order its policy would dispatch them now, at most
    /// `limit` (AWS's GetJobQueueSnapshot shows the front of the queue). A fair-share queue's
    /// order accounts for each pick's vCPUs as the policy would.
    pub fn queue_snapshot(&self, queue: &str, limit: usize) -> Option<Vec<SnapshotEntry>> {
        let q = self.queue_id(queue)?;
        let qr = &self.queues[q.index()];
        let mut set = qr.set.clone();
        let mut out = Vec::new();
        while out.len() < limit {
            let view = set.view(self.now);
            let pick = match &qr.policy {
                QueuePolicy::Fifo => Fifo.pick(&view),
                QueuePolicy::FairShare(p) => p.pick(&view),
                QueuePolicy::Custom(p) => p.pick(&view),
            }
            .cloned();
            let Some(job) = pick else { break };
            set.remove_known(&job.share_identifier, job.scheduling_priority, job.id);
            set.add_held(&job.share_identifier, i64::from(job.resources.millivcpus), self.now);
            out.push(SnapshotEntry {
                job: job.id,
                share_identifier: job.share_identifier.to_string(),
                scheduling_priority: job.scheduling_priority,
            });
        }
        Some(out)
    }

    /// Calls `observer` at every job state change from now on (SUBMITTED, PENDING, RUNNABLE,
    /// STARTING, RUNNING, SUCCEEDED, FAILED).
    pub fn set_observer(&mut self, observer: impl FnMut(&JobEvent) + Send + 'static) {
        self.observer = Some(Box::new(observer));
    }

    /// Tells the observer, if any, that the job in `slot` entered `status`.
    pub(super) fn observe(&mut self, slot: JobSlot, status: JobStatus) {
        if self.observer.is_none() {
            return;
        }
        let Some(job) = self.jobs.get(slot) else { return };
        let event = JobEvent {
            time: self.now,
            job: job.id,
            job_name: job.spec.name.to_string(),
            job_queue: self.queues[job.queue.index()].spec.name.clone(),
            status,
            status_reason: job.status_reason.as_deref().map(str::to_owned),
        };
        if let Some(o) = self.observer.as_mut() {
            o(&event);
        }
    }
}
