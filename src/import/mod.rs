//! Importing an AWS Batch set-up from the places it already lives: AWS CLI describe output,
//! CloudFormation templates (JSON or YAML, CDK and SAM output included), Terraform
//! (`terraform show -json` state or plan, or plain `.tf` files, `terraform-aws-modules/batch`
//! module calls included) and single request bodies (`--cli-input-json` files and
//! `--generate-cli-skeleton` templates).
//!
//! The result is an ordinary scenario document (CONTRACT section 2) with the compute
//! environments, scheduling policies, job queues and job definitions found, an empty
//! workload, and `deregisterJobDefinition` actions at time 0 for the INACTIVE revisions. It
//! validates on its own; add a workload to it to run something, or give the inputs
//! themselves to `run`, `validate` or `sweep` with `--infra FILE` beside a workload-only
//! scenario ([`add_infra`]). A run's `--jobs FILE.json` (`report::describe_jobs`)
//! reads back here as job history.
//!
//! ```
//! use batchsim::import::{ImportOptions, Importer};
//!
//! let mut importer = Importer::new(ImportOptions::default());
//! importer.add_str(r#"{"computeEnvironments": [{"computeEnvironmentName": "spot",
//!     "computeEnvironmentArn": "arn:aws:batch:us-east-1:123456789012:compute-environment/spot",
//!     "type": "MANAGED", "state": "ENABLED", "status": "VALID",
//!     "computeResources": {"type": "FARGATE_SPOT", "maxvCpus": 64}}]}"#, "ces.json")?;
//! let imported = importer.finish("mine")?;
//! assert_eq!(imported.scenario["computeEnvironments"][0]["computeResources"]["maxvCpus"], 64);
//! assert!(batchsim::Scenario::from_value(&imported.scenario, "mine.json").is_ok());
//! # Ok::<(), batchsim::import::ImportError>(())
//! ```

mod cloudformation;
mod cluster;
mod describe;
mod error;
mod hcl;
mod history;
mod infra;
mod request;
mod setup;
mod shapes;
mod terraform;
mod yaml;

pub use cluster::{cluster_name, cluster_of_task};
pub use error::ImportError;
pub use history::{Recorded, RecordedRun};
pub use infra::{add_infra, add_infra_str, Added};

use crate::error::strip_position;
use serde_json::Value;
use setup::Setup;
use std::path::Path;

/// What kind of input a file is, recognised from its content (and a `.tf` extension).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum InputKind {
    /// AWS CLI / SDK describe output (`{"computeEnvironments": [...]}`, ...).
    Describe,
    /// A CloudFormation template (JSON or YAML; CDK and SAM output).
    CloudFormation,
    /// `terraform show -json` output, state (`values`) or plan (`planned_values`).
    TerraformJson,
    /// A Terraform configuration file (`.tf`).
    TerraformHcl,
    /// One request body (`--cli-input-json` / `--cli-input-yaml` files, and the templates
    /// `--generate-cli-skeleton` prints): CreateComputeEnvironment, CreateJobQueue,
    /// RegisterJobDefinition or CreateSchedulingPolicy.
    Request,
    /// Job history: `describe-jobs` / `list-jobs` output, or EventBridge "Batch Job State
    /// Change" events (JSON lines), read into the workload.
    History,
}

/// Settings of an import.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// `--param NAME=VALUE`: CloudFormation parameters and Terraform variables, in the order
    /// given (a later value of the same name wins); `jobQueue` is also the queue of list-jobs
    /// summaries.
    pub params: Vec<(String, String)>,
    /// `--skip-bad-lines`: in a file of JSON lines (EventBridge events), lines that are not
    /// JSON are skipped and counted (the first few listed with their numbers) instead of
    /// failing the import.
    pub skip_bad_lines: bool,
}

impl ImportOptions {
    /// Parses `NAME=VALUE` into a parameter.
    pub fn parse_param(text: &str) -> Result<(String, String), ImportError> {
        match text.split_once('=') {
            Some((name, value)) if !name.trim().is_empty() => Ok((name.trim().to_owned(), value.to_owned())),
            _ => Err(ImportError::Param(text.to_owned())),
        }
    }

    /// The value given for `name`, if any (the last one given).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The outcome of an import.
#[derive(Clone, Debug, PartialEq)]
pub struct Imported {
    /// The scenario document.
    pub scenario: Value,
    /// What the user should know: resources ignored (not simulated), properties left out,
    /// references that could not be resolved. One line each.
    pub notes: Vec<String>,
}

/// Reads inputs one by one and gathers their set-up.
#[derive(Debug)]
pub struct Importer {
    options: ImportOptions,
    setup: Setup,
}

impl Importer {
    /// An importer with nothing read yet.
    pub fn new(options: ImportOptions) -> Importer {
        Importer {
            options,
            setup: Setup::default(),
        }
    }

    /// Reads the file at `path`; a directory is read as its files, in name order (pages of
    /// `describe-jobs` output saved one per file). Returns the kind of the last file read.
    pub fn add_file(&mut self, path: &Path) -> Result<InputKind, ImportError> {
        let mut kind = None;
        for (file, text) in read_inputs(&[path])? {
            kind = Some(self.add_str(&text, &file)?);
        }
        // `read_inputs` gives at least one file for each path, or an error.
        kind.ok_or_else(|| ImportError::EmptyDirectory { path: path.to_owned() })
    }

