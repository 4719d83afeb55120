//! Scheduler and scaling latency (issue 11, item 14): the scheduler's evaluation cycle
//! (`simulation.schedulingIntervalSeconds`), the SUBMITTED -> RUNNABLE delay
//! (`simulation.submittedToRunnableSeconds`) and a compute environment's scale-out cooldown
//! (`simulation.scaleOutCooldownSeconds`), each run from a scenario file in
//! `tests/data/latency/` with hand-computed times.
//!
//! Every one of these fails on the code before item 14: it refused the settings as unknown
//! fields, and (without them) decided everything at the instant it became possible.

mod common;

use batchsim::{JobRecord, Options, Report, Scenario, Simulation};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::process::Command;

fn data(name: &str) -> String {
    format!("{}/tests/data/latency/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn run_file(name: &str) -> (Report, Vec<JobRecord>) {
    let s = Scenario::from_file(data(name)).unwrap_or_else(|e| panic!("{e}"));
    let options = Options {
        record_jobs: true,
        ..Options::default()
    };
    Simulation::new(&s, options).unwrap().run_with_records()
}

fn job<'a>(rows: &'a [JobRecord], name: &str) -> &'a JobRecord {
    rows.iter()
        .find(|r| &*r.job_name == name)
        .unwrap_or_else(|| panic!("no job {name}"))
}

fn secs(t: Option<batchsim::SimTime>) -> Option<f64> {
    t.map(|t| t.as_secs_f64())
}

#[test]
fn jobs_wait_runnable_for_the_next_scheduling_cycle() {
    // AWS: "the AWS Batch Scheduler periodically evaluates jobs in the queue and moves them
    // forward as appropriate ... with each scheduling interval" (AWS re:Post,
    // https://repost.aws/questions/QUphyxFTy0TaSeUUTlBDyZvg/batch-queues-and-jobs-quotas).
    // Interval 30 s, one free vCPU: `a` submitted at 10 s is RUNNABLE at once and starts at
    // the 30 s cycle (wait 20 s), runs 25 s to 55 s. `b` submitted at 40 s waits for the
    // cycle at 60 s: the vCPU `a` freed at 55 s is seen at 60 s (wait 20 s), ends at 70 s.
    let (r, rows) = run_file("interval.json");
    let a = job(&rows, "a");
    assert_eq!(secs(a.runnable_at), Some(10.0));
    assert_eq!(secs(a.started_at), Some(30.0));
    assert_eq!(a.wait.map(|w| w.as_secs_f64()), Some(20.0));
    assert_eq!(secs(a.stopped_at), Some(55.0));
    let b = job(&rows, "b");
    assert_eq!(secs(b.runnable_at), Some(40.0));
    assert_eq!(secs(b.started_at), Some(60.0));
    assert_eq!(secs(b.stopped_at), Some(70.0));
    assert_eq!(r.wait_seconds.stats.max, Some(20.0));
    assert_eq!(r.end_seconds, 70.0);
    // Turnaround counts from the submission: 45 s and 30 s.
    assert_eq!(r.turnaround_seconds.max, Some(45.0));
    assert_eq!(r.turnaround_seconds.mean, Some(37.5));
}

