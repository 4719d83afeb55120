//! Fair-share scheduling (CONTRACT sections 6 and 7.7): weights at saturation, the order of
//! starts, `computeReservation`, decay, scheduling priorities, submission and policy rules,
//! custom policies, and the bundled FIFO vs fair-share scenarios.

mod common;

use batchsim::{JobRecord, Options, Report, Scenario, Simulation};
use common::*;
use serde_json::{json, Value};

/// A fair-share scheduling policy (CreateSchedulingPolicy).
fn policy(name: &str, decay: u64, reservation: u32, weights: &[(&str, f64)]) -> Value {
    let dist: Vec<Value> = weights
        .iter()
        .map(|(s, w)| json!({"shareIdentifier": s, "weightFactor": w}))
        .collect();
    json!({"name": name, "fairsharePolicy": {"shareDecaySeconds": decay, "computeReservation": reservation,
                                             "shareDistribution": dist}})
}

/// A job queue with a scheduling policy.
fn fair_queue(name: &str, policy: &str, ces: &[&str]) -> Value {
    let mut q = queue(name, 1, ces);
    q["schedulingPolicyArn"] = json!(format!(
        "arn:aws:batch:us-east-1:123456789012:scheduling-policy/{policy}"
    ));
    q
}

/// `count` jobs of share `share` submitted at `at` (one workload entry per job, in order).
fn jobs_at(at: f64, name: &str, q: &str, def: &str, share: Option<&str>, count: usize, secs: f64) -> Vec<Value> {
    (0..count)
        .map(|_| {
            let mut s = json!({"jobName": name, "jobQueue": q, "jobDefinition": def});
            if let Some(share) = share {
                s["shareIdentifier"] = json!(share);
            }
            json!({"at": at, "submitJob": s, "runtime": {"distribution": "fixed", "seconds": secs}})
        })
        .collect()
}

/// Share identifiers (job names on FIFO queues) in the order the jobs started RUNNING.
fn start_order(records: &[JobRecord], key: impl Fn(&JobRecord) -> String) -> Vec<String> {
    let mut started: Vec<&JobRecord> = records.iter().filter(|r| r.started_at.is_some()).collect();
    started.sort_by_key(|r| (r.started_at, r.job_id));
    started.iter().map(|r| key(r)).collect()
}

fn secs(t: Option<batchsim::SimTime>) -> f64 {
    t.map_or(f64::NAN, |t| t.as_secs_f64())
}

// ---------------------------------------------------------------------------------------
// Weights at saturation
// ---------------------------------------------------------------------------------------

/// Both shares keep a backlog for the whole run: `every` streams that submit faster than the
/// compute environment can serve either of them alone.
fn saturated(w_a: f64, w_b: f64, vcpus: u32, hours: f64) -> Report {
    let mean = 300.0;
    // One share alone could use the whole CE: vcpus / mean jobs per second; submit 1.5x that.
    let gap = mean / f64::from(vcpus) / 1.5;
    let until = hours * 3600.0;
    let stream = |share: &str| {
        json!({"arrivals": {"process": "every", "seconds": gap}, "start": 0, "end": until,
               "submitJob": {"jobName": share, "jobQueue": "q", "jobDefinition": "d", "shareIdentifier": share},
               "runtime": {"distribution": "exponential", "meanSeconds": mean}})
    };
    // A backlog from the first instant: an array of `vcpus` jobs per share at t = 0.
    let backlog = |share: &str| {
        json!({"at": 0, "submitJob": {"jobName": share, "jobQueue": "q", "jobDefinition": "d", "shareIdentifier": share,
                                      "arrayProperties": {"size": vcpus}},
               "runtime": {"distribution": "exponential", "meanSeconds": mean}})
    };
    let scenario = json!({
        "seed": 7, "until": until,
        "computeEnvironments": [fargate_ce("ce", vcpus)],
        "schedulingPolicies": [policy("fs", 600, 0, &[("A", w_a), ("B", w_b)])],
        "jobQueues": [fair_queue("q", "fs", &["ce"])],
        "jobDefinitions": [fargate_def("d", "1", "2048")],
        "workload": [backlog("A"), backlog("B"), stream("A"), stream("B")],
    });
    run(&scenario)
}

/// At saturation the scores `w x (R + H/D)` equalize with `H/D` near `R`, so `R_A / R_B =
/// w_B / w_A`. R moves in whole jobs (1 vCPU), so the split settles on whole vCPUs near the
/// target (e.g. 8:1 on 128 vCPUs wants A = 14.2, B = 113.8): observed B/A 1.0000, 1.977,
/// 7.918 and 0.2549, within 2% of 1, 2, 8 and 0.25.
#[test]
fn at_saturation_vcpu_seconds_follow_the_inverse_weights() {
    for (w_a, w_b) in [(1.0, 1.0), (1.0, 0.5), (1.0, 0.125), (0.25, 1.0)] {
        let vcpus = 128;
        let hours = 12.0;
        let r = saturated(w_a, w_b, vcpus, hours);
        let (a, b) = (&r.shares["A"], &r.shares["B"]);
        // Saturation: each share still has jobs queued at the end, and the CE was full.
        assert!(a.submitted > a.succeeded + u64::from(vcpus), "A ran out of backlog");
        assert!(b.submitted > b.succeeded + u64::from(vcpus), "B ran out of backlog");
        let util = r.compute_environments["ce"].utilization_of_max;
        assert!(util > 0.99, "CE not saturated: {util}");
        let got = b.vcpu_seconds / a.vcpu_seconds;
        let want = w_a / w_b;
        let err = (got - want) / want;
        eprintln!(
            "weights {w_a}:{w_b}: vCPU-s A {:.0} B {:.0}, B/A {got:.4} (want {want}, {:+.2}%)",
            a.vcpu_seconds,
            b.vcpu_seconds,
            err * 100.0
        );
        assert!(err.abs() < 0.03, "weights {w_a}:{w_b}: B/A = {got}, want {want}");
    }
}

// ---------------------------------------------------------------------------------------
// The order of starts
// ---------------------------------------------------------------------------------------

/// One 1-vCPU slot, 100 s jobs: A's five jobs are submitted at t = 0, B's five at t = 1.
fn alternation_scenario(fair: bool) -> Value {
    let (q, share_a, share_b) = if fair {
        (fair_queue("q", "fs", &["ce"]), Some("A"), Some("B"))
    } else {
        (queue("q", 1, &["ce"]), None, None)
    };
    let mut workload = jobs_at(0.0, "A", "q", "d", share_a, 5, 100.0);
    workload.extend(jobs_at(1.0, "B", "q", "d", share_b, 5, 100.0));
    json!({
        "computeEnvironments": [fargate_ce("ce", 1)],
        "schedulingPolicies": [policy("fs", 600, 0, &[])],
        "jobQueues": [q],
        "jobDefinitions": [fargate_def("d", "1", "2048")],
        "workload": workload,
    })
}

