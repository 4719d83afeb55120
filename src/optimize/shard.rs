//! Sharded optimize (issue 15, item 3's "optimize can use the same sharding"): the grid's
//! runs (point x seed, in the grid's order) split into N disjoint, deterministic slices as
//! `sweep --shard` splits a sweep's (run k belongs to shard k mod N + 1), each written as a
//! part; the parts replayed into [`super::optimize`] give exactly the unsharded outcome.
//!
//! Only the grid is shardable. Bisection is sequential: which point it evaluates next
//! depends on the verdict of the last one, so its runs cannot be handed out in advance to
//! the independent children of an AWS Batch array job (or a Slurm array, a Kubernetes
//! Indexed Job); splitting the seeds of each step would make every child wait for the
//! others at every step. A sharded optimize therefore searches the grid of the range
//! (`--search grid`), which evaluates every value and needs no monotonicity.
//!
//! A part is one JSON object: `batchsimOptimizePart` (the format, 1), `id` (a
//! [`SweepId`] of the scenario's bytes, its traces', the `--infra` files', the batchsim
//! version and every flag that shapes the outcome), `version`, `shard` (`I/N`), `runs` (the
//! grid's runs) and `samples`: `[run, [objective, constraint...]]` for each of the shard's
//! runs, each figure a number, `null` (no value), or `"NaN"`, `"inf"`, `"-inf"`.

use super::{Executor, OptimizeError, Sample};
use crate::sweep::{Shard, ShardError, SweepId};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The format number of a part.
pub const OPTIMIZE_PART_FORMAT: u64 = 1;

/// The id of an optimize of the scenario file `scenario` (with the `--infra` files `infra`)
/// for `problem`: a [`SweepId`] over the files' bytes (and their traces'), the batchsim
/// version, the seeds, `until` and every other field of the problem.
pub fn optimize_id(scenario: &Path, infra: &[PathBuf], problem: &super::Problem) -> Result<SweepId, ShardError> {
    let flags = crate::sweep::SweepFlags {
        seeds: problem.seeds,
        settings: Vec::new(),
        columns: Some(format!(
            "optimize {:?} {:?} {:?} {} {:?}",
            problem.vary, problem.objective, problem.constraints, problem.confidence, problem.search
        )),
        until: problem.options.until,
        format: crate::sweep::Format::Csv,
    };
    SweepId::of_files(scenario, infra, &flags)
}

/// Whether `problem` searches by bisection (which `--shard` refuses: see the module
/// documentation).
pub fn bisects(problem: &super::Problem) -> bool {
    let one_range = matches!(problem.vary.as_slice(), [v] if matches!(v.values, super::Values::Range { .. }));
    match problem.search {
        super::SearchMode::Grid => false,
        super::SearchMode::Bisection => true,
        _ => one_range,
    }
}

/// Runs' figures (the objective, then each constraint's), by run number.
pub type Kept = Vec<(usize, Vec<Option<f64>>)>;

/// One shard's figures.
#[derive(Clone, Debug, PartialEq)]
pub struct OptimizePart {
    /// What it is a part of.
    pub id: SweepId,
    /// Which slice.
    pub shard: Shard,
    /// The grid's runs in all.
    pub runs: usize,
    /// Each of the shard's runs with its figures (the objective, then each constraint's).
    pub samples: Kept,
}

fn figure_json(v: Option<f64>) -> Value {
    match v {
        None => Value::Null,
        Some(x) if x.is_nan() => json!("NaN"),
        Some(x) if x == f64::INFINITY => json!("inf"),
        Some(x) if x == f64::NEG_INFINITY => json!("-inf"),
        Some(x) => json!(x),
    }
}

fn figure_of(v: &Value) -> Result<Option<f64>, String> {
    match v {
        Value::Null => Ok(None),
        Value::Number(n) => n.as_f64().map(Some).ok_or_else(|| format!("{n} is not a figure")),
        Value::String(s) if s == "NaN" => Ok(Some(f64::NAN)),
        Value::String(s) if s == "inf" => Ok(Some(f64::INFINITY)),
        Value::String(s) if s == "-inf" => Ok(Some(f64::NEG_INFINITY)),
        other => Err(format!("{other} is not a figure")),
    }
}

impl OptimizePart {
    /// The part as its file's text (one JSON object and a newline).
    pub fn to_json(&self) -> String {
        let samples: Vec<Value> = self
            .samples
            .iter()
            .map(|(k, f)| json!([k, f.iter().map(|&x| figure_json(x)).collect::<Vec<_>>()]))
            .collect();
        let v = json!({
            "batchsimOptimizePart": OPTIMIZE_PART_FORMAT,
            "id": self.id.to_string(),
            "version": env!("CARGO_PKG_VERSION"),
            "shard": self.shard.to_string(),
            "runs": self.runs,
            "samples": samples,
        });
        format!("{v}\n")
    }

