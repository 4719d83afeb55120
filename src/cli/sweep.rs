//! `batchsim sweep`: every combination of seeds and `--set` values, run in parallel, one CSV
//! row per run (CONTRACT section 3), then a summary per combination on stderr.
//!
//! Rows come out in the order (seed, first `--set` value, second `--set` value, ...) whatever
//! order the runs finish in, and each run is an independent [`Simulation`], so the CSV is
//! byte-identical for any number of threads.

use super::output::{self, Pending, Target};
use super::{describe, parse_seconds, CliError};
use crate::scenario::suggest::suggest;
use crate::{Options, Report, Scenario, SimTime, Simulation};
use rayon::prelude::*;
use serde_json::Value;
use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The most runs one sweep may ask for (seeds x combinations): a million runs of even a
/// small scenario take the better part of an hour, and their rows are kept in memory.
const MAX_RUNS: u64 = 1_000_000;

/// The CSV columns after `seed` and the `--set` paths.
const RESULT_COLUMNS: &str = "succeeded,failed,unfinished,waitMean,waitP50,waitP95,waitP99,utilization,cost";

/// Arguments of `batchsim sweep`.
#[derive(clap::Args, Debug)]
pub struct SweepArgs {
    /// The scenario file (JSON).
    scenario: PathBuf,
    /// The seeds to run: `A..B` (both included, e.g. `1..10` is ten seeds) or one seed `N`;
    /// at most 1,000,000 runs in all (seeds x combinations).
    #[arg(long, value_name = "A..B", value_parser = parse_seeds)]
    seeds: Seeds,
    /// `PATH=V1,V2,...`: sets the scenario's JSON value at PATH (e.g.
    /// `computeEnvironments[0].computeResources.maxvCpus=32,64,128`) to each value in turn.
    /// A value that reads as a JSON number is a number, `true`/`false` are booleans, anything
    /// else is a string. Repeat for more paths: every combination runs.
    #[arg(long = "set", value_name = "PATH=V1,V2,...", value_parser = parse_set)]
    set: Vec<SetArg>,
    /// Stops every run's clock at this many seconds (overrides the scenario's `until`).
    #[arg(long, value_parser = parse_seconds, allow_negative_numbers = true)]
    until: Option<SimTime>,
    /// Writes the CSV to this file instead of stdout.
    #[arg(long, value_name = "FILE.csv")]
    out: Option<PathBuf>,
}

/// An inclusive range of seeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Seeds {
    first: u64,
    last: u64,
}

impl Seeds {
    /// How many seeds (at least 1, at most [`MAX_RUNS`]: checked when parsed).
    fn count(self) -> u64 {
        self.last - self.first + 1
    }
}

/// `A..B` (or `A..=B`, both included) or one seed `N`. An empty range (B < A) or one of
/// more than [`MAX_RUNS`] seeds is refused, so the count never overflows.
fn parse_seeds(s: &str) -> Result<Seeds, String> {
    let number = |t: &str, which: &str| {
        let t = t.trim();
        if t.is_empty() {
            return Err(format!("`{s}` lacks its {which} seed (write A..B, e.g. 1..10)"));
        }
        t.parse::<u64>()
            .map_err(|_| format!("`{t}` is not a seed (a whole number from 0 to {})", u64::MAX))
    };
    let (first, last) = match s.split_once("..") {
        Some((a, b)) => (number(a, "first")?, number(b.strip_prefix('=').unwrap_or(b), "last")?),
        None => {
            let n = number(s, "")?;
            (n, n)
        }
    };
    if last < first {
        return Err(format!(
            "`{s}`: the last seed is smaller than the first (A..B includes both)"
        ));
    }
    let count = u128::from(last - first) + 1;
    if count > u128::from(MAX_RUNS) {
        return Err(format!("`{s}` is {count} seeds; a sweep runs at most {MAX_RUNS} runs"));
    }
    Ok(Seeds { first, last })
}

/// One step of a path into the scenario's JSON value.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// One `--set PATH=V1,V2,...`.
#[derive(Clone, Debug, PartialEq)]
struct SetArg {
    /// The path as written (the CSV column header).
    path_text: String,
    path: Vec<Step>,
    /// Each value as written (for the CSV) and as JSON.
    values: Vec<(String, Value)>,
}

