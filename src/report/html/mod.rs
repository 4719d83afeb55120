//! The HTML report (`batchsim run --html FILE`, `batchsim sweep --html FILE`): one
//! self-contained page, readable offline and mailable as one file. The style sheet is
//! inline, the charts are inline SVG (the `--plot` chart, [`super::plot::render_svg`]), and
//! nothing is fetched: no script, no font, no image, no link to any address.
//!
//! [`run_page`] has the run's summary tables (jobs, waits with the jobs never started,
//! turnaround, each queue with its shares under it, each compute environment with its
//! utilization and cost, the cost split) and the chart; [`sweep::sweep_page`] the sweep's
//! table with its confidence intervals and a chart of each column against the varied
//! setting; [`calibration::calibration_page`] a calibration's figures and charts
//! (`batchsim calibrate --html`). Every user text (scenario, queue, share, CE names, warnings) is escaped by
//! [`esc`]. Deterministic: the same input gives the same bytes.

pub(crate) mod calibration;
pub(crate) mod sweep;

use super::plot::{render_svg, Chart};
use super::{Report, Stats, WaitStats};
use std::fmt::Write;

/// The style sheet of every page (inline: the page fetches nothing).
const STYLE: &str = "
body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;color:#222;margin:24px auto;max-width:1200px;padding:0 16px;background:#fff}
h1{font-size:24px;margin:0 0 4px}
h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
p.sub{color:#555;margin:0 0 12px}
table{border-collapse:collapse;margin:6px 0 12px;font-size:13px}
th,td{padding:4px 7px;border-bottom:1px solid #e4e4e4;text-align:right;white-space:nowrap}
th{background:#f3f3f3;font-weight:600;white-space:normal;overflow-wrap:anywhere;vertical-align:bottom;max-width:220px}
th:first-child,td:first-child{text-align:left}
td{font-variant-numeric:tabular-nums}
tr.share td:first-child{padding-left:26px;color:#444}
tr.total td{font-weight:600;border-top:2px solid #bbb}
.warn{background:#fff6e0;border:1px solid #e8c770;padding:8px 12px;margin:12px 0}
.warn li{margin:2px 0}
.note{color:#555;font-size:13px}
.wide{overflow-x:auto}
svg{max-width:100%;height:auto;display:block}
.charts{display:flex;flex-wrap:wrap;gap:12px}
.charts figure{margin:0;border:1px solid #e4e4e4;padding:6px;width:540px}
.legend{font-size:12px;margin:4px 0 0;padding:0;list-style:none;overflow-wrap:anywhere}
.legend li{margin:1px 0}
.swatch{display:inline-block;width:18px;height:3px;vertical-align:middle;margin-right:6px}
figcaption{font-size:13px;font-weight:600;margin:0 0 4px}
";

/// Escapes text for HTML content and attribute values (`&`, `<`, `>`, both quotes; other
/// control characters but tab and newline become spaces).
pub(crate) fn esc(s: &str) -> String {
    crate::report::svg::escape_markup(s, |c| c.is_control() && c != '\t' && c != '\n')
}

/// The start of a page titled `title` (escaped here), up to the open `<body>`.
pub(crate) fn head(o: &mut String, title: &str) {
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(title)
    );
}

/// The end of a page.
pub(crate) fn tail(o: &mut String) {
    o.push_str("</body>\n</html>\n");
}

/// An SVG document as an element of an HTML page: without its XML namespace declaration
/// (HTML puts `<svg>` in the SVG namespace itself), so the page names no address at all.
pub(crate) fn inline_svg(svg: &str) -> String {
    svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
}

/// Seconds as a reader wants them: `45.0 s`, `12.5 min`, `3.20 h`, `1.50 d`.
pub(crate) fn secs(s: f64) -> String {
    if !s.is_finite() {
        return "-".into();
    }
    crate::report::text::secs_in(s, [" d", " h", " min", " s"])
}

/// A figure of a [`Stats`] (`-`: no sample).
fn opt_secs(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), secs)
}

/// Dollars: `$12.34`.
pub(crate) fn dollars(x: f64) -> String {
    format!("${x:.2}")
}

/// A fraction as a percentage: `93.4%`.
pub(crate) fn percent(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// One table row: the first cell is text (escaped here) with an optional class, the
/// others are already HTML.
fn row(o: &mut String, class: Option<&str>, first: &str, cells: &[String]) {
    match class {
        Some(c) => {
            let _ = write!(o, "<tr class=\"{c}\"><td>{}</td>", esc(first));
        }
        None => {
            let _ = write!(o, "<tr><td>{}</td>", esc(first));
        }
    }
    for c in cells {
        let _ = write!(o, "<td>{c}</td>");
    }
    o.push_str("</tr>\n");
}

/// A table header row (the cells are plain text, escaped here).
fn header(o: &mut String, cells: &[&str]) {
    o.push_str("<div class=\"wide\"><table>\n<tr>");
    for c in cells {
        let _ = write!(o, "<th>{}</th>", esc(c));
    }
    o.push_str("</tr>\n");
}

fn end_table(o: &mut String) {
    o.push_str("</table></div>\n");
}

const STAT_HEAD: [&str; 7] = ["count", "mean", "p50", "p90", "p95", "p99", "max"];

fn stat_cells(s: &Stats) -> Vec<String> {
    let mut v = vec![s.count.to_string()];
    v.extend([s.mean, s.p50, s.p90, s.p95, s.p99, s.max].map(opt_secs));
    v
}

fn wait_cells(w: &WaitStats) -> Vec<String> {
    let mut v = stat_cells(&w.stats);
    v.push(w.never_started.to_string());
    v.push(opt_secs(w.oldest_wait_seconds));
    v
}

/// The summary tables of a run's report.
fn tables(o: &mut String, r: &Report) {
    let j = &r.jobs;
    o.push_str("<h2>Jobs</h2>\n");
    header(
        o,
        &[
            "",
            "submitted",
            "succeeded",
            "failed",
            "cancelled",
            "unfinished",
            "queued",
            "running",
        ],
    );
    let counts = [
        j.submitted,
        j.succeeded,
        j.failed,
        j.cancelled,
        j.unfinished,
        j.queued,
        j.running,
    ];
    row(o, None, "all jobs", &counts.map(|n| n.to_string()));
    for (name, q) in &r.queues {
        let c = [
            q.submitted,
            q.succeeded,
            q.failed,
            q.cancelled,
            q.unfinished,
            q.queued,
            q.running,
        ];
        row(o, None, &format!("queue {name}"), &c.map(|n| n.to_string()));
    }
    end_table(o);

    o.push_str("<h2>Waits and turnaround</h2>\n<p class=\"note\">Wait: first dispatch minus the time the job first became RUNNABLE, over the jobs dispatched; <em>never started</em> counts the jobs still waiting at the end, <em>oldest waiting</em> how long the first of them had waited.</p>\n");
    let mut head = vec!["group"];
    head.extend(STAT_HEAD);
    head.extend(["never started", "oldest waiting"]);
    header(o, &head);
    row(o, None, "wait, all jobs", &wait_cells(&r.wait_seconds));
    for (name, q) in &r.queues {
        row(o, None, &format!("wait, queue {name}"), &wait_cells(&q.wait_seconds));
        for (share, s) in &q.shares {
            row(
                o,
                Some("share"),
                &format!("share {share}"),
                &wait_cells(&s.wait_seconds),
            );
        }
    }
    let mut t = stat_cells(&r.turnaround_seconds);
    t.extend(["".into(), "".into()]);
    row(o, Some("total"), "turnaround, all terminal jobs", &t);
    end_table(o);

    if r.queues.values().any(|q| !q.shares.is_empty()) {
        o.push_str("<h2>Fair share, per queue</h2>\n<p class=\"note\">Each share under its queue, its target from that queue's scheduling policy: (1/weight) / sum of (1/weight) over the queue's shares (AWS, <code>weightFactor</code>: \u{201c}jobs that use a share identifier with a weight factor of 0.125 (1/8) get 8 times the compute resources of jobs that use a share identifier with a weight factor of 1\u{201d}).</p>\n");
        header(
            o,
            &[
                "queue / share",
                "weight",
                "target",
                "used",
                "vCPU-s",
                "submitted",
                "succeeded",
                "cost",
            ],
        );
        for (name, q) in r.queues.iter().filter(|(_, q)| !q.shares.is_empty()) {
            row(o, None, &format!("queue {name}"), &vec![String::new(); 7]);
            for (share, s) in &q.shares {
                let cells = [
                    s.weight_factor.to_string(),
                    percent(s.target_fraction),
                    percent(s.used_fraction),
                    format!("{:.0}", s.vcpu_seconds),
                    s.submitted.to_string(),
                    s.succeeded.to_string(),
                    dollars(s.cost),
                ];
                row(o, Some("share"), share, &cells);
            }
        }
        end_table(o);
    }

    o.push_str("<h2>Compute environments</h2>\n<p class=\"note\">Utilization: vCPU-seconds used over vCPU-seconds provisioned (Fargate: 1); of max: over <code>maxvCpus</code> integrated over the run. Idle cost: instance time no attempt was attributed.</p>\n");
    header(
        o,
        &[
            "compute environment",
            "attempts",
            "maxvCpus",
            "instances",
            "vCPU-s used",
            "vCPU-s provisioned",
            "utilization",
            "utilizationOfMax",
            "Spot reclaims",
            "cost",
            "idleCost",
        ],
    );
    for (name, c) in &r.compute_environments {
        let cells = [
            c.jobs_started.to_string(),
            c.max_vcpus.to_string(),
            c.instances_launched.to_string(),
            format!("{:.0}", c.vcpu_seconds_used),
            format!("{:.0}", c.vcpu_seconds_provisioned),
            percent(c.utilization),
            percent(c.utilization_of_max),
            c.interruptions.to_string(),
            dollars(c.cost),
            dollars(c.idle_cost),
        ];
        row(o, None, name, &cells);
    }
    end_table(o);
    consumable_table(o, r);

    o.push_str("<h2>Cost</h2>\n<p class=\"note\">Each attempt's cost goes to its queue and share; what instances cost beyond the attempts' share is idle. The queues and the idle cost add up to the total.</p>\n");
    header(o, &["", "cost"]);
    for (name, q) in &r.queues {
        row(o, None, &format!("queue {name}"), &[dollars(q.cost)]);
        for (share, s) in &q.shares {
            row(o, Some("share"), &format!("share {share}"), &[dollars(s.cost)]);
        }
    }
    row(o, None, "idle (not attributed to a job)", &[dollars(r.cost.idle)]);
    row(o, Some("total"), "total", &[dollars(r.cost.total)]);
    end_table(o);
}

/// The consumable resources' table (nothing when the scenario declares none).
fn consumable_table(o: &mut String, r: &Report) {
    if r.consumable_resources.is_empty() {
        return;
    }
    o.push_str("<h2>Consumable resources</h2>\n<p class=\"note\">Total, in use and available at the end (as <code>DescribeConsumableResource</code> reports them); consumed: NON_REPLENISHABLE units gone for good; utilization: unit-seconds in use over the total integrated over the run; waited: jobs that reached their queue's head and found the resource short, and their waits for it.</p>\n");
    let mut head = vec![
        "resource",
        "type",
        "total",
        "in use",
        "available",
        "peak in use",
        "consumed",
        "acquisitions",
        "utilization",
        "waited",
        "still waiting",
    ];
    head.extend(STAT_HEAD);
    header(o, &head);
    for (name, c) in &r.consumable_resources {
        let mut cells = vec![
            esc(&c.resource_type),
            c.total_quantity.to_string(),
            c.in_use_quantity.to_string(),
            c.available_quantity.to_string(),
            c.peak_in_use.to_string(),
            c.consumed.to_string(),
            c.acquisitions.to_string(),
            percent(c.utilization),
            c.jobs_waited.to_string(),
            c.jobs_waiting.to_string(),
        ];
        cells.extend(stat_cells(&c.wait_seconds));
        row(o, None, name, &cells);
    }
    end_table(o);
}

/// The page of one run: title, warnings, the summary tables and (when given) the chart; a
/// run that replayed a recorded history (`run --history`) has the calibration's error table
/// and the jobs furthest off after its tables.
pub(crate) fn run_page(
    r: &Report,
    chart: Option<&Chart>,
    calibration: Option<(&crate::calibrate::Replay, &crate::calibrate::Calibration)>,
) -> String {
    let mut o = String::with_capacity(128 * 1024);
    head(&mut o, &format!("batchsim: {} (seed {})", r.scenario, r.seed));
    let _ = writeln!(
        o,
        "<h1>{} <span style=\"font-weight:normal\">(seed {})</span></h1>\n<p class=\"sub\">batchsim {}: stopped at {} ({} s of simulated time), {} events</p>",
        esc(&r.scenario),
        r.seed,
        env!("CARGO_PKG_VERSION"),
        secs(r.end_seconds),
        r.end_seconds,
        r.events
    );
    if !r.warnings.is_empty() {
        o.push_str("<div class=\"warn\"><strong>Warnings</strong><ul>\n");
        for w in &r.warnings {
            let _ = writeln!(o, "<li>{}</li>", esc(w));
        }
        o.push_str("</ul></div>\n");
    }
    tables(&mut o, r);
    if let Some((replay, c)) = calibration {
        calibration::run_section(&mut o, replay, c);
    }
    if let Some(c) = chart {
        o.push_str("<h2>Charts</h2>\n");
        o.push_str(&inline_svg(&render_svg(c)));
    }
    tail(&mut o);
    o
}

#[cfg(test)]
mod tests;