    /// Reads one input given as text; `file` names it in messages (a name ending in `.tf` is
    /// read as HCL). Returns the kind recognised.
    pub fn add_str(&mut self, text: &str, file: &str) -> Result<InputKind, ImportError> {
        self.setup.sources.push(file.to_owned());
        if file.ends_with(".tf") {
            hcl::read(file, text, &self.options, &mut self.setup)?;
            return Ok(InputKind::TerraformHcl);
        }
        let trimmed = text.trim_start_matches('\u{feff}').trim_start();
        let documents = if trimmed.starts_with('{') || trimmed.starts_with('[') {
            match json_documents(file, trimmed) {
                Ok(docs) => docs,
                Err(e) if self.options.skip_bad_lines => json_lines(file, text, &mut self.setup.notes).ok_or(e)?,
                Err(e) => return Err(e),
            }
        } else {
            vec![yaml::parse(file, trimmed)?]
        };
        let kind = recognise(file, &documents)?;
        match kind {
            InputKind::Describe => {
                for (page, doc) in documents.iter().enumerate() {
                    describe::read(file, doc, page, &mut self.setup)?;
                }
            }
            InputKind::CloudFormation => {
                cloudformation::read(file, &documents[0], &self.options, &mut self.setup)?;
            }
            InputKind::TerraformJson => terraform::read_json(file, &documents[0], &mut self.setup)?,
            InputKind::Request => request::read(file, &documents[0], &mut self.setup)?,
            InputKind::History => {
                let queue = self.options.param("jobQueue").map(str::to_owned);
                history::read(file, &documents, queue.as_deref(), &mut self.setup)?
            }
            InputKind::TerraformHcl => {}
        }
        Ok(kind)
    }

    /// The scenario, named `name`, and the notes of every input read.
    pub fn finish(self, name: &str) -> Result<Imported, ImportError> {
        self.finish_with_runs(name).map(|(imported, _)| imported)
    }

    /// [`Importer::finish`], and what the job history recorded of each job (array children
    /// included, in input order) for a calibration against it (`crate::calibrate`). The
    /// workload's time origin is the earliest `createdAt` of the jobs that started.
    pub fn finish_with_runs(mut self, name: &str) -> Result<(Imported, Recorded), ImportError> {
        let origin_ms = self.setup.history.iter().map(|j| j.created_ms).min();
        let scenario = self.setup.build_scenario(name);
        Ok((
            Imported {
                scenario,
                notes: self.setup.notes,
            },
            Recorded {
                origin_ms,
                runs: self.setup.runs,
            },
        ))
    }
}

/// Imports `paths` in order into a scenario named `name`.
pub fn import_files(paths: &[impl AsRef<Path>], options: &ImportOptions, name: &str) -> Result<Imported, ImportError> {
    let mut importer = Importer::new(options.clone());
    for p in paths {
        importer.add_file(p.as_ref())?;
    }
    importer.finish(name)
}

/// The text of each input, named as messages name it: a file as it is, a directory as its
/// files in name order (names starting with `.` skipped; subdirectories are not entered),
/// so `aws batch describe-jobs` pages saved one per file read as one history.
pub fn read_inputs(paths: &[impl AsRef<Path>]) -> Result<Vec<(String, String)>, ImportError> {
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|source| ImportError::Read {
            path: path.to_owned(),
            source,
        })
    };
    let mut out = Vec::with_capacity(paths.len());
    for path in paths {
        let path = path.as_ref();
        if !path.is_dir() {
            out.push((path.display().to_string(), read(path)?));
            continue;
        }
        let io = |source| ImportError::Read {
            path: path.to_owned(),
            source,
        };
        let mut files = Vec::new();
        for entry in std::fs::read_dir(path).map_err(io)? {
            let entry = entry.map_err(io)?;
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            if !hidden && !entry.path().is_dir() {
                files.push(entry.path());
            }
        }
        if files.is_empty() {
            return Err(ImportError::EmptyDirectory { path: path.to_owned() });
        }
        files.sort();
        for f in files {
            let text = read(&f)?;
            out.push((f.display().to_string(), text));
        }
    }
    Ok(out)
}

/// One or more JSON documents, one after the other (pages of describe output).
fn json_documents(file: &str, text: &str) -> Result<Vec<Value>, ImportError> {
    let mut out = Vec::new();
    for doc in serde_json::Deserializer::from_str(text).into_iter::<Value>() {
        match doc {
            Ok(v) => out.push(v),
            Err(e) => {
                return Err(ImportError::Syntax {
                    file: file.to_owned(),
                    format: "JSON",
                    line: e.line(),
                    column: e.column(),
                    message: strip_position(&e.to_string()),
                })
            }
        }
    }
    Ok(out)
}

