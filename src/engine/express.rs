//! The express lane: a whole run of a simple scenario without the general engine's
//! bookkeeping, giving the same report byte for byte.
//!
//! Most capacity-planning runs are simple: FIFO queues on Fargate compute environments,
//! streams of independent jobs, no actions. For them most of what the engine does per job
//! (job records in a slab, the scheduling policy's view, event cancellation, dependency and
//! array bookkeeping, observers) is never used. When a run qualifies
//! ([`Simulation::uses_express_lane`]), [`Simulation::run`] takes this lane instead: a FIFO
//! deque of waiting jobs per queue, a heap of pending attempt events, and the same metrics.
//!
//! Everything that shapes the report happens in the same order as in the engine (submissions
//! of an instant, then events by `(time, sequence)`, then one dispatch pass visiting queues by
//! priority; sequence numbers are given out for the same events in the same order), so
//! floating-point sums are added in the same order and the bytes are the same. The tests
//! (`tests/express.rs`) check that on random scenarios, so the lane is also an independent
//! second implementation of the engine's semantics for this class of runs.

use super::attempt::{fargate_bill, fargate_rate};
use super::quad_heap::QuadHeap;
use super::Simulation;
use crate::model::{CeId, JobStatus, QueueId, QueueState, Resources};
use crate::time::SimTime;
use crate::workload::runtime::AttemptPlan;
use std::collections::VecDeque;

/// A RUNNABLE job waiting in its queue.
#[derive(Clone, Copy)]
struct Waiting {
    submitted: SimTime,
    plan: AttemptPlan,
    entry: u32,
}

/// A dispatched attempt (STARTING or RUNNING).
#[derive(Clone, Copy)]
struct Running {
    submitted: SimTime,
    dispatched: SimTime,
    /// `None` while STARTING.
    running_at: Option<SimTime>,
    plan: AttemptPlan,
    entry: u32,
    ce: CeId,
    attempt: u64,
}

/// A pending event: the attempt in `slot` becomes RUNNING (`RUNNING_BIT` set) or ends.
#[derive(Clone, Copy)]
struct Pending {
    /// `time << 64 | sequence`.
    key: u128,
    slot: u32,
}

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Pending {
    /// By `(time, sequence)`: the earliest comes out first.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key.cmp(&other.key)
    }
}

/// Marks an event of `Lane::events` as "the attempt in this slot becomes RUNNING" (without
/// it: "ends").
const RUNNING_BIT: u32 = 1 << 31;

/// The `attempt` of a free slot of `Lane::running`.
const FREED: u64 = u64::MAX;

/// The lane's state during a run.
#[derive(Default)]
struct Lane {
    /// Per queue, RUNNABLE jobs in submission order (FIFO's order).
    waiting: Vec<VecDeque<Waiting>>,
    /// Per queue: a job joined or capacity freed on one of its compute environments since
    /// its last pass (a queue whose head did not fit rests until then).
    dirty: Vec<bool>,
    pass_needed: bool,
    /// Per workload entry: its queue and resources, once resolved.
    resolved: Vec<Option<(QueueId, Resources)>>,
    /// Per workload entry and compute environment (`entry * ces + ce`): the Fargate rate,
    /// filled when the entry is resolved.
    rates: Vec<(f64, f64)>,
    running: Vec<Running>,
    free: Vec<u32>,
    events: QuadHeap<Pending>,
    next_seq: u64,
}

impl Lane {
    fn schedule(&mut self, at: SimTime, slot: u32) {
        let key = (u128::from(at.as_millis()) << 64) | u128::from(self.next_seq);
        self.next_seq += 1;
        self.events.push(Pending { key, slot });
    }

    fn peek_time(&self) -> Option<SimTime> {
        self.events.peek().map(|p| SimTime::from_millis((p.key >> 64) as u64))
    }
}

/// What the lane leaves for the report: jobs still RUNNABLE, STARTING or RUNNING.
pub(super) type LiveJobs = Vec<(QueueId, JobStatus)>;

