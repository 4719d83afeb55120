//! # Sweeps: every combination of seeds and settings
//!
//! A [`Sweep`] runs one scenario once per seed and per combination of [`Setting`] values
//! (each a JSON path and the values to put there, as `batchsim sweep --set` takes them),
//! and gives one [`Row`] of typed [`Figures`] per run. A [`Table`] then picks
//! columns ([`parse_columns`]: per run, per job queue, per share, per compute environment) and writes
//! them as CSV, JSON or JSON lines, with the mean and 95% confidence interval over seeds per
//! combination ([`Table::intervals`]).
//!
//! Each run is an independent [`Simulation`]: [`Sweep::run`] runs one by index, so a caller
//! can spread them over threads (the command line uses rayon); [`Sweep::run_all`] runs them
//! in order on the calling thread. Rows come in the order (seed, first setting's value,
//! second setting's value, ...) whatever order the runs finish in, so the output is
//! byte-identical for any number of threads.
//!
//! ```
//! use batchsim::sweep::{parse_columns, Figure, Seeds, Sweep, SweepOptions, Table};
//!
//! // "critical" (priority 10) and "batch" share one Fargate compute environment; both
//! // submit a 4-vCPU job at time 0. With 4 vCPUs the batch job waits for the critical one
//! // (60 s); with 8 both start at once.
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
//!     {"at": 0, "submitJob": {"jobName": "nightly", "jobQueue": "batch", "jobDefinition": "big"},
//!      "runtime": {"distribution": "fixed", "seconds": 600}},
//!     {"at": 0, "submitJob": {"jobName": "urgent", "jobQueue": "critical", "jobDefinition": "big"},
//!      "runtime": {"distribution": "fixed", "seconds": 60}}]
//! }"#)?;
//!
//! let settings = vec!["computeEnvironments[fargate].computeResources.maxvCpus=4,8".parse()?];
//! let sweep = Sweep::from_value_at(&scenario, "two-queues.json", "1..2".parse()?, settings,
//!                                  SweepOptions::default())?;
//! assert_eq!(sweep.runs(), 4);
//! let rows = sweep.run_all()?;
//! let columns = parse_columns("queues[*].waitP95,computeEnvironments[fargate].utilizationOfMax")?;
//! sweep.check_columns(&columns)?;
//! let table = Table::new(&sweep, &rows, &columns);
//! assert_eq!(table.header(), ["seed", "computeEnvironments[fargate].computeResources.maxvCpus",
//!     "queues[batch].waitP95", "queues[critical].waitP95",
//!     "computeEnvironments[fargate].utilizationOfMax"]);
//! // Seed 1 with 4 vCPUs, then with 8.
//! assert_eq!(table.rows[0].figures[..2], [Figure::Number(60.0), Figure::Number(0.0)]);
//! assert_eq!(table.rows[1].figures[..2], [Figure::Number(0.0), Figure::Number(0.0)]);
//! let csv = table.to_csv();
//! assert_eq!(csv.lines().nth(1), Some("1,4,60,0,1"));
//! assert_eq!(csv.lines().nth(2), Some("1,8,0,0,0.55"));
//! // Mean over the two seeds of the batch queue's p95, per capacity.
//! let means: Vec<_> = table.intervals(0, sweep.combinations()).iter().map(|i| i.mean).collect();
//! assert_eq!(means, [Some(60.0), Some(0.0)]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub(crate) mod columns;
mod misplaced;
mod set;
pub(crate) mod shard;
mod table;

pub use columns::{parse_columns, Column, ColumnSpec, Figure, Figures, GroupFigures, Metric, Scope, Stat, Unit};
pub use set::{SetValue, Setting, Step};
pub use shard::{merge, Merged, Part, PartHeader, Shard, ShardError, SweepFlags, SweepId};
pub use table::{mean_ci, round6, t_975, Format, Interval, Table, TableRow};

use crate::scenario::suggest::suggest;
use crate::{Error, Options, Scenario, SimTime, Simulation};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The most runs one sweep may ask for (seeds x combinations): a million runs of even a
/// small scenario take the better part of an hour, and their rows are kept in memory.
pub const MAX_RUNS: u64 = 1_000_000;

