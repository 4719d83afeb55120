//! Counters the engine updates as it goes; turned into a [`super::Report`] at the end.

use super::stats::StatsAccumulator;
use crate::time::SimTime;

/// Job counts of one group (the run, a queue, a share).
#[derive(Clone, Debug, Default)]
pub struct Counts {
    /// Jobs submitted (array children count, parents do not).
    pub submitted: u64,
    /// Jobs that ended SUCCEEDED.
    pub succeeded: u64,
    /// Jobs that ended FAILED (not cancelled).
    pub failed: u64,
    /// Jobs cancelled (or terminated) before they ran.
    pub cancelled: u64,
    /// Wait samples: first dispatch minus first RUNNABLE.
    pub wait: StatsAccumulator,
}

/// Per-share counters.
#[derive(Clone, Debug, Default)]
pub struct ShareMetrics {
    /// Counts and waits.
    pub counts: Counts,
    /// vCPU-milliseconds x 1000 of RUNNING time.
    pub millivcpu_ms: u128,
}

/// Per-compute-environment counters.
#[derive(Clone, Debug, Default)]
pub struct CeMetrics {
    /// Attempts dispatched.
    pub jobs_started: u64,
    /// milli-vCPU x ms of RUNNING time.
    pub used_millivcpu_ms: u128,
    /// milli-vCPU x ms of provisioned capacity (EC2: instance lifetime).
    pub provisioned_millivcpu_ms: u128,
    /// Dollars.
    pub cost: f64,
    /// Spot reclaims (tasks or instances).
    pub interruptions: u64,
    /// EC2/SPOT instances launched (standing capacity included).
    pub instances_launched: u64,
    /// vCPU x ms of `maxvCpus` integrated up to `max_since`.
    pub max_vcpu_ms: u128,
    /// When `maxvCpus` last changed.
    pub max_since: SimTime,
}

/// All counters of a run.
#[derive(Clone, Debug, Default)]
pub struct Metrics {
    /// The whole run.
    pub all: Counts,
    /// Terminal time minus submission, every terminal job.
    pub turnaround: StatsAccumulator,
    /// Per queue, by queue index.
    pub queues: Vec<Counts>,
    /// Per share, by the engine's share number (see `share_names`).
    pub shares: Vec<ShareMetrics>,
    /// The share identifiers, by share number.
    pub share_names: Vec<std::sync::Arc<str>>,
    /// Per compute environment, by index.
    pub ces: Vec<CeMetrics>,
}
