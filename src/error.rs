//! Errors: every problem with user input is a typed value that names the file, the JSON path
//! and the reason.

use std::fmt;
use std::path::PathBuf;

/// One problem found in a scenario: where (JSON path) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// JSON path, e.g. `jobQueues[1].computeEnvironmentOrder[0].computeEnvironment`.
    pub path: String,
    /// What is wrong, with a suggestion where one is close (`did you mean ...?`).
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Every problem found in one scenario file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problems {
    /// The scenario file (or the name given to an in-memory scenario).
    pub file: String,
    /// The problems, in document order.
    pub list: Vec<Problem>,
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.list.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}: {p}", self.file)?;
        }
        Ok(())
    }
}

/// Why a scenario could not be loaded or run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file could not be read.
    #[error("{}: cannot read the file: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not well-formed JSON.
    #[error("{file}:{line}:{column}: malformed JSON: {message}")]
    Json {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser found.
        message: String,
    },
    /// The JSON is well-formed but the scenario is not valid.
    #[error("{0}")]
    Invalid(Problems),
    /// A trace file named by the scenario could not be read (boxed: it is large, and rare).
    #[error("{0}")]
    Trace(Box<crate::workload::trace::TraceError>),
}

/// serde_json appends " at line L column C" to its messages; [`Error::Json`] already says
/// where.
pub(crate) fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// The JSON document in the file at `path`: [`Error::Read`] when it cannot be read,
/// [`Error::Json`] (with its line and column) when it is not JSON.
pub(crate) fn read_json(path: &std::path::Path) -> Result<serde_json::Value, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    crate::json::parse(&text, &path.display().to_string())
}

impl Error {
    /// A JSON syntax error of `file`.
    pub(crate) fn json(file: &str, e: &serde_json::Error) -> Error {
        Error::Json {
            file: file.to_owned(),
            line: e.line(),
            column: e.column(),
            message: strip_position(&e.to_string()),
        }
    }

    /// The problems of an invalid scenario (empty for other errors).
    pub fn problems(&self) -> &[Problem] {
        match self {
            Error::Invalid(p) => &p.list,
            _ => &[],
        }
    }
}