#[test]
fn a_submitted_job_becomes_runnable_after_the_delay() {
    // AWS: a SUBMITTED job is one that "has not yet been evaluated by the scheduler. The
    // scheduler evaluates the job to determine if it has any outstanding dependencies on the
    // successful completion of any other jobs. If there are dependencies, the job is moved to
    // PENDING. If there are no dependencies, the job is moved to RUNNABLE." (User Guide,
    // Job states). Delay 5 s: `a` submitted at 10 s is RUNNABLE at 15 s and starts then
    // (wait 0: the wait counts from RUNNABLE, CONTRACT 7.4), ends at 35 s. `b` (submitted at
    // 11 s, depends on `a`) is evaluated at 16 s, PENDING until `a` succeeds at 35 s, then
    // RUNNABLE at once ("After the dependencies are satisfied, the job is moved to
    // RUNNABLE"), ends at 40 s.
    let (r, rows) = run_file("submitted.json");
    let a = job(&rows, "a");
    assert_eq!(a.submitted_at.as_secs_f64(), 10.0);
    assert_eq!(secs(a.runnable_at), Some(15.0));
    assert_eq!(secs(a.started_at), Some(15.0));
    assert_eq!(a.wait.map(|w| w.as_secs_f64()), Some(0.0));
    assert_eq!(secs(a.stopped_at), Some(35.0));
    let b = job(&rows, "b");
    assert_eq!(secs(b.runnable_at), Some(35.0));
    assert_eq!(secs(b.stopped_at), Some(40.0));
    assert_eq!(r.wait_seconds.stats.max, Some(0.0));
    // The turnaround includes the SUBMITTED time: 25 s for `a`, 29 s for `b`.
    assert_eq!(r.turnaround_seconds.mean, Some(27.0));
    assert_eq!(r.turnaround_seconds.max, Some(29.0));
}

#[test]
fn a_submitted_job_is_submitted_until_evaluated_and_can_be_cancelled_then() {
    // AWS CancelJob: "Jobs that are in the SUBMITTED, PENDING, or RUNNABLE state are
    // cancelled."
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(data("submitted.json")).unwrap()).unwrap();
    v["actions"] = json!([{"at": 12, "cancelJob": {"jobId": "a", "reason": "not needed"}}]);
    let s = Scenario::from_value(&v, "cancel.json").unwrap_or_else(|e| panic!("{e}"));
    let mut sim = Simulation::new(&s, Options::default()).unwrap();
    sim.run_until(batchsim::SimTime::from_millis(11_000));
    let live = sim.live_counts();
    assert_eq!(live.get(&batchsim::JobStatus::Submitted), Some(&2), "{live:?}");
    let r = sim.run();
    assert_eq!(r.jobs.cancelled, 1);
    // `b` (still SUBMITTED) depended on `a`, which did not succeed: `b` fails.
    assert_eq!(r.jobs.failed, 1);
    assert_eq!(r.jobs.succeeded, 0);
}

#[test]
fn a_second_burst_waits_for_the_scale_out_cooldown() {
    // Cooldown 60 s, launch 20 s, m5.large (2 vCPU). At 0 s a 2-vCPU and a 1-vCPU job make
    // one scale-out decision: two instances, ready at 20 s. At 10 s a 1-vCPU job takes the
    // free vCPU of the launching second instance (launching room is still used) and starts
    // at 20 s; a 2-vCPU job needs a new instance, so it waits for the cooldown to end at
    // 60 s, launches one, and starts when it is ready at 80 s (wait 70 s; 20 s without the
    // cooldown).
    let (r, rows) = run_file("cooldown.json");
    let ce = &r.compute_environments["ec2"];
    assert_eq!(ce.instances_launched, 3);
    assert_eq!(secs(job(&rows, "first-1").started_at), Some(20.0));
    assert_eq!(secs(job(&rows, "first-2").started_at), Some(20.0));
    assert_eq!(secs(job(&rows, "second-1").started_at), Some(20.0));
    let late = job(&rows, "second-2");
    assert_eq!(secs(late.runnable_at), Some(10.0));
    assert_eq!(secs(late.started_at), Some(80.0));
    assert_eq!(late.wait.map(|w| w.as_secs_f64()), Some(70.0));
    assert_eq!(r.wait_seconds.stats.max, Some(70.0));
    // Instances idle 30 s after their last job: the first two at 150 s, the third at 210 s.
    assert_eq!(r.end_seconds, 210.0);

    // The same file without the cooldown: the second burst launches at 10 s.
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(data("cooldown.json")).unwrap()).unwrap();
    v["computeEnvironments"][0]["simulation"]["scaleOutCooldownSeconds"] = json!(0);
    let (r, rows) = common::run_records(&v);
    assert_eq!(secs(job(&rows, "second-2").started_at), Some(30.0));
    assert_eq!(r.wait_seconds.stats.max, Some(20.0));
}

