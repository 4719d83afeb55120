//! Validation of timed actions (CONTRACT section 2.4).

use super::ctx::{ce_state, queue_state, Ctx};
use super::definitions::job_definition;
use super::queues::{ce_order, time_limit_actions};
use super::raw::*;
use crate::model::arn_tail;
use crate::model::compute_environment::{limits_after, LimitsBreach};
use crate::model::job_definition::JobDefinitionRef;
use crate::model::*;
use crate::suggest::{quote, suggest};
use std::collections::BTreeMap;

pub(super) fn actions(ctx: &mut Ctx, raw: &RawScenario, queues: &[Option<JobQueue>]) -> Option<Vec<TimedAction>> {
    let mut out = Vec::new();
    let ce_names = ctx.ce_names.clone();
    let queue_names = ctx.queue_names.clone();
    let policy_names = ctx.policy_names.clone();
    let job_names: BTreeMap<&str, ()> = raw
        .workload
        .iter()
        .filter_map(|e| e.submit_job.as_ref()?.job_name.as_deref())
        .map(|n| (n, ()))
        .collect();
    let def_names: Vec<String> = raw
        .job_definitions
        .iter()
        .filter_map(|d| d.job_definition_name.clone())
        .chain(
            raw.actions
                .iter()
                .filter_map(|a| a.register_job_definition.as_ref()?.job_definition_name.clone()),
        )
        .collect();
    let mut updates: Vec<LimitsUpdate> = Vec::new();
    for (i, a) in raw.actions.iter().enumerate() {
        let p = format!("actions[{i}]");
        let Some(at) = ctx.time(&format!("{p}.at"), a.at) else {
            continue;
        };
        let action = if let Some(u) = &a.update_compute_environment {
            let up = format!("{p}.updateComputeEnvironment");
            let Some(ce) = u
                .compute_environment
                .as_deref()
                .and_then(|r| ctx.reference(&format!("{up}.computeEnvironment"), "compute environment", r, &ce_names))
            else {
                continue;
            };
            let state = ce_state(ctx, &format!("{up}.state"), u.state.as_deref());
            let cr = u.compute_resources.as_ref();
            let max = i64::from(u32::MAX / 1000);
            let fargate = ctx
                .ce_kinds
                .get(ce as usize)
                .copied()
                .flatten()
                .is_some_and(|k| !k.has_instances());
            if fargate
                && cr.is_some_and(|c| c.min_vcpus.is_some_and(|v| v != 0) || c.desired_vcpus.is_some_and(|v| v != 0))
            {
                ctx.err(
                    format!("{up}.computeResources"),
                    "minvCpus and desiredvCpus do not apply to Fargate compute environments",
                );
            }
            let limits = LimitsUpdate {
                at,
                path: format!("{up}.computeResources"),
                ce: ce as usize,
                min: ctx.int_in(
                    &format!("{up}.computeResources.minvCpus"),
                    cr.and_then(|c| c.min_vcpus),
                    0,
                    max,
                ),
                max: ctx.int_in(
                    &format!("{up}.computeResources.maxvCpus"),
                    cr.and_then(|c| c.max_vcpus),
                    0,
                    max,
                ),
                desired: ctx.int_in(
                    &format!("{up}.computeResources.desiredvCpus"),
                    cr.and_then(|c| c.desired_vcpus),
                    0,
                    max,
                ),
            };
            let action = Action::UpdateComputeEnvironment {
                compute_environment: CeId(ce),
                state,
                min_vcpus: limits.min,
                max_vcpus: limits.max,
                desired_vcpus: limits.desired,
            };
            updates.push(limits);
            action
        } else if let Some(u) = &a.update_job_queue {
            let up = format!("{p}.updateJobQueue");
            let Some(q) = u
                .job_queue
                .as_deref()
                .and_then(|r| ctx.reference(&format!("{up}.jobQueue"), "job queue", r, &queue_names))
            else {
                continue;
            };
            let policy = u
                .scheduling_policy_arn
                .as_deref()
                .and_then(|r| {
                    ctx.reference(
                        &format!("{up}.schedulingPolicyArn"),
                        "scheduling policy",
                        r,
                        &policy_names,
                    )
                })
                .map(PolicyId);
            if u.service_environment_order.as_ref().is_some_and(|v| !v.is_null()) {
                ctx.err(
                    format!("{up}.serviceEnvironmentOrder"),
                    "service environments (SAGEMAKER_TRAINING) are not simulated; a compute job queue keeps its computeEnvironmentOrder",
                );
            }
            if policy.is_some()
                && queues
                    .get(q as usize)
                    .and_then(Option::as_ref)
                    .is_some_and(|jq| jq.scheduling_policy.is_none())
            {
                ctx.err(
                    format!("{up}.schedulingPolicyArn"),
                    "AWS cannot turn a FIFO job queue into a fair-share one; create the queue with a scheduling policy",
                );
            }
            Action::UpdateJobQueue {
                job_queue: QueueId(q),
                state: queue_state(ctx, &format!("{up}.state"), u.state.as_deref()),
                priority: ctx.int_in(&format!("{up}.priority"), u.priority, 0, i64::from(i32::MAX)),
                compute_environments: u
                    .compute_environment_order
                    .as_deref()
                    .and_then(|o| ce_order(ctx, &format!("{up}.computeEnvironmentOrder"), o)),
                scheduling_policy: policy,
                state_time_limit_actions: u
                    .job_state_time_limit_actions
                    .as_deref()
                    .map(|t| time_limit_actions(ctx, &format!("{up}.jobStateTimeLimitActions"), t)),
            }
        } else if let Some(u) = &a.update_consumable_resource {
            let Some(action) = super::consumable::update_action(ctx, &format!("{p}.updateConsumableResource"), u)
            else {
                continue;
            };
            action
        } else if let Some(d) = &a.register_job_definition {
            let Some(def) = job_definition(ctx, &format!("{p}.registerJobDefinition"), d) else {
                continue;
            };
            Action::RegisterJobDefinition(def)
        } else if let Some(d) = &a.deregister_job_definition {
            let Some(reference) = d.job_definition.clone() else {
                continue;
            };
            let name = JobDefinitionRef::parse(&reference).name;
            if !def_names.contains(&name) {
                let hint = suggest(&name, def_names.iter().map(String::as_str))
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                ctx.err(
                    format!("{p}.deregisterJobDefinition.jobDefinition"),
                    format!("unknown job definition {}{hint}", quote(&reference)),
                );
            }
            Action::DeregisterJobDefinition(reference)
        } else if let Some((field, j)) = a
            .cancel_job
            .as_ref()
            .map(|j| ("cancelJob", j))
            .or(a.terminate_job.as_ref().map(|j| ("terminateJob", j)))
        {
            let Some(job) = j.job_id.clone() else { continue };
            let base = job
                .rsplit_once(':')
                .filter(|(_, ix)| ix.parse::<u32>().is_ok())
                .map_or(job.as_str(), |(b, _)| b);
            let numeric = base.parse::<u64>().is_ok();
            if !numeric && !job_names.contains_key(arn_tail(base)) {
                let hint = suggest(base, job_names.keys().copied())
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                ctx.err(
                    format!("{p}.{field}.jobId"),
                    format!("`{job}` is neither a workload jobName nor a job id{hint}"),
                );
            }
            let reason = j.reason.clone().unwrap_or_default();
            if field == "cancelJob" {
                Action::CancelJob { job, reason }
            } else {
                Action::TerminateJob { job, reason }
            }
        } else {
            continue;
        };
        out.push(TimedAction { at, action });
    }
    check_limits(ctx, updates);
    // Stable: actions of one instant keep file order.
    out.sort_by_key(|a| a.at);
    Some(out)
}

