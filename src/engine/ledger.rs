//! The ledger: what a run writes down as it goes (counters, waits, billing, warnings, the
//! per-job and per-attempt tables), and nothing else.
//!
//! The rules (`attempt.rs`, `submit.rs`, ...) tell the ledger what happened in the words
//! of the run (a job of queue q and share s waited w ms; an attempt held v milli-vCPUs for
//! t ms and cost c); the ledger decides which counters that touches. The report reads the
//! ledger's [`Metrics`] at the end and never the engine's other parts.

use super::attempt::Ending;
use super::recorder::Recorder;
use crate::model::{CeId, QueueId};
use crate::report::metrics::{Counts, Metrics};
use crate::time::SimTime;
use std::sync::Arc;

/// Where attempt rows go ([`super::Simulation::set_attempt_sink`]).
pub(crate) type AttemptSink = Box<dyn FnMut(crate::report::AttemptRecord) + Send>;

/// What one attempt used of its compute environment, for [`Ledger::attempt_used`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct AttemptUse {
    /// Where it ran.
    pub ce: CeId,
    /// Its job's queue.
    pub queue: QueueId,
    /// Its job's share number (`u32::MAX`: none).
    pub share_ix: u32,
    /// milli-vCPUs it held.
    pub millivcpus: u64,
    /// RUNNING milliseconds (0 when it never reached RUNNING).
    pub running_ms: u64,
    /// A task (Fargate, Lambda), not a share of instances: the compute environment's
    /// capacity is the task itself (its RUNNING time is provisioned capacity), and its bill
    /// is the compute environment's cost.
    pub task_billed: bool,
    /// Dollars attributed to the attempt.
    pub cost: f64,
}

/// Counters, statistics, billing and the tables of one run.
#[derive(Clone, Default)]
pub(crate) struct Ledger {
    /// The counters the report is built from.
    pub metrics: Metrics,
    /// The per-job table, when asked for.
    pub recorder: Option<Recorder>,
    /// Where attempt rows go, when an attempt table is written.
    pub attempt_sink: super::api::NotCloned<Option<AttemptSink>>,
    /// Warnings for the report.
    pub warnings: Vec<String>,
    /// Workload submissions AWS would have refused.
    pub rejected: u64,
    /// EASY backfilling: heads that started after their reserved time.
    pub reservation_misses: u64,
}

impl Ledger {
    /// An empty ledger for `ces` compute environments and `queues` queues.
    pub fn new(ces: usize, queues: usize, record_jobs: bool) -> Ledger {
        let metrics = Metrics {
            ces: vec![Default::default(); ces],
            queues: vec![Default::default(); queues],
            queue_shares: vec![Default::default(); queues],
            ..Metrics::default()
        };
        Ledger {
            metrics,
            recorder: record_jobs.then(Recorder::default),
            ..Ledger::default()
        }
    }

    /// A new share identifier was seen: its counters, numbered `ix`.
    pub fn share_added(&mut self, ix: u32, name: Arc<str>) {
        debug_assert_eq!(ix as usize, self.metrics.share_names.len(), "shares numbered in order");
        self.metrics.share_names.push(name);
        self.metrics.shares.push(Default::default());
    }

    /// The share identifiers seen so far (by share number).
    pub fn share_count(&self) -> u32 {
        self.metrics.share_names.len() as u32
    }

    /// A job of `queue` and share `share_ix` was submitted.
    pub fn submitted(&mut self, queue: QueueId, share_ix: u32) {
        let m = &mut self.metrics;
        m.all.submitted += 1;
        m.queues[queue.index()].submitted += 1;
        if share_ix != u32::MAX {
            m.shares[share_ix as usize].counts.submitted += 1;
            if let Some(qs) = m.queue_share(queue.index(), share_ix) {
                qs.counts.submitted += 1;
            }
        }
    }

