//! Scheduler latency: how often AWS Batch's scheduler looks at the job queues and how long a
//! submitted job stays SUBMITTED (the scenario's top-level `simulation` object).
//!
//! AWS documents that the scheduler works in cycles ("the AWS Batch Scheduler periodically
//! evaluates jobs in the queue and moves them forward as appropriate ... with each scheduling
//! interval") and that a SUBMITTED job "has not yet been evaluated by the scheduler" (User
//! Guide, *Job states*), but gives no figure for either, so both default to 0: every decision
//! at the instant it becomes possible, the idealised model queueing theory checks. README's
//! "Scheduling semantics and defaults" gives the figures users report.
//!
//! The per compute environment scale-out cooldown is
//! [`crate::model::ComputeEnvironment::scale_out_cooldown`] (scaling is per compute
//! environment; these two are the one scheduler's).

use crate::time::{SimDuration, SimTime};

/// `simulation.schedulingIntervalSeconds` and `simulation.submittedToRunnableSeconds`.
///
/// ```
/// use batchsim::model::SchedulerLatency;
/// use batchsim::{SimDuration, SimTime};
///
/// let mut l = SchedulerLatency::default();
/// assert!(l.is_zero());
/// assert_eq!(l.cycle_at_or_after(SimTime::from_millis(10_000)), SimTime::from_millis(10_000));
/// l.scheduling_interval = SimDuration::from_secs(30);
/// // Cycles are aligned to time 0: a job that becomes RUNNABLE at 10 s is looked at at 30 s.
/// assert_eq!(l.cycle_at_or_after(SimTime::from_millis(10_000)), SimTime::from_millis(30_000));
/// assert_eq!(l.cycle_at_or_after(SimTime::from_millis(60_000)), SimTime::from_millis(60_000));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SchedulerLatency {
    /// `schedulingIntervalSeconds`: dispatch passes happen only at multiples of this
    /// (aligned to time 0); 0 (the default): whenever something changed.
    pub scheduling_interval: SimDuration,
    /// `submittedToRunnableSeconds`: how long a new job stays SUBMITTED before the scheduler
    /// evaluates its dependencies (then PENDING, or RUNNABLE); 0 (the default): at once.
    pub submitted_to_runnable: SimDuration,
}

impl SchedulerLatency {
    /// Both settings 0: the engine behaves exactly as without them.
    pub fn is_zero(&self) -> bool {
        self.scheduling_interval.is_zero() && self.submitted_to_runnable.is_zero()
    }

    /// The first scheduling cycle at or after `t` (`t` itself when the interval is 0 or `t`
    /// is a multiple of it); saturates at the end of time.
    pub fn cycle_at_or_after(&self, t: SimTime) -> SimTime {
        let i = self.scheduling_interval.as_millis();
        if i == 0 {
            return t;
        }
        let ms = t.as_millis();
        match ms % i {
            0 => t,
            r => SimTime::from_millis(ms.saturating_add(i - r)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every(secs: u64) -> SchedulerLatency {
        SchedulerLatency {
            scheduling_interval: SimDuration::from_secs(secs),
            ..SchedulerLatency::default()
        }
    }

    #[test]
    fn cycles_are_multiples_of_the_interval_from_time_zero() {
        let l = every(30);
        let at = |ms| l.cycle_at_or_after(SimTime::from_millis(ms)).as_millis();
        assert_eq!(at(0), 0);
        assert_eq!(at(1), 30_000);
        assert_eq!(at(29_999), 30_000);
        assert_eq!(at(30_000), 30_000);
        assert_eq!(at(30_001), 60_000);
        assert!(!l.is_zero());
    }

    #[test]
    fn no_interval_means_now_and_the_end_of_time_saturates() {
        let l = SchedulerLatency::default();
        assert_eq!(l.cycle_at_or_after(SimTime::from_millis(12_345)).as_millis(), 12_345);
        let l = every(7);
        assert_eq!(
            l.cycle_at_or_after(SimTime::from_millis(u64::MAX - 1)).as_millis(),
            u64::MAX
        );
    }
}
