//! Semantic validation: raw serde structs into model types, as AWS validates them.
//!
//! Every problem is collected (not just the first) with its JSON path. Structural problems
//! (unknown fields, wrong types) were found before, by [`super::schema`].

use super::ctx::{ce_state, check_name, check_share_identifier, Ctx};
use super::queues::job_queue;
use super::raw::*;
use super::Scenario;
use crate::error::Problem;
use crate::model::instance_catalog::{self, Architecture, InstanceType};
use crate::model::*;
use crate::time::SimDuration;
use std::collections::BTreeSet;
use std::path::Path;

pub(super) fn convert(raw: RawScenario, file_stem: &str, base_dir: &Path) -> Result<Scenario, Vec<Problem>> {
    let mut ctx = Ctx {
        problems: Vec::new(),
        ce_names: raw
            .compute_environments
            .iter()
            .map(|c| c.compute_environment_name.clone().unwrap_or_default())
            .collect(),
        ce_kinds: Vec::new(),
        ce_limits: Vec::new(),
        ce_eks: Vec::new(),
        ce_arch: Vec::new(),
        queue_names: raw
            .job_queues
            .iter()
            .map(|q| q.job_queue_name.clone().unwrap_or_default())
            .collect(),
        policy_names: raw
            .scheduling_policies
            .iter()
            .map(|p| p.name.clone().unwrap_or_default())
            .collect(),
        consumable_names: raw
            .consumable_resources
            .iter()
            .map(|r| r.consumable_resource_name.clone().unwrap_or_default())
            .collect(),
        consumable_peaks: Vec::new(),
    };
    let consumables = super::consumable::resources(&mut ctx, &raw.consumable_resources);
    ctx.consumable_peaks = super::consumable::peak_totals(&ctx, &consumables, &raw.actions);
    let until = ctx.time("until", raw.until);
    let scheduler = super::latency::scheduler_latency(&mut ctx, raw.simulation.as_ref());
    check_unique(
        &mut ctx,
        "computeEnvironments",
        "computeEnvironmentName",
        &raw.compute_environments
            .iter()
            .map(|c| c.compute_environment_name.as_deref())
            .collect::<Vec<_>>(),
    );
    check_unique(
        &mut ctx,
        "jobQueues",
        "jobQueueName",
        &raw.job_queues
            .iter()
            .map(|c| c.job_queue_name.as_deref())
            .collect::<Vec<_>>(),
    );
    check_unique(
        &mut ctx,
        "schedulingPolicies",
        "name",
        &raw.scheduling_policies
            .iter()
            .map(|c| c.name.as_deref())
            .collect::<Vec<_>>(),
    );

    let ces: Vec<Option<ComputeEnvironment>> = raw
        .compute_environments
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut ce = compute_environment(&mut ctx, i, c)?;
            super::spot_prices::settings(&mut ctx, i, c, &mut ce, base_dir);
            Some(ce)
        })
        .collect();
    ctx.ce_kinds = ces.iter().map(|c| c.as_ref().map(|c| c.kind)).collect();
    ctx.ce_limits = ces
        .iter()
        .map(|c| c.as_ref().map(|c| (c.min_vcpus, c.max_vcpus)))
        .collect();
    ctx.ce_eks = ces.iter().map(|c| c.as_ref().map(|c| c.eks)).collect();
    ctx.ce_arch = ces
        .iter()
        .map(|c| {
            let c = c.as_ref()?;
            let first = c.instance_types.first()?;
            let types = instance_catalog::expand_with(first, &c.custom_instance_types).ok()?;
            types.first().map(|t| t.architecture)
        })
        .collect();
    let policies: Vec<Option<SchedulingPolicy>> = raw
        .scheduling_policies
        .iter()
        .enumerate()
        .map(|(i, p)| scheduling_policy(&mut ctx, i, p))
        .collect();
    let queues: Vec<Option<JobQueue>> = raw
        .job_queues
        .iter()
        .enumerate()
        .map(|(i, q)| job_queue(&mut ctx, i, q))
        .collect();
    let jobs = super::workload::convert_jobs(&mut ctx, &raw, &queues, until, base_dir);
    let ec2_capacity = super::ec2_capacity::ec2_capacity(&mut ctx, raw.ec2_capacity.as_ref(), &ces);

    if !ctx.problems.is_empty() {
        return Err(ctx.problems);
    }
    let (job_definitions, workload, actions) = jobs.ok_or_else(Vec::new)?;
    Ok(Scenario {
        name: raw.name.unwrap_or_else(|| file_stem.to_owned()),
        seed: raw.seed.unwrap_or(0),
        until,
        compute_environments: ces.into_iter().flatten().collect(),
        scheduling_policies: policies.into_iter().flatten().collect(),
        job_queues: queues.into_iter().flatten().collect(),
        job_definitions,
        workload,
        actions,
        scheduler,
        ec2_capacity,
        consumable_resources: consumables.into_iter().flatten().collect(),
    })
}

