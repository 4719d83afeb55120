//! `--fit`: a grid search over the latency settings for the values whose replay waits most
//! like the recording.
//!
//! The settings are every compute environment's `simulation.startupSeconds` (task start on
//! Fargate, container start on a ready instance on EC2) and, when the set-up has an EC2 or
//! SPOT compute environment, their `instanceLaunchSeconds`. First one value of each for the
//! whole set-up (the shared fit, a full grid search); then, from there, one value per
//! compute environment that ran enough of the history's jobs (coordinate descent,
//! [`super::per_ce`]), the others keeping the shared values. The scenario format has no
//! scheduler cycle setting, so there is none to tune. The figure minimised is the mean
//! absolute wait error over every compared job; ties go to the grid point found first
//! (smaller startup, then smaller launch time), so the search is deterministic.

use super::per_ce::{fit_per_ce, with_latencies_per_ce, CeFit, MIN_JOBS_PER_CE};
use super::{compare, CalibrateError, Calibration, Replay};
use serde_json::{json, Value};

/// The `startupSeconds` values tried.
pub const STARTUP_GRID: [f64; 13] = [
    0.0, 5.0, 10.0, 15.0, 20.0, 30.0, 45.0, 60.0, 90.0, 120.0, 180.0, 240.0, 300.0,
];

/// The `instanceLaunchSeconds` values tried (EC2 and SPOT compute environments only).
pub const INSTANCE_LAUNCH_GRID: [f64; 10] = [0.0, 30.0, 60.0, 90.0, 120.0, 180.0, 240.0, 300.0, 420.0, 600.0];

/// One grid point and how it fared.
#[derive(Clone, Debug, PartialEq)]
pub struct FitPoint {
    /// `startupSeconds` of every compute environment.
    pub startup_seconds: f64,
    /// `instanceLaunchSeconds` of every EC2/SPOT compute environment (`None` without one).
    pub instance_launch_seconds: Option<f64>,
    /// Mean absolute wait error of the replay, seconds.
    pub mean_wait_error_seconds: f64,
}

/// The outcome of [`fit`].
#[derive(Clone, Debug, PartialEq)]
pub struct Fit {
    /// The mean absolute wait error of the scenario as given, seconds.
    pub given_error_seconds: f64,
    /// The best grid point (`None` when the scenario refused every one).
    pub best: Option<FitPoint>,
    /// Grid points replayed (points the scenario refuses, such as a launch time below an
    /// `instancePendingSeconds`, are skipped).
    pub tried: usize,
    /// The calibration at the fitted settings, per compute environment (of the scenario as
    /// given without a best point).
    pub calibration: Calibration,
    /// Each compute environment's fitted settings, in the scenario's order (empty without
    /// a best point).
    pub per_ce: Vec<CeFit>,
    /// The mean absolute wait error at the per-environment settings, seconds (at most the
    /// best point's; `None` without one).
    pub per_ce_error_seconds: Option<f64>,
    /// Fewest compared jobs a compute environment needed to be fitted on its own.
    pub min_jobs_per_ce: usize,
    /// Compared jobs that [`CeFit::jobs`] counts on the compute environment the replay ran
    /// them on, because the history does not say which one they ran on (no task ARN, an
    /// old-format one without the cluster, or a cluster no compute environment's
    /// `simulation.ecsClusterArn` names); the others count on their recorded one.
    pub per_ce_fell_back: usize,
    /// Compared jobs that [`CeFit::jobs`] counts on the compute environment the history
    /// recorded them on.
    pub per_ce_recorded: usize,
    /// The scenario as given with the per-environment settings (unchanged without a best
    /// point).
    pub tuned: Value,
}

/// Whether a compute environment document is EC2 or SPOT (it launches instances).
pub(super) fn launches_instances(ce: &Value) -> bool {
    matches!(
        ce.pointer("/computeResources/type").and_then(Value::as_str),
        Some("EC2" | "SPOT")
    )
}

