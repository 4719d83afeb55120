//! The per-job table as CSV (CONTRACT section 5), written with the `csv` crate: the
//! contract's columns ([`HEADER`]) by default, or those followed by the analysis columns
//! ([`JobColumnSet::Analysis`], `batchsim run --job-columns analysis`).

use super::csv_memo::QuoteMemo;
use super::csv_row::Cells;
use super::JobRecord;
use std::io::{self, Write};

/// The header line, exactly as the contract fixes it.
pub const HEADER: &str = "jobId,jobName,arrayIndex,jobQueue,shareIdentifier,jobDefinition,computeEnvironment,status,statusReason,attempts,vcpus,memoryMiB,submittedAt,runnableAt,startedAt,stoppedAt,waitSeconds";

/// The columns [`JobColumnSet::Analysis`] appends after the contract's, in order.
pub const ANALYSIS_COLUMNS: &str = "dispatchedAt,exitCode,cost,turnaroundSeconds";

/// The header line of [`JobColumnSet::Analysis`]: [`HEADER`], then [`ANALYSIS_COLUMNS`].
pub const ANALYSIS_HEADER: &str = "jobId,jobName,arrayIndex,jobQueue,shareIdentifier,jobDefinition,computeEnvironment,status,statusReason,attempts,vcpus,memoryMiB,submittedAt,runnableAt,startedAt,stoppedAt,waitSeconds,dispatchedAt,exitCode,cost,turnaroundSeconds";

/// Which columns a per-job table has (`batchsim run --job-columns`).
///
/// The contract fixes the table's header (CONTRACT section 5) and outside checks compare it,
/// so [`JobColumnSet::Contract`] is the default; [`JobColumnSet::Analysis`] is a batchsim
/// extension that appends, after the contract's columns and in this order:
/// - `dispatchedAt`: the first dispatch (STARTING), so `waitSeconds = dispatchedAt -
///   runnableAt` holds within the row;
/// - `exitCode`: the container's exit code in the last attempt (empty when it ended without
///   one, or is still live);
/// - `cost`: the dollars attributed to the job, its attempts' `cost` in the `--attempts`
///   table summed (so the jobs' costs plus the report's `cost.idle` are `cost.total`);
/// - `turnaroundSeconds`: `stoppedAt - submittedAt` (empty while the job is not terminal).
///
/// ```
/// use batchsim::report::csv::{ANALYSIS_HEADER, HEADER};
/// use batchsim::report::JobColumnSet;
///
/// assert_eq!(JobColumnSet::default(), JobColumnSet::Contract);
/// assert_eq!(JobColumnSet::Contract.header(), HEADER);
/// assert_eq!(JobColumnSet::Analysis.header(), ANALYSIS_HEADER);
/// assert_eq!(
///     ANALYSIS_HEADER.strip_prefix(HEADER),
///     Some(",dispatchedAt,exitCode,cost,turnaroundSeconds")
/// );
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JobColumnSet {
    /// The contract's columns, exactly ([`HEADER`]).
    #[default]
    Contract,
    /// The contract's columns, then [`ANALYSIS_COLUMNS`] ([`ANALYSIS_HEADER`]).
    Analysis,
}

impl JobColumnSet {
    /// The header line of a table with these columns.
    pub fn header(self) -> &'static str {
        match self {
            JobColumnSet::Contract => HEADER,
            JobColumnSet::Analysis => ANALYSIS_HEADER,
        }
    }

    /// Whether the analysis columns follow the contract's.
    pub fn has_analysis_columns(self) -> bool {
        self == JobColumnSet::Analysis
    }
}

/// A writer of rows over `out` in the tables' dialect: comma-separated, `\n` after each row,
/// a cell quoted (RFC 4180, `""` for a quote) only when it holds a comma, a quote, `\r` or
/// `\n`. The tables are written by [`super::csv_row::Cells`], which asks `csv_core` the
/// same question per cell; this writer is the reference its tests compare against.
#[cfg(test)]
pub(super) fn writer<W: Write>(out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .quote_style(csv::QuoteStyle::Necessary)
        // With a `\n` terminator the crate quotes `\n` but not `\r`; a comment byte is always
        // quoted, and writers have no comments, so this makes `\r` quoted too.
        .comment(Some(b'\r'))
        .from_writer(out)
}

