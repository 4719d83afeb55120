//! A capacity sweep written in Rust: how does p95 wait fall as `maxvCpus` rises?
//!
//! `cargo run --release --example capacity_sweep [SCENARIO]` (default
//! `scenarios/capacity-planning.json`). Each (maxvCpus, seed) pair is an independent
//! simulation, run on all cores with scoped threads; results are printed in a fixed order,
//! so the output does not depend on the thread count.

use batchsim::{Options, Scenario, Simulation};
use serde_json::Value;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "scenarios/capacity-planning.json".into());
    let base: Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
    let capacities = [48u32, 56, 64, 72, 96];
    let seeds = 1..=5u64;

    // Build every variant first (validation errors surface here, before any run).
    let mut runs = Vec::new();
    for &max in &capacities {
        let mut v = base.clone();
        v["computeEnvironments"][0]["computeResources"]["maxvCpus"] = max.into();
        let scenario = Scenario::from_value(&v, &path)?;
        for seed in seeds.clone() {
            runs.push((max, seed, scenario.clone()));
        }
    }

    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = runs.len().div_ceil(threads);
    let results: Vec<(u32, u64, f64, f64)> = std::thread::scope(|s| {
        let handles: Vec<_> = runs
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|(max, seed, scenario)| {
                            let options = Options {
                                seed: Some(*seed),
                                ..Options::default()
                            };
                            let r = Simulation::new(scenario, options).expect("runs").run();
                            (*max, *seed, r.wait_seconds.p95, r.cost.total)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("no panic")).collect()
    });

    println!("{:>8}  {:>12}  {:>10}", "maxvCpus", "p95 wait (s)", "cost ($)");
    for &max in &capacities {
        let rows: Vec<_> = results.iter().filter(|r| r.0 == max).collect();
        let n = rows.len() as f64;
        let p95 = rows.iter().map(|r| r.2).sum::<f64>() / n;
        let cost = rows.iter().map(|r| r.3).sum::<f64>() / n;
        println!("{max:>8}  {p95:>12.1}  {cost:>10.2}");
    }
    Ok(())
}
