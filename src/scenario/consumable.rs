//! Reading consumable resources: the scenario's `consumableResources` (CreateConsumableResource
//! bodies), the `consumableResourceList` of job definitions and submissions, and the
//! `updateConsumableResource` action.
//!
//! Rules (README, "Scheduling semantics and defaults"):
//! - `consumableResourceName` is required and unique ("Must be unique", API model), an AWS
//!   name; `totalQuantity` "Must be non-negative" (absent: 0); `resourceType` is
//!   `REPLENISHABLE` (the default) or `NON_REPLENISHABLE`; `tags` are ignored.
//! - A requirement names a declared resource (name or ARN; "did you mean" for a misspelt
//!   one) and a `quantity` of at least 1 (batchsim's rule: the API model gives no range; a
//!   job needing none of a resource should not list it).
//! - A job needing more than its resource's total can ever be (the `totalQuantity`, raised
//!   by the scenario's `updateConsumableResource` actions) could never leave RUNNABLE: it is
//!   refused at load (batchsim's rule; AWS documents no check).
//! - `updateConsumableResource` takes `operation` `SET`, `ADD` or `REMOVE` (the API model's
//!   list; batchsim requires it) and a non-negative `quantity` ("Must be a non-negative
//!   value").

use super::ctx::{check_name, Ctx};
use super::raw::{RawAction, RawConsumableResource, RawConsumableResourceProperties, RawUpdateConsumableResource};
use crate::model::{
    merge_consumable_override, Action, ConsumableRequirement, ConsumableResource, ConsumableResourceId,
    ConsumableResourceType, ConsumableUpdate,
};
use std::collections::BTreeSet;

const RESOURCE_TYPES: &[(&str, ConsumableResourceType)] = &[
    ("REPLENISHABLE", ConsumableResourceType::Replenishable),
    ("NON_REPLENISHABLE", ConsumableResourceType::NonReplenishable),
];

/// The scenario's `consumableResources`, in file order (a [`ConsumableResourceId`] is a
/// position here; an entry without a name keeps its place as `None`).
pub(super) fn resources(ctx: &mut Ctx, raw: &[RawConsumableResource]) -> Vec<Option<ConsumableResource>> {
    let mut seen = BTreeSet::new();
    raw.iter()
        .enumerate()
        .map(|(i, r)| {
            let p = format!("consumableResources[{i}]");
            let name = r.consumable_resource_name.clone()?;
            check_name(ctx, &format!("{p}.consumableResourceName"), &name);
            if !seen.insert(name.clone()) {
                ctx.err(
                    format!("{p}.consumableResourceName"),
                    format!("`{name}` is declared twice; AWS: the name \"must be unique at the account level\""),
                );
            }
            let total = match r.total_quantity {
                Some(q) if q < 0 => {
                    ctx.err(
                        format!("{p}.totalQuantity"),
                        format!("must be 0 or more (AWS: \"Must be non-negative.\"), found {q}"),
                    );
                    0
                }
                Some(q) => q as u64,
                None => 0,
            };
            let resource_type = match r.resource_type.as_deref() {
                None => ConsumableResourceType::Replenishable,
                Some(t) => ctx
                    .enum_value(&format!("{p}.resourceType"), t, RESOURCE_TYPES)
                    .unwrap_or(ConsumableResourceType::Replenishable),
            };
            Some(ConsumableResource {
                name,
                total_quantity: total,
                resource_type,
            })
        })
        .collect()
}

