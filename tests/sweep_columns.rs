//! `batchsim sweep --columns/--format/--set` for planning: per-queue, per-share and per-CE
//! columns, empty statistics as `-` / `null`, JSON and JSON lines, `--set` by name and with
//! JSON values, and the library's `batchsim::sweep` giving the same rows.

mod common;

use common::{batchsim, batchsim_threads, scenario_path, temp_dir};
use serde_json::Value;
use std::process::Output;

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout.clone()).expect("utf-8")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const SPOT_MAX: &str = "computeEnvironments[fargate-spot].computeResources.maxvCpus";

#[test]
fn priority_queues_are_swept_apart_with_confidence_intervals() {
    let s = scenario_path("priority-fargate-spot.json");
    let set = format!("{SPOT_MAX}=16,64");
    let columns = "queues[critical].waitP95,queues[batch].waitP95,queues[critical].waitCount,queues[batch].waitCount";
    let o = batchsim(&["sweep", &s, "--seeds", "1..3", "--set", &set, "--columns", columns]);
    let csv = ok(&o);
    assert_eq!(
        csv,
        format!(
            "seed,{SPOT_MAX},{columns}\n\
             1,16,111.19305,15520.021,470,301\n\
             1,64,67.96695,5108.1827,470,600\n\
             2,16,167.77,15771.90355,471,290\n\
             2,64,64.2135,5037.33805,471,600\n\
             3,16,127.13035,16240.2029,470,288\n\
             3,64,44.2455,5615.3034,471,600\n"
        )
    );
    // The high-priority queue waits far less than the low one, and both wait less with more
    // Spot capacity.
    let err = stderr(&o);
    assert!(err.contains("Student t, 2 df"), "{err}");
    let line = |label: &str| {
        err.lines()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap_or_default()
            .to_owned()
    };
    let (small, large) = (line("maxvCpus=16"), line("maxvCpus=64"));
    for cell in ["135.4 ± 72.5", "15844.0 ± 908.0", "470.3 ± 1.4", "293.0 ± 17.4"] {
        assert!(small.contains(cell), "{cell} in {small}\n{err}");
    }
    for cell in ["58.8 ± 31.7", "5253.6 ± 783.1", "600.0 ± 0.0"] {
        assert!(large.contains(cell), "{cell} in {large}\n{err}");
    }
    // The scenario as written has maxvCpus 64: seed 2's row is `run --seed 2`'s per-queue p95.
    let r: Value = serde_json::from_str(&ok(&batchsim(&["run", &s, "--seed", "2", "--format", "json"]))).unwrap();
    let p95 = |q: &str| r["queues"][q]["waitSeconds"]["p95"].as_f64().unwrap();
    assert!((p95("critical") - 64.2135).abs() < 1e-6);
    assert!((p95("batch") - 5037.33805).abs() < 1e-6);
}

