//! SubmitJob: resolving a submission (cached per workload entry), creating the job or the
//! array's children, and settling it PENDING or RUNNABLE.

use super::api::ApiSubmission;
use super::dependencies::{ArrayParent, DepTarget, NameTarget};
use super::error::Refusal;
use super::jobs::{Estimate, Job, JobSlot, JobSpec};
use super::sources::{Prepared, Submission};
use super::Simulation;
use crate::model::job_definition::JobDefinitionId;
use crate::model::{JobId, JobStatus, Platform, QueueId, QueueState, Resources};
use crate::time::SimDuration;
use crate::workload::runtime::AttemptPlan;
use crate::workload::trace::TraceRecord;
use crate::workload::{ArrayDependency, JobTemplate};
use std::collections::BTreeMap;
use std::sync::Arc;

/// What each node of a multi-node job needs, by node index.
fn node_resources(m: &crate::model::job_definition::MultiNode) -> Arc<[Resources]> {
    (0..m.num_nodes)
        .map(|n| {
            m.ranges
                .iter()
                .find(|r| (r.from..=r.to).contains(&n))
                .map_or_else(Resources::default, |r| r.resources)
        })
        .collect()
}

/// Replaces `Ref::name` in each argument with the parameter's value: the submission's
/// `parameters` override the job definition's defaults (AWS). Longer names are replaced first,
/// so `Ref::input` does not eat the start of `Ref::inputFile`; unknown placeholders stay.
pub fn substitute_parameters(
    command: &[String],
    defaults: &BTreeMap<String, String>,
    given: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut params: Vec<(&String, &String)> = defaults
        .iter()
        .filter(|(k, _)| !given.contains_key(*k))
        .chain(given.iter())
        .collect();
    if params.is_empty() {
        return command.to_vec();
    }
    params.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(b.0)));
    command
        .iter()
        .map(|arg| {
            let mut out = arg.clone();
            for (name, value) in &params {
                out = out.replace(&format!("Ref::{name}"), value);
            }
            out
        })
        .collect()
}

/// Why a submission was refused (listed in the report's warnings, not counted).
pub(super) fn refusal(sim: &mut Simulation, message: String) {
    sim.ledger.rejected += 1;
    if sim.ledger.rejected <= super::attempt::MAX_LISTED_REJECTIONS {
        sim.ledger.warnings.push(message);
    }
}

/// What a submission resolved to besides its definition and share: the part of its
/// [`JobSpec`] a reused spec must match.
#[derive(Clone, Copy)]
struct SpecShape {
    queue: QueueId,
    resources: Resources,
    priority: u32,
}

impl Simulation {
    pub(super) fn submit_from_source(&mut self, sub: Submission) {
        let template = self.kernel.sources.entries[sub.entry as usize].template.clone();
        let plan = match &sub.record {
            Some(r) => AttemptPlan {
                runtime: SimDuration::from_millis(r.run_ms),
                exit_code: 0,
            },
            None => self.kernel.sources.first_plan(sub.entry, None),
        };
        if let Err(refused) = self.submit_template(&template, sub.entry, plan, sub.record.as_deref(), None) {
            refusal(self, refused.to_string());
        }
    }

