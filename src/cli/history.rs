//! `batchsim run SCENARIO --history HISTORY...`: the run replays a recorded job history
//! through the scenario's set-up (the workload is the history's, as `batchsim calibrate`
//! replays it) and is compared with the recording by the calibration's own code
//! ([`crate::calibrate::compare_run`]): the text summary ends with the calibration report,
//! `--plot` draws the recorded vCPUs in use over the simulated curves with the error
//! figures under the title ([`crate::calibrate::overlay`]), and the HTML report adds the
//! error table and the jobs furthest off.

use super::{describe, with_infra, CliError, LoadError};
use crate::calibrate::{self, Calibration, Replay};
use crate::{JobRecord, Options, Scenario, Simulation};
use std::path::{Path, PathBuf};

/// `run`'s history arguments.
#[derive(Debug, Default)]
pub(super) struct HistoryArgs {
    /// `--history`: the files (or directories of them), as `calibrate --history`.
    pub files: Vec<PathBuf>,
    /// `--param NAME=VALUE` (`jobQueue=NAME` for list-jobs summaries).
    pub params: Vec<String>,
    /// `--skip-bad-lines`.
    pub skip_bad_lines: bool,
}

/// Reads the scenario at `path` (with its `--infra` set-up) and the history, and checks the
/// scenario whose workload is the history's: the scenario, its simulation and the replay.
pub(super) fn load(
    path: &Path,
    infra: &[PathBuf],
    history: &HistoryArgs,
    options: Options,
) -> Result<(Scenario, Simulation, Replay), LoadError> {
    let import = super::import::import_options(&history.params, history.skip_bad_lines).map_err(LoadError::Cli)?;
    let (value, added) = match with_infra(path, infra).map_err(LoadError::Cli)? {
        Some((value, added)) => (value, added),
        None => (
            crate::error::read_json(path).map_err(LoadError::Scenario)?,
            Default::default(),
        ),
    };
    let texts =
        crate::import::read_inputs(&history.files).map_err(|e| LoadError::Cli(CliError::BadInput(e.to_string())))?;
    let parts: Vec<(&str, &str)> = texts.iter().map(|(f, t)| (f.as_str(), t.as_str())).collect();
    let replay = Replay::from_parts(value, path, &parts, &import)
        .map_err(|e| LoadError::Cli(CliError::BadInput(e.to_string())))?;
    for note in &replay.notes {
        super::output::note(&format!("note: {note}"));
    }
    let explain = |e: crate::Error| {
        let mut m = describe(&added.explain(e), path);
        if m.contains("workload[") {
            m.push_str(&format!(
                "\n(the workload is the history's: workload[i] is the (i+1)-th job of {} by createdAt)",
                replay.history_files.join(", ")
            ));
        }
        LoadError::Cli(CliError::BadInput(m))
    };
    let scenario = Scenario::from_value_at(&replay.scenario, path).map_err(explain)?;
    let sim = Simulation::new(&scenario, options).map_err(explain)?;
    Ok((scenario, sim, replay))
}

/// The run's records compared with the recording.
pub(super) fn compare(replay: &Replay, records: &[JobRecord]) -> Calibration {
    calibrate::compare_run(replay, records)
}
