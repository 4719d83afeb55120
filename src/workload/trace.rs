//! Streaming readers for trace workloads (CONTRACT 2.3).
//!
//! Two formats are read, line by line through a [`BufRead`], never loading the whole file:
//!
//! * **Standard Workload Format** (Parallel Workloads Archive, [`TraceFormat::Swf`]): one job
//!   per line, 18 whitespace-separated numeric fields, `-1` meaning "missing"; lines whose first
//!   non-blank character is `;` are header comments. Used fields:
//!   - field 2, submit time (seconds from the log start) -> [`TraceRecord::submit_ms`];
//!   - field 4, run time (seconds) -> [`TraceRecord::run_ms`];
//!   - field 5, allocated processors, or field 8 (requested processors) when field 5 is
//!     missing or `<= 0` -> [`TraceRecord::millivcpus`] (one processor = one vCPU);
//!   - field 9, requested time (seconds) -> [`TraceRecord::estimate_ms`], raised to the run time
//!     where the log shows a longer run (CONTRACT 2.2, EASY estimates);
//!   - field 12, user id -> [`TraceRecord::user`].
//!
//!   Field 10 (requested memory) is KB *per processor* in SWF and is missing in most logs; it is
//!   ignored and SWF records carry no memory ([`TraceRecord::memory_mib`] is `None`).
//! * **CSV** ([`TraceFormat::Csv`]) with the header
//!   `submitSeconds,runSeconds,vcpus[,memoryMiB,jobQueue,shareIdentifier,jobName]`: the three
//!   required columns come first in that order, then any subset of the optional ones in any
//!   order. Empty optional cells are `None`. Cells may be quoted (`"a,b"`, `""` for a quote);
//!   a quoted cell cannot span lines.
//!
//! Conversion: seconds become integer milliseconds rounded to the nearest (halves away from
//! zero), computed exactly from the decimal text (no floating point); vCPUs become milli-vCPUs
//! rounded the same way (so Fargate's `0.25` is exactly `250`).
//!
//! Data lines that cannot be used are skipped and counted per reason in [`SkipCounts`], never
//! returned as errors: see [`SkipReason`] for the rules. Blank lines and SWF comment lines are
//! ignored without being counted. The only errors are I/O and decompression failures and a bad
//! CSV header ([`TraceError`]).
//!
//! Records come out in file order, even where a log's submit times go backwards; the caller
//! orders submissions (by time, then by [`TraceRecord::line`], which is stable).
//!
//! Input compressed with gzip is detected by its magic bytes (`1f 8b`), not by the file name,
//! and decompressed on the fly (concatenated gzip members are read as one stream).

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::iter::FusedIterator;
use std::path::{Path, PathBuf};

use flate2::bufread::MultiGzDecoder;

/// Longest line kept in memory; a longer line is consumed without being stored and counted as
/// malformed, so that a file without line breaks cannot exhaust memory.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// The two magic bytes that start every gzip stream.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Number of fields on a Standard Workload Format line.
const SWF_FIELDS: usize = 18;

/// Required CSV columns, in the order they must appear first in the header.
const CSV_REQUIRED: [&str; 3] = ["submitSeconds", "runSeconds", "vcpus"];
/// Optional CSV columns, allowed after the required ones in any subset and order.
const CSV_OPTIONAL: [&str; 4] = ["memoryMiB", "jobQueue", "shareIdentifier", "jobName"];

/// The format of a trace file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
pub struct TraceRecord {
    /// 1-based line number in the (decompressed) file, comment and header lines included.
    pub line: u64,
    /// Submission time in milliseconds: SWF field 2 / CSV `submitSeconds` (seconds relative to
    /// the log start), rounded to the nearest millisecond.
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

/// Why a data line was skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SkipReason {
    /// Not valid UTF-8, longer than [`MAX_LINE_BYTES`], SWF: not exactly 18 numeric fields;
    /// CSV: bad quoting, a cell count different from the header's, a non-numeric number, or a
    /// negative `memoryMiB`.
    Malformed,
    /// Submit time negative (SWF `-1`) or, in CSV, empty.
    SubmitMissing,
    /// Run time negative (SWF `-1`) or, in CSV, empty.
    RunMissing,
    /// SWF: fields 5 and 8 both missing or `<= 0`; CSV: `vcpus` empty or not above 0 (after
    /// rounding to milli-vCPUs).
    ProcessorsMissing,
    /// A used value too large for batchsim (times beyond `u64` milliseconds, more than
    /// `u32::MAX` milli-vCPUs, ...).
    OutOfRange,
}

impl SkipReason {
    /// Every reason, in the order the warnings list them.
    pub const ALL: [SkipReason; 5] = [
        SkipReason::Malformed,
        SkipReason::SubmitMissing,
        SkipReason::RunMissing,
        SkipReason::ProcessorsMissing,
        SkipReason::OutOfRange,
    ];

