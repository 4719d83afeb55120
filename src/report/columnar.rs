//! The job and attempt tables as Parquet or Arrow IPC files (cargo feature `columnar`), so
//! pandas, polars and DuckDB read them directly (`pd.read_parquet("jobs.parquet")`,
//! `SELECT * FROM 'jobs.parquet'`).
//!
//! The columns are those of the CSV tables ([`super::csv::HEADER`],
//! [`super::attempts::HEADER`]), in the same order and with the same names, typed: times and
//! waits are seconds as `Float64` (exact to the millisecond the simulation keeps), counts and
//! sizes unsigned integers, names `Utf8`; a cell the CSV leaves empty is a null. The
//! attempt table's `instanceIds` and `instanceTypes` are lists of strings. Rows are written
//! in batches of [`BATCH_ROWS`] (one Parquet row group, or one Arrow record batch, each), so
//! a table streamed while the run goes on keeps memory flat. A job table made with
//! [`JobColumns::with_columns`]`(`[`JobColumnSet::Analysis`]`)` has the CSV's analysis columns
//! too (`dispatchedAt`, `turnaroundSeconds` and `cost` as `Float64`, `exitCode` as `Int32`).
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use batchsim::report::columnar::{ColumnarFormat, JobColumns, TableWriter};
//! use batchsim::{Options, Scenario, Simulation};
//!
//! let scenario = Scenario::from_json_str(r#"{
//!   "computeEnvironments": [{"computeEnvironmentName": "ce", "type": "MANAGED",
//!       "computeResources": {"type": "FARGATE", "maxvCpus": 4}}],
//!   "jobQueues": [{"jobQueueName": "q", "priority": 1,
//!       "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "ce"}]}],
//!   "jobDefinitions": [{"jobDefinitionName": "d", "type": "container", "platformCapabilities": ["FARGATE"],
//!       "containerProperties": {"resourceRequirements": [{"type": "VCPU", "value": "1"},
//!           {"type": "MEMORY", "value": "2048"}]}}],
//!   "workload": [{"at": 0, "submitJob": {"jobName": "j", "jobQueue": "q", "jobDefinition": "d",
//!       "arrayProperties": {"size": 3}}, "runtime": {"distribution": "fixed", "seconds": 60}}]
//! }"#, "doc.json")?;
//! let sim = Simulation::new(&scenario, Options { record_jobs: true, ..Options::default() })?;
//! let (report, records) = sim.run_with_records();
//! let mut table = TableWriter::<JobColumns, _>::new(Vec::new(), ColumnarFormat::Parquet)?;
//! for record in &records {
//!     table.row(record)?;
//! }
//! let bytes = table.finish()?;
//! assert_eq!(report.jobs.succeeded, 3);
//! assert_eq!(records.len(), 3, "one row per child");
//! assert_eq!(&bytes[..4], b"PAR1", "a Parquet file");
//! # Ok(())
//! # }
//! ```

use super::attempts::AttemptRecord;
use super::{JobColumnSet, JobRecord};
use arrow_array::builder::{Float64Builder, ListBuilder, StringBuilder, UInt32Builder, UInt64Builder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use std::io::{self, Write};
use std::sync::Arc;

/// Rows kept before they are written as one Parquet row group or Arrow record batch.
pub const BATCH_ROWS: usize = 8192;

/// The file format of a columnar table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ColumnarFormat {
    /// Apache Parquet (`.parquet`), uncompressed.
    Parquet,
    /// The Arrow IPC file format (`.arrow`, also called Feather version 2).
    ArrowIpc,
}

impl ColumnarFormat {
    /// The format a file name asks for: `.parquet` or `.arrow`/`.feather` (any case).
    pub fn of_path(path: &std::path::Path) -> Option<ColumnarFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "parquet" => Some(ColumnarFormat::Parquet),
            "arrow" | "feather" => Some(ColumnarFormat::ArrowIpc),
            _ => None,
        }
    }
}

/// The columns of one table being filled: the rows of one batch.
pub trait Columns: Default + Send {
    /// One row of the table.
    type Row;
    /// The table's schema (the CSV header's names, typed).
    fn schema(&self) -> SchemaRef;
    /// Adds one row.
    fn push(&mut self, row: &Self::Row);
    /// The filled columns, in schema order; the builders are empty again afterwards.
    fn finish(&mut self) -> Vec<ArrayRef>;
}

fn seconds(ms: u64) -> f64 {
    ms as f64 / 1000.0
}

fn field(name: &str, data_type: DataType, nullable: bool) -> Field {
    Field::new(name, data_type, nullable)
}