const BLOCKED: &str = r#"{
  "computeEnvironments": [
    {"computeEnvironmentName": "open", "type": "MANAGED", "computeResources": {"type": "FARGATE", "maxvCpus": 4},
     "simulation": {"startupSeconds": 0}},
    {"computeEnvironmentName": "shut", "type": "MANAGED", "state": "DISABLED",
     "computeResources": {"type": "FARGATE", "maxvCpus": 4}, "simulation": {"startupSeconds": 0}}],
  "jobQueues": [
    {"jobQueueName": "served", "priority": 1, "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "open"}]},
    {"jobQueueName": "starved", "priority": 1, "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "shut"}]}],
  "jobDefinitions": [{"jobDefinitionName": "d", "type": "container", "platformCapabilities": ["FARGATE"],
    "containerProperties": {"resourceRequirements": [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "2048"}]}}],
  "workload": [
    {"arrivals": {"process": "every", "seconds": 60}, "count": 10,
     "submitJob": {"jobName": "a", "jobQueue": "served", "jobDefinition": "d"}, "runtime": {"distribution": "fixed", "seconds": 300}},
    {"arrivals": {"process": "every", "seconds": 60}, "count": 3,
     "submitJob": {"jobName": "b", "jobQueue": "starved", "jobDefinition": "d"}, "runtime": {"distribution": "fixed", "seconds": 300}}]
}"#;

fn blocked_file(tag: &str) -> String {
    let p = temp_dir(tag).join("blocked.json");
    std::fs::write(&p, BLOCKED).unwrap();
    p.display().to_string()
}

#[test]
fn a_blocked_queue_is_empty_never_zero() {
    let s = blocked_file("sweep-blocked");
    let cols = "queues[*].waitCount,queues[*].waitP95,queues[*].unfinished,queues[*].turnaroundMax";
    let csv = ok(&batchsim(&["sweep", &s, "--seeds", "1..2", "--columns", cols]));
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "seed,queues[served].waitCount,queues[starved].waitCount,queues[served].waitP95,\
             queues[starved].waitP95,queues[served].unfinished,queues[starved].unfinished,\
             queues[served].turnaroundMax,queues[starved].turnaroundMax"
        )
    );
    assert_eq!(lines.next(), Some("1,10,0,120,-,0,3,420,-"));
    assert_eq!(lines.next(), Some("2,10,0,120,-,0,3,420,-"));

    let o = batchsim(&["sweep", &s, "--seeds", "1..2", "--columns", cols, "--format", "json"]);
    let rows: Value = serde_json::from_str(&ok(&o)).unwrap();
    let first = &rows[0];
    assert_eq!(first["queues[starved].waitP95"], Value::Null);
    assert_eq!(first["queues[starved].turnaroundMax"], Value::Null);
    assert_eq!(first["queues[starved].waitCount"], 0);
    assert_eq!(first["queues[served].waitP95"], 120.0);
    // The summary says `-` for a figure no run has.
    let err = stderr(&o);
    let starved = err
        .lines()
        .find(|l| l.contains("queues[starved].waitP95"))
        .unwrap_or_default();
    assert!(starved.trim_end().ends_with(" -"), "{err}");

    // The contract's columns show the run-wide figures, and a run where nothing started at
    // all has `-` waits.
    let none = BLOCKED.replace("\"count\": 10", "\"count\": 0");
    let p = temp_dir("sweep-none").join("none.json");
    std::fs::write(&p, none).unwrap();
    let csv = ok(&batchsim(&["sweep", &p.display().to_string(), "--seeds", "1"]));
    assert_eq!(csv.lines().nth(1), Some("1,0,0,3,-,-,-,-,0,0"));
}

#[test]
fn json_and_jsonl_carry_the_csv_values() {
    let s = scenario_path("priority-fargate-spot.json");
    let set = format!("{SPOT_MAX}=16,64");
    let cols = "default,computeEnvironments[*].utilizationOfMax,computeEnvironments[*].cost";
    let args = |format: &'static str| {
        vec![
            "sweep".to_owned(),
            s.clone(),
            "--seeds".into(),
            "1..2".into(),
            "--set".into(),
            set.clone(),
            "--columns".into(),
            cols.into(),
            "--format".into(),
            format.into(),
        ]
    };
    let run = |format| {
        let a = args(format);
        ok(&batchsim(&a.iter().map(String::as_str).collect::<Vec<_>>()))
    };
    let (csv, json, jsonl) = (run("csv"), run("json"), run("jsonl"));
    let rows: Vec<Value> = serde_json::from_str(&json).unwrap();
    let lines: Vec<Value> = jsonl.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows, lines);
    assert_eq!(rows.len(), 4);
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    assert_eq!(header.len(), 1 + 1 + 9 + 2 + 2);
    for (line, row) in csv.lines().skip(1).zip(&rows) {
        let keys: Vec<&String> = row.as_object().unwrap().keys().collect();
        assert_eq!(keys, header, "JSON keys in column order");
        for (name, cell) in header.iter().zip(line.split(',')) {
            assert_eq!(row[*name].to_string().trim_end_matches(".0"), cell, "{name}");
        }
    }
    // Per-CE costs add up to the total.
    for row in &rows {
        let parts = row["computeEnvironments[fargate-ondemand].cost"].as_f64().unwrap()
            + row["computeEnvironments[fargate-spot].cost"].as_f64().unwrap();
        assert!((parts - row["cost"].as_f64().unwrap()).abs() < 2e-6, "{row}");
    }
    assert!(jsonl.lines().all(|l| l.starts_with("{\"seed\":")));
}

