//! README's prose figures (issue 14 item 8: "every example output regenerated ... so it
//! cannot drift"): the example blocks are run by `tests/readme.rs`; the figures quoted in
//! README's tables and sentences from runs of bundled scenarios are recomputed here and
//! looked for, formatted as README writes them, in README's text. A change of the model
//! that moves a figure fails this test with the figure README should now show.
//!
//! Performance figures are not here (never assert timings); README says next to each how
//! it was measured.

mod common;

use batchsim::{JobRecord, Options, Report, Scenario, Simulation};
use common::scenario_path;
use serde_json::Value;

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README.md")
}

/// `text` must appear in README (collapsed whitespace, so a figure may wrap).
fn shown(readme: &str, text: &str) {
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat(readme).contains(&flat(text)),
        "README should show (the figures as the model computes them now):\n{text}"
    );
}

fn run_value(v: &Value, name: &str) -> (Report, Vec<JobRecord>) {
    let s = Scenario::from_value_at(v, scenario_path(name)).expect("a bundled scenario");
    let options = Options {
        record_jobs: true,
        ..Options::default()
    };
    Simulation::new(&s, options).expect("runs").run_with_records()
}

fn run_file(name: &str) -> (Report, Vec<JobRecord>) {
    let text = std::fs::read_to_string(scenario_path(name)).expect("a bundled scenario");
    run_value(&serde_json::from_str(&text).expect("JSON"), name)
}

/// The mean wait, seconds, of the job rows `pick` keeps.
fn mean_wait(records: &[JobRecord], pick: impl Fn(&JobRecord) -> bool) -> f64 {
    let waits: Vec<f64> = records
        .iter()
        .filter(|r| pick(r))
        .filter_map(|r| r.wait.map(|w| w.as_secs_f64()))
        .collect();
    waits.iter().sum::<f64>() / waits.len() as f64
}

/// "FIFO or fair share?": the table of team waits and run ends, and team B's used fraction.
#[test]
fn fifo_or_fair_share_figures() {
    let readme = readme();
    let (fifo, fifo_rows) = run_file("teams-fifo.json");
    let (fair, _) = run_file("teams-fair-share.json");
    // Under FIFO the per-team figures come from the job table (`jobName`, `waitSeconds`).
    let team = |rows: &[JobRecord], prefix: &str| mean_wait(rows, |r| r.job_name.starts_with(prefix));
    let share = |id: &str| fair.shares[id].wait_seconds.stats.mean.expect("waits");
    shown(
        &readme,
        &format!(
            "| FIFO | {:.0} s | {:.0} s | {:.2} h |",
            team(&fifo_rows, "teamA"),
            team(&fifo_rows, "teamB"),
            fifo.end_seconds / 3600.0
        ),
    );
    shown(
        &readme,
        &format!(
            "| fair share | {:.0} s | {:.0} s | {:.2} h |",
            share("teamA"),
            share("teamB"),
            fair.end_seconds / 3600.0
        ),
    );
    let b = &fair.queues["shared"].shares["teamB"];
    shown(&readme, &format!("team B used {:.1}% because", b.used_fraction * 100.0));
}

/// One row of the "Fargate, Fargate Spot, EC2 or EC2 Spot?" table.
fn compare_row(name: &str, report: &Report, rows: &[JobRecord]) -> String {
    let ce = report
        .compute_environments
        .values()
        .next()
        .expect("one compute environment");
    let w = &report.wait_seconds.stats;
    format!(
        "| `{name}` | {} | {} | {:.0} s | {:.0} s | {:.0}% | {} | {} | ${:.2} |",
        report.jobs.succeeded,
        report.jobs.failed,
        w.mean.expect("waits"),
        w.p95.expect("waits"),
        ce.utilization * 100.0,
        ce.interruptions,
        rows.iter().map(|r| u64::from(r.attempts)).sum::<u64>(),
        report.cost.total
    )
}

/// The scenario `name` with its jobs asking for `mib` of memory.
fn with_memory(name: &str, mib: &str) -> Value {
    let text = std::fs::read_to_string(scenario_path(name)).unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    for def in v["jobDefinitions"].as_array_mut().unwrap() {
        for r in def["containerProperties"]["resourceRequirements"]
            .as_array_mut()
            .unwrap()
        {
            if r["type"] == "MEMORY" {
                r["value"] = Value::from(mib);
            }
        }
    }
    v
}