/// Why a sweep cannot be set up or run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SweepError {
    /// A bad seed range.
    #[error("`{text}`: {reason}")]
    Seeds {
        /// As written.
        text: String,
        /// What is wrong.
        reason: String,
    },
    /// A setting whose path does not fit the scenario.
    #[error("{path}: {reason}")]
    Setting {
        /// The path as written.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// More runs than [`MAX_RUNS`].
    #[error("{seeds} seed{} x {combinations} combination{} asks for {runs} runs; the most is {MAX_RUNS}",
            if *.seeds == 1 { "" } else { "s" }, if *.combinations == 1 { "" } else { "s" })]
    TooManyRuns {
        /// Seeds.
        seeds: u64,
        /// Combinations of setting values.
        combinations: u128,
        /// Their product.
        runs: u128,
    },
    /// A bad column.
    #[error("{column}: {reason}")]
    Column {
        /// As written.
        column: String,
        /// What is wrong.
        reason: String,
    },
    /// A run that could not start: past the last run, or refused by the simulation (not
    /// for a sweep set up by [`Sweep::from_value_at`], which checks every combination).
    #[error("run {index}: {reason}")]
    Run {
        /// The run's index.
        index: usize,
        /// Why.
        reason: String,
    },
    /// The scenario (with one combination's values, if any) is not valid.
    #[error("{}{}", combination.as_ref().map(|c| format!("{c}: ")).unwrap_or_default(), describe(source, file))]
    Scenario {
        /// The scenario file.
        file: PathBuf,
        /// The combination as `PATH=V PATH=V`, `None` for the scenario as written.
        combination: Option<String>,
        /// The problem.
        source: Error,
    },
}

/// An error naming the file (trace errors do not).
fn describe(e: &Error, file: &Path) -> String {
    match e {
        Error::Trace(m) => format!("{}: {m}", file.display()),
        other => other.to_string(),
    }
}

/// An inclusive, non-empty range of seeds of at most [`MAX_RUNS`] seeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seeds {
    first: u64,
    last: u64,
}

impl Seeds {
    /// `first..=last`; refused when empty or longer than [`MAX_RUNS`].
    pub fn new(first: u64, last: u64) -> Result<Seeds, SweepError> {
        let bad = |reason: String| SweepError::Seeds {
            text: format!("{first}..{last}"),
            reason,
        };
        if last < first {
            return Err(bad(
                "the last seed is smaller than the first (A..B includes both)".into()
            ));
        }
        let count = u128::from(last - first) + 1;
        if count > u128::from(MAX_RUNS) {
            return Err(bad(format!("{count} seeds; a sweep runs at most {MAX_RUNS} runs")));
        }
        Ok(Seeds { first, last })
    }

    /// The first seed.
    pub fn first(self) -> u64 {
        self.first
    }

    /// The last seed (included).
    pub fn last(self) -> u64 {
        self.last
    }

    /// How many seeds (1 to [`MAX_RUNS`]).
    pub fn count(self) -> u64 {
        self.last - self.first + 1
    }
}

impl FromStr for Seeds {
    type Err = SweepError;

    /// `A..B` (or `A..=B`, both included) or one seed `N`.
    fn from_str(s: &str) -> Result<Seeds, SweepError> {
        let bad = |reason: String| SweepError::Seeds {
            text: s.to_owned(),
            reason,
        };
        let number = |t: &str, which: &str| {
            let t = t.trim();
            if t.is_empty() {
                return Err(bad(match which {
                    "" => "no seed given (write A..B, e.g. 1..10, or one seed N)".to_owned(),
                    _ => format!("lacks its {which} seed (write A..B, e.g. 1..10)"),
                }));
            }
            t.parse::<u64>()
                .map_err(|_| bad(format!("`{t}` is not a seed (a whole number from 0 to {})", u64::MAX)))
        };
        let (first, last) = match s.split_once("..") {
            Some((a, b)) => (number(a, "first")?, number(b.strip_prefix('=').unwrap_or(b), "last")?),
            None => {
                let n = number(s, "")?;
                (n, n)
            }
        };
        Seeds::new(first, last).map_err(|e| match e {
            SweepError::Seeds { reason, .. } => bad(reason),
            other => other,
        })
    }
}

