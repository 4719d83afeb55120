//! Spot markets (issue 11, items 12 and 7): a price history per instance type, `bidPercentage`
//! as a launch condition, interruption rates per pool for the capacity-optimized strategies,
//! Fargate Spot windows without capacity, and the errors of a bad price file. Every figure is
//! worked by hand in the test's comments.

mod common;

use batchsim::{JobRecord, Options, Report, Scenario, Simulation};
use serde_json::{json, Value};
use std::path::Path;

fn spot_ce(types: &[&str], strategy: &str, bid: Option<u32>, sim: Value) -> Value {
    let mut ce = json!({"computeEnvironmentName": "spot", "type": "MANAGED",
        "computeResources": {"type": "SPOT", "minvCpus": 0, "maxvCpus": 64, "instanceTypes": types,
            "allocationStrategy": strategy, "subnets": ["subnet-1"], "instanceRole": "ecsInstanceRole"},
        "simulation": sim});
    if let Some(b) = bid {
        ce["computeResources"]["bidPercentage"] = json!(b);
    }
    ce
}

fn ec2_def() -> Value {
    json!({"jobDefinitionName": "d", "type": "container", "platformCapabilities": ["EC2"],
           "containerProperties": {"image": "busybox", "resourceRequirements": [
               {"type": "VCPU", "value": "2"}, {"type": "MEMORY", "value": "2048"}]}})
}

fn one_job(at: f64, seconds: f64) -> Value {
    json!({"at": at, "submitJob": {"jobName": "j", "jobQueue": "q", "jobDefinition": "d"},
           "runtime": {"distribution": "fixed", "seconds": seconds}})
}

/// A scenario of one SPOT compute environment, written with `files` into a fresh folder.
fn with_files(tag: &str, ce: Value, workload: Value, files: &[(&str, &[u8])]) -> (Scenario, std::path::PathBuf) {
    let dir = common::temp_dir(tag);
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    let v = json!({"computeEnvironments": [ce], "jobQueues": [common::queue("q", 1, &["spot"])],
                   "jobDefinitions": [ec2_def()], "workload": workload});
    let path = dir.join("scenario.json");
    std::fs::write(&path, v.to_string()).unwrap();
    (Scenario::from_file(&path).unwrap_or_else(|e| panic!("{e}")), dir)
}

fn run(s: &Scenario) -> (Report, Vec<JobRecord>) {
    let options = Options {
        record_jobs: true,
        ..Options::default()
    };
    Simulation::new(s, options).unwrap().run_with_records()
}

fn fast() -> Value {
    json!({"instanceLaunchSeconds": 60, "startupSeconds": 0, "scaleInIdleSeconds": 60})
}

fn sim_with(extra: Value) -> Value {
    let mut s = fast();
    for (k, v) in extra.as_object().unwrap() {
        s[k] = v.clone();
    }
    s
}

/// One m5.large runs from 0 (launched at once, READY at 60 s, the job 60-3660 s, idle 60 s,
/// terminated at 3720 s): 3720 s billed. Zone a: 0.03 $/h, then 0.06 from 1800 s; zone b 0.04
/// throughout: the lowest is 0.03 for 1800 s, then 0.04 for 1920 s. EC2 API reference,
/// DescribeSpotPriceHistory: "The price is valid within the time period that you specified;
/// the response merely indicates the last time that the price changed." The records are
/// given out of order (EC2 lists the newest first).
#[test]
fn one_instance_across_a_price_step_pays_each_price_for_its_seconds() {
    let csv = "timestamp,instanceType,spotPrice,availabilityZone\n\
               2026-11-01T00:30:00+00:00,m5.large,0.06,us-east-1a\n\
               2026-11-01T00:00:00+00:00,m5.large,0.03,us-east-1a\n\
               2026-11-01T00:00:00+00:00,m5.large,0.04,us-east-1b\n\
               2026-11-01T05:00:00+00:00,m5.large,0.05,us-east-1b\n";
    let sim = sim_with(json!({"spotPriceHistory": {"path": "prices.csv"}}));
    let (s, dir) = with_files(
        "spot-step",
        spot_ce(&["m5.large"], "SPOT_CAPACITY_OPTIMIZED", None, sim),
        json!([one_job(0.0, 3600.0)]),
        &[("prices.csv", csv.as_bytes())],
    );
    let (r, records) = run(&s);
    let _ = std::fs::remove_dir_all(dir);
    assert_eq!(records[0].started_at.map(|t| t.as_millis()), Some(60_000));
    // The step at 5 h matters to nobody: the run ends when the instance goes.
    assert_eq!(r.end_seconds, 3720.0);
    let ce = &r.compute_environments["spot"];
    let dollars = (1800.0 * 0.03 + 1920.0 * 0.04) / 3600.0;
    assert!((ce.cost - dollars).abs() < 1e-12, "{} vs {dollars}", ce.cost);
    let mean = ce.spot_price_paid_mean.unwrap();
    assert!((mean - dollars / (3720.0 / 3600.0)).abs() < 1e-12, "{mean}");
    let of_od = ce.spot_paid_of_on_demand.unwrap();
    assert!((of_od - mean / 0.096).abs() < 1e-12, "{of_od}");
}

