//! The per-job table as `aws batch describe-jobs` output (`--jobs FILE.json`): `{"jobs":
//! [JobDetail, ...]}` with the AWS Batch API model's field names, so that `batchsim import`
//! reads a run back as job history.
//!
//! - Times are epoch milliseconds from [`ORIGIN_MS`] (2026-01-01T00:00:00Z) plus the
//!   simulated time: a job submitted at 90.5 s has `createdAt` 1767225690500.
//! - ARNs are invented, stable and parse like AWS's: a job is
//!   `arn:aws:batch:us-east-1:000000000000:job/<jobId>` ([`ARN_PREFIX`]), its queue
//!   `...:job-queue/<name>`, its job definition `...:job-definition/<name>:<revision>`.
//! - `jobId` is the table's (`17`, array children `17:3` as AWS numbers them); an array job
//!   is written as its parent (`arrayProperties.size` and `statusSummary`, `startedAt` the
//!   first child's, `stoppedAt` the last child's once every child ended) followed by its
//!   children (`arrayProperties.index`).
//! - `attempts` holds every attempt that reached RUNNING, in order, each with its
//!   `startedAt`, `stoppedAt`, `container.exitCode` (none when the container did not exit:
//!   terminated, reclaimed, timed out) and `statusReason`, as the run's attempt records
//!   ([`crate::report::AttemptRecord`]) give them; the job's own `container.exitCode` is
//!   its last attempt's. (Written from the job table alone, [`document`], `attempts` holds
//!   the last attempt only, with exit code 0 for a SUCCEEDED job and 1 for a FAILED one
//!   whose container exited.) `batchsim import` replays the attempts as they happened.
//! - `container.resourceRequirements` gives the job's VCPU, MEMORY (and GPU) as strings.
//! - `dependsOn` is not written: the table does not keep dependencies.
//!
//! Keys come in a fixed order and the output is byte-identical for a given table.

use super::{AttemptRecord, JobRecord};
use crate::model::JobStatus;
use crate::time::SimTime;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::io::{self, Write};

/// 2026-01-01T00:00:00Z in epoch milliseconds: simulated time 0.
pub const ORIGIN_MS: i64 = 1_767_225_600_000;

/// The start of every ARN written: an invented account in us-east-1.
pub const ARN_PREFIX: &str = "arn:aws:batch:us-east-1:000000000000:";

/// The status reason of a container that exited with a non-zero code.
const REASON_EXITED: &str = "Essential container in task exited";

/// A simulated time as epoch milliseconds.
pub fn epoch_ms(t: SimTime) -> i64 {
    ORIGIN_MS.saturating_add(i64::try_from(t.as_millis()).unwrap_or(i64::MAX - ORIGIN_MS))
}

/// The `JobDetail` of one row, with `attempts` from the attempt records of its job (those
/// that reached RUNNING, in order) when given.
fn detail(r: &JobRecord, attempts: Option<&[&AttemptRecord]>) -> Value {
    let mut o = head(r, &r.job_id.to_string());
    o.insert("status".into(), json!(r.status.as_str()));
    if let Some(reason) = &r.status_reason {
        o.insert("statusReason".into(), json!(reason));
    }
    let mut exit_code = match r.status {
        JobStatus::Succeeded => Some(0),
        JobStatus::Failed if r.status_reason.as_deref() == Some(REASON_EXITED) => Some(1),
        _ => None,
    };
    if let Some(list) = attempts.filter(|l| !l.is_empty()) {
        exit_code = list.last().and_then(|a| a.exit_code);
        let details: Vec<Value> = list.iter().map(|a| attempt_detail(a)).collect();
        o.insert("attempts".into(), Value::Array(details));
    } else if let Some(started) = r.started_at {
        let mut attempt = Map::new();
        let mut container = Map::new();
        if let Some(code) = exit_code {
            container.insert("exitCode".into(), json!(code));
        }
        attempt.insert("container".into(), Value::Object(container));
        attempt.insert("startedAt".into(), json!(epoch_ms(started)));
        if let Some(stopped) = r.stopped_at {
            attempt.insert("stoppedAt".into(), json!(epoch_ms(stopped)));
        }
        if let Some(reason) = &r.status_reason {
            attempt.insert("statusReason".into(), json!(reason));
        }
        o.insert("attempts".into(), json!([attempt]));
    } else {
        o.insert("attempts".into(), json!([]));
    }
    o.insert("createdAt".into(), json!(epoch_ms(r.submitted_at)));
    if let Some(t) = r.started_at {
        o.insert("startedAt".into(), json!(epoch_ms(t)));
    }
    if let Some(t) = r.stopped_at {
        o.insert("stoppedAt".into(), json!(epoch_ms(t)));
    }
    tail(&mut o, r, exit_code);
    if let Some(i) = r.job_id.array_index {
        o.insert("arrayProperties".into(), json!({"index": i}));
    }
    Value::Object(o)
}