/// Writes the cells of one row and ends it (numbers in the shortest exact form, empty cells
/// where a value does not exist).
fn write_row<W: Write>(w: &mut Cells<W>, memo: &mut QuoteMemo, r: &JobRecord, columns: JobColumnSet) -> io::Result<()> {
    match r.job_id.array_index {
        None => w.uint(r.job_id.submission),
        // `17:3`: digits and a colon need no quotes.
        Some(i) => w.uint_pair(r.job_id.submission, b':', i),
    }
    memo.job_name(w, r);
    match r.job_id.array_index {
        Some(i) => w.uint(u64::from(i)),
        None => w.empty(),
    }
    // jobQueue to statusReason: most often the previous row's cells.
    memo.middle(w, r);
    w.uint(u64::from(r.attempts));
    // vCPUs in thousandths print like seconds in milliseconds: shortest exact form.
    w.millis(Some(u64::from(r.resources.millivcpus)));
    w.uint(u64::from(r.resources.memory_mib));
    w.millis(Some(r.submitted_at.as_millis()));
    w.millis(r.runnable_at.map(|t| t.as_millis()));
    w.millis(r.started_at.map(|t| t.as_millis()));
    w.millis(r.stopped_at.map(|t| t.as_millis()));
    w.millis(r.wait.map(|d| d.as_millis()));
    if columns.has_analysis_columns() {
        w.millis(r.dispatched_at.map(|t| t.as_millis()));
        match r.exit_code {
            Some(c) => w.int(i64::from(c)),
            None => w.empty(),
        }
        // The shortest form that reads back as the same f64, as the attempt table writes it.
        w.display(r.cost);
        w.millis(turnaround(r).map(|d| d.as_millis()));
    }
    w.end_row()
}

/// `stoppedAt - submittedAt` of a terminal job (the analysis column `turnaroundSeconds`).
pub(crate) fn turnaround(r: &JobRecord) -> Option<crate::time::SimDuration> {
    r.stopped_at.map(|t| t.since(r.submitted_at))
}

/// One row with the contract's columns (without the line break).
pub fn row(r: &JobRecord) -> String {
    row_with(r, JobColumnSet::Contract)
}

/// One row with `columns` (without the line break).
pub fn row_with(r: &JobRecord, columns: JobColumnSet) -> String {
    let mut w = Cells::in_memory();
    // Writing to memory cannot fail.
    let _ = write_row(&mut w, &mut QuoteMemo::default(), r, columns);
    let mut bytes = w.into_buffered();
    bytes.pop();
    String::from_utf8(bytes).unwrap_or_default()
}

/// A job table written row by row (the command line streams rows as jobs end).
pub struct TableWriter<W: Write> {
    w: Cells<W>,
    memo: QuoteMemo,
    columns: JobColumnSet,
}

impl<W: Write> TableWriter<W> {
    /// Starts a table with the contract's columns on `out` with the header line.
    pub fn new(out: W) -> io::Result<TableWriter<W>> {
        TableWriter::with_columns(out, JobColumnSet::Contract)
    }

    /// Starts a table with `columns` on `out` with the header line.
    pub fn with_columns(out: W, columns: JobColumnSet) -> io::Result<TableWriter<W>> {
        let mut w = Cells::new(out);
        w.header(columns.header())?;
        Ok(TableWriter {
            w,
            memo: QuoteMemo::default(),
            columns,
        })
    }

    /// Writes one row.
    pub fn row(&mut self, r: &JobRecord) -> io::Result<()> {
        write_row(&mut self.w, &mut self.memo, r, self.columns)
    }

    /// Writes what is buffered, flushes it and hands the output back.
    pub fn finish(self) -> io::Result<W> {
        self.w.finish()
    }
}

/// Writes the contract's header and one row per record.
pub fn write(out: &mut impl Write, records: &[JobRecord]) -> io::Result<()> {
    write_with(out, records, JobColumnSet::Contract)
}

