//! The `batchsim` command line (CONTRACT section 3). Behind the default `cli` feature.

mod calibrate;
mod compare;
mod history;
mod import;
mod merge;
mod optimize;
pub mod output;
mod run;
mod streamed;
mod sweep;

use crate::import::{add_infra, Added, ImportOptions};
use crate::report::{csv, describe_jobs, html, plot, text};
use crate::{Error, Options, Scenario, SimTime, Simulation};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Simulates AWS Batch scheduling in virtual time.
#[derive(Parser, Debug)]
#[command(name = "batchsim", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Runs a scenario and prints its report.
    Run {
        /// The scenario file (JSON).
        scenario: PathBuf,
        /// Overrides the scenario's seed.
        #[arg(long)]
        seed: Option<u64>,
        /// Stops the clock at this many seconds (overrides the scenario's `until`).
        #[arg(long, value_parser = parse_seconds, allow_negative_numbers = true)]
        until: Option<SimTime>,
        /// `text` (a readable summary) or `json` (exactly the report).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Writes the per-job table (CSV) to this file; `-` is standard output (the text
        /// summary then goes to stderr; with `--format json` it is a conflict). A file
        /// name ending in `.json` gets the table as `aws batch describe-jobs` output
        /// (`{"jobs": [...]}`, times in epoch milliseconds from 2026-01-01T00:00:00Z),
        /// which `batchsim import` reads back as job history.
        #[arg(long)]
        jobs: Option<PathBuf>,
        /// The columns of the `--jobs` table: `contract` (exactly the contract's header) or
        /// `analysis` (those, then `dispatchedAt`, `exitCode`, `cost` and
        /// `turnaroundSeconds`: a batchsim extension, in CSV, Parquet and Arrow).
        #[arg(long, value_enum, value_name = "SET", default_value_t = JobColumns::Contract, requires = "jobs")]
        job_columns: JobColumns,
        /// Writes one row per attempt (each dispatch of a job: its compute environment and
        /// instances, dispatch, RUNNING and end times, status, exit code, status reason and
        /// cost) as CSV to this file, as attempts end; `-` is standard output.
        #[arg(long, value_name = "FILE.csv")]
        attempts: Option<PathBuf>,
        /// Draws queue depth, vCPUs in use and provisioned per compute environment (Spot
        /// reclaims marked), dollars so far per compute environment and the wait-time
        /// distribution (log time axis) over the run to this SVG file; `-` is standard output.
        #[arg(long, value_name = "FILE.svg")]
        plot: Option<PathBuf>,
        /// Writes the report as one self-contained HTML page to this file (the summary
        /// tables: jobs, waits, each queue with its shares, each compute environment with
        /// its utilization and cost; then the `--plot` charts inline); the page loads
        /// nothing from the network. `-` is standard output.
        #[arg(long, value_name = "FILE.html")]
        html: Option<PathBuf>,
        /// Adds the set-up (compute environments, queues, job definitions, scheduling
        /// policies) imported from FILE, any input `batchsim import` reads (repeatable); a
        /// name defined twice is an error.
        #[arg(long = "infra", value_name = "FILE")]
        infra: Vec<PathBuf>,
        /// Replays this recorded job history (describe-jobs / list-jobs output, EventBridge
        /// events; a directory is read as its files in name order; repeatable) instead of
        /// the scenario's workload, and compares the run with it as `batchsim calibrate`
        /// does: the calibration's figures follow the summary (on stderr with `--format
        /// json`), `--plot` draws the recorded vCPUs in use over the simulated ones with the
        /// figures under the title, and `--html` adds the error table.
        #[arg(long = "history", value_name = "HISTORY", num_args = 1..)]
        history: Vec<PathBuf>,
        /// With `--history`: `jobQueue=NAME`, the queue of list-jobs summaries (as for
        /// `import`; repeatable).
        #[arg(long = "param", value_name = "NAME=VALUE", requires = "history")]
        params: Vec<String>,
        /// With `--history`: EventBridge events, skip lines that are not JSON (counted in a
        /// note).
        #[arg(long, requires = "history")]
        skip_bad_lines: bool,
        /// Refuses (exit 2) a scenario whose workload may generate more jobs than this,
        /// counted before running (streams: `count`, or rate x span; traces: their lines;
        /// arrays: x size + 1).
        #[arg(long, value_name = "N", default_value_t = crate::scenario::DEFAULT_MAX_JOBS)]
        max_jobs: u64,
    },
    /// Runs every combination of seeds and `--set` values in parallel; one row per run (CSV,
    /// JSON or JSON lines), the mean and 95% confidence interval per combination on stderr.
    Sweep(sweep::SweepArgs),
    /// Finds the set-up (values of `--vary` settings) that minimises a figure subject to
    /// constraints on report figures, each judged on a one-sided confidence bound over the
    /// seeds; exit 3 when no evaluated set-up is feasible.
    Optimize(optimize::OptimizeArgs),
    /// Joins the part files of a sharded sweep (`sweep --shard I/N`) into the table and
    /// summary of the whole sweep, after checking they are every shard of one sweep.
    Merge(merge::MergeArgs),
    /// Runs the scenario's workload on Lambda, Fargate and EC2 (each set up from the scenario
    /// by one rule) and prints cost, wait, turnaround and the jobs each cannot run.
    Compare(compare::CompareArgs),
    /// Writes a scenario from describe output, CloudFormation, Terraform, request bodies and job history.
    Import(import::ImportArgs),
    /// Replays a recorded job history through a scenario's set-up and reports how well the
    /// model fits it (wait errors, start order, vCPUs in use); `--fit` tunes the latencies.
    Calibrate(calibrate::CalibrateArgs),
    /// Checks a scenario and prints every problem; exit 0 only if there is none.
    Validate {
        /// The scenario file (JSON).
        scenario: PathBuf,
        /// Adds the set-up (compute environments, queues, job definitions, scheduling
        /// policies) imported from FILE, any input `batchsim import` reads (repeatable); a
        /// name defined twice is an error.
        #[arg(long = "infra", value_name = "FILE")]
        infra: Vec<PathBuf>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

/// `run --job-columns`: [`crate::report::JobColumnSet`] on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum JobColumns {
    Contract,
    Analysis,
}

