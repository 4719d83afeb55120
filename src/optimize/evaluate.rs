//! Evaluating points: each point's scenario is checked and built as a one-combination
//! [`Sweep`], and all the new points' runs (point x seed) go through the [`Executor`] in
//! one batch; every point runs the same seeds (common random numbers).

use super::{Estimate, Executor, OptimizeError, Point, Problem, Quantity, Sample, Values};
use crate::sweep::{Setting, Sweep, SweepError, SweepOptions};
use serde_json::Value;
use std::path::Path;

/// The evaluations so far.
pub(crate) struct State<'a> {
    value: &'a Value,
    file: &'a Path,
    problem: &'a Problem,
    executor: &'a dyn Executor,
    pub(crate) points: Vec<Point>,
    checked: bool,
}

impl<'a> State<'a> {
    pub(crate) fn new(
        value: &'a Value,
        file: &'a Path,
        problem: &'a Problem,
        executor: &'a dyn Executor,
    ) -> Result<State<'a>, OptimizeError> {
        if !(0.5..1.0).contains(&problem.confidence) {
            return Err(OptimizeError::Argument {
                flag: "--confidence",
                arg: problem.confidence.to_string(),
                reason: "a confidence is at least 0.5 and less than 1 (e.g. 0.95)".into(),
            });
        }
        let state = State {
            value,
            file,
            problem,
            executor,
            points: Vec::new(),
            checked: false,
        };
        if problem.vary.is_empty() {
            return Err(state.vary_error("give at least one setting to vary (--vary PATH=LO..HI)".into()));
        }
        for v in &problem.vary {
            let empty = match &v.values {
                Values::Range { lo, hi, step } => hi < lo || *step == 0,
                Values::List(list) => list.is_empty(),
            };
            if empty {
                return Err(state.vary_error(format!("{} has no value (LO <= HI, STEP >= 1)", v.path())));
            }
        }
        Ok(state)
    }

    pub(crate) fn vary_error(&self, reason: String) -> OptimizeError {
        let all: Vec<String> = self
            .problem
            .vary
            .iter()
            .map(|v| format!("{}={}", v.path(), v.values.text()))
            .collect();
        OptimizeError::Argument {
            flag: "--vary",
            arg: all.join(" "),
            reason,
        }
    }

    /// The figures read per run: the objective, then each constraint's.
    fn quantities(&self) -> Vec<(&'static str, &'a Quantity)> {
        let p = self.problem;
        std::iter::once(("--minimize", &p.objective))
            .chain(p.constraints.iter().map(|c| ("--constraint", &c.quantity)))
            .collect()
    }

    /// Evaluates the points `keys` not evaluated yet (all their runs through the executor);
    /// whether each is feasible.
    pub(crate) fn evaluate(&mut self, keys: &[Vec<u128>]) -> Result<Vec<bool>, OptimizeError> {
        let p = self.problem;
        let quantities = self.quantities();
        let options = SweepOptions {
            job_records: p.options.job_records || quantities.iter().any(|(_, q)| q.needs_records()),
            ..p.options.clone()
        };
        let fresh: Vec<&Vec<u128>> = keys
            .iter()
            .filter(|k| !self.points.iter().any(|p| &p.key == *k))
            .collect();
        let mut sweeps = Vec::with_capacity(fresh.len());
        for key in &fresh {
            let settings: Vec<Setting> = p.vary.iter().zip(key.iter()).map(|(v, &k)| v.at(k)).collect();
            let sweep = Sweep::from_value_at(self.value, self.file, p.seeds, settings, options.clone())?;
            if let (Some(max), Some(scenario)) = (p.max_jobs, sweep.scenario(0)) {
                crate::scenario::check_job_bound(scenario, options.until, max).map_err(|e| {
                    OptimizeError::JobBound {
                        file: self.file.to_path_buf(),
                        point: (!p.vary.is_empty()).then(|| sweep.label(0, None)),
                        reason: e.to_string(),
                    }
                })?;
            }
            if !self.checked {
                for (flag, q) in &quantities {
                    if let Some(spec) = q.column_spec() {
                        sweep
                            .check_columns(std::slice::from_ref(spec))
                            .map_err(|e| OptimizeError::Argument {
                                flag,
                                arg: q.text.clone(),
                                reason: match e {
                                    SweepError::Column { reason, .. } => reason,
                                    other => other.to_string(),
                                },
                            })?;
                    }
                }
                self.checked = true;
            }
            sweeps.push(sweep);
        }
        let seeds = p.seeds.count() as usize;
        let needs_report = quantities.iter().any(|(_, q)| q.needs_report());
        let run = |i: usize| -> Sample {
            let (row, report) = sweeps[i / seeds].run_with_report(i % seeds)?;
            let json = needs_report.then(|| serde_json::to_value(&report).unwrap_or(Value::Null));
            quantities
                .iter()
                .map(|(flag, q)| {
                    q.value(&row.figures, json.as_ref())
                        .map_err(|reason| OptimizeError::Argument {
                            flag,
                            arg: q.text.clone(),
                            reason,
                        })
                })
                .collect()
        };
        let samples = self.executor.map(sweeps.len() * seeds, &run);
        let mut samples = samples.into_iter();
        for key in fresh {
            let runs: Vec<Vec<Option<f64>>> = samples.by_ref().take(seeds).collect::<Result<_, _>>()?;
            let column = |j: usize| -> Vec<Option<f64>> { runs.iter().map(|r| r[j]).collect() };
            let objective = Estimate::of(&column(0), p.confidence);
            let constraints: Vec<Estimate> = (0..p.constraints.len())
                .map(|j| Estimate::of(&column(j + 1), p.confidence))
                .collect();
            let holds: Vec<bool> = p
                .constraints
                .iter()
                .zip(&constraints)
                .map(|(c, e)| c.holds(e))
                .collect();
            self.points.push(Point {
                values: p.vary.iter().zip(key.iter()).map(|(v, &k)| v.values.get(k)).collect(),
                order: self.points.len() + 1,
                objective,
                constraints,
                feasible: holds.iter().all(|&h| h),
                holds,
                key: key.clone(),
            });
        }
        Ok(keys
            .iter()
            .map(|k| self.points.iter().find(|p| &p.key == k).is_some_and(|p| p.feasible))
            .collect())
    }
}