    /// A job was first dispatched after waiting `wait_ms` since it first became RUNNABLE.
    pub fn waited(&mut self, queue: QueueId, share_ix: u32, wait_ms: u64) {
        let m = &mut self.metrics;
        m.all.wait.record(wait_ms);
        // With one queue its waits are the run's: the report copies them.
        if m.queues.len() > 1 {
            m.queues[queue.index()].wait.record(wait_ms);
        }
        if share_ix == u32::MAX {
            return;
        }
        if let Some(s) = m.shares.get_mut(share_ix as usize) {
            s.counts.wait.record(wait_ms);
        }
        if let Some(s) = m.queue_share(queue.index(), share_ix) {
            s.counts.wait.record(wait_ms);
        }
    }

    /// An attempt was dispatched on `ce`.
    pub fn started(&mut self, ce: CeId) {
        self.metrics.ces[ce.index()].jobs_started += 1;
    }

    /// A task or instance of `ce` was reclaimed by Spot.
    pub fn interrupted(&mut self, ce: CeId) {
        self.metrics.ces[ce.index()].interruptions += 1;
    }

    /// An EC2/SPOT instance of `ce` was launched.
    pub fn launched(&mut self, ce: CeId) {
        self.metrics.ces[ce.index()].instances_launched += 1;
    }

    /// Instances of `ce` were billed: `millivcpu_ms` of provisioned capacity for `cost`
    /// dollars (an instance terminated, or the ones still up at the end of the run).
    pub fn instances_billed(&mut self, ce: CeId, millivcpu_ms: u128, cost: f64) {
        let m = &mut self.metrics.ces[ce.index()];
        m.provisioned_millivcpu_ms += millivcpu_ms;
        m.cost += cost;
    }

    /// Instances of `ce` priced by its Spot price history were billed `paid` (part of what
    /// [`Ledger::instances_billed`] counted).
    pub fn spot_billed(&mut self, ce: CeId, paid: crate::report::metrics::SpotPaid) {
        let s = self.metrics.ces[ce.index()]
            .spot_paid
            .get_or_insert_with(Default::default);
        s.dollars += paid.dollars;
        s.hours += paid.hours;
        s.on_demand += paid.on_demand;
    }

    /// `maxvCpus` of `ce` is integrated from `since` on.
    pub fn max_vcpus_from(&mut self, ce: CeId, since: SimTime) {
        self.metrics.ces[ce.index()].max_since = since;
    }

    /// `maxvCpus` of `ce` was `max_vcpus` from the last integration up to `now`.
    pub fn max_vcpus_until(&mut self, ce: CeId, max_vcpus: u32, now: SimTime) {
        let m = &mut self.metrics.ces[ce.index()];
        let span = u128::from(now.since(m.max_since).as_millis());
        m.max_vcpu_ms += span * u128::from(max_vcpus);
        m.max_since = now;
    }

    /// What an attempt used, up to its end (or the end of the run).
    pub fn attempt_used(&mut self, u: AttemptUse) {
        let run = u128::from(u.millivcpus) * u128::from(u.running_ms);
        let m = &mut self.metrics;
        let c = &mut m.ces[u.ce.index()];
        c.used_millivcpu_ms += run;
        if u.task_billed {
            c.provisioned_millivcpu_ms += run;
            c.cost += u.cost;
        }
        c.attributed_cost += u.cost;
        m.queues[u.queue.index()].cost += u.cost;
        if u.share_ix == u32::MAX {
            return;
        }
        if let Some(s) = m.shares.get_mut(u.share_ix as usize) {
            s.millivcpu_ms += run;
            s.counts.cost += u.cost;
        }
        if let Some(s) = m.queue_share(u.queue.index(), u.share_ix) {
            s.millivcpu_ms += run;
            s.counts.cost += u.cost;
        }
    }

