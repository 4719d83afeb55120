//! Job history as a workload: `aws batch describe-jobs` and `list-jobs` output (pages one
//! after the other), and EventBridge "Batch Job State Change" events (one JSON document per
//! line, as delivered to a log or S3).
//!
//! Each job that ran becomes one submission at its recorded `createdAt` (the time origin is
//! the earliest `createdAt` of all history inputs) with its queue, job definition revision,
//! share, array size, dependencies, resources (`container.resourceRequirements`, or `vcpus`
//! and `memory`) and a fixed runtime of its last attempt's `stoppedAt - startedAt`, failing
//! with the recorded exit code when it was not 0. An array parent whose children are in the
//! same file replays each child as it ran: children that all ran once for one time and
//! exited 0 give the plain runtime; children that all ran alike otherwise give
//! `runtime.attempts`; children that differ give `runtime.childAttempts`, each child's own
//! attempts by `arrayProperties.index` ([`crate::workload::ChildAttempts`]). `seconds` is
//! then the children's mean run time, which a child the history lacks replays (with a
//! note). A job with several `attempts` (or one that ended without its container exiting)
//! also gets `runtime.attempts`, each attempt's run time, exit code and status reason, so
//! retries replay as they happened ([`crate::workload::RecordedAttempt`]); EventBridge
//! events carry the same `attempts` list in their `detail`. Each job keeps the ECS cluster
//! its `container.taskArn` names ([`RecordedRun::ecs_cluster`]), which tells calibration
//! the compute environment it ran on. Times are epoch milliseconds (AWS's form) or ISO-8601
//! text. list-jobs summaries do not name their queue: `--param jobQueue=NAME` gives it. A
//! job without `createdAt` is an error naming it; a job that never started (no
//! `startedAt`) has no run time to replay and is left out, counted in a note; array
//! children are read into their parent's submission (its size submits them).

use super::error::ImportError;
use super::setup::Setup;
use crate::scenario::arn_tail;
use serde_json::{json, Map, Value};

/// One job read from the history, before the time origin is known.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RecordedJob {
    /// Milliseconds since the epoch.
    pub created_ms: i64,
    /// The submission, without `at`.
    pub entry: Value,
    /// Its AWS job id (for `dependsOn`).
    pub job_id: String,
}

/// What the history recorded of one job (array children included), kept for calibration
/// (`crate::calibrate`): its times in epoch milliseconds and its size.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordedRun {
    /// `jobId` (`parent:3` for an array child).
    pub job_id: String,
    /// `jobName` (an array child's is its parent's when it names none).
    pub job_name: String,
    /// The queue's name (the ARN's tail); empty when the record names none.
    pub job_queue: String,
    /// `createdAt`.
    pub created_ms: i64,
    /// When the job became RUNNABLE: the `time` of its first EventBridge event with status
    /// RUNNABLE (describe-jobs output has no such field).
    pub runnable_ms: Option<i64>,
    /// `startedAt` of the last attempt (RUNNING).
    pub started_ms: Option<i64>,
    /// `stoppedAt` of the last attempt.
    pub stopped_ms: Option<i64>,
    /// `status`.
    pub status: String,
    /// vCPUs from `container.resourceRequirements` (or `container.vcpus`).
    pub vcpus: Option<f64>,
    /// `arrayProperties.index` of an array child.
    pub array_index: Option<u32>,
    /// `arrayProperties.size` of an array parent.
    pub array_size: Option<u32>,
    /// The ECS cluster its task ran in: the cluster name of its `container.taskArn` (or its
    /// last attempt's), `None` without one or for an old-format task ARN that names no
    /// cluster ([`crate::import::cluster_of_task`]).
    pub ecs_cluster: Option<String>,
}

/// Everything a job history recorded, with the time origin of the workload read from it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Recorded {
    /// Epoch milliseconds of simulated time 0: the earliest `createdAt` of the jobs replayed
    /// (`None` without any).
    pub origin_ms: Option<i64>,
    /// Every job record, array children included, in input order.
    pub runs: Vec<RecordedRun>,
}

/// Whether a document is describe-jobs / list-jobs output or an EventBridge event.
pub(crate) fn is_history(doc: &Value) -> bool {
    let jobs = doc.get("jobs").or_else(|| doc.get("jobSummaryList"));
    jobs.and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|j| j.get("jobId").is_some()))
        || doc.get("detail-type").and_then(Value::as_str) == Some("Batch Job State Change")
}

