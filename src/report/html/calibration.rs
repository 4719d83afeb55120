//! The HTML page of a calibration (`batchsim calibrate ... --html FILE`): one
//! self-contained page, like the run's, with what was compared, the error figures (wait
//! errors absolute and relative, bias, start-order rank correlation, vCPU curve
//! difference; all jobs and each queue), the jobs furthest off, the charts (vCPUs in use
//! recorded vs simulated over time, each job's recorded vs simulated wait) and, with
//! `--fit`, the settings found (shared and per compute environment) with the same figures
//! and charts at them.

use super::{end_table, esc, head, header, inline_svg, row, secs, tail};
use crate::calibrate::{to_svg, wait_svg, Calibration, Fit, JobFit, Replay, Summary, WaitBasis};
use std::fmt::Write;

/// A fraction as a percentage, `-` when there is none.
fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "-".into(), super::percent)
}

/// The error table of a calibration: all jobs, then each queue.
fn errors(o: &mut String, c: &Calibration) {
    header(
        o,
        &[
            "",
            "jobs",
            "mean |err|",
            "p50 |err|",
            "p95 |err|",
            "mean rel.",
            "p50 rel.",
            "p95 rel.",
            "bias",
            "rho",
            "vCPU |diff|",
            "vCPU rel.",
        ],
    );
    let cells = |s: &Summary| {
        let w = &s.waits;
        vec![
            w.jobs.to_string(),
            secs(w.mean_seconds),
            secs(w.p50_seconds),
            secs(w.p95_seconds),
            super::percent(w.mean_relative),
            super::percent(w.p50_relative),
            super::percent(w.p95_relative),
            format!("{:+.1} s", w.bias_seconds),
            s.start_order.map_or_else(|| "-".into(), |r| format!("{r:.3}")),
            format!("{:.2}", s.vcpus.mean_abs_difference),
            pct(s.vcpus.relative),
        ]
    };
    row(o, Some("total"), "all jobs", &cells(&c.overall));
    for q in &c.queues {
        row(o, None, &format!("queue {}", q.job_queue), &cells(&q.summary));
    }
    end_table(o);
}

/// The five jobs whose waits are furthest apart.
fn furthest(o: &mut String, c: &Calibration) {
    let mut worst: Vec<&JobFit> = c
        .jobs
        .iter()
        .filter(|j| j.simulated_wait_ms != j.recorded_wait_ms)
        .collect();
    worst.sort_by_key(|j| std::cmp::Reverse(j.simulated_wait_ms.abs_diff(j.recorded_wait_ms)));
    if worst.is_empty() {
        o.push_str("<p class=\"note\">Every compared job waited as long in the replay as in the recording.</p>\n");
        return;
    }
    o.push_str("<p class=\"note\">The jobs furthest off:</p>\n");
    header(
        o,
        &[
            "job",
            "id",
            "queue",
            "compute environment",
            "recorded wait",
            "simulated wait",
            "wait from",
        ],
    );
    for j in worst.into_iter().take(5) {
        let cells = [
            esc(&j.job_id),
            esc(&j.job_queue),
            esc(j.compute_environment.as_deref().unwrap_or("-")),
            secs(j.recorded_wait_ms as f64 / 1000.0),
            secs(j.simulated_wait_ms as f64 / 1000.0),
            match j.basis {
                WaitBasis::Runnable => "RUNNABLE".into(),
                _ => "createdAt".into(),
            },
        ];
        row(o, None, &j.job_name, &cells);
    }
    end_table(o);
}

/// The calibration section of a run's page (`run --history ... --html`): what was compared,
/// the error table and the jobs furthest off (the run's chart carries the vCPU curves).
pub(crate) fn run_section(o: &mut String, replay: &Replay, c: &Calibration) {
    let _ = writeln!(
        o,
        "<h2>Against the recorded history</h2>\n<p class=\"note\">{} jobs of {} compared (wait from RUNNABLE: {}, from createdAt: {}); the chart's panel \"Recorded history vs simulated\" draws their vCPUs in use.</p>",
        c.jobs.len(),
        esc(&replay.history_files.join(", ")),
        c.from_runnable,
        c.from_created
    );
    errors(o, c);
    furthest(o, c);
}