#[test]
fn equal_weights_alternate_starts_although_a_submitted_first() {
    let (r, records) = run_records(&alternation_scenario(true));
    assert_eq!(r.jobs.succeeded, 10);
    let order = start_order(&records, |j| j.share_identifier.to_string());
    assert_eq!(order, ["A", "B", "A", "B", "A", "B", "A", "B", "A", "B"]);
    // One slot, no startup: a start every 100 s.
    let mut starts: Vec<f64> = records.iter().map(|j| secs(j.started_at)).collect();
    starts.sort_by(f64::total_cmp);
    assert_eq!(
        starts,
        [0.0, 100.0, 200.0, 300.0, 400.0, 500.0, 600.0, 700.0, 800.0, 900.0]
    );
    // B's k-th job starts at 100 (2k + 1): waits 99, 299, ..., 899 s.
    assert_eq!(
        r.shares["B"].wait_seconds.stats.mean,
        Some((99.0 + 299.0 + 499.0 + 699.0 + 899.0) / 5.0)
    );
    assert_eq!(
        r.shares["A"].wait_seconds.stats.mean,
        Some((0.0 + 200.0 + 400.0 + 600.0 + 800.0) / 5.0)
    );

    // The same workload on a FIFO queue runs all of A first.
    let (_, fifo) = run_records(&alternation_scenario(false));
    let order = start_order(&fifo, |j| j.job_name.to_string());
    assert_eq!(order, ["A", "A", "A", "A", "A", "B", "B", "B", "B", "B"]);
}

/// R counts from dispatch: a job still STARTING (Fargate task start) counts for its share.
#[test]
fn a_starting_job_counts_in_its_shares_r() {
    let mut ce = fargate_ce("ce", 2);
    ce["simulation"]["startupSeconds"] = json!(30);
    let mut workload = jobs_at(0.0, "A", "q", "d", Some("A"), 1, 100.0);
    workload.extend(jobs_at(10.0, "A", "q", "d", Some("A"), 1, 100.0));
    workload.extend(jobs_at(10.0, "B", "q", "d", Some("B"), 1, 100.0));
    let scenario = json!({
        "computeEnvironments": [ce],
        "schedulingPolicies": [policy("fs", 600, 0, &[])],
        "jobQueues": [fair_queue("q", "fs", &["ce"])],
        "jobDefinitions": [fargate_def("d", "1", "2048")],
        "workload": workload,
    });
    let (r, records) = run_records(&scenario);
    // At 10 s A's first job is STARTING (R_A = 1, H_A = 0): B (score 0) takes the second
    // vCPU, A's second job waits until 130 s.
    let started: Vec<(String, f64)> = records
        .iter()
        .map(|j| (j.job_name.to_string(), secs(j.started_at)))
        .collect();
    assert_eq!(
        started,
        [
            ("A".to_string(), 30.0),
            ("A".to_string(), 160.0),
            ("B".to_string(), 40.0)
        ]
    );
    // vcpuSeconds count RUNNING time only (100 s per job, the 30 s starts excluded).
    assert_eq!(r.shares["A"].vcpu_seconds, 200.0);
    assert_eq!(r.shares["B"].vcpu_seconds, 100.0);
}

// ---------------------------------------------------------------------------------------
// computeReservation
// ---------------------------------------------------------------------------------------

fn in_use(sim: &Simulation) -> Vec<f64> {
    sim.compute_environment_usage().iter().map(|c| c.vcpus_in_use).collect()
}

/// c = 50 on an 8-vCPU CE: one active share may hold 8 x (1 - 0.5) = 4 vCPUs, two active
/// shares 8 x (1 - 0.25) = 6.
#[test]
fn compute_reservation_keeps_capacity_for_a_share_that_arrives_later() {
    let mut workload = jobs_at(0.0, "a", "q", "d", Some("A"), 8, 1000.0);
    workload.extend(jobs_at(100.0, "b", "q", "d", Some("B"), 3, 300.0));
    let scenario = json!({
        "computeEnvironments": [fargate_ce("ce", 8)],
        "schedulingPolicies": [policy("fs", 600, 50, &[])],
        "jobQueues": [fair_queue("q", "fs", &["ce"])],
        "jobDefinitions": [fargate_def("d", "1", "2048")],
        "workload": workload,
    });
    let at = |s: u64| batchsim::SimTime::from_millis(s * 1000);
    let mut sim = Simulation::new(&load(&scenario), Options::default()).unwrap();
    sim.run_until(at(50));
    // A alone: 4 of 8 vCPUs, the rest idle although A has 4 more jobs RUNNABLE.
    assert_eq!(in_use(&sim), [4.0]);
    assert_eq!(sim.queue_depths(), [("q".to_string(), 4)]);
    sim.run_until(at(100));
    // B arrives: A = 2 active shares, the limit is 6: two of B's three jobs start at once.
    assert_eq!(in_use(&sim), [6.0]);
    assert_eq!(sim.queue_depths(), [("q".to_string(), 5)]);
    sim.run_until(at(399));
    assert_eq!(in_use(&sim), [6.0]);
    // At 400 B's two jobs end. B is still active (one job RUNNABLE) and has the lower score:
    // its third job starts (5 vCPUs), then A's fifth fits the limit of 6.
    sim.run_until(at(400));
    assert_eq!(in_use(&sim), [6.0]);
    assert_eq!(sim.queue_depths(), [("q".to_string(), 3)]);
    // At 700 B's last job ends, but B stays active until the decay period (600 s) has passed,
    // until 1300 (CONTRACT 7.7): A is still 2, the limit 6, so A's sixth starts (A holds 6).
    sim.run_until(at(700));
    assert_eq!(in_use(&sim), [6.0]);
    assert_eq!(sim.queue_depths(), [("q".to_string(), 2)]);
    // At 1000 A's first four end: A holds 2, its last two start (2 + 2 = 4).
    sim.run_until(at(1000));
    assert_eq!(in_use(&sim), [4.0]);
    assert_eq!(sim.queue_depths(), [("q".to_string(), 0)]);
    let r = sim.run();
    assert_eq!(r.end_seconds, 2000.0);
    let b = &r.shares["B"].wait_seconds.stats;
    // B's first two jobs waited 0 s, the third 300 s.
    assert_eq!((b.count, b.p50, b.max), (3, Some(0.0), Some(300.0)));
    let a = &r.shares["A"].wait_seconds.stats;
    // A: four at 0, one at 400, one at 700, two at 1000.
    assert_eq!(
        (a.count, a.mean, a.max),
        (8, Some((400.0 + 700.0 + 2.0 * 1000.0) / 8.0), Some(1000.0))
    );
    assert_eq!(
        r.compute_environments["ce"].vcpu_seconds_used,
        8.0 * 1000.0 + 3.0 * 300.0
    );
}

