//! The sweep's HTML page: the settings, the mean and 95% confidence interval over seeds of
//! every column per combination, a chart per column of its mean against the first varied
//! setting (one line per value of the other settings, the confidence interval as a band),
//! and the table of every run.

use super::{end_table, esc, head, header, tail};
use crate::report::svg::{color, decimals, nice_step, trim};
use crate::sweep::{Figure, Grid, Interval, Table, Unit};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Rows of the per-run table and of the summary shown on the page (the whole table is the
/// sweep's output, the whole summary on stderr).
const MAX_ROWS: usize = 2000;

/// Charts drawn at most (one per column, in column order).
const MAX_CHARTS: usize = 60;

/// Lines per chart at most (values of the other settings); the rest are left out, said so.
const MAX_LINES: usize = 10;

const W: f64 = 540.0;
const H: f64 = 320.0;
const LEFT: f64 = 72.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 58.0;

/// A mean with its interval as text, digits by unit: `12.3 ± 0.4`, `-` without runs.
pub(crate) fn interval_text(i: &Interval, unit: Unit) -> String {
    let digits = match unit {
        Unit::Seconds | Unit::Count => 1,
        Unit::Dollars => 2,
        Unit::Ratio => 3,
        _ => 0,
    };
    let Some(m) = i.mean else { return "-".into() };
    let mut s = match i.half_width {
        Some(h) => format!("{m:.digits$} ± {h:.digits$}"),
        None => format!("{m:.digits$}"),
    };
    if i.samples < i.runs {
        let _ = write!(s, " ({} of {} runs)", i.samples, i.runs);
    }
    s
}

/// A column's header with its unit.
pub(crate) fn heading(name: String, unit: Unit) -> String {
    match unit {
        Unit::Seconds => format!("{name} (s)"),
        Unit::Dollars => format!("{name} ($)"),
        Unit::VcpuSeconds => format!("{name} (vCPU-s)"),
        _ => name,
    }
}

/// A figure as a table cell.
fn figure(f: &Figure) -> String {
    match f {
        Figure::Count(n) => n.to_string(),
        Figure::Number(x) => trim(*x, 6),
        Figure::Empty => "-".into(),
    }
}

/// The x positions of the first setting's values: the numbers themselves when every value
/// is a number, else 0, 1, 2, ... (and whether they are numeric).
pub(super) fn x_positions(grid: &Grid) -> (Vec<f64>, bool) {
    let Some(s) = grid.settings().first() else {
        return (Vec::new(), false);
    };
    let numbers: Option<Vec<f64>> = s.values.iter().map(|v| v.json.as_f64()).collect();
    match numbers {
        Some(xs) if xs.iter().all(|x| x.is_finite()) => (xs, true),
        _ => ((0..s.values.len()).map(|i| i as f64).collect(), false),
    }
}

/// One line of a chart: the label of the other settings' values and, per value of the
/// first setting, its interval.
struct Line {
    label: String,
    points: Vec<(usize, Interval)>,
}

/// The lines of a column whose interval per combination is `intervals`: the combinations
/// grouped by their values of the settings after the first.
fn lines(grid: &Grid, intervals: &[Interval], names: &[String]) -> Vec<Line> {
    let mut groups: BTreeMap<Vec<usize>, Vec<(usize, Interval)>> = BTreeMap::new();
    for (c, &i) in intervals.iter().enumerate() {
        let values = grid.combination(c);
        let Some((&x, rest)) = values.split_first() else {
            continue;
        };
        groups.entry(rest.to_vec()).or_default().push((x, i));
    }
    groups
        .into_iter()
        .map(|(rest, mut points)| {
            points.sort_by_key(|(x, _)| *x);
            let label = rest
                .iter()
                .zip(grid.settings().iter().skip(1))
                .zip(names.iter().skip(1))
                .map(|((&v, s), n)| format!("{n}={}", s.values.get(v).map_or("", |v| v.text.as_str())))
                .collect::<Vec<_>>()
                .join(" ");
            Line { label, points }
        })
        .collect()
}

/// The chart of a column (its interval per combination): mean against the first setting,
/// the 95% interval as a band.
fn chart(grid: &Grid, intervals: &[Interval], names: &[String]) -> String {
    let (xs, numeric) = x_positions(grid);
    let setting = &grid.settings()[0];
    let all = lines(grid, intervals, names);
    let shown = &all[..all.len().min(MAX_LINES)];
    // Every figure of a sweep is at least 0 (counts, seconds, dollars, fractions): the
    // band is cut at 0 rather than drawn over values no run can have.
    let floor = |m: f64, h: f64| if m >= 0.0 { (m - h).max(0.0) } else { m - h };
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for l in shown {
        for (_, i) in &l.points {
            if let Some(m) = i.mean.filter(|m| m.is_finite()) {
                let h = i.half_width.filter(|h| h.is_finite()).unwrap_or(0.0);
                lo = lo.min(floor(m, h));
                hi = hi.max(m + h);
            }
        }
    }
    if hi - lo <= 0.0 {
        hi = lo + 1.0;
    }
    let step = nice_step(hi - lo, 5.0);
    let (lo, hi) = ((lo / step).floor() * step, (hi / step).ceil() * step);
    let (x_lo, x_hi) = xs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| (a.min(x), b.max(x)));
    let (x_lo, x_hi) = if x_hi > x_lo {
        (x_lo, x_hi)
    } else {
        (x_lo - 1.0, x_lo + 1.0)
    };
    let (pw, ph) = (W - LEFT - RIGHT, H - TOP - BOTTOM);
    let px = |x: f64| LEFT + (x - x_lo) / (x_hi - x_lo) * pw;
    let py = |y: f64| TOP + ph - ((y - lo) / (hi - lo)).clamp(0.0, 1.0) * ph;
    let mut o = String::new();
    let _ = writeln!(
        o,
        r##"<svg width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="11" fill="#222"><rect x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}" fill="#fafafa"/>"##
    );
    let yd = decimals(step);
    let n = ((hi - lo) / step).round() as usize;
    for t in 0..=n.min(50) {
        let v = lo + t as f64 * step;
        let y = py(v);
        let _ = writeln!(
            o,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#e0e0e0"/><text x="{:.1}" y="{:.1}" text-anchor="end">{v:.yd$}</text>"##,
            LEFT + pw,
            LEFT - 5.0,
            y + 4.0
        );
    }
    for (i, &x) in xs.iter().enumerate() {
        let label = setting.values.get(i).map_or(String::new(), |v| v.text.clone());
        let _ = writeln!(
            o,
            r##"<line x1="{0:.1}" y1="{1:.1}" x2="{0:.1}" y2="{2:.1}" stroke="#333"/><text x="{0:.1}" y="{3:.1}" text-anchor="middle">{4}</text>"##,
            px(x),
            TOP + ph,
            TOP + ph + 4.0,
            TOP + ph + 17.0,
            esc(&label)
        );
    }
    let _ = writeln!(
        o,
        r##"<path d="M{LEFT} {TOP}V{:.1}H{:.1}" fill="none" stroke="#333"/><text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="12">{}{}</text>"##,
        TOP + ph,
        LEFT + pw,
        LEFT + pw / 2.0,
        H - 14.0,
        esc(&names[0]),
        if numeric { "" } else { " (values in order)" }
    );
    for (li, l) in shown.iter().enumerate() {
        let col = color(li);
        let pts: Vec<(f64, f64, f64)> = l
            .points
            .iter()
            .filter_map(|(x, i)| {
                let m = i.mean.filter(|m| m.is_finite())?;
                Some((xs[*x], m, i.half_width.filter(|h| h.is_finite()).unwrap_or(0.0)))
            })
            .collect();
        if pts.iter().any(|p| p.2 > 0.0) {
            let mut d = String::new();
            for (j, (x, m, h)) in pts.iter().enumerate() {
                let _ = write!(d, "{}{:.1} {:.1}", if j == 0 { "M" } else { "L" }, px(*x), py(m + h));
            }
            for (x, m, h) in pts.iter().rev() {
                let _ = write!(d, "L{:.1} {:.1}", px(*x), py(floor(*m, *h)));
            }
            let _ = writeln!(
                o,
                r##"<path d="{d}Z" fill="{col}" fill-opacity="0.18" stroke="none"/>"##
            );
        }
        let mut d = String::new();
        for (j, (x, m, _)) in pts.iter().enumerate() {
            let _ = write!(d, "{}{:.1} {:.1}", if j == 0 { "M" } else { "L" }, px(*x), py(*m));
        }
        if !d.is_empty() {
            let _ = writeln!(o, r##"<path d="{d}" fill="none" stroke="{col}" stroke-width="1.8"/>"##);
        }
        for (x, m, h) in &pts {
            let _ = writeln!(
                o,
                r##"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{col}"><title>{}: {} ± {}</title></circle>"##,
                px(*x),
                py(*m),
                esc(&l.label),
                trim(*m, 4),
                trim(*h, 4)
            );
        }
    }
    o.push_str("</svg>\n");
    if shown.iter().any(|l| !l.label.is_empty()) {
        o.push_str("<ul class=\"legend\">");
        for (li, l) in shown.iter().enumerate() {
            let _ = write!(
                o,
                "<li><span class=\"swatch\" style=\"background:{}\"></span>{}</li>",
                color(li),
                esc(&l.label)
            );
        }
        if all.len() > shown.len() {
            let _ = write!(o, "<li>+{} more lines not drawn</li>", all.len() - shown.len());
        }
        o.push_str("</ul>\n");
    }
    o
}

/// The page of a sweep of `title` (the scenario file): `table` holds its rows under the
/// chosen columns, every one summarised and charted.
pub(crate) fn sweep_page(title: &str, grid: &Grid, table: &Table) -> String {
    let mut o = String::with_capacity(256 * 1024);
    head(&mut o, &format!("batchsim sweep: {title}"));
    let seeds = grid.seeds();
    let combos = grid.combinations();
    let _ = writeln!(
        o,
        "<h1>Sweep of {}</h1>\n<p class=\"sub\">batchsim {}: {} run{} ({} seed{}, {}..{}, x {} combination{})</p>",
        esc(title),
        env!("CARGO_PKG_VERSION"),
        grid.runs(),
        if grid.runs() == 1 { "" } else { "s" },
        seeds.count(),
        if seeds.count() == 1 { "" } else { "s" },
        seeds.first(),
        seeds.last(),
        combos,
        if combos == 1 { "" } else { "s" },
    );
    let names = grid.short_names();
    if !grid.settings().is_empty() {
        o.push_str("<h2>Settings</h2>\n");
        header(&mut o, &["path (--set)", "values"]);
        for s in grid.settings() {
            let values: Vec<&str> = s.values.iter().map(|v| v.text.as_str()).collect();
            let _ = writeln!(
                o,
                "<tr><td><code>{}</code></td><td style=\"text-align:left\">{}</td></tr>",
                esc(&s.path_text),
                esc(&values.join(", "))
            );
        }
        end_table(&mut o);
    }

    o.push_str("<h2>Mean and 95% confidence interval over seeds</h2>\n");
    if seeds.count() < 2 {
        o.push_str(
            "<p class=\"note\">One seed: no confidence interval (run more seeds with <code>--seeds A..B</code>).</p>\n",
        );
    } else {
        let _ = writeln!(
            o,
            "<p class=\"note\">mean ± half-width of the 95% confidence interval (Student t, {} degrees of freedom).</p>",
            seeds.count() - 1
        );
    }
    let heads: Vec<String> = table
        .columns
        .iter()
        .map(|c| heading(c.name(), c.metric.unit()))
        .collect();
    let mut cells: Vec<&str> = if grid.settings().is_empty() {
        vec!["combination"]
    } else {
        names.iter().map(String::as_str).collect()
    };
    cells.extend(heads.iter().map(String::as_str));
    header(&mut o, &cells);
    let intervals: Vec<Vec<Interval>> = (0..table.columns.len()).map(|k| table.intervals(k, combos)).collect();
    for c in 0..combos.min(MAX_ROWS) {
        o.push_str("<tr>");
        if grid.settings().is_empty() {
            let _ = write!(o, "<td>{}</td>", esc(&grid.label(c, Some(&names))));
        }
        for (s, &v) in grid.settings().iter().zip(grid.combination(c)) {
            let _ = write!(o, "<td>{}</td>", esc(s.values.get(v).map_or("", |v| v.text.as_str())));
        }
        for (k, col) in table.columns.iter().enumerate() {
            let _ = write!(
                o,
                "<td>{}</td>",
                intervals[k]
                    .get(c)
                    .map_or_else(|| "-".into(), |i| esc(&interval_text(i, col.metric.unit())))
            );
        }
        o.push_str("</tr>\n");
    }
    end_table(&mut o);
    if combos > MAX_ROWS {
        let _ = writeln!(
            o,
            "<p class=\"note\">The first {MAX_ROWS} of {combos} combinations; stderr's summary has them all.</p>"
        );
    }

    o.push_str("<h2>Charts</h2>\n");
    if grid.settings().is_empty() {
        o.push_str("<p class=\"note\">Nothing was varied (no <code>--set</code>): no chart against a setting.</p>\n");
    } else {
        let _ = writeln!(
            o,
            "<p class=\"note\">Each column's mean against <code>{}</code>; the band is the 95% confidence interval over seeds.</p>\n<div class=\"charts\">",
            esc(&grid.settings()[0].path_text)
        );
        for (k, h) in heads.iter().enumerate().take(MAX_CHARTS) {
            let _ = write!(
                o,
                "<figure><figcaption>{}</figcaption>\n{}</figure>\n",
                esc(h),
                chart(grid, &intervals[k], &names)
            );
        }
        o.push_str("</div>\n");
        if heads.len() > MAX_CHARTS {
            let _ = writeln!(
                o,
                "<p class=\"note\">{} more columns are in the tables, not charted.</p>",
                heads.len() - MAX_CHARTS
            );
        }
    }

    let _ = writeln!(o, "<h2>Every run</h2>");
    if table.rows.len() > MAX_ROWS {
        let _ = writeln!(
            o,
            "<p class=\"note\">The first {MAX_ROWS} of {} runs; the sweep's table (<code>--out</code>) has them all.</p>",
            table.rows.len()
        );
    }
    let head_cells = table.header();
    let refs: Vec<&str> = head_cells.iter().map(String::as_str).collect();
    header(&mut o, &refs);
    for r in table.rows.iter().take(MAX_ROWS) {
        let _ = write!(o, "<tr><td>{}</td>", r.seed);
        for (s, &v) in table.settings.iter().zip(&r.values) {
            let _ = write!(o, "<td>{}</td>", esc(s.values.get(v).map_or("", |v| v.text.as_str())));
        }
        for f in &r.figures {
            let _ = write!(o, "<td>{}</td>", figure(f));
        }
        o.push_str("</tr>\n");
    }
    end_table(&mut o);
    tail(&mut o);
    o
}
