//! A job's way through RUNNABLE, STARTING, RUNNING and its end: dispatch, timers, retries,
//! terminal states, and what every step adds to the metrics.

use super::event::Event;
use super::jobs::{Attempt, Job, JobSlot, JobSpec, Reason, Waiter};
use super::ledger::AttemptUse;
use super::rooms::Rooms;
use super::Simulation;
use crate::model::instance_catalog::Architecture;
use crate::model::{CeId, ComputeEnvironment, JobId, JobStatus, QueueId, Resources};
use crate::policy::QueuedJob;
use crate::time::{SimDuration, SimTime};
use std::collections::VecDeque;

/// Refused submissions listed one by one in the warnings; past this a summary line counts
/// the rest.
pub(crate) const MAX_LISTED_REJECTIONS: u64 = 10_000;
/// AWS: at most 500 active share identifiers per fair-share queue.
pub(crate) const MAX_ACTIVE_SHARES: usize = 500;

/// The status reason of every container exit.
pub const REASON_EXITED: &str = "Essential container in task exited";
/// The status reason of a timed-out attempt.
pub const REASON_TIMEOUT: &str = "Job attempt duration exceeded timeout";
/// The status reason of a Fargate Spot reclaim.
pub const REASON_FARGATE_SPOT: &str = "Your Spot Task was interrupted.";

/// How a job ended, for the counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ending {
    Succeeded,
    Failed,
    Cancelled,
}

/// How an attempt ended.
#[derive(Clone, Debug)]
pub(crate) enum AttemptEnd {
    /// The container exited with this code.
    Exited(i32),
    /// `attemptDurationSeconds` passed.
    TimedOut,
    /// Spot reclaim (status reason given).
    Reclaimed(Reason),
    /// TerminateJob (reason given).
    Terminated(Reason),
    /// A replayed history attempt's recorded end: its exit code (none when the container
    /// did not exit, e.g. its host was terminated) and status reason.
    Recorded {
        /// `container.exitCode`.
        exit_code: Option<i32>,
        /// `statusReason`.
        reason: Reason,
    },
}

/// What accounting needs of a job's spec (copied: no reference count on the hot path).
#[derive(Clone, Copy)]
struct JobKeys {
    share_ix: u32,
    architecture: crate::model::instance_catalog::Architecture,
}

impl JobKeys {
    fn of(spec: &JobSpec) -> JobKeys {
        JobKeys {
            share_ix: spec.share_ix,
            architecture: spec.architecture,
        }
    }
}

/// Fargate bills from dispatch to the end of the attempt, rounded up to the second, with a
/// one-minute minimum; Spot at the discount.
pub(crate) fn fargate_cost(ce: &ComputeEnvironment, r: &Resources, arch: Architecture, billed: SimDuration) -> f64 {
    fargate_bill(fargate_rate(ce, r, arch), billed)
}

/// A task's Fargate price per hour in `ce` and the Spot factor: what [`fargate_bill`] needs.
/// `ARM64` tasks pay the Linux/ARM rates (`prices.arm64VcpuHour`, `prices.arm64GbHour`).
pub(crate) fn fargate_rate(ce: &ComputeEnvironment, r: &Resources, arch: Architecture) -> (f64, f64) {
    let (vcpu_hour, gb_hour) = match arch {
        Architecture::Arm64 => (ce.prices.arm64_vcpu_hour, ce.prices.arm64_gb_hour),
        _ => (ce.prices.vcpu_hour, ce.prices.gb_hour),
    };
    let per_hour = r.vcpus() * vcpu_hour + r.memory_gb() * gb_hour;
    let factor = if ce.kind.is_spot() {
        1.0 - ce.prices.spot_discount
    } else {
        1.0
    };
    (per_hour, factor)
}

/// The bill of `billed` time at a [`fargate_rate`].
pub(crate) fn fargate_bill((per_hour, factor): (f64, f64), billed: SimDuration) -> f64 {
    // Whole seconds fit an i64 (times stop near 2^50 ms); i64 -> f64 is one instruction.
    let secs = billed.as_millis().div_ceil(1000).max(60) as i64 as f64;
    secs / 3600.0 * per_hour * factor
}