/// How every run of a sweep is made.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SweepOptions {
    /// Stops every run's clock here (overrides the scenario's `until`).
    pub until: Option<SimTime>,
    /// Keeps each run's job records, for turnarounds per queue and share (see
    /// [`ColumnSpec::needs_records`]); a little slower.
    pub job_records: bool,
}

/// One run's result.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The seed.
    pub seed: u64,
    /// The combination of setting values (see [`Sweep::combination`]).
    pub combination: usize,
    /// Its figures.
    pub figures: Figures,
}

/// The runs of a sweep without its scenario: the seeds and every combination of setting
/// values, in run order. [`Sweep::grid`] gives a sweep's; [`Grid::new`] rebuilds one from
/// the flags alone (as `batchsim merge` does from a part's header).
#[derive(Clone, Debug, PartialEq)]
pub struct Grid {
    seeds: Seeds,
    settings: Vec<Setting>,
    /// Per combination, which value of each setting (the last setting varies fastest).
    combinations: Vec<Vec<usize>>,
}

impl Grid {
    /// The runs of `seeds` x every combination of `settings`; refused past [`MAX_RUNS`].
    pub fn new(seeds: Seeds, settings: Vec<Setting>) -> Result<Grid, SweepError> {
        let combinations = settings
            .iter()
            .try_fold(1u128, |n, s| n.checked_mul(s.values.len() as u128))
            .unwrap_or(u128::MAX);
        let runs = combinations.saturating_mul(u128::from(seeds.count()));
        if runs > u128::from(MAX_RUNS) {
            return Err(SweepError::TooManyRuns {
                seeds: seeds.count(),
                combinations,
                runs,
            });
        }
        Ok(Grid {
            seeds,
            combinations: combinations_of(&settings),
            settings,
        })
    }

    /// The seeds.
    pub fn seeds(&self) -> Seeds {
        self.seeds
    }

    /// The settings.
    pub fn settings(&self) -> &[Setting] {
        &self.settings
    }

    /// Number of combinations of setting values (1 without settings).
    pub fn combinations(&self) -> usize {
        self.combinations.len()
    }

    /// Combination `c`: which value of each setting.
    pub fn combination(&self, c: usize) -> &[usize] {
        self.combinations.get(c).map_or(&[], Vec::as_slice)
    }

    /// Combination `c` as `PATH=V PATH=V` (with `names` for the paths, when given), or
    /// `(scenario as written)` without settings.
    pub fn label(&self, c: usize, names: Option<&[String]>) -> String {
        label(&self.settings, names, self.combination(c))
    }

    /// Names for the settings in summaries: each path's last key (`maxvCpus`) when those
    /// are all different, else the full paths.
    pub fn short_names(&self) -> Vec<String> {
        let last: Vec<Option<&str>> = self.settings.iter().map(Setting::last_key).collect();
        let distinct = last
            .iter()
            .enumerate()
            .all(|(i, k)| k.is_some() && !last[..i].contains(k));
        if distinct {
            last.into_iter().map(|k| k.unwrap_or_default().to_owned()).collect()
        } else {
            self.settings.iter().map(|s| s.path_text.clone()).collect()
        }
    }

    /// Total runs: seeds x combinations (at most [`MAX_RUNS`] by construction; saturating
    /// all the same).
    pub fn runs(&self) -> usize {
        usize::try_from(self.seeds.count())
            .unwrap_or(usize::MAX)
            .saturating_mul(self.combinations.len())
    }

    /// Run `index`'s seed and combination (`None` past the last run): seed
    /// `first + index / combinations`, combination `index % combinations`.
    pub fn run_at(&self, index: usize) -> Option<(u64, usize)> {
        let n = self.combinations.len();
        if index >= self.runs() || n == 0 {
            return None;
        }
        let seed = self.seeds.first.checked_add(u64::try_from(index / n).ok()?)?;
        Some((seed, index % n))
    }
}

/// A scenario, seeds and settings: every run of a sweep, checked and ready.
#[derive(Clone, Debug)]
pub struct Sweep {
    file: PathBuf,
    grid: Grid,
    /// Per combination, its scenario.
    scenarios: Vec<Scenario>,
    options: SweepOptions,
}