/// One `AttemptDetail`: `container.exitCode`, `startedAt`, `stoppedAt`, `statusReason`.
fn attempt_detail(a: &AttemptRecord) -> Value {
    let mut attempt = Map::new();
    let mut container = Map::new();
    if let Some(code) = a.exit_code {
        container.insert("exitCode".into(), json!(code));
    }
    attempt.insert("container".into(), Value::Object(container));
    if let Some(t) = a.started_at {
        attempt.insert("startedAt".into(), json!(epoch_ms(t)));
    }
    if let Some(t) = a.stopped_at {
        attempt.insert("stoppedAt".into(), json!(epoch_ms(t)));
    }
    if let Some(reason) = &a.status_reason {
        attempt.insert("statusReason".into(), json!(reason));
    }
    Value::Object(attempt)
}

/// The fields every job starts with: ARN, name, id, queue.
fn head(r: &JobRecord, id: &str) -> Map<String, Value> {
    let mut o = Map::new();
    o.insert("jobArn".into(), json!(format!("{ARN_PREFIX}job/{id}")));
    o.insert("jobName".into(), json!(&*r.job_name));
    o.insert("jobId".into(), json!(id));
    o.insert(
        "jobQueue".into(),
        json!(format!("{ARN_PREFIX}job-queue/{}", r.job_queue)),
    );
    o
}

/// The fields after the times: job definition, share, container.
fn tail(o: &mut Map<String, Value>, r: &JobRecord, exit_code: Option<i32>) {
    o.insert(
        "jobDefinition".into(),
        json!(format!("{ARN_PREFIX}job-definition/{}", r.job_definition)),
    );
    if !r.share_identifier.is_empty() {
        o.insert("shareIdentifier".into(), json!(&*r.share_identifier));
    }
    let mut requirements = vec![
        json!({"type": "VCPU", "value": r.resources.vcpus().to_string()}),
        json!({"type": "MEMORY", "value": r.resources.memory_mib.to_string()}),
    ];
    if r.resources.gpus > 0 {
        requirements.push(json!({"type": "GPU", "value": r.resources.gpus.to_string()}));
    }
    let mut container = Map::new();
    if let Some(code) = exit_code {
        container.insert("exitCode".into(), json!(code));
    }
    container.insert("resourceRequirements".into(), Value::Array(requirements));
    o.insert("container".into(), Value::Object(container));
}

/// The parent `JobDetail` of an array job whose children are `children` (in index order).
fn array_parent(children: &[&JobRecord]) -> Option<Value> {
    let first = children.first()?;
    let mut o = head(first, &first.job_id.submission.to_string());
    let all_ended = children.iter().all(|c| c.status.is_terminal());
    let status = if !all_ended {
        if children.iter().any(|c| c.started_at.is_some()) {
            JobStatus::Running
        } else {
            JobStatus::Pending
        }
    } else if children.iter().any(|c| c.status == JobStatus::Failed) {
        JobStatus::Failed
    } else {
        JobStatus::Succeeded
    };
    o.insert("status".into(), json!(status.as_str()));
    o.insert("attempts".into(), json!([]));
    o.insert("createdAt".into(), json!(epoch_ms(first.submitted_at)));
    if let Some(t) = children.iter().filter_map(|c| c.started_at).min() {
        o.insert("startedAt".into(), json!(epoch_ms(t)));
    }
    if all_ended {
        if let Some(t) = children.iter().filter_map(|c| c.stopped_at).max() {
            o.insert("stoppedAt".into(), json!(epoch_ms(t)));
        }
    }
    tail(&mut o, first, None);
    // statusSummary in the API's status order.
    let mut summary = Map::new();
    for s in [
        JobStatus::Submitted,
        JobStatus::Pending,
        JobStatus::Runnable,
        JobStatus::Starting,
        JobStatus::Running,
        JobStatus::Succeeded,
        JobStatus::Failed,
    ] {
        summary.insert(
            s.as_str().to_owned(),
            json!(children.iter().filter(|c| c.status == s).count()),
        );
    }
    let size = children
        .iter()
        .filter_map(|c| c.job_id.array_index)
        .max()
        .map_or(0, |i| u64::from(i) + 1);
    o.insert(
        "arrayProperties".into(),
        json!({"statusSummary": summary, "size": size}),
    );
    Some(Value::Object(o))
}