/// The per-job table's columns (CONTRACT section 5), and the analysis columns when made
/// with [`JobColumns::with_columns`]`(`[`JobColumnSet::Analysis`]`)`.
#[derive(Default)]
pub struct JobColumns {
    columns: JobColumnSet,
    job_id: StringBuilder,
    job_name: StringBuilder,
    array_index: UInt32Builder,
    job_queue: StringBuilder,
    share_identifier: StringBuilder,
    job_definition: StringBuilder,
    compute_environment: StringBuilder,
    status: StringBuilder,
    status_reason: StringBuilder,
    attempts: UInt32Builder,
    vcpus: Float64Builder,
    memory_mib: UInt64Builder,
    submitted_at: Float64Builder,
    runnable_at: Float64Builder,
    started_at: Float64Builder,
    stopped_at: Float64Builder,
    wait_seconds: Float64Builder,
    dispatched_at: Float64Builder,
    exit_code: arrow_array::builder::Int32Builder,
    cost: Float64Builder,
    turnaround_seconds: Float64Builder,
}

impl JobColumns {
    /// Empty columns of the table with `columns` (the default is the contract's).
    pub fn with_columns(columns: JobColumnSet) -> JobColumns {
        JobColumns {
            columns,
            ..JobColumns::default()
        }
    }
}

impl Columns for JobColumns {
    type Row = JobRecord;

    fn schema(&self) -> SchemaRef {
        use DataType::{Float64, Int32, UInt32, UInt64, Utf8};
        let mut fields = vec![
            field("jobId", Utf8, false),
            field("jobName", Utf8, false),
            field("arrayIndex", UInt32, true),
            field("jobQueue", Utf8, false),
            field("shareIdentifier", Utf8, false),
            field("jobDefinition", Utf8, false),
            field("computeEnvironment", Utf8, true),
            field("status", Utf8, false),
            field("statusReason", Utf8, true),
            field("attempts", UInt32, false),
            field("vcpus", Float64, false),
            field("memoryMiB", UInt64, false),
            field("submittedAt", Float64, false),
            field("runnableAt", Float64, true),
            field("startedAt", Float64, true),
            field("stoppedAt", Float64, true),
            field("waitSeconds", Float64, true),
        ];
        if self.columns.has_analysis_columns() {
            fields.extend([
                field("dispatchedAt", Float64, true),
                field("exitCode", Int32, true),
                field("cost", Float64, false),
                field("turnaroundSeconds", Float64, true),
            ]);
        }
        Arc::new(Schema::new(fields))
    }

    fn push(&mut self, r: &JobRecord) {
        self.job_id.append_value(r.job_id.to_string());
        self.job_name.append_value(&r.job_name);
        self.array_index.append_option(r.job_id.array_index);
        self.job_queue.append_value(&r.job_queue);
        self.share_identifier.append_value(&r.share_identifier);
        self.job_definition.append_value(&r.job_definition);
        self.compute_environment.append_option(r.compute_environment.as_deref());
        self.status.append_value(r.status.as_str());
        self.status_reason.append_option(r.status_reason.as_deref());
        self.attempts.append_value(r.attempts);
        self.vcpus.append_value(seconds(u64::from(r.resources.millivcpus)));
        self.memory_mib.append_value(u64::from(r.resources.memory_mib));
        self.submitted_at.append_value(seconds(r.submitted_at.as_millis()));
        self.runnable_at
            .append_option(r.runnable_at.map(|t| seconds(t.as_millis())));
        self.started_at
            .append_option(r.started_at.map(|t| seconds(t.as_millis())));
        self.stopped_at
            .append_option(r.stopped_at.map(|t| seconds(t.as_millis())));
        self.wait_seconds.append_option(r.wait.map(|d| seconds(d.as_millis())));
        if self.columns.has_analysis_columns() {
            self.dispatched_at
                .append_option(r.dispatched_at.map(|t| seconds(t.as_millis())));
            self.exit_code.append_option(r.exit_code);
            self.cost.append_value(r.cost);
            self.turnaround_seconds
                .append_option(super::csv::turnaround(r).map(|d| seconds(d.as_millis())));
        }
    }

    fn finish(&mut self) -> Vec<ArrayRef> {
        let mut arrays: Vec<ArrayRef> = vec![
            Arc::new(self.job_id.finish()),
            Arc::new(self.job_name.finish()),
            Arc::new(self.array_index.finish()),
            Arc::new(self.job_queue.finish()),
            Arc::new(self.share_identifier.finish()),
            Arc::new(self.job_definition.finish()),
            Arc::new(self.compute_environment.finish()),
            Arc::new(self.status.finish()),
            Arc::new(self.status_reason.finish()),
            Arc::new(self.attempts.finish()),
            Arc::new(self.vcpus.finish()),
            Arc::new(self.memory_mib.finish()),
            Arc::new(self.submitted_at.finish()),
            Arc::new(self.runnable_at.finish()),
            Arc::new(self.started_at.finish()),
            Arc::new(self.stopped_at.finish()),
            Arc::new(self.wait_seconds.finish()),
        ];
        if self.columns.has_analysis_columns() {
            arrays.extend([
                Arc::new(self.dispatched_at.finish()) as ArrayRef,
                Arc::new(self.exit_code.finish()),
                Arc::new(self.cost.finish()),
                Arc::new(self.turnaround_seconds.finish()),
            ]);
        }
        arrays
    }
}

