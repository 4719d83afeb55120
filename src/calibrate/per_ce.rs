//! `--fit`, second step: one `startupSeconds` (and, on EC2/SPOT, one
//! `instanceLaunchSeconds`) per compute environment.
//!
//! It starts from the shared fit (one value of each for the whole set-up, [`super::fit`])
//! and improves it by coordinate descent: for each compute environment in the scenario's
//! order it replays every value of [`STARTUP_GRID`] for that environment alone (the others
//! keep theirs), keeps the value with the lowest mean absolute wait error over every
//! compared job (the current value wins ties), then does the same with
//! [`INSTANCE_LAUNCH_GRID`] on an EC2/SPOT environment; the rounds repeat until one changes
//! nothing, at most [`MAX_ROUNDS`] times (none with a single compute environment, whose
//! shared fit is its own). Each step only ever lowers the error, so the
//! result is never worse than the shared fit, and the search is deterministic.
//!
//! A compute environment on which fewer than [`MIN_JOBS_PER_CE`] compared jobs ran keeps
//! the shared values. A job counts on the compute environment the history recorded it on
//! when that is known (its task ARN's ECS cluster is a compute environment's
//! `simulation.ecsClusterArn`, [`crate::import::cluster_of_task`]), else on the one it ran
//! on in the replay at the shared values (how many fell back is reported): a value fitted to a handful of
//! jobs says more about those jobs than about the environment. `--per-ce-min-jobs N`
//! changes the bound; a bound above the history's size gives the single-value fit.

use super::fit::{launches_instances, INSTANCE_LAUNCH_GRID, STARTUP_GRID};
use super::{compare, Calibration, Replay};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Fewest compared jobs a compute environment needs to be fitted on its own.
pub const MIN_JOBS_PER_CE: usize = 10;

/// Most rounds of coordinate descent.
pub const MAX_ROUNDS: usize = 3;

/// The latency settings of one compute environment after the fit.
#[derive(Clone, Debug, PartialEq)]
pub struct CeFit {
    /// `computeEnvironmentName`.
    pub compute_environment: String,
    /// Compared jobs that ran on it in the replay at the shared values.
    pub jobs: usize,
    /// Its `startupSeconds`.
    pub startup_seconds: f64,
    /// Its `instanceLaunchSeconds` (EC2 and SPOT only).
    pub instance_launch_seconds: Option<f64>,
    /// Whether it was fitted on its own (`false`: too few jobs, the shared values kept).
    pub own: bool,
}

/// `scenario` with each listed compute environment's latencies (by name; others as they are).
pub fn with_latencies_per_ce(scenario: &Value, settings: &[CeFit]) -> Value {
    let mut out = scenario.clone();
    let Some(ces) = out.get_mut("computeEnvironments").and_then(Value::as_array_mut) else {
        return out;
    };
    for ce in ces {
        let ec2 = launches_instances(ce);
        let name = ce
            .get("computeEnvironmentName")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Some(set) = settings.iter().find(|s| s.compute_environment == name) else {
            continue;
        };
        let Some(o) = ce.as_object_mut() else { continue };
        let sim = o.entry("simulation").or_insert_with(|| json!({}));
        if !sim.is_object() {
            *sim = json!({});
        }
        sim["startupSeconds"] = json!(set.startup_seconds);
        if let (true, Some(l)) = (ec2, set.instance_launch_seconds) {
            sim["instanceLaunchSeconds"] = json!(l);
        }
    }
    out
}

/// What the per-environment step found.
pub(super) struct PerCe {
    pub settings: Vec<CeFit>,
    pub calibration: Calibration,
    pub error_seconds: f64,
    pub tried: usize,
    /// Compared jobs counted on their simulated compute environment, the recorded one being
    /// unknown.
    pub fell_back: usize,
    /// Compared jobs counted on their recorded compute environment.
    pub recorded: usize,
}

