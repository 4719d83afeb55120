//! What a run produces: the report (CONTRACT section 4), the per-job table (section 5) and a
//! readable text summary.

pub mod attempts;
#[cfg(feature = "columnar")]
pub mod columnar;
pub mod consumable;
pub mod csv;
mod csv_memo;
mod csv_row;
// The command line's outputs (`--describe-jobs`, `--plot`, `--html`).
#[cfg(feature = "cli")]
pub(crate) mod describe_jobs;
#[cfg(feature = "cli")]
pub(crate) mod html;
pub(crate) mod metrics;
#[cfg(feature = "cli")]
pub(crate) mod plot;
#[cfg(feature = "cli")]
mod plot_history;
#[cfg(feature = "cli")]
mod plot_panels;
#[cfg(feature = "cli")]
mod sampler;
pub(crate) mod stats;
#[cfg(feature = "cli")]
mod svg;
pub mod text;

pub use self::csv::JobColumnSet;
pub use attempts::AttemptRecord;
pub use consumable::ConsumableReport;
pub(crate) use stats::StatsAccumulator;
pub use stats::{Stats, WaitStats};

use crate::model::{JobId, JobStatus, QueueId, Resources};
use crate::time::{SimDuration, SimTime};
use metrics::Metrics;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Job counts of the run (array children count, parents do not):
/// `submitted = succeeded + failed + cancelled + unfinished` and
/// `unfinished = queued + running`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct JobCounts {
    /// Jobs submitted.
    pub submitted: u64,
    /// Ended SUCCEEDED.
    pub succeeded: u64,
    /// Ended FAILED (including dependents of failed jobs and terminated running jobs).
    pub failed: u64,
    /// Cancelled (or terminated) before they ran.
    pub cancelled: u64,
    /// Not terminal when the run stopped (`queued + running`).
    pub unfinished: u64,
    /// Of the unfinished: SUBMITTED, PENDING or RUNNABLE when the run stopped (waiting for
    /// their dependencies or for capacity, including retries waiting to run again). An
    /// addition to the contract's keys.
    pub queued: u64,
    /// Of the unfinished: STARTING or RUNNING when the run stopped. An addition to the
    /// contract's keys.
    pub running: u64,
}

/// One job queue's figures.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueReport {
    /// Jobs submitted to the queue.
    pub submitted: u64,
    /// Ended SUCCEEDED.
    pub succeeded: u64,
    /// Ended FAILED.
    pub failed: u64,
    /// Cancelled.
    pub cancelled: u64,
    /// Not terminal at the end (`queued + running`).
    pub unfinished: u64,
    /// Of the unfinished: SUBMITTED, PENDING or RUNNABLE at the end (an addition).
    pub queued: u64,
    /// Of the unfinished: STARTING or RUNNING at the end (an addition).
    pub running: u64,
    /// Waits of the queue's jobs, and its jobs never dispatched.
    pub wait_seconds: WaitStats,
    /// Dollars of the queue's attempts (see [`CostReport`]). An addition to the contract's
    /// keys.
    pub cost: f64,
    /// Fair-share queues: each share identifier's figures on this queue, with the target
    /// from this queue's scheduling policy (absent for FIFO queues). An addition to the
    /// contract's keys.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub shares: BTreeMap<String, QueueShareReport>,
}

/// One share's figures over the whole run (fair-share queues; a share identifier used on
/// several queues is summed over them: [`QueueReport::shares`] has it per queue).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ShareReport {
    /// Jobs submitted with this `shareIdentifier`.
    pub submitted: u64,
    /// Ended SUCCEEDED.
    pub succeeded: u64,
    /// vCPU-seconds of RUNNING time.
    pub vcpu_seconds: f64,
    /// Waits of the share's jobs, and its jobs never dispatched.
    pub wait_seconds: WaitStats,
    /// Dollars of the share's attempts (see [`CostReport`]). An addition to the contract's
    /// keys.
    pub cost: f64,
}