/// API model, `ComputeResource.bidPercentage`: "The maximum percentage that a Spot Instance
/// price can be when compared with the On-Demand price for that instance type before
/// instances are launched." A 40% bid on m5.large ($0.096 On-Demand) is $0.0384: at $0.05
/// nothing launches; at 1000 s the price drops to $0.03, the instance launches, is READY at
/// 1060 s and the job starts then.
#[test]
fn a_bid_below_the_price_launches_nothing_until_the_price_drops() {
    let csv = "0,m5.large,0.05\n1000,m5.large,0.03\n";
    let sim = sim_with(json!({"spotPriceHistory": {"path": "p.csv"}}));
    let (s, dir) = with_files(
        "spot-bid",
        spot_ce(&["m5.large"], "BEST_FIT_PROGRESSIVE", Some(40), sim),
        json!([one_job(0.0, 100.0)]),
        &[("p.csv", csv.as_bytes())],
    );
    let (r, records) = run(&s);
    let _ = std::fs::remove_dir_all(dir);
    assert_eq!(records[0].started_at.map(|t| t.as_millis()), Some(1_060_000));
    assert_eq!(records[0].wait.map(|w| w.as_millis()), Some(1_060_000));
    assert_eq!(r.jobs.succeeded, 1);
    // Billed from the launch at 1000 s: READY 1060, job to 1160, idle to 1220: 220 s at $0.03.
    let ce = &r.compute_environments["spot"];
    assert!((ce.cost - 220.0 * 0.03 / 3600.0).abs() < 1e-12, "{}", ce.cost);
}

/// EC2 User Guide, *Spot Instance interruptions*: Amazon EC2 may interrupt a Spot Instance
/// for "Price: The Spot price is higher than your maximum price." At 600 s the price ($0.05)
/// passes the 40% bid ($0.0384): the instance gets its two-minute notice and is reclaimed at
/// 720 s. API model: "You always pay the lowest (market) price and never more than your
/// maximum percentage": 600 s at $0.03 and 120 s at the bid.
#[test]
fn a_price_above_the_bid_interrupts_running_instances() {
    let csv = "0,m5.large,0.03\n600,m5.large,0.05\n";
    let sim = sim_with(json!({"spotPriceHistory": {"path": "p.csv"}}));
    let (s, dir) = with_files(
        "spot-rise",
        spot_ce(&["m5.large"], "BEST_FIT_PROGRESSIVE", Some(40), sim),
        json!([one_job(0.0, 1000.0)]),
        &[("p.csv", csv.as_bytes())],
    );
    let (r, records) = run(&s);
    let _ = std::fs::remove_dir_all(dir);
    let ce = &r.compute_environments["spot"];
    assert_eq!(ce.interruptions, 1);
    assert_eq!(r.jobs.failed, 1);
    assert_eq!(records[0].stopped_at.map(|t| t.as_millis()), Some(720_000));
    assert!(records[0]
        .status_reason
        .as_deref()
        .unwrap()
        .starts_with("Host EC2 (instance"));
    let dollars = (600.0 * 0.03 + 120.0 * 0.096 * 0.4) / 3600.0;
    assert!((ce.cost - dollars).abs() < 1e-12, "{} vs {dollars}", ce.cost);
}

/// API model, `CRAllocationStrategy`: SPOT_CAPACITY_OPTIMIZED "Batch selects one or more
/// instance types that are large enough to meet the requirements of the jobs in the queue.
/// Its preference is for instance types that are less likely to be interrupted." c5.large is
/// cheaper per vCPU, but its pool is reclaimed 5 times an hour and m5.large's never: the
/// m5.large is launched (3120 s at 30% of $0.096) and nothing is reclaimed.
#[test]
fn capacity_optimized_prefers_the_less_interrupted_pool() {
    let sim = sim_with(json!({"interruptionsPerHour": {"default": 1.0, "c5": 5.0, "m5.large": 0.0}}));
    let v = json!({"computeEnvironments": [spot_ce(&["c5.large", "m5.large"], "SPOT_CAPACITY_OPTIMIZED", None, sim)],
                   "jobQueues": [common::queue("q", 1, &["spot"])], "jobDefinitions": [ec2_def()],
                   "workload": [one_job(0.0, 3000.0)]});
    let r = common::run(&v);
    let ce = &r.compute_environments["spot"];
    assert_eq!(ce.interruptions, 0);
    assert!((ce.cost - 3120.0 * 0.096 * 0.3 / 3600.0).abs() < 1e-12, "{}", ce.cost);
    assert_eq!(ce.spot_price_paid_mean, None, "no price history, no field");
    // Without the rates, the cheaper c5.large per vCPU is taken.
    let mut plain = v.clone();
    plain["computeEnvironments"][0]["simulation"] = fast();
    let r = common::run(&plain);
    assert!((r.compute_environments["spot"].cost - 3120.0 * 0.085 * 0.3 / 3600.0).abs() < 1e-12);
}