/// `--skip-bad-lines`: one JSON document per line, lines that are not JSON skipped and
/// noted. `None` when no line is JSON.
fn json_lines(file: &str, text: &str, notes: &mut Vec<String>) -> Option<Vec<Value>> {
    let mut docs = Vec::new();
    let mut bad = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(line) {
            Ok(v) => docs.push(v),
            Err(_) => bad.push(i + 1),
        }
    }
    if docs.is_empty() {
        return None;
    }
    if !bad.is_empty() {
        let shown: Vec<String> = bad.iter().take(5).map(usize::to_string).collect();
        notes.push(format!(
            "{file}: {} line{} skipped (not JSON): line{} {}{}",
            bad.len(),
            if bad.len() == 1 { "" } else { "s" },
            if bad.len() == 1 { "" } else { "s" },
            shown.join(", "),
            if bad.len() > 5 { ", ..." } else { "" }
        ));
    }
    Some(docs)
}

/// The kind of a parsed input, from its top-level keys.
fn recognise(file: &str, documents: &[Value]) -> Result<InputKind, ImportError> {
    let Some(first) = documents.first() else {
        return Err(ImportError::invalid(file, "", "the file is empty"));
    };
    let has = |k: &str| first.get(k).is_some();
    if documents.iter().all(history::is_history) {
        return Ok(InputKind::History);
    }
    if documents.iter().all(describe::is_describe) {
        if has("workload") || has("actions") {
            return Err(ImportError::invalid(
                file,
                "",
                "this is already a batchsim scenario (it has `workload` or `actions`); use it as it is",
            ));
        }
        return Ok(InputKind::Describe);
    }
    if documents.len() == 1 {
        if has("Resources") || has("AWSTemplateFormatVersion") {
            return Ok(InputKind::CloudFormation);
        }
        if has("format_version") && (has("values") || has("planned_values") || has("terraform_version")) {
            return Ok(InputKind::TerraformJson);
        }
        if request::kind_of(first).is_some() {
            return Ok(InputKind::Request);
        }
    }
    Err(ImportError::invalid(
        file,
        "",
        "not an input batchsim can import: expected AWS CLI describe output (a top-level \
         `computeEnvironments`, `jobQueues`, `jobDefinitions`, `schedulingPolicies` or \
         `consumableResourceName`), a CloudFormation template (`Resources`), \
         `terraform show -json` output (`format_version` with `values` or `planned_values`), \
         a `.tf` file, one request body (`computeEnvironmentName`, `jobQueueName`, \
         `jobDefinitionName`, or `name` with `fairsharePolicy`), or job history (`jobs` of \
         describe-jobs, `jobSummaryList` of list-jobs, EventBridge `Batch Job State Change` events)",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_are_recognised_from_their_content() {
        let mut i = Importer::new(ImportOptions::default());
        assert_eq!(
            i.add_str(r#"{"jobQueues": []}"#, "a.json").unwrap(),
            InputKind::Describe
        );
        assert_eq!(
            i.add_str(r#"{"jobQueues": []} {"jobQueues": []}"#, "pages.json")
                .unwrap(),
            InputKind::Describe
        );
        assert_eq!(
            i.add_str("Resources: {}\n", "t.yaml").unwrap(),
            InputKind::CloudFormation
        );
        let e = i.add_str(r#"{"hello": 1}"#, "x.json").unwrap_err().to_string();
        assert!(e.starts_with("x.json: (root): not an input batchsim can import"), "{e}");
        let e = i.add_str(r#"{"jobQueues": [}"#, "bad.json").unwrap_err().to_string();
        assert!(e.starts_with("bad.json:1:"), "{e}");
        let e = i.add_str("", "empty.json").unwrap_err().to_string();
        assert!(e.contains("empty.json"), "{e}");
    }

    #[test]
    fn bad_lines_fail_unless_skipped() {
        let text = "{\"detail-type\": \"Batch Job State Change\", \"detail\": {\"jobId\": \"a\", \"jobQueue\": \"q\", \"createdAt\": 1, \"startedAt\": 2, \"stoppedAt\": 3}}\nnot json\n";
        let mut i = Importer::new(ImportOptions::default());
        let e = i.add_str(text, "events.jsonl").unwrap_err().to_string();
        assert!(e.starts_with("events.jsonl:2:"), "{e}");
        let mut i = Importer::new(ImportOptions {
            skip_bad_lines: true,
            ..ImportOptions::default()
        });
        assert_eq!(i.add_str(text, "events.jsonl").unwrap(), InputKind::History);
        let out = i.finish("x").unwrap();
        assert!(
            out.notes
                .iter()
                .any(|n| n == "events.jsonl: 1 line skipped (not JSON): line 2"),
            "{:?}",
            out.notes
        );
        assert_eq!(out.scenario["workload"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn params_parse_and_the_last_one_wins() {
        let mut o = ImportOptions::default();
        o.params.push(ImportOptions::parse_param("A=1").unwrap());
        o.params.push(ImportOptions::parse_param("A=x=y").unwrap());
        assert_eq!(o.param("A"), Some("x=y"));
        assert!(ImportOptions::parse_param("novalue").is_err());
        assert!(ImportOptions::parse_param("=v").is_err());
    }
}