impl Simulation {
    /// Whether [`Simulation::run`] (and [`Simulation::run_with_records`]) would take the
    /// express lane now: nothing has happened yet, no per-job records or observer, no
    /// actions, every queue FIFO and ENABLED without backfilling or state time limits, every
    /// compute environment Fargate without Spot interruptions, and every workload entry a
    /// stream or single submission of independent jobs (no array, no dependency, no timeout,
    /// no retry that could happen). The lane gives the same report, byte for byte, faster;
    /// stepping ([`Simulation::step`], [`Simulation::run_until`]) always uses the engine.
    pub fn uses_express_lane(&self) -> bool {
        let fresh = !self.stopped
            && self.events_processed == 0
            && self.now == SimTime::ZERO
            && !self.dispatch_needed
            && self.observer.is_none()
            && self.records.is_none()
            && self.jobs.iter().next().is_none()
            && self.actions.is_empty()
            && !self.strict_on
            && !self.backfill_on;
        let queues = self.queues.iter().all(|q| {
            matches!(q.policy, super::QueuePolicy::Fifo)
                && q.spec.scheduling_policy.is_none()
                && q.spec.state == QueueState::Enabled
                && q.spec.state_time_limit_actions.is_empty()
                && q.spec.backfill == crate::model::Backfill::None
        });
        let ces = self
            .ces
            .iter()
            .all(|c| c.pool.is_none() && c.spec.kind.is_fargate() && c.spec.interruptions_per_hour == 0.0);
        let entries = self.sources.entries.iter().all(|e| {
            let t = &e.template;
            let simple_kind = matches!(
                e.kind,
                super::sources::EntryKind::Stream { .. } | super::sources::EntryKind::Once { .. }
            );
            let Some(model) = &e.runtime else { return false };
            let may_fail = model.exit_code != 0 || model.failure_probability > 0.0;
            let definition_ok = match self.definitions.resolve(&t.job_definition) {
                Ok(id) => {
                    let d = self.definitions.get(id);
                    let retry = t.retry_strategy.as_ref().unwrap_or(&d.retry_strategy);
                    d.multinode.is_none() && d.timeout.is_none() && (!may_fail || retry.attempts <= 1)
                }
                // Refused at every submission, as in the engine.
                Err(_) => true,
            };
            simple_kind && t.array_size.is_none() && t.depends_on.is_empty() && t.timeout.is_none() && definition_ok
        });
        fresh && queues && ces && entries
    }

    /// Runs to the end on the express lane. The clock, counters and metrics end as the
    /// engine's would; jobs left unfinished are kept for the report.
    pub(super) fn run_express(&mut self) {
        let mut lane = Lane {
            waiting: vec![VecDeque::new(); self.queues.len()],
            dirty: vec![false; self.queues.len()],
            resolved: vec![None; self.sources.entries.len()],
            rates: vec![(0.0, 0.0); self.sources.entries.len() * self.ces.len()],
            ..Lane::default()
        };
        loop {
            let next = match (self.sources.peek_time(), lane.peek_time()) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let Some(t) = next else { break };
            if let Some(u) = self.until.filter(|u| t >= *u) {
                self.now = u;
                break;
            }
            self.now = t;
            while self.sources.peek_time() == Some(t) {
                if let Some(sub) = self.sources.pop(t) {
                    self.events_processed += 1;
                    self.express_submit(&mut lane, sub.entry);
                }
            }
            let due = u128::from(t.as_millis());
            while lane.events.peek().is_some_and(|p| p.key >> 64 == due) {
                let Some(Pending { slot, .. }) = lane.events.pop() else {
                    break;
                };
                self.events_processed += 1;
                if slot & RUNNING_BIT != 0 {
                    self.express_running(&mut lane, slot & !RUNNING_BIT);
                } else {
                    self.express_end(&mut lane, slot);
                }
            }
            if lane.pass_needed {
                self.express_pass(&mut lane);
            }
        }
        self.stopped = true;
        // Attempts still out are accounted to the end in dispatch order (as `close_books`
        // does for the engine's), and every unfinished job is kept for the report.
        let end = self.now;
        let mut out: Vec<Running> = lane.running.iter().filter(|r| r.attempt != FREED).copied().collect();
        out.sort_by_key(|r| r.attempt);
        let mut live: LiveJobs = Vec::new();
        for r in &out {
            self.express_account(&lane, r, end);
            let status = if r.running_at.is_some() {
                JobStatus::Running
            } else {
                JobStatus::Starting
            };
            live.push((self.resolved_queue(&lane, r.entry), status));
        }
        for (q, w) in lane.waiting.iter().enumerate() {
            live.extend(w.iter().map(|_| (QueueId(q as u32), JobStatus::Runnable)));
        }
        self.express_live = live;
    }

    fn resolved_queue(&self, lane: &Lane, entry: u32) -> QueueId {
        lane.resolved[entry as usize].map_or(QueueId(0), |(q, _)| q)
    }

    /// SubmitJob from workload entry `entry`: resolved once (a refused submission is
    /// resolved again, as in the engine, and listed), then RUNNABLE at once.
    fn express_submit(&mut self, lane: &mut Lane, entry: u32) {
        let plan = self.sources.first_plan(entry);
        let queue = match lane.resolved[entry as usize] {
            Some((q, _)) => q,
            None => {
                let template = self.sources.entries[entry as usize].template.clone();
                match self.prepare(&template, entry, None, None) {
                    Ok(p) => {
                        lane.resolved[entry as usize] = Some((p.queue, p.resources));
                        let n = self.ces.len();
                        for (k, ce) in self.ces.iter().enumerate() {
                            lane.rates[entry as usize * n + k] = fargate_rate(&ce.spec, &p.resources);
                        }
                        p.queue
                    }
                    Err(message) => {
                        super::submit::refusal(self, message);
                        return;
                    }
                }
            }
        };
        let m = &mut self.metrics;
        m.all.submitted += 1;
        m.queues[queue.index()].submitted += 1;
        lane.waiting[queue.index()].push_back(Waiting {
            submitted: self.now,
            plan,
            entry,
        });
        lane.dirty[queue.index()] = true;
        lane.pass_needed = true;
    }

