//! The response-time question of `compare --response-seconds S`: the interactive or
//! request/response user whose jobs must start (or be done) within about S seconds of being
//! submitted. Per platform: the share of jobs that started RUNNING within S of their
//! submission, the share that ended (SUCCEEDED) within S, and whether the platform meets the
//! target (at least the required share started in time).
//!
//! What makes up a job's start latency in batchsim (none of it is a documented AWS figure):
//! - on Batch (Fargate, EC2): `simulation.submittedToRunnableSeconds` and the scheduler's
//!   cycle `simulation.schedulingIntervalSeconds` (AWS documents neither: "Queues are
//!   evaluated in cycles" is all the API model says), then Fargate's task start
//!   (`startupSeconds`, 30 s by default: the AWS Batch User Guide's "Fargate jobs start in
//!   about 30 s"), or on EC2 an instance launch (`instanceLaunchSeconds`) and the container's
//!   start (`startupSeconds`);
//! - on Lambda: a cold start (`simulation.lambda.coldStartSeconds`; AWS documents no figure)
//!   unless a warm execution environment is reused, and the concurrency and scaling limits.
//!   An invocation does not go through Batch's scheduler (see `derive`).

use crate::report::JobRecord;
use crate::time::SimDuration;

/// The target: start within `seconds` of submission, for at least `share` of the jobs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ResponseTarget {
    /// The response time, in milliseconds of virtual time.
    pub within: SimDuration,
    /// The share of jobs (0 to 1) that must start within it.
    pub share: f64,
}

impl ResponseTarget {
    /// A target of `seconds` (finite, not negative) for `share` (0 to 1) of the jobs; the
    /// error says which value is wrong.
    pub fn new(seconds: f64, share: f64) -> Result<ResponseTarget, String> {
        if !(share > 0.0 && share <= 1.0) {
            return Err(format!("--response-share must be above 0 and at most 1, found {share}"));
        }
        match SimDuration::from_secs_f64(seconds) {
            Some(within) => Ok(ResponseTarget { within, share }),
            None => Err(format!(
                "--response-seconds must be a finite number of seconds from 0, found {seconds}"
            )),
        }
    }
}

/// How one platform did against a [`ResponseTarget`].
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    /// The target.
    pub target: ResponseTarget,
    /// Jobs submitted (array children each count; an impossible job counts and never
    /// starts).
    pub jobs: u64,
    /// Of them, jobs whose (last) attempt was RUNNING within the target of submission.
    pub started: u64,
    /// Of them, jobs that SUCCEEDED within the target of submission.
    pub ended: u64,
    /// The largest start latency (RUNNING minus submission) of a job that started, seconds.
    pub max_start_seconds: Option<f64>,
}

impl Response {
    /// Reads the per-job records of a run.
    pub fn of(records: &[JobRecord], target: ResponseTarget) -> Response {
        let mut r = Response::new(target);
        records.iter().for_each(|j| r.add(j));
        r
    }

    /// No job read yet.
    pub(crate) fn new(target: ResponseTarget) -> Response {
        Response {
            target,
            jobs: 0,
            started: 0,
            ended: 0,
            max_start_seconds: None,
        }
    }

    /// Reads one job's record (the command line feeds them from a record sink as jobs end).
    pub(crate) fn add(&mut self, j: &JobRecord) {
        let target = self.target;
        self.jobs += 1;
        if let Some(s) = j.started_at {
            let latency = s.since(j.submitted_at);
            if latency <= target.within {
                self.started += 1;
            }
            let secs = latency.as_secs_f64();
            self.max_start_seconds = Some(self.max_start_seconds.map_or(secs, |m: f64| m.max(secs)));
        }
        let ok = j.status == crate::model::JobStatus::Succeeded;
        if let (true, Some(e)) = (ok, j.stopped_at) {
            if e.since(j.submitted_at) <= target.within {
                self.ended += 1;
            }
        }
    }

    /// Share of jobs started within the target (0 without jobs).
    pub fn started_share(&self) -> f64 {
        share(self.started, self.jobs)
    }

    /// Share of jobs done within the target (0 without jobs).
    pub fn ended_share(&self) -> f64 {
        share(self.ended, self.jobs)
    }

    /// Whether at least the target's share of the jobs started within it (false without
    /// jobs).
    pub fn meets(&self) -> bool {
        self.jobs > 0 && self.started as f64 >= self.target.share * self.jobs as f64 - 1e-9
    }
}

fn share(n: u64, of: u64) -> f64 {
    if of == 0 {
        0.0
    } else {
        n as f64 / of as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{JobId, JobStatus, Resources};
    use crate::time::SimTime;

    fn record(submitted: u64, started: Option<u64>, stopped: Option<u64>, status: JobStatus) -> JobRecord {
        JobRecord {
            job_id: JobId::new(1),
            job_name: "r".into(),
            job_queue: "q".into(),
            share_identifier: "".into(),
            job_definition: "d:1".into(),
            compute_environment: None,
            status,
            status_reason: None,
            attempts: u32::from(started.is_some()),
            resources: Resources::new(1.0, 2048),
            submitted_at: SimTime::from_millis(submitted),
            runnable_at: Some(SimTime::from_millis(submitted)),
            started_at: started.map(SimTime::from_millis),
            stopped_at: stopped.map(SimTime::from_millis),
            wait: None,
            command: Vec::new().into(),
            dispatched_at: started.map(SimTime::from_millis),
            exit_code: None,
            cost: 0.0,
        }
    }

    #[test]
    fn shares_count_starts_and_successes_within_the_target_inclusive() {
        let t = ResponseTarget::new(1.0, 0.75).expect("target");
        let rs = [
            record(0, Some(1_000), Some(1_800), JobStatus::Succeeded), // starts at exactly 1 s
            record(5_000, Some(5_000), Some(5_800), JobStatus::Succeeded),
            record(9_000, Some(10_001), Some(11_000), JobStatus::Succeeded), // 1.001 s: late
            record(9_000, None, Some(9_000), JobStatus::Failed),             // never started
        ];
        let r = Response::of(&rs, t);
        assert_eq!((r.jobs, r.started, r.ended), (4, 2, 1));
        assert_eq!(r.max_start_seconds, Some(1.001));
        assert_eq!(r.started_share(), 0.5);
        assert!(!r.meets(), "2 of 4 < 75%");
        assert!(Response::of(&rs[..2], t).meets());
        assert!(!Response::of(&[], t).meets(), "no jobs meet nothing");
        assert!(ResponseTarget::new(-0.5, 1.0).is_err());
    }
}
