//! The engine: a virtual clock, the event queue, and the state of every compute environment,
//! queue and live job.
//!
//! # The order of things inside one instant (CONTRACT section 7.1)
//! 1. workload submissions due now (by time, then workload entry, then position in the
//!    entry's stream or trace);
//! 2. actions due now, in file order;
//! 3. the engine's own events due now, in the order they were created;
//! 4. one dispatch pass (with a scheduling interval, only at a cycle: `latency.rs`).
//!
//! A dispatch pass visits the queues in descending priority and offers each queue's next job
//! (chosen by its scheduling policy) to the queue's compute environments in order. It costs
//! in proportion to what changed: a FIFO queue whose head could not be placed is skipped until
//! a job joins it or capacity frees on one of its compute environments.

mod actions;
mod api;
mod attempt;
mod backfill;
mod backfill_index;
mod blocked;
mod capacity;
mod ce_set;
mod claimed;
mod claimed_run;
mod compare_hooks;
mod consumable;
mod consumable_rules;
mod decisions;
mod dependencies;
mod dispatch;
mod ec2;
mod ec2_capacity;
mod error;
mod event;
mod instance_table;
mod instances;
mod job_row;
mod job_store;
mod jobs;
mod kernel;
mod lambda;
mod latency;
mod ledger;
mod limits;
mod quad_heap;
mod queue_set;
// The event queue is internal; the `bench-internals` feature exposes it (hidden) to the
// benchmark that compares it with the `priority-queue` crate (docs/DESIGN.md, the hot path).
#[cfg(feature = "bench-internals")]
#[doc(hidden)]
pub mod queue;
#[cfg(not(feature = "bench-internals"))]
mod queue;
mod recorder;
mod room_index;
mod room_run;
mod rooms;
mod scale_out;
mod shares;

mod sources;
mod spot_market;
mod submit;
mod void_events;

use crate::error::Error;
use crate::model::job_definition::JobDefinitionRegistry;
use crate::model::JobStatus;
use crate::policy::JobPolicy;
use crate::report::{JobRecord, Report};
use crate::scenario::Scenario;
use crate::time::SimTime;
use capacity::CeRuntime;
use event::Event;
pub(crate) use queue_set::{QueuePolicy, QueueRuntime};
use sources::Sources;
use std::collections::BTreeMap;

pub use api::{
    JobQueueRef, ObservedJobEvent as JobEvent, SnapshotEntry, SubmitJob, MAX_ARRAY_SIZE, MAX_DEPENDENCIES,
    MAX_JOB_NAME_LEN, MAX_NODES, MAX_QUEUE_COMPUTE_ENVIRONMENTS, MAX_SCHEDULING_PRIORITY, MAX_SHARE_IDENTIFIER_LEN,
    MAX_VCPUS, MIN_ARRAY_SIZE, MIN_TIMEOUT_SECONDS,
};
pub use error::{ApplyError, DecisionError, DefinitionError, InvalidAction, Refusal, SubmitError};

/// How to run a scenario: overrides of the file's `seed` and `until`, and whether to keep
/// per-job records.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Overrides the scenario's `seed`.
    pub seed: Option<u64>,
    /// Overrides the scenario's `until`.
    pub until: Option<SimTime>,
    /// Keep one [`JobRecord`] per job for the per-job table (costs memory per job).
    pub record_jobs: bool,
}

/// One compute environment's capacity use at an instant.
#[derive(Clone, Debug, PartialEq)]
pub struct CeUsage {
    /// `computeEnvironmentName`.
    pub name: String,
    /// vCPUs held by dispatched attempts.
    pub vcpus_in_use: f64,
    /// Current `maxvCpus`.
    pub max_vcpus: u32,
    /// vCPUs of the instances up or launching (EC2/SPOT); equals `vcpus_in_use` on Fargate.
    pub vcpus_provisioned: f64,
    /// Instances up or launching (EC2/SPOT; 0 on Fargate).
    pub instances: usize,
}

/// The engine's end-of-job hook (set while observers are registered; see [`api::Hub`]).
type Observer = Box<dyn FnMut(&api::JobEvent) + Send>;