/// Reads the history documents of one file into `setup`.
/// `default_queue` (`--param jobQueue=NAME`) is the queue of jobs whose record names none
/// (list-jobs summaries, which are listed per queue).
pub(crate) fn read(
    file: &str,
    documents: &[Value],
    default_queue: Option<&str>,
    setup: &mut Setup,
) -> Result<(), ImportError> {
    let mut jobs: Vec<(String, Value)> = Vec::new();
    // EventBridge: the time each job first became RUNNABLE.
    let mut runnable: Vec<(String, i64)> = Vec::new();
    for (page, doc) in documents.iter().enumerate() {
        let prefix = if documents.len() == 1 {
            String::new()
        } else {
            format!("(document {})", page + 1)
        };
        if let Some(detail) = doc.get("detail") {
            // EventBridge: the last event of a job carries the most (its stopped state).
            let path = if prefix.is_empty() {
                "detail".to_owned()
            } else {
                format!("{prefix}.detail")
            };
            let id = detail
                .get("jobId")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            if detail.get("status").and_then(Value::as_str) == Some("RUNNABLE") {
                if let Some(t) = doc.get("time").and_then(time_ms) {
                    if !runnable.iter().any(|(j, _)| *j == id) {
                        runnable.push((id.clone(), t));
                    }
                }
            }
            match jobs
                .iter_mut()
                .find(|(_, j)| j.get("jobId").and_then(Value::as_str) == Some(id.as_str()))
            {
                Some(slot) if !id.is_empty() => *slot = (path, detail.clone()),
                _ => jobs.push((path, detail.clone())),
            }
            continue;
        }
        let (key, list) = match (doc.get("jobs"), doc.get("jobSummaryList")) {
            (Some(l), _) => ("jobs", l),
            (None, Some(l)) => ("jobSummaryList", l),
            _ => continue,
        };
        let Some(list) = list.as_array() else {
            return Err(ImportError::invalid(
                file,
                super::shapes::join(&prefix, key),
                "expected a list of jobs",
            ));
        };
        for (i, j) in list.iter().enumerate() {
            jobs.push((format!("{}[{i}]", super::shapes::join(&prefix, key)), j.clone()));
        }
    }
    // Array children by parent id: each replays its own recorded attempts.
    let mut child_runs: Vec<ChildRun> = Vec::new();
    for (_, job) in &jobs {
        let Some(o) = job.as_object() else { continue };
        let Some(index) = o
            .get("arrayProperties")
            .and_then(|a| a.get("index"))
            .and_then(Value::as_u64)
            .and_then(|i| u32::try_from(i).ok())
        else {
            continue;
        };
        let id = o.get("jobId").and_then(Value::as_str).unwrap_or_default();
        let Some((parent, _)) = id.rsplit_once(':') else {
            continue;
        };
        if let (Some(started), Some(stopped)) = last_attempt(o) {
            child_runs.push(ChildRun {
                parent: parent.to_owned(),
                index,
                run_ms: stopped.saturating_sub(started).max(0),
                attempts: child_attempts(o, started, stopped),
            });
        }
    }
    let mut missing_children = (0usize, 0usize);
    let mut without_queue = 0usize;
    let mut never_started = 0usize;
    let mut children = 0usize;
    let mut retried = 0usize;
    let mut own_children = 0usize;
    for (path, job) in &jobs {
        let Some(o) = job.as_object() else {
            return Err(ImportError::invalid(file, path.clone(), "expected a job object"));
        };
        let created = match o.get("createdAt") {
            Some(v) => time_ms(v).ok_or_else(|| {
                ImportError::invalid(
                    file,
                    format!("{path}.createdAt"),
                    format!("{v} is neither epoch milliseconds nor an ISO-8601 time"),
                )
            })?,
            None => {
                return Err(ImportError::invalid(
                    file,
                    format!("{path}.createdAt"),
                    "missing: the job's submit time is needed to replay it",
                ))
            }
        };
        let job_id = o.get("jobId").and_then(Value::as_str).unwrap_or_default().to_owned();
        setup.runs.push(recorded_run(o, &job_id, created, &runnable));
        if o.get("arrayProperties").and_then(|a| a.get("index")).is_some() {
            children += 1;
            continue;
        }
        let mut kids: Vec<&ChildRun> = child_runs.iter().filter(|c| c.parent == job_id).collect();
        kids.sort_by_key(|c| c.index);
        kids.dedup_by_key(|c| c.index);
        let run_ms = if kids.is_empty() {
            let (started, stopped) = last_attempt(o);
            let (Some(started), Some(stopped)) = (started, stopped) else {
                never_started += 1;
                continue;
            };
            stopped.saturating_sub(started).max(0)
        } else {
            // An array parent with its children in the history: each child replays its own
            // attempts; a child the history lacks runs for its siblings' mean run time.
            let size = o
                .get("arrayProperties")
                .and_then(|a| a.get("size"))
                .and_then(Value::as_u64)
                .unwrap_or(0);
            if size > kids.len() as u64 {
                missing_children.0 += 1;
                missing_children.1 += (size - kids.len() as u64) as usize;
            }
            kids.iter().map(|c| c.run_ms).sum::<i64>() / kids.len() as i64
        };
        let attempts = if kids.is_empty() {
            recorded_attempts(o)
        } else {
            Vec::new()
        };
        if attempts.len() > 1 {
            retried += 1;
        }
        let mut submit = Map::new();
        for k in ["jobName", "jobQueue", "jobDefinition", "shareIdentifier"] {
            if let Some(Value::String(s)) = o.get(k) {
                let v = if k == "jobQueue" || k == "jobDefinition" {
                    arn_tail(s)
                } else {
                    s
                };
                submit.insert(k.to_owned(), Value::String(v.to_owned()));
            }
        }
        if !submit.contains_key("jobQueue") {
            match default_queue {
                Some(q) => {
                    submit.insert("jobQueue".into(), Value::String(q.to_owned()));
                }
                None => without_queue += 1,
            }
        }
        if let Some(p) = o.get("schedulingPriority").filter(|p| p.is_i64()) {
            submit.insert("schedulingPriorityOverride".into(), p.clone());
        }
        if let Some(size) = o
            .get("arrayProperties")
            .and_then(|a| a.get("size"))
            .filter(|s| s.is_u64())
        {
            submit.insert("arrayProperties".into(), json!({"size": size}));
        }
        if let Some(deps) = o.get("dependsOn").and_then(Value::as_array).filter(|d| !d.is_empty()) {
            submit.insert("dependsOn".into(), Value::Array(deps.clone()));
        }
        if let Some(c) = o.get("container").and_then(Value::as_object) {
            let mut overrides = Map::new();
            for k in ["resourceRequirements", "vcpus", "memory"] {
                if let Some(v) = c.get(k).filter(|v| !v.is_null()) {
                    overrides.insert(k.to_owned(), v.clone());
                }
            }
            if !overrides.is_empty() {
                submit.insert("containerOverrides".into(), Value::Object(overrides));
            }
        }
        let mut runtime = json!({"distribution": "fixed", "seconds": run_ms as f64 / 1000.0});
        if let Some(code) = exit_code(o).filter(|c| *c != 0 && kids.is_empty()) {
            runtime["exitCode"] = json!(code);
        }
        if !kids.is_empty() {
            let alike = kids.iter().all(|c| c.attempts == kids[0].attempts);
            let ordinary = kids[0].attempts.len() == 1
                && kids[0].attempts[0].get("statusReason").is_none()
                && kids[0].attempts[0].get("exitCode").is_none_or(|c| c == 0);
            if kids.iter().any(|c| c.attempts.len() > 1) {
                retried += 1;
            }
            if alike && ordinary {
                // Every child ran once for the same time and exited 0: the plain runtime.
            } else if alike {
                runtime["attempts"] = Value::Array(kids[0].attempts.clone());
            } else {
                own_children += 1;
                runtime["childAttempts"] = Value::Array(
                    kids.iter()
                        .map(|c| json!({"index": c.index, "attempts": c.attempts}))
                        .collect(),
                );
            }
        }
        // Several attempts, or one that ended without its container exiting (a reclaimed
        // host): replayed attempt by attempt.
        let non_exit = |a: &Value| a.get("exitCode").is_none() && a.get("statusReason").is_some();
        if attempts.len() > 1 || attempts.first().is_some_and(non_exit) {
            runtime["attempts"] = Value::Array(attempts);
        }
        setup.history.push(RecordedJob {
            created_ms: created,
            entry: json!({"submitJob": submit, "runtime": runtime}),
            job_id,
        });
    }
    if without_queue > 0 {
        return Err(ImportError::invalid(
            file,
            "",
            format!(
                "{without_queue} job{} without a queue (list-jobs summaries do not repeat the queue they were listed from): give it with --param jobQueue=NAME, or use describe-jobs output",
                if without_queue == 1 { "" } else { "s" }
            ),
        ));
    }
    if never_started > 0 {
        setup.notes.push(format!(
            "{file}: {never_started} job{} never started (no startedAt): no run time to replay, left out",
            if never_started == 1 { "" } else { "s" }
        ));
    }
    if children > 0 {
        setup.notes.push(format!(
            "{file}: {children} array child job{} read into {}: the array parent is submitted with its size{}",
            if children == 1 { "" } else { "s" },
            if children == 1 { "its parent" } else { "their parents" },
            if own_children > 0 {
                format!(
                    "; the children of {own_children} array job{} replay their own recorded attempts (runtime.childAttempts)",
                    if own_children == 1 { "" } else { "s" }
                )
            } else {
                String::new()
            }
        ));
    }
    if missing_children.0 > 0 {
        setup.notes.push(format!(
            "{file}: {} array child job{} of {} array job{} not in the history (or never started): replayed with the mean run time of their recorded siblings",
            missing_children.1,
            if missing_children.1 == 1 { "" } else { "s" },
            missing_children.0,
            if missing_children.0 == 1 { "" } else { "s" },
        ));
    }
    if retried > 0 {
        setup.notes.push(format!(
            "{file}: {retried} job{} had several attempts: each is replayed with its recorded run time, exit code and status reason, and the job definition's retry strategy decides after each",
            if retried == 1 { "" } else { "s" }
        ));
    }
    Ok(())
}

