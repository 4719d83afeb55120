//! Messages for people (issue 16, item 4): every error a mutated scenario produces, loaded
//! and then set up to run, is scanned for Rust's debug text (`Some(`, `None`, `Ok(`, `Err(`,
//! CamelCase identifiers) and raw control characters (a name with a newline or an ANSI escape
//! must be quoted escaped).

mod common;

use batchsim::{Options, Scenario, Simulation};
use serde_json::Value;

/// Bad values put in place of each leaf in turn.
fn bad_values() -> Vec<Value> {
    vec![
        Value::Null,
        Value::from(-1),
        Value::from(1e300),
        Value::from("x\u{1b}[31m\nred"),
        Value::Array(vec![]),
        serde_json::json!({"Some": 1}),
        Value::from(true),
        Value::from(""),
    ]
}

/// Every path to a leaf of `v`.
fn leaves(v: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        Value::Object(m) => m.iter().for_each(|(k, x)| {
            path.push(k.clone());
            leaves(x, path, out);
            path.pop();
        }),
        Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| {
            path.push(i.to_string());
            leaves(x, path, out);
            path.pop();
        }),
        _ => out.push(path.clone()),
    }
}

fn set(v: &mut Value, path: &[String], to: Value) {
    let mut at = v;
    for k in path {
        at = match at {
            Value::Object(m) => m.get_mut(k).expect("a key"),
            Value::Array(a) => &mut a[k.parse::<usize>().expect("an index")],
            _ => unreachable!(),
        };
    }
    *at = to;
}

/// What is wrong with a message, if anything: [`common::not_for_people`], or a line that
/// starts with the injected value's second line (a raw line break from a value).
fn flaw(message: &str) -> Option<String> {
    if message.lines().any(|l| l.starts_with("red")) {
        return Some("a raw newline from a value".into());
    }
    common::not_for_people(message)
}

#[test]
fn no_message_of_a_mutated_scenario_shows_debug_text_or_raw_control_characters() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
    let mut checked = 0;
    let mut bad = Vec::new();
    for name in [
        "quickstart",
        "teams-fair-share",
        "compare-ec2-spot",
        "timeout-retry",
        "nightly-pipeline",
        "priority-fargate-spot",
        "latency-realistic",
    ] {
        let text = std::fs::read_to_string(format!("{dir}/{name}.json")).unwrap();
        let base: Value = serde_json::from_str(&text).unwrap();
        let mut paths = Vec::new();
        leaves(&base, &mut Vec::new(), &mut paths);
        for path in &paths {
            for value in bad_values() {
                let mut v = base.clone();
                set(&mut v, path, value.clone());
                let message = match Scenario::from_value(&v, &format!("{name}.json")) {
                    Err(e) => e.to_string(),
                    Ok(s) => match Simulation::new(&s, Options::default()) {
                        Err(e) => e.to_string(),
                        Ok(_) => continue,
                    },
                };
                checked += 1;
                if let Some(why) = flaw(&message) {
                    bad.push(format!("{name} {}={value}: {why}: {message}", path.join(".")));
                }
            }
        }
    }
    assert!(checked > 1_000, "only {checked} messages");
    assert!(
        bad.is_empty(),
        "{} of {checked} messages:\n{}",
        bad.len(),
        bad[..bad.len().min(20)].join("\n")
    );
}