/// Amazon ECS Developer Guide (Fargate capacity providers): "During periods of extremely high
/// demand, Fargate Spot capacity might be unavailable. This can cause Fargate Spot tasks to be
/// delayed." AWS Batch API model, `ComputeEnvironmentOrder.order`: "Compute environments are
/// tried in ascending order. For example, if two compute environments are associated with a
/// job queue, the compute environment with a lower order integer value is tried for job
/// placement first." Fargate Spot is unavailable from 100 s to 200 s: b (150 s) runs on
/// FARGATE; d, on a queue with only Fargate Spot, waits until 200 s; a and c run on Fargate
/// Spot.
#[test]
fn a_fargate_spot_window_spills_over_to_fargate() {
    let spot = json!({"computeEnvironmentName": "fargate-spot", "type": "MANAGED",
        "computeResources": {"type": "FARGATE_SPOT", "maxvCpus": 16, "subnets": ["subnet-1"], "securityGroupIds": ["sg-1"]},
        "simulation": {"startupSeconds": 0, "unavailable": [{"start": 100, "end": 200}]}});
    let mut fargate = common::fargate_ce("fargate", 16);
    fargate["simulation"] = json!({"startupSeconds": 0});
    let job = |name: &str, q: &str, at: f64| {
        json!({"at": at, "submitJob": {"jobName": name, "jobQueue": q, "jobDefinition": "f"},
               "runtime": {"distribution": "fixed", "seconds": 100}})
    };
    let v = json!({"computeEnvironments": [spot, fargate],
                   "jobQueues": [common::queue("q", 1, &["fargate-spot", "fargate"]), common::queue("only", 1, &["fargate-spot"])],
                   "jobDefinitions": [common::fargate_def("f", "1", "2048")],
                   "workload": [job("a", "q", 50.0), job("b", "q", 150.0), job("c", "q", 250.0), job("d", "only", 150.0)]});
    let (_, records) = common::run_records(&v);
    let by_name = |n: &str| records.iter().find(|r| &*r.job_name == n).unwrap();
    assert_eq!(by_name("a").compute_environment.as_deref(), Some("fargate-spot"));
    assert_eq!(by_name("b").compute_environment.as_deref(), Some("fargate"));
    assert_eq!(by_name("b").started_at.map(|t| t.as_millis()), Some(150_000));
    assert_eq!(by_name("c").compute_environment.as_deref(), Some("fargate-spot"));
    assert_eq!(by_name("d").compute_environment.as_deref(), Some("fargate-spot"));
    assert_eq!(by_name("d").started_at.map(|t| t.as_millis()), Some(200_000));
}

/// The AWS CLI's own `describe-spot-price-history` example output (see
/// `tests/data/spot/README.md`), read unchanged: two zones at $0.08, the earliest record
/// (2014-01-05T11:28:26Z) is time 0. One job of 3600 s: 3720 s billed at $0.08.
#[test]
fn the_aws_cli_example_output_is_read_as_is() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/spot/aws-cli-example.json");
    let bytes = std::fs::read(fixture).unwrap();
    let sim = sim_with(json!({"spotPriceHistory": {"path": "history.json"},
        "instanceTypes": [{"instanceType": "m1.xlarge", "vcpus": 4, "memoryMiB": 15360, "pricePerHour": 0.35}]}));
    let (s, dir) = with_files(
        "spot-cli",
        spot_ce(&["m1.xlarge"], "SPOT_PRICE_CAPACITY_OPTIMIZED", None, sim),
        json!([one_job(0.0, 3600.0)]),
        &[("history.json", &bytes)],
    );
    let (r, _) = run(&s);
    let _ = std::fs::remove_dir_all(dir);
    let ce = &r.compute_environments["spot"];
    assert!((ce.cost - 3720.0 * 0.08 / 3600.0).abs() < 1e-12, "{}", ce.cost);
    assert!((ce.spot_price_paid_mean.unwrap() - 0.08).abs() < 1e-12);
    assert!((ce.spot_paid_of_on_demand.unwrap() - 0.08 / 0.35).abs() < 1e-12);
}

