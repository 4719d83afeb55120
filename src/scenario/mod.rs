//! Scenario files: AWS request shapes in JSON, read into validated model values.
//!
//! Reading goes in three steps, each reporting every problem it finds with the JSON path:
//! 1. JSON syntax (`file:line:column`);
//! 2. structure: unknown field names (with a "did you mean"), wrong types, bad enum values,
//!    missing required fields, checked against the AWS Batch API model (`scenario/schema.rs`);
//! 3. meaning: ranges, references between objects, AWS's rules (at most 3 compute
//!    environments per queue, valid Fargate sizes, `shareIdentifier` rules, ...).
//!
//! ```
//! use batchsim::Scenario;
//!
//! let err = Scenario::from_json_str(r#"{"jobQueues": [{"jobQueueName": "q", "priority": 1,
//!     "computeEnvironmentOrder": [{"order": 1, "computeEnvironmnt": "ce"}]}]}"#, "bad.json")
//!     .unwrap_err();
//! let text = err.to_string();
//! assert!(text.contains("jobQueues[0].computeEnvironmentOrder[0].computeEnvironmnt"), "{text}");
//! assert!(text.contains("did you mean `computeEnvironment`?"), "{text}");
//! ```

mod actions;
mod builder;
mod consumable;
mod ctx;
mod definitions;
mod document_order;
mod ec2_capacity;
mod eks;
mod lambda;
mod latency;
mod lenient;
mod queues;
pub(crate) mod raw;
pub(crate) mod schema;
mod spot_prices;
mod validate;
mod workload;

use crate::error::{Error, Problem, Problems};
use crate::model::{ComputeEnvironment, JobDefinition, JobQueue, SchedulerLatency, SchedulingPolicy, TimedAction};
use crate::time::SimTime;
use crate::workload::WorkloadEntry;
use std::path::{Path, PathBuf};

pub use builder::ScenarioBuilder;
// The reader's helpers that other layers of the command line and the importers share.
pub(crate) use crate::model::arn_tail;
pub(crate) use crate::suggest;
pub use workload::{check_job_bound, jobs_of_entry, JobBoundError, DEFAULT_MAX_JOBS};

/// A validated scenario: everything a run needs.
///
/// Built only by loading ([`Scenario::from_file`], [`Scenario::from_json_str`],
/// [`Scenario::from_value`], [`Scenario::from_value_at`]) or by the builder
/// ([`Scenario::builder`], which writes a document and loads it), so every `Scenario` has
/// passed the same checks as a file; its parts are read through the accessors below. To run
/// a variant, change the JSON document and load it again (as `batchsim sweep --set` does).
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// `name` (default: the file stem).
    pub(crate) name: String,
    /// `seed` (default 0).
    pub(crate) seed: u64,
    /// `until`: the clock stops here.
    pub(crate) until: Option<SimTime>,
    /// `computeEnvironments`, in file order (a [`crate::model::CeId`] is a position here).
    pub(crate) compute_environments: Vec<ComputeEnvironment>,
    /// `schedulingPolicies`, in file order.
    pub(crate) scheduling_policies: Vec<SchedulingPolicy>,
    /// `jobQueues`, in file order.
    pub(crate) job_queues: Vec<JobQueue>,
    /// `jobDefinitions`, in registration order (a repeated name is its next revision).
    pub(crate) job_definitions: Vec<JobDefinition>,
    /// `workload`.
    pub(crate) workload: Vec<WorkloadEntry>,
    /// `actions`, sorted by time (file order within an instant).
    pub(crate) actions: Vec<TimedAction>,
    /// The top-level `simulation` object: the scheduler's latencies.
    pub(crate) scheduler: SchedulerLatency,
    /// `ec2Capacity` (a simulation extension): `None` supplies every instance asked for.
    pub(crate) ec2_capacity: Option<crate::model::Ec2CapacityModel>,
    /// `consumableResources`, in file order (a [`crate::model::ConsumableResourceId`] is a
    /// position here).
    pub(crate) consumable_resources: Vec<crate::model::ConsumableResource>,
}

impl Scenario {
    /// `name` (default: the file stem).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `seed` (default 0); [`crate::Options::seed`] overrides it for one run.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// `until`: the clock stops here (`None`: when nothing is left to happen);
    /// [`crate::Options::until`] overrides it for one run.
    pub fn until(&self) -> Option<SimTime> {
        self.until
    }

    /// `ec2Capacity`: the account's EC2 capacity model, if the scenario has one.
    pub fn ec2_capacity(&self) -> Option<&crate::model::Ec2CapacityModel> {
        self.ec2_capacity.as_ref()
    }

    /// `computeEnvironments`, in file order (a [`crate::model::CeId`] is a position here).
    pub fn compute_environments(&self) -> &[ComputeEnvironment] {
        &self.compute_environments
    }

    /// `schedulingPolicies`, in file order (a [`crate::model::PolicyId`] is a position here).
    pub fn scheduling_policies(&self) -> &[SchedulingPolicy] {
        &self.scheduling_policies
    }

    /// `jobQueues`, in file order (a [`crate::model::QueueId`] is a position here).
    pub fn job_queues(&self) -> &[JobQueue] {
        &self.job_queues
    }