/// The workload of the history read: submissions in time order (ties: input order), `at`
/// from the earliest `createdAt`, `dependsOn` job ids turned into the names of earlier
/// submissions. Dependencies on jobs not in the history are left out with a note.
pub(crate) fn workload(history: &[RecordedJob], notes: &mut Vec<String>) -> Vec<Value> {
    let Some(origin) = history.iter().map(|j| j.created_ms).min() else {
        return Vec::new();
    };
    let mut order: Vec<&RecordedJob> = history.iter().collect();
    order.sort_by_key(|j| j.created_ms);
    let mut unknown = 0usize;
    let mut out = Vec::with_capacity(order.len());
    for (i, job) in order.iter().enumerate() {
        let mut entry = job.entry.clone();
        let mut deps_kept = Vec::new();
        if let Some(deps) = entry["submitJob"].get("dependsOn").and_then(Value::as_array) {
            for d in deps {
                let id = d.get("jobId").and_then(Value::as_str).unwrap_or_default();
                let name = order[..i]
                    .iter()
                    .find(|e| e.job_id == id)
                    .and_then(|e| e.entry["submitJob"].get("jobName").and_then(Value::as_str));
                match name {
                    Some(n) => {
                        let mut d = d.clone();
                        d["jobId"] = json!(n);
                        deps_kept.push(d);
                    }
                    None => unknown += 1,
                }
            }
        }
        if let Some(submit) = entry["submitJob"].as_object_mut() {
            submit.remove("dependsOn");
            if !deps_kept.is_empty() {
                submit.insert("dependsOn".into(), Value::Array(deps_kept));
            }
        }
        let mut with_at = Map::new();
        with_at.insert(
            "at".into(),
            json!(job.created_ms.saturating_sub(origin) as f64 / 1000.0),
        );
        if let Value::Object(o) = entry {
            with_at.extend(o);
        }
        out.push(Value::Object(with_at));
    }
    if unknown > 0 {
        notes.push(format!(
            "{unknown} dependenc{} on jobs not in the history (or submitted later) left out",
            if unknown == 1 { "y" } else { "ies" }
        ));
    }
    out
}

