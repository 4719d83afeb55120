//! The chart's cost panel (dollars so far per compute environment) and its wait panel (the
//! cumulative distribution of waits on a log time axis), drawn into the frame of
//! [`super::svg`] for [`super::plot`].
//!
//! A log axis because waits span orders of magnitude: on a linear axis a run whose p50 is
//! 5 s and whose max is 2 h draws every short wait as one vertical line at 0 (issue 14).

use super::plot::{Chart, WaitCurve};
use super::svg::{
    axis_top, color, duration, frame, legend, no_data, series_max, step_path, AxisSpec, LegendItem, Line, Panel,
};
use std::fmt::Write;

/// The shortest wait the log axis shows: 1 ms, the simulator's resolution.
const MIN_WAIT: f64 = 0.001;

/// At most this many decades on the wait axis: shorter waits are drawn at its left edge.
const MAX_DECADES: f64 = 7.0;

/// Labelled ticks of the wait axis, in seconds.
const WAIT_TICKS: [(f64, &str); 13] = [
    (0.001, "1 ms"),
    (0.01, "10 ms"),
    (0.1, "0.1 s"),
    (1.0, "1 s"),
    (10.0, "10 s"),
    (60.0, "1 min"),
    (600.0, "10 min"),
    (3600.0, "1 h"),
    (36_000.0, "10 h"),
    (86_400.0, "1 d"),
    (864_000.0, "10 d"),
    (8_640_000.0, "100 d"),
    (86_400_000.0, "1000 d"),
];

/// A log scale from `lo` to `hi` seconds (both powers of ten, `lo < hi`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct LogScale {
    lo: f64,
    hi: f64,
}

impl LogScale {
    /// The scale covering the positive waits in `values`: from the decade below the
    /// shortest (at least 1 ms, at most [`MAX_DECADES`] below the top) to a quarter beyond
    /// the longest (at least one decade); 0.1 s to 10 s when no wait is positive.
    pub(super) fn covering(values: impl IntoIterator<Item = f64>) -> LogScale {
        let (mut min, mut max) = (f64::INFINITY, 0.0f64);
        for v in values.into_iter().filter(|v| v.is_finite() && *v > 0.0) {
            min = min.min(v);
            max = max.max(v);
        }
        if max <= 0.0 {
            return LogScale { lo: 0.1, hi: 10.0 };
        }
        let hi = (max * 1.25).min(1e300);
        let lo_exp = min
            .max(MIN_WAIT)
            .log10()
            .floor()
            .max((hi.log10() - MAX_DECADES).floor());
        let lo = 10f64.powf(lo_exp);
        LogScale {
            lo,
            hi: hi.max(lo * 10.0),
        }
    }

    /// Where `v` seconds falls, from 0 (at or below `lo`, zero waits included) to 1.
    pub(super) fn at(&self, v: f64) -> f64 {
        if v.is_nan() || v <= self.lo {
            return 0.0;
        }
        ((v.log10() - self.lo.log10()) / (self.hi.log10() - self.lo.log10())).clamp(0.0, 1.0)
    }

    /// The labelled ticks inside the scale, at their positions.
    pub(super) fn ticks(&self) -> Vec<(f64, String)> {
        WAIT_TICKS
            .iter()
            .filter(|(v, _)| *v >= self.lo * 0.999 && *v <= self.hi * 1.001)
            .map(|(v, label)| (self.at(*v), (*label).to_owned()))
            .collect()
    }
}

/// The wait a curve reaches at probability `p` (its quantile there), 0 when not sampled.
fn quantile(w: &WaitCurve, p: f64) -> f64 {
    let i = w.probabilities.iter().position(|&x| x >= p - 1e-9);
    i.and_then(|i| w.quantiles.get(i)).copied().unwrap_or(0.0)
}

/// The wait panel: per curve (all jobs in black, then each queue), the fraction of jobs
/// whose wait is at most x, x on a log axis; zero waits rise at its left edge.
pub(super) fn wait_panel(o: &mut String, c: &Chart, p: Panel) {
    let drawn: Vec<(usize, &WaitCurve)> = c
        .waits
        .iter()
        .enumerate()
        .filter(|(_, w)| w.count > 0 && w.quantiles.len() == w.probabilities.len() && !w.quantiles.is_empty())
        .collect();
    let scale = LogScale::covering(drawn.iter().flat_map(|(_, w)| w.quantiles.iter().copied()));
    let caption = match c.waits.first() {
        Some(all) if all.count > 0 => format!(
            "Wait time distribution ({} jobs: p50 {}, p95 {}, p99 {}, max {})",
            all.count,
            duration(quantile(all, 0.5)),
            duration(quantile(all, 0.95)),
            duration(quantile(all, 0.99)),
            duration(quantile(all, 1.0))
        ),
        _ => "Wait time distribution".to_owned(),
    };
    frame(
        o,
        &p,
        &AxisSpec {
            title: &caption,
            x_title: format!(
                "wait: first dispatch minus first RUNNABLE (log scale; waits up to {} at the left edge)",
                duration(scale.lo)
            ),
            y_title: "fraction of jobs waiting ≤ x",
            x_unit: 1.0,
            x_step: 1.0,
            y_step: 0.25,
            x_ticks: Some(scale.ticks()),
            y_decimals: 0,
        },
    );
    let mut items = Vec::new();
    for &(i, w) in &drawn {
        let col = if i == 0 { "#222222" } else { color(i - 1) };
        let mut d = String::with_capacity(w.quantiles.len() * 14);
        // A CDF: horizontal to each quantile, vertical up to its probability.
        let _ = write!(d, "M{:.1} {:.1}", p.px(0.0), p.py(0.0));
        let mut prev_x = p.px(0.0);
        for (&q, &pr) in w.quantiles.iter().zip(&w.probabilities) {
            let x = p.px(scale.at(q));
            if (x - prev_x).abs() >= 0.05 {
                let _ = write!(d, "H{x:.1}");
                prev_x = x;
            }
            let _ = write!(d, "V{:.1}", p.py(pr));
        }
        let _ = write!(d, "H{:.1}", p.x + p.w);
        let width = if i == 0 { "2.4" } else { "1.6" };
        let _ = writeln!(
            o,
            r##"<path d="{d}" fill="none" stroke="{col}" stroke-width="{width}" stroke-linejoin="round"/>"##
        );
        items.push(LegendItem {
            label: format!("{} (n={})", w.name, w.count),
            color: col,
            dashed: false,
            dotted: false,
        });
    }
    if drawn.is_empty() {
        no_data(o, &p, "no job was dispatched: no wait to show");
    }
    legend(o, &p, &items);
}

