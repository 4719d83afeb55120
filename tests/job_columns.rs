//! `run --job-columns analysis` (issue 14 item 4: "dispatch time in the job row", exit code
//! and cost): the contract's columns unchanged, then `dispatchedAt`, `exitCode`, `cost` and
//! `turnaroundSeconds`, each checked against the row itself, the `--attempts` table and the
//! report of the same run.

mod common;

use batchsim::report::csv::{ANALYSIS_HEADER, HEADER};
use common::{batchsim, scenario_path, temp_dir};
use std::collections::BTreeMap;
use std::path::Path;

/// One CSV row by column name.
type Row = BTreeMap<String, String>;

fn table(path: &Path) -> (String, Vec<Row>) {
    let text = std::fs::read_to_string(path).expect("a table");
    let header = text.lines().next().unwrap_or_default().to_owned();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let names = r.headers().expect("header").clone();
    let rows = r
        .records()
        .map(|row| {
            let row = row.expect("a row");
            names
                .iter()
                .zip(row.iter())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect()
        })
        .collect();
    (header, rows)
}

/// Seconds in the tables' shortest exact form, as integer milliseconds (`None` for empty).
fn ms(v: &str) -> Option<i64> {
    (!v.is_empty()).then(|| {
        let s: f64 = v.parse().unwrap_or_else(|_| panic!("seconds: {v:?}"));
        (s * 1000.0).round() as i64
    })
}

fn dollars(v: &str) -> f64 {
    v.parse().unwrap_or_else(|_| panic!("dollars: {v:?}"))
}

