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
    /// Dollars attributed to the group's attempts (Fargate: the task's bill; EC2/SPOT: the
    /// instance's price times the attempt's share of its vCPUs while the attempt held it).
    pub cost: f64,
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
    /// Dollars of `cost` attributed to attempts (the rest is idle capacity).
    pub attributed_cost: f64,
    /// Spot reclaims (tasks or instances).
    pub interruptions: u64,
    /// EC2/SPOT instances launched (standing capacity included).
    pub instances_launched: u64,
    /// vCPU x ms of `maxvCpus` integrated up to `max_since`.
    pub max_vcpu_ms: u128,
    /// When `maxvCpus` last changed.
    pub max_since: SimTime,
    /// SPOT with a price history: what its history-priced instances were billed.
    pub spot_paid: Option<SpotPaid>,
}

/// The instances of a compute environment priced by a Spot price history, as billed.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SpotPaid {
    /// Dollars paid (the price in force each second, capped at the bid).
    pub dollars: f64,
    /// Instance-hours billed.
    pub hours: f64,
    /// Dollars the same hours would have cost at On-Demand prices.
    pub on_demand: f64,
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
    /// Per queue, by queue index: the shares of that queue's jobs (fair-share queues).
    pub queue_shares: Vec<QueueShares>,
}

impl Metrics {
    /// The counters of share `share_ix` (the run's share number) on queue `queue`, made on
    /// first use; `None` for no share (`u32::MAX`) or an unknown queue.
    pub fn queue_share(&mut self, queue: usize, share_ix: u32) -> Option<&mut ShareMetrics> {
        if share_ix == u32::MAX {
            return None;
        }
        self.queue_shares.get_mut(queue)?.get_or_insert(share_ix)
    }
}

/// The shares seen on one queue: counters per share, found by the run's share number in
/// O(1) (a share identifier used on two queues has one entry on each).
#[derive(Clone, Debug, Default)]
pub struct QueueShares {
    /// Run share number -> position in `list` (`u32::MAX`: not seen on this queue).
    index: Vec<u32>,
    /// (run share number, counters), in order of first use on the queue.
    list: Vec<(u32, ShareMetrics)>,
}

impl QueueShares {
    fn get_or_insert(&mut self, share_ix: u32) -> Option<&mut ShareMetrics> {
        let ix = share_ix as usize;
        if ix >= self.index.len() {
            self.index.resize(ix + 1, u32::MAX);
        }
        if self.index[ix] == u32::MAX {
            self.index[ix] = self.list.len() as u32;
            self.list.push((share_ix, ShareMetrics::default()));
        }
        let at = self.index[ix] as usize;
        self.list.get_mut(at).map(|(_, m)| m)
    }

    /// The shares seen, as (run share number, counters), in order of first use.
    pub fn iter(&self) -> impl Iterator<Item = &(u32, ShareMetrics)> {
        self.list.iter()
    }
}