/// A running simulation of one scenario.
///
/// ```
/// use batchsim::{Options, Scenario, Simulation};
///
/// let scenario = Scenario::from_json_str(r#"{
///   "computeEnvironments": [{"computeEnvironmentName": "fargate", "type": "MANAGED",
///      "computeResources": {"type": "FARGATE", "maxvCpus": 2},
///      "simulation": {"startupSeconds": 0}}],
///   "jobQueues": [{"jobQueueName": "q", "priority": 1,
///      "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "fargate"}]}],
///   "jobDefinitions": [{"jobDefinitionName": "work", "type": "container",
///      "platformCapabilities": ["FARGATE"],
///      "containerProperties": {"resourceRequirements": [
///         {"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "2048"}]}}],
///   "workload": [{"arrivals": {"process": "every", "seconds": 10}, "count": 3,
///      "submitJob": {"jobName": "w", "jobQueue": "q", "jobDefinition": "work"},
///      "runtime": {"distribution": "fixed", "seconds": 25}}]
/// }"#, "doc.json")?;
/// let report = Simulation::new(&scenario, Options::default())?.run();
/// assert_eq!(report.jobs.succeeded, 3);
/// // Two vCPUs: the third job waits from t=20 until the first ends at t=25.
/// assert_eq!(report.wait_seconds.stats.max, Some(5.0));
/// assert_eq!(report.end_seconds, 50.0);
/// # Ok::<(), batchsim::Error>(())
/// ```
///
/// # Forking a run
/// `Simulation` is [`Clone`]: a copy goes on exactly as the original would, so two futures
/// can be compared from one point (say, with and without an action). A copy has no
/// observers ([`Simulation::add_observer`]); a custom policy is copied when it gives a copy
/// ([`crate::policy::JobPolicy::clone_box`]), else shared (exact only for a policy without
/// state); a trace being replayed is opened again
/// and read up to the same line.
///
/// ```
/// # use batchsim::{Options, Scenario, Simulation, SimTime};
/// # let scenario = Scenario::from_file(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/quickstart.json"))?;
/// let mut sim = Simulation::new(&scenario, Options::default())?;
/// sim.run_until(SimTime::from_millis(60_000));
/// let fork = sim.clone();
/// assert_eq!(sim.run(), fork.run());
/// # Ok::<(), batchsim::Error>(())
/// ```
#[derive(Clone)]
pub struct Simulation {
    name: String,
    seed: u64,
    /// The clock, the event queue, the submissions and the timed actions.
    kernel: kernel::Kernel,
    /// The compute environments and their capacity.
    ces: ce_set::CeSet,
    /// The queues, their visiting order, the scheduling policies and the share numbering.
    queues: queue_set::QueueSet,
    definitions: JobDefinitionRegistry,
    /// The live jobs, and what is remembered of ended ones for those that refer to them.
    jobs: job_store::JobStore,
    /// Counters, statistics, billing, warnings and the per-job and per-attempt tables.
    ledger: ledger::Ledger,
    dispatch_needed: bool,
    /// Bumped by every action: cached resolutions of submissions are then redone.
    config_generation: u64,
    /// The end-of-job hook, set while `observers` has any.
    observer: api::NotCloned<Option<Observer>>,
    /// The observers and what they need to know of live attempts.
    observers: api::NotCloned<Option<std::sync::Arc<std::sync::Mutex<api::Hub>>>>,
    /// Some queue has a custom job policy (to be told of starts and ends).
    custom_policies: bool,
    /// Some compute environment uses the `strict` cross-queue rule: queues count the
    /// RUNNABLE jobs each of their compute environments could ever fit.
    strict_on: bool,
    /// Some queue backfills: compute environments track their attempts.
    backfill_on: bool,
    /// Some compute environment is LAMBDA (its pool needs the clock at each pass).
    lambda_on: bool,
    /// Some compute environment has a Spot price history or Fargate Spot windows
    /// (`spot_market.rs`: prices and windows follow the clock at each pass).
    spot_on: bool,
    /// Some compute environment has instances (EC2, SPOT, EKS), or a head clock
    /// (`jobStateTimeLimitActions`) was set: checks may be void (`drop_void_events`).
    void_checks_on: bool,
    /// Some compute environment has idle instances to review for scale-in after this
    /// instant's dispatch pass (CONTRACT 7.14 d).
    scale_in_pending: bool,
    /// Dispatch passes so far (numbers [`QueueRuntime::claims_checked`]).
    passes: u64,
    /// Scratch of `claims_to_ready_room` (kept: no allocation per call): the shapes of
    /// claimed jobs with READY room, each with its first job and the room found.
    claim_heads: Vec<claimed::ShapeHead>,
    /// The scheduler's cycle and the SUBMITTED delay, and the pending cycle (`latency.rs`).
    latency: latency::LatencyState,
    /// The account's EC2 capacity (scenario `ec2Capacity`); `None`: every launch supplied.
    ec2_capacity: Option<Box<ec2_capacity::Ec2Capacity>>,
    /// The consumable resources (`None` when the scenario declares none).
    consumables: Option<Box<consumable::Consumables>>,
}