/// A gzip price file is read directly, like a gzip trace.
#[test]
fn a_gzip_price_file_is_read() {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"0,m5.large,0.036\n").unwrap();
    let bytes = gz.finish().unwrap();
    let sim = sim_with(json!({"spotPriceHistory": {"path": "p.csv.gz"}}));
    let (s, dir) = with_files(
        "spot-gz",
        spot_ce(&["m5.large"], "SPOT_CAPACITY_OPTIMIZED", None, sim),
        json!([one_job(0.0, 3600.0)]),
        &[("p.csv.gz", &bytes)],
    );
    let (r, _) = run(&s);
    let _ = std::fs::remove_dir_all(dir);
    assert!((r.compute_environments["spot"].spot_price_paid_mean.unwrap() - 0.036).abs() < 1e-12);
}

/// Writes a scenario with price file `prices` (or none) and validates it with the CLI:
/// exit 2, and the message lines.
fn refused(tag: &str, history: Value, prices: Option<&str>) -> String {
    let dir = common::temp_dir(tag);
    if let Some(p) = prices {
        std::fs::write(dir.join("p.csv"), p).unwrap();
    }
    let sim = sim_with(json!({"spotPriceHistory": history}));
    let v = json!({"computeEnvironments": [spot_ce(&["m5.large"], "SPOT_CAPACITY_OPTIMIZED", None, sim)],
                   "jobQueues": [common::queue("q", 1, &["spot"])], "jobDefinitions": [ec2_def()],
                   "workload": [one_job(0.0, 10.0)]});
    let path = dir.join("s.json");
    std::fs::write(&path, v.to_string()).unwrap();
    let out = common::batchsim(&["validate", path.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(2), "{err}");
    err
}

#[test]
fn bad_price_files_exit_2_with_the_path_file_and_line() {
    let at = "computeEnvironments[0].simulation.spotPriceHistory.path";
    let e = refused(
        "spot-bad-line",
        json!({"path": "p.csv"}),
        Some("0,m5.large,0.03\n60,m5.large,cheap\n"),
    );
    assert!(
        e.contains(at) && e.contains("p.csv: line 2: `cheap` is not a price"),
        "{e}"
    );
    let e = refused("spot-negative", json!({"path": "p.csv"}), Some("0,m5.large,-0.01\n"));
    assert!(
        e.contains("line 1: the price must be 0 or more dollars per hour, found -0.01"),
        "{e}"
    );
    let e = refused("spot-unknown", json!({"path": "p.csv"}), Some("0,m5.largee,0.03\n"));
    assert!(
        e.contains(at) && e.contains("`m5.largee` is not an instance type") && e.contains("did you mean `m5.large`?"),
        "{e}"
    );
    let e = refused("spot-missing", json!({"path": "p.csv"}), None);
    assert!(e.contains(at) && e.contains("cannot read the Spot price file"), "{e}");
    let e = refused(
        "spot-start",
        json!({"path": "p.csv", "start": "yesterday"}),
        Some("0,m5.large,0.03\n"),
    );
    assert!(
        e.contains("computeEnvironments[0].simulation.spotPriceHistory.start"),
        "{e}"
    );
}

#[test]
fn bad_spot_settings_name_their_json_path() {
    let rates = json!({"computeEnvironments": [spot_ce(&["m5.large"], "SPOT_CAPACITY_OPTIMIZED", None,
        json!({"interruptionsPerHour": {"default": 0.1, "m5.lrage": 1.0, "c5": -1}}))],
        "jobQueues": [common::queue("q", 1, &["spot"])], "jobDefinitions": [ec2_def()], "workload": []});
    let e = Scenario::from_value(&rates, "s.json").unwrap_err().to_string();
    assert!(
        e.contains("computeEnvironments[0].simulation.interruptionsPerHour[\"m5.lrage\"]")
            && e.contains("did you mean `m5.large`?"),
        "{e}"
    );
    assert!(
        e.contains("computeEnvironments[0].simulation.interruptionsPerHour.c5: must be a rate of 0 or more"),
        "{e}"
    );
    let mut fargate = common::fargate_ce("f", 4);
    fargate["simulation"] = json!({"unavailable": [{"start": 10, "end": 5}]});
    let v = json!({"computeEnvironments": [fargate], "jobQueues": [common::queue("q", 1, &["f"])], "workload": []});
    let e = Scenario::from_value(&v, "s.json").unwrap_err().to_string();
    assert!(
        e.contains("computeEnvironments[0].simulation.unavailable: unavailable windows apply to FARGATE_SPOT"),
        "{e}"
    );
}