impl Simulation {
    /// Puts a job (new, released from PENDING, or retried) in its queue's RUNNABLE set.
    pub(super) fn make_runnable(&mut self, slot: JobSlot) {
        let now = self.kernel.now;
        let Some(job) = self.jobs.live_mut(slot) else { return };
        job.status = JobStatus::Runnable;
        job.runnable_at.set_if_none(now);
        if self.observer.is_some() {
            self.observe(slot, JobStatus::Runnable);
        }
        self.enter_runnable_set(slot);
    }

    /// Puts a RUNNABLE job in its queue's RUNNABLE set (in its place by submission).
    pub(super) fn enter_runnable_set(&mut self, slot: JobSlot) {
        if self.strict_on {
            let Some(q) = self.jobs.live(slot).map(|j| j.queue()) else {
                return;
            };
            self.count_fits(q, slot, true);
        }
        let Some(job) = self.jobs.live(slot) else { return };
        let queued = QueuedJob {
            id: job.id(),
            scheduling_priority: job.priority(),
            resources: job.resources(),
            share: 0,
            slot: slot.0,
        };
        let q = job.queue();
        // `job` borrows the job table, `qr` the queues: disjoint, no clone of the share needed.
        let qr = &mut self.queues[q];
        qr.set.insert_keyed(&job.spec.share, queued, job.spec.share_ix);
        // A FIFO queue resting on a blocked head stays at rest when a job joins behind the
        // head: the head is the same and no capacity freed, so the pass would fail on it
        // again. A job older than the head (a retry, a released dependent) becomes the head
        // and wakes the queue; a backfilling queue looks past its head, so it always wakes.
        let behind_head = qr.stalled
            && matches!(qr.policy, super::QueuePolicy::Fifo)
            && qr.spec.backfill == crate::model::Backfill::None
            && qr.backfill_policy.0.is_none()
            && qr.set.first_submitted().is_some_and(|j| j.slot != slot.0);
        qr.stalled &= behind_head;
        self.dispatch_needed = true;
        self.backfill_index_insert(slot);
    }

    /// For each compute environment of queue `q`, in order: could it ever run the job?
    pub(super) fn fits_per_ce(&self, q: QueueId, slot: JobSlot) -> Vec<bool> {
        let Some(job) = self.jobs.get(slot) else {
            return Vec::new();
        };
        self.queues[q]
            .spec
            .compute_environments
            .iter()
            .map(|ce| self.ce_could_ever_run(*ce, job))
            .collect()
    }

    /// Keeps the `strict` rule's counts of RUNNABLE jobs each compute environment could ever
    /// fit: `joining` the queue or leaving it. When a count drops to zero, the queues below
    /// may use that compute environment again.
    fn count_fits(&mut self, q: QueueId, slot: JobSlot, joining: bool) {
        let Some(job) = self.jobs.live(slot) else { return };
        let ces = &self.ces;
        let qr = &mut self.queues[q];
        let mut emptied = Vec::new();
        for (k, ce) in qr.spec.compute_environments.iter().enumerate() {
            if !ces[*ce].could_ever_run(job) {
                continue;
            }
            if joining {
                qr.fit_counts[k] += 1;
            } else {
                qr.fit_counts[k] = qr.fit_counts[k].saturating_sub(1);
                if qr.fit_counts[k] == 0 {
                    emptied.push(*ce);
                }
            }
        }
        for ce in emptied {
            let c = &self.ces[ce];
            if c.spec.queue_priority == crate::model::QueuePriorityMode::Strict || c.cross_queue.0.is_some() {
                self.capacity_changed(ce);
            }
        }
    }

    /// Takes a job out of its queue's RUNNABLE set (dispatched or cancelled).
    pub(super) fn leave_runnable(&mut self, slot: JobSlot) {
        let Some(job) = self.jobs.live_mut(slot) else { return };
        job.clear_head_since();
        let (q, id, priority) = (job.queue(), job.id(), job.priority());
        let set = &mut self.queues[q].set;
        if set
            .remove_at(set.share_of_key(job.spec.share_ix), priority, id)
            .is_none()
        {
            return;
        }
        self.backfill_index_remove(q, id);
        if self.strict_on {
            self.count_fits(q, slot, false);
        }
        let qr = &mut self.queues[q];
        qr.stalled = false;
        if qr.head.is_some_and(|(h, _)| h == id) {
            // The blocked head leaves (cancelled, or placed outside its queue's turn).
            qr.head = None;
            self.drop_head_timers(q);
        }
        let qr = &self.queues[q];
        if qr.active.has_wake() && qr.set.is_empty() {
            self.drop_share_wake(q);
        }
    }

