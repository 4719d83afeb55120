//! `--infra FILE` of `run`, `validate` and `sweep`: a workload-only scenario with the set-up
//! imported from describe output gives the same report as the imported-then-merged scenario
//! file; a name defined twice and bad infra input are exit 2 naming the places.

mod common;

use common::batchsim;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn describe(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/import/describe")
        .join(name)
        .display()
        .to_string()
}

/// The four describe outputs of the bundled account.
fn account() -> Vec<String> {
    [
        "compute-environments.json",
        "scheduling-policies.json",
        "job-queues.json",
        "job-definitions.json",
    ]
    .iter()
    .map(|f| describe(f))
    .collect()
}

fn workload() -> Value {
    json!([
        {"arrivals": {"process": "poisson", "ratePerHour": 120}, "start": 1, "end": 1800,
         "submitJob": {"jobName": "urgent", "jobQueue": "etl-high", "jobDefinition": "nightly-etl"},
         "runtime": {"distribution": "lognormal", "medianSeconds": 600, "sigma": 0.6}},
        {"arrivals": {"process": "poisson", "ratePerHour": 20}, "start": 1, "end": 1800,
         "submitJob": {"jobName": "train", "jobQueue": "ml-training", "jobDefinition": "train-model"},
         "runtime": {"distribution": "exponential", "meanSeconds": 1800}}
    ])
}

/// A fresh temporary folder for one test.
fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("batchsim-infra-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(path: &Path, v: &Value) -> String {
    std::fs::write(path, serde_json::to_string_pretty(v).unwrap()).unwrap();
    path.display().to_string()
}

fn with_infra<'a>(args: &[&'a str], infra: &'a [String]) -> Vec<&'a str> {
    let mut out = args.to_vec();
    for f in infra {
        out.extend(["--infra", f.as_str()]);
    }
    out
}