    /// The text used in warnings, e.g. `run time missing`.
    pub fn label(self) -> &'static str {
        match self {
            SkipReason::Malformed => "malformed line",
            SkipReason::SubmitMissing => "submit time missing",
            SkipReason::RunMissing => "run time missing",
            SkipReason::ProcessorsMissing => "processors missing",
            SkipReason::OutOfRange => "value out of range",
        }
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Why lines were skipped, counted per reason. Each skipped line counts once, under the first
/// problem found: malformed first, then the used fields in order (submit, run, processors).
/// Out-of-range values are counted where they are found in that order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SkipCounts {
    /// Lines skipped as [`SkipReason::Malformed`].
    pub malformed: u64,
    /// Lines skipped as [`SkipReason::SubmitMissing`].
    pub submit_missing: u64,
    /// Lines skipped as [`SkipReason::RunMissing`].
    pub run_missing: u64,
    /// Lines skipped as [`SkipReason::ProcessorsMissing`].
    pub processors_missing: u64,
    /// Lines skipped as [`SkipReason::OutOfRange`].
    pub out_of_range: u64,
}

impl SkipCounts {
    /// The count for one reason.
    pub fn get(&self, reason: SkipReason) -> u64 {
        match reason {
            SkipReason::Malformed => self.malformed,
            SkipReason::SubmitMissing => self.submit_missing,
            SkipReason::RunMissing => self.run_missing,
            SkipReason::ProcessorsMissing => self.processors_missing,
            SkipReason::OutOfRange => self.out_of_range,
        }
    }

    /// Counts one more skipped line for `reason`.
    pub fn add(&mut self, reason: SkipReason) {
        let slot = match reason {
            SkipReason::Malformed => &mut self.malformed,
            SkipReason::SubmitMissing => &mut self.submit_missing,
            SkipReason::RunMissing => &mut self.run_missing,
            SkipReason::ProcessorsMissing => &mut self.processors_missing,
            SkipReason::OutOfRange => &mut self.out_of_range,
        };
        *slot = slot.saturating_add(1);
    }

    /// All skipped lines.
    pub fn total(&self) -> u64 {
        SkipReason::ALL
            .iter()
            .fold(0u64, |sum, r| sum.saturating_add(self.get(*r)))
    }

    /// True when no line was skipped.
    pub fn is_empty(&self) -> bool {
        self.total() == 0
    }

    /// The report warnings for a trace called `file_name`, one per reason with a non-zero
    /// count, in [`SkipReason::ALL`] order, e.g.
    /// `trace KTH-SP2-1996-2.1-cln.swf.gz: 3 lines skipped (run time missing)`
    /// (`1 line skipped` for a single line). Empty when nothing was skipped.
    pub fn warnings(&self, file_name: &str) -> Vec<String> {
        SkipReason::ALL
            .iter()
            .filter_map(|&reason| {
                let n = self.get(reason);
                (n > 0).then(|| {
                    let noun = if n == 1 { "line" } else { "lines" };
                    format!("trace {file_name}: {n} {noun} skipped ({})", reason.label())
                })
            })
            .collect()
    }
}

/// An error that stops reading a trace.
#[derive(Debug, thiserror::Error)]
pub enum TraceError {
    /// The file could not be opened.
    #[error("cannot open trace {}: {source}", path.display())]
    Open {
        /// The path as given.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// Reading or decompressing failed at a line (the reader then ends).
    #[error("cannot read trace {} at line {line}: {source}", path.display())]
    Io {
        /// The path as given (or the display name of [`TraceReader::from_reader`]).
        path: PathBuf,
        /// The 1-based line being read when the error happened.
        line: u64,
        /// The underlying error (decompression errors included).
        source: io::Error,
    },
    /// The CSV header is missing or wrong.
    #[error("trace {} line {line}: bad CSV header: {message}", path.display())]
    Header {
        /// The path as given (or the display name of [`TraceReader::from_reader`]).
        path: PathBuf,
        /// The 1-based line of the header (the first non-blank line; 1 past the end for an
        /// empty file).
        line: u64,
        /// What is wrong, with a suggestion for a misspelt column name.
        message: String,
    },
}

/// Position of each CSV column in a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CsvColumns {
    count: usize,
    memory_mib: Option<usize>,
    job_queue: Option<usize>,
    share_identifier: Option<usize>,
    job_name: Option<usize>,
}

/// A streaming reader of one trace: an iterator of [`TraceRecord`]s in file order that counts
/// the lines it skips.
///
/// Gzip input is recognised by its magic bytes and decompressed on the fly. After an error the
/// iterator ends. [`skipped`](Self::skipped) and [`warnings`](Self::warnings) are complete
/// once the iterator has returned `None`.
pub struct TraceReader {
    input: Box<dyn BufRead + Send>,
    format: TraceFormat,
    path: PathBuf,
    file_name: String,
    columns: Option<CsvColumns>,
    line: u64,
    skipped: SkipCounts,
    done: bool,
    buf: Vec<u8>,
}

