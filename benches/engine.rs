//! Engine benches: the event queue alone, and a large M/M/c stream through the whole engine.
//!
//! `cargo bench --bench engine`; figures are quoted in README.

use batchsim::engine::queue::EventQueue;
use batchsim::{Options, Scenario, SimTime, Simulation};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use serde_json::json;

/// One FARGATE CE of `servers` vCPUs (zero startup), one FIFO queue, 1-vCPU jobs with
/// exponential runtimes at load `rho`: the workload of `../shared/peers/`.
pub fn mmc(servers: u32, rho: f64, mean: f64, jobs: u64, seed: u64) -> Scenario {
    let rate_per_hour = rho * f64::from(servers) / mean * 3600.0;
    let v = json!({
        "seed": seed,
        "computeEnvironments": [{"computeEnvironmentName": "ce", "type": "MANAGED",
            "computeResources": {"type": "FARGATE", "maxvCpus": servers}, "simulation": {"startupSeconds": 0}}],
        "jobQueues": [{"jobQueueName": "q", "priority": 1, "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "ce"}]}],
        "jobDefinitions": [{"jobDefinitionName": "d", "type": "container", "platformCapabilities": ["FARGATE"],
            "containerProperties": {"resourceRequirements": [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "2048"}]}}],
        "workload": [{"arrivals": {"process": "poisson", "ratePerHour": rate_per_hour}, "count": jobs,
            "submitJob": {"jobName": "j", "jobQueue": "q", "jobDefinition": "d"},
            "runtime": {"distribution": "exponential", "meanSeconds": mean}}]
    });
    Scenario::from_value(&v, "mmc.json").expect("valid bench scenario")
}

fn event_queue(c: &mut Criterion) {
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
    g.finish();
}

fn mmc_stream(c: &mut Criterion) {
    let mut g = c.benchmark_group("mmc_fifo");
    g.sample_size(10);
    for jobs in [100_000u64, 1_000_000] {
        let scenario = mmc(100, 0.9, 600.0, jobs, 1);
        g.throughput(Throughput::Elements(jobs));
        g.bench_with_input(BenchmarkId::new("jobs", jobs), &scenario, |b, s| {
            b.iter(|| {
                Simulation::new(s, Options::default())
                    .expect("runs")
                    .run()
                    .jobs
                    .succeeded
            })
        });
    }
    g.finish();
}

criterion_group!(benches, event_queue, mmc_stream);
criterion_main!(benches);