/// One share's figures on one fair-share queue.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueShareReport {
    /// Jobs submitted to this queue with this `shareIdentifier`.
    pub submitted: u64,
    /// Ended SUCCEEDED.
    pub succeeded: u64,
    /// vCPU-seconds of RUNNING time.
    pub vcpu_seconds: f64,
    /// The share's fraction of the queue's RUNNING vCPU-seconds (0 when none ran).
    pub used_fraction: f64,
    /// `weightFactor` of the share in this queue's scheduling policy (1 when not listed).
    pub weight_factor: f64,
    /// The fraction of capacity the weights entitle the share to, among the queue's shares
    /// in this report: `(1/w) / sum(1/w)` (AWS: "A lower weight factor ... gets more
    /// resources"; at saturation shares split capacity in inverse proportion to their
    /// weights, CONTRACT 6).
    pub target_fraction: f64,
    /// Waits of the share's jobs on this queue, and its jobs never dispatched.
    pub wait_seconds: WaitStats,
    /// Dollars of the share's attempts on this queue.
    pub cost: f64,
}

/// One compute environment's figures.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CeReport {
    /// Attempts dispatched to it.
    pub jobs_started: u64,
    /// `maxvCpus` at the end.
    #[serde(rename = "maxvCpus")]
    pub max_vcpus: u32,
    /// Sum over attempts of vCPUs x RUNNING seconds.
    pub vcpu_seconds_used: f64,
    /// Fargate: = used; EC2/SPOT: instance vCPUs x lifetime.
    pub vcpu_seconds_provisioned: f64,
    /// used / provisioned (0 when nothing was provisioned).
    pub utilization: f64,
    /// used / (`maxvCpus` integrated over the run).
    pub utilization_of_max: f64,
    /// Spot reclaims.
    pub interruptions: u64,
    /// Dollars.
    pub cost: f64,
    /// Dollars of `cost` no attempt was attributed (EC2/SPOT instance time beyond the
    /// attempts' share of it: launching, idle, unused vCPUs; 0 on Fargate, where each task is
    /// billed to its job). An addition to the contract's keys.
    pub idle_cost: f64,
    /// EC2/SPOT: instances launched over the run (0 for Fargate). An addition to the
    /// contract's keys.
    pub instances_launched: u64,
    /// SPOT with `simulation.spotPriceHistory`: the mean Spot price paid, dollars per
    /// instance-hour billed, over the instances of the types the history prices (absent
    /// otherwise). An addition to the contract's keys.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spot_price_paid_mean: Option<f64>,
    /// SPOT with `simulation.spotPriceHistory`: what those instances cost as a fraction of
    /// the same hours at On-Demand prices (absent otherwise). An addition to the contract's
    /// keys.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spot_paid_of_on_demand: Option<f64>,
}

/// Total cost, and how it divides.
///
/// Each attempt's cost goes to its queue and share: on Fargate the task's bill (from
/// dispatch to the end, one-minute minimum); on EC2 and SPOT each instance's price for the
/// time the attempt held it (dispatch to end) times the attempt's share of the instance's
/// vCPUs. What instances cost beyond that is each compute environment's `idleCost`, so
/// `total` = the queues' `cost` summed + `idle` (up to floating-point rounding).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CostReport {
    /// Dollars over every compute environment.
    pub total: f64,
    /// Dollars not attributed to any attempt (the compute environments' `idleCost`
    /// summed). An addition to the contract's keys.
    pub idle: f64,
}

/// The report of a run (CONTRACT section 4); `serde_json` of it is `--format json`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// Scenario name.
    pub scenario: String,
    /// Seed used.
    pub seed: u64,
    /// Simulated time at which the run stopped.
    pub end_seconds: f64,
    /// Events processed (submissions, actions and the engine's own events).
    pub events: u64,
    /// Job counts.
    pub jobs: JobCounts,
    /// First dispatch minus the time the job became RUNNABLE, and the jobs never dispatched.
    pub wait_seconds: WaitStats,
    /// Terminal time minus submission, every terminal job.
    pub turnaround_seconds: Stats,
    /// Per job queue.
    pub queues: BTreeMap<String, QueueReport>,
    /// Per share identifier.
    pub shares: BTreeMap<String, ShareReport>,
    /// Per compute environment.
    pub compute_environments: BTreeMap<String, CeReport>,
    /// Total cost.
    pub cost: CostReport,
    /// Things the user should know (refused submissions, skipped trace lines, ...).
    pub warnings: Vec<String>,
    /// Per consumable resource (present only when the scenario declares some). An addition
    /// to the contract's keys.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub consumable_resources: BTreeMap<String, ConsumableReport>,
}