impl fmt::Debug for TraceReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TraceReader")
            .field("format", &self.format)
            .field("path", &self.path)
            .field("line", &self.line)
            .field("skipped", &self.skipped)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl TraceReader {
    /// Opens the trace at `path` (plain or gzip, detected by content). For CSV the header is
    /// read and checked here.
    pub fn open(path: &Path, format: TraceFormat) -> Result<TraceReader, TraceError> {
        let file = File::open(path).map_err(|source| TraceError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        Self::build(BufReader::new(file), format, path.to_path_buf())
    }

    /// Reads a trace from any buffered reader (plain or gzip, detected by content);
    /// `display_name` stands for the path in errors, and its last path component for the file
    /// name in warnings. For CSV the header is read and checked here.
    pub fn from_reader(
        reader: impl BufRead + Send + 'static,
        format: TraceFormat,
        display_name: &str,
    ) -> Result<Self, TraceError> {
        Self::build(reader, format, PathBuf::from(display_name))
    }

    fn build(
        mut reader: impl BufRead + Send + 'static,
        format: TraceFormat,
        path: PathBuf,
    ) -> Result<Self, TraceError> {
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.to_string_lossy().into_owned());
        let mut prefix = [0u8; 2];
        let got = read_prefix(&mut reader, &mut prefix).map_err(|source| TraceError::Io {
            path: path.clone(),
            line: 1,
            source,
        })?;
        let rest = Cursor::new(prefix[..got].to_vec()).chain(reader);
        let input: Box<dyn BufRead + Send> = if got == 2 && prefix == GZIP_MAGIC {
            Box::new(BufReader::new(MultiGzDecoder::new(rest)))
        } else {
            Box::new(rest)
        };
        let mut me = TraceReader {
            input,
            format,
            path,
            file_name,
            columns: None,
            line: 0,
            skipped: SkipCounts::default(),
            done: false,
            buf: Vec::new(),
        };
        if format == TraceFormat::Csv {
            me.read_csv_header()?;
        }
        Ok(me)
    }

    /// The format being read.
    pub fn format(&self) -> TraceFormat {
        self.format
    }

    /// The path as given to [`open`](Self::open), or the display name of
    /// [`from_reader`](Self::from_reader).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file name used in warnings (last component of the path).
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

    /// Reads the next physical line into `self.buf` (terminator and a trailing `\r` removed).
    /// `Ok(None)` at the end, `Ok(Some(false))` for a line too long or not UTF-8.
    fn next_line(&mut self) -> Result<Option<bool>, TraceError> {
        let status = read_capped_line(&mut self.input, &mut self.buf, MAX_LINE_BYTES);
        let status = status.map_err(|source| TraceError::Io {
            path: self.path.clone(),
            line: self.line.saturating_add(1),
            source,
        })?;
        let Some(too_long) = status else {
            return Ok(None);
        };
        self.line = self.line.saturating_add(1);
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        if self.line == 1 && self.buf.starts_with(b"\xef\xbb\xbf") {
            self.buf.drain(..3);
        }
        Ok(Some(!too_long && std::str::from_utf8(&self.buf).is_ok()))
    }

    fn header_error(&self, line: u64, message: String) -> TraceError {
        TraceError::Header {
            path: self.path.clone(),
            line,
            message,
        }
    }

    fn read_csv_header(&mut self) -> Result<(), TraceError> {
        loop {
            let Some(usable) = self.next_line()? else {
                let line = self.line.saturating_add(1);
                let message = format!(
                    "the file is empty, expected a header {}[,{}]",
                    CSV_REQUIRED.join(","),
                    CSV_OPTIONAL.join(",")
                );
                return Err(self.header_error(line, message));
            };
            if !usable {
                let message = "the header line is not UTF-8 text or is too long".to_string();
                return Err(self.header_error(self.line, message));
            }
            let text = String::from_utf8_lossy(&self.buf).into_owned();
            if text.trim().is_empty() {
                continue;
            }
            let parsed = parse_csv_header(&text);
            return match parsed {
                Ok(columns) => {
                    self.columns = Some(columns);
                    Ok(())
                }
                Err(message) => Err(self.header_error(self.line, message)),
            };
        }
    }
}

impl Iterator for TraceReader {
    type Item = Result<TraceRecord, TraceError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        loop {
            let usable = match self.next_line() {
                Ok(Some(usable)) => usable,
                Ok(None) => {
                    self.done = true;
                    return None;
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            };
            if !usable {
                self.skipped.add(SkipReason::Malformed);
                continue;
            }
            let Ok(text) = std::str::from_utf8(&self.buf) else {
                self.skipped.add(SkipReason::Malformed);
                continue;
            };
            let trimmed = text.trim();
            if trimmed.is_empty() {
                continue;
            }
            let parsed = match (self.format, self.columns) {
                (TraceFormat::Swf, _) => {
                    if trimmed.starts_with(';') {
                        continue;
                    }
                    parse_swf_line(trimmed, self.line)
                }
                (TraceFormat::Csv, Some(columns)) => parse_csv_line(text, self.line, &columns),
                // Unreachable in practice: a CSV reader is only built with its header read.
                (TraceFormat::Csv, None) => Err(SkipReason::Malformed),
            };
            match parsed {
                Ok(record) => return Some(Ok(record)),
                Err(reason) => self.skipped.add(reason),
            }
        }
    }
}