impl Simulation {
    /// Prepares a run of `scenario`. Fails (with the same kind of error as loading) when the
    /// scenario needs something this build does not simulate, or a trace cannot be opened,
    /// or when its fields were edited into something loading would refuse (an id out of
    /// range, actions out of time order, an AWS limit broken).
    pub fn new(scenario: &Scenario, options: Options) -> Result<Simulation, Error> {
        limits::check_scenario(scenario)?;
        let seed = options.seed.unwrap_or(scenario.seed);
        let until = options.until.or(scenario.until);
        let ces = scenario
            .compute_environments
            .iter()
            .enumerate()
            .map(|(i, ce)| CeRuntime::new(ce.clone(), seed, i))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| {
                Error::Invalid(crate::error::Problems {
                    file: scenario.name.clone(),
                    list: vec![crate::error::Problem {
                        path: "computeEnvironments".into(),
                        message: e.to_string(),
                    }],
                })
            })?;
        let mut definitions = JobDefinitionRegistry::new();
        for d in &scenario.job_definitions {
            definitions.register(d.clone());
        }
        let mut sim = Simulation {
            name: scenario.name.clone(),
            seed,
            kernel: kernel::Kernel::new(
                Sources::new(&scenario.workload, seed).map_err(|e| Error::Trace(Box::new(e)))?,
                scenario.actions.clone(),
                until,
            ),
            ledger: ledger::Ledger::new(ces.len(), scenario.job_queues.len(), options.record_jobs),
            ces: ce_set::CeSet::new(ces),
            queues: queue_set::QueueSet::new(scenario.scheduling_policies.clone()),
            definitions,
            jobs: job_store::JobStore::new(&scenario.workload, &scenario.actions),
            dispatch_needed: false,
            config_generation: 0,
            observer: Default::default(),
            observers: Default::default(),
            custom_policies: false,
            strict_on: scenario
                .compute_environments
                .iter()
                .any(|c| c.queue_priority == crate::model::QueuePriorityMode::Strict),
            backfill_on: scenario
                .job_queues
                .iter()
                .any(|q| q.backfill != crate::model::Backfill::None),
            lambda_on: scenario.compute_environments.iter().any(|c| c.kind.is_lambda()),
            spot_on: scenario.compute_environments.iter().any(|c| c.spot_market.is_dynamic()),
            void_checks_on: scenario.compute_environments.iter().any(|c| c.kind.has_instances()),
            scale_in_pending: false,
            passes: 0,
            claim_heads: Vec::new(),
            latency: latency::LatencyState {
                scheduler: scenario.scheduler_latency(),
                next_cycle: None,
                cooldowns: scenario
                    .compute_environments
                    .iter()
                    .any(|c| !c.scale_out_cooldown.is_zero()),
                cycles: 0,
            },
            ec2_capacity: None,
            consumables: consumable::Consumables::new(&scenario.consumable_resources),
        };
        sim.ec2_capacity = scenario
            .ec2_capacity
            .as_ref()
            .map(|m| Box::new(ec2_capacity::Ec2Capacity::new(m, &sim.ces)));
        for q in &scenario.job_queues {
            let runtime = sim.queues.runtime(q.clone(), sim.ces.len());
            sim.queues.push(runtime);
        }
        sim.rebuild_queue_links();
        for c in sim.ces.ids() {
            sim.start_compute_environment(c);
        }
        Ok(sim)
    }

    /// Recomputes the queue visiting order and each CE's list of attached queues.
    fn rebuild_queue_links(&mut self) {
        self.ces.detach_all();
        let ces = &mut self.ces;
        self.queues.relink(|c, q| ces.attach(c, q));
    }

    /// Replaces the scheduling policy of queue `queue` (by name or ARN) with a custom one.
    /// The queue keeps its shares and usage (and its `computeReservation`); the policy only
    /// decides the order. Copies of the simulation share the policy unless it gives each its
    /// own ([`JobPolicy::clone_box`]). An unknown queue is an error (with the closest name)
    /// and nothing changes.
    pub fn set_policy(&mut self, queue: &str, policy: Box<dyn JobPolicy>) -> Result<(), DecisionError> {
        let q = self.decision_queue(queue)?;
        let q = &mut self.queues[q];
        q.policy = QueuePolicy::Custom(crate::policy::SharedPolicy::new(policy));
        self.custom_policies = true;
        q.stalled = false;
        Ok(())
    }

    /// The simulated time now.
    pub fn now(&self) -> SimTime {
        self.kernel.now
    }

    /// True when the run is over: nothing left to happen, or the clock reached `until`.
    pub fn is_finished(&self) -> bool {
        self.kernel.stopped
    }

    /// Number of events applied so far (submissions, actions and the engine's own events).
    pub fn events_processed(&self) -> u64 {
        self.kernel.events_processed
    }

    /// Applies everything due at the next instant, then one dispatch pass. Returns `false`
    /// once the run is over.
    pub fn step(&mut self) -> bool {
        if self.kernel.stopped {
            return false;
        }
        // Something was submitted through the API at the current instant, or the instant's
        // scale-in freed capacity: a pass, and its own scale-in review (an instance it
        // launched READY at once makes the minimum's kept instances free to go, 7.14 d: "the
        // check is made again at every instant after the pass").
        let passes = self.passes;
        self.pass_if_due();
        // (Not before the run's first instant has been applied: capacity READY at 0 waits for
        // the pass after the submissions at 0.)
        if self.passes != passes
            && self.kernel.events_processed > 0
            && self.scale_in_pending
            && self.latency.next_cycle.is_none()
        {
            self.scale_in_after_pass();
        }
        if self.void_checks_on {
            self.drop_void_events();
        }
        let Some(t) = self.kernel.advance() else {
            return false;
        };
        // CONTRACT 7.1: submissions, then actions in file order, then the engine's events.
        while let Some(sub) = self.kernel.due_submission(t) {
            self.submit_from_source(sub);
        }
        while let Some(action) = self.kernel.due_action(t) {
            self.apply_action(&action);
        }
        while let Some(event) = self.kernel.due_event(t) {
            self.handle(event);
        }
        self.pass_if_due();
        // Scale-in follows the instant's pass; while the scheduler's next cycle is pending,
        // it waits for that cycle's pass (an instance is not idle before the scheduler has
        // looked at the jobs that could use it).
        if self.scale_in_pending && self.latency.next_cycle.is_none() {
            self.scale_in_after_pass();
        }
        true
    }

    /// Runs until the clock would pass `t` (events at exactly `t` are applied), then moves
    /// the clock to `t`.
    pub fn run_until(&mut self, t: SimTime) {
        while !self.kernel.stopped {
            // Submissions or actions through the API at the current instant.
            self.pass_if_due();
            if self.void_checks_on {
                self.drop_void_events();
            }
            match self.kernel.next_time() {
                Some(next) if next <= t => {
                    self.step();
                }
                _ => break,
            }
        }
        // The clock moves to `t` (not past `until`), so that what the caller does next
        // happens at `t`.
        self.kernel.rest_at(t);
    }

    /// Runs to the end and reports.
    pub fn run(mut self) -> Report {
        self.run_to_end();
        self.finish()
    }

    fn run_to_end(&mut self) {
        while self.step() {}
    }

    fn handle(&mut self, event: Event) {
        match event {
            Event::TaskRunning { slot, attempt } => self.task_running(slot, attempt),
            Event::AttemptEnd {
                slot,
                attempt,
                timed_out,
            } => self.attempt_timer(slot, attempt, timed_out),
            Event::TaskReclaimed { slot, attempt } => self.task_reclaimed(slot, attempt),
            Event::InstanceReady { ce, instance } => self.instance_ready(ce, instance),
            Event::InstanceNotice { ce, instance } => self.instance_notice(ce, instance),
            Event::InstanceReclaimed { ce, instance } => self.instance_reclaimed(ce, instance),
            Event::ScaleInCheck { ce, instance, epoch } => self.scale_in_check(ce, instance, epoch),
            Event::StateTimeLimit { slot, head_since_ms } => self.state_time_limit(slot, head_since_ms),
            Event::ShareExpiry { queue } => self.share_expiry(queue),
            Event::LambdaScalingWindow { ce, memory_mb } => self.lambda_window_closed(ce, memory_mb),
            Event::SchedulerCycle => self.scheduler_cycle(),
            Event::JobEvaluated { slot, id } => self.job_evaluated(slot, id),
            Event::ScaleOutCooldownEnd { ce } => self.scale_out_cooldown_over(ce),
            Event::Ec2CapacityReturns => self.ec2_capacity_returns(),
            Event::SpotMarket { ce } => self.spot_market_event(ce),
        }
    }

    /// The report so far (the run may go on).
    pub fn report(&self) -> Report {
        crate::report::build(self.report_input())
    }

    /// Ends the run: running attempts are accounted to the end, unfinished jobs recorded.
    pub fn finish(mut self) -> Report {
        let end = self.kernel.now;
        self.close_books(end);
        self.close_records();
        crate::report::build(self.report_input())
    }

    /// Per-job records (when [`Options::record_jobs`] was set or a sink is set), in
    /// submission order; jobs still live are included with their current state. Rows
    /// already given to a [`Simulation::set_record_sink`] sink are not repeated.
    pub fn job_records(&self) -> Vec<JobRecord> {
        match &self.ledger.recorder {
            Some(r) => r.rows(|slot| self.jobs.get(slot).map(|j| self.record_of(j))),
            None => Vec::new(),
        }
    }

    /// Sends each job's row to `sink` as soon as it is final (its job and every job
    /// submitted before it have ended), in submission order, instead of keeping the rows:
    /// the per-job table of a long run in flat memory. Rows of jobs still live at the end
    /// go out when the run finishes ([`Simulation::finish`], [`Simulation::run`]), with
    /// their state then. Turns per-job records on.
    ///
    /// ```
    /// use batchsim::{Options, Scenario, Simulation};
    /// use std::sync::{Arc, Mutex};
    ///
    /// # let scenario = Scenario::from_file(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/quickstart.json"))?;
    /// let rows = Arc::new(Mutex::new(Vec::new()));
    /// let mut sim = Simulation::new(&scenario, Options::default())?;
    /// let sink = rows.clone();
    /// sim.set_record_sink(move |r| sink.lock().unwrap().push(r.job_id));
    /// let report = sim.run();
    /// let rows = rows.lock().unwrap();
    /// assert_eq!(rows.len() as u64, report.jobs.submitted);
    /// assert!(rows.windows(2).all(|w| w[0] < w[1]), "submission order");
    /// # Ok::<(), batchsim::Error>(())
    /// ```
    pub fn set_record_sink(&mut self, sink: impl FnMut(JobRecord) + Send + 'static) {
        self.ledger
            .recorder
            .get_or_insert_with(Default::default)
            .set_sink(recorder::RecordSink::Owned(Box::new(sink)));
    }

    /// [`Simulation::set_record_sink`] with a sink that reads each row, which is dropped
    /// after: the command line's table writers, which need no row of their own (a row is
    /// not moved to the sink, nor kept in a place of its own).
    pub(crate) fn set_record_reader(&mut self, sink: impl FnMut(&JobRecord) + Send + 'static) {
        self.ledger
            .recorder
            .get_or_insert_with(Default::default)
            .set_sink(recorder::RecordSink::Borrowed(Box::new(sink)));
    }

    /// Sends a row for each attempt (each dispatch of a job) to `sink` as the attempt ends,
    /// in the order attempts end; attempts still STARTING or RUNNING when the run finishes
    /// ([`Simulation::finish`], [`Simulation::run`]) go out then, in dispatch order, with no
    /// `stopped_at`. A copy of the simulation has no sink.
    ///
    /// ```
    /// use batchsim::{Options, Scenario, Simulation};
    /// use std::sync::{Arc, Mutex};
    ///
    /// # let scenario = Scenario::from_file(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/timeout-retry.json"))?;
    /// let rows = Arc::new(Mutex::new(Vec::new()));
    /// let mut sim = Simulation::new(&scenario, Options::default())?;
    /// let sink = rows.clone();
    /// sim.set_attempt_sink(move |a| sink.lock().unwrap().push(a));
    /// let report = sim.run();
    /// let rows = rows.lock().unwrap();
    /// let started = report.compute_environments.values().map(|c| c.jobs_started).sum::<u64>();
    /// assert_eq!(rows.len() as u64, started, "one row per dispatch");
    /// let billed: f64 = rows.iter().map(|a| a.cost).sum();
    /// assert!((billed + report.cost.idle - report.cost.total).abs() < 1e-9);
    /// # Ok::<(), batchsim::Error>(())
    /// ```
    pub fn set_attempt_sink(&mut self, sink: impl FnMut(crate::report::AttemptRecord) + Send + 'static) {
        *self.ledger.attempt_sink = Some(Box::new(sink));
    }

    /// Runs to the end; returns the report and the per-job records.
    pub fn run_with_records(mut self) -> (Report, Vec<JobRecord>) {
        self.run_to_end();
        self.finish_with_records()
    }

    /// Ends the run where it stands, as [`Simulation::finish`] does, and returns the
    /// per-job records too: rows of jobs still live carry the cost of their attempts up to
    /// the end (which [`Simulation::job_records`] before `finish` cannot know yet). Rows
    /// already given to a [`Simulation::set_record_sink`] sink are not repeated.
    pub fn finish_with_records(mut self) -> (Report, Vec<JobRecord>) {
        let end = self.kernel.now;
        self.close_books(end);
        let records = self.close_records();
        (crate::report::build(self.report_input()), records)
    }

    /// Flushes the per-job table at the end: live jobs' rows with their state now.
    fn close_records(&mut self) -> Vec<JobRecord> {
        let Some(mut recorder) = self.ledger.recorder.take() else {
            return Vec::new();
        };
        let rows = recorder.close(|slot| self.jobs.get(slot).map(|j| self.record_of(j)));
        self.ledger.recorder = Some(recorder);
        rows
    }

    fn report_input(&self) -> crate::report::ReportInput<'_> {
        crate::report::ReportInput {
            scenario: &self.name,
            seed: self.seed,
            end: self.kernel.now,
            events: self.kernel.events_processed,
            metrics: &self.ledger.metrics,
            queue_names: self.queues.iter().map(|q| q.spec.name.as_str()).collect(),
            queue_share_weights: self
                .queues
                .iter()
                .zip(&self.ledger.metrics.queue_shares)
                .map(|(q, shares)| match q.spec.scheduling_policy {
                    Some(p) => shares
                        .iter()
                        .map(|(ix, _)| {
                            let name = self.ledger.metrics.share_names.get(*ix as usize).map_or("", |n| n);
                            self.queues.get_policy(p).map_or(1.0, |p| p.weight_of(name))
                        })
                        .collect(),
                    None => Vec::new(),
                })
                .collect(),
            ces: self
                .ces
                .iter()
                .map(|c| (c.spec.name.as_str(), c.spec.max_vcpus))
                .collect(),
            live_jobs: Box::new(self.jobs.iter().map(|(_, j)| crate::report::LiveJob {
                queue: j.queue(),
                share: j.spec.share_ix,
                status: j.status,
                waiting_since: j.runnable_at.get().filter(|_| j.first_dispatch().is_none()),
            })),
            warnings: &self.ledger.warnings,
            rejected: self.ledger.rejected,
            consumable_resources: self.consumable_report(self.kernel.now),
        }
    }

    /// Every compute environment's vCPUs in use now (held by STARTING and RUNNING attempts)
    /// next to its current `maxvCpus`, in scenario order.
    pub fn compute_environment_usage(&self) -> Vec<CeUsage> {
        self.ces
            .iter()
            .map(|c| CeUsage {
                name: c.spec.name.clone(),
                vcpus_in_use: c.used_millivcpus as f64 / 1000.0,
                max_vcpus: c.spec.max_vcpus,
                vcpus_provisioned: c.provisioned_millivcpus() as f64 / 1000.0,
                instances: c.pool.as_ref().map_or(0, |p| p.instances.len()),
            })
            .collect()
    }

    /// Number of RUNNABLE jobs of each queue now, in scenario order (those waiting for a
    /// launching instance included).
    pub fn queue_depths(&self) -> Vec<(String, usize)> {
        self.queues
            .iter()
            .map(|q| (q.spec.name.clone(), q.set.len() + q.claimed.len()))
            .collect()
    }

    /// RUNNABLE jobs of each queue now, in scenario order, as [`Simulation::queue_depths`]
    /// without the names (no allocation: cheap enough to call after every step).
    pub fn runnable_counts(&self) -> impl Iterator<Item = usize> + '_ {
        // A job holding a claim on a launching instance is RUNNABLE but out of the set.
        self.queues.iter().map(|q| q.set.len() + q.claimed.len())
    }

    /// vCPUs provisioned by each compute environment now (EC2/SPOT: instances up or
    /// launching; Fargate: vCPUs in use), in scenario order (no allocation).
    pub fn vcpus_provisioned(&self) -> impl Iterator<Item = f64> + '_ {
        self.ces.iter().map(|c| c.provisioned_millivcpus() as f64 / 1000.0)
    }

    /// Spot reclaims so far (tasks or instances) of each compute environment, in scenario
    /// order (no allocation).
    pub fn interruptions(&self) -> impl Iterator<Item = u64> + '_ {
        self.ledger.metrics.ces.iter().map(|m| m.interruptions)
    }

    /// Dollars of each compute environment so far, in scenario order: what is billed (ended
    /// Fargate tasks, terminated instances) plus, on EC2/SPOT, the instances still up as if
    /// billed now. Costs `O(instances up)`; the report's `cost` is the value at the end.
    pub fn cost_so_far(&self) -> impl Iterator<Item = f64> + '_ {
        let now = self.kernel.now;
        self.ces.iter().zip(&self.ledger.metrics.ces).map(move |(c, m)| {
            let up: f64 = c.pool.as_ref().map_or(0.0, |pool| {
                pool.instances
                    .values()
                    .map(|i| pool.types[i.type_index].bill(i.launched_at, c.spec.instance_pending, now))
                    .sum()
            });
            m.cost + up
        })
    }

    /// vCPUs in use and current `maxvCpus` of each compute environment, in scenario order, as
    /// [`Simulation::compute_environment_usage`] without the names (no allocation).
    pub fn vcpus_in_use(&self) -> impl Iterator<Item = (f64, u32)> + '_ {
        self.ces
            .iter()
            .map(|c| (c.used_millivcpus as f64 / 1000.0, c.spec.max_vcpus))
    }

    /// The wait samples so far (first dispatch minus first RUNNABLE, one per dispatched job):
    /// the whole run's, then each queue's with its name, in scenario order. For distributions
    /// (quantiles, histograms) without keeping per-job records.
    pub fn wait_samples(
        &self,
    ) -> (
        &crate::report::StatsAccumulator,
        Vec<(&str, &crate::report::StatsAccumulator)>,
    ) {
        let queues = self
            .queues
            .iter()
            .zip(&self.ledger.metrics.queues)
            .map(|(q, m)| (q.spec.name.as_str(), &m.wait))
            .collect();
        (&self.ledger.metrics.all.wait, queues)
    }

    /// The status of every live job, counted (for tests and progress displays).
    pub fn live_counts(&self) -> BTreeMap<JobStatus, u64> {
        let mut m = BTreeMap::new();
        for (_, j) in self.jobs.iter() {
            *m.entry(j.status).or_insert(0) += 1;
        }
        m
    }
}