impl From<JobColumns> for crate::report::JobColumnSet {
    fn from(c: JobColumns) -> crate::report::JobColumnSet {
        match c {
            JobColumns::Contract => crate::report::JobColumnSet::Contract,
            JobColumns::Analysis => crate::report::JobColumnSet::Analysis,
        }
    }
}

fn parse_seconds(s: &str) -> Result<SimTime, String> {
    let v: f64 = s.parse().map_err(|_| format!("`{s}` is not a number of seconds"))?;
    SimTime::from_secs_f64(v).ok_or_else(|| {
        format!(
            "`{s}` must be a number of seconds from 0 to {:e}",
            crate::time::MAX_SECONDS
        )
    })
}

/// Exit code for bad input (CONTRACT section 3).
pub const EXIT_BAD_INPUT: i32 = 2;

pub use output::EXIT_OUTPUT;

/// Why a command failed, and so its exit code.
#[derive(Debug, thiserror::Error)]
enum CliError {
    /// Bad input: an unreadable or invalid scenario, a bad flag ([`EXIT_BAD_INPUT`]).
    #[error("{0}")]
    BadInput(String),
    /// An output could not be written ([`EXIT_OUTPUT`], or quiet 0 for a closed stdout).
    #[error(transparent)]
    Output(#[from] output::OutputError),
}

impl From<String> for CliError {
    fn from(message: String) -> CliError {
        CliError::BadInput(message)
    }
}

/// The exit code of a command's result; reports the error on stderr.
fn finish(result: Result<(), CliError>) -> i32 {
    match result {
        Ok(()) => 0,
        Err(CliError::Output(e)) if e.is_quiet() => 0,
        Err(e) => {
            output::note(&e.to_string());
            match e {
                CliError::BadInput(_) => EXIT_BAD_INPUT,
                CliError::Output(_) => EXIT_OUTPUT,
            }
        }
    }
}

/// Runs the command line with `args` (the first is the program name); returns the exit code:
/// 0 success, 1 an output could not be written, 2 bad input (CONTRACT section 3). A closed
/// standard output (`| head`) ends the command quietly with 0 (see [`output`]).
pub fn run(args: impl IntoIterator<Item = std::ffi::OsString>) -> i32 {
    let args: Vec<std::ffi::OsString> = args.into_iter().collect();
    // A raw line break or escape in an argument would reach the terminal in the messages
    // that quote it (clap's among them); no name or value batchsim takes needs one.
    if let Some((i, arg)) = args
        .iter()
        .enumerate()
        .skip(1)
        .find(|(_, a)| a.to_string_lossy().chars().any(char::is_control))
    {
        eprintln!(
            "argument {i} {}: has a control character (a line break, a tab or an escape); \
             write names, paths and values without one",
            crate::suggest::quote(&arg.to_string_lossy())
        );
        return EXIT_BAD_INPUT;
    }
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_BAD_INPUT } else { 0 };
            // Help and version go to stdout: a failed write there is an output error.
            return match e.print() {
                Err(source) if !e.use_stderr() => finish(Err(CliError::Output(output::OutputError {
                    target: output::Target::Stdout,
                    source,
                }))),
                _ => code,
            };
        }
    };
    match cli.command {
        Command::Validate { scenario, infra } => validate(&scenario, &infra),
        Command::Run {
            scenario,
            seed,
            until,
            format,
            jobs,
            job_columns,
            attempts,
            plot,
            html,
            infra,
            history,
            params,
            skip_bad_lines,
            max_jobs,
        } => finish(run_scenario(
            &scenario,
            &infra,
            RunSettings {
                seed,
                until,
                max_jobs,
                history: history::HistoryArgs {
                    files: history,
                    params,
                    skip_bad_lines,
                },
            },
            format,
            RunOutputs {
                jobs,
                job_columns: job_columns.into(),
                attempts,
                plot,
                html,
            },
        )),
        Command::Sweep(args) => finish(sweep::sweep(&args)),
        Command::Merge(args) => finish(merge::merge(&args)),
        Command::Optimize(args) => optimize::optimize(&args),
        Command::Import(args) => import::import(&args),
        Command::Compare(args) => finish(compare::compare(&args)),
        Command::Calibrate(args) => finish(calibrate::calibrate(&args)),
    }
}

