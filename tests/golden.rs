//! Value stability: every bundled scenario's report (JSON and text) and job table, byte for
//! byte, as the command line writes them.
//!
//! A change of output (a dependency upgrade that draws other random numbers, a rule changed
//! on purpose) fails here instead of silently changing README's tables. When the change is
//! meant, refresh the files and commit them with a message that says why:
//!
//! ```text
//! BATCHSIM_BLESS=1 cargo test --test golden
//! git diff --stat tests/golden/
//! ```
//!
//! Large job tables are pinned by their first rows and a hash of the whole file (FNV-1a, 64
//! bits), so the repository stays small while any changed byte still fails.

mod common;

use common::batchsim;
use std::path::{Path, PathBuf};

/// Job tables longer than this many lines are pinned by head and hash.
const FULL_TABLE_LINES: usize = 2_000;

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("golden")
}

fn bless() -> bool {
    std::env::var_os("BATCHSIM_BLESS").is_some_and(|v| v != "0")
}

/// FNV-1a over the bytes: a stable, dependency-free fingerprint.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// What is kept of a job table: all of it, or its head and a hash line.
fn table_fingerprint(csv: &str) -> String {
    let lines = csv.lines().count();
    if lines <= FULL_TABLE_LINES {
        return csv.to_string();
    }
    let mut out: String = csv.lines().take(FULL_TABLE_LINES).flat_map(|l| [l, "\n"]).collect();
    out.push_str(&format!(
        "# ... {lines} lines in all, {} bytes, fnv1a64 {:016x}\n",
        csv.len(),
        fnv1a(csv.as_bytes())
    ));
    out
}

/// Compares `actual` with the golden file `name` (or writes it when blessing). Returns a
/// description of the difference.
fn check(name: &str, actual: &str) -> Option<String> {
    let path = golden_dir().join(name);
    if bless() {
        std::fs::create_dir_all(golden_dir()).expect("create tests/golden");
        std::fs::write(&path, actual).expect("write golden file");
        return None;
    }
    let expected = match std::fs::read_to_string(&path) {
        Ok(s) => s,
        Err(e) => {
            return Some(format!(
                "{}: {e} (run with BATCHSIM_BLESS=1 to create it)",
                path.display()
            ))
        }
    };
    if expected == actual {
        return None;
    }
    let (line, (want, got)) = expected
        .lines()
        .zip(actual.lines())
        .enumerate()
        .find(|(_, (a, b))| a != b)
        .unwrap_or((expected.lines().count().min(actual.lines().count()), ("<end>", "<end>")));
    Some(format!(
        "{name}: differs at line {}\n  golden: {want}\n  now:    {got}",
        line + 1
    ))
}

fn bundled_scenarios() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("read scenarios/")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    v.sort();
    v
}

fn stdout_of(args: &[&str]) -> String {
    let out = batchsim(args);
    assert!(
        out.status.success(),
        "batchsim {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 stdout")
}