/// AWS (fair-share scheduling): "After the period of time for decay expires, a share
/// identifier is considered inactive." c = 50 on 8 vCPUs: limit 8 x (1 - 0.5^A), 4 with one
/// active share, 6 with two. Jobs of 1 vCPU, all submitted at 0: A1 (800 s), A2..A7 (2000 s),
/// B1 (100 s); shareDecaySeconds 600.
/// - t=0: A = 2, limit 6. Scores tie at 0, `A` < `B`: A1, then B1 (R 0 < 1), then A2..A5:
///   6 vCPUs held; A6 waits.
/// - t=100: B1 ends; B stays active until 100 + 600 = 700: limit 6, A6 starts (held 6)
///   (before the rule: A = 1 at once, limit 4, A6 waited).
/// - t=700: B is inactive, limit 4. t=800: A1 ends, A holds 5 > 4: A7 waits (with B still
///   active it would start here).
/// - t=2000: A2..A5 end, A holds 1 (A6 until 2100): A7 starts.
#[test]
fn a_share_stays_active_for_the_decay_period_after_its_last_job_ended() {
    let mut workload = jobs_at(0.0, "a1", "q", "d", Some("A"), 1, 800.0);
    workload.extend(jobs_at(0.0, "a", "q", "d", Some("A"), 6, 2000.0));
    workload.extend(jobs_at(0.0, "b", "q", "d", Some("B"), 1, 100.0));
    let scenario = json!({
        "computeEnvironments": [fargate_ce("ce", 8)],
        "schedulingPolicies": [policy("fs", 600, 50, &[])],
        "jobQueues": [fair_queue("q", "fs", &["ce"])],
        "jobDefinitions": [fargate_def("d", "1", "2048")],
        "workload": workload,
    });
    let (r, records) = run_records(&scenario);
    let starts: Vec<f64> = records.iter().map(|j| secs(j.started_at)).collect();
    // Ids 1..7 are A1..A7, id 8 is B1.
    assert_eq!(starts, [0.0, 0.0, 0.0, 0.0, 0.0, 100.0, 2000.0, 0.0]);
    // A7 ends at 4000; the wake-up at B's expiry (700) does not end the run.
    assert_eq!(r.end_seconds, 4000.0);
}

/// The reservation applies per compute environment; a CE that fails the check is skipped for
/// the next one (CONTRACT 7.7).
#[test]
fn compute_reservation_is_per_compute_environment() {
    let scenario = json!({
        "computeEnvironments": [fargate_ce("first", 4), fargate_ce("second", 4)],
        "schedulingPolicies": [policy("fs", 600, 50, &[])],
        "jobQueues": [fair_queue("q", "fs", &["first", "second"])],
        "jobDefinitions": [fargate_def("d", "1", "2048")],
        "workload": jobs_at(0.0, "a", "q", "d", Some("A"), 8, 1000.0),
    });
    let mut sim = Simulation::new(&load(&scenario), Options::default()).unwrap();
    sim.run_until(batchsim::SimTime::from_millis(1));
    // 4 x (1 - 0.5) = 2 on each.
    assert_eq!(in_use(&sim), [2.0, 2.0]);
    let (r, records) = run_records(&scenario);
    let per_ce = |ce: &str| {
        records
            .iter()
            .filter(|j| j.compute_environment.as_deref() == Some(ce))
            .count()
    };
    assert_eq!((per_ce("first"), per_ce("second")), (4, 4));
    assert_eq!(r.end_seconds, 2000.0);
}

// ---------------------------------------------------------------------------------------
// Decay
// ---------------------------------------------------------------------------------------

/// The fair-share formula on one 1-vCPU slot with jobs of `len` seconds, computed here from
/// the contract: at each start the slot is free (R = 0 for everyone), so the share with the
/// lowest `w x H/D` goes next, `H(t) = sum over its past runs [s, e] of D (e^-(t-e)/D -
/// e^-(t-s)/D)`; ties by identifier. `backlog`: (share, weight, jobs queued at `t0`, past runs).
/// A share in [`reference_order`]: identifier, weight, jobs queued, past runs `[s, e]`.
type ShareBacklog<'a> = (&'a str, f64, usize, Vec<(f64, f64)>);