fn parse_path(text: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    for (n, part) in text.split('.').enumerate() {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if key.is_empty() && (n > 0 || rest.is_empty()) {
            return Err(format!("path `{text}` has an empty name (write `a.b[0].c`)"));
        }
        if !key.is_empty() {
            steps.push(Step::Key(key.to_owned()));
        }
        while !rest.is_empty() {
            let close = rest
                .find(']')
                .ok_or_else(|| format!("path `{text}`: `[` without `]`"))?;
            let inner = &rest[1..close];
            let index = inner
                .parse::<usize>()
                .map_err(|_| format!("path `{text}`: `[{inner}]` is not an array index"))?;
            steps.push(Step::Index(index));
            rest = &rest[close + 1..];
            if !rest.is_empty() && !rest.starts_with('[') {
                return Err(format!("path `{text}`: expected `.` or `[` after `]`"));
            }
        }
    }
    Ok(steps)
}

/// A command-line value as JSON: a number if it reads as one, `true`/`false`, else a string.
fn parse_value(text: &str) -> Value {
    match text {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => match serde_json::from_str::<Value>(text) {
            Ok(v @ Value::Number(_)) => v,
            _ => Value::String(text.to_owned()),
        },
    }
}

fn parse_set(s: &str) -> Result<SetArg, String> {
    let (path_text, list) = s
        .split_once('=')
        .ok_or_else(|| format!("expected PATH=V1,V2,..., found `{s}`"))?;
    let path_text = path_text.trim();
    let path = parse_path(path_text)?;
    let mut values = Vec::new();
    for v in list.split(',') {
        let v = v.trim();
        if v.is_empty() {
            return Err(format!("`{s}` has an empty value (values are separated by commas)"));
        }
        values.push((v.to_owned(), parse_value(v)));
    }
    Ok(SetArg {
        path_text: path_text.to_owned(),
        path,
        values,
    })
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Writes `new` at `path` in `root`. Every step but the last must exist; the last may add a
/// key to an object (the scenario's validation then judges the name).
fn set_path(root: &mut Value, path: &[Step], new: Value) -> Result<(), String> {
    let mut here = root;
    let mut shown = String::new();
    for (i, step) in path.iter().enumerate() {
        let last = i + 1 == path.len();
        let at = if shown.is_empty() {
            "the scenario"
        } else {
            shown.as_str()
        }
        .to_owned();
        match step {
            Step::Key(k) => {
                let Value::Object(map) = here else {
                    return Err(format!("`{at}` is {}, not an object with `{k}`", kind(here)));
                };
                if last {
                    map.insert(k.clone(), new);
                    return Ok(());
                }
                if !map.contains_key(k) {
                    let hint = suggest(k, map.keys().map(String::as_str))
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default();
                    return Err(format!("`{at}` has no `{k}`{hint}"));
                }
                if !shown.is_empty() {
                    shown.push('.');
                }
                shown.push_str(k);
                here = map.get_mut(k).expect("checked above");
            }
            Step::Index(n) => {
                let Value::Array(items) = here else {
                    return Err(format!("`{at}` is {}, not an array", kind(here)));
                };
                let len = items.len();
                let Some(item) = items.get_mut(*n) else {
                    return Err(format!(
                        "`{at}` has {len} element{}, so there is no [{n}]",
                        if len == 1 { "" } else { "s" }
                    ));
                };
                let _ = write!(shown, "[{n}]");
                if last {
                    *item = new;
                    return Ok(());
                }
                here = item;
            }
        }
    }
    Ok(())
}

/// The CSV figures of one run.
#[derive(Clone, Debug)]
struct RunResult {
    succeeded: u64,
    failed: u64,
    unfinished: u64,
    wait_mean: f64,
    wait_p50: f64,
    wait_p95: f64,
    wait_p99: f64,
    utilization: f64,
    cost: f64,
}

impl RunResult {
    fn of(r: &Report) -> RunResult {
        let (used, provisioned) = r.compute_environments.values().fold((0.0, 0.0), |(u, p), ce| {
            (u + ce.vcpu_seconds_used, p + ce.vcpu_seconds_provisioned)
        });
        RunResult {
            succeeded: r.jobs.succeeded,
            failed: r.jobs.failed,
            unfinished: r.jobs.unfinished,
            wait_mean: r.wait_seconds.mean,
            wait_p50: r.wait_seconds.p50,
            wait_p95: r.wait_seconds.p95,
            wait_p99: r.wait_seconds.p99,
            utilization: if provisioned > 0.0 { used / provisioned } else { 0.0 },
            cost: r.cost.total,
        }
    }
}

/// `x` rounded to 6 decimals (microseconds, micro-dollars): printed in the shortest form
/// that reads back as that value, without the noise of interpolated percentiles.
fn round6(x: f64) -> f64 {
    let r = (x * 1e6).round() / 1e6;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

/// Quotes a CSV cell when needed (RFC 4180).
fn cell(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// The value combinations in row order: the last `--set` varies fastest.
fn combinations(sets: &[SetArg]) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = vec![Vec::new()];
    for s in sets {
        out = out
            .into_iter()
            .flat_map(|prefix| {
                (0..s.values.len()).map(move |i| {
                    let mut c = prefix.clone();
                    c.push(i);
                    c
                })
            })
            .collect();
    }
    out
}

/// A combination as `PATH=V PATH=V`, with the paths as given by `names`.
fn label(sets: &[SetArg], names: &[String], combo: &[usize]) -> String {
    if sets.is_empty() {
        return "(scenario as written)".to_owned();
    }
    sets.iter()
        .zip(names)
        .zip(combo)
        .map(|((s, name), &i)| format!("{name}={}", s.values[i].0))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Names for the summary: each path's last name (`maxvCpus`) when those are all different,
/// else the full paths.
fn short_names(sets: &[SetArg]) -> Vec<String> {
    let last: Vec<Option<&str>> = sets
        .iter()
        .map(|s| match s.path.last() {
            Some(Step::Key(k)) => Some(k.as_str()),
            _ => None,
        })
        .collect();
    let distinct = last
        .iter()
        .enumerate()
        .all(|(i, k)| k.is_some() && !last[..i].contains(k));
    if distinct {
        last.into_iter().map(|k| k.unwrap_or_default().to_owned()).collect()
    } else {
        sets.iter().map(|s| s.path_text.clone()).collect()
    }
}

/// Runs `batchsim sweep`.
pub(super) fn sweep(args: &SweepArgs) -> Result<(), CliError> {
    let (csv, summary, out) = prepare_and_run(args)?;
    match out {
        Some(mut pending) => {
            pending.write(|w| w.write_all(csv.as_bytes()))?;
            pending.commit()?;
        }
        None => output::to_stdout(csv.as_bytes())?,
    }
    output::note(summary.trim_end());
    Ok(())
}

/// The CSV, the summary and the pending `--out` file (`None`: stdout).
type Prepared = (String, String, Option<Pending>);

fn prepare_and_run(args: &SweepArgs) -> Result<Prepared, CliError> {
    let path = &args.scenario;
    // Load as `run` does, so a bad file gets the same messages.
    Scenario::from_file(path).map_err(|e| describe(&e, path))?;
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: cannot read the file: {e}", path.display()))?;
    let base: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;

    for (i, s) in args.set.iter().enumerate() {
        if args.set[..i].iter().any(|t| t.path == s.path) {
            return Err(format!("--set {}: the same path is given twice", s.path_text).into());
        }
        // Path problems do not depend on the value: report them once, naming the flag.
        set_path(&mut base.clone(), &s.path, s.values[0].1.clone())
            .map_err(|e| format!("--set {}: {e}", s.path_text))?;
    }
    let combos = combinations(&args.set);
    let runs = args.seeds.count().saturating_mul(combos.len() as u64);
    if runs > MAX_RUNS {
        return Err(format!(
            "--seeds {}..{} with these --set values asks for {runs} runs; the most is {MAX_RUNS}",
            args.seeds.first, args.seeds.last
        )
        .into());
    }
    let mut scenarios = Vec::with_capacity(combos.len());
    for combo in &combos {
        let mut v = base.clone();
        for (s, &i) in args.set.iter().zip(combo) {
            set_path(&mut v, &s.path, s.values[i].1.clone()).map_err(|e| format!("--set {}: {e}", s.path_text))?;
        }
        let scenario = Scenario::from_value_at(&v, path)
            .and_then(|sc| {
                Simulation::new(&sc, options(args.seeds.first, args.until))?;
                Ok(sc)
            })
            .map_err(|e| {
                let msg = describe(&e, path);
                if args.set.is_empty() {
                    msg
                } else {
                    let full: Vec<String> = args.set.iter().map(|s| s.path_text.clone()).collect();
                    format!("--set {}: {msg}", label(&args.set, &full, combo))
                }
            })?;
        scenarios.push(scenario);
    }
    let out = match args.out.as_deref().map(|p| Target::of("--out", p)) {
        Some(Target::File { flag, path }) => Some(Pending::create(flag, &path)?),
        _ => None,
    };

    let started = Instant::now();
    let total = runs as usize;
    let done = AtomicUsize::new(0);
    let finished = AtomicBool::new(false);
    let show_progress = std::io::stderr().is_terminal();
    let results: Vec<Result<RunResult, String>> = std::thread::scope(|scope| {
        if show_progress {
            scope.spawn(|| progress(&done, &finished, total, started));
        }
        let results = (0..total)
            .into_par_iter()
            .map(|i| {
                let seed = args.seeds.first + (i / combos.len()) as u64;
                let scenario = &scenarios[i % combos.len()];
                let r = Simulation::new(scenario, options(seed, args.until))
                    .map(|sim| RunResult::of(&sim.run()))
                    .map_err(|e| format!("seed {seed}: {}", describe(&e, path)));
                done.fetch_add(1, Ordering::Relaxed);
                r
            })
            .collect();
        finished.store(true, Ordering::Relaxed);
        results
    });
    let elapsed = started.elapsed();

    let mut csv = String::from("seed,");
    for s in &args.set {
        csv.push_str(&cell(&s.path_text));
        csv.push(',');
    }
    csv.push_str(RESULT_COLUMNS);
    csv.push('\n');
    let mut rows: Vec<(usize, RunResult)> = Vec::with_capacity(total);
    for (i, r) in results.into_iter().enumerate() {
        let r = r?;
        let seed = args.seeds.first + (i / combos.len()) as u64;
        let combo = &combos[i % combos.len()];
        let _ = write!(csv, "{seed},");
        for (s, &v) in args.set.iter().zip(combo) {
            let _ = write!(csv, "{},", cell(&s.values[v].0));
        }
        let _ = writeln!(
            csv,
            "{},{},{},{},{},{},{},{},{}",
            r.succeeded,
            r.failed,
            r.unfinished,
            round6(r.wait_mean),
            round6(r.wait_p50),
            round6(r.wait_p95),
            round6(r.wait_p99),
            round6(r.utilization),
            round6(r.cost)
        );
        rows.push((i % combos.len(), r));
    }
    let summary = summary(args, &combos, &rows, total, elapsed, rayon::current_num_threads());
    Ok((csv, summary, out))
}

fn options(seed: u64, until: Option<SimTime>) -> Options {
    Options {
        seed: Some(seed),
        until,
        record_jobs: false,
    }
}

/// Redraws a progress bar on stderr (a terminal) until `finished`.
fn progress(done: &AtomicUsize, finished: &AtomicBool, total: usize, started: Instant) {
    let mut err = std::io::stderr();
    loop {
        let n = done.load(Ordering::Relaxed);
        let secs = started.elapsed().as_secs_f64();
        let width = 30;
        let filled = (n * width).checked_div(total).unwrap_or(width);
        let eta = if n > 0 && n < total {
            format!(", about {:.0} s left", secs / n as f64 * (total - n) as f64)
        } else {
            String::new()
        };
        let _ = write!(
            err,
            "\r\x1b[2Ksweep [{}{}] {n}/{total} runs, {secs:.1} s{eta}",
            "#".repeat(filled),
            "-".repeat(width - filled)
        );
        let _ = err.flush();
        if finished.load(Ordering::Relaxed) {
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The 97.5% quantile of Student's t with `df` degrees of freedom (two-sided 95%).
fn t_975(df: u64) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::NAN,
        1..=30 => TABLE[df as usize - 1],
        _ => {
            // Cornish-Fisher expansion around the normal quantile (error < 1e-4 past 30 df).
            let z: f64 = 1.959_963_984_540_054;
            let n = df as f64;
            let g1 = (z.powi(3) + z) / 4.0;
            let g2 = (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / 96.0;
            let g3 = (3.0 * z.powi(7) + 19.0 * z.powi(5) + 17.0 * z.powi(3) - 15.0 * z) / 384.0;
            z + g1 / n + g2 / (n * n) + g3 / (n * n * n)
        }
    }
}

/// Mean and half-width of the 95% confidence interval (NaN half-width for one sample).
fn mean_ci(xs: &[f64]) -> (f64, f64) {
    let n = xs.len();
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (mean, f64::NAN);
    }
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    (mean, t_975(n as u64 - 1) * (var / n as f64).sqrt())
}

fn summary(
    args: &SweepArgs,
    combos: &[Vec<usize>],
    rows: &[(usize, RunResult)],
    total: usize,
    elapsed: Duration,
    threads: usize,
) -> String {
    let seeds = args.seeds.count();
    let mut o = String::new();
    let _ = writeln!(
        o,
        "sweep: {total} runs ({seeds} seed{} x {} combination{}) in {:.2} s on {threads} thread{}",
        if seeds == 1 { "" } else { "s" },
        combos.len(),
        if combos.len() == 1 { "" } else { "s" },
        elapsed.as_secs_f64(),
        if threads == 1 { "" } else { "s" },
    );
    if seeds < 2 {
        let _ = writeln!(o, "(one seed: no confidence interval; use --seeds A..B with B > A)");
    } else {
        let _ = writeln!(
            o,
            "mean ± half-width of the 95% confidence interval over seeds {}..{} (Student t, {} df):",
            args.seeds.first,
            args.seeds.last,
            seeds - 1
        );
    }
    let names = short_names(&args.set);
    for (name, s) in names.iter().zip(&args.set) {
        if *name != s.path_text {
            let _ = writeln!(o, "  {name} = {}", s.path_text);
        }
    }
    let labels: Vec<String> = combos.iter().map(|c| label(&args.set, &names, c)).collect();
    let w = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0).max(11);
    let fmt = |(m, h): (f64, f64), digits: usize| {
        if h.is_nan() {
            format!("{m:.digits$}")
        } else {
            format!("{m:.digits$} ± {h:.digits$}")
        }
    };
    let cols: Vec<[String; 3]> = (0..combos.len())
        .map(|c| {
            let of = |f: fn(&RunResult) -> f64| -> Vec<f64> {
                rows.iter().filter(|(k, _)| *k == c).map(|(_, r)| f(r)).collect()
            };
            [
                fmt(mean_ci(&of(|r| r.wait_mean)), 1),
                fmt(mean_ci(&of(|r| r.wait_p95)), 1),
                fmt(mean_ci(&of(|r| r.cost)), 2),
            ]
        })
        .collect();
    let cw = |j: usize, title: &str| {
        cols.iter()
            .map(|c| c[j].chars().count())
            .max()
            .unwrap_or(0)
            .max(title.chars().count())
    };
    let heads = ["waitMean (s)", "waitP95 (s)", "cost ($)"];
    let widths = [cw(0, heads[0]), cw(1, heads[1]), cw(2, heads[2])];
    let _ = writeln!(
        o,
        "  {:<w$}  {:>a$}  {:>b$}  {:>c$}",
        "combination",
        heads[0],
        heads[1],
        heads[2],
        a = widths[0],
        b = widths[1],
        c = widths[2]
    );
    for (l, c) in labels.iter().zip(&cols) {
        let _ = writeln!(
            o,
            "  {:<w$}  {:>a$}  {:>b$}  {:>c$}",
            l,
            c[0],
            c[1],
            c[2],
            a = widths[0],
            b = widths[1],
            c = widths[2]
        );
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn seeds_are_inclusive_ranges_or_one_seed() {
        assert_eq!(parse_seeds("1..3"), Ok(Seeds { first: 1, last: 3 }));
        assert_eq!(parse_seeds("1..=3"), Ok(Seeds { first: 1, last: 3 }));
        assert_eq!(parse_seeds("7"), Ok(Seeds { first: 7, last: 7 }));
        assert_eq!(parse_seeds("4..4").unwrap().count(), 1);
        assert!(parse_seeds("3..1").unwrap_err().contains("smaller"));
        assert!(parse_seeds("a..b").unwrap_err().contains("`a`"));
        assert!(parse_seeds("").is_err());
        assert!(parse_seeds("..5").unwrap_err().contains("lacks its first seed"));
        assert!(parse_seeds("5..").unwrap_err().contains("lacks its last seed"));
        let err = parse_seeds("0..18446744073709551615").unwrap_err();
        assert!(
            err.contains("is 18446744073709551616 seeds; a sweep runs at most 1000000"),
            "{err}"
        );
        assert!(parse_seeds("1..1000000").is_ok());
        assert!(parse_seeds("1..1000001").is_err());
        let top = parse_seeds("18446744073709551615").unwrap();
        assert_eq!(top.count(), 1);
        assert!(parse_seeds("18446744073709551616").unwrap_err().contains("not a seed"));
    }

    #[test]
    fn set_parses_paths_and_values() {
        let s = parse_set("computeEnvironments[0].computeResources.maxvCpus=32, 64,x,true,1.5").unwrap();
        assert_eq!(s.path_text, "computeEnvironments[0].computeResources.maxvCpus");
        assert_eq!(
            s.path,
            vec![
                Step::Key("computeEnvironments".into()),
                Step::Index(0),
                Step::Key("computeResources".into()),
                Step::Key("maxvCpus".into()),
            ]
        );
        let values: Vec<Value> = s.values.iter().map(|(_, v)| v.clone()).collect();
        assert_eq!(values, vec![json!(32), json!(64), json!("x"), json!(true), json!(1.5)]);
        assert!(parse_set("maxvCpus").unwrap_err().contains("PATH=V1,V2"));
        assert!(parse_set("a..b=1").unwrap_err().contains("empty name"));
        assert!(parse_set("a[x]=1").unwrap_err().contains("not an array index"));
        assert!(parse_set("a[0=1").unwrap_err().contains("without `]`"));
        assert!(parse_set("a=1,,2").unwrap_err().contains("empty value"));
        assert_eq!(parse_path("a[1][2].b").unwrap().len(), 4);
    }

    #[test]
    fn set_path_edits_or_explains() {
        let mut v = json!({"computeEnvironments": [{"computeResources": {"maxvCpus": 4}}]});
        let path = parse_path("computeEnvironments[0].computeResources.maxvCpus").unwrap();
        set_path(&mut v, &path, json!(64)).unwrap();
        assert_eq!(v["computeEnvironments"][0]["computeResources"]["maxvCpus"], 64);
        let err = set_path(&mut v, &parse_path("computeEnvironments[3].x").unwrap(), json!(1)).unwrap_err();
        assert!(
            err.contains("`computeEnvironments` has 1 element, so there is no [3]"),
            "{err}"
        );
        let err = set_path(
            &mut v,
            &parse_path("computeEnvironments[0].computeResource.x").unwrap(),
            json!(1),
        )
        .unwrap_err();
        assert!(
            err.contains("no `computeResource`; did you mean `computeResources`?"),
            "{err}"
        );
        let err = set_path(&mut v, &parse_path("computeEnvironments.x").unwrap(), json!(1)).unwrap_err();
        assert!(err.contains("is an array, not an object"), "{err}");
    }

    #[test]
    fn combinations_vary_the_last_set_fastest() {
        let a = parse_set("a=1,2").unwrap();
        let b = parse_set("b=x,y,z").unwrap();
        let c = combinations(&[a, b]);
        assert_eq!(c.len(), 6);
        assert_eq!(c[0], vec![0, 0]);
        assert_eq!(c[1], vec![0, 1]);
        assert_eq!(c[3], vec![1, 0]);
        assert_eq!(combinations(&[]), vec![Vec::<usize>::new()]);
    }

    #[test]
    fn summary_names_are_short_when_unambiguous() {
        let a = parse_set("computeEnvironments[0].computeResources.maxvCpus=1").unwrap();
        let b = parse_set("computeEnvironments[1].computeResources.maxvCpus=1").unwrap();
        let c = parse_set("workload[0].runtime.meanSeconds=1").unwrap();
        assert_eq!(short_names(&[a.clone(), c.clone()]), vec!["maxvCpus", "meanSeconds"]);
        assert_eq!(short_names(&[a.clone(), b])[0], a.path_text);
        assert_eq!(label(&[a, c], &["x".into(), "y".into()], &[0, 0]), "x=1 y=1");
    }

    #[test]
    fn csv_numbers_are_rounded_to_micro_units() {
        assert_eq!(round6(2368.3911000000003).to_string(), "2368.3911");
        assert_eq!(round6(1.0).to_string(), "1");
        assert_eq!(round6(-0.0000001).to_string(), "0");
        assert_eq!(round6(65.23205987222215).to_string(), "65.23206");
    }

    #[test]
    fn student_t_and_intervals() {
        assert_eq!(t_975(1), 12.706);
        assert!((t_975(31) - 2.0395).abs() < 1e-3, "{}", t_975(31));
        assert!((t_975(120) - 1.9799).abs() < 1e-3);
        assert!((t_975(1_000_000) - 1.95997).abs() < 1e-4);
        let (m, h) = mean_ci(&[1.0, 2.0, 3.0]);
        assert_eq!(m, 2.0);
        // s = 1, t(2) = 4.303, n = 3.
        assert!((h - 4.303 / 3f64.sqrt()).abs() < 1e-9);
        assert!(mean_ci(&[5.0]).1.is_nan());
    }
}