/// The most each resource's total can be during the run: its `totalQuantity`, then every
/// `updateConsumableResource` in time order (file order within an instant), consumption
/// not counted. A requirement above it could never be met.
pub(super) fn peak_totals(ctx: &Ctx, resources: &[Option<ConsumableResource>], actions: &[RawAction]) -> Vec<u64> {
    let mut totals: Vec<u64> = resources
        .iter()
        .map(|r| r.as_ref().map_or(0, |r| r.total_quantity))
        .collect();
    let mut peaks = totals.clone();
    let mut updates: Vec<(f64, usize, ConsumableUpdate)> = actions
        .iter()
        .filter_map(|a| {
            let u = a.update_consumable_resource.as_ref()?;
            let i = ctx
                .consumable_names
                .iter()
                .position(|n| Some(n.as_str()) == u.consumable_resource.as_deref().map(crate::model::arn_tail))?;
            Some((a.at.unwrap_or(0.0), i, quiet_update(u)?))
        })
        .collect();
    updates.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (_, i, u) in updates {
        totals[i] = u.apply(totals[i]);
        peaks[i] = peaks[i].max(totals[i]);
    }
    peaks
}

/// An update's meaning, without reporting (the action's own check reports).
fn quiet_update(u: &RawUpdateConsumableResource) -> Option<ConsumableUpdate> {
    let q = u64::try_from(u.quantity?).ok()?;
    match u.operation.as_deref()? {
        "SET" => Some(ConsumableUpdate::Set(q)),
        "ADD" => Some(ConsumableUpdate::Add(q)),
        "REMOVE" => Some(ConsumableUpdate::Remove(q)),
        _ => None,
    }
}

/// A `consumableResourceProperties` (or `...Override`) at `p`: its list, resolved and
/// sorted by resource. `check_peak`: refuse a quantity no total can ever reach.
pub(super) fn requirements(
    ctx: &mut Ctx,
    p: &str,
    raw: &RawConsumableResourceProperties,
    check_peak: bool,
) -> Vec<ConsumableRequirement> {
    let names = ctx.consumable_names.clone();
    let mut out = Vec::new();
    for (k, r) in raw.consumable_resource_list.iter().enumerate() {
        let at = format!("{p}.consumableResourceList[{k}]");
        let Some(reference) = r.consumable_resource.as_deref() else {
            ctx.err(
                &at,
                "missing `consumableResource` (the name or ARN of the consumable resource)",
            );
            continue;
        };
        let resource = ctx
            .reference(
                &format!("{at}.consumableResource"),
                "consumable resource",
                reference,
                &names,
            )
            .map(ConsumableResourceId);
        let quantity = match r.quantity {
            None => {
                ctx.err(
                    &at,
                    "missing `quantity` (the quantity of the consumable resource that is needed)",
                );
                None
            }
            Some(q) if q < 1 => {
                ctx.err(format!("{at}.quantity"), format!("must be 1 or more, found {q}"));
                None
            }
            Some(q) => Some(q as u64),
        };
        let (Some(resource), Some(quantity)) = (resource, quantity) else {
            continue;
        };
        if check_peak {
            check_quantity(ctx, &format!("{at}.quantity"), resource, quantity);
        }
        out.push(ConsumableRequirement { resource, quantity });
    }
    merge_consumable_override(&out, &[])
}

/// A job needing more of `resource` than its total can ever be could never run.
pub(super) fn check_quantity(ctx: &mut Ctx, path: &str, resource: ConsumableResourceId, quantity: u64) {
    let Some(&peak) = ctx.consumable_peaks.get(resource.index()) else {
        return;
    };
    if quantity > peak {
        let name = ctx.consumable_names.get(resource.index()).cloned().unwrap_or_default();
        ctx.err(
            path,
            format!(
                "needs {quantity} of consumable resource `{name}`, whose totalQuantity is never more than {peak} in this scenario: the job could never leave RUNNABLE"
            ),
        );
    }
}

/// A submission's override merged with its job definition's list: each merged quantity is
/// checked against the peak (the definition's own entries were checked with it).
pub(super) fn check_merged(
    ctx: &mut Ctx,
    p: &str,
    definition: &[ConsumableRequirement],
    overrides: &[ConsumableRequirement],
) {
    for (k, o) in overrides.iter().enumerate() {
        let merged = merge_consumable_override(definition, overrides);
        if let Some(m) = merged.iter().find(|m| m.resource == o.resource) {
            check_quantity(
                ctx,
                &format!("{p}.consumableResourceList[{k}].quantity"),
                m.resource,
                m.quantity,
            );
        }
    }
}

