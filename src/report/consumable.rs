//! The report's `consumableResources` block: each consumable resource's use over the run
//! (present only when the scenario declares consumable resources, so other reports keep
//! their bytes).

use super::Stats;
use serde::Serialize;
use std::fmt::Write as _;

/// One consumable resource's figures. The three quantities at the end are those
/// `DescribeConsumableResource` answers (`totalQuantity`, `inUseQuantity`,
/// `availableQuantity`); the rest is over the run.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsumableReport {
    /// `REPLENISHABLE` or `NON_REPLENISHABLE`.
    pub resource_type: String,
    /// `totalQuantity` at the end (a NON_REPLENISHABLE resource's total drops by what each
    /// attempt consumed; `updateConsumableResource` changes it too).
    pub total_quantity: u64,
    /// `inUseQuantity` at the end: held by STARTING and RUNNING attempts (and, on EC2, by
    /// jobs holding a claim on a launching instance).
    pub in_use_quantity: u64,
    /// `availableQuantity` at the end: `totalQuantity - inUseQuantity` (0 when an update
    /// took the total below what is in use).
    pub available_quantity: u64,
    /// The most in use at once.
    pub peak_in_use: u64,
    /// NON_REPLENISHABLE: units consumed for good by ended attempts (0 for REPLENISHABLE).
    pub consumed: u64,
    /// Dispatches of jobs needing it (retries included): each takes it, or, on EC2, holds
    /// what it took with its claim on a launching instance.
    pub acquisitions: u64,
    /// Unit-seconds in use (the integral of `inUseQuantity` over the run).
    pub unit_seconds_in_use: f64,
    /// `unitSecondsInUse` over the integral of `totalQuantity` (of `inUseQuantity` while an
    /// update has taken the total below what is in use), so at most 1; 0 when that is 0.
    pub utilization: f64,
    /// Jobs that reached the head of their queue (or were tried by backfilling) and found
    /// this resource short (each job counted once per resource).
    pub jobs_waited: u64,
    /// Of those, jobs still waiting for it when the run stopped (never dispatched).
    pub jobs_waiting: u64,
    /// For the jobs that waited for it and then got it: the time from first finding it short
    /// to taking it.
    pub wait_seconds: Stats,
}

/// The text summary's lines for the resources (nothing when there are none).
pub(crate) fn render(out: &mut String, resources: &std::collections::BTreeMap<String, ConsumableReport>) {
    if resources.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nconsumable resources:");
    for (name, r) in resources {
        let _ = writeln!(
            out,
            "  {name} ({}): total {}, in use {}, available {} at the end; peak in use {}, consumed {}, {} acquisitions, utilization {:.1}%\n    {} jobs waited for it ({} still waiting), wait {}",
            r.resource_type,
            r.total_quantity,
            r.in_use_quantity,
            r.available_quantity,
            r.peak_in_use,
            r.consumed,
            r.acquisitions,
            r.utilization * 100.0,
            r.jobs_waited,
            r.jobs_waiting,
            super::text::stats_line(&r.wait_seconds)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_resources_no_lines() {
        let mut out = String::new();
        render(&mut out, &Default::default());
        assert_eq!(out, "");
    }

    #[test]
    fn a_resource_is_one_block() {
        let mut m = std::collections::BTreeMap::new();
        m.insert(
            "licences".to_string(),
            ConsumableReport {
                resource_type: "REPLENISHABLE".into(),
                total_quantity: 2,
                peak_in_use: 2,
                acquisitions: 3,
                utilization: 0.75,
                jobs_waited: 1,
                ..Default::default()
            },
        );
        let mut out = String::new();
        render(&mut out, &m);
        assert!(
            out.starts_with("\nconsumable resources:\n  licences (REPLENISHABLE): total 2, in use 0"),
            "{out}"
        );
        assert!(
            out.contains("peak in use 2, consumed 0, 3 acquisitions, utilization 75.0%"),
            "{out}"
        );
        assert!(out.contains("1 jobs waited for it (0 still waiting)"), "{out}");
    }
}
