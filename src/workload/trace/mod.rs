//! Streaming readers for trace workloads (CONTRACT 2.3).
//!
//! Two formats are read record by record, never loading the whole file:
//!
//! * **Standard Workload Format** (Parallel Workloads Archive, [`TraceFormat::Swf`]): one job
//!   per line, 18 whitespace-separated numeric fields, `-1` meaning "missing"; lines whose first
//!   non-blank character is `;` are header comments. Used fields:
//!   - field 2, submit time (seconds from the log start) -> `TraceRecord::submit_ms`;
//!   - field 4, run time (seconds) -> `TraceRecord::run_ms`;
//!   - field 5, allocated processors, or field 8 (requested processors) when field 5 is
//!     missing or `<= 0` -> `TraceRecord::millivcpus` (one processor = one vCPU);
//!   - field 9, requested time (seconds) -> `TraceRecord::estimate_ms`, raised to the run time
//!     where the log shows a longer run (CONTRACT 2.2, EASY estimates);
//!   - field 12, user id -> `TraceRecord::user`.
//!
//!   Field 10 (requested memory) is KB *per processor* in SWF and is missing in most logs; it is
//!   ignored and SWF records carry no memory (`TraceRecord::memory_mib` is `None`).
//! * **CSV** ([`TraceFormat::Csv`]) with the header
//!   `submitSeconds,runSeconds,vcpus[,memoryMiB,jobQueue,shareIdentifier,jobName]`, read with
//!   the `csv` crate (see `csv` for quoting); `submitSeconds` may be seconds from the log
//!   start, epoch seconds, epoch milliseconds or ISO-8601 timestamps, told apart as
//!   `timestamp` describes (for absolute times the earliest submission is t = 0).
//!
//! Conversion: seconds become integer milliseconds rounded to the nearest (halves away from
//! zero), computed exactly from the decimal text (no floating point); vCPUs become
//! milli-vCPUs rounded the same way (so Fargate's `0.25` is exactly `250`).
//!
//! What happens to a data line:
//! * a usable line is a `TraceRecord`;
//! * a line with a used value **missing** (SWF `-1`, a CSV empty cell or negative number) is
//!   skipped and counted per reason in [`SkipCounts`] (the report's warnings, CONTRACT 2.3);
//! * a line that **cannot be read** (not UTF-8, too long, wrong field or cell count, a value
//!   that is not a number or out of range, a bad timestamp) is a [`TraceError::Line`] naming
//!   the line and the problem ([`BadLine`]); the reader goes on past it, so a caller can list
//!   every bad line. Blank lines and SWF comment lines are ignored without being counted.
//!
//! The errors that end a reader are an open failure with its reason ([`OpenError`]: a
//! directory, not a regular file, the OS error), a read or decompression failure (a truncated
//! or corrupt gzip stream) and a bad CSV header.
//!
//! Records come out in file order, even where a log's submit times go backwards; the caller
//! orders submissions (by time, then by `TraceRecord::line`, which is stable).
//!
//! Input compressed with gzip is detected by its magic bytes (`1f 8b`), not by the file name,
//! and decompressed on the fly (concatenated gzip members are read as one stream). A file is
//! open only while a block of it is read (`TraceReader::open`), so any number of readers can
//! be alive at once. `check()` reads a whole trace through and sums up what it found.

pub(crate) mod check;
pub(crate) mod csv;
mod error;
mod input;
mod number;
mod skip;
mod swf;
pub(crate) mod timestamp;

pub(crate) use check::check;
pub use error::{BadLine, OpenError, TraceError};
pub use skip::{SkipCounts, SkipReason};
pub use timestamp::TimeKind;

use self::csv::{CsvBody, HeaderFailure};
use input::{open_regular, Decoded, RawInput};
use std::fmt;
use std::io;
use std::iter::FusedIterator;
use std::path::{Path, PathBuf};
use swf::SwfBody;

/// Longest line (SWF) or record (CSV) kept in memory; a longer SWF line is consumed without
/// being stored and reported as [`BadLine::TooLong`], a longer CSV record ends the reader, so
/// that a file without line breaks cannot exhaust memory.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// The largest submit or run time a trace may give, in milliseconds: the scenario's own bound
/// [`crate::time::MAX_SECONDS`] (10^12 s), so that a time refused as `at` is refused in a log.
pub(crate) const MAX_TRACE_MS: u64 = 1_000_000_000_000_000;

/// The format of a trace file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TraceFormat {
    /// Standard Workload Format of the Parallel Workloads Archive (`"swf"`).
    Swf,
    /// Comma-separated values with the batchsim header (`"csv"`).
    Csv,
}

impl TraceFormat {
    /// The format named as in a scenario file (`"swf"` or `"csv"`, exact lowercase), if any.
    pub fn from_name(name: &str) -> Option<TraceFormat> {
        match name {
            "swf" => Some(TraceFormat::Swf),
            "csv" => Some(TraceFormat::Csv),
            _ => None,
        }
    }

    /// The name used in scenario files: `"swf"` or `"csv"`.
    pub fn name(self) -> &'static str {
        match self {
            TraceFormat::Swf => "swf",
            TraceFormat::Csv => "csv",
        }
    }
}

