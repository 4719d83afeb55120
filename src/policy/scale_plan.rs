//! Demand-sized scale-out (`simulation.scaleOut: "demand"`): one decision for the queue's
//! RUNNABLE jobs that no live instance takes, choosing instance types and counts for all of
//! them, per allocation strategy.
//!
//! AWS (API model, `CRAllocationStrategy`): BEST_FIT "selects an instance type that best fits
//! the needs of the jobs with a preference for the lowest-cost instance type. If additional
//! instances of the selected instance type aren't available, Batch waits for the additional
//! instances to be available"; BEST_FIT_PROGRESSIVE "selects additional instance types that
//! are large enough to meet the requirements of the jobs in the queue. Its preference is for
//! instance types with lower cost vCPUs. If additional instances of the previously selected
//! instance types aren't available, Batch selects new instance types";
//! BEST_FIT_PROGRESSIVE_ORDERED "selects instance types in the order they appear in the
//! instanceTypes list. When an instance family is specified, sizes within that family are
//! expanded using BEST_FIT_PROGRESSIVE logic"; SPOT_CAPACITY_OPTIMIZED prefers "instance types
//! that are less likely to be interrupted"; SPOT_CAPACITY_OPTIMIZED_PRIORITIZED "optimizes for
//! capacity first, and honors instance type priorities on a best-effort basis".
//!
//! The rule [`DemandScaleOut`] follows, one instance at a time, until every job of the demand
//! is held or nothing more may be launched:
//! - a candidate type holds the first job not yet held (no job is passed over) and keeps the
//!   compute environment within its limit (BEST_FIT on EC2: never past `maxvCpus`; otherwise
//!   launched while below it: "never exceeds maxvCpus by more than a single instance");
//! - its score: the jobs it would hold, filled in the demand's order (each job that still
//!   fits), and its price per vCPU those jobs use; lower is better, ties: more jobs held,
//!   fewer vCPUs, listed order;
//! - BEST_FIT takes the best score among every candidate and stops (the jobs wait) when EC2
//!   cannot supply it; BEST_FIT_PROGRESSIVE and SPOT_PRICE_CAPACITY_OPTIMIZED the best score
//!   among the supplied ones; SPOT_CAPACITY_OPTIMIZED the supplied type EC2 has most of
//!   ([`InstanceOption::available`]; unlimited first), then the score; the `_ORDERED` variant
//!   the earliest `instanceTypes` entry, then the score; `_PRIORITIZED` capacity, then the
//!   entry, then the score.
//!
//! ```
//! use batchsim::model::{AllocationStrategy, CeId};
//! use batchsim::policy::{DemandScaleOut, InstanceOption, ScaleOutPolicy, ScaleOutView};
//! use batchsim::Resources;
//!
//! let option = |index, name: &str, vcpus: u64, memory_mib, price_per_hour| InstanceOption {
//!     index, name: name.into(), millivcpus: vcpus * 1000, memory_mib, gpus: 0,
//!     price_per_hour, within_limit: true, available: None, entry: 0,
//!     interruptions_per_hour: 0.0, priced_out: false,
//! };
//! let view = ScaleOutView {
//!     ce: CeId(0), allocation_strategy: AllocationStrategy::BestFit, spot: false,
//!     max_vcpus: 256, provisioned_millivcpus: 0,
//!     types: vec![option(0, "m5.large", 2, 7601, 0.096), option(1, "m5.4xlarge", 16, 62786, 0.768)],
//! };
//! // 16 one-vCPU jobs: one m5.4xlarge ($0.768/h) rather than 16 m5.large ($1.536/h).
//! let demand = vec![Resources::new(1.0, 1024); 16];
//! assert_eq!(DemandScaleOut.launch_plan(&demand, &view).instances, vec![1]);
//! ```

use super::scale_out::{availability_rank, per_vcpu_cmp};
use super::{AwsScaleOut, InstanceOption, ScaleOutPolicy, ScaleOutView};
use crate::model::{AllocationStrategy, Resources};
use std::cmp::Ordering;

