//! The per-job table as CSV (CONTRACT section 5).

use super::JobRecord;
use crate::time::write_millis_as_secs;
use std::fmt::Write as _;
use std::io::{self, Write};

/// The header line, exactly as the contract fixes it.
pub const HEADER: &str = "jobId,jobName,arrayIndex,jobQueue,shareIdentifier,jobDefinition,computeEnvironment,status,statusReason,attempts,vcpus,memoryMiB,submittedAt,runnableAt,startedAt,stoppedAt,waitSeconds";

/// Quotes a cell when it holds a comma, a quote or a line break (RFC 4180).
fn cell(out: &mut String, text: &str) {
    if text.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

fn millis(out: &mut String, ms: Option<u64>) {
    if let Some(ms) = ms {
        let _ = write_millis_as_secs(out, ms);
    }
}

/// One row (without the line break).
pub fn row(r: &JobRecord) -> String {
    let mut s = String::with_capacity(160);
    let _ = write!(s, "{},", r.job_id);
    cell(&mut s, &r.job_name);
    s.push(',');
    if let Some(i) = r.job_id.array_index {
        let _ = write!(s, "{i}");
    }
    s.push(',');
    cell(&mut s, &r.job_queue);
    s.push(',');
    cell(&mut s, &r.share_identifier);
    s.push(',');
    cell(&mut s, &r.job_definition);
    s.push(',');
    cell(&mut s, r.compute_environment.as_deref().unwrap_or(""));
    s.push(',');
    s.push_str(r.status.as_str());
    s.push(',');
    cell(&mut s, r.status_reason.as_deref().unwrap_or(""));
    let _ = write!(s, ",{},", r.attempts);
    // vCPUs in thousandths print like seconds in milliseconds: shortest exact form.
    millis(&mut s, Some(u64::from(r.resources.millivcpus)));
    let _ = write!(s, ",{},", r.resources.memory_mib);
    millis(&mut s, Some(r.submitted_at.as_millis()));
    s.push(',');
    millis(&mut s, r.runnable_at.map(|t| t.as_millis()));
    s.push(',');
    millis(&mut s, r.started_at.map(|t| t.as_millis()));
    s.push(',');
    millis(&mut s, r.stopped_at.map(|t| t.as_millis()));
    s.push(',');
    millis(&mut s, r.wait.map(|d| d.as_millis()));
    s
}

/// Writes the header and one row per record.
pub fn write(out: &mut impl Write, records: &[JobRecord]) -> io::Result<()> {
    writeln!(out, "{HEADER}")?;
    for r in records {
        writeln!(out, "{}", row(r))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{JobId, JobStatus, Resources};
    use crate::time::{SimDuration, SimTime};

    #[test]
    fn rows_use_shortest_exact_numbers_and_empty_cells() {
        let r = JobRecord {
            job_id: JobId::child(17, 3),
            job_name: "etl, nightly".into(),
            job_queue: "q".into(),
            share_identifier: String::new(),
            job_definition: "etl:2".into(),
            compute_environment: None,
            status: JobStatus::Runnable,
            status_reason: None,
            attempts: 0,
            resources: Resources::new(0.25, 512),
            submitted_at: SimTime::from_millis(100_500),
            runnable_at: Some(SimTime::from_millis(100_500)),
            started_at: None,
            stopped_at: None,
            wait: None,
            command: Vec::new(),
        };
        assert_eq!(
            row(&r),
            "17:3,\"etl, nightly\",3,q,,etl:2,,RUNNABLE,,0,0.25,512,100.5,100.5,,,"
        );
        let mut done = r.clone();
        done.status = JobStatus::Succeeded;
        done.stopped_at = Some(SimTime::from_millis(200_000));
        done.wait = Some(SimDuration::from_millis(30));
        assert!(row(&done).ends_with(",200,0.03"), "{}", row(&done));
    }
}
