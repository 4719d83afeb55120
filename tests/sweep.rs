//! `batchsim sweep`: combinations and row order, capacity against wait, determinism across
//! thread counts, and bad flags.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

const MAXVCPUS: &str = "computeEnvironments[0].computeResources.maxvCpus";

/// A Fargate compute environment under about 5 vCPUs of Poisson demand (60 one-vCPU jobs an
/// hour, 5 minutes each on average): more capacity, shorter waits.
const SCENARIO: &str = r#"{
  "name": "sweep-test",
  "computeEnvironments": [{"computeEnvironmentName": "fargate", "type": "MANAGED",
    "computeResources": {"type": "FARGATE", "maxvCpus": 8},
    "simulation": {"startupSeconds": 0}}],
  "jobQueues": [{"jobQueueName": "q", "priority": 1,
    "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "fargate"}]}],
  "jobDefinitions": [{"jobDefinitionName": "d", "type": "container", "platformCapabilities": ["FARGATE"],
    "containerProperties": {"resourceRequirements": [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "2048"}]}}],
  "workload": [{"arrivals": {"process": "poisson", "ratePerHour": 60}, "count": 400,
    "submitJob": {"jobName": "w", "jobQueue": "q", "jobDefinition": "d"},
    "runtime": {"distribution": "exponential", "meanSeconds": 300}}]
}"#;

fn temp_dir(tag: &str) -> PathBuf {
    common::temp_dir(&format!("sweep-{tag}"))
}

fn scenario_file(dir: &Path) -> String {
    let p = dir.join("sweep-test.json");
    std::fs::write(&p, SCENARIO).unwrap();
    p.display().to_string()
}

fn batchsim(args: &[&str], threads: Option<&str>) -> Output {
    common::batchsim_threads(args, threads)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn more_capacity_lowers_p95_wait_and_rows_come_in_order() {
    let dir = temp_dir("order");
    let s = scenario_file(&dir);
    let set = format!("{MAXVCPUS}=5,6,10");
    let o = batchsim(&["sweep", &s, "--seeds", "1..3", "--set", &set], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout.clone()).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        format!("seed,{MAXVCPUS},succeeded,failed,unfinished,waitMean,waitP50,waitP95,waitP99,utilization,cost")
    );
    let rows: Vec<Vec<String>> = lines.map(|l| l.split(',').map(str::to_owned).collect()).collect();
    assert_eq!(rows.len(), 9);
    let order: Vec<(&str, &str)> = rows.iter().map(|r| (r[0].as_str(), r[1].as_str())).collect();
    assert_eq!(
        order,
        [
            ("1", "5"),
            ("1", "6"),
            ("1", "10"),
            ("2", "5"),
            ("2", "6"),
            ("2", "10"),
            ("3", "5"),
            ("3", "6"),
            ("3", "10")
        ]
    );
    for r in &rows {
        assert_eq!(r.len(), 11);
        assert_eq!(r[2], "400", "every job succeeds (the workload ends): {r:?}");
        assert_eq!(r[9], "1", "Fargate provisions exactly what it uses");
        assert!(r[10].parse::<f64>().unwrap() > 0.0);
    }
    // Mean over seeds of p95 wait, per capacity: strictly falling as capacity rises.
    let p95 = |v: &str| {
        let xs: Vec<f64> = rows
            .iter()
            .filter(|r| r[1] == v)
            .map(|r| r[7].parse().unwrap())
            .collect();
        xs.iter().sum::<f64>() / xs.len() as f64
    };
    let (a, b, c) = (p95("5"), p95("6"), p95("10"));
    assert!(a > b && b > c, "p95 wait must fall with capacity: {a} {b} {c}");
    // Different seeds give different runs.
    assert_ne!(rows[0][5], rows[3][5]);
    // The summary is on stderr only, with a confidence interval per combination.
    let err = stderr(&o);
    assert!(err.contains("9 runs (3 seeds x 3 combinations)"), "{err}");
    assert!(
        err.contains("95% confidence interval") && err.contains("Student t, 2 df"),
        "{err}"
    );
    assert!(err.contains(&format!("maxvCpus = {MAXVCPUS}")), "{err}");
    assert!(err.contains("maxvCpus=10 "), "{err}");
    assert!(err.contains(" ± "), "{err}");
    assert!(!text.contains('±'));
}

