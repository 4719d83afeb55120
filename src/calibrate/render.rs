//! A calibration (and a fit) as text and as JSON. Keys and rows come in a fixed order:
//! the output is byte-identical for a given scenario, history and binary.

use super::{Calibration, Fit, JobFit, Replay, Summary, WaitBasis};
use serde_json::{json, Value};
use std::fmt::Write;

/// Escapes text for SVG.
pub(super) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn basis_name(b: WaitBasis) -> &'static str {
    match b {
        WaitBasis::Runnable => "runnable",
        WaitBasis::CreatedAt => "createdAt",
    }
}

fn opt(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_owned(), |x| format!("{x:.3}"))
}

fn row(out: &mut String, label: &str, s: &Summary) {
    let w = &s.waits;
    let _ = writeln!(
        out,
        "  {label:<20} {:>5} {:>8.1} {:>8.1} {:>8.1} {:>7.1}% {:>7.1}% {:>7.1}% {:>8.1} {:>7} {:>8.2} {:>7}",
        w.jobs,
        w.mean_seconds,
        w.p50_seconds,
        w.p95_seconds,
        100.0 * w.mean_relative,
        100.0 * w.p50_relative,
        100.0 * w.p95_relative,
        w.bias_seconds,
        opt(s.start_order),
        s.vcpus.mean_abs_difference,
        s.vcpus
            .relative
            .map_or_else(|| "-".to_owned(), |r| format!("{:.1}%", 100.0 * r)),
    );
}

fn table(out: &mut String, c: &Calibration) {
    let _ = writeln!(
        out,
        "  {:<20} {:>5} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>7} {:>8} {:>7}",
        "", "jobs", "mean s", "p50 s", "p95 s", "mean", "p50", "p95", "bias s", "rho", "vCPU MAD", "rel"
    );
    row(out, "all", &c.overall);
    for q in &c.queues {
        row(out, &format!("queue {}", q.job_queue), &q.summary);
    }
}

/// The readable report: what was compared, the error table (wait errors absolute and
/// relative, bias, start-order rank correlation, vCPU curve difference), the five jobs
/// furthest off, and the fit when there is one.
pub fn text(replay: &Replay, c: &Calibration, fit: Option<&Fit>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "calibration of {} against {}",
        replay.path.display(),
        replay.history_files.join(", ")
    );
    let n = &c.not_compared;
    let _ = writeln!(
        out,
        "jobs compared: {} (wait from RUNNABLE: {}, from createdAt: {}); not compared: {} never started, {} array parents, {} not started in the replay",
        c.jobs.len(),
        c.from_runnable,
        c.from_created,
        n.never_started,
        n.array_parents,
        n.not_started_in_replay
    );
    let _ = writeln!(
        out,
        "wait error = |simulated - recorded| (relative: over the recorded wait, at least 1 s); bias = mean(simulated - recorded); rho = Spearman rank correlation of start times; vCPU MAD = mean |recorded - simulated| vCPUs in use"
    );
    table(&mut out, c);
    let mut worst: Vec<&JobFit> = c.jobs.iter().collect();
    worst.sort_by_key(|j| std::cmp::Reverse(j.simulated_wait_ms.abs_diff(j.recorded_wait_ms)));
    let worst: Vec<&JobFit> = worst
        .into_iter()
        .take(5)
        .filter(|j| j.simulated_wait_ms != j.recorded_wait_ms)
        .collect();
    if !worst.is_empty() {
        let _ = writeln!(out, "furthest off (wait recorded -> simulated):");
        for j in worst {
            let _ = writeln!(
                out,
                "  {} ({}, {}): {:.1} s -> {:.1} s (from {})",
                j.job_name,
                j.job_id,
                j.job_queue,
                j.recorded_wait_ms as f64 / 1000.0,
                j.simulated_wait_ms as f64 / 1000.0,
                basis_name(j.basis)
            );
        }
    }
    if let Some(f) = fit {
        let _ = writeln!(
            out,
            "fit: {} settings tried, mean absolute wait error minimised",
            f.tried
        );
        match &f.best {
            Some(b) => {
                let _ = writeln!(
                    out,
                    "  best: startupSeconds {}{}: mean wait error {:.1} s (as given: {:.1} s, {:.1} s {})",
                    b.startup_seconds,
                    b.instance_launch_seconds
                        .map_or_else(String::new, |l| format!(", instanceLaunchSeconds {l}")),
                    b.mean_wait_error_seconds,
                    f.given_error_seconds,
                    (f.given_error_seconds - b.mean_wait_error_seconds).abs(),
                    if b.mean_wait_error_seconds <= f.given_error_seconds {
                        "better"
                    } else {
                        "worse: the given settings are off the grid"
                    }
                );
                per_ce_text(&mut out, f);
                table(&mut out, &f.calibration);
            }
            None => {
                let _ = writeln!(out, "  every grid point was refused by the scenario; nothing tuned");
            }
        }
    }
    out
}

