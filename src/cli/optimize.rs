//! `batchsim optimize`: the best set-up that meets constraints ([`crate::optimize`]), each
//! point's seeds run in parallel with rayon (results in index order, so the output is
//! byte-identical for any number of threads).
//!
//! Exit codes: 0 a feasible set-up was found, [`EXIT_INFEASIBLE`] (3) none of the evaluated
//! points is feasible (the closest is printed; `--out` is not written), 2 bad input (a bad
//! `--vary`, figure, constraint, seed range or scenario), 1 when an output cannot be
//! written (the message names it).

use super::output::{self, Pending, Target};
use super::{parse_seconds, CliError};
use crate::optimize::shard::{self, OptimizePart, ShardExecutor};
use crate::optimize::{self, Constraint, Executor, OptimizeError, Problem, Quantity, Sample, SearchMode, Vary};
use crate::sweep::{Seeds, Shard, ShardError, SweepError, SweepId, SweepOptions};
use crate::SimTime;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Exit code when no evaluated point meets every constraint.
pub const EXIT_INFEASIBLE: i32 = 3;

/// Arguments of `batchsim optimize`.
#[derive(clap::Args, Debug)]
pub struct OptimizeArgs {
    /// The scenario file (JSON).
    scenario: PathBuf,
    /// `PATH=LO..HI[:STEP]` (whole numbers LO, LO+STEP, ..., and HI) or `PATH=V1,V2,...`
    /// (JSON values or strings, in that order). PATH is a `sweep --set` path
    /// (`computeEnvironments[fargate].computeResources.maxvCpus`). One range alone is
    /// searched by bisection (assuming feasibility is monotone in it); anything else by
    /// the grid of every combination (at most 10,000 points).
    #[arg(long, required = true, value_name = "PATH=LO..HI|V1,V2,...", value_parser = parse_vary)]
    vary: Vec<Vary>,
    /// The figure to minimise: a sweep column (`cost`, `waitP95`, `queues[NAME].waitP95`,
    /// `computeEnvironments[NAME].utilizationOfMax`) or a path into the report's JSON
    /// (`cost.total`, `waitSeconds.p95`, `queues.NAME.waitSeconds.p95`); ranked by its
    /// mean over the seeds.
    #[arg(long, value_name = "FIGURE", value_parser = parse_quantity)]
    minimize: Quantity,
    /// `FIGURE OP BOUND` with OP one of `<=`, `<`, `>=`, `>`, `==` (repeatable): holds when
    /// the figure's one-sided upper confidence bound over the seeds does (the lower bound
    /// for `>=` and `>`; both for `==`).
    #[arg(long, alias = "subject-to", value_name = "FIGURE OP BOUND", value_parser = parse_constraint)]
    constraint: Vec<Constraint>,
    /// The seeds every point runs (common random numbers): `A..B`, both included.
    #[arg(long, value_name = "A..B", default_value = "1..10", value_parser = parse_seeds)]
    seeds: Seeds,
    /// The confidence of the one-sided bounds (Student t over the seeds).
    #[arg(long, default_value_t = 0.95)]
    confidence: f64,
    /// `auto` (bisection for one range alone, else grid), `bisection` or `grid`.
    #[arg(long, value_enum, default_value_t = SearchArg::Auto)]
    search: SearchArg,
    /// `text` (the best point, what binds and the evaluated points) or `json` (one
    /// object: `best`, `binding`, `evaluated`, ...).
    #[arg(long, value_enum, default_value_t = super::Format::Text)]
    format: super::Format,
    /// Writes the chosen set-up as a scenario file (JSON); not written when no point is
    /// feasible.
    #[arg(long, value_name = "BEST.json")]
    out: Option<PathBuf>,
    /// Writes every evaluated point (its settings, the objective's mean, each constraint's
    /// mean, bound and verdict) to this file: JSON when it ends in `.json`, else CSV.
    #[arg(long, value_name = "FILE.csv|FILE.json")]
    points: Option<PathBuf>,
    /// Stops every run's clock at this many seconds (overrides the scenario's `until`).
    #[arg(long, value_parser = parse_seconds, allow_negative_numbers = true)]
    until: Option<SimTime>,
    /// Adds the set-up imported from FILE, any input `batchsim import` reads (repeatable).
    #[arg(long = "infra", value_name = "FILE")]
    infra: Vec<PathBuf>,
    /// Refuses (exit 2) a set-up whose workload may generate more jobs than this, counted
    /// before its runs (as `run --max-jobs` counts).
    #[arg(long, value_name = "N", default_value_t = crate::scenario::DEFAULT_MAX_JOBS)]
    max_jobs: u64,
    /// Runs only shard I of N of the grid's runs (point x seed; run k belongs to shard
    /// k mod N + 1), `auto/N` taking I from `AWS_BATCH_JOB_ARRAY_INDEX`,
    /// `SLURM_ARRAY_TASK_ID` or `JOB_COMPLETION_INDEX`, and writes the figures to the part
    /// file `--out PART`. The grid only: bisection is sequential (give `--search grid`).
    #[arg(long, value_name = "I/N", conflicts_with_all = ["merge", "points"])]
    shard: Option<String>,
    /// Joins the parts of `--shard 1/N` to `N/N` (same scenario and flags) instead of
    /// running: the output is exactly the unsharded optimize's.
    #[arg(long, value_name = "PART", num_args = 1..)]
    merge: Vec<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum SearchArg {
    Auto,
    Bisection,
    Grid,
}

fn parse_vary(s: &str) -> Result<Vary, String> {
    s.parse()
}

fn parse_quantity(s: &str) -> Result<Quantity, String> {
    s.parse()
}

fn parse_constraint(s: &str) -> Result<Constraint, String> {
    s.parse()
}

fn parse_seeds(s: &str) -> Result<Seeds, String> {
    s.parse().map_err(|e: SweepError| e.to_string())
}

/// The runs of a point on all cores, in index order.
struct Parallel;

impl Executor for Parallel {
    fn map(&self, n: usize, f: &(dyn Fn(usize) -> Sample + Sync)) -> Vec<Sample> {
        (0..n).into_par_iter().map(f).collect()
    }
}

/// The scenario file as JSON (with its `--infra` set-up), or the error `run` gives.
fn scenario_value(path: &Path, infra: &[PathBuf]) -> Result<(serde_json::Value, super::Added), CliError> {
    if let Some(found) = super::with_infra(path, infra)? {
        return Ok(found);
    }
    let bad = |e: crate::Error| CliError::BadInput(super::describe(&e, path));
    crate::Scenario::from_file(path).map_err(bad)?;
    let value = crate::error::read_json(path).map_err(bad)?;
    Ok((value, super::Added::default()))
}

/// A library error as a message naming the flag it comes from.
fn message(e: OptimizeError, added: &super::Added) -> CliError {
    CliError::BadInput(match e {
        OptimizeError::Sweep(SweepError::Scenario {
            file,
            combination,
            source,
        }) => {
            let e = SweepError::Scenario {
                file,
                combination,
                source: added.explain(source),
            };
            match &e {
                SweepError::Scenario {
                    combination: Some(_), ..
                } => format!("--vary {e}"),
                _ => e.to_string(),
            }
        }
        OptimizeError::Sweep(e @ SweepError::Setting { .. }) => format!("--vary {e}"),
        OptimizeError::Sweep(e @ (SweepError::Seeds { .. } | SweepError::TooManyRuns { .. })) => format!("--seeds {e}"),
        other => other.to_string(),
    })
}

/// Runs `batchsim optimize`; returns the exit code.
pub(super) fn optimize(args: &OptimizeArgs) -> i32 {
    match run(args) {
        Ok(true) => 0,
        Ok(false) => EXIT_INFEASIBLE,
        Err(e) => super::finish(Err(e)),
    }
}

/// Whether a feasible point was found.
fn run(args: &OptimizeArgs) -> Result<bool, CliError> {
    let (value, added) = scenario_value(&args.scenario, &args.infra)?;
    let problem = Problem {
        vary: args.vary.clone(),
        objective: args.minimize.clone(),
        constraints: args.constraint.clone(),
        seeds: args.seeds,
        confidence: args.confidence,
        search: match args.search {
            SearchArg::Auto => SearchMode::Auto,
            SearchArg::Bisection => SearchMode::Bisection,
            SearchArg::Grid => SearchMode::Grid,
        },
        options: SweepOptions {
            until: args.until,
            job_records: false,
        },
        max_jobs: Some(args.max_jobs),
    };
    // Open the outputs before the runs: a bad folder is found at once.
    let open = |flag: &'static str, p: &Option<PathBuf>| match p.as_deref().map(|p| Target::of(flag, p)) {
        Some(Target::File { flag, path }) => Pending::create(flag, &path).map(Some),
        _ => Ok(None),
    };
    if args.out.as_deref() == Some(Path::new("-")) || args.points.as_deref() == Some(Path::new("-")) {
        return Err(CliError::BadInput(
            "--out and --points write files; standard output carries the summary".into(),
        ));
    }
    let sharded = args.shard.is_some() || !args.merge.is_empty();
    if sharded && shard::bisects(&problem) {
        let flag = if args.shard.is_some() { "--shard" } else { "--merge" };
        return Err(CliError::BadInput(format!(
            "{flag}: this search is a bisection, which is sequential (each step depends on the one before), so its \
             runs cannot be split into independent array-job children; give --search grid to evaluate every value \
             in shards"
        )));
    }
    let id =
        || shard::optimize_id(&args.scenario, &args.infra, &problem).map_err(|e| CliError::BadInput(e.to_string()));
    if let Some(text) = &args.shard {
        let which =
            Shard::parse(text, |v| std::env::var(v).ok()).map_err(|e| CliError::BadInput(format!("--shard {e}")))?;
        return run_shard(args, &value, &problem, which, id()?, &added).map(|()| true);
    }
    let mut out = open("--out", &args.out)?;
    let mut points = open("--points", &args.points)?;
    let outcome = if args.merge.is_empty() {
        optimize::optimize(&value, &args.scenario, &problem, &Parallel)
    } else {
        let bad = |e: ShardError| CliError::BadInput(format!("--merge {e}"));
        let parts = args
            .merge
            .iter()
            .map(|p| OptimizePart::read(p).map(|part| (p.clone(), part)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(bad)?;
        let replay = shard::merge(id()?, parts).map_err(bad)?;
        optimize::optimize(&value, &args.scenario, &problem, &replay)
    }
    .map_err(|e| message(e, &added))?;
    for w in &outcome.warnings {
        output::note(&format!("warning: {w}"));
    }
    if problem.seeds.count() == 1 {
        output::note("note: one seed: each bound is that seed's value (use --seeds A..B for a confidence bound)");
    }
    let text = match args.format {
        super::Format::Json => format!("{:#}\n", outcome.to_json(&problem)),
        super::Format::Text => outcome.to_text(&problem),
    };
    output::to_stdout(text.as_bytes())?;
    if let Some(mut pending) = points.take() {
        let is_json = args.points.as_deref().is_some_and(super::is_json_path);
        let body = if is_json {
            let all: Vec<serde_json::Value> = outcome.points.iter().map(|p| outcome.point_json(&problem, p)).collect();
            format!("{:#}\n", serde_json::Value::Array(all))
        } else {
            outcome.points_csv(&problem)
        };
        pending.write(|w| w.write_all(body.as_bytes()))?;
        pending.commit()?;
    }
    let feasible = outcome.best.is_some();
    if let Some(mut pending) = out.take() {
        if feasible {
            let body = format!("{:#}\n", outcome.scenario);
            pending.write(|w| w.write_all(body.as_bytes()))?;
            pending.commit()?;
        } else {
            output::note(&format!(
                "no feasible set-up: {} not written (exit {EXIT_INFEASIBLE})",
                pending.target()
            ));
        }
    }
    Ok(feasible)
}

/// `--shard`: runs the shard's runs of the grid and writes its part to `--out`.
fn run_shard(
    args: &OptimizeArgs,
    value: &serde_json::Value,
    problem: &Problem,
    which: Shard,
    id: SweepId,
    added: &super::Added,
) -> Result<(), CliError> {
    let target = match args.out.as_deref().map(|p| Target::of("--out", p)) {
        Some(Target::File { flag, path }) => Pending::create(flag, &path)?,
        _ => {
            return Err(CliError::BadInput(
                "--shard writes a part file: give --out PART (then join the parts with --merge)".into(),
            ))
        }
    };
    let executor = ShardExecutor::new(which, problem, &Parallel);
    optimize::optimize(value, &args.scenario, problem, &executor).map_err(|e| message(e, added))?;
    let part = executor
        .part(id)
        .ok_or_else(|| CliError::BadInput("--shard: the search evaluated no grid".into()))?;
    let mut pending = target;
    let body = part.to_json();
    pending.write(|w| w.write_all(body.as_bytes()))?;
    let written = pending.target().to_string();
    pending.commit()?;
    output::note(&format!(
        "optimize {id}: shard {which}: {} of {} run(s), part written to {written}; join the {} parts with --merge",
        part.samples.len(),
        part.runs,
        which.count()
    ));
    Ok(())
}
