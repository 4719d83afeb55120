//! `batchsim compare`: one workload on Lambda, AWS Batch on Fargate and AWS Batch on EC2 (the
//! decision of issue 15), each set up from the scenario by one rule, with the jobs each
//! platform cannot run.
//!
//! The set-up of platform P (`lambda`, `fargate`, `ec2`) is the scenario with:
//! - its compute environments replaced by one, named P, of P's kind (LAMBDA, FARGATE, EC2
//!   with `instanceTypes: ["optimal"]`), whose `maxvCpus` is the sum of the scenario's
//!   compute environments' `maxvCpus`; its `simulation` block is that of the scenario's first
//!   compute environment of P's kind, if there is one (so a LAMBDA compute environment in the
//!   scenario sets the Lambda concurrency, keep-alive and prices), else the defaults;
//! - every job queue's `computeEnvironmentOrder` the one compute environment P;
//! - the job definitions' `platformCapabilities` P's (LAMBDA runs either);
//! - the workload entries whose job definition (with the entry's resource overrides) P can
//!   never run moved to a queue `<queue>-impossible` on a DISABLED compute environment
//!   `impossible`, where they stay RUNNABLE: they are listed as impossible, and do not block
//!   the others. On Fargate their definitions take the smallest Fargate size so that the
//!   scenario stays valid; on Fargate a definition of a size Fargate does not sell takes the
//!   smallest size that holds it.
//!
//! Impossible on Lambda: over 6 vCPUs, over 10,240 MB, GPUs, multi-node, and every job whose
//! attempt ran into the 900 s limit (status reason [`REASON_LAMBDA_TIMEOUT`]); on Fargate:
//! over 16 vCPUs or 120 GiB, GPUs, multi-node; on EC2: what no `optimal` instance type holds.
//! Every run uses the scenario's seed, so the three see the same arrivals and run times.

use crate::model::instance_catalog;
use crate::model::lambda::{self, REASON_LAMBDA_TIMEOUT};
use crate::model::resources::{fargate_memory_options, fargate_vcpu_options};
use crate::model::{JobDefinitionRef, Resources};
use crate::report::{JobRecord, Report, Stats, WaitStats};
use crate::workload::WorkloadEntry;
use crate::{Error, Options, Scenario, Simulation};
use serde_json::{json, Map, Value};
use std::path::Path;

/// A platform `compare` runs the workload on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Platform {
    /// AWS Lambda (a LAMBDA compute environment, a simulation extension).
    Lambda,
    /// AWS Batch on Fargate.
    Fargate,
    /// AWS Batch on EC2 On-Demand instances (`optimal` types).
    Ec2,
}

/// The platform names `--platforms` takes, in their order.
pub const PLATFORM_NAMES: [&str; 3] = ["lambda", "fargate", "ec2"];

impl Platform {
    /// The name on the command line and in the output: `lambda`, `fargate`, `ec2`.
    pub fn name(self) -> &'static str {
        match self {
            Platform::Lambda => "lambda",
            Platform::Fargate => "fargate",
            Platform::Ec2 => "ec2",
        }
    }

    /// Reads a comma-separated list (`lambda,fargate,ec2`); the error names the bad entry and
    /// suggests the closest name.
    pub fn parse_list(text: &str) -> Result<Vec<Platform>, String> {
        let mut out = Vec::new();
        for word in text.split(',').map(str::trim) {
            let p = match word.to_ascii_lowercase().as_str() {
                "lambda" => Platform::Lambda,
                "fargate" => Platform::Fargate,
                "ec2" => Platform::Ec2,
                _ => {
                    let hint = crate::suggest::suggest(word, PLATFORM_NAMES)
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default();
                    return Err(format!(
                        "{} is not a platform (lambda, fargate, ec2){hint}",
                        crate::suggest::quote(word)
                    ));
                }
            };
            if out.contains(&p) {
                return Err(format!("`{word}` is listed twice"));
            }
            out.push(p);
        }
        Ok(out)
    }

    fn kind(self) -> &'static str {
        match self {
            Platform::Lambda => "LAMBDA",
            Platform::Fargate => "FARGATE",
            Platform::Ec2 => "EC2",
        }
    }

    /// Why this platform can never run a job needing `r` (`multinode`: a multi-node job).
    fn cannot_hold(self, r: &Resources, multinode: bool) -> Option<String> {
        if multinode && self != Platform::Ec2 {
            return Some(format!("multi-node parallel jobs do not run on {}", self.title()));
        }
        match self {
            Platform::Lambda => lambda::size_problem(r),
            Platform::Fargate => match fargate_size(r) {
                Some(_) => None,
                None if r.gpus > 0 => Some("Fargate does not offer GPUs".to_owned()),
                None => Some(format!(
                    "needs {} vCPUs and {} MiB; the largest Fargate task is 16 vCPUs and 120 GiB",
                    r.vcpus(),
                    r.memory_mib
                )),
            },
            Platform::Ec2 => {
                let types = instance_catalog::expand("optimal").unwrap_or_default();
                let holds = types.iter().any(|t| {
                    t.vcpus * 1000 >= r.millivcpus
                        && instance_catalog::registered_memory_mib(t) >= u64::from(r.memory_mib)
                        && t.gpus >= r.gpus
                });
                (!holds).then(|| {
                    format!(
                        "needs {} vCPUs and {} MiB; no `optimal` instance type holds it",
                        r.vcpus(),
                        r.memory_mib
                    )
                })
            }
        }
    }

    fn title(self) -> &'static str {
        match self {
            Platform::Lambda => "Lambda",
            Platform::Fargate => "Fargate",
            Platform::Ec2 => "EC2",
        }
    }
}