fn reference_order(d: f64, t0: f64, len: f64, backlog: &[ShareBacklog<'_>]) -> Vec<String> {
    let mut left: Vec<usize> = backlog.iter().map(|b| b.2).collect();
    let mut past: Vec<Vec<(f64, f64)>> = backlog.iter().map(|b| b.3.clone()).collect();
    let mut order = Vec::new();
    let mut t = t0;
    while left.iter().any(|&n| n > 0) {
        let h_over_d = |runs: &[(f64, f64)]| -> f64 {
            runs.iter()
                .map(|&(s, e)| (-(t - e) / d).exp() - (-(t - s) / d).exp())
                .sum()
        };
        let pick = (0..backlog.len())
            .filter(|&i| left[i] > 0)
            .min_by(|&i, &j| {
                let (si, sj) = (backlog[i].1 * h_over_d(&past[i]), backlog[j].1 * h_over_d(&past[j]));
                si.total_cmp(&sj).then(backlog[i].0.cmp(backlog[j].0))
            })
            .unwrap();
        order.push(backlog[pick].0.to_string());
        left[pick] -= 1;
        past[pick].push((t, t + len));
        t += len;
    }
    order
}

/// B used the whole CE (1 vCPU) from 0 to 1800 s; at 5400 s (an hour after) A and B each
/// queue 6 jobs of 100 s. `with_past = false` is the control where B never ran before.
fn decay_run(decay: u64, with_past: bool) -> Vec<String> {
    let mut workload = Vec::new();
    if with_past {
        workload.extend(jobs_at(0.0, "past", "q", "d", Some("B"), 1, 1800.0));
    }
    workload.extend(jobs_at(5400.0, "now", "q", "d", Some("A"), 6, 100.0));
    workload.extend(jobs_at(5400.0, "now", "q", "d", Some("B"), 6, 100.0));
    let scenario = json!({
        "computeEnvironments": [fargate_ce("ce", 1)],
        "schedulingPolicies": [policy("fs", decay, 0, &[])],
        "jobQueues": [fair_queue("q", "fs", &["ce"])],
        "jobDefinitions": [fargate_def("d", "1", "2048")],
        "workload": workload,
    });
    let (_, records) = run_records(&scenario);
    let now: Vec<JobRecord> = records.into_iter().filter(|j| &*j.job_name == "now").collect();
    start_order(&now, |j| j.share_identifier.to_string())
}

#[test]
fn usage_an_hour_ago_has_decayed_away_with_the_default_window() {
    let past = vec![(0.0, 1800.0)];
    // D = 600: what is left of B's 1800 vCPU-s an hour later is H/D = (1 - e^-3) e^-6.
    let residual = (1.0 - (-3.0f64).exp()) * (-6.0f64).exp();
    assert!((residual - 0.002355).abs() < 1e-6, "{residual}");
    let want = reference_order(
        600.0,
        5400.0,
        100.0,
        &[("A", 1.0, 6, vec![]), ("B", 1.0, 6, past.clone())],
    );
    assert_eq!(want, ["A", "B", "A", "B", "A", "B", "A", "B", "A", "B", "A", "B"]);
    let got = decay_run(600, true);
    assert_eq!(got, want, "engine vs the formula, D = 600");
    // Exactly what happens when B has no past at all: B is not penalised.
    assert_eq!(decay_run(600, false), want);
    assert_eq!(
        reference_order(600.0, 5400.0, 100.0, &[("A", 1.0, 6, vec![]), ("B", 1.0, 6, vec![])]),
        want
    );

    // With the longest window (7 days) the same past still counts: A runs until its own
    // usage passes B's old 1800 vCPU-s (18 jobs would; it only has 6), B waits for all of A.
    let long = 604_800;
    let want_long = reference_order(
        long as f64,
        5400.0,
        100.0,
        &[("A", 1.0, 6, vec![]), ("B", 1.0, 6, past)],
    );
    assert_eq!(want_long, ["A", "A", "A", "A", "A", "A", "B", "B", "B", "B", "B", "B"]);
    assert_eq!(decay_run(long, true), want_long, "engine vs the formula, D = 604800");
}

/// `updateJobQueue` with another `schedulingPolicyArn`: the new policy's weights and decay
/// time apply from then on, and the shares' usage so far is kept.
#[test]
fn a_policy_change_brings_its_own_decay_time() {
    let switch = |at: f64| {
        let mut workload = jobs_at(0.0, "past", "q", "d", Some("B"), 1, 1800.0);
        workload.extend(jobs_at(5400.0, "now", "q", "d", Some("A"), 6, 100.0));
        workload.extend(jobs_at(5400.0, "now", "q", "d", Some("B"), 6, 100.0));
        let scenario = json!({
            "computeEnvironments": [fargate_ce("ce", 1)],
            "schedulingPolicies": [policy("short", 600, 0, &[]), policy("long", 604_800, 0, &[])],
            "jobQueues": [fair_queue("q", "short", &["ce"])],
            "jobDefinitions": [fargate_def("d", "1", "2048")],
            "workload": workload,
            "actions": [{"at": at, "updateJobQueue": {"jobQueue": "q", "schedulingPolicyArn": "long"}}],
        });
        let (_, records) = run_records(&scenario);
        let now: Vec<JobRecord> = records.into_iter().filter(|j| &*j.job_name == "now").collect();
        start_order(&now, |j| j.share_identifier.to_string())
    };
    // Switched before anything ran: exactly the 7-day window of the decay test.
    let want = reference_order(
        604_800.0,
        5400.0,
        100.0,
        &[("A", 1.0, 6, vec![]), ("B", 1.0, 6, vec![(0.0, 1800.0)])],
    );
    assert_eq!(switch(0.0), want);
    // Switched at 1800 s: B's usage decayed with D = 600 until then (H = 600 (1 - e^-3) =
    // 570 vCPU-s), then barely decays. A needs 6 jobs (600 vCPU-s) to pass it.
    assert_eq!(
        switch(1800.0),
        ["A", "A", "A", "A", "A", "A", "B", "B", "B", "B", "B", "B"]
    );
    // Switched at 5000 s, when B's usage had already decayed to 570 e^-(3200/600) = 2.8
    // vCPU-s: what decayed stays decayed, and A passes it with its first job.
    assert_eq!(switch(5000.0)[..4], ["A", "B", "A", "B"]);
}

/// Decay during a long backlog, more shares and weights: the engine's start order equals the
/// formula's, job by job.
#[test]
fn start_order_matches_the_formula_with_weights_and_history() {
    let d = 900.0;
    let mut workload = jobs_at(0.0, "past", "q", "d", Some("C"), 1, 700.0);
    workload.extend(jobs_at(1000.0, "now", "q", "d", Some("A"), 10, 100.0));
    workload.extend(jobs_at(1000.0, "now", "q", "d", Some("B"), 10, 100.0));
    workload.extend(jobs_at(1000.0, "now", "q", "d", Some("C"), 10, 100.0));
    let scenario = json!({
        "computeEnvironments": [fargate_ce("ce", 1)],
        "schedulingPolicies": [policy("fs", 900, 0, &[("A", 1.0), ("B", 0.5), ("C", 0.25)])],
        "jobQueues": [fair_queue("q", "fs", &["ce"])],
        "jobDefinitions": [fargate_def("d", "1", "2048")],
        "workload": workload,
    });
    let (_, records) = run_records(&scenario);
    let now: Vec<JobRecord> = records.into_iter().filter(|j| &*j.job_name == "now").collect();
    let got = start_order(&now, |j| j.share_identifier.to_string());
    let want = reference_order(
        d,
        1000.0,
        100.0,
        &[
            ("A", 1.0, 10, vec![]),
            ("B", 0.5, 10, vec![]),
            ("C", 0.25, 10, vec![(0.0, 700.0)]),
        ],
    );
    eprintln!("{}", want.join(""));
    assert_eq!(got, want);
}

// ---------------------------------------------------------------------------------------
// Scheduling priority inside a share
// ---------------------------------------------------------------------------------------

fn with_priority(mut def: Value, priority: u32) -> Value {
    def["schedulingPriority"] = json!(priority);
    def
}

#[test]
fn scheduling_priority_and_override_order_jobs_inside_a_share_only() {
    let job = |at: f64, name: &str, share: &str, def: &str, over: Option<u32>| {
        let mut s = json!({"jobName": name, "jobQueue": "q", "jobDefinition": def, "shareIdentifier": share});
        if let Some(o) = over {
            s["schedulingPriorityOverride"] = json!(o);
        }
        json!({"at": at, "submitJob": s, "runtime": {"distribution": "fixed", "seconds": 100}})
    };
    let scenario = json!({
        "computeEnvironments": [fargate_ce("ce", 1)],
        "schedulingPolicies": [policy("fs", 600, 0, &[])],
        "jobQueues": [fair_queue("q", "fs", &["ce"])],
        "jobDefinitions": [with_priority(fargate_def("low", "1", "2048"), 1),
                           with_priority(fargate_def("high", "1", "2048"), 9)],
        "workload": [
            job(0.0, "blocker", "A", "low", None),
            job(1.0, "l1", "A", "low", None),
            job(1.0, "h1", "A", "high", None),
            job(1.0, "l2", "A", "low", None),
            job(1.0, "o1", "A", "low", Some(50)),
            job(1.0, "h2", "A", "high", None),
            // Another share's low-priority job: priorities do not cross shares, so B (no
            // usage yet) goes before all of A's higher-priority jobs.
            job(1.0, "b", "B", "low", None),
        ],
    });
    let (_, records) = run_records(&scenario);
    let order = start_order(&records, |j| j.job_name.to_string());
    assert_eq!(order, ["blocker", "b", "o1", "h1", "h2", "l1", "l2"]);

    // On a FIFO queue priorities do not apply: submission order.
    let mut fifo = scenario.clone();
    fifo["jobQueues"] = json!([queue("q", 1, &["ce"])]);
    for w in fifo["workload"].as_array_mut().unwrap() {
        let s = w["submitJob"].as_object_mut().unwrap();
        s.remove("shareIdentifier");
        s.remove("schedulingPriorityOverride");
    }
    let (_, records) = run_records(&fifo);
    let order = start_order(&records, |j| j.job_name.to_string());
    assert_eq!(order, ["blocker", "l1", "h1", "l2", "o1", "h2", "b"]);
}

// ---------------------------------------------------------------------------------------
// Submission rules
// ---------------------------------------------------------------------------------------

fn problems(scenario: &Value) -> Vec<(String, String)> {
    match Scenario::from_value(scenario, "bad.json") {
        Ok(_) => panic!("scenario accepted: {scenario}"),
        Err(e) => e
            .problems()
            .iter()
            .map(|p| (p.path.clone(), p.message.clone()))
            .collect(),
    }
}

fn two_queue_scenario() -> Value {
    json!({
        "computeEnvironments": [fargate_ce("ce", 4)],
        "schedulingPolicies": [policy("fs", 600, 0, &[])],
        "jobQueues": [fair_queue("fair", "fs", &["ce"]), queue("fifo", 1, &["ce"])],
        "jobDefinitions": [fargate_def("d", "1", "2048")],
        "workload": [],
    })
}

/// Submissions that break the shareIdentifier rules, with the JSON path and reason.
fn bad_submissions() -> Vec<(&'static str, Value, String, &'static str)> {
    let mut missing = two_queue_scenario();
    missing["workload"] = json!([
        jobs_at(0.0, "g", "fifo", "d", None, 1, 10.0)[0],
        jobs_at(0.0, "f", "fair", "d", None, 1, 10.0)[0],
    ]);
    let mut present = two_queue_scenario();
    present["workload"] = json!([jobs_at(0.0, "g", "fifo", "d", Some("A"), 1, 10.0)[0]]);
    // The same rules for a stream's template.
    let mut stream = two_queue_scenario();
    stream["workload"] = json!([{"arrivals": {"process": "every", "seconds": 10}, "count": 3,
        "submitJob": {"jobName": "s", "jobQueue": "fair", "jobDefinition": "d"},
        "runtime": {"distribution": "fixed", "seconds": 10}}]);
    vec![
        (
            "share-missing",
            missing,
            "workload[1].submitJob".into(),
            "missing `shareIdentifier`",
        ),
        (
            "share-on-fifo",
            present,
            "workload[0].submitJob.shareIdentifier".into(),
            "is FIFO",
        ),
        (
            "stream-share-missing",
            stream,
            "workload[0].submitJob".into(),
            "missing `shareIdentifier`",
        ),
    ]
}

#[test]
fn share_identifier_is_required_on_fair_share_queues_and_refused_on_fifo_ones() {
    let mut ok = two_queue_scenario();
    ok["workload"] = json!([
        jobs_at(0.0, "f", "fair", "d", Some("A"), 1, 10.0)[0],
        jobs_at(0.0, "g", "fifo", "d", None, 1, 10.0)[0],
    ]);
    assert!(Scenario::from_value(&ok, "ok.json").is_ok());
    for (tag, scenario, path, needle) in bad_submissions() {
        let list = problems(&scenario);
        assert!(
            list.iter().any(|(p, m)| *p == path && m.contains(needle)),
            "{tag}: no problem at {path} containing {needle:?}: {list:?}"
        );
    }
}

#[test]
fn the_501st_active_share_identifier_is_refused_at_run_time() {
    let shares = 510;
    let mut workload: Vec<Value> = (0..shares)
        .map(|i| jobs_at(0.0, "j", "q", "d", Some(&format!("s{i:03}")), 1, 600.0).remove(0))
        .collect();
    // A share already active is still accepted.
    workload.push(jobs_at(0.0, "again", "q", "d", Some("s000"), 1, 600.0).remove(0));
    // The first 500 shares' jobs end at 600 s; the shares stay active for the decay period
    // (600 s, CONTRACT 7.7), until 1200: a new share at 1100 is refused, one at 1200 accepted.
    workload.push(jobs_at(1100.0, "early", "q", "d", Some("early"), 1, 600.0).remove(0));
    workload.push(jobs_at(1200.0, "later", "q", "d", Some("late"), 1, 600.0).remove(0));
    let scenario = json!({
        "computeEnvironments": [fargate_ce("ce", 1024)],
        "schedulingPolicies": [policy("fs", 600, 0, &[])],
        "jobQueues": [fair_queue("q", "fs", &["ce"])],
        "jobDefinitions": [fargate_def("d", "1", "2048")],
        "workload": workload,
    });
    let r = run(&scenario);
    let refused: Vec<&String> = r
        .warnings
        .iter()
        .filter(|w| w.contains("500 active share identifiers"))
        .collect();
    assert_eq!(refused.len(), shares - 500 + 1, "{:?}", r.warnings);
    assert!(refused[0].contains("`s500`"), "{}", refused[0]);
    assert!(refused[shares - 501].contains("`s509`"));
    assert!(refused.last().unwrap().contains("`early`"));
    assert_eq!(r.jobs.submitted, 500 + 2);
    assert_eq!(r.jobs.succeeded, 502);
    assert_eq!(r.shares.len(), 501, "refused shares do not appear in the report");
    assert!(!r.shares.contains_key("s500"));
    assert_eq!(r.shares["s000"].submitted, 2);
    assert_eq!(r.shares["late"].submitted, 1);
}

// ---------------------------------------------------------------------------------------
// Invalid scheduling policies
// ---------------------------------------------------------------------------------------

fn with_policy(fairshare: Value) -> Value {
    let mut s = two_queue_scenario();
    s["schedulingPolicies"] = json!([{"name": "fs", "fairsharePolicy": fairshare}]);
    s
}

const DIST: &str = "schedulingPolicies[0].fairsharePolicy.shareDistribution";

/// Each bad policy, the JSON path the error names, and a piece of the reason.
fn bad_policies() -> Vec<(&'static str, Value, String, &'static str)> {
    let mut unknown = two_queue_scenario();
    unknown["jobQueues"][0]["schedulingPolicyArn"] =
        json!("arn:aws:batch:us-east-1:123456789012:scheduling-policy/fss");
    vec![
        (
            "prefix-over-identifier",
            with_policy(json!({"shareDistribution": [
                {"shareIdentifier": "team*", "weightFactor": 1}, {"shareIdentifier": "teamA", "weightFactor": 0.5}]})),
            format!("{DIST}[1].shareIdentifier"),
            "`teamA` overlaps `team*`",
        ),
        (
            "prefix-over-prefix",
            with_policy(json!({"shareDistribution": [
                {"shareIdentifier": "team*"}, {"shareIdentifier": "te*"}]})),
            format!("{DIST}[1].shareIdentifier"),
            "`te*` overlaps `team*`",
        ),
        (
            "weight-zero",
            with_policy(json!({"shareDistribution": [{"shareIdentifier": "A", "weightFactor": 0}]})),
            format!("{DIST}[0].weightFactor"),
            "must be from 0.0001 to 999.9999",
        ),
        (
            "reservation-100",
            with_policy(json!({"computeReservation": 100})),
            "schedulingPolicies[0].fairsharePolicy.computeReservation".into(),
            "100",
        ),
        (
            "decay-too-long",
            with_policy(json!({"shareDecaySeconds": 604_801})),
            "schedulingPolicies[0].fairsharePolicy.shareDecaySeconds".into(),
            "604801",
        ),
        (
            "unknown-policy",
            unknown,
            "jobQueues[0].schedulingPolicyArn".into(),
            "did you mean `fs`?",
        ),
    ]
}

#[test]
fn invalid_policies_are_errors_with_the_json_path() {
    for (tag, scenario, path, needle) in bad_policies() {
        let list = problems(&scenario);
        assert!(
            list.iter().any(|(p, m)| *p == path && m.contains(needle)),
            "{tag}: no problem at {path} containing {needle:?}: {list:?}"
        );
    }
    // The limits themselves are valid.
    let edge = with_policy(json!({"shareDecaySeconds": 604_800, "computeReservation": 99,
        "shareDistribution": [{"shareIdentifier": "team*", "weightFactor": 0.0001},
                              {"shareIdentifier": "other", "weightFactor": 999.9999},
                              {"shareIdentifier": "tea"}]}));
    Scenario::from_value(&edge, "edge.json").unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn invalid_policies_and_submissions_exit_2_from_the_command_line() {
    let dir = std::env::temp_dir().join(format!("batchsim-fair-share-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (tag, scenario, path, needle) in bad_policies().into_iter().chain(bad_submissions()) {
        let file = dir.join(format!("{tag}.json"));
        std::fs::write(&file, serde_json::to_string_pretty(&scenario).unwrap()).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_batchsim"))
            .arg("validate")
            .arg(&file)
            .output()
            .expect("run batchsim");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{tag}: {err}");
        assert!(!err.contains("panicked"), "{tag}: {err}");
        let line = format!("{tag}.json: {path}: ");
        assert!(
            err.contains(&line) && err.contains(needle),
            "{tag}: stderr lacks {line:?} / {needle:?}:\n{err}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------------
// Custom policies
// ---------------------------------------------------------------------------------------

use batchsim::policy::{FairShare, JobPolicy, QueueView, QueuedJob, RunnableSet};

/// Always serves the lexicographically last share that has work (its first job).
struct LastShareFirst;

impl JobPolicy for LastShareFirst {
    fn pick<'a>(&mut self, view: &QueueView<'a>) -> Option<&'a QueuedJob> {
        view.shares().max_by_key(|s| s.identifier()).and_then(|s| s.head())
    }
}

/// Shortest job first by vCPUs: the job needing the fewest vCPUs, then submission order.
struct FewestVcpusFirst;

impl JobPolicy for FewestVcpusFirst {
    fn pick<'a>(&mut self, view: &QueueView<'a>) -> Option<&'a QueuedJob> {
        view.jobs_in_submission_order()
            .min_by_key(|j| (j.resources.millivcpus, j.id))
    }
}

/// Offers nothing, ever.
struct Hold;

impl JobPolicy for Hold {
    fn pick<'a>(&mut self, _view: &QueueView<'a>) -> Option<&'a QueuedJob> {
        None
    }
}

