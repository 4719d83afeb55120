//! Scale-out: which instance type an EC2/SPOT compute environment launches for a job no
//! live instance can take.
//!
//! The built-in [`AwsScaleOut`] follows CONTRACT 7.14 g: `BEST_FIT` launches the cheapest
//! type that holds the job within the limit; the other strategies the type that holds it
//! with the lowest price per vCPU. The limit: only `BEST_FIT` on On-Demand never passes
//! `maxvCpus`; AWS (API model, `ComputeResource.allocationStrategy`): "With any allocation
//! strategy except BEST_FIT using On-Demand (EC2) compute resources, Batch might need to
//! exceed maxvCpus to meet your capacity requirements. In this event, Batch never exceeds
//! maxvCpus by more than a single instance." The engine marks each type
//! [`InstanceOption::within_limit`] by that rule.
//!
//! ```
//! use batchsim::model::{AllocationStrategy, CeId};
//! use batchsim::policy::{AwsScaleOut, InstanceOption, ScaleOutPolicy, ScaleOutView};
//! use batchsim::Resources;
//!
//! let option = |index, name: &str, vcpus: u64, memory_mib, price_per_hour| InstanceOption {
//!     index, name: name.into(), millivcpus: vcpus * 1000, memory_mib, gpus: 0,
//!     price_per_hour, within_limit: true, available: None, entry: index,
//!     interruptions_per_hour: 0.0, priced_out: false,
//! };
//! let view = ScaleOutView {
//!     ce: CeId(0), allocation_strategy: AllocationStrategy::BestFit, spot: false,
//!     max_vcpus: 16, provisioned_millivcpus: 0,
//!     types: vec![option(0, "m5.xlarge", 4, 16384, 0.192), option(1, "m5.large", 2, 8192, 0.096)],
//! };
//! // BEST_FIT: the cheapest type that holds a 2-vCPU job.
//! assert_eq!(AwsScaleOut.instance_type(&Resources::new(2.0, 4096), &view), Some(1));
//! // 12 GiB: only the xlarge holds it.
//! assert_eq!(AwsScaleOut.instance_type(&Resources::new(2.0, 12288), &view), Some(0));
//! ```

use crate::model::{AllocationStrategy, CeId, Resources};
use std::cmp::Ordering;

/// One instance type a compute environment may launch.
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceOption {
    /// Its position in [`ScaleOutView::types`] (the order of `instanceTypes`, families
    /// expanded): what [`ScaleOutPolicy::instance_type`] answers with.
    pub index: usize,
    /// The type's name (`m5.large`).
    pub name: String,
    /// What jobs can use of it: milli-vCPUs.
    pub millivcpus: u64,
    /// Memory jobs can use (MiB, `reservedMemoryMiB` taken off).
    pub memory_mib: u64,
    /// GPUs.
    pub gpus: u64,
    /// Dollars per hour paid (Spot discount and price overrides applied).
    pub price_per_hour: f64,
    /// Launching one now keeps the compute environment within its limit (see the module
    /// docs).
    pub within_limit: bool,
    /// How many more instances of it EC2 supplies now, by the scenario's `ec2Capacity`
    /// (limits, insufficient-capacity windows, vCPU quota); `None`: no limit.
    pub available: Option<u32>,
    /// The position in `instanceTypes` of the entry it comes from (a family's sizes share
    /// one): what the `*_ORDERED` and `*_PRIORITIZED` strategies follow.
    pub entry: usize,
    /// SPOT: reclaims per hour of an instance of this type (its pool's
    /// `interruptionsPerHour`); 0 on EC2.
    pub interruptions_per_hour: f64,
    /// SPOT with a price history: the Spot price now is above `bidPercentage` of On-Demand,
    /// so AWS launches none ("The maximum percentage that a Spot Instance price can be when
    /// compared with the On-Demand price for that instance type before instances are
    /// launched", API model); an answer naming it launches nothing.
    pub priced_out: bool,
}

impl InstanceOption {
    /// Whether EC2 supplies one more instance of it now.
    pub fn supplied(&self) -> bool {
        self.available != Some(0)
    }

