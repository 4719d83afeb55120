//! `batchsim import`: a scenario from describe output, CloudFormation templates, Terraform,
//! request bodies and job history, written to a file or stdout.

use crate::import::{ImportOptions, Importer};
use crate::{Options, Scenario, Simulation};
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `batchsim import`.
#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// Inputs, in any mix: AWS CLI describe output (JSON), CloudFormation templates (JSON or
    /// YAML), `terraform show -json` output, `.tf` files, request bodies
    /// (`--cli-input-json` files, `--generate-cli-skeleton` templates), job history
    /// (describe-jobs / list-jobs output, EventBridge events). The kind is recognised from
    /// the content.
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// Writes the scenario to this file (default: stdout).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// A CloudFormation parameter or Terraform variable value (repeatable); `jobQueue=NAME`
    /// is also the queue of list-jobs summaries.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    params: Vec<String>,
    /// Job history in JSON lines (EventBridge events): skip lines that are not JSON, count
    /// them and list the first few, instead of failing.
    #[arg(long)]
    skip_bad_lines: bool,
}

/// Runs `batchsim import`; returns the exit code.
pub(super) fn import(args: &ImportArgs) -> i32 {
    match run(args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("{message}");
            super::EXIT_BAD_INPUT
        }
    }
}

fn run(args: &ImportArgs) -> Result<i32, String> {
    let mut options = ImportOptions::default();
    for p in &args.params {
        options
            .params
            .push(ImportOptions::parse_param(p).map_err(|e| e.to_string())?);
    }
    options.skip_bad_lines = args.skip_bad_lines;
    let mut importer = Importer::new(options);
    for input in &args.inputs {
        importer.add_file(input).map_err(|e| e.to_string())?;
    }
    let name = args
        .out
        .as_ref()
        .or(args.inputs.first())
        .and_then(|p| p.file_stem())
        .and_then(|s| s.to_str())
        .unwrap_or("imported")
        .to_owned();
    let imported = importer.finish(&name).map_err(|e| e.to_string())?;
    for note in &imported.notes {
        eprintln!("note: {note}");
    }
    let mut text = serde_json::to_string_pretty(&imported.scenario).map_err(|e| e.to_string())?;
    text.push('\n');
    // Check the scenario the way `validate` does, against the file it goes to.
    let at = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{name}.json")));
    let checked = Scenario::from_value_at(&imported.scenario, &at)
        .and_then(|s| Simulation::new(&s, Options::default()).map(|_| s));
    match &args.out {
        Some(path) => {
            std::fs::write(path, &text).map_err(|e| format!("--out {}: cannot write: {e}", path.display()))?
        }
        None => {
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
        }
    }
    match checked {
        Ok(s) => {
            eprintln!(
                "imported {} compute environments, {} job queues, {} scheduling policies, {} job definitions{}",
                s.compute_environments.len(),
                s.job_queues.len(),
                s.scheduling_policies.len(),
                s.job_definitions.len(),
                args.out
                    .as_ref()
                    .map(|p| format!(" into {}", p.display()))
                    .unwrap_or_default()
            );
            Ok(0)
        }
        Err(e) => {
            eprintln!("{e}");
            eprintln!("the imported scenario was written but does not validate yet: fix the problems above in it");
            Ok(super::EXIT_BAD_INPUT)
        }
    }
}
