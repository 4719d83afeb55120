//! Read-only hooks for `batchsim compare` (`crate::compare`): the blocked heads of the job
//! queues, so that a job the compared platform can never run can be cancelled as soon as it
//! reaches its queue's head (what a `jobStateTimeLimitActions` CANCEL entry does after its
//! `maxTimeSeconds`), and its dependants fail as AWS fails them.
//!
//! Additive only: nothing in the engine calls this file.

use super::Simulation;
use crate::model::{JobId, Resources};

/// A queue's blocked head that no compute environment of its queue can ever run.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct NeverRunnableHead {
    /// The job.
    pub job: JobId,
    /// Its queue's name.
    pub queue: String,
    /// Its job definition, `name:revision`.
    pub definition: String,
    /// What it needs (a multi-node job: the sum of its nodes, as the engine holds it).
    pub resources: Resources,
    /// It is a multi-node parallel job.
    pub multinode: bool,
}

impl Simulation {
    /// The blocked heads, one per queue at most, whose status reason says that no compute
    /// environment of their queue can ever run them (`MISCONFIGURATION:` reasons). O(queues).
    pub(crate) fn never_runnable_heads(&self) -> Vec<NeverRunnableHead> {
        let mut out = Vec::new();
        for q in self.queues.iter() {
            let Some((id, slot)) = q.head else { continue };
            let Some(job) = self.jobs.get_if(slot, id) else {
                continue;
            };
            if job.status != crate::model::JobStatus::Runnable {
                continue;
            }
            let never = job.status_text().is_some_and(|r| r.starts_with("MISCONFIGURATION:"));
            if !never {
                continue;
            }
            out.push(NeverRunnableHead {
                job: id,
                queue: q.spec.name.clone(),
                definition: job.spec.definition.to_string(),
                resources: job.resources(),
                multinode: job.spec.nodes.is_some(),
            });
        }
        out
    }
}