/// The scenario file at `path` as a JSON value with the set-up of its `--infra` files added,
/// and where the additions came from; `None` without `--infra` (the file is then read as it
/// always is). Bad infra input is [`CliError::BadInput`] naming the file, the path inside it
/// and the reason; the import notes go to stderr.
fn with_infra(path: &Path, infra: &[PathBuf]) -> Result<Option<(serde_json::Value, Added)>, CliError> {
    if infra.is_empty() {
        return Ok(None);
    }
    let bad = |e: Error| CliError::BadInput(describe(&e, path));
    let mut value = crate::error::read_json(path).map_err(bad)?;
    let added = add_infra(
        &mut value,
        &path.display().to_string(),
        infra,
        &ImportOptions::default(),
    )
    .map_err(|e| CliError::BadInput(e.to_string()))?;
    for note in &added.notes {
        output::note(&format!("note: {note}"));
    }
    Ok(Some((value, added)))
}

/// Reads and checks the scenario at `path` with its `--infra` set-up, as `run` and
/// `validate` do.
fn load_checked(path: &Path, infra: &[PathBuf], options: Options) -> Result<(Scenario, Simulation), LoadError> {
    let (scenario, added) = match with_infra(path, infra).map_err(LoadError::Cli)? {
        None => (
            Scenario::from_file(path).map_err(LoadError::Scenario)?,
            Added::default(),
        ),
        Some((value, added)) => {
            let s = Scenario::from_value_at(&value, path).map_err(|e| LoadError::Scenario(added.explain(e)))?;
            (s, added)
        }
    };
    let sim = Simulation::new(&scenario, options).map_err(|e| LoadError::Scenario(added.explain(e)))?;
    Ok((scenario, sim))
}

