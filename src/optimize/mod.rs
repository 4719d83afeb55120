//! # Optimize: the best set-up that meets the targets
//!
//! [`optimize`] searches settings of a scenario ([`Vary`]: any `--set` path with a range of
//! whole numbers or a list of values) for the point that minimises an objective (a figure
//! of the report: `cost`, `queues[critical].waitP95`, `cost.total`) among the points that
//! meet every [`Constraint`] (`queues[critical].waitP95 <= 600`, `jobs.queued == 0`).
//!
//! Every point runs on the same seeds (common random numbers: candidates differ by their
//! settings, not by their luck). A constraint holds when the figure's one-sided confidence
//! bound over the seeds does ([`bound`]); the objective is ranked by its mean, ties going
//! to the point that comes first in the order of the values.
//!
//! One range alone is searched by bisection, *assuming* feasibility is monotone in it
//! (see [`search`] for the rule, and [`Outcome::warnings`] for the check on the evaluated
//! points); anything else by the grid of every combination, refused past [`MAX_POINTS`].
//!
//! ```
//! use batchsim::optimize::{optimize, InOrder, Problem};
//!
//! // At time 0, one 4-vCPU Fargate job of 60 s in "critical" (priority 10) and two of
//! // 600 s in "batch" (priority 1).
//! let scenario: serde_json::Value = serde_json::from_str(r#"{
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
//!     {"at": 0, "submitJob": {"jobName": "nightly-1", "jobQueue": "batch", "jobDefinition": "big"},
//!      "runtime": {"distribution": "fixed", "seconds": 600}},
//!     {"at": 0, "submitJob": {"jobName": "nightly-2", "jobQueue": "batch", "jobDefinition": "big"},
//!      "runtime": {"distribution": "fixed", "seconds": 600}},
//!     {"at": 0, "submitJob": {"jobName": "urgent", "jobQueue": "critical", "jobDefinition": "big"},
//!      "runtime": {"distribution": "fixed", "seconds": 60}}]
//! }"#)?;
//!
//! // The cheapest maxvCpus from 4 to 64 where no batch job waits over 30 s. Up to 7
//! // vCPUs run one job at a time (the second batch job waits 660 s), 8 to 11 two (it
//! // waits 60 s), 12 all three. Fargate bills the jobs' vCPUs and memory, not maxvCpus,
//! // so every feasible point costs the same and the tie goes to the smallest: 12.
//! let problem = Problem::new(
//!     vec!["computeEnvironments[fargate].computeResources.maxvCpus=4..64".parse()?],
//!     "cost".parse()?,
//!     vec!["queues[batch].waitMax <= 30".parse()?],
//!     "1..3".parse()?,
//! );
//! let outcome = optimize(&scenario, "two-queues.json", &problem, &InOrder)?;
//! let best = &outcome.points[outcome.best.expect("a feasible point")];
//! assert_eq!(best.values[0].text, "12");
//! assert_eq!(best.constraints[0].upper, Some(0.0));
//! // 11 vCPUs were tried and fail: that constraint binds.
//! assert_eq!(outcome.binding, Some(0));
//! assert!(outcome.points.iter().any(|p| p.values[0].text == "11" && !p.feasible));
//! assert_eq!(outcome.scenario["computeEnvironments"][0]["computeResources"]["maxvCpus"], 12);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod bound;
mod choice;
mod constraint;
mod evaluate;
mod figure;
mod render;
pub mod search;
pub mod shard;
mod vary;

pub use bound::{t_quantile, Estimate};
pub use constraint::{Constraint, Op};
pub use figure::Quantity;
pub use vary::{Values, Vary};

use crate::sweep::{Seeds, SetValue, Setting, SweepError, SweepOptions, MAX_RUNS};
use search::Found;
use serde_json::Value;
use std::path::Path;

/// The most points a grid may have.
pub const MAX_POINTS: u128 = 10_000;

/// How to search.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum SearchMode {
    /// Bisection for one range alone, else the grid.
    #[default]
    Auto,
    /// Bisection (one range setting only).
    Bisection,
    /// Every combination.
    Grid,
}

/// What to search, for what.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// The settings and their values.
    pub vary: Vec<Vary>,
    /// The figure to minimise.
    pub objective: Quantity,
    /// The constraints every answer meets.
    pub constraints: Vec<Constraint>,
    /// The seeds every point runs.
    pub seeds: Seeds,
    /// The confidence of the one-sided bounds (0.5 to 1, exclusive of 1; default 0.95).
    pub confidence: f64,
    /// How to search.
    pub search: SearchMode,
    /// How every run is made (`until`).
    pub options: SweepOptions,
    /// Refuses a point whose workload may generate more jobs than this (counted before
    /// running, as `run --max-jobs` counts); `None`: no bound.
    pub max_jobs: Option<u64>,
}

impl Problem {
    /// A problem with confidence 0.95, the automatic search and default run options.
    pub fn new(vary: Vec<Vary>, objective: Quantity, constraints: Vec<Constraint>, seeds: Seeds) -> Problem {
        Problem {
            vary,
            objective,
            constraints,
            seeds,
            confidence: 0.95,
            search: SearchMode::Auto,
            options: SweepOptions::default(),
            max_jobs: None,
        }
    }
}

/// The search that ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Search {
    /// Bisection, assuming feasibility monotone in the setting.
    Bisection,
    /// Every combination.
    Grid,
}

/// One evaluated point.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    /// Its value of each setting.
    pub values: Vec<SetValue>,
    /// When it was evaluated (1 for the first).
    pub order: usize,
    /// The objective over the seeds.
    pub objective: Estimate,
    /// Each constraint's figure over the seeds.
    pub constraints: Vec<Estimate>,
    /// Whether each constraint holds.
    pub holds: Vec<bool>,
    /// Whether all hold.
    pub feasible: bool,
    /// Which value of each setting (for the order of the values).
    key: Vec<u128>,
}