fn three_shares() -> Value {
    let mut workload = Vec::new();
    for share in ["A", "B", "C"] {
        workload.extend(jobs_at(0.0, share, "q", "d", Some(share), 2, 100.0));
    }
    json!({
        "computeEnvironments": [fargate_ce("ce", 1)],
        "schedulingPolicies": [policy("fs", 600, 0, &[])],
        "jobQueues": [fair_queue("q", "fs", &["ce"])],
        "jobDefinitions": [fargate_def("d", "1", "2048")],
        "workload": workload,
    })
}

fn run_with_policy(scenario: &Value, queue: &str, policy: Option<Box<dyn JobPolicy>>) -> (Report, Vec<JobRecord>) {
    let options = Options {
        record_jobs: true,
        ..Options::default()
    };
    let mut sim = Simulation::new(&load(scenario), options).unwrap();
    if let Some(p) = policy {
        sim.set_policy(queue, p).unwrap();
    }
    sim.run_with_records()
}

#[test]
fn a_custom_policy_set_on_a_queue_decides_the_start_order() {
    let scenario = three_shares();
    let (_, builtin) = run_with_policy(&scenario, "q", None);
    assert_eq!(
        start_order(&builtin, |j| j.share_identifier.to_string()),
        ["A", "B", "C", "A", "B", "C"]
    );
    let (r, custom) = run_with_policy(&scenario, "q", Some(Box::new(LastShareFirst)));
    assert_eq!(
        start_order(&custom, |j| j.share_identifier.to_string()),
        ["C", "C", "B", "B", "A", "A"]
    );
    assert_eq!(r.jobs.succeeded, 6);
    assert_eq!(r.shares["A"].wait_seconds.stats.mean, Some(450.0));

    // On a FIFO queue: 4-vCPU jobs submitted before 1-vCPU ones on a 4-vCPU CE.
    let mut workload = jobs_at(0.0, "big", "q", "big", None, 2, 100.0);
    workload.extend(jobs_at(0.0, "small", "q", "small", None, 4, 100.0));
    let fifo = json!({
        "computeEnvironments": [fargate_ce("ce", 4)],
        "jobQueues": [queue("q", 1, &["ce"])],
        "jobDefinitions": [fargate_def("big", "4", "8192"), fargate_def("small", "1", "2048")],
        "workload": workload,
    });
    let starts = |records: &[JobRecord]| -> Vec<(String, f64)> {
        let mut v: Vec<(String, f64)> = records
            .iter()
            .map(|j| (j.job_name.to_string(), secs(j.started_at)))
            .collect();
        v.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        v
    };
    let (_, records) = run_with_policy(&fifo, "q", None);
    let s = |n: &str, t: f64| (n.to_string(), t);
    assert_eq!(
        starts(&records),
        [
            s("big", 0.0),
            s("big", 100.0),
            s("small", 200.0),
            s("small", 200.0),
            s("small", 200.0),
            s("small", 200.0)
        ]
    );
    let (_, records) = run_with_policy(&fifo, "q", Some(Box::new(FewestVcpusFirst)));
    assert_eq!(
        starts(&records),
        [
            s("small", 0.0),
            s("small", 0.0),
            s("small", 0.0),
            s("small", 0.0),
            s("big", 100.0),
            s("big", 200.0)
        ]
    );

    // A policy that offers nothing leaves every job RUNNABLE; an unknown queue is refused.
    let (r, _) = run_with_policy(&scenario, "q", Some(Box::new(Hold)));
    assert_eq!(
        (r.jobs.submitted, r.jobs.unfinished, r.wait_seconds.stats.count),
        (6, 6, 0)
    );
    // ... all six queued, none running, none ever dispatched: no wait figure at all.
    assert_eq!((r.jobs.queued, r.jobs.running, r.wait_seconds.never_started), (6, 0, 6));
    assert_eq!((r.wait_seconds.stats.p95, r.wait_seconds.stats.max), (None, None));
    assert!(r.wait_seconds.oldest_wait_seconds.is_some());
    let mut sim = Simulation::new(&load(&scenario), Options::default()).unwrap();
    assert!(sim.set_policy("nope", Box::new(Hold)).is_err());
}

