//! What a platform's run says of the jobs it cannot run: the jobs cancelled as never
//! runnable there, the Lambda timeouts, and the jobs that failed because one of those was a
//! job they depend on.
//!
//! AWS: "If any of the job dependencies fail, the dependent job automatically transitions
//! from PENDING to FAILED." (AWS Batch User Guide, Job dependencies.) The engine does so
//! (status reason `Dependent job ID failed`); a job `compare` cancels ends FAILED, so its
//! dependants fail too and never hang in PENDING.

use super::Platform;
use crate::model::lambda::REASON_LAMBDA_TIMEOUT;
use crate::report::JobRecord;
use std::collections::BTreeSet;

/// The start of the status reason of a job `compare` cancelled because its platform can
/// never run it.
pub const REASON_PREFIX: &str = "Cancelled by batchsim compare: ";

/// The status reason of a job `platform` can never run, `why` naming the size or feature.
pub(crate) fn cancel_reason(platform: Platform, why: &str) -> String {
    format!("{REASON_PREFIX}{} can never run this job ({why})", platform.title())
}

/// The jobs a platform cannot run.
#[derive(Clone, Debug, PartialEq)]
pub struct Impossible {
    /// `jobName` of each such job, in submission order.
    pub jobs: Vec<String>,
    /// Why, one sentence per distinct reason, joined by `; ` (empty when none).
    pub reason: String,
}

/// The jobs that failed because a job they depend on (directly or through others) is one the
/// platform cannot run.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct DependencyFailed {
    /// `jobName` of each, in submission order.
    pub jobs: Vec<String>,
}

/// Most distinct reasons listed (per-line trace sizes can make many); the rest are counted.
const MAX_REASONS: usize = 6;

/// Reads the records of a platform's run, one at a time in submission order (a record sink
/// keeps them off the heap): the impossible jobs (cancelled by `compare`, or cut at Lambda's
/// 900 s) with their reasons, and the dependants that failed because of them.
///
/// A job that ran although `platform` cannot hold its size is listed too (with that said in
/// the reason): batchsim's Fargate model runs a trace line of any size the compute
/// environment's `maxvCpus` allows, while AWS Fargate sells fixed task sizes.
#[derive(Debug)]
pub(crate) struct Outcomes {
    platform: Platform,
    jobs: Vec<String>,
    reasons: Vec<String>,
    others: usize,
    failed_ids: BTreeSet<String>,
    dependants: Vec<String>,
    timed_out: bool,
}

impl Outcomes {
    /// Nothing read yet.
    pub(crate) fn new(platform: Platform) -> Outcomes {
        Outcomes {
            platform,
            jobs: Vec::new(),
            reasons: Vec::new(),
            others: 0,
            failed_ids: BTreeSet::new(),
            dependants: Vec::new(),
            timed_out: false,
        }
    }

    /// Reads the next record (records come in submission order, so a job's dependencies
    /// are read before it).
    pub(crate) fn add(&mut self, r: &JobRecord) {
        let Outcomes {
            platform,
            jobs,
            reasons,
            others,
            failed_ids,
            dependants,
            timed_out,
        } = self;
        let reason = r.status_reason.as_deref().unwrap_or_default();
        let id = r.job_id.to_string();
        if let Some(rest) = reason.strip_prefix(REASON_PREFIX) {
            jobs.push(r.job_name.to_string());
            // "<Title> can never run this job (<why>)": the why, once.
            let why = rest
                .split_once(" (")
                .map_or(rest, |(_, w)| w.strip_suffix(')').unwrap_or(w))
                .to_owned();
            if !reasons.contains(&why) {
                if reasons.len() < MAX_REASONS {
                    reasons.push(why);
                } else {
                    *others += 1;
                }
            }
        } else if reason == REASON_LAMBDA_TIMEOUT {
            jobs.push(r.job_name.to_string());
            *timed_out = true;
        } else if let Some(dep) = reason
            .strip_prefix("Dependent job ")
            .and_then(|s| s.strip_suffix(" failed"))
        {
            if failed_ids.contains(dep) {
                dependants.push(r.job_name.to_string());
            } else {
                return;
            }
        } else if let Some(why) = platform.cannot_hold(&r.resources, false) {
            jobs.push(r.job_name.to_string());
            let why = format!("a `{}` job {why} (the simulation ran it as given)", r.job_definition);
            if !reasons.contains(&why) {
                if reasons.len() < MAX_REASONS {
                    reasons.push(why);
                } else {
                    *others += 1;
                }
            }
            return;
        } else {
            return;
        }
        // An array child makes its parent's id a failed dependency too.
        if let Some((parent, _)) = id.split_once(':') {
            failed_ids.insert(parent.to_owned());
        }
        failed_ids.insert(id);
    }

    /// What the records said.
    pub(crate) fn finish(self) -> (Impossible, DependencyFailed) {
        let mut reasons = self.reasons;
        if self.timed_out {
            reasons.insert(0, "ran past Lambda's 15-minute (900 s) limit".to_owned());
        }
        let mut reason = reasons.join("; ");
        if self.others > 0 {
            reason.push_str(&format!("; and {} other reason(s)", self.others));
        }
        (
            Impossible {
                jobs: self.jobs,
                reason,
            },
            DependencyFailed { jobs: self.dependants },
        )
    }
}