/// What [`optimize`] found.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// The search that ran.
    pub search: Search,
    /// Every evaluated point, in the order of the values (the last setting fastest).
    pub points: Vec<Point>,
    /// The best feasible point (`None`: no evaluated point is feasible).
    pub best: Option<usize>,
    /// Without a feasible point, the one nearest to feasible (least total violation,
    /// relative to each bound).
    pub closest: Option<usize>,
    /// The constraint that binds at the best point: of those violated by the points that
    /// rank better on the objective, the one with least slack at the best point (`None`
    /// when no better point was evaluated: the objective's own optimum is feasible).
    pub binding: Option<usize>,
    /// Monotonicity violations seen by bisection, and other notes.
    pub warnings: Vec<String>,
    /// The scenario (JSON) with the best point's values, else the closest point's.
    pub scenario: Value,
}

/// Why a search cannot run, named by its command-line flag.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OptimizeError {
    /// A bad argument.
    #[error("{flag} {arg}: {reason}")]
    Argument {
        /// The flag (`--vary`, `--minimize`, `--constraint`, `--confidence`).
        flag: &'static str,
        /// The argument as written.
        arg: String,
        /// What is wrong.
        reason: String,
    },
    /// A point's sweep could not be set up or run.
    #[error(transparent)]
    Sweep(#[from] SweepError),
    /// A point's workload may generate more jobs than [`Problem::max_jobs`].
    #[error("{}{}: {reason}", file.display(), point.as_deref().map(|p| format!(" (set-up {p})")).unwrap_or_default())]
    JobBound {
        /// The scenario file.
        file: std::path::PathBuf,
        /// The point (`--vary` values); `None` when nothing is varied.
        point: Option<String>,
        /// The entry, the count and the bound.
        reason: String,
    },
}

/// How a batch of runs is spread: [`InOrder`] on this thread, or over threads (the
/// command line uses rayon). Results come back in index order, so the outcome does not
/// depend on it.
pub trait Executor {
    /// `f(0), f(1), ..., f(n - 1)`, in that order.
    fn map(&self, n: usize, f: &(dyn Fn(usize) -> Sample + Sync)) -> Vec<Sample>;
}

/// One run's figures: the objective, then each constraint's (`None`: no value).
pub type Sample = Result<Vec<Option<f64>>, OptimizeError>;

/// Every run in order on the calling thread.
#[derive(Clone, Copy, Debug, Default)]
pub struct InOrder;

impl Executor for InOrder {
    fn map(&self, n: usize, f: &(dyn Fn(usize) -> Sample + Sync)) -> Vec<Sample> {
        (0..n).map(f).collect()
    }
}

/// Searches `problem` over the scenario `value` read from `file` (messages name it).
pub fn optimize(
    value: &Value,
    file: impl AsRef<Path>,
    problem: &Problem,
    executor: &dyn Executor,
) -> Result<Outcome, OptimizeError> {
    let mut state = evaluate::State::new(value, file.as_ref(), problem, executor)?;
    let sizes: Vec<u128> = problem.vary.iter().map(|v| v.values.len()).collect();
    let one_range = matches!(problem.vary.as_slice(), [v] if matches!(v.values, Values::Range { .. }));
    let search = match problem.search {
        SearchMode::Auto if one_range => Search::Bisection,
        SearchMode::Bisection if one_range => Search::Bisection,
        SearchMode::Bisection => {
            return Err(state.vary_error(
                "bisection searches one setting with a range LO..HI; use the grid for lists or several settings".into(),
            ))
        }
        _ => Search::Grid,
    };
    let mut warnings = Vec::new();
    match search {
        Search::Bisection => {
            let found = search::bisect(sizes[0], |k| state.evaluate(&[vec![k]]).map(|f| f[0]))?;
            if let Found::NoneFeasible = found {
                warnings.push(format!(
                    "neither end of {}={} is feasible: assuming monotonicity, no value between is",
                    problem.vary[0].path(),
                    problem.vary[0].values.text()
                ));
            }
        }
        Search::Grid => {
            let points = sizes
                .iter()
                .try_fold(1u128, |n, &s| n.checked_mul(s))
                .unwrap_or(u128::MAX);
            let runs = points.saturating_mul(u128::from(problem.seeds.count()));
            if points > MAX_POINTS || runs > u128::from(MAX_RUNS) {
                let shape: Vec<String> = sizes.iter().map(u128::to_string).collect();
                return Err(state.vary_error(format!(
                    "the grid has {points} points ({}) x {} seeds = {runs} runs; the most is {MAX_POINTS} points \
                     and {MAX_RUNS} runs: give ranges a step (LO..HI:STEP) or list fewer values",
                    shape.join(" x "),
                    problem.seeds.count()
                )));
            }
            state.evaluate(&search::grid(&sizes))?;
        }
    }
    let mut points = state.points;
    points.sort_by(|a, b| a.key.cmp(&b.key));
    if search == Search::Bisection {
        warnings.extend(search::monotonicity(problem, &points));
    }
    let choice::Choice { best, closest, binding } = choice::choose(&problem.constraints, &points);
    let chosen = best.or(closest).map(|i| &points[i]);
    let scenario = match chosen {
        Some(p) => {
            let settings: Vec<Setting> = problem.vary.iter().zip(&p.key).map(|(v, &k)| v.at(k)).collect();
            crate::sweep::apply_first(value, &settings)?
        }
        None => value.clone(),
    };
    Ok(Outcome {
        search,
        points,
        best,
        closest,
        binding,
        warnings,
        scenario,
    })
}