/// Why [`load_checked`] failed.
enum LoadError {
    /// Bad `--infra` input or an unreadable scenario.
    Cli(CliError),
    /// The scenario (with its set-up) is not valid.
    Scenario(Error),
}

fn validate(path: &Path, infra: &[PathBuf]) -> i32 {
    let loaded = match load_checked(path, infra, Options::default()) {
        Ok((s, _)) => Ok(s),
        Err(LoadError::Cli(e)) => return finish(Err(e)),
        Err(LoadError::Scenario(e)) => Err(e),
    };
    match loaded {
        Ok(s) => {
            let line = format!(
                "{}: valid: {} compute environments, {} job queues, {} scheduling policies, {} job definitions, {} workload entries, {} actions{}\n",
                path.display(),
                s.compute_environments.len(),
                s.job_queues.len(),
                s.scheduling_policies.len(),
                s.job_definitions.len(),
                s.workload.len(),
                s.actions.len(),
                match s.consumable_resources.len() {
                    0 => String::new(),
                    n => format!(", {n} consumable resources"),
                }
            );
            finish(output::to_stdout(line.as_bytes()).map_err(CliError::from))
        }
        Err(e) => {
            output::note(&describe(&e, path));
            if let Error::Invalid(p) = &e {
                output::note(&format!(
                    "{} problem{}",
                    p.list.len(),
                    if p.list.len() == 1 { "" } else { "s" }
                ));
            }
            EXIT_BAD_INPUT
        }
    }
}

/// An error as the user should read it, always naming the file.
fn describe(e: &Error, path: &std::path::Path) -> String {
    match e {
        Error::Trace(m) => format!("{}: {m}", path.display()),
        other => other.to_string(),
    }
}