    /// Reads a part file; the error names it and what is wrong.
    pub fn read(file: &Path) -> Result<OptimizePart, ShardError> {
        let text = std::fs::read_to_string(file).map_err(|source| ShardError::Read {
            file: file.to_owned(),
            source,
        })?;
        let bad = |reason: String| ShardError::Malformed {
            file: file.to_owned(),
            line: 1,
            reason,
        };
        let v: Value = serde_json::from_str(&text).map_err(|e| {
            bad(format!(
                "not an optimize part (`batchsim optimize --shard` writes them): {e}"
            ))
        })?;
        if v.get("batchsimOptimizePart").and_then(Value::as_u64) != Some(OPTIMIZE_PART_FORMAT) {
            return Err(bad(
                "not an optimize part (no `batchsimOptimizePart`: 1; a sweep's part goes to `batchsim merge`)".into(),
            ));
        }
        let version = v.get("version").and_then(Value::as_str).unwrap_or_default();
        if version != env!("CARGO_PKG_VERSION") {
            return Err(ShardError::Version {
                file: file.to_owned(),
                found: version.to_owned(),
                expected: env!("CARGO_PKG_VERSION").to_owned(),
            });
        }
        let id: SweepId = v
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("no `id`".into()))?
            .parse()
            .map_err(bad)?;
        let shard = v
            .get("shard")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("no `shard`".into()))
            .and_then(|s| Shard::parse(s, |_| None).map_err(|e| bad(e.to_string())))?;
        let runs = v
            .get("runs")
            .and_then(Value::as_u64)
            .ok_or_else(|| bad("no `runs`".into()))? as usize;
        let mut samples = Vec::new();
        for (i, s) in v
            .get("samples")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("no `samples`".into()))?
            .iter()
            .enumerate()
        {
            let at = |r: String| bad(format!("samples[{i}]: {r}"));
            let k = s
                .get(0)
                .and_then(Value::as_u64)
                .ok_or_else(|| at("no run number".into()))? as usize;
            let figures = s
                .get(1)
                .and_then(Value::as_array)
                .ok_or_else(|| at("no figures".into()))?
                .iter()
                .map(figure_of)
                .collect::<Result<Vec<_>, _>>()
                .map_err(at)?;
            samples.push((k, figures));
        }
        let part = OptimizePart {
            id,
            shard,
            runs,
            samples,
        };
        let expected: Vec<usize> = shard.runs(runs).collect();
        let got: Vec<usize> = part.samples.iter().map(|(k, _)| *k).collect();
        if got != expected {
            return Err(ShardError::Incomplete {
                file: file.to_owned(),
                reason: format!(
                    "shard {shard} of {runs} runs holds {} run(s), the part has {} (or not in order)",
                    expected.len(),
                    got.len()
                ),
            });
        }
        Ok(part)
    }
}

/// Runs only `shard`'s runs (through `inner`) and keeps their figures; the other runs get
/// no figures (the outcome of a shard's own search is not used).
pub struct ShardExecutor<'a> {
    shard: Shard,
    width: usize,
    inner: &'a dyn Executor,
    kept: Mutex<Option<(usize, Kept)>>,
}

impl<'a> ShardExecutor<'a> {
    /// Shard `shard` of the runs of `problem`, run by `inner`.
    pub fn new(shard: Shard, problem: &super::Problem, inner: &'a dyn Executor) -> ShardExecutor<'a> {
        ShardExecutor {
            shard,
            width: 1 + problem.constraints.len(),
            inner,
            kept: Mutex::new(None),
        }
    }

    /// The part of sweep `id`, once the search ran (`None` before).
    pub fn part(self, id: SweepId) -> Option<OptimizePart> {
        let (runs, samples) = self.kept.into_inner().ok()??;
        Some(OptimizePart {
            id,
            shard: self.shard,
            runs,
            samples,
        })
    }
}

impl Executor for ShardExecutor<'_> {
    fn map(&self, n: usize, f: &(dyn Fn(usize) -> Sample + Sync)) -> Vec<Sample> {
        let mine: Vec<usize> = self.shard.runs(n).collect();
        let done = self.inner.map(mine.len(), &|j| f(mine[j]));
        let mut out: Vec<Sample> = (0..n).map(|_| Ok(vec![None; self.width])).collect();
        let mut kept = Vec::with_capacity(mine.len());
        for (&k, sample) in mine.iter().zip(done) {
            if let Ok(figures) = &sample {
                kept.push((k, figures.clone()));
            }
            out[k] = sample;
        }
        if let Ok(mut slot) = self.kept.lock() {
            *slot = Some((n, kept));
        }
        out
    }
}