impl Sweep {
    /// Reads the scenario file and sets up the sweep (see [`Sweep::from_value_at`]). A file
    /// that cannot be loaded gives the same error as [`Scenario::from_file`].
    pub fn from_file(
        path: impl AsRef<Path>,
        seeds: Seeds,
        settings: Vec<Setting>,
        options: SweepOptions,
    ) -> Result<Sweep, SweepError> {
        let path = path.as_ref();
        let scenario_error = |source| SweepError::Scenario {
            file: path.to_owned(),
            combination: None,
            source,
        };
        Scenario::from_file(path).map_err(scenario_error)?;
        let value: Value = crate::error::read_json(path).map_err(scenario_error)?;
        Sweep::from_value_at(&value, path, seeds, settings, options)
    }

    /// Sets up a sweep of the scenario `value` read from `path` (messages name it; trace
    /// paths are relative to its folder): checks every setting's path, the number of runs,
    /// and every combination's scenario, before anything runs.
    pub fn from_value_at(
        value: &Value,
        path: impl AsRef<Path>,
        seeds: Seeds,
        settings: Vec<Setting>,
        options: SweepOptions,
    ) -> Result<Sweep, SweepError> {
        let path = path.as_ref();
        let mut resolved = Vec::with_capacity(settings.len());
        for s in &settings {
            let bad = |reason: String| SweepError::Setting {
                path: s.path_text.clone(),
                reason,
            };
            let r = set::resolve(value, &s.path).map_err(bad)?;
            if resolved.contains(&r) {
                return Err(bad("the same path is given twice".into()));
            }
            resolved.push(r);
        }
        let grid = Grid::new(seeds, settings)?;
        let settings = &grid.settings;
        let mut scenarios = Vec::with_capacity(grid.combinations.len());
        for combo in &grid.combinations {
            let mut v = value.clone();
            for ((s, r), &i) in settings.iter().zip(&resolved).zip(combo) {
                set::set(&mut v, r, s.values[i].json.clone()).map_err(|reason| SweepError::Setting {
                    path: s.path_text.clone(),
                    reason,
                })?;
            }
            let scenario = Scenario::from_value_at(&v, path)
                .and_then(|sc| {
                    Simulation::new(&sc, run_options(seeds.first, &options))?;
                    Ok(sc)
                })
                .map_err(|source| {
                    // A field added where the scenario has none of that name is the
                    // setting's problem, whatever the value.
                    let misplaced = settings.iter().zip(&resolved).find_map(|(s, r)| {
                        misplaced::reason(value, r, &source).map(|reason| SweepError::Setting {
                            path: s.path_text.clone(),
                            reason,
                        })
                    });
                    misplaced.unwrap_or_else(|| SweepError::Scenario {
                        file: path.to_owned(),
                        combination: (!settings.is_empty()).then(|| label(settings, None, combo)),
                        source,
                    })
                })?;
            scenarios.push(scenario);
        }
        Ok(Sweep {
            file: path.to_owned(),
            grid,
            scenarios,
            options,
        })
    }

    /// A sweep of seeds only, over a scenario already loaded (`file` names it in messages).
    pub fn of_scenario(
        scenario: Scenario,
        file: impl AsRef<Path>,
        seeds: Seeds,
        options: SweepOptions,
    ) -> Result<Sweep, SweepError> {
        let file = file.as_ref().to_owned();
        Simulation::new(&scenario, run_options(seeds.first, &options)).map_err(|source| SweepError::Scenario {
            file: file.clone(),
            combination: None,
            source,
        })?;
        Ok(Sweep {
            file,
            grid: Grid {
                seeds,
                settings: Vec::new(),
                combinations: vec![Vec::new()],
            },
            scenarios: vec![scenario],
            options,
        })
    }

    /// Combination `c`'s scenario (`None` past the last combination).
    pub fn scenario(&self, c: usize) -> Option<&Scenario> {
        self.scenarios.get(c)
    }

    /// The runs without the scenario: seeds and combinations.
    pub fn grid(&self) -> &Grid {
        &self.grid
    }

    /// The seeds.
    pub fn seeds(&self) -> Seeds {
        self.grid.seeds
    }

    /// The settings.
    pub fn settings(&self) -> &[Setting] {
        &self.grid.settings
    }

    /// Number of combinations of setting values (1 without settings).
    pub fn combinations(&self) -> usize {
        self.grid.combinations()
    }

