//! Charts of a run as a standalone SVG file (`batchsim run --plot FILE.svg`).
//!
//! Two parts, both pure (no I/O):
//! - [`MaxSampler`] turns step-function series observed at every step of a run (queue
//!   depths, vCPUs in use) into at most a fixed number of time buckets, each holding the
//!   series' maximum over the bucket, so peaks survive and memory stays bounded however long
//!   the run is;
//! - [`render_svg`] draws a [`Chart`] (sampled series plus wait-time quantiles) as SVG text
//!   with four panels: RUNNABLE jobs per queue, vCPUs in use per compute environment (with
//!   each one's `maxvCpus` dashed), dollars so far per compute environment, and the
//!   cumulative distribution of job waits on a log axis (`plot_panels.rs` draws the last
//!   two).

//!
//! The sampler is `sampler.rs`, the drawing primitives (frame, legend, step lines, tick
//! formatting) `svg.rs`.

pub use super::sampler::{MaxSampler, DEFAULT_MAX_POINTS};
use super::svg::{
    axis_top, color, duration, esc, frame, legend, nice_step, no_data, panel_at, reclaim_marks, series_max, step_path,
    time_unit, AxisSpec, LegendItem, Line, LEFT, PANELS, PANEL_GAP, PANEL_H, TOP, WIDTH,
};
pub use crate::calibrate::HistoryOverlay;
use std::fmt::Write;

/// Number of points of a wait-time curve built by [`wait_probabilities`].
pub const WAIT_CURVE_POINTS: usize = 201;

/// The probabilities `0, 0.005, ..., 1` at which a wait curve samples the quantile function.
pub fn wait_probabilities() -> Vec<f64> {
    (0..WAIT_CURVE_POINTS)
        .map(|i| i as f64 / (WAIT_CURVE_POINTS - 1) as f64)
        .collect()
}

/// A named series of per-bucket values.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedSeries {
    /// Legend text (a queue's name).
    pub name: String,
    /// The maximum of each bucket.
    pub values: Vec<f64>,
    /// The time-weighted mean of each bucket.
    pub means: Vec<f64>,
}

/// A compute environment's vCPUs in use and its `maxvCpus`, per bucket.
#[derive(Clone, Debug, PartialEq)]
pub struct CeSeries {
    /// `computeEnvironmentName`.
    pub name: String,
    /// Maximum vCPUs held by attempts in each bucket.
    pub in_use: Vec<f64>,
    /// Time-weighted mean of the vCPUs held in each bucket.
    pub in_use_mean: Vec<f64>,
    /// `maxvCpus` in each bucket (its maximum, if an action changed it).
    pub max_vcpus: Vec<f64>,
    /// Maximum vCPUs provisioned in each bucket (EC2/SPOT instances up or launching; equal
    /// to `in_use` on Fargate).
    pub provisioned: Vec<f64>,
    /// Spot reclaims so far at the end of each bucket (cumulative; empty: none sampled).
    pub reclaims: Vec<f64>,
    /// Dollars so far at the end of each bucket (cumulative: billed, plus EC2/SPOT
    /// instances up as if billed then; empty: none sampled).
    pub cost: Vec<f64>,
    /// The compute environment's cost in the report (the instances up at the end billed),
    /// where the cost curve ends.
    pub total_cost: f64,
}

/// A wait-time distribution: its quantiles at [`wait_probabilities`].
#[derive(Clone, Debug, PartialEq)]
pub struct WaitCurve {
    /// Legend text (`all jobs` or a queue's name).
    pub name: String,
    /// Number of wait samples (0: nothing to draw).
    pub count: u64,
    /// Wait in seconds at each probability of `probabilities` (non-decreasing).
    pub quantiles: Vec<f64>,
    /// The probabilities, in 0..=1, increasing.
    pub probabilities: Vec<f64>,
}

/// Everything [`render_svg`] draws.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    /// Scenario name (in the title).
    pub scenario: String,
    /// Seed of the run (in the title).
    pub seed: u64,
    /// Simulated time at which the run stopped, in seconds.
    pub end_seconds: f64,
    /// Width of a time bucket, in seconds.
    pub bucket_seconds: f64,
    /// RUNNABLE jobs per queue, scenario order.
    pub queues: Vec<NamedSeries>,
    /// vCPUs in use per compute environment, scenario order.
    pub compute_environments: Vec<CeSeries>,
    /// Wait distributions: all jobs first, then per queue.
    pub waits: Vec<WaitCurve>,
    /// A recorded history to draw over the vCPUs panel, with its calibration's figures
    /// (`run --history`); `None` for an ordinary run.
    pub history: Option<HistoryOverlay>,
}

