//! Job identity and states.

use std::fmt;

/// A job's id: the 1-based submission number, plus the child index for array children
/// (`17`, `17:3`), as CONTRACT section 7 fixes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JobId {
    /// Submission number, from 1.
    pub submission: u64,
    /// Child index of an array job, from 0.
    pub array_index: Option<u32>,
}

impl JobId {
    /// A plain (non-array) job's id.
    pub fn new(submission: u64) -> JobId {
        JobId {
            submission,
            array_index: None,
        }
    }

    /// Child `index` of array job `submission`.
    pub fn child(submission: u64, index: u32) -> JobId {
        JobId {
            submission,
            array_index: Some(index),
        }
    }
}

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.array_index {
            Some(i) => write!(f, "{}:{}", self.submission, i),
            None => write!(f, "{}", self.submission),
        }
    }
}

/// The AWS Batch job states.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum JobStatus {
    /// Accepted, not yet evaluated.
    Submitted,
    /// Waiting for dependencies.
    Pending,
    /// Waiting for capacity.
    Runnable,
    /// Placed; container starting.
    Starting,
    /// Running.
    Running,
    /// Ended with exit code 0.
    Succeeded,
    /// Ended otherwise (failed, timed out, cancelled, terminated, dependency failed).
    Failed,
}

impl JobStatus {
    /// True for SUCCEEDED and FAILED.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed)
    }

    /// The AWS spelling (`RUNNABLE`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "SUBMITTED",
            Self::Pending => "PENDING",
            Self::Runnable => "RUNNABLE",
            Self::Starting => "STARTING",
            Self::Running => "RUNNING",
            Self::Succeeded => "SUCCEEDED",
            Self::Failed => "FAILED",
        }
    }
}

impl fmt::Display for JobStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_print_like_aws_array_children() {
        assert_eq!(JobId::new(17).to_string(), "17");
        assert_eq!(JobId::child(17, 3).to_string(), "17:3");
        assert!(JobId::child(3, 9) < JobId::new(4));
        assert!(JobId::new(3) < JobId::child(3, 0));
    }
}