/// The most instances one plan launches (a bound on the work of one decision).
pub const MAX_PLANNED_INSTANCES: usize = 4096;

/// What a scale-out decision launches: instance types (indexes into
/// [`ScaleOutView::types`]), one entry per instance, in launch order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LaunchPlan {
    /// One type index per instance.
    pub instances: Vec<usize>,
}

impl LaunchPlan {
    /// A plan of one instance of type `index`.
    pub fn one(index: usize) -> LaunchPlan {
        LaunchPlan { instances: vec![index] }
    }

    /// (type index, count) in order of first appearance.
    pub fn counts(&self) -> Vec<(usize, u32)> {
        let mut out: Vec<(usize, u32)> = Vec::new();
        for &t in &self.instances {
            match out.iter_mut().find(|(i, _)| *i == t) {
                Some((_, n)) => *n += 1,
                None => out.push((t, 1)),
            }
        }
        out
    }
}

/// The built-in demand-sized scale-out (see the module docs); for a single job it answers as
/// [`AwsScaleOut`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DemandScaleOut;

/// What one instance of a type would hold of the jobs left.
struct Fill {
    jobs: u64,
    used_millivcpus: u64,
}

/// The jobs left, as runs of equal requirements in the demand's order: a run of 4,000 equal
/// jobs costs one step, so a plan costs in proportion to the runs and the instances it
/// launches.
type Runs = Vec<(Resources, u64)>;

/// How many jobs of `r` fit in (`cpu`, `mem`, `gpu`), at most `n`.
fn how_many(r: &Resources, n: u64, cpu: u64, mem: u64, gpu: u64) -> u64 {
    let per = |have: u64, need: u32| if need == 0 { u64::MAX } else { have / u64::from(need) };
    n.min(per(cpu, r.millivcpus))
        .min(per(mem, r.memory_mib))
        .min(per(gpu, r.gpus))
}

/// The jobs of `left` (in order) that an empty instance of `t` holds; `take` gets (run,
/// count) when given.
fn fill(t: &InstanceOption, left: &Runs, mut take: Option<&mut Vec<(usize, u64)>>) -> Fill {
    let (mut cpu, mut mem, mut gpu) = (t.millivcpus, t.memory_mib, t.gpus);
    let (mut jobs, mut used) = (0, 0);
    for (k, (r, n)) in left.iter().enumerate() {
        let fit = how_many(r, *n, cpu, mem, gpu);
        if fit == 0 {
            continue;
        }
        cpu -= fit * u64::from(r.millivcpus);
        mem -= fit * u64::from(r.memory_mib);
        gpu -= fit * u64::from(r.gpus);
        jobs += fit;
        used += fit * u64::from(r.millivcpus);
        if let Some(v) = take.as_deref_mut() {
            v.push((k, fit));
        }
        if cpu == 0 {
            break;
        }
    }
    Fill {
        jobs,
        used_millivcpus: used,
    }
}

/// Lower is better: price per used vCPU, then more jobs held, then fewer vCPUs, then index.
fn score_cmp(a: &Fill, ta: &InstanceOption, b: &Fill, tb: &InstanceOption) -> Ordering {
    per_vcpu_cmp(
        ta.price_per_hour,
        a.used_millivcpus,
        tb.price_per_hour,
        b.used_millivcpus,
    )
    .then(b.jobs.cmp(&a.jobs))
    .then(ta.millivcpus.cmp(&tb.millivcpus))
    .then(ta.index.cmp(&tb.index))
}