/// Writes the header of `columns` and one row per record.
pub fn write_with(out: &mut impl Write, records: &[JobRecord], columns: JobColumnSet) -> io::Result<()> {
    let mut w = TableWriter::with_columns(out, columns)?;
    for r in records {
        w.row(r)?;
    }
    w.finish()?.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{JobId, JobStatus, Resources};
    use crate::time::{SimDuration, SimTime};
    use std::borrow::Cow;
    use std::sync::Arc;

    /// A RUNNABLE array child with empty cells where a value does not exist.
    fn runnable() -> JobRecord {
        JobRecord {
            job_id: JobId::child(17, 3),
            job_name: "etl, nightly".into(),
            job_queue: "q".into(),
            share_identifier: "".into(),
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
            dispatched_at: None,
            exit_code: None,
            cost: 0.0,
            command: Vec::new().into(),
        }
    }

    #[test]
    fn rows_use_shortest_exact_numbers_and_empty_cells() {
        let r = runnable();
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

    /// A table's remembered answers (same name, same allocation) never change a row: each
    /// row equals the row written alone, as names and reasons change, repeat, need quotes or
    /// not, and equal names come in new allocations.
    #[test]
    fn remembered_quotes_give_the_rows_written_alone() {
        let base = JobRecord {
            job_id: JobId::new(1),
            job_name: "j".into(),
            job_definition: "d:1".into(),
            compute_environment: Some("ce".into()),
            status: JobStatus::Failed,
            status_reason: Some(Cow::Borrowed("Essential container in task exited")),
            attempts: 1,
            ..runnable()
        };
        let quoted: Arc<str> = "a,b".into();
        let mut records = Vec::new();
        for i in 0..40u64 {
            let mut r = base.clone();
            r.job_id = JobId::new(i + 1);
            if i % 3 == 0 {
                r.job_queue = quoted.clone();
            }
            if i % 4 == 1 {
                // A new allocation each time, equal text or not.
                r.job_definition = Arc::from(if i % 8 == 1 { "d,2" } else { "d:2" });
            }
            r.status_reason = match i % 5 {
                0 => Some(Cow::Borrowed("say \"hi\"")),
                1 => Some(Cow::Owned(format!("exit, {i}"))),
                2 => None,
                _ => base.status_reason.clone(),
            };
            if i % 7 == 0 {
                r.compute_environment = None;
            }
            if i % 6 == 0 {
                r.status = JobStatus::Succeeded;
            }
            records.push(r);
        }
        let mut out = Vec::new();
        write(&mut out, &records).expect("to memory");
        let mut want = format!("{HEADER}\n");
        for r in &records {
            want.push_str(&row(r));
            want.push('\n');
        }
        assert_eq!(String::from_utf8(out).expect("UTF-8"), want);
        assert!(want.contains(",\"a,b\","), "{want}");
        assert!(want.contains(",\"d,2\","), "{want}");
        assert!(want.contains(",\"say \"\"hi\"\"\","), "{want}");
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
            dispatched_at: Some(SimTime::from_millis(1500)),
            exit_code: Some(0),
            cost: 0.001_25,
            command: Vec::new().into(),
        };
        let mut out = Vec::new();
        write(&mut out, &[r.clone(), r.clone()]).expect("write to memory");
        let text = String::from_utf8(out).expect("UTF-8");
        let row = "4:0,a,0,q,s,d:1,ce,SUCCEEDED,,1,2,4096,0,0,1.5,61.5,1.5";
        assert_eq!(text, format!("{HEADER}\n{row}\n{row}\n"));
        let mut out = Vec::new();
        write_with(&mut out, &[r], JobColumnSet::Analysis).expect("write to memory");
        let text = String::from_utf8(out).expect("UTF-8");
        assert_eq!(text, format!("{ANALYSIS_HEADER}\n{row},1.5,0,0.00125,61.5\n"));
    }

    #[test]
    fn analysis_columns_leave_empty_cells_where_a_value_does_not_exist() {
        let r = JobRecord {
            job_id: JobId::child(9, 1),
            job_name: "a".into(),
            job_queue: "q".into(),
            share_identifier: "".into(),
            job_definition: "d:1".into(),
            compute_environment: Some("spot".into()),
            status: JobStatus::Running,
            status_reason: None,
            attempts: 2,
            resources: Resources::new(1.0, 2048),
            submitted_at: SimTime::from_millis(1_000),
            runnable_at: Some(SimTime::from_millis(1_000)),
            started_at: Some(SimTime::from_millis(250_000)),
            stopped_at: None,
            wait: Some(SimDuration::from_millis(31_250)),
            dispatched_at: Some(SimTime::from_millis(32_250)),
            exit_code: None,
            cost: 0.1 + 0.2,
            command: Vec::new().into(),
        };
        let text = row_with(&r, JobColumnSet::Analysis);
        assert!(text.ends_with(",31.25,32.25,,0.30000000000000004,"), "{text}");
        assert_eq!(row(&r), row_with(&r, JobColumnSet::Contract));
        assert_eq!(
            text.strip_prefix(row(&r).as_str()).map(|t| t.matches(',').count()),
            Some(ANALYSIS_COLUMNS.split(',').count())
        );
        assert_eq!(format!("{HEADER},{ANALYSIS_COLUMNS}"), ANALYSIS_HEADER);
    }
}
