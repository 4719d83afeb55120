//! LAMBDA compute environments (a simulation extension) and `batchsim compare` (issue 15,
//! item 2): the 15-minute limit, the bill by the GB-second and request, cold starts and warm
//! reuse, the concurrency limit and the scaling rate, each on the AWS Lambda sentence it
//! rests on, and the comparison's output.

mod common;

use batchsim::model::lambda;
use batchsim::{JobRecord, JobStatus, Options, Simulation};
use common::{batchsim, load, run_records, scenario_path};
use serde_json::{json, Value};

/// A scenario of one LAMBDA compute environment (settings `lambda` under
/// `simulation.lambda`), one queue, the given definitions `(name, vcpus, memory)` and
/// workload.
fn on_lambda(settings: Value, defs: &[(&str, &str, &str)], workload: Value) -> Value {
    let defs: Vec<Value> = defs
        .iter()
        .map(|(n, v, m)| {
            json!({"jobDefinitionName": n, "type": "container",
                   "containerProperties": {"resourceRequirements": [
                       {"type": "VCPU", "value": v}, {"type": "MEMORY", "value": m}]}})
        })
        .collect();
    json!({
        "name": "lambda-test", "seed": 3,
        "computeEnvironments": [{"computeEnvironmentName": "fn", "type": "MANAGED",
            "computeResources": {"type": "LAMBDA", "maxvCpus": 100000},
            "simulation": {"lambda": settings}}],
        "jobQueues": [{"jobQueueName": "q", "priority": 1,
            "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "fn"}]}],
        "jobDefinitions": defs,
        "workload": workload
    })
}

/// `n` jobs of `def` submitted at `at`, each running `secs`.
fn burst(name: &str, def: &str, at: f64, n: u32, secs: f64) -> Value {
    let submit = if n > 1 {
        json!({"jobName": name, "jobQueue": "q", "jobDefinition": def, "arrayProperties": {"size": n}})
    } else {
        json!({"jobName": name, "jobQueue": "q", "jobDefinition": def})
    };
    json!({"at": at, "submitJob": submit, "runtime": {"distribution": "fixed", "seconds": secs}})
}

fn cold_starts(scenario: &Value) -> u64 {
    let mut sim = Simulation::new(&load(scenario), Options::default()).expect("runs");
    while sim.step() {}
    let cold = sim.lambda_cold_starts().map(|(_, n)| n).sum();
    cold
}

fn secs(t: Option<batchsim::SimTime>) -> f64 {
    t.map_or(f64::NAN, |t| t.as_secs_f64())
}

fn named<'a>(records: &'a [JobRecord], name: &str) -> Vec<&'a JobRecord> {
    records.iter().filter(|r| &*r.job_name == name).collect()
}

/// "Timeout is the maximum amount of time in seconds that a Lambda function can run. ... up
/// to a maximum value of 900 seconds (15 minutes)." (AWS Lambda Developer Guide, Configure
/// Lambda function timeout.)
#[test]
fn an_attempt_past_fifteen_minutes_fails_with_the_lambda_timeout() {
    let s = on_lambda(
        json!({"coldStartSeconds": 0}),
        &[("d", "1", "2048")],
        json!([burst("ok", "d", 0.0, 1, 900.0), burst("long", "d", 0.0, 1, 901.0)]),
    );
    let (report, records) = run_records(&s);
    let ok = named(&records, "ok")[0];
    let long = named(&records, "long")[0];
    // A run equal to the limit succeeds (as with AWS Batch's own timeout).
    assert_eq!(ok.status, JobStatus::Succeeded);
    assert_eq!(long.status, JobStatus::Failed);
    assert_eq!(long.status_reason.as_deref(), Some(lambda::REASON_LAMBDA_TIMEOUT));
    assert_eq!(secs(long.stopped_at), 900.0);
    // Not retried: one attempt.
    assert_eq!(long.attempts, 1);
    assert_eq!(report.jobs.failed, 1);
}