/// The demand-sized plan for `demand` over `view` (see the module docs).
pub fn plan_for_demand(demand: &[Resources], view: &ScaleOutView) -> LaunchPlan {
    let strategy = view.allocation_strategy;
    let never_past = strategy == AllocationStrategy::BestFit && !view.spot;
    let max = u64::from(view.max_vcpus) * 1000;
    let mut provisioned = view.provisioned_millivcpus;
    let mut available: Vec<Option<u32>> = view.types.iter().map(|t| t.available).collect();
    let mut left: Runs = Vec::new();
    for r in demand {
        match left.last_mut() {
            Some((last, n)) if last == r => *n += 1,
            _ => left.push((*r, 1)),
        }
    }
    let mut plan = LaunchPlan::default();
    while let Some(&(first, _)) = left.first() {
        if plan.instances.len() >= MAX_PLANNED_INSTANCES {
            break;
        }
        let allowed = |t: &InstanceOption| {
            if never_past {
                provisioned + t.millivcpus <= max
            } else {
                provisioned < max
            }
        };
        let candidates = view
            .types
            .iter()
            .enumerate()
            .filter(|(_, t)| t.within_limit && t.holds(&first) && allowed(t));
        let supplied = |k: usize| available[k] != Some(0);
        let mut best: Option<(usize, Fill)> = None;
        for (k, t) in candidates {
            if strategy.falls_back() && !supplied(k) {
                continue;
            }
            let f = fill(t, &left, None);
            let better = match &best {
                None => true,
                Some((bk, bf)) => {
                    let bt = &view.types[*bk];
                    let order = match strategy {
                        AllocationStrategy::SpotCapacityOptimized => {
                            availability_rank(available[k]).cmp(&availability_rank(available[*bk]))
                        }
                        AllocationStrategy::BestFitProgressiveOrdered => t.entry.cmp(&bt.entry),
                        AllocationStrategy::SpotCapacityOptimizedPrioritized => availability_rank(available[k])
                            .cmp(&availability_rank(available[*bk]))
                            .then(t.entry.cmp(&bt.entry)),
                        _ => Ordering::Equal,
                    };
                    order.then_with(|| score_cmp(&f, t, bf, bt)) == Ordering::Less
                }
            };
            if better {
                best = Some((k, f));
            }
        }
        let Some((k, _)) = best else { break };
        if !supplied(k) {
            // BEST_FIT: the best type cannot be had; the jobs wait for it.
            break;
        }
        let t = &view.types[k];
        let mut taken = Vec::new();
        fill(t, &left, Some(&mut taken));
        for (run, n) in taken {
            left[run].1 -= n;
        }
        left.retain(|(_, n)| *n > 0);
        provisioned += t.millivcpus;
        if let Some(n) = &mut available[k] {
            *n -= 1;
        }
        plan.instances.push(t.index);
    }
    plan
}

impl ScaleOutPolicy for DemandScaleOut {
    fn instance_type(&mut self, need: &Resources, view: &ScaleOutView) -> Option<usize> {
        AwsScaleOut.instance_type(need, view)
    }

    fn launch_plan(&mut self, demand: &[Resources], view: &ScaleOutView) -> LaunchPlan {
        plan_for_demand(demand, view)
    }