    /// Starts an attempt of a RUNNABLE job on `ce`: STARTING now, RUNNING after the
    /// compute environment's startup time.
    pub(super) fn dispatch(&mut self, slot: JobSlot, ce: CeId, rooms: Rooms) {
        let now = self.kernel.now;
        if self.consumables.is_some() {
            self.take_consumables(slot, true);
        }
        self.leave_runnable(slot);
        if self.backfill_on {
            if let Some(q) = self.jobs.get(slot).map(Job::queue) {
                self.reservations_may_move(q, ce);
            }
        }
        let claimed = self.jobs.get_mut(slot).and_then(Job::take_claim).is_some();
        let placement = self
            .ledger
            .attempt_sink
            .is_some()
            .then(|| self.placement_of(ce, &rooms));
        let attempt_id = self.jobs.take_attempt_id();
        // The boxed part of the job, from here on until the job ends (a reused box).
        let Some(p) = self.jobs.progress_mut(slot) else { return };
        p.dispatches += 1;
        // The job row's CE and `startedAt` come from one attempt (CONTRACT 7.4): the last
        // to reach RUNNING, or while none has, the latest dispatch.
        if p.attempts == 0 {
            p.last_ce = Some(ce);
        }
        let first = p.first_dispatch.is_none();
        if first {
            p.first_dispatch.set(now);
        }
        let (attempts, replayed) = (p.attempts, p.replayed);
        let Some(job) = self.jobs.live_mut(slot) else { return };
        job.status = JobStatus::Starting;
        // `attempts` counts attempts that reached RUNNING (CONTRACT 7.4): the first to get
        // there uses the plan drawn at submission.
        // A job replaying a history runs its recorded attempts in turn (the replay hook).
        let replay = if self.kernel.sources.replaying {
            self.kernel
                .sources
                .replay_plan(job.spec.entry, job.id().array_index, replayed)
        } else {
            None
        };
        let plan = match replay {
            Some(plan) => plan,
            None if attempts == 0 => job.first_plan(),
            None => self
                .kernel
                .sources
                .retry_plan(job.spec.entry, job.first_plan(), job.spec.runtime.as_ref()),
        };
        let Some(job) = self.jobs.live_mut(slot) else { return };
        if first {
            let wait = now.since(job.runnable_at.get().unwrap_or(now)).as_millis();
            self.ledger.waited(job.queue(), job.spec.share_ix, wait);
        }
        let (q, mv) = (job.queue(), u64::from(job.resources().millivcpus));
        let c = &mut self.ces[ce];
        c.used_millivcpus += mv;
        let startup = c.start_latency(&job.resources(), now, &mut self.kernel.events);
        let fargate_spot = c.spec.kind == crate::model::ComputeEnvironmentType::FargateSpot;
        let rate = c.spec.interruptions_per_hour;
        let reclaim_in = (fargate_spot && rate > 0.0).then(|| c.draw_reclaim(rate));
        let qr = &mut self.queues[q];
        if !claimed {
            qr.held_on_ce[ce.index()] += mv;
        }
        // `job` borrows the job table, `qr` the queues: disjoint, no clone of the share needed.
        qr.set
            .add_held_at(qr.set.share_of_key(job.spec.share_ix), mv as i64, now);
        self.ledger.started(ce);
        let instance_rate = self.ces[ce].pool.as_ref().map_or(0.0, |p| p.attributed_rate(&rooms));
        // The instances the attempt makes busy below: one job, one instance, kept without a
        // copy of the rooms (the attempt takes them); a multi-node job's are copied.
        let (first, more) = match &rooms[..] {
            [] => (None, Vec::new()),
            [(i, _)] => (Some(*i), Vec::new()),
            [(i, _), rest @ ..] => (Some(*i), rest.iter().map(|r| r.0).collect()),
        };
        let mut attempt = Attempt {
            id: attempt_id,
            ce,
            instance_rate,
            placement,
            rooms,
            dispatched_at: now,
            running_at: None,
            plan,
            events: [None, None],
        };
        let timeout = job.spec.timeout;
        if let Some(d) = reclaim_in {
            let runs = timeout.map_or(plan.runtime, |t| t.min(plan.runtime));
            if d < startup + runs {
                attempt.events[1] = Some(self.kernel.schedule(
                    now + d,
                    Event::TaskReclaimed {
                        slot,
                        attempt: attempt_id,
                    },
                ));
            }
        }
        if let Some(p) = self.jobs.progress_mut(slot) {
            p.attempt = Some(attempt);
        }
        self.notify_start(q, slot, ce);
        for i in first.into_iter().chain(more) {
            self.instance_busy(ce, i, slot, attempt_id);
        }
        if self.backfill_on {
            self.ces[ce].attempts.insert(slot.0);
        }
        if let Some(r) = self.jobs.get(slot).and_then(|j| j.reserved_at().get()) {
            if now > r {
                self.ledger.reservation_misses += 1;
            }
        }
        if self.observer.is_some() {
            self.observe(slot, JobStatus::Starting);
        }
        if startup.is_zero() {
            self.start_running(slot);
        } else {
            let key = self.kernel.schedule(
                now + startup,
                Event::TaskRunning {
                    slot,
                    attempt: attempt_id,
                },
            );
            if let Some(a) = self.jobs.get_mut(slot).and_then(Job::attempt_mut) {
                a.events[0] = Some(key);
            }
        }
    }

