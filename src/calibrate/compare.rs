//! One replay of a history compared with the recording, job by job and queue by queue.

use super::stats::{spearman, step_curve_difference, WaitErrorsBuilder};
use super::{CalibrateError, Replay};
use crate::import::RecordedRun;
use crate::{JobRecord, Options, Scenario, Simulation};
use serde_json::Value;
use std::collections::BTreeMap;

/// Where a recorded wait is counted from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WaitBasis {
    /// The job's first RUNNABLE state change (EventBridge events); simulated: first RUNNABLE.
    Runnable,
    /// `createdAt` (no state times recorded); simulated: the submission.
    CreatedAt,
}

/// One recorded job beside its replay. Times are milliseconds from the replay's time origin
/// (the earliest recorded `createdAt`).
#[derive(Clone, Debug, PartialEq)]
pub struct JobFit {
    /// The recorded `jobId`.
    pub job_id: String,
    /// `jobName`.
    pub job_name: String,
    /// The queue.
    pub job_queue: String,
    /// Where both waits are counted from.
    pub basis: WaitBasis,
    /// Recorded wait.
    pub recorded_wait_ms: i64,
    /// Simulated wait.
    pub simulated_wait_ms: i64,
    /// Recorded `startedAt`.
    pub recorded_start_ms: i64,
    /// Simulated RUNNING time.
    pub simulated_start_ms: i64,
    /// Recorded `stoppedAt` (`None`: still running when recorded).
    pub recorded_stop_ms: Option<i64>,
    /// Simulated end (`None`: still running when the replay stopped).
    pub simulated_stop_ms: Option<i64>,
    /// vCPUs the recording gives (the simulated job's when it gives none).
    pub recorded_vcpus: f64,
    /// vCPUs of the simulated job.
    pub simulated_vcpus: f64,
    /// The compute environment the simulated job ran on (its last attempt's).
    pub compute_environment: Option<String>,
    /// The compute environment the recorded job ran on: the one whose
    /// `simulation.ecsClusterArn` is the cluster of the job's task ARN (`None` when the
    /// history names no cluster, the task ARN is in the old format, or no compute
    /// environment of the scenario has that cluster; see [`crate::import::cluster_of_task`]).
    pub recorded_compute_environment: Option<String>,
}

/// Wait errors over a set of jobs (simulated minus recorded).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WaitErrors {
    /// Jobs counted.
    pub jobs: usize,
    /// Mean absolute error, seconds.
    pub mean_seconds: f64,
    /// Median absolute error, seconds (nearest rank).
    pub p50_seconds: f64,
    /// 95th percentile of the absolute error, seconds (nearest rank).
    pub p95_seconds: f64,
    /// Mean relative error: |simulated - recorded| / max(recorded, 1 s).
    pub mean_relative: f64,
    /// Median relative error.
    pub p50_relative: f64,
    /// 95th percentile of the relative error.
    pub p95_relative: f64,
    /// Mean signed error (simulated minus recorded), seconds: positive when the model waits
    /// longer than the account did.
    pub bias_seconds: f64,
}

/// The vCPUs-in-use curves compared.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VcpuFit {
    /// Mean over time of |recorded - simulated| vCPUs in use.
    pub mean_abs_difference: f64,
    /// Mean recorded vCPUs in use over the same span.
    pub recorded_mean: f64,
    /// `mean_abs_difference / recorded_mean` (`None` when nothing recorded ran).
    pub relative: Option<f64>,
}

/// The fit over a set of jobs (all of them, or one queue's).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    /// Wait errors.
    pub waits: WaitErrors,
    /// Spearman's rank correlation of start times (`None` for fewer than two jobs or when
    /// every start time of one side is the same).
    pub start_order: Option<f64>,
    /// vCPUs in use over time.
    pub vcpus: VcpuFit,
}

/// The fit of one queue.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueFit {
    /// Its name.
    pub job_queue: String,
    /// Its jobs' fit.
    pub summary: Summary,
}

/// Recorded jobs that were not compared, by reason.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NotCompared {
    /// Jobs that never started (no `startedAt`): nothing was replayed for them.
    pub never_started: usize,
    /// Array parents without their children in the history (a parent's children are
    /// compared one by one; a parent alone is not compared).
    pub array_parents: usize,
    /// Jobs replayed that did not start in the simulation (before `until`, or at all).
    pub not_started_in_replay: usize,
}

/// A calibration: every compared job, the whole and each queue.
#[derive(Clone, Debug, PartialEq)]
pub struct Calibration {
    /// Jobs compared, in recorded start order (ties: input order).
    pub jobs: Vec<JobFit>,
    /// Jobs whose wait counts from RUNNABLE.
    pub from_runnable: usize,
    /// Jobs whose wait counts from `createdAt`.
    pub from_created: usize,
    /// Jobs left out.
    pub not_compared: NotCompared,
    /// Every compared job.
    pub overall: Summary,
    /// Per queue, by name.
    pub queues: Vec<QueueFit>,
}

