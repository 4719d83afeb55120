//! Properties of the whole simulation's outputs (issue 16, item 7): over random scenarios of
//! every feature (Fargate, Fargate Spot, EC2 and Spot instances with reclaims, arrays,
//! dependencies, retries, timeouts, actions, fair share, backfilling), the per-job table
//! agrees with itself, with the per-attempt table and with the report.
//!
//! - A job row's `startedAt` and `computeEnvironment` come from one attempt: the last that
//!   reached RUNNING (CONTRACT 7.4), and `attempts` counts the attempts that reached
//!   RUNNING (AWS: "When a job is submitted to a job queue and placed into the RUNNING state
//!   that's considered an attempt").
//! - `waitSeconds` is the first dispatch minus the first RUNNABLE; a job never dispatched
//!   has none.
//! - The report's counts per run, queue and compute environment are the tables' counts; the
//!   attempts' costs plus the idle cost are the bill.

mod common;

use batchsim::report::AttemptRecord;
use batchsim::{JobId, JobRecord, JobStatus, Options, Scenario, Simulation};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

fn ce(i: usize, kind: u8, max: u32, reclaims: f64) -> Value {
    let name = format!("ce{i}");
    match kind {
        0 | 1 => json!({"computeEnvironmentName": name, "type": "MANAGED",
            "computeResources": {"type": if kind == 0 { "FARGATE" } else { "FARGATE_SPOT" }, "maxvCpus": max},
            "simulation": {"startupSeconds": 20, "interruptionsPerHour": if kind == 1 { reclaims } else { 0.0 }}}),
        _ => json!({"computeEnvironmentName": name, "type": "MANAGED",
            "computeResources": {"type": if kind == 2 { "EC2" } else { "SPOT" }, "minvCpus": 0, "maxvCpus": max * 2,
                "instanceTypes": ["m5.large", "m5.xlarge"],
                "allocationStrategy": if kind == 2 { "BEST_FIT_PROGRESSIVE" } else { "SPOT_CAPACITY_OPTIMIZED" },
                "subnets": ["subnet-1"], "instanceRole": "ecsInstanceRole"},
            "simulation": {"instanceLaunchSeconds": 90, "startupSeconds": 10, "scaleInIdleSeconds": 60,
                           "interruptionsPerHour": if kind == 3 { reclaims } else { 0.0 }}}),
    }
}