    fn start_running(&mut self, slot: JobSlot) {
        let now = self.kernel.now;
        let Some(job) = self.jobs.live_mut(slot) else { return };
        let timeout = job.spec.timeout;
        let Some(ce) = job.attempt().map(|a| a.ce) else { return };
        let timeout = self.ces[ce].attempt_limit(timeout);
        job.status = JobStatus::Running;
        let p = job.progress_mut();
        // AWS: "placed into the RUNNING state that's considered an attempt".
        p.attempts += 1;
        p.started_at.set(now);
        p.last_ce = Some(ce);
        if let Some(a) = p.attempt.as_mut() {
            a.running_at = Some(now);
        }
        if self.observer.is_some() {
            self.observe(slot, JobStatus::Running);
        }
        let Some(a) = self.jobs.live_mut(slot).and_then(Job::attempt_mut) else {
            return;
        };
        // A run equal to the timeout succeeds.
        let (after, timed_out) = match timeout {
            Some(t) if a.plan.runtime > t => (t, true),
            _ => (a.plan.runtime, false),
        };
        let id = a.id;
        a.events[0] = Some(self.kernel.schedule(
            now + after,
            Event::AttemptEnd {
                slot,
                attempt: id,
                timed_out,
            },
        ));
    }

    /// The live job in `slot` if its current attempt is `attempt`; the event's key is
    /// consumed.
    fn attempt_of(&mut self, slot: JobSlot, attempt: u64, key_index: usize) -> bool {
        match self.jobs.get_mut(slot).and_then(Job::attempt_mut) {
            Some(a) if a.id == attempt => {
                a.events[key_index] = None;
                true
            }
            _ => false,
        }
    }

    pub(super) fn task_running(&mut self, slot: JobSlot, attempt: u64) {
        if self.attempt_of(slot, attempt, 0) {
            self.start_running(slot);
        }
    }

    pub(super) fn attempt_timer(&mut self, slot: JobSlot, attempt: u64, timed_out: bool) {
        if !self.attempt_of(slot, attempt, 0) {
            return;
        }
        if !timed_out && self.kernel.sources.replaying {
            if let Some(end) = self.recorded_end(slot) {
                self.end_attempt(slot, end);
                return;
            }
        }
        let code = self
            .jobs
            .get(slot)
            .and_then(Job::attempt)
            .map_or(0, |a| a.plan.exit_code);
        self.end_attempt(
            slot,
            if timed_out {
                AttemptEnd::TimedOut
            } else {
                AttemptEnd::Exited(code)
            },
        );
    }