/// Whether `--jobs` writes describe-jobs JSON to `path`: its name ends in `.json` (any case).
fn is_json_path(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// Refuses two outputs on standard output: `taken` says what already writes there (or
/// `None`), `flag`/`target` is the next one.
fn claim_stdout(taken: &mut Option<String>, flag: &str, target: &output::Target) -> Result<(), CliError> {
    if *target != output::Target::Stdout {
        return Ok(());
    }
    if let Some(other) = taken {
        return Err(CliError::BadInput(format!(
            "{flag} -: standard output already carries {other}; write one of them to a file"
        )));
    }
    *taken = Some(format!("{flag} -"));
    Ok(())
}

/// `run`'s files: `--jobs`, `--attempts`, `--plot`, `--html`.
struct RunOutputs {
    jobs: Option<PathBuf>,
    job_columns: crate::report::JobColumnSet,
    attempts: Option<PathBuf>,
    plot: Option<PathBuf>,
    html: Option<PathBuf>,
}

/// `run`'s overrides of the scenario: `--seed`, `--until`, `--max-jobs`, `--history`.
struct RunSettings {
    seed: Option<u64>,
    until: Option<SimTime>,
    max_jobs: u64,
    history: history::HistoryArgs,
}

fn run_scenario(
    path: &Path,
    infra: &[PathBuf],
    settings: RunSettings,
    format: Format,
    outputs: RunOutputs,
) -> Result<(), CliError> {
    let RunSettings {
        seed,
        until,
        max_jobs,
        history,
    } = settings;
    let jobs_format = match &outputs.jobs {
        Some(p) => streamed::format_of("--jobs", p).map_err(CliError::BadInput)?,
        None => streamed::TableFormat::Csv,
    };
    let job_columns = outputs.job_columns;
    if let Some(p) = outputs
        .jobs
        .as_ref()
        .filter(|p| is_json_path(p) && job_columns.has_analysis_columns())
    {
        return Err(CliError::BadInput(format!(
            "--jobs {}: a describe-jobs file (.json) has AWS's fields only; --job-columns analysis \
             needs a table (FILE.csv, or .parquet/.arrow)",
            p.display()
        )));
    }
    let attempts_format = match &outputs.attempts {
        Some(p) => streamed::format_of("--attempts", p).map_err(CliError::BadInput)?,
        None => streamed::TableFormat::Csv,
    };
    let jobs = outputs.jobs.map(|p| output::Target::of("--jobs", &p));
    let attempts = outputs.attempts.map(|p| output::Target::of("--attempts", &p));
    let plot_target = outputs.plot.map(|p| output::Target::of("--plot", &p));
    let html_target = outputs.html.map(|p| output::Target::of("--html", &p));
    let mut stdout_taken = (format == Format::Json).then(|| "the JSON report (--format json)".to_owned());
    for (flag, target) in [
        ("--jobs", &jobs),
        ("--attempts", &attempts),
        ("--plot", &plot_target),
        ("--html", &html_target),
    ] {
        if let Some(t) = target {
            claim_stdout(&mut stdout_taken, flag, t)?;
        }
    }
    let options = Options {
        seed,
        until,
        record_jobs: jobs.is_some() || !history.files.is_empty(),
    };
    let loaded = if history.files.is_empty() {
        load_checked(path, infra, options).map(|(s, sim)| (s, sim, None))
    } else {
        history::load(path, infra, &history, options).map(|(s, sim, r)| (s, sim, Some(r)))
    };
    let (scenario, mut sim, replay) = loaded.map_err(|e| match e {
        LoadError::Cli(e) => e,
        LoadError::Scenario(e) => CliError::BadInput(describe(&e, path)),
    })?;
    crate::scenario::check_job_bound(&scenario, until, max_jobs)
        .map_err(|m| CliError::BadInput(format!("{}: {m}", path.display())))?;
    // Open the outputs first: a bad folder is found before a long run.
    let open = |t: &Option<output::Target>| match t {
        Some(output::Target::File { flag, path }) => output::Pending::create(flag, path).map(Some),
        _ => Ok(None),
    };
    let mut jobs_out = open(&jobs)?;
    let attempts_out = open(&attempts)?;
    let mut plot_out = open(&plot_target)?;
    let mut html_out = open(&html_target)?;
    // A job table going to a file is written as jobs end (flat memory); on stdout it follows
    // the chart, so it is written after the run.
    // `--jobs FILE.json` is describe-jobs JSON, written whole after the run.
    let as_describe_jobs = jobs_out.as_ref().is_some_and(|out| match out.target() {
        output::Target::File { path, .. } => is_json_path(path),
        output::Target::Stdout => false,
    });
    // A history's calibration needs the records the job table streams: they are kept too.
    let kept_records = replay
        .as_ref()
        .map(|_| std::sync::Arc::new(std::sync::Mutex::new(Vec::new())));
    let streamed = match jobs_out.as_ref() {
        Some(out) if !as_describe_jobs => {
            let table = streamed::JobTable::start(Some(out), jobs_format, job_columns)?;
            match kept_records.clone() {
                Some(kept) => {
                    let mut sink = table.sink();
                    sim.set_record_reader(move |r: &crate::JobRecord| {
                        kept.lock().unwrap_or_else(|p| p.into_inner()).push(r.clone());
                        sink(r);
                    });
                }
                None => sim.set_record_reader(table.sink()),
            }
            Some(table)
        }
        _ => None,
    };
    let attempt_table = match &attempts {
        Some(_) => Some(streamed::AttemptTable::start(
            attempts_out.as_ref(),
            attempts_format,
            (),
        )?),
        None => None,
    };
    // describe-jobs JSON lists every attempt of a job: the attempt records are kept for it
    // (and still go to an --attempts table too).
    let kept_attempts = as_describe_jobs.then(|| std::sync::Arc::new(std::sync::Mutex::new(Vec::new())));
    match (attempt_table.as_ref().map(|t| t.sink()), kept_attempts.clone()) {
        (Some(mut table), Some(kept)) => sim.set_attempt_sink(move |a: crate::report::AttemptRecord| {
            table(&a);
            kept.lock().unwrap_or_else(|p| p.into_inner()).push(a);
        }),
        (Some(mut table), None) => sim.set_attempt_sink(move |a| table(&a)),
        (None, Some(kept)) => sim.set_attempt_sink(move |a| kept.lock().unwrap_or_else(|p| p.into_inner()).push(a)),
        (None, None) => {}
    }
    let run::Outcome {
        report,
        records,
        mut chart,
    } = run::execute(sim, plot_target.is_some() || html_target.is_some());
    let calibration = replay.as_ref().map(|r| {
        let streamed_rows = kept_records
            .as_ref()
            .map(|k| std::mem::take(&mut *k.lock().unwrap_or_else(|p| p.into_inner())))
            .filter(|rows| !rows.is_empty());
        let c = history::compare(r, streamed_rows.as_deref().unwrap_or(&records));
        if let Some(chart) = chart.as_mut() {
            chart.history = Some(crate::calibrate::overlay(r, &c));
        }
        (r, c)
    });
    let attempt_bytes = match attempt_table {
        Some(table) => table.finish().map_err(|source| output::OutputError {
            target: attempts.clone().unwrap_or(output::Target::Stdout),
            source,
        })?,
        None => Vec::new(),
    };
    if let (Some(table), Some(out)) = (streamed, jobs_out.as_ref()) {
        let _no_bytes_for_a_file = table.finish().map_err(|source| output::OutputError {
            target: out.target().clone(),
            source,
        })?;
    }
    if let Some(out) = jobs_out.as_mut().filter(|_| as_describe_jobs) {
        let kept = kept_attempts.map(|k| std::mem::take(&mut *k.lock().unwrap_or_else(|p| p.into_inner())));
        out.write(|w| describe_jobs::write(w, &records, kept.as_deref()))?;
    }
    let mut stdout = Vec::new();
    if let Some(chart) = chart.as_ref().filter(|_| plot_target.is_some()) {
        let svg = plot::render_svg(chart);
        match plot_out.as_mut() {
            Some(out) => out.write(|w| w.write_all(svg.as_bytes()))?,
            None => stdout.extend_from_slice(svg.as_bytes()),
        }
    }
    if html_target.is_some() {
        let page = html::run_page(&report, chart.as_ref(), calibration.as_ref().map(|(r, c)| (*r, c)));
        match html_out.as_mut() {
            Some(out) => out.write(|w| w.write_all(page.as_bytes()))?,
            None => stdout.extend_from_slice(page.as_bytes()),
        }
    }
    if jobs.is_some() && jobs_out.is_none() {
        csv::write_with(&mut stdout, &records, job_columns).map_err(|source| output::OutputError {
            target: output::Target::Stdout,
            source,
        })?;
    }
    stdout.extend_from_slice(&attempt_bytes);
    let mut summary = match format {
        Format::Json => format!("{}\n", report.to_json()),
        Format::Text => text::render(&report),
    };
    // The calibration follows the text summary; the JSON report stays exactly the report,
    // the calibration goes to stderr beside it.
    let calibration_text = calibration.as_ref().map(|(r, c)| crate::calibrate::to_text(r, c, None));
    if let (Format::Text, Some(t)) = (format, &calibration_text) {
        summary.push('\n');
        summary.push_str(t);
    }
    // When standard output carries a table or a chart, the text summary goes to stderr.
    let summary_to_stderr = stdout_taken.is_some() && format == Format::Text;
    if !summary_to_stderr {
        stdout.extend_from_slice(summary.as_bytes());
    }
    output::to_stdout(&stdout)?;
    for pending in [jobs_out, attempts_out, plot_out, html_out].into_iter().flatten() {
        pending.commit()?;
    }
    if summary_to_stderr {
        let _ = std::io::stderr().lock().write_all(summary.as_bytes());
    }
    if let (Format::Json, Some(t)) = (format, &calibration_text) {
        let _ = std::io::stderr().lock().write_all(t.as_bytes());
    }
    Ok(())
}