/// "Fargate, Fargate Spot, EC2 or EC2 Spot?": the table and the figures of the prose below.
#[test]
fn fargate_or_ec2_figures() {
    let readme = readme();
    let mut runs = Vec::new();
    for name in [
        "compare-fargate.json",
        "compare-fargate-spot.json",
        "compare-ec2.json",
        "compare-ec2-spot.json",
    ] {
        let (report, rows) = run_file(name);
        shown(&readme, &compare_row(name, &report, &rows));
        runs.push((report, rows));
    }
    let (ec2, ec2_spot) = (&runs[2], &runs[3]);
    shown(
        &readme,
        &format!(
            "{} (On-Demand) and {} (Spot) jobs are still queued or running when the clock stops at {} hours",
            ec2.0.jobs.unfinished,
            ec2_spot.0.jobs.unfinished,
            ec2.0.end_seconds / 3600.0
        ),
    );
    // Reruns: attempts that reached RUNNING beyond each started job's first.
    let reruns = |rows: &[JobRecord]| {
        let started = rows.iter().filter(|r| r.attempts > 0).count() as u64;
        let attempts: u64 = rows.iter().map(|r| u64::from(r.attempts)).sum();
        (attempts - started, attempts, started)
    };
    let (fs_reruns, _, _) = reruns(&runs[1].1);
    let (es_reruns, es_attempts, es_started) = reruns(&ec2_spot.1);
    assert_eq!(fs_reruns, es_reruns, "README says the same number of reruns on each");
    shown(
        &readme,
        &format!("{es_reruns} reruns on each, {es_attempts} attempts for the {es_started} EC2 Spot jobs that started"),
    );
    // "in `compare-fargate-spot` one job lost all three of its attempts to reclaims".
    let lost: Vec<_> = runs[1]
        .1
        .iter()
        .filter(|r| r.status == batchsim::JobStatus::Failed)
        .collect();
    assert_eq!(lost.len(), 1, "{lost:?}");
    assert_eq!(runs[1].0.jobs.failed, 1);
    // The 3584 MiB variant: "711 succeeded, 22 s mean wait, 87% utilization and $27.70
    // (Spot: 27 s, 89%, $8.33)".
    let variant = |name: &str| {
        let (r, _) = run_value(&with_memory(name, "3584"), name);
        let ce = r.compute_environments.values().next().unwrap().utilization;
        (
            r.jobs.succeeded,
            r.wait_seconds.stats.mean.unwrap(),
            ce * 100.0,
            r.cost.total,
        )
    };
    let (ok, wait, util, cost) = variant("compare-ec2.json");
    let (_, s_wait, s_util, s_cost) = variant("compare-ec2-spot.json");
    shown(
        &readme,
        &format!(
            "gives back {ok} succeeded, {wait:.0} s mean wait, {util:.0}% utilization and ${cost:.2} \
             (Spot: {s_wait:.0} s, {s_util:.0}%, ${s_cost:.2})"
        ),
    );
    shown(&readme, &format!("(${cost:.2} against ${:.2})", runs[0].0.cost.total));
}

/// "Sweeps": the summary on stderr of the two queues of `priority-fargate-spot.json`, and
/// the capacity question of `capacity-planning.json`.
#[test]
fn sweep_figures() {
    let readme = readme();
    let out = common::batchsim(&[
        "sweep",
        &scenario_path("priority-fargate-spot.json"),
        "--seeds",
        "1..3",
        "--set",
        "computeEnvironments[fargate-spot].computeResources.maxvCpus=16,64",
        "--columns",
        "queues[critical].waitP95,queues[batch].waitP95",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    // The summary's cells: `maxvCpus=16  135.4 ± 72.5  15844.0 ± 908.0`.
    let cells = |label: &str| -> Vec<String> {
        let line = err
            .lines()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("no {label} line in:\n{err}"));
        line.split("  ")
            .map(str::trim)
            .filter(|c| c.contains('±'))
            .map(str::to_owned)
            .collect()
    };
    let (lo, hi) = (cells("maxvCpus=16 "), cells("maxvCpus=64 "));
    assert_eq!((lo.len(), hi.len()), (2, 2), "{err}");
    shown(
        &readme,
        &format!(
            "`maxvCpus=16`: critical p95 {} s, batch p95 {} s; `maxvCpus=64`: critical {} s, batch {} s",
            lo[0], lo[1], hi[0], hi[1]
        ),
    );
}

/// "The capacity question of `capacity-planning.json`": the prose rounds the p95 waits of
/// the summary in the checked example block above it (`tests/readme.rs` runs that block), so
/// the words are checked against that block's figures.
#[test]
fn capacity_planning_words_follow_the_checked_summary() {
    let readme = readme();
    let p95 = |label: &str| -> f64 {
        let line = readme
            .lines()
            .find(|l| l.trim_start().starts_with(label) && l.matches('±').count() == 3)
            .unwrap_or_else(|| panic!("no summary line {label}"));
        let cells: Vec<&str> = line.split("  ").map(str::trim).filter(|c| c.contains('±')).collect();
        cells[1].split(" ± ").next().unwrap().parse().unwrap()
    };
    let minutes = |label: &str| p95(label) / 60.0;
    shown(
        &readme,
        "cannot keep up (p95 wait about 40 minutes and jobs still queued at the end of the day), 64 \
         brings p95 to under 7 minutes, 72 to about a minute",
    );
    assert!(
        (35.0..45.0).contains(&minutes("maxvCpus=56 ")),
        "{}",
        minutes("maxvCpus=56 ")
    );
    assert!(minutes("maxvCpus=64 ") < 7.0, "{}", minutes("maxvCpus=64 "));
    assert!(
        (0.5..1.5).contains(&minutes("maxvCpus=72 ")),
        "{}",
        minutes("maxvCpus=72 ")
    );
    // "jobs still queued at the end of the day": the block's rows at 56 vCPUs.
    let unfinished: Vec<u64> = readme
        .lines()
        .filter_map(|l| l.strip_prefix(|c: char| c.is_ascii_digit()))
        .filter_map(|l| l.strip_prefix(",56,"))
        .map(|l| l.split(',').nth(2).unwrap().parse().unwrap())
        .collect();
    assert!(
        !unfinished.is_empty() && unfinished.iter().all(|&n| n > 0),
        "{unfinished:?}"
    );
}
