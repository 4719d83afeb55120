//! Output errors of the command line: a full disk, a closed pipe, a missing folder. Exit 1
//! naming the file (or "standard output") and the reason; a closed stdout ends quietly
//! with 0; a failed run leaves no file behind.

mod common;

use common::{scenario_path, temp_dir};
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn batchsim_to(args: &[&str], stdout: Stdio) -> Output {
    Command::new(env!("CARGO_BIN_EXE_batchsim"))
        .args(args)
        .stdout(stdout)
        .stderr(Stdio::piped())
        .output()
        .expect("run batchsim")
}

fn dev_full() -> Stdio {
    Stdio::from(
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full"),
    )
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn entries(d: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn expect_output_error(o: &Output, needles: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(1), "stderr: {err}");
    assert!(!err.contains("panicked") && !err.contains("RUST_BACKTRACE"), "{err}");
    for n in needles {
        assert!(err.contains(n), "stderr lacks {n:?}:\n{err}");
    }
}

const FULL: &str = "standard output: cannot write: No space left on device (os error 28)";

#[test]
fn a_full_stdout_is_exit_1_for_every_command() {
    let s = scenario_path("quickstart.json");
    let dir = temp_dir("out-full");
    let jobs = dir.join("jobs.csv").display().to_string();
    for args in [
        vec!["validate", &s],
        vec!["run", &s],
        vec!["run", &s, "--format", "json"],
        vec!["run", &s, "--jobs", "-"],
        vec!["run", &s, "--attempts", "-"],
        vec!["run", &s, "--plot", "-"],
        vec!["run", &s, "--format", "json", "--jobs", &jobs],
        vec!["sweep", &s, "--seeds", "1..2"],
        vec!["--help"],
        vec!["--version"],
    ] {
        let o = batchsim_to(&args, dev_full());
        expect_output_error(&o, &[FULL]);
        assert_eq!(stderr(&o).lines().count(), 1, "{args:?}: one message, nothing else");
    }
    assert!(entries(&dir).is_empty(), "a failed run puts no job table in place");
}

#[test]
fn a_full_file_is_exit_1_naming_the_flag_and_file() {
    let s = scenario_path("quickstart.json");
    for (args, needle) in [
        (
            vec!["run", &s, "--jobs", "/dev/full"],
            "--jobs /dev/full: cannot write: No space left",
        ),
        (
            vec!["run", &s, "--plot", "/dev/full"],
            "--plot /dev/full: cannot write: No space left",
        ),
        (
            vec!["run", &s, "--attempts", "/dev/full"],
            "--attempts /dev/full: cannot write: No space left",
        ),
        (
            vec!["sweep", &s, "--seeds", "1", "--out", "/dev/full"],
            "--out /dev/full: cannot write: No space left",
        ),
    ] {
        let o = batchsim_to(&args, Stdio::piped());
        expect_output_error(&o, &[needle]);
        assert!(o.stdout.is_empty(), "{args:?}: nothing on stdout after a failed output");
    }
    assert!(
        !Path::new("/dev/full").metadata().unwrap().is_file(),
        "a device is written into, never replaced"
    );
}

#[test]
fn a_missing_folder_is_exit_1_naming_the_file() {
    let s = scenario_path("quickstart.json");
    for (args, needle) in [
        (
            vec!["run", &s, "--jobs", "/nonexistent-dir/x.csv"],
            "--jobs /nonexistent-dir/x.csv",
        ),
        (
            vec!["run", &s, "--plot", "/nonexistent-dir/x.svg"],
            "--plot /nonexistent-dir/x.svg",
        ),
        (
            vec!["run", &s, "--attempts", "/nonexistent-dir/x.csv"],
            "--attempts /nonexistent-dir/x.csv",
        ),
        (
            vec!["sweep", &s, "--seeds", "1", "--out", "/nonexistent-dir/x.csv"],
            "--out /nonexistent-dir/x.csv",
        ),
    ] {
        let o = batchsim_to(&args, Stdio::piped());
        expect_output_error(&o, &[needle, "cannot write: No such file or directory (os error 2)"]);
        assert!(o.stdout.is_empty());
    }
    let dir = temp_dir("out-isdir");
    let o = batchsim_to(&["run", &s, "--jobs", &dir.display().to_string()], Stdio::piped());
    expect_output_error(&o, &["cannot write: is a directory"]);
}

#[test]
fn a_closed_pipe_ends_quietly_with_0() {
    let s = scenario_path("quickstart.json");
    for args in [
        vec!["run", &s, "--format", "json"],
        vec!["run", &s],
        vec!["run", &s, "--jobs", "-"],
        vec!["validate", &s],
        vec!["sweep", &s, "--seeds", "1..3"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_batchsim"))
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        // The reader goes away before anything is written.
        drop(child.stdout.take());
        let o = child.wait_with_output().expect("wait");
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {err}");
        assert!(
            !err.contains("cannot write") && !err.contains("panicked"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn a_failed_run_leaves_no_file_and_keeps_an_old_one() {
    let dir = temp_dir("out-bad-run");
    std::fs::write(dir.join("bad.csv"), "bogus,header\n1,2\n").unwrap();
    let scenario = serde_json::json!({
        "computeEnvironments": [common::fargate_ce("ce", 4)],
        "jobQueues": [common::queue("q", 1, &["ce"])],
        "jobDefinitions": [common::fargate_def("d", "1", "2048")],
        "workload": [{"trace": {"path": "bad.csv", "format": "csv"},
                      "submitJob": {"jobQueue": "q", "jobDefinition": "d"}}]
    });
    let s = dir.join("s.json");
    std::fs::write(&s, scenario.to_string()).unwrap();
    let s = s.display().to_string();
    let (jobs, plot) = (dir.join("jobs.csv"), dir.join("plot.svg"));
    let (j, p) = (jobs.display().to_string(), plot.display().to_string());
    let o = batchsim_to(&["run", &s, "--jobs", &j, "--plot", &p], Stdio::piped());
    assert_eq!(o.status.code(), Some(2), "bad input stays exit 2: {}", stderr(&o));
    assert!(stderr(&o).contains("bad CSV header"), "{}", stderr(&o));
    assert_eq!(entries(&dir), ["bad.csv", "s.json"], "no empty --jobs or --plot file");

    // One output failing: the other is not put in place either, and an old file stays.
    std::fs::write(&jobs, "old").unwrap();
    let good = scenario_path("quickstart.json");
    let o = batchsim_to(&["run", &good, "--jobs", &j, "--plot", "/dev/full"], Stdio::piped());
    expect_output_error(&o, &["--plot /dev/full"]);
    assert_eq!(std::fs::read_to_string(&jobs).unwrap(), "old");
    assert_eq!(
        entries(&dir),
        ["bad.csv", "jobs.csv", "s.json"],
        "no temporary file left"
    );

    // Success replaces it.
    let o = batchsim_to(&["run", &good, "--jobs", &j], Stdio::piped());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(std::fs::read_to_string(&jobs).unwrap().starts_with("jobId,"));
    assert_eq!(entries(&dir), ["bad.csv", "jobs.csv", "s.json"]);
}

#[test]
fn jobs_dash_is_stdout_and_conflicts_with_json() {
    let s = scenario_path("quickstart.json");
    let dir = temp_dir("out-dash");
    let o = batchsim_to(&["run", &s, "--jobs", "-"], Stdio::piped());
    assert!(o.status.success(), "{}", stderr(&o));
    let table = String::from_utf8(o.stdout.clone()).unwrap();
    assert!(table.starts_with("jobId,jobName,"), "{table}");
    assert_eq!(table.lines().count(), 21, "only the table on stdout");
    assert!(
        stderr(&o).contains("jobs: 20 submitted, 20 succeeded"),
        "the summary moves to stderr"
    );
    assert!(!Path::new("-").exists() && entries(&dir).is_empty());

    // The table on stdout is the same bytes as the file.
    let file = dir.join("jobs.csv");
    let f = batchsim_to(&["run", &s, "--jobs", &file.display().to_string()], Stdio::piped());
    assert!(f.status.success());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), table);

    for args in [
        vec!["run", &s, "--jobs", "-", "--format", "json"],
        vec!["run", &s, "--plot", "-", "--format", "json"],
        vec!["run", &s, "--jobs", "-", "--plot", "-"],
    ] {
        let o = batchsim_to(&args, Stdio::piped());
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(" -: standard output already carries "), "{err}");
        assert!(o.stdout.is_empty());
    }
}
