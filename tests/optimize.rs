//! `batchsim optimize`: the smallest capacity meeting a wait bound (checked against
//! `batchsim sweep` at the answer and its neighbour, and against Erlang C), which
//! constraint binds on two queues, the grid, the infeasible case, determinism and bad input.
//!
//! The rule every capacity search rests on, from the AWS Batch API reference
//! (`ComputeResource`): "maxvCpus: The maximum number of vCPUs that a compute environment
//! can support." On Fargate it caps how many jobs run at once, so waits shrink as it grows.

mod common;

use batchsim::optimize::Estimate;
use common::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Output;

const MAXVCPUS: &str = "computeEnvironments[fargate].computeResources.maxvCpus";

/// M/M/c on Fargate: 1-vCPU jobs, Poisson arrivals, exponential runtimes of mean
/// `mean_secs`, zero startup; one queue `q`.
fn mmc(rate_per_hour: f64, mean_secs: f64, count: u64) -> Value {
    json!({
        "name": "mmc",
        "computeEnvironments": [fargate_ce("fargate", 8)],
        "jobQueues": [queue("q", 1, &["fargate"])],
        "jobDefinitions": [fargate_def("d", "1", "2048")],
        "workload": [poisson_stream("q", "d", rate_per_hour, mean_secs, count)],
    })
}

fn write(dir: &Path, name: &str, v: &Value) -> String {
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_string_pretty(v).unwrap()).unwrap();
    p.display().to_string()
}