prop_compose! {
    fn scenario()(seed in any::<u64>(),
                  kinds in proptest::collection::vec((0u8..4, 1u32..=8, 0.0f64..4.0), 1..=3),
                  queues in proptest::collection::vec((0u32..4, any::<bool>(), 0u8..3), 1..=2),
                  subs in proptest::collection::vec((0u32..900, 0usize..2, 0u8..4, proptest::option::weighted(0.3, 2u32..=5),
                                                     proptest::option::weighted(0.3, 0usize..10), 0usize..3, 1u32..400), 1..14),
                  actions in proptest::collection::vec((0u32..1200, 0u8..4, 0usize..3, 1u32..=12), 0..4),
                  until in 300u32..4000)
                 -> Value {
        let n_ces = kinds.len();
        let ces: Vec<Value> = kinds.iter().enumerate().map(|(i, (k, max, r))| ce(i, *k, *max, *r)).collect();
        // Fargate CEs and EC2 CEs cannot share a queue: each queue takes the CEs of its platform.
        let fargate: Vec<usize> = (0..n_ces).filter(|i| kinds[*i].0 < 2).collect();
        let ec2: Vec<usize> = (0..n_ces).filter(|i| kinds[*i].0 >= 2).collect();
        let mut job_queues = Vec::new();
        let mut platforms = Vec::new();
        for (q, (prio, fair, backfill)) in queues.iter().enumerate() {
            let (list, platform) = if (q % 2 == 0 && !fargate.is_empty()) || ec2.is_empty() {
                (&fargate, "FARGATE")
            } else {
                (&ec2, "EC2")
            };
            let names: Vec<String> = list.iter().map(|c| format!("ce{c}")).collect();
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            let mut jq = common::queue(&format!("q{q}"), *prio, &names);
            if *fair {
                jq["schedulingPolicyArn"] = json!("arn:aws:batch:us-east-1:123456789012:scheduling-policy/fs");
            }
            // Backfilling applies to FIFO queues only.
            if !*fair {
                let mode = ["none", "easy", "greedy"][usize::from(*backfill)];
                jq["simulation"] = json!({ "backfill": mode });
            }
            job_queues.push(jq);
            platforms.push((platform, *fair));
        }
        let defs: Vec<Value> = ["FARGATE", "EC2"].iter().flat_map(|p| (0..2).map(move |i| {
            let (v, m) = [("1", "2048"), ("2", "4096")][i];
            json!({"jobDefinitionName": format!("{}{i}", p.to_lowercase()), "type": "container",
                   "platformCapabilities": [p],
                   "containerProperties": {"image": "busybox", "resourceRequirements": [
                       {"type": "VCPU", "value": v}, {"type": "MEMORY", "value": m}]},
                   "retryStrategy": {"attempts": 3, "evaluateOnExit": [
                       {"onStatusReason": "Host EC2*", "action": "RETRY"},
                       {"onStatusReason": "Your Spot*", "action": "RETRY"},
                       {"onExitCode": "2", "action": "EXIT"}]},
                   "timeout": {"attemptDurationSeconds": 600}})
        })).collect();
        let mut subs = subs;
        subs.sort_by_key(|s| s.0);
        let workload: Vec<Value> = subs.iter().enumerate().map(|(i, (at, q, share, array, dep, def, secs))| {
            let q = q % job_queues.len();
            let (platform, fair) = platforms[q];
            let mut sj = json!({"jobName": format!("s{i}"), "jobQueue": format!("q{q}"),
                                "jobDefinition": format!("{}{}", platform.to_lowercase(), def % 2)});
            if fair {
                let id = ["red", "blue", "green", "gold"][usize::from(*share)];
                sj["shareIdentifier"] = json!(id);
            }
            if let Some(size) = array {
                sj["arrayProperties"] = json!({"size": size});
            }
            if let (Some(k), true) = (dep, i > 0) {
                sj["dependsOn"] = json!([{"jobId": format!("s{}", k % i)}]);
            }
            let runtime = if def % 3 == 2 {
                json!({"distribution": "exponential", "meanSeconds": secs, "failureProbability": 0.2})
            } else {
                json!({"distribution": "fixed", "seconds": secs})
            };
            json!({"at": at, "submitJob": sj, "runtime": runtime})
        }).collect();
        let n_subs = subs.len();
        let actions: Vec<Value> = actions.iter().map(|(at, kind, target, n)| match kind {
            0 => json!({"at": at, "updateComputeEnvironment": {"computeEnvironment": format!("ce{}", target % n_ces),
                                                                 "computeResources": {"maxvCpus": n}}}),
            1 => json!({"at": at, "cancelJob": {"jobId": format!("s{}", target % n_subs), "reason": "cancelled"}}),
            2 => json!({"at": at, "terminateJob": {"jobId": format!("s{}", target % n_subs), "reason": "terminated"}}),
            _ => json!({"at": at, "updateJobQueue": {"jobQueue": format!("q{}", target % job_queues.len()), "priority": n}}),
        }).collect();
        json!({"seed": seed, "computeEnvironments": ces, "jobQueues": job_queues, "jobDefinitions": defs,
               "schedulingPolicies": [{"name": "fs", "fairsharePolicy": {"shareDecaySeconds": 600, "computeReservation": 10,
                   "shareDistribution": [{"shareIdentifier": "red", "weightFactor": 0.5}]}}],
               "workload": workload, "actions": actions, "until": until})
    }
}

