//! The calibration's charts, self-contained SVG (hand-written, as the run charts are):
//! `calibrate --plot FILE.svg` draws the recorded and the simulated vCPUs in use over time
//! as two step curves ([`svg`]); the HTML page (`calibrate --html`) adds each job's
//! recorded against its simulated wait ([`wait_svg`]).

use super::{Calibration, Replay};
use std::fmt::Write;

const W: f64 = 900.0;
const H: f64 = 320.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 170.0;
const TOP: f64 = 50.0;
const BOTTOM: f64 = 50.0;

/// The step curve of `(start, end, vcpus)` intervals as (time ms, height) corners; an open
/// end lasts to `last`.
pub(super) fn corners(intervals: &[(i64, Option<i64>, f64)], last: i64) -> Vec<(i64, f64)> {
    let mut steps: Vec<(i64, f64)> = Vec::with_capacity(2 * intervals.len());
    for (s, e, v) in intervals {
        steps.push(((*s).max(0), *v));
        steps.push((e.unwrap_or(last).max(0), -*v));
    }
    steps.sort_by_key(|s| s.0);
    let mut out = vec![(0, 0.0)];
    let mut h = 0.0;
    for (t, d) in steps {
        out.push((t, h));
        h += d;
        out.push((t, h));
    }
    out.push((last, h));
    out
}

/// The recorded and the simulated RUNNING intervals of `c`'s compared jobs.
pub(super) type Intervals = Vec<(i64, Option<i64>, f64)>;

pub(super) fn intervals(c: &Calibration) -> (Intervals, Intervals) {
    let rec = c
        .jobs
        .iter()
        .map(|j| (j.recorded_start_ms, j.recorded_stop_ms, j.recorded_vcpus))
        .collect();
    let sim = c
        .jobs
        .iter()
        .map(|j| (j.simulated_start_ms, j.simulated_stop_ms, j.simulated_vcpus))
        .collect();
    (rec, sim)
}

/// The last start or stop of either side (at least 1 ms): where open intervals end.
pub(super) fn last_ms(rec: &Intervals, sim: &Intervals) -> i64 {
    rec.iter()
        .chain(sim)
        .flat_map(|(s, e, _)| [Some(*s), *e])
        .flatten()
        .max()
        .unwrap_or(0)
        .max(1)
}

