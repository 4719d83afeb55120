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

use std::fmt::Write;

/// Buckets a [`MaxSampler`] keeps by default at the end of a run (per series).
pub const DEFAULT_MAX_POINTS: usize = 2000;

/// Number of points of a wait-time curve built by [`wait_probabilities`].
pub const WAIT_CURVE_POINTS: usize = 201;

/// The probabilities `0, 0.005, ..., 1` at which a wait curve samples the quantile function.
pub fn wait_probabilities() -> Vec<f64> {
    (0..WAIT_CURVE_POINTS)
        .map(|i| i as f64 / (WAIT_CURVE_POINTS - 1) as f64)
        .collect()
}

/// Max-preserving downsampler of several step-function series sharing one time axis.
///
/// A value recorded at time `t` holds until the next record. Time is cut into buckets of
/// equal width (a power of two of milliseconds); each bucket keeps, per series, the largest
/// value held at any moment inside it, and its time-weighted mean. When the buckets would
/// reach twice the requested number, neighbours are merged pairwise (the maximum of the two,
/// the sum of their integrals) and the width doubles, so memory is `O(series x max_points)`
/// for a run of any length, and every peak is kept (the test `a_spike_survives_merging`).
#[derive(Clone, Debug)]
pub struct MaxSampler {
    series: usize,
    max_points: usize,
    width_ms: u64,
    /// Bucket maxima, bucket-major: bucket `k`, series `i` at `k * series + i`.
    buckets: Vec<f64>,
    /// Integrals (value x ms) over each bucket, laid out like `buckets`.
    sums: Vec<f64>,
    current: Vec<f64>,
    last_ms: u64,
}

/// What a [`MaxSampler`] hands over: per series, one maximum per bucket.
#[derive(Clone, Debug, PartialEq)]
pub struct Sampled {
    /// Width of a bucket, in seconds (bucket `k` covers `[k w, (k+1) w)`).
    pub bucket_seconds: f64,
    /// The end of the observed period, in seconds (the last bucket may stop short of its width).
    pub end_seconds: f64,
    /// Per series (in the order of [`MaxSampler::record`]'s values), the maximum of each bucket.
    pub series: Vec<Vec<f64>>,
    /// Per series, the time-weighted mean of each bucket (over its part before the end).
    pub means: Vec<Vec<f64>>,
}

impl MaxSampler {
    /// A sampler of `series` series (all 0 until first recorded) that returns at most
    /// `max_points` buckets per series (at least 2).
    pub fn new(series: usize, max_points: usize) -> MaxSampler {
        MaxSampler {
            series,
            max_points: max_points.max(2),
            width_ms: 1,
            buckets: Vec::new(),
            sums: Vec::new(),
            current: vec![0.0; series],
            last_ms: 0,
        }
    }

    fn len(&self) -> usize {
        self.buckets.len().checked_div(self.series).unwrap_or(0)
    }

    /// Merges buckets pairwise and doubles the width.
    fn coarsen(&mut self) {
        let n = self.series;
        let len = self.len();
        let mut merged = Vec::with_capacity(len.div_ceil(2) * n);
        let mut sums = Vec::with_capacity(len.div_ceil(2) * n);
        for pair in 0..len.div_ceil(2) {
            for i in 0..n {
                let (a, b) = (2 * pair * n + i, (2 * pair + 1) * n + i);
                let max_b = self.buckets.get(b).copied().unwrap_or(f64::NEG_INFINITY);
                merged.push(self.buckets[a].max(max_b));
                sums.push(self.sums[a] + self.sums.get(b).copied().unwrap_or(0.0));
            }
        }
        self.buckets = merged;
        self.sums = sums;
        // Saturating: a record near `u64::MAX` ms must not wrap the width to 0.
        self.width_ms = self.width_ms.saturating_mul(2);
    }