impl fmt::Display for TraceFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One usable line of a trace, already converted to batchsim units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TraceRecord {
    /// 1-based line number in the (decompressed) file, comment and header lines included.
    pub line: u64,
    /// Submission time in milliseconds from the time origin, rounded to the nearest
    /// millisecond: SWF field 2 (seconds from the log start); CSV `submitSeconds`, seconds
    /// from the log start or, for absolute times, from the file's earliest submission (see
    /// [`timestamp`]).
    pub submit_ms: u64,
    /// Run time in milliseconds: SWF field 4 / CSV `runSeconds`, rounded to the nearest
    /// millisecond. May be 0.
    pub run_ms: u64,
    /// vCPUs in thousandths (milli-vCPUs, always > 0): SWF field 5 (allocated processors), or
    /// field 8 (requested processors) when field 5 is missing or `<= 0`, times 1000; CSV `vcpus`
    /// times 1000, rounded to the nearest (`0.25` -> `250`).
    pub millivcpus: u32,
    /// Memory in MiB: CSV `memoryMiB` (rounded to a whole MiB, `None` for an empty cell or a
    /// file without the column). Always `None` for SWF (its field 10 is KB per processor and
    /// rarely present; it is ignored).
    pub memory_mib: Option<u64>,
    /// Runtime estimate in milliseconds for EASY backfilling (CONTRACT 2.2): SWF field 9
    /// (requested time), `None` if missing (negative), raised to [`run_ms`](Self::run_ms) where
    /// the recorded run was longer. Always `None` for CSV.
    pub estimate_ms: Option<u64>,
    /// CSV `jobQueue` (`None` if the column is absent or the cell empty; always `None` for SWF).
    pub job_queue: Option<String>,
    /// CSV `shareIdentifier` (`None` if absent or empty; always `None` for SWF).
    pub share_identifier: Option<String>,
    /// CSV `jobName` (`None` if absent or empty; always `None` for SWF).
    pub job_name: Option<String>,
    /// SWF field 12, user id; `None` if negative (`-1` = missing), fractional or above
    /// `u32::MAX`. Always `None` for CSV. Useful as a fair-share identifier.
    pub user: Option<u32>,
}

/// Why a data line gave no record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Rejected {
    /// A used value is missing: skipped and counted.
    Skip(SkipReason),
    /// The line cannot be read: an error.
    Bad(BadLine),
}

impl From<BadLine> for Rejected {
    fn from(bad: BadLine) -> Rejected {
        Rejected::Bad(bad)
    }
}

/// What the next data line of a trace is.
pub(crate) enum Next {
    /// A record, or why the line gave none, at a line.
    Row(u64, Result<TraceRecord, Rejected>),
    /// The end of the file.
    End,
    /// Reading failed at the line (the reader ends).
    Failed(u64, io::Error),
}

/// The reading state of one format.
enum Body {
    Swf(Box<SwfBody>),
    Csv(Box<CsvBody>),
}

/// A streaming reader of one trace: an iterator of [`TraceRecord`]s in file order that counts
/// the lines it skips and yields a [`TraceError::Line`] for each line it cannot read.
///
/// Gzip input is recognised by its magic bytes and decompressed on the fly. After a fatal
/// error ([`TraceError::is_fatal`]) the iterator ends. [`skipped`](Self::skipped) and
/// [`warnings`](Self::warnings) are complete once the iterator has returned `None`.
pub(crate) struct TraceReader {
    body: Body,
    format: TraceFormat,
    path: PathBuf,
    file_name: String,
    skipped: SkipCounts,
    done: bool,
}

impl fmt::Debug for TraceReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TraceReader")
            .field("format", &self.format)
            .field("path", &self.path)
            .field("skipped", &self.skipped)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl TraceReader {
    /// Opens the trace at `path` (plain or gzip, detected by content). A directory, a device,
    /// a FIFO or a file the OS refuses is a [`TraceError::Open`] with the reason. For CSV the
    /// header is read and checked here, and for absolute submit times the file is read through
    /// once to find the earliest submission (the time origin).
    ///
    /// The file is not held open between reads: each block is read by opening the file,
    /// seeking and closing it again, so that hundreds of traces replayed at once hold at most
    /// one file open. A file that changes while it is read is a [`TraceError::Io`].
    pub fn open(path: &Path, format: TraceFormat) -> Result<TraceReader, TraceError> {
        let file = open_regular(path).map_err(|reason| TraceError::Open {
            path: path.to_path_buf(),
            reason,
        })?;
        Self::build(Box::new(file), format, path.to_path_buf())
    }

    /// Reads a trace from any seekable reader (plain or gzip, detected by content; CSV with
    /// absolute times is read twice, hence the seek); `display_name` stands for the path in
    /// errors, and its last path component for the file name in warnings. For CSV the header
    /// is read and checked here. (The tests read from memory with it.)
    #[cfg(test)]
    pub fn from_reader(
        reader: impl io::Read + io::Seek + Send + 'static,
        format: TraceFormat,
        display_name: &str,
    ) -> Result<Self, TraceError> {
        Self::build(Box::new(reader), format, PathBuf::from(display_name))
    }

    fn build(raw: Box<dyn RawInput>, format: TraceFormat, path: PathBuf) -> Result<Self, TraceError> {
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.to_string_lossy().into_owned());
        let input = Decoded::new(raw).map_err(|source| TraceError::Io {
            path: path.clone(),
            line: 1,
            source,
        })?;
        let body = match format {
            TraceFormat::Swf => Body::Swf(Box::new(SwfBody::new(input))),
            TraceFormat::Csv => match CsvBody::start(input) {
                Ok(body) => Body::Csv(Box::new(body)),
                Err(HeaderFailure::Io(line, source)) => return Err(TraceError::Io { path, line, source }),
                Err(HeaderFailure::Bad(line, message)) => return Err(TraceError::Header { path, line, message }),
            },
        };
        Ok(TraceReader {
            body,
            format,
            path,
            file_name,
            skipped: SkipCounts::default(),
            done: false,
        })
    }

    /// The file name the warnings give (the path's last component).
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// Lines skipped so far, per reason.
    pub fn skipped(&self) -> &SkipCounts {
        &self.skipped
    }

    /// Warnings for the report, exactly like
    /// `trace KTH-SP2-1996-2.1-cln.swf.gz: 3 lines skipped (run time missing)` (file name only,
    /// one warning per reason, none when nothing was skipped). See [`SkipCounts::warnings`].
    pub fn warnings(&self) -> Vec<String> {
        self.skipped.warnings(&self.file_name)
    }
}