/// The per-attempt table's columns (`--attempts`).
#[derive(Default)]
pub struct AttemptColumns {
    job_id: StringBuilder,
    job_name: StringBuilder,
    attempt: UInt32Builder,
    job_queue: StringBuilder,
    share_identifier: StringBuilder,
    compute_environment: StringBuilder,
    instance_ids: ListBuilder<StringBuilder>,
    instance_types: ListBuilder<StringBuilder>,
    dispatched_at: Float64Builder,
    started_at: Float64Builder,
    stopped_at: Float64Builder,
    status: StringBuilder,
    exit_code: arrow_array::builder::Int32Builder,
    status_reason: StringBuilder,
    cost: Float64Builder,
}

impl Columns for AttemptColumns {
    type Row = AttemptRecord;

    fn schema(&self) -> SchemaRef {
        use DataType::{Float64, Int32, UInt32, Utf8};
        let list = || DataType::List(Arc::new(Field::new("item", Utf8, true)));
        Arc::new(Schema::new(vec![
            field("jobId", Utf8, false),
            field("jobName", Utf8, false),
            field("attempt", UInt32, false),
            field("jobQueue", Utf8, false),
            field("shareIdentifier", Utf8, false),
            field("computeEnvironment", Utf8, false),
            field("instanceIds", list(), false),
            field("instanceTypes", list(), false),
            field("dispatchedAt", Float64, false),
            field("startedAt", Float64, true),
            field("stoppedAt", Float64, true),
            field("status", Utf8, false),
            field("exitCode", Int32, true),
            field("statusReason", Utf8, true),
            field("cost", Float64, false),
        ]))
    }

    fn push(&mut self, r: &AttemptRecord) {
        self.job_id.append_value(r.job_id.to_string());
        self.job_name.append_value(&r.job_name);
        self.attempt.append_value(r.attempt);
        self.job_queue.append_value(&r.job_queue);
        self.share_identifier.append_value(&r.share_identifier);
        self.compute_environment.append_value(&r.compute_environment);
        for id in &r.instance_ids {
            self.instance_ids.values().append_value(id);
        }
        self.instance_ids.append(true);
        for t in &r.instance_types {
            self.instance_types.values().append_value(t);
        }
        self.instance_types.append(true);
        self.dispatched_at.append_value(seconds(r.dispatched_at.as_millis()));
        self.started_at
            .append_option(r.started_at.map(|t| seconds(t.as_millis())));
        self.stopped_at
            .append_option(r.stopped_at.map(|t| seconds(t.as_millis())));
        self.status.append_value(r.status.as_str());
        self.exit_code.append_option(r.exit_code);
        self.status_reason.append_option(r.status_reason.as_deref());
        self.cost.append_value(r.cost);
    }

    fn finish(&mut self) -> Vec<ArrayRef> {
        vec![
            Arc::new(self.job_id.finish()),
            Arc::new(self.job_name.finish()),
            Arc::new(self.attempt.finish()),
            Arc::new(self.job_queue.finish()),
            Arc::new(self.share_identifier.finish()),
            Arc::new(self.compute_environment.finish()),
            Arc::new(self.instance_ids.finish()),
            Arc::new(self.instance_types.finish()),
            Arc::new(self.dispatched_at.finish()),
            Arc::new(self.started_at.finish()),
            Arc::new(self.stopped_at.finish()),
            Arc::new(self.status.finish()),
            Arc::new(self.exit_code.finish()),
            Arc::new(self.status_reason.finish()),
            Arc::new(self.cost.finish()),
        ]
    }
}

enum Sink<W: Write + Send> {
    Parquet(parquet::arrow::ArrowWriter<W>),
    Ipc(arrow_ipc::writer::FileWriter<W>),
}

/// A columnar table written row by row: rows gather into batches of [`BATCH_ROWS`], each
/// written when full; [`TableWriter::finish`] writes the last one and the file's footer.
pub struct TableWriter<C: Columns, W: Write + Send> {
    columns: C,
    rows: usize,
    schema: SchemaRef,
    sink: Sink<W>,
}