fn ok(out: &std::process::Output) -> String {
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn workload_with_infra_runs_like_the_imported_then_merged_scenario() {
    let dir = temp("same");
    let work = write(&dir.join("work.json"), &json!({"name": "work", "workload": workload()}));
    let infra = account();

    // Imported, then merged by hand.
    let setup = dir.join("setup.json");
    let mut args = vec!["import"];
    args.extend(infra.iter().map(String::as_str));
    args.extend(["--out", setup.to_str().unwrap()]);
    ok(&batchsim(&args));
    let mut merged: Value = serde_json::from_str(&std::fs::read_to_string(&setup).unwrap()).unwrap();
    merged["name"] = json!("work");
    merged["workload"] = workload();
    let merged = write(&dir.join("merged.json"), &merged);

    let direct = ok(&batchsim(&with_infra(&["run", &work, "--format", "json"], &infra)));
    let by_hand = ok(&batchsim(&["run", &merged, "--format", "json"]));
    assert_eq!(direct, by_hand, "the same report");
    let report: Value = serde_json::from_str(&direct).unwrap();
    assert!(report["jobs"]["submitted"].as_u64().unwrap() > 20, "{report}");
    assert_eq!(report["jobs"]["submitted"], report["jobs"]["succeeded"]);
    assert!(report["queues"]["ml-training"]["submitted"].as_u64().unwrap() > 0);

    // validate counts the objects of both.
    let line = ok(&batchsim(&with_infra(&["validate", &work], &infra)));
    assert_eq!(
        line,
        format!(
            "{work}: valid: 3 compute environments, 3 job queues, 1 scheduling policies, 10 job definitions, 2 workload entries, 8 actions\n"
        )
    );

    // sweep resolves `--set` paths in the imported set-up.
    let direct = ok(&batchsim(&with_infra(
        &[
            "sweep",
            &work,
            "--seeds",
            "1..2",
            "--set",
            "computeEnvironments[ml-ec2].computeResources.maxvCpus=16,64",
        ],
        &infra,
    )));
    let by_hand = ok(&batchsim(&[
        "sweep",
        &merged,
        "--seeds",
        "1..2",
        "--set",
        "computeEnvironments[ml-ec2].computeResources.maxvCpus=16,64",
    ]));
    assert_eq!(direct, by_hand);
    assert_eq!(direct.lines().count(), 5, "{direct}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_name_defined_twice_is_exit_2_naming_both_places() {
    let dir = temp("twice");
    let own = json!({"computeEnvironmentName": "etl-fargate", "type": "MANAGED",
                     "computeResources": {"type": "FARGATE", "maxvCpus": 8}});
    let work = write(
        &dir.join("work.json"),
        &json!({"computeEnvironments": [own], "workload": []}),
    );
    let infra = [describe("compute-environments.json")];
    let out = batchsim(&with_infra(&["run", &work], &infra));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        err.contains(&format!(
            "{}: compute environment `etl-fargate` is already defined in {work} (computeEnvironments[0])",
            infra[0]
        )),
        "{err}"
    );
    // Two infra files defining one queue.
    let empty = write(&dir.join("empty.json"), &json!({}));
    let copy = dir.join("more-queues.json");
    std::fs::copy(describe("job-queues.json"), &copy).unwrap();
    let twice = [describe("job-queues.json"), copy.display().to_string()];
    let out = batchsim(&with_infra(&["validate", &empty], &twice));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        err.contains(&format!(
            "{}: job queue `etl-high` is already defined in {};",
            twice[1], twice[0]
        )),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_infra_input_is_exit_2_with_the_file_the_path_and_the_reason() {
    let dir = temp("bad");
    let work = write(&dir.join("work.json"), &json!({"workload": []}));
    let template = dir.join("template.yaml");
    std::fs::write(
        &template,
        "Resources:\n  Q:\n    Type: AWS::Batch::JobQueue\n    Properties:\n      Priority: 1\n      ComputeEnvironmentOrder:\n        - Order: 1\n          ComputeEnvironment: !Ref Missing\n",
    )
    .unwrap();
    let infra = [template.display().to_string()];
    for cmd in ["run", "validate"] {
        let out = batchsim(&with_infra(&[cmd, &work], &infra));
        assert_eq!(out.status.code(), Some(2), "{cmd}");
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(
            err.contains(&format!(
                "{}: Resources.Q.Properties.ComputeEnvironmentOrder[0].ComputeEnvironment",
                infra[0]
            )) && err.contains("Missing"),
            "{cmd}: {err}"
        );
    }
    let out = batchsim(&with_infra(&["sweep", &work, "--seeds", "1"], &infra));
    assert_eq!(out.status.code(), Some(2));
    // A queue whose compute environment is nowhere: the problem says which file it is in.
    let queues = [describe("job-queues.json")];
    let out = batchsim(&with_infra(&["validate", &work], &queues));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        err.contains(&format!(
            "{work}: jobQueues[0].computeEnvironmentOrder[0].computeEnvironment: unknown compute environment `etl-fargate`"
        )) && err.contains(&format!("(from --infra {})", queues[0])),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `(startedAt - first createdAt, jobId)` of every job of a describe-jobs file, in start order.
fn start_order(path: &Path) -> Vec<(i64, String)> {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let jobs = doc["jobs"].as_array().expect("describe-jobs output");
    let origin = jobs.iter().map(|j| j["createdAt"].as_i64().unwrap()).min().unwrap();
    let mut order: Vec<(i64, String)> = jobs
        .iter()
        .map(|j| {
            (
                j["startedAt"].as_i64().expect("every job started") - origin,
                j["jobId"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    order.sort();
    order
}

#[test]
fn run_jobs_json_import_replay_reproduces_the_recorded_start_order() {
    let dir = temp("roundtrip");
    let mut jobs = workload();
    jobs.as_array_mut().unwrap().push(json!({"at": 300,
        "submitJob": {"jobName": "fan-out", "jobQueue": "etl-high", "jobDefinition": "nightly-etl", "arrayProperties": {"size": 4}},
        "runtime": {"distribution": "fixed", "seconds": 120}}));
    let work = write(&dir.join("work.json"), &json!({"name": "work", "workload": jobs}));
    let infra = account();
    // run -> --jobs out.json (describe-jobs shaped)
    let recorded = dir.join("out.json");
    ok(&batchsim(&with_infra(
        &["run", &work, "--jobs", recorded.to_str().unwrap()],
        &infra,
    )));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&recorded).unwrap()).unwrap();
    let first = &doc["jobs"][0];
    assert_eq!(first["jobArn"], "arn:aws:batch:us-east-1:000000000000:job/1");
    assert_eq!(first["jobId"], "1");
    assert_eq!(
        first["jobQueue"],
        "arn:aws:batch:us-east-1:000000000000:job-queue/etl-high"
    );
    assert_eq!(first["status"], "SUCCEEDED");
    assert_eq!(first["attempts"][0]["container"]["exitCode"], 0);
    assert_eq!(first["attempts"][0]["startedAt"], first["startedAt"]);
    assert!(
        first["createdAt"].as_i64().unwrap() >= 1_767_225_600_000,
        "epoch ms from 2026-01-01T00:00:00Z"
    );
    let fan: Vec<&Value> = doc["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|j| j["jobName"] == "fan-out")
        .collect();
    assert_eq!(fan.len(), 5, "the array parent and its 4 children");
    assert_eq!(fan[0]["arrayProperties"]["size"], 4);
    assert_eq!(fan[0]["arrayProperties"]["statusSummary"]["SUCCEEDED"], 4);
    assert_eq!(fan[4]["arrayProperties"], json!({"index": 3}));
    // -> batchsim import set-up + out.json
    let replay = dir.join("replay.json");
    let mut args = vec!["import"];
    args.extend(infra.iter().map(String::as_str));
    args.extend([recorded.to_str().unwrap(), "--out", replay.to_str().unwrap()]);
    ok(&batchsim(&args));
    // -> replay
    let again = dir.join("again.json");
    ok(&batchsim(&[
        "run",
        replay.to_str().unwrap(),
        "--jobs",
        again.to_str().unwrap(),
    ]));
    let (a, b) = (start_order(&recorded), start_order(&again));
    assert!(a.len() > 20, "{}", a.len());
    assert_eq!(a, b, "the same jobs start in the same order at the same times");
    // The same history also replays given as --infra beside an empty workload.
    let empty = write(&dir.join("empty.json"), &json!({"name": "replay"}));
    let mut both = infra.clone();
    both.push(recorded.display().to_string());
    let via_infra = dir.join("via-infra.json");
    ok(&batchsim(&with_infra(
        &["run", &empty, "--jobs", via_infra.to_str().unwrap()],
        &both,
    )));
    assert_eq!(start_order(&via_infra), a);
    // A CSV table is still CSV.
    let csv = dir.join("jobs.csv");
    ok(&batchsim(&[
        "run",
        replay.to_str().unwrap(),
        "--jobs",
        csv.to_str().unwrap(),
    ]));
    assert!(std::fs::read_to_string(&csv)
        .unwrap()
        .starts_with("jobId,jobName,arrayIndex,"));
    let _ = std::fs::remove_dir_all(&dir);
}