impl Iterator for TraceReader {
    type Item = Result<TraceRecord, TraceError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            let next = match &mut self.body {
                Body::Swf(body) => body.next(),
                Body::Csv(body) => body.next(),
            };
            match next {
                Next::Row(_, Ok(record)) => return Some(Ok(record)),
                Next::Row(_, Err(Rejected::Skip(reason))) => self.skipped.add(reason),
                Next::Row(line, Err(Rejected::Bad(problem))) => {
                    return Some(Err(TraceError::Line {
                        path: self.path.clone(),
                        line,
                        problem,
                    }));
                }
                Next::End => self.done = true,
                Next::Failed(line, source) => {
                    self.done = true;
                    return Some(Err(TraceError::Io {
                        path: self.path.clone(),
                        line,
                        source,
                    }));
                }
            }
        }
        None
    }
}

impl FusedIterator for TraceReader {}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use flate2::Compression;
    use proptest::prelude::*;
    use std::io::{Cursor, Write};

    fn swf(text: &str) -> TraceReader {
        TraceReader::from_reader(Cursor::new(text.as_bytes().to_vec()), TraceFormat::Swf, "dir/test.swf")
            .expect("an SWF reader never fails to build from memory")
    }

    fn csv(text: &str) -> Result<TraceReader, TraceError> {
        TraceReader::from_reader(Cursor::new(text.as_bytes().to_vec()), TraceFormat::Csv, "dir/test.csv")
    }

    /// Every record and every bad line (line, problem); panics on a fatal error.
    fn read(reader: &mut TraceReader) -> (Vec<TraceRecord>, Vec<(u64, BadLine)>) {
        let mut records = Vec::new();
        let mut bad = Vec::new();
        for item in reader.by_ref() {
            match item {
                Ok(r) => records.push(r),
                Err(TraceError::Line { line, problem, .. }) => bad.push((line, problem)),
                Err(e) => panic!("fatal: {e}"),
            }
        }
        (records, bad)
    }

    /// Every record; panics on any error.
    fn all(reader: &mut TraceReader) -> Vec<TraceRecord> {
        let (records, bad) = read(reader);
        assert!(bad.is_empty(), "{bad:?}");
        records
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(bytes).expect("write to memory");
        encoder.finish().expect("finish in memory")
    }

    /// A fresh path in the temp directory, unique per test.
    fn temp_path(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("batchsim-trace-{}-{name}", std::process::id()))
    }

    const SMALL_SWF: &str = "\
; Version: 2.2
; MaxProcs: 100
;
    1   0      5   100    4  -1 -1    4   200 -1 1  12 12 -1 -1 -1 -1 -1
    2   10.5   0   30.25  -1 -1 -1    8    60 -1 1  -1 12 -1 -1 -1 -1 -1
    3   20     0   -1      2 -1 -1    2    60 -1 1   3  3 -1 -1 -1 -1 -1
    4   30     0   50     -1 -1 -1   -1    60 -1 1   3  3 -1 -1 -1 -1 -1
    5   40     0   70      3 -1 -1    3    -1 -1 1   3  3 -1 -1 -1 -1 -1

    6   50     0   70      0 -1 -1    6    60 -1 1   3  3 -1 -1 -1 -1 -1
    7   60     0   70      1 -1 -1    1    60 -1 1   3  3 -1 -1 -1 -1
    8   70     0   70      1 -1 -1    1    60 -1 1   3  3 -1 -1 -1 -1 -1 9
    9   80     0   7x      1 -1 -1    1    60 -1 1   3  3 -1 -1 -1 -1 -1
   10   -1     0   70      1 -1 -1    1    60 -1 1   3  3 -1 -1 -1 -1 -1
