//! Timed actions (UpdateComputeEnvironment, UpdateJobQueue, RegisterJobDefinition, ...), and
//! cancel/terminate, which the library API uses too.

use super::attempt::{AttemptEnd, Ending};
use super::dependencies::NameTarget;
use super::jobs::JobSlot;
use super::jobs::Reason;
use super::{QueuePolicy, Simulation};
use crate::model::{Action, JobId, JobStatus, QueueId};
use crate::policy::FairShare;

impl Simulation {
    pub(super) fn apply_action(&mut self, action: &Action) {
        let now = self.kernel.now;
        self.config_generation += 1;
        match action {
            Action::UpdateComputeEnvironment {
                compute_environment: ce,
                state,
                min_vcpus,
                max_vcpus,
                desired_vcpus,
            } => {
                self.integrate_max(*ce, now);
                let spec = &mut self.ces[*ce].spec;
                if let Some(s) = state {
                    spec.state = *s;
                }
                if let Some(m) = max_vcpus {
                    spec.max_vcpus = *m;
                }
                if let Some(m) = min_vcpus {
                    spec.min_vcpus = *m;
                }
                if let Some(d) = desired_vcpus {
                    spec.desired_vcpus = Some(*d);
                }
                if max_vcpus.is_some() {
                    let attached = self.ces[*ce].attached.clone();
                    for q in attached {
                        self.recompute_fit_counts(q);
                    }
                }
                self.capacity_update(*ce, min_vcpus.is_some() || desired_vcpus.is_some(), *desired_vcpus);
                self.capacity_changed(*ce);
            }
            Action::UpdateJobQueue {
                job_queue: q,
                state,
                priority,
                compute_environments,
                scheduling_policy,
                state_time_limit_actions,
            } => {
                let new_policy = scheduling_policy.map(|p| self.queues.policy(p).clone());
                let qr = &mut self.queues[*q];
                if let Some(s) = state {
                    qr.spec.state = *s;
                }
                if let Some(p) = priority {
                    qr.spec.priority = *p;
                }
                if let (Some(p), Some(policy)) = (scheduling_policy, new_policy) {
                    qr.spec.scheduling_policy = Some(*p);
                    // The new policy's shareDecaySeconds applies from now on; usage is kept.
                    qr.set.set_decay(Some(policy.share_decay), now);
                    qr.active.set_decay(Some(policy.share_decay));
                    qr.policy = QueuePolicy::FairShare(FairShare::new(policy));
                }
                if let Some(t) = state_time_limit_actions {
                    qr.spec.state_time_limit_actions = t.clone();
                }
                if let Some(c) = compute_environments {
                    qr.spec.compute_environments = c.clone();
                    qr.fit_counts = vec![0; c.len()];
                    self.recompute_fit_counts(*q);
                }
                // A new priority or compute environment list changes what the other queues
                // may do too (the `strict` rule, the order of the pass): all look again.
                for other in self.queues.ids() {
                    self.queues[other].stalled = false;
                }
                self.rebuild_queue_links();
                self.dispatch_needed = true;
            }
            Action::RegisterJobDefinition(def) => {
                self.definitions.register(def.clone());
            }
            Action::DeregisterJobDefinition(reference) => {
                if let Err(e) = self.definitions.deregister(reference) {
                    self.ledger.warnings.push(format!(
                        "deregisterJobDefinition at {now} s: {} is not an ACTIVE job definition ({e}); nothing changed",
                        super::api::quote(reference)
                    ));
                }
            }
            Action::CancelJob { job, reason } => {
                let targets = self.resolve_job_reference(job);
                if targets.is_empty() {
                    self.ledger
                        .warnings
                        .push(format!("cancelJob at {now} s: no live job `{job}`; nothing changed"));
                }
                self.end_targets(targets, reason, false);
            }
            Action::TerminateJob { job, reason } => {
                let targets = self.resolve_job_reference(job);
                if targets.is_empty() {
                    self.ledger
                        .warnings
                        .push(format!("terminateJob at {now} s: no live job `{job}`; nothing changed"));
                }
                self.end_targets(targets, reason, true);
            }
            Action::UpdateConsumableResource { resource, update } => self.update_consumable(*resource, *update),
        }
    }

    /// Recounts the RUNNABLE jobs of `q` each of its compute environments could ever fit (the
    /// `strict` rule), after what "could ever fit" depends on changed.
    pub(super) fn recompute_fit_counts(&mut self, q: QueueId) {
        if !self.strict_on {
            return;
        }
        let qr = &self.queues[q];
        let mut counts = vec![0u64; qr.spec.compute_environments.len()];
        for job in qr.set.view(self.kernel.now).jobs_in_submission_order() {
            for (k, fit) in self.fits_per_ce(q, JobSlot(job.slot)).into_iter().enumerate() {
                counts[k] += u64::from(fit);
            }
        }
        self.queues[q].fit_counts = counts;
    }