fn io_error(e: impl std::error::Error + Send + Sync + 'static) -> io::Error {
    io::Error::other(e)
}

impl<C: Columns, W: Write + Send> TableWriter<C, W> {
    /// Starts a table on `out` (Parquet writes its magic bytes now; Arrow IPC its schema).
    pub fn new(out: W, format: ColumnarFormat) -> io::Result<TableWriter<C, W>> {
        TableWriter::with_columns(C::default(), out, format)
    }

    /// Starts a table of `columns` (empty columns, made with the set of columns wanted) on
    /// `out`.
    pub fn with_columns(columns: C, out: W, format: ColumnarFormat) -> io::Result<TableWriter<C, W>> {
        let schema = columns.schema();
        let sink = match format {
            ColumnarFormat::Parquet => {
                Sink::Parquet(parquet::arrow::ArrowWriter::try_new(out, schema.clone(), None).map_err(io_error)?)
            }
            ColumnarFormat::ArrowIpc => {
                Sink::Ipc(arrow_ipc::writer::FileWriter::try_new(out, &schema).map_err(io_error)?)
            }
        };
        Ok(TableWriter {
            columns,
            rows: 0,
            schema,
            sink,
        })
    }

    /// Adds one row, writing the batch when it is full.
    pub fn row(&mut self, row: &C::Row) -> io::Result<()> {
        self.columns.push(row);
        self.rows += 1;
        if self.rows == BATCH_ROWS {
            self.flush_batch()?;
        }
        Ok(())
    }

    fn flush_batch(&mut self) -> io::Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        self.rows = 0;
        let batch = RecordBatch::try_new(self.schema.clone(), self.columns.finish()).map_err(io_error)?;
        match &mut self.sink {
            Sink::Parquet(w) => {
                w.write(&batch).map_err(io_error)?;
                // One row group per batch: what is written leaves memory.
                w.flush().map_err(io_error)
            }
            Sink::Ipc(w) => w.write(&batch).map_err(io_error),
        }
    }

    /// Writes the rows left and the file's footer, and gives the destination back.
    pub fn finish(mut self) -> io::Result<W> {
        self.flush_batch()?;
        match self.sink {
            Sink::Parquet(w) => w.into_inner().map_err(io_error),
            Sink::Ipc(mut w) => {
                w.finish().map_err(io_error)?;
                w.into_inner().map_err(io_error)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_columns_are_the_csv_headers_names_in_order() {
        let names = |s: SchemaRef| {
            s.fields()
                .iter()
                .map(|f| f.name().clone())
                .collect::<Vec<_>>()
                .join(",")
        };
        assert_eq!(names(JobColumns::default().schema()), super::super::csv::HEADER);
        let analysis = JobColumns::with_columns(JobColumnSet::Analysis);
        assert_eq!(names(analysis.schema()), super::super::csv::ANALYSIS_HEADER);
        assert_eq!(
            names(AttemptColumns::default().schema()),
            super::super::attempts::HEADER
        );
        assert_eq!(
            JobColumns::default().finish().len(),
            JobColumns::default().schema().fields().len()
        );
        assert_eq!(
            JobColumns::with_columns(JobColumnSet::Analysis).finish().len(),
            analysis.schema().fields().len()
        );
        assert_eq!(
            AttemptColumns::default().finish().len(),
            AttemptColumns::default().schema().fields().len()
        );
    }

    #[test]
    fn formats_follow_the_file_name() {
        use std::path::Path;
        assert_eq!(
            ColumnarFormat::of_path(Path::new("a/jobs.PARQUET")),
            Some(ColumnarFormat::Parquet)
        );
        assert_eq!(
            ColumnarFormat::of_path(Path::new("jobs.arrow")),
            Some(ColumnarFormat::ArrowIpc)
        );
        assert_eq!(
            ColumnarFormat::of_path(Path::new("jobs.feather")),
            Some(ColumnarFormat::ArrowIpc)
        );
        assert_eq!(ColumnarFormat::of_path(Path::new("jobs.csv")), None);
        assert_eq!(ColumnarFormat::of_path(Path::new("parquet")), None);
    }

    #[test]
    fn an_empty_table_is_a_whole_file() {
        let bytes = TableWriter::<JobColumns, _>::new(Vec::new(), ColumnarFormat::Parquet)
            .and_then(TableWriter::finish)
            .expect("memory");
        assert_eq!((&bytes[..4], &bytes[bytes.len() - 4..]), (&b"PAR1"[..], &b"PAR1"[..]));
        let bytes = TableWriter::<AttemptColumns, _>::new(Vec::new(), ColumnarFormat::ArrowIpc)
            .and_then(TableWriter::finish)
            .expect("memory");
        assert_eq!(&bytes[..6], b"ARROW1");
    }
}