/// A custom policy only decides the order: the queue's `computeReservation` still limits
/// what its jobs may hold.
#[test]
fn compute_reservation_still_applies_under_a_custom_policy() {
    let scenario = json!({
        "computeEnvironments": [fargate_ce("ce", 8)],
        "schedulingPolicies": [policy("fs", 600, 50, &[])],
        "jobQueues": [fair_queue("q", "fs", &["ce"])],
        "jobDefinitions": [fargate_def("d", "1", "2048")],
        "workload": jobs_at(0.0, "a", "q", "d", Some("A"), 8, 1000.0),
    });
    let mut sim = Simulation::new(&load(&scenario), Options::default()).unwrap();
    sim.set_policy("q", Box::new(LastShareFirst)).unwrap();
    sim.run_until(batchsim::SimTime::from_millis(1));
    assert_eq!(in_use(&sim), [4.0], "8 x (1 - 0.5^1)");
    assert_eq!(sim.run().end_seconds, 2000.0);
}

/// Policies decide on a hand-built queue view, without the engine.
#[test]
fn policies_pick_from_a_hand_built_runnable_set() {
    use batchsim::model::{SchedulingPolicy as Fairshare, ShareWeight};
    use batchsim::{JobId, Resources, SimDuration, SimTime};

    let job = |n: u64, prio: u32, vcpus: f64| {
        QueuedJob::new(JobId::new(n), Resources::new(vcpus, 2048 * vcpus.max(1.0) as u32)).with_priority(prio)
    };
    let mut set = RunnableSet::new(Some(SimDuration::from_secs(600)));
    set.insert_in_share("teamA", job(1, 0, 2.0));
    set.insert_in_share("teamA", job(2, 5, 4.0));
    set.insert_in_share("teamB", job(3, 0, 1.0));
    set.insert_in_share("other", job(4, 0, 0.5));
    let mut fs = FairShare::new(Fairshare {
        name: "fs".into(),
        share_decay: SimDuration::from_secs(600),
        compute_reservation: 0,
        share_distribution: vec![
            ShareWeight {
                share_identifier: "team*".into(),
                weight_factor: 0.5,
            },
            ShareWeight {
                share_identifier: "teamB".into(),
                weight_factor: 0.25,
            },
        ],
    });
    let t0 = SimTime::ZERO;
    let pick = |p: &mut dyn JobPolicy, t: SimTime, set: &RunnableSet| p.pick(&set.view(t)).map(|j| j.id.submission);
    // Nobody used anything: scores all 0, ties by identifier: "other" < "teamA" < "teamB".
    assert_eq!(pick(&mut fs, t0, &set), Some(4));
    // "other" (weight 1) holds 1 vCPU: score 1. teamA (0.5): 0. teamA's head is its
    // priority-5 job, not its first submission.
    set.add_held("other", 1000, t0);
    assert_eq!(pick(&mut fs, t0, &set), Some(2));
    // teamA holds 4 vCPUs (2.0), teamB 6 (0.25 x 6 = 1.5), other 1 (1.0): other is lowest.
    set.add_held("teamA", 4000, t0);
    set.add_held("teamB", 6000, t0);
    assert_eq!(pick(&mut fs, t0, &set), Some(4));
    // 600 s later with the same holdings, H/D = R (1 - 1/e) is added:
    // other 1 x 1.632 = 1.632, teamA 0.5 x 6.528 = 3.264, teamB 0.25 x 9.793 = 2.448.
    let t1 = SimTime::from_millis(600_000);
    let v = set.view(t1);
    let b = v.share("teamB").unwrap();
    let want = 6.0 * (1.0 - (-1.0f64).exp());
    assert!((b.decayed_usage_per_decay() - want).abs() < 1e-9);
    assert_eq!(
        (b.vcpus_held(), b.runnable(), b.head().map(|j| j.id)),
        (6.0, 1, Some(JobId::new(3)))
    );
    assert_eq!(pick(&mut fs, t1, &set), Some(4));
    // other ends its vCPU and its job leaves: teamB (2.448) beats teamA (3.264).
    set.add_held("other", -1000, t1);
    set.remove(JobId::new(4));
    assert_eq!(pick(&mut fs, t1, &set), Some(3));

    // The custom policies on the same view.
    assert_eq!(
        pick(&mut LastShareFirst, t1, &set),
        Some(3),
        "teamB is the last identifier"
    );
    assert_eq!(pick(&mut FewestVcpusFirst, t1, &set), Some(3), "1 vCPU");
    set.remove(JobId::new(3));
    assert_eq!(pick(&mut LastShareFirst, t1, &set), Some(2));
    assert_eq!(pick(&mut FewestVcpusFirst, t1, &set), Some(1), "2 vCPUs beat 4");
    assert_eq!(pick(&mut Hold, t1, &set), None);
}