/// Serves the runs' figures from the parts instead of running them.
pub struct Replay {
    samples: Vec<Vec<Option<f64>>>,
}

impl Executor for Replay {
    fn map(&self, n: usize, _f: &(dyn Fn(usize) -> Sample + Sync)) -> Vec<Sample> {
        (0..n)
            .map(|k| match self.samples.get(k) {
                Some(s) => Ok(s.clone()),
                None => Err(OptimizeError::Argument {
                    flag: "--merge",
                    arg: format!("run {k}"),
                    reason: format!("the parts hold {} runs; this search asks for {n}", self.samples.len()),
                }),
            })
            .collect()
    }
}

/// Checks that the parts (with their files) are every shard of the optimize `id` and
/// returns the executor that replays them.
pub fn merge(id: SweepId, parts: Vec<(PathBuf, OptimizePart)>) -> Result<Replay, ShardError> {
    let Some((first_file, first)) = parts.first() else {
        return Err(ShardError::NoParts);
    };
    let count = first.shard.count();
    let mut by_shard: BTreeMap<u32, &PathBuf> = BTreeMap::new();
    for (file, p) in &parts {
        if p.id != id {
            return Err(ShardError::Foreign {
                file: file.clone(),
                id: p.id,
                expected: id,
                like: "this optimize's scenario and flags".into(),
                differs: "another scenario (or trace, or --infra file) or other flags".into(),
            });
        }
        if p.shard.count() != count || p.runs != first.runs {
            return Err(ShardError::Split {
                file: file.clone(),
                shard: p.shard,
                other: first_file.clone(),
                other_shard: first.shard,
            });
        }
        if let Some(prev) = by_shard.insert(p.shard.index(), file) {
            return Err(ShardError::Duplicate {
                first: prev.clone(),
                second: file.clone(),
                shard: p.shard,
            });
        }
    }
    let missing: Vec<u32> = (1..=count).filter(|i| !by_shard.contains_key(i)).collect();
    if !missing.is_empty() {
        return Err(ShardError::Missing { missing, count, id });
    }
    let mut samples: Vec<Vec<Option<f64>>> = vec![Vec::new(); first.runs];
    for (_, p) in parts {
        for (k, f) in p.samples {
            if let Some(slot) = samples.get_mut(k) {
                *slot = f;
            }
        }
    }
    Ok(Replay { samples })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimize::InOrder;

    #[test]
    fn a_part_round_trips_its_figures_exactly_and_shards_are_disjoint() {
        let shard = Shard::new(2, 3).expect("shard");
        let id: SweepId = "0123456789abcdef0123456789abcdef".parse().expect("id");
        let part = OptimizePart {
            id,
            shard,
            runs: 7,
            samples: vec![
                (1, vec![Some(0.1 + 0.2), None]),
                (4, vec![Some(f64::INFINITY), Some(f64::NAN)]),
            ],
        };
        let dir = std::env::temp_dir().join(format!("batchsim-opt-part-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("p.json");
        std::fs::write(&file, part.to_json()).expect("write");
        let back = OptimizePart::read(&file).expect("read");
        assert_eq!(
            back.samples[0],
            (1, vec![Some(0.1 + 0.2), None]),
            "0.30000000000000004 exactly"
        );
        assert_eq!(back.samples[1].1[0], Some(f64::INFINITY));
        assert!(back.samples[1].1[1].is_some_and(f64::is_nan));
        // A part missing one of its shard's runs is refused.
        let mut short = part.clone();
        short.samples.pop();
        std::fs::write(&file, short.to_json()).expect("write");
        let e = OptimizePart::read(&file).expect_err("incomplete").to_string();
        assert!(e.contains("shard 2/3 of 7 runs holds 2 run(s), the part has 1"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
        // The executor runs its shard's runs only, and the replay gives them back in order.
        let problem = crate::optimize::Problem::new(
            vec!["a=1,2".parse().expect("vary")],
            "cost".parse().expect("q"),
            Vec::new(),
            "1..1".parse().expect("seeds"),
        );
        let ex = ShardExecutor::new(shard, &problem, &InOrder);
        let out = ex.map(7, &|k| Ok(vec![Some(k as f64)]));
        assert_eq!(out[1].as_ref().ok(), Some(&vec![Some(1.0)]));
        assert_eq!(out[0].as_ref().ok(), Some(&vec![None]), "not this shard's: no figure");
        let p = ex.part(id).expect("part");
        assert_eq!(p.samples, vec![(1, vec![Some(1.0)]), (4, vec![Some(4.0)])]);
    }
}
