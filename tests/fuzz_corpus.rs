//! Every saved fuzz input (`fuzz/corpus/<target>/`: the seed corpus, what the fuzzer kept
//! and each finding, named `crash-*` or `regression-*`) replayed through the target's
//! check, so CI runs them without the fuzzer (README, "Fuzzing").

mod fuzz_checks;

use std::path::Path;

/// Replays every entry of `target`'s corpus; the seed entries (`seed-*`) must be accepted
/// and run (so the check is not refusing everything).
fn replay(target: &str, check: fn(&[u8]) -> bool) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a corpus entry").path())
        .collect();
    files.sort();
    assert!(files.len() >= 3, "{target}: the corpus has {} entries", files.len());
    for f in &files {
        let data = std::fs::read(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let outcome = std::panic::catch_unwind(|| check(&data));
        let Ok(accepted) = outcome else {
            panic!("{} panicked", f.display())
        };
        let seed = f.file_name().is_some_and(|n| n.to_string_lossy().starts_with("seed-"));
        assert!(accepted || !seed, "{}: a seed entry was refused", f.display());
    }
}

#[test]
fn scenario_corpus() {
    replay("scenario", fuzz_checks::scenario);
}

#[test]
fn trace_corpus() {
    replay("trace", fuzz_checks::trace);
}

#[test]
fn set_path_corpus() {
    replay("set_path", fuzz_checks::set_path);
}

#[test]
fn api_corpus() {
    replay("api", fuzz_checks::api);
}