impl Report {
    /// The report as pretty JSON (what `--format json` prints).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }
}

/// One row of the per-job table (CONTRACT section 5).
///
/// The texts are shared (`Arc`): a row is made for every job that ends while a table is
/// kept, and its names are those of the job's template, queue and compute environment, so a
/// row costs reference counts, not copies of its strings.
#[derive(Clone, Debug, PartialEq)]
pub struct JobRecord {
    /// `17` or `17:3`.
    pub job_id: JobId,
    /// `jobName`.
    pub job_name: Arc<str>,
    /// Job queue name.
    pub job_queue: Arc<str>,
    /// `shareIdentifier` (empty on FIFO queues).
    pub share_identifier: Arc<str>,
    /// `name:revision`.
    pub job_definition: Arc<str>,
    /// Compute environment of the last attempt.
    pub compute_environment: Option<Arc<str>>,
    /// Final (or current) state.
    pub status: JobStatus,
    /// `statusReason`.
    pub status_reason: Option<Cow<'static, str>>,
    /// Attempts that reached RUNNING (AWS: "placed into the RUNNING state that's considered an
    /// attempt").
    pub attempts: u32,
    /// vCPU / memory / GPU.
    pub resources: Resources,
    /// Submission time.
    pub submitted_at: SimTime,
    /// First time RUNNABLE.
    pub runnable_at: Option<SimTime>,
    /// Last attempt's RUNNING time.
    pub started_at: Option<SimTime>,
    /// Terminal time.
    pub stopped_at: Option<SimTime>,
    /// First dispatch minus first RUNNABLE.
    pub wait: Option<SimDuration>,
    /// First dispatch (STARTING), so `wait = dispatched_at - runnable_at`. Not a contract
    /// column: the `dispatchedAt` of [`JobColumnSet::Analysis`].
    pub dispatched_at: Option<SimTime>,
    /// The container's exit code in the last attempt, when that attempt has ended with one
    /// (none for a reclaim, a timeout, a termination, or an attempt still live). Not a
    /// contract column: the `exitCode` of [`JobColumnSet::Analysis`].
    pub exit_code: Option<i32>,
    /// Dollars attributed to the job: its attempts' costs ([`AttemptRecord::cost`]) summed in
    /// the order they ended (see [`CostReport`]). Not a contract column: the `cost` of
    /// [`JobColumnSet::Analysis`].
    pub cost: f64,
    /// The container command with `Ref::` parameters substituted (library only; not a CSV
    /// column).
    pub command: Arc<[String]>,
}

/// What the engine hands over to build a report.
pub(crate) struct ReportInput<'a> {
    pub scenario: &'a str,
    pub seed: u64,
    pub end: SimTime,
    pub events: u64,
    pub metrics: &'a Metrics,
    pub queue_names: Vec<&'a str>,
    /// Per queue, the `weightFactor` of each of its shares in [`Metrics::queue_shares`]
    /// order (empty for FIFO queues).
    pub queue_share_weights: Vec<Vec<f64>>,
    pub ces: Vec<(&'a str, u32)>,
    /// The jobs not terminal at the end, read once (not collected: a backlog of a million
    /// queued jobs would be a 40 MB vector at the end of the run).
    pub live_jobs: Box<dyn Iterator<Item = LiveJob> + 'a>,
    pub warnings: &'a [String],
    pub rejected: u64,
    /// The consumable resources' figures (empty without consumable resources).
    pub consumable_resources: BTreeMap<String, ConsumableReport>,
}