#[test]
fn an_instance_ready_between_cycles_waits_for_the_next_pass_before_scaling_in() {
    // Cycle 60 s, launch 45 s, idle time 10 s. `j` (submitted at 10 s) is looked at at 60 s:
    // an instance is launched, ready at 105 s; the scheduler places `j` on it at the 120 s
    // cycle. Scale-in follows the pass (CONTRACT 7.14 d), so the instance, idle since 105 s,
    // is not terminated at 115 s before the scheduler has looked (that relaunched an
    // instance every cycle and `j` never ran).
    let (r, rows) = run_file("cycle-scale-in.json");
    assert_eq!(r.jobs.succeeded, 1);
    let j = job(&rows, "j");
    assert_eq!(secs(j.runnable_at), Some(10.0));
    assert_eq!(secs(j.started_at), Some(120.0));
    assert_eq!(r.compute_environments["ec2"].instances_launched, 1);
    // Ends at 150 s; idle 10 s, terminated after the next pass... none is needed: at 160 s.
    assert_eq!(r.end_seconds, 160.0);
}

#[test]
fn a_run_with_a_cycle_and_no_work_ends() {
    // (That a cycle costs a pass only when one is needed is a unit test of
    // `engine/latency.rs`, which counts the cycles visited.)
    let base = json!({
        "simulation": {"schedulingIntervalSeconds": 30},
        "computeEnvironments": [common::fargate_ce("f", 4)],
        "jobQueues": [common::queue("q", 1, &["f"])],
        "jobDefinitions": [common::fargate_def("d", "1", "2048")]});
    let r = common::run(&base);
    assert_eq!((r.end_seconds, r.events), (0.0, 0));
}

/// A small random scenario over Fargate and EC2 capacity, with dependencies and an array.
fn scenario_strategy() -> impl Strategy<Value = Value> {
    (
        any::<u64>(),
        1u32..=6,
        prop_oneof![Just("FARGATE"), Just("EC2"), Just("SPOT")],
        proptest::collection::vec((0u32..300, 1u32..200, 0usize..2, any::<bool>()), 1..10),
        1u32..=40,
        0u32..=3,
    )
        .prop_map(|(seed, max, kind, subs, every, arrays)| {
            let ce = if kind == "FARGATE" {
                common::fargate_ce("ce", max)
            } else {
                json!({"computeEnvironmentName": "ce", "type": "MANAGED",
                   "computeResources": {"type": kind, "minvCpus": 0, "maxvCpus": max * 2, "instanceTypes": ["m5.large", "c5.xlarge"],
                       "allocationStrategy": if kind == "SPOT" { "SPOT_CAPACITY_OPTIMIZED" } else { "BEST_FIT" },
                       "subnets": ["s"], "instanceRole": "r"},
                   "simulation": {"instanceLaunchSeconds": 45, "startupSeconds": 3, "scaleInIdleSeconds": 20}})
            };
            let platform = if kind == "FARGATE" { "FARGATE" } else { "EC2" };
            let defs: Vec<Value> = [("small", "1", "2048"), ("big", "2", "4096")]
                .iter()
                .map(|(n, v, m)| {
                    json!({"jobDefinitionName": n, "type": "container", "platformCapabilities": [platform],
                       "containerProperties": {"image": "busybox", "resourceRequirements": [
                           {"type": "VCPU", "value": v}, {"type": "MEMORY", "value": m}]}})
                })
                .collect();
            let mut subs = subs;
            subs.sort_by_key(|s| s.0);
            let mut workload: Vec<Value> = subs
                .iter()
                .enumerate()
                .map(|(i, (at, run, d, dep))| {
                    let mut sj = json!({"jobName": format!("s{i}"), "jobQueue": "q",
                        "jobDefinition": if *d == 0 { "small" } else { "big" }});
                    if *dep && i > 0 {
                        sj["dependsOn"] = json!([{"jobId": format!("s{}", i - 1)}]);
                    }
                    if i == 0 && arrays > 0 {
                        sj["arrayProperties"] = json!({"size": arrays + 1});
                    }
                    json!({"at": at, "submitJob": sj, "runtime": {"distribution": "fixed", "seconds": run}})
                })
                .collect();
            workload.push(json!({"arrivals": {"process": "every", "seconds": every}, "count": 5,
                "submitJob": {"jobName": "st", "jobQueue": "q", "jobDefinition": "small"},
                "runtime": {"distribution": "exponential", "meanSeconds": 50}}));
            // `until` bounds a run that would never end (a livelock shows as unfinished jobs).
            json!({"seed": seed, "until": 100_000, "computeEnvironments": [ce], "jobQueues": [common::queue("q", 1, &["ce"])],
                   "jobDefinitions": defs, "workload": workload})
        })
}