    /// Makes the bucket holding `t_ms` exist (coarsening if needed); returns its index. New
    /// buckets start with the values held into them; with `changes_at_t`, the bucket of
    /// `t_ms` only counts them if they held for part of it (`t_ms` is not its start).
    fn reach(&mut self, t_ms: u64, changes_at_t: bool) -> usize {
        let cap = 2 * self.max_points as u64;
        while t_ms / self.width_ms >= cap {
            self.coarsen();
        }
        let k = (t_ms / self.width_ms) as usize;
        let n = self.series;
        while self.len() < k {
            self.buckets.extend_from_slice(&self.current);
        }
        if self.len() == k {
            if changes_at_t && t_ms % self.width_ms == 0 {
                self.buckets.resize((k + 1) * n, f64::NEG_INFINITY);
            } else {
                self.buckets.extend_from_slice(&self.current);
            }
        }
        self.sums.resize(self.buckets.len(), 0.0);
        k
    }

    /// Adds the held values over `[from, to)` to the buckets' integrals (which must exist).
    fn integrate(&mut self, from: u64, to: u64) {
        let (w, n) = (self.width_ms, self.series);
        let mut s = from;
        while s < to {
            let k = (s / w) as usize;
            // The bucket's end, or `to` when it lies past `u64::MAX` (no wrap: a wrapped end
            // before `s` never advanced the loop).
            let e = (k as u64 + 1).checked_mul(w).map_or(to, |b| b.min(to));
            let d = (e - s) as f64;
            for (sum, v) in self.sums[k * n..(k + 1) * n].iter_mut().zip(&self.current) {
                *sum += v * d;
            }
            s = e;
        }
    }

    /// Records the series' values from time `t_ms` on (milliseconds; a time earlier than the
    /// previous record counts as that time). `values` has one value per series.
    pub fn record(&mut self, t_ms: u64, values: &[f64]) {
        debug_assert_eq!(values.len(), self.series);
        let t = t_ms.max(self.last_ms);
        let from = self.last_ms;
        self.last_ms = t;
        if self.series == 0 {
            return;
        }
        let k = self.reach(t, true);
        self.integrate(from, t);
        let n = self.series;
        for (i, &v) in values.iter().enumerate().take(n) {
            let b = &mut self.buckets[k * n + i];
            *b = b.max(v);
            self.current[i] = v;
        }
    }

    /// Ends the observation at `end_ms` and returns at most `max_points` buckets per series.
    pub fn finish(mut self, end_ms: u64) -> Sampled {
        let end = end_ms.max(self.last_ms);
        if self.series > 0 {
            // The bucket holding the last instant with a duration.
            self.reach(end.saturating_sub(1).max(self.last_ms), false);
            self.integrate(self.last_ms, end);
            while self.len() > self.max_points {
                self.coarsen();
            }
        }
        let (n, w) = (self.series, self.width_ms);
        let len = self.len();
        let series = (0..n)
            .map(|i| (0..len).map(|k| self.buckets[k * n + i]).collect())
            .collect();
        let means = (0..n)
            .map(|i| {
                (0..len)
                    .map(|k| {
                        let start = (k as u64).saturating_mul(w);
                        let dur = (k as u64 + 1).saturating_mul(w).min(end).saturating_sub(start);
                        if dur == 0 {
                            self.buckets[k * n + i]
                        } else {
                            self.sums[k * n + i] / dur as f64
                        }
                    })
                    .collect()
            })
            .collect();
        Sampled {
            bucket_seconds: w as f64 / 1000.0,
            end_seconds: end as f64 / 1000.0,
            series,
            means,
        }
    }
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
}

const WIDTH: f64 = 1200.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 250.0;
const PANEL_H: f64 = 250.0;
const PANEL_GAP: f64 = 95.0;
const TOP: f64 = 95.0;
/// Panels stacked in the chart.
const PANELS: usize = 4;
const PALETTE: [&str; 10] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
];
/// Legend entries shown per panel; the rest are summarised as "+N more".
const MAX_LEGEND: usize = 12;

pub(super) fn color(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// Escapes text for SVG content and attribute values.
pub(super) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c if (c as u32) < 0x20 && c != '\t' => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

/// Shortens a legend label that would not fit beside the plot.
fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let head: String = s.chars().take(max - 1).collect();
        format!("{head}…")
    }
}

/// A time unit that keeps tick labels short for a span of `span` seconds.
fn time_unit(span: f64) -> (f64, &'static str) {
    if span <= 180.0 {
        (1.0, "seconds")
    } else if span <= 3.0 * 3600.0 {
        (60.0, "minutes")
    } else if span <= 72.0 * 3600.0 {
        (3600.0, "hours")
    } else {
        (86_400.0, "days")
    }
}

