//! The command line: determinism, exit codes and error messages for bad input.

mod common;

use common::{batchsim, scenario_path, temp_dir};

use std::path::Path;
use std::process::Output;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn same_file_and_seed_give_identical_bytes_and_seed_changes_them() {
    let dir = temp_dir("cli-det");
    let s = scenario_path("quickstart.json");
    let (a_csv, b_csv, c_csv) = (
        dir.join("a.csv").display().to_string(),
        dir.join("b.csv").display().to_string(),
        dir.join("c.csv").display().to_string(),
    );
    let a = batchsim(&["run", &s, "--format", "json", "--jobs", &a_csv]);
    let b = batchsim(&["run", &s, "--format", "json", "--jobs", &b_csv]);
    assert!(a.status.success(), "{}", stderr(&a));
    assert_eq!(a.stdout, b.stdout);
    assert_eq!(std::fs::read(&a_csv).unwrap(), std::fs::read(&b_csv).unwrap());
    let c = batchsim(&["run", &s, "--format", "json", "--seed", "99", "--jobs", &c_csv]);
    assert_ne!(a.stdout, c.stdout, "--seed must change the random runtimes");
    assert_ne!(std::fs::read(&a_csv).unwrap(), std::fs::read(&c_csv).unwrap());
    let report: serde_json::Value = serde_json::from_slice(&c.stdout).unwrap();
    assert_eq!(report["seed"], 99);
    // The text summary is deterministic too.
    let t1 = batchsim(&["run", &s]);
    let t2 = batchsim(&["run", &s]);
    assert_eq!(t1.stdout, t2.stdout);
    assert!(String::from_utf8_lossy(&t1.stdout).contains("jobs: 20 submitted, 20 succeeded"));
}

#[test]
fn json_report_has_the_contract_keys_and_csv_the_contract_header() {
    let dir = temp_dir("cli-keys");
    let csv = dir.join("jobs.csv").display().to_string();
    let o = batchsim(&[
        "run",
        &scenario_path("quickstart.json"),
        "--format",
        "json",
        "--jobs",
        &csv,
    ]);
    assert!(o.status.success());
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).expect("stdout is exactly the JSON report");
    for key in [
        "scenario",
        "seed",
        "endSeconds",
        "events",
        "jobs",
        "waitSeconds",
        "turnaroundSeconds",
        "queues",
        "shares",
        "computeEnvironments",
        "cost",
        "warnings",
    ] {
        assert!(r.get(key).is_some(), "missing {key}");
    }
    for key in ["count", "mean", "p50", "p90", "p95", "p99", "max"] {
        assert!(r["waitSeconds"].get(key).is_some(), "Stats misses {key}");
    }
    let ce = &r["computeEnvironments"]["fargate"];
    for key in [
        "jobsStarted",
        "maxvCpus",
        "vcpuSecondsUsed",
        "vcpuSecondsProvisioned",
        "utilization",
        "utilizationOfMax",
        "interruptions",
        "cost",
    ] {
        assert!(ce.get(key).is_some(), "CE misses {key}");
    }
    let q = &r["queues"]["default"];
    for key in [
        "submitted",
        "succeeded",
        "failed",
        "cancelled",
        "unfinished",
        "waitSeconds",
    ] {
        assert!(q.get(key).is_some(), "queue misses {key}");
    }
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "jobId,jobName,arrayIndex,jobQueue,shareIdentifier,jobDefinition,computeEnvironment,status,statusReason,attempts,vcpus,memoryMiB,submittedAt,runnableAt,startedAt,stoppedAt,waitSeconds"
    );
    let first: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        &first[..12],
        &[
            "1",
            "hello",
            "",
            "default",
            "",
            "hello:1",
            "fargate",
            "SUCCEEDED",
            "Essential container in task exited",
            "1",
            "1",
            "2048"
        ]
    );
    assert_eq!(first[12], "0");
    assert_eq!(first[14], "30", "startedAt after the 30 s Fargate startup");
    assert_eq!(text.lines().count(), 21);
}

fn expect_bad(args: &[&str], needles: &[&str]) {
    let o = batchsim(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "exit code for {args:?}; stderr: {err}");
    assert!(!err.contains("panicked") && !err.contains("RUST_BACKTRACE"), "{err}");
    for n in needles {
        assert!(err.contains(n), "stderr lacks {n:?}:\n{err}");
    }
}

const GOOD: &str = r#"{
  "computeEnvironments": [{"computeEnvironmentName": "ce", "type": "MANAGED",
    "computeResources": {"type": "FARGATE", "maxvCpus": 4}}],
  "jobQueues": [{"jobQueueName": "q", "priority": 1,
    "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "ce"}]}],
  "jobDefinitions": [{"jobDefinitionName": "d", "type": "container", "platformCapabilities": ["FARGATE"],
    "containerProperties": {"resourceRequirements": [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "2048"}]}}],
  "workload": [{"at": 0, "submitJob": {"jobName": "j", "jobQueue": "q", "jobDefinition": "d"},
    "runtime": {"distribution": "fixed", "seconds": 10}}]
}"#;

