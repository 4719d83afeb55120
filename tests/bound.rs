//! Bounded work: backfilling costs O(log n) per job it considers, not a scan of the backlog
//! (issue 16, "Bounded work"). Every run here has a deadline, so a regression fails instead
//! of hanging.

use batchsim::{Options, Report, Scenario, Simulation};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/bound")
        .join(name)
}

/// Runs `scenario` on another thread; fails when it takes longer than `limit` (the runs here
/// take well under a second now, and several seconds each before the index).
/// A guard against hangs, not a timing assertion: the quadratic backfilling these tests
/// catch took minutes in a test build; the bounded one takes well under a second.
const HANG_GUARD: Duration = Duration::from_secs(60);

fn run_within(scenario: Scenario, limit: Duration) -> Report {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let report = Simulation::new(&scenario, Options::default()).map(Simulation::run);
        let _ = tx.send(report);
    });
    match rx.recv_timeout(limit) {
        Ok(report) => report.expect("the scenario runs"),
        Err(_) => panic!("the run took longer than {limit:?}"),
    }
}

/// Three 10,000-job arrays on 16 vCPUs: the backlog is 30,000 jobs deep for most of the run.
/// Before the backfilling index, EASY took 8.5 s and greedy 7.5 s in release mode (FIFO
/// 0.03 s); a debug build took minutes.
#[test]
fn three_big_arrays_backfill_in_bounded_time() {
    for mode in ["none", "easy", "greedy"] {
        let scenario = Scenario::from_file(data(&format!("arrays-{mode}.json"))).unwrap();
        let report = run_within(scenario, HANG_GUARD);
        assert_eq!(report.jobs.succeeded, 30_000, "{mode}: every child");
        assert_eq!(report.jobs.failed, 0, "{mode}");
    }
}

