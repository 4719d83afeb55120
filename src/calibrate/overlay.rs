//! A calibration drawn in a run's chart (`batchsim run --history FILE... --plot FILE.svg`):
//! [`HistoryOverlay`], the recorded and the simulated vCPUs-in-use curves of the compared
//! jobs (the curves `calibrate --plot` draws, [`super::to_svg`], in seconds) and the error
//! figures, built by [`overlay`]; the command line's chart draws it as a panel of its own.

use super::plot::{corners, intervals, last_ms};
use super::{Calibration, Replay};

/// A recorded history to draw in a run's chart.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HistoryOverlay {
    /// The history files' names, comma-separated (in the panel's title).
    pub files: String,
    /// Jobs compared.
    pub jobs: usize,
    /// The error figures, one short line each (beside the panel, under its legend).
    pub figures: Vec<String>,
    /// The recorded vCPUs in use as step corners: (seconds from 0, vCPUs), times
    /// non-decreasing.
    pub recorded: Vec<(f64, f64)>,
    /// The simulated vCPUs in use of the same jobs, as corners.
    pub simulated: Vec<(f64, f64)>,
}

impl HistoryOverlay {
    /// The latest time either curve reaches, seconds.
    pub fn end_seconds(&self) -> f64 {
        self.recorded
            .iter()
            .chain(&self.simulated)
            .map(|p| p.0)
            .fold(0.0, f64::max)
    }

    /// The highest vCPUs either curve reaches.
    pub fn max_vcpus(&self) -> f64 {
        self.recorded
            .iter()
            .chain(&self.simulated)
            .map(|p| p.1)
            .fold(0.0, f64::max)
    }
}

/// `c` drawn over a run's chart (`run --history FILE... --plot FILE.svg`): the recorded and
/// simulated vCPUs-in-use curves of the compared jobs (the same curves as [`svg`](super::plot::svg), in
/// seconds) and the error figures (see [`HistoryOverlay`]).
pub fn overlay(replay: &Replay, c: &Calibration) -> HistoryOverlay {
    let (rec, sim) = intervals(c);
    let last = last_ms(&rec, &sim);
    let seconds = |points: Vec<(i64, f64)>| points.into_iter().map(|(t, v)| (t as f64 / 1000.0, v)).collect();
    let w = &c.overall.waits;
    let figures = vec![
        "wait error |simulated - recorded|:".to_owned(),
        format!("  mean {:.1} s, p50 {:.1} s", w.mean_seconds, w.p50_seconds),
        format!("  p95 {:.1} s", w.p95_seconds),
        format!("  relative: mean {:.1}%", 100.0 * w.mean_relative),
        format!("  bias {:+.1} s", w.bias_seconds),
        format!(
            "start-order rank corr. {}",
            c.overall
                .start_order
                .map_or_else(|| "-".to_owned(), |r| format!("{r:.3}"))
        ),
        format!("vCPUs: mean |diff| {:.2}", c.overall.vcpus.mean_abs_difference),
    ];
    HistoryOverlay {
        // File names only: the title has room for a few.
        files: replay
            .history_files
            .iter()
            .map(|f| {
                std::path::Path::new(f)
                    .file_name()
                    .map_or_else(|| f.clone(), |n| n.to_string_lossy().into_owned())
            })
            .collect::<Vec<_>>()
            .join(", "),
        jobs: c.jobs.len(),
        figures,
        recorded: seconds(corners(&rec, last)),
        simulated: seconds(corners(&sim, last)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_curves_span_and_height() {
        let h = HistoryOverlay {
            files: "jobs.json".into(),
            jobs: 2,
            figures: Vec::new(),
            recorded: vec![(0.0, 0.0), (10.0, 0.0), (10.0, 2.0), (70.0, 2.0), (70.0, 0.0)],
            simulated: vec![(0.0, 0.0), (5.0, 3.0), (90.0, 0.0)],
        };
        assert_eq!((h.end_seconds(), h.max_vcpus()), (90.0, 3.0));
        assert_eq!(HistoryOverlay::default().max_vcpus(), 0.0);
    }
}
