//! The chart's drawing primitives, as SVG text: the layout of the stacked panels, a panel's
//! frame (plot area, grid, ticks, axis titles), legends, step lines, Spot reclaim marks, and
//! the number formatting of tick labels and captions. [`super::plot`] and
//! [`super::plot_panels`] draw the panels with them; `html/sweep.rs` its sweep charts.

use std::fmt::Write;

pub(super) const WIDTH: f64 = 1200.0;
pub(super) const LEFT: f64 = 80.0;
pub(super) const RIGHT: f64 = 250.0;
pub(super) const PANEL_H: f64 = 250.0;
pub(super) const PANEL_GAP: f64 = 95.0;
pub(super) const TOP: f64 = 95.0;
/// Panels stacked in the chart.
pub(super) const PANELS: usize = 4;
pub(super) const PALETTE: [&str; 10] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
];
/// Legend entries shown per panel; the rest are summarised as "+N more".
pub(super) const MAX_LEGEND: usize = 12;

pub(super) fn color(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// Escapes text for SVG content and attribute values (control characters but tab become
/// spaces).
pub(super) fn esc(s: &str) -> String {
    escape_markup(s, |c| (c as u32) < 0x20 && c != '\t')
}

/// Escapes `&`, `<`, `>` and both quotes for markup content and attribute values, and
/// writes a space for each character `blank` says cannot stand (SVG and HTML differ on
/// newlines and the C1 controls).
pub(crate) fn escape_markup(s: &str, blank: impl Fn(char) -> bool) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c if blank(c) => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

/// Shortens a legend label that would not fit beside the plot.
pub(super) fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let head: String = s.chars().take(max - 1).collect();
        format!("{head}…")
    }
}

/// A time unit that keeps tick labels short for a span of `span` seconds.
pub(super) fn time_unit(span: f64) -> (f64, &'static str) {
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
pub(super) fn reclaim_marks(o: &mut String, p: &Panel, reclaims: &[f64], bucket: f64, end: f64, color: &str) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