/// The bill: "Duration is calculated from the time your code begins executing until it
/// returns or otherwise terminates, rounded up to the nearest 1ms" (AWS Lambda pricing), INIT
/// included ("Effective August 1, 2025, AWS will standardize billing for the initialization
/// (INIT) phase across all AWS Lambda function configurations", AWS Compute Blog), at the
/// us-east-1 prices $0.0000166667 per GB-second (x86), $0.0000133334 (Arm) and $0.20 per
/// million requests.
#[test]
fn the_lambda_bill_is_the_hand_computed_gb_seconds_and_requests_to_the_cent() {
    // 1,000 jobs of 2 vCPUs / 4,096 MiB for 300 s, cold start 1 s: the function has 4,096 MB
    // (more than the 3,538 MB that 2 vCPUs need at 1,769 MB per vCPU), billed 301 s each:
    //   1,000 x 301 s x 4 GB          = 1,204,000 GB-s x $0.0000166667 = $20.0667068
    //   1,000 requests x $0.20 / 1M                                      = $0.0002
    // 200 Arm jobs of 1 vCPU / 1,024 MiB for 60 s (billed 61 s with the cold start):
    // the function has 1,769 MB (1 vCPU), 1.7275390625 GB:
    //   200 x 61 s x 1.7275390625 GB  = 21,075.9765625 GB-s x $0.0000133334 = $0.2810144...
    //   200 requests                                                     = $0.00004
    // Total $20.3479612... Concurrency and scaling rate 2,000 let all 1,200 start at once.
    let mut s = on_lambda(
        json!({"coldStartSeconds": 1, "accountConcurrency": 2000, "scalingRate": 2000}),
        &[("big", "2", "4096"), ("arm", "1", "1024")],
        json!([
            burst("x86", "big", 0.0, 1000, 300.0),
            burst("graviton", "arm", 0.0, 200, 60.0)
        ]),
    );
    s["jobDefinitions"][1]["containerProperties"]["runtimePlatform"] = json!({"cpuArchitecture": "ARM64"});
    let (report, _) = run_records(&s);
    let x86: f64 = 1000.0 * 301.0 * 4.0 * 0.000_016_666_7 + 1000.0 * 0.20 / 1e6;
    let arm: f64 = 200.0 * 61.0 * (1769.0 / 1024.0) * 0.000_013_333_4 + 200.0 * 0.20 / 1e6;
    let want = x86 + arm;
    assert!((want - 20.347_961_2).abs() < 1e-6, "hand arithmetic: {want}");
    let got = report.cost.total;
    assert_eq!(
        (got * 100.0).round(),
        (want * 100.0).round(),
        "to the cent: {got} vs {want}"
    );
    assert!((got - want).abs() < 1e-9, "{got} vs {want}");
    assert_eq!(report.compute_environments["fn"].cost, got);
}

/// "After the execution completes, the execution environment is frozen. ... the Lambda
/// service retains the execution environment for a non-deterministic period of time. During
/// this time, if another request arrives for the same function, the service may reuse the
/// environment." (AWS Lambda Operator Guide, Lambda execution environments.) batchsim keeps
/// it `keepAliveSeconds` (default 300).
#[test]
fn a_burst_of_n_jobs_makes_n_cold_starts_and_a_second_burst_within_the_keep_alive_none() {
    let n = 50;
    let first = on_lambda(
        json!({"coldStartSeconds": 2}),
        &[("d", "1", "2048")],
        json!([burst("first", "d", 0.0, n, 30.0)]),
    );
    assert_eq!(cold_starts(&first), u64::from(n));
    // The first burst ends at 32 s; the second comes 200 s later, within 300 s.
    let mut two = first.clone();
    two["workload"]
        .as_array_mut()
        .expect("workload")
        .push(burst("second", "d", 232.0, n, 30.0));
    assert_eq!(
        cold_starts(&two),
        u64::from(n),
        "the second burst reuses every environment"
    );
    let (_, records) = run_records(&two);
    let second = named(&records, "second");
    assert_eq!(second.len(), n as usize);
    // Warm: RUNNING at submission, no cold-start latency (the first burst's took 2 s).
    assert!(second.iter().all(|r| secs(r.started_at) == 232.0));
    assert!(named(&records, "first").iter().all(|r| secs(r.started_at) == 2.0));
    // A third burst past the keep-alive (the environments went idle at 262 s) is cold again.
    let mut three = two.clone();
    three["workload"]
        .as_array_mut()
        .expect("workload")
        .push(burst("third", "d", 562.0, n, 30.0));
    assert_eq!(cold_starts(&three), 2 * u64::from(n));
}