/// Issue 16, item 4: `validate` lists every problem of the file, type errors included. A
/// value JSON accepts but the scenario's type does not (`"seed": -1`) used to stop validation
/// there, hiding the four other problems; now all five are listed, each at its JSON path.
#[test]
fn validate_lists_a_type_error_beside_every_other_problem() {
    let scenario = serde_json::json!({
        "seed": -1,
        "computeEnvironments": [common::fargate_ce("ce", 4)],
        "jobQueues": [common::queue("q", 1, &["cee"])],
        "jobDefinitions": [common::fargate_def("d", "1", "2048")],
        "workload": [{
            "at": 0,
            "submitJob": {"jobName": "j", "jobQueue": "qq", "jobDefinition": "dd"},
            "runtime": {"distribution": "fixed", "seconds": -60}
        }]
    });
    let dir = std::env::temp_dir().join(format!("batchsim-messages-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("five.json");
    std::fs::write(&path, scenario.to_string()).unwrap();
    let out = common::batchsim(&["validate", path.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let at: Vec<&str> = err
        .lines()
        .filter_map(|l| l.strip_prefix(&format!("{}: ", path.display())))
        .map(|l| l.split(": ").next().unwrap())
        .collect();
    assert_eq!(
        at,
        [
            "seed",
            "jobQueues[0].computeEnvironmentOrder[0].computeEnvironment",
            "workload[0].submitJob.jobQueue",
            "workload[0].submitJob.jobDefinition",
            "workload[0].runtime.seconds",
        ],
        "{err}"
    );
    assert!(
        err.contains("seed: expected a whole number from 0 to 18446744073709551615, found -1"),
        "{err}"
    );
    assert!(err.ends_with("5 problems\n"), "{err}");
    // The library lists the same five.
    let e = Scenario::from_value(&scenario, "five.json").unwrap_err();
    assert_eq!(e.problems().len(), 5, "{e}");
}

/// Issue 16: problems are listed in the order of the file, whichever check found them (a
/// type error used to come after every structural problem), and a required field whose
/// value has the wrong type is one problem, not also "missing required field".
#[test]
fn validate_lists_problems_in_document_order_once_each() {
    let mut ce = common::fargate_ce("ce", 4);
    ce["computeResources"]["maxvCpus"] = serde_json::json!("lots");
    let scenario = serde_json::json!({
        "computeEnvironments": [ce],
        "jobQueues": [common::queue("q", 1, &["ce"])],
        "jobDefinitions": [common::fargate_def("d", "1", "2048")],
        "workload": [{
            "at": 0,
            "submitJob": {"jobName": "j", "jobQueue": "q", "jobDefinition": "d", "shareIdentifer": "x"},
            "runtime": {"distribution": "fixed", "seconds": 60}
        }],
        "seed": -1
    });
    let e = Scenario::from_value(&scenario, "order.json").unwrap_err();
    let at: Vec<&str> = e.problems().iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        at,
        [
            "computeEnvironments[0].computeResources.maxvCpus",
            "workload[0].submitJob.shareIdentifer",
            "seed"
        ],
        "{e}"
    );
    assert!(!e.to_string().contains("missing required field `maxvCpus`"), "{e}");
}

/// Issue 16, item 4, for the command line: the messages of `sweep`, `optimize`, `compare`,
/// `calibrate` and `merge` for bad arguments (their own and clap's) are scanned as the
/// scenario messages are, and each is exit 2. Hostile values (a line break and an ANSI
/// escape) are among them: they must never reach the terminal raw.
#[test]
fn no_message_of_a_bad_command_line_shows_debug_text_or_raw_control_characters() {
    let q = common::scenario_path("quickstart.json");
    let p = common::scenario_path("priority-fargate-spot.json");
    let hostile = "x\u{1b}[31m\nred";
    let max = "computeEnvironments[0].computeResources.maxvCpus";
    let set_hostile = format!("computeEnvironments[{hostile}].computeResources.maxvCpus=4");
    let vary = format!("{max}=4..8");
    let cases: Vec<Vec<&str>> = vec![
        vec![
            "sweep",
            &q,
            "--seeds",
            "1",
            "--set",
            "computeEnvironments[nope].computeResources.maxvCpus=4",
        ],
        vec!["sweep", &q, "--seeds", "1", "--set", "maxvCpus=4,lots"],
        vec![
            "sweep",
            &p,
            "--seeds",
            "1",
            "--set",
            "computeEnvironments[0].maxvCpus=4",
        ],
        vec![
            "sweep",
            &q,
            "--seeds",
            "1",
            "--set",
            "computeEnvironments[0].computeResources.maxvCpus=4,lots",
        ],
        vec![
            "sweep",
            &q,
            "--seeds",
            "1",
            "--set",
            "computeEnvironments[0].computeResources.maxvCpus=[1,2",
        ],
        vec!["sweep", &q, "--seeds", "1", "--set", "computeEnvironments[].x=1"],
        vec!["sweep", &q, "--seeds", "1", "--set", &set_hostile],
        vec!["sweep", &q, "--seeds", "1", "--columns", "waitP96"],
        vec!["sweep", &q, "--seeds", "1", "--columns", "queues[nope].waitP95"],
        vec!["sweep", &q, "--seeds", "1", "--columns", hostile],
        vec!["sweep", &q, "--seeds", "1", "--shard", "3/2"],
        vec!["sweep", &q, "--seeds", "5..1"],
        vec!["sweep", &q, "--seeds", hostile],
        vec!["sweep", &q, "--seeds", "1", "--format", "xml"],
        vec![
            "optimize",
            &q,
            "--vary",
            "computeEnvironments[0].computeResources.maxvCpus=8..4",
            "--minimize",
            "cost",
        ],
        vec!["optimize", &q, "--vary", &vary, "--minimize", "costs"],
        vec!["optimize", &q, "--vary", &vary, "--minimize", hostile],
        vec![
            "optimize",
            &q,
            "--vary",
            &vary,
            "--minimize",
            "cost",
            "--constraint",
            "waitP95~3",
        ],
        vec![
            "optimize",
            &q,
            "--vary",
            &vary,
            "--minimize",
            "cost",
            "--confidence",
            "2",
        ],
        vec![
            "optimize",
            &q,
            "--vary",
            &vary,
            "--minimize",
            "cost",
            "--search",
            "annealing",
        ],
        vec!["optimize", &q, "--vary", "maxvCpus=4..8", "--minimize", "cost"],
        vec!["compare", &q, "--platforms", "fargate,k8s"],
        vec!["compare", &q, "--platforms", ","],
        vec!["compare", &q, "--platforms", hostile],
        vec!["calibrate", &q, "--history", "nope.json"],
        vec!["calibrate", &q, "--history", &q, "--param", "jobQueue"],
        vec!["calibrate", &q, "--history", &q, "--param", hostile],
        vec!["merge", "nope.jsonl"],
        vec!["merge", hostile],
    ];
    let mut bad = Vec::new();
    for args in &cases {
        let out = common::batchsim(args);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        if out.status.code() != Some(2) || err.trim().is_empty() || err.contains("panicked") {
            bad.push(format!("{args:?}: exit {:?}: {err}", out.status.code()));
        } else if let Some(why) = flaw(&err) {
            bad.push(format!("{args:?}: {why}: {err}"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    // The misplaced --set field is one problem naming where such a field is.
    let out = common::batchsim(&["sweep", &q, "--seeds", "1", "--set", "maxvCpus=4,lots"]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        err,
        "--set maxvCpus: the scenario has no field `maxvCpus`; did you mean \
         `computeEnvironments[0].computeResources.maxvCpus`?\n"
    );
    // A hostile argument is refused before anything else, quoted escaped.
    let out = common::batchsim(&["compare", &q, "--platforms", hostile]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        err.starts_with("argument 4 `x\\u{1b}[31m\\nred`: has a control character"),
        "{err}"
    );
}

/// A huge number of seconds is shown in exponent form: `until: 1e300` printed its 301
/// digits (found by the value-mutation hunt of the twelfth session, through `sweep --set`).
#[test]
fn a_huge_number_of_seconds_is_shown_in_exponent_form() {
    let mut v: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/quickstart.json")).unwrap(),
    )
    .unwrap();
    v["until"] = serde_json::json!(1e300);
    let e = Scenario::from_value(&v, "q.json")
        .expect_err("past the largest time")
        .to_string();
    assert!(
        e.contains("until: must be a number of seconds from 0 to 1e12, found 1e300"),
        "{e}"
    );
    v["until"] = serde_json::json!(-2.5);
    let e = Scenario::from_value(&v, "q.json").expect_err("negative").to_string();
    assert!(e.contains("found -2.5"), "{e}");
}

/// A field put one level too high has no close spelling where it is, but the loader knows
/// where it belongs: `arrayProperties` beside `submitJob` instead of in it (SubmitJob
/// request shape), `resourceRequirements` beside `containerProperties`.
#[test]
fn a_field_one_level_too_high_is_told_where_it_belongs() {
    let mut v: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/quickstart.json")).unwrap(),
    )
    .unwrap();
    v["workload"][0]["arrayProperties"] = serde_json::json!({"size": 3});
    v["jobDefinitions"][0]["resourceRequirements"] = serde_json::json!([]);
    let e = Scenario::from_value(&v, "q.json").expect_err("misplaced").to_string();
    assert!(
        e.contains("workload[0].arrayProperties: unknown field `arrayProperties` here; it belongs inside `submitJob` (`submitJob.arrayProperties`)"),
        "{e}"
    );
    assert!(
        e.contains("jobDefinitions[0].resourceRequirements: unknown field `resourceRequirements` here; it belongs inside `containerProperties`"),
        "{e}"
    );
}
