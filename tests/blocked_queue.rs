//! A queue that never gets capacity (its only compute environment is DISABLED): its jobs are
//! `queued`, `neverStarted`, and its wait figures are `null` (JSON) and `-` (text), never a
//! perfect zero.

mod common;

use common::batchsim;
use serde_json::{json, Value};

fn scenario() -> String {
    format!("{}/tests/data/blocked-queue.json", env!("CARGO_MANIFEST_DIR"))
}

fn stdout(args: &[&str]) -> String {
    let out = batchsim(args);
    assert!(
        out.status.success(),
        "batchsim {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn a_starved_queue_reports_null_waits_and_queued_jobs_in_json() {
    let r: Value = serde_json::from_str(&stdout(&["run", &scenario(), "--format", "json"])).expect("JSON report");
    assert_eq!(r["endSeconds"], json!(260.0));
    assert_eq!(
        r["jobs"],
        json!({"submitted": 7, "succeeded": 3, "failed": 0, "cancelled": 0,
               "unfinished": 4, "queued": 4, "running": 0})
    );
    // The four starved jobs became RUNNABLE at 0, 60, 120 and 180 s; the run stops at 260 s.
    assert_eq!(
        r["queues"]["starved"],
        json!({"submitted": 4, "succeeded": 0, "failed": 0, "cancelled": 0,
               "unfinished": 4, "queued": 4, "running": 0,
               "waitSeconds": {"count": 0, "mean": null, "p50": null, "p90": null, "p95": null,
                               "p99": null, "max": null, "neverStarted": 4, "oldestWaitSeconds": 260.0},
               "cost": 0.0})
    );
    // The served queue's jobs all ran: real figures, nobody left waiting.
    let served = &r["queues"]["served"];
    assert_eq!(
        (served["queued"].clone(), served["running"].clone()),
        (json!(0), json!(0))
    );
    let w = &served["waitSeconds"];
    assert_eq!(
        (w["count"].clone(), w["max"].clone(), w["p50"].clone()),
        (json!(3), json!(10.0), json!(0.0))
    );
    assert_eq!(
        (w["neverStarted"].clone(), w["oldestWaitSeconds"].clone()),
        (json!(0), Value::Null)
    );
    // The run's block holds the served queue's samples and the starved queue's waiting jobs.
    let all = &r["waitSeconds"];
    assert_eq!(
        (all["count"].clone(), all["neverStarted"].clone()),
        (json!(3), json!(4))
    );
    assert_eq!(all["oldestWaitSeconds"], json!(260.0));
    // Turnaround covers the three finished jobs only.
    assert_eq!(
        (
            r["turnaroundSeconds"]["count"].clone(),
            r["turnaroundSeconds"]["max"].clone()
        ),
        (json!(3), json!(140.0))
    );
}

#[test]
fn a_starved_queue_reads_as_dashes_and_queued_jobs_in_text() {
    let text = stdout(&["run", &scenario()]);
    assert!(
        text.contains("jobs: 7 submitted, 3 succeeded, 0 failed, 0 cancelled, 4 unfinished (4 queued, 0 running)\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "  starved: 4 submitted, 0 succeeded, 0 failed, 0 cancelled, 4 unfinished (4 queued, 0 running), cost $0.00\n    wait mean -  p50 -  p90 -  p95 -  p99 -  max -  (n=0)  never started 4 (oldest waiting 4.3m)\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("(n=3)  never started 4 (oldest waiting 4.3m)\n"),
        "{text}"
    );
    assert!(text.contains("max 10.0s  (n=3)  never started 0\n"), "{text}");
}

#[test]
fn a_starved_queue_has_no_wait_figure_in_the_library_report() {
    let s = batchsim::Scenario::from_file(scenario()).expect("scenario");
    let r = batchsim::Simulation::new(&s, batchsim::Options::default())
        .expect("simulation")
        .run();
    let q = &r.queues["starved"];
    assert_eq!((q.unfinished, q.queued, q.running), (4, 4, 0));
    assert!(q.wait_seconds.stats.is_empty());
    assert_eq!((q.wait_seconds.stats.p95, q.wait_seconds.stats.mean), (None, None));
    assert_eq!(
        (q.wait_seconds.never_started, q.wait_seconds.oldest_wait_seconds),
        (4, Some(260.0))
    );
}
