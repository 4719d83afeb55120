//! The readable summary `batchsim run` prints by default.

use super::{Report, Stats, WaitStats};
use crate::model::SchedulingPolicy;
use std::fmt::Write;

fn secs(s: f64) -> String {
    if s >= 86_400.0 {
        format!("{:.2}d", s / 86_400.0)
    } else if s >= 3_600.0 {
        format!("{:.2}h", s / 3_600.0)
    } else if s >= 60.0 {
        format!("{:.1}m", s / 60.0)
    } else {
        format!("{s:.1}s")
    }
}

/// A figure of a [`Stats`]: `-` when there is none (no sample).
fn figure(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), secs)
}

fn stats_line(s: &Stats) -> String {
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

/// Renders the summary. `targets` gives, per share identifier, the fraction of capacity its
/// weight entitles it to (for the fairness table); empty when no queue uses fair share.
pub fn render(r: &Report, targets: &[(String, f64)]) -> String {
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
            "  {name}: {} submitted, {} succeeded, {} failed, {} cancelled, {} unfinished ({} queued, {} running)\n    wait {}",
            q.submitted,
            q.succeeded,
            q.failed,
            q.cancelled,
            q.unfinished,
            q.queued,
            q.running,
            wait_line(&q.wait_seconds)
        );
    }
    if !r.shares.is_empty() {
        let total: f64 = r.shares.values().map(|s| s.vcpu_seconds).sum();
        let _ = writeln!(
            o,
            "\nshares (fair share): vCPU fraction used vs target from the weights"
        );
        for (name, s) in &r.shares {
            let used = if total > 0.0 { s.vcpu_seconds / total } else { 0.0 };
            let target = targets
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, t)| format!("{:5.1}%", t * 100.0))
                .unwrap_or_else(|| "    -".into());
            let _ = writeln!(
                o,
                "  {name}: used {:5.1}%  target {target}  {} submitted, {} succeeded, {:.0} vCPU-s\n    wait {}",
                used * 100.0,
                s.submitted,
                s.succeeded,
                s.vcpu_seconds,
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
    }
    let _ = writeln!(o, "\ncost: ${:.2}", r.cost.total);
    if !r.warnings.is_empty() {
        let _ = writeln!(o, "\nwarnings:");
        for w in &r.warnings {
            let _ = writeln!(o, "  {w}");
        }
    }
    o
}

/// Each share's target fraction of capacity from its weight: `(1/w) / sum(1/w)` over the
/// shares of the report, with each share's weight taken from `policy` (the command line
/// passes the scheduling policy of the first fair-share queue,
/// [`crate::Scenario::first_fair_share_policy`]); none without a policy.
pub fn fair_share_targets(policy: Option<&SchedulingPolicy>, report: &Report) -> Vec<(String, f64)> {
    let Some(policy) = policy else { return Vec::new() };
    let inv: Vec<(String, f64)> = report
        .shares
        .keys()
        .map(|s| (s.clone(), 1.0 / policy.weight_of(s)))
        .collect();
    let total: f64 = inv.iter().map(|(_, v)| v).sum();
    inv.into_iter()
        .map(|(s, v)| (s, if total > 0.0 { v / total } else { 0.0 }))
        .collect()
}
