//! Compute environments: where jobs run (CreateComputeEnvironment plus `simulation`).

use super::instance_catalog::InstanceType;
use super::lambda::LambdaSettings;
use crate::time::SimDuration;

/// `computeResources.type`: how capacity is provided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ComputeEnvironmentType {
    /// EC2 On-Demand instances.
    Ec2,
    /// EC2 Spot instances.
    Spot,
    /// Fargate tasks.
    Fargate,
    /// Fargate Spot tasks.
    FargateSpot,
    /// AWS Lambda functions: a simulation extension (AWS Batch has no Lambda compute
    /// environments), for what-if comparisons; see [`crate::model::lambda`].
    Lambda,
}

impl ComputeEnvironmentType {
    /// True for FARGATE and FARGATE_SPOT.
    pub fn is_fargate(self) -> bool {
        matches!(self, Self::Fargate | Self::FargateSpot)
    }

    /// True for EC2 and SPOT: capacity made of instances.
    pub fn has_instances(self) -> bool {
        matches!(self, Self::Ec2 | Self::Spot)
    }

    /// True for LAMBDA (a simulation extension).
    pub fn is_lambda(self) -> bool {
        self == Self::Lambda
    }

    /// Which kinds share a job queue: EC2/SPOT (0), FARGATE/FARGATE_SPOT (1), LAMBDA (2).
    pub(crate) fn platform_class(self) -> u8 {
        match self {
            Self::Ec2 | Self::Spot => 0,
            Self::Fargate | Self::FargateSpot => 1,
            Self::Lambda => 2,
        }
    }

    /// True for SPOT and FARGATE_SPOT.
    pub fn is_spot(self) -> bool {
        matches!(self, Self::Spot | Self::FargateSpot)
    }

    /// The AWS spelling (`FARGATE_SPOT`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ec2 => "EC2",
            Self::Spot => "SPOT",
            Self::Fargate => "FARGATE",
            Self::FargateSpot => "FARGATE_SPOT",
            Self::Lambda => "LAMBDA",
        }
    }
}

/// `state` of a compute environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum CeState {
    /// Takes new jobs.
    #[default]
    Enabled,
    /// Places nothing new; running jobs go on.
    Disabled,
}

/// `computeResources.allocationStrategy` (EC2/SPOT only).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum AllocationStrategy {
    /// Cheapest best-fitting type; never above `maxvCpus`. AWS's default.
    #[default]
    BestFit,
    /// Adds other large-enough types, cheaper per vCPU first.
    BestFitProgressive,
    /// Spot: pools least likely to be interrupted.
    SpotCapacityOptimized,
    /// Spot: least likely interrupted and lowest price.
    SpotPriceCapacityOptimized,
    /// `BEST_FIT_PROGRESSIVE_ORDERED` (EC2): types in the order of `instanceTypes`; "Batch
    /// selects instance types in the order they appear in the instanceTypes list" (API model).
    BestFitProgressiveOrdered,
    /// `SPOT_CAPACITY_OPTIMIZED_PRIORITIZED` (Spot): capacity first, then the order of
    /// `instanceTypes` (API model: "optimizes for capacity first, and honors instance type
    /// priorities on a best-effort basis").
    SpotCapacityOptimizedPrioritized,
}

impl AllocationStrategy {
    /// Whether the list order of `instanceTypes` decides between types (the `*_ORDERED` and
    /// `*_PRIORITIZED` strategies).
    pub fn follows_list_order(self) -> bool {
        matches!(
            self,
            AllocationStrategy::BestFitProgressiveOrdered | AllocationStrategy::SpotCapacityOptimizedPrioritized
        )
    }

    /// Whether a type that EC2 cannot supply now is replaced by another one (every strategy
    /// but `BEST_FIT`, which "waits for the additional instances to be available", API model).
    pub fn falls_back(self) -> bool {
        self != AllocationStrategy::BestFit
    }
}

/// `simulation.scaleOut`: how an EC2/SPOT compute environment sizes a scale-out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ScaleOutMode {
    /// `"perJob"` (default, CONTRACT 7.14 g): one instance for each job no live instance can
    /// take, chosen for that job.
    #[default]
    PerJob,
    /// `"demand"`: one decision for the RUNNABLE jobs of the queue that no live instance
    /// takes (up to `maxvCpus`): instance types and counts chosen for all of them
    /// ([`crate::policy::DemandScaleOut`]).
    Demand,
}

/// `simulation.queuePriority`: how a lower-priority queue may use a compute environment that
/// a higher-priority queue also uses (CONTRACT section 6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum QueuePriorityMode {
    /// AWS's documented cycle: a lower queue uses what the higher ones could not use at this
    /// pass.
    #[default]
    Aws,
    /// A lower queue waits while a higher one has a RUNNABLE job this CE could ever fit.
    Strict,
}

