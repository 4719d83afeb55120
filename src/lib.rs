//! # batchsim: AWS Batch scheduling in virtual time
//!
//! batchsim simulates how AWS Batch would schedule a workload (compute environments, job
//! queues, job definitions and jobs, all written as AWS API request shapes) and reports wait
//! times, utilization and cost. Nothing is executed: runtimes come from models or traces, and
//! a virtual clock makes a month of scheduling take seconds.
//!
//! ## Define, assemble, run
//!
//! 1. **Define** a scenario: a JSON file of AWS request bodies plus a workload
//!    ([`Scenario::from_file`], [`Scenario::from_json_str`]). Loading checks it the way AWS
//!    would and reports every problem with its JSON path.
//! 2. **Assemble** a [`Simulation`] from it ([`Simulation::new`], with [`Options`] to
//!    override the seed or the stop time, or to keep per-job records).
//! 3. **Run** it ([`Simulation::run`]) and read the [`Report`], or step it
//!    ([`Simulation::step`], [`Simulation::run_until`]) and act between steps.
//!
//! ```
//! use batchsim::{Options, Scenario, Simulation};
//!
//! // Two queues share one Fargate compute environment of 4 vCPUs; "critical" has the higher
//! // priority, so its job is placed first when both arrive together.
//! let scenario = Scenario::from_json_str(r#"{
//!   "computeEnvironments": [{"computeEnvironmentName": "fargate", "type": "MANAGED",
//!      "computeResources": {"type": "FARGATE", "maxvCpus": 4},
//!      "simulation": {"startupSeconds": 0}}],
//!   "jobQueues": [
//!     {"jobQueueName": "batch", "priority": 1,
//!      "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "fargate"}]},
//!     {"jobQueueName": "critical", "priority": 10,
//!      "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "fargate"}]}],
//!   "jobDefinitions": [{"jobDefinitionName": "big", "type": "container",
//!      "platformCapabilities": ["FARGATE"],
//!      "containerProperties": {"resourceRequirements": [
//!        {"type": "VCPU", "value": "4"}, {"type": "MEMORY", "value": "8192"}]}}],
//!   "workload": [
//!     {"at": 0, "submitJob": {"jobName": "nightly", "jobQueue": "batch", "jobDefinition": "big"},
//!      "runtime": {"distribution": "fixed", "seconds": 600}},
//!     {"at": 0, "submitJob": {"jobName": "urgent", "jobQueue": "critical", "jobDefinition": "big"},
//!      "runtime": {"distribution": "fixed", "seconds": 60}}]
//! }"#, "two-queues.json")?;
//!
//! let report = Simulation::new(&scenario, Options::default())?.run();
//! assert_eq!(report.jobs.succeeded, 2);
//! assert_eq!(report.queues["critical"].wait_seconds.stats.max, Some(0.0));
//! assert_eq!(report.queues["batch"].wait_seconds.stats.max, Some(60.0));
//! assert_eq!(report.end_seconds, 660.0);
//! # Ok::<(), batchsim::Error>(())
//! ```
//!
//! [`Simulation::run`] is [`Simulation::step`] until the run is over, then
//! [`Simulation::finish`]: one engine serves every scenario, stepped or not.
//!
//! ```
//! # use batchsim::{Options, Scenario, Simulation};
//! # let scenario = Scenario::from_file(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/quickstart.json"))?;
//! let whole = Simulation::new(&scenario, Options::default())?.run();
//! let mut stepped = Simulation::new(&scenario, Options::default())?;
//! while stepped.step() {}
//! assert_eq!(whole, stepped.finish());
//! # Ok::<(), batchsim::Error>(())
//! ```
//!
//! Between steps a program submits jobs ([`SubmitJob`]), applies actions ([`Action`]) and
//! watches every state change ([`JobEvent`]); what AWS would refuse is a typed error
//! ([`SubmitError`], [`ApplyError`]) whose `Display` is a sentence.
//!
//! ```
//! use batchsim::engine::Refusal;
//! use batchsim::{
//!     JobDefinitionRef, JobQueueRef, JobStatus, Options, RuntimeModel, Scenario, SimTime, Simulation,
//!     SubmitError, SubmitJob,
//! };
//! use std::sync::{Arc, Mutex};
//!
//! let scenario = Scenario::builder("embedded")
//!     .fargate_compute_environment("ce", 2, 0.0)
//!     .job_queue("q", 1, &["ce"])
//!     .fargate_job_definition("d", 1.0, 2048)
//!     .build()?;
//! let mut sim = Simulation::new(&scenario, Options::default())?;
//! let ended = Arc::new(Mutex::new(Vec::new()));
//! let log = ended.clone();
//! sim.add_observer(move |e| {
//!     if e.status == JobStatus::Succeeded {
//!         log.lock().unwrap().push((e.job, e.time.as_secs_f64()));
//!     }
//! });
//! let job = |name: &str, secs: f64| {
//!     SubmitJob::new(name, JobQueueRef::new("q"), JobDefinitionRef::parse("d"), RuntimeModel::fixed(secs))
//! };
//! let frames = sim.submit(&job("frames", 30.0).array(4)).unwrap();
//! let video = sim.submit(&job("video", 10.0).depends_on(frames)).unwrap();
//! // A share identifier on a FIFO queue: AWS refuses it, and says why.
//! let refused = sim.submit(&job("odd", 1.0).share("team-a")).unwrap_err();
//! assert!(matches!(refused, SubmitError::Refused { reason: Refusal::ShareOnFifo { .. } }));
//! assert_eq!(
//!     refused.to_string(),
//!     "job queue `q` is FIFO: submission of `odd` with a shareIdentifier refused"
//! );
//!
//! sim.run_until(SimTime::from_millis(65_000));
//! // Two vCPUs: the four 30-second children run two by two, then the video.
//! assert_eq!(sim.job_status(video), Some(JobStatus::Running));
//! while sim.step() {}
//! let report = sim.finish();
//! assert_eq!(report.jobs.succeeded, 5);
//! assert_eq!(ended.lock().unwrap().last(), Some(&(video, 70.0)));
//! # Ok::<(), batchsim::Error>(())
//! ```
//!
//! ## Scheduler and scaling latency
//!
//! By default every decision happens at the instant it becomes possible (the idealised model
//! queueing theory checks). The scenario's top-level `simulation` object adds AWS's scheduler
//! cycle and the time a job stays SUBMITTED, and a compute environment's
//! `simulation.scaleOutCooldownSeconds` the delay between two scale-out decisions
//! ([`model::SchedulerLatency`], [`model::ComputeEnvironment::scale_out_cooldown`]):
//!
//! ```
//! use batchsim::{Options, Scenario, Simulation};
//!
//! let scenario = Scenario::from_json_str(r#"{
//!   "simulation": {"schedulingIntervalSeconds": 30, "submittedToRunnableSeconds": 5},
//!   "computeEnvironments": [{"computeEnvironmentName": "fargate", "type": "MANAGED",
//!      "computeResources": {"type": "FARGATE", "maxvCpus": 4},
//!      "simulation": {"startupSeconds": 0}}],
//!   "jobQueues": [{"jobQueueName": "q", "priority": 1,
//!      "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "fargate"}]}],
//!   "jobDefinitions": [{"jobDefinitionName": "d", "type": "container",
//!      "platformCapabilities": ["FARGATE"],
//!      "containerProperties": {"resourceRequirements": [
//!        {"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "2048"}]}}],
//!   "workload": [{"at": 10, "submitJob": {"jobName": "j", "jobQueue": "q", "jobDefinition": "d"},
//!      "runtime": {"distribution": "fixed", "seconds": 60}}]
//! }"#, "latency.json")?;
//! let options = Options { record_jobs: true, ..Options::default() };
//! let (report, jobs) = Simulation::new(&scenario, options)?.run_with_records();
//! // SUBMITTED 10..15 s, RUNNABLE until the scheduler's cycle at 30 s.
//! assert_eq!(jobs[0].runnable_at.map(|t| t.as_secs_f64()), Some(15.0));
//! assert_eq!(jobs[0].started_at.map(|t| t.as_secs_f64()), Some(30.0));
//! assert_eq!(report.wait_seconds.stats.max, Some(15.0));
//! assert_eq!(report.end_seconds, 90.0);
//! # Ok::<(), batchsim::Error>(())
//! ```
//!
//! ## The public API
//!
//! The crate root holds what a program needs to define, run and read a simulation:
//! - define: [`Scenario`] (loaded, or built with [`ScenarioBuilder`]), [`RuntimeModel`],
//!   [`JobDefinitionRef`], [`RetryStrategy`], [`Resources`], [`Action`] and the typed ids
//!   [`CeId`], [`QueueId`], [`PolicyId`], [`JobId`]; time as [`SimTime`] and [`SimDuration`];
//! - assemble and run: [`Simulation`], [`Options`], [`SubmitJob`], [`JobQueueRef`]; what it
//!   tells: [`JobEvent`], [`JobStatus`], [`CeUsage`], [`SnapshotEntry`];
//! - read: [`Report`] (with [`Stats`], [`WaitStats`]), [`JobRecord`]; errors: [`Error`]
//!   (loading, with every [`Problem`] in [`Problems`]), [`SubmitError`], [`ApplyError`].
//!
//! The modules hold the rest, each one concept:
//! - [`model`]: every AWS object (compute environments, queues, job definitions, policies);
//!   Spot markets as data ([`model::spot_market`]: price steps per instance type, rates by pool).
//! - [`policy`]: the scheduling decisions as narrow traits, built-ins and your own: which
//!   RUNNABLE job a queue offers next ([`policy::JobPolicy`]: FIFO, fair share), where it
//!   goes ([`policy::PlacementPolicy`]), which instance type is launched
//!   ([`policy::ScaleOutPolicy`]), which jobs backfill ([`policy::BackfillPolicy`]), whether a
//!   queue may use a compute environment shared with higher-priority queues
//!   ([`policy::CrossQueueRule`]), how much a fair-share queue keeps free
//!   (`computeReservation`, [`policy::ReservationRule`]).
//! - [`workload`]: workload entries, arrivals, runtime distributions, trace formats.
//! - [`scenario`]: loading and the job-count bound.
//! - [`engine`]: the simulation and its embedding API (AWS limits, typed refusals).
//! - [`report`]: the report's parts, the per-job and per-attempt tables (CSV), the text
//!   summary.
//! - [`sweep`]: many runs over seeds and `--set` values, tables with confidence intervals.
//! - [`optimize`]: the cheapest set-up that meets constraints, over `--set` paths.
//! - [`import`]: scenarios from describe output, CloudFormation and Terraform.
//! - [`time`]: the integer-millisecond clock.
//!
//! Raw parse structures, the schema walker, the engine's parts (kernel, job store, capacity,
//! ledger) and the command line's outputs are internal: they change without notice.
//!
//! ## Design
//!
//! [`design`] (also `docs/DESIGN.md`) describes the layers, the engine's parts, the order of
//! things inside one instant, the hot path's data structures with the figures that chose
//! them, and how to add a compute environment kind or a policy. `docs/CONTRACT.md` is the
//! external contract that the code comments cite as "CONTRACT section N".