/// Runs with both tables.
fn run(value: &Value) -> Result<(batchsim::Report, Vec<JobRecord>, Vec<AttemptRecord>), TestCaseError> {
    let s = Scenario::from_value(value, "prop.json").map_err(|e| TestCaseError::fail(format!("{e}\n{value:#}")))?;
    let options = Options {
        record_jobs: true,
        ..Options::default()
    };
    let mut sim = Simulation::new(&s, options).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let rows = Arc::new(Mutex::new(Vec::new()));
    let sink = rows.clone();
    sim.set_attempt_sink(move |a| sink.lock().unwrap().push(a));
    let (report, records) = sim.run_with_records();
    let attempts = std::mem::take(&mut *rows.lock().unwrap());
    Ok((report, records, attempts))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, .. ProptestConfig::default() })]

    #[test]
    fn job_rows_attempt_rows_and_report_agree(value in scenario()) {
        let (report, records, attempts) = run(&value)?;
        let mut by_job: BTreeMap<JobId, Vec<&AttemptRecord>> = BTreeMap::new();
        for a in &attempts {
            prop_assert!(a.started_at.is_none_or(|s| s >= a.dispatched_at), "{a:?}");
            prop_assert!(a.stopped_at.is_none_or(|e| a.started_at.unwrap_or(a.dispatched_at) <= e), "{a:?}");
            prop_assert!(a.cost >= 0.0, "{a:?}");
            by_job.entry(a.job_id).or_default().push(a);
        }
        for list in by_job.values_mut() {
            list.sort_by_key(|a| a.attempt);
            let numbers: Vec<u32> = list.iter().map(|a| a.attempt).collect();
            prop_assert_eq!(numbers, (1..=list.len() as u32).collect::<Vec<_>>());
        }
        prop_assert_eq!(records.len() as u64, report.jobs.submitted);
        for r in &records {
            let mine = by_job.get(&r.job_id).map(Vec::as_slice).unwrap_or_default();
            let running: Vec<&&AttemptRecord> = mine.iter().filter(|a| a.started_at.is_some()).collect();
            prop_assert_eq!(r.attempts as usize, running.len(), "{:?}", r);
            match running.last() {
                Some(last) => {
                    prop_assert_eq!(r.started_at, last.started_at, "{:?}", r);
                    prop_assert_eq!(r.compute_environment.as_deref(), Some(last.compute_environment.as_str()), "{:?}", r);
                }
                None => {
                    prop_assert_eq!(r.started_at, None);
                    prop_assert_eq!(r.compute_environment.as_deref(), mine.last().map(|a| a.compute_environment.as_str()));
                }
            }
            match mine.first() {
                Some(first) => {
                    let runnable = r.runnable_at.expect("a dispatched job was RUNNABLE");
                    prop_assert_eq!(r.wait, Some(first.dispatched_at.since(runnable)), "{:?}", r);
                }
                None => prop_assert_eq!(r.wait, None),
            }
            if r.status.is_terminal() {
                prop_assert!(mine.iter().all(|a| a.stopped_at.is_some()));
                prop_assert!(mine.last().is_none_or(|a| a.stopped_at <= r.stopped_at));
            }
            let live = mine.iter().filter(|a| a.stopped_at.is_none()).count();
            prop_assert_eq!(live, usize::from(matches!(r.status, JobStatus::Starting | JobStatus::Running)), "{:?}", r);
        }
        for (name, ce) in &report.compute_environments {
            let n = attempts.iter().filter(|a| &a.compute_environment == name).count() as u64;
            prop_assert_eq!(ce.jobs_started, n, "{}", name);
        }
        for (name, q) in &report.queues {
            let mine: Vec<&JobRecord> = records.iter().filter(|r| *r.job_queue == **name).collect();
            prop_assert_eq!(q.submitted, mine.len() as u64);
            let count = |s: JobStatus| mine.iter().filter(|r| r.status == s).count() as u64;
            prop_assert_eq!(q.succeeded, count(JobStatus::Succeeded));
            prop_assert_eq!(q.failed + q.cancelled, count(JobStatus::Failed));
            prop_assert_eq!(q.wait_seconds.stats.count, mine.iter().filter(|r| r.wait.is_some()).count() as u64);
            let cost: f64 = attempts.iter().filter(|a| &a.job_queue == name).map(|a| a.cost).sum();
            prop_assert!((cost - q.cost).abs() < 1e-9, "{}: {} vs {}", name, cost, q.cost);
            for (share, s) in &q.shares {
                let n = mine.iter().filter(|r| *r.share_identifier == **share).count() as u64;
                prop_assert_eq!(s.submitted, n, "{}/{}", name, share);
            }
        }
        let billed: f64 = attempts.iter().map(|a| a.cost).sum();
        prop_assert!((billed + report.cost.idle - report.cost.total).abs() < 1e-6,
            "{} + {} != {}", billed, report.cost.idle, report.cost.total);
    }
}
