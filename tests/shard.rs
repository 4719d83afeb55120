//! `batchsim sweep --shard I/N` and `batchsim merge`: the merged parts are the unsharded
//! sweep byte for byte (CSV and JSON, and the summary), and a missing, duplicate, foreign,
//! truncated or other-version part is refused naming it (exit 2).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const MAXVCPUS: &str = "computeEnvironments[fargate].computeResources.maxvCpus";

/// Two queues on one Fargate compute environment under about 5 vCPUs of Poisson demand.
const SCENARIO: &str = r#"{
  "name": "shard-test",
  "computeEnvironments": [{"computeEnvironmentName": "fargate", "type": "MANAGED",
    "computeResources": {"type": "FARGATE", "maxvCpus": 8},
    "simulation": {"startupSeconds": 0}}],
  "jobQueues": [
    {"jobQueueName": "batch", "priority": 1,
     "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "fargate"}]},
    {"jobQueueName": "critical", "priority": 10,
     "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "fargate"}]}],
  "jobDefinitions": [{"jobDefinitionName": "d", "type": "container", "platformCapabilities": ["FARGATE"],
    "containerProperties": {"resourceRequirements": [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "2048"}]}}],
  "workload": [
    {"arrivals": {"process": "poisson", "ratePerHour": 40}, "count": 120,
     "submitJob": {"jobName": "b", "jobQueue": "batch", "jobDefinition": "d"},
     "runtime": {"distribution": "exponential", "meanSeconds": 300}},
    {"arrivals": {"process": "poisson", "ratePerHour": 20}, "count": 60,
     "submitJob": {"jobName": "c", "jobQueue": "critical", "jobDefinition": "d"},
     "runtime": {"distribution": "exponential", "meanSeconds": 300}}]
}"#;

const ARRAY_VARIABLES: [&str; 3] = [
    "AWS_BATCH_JOB_ARRAY_INDEX",
    "SLURM_ARRAY_TASK_ID",
    "JOB_COMPLETION_INDEX",
];

/// Runs batchsim with `args`, outside any array job unless `env` says otherwise.
fn batchsim_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_batchsim"));
    c.args(args);
    for v in ARRAY_VARIABLES {
        c.env_remove(v);
    }
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run batchsim")
}