/// Prices a compute environment is billed at (`simulation.prices`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Prices {
    /// Fargate: dollars per vCPU-hour.
    pub vcpu_hour: f64,
    /// Fargate: dollars per GB-hour of memory.
    pub gb_hour: f64,
    /// Fargate, jobs whose `runtimePlatform.cpuArchitecture` is `ARM64`: dollars per
    /// vCPU-hour.
    pub arm64_vcpu_hour: f64,
    /// Fargate, `ARM64` jobs: dollars per GB-hour of memory.
    pub arm64_gb_hour: f64,
    /// Fraction taken off for Spot (FARGATE_SPOT, SPOT): 0.7 means 70% off.
    pub spot_discount: f64,
    /// EC2/SPOT: overrides every instance type's On-Demand price per hour.
    pub instance_hour: Option<f64>,
}

/// us-east-1 Fargate Linux/ARM price per vCPU-hour: $0.03238 (AWS Fargate pricing page, as
/// quoted by Vantage, "AWS Fargate Pricing Explained", and CloudBurn's rate table "as of March
/// 2026"; read 2026-12-01).
pub const FARGATE_ARM64_VCPU_HOUR: f64 = 0.03238;

/// us-east-1 Fargate Linux/ARM price per GB-hour: $0.00356 (same sources as
/// [`FARGATE_ARM64_VCPU_HOUR`]).
pub const FARGATE_ARM64_GB_HOUR: f64 = 0.00356;

impl Default for Prices {
    /// us-east-1 Linux/x86 and Linux/ARM Fargate prices (a snapshot), Spot 70% off.
    fn default() -> Self {
        Prices {
            vcpu_hour: 0.04048,
            gb_hour: 0.004445,
            arm64_vcpu_hour: FARGATE_ARM64_VCPU_HOUR,
            arm64_gb_hour: FARGATE_ARM64_GB_HOUR,
            spot_discount: 0.7,
            instance_hour: None,
        }
    }
}

/// A managed compute environment.
#[derive(Clone, Debug, PartialEq)]
pub struct ComputeEnvironment {
    /// `computeEnvironmentName`.
    pub name: String,
    /// `computeResources.type`.
    pub kind: ComputeEnvironmentType,
    /// `state`.
    pub state: CeState,
    /// `computeResources.maxvCpus`.
    pub max_vcpus: u32,
    /// `computeResources.minvCpus` (EC2/SPOT).
    pub min_vcpus: u32,
    /// `computeResources.desiredvCpus` (EC2/SPOT): the starting size.
    pub desired_vcpus: Option<u32>,
    /// `computeResources.instanceTypes`, as written (EC2/SPOT).
    pub instance_types: Vec<String>,
    /// `computeResources.allocationStrategy` (EC2/SPOT).
    pub allocation_strategy: AllocationStrategy,
    /// `simulation.scaleOut` (EC2/SPOT): one instance per job, or sized for the demand.
    pub scale_out: ScaleOutMode,
    /// `computeResources.bidPercentage` (SPOT): the most paid, as a percentage of On-Demand.
    pub bid_percentage: Option<u32>,
    /// Fargate: task start latency; EC2/SPOT: container start on a ready instance; LAMBDA:
    /// the cold start (a warm execution environment starts at once).
    pub startup: SimDuration,
    /// EC2/SPOT: from scale-out decision to instance ready.
    pub instance_launch: SimDuration,
    /// EC2/SPOT: the part of `instance_launch` spent in EC2's `pending` state, which is not
    /// billed (`simulation.instancePendingSeconds`, default 0).
    pub instance_pending: SimDuration,
    /// EC2/SPOT: after a scale-out decision (instances launched for jobs) at `t`, the next
    /// one is made no earlier than `t` + this (`simulation.scaleOutCooldownSeconds`, default
    /// 0: AWS documents no figure). Jobs that need new instances wait meanwhile; room on
    /// ready and launching instances is still used.
    pub scale_out_cooldown: SimDuration,
    /// EC2/SPOT: idle time before an instance is terminated.
    pub scale_in_idle: SimDuration,
    /// EC2/SPOT: idle time before an instance that has run no job is terminated. It differs
    /// from `scale_in_idle` when that comes from `scalingPolicy.minScaleDownDelayMinutes`,
    /// which "does not apply to: ... Newly launched instances that have not yet run any jobs"
    /// (API model, `ComputeScalingPolicy`).
    pub unused_scale_in_idle: SimDuration,
    /// Spot reclaims per hour, per running task (FARGATE_SPOT) or instance (SPOT).
    pub interruptions_per_hour: f64,
    /// Warning before a Spot reclaim.
    pub interruption_notice: SimDuration,
    /// Cross-queue rule.
    pub queue_priority: QueuePriorityMode,
    /// Prices.
    pub prices: Prices,
    /// EC2/SPOT: memory per instance that jobs cannot use (`simulation.reservedMemoryMiB`);
    /// `None`: what ECS registers for each type
    /// ([`crate::model::instance_catalog::registered_memory_mib`]).
    pub reserved_memory_mib: Option<u32>,
    /// Custom instance types (`simulation.instanceTypes`).
    pub custom_instance_types: Vec<InstanceType>,
    /// An Amazon EKS compute environment (`eksConfiguration` given): it runs EKS job
    /// definitions (`eksProperties`) only, and ECS ones run elsewhere.
    pub eks: bool,
    /// LAMBDA: concurrency, scaling rate, keep-alive and prices (`simulation.lambda`);
    /// unused by the other kinds.
    pub lambda: LambdaSettings,
    /// Spot markets: a price history, interruption rates by type, Fargate Spot windows
    /// without capacity (default: the fixed discount, one rate, always available).
    pub spot_market: crate::model::spot_market::SpotSettings,
}