fn with_latency(v: &Value, interval: f64, submitted: f64, cooldown: f64) -> Value {
    let mut v = v.clone();
    v["simulation"] = json!({"schedulingIntervalSeconds": interval, "submittedToRunnableSeconds": submitted});
    if v["computeEnvironments"][0]["computeResources"]["type"] != "FARGATE" {
        v["computeEnvironments"][0]["simulation"]["scaleOutCooldownSeconds"] = json!(cooldown);
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    /// All settings 0 is the model without them: the same report and the same job table.
    #[test]
    fn zero_latency_is_the_run_without_the_settings(v in scenario_strategy()) {
        let plain = common::run_records(&v);
        let zero = common::run_records(&with_latency(&v, 0.0, 0.0, 0.0));
        prop_assert_eq!(plain.0.to_json(), zero.0.to_json());
        prop_assert_eq!(plain.1, zero.1);
    }

    /// With a cycle of `i` seconds on Fargate (startup 0), every attempt starts at a multiple
    /// of `i`; with a SUBMITTED delay `d`, no job is RUNNABLE before its submission plus `d`.
    #[test]
    fn fargate_starts_fall_on_cycles_and_runnable_follows_the_delay(
        v in scenario_strategy(), interval in 1u32..=45, delay in 0u32..=20,
    ) {
        let v = with_latency(&v, f64::from(interval), f64::from(delay), 30.0);
        let fargate = v["computeEnvironments"][0]["computeResources"]["type"] == "FARGATE";
        let (r, rows) = common::run_records(&v);
        prop_assert_eq!(r.jobs.submitted, r.jobs.succeeded + r.jobs.failed + r.jobs.cancelled + r.jobs.unfinished);
        // Latency delays work, never prevents it: what is left unfinished (a job no compute
        // environment can hold) is what is left without it. (A cycle that let an idle
        // instance scale in before the pass that would use it kept jobs RUNNABLE for ever.)
        let plain = common::run(&with_latency(&v, 0.0, 0.0, 0.0));
        prop_assert_eq!(r.jobs.unfinished, plain.jobs.unfinished);
        for row in &rows {
            if let Some(at) = row.runnable_at {
                prop_assert!(at.as_millis() >= row.submitted_at.as_millis() + u64::from(delay) * 1000,
                    "{} RUNNABLE at {} s, submitted at {} s", row.job_name, at, row.submitted_at);
            }
            if let (true, Some(start)) = (fargate, row.started_at) {
                prop_assert_eq!(start.as_millis() % (u64::from(interval) * 1000), 0,
                    "{} started at {} s", &row.job_name, start);
            }
        }
    }
}

fn batchsim(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_batchsim"))
        .args(args)
        .output()
        .expect("run batchsim")
}

#[test]
fn bad_latency_settings_exit_2_naming_the_json_path() {
    let dir = common::temp_dir("latency-bad");
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(data("cooldown.json")).unwrap()).unwrap();
    v["simulation"] = json!({"schedulingIntervalSeconds": -30, "submittedToRunnableSeconds": "soon"});
    v["computeEnvironments"][0]["simulation"]["scaleOutCooldownSeconds"] = json!(-1);
    let path = dir.join("bad.json");
    std::fs::write(&path, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    let p = path.display().to_string();
    for verb in ["validate", "run"] {
        let o = batchsim(&[verb, &p]);
        assert_eq!(o.status.code(), Some(2), "{verb}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("bad.json"), "{verb}: {err}");
        // Structure first: the wrong JSON type is found before the values are read.
        assert!(err.contains("simulation.submittedToRunnableSeconds"), "{verb}: {err}");
    }
    v["simulation"]["submittedToRunnableSeconds"] = json!(5);
    std::fs::write(&path, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    let o = batchsim(&["validate", &p]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("simulation.schedulingIntervalSeconds"), "{err}");
    assert!(err.contains("found -30"), "{err}");
    assert!(
        err.contains("computeEnvironments[0].simulation.scaleOutCooldownSeconds"),
        "{err}"
    );
    assert!(err.contains("2 problems"), "{err}");
}

#[test]
fn sweep_set_addresses_the_latency_settings() {
    let o = batchsim(&[
        "sweep",
        &data("interval.json"),
        "--seeds",
        "1",
        "--set",
        "simulation.schedulingIntervalSeconds=0,30",
        "--set",
        "simulation.submittedToRunnableSeconds=0,5",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("{header:?}"))
    };
    let (interval, delay, max) = (
        col("simulation.schedulingIntervalSeconds"),
        col("simulation.submittedToRunnableSeconds"),
        col("waitP99"),
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 4);
    let wait = |i: &str, d: &str| {
        rows.iter()
            .find(|r| r[interval] == i && r[delay] == d)
            .map(|r| r[max].parse::<f64>().unwrap())
            .unwrap_or_else(|| panic!("no row {i},{d}"))
    };
    // No latency: `a` starts at once; `b` (submitted at 40 s) finds the vCPU free (`a` ended
    // at 35 s): no wait. A 30 s cycle: both wait 20 s (the p99 of two is near the max).
    assert_eq!(wait("0", "0"), 0.0);
    assert!((wait("30", "0") - 20.0).abs() < 1e-9, "{}", wait("30", "0"));
    // RUNNABLE at 15 s and 45 s, started at 30 s and 60 s: 15 s each.
    assert!((wait("30", "5") - 15.0).abs() < 1e-9, "{}", wait("30", "5"));
    // A scenario without a `simulation` object: `--set` makes it (its fields are all
    // optional), or the object can be set whole.
    let quickstart = common::scenario_path("quickstart.json");
    let o = batchsim(&[
        "sweep",
        &quickstart,
        "--seeds",
        "1",
        "--set",
        "simulation.schedulingIntervalSeconds=0,30",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let by_key = String::from_utf8(o.stdout).unwrap();
    assert_eq!(by_key.lines().count(), 3, "{by_key}");
    let o = batchsim(&[
        "sweep",
        &quickstart,
        "--seeds",
        "1",
        "--set",
        r#"simulation={"schedulingIntervalSeconds":0},{"schedulingIntervalSeconds":60}"#,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8(o.stdout).unwrap().lines().count(), 3);
    // The CE's cooldown is addressed by name like any CE field.
    let o = batchsim(&[
        "sweep",
        &data("cooldown.json"),
        "--seeds",
        "1",
        "--set",
        "computeEnvironments[ec2].simulation.scaleOutCooldownSeconds=0,60",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    assert_eq!(text.lines().count(), 3, "{text}");
}