impl FusedIterator for TraceReader {}

/// Reads up to `buf.len()` bytes, stopping early only at the end of the input.
fn read_prefix(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match reader.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// Reads one line without its `\n` into `buf`. Returns `Ok(None)` at the end of the input,
/// `Ok(Some(too_long))` otherwise; a line longer than `cap` bytes is consumed but not stored.
fn read_capped_line(reader: &mut dyn BufRead, buf: &mut Vec<u8>, cap: usize) -> io::Result<Option<bool>> {
    buf.clear();
    let mut any = false;
    let mut too_long = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(any.then_some(too_long));
        }
        any = true;
        let (chunk, found, used) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..i], true, i + 1),
            None => (available, false, available.len()),
        };
        if !too_long {
            if buf.len().saturating_add(chunk.len()) > cap {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(chunk);
            }
        }
        reader.consume(used);
        if found {
            return Ok(Some(too_long));
        }
    }
}

/// Why a decimal number could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NumError {
    /// Not a decimal number.
    Syntax,
    /// A number, but too large to represent.
    Range,
}

/// Significant digits kept when reading a decimal number; later digits are dropped.
const MAX_SIGNIFICANT: u32 = 36;

/// Reads a decimal number (`[+-]digits[.digits][e[+-]digits]`, at least one digit) and returns
/// it times `10^scale`, rounded to the nearest integer, halves away from zero. Exact for up to
/// 36 significant digits; no floating point involved.
fn parse_scaled(text: &str, scale: i64) -> Result<i128, NumError> {
    let bytes = text.as_bytes();
    let mut i = 0;
    let negative = match bytes.first() {
        Some(b'-') => {
            i = 1;
            true
        }
        Some(b'+') => {
            i = 1;
            false
        }
        _ => false,
    };
    let mut mantissa: u128 = 0;
    let mut significant = 0u32;
    let mut exponent: i64 = 0;
    let mut digits = 0usize;
    let mut seen_point = false;
    while let Some(&b) = bytes.get(i) {
        if b.is_ascii_digit() {
            digits += 1;
            let d = u128::from(b - b'0');
            if significant < MAX_SIGNIFICANT {
                mantissa = mantissa * 10 + d;
                if mantissa != 0 {
                    significant += 1;
                }
                if seen_point {
                    exponent -= 1;
                }
            } else {
                if !seen_point {
                    exponent += 1;
                }
            }
        } else if b == b'.' && !seen_point {
            seen_point = true;
        } else {
            break;
        }
        i += 1;
    }
    if digits == 0 {
        return Err(NumError::Syntax);
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        let exp_negative = match bytes.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let mut exp_digits = 0usize;
        let mut value: i64 = 0;
        while let Some(&b) = bytes.get(i) {
            if !b.is_ascii_digit() {
                break;
            }
            exp_digits += 1;
            // Saturate: anything beyond this is far out of range or rounds to zero anyway.
            value = (value * 10 + i64::from(b - b'0')).min(1_000_000);
            i += 1;
        }
        if exp_digits == 0 {
            return Err(NumError::Syntax);
        }
        exponent += if exp_negative { -value } else { value };
    }
    if i != bytes.len() {
        return Err(NumError::Syntax);
    }
    if mantissa == 0 {
        return Ok(0);
    }
    let shift = exponent + scale;
    let magnitude: u128 = if shift >= 0 {
        let factor = u32::try_from(shift)
            .ok()
            .and_then(|s| 10u128.checked_pow(s))
            .ok_or(NumError::Range)?;
        mantissa.checked_mul(factor).ok_or(NumError::Range)?
    } else if shift < -38 {
        // mantissa < 10^36, so the value is below 0.01 and rounds to zero.
        0
    } else {
        let divisor = 10u128.pow(u32::try_from(-shift).map_err(|_| NumError::Range)?);
        let quotient = mantissa / divisor;
        let remainder = mantissa % divisor;
        // remainder < divisor <= 10^38, so doubling stays below u128::MAX (3.4e38). Dropped
        // digits beyond the 36th cannot change a half-away-from-zero rounding: the divisor is
        // even, so the kept part alone decides whether the rest reaches one half.
        if remainder * 2 >= divisor {
            quotient + 1
        } else {
            quotient
        }
    };
    let magnitude = i128::try_from(magnitude).map_err(|_| NumError::Range)?;
    Ok(if negative { -magnitude } else { magnitude })
}

/// A non-negative quantity in thousandths (seconds -> ms): `Err(missing)` when negative.
fn thousandths(value: i128, missing: SkipReason) -> Result<u64, SkipReason> {
    if value < 0 {
        return Err(missing);
    }
    u64::try_from(value).map_err(|_| SkipReason::OutOfRange)
}