/// The smallest Fargate task size holding `r`, if Fargate sells one.
fn fargate_size(r: &Resources) -> Option<Resources> {
    if r.gpus > 0 {
        return None;
    }
    let mut vcpus: Vec<u32> = fargate_vcpu_options().collect();
    vcpus.sort_unstable();
    vcpus.into_iter().filter(|&v| v >= r.millivcpus).find_map(|v| {
        let mem = fargate_memory_options(v).into_iter().find(|&m| m >= r.memory_mib)?;
        Some(Resources {
            millivcpus: v,
            memory_mib: mem,
            gpus: 0,
        })
    })
}

/// The jobs a platform cannot run.
#[derive(Clone, Debug, PartialEq)]
pub struct Impossible {
    /// `jobName` of each such job, in submission order.
    pub jobs: Vec<String>,
    /// Why, one sentence per distinct reason, joined by `; ` (empty when none).
    pub reason: String,
}

/// One platform's run.
#[derive(Clone, Debug)]
pub struct PlatformRun {
    /// The platform.
    pub platform: Platform,
    /// The report of the run on its set-up.
    pub report: Report,
    /// What it cannot run.
    pub impossible: Impossible,
    /// LAMBDA: cold starts over the run (0 elsewhere).
    pub cold_starts: u64,
}

/// Runs the scenario `doc` (read from `path`) on each platform.
pub fn compare(doc: &Value, path: &Path, platforms: &[Platform]) -> Result<Vec<PlatformRun>, Error> {
    let original = Scenario::from_value_at(doc, path)?;
    platforms
        .iter()
        .map(|&p| run_platform(doc, &original, path, p))
        .collect()
}

/// Runs the scenario `doc` (read from `path`; `original` is it, validated) on `platform`'s
/// set-up ([`derive`]).
pub fn run_platform(doc: &Value, original: &Scenario, path: &Path, platform: Platform) -> Result<PlatformRun, Error> {
    let (derived, size_reasons) = derive(doc, original, platform);
    let scenario = Scenario::from_value_at(&derived, path)?;
    let options = Options {
        record_jobs: true,
        ..Options::default()
    };
    let mut sim = Simulation::new(&scenario, options)?;
    while sim.step() {}
    let cold_starts = sim.lambda_cold_starts().map(|(_, n)| n).sum();
    let records = sim.job_records();
    let report = sim.finish();
    Ok(PlatformRun {
        platform,
        report,
        impossible: impossible_of(&records, &size_reasons),
        cold_starts,
    })
}

/// Suffix of the queue that holds the jobs a platform cannot run.
const IMPOSSIBLE_SUFFIX: &str = "-impossible";

fn impossible_of(records: &[JobRecord], size_reasons: &[String]) -> Impossible {
    let mut jobs = Vec::new();
    let mut timed_out = false;
    for r in records {
        if r.job_queue.ends_with(IMPOSSIBLE_SUFFIX) {
            jobs.push(r.job_name.clone());
        } else if r.status_reason.as_deref() == Some(REASON_LAMBDA_TIMEOUT) {
            jobs.push(r.job_name.clone());
            timed_out = true;
        }
    }
    let mut reasons: Vec<String> = Vec::new();
    if timed_out {
        reasons.push("ran past Lambda's 15-minute (900 s) limit".to_owned());
    }
    for s in size_reasons {
        if !reasons.contains(s) {
            reasons.push(s.clone());
        }
    }
    Impossible {
        jobs,
        reason: reasons.join("; "),
    }
}