    /// Combination `c`: which value of each setting.
    pub fn combination(&self, c: usize) -> &[usize] {
        self.grid.combination(c)
    }

    /// Combination `c` as `PATH=V PATH=V` (with `names` for the paths, when given), or
    /// `(scenario as written)` without settings.
    pub fn label(&self, c: usize, names: Option<&[String]>) -> String {
        self.grid.label(c, names)
    }

    /// Names for the settings in summaries (see [`Grid::short_names`]).
    pub fn short_names(&self) -> Vec<String> {
        self.grid.short_names()
    }

    /// Total runs: seeds x combinations.
    pub fn runs(&self) -> usize {
        self.grid.runs()
    }

    /// Checks that the queues and compute environments `columns` name exist (share names
    /// are known only from the runs: a share no run used gives empty figures).
    pub fn check_columns(&self, columns: &[ColumnSpec]) -> Result<(), SweepError> {
        let Some(scenario) = self.scenarios.first() else {
            return Ok(());
        };
        for c in columns {
            let Some((what, name)) = c.named() else { continue };
            let names: Vec<&str> = if what == "queue" {
                scenario.job_queues.iter().map(|q| q.name.as_str()).collect()
            } else {
                scenario
                    .compute_environments
                    .iter()
                    .map(|ce| ce.name.as_str())
                    .collect()
            };
            if !names.contains(&name) {
                let hint = suggest(name, names.iter().copied())
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                return Err(SweepError::Column {
                    column: c.text.clone(),
                    reason: format!("the scenario has no {what} `{name}`{hint}"),
                });
            }
        }
        Ok(())
    }

    /// Run `index` (0..[`Sweep::runs`]): seed `first + index / combinations`, combination
    /// `index % combinations`.
    pub fn run(&self, index: usize) -> Result<Row, SweepError> {
        self.run_with_report(index).map(|(row, _)| row)
    }

    /// Run `index` as [`Sweep::run`], with its whole report (for figures the columns do not
    /// name, read by their path in the report's JSON).
    pub fn run_with_report(&self, index: usize) -> Result<(Row, crate::Report), SweepError> {
        let (seed, combination) = self.grid.run_at(index).ok_or_else(|| SweepError::Run {
            index,
            reason: format!("the sweep has {} runs", self.runs()),
        })?;
        let sim = Simulation::new(&self.scenarios[combination], run_options(seed, &self.options)).map_err(|e| {
            SweepError::Run {
                index,
                reason: format!("seed {seed}: {}", describe(&e, &self.file)),
            }
        })?;
        let (report, figures) = if self.options.job_records {
            let (report, records) = sim.run_with_records();
            let figures = Figures::of(&report, Some(&records));
            (report, figures)
        } else {
            let report = sim.run();
            let figures = Figures::of(&report, None);
            (report, figures)
        };
        let row = Row {
            seed,
            combination,
            figures,
        };
        Ok((row, report))
    }

    /// Every run, in order, on this thread.
    pub fn run_all(&self) -> Result<Vec<Row>, SweepError> {
        (0..self.runs()).map(|i| self.run(i)).collect()
    }
}

/// `value` with each setting's first value written at its path (the scenario of one
/// combination, as JSON: what `batchsim optimize --out` writes).
pub(crate) fn apply_first(value: &Value, settings: &[Setting]) -> Result<Value, SweepError> {
    let mut v = value.clone();
    for s in settings {
        let bad = |reason: String| SweepError::Setting {
            path: s.path_text.clone(),
            reason,
        };
        let path = set::resolve(value, &s.path).map_err(bad)?;
        let new = s.values.first().map_or(Value::Null, |x| x.json.clone());
        set::set(&mut v, &path, new).map_err(bad)?;
    }
    Ok(v)
}

fn run_options(seed: u64, options: &SweepOptions) -> Options {
    Options {
        seed: Some(seed),
        until: options.until,
        record_jobs: options.job_records,
    }
}

/// The value combinations in row order: the last setting varies fastest.
fn combinations_of(settings: &[Setting]) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = vec![Vec::new()];
    for s in settings {
        out = out
            .into_iter()
            .flat_map(|prefix| {
                (0..s.values.len()).map(move |i| {
                    let mut c = prefix.clone();
                    c.push(i);
                    c
                })
            })
            .collect();
    }
    out
}