/// An array child read from the history: its parent's id, its index, the run time of its
/// last attempt and its attempts as `runtime.attempts` entries.
struct ChildRun {
    parent: String,
    index: u32,
    run_ms: i64,
    attempts: Vec<Value>,
}

/// A child's attempts: its `attempts[]` ([`recorded_attempts`]), or where the record lists
/// none that ran, the one attempt its own `startedAt`/`stoppedAt` give, with its exit code.
fn child_attempts(o: &Map<String, Value>, started: i64, stopped: i64) -> Vec<Value> {
    let listed = recorded_attempts(o);
    if !listed.is_empty() {
        return listed;
    }
    let mut one = Map::new();
    one.insert(
        "seconds".into(),
        json!(stopped.saturating_sub(started).max(0) as f64 / 1000.0),
    );
    if let Some(code) = exit_code(o) {
        one.insert("exitCode".into(), json!(code));
    }
    match o.get("statusReason").and_then(Value::as_str) {
        Some(r) if r != REASON_EXITED && exit_code(o).is_none() => {
            one.insert("statusReason".into(), json!(r));
        }
        _ => {}
    }
    vec![Value::Object(one)]
}

/// The [`RecordedRun`] of one job record.
fn recorded_run(o: &Map<String, Value>, job_id: &str, created_ms: i64, runnable: &[(String, i64)]) -> RecordedRun {
    let (started_ms, stopped_ms) = last_attempt(o);
    let text = |k: &str| o.get(k).and_then(Value::as_str).unwrap_or_default();
    let container = o.get("container");
    let vcpus = container
        .and_then(|c| c.get("resourceRequirements"))
        .and_then(Value::as_array)
        .and_then(|rs| {
            rs.iter()
                .find(|r| r.get("type").and_then(Value::as_str) == Some("VCPU"))
        })
        .and_then(|r| r.get("value"))
        .and_then(|v| match v {
            Value::String(s) => s.trim().parse::<f64>().ok(),
            other => other.as_f64(),
        })
        .or_else(|| container.and_then(|c| c.get("vcpus")).and_then(Value::as_f64))
        .filter(|v| v.is_finite() && *v >= 0.0);
    let array = o.get("arrayProperties");
    let small = |k: &str| {
        array
            .and_then(|a| a.get(k))
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
    };
    RecordedRun {
        job_id: job_id.to_owned(),
        job_name: text("jobName").to_owned(),
        job_queue: arn_tail(text("jobQueue")).to_owned(),
        created_ms,
        runnable_ms: runnable.iter().find(|(j, _)| j == job_id).map(|(_, t)| *t),
        started_ms,
        stopped_ms,
        status: text("status").to_owned(),
        vcpus,
        array_index: small("index"),
        array_size: small("size"),
        ecs_cluster: super::cluster::task_arn(o)
            .and_then(super::cluster::cluster_of_task)
            .map(str::to_owned),
    }
}