// ---------------------------------------------------------------------------------------
// The bundled scenarios
// ---------------------------------------------------------------------------------------

fn bundled(name: &str) -> (Report, Vec<JobRecord>) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    let scenario = Scenario::from_file(&path).unwrap_or_else(|e| panic!("{e}"));
    let options = Options {
        record_jobs: true,
        ..Options::default()
    };
    Simulation::new(&scenario, options).unwrap().run_with_records()
}

fn mean_wait(records: &[JobRecord], prefix: &str) -> f64 {
    let waits: Vec<f64> = records
        .iter()
        .filter(|j| j.job_name.starts_with(prefix))
        .map(|j| j.wait.expect("every job started").as_secs_f64())
        .collect();
    waits.iter().sum::<f64>() / waits.len() as f64
}

#[test]
fn bundled_teams_scenarios_fair_share_cuts_team_b_waits() {
    let (fifo, fifo_jobs) = bundled("teams-fifo.json");
    let (fair, fair_jobs) = bundled("teams-fair-share.json");
    for r in [&fifo, &fair] {
        assert_eq!((r.jobs.submitted, r.jobs.succeeded), (42, 42));
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    }
    // Identical workloads: the same jobs with the same runtimes in both runs.
    let runtimes = |jobs: &[JobRecord]| -> Vec<(String, String, u32, u64)> {
        jobs.iter()
            .map(|j| {
                let ran = j.stopped_at.unwrap().since(j.started_at.unwrap()).as_millis();
                (
                    j.job_id.to_string(),
                    j.job_name.to_string(),
                    j.resources.millivcpus,
                    ran,
                )
            })
            .collect()
    };
    assert_eq!(runtimes(&fifo_jobs), runtimes(&fair_jobs));
    assert!(fifo.shares.is_empty(), "no shares on a FIFO queue");
    assert_eq!(fair.shares["teamB"].submitted, 10);
    // RUNNING time only: 10 jobs x 1 vCPU x 300 s (the 30 s Fargate starts excluded).
    assert_eq!(fair.shares["teamB"].vcpu_seconds, 3000.0);

    let (fifo_b, fair_b) = (mean_wait(&fifo_jobs, "teamB"), mean_wait(&fair_jobs, "teamB"));
    let (fifo_a, fair_a) = (mean_wait(&fifo_jobs, "teamA"), mean_wait(&fair_jobs, "teamA"));
    eprintln!("team B mean wait: FIFO {fifo_b:.1} s, fair share {fair_b:.1} s; team A: {fifo_a:.1} s, {fair_a:.1} s");
    assert!((fair.shares["teamB"].wait_seconds.stats.mean.expect("team B waits") - fair_b).abs() < 1e-6);
    // Under FIFO team B waits behind all of team A's backlog (about two hours); under fair
    // share it takes the first capacity that frees.
    assert!(fifo_b > 6000.0, "{fifo_b}");
    assert!(fair_b < fifo_b / 4.0, "fair share {fair_b} s vs FIFO {fifo_b} s");
    // Team A pays a little for it.
    assert!(fair_a > fifo_a && fair_a < fifo_a * 1.2, "A: {fair_a} vs {fifo_a}");
}

