//! What can go wrong reading a trace: the file cannot be opened or read (fatal), the CSV header
//! is wrong (fatal), or one line cannot be read ([`BadLine`], reported and read past).

use crate::suggest::quote;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Why a trace file could not be opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OpenError {
    /// The path names a directory.
    #[error("is a directory")]
    IsDirectory,
    /// The path names something other than a regular file (a device such as `/dev/null`, a
    /// FIFO, a socket). Such files are refused without being opened: opening a FIFO would
    /// wait for a writer.
    #[error("not a regular file")]
    NotRegularFile,
    /// The operating system refused (no such file, permission denied, too many open files,
    /// ...).
    #[error("{0}")]
    Os(io::Error),
}

/// One data line that cannot be read, with what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BadLine {
    /// The line is not UTF-8 text (SWF), or a cell is not (CSV: `column` names it).
    NotUtf8 {
        /// The CSV column, `None` for SWF.
        column: Option<&'static str>,
    },
    /// The line (SWF) or record (CSV) is longer than [`super::MAX_LINE_BYTES`] bytes.
    TooLong,
    /// An SWF line without exactly 18 fields.
    FieldCount {
        /// Fields found.
        found: usize,
    },
    /// A CSV row whose cell count differs from the header's.
    CellCount {
        /// Cells in the header.
        expected: usize,
        /// Cells in the row.
        found: usize,
    },
    /// A value that is not a decimal number.
    NotANumber {
        /// Where: `field 4` (SWF) or `runSeconds` (CSV).
        what: String,
        /// The text found.
        text: String,
    },
    /// A number too large for batchsim (times beyond `u64` milliseconds, more than
    /// `u32::MAX` milli-vCPUs, ...).
    OutOfRange {
        /// Where: `field 2` (SWF) or `submitSeconds` (CSV).
        what: String,
        /// The text found.
        text: String,
    },
    /// A CSV `memoryMiB` below 0.
    Negative {
        /// The column.
        what: &'static str,
        /// The text found.
        text: String,
    },
    /// A CSV `submitSeconds` that looks like an ISO-8601 timestamp but is not a valid one.
    BadTimestamp {
        /// The text found.
        text: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A CSV `submitSeconds` of another kind than the file's first submission (relative
    /// seconds, epoch seconds, epoch milliseconds and ISO-8601 cannot be mixed).
    MixedTimes {
        /// The text found.
        text: String,
        /// What it reads as.
        found: &'static str,
        /// What the first submission was.
        expected: &'static str,
        /// The line of the first submission.
        first_line: u64,
    },
}

impl fmt::Display for BadLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadLine::NotUtf8 { column: None } => f.write_str("not UTF-8 text"),
            BadLine::NotUtf8 { column: Some(c) } => write!(f, "{c}: not UTF-8 text"),
            BadLine::TooLong => write!(f, "longer than {} bytes", super::MAX_LINE_BYTES),
            BadLine::FieldCount { found } => {
                write!(f, "{found} fields, but a Standard Workload Format line has 18")
            }
            BadLine::CellCount { expected, found } => {
                write!(f, "{found} cells, but the header has {expected}")
            }
            BadLine::NotANumber { what, text } => write!(f, "{what}: {} is not a number", quote(text)),
            BadLine::OutOfRange { what, text } => write!(f, "{what}: {} is out of range", quote(text)),
            BadLine::Negative { what, text } => write!(f, "{what}: {} is below 0", quote(text)),
            BadLine::BadTimestamp { text, reason } => {
                write!(f, "submitSeconds: {} is not an ISO-8601 timestamp: {reason}", quote(text))
            }
            BadLine::MixedTimes {
                text,
                found,
                expected,
                first_line,
            } => write!(
                f,
                "submitSeconds: {} reads as {found}, but the first submission (line {first_line}) is {expected}; a file uses one kind of time",
                quote(text)
            ),
        }
    }
}