    /// `jobDefinitions`, in registration order (a repeated name is its next revision).
    pub fn job_definitions(&self) -> &[JobDefinition] {
        &self.job_definitions
    }

    /// `workload`, in file order.
    pub fn workload(&self) -> &[WorkloadEntry] {
        &self.workload
    }

    /// `actions`, sorted by time (file order within an instant).
    pub fn actions(&self) -> &[TimedAction] {
        &self.actions
    }

    /// The top-level `simulation` object: the scheduler's cycle and the SUBMITTED ->
    /// RUNNABLE delay (all 0 when absent).
    pub fn scheduler_latency(&self) -> SchedulerLatency {
        self.scheduler
    }

    /// `consumableResources` (CreateConsumableResource bodies), in file order (a
    /// [`crate::model::ConsumableResourceId`] is a position here).
    pub fn consumable_resources(&self) -> &[crate::model::ConsumableResource] {
        &self.consumable_resources
    }
}

impl Scenario {
    /// Reads and validates a scenario file. Trace paths are relative to the file's folder.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Scenario, Error> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.to_owned(),
            source,
        })?;
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("scenario");
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Self::parse(&text, &path.display().to_string(), stem, &dir)
    }

    /// Validates a scenario given as JSON text; `file` names it in messages (and its stem is
    /// the default scenario name). Trace paths are relative to the working directory.
    pub fn from_json_str(text: &str, file: &str) -> Result<Scenario, Error> {
        let stem = Path::new(file)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("scenario");
        Self::parse(text, file, stem, &PathBuf::new())
    }

    /// Validates a scenario given as a JSON value.
    pub fn from_value(value: &serde_json::Value, file: &str) -> Result<Scenario, Error> {
        let stem = Path::new(file)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("scenario");
        Self::check_value(value, file, stem, &PathBuf::new())
    }

    /// Validates a scenario given as a JSON value read from the file at `path` (for example
    /// one edited after reading): messages name `path`, the default name is its stem and trace
    /// paths are relative to its folder, as with [`Scenario::from_file`].
    pub fn from_value_at(value: &serde_json::Value, path: impl AsRef<Path>) -> Result<Scenario, Error> {
        let path = path.as_ref();
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("scenario");
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Self::check_value(value, &path.display().to_string(), stem, &dir)
    }

    fn parse(text: &str, file: &str, stem: &str, dir: &Path) -> Result<Scenario, Error> {
        let value = crate::json::parse(text, file)?;
        Self::check_value(&value, file, stem, dir)
    }

    fn check_value(value: &serde_json::Value, file: &str, stem: &str, dir: &Path) -> Result<Scenario, Error> {
        let invalid = |list: Vec<Problem>| {
            Error::Invalid(Problems {
                file: file.to_owned(),
                list,
            })
        };
        let mut problems: Vec<Problem> = schema::check_scenario(value)
            .into_iter()
            .map(|d| Problem {
                path: d.path,
                message: d.message,
            })
            .collect();
        // Values serde refuses (a JSON type the schema accepts but a Rust type does not,
        // such as `"seed": -1`) are reported and taken out, so the semantic checks still
        // see the rest of the file.
        let read = lenient::read(value);
        for p in read.problems {
            if !problems.iter().any(|q| q.path == p.path) {
                problems.push(p);
            }
        }
        let Some(raw) = read.raw else {
            return Err(invalid(document_order::sort(value, problems)));
        };
        let patched = read.patched;
        match validate::convert(raw, stem, dir) {
            Ok(s) if problems.is_empty() => Ok(s),
            Ok(_) => Err(invalid(document_order::sort(value, problems))),
            Err(more) => {
                // Structural problems first; a semantic problem at a path the structure check
                // already reported is a consequence of it, and so is one at or inside a value
                // taken out above. Semantic problems at one path (the bad lines of one trace)
                // are all kept.
                let structural = problems.len();
                for p in more {
                    let inside_patched = patched.iter().any(|t| is_at_or_inside(&p.path, t));
                    // A required field whose value was refused reads as missing: its type
                    // error already says what is wrong with it.
                    let refused_field = missing_field(&p).is_some_and(|field| {
                        problems[..structural].iter().any(|q| q.path == field) || patched.contains(&field)
                    });
                    if !inside_patched && !refused_field && !problems[..structural].iter().any(|q| q.path == p.path) {
                        problems.push(p);
                    }
                }
                Err(invalid(document_order::sort(value, problems)))
            }
        }
    }
}

/// The JSON path of the field a "missing required field" problem is about (`a.b` and
/// `` missing required field `c` `` give `a.b.c`), or `None` for any other problem.
fn missing_field(p: &Problem) -> Option<String> {
    let field = p.message.strip_prefix("missing required field `")?.strip_suffix('`')?;
    Some(if p.path == "(root)" {
        field.to_owned()
    } else {
        format!("{}.{field}", p.path)
    })
}

/// Whether JSON path `path` is `outer` or inside it (`a.b` and `a.b[0].c` are inside `a.b`;
/// `a.bc` is not).
fn is_at_or_inside(path: &str, outer: &str) -> bool {
    path.strip_prefix(outer)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.') || rest.starts_with('['))
}
