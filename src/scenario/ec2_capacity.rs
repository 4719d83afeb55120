//! Scenario `ec2Capacity` (a simulation extension): instance limits, insufficient-capacity
//! windows and vCPU quotas, checked as every other field (each problem with its JSON path).

use super::ctx::Ctx;
use super::raw::RawEc2Capacity;
use crate::model::ec2_capacity::{CapacityWindow, Ec2CapacityModel, InstanceLimit, TypePattern};
use crate::model::instance_catalog;
use crate::model::ComputeEnvironment;

/// The checked `ec2Capacity`, if the scenario has one; `ces` give the custom instance types a
/// pattern may name.
pub(super) fn ec2_capacity(
    ctx: &mut Ctx,
    raw: Option<&RawEc2Capacity>,
    ces: &[Option<ComputeEnvironment>],
) -> Option<Ec2CapacityModel> {
    let raw = raw?;
    let p = "ec2Capacity";
    let mut model = Ec2CapacityModel::default();
    for (i, l) in raw.instance_limits.iter().enumerate() {
        let lp = format!("{p}.instanceLimits[{i}]");
        let types = patterns(ctx, &lp, &l.instance_types, ces);
        let max = match l.max_instances {
            None => {
                ctx.err(&lp, "missing required field `maxInstances`");
                None
            }
            Some(v) => ctx.int_in(&format!("{lp}.maxInstances"), Some(v), 0, i64::from(u32::MAX)),
        };
        if let Some(max_instances) = max {
            model.instance_limits.push(InstanceLimit {
                instance_types: types,
                max_instances,
            });
        }
    }
    for (i, w) in raw.insufficient_capacity.iter().enumerate() {
        let wp = format!("{p}.insufficientCapacity[{i}]");
        let types = patterns(ctx, &wp, &w.instance_types, ces);
        let mut time = |field: &str, v: Option<f64>| match v {
            None => {
                ctx.err(&wp, format!("missing required field `{field}`"));
                None
            }
            Some(s) => ctx.time(&format!("{wp}.{field}"), Some(s)),
        };
        let (start, end) = (time("start", w.start), time("end", w.end));
        if let (Some(start), Some(end)) = (start, end) {
            if end <= start {
                ctx.err(
                    format!("{wp}.end"),
                    format!(
                        "must be after start ({} s), found {} s",
                        start.as_secs_f64(),
                        end.as_secs_f64()
                    ),
                );
            } else {
                model.insufficient_capacity.push(CapacityWindow {
                    instance_types: types,
                    start,
                    end,
                });
            }
        }
    }
    let quota = |ctx: &mut Ctx, field: &str, v: Option<i64>| {
        ctx.int_in(&format!("{p}.{field}"), v, 0, i64::from(u32::MAX / 1000))
    };
    model.on_demand_vcpus = quota(ctx, "onDemandVcpuQuota", raw.on_demand_vcpu_quota);
    model.spot_vcpus = quota(ctx, "spotVcpuQuota", raw.spot_vcpu_quota);
    Some(model)
}

/// The `instanceTypes` patterns of one entry: each a known type, family, `family.*` or `*`.
fn patterns(ctx: &mut Ctx, p: &str, entries: &[String], ces: &[Option<ComputeEnvironment>]) -> Vec<TypePattern> {
    if entries.is_empty() {
        ctx.err(
            format!("{p}.instanceTypes"),
            "must name at least one instance type, family (`m5` or `m5.*`) or `*`",
        );
    }
    let custom: Vec<&crate::model::InstanceType> = ces
        .iter()
        .flatten()
        .flat_map(|c| c.custom_instance_types.iter())
        .collect();
    let mut out = Vec::new();
    for (k, entry) in entries.iter().enumerate() {
        let family = entry.strip_suffix(".*").unwrap_or(entry);
        let known = entry == "*"
            || instance_catalog::lookup(entry).is_some()
            || instance_catalog::family(family).is_some()
            || custom.iter().any(|t| t.name == *entry || t.family() == family);
        if known {
            out.push(TypePattern(entry.clone()));
            continue;
        }
        let mut candidates: Vec<&str> = instance_catalog::families();
        candidates.extend(instance_catalog::builtin().iter().map(|t| t.name.as_ref()));
        candidates.extend(custom.iter().map(|t| t.name.as_ref()));
        let hint = instance_catalog::closest_match(family, candidates)
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        ctx.err(
            format!("{p}.instanceTypes[{k}]"),
            format!("unknown instance type or family {}{hint}", crate::suggest::quote(entry)),
        );
    }
    out
}