/// Parses one SWF data line (not a comment, not blank).
fn parse_swf_line(text: &str, line: u64) -> Result<TraceRecord, SkipReason> {
    let mut values = [Ok(0i128); SWF_FIELDS];
    let mut count = 0usize;
    for field in text.split_ascii_whitespace() {
        let slot = values.get_mut(count).ok_or(SkipReason::Malformed)?;
        *slot = parse_scaled(field, 3);
        if *slot == Err(NumError::Syntax) {
            return Err(SkipReason::Malformed);
        }
        count += 1;
    }
    if count != SWF_FIELDS {
        return Err(SkipReason::Malformed);
    }
    // Fields are 1-based in the SWF definition; values[k - 1] is field k, in thousandths.
    let field = |k: usize| values[k - 1].map_err(|_| SkipReason::OutOfRange);
    let submit_ms = thousandths(field(2)?, SkipReason::SubmitMissing)?;
    let run_ms = thousandths(field(4)?, SkipReason::RunMissing)?;
    // A missing/non-positive field 5 falls back on field 8 before its own range matters.
    let allocated = values[4];
    let processors = match allocated {
        Ok(p) if p > 0 => p,
        Err(_) => return Err(SkipReason::OutOfRange),
        Ok(_) => match field(8)? {
            p if p > 0 => p,
            _ => return Err(SkipReason::ProcessorsMissing),
        },
    };
    let millivcpus = u32::try_from(processors).map_err(|_| SkipReason::OutOfRange)?;
    let requested = field(9)?;
    let estimate_ms = if requested < 0 {
        None
    } else {
        let ms = u64::try_from(requested).map_err(|_| SkipReason::OutOfRange)?;
        Some(ms.max(run_ms))
    };
    let user = match values[11] {
        Ok(v) if v >= 0 && v % 1000 == 0 => u32::try_from(v / 1000).ok(),
        _ => None,
    };
    Ok(TraceRecord {
        line,
        submit_ms,
        run_ms,
        millivcpus,
        memory_mib: None,
        estimate_ms,
        job_queue: None,
        share_identifier: None,
        job_name: None,
        user,
    })
}

/// Splits a CSV line into trimmed cells, with RFC 4180 quoting inside the line. `None` for a
/// bad quote (unterminated, or text around a quoted part).
fn split_csv(line: &str) -> Option<Vec<String>> {
    let mut cells = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        // One cell.
        while chars.peek().is_some_and(|c| *c == ' ' || *c == '\t') {
            chars.next();
        }
        let mut cell = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    None => return None,
                    Some('"') => {
                        if chars.peek() == Some(&'"') {
                            chars.next();
                            cell.push('"');
                        } else {
                            break;
                        }
                    }
                    Some(c) => cell.push(c),
                }
            }
            while chars.peek().is_some_and(|c| *c == ' ' || *c == '\t') {
                chars.next();
            }
            match chars.next() {
                None => {
                    cells.push(cell);
                    return Some(cells);
                }
                Some(',') => cells.push(cell),
                Some(_) => return None,
            }
        } else {
            let mut ended = true;
            for c in chars.by_ref() {
                if c == ',' {
                    ended = false;
                    break;
                }
                if c == '"' {
                    return None;
                }
                cell.push(c);
            }
            cells.push(cell.trim().to_string());
            if ended {
                return Some(cells);
            }
        }
    }
}

/// Edit distance between two short strings (for suggestions).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = Vec::with_capacity(b.len() + 1);
        current.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            let deletion = previous[j + 1] + 1;
            let insertion = current[j] + 1;
            current.push(substitution.min(deletion).min(insertion));
        }
        previous = current;
    }
    previous[b.len()]
}

/// The known column name closest to `name`, if close enough to be a likely misspelling.
fn suggest_column(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    CSV_REQUIRED
        .iter()
        .chain(CSV_OPTIONAL.iter())
        .map(|known| (edit_distance(&lower, &known.to_ascii_lowercase()), *known))
        .filter(|(d, known)| *d <= (known.len() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, known)| known)
}

fn did_you_mean(name: &str) -> String {
    match suggest_column(name) {
        Some(known) if known != name => format!(" (did you mean `{known}`?)"),
        _ => String::new(),
    }
}

/// Checks a CSV header line and locates the optional columns.
fn parse_csv_header(text: &str) -> Result<CsvColumns, String> {
    let expected = format!("expected {}[,{}]", CSV_REQUIRED.join(","), CSV_OPTIONAL.join(","));
    let cells = split_csv(text).ok_or_else(|| format!("bad quoting; {expected}"))?;
    for (i, required) in CSV_REQUIRED.iter().enumerate() {
        match cells.get(i) {
            Some(cell) if cell == required => {}
            Some(cell) => {
                let position = i + 1;
                let hint = if CSV_REQUIRED.contains(&cell.as_str()) {
                    String::new()
                } else {
                    did_you_mean(cell)
                };
                return Err(format!(
                    "column {position} is `{cell}` but must be `{required}`{hint}; \
                     the header must start with {}",
                    CSV_REQUIRED.join(",")
                ));
            }
            None => {
                return Err(format!("missing required column `{required}`; {expected}"));
            }
        }
    }
    let mut columns = CsvColumns {
        count: cells.len(),
        memory_mib: None,
        job_queue: None,
        share_identifier: None,
        job_name: None,
    };
    for (i, cell) in cells.iter().enumerate().skip(CSV_REQUIRED.len()) {
        let slot = match cell.as_str() {
            "memoryMiB" => &mut columns.memory_mib,
            "jobQueue" => &mut columns.job_queue,
            "shareIdentifier" => &mut columns.share_identifier,
            "jobName" => &mut columns.job_name,
            name if CSV_REQUIRED.contains(&name) => {
                return Err(format!("duplicate column `{name}` (column {})", i + 1));
            }
            "" => return Err(format!("column {} has no name; {expected}", i + 1)),
            name => {
                return Err(format!("unknown column `{name}`{}; {expected}", did_you_mean(name)));
            }
        };
        if slot.is_some() {
            return Err(format!("duplicate column `{cell}` (column {})", i + 1));
        }
        *slot = Some(i);
    }
    Ok(columns)
}

