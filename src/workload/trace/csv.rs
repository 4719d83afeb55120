//! CSV traces: the header `submitSeconds,runSeconds,vcpus[,memoryMiB,jobQueue,shareIdentifier,jobName]`
//! and one job per record, read with the `csv` crate (RFC 4180: cells may be quoted, a quoted
//! cell may hold commas, `""` for a quote, and line breaks; records end at `\n` or `\r\n`;
//! cells are trimmed of surrounding white space; blank lines are ignored; a UTF-8 byte order
//! mark is dropped). A record's line is the line it starts on.
//!
//! The three required columns come first in that order, then any subset of the optional ones
//! in any order. Empty optional cells are `None`. `submitSeconds` is read as described in
//! [`super::timestamp`]; the other numbers as exact decimals, rounded to the nearest unit.

use super::error::BadLine;
use super::input::{Capped, Decoded};
use super::number::{parse_scaled, NumError};
use super::skip::SkipReason;
use super::timestamp::{read_submit, SubmitCell, TimeKind};
use super::{Next, Rejected, TraceRecord, MAX_LINE_BYTES, MAX_TRACE_MS};
use crate::suggest::{quote, suggest};
use csv::ByteRecord;
use std::io;

/// Required CSV columns, in the order they must appear first in the header.
pub const CSV_REQUIRED: [&str; 3] = ["submitSeconds", "runSeconds", "vcpus"];
/// Optional CSV columns, allowed after the required ones in any subset and order.
pub const CSV_OPTIONAL: [&str; 4] = ["memoryMiB", "jobQueue", "shareIdentifier", "jobName"];

/// Read-ahead the record cap allows for: the csv crate's buffer.
const READ_AHEAD: u64 = 64 * 1024;

/// Position of each CSV column in a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct CsvColumns {
    count: usize,
    memory_mib: Option<usize>,
    job_queue: Option<usize>,
    share_identifier: Option<usize>,
    job_name: Option<usize>,
}

fn did_you_mean(name: &str) -> String {
    match suggest(name, CSV_REQUIRED.iter().chain(CSV_OPTIONAL.iter()).copied()) {
        Some(known) if known != name => format!(" (did you mean {}?)", quote(known)),
        _ => String::new(),
    }
}

/// Checks the cells of a header and locates the optional columns.
pub(super) fn parse_header(cells: &[String]) -> Result<CsvColumns, String> {
    let expected = format!("expected {}[,{}]", CSV_REQUIRED.join(","), CSV_OPTIONAL.join(","));
    for (i, required) in CSV_REQUIRED.iter().enumerate() {
        match cells.get(i) {
            Some(cell) if cell == required => {}
            Some(cell) => {
                let hint = if CSV_REQUIRED.contains(&cell.as_str()) {
                    String::new()
                } else {
                    did_you_mean(cell)
                };
                return Err(format!(
                    "column {} is {} but must be {}{hint}; the header must start with {}",
                    i + 1,
                    quote(cell),
                    quote(required),
                    CSV_REQUIRED.join(",")
                ));
            }
            None => {
                return Err(format!("missing required column {}; {expected}", quote(required)));
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
                return Err(format!("duplicate column {} (column {})", quote(name), i + 1));
            }
            "" => return Err(format!("column {} has no name; {expected}", i + 1)),
            name => {
                return Err(format!(
                    "unknown column {}{}; {expected}",
                    quote(name),
                    did_you_mean(name)
                ));
            }
        };
        if slot.is_some() {
            return Err(format!("duplicate column {} (column {})", quote(cell), i + 1));
        }
        *slot = Some(i);
    }
    Ok(columns)
}

/// The time base of a file: the kind of its first submission, and the origin subtracted from
/// every submit time (0 for seconds from the log start, the earliest submission otherwise).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Times {
    /// The kind of the first submission and its line, once seen.
    first: Option<(TimeKind, u64)>,
    /// Milliseconds subtracted from every submit time.
    origin_ms: i128,
}

impl Times {
    /// Checks that a submission at `line` has the file's kind (the first one sets it).
    fn check(&mut self, kind: TimeKind, line: u64, text: &str) -> Result<(), BadLine> {
        match self.first {
            None => {
                self.first = Some((kind, line));
                Ok(())
            }
            Some((k, _)) if k == kind => Ok(()),
            Some((k, first_line)) => Err(BadLine::MixedTimes {
                text: text.to_owned(),
                found: kind.describe(),
                expected: k.describe(),
                first_line,
            }),
        }
    }
}

/// A blank record: no cell, or one empty cell (a line of spaces).
fn is_blank(record: &ByteRecord) -> bool {
    record.is_empty() || (record.len() == 1 && record[0].is_empty())
}

