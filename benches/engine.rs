//! Engine benches: the event queue alone, a large M/M/c stream through the whole engine, a deep
//! backlog, fair share with many shares, and the EC2 scenarios of `benches/scenarios/`.
//!
//! `cargo bench --bench engine`; figures are quoted in README.

use batchsim::{Options, Scenario, Simulation};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use serde_json::json;

/// One FARGATE CE of `max_vcpus` (zero startup), one FIFO queue, 1-vCPU jobs from one stream.
fn one_queue(
    max_vcpus: u32,
    arrivals: serde_json::Value,
    jobs: u64,
    runtime: serde_json::Value,
    seed: u64,
) -> Scenario {
    let v = json!({
        "seed": seed,
        "computeEnvironments": [{"computeEnvironmentName": "ce", "type": "MANAGED",
            "computeResources": {"type": "FARGATE", "maxvCpus": max_vcpus}, "simulation": {"startupSeconds": 0}}],
        "jobQueues": [{"jobQueueName": "q", "priority": 1, "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "ce"}]}],
        "jobDefinitions": [{"jobDefinitionName": "d", "type": "container", "platformCapabilities": ["FARGATE"],
            "containerProperties": {"resourceRequirements": [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "2048"}]}}],
        "workload": [{"arrivals": arrivals, "count": jobs,
            "submitJob": {"jobName": "j", "jobQueue": "q", "jobDefinition": "d"}, "runtime": runtime}]
    });
    Scenario::from_value(&v, "bench.json").expect("valid bench scenario")
}

/// The workload of `../shared/peers/`: M/M/c FIFO at load `rho`, exponential runtimes.
pub fn mmc(servers: u32, rho: f64, mean: f64, jobs: u64, seed: u64) -> Scenario {
    let rate_per_hour = rho * f64::from(servers) / mean * 3600.0;
    one_queue(
        servers,
        json!({"process": "poisson", "ratePerHour": rate_per_hour}),
        jobs,
        json!({"distribution": "exponential", "meanSeconds": mean}),
        seed,
    )
}

/// Runs a scenario to the end; returns the jobs that succeeded.
fn run(s: &Scenario) -> u64 {
    Simulation::new(s, Options::default())
        .expect("runs")
        .run()
        .jobs
        .succeeded
}

/// Runs a scenario to the end by stepping (the same engine as `run`, one instant at a
/// time); returns the jobs that succeeded.
fn run_engine(s: &Scenario) -> u64 {
    let mut sim = Simulation::new(s, Options::default()).expect("runs");
    while sim.step() {}
    sim.finish().jobs.succeeded
}

/// The event queue against the `priority-queue` crate (docs/DESIGN.md, the hot path). The
/// queue is internal: `cargo bench --bench engine --features bench-internals -- event_queue`.
#[cfg(feature = "bench-internals")]
fn event_queue(c: &mut Criterion) {
    use batchsim::{engine::queue::EventQueue, SimTime};
    let mut g = c.benchmark_group("event_queue");
    let n = 1_000_000u64;
    g.throughput(Throughput::Elements(n));
    g.bench_function("schedule_pop_1M_holding_1k", |b| {
        b.iter(|| {
            let mut q = EventQueue::new();
            let mut x = 0x9E37_79B9_7F4A_7C15u64;
            for i in 0..1000u64 {
                q.schedule(SimTime::from_millis(i), i);
            }
            for _ in 0..n {
                let (t, e) = q.pop().expect("non-empty");
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                q.schedule(SimTime::from_millis(t.as_millis() + x % 10_000), e);
            }
            q.len()
        })
    });
    // The same workload on the `priority-queue` crate (an indexed heap: cancellation by key
    // is a removal), for the comparison quoted in docs/DESIGN.md.
    g.bench_function("priority_queue_crate_schedule_pop_1M_holding_1k", |b| {
        b.iter(|| {
            let mut q: priority_queue::PriorityQueue<u64, std::cmp::Reverse<u128>> =
                priority_queue::PriorityQueue::new();
            let mut x = 0x9E37_79B9_7F4A_7C15u64;
            let mut seq = 0u64;
            for i in 0..1000u64 {
                q.push(seq, std::cmp::Reverse(u128::from(i) << 64 | u128::from(seq)));
                seq += 1;
            }
            for _ in 0..n {
                let (_, std::cmp::Reverse(k)) = q.pop().expect("non-empty");
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let t = (k >> 64) as u64 + x % 10_000;
                q.push(seq, std::cmp::Reverse(u128::from(t) << 64 | u128::from(seq)));
                seq += 1;
            }
            q.len()
        })
    });
    g.finish();
}

#[cfg(not(feature = "bench-internals"))]
fn event_queue(_: &mut Criterion) {}

fn mmc_stream(c: &mut Criterion) {
    let mut g = c.benchmark_group("mmc_fifo");
    g.sample_size(10);
    for jobs in [100_000u64, 1_000_000] {
        let scenario = mmc(100, 0.9, 600.0, jobs, 1);
        g.throughput(Throughput::Elements(jobs));
        g.bench_with_input(BenchmarkId::new("run", jobs), &scenario, |b, s| b.iter(|| run(s)));
        g.bench_with_input(BenchmarkId::new("stepped", jobs), &scenario, |b, s| {
            b.iter(|| run_engine(s))
        });
    }
    g.finish();
}

/// A deep backlog: a million jobs queued at once on 10 vCPUs. Each dispatch pass looks at
/// the queue's head only, so the cost per job must not grow with the backlog.
fn deep_backlog(c: &mut Criterion) {
    let mut g = c.benchmark_group("deep_backlog");
    g.sample_size(10);
    for jobs in [10_000u64, 1_000_000] {
        let s = one_queue(
            10,
            json!({"process": "every", "seconds": 0.001}),
            jobs,
            json!({"distribution": "fixed", "seconds": 1}),
            0,
        );
        g.throughput(Throughput::Elements(jobs));
        g.bench_with_input(BenchmarkId::new("run", jobs), &s, |b, s| b.iter(|| run(s)));
        g.bench_with_input(BenchmarkId::new("stepped", jobs), &s, |b, s| b.iter(|| run_engine(s)));
    }
    g.finish();
}

/// Fair share with many shares: 50 fair-share queues on 50 compute environments, 10 shares
/// each (500 active shares), every share submitting a stream.
fn many_shares(c: &mut Criterion) {
    let mut g = c.benchmark_group("fair_share");
    g.sample_size(10);
    let (queues, shares_per_queue, per_share) = (50usize, 10usize, 400u64);
    let ces: Vec<_> = (0..queues)
        .map(|i| {
            json!({"computeEnvironmentName": format!("ce{i}"), "type": "MANAGED",
            "computeResources": {"type": "FARGATE", "maxvCpus": 16}, "simulation": {"startupSeconds": 0}})
        })
        .collect();
    let qs: Vec<_> = (0..queues)
        .map(|i| {
            json!({"jobQueueName": format!("q{i}"), "priority": i, "schedulingPolicyArn": "fs",
            "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": format!("ce{i}")}]})
        })
        .collect();
    let mut workload = Vec::new();
    for q in 0..queues {
        for s in 0..shares_per_queue {
            workload.push(json!({"arrivals": {"process": "poisson", "ratePerHour": 20}, "count": per_share,
                "submitJob": {"jobName": "j", "jobQueue": format!("q{q}"), "jobDefinition": "d", "shareIdentifier": format!("s{s}")},
                "runtime": {"distribution": "exponential", "meanSeconds": 900}}));
        }
    }
    let v = json!({"computeEnvironments": ces, "jobQueues": qs,
        "schedulingPolicies": [{"name": "fs", "fairsharePolicy": {"shareDecaySeconds": 3600}}],
        "jobDefinitions": [{"jobDefinitionName": "d", "type": "container", "platformCapabilities": ["FARGATE"],
            "containerProperties": {"resourceRequirements": [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "2048"}]}}],
        "workload": workload});
    let s = Scenario::from_value(&v, "shares.json").expect("valid");
    let jobs = queues as u64 * shares_per_queue as u64 * per_share;
    g.throughput(Throughput::Elements(jobs));
    g.bench_function(BenchmarkId::new("50_queues_500_shares", jobs), |b| b.iter(|| run(&s)));
    g.finish();
}

/// The EC2 scenarios of `benches/scenarios/` (the workloads of issue 13's EC2 targets, also
/// run by `benches/compare.sh`): BEST_FIT_PROGRESSIVE packing of three job sizes on m5/c5
/// with thousands of instances up, and the same on SPOT with reclaims and retries; 200,000
/// jobs each.
fn ec2_scenarios(c: &mut Criterion) {
    let mut g = c.benchmark_group("ec2");
    g.sample_size(10);
    for name in ["ec2-packing", "spot-reclaims"] {
        let path = format!("{}/benches/scenarios/{name}.json", env!("CARGO_MANIFEST_DIR"));
        let s = Scenario::from_file(&path).expect("valid bench scenario");
        let jobs = 200_000u64;
        g.throughput(Throughput::Elements(jobs));
        g.bench_function(BenchmarkId::new(name, jobs), |b| b.iter(|| run(&s)));
    }
    g.finish();
}

criterion_group!(
    benches,
    event_queue,
    mmc_stream,
    deep_backlog,
    many_shares,
    ec2_scenarios
);
criterion_main!(benches);