/// Per compute environment, its dollars so far, ending at the report's figure.
fn cost_curve(values: &[f64], total: f64) -> Vec<f64> {
    let mut v = values.to_vec();
    if let Some(last) = v.last_mut() {
        *last = last.max(total);
    }
    v
}

/// The cost panel: dollars so far per compute environment over the run (a step when an
/// instance's 60 s minimum or a Fargate task's bill is counted), with each one's total in
/// the legend. `p` spans the run; its `y_max` is set here.
pub(super) fn cost_panel(o: &mut String, c: &Chart, p: &Panel, time_title: &str, x_unit: f64, x_step: f64) {
    let curves: Vec<Vec<f64>> = c
        .compute_environments
        .iter()
        .map(|ce| cost_curve(&ce.cost, ce.total_cost))
        .collect();
    let top_value = series_max(&curves).max(
        c.compute_environments
            .iter()
            .map(|ce| ce.total_cost)
            .fold(0.0, f64::max),
    );
    let (top, y_step) = axis_top(top_value * 1.05, 0.01, 5.0);
    let p = Panel { y_max: top, ..*p };
    let total: f64 = c.compute_environments.iter().map(|ce| ce.total_cost).sum();
    let title = format!("Cost so far per compute environment (total ${total:.2})");
    frame(
        o,
        &p,
        &AxisSpec {
            title: &title,
            x_title: format!(
                "{time_title}; EC2/SPOT instances count by the second while up, Fargate tasks when they end"
            ),
            y_title: "dollars",
            x_unit,
            x_step,
            y_step,
            x_ticks: None,
            y_decimals: 2,
        },
    );
    let end = p.x_max;
    let mut items = Vec::new();
    for (i, (ce, curve)) in c.compute_environments.iter().zip(&curves).enumerate() {
        step_path(o, &p, curve, c.bucket_seconds, end, color(i), Line::Solid);
        items.push(LegendItem {
            label: format!("{} ${:.2}", ce.name, ce.total_cost),
            color: color(i),
            dashed: false,
            dotted: false,
        });
    }
    if c.compute_environments.is_empty() {
        no_data(o, &p, "no compute environments");
    } else if top_value <= 0.0 {
        no_data(o, &p, "nothing was billed");
    }
    legend(o, &p, &items);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_scale_covers_decades_around_the_waits() {
        let s = LogScale::covering([0.0, 4.0, 8000.0]);
        assert_eq!((s.lo, s.hi), (1.0, 10_000.0));
        assert_eq!(s.at(0.0), 0.0);
        assert_eq!(s.at(1.0), 0.0);
        assert!((s.at(100.0) - 0.5).abs() < 1e-12);
        assert_eq!(s.at(1e9), 1.0);
        let labels: Vec<String> = s.ticks().into_iter().map(|(_, l)| l).collect();
        assert_eq!(labels, ["1 s", "10 s", "1 min", "10 min", "1 h"]);
        // Ticks increase left to right.
        let at: Vec<f64> = s.ticks().into_iter().map(|(x, _)| x).collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");
    }

    #[test]
    fn log_scale_bounds_its_decades_and_handles_no_positive_wait() {
        assert_eq!(LogScale::covering([0.0, 0.0]), LogScale { lo: 0.1, hi: 10.0 });
        assert_eq!(LogScale::covering([]), LogScale { lo: 0.1, hi: 10.0 });
        // 1 µs is below the 1 ms resolution; the top (1e6 s) is 9 decades above 1 ms: 7 kept.
        let s = LogScale::covering([1e-6, 8e5]);
        assert_eq!((s.lo, s.hi), (0.1, 1e6));
        // A single wait still gets a decade.
        let s = LogScale::covering([10.0]);
        assert_eq!((s.lo, s.hi), (10.0, 100.0));
        assert_eq!(
            LogScale::covering([f64::NAN, f64::INFINITY, 3.0]),
            LogScale { lo: 1.0, hi: 10.0 }
        );
    }

    #[test]
    fn cost_curve_ends_at_the_report_figure() {
        assert_eq!(cost_curve(&[0.0, 1.0, 2.0], 2.5), [0.0, 1.0, 2.5]);
        assert_eq!(cost_curve(&[0.0, 1.0], 0.5), [0.0, 1.0]);
        assert!(cost_curve(&[], 3.0).is_empty());
    }
}