/// One cell as text.
fn text<'r>(record: &'r ByteRecord, index: usize, column: &'static str) -> Result<&'r str, BadLine> {
    std::str::from_utf8(record.get(index).unwrap_or_default()).map_err(|_| BadLine::NotUtf8 { column: Some(column) })
}

/// A numeric cell times `10^scale`: `None` when empty.
fn number(cell: &str, scale: i64, column: &'static str) -> Result<Option<i128>, BadLine> {
    if cell.is_empty() {
        return Ok(None);
    }
    parse_scaled(cell, scale).map(Some).map_err(|e| {
        let (what, text) = (column.to_owned(), cell.to_owned());
        match e {
            NumError::Syntax => BadLine::NotANumber { what, text },
            NumError::Range => BadLine::OutOfRange { what, text },
        }
    })
}

/// A time in milliseconds if it is from 0 to [`MAX_TRACE_MS`] (the scenario's 10^12 s).
fn within_max(ms: i128) -> Option<u64> {
    u64::try_from(ms).ok().filter(|&ms| ms <= MAX_TRACE_MS)
}

/// Parses one CSV record (not blank) against the header's columns. Every cell is read first,
/// so a record with a bad cell is bad even where a value is missing; then a missing submit
/// time, run time or vCPU count (in that order) skips it.
pub(super) fn parse_row(
    record: &ByteRecord,
    line: u64,
    columns: &CsvColumns,
    times: &mut Times,
) -> Result<TraceRecord, Rejected> {
    if record.len() != columns.count {
        return Err(Rejected::Bad(BadLine::CellCount {
            expected: columns.count,
            found: record.len(),
        }));
    }
    let submit_text = text(record, 0, CSV_REQUIRED[0])?;
    let submit = read_submit(submit_text)?;
    let run = number(text(record, 1, CSV_REQUIRED[1])?, 3, CSV_REQUIRED[1])?;
    let vcpus = number(text(record, 2, CSV_REQUIRED[2])?, 3, CSV_REQUIRED[2])?;
    let memory_mib = match columns.memory_mib {
        None => None,
        Some(i) => {
            let cell = text(record, i, "memoryMiB")?;
            match number(cell, 0, "memoryMiB")? {
                None => None,
                Some(v) if v < 0 => {
                    return Err(Rejected::Bad(BadLine::Negative {
                        what: "memoryMiB",
                        text: cell.to_owned(),
                    }))
                }
                Some(v) => Some(u64::try_from(v).map_err(|_| BadLine::OutOfRange {
                    what: "memoryMiB".into(),
                    text: cell.to_owned(),
                })?),
            }
        }
    };
    let text_cell = |index: Option<usize>, column: &'static str| -> Result<Option<String>, BadLine> {
        match index {
            None => Ok(None),
            Some(i) => text(record, i, column).map(|t| (!t.is_empty()).then(|| t.to_owned())),
        }
    };
    let job_queue = text_cell(columns.job_queue, "jobQueue")?;
    let share_identifier = text_cell(columns.share_identifier, "shareIdentifier")?;
    let job_name = text_cell(columns.job_name, "jobName")?;
    // Negative run times and vCPU counts mean "missing" (as SWF's -1); too large is bad.
    let out_of_range = |i: usize| BadLine::OutOfRange {
        what: CSV_REQUIRED[i].into(),
        text: text(record, i, CSV_REQUIRED[i]).unwrap_or_default().to_owned(),
    };
    let run_ms = match run {
        Some(v) if v >= 0 => Some(within_max(v).ok_or_else(|| out_of_range(1))?),
        _ => None,
    };
    let millivcpus = match vcpus {
        Some(v) if v > 0 => Some(u32::try_from(v).map_err(|_| out_of_range(2))?),
        _ => None,
    };
    let submit_ms = match submit {
        SubmitCell::Missing => return Err(Rejected::Skip(SkipReason::SubmitMissing)),
        SubmitCell::At { kind, ms } => {
            times.check(kind, line, submit_text)?;
            within_max(ms - times.origin_ms).ok_or_else(|| out_of_range(0))?
        }
    };
    let run_ms = run_ms.ok_or(Rejected::Skip(SkipReason::RunMissing))?;
    let millivcpus = millivcpus.ok_or(Rejected::Skip(SkipReason::ProcessorsMissing))?;
    Ok(TraceRecord {
        line,
        submit_ms,
        run_ms,
        millivcpus,
        memory_mib,
        estimate_ms: None,
        job_queue,
        share_identifier,
        job_name,
        user: None,
    })
}

/// The csv crate's reader over the decompressed bytes, with the record length capped.
type Csv = csv::Reader<Capped<Decoded>>;

fn csv_reader(input: Decoded) -> Csv {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        // Records end at `\n` only (a `\r` before it is trimmed as white space): with the
        // crate's CRLF default, a record's line number would lag one line behind after a
        // `\r\n`, whose `\n` is consumed with the next record.
        .terminator(csv::Terminator::Any(b'\n'))
        .from_reader(Capped::new(input, MAX_LINE_BYTES as u64 + READ_AHEAD))
}