/// A human duration for captions: `45 s`, `12.5 min`, `3.2 h`, `4.1 d`.
pub(super) fn duration(secs: f64) -> String {
    if secs < 60.0 {
        format!("{} s", trim(secs, 1))
    } else if secs < 3600.0 {
        format!("{} min", trim(secs / 60.0, 1))
    } else if secs < 86_400.0 {
        format!("{} h", trim(secs / 3600.0, 1))
    } else {
        format!("{} d", trim(secs / 86_400.0, 1))
    }
}

/// `x` with at most `digits` decimals and no trailing zeros.
pub(super) fn trim(x: f64, digits: usize) -> String {
    let s = format!("{x:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

/// A step of 1, 2, 2.5 or 5 times a power of ten giving about `target` intervals over `span`.
pub(super) fn nice_step(span: f64, target: f64) -> f64 {
    if span.is_nan() || span <= 0.0 || span.is_infinite() {
        return 1.0;
    }
    let raw = span / target;
    let mag = 10f64.powf(raw.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * mag >= raw {
            return m * mag;
        }
    }
    10.0 * mag
}

/// Tick values `0, step, ...` up to `max` (inclusive, with a little slack).
pub(super) fn ticks(max: f64, step: f64) -> Vec<f64> {
    let n = (max / step + 1e-9).floor() as usize;
    (0..=n.min(1000)).map(|i| i as f64 * step).collect()
}

/// The number of decimals that tick labels of `step` need.
pub(super) fn decimals(step: f64) -> usize {
    let mut d = 0;
    while d < 6 && ((step * 10f64.powi(d as i32)).round() - step * 10f64.powi(d as i32)).abs() > 1e-6 {
        d += 1;
    }
    d
}

/// An upper bound for a value axis: `max` rounded up to a tick, at least `min_top`.
pub(super) fn axis_top(max: f64, min_top: f64, target: f64) -> (f64, f64) {
    let m = if max.is_finite() { max.max(min_top) } else { min_top };
    let step = nice_step(m, target);
    let top = (m / step - 1e-9).ceil().max(1.0) * step;
    (top, step)
}

/// One panel's frame: plot area, grid, ticks and axis titles.
#[derive(Clone, Copy)]
pub(super) struct Panel {
    pub(super) x: f64,
    pub(super) y: f64,
    pub(super) w: f64,
    pub(super) h: f64,
    pub(super) x_max: f64,
    pub(super) y_max: f64,
}

impl Panel {
    pub(super) fn px(&self, v: f64) -> f64 {
        self.x + (v / self.x_max).clamp(0.0, 1.0) * self.w
    }

    pub(super) fn py(&self, v: f64) -> f64 {
        self.y + self.h - (v / self.y_max).clamp(0.0, 1.0) * self.h
    }
}

pub(super) struct AxisSpec<'a> {
    pub(super) title: &'a str,
    pub(super) x_title: String,
    pub(super) y_title: &'a str,
    /// Divides x values for tick labels.
    pub(super) x_unit: f64,
    pub(super) x_step: f64,
    pub(super) y_step: f64,
    /// Ticks at these x values (panel units) with these labels instead of the linear ones
    /// (a log axis).
    pub(super) x_ticks: Option<Vec<(f64, String)>>,
    /// Decimals of the y tick labels at least (dollars: 2).
    pub(super) y_decimals: usize,
}

pub(super) fn frame(o: &mut String, p: &Panel, a: &AxisSpec<'_>) {
    let _ = writeln!(
        o,
        r##"<text x="{:.1}" y="{:.1}" font-size="15" font-weight="bold">{}</text>"##,
        p.x,
        p.y - 12.0,
        esc(a.title)
    );
    let _ = writeln!(
        o,
        r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="#fafafa" stroke="none"/>"##,
        p.x, p.y, p.w, p.h
    );
    let yd = decimals(a.y_step).max(a.y_decimals);
    for v in ticks(p.y_max, a.y_step) {
        let y = p.py(v);
        let _ = writeln!(
            o,
            r##"<line x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#e0e0e0"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            p.x,
            p.x + p.w,
            p.x - 6.0,
            y + 4.0,
            format_args!("{v:.yd$}")
        );
    }
    let xd = decimals(a.x_step);
    let linear = || {
        ticks(p.x_max / a.x_unit, a.x_step)
            .into_iter()
            .map(|v| (v * a.x_unit, format!("{v:.xd$}")))
            .collect()
    };
    let x_ticks: Vec<(f64, String)> = a.x_ticks.clone().unwrap_or_else(linear);
    for (v, label) in x_ticks {
        let x = p.px(v);
        let _ = writeln!(
            o,
            r##"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="#e0e0e0"/><line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="#333"/><text x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
            p.y,
            p.y + p.h,
            p.y + p.h,
            p.y + p.h + 5.0,
            p.y + p.h + 19.0,
            esc(&label)
        );
    }
    let _ = writeln!(
        o,
        r##"<path d="M{:.1} {:.1}V{:.1}H{:.1}" fill="none" stroke="#333"/>"##,
        p.x,
        p.y,
        p.y + p.h,
        p.x + p.w
    );
    let _ = writeln!(
        o,
        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="13">{}</text>"##,
        p.x + p.w / 2.0,
        p.y + p.h + 40.0,
        esc(&a.x_title)
    );
    let (yx, yy) = (p.x - 55.0, p.y + p.h / 2.0);
    let _ = writeln!(
        o,
        r##"<text x="{yx:.1}" y="{yy:.1}" text-anchor="middle" font-size="13" transform="rotate(-90 {yx:.1} {yy:.1})">{}</text>"##,
        esc(a.y_title)
    );
}

/// A legend entry: a line swatch (dashed or not) and a label.
pub(super) struct LegendItem {
    pub(super) label: String,
    pub(super) color: &'static str,
    pub(super) dashed: bool,
    /// Dotted (vCPUs provisioned); wins over `dashed`.
    pub(super) dotted: bool,
}

pub(super) fn legend(o: &mut String, p: &Panel, items: &[LegendItem]) {
    let x = p.x + p.w + 20.0;
    let mut y = p.y + 8.0;
    for item in items.iter().take(MAX_LEGEND) {
        let dash = match (item.dotted, item.dashed) {
            (true, _) => r#" stroke-dasharray="1.5 3""#,
            (false, true) => r#" stroke-dasharray="6 4""#,
            (false, false) => "",
        };
        let _ = writeln!(
            o,
            r##"<line x1="{x:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{}" stroke-width="2.5"{dash}/><text x="{:.1}" y="{:.1}">{}</text>"##,
            x + 26.0,
            item.color,
            x + 32.0,
            y + 4.0,
            esc(&short(&item.label, 30))
        );
        y += 18.0;
    }
    if items.len() > MAX_LEGEND {
        let _ = writeln!(
            o,
            r##"<text x="{:.1}" y="{:.1}" fill="#555">+{} more</text>"##,
            x,
            y + 4.0,
            items.len() - MAX_LEGEND
        );
    }
}

/// How a series is stroked.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Line {
    /// The main line (means).
    Solid,
    /// Thin and translucent (bucket maxima, behind the means).
    Faint,
    /// A limit (`maxvCpus`).
    Dashed,
    /// Capacity held (vCPUs provisioned).
    Dotted,
}

