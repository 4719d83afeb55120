//! Mutated scenario files never panic: they load (and run) or are refused with an error.

use batchsim::{workload::ArrivalProcess, workload::WorkloadEntry, Options, Scenario, SimTime, Simulation};
use proptest::prelude::*;
use serde_json::Value;

fn seeds() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect()
}

/// Roughly how many submissions a scenario makes before `horizon` (to skip huge runs).
fn expected_jobs(s: &Scenario, horizon: f64) -> f64 {
    s.workload()
        .iter()
        .map(|e| match e {
            WorkloadEntry::Submission { template, .. } => f64::from(template.array_size.unwrap_or(1)),
            WorkloadEntry::Stream {
                arrivals,
                start,
                end,
                count,
                template,
                ..
            } => {
                let span = end.map_or(horizon, |e| e.as_secs_f64().min(horizon)) - start.as_secs_f64();
                let rate = match arrivals {
                    ArrivalProcess::Poisson { rate_per_hour } => rate_per_hour / 3600.0,
                    ArrivalProcess::Every { interval } => 1.0 / interval.as_secs_f64().max(1e-3),
                    // A process added later: assume the worst.
                    _ => f64::INFINITY,
                };
                let n = (span.max(0.0) * rate + 1.0).min(count.map_or(f64::INFINITY, |c| c as f64));
                n * f64::from(template.array_size.unwrap_or(1))
            }
            WorkloadEntry::Trace { .. } => 1e9,
            _ => 1e9,
        })
        .sum()
}

fn load_and_maybe_run(text: &str) {
    let Ok(s) = Scenario::from_json_str(text, "fuzz.json") else {
        return;
    };
    let horizon = 20_000.0;
    if expected_jobs(&s, horizon) > 20_000.0 {
        return;
    }
    let options = Options {
        until: SimTime::from_secs_f64(horizon),
        record_jobs: true,
        ..Options::default()
    };
    if let Ok(sim) = Simulation::new(&s, options) {
        let (r, records) = sim.run_with_records();
        assert_eq!(
            r.jobs.submitted,
            r.jobs.succeeded + r.jobs.failed + r.jobs.cancelled + r.jobs.unfinished
        );
        assert_eq!(records.len() as u64, r.jobs.submitted);
    }
}

/// JSON pointers of every value below the root, depth first.
fn pointers(v: &Value, here: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                let p = format!("{here}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(p.clone());
                pointers(c, p, out);
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                let p = format!("{here}/{i}");
                out.push(p.clone());
                pointers(c, p, out);
            }
        }
        _ => {}
    }
}

fn replacement(kind: u8, k: i64) -> Value {
    match kind % 9 {
        0 => Value::Null,
        1 => Value::from(k),
        2 => Value::from(-k),
        3 => Value::from(k as f64 / 7.0),
        4 => Value::from(format!("x{k}")),
        5 => Value::Bool(k % 2 == 0),
        6 => Value::Array(vec![Value::from(k)]),
        7 => serde_json::json!({"k": k}),
        _ => Value::from(1e300),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    #[test]
    fn byte_mutations_never_panic(file in 0usize..64, edits in proptest::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 1..6)) {
        let files = seeds();
        let mut bytes = files[file % files.len()].clone().into_bytes();
        for (pos, byte, op) in edits {
            if bytes.is_empty() { break; }
            let p = pos % bytes.len();
            match op {
                0 => bytes[p] = byte,
                1 => { bytes.remove(p); }
                _ => bytes.insert(p, byte),
            }
        }
        load_and_maybe_run(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn value_mutations_never_panic(file in 0usize..64, edits in proptest::collection::vec((any::<usize>(), any::<u8>(), -100_000i64..100_000), 1..4)) {
        let files = seeds();
        let mut doc: Value = serde_json::from_str(&files[file % files.len()]).unwrap();
        for (pos, kind, k) in edits {
            let mut all = Vec::new();
            pointers(&doc, String::new(), &mut all);
            if all.is_empty() { break; }
            if let Some(target) = doc.pointer_mut(&all[pos % all.len()]) {
                *target = replacement(kind, k);
            }
        }
        load_and_maybe_run(&doc.to_string());
    }
}