/// Coordinate descent from the shared values `startup`/`launch`, whose replay is `shared`.
pub(super) fn fit_per_ce(
    replay: &Replay,
    startup: f64,
    launch: Option<f64>,
    shared: Calibration,
    min_jobs: usize,
) -> PerCe {
    let ces: Vec<(String, bool)> = replay
        .scenario
        .get("computeEnvironments")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|ce| {
                    let name = ce
                        .get("computeEnvironmentName")
                        .and_then(Value::as_str)
                        .unwrap_or_default();
                    (name.to_owned(), launches_instances(ce))
                })
                .collect()
        })
        .unwrap_or_default();
    let (by_ce, fell_back) = jobs_by_ce(&shared);
    let recorded = shared.jobs.len() - fell_back;
    let mut settings: Vec<CeFit> = ces
        .iter()
        .map(|(name, ec2)| {
            let jobs = by_ce.get(name.as_str()).copied().unwrap_or(0);
            CeFit {
                compute_environment: name.clone(),
                jobs,
                startup_seconds: startup,
                instance_launch_seconds: if *ec2 { launch } else { None },
                own: jobs >= min_jobs,
            }
        })
        .collect();
    let mut error = shared.overall.waits.mean_seconds;
    let mut calibration = shared;
    let mut tried = 0;
    // With one compute environment the shared fit is already its own.
    let rounds = if settings.len() > 1 { MAX_ROUNDS } else { 0 };
    for _ in 0..rounds {
        let mut changed = false;
        for i in 0..settings.len() {
            if !settings[i].own {
                continue;
            }
            let coordinates: &[(bool, &[f64])] = if settings[i].instance_launch_seconds.is_some() {
                &[(false, &STARTUP_GRID), (true, &INSTANCE_LAUNCH_GRID)]
            } else {
                &[(false, &STARTUP_GRID)]
            };
            for &(is_launch, grid) in coordinates {
                let current = if is_launch {
                    settings[i].instance_launch_seconds.unwrap_or_default()
                } else {
                    settings[i].startup_seconds
                };
                let mut best: Option<(f64, f64, Calibration)> = None;
                for &v in grid {
                    if v == current {
                        continue;
                    }
                    let mut candidate = settings.clone();
                    if is_launch {
                        candidate[i].instance_launch_seconds = Some(v);
                    } else {
                        candidate[i].startup_seconds = v;
                    }
                    let Ok(c) = compare(replay, &with_latencies_per_ce(&replay.scenario, &candidate)) else {
                        continue;
                    };
                    tried += 1;
                    let e = c.overall.waits.mean_seconds;
                    let bar = best.as_ref().map_or(error, |b| b.1);
                    if e < bar {
                        best = Some((v, e, c));
                    }
                }
                if let Some((v, e, c)) = best {
                    if is_launch {
                        settings[i].instance_launch_seconds = Some(v);
                    } else {
                        settings[i].startup_seconds = v;
                    }
                    error = e;
                    calibration = c;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    PerCe {
        settings,
        calibration,
        error_seconds: error,
        tried,
        fell_back,
        recorded,
    }
}

/// The compared jobs of `c` per compute environment, each counted on the one the history
/// recorded it on when that is known ([`super::JobFit::recorded_compute_environment`]), else
/// on the one the simulation ran it on; and how many were counted the second way.
pub(super) fn jobs_by_ce(c: &Calibration) -> (BTreeMap<&str, usize>, usize) {
    let mut out: BTreeMap<&str, usize> = BTreeMap::new();
    let mut fell_back = 0;
    for j in &c.jobs {
        let ce = match &j.recorded_compute_environment {
            Some(ce) => Some(ce.as_str()),
            None => {
                fell_back += 1;
                j.compute_environment.as_deref()
            }
        };
        if let Some(ce) = ce {
            *out.entry(ce).or_insert(0) += 1;
        }
    }
    (out, fell_back)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_environment_gets_its_own_values_by_name() {
        let s = json!({"computeEnvironments": [
            {"computeEnvironmentName": "f", "computeResources": {"type": "FARGATE"}},
            {"computeEnvironmentName": "e", "computeResources": {"type": "EC2"}, "simulation": {"scaleInIdleSeconds": 5}},
            {"computeEnvironmentName": "other", "computeResources": {"type": "FARGATE"}}]});
        let set = |name: &str, s: f64, l: Option<f64>| CeFit {
            compute_environment: name.into(),
            jobs: 12,
            startup_seconds: s,
            instance_launch_seconds: l,
            own: true,
        };
        let t = with_latencies_per_ce(&s, &[set("e", 90.0, Some(120.0)), set("f", 30.0, Some(60.0))]);
        assert_eq!(
            t["computeEnvironments"][0]["simulation"],
            json!({"startupSeconds": 30.0}),
            "no launch time on Fargate"
        );
        assert_eq!(
            t["computeEnvironments"][1]["simulation"],
            json!({"scaleInIdleSeconds": 5, "startupSeconds": 90.0, "instanceLaunchSeconds": 120.0})
        );
        assert!(t["computeEnvironments"][2].get("simulation").is_none());
    }
}