/// A UTF-8 byte order mark (Windows editors write one) is passed over: RFC 8259 8.1,
/// "implementations that parse JSON texts MAY ignore the presence of a byte order mark".
#[test]
fn a_scenario_with_a_byte_order_mark_runs() {
    let dir = temp_dir("cli-bom");
    let plain = write(&dir, "plain.json", GOOD);
    let bom = write(&dir, "bom.json", &format!("\u{feff}{GOOD}"));
    let (a, b) = (
        batchsim(&["run", &plain, "--format", "json"]),
        batchsim(&["run", &bom, "--format", "json"]),
    );
    assert!(b.status.success(), "{}", stderr(&b));
    let text = |o: &Output| String::from_utf8_lossy(&o.stdout).replace("\"bom\"", "\"plain\"");
    assert_eq!(text(&a), text(&b));
}

#[test]
fn bad_input_exits_2_naming_file_path_and_reason() {
    let dir = temp_dir("cli-bad");
    let good = write(&dir, "good.json", GOOD);
    assert!(batchsim(&["validate", &good]).status.success());
    assert!(batchsim(&["run", &good]).status.success());

    let malformed = write(
        &dir,
        "malformed.json",
        &GOOD.replace("\"priority\": 1,", "\"priority\": 1"),
    );
    expect_bad(
        &["run", &malformed],
        &["malformed.json:5:5:", "malformed JSON: expected `,` or `}`"],
    );

    let misspelt = write(&dir, "misspelt.json", &GOOD.replace("\"maxvCpus\"", "\"maxVcpus\""));
    expect_bad(
        &["validate", &misspelt],
        &[
            "misspelt.json",
            "computeEnvironments[0].computeResources.maxVcpus",
            "did you mean `maxvCpus`?",
        ],
    );

    let unknown_ref = write(
        &dir,
        "ref.json",
        &GOOD.replace("\"computeEnvironment\": \"ce\"", "\"computeEnvironment\": \"cee\""),
    );
    expect_bad(
        &["run", &unknown_ref],
        &[
            "jobQueues[0].computeEnvironmentOrder[0].computeEnvironment",
            "unknown compute environment `cee`",
            "did you mean `ce`?",
        ],
    );

    let wrong_type = write(
        &dir,
        "type.json",
        &GOOD.replace("\"priority\": 1", "\"priority\": \"high\""),
    );
    expect_bad(
        &["run", &wrong_type],
        &["jobQueues[0].priority", "expected an integer, found a string"],
    );

    let range = write(
        &dir,
        "range.json",
        &GOOD.replace(
            "\"type\": \"container\",",
            "\"type\": \"container\", \"retryStrategy\": {\"attempts\": 11},",
        ),
    );
    expect_bad(
        &["run", &range],
        &[
            "jobDefinitions[0].retryStrategy.attempts",
            "must be from 1 to 10, found 11",
        ],
    );

    let fargate = write(
        &dir,
        "fargate.json",
        &GOOD.replace("\"value\": \"2048\"", "\"value\": \"1024\""),
    );
    expect_bad(
        &["run", &fargate],
        &[
            "jobDefinitions[0].containerProperties.resourceRequirements",
            "not a valid Fargate memory size",
        ],
    );

    expect_bad(
        &["run", &dir.join("nope.json").display().to_string()],
        &["nope.json", "cannot read"],
    );
    expect_bad(&["run", &good, "--until", "-5"], &["--until"]);
    expect_bad(&["run", &good, "--format", "yaml"], &["yaml"]);

    // A key given twice would drop one of its values unseen (RFC 8259: "The names within an
    // object SHOULD be unique"); it is named with its line.
    let twice = write(
        &dir,
        "twice.json",
        &GOOD.replace("\"priority\": 1,", "\"priority\": 1, \"priority\": 5,"),
    );
    expect_bad(
        &["validate", &twice],
        &["twice.json:4:", "the key `priority` is given twice in one object"],
    );
    // A runtime past the bound says so (it said "must be 0 or more").
    let long = write(&dir, "long.json", &GOOD.replace("\"seconds\": 10", "\"seconds\": 5e12"));
    expect_bad(
        &["validate", &long],
        &["workload[0].runtime.seconds: must be 0 or more and at most 1e12 seconds, found 5000000000000"],
    );
    // `seed` is what `--seeds` varies: setting it is refused, not silently overridden.
    expect_bad(
        &["sweep", &good, "--seeds", "1..2", "--set", "seed=5,6"],
        &["`seed` cannot be set", "--seeds"],
    );

    // validate lists every problem, not only the first.
    let two = write(
        &dir,
        "two.json",
        &GOOD
            .replace("\"maxvCpus\"", "\"maxVcpus\"")
            .replace("\"priority\": 1", "\"priority\": -1"),
    );
    let o = batchsim(&["validate", &two]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err.contains("maxVcpus") && err.contains("jobQueues[0].priority"),
        "{err}"
    );
}

#[test]
fn until_stops_the_clock_and_reports_unfinished_jobs() {
    let o = batchsim(&[
        "run",
        &scenario_path("quickstart.json"),
        "--format",
        "json",
        "--until",
        "600",
    ]);
    assert!(o.status.success());
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["endSeconds"], 600.0);
    let j = &r["jobs"];
    let sum = j["succeeded"].as_u64().unwrap()
        + j["failed"].as_u64().unwrap()
        + j["cancelled"].as_u64().unwrap()
        + j["unfinished"].as_u64().unwrap();
    assert_eq!(j["submitted"].as_u64().unwrap(), sum);
    // Submissions every 60 s from 0: those at 0..540 happened (10); 600 is not applied.
    assert_eq!(j["submitted"], 10);
    assert!(j["unfinished"].as_u64().unwrap() > 0);
}
