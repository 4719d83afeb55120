//! Job queues: `computeEnvironmentOrder`, `jobStateTimeLimitActions` and the queue itself
//! (CreateJobQueue), shared by the scenario's `jobQueues` and the UpdateJobQueue action.

use super::ctx::{queue_state, Ctx};
use super::raw::*;
use crate::model::instance_catalog::Architecture;
use crate::model::*;
use crate::time::SimDuration;

/// `computeEnvironmentOrder`: 1 to 3 known CEs, not mixing Fargate and EC2, sorted by order.
pub(super) fn ce_order(ctx: &mut Ctx, p: &str, order: &[RawCeOrder]) -> Option<Vec<CeId>> {
    if order.is_empty() {
        ctx.err(p, "a job queue needs at least one compute environment");
        return None;
    }
    if order.len() > 3 {
        ctx.err(
            p,
            format!(
                "a job queue can have at most 3 compute environments, found {}",
                order.len()
            ),
        );
    }
    let mut entries: Vec<(i64, usize, CeId)> = Vec::new();
    let names = ctx.ce_names.clone();
    for (k, o) in order.iter().enumerate() {
        let ep = format!("{p}[{k}]");
        let Some(reference) = &o.compute_environment else {
            continue;
        };
        let Some(ce) = ctx.reference(
            &format!("{ep}.computeEnvironment"),
            "compute environment",
            reference,
            &names,
        ) else {
            continue;
        };
        let ord = o.order.unwrap_or(k as i64);
        if ord < 0 {
            ctx.err(format!("{ep}.order"), format!("must be 0 or more, found {ord}"));
        }
        if entries.iter().any(|e| e.2 == CeId(ce)) {
            ctx.err(
                format!("{ep}.computeEnvironment"),
                format!("`{reference}` is listed twice"),
            );
            continue;
        }
        entries.push((ord, k, CeId(ce)));
    }
    let kinds: Vec<(usize, ComputeEnvironmentType)> = entries
        .iter()
        .filter_map(|e| ctx.ce_kinds.get(e.2.index()).copied().flatten().map(|k| (e.1, k)))
        .collect();
    if let Some(&(_, first)) = kinds.first() {
        if let Some(&(k, other)) = kinds.iter().find(|(_, k)| k.platform_class() != first.platform_class()) {
            ctx.err(
                format!("{p}[{k}].computeEnvironment"),
                format!(
                    "a job queue cannot mix {} and {} compute environments (all EC2/SPOT, all FARGATE/FARGATE_SPOT or all LAMBDA)",
                    first.as_str(),
                    other.as_str()
                ),
            );
        }
    }
    // A queue's type is EKS, ECS or ECS_FARGATE "depending on the compute environment" (API
    // model, `jobQueueType`): EKS and ECS compute environments do not share a queue.
    let eks: Vec<(usize, bool)> = entries
        .iter()
        .filter_map(|e| ctx.ce_eks.get(e.2.index()).copied().flatten().map(|x| (e.1, x)))
        .collect();
    if let Some(&(_, first)) = eks.first() {
        if let Some(&(k, _)) = eks.iter().find(|(_, x)| *x != first) {
            let name = |x: bool| if x { "EKS (eksConfiguration)" } else { "ECS" };
            ctx.err(
                format!("{p}[{k}].computeEnvironment"),
                format!(
                    "a job queue cannot mix {} and {} compute environments",
                    name(first),
                    name(!first)
                ),
            );
        }
    }
    let archs: Vec<(usize, Architecture)> = entries
        .iter()
        .filter_map(|e| ctx.ce_arch.get(e.2.index()).copied().flatten().map(|a| (e.1, a)))
        .collect();
    if let Some(&(_, first)) = archs.first() {
        if let Some(&(k, other)) = archs.iter().find(|(_, a)| *a != first) {
            ctx.err(
                format!("{p}[{k}].computeEnvironment"),
                format!("a job queue's compute environments share one architecture: this one is {other}, the first is {first}"),
            );
        }
    }
    entries.sort_by_key(|e| (e.0, e.1));
    Some(entries.into_iter().map(|e| e.2).collect())
}

pub(super) fn time_limit_actions(
    ctx: &mut Ctx,
    p: &str,
    actions: &[RawStateTimeLimitAction],
) -> Vec<StateTimeLimitAction> {
    let mut out = Vec::new();
    for (k, a) in actions.iter().enumerate() {
        let ap = format!("{p}[{k}]");
        if let Some(s) = &a.state {
            ctx.enum_value(&format!("{ap}.state"), s, &[("RUNNABLE", ())]);
        }
        if let Some(act) = &a.action {
            if act == "TERMINATE" {
                // API model, `JobStateTimeLimitAction.action`: "For job queues connected to a
                // ECS, FARGATE or EKS compute environment, the only supported value is CANCEL
                // ... For job queues connected to a SAGEMAKER_TRAINING service environment, the
                // only supported value is TERMINATE".
                ctx.err(
                    format!("{ap}.action"),
                    "TERMINATE is for job queues of a SAGEMAKER_TRAINING service environment; a queue of ECS, FARGATE or EKS compute environments supports only CANCEL",
                );
            } else {
                ctx.enum_value(&format!("{ap}.action"), act, &[("CANCEL", ())]);
            }
        }
        let max = ctx.int_in(&format!("{ap}.maxTimeSeconds"), a.max_time_seconds, 600, 86_400);
        if let (Some(reason), Some(max)) = (a.reason.clone(), max) {
            if reason.is_empty() {
                ctx.err(
                    format!("{ap}.reason"),
                    "must name a blocked-queue reason, e.g. MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT",
                );
            }
            out.push(StateTimeLimitAction {
                reason,
                max_time: SimDuration::from_secs(u64::from(max)),
            });
        }
    }
    out
}

