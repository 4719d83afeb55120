//! The `batchsim` command line (CONTRACT section 3). Behind the default `cli` feature.

mod import;
mod run;
mod sweep;

use crate::report::{csv, plot, text};
use crate::{Error, Options, Scenario, SimTime, Simulation};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;

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
        /// Writes the per-job table (CSV) to this file.
        #[arg(long)]
        jobs: Option<PathBuf>,
        /// Draws queue depth, vCPUs in use per compute environment and the wait-time
        /// distribution over the run to this SVG file.
        #[arg(long, value_name = "FILE.svg")]
        plot: Option<PathBuf>,
    },
    /// Runs every combination of seeds and `--set` values in parallel; one CSV row per run.
    Sweep(sweep::SweepArgs),
    /// Writes a scenario from describe output, CloudFormation, Terraform, request bodies and job history.
    Import(import::ImportArgs),
    /// Checks a scenario and prints every problem; exit 0 only if there is none.
    Validate {
        /// The scenario file (JSON).
        scenario: PathBuf,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
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

/// Runs the command line with `args` (the first is the program name); returns the exit code.
pub fn run(args: impl IntoIterator<Item = std::ffi::OsString>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_BAD_INPUT } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    match cli.command {
        Command::Validate { scenario } => validate(&scenario),
        Command::Run {
            scenario,
            seed,
            until,
            format,
            jobs,
            plot,
        } => match run_scenario(&scenario, seed, until, format, jobs, plot) {
            Ok(()) => 0,
            Err(message) => {
                eprintln!("{message}");
                EXIT_BAD_INPUT
            }
        },
        Command::Sweep(args) => sweep::sweep(&args),
        Command::Import(args) => import::import(&args),
    }
}

fn validate(path: &PathBuf) -> i32 {
    match Scenario::from_file(path).and_then(|s| Simulation::new(&s, Options::default()).map(|_| s)) {
        Ok(s) => {
            println!(
                "{}: valid: {} compute environments, {} job queues, {} scheduling policies, {} job definitions, {} workload entries, {} actions",
                path.display(),
                s.compute_environments.len(),
                s.job_queues.len(),
                s.scheduling_policies.len(),
                s.job_definitions.len(),
                s.workload.len(),
                s.actions.len()
            );
            0
        }
        Err(e) => {
            eprintln!("{}", describe(&e, path));
            if let Error::Invalid(p) = &e {
                eprintln!("{} problem{}", p.list.len(), if p.list.len() == 1 { "" } else { "s" });
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

fn run_scenario(
    path: &PathBuf,
    seed: Option<u64>,
    until: Option<SimTime>,
    format: Format,
    jobs: Option<PathBuf>,
    plot_path: Option<PathBuf>,
) -> Result<(), String> {
    let scenario = Scenario::from_file(path).map_err(|e| describe(&e, path))?;
    // Open the job table first: a bad path is bad input, found before a long run.
    let mut jobs_out = match &jobs {
        Some(p) => Some(std::io::BufWriter::new(
            std::fs::File::create(p).map_err(|e| format!("--jobs {}: cannot write: {e}", p.display()))?,
        )),
        None => None,
    };
    let mut plot_out = match &plot_path {
        Some(p) => Some(std::fs::File::create(p).map_err(|e| format!("--plot {}: cannot write: {e}", p.display()))?),
        None => None,
    };
    let options = Options {
        seed,
        until,
        record_jobs: jobs.is_some(),
    };
    let sim = Simulation::new(&scenario, options).map_err(|e| describe(&e, path))?;
    let run::Outcome { report, records, chart } = run::execute(sim, plot_path.is_some());
    if let (Some(out), Some(p), Some(chart)) = (plot_out.as_mut(), &plot_path, &chart) {
        out.write_all(plot::render_svg(chart).as_bytes())
            .and_then(|_| out.flush())
            .map_err(|e| format!("--plot {}: cannot write: {e}", p.display()))?;
    }
    if let (Some(out), Some(p)) = (jobs_out.as_mut(), &jobs) {
        csv::write(out, &records)
            .and_then(|_| out.flush())
            .map_err(|e| format!("--jobs {}: cannot write: {e}", p.display()))?;
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let written = match format {
        Format::Json => writeln!(out, "{}", report.to_json()),
        Format::Text => write!(
            out,
            "{}",
            text::render(&report, &text::fair_share_targets(&scenario, &report))
        ),
    };
    // A closed pipe (`| head`) is not an error of the run.
    let _ = written;
    Ok(())
}