    /// The live jobs a CancelJob/TerminateJob `jobId` means: a job name (the latest earlier
    /// submission; an array name is every child), `name:i`, or a job id (`17`, `17:3`).
    fn resolve_job_reference(&self, reference: &str) -> Vec<JobSlot> {
        let (base, index) = match reference.rsplit_once(':') {
            Some((b, ix)) if ix.parse::<u32>().is_ok() => (b, ix.parse::<u32>().ok()),
            _ => (reference, None),
        };
        if let Ok(n) = base.parse::<u64>() {
            let id = JobId {
                submission: n,
                array_index: index,
            };
            if let Some(slot) = self.slot_of(id) {
                return vec![slot];
            }
            return self
                .jobs
                .iter()
                .filter(|(_, j)| index.is_none() && j.id().submission == n)
                .map(|(s, _)| s)
                .collect();
        }
        match self.jobs.names().get(base) {
            Some(NameTarget::Live(slot, id)) if index.is_none() => {
                self.jobs.get_if(slot, id).map(|_| vec![slot]).unwrap_or_default()
            }
            Some(NameTarget::Array(p)) => {
                let Some(parent) = self.jobs.array(p) else {
                    return Vec::new();
                };
                parent
                    .children
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| index.is_none_or(|ix| ix as usize == *i))
                    .filter_map(|(_, c)| c.ok())
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    /// CancelJob (or TerminateJob, `terminate`) of every job in `targets` (an array's
    /// children, or one job), as one request: the PENDING ones are asked first, then the
    /// others end, in job id order. AWS (CancelJob): "Batch attempts to cancel all child
    /// jobs", and a PENDING job is cancelled "after all dependency jobs are completed"; so a
    /// SEQUENTIAL child behind a cancelled one ends cancelled with the request's reason, not
    /// "Dependent job ... failed" (TerminateJob: "Jobs that have not progressed to the
    /// STARTING state are cancelled"). Child by child in job-table order, the first cancel
    /// failed the next child before the request reached it, and by id the outcome hung on
    /// where slots freed by earlier jobs were reused: found by an independent
    /// implementation.
    fn end_targets(&mut self, targets: Vec<JobSlot>, reason: &str, terminate: bool) {
        let mut targets: Vec<(JobId, JobSlot)> = targets
            .into_iter()
            .filter_map(|s| self.jobs.get(s).map(|j| (j.id(), s)))
            .collect();
        targets.sort_unstable();
        for &(id, slot) in &targets {
            if self
                .jobs
                .get_if(slot, id)
                .is_some_and(|j| j.status == JobStatus::Pending)
            {
                self.jobs.request_cancel(id, Reason::from(reason));
            }
        }
        for (id, slot) in targets {
            match self.jobs.get_if(slot, id).map(|j| j.status) {
                None | Some(JobStatus::Pending) => {}
                Some(_) if terminate => self.terminate(slot, reason),
                Some(_) => self.cancel(slot, reason),
            }
        }
    }

    /// CancelJob: SUBMITTED and RUNNABLE jobs end FAILED (cancelled) now; a PENDING job when
    /// all its dependencies have completed (AWS: "A PENDING job is cancelled after all
    /// dependency jobs are completed"); STARTING and RUNNING jobs are not affected (AWS). An
    /// array by name cancels each child so; the parent ends when they all have.
    pub(super) fn cancel(&mut self, slot: JobSlot, reason: &str) {
        let Some(job) = self.jobs.get(slot) else { return };
        if job.status == JobStatus::Pending {
            self.jobs.request_cancel(job.id(), Reason::from(reason));
            return;
        }
        if matches!(job.status, JobStatus::Submitted | JobStatus::Runnable) {
            self.finish_job(slot, JobStatus::Failed, Some(Reason::from(reason)), Ending::Cancelled);
            // A RUNNABLE job left its queue: a FIFO queue it blocked may move now (section 6:
            // a pass runs whenever something changes), at this instant.
            self.dispatch_needed = true;
        }
    }

    /// TerminateJob: like cancel, and STARTING/RUNNING attempts end (FAILED, not retried).
    pub(super) fn terminate(&mut self, slot: JobSlot, reason: &str) {
        let Some(job) = self.jobs.get(slot) else { return };
        match job.status {
            JobStatus::Starting | JobStatus::Running => {
                self.end_attempt(slot, AttemptEnd::Terminated(Reason::from(reason)))
            }
            _ => self.cancel(slot, reason),
        }
    }

    /// CancelJob by id through the library API: a SUBMITTED, PENDING or RUNNABLE job ends
    /// FAILED with `reason` (an array parent: every child); STARTING and RUNNING jobs go on,
    /// as on AWS. Returns whether `id` named a live job of this simulation (false after the
    /// clock reached `until`).
    pub fn cancel_job(&mut self, id: JobId, reason: &str) -> bool {
        self.job_call(id, |sim, targets| sim.end_targets(targets, reason, false))
    }

    /// TerminateJob by id through the library API: as [`Simulation::cancel_job`], and
    /// STARTING or RUNNING attempts end too (FAILED, not retried).
    pub fn terminate_job(&mut self, id: JobId, reason: &str) -> bool {
        self.job_call(id, |sim, targets| sim.end_targets(targets, reason, true))
    }

    fn job_call(&mut self, id: JobId, call: impl FnOnce(&mut Simulation, Vec<JobSlot>)) -> bool {
        if self.check_open().is_err() {
            return false;
        }
        let targets = self.resolve_job_reference(&id.to_string());
        let found = !targets.is_empty();
        call(self, targets);
        if found {
            self.resume();
        }
        found
    }

    /// Applies an action now (library API), as a timed action of the scenario would at this
    /// instant; a dispatch pass follows at the next [`Simulation::step`]. Ids are checked
    /// against this simulation and AWS's limits against the request (see
    /// [`super::ApplyError`]); nothing changes when the answer is an error.
    /// CancelJob/TerminateJob of no live job is not an error: as in a scenario, a warning in
    /// the report says that nothing changed.
    pub fn apply(&mut self, action: &Action) -> Result<(), super::ApplyError> {
        self.check_action(action)?;
        self.apply_action(action);
        self.kernel.events_processed += 1;
        self.resume();
        Ok(())
    }
}