/// A job not terminal when the run stopped, as the report needs it.
pub(crate) struct LiveJob {
    /// Its queue.
    pub queue: QueueId,
    /// Its share number (`u32::MAX` for none).
    pub share: u32,
    /// Its state.
    pub status: JobStatus,
    /// First RUNNABLE time of a job never dispatched (`None` once dispatched, or before it
    /// ever became RUNNABLE).
    pub waiting_since: Option<SimTime>,
}

/// The unfinished jobs of one group (the run, a queue, a share).
#[derive(Clone, Copy, Debug, Default)]
struct Unfinished {
    queued: u64,
    running: u64,
    never_started: u64,
    oldest_since: Option<SimTime>,
}

impl Unfinished {
    fn add(&mut self, j: &LiveJob) {
        match j.status {
            JobStatus::Submitted | JobStatus::Pending | JobStatus::Runnable => self.queued += 1,
            JobStatus::Starting | JobStatus::Running => self.running += 1,
            // The engine frees a job's slot when it ends: never reached.
            JobStatus::Succeeded | JobStatus::Failed => return,
        }
        if let Some(t) = j.waiting_since {
            self.never_started += 1;
            self.oldest_since = Some(self.oldest_since.map_or(t, |o| o.min(t)));
        }
    }

    fn total(&self) -> u64 {
        self.queued + self.running
    }

    fn wait(&self, stats: Stats, end: SimTime) -> WaitStats {
        WaitStats {
            stats,
            never_started: self.never_started,
            oldest_wait_seconds: self.oldest_since.map(|t| end.since(t).as_secs_f64()),
        }
    }
}

/// Queue `q`'s shares (fair-share queues), with each share's target from the queue's
/// weights.
fn queue_shares(
    input: &ReportInput<'_>,
    q: usize,
    unfinished: &BTreeMap<u32, Unfinished>,
    end: SimTime,
) -> BTreeMap<String, QueueShareReport> {
    let m = input.metrics;
    let (Some(shares), Some(weights)) = (m.queue_shares.get(q), input.queue_share_weights.get(q)) else {
        return BTreeMap::new();
    };
    let listed: Vec<_> = shares.iter().zip(weights).collect();
    let inverse: f64 = listed.iter().map(|(_, w)| 1.0 / w.max(f64::MIN_POSITIVE)).sum();
    let used: u128 = listed.iter().map(|((_, s), _)| s.millivcpu_ms).sum();
    listed
        .into_iter()
        .filter_map(|((ix, s), &w)| {
            let name = m.share_names.get(*ix as usize)?;
            let u = unfinished.get(ix).copied().unwrap_or_default();
            let r = QueueShareReport {
                submitted: s.counts.submitted,
                succeeded: s.counts.succeeded,
                vcpu_seconds: millivcpu_ms_to_vcpu_s(s.millivcpu_ms),
                used_fraction: if used > 0 {
                    s.millivcpu_ms as f64 / used as f64
                } else {
                    0.0
                },
                weight_factor: w,
                target_fraction: if inverse > 0.0 {
                    1.0 / w.max(f64::MIN_POSITIVE) / inverse
                } else {
                    0.0
                },
                wait_seconds: u.wait(s.counts.wait.stats(), end),
                cost: s.counts.cost,
            };
            Some((name.to_string(), r))
        })
        .collect()
}

fn millivcpu_ms_to_vcpu_s(v: u128) -> f64 {
    v as f64 / 1_000_000.0
}