    /// A replayed attempt reached its recorded end: how it ends (its recorded exit code and
    /// status reason; the timeout's reason ends it as a timeout, which AWS does not retry),
    /// and the job's count of replayed attempts moves on. `None` unless the job replays a
    /// history.
    fn recorded_end(&mut self, slot: JobSlot) -> Option<AttemptEnd> {
        let job = self.jobs.live_mut(slot)?;
        let recorded = self.kernel.sources.recorded(job.spec.entry, job.id().array_index)?;
        let a = crate::workload::RecordedAttempt::pick(recorded, usize::from(job.replayed()))?;
        let p = job.progress_mut();
        p.replayed = p.replayed.saturating_add(1);
        let reason = a.status_reason.as_deref();
        Some(match (a.exit_code, reason) {
            (_, Some(REASON_TIMEOUT)) | (_, Some(crate::model::lambda::REASON_LAMBDA_TIMEOUT)) => AttemptEnd::TimedOut,
            (Some(code), None | Some(REASON_EXITED)) => AttemptEnd::Exited(code),
            (code, _) => AttemptEnd::Recorded {
                exit_code: code,
                reason: a
                    .status_reason
                    .clone()
                    .map_or(Reason::Static(REASON_EXITED), Reason::Text),
            },
        })
    }

    pub(super) fn task_reclaimed(&mut self, slot: JobSlot, attempt: u64) {
        if !self.attempt_of(slot, attempt, 1) {
            return;
        }
        if let Some(ce) = self.jobs.get(slot).and_then(Job::attempt).map(|a| a.ce) {
            self.ledger.interrupted(ce);
        }
        self.end_attempt(slot, AttemptEnd::Reclaimed(Reason::Static(REASON_FARGATE_SPOT)));
    }

    /// Accounts an attempt's use of its compute environment up to `until` (RUNNING time;
    /// Fargate bill from dispatch).
    ///
    /// The attempt's cost goes to its queue and share: on Fargate the task's bill, on EC2 and
    /// SPOT the instances' price for the time the attempt held them (dispatch to end) times
    /// its share of their vCPUs; what the instances cost beyond that is the CE's idle cost.
    fn account_attempt(&mut self, a: &Attempt, q: QueueId, job: JobKeys, r: &Resources, until: SimTime) -> f64 {
        let JobKeys { share_ix, architecture } = job;
        let ce = &self.ces[a.ce];
        let running_ms = a.running_at.map_or(0, |run| until.since(run).as_millis());
        let held = until.since(a.dispatched_at);
        let task_billed = !ce.spec.kind.has_instances();
        let cost = if ce.spec.kind.is_fargate() {
            fargate_cost(&ce.spec, r, architecture, held)
        } else if ce.spec.kind.is_lambda() {
            super::lambda::lambda_cost(&ce.spec, r, architecture, held)
        } else {
            held.as_millis() as f64 / 3_600_000.0 * a.instance_rate
        };
        self.ledger.attempt_used(AttemptUse {
            ce: a.ce,
            queue: q,
            share_ix,
            millivcpus: u64::from(r.millivcpus),
            running_ms,
            task_billed,
            cost,
        });
        cost
    }

    /// The instances of `rooms` on `ce`, as the attempt table names them.
    fn placement_of(&self, ce: CeId, rooms: &[(u32, Resources)]) -> Box<(Vec<String>, Vec<String>)> {
        let pool = self.ces[ce].pool.as_ref();
        let types = rooms
            .iter()
            .map(|(id, _)| {
                pool.and_then(|p| {
                    p.instances
                        .get(id)
                        .map(|i| p.types[i.type_index].instance_type.name.to_string())
                })
                .unwrap_or_default()
            })
            .collect();
        let ids = rooms
            .iter()
            .map(|(id, _)| super::ec2::Pool::instance_name(ce.0, *id))
            .collect();
        Box::new((ids, types))
    }