/// The chart of `c`'s compared jobs: recorded (black) and simulated (orange) vCPUs in use.
pub fn svg(replay: &Replay, c: &Calibration) -> String {
    let (rec, sim) = intervals(c);
    let last = last_ms(&rec, &sim);
    let (a, b) = (corners(&rec, last), corners(&sim, last));
    let top = a.iter().chain(&b).map(|p| p.1).fold(1.0f64, f64::max);
    let x = |t: i64| LEFT + (W - LEFT - RIGHT) * t as f64 / last as f64;
    let y = |v: f64| H - BOTTOM - (H - TOP - BOTTOM) * v / top;
    let mut o = svg_start(W, H);
    let _ = writeln!(
        o,
        r#"<text x="{LEFT}" y="24" font-size="15">vCPUs in use: recorded vs simulated ({}, {} jobs; mean |difference| {:.2} vCPUs)</text>"#,
        super::render::esc(&replay.path.display().to_string()),
        c.jobs.len(),
        c.overall.vcpus.mean_abs_difference
    );
    let (x0, x1, y0, y1) = (x(0), x(last), y(0.0), y(top));
    let _ = writeln!(
        o,
        r##"<path d="M{x0:.1},{y1:.1} L{x0:.1},{y0:.1} L{x1:.1},{y0:.1}" fill="none" stroke="#444"/>"##
    );
    let _ = writeln!(
        o,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{top}</text>"#,
        x0 - 6.0,
        y1 + 4.0
    );
    let _ = writeln!(
        o,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="end">0</text>"#,
        x0 - 6.0,
        y0 + 4.0
    );
    let _ = writeln!(
        o,
        r#"<text x="{x1:.1}" y="{:.1}" text-anchor="end">{:.0} s</text>"#,
        y0 + 18.0,
        last as f64 / 1000.0
    );
    let _ = writeln!(
        o,
        r#"<text x="{x0:.1}" y="{:.1}">0 s (first recorded submission)</text>"#,
        y0 + 18.0
    );
    for (points, colour, label, dash) in [
        (&a, "#000000", "recorded", ""),
        (&b, "#ff7f0e", "simulated", r#" stroke-dasharray="6,3""#),
    ] {
        let mut d = String::new();
        for (i, (t, v)) in points.iter().enumerate() {
            let _ = write!(d, "{}{:.1},{:.1}", if i == 0 { "M" } else { " L" }, x(*t), y(*v));
        }
        let _ = writeln!(
            o,
            r#"<path d="{d}" fill="none" stroke="{colour}" stroke-width="1.5"{dash}><title>{label}</title></path>"#
        );
    }
    for (i, (colour, label)) in [("#000000", "recorded"), ("#ff7f0e", "simulated")].iter().enumerate() {
        let ly = TOP + 20.0 * i as f64;
        let _ = writeln!(
            o,
            r#"<line x1="{:.1}" y1="{ly:.1}" x2="{:.1}" y2="{ly:.1}" stroke="{colour}" stroke-width="2"/><text x="{:.1}" y="{:.1}">{label}</text>"#,
            W - RIGHT + 15.0,
            W - RIGHT + 40.0,
            W - RIGHT + 46.0,
            ly + 4.0
        );
    }
    o.push_str("</svg>\n");
    o
}

/// Each compared job's recorded wait (x) against its simulated wait (y), one dot per job
/// (blue), with the diagonal where the two agree (grey, dashed): dots above it waited
/// longer in the model than in the account. Both axes share one scale from 0 s.
pub fn wait_svg(c: &Calibration) -> String {
    const SIDE: f64 = 400.0;
    const L: f64 = 70.0;
    const B: f64 = 50.0;
    const T: f64 = 40.0;
    const R: f64 = 150.0;
    let top_ms = c
        .jobs
        .iter()
        .map(|j| j.recorded_wait_ms.max(j.simulated_wait_ms))
        .max()
        .unwrap_or(0)
        .max(1000);
    let span = SIDE - T - B;
    let x = |ms: i64| L + span * ms.max(0) as f64 / top_ms as f64;
    let y = |ms: i64| SIDE - B - span * ms.max(0) as f64 / top_ms as f64;
    let w = L + span + R;
    let mut o = svg_start(w, SIDE);
    let _ = writeln!(
        o,
        r#"<text x="{L}" y="22" font-size="15">Wait per job ({} jobs, mean error {:.1} s)</text>"#,
        c.jobs.len(),
        c.overall.waits.mean_seconds
    );
    let (x0, x1, y0, y1) = (x(0), x(top_ms), y(0), y(top_ms));
    let _ = writeln!(
        o,
        r##"<path d="M{x0:.1},{y1:.1} L{x0:.1},{y0:.1} L{x1:.1},{y0:.1}" fill="none" stroke="#444"/>"##
    );
    let _ = writeln!(
        o,
        r##"<path d="M{x0:.1},{y0:.1} L{x1:.1},{y1:.1}" fill="none" stroke="#999" stroke-dasharray="5,4"><title>simulated = recorded</title></path>"##
    );
    let top_s = top_ms as f64 / 1000.0;
    let _ = writeln!(
        o,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{top_s:.0} s</text><text x="{:.1}" y="{:.1}" text-anchor="end">0</text>"#,
        x0 - 6.0,
        y1 + 4.0,
        x0 - 6.0,
        y0 + 4.0
    );
    let _ = writeln!(
        o,
        r#"<text x="{x1:.1}" y="{:.1}" text-anchor="end">{top_s:.0} s</text><text x="{:.1}" y="{:.1}" text-anchor="middle">recorded wait</text>"#,
        y0 + 18.0,
        (x0 + x1) / 2.0,
        y0 + 36.0
    );
    let _ = writeln!(
        o,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" transform="rotate(-90 {:.1} {:.1})">simulated wait</text>"#,
        L - 40.0,
        (y0 + y1) / 2.0,
        L - 40.0,
        (y0 + y1) / 2.0
    );
    let lx = x1 + 16.0;
    let _ = writeln!(
        o,
        r##"<circle cx="{:.1}" cy="{:.1}" r="5" fill="#1f77b4"/><text x="{:.1}" y="{:.1}">a job</text><line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#999" stroke-dasharray="5,4"/><text x="{:.1}" y="{:.1}">as recorded</text><text x="{:.1}" y="{:.1}" fill="#555">above: waits</text><text x="{:.1}" y="{:.1}" fill="#555">longer in the model</text>"##,
        lx + 6.0,
        T + 4.0,
        lx + 18.0,
        T + 8.0,
        lx,
        T + 24.0,
        lx + 12.0,
        T + 24.0,
        lx + 18.0,
        T + 28.0,
        lx,
        T + 52.0,
        lx,
        T + 66.0
    );
    for j in &c.jobs {
        let _ = writeln!(
            o,
            r##"<circle cx="{:.1}" cy="{:.1}" r="5" fill="#1f77b4" stroke="white" stroke-width="0.8"><title>{} ({}): {:.1} s recorded, {:.1} s simulated</title></circle>"##,
            x(j.recorded_wait_ms),
            y(j.simulated_wait_ms),
            super::render::esc(&j.job_name),
            super::render::esc(&j.job_queue),
            j.recorded_wait_ms as f64 / 1000.0,
            j.simulated_wait_ms as f64 / 1000.0
        );
    }
    o.push_str("</svg>\n");
    o
}

/// An SVG document's opening tag and white background, `width` x `height`.
fn svg_start(width: f64, height: f64) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(o, r#"<rect width="{width}" height="{height}" fill="white"/>"#);
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corners_step_up_and_down() {
        let c = corners(&[(10, Some(30), 2.0), (20, None, 1.0)], 50);
        assert_eq!(
            c,
            vec![
                (0, 0.0),
                (10, 0.0),
                (10, 2.0),
                (20, 2.0),
                (20, 3.0),
                (30, 3.0),
                (30, 1.0),
                (50, 1.0),
                (50, 0.0),
                (50, 0.0)
            ]
        );
    }
}
