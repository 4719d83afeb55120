//! `batchsim calibrate`: replays a recorded job history through a scenario's set-up and
//! reports how far the simulated waits, start order and vCPUs in use are from the recorded
//! ones; `--fit` searches the latency settings and `--out` writes the tuned scenario.

use super::output::{self, Target};
use super::{CliError, Format};
use crate::calibrate::{self, Replay};
use std::path::PathBuf;

/// Arguments of `batchsim calibrate`.
#[derive(clap::Args, Debug)]
pub struct CalibrateArgs {
    /// The set-up to calibrate: a scenario file (JSON), such as `batchsim import`'s output
    /// for your describe output or templates. Its workload, if any, is replaced by the
    /// history's submissions for the replay.
    scenario: PathBuf,
    /// Recorded job history, the files `batchsim import` reads as history (describe-jobs /
    /// list-jobs output, EventBridge events); repeatable. A directory is read as its files in
    /// name order (pages saved one per file).
    #[arg(long = "history", value_name = "HISTORY", required = true, num_args = 1..)]
    history: Vec<PathBuf>,
    /// `text` (a table) or `json`.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Searches `startupSeconds` (and `instanceLaunchSeconds` on EC2/SPOT) for the values
    /// that minimise the mean absolute wait error, and reports the winner: one value for
    /// the whole set-up, then one per compute environment that ran enough jobs.
    #[arg(long)]
    fit: bool,
    /// With `--fit`: a compute environment on which fewer compared jobs ran keeps the
    /// values fitted for the whole set-up; the others are fitted one by one (a number above
    /// the history's size gives the single-value fit).
    #[arg(long, value_name = "N", default_value_t = calibrate::MIN_JOBS_PER_CE, requires = "fit")]
    per_ce_min_jobs: usize,
    /// With `--fit`: writes SCENARIO with the winning settings to this file (`-`: standard
    /// output, the report then goes to stderr).
    #[arg(long, value_name = "TUNED.json", requires = "fit")]
    out: Option<PathBuf>,
    /// Draws the recorded and the simulated vCPUs in use over time (the scenario as given)
    /// to this SVG file; `-` is standard output (the report then goes to stderr).
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<PathBuf>,
    /// Writes the calibration as one self-contained HTML page to this file: the error
    /// figures, the jobs furthest off, the vCPUs in use and each job's wait (recorded vs
    /// simulated) drawn, and with `--fit` the settings found and the same at them; `-` is
    /// standard output (the report then goes to stderr).
    #[arg(long, value_name = "FILE.html")]
    html: Option<PathBuf>,
    /// `jobQueue=NAME`: the queue of list-jobs summaries (repeatable, as for `import`).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    params: Vec<String>,
    /// EventBridge events: skip lines that are not JSON (counted in a note).
    #[arg(long)]
    skip_bad_lines: bool,
}

/// Runs `batchsim calibrate`: 0, 2 for bad input, 1 when an output cannot be written.
pub(super) fn calibrate(args: &CalibrateArgs) -> Result<(), CliError> {
    let options = super::import::import_options(&args.params, args.skip_bad_lines)?;
    let target = args.out.as_deref().map(|p| Target::of("--out", p));
    let pending = match &target {
        Some(Target::File { flag, path }) => Some(output::Pending::create(flag, path)?),
        _ => None,
    };
    let plot_target = args.plot.as_deref().map(|p| Target::of("--plot", p));
    let html_target = args.html.as_deref().map(|p| Target::of("--html", p));
    let on_stdout: Vec<&str> = [
        ("--out -", &target),
        ("--plot -", &plot_target),
        ("--html -", &html_target),
    ]
    .into_iter()
    .filter(|(_, t)| **t == Some(Target::Stdout))
    .map(|(flag, _)| flag)
    .collect();
    if on_stdout.len() > 1 {
        return Err(CliError::BadInput(format!(
            "{}: standard output can carry one of them; write the others to files",
            on_stdout.join(" and ")
        )));
    }
    let plot_pending = match &plot_target {
        Some(Target::File { flag, path }) => Some(output::Pending::create(flag, path)?),
        _ => None,
    };
    let html_pending = match &html_target {
        Some(Target::File { flag, path }) => Some(output::Pending::create(flag, path)?),
        _ => None,
    };
    let bad = |e: calibrate::CalibrateError| CliError::BadInput(e.to_string());
    let replay = Replay::load(&args.scenario, &args.history, &options).map_err(bad)?;
    for note in &replay.notes {
        output::note(&format!("note: {note}"));
    }
    let given = calibrate::compare(&replay, &replay.scenario).map_err(|e| {
        let mut m = e.to_string();
        if m.contains("workload[") {
            m.push_str(&format!(
                "\n(the workload is the history's: workload[i] is the (i+1)-th job of {} by createdAt)",
                replay.history_files.join(", ")
            ));
        }
        CliError::BadInput(m)
    })?;
    let fit = if args.fit {
        Some(calibrate::fit_with(&replay, args.per_ce_min_jobs).map_err(bad)?)
    } else {
        None
    };
    let mut report = match args.format {
        Format::Text => calibrate::to_text(&replay, &given, fit.as_ref()),
        Format::Json => {
            let mut t = serde_json::to_string_pretty(&calibrate::to_json(&replay, &given, fit.as_ref()))
                .map_err(|e| CliError::BadInput(e.to_string()))?;
            t.push('\n');
            t
        }
    };
    // What standard output carries: the report, or a `-` output (the report then goes to
    // stderr).
    let mut stdout: Option<String> = None;
    if let Some(f) = &fit {
        let mut tuned = serde_json::to_string_pretty(&f.tuned).map_err(|e| CliError::BadInput(e.to_string()))?;
        tuned.push('\n');
        match (pending, &target) {
            (Some(mut p), Some(Target::File { path, .. })) => {
                p.write(|w| w.write_all(tuned.as_bytes()))?;
                p.commit()?;
                if args.format == Format::Text {
                    report.push_str(&format!("tuned scenario written to {}\n", path.display()));
                }
            }
            (_, Some(Target::Stdout)) => stdout = Some(tuned),
            _ => {}
        }
    }
    if plot_target.is_some() {
        let chart = calibrate::to_svg(&replay, &given);
        match plot_pending {
            Some(mut p) => {
                p.write(|w| w.write_all(chart.as_bytes()))?;
                p.commit()?;
            }
            None => stdout = Some(chart),
        }
    }
    if html_target.is_some() {
        let page = crate::report::html::calibration::calibration_page(&replay, &given, fit.as_ref());
        match html_pending {
            Some(mut p) => {
                p.write(|w| w.write_all(page.as_bytes()))?;
                p.commit()?;
            }
            None => stdout = Some(page),
        }
    }
    match stdout {
        Some(other) => {
            output::note(report.trim_end());
            Ok(output::to_stdout(other.as_bytes())?)
        }
        None => Ok(output::to_stdout(report.as_bytes())?),
    }
}