/// The describe-jobs document of a table: jobs in table order, each array parent just
/// before its children.
#[cfg(test)]
fn document(records: &[JobRecord]) -> Value {
    document_with_attempts(records, None)
}

/// [`document`] with every job's attempts from the run's attempt records (`attempts`, in
/// any order; those that never reached RUNNING are left out, as the job's `attempts`
/// counts only those).
pub fn document_with_attempts(records: &[JobRecord], attempts: Option<&[AttemptRecord]>) -> Value {
    let mut by_job: BTreeMap<(u64, Option<u32>), Vec<&AttemptRecord>> = BTreeMap::new();
    for a in attempts.unwrap_or_default().iter().filter(|a| a.started_at.is_some()) {
        by_job
            .entry((a.job_id.submission, a.job_id.array_index))
            .or_default()
            .push(a);
    }
    for list in by_job.values_mut() {
        list.sort_by_key(|a| a.attempt);
    }
    let job_detail = |r: &JobRecord| match attempts {
        Some(_) => detail(
            r,
            Some(
                by_job
                    .get(&(r.job_id.submission, r.job_id.array_index))
                    .map_or(&[][..], Vec::as_slice),
            ),
        ),
        None => detail(r, None),
    };
    let mut jobs = Vec::with_capacity(records.len());
    let mut i = 0;
    while i < records.len() {
        let r = &records[i];
        if r.job_id.array_index.is_some() {
            let children: Vec<&JobRecord> = records[i..]
                .iter()
                .take_while(|c| c.job_id.submission == r.job_id.submission && c.job_id.array_index.is_some())
                .collect();
            jobs.extend(array_parent(&children));
            jobs.extend(children.iter().map(|c| job_detail(c)));
            i += children.len();
        } else {
            jobs.push(job_detail(r));
            i += 1;
        }
    }
    json!({ "jobs": jobs })
}

