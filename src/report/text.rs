//! The readable summary `batchsim run` prints by default.

use super::{Report, Stats, WaitStats};
use std::fmt::Write;

/// A duration in seconds as `12.0s`, `3.5m`, `1.25h` or `2.00d`.
pub(crate) fn secs(s: f64) -> String {
    secs_in(s, ["d", "h", "m", "s"])
}

/// A duration in seconds in the largest unit it reaches (days and hours to 2 decimals,
/// minutes and seconds to 1), followed by `units`' text for days, hours, minutes and seconds
/// (the text summary writes `3.5m`, the HTML page `3.5 min`).
pub(crate) fn secs_in(s: f64, units: [&str; 4]) -> String {
    let [day, hour, minute, second] = units;
    if s >= 86_400.0 {
        format!("{:.2}{day}", s / 86_400.0)
    } else if s >= 3_600.0 {
        format!("{:.2}{hour}", s / 3_600.0)
    } else if s >= 60.0 {
        format!("{:.1}{minute}", s / 60.0)
    } else {
        format!("{s:.1}{second}")
    }
}

/// A figure of a [`Stats`]: `-` when there is none (no sample).
fn figure(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), secs)
}

pub(crate) fn stats_line(s: &Stats) -> String {
    format!(
        "mean {}  p50 {}  p90 {}  p95 {}  p99 {}  max {}  (n={})",
        figure(s.mean),
        figure(s.p50),
        figure(s.p90),
        figure(s.p95),
        figure(s.p99),
        figure(s.max),
        s.count
    )
}

/// A wait block: the waits of dispatched jobs, then the jobs never dispatched and how long
/// the oldest of them had waited at the end.
fn wait_line(w: &WaitStats) -> String {
    let mut line = stats_line(&w.stats);
    let _ = write!(line, "  never started {}", w.never_started);
    if let Some(oldest) = w.oldest_wait_seconds {
        let _ = write!(line, " (oldest waiting {})", secs(oldest));
    }
    line
}

/// Renders the summary.
pub fn render(r: &Report) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "scenario {} (seed {}): stopped at {} ({} s), {} events",
        r.scenario,
        r.seed,
        secs(r.end_seconds),
        r.end_seconds,
        r.events
    );
    let j = &r.jobs;
    let _ = writeln!(
        o,
        "jobs: {} submitted, {} succeeded, {} failed, {} cancelled, {} unfinished ({} queued, {} running)",
        j.submitted, j.succeeded, j.failed, j.cancelled, j.unfinished, j.queued, j.running
    );
    let _ = writeln!(o, "wait:       {}", wait_line(&r.wait_seconds));
    let _ = writeln!(o, "turnaround: {}", stats_line(&r.turnaround_seconds));
    let _ = writeln!(o, "\njob queues:");
    for (name, q) in &r.queues {
        let _ = writeln!(
            o,
            "  {name}: {} submitted, {} succeeded, {} failed, {} cancelled, {} unfinished ({} queued, {} running), cost ${:.2}\n    wait {}",
            q.submitted,
            q.succeeded,
            q.failed,
            q.cancelled,
            q.unfinished,
            q.queued,
            q.running,
            q.cost,
            wait_line(&q.wait_seconds)
        );
        if !q.shares.is_empty() {
            let _ = writeln!(
                o,
                "    shares (fair share): vCPU fraction used vs target from this queue's weights"
            );
        }
        for (share, s) in &q.shares {
            let _ = writeln!(
                o,
                "      {share}: used {:5.1}%  target {:5.1}% (weight {})  {} submitted, {} succeeded, {:.0} vCPU-s, cost ${:.2}\n        wait {}",
                s.used_fraction * 100.0,
                s.target_fraction * 100.0,
                s.weight_factor,
                s.submitted,
                s.succeeded,
                s.vcpu_seconds,
                s.cost,
                wait_line(&s.wait_seconds)
            );
        }
    }
    let _ = writeln!(o, "\ncompute environments:");
    for (name, c) in &r.compute_environments {
        let _ = writeln!(
            o,
            "  {name}: {} attempts, maxvCpus {}, {:.0} vCPU-s used of {:.0} provisioned (utilization {:.1}%, of max {:.1}%), {} interruptions, cost ${:.2}",
            c.jobs_started,
            c.max_vcpus,
            c.vcpu_seconds_used,
            c.vcpu_seconds_provisioned,
            c.utilization * 100.0,
            c.utilization_of_max * 100.0,
            c.interruptions,
            c.cost
        );
        if c.idle_cost > 0.0 {
            let _ = writeln!(o, "    of which idle (not attributed to a job) ${:.2}", c.idle_cost);
        }
    }
    super::consumable::render(&mut o, &r.consumable_resources);
    let _ = writeln!(o, "\ncost: ${:.2}", r.cost.total);
    if !r.warnings.is_empty() {
        let _ = writeln!(o, "\nwarnings:");
        for w in &r.warnings {
            let _ = writeln!(o, "  {w}");
        }
    }
    o
}
