//! Scenario builders shared by the integration tests.
#![allow(dead_code)]

use batchsim::{JobRecord, Options, Report, Scenario, Simulation};
use serde_json::{json, Value};

/// A FARGATE compute environment with zero startup.
pub fn fargate_ce(name: &str, max_vcpus: u32) -> Value {
    json!({"computeEnvironmentName": name, "type": "MANAGED",
           "computeResources": {"type": "FARGATE", "maxvCpus": max_vcpus},
           "simulation": {"startupSeconds": 0}})
}

/// A job queue over the given compute environments (in order).
pub fn queue(name: &str, priority: u32, ces: &[&str]) -> Value {
    let order: Vec<Value> = ces
        .iter()
        .enumerate()
        .map(|(i, c)| json!({"order": i + 1, "computeEnvironment": c}))
        .collect();
    json!({"jobQueueName": name, "priority": priority, "computeEnvironmentOrder": order})
}

/// A Fargate job definition.
pub fn fargate_def(name: &str, vcpus: &str, memory: &str) -> Value {
    json!({"jobDefinitionName": name, "type": "container", "platformCapabilities": ["FARGATE"],
           "containerProperties": {"resourceRequirements": [
               {"type": "VCPU", "value": vcpus}, {"type": "MEMORY", "value": memory}]}})
}

/// A Poisson stream of `count` jobs with exponential runtimes.
pub fn poisson_stream(queue: &str, def: &str, rate_per_hour: f64, mean_secs: f64, count: u64) -> Value {
    json!({"arrivals": {"process": "poisson", "ratePerHour": rate_per_hour}, "count": count,
           "submitJob": {"jobName": format!("{queue}-job"), "jobQueue": queue, "jobDefinition": def},
           "runtime": {"distribution": "exponential", "meanSeconds": mean_secs}})
}

/// Loads a scenario value (panics with the validation message when it is invalid).
pub fn load(scenario: &Value) -> Scenario {
    Scenario::from_value(scenario, "test.json").unwrap_or_else(|e| panic!("invalid test scenario: {e}"))
}

/// Loads and runs a scenario value.
pub fn run(scenario: &Value) -> Report {
    Simulation::new(&load(scenario), Options::default())
        .unwrap_or_else(|e| panic!("cannot run: {e}"))
        .run()
}

/// Loads and runs a scenario value with per-job records.
pub fn run_records(scenario: &Value) -> (Report, Vec<JobRecord>) {
    let options = Options {
        record_jobs: true,
        ..Options::default()
    };
    Simulation::new(&load(scenario), options)
        .unwrap_or_else(|e| panic!("cannot run: {e}"))
        .run_with_records()
}

/// Runs the scenario file `tests/data/{dir}/{name}.json` with job records kept.
pub fn run_data_file(dir: &str, name: &str) -> (Report, Vec<JobRecord>) {
    let path = format!("{}/tests/data/{dir}/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let scenario = Scenario::from_file(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let options = Options {
        record_jobs: true,
        ..Options::default()
    };
    Simulation::new(&scenario, options)
        .unwrap_or_else(|e| panic!("cannot run {path}: {e}"))
        .run_with_records()
}

/// Erlang C: the probability that an arrival waits in an M/M/c queue with offered load
/// `a = lambda / mu` Erlangs.
pub fn erlang_c(c: u32, a: f64) -> f64 {
    // Erlang B by the stable recursion, then C from B.
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (f64::from(k) + a * b);
    }
    let rho = a / f64::from(c);
    b / (1.0 - rho * (1.0 - b))
}

/// Runs the `batchsim` binary with `args`.
pub fn batchsim(args: &[&str]) -> std::process::Output {
    batchsim_threads(args, None)
}

/// Runs the `batchsim` binary with `args` on `threads` rayon threads (`None`: all cores).
pub fn batchsim_threads(args: &[&str], threads: Option<&str>) -> std::process::Output {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_batchsim"));
    c.args(args);
    if let Some(t) = threads {
        c.env("RAYON_NUM_THREADS", t);
    }
    c.output().expect("run batchsim")
}

/// The path of a bundled scenario.
pub fn scenario_path(name: &str) -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
        .display()
        .to_string()
}

/// A fresh temporary folder for one test (`tag` keeps tests apart).
pub fn temp_dir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("batchsim-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// What makes `message` not for people, if anything: Rust `Option`/`Result` text, a
/// CamelCase identifier (a Rust type or variant name; the units MiB, GiB and KiB are words),
/// or a raw control character other than the line breaks between problems (a user's value
/// must be quoted escaped).
pub fn not_for_people(message: &str) -> Option<String> {
    for needle in ["Some(", "None", "Ok(", "Err("] {
        if message.contains(needle) {
            return Some(format!("Rust text `{needle}`"));
        }
    }
    if let Some(c) = message.chars().find(|c| c.is_control() && *c != '\n') {
        return Some(format!("a raw control character {c:?}"));
    }
    for word in message.split(|c: char| !c.is_ascii_alphanumeric()) {
        let camel = word.len() > 1
            && word.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && word.chars().skip(1).any(|c| c.is_ascii_uppercase())
            && word.chars().any(|c| c.is_ascii_lowercase())
            && !["MiB", "GiB", "KiB"].contains(&word);
        if camel {
            return Some(format!("the identifier `{word}`"));
        }
    }
    None
}