/// Writes the describe-jobs document of `records` (pretty JSON, a line break at the end),
/// with each job's attempts from `attempts` when given ([`document_with_attempts`]).
pub fn write<W: Write + ?Sized>(
    out: &mut W,
    records: &[JobRecord],
    attempts: Option<&[AttemptRecord]>,
) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &document_with_attempts(records, attempts)).map_err(io::Error::other)?;
    out.write_all(b"\n")?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{JobId, Resources};
    use crate::time::SimDuration;

    fn record(id: JobId, status: JobStatus) -> JobRecord {
        JobRecord {
            job_id: id,
            job_name: "etl".into(),
            job_queue: "q".into(),
            share_identifier: "".into(),
            job_definition: "etl:2".into(),
            compute_environment: Some("ce".into()),
            status,
            status_reason: None,
            attempts: 1,
            resources: Resources::new(0.25, 512),
            submitted_at: SimTime::from_millis(90_500),
            runnable_at: Some(SimTime::from_millis(90_500)),
            started_at: Some(SimTime::from_millis(100_000)),
            stopped_at: Some(SimTime::from_millis(160_000)),
            wait: Some(SimDuration::from_millis(9_500)),
            dispatched_at: None,
            exit_code: None,
            cost: 0.0,
            command: Vec::new().into(),
        }
    }

    #[test]
    fn the_origin_is_2026_01_01() {
        // 56 years from 1970, 14 of them leap years (1972 ... 2024).
        assert_eq!(ORIGIN_MS, (56 * 365 + 14) * 86_400_000);
        assert_eq!(epoch_ms(SimTime::from_millis(90_500)), 1_767_225_690_500);
    }

    #[test]
    fn a_job_has_the_api_field_names_in_a_fixed_order() {
        let mut r = record(JobId::new(7), JobStatus::Failed);
        r.status_reason = Some(REASON_EXITED.into());
        r.share_identifier = "blue".into();
        let text = serde_json::to_string(&detail(&r, None)).unwrap();
        assert_eq!(
            text,
            "{\"jobArn\":\"arn:aws:batch:us-east-1:000000000000:job/7\",\"jobName\":\"etl\",\"jobId\":\"7\",\
             \"jobQueue\":\"arn:aws:batch:us-east-1:000000000000:job-queue/q\",\"status\":\"FAILED\",\
             \"statusReason\":\"Essential container in task exited\",\"attempts\":[{\"container\":{\"exitCode\":1},\
             \"startedAt\":1767225700000,\"stoppedAt\":1767225760000,\"statusReason\":\"Essential container in task exited\"}],\
             \"createdAt\":1767225690500,\"startedAt\":1767225700000,\"stoppedAt\":1767225760000,\
             \"jobDefinition\":\"arn:aws:batch:us-east-1:000000000000:job-definition/etl:2\",\"shareIdentifier\":\"blue\",\
             \"container\":{\"exitCode\":1,\"resourceRequirements\":[{\"type\":\"VCPU\",\"value\":\"0.25\"},{\"type\":\"MEMORY\",\"value\":\"512\"}]}}"
        );
        let mut waiting = record(JobId::new(8), JobStatus::Runnable);
        waiting.started_at = None;
        waiting.stopped_at = None;
        let v = detail(&waiting, None);
        assert_eq!(v["attempts"], json!([]));
        assert!(v.get("startedAt").is_none() && v["container"].get("exitCode").is_none());
    }

    #[test]
    fn an_array_job_is_its_parent_then_its_children() {
        let mut a = record(JobId::child(3, 0), JobStatus::Succeeded);
        let mut b = record(JobId::child(3, 1), JobStatus::Failed);
        a.started_at = Some(SimTime::from_millis(95_000));
        b.stopped_at = Some(SimTime::from_millis(200_000));
        let doc = document(&[record(JobId::new(1), JobStatus::Succeeded), a, b]);
        let jobs = doc["jobs"].as_array().unwrap();
        let ids: Vec<&str> = jobs.iter().map(|j| j["jobId"].as_str().unwrap()).collect();
        assert_eq!(ids, ["1", "3", "3:0", "3:1"]);
        assert_eq!(jobs[1]["arrayProperties"]["size"], 2);
        assert_eq!(jobs[1]["arrayProperties"]["statusSummary"]["FAILED"], 1);
        assert_eq!(jobs[1]["status"], "FAILED");
        assert_eq!(jobs[1]["startedAt"], 1_767_225_695_000i64);
        assert_eq!(jobs[1]["stoppedAt"], 1_767_225_800_000i64);
        assert_eq!(jobs[3]["arrayProperties"], json!({"index": 1}));
        let mut out = Vec::new();
        write(&mut out, &[], None).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "{\n  \"jobs\": []\n}\n");
    }

    #[test]
    fn every_attempt_that_ran_is_listed_with_its_exit_code() {
        let mut r = record(JobId::new(4), JobStatus::Succeeded);
        r.attempts = 3;
        let attempt = |n: u32, run: Option<(u64, u64)>, code: Option<i32>, reason: &str| AttemptRecord {
            job_id: JobId::new(4),
            job_name: "etl".into(),
            attempt: n,
            job_queue: "q".into(),
            share_identifier: String::new(),
            compute_environment: "ce".into(),
            instance_ids: Vec::new(),
            instance_types: Vec::new(),
            dispatched_at: SimTime::from_millis(n as u64 * 1000),
            started_at: run.map(|(s, _)| SimTime::from_millis(s)),
            stopped_at: run.map(|(_, e)| SimTime::from_millis(e)),
            status: JobStatus::Failed,
            exit_code: code,
            status_reason: Some(reason.into()),
            cost: 0.0,
        };
        // Out of order, one ended while STARTING (not an attempt to AWS), one of another job.
        let mut other = attempt(1, Some((0, 5)), Some(0), REASON_EXITED);
        other.job_id = JobId::new(5);
        let records = [
            attempt(4, Some((40_000, 100_000)), Some(0), REASON_EXITED),
            attempt(1, Some((1000, 11_000)), Some(75), REASON_EXITED),
            attempt(2, None, None, "Host EC2 (instance i-0) terminated."),
            attempt(3, Some((20_000, 25_000)), None, "Host EC2 (instance i-1) terminated."),
            other,
        ];
        let doc = document_with_attempts(&[r], Some(&records));
        let job = &doc["jobs"][0];
        let got: Vec<(i64, Value, Value)> = job["attempts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["startedAt"].as_i64().unwrap() - ORIGIN_MS,
                    a["container"]["exitCode"].clone(),
                    a["statusReason"].clone(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (1000, json!(75), json!(REASON_EXITED)),
                (20_000, Value::Null, json!("Host EC2 (instance i-1) terminated.")),
                (40_000, json!(0), json!(REASON_EXITED)),
            ]
        );
        assert_eq!(job["container"]["exitCode"], 0, "the last attempt's");
    }
}