fn label(settings: &[Setting], names: Option<&[String]>, combo: &[usize]) -> String {
    if settings.is_empty() {
        return "(scenario as written)".to_owned();
    }
    settings
        .iter()
        .enumerate()
        .zip(combo)
        .map(|((k, s), &i)| {
            let name = names.and_then(|n| n.get(k)).unwrap_or(&s.path_text);
            format!("{name}={}", s.values[i].text)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_are_inclusive_non_empty_bounded_ranges() {
        let seeds = |s: &str| s.parse::<Seeds>();
        assert_eq!(seeds("1..3").unwrap(), Seeds { first: 1, last: 3 });
        assert_eq!(seeds("1..=3").unwrap(), Seeds { first: 1, last: 3 });
        assert_eq!(seeds("7").unwrap(), Seeds { first: 7, last: 7 });
        assert_eq!(seeds("4..4").unwrap().count(), 1);
        let err = |s: &str| seeds(s).unwrap_err().to_string();
        assert!(err("3..1").contains("smaller"));
        assert!(err("a..b").contains("`a` is not a seed"));
        assert_eq!(err(""), "``: no seed given (write A..B, e.g. 1..10, or one seed N)");
        assert!(err("..5").contains("lacks its first seed"));
        assert!(err("5..").contains("lacks its last seed"));
        assert_eq!(
            err("0..18446744073709551615"),
            "`0..18446744073709551615`: 18446744073709551616 seeds; a sweep runs at most 1000000 runs"
        );
        assert!(seeds("1..1000000").is_ok());
        assert!(err("1..1000001").contains("1000001 seeds"));
        assert_eq!(seeds("18446744073709551615").unwrap().count(), 1);
        assert!(err("18446744073709551616").contains("not a seed"));
        assert!(Seeds::new(5, 4).is_err());
    }

    /// Checked arithmetic on run numbers: seeds at the top of the range map to runs without
    /// wrapping, and an index past the last run is `None`.
    #[test]
    fn run_numbers_at_the_top_of_the_seed_range_do_not_wrap() {
        let b: Setting = "b=x,y,z".parse().unwrap();
        let grid = Grid::new(Seeds::new(u64::MAX - 1, u64::MAX).unwrap(), vec![b]).unwrap();
        assert_eq!(grid.runs(), 6);
        assert_eq!(grid.run_at(0), Some((u64::MAX - 1, 0)));
        assert_eq!(grid.run_at(5), Some((u64::MAX, 2)));
        assert_eq!(grid.run_at(6), None);
        assert_eq!(grid.run_at(usize::MAX), None);
    }

    #[test]
    fn combinations_vary_the_last_setting_fastest() {
        let a: Setting = "a=1,2".parse().unwrap();
        let b: Setting = "b=x,y,z".parse().unwrap();
        let c = combinations_of(&[a.clone(), b.clone()]);
        assert_eq!(c.len(), 6);
        assert_eq!(c[0], vec![0, 0]);
        assert_eq!(c[1], vec![0, 1]);
        assert_eq!(c[3], vec![1, 0]);
        assert_eq!(combinations_of(&[]), vec![Vec::<usize>::new()]);
        assert_eq!(
            label(&[a.clone(), b], Some(&["x".into(), "y".into()]), &[0, 2]),
            "x=1 y=z"
        );
        assert_eq!(label(&[a], None, &[1]), "a=2");
        assert_eq!(label(&[], None, &[]), "(scenario as written)");
    }

    #[test]
    fn too_many_combinations_are_refused_before_building_them() {
        let value = serde_json::json!({"a": 1, "b": 1, "c": 1});
        let many = |p: &str| -> Setting {
            let values: Vec<String> = (0..1000).map(|i| i.to_string()).collect();
            format!("{p}={}", values.join(",")).parse().unwrap()
        };
        let err = Sweep::from_value_at(
            &value,
            "x.json",
            Seeds::new(1, 1).unwrap(),
            vec![many("a"), many("b"), many("c")],
            SweepOptions::default(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "1 seed x 1000000000 combinations asks for 1000000000 runs; the most is 1000000"
        );
    }
}