    fn clone_box(&self) -> Option<Box<dyn ScaleOutPolicy>> {
        Some(Box::new(*self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::instance_catalog::{expand_all_with, registered_memory_mib};
    use crate::model::CeId;

    /// The view of a fresh compute environment of `types` (catalog prices, registered
    /// memory) with `maxvCpus` `max`.
    fn view(types: &[&str], strategy: AllocationStrategy, max: u32) -> ScaleOutView {
        let found = expand_all_with(types, &[]).unwrap();
        let entry = |name: &str| {
            types
                .iter()
                .position(|e| *e == name || name.split('.').next() == Some(e))
                .unwrap()
        };
        ScaleOutView {
            ce: CeId(0),
            allocation_strategy: strategy,
            spot: false,
            max_vcpus: max,
            provisioned_millivcpus: 0,
            types: found
                .iter()
                .enumerate()
                .map(|(index, t)| InstanceOption {
                    index,
                    name: t.name.to_string(),
                    millivcpus: u64::from(t.vcpus) * 1000,
                    memory_mib: registered_memory_mib(t),
                    gpus: 0,
                    price_per_hour: t.price_per_hour,
                    within_limit: true,
                    available: None,
                    entry: entry(&t.name),
                    interruptions_per_hour: 0.0,
                    priced_out: false,
                })
                .collect(),
        }
    }

    fn names(plan: &LaunchPlan, v: &ScaleOutView) -> Vec<(String, u32)> {
        plan.counts()
            .into_iter()
            .map(|(i, n)| (v.types[i].name.clone(), n))
            .collect()
    }

    fn cost(plan: &LaunchPlan, v: &ScaleOutView) -> f64 {
        plan.instances.iter().map(|&i| v.types[i].price_per_hour).sum()
    }

    /// Issue 11: "16 queued 2-vCPU jobs launch 16 m5.large" today. API model, BEST_FIT:
    /// "Batch selects an instance type that best fits the needs of the jobs with a preference
    /// for the lowest-cost instance type."
    #[test]
    fn best_fit_sizes_one_decision_for_sixteen_jobs() {
        let v = view(&["m5"], AllocationStrategy::BestFit, 256);
        let jobs = vec![Resources::new(2.0, 4096); 16];
        // By hand: m5 is priced $0.048 per vCPU-hour at every size, so every exact fit costs
        // 32 x 0.048 = $1.536/h; m5.8xlarge (32 vCPUs, 131072 - 5090 - 32 = 125950 MiB
        // registered) holds all 16 in one instance; m5.12xlarge would leave 16 vCPUs idle.
        let plan = plan_for_demand(&jobs, &v);
        assert_eq!(names(&plan, &v), [("m5.8xlarge".to_string(), 1)]);
        assert!((cost(&plan, &v) - 1.536).abs() < 1e-9);
        // The old rule: one m5.large per job, 16 instances for the same $1.536/h.
        let mut per_job = AwsScaleOut;
        assert_eq!(v.types[per_job.instance_type(&jobs[0], &v).unwrap()].name, "m5.large");
        // One-vCPU jobs: per job, 16 half-empty m5.large ($1.536/h); sized for the demand,
        // one m5.4xlarge ($0.768/h, half the cost).
        let small = vec![Resources::new(1.0, 2048); 16];
        let plan = plan_for_demand(&small, &v);
        assert_eq!(names(&plan, &v), [("m5.4xlarge".to_string(), 1)]);
        assert!((cost(&plan, &v) - 0.768).abs() < 1e-9);
    }

    /// BEST_FIT on EC2 never passes `maxvCpus` (API model: "With any allocation strategy
    /// except BEST_FIT using On-Demand (EC2) compute resources, Batch might need to exceed
    /// maxvCpus"); the other strategies pass it by at most one instance.
    #[test]
    fn the_plan_keeps_the_limit() {
        let jobs = vec![Resources::new(2.0, 4096); 16];
        let v = view(&["m5"], AllocationStrategy::BestFit, 20);
        let plan = plan_for_demand(&jobs, &v);
        // 16 vCPUs (8 jobs) in an m5.4xlarge, then 4 more in an m5.xlarge (2 jobs): 20.
        assert_eq!(
            names(&plan, &v),
            [("m5.4xlarge".to_string(), 1), ("m5.xlarge".to_string(), 1)]
        );
        let v = view(&["m5"], AllocationStrategy::BestFitProgressive, 20);
        let plan = plan_for_demand(&jobs, &v);
        let vcpus: u64 = plan.instances.iter().map(|&i| v.types[i].millivcpus).sum();
        assert_eq!(vcpus, 32_000, "one instance past 20: the m5.8xlarge");
    }

    /// Mixed families: c5 costs $0.0425 per vCPU-hour, m5 $0.048. 16 jobs of 2 vCPUs and
    /// 2 GiB: c5.4xlarge (16 vCPUs, 32768 - 1486 - 32 = 31250 MiB) holds 8 at $0.68/h, twice:
    /// $1.36/h; c5.9xlarge would hold all 16 but pay for 4 idle vCPUs ($1.53/h).
    #[test]
    fn progressive_takes_the_cheapest_vcpus_and_ordered_follows_the_list() {
        let jobs = vec![Resources::new(2.0, 2048); 16];
        let v = view(&["m5", "c5"], AllocationStrategy::BestFitProgressive, 256);
        let plan = plan_for_demand(&jobs, &v);
        assert_eq!(names(&plan, &v), [("c5.4xlarge".to_string(), 2)]);
        assert!((cost(&plan, &v) - 1.36).abs() < 1e-9);
        // API model, BEST_FIT_PROGRESSIVE_ORDERED: "Batch selects instance types in the order
        // they appear in the instanceTypes list. When an instance family is specified, sizes
        // within that family are expanded using BEST_FIT_PROGRESSIVE logic".
        let v = view(&["m5", "c5"], AllocationStrategy::BestFitProgressiveOrdered, 256);
        let plan = plan_for_demand(&jobs, &v);
        assert_eq!(names(&plan, &v), [("m5.8xlarge".to_string(), 1)], "m5 is listed first");
        let v = view(&["c5", "m5"], AllocationStrategy::BestFitProgressiveOrdered, 256);
        let plan = plan_for_demand(&jobs, &v);
        assert_eq!(names(&plan, &v), [("c5.4xlarge".to_string(), 2)]);
    }

    /// API model: BEST_FIT "If additional instances of the selected instance type aren't
    /// available, Batch waits"; BEST_FIT_PROGRESSIVE "If additional instances of the
    /// previously selected instance types aren't available, Batch selects new instance types."
    #[test]
    fn unavailable_types_make_best_fit_wait_and_progressive_fall_back() {
        let jobs = vec![Resources::new(2.0, 4096); 16];
        let mut v = view(&["m5"], AllocationStrategy::BestFit, 256);
        let big = v.types.iter().position(|t| t.name == "m5.8xlarge").unwrap();
        v.types[big].available = Some(0);
        assert!(plan_for_demand(&jobs, &v).instances.is_empty(), "BEST_FIT waits");
        v.allocation_strategy = AllocationStrategy::BestFitProgressive;
        let plan = plan_for_demand(&jobs, &v);
        assert_eq!(names(&plan, &v), [("m5.4xlarge".to_string(), 2)]);
        // A limit of one m5.4xlarge: then the next best, m5.2xlarge (4 jobs each).
        let four = v.types.iter().position(|t| t.name == "m5.4xlarge").unwrap();
        v.types[four].available = Some(1);
        let plan = plan_for_demand(&jobs, &v);
        assert_eq!(
            names(&plan, &v),
            [("m5.4xlarge".to_string(), 1), ("m5.2xlarge".to_string(), 2)]
        );
        // SPOT_CAPACITY_OPTIMIZED: the pools EC2 has most of first (unlimited ones).
        v.allocation_strategy = AllocationStrategy::SpotCapacityOptimized;
        v.spot = true;
        let plan = plan_for_demand(&jobs, &v);
        assert!(plan.instances.iter().all(|&i| v.types[i].available.is_none()));
        // Among the unlimited ones, the best score: m5.2xlarge (4 jobs at $0.048 per vCPU).
        assert_eq!(names(&plan, &v), [("m5.2xlarge".to_string(), 4)]);
    }

    /// The default `launch_plan` of a custom decision keeps one launch per job.
    #[test]
    fn the_default_plan_is_one_instance_per_job() {
        struct Smallest;
        impl ScaleOutPolicy for Smallest {
            fn instance_type(&mut self, _: &Resources, view: &ScaleOutView) -> Option<usize> {
                view.types.first().map(|t| t.index)
            }
        }
        let v = view(&["m5"], AllocationStrategy::BestFit, 256);
        let jobs = vec![Resources::new(2.0, 4096); 16];
        assert_eq!(Smallest.launch_plan(&jobs, &v), LaunchPlan::one(0));
        assert_eq!(Smallest.launch_plan(&[], &v), LaunchPlan::default());
        assert_eq!(
            LaunchPlan {
                instances: vec![2, 1, 2]
            }
            .counts(),
            [(2, 2), (1, 1)]
        );
    }
}