/// Reserved concurrency "represents the maximum number of concurrent instances allocated to
/// your function" (AWS Lambda Developer Guide, Configuring reserved concurrency): jobs past it
/// wait in the queue.
#[test]
fn the_concurrency_limit_queues_jobs() {
    let s = on_lambda(
        json!({"reservedConcurrency": 5, "coldStartSeconds": 1}),
        &[("d", "1", "2048")],
        json!([burst("j", "d", 0.0, 20, 60.0)]),
    );
    let (report, records) = run_records(&s);
    assert_eq!(report.jobs.succeeded, 20);
    assert!(report.wait_seconds.stats.mean.is_some_and(|w| w > 0.0));
    // Five at a time: dispatched at 0, 61, 121, 181 (the later ones warm, no cold start).
    let mut waits: Vec<f64> = records
        .iter()
        .map(|r| r.wait.map_or(f64::NAN, |w| w.as_secs_f64()))
        .collect();
    waits.sort_by(f64::total_cmp);
    assert_eq!(waits[..5], [0.0; 5]);
    assert_eq!(waits[5..10], [61.0; 5]);
    assert_eq!(waits[15..], [181.0; 5]);
    // Reserved concurrency must leave 100 of the account's executions unreserved:
    // "as long as you leave at least 100 simultaneous executions unreserved"
    // (PutFunctionConcurrency).
    let bad = on_lambda(
        json!({"reservedConcurrency": 901}),
        &[("d", "1", "2048")],
        json!([burst("j", "d", 0.0, 1, 1.0)]),
    );
    let e = batchsim::Scenario::from_value(&bad, "bad.json").expect_err("refused");
    assert!(
        e.to_string()
            .contains("computeEnvironments[0].simulation.lambda.reservedConcurrency"),
        "{e}"
    );
}

/// "In each AWS Region, and for each function, your concurrency scaling rate is 1,000
/// execution environment instances every 10 seconds" (AWS Lambda Developer Guide, Lambda
/// scaling behavior): here a rate of 10.
#[test]
fn the_scaling_rate_spaces_new_environments() {
    let s = on_lambda(
        json!({"scalingRate": 10, "coldStartSeconds": 0}),
        &[("d", "1", "2048")],
        json!([burst("j", "d", 0.0, 25, 100.0)]),
    );
    let (_, records) = run_records(&s);
    let mut starts: Vec<f64> = records.iter().map(|r| secs(r.started_at)).collect();
    starts.sort_by(f64::total_cmp);
    assert_eq!(starts[..10], [0.0; 10]);
    assert_eq!(starts[10..20], [10.0; 10]);
    assert_eq!(starts[20..], [20.0; 5]);
}

