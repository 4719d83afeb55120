//! A recorded job history drawn in a run's chart (`batchsim run --history FILE... --plot
//! FILE.svg`, and the HTML report's chart): one more panel, under the vCPUs-in-use panel,
//! with the vCPUs the recorded jobs held over time (black) over the vCPUs the same jobs held
//! in the run (orange, dashed), on their own scale, and the calibration's error figures
//! beside it (wait error mean, p50, p95, relative, bias; start-order rank correlation; the
//! mean difference of the two curves).
//!
//! The overlay ([`HistoryOverlay`]) is built from a calibration ([`crate::calibrate::overlay`]): the curves are the
//! step functions of the compared jobs' recorded and simulated RUNNING intervals, the ones
//! `batchsim calibrate --plot` draws, on the replay's clock (0 s is the first recorded
//! submission, which is also the run's 0 s).

use super::svg::{axis_top, esc, frame, legend, no_data, short, AxisSpec, LegendItem, Panel};
use crate::calibrate::HistoryOverlay;
use std::fmt::Write;

/// The panel `p`: its frame and title, both curves, the legend and the figures under it.
pub(super) fn panel(o: &mut String, p: &Panel, h: &HistoryOverlay, x_title: String, x_unit: f64, x_step: f64) {
    let title = format!(
        "Recorded history vs simulated: vCPUs in use of the {} job{} compared ({})",
        h.jobs,
        if h.jobs == 1 { "" } else { "s" },
        short(&h.files, 48)
    );
    frame(
        o,
        p,
        &AxisSpec {
            title: &title,
            x_title,
            y_title: "vCPUs",
            x_unit,
            x_step,
            y_step: axis_top(p.y_max, 1.0, 5.0).1,
            x_ticks: None,
            y_decimals: 0,
        },
    );
    let mut line = |points: &[(f64, f64)], colour: &str, style: &str, tip: &str| {
        if points.is_empty() {
            return;
        }
        let mut d = String::with_capacity(points.len() * 14);
        for (i, (t, v)) in points.iter().enumerate() {
            let _ = write!(d, "{}{:.1} {:.1}", if i == 0 { "M" } else { "L" }, p.px(*t), p.py(*v));
        }
        let _ = writeln!(
            o,
            r##"<path d="{d}" fill="none" stroke="{colour}" {style} stroke-linejoin="round"><title>{}</title></path>"##,
            esc(tip)
        );
    };
    line(&h.recorded, "#000", r#"stroke-width="2.2""#, "recorded vCPUs in use");
    line(
        &h.simulated,
        "#ff7f0e",
        r#"stroke-width="1.8" stroke-dasharray="6 4""#,
        "simulated vCPUs in use of the same jobs",
    );
    if h.jobs == 0 {
        no_data(o, p, "no recorded job was compared");
    }
    let items = [
        LegendItem {
            label: "recorded (history)".into(),
            color: "#000",
            dashed: false,
            dotted: false,
        },
        LegendItem {
            label: "simulated (same jobs)".into(),
            color: "#ff7f0e",
            dashed: true,
            dotted: false,
        },
    ];
    legend(o, p, &items);
    let x = p.x + p.w + 20.0;
    for (k, f) in h.figures.iter().enumerate() {
        let _ = writeln!(
            o,
            r##"<text x="{x:.1}" y="{:.1}" fill="#333">{}</text>"##,
            p.y + 8.0 + 18.0 * (items.len() as f64 + 0.6) + 4.0 + 17.0 * k as f64,
            esc(f)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_panel_draws_both_curves_and_the_figures() {
        let h = HistoryOverlay {
            files: "jobs.json".into(),
            jobs: 2,
            figures: vec!["wait error mean 1.0 s".into(), "rank correlation 1.000".into()],
            recorded: vec![(0.0, 0.0), (10.0, 0.0), (10.0, 2.0), (70.0, 2.0), (70.0, 0.0)],
            simulated: vec![(0.0, 0.0), (5.0, 3.0), (90.0, 0.0)],
        };
        let p = Panel {
            x: 0.0,
            y: 0.0,
            w: 100.0,
            h: 100.0,
            x_max: 100.0,
            y_max: 4.0,
        };
        let mut o = String::new();
        panel(&mut o, &p, &h, "simulated time (s)".into(), 1.0, 20.0);
        assert!(
            o.contains(r##"d="M0.0 100.0L10.0 100.0L10.0 50.0L70.0 50.0L70.0 100.0" fill="none" stroke="#000""##),
            "{o}"
        );
        assert!(o.contains("vCPUs in use of the 2 jobs compared (jobs.json)"), "{o}");
        assert!(o.contains(">recorded (history)<") && o.contains(">simulated (same jobs)<"));
        assert!(o.contains(">wait error mean 1.0 s<") && o.contains(">rank correlation 1.000<"));
        assert!(!o.contains("no recorded job"));
    }
}