/// Default Fargate task start latency: the AWS Batch user guide says Fargate jobs start in
/// about 30 seconds.
pub const DEFAULT_FARGATE_STARTUP: SimDuration = SimDuration::from_secs(30);
/// Default container start on a ready EC2 instance (image already pulled).
pub const DEFAULT_EC2_STARTUP: SimDuration = SimDuration::from_secs(10);
/// Default EC2 instance launch time ("a few minutes").
pub const DEFAULT_INSTANCE_LAUNCH: SimDuration = SimDuration::from_secs(180);
/// Default idle time before an instance is scaled in.
pub const DEFAULT_SCALE_IN_IDLE: SimDuration = SimDuration::from_secs(600);
/// The two-minute Spot interruption notice.
pub const DEFAULT_INTERRUPTION_NOTICE: SimDuration = SimDuration::from_secs(120);

/// How an UpdateComputeEnvironment breaks the limits it leaves ([`limits_after`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LimitsBreach {
    /// `minvCpus` above `maxvCpus`.
    MinAboveMax { min: u32, max: u32 },
    /// `desiredvCpus` outside `minvCpus..=maxvCpus`.
    DesiredOutside { desired: u32, min: u32, max: u32 },
}

/// The `(minvCpus, maxvCpus)` an UpdateComputeEnvironment leaves, from the current ones and
/// the values it gives (`None`: unchanged), or how it breaks them: the minimum must not
/// exceed the maximum, and a `desiredvCpus` given must lie between them (AWS,
/// `ComputeResourceUpdate`: "When you update the desiredvCpus setting, the value must be
/// between the minvCpus and maxvCpus values"). The scenario loader follows a file's timed
/// updates with it, `Simulation::apply` checks one against the live values.
pub(crate) fn limits_after(
    (min, max): (u32, u32),
    new_min: Option<u32>,
    new_max: Option<u32>,
    desired: Option<u32>,
) -> Result<(u32, u32), LimitsBreach> {
    let (min, max) = (new_min.unwrap_or(min), new_max.unwrap_or(max));
    if min > max {
        return Err(LimitsBreach::MinAboveMax { min, max });
    }
    match desired {
        Some(desired) if desired < min || desired > max => Err(LimitsBreach::DesiredOutside { desired, min, max }),
        _ => Ok((min, max)),
    }
}

impl ComputeEnvironment {
    /// A Fargate (or Fargate Spot) compute environment with the documented defaults.
    pub fn fargate(name: impl Into<String>, max_vcpus: u32, spot: bool) -> Self {
        ComputeEnvironment {
            name: name.into(),
            kind: if spot {
                ComputeEnvironmentType::FargateSpot
            } else {
                ComputeEnvironmentType::Fargate
            },
            state: CeState::Enabled,
            max_vcpus,
            min_vcpus: 0,
            desired_vcpus: None,
            instance_types: Vec::new(),
            allocation_strategy: AllocationStrategy::BestFit,
            scale_out: ScaleOutMode::PerJob,
            bid_percentage: None,
            startup: DEFAULT_FARGATE_STARTUP,
            instance_launch: SimDuration::ZERO,
            instance_pending: SimDuration::ZERO,
            scale_out_cooldown: SimDuration::ZERO,
            scale_in_idle: SimDuration::ZERO,
            unused_scale_in_idle: SimDuration::ZERO,
            interruptions_per_hour: 0.0,
            interruption_notice: DEFAULT_INTERRUPTION_NOTICE,
            queue_priority: QueuePriorityMode::Aws,
            prices: Prices::default(),
            reserved_memory_mib: None,
            custom_instance_types: Vec::new(),
            eks: false,
            lambda: LambdaSettings::default(),
            spot_market: Default::default(),
        }
    }
}