#[test]
fn output_is_byte_identical_for_any_thread_count() {
    let dir = temp_dir("threads");
    let s = scenario_file(&dir);
    let set = format!("{MAXVCPUS}=5,7");
    let share = "workload[0].runtime.meanSeconds=200,300";
    let one = dir.join("one.csv").display().to_string();
    let two = dir.join("two.csv").display().to_string();
    let a = batchsim(
        &[
            "sweep", &s, "--seeds", "4..7", "--set", &set, "--set", share, "--out", &one,
        ],
        Some("1"),
    );
    let b = batchsim(
        &[
            "sweep", &s, "--seeds", "4..7", "--set", &set, "--set", share, "--out", &two,
        ],
        Some("2"),
    );
    assert!(a.status.success() && b.status.success(), "{}{}", stderr(&a), stderr(&b));
    assert!(a.stdout.is_empty(), "--out takes the CSV off stdout");
    assert!(stderr(&a).contains("on 1 thread"), "{}", stderr(&a));
    assert!(stderr(&b).contains("on 2 threads"), "{}", stderr(&b));
    let (x, y) = (std::fs::read(&one).unwrap(), std::fs::read(&two).unwrap());
    assert_eq!(x, y);
    let text = String::from_utf8(x).unwrap();
    assert_eq!(text.lines().count(), 1 + 4 * 2 * 2);
    assert!(text.starts_with(&format!("seed,{MAXVCPUS},workload[0].runtime.meanSeconds,succeeded,")));
    assert!(text.lines().nth(1).unwrap().starts_with("4,5,200,"));
    assert!(text.lines().nth(2).unwrap().starts_with("4,5,300,"));
    assert!(text.lines().nth(3).unwrap().starts_with("4,7,200,"));
    // The same as stdout.
    let c = batchsim(
        &["sweep", &s, "--seeds", "4..7", "--set", &set, "--set", share],
        Some("2"),
    );
    assert_eq!(c.stdout, text.as_bytes());
}

#[test]
fn sweep_rows_match_single_runs() {
    let dir = temp_dir("single");
    let s = scenario_file(&dir);
    let o = batchsim(&["sweep", &s, "--seeds", "9", "--until", "3600"], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    let row: Vec<&str> = text.lines().nth(1).unwrap().split(',').collect();
    let r = batchsim(&["run", &s, "--seed", "9", "--until", "3600", "--format", "json"], None);
    let report: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert_eq!(row[0], "9");
    assert_eq!(row[1], report["jobs"]["succeeded"].to_string());
    assert_eq!(row[3], report["jobs"]["unfinished"].to_string());
    let close = |cell: &str, v: &serde_json::Value| (cell.parse::<f64>().unwrap() - v.as_f64().unwrap()).abs() < 1e-5;
    assert!(close(row[4], &report["waitSeconds"]["mean"]));
    assert!(close(row[6], &report["waitSeconds"]["p95"]));
    assert!(close(row[9], &report["cost"]["total"]));
}

fn expect_bad(args: &[&str], needles: &[&str]) {
    let o = batchsim(args, None);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "exit code for {args:?}; stderr: {err}");
    assert!(o.stdout.is_empty(), "no CSV on bad input");
    assert!(!err.contains("panicked"), "{err}");
    for n in needles {
        assert!(err.contains(n), "stderr lacks {n:?}:\n{err}");
    }
}

#[test]
fn bad_flags_exit_2_naming_the_flag() {
    let dir = temp_dir("bad");
    let s = scenario_file(&dir);
    expect_bad(
        &[
            "sweep",
            &s,
            "--seeds",
            "1..2",
            "--set",
            "computeEnvironments[3].computeResources.maxvCpus=4",
        ],
        &[
            "--set computeEnvironments[3].computeResources.maxvCpus",
            "`computeEnvironments` has 1 element",
        ],
    );
    expect_bad(
        &[
            "sweep",
            &s,
            "--seeds",
            "1..2",
            "--set",
            "computeEnvironments[0].computeResource.maxvCpus=4",
        ],
        &["--set", "did you mean `computeResources`?"],
    );
    // A misspelt last name reaches the scenario's own validation.
    expect_bad(
        &[
            "sweep",
            &s,
            "--seeds",
            "1..2",
            "--set",
            "computeEnvironments[0].computeResources.maxVcpus=4",
        ],
        &[
            "--set computeEnvironments[0].computeResources.maxVcpus=4",
            "did you mean `maxvCpus`?",
        ],
    );
    // A value the scenario refuses names the combination.
    expect_bad(
        &["sweep", &s, "--seeds", "1", "--set", &format!("{MAXVCPUS}=4,lots")],
        &[&format!("--set {MAXVCPUS}=lots"), "maxvCpus"],
    );
    expect_bad(
        &["sweep", &s, "--seeds", "3..1"],
        &["--seeds", "smaller than the first"],
    );
    expect_bad(&["sweep", &s, "--seeds", "x"], &["--seeds", "`x` is not a seed"]);
    // Ranges that overflow a count or ask for too many runs.
    expect_bad(
        &["sweep", &s, "--seeds", "0..18446744073709551615"],
        &[
            "--seeds",
            "`0..18446744073709551615`: 18446744073709551616 seeds; a sweep runs at most 1000000 runs",
        ],
    );
    expect_bad(
        &["sweep", &s, "--seeds", "1..1000001"],
        &["1000001 seeds; a sweep runs at most 1000000"],
    );
    expect_bad(&["sweep", &s, "--seeds", "..4"], &["lacks its first seed"]);
    expect_bad(
        &["sweep", &s, "--seeds", "1..600000", "--set", &format!("{MAXVCPUS}=4,8")],
        &["asks for 1200000 runs; the most is 1000000"],
    );
    expect_bad(&["sweep", &s], &["--seeds"]);
    expect_bad(
        &["sweep", &s, "--seeds", "1", "--set", "maxvCpus"],
        &["--set", "PATH=V1,V2"],
    );
    expect_bad(
        &["sweep", &dir.join("nope.json").display().to_string(), "--seeds", "1"],
        &["nope.json", "cannot read"],
    );
}