    /// Whether a job needing `r` fits a whole instance of this type.
    pub fn holds(&self, r: &Resources) -> bool {
        self.millivcpus >= u64::from(r.millivcpus)
            && self.memory_mib >= u64::from(r.memory_mib)
            && self.gpus >= u64::from(r.gpus)
    }
}

/// An EC2/SPOT compute environment as a scale-out decision sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct ScaleOutView {
    /// The compute environment.
    pub ce: CeId,
    /// `allocationStrategy`.
    pub allocation_strategy: AllocationStrategy,
    /// A SPOT compute environment.
    pub spot: bool,
    /// Current `maxvCpus`.
    pub max_vcpus: u32,
    /// milli-vCPUs of the live instances, launching ones included.
    pub provisioned_millivcpus: u64,
    /// The types it may launch.
    pub types: Vec<InstanceOption>,
}

/// Decides which type to launch for a job (single-node; multi-node jobs and the
/// `minvCpus`/`desiredvCpus` capacity use the built-in rules).
///
/// An answer that is not a type of the view that holds the job and is `within_limit`
/// launches nothing, as `None` does. Must be deterministic.
pub trait ScaleOutPolicy: Send {
    /// The index (into `view.types`) of the type to launch for a job needing `need`, or
    /// `None` to launch nothing (the job waits).
    fn instance_type(&mut self, need: &Resources, view: &ScaleOutView) -> Option<usize>;

    /// The instances to launch for `demand` (`simulation.scaleOut: "demand"`): the RUNNABLE
    /// jobs of the queue that no live instance takes, in the queue's order, the job being
    /// placed first, up to `maxvCpus`. The engine launches the plan's instances in order
    /// while each is within the limit and supplied, then offers their room to the jobs in
    /// normal pass order (CONTRACT 7.14 a-c). A plan whose first instance does not hold the
    /// first job is replaced by [`ScaleOutPolicy::instance_type`]'s answer for it.
    ///
    /// The default keeps the one-launch-per-job behaviour: one instance,
    /// [`ScaleOutPolicy::instance_type`]'s answer for the first job.
    fn launch_plan(&mut self, demand: &[Resources], view: &ScaleOutView) -> super::LaunchPlan {
        demand
            .first()
            .and_then(|job| self.instance_type(job, view))
            .map(super::LaunchPlan::one)
            .unwrap_or_default()
    }

    /// A copy for a copy of the simulation; `None` (the default) shares this one (exact only
    /// for a decision without state).
    fn clone_box(&self) -> Option<Box<dyn ScaleOutPolicy>> {
        None
    }
}

impl super::Forkable for dyn ScaleOutPolicy {
    fn fork_box(&self) -> Option<Box<Self>> {
        self.clone_box()
    }
}

/// Compares two types by price per vCPU, treating prices within a relative 1e-9 as equal (a
/// family's sizes are priced linearly; floating-point noise must not pick a 128-vCPU size
/// over a 2-vCPU one).
pub(crate) fn per_vcpu_cmp(price_a: f64, millivcpus_a: u64, price_b: f64, millivcpus_b: u64) -> Ordering {
    let lhs = price_a * millivcpus_b.max(1) as f64;
    let rhs = price_b * millivcpus_a.max(1) as f64;
    if (lhs - rhs).abs() <= 1e-9 * lhs.abs().max(rhs.abs()) {
        Ordering::Equal
    } else {
        lhs.total_cmp(&rhs)
    }
}

/// The interruption rate below which SPOT_PRICE_CAPACITY_OPTIMIZED takes a pool among those
/// fitting: twice the lowest rate (so only rate-0 pools when one has 0); every pool for the
/// other strategies.
pub(crate) fn price_capacity_threshold(strategy: AllocationStrategy, rates: impl Iterator<Item = f64>) -> f64 {
    match strategy {
        AllocationStrategy::SpotPriceCapacityOptimized => rates.fold(f64::INFINITY, f64::min) * 2.0,
        _ => f64::INFINITY,
    }
}

