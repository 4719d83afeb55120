//! `batchsim optimize --shard I/N` and `--merge`: the grid's runs split into disjoint,
//! deterministic slices (one per array-job child) whose parts join into exactly, byte for
//! byte, what the unsharded optimize prints and writes; bisection refuses to be sharded
//! (it is sequential); a missing, duplicate or foreign part is an error naming it.

mod common;

use common::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

const MAXVCPUS: &str = "computeEnvironments[fargate].computeResources.maxvCpus";

fn scenario(dir: &Path, rate_per_hour: f64) -> String {
    let v = json!({
        "name": "mmc",
        "computeEnvironments": [fargate_ce("fargate", 8)],
        "jobQueues": [queue("q", 1, &["fargate"])],
        "jobDefinitions": [fargate_def("d", "1", "2048")],
        "workload": [poisson_stream("q", "d", rate_per_hour, 300.0, 200)],
    });
    let p = dir.join(format!("mmc-{rate_per_hour}.json"));
    std::fs::write(&p, serde_json::to_string_pretty(&v).expect("json")).expect("write");
    p.display().to_string()
}

/// The optimize flags of these tests (a grid: a stepped range and a list).
fn flags(file: &str) -> Vec<String> {
    [
        "optimize",
        file,
        "--vary",
        &format!("{MAXVCPUS}=4..12:4"),
        "--vary",
        "computeEnvironments[fargate].computeResources.type=FARGATE,FARGATE_SPOT",
        "--minimize",
        "cost",
        "--constraint",
        "waitP95 <= 600",
        "--seeds",
        "1..3",
        "--search",
        "grid",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn run(args: &[String]) -> std::process::Output {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    batchsim(&refs)
}

fn with(base: &[String], more: &[&str]) -> Vec<String> {
    base.iter().cloned().chain(more.iter().map(|s| s.to_string())).collect()
}

fn parts(dir: &Path, base: &[String], n: u32) -> Vec<PathBuf> {
    (1..=n)
        .map(|i| {
            let part = dir.join(format!("part-{i}.json"));
            let o = run(&with(
                base,
                &["--shard", &format!("{i}/{n}"), "--out", part.to_str().expect("path")],
            ));
            assert!(o.status.success(), "shard {i}: {}", String::from_utf8_lossy(&o.stderr));
            part
        })
        .collect()
}

#[test]
fn four_shards_merge_into_the_unsharded_output_byte_for_byte() {
    let d = temp_dir("optimize-shard");
    let file = scenario(&d, 60.0);
    let base = flags(&file);
    for format in ["json", "text"] {
        let best = d.join(format!("best-{format}.json"));
        let points = d.join(format!("points-{format}.csv"));
        let whole = run(&with(
            &base,
            &[
                "--format",
                format,
                "--out",
                best.to_str().expect("p"),
                "--points",
                points.to_str().expect("p"),
            ],
        ));
        assert!(whole.status.success(), "{}", String::from_utf8_lossy(&whole.stderr));
        let ps = parts(&d, &base, 4);
        // 6 points x 3 seeds = 18 runs; shard i holds runs k with k mod 4 = i - 1.
        let sizes: Vec<usize> = ps
            .iter()
            .map(|p| {
                let v: Value = serde_json::from_str(&std::fs::read_to_string(p).expect("read")).expect("json");
                assert_eq!(v["runs"], 18);
                v["samples"].as_array().expect("samples").len()
            })
            .collect();
        assert_eq!(sizes, [5, 5, 4, 4]);
        let best2 = d.join(format!("best2-{format}.json"));
        let points2 = d.join(format!("points2-{format}.csv"));
        let mut merge = with(
            &base,
            &[
                "--format",
                format,
                "--out",
                best2.to_str().expect("p"),
                "--points",
                points2.to_str().expect("p"),
                "--merge",
            ],
        );
        // In any order.
        merge.extend(ps.iter().rev().map(|p| p.display().to_string()));
        let merged = run(&merge);
        assert!(merged.status.success(), "{}", String::from_utf8_lossy(&merged.stderr));
        assert_eq!(whole.stdout, merged.stdout, "{format}: stdout byte for byte");
        assert_eq!(whole.stderr, merged.stderr, "{format}: the same notes");
        assert_eq!(
            std::fs::read(&best).expect("best"),
            std::fs::read(&best2).expect("best2")
        );
        assert_eq!(std::fs::read(&points).expect("p"), std::fs::read(&points2).expect("p2"));
    }
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn missing_duplicate_and_foreign_parts_are_errors_naming_them() {
    let d = temp_dir("optimize-shard-bad");
    let file = scenario(&d, 60.0);
    let base = flags(&file);
    let ps = parts(&d, &base, 3);
    let merge = |list: &[&PathBuf], flags: &[String]| {
        let mut args = with(flags, &["--merge"]);
        args.extend(list.iter().map(|p| p.display().to_string()));
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2));
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    let e = merge(&[&ps[0], &ps[2]], &base);
    assert!(e.contains("missing part: shard 2/3"), "{e}");
    let e = merge(&[&ps[0], &ps[1], &ps[1], &ps[2]], &base);
    assert!(e.contains("duplicate part") && e.contains("part-2.json"), "{e}");
    // The same flags on another scenario: the parts are foreign to it.
    let other = scenario(&d, 90.0);
    let e = merge(&[&ps[0], &ps[1], &ps[2]], &flags(&other));
    assert!(e.contains("foreign part") && e.contains("part-1.json"), "{e}");
    // Other flags (another confidence) on the same scenario: foreign too.
    let e = merge(&[&ps[0], &ps[1], &ps[2]], &with(&base, &["--confidence", "0.9"]));
    assert!(e.contains("foreign part"), "{e}");
    // Not a part at all.
    let e = merge(&[&PathBuf::from(&file)], &base);
    assert!(e.contains("not an optimize part") && e.contains("mmc-60.json"), "{e}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn bisection_refuses_to_be_sharded_and_a_shard_needs_a_part_file() {
    let d = temp_dir("optimize-shard-bisect");
    let file = scenario(&d, 60.0);
    let args: Vec<String> = [
        "optimize",
        &file,
        "--vary",
        &format!("{MAXVCPUS}=1..16"),
        "--minimize",
        "cost",
        "--constraint",
        "waitP95 <= 600",
        "--seeds",
        "1..2",
        "--shard",
        "1/2",
        "--out",
        d.join("p.json").to_str().expect("p"),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let o = run(&args);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("bisection, which is sequential") && e.contains("--search grid"),
        "{e}"
    );
    let o = run(&with(&flags(&file), &["--shard", "1/2"]));
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("give --out PART"));
    // `auto/N` outside an array job says which variables it reads.
    let o = run(&with(
        &flags(&file),
        &["--shard", "auto/2", "--out", d.join("q.json").to_str().expect("q")],
    ));
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("AWS_BATCH_JOB_ARRAY_INDEX"));
    let _ = std::fs::remove_dir_all(&d);
}
