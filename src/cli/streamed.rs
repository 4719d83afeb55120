//! Tables written row by row while a run goes on: the `--jobs` CSV (to a file) and the
//! `--attempts` CSV (to a file, or to memory for standard output). One writer serves both:
//! the simulation's sink sends each row to it, the first write error is kept (later rows
//! are dropped after one) and `finish` flushes the table or returns that error.

use super::output;
use crate::report::attempts::{AttemptRecord, AttemptWriter};
use crate::report::csv::TableWriter;
use crate::report::JobColumnSet;
use crate::JobRecord;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::sync::{Arc, Mutex};

/// Where a streamed table's bytes go: a file, or memory (later copied to standard output).
pub(super) enum Dest {
    /// A buffered file.
    File(BufWriter<File>),
    /// Bytes kept for standard output.
    Memory(Vec<u8>),
}

impl Dest {
    /// The file behind `out`, or memory when there is no file (standard output).
    fn open(out: Option<&output::Pending>) -> Result<Dest, output::OutputError> {
        Ok(match out {
            Some(out) => Dest::File(BufWriter::new(out.stream()?)),
            None => Dest::Memory(Vec::new()),
        })
    }

    /// Flushes a file (no bytes left to write) or gives the bytes kept in memory.
    fn into_bytes(self) -> io::Result<Vec<u8>> {
        match self {
            Dest::File(mut f) => f.flush().map(|()| Vec::new()),
            Dest::Memory(bytes) => Ok(bytes),
        }
    }
}

impl Write for Dest {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Dest::File(f) => f.write(buf),
            Dest::Memory(m) => m.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Dest::File(f) => f.flush(),
            Dest::Memory(m) => m.flush(),
        }
    }
}

/// The file format of a streamed table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum TableFormat {
    /// CSV in the contract's dialect.
    Csv,
    /// Parquet or Arrow IPC (feature `columnar`).
    #[cfg(feature = "columnar")]
    Columnar(crate::report::columnar::ColumnarFormat),
}

/// A table that takes rows of one kind and gives its destination back at the end.
pub(super) trait RowTable: Send + 'static {
    /// One row of the table.
    type Row;
    /// The choice of columns (the job table's [`JobColumnSet`]; `()` for the attempts).
    type Layout: Copy;
    /// Starts the table on `dest` (the CSV header, a Parquet file's magic bytes).
    fn start(dest: Dest, format: TableFormat, layout: Self::Layout) -> io::Result<Self>
    where
        Self: Sized;
    /// Writes one row.
    fn row(&mut self, row: &Self::Row) -> io::Result<()>;
    /// Flushes the writer (a columnar file's last batch and footer) and gives the
    /// destination back.
    fn end(self) -> io::Result<Dest>;
}

/// The writer of one table in one of its formats.
pub(super) enum Writer<Csv, Col> {
    /// CSV.
    Csv(Csv),
    /// Parquet or Arrow IPC.
    #[cfg_attr(not(feature = "columnar"), allow(dead_code))]
    Columnar(Col),
}

#[cfg(feature = "columnar")]
type Columnar<C> = crate::report::columnar::TableWriter<C, Dest>;
#[cfg(not(feature = "columnar"))]
type Columnar<C> = std::marker::PhantomData<fn() -> C>;
#[cfg(feature = "columnar")]
use crate::report::columnar::{AttemptColumns, JobColumns};
#[cfg(not(feature = "columnar"))]
type JobColumns = ();
#[cfg(not(feature = "columnar"))]
type AttemptColumns = ();

/// Implements [`RowTable`] for a table's [`Writer`]: `$csv` is its CSV writer type, `$cols`
/// its columns, `$layout` its choice of columns, `$new_csv` and `$new_cols` how each writer
/// starts on `$dest` (in `$format`) with `$l`.
macro_rules! row_table {
    ($row:ty, $csv:ident, $cols:ty, $layout:ty,
     |$dest:ident, $format:ident, $l:ident| $new_csv:expr, $new_cols:expr) => {
        impl RowTable for Writer<$csv<Dest>, Columnar<$cols>> {
            type Row = $row;
            type Layout = $layout;
            fn start($dest: Dest, format: TableFormat, $l: $layout) -> io::Result<Self> {
                match format {
                    TableFormat::Csv => $new_csv.map(Writer::Csv),
                    #[cfg(feature = "columnar")]
                    TableFormat::Columnar($format) => $new_cols.map(Writer::Columnar),
                }
            }
            fn row(&mut self, row: &$row) -> io::Result<()> {
                match self {
                    Writer::Csv(w) => w.row(row),
                    #[cfg(feature = "columnar")]
                    Writer::Columnar(w) => w.row(row),
                    #[cfg(not(feature = "columnar"))]
                    Writer::Columnar(_) => Ok(()),
                }
            }
            fn end(self) -> io::Result<Dest> {
                match self {
                    Writer::Csv(w) => w.finish(),
                    #[cfg(feature = "columnar")]
                    Writer::Columnar(w) => w.finish(),
                    #[cfg(not(feature = "columnar"))]
                    Writer::Columnar(_) => Err(io::Error::other("built without the `columnar` feature")),
                }
            }
        }
    };
}