    /// SubmitJob: creates the job (or array), resolves dependencies, makes it RUNNABLE or
    /// PENDING. Returns the id, or why the submission was refused. `api` carries what a
    /// library submission adds: dependencies by job id and its own runtime model.
    pub(super) fn submit_template(
        &mut self,
        t: &JobTemplate,
        entry: u32,
        plan: AttemptPlan,
        record: Option<&TraceRecord>,
        api: Option<&ApiSubmission>,
    ) -> Result<JobId, Refusal> {
        let now = self.kernel.now;
        // A stream's submissions all resolve the same way until an action changes the
        // configuration: resolve once, reuse (no per-job lookups or allocations).
        let cacheable = record.is_none() && api.is_none();
        let cached = match self
            .kernel
            .sources
            .entries
            .get(entry as usize)
            .and_then(|e| e.prepared.as_ref())
        {
            Some((generation, p)) if cacheable && *generation == self.config_generation => Some(p.clone()),
            _ => None,
        };
        let prepared = match cached {
            Some(p) => p,
            None => {
                let p = self.prepare(t, entry, record, api)?;
                if cacheable {
                    if let Some(e) = self.kernel.sources.entries.get_mut(entry as usize) {
                        e.prepared = Some((self.config_generation, p.clone()));
                    }
                }
                p
            }
        };
        let Prepared { mut spec, fair } = prepared;
        let queue = spec.queue;
        if let Some(r) = record.filter(|_| t.array_size.is_none()) {
            // A trace line's requested time is its job's estimate: the line's spec is its
            // own (not cached), so it is changed in place.
            let requested = r.estimate_ms.map(SimDuration::from_millis);
            let own = Arc::get_mut(&mut spec);
            debug_assert!(own.is_some(), "a trace line's job spec is shared");
            if let Some(s) = own {
                s.estimate = Estimate::new(requested.or(s.estimate.get()));
            }
        }
        // Borrowed from the spec (no reference counting on the hot path).
        let job_name: &str = &spec.name;
        let share: &str = &spec.share;
        let qr = &self.queues[queue];
        if qr.spec.state == QueueState::Disabled {
            return Err(Refusal::QueueDisabled {
                queue: qr.spec.name.clone(),
                job: job_name.to_owned(),
                at: now,
            });
        }
        let inactive = !qr.active.is_active(spec.share_ix as usize, now);
        if fair && inactive && qr.active.count_at(now) >= super::attempt::MAX_ACTIVE_SHARES {
            return Err(Refusal::TooManyShares {
                queue: qr.spec.name.clone(),
                job: job_name.to_owned(),
                share: share.to_owned(),
            });
        }
        let deps = match api {
            Some(a) => self.resolve_dependencies_by_id(&a.depends_on)?,
            None => self.resolve_dependencies(t, job_name)?,
        };
        let submission = self.jobs.take_submission_number();

        match t.array_size {
            None => {
                let id = JobId::new(submission);
                let slot = self.create_job(id, &spec, plan);
                if self.jobs.names().is_referenced(job_name) {
                    self.jobs.names_mut().set(job_name, NameTarget::Live(slot, id));
                }
                self.attach_dependencies(slot, id, &deps, None);
                self.settle_new_job(slot);
                Ok(id)
            }
            Some(size) => {
                let parent_id = JobId::new(submission);
                let p = self.jobs.insert_array(ArrayParent {
                    id: parent_id,
                    size,
                    ended: 0,
                    failed: false,
                    children: Vec::with_capacity(size as usize),
                    waiters: Vec::new(),
                });
                if self.jobs.names().is_referenced(job_name) {
                    self.jobs.names_mut().set(job_name, NameTarget::Array(p));
                }
                let sequential = t
                    .depends_on
                    .iter()
                    .any(|d| d.job.is_empty() && d.kind == Some(ArrayDependency::Sequential));
                let mut slots = Vec::with_capacity(size as usize);
                for i in 0..size {
                    let child_plan = if i == 0 {
                        plan
                    } else {
                        self.kernel.sources.first_plan(entry, api.map(|a| &a.runtime))
                    };
                    let id = JobId::child(submission, i);
                    // The child finds its parent from its id when it ends (`finish_job`).
                    let slot = self.create_job(id, &spec, child_plan);
                    if let Some(parent) = self.jobs.array_mut(p) {
                        parent.children.push(Ok(slot));
                    }
                    self.attach_dependencies(slot, id, &deps, Some(i));
                    if sequential && i > 0 {
                        let prev: JobSlot = slots[i as usize - 1];
                        self.wait_on(slot, id, DepTarget::Job(prev, JobId::child(submission, i - 1)));
                    }
                    slots.push(slot);
                }
                for slot in slots {
                    self.settle_new_job(slot);
                }
                Ok(parent_id)
            }
        }
    }