/// `updateConsumableResource` at `p`.
pub(super) fn update_action(ctx: &mut Ctx, p: &str, u: &RawUpdateConsumableResource) -> Option<Action> {
    let names = ctx.consumable_names.clone();
    let resource = u
        .consumable_resource
        .as_deref()
        .and_then(|r| ctx.reference(&format!("{p}.consumableResource"), "consumable resource", r, &names))
        .map(ConsumableResourceId);
    let quantity = match u.quantity {
        None => {
            ctx.err(p, "missing `quantity` (the change in the total quantity)");
            None
        }
        Some(q) if q < 0 => {
            ctx.err(
                format!("{p}.quantity"),
                format!("must be 0 or more (AWS: \"Must be a non-negative value.\"), found {q}"),
            );
            None
        }
        Some(q) => Some(q as u64),
    };
    let operation = match u.operation.as_deref() {
        None => {
            ctx.err(p, "missing `operation` (SET, ADD or REMOVE)");
            None
        }
        Some(o) => ctx.enum_value(
            &format!("{p}.operation"),
            o,
            &[
                ("SET", ConsumableUpdate::Set as fn(u64) -> ConsumableUpdate),
                ("ADD", ConsumableUpdate::Add),
                ("REMOVE", ConsumableUpdate::Remove),
            ],
        ),
    };
    Some(Action::UpdateConsumableResource {
        resource: resource?,
        update: operation?(quantity?),
    })
}

#[cfg(test)]
mod tests {
    use crate::Scenario;
    use serde_json::json;

