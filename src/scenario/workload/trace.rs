//! Trace entries checked up front: each trace file is read through once while the scenario is
//! validated (so `validate` and every command that loads a scenario see the same problems),
//! and every line the run could not use is a problem at the entry's JSON path
//! (`workload[i].trace`), naming the file and the line: unreadable lines, and CSV rows whose
//! job queue, share identifier, job name or job definition cannot be used.
//!
//! Traces are read one after the other, each closed before the next is opened.

use super::super::ctx::{is_valid_name, is_valid_share_identifier, Ctx};
use crate::model::arn_tail;
use crate::model::{ComputeEnvironmentType, JobQueue, Platform};
use crate::suggest::{quote, suggest};
use crate::workload::trace::{self, TraceError, TraceFormat, TraceRecord};
use crate::workload::JobTemplate;
use std::path::Path;

/// What a row of a trace is checked against: the scenario's queues and the entry's template.
pub(super) struct RowRules<'a> {
    /// Job queue names, in file order (a queue id is a position here).
    pub queue_names: &'a [String],
    /// The job queues (`None` where a queue was invalid).
    pub queues: &'a [Option<JobQueue>],
    /// The kind of each compute environment (`None` where one was invalid).
    pub ce_kinds: &'a [Option<ComputeEnvironmentType>],
    /// The entry's `submitJob` template, when it is valid (its queue known).
    pub template: Option<&'a JobTemplate>,
    /// The platform of the template's job definition, when known.
    pub platform: Option<Platform>,
}

impl RowRules<'_> {
    fn queue(&self, index: usize) -> Option<&JobQueue> {
        self.queues.get(index).and_then(Option::as_ref)
    }

    /// Whether a queue's compute environments are Fargate ones (`None` if unknown).
    fn fargate(&self, queue: &JobQueue) -> Option<bool> {
        let first = queue.compute_environments.first()?;
        self.ce_kinds
            .get(first.index())
            .copied()
            .flatten()
            .map(ComputeEnvironmentType::is_fargate)
    }

    /// What is wrong with a row, if anything.
    pub(super) fn check(&self, r: &TraceRecord) -> Option<String> {
        if let Some(name) = &r.job_name {
            if !is_valid_name(name) {
                return Some(format!(
                    "jobName: {} is not a valid name (1 to 128 letters, numbers, hyphens and underscores)",
                    quote(name)
                ));
            }
        }
        if let Some(share) = &r.share_identifier {
            if !is_valid_share_identifier(share, false) {
                return Some(format!(
                    "shareIdentifier: {} is not a valid share identifier (1 to 255 letters, numbers, hyphens and underscores)",
                    quote(share)
                ));
            }
        }
        let template = self.template?;
        let index = match &r.job_queue {
            None => template.job_queue.index(),
            Some(name) => match self.queue_names.iter().position(|n| n == arn_tail(name)) {
                Some(i) => i,
                None => {
                    let hint = suggest(arn_tail(name), self.queue_names.iter().map(String::as_str))
                        .map(|s| format!("; did you mean {}?", quote(s)))
                        .unwrap_or_default();
                    return Some(format!("jobQueue: unknown job queue {}{hint}", quote(name)));
                }
            },
        };
        let queue = self.queue(index)?;
        let share = r.share_identifier.as_ref().or(template.share_identifier.as_ref());
        match (queue.scheduling_policy.is_some(), share) {
            (true, None) => {
                return Some(format!(
                    "no shareIdentifier: job queue {} has a fair-share scheduling policy (give the row a shareIdentifier, or the entry's submitJob one)",
                    quote(&queue.name)
                ));
            }
            (false, Some(s)) => {
                let whose = if r.share_identifier.is_some() {
                    "the row's"
                } else {
                    "the submitJob template's"
                };
                return Some(format!(
                    "shareIdentifier {} ({whose}): job queue {} is FIFO (no scheduling policy); AWS refuses a shareIdentifier there",
                    quote(s),
                    quote(&queue.name)
                ));
            }
            _ => {}
        }
        // The template's own queue was checked against its definition already.
        if index != template.job_queue.index() {
            let clash = match (self.fargate(queue), self.platform) {
                (Some(true), Some(Platform::Ec2 | Platform::Eks)) => Some(("EC2", "Fargate")),
                (Some(false), Some(Platform::Fargate)) => Some(("FARGATE", "EC2")),
                _ => None,
            };
            if let Some((platform, kind)) = clash {
                return Some(format!(
                    "jobQueue: job definition {} is for {platform} but job queue {} has {kind} compute environments",
                    quote(&template.job_definition),
                    quote(&queue.name)
                ));
            }
        }
        None
    }
}

/// Reads the trace of entry `p` (`workload[i]`) through and reports its problems: an open
/// failure at `p.trace.path`, everything else at `p.trace`. Returns how many of its lines
/// submit a job.
pub(super) fn check_trace(ctx: &mut Ctx, p: &str, path: &Path, format: TraceFormat, rules: &RowRules<'_>) -> u64 {
    let found = trace::check(path, format, |r| rules.check(r));
    if let Some(TraceError::Open { reason, .. }) = &found.fatal {
        ctx.err(
            format!("{p}.trace.path"),
            format!(
                "cannot read trace file {}: {reason} (paths are relative to the scenario file)",
                quote(&path.display().to_string()),
            ),
        );
        return 0;
    }
    for message in found.messages(path) {
        ctx.err(format!("{p}.trace"), message);
    }
    found.records
}