    /// Resolves what a submission of template `t` means now: queue, job definition revision,
    /// resources, share, priority and the shared job spec.
    pub(super) fn prepare(
        &mut self,
        t: &JobTemplate,
        entry: u32,
        record: Option<&TraceRecord>,
        api: Option<&ApiSubmission>,
    ) -> Result<Prepared, Refusal> {
        let now = self.kernel.now;
        let queue = match record.and_then(|r| r.job_queue.as_deref()) {
            Some(name) => match self
                .queues
                .iter()
                .position(|q| q.spec.name == crate::model::arn_tail(name))
            {
                Some(q) => QueueId(q as u32),
                None => {
                    return Err(Refusal::TraceQueue {
                        line: record.map_or(0, |r| r.line),
                        queue: name.to_owned(),
                    });
                }
            },
            None => t.job_queue,
        };
        let job_name: Arc<str> = match record.and_then(|r| r.job_name.as_deref()) {
            Some(n) => Arc::from(n),
            None => Arc::from(t.job_name.as_str()),
        };
        let qr = &self.queues[queue];
        let def_id = match self.definitions.resolve(&t.job_definition) {
            Ok(id) => id,
            Err(reason) => {
                return Err(Refusal::JobDefinition {
                    definition: t.job_definition.clone(),
                    at: now,
                    reason,
                    job: job_name.to_string(),
                });
            }
        };
        let def = self.definitions.get(def_id);
        let mut resources = t.resource_overrides.apply(def.resources);
        if let Some(m) = &def.multinode {
            // A multi-node job holds the sum of its nodes.
            resources = node_resources(m).iter().fold(Resources::default(), |a, n| Resources {
                millivcpus: a.millivcpus.saturating_add(n.millivcpus),
                memory_mib: a.memory_mib.saturating_add(n.memory_mib),
                gpus: a.gpus.saturating_add(n.gpus),
            });
        }
        if let Some(r) = record {
            resources.millivcpus = r.millivcpus;
            if let Some(m) = r.memory_mib {
                resources.memory_mib = u32::try_from(m).unwrap_or(u32::MAX);
            }
        }
        let fargate_queue = qr
            .spec
            .compute_environments
            .first()
            .is_some_and(|c| match self.ces[*c].spec.kind {
                // A LAMBDA queue runs ECS job definitions of either platform.
                k if k.is_lambda() => def.platform == Platform::Fargate,
                k => k.is_fargate(),
            });
        let eks_queue = qr
            .spec
            .compute_environments
            .first()
            .is_some_and(|c| self.ces[*c].spec.eks);
        if (fargate_queue != (def.platform == Platform::Fargate) || eks_queue != (def.platform == Platform::Eks))
            && record.is_none()
        {
            return Err(Refusal::Platform {
                definition: def.name_revision(),
                queue: qr.spec.name.clone(),
                job: job_name.to_string(),
            });
        }
        let fair = qr.spec.scheduling_policy.is_some();
        let share: Arc<str> = match (
            record
                .and_then(|r| r.share_identifier.as_deref())
                .or(t.share_identifier.as_deref()),
            fair,
        ) {
            (Some(s), true) => Arc::from(s),
            (None, false) => Arc::from(""),
            (None, true) => {
                return Err(Refusal::ShareMissing {
                    queue: qr.spec.name.clone(),
                    job: job_name.to_string(),
                });
            }
            (Some(_), false) => {
                return Err(Refusal::ShareOnFifo {
                    queue: qr.spec.name.clone(),
                    job: job_name.to_string(),
                });
            }
        };
        let priority = if fair {
            t.scheduling_priority_override.unwrap_or(def.scheduling_priority)
        } else {
            0
        };
        let per_record = record.is_some() || api.is_some();
        let shape = SpecShape {
            queue,
            resources,
            priority,
        };
        let mut spec = self.spec_for(entry, def_id, t, job_name, share, shape, per_record);
        if let Some(a) = api {
            if let Some(s) = Arc::get_mut(&mut spec) {
                s.runtime = Some(a.runtime);
            }
        }
        Ok(Prepared { spec, fair })
    }

    /// The spec of a submission from workload entry `entry`: the entry's last one when it
    /// resolved the same way (definition, share, queue, resources, priority), else a new one
    /// (always a new one for a trace line or an API submission: `per_record`).
    #[allow(clippy::too_many_arguments)]
    fn spec_for(
        &mut self,
        entry: u32,
        def_id: JobDefinitionId,
        t: &JobTemplate,
        name: Arc<str>,
        share: Arc<str>,
        shape: SpecShape,
        per_record: bool,
    ) -> Arc<JobSpec> {
        if !per_record {
            if let Some((d, spec)) = &self.kernel.sources.entries[entry as usize].spec {
                if *d == def_id
                    && spec.share == share
                    && spec.queue == shape.queue
                    && spec.resources == shape.resources
                    && spec.priority == shape.priority
                {
                    return spec.clone();
                }
            }
        }
        let share_ix = self.intern_share(&share);
        let def = self.definitions.get(def_id);
        let spec = Arc::new(JobSpec {
            name,
            queue: shape.queue,
            resources: shape.resources,
            priority: shape.priority,
            share,
            share_ix,
            retry: t.retry_strategy.clone().unwrap_or_else(|| def.retry_strategy.clone()),
            timeout: t.timeout.or(def.timeout),
            estimate: Estimate::new(t.timeout.or(def.timeout)),
            definition: Arc::from(def.name_revision()),
            command: substitute_parameters(
                t.command.as_ref().unwrap_or(&def.command),
                &def.parameters,
                &t.parameters,
            )
            .into(),
            entry,
            nodes: def.multinode.as_ref().map(node_resources),
            runtime: None,
            architecture: def.cpu_architecture,
            consumables: if def.consumable_resources.is_empty() && t.consumable_override.is_empty() {
                Box::default()
            } else {
                crate::model::merge_consumable_override(&def.consumable_resources, &t.consumable_override).into()
            },
        });
        if !per_record {
            self.kernel.sources.entries[entry as usize].spec = Some((def_id, spec.clone()));
        }
        spec
    }

