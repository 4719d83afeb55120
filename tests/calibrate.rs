//! `batchsim calibrate`: a history batchsim wrote itself calibrates to zero error against
//! the set-up that made it; a known startup offset shows as that error and `--fit` finds
//! it; bad input is exit 2 naming the file; the bundled example's report.
//!
//! The recorded wait rests on the API reference's JobDetail: `startedAt` is "The Unix
//! timestamp (in milliseconds) for when the job was started (when the job transitioned from
//! the STARTING state to the RUNNING state)", and `createdAt` the submission; the User
//! Guide's job state change events ("Anytime that an existing (previously submitted) job
//! changes states, an event is created") carry the RUNNABLE time in their `time`.

mod common;

use common::{batchsim, fargate_ce, fargate_def, queue, temp_dir};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn bundled(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/import")
        .join(name)
        .display()
        .to_string()
}

/// Writes `scenario` to `dir/name`.
fn write(dir: &Path, name: &str, value: &Value) -> String {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_string_pretty(value).unwrap()).unwrap();
    p.display().to_string()
}

/// Runs `scenario` with `--jobs history.json` (describe-jobs output) and returns its path.
fn history_of(dir: &Path, scenario: &str) -> String {
    let history = dir.join("history.json").display().to_string();
    let out = batchsim(&["run", scenario, "--jobs", &history]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    history
}

fn calibrate_json(args: &[&str]) -> Value {
    let mut all = vec!["calibrate"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let out = batchsim(&all);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Two Fargate queues sharing one small environment (jobs wait for each other), with
/// random runtimes and an array job.
fn contended(startup: f64) -> Value {
    let mut ce = fargate_ce("f", 8);
    ce["simulation"]["startupSeconds"] = json!(startup);
    json!({"seed": 7,
    "computeEnvironments": [ce],
    "jobQueues": [queue("high", 10, &["f"]), queue("low", 1, &["f"])],
    "jobDefinitions": [fargate_def("d", "2", "4096")],
    "workload": [
        {"arrivals": {"process": "poisson", "ratePerHour": 60}, "start": 0, "count": 25,
         "submitJob": {"jobName": "h", "jobQueue": "high", "jobDefinition": "d"},
         "runtime": {"distribution": "lognormal", "medianSeconds": 300, "sigma": 0.5}},
        {"arrivals": {"process": "poisson", "ratePerHour": 60}, "start": 0, "count": 25,
         "submitJob": {"jobName": "l", "jobQueue": "low", "jobDefinition": "d"},
         "runtime": {"distribution": "exponential", "meanSeconds": 400}},
        {"at": 600, "submitJob": {"jobName": "arr", "jobQueue": "low", "jobDefinition": "d",
         "arrayProperties": {"size": 3}}, "runtime": {"distribution": "fixed", "seconds": 120}}
    ]})
}

#[test]
fn a_batchsim_history_calibrates_to_zero_error_against_its_own_set_up() {
    let dir = temp_dir("calibrate-zero");
    let scenario = write(&dir, "s.json", &contended(30.0));
    let history = history_of(&dir, &scenario);
    let c = calibrate_json(&[&scenario, "--history", &history]);
    // A directory of history files (issue 12: "pages concatenated or a directory of them")
    // calibrates the same.
    let pages = dir.join("pages");
    std::fs::create_dir_all(&pages).unwrap();
    std::fs::copy(&history, pages.join("page-1.json")).unwrap();
    let from_dir = calibrate_json(&[&scenario, "--history", pages.to_str().unwrap()]);
    assert_eq!(from_dir["overall"], c["overall"]);
    assert_eq!(from_dir["jobsCompared"], c["jobsCompared"]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(c["jobsCompared"], 53, "50 jobs and 3 array children");
    assert_eq!(c["waitFromCreatedAt"], 53, "describe-jobs has no state times");
    assert_eq!(
        c["notCompared"]["arrayParents"], 0,
        "the parent is compared through its children"
    );
    let o = &c["overall"];
    for k in [
        "meanAbsSeconds",
        "p50AbsSeconds",
        "p95AbsSeconds",
        "meanRelative",
        "biasSeconds",
    ] {
        assert_eq!(o["wait"][k], 0.0, "{k}: {c}");
    }
    assert_eq!(o["startOrderSpearman"], 1.0);
    assert_eq!(o["vcpus"]["meanAbsDifference"], 0.0);
    assert!(o["vcpus"]["recordedMean"].as_f64().unwrap() > 4.0, "{o}");
    // The jobs waited (the test means something): the recorded waits are not all zero.
    let waits: Vec<f64> = c["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["recordedWaitSeconds"].as_f64().unwrap())
        .collect();
    assert!(waits.iter().any(|w| *w > 300.0), "{waits:?}");
    let queues: Vec<&str> = c["queues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["jobQueue"].as_str().unwrap())
        .collect();
    assert_eq!(queues, ["high", "low"]);
    assert_eq!(c["queues"][1]["jobs"], 28);
}

/// A set-up where nothing waits for capacity: each job's wait is the startup time.
fn roomy(startup: f64) -> Value {
    let mut ce = fargate_ce("f", 256);
    ce["simulation"]["startupSeconds"] = json!(startup);
    json!({"computeEnvironments": [ce],
    "jobQueues": [queue("q", 1, &["f"])],
    "jobDefinitions": [fargate_def("d", "1", "2048")],
    "workload": [
        {"arrivals": {"process": "every", "seconds": 90}, "start": 0, "count": 12,
         "submitJob": {"jobName": "j", "jobQueue": "q", "jobDefinition": "d"},
         "runtime": {"distribution": "fixed", "seconds": 200}}
    ]})
}

#[test]
fn a_startup_offset_is_the_error_and_fit_finds_it() {
    let dir = temp_dir("calibrate-offset");
    let recorded = write(&dir, "recorded.json", &roomy(60.0));
    let history = history_of(&dir, &recorded);
    let model = write(&dir, "model.json", &roomy(0.0));
    let tuned = dir.join("tuned.json").display().to_string();
    let c = calibrate_json(&[&model, "--history", &history, "--fit", "--out", &tuned]);
    let tuned_scenario: Value = serde_json::from_str(&std::fs::read_to_string(&tuned).unwrap()).unwrap();
    let validated = batchsim(&["validate", &tuned]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(c["jobsCompared"], 12);
    let w = &c["overall"]["wait"];
    assert_eq!(w["meanAbsSeconds"], 60.0);
    assert_eq!(w["p50AbsSeconds"], 60.0);
    assert_eq!(w["p95AbsSeconds"], 60.0);
    assert_eq!(w["biasSeconds"], -60.0, "the model starts jobs 60 s early");
    assert_eq!(w["meanRelative"], 1.0, "60 s off a 60 s wait");
    assert_eq!(c["overall"]["startOrderSpearman"], 1.0, "the order is the same");
    // Each job runs 60 s earlier: 1 vCPU differs for 2 x 60 s per job.
    let mad = c["overall"]["vcpus"]["meanAbsDifference"].as_f64().unwrap();
    assert!(mad > 0.0, "{mad}");
    let f = &c["fit"];
    assert_eq!(f["best"]["startupSeconds"], 60.0);
    assert_eq!(f["best"]["instanceLaunchSeconds"], Value::Null, "no EC2 environment");
    assert_eq!(f["best"]["meanWaitErrorSeconds"], 0.0);
    assert_eq!(f["givenErrorSeconds"], 60.0);
    assert_eq!(f["tried"], batchsim::calibrate::STARTUP_GRID.len());
    assert_eq!(f["calibration"]["overall"]["vcpus"]["meanAbsDifference"], 0.0);
    assert_eq!(
        tuned_scenario["computeEnvironments"][0]["simulation"]["startupSeconds"],
        60.0
    );
    assert_eq!(
        tuned_scenario["workload"],
        roomy(0.0)["workload"],
        "the scenario as given, only its latencies changed"
    );
    assert!(
        validated.status.success(),
        "{}",
        String::from_utf8_lossy(&validated.stderr)
    );
}

#[test]
fn fit_between_grid_points_picks_the_nearest() {
    let dir = temp_dir("calibrate-grid");
    let recorded = write(&dir, "recorded.json", &roomy(52.0));
    let history = history_of(&dir, &recorded);
    let model = write(&dir, "model.json", &roomy(10.0));
    let c = calibrate_json(&[&model, "--history", &history, "--fit"]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(c["overall"]["wait"]["meanAbsSeconds"], 42.0);
    assert_eq!(c["fit"]["best"]["startupSeconds"], 45.0, "7 s off, against 8 s for 60");
    assert_eq!(c["fit"]["best"]["meanWaitErrorSeconds"], 7.0);
}

fn bad(args: &[&str]) -> String {
    let mut all = vec!["calibrate"];
    all.extend_from_slice(args);
    let out = batchsim(&all);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn bad_input_is_exit_2_naming_the_file() {
    let dir = temp_dir("calibrate-bad");
    let scenario = write(&dir, "s.json", &roomy(0.0));
    let no_created = write(
        &dir,
        "no-created.json",
        &json!({"jobs": [{"jobId": "a", "jobName": "a", "jobQueue": "q", "jobDefinition": "d:1", "startedAt": 5}]}),
    );
    let never = write(
        &dir,
        "never.json",
        &json!({"jobs": [{"jobId": "a", "jobName": "a", "jobQueue": "q", "jobDefinition": "d:1", "createdAt": 5, "status": "RUNNABLE"}]}),
    );
    let setup = bundled("describe/compute-environments.json");
    let missing = dir.join("missing.json").display().to_string();
    let broken = dir.join("broken.json");
    std::fs::write(&broken, "{\"computeEnvironments\": [").unwrap();
    let broken = broken.display().to_string();
    let e1 = bad(&[&scenario, "--history", &no_created]);
    let e2 = bad(&[&scenario, "--history", &never]);
    let e3 = bad(&[&scenario, "--history", &setup]);
    let e4 = bad(&[&missing, "--history", &no_created]);
    let e5 = bad(&[&broken, "--history", &no_created]);
    let e6 = bad(&[&scenario, "--history", &no_created, "--out", "x.json"]);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        e1.contains(&format!("{no_created}: jobs[0].createdAt: missing")),
        "{e1}"
    );
    assert!(
        e2.contains(&never) && e2.contains("no job in the history started"),
        "{e2}"
    );
    assert!(e3.contains(&setup) && e3.contains("not job history"), "{e3}");
    assert!(e4.contains(&missing), "{e4}");
    assert!(e5.contains(&broken), "{e5}");
    assert!(e6.contains("--fit"), "--out needs --fit: {e6}");
}

#[test]
fn a_history_whose_queue_the_set_up_lacks_is_exit_2_naming_the_queue() {
    let dir = temp_dir("calibrate-queue");
    let scenario = write(&dir, "s.json", &roomy(0.0));
    let history = write(
        &dir,
        "h.json",
        &json!({"jobs": [{"jobId": "a", "jobName": "a", "jobQueue": "nightly", "jobDefinition": "d:1",
            "createdAt": 5, "startedAt": 10, "stoppedAt": 20, "status": "SUCCEEDED"}]}),
    );
    let e = bad(&[&scenario, "--history", &history]);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(e.contains("s.json") && e.contains("nightly"), "{e}");
    assert!(e.contains("h.json by createdAt"), "the history is named: {e}");
}

#[test]
fn bundled_account_calibrates_and_fits() {
    let account = bundled("account.json");
    let history = [bundled("history/describe-jobs.json"), bundled("history/events.jsonl")];
    let c = calibrate_json(&[&account, "--history", &history[0], &history[1], "--fit"]);
    assert_eq!(c["jobsCompared"], 5);
    assert_eq!(c["waitFromRunnable"], 1, "train-a's events include its RUNNABLE change");
    assert_eq!(c["waitFromCreatedAt"], 4);
    assert_eq!(c["notCompared"]["neverStarted"], 1);
    let train = c["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["jobName"] == "train-a")
        .unwrap();
    // RUNNABLE event at 01:00:05Z, startedAt 1717203850000 (01:04:10Z): 245 s.
    assert_eq!(train["waitFrom"], "runnable");
    assert_eq!(train["recordedWaitSeconds"], 245.0);
    let given = c["overall"]["wait"]["meanAbsSeconds"].as_f64().unwrap();
    let best = &c["fit"]["best"];
    assert!(best["meanWaitErrorSeconds"].as_f64().unwrap() < given / 4.0, "{c}");
    assert_eq!(best["startupSeconds"], 60.0);
    assert_eq!(best["instanceLaunchSeconds"], 180.0, "ml-ec2 is EC2");
    // The text report names the winner, and the bundled tuned scenario is its --out.
    let out = batchsim(&["calibrate", &account, "--history", &history[0], &history[1], "--fit"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("best: startupSeconds 60, instanceLaunchSeconds 180: mean wait error 8.0 s (as given: 43.2 s, 35.2 s better)"),
        "{text}"
    );
    let dir = temp_dir("calibrate-bundled");
    let tuned: PathBuf = dir.join("tuned.json");
    let tuned_s = tuned.display().to_string();
    let w = batchsim(&[
        "calibrate",
        &account,
        "--history",
        &history[0],
        &history[1],
        "--fit",
        "--out",
        &tuned_s,
    ]);
    assert!(w.status.success());
    let written = std::fs::read_to_string(&tuned).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(
        written,
        std::fs::read_to_string(bundled("account-tuned.json")).unwrap(),
        "scenarios/import/account-tuned.json is the --out of this command"
    );
}

#[test]
fn plot_draws_the_recorded_and_simulated_vcpu_curves() {
    let dir = temp_dir("calibrate-plot");
    let recorded = write(&dir, "recorded.json", &roomy(60.0));
    let history = history_of(&dir, &recorded);
    let model = write(&dir, "model.json", &roomy(0.0));
    let svg = dir.join("c.svg").display().to_string();
    let out = batchsim(&["calibrate", &model, "--history", &history, "--plot", &svg]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let chart = std::fs::read_to_string(&svg).unwrap();
    let both = batchsim(&[
        "calibrate",
        &model,
        "--history",
        &history,
        "--fit",
        "--plot",
        "-",
        "--out",
        "-",
    ]);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(chart.starts_with("<svg") && chart.ends_with("</svg>\n"));
    assert!(chart.contains("<title>recorded</title>") && chart.contains("<title>simulated</title>"));
    // 12 jobs of 1 vCPU, one every 90 s for 200 s: at most 3 run at once on either side.
    assert!(chart.contains(r#"text-anchor="end">3</text>"#), "{chart}");
    assert!(chart.contains("mean |difference| "), "{chart}");
    assert_eq!(both.status.code(), Some(2), "two outputs on standard output");
}

#[test]
fn output_is_deterministic() {
    let account = bundled("account.json");
    let h = bundled("history/describe-jobs.json");
    let a = batchsim(&["calibrate", &account, "--history", &h, "--fit", "--format", "json"]);
    let b = batchsim(&["calibrate", &account, "--history", &h, "--fit", "--format", "json"]);
    assert!(a.status.success());
    assert_eq!(a.stdout, b.stdout);
}

/// Three Fargate environments, each with its own queue and startup time: `f1` and `f2`
/// run 12 jobs each, `small` 3 (nothing waits for capacity, so each wait is the startup).
fn three_environments(f1: f64, f2: f64, small: f64) -> Value {
    let ce = |name: &str, startup: f64| {
        let mut ce = fargate_ce(name, 256);
        ce["simulation"]["startupSeconds"] = json!(startup);
        ce
    };
    let stream = |queue: &str, count: u64| {
        json!({"arrivals": {"process": "every", "seconds": 100}, "start": 0, "count": count,
               "submitJob": {"jobName": queue, "jobQueue": queue, "jobDefinition": "d"},
               "runtime": {"distribution": "fixed", "seconds": 50}})
    };
    json!({"computeEnvironments": [ce("f1", f1), ce("f2", f2), ce("small", small)],
    "jobQueues": [queue("q1", 1, &["f1"]), queue("q2", 1, &["f2"]), queue("q3", 1, &["small"])],
    "jobDefinitions": [fargate_def("d", "1", "2048")],
    "workload": [stream("q1", 12), stream("q2", 12), stream("q3", 3)]})
}

/// Issue 12: `--fit` fits "one value per compute environment": a history whose two
/// environments start tasks 30 s and 90 s after dispatch gets each its own value, while an
/// environment that ran only 3 jobs (fewer than `MIN_JOBS_PER_CE`) keeps the shared one.
#[test]
fn fit_finds_each_compute_environments_startup() {
    assert_eq!(batchsim::calibrate::MIN_JOBS_PER_CE, 10);
    let dir = temp_dir("calibrate-per-ce");
    let recorded = write(&dir, "recorded.json", &three_environments(30.0, 90.0, 60.0));
    let history = history_of(&dir, &recorded);
    let model = write(&dir, "model.json", &three_environments(0.0, 0.0, 0.0));
    let tuned = dir.join("tuned.json").display().to_string();
    let c = calibrate_json(&[&model, "--history", &history, "--fit", "--out", &tuned]);
    let tuned_scenario: Value = serde_json::from_str(&std::fs::read_to_string(&tuned).unwrap()).unwrap();
    let single = calibrate_json(&[&model, "--history", &history, "--fit", "--per-ce-min-jobs", "100"]);
    let text = batchsim(&["calibrate", &model, "--history", &history, "--fit"]);
    let _ = std::fs::remove_dir_all(&dir);
    let f = &c["fit"];
    // One value for all: the median wait (12 x 30 s, 3 x 60 s, 12 x 90 s) is 60 s, 24 jobs
    // 30 s off out of 27.
    assert_eq!(f["best"]["startupSeconds"], 60.0);
    let shared_error = f["best"]["meanWaitErrorSeconds"].as_f64().unwrap();
    assert!((shared_error - 24.0 * 30.0 / 27.0).abs() < 1e-9, "{shared_error}");
    assert_eq!(
        f["perComputeEnvironment"],
        json!([
            {"computeEnvironment": "f1", "jobs": 12, "fittedOnItsOwn": true, "startupSeconds": 30.0, "instanceLaunchSeconds": null},
            {"computeEnvironment": "f2", "jobs": 12, "fittedOnItsOwn": true, "startupSeconds": 90.0, "instanceLaunchSeconds": null},
            {"computeEnvironment": "small", "jobs": 3, "fittedOnItsOwn": false, "startupSeconds": 60.0, "instanceLaunchSeconds": null}
        ])
    );
    assert_eq!(f["perComputeEnvironmentErrorSeconds"], 0.0);
    assert_eq!(f["calibration"]["overall"]["wait"]["meanAbsSeconds"], 0.0);
    let startups: Vec<&Value> = tuned_scenario["computeEnvironments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|ce| &ce["simulation"]["startupSeconds"])
        .collect();
    assert_eq!(startups, [&json!(30.0), &json!(90.0), &json!(60.0)]);
    // The single-value fit stays available: no environment has 100 jobs.
    let s = &single["fit"];
    assert_eq!(
        s["perComputeEnvironmentErrorSeconds"],
        f["best"]["meanWaitErrorSeconds"]
    );
    assert!(s["perComputeEnvironment"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["fittedOnItsOwn"] == false && c["startupSeconds"] == 60.0));
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("per compute environment (fitted on its own with at least 10 jobs): mean wait error 0.0 s"),
        "{text}"
    );
    assert!(
        text.contains("    small: 3 jobs, startupSeconds 60 (shared: too few jobs)"),
        "{text}"
    );
}

/// Issue 12: the per-environment fit counts a job on the compute environment the account
/// ran it on. describe-jobs names it through the job's task: `container.taskArn`, "The
/// Amazon Resource Name (ARN) of the Amazon ECS task that's associated with the container
/// job" (API model, `ContainerDetail.taskArn`), is `...:task/CLUSTER/TASK-ID`, and each
/// compute environment's `ecsClusterArn` is "The Amazon Resource Name (ARN) of the
/// underlying Amazon ECS cluster that the compute environment uses" (API model,
/// `ComputeEnvironmentDetail.ecsClusterArn`). Here the account ran 10 of 12 jobs on
/// `second` while the model runs them all on `first` (order 1 has room): the fit counts them
/// on `second`; the two whose task ARN names no known cluster fall back to `first`.
#[test]
fn per_ce_fit_counts_jobs_on_their_recorded_compute_environment() {
    let cluster = |name: &str| format!("arn:aws:ecs:eu-west-1:111122223333:cluster/AWSBatch-{name}-0f1e");
    let ce = |name: &str| {
        let mut ce = fargate_ce(name, 256);
        ce["simulation"]["ecsClusterArn"] = json!(cluster(name));
        ce
    };
    let setup = json!({"computeEnvironments": [ce("first"), ce("second")],
        "jobQueues": [queue("q", 1, &["first", "second"])],
        "jobDefinitions": [fargate_def("d", "1", "2048")]});
    let t0 = 1_717_200_000_000i64;
    let jobs: Vec<Value> = (0..12i64)
        .map(|i| {
            let task = match i {
                10 => "arn:aws:ecs:eu-west-1:111122223333:task/0123456789abcdef".to_owned(),
                11 => "arn:aws:ecs:eu-west-1:111122223333:task/AWSBatch-elsewhere/0123".to_owned(),
                _ => format!("arn:aws:ecs:eu-west-1:111122223333:task/AWSBatch-second-0f1e/{i:04}"),
            };
            let created = t0 + i * 100_000;
            json!({"jobId": format!("j{i}"), "jobName": format!("job{i}"), "jobQueue": "q", "jobDefinition": "d:1",
                "status": "SUCCEEDED", "createdAt": created, "startedAt": created + 30_000, "stoppedAt": created + 80_000,
                "container": {"exitCode": 0, "taskArn": task}})
        })
        .collect();
    let dir = temp_dir("calibrate-recorded-ce");
    let model = write(&dir, "model.json", &setup);
    let history = write(&dir, "jobs.json", &json!({ "jobs": jobs }));
    let c = calibrate_json(&[&model, "--history", &history, "--fit"]);
    let text = batchsim(&["calibrate", &model, "--history", &history, "--fit"]);
    let _ = std::fs::remove_dir_all(&dir);
    let recorded: Vec<(String, String)> = c["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| {
            (
                j["computeEnvironment"].to_string(),
                j["recordedComputeEnvironment"].to_string(),
            )
        })
        .collect();
    let mut want = vec![("\"first\"".to_owned(), "\"second\"".to_owned()); 10];
    want.extend(vec![("\"first\"".to_owned(), "null".to_owned()); 2]);
    assert_eq!(
        recorded, want,
        "simulated on first; recorded on second but for the old-format and unknown-cluster ARNs"
    );
    let f = &c["fit"];
    assert_eq!(f["jobsCountedOnRecordedComputeEnvironment"], 10);
    assert_eq!(f["jobsCountedOnSimulatedComputeEnvironment"], 2);
    let per_ce: Vec<(String, u64, bool)> = f["perComputeEnvironment"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["computeEnvironment"].as_str().unwrap().to_owned(),
                c["jobs"].as_u64().unwrap(),
                c["fittedOnItsOwn"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        per_ce,
        [("first".to_owned(), 2, false), ("second".to_owned(), 10, true)],
        "by the simulated environment it would be first 12 (own), second 0"
    );
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("jobs counted on the compute environment the history records (task ARN's ECS cluster): 10; on the simulated one (not recorded): 2"),
        "{text}"
    );
}

/// Issue 12: "Print the errors ... and draw them in the chart": `run --history` replays the
/// history through the scenario and its report ends with the calibration `calibrate`
/// prints (the same code, the same figures); `--plot` gets a panel of the recorded vCPUs in
/// use over the simulated ones with the figures beside it, and `--html` the error table.
#[test]
fn run_with_history_prints_and_draws_the_calibration() {
    let dir = temp_dir("run-history");
    let recorded = write(&dir, "recorded.json", &roomy(60.0));
    let history = history_of(&dir, &recorded);
    let model = write(&dir, "model.json", &roomy(0.0));
    let svg = dir.join("run.svg").display().to_string();
    let html = dir.join("run.html").display().to_string();
    let run = batchsim(&["run", &model, "--history", &history, "--plot", &svg, "--html", &html]);
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    let cal = batchsim(&["calibrate", &model, "--history", &history]);
    let json = batchsim(&["run", &model, "--history", &history, "--format", "json"]);
    let plain_svg = dir.join("plain.svg").display().to_string();
    let plain = batchsim(&["run", &model, "--plot", &plain_svg]);
    let chart = std::fs::read_to_string(&svg).unwrap();
    let page = std::fs::read_to_string(&html).unwrap();
    let plain_chart = std::fs::read_to_string(&plain_svg).unwrap();
    let bad = batchsim(&["run", &model, "--param", "jobQueue=q"]);
    // What the panel draws, through the library: 12 jobs of 1 vCPU, one every 90 s for
    // 200 s, at most 3 at once on either side; the first starts at 60 s in the recording
    // and at 0 s in the model.
    let replay =
        batchsim::calibrate::Replay::load(Path::new(&model), &[PathBuf::from(&history)], &Default::default()).unwrap();
    let c = batchsim::calibrate::compare(&replay, &replay.scenario).unwrap();
    let overlay = batchsim::calibrate::overlay(&replay, &c);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!((overlay.jobs, overlay.files.as_str()), (12, "history.json"));
    assert_eq!(overlay.max_vcpus(), 3.0);
    let first_up = |corners: &[(f64, f64)]| corners.iter().find(|p| p.1 > 0.0).map(|p| p.0);
    assert_eq!(first_up(&overlay.recorded), Some(60.0));
    assert_eq!(first_up(&overlay.simulated), Some(0.0));
    // The last job was submitted at 990 s and ran 200 s: 1250 s recorded, 1190 s simulated.
    assert_eq!(overlay.end_seconds(), 1250.0);
    let text = String::from_utf8_lossy(&run.stdout);
    let cal_text = String::from_utf8_lossy(&cal.stdout);
    // The run's own summary first (12 jobs, each started at once: startup 0), then exactly
    // what `calibrate` prints for the same scenario and history.
    assert!(text.starts_with("scenario "), "{text}");
    assert!(text.contains("jobs: 12 submitted, 12 succeeded"), "{text}");
    let at = text
        .find("calibration of")
        .expect("the calibration follows the summary");
    assert_eq!(&text[at..], &cal_text[..]);
    // Every job waited 60 s in the recording (startup 60 s) and 0 s in the model.
    assert!(
        cal_text.contains("  all                     12     60.0     60.0     60.0"),
        "{cal_text}"
    );
    // --format json: the report alone on stdout, the calibration on stderr.
    let report: Value = serde_json::from_slice(&json.stdout).expect("stdout is the JSON report");
    assert_eq!(report["jobs"]["submitted"], 12);
    assert!(String::from_utf8_lossy(&json.stderr).contains("calibration of"));
    // The chart: one more panel, the recorded curve (black) over the simulated (orange,
    // dashed), with the figures; an ordinary run's chart has none of it.
    for want in [
        "Recorded history vs simulated: vCPUs in use of the 12 jobs compared (history.json)",
        "<title>recorded vCPUs in use</title>",
        "<title>simulated vCPUs in use of the same jobs</title>",
        ">  mean 60.0 s, p50 60.0 s<",
        ">  p95 60.0 s<",
        ">  bias -60.0 s<",
        ">start-order rank corr. 1.000<",
    ] {
        assert!(chart.contains(want), "missing {want}");
    }
    assert!(plain.status.success());
    assert!(!plain_chart.contains("Recorded history"));
    assert!(
        chart.len() > plain_chart.len(),
        "the history adds a panel to the same run's chart"
    );
    assert!(page.contains("<h2>Against the recorded history</h2>"), "{page}");
    assert!(page.contains("12 jobs of"), "{page}");
    assert!(page.contains("Recorded history vs simulated"), "the chart is inline");
    assert_eq!(bad.status.code(), Some(2), "--param needs --history");
}