/// A mark (▼) above each bucket in which Spot reclaims happened, from the cumulative counts
/// `reclaims`, with the count as its tooltip.
fn reclaim_marks(o: &mut String, p: &Panel, reclaims: &[f64], bucket: f64, end: f64, color: &str) {
    let mut before = 0.0;
    for (k, &n) in reclaims.iter().enumerate() {
        if n > before {
            let t = ((k as f64 + 0.5) * bucket).min(end);
            let (x, y) = (p.px(t), p.y + 2.0);
            let _ = writeln!(
                o,
                r##"<path d="M{:.1} {:.1}h8l-4 7z" fill="{color}"><title>{} Spot reclaim{}</title></path>"##,
                x - 4.0,
                y,
                n - before,
                if n - before == 1.0 { "" } else { "s" }
            );
        }
        before = before.max(n);
    }
}

/// A step line through per-bucket values, clipped at `end`.
pub(super) fn step_path(o: &mut String, p: &Panel, values: &[f64], bucket: f64, end: f64, color: &str, line: Line) {
    if values.is_empty() {
        return;
    }
    let mut d = String::with_capacity(values.len() * 14);
    let mut last_y = f64::NAN;
    let mut pending_h: Option<f64> = None;
    for (k, &v) in values.iter().enumerate() {
        let t0 = (k as f64 * bucket).min(end);
        let t1 = ((k + 1) as f64 * bucket).min(end);
        let (x0, x1, y) = (p.px(t0), p.px(t1), p.py(v));
        if k == 0 {
            let _ = write!(d, "M{x0:.1} {y:.1}");
        } else if (y - last_y).abs() >= 0.05 {
            if let Some(h) = pending_h.take() {
                let _ = write!(d, "H{h:.1}");
            }
            let _ = write!(d, "V{y:.1}");
        }
        pending_h = Some(x1);
        last_y = y;
    }
    if let Some(h) = pending_h {
        let _ = write!(d, "H{h:.1}");
    }
    let style = match line {
        Line::Solid => r#"stroke-width="1.6""#,
        Line::Faint => r#"stroke-width="1" stroke-opacity="0.35""#,
        Line::Dashed => r#"stroke-width="1.6" stroke-dasharray="6 4""#,
        Line::Dotted => r#"stroke-width="1.6" stroke-dasharray="1.5 3""#,
    };
    let _ = writeln!(
        o,
        r##"<path d="{d}" fill="none" stroke="{color}" {style} stroke-linejoin="round"/>"##
    );
}