/// An error reading a trace. [`TraceError::Line`] is one bad line: the reader goes on past it.
/// Every other error ends the reader ([`is_fatal`](Self::is_fatal)).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TraceError {
    /// The file could not be opened.
    #[error("cannot open trace {}: {reason}", shown(path))]
    Open {
        /// The path as given.
        path: PathBuf,
        /// Why.
        reason: OpenError,
    },
    /// Reading or decompressing failed at a line (a truncated or corrupt gzip stream, a disk
    /// error, the file changed while it was read).
    #[error("cannot read trace {} at line {line}: {source}", shown(path))]
    Io {
        /// The path as given (or the display name of `TraceReader::from_reader`).
        path: PathBuf,
        /// The 1-based line being read when the error happened.
        line: u64,
        /// The underlying error.
        source: io::Error,
    },
    /// The CSV header is missing or wrong.
    #[error("trace {} line {line}: bad CSV header: {message}", shown(path))]
    Header {
        /// The path as given (or the display name of `TraceReader::from_reader`).
        path: PathBuf,
        /// The 1-based line of the header (the first non-blank line; 1 past the end for an
        /// empty file).
        line: u64,
        /// What is wrong, with a suggestion for a misspelt column name.
        message: String,
    },
    /// One data line cannot be read.
    #[error("trace {} line {line}: {problem}", shown(path))]
    Line {
        /// The path as given (or the display name of `TraceReader::from_reader`).
        path: PathBuf,
        /// The 1-based line (for CSV: where the record starts).
        line: u64,
        /// What is wrong.
        problem: BadLine,
    },
}

impl TraceError {
    /// True for errors after which the reader ends (all but [`TraceError::Line`]).
    pub fn is_fatal(&self) -> bool {
        !matches!(self, TraceError::Line { .. })
    }

    /// The 1-based line the error is at, if it is at one.
    pub fn line(&self) -> Option<u64> {
        match self {
            TraceError::Open { .. } => None,
            TraceError::Io { line, .. } | TraceError::Header { line, .. } | TraceError::Line { line, .. } => {
                Some(*line)
            }
        }
    }

    /// What is wrong, without the `trace FILE line N` prefix the [`Display`](fmt::Display)
    /// form has (for messages that name the file and line themselves).
    pub fn reason(&self) -> String {
        match self {
            TraceError::Open { reason, .. } => format!("cannot open: {reason}"),
            TraceError::Io { source, .. } => format!("cannot read: {source}"),
            TraceError::Header { message, .. } => format!("bad CSV header: {message}"),
            TraceError::Line { problem, .. } => problem.to_string(),
        }
    }
}

/// A path in a message: quoted, with control characters escaped.
pub(super) fn shown(path: &Path) -> String {
    quote(&path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_quote_values_and_paths() {
        let e = TraceError::Line {
            path: PathBuf::from("dir/a\nb.csv"),
            line: 7,
            problem: BadLine::NotANumber {
                what: "runSeconds".into(),
                text: "1\u{1b}[2J".into(),
            },
        };
        assert_eq!(
            e.to_string(),
            "trace `dir/a\\nb.csv` line 7: runSeconds: `1\\u{1b}[2J` is not a number"
        );
        assert!(!e.is_fatal());
        assert_eq!(e.line(), Some(7));
        assert_eq!(e.reason(), "runSeconds: `1\\u{1b}[2J` is not a number");
        let e = TraceError::Open {
            path: PathBuf::from("/dev/null"),
            reason: OpenError::NotRegularFile,
        };
        assert_eq!(e.to_string(), "cannot open trace `/dev/null`: not a regular file");
        assert!(e.is_fatal());
        assert_eq!(e.line(), None);
        let mixed = BadLine::MixedTimes {
            text: "5".into(),
            found: "seconds from the log start",
            expected: "epoch seconds",
            first_line: 2,
        };
        assert_eq!(
            mixed.to_string(),
            "submitSeconds: `5` reads as seconds from the log start, but the first submission (line 2) is epoch seconds; a file uses one kind of time"
        );
    }
}