#[test]
fn bundled_scenarios_give_their_golden_outputs() {
    let scenarios = bundled_scenarios();
    assert!(
        scenarios.len() >= 14,
        "expected the bundled scenarios, found {}",
        scenarios.len()
    );
    let tmp = common::temp_dir("golden");
    let mut problems = Vec::new();
    for path in &scenarios {
        let stem = path.file_stem().and_then(|s| s.to_str()).expect("file stem");
        let p = path.to_str().expect("utf-8 path");
        let jobs = tmp.join(format!("{stem}.jobs.csv"));
        let json = stdout_of(&["run", p, "--format", "json", "--jobs", jobs.to_str().expect("path")]);
        let table = std::fs::read_to_string(&jobs).expect("job table written");
        let text = stdout_of(&["run", p]);
        problems.extend(check_counts(stem, &json));
        problems.extend(check(&format!("{stem}.report.json"), &json));
        problems.extend(check(&format!("{stem}.jobs.csv"), &table_fingerprint(&table)));
        problems.extend(check(&format!("{stem}.txt"), &text));
    }
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(
        problems.is_empty(),
        "{} golden output(s) changed (if meant: BATCHSIM_BLESS=1 cargo test --test golden):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The report's count identities, for the run and each queue:
/// `submitted = succeeded + failed + cancelled + unfinished`, `unfinished = queued + running`;
/// and every wait block with no sample has `null` figures.
fn check_counts(stem: &str, json: &str) -> Option<String> {
    let r: serde_json::Value = serde_json::from_str(json).expect("JSON report");
    let n = |v: &serde_json::Value, k: &str| v[k].as_u64().unwrap_or_else(|| panic!("{stem}: {k} in {v}"));
    let mut groups = vec![("jobs".to_string(), &r["jobs"])];
    let queues = r["queues"].as_object().expect("queues");
    groups.extend(queues.iter().map(|(name, q)| (format!("queue {name}"), q)));
    let mut waits = vec![&r["waitSeconds"]];
    waits.extend(queues.values().map(|q| &q["waitSeconds"]));
    waits.extend(
        r["shares"]
            .as_object()
            .expect("shares")
            .values()
            .map(|s| &s["waitSeconds"]),
    );
    for (what, g) in groups {
        let (sub, done) = (
            n(g, "submitted"),
            n(g, "succeeded") + n(g, "failed") + n(g, "cancelled"),
        );
        if sub != done + n(g, "unfinished") || n(g, "unfinished") != n(g, "queued") + n(g, "running") {
            return Some(format!("{stem}: {what} counts do not add up: {g}"));
        }
    }
    for w in waits {
        let empty = n(w, "count") == 0;
        let nulls = ["mean", "p50", "p90", "p95", "p99", "max"]
            .iter()
            .all(|k| w[*k].is_null());
        if empty != nulls || (n(w, "neverStarted") == 0) != w["oldestWaitSeconds"].is_null() {
            return Some(format!("{stem}: inconsistent wait block {w}"));
        }
    }
    None
}

#[test]
fn fingerprint_keeps_small_tables_whole_and_hashes_large_ones() {
    assert_eq!(table_fingerprint("a,b\n1,2\n"), "a,b\n1,2\n");
    let big: String = (0..FULL_TABLE_LINES + 5).map(|i| format!("{i}\n")).collect();
    let f = table_fingerprint(&big);
    assert_eq!(f.lines().count(), FULL_TABLE_LINES + 1);
    assert!(f.ends_with(&format!("fnv1a64 {:016x}\n", fnv1a(big.as_bytes()))));
    // FNV-1a's published test vector: "a" -> af63dc4c8601ec8c.
    assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
}

/// `batchsim compare` on the bundled Lambda scenario: the table and the JSON, byte for byte.
#[test]
fn compare_gives_its_golden_outputs() {
    let p = common::scenario_path("compare-lambda.json");
    let args = ["compare", p.as_str(), "--platforms", "lambda,fargate,ec2"];
    let text = stdout_of(&args);
    let json = stdout_of(&[&args[..], &["--format", "json"]].concat());
    let problems: Vec<String> = [
        check("compare-lambda.compare.txt", &text),
        check("compare-lambda.compare.json", &json),
    ]
    .into_iter()
    .flatten()
    .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// `batchsim compare --response-seconds 1` on the bundled interactive scenario: the table
/// with its response block and set-up notes, and the JSON, byte for byte.
#[test]
fn compare_response_gives_its_golden_outputs() {
    let p = common::scenario_path("compare-interactive.json");
    let args = ["compare", p.as_str(), "--response-seconds", "1"];
    let text = stdout_of(&args);
    let json = stdout_of(&[&args[..], &["--format", "json"]].concat());
    let problems: Vec<String> = [
        check("compare-interactive.compare.txt", &text),
        check("compare-interactive.compare.json", &json),
    ]
    .into_iter()
    .flatten()
    .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