/// The first key of the spot strategies' order: SPOT_CAPACITY_OPTIMIZED prefers the pool
/// least likely to be interrupted; the others leave the order to price.
pub(crate) fn capacity_cmp(strategy: AllocationStrategy, rate_a: f64, rate_b: f64) -> std::cmp::Ordering {
    match strategy {
        AllocationStrategy::SpotCapacityOptimized => rate_a.total_cmp(&rate_b),
        _ => std::cmp::Ordering::Equal,
    }
}

/// The CONTRACT 7.14 g rule (what the engine does without a custom scale-out).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AwsScaleOut;

/// How many more instances a type is supplied, as a rank: unlimited first, then more.
pub(crate) fn availability_rank(available: Option<u32>) -> std::cmp::Reverse<u64> {
    std::cmp::Reverse(available.map_or(u64::MAX, u64::from))
}

impl ScaleOutPolicy for AwsScaleOut {
    fn instance_type(&mut self, need: &Resources, view: &ScaleOutView) -> Option<usize> {
        let fitting = view
            .types
            .iter()
            .filter(|t| t.holds(need) && t.within_limit && !t.priced_out);
        let strategy = view.allocation_strategy;
        let per_vcpu = |a: &&InstanceOption, b: &&InstanceOption| {
            per_vcpu_cmp(a.price_per_hour, a.millivcpus, b.price_per_hour, b.millivcpus)
                .then(a.price_per_hour.total_cmp(&b.price_per_hour))
                .then(a.name.cmp(&b.name))
        };
        let best = match strategy {
            // The cheapest type (ties: fewer vCPUs, then name); BEST_FIT "waits for the
            // additional instances to be available" when EC2 cannot supply it.
            AllocationStrategy::BestFit => fitting
                .min_by(|a, b| {
                    a.price_per_hour
                        .total_cmp(&b.price_per_hour)
                        .then(a.millivcpus.cmp(&b.millivcpus))
                        .then(a.name.cmp(&b.name))
                })
                .filter(|t| t.supplied()),
            // The list order of `instanceTypes` (a family's sizes: the cheapest that holds
            // the job); PRIORITIZED puts capacity first.
            AllocationStrategy::BestFitProgressiveOrdered => fitting.filter(|t| t.supplied()).min_by(|a, b| {
                a.entry
                    .cmp(&b.entry)
                    .then(a.price_per_hour.total_cmp(&b.price_per_hour))
            }),
            AllocationStrategy::SpotCapacityOptimizedPrioritized => fitting.filter(|t| t.supplied()).min_by(|a, b| {
                availability_rank(a.available)
                    .cmp(&availability_rank(b.available))
                    .then(a.interruptions_per_hour.total_cmp(&b.interruptions_per_hour))
                    .then(a.entry.cmp(&b.entry))
                    .then(a.price_per_hour.total_cmp(&b.price_per_hour))
            }),
            // SPOT_CAPACITY_OPTIMIZED: the pools EC2 has most of, then the lowest
            // interruption rate, then the lowest price per vCPU; SPOT_PRICE_CAPACITY_OPTIMIZED
            // the lowest price per vCPU among the pools within twice the lowest rate
            // (`most`); the others the lowest price per vCPU (ties: cheaper, then name).
            _ => {
                let supplied = fitting.filter(|t| t.supplied());
                let most = price_capacity_threshold(strategy, supplied.clone().map(|t| t.interruptions_per_hour));
                supplied.filter(|t| t.interruptions_per_hour <= most).min_by(|a, b| {
                    let capacity = match strategy {
                        AllocationStrategy::SpotCapacityOptimized => {
                            availability_rank(a.available).cmp(&availability_rank(b.available))
                        }
                        _ => Ordering::Equal,
                    };
                    capacity
                        .then(capacity_cmp(
                            strategy,
                            a.interruptions_per_hour,
                            b.interruptions_per_hour,
                        ))
                        .then_with(|| per_vcpu(a, b))
                })
            }
        };
        best.map(|t| t.index)
    }

