//! What a decision may know of a job beyond its place in the queue: name, definition,
//! submission time and run-time estimates.

use super::QueuedJob;
use crate::model::{JobId, Resources};
use crate::time::{SimDuration, SimTime};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A job as a custom policy sees it: what [`QueuedJob`] carries plus what the engine knows
/// of the job's submission.
#[derive(Clone, Debug, PartialEq)]
pub struct JobInfo {
    /// The job's id; its submission order is the id order.
    pub id: JobId,
    /// `shareIdentifier` (empty on FIFO queues).
    pub share_identifier: Arc<str>,
    /// `schedulingPriority` (or `schedulingPriorityOverride`).
    pub scheduling_priority: u32,
    /// What the job needs.
    pub resources: Resources,
    /// `jobName`.
    pub name: Arc<str>,
    /// The job definition as `name:revision`.
    pub definition: Arc<str>,
    /// When the job was submitted.
    pub submitted_at: SimTime,
    /// The run time of the job's next attempt once RUNNING, when the engine knows it: the
    /// first attempt's run time is drawn at submission (from the workload's runtime model or
    /// the trace), so the engine knows it exactly. **This is an oracle**: a real scheduler
    /// does not know it (use [`JobInfo::requested_runtime`] for what a user declared). `None`
    /// for a retry (its run time is drawn when it starts). The attempt still ends at its
    /// timeout if that comes first.
    pub runtime_estimate: Option<SimDuration>,
    /// What a user declared: the job's timeout, or a trace's requested time (what EASY
    /// backfilling uses), if any.
    pub requested_runtime: Option<SimDuration>,
    /// Attempts of this job that reached RUNNING so far.
    pub attempts: u32,
}

impl JobInfo {
    /// The details of `job` alone: share, name and definition empty, submitted at 0, no
    /// estimates (for views built without the engine; fill the fields you test with).
    pub fn new(job: &QueuedJob) -> JobInfo {
        JobInfo {
            id: job.id,
            share_identifier: Arc::from(""),
            scheduling_priority: job.scheduling_priority,
            resources: job.resources,
            name: Arc::from(""),
            definition: Arc::from(""),
            submitted_at: SimTime::ZERO,
            runtime_estimate: None,
            requested_runtime: None,
            attempts: 0,
        }
    }

    /// The job definition's name (before `:revision`).
    pub fn definition_name(&self) -> &str {
        self.definition
            .rsplit_once(':')
            .map_or(&*self.definition, |(name, _)| name)
    }

    /// The job definition's revision, if the definition names one.
    pub fn definition_revision(&self) -> Option<u32> {
        self.definition.rsplit_once(':').and_then(|(_, r)| r.parse().ok())
    }
}

/// How an attempt told to [`super::JobPolicy::on_start`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttemptOutcome {
    /// Exit code 0: the job SUCCEEDED.
    Succeeded,
    /// The job FAILED (exit code, timeout, reclaim or termination, with no retry left).
    Failed,
    /// The attempt failed and the job is RUNNABLE again (its retry strategy retries it).
    Retried,
}

/// Where a [`super::QueueView`] finds a job's [`JobInfo`]: the engine's job table during a
/// run, or a map built by hand in a test.
pub trait JobDetails {
    /// The details of `job`, if known.
    fn details(&self, job: &QueuedJob) -> Option<JobInfo>;
}

impl JobDetails for BTreeMap<JobId, JobInfo> {
    fn details(&self, job: &QueuedJob) -> Option<JobInfo> {
        self.get(&job.id).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definition_splits_into_name_and_revision() {
        let mut info = JobInfo::new(&QueuedJob::new(JobId::new(1), Resources::new(1.0, 2048)));
        info.definition = Arc::from("render:3");
        assert_eq!(
            (info.definition_name(), info.definition_revision()),
            ("render", Some(3))
        );
        info.definition = Arc::from("plain");
        assert_eq!((info.definition_name(), info.definition_revision()), ("plain", None));
        let map: BTreeMap<JobId, JobInfo> = [(info.id, info.clone())].into();
        let other = QueuedJob::new(JobId::new(2), Resources::new(1.0, 2048));
        assert_eq!(map.details(&other), None);
        assert_eq!(
            map.details(&QueuedJob::new(JobId::new(1), Resources::new(1.0, 2048))),
            Some(info)
        );
    }
}
