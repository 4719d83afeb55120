//! Recorded attempts: a job from a history (`batchsim import` of describe-jobs output or
//! EventBridge events) replays each attempt as it happened.
//!
//! A submission's `runtime.attempts` lists its recorded attempts in order. The k-th attempt
//! the simulation runs to its own end replays the k-th recorded one: it runs for that
//! attempt's `seconds` once RUNNING and ends with its `exitCode` and `statusReason`; the
//! job's `retryStrategy` (`evaluateOnExit` included) then decides, as AWS does, whether
//! another attempt follows. AWS (API reference, `EvaluateOnExit`): "If none of the
//! EvaluateOnExit conditions in a RetryStrategy match, then the job is retried."
//!
//! What the simulation interrupts itself (a Spot reclaim or a timeout that did not happen in
//! the recording, a TerminateJob action) ends that attempt the simulation's way, and the
//! next attempt replays the same recorded attempt again: the recording says what the job's
//! code does, the simulation says what the environment does to it. The interrupted attempt
//! still counts against `retryStrategy.attempts`, as it does on AWS, so such a job may run
//! out of attempts before it reaches its recorded last one. Past the last recorded attempt
//! (a what-if that allows more attempts), the last recorded attempt is replayed again.
//!
//! ```
//! use batchsim::workload::RecordedAttempt;
//! use batchsim::SimDuration;
//!
//! let a = RecordedAttempt::exited(SimDuration::from_secs(30), 1);
//! assert_eq!(a.exit_code, Some(1));
//! assert_eq!(RecordedAttempt::pick(&[a.clone()], 5), Some(&a), "past the end: the last");
//! assert_eq!(RecordedAttempt::pick(&[], 0), None);
//! ```

use crate::time::SimDuration;
use std::sync::Arc;

/// One attempt as a job history recorded it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedAttempt {
    /// `stoppedAt - startedAt`: how long it was RUNNING.
    pub runtime: SimDuration,
    /// `container.exitCode`; `None` when the attempt ended without its container exiting
    /// (a host terminated under it, a Spot reclaim).
    pub exit_code: Option<i32>,
    /// `statusReason`; `None` is the ordinary container exit
    /// ("Essential container in task exited").
    pub status_reason: Option<Arc<str>>,
}

impl RecordedAttempt {
    /// An attempt whose container exited with `code` after `runtime`.
    pub fn exited(runtime: SimDuration, code: i32) -> RecordedAttempt {
        RecordedAttempt {
            runtime,
            exit_code: Some(code),
            status_reason: None,
        }
    }

    /// The recorded attempt that attempt number `replayed` (0-based, counting the attempts
    /// replayed to their recorded end before it) replays: that one, or past the end the
    /// last one; `None` for an empty list.
    pub fn pick(recorded: &[RecordedAttempt], replayed: usize) -> Option<&RecordedAttempt> {
        recorded.get(replayed).or_else(|| recorded.last())
    }

    /// Whether the attempt succeeded: its container exited with 0.
    pub fn succeeded(&self) -> bool {
        self.exit_code == Some(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_are_picked_in_order_and_the_last_repeats() {
        let list = [
            RecordedAttempt::exited(SimDuration::from_secs(10), 1),
            RecordedAttempt::exited(SimDuration::from_secs(20), 1),
            RecordedAttempt::exited(SimDuration::from_secs(30), 0),
        ];
        let runs: Vec<u64> = (0..5)
            .map(|k| RecordedAttempt::pick(&list, k).unwrap().runtime.as_millis())
            .collect();
        assert_eq!(runs, [10_000, 20_000, 30_000, 30_000, 30_000]);
        assert!(!list[0].succeeded() && list[2].succeeded());
        let reclaimed = RecordedAttempt {
            runtime: SimDuration::from_secs(5),
            exit_code: None,
            status_reason: Some(Arc::from("Host EC2 (instance i-0) terminated.")),
        };
        assert!(!reclaimed.succeeded());
    }
}