// ---------------------------------------------------------------------------------------
// Found by a differential test against an independent implementation of the contract
// ---------------------------------------------------------------------------------------

/// CONTRACT 6: "Ties: lexicographic share identifier". 6 vCPUs, 2-vCPU jobs, D = 600 s: `a`
/// (an array of two, 300 s each), `b` (three jobs of 60 s, every 20 s from 60) and `tb`
/// (100 s) start at 60; `a:1` and the `b` jobs wait. At 120 `b`'s first job ends and its
/// second starts; at 160 `tb` ends and `a` and `b` have held 2 vCPUs since 60 each: the same
/// score, so `a` goes first. (Their usage is summed from different updates, one ulp apart
/// before scores were compared on a grid, and `b` won.)
#[test]
fn shares_with_the_same_history_tie_and_the_smaller_identifier_goes_first() {
    let def = fargate_def("d", "2", "4096");
    let job = |at: f64, share: &str, secs: f64| {
        json!({"at": at, "submitJob": {"jobName": share, "jobQueue": "q", "jobDefinition": "d", "shareIdentifier": share},
               "runtime": {"distribution": "fixed", "seconds": secs}})
    };
    let mut array = job(60.0, "a", 300.0);
    array["submitJob"]["arrayProperties"] = json!({"size": 2});
    let stream = json!({"arrivals": {"process": "every", "seconds": 20}, "start": 60, "count": 3,
                        "submitJob": {"jobName": "b", "jobQueue": "q", "jobDefinition": "d", "shareIdentifier": "b"},
                        "runtime": {"distribution": "fixed", "seconds": 60}});
    let v = json!({"computeEnvironments": [fargate_ce("ce", 6)],
                   "schedulingPolicies": [policy("p", 0, 0, &[])],
                   "jobQueues": [fair_queue("q", "p", &["ce"])], "jobDefinitions": [def],
                   "workload": [array, stream, job(60.0, "tb", 100.0)]});
    let (_, records) = run_records(&v);
    let started = |id: &str| {
        secs(
            records
                .iter()
                .find(|r| r.job_id.to_string() == id)
                .and_then(|r| r.started_at),
        )
    };
    assert_eq!((started("1:0"), started("2"), started("3")), (60.0, 60.0, 60.0));
    assert_eq!(started("4"), 120.0, "b's second job as its first ends");
    assert_eq!(started("1:1"), 160.0, "a ties with b and goes first");
    assert_eq!(started("5"), 180.0);
}

/// CONTRACT 7.2: `endSeconds` is "the time of the last event". 6 vCPUs, `computeReservation`
/// 10, D = 600 s: `ta` runs [70,190]; `x:0` and `x:1` (4 vCPUs each) run one after the other,
/// the last ending at 390. The wake-up for `ta` going inactive at 790 (the reserve shrinks
/// then) has nothing left to let through once the queue is empty, and is no event of the run.
#[test]
fn the_run_ends_with_its_last_job_not_with_a_share_going_inactive() {
    let def = fargate_def("d", "4", "8192");
    let mut x = jobs_at(100.0, "x", "q", "d", Some("x"), 1, 100.0).remove(0);
    x["submitJob"]["arrayProperties"] = json!({"size": 2});
    let v = json!({"computeEnvironments": [fargate_ce("ce", 6)],
                   "schedulingPolicies": [policy("p", 0, 10, &[])],
                   "jobQueues": [fair_queue("q", "p", &["ce"])], "jobDefinitions": [def],
                   "workload": [jobs_at(70.0, "ta", "q", "d", Some("ta"), 1, 120.0).remove(0), x]});
    let (report, records) = run_records(&v);
    let stops: Vec<f64> = records.iter().map(|r| secs(r.stopped_at)).collect();
    assert_eq!(stops, [190.0, 290.0, 390.0], "ta, x:0, x:1");
    assert_eq!(report.end_seconds, 390.0);
}