    /// Sends an attempt's row to the attempt sink (when one is set).
    #[allow(clippy::too_many_arguments)]
    fn emit_attempt(
        &mut self,
        slot: JobSlot,
        a: &Attempt,
        stopped: Option<SimTime>,
        status: JobStatus,
        exit_code: Option<i32>,
        reason: Option<&str>,
        cost: f64,
    ) {
        let Some(job) = self.jobs.live(slot) else { return };
        let record = crate::report::AttemptRecord {
            job_id: job.id(),
            job_name: job.spec.name.to_string(),
            attempt: job.dispatches(),
            job_queue: self.queues[job.queue()].spec.name.clone(),
            share_identifier: job.spec.share.to_string(),
            compute_environment: self.ces[a.ce].spec.name.clone(),
            instance_ids: a.placement.as_ref().map(|p| p.0.clone()).unwrap_or_default(),
            instance_types: a.placement.as_ref().map(|p| p.1.clone()).unwrap_or_default(),
            dispatched_at: a.dispatched_at,
            started_at: a.running_at,
            stopped_at: stopped,
            status,
            exit_code,
            status_reason: reason.map(str::to_owned),
            cost,
        };
        if let Some(sink) = self.ledger.attempt_sink.as_mut() {
            sink(record);
        }
    }

    /// Ends the current attempt: releases capacity, accounts it, then retries or finishes the
    /// job.
    pub(super) fn end_attempt(&mut self, slot: JobSlot, how: AttemptEnd) {
        let now = self.kernel.now;
        let Some(job) = self.jobs.live_mut(slot) else { return };
        let Some(a) = job.progress_if_any().and_then(|p| p.attempt.take()) else {
            return;
        };
        let (q, r, retry_left) = (job.queue(), job.resources(), job.attempts());
        for key in a.events.iter().flatten() {
            self.kernel.events.cancel_pending(*key);
        }
        let mv = u64::from(r.millivcpus);
        self.ces[a.ce].used_millivcpus -= mv;
        self.ces[a.ce].task_released(&r, now);
        let qr = &mut self.queues[q];
        qr.held_on_ce[a.ce.index()] -= mv;
        // The queue's share usage R changed: a fair-share pick is made again, even where the
        // attempt ran on a compute environment the queue no longer lists (after an
        // `updateJobQueue`), which `capacity_changed` below does not wake it for.
        qr.stalled = false;
        let Some(job) = self.jobs.live(slot) else { return };
        qr.set
            .add_held_at(qr.set.share_of_key(job.spec.share_ix), -(mv as i64), now);
        let keys = JobKeys::of(&job.spec);
        let cost = self.account_attempt(&a, q, keys, &r, now);
        for (i, room) in &a.rooms {
            self.instance_attempt_ended(a.ce, *i, room, a.id);
        }
        if self.backfill_on {
            self.ces[a.ce].attempts.remove(&slot.0);
        }
        if self.consumables.is_some() {
            self.give_back_consumables(slot, true);
        }
        self.capacity_changed(a.ce);
        let Some(job) = self.jobs.live(slot) else { return };
        let retry = |reason: &str, code: Option<i32>| job.spec.retry.should_retry(retry_left, reason, "", code);
        let (status, reason, requeue) = match &how {
            AttemptEnd::Exited(0) => (JobStatus::Succeeded, Reason::Static(REASON_EXITED), false),
            AttemptEnd::Exited(code) => (
                JobStatus::Failed,
                Reason::Static(REASON_EXITED),
                retry(REASON_EXITED, Some(*code)),
            ),
            AttemptEnd::TimedOut => (
                JobStatus::Failed,
                Reason::Static(self.ces[a.ce].timeout_reason(job.spec.timeout)),
                false,
            ),
            AttemptEnd::Reclaimed(reason) => (JobStatus::Failed, reason.clone(), retry(reason, None)),
            AttemptEnd::Terminated(reason) => (JobStatus::Failed, reason.clone(), false),
            AttemptEnd::Recorded {
                exit_code: Some(0),
                reason,
            } => (JobStatus::Succeeded, reason.clone(), false),
            AttemptEnd::Recorded { exit_code, reason } => {
                (JobStatus::Failed, reason.clone(), retry(reason, *exit_code))
            }
        };
        let code = match how {
            AttemptEnd::Exited(code) => Some(code),
            AttemptEnd::Recorded { exit_code, .. } => exit_code,
            _ => None,
        };
        if let Some(p) = self.jobs.progress_mut(slot) {
            p.exit_code = code;
            p.cost += cost;
        }
        if self.ledger.attempt_sink.is_some() {
            self.emit_attempt(slot, &a, Some(now), status, code, Some(&reason), cost);
        }
        self.notify_end(q, slot, requeue, status);
        if requeue {
            if let Some(j) = self.jobs.get_mut(slot) {
                j.progress_mut().status_reason = Some(reason);
            }
            self.make_runnable(slot);
        } else {
            let ending = if status == JobStatus::Succeeded {
                Ending::Succeeded
            } else {
                Ending::Failed
            };
            self.finish_job(slot, status, Some(reason), ending);
        }
    }

