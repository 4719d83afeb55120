//! `compare`'s output: the JSON object per platform and the text table.

use super::{Platform, PlatformRun, Response};
use crate::report::{Stats, WaitStats};
use serde_json::{json, Map, Value};

/// `--format json`: one object per platform under its name.
pub fn to_json(runs: &[PlatformRun]) -> String {
    let mut out = Map::new();
    for run in runs {
        let r = &run.report;
        let mut o = Map::new();
        o.insert("cost".into(), json!(r.cost.total));
        o.insert("waitSeconds".into(), json!(r.wait_seconds));
        o.insert("turnaroundSeconds".into(), json!(r.turnaround_seconds));
        o.insert(
            "impossible".into(),
            json!({"count": run.impossible.jobs.len(), "jobs": run.impossible.jobs, "reason": run.impossible.reason}),
        );
        o.insert(
            "dependencyFailed".into(),
            json!({"count": run.dependency_failed.jobs.len(), "jobs": run.dependency_failed.jobs}),
        );
        o.insert("setUp".into(), json!(run.set_up));
        if let Some(resp) = &run.response {
            o.insert("response".into(), response_json(resp));
        }
        o.insert("jobs".into(), json!(r.jobs));
        o.insert("endSeconds".into(), json!(r.end_seconds));
        if run.platform == Platform::Lambda {
            o.insert("coldStarts".into(), json!(run.cold_starts));
        }
        out.insert(run.platform.name().into(), Value::Object(o));
    }
    serde_json::to_string_pretty(&Value::Object(out)).unwrap_or_default()
}

fn response_json(r: &Response) -> Value {
    json!({
        "targetSeconds": r.target.within.as_secs_f64(),
        "requiredShare": r.target.share,
        "jobs": r.jobs,
        "startedWithin": r.started,
        "startedShare": r.started_share(),
        "endedWithin": r.ended,
        "endedShare": r.ended_share(),
        "maxStartSeconds": r.max_start_seconds,
        "meets": r.meets(),
    })
}

fn percent(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn secs(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_owned(), crate::report::text::secs)
}

/// The text table: one line per platform, then what each cannot run.
pub fn to_text(scenario: &str, seed: u64, runs: &[PlatformRun]) -> String {
    let mut s = format!("compare {scenario} (seed {seed}): the workload on each platform\n\n");
    s.push_str(&format!(
        "{:<9} {:>12} {:>10} {:>10} {:>12} {:>12} {:>10}\n",
        "platform", "cost", "wait mean", "wait p95", "turn. mean", "turn. p95", "cannot run"
    ));
    for run in runs {
        let r = &run.report;
        let (w, t): (&WaitStats, &Stats) = (&r.wait_seconds, &r.turnaround_seconds);
        s.push_str(&format!(
            "{:<9} {:>12} {:>10} {:>10} {:>12} {:>12} {:>10}\n",
            run.platform.name(),
            format!("${:.2}", r.cost.total),
            secs(w.stats.mean),
            secs(w.stats.p95),
            secs(t.mean),
            secs(t.p95),
            run.impossible.jobs.len()
        ));
    }
    for run in runs.iter().filter(|r| !r.impossible.jobs.is_empty()) {
        let mut names: Vec<&str> = Vec::new();
        for n in &run.impossible.jobs {
            if !names.contains(&n.as_str()) {
                names.push(n);
            }
        }
        s.push_str(&format!(
            "\n{}: {} job(s) cannot run ({}): {}",
            run.platform.name(),
            run.impossible.jobs.len(),
            names.join(", "),
            run.impossible.reason
        ));
    }
    for run in runs.iter().filter(|r| !r.dependency_failed.jobs.is_empty()) {
        s.push_str(&format!(
            "\n{}: {} job(s) failed because a job they depend on cannot run there",
            run.platform.name(),
            run.dependency_failed.jobs.len()
        ));
    }
    if let Some(l) = runs.iter().find(|r| r.platform == Platform::Lambda) {
        s.push_str(&format!("\nlambda: {} cold start(s)", l.cold_starts));
    }
    s.push('\n');
    if let Some(t) = runs.iter().find_map(|r| r.response.as_ref()).map(|r| r.target) {
        s.push_str(&format!(
            "\nresponse: start within {} of submission for {} of the jobs\n",
            crate::report::text::secs(t.within.as_secs_f64()),
            percent(t.share)
        ));
        s.push_str(&format!(
            "{:<9} {:>12} {:>12} {:>11} {:>6}\n",
            "platform", "started in", "done in", "max start", "meets"
        ));
        for run in runs {
            let Some(r) = &run.response else { continue };
            s.push_str(&format!(
                "{:<9} {:>12} {:>12} {:>11} {:>6}\n",
                run.platform.name(),
                percent(r.started_share()),
                percent(r.ended_share()),
                secs(r.max_start_seconds),
                if r.meets() { "yes" } else { "no" }
            ));
        }
        let meet: Vec<&str> = runs
            .iter()
            .filter(|r| r.response.as_ref().is_some_and(Response::meets))
            .map(|r| r.platform.name())
            .collect();
        s.push_str(&if meet.is_empty() {
            "no platform meets the target\n".to_owned()
        } else {
            format!("meets the target: {}\n", meet.join(", "))
        });
    }
    let notes: Vec<&PlatformRun> = runs.iter().filter(|r| !r.set_up.is_empty()).collect();
    if !notes.is_empty() {
        s.push_str("\nset-up:\n");
        for run in notes {
            for n in &run.set_up {
                s.push_str(&format!("{}: {n}\n", run.platform.name()));
            }
        }
    }
    s
}