pub(super) fn no_data(o: &mut String, p: &Panel, text: &str) {
    let _ = writeln!(
        o,
        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#777" font-size="14">{}</text>"##,
        p.x + p.w / 2.0,
        p.y + p.h / 2.0,
        esc(text)
    );
}

pub(super) fn panel_at(i: usize, x_max: f64, y_max: f64) -> Panel {
    Panel {
        x: LEFT,
        y: TOP + i as f64 * (PANEL_H + PANEL_GAP),
        w: WIDTH - LEFT - RIGHT,
        h: PANEL_H,
        x_max,
        y_max,
    }
}

pub(super) fn series_max<'a>(it: impl IntoIterator<Item = &'a Vec<f64>>) -> f64 {
    it.into_iter()
        .flat_map(|v| v.iter().copied())
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max)
}

/// Draws the chart: a title, then four panels stacked vertically (RUNNABLE jobs per queue
/// over time; vCPUs in use per compute environment over time, each `maxvCpus` dashed in the
/// same colour; dollars so far per compute environment; the cumulative distribution of job
/// waits on a log time axis, all jobs and per queue), each with tick labels, axis titles
/// and a legend on the right. Deterministic: the same chart gives
/// the same bytes.
pub fn render_svg(c: &Chart) -> String {
    let height = TOP + PANELS as f64 * PANEL_H + (PANELS - 1) as f64 * PANEL_GAP + 60.0;
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

    let end = if c.end_seconds > 0.0 { c.end_seconds } else { 1.0 };
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

    // 3. Dollars so far per compute environment.
    super::plot_panels::cost_panel(&mut o, c, &panel_at(2, end, 1.0), &time_title, x_unit, x_step);

    // 4. Wait-time distribution, log time axis.
    super::plot_panels::wait_panel(&mut o, c, panel_at(3, 1.0, 1.0));
    o.push_str("</svg>\n");
    o
}

#[cfg(test)]
mod tests {
    /// Four buckets over 1,000 records: the one 50 among 1s is still the maximum after the
    /// merges (the example that was this type's doc test before the module became internal).
    #[test]
    fn a_spike_survives_merging() {
        let mut s = super::MaxSampler::new(1, 4);
        for t in 0..1000 {
            // A single spike to 50 at t = 333 ms, 1 elsewhere.
            s.record(t, &[if t == 333 { 50.0 } else { 1.0 }]);
        }
        let out = s.finish(1000);
        assert!(out.series[0].len() <= 4);
        assert_eq!(out.series[0].iter().cloned().fold(0.0, f64::max), 50.0);
    }

