//! Array jobs and dependencies: what a name or id in `dependsOn` means now, and the links
//! that make a dependent wait for (or fail with) the jobs it depends on.

use super::error::Refusal;
use super::jobs::{JobSlot, Reason, Waiter};
use super::Simulation;
use crate::model::{Action, JobId, TimedAction};
use crate::workload::{ArrayDependency, JobTemplate, WorkloadEntry};
use std::collections::{BTreeMap, BTreeSet};

/// What a referenced job name currently means.
#[derive(Clone, Copy, Debug)]
pub(crate) enum NameTarget {
    /// A single job, live in `slot`.
    Live(JobSlot, JobId),
    /// A single job that ended (true = succeeded).
    Ended(JobId, bool),
    /// An array job (parent index in the [`ArrayTable`]).
    Array(u32),
}

/// The latest job of each name that a dependency or an action refers to. Only referenced
/// names are tracked, so streams of millions of jobs cost nothing here.
#[derive(Clone, Default)]
pub(crate) struct NameIndex {
    referenced: BTreeSet<String>,
    latest: BTreeMap<String, NameTarget>,
}

impl NameIndex {
    pub fn new(workload: &[WorkloadEntry], actions: &[TimedAction]) -> NameIndex {
        let mut referenced = BTreeSet::new();
        let base = |s: &str| -> String {
            match s.rsplit_once(':') {
                Some((b, ix)) if ix.parse::<u32>().is_ok() => b.to_owned(),
                _ => s.to_owned(),
            }
        };
        for e in workload {
            let t = match e {
                WorkloadEntry::Submission { template, .. }
                | WorkloadEntry::Stream { template, .. }
                | WorkloadEntry::Trace { template, .. } => template,
            };
            for d in &t.depends_on {
                if !d.job.is_empty() {
                    referenced.insert(base(&d.job));
                }
            }
        }
        for a in actions {
            if let Action::CancelJob { job, .. } | Action::TerminateJob { job, .. } = &a.action {
                referenced.insert(base(job));
            }
        }
        NameIndex {
            referenced,
            latest: BTreeMap::new(),
        }
    }

    pub fn is_referenced(&self, name: &str) -> bool {
        !self.referenced.is_empty() && self.referenced.contains(name)
    }

    pub fn set(&mut self, name: &str, target: NameTarget) {
        self.latest.insert(name.to_owned(), target);
    }

    pub fn get(&self, name: &str) -> Option<NameTarget> {
        self.latest.get(name).copied()
    }
}

/// State of one array job's parent.
#[derive(Clone)]
pub(crate) struct ArrayParent {
    pub id: JobId,
    pub size: u32,
    pub ended: u32,
    pub failed: bool,
    /// Each child's slot while live, or its result once ended (true = succeeded).
    pub children: Vec<Result<JobSlot, bool>>,
    pub waiters: Vec<Waiter>,
}

/// Array parents, by index (a parent is dropped from memory when it ends and nothing refers
/// to it by name).
#[derive(Clone, Default)]
pub(crate) struct ArrayTable {
    pub parents: BTreeMap<u32, ArrayParent>,
    /// Each parent's index by its id's submission number: an ended child finds its parent
    /// from its own id (no link kept in every child: a `Box<Vec>` of one waiter was about 110
    /// bytes per array child).
    by_submission: BTreeMap<u64, u32>,
    next: u32,
}

impl ArrayTable {
    pub(super) fn insert(&mut self, p: ArrayParent) -> u32 {
        let i = self.next;
        self.next += 1;
        self.by_submission.insert(p.id.submission, i);
        self.parents.insert(i, p);
        i
    }

    /// The index of the parent whose id has submission number `submission`, while kept.
    pub(super) fn of_submission(&self, submission: u64) -> Option<u32> {
        self.by_submission.get(&submission).copied()
    }

    /// Drops parent `p`.
    pub(super) fn remove(&mut self, p: u32) {
        if let Some(parent) = self.parents.remove(&p) {
            self.by_submission.remove(&parent.id.submission);
        }
    }
}

/// CancelJob on a PENDING job: AWS "A PENDING job is cancelled after all dependency jobs are
/// completed" (CONTRACT 7.6). The request waits here, by job id, until the job leaves PENDING:
/// then it ends FAILED (cancelled, counted as cancelled) with the requested reason instead of
/// becoming RUNNABLE. A dependency that fails first ends it the same way (the cancel was asked
/// for before the failure reached it).
#[derive(Clone, Default)]
pub(crate) struct PendingCancels {
    reasons: BTreeMap<JobId, Reason>,
}

impl PendingCancels {
    /// Records a request; the first reason given is kept (later requests change nothing).
    pub fn request(&mut self, id: JobId, reason: Reason) {
        self.reasons.entry(id).or_insert(reason);
    }