fn ok(args: &[&str]) -> std::process::Output {
    let o = batchsim(args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// The Spot scenario with reclaims and retries: its analysis job table, attempt table,
/// contract job table and JSON report.
fn spot_run(tag: &str) -> (String, Vec<Row>, Vec<Row>, String, serde_json::Value) {
    let dir = temp_dir(tag);
    let (jobs, attempts, contract) = (dir.join("jobs.csv"), dir.join("attempts.csv"), dir.join("contract.csv"));
    let scenario = scenario_path("compare-ec2-spot.json");
    let o = ok(&[
        "run",
        &scenario,
        "--format",
        "json",
        "--jobs",
        jobs.to_str().unwrap(),
        "--job-columns",
        "analysis",
        "--attempts",
        attempts.to_str().unwrap(),
    ]);
    let report = serde_json::from_slice(&o.stdout).expect("JSON report");
    ok(&["run", &scenario, "--jobs", contract.to_str().unwrap()]);
    let (header, job_rows) = table(&jobs);
    let (_, attempt_rows) = table(&attempts);
    let analysis_text = std::fs::read_to_string(&jobs).unwrap();
    let contract_text = std::fs::read_to_string(&contract).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    // The contract's table is untouched: the default header exactly, and each analysis row
    // is the contract row with four cells after it.
    assert!(contract_text.starts_with(&format!("{HEADER}\n")));
    let contract_lines: Vec<&str> = contract_text.lines().collect();
    let analysis_lines: Vec<&str> = analysis_text.lines().collect();
    assert_eq!(contract_lines.len(), analysis_lines.len());
    for (c, a) in contract_lines.iter().zip(&analysis_lines).skip(1) {
        let extra = a.strip_prefix(c).unwrap_or_else(|| panic!("{a} does not extend {c}"));
        assert_eq!(extra.matches(',').count(), 4, "{a}");
    }
    (header, job_rows, attempt_rows, contract_text, report)
}

#[test]
fn analysis_rows_agree_with_themselves_the_attempts_and_the_report() {
    let (header, jobs, attempts, _, report) = spot_run("job-columns-spot");
    assert_eq!(header, ANALYSIS_HEADER);
    assert!(jobs.len() > 100, "a table worth checking: {} rows", jobs.len());
    let mut by_job: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
    for a in &attempts {
        by_job.entry(a["jobId"].as_str()).or_default().push(a);
    }
    assert!(
        by_job.values().any(|a| a.len() > 1),
        "the scenario retries reclaimed jobs"
    );
    let mut job_dollars = 0.0;
    for j in &jobs {
        let mine = by_job.get(j["jobId"].as_str()).cloned().unwrap_or_default();
        // CONTRACT 4: the wait is "first dispatch minus the time the job became RUNNABLE";
        // with `dispatchedAt` it is recomputed from the row alone.
        match (ms(&j["dispatchedAt"]), ms(&j["runnableAt"])) {
            (Some(d), Some(r)) => assert_eq!(ms(&j["waitSeconds"]), Some(d - r), "{j:?}"),
            _ => assert_eq!(j["waitSeconds"], "", "{j:?}"),
        }
        // The first dispatch is the first attempt row's.
        assert_eq!(
            ms(&j["dispatchedAt"]),
            mine.first().and_then(|a| ms(&a["dispatchedAt"])),
            "{j:?}"
        );
        // The job's cost is its attempts' costs summed in the order they ended: exactly.
        let summed = mine.iter().fold(0.0, |s, a| s + dollars(&a["cost"]));
        assert_eq!(dollars(&j["cost"]), summed, "{j:?}");
        job_dollars += dollars(&j["cost"]);
        // AWS (AttemptContainerDetail.exitCode): "The exit code for the job attempt. A
        // non-zero exit code is considered failed." The row's is the last attempt's.
        assert_eq!(
            j["exitCode"],
            mine.last().map_or("", |a| a["exitCode"].as_str()),
            "{j:?}"
        );
        if j["status"] == "SUCCEEDED" {
            assert_eq!(j["exitCode"], "0", "{j:?}");
        }
        // Turnaround: terminal time minus submission (CONTRACT 4), empty while not terminal.
        match ms(&j["stoppedAt"]) {
            Some(stop) => assert_eq!(
                ms(&j["turnaroundSeconds"]),
                Some(stop - ms(&j["submittedAt"]).unwrap()),
                "{j:?}"
            ),
            None => assert_eq!(j["turnaroundSeconds"], "", "{j:?}"),
        }
    }
    let reclaimed_last = jobs
        .iter()
        .filter(|j| j["status"] == "FAILED" && j["exitCode"].is_empty())
        .count();
    let exited = jobs.iter().filter(|j| !j["exitCode"].is_empty()).count();
    assert!(exited > 0 && exited + reclaimed_last <= jobs.len());
    // Every dollar is a job's or idle (CostReport): to the cent.
    let total = report["cost"]["total"].as_f64().unwrap();
    let idle = report["cost"]["idle"].as_f64().unwrap();
    assert!(total > 0.0 && idle > 0.0, "EC2 Spot has idle instance time");
    assert_eq!(
        ((job_dollars + idle) * 100.0).round(),
        (total * 100.0).round(),
        "{job_dollars} + {idle} != {total}"
    );
    assert!((job_dollars + idle - total).abs() < 1e-6);
    // Each queue's cost is its jobs' costs.
    for (queue, q) in report["queues"].as_object().unwrap() {
        let mine: f64 = jobs
            .iter()
            .filter(|j| &j["jobQueue"] == queue)
            .map(|j| dollars(&j["cost"]))
            .sum();
        assert!((mine - q["cost"].as_f64().unwrap()).abs() < 1e-6, "{queue}");
    }
}

#[test]
fn jobs_still_live_at_the_end_carry_their_cost_so_far_and_no_exit_code() {
    // Through the library, stopped at 100 s: the jobs still RUNNING have been billed to the
    // end of the run, and have no exit code yet.
    let s = batchsim::Scenario::from_file(scenario_path("quickstart.json")).unwrap();
    let options = batchsim::Options {
        until: Some(batchsim::SimTime::from_millis(100_000)),
        record_jobs: true,
        ..Default::default()
    };
    let (report, records) = batchsim::Simulation::new(&s, options).unwrap().run_with_records();
    let live: Vec<_> = records
        .iter()
        .filter(|r| r.stopped_at.is_none() && r.dispatched_at.is_some())
        .collect();
    assert!(!live.is_empty(), "quickstart has jobs running at 100 s");
    assert!(live.iter().all(|r| r.cost > 0.0 && r.exit_code.is_none()), "{live:?}");
    let billed: f64 = records.iter().map(|r| r.cost).sum();
    assert!((billed + report.cost.idle - report.cost.total).abs() < 1e-9);
    assert!(records
        .iter()
        .filter(|r| r.dispatched_at.is_none())
        .all(|r| r.cost == 0.0 && r.wait.is_none()));
}

#[test]
fn analysis_columns_go_to_stdout_too_and_need_a_table() {
    let quickstart = scenario_path("quickstart.json");
    let o = ok(&["run", &quickstart, "--jobs", "-", "--job-columns", "analysis"]);
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.starts_with(&format!("{ANALYSIS_HEADER}\n")), "{out}");
    let o = ok(&["run", &quickstart, "--jobs", "-"]);
    assert!(String::from_utf8(o.stdout).unwrap().starts_with(&format!("{HEADER}\n")));
    // Without --jobs there is no table to add columns to.
    let o = batchsim(&["run", &quickstart, "--job-columns", "analysis"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--jobs"));
    // describe-jobs JSON has AWS's fields: refused rather than written without the columns.
    let dir = temp_dir("job-columns-json");
    let json = dir.join("jobs.json");
    let o = batchsim(&[
        "run",
        &quickstart,
        "--jobs",
        json.to_str().unwrap(),
        "--job-columns",
        "analysis",
    ]);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("jobs.json") && err.contains("--job-columns analysis"),
        "{err}"
    );
    assert!(!json.exists(), "no file is left behind");
    let o = batchsim(&["run", &quickstart, "--jobs", "-", "--job-columns", "everything"]);
    assert_eq!(o.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}