/// The scenario `doc` set up for `platform` (see the module documentation), and the reasons
/// of the job definitions it cannot run (`<definition>: <why>`).
pub fn derive(doc: &Value, scenario: &Scenario, platform: Platform) -> (Value, Vec<String>) {
    let mut out = doc.clone();
    let ces = doc.get("computeEnvironments").and_then(Value::as_array);
    let max: u64 = ces
        .into_iter()
        .flatten()
        .filter_map(|c| c.pointer("/computeResources/maxvCpus").and_then(Value::as_u64))
        .sum();
    let same_kind = ces
        .into_iter()
        .flatten()
        .find(|c| c.pointer("/computeResources/type").and_then(Value::as_str) == Some(platform.kind()));
    let mut resources = json!({"type": platform.kind(), "maxvCpus": max});
    if platform == Platform::Ec2 {
        resources["minvCpus"] = json!(0);
        resources["instanceTypes"] = json!(["optimal"]);
    }
    let mut ce = json!({"computeEnvironmentName": platform.name(), "type": "MANAGED", "state": "ENABLED",
                        "computeResources": resources});
    if let Some(sim) = same_kind.and_then(|c| c.get("simulation")) {
        ce["simulation"] = sim.clone();
    }
    let mut none = ce.clone();
    none["computeEnvironmentName"] = json!("impossible");
    none["state"] = json!("DISABLED");
    none["computeResources"]["maxvCpus"] = json!(0);

    // Which definitions (by name) the platform cannot run, and their sizes on Fargate.
    let mut reasons = Vec::new();
    let mut impossible_entries = Vec::new();
    for (i, entry) in scenario.workload().iter().enumerate() {
        let template = match entry {
            WorkloadEntry::Submission { template, .. }
            | WorkloadEntry::Stream { template, .. }
            | WorkloadEntry::Trace { template, .. } => template,
        };
        let r = JobDefinitionRef::parse(&template.job_definition);
        let def = scenario
            .job_definitions()
            .iter()
            .rfind(|d| d.name == r.name && r.revision.is_none_or(|v| v == d.revision));
        let Some(def) = def else { continue };
        let need = template.resource_overrides.apply(def.resources);
        if let Some(why) = platform.cannot_hold(&need, def.multinode.is_some()) {
            let line = format!("`{}` {why}", def.name);
            if !reasons.contains(&line) {
                reasons.push(line);
            }
            impossible_entries.push(i);
        }
    }
    let mut extra_queues = Vec::new();
    if let Some(entries) = out.get_mut("workload").and_then(Value::as_array_mut) {
        for &i in &impossible_entries {
            let Some(submit) = entries.get_mut(i).and_then(|e| e.get_mut("submitJob")) else {
                continue;
            };
            let q = submit.get("jobQueue").and_then(Value::as_str).unwrap_or_default();
            let q = crate::model::arn_tail(q).to_owned();
            let name = format!("{q}{IMPOSSIBLE_SUFFIX}");
            submit["jobQueue"] = json!(name);
            if !extra_queues.iter().any(|(n, _): &(String, String)| *n == name) {
                extra_queues.push((name, q));
            }
        }
    }
    let queues = out.get_mut("jobQueues").and_then(Value::as_array_mut);
    if let Some(queues) = queues {
        for q in queues.iter_mut() {
            q["computeEnvironmentOrder"] = json!([{"order": 1, "computeEnvironment": platform.name()}]);
        }
        for (name, from) in &extra_queues {
            let mut nq = Map::new();
            nq.insert("jobQueueName".into(), json!(name));
            nq.insert("priority".into(), json!(0));
            nq.insert(
                "computeEnvironmentOrder".into(),
                json!([{"order": 1, "computeEnvironment": "impossible"}]),
            );
            let policy = queues
                .iter()
                .find(|q| q.get("jobQueueName").and_then(Value::as_str) == Some(from))
                .and_then(|q| q.get("schedulingPolicyArn"))
                .cloned();
            if let Some(p) = policy {
                nq.insert("schedulingPolicyArn".into(), p);
            }
            queues.push(Value::Object(nq));
        }
    }
    let mut list = vec![ce];
    if !extra_queues.is_empty() {
        list.push(none);
    }
    out["computeEnvironments"] = Value::Array(list);
    if let Some(defs) = out.get_mut("jobDefinitions").and_then(Value::as_array_mut) {
        for d in defs.iter_mut() {
            set_platform(d, platform);
        }
    }
    (out, reasons)
}