    /// Issue 16: a record near `u64::MAX` ms (a Poisson stream with a tiny rate) wrapped a
    /// bucket's end and `integrate` never ended.
    #[test]
    fn max_sampler_ends_on_times_near_u64_max() {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut s = super::MaxSampler::new(1, 100);
            s.record(0, &[1.0]);
            s.record(u64::MAX / 4, &[2.0]);
            s.record(u64::MAX - 5, &[3.0]);
            let _ = tx.send(s.finish(u64::MAX));
        });
        let out = rx
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("finish returns");
        assert!(out.series[0].len() <= 100);
        assert_eq!(out.series[0].iter().copied().fold(f64::MIN, f64::max), 3.0);
        assert_eq!(out.series[0][0], 1.0);
        assert!(
            out.means[0].iter().all(|m| m.is_finite() && (0.0..=3.0).contains(m)),
            "{:?}",
            out.means
        );
        assert_eq!(out.end_seconds, u64::MAX as f64 / 1000.0);
    }

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
        };
        let svg = render_svg(&c);
        assert!(balanced(&svg));
        assert!(svg.contains("no job was dispatched"));
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
    }

    #[test]
    fn sampler_keeps_peaks_and_bounds_points() {
        let mut s = MaxSampler::new(2, 100);
        // One hour of steps every 10 ms; series 0 spikes once, series 1 is a ramp.
        let n = 360_000u64;
        for k in 0..n {
            let t = k * 10;
            s.record(t, &[if k == 123_457 { 999.0 } else { 1.0 }, k as f64]);
        }
        let out = s.finish(n * 10);
        assert!(
            out.series[0].len() <= 100 && out.series[0].len() >= 50,
            "{}",
            out.series[0].len()
        );
        assert_eq!(out.series[0].iter().cloned().fold(0.0, f64::max), 999.0);
        assert_eq!(out.series[0].iter().filter(|&&v| v == 999.0).count(), 1);
        // The ramp's bucket maxima increase and the last one is the last value.
        assert!(out.series[1].windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(*out.series[1].last().unwrap(), (n - 1) as f64);
        assert_eq!(out.end_seconds, 3600.0);
        assert!(out.bucket_seconds * out.series[0].len() as f64 >= 3600.0);
    }

    #[test]
    fn sampler_holds_values_between_records() {
        let mut s = MaxSampler::new(1, 10);
        s.record(0, &[5.0]);
        s.record(8, &[0.0]);
        let out = s.finish(10);
        // 1 ms buckets: 5 held over [0, 8), then 0.
        assert_eq!(out.bucket_seconds, 0.001);
        assert_eq!(out.series[0], vec![5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 0.0, 0.0]);
        assert_eq!(out.means[0], out.series[0]);
    }

    #[test]
    fn sampler_means_are_time_weighted() {
        let mut s = MaxSampler::new(1, 2);
        // 10 over [0, 1000), 0 over [1000, 4000), 8 over [4000, 6000), then 0 to the end.
        s.record(0, &[10.0]);
        s.record(1000, &[0.0]);
        s.record(4000, &[8.0]);
        s.record(6000, &[0.0]);
        let out = s.finish(8000);
        assert_eq!(out.bucket_seconds, 4.096);
        assert_eq!(out.series[0], vec![10.0, 8.0]);
        // [0, 4096): 10 for 1000 ms, 0, then 8 from 4000.
        assert!(
            (out.means[0][0] - (10_000.0 + 8.0 * 96.0) / 4096.0).abs() < 1e-9,
            "{:?}",
            out.means
        );
        // The last bucket stops at the end: [4096, 8000).
        assert!(
            (out.means[0][1] - 8.0 * 1904.0 / 3904.0).abs() < 1e-9,
            "{:?}",
            out.means
        );
    }

    #[test]
    fn nice_steps_and_units() {
        assert_eq!(nice_step(100.0, 5.0), 20.0);
        assert_eq!(nice_step(24.0, 8.0), 5.0);
        assert_eq!(nice_step(1.0, 4.0), 0.25);
        assert_eq!(time_unit(100.0).1, "seconds");
        assert_eq!(time_unit(7200.0).1, "minutes");
        assert_eq!(time_unit(86_400.0).1, "hours");
        assert_eq!(time_unit(30.0 * 86_400.0).1, "days");
        assert_eq!(decimals(0.25), 2);
        assert_eq!(decimals(20.0), 0);
        assert_eq!(duration(570.0), "9.5 min");
    }
}
