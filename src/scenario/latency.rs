//! The latency settings of a scenario: the top-level `simulation` object (the scheduler's
//! cycle and the SUBMITTED -> RUNNABLE delay, scheduler-wide) and a compute environment's
//! `simulation.scaleOutCooldownSeconds` (scaling is decided per compute environment).
//!
//! All are simulation extensions (AWS has no such request fields) and default to 0, as AWS
//! documents no figure for any of them (README, "Scheduling semantics and defaults").

use super::ctx::Ctx;
use super::raw::{RawCeSimulation, RawScenarioSimulation};
use crate::model::{ComputeEnvironment, SchedulerLatency};

/// The top-level `simulation` object (absent: every latency 0).
pub(super) fn scheduler_latency(ctx: &mut Ctx, raw: Option<&RawScenarioSimulation>) -> SchedulerLatency {
    let mut l = SchedulerLatency::default();
    let Some(raw) = raw else { return l };
    if let Some(d) = ctx.duration("simulation.schedulingIntervalSeconds", raw.scheduling_interval_seconds) {
        if raw.scheduling_interval_seconds.is_some_and(|s| s > 0.0) && d.is_zero() {
            ctx.err(
                "simulation.schedulingIntervalSeconds",
                "must be 0 (no cycle) or at least 0.001 seconds (time is counted in milliseconds)",
            );
        }
        l.scheduling_interval = d;
    }
    if let Some(d) = ctx.duration(
        "simulation.submittedToRunnableSeconds",
        raw.submitted_to_runnable_seconds,
    ) {
        l.submitted_to_runnable = d;
    }
    l
}

/// `simulation.scaleOutCooldownSeconds` of compute environment `ce` (at path `p`, its
/// `simulation` object): EC2 and SPOT only, the kinds that scale out by launching instances.
pub(super) fn scale_out_cooldown(ctx: &mut Ctx, p: &str, sim: &RawCeSimulation, ce: &mut ComputeEnvironment) {
    let path = format!("{p}.scaleOutCooldownSeconds");
    let Some(secs) = sim.scale_out_cooldown_seconds else {
        return;
    };
    if !ce.kind.has_instances() {
        ctx.err(
            path,
            format!(
                "applies to EC2 and SPOT compute environments only (they scale out by launching instances), not {}",
                ce.kind.as_str()
            ),
        );
    } else if let Some(d) = ctx.duration(&path, Some(secs)) {
        ce.scale_out_cooldown = d;
    }
}

#[cfg(test)]
mod tests {
    use crate::Scenario;

    fn load(sim: &str, ce_sim: &str, kind: &str) -> Result<Scenario, String> {
        let text = format!(
            r#"{{"simulation": {sim},
              "computeEnvironments": [{{"computeEnvironmentName": "ce", "type": "MANAGED",
                "computeResources": {{"type": "{kind}", "maxvCpus": 4}}, "simulation": {ce_sim}}}]}}"#
        );
        Scenario::from_json_str(&text, "latency.json").map_err(|e| e.to_string())
    }

    #[test]
    fn settings_are_read_in_milliseconds() {
        let s = load(
            r#"{"schedulingIntervalSeconds": 30, "submittedToRunnableSeconds": 2.5}"#,
            r#"{"scaleOutCooldownSeconds": 60}"#,
            "EC2",
        )
        .expect("valid");
        assert_eq!(s.scheduler_latency().scheduling_interval.as_millis(), 30_000);
        assert_eq!(s.scheduler_latency().submitted_to_runnable.as_millis(), 2_500);
        assert_eq!(s.compute_environments()[0].scale_out_cooldown.as_millis(), 60_000);
        let none = load("{}", "{}", "EC2").expect("valid");
        assert!(none.scheduler_latency().is_zero());
        assert!(none.compute_environments()[0].scale_out_cooldown.is_zero());
    }

    #[test]
    fn bad_values_name_their_path() {
        let e = load(r#"{"schedulingIntervalSeconds": -1}"#, "{}", "EC2").unwrap_err();
        assert!(e.contains("simulation.schedulingIntervalSeconds"), "{e}");
        assert!(e.contains("found -1"), "{e}");
        let e = load(r#"{"submittedToRunnableSeconds": "soon"}"#, "{}", "EC2").unwrap_err();
        assert!(e.contains("simulation.submittedToRunnableSeconds"), "{e}");
        let e = load(r#"{"schedulingIntervalSeconds": 0.0001}"#, "{}", "EC2").unwrap_err();
        assert!(e.contains("at least 0.001 seconds"), "{e}");
        let e = load(r#"{"schedulingIntervalSecond": 1}"#, "{}", "EC2").unwrap_err();
        assert!(e.contains("did you mean `schedulingIntervalSeconds`?"), "{e}");
        let e = load("{}", r#"{"scaleOutCooldownSeconds": -5}"#, "EC2").unwrap_err();
        assert!(
            e.contains("computeEnvironments[0].simulation.scaleOutCooldownSeconds"),
            "{e}"
        );
        let e = load("{}", r#"{"scaleOutCooldownSeconds": 60}"#, "FARGATE").unwrap_err();
        assert!(e.contains("applies to EC2 and SPOT compute environments only"), "{e}");
    }
}