#[test]
fn set_by_name_is_set_by_index_and_takes_json_lists() {
    let s = scenario_path("priority-fargate-spot.json");
    let by = |path: &str| {
        let csv = ok(&batchsim(&[
            "sweep",
            &s,
            "--seeds",
            "1..2",
            "--set",
            &format!("{path}=16,64"),
        ]));
        csv.lines().skip(1).collect::<Vec<_>>().join("\n")
    };
    let index = by("computeEnvironments[1].computeResources.maxvCpus");
    assert_eq!(index, by(SPOT_MAX));
    assert_eq!(
        index,
        by("computeEnvironments[name=fargate-spot].computeResources.maxvCpus")
    );
    assert_eq!(
        index,
        by("computeEnvironments[computeEnvironmentName=fargate-spot].computeResources.maxvCpus")
    );

    // A list value: the critical queue on on-demand only, then on Spot only.
    let order = r#"jobQueues[critical].computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "fargate-ondemand"}],[{"order": 1, "computeEnvironment": "fargate-spot"}]"#;
    let cols = "computeEnvironments[*].interruptions,queues[critical].waitCount";
    let args = ["sweep", &s, "--seeds", "1", "--set", order, "--columns", cols];
    let csv = ok(&batchsim(&args));
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(
        rows[0],
        "seed,jobQueues[critical].computeEnvironmentOrder,computeEnvironments[fargate-ondemand].interruptions,\
         computeEnvironments[fargate-spot].interruptions,queues[critical].waitCount"
    );
    assert!(
        rows[1].starts_with(r#"1,"[{""order"": 1, ""computeEnvironment"": ""fargate-ondemand""}]",0,"#),
        "{}",
        rows[1]
    );
    let spot_interruptions = |row: &str| row.rsplit(',').nth(1).unwrap().parse::<u64>().unwrap();
    assert!(
        spot_interruptions(rows[2]) > spot_interruptions(rows[1]),
        "critical jobs on Spot get reclaimed: {csv}"
    );
    let json = ok(&batchsim(&[&args[..], &["--format", "jsonl"]].concat()));
    let first: Value = serde_json::from_str(json.lines().next().unwrap()).unwrap();
    assert_eq!(
        first["jobQueues[critical].computeEnvironmentOrder"],
        serde_json::json!([{"order": 1, "computeEnvironment": "fargate-ondemand"}])
    );
}

#[test]
fn turnaround_per_queue_and_share_add_up() {
    let s = scenario_path("teams-fair-share.json");
    let cols = "turnaroundCount,turnaroundP95,queues[*].turnaroundCount,queues[*].turnaroundP95,\
                shares[*].turnaroundCount,shares[*].submitted,shares[*].waitP95";
    let rows: Vec<Value> = serde_json::from_str(&ok(&batchsim(&[
        "sweep",
        &s,
        "--seeds",
        "1..2",
        "--columns",
        cols,
        "--format",
        "json",
    ])))
    .unwrap();
    for r in &rows {
        let n = |k: &str| r[k].as_u64().unwrap_or_else(|| panic!("{k} in {r}"));
        assert_eq!(n("queues[shared].turnaroundCount"), n("turnaroundCount"));
        assert_eq!(
            r["queues[shared].turnaroundP95"], r["turnaroundP95"],
            "one queue: the run's"
        );
        assert_eq!(
            n("shares[teamA].turnaroundCount") + n("shares[teamB].turnaroundCount"),
            n("turnaroundCount")
        );
        assert!(r["shares[teamA].waitP95"].as_f64().unwrap() > r["shares[teamB].waitP95"].as_f64().unwrap());
    }
    assert_eq!(rows[0]["shares[teamA].submitted"], 32);
    assert_eq!(rows[0]["shares[teamB].submitted"], 10);
}

#[test]
fn output_is_the_same_bytes_for_any_thread_count_and_out_file() {
    let s = scenario_path("priority-fargate-spot.json");
    let set = format!("{SPOT_MAX}=16,32,64");
    let dir = temp_dir("sweep-cols-threads");
    let out = dir.join("sweep.json").display().to_string();
    let args = [
        "sweep",
        &s,
        "--seeds",
        "1..3",
        "--set",
        &set,
        "--columns",
        "queues[*].wait",
        "--format",
        "json",
    ];
    let one = ok(&batchsim_threads(&args, Some("1")));
    let two = ok(&batchsim_threads(&args, Some("2")));
    assert_eq!(one, two);
    let mut with_out = args.to_vec();
    with_out.extend(["--out", &out]);
    assert_eq!(ok(&batchsim(&with_out)), "");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), one);
    let mut dash = args.to_vec();
    dash.extend(["--out", "-"]);
    assert_eq!(ok(&batchsim(&dash)), one);
    assert!(!std::path::Path::new("-").exists());
}