    /// The reason of a request for job `id`, taken (cheap when there is none).
    pub fn take(&mut self, id: JobId) -> Option<Reason> {
        if self.reasons.is_empty() {
            return None;
        }
        self.reasons.remove(&id)
    }
}

/// A resolved dependency of a new job.
pub(super) enum DepTarget {
    Job(JobSlot, JobId),
    Parent(u32),
    Met,
    Failed(JobId),
}

impl Simulation {
    /// Resolves a workload submission's dependencies by name; `Err` names the first that
    /// was never submitted. `job_name` is the submission's (a trace line may rename it).
    pub(super) fn resolve_dependencies(
        &self,
        t: &JobTemplate,
        job_name: &str,
    ) -> Result<Vec<(DepTarget, Option<ArrayDependency>)>, Refusal> {
        let mut out = Vec::new();
        for d in &t.depends_on {
            if d.job.is_empty() {
                continue;
            }
            let (base, index) = match d.job.rsplit_once(':') {
                Some((b, ix)) if ix.parse::<u32>().is_ok() => (b, ix.parse::<u32>().ok()),
                _ => (d.job.as_str(), None),
            };
            let target = match (self.jobs.names().get(base), index) {
                (Some(NameTarget::Live(slot, id)), _) => DepTarget::Job(slot, id),
                (Some(NameTarget::Ended(id, ok)), _) => {
                    if ok {
                        DepTarget::Met
                    } else {
                        DepTarget::Failed(id)
                    }
                }
                (Some(NameTarget::Array(p)), Some(i)) => self.child_target(p, i),
                (Some(NameTarget::Array(p)), None) => {
                    if d.kind == Some(ArrayDependency::NToN) {
                        // Resolved per child in `attach_dependencies`.
                        out.push((DepTarget::Parent(p), d.kind));
                        continue;
                    }
                    self.parent_target(p)
                }
                // Validation guarantees an earlier submission in the file; when that one was
                // refused at run time (disabled queue, ...), AWS would refuse a dependency on
                // a job that does not exist.
                (None, _) => {
                    return Err(Refusal::DependencyNeverSubmitted {
                        job: job_name.to_owned(),
                        at: self.kernel.now,
                        dependency: base.to_owned(),
                    })
                }
            };
            out.push((target, d.kind));
        }
        Ok(out)
    }

    pub(super) fn child_target(&self, p: u32, i: u32) -> DepTarget {
        let Some(parent) = self.jobs.array(p) else {
            return DepTarget::Met;
        };
        match parent.children.get(i as usize) {
            Some(Ok(slot)) => DepTarget::Job(*slot, JobId::child(parent.id.submission, i)),
            Some(Err(true)) | None => DepTarget::Met,
            Some(Err(false)) => DepTarget::Failed(JobId::child(parent.id.submission, i)),
        }
    }

    pub(super) fn parent_target(&self, p: u32) -> DepTarget {
        match self.jobs.array(p) {
            Some(parent) if parent.ended < parent.size => DepTarget::Parent(p),
            Some(parent) if parent.failed => DepTarget::Failed(parent.id),
            _ => DepTarget::Met,
        }
    }

    pub(super) fn attach_dependencies(
        &mut self,
        slot: JobSlot,
        id: JobId,
        deps: &[(DepTarget, Option<ArrayDependency>)],
        child: Option<u32>,
    ) {
        for (target, kind) in deps {
            let t = match (target, kind, child) {
                (DepTarget::Parent(p), Some(ArrayDependency::NToN), Some(i)) => self.child_target(*p, i),
                (DepTarget::Parent(p), Some(ArrayDependency::NToN), None) => self.parent_target(*p),
                (DepTarget::Job(s, j), _, _) => DepTarget::Job(*s, *j),
                (DepTarget::Parent(p), _, _) => DepTarget::Parent(*p),
                (DepTarget::Met, _, _) => DepTarget::Met,
                (DepTarget::Failed(j), _, _) => DepTarget::Failed(*j),
            };
            self.wait_on(slot, id, t);
        }
    }

    pub(super) fn wait_on(&mut self, slot: JobSlot, id: JobId, target: DepTarget) {
        match target {
            DepTarget::Met => {}
            DepTarget::Failed(dep) => {
                self.jobs.add_unmet(slot);
                if let Some(j) = self.jobs.get_mut(slot) {
                    if j.status_reason().is_none() {
                        j.progress_mut().status_reason = Some(Reason::from(format!("Dependent job {dep} failed")));
                    }
                }
            }
            DepTarget::Job(s, dep_id) => {
                let live = self.jobs.get(s).is_some_and(|j| j.id() == dep_id);
                if live {
                    self.jobs.push_waiter(s, Waiter::Job(slot, id));
                    self.jobs.add_unmet(slot);
                }
            }
            DepTarget::Parent(p) => {
                if let Some(parent) = self.jobs.array_mut(p) {
                    parent.waiters.push(Waiter::Job(slot, id));
                    self.jobs.add_unmet(slot);
                }
            }
        }
    }
}
