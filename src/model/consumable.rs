//! Consumable resources (AWS Batch resource-aware scheduling): what a scenario declares with
//! `CreateConsumableResource`, what a job needs (`consumableResourceProperties`), and the
//! `UpdateConsumableResource` operations.
//!
//! AWS (User Guide, *Specify the resources needed to run a job*): "If a consumable resource
//! for the job is not available when the job reaches the head of the queue, the job will
//! wait in `RUNNABLE` state until all the required resources become available or the job
//! state time limit is reached ... Resources are locked once the job moves to `STARTING` and
//! are then unlocked when the job moves to `SUCCEEDED` or `FAILED`."
//!
//! ```
//! use batchsim::model::{ConsumableResource, ConsumableResourceType, ConsumableUpdate};
//!
//! let licences = ConsumableResource::new("licences", 2);
//! assert_eq!(licences.resource_type, ConsumableResourceType::Replenishable);
//! assert_eq!(ConsumableUpdate::Add(3).apply(licences.total_quantity), 5);
//! assert_eq!(ConsumableUpdate::Remove(5).apply(2), 0, "never below zero");
//! assert_eq!(ConsumableUpdate::Set(7).apply(2), 7);
//! ```

use super::ConsumableResourceId;

/// `resourceType`: "Indicates whether the resource is available to be re-used after a job
/// completes" (API model, `CreateConsumableResource`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum ConsumableResourceType {
    /// `REPLENISHABLE` (the default): given back when the job's attempt ends.
    Replenishable,
    /// `NON_REPLENISHABLE`: what a job took is subtracted from the total for good.
    NonReplenishable,
}

impl ConsumableResourceType {
    /// The API model's name (`REPLENISHABLE`, `NON_REPLENISHABLE`).
    pub fn as_str(self) -> &'static str {
        match self {
            ConsumableResourceType::Replenishable => "REPLENISHABLE",
            ConsumableResourceType::NonReplenishable => "NON_REPLENISHABLE",
        }
    }
}

/// One `CreateConsumableResource` request of the scenario's `consumableResources`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumableResource {
    /// `consumableResourceName` ("Must be unique").
    pub name: String,
    /// `totalQuantity` at time 0 ("Must be non-negative").
    pub total_quantity: u64,
    /// `resourceType`.
    pub resource_type: ConsumableResourceType,
}

impl ConsumableResource {
    /// A REPLENISHABLE resource (AWS's default) of `total_quantity` units.
    pub fn new(name: impl Into<String>, total_quantity: u64) -> Self {
        ConsumableResource {
            name: name.into(),
            total_quantity,
            resource_type: ConsumableResourceType::Replenishable,
        }
    }
}

/// One `consumableResourceList` entry of a job: "The quantity of the consumable resource
/// that is needed" (API model, `ConsumableResourceRequirement`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ConsumableRequirement {
    /// The resource (`consumableResource`, a name or ARN resolved at load).
    pub resource: ConsumableResourceId,
    /// `quantity` (at least 1).
    pub quantity: u64,
}

/// A submission's `consumableResourcePropertiesOverride` applied to its job definition's
/// list: an entry for a resource the definition lists replaces its quantity, one for another
/// resource is added (batchsim's reading: the API model says only "overrides for the
/// consumable resources of a job"). The result is sorted by resource, one entry per resource.
///
/// ```
/// use batchsim::model::{merge_consumable_override, ConsumableRequirement, ConsumableResourceId};
///
/// let need = |r, quantity| ConsumableRequirement { resource: ConsumableResourceId(r), quantity };
/// let merged = merge_consumable_override(&[need(1, 2), need(0, 1)], &[need(1, 5), need(2, 1)]);
/// assert_eq!(merged, vec![need(0, 1), need(1, 5), need(2, 1)]);
/// ```
pub fn merge_consumable_override(
    definition: &[ConsumableRequirement],
    overrides: &[ConsumableRequirement],
) -> Vec<ConsumableRequirement> {
    let mut out: Vec<ConsumableRequirement> = Vec::with_capacity(definition.len() + overrides.len());
    for r in definition.iter().chain(overrides) {
        match out.iter_mut().find(|o| o.resource == r.resource) {
            Some(o) => o.quantity = r.quantity,
            None => out.push(*r),
        }
    }
    out.sort();
    out
}

/// `UpdateConsumableResource`'s `operation` with its `quantity` ("The change in the total
/// quantity of the consumable resource").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConsumableUpdate {
    /// `SET`: "Sets the quantity of the resource to the value specified by the `quantity`
    /// parameter."
    Set(u64),
    /// `ADD`: "Increases the quantity of the resource by the value specified by the
    /// `quantity` parameter."
    Add(u64),
    /// `REMOVE`: "Reduces the quantity of the resource by the value specified by the
    /// `quantity` parameter." (Never below zero.)
    Remove(u64),
}

impl ConsumableUpdate {
    /// The new total quantity from the current one.
    pub fn apply(self, total: u64) -> u64 {
        match self {
            ConsumableUpdate::Set(q) => q,
            ConsumableUpdate::Add(q) => total.saturating_add(q),
            ConsumableUpdate::Remove(q) => total.saturating_sub(q),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn need(r: u32, quantity: u64) -> ConsumableRequirement {
        ConsumableRequirement {
            resource: ConsumableResourceId(r),
            quantity,
        }
    }

    #[test]
    fn updates_follow_the_api_model() {
        assert_eq!(ConsumableUpdate::Set(0).apply(9), 0);
        assert_eq!(ConsumableUpdate::Add(u64::MAX).apply(1), u64::MAX);
        assert_eq!(ConsumableUpdate::Remove(1).apply(3), 2);
        assert_eq!(ConsumableUpdate::Remove(4).apply(3), 0);
    }

    #[test]
    fn an_override_replaces_a_quantity_and_adds_new_resources() {
        assert_eq!(merge_consumable_override(&[need(0, 1)], &[]), vec![need(0, 1)]);
        assert_eq!(merge_consumable_override(&[], &[need(3, 2)]), vec![need(3, 2)]);
        assert_eq!(
            merge_consumable_override(&[need(0, 1)], &[need(0, 4)]),
            vec![need(0, 4)]
        );
        // A resource listed twice keeps its last quantity.
        assert_eq!(
            merge_consumable_override(&[need(0, 1), need(0, 2)], &[]),
            vec![need(0, 2)]
        );
    }

    #[test]
    fn names_are_the_api_models() {
        assert_eq!(ConsumableResourceType::Replenishable.as_str(), "REPLENISHABLE");
        assert_eq!(ConsumableResourceType::NonReplenishable.as_str(), "NON_REPLENISHABLE");
    }
}
