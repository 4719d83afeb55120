//! Calibration: how well the model fits an account. A recorded job history
//! (`aws batch describe-jobs` / `list-jobs` output, EventBridge "Batch Job State Change"
//! events: whatever `batchsim import` reads as history) is replayed through a set-up, and
//! the simulated jobs are compared with the recorded ones, job by job and queue by queue
//! (text, JSON, and an SVG of the two vCPU curves):
//!
//! - **wait**: `startedAt` minus the time the job became RUNNABLE (the `time` of its
//!   EventBridge RUNNABLE event), or minus `createdAt` where the history has no state times
//!   (describe-jobs output never has them); the simulated wait is measured from the same
//!   point, so the two agree on what they count. Each job says which it used
//!   ([`WaitBasis`]). Errors are absolute (seconds) and relative (the absolute error over
//!   the recorded wait, the wait counted as at least 1 s).
//! - **start order**: Spearman's rank correlation of the recorded and simulated `startedAt`
//!   (ties take their mean rank).
//! - **vCPUs in use**: the mean absolute difference of the two step curves (the vCPUs of the
//!   jobs RUNNING at each time), over the span from time 0 to the last start or stop.
//!
//! Simulated and recorded jobs are matched by job name and the order of submission among
//! the jobs of that name, and an array child by its index as well. [`fit`] searches the
//! latency settings for the values that minimise the mean absolute wait error: one value
//! for the whole set-up, then one per compute environment with at least
//! [`MIN_JOBS_PER_CE`] jobs.
//!
//! ```
//! use batchsim::calibrate::{compare, Replay};
//! use serde_json::json;
//!
//! // A set-up, and a history of one job that waited 30 s (createdAt to startedAt).
//! let setup = json!({"computeEnvironments": [{"computeEnvironmentName": "f", "type": "MANAGED",
//!     "computeResources": {"type": "FARGATE", "maxvCpus": 4}, "simulation": {"startupSeconds": 30}}],
//!     "jobQueues": [{"jobQueueName": "q", "priority": 1,
//!         "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "f"}]}],
//!     "jobDefinitions": [{"jobDefinitionName": "d", "type": "container", "platformCapabilities": ["FARGATE"],
//!         "containerProperties": {"resourceRequirements": [{"type": "VCPU", "value": "1"},
//!             {"type": "MEMORY", "value": "2048"}]}}]});
//! let history = r#"{"jobs": [{"jobId": "a1", "jobName": "a", "jobQueue": "q", "jobDefinition": "d:1",
//!     "status": "SUCCEEDED", "createdAt": 1000000, "startedAt": 1030000, "stoppedAt": 1090000}]}"#;
//! let replay = Replay::from_parts(setup, "setup.json", &[("jobs.json", history)], &Default::default())?;
//! let fit = compare(&replay, &replay.scenario)?;
//! assert_eq!(fit.jobs.len(), 1);
//! assert_eq!(fit.overall.waits.mean_seconds, 0.0);
//! assert_eq!(fit.jobs[0].recorded_wait_ms, 30_000);
//! # Ok::<(), batchsim::calibrate::CalibrateError>(())
//! ```

mod compare;
mod fit;
mod overlay;
mod per_ce;
mod plot;
mod render;
mod stats;

pub use compare::{
    compare, compare_run, Calibration, JobFit, NotCompared, QueueFit, Summary, VcpuFit, WaitBasis, WaitErrors,
};
pub use fit::{fit, fit_with, with_latencies, Fit, FitPoint, INSTANCE_LAUNCH_GRID, STARTUP_GRID};
pub use overlay::{overlay, HistoryOverlay};
pub use per_ce::{with_latencies_per_ce, CeFit, MAX_ROUNDS, MIN_JOBS_PER_CE};
pub use plot::{svg as to_svg, wait_svg};
pub use render::{json as to_json, text as to_text};

use crate::import::{ImportError, ImportOptions, Importer, Recorded};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Why a calibration could not be made; each names the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CalibrateError {
    /// A history file could not be read or is not job history.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// The scenario could not be read, or with the history's workload it is not valid.
    #[error("{0}")]
    Scenario(#[from] crate::Error),
    /// A history file is another kind of input (a set-up, a template).
    #[error("{file}: (root): not job history (describe-jobs / list-jobs output or EventBridge events); give set-up files as SCENARIO, or import them first")]
    NotHistory {
        /// The file.
        file: String,
    },
    /// No job of the history started, so there is nothing to compare.
    #[error("{files}: no job in the history started (no startedAt): nothing to compare")]
    Empty {
        /// The history files, comma-separated.
        files: String,
    },
}

/// A scenario with a recorded history as its workload, ready to replay.
#[derive(Clone, Debug, PartialEq)]
pub struct Replay {
    /// The scenario as given (its own workload, if any, kept): what `--out` tunes.
    pub given: Value,
    /// The scenario with its workload replaced by the history's submissions.
    pub scenario: Value,
    /// Where the scenario came from (names it in messages; traces resolve from its folder).
    pub path: PathBuf,
    /// The history files, in order.
    pub history_files: Vec<String>,
    /// What the history recorded of each job.
    pub recorded: Recorded,
    /// The import's notes (jobs left out, dependencies not found, ...).
    pub notes: Vec<String>,
}

impl Replay {
    /// Reads the scenario file at `scenario` and the history files.
    pub fn load(scenario: &Path, history: &[PathBuf], options: &ImportOptions) -> Result<Replay, CalibrateError> {
        let value: Value = crate::error::read_json(scenario)?;
        // A directory is read as its files in name order (describe-jobs pages).
        let texts = crate::import::read_inputs(history)?;
        let parts: Vec<(&str, &str)> = texts.iter().map(|(f, t)| (f.as_str(), t.as_str())).collect();
        Replay::from_parts(value, scenario, &parts, options)
    }

    /// The scenario `given` (named by `path`) with the history `(file, text)` inputs.
    pub fn from_parts(
        given: Value,
        path: impl AsRef<Path>,
        history: &[(&str, &str)],
        options: &ImportOptions,
    ) -> Result<Replay, CalibrateError> {
        let path = path.as_ref().to_owned();
        let mut importer = Importer::new(options.clone());
        for (file, text) in history {
            let kind = importer.add_str(text, file)?;
            if kind != crate::import::InputKind::History {
                return Err(CalibrateError::NotHistory {
                    file: (*file).to_owned(),
                });
            }
        }
        let (imported, recorded) = importer.finish_with_runs("history")?;
        let history_files: Vec<String> = history.iter().map(|(f, _)| (*f).to_owned()).collect();
        if recorded.origin_ms.is_none() {
            return Err(CalibrateError::Empty {
                files: history_files.join(", "),
            });
        }
        let mut scenario = given.clone();
        if let Some(o) = scenario.as_object_mut() {
            o.insert("workload".into(), imported.scenario["workload"].clone());
        }
        Ok(Replay {
            given,
            scenario,
            path,
            history_files,
            recorded,
            notes: imported.notes,
        })
    }
}
