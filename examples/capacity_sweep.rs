//! A capacity sweep written in Rust: how does p95 wait fall as `maxvCpus` rises?
//!
//! `cargo run --release --example capacity_sweep [SCENARIO]` (default
//! `scenarios/capacity-planning.json`). It uses [`batchsim::sweep`], the engine behind
//! `batchsim sweep`: each (maxvCpus, seed) pair is an independent simulation, run here on all
//! cores with scoped threads; rows come back in a fixed order, so the output does not depend
//! on the thread count. The same table from the command line:
//! `batchsim sweep SCENARIO --seeds 1..5 --set 'computeEnvironments[0].computeResources.maxvCpus=48,56,64,72,96' --columns waitP95,cost`.

use batchsim::sweep::{parse_columns, Row, Sweep, SweepError, SweepOptions, Table};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "scenarios/capacity-planning.json".into());
    let settings = vec!["computeEnvironments[0].computeResources.maxvCpus=48,56,64,72,96".parse()?];
    // Every combination is checked here, before any run.
    let sweep = Sweep::from_file(&path, "1..5".parse()?, settings, SweepOptions::default())?;

    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let indices: Vec<usize> = (0..sweep.runs()).collect();
    let chunk = indices.len().div_ceil(threads).max(1);
    let mut rows: Vec<Row> = Vec::with_capacity(sweep.runs());
    std::thread::scope(|s| -> Result<(), Box<dyn std::error::Error>> {
        let handles: Vec<_> = indices
            .chunks(chunk)
            .map(|part| {
                let sweep = &sweep;
                s.spawn(move || {
                    part.iter()
                        .map(|&i| sweep.run(i))
                        .collect::<Result<Vec<_>, SweepError>>()
                })
            })
            .collect();
        // Chunks in order: the rows in run order.
        for h in handles {
            rows.extend(h.join().map_err(|_| "a run panicked")??);
        }
        Ok(())
    })?;

    let table = Table::new(&sweep, &rows, &parse_columns("waitP95,cost")?);
    let (p95, cost) = (
        table.intervals(0, sweep.combinations()),
        table.intervals(1, sweep.combinations()),
    );
    println!("{:>8}  {:>20}  {:>16}", "maxvCpus", "p95 wait (s)", "cost ($)");
    let show = |i: &batchsim::sweep::Interval, digits: usize| match (i.mean, i.half_width) {
        (Some(m), Some(h)) => format!("{m:.digits$} ± {h:.digits$}"),
        (Some(m), None) => format!("{m:.digits$}"),
        _ => "-".to_owned(),
    };
    for c in 0..sweep.combinations() {
        let max = &sweep.settings()[0].values[sweep.combination(c)[0]].text;
        println!("{max:>8}  {:>20}  {:>16}", show(&p95[c], 1), show(&cost[c], 2));
    }
    Ok(())
}