fn check_unique(ctx: &mut Ctx, list: &str, field: &str, names: &[Option<&str>]) {
    let mut seen = BTreeSet::new();
    for (i, n) in names.iter().enumerate() {
        if let Some(n) = n {
            check_name(ctx, &format!("{list}[{i}].{field}"), n);
            if !seen.insert(*n) {
                ctx.err(format!("{list}[{i}].{field}"), format!("`{n}` is declared twice"));
            }
        }
    }
}

const CE_TYPES: &[(&str, ComputeEnvironmentType)] = &[
    ("EC2", ComputeEnvironmentType::Ec2),
    ("SPOT", ComputeEnvironmentType::Spot),
    ("FARGATE", ComputeEnvironmentType::Fargate),
    ("FARGATE_SPOT", ComputeEnvironmentType::FargateSpot),
    // A simulation extension: AWS Batch has no Lambda compute environments.
    ("LAMBDA", ComputeEnvironmentType::Lambda),
];

fn compute_environment(ctx: &mut Ctx, i: usize, raw: &RawComputeEnvironment) -> Option<ComputeEnvironment> {
    let p = format!("computeEnvironments[{i}]");
    let name = raw.compute_environment_name.clone()?;
    if raw.kind.as_deref() == Some("UNMANAGED") {
        ctx.err(
            format!("{p}.type"),
            "UNMANAGED compute environments are not simulated: batchsim models the capacity AWS manages (use MANAGED)",
        );
        return None;
    }
    let state = ce_state(ctx, &format!("{p}.state"), raw.state.as_deref()).unwrap_or_default();
    let Some(cr) = &raw.compute_resources else {
        ctx.err(
            &p,
            "missing `computeResources`: a MANAGED compute environment needs its type and maxvCpus",
        );
        return None;
    };
    let cp = format!("{p}.computeResources");
    let kind_text = cr.kind.as_deref().unwrap_or_default();
    if kind_text == "ECS_MANAGED_INSTANCES" {
        ctx.err(
            format!("{cp}.type"),
            "ECS_MANAGED_INSTANCES compute environments are not simulated (use EC2, SPOT, FARGATE or FARGATE_SPOT)",
        );
        return None;
    }
    let kind = ctx.enum_value(&format!("{cp}.type"), kind_text, CE_TYPES)?;
    let max_vcpus = match cr.max_vcpus {
        Some(v) => ctx.int_in(&format!("{cp}.maxvCpus"), Some(v), 0, i64::from(u32::MAX / 1000))?,
        None => {
            ctx.err(&cp, "missing required field `maxvCpus`");
            return None;
        }
    };
    let min_vcpus = ctx.int_in(&format!("{cp}.minvCpus"), cr.min_vcpus, 0, i64::from(max_vcpus));
    let desired_vcpus = ctx.int_in(&format!("{cp}.desiredvCpus"), cr.desired_vcpus, 0, i64::from(max_vcpus));
    if let (Some(min), Some(d)) = (min_vcpus, desired_vcpus) {
        if d < min {
            ctx.err(
                format!("{cp}.desiredvCpus"),
                format!("must be at least minvCpus ({min}), found {d}"),
            );
        }
    }
    let mut ce = ComputeEnvironment::fargate(name, max_vcpus, false);
    ce.kind = kind;
    ce.state = state;
    if kind.is_lambda() {
        ce.startup = crate::model::lambda::DEFAULT_COLD_START;
    }
    ce.eks = raw.eks_configuration.as_ref().is_some_and(|v| !v.is_null());
    if ce.eks && kind.is_lambda() {
        ctx.err(
            format!("{p}.eksConfiguration"),
            "a LAMBDA compute environment (a simulation extension) runs ECS job definitions only; remove eksConfiguration",
        );
    }
    if !kind.has_instances() {
        for (field, set) in [
            ("minvCpus", cr.min_vcpus.is_some_and(|v| v != 0)),
            ("desiredvCpus", cr.desired_vcpus.is_some_and(|v| v != 0)),
            (
                "instanceTypes",
                cr.instance_types.as_ref().is_some_and(|t| !t.is_empty()),
            ),
            ("allocationStrategy", cr.allocation_strategy.is_some()),
            ("bidPercentage", cr.bid_percentage.is_some()),
            (
                "scalingPolicy",
                cr.scaling_policy
                    .as_ref()
                    .is_some_and(|s| s.min_scale_down_delay_minutes.is_some_and(|m| m != 0)),
            ),
        ] {
            if set {
                ctx.err(
                    format!("{cp}.{field}"),
                    format!(
                        "does not apply to {} compute environments (AWS refuses it); remove it",
                        kind.as_str()
                    ),
                );
            }
        }
    } else {
        ce.min_vcpus = min_vcpus.unwrap_or(0);
        ce.desired_vcpus = desired_vcpus;
        ce.startup = crate::model::compute_environment::DEFAULT_EC2_STARTUP;
        ce.instance_launch = crate::model::compute_environment::DEFAULT_INSTANCE_LAUNCH;
        ce.scale_in_idle = crate::model::compute_environment::DEFAULT_SCALE_IN_IDLE;
        // The scale-down delay below does not apply to instances that have run no job.
        ce.unused_scale_in_idle = crate::model::compute_environment::DEFAULT_SCALE_IN_IDLE;
        if let Some(s) = &cr.allocation_strategy {
            let strategy = ctx.enum_value(
                &format!("{cp}.allocationStrategy"),
                s,
                &[
                    ("BEST_FIT", AllocationStrategy::BestFit),
                    ("BEST_FIT_PROGRESSIVE", AllocationStrategy::BestFitProgressive),
                    (
                        "BEST_FIT_PROGRESSIVE_ORDERED",
                        AllocationStrategy::BestFitProgressiveOrdered,
                    ),
                    ("SPOT_CAPACITY_OPTIMIZED", AllocationStrategy::SpotCapacityOptimized),
                    (
                        "SPOT_CAPACITY_OPTIMIZED_PRIORITIZED",
                        AllocationStrategy::SpotCapacityOptimizedPrioritized,
                    ),
                    (
                        "SPOT_PRICE_CAPACITY_OPTIMIZED",
                        AllocationStrategy::SpotPriceCapacityOptimized,
                    ),
                ],
            );
            if let Some(st) = strategy {
                let spot_only = matches!(
                    st,
                    AllocationStrategy::SpotCapacityOptimized
                        | AllocationStrategy::SpotPriceCapacityOptimized
                        | AllocationStrategy::SpotCapacityOptimizedPrioritized
                );
                if spot_only && kind != ComputeEnvironmentType::Spot {
                    ctx.err(
                        format!("{cp}.allocationStrategy"),
                        format!("{s} applies to SPOT compute environments only"),
                    );
                }
                // API model: "This strategy is only available for On-Demand Instance (EC2)
                // compute resources."
                if st == AllocationStrategy::BestFitProgressiveOrdered && kind != ComputeEnvironmentType::Ec2 {
                    ctx.err(
                        format!("{cp}.allocationStrategy"),
                        format!("{s} applies to EC2 (On-Demand) compute environments only"),
                    );
                }
                ce.allocation_strategy = st;
            }
        }
        ce.bid_percentage = ctx.int_in(&format!("{cp}.bidPercentage"), cr.bid_percentage, 0, 100);
        // AWS's scale-down delay keeps idle instances this long (0 unsets it);
        // `simulation.scaleInIdleSeconds`, if given, overrides it below.
        if let Some(m) = cr.scaling_policy.as_ref().and_then(|s| s.min_scale_down_delay_minutes) {
            let path = format!("{cp}.scalingPolicy.minScaleDownDelayMinutes");
            if m != 0 {
                if let Some(m) = ctx.int_in(&path, Some(m), 20, 10_080) {
                    ce.scale_in_idle = SimDuration::from_secs(u64::from(m) * 60);
                }
            }
        }
        ce.instance_types = cr.instance_types.clone().unwrap_or_else(|| vec!["optimal".to_owned()]);
        if ce.instance_types.is_empty() {
            ctx.err(
                format!("{cp}.instanceTypes"),
                "must name at least one instance type (or `optimal`)",
            );
        }
    }
    if let Some(sim) = &raw.simulation {
        simulation(ctx, &format!("{p}.simulation"), sim, &mut ce);
    }
    if kind.has_instances() {
        let mut arch: Option<(Architecture, String)> = None;
        for (k, entry) in ce.instance_types.iter().enumerate() {
            match instance_catalog::expand_with(entry, &ce.custom_instance_types) {
                Err(e) => {
                    let hint = e
                        .suggestion
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default();
                    ctx.err(
                        format!("{cp}.instanceTypes[{k}]"),
                        format!("unknown instance type {}{hint}", crate::suggest::quote(entry)),
                    );
                }
                Ok(types) => {
                    if let Some(t) = types
                        .iter()
                        .find(|t| arch.as_ref().is_some_and(|(a, _)| *a != t.architecture))
                    {
                        if let Some((a, first)) = &arch {
                            ctx.err(
                                format!("{cp}.instanceTypes[{k}]"),
                                format!(
                                    "`{}` is {} but `{first}` is {a}: a compute environment uses one architecture",
                                    t.name, t.architecture
                                ),
                            );
                        }
                    } else if arch.is_none() {
                        arch = types.first().map(|t| (t.architecture, t.name.to_string()));
                    }
                }
            }
        }
    }
    Some(ce)
}