pub(super) fn job_queue(ctx: &mut Ctx, i: usize, raw: &RawJobQueue) -> Option<JobQueue> {
    let p = format!("jobQueues[{i}]");
    let name = raw.job_queue_name.clone()?;
    let state = queue_state(ctx, &format!("{p}.state"), raw.state.as_deref()).unwrap_or_default();
    let priority = ctx
        .int_in(&format!("{p}.priority"), raw.priority, 0, i64::from(i32::MAX))
        .unwrap_or(0);
    // Service environments (SageMaker Training) are not modelled: such a queue must not run
    // as a compute queue. API model: "A job queue can't have both a serviceEnvironmentOrder
    // and a computeEnvironmentOrder field."
    let service = raw.service_environment_order.as_ref().is_some_and(|v| !v.is_null());
    if service {
        ctx.err(
            format!("{p}.serviceEnvironmentOrder"),
            "service environments (SAGEMAKER_TRAINING) are not simulated, so a job queue with serviceEnvironmentOrder cannot run; give computeEnvironmentOrder instead (a job queue can't have both)",
        );
    }
    // Other values are checked against the API model's enum by the schema.
    if let Some(t) = raw.job_queue_type.as_deref() {
        if t == "SAGEMAKER_TRAINING" {
            ctx.err(
                format!("{p}.jobQueueType"),
                "SAGEMAKER_TRAINING job queues (service jobs) are not simulated; use a queue of compute environments (EKS, ECS or ECS_FARGATE)",
            );
        }
    }
    let ces = if service && raw.compute_environment_order.is_empty() {
        Vec::new()
    } else {
        ce_order(
            ctx,
            &format!("{p}.computeEnvironmentOrder"),
            &raw.compute_environment_order,
        )
        .unwrap_or_default()
    };
    // `jobQueueType`: "For regular container jobs, this value is EKS, ECS, or ECS_FARGATE
    // depending on the compute environment." (API model)
    if let (Some(t), Some(first)) = (raw.job_queue_type.as_deref(), ces.first()) {
        let kind = ctx.ce_kinds.get(first.index()).copied().flatten();
        let eks = ctx.ce_eks.get(first.index()).copied().flatten();
        let want = match (eks, kind) {
            (Some(true), _) => Some("EKS"),
            // LAMBDA is batchsim's: either ECS type is accepted.
            (_, Some(k)) if k.is_lambda() => None,
            (_, Some(k)) if k.is_fargate() => Some("ECS_FARGATE"),
            (_, Some(_)) => Some("ECS"),
            _ => None,
        };
        if let Some(want) = want.filter(|w| *w != t && t != "SAGEMAKER_TRAINING") {
            ctx.err(
                format!("{p}.jobQueueType"),
                format!("\"{t}\" does not match the queue's compute environments, which make it {want}"),
            );
        }
    }
    let names = ctx.policy_names.clone();
    let policy = raw
        .scheduling_policy_arn
        .as_deref()
        .and_then(|r| ctx.reference(&format!("{p}.schedulingPolicyArn"), "scheduling policy", r, &names))
        .map(PolicyId);
    let actions = time_limit_actions(
        ctx,
        &format!("{p}.jobStateTimeLimitActions"),
        &raw.job_state_time_limit_actions,
    );
    let backfill = match raw.simulation.as_ref().and_then(|s| s.backfill.as_deref()) {
        None => Backfill::None,
        Some(b) => {
            let v = ctx
                .enum_value(
                    &format!("{p}.simulation.backfill"),
                    b,
                    &[
                        ("none", Backfill::None),
                        ("easy", Backfill::Easy),
                        ("greedy", Backfill::Greedy),
                    ],
                )
                .unwrap_or_default();
            if v != Backfill::None && raw.scheduling_policy_arn.is_some() {
                ctx.err(format!("{p}.simulation.backfill"), "backfilling applies to FIFO queues only; this queue has a scheduling policy (fair share never backfills)");
            }
            v
        }
    };
    Some(JobQueue {
        name,
        state,
        priority,
        compute_environments: ces,
        scheduling_policy: policy,
        state_time_limit_actions: actions,
        backfill,
    })
}