/// The vCPU limits one `updateComputeEnvironment` sets (`None`: left as they are).
struct LimitsUpdate {
    at: crate::time::SimTime,
    /// `actions[i].updateComputeEnvironment.computeResources`.
    path: String,
    ce: usize,
    min: Option<u32>,
    max: Option<u32>,
    desired: Option<u32>,
}

/// Follows each compute environment's `minvCpus` and `maxvCpus` through the updates in time
/// order (file order within an instant, as they apply) and refuses an update that leaves
/// the minimum above the maximum, or names a `desiredvCpus` outside them: AWS, for
/// `desiredvCpus` ("When you update the desiredvCpus setting, the value must be between the
/// minvCpus and maxvCpus values", API model `ComputeResourceUpdate`), and as
/// CreateComputeEnvironment requires of the first values. (It ran, and the engine launched
/// the minimum past the maximum.)
fn check_limits(ctx: &mut Ctx, mut updates: Vec<LimitsUpdate>) {
    updates.sort_by_key(|u| u.at);
    let mut limits = ctx.ce_limits.clone();
    for u in updates {
        let Some(Some((min, max))) = limits.get_mut(u.ce) else {
            continue;
        };
        let at = u.at;
        match limits_after((*min, *max), u.min, u.max, u.desired) {
            Ok(kept) => (*min, *max) = kept,
            Err(LimitsBreach::MinAboveMax {
                min: new_min,
                max: new_max,
            }) => {
                let field = if u.min.is_some() { "minvCpus" } else { "maxvCpus" };
                ctx.err(
                    format!("{}.{field}", u.path),
                    format!(
                        "leaves minvCpus ({new_min}) above maxvCpus ({new_max}) at {at} s; a compute environment's minimum must not exceed its maximum"
                    ),
                );
            }
            Err(LimitsBreach::DesiredOutside {
                desired: d,
                min: new_min,
                max: new_max,
            }) => {
                ctx.err(
                    format!("{}.desiredvCpus", u.path),
                    format!(
                        "must be between minvCpus ({new_min}) and maxvCpus ({new_max}) at {at} s, found {d} (AWS: \"When you update the desiredvCpus setting, the value must be between the minvCpus and maxvCpus values\")"
                    ),
                );
            }
        }
    }
}