    /// Ends a job (and, in turn, its dependents when it failed): terminal state, counters,
    /// waiters, record, slot freed.
    pub(super) fn finish_job(&mut self, slot: JobSlot, status: JobStatus, reason: Option<Reason>, ending: Ending) {
        // Dependents that fail in turn are queued; the common case (no dependents) allocates
        // nothing.
        let mut first = Some((slot, status, reason, ending));
        let mut work = VecDeque::new();
        while let Some((slot, status, reason, ending)) = first.take().or_else(|| work.pop_front()) {
            if self.jobs.get(slot).is_some_and(|j| j.status == JobStatus::Runnable) {
                self.leave_runnable(slot);
                self.release_claim(slot);
                if self.consumables.is_some() {
                    self.forget_consumable_waits(slot);
                }
            }
            let now = self.kernel.now;
            let Some(job) = self.jobs.get_mut(slot) else {
                continue;
            };
            job.status = status;
            let mut waiters = self.jobs.take_waiters(slot);
            if let Some(p) = self.jobs.progress_mut(slot) {
                p.stopped_at.set(now);
                if reason.is_some() {
                    p.status_reason = reason;
                }
            }
            // The job is read in place and its slot freed at the end (no copy of the job).
            let Some(job) = self.jobs.get(slot) else { continue };
            let (job_id, array_index) = (job.id(), job.id().array_index);
            if count_end(&mut self.ledger, self.queues.as_mut_slice(), job, now, ending) {
                self.dispatch_needed = true;
            }
            let ok = status == JobStatus::Succeeded;
            let api = job.spec.entry == super::api::API_ENTRY;
            if let Some(o) = self.observer.as_mut() {
                o(&super::api::JobEvent {
                    time: now,
                    job: job_id,
                    job_name: job.spec.name.to_string(),
                    job_queue: self.queues[job.queue()].spec.name.clone(),
                    status: job.status,
                    status_reason: job.status_text().map(str::to_owned),
                });
            }
            // A name a dependency or an action refers to now means the ended job (unless a
            // later job of that name took it); an array's name keeps meaning the array.
            let named = self.jobs.names().is_referenced(&job.spec.name);
            let rename = named
                && matches!(self.jobs.names().get(&job.spec.name),
                    Some(super::dependencies::NameTarget::Live(_, id)) if id == job_id);
            // An ended array is kept while something can still ask for it (JobStore::array_ended).
            let keep_array = named || api || self.ledger.recorder.is_some();
            if rename {
                let name = job.spec.name.clone();
                self.jobs
                    .names_mut()
                    .set(&name, super::dependencies::NameTarget::Ended(job_id, ok));
            }
            if api {
                self.jobs.record_api_outcome(job_id, ok);
            }
            let Some(job) = self.jobs.get(slot) else { continue };
            if let Some(recorder) = self.ledger.recorder.as_mut() {
                let row = self.jobs.row(slot);
                let (queues, ces) = (&self.queues, &self.ces);
                recorder.finished_with(
                    row,
                    || super::job_row::record_of(queues, ces, job),
                    |r| super::job_row::fill_record(queues, ces, job, r),
                );
            }
            self.jobs.free(slot);
            let mut done_id = job_id;
            let mut done_ok = ok;
            // An array child's parent comes last, after the jobs waiting on the child itself
            // (as if it were the first waiter the child was given, at its submission).
            let mut parent = array_index.and_then(|_| self.jobs.array_index_of_submission(job_id.submission));
            while let Some(w) = waiters.pop().or_else(|| parent.take().map(Waiter::Parent)) {
                match w {
                    Waiter::Parent(p) => {
                        let Some(parent) = self.jobs.array_mut(p) else {
                            continue;
                        };
                        if let Some(i) = array_index {
                            if let Some(c) = parent.children.get_mut(i as usize) {
                                *c = Err(ok);
                            }
                        }
                        parent.ended += 1;
                        parent.failed |= !ok;
                        if parent.ended == parent.size {
                            done_id = parent.id;
                            done_ok = !parent.failed;
                            waiters.extend(std::mem::take(&mut parent.waiters));
                            self.jobs.array_ended(p, keep_array);
                        }
                    }
                    Waiter::Job(s, id) => {
                        // SUBMITTED: a later child of the array being submitted right now (a
                        // SEQUENTIAL child whose predecessor just failed at submission).
                        let Some(dep) = self
                            .jobs
                            .get_mut(s)
                            .filter(|d| d.id() == id && matches!(d.status, JobStatus::Pending | JobStatus::Submitted))
                        else {
                            continue;
                        };
                        if done_ok {
                            let pending = dep.status == JobStatus::Pending;
                            // A SUBMITTED job is settled by its submission.
                            if self.jobs.met_one(s) == 0 && pending {
                                match self.jobs.take_cancel(id) {
                                    Some(r) => work.push_back((s, JobStatus::Failed, Some(r), Ending::Cancelled)),
                                    None => self.make_runnable(s),
                                }
                            }
                        } else {
                            work.push_back(match self.jobs.take_cancel(id) {
                                Some(r) => (s, JobStatus::Failed, Some(r), Ending::Cancelled),
                                None => (
                                    s,
                                    JobStatus::Failed,
                                    Some(Reason::from(format!("Dependent job {done_id} failed"))),
                                    Ending::Failed,
                                ),
                            });
                        }
                    }
                }
            }
        }
    }