/// An overloaded SWF trace (one job every 10 s, 1 to 64 processors, up to 20,000 s each, on
/// one 100-processor node): EASY and greedy, 20,000 jobs. Before: over a minute for 100,000
/// lines in release mode.
#[test]
fn an_overloaded_trace_backfills_in_bounded_time() {
    let dir = std::env::temp_dir().join(format!("batchsim-bound-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut swf = String::new();
    let mut x: u64 = 7;
    let mut next = || {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        x >> 33
    };
    for i in 1..=20_000u64 {
        let procs = [1, 1, 2, 4, 8, 16, 32, 64][(next() % 8) as usize];
        let run = 100 + next() % 19_900;
        swf.push_str(&format!(
            "{i} {} -1 {run} {procs} -1 -1 {procs} {} -1 1 1 1 -1 -1 -1 -1 -1\n",
            i * 10,
            run * 2
        ));
    }
    std::fs::write(dir.join("over.swf"), swf).unwrap();
    let template =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/kth-sp2-easy.json")).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&template).unwrap();
    value["workload"][0]["trace"]["path"] = "over.swf".into();
    let mut done = Vec::new();
    for mode in ["none", "easy", "greedy"] {
        value["jobQueues"][0]["simulation"]["backfill"] = mode.into();
        let path = dir.join(format!("over-{mode}.json"));
        std::fs::write(&path, serde_json::to_string(&value).unwrap()).unwrap();
        let report = run_within(Scenario::from_file(&path).unwrap(), HANG_GUARD);
        assert_eq!(report.jobs.succeeded, 20_000, "{mode}");
        done.push((mode, report.wait_seconds.stats.mean));
    }
    let _ = std::fs::remove_dir_all(&dir);
    // Backfilling shortens the mean wait of an overloaded FIFO queue.
    assert!(done[1].1 < done[0].1 && done[2].1 < done[0].1, "{done:?}");
}

/// A Poisson stream of `ratePerHour: 1e-9` (a mean gap of 3.6e12 s) with `count` and no
/// `end`.
fn tiny_rate_stream(extra: serde_json::Value) -> serde_json::Value {
    let mut entry = serde_json::json!({
        "arrivals": {"process": "poisson", "ratePerHour": 1e-9},
        "count": 3,
        "submitJob": {"jobName": "w", "jobQueue": "q", "jobDefinition": "work"},
        "runtime": {"distribution": "fixed", "seconds": 60}
    });
    for (k, v) in extra.as_object().unwrap() {
        entry[k] = v.clone();
    }
    serde_json::json!({
        "computeEnvironments": [{"computeEnvironmentName": "fargate", "type": "MANAGED",
            "computeResources": {"type": "FARGATE", "maxvCpus": 4}, "simulation": {"startupSeconds": 0}}],
        "jobQueues": [{"jobQueueName": "q", "priority": 1,
            "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "fargate"}]}],
        "jobDefinitions": [{"jobDefinitionName": "work", "type": "container", "platformCapabilities": ["FARGATE"],
            "containerProperties": {"resourceRequirements": [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "2048"}]}}],
        "workload": [entry]
    })
}

/// Issue 16: arrivals expected past the time bound (`crate::time::MAX_SECONDS`, 1e12 s) are a
/// validation error at `workload[0].arrivals`, not a silent saturation at the end of time.
#[test]
fn arrivals_past_the_time_bound_are_a_validation_error() {
    let text = tiny_rate_stream(serde_json::json!({})).to_string();
    let err = Scenario::from_json_str(&text, "tiny.json").unwrap_err().to_string();
    assert!(err.contains("workload[0].arrivals"), "{err}");
    assert!(err.contains("past the largest simulated time"), "{err}");
    let every = tiny_rate_stream(serde_json::json!({
        "arrivals": {"process": "every", "seconds": 6e11}, "count": 3}))
    .to_string();
    let err = Scenario::from_json_str(&every, "every.json").unwrap_err().to_string();
    assert!(err.contains("workload[0].arrivals") && err.contains("1.2e12"), "{err}");
    let two = tiny_rate_stream(serde_json::json!({
        "arrivals": {"process": "every", "seconds": 6e11}, "count": 2}))
    .to_string();
    assert!(
        Scenario::from_json_str(&two, "two.json").is_ok(),
        "the last arrival at 6e11 s is within"
    );
}

/// Issue 16: `run --plot` never ended on that stream (an overflow in the plot's sampler).
/// With `end` it validates; the run and its plot end at once.
#[test]
fn run_plot_ends_on_a_tiny_rate_stream() {
    let dir = std::env::temp_dir().join(format!("batchsim-bound-plot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("tiny.json");
    let svg = dir.join("tiny.svg");
    // The stream of the issue (no `end`): refused up front, exit 2, with the JSON path.
    std::fs::write(&path, tiny_rate_stream(serde_json::json!({})).to_string()).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_batchsim"))
        .args(["run", path.to_str().unwrap(), "--plot", svg.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("workload[0].arrivals"));
    std::fs::write(&path, tiny_rate_stream(serde_json::json!({"end": 1e12})).to_string()).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_batchsim"))
        .args(["run", path.to_str().unwrap(), "--plot", svg.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("run --plot did not end within 20 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
    let plot = std::fs::read_to_string(&svg).unwrap();
    assert!(plot.starts_with("<svg") || plot.contains("<svg"), "an SVG");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue 16: a Poisson stream of 10,000-element arrays grew past 4 GiB and aborted. The jobs
/// a scenario may generate are counted before running; over the bound (10^8 by default,
/// `--max-jobs N`) is exit 2 naming the entry and the count.
#[test]
fn too_many_jobs_are_refused_before_running() {
    let dir = std::env::temp_dir().join(format!("batchsim-bound-jobs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut value = tiny_rate_stream(serde_json::json!({"end": 1e6}));
    value["workload"][0]["arrivals"]["ratePerHour"] = 3600.0.into();
    value["workload"][0]["submitJob"]["arrayProperties"] = serde_json::json!({"size": 10000});
    value["workload"][0].as_object_mut().unwrap().remove("count");
    let path = dir.join("big.json");
    std::fs::write(&path, value.to_string()).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_batchsim"))
        .args(["run", path.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("workload[0]") && err.contains("1.000e10") && err.contains("--max-jobs"),
        "{err}"
    );
    let scenario = Scenario::from_file(&path).unwrap();
    assert_eq!(
        batchsim::scenario::jobs_of_entry(&scenario.workload()[0], None),
        Some(1e6 * 10_001.0),
        "10^6 arrivals of a parent and 10,000 children"
    );
    assert!(batchsim::scenario::check_job_bound(&scenario, None, 20_000_000_000).is_ok());
    // Under a lower bound the error is typed: which entry, about how many jobs, the bound.
    let over = batchsim::scenario::check_job_bound(&scenario, None, 1_000).unwrap_err();
    assert_eq!(
        over,
        batchsim::scenario::JobBoundError::Entry {
            entry: 0,
            jobs: 1e6 * 10_001.0,
            max_jobs: 1_000
        }
    );
    assert_eq!(
        over.to_string(),
        "workload[0]: may generate about 1.000e10 jobs, over the bound of 1000 (raise it with --max-jobs N)"
    );
    let _ = std::fs::remove_dir_all(&dir);
    // The override: quickstart has 20 jobs.
    let quick = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/quickstart.json");
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_batchsim"))
        .args(["run", quick, "--max-jobs", "19"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("workload[0]: may generate about 2.000e1 jobs"));
    let ran = std::process::Command::new(env!("CARGO_BIN_EXE_batchsim"))
        .args(["run", quick, "--max-jobs", "20"])
        .output()
        .unwrap();
    assert_eq!(ran.status.code(), Some(0));
}

fn batchsim(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_batchsim"))
        .args(args)
        .output()
        .unwrap()
}

/// Issue 16: a trace's jobs count toward the bound. Its lines are counted while the scenario
/// is validated (the file is read through then anyway), so a 50-line trace is refused under
/// `--max-jobs 49`, naming the entry and the count. Before, traces were not counted at all.
#[test]
fn a_trace_counts_its_lines_toward_the_job_bound() {
    let dir = std::env::temp_dir().join(format!("batchsim-bound-trace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let swf: String = (1..=50u64)
        .map(|i| format!("{i} {} -1 60 1 -1 -1 1 120 -1 1 1 1 -1 -1 -1 -1 -1\n", i * 10))
        .collect();
    std::fs::write(dir.join("fifty.swf"), swf).unwrap();
    let template =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/kth-sp2-easy.json")).unwrap();
    let mut value: serde_json::Value = serde_json::from_str(&template).unwrap();
    value["workload"][0]["trace"]["path"] = "fifty.swf".into();
    let path = dir.join("fifty.json");
    std::fs::write(&path, value.to_string()).unwrap();
    let scenario = Scenario::from_file(&path).unwrap();
    assert_eq!(
        batchsim::scenario::jobs_of_entry(&scenario.workload()[0], None),
        Some(50.0)
    );
    let p = path.to_str().unwrap();
    let refused = batchsim(&["run", p, "--max-jobs", "49"]);
    let err = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{err}");
    assert!(
        err.contains("workload[0]: may generate about 5.000e1 jobs, over the bound of 49"),
        "{err}"
    );
    assert_eq!(batchsim(&["run", p, "--max-jobs", "50"]).status.code(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue 16: `sweep` checks the bound per run (each combination of `--set` values), naming
/// the run, the entry and the count; `--max-jobs` overrides it. Before, sweep had no bound.
#[test]
fn sweep_refuses_a_run_over_the_job_bound() {
    let quick = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/quickstart.json");
    let args = ["sweep", quick, "--seeds", "1..2", "--set", "workload[0].count=10,30"];
    let refused = batchsim(&[&args[..], &["--max-jobs", "20"]].concat());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{err}");
    assert!(
        err.contains("(run workload[0].count=30): workload[0]: may generate about 3.000e1 jobs, over the bound of 20"),
        "{err}"
    );
    assert!(refused.stdout.is_empty(), "nothing ran");
    let ran = batchsim(&[&args[..], &["--max-jobs", "30"]].concat());
    assert_eq!(ran.status.code(), Some(0), "{}", String::from_utf8_lossy(&ran.stderr));
}

/// A stream of `count` jobs named `name` of the job definition of the same name, one every
/// 10 s from `start`, each running `seconds`, to queue `q`.
fn every_10_s(name: &str, count: u32, start: u32, seconds: u32) -> serde_json::Value {
    serde_json::json!({"arrivals": {"process": "every", "seconds": 10}, "start": start, "count": count,
        "submitJob": {"jobName": name, "jobQueue": "q", "jobDefinition": name},
        "runtime": {"distribution": "fixed", "seconds": seconds}})
}

/// An EC2 job definition of 1 vCPU, `memory` MiB and, when given, `gpus` GPUs.
fn ec2_def(name: &str, memory: &str, gpus: Option<&str>) -> serde_json::Value {
    let mut needs = vec![
        serde_json::json!({"type": "VCPU", "value": "1"}),
        serde_json::json!({"type": "MEMORY", "value": memory}),
    ];
    needs.extend(gpus.map(|g| serde_json::json!({"type": "GPU", "value": g})));
    serde_json::json!({"jobDefinitionName": name, "type": "container", "platformCapabilities": ["EC2"],
        "containerProperties": {"image": "busybox", "resourceRequirements": needs}})
}

/// A scenario of one greedy backfilling queue `q` on one EC2 compute environment of
/// `instance` (BEST_FIT_PROGRESSIVE, `(minvCpus, maxvCpus)`, instances ready in 60 s, no
/// startup).
fn greedy_on_ec2(
    instance: &str,
    (min, max): (u32, u32),
    definitions: Vec<serde_json::Value>,
    workload: Vec<serde_json::Value>,
) -> serde_json::Value {
    serde_json::json!({
        "seed": 1,
        "computeEnvironments": [{"computeEnvironmentName": "ec2", "type": "MANAGED",
            "computeResources": {"type": "EC2", "minvCpus": min, "maxvCpus": max, "instanceTypes": [instance],
                "allocationStrategy": "BEST_FIT_PROGRESSIVE", "subnets": ["subnet-1"], "instanceRole": "ecsInstanceRole"},
            "simulation": {"instanceLaunchSeconds": 60, "startupSeconds": 0}}],
        "jobQueues": [{"jobQueueName": "q", "priority": 1,
            "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "ec2"}],
            "simulation": {"backfill": "greedy"}}],
        "jobDefinitions": definitions,
        "workload": workload
    })
}

/// A greedy EC2 queue whose backlog is of jobs no instance has the memory for (16 GiB on
/// m5.large), 6,000 of them, beside 6,000 small jobs that run. Found by a value-mutation
/// hunt through the command line (kth-sp2-greedy.json with its node type's memory set to
/// 1 MiB: 28,000 jobs took 78 s, against 0.1 s unmutated): backfilling bounded its
/// candidates by vCPUs only, so every pass behind the blocked head tried to place every
/// waiting job. With the bound on memory too, no pass visits them.
#[test]
fn a_backlog_without_memory_to_run_backfills_in_bounded_time() {
    let v = greedy_on_ec2(
        "m5.large",
        (0, 16),
        vec![ec2_def("big", "16384", None), ec2_def("small", "1024", None)],
        vec![every_10_s("big", 6000, 0, 30), every_10_s("small", 6000, 5, 30)],
    );
    let scenario = Scenario::from_value(&v, "memory.json").unwrap();
    let report = run_within(scenario, HANG_GUARD);
    assert_eq!(report.jobs.submitted, 12_000);
    // Every small job runs (greedy backfilling behind the blocked head); no big one can.
    assert_eq!(report.jobs.succeeded, 6_000, "{:?}", report.jobs);
    assert_eq!(report.jobs.unfinished, 6_000, "{:?}", report.jobs);
}

/// The same with GPUs: a greedy queue on one p3.2xlarge (8 vCPUs, 1 GPU) whose backlog is
/// of GPU jobs, 3,000 of them, each holding the GPU for an hour, beside 3,000 CPU jobs that
/// use the other vCPUs. Found by the same hunt (a GPU job definition on m5 instances, which
/// have none: 20,000 jobs took 23.5 s, against 0.01 s without backfilling): while no
/// instance with a free vCPU has a free GPU, no pass visits the GPU jobs (this run: 1.47 s
/// before, under 0.01 s now).
#[test]
fn a_backlog_waiting_for_a_gpu_backfills_in_bounded_time() {
    let v = greedy_on_ec2(
        "p3.2xlarge",
        (8, 8),
        vec![ec2_def("gpu", "1024", Some("1")), ec2_def("cpu", "1024", None)],
        vec![every_10_s("gpu", 3000, 0, 3600), every_10_s("cpu", 3000, 5, 30)],
    );
    let scenario = Scenario::from_value(&v, "gpu.json").unwrap();
    let report = run_within(scenario, HANG_GUARD);
    assert_eq!(report.jobs.submitted, 6_000);
    // The GPU jobs run one at a time, an hour each; every CPU job runs beside them.
    assert_eq!(report.jobs.succeeded, 6_000, "{:?}", report.jobs);
    assert!(report.end_seconds >= 3_000.0 * 3_600.0, "{}", report.end_seconds);
}

/// A job definition for the consumable-resource tests below: 1 vCPU unless `vcpus`, and a
/// unit of `quota` when `quota`.
fn fargate_def(name: &str, vcpus: &str, quota: bool) -> serde_json::Value {
    let mut d = serde_json::json!({"jobDefinitionName": name, "type": "container", "platformCapabilities": ["FARGATE"],
        "containerProperties": {"image": "busybox", "resourceRequirements": [
            {"type": "VCPU", "value": vcpus}, {"type": "MEMORY", "value": if vcpus == "4" { "8192" } else { "2048" }}]}});
    if quota {
        d["consumableResourceProperties"] =
            serde_json::json!({"consumableResourceList": [{"consumableResource": "quota", "quantity": 1}]});
    }
    d
}

/// And with consumable resources: a greedy queue whose head waits for vCPUs (a 4-vCPU job
/// behind three day-long ones on 4 vCPUs) and whose backlog is of jobs needing a
/// NON_REPLENISHABLE quota that is used up, beside jobs that run on the free vCPU. Found
/// with the GPU case: 12,000 such jobs took 5.3 s (7.2 s with a REPLENISHABLE licence),
/// against 0.01 s without backfilling; the jobs short of a resource with nothing left are
/// no longer visited. They are still woken: the quota's ADD at 100,000 s starts them at
/// once, as before the skip, when the visit registered the queue as waiting on the quota
/// (without the registration they started at 200,000 s, when the day-long jobs ended).
#[test]
fn a_backlog_short_of_a_consumable_backfills_in_bounded_time_and_wakes_when_it_returns() {
    let v = serde_json::json!({
        "seed": 1,
        "consumableResources": [{"consumableResourceName": "quota", "totalQuantity": 1, "resourceType": "NON_REPLENISHABLE"}],
        "computeEnvironments": [{"computeEnvironmentName": "f", "type": "MANAGED",
            "computeResources": {"type": "FARGATE", "maxvCpus": 4, "subnets": ["subnet-1"]},
            "simulation": {"startupSeconds": 0}}],
        "jobQueues": [{"jobQueueName": "q", "priority": 1,
            "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "f"}],
            "simulation": {"backfill": "greedy"}}],
        "jobDefinitions": [fargate_def("long", "1", false), fargate_def("wide", "4", false),
            fargate_def("quota", "1", true), fargate_def("plain", "1", false)],
        "workload": [every_10_s("long", 3, 0, 200_000), every_10_s("wide", 1, 5, 10),
            every_10_s("quota", 3000, 20, 5), every_10_s("plain", 3000, 25, 5)],
        "actions": [{"at": 100_000, "updateConsumableResource":
            {"consumableResource": "quota", "operation": "ADD", "quantity": 10}}]
    });
    let scenario = Scenario::from_value(&v, "quota.json").unwrap();
    let report = run_within(scenario, HANG_GUARD);
    assert_eq!(report.jobs.submitted, 6_004);
    // 3 long + 1 wide + 3,000 plain + 1 quota job on the first unit + 10 on the ADD.
    assert_eq!(report.jobs.succeeded, 3_015, "{:?}", report.jobs);
    assert_eq!(report.jobs.unfinished, 2_989, "{:?}", report.jobs);

    // When the quota jobs started, from the job table.
    let dir = std::env::temp_dir().join(format!("batchsim-bound-quota-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (file, table) = (dir.join("quota.json"), dir.join("jobs.csv"));
    std::fs::write(&file, v.to_string()).unwrap();
    let out = batchsim(&["run", file.to_str().unwrap(), "--jobs", table.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&table).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (name, started) = (col("jobName"), col("startedAt"));
    let starts: Vec<f64> = lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|c| c[name] == "quota" && !c[started].is_empty())
        .map(|c| c[started].parse().unwrap())
        .collect();
    assert_eq!(starts.len(), 11, "{starts:?}");
    assert_eq!(starts[0], 20.0);
    assert_eq!(starts[1], 100_000.0, "the ADD wakes the queue: {starts:?}");
    assert!(starts[10] < 100_100.0, "{starts:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}