fn batchsim(args: &[&str]) -> Output {
    batchsim_env(args, &[])
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn path(dir: &Path, name: &str) -> String {
    dir.join(name).display().to_string()
}

/// The summary without its wall time and thread count (the only bytes that differ between
/// two runs of one sweep, sharded or not).
fn without_timing(summary: &str) -> String {
    let (first, rest) = summary.split_once('\n').unwrap_or((summary, ""));
    let cut = first.rfind(" in ").map_or(first, |i| &first[..i]);
    format!("{cut}\n{rest}")
}

/// One sweep's flags after the scenario.
fn flags(seeds: &str, extra: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = ["--seeds", seeds, "--set", &format!("{MAXVCPUS}=5,7")]
        .iter()
        .map(|s| s.to_string())
        .collect();
    v.extend(extra.iter().map(|s| s.to_string()));
    v
}

/// Writes shard `i` of `n` of the sweep to `out`; asserts it worked.
fn shard(scenario: &str, flags: &[String], i: &str, out: &str) -> Output {
    let mut args = vec!["sweep", scenario];
    args.extend(flags.iter().map(String::as_str));
    args.extend(["--shard", i, "--out", out]);
    let o = batchsim(&args);
    assert!(o.status.success(), "shard {i}: {}", stderr(&o));
    o
}

fn setup(tag: &str) -> (PathBuf, String) {
    let dir = common::temp_dir(&format!("shard-{tag}"));
    let s = path(&dir, "shard-test.json");
    std::fs::write(&s, SCENARIO).unwrap();
    (dir, s)
}

/// The unsharded sweep to `whole`, the four shards and their merge (parts given out of
/// order) to `merged`: the outputs and the summaries.
fn sweep_and_merge(dir: &Path, s: &str, flags: &[String], ext: &str) -> (Vec<u8>, Vec<u8>, String, String) {
    let whole = path(dir, &format!("whole.{ext}"));
    let merged = path(dir, &format!("merged.{ext}"));
    let mut args = vec!["sweep", s];
    args.extend(flags.iter().map(String::as_str));
    args.extend(["--out", &whole]);
    let w = batchsim(&args);
    assert!(w.status.success(), "{}", stderr(&w));
    let parts: Vec<String> = (1..=4).map(|i| path(dir, &format!("part-{i}.jsonl"))).collect();
    for (i, p) in parts.iter().enumerate() {
        shard(s, flags, &format!("{}/4", i + 1), p);
    }
    let m = batchsim(&["merge", &parts[2], &parts[0], &parts[3], &parts[1], "--out", &merged]);
    assert!(m.status.success(), "{}", stderr(&m));
    assert!(m.stdout.is_empty(), "--out takes the table off stdout");
    (
        std::fs::read(&whole).unwrap(),
        std::fs::read(&merged).unwrap(),
        stderr(&w),
        stderr(&m),
    )
}

#[test]
fn four_shards_merge_into_the_unsharded_csv_and_summary() {
    let (dir, s) = setup("csv");
    // 3 seeds x 2 capacities: 6 runs, so shards 1 and 2 hold 2 runs, 3 and 4 one.
    let f = flags("1..3", &[]);
    let (whole, merged, whole_err, merged_err) = sweep_and_merge(&dir, &s, &f, "csv");
    assert_eq!(
        String::from_utf8(merged.clone()).unwrap(),
        String::from_utf8(whole).unwrap()
    );
    let text = String::from_utf8(merged).unwrap();
    assert_eq!(text.lines().count(), 7);
    assert_eq!(
        text.lines().next().unwrap(),
        format!("seed,{MAXVCPUS},succeeded,failed,unfinished,waitMean,waitP50,waitP95,waitP99,utilization,cost")
    );
    let keys: Vec<String> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').take(3).collect::<Vec<_>>().join(","))
        .collect();
    assert_eq!(keys, ["1,5,180", "1,7,180", "2,5,180", "2,7,180", "3,5,180", "3,7,180"]);
    assert_eq!(without_timing(&merged_err), without_timing(&whole_err));
    assert!(
        merged_err.starts_with("sweep: 6 runs (3 seeds x 2 combinations) in "),
        "{merged_err}"
    );
    assert!(merged_err.contains("Student t, 2 df"), "{merged_err}");
    assert!(merged_err.contains("  maxvCpus=7 "), "{merged_err}");

    // The part of shard 2: its header, then runs 1 and 5 (seed 1 at 7 vCPUs, seed 3 at 7).
    let part = std::fs::read_to_string(dir.join("part-2.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = part.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3);
    let h = &lines[0];
    assert_eq!(h["batchsimSweepPart"], 1);
    assert_eq!(h["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(h["shard"], "2/4");
    assert_eq!((h["runs"].as_u64(), h["rows"].as_u64()), (Some(6), Some(2)));
    assert_eq!(h["seeds"], "1..3");
    assert_eq!(h["set"][0], format!("{MAXVCPUS}=5,7"));
    assert_eq!(h["format"], "csv");
    assert_eq!(h["sweep"].as_str().unwrap().len(), 32);
    let runs: Vec<(u64, u64, u64)> = lines[1..]
        .iter()
        .map(|r| {
            (
                r["run"].as_u64().unwrap(),
                r["seed"].as_u64().unwrap(),
                r["combination"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(runs, [(1, 1, 1), (5, 3, 1)]);
    assert_eq!(lines[1]["figures"]["jobs"]["submitted"], 180);
    // Every part names the same sweep.
    let id = |i: usize| -> String {
        let t = std::fs::read_to_string(dir.join(format!("part-{i}.jsonl"))).unwrap();
        let v: serde_json::Value = serde_json::from_str(t.lines().next().unwrap()).unwrap();
        v["sweep"].as_str().unwrap().to_owned()
    };
    assert!((1..=4).all(|i| id(i) == id(1)));
}

#[test]
fn four_shards_merge_into_the_unsharded_json_with_chosen_columns() {
    let (dir, s) = setup("json");
    // Turnarounds per queue need the job records; more than 4 columns: a block per
    // combination in the summary.
    let columns = "queues[*].waitP95,queues[*].turnaroundP95,computeEnvironments[*].utilizationOfMax,cost";
    let f = flags("2..5", &["--columns", columns, "--format", "json", "--until", "7200"]);
    let (whole, merged, whole_err, merged_err) = sweep_and_merge(&dir, &s, &f, "json");
    assert_eq!(
        String::from_utf8(merged.clone()).unwrap(),
        String::from_utf8(whole).unwrap()
    );
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&merged).unwrap();
    assert_eq!(rows.len(), 8);
    assert_eq!(rows[7]["seed"], 5);
    assert_eq!(rows[7][MAXVCPUS], 7);
    let keys: Vec<&String> = rows[0].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "seed",
            MAXVCPUS,
            "queues[batch].waitP95",
            "queues[critical].waitP95",
            "queues[batch].turnaroundP95",
            "queues[critical].turnaroundP95",
            "computeEnvironments[fargate].utilizationOfMax",
            "cost"
        ]
    );
    assert!(rows[0]["queues[batch].turnaroundP95"].as_f64().unwrap() > 0.0);
    assert_eq!(without_timing(&merged_err), without_timing(&whole_err));
    assert!(merged_err.contains("8 runs (4 seeds x 2 combinations)"), "{merged_err}");
    assert!(
        merged_err.contains("    queues[critical].turnaroundP95 (s)  "),
        "{merged_err}"
    );

    // To stdout, the same bytes.
    let parts: Vec<String> = (1..=4).map(|i| path(&dir, &format!("part-{i}.jsonl"))).collect();
    let m = batchsim(&["merge", &parts[0], &parts[1], &parts[2], &parts[3]]);
    assert!(m.status.success(), "{}", stderr(&m));
    assert_eq!(m.stdout, merged);
}

#[test]
fn auto_takes_the_shard_from_the_array_index() {
    let (dir, s) = setup("auto");
    let f = flags("1..2", &[]);
    let explicit = path(&dir, "explicit.jsonl");
    shard(&s, &f, "3/4", &explicit);
    let rows = |file: &str| -> Vec<String> {
        std::fs::read_to_string(file)
            .unwrap()
            .lines()
            .skip(1)
            .map(str::to_owned)
            .collect()
    };
    let mut args: Vec<&str> = vec!["sweep", &s];
    args.extend(f.iter().map(String::as_str));
    args.extend(["--shard", "auto/4", "--out"]);
    for (variable, index) in [
        ("AWS_BATCH_JOB_ARRAY_INDEX", "2"),
        ("SLURM_ARRAY_TASK_ID", "3"),
        ("JOB_COMPLETION_INDEX", "2"),
    ] {
        let out = path(&dir, &format!("{variable}.jsonl"));
        let mut a = args.clone();
        a.push(&out);
        let o = batchsim_env(&a, &[(variable, index)]);
        assert!(o.status.success(), "{variable}: {}", stderr(&o));
        assert!(stderr(&o).contains(": shard 3/4: 1 of 4 runs in "), "{}", stderr(&o));
        assert_eq!(rows(&out), rows(&explicit), "{variable}={index} is shard 3/4");
    }
    let none = path(&dir, "none.jsonl");
    let mut a = args.clone();
    a.push(&none);
    let o = batchsim(&a);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(
        stderr(&o).trim_end(),
        "--shard `auto/4` takes the shard from an array job's index, but none of AWS_BATCH_JOB_ARRAY_INDEX, \
         SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX is set; give the shard as I/4"
    );
    assert!(!Path::new(&none).exists(), "no part without a shard");
    let o = batchsim_env(&a, &[("AWS_BATCH_JOB_ARRAY_INDEX", "4")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("AWS_BATCH_JOB_ARRAY_INDEX=4: 4 shards take the indices 0 to 3"),
        "{}",
        stderr(&o)
    );
    let o = batchsim(&["sweep", &s, "--seeds", "1", "--shard", "5/4"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--shard `5/4`: I counts from 1 to N"),
        "{}",
        stderr(&o)
    );
}

fn expect_refused(args: &[&str], needles: &[&str]) {
    let o = batchsim(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "exit code for {args:?}; stderr: {err}");
    assert!(o.stdout.is_empty(), "no table from a refused merge");
    assert!(!err.contains("panicked"), "{err}");
    for n in needles {
        assert!(err.contains(n), "stderr lacks {n:?}:\n{err}");
    }
}

#[test]
fn missing_duplicate_and_foreign_parts_are_refused_naming_them() {
    let (dir, s) = setup("bad");
    let f = flags("1..3", &[]);
    let p: Vec<String> = (1..=4).map(|i| path(&dir, &format!("p{i}.jsonl"))).collect();
    for (i, file) in p.iter().enumerate() {
        shard(&s, &f, &format!("{}/4", i + 1), file);
    }
    let id = {
        let t = std::fs::read_to_string(&p[0]).unwrap();
        let v: serde_json::Value = serde_json::from_str(t.lines().next().unwrap()).unwrap();
        v["sweep"].as_str().unwrap().to_owned()
    };
    let out = path(&dir, "merged.csv");
    expect_refused(
        &["merge", &p[0], &p[1], &p[3], "--out", &out],
        &[&format!(
            "missing part: shard 3/4 of sweep {id} (no part given is that shard)"
        )],
    );
    assert!(!Path::new(&out).exists(), "no table from a refused merge");
    expect_refused(&["merge", &p[0]], &["missing parts: shard 2/4, shard 3/4, shard 4/4"]);
    expect_refused(
        &["merge", &p[0], &p[1], &p[2], &p[1], &p[3]],
        &[&format!("duplicate part: {} and {} are both shard 2/4", p[1], p[1])],
    );
    let copy = path(&dir, "copy-of-p3.jsonl");
    std::fs::copy(&p[2], &copy).unwrap();
    expect_refused(
        &["merge", &p[0], &p[1], &p[2], &copy, &p[3]],
        &[&format!("duplicate part: {} and {copy} are both shard 3/4", p[2])],
    );

    // Other seeds: another sweep.
    let seeds = path(&dir, "seeds.jsonl");
    shard(&s, &flags("1..4", &[]), "3/4", &seeds);
    expect_refused(
        &["merge", &p[0], &p[1], &seeds, &p[3]],
        &[
            &format!("foreign part: {seeds} is of sweep "),
            &format!(
                "not of sweep {id} like {}, {}, {}: --seeds 1..4 against 1..3",
                p[0], p[1], p[3]
            ),
        ],
    );
    // Another scenario file (one more space) under the same flags.
    let other = path(&dir, "other.json");
    std::fs::write(&other, format!("{SCENARIO} ")).unwrap();
    let scenario = path(&dir, "scenario.jsonl");
    shard(&other, &f, "4/4", &scenario);
    expect_refused(
        &["merge", &p[0], &p[1], &p[2], &scenario],
        &[
            &format!("foreign part: {scenario} is of sweep "),
            "another scenario file (its bytes differ)",
        ],
    );
    // Another format is another sweep too.
    let json = path(&dir, "json.jsonl");
    shard(&s, &flags("1..3", &["--format", "json"]), "1/4", &json);
    expect_refused(
        &["merge", &json, &p[1], &p[2], &p[3]],
        &[&format!("foreign part: {json}"), "--format json against csv"],
    );
    // Another split of the same sweep.
    let half = path(&dir, "half.jsonl");
    shard(&s, &f, "2/2", &half);
    expect_refused(
        &["merge", &p[0], &half, &p[2], &p[3]],
        &[&format!("{half}: shard 2/2, but {} is shard 1/4", p[0])],
    );

    // A truncated part, a part of another version, a file that is not a part.
    let text = std::fs::read_to_string(&p[0]).unwrap();
    let truncated = path(&dir, "truncated.jsonl");
    std::fs::write(&truncated, text.lines().take(2).collect::<Vec<_>>().join("\n")).unwrap();
    expect_refused(
        &["merge", &truncated, &p[1], &p[2], &p[3]],
        &[&format!("{truncated}: truncated: 1 of the 2 rows of shard 1/4")],
    );
    let lines: Vec<&str> = text.lines().collect();
    let swapped = path(&dir, "swapped.jsonl");
    std::fs::write(&swapped, [lines[0], lines[2], lines[1]].join("\n")).unwrap();
    expect_refused(
        &["merge", &swapped, &p[1], &p[2], &p[3]],
        &[&format!(
            "{swapped}:2: not a batchsim sweep part: run 4 where shard 1/4 has run 0"
        )],
    );
    let longer = path(&dir, "longer.jsonl");
    std::fs::write(&longer, [lines[0], lines[1], lines[2], lines[2]].join("\n")).unwrap();
    expect_refused(
        &["merge", &longer, &p[1], &p[2], &p[3]],
        &[&format!("{longer}: line 4: more rows than the 2 of shard 1/4")],
    );
    let old = path(&dir, "old.jsonl");
    std::fs::write(
        &old,
        text.replacen(
            &format!("\"version\":\"{}\"", env!("CARGO_PKG_VERSION")),
            "\"version\":\"0.0.1\"",
            1,
        ),
    )
    .unwrap();
    expect_refused(
        &["merge", &old, &p[1], &p[2], &p[3]],
        &[&format!(
            "{old}: written by batchsim 0.0.1; this is batchsim {}",
            env!("CARGO_PKG_VERSION")
        )],
    );
    expect_refused(
        &["merge", &s, &p[1], &p[2], &p[3]],
        &[&format!("{s}:1: not a batchsim sweep part")],
    );
    let gone = path(&dir, "gone.jsonl");
    expect_refused(&["merge", &gone, &p[1]], &[&format!("{gone}: cannot read")]);

    // And the four good parts still merge.
    let o = batchsim(&["merge", &p[0], &p[1], &p[2], &p[3]]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(String::from_utf8(o.stdout).unwrap().lines().count(), 7);
}

fn deploy(file: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy").join(file);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap()
}

#[test]
fn the_aws_batch_array_job_is_what_batchsim_simulates_and_the_splits_agree() {
    // deploy/aws-batch/simulate.json is the four request bodies as one scenario.
    let sim_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/aws-batch/simulate.json");
    let sim = json(&deploy("aws-batch/simulate.json"));
    assert_eq!(
        sim["computeEnvironments"][0],
        json(&deploy("aws-batch/compute-environment.json"))
    );
    assert_eq!(sim["jobQueues"][0], json(&deploy("aws-batch/job-queue.json")));
    assert_eq!(
        sim["jobDefinitions"][0],
        json(&deploy("aws-batch/register-job-definition.json"))
    );
    let submit = json(&deploy("aws-batch/submit-job.json"));
    assert_eq!(sim["workload"][0]["submitJob"], submit);
    assert_eq!(submit["arrayProperties"]["size"], 10);
    let env = submit["containerOverrides"]["environment"].as_array().unwrap();
    let shards = env.iter().find(|e| e["name"] == "SWEEP_SHARDS").unwrap();
    assert_eq!(shards["value"], "10", "auto/N must be the array's size");
    let command = sim["jobDefinitions"][0]["containerProperties"]["command"][2]
        .as_str()
        .unwrap();
    assert!(command.contains("--shard \"auto/$SWEEP_SHARDS\""), "{command}");

    let sim_file = sim_path.display().to_string();
    let v = batchsim(&["validate", &sim_file]);
    assert!(v.status.success(), "{}", stderr(&v));
    let r = batchsim(&["run", &sim_file, "--format", "json"]);
    assert!(r.status.success(), "{}", stderr(&r));
    let report = json(&String::from_utf8(r.stdout).unwrap());
    // Ten 4-vCPU children on 40 vCPUs of Fargate Spot: all start at once.
    assert_eq!(report["jobs"]["submitted"], 10);
    assert_eq!(report["jobs"]["succeeded"], 10);
    assert_eq!(report["waitSeconds"]["max"], 0.0);

    // Kubernetes and Slurm: the array size and N of auto/N agree.
    let k8s = deploy("kubernetes/sweep-indexed-job.yaml");
    for needle in [
        "completionMode: Indexed",
        "completions: 10",
        "parallelism: 10",
        "--shard auto/10",
    ] {
        assert!(k8s.contains(needle), "the Indexed Job lacks {needle:?}");
    }
    let slurm = deploy("slurm/sweep-array.sh");
    for needle in [
        "#SBATCH --array=1-10",
        "--shard auto/10",
        "part-$SLURM_ARRAY_TASK_ID.jsonl",
    ] {
        assert!(slurm.contains(needle), "the Slurm script lacks {needle:?}");
    }
    assert!(deploy("slurm/merge.sh").contains("batchsim merge parts/part-*.jsonl --out sweep.csv"));
}
