//! `batchsim compare SCENARIO --platforms lambda,fargate,ec2`: the scenario's workload on
//! each platform ([`crate::compare`]): cost, wait, turnaround and the jobs each cannot run.

use super::{describe, CliError, Format};
use crate::compare::{self, Platform};
use crate::{Error, Scenario};
use std::path::PathBuf;

/// Arguments of `batchsim compare`.
#[derive(clap::Args, Debug)]
pub struct CompareArgs {
    /// The scenario file (JSON): its workload, queues and job definitions.
    scenario: PathBuf,
    /// The platforms, comma-separated: `lambda`, `fargate`, `ec2` (in the order printed).
    #[arg(long, value_name = "P1,P2,...", default_value = "lambda,fargate,ec2", value_parser = parse_platforms)]
    platforms: Platforms,
    /// `text` (a table) or `json` (one object per platform under its name: `cost`,
    /// `waitSeconds`, `turnaroundSeconds`, `impossible`, ...).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// The response-time question: the share of jobs each platform starts RUNNING (and
    /// finishes) within this many seconds of submission, and which platforms meet it.
    #[arg(long, value_name = "S")]
    response_seconds: Option<f64>,
    /// With `--response-seconds`: the share of jobs (0 to 1) that must start in time for a
    /// platform to meet the target.
    #[arg(long, value_name = "SHARE", default_value_t = 0.95, requires = "response_seconds")]
    response_share: f64,
    /// Refuses (exit 2) a scenario whose workload may generate more jobs than this, counted
    /// before running (as `run --max-jobs` counts; every platform runs the same workload).
    #[arg(long, value_name = "N", default_value_t = crate::scenario::DEFAULT_MAX_JOBS)]
    max_jobs: u64,
}

/// The `--platforms` list.
#[derive(Clone, Debug)]
struct Platforms(Vec<Platform>);

fn parse_platforms(s: &str) -> Result<Platforms, String> {
    Platform::parse_list(s).map(Platforms)
}

/// Runs `batchsim compare`.
pub(super) fn compare(args: &CompareArgs) -> Result<(), CliError> {
    let path = &args.scenario;
    let bad = |e: Error| CliError::BadInput(describe(&e, path));
    let text = std::fs::read_to_string(path).map_err(|source| {
        bad(Error::Read {
            path: path.clone(),
            source,
        })
    })?;
    // Read (and check) the scenario as `run` does, so its problems are reported as usual.
    let original = Scenario::from_file(path).map_err(bad)?;
    crate::scenario::check_job_bound(&original, None, args.max_jobs)
        .map_err(|m| CliError::BadInput(format!("{}: {m}", path.display())))?;
    let doc: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| CliError::BadInput(format!("{}: {e}", path.display())))?;
    let options = match args.response_seconds {
        Some(secs) => compare::CompareOptions::with_response(
            compare::ResponseTarget::new(secs, args.response_share).map_err(CliError::BadInput)?,
        ),
        None => compare::CompareOptions::default(),
    };
    let mut runs = Vec::new();
    for &p in &args.platforms.0 {
        let run = compare::run_platform_with(&doc, &original, path, p, &options).map_err(|e| {
            CliError::BadInput(format!(
                "{} set up for {} (batchsim compare's rule, see README): {}",
                path.display(),
                p.name(),
                describe(&e, path)
            ))
        })?;
        runs.push(run);
    }
    let out = match args.format {
        Format::Json => compare::to_json(&runs) + "\n",
        Format::Text => compare::to_text(original.name(), original.seed(), &runs),
    };
    super::output::to_stdout(out.as_bytes())?;
    Ok(())
}