/// `startedAt` and `stoppedAt` of the last attempt (the job's own, else its `attempts`).
fn last_attempt(o: &Map<String, Value>) -> (Option<i64>, Option<i64>) {
    let own = (
        o.get("startedAt").and_then(time_ms),
        o.get("stoppedAt").and_then(time_ms),
    );
    if own.0.is_some() && own.1.is_some() {
        return own;
    }
    let last = o.get("attempts").and_then(Value::as_array).and_then(|a| a.last());
    match last {
        Some(a) => (
            a.get("startedAt").and_then(time_ms).or(own.0),
            a.get("stoppedAt").and_then(time_ms).or(own.1),
        ),
        None => own,
    }
}

/// The job's `attempts[]` as `runtime.attempts` entries: each attempt that ran
/// (`startedAt` and `stoppedAt`) with its run time, `container.exitCode` and
/// `statusReason` (left out when it is the ordinary container exit). An attempt without
/// both times never reached RUNNING (or is still running) and has no run time to replay.
fn recorded_attempts(o: &Map<String, Value>) -> Vec<Value> {
    let Some(list) = o.get("attempts").and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|a| {
            let started = a.get("startedAt").and_then(time_ms)?;
            let stopped = a.get("stoppedAt").and_then(time_ms)?;
            let mut out = Map::new();
            out.insert(
                "seconds".into(),
                json!(stopped.saturating_sub(started).max(0) as f64 / 1000.0),
            );
            let code = a
                .get("container")
                .and_then(|c| c.get("exitCode"))
                .and_then(Value::as_i64);
            if let Some(code) = code {
                out.insert("exitCode".into(), json!(code));
            }
            match a.get("statusReason").and_then(Value::as_str) {
                Some(r) if r != REASON_EXITED || code.is_none() => {
                    out.insert("statusReason".into(), json!(r));
                }
                _ => {}
            }
            Some(Value::Object(out))
        })
        .collect()
}

/// The status reason of an ordinary container exit.
const REASON_EXITED: &str = "Essential container in task exited";

fn exit_code(o: &Map<String, Value>) -> Option<i64> {
    o.get("container")
        .and_then(|c| c.get("exitCode"))
        .or_else(|| {
            o.get("attempts")
                .and_then(Value::as_array)
                .and_then(|a| a.last())
                .and_then(|a| a.get("container"))
                .and_then(|c| c.get("exitCode"))
        })
        .and_then(Value::as_i64)
}

/// A time as epoch milliseconds: a JSON number, or ISO-8601 text
/// (`2024-06-01T02:00:00Z`, `2024-06-01T02:00:00.250+02:00`).
pub(crate) fn time_ms(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite() && f.abs() < 9.0e15)
                .map(|f| f as i64)
        }),
        Value::String(s) => s.trim().parse::<i64>().ok().or_else(|| iso8601_ms(s.trim())),
        _ => None,
    }
}