";

    #[test]
    fn swf_fields_units_skips_and_bad_lines() {
        let mut reader = swf(SMALL_SWF);
        let (records, bad) = read(&mut reader);
        let lines: Vec<u64> = records.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![4, 5, 8, 10]);
        assert_eq!(
            records[0],
            TraceRecord {
                line: 4,
                submit_ms: 0,
                run_ms: 100_000,
                millivcpus: 4000,
                memory_mib: None,
                estimate_ms: Some(200_000),
                job_queue: None,
                share_identifier: None,
                job_name: None,
                user: Some(12),
            }
        );
        // Fractional seconds; field 5 = -1 falls back on field 8; requested 60 s > run 30.25 s.
        let second = &records[1];
        assert_eq!(second.submit_ms, 10_500);
        assert_eq!(second.run_ms, 30_250);
        assert_eq!(second.millivcpus, 8000);
        assert_eq!(second.estimate_ms, Some(60_000));
        assert_eq!(second.user, None);
        // Requested time -1: no estimate.
        assert_eq!(records[2].estimate_ms, None);
        assert_eq!(records[2].millivcpus, 3000);
        // Field 5 = 0 falls back on field 8; requested 60 < run 70: estimate raised.
        assert_eq!(records[3].millivcpus, 6000);
        assert_eq!(records[3].estimate_ms, Some(70_000));
        assert_eq!(
            bad,
            vec![
                (11, BadLine::FieldCount { found: 17 }),
                (12, BadLine::FieldCount { found: 19 }),
                (
                    13,
                    BadLine::NotANumber {
                        what: "field 4".into(),
                        text: "7x".into()
                    }
                ),
            ]
        );
        let skipped = *reader.skipped();
        assert_eq!(
            skipped,
            SkipCounts {
                submit_missing: 1,
                run_missing: 1,
                processors_missing: 1,
            }
        );
        assert_eq!(
            reader.warnings(),
            vec![
                "trace test.swf: 1 line skipped (submit time missing)",
                "trace test.swf: 1 line skipped (run time missing)",
                "trace test.swf: 1 line skipped (processors missing)",
            ]
        );
        assert!(reader.next().is_none(), "fused after the end");
    }

    #[test]
    fn bad_line_errors_name_file_line_and_problem() {
        let mut reader = swf("1 0 0 10 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1\n");
        let e = reader.next().expect("an item").expect_err("bad line");
        assert_eq!(
            e.to_string(),
            "trace `dir/test.swf` line 1: 17 fields, but a Standard Workload Format line has 18"
        );
        assert!(!e.is_fatal());
        assert!(reader.next().is_none());
    }

    /// A header comment in Latin-1 (some archive logs have one) is passed over unread; a
    /// data line that is not UTF-8 is still a bad line.
    #[test]
    fn swf_comment_lines_need_not_be_utf8() {
        let mut text = b"; Installation: Universit\xe9\n".to_vec();
        text.extend_from_slice(b"1 0 0 10 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1\n\xe9\n");
        let mut reader = TraceReader::from_reader(Cursor::new(text), TraceFormat::Swf, "l.swf").expect("memory");
        let (records, bad) = read(&mut reader);
        assert_eq!(records.len(), 1);
        assert_eq!(bad, [(3, BadLine::NotUtf8 { column: None })]);
    }

    /// A submit or run time past the scenario's bound (10^12 s, `crate::time::MAX_SECONDS`)
    /// is out of range in a log too, as it is as `at`.
    #[test]
    fn times_past_the_scenario_bound_are_out_of_range() {
        let line = |submit: &str, run: &str| format!("1 {submit} 0 {run} 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1\n");
        let (records, bad) = read(&mut swf(
            &(line("1000000000000", "1000000000000") + &line("1000000000001", "1"))
        ));
        assert_eq!(records.len(), 1);
        assert_eq!(
            bad,
            [(
                2,
                BadLine::OutOfRange {
                    what: "field 2".into(),
                    text: "1000000000001".into()
                }
            )]
        );
        let (_, bad) = read(&mut swf(&line("0", "1e13")));
        assert!(
            matches!(&bad[..], [(1, BadLine::OutOfRange { what, .. })] if what == "field 4"),
            "{bad:?}"
        );
        // (A large CSV submit time reads as an epoch time, counted from the earliest one.)
        let mut reader = csv("submitSeconds,runSeconds,vcpus\n0,1000000000001,1\n5,1,1\n").unwrap();
        let (records, bad) = read(&mut reader);
        assert_eq!(records.len(), 1);
        assert!(
            matches!(&bad[..], [(2, BadLine::OutOfRange { what, .. })] if what == "runSeconds"),
            "{bad:?}"
        );
    }

    #[test]
    fn swf_submit_times_going_backwards_stay_in_file_order() {
        let text = "1 50 0 10 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1\n\
                    2 20 0 10 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1\n\
                    3 20 0 10 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1\n";
        let records = all(&mut swf(text));
        let submits: Vec<(u64, u64)> = records.iter().map(|r| (r.line, r.submit_ms)).collect();
        assert_eq!(submits, vec![(1, 50_000), (2, 20_000), (3, 20_000)]);
    }

    #[test]
    fn swf_crlf_tabs_bom_and_out_of_range() {
        let text = "\u{feff}; comment\r\n\
                    1\t0\t0\t10\t1\t-1\t-1\t1\t10\t-1\t1\t1\t1\t-1\t-1\t-1\t-1\t-1\r\n\
                    2 1e30 0 10 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1\r\n\
                    3 0 0 10 5e6 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 1e99\r\n\
                    4 0 0 10 5 -1 -1 1 10 -1 1 4294967296 1 -1 -1 -1 -1 1e99\r\n";
        let mut reader = swf(text);
        let (records, bad) = read(&mut reader);
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].line, 2);
        assert_eq!(records[1].line, 5);
        assert_eq!(records[1].user, None, "user id above u32::MAX");
        let bad_lines: Vec<u64> = bad.iter().map(|(l, _)| *l).collect();
        assert_eq!(bad_lines, vec![3, 4]);
        assert!(matches!(&bad[0].1, BadLine::OutOfRange { what, .. } if what == "field 2"));
        assert!(reader.skipped().is_empty());
    }

    #[test]
    fn gzip_detected_by_magic_bytes_not_name() {
        let packed = gzip(SMALL_SWF.as_bytes());
        let mut reader =
            TraceReader::from_reader(Cursor::new(packed.clone()), TraceFormat::Swf, "x.swf").expect("gzip in memory");
        let (records, bad) = read(&mut reader);
        assert_eq!((records.len(), bad.len()), (4, 3));
        assert_eq!(reader.skipped().total(), 3);

        // Through a file whose name does not say gzip.
        let path = temp_path("gz-no-extension.swf");
        std::fs::write(&path, &packed).expect("write temp file");
        let mut reader = TraceReader::open(&path, TraceFormat::Swf).expect("open temp file");
        assert_eq!(read(&mut reader).0.len(), 4);
        assert_eq!(
            reader.warnings()[0],
            format!(
                "trace {}: 1 line skipped (submit time missing)",
                path.file_name().and_then(|n| n.to_str()).unwrap_or("")
            )
        );
        std::fs::remove_file(&path).ok();

        // A plain file named .gz is read as plain text.
        let path = temp_path("plain.swf.gz");
        std::fs::write(&path, SMALL_SWF).expect("write temp file");
        let mut reader = TraceReader::open(&path, TraceFormat::Swf).expect("open temp file");
        assert_eq!(read(&mut reader).0.len(), 4);
        std::fs::remove_file(&path).ok();

        // Concatenated gzip members read as one stream.
        let mut two = gzip(b"1 0 0 10 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1\n");
        two.extend(gzip(b"2 5 0 10 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1\n"));
        let reader = TraceReader::from_reader(Cursor::new(two), TraceFormat::Swf, "two.gz").expect("gzip in memory");
        assert_eq!(reader.count(), 2);
    }

    fn fatal_of(mut reader: TraceReader) -> (usize, TraceError) {
        let mut ok = 0;
        let mut errors = Vec::new();
        for item in reader.by_ref() {
            match item {
                Ok(_) => ok += 1,
                Err(e) => errors.push(e),
            }
        }
        assert_eq!(errors.len(), 1, "one error, then the iterator ends: {errors:?}");
        assert!(reader.next().is_none());
        (ok, errors.remove(0))
    }

    #[test]
    fn truncated_gzip_is_a_fatal_error_naming_file_and_line() {
        let line = "1 0 0 10 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1\n";
        let packed = gzip(line.repeat(5000).as_bytes());
        let cut = packed[..packed.len() / 2].to_vec();
        let reader =
            TraceReader::from_reader(Cursor::new(cut), TraceFormat::Swf, "cut.gz").expect("header bytes are fine");
        let (ok, e) = fatal_of(reader);
        assert!(ok > 0 && ok < 5000, "{ok}");
        assert!(e.is_fatal());
        assert_eq!(
            e.to_string(),
            format!(
                "cannot read trace `cut.gz` at line {}: the gzip data is truncated or corrupt (the compressed stream ends early)",
                ok + 1
            )
        );
        // Corrupt data in the middle of the stream.
        let mut bad = gzip(line.repeat(5000).as_bytes());
        let middle = bad.len() / 2;
        for b in &mut bad[middle..middle + 16] {
            *b ^= 0x5a;
        }
        let reader =
            TraceReader::from_reader(Cursor::new(bad), TraceFormat::Swf, "bad.gz").expect("header bytes are fine");
        // Garbage decompressed before the damage is noticed may make bad lines; the reader
        // still ends with a fatal error.
        let last = reader.last().expect("items").expect_err("an error at the end");
        assert!(last.is_fatal() && last.to_string().contains("gzip data"), "{last}");
        // A good member followed by garbage.
        let mut tail = gzip(line.as_bytes());
        tail.extend_from_slice(b"garbage after the gzip member");
        let reader = TraceReader::from_reader(Cursor::new(tail), TraceFormat::Swf, "tail.gz").expect("gzip");
        let (ok, e) = fatal_of(reader);
        assert_eq!(ok, 1);
        assert!(e.to_string().contains("corrupt gzip data"), "{e}");
    }

    #[test]
    fn open_failures_give_the_reason() {
        let path = temp_path("does-not-exist.swf");
        let err = TraceReader::open(&path, TraceFormat::Swf).expect_err("missing file");
        assert!(matches!(err, TraceError::Open { .. }));
        let message = err.to_string();
        assert!(message.contains("does-not-exist.swf"), "{message}");
        assert!(message.ends_with("No such file or directory (os error 2)"), "{message}");
        let err = TraceReader::open(&std::env::temp_dir(), TraceFormat::Swf).expect_err("a directory");
        assert!(err.to_string().ends_with(": is a directory"), "{err}");
        let err = TraceReader::open(Path::new("/dev/null"), TraceFormat::Csv).expect_err("a device");
        assert_eq!(err.to_string(), "cannot open trace `/dev/null`: not a regular file");
    }

    /// Open file descriptors of this process (Linux).
    fn open_fds() -> usize {
        std::fs::read_dir("/proc/self/fd").map_or(0, Iterator::count)
    }

    #[test]
    fn hundreds_of_open_readers_hold_no_file_open() {
        let path = temp_path("many.swf");
        let text = "1 0 0 10 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1\n".repeat(3);
        std::fs::write(&path, text).expect("write");
        let csv_path = temp_path("many.csv");
        std::fs::write(
            &csv_path,
            "submitSeconds,runSeconds,vcpus\n1700000000,1,1\n1700000001,1,1\n",
        )
        .expect("write");
        let before = open_fds();
        let mut readers = Vec::new();
        for i in 0..300 {
            let mut r = if i % 2 == 0 {
                TraceReader::open(&path, TraceFormat::Swf).expect("open")
            } else {
                TraceReader::open(&csv_path, TraceFormat::Csv).expect("open")
            };
            assert!(r.next().is_some_and(|x| x.is_ok()));
            readers.push(r);
        }
        // Other tests run in parallel and open files of their own: allow for them, not for 300.
        assert!(open_fds() < before + 50, "{} open, {before} before", open_fds());
        let rest: usize = readers
            .iter_mut()
            .map(|r| r.by_ref().filter(Result::is_ok).count())
            .sum();
        assert_eq!(rest, 150 * 2 + 150);
        std::fs::remove_file(&path).ok();
        std::fs::remove_file(&csv_path).ok();
    }

    #[test]
    fn overlong_and_non_utf8_lines_are_bad() {
        let mut text = Vec::new();
        text.extend_from_slice(b"1 0 0 10 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1\n");
        text.extend(vec![b'7'; MAX_LINE_BYTES + 10]);
        text.push(b'\n');
        text.extend_from_slice(b"2 0 0 10 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 \xff\n");
        text.extend_from_slice(b"3 0 0 10 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1");
        let mut reader = TraceReader::from_reader(Cursor::new(text), TraceFormat::Swf, "long.swf").unwrap();
        let (records, bad) = read(&mut reader);
        let lines: Vec<u64> = records.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![1, 4], "last line without newline is read");
        assert_eq!(bad, vec![(2, BadLine::TooLong), (3, BadLine::NotUtf8 { column: None })]);
    }

    #[test]
    fn csv_required_columns_only() {
        let text =
            "submitSeconds,runSeconds,vcpus\n0,60,1\n1.5,0.0005,0.25\n\n2,10,\n3,,1\n,5,1\n4,5,0\n5,5,x\n6,5\n7,-1,1\n";
        let mut reader = csv(text).expect("good header");
        let (records, bad) = read(&mut reader);
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].millivcpus, 1000);
        assert_eq!(records[0].estimate_ms, None);
        assert_eq!(records[1].line, 3);
        assert_eq!(records[1].submit_ms, 1500);
        assert_eq!(records[1].run_ms, 1, "0.5 ms rounds up");
        assert_eq!(records[1].millivcpus, 250);
        assert_eq!(records[1].memory_mib, None);
        assert_eq!(
            bad,
            vec![
                (
                    9,
                    BadLine::NotANumber {
                        what: "vcpus".into(),
                        text: "x".into()
                    }
                ),
                (10, BadLine::CellCount { expected: 3, found: 2 }),
            ]
        );
        assert_eq!(
            *reader.skipped(),
            SkipCounts {
                submit_missing: 1,
                run_missing: 2,
                processors_missing: 2,
            }
        );
        assert_eq!(
            reader.warnings()[0],
            "trace test.csv: 1 line skipped (submit time missing)"
        );
    }

    #[test]
    fn csv_optional_columns_any_subset_and_order() {
        let text = "\u{feff}submitSeconds,runSeconds,vcpus,jobName,memoryMiB,shareIdentifier\r\n\
                    0,60,2,\"etl, nightly\",2048,teamA\r\n\
                    1,60,0.5,,,\r\n\
                    2,60,0.5, b , 512.4 ,\"\"\r\n\
                    3,60,0.5,c,-1,x\r\n\
                    4,60,0.5,\"two\nlines\",1,x\r\n";
        let mut bytes = text.as_bytes().to_vec();
        bytes.extend_from_slice(b"5,60,0.5,d,1,\xff\r\n");
        let mut reader =
            TraceReader::from_reader(Cursor::new(bytes), TraceFormat::Csv, "dir/test.csv").expect("good header");
        let (records, bad) = read(&mut reader);
        assert_eq!(records.len(), 4);
        assert_eq!(records[0].job_name.as_deref(), Some("etl, nightly"));
        assert_eq!(records[0].memory_mib, Some(2048));
        assert_eq!(records[0].share_identifier.as_deref(), Some("teamA"));
        assert_eq!(records[0].job_queue, None);
        assert_eq!(records[1].job_name, None);
        assert_eq!(records[1].memory_mib, None);
        assert_eq!(records[1].share_identifier, None);
        assert_eq!(records[2].job_name.as_deref(), Some("b"));
        assert_eq!(records[2].memory_mib, Some(512));
        // A quoted cell may hold a line break; the record keeps the line it starts on.
        assert_eq!(
            (records[3].line, records[3].job_name.as_deref()),
            (6, Some("two\nlines"))
        );
        assert_eq!(
            bad,
            vec![
                (
                    5,
                    BadLine::Negative {
                        what: "memoryMiB",
                        text: "-1".into()
                    }
                ),
                (
                    8,
                    BadLine::NotUtf8 {
                        column: Some("shareIdentifier")
                    }
                ),
            ]
        );

        let text = "submitSeconds,runSeconds,vcpus,jobQueue\n0,1,1,high\n";
        let records = all(&mut csv(text).expect("good header"));
        assert_eq!(records[0].job_queue.as_deref(), Some("high"));
    }

    #[test]
    fn csv_gzip_and_leading_blank_lines() {
        let packed = gzip(b"\n\nsubmitSeconds,runSeconds,vcpus\n0,1,1\n");
        let mut reader =
            TraceReader::from_reader(Cursor::new(packed), TraceFormat::Csv, "t.csv.gz").expect("good header");
        let records = all(&mut reader);
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].line, 4);
    }

    fn submits(text: &str) -> (Vec<u64>, Vec<(u64, BadLine)>) {
        let (records, bad) = read(&mut csv(text).expect("good header"));
        (records.iter().map(|r| r.submit_ms).collect(), bad)
    }

    #[test]
    fn csv_absolute_times_start_at_the_earliest_submission() {
        // ISO-8601, out of order: the earliest (line 4, 00:00:00Z with its offset) is t = 0.
        let (times, bad) = submits(
            "submitSeconds,runSeconds,vcpus\n\
             2024-03-01T00:01:00Z,1,1\n\
             2024-03-01T00:00:00.5Z,1,1\n\
             2024-03-01T02:00:00+02:00,1,1\n\
             2024-03-01 00:00:10,1,1\n",
        );
        assert!(bad.is_empty(), "{bad:?}");
        assert_eq!(times, vec![60_000, 500, 0, 10_000]);
        // Epoch seconds and epoch milliseconds.
        let (times, _) = submits("submitSeconds,runSeconds,vcpus\n1709251260,1,1\n1709251200.25,1,1\n");
        assert_eq!(times, vec![59_750, 0]);
        let (times, _) = submits("submitSeconds,runSeconds,vcpus\n1709251200250,1,1\n1709251260000,1,1\n");
        assert_eq!(times, vec![0, 59_750]);
        // Relative seconds keep their own origin (0), not the earliest submission.
        let (times, _) = submits("submitSeconds,runSeconds,vcpus\n100,1,1\n50,1,1\n");
        assert_eq!(times, vec![100_000, 50_000]);
    }

    #[test]
    fn csv_time_kinds_cannot_be_mixed_and_bad_timestamps_are_errors() {
        let (times, bad) = submits(
            "submitSeconds,runSeconds,vcpus\n\
             ,1,1\n\
             2024-03-01T00:00:00Z,1,1\n\
             1709251200,1,1\n\
             2024-02-30T00:00:00Z,1,1\n\
             2024-03-01T00:00:05Z,1,1\n",
        );
        assert_eq!(times, vec![0, 5_000]);
        assert_eq!(
            bad,
            vec![
                (
                    4,
                    BadLine::MixedTimes {
                        text: "1709251200".into(),
                        found: "epoch seconds",
                        expected: "an ISO-8601 timestamp",
                        first_line: 3
                    }
                ),
                (
                    5,
                    BadLine::BadTimestamp {
                        text: "2024-02-30T00:00:00Z".into(),
                        reason: "day out of range for the month"
                    }
                ),
            ]
        );
        let message = TraceError::Line {
            path: "t.csv".into(),
            line: 5,
            problem: bad[1].1.clone(),
        }
        .to_string();
        assert_eq!(
            message,
            "trace `t.csv` line 5: submitSeconds: `2024-02-30T00:00:00Z` is not an ISO-8601 timestamp: day out of range for the month"
        );
    }

    #[test]
    fn csv_record_longer_than_the_cap_ends_the_reader() {
        let mut text = b"submitSeconds,runSeconds,vcpus,jobName\n0,1,1,\"unclosed\n".to_vec();
        text.extend(vec![b'x'; MAX_LINE_BYTES + 200_000]);
        let reader = TraceReader::from_reader(Cursor::new(text), TraceFormat::Csv, "big.csv").expect("header");
        let (ok, e) = fatal_of(reader);
        assert_eq!(ok, 0);
        assert!(e.to_string().contains("a record longer than 1048576 bytes"), "{e}");
    }

    fn header_error(text: &str) -> String {
        match csv(text) {
            Err(e @ TraceError::Header { .. }) => e.to_string(),
            Err(e) => panic!("expected a header error, got {e}"),
            Ok(_) => panic!("expected a header error for {text:?}"),
        }
    }

    #[test]
    fn csv_bad_headers() {
        let message = header_error("submitSeconds,runSeconds,vcpus,memoryMib\n");
        assert!(
            message.starts_with(
                "trace `dir/test.csv` line 1: bad CSV header: unknown column `memoryMib` (did you mean `memoryMiB`?)"
            ),
            "{message}"
        );
        let message = header_error("submitSeconds,runSeconds,vcpus,priority\n");
        assert!(message.contains("unknown column `priority`;"), "{message}");
        assert!(!message.contains("did you mean"), "{message}");
        let message = header_error("submitSeconds,runSeconds,vcpu\n");
        assert!(message.contains("did you mean `vcpus`?"), "{message}");
        let message = header_error("runSeconds,submitSeconds,vcpus\n");
        assert!(
            message.contains("column 1 is `runSeconds` but must be `submitSeconds`"),
            "{message}"
        );
        let message = header_error("submitSeconds,runSeconds\n");
        assert!(message.contains("missing required column `vcpus`"), "{message}");
        let message = header_error("submitSeconds,runSeconds,vcpus,jobName,jobName\n");
        assert!(message.contains("duplicate column `jobName`"), "{message}");
        let message = header_error("submitSeconds,runSeconds,vcpus,vcpus\n");
        assert!(message.contains("duplicate column `vcpus`"), "{message}");
        let message = header_error("\n\n");
        assert!(
            message.contains("line 3: bad CSV header: the file is empty"),
            "{message}"
        );
        let message = header_error("");
        assert!(message.contains("line 1:"), "{message}");
        let message = header_error("submitSeconds,runSeconds,vcpus,\n");
        assert!(message.contains("column 4 has no name"), "{message}");
        let message = header_error("submitSeconds,runSeconds,vcpus,job\u{1b}[2J\n");
        assert!(message.contains("unknown column `job\\u{1b}[2J`"), "{message}");
    }

    #[test]
    fn format_names() {
        assert_eq!(TraceFormat::from_name("swf"), Some(TraceFormat::Swf));
        assert_eq!(TraceFormat::from_name("csv"), Some(TraceFormat::Csv));
        assert_eq!(TraceFormat::from_name("SWF"), None);
        assert_eq!(TraceFormat::Csv.to_string(), "csv");
    }

    /// The real KTH SP2 log (Parallel Workloads Archive, cleaned version 2.1).
    ///
    /// Expected figures computed independently, once, with:
    /// ```text
    /// python3 -c 'import gzip
    /// n=sk=0; s2=s4=s5=s9=0
    /// for ln,l in enumerate(gzip.open("KTH-SP2-1996-2.1-cln.swf.gz","rt"),1):
    ///     f=l.split()
    ///     if not f or l.lstrip().startswith(";"): continue
    ///     if len(f)!=18: sk+=1; continue
    ///     v=[float(x) for x in f]
    ///     p=v[4] if v[4]>0 else v[7]
    ///     if v[3]<0 or p<=0: sk+=1; continue
    ///     n+=1; s2+=int(v[1]); s4+=int(v[3]); s5+=int(p); s9+=int(max(v[8],v[3])) if v[8]>=0 else 0
    /// print(n,sk,s2,s4,s5,s9)'
    /// ```
    /// which printed `27992 0 424235820855 239978322 215675 376861860`; the file has 28016
    /// lines (24 comment lines, `zcat ... | grep -c '^;'`), so data lines are 25..=28016.
    #[test]
    fn kth_sp2_real_trace() {
        let path = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/scenarios/traces/KTH-SP2-1996-2.1-cln.swf.gz"
        ));
        let mut reader = TraceReader::open(path, TraceFormat::Swf).expect("open KTH trace");
        let (mut n, mut submit, mut run, mut procs, mut estimate) = (0u64, 0u64, 0u64, 0u64, 0u64);
        let mut first = None;
        let mut last = None;
        for record in reader.by_ref() {
            let record = record.expect("KTH trace reads without error");
            n += 1;
            submit += record.submit_ms;
            run += record.run_ms;
            procs += u64::from(record.millivcpus);
            estimate += record.estimate_ms.unwrap_or(0);
            if first.is_none() {
                first = Some(record.clone());
            }
            last = Some(record);
        }
        assert_eq!(n, 27_992);
        assert_eq!(*reader.skipped(), SkipCounts::default());
        assert!(reader.warnings().is_empty());
        assert_eq!(submit, 424_235_820_855_000);
        assert_eq!(run, 239_978_322_000);
        assert_eq!(procs, 215_675_000);
        assert_eq!(estimate, 376_861_860_000);
        let first = first.expect("records");
        assert_eq!(
            (first.line, first.submit_ms, first.run_ms, first.millivcpus),
            (25, 599_850_000, 3_477_000, 4000)
        );
        assert_eq!((first.estimate_ms, first.user), (Some(53_940_000), Some(12)));
        let last = last.expect("records");
        // 28490 29363618 720 8 1 -1 -1 1 30000 -1 1 98 198 -1 -1 -1 -1 -1
        assert_eq!(
            (last.line, last.submit_ms, last.run_ms, last.millivcpus),
            (28_016, 29_363_618_000, 8000, 1000)
        );
        assert_eq!((last.estimate_ms, last.user), (Some(30_000_000), Some(98)));
    }

    /// Builds an SWF data line from generated values (-1 for None).
    fn swf_line(submit: u32, run: Option<u32>, f5: Option<u16>, f8: Option<u16>, req: Option<u32>) -> String {
        let opt = |v: Option<u64>| v.map_or("-1".to_string(), |v| v.to_string());
        format!(
            "1 {submit} 0 {} {} -1 -1 {} {} -1 1 7 7 -1 -1 -1 -1 -1",
            opt(run.map(u64::from)),
            opt(f5.map(u64::from)),
            opt(f8.map(u64::from)),
            opt(req.map(u64::from)),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048), csv_format in any::<bool>(), gz_prefix in any::<bool>()) {
            let mut input = if gz_prefix { vec![0x1f, 0x8b] } else { Vec::new() };
            input.extend(bytes);
            let format = if csv_format { TraceFormat::Csv } else { TraceFormat::Swf };
            if let Ok(reader) = TraceReader::from_reader(Cursor::new(input), format, "fuzz") {
                let mut fatal = 0;
                for item in reader {
                    if item.is_err_and(|e| e.is_fatal()) {
                        fatal += 1;
                    }
                }
                prop_assert!(fatal <= 1);
            }
        }

        #[test]
        fn random_text_lines_never_panic(lines in proptest::collection::vec("[-0-9.eE;, \"a-z\t]{0,80}", 0..30)) {
            let swf_text = lines.join("\n");
            let _ = swf(&swf_text).count();
            let csv_text = format!("submitSeconds,runSeconds,vcpus,jobName,memoryMiB\n{swf_text}");
            let reader = csv(&csv_text);
            prop_assert!(reader.is_ok());
            if let Ok(reader) = reader {
                let _ = reader.count();
            }
        }

        #[test]
        fn swf_generated_lines_follow_the_rules(
            submit in any::<u32>(),
            run in proptest::option::of(any::<u32>()),
            f5 in proptest::option::of(0u16..500),
            f8 in proptest::option::of(0u16..500),
            req in proptest::option::of(any::<u32>()),
        ) {
            let mut reader = swf(&swf_line(submit, run, f5, f8, req));
            let records = all(&mut reader);
            let procs = f5.filter(|p| *p > 0).or(f8.filter(|p| *p > 0));
            match (run, procs) {
                (Some(run), Some(procs)) => {
                    prop_assert_eq!(records.len(), 1);
                    let r = &records[0];
                    prop_assert_eq!(r.submit_ms, u64::from(submit) * 1000);
                    prop_assert_eq!(r.run_ms, u64::from(run) * 1000);
                    prop_assert_eq!(r.millivcpus, u32::from(procs) * 1000);
                    prop_assert_eq!(r.estimate_ms, req.map(|q| u64::from(q.max(run)) * 1000));
                    prop_assert_eq!(r.user, Some(7));
                }
                (None, _) => {
                    prop_assert!(records.is_empty());
                    prop_assert_eq!(reader.skipped().run_missing, 1);
                }
                (Some(_), None) => {
                    prop_assert!(records.is_empty());
                    prop_assert_eq!(reader.skipped().processors_missing, 1);
                }
            }
        }

    }
}
