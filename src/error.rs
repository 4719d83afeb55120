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

impl Error {
    /// The problems of an invalid scenario (empty for other errors).
    pub fn problems(&self) -> &[Problem] {
        match self {
            Error::Invalid(p) => &p.list,
            _ => &[],
        }
    }
}