fn dir(tag: &str) -> PathBuf {
    temp_dir(&format!("optimize-{tag}"))
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json_out(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

/// The chosen maxvCpus of a JSON outcome.
fn best_maxvcpus(v: &Value) -> i64 {
    v["best"]["settings"][MAXVCPUS].as_i64().expect("a best point")
}

/// The one-sided upper 95% bound of `queues[q].waitP95` over seeds 1..=`seeds` at each
/// capacity, from `batchsim sweep` (an independent path to the same figures).
fn swept_upper_bounds(file: &str, seeds: u64, capacities: &[i64]) -> Vec<f64> {
    let list: Vec<String> = capacities.iter().map(i64::to_string).collect();
    let o = batchsim(&[
        "sweep",
        file,
        "--seeds",
        &format!("1..{seeds}"),
        "--set",
        &format!("{MAXVCPUS}={}", list.join(",")),
        "--columns",
        "queues[q].waitP95",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout.clone()).unwrap();
    capacities
        .iter()
        .map(|c| {
            let values: Vec<Option<f64>> = text
                .lines()
                .skip(1)
                .map(|l| l.split(',').collect::<Vec<_>>())
                .filter(|r| r[1] == c.to_string())
                .map(|r| r[2].parse().ok())
                .collect();
            assert_eq!(values.len() as u64, seeds);
            Estimate::of(&values, 0.95).upper.expect("waits")
        })
        .collect()
}

#[test]
fn bisection_finds_the_smallest_capacity_whose_bound_holds() {
    let d = dir("smallest");
    let file = write(&d, "mmc.json", &mmc(60.0, 300.0, 400));
    let o = batchsim(&[
        "optimize",
        &file,
        "--vary",
        &format!("{MAXVCPUS}=1..64"),
        "--minimize",
        "cost",
        "--constraint",
        "queues[q].waitP95 <= 120",
        "--seeds",
        "1..5",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json_out(&o);
    assert_eq!(v["search"], "bisection");
    assert_eq!(v["assumedMonotone"], true);
    let best = best_maxvcpus(&v);
    // The answer and its neighbour, computed directly: the bound holds at `best` and not
    // one vCPU below.
    let upper = swept_upper_bounds(&file, 5, &[best - 1, best]);
    assert!(
        upper[0] > 120.0,
        "{} vCPUs: upper bound {} should fail",
        best - 1,
        upper[0]
    );
    assert!(upper[1] <= 120.0, "{best} vCPUs: upper bound {} should hold", upper[1]);
    let reported = v["best"]["figures"]["queues[q].waitP95"]["upper"].as_f64().unwrap();
    assert!((reported - upper[1]).abs() < 1e-5, "{reported} vs {}", upper[1]);
    // Bisection evaluates about log2(64) + 2 points, the answer's neighbour among them.
    let evaluated = v["evaluated"].as_array().unwrap();
    assert!(evaluated.len() <= 9, "{} points", evaluated.len());
    assert!(evaluated
        .iter()
        .any(|p| p["settings"][MAXVCPUS] == best - 1 && p["feasible"] == false));
    assert_eq!(v["binding"]["constraint"], "queues[q].waitP95 <= 120");
    assert!(stderr(&o).is_empty(), "no monotonicity warning: {}", stderr(&o));
}

#[test]
fn the_answer_matches_erlang_c() {
    // a = lambda / mu = 6 Erlangs (216 jobs an hour of 100 s). Erlang C's waiting-time
    // distribution P(W > t) = C(c, a) e^{-(c mu - lambda) t} gives the p95 wait
    // ln(C / 0.05) / (c mu - lambda) (0 when C <= 0.05): 98.3 s for c = 8, 45.5 s for 9.
    let (lambda, mu) = (216.0 / 3600.0, 1.0 / 100.0);
    let p95 = |c: u32| {
        let ec = erlang_c(c, lambda / mu);
        if ec <= 0.05 {
            0.0
        } else {
            (ec / 0.05).ln() / (f64::from(c) * mu - lambda)
        }
    };
    let bound = 70.0;
    let want = (7..64).find(|&c| p95(c) <= bound).unwrap();
    assert_eq!(want, 9);
    assert!(p95(want - 1) > bound * 1.3 && p95(want) < bound * 0.7, "a clear margin");
    let d = dir("erlang");
    let file = write(&d, "erlang.json", &mmc(216.0, 100.0, 20_000));
    let o = batchsim(&[
        "optimize",
        &file,
        "--vary",
        &format!("{MAXVCPUS}=1..64"),
        "--minimize",
        "cost",
        "--subject-to",
        &format!("queues[q].waitP95<={bound}"),
        "--seeds",
        "1..4",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(best_maxvcpus(&json_out(&o)), i64::from(want));
}

/// Two queues on one Fargate compute environment; "critical" has priority 10, "batch" 1.
/// AWS Batch API reference, CreateJobQueue `priority`: "Job queues with a higher priority
/// (or a higher integer value for the priority parameter) are evaluated first when
/// associated with the same compute environment."
fn two_queues() -> Value {
    json!({
        "name": "two-queues",
        "computeEnvironments": [fargate_ce("fargate", 8)],
        "jobQueues": [queue("critical", 10, &["fargate"]), queue("batch", 1, &["fargate"])],
        "jobDefinitions": [fargate_def("d", "1", "2048")],
        "workload": [poisson_stream("critical", "d", 40.0, 300.0, 200),
                     poisson_stream("batch", "d", 40.0, 300.0, 200)],
    })
}

fn binding_of(file: &str, constraints: &[&str]) -> Value {
    let mut args = vec![
        "optimize".to_owned(),
        file.to_owned(),
        "--vary".into(),
        format!("{MAXVCPUS}=1..64"),
        "--minimize".into(),
        "cost".into(),
        "--seeds".into(),
        "1..4".into(),
        "--format".into(),
        "json".into(),
    ];
    for c in constraints {
        args.push("--constraint".into());
        args.push((*c).to_owned());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = batchsim(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    json_out(&o)
}

#[test]
fn reports_which_of_two_queue_constraints_binds() {
    let d = dir("binds");
    let file = write(&d, "two.json", &two_queues());
    // The low-priority queue waits longer: a tight bound on it binds, a loose one on
    // critical does not.
    let v = binding_of(
        &file,
        &["queues[critical].waitP95 <= 3600", "queues[batch].waitP95 <= 300"],
    );
    assert_eq!(v["binding"]["constraint"], "queues[batch].waitP95 <= 300");
    let sentence = v["binding"]["sentence"].as_str().unwrap();
    assert!(
        sentence.starts_with("binds: p95 wait of queue `batch` at "),
        "{sentence}"
    );
    assert!(sentence.contains("bound 300 s"), "{sentence}");
    let tight_batch = best_maxvcpus(&v);
    // A tight bound on critical (and a loose one on batch): critical binds.
    let v = binding_of(
        &file,
        &["queues[critical].waitP95 <= 1", "queues[batch].waitP95 <= 36000"],
    );
    assert_eq!(v["binding"]["constraint"], "queues[critical].waitP95 <= 1");
    let best = best_maxvcpus(&v);
    // The point one below fails the binding constraint.
    let below = v["evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["settings"][MAXVCPUS] == best - 1)
        .expect("the neighbour was evaluated");
    assert_eq!(below["holds"]["queues[critical].waitP95 <= 1"], false);
    assert!(tight_batch > 1 && best > 1);
}

#[test]
fn the_grid_picks_the_cheapest_feasible_point_and_lists_every_point() {
    let d = dir("grid");
    let file = write(&d, "mmc.json", &mmc(60.0, 300.0, 300));
    let points = d.join("points.csv");
    let best_file = d.join("best.json");
    let o = batchsim(&[
        "optimize",
        &file,
        "--vary",
        &format!("{MAXVCPUS}=6..12:3"),
        "--vary",
        "computeEnvironments[fargate].computeResources.type=FARGATE,FARGATE_SPOT",
        "--minimize",
        "cost",
        "--constraint",
        "unfinished == 0",
        "--constraint",
        "waitP95 <= 600",
        "--seeds",
        "1..3",
        "--points",
        points.to_str().unwrap(),
        "--out",
        best_file.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json_out(&o);
    assert_eq!(v["search"], "grid");
    let evaluated = v["evaluated"].as_array().unwrap();
    // 6, 9, 12 x FARGATE, FARGATE_SPOT, the last setting fastest.
    assert_eq!(evaluated.len(), 6);
    assert_eq!(evaluated[1]["settings"][MAXVCPUS], 6);
    assert_eq!(
        evaluated[1]["settings"]["computeEnvironments[fargate].computeResources.type"],
        "FARGATE_SPOT"
    );
    assert_eq!(evaluated[5]["settings"][MAXVCPUS], 12);
    // The best is the feasible point of least mean cost.
    let cost = |p: &Value| p["figures"]["cost"]["mean"].as_f64().unwrap();
    let cheapest = evaluated
        .iter()
        .filter(|p| p["feasible"] == true)
        .min_by(|a, b| cost(a).total_cmp(&cost(b)))
        .expect("a feasible point");
    assert_eq!(v["best"]["settings"], cheapest["settings"]);
    // The CSV has a header and one row per point, with the same verdicts.
    let csv = std::fs::read_to_string(&points).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 7);
    assert!(lines[0].starts_with(&format!(
        "order,{MAXVCPUS},computeEnvironments[fargate].computeResources.type,feasible,mean(cost),mean(unfinished),upper(unfinished),lower(unfinished),holds(unfinished == 0)"
    )));
    for (line, p) in lines[1..].iter().zip(evaluated) {
        assert_eq!(line.split(',').nth(3).unwrap(), p["feasible"].to_string());
    }
    // The chosen set-up is a valid scenario with the chosen values.
    let chosen: Value = serde_json::from_str(&std::fs::read_to_string(&best_file).unwrap()).unwrap();
    let resources = &chosen["computeEnvironments"][0]["computeResources"];
    assert_eq!(resources["maxvCpus"], v["best"]["settings"][MAXVCPUS]);
    assert_eq!(
        resources["type"],
        v["best"]["settings"]["computeEnvironments[fargate].computeResources.type"]
    );
    let check = batchsim(&["validate", best_file.to_str().unwrap()]);
    assert!(check.status.success(), "{}", stderr(&check));
}

#[test]
fn no_feasible_point_exits_1_with_the_closest() {
    let d = dir("infeasible");
    let file = write(&d, "mmc.json", &mmc(60.0, 300.0, 400));
    let best_file = d.join("best.json");
    let points = d.join("points.json");
    let args = [
        "optimize",
        &file,
        "--points",
        points.to_str().unwrap(),
        "--vary",
        &format!("{MAXVCPUS}=1,2,4"),
        "--minimize",
        "cost",
        "--constraint",
        "queues[q].waitP95 <= 60",
        "--seeds",
        "1..3",
        "--out",
        best_file.to_str().unwrap(),
    ];
    let o = batchsim(&args);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout.clone()).unwrap();
    assert!(
        text.contains("no feasible set-up among the 3 evaluated points"),
        "{text}"
    );
    // The closest is the largest capacity (the shortest waits).
    assert!(text.contains(&format!("closest: {MAXVCPUS}=4")), "{text}");
    assert!(stderr(&o).contains("not written"), "{}", stderr(&o));
    assert!(!best_file.exists());
    // The points are written all the same, as JSON for a `.json` name.
    let listed: Value = serde_json::from_str(&std::fs::read_to_string(&points).unwrap()).unwrap();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 3);
    assert!(listed.iter().all(|p| p["feasible"] == false));
    assert_eq!(listed[2]["holds"]["queues[q].waitP95 <= 60"], false);
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let o = batchsim(&json_args);
    assert_eq!(o.status.code(), Some(3));
    let v = json_out(&o);
    assert_eq!((v["feasible"].clone(), v["best"].clone()), (json!(false), Value::Null));
    assert_eq!(v["closest"]["settings"][MAXVCPUS], 4);
}

#[test]
fn output_is_byte_identical_across_thread_counts() {
    let d = dir("determinism");
    let file = write(&d, "two.json", &two_queues());
    let run = |threads: &str, points: &Path| {
        let o = batchsim_threads(
            &[
                "optimize",
                &file,
                "--vary",
                &format!("{MAXVCPUS}=1..40"),
                "--minimize",
                "queues[batch].waitMean",
                "--constraint",
                "cost <= 100",
                "--seeds",
                "1..4",
                "--points",
                points.to_str().unwrap(),
            ],
            Some(threads),
        );
        assert!(o.status.success(), "{}", stderr(&o));
        (o.stdout, std::fs::read(points).unwrap())
    };
    let one = run("1", &d.join("p1.csv"));
    let two = run("2", &d.join("p2.csv"));
    assert_eq!(one, two);
    let text = String::from_utf8(one.0).unwrap();
    // Cost does not depend on maxvCpus on Fargate, so every point is feasible; the
    // shortest batch wait is at the top of the range and nothing binds.
    assert!(text.contains(&format!("best: {MAXVCPUS}=40")), "{text}");
    assert!(text.contains("nothing binds"), "{text}");
}

#[test]
fn a_non_monotone_figure_is_reported() {
    // Six 4-vCPU jobs of 600 s at time 0: up to 7 vCPUs run one at a time, 8 to 11 two,
    // so the utilization of maxvCpus goes down from 4 to 7 vCPUs and up again at 8.
    let mut v = json!({
        "name": "steps",
        "computeEnvironments": [fargate_ce("fargate", 4)],
        "jobQueues": [queue("q", 1, &["fargate"])],
        "jobDefinitions": [fargate_def("d", "4", "8192")],
        "workload": [],
    });
    for i in 0..6 {
        v["workload"].as_array_mut().unwrap().push(json!({"at": 0,
            "submitJob": {"jobName": format!("j{i}"), "jobQueue": "q", "jobDefinition": "d"},
            "runtime": {"distribution": "fixed", "seconds": 600}}));
    }
    let d = dir("monotone");
    let file = write(&d, "steps.json", &v);
    let o = batchsim(&[
        "optimize",
        &file,
        "--vary",
        &format!("{MAXVCPUS}=4..64"),
        "--minimize",
        "cost",
        "--constraint",
        "waitMax <= 30",
        "--constraint",
        "computeEnvironments[fargate].utilizationOfMax <= 1",
        "--seeds",
        "1..2",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout.clone()).unwrap();
    // All six at once need 24 vCPUs.
    assert!(text.contains(&format!("best: {MAXVCPUS}=24")), "{text}");
    let err = stderr(&o);
    assert!(
        err.contains("warning: bisection assumes monotone figures, but the mean of `computeEnvironments[fargate].utilizationOfMax` is not monotone"),
        "{err}"
    );
}

#[test]
fn bad_input_exits_2_naming_the_argument() {
    let d = dir("bad");
    let file = write(&d, "mmc.json", &mmc(60.0, 300.0, 50));
    let vary = format!("{MAXVCPUS}=1..8");
    let run = |extra: &[&str]| -> String {
        let mut args = vec!["optimize", file.as_str(), "--seeds", "1..2"];
        args.extend_from_slice(extra);
        let o = batchsim(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty());
        stderr(&o)
    };
    let e = run(&[
        "--vary",
        "computeEnvironments[fargat].computeResources.maxvCpus=1..8",
        "--minimize",
        "cost",
    ]);
    assert!(
        e.contains("--vary computeEnvironments[fargat].computeResources.maxvCpus: `computeEnvironments` has no element named `fargat`; did you mean `fargate`?"),
        "{e}"
    );
    let e = run(&["--vary", &format!("{MAXVCPUS}=8..1"), "--minimize", "cost"]);
    assert!(e.contains("--vary") && e.contains("the range is empty"), "{e}");
    let e = run(&["--vary", &format!("{MAXVCPUS}=1..x"), "--minimize", "cost"]);
    assert!(e.contains("`x` is not a whole number"), "{e}");
    let e = run(&["--vary", &vary, "--minimize", "cots"]);
    assert!(e.contains("--minimize") && e.contains("did you mean `cost`?"), "{e}");
    let e = run(&[
        "--vary",
        &vary,
        "--minimize",
        "cost",
        "--constraint",
        "queues[q].waitp95 <= 60",
    ]);
    assert!(
        e.contains("--constraint") && e.contains("did you mean `waitP95`?"),
        "{e}"
    );
    let e = run(&[
        "--vary",
        &vary,
        "--minimize",
        "cost",
        "--constraint",
        "queues[r].waitP95 <= 60",
    ]);
    assert!(
        e.contains("--constraint queues[r].waitP95: the scenario has no queue `r`"),
        "{e}"
    );
    let e = run(&["--vary", &vary, "--minimize", "queues.q.waitSecnds.p95"]);
    assert!(
        e.contains("--minimize queues.q.waitSecnds.p95: `queues.q` has no `waitSecnds`; did you mean `waitSeconds`?"),
        "{e}"
    );
    let e = run(&["--vary", &vary, "--minimize", "cost", "--constraint", "waitP95 =< 60"]);
    assert!(e.contains("did you mean `<=`?"), "{e}");
    let e = run(&["--vary", &vary, "--minimize", "cost", "--constraint", "waitP95 <= soon"]);
    assert!(e.contains("the bound `soon` is not a number"), "{e}");
    let e = run(&["--vary", &vary, "--minimize", "cost", "--confidence", "1"]);
    assert!(
        e.contains("--confidence 1: a confidence is at least 0.5 and less than 1"),
        "{e}"
    );
    let e = run(&[
        "--vary",
        &format!("{MAXVCPUS}=1..10000"),
        "--vary",
        "computeEnvironments[fargate].computeResources.type=FARGATE,FARGATE_SPOT",
        "--minimize",
        "cost",
    ]);
    assert!(e.contains("the grid has 20000 points (10000 x 2)"), "{e}");
    let e = run(&[
        "--vary",
        &format!("{MAXVCPUS}=1,2"),
        "--minimize",
        "cost",
        "--search",
        "bisection",
    ]);
    assert!(e.contains("bisection searches one setting with a range"), "{e}");
    // A value the scenario refuses names the combination.
    let e = run(&["--vary", &format!("{MAXVCPUS}=-5..8"), "--minimize", "cost"]);
    assert!(e.contains(&format!("--vary {MAXVCPUS}=-5")), "{e}");
}