    /// The dispatch pass: queues by priority, each placing its head on the first of its
    /// compute environments with room, until the head does not fit. One round is enough:
    /// placing only takes capacity, so a queue passed over cannot place anything later in
    /// the pass.
    fn express_pass(&mut self, lane: &mut Lane) {
        lane.pass_needed = false;
        for i in 0..self.queue_order.len() {
            let q = self.queue_order[i];
            if !std::mem::take(&mut lane.dirty[q.index()]) {
                continue;
            }
            while let Some(&head) = lane.waiting[q.index()].front() {
                let Some((_, r)) = lane.resolved[head.entry as usize] else {
                    break;
                };
                let ces = &self.ces;
                let Some(&ce) = self.queues[q.index()]
                    .spec
                    .compute_environments
                    .iter()
                    .find(|c| ces[c.index()].enabled() && ces[c.index()].plan(&r, None).is_some())
                else {
                    break;
                };
                lane.waiting[q.index()].pop_front();
                self.express_dispatch(lane, head, q, ce, r);
            }
        }
    }

    fn express_dispatch(&mut self, lane: &mut Lane, job: Waiting, q: QueueId, ce: CeId, r: Resources) {
        let now = self.now;
        let attempt = self.next_attempt;
        self.next_attempt += 1;
        let wait = now.since(job.submitted).as_millis();
        self.metrics.all.wait.record(wait);
        if self.metrics.queues.len() > 1 {
            self.metrics.queues[q.index()].wait.record(wait);
        }
        self.metrics.ces[ce.index()].jobs_started += 1;
        let c = &mut self.ces[ce.index()];
        c.used_millivcpus += u64::from(r.millivcpus);
        let startup = c.spec.startup;
        let run = Running {
            submitted: job.submitted,
            dispatched: now,
            running_at: None,
            plan: job.plan,
            entry: job.entry,
            ce,
            attempt,
        };
        let slot = match lane.free.pop() {
            Some(s) => {
                lane.running[s as usize] = run;
                s
            }
            None => {
                lane.running.push(run);
                (lane.running.len() - 1) as u32
            }
        };
        if startup.is_zero() {
            self.express_running(lane, slot);
        } else {
            lane.schedule(now + startup, slot | RUNNING_BIT);
        }
    }

    fn express_running(&mut self, lane: &mut Lane, slot: u32) {
        let now = self.now;
        let r = &mut lane.running[slot as usize];
        r.running_at = Some(now);
        let end = now + r.plan.runtime;
        lane.schedule(end, slot);
    }

    fn express_end(&mut self, lane: &mut Lane, slot: u32) {
        let now = self.now;
        let run = lane.running[slot as usize];
        lane.running[slot as usize].attempt = FREED;
        lane.free.push(slot);
        let Some((q, r)) = lane.resolved[run.entry as usize] else {
            return;
        };
        self.ces[run.ce.index()].used_millivcpus -= u64::from(r.millivcpus);
        self.express_account(lane, &run, now);
        for &aq in &self.ces[run.ce.index()].attached {
            lane.dirty[aq.index()] = true;
        }
        lane.pass_needed = true;
        let m = &mut self.metrics;
        if run.plan.exit_code == 0 {
            m.all.succeeded += 1;
            m.queues[q.index()].succeeded += 1;
        } else {
            m.all.failed += 1;
            m.queues[q.index()].failed += 1;
        }
        m.turnaround.record(now.since(run.submitted).as_millis());
    }

    /// The engine's `account_attempt` for a Fargate attempt with no share.
    fn express_account(&mut self, lane: &Lane, run: &Running, until: SimTime) {
        let Some((_, r)) = lane.resolved[run.entry as usize] else {
            return;
        };
        let mv = u128::from(r.millivcpus);
        let rate = lane.rates[run.entry as usize * self.ces.len() + run.ce.index()];
        let m = &mut self.metrics.ces[run.ce.index()];
        if let Some(at) = run.running_at {
            let ms = u128::from(until.since(at).as_millis());
            m.used_millivcpu_ms += mv * ms;
            m.provisioned_millivcpu_ms += mv * ms;
        }
        m.cost += fargate_bill(rate, until.since(run.dispatched));
    }
}