/// An error of the csv crate as an I/O error (with `flexible` records and byte records, I/O
/// is the only kind it reports).
fn io_error(e: csv::Error) -> io::Error {
    let message = e.to_string();
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io,
        _ => io::Error::other(message),
    }
}

/// Why the header could not be read: an I/O error at a line, or a bad header at a line.
pub(super) enum HeaderFailure {
    /// Reading failed at the line.
    Io(u64, io::Error),
    /// The header at the line is wrong.
    Bad(u64, String),
}

/// The reading state of a CSV trace: the csv crate's reader, the header's columns, the time
/// base and the record buffer.
pub(super) struct CsvBody {
    reader: Csv,
    columns: CsvColumns,
    times: Times,
    record: ByteRecord,
}

/// The next non-blank record, read into [`CsvBody::record`].
enum NextRaw {
    /// A record starting at the line.
    Row(u64),
    /// The end of the file.
    End,
    /// Reading failed at the line.
    Failed(u64, io::Error),
}

impl CsvBody {
    /// Reads the header, then finds the time base: the kind of the first submission and, for
    /// absolute times, the earliest submission, reading the file through once; then starts
    /// again from the top. Unreadable rows and read errors are passed over here: the real
    /// pass reports them.
    pub(super) fn start(input: Decoded) -> Result<CsvBody, HeaderFailure> {
        let mut body = CsvBody::with_header(input)?;
        let mut kinds = Times::default();
        let mut earliest: Option<i128> = None;
        while let NextRaw::Row(line) = body.next_raw() {
            let submit = text(&body.record, 0, CSV_REQUIRED[0]).and_then(read_submit);
            if let Ok(SubmitCell::At { kind, ms }) = submit {
                if kinds.check(kind, line, "").is_ok() {
                    earliest = Some(earliest.map_or(ms, |e| e.min(ms)));
                }
                if !kind.is_absolute() && kinds.first.is_some_and(|(k, _)| k == kind) {
                    break;
                }
            }
        }
        let absolute = kinds.first.is_some_and(|(kind, _)| kind.is_absolute());
        let raw = body.reader.into_inner().into_inner().into_raw();
        let input = Decoded::new(raw).map_err(|e| HeaderFailure::Io(1, e))?;
        let mut body = CsvBody::with_header(input)?;
        body.times.origin_ms = if absolute { earliest.unwrap_or(0) } else { 0 };
        Ok(body)
    }

    /// A reader past the header.
    fn with_header(input: Decoded) -> Result<CsvBody, HeaderFailure> {
        let mut reader = csv_reader(input);
        let mut record = ByteRecord::new();
        loop {
            match reader.read_byte_record(&mut record) {
                Err(e) => return Err(HeaderFailure::Io(reader.position().line(), io_error(e))),
                Ok(false) => {
                    let message = format!(
                        "the file is empty, expected a header {}[,{}]",
                        CSV_REQUIRED.join(","),
                        CSV_OPTIONAL.join(",")
                    );
                    return Err(HeaderFailure::Bad(reader.position().line(), message));
                }
                Ok(true) if is_blank(&record) => {}
                Ok(true) => break,
            }
        }
        let line = record.position().map_or(1, csv::Position::line);
        let cells: Result<Vec<String>, _> = record
            .iter()
            .map(|cell| std::str::from_utf8(cell).map(str::to_owned))
            .collect();
        let cells = cells.map_err(|_| HeaderFailure::Bad(line, "the header is not UTF-8 text".into()))?;
        let columns = parse_header(&cells).map_err(|message| HeaderFailure::Bad(line, message))?;
        reader.get_mut().mark();
        Ok(CsvBody {
            reader,
            columns,
            times: Times::default(),
            record,
        })
    }

    /// The next non-blank record into `self.record`.
    fn next_raw(&mut self) -> NextRaw {
        loop {
            match self.reader.read_byte_record(&mut self.record) {
                Err(e) => return NextRaw::Failed(self.reader.position().line(), io_error(e)),
                Ok(false) => return NextRaw::End,
                Ok(true) => {
                    self.reader.get_mut().mark();
                    if !is_blank(&self.record) {
                        return NextRaw::Row(self.record.position().map_or(0, csv::Position::line));
                    }
                }
            }
        }
    }

    /// The next record, parsed.
    pub(super) fn next(&mut self) -> Next {
        match self.next_raw() {
            NextRaw::Row(line) => Next::Row(line, parse_row(&self.record, line, &self.columns, &mut self.times)),
            NextRaw::End => Next::End,
            NextRaw::Failed(line, e) => Next::Failed(line, e),
        }
    }
}
