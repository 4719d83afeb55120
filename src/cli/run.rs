//! `batchsim run`'s loop: steps the simulation and, for `--plot`, samples queue depths and
//! vCPUs in use after every step into bounded, max-preserving buckets.

use crate::report::plot::{self, CeSeries, Chart, MaxSampler, NamedSeries, WaitCurve};
use crate::report::{JobRecord, Report};
use crate::Simulation;

/// What a run hands back to the command line.
pub(super) struct Outcome {
    pub report: Report,
    /// Per-job records (empty unless the simulation was asked to keep them).
    pub records: Vec<JobRecord>,
    /// The chart data, when asked for.
    pub chart: Option<Chart>,
}

/// Values sampled per compute environment: in use, `maxvCpus`, provisioned, reclaims so far,
/// dollars so far.
const PER_CE: usize = 5;

/// How often the dollars so far are read: [`Simulation::cost_so_far`] walks the instances
/// up, so it is read again only once the clock has moved on by 1/`COST_READS` of the time
/// elapsed (at least 1 ms): about `COST_READS` reads per factor e of simulated time, each
/// late by at most that fraction of the run, below a chart pixel.
const COST_READS: u64 = 4096;

/// The dollars per compute environment, read at most as often as [`COST_READS`] allows.
struct CostReader {
    values: Vec<f64>,
    next_ms: u64,
}

impl CostReader {
    fn read(&mut self, sim: &Simulation, force: bool) {
        let now = sim.now().as_millis();
        if force || now >= self.next_ms || self.values.is_empty() {
            self.values.clear();
            self.values.extend(sim.cost_so_far());
            self.next_ms = now.saturating_add((now / COST_READS).max(1));
        }
    }
}

/// Current RUNNABLE counts per queue, then per compute environment vCPUs in use,
/// `maxvCpus`, vCPUs provisioned, Spot reclaims so far and dollars so far, into `values`.
fn observe(sim: &Simulation, cost: &mut CostReader, force_cost: bool, values: &mut Vec<f64>) {
    values.clear();
    values.extend(sim.runnable_counts().map(|n| n as f64));
    cost.read(sim, force_cost);
    let ces = sim
        .vcpus_in_use()
        .zip(sim.vcpus_provisioned())
        .zip(sim.interruptions())
        .zip(&cost.values);
    for ((((in_use, max), provisioned), reclaims), &dollars) in ces {
        values.extend([in_use, f64::from(max), provisioned, reclaims as f64, dollars]);
    }
}

/// Runs `sim` to the end. Without `chart` it is exactly [`Simulation::run_with_records`];
/// with it, the same run (the report and records do not change) plus the chart data.
pub(super) fn execute(sim: Simulation, chart: bool) -> Outcome {
    if !chart {
        let (report, records) = sim.run_with_records();
        return Outcome {
            report,
            records,
            chart: None,
        };
    }
    let mut sim = sim;
    let queue_names: Vec<String> = sim.queue_depths().into_iter().map(|(n, _)| n).collect();
    let ce_names: Vec<String> = sim.compute_environment_usage().into_iter().map(|c| c.name).collect();
    let mut sampler = MaxSampler::new(queue_names.len() + PER_CE * ce_names.len(), plot::DEFAULT_MAX_POINTS);
    let mut values = Vec::new();
    let mut cost = CostReader {
        values: Vec::new(),
        next_ms: 0,
    };
    observe(&sim, &mut cost, true, &mut values);
    sampler.record(sim.now().as_millis(), &values);
    while sim.step() {
        observe(&sim, &mut cost, false, &mut values);
        sampler.record(sim.now().as_millis(), &values);
    }
    // The last call may still have run a dispatch pass before finding nothing left to do.
    observe(&sim, &mut cost, true, &mut values);
    sampler.record(sim.now().as_millis(), &values);
    let end_ms = sim.now().as_millis();

    let probabilities = plot::wait_probabilities();
    let curve = |name: &str, acc: &crate::report::StatsAccumulator| WaitCurve {
        name: name.to_owned(),
        count: acc.count(),
        quantiles: acc.quantiles(&probabilities),
        probabilities: probabilities.clone(),
    };
    let (all, per_queue) = sim.wait_samples();
    let mut waits = vec![curve("all jobs", all)];
    if per_queue.len() > 1 {
        waits.extend(per_queue.iter().map(|(name, acc)| curve(name, acc)));
    }
    let (report, records) = sim.finish_with_records();

    let sampled = sampler.finish(end_ms);
    let mut series = sampled.series.into_iter().zip(sampled.means);
    let queues = queue_names
        .into_iter()
        .map(|name| {
            let (values, means) = series.next().unwrap_or_default();
            NamedSeries { name, values, means }
        })
        .collect();
    let compute_environments = ce_names
        .into_iter()
        .map(|name| {
            let (in_use, in_use_mean) = series.next().unwrap_or_default();
            // The instances still up at the end are billed by `finish` (with the 60 s
            // minimum): the report's figure ends the cost curve.
            let total_cost = report.compute_environments.get(&name).map_or(0.0, |c| c.cost);
            CeSeries {
                total_cost,
                name,
                in_use,
                in_use_mean,
                max_vcpus: series.next().unwrap_or_default().0,
                provisioned: series.next().unwrap_or_default().0,
                reclaims: series.next().unwrap_or_default().0,
                cost: series.next().unwrap_or_default().0,
            }
        })
        .collect();
    let chart = Chart {
        scenario: report.scenario.clone(),
        seed: report.seed,
        end_seconds: report.end_seconds,
        bucket_seconds: sampled.bucket_seconds,
        queues,
        compute_environments,
        waits,
        history: None,
    };
    Outcome {
        report,
        records,
        chart: Some(chart),
    }
}