#![warn(missing_docs)]

// The `batchsim` binary's entry point (`cli::run`), not a library API: hidden from the docs.
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod cli;
pub mod compare;
pub mod engine;
#[doc = include_str!("../docs/DESIGN.md")]
pub mod design {}
pub mod calibrate;
mod error;
pub mod import;
mod json;
pub mod model;
pub mod optimize;
pub mod policy;
pub mod report;
pub mod scenario;
pub(crate) mod suggest;
pub mod sweep;
pub mod time;
pub mod workload;

// Define: a scenario (loaded or built) and the objects it is made of.
pub use model::job_definition::JobDefinitionRef;
pub use model::{Action, CeId, JobId, JobStatus, PolicyId, QueueId, Resources, RetryStrategy};
pub use scenario::{Scenario, ScenarioBuilder};
pub use time::{SimDuration, SimTime};
pub use workload::RuntimeModel;
// Assemble and run: the simulation, what it is told, what it tells.
pub use engine::{
    ApplyError, CeUsage, DecisionError, JobEvent, JobQueueRef, Options, Simulation, SnapshotEntry, SubmitError,
    SubmitJob,
};
// Read: the report and the errors.
pub use error::{Error, Problem, Problems};
pub use report::{JobRecord, Report, Stats, WaitStats};