row_table!(
    JobRecord,
    TableWriter,
    JobColumns,
    JobColumnSet,
    |dest, f, columns| { TableWriter::with_columns(dest, columns) },
    { Columnar::<JobColumns>::with_columns(JobColumns::with_columns(columns), dest, f) }
);
row_table!(
    AttemptRecord,
    AttemptWriter,
    AttemptColumns,
    (),
    |dest, f, _none| { AttemptWriter::new(dest) },
    { Columnar::<AttemptColumns>::new(dest, f) }
);

/// The table and the first write error.
struct State<T> {
    table: Option<T>,
    error: Option<io::Error>,
}

/// A table written as the run produces its rows.
pub(super) struct Streamed<T: RowTable> {
    state: Arc<Mutex<State<T>>>,
}

impl<T: RowTable> Streamed<T> {
    /// Opens the table on `out` (a file) or on memory (`None`: standard output) and writes
    /// its header; a failure names the output (`stdout` is the target when `out` is `None`).
    pub(super) fn start(
        out: Option<&output::Pending>,
        format: TableFormat,
        layout: T::Layout,
    ) -> Result<Streamed<T>, output::OutputError> {
        let target = out.map_or(output::Target::Stdout, |o| o.target().clone());
        let table =
            T::start(Dest::open(out)?, format, layout).map_err(|source| output::OutputError { target, source })?;
        Ok(Streamed {
            state: Arc::new(Mutex::new(State {
                table: Some(table),
                error: None,
            })),
        })
    }

    /// The sink to give the simulation: writes each row, keeps the first error.
    pub(super) fn sink(&self) -> impl FnMut(&T::Row) + Send + 'static {
        let shared = self.state.clone();
        move |row| {
            let mut s = shared.lock().unwrap_or_else(|p| p.into_inner());
            if s.error.is_some() {
                return;
            }
            if let Some(Err(e)) = s.table.as_mut().map(|t| t.row(row)) {
                s.error = Some(e);
            }
        }
    }

    /// Flushes the table: the bytes for standard output (empty for a file), or the first
    /// error of any write.
    pub(super) fn finish(self) -> io::Result<Vec<u8>> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(e) = state.error.take() {
            return Err(e);
        }
        match state.table.take() {
            Some(t) => t.end()?.into_bytes(),
            None => Ok(Vec::new()),
        }
    }
}

/// The `--jobs` table streamed to a file.
pub(super) type JobTable = Streamed<Writer<TableWriter<Dest>, Columnar<JobColumns>>>;
/// The `--attempts` table streamed to a file or to memory.
pub(super) type AttemptTable = Streamed<Writer<AttemptWriter<Dest>, Columnar<AttemptColumns>>>;

/// The format a table written to `path` asks for by its name: `.parquet`, `.arrow` or
/// `.feather` ask for a columnar file (an error naming `flag` in a build without the
/// `columnar` feature), anything else for CSV.
pub(super) fn format_of(flag: &str, path: &std::path::Path) -> Result<TableFormat, String> {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let columnar = matches!(ext.as_deref(), Some("parquet" | "arrow" | "feather"));
    if !columnar {
        return Ok(TableFormat::Csv);
    }
    #[cfg(feature = "columnar")]
    {
        crate::report::columnar::ColumnarFormat::of_path(path)
            .map(TableFormat::Columnar)
            .ok_or_else(|| format!("{flag} {}: not a columnar file name", path.display()))
    }
    #[cfg(not(feature = "columnar"))]
    {
        Err(format!(
            "{flag} {}: Parquet and Arrow files need batchsim built with the `columnar` feature \
             (cargo install --path . --features columnar); without it, write CSV (FILE.csv)",
            path.display()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_tables_give_their_bytes_and_keep_the_header() {
        let table = AttemptTable::start(None, TableFormat::Csv, ()).expect("memory never fails");
        let bytes = table.finish().expect("no write failed");
        let text = String::from_utf8(bytes).expect("utf-8");
        assert_eq!(text, format!("{}\n", crate::report::attempts::HEADER));
        let jobs = JobTable::start(None, TableFormat::Csv, JobColumnSet::Contract).expect("memory never fails");
        let text = String::from_utf8(jobs.finish().expect("no write failed")).expect("utf-8");
        assert_eq!(text, format!("{}\n", crate::report::csv::HEADER));
        let jobs = JobTable::start(None, TableFormat::Csv, JobColumnSet::Analysis).expect("memory never fails");
        let text = String::from_utf8(jobs.finish().expect("no write failed")).expect("utf-8");
        assert_eq!(text, format!("{}\n", crate::report::csv::ANALYSIS_HEADER));
    }

    #[test]
    fn the_first_error_is_returned_by_finish() {
        let table = JobTable::start(None, TableFormat::Csv, JobColumnSet::Contract).expect("memory never fails");
        table.state.lock().unwrap().error = Some(io::Error::other("disk full"));
        assert_eq!(table.finish().unwrap_err().to_string(), "disk full");
    }
}
