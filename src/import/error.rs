//! Why an input could not be imported.

use crate::error::Problem;
use std::path::PathBuf;

/// Why an input could not be imported: every variant names the file, and where it can, the
/// path inside it and the reason.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// The file could not be read.
    #[error("{}: cannot read the file: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A directory given as an input holds no file to read.
    #[error("{}: the directory holds no input file (its files are read in name order; names starting with `.` are skipped)", path.display())]
    EmptyDirectory {
        /// The directory.
        path: PathBuf,
    },
    /// The file is not well-formed JSON, YAML or HCL.
    #[error("{file}:{line}:{column}: malformed {format}: {message}")]
    Syntax {
        /// The file.
        file: String,
        /// `JSON`, `YAML` or `HCL`.
        format: &'static str,
        /// 1-based line (0 when the parser does not say).
        line: usize,
        /// 1-based column (0 when the parser does not say).
        column: usize,
        /// What the parser found.
        message: String,
    },
    /// The file is well-formed but cannot be imported: `problem.path` is the path inside it
    /// (`Resources.MyQueue.Properties.ComputeEnvironmentOrder[0].ComputeEnvironment`, or
    /// `(root)`), `problem.message` the reason.
    #[error("{file}: {problem}")]
    Invalid {
        /// The file.
        file: String,
        /// Where and what.
        problem: Problem,
    },
    /// Several problems in one file (each placeholder of a `--generate-cli-skeleton` body
    /// that needs a real value), one line each.
    #[error("{0}")]
    Problems(crate::error::Problems),
    /// `--infra`: an object whose name is already defined in the scenario or an earlier
    /// `--infra` file.
    #[error("{file}: {what} is already defined in {first}; {why}")]
    Duplicate {
        /// The `--infra` file that defines it again.
        file: String,
        /// What it is: ``job queue `q` ``.
        what: String,
        /// Where it is defined first: a file, and for the scenario file the JSON path.
        first: String,
        /// Why that is refused.
        why: &'static str,
    },
    /// A `--param NAME=VALUE` is not of that form.
    #[error("--param `{0}`: expected NAME=VALUE")]
    Param(String),
}

impl ImportError {
    /// An [`ImportError::Invalid`] at `path` in `file`.
    pub fn invalid(file: &str, path: impl Into<String>, message: impl Into<String>) -> ImportError {
        let path = path.into();
        ImportError::Invalid {
            file: file.to_owned(),
            problem: Problem {
                path: if path.is_empty() { "(root)".to_owned() } else { path },
                message: message.into(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_file_the_path_and_the_reason() {
        let e = ImportError::invalid("t.yaml", "Resources.Q.Properties.Priority", "unresolvable `Ref` to `X`");
        assert_eq!(
            e.to_string(),
            "t.yaml: Resources.Q.Properties.Priority: unresolvable `Ref` to `X`"
        );
        assert_eq!(
            ImportError::invalid("a.json", "", "empty").to_string(),
            "a.json: (root): empty"
        );
        assert_eq!(
            ImportError::Param("x".into()).to_string(),
            "--param `x`: expected NAME=VALUE"
        );
    }
}