/// Figures, jobs furthest off and both charts of one calibration.
fn section(o: &mut String, replay: &Replay, c: &Calibration) {
    errors(o, c);
    furthest(o, c);
    o.push_str(&inline_svg(&to_svg(replay, c)));
    o.push_str(&inline_svg(&wait_svg(c)));
}

/// The fit's settings: the shared point, then each compute environment's.
fn fit_settings(o: &mut String, f: &Fit) {
    let Some(b) = &f.best else {
        o.push_str("<p class=\"note\">Every grid point was refused by the scenario; nothing tuned.</p>\n");
        return;
    };
    let launch = b
        .instance_launch_seconds
        .map_or_else(String::new, |l| format!(", <code>instanceLaunchSeconds</code> {l}"));
    let _ = writeln!(
        o,
        "<p>{} settings replayed. One value for the whole set-up: <code>startupSeconds</code> {}{launch}, mean wait error {} (as given: {}). Per compute environment (fitted on its own with at least {} compared jobs, by coordinate descent from the shared values): mean wait error {}.</p>",
        f.tried,
        b.startup_seconds,
        secs(b.mean_wait_error_seconds),
        secs(f.given_error_seconds),
        f.min_jobs_per_ce,
        f.per_ce_error_seconds.map_or_else(|| "-".into(), secs)
    );
    header(
        o,
        &[
            "compute environment",
            "jobs",
            "fitted",
            "startupSeconds",
            "instanceLaunchSeconds",
        ],
    );
    for c in &f.per_ce {
        let cells = [
            c.jobs.to_string(),
            if c.own {
                "on its own".into()
            } else {
                "shared (too few jobs)".into()
            },
            c.startup_seconds.to_string(),
            c.instance_launch_seconds.map_or_else(|| "-".into(), |l| l.to_string()),
        ];
        row(o, None, &c.compute_environment, &cells);
    }
    end_table(o);
}

/// The page of a calibration `given` (the scenario as given), with the fit when there is
/// one.
pub(crate) fn calibration_page(replay: &Replay, given: &Calibration, fit: Option<&Fit>) -> String {
    let mut o = String::with_capacity(64 * 1024);
    let scenario = replay.path.display().to_string();
    head(&mut o, &format!("batchsim calibrate: {scenario}"));
    let _ = writeln!(
        o,
        "<h1>Calibration of {}</h1>\n<p class=\"sub\">batchsim {}: the recorded history {} replayed through the set-up and compared job by job</p>",
        esc(&scenario),
        env!("CARGO_PKG_VERSION"),
        esc(&replay.history_files.join(", "))
    );
    if !replay.notes.is_empty() {
        o.push_str("<div class=\"warn\"><strong>Notes of the import</strong><ul>\n");
        for n in &replay.notes {
            let _ = writeln!(o, "<li>{}</li>", esc(n));
        }
        o.push_str("</ul></div>\n");
    }
    let n = &given.not_compared;
    let _ = writeln!(
        o,
        "<p class=\"note\">{} jobs compared (wait from RUNNABLE: {}, from <code>createdAt</code>: {}); not compared: {} never started, {} array parents, {} not started in the replay. |err| = |simulated - recorded| wait; rel. = over the recorded wait (at least 1 s); bias = mean(simulated - recorded); rho = Spearman's rank correlation of the start times; vCPU |diff| = mean |recorded - simulated| vCPUs in use over time (rel.: over the recorded mean).</p>",
        given.jobs.len(),
        given.from_runnable,
        given.from_created,
        n.never_started,
        n.array_parents,
        n.not_started_in_replay
    );
    o.push_str("<h2>The scenario as given</h2>\n");
    section(&mut o, replay, given);
    if let Some(f) = fit {
        o.push_str("<h2>Fit</h2>\n");
        fit_settings(&mut o, f);
        if f.best.is_some() {
            o.push_str("<h2>At the fitted settings</h2>\n");
            section(&mut o, replay, &f.calibration);
        }
    }
    tail(&mut o);
    o
}