fn summary_json(s: &Summary) -> Value {
    let w = &s.waits;
    json!({
        "jobs": w.jobs,
        "wait": {
            "meanAbsSeconds": w.mean_seconds,
            "p50AbsSeconds": w.p50_seconds,
            "p95AbsSeconds": w.p95_seconds,
            "meanRelative": w.mean_relative,
            "p50Relative": w.p50_relative,
            "p95Relative": w.p95_relative,
            "biasSeconds": w.bias_seconds,
        },
        "startOrderSpearman": s.start_order,
        "vcpus": {
            "meanAbsDifference": s.vcpus.mean_abs_difference,
            "recordedMean": s.vcpus.recorded_mean,
            "relative": s.vcpus.relative,
        },
    })
}

fn calibration_json(c: &Calibration) -> Value {
    json!({
        "jobsCompared": c.jobs.len(),
        "waitFromRunnable": c.from_runnable,
        "waitFromCreatedAt": c.from_created,
        "notCompared": {
            "neverStarted": c.not_compared.never_started,
            "arrayParents": c.not_compared.array_parents,
            "notStartedInReplay": c.not_compared.not_started_in_replay,
        },
        "overall": summary_json(&c.overall),
        "queues": c.queues.iter().map(|q| {
            let mut v = json!({"jobQueue": q.job_queue});
            if let (Some(o), Value::Object(s)) = (v.as_object_mut(), summary_json(&q.summary)) {
                o.extend(s);
            }
            v
        }).collect::<Vec<_>>(),
        "jobs": c.jobs.iter().map(|j| json!({
            "jobId": j.job_id,
            "jobName": j.job_name,
            "jobQueue": j.job_queue,
            "waitFrom": basis_name(j.basis),
            "recordedWaitSeconds": j.recorded_wait_ms as f64 / 1000.0,
            "simulatedWaitSeconds": j.simulated_wait_ms as f64 / 1000.0,
            "recordedStartSeconds": j.recorded_start_ms as f64 / 1000.0,
            "simulatedStartSeconds": j.simulated_start_ms as f64 / 1000.0,
            "computeEnvironment": j.compute_environment,
            "recordedComputeEnvironment": j.recorded_compute_environment,
        })).collect::<Vec<_>>(),
    })
}

/// The per-compute-environment step of a fit: its error, then each environment's values.
fn per_ce_text(out: &mut String, f: &Fit) {
    let Some(error) = f.per_ce_error_seconds else { return };
    let _ = writeln!(
        out,
        "  per compute environment (fitted on its own with at least {} jobs): mean wait error {:.1} s",
        f.min_jobs_per_ce, error
    );
    let _ = writeln!(
        out,
        "    jobs counted on the compute environment the history records (task ARN's ECS cluster): {}; on the simulated one (not recorded): {}",
        f.per_ce_recorded, f.per_ce_fell_back
    );
    for c in &f.per_ce {
        let launch = c
            .instance_launch_seconds
            .map_or_else(String::new, |l| format!(", instanceLaunchSeconds {l}"));
        let how = if c.own { "" } else { " (shared: too few jobs)" };
        let _ = writeln!(
            out,
            "    {}: {} job{}, startupSeconds {}{launch}{how}",
            c.compute_environment,
            c.jobs,
            if c.jobs == 1 { "" } else { "s" },
            c.startup_seconds
        );
    }
}

/// The calibration as one JSON object (`scenario`, `history`, the counts, `overall`,
/// `queues`, `jobs`; `fit` when there is one). Times in seconds from the time origin.
pub fn json(replay: &Replay, c: &Calibration, fit: Option<&Fit>) -> Value {
    let mut v = json!({
        "scenario": replay.path.display().to_string(),
        "history": replay.history_files,
    });
    if let (Some(o), Value::Object(c)) = (v.as_object_mut(), calibration_json(c)) {
        o.extend(c);
    }
    if let Some(f) = fit {
        v["fit"] = json!({
            "minimised": "overall.wait.meanAbsSeconds",
            "tried": f.tried,
            "givenErrorSeconds": f.given_error_seconds,
            "best": f.best.as_ref().map(|b| json!({
                "startupSeconds": b.startup_seconds,
                "instanceLaunchSeconds": b.instance_launch_seconds,
                "meanWaitErrorSeconds": b.mean_wait_error_seconds,
            })),
            "perComputeEnvironment": f.per_ce.iter().map(|c| json!({
                "computeEnvironment": c.compute_environment,
                "jobs": c.jobs,
                "fittedOnItsOwn": c.own,
                "startupSeconds": c.startup_seconds,
                "instanceLaunchSeconds": c.instance_launch_seconds,
            })).collect::<Vec<_>>(),
            "minJobsPerComputeEnvironment": f.min_jobs_per_ce,
            "jobsCountedOnRecordedComputeEnvironment": f.per_ce_recorded,
            "jobsCountedOnSimulatedComputeEnvironment": f.per_ce_fell_back,
            "perComputeEnvironmentErrorSeconds": f.per_ce_error_seconds,
            "calibration": calibration_json(&f.calibration),
        });
    }
    v
}