    /// The run's number of a share identifier (`u32::MAX` for none), numbering new ones.
    fn intern_share(&mut self, share: &Arc<str>) -> u32 {
        let (ix, new) = self.queues.share_number(share, self.ledger.share_count());
        if new {
            self.ledger.share_added(ix, share.clone());
        }
        ix
    }

    fn create_job(&mut self, id: JobId, spec: &Arc<JobSpec>, plan: AttemptPlan) -> JobSlot {
        let queue = spec.queue;
        let now = self.kernel.now;
        // A job replaying a history (its own recorded attempts, an array child's included)
        // runs them at dispatch; a decision's run time estimate is its first one's time.
        let replayed = match self.kernel.sources.replaying {
            true => self.kernel.sources.replay_plan(spec.entry, id.array_index, 0),
            false => None,
        };
        let plan = replayed.unwrap_or(plan);
        self.ledger.submitted(queue, spec.share_ix);
        if spec.share_ix != u32::MAX && self.queues[queue].active.job_added(spec.share_ix as usize, now) {
            self.share_back_before_expiry(queue);
        }
        let slot = self.jobs.insert(Job::new(id, spec.clone(), plan, now));
        if let Some(r) = self.ledger.recorder.as_mut() {
            let row = r.admit(slot);
            self.jobs.set_row(slot, row);
        }
        slot
    }

    /// A new job: fails at once when a dependency already failed, else PENDING or RUNNABLE
    /// (after `submittedToRunnableSeconds`, when set: `latency.rs`).
    fn settle_new_job(&mut self, slot: JobSlot) {
        if self.observer.is_some() {
            self.observe(slot, JobStatus::Submitted);
        }
        if !self.defer_evaluation(slot) {
            self.evaluate_submitted(slot);
        }
    }

    /// The scheduler's evaluation of a SUBMITTED job.
    pub(super) fn evaluate_submitted(&mut self, slot: JobSlot) {
        let Some(job) = self.jobs.get(slot) else { return };
        if job.status != JobStatus::Submitted {
            return;
        }
        if let Some(reason) = job.status_reason().cloned() {
            // A dependency had already failed when this job was submitted.
            self.finish_job(slot, JobStatus::Failed, Some(reason), super::attempt::Ending::Failed);
        } else if self.jobs.unmet(slot) > 0 {
            if let Some(j) = self.jobs.get_mut(slot) {
                j.status = JobStatus::Pending;
            }
            self.observe(slot, JobStatus::Pending);
        } else {
            self.make_runnable(slot);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::substitute_parameters;
    use std::collections::BTreeMap;

    #[test]
    fn ref_placeholders_take_submission_values_over_defaults() {
        let cmd: Vec<String> = [
            "ffmpeg",
            "-i",
            "Ref::inputfile",
            "-c",
            "Ref::codec",
            "out-Ref::codec.mp4",
            "Ref::missing",
        ]
        .map(String::from)
        .to_vec();
        let defaults = BTreeMap::from([
            ("codec".to_string(), "mp4".to_string()),
            ("inputfile".to_string(), "in.mov".to_string()),
        ]);
        let given = BTreeMap::from([("codec".to_string(), "h265".to_string())]);
        assert_eq!(
            substitute_parameters(&cmd, &defaults, &given),
            ["ffmpeg", "-i", "in.mov", "-c", "h265", "out-h265.mp4", "Ref::missing"]
        );
        let prefix = BTreeMap::from([
            ("in".to_string(), "A".to_string()),
            ("input".to_string(), "B".to_string()),
        ]);
        assert_eq!(
            substitute_parameters(&["Ref::input/Ref::in".to_string()], &prefix, &BTreeMap::new()),
            ["B/A"]
        );
    }
}