#[test]
fn bad_columns_and_formats_exit_2() {
    let s = scenario_path("priority-fargate-spot.json");
    for (columns, needle) in [
        (
            "queues[critcal].waitP95",
            "--columns queues[critcal].waitP95: the scenario has no queue `critcal`; did you mean `critical`?",
        ),
        (
            "computeEnvironments[spot].cost",
            "the scenario has no compute environment `spot`",
        ),
        ("waitp95", "did you mean `waitP95`?"),
        ("shares[a].failed", "`failed` is not a figure of a share"),
        ("queue[a].waitP95", "did you mean `queues`?"),
    ] {
        let o = batchsim(&["sweep", &s, "--seeds", "1", "--columns", columns]);
        assert_eq!(o.status.code(), Some(2), "{columns}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{columns}: {}", stderr(&o));
        assert!(o.stdout.is_empty());
    }
    let o = batchsim(&["sweep", &s, "--seeds", "1", "--format", "yaml"]);
    assert_eq!(o.status.code(), Some(2));
    // A share no run used is legal (empty figures), with a warning naming it.
    let o = batchsim(&["sweep", &s, "--seeds", "1", "--columns", "shares[teamA].waitP95"]);
    assert_eq!(ok(&o), "seed,shares[teamA].waitP95\n1,-\n");
    assert!(stderr(&o).contains("warning: --columns shares[teamA]: no run had a job of share `teamA`"));
    // --set by a name that is not there, and one given twice through name and index.
    let twice = format!("{SPOT_MAX}=8");
    for (sets, needle) in [
        (
            vec!["computeEnvironments[fargate-spt].computeResources.maxvCpus=4"],
            "`computeEnvironments` has no element named `fargate-spt`; did you mean `fargate-spot`?",
        ),
        (
            vec!["computeEnvironments[1].computeResources.maxvCpus=4", &twice],
            "the same path is given twice",
        ),
    ] {
        let mut args = vec!["sweep", &s, "--seeds", "1"];
        for set in sets {
            args.extend(["--set", set]);
        }
        let o = batchsim(&args);
        assert_eq!(o.status.code(), Some(2));
        assert!(stderr(&o).contains(needle), "{}", stderr(&o));
    }
}

#[test]
fn the_library_gives_the_command_lines_rows() {
    use batchsim::sweep::{parse_columns, Format, Sweep, SweepOptions, Table};
    let s = scenario_path("priority-fargate-spot.json");
    let set = format!("{SPOT_MAX}=16,64");
    let columns = "default,queues[*].waitP95,queues[*].turnaroundP95";
    let specs = parse_columns(columns).unwrap();
    let options = SweepOptions {
        until: None,
        job_records: specs.iter().any(|c| c.needs_records()),
    };
    let sweep = Sweep::from_file(&s, "1..2".parse().unwrap(), vec![set.parse().unwrap()], options).unwrap();
    let rows = sweep.run_all().unwrap();
    let table = Table::new(&sweep, &rows, &specs);
    let cli = ok(&batchsim(&[
        "sweep",
        &s,
        "--seeds",
        "1..2",
        "--set",
        &set,
        "--columns",
        columns,
    ]));
    assert_eq!(table.render(Format::Csv), cli);
    assert!(
        sweep.run(sweep.runs()).is_err(),
        "past the last run is an error, not a panic"
    );
}

#[test]
fn a_loaded_scenario_sweeps_over_seeds_like_its_file() {
    use batchsim::sweep::{Sweep, SweepOptions};
    let s = scenario_path("quickstart.json");
    let seeds: batchsim::sweep::Seeds = "3..5".parse().unwrap();
    let scenario = batchsim::Scenario::from_file(&s).unwrap();
    let loaded = Sweep::of_scenario(scenario, &s, seeds, SweepOptions::default()).unwrap();
    let file = Sweep::from_file(&s, seeds, Vec::new(), SweepOptions::default()).unwrap();
    assert_eq!(loaded.runs(), 3);
    assert_eq!(loaded.label(0, None), "(scenario as written)");
    let (a, b) = (loaded.run_all().unwrap(), file.run_all().unwrap());
    assert_eq!(a, b);
    assert_eq!(a.iter().map(|r| r.seed).collect::<Vec<_>>(), [3, 4, 5]);
    assert_eq!(a[0].figures.jobs.succeeded, 20);
}
