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
//! - `attempts` holds the last attempt only (the table keeps its times, not earlier ones),
//!   with `container.exitCode` 0 for a SUCCEEDED job and 1 for a FAILED one whose container
//!   exited (status reason `Essential container in task exited`; the table does not keep
//!   the code itself); other endings (terminated, cancelled, reclaimed) carry no exit code.
//! - `container.resourceRequirements` gives the job's VCPU, MEMORY (and GPU) as strings.
//! - `dependsOn` is not written: the table does not keep dependencies.
//!
//! Keys come in a fixed order and the output is byte-identical for a given table.

use super::JobRecord;
use crate::model::JobStatus;
use crate::time::SimTime;
use serde_json::{json, Map, Value};
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

/// The `JobDetail` of one row of the table.
pub fn job_detail(r: &JobRecord) -> Value {
    let mut o = head(r, &r.job_id.to_string());
    o.insert("status".into(), json!(r.status.as_str()));
    if let Some(reason) = &r.status_reason {
        o.insert("statusReason".into(), json!(reason));
    }
    let exit_code = match r.status {
        JobStatus::Succeeded => Some(0),
        JobStatus::Failed if r.status_reason.as_deref() == Some(REASON_EXITED) => Some(1),
        _ => None,
    };
    if let Some(started) = r.started_at {
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

/// The fields every job starts with: ARN, name, id, queue.
fn head(r: &JobRecord, id: &str) -> Map<String, Value> {
    let mut o = Map::new();
    o.insert("jobArn".into(), json!(format!("{ARN_PREFIX}job/{id}")));
    o.insert("jobName".into(), json!(r.job_name));
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
        o.insert("shareIdentifier".into(), json!(r.share_identifier));
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
pub fn document(records: &[JobRecord]) -> Value {
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

/// Writes the describe-jobs document of `records` (pretty JSON, a line break at the end).
pub fn write<W: Write + ?Sized>(out: &mut W, records: &[JobRecord]) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &document(records)).map_err(io::Error::other)?;
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
            share_identifier: String::new(),
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
            command: Vec::new(),
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
        let text = serde_json::to_string(&job_detail(&r)).unwrap();
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
        let v = job_detail(&waiting);
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
        write(&mut out, &[]).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "{\n  \"jobs\": []\n}\n");
    }
}