    /// A job of `queue` and share `share_ix` ended `turnaround_ms` after its submission.
    pub fn ended(&mut self, queue: QueueId, share_ix: u32, turnaround_ms: u64, ending: Ending) {
        let bump = |c: &mut Counts| match ending {
            Ending::Succeeded => c.succeeded += 1,
            Ending::Failed => c.failed += 1,
            Ending::Cancelled => c.cancelled += 1,
        };
        let m = &mut self.metrics;
        bump(&mut m.all);
        bump(&mut m.queues[queue.index()]);
        m.turnaround.record(turnaround_ms);
        if share_ix == u32::MAX {
            return;
        }
        if let Some(s) = m.shares.get_mut(share_ix as usize) {
            bump(&mut s.counts);
        }
        if let Some(s) = m.queue_share(queue.index(), share_ix) {
            bump(&mut s.counts);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ledger() -> Ledger {
        let mut l = Ledger::new(2, 2, false);
        l.share_added(0, "a".into());
        l.share_added(1, "b".into());
        l
    }

    #[test]
    fn a_job_counts_in_the_run_its_queue_and_its_share_on_that_queue() {
        let mut l = ledger();
        l.submitted(QueueId(1), 0);
        l.submitted(QueueId(0), u32::MAX);
        l.waited(QueueId(1), 0, 5_000);
        l.ended(QueueId(1), 0, 9_000, Ending::Succeeded);
        let m = &l.metrics;
        assert_eq!((m.all.submitted, m.all.succeeded), (2, 1));
        assert_eq!((m.queues[0].submitted, m.queues[1].submitted), (1, 1));
        assert_eq!(m.queues[1].wait.count(), 1, "two queues: each keeps its waits");
        assert_eq!(m.shares[0].counts.submitted, 1);
        assert_eq!(m.shares[1].counts.submitted, 0);
        let on_q1: Vec<u32> = m.queue_shares[1].iter().map(|(ix, _)| *ix).collect();
        assert_eq!(on_q1, vec![0]);
        assert!(m.queue_shares[0].iter().next().is_none(), "no share on the FIFO queue");
        assert_eq!(m.turnaround.count(), 1);
    }

    #[test]
    fn fargate_bills_the_task_ec2_only_attributes() {
        let mut l = ledger();
        let fargate = AttemptUse {
            ce: CeId(0),
            queue: QueueId(0),
            share_ix: 1,
            millivcpus: 2_000,
            running_ms: 60_000,
            task_billed: true,
            cost: 0.5,
        };
        l.attempt_used(fargate);
        l.attempt_used(AttemptUse {
            ce: CeId(1),
            task_billed: false,
            ..fargate
        });
        let m = &l.metrics;
        assert_eq!(m.ces[0].used_millivcpu_ms, 120_000_000);
        assert_eq!(m.ces[0].provisioned_millivcpu_ms, 120_000_000);
        assert_eq!(m.ces[0].cost, 0.5);
        assert_eq!(
            m.ces[1].provisioned_millivcpu_ms, 0,
            "an instance's time is billed by the pool"
        );
        assert_eq!(m.ces[1].cost, 0.0);
        assert_eq!(m.ces[1].attributed_cost, 0.5);
        assert_eq!(m.queues[0].cost, 1.0);
        assert_eq!(m.shares[1].millivcpu_ms, 240_000_000);
        assert_eq!(m.shares[1].counts.cost, 1.0);
    }

    #[test]
    fn instances_and_max_vcpus_count_per_compute_environment() {
        let mut l = ledger();
        l.launched(CeId(1));
        l.instances_billed(CeId(1), 4_000 * 60_000, 0.25);
        l.max_vcpus_from(CeId(1), SimTime::ZERO);
        l.max_vcpus_until(CeId(1), 16, SimTime::from_millis(10_000));
        l.max_vcpus_until(CeId(1), 32, SimTime::from_millis(15_000));
        let c = &l.metrics.ces[1];
        assert_eq!((c.instances_launched, c.cost), (1, 0.25));
        assert_eq!(c.provisioned_millivcpu_ms, 240_000_000);
        assert_eq!(c.max_vcpu_ms, 16 * 10_000 + 32 * 5_000);
        assert_eq!(l.metrics.ces[0].instances_launched, 0);
    }
}