    /// At the end of the run: attempts still running are accounted up to `end`, `maxvCpus`
    /// integrated to `end`.
    pub(super) fn close_books(&mut self, end: SimTime) {
        let mut live: Vec<(Attempt, QueueId, JobKeys, Resources, JobSlot)> = self
            .jobs
            .iter()
            .filter_map(|(slot, j)| {
                j.attempt()
                    .cloned()
                    .map(|a| (a, j.queue(), JobKeys::of(&j.spec), j.resources(), slot))
            })
            .collect();
        // In dispatch order: the sums do not depend on where jobs sit in the job table.
        live.sort_by_key(|(a, ..)| a.id);
        for (a, q, keys, r, slot) in live {
            let cost = self.account_attempt(&a, q, keys, &r, end);
            if let Some(p) = self.jobs.progress_mut(slot) {
                p.cost += cost;
            }
            if self.ledger.attempt_sink.is_some() {
                let status = if a.running_at.is_some() {
                    JobStatus::Running
                } else {
                    JobStatus::Starting
                };
                self.emit_attempt(slot, &a, None, status, None, None, cost);
            }
        }
        for c in self.ces.ids() {
            self.integrate_max(c, end);
        }
        self.close_capacity(end);
        let extra = self.kernel.sources.warnings();
        self.ledger.warnings.extend(extra);
        if self.ledger.rejected > MAX_LISTED_REJECTIONS {
            self.ledger.warnings.push(format!(
                "... and {} more refused submissions ({} in all)",
                self.ledger.rejected - MAX_LISTED_REJECTIONS,
                self.ledger.rejected
            ));
        }
    }

    /// Looks up a live job by id (actions and the library API; O(live jobs)).
    pub(super) fn slot_of(&self, id: JobId) -> Option<JobSlot> {
        self.jobs.iter().find(|(_, j)| j.id() == id).map(|(s, _)| s)
    }
}

/// Counts a job that just ended; returns whether its queue lost an active share at once
/// (which raises `computeReservation`'s limit, so a dispatch pass is due). On a fair-share
/// queue a share stays active for the decay period after its last job (CONTRACT 7.7).
fn count_end(
    ledger: &mut super::ledger::Ledger,
    queues: &mut [super::QueueRuntime],
    job: &Job,
    now: SimTime,
    ending: Ending,
) -> bool {
    let ix = job.spec.share_ix;
    ledger.ended(job.queue(), ix, now.since(job.submitted_at).as_millis(), ending);
    if ix == u32::MAX {
        return false;
    }
    let qr = &mut queues[job.queue().index()];
    let inactive = qr.active.job_ended(ix as usize, now);
    qr.stalled &= !inactive;
    inactive
}