/// One job definition document set up for `platform`.
fn set_platform(d: &mut Value, platform: Platform) {
    if d.get("eksProperties").is_some_and(|v| !v.is_null()) || d.get("nodeProperties").is_some_and(|v| !v.is_null()) {
        return;
    }
    match platform {
        Platform::Lambda => {}
        Platform::Ec2 => d["platformCapabilities"] = json!(["EC2"]),
        Platform::Fargate => {
            d["platformCapabilities"] = json!(["FARGATE"]);
            let Some(cp) = d.get_mut("containerProperties").and_then(Value::as_object_mut) else {
                return;
            };
            let r = definition_resources(cp);
            let size = fargate_size(&r).unwrap_or(Resources::new(0.25, 512));
            if size != r {
                cp.remove("vcpus");
                cp.remove("memory");
                cp.insert(
                    "resourceRequirements".into(),
                    json!([{"type": "VCPU", "value": format_vcpus(size.millivcpus)},
                           {"type": "MEMORY", "value": size.memory_mib.to_string()}]),
                );
            }
        }
    }
}

fn format_vcpus(millivcpus: u32) -> String {
    let v = f64::from(millivcpus) / 1000.0;
    if v.fract() == 0.0 {
        format!("{}", v as u64)
    } else {
        format!("{v}")
    }
}

/// The resources a `containerProperties` object asks for (resourceRequirements, else the
/// legacy `vcpus`/`memory`).
fn definition_resources(cp: &Map<String, Value>) -> Resources {
    let mut r = Resources::new(1.0, 2048);
    let num = |v: &Value| v.as_f64().or_else(|| v.as_str().and_then(|s| s.parse().ok()));
    if let Some(v) = cp.get("vcpus").and_then(num) {
        r.millivcpus = (v * 1000.0).round() as u32;
    }
    if let Some(m) = cp.get("memory").and_then(num) {
        r.memory_mib = m as u32;
    }
    for req in cp
        .get("resourceRequirements")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let value = req.get("value").and_then(num);
        match (req.get("type").and_then(Value::as_str), value) {
            (Some("VCPU"), Some(v)) => r.millivcpus = (v * 1000.0).round() as u32,
            (Some("MEMORY"), Some(m)) => r.memory_mib = m as u32,
            (Some("GPU"), Some(g)) => r.gpus = g as u32,
            _ => {}
        }
    }
    r
}

/// `--format json`: one object per platform under its name.
pub fn to_json(runs: &[PlatformRun]) -> String {
    let mut out = Map::new();
    for run in runs {
        let r = &run.report;
        let mut o = Map::new();
        o.insert("cost".into(), json!(r.cost.total));
        o.insert("waitSeconds".into(), json!(r.wait_seconds));
        o.insert("turnaroundSeconds".into(), json!(r.turnaround_seconds));
        o.insert(
            "impossible".into(),
            json!({"count": run.impossible.jobs.len(), "jobs": run.impossible.jobs, "reason": run.impossible.reason}),
        );
        o.insert("jobs".into(), json!(r.jobs));
        o.insert("endSeconds".into(), json!(r.end_seconds));
        if run.platform == Platform::Lambda {
            o.insert("coldStarts".into(), json!(run.cold_starts));
        }
        out.insert(run.platform.name().into(), Value::Object(o));
    }
    serde_json::to_string_pretty(&Value::Object(out)).unwrap_or_default()
}

fn secs(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_owned(), crate::report::text::secs)
}

/// The text table: one line per platform, then what each cannot run.
pub fn to_text(scenario: &str, seed: u64, runs: &[PlatformRun]) -> String {
    let mut s = format!("compare {scenario} (seed {seed}): the workload on each platform\n\n");
    s.push_str(&format!(
        "{:<9} {:>12} {:>10} {:>10} {:>12} {:>12} {:>10}\n",
        "platform", "cost", "wait mean", "wait p95", "turn. mean", "turn. p95", "cannot run"
    ));
    for run in runs {
        let r = &run.report;
        let (w, t): (&WaitStats, &Stats) = (&r.wait_seconds, &r.turnaround_seconds);
        s.push_str(&format!(
            "{:<9} {:>12} {:>10} {:>10} {:>12} {:>12} {:>10}\n",
            run.platform.name(),
            format!("${:.2}", r.cost.total),
            secs(w.stats.mean),
            secs(w.stats.p95),
            secs(t.mean),
            secs(t.p95),
            run.impossible.jobs.len()
        ));
    }
    for run in runs.iter().filter(|r| !r.impossible.jobs.is_empty()) {
        let mut names: Vec<&str> = Vec::new();
        for n in &run.impossible.jobs {
            if !names.contains(&n.as_str()) {
                names.push(n);
            }
        }
        s.push_str(&format!(
            "\n{}: {} job(s) cannot run ({}): {}",
            run.platform.name(),
            run.impossible.jobs.len(),
            names.join(", "),
            run.impossible.reason
        ));
    }
    if let Some(l) = runs.iter().find(|r| r.platform == Platform::Lambda) {
        s.push_str(&format!("\nlambda: {} cold start(s)", l.cold_starts));
    }
    s.push('\n');
    s
}