fn simulation(ctx: &mut Ctx, p: &str, sim: &RawCeSimulation, ce: &mut ComputeEnvironment) {
    let fargate = !ce.kind.has_instances();
    if sim.startup_seconds.is_some() && ce.kind.is_lambda() {
        ctx.err(
            format!("{p}.startupSeconds"),
            "does not apply to LAMBDA compute environments: a new execution environment's latency is `simulation.lambda.coldStartSeconds`",
        );
    } else if let Some(d) = ctx.duration(&format!("{p}.startupSeconds"), sim.startup_seconds) {
        ce.startup = d;
    }
    if let Some(l) = &sim.lambda {
        super::lambda::lambda_settings(ctx, &format!("{p}.lambda"), l, ce);
    }
    for (field, value, target) in [
        (
            "instanceLaunchSeconds",
            sim.instance_launch_seconds,
            &mut ce.instance_launch,
        ),
        ("scaleInIdleSeconds", sim.scale_in_idle_seconds, &mut ce.scale_in_idle),
        (
            "instancePendingSeconds",
            sim.instance_pending_seconds,
            &mut ce.instance_pending,
        ),
    ] {
        if value.is_some() && fargate {
            ctx.err(
                format!("{p}.{field}"),
                format!(
                    "applies to EC2 and SPOT compute environments only, not {}",
                    ce.kind.as_str()
                ),
            );
        } else if let Some(d) = ctx.duration(&format!("{p}.{field}"), value) {
            *target = d;
        }
    }
    if sim.instance_pending_seconds.is_some() && ce.instance_pending > ce.instance_launch {
        ctx.err(
            format!("{p}.instancePendingSeconds"),
            format!(
                "the pending state is part of the launch: at most instanceLaunchSeconds ({} s), found {} s",
                ce.instance_launch.as_secs_f64(),
                ce.instance_pending.as_secs_f64()
            ),
        );
    }
    super::latency::scale_out_cooldown(ctx, p, sim, ce);
    if sim.scale_in_idle_seconds.is_some() {
        // The simulation's own idle time applies to every instance.
        ce.unused_scale_in_idle = ce.scale_in_idle;
    }
    // `interruptionsPerHour` is read with the other Spot settings (`spot_prices.rs`).
    if let Some(d) = ctx.duration(
        &format!("{p}.interruptionNoticeSeconds"),
        sim.interruption_notice_seconds,
    ) {
        ce.interruption_notice = d;
    }
    if let Some(m) = sim.reserved_memory_mib {
        if fargate {
            ctx.err(
                format!("{p}.reservedMemoryMiB"),
                format!(
                    "applies to EC2 and SPOT compute environments only, not {}",
                    ce.kind.as_str()
                ),
            );
        } else if let Some(m) = ctx.int_in(&format!("{p}.reservedMemoryMiB"), Some(m), 0, 1 << 20) {
            ce.reserved_memory_mib = Some(m);
        }
    }
    if let Some(mode) = &sim.scale_out {
        if fargate {
            ctx.err(
                format!("{p}.scaleOut"),
                format!(
                    "applies to EC2 and SPOT compute environments only, not {}",
                    ce.kind.as_str()
                ),
            );
        } else if let Some(m) = ctx.enum_value(
            &format!("{p}.scaleOut"),
            mode,
            &[("perJob", ScaleOutMode::PerJob), ("demand", ScaleOutMode::Demand)],
        ) {
            ce.scale_out = m;
        }
    }
    if let Some(q) = &sim.queue_priority {
        if let Some(m) = ctx.enum_value(
            &format!("{p}.queuePriority"),
            q,
            &[("aws", QueuePriorityMode::Aws), ("strict", QueuePriorityMode::Strict)],
        ) {
            ce.queue_priority = m;
        }
    }
    if let Some(prices) = &sim.prices {
        let pp = format!("{p}.prices");
        for (field, value, target) in [
            ("vcpuHour", prices.vcpu_hour, &mut ce.prices.vcpu_hour),
            ("gbHour", prices.gb_hour, &mut ce.prices.gb_hour),
            ("arm64VcpuHour", prices.arm64_vcpu_hour, &mut ce.prices.arm64_vcpu_hour),
            ("arm64GbHour", prices.arm64_gb_hour, &mut ce.prices.arm64_gb_hour),
        ] {
            if let Some(v) = value {
                if v.is_finite() && v >= 0.0 {
                    *target = v;
                } else {
                    ctx.err(
                        format!("{pp}.{field}"),
                        format!("must be a price of 0 or more, found {v}"),
                    );
                }
            }
        }
        if let Some(v) = prices.spot_discount {
            if (0.0..=1.0).contains(&v) {
                ce.prices.spot_discount = v;
            } else {
                ctx.err(
                    format!("{pp}.spotDiscount"),
                    format!("must be a fraction from 0 to 1 (0.7 = 70% off), found {v}"),
                );
            }
        }
        if let Some(v) = prices.instance_hour {
            if fargate {
                ctx.err(
                    format!("{pp}.instanceHour"),
                    "applies to EC2 and SPOT compute environments only",
                );
            } else if v.is_finite() && v >= 0.0 {
                ce.prices.instance_hour = Some(v);
            } else {
                ctx.err(
                    format!("{pp}.instanceHour"),
                    format!("must be a price of 0 or more, found {v}"),
                );
            }
        }
    }
    let mut seen = BTreeSet::new();
    for (k, t) in sim.instance_types.iter().enumerate() {
        let tp = format!("{p}.instanceTypes[{k}]");
        let Some(name) = t.instance_type.clone() else { continue };
        if !seen.insert(name.clone()) {
            ctx.err(format!("{tp}.instanceType"), format!("`{name}` is declared twice"));
        }
        let vcpus = match t.vcpus {
            Some(v) if v >= 1.0 && v.fract() == 0.0 && v <= 100_000.0 => v as u32,
            Some(v) => {
                ctx.err(
                    format!("{tp}.vcpus"),
                    format!("must be a whole number of vCPUs from 1 to 100000, found {v}"),
                );
                continue;
            }
            None => continue,
        };
        let Some(mem) = t.memory_mib.filter(|&m| m >= 1 && m <= i64::from(u32::MAX)) else {
            ctx.err(
                format!("{tp}.memoryMiB"),
                match t.memory_mib {
                    Some(m) => format!("must be a memory size in MiB from 1 to {}, found {m}", u32::MAX),
                    None => format!("missing: a memory size in MiB from 1 to {}", u32::MAX),
                },
            );
            continue;
        };
        let gpus = ctx.int_in(&format!("{tp}.gpus"), t.gpus, 0, 1024).unwrap_or(0);
        let price = t.price_per_hour.unwrap_or(0.0);
        if !(price.is_finite() && price >= 0.0) {
            ctx.err(
                format!("{tp}.pricePerHour"),
                format!("must be a price of 0 or more, found {price}"),
            );
        }
        let arch = match t.architecture.as_deref() {
            Some("arm64") => Architecture::Arm64,
            _ => Architecture::X86_64,
        };
        ce.custom_instance_types
            .push(InstanceType::new(name, vcpus, mem as u64, gpus, arch, price.max(0.0)));
    }
}

