//! The engine against queueing theory: M/M/c FIFO (Erlang C) and two non-preemptive
//! priority classes on one compute environment.

mod common;

use common::*;
use serde_json::json;

const SERVERS: u32 = 8;
const MEAN_SECS: f64 = 100.0;

#[test]
fn erlang_c_formula_is_right() {
    // Textbook value: c = 2, a = 1 Erlang: C = 1/3.
    assert!((erlang_c(2, 1.0) - 1.0 / 3.0).abs() < 1e-12);
    // c = 8, a = 6: 0.35698... (checked against the closed form).
    assert!((erlang_c(8, 6.0) - 0.356_981_085_878_680_3).abs() < 1e-12);
}

/// Mean wait of M/M/c FIFO on a Fargate CE (1-vCPU jobs, zero startup) matches Erlang C.
#[test]
fn fifo_mmc_mean_wait_matches_erlang_c() {
    let rho = 0.75;
    let mu = 1.0 / MEAN_SECS;
    let lambda = rho * f64::from(SERVERS) * mu;
    let want = erlang_c(SERVERS, lambda / mu) / (f64::from(SERVERS) * mu - lambda);
    let per_seed = 400_000;
    let mut total_wait = 0.0;
    let mut total_jobs = 0u64;
    for seed in 1..=4u64 {
        let scenario = json!({
            "seed": seed,
            "computeEnvironments": [fargate_ce("ce", SERVERS)],
            "jobQueues": [queue("q", 1, &["ce"])],
            "jobDefinitions": [fargate_def("d", "1", "2048")],
            "workload": [poisson_stream("q", "d", lambda * 3600.0, MEAN_SECS, per_seed)],
        });
        let r = run(&scenario);
        assert_eq!(r.jobs.succeeded, per_seed);
        assert_eq!(r.wait_seconds.stats.count, per_seed);
        total_wait += r.wait_seconds.stats.mean.expect("waits") * per_seed as f64;
        total_jobs += per_seed;
        // Every vCPU-second used is a job's service time: utilization near rho.
        let util = r.compute_environments["ce"].utilization_of_max;
        assert!((util - rho).abs() < 0.02, "utilization of max {util}, want about {rho}");
    }
    let got = total_wait / total_jobs as f64;
    let err = (got - want) / want;
    eprintln!(
        "M/M/{SERVERS}: mean wait {got:.3} s, Erlang C {want:.3} s ({:+.2}%)",
        err * 100.0
    );
    assert!(
        err.abs() < 0.03,
        "mean wait {got:.3} s, Erlang C {want:.3} s ({:+.2}%)",
        err * 100.0
    );
}

/// Two queues of different priority on one CE behave as a non-preemptive priority M/M/c
/// queue: W_k = W0 / ((1 - s_{k-1}) (1 - s_k)), W0 = C(c, a) / (c mu).
#[test]
fn two_priority_queues_match_non_preemptive_priority_mmc() {
    let mu = 1.0 / MEAN_SECS;
    let c = f64::from(SERVERS);
    let (rho_high, rho_low) = (0.35, 0.4);
    let (l_high, l_low) = (rho_high * c * mu, rho_low * c * mu);
    let w0 = erlang_c(SERVERS, (l_high + l_low) / mu) / (c * mu);
    let want_high = w0 / (1.0 - rho_high);
    let want_low = w0 / ((1.0 - rho_high) * (1.0 - rho_high - rho_low));
    // Both streams must cover the same period (a `count` would end one before the other).
    let end = 8.0e6;
    let stream = |q: &str, rate: f64| {
        let mut s = poisson_stream(q, "d", rate * 3600.0, MEAN_SECS, 0);
        s.as_object_mut().map(|o| {
            o.remove("count");
            o.insert("end".into(), json!(end))
        });
        s
    };
    let (mut high, mut low) = (0.0, 0.0);
    let seeds = 1..=3u64;
    for seed in seeds.clone() {
        let scenario = json!({
            "seed": seed,
            "computeEnvironments": [fargate_ce("ce", SERVERS)],
            "jobQueues": [queue("low", 1, &["ce"]), queue("high", 10, &["ce"])],
            "jobDefinitions": [fargate_def("d", "1", "2048")],
            "workload": [stream("high", l_high), stream("low", l_low)],
        });
        let r = run(&scenario);
        high += r.queues["high"].wait_seconds.stats.mean.expect("high waits");
        low += r.queues["low"].wait_seconds.stats.mean.expect("low waits");
    }
    let n = seeds.count() as f64;
    let (high, low) = (high / n, low / n);
    for (name, got, want) in [("high", high, want_high), ("low", low, want_low)] {
        let err = (got - want) / want;
        eprintln!(
            "{name}: mean wait {got:.3} s, theory {want:.3} s ({:+.2}%)",
            err * 100.0
        );
        assert!(
            err.abs() < 0.05,
            "{name}: mean wait {got:.3} s, theory {want:.3} s ({:+.2}%)",
            err * 100.0
        );
    }
    assert!(low > 2.0 * high, "the low queue waits much longer: {low} vs {high}");
}