    fn scenario(edit: impl FnOnce(&mut serde_json::Value)) -> Result<Scenario, String> {
        let mut doc = json!({
            "consumableResources": [
                {"consumableResourceName": "licences", "totalQuantity": 2},
                {"consumableResourceName": "tokens", "totalQuantity": 5, "resourceType": "NON_REPLENISHABLE",
                 "tags": {"team": "a"}}
            ],
            "computeEnvironments": [{"computeEnvironmentName": "ce", "type": "MANAGED",
                "computeResources": {"type": "FARGATE", "maxvCpus": 4}}],
            "jobQueues": [{"jobQueueName": "q", "priority": 1,
                "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "ce"}]}],
            "jobDefinitions": [{"jobDefinitionName": "d", "type": "container",
                "platformCapabilities": ["FARGATE"],
                "containerProperties": {"resourceRequirements": [
                    {"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "2048"}]},
                "consumableResourceProperties": {"consumableResourceList": [
                    {"consumableResource": "arn:aws:batch:us-east-1:123456789012:consumable-resource/licences", "quantity": 1}]}}],
            "workload": [{"at": 0, "submitJob": {"jobName": "j", "jobQueue": "q", "jobDefinition": "d",
                "consumableResourcePropertiesOverride": {"consumableResourceList": [
                    {"consumableResource": "tokens", "quantity": 2}]}},
                "runtime": {"distribution": "fixed", "seconds": 10}}],
            "actions": [{"at": 5, "updateConsumableResource":
                {"consumableResource": "licences", "operation": "ADD", "quantity": 3}}]
        });
        edit(&mut doc);
        Scenario::from_value(&doc, "c.json").map_err(|e| e.to_string())
    }

    #[test]
    fn a_valid_scenario_reads_every_part() {
        let s = scenario(|_| {}).unwrap();
        let r = s.consumable_resources();
        assert_eq!(r.len(), 2);
        assert_eq!((r[0].name.as_str(), r[0].total_quantity), ("licences", 2));
        assert_eq!(
            r[1].resource_type,
            crate::model::ConsumableResourceType::NonReplenishable
        );
        let d = &s.job_definitions()[0].consumable_resources;
        assert_eq!(d.len(), 1);
        assert_eq!(
            (d[0].resource.0, d[0].quantity),
            (0, 1),
            "an ARN names the resource by its tail"
        );
        assert!(matches!(
            s.actions()[0].action,
            crate::model::Action::UpdateConsumableResource {
                update: crate::model::ConsumableUpdate::Add(3),
                ..
            }
        ));
    }

    #[test]
    fn bad_input_is_reported_at_its_path() {
        let err = scenario(|d| {
            d["jobDefinitions"][0]["consumableResourceProperties"]["consumableResourceList"][0]["consumableResource"] =
                json!("licence");
        })
        .unwrap_err();
        assert!(
            err.contains("jobDefinitions[0].consumableResourceProperties.consumableResourceList[0].consumableResource"),
            "{err}"
        );
        assert!(err.contains("did you mean `licences`?"), "{err}");

        let err = scenario(|d| d["consumableResources"][1]["resourceType"] = json!("REPLENISHIBLE")).unwrap_err();
        assert!(err.contains("consumableResources[1].resourceType"), "{err}");
        assert!(err.contains("did you mean `REPLENISHABLE`?"), "{err}");

        let err = scenario(|d| d["consumableResources"][0]["totalQuantity"] = json!(-1)).unwrap_err();
        assert!(err.contains("consumableResources[0].totalQuantity"), "{err}");

        let err = scenario(|d| d["consumableResources"][1]["consumableResourceName"] = json!("licences")).unwrap_err();
        assert!(err.contains("declared twice"), "{err}");

        for q in [0, -2] {
            let err = scenario(|d| {
                d["workload"][0]["submitJob"]["consumableResourcePropertiesOverride"]["consumableResourceList"][0]
                    ["quantity"] = json!(q)
            })
            .unwrap_err();
            assert!(
                err.contains(
                    "workload[0].submitJob.consumableResourcePropertiesOverride.consumableResourceList[0].quantity"
                ),
                "{err}"
            );
            assert!(err.contains("must be 1 or more"), "{err}");
        }

        let err =
            scenario(|d| d["actions"][0]["updateConsumableResource"]["operation"] = json!("INCREASE")).unwrap_err();
        assert!(err.contains("actions[0].updateConsumableResource.operation"), "{err}");
        assert!(err.contains("SET, ADD, REMOVE"), "{err}");
    }

    #[test]
    fn a_quantity_no_total_reaches_is_refused() {
        // licences: 2, raised to 5 at t=5: a job needing 5 can run, one needing 6 never.
        assert!(scenario(|d| {
            d["jobDefinitions"][0]["consumableResourceProperties"]["consumableResourceList"][0]["quantity"] = json!(5)
        })
        .is_ok());
        let err = scenario(|d| {
            d["jobDefinitions"][0]["consumableResourceProperties"]["consumableResourceList"][0]["quantity"] = json!(6)
        })
        .unwrap_err();
        assert!(
            err.contains("jobDefinitions[0].consumableResourceProperties.consumableResourceList[0].quantity"),
            "{err}"
        );
        assert!(err.contains("never more than 5"), "{err}");
        // The override is checked too: tokens never exceed 5.
        let err = scenario(|d| {
            d["workload"][0]["submitJob"]["consumableResourcePropertiesOverride"]["consumableResourceList"][0]
                ["quantity"] = json!(9)
        })
        .unwrap_err();
        assert!(err.contains("never more than 5"), "{err}");
    }

    #[test]
    fn a_resource_without_consumers_or_with_none_declared() {
        let err = scenario(|d| {
            d["consumableResources"] = json!([]);
            d["actions"] = json!([]);
            d["workload"][0]["submitJob"]
                .as_object_mut()
                .unwrap()
                .remove("consumableResourcePropertiesOverride");
        })
        .unwrap_err();
        assert!(err.contains("the scenario declares no consumable resources"), "{err}");
    }
}