/// `scenario` with `startupSeconds` set on every compute environment and, when given,
/// `instanceLaunchSeconds` on every EC2/SPOT one (other `simulation` fields kept).
pub fn with_latencies(scenario: &Value, startup_seconds: f64, instance_launch_seconds: Option<f64>) -> Value {
    let mut out = scenario.clone();
    if let Some(ces) = out.get_mut("computeEnvironments").and_then(Value::as_array_mut) {
        for ce in ces {
            let ec2 = launches_instances(ce);
            let Some(o) = ce.as_object_mut() else { continue };
            let sim = o.entry("simulation").or_insert_with(|| json!({}));
            if !sim.is_object() {
                *sim = json!({});
            }
            sim["startupSeconds"] = json!(startup_seconds);
            if let (true, Some(l)) = (ec2, instance_launch_seconds) {
                sim["instanceLaunchSeconds"] = json!(l);
            }
        }
    }
    out
}

/// [`fit_with`] with [`MIN_JOBS_PER_CE`].
pub fn fit(replay: &Replay) -> Result<Fit, CalibrateError> {
    fit_with(replay, MIN_JOBS_PER_CE)
}

/// Searches [`STARTUP_GRID`] (and [`INSTANCE_LAUNCH_GRID`] when the set-up has EC2 or SPOT
/// compute environments) for the settings that minimise the mean absolute wait error of
/// `replay`: one value for the whole set-up, then one per compute environment on which at
/// least `min_jobs_per_ce` compared jobs ran (`calibrate::per_ce`; `usize::MAX` keeps the
/// single value). An error of the scenario as given is returned as it is.
pub fn fit_with(replay: &Replay, min_jobs_per_ce: usize) -> Result<Fit, CalibrateError> {
    let given = compare(replay, &replay.scenario)?;
    let has_ec2 = replay
        .scenario
        .get("computeEnvironments")
        .and_then(Value::as_array)
        .is_some_and(|ces| ces.iter().any(launches_instances));
    let launches: Vec<Option<f64>> = if has_ec2 {
        INSTANCE_LAUNCH_GRID.iter().copied().map(Some).collect()
    } else {
        vec![None]
    };
    let mut best: Option<(FitPoint, Calibration)> = None;
    let mut tried = 0;
    for &startup in &STARTUP_GRID {
        for &launch in &launches {
            let Ok(c) = compare(replay, &with_latencies(&replay.scenario, startup, launch)) else {
                continue;
            };
            tried += 1;
            let error = c.overall.waits.mean_seconds;
            if best.as_ref().is_none_or(|(b, _)| error < b.mean_wait_error_seconds) {
                best = Some((
                    FitPoint {
                        startup_seconds: startup,
                        instance_launch_seconds: launch,
                        mean_wait_error_seconds: error,
                    },
                    c,
                ));
            }
        }
    }
    let given_error_seconds = given.overall.waits.mean_seconds;
    let Some((point, shared)) = best else {
        return Ok(Fit {
            given_error_seconds,
            best: None,
            tried,
            calibration: given,
            per_ce: Vec::new(),
            per_ce_error_seconds: None,
            min_jobs_per_ce,
            per_ce_fell_back: 0,
            per_ce_recorded: 0,
            tuned: replay.given.clone(),
        });
    };
    let own = fit_per_ce(
        replay,
        point.startup_seconds,
        point.instance_launch_seconds,
        shared,
        min_jobs_per_ce,
    );
    Ok(Fit {
        given_error_seconds,
        tuned: with_latencies_per_ce(&replay.given, &own.settings),
        best: Some(point),
        tried: tried + own.tried,
        calibration: own.calibration,
        per_ce: own.settings,
        per_ce_error_seconds: Some(own.error_seconds),
        min_jobs_per_ce,
        per_ce_fell_back: own.fell_back,
        per_ce_recorded: own.recorded,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latencies_go_into_every_compute_environment_and_launch_only_into_ec2() {
        let s = json!({"computeEnvironments": [
            {"computeEnvironmentName": "f", "computeResources": {"type": "FARGATE"}},
            {"computeEnvironmentName": "e", "computeResources": {"type": "EC2"},
             "simulation": {"scaleInIdleSeconds": 5}}]});
        let t = with_latencies(&s, 45.0, Some(90.0));
        assert_eq!(
            t["computeEnvironments"][0]["simulation"],
            json!({"startupSeconds": 45.0})
        );
        assert_eq!(
            t["computeEnvironments"][1]["simulation"],
            json!({"scaleInIdleSeconds": 5, "startupSeconds": 45.0, "instanceLaunchSeconds": 90.0})
        );
    }
}