/// Parses one CSV data line (not blank) against the header's columns.
fn parse_csv_line(text: &str, line: u64, columns: &CsvColumns) -> Result<TraceRecord, SkipReason> {
    let cells = split_csv(text).ok_or(SkipReason::Malformed)?;
    if cells.len() != columns.count {
        return Err(SkipReason::Malformed);
    }
    let number = |index: usize, scale: i64, missing: SkipReason| -> Result<i128, SkipReason> {
        let cell = cells[index].as_str();
        if cell.is_empty() {
            return Err(missing);
        }
        parse_scaled(cell, scale).map_err(|e| match e {
            NumError::Syntax => SkipReason::Malformed,
            NumError::Range => SkipReason::OutOfRange,
        })
    };
    // Check syntax of every numeric cell first so that a malformed line counts as malformed.
    let submit = number(0, 3, SkipReason::SubmitMissing);
    let run = number(1, 3, SkipReason::RunMissing);
    let vcpus = number(2, 3, SkipReason::ProcessorsMissing);
    let memory = match columns.memory_mib {
        Some(index) if !cells[index].is_empty() => match number(index, 0, SkipReason::Malformed) {
            Ok(v) if v < 0 => Err(SkipReason::Malformed),
            Ok(v) => u64::try_from(v).map(Some).map_err(|_| SkipReason::OutOfRange),
            Err(e) => Err(e),
        },
        _ => Ok(None),
    };
    for result in [&submit, &run, &vcpus] {
        if *result == Err(SkipReason::Malformed) {
            return Err(SkipReason::Malformed);
        }
    }
    if memory == Err(SkipReason::Malformed) {
        return Err(SkipReason::Malformed);
    }
    let submit_ms = thousandths(submit?, SkipReason::SubmitMissing)?;
    let run_ms = thousandths(run?, SkipReason::RunMissing)?;
    let millivcpus = match vcpus? {
        v if v <= 0 => return Err(SkipReason::ProcessorsMissing),
        v => u32::try_from(v).map_err(|_| SkipReason::OutOfRange)?,
    };
    let memory_mib = memory?;
    let text_cell = |index: Option<usize>| {
        index
            .and_then(|i| cells.get(i))
            .filter(|cell| !cell.is_empty())
            .cloned()
    };
    Ok(TraceRecord {
        line,
        submit_ms,
        run_ms,
        millivcpus,
        memory_mib,
        estimate_ms: None,
        job_queue: text_cell(columns.job_queue),
        share_identifier: text_cell(columns.share_identifier),
        job_name: text_cell(columns.job_name),
        user: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use flate2::Compression;
    use proptest::prelude::*;
    use std::io::Write;

    fn swf(text: &str) -> TraceReader {
        TraceReader::from_reader(Cursor::new(text.as_bytes().to_vec()), TraceFormat::Swf, "dir/test.swf")
            .expect("an SWF reader never fails to build from memory")
    }

    fn csv(text: &str) -> Result<TraceReader, TraceError> {
        TraceReader::from_reader(Cursor::new(text.as_bytes().to_vec()), TraceFormat::Csv, "dir/test.csv")
    }

    fn all(reader: &mut TraceReader) -> Vec<TraceRecord> {
        reader.by_ref().collect::<Result<Vec<_>, _>>().expect("no I/O error")
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
    fn swf_fields_units_and_skips() {
        let mut reader = swf(SMALL_SWF);
        let records = all(&mut reader);
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
        let skipped = *reader.skipped();
        assert_eq!(
            skipped,
            SkipCounts {
                malformed: 3,
                submit_missing: 1,
                run_missing: 1,
                processors_missing: 1,
                out_of_range: 0,
            }
        );
        assert_eq!(skipped.total(), 6);
        assert_eq!(
            reader.warnings(),
            vec![
                "trace test.swf: 3 lines skipped (malformed line)",
                "trace test.swf: 1 line skipped (submit time missing)",
                "trace test.swf: 1 line skipped (run time missing)",
                "trace test.swf: 1 line skipped (processors missing)",
            ]
        );
        assert!(reader.next().is_none(), "fused after the end");
    }

    #[test]
    fn warnings_exact_format_and_none_when_clean() {
        let counts = SkipCounts {
            run_missing: 3,
            ..SkipCounts::default()
        };
        assert_eq!(
            counts.warnings("KTH-SP2-1996-2.1-cln.swf.gz"),
            vec!["trace KTH-SP2-1996-2.1-cln.swf.gz: 3 lines skipped (run time missing)"]
        );
        let mut reader = swf("1 0 0 10 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1\n");
        assert_eq!(all(&mut reader).len(), 1);
        assert!(reader.skipped().is_empty());
        assert!(reader.warnings().is_empty());
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
    fn swf_crlf_tabs_and_out_of_range() {
        let text = "; comment\r\n\
                    1\t0\t0\t10\t1\t-1\t-1\t1\t10\t-1\t1\t1\t1\t-1\t-1\t-1\t-1\t-1\r\n\
                    2 1e30 0 10 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1\r\n\
                    3 0 0 10 5e6 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 1e99\r\n\
                    4 0 0 10 5 -1 -1 1 10 -1 1 4294967296 1 -1 -1 -1 -1 1e99\r\n";
        let mut reader = swf(text);
        let records = all(&mut reader);
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].line, 2);
        assert_eq!(records[1].line, 5);
        assert_eq!(records[1].user, None, "user id above u32::MAX");
        assert_eq!(reader.skipped().out_of_range, 2);
        assert_eq!(reader.skipped().total(), 2);
    }

    #[test]
    fn gzip_detected_by_magic_bytes_not_name() {
        let packed = gzip(SMALL_SWF.as_bytes());
        let mut reader =
            TraceReader::from_reader(Cursor::new(packed.clone()), TraceFormat::Swf, "x.swf").expect("gzip in memory");
        assert_eq!(all(&mut reader).len(), 4);
        assert_eq!(reader.skipped().total(), 6);

        // Through a file whose name does not say gzip.
        let path = temp_path("gz-no-extension.swf");
        std::fs::write(&path, &packed).expect("write temp file");
        let mut reader = TraceReader::open(&path, TraceFormat::Swf).expect("open temp file");
        assert_eq!(all(&mut reader).len(), 4);
        assert_eq!(
            reader.warnings()[0],
            format!(
                "trace {}: 3 lines skipped (malformed line)",
                path.file_name().and_then(|n| n.to_str()).unwrap_or("")
            )
        );
        std::fs::remove_file(&path).ok();

        // A plain file named .gz is read as plain text.
        let path = temp_path("plain.swf.gz");
        std::fs::write(&path, SMALL_SWF).expect("write temp file");
        let mut reader = TraceReader::open(&path, TraceFormat::Swf).expect("open temp file");
        assert_eq!(all(&mut reader).len(), 4);
        std::fs::remove_file(&path).ok();

        // Concatenated gzip members read as one stream.
        let mut two = gzip(b"1 0 0 10 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1\n");
        two.extend(gzip(b"2 5 0 10 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1\n"));
        let reader = TraceReader::from_reader(Cursor::new(two), TraceFormat::Swf, "two.gz").expect("gzip in memory");
        assert_eq!(reader.count(), 2);
    }

    #[test]
    fn truncated_gzip_is_an_io_error_naming_file_and_line() {
        let packed = gzip(SMALL_SWF.repeat(200).as_bytes());
        let cut = packed[..packed.len() / 2].to_vec();
        let mut reader =
            TraceReader::from_reader(Cursor::new(cut), TraceFormat::Swf, "cut.gz").expect("header bytes are fine");
        let mut errors = Vec::new();
        let mut ok = 0;
        for item in reader.by_ref() {
            match item {
                Ok(_) => ok += 1,
                Err(e) => errors.push(e),
            }
        }
        assert!(ok > 0);
        assert_eq!(errors.len(), 1, "one error, then the iterator ends");
        let message = errors[0].to_string();
        assert!(message.starts_with("cannot read trace cut.gz at line "), "{message}");
        assert!(matches!(errors[0], TraceError::Io { .. }));
        assert!(reader.next().is_none());
    }

    #[test]
    fn open_missing_file_names_it() {
        let path = temp_path("does-not-exist.swf");
        let err = TraceReader::open(&path, TraceFormat::Swf).expect_err("missing file");
        assert!(matches!(err, TraceError::Open { .. }));
        assert!(err.to_string().contains("does-not-exist.swf"), "{err}");
    }

    #[test]
    fn overlong_and_non_utf8_lines_are_malformed() {
        let mut text = Vec::new();
        text.extend_from_slice(b"1 0 0 10 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1\n");
        text.extend(vec![b'7'; MAX_LINE_BYTES + 10]);
        text.push(b'\n');
        text.extend_from_slice(b"2 0 0 10 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 \xff\n");
        text.extend_from_slice(b"3 0 0 10 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1");
        let mut reader = TraceReader::from_reader(Cursor::new(text), TraceFormat::Swf, "long.swf").unwrap();
        let lines: Vec<u64> = all(&mut reader).iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![1, 4], "last line without newline is read");
        assert_eq!(reader.skipped().malformed, 2);
    }

    #[test]
    fn csv_required_columns_only() {
        let text = "submitSeconds,runSeconds,vcpus\n0,60,1\n1.5,0.0005,0.25\n\n2,10,\n3,,1\n,5,1\n4,5,0\n5,5,x\n6,5\n";
        let mut reader = csv(text).expect("good header");
        let records = all(&mut reader);
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].millivcpus, 1000);
        assert_eq!(records[0].estimate_ms, None);
        assert_eq!(records[1].line, 3);
        assert_eq!(records[1].submit_ms, 1500);
        assert_eq!(records[1].run_ms, 1, "0.5 ms rounds up");
        assert_eq!(records[1].millivcpus, 250);
        assert_eq!(records[1].memory_mib, None);
        assert_eq!(
            *reader.skipped(),
            SkipCounts {
                malformed: 2,
                submit_missing: 1,
                run_missing: 1,
                processors_missing: 2,
                out_of_range: 0,
            }
        );
        assert_eq!(reader.warnings()[0], "trace test.csv: 2 lines skipped (malformed line)");
    }

    #[test]
    fn csv_optional_columns_any_subset_and_order() {
        let text = "\u{feff}submitSeconds,runSeconds,vcpus,jobName,memoryMiB,shareIdentifier\r\n\
                    0,60,2,\"etl, nightly\",2048,teamA\r\n\
                    1,60,0.5,,,\r\n\
                    2,60,0.5, b , 512.4 ,\"\"\r\n\
                    3,60,0.5,c,-1,x\r\n\
                    4,60,0.5,\"bad\"quote,1,x\r\n";
        let mut reader = csv(text).expect("good header");
        let records = all(&mut reader);
        assert_eq!(records.len(), 3);
        assert_eq!(records[0].job_name.as_deref(), Some("etl, nightly"));
        assert_eq!(records[0].memory_mib, Some(2048));
        assert_eq!(records[0].share_identifier.as_deref(), Some("teamA"));
        assert_eq!(records[0].job_queue, None);
        assert_eq!(records[1].job_name, None);
        assert_eq!(records[1].memory_mib, None);
        assert_eq!(records[1].share_identifier, None);
        assert_eq!(records[2].job_name.as_deref(), Some("b"));
        assert_eq!(records[2].memory_mib, Some(512));
        assert_eq!(reader.skipped().malformed, 2);

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
                "trace dir/test.csv line 1: bad CSV header: unknown column `memoryMib` (did you mean `memoryMiB`?)"
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
    }

    #[test]
    fn decimal_parsing_is_exact() {
        assert_eq!(parse_scaled("1.0005", 3), Ok(1001));
        assert_eq!(parse_scaled("1.00049999999999999999999", 3), Ok(1000));
        assert_eq!(parse_scaled("0.0004", 3), Ok(0));
        assert_eq!(parse_scaled("-1", 3), Ok(-1000));
        assert_eq!(parse_scaled("-0.0005", 3), Ok(-1));
        assert_eq!(parse_scaled("+2.5e1", 3), Ok(25_000));
        assert_eq!(parse_scaled("25E-3", 3), Ok(25));
        assert_eq!(parse_scaled(".5", 3), Ok(500));
        assert_eq!(parse_scaled("5.", 3), Ok(5000));
        assert_eq!(parse_scaled("007", 0), Ok(7));
        assert_eq!(parse_scaled("1e-1000000000", 3), Ok(0));
        assert_eq!(parse_scaled("1e40", 3), Err(NumError::Range));
        // 37 significant digits: the dropped ones still round.
        assert_eq!(parse_scaled("0.0000000000000000000000000000000000000000012", 3), Ok(0));
        assert_eq!(parse_scaled("0.000499999999999999999999999999999999999999", 3), Ok(0));
        assert_eq!(parse_scaled("0.0004999999999999999999999999999999999999991", 3), Ok(0));
        assert_eq!(parse_scaled("0.0005000000000000000000000000000000000000001", 3), Ok(1));
        for bad in [
            "", "-", "+", ".", "e5", "1e", "1e+", "1.2.3", "--1", "nan", "inf", "1 ", "0x10",
        ] {
            assert_eq!(parse_scaled(bad, 3), Err(NumError::Syntax), "{bad:?}");
        }
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
            let mut input = if gz_prefix { GZIP_MAGIC.to_vec() } else { Vec::new() };
            input.extend(bytes);
            let format = if csv_format { TraceFormat::Csv } else { TraceFormat::Swf };
            if let Ok(reader) = TraceReader::from_reader(Cursor::new(input), format, "fuzz") {
                let mut errors = 0;
                for item in reader {
                    if item.is_err() {
                        errors += 1;
                    }
                }
                prop_assert!(errors <= 1);
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

        #[test]
        fn decimal_matches_float_for_simple_values(whole in 0u64..10_000_000, frac in 0u32..1_000_000) {
            let text = format!("{whole}.{frac:06}");
            let expected = (whole as i128) * 1000 + i128::from((frac + 500) / 1000);
            prop_assert_eq!(parse_scaled(&text, 3), Ok(expected));
        }
    }
}