pub(crate) fn build(mut input: ReportInput<'_>) -> Report {
    let m = input.metrics;
    let end = input.end;
    let mut all = Unfinished::default();
    let mut per_queue = vec![Unfinished::default(); input.queue_names.len()];
    let mut per_share = vec![Unfinished::default(); m.shares.len()];
    // Per queue: run share number -> unfinished jobs of that share on the queue.
    let mut per_queue_share: Vec<BTreeMap<u32, Unfinished>> = vec![BTreeMap::new(); input.queue_names.len()];
    for j in input.live_jobs.by_ref() {
        let j = &j;
        all.add(j);
        if let Some(u) = per_queue.get_mut(j.queue.index()) {
            u.add(j);
        }
        if let Some(u) = per_queue_share.get_mut(j.queue.index()).filter(|_| j.share != u32::MAX) {
            u.entry(j.share).or_default().add(j);
        }
        if let Some(u) = per_share.get_mut(j.share as usize) {
            u.add(j);
        }
    }
    let queues = input
        .queue_names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let c = &m.queues[i];
            let u = per_queue[i];
            let r = QueueReport {
                submitted: c.submitted,
                succeeded: c.succeeded,
                failed: c.failed,
                cancelled: c.cancelled,
                unfinished: u.total(),
                queued: u.queued,
                running: u.running,
                // One queue: every wait sample is in the run's accumulator only.
                wait_seconds: u.wait(
                    if input.queue_names.len() == 1 {
                        m.all.wait.stats()
                    } else {
                        c.wait.stats()
                    },
                    end,
                ),
                cost: c.cost,
                shares: queue_shares(&input, i, &per_queue_share[i], end),
            };
            (name.to_string(), r)
        })
        .collect();
    let shares = m
        .share_names
        .iter()
        .zip(&m.shares)
        .zip(&per_share)
        .filter(|((_, s), _)| s.counts.submitted > 0)
        .map(|((name, s), u)| {
            let r = ShareReport {
                submitted: s.counts.submitted,
                succeeded: s.counts.succeeded,
                vcpu_seconds: millivcpu_ms_to_vcpu_s(s.millivcpu_ms),
                wait_seconds: u.wait(s.counts.wait.stats(), end),
                cost: s.counts.cost,
            };
            (name.to_string(), r)
        })
        .collect();
    let (mut total, mut idle) = (0.0, 0.0);
    let compute_environments = input
        .ces
        .iter()
        .enumerate()
        .map(|(i, (name, max))| {
            let c = &m.ces[i];
            let used = millivcpu_ms_to_vcpu_s(c.used_millivcpu_ms);
            let provisioned = millivcpu_ms_to_vcpu_s(c.provisioned_millivcpu_ms);
            let max_integral = c.max_vcpu_ms as f64 / 1000.0;
            total += c.cost;
            // Fargate: the same sums in the same order, so exactly 0.
            let idle_cost = (c.cost - c.attributed_cost).max(0.0);
            idle += idle_cost;
            let r = CeReport {
                jobs_started: c.jobs_started,
                max_vcpus: *max,
                vcpu_seconds_used: used,
                vcpu_seconds_provisioned: provisioned,
                utilization: if provisioned > 0.0 { used / provisioned } else { 0.0 },
                utilization_of_max: if max_integral > 0.0 { used / max_integral } else { 0.0 },
                interruptions: c.interruptions,
                cost: c.cost,
                idle_cost,
                instances_launched: c.instances_launched,
                spot_price_paid_mean: c
                    .spot_paid
                    .map(|s| if s.hours > 0.0 { s.dollars / s.hours } else { 0.0 }),
                spot_paid_of_on_demand: c.spot_paid.map(|s| {
                    if s.on_demand > 0.0 {
                        s.dollars / s.on_demand
                    } else {
                        0.0
                    }
                }),
            };
            (name.to_string(), r)
        })
        .collect();
    let _ = input.rejected;
    Report {
        scenario: input.scenario.to_owned(),
        seed: input.seed,
        end_seconds: end.as_secs_f64(),
        events: input.events,
        jobs: JobCounts {
            submitted: m.all.submitted,
            succeeded: m.all.succeeded,
            failed: m.all.failed,
            cancelled: m.all.cancelled,
            unfinished: all.total(),
            queued: all.queued,
            running: all.running,
        },
        wait_seconds: all.wait(m.all.wait.stats(), end),
        turnaround_seconds: m.turnaround.stats(),
        queues,
        shares,
        compute_environments,
        cost: CostReport { total, idle },
        warnings: input.warnings.to_vec(),
        consumable_resources: input.consumable_resources,
    }
}