/// "You can configure memory between 128 MB and 10,240 MB" and "up to 6 vCPUs": a bigger job
/// never runs on Lambda, and does not block the jobs behind it in `compare`.
#[test]
fn compare_lists_the_40_minute_jobs_as_impossible_on_lambda() {
    let out = batchsim(&[
        "compare",
        &scenario_path("compare-lambda.json"),
        "--platforms",
        "lambda,fargate,ec2",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let platforms: Vec<&str> = v.as_object().expect("object").keys().map(String::as_str).collect();
    assert_eq!(platforms, ["lambda", "fargate", "ec2"]);
    let lambda = &v["lambda"]["impossible"];
    // Renders every 1,800 s over [0, 7,200): four 40-minute jobs.
    assert_eq!(lambda["count"], 4);
    assert_eq!(lambda["jobs"], json!(["render", "render", "render", "render"]));
    assert!(lambda["reason"].as_str().is_some_and(|r| r.contains("15-minute")));
    for p in ["fargate", "ec2"] {
        assert_eq!(v[p]["impossible"]["count"], 0, "{p}");
        assert_eq!(v[p]["jobs"]["failed"], 0, "{p}");
        assert!(v[p]["cost"].as_f64().is_some_and(|c| c > 0.0), "{p}");
        assert!(v[p]["waitSeconds"]["p95"].is_number(), "{p}");
        assert!(v[p]["turnaroundSeconds"]["mean"].is_number(), "{p}");
    }
    // The 30 s and 5 min jobs all succeed on Lambda.
    let submitted = v["lambda"]["jobs"]["submitted"].as_u64().expect("submitted");
    assert_eq!(v["lambda"]["jobs"]["succeeded"].as_u64(), Some(submitted - 4));
}

#[test]
fn compare_lists_jobs_too_big_for_a_platform_without_blocking_the_others() {
    let mut s = on_lambda(
        json!({}),
        &[("small", "1", "2048"), ("huge", "8", "16384")],
        json!([
            burst("huge-job", "huge", 0.0, 1, 60.0),
            burst("small-job", "small", 0.0, 3, 60.0)
        ]),
    );
    // The original runs on Fargate (valid sizes there).
    s["computeEnvironments"][0]["computeResources"]["type"] = json!("FARGATE");
    s["computeEnvironments"][0]["computeResources"]["maxvCpus"] = json!(64);
    s["computeEnvironments"][0]
        .as_object_mut()
        .expect("ce")
        .remove("simulation");
    for d in s["jobDefinitions"].as_array_mut().expect("defs") {
        d["platformCapabilities"] = json!(["FARGATE"]);
    }
    let dir = common::temp_dir("compare-big");
    let path = dir.join("big.json");
    std::fs::write(&path, serde_json::to_string(&s).expect("json")).expect("write");
    let out = batchsim(&["compare", path.to_str().expect("path"), "--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["lambda"]["impossible"]["jobs"], json!(["huge-job"]));
    assert_eq!(
        v["lambda"]["impossible"]["reason"],
        "`huge` needs 8 vCPUs, over Lambda's 6"
    );
    assert_eq!(v["lambda"]["jobs"]["succeeded"], 3, "the small jobs are not blocked");
    assert_eq!(v["fargate"]["impossible"]["count"], 0);
    assert_eq!(v["ec2"]["impossible"]["count"], 0);
    let text = batchsim(&["compare", path.to_str().expect("path")]);
    let text = String::from_utf8(text.stdout).expect("utf-8");
    assert!(
        text.contains("lambda: 1 job(s) cannot run (huge-job): `huge` needs 8 vCPUs"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_misspelt_platform_is_bad_input_with_a_suggestion() {
    let out = batchsim(&[
        "compare",
        &scenario_path("compare-lambda.json"),
        "--platforms",
        "lambda,fargte",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`fargte` is not a platform") && err.contains("did you mean `fargate`?"),
        "{err}"
    );
    let missing = batchsim(&["compare", "no-such-file.json"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no-such-file.json"));
}

#[test]
fn lambda_settings_are_checked_with_their_paths() {
    let mut s = on_lambda(json!({"keepAliveSecond": 3}), &[("d", "1", "2048")], json!([]));
    let e = batchsim::Scenario::from_value(&s, "t.json").expect_err("unknown field");
    assert!(e.to_string().contains("did you mean `keepAliveSeconds`?"), "{e}");
    s["computeEnvironments"][0]["simulation"] = json!({"startupSeconds": 3});
    let e = batchsim::Scenario::from_value(&s, "t.json").expect_err("startupSeconds");
    assert!(e.to_string().contains("coldStartSeconds"), "{e}");
    s["computeEnvironments"][0]["computeResources"]["type"] = json!("FARGATE");
    s["computeEnvironments"][0]["simulation"] = json!({"lambda": {}});
    let e = batchsim::Scenario::from_value(&s, "t.json").expect_err("lambda on Fargate");
    assert!(
        e.to_string().contains("applies to LAMBDA compute environments only"),
        "{e}"
    );
}

/// An imported account whose queues name their type (`"jobQueueType": "ECS"` on an EC2
/// queue) compares on every platform: the queue set up for Fargate takes the type of its
/// new compute environment. Before, `compare` stopped at Fargate with "jobQueues[2].
/// jobQueueType: \"ECS\" does not match the queue's compute environments" (found by the
/// value-mutation hunt of the twelfth session, on the bundled scenario itself).
#[test]
fn an_imported_scenario_with_queue_types_compares_on_every_platform() {
    let path = scenario_path("import/account-what-if.json");
    let out = batchsim(&["compare", &path, "--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    for p in ["lambda", "fargate", "ec2"] {
        let jobs = &v[p]["jobs"];
        assert!(jobs["submitted"].as_u64().is_some_and(|n| n > 300), "{p}: {jobs}");
    }
}

/// `compare` and `optimize` count a workload's jobs before running, as `run` does: a stream
/// of 86,400,000 jobs an hour took 19 GB and more than a minute in `compare` before it was
/// stopped (the hunt again); now it is refused with exit 2, naming the file and the entry.
#[test]
fn compare_and_optimize_refuse_a_workload_over_the_job_bound() {
    let dir = std::env::temp_dir().join(format!("batchsim-compare-bound-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut v: Value =
        serde_json::from_str(&std::fs::read_to_string(scenario_path("capacity-planning.json")).unwrap()).unwrap();
    v["workload"][0]["arrivals"] = json!({"process": "poisson", "ratePerHour": 86_400_000.0});
    let file = dir.join("huge.json");
    std::fs::write(&file, v.to_string()).unwrap();
    let file = file.to_str().unwrap();
    let compare = batchsim(&["compare", file]);
    let optimize = batchsim(&[
        "optimize",
        file,
        "--vary",
        "computeEnvironments[0].computeResources.maxvCpus=64,128",
        "--minimize",
        "cost",
    ]);
    for (what, out) in [("compare", &compare), ("optimize", &optimize)] {
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{what}: {err}");
        assert!(
            err.contains("huge.json") && err.contains("workload[0]") && err.contains("--max-jobs"),
            "{what}: {err}"
        );
    }
    assert!(
        String::from_utf8_lossy(&optimize.stderr).contains("maxvCpus=64"),
        "names the set-up"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