/// Runs `scenario` (the replay's scenario, or a variant of it with other settings) and
/// compares it with `replay`'s recording.
pub fn compare(replay: &Replay, scenario: &Value) -> Result<Calibration, CalibrateError> {
    let s = Scenario::from_value_at(scenario, &replay.path)?;
    let options = Options {
        record_jobs: true,
        ..Options::default()
    };
    let (_, records) = Simulation::new(&s, options)?.run_with_records();
    Ok(compare_records(
        &replay.recorded.runs,
        replay.recorded.origin_ms.unwrap_or(0),
        &records,
        &clusters(scenario),
    ))
}

/// Compares the job records of a run of `replay.scenario` (kept with
/// [`Options::record_jobs`]) with `replay`'s recording: what [`compare`] does after its own
/// run, for a run made elsewhere (`batchsim run --history`).
pub fn compare_run(replay: &Replay, records: &[JobRecord]) -> Calibration {
    compare_records(
        &replay.recorded.runs,
        replay.recorded.origin_ms.unwrap_or(0),
        records,
        &clusters(&replay.scenario),
    )
}

/// ECS cluster name -> compute environment name, from each compute environment's
/// `simulation.ecsClusterArn` (what `batchsim import` keeps of describe output's
/// `ecsClusterArn`).
pub(crate) fn clusters(scenario: &Value) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for ce in scenario
        .get("computeEnvironments")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = ce.get("computeEnvironmentName").and_then(Value::as_str);
        let cluster = ce
            .pointer("/simulation/ecsClusterArn")
            .and_then(Value::as_str)
            .and_then(crate::import::cluster_name);
        if let (Some(name), Some(cluster)) = (name, cluster) {
            out.entry(cluster.to_owned()).or_insert_with(|| name.to_owned());
        }
    }
    out
}

/// A RUNNING interval (start, end if it ended, vCPUs), ms from the time origin.
type Interval = (i64, Option<i64>, f64);

/// One compared job with its two RUNNING intervals.
struct Compared {
    fit: JobFit,
    recorded: Interval,
    simulated: Interval,
}

/// Key of a job: name, occurrence among submissions of that name, array index.
type Key = (String, usize, Option<u32>);

fn simulated_keys(records: &[JobRecord]) -> BTreeMap<Key, &JobRecord> {
    let mut subs: Vec<(&str, u64, u64)> = records
        .iter()
        .map(|r| (&*r.job_name, r.submitted_at.as_millis(), r.job_id.submission))
        .collect();
    subs.sort_by_key(|s| (s.1, s.2));
    subs.dedup_by_key(|s| s.2);
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let mut occurrence: BTreeMap<u64, usize> = BTreeMap::new();
    for (name, _, id) in subs {
        let n = seen.entry(name).or_insert(0);
        occurrence.insert(id, *n);
        *n += 1;
    }
    records
        .iter()
        .map(|r| {
            let k = (
                r.job_name.to_string(),
                occurrence[&r.job_id.submission],
                r.job_id.array_index,
            );
            (k, r)
        })
        .collect()
}

/// Whether a recorded parent-level job was replayed (as `history::read` decides).
fn replayed(run: &RecordedRun, runs: &[RecordedRun]) -> bool {
    (run.started_ms.is_some() && run.stopped_ms.is_some())
        || runs.iter().any(|c| {
            c.array_index.is_some()
                && c.started_ms.is_some()
                && c.stopped_ms.is_some()
                && c.job_id.rsplit_once(':').map(|(p, _)| p) == Some(run.job_id.as_str())
        })
}