fn scheduling_policy(ctx: &mut Ctx, i: usize, raw: &RawSchedulingPolicy) -> Option<SchedulingPolicy> {
    let p = format!("schedulingPolicies[{i}]");
    let name = raw.name.clone()?;
    if raw.quota_share_policy.is_some() {
        ctx.err(
            format!("{p}.quotaSharePolicy"),
            "quota-share policies are not simulated; use `fairsharePolicy`",
        );
    }
    let mut policy = SchedulingPolicy {
        name,
        share_decay: SimDuration::from_secs(600),
        compute_reservation: 0,
        share_distribution: Vec::new(),
    };
    let Some(fs) = &raw.fairshare_policy else {
        return Some(policy);
    };
    let fp = format!("{p}.fairsharePolicy");
    if let Some(d) = ctx.int_in(&format!("{fp}.shareDecaySeconds"), fs.share_decay_seconds, 0, 604_800) {
        policy.share_decay = SimDuration::from_secs(if d == 0 { 600 } else { u64::from(d) });
    }
    if let Some(c) = ctx.int_in(&format!("{fp}.computeReservation"), fs.compute_reservation, 0, 99) {
        policy.compute_reservation = c;
    }
    for (k, s) in fs.share_distribution.iter().enumerate() {
        let sp = format!("{fp}.shareDistribution[{k}]");
        let Some(id) = s.share_identifier.clone() else { continue };
        check_share_identifier(ctx, &format!("{sp}.shareIdentifier"), &id, true);
        let w = s.weight_factor.unwrap_or(1.0);
        if !(0.0001..=999.9999).contains(&w) {
            ctx.err(
                format!("{sp}.weightFactor"),
                format!("must be from 0.0001 to 999.9999, found {w}"),
            );
        }
        for (j, other) in policy.share_distribution.iter().enumerate() {
            let new = ShareWeight {
                share_identifier: id.clone(),
                weight_factor: w,
            };
            let overlap = other.share_identifier == id
                || (other.share_identifier.ends_with('*') && other.covers(id.trim_end_matches('*')))
                || (id.ends_with('*') && new.covers(other.share_identifier.trim_end_matches('*')));
            if overlap {
                ctx.err(
                    format!("{sp}.shareIdentifier"),
                    format!(
                        "`{id}` overlaps `{}` (shareDistribution[{j}]); AWS refuses overlapping share identifiers",
                        other.share_identifier
                    ),
                );
            }
        }
        policy.share_distribution.push(ShareWeight {
            share_identifier: id,
            weight_factor: w,
        });
    }
    Some(policy)
}