fn iso8601_ms(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        t.bytes().all(|c| c.is_ascii_digit()).then(|| t.parse().ok())?
    };
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let (y, mo, d, h, mi, sec) = (
        num(0..4)?,
        num(5..7)?,
        num(8..10)?,
        num(11..13)?,
        num(14..16)?,
        num(17..19)?,
    );
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let mut rest = &s[19..];
    let mut millis = 0i64;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let f = &frac[..digits];
        millis = f
            .chars()
            .chain("000".chars())
            .take(3)
            .collect::<String>()
            .parse()
            .ok()?;
        rest = &frac[digits..];
    }
    let offset_min = match rest {
        "Z" | "z" | "" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let t = rest.get(1..)?.replace(':', "");
            if t.len() != 4 || !t.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            sign * (t[..2].parse::<i64>().ok()? * 60 + t[2..].parse::<i64>().ok()?)
        }
    };
    // Days from the civil date (Howard Hinnant's algorithm).
    let yy = if mo <= 2 { y - 1 } else { y };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 24 + h) * 60 + mi - offset_min) * 60_000 + sec * 1000 + millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_epoch_milliseconds_or_iso_8601() {
        assert_eq!(time_ms(&json!(1480483387803i64)), Some(1480483387803));
        assert_eq!(time_ms(&json!("2016-11-30T05:23:07.803Z")), Some(1480483387803));
        assert_eq!(time_ms(&json!("2016-11-30T06:23:07.803+01:00")), Some(1480483387803));
        assert_eq!(time_ms(&json!("1970-01-01T00:00:00Z")), Some(0));
        assert_eq!(time_ms(&json!("2024-02-29T12:00:00.5Z")), Some(1709208000500));
        for bad in [
            "yesterday",
            "2024-13-01T00:00:00Z",
            "2024-01-01T00:00:00+0x:00",
            "2024-01-01",
            "2024-01-01T00:00:00.",
        ] {
            assert_eq!(time_ms(&json!(bad)), None, "{bad}");
        }
    }

    #[test]
    fn jobs_become_submissions_with_their_recorded_run_time() {
        let page = json!({"jobs": [
            {"jobId": "b", "jobName": "second", "jobQueue": "arn:aws:batch:r:1:job-queue/q", "jobDefinition": "arn:aws:batch:r:1:job-definition/d:2",
             "createdAt": 1_000_060_000i64, "startedAt": 1_000_070_000i64, "stoppedAt": 1_000_100_000i64,
             "dependsOn": [{"jobId": "a"}, {"jobId": "elsewhere"}], "container": {"exitCode": 3, "vcpus": 2, "memory": 1024}},
            {"jobId": "a", "jobName": "first", "jobQueue": "q", "jobDefinition": "d", "shareIdentifier": "s",
             "createdAt": "1970-01-12T13:46:40Z", "attempts": [{"startedAt": 1_000_001_000i64, "stoppedAt": 1_000_031_000i64}]},
            {"jobId": "c", "jobName": "waiting", "createdAt": 1_000_000_500i64},
            {"jobId": "a:0", "arrayProperties": {"index": 0}, "createdAt": 1_000_000_000i64}]});
        let mut s = Setup::default();
        read("jobs.json", &[page], None, &mut s).unwrap();
        let w = workload(&s.history, &mut s.notes);
        assert_eq!(
            w,
            vec![
                json!({"at": 0.0, "submitJob": {"jobName": "first", "jobQueue": "q", "jobDefinition": "d", "shareIdentifier": "s"},
                       "runtime": {"distribution": "fixed", "seconds": 30.0}}),
                json!({"at": 60.0, "submitJob": {"jobName": "second", "jobQueue": "q", "jobDefinition": "d:2",
                        "containerOverrides": {"vcpus": 2, "memory": 1024}, "dependsOn": [{"jobId": "first"}]},
                       "runtime": {"distribution": "fixed", "seconds": 30.0, "exitCode": 3}}),
            ]
        );
        let notes = s.notes.join("\n");
        assert!(notes.contains("1 job never started"), "{notes}");
        assert!(notes.contains("1 array child job read into its parent"), "{notes}");
        assert!(notes.contains("1 dependency on jobs not in the history"), "{notes}");
    }

    #[test]
    fn several_attempts_become_runtime_attempts() {
        // describe-jobs AttemptDetail: `startedAt` is when the attempt went from STARTING
        // to RUNNING; an attempt without it never ran and has nothing to replay.
        let page = json!({"jobs": [
            {"jobId": "r", "jobName": "retried", "jobQueue": "q", "jobDefinition": "d:1", "createdAt": 0,
             "startedAt": 100_000, "stoppedAt": 130_000, "container": {"exitCode": 0},
             "attempts": [
                {"container": {"exitCode": 1}, "startedAt": 1000, "stoppedAt": 11_000, "statusReason": "Essential container in task exited"},
                {"container": {}, "statusReason": "Host EC2 (instance i-0) terminated."},
                {"container": {}, "startedAt": 40_000, "stoppedAt": 45_500, "statusReason": "Host EC2 (instance i-1) terminated."},
                {"container": {"exitCode": 0}, "startedAt": 100_000, "stoppedAt": 130_000}]},
            {"jobId": "o", "jobName": "once", "jobQueue": "q", "jobDefinition": "d:1", "createdAt": 0,
             "attempts": [{"container": {"exitCode": 0}, "startedAt": 1000, "stoppedAt": 2000}]}]});
        let mut s = Setup::default();
        read("jobs.json", &[page], None, &mut s).unwrap();
        assert_eq!(
            s.history[0].entry["runtime"],
            json!({"distribution": "fixed", "seconds": 30.0, "attempts": [
                {"seconds": 10.0, "exitCode": 1},
                {"seconds": 5.5, "statusReason": "Host EC2 (instance i-1) terminated."},
                {"seconds": 30.0, "exitCode": 0}]})
        );
        assert_eq!(
            s.history[1].entry["runtime"],
            json!({"distribution": "fixed", "seconds": 1.0}),
            "one ordinary attempt: the plain fixed runtime"
        );
        assert!(
            s.notes
                .iter()
                .any(|n| n.contains("1 job had several attempts: each is replayed")),
            "{:?}",
            s.notes
        );
    }

    #[test]
    fn array_children_replay_their_own_attempts() {
        let child = |i: u32, run: i64| {
            json!({"jobId": format!("p:{i}"), "arrayProperties": {"index": i}, "createdAt": 1000,
                   "startedAt": 5000, "stoppedAt": 5000 + run, "container": {"exitCode": 0}})
        };
        let parent = |size: u32| {
            json!({"jobId": "p", "jobName": "fan", "jobQueue": "q", "jobDefinition": "d",
                "arrayProperties": {"size": size}, "createdAt": 1000, "startedAt": 5000, "stoppedAt": 99000})
        };
        let read_jobs = |jobs: Vec<Value>| {
            let mut s = Setup::default();
            read("a.json", &[json!({ "jobs": jobs })], None, &mut s).unwrap();
            s
        };
        // Alike: the plain runtime, however many children.
        let s = read_jobs(vec![parent(2), child(0, 60_000), child(1, 60_000)]);
        assert_eq!(
            s.history[0].entry["runtime"],
            json!({"distribution": "fixed", "seconds": 60.0})
        );
        assert_eq!(s.history[0].entry["submitJob"]["arrayProperties"], json!({"size": 2}));
        // Different: each child its own, listed by index (the input order does not matter);
        // child 2 failed once (exit 1 after 5 s) and was retried.
        let mut retried = child(2, 30_000);
        retried["attempts"] = json!([
            {"container": {"exitCode": 1}, "startedAt": 2000, "stoppedAt": 7000},
            {"container": {"exitCode": 0}, "startedAt": 9000, "stoppedAt": 39000}]);
        let s = read_jobs(vec![parent(4), retried, child(1, 20_000), child(0, 10_000)]);
        assert_eq!(
            s.history[0].entry["runtime"],
            json!({"distribution": "fixed", "seconds": 20.0, "childAttempts": [
                {"index": 0, "attempts": [{"seconds": 10.0, "exitCode": 0}]},
                {"index": 1, "attempts": [{"seconds": 20.0, "exitCode": 0}]},
                {"index": 2, "attempts": [{"seconds": 5.0, "exitCode": 1}, {"seconds": 30.0, "exitCode": 0}]}]})
        );
        let notes = s.notes.join("\n");
        assert!(
            notes.contains("3 array child jobs read into their parents: the array parent is submitted with its size; the children of 1 array job replay their own recorded attempts"),
            "{notes}"
        );
        assert!(
            notes.contains("1 array child job of 1 array job not in the history (or never started): replayed with the mean run time"),
            "{notes}"
        );
        assert!(notes.contains("1 job had several attempts"), "{notes}");
        // Alike but failing: every child's one attempt, as `attempts`.
        let failed = |i: u32| {
            let mut c = child(i, 8000);
            c["container"]["exitCode"] = json!(3);
            c
        };
        let s = read_jobs(vec![parent(2), failed(0), failed(1)]);
        assert_eq!(
            s.history[0].entry["runtime"],
            json!({"distribution": "fixed", "seconds": 8.0, "attempts": [{"seconds": 8.0, "exitCode": 3}]})
        );
    }

    #[test]
    fn a_job_without_created_at_is_an_error_naming_it() {
        let pages = [
            json!({"jobs": [{"jobId": "x", "createdAt": 1}]}),
            json!({"jobs": [{"jobId": "y"}]}),
        ];
        let e = read("pages.json", &pages, None, &mut Setup::default())
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "pages.json: (document 2).jobs[0].createdAt: missing: the job's submit time is needed to replay it"
        );
        let e = read(
            "j.json",
            &[json!({"jobs": [{"jobId": "y", "createdAt": "soon"}]})],
            None,
            &mut Setup::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("jobs[0].createdAt: \"soon\" is neither"), "{e}");
    }

    #[test]
    fn list_jobs_summaries_take_their_queue_from_a_param() {
        let page = json!({"jobSummaryList": [{"jobArn": "arn:aws:batch:r:1:job/a", "jobId": "a", "jobName": "n",
            "createdAt": 1000, "status": "SUCCEEDED", "startedAt": 2000, "stoppedAt": 5000,
            "container": {"exitCode": 0}, "jobDefinition": "arn:aws:batch:r:1:job-definition/d:4"}]});
        assert!(is_history(&page));
        let e = read("list.json", std::slice::from_ref(&page), None, &mut Setup::default())
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("list.json: (root): 1 job without a queue"), "{e}");
        let mut s = Setup::default();
        read("list.json", &[page], Some("high"), &mut s).unwrap();
        assert_eq!(s.history[0].entry["submitJob"]["jobQueue"], "high");
        assert_eq!(s.history[0].entry["submitJob"]["jobDefinition"], "d:4");
    }

    #[test]
    fn eventbridge_events_keep_the_last_state_of_each_job() {
        let ev = |status: &str, extra: Value| {
            let mut d = json!({"jobId": "j1", "jobName": "n", "jobQueue": "q", "jobDefinition": "d:1", "status": status, "createdAt": 5000});
            if let (Value::Object(d), Value::Object(e)) = (&mut d, extra) {
                d.extend(e);
            }
            json!({"detail-type": "Batch Job State Change", "source": "aws.batch", "detail": d})
        };
        let docs = [
            ev("RUNNABLE", json!({})),
            ev("RUNNING", json!({"startedAt": 6000})),
            ev("SUCCEEDED", json!({"startedAt": 6000, "stoppedAt": 9000})),
        ];
        assert!(docs.iter().all(is_history));
        let mut s = Setup::default();
        read("events.jsonl", &docs, None, &mut s).unwrap();
        assert_eq!(s.history.len(), 1);
        assert_eq!(s.history[0].entry["runtime"]["seconds"], 3.0);
    }

    #[test]
    fn recorded_runs_keep_the_times_the_runnable_event_and_the_vcpus() {
        // The User Guide: "Anytime that an existing (previously submitted) job changes
        // states, an event is created"; the event's `time` is when the job became RUNNABLE.
        let ev = |status: &str, time: &str, extra: Value| {
            let mut d = json!({"jobId": "j1", "jobName": "n", "jobQueue": "arn:aws:batch:us-east-1:1:job-queue/q",
                "jobDefinition": "d:1", "status": status, "createdAt": 5000,
                "container": {"resourceRequirements": [{"type": "VCPU", "value": "0.5"}]}});
            if let (Value::Object(d), Value::Object(e)) = (&mut d, extra) {
                d.extend(e);
            }
            json!({"detail-type": "Batch Job State Change", "time": time, "detail": d})
        };
        let docs = [
            ev("RUNNABLE", "1970-01-01T00:00:07Z", json!({})),
            ev("RUNNING", "1970-01-01T00:00:09Z", json!({"startedAt": 9000})),
            ev(
                "SUCCEEDED",
                "1970-01-01T00:00:12Z",
                json!({"startedAt": 9000, "stoppedAt": 12000}),
            ),
        ];
        let mut s = Setup::default();
        read("events.jsonl", &docs, None, &mut s).unwrap();
        assert_eq!(
            s.runs,
            vec![RecordedRun {
                job_id: "j1".into(),
                job_name: "n".into(),
                job_queue: "q".into(),
                created_ms: 5000,
                runnable_ms: Some(7000),
                started_ms: Some(9000),
                stopped_ms: Some(12000),
                status: "SUCCEEDED".into(),
                vcpus: Some(0.5),
                array_index: None,
                array_size: None,
                ecs_cluster: None,
            }]
        );
        // describe-jobs output has no state times: no RUNNABLE time, and a job that never
        // started is kept too (calibration counts it).
        let page = json!({"jobs": [{"jobId": "a", "jobQueue": "q", "createdAt": 1, "status": "RUNNABLE",
            "container": {"vcpus": 2}}]});
        let mut s = Setup::default();
        read("jobs.json", &[page], None, &mut s).unwrap();
        assert_eq!(
            (s.runs[0].runnable_ms, s.runs[0].started_ms, s.runs[0].vcpus),
            (None, None, Some(2.0))
        );
        assert!(s.history.is_empty());
    }
}