/// Compares simulated `records` with the recorded `runs`; `origin` is simulated time 0 in
/// epoch milliseconds; `clusters` maps an ECS cluster name to its compute environment
/// ([`clusters`]).
pub(crate) fn compare_records(
    runs: &[RecordedRun],
    origin: i64,
    records: &[JobRecord],
    clusters: &BTreeMap<String, String>,
) -> Calibration {
    let sim = simulated_keys(records);
    // Parent-level jobs that were replayed, in workload order (createdAt, then input order).
    let mut parents: Vec<&RecordedRun> = runs
        .iter()
        .filter(|r| r.array_index.is_none() && replayed(r, runs))
        .collect();
    parents.sort_by_key(|r| r.created_ms);
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let mut parent_key: BTreeMap<&str, (String, usize)> = BTreeMap::new();
    for p in &parents {
        let n = seen.entry(p.job_name.as_str()).or_insert(0);
        parent_key.entry(p.job_id.as_str()).or_insert((p.job_name.clone(), *n));
        *n += 1;
    }
    let mut not = NotCompared::default();
    let mut jobs: Vec<Compared> = Vec::new();
    for run in runs {
        if run.array_index.is_none() && run.array_size.is_some() {
            let prefix = format!("{}:", run.job_id);
            if !runs
                .iter()
                .any(|c| c.array_index.is_some() && c.job_id.starts_with(&prefix))
            {
                not.array_parents += 1;
            }
            continue;
        }
        let Some(started) = run.started_ms else {
            not.never_started += 1;
            continue;
        };
        let key = match run.array_index {
            None => parent_key.get(run.job_id.as_str()).map(|(n, o)| (n.clone(), *o, None)),
            Some(i) => run
                .job_id
                .rsplit_once(':')
                .and_then(|(p, _)| parent_key.get(p))
                .map(|(n, o)| (n.clone(), *o, Some(i))),
        };
        let Some(r) = key.as_ref().and_then(|k| sim.get(k)) else {
            not.not_started_in_replay += 1;
            continue;
        };
        let Some(sim_start) = r.started_at.map(|t| t.as_millis() as i64) else {
            not.not_started_in_replay += 1;
            continue;
        };
        let (basis, rec_from, sim_from) = match run.runnable_ms {
            Some(t) => (
                WaitBasis::Runnable,
                t,
                r.runnable_at.unwrap_or(r.submitted_at).as_millis() as i64,
            ),
            None => (WaitBasis::CreatedAt, run.created_ms, r.submitted_at.as_millis() as i64),
        };
        let fit = JobFit {
            job_id: run.job_id.clone(),
            job_name: run.job_name.clone(),
            job_queue: if run.job_queue.is_empty() {
                r.job_queue.to_string()
            } else {
                run.job_queue.clone()
            },
            basis,
            recorded_wait_ms: started.saturating_sub(rec_from),
            simulated_wait_ms: sim_start.saturating_sub(sim_from),
            recorded_start_ms: started.saturating_sub(origin),
            simulated_start_ms: sim_start,
            recorded_stop_ms: run.stopped_ms.map(|t| t.saturating_sub(origin)),
            simulated_stop_ms: r.stopped_at.map(|t| t.as_millis() as i64),
            recorded_vcpus: run.vcpus.unwrap_or_else(|| r.resources.vcpus()),
            simulated_vcpus: r.resources.vcpus(),
            compute_environment: r.compute_environment.as_deref().map(str::to_owned),
            recorded_compute_environment: run.ecs_cluster.as_ref().and_then(|c| clusters.get(c)).cloned(),
        };
        let vcpus = fit.recorded_vcpus;
        jobs.push(Compared {
            recorded: (
                started.saturating_sub(origin),
                run.stopped_ms.map(|t| t.saturating_sub(origin)),
                vcpus,
            ),
            simulated: (
                sim_start,
                r.stopped_at.map(|t| t.as_millis() as i64),
                r.resources.vcpus(),
            ),
            fit,
        });
    }
    jobs.sort_by_key(|j| j.fit.recorded_start_ms);
    let summarise = |subset: &[&Compared]| -> Summary {
        let mut waits = WaitErrorsBuilder::default();
        for j in subset {
            waits.add(j.fit.recorded_wait_ms, j.fit.simulated_wait_ms);
        }
        let rec: Vec<i64> = subset.iter().map(|j| j.fit.recorded_start_ms).collect();
        let simulated: Vec<i64> = subset.iter().map(|j| j.fit.simulated_start_ms).collect();
        let rec_curve: Vec<Interval> = subset.iter().map(|j| j.recorded).collect();
        let sim_curve: Vec<Interval> = subset.iter().map(|j| j.simulated).collect();
        let (diff, recorded_mean) = step_curve_difference(&rec_curve, &sim_curve);
        Summary {
            waits: waits.finish(),
            start_order: spearman(&rec, &simulated),
            vcpus: VcpuFit {
                mean_abs_difference: diff,
                recorded_mean,
                relative: (recorded_mean > 0.0).then(|| diff / recorded_mean),
            },
        }
    };
    let all: Vec<_> = jobs.iter().collect();
    let overall = summarise(&all);
    let mut by_queue: BTreeMap<&str, Vec<_>> = BTreeMap::new();
    for j in &jobs {
        by_queue.entry(j.fit.job_queue.as_str()).or_default().push(j);
    }
    let queues = by_queue
        .iter()
        .map(|(q, subset)| QueueFit {
            job_queue: (*q).to_owned(),
            summary: summarise(subset),
        })
        .collect();
    let from_runnable = jobs.iter().filter(|j| j.fit.basis == WaitBasis::Runnable).count();
    Calibration {
        from_created: jobs.len() - from_runnable,
        from_runnable,
        not_compared: not,
        overall,
        queues,
        jobs: jobs.into_iter().map(|j| j.fit).collect(),
    }
}
