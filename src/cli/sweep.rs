//! `batchsim sweep`: every combination of seeds and `--set` values, run in parallel on all
//! cores with [`crate::sweep`], one row per run (CONTRACT section 3), then on stderr the
//! mean and 95% confidence interval over seeds of each chosen column per combination.
//!
//! Rows come out in the order (seed, first `--set` value, second `--set` value, ...)
//! whatever order the runs finish in, so the output is byte-identical for any number of
//! threads.
//!
//! With `--shard I/N` (or `auto/N` in an array job) it runs only shard I's runs and writes
//! a part file instead (format: [`crate::sweep::shard`]); `batchsim merge` (`merge.rs`)
//! joins the N parts into the table and summary written here.

use super::output::{self, Pending, Target};
use super::{parse_seconds, CliError};
use crate::report::html::sweep::{heading, interval_text, sweep_page};
use crate::sweep::{
    self, ColumnSpec, Grid, Part, PartHeader, Row, Scope, Seeds, Setting, Shard, Sweep, SweepError, SweepFlags,
    SweepId, SweepOptions, Table,
};
use crate::SimTime;
use rayon::prelude::*;
use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Arguments of `batchsim sweep`.
#[derive(clap::Args, Debug)]
pub struct SweepArgs {
    /// The scenario file (JSON).
    scenario: PathBuf,
    /// The seeds to run: `A..B` (both included, e.g. `1..10` is ten seeds) or one seed `N`;
    /// at most 1,000,000 runs in all (seeds x combinations).
    #[arg(long, value_name = "A..B", value_parser = parse_seeds)]
    seeds: Seeds,
    /// `PATH=V1,V2,...`: sets the scenario's JSON value at PATH to each value in turn.
    /// PATH is keys and brackets: `computeEnvironments[0].computeResources.maxvCpus`, or
    /// by name `computeEnvironments[fargate-spot]...` (also `[name=fargate-spot]`, or
    /// `[FIELD=VALUE]`). A value is JSON when it reads as JSON (`64`, `true`, `[1,2]`,
    /// `"x"`), else a string; values are separated by commas outside brackets and quotes.
    /// Repeat for more paths: every combination runs.
    #[arg(long = "set", value_name = "PATH=V1,V2,...", value_parser = parse_set)]
    set: Vec<Setting>,
    /// Stops every run's clock at this many seconds (overrides the scenario's `until`).
    #[arg(long, value_parser = parse_seconds, allow_negative_numbers = true)]
    until: Option<SimTime>,
    /// The figure columns, comma-separated (default: the contract's,
    /// `succeeded,failed,unfinished,waitMean,waitP50,waitP95,waitP99,utilization,cost`).
    /// A column is a figure of the run (`waitP95`), of a queue (`queues[NAME].waitP95`), a
    /// share (`shares[NAME].waitP95`) or a compute environment
    /// (`computeEnvironments[NAME].utilizationOfMax`); `[*]` is every one of them, `wait`
    /// and `turnaround` their seven statistics (count, mean, p50, p90, p95, p99, max),
    /// `default` the default columns. An empty statistic is `-` (CSV) or `null` (JSON).
    #[arg(long, value_name = "COLUMNS")]
    columns: Option<String>,
    /// `csv` (default), `json` (an array of one object per run) or `jsonl` (one object a
    /// line).
    #[arg(long, value_enum, default_value_t = SweepFormat::Csv)]
    format: SweepFormat,
    /// Writes the table to this file instead of stdout (`-` is stdout); with `--shard`,
    /// the part file.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Runs only shard I of N (1-based; run k belongs to shard k mod N + 1) and writes a
    /// part file for `batchsim merge`. `auto/N` takes I from AWS_BATCH_JOB_ARRAY_INDEX
    /// (0-based), SLURM_ARRAY_TASK_ID (1-based, `--array=1-N`) or JOB_COMPLETION_INDEX
    /// (0-based, Kubernetes Indexed Job), the first one set.
    #[arg(long, value_name = "I/N")]
    shard: Option<String>,
    /// Adds the set-up imported from FILE, any input `batchsim import` reads (repeatable),
    /// before the `--set` paths are resolved; a name defined twice is an error.
    #[arg(long = "infra", value_name = "FILE")]
    infra: Vec<PathBuf>,
    /// Also writes the sweep as one self-contained HTML page to this file: the settings,
    /// the mean and 95% confidence interval of every column per combination, a chart of
    /// each column against the first `--set` path (the interval as a band) and the table
    /// of every run; the page loads nothing from the network. `-` is standard output (the
    /// table then needs `--out FILE`). Not with `--shard`: give it to `batchsim merge`.
    #[arg(long, value_name = "FILE.html")]
    html: Option<PathBuf>,
    /// Refuses (exit 2) the sweep when one run's workload may generate more jobs than this
    /// (each combination counted as `run --max-jobs` counts a scenario).
    #[arg(long, value_name = "N", default_value_t = crate::scenario::DEFAULT_MAX_JOBS)]
    max_jobs: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum SweepFormat {
    Csv,
    Json,
    Jsonl,
}

impl From<SweepFormat> for sweep::Format {
    fn from(f: SweepFormat) -> sweep::Format {
        match f {
            SweepFormat::Csv => sweep::Format::Csv,
            SweepFormat::Json => sweep::Format::Json,
            SweepFormat::Jsonl => sweep::Format::Jsonl,
        }
    }
}

fn parse_seeds(s: &str) -> Result<Seeds, String> {
    s.parse().map_err(|e: SweepError| e.to_string())
}

fn parse_set(s: &str) -> Result<Setting, String> {
    s.parse()
}

/// A library error as a message naming the flag it comes from.
fn flag_message(e: SweepError, args: &SweepArgs) -> CliError {
    let message = match &e {
        SweepError::Setting { .. } => format!("--set {e}"),
        SweepError::Scenario {
            combination: Some(_), ..
        } => format!("--set {e}"),
        SweepError::TooManyRuns { .. } => {
            format!("--seeds {}..{}: {e}", args.seeds.first(), args.seeds.last())
        }
        SweepError::Seeds { .. } => format!("--seeds {e}"),
        SweepError::Column { .. } => format!("--columns {e}"),
        SweepError::Scenario { .. } | SweepError::Run { .. } => e.to_string(),
    };
    CliError::BadInput(message)
}

/// Runs `batchsim sweep`.
pub(super) fn sweep(args: &SweepArgs) -> Result<(), CliError> {
    let flags = SweepFlags {
        seeds: args.seeds,
        settings: args.set.clone(),
        columns: args.columns.clone(),
        until: args.until,
        format: args.format.into(),
    };
    let specs = flags.column_specs().map_err(|e| flag_message(e, args))?;
    let shard = match args.shard.as_deref() {
        Some(text) => Some(Shard::parse(text, |v| std::env::var(v).ok()).map_err(|e| format!("--shard {e}"))?),
        None => None,
    };
    let options = SweepOptions {
        until: args.until,
        job_records: specs.iter().any(ColumnSpec::needs_records),
    };
    let plan = match super::with_infra(&args.scenario, &args.infra)? {
        None => Sweep::from_file(&args.scenario, args.seeds, args.set.clone(), options),
        Some((value, added)) => Sweep::from_value_at(&value, &args.scenario, args.seeds, args.set.clone(), options)
            .map_err(|e| match e {
                SweepError::Scenario {
                    file,
                    combination,
                    source,
                } => SweepError::Scenario {
                    file,
                    combination,
                    source: added.explain(source),
                },
                other => other,
            }),
    }
    .map_err(|e| flag_message(e, args))?;
    plan.check_columns(&specs).map_err(|e| flag_message(e, args))?;
    if shard.is_some() && args.html.is_some() {
        return Err(CliError::BadInput(
            "--html with --shard: a shard has only part of the runs; give --html to batchsim merge".into(),
        ));
    }
    check_job_bounds(&plan, args)?;
    // Open the outputs before the runs: a bad folder is found at once.
    let out = match args.out.as_deref().map(|p| Target::of("--out", p)) {
        Some(Target::File { flag, path }) => Some(Pending::create(flag, &path)?),
        _ => None,
    };
    let html = HtmlOut::open(
        args.html.as_deref(),
        out.is_some(),
        &args.scenario.display().to_string(),
    )?;
    if let Some(shard) = shard {
        return sweep_shard(args, &plan, flags, shard, out);
    }

    let started = Instant::now();
    let indices: Vec<usize> = (0..plan.runs()).collect();
    let rows = run_all(&plan, &indices).map_err(|e| flag_message(e, args))?;
    let done = Done {
        elapsed: started.elapsed(),
        threads: rayon::current_num_threads(),
    };
    emit(plan.grid(), &rows, &specs, &flags, out, html, done)
}

/// `--html`: where the sweep's page goes, and its title.
pub(super) struct HtmlOut {
    /// The file (`None`: standard output).
    pending: Option<Pending>,
    title: String,
}

impl HtmlOut {
    /// Opens `--html PATH` (none without the flag) for a sweep titled `title`;
    /// `table_to_file` says whether the table goes to `--out FILE` (else standard output
    /// cannot carry the page too).
    pub(super) fn open(
        path: Option<&std::path::Path>,
        table_to_file: bool,
        title: &str,
    ) -> Result<Option<HtmlOut>, CliError> {
        let pending = match path.map(|p| Target::of("--html", p)) {
            None => return Ok(None),
            Some(Target::File { flag, path }) => Some(Pending::create(flag, &path)?),
            Some(_) if !table_to_file => {
                return Err(CliError::BadInput(
                    "--html -: standard output already carries the table; write one of them to a file (--out FILE)"
                        .into(),
                ))
            }
            Some(_) => None,
        };
        Ok(Some(HtmlOut {
            pending,
            title: title.to_owned(),
        }))
    }
}

/// Refuses a sweep one of whose runs may generate more than `--max-jobs` jobs, naming the
/// combination, the entry and the count (a run's jobs do not depend on its seed).
fn check_job_bounds(plan: &Sweep, args: &SweepArgs) -> Result<(), CliError> {
    for c in 0..plan.combinations() {
        let Some(scenario) = plan.scenario(c) else { continue };
        if let Err(e) = crate::scenario::check_job_bound(scenario, args.until, args.max_jobs) {
            let which = match plan.settings().is_empty() {
                true => String::new(),
                false => format!(" (run {})", plan.label(c, None)),
            };
            return Err(CliError::BadInput(format!("{}{which}: {e}", args.scenario.display())));
        }
    }
    Ok(())
}

/// How long the runs took, on how many threads (the summary's first line).
pub(super) struct Done {
    /// Wall time.
    pub(super) elapsed: Duration,
    /// Threads.
    pub(super) threads: usize,
}

/// Writes the table of `rows` (every run of `grid`) to `out` (stdout when `None`) and the
/// page to `html` when asked, then on stderr the unused-share warnings and the summary: the
/// unsharded sweep's output, also `batchsim merge`'s.
pub(super) fn emit(
    grid: &Grid,
    rows: &[Row],
    specs: &[ColumnSpec],
    flags: &SweepFlags,
    mut out: Option<Pending>,
    html: Option<HtmlOut>,
    done: Done,
) -> Result<(), CliError> {
    let table = Table::of_grid(grid, rows, specs);
    let text = table.render(flags.format);
    match out.as_mut() {
        Some(pending) => pending.write(|w| w.write_all(text.as_bytes()))?,
        None => output::to_stdout(text.as_bytes())?,
    }
    let html = match html {
        Some(mut h) => {
            let page = sweep_page(&h.title, grid, &table);
            match h.pending.as_mut() {
                Some(pending) => pending.write(|w| w.write_all(page.as_bytes()))?,
                None => output::to_stdout(page.as_bytes())?,
            }
            h.pending
        }
        None => None,
    };
    for pending in [out, html].into_iter().flatten() {
        pending.commit()?;
    }
    for warning in unused_shares(&table, rows) {
        output::note(&warning);
    }
    output::note(summary(grid, &table, flags.columns.is_some(), done.elapsed, done.threads).trim_end());
    Ok(())
}

/// `--shard`: runs the shard's runs and writes its part.
fn sweep_shard(
    args: &SweepArgs,
    plan: &Sweep,
    flags: SweepFlags,
    shard: Shard,
    mut out: Option<Pending>,
) -> Result<(), CliError> {
    let sweep =
        SweepId::of_files(&args.scenario, &args.infra, &flags).map_err(|e| CliError::BadInput(e.to_string()))?;
    let started = Instant::now();
    let indices: Vec<usize> = shard.runs(plan.runs()).collect();
    let rows = run_all(plan, &indices).map_err(|e| flag_message(e, args))?;
    let elapsed = started.elapsed();
    let threads = rayon::current_num_threads();
    let part = Part {
        header: PartHeader {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            sweep,
            shard,
            runs: plan.runs(),
            flags,
            elapsed_seconds: elapsed.as_secs_f64(),
            threads,
        },
        rows: indices.into_iter().zip(rows).collect(),
    };
    let text = part.to_jsonl();
    let written = match out.as_mut() {
        Some(pending) => {
            pending.write(|w| w.write_all(text.as_bytes()))?;
            pending.target().to_string()
        }
        None => {
            output::to_stdout(text.as_bytes())?;
            "standard output".to_owned()
        }
    };
    if let Some(pending) = out {
        pending.commit()?;
    }
    output::note(&format!(
        "sweep {sweep}: shard {shard}: {} of {} run{} in {:.2} s on {threads} thread{}, part written to {written}; \
         merge the {} parts with batchsim merge",
        part.rows.len(),
        part.header.runs,
        if part.header.runs == 1 { "" } else { "s" },
        elapsed.as_secs_f64(),
        if threads == 1 { "" } else { "s" },
        shard.count(),
    ));
    Ok(())
}

/// The runs `indices` on all cores (rows in that order), with a progress bar on stderr
/// when it is a terminal.
fn run_all(plan: &Sweep, indices: &[usize]) -> Result<Vec<Row>, SweepError> {
    let total = indices.len();
    let done = AtomicUsize::new(0);
    let finished = AtomicBool::new(false);
    let show_progress = std::io::stderr().is_terminal();
    let started = Instant::now();
    std::thread::scope(|scope| {
        if show_progress {
            scope.spawn(|| progress(&done, &finished, total, started));
        }
        let rows = indices
            .par_iter()
            .map(|&i| {
                let row = plan.run(i);
                done.fetch_add(1, Ordering::Relaxed);
                row
            })
            .collect();
        finished.store(true, Ordering::Relaxed);
        rows
    })
}

/// A warning per share column whose share no run used (a misspelt name reads as empty).
fn unused_shares(table: &Table, rows: &[Row]) -> Vec<String> {
    let seen: std::collections::BTreeSet<&str> = rows
        .iter()
        .flat_map(|r| r.figures.shares.keys().map(String::as_str))
        .collect();
    let mut warned = Vec::new();
    let mut out = Vec::new();
    for c in &table.columns {
        let Scope::Share(name) = &c.scope else { continue };
        if seen.contains(name.as_str()) || warned.contains(&name) {
            continue;
        }
        warned.push(name);
        let hint = crate::scenario::suggest::suggest(name, seen.iter().copied())
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        out.push(format!(
            "warning: --columns shares[{name}]: no run had a job of share `{name}`, so its figures are empty{hint}"
        ));
    }
    out
}

/// Redraws a progress bar on stderr (a terminal) until `finished`.
fn progress(done: &AtomicUsize, finished: &AtomicBool, total: usize, started: Instant) {
    let mut err = std::io::stderr();
    loop {
        let n = done.load(Ordering::Relaxed);
        let secs = started.elapsed().as_secs_f64();
        let width = 30;
        let filled = (n * width).checked_div(total).unwrap_or(width);
        let eta = if n > 0 && n < total {
            format!(", about {:.0} s left", secs / n as f64 * (total - n) as f64)
        } else {
            String::new()
        };
        let _ = write!(
            err,
            "\r\x1b[2Ksweep [{}{}] {n}/{total} runs, {secs:.1} s{eta}",
            "#".repeat(filled),
            "-".repeat(width - filled)
        );
        let _ = err.flush();
        if finished.load(Ordering::Relaxed) {
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The summary: per combination, mean ± half-width of the 95% confidence interval over
/// seeds of every chosen column (without `--columns`: waitMean, waitP95 and cost).
fn summary(plan: &Grid, table: &Table, chosen: bool, elapsed: Duration, threads: usize) -> String {
    let seeds = plan.seeds();
    let (count, combos, total) = (seeds.count(), plan.combinations(), plan.runs());
    let mut o = String::new();
    let _ = writeln!(
        o,
        "sweep: {total} run{} ({count} seed{} x {combos} combination{}) in {:.2} s on {threads} thread{}",
        if total == 1 { "" } else { "s" },
        if count == 1 { "" } else { "s" },
        if combos == 1 { "" } else { "s" },
        elapsed.as_secs_f64(),
        if threads == 1 { "" } else { "s" },
    );
    if count < 2 {
        let _ = writeln!(o, "(one seed: no confidence interval; use --seeds A..B with B > A)");
    } else {
        let _ = writeln!(
            o,
            "mean ± half-width of the 95% confidence interval over seeds {}..{} (Student t, {} df):",
            seeds.first(),
            seeds.last(),
            count - 1
        );
    }
    let names = plan.short_names();
    for (name, s) in names.iter().zip(plan.settings()) {
        if *name != s.path_text {
            let _ = writeln!(o, "  {name} = {}", s.path_text);
        }
    }
    let shown: Vec<usize> = if chosen {
        (0..table.columns.len()).collect()
    } else {
        ["waitMean", "waitP95", "cost"]
            .iter()
            .filter_map(|n| table.columns.iter().position(|c| c.name() == *n))
            .collect()
    };
    let labels: Vec<String> = (0..combos).map(|c| plan.label(c, Some(&names))).collect();
    let mut cols: Vec<Vec<String>> = Vec::with_capacity(shown.len());
    for &k in &shown {
        let unit = table.columns[k].metric.unit();
        let mut col = vec![heading(table.columns[k].name(), unit)];
        col.extend(table.intervals(k, combos).iter().map(|i| interval_text(i, unit)));
        cols.push(col);
    }
    if cols.len() > 4 {
        // Too wide for one line per combination: one block per combination instead.
        let w = cols.iter().map(|c| c[0].chars().count()).max().unwrap_or(0);
        for (line, label) in labels.iter().enumerate() {
            let _ = writeln!(o, "  {label}");
            for c in &cols {
                let _ = writeln!(o, "    {:<w$}  {}", c[0], c[line + 1]);
            }
        }
        return o;
    }
    let w = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0).max(11);
    let widths: Vec<usize> = cols
        .iter()
        .map(|c| c.iter().map(|s| s.chars().count()).max().unwrap_or(0))
        .collect();
    for line in 0..=combos {
        let label = if line == 0 { "combination" } else { &labels[line - 1] };
        let _ = write!(o, "  {label:<w$}");
        for (c, width) in cols.iter().zip(&widths) {
            let _ = write!(o, "  {:>width$}", c[line]);
        }
        o.push('\n');
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::{Interval, Unit};

    #[test]
    fn intervals_show_missing_runs_and_units() {
        let i = |mean, half_width, samples| Interval {
            mean,
            half_width,
            samples,
            runs: 3,
        };
        assert_eq!(interval_text(&i(Some(1.25), Some(0.5), 3), Unit::Seconds), "1.2 ± 0.5");
        assert_eq!(
            interval_text(&i(Some(1.0), None, 1), Unit::Dollars),
            "1.00 (1 of 3 runs)"
        );
        assert_eq!(interval_text(&i(None, None, 0), Unit::Seconds), "-");
        assert_eq!(
            interval_text(&i(Some(0.5), Some(0.01), 3), Unit::Ratio),
            "0.500 ± 0.010"
        );
        assert_eq!(heading("cost".into(), Unit::Dollars), "cost ($)");
        assert_eq!(heading("utilization".into(), Unit::Ratio), "utilization");
    }
}
