//! `batchsim import`: a scenario from describe output, CloudFormation templates, Terraform,
//! request bodies and job history, written to a file or stdout.

use super::output::{self, Target};
use super::{CliError, EXIT_BAD_INPUT};
use crate::import::{ImportOptions, Importer};
use crate::{Options, Scenario, Simulation};
use std::path::PathBuf;

/// Arguments of `batchsim import`.
#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// Inputs, in any mix: AWS CLI describe output (JSON), CloudFormation templates (JSON or
    /// YAML), `terraform show -json` output, `.tf` files, request bodies
    /// (`--cli-input-json` files, `--generate-cli-skeleton` templates), job history
    /// (describe-jobs / list-jobs output, EventBridge events). The kind is recognised from
    /// the content. A directory is read as its files in name order (pages saved one per
    /// file; names starting with `.` skipped).
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// Writes the scenario to this file (default, or `-`: standard output). It is written
    /// even when it does not validate yet (exit 2 then), so that it can be fixed.
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

/// Runs `batchsim import`; returns the exit code: 0, 2 for bad input (including a scenario
/// written that does not validate yet), 1 when the output cannot be written.
pub(super) fn import(args: &ImportArgs) -> i32 {
    let mut invalid = false;
    match super::finish(run(args, &mut invalid)) {
        0 if invalid => EXIT_BAD_INPUT,
        code => code,
    }
}

/// The import options of `--param NAME=VALUE`s and `--skip-bad-lines` (`import`,
/// `calibrate`).
pub(super) fn import_options(params: &[String], skip_bad_lines: bool) -> Result<ImportOptions, CliError> {
    let mut options = ImportOptions::default();
    for p in params {
        options
            .params
            .push(ImportOptions::parse_param(p).map_err(|e| CliError::BadInput(e.to_string()))?);
    }
    options.skip_bad_lines = skip_bad_lines;
    Ok(options)
}

fn run(args: &ImportArgs, invalid: &mut bool) -> Result<(), CliError> {
    let options = import_options(&args.params, args.skip_bad_lines)?;
    let mut importer = Importer::new(options);
    for input in &args.inputs {
        importer
            .add_file(input)
            .map_err(|e| CliError::BadInput(e.to_string()))?;
    }
    let target = args.out.as_deref().map(|p| Target::of("--out", p));
    // Open the output first: a bad folder is found before the work.
    let pending = match &target {
        Some(Target::File { flag, path }) => Some(output::Pending::create(flag, path)?),
        _ => None,
    };
    let name = args
        .out
        .as_ref()
        .filter(|p| p.as_os_str() != "-")
        .or(args.inputs.first())
        .and_then(|p| p.file_stem())
        .and_then(|s| s.to_str())
        .unwrap_or("imported")
        .to_owned();
    let imported = importer.finish(&name).map_err(|e| CliError::BadInput(e.to_string()))?;
    for note in &imported.notes {
        output::note(&format!("note: {note}"));
    }
    let mut text = serde_json::to_string_pretty(&imported.scenario).map_err(|e| CliError::BadInput(e.to_string()))?;
    text.push('\n');
    // Check the scenario the way `validate` does, against the file it goes to.
    let at = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("{name}.json")));
    let checked = Scenario::from_value_at(&imported.scenario, &at)
        .and_then(|s| Simulation::new(&s, Options::default()).map(|_| s));
    match pending {
        Some(mut p) => {
            p.write(|w| w.write_all(text.as_bytes()))?;
            p.commit()?;
        }
        None => output::to_stdout(text.as_bytes())?,
    }
    match checked {
        Ok(s) => {
            output::note(&format!(
                "imported {} compute environments, {} job queues, {} scheduling policies, {} job definitions, {} workload entries{}{}",
                s.compute_environments.len(),
                s.job_queues.len(),
                s.scheduling_policies.len(),
                s.job_definitions.len(),
                s.workload.len(),
                match s.consumable_resources.len() {
                    0 => String::new(),
                    n => format!(", {n} consumable resources"),
                },
                match &target {
                    Some(Target::File { path, .. }) => format!(" into {}", path.display()),
                    _ => String::new(),
                }
            ));
            Ok(())
        }
        Err(e) => {
            output::note(&e.to_string());
            output::note("the imported scenario was written but does not validate yet: fix the problems above in it");
            *invalid = true;
            Ok(())
        }
    }
}