/// Draws the chart: a title, then four panels stacked vertically (RUNNABLE jobs per queue
/// over time; vCPUs in use per compute environment over time, each `maxvCpus` dashed in the
/// same colour; dollars so far per compute environment; the cumulative distribution of job
/// waits on a log time axis, all jobs and per queue), each with tick labels, axis titles
/// and a legend on the right. Deterministic: the same chart gives
/// the same bytes.
pub fn render_svg(c: &Chart) -> String {
    // A recorded history adds its panel under the vCPUs panel: the later panels move down.
    let extra = usize::from(c.history.is_some());
    let panels = PANELS + extra;
    let height = TOP + panels as f64 * PANEL_H + (panels - 1) as f64 * PANEL_GAP + 60.0;
    let mut o = String::with_capacity(64 * 1024);
    let _ = writeln!(
        o,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12" fill="#222">"##
    );
    let _ = writeln!(
        o,
        r##"<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>"##
    );
    let _ = writeln!(
        o,
        r##"<text x="{LEFT}" y="32" font-size="20" font-weight="bold">{} (seed {})</text>"##,
        esc(&c.scenario),
        c.seed
    );
    let bucket_note = if c.bucket_seconds > 0.001 {
        format!(
            "; over time: solid lines are means over {} intervals, faint lines their maxima",
            duration(c.bucket_seconds)
        )
    } else {
        String::new()
    };
    let _ = writeln!(
        o,
        r##"<text x="{LEFT}" y="54" fill="#555">batchsim run, stopped at {}{}</text>"##,
        duration(c.end_seconds),
        esc(&bucket_note)
    );

    let end = c
        .history
        .as_ref()
        .map_or(c.end_seconds, |h| c.end_seconds.max(h.end_seconds()));
    let end = if end > 0.0 { end } else { 1.0 };
    let (x_unit, unit_name) = time_unit(end);
    let x_step = nice_step(end / x_unit, 8.0);
    let time_title = format!("simulated time ({unit_name})");

    // 1. RUNNABLE jobs per queue.
    let (top, y_step) = axis_top(series_max(c.queues.iter().map(|q| &q.values)), 1.0, 5.0);
    let y_step = y_step.max(1.0);
    let p = panel_at(0, end, top);
    frame(
        &mut o,
        &p,
        &AxisSpec {
            title: "Queue depth: RUNNABLE jobs per job queue",
            x_title: time_title.clone(),
            y_title: "RUNNABLE jobs",
            x_unit,
            x_step,
            y_step,
            x_ticks: None,
            y_decimals: 0,
        },
    );
    for (i, q) in c.queues.iter().enumerate() {
        step_path(&mut o, &p, &q.values, c.bucket_seconds, end, color(i), Line::Faint);
        step_path(&mut o, &p, &q.means, c.bucket_seconds, end, color(i), Line::Solid);
    }
    if c.queues.is_empty() {
        no_data(&mut o, &p, "no job queues");
    }
    let items: Vec<LegendItem> = c
        .queues
        .iter()
        .enumerate()
        .map(|(i, q)| LegendItem {
            label: q.name.clone(),
            color: color(i),
            dashed: false,
            dotted: false,
        })
        .collect();
    legend(&mut o, &p, &items);

    // 2. vCPUs in use per compute environment, provisioned dotted, maxvCpus dashed, Spot
    // reclaims marked.
    let ymax = series_max(
        c.compute_environments
            .iter()
            .flat_map(|ce| [&ce.in_use, &ce.max_vcpus, &ce.provisioned]),
    ) * 1.05;
    let (top, y_step) = axis_top(ymax, 1.0, 5.0);
    let p = panel_at(1, end, top);
    frame(
        &mut o,
        &p,
        &AxisSpec {
            title: "vCPUs in use per compute environment (dotted: provisioned, dashed: maxvCpus, ▼ Spot reclaims)",
            x_title: time_title.clone(),
            y_title: "vCPUs",
            x_unit,
            x_step,
            y_step,
            x_ticks: None,
            y_decimals: 0,
        },
    );
    let mut items = Vec::new();
    for (i, ce) in c.compute_environments.iter().enumerate() {
        step_path(&mut o, &p, &ce.max_vcpus, c.bucket_seconds, end, color(i), Line::Dashed);
        // Provisioned capacity is drawn where it differs from the use (EC2/SPOT instances).
        let provisions = ce.provisioned.iter().zip(&ce.in_use).any(|(p, u)| p > &(u + 1e-9));
        if provisions {
            step_path(
                &mut o,
                &p,
                &ce.provisioned,
                c.bucket_seconds,
                end,
                color(i),
                Line::Dotted,
            );
        }
        reclaim_marks(&mut o, &p, &ce.reclaims, c.bucket_seconds, end, color(i));
        step_path(&mut o, &p, &ce.in_use, c.bucket_seconds, end, color(i), Line::Faint);
        step_path(
            &mut o,
            &p,
            &ce.in_use_mean,
            c.bucket_seconds,
            end,
            color(i),
            Line::Solid,
        );
        items.push(LegendItem {
            label: ce.name.clone(),
            color: color(i),
            dashed: false,
            dotted: false,
        });
        items.push(LegendItem {
            label: format!("{} maxvCpus", ce.name),
            color: color(i),
            dashed: true,
            dotted: false,
        });
        if provisions {
            items.push(LegendItem {
                label: format!("{} provisioned", ce.name),
                color: color(i),
                dashed: false,
                dotted: true,
            });
        }
    }
    if c.compute_environments.is_empty() {
        no_data(&mut o, &p, "no compute environments");
    }
    legend(&mut o, &p, &items);

    // 2b. A recorded history: its vCPUs in use over the same jobs' simulated ones.
    if let Some(h) = &c.history {
        let (top, _) = axis_top(h.max_vcpus() * 1.05, 1.0, 5.0);
        let p = panel_at(2, end, top);
        super::plot_history::panel(&mut o, &p, h, time_title.clone(), x_unit, x_step);
    }

    // 3. Dollars so far per compute environment.
    super::plot_panels::cost_panel(&mut o, c, &panel_at(2 + extra, end, 1.0), &time_title, x_unit, x_step);

    // 4. Wait-time distribution, log time axis.
    super::plot_panels::wait_panel(&mut o, c, panel_at(3 + extra, 1.0, 1.0));
    o.push_str("</svg>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn balanced(svg: &str) -> bool {
        // Every `<name ...>` is closed by `</name>` or self-closed, in order.
        let mut stack: Vec<String> = Vec::new();
        let mut rest = svg;
        while let Some(i) = rest.find('<') {
            let Some(j) = rest[i..].find('>') else { return false };
            let tag = &rest[i + 1..i + j];
            rest = &rest[i + j + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                if stack.pop().as_deref() != Some(name.trim()) {
                    return false;
                }
            } else if !tag.ends_with('/') {
                stack.push(tag.split_whitespace().next().unwrap_or("").to_owned());
            }
        }
        stack.is_empty()
    }

    fn chart() -> Chart {
        Chart {
            scenario: "nightly <etl> & co".into(),
            seed: 7,
            end_seconds: 7200.0,
            bucket_seconds: 3.6,
            queues: vec![
                NamedSeries {
                    name: "high".into(),
                    values: (0..2000).map(|i| (i % 50) as f64).collect(),
                    means: (0..2000).map(|i| (i % 50) as f64 / 2.0).collect(),
                },
                NamedSeries {
                    name: "low".into(),
                    values: vec![3.0; 2000],
                    means: vec![2.0; 2000],
                },
            ],
            compute_environments: vec![CeSeries {
                name: "spot-ce".into(),
                in_use: (0..2000).map(|i| (i % 64) as f64).collect(),
                in_use_mean: (0..2000).map(|i| (i % 64) as f64 * 0.9).collect(),
                max_vcpus: vec![64.0; 2000],
                provisioned: (0..2000).map(|i| (i % 64 + 8) as f64).collect(),
                // Three reclaims in bucket 10, one in bucket 1500.
                reclaims: (0..2000)
                    .map(|i| [0.0, 3.0, 4.0][usize::from(i >= 10) + usize::from(i >= 1500)])
                    .collect(),
                cost: (0..2000).map(|i| f64::from(i) * 0.01).collect(),
                total_cost: 20.5,
            }],
            waits: vec![WaitCurve {
                name: "all jobs".into(),
                count: 100,
                probabilities: wait_probabilities(),
                quantiles: wait_probabilities().iter().map(|p| p * 600.0).collect(),
            }],
            history: None,
        }
    }

    #[test]
    fn svg_is_balanced_escaped_and_labelled() {
        let svg = render_svg(&chart());
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(balanced(&svg), "unbalanced tags");
        assert!(svg.contains("nightly &lt;etl&gt; &amp; co (seed 7)"));
        for needle in [
            ">high<",
            ">low<",
            ">spot-ce<",
            ">spot-ce maxvCpus<",
            ">spot-ce provisioned<",
            "<title>3 Spot reclaims</title>",
            "<title>1 Spot reclaim</title>",
            "stroke-dasharray=\"1.5 3\"",
            "stroke-dasharray",
            "simulated time (minutes)",
            "RUNNABLE jobs",
            ">vCPUs<",
            "fraction of jobs waiting",
            "wait: first dispatch minus first RUNNABLE (log scale",
            ">1 min<",
            ">10 min<",
            "p95 9.5 min",
            "Cost so far per compute environment (total $20.50",
            ">spot-ce $20.50<",
            ">dollars<",
        ] {
            assert!(svg.contains(needle), "missing {needle}");
        }
        assert!(svg.len() < 200_000, "{} bytes", svg.len());
        assert_eq!(svg, render_svg(&chart()), "deterministic");
    }

    #[test]
    fn empty_chart_still_renders() {
        let c = Chart {
            scenario: "empty".into(),
            seed: 0,
            end_seconds: 0.0,
            bucket_seconds: 0.001,
            queues: vec![],
            compute_environments: vec![],
            waits: vec![WaitCurve {
                name: "all jobs".into(),
                count: 0,
                probabilities: wait_probabilities(),
                quantiles: vec![0.0; WAIT_CURVE_POINTS],
            }],
            history: None,
        };
        let svg = render_svg(&c);
        assert!(balanced(&svg));
        assert!(svg.contains("no job was dispatched"));
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
    }
}
