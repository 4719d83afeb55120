//! The per-job table as CSV (CONTRACT section 5), written with the `csv` crate.

use super::JobRecord;
use std::fmt::{self, Write as _};
use std::io::{self, Write};

/// The header line, exactly as the contract fixes it.
pub const HEADER: &str = "jobId,jobName,arrayIndex,jobQueue,shareIdentifier,jobDefinition,computeEnvironment,status,statusReason,attempts,vcpus,memoryMiB,submittedAt,runnableAt,startedAt,stoppedAt,waitSeconds";

/// A writer of job-table rows over `out`, with the contract's dialect: comma-separated, `\n`
/// after each row, a cell quoted (RFC 4180, `""` for a quote) only when it holds a comma, a
/// quote, `\r` or `\n`.
pub(super) fn writer<W: Write>(out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .quote_style(csv::QuoteStyle::Necessary)
        // With a `\n` terminator the crate quotes `\n` but not `\r`; a comment byte is always
        // quoted, and writers have no comments, so this makes `\r` quoted too.
        .comment(Some(b'\r'))
        .from_writer(out)
}

/// Writes a number cell (empty for `None`), formatted in `num`.
fn number<W: Write>(w: &mut csv::Writer<W>, num: &mut String, value: Option<&dyn fmt::Display>) -> csv::Result<()> {
    num.clear();
    if let Some(v) = value {
        let _ = write!(num, "{v}");
    }
    w.write_field(num.as_bytes())
}

/// Writes an unsigned integer cell.
pub(super) fn uint<W: Write>(w: &mut csv::Writer<W>, n: u64) -> csv::Result<()> {
    let mut buf = [0u8; 24];
    w.write_field(crate::time::uint_digits(n, &mut buf))
}

/// Writes milliseconds (or milli-vCPUs) as units in the shortest exact form (empty for
/// `None`), digits written by hand ([`crate::time::millis_as_secs`]).
pub(super) fn millis<W: Write>(w: &mut csv::Writer<W>, ms: Option<u64>) -> csv::Result<()> {
    match ms {
        Some(ms) => {
            let mut buf = [0u8; 24];
            w.write_field(crate::time::millis_as_secs(ms, &mut buf))
        }
        None => w.write_field(b""),
    }
}

/// Writes the cells of one row and ends it (numbers in the shortest exact form, empty cells
/// where a value does not exist); `num` is scratch space for the numbers.
fn write_row<W: Write>(w: &mut csv::Writer<W>, r: &JobRecord, num: &mut String) -> csv::Result<()> {
    match r.job_id.array_index {
        None => uint(w, r.job_id.submission)?,
        Some(_) => number(w, num, Some(&r.job_id))?,
    }
    w.write_field(&r.job_name)?;
    match r.job_id.array_index {
        Some(i) => uint(w, u64::from(i))?,
        None => w.write_field(b"")?,
    }
    w.write_field(&r.job_queue)?;
    w.write_field(&r.share_identifier)?;
    w.write_field(&r.job_definition)?;
    w.write_field(r.compute_environment.as_deref().unwrap_or(""))?;
    w.write_field(r.status.as_str())?;
    w.write_field(r.status_reason.as_deref().unwrap_or(""))?;
    uint(w, u64::from(r.attempts))?;
    // vCPUs in thousandths print like seconds in milliseconds: shortest exact form.
    millis(w, Some(u64::from(r.resources.millivcpus)))?;
    uint(w, u64::from(r.resources.memory_mib))?;
    millis(w, Some(r.submitted_at.as_millis()))?;
    millis(w, r.runnable_at.map(|t| t.as_millis()))?;
    millis(w, r.started_at.map(|t| t.as_millis()))?;
    millis(w, r.stopped_at.map(|t| t.as_millis()))?;
    millis(w, r.wait.map(|d| d.as_millis()))?;
    w.write_record(None::<&[u8]>)
}

/// A csv crate error as the I/O error it is (writing only fails on I/O).
pub(super) fn io_error(e: csv::Error) -> io::Error {
    let message = e.to_string();
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        _ => io::Error::other(message),
    }
}

/// One row (without the line break).
pub fn row(r: &JobRecord) -> String {
    let mut w = writer(Vec::with_capacity(160));
    // Writing to memory cannot fail.
    let _ = write_row(&mut w, r, &mut String::new());
    let mut bytes = w.into_inner().unwrap_or_default();
    bytes.pop();
    String::from_utf8(bytes).unwrap_or_default()
}

/// A job table written row by row (the command line streams rows as jobs end).
pub struct TableWriter<W: Write> {
    w: csv::Writer<W>,
    num: String,
}

impl<W: Write> TableWriter<W> {
    /// Starts a table on `out` with the header line.
    pub fn new(out: W) -> io::Result<TableWriter<W>> {
        let mut w = writer(out);
        w.write_record(HEADER.split(',')).map_err(io_error)?;
        Ok(TableWriter { w, num: String::new() })
    }

    /// Writes one row.
    pub fn row(&mut self, r: &JobRecord) -> io::Result<()> {
        write_row(&mut self.w, r, &mut self.num).map_err(io_error)
    }

    /// Flushes what is buffered and hands the output back.
    pub fn finish(self) -> io::Result<W> {
        self.w.into_inner().map_err(|e| e.into_error())
    }
}

/// Writes the header and one row per record.
pub fn write(out: &mut impl Write, records: &[JobRecord]) -> io::Result<()> {
    let mut w = writer(out);
    w.write_record(HEADER.split(',')).map_err(io_error)?;
    let mut num = String::new();
    for r in records {
        write_row(&mut w, r, &mut num).map_err(io_error)?;
    }
    w.flush()
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
        let mut odd = r.clone();
        odd.job_name = "say \"hi\"\rnow".into();
        odd.status_reason = Some("line\nbreak".into());
        let text = row(&odd);
        assert!(text.starts_with("17:3,\"say \"\"hi\"\"\rnow\",3,"), "{text}");
        assert!(text.contains(",RUNNABLE,\"line\nbreak\",0,"), "{text}");
    }

    #[test]
    fn write_gives_the_header_then_one_line_per_record() {
        let r = JobRecord {
            job_id: JobId::child(4, 0),
            job_name: "a".into(),
            job_queue: "q".into(),
            share_identifier: "s".into(),
            job_definition: "d:1".into(),
            compute_environment: Some("ce".into()),
            status: JobStatus::Succeeded,
            status_reason: None,
            attempts: 1,
            resources: Resources::new(2.0, 4096),
            submitted_at: SimTime::from_millis(0),
            runnable_at: Some(SimTime::from_millis(0)),
            started_at: Some(SimTime::from_millis(1500)),
            stopped_at: Some(SimTime::from_millis(61_500)),
            wait: Some(SimDuration::from_millis(1500)),
            command: Vec::new(),
        };
        let mut out = Vec::new();
        write(&mut out, &[r.clone(), r]).expect("write to memory");
        let text = String::from_utf8(out).expect("UTF-8");
        let row = "4:0,a,0,q,s,d:1,ce,SUCCEEDED,,1,2,4096,0,0,1.5,61.5,1.5";
        assert_eq!(text, format!("{HEADER}\n{row}\n{row}\n"));
    }
}