    fn clone_box(&self) -> Option<Box<dyn ScaleOutPolicy>> {
        Some(Box::new(*self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progressive_takes_the_lowest_price_per_vcpu_and_respects_the_limit() {
        let t = |index, name: &str, vcpus: u64, price: f64, within_limit| InstanceOption {
            index,
            name: name.into(),
            millivcpus: vcpus * 1000,
            memory_mib: vcpus * 4096,
            gpus: 0,
            price_per_hour: price,
            within_limit,
            available: None,
            entry: index,
            interruptions_per_hour: 0.0,
            priced_out: false,
        };
        let mut view = ScaleOutView {
            ce: CeId(0),
            allocation_strategy: AllocationStrategy::BestFitProgressive,
            spot: false,
            max_vcpus: 8,
            provisioned_millivcpus: 0,
            // c5.xlarge is cheaper per vCPU than m5.xlarge; the 2-vCPU types are too small.
            types: vec![
                t(0, "m5.xlarge", 4, 0.192, true),
                t(1, "c5.xlarge", 4, 0.17, true),
                t(2, "m5.large", 2, 0.096, true),
            ],
        };
        let job = Resources::new(4.0, 4096);
        assert_eq!(AwsScaleOut.instance_type(&job, &view), Some(1));
        view.types[1].within_limit = false;
        assert_eq!(AwsScaleOut.instance_type(&job, &view), Some(0));
        view.types[0].within_limit = false;
        assert_eq!(AwsScaleOut.instance_type(&job, &view), None);
        // Equal price per vCPU within noise: the cheaper (smaller) type.
        assert_eq!(per_vcpu_cmp(0.096, 2000, 0.192, 4000), Ordering::Equal);
    }

    /// API model, `CRAllocationStrategy`: SPOT_CAPACITY_OPTIMIZED's "preference is for
    /// instance types that are less likely to be interrupted"; SPOT_PRICE_CAPACITY_OPTIMIZED
    /// "looks at both price and capacity to select the Spot Instance pools that are the least
    /// likely to be interrupted and have the lowest possible price".
    #[test]
    fn spot_strategies_rank_pools_by_interruption_rate() {
        let t = |index, name: &str, price: f64, rate: f64| InstanceOption {
            index,
            name: name.into(),
            millivcpus: 2000,
            memory_mib: 4096,
            gpus: 0,
            price_per_hour: price,
            within_limit: true,
            available: None,
            entry: index,
            interruptions_per_hour: rate,
            priced_out: false,
        };
        let mut view = ScaleOutView {
            ce: CeId(0),
            allocation_strategy: AllocationStrategy::SpotCapacityOptimized,
            spot: true,
            max_vcpus: 8,
            provisioned_millivcpus: 0,
            types: vec![
                t(0, "c5.large", 0.025, 0.5),
                t(1, "m5.large", 0.029, 0.2),
                t(2, "r5.large", 0.038, 0.15),
            ],
        };
        let job = Resources::new(2.0, 2048);
        // Capacity-optimized: the least interrupted pool, whatever its price.
        assert_eq!(AwsScaleOut.instance_type(&job, &view), Some(2));
        // Price-capacity-optimized: the cheapest of the pools within twice the lowest rate
        // (0.15 -> 0.3: m5 and r5, not c5).
        view.allocation_strategy = AllocationStrategy::SpotPriceCapacityOptimized;
        assert_eq!(AwsScaleOut.instance_type(&job, &view), Some(1));
        // A type priced out by the bid is never launched.
        view.types[1].priced_out = true;
        assert_eq!(AwsScaleOut.instance_type(&job, &view), Some(2));
        // Equal rates: the price per vCPU decides, as without per-pool rates.
        for o in &mut view.types {
            o.interruptions_per_hour = 0.2;
            o.priced_out = false;
        }
        assert_eq!(AwsScaleOut.instance_type(&job, &view), Some(0));
        view.allocation_strategy = AllocationStrategy::SpotCapacityOptimized;
        assert_eq!(AwsScaleOut.instance_type(&job, &view), Some(0));
        assert_eq!(
            price_capacity_threshold(AllocationStrategy::BestFit, [0.1].into_iter()),
            f64::INFINITY
        );
    }
}
