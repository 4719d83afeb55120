//! The AWS limits the engine checks on what it is given: a job definition
//! (RegisterJobDefinition, or a scenario's), an action ([`crate::Simulation::apply`], or a
//! scenario's `actions`), and the whole scenario in [`crate::Simulation::new`].
//!
//! A [`Scenario`] is built only by loading or by its builder, which check the same rules
//! with JSON paths; [`check_scenario`] is the engine's own guard on what it relies on (ids in
//! range, actions in time order, the limits below), so that a rule the loader missed is a
//! typed error, never a panic or a hang. Its unit tests build scenarios that only code inside
//! the crate can make (edited after loading).

use super::api::{
    SubmitJob, MAX_NODES, MAX_QUEUE_COMPUTE_ENVIRONMENTS, MAX_SCHEDULING_PRIORITY, MAX_VCPUS, MIN_TIMEOUT_SECONDS,
};
use super::error::{ApplyError, DefinitionError, InvalidAction};
use crate::error::{Error, Problem, Problems};
use crate::model::{Action, CeId, JobDefinition, JobId, QueueId};
use crate::scenario::Scenario;
use crate::time::SimDuration;
use crate::workload::{RuntimeModel, WorkloadEntry};

/// The AWS limits of a job definition (registered by action or given in a scenario).
fn check_definition(def: &JobDefinition) -> Result<(), DefinitionError> {
    def.retry_strategy.check().map_err(DefinitionError::Retry)?;
    if def
        .timeout
        .is_some_and(|t| t < SimDuration::from_secs(MIN_TIMEOUT_SECONDS))
    {
        return Err(DefinitionError::Timeout);
    }
    if def.scheduling_priority > MAX_SCHEDULING_PRIORITY {
        return Err(DefinitionError::SchedulingPriority {
            priority: def.scheduling_priority,
        });
    }
    if let Some(m) = &def.multinode {
        if m.num_nodes == 0 || m.num_nodes > MAX_NODES || m.main_node >= m.num_nodes {
            return Err(DefinitionError::Nodes {
                nodes: m.num_nodes,
                main_node: m.main_node,
            });
        }
    }
    Ok(())
}

/// Every resource of `needs` is one of the `count` consumable resources.
fn consumable_ids(needs: &[crate::model::ConsumableRequirement], count: usize) -> Result<(), ApplyError> {
    match needs.iter().find(|n| n.resource.index() >= count) {
        Some(n) => Err(ApplyError::UnknownConsumableResource { id: n.resource, count }),
        None => Ok(()),
    }
}

/// The consumable resource ids of an action (an update's resource, a registered definition's
/// list) are among the `count` of the simulation.
pub(super) fn consumable_action(action: &Action, count: usize) -> Result<(), ApplyError> {
    match action {
        Action::UpdateConsumableResource { resource, .. } if resource.index() >= count => {
            Err(ApplyError::UnknownConsumableResource { id: *resource, count })
        }
        Action::RegisterJobDefinition(def) => consumable_ids(&def.consumable_resources, count),
        _ => Ok(()),
    }
}

fn invalid(reason: InvalidAction) -> ApplyError {
    ApplyError::Invalid { reason }
}

/// An UpdateComputeEnvironment's limits against the compute environment's current
/// `(minvCpus, maxvCpus)` ([`crate::model::compute_environment::limits_after`]).
pub(super) fn check_ce_limits(
    current: (u32, u32),
    new_min: Option<u32>,
    new_max: Option<u32>,
    desired: Option<u32>,
) -> Result<(), ApplyError> {
    use crate::model::compute_environment::{limits_after, LimitsBreach};
    match limits_after(current, new_min, new_max, desired) {
        Ok(_) => Ok(()),
        Err(LimitsBreach::MinAboveMax { min, max }) => Err(invalid(InvalidAction::MinAboveMax { min, max })),
        Err(LimitsBreach::DesiredOutside { desired, min, max }) => {
            Err(invalid(InvalidAction::DesiredOutsideLimits { desired, min, max }))
        }
    }
}

/// Checks the ids and AWS limits of an action against a simulation of `ces` compute
/// environments (their kinds), `queues` job queues (fair share or not) and `policies`
/// scheduling policies.
pub(super) fn check_action(
    action: &Action,
    ces: &[crate::model::ComputeEnvironmentType],
    queues: &[bool],
    policies: usize,
) -> Result<(), ApplyError> {
    let ce_ok = |id: CeId| {
        if id.index() < ces.len() {
            Ok(ces[id.index()])
        } else {
            Err(ApplyError::UnknownComputeEnvironment { id, count: ces.len() })
        }
    };
    match action {
        Action::UpdateComputeEnvironment {
            compute_environment,
            min_vcpus,
            max_vcpus,
            desired_vcpus,
            ..
        } => {
            let kind = ce_ok(*compute_environment)?;
            if [min_vcpus, max_vcpus, desired_vcpus]
                .into_iter()
                .flatten()
                .any(|v| *v > MAX_VCPUS)
            {
                return Err(invalid(InvalidAction::VcpuLimit));
            }
            if !kind.has_instances() && (min_vcpus.is_some_and(|v| v != 0) || desired_vcpus.is_some_and(|v| v != 0)) {
                return Err(invalid(InvalidAction::FargateMinOrDesired));
            }
        }
        Action::UpdateJobQueue {
            job_queue,
            compute_environments,
            scheduling_policy,
            state_time_limit_actions,
            ..
        } => {
            let Some(&fair) = queues.get(job_queue.index()) else {
                return Err(ApplyError::UnknownQueue {
                    id: *job_queue,
                    count: queues.len(),
                });
            };
            if let Some(list) = compute_environments {
                if list.is_empty() || list.len() > MAX_QUEUE_COMPUTE_ENVIRONMENTS {
                    return Err(invalid(InvalidAction::QueueComputeEnvironments { count: list.len() }));
                }
                let mut fargate = Vec::new();
                for (k, &c) in list.iter().enumerate() {
                    fargate.push(ce_ok(c)?.platform_class());
                    if list[..k].contains(&c) {
                        return Err(invalid(InvalidAction::ListedTwice { id: c }));
                    }
                }
                if fargate.iter().any(|f| *f != fargate[0]) {
                    return Err(invalid(InvalidAction::MixedPlatforms));
                }
            }
            if let Some(p) = scheduling_policy {
                if p.index() >= policies {
                    return Err(ApplyError::UnknownPolicy {
                        id: *p,
                        count: policies,
                    });
                }
                if !fair {
                    return Err(invalid(InvalidAction::FifoToFairShare));
                }
            }
            for t in state_time_limit_actions.iter().flatten() {
                let s = t.max_time.as_millis() / 1000;
                if !(600..=86_400).contains(&s) || t.max_time.as_millis() % 1000 != 0 {
                    return Err(invalid(InvalidAction::StateTimeLimit { max_time: t.max_time }));
                }
            }
        }
        Action::RegisterJobDefinition(def) => {
            check_definition(def).map_err(|e| invalid(InvalidAction::JobDefinition(e)))?
        }
        Action::DeregisterJobDefinition(_) | Action::CancelJob { .. } | Action::TerminateJob { .. } => {}
        // Its id is checked against the resources by `consumable_ids` (the caller's count).
        Action::UpdateConsumableResource { .. } => {}
    }
    Ok(())
}

/// Checks what [`crate::Simulation::new`] relies on in a [`Scenario`]: every id in range,
/// actions in time order, AWS's limits. Every problem is listed, with the path of its field.
pub(crate) fn check_scenario(s: &Scenario) -> Result<(), Error> {
    let mut list = Vec::new();
    let mut err = |path: String, message: String| list.push(Problem { path, message });
    let kinds: Vec<_> = s.compute_environments.iter().map(|c| c.kind).collect();
    let fair: Vec<bool> = s.job_queues.iter().map(|q| q.scheduling_policy.is_some()).collect();
    for (i, c) in s.compute_environments.iter().enumerate() {
        if c.max_vcpus > MAX_VCPUS || c.min_vcpus > MAX_VCPUS || c.desired_vcpus.is_some_and(|d| d > MAX_VCPUS) {
            err(
                format!("computeEnvironments[{i}].computeResources"),
                format!("vCPU counts are at most {MAX_VCPUS}"),
            );
        }
    }
    for (i, q) in s.job_queues.iter().enumerate() {
        let action = Action::UpdateJobQueue {
            job_queue: QueueId(i as u32),
            state: None,
            priority: None,
            compute_environments: Some(q.compute_environments.clone()),
            scheduling_policy: q.scheduling_policy,
            state_time_limit_actions: Some(q.state_time_limit_actions.clone()),
        };
        if let Err(e) = check_action(&action, &kinds, &fair, s.scheduling_policies.len()) {
            err(format!("jobQueues[{i}]"), e.to_string());
        }
    }
    for (i, d) in s.job_definitions.iter().enumerate() {
        if let Err(e) = check_definition(d) {
            err(format!("jobDefinitions[{i}]"), e.to_string());
        }
    }
    for (i, w) in s.workload.iter().enumerate() {
        let (t, runtime) = match w {
            WorkloadEntry::Submission { template, runtime, .. } | WorkloadEntry::Stream { template, runtime, .. } => {
                (template, Some(runtime))
            }
            WorkloadEntry::Trace { template, .. } => (template, None),
        };
        let p = format!("workload[{i}].submitJob");
        if t.job_queue.index() >= s.job_queues.len() {
            err(
                format!("{p}.jobQueue"),
                format!(
                    "job queue {} is not one of the {} of the scenario",
                    t.job_queue.0,
                    s.job_queues.len()
                ),
            );
        }
        let mut req = SubmitJob::from_names("x", "", "", runtime.copied().unwrap_or(RuntimeModel::fixed(0.0)));
        req.array_size = t.array_size;
        req.retry_strategy = t.retry_strategy.clone();
        req.timeout = t.timeout;
        req.scheduling_priority_override = t.scheduling_priority_override;
        req.resources = t.resource_overrides;
        req.depends_on = vec![(JobId::new(0), None); t.depends_on.iter().filter(|d| !d.job.is_empty()).count()];
        if let Err(e) = req.check() {
            err(p, e.to_string());
        }
    }
    let count = s.consumable_resources.len();
    for (i, d) in s.job_definitions.iter().enumerate() {
        if let Err(e) = consumable_ids(&d.consumable_resources, count) {
            err(
                format!("jobDefinitions[{i}].consumableResourceProperties"),
                e.to_string(),
            );
        }
    }
    for (i, w) in s.workload.iter().enumerate() {
        let (WorkloadEntry::Submission { template, .. }
        | WorkloadEntry::Stream { template, .. }
        | WorkloadEntry::Trace { template, .. }) = w;
        if let Err(e) = consumable_ids(&template.consumable_override, count) {
            err(
                format!("workload[{i}].submitJob.consumableResourcePropertiesOverride"),
                e.to_string(),
            );
        }
    }
    for (i, a) in s.actions.iter().enumerate() {
        if let Err(e) = consumable_action(&a.action, count) {
            err(format!("actions[{i}]"), e.to_string());
        }
    }
    for (i, a) in s.actions.iter().enumerate() {
        if i > 0 && a.at < s.actions[i - 1].at {
            err(format!("actions[{i}].at"), "actions are in time order".to_owned());
        }
        if let Err(e) = check_action(&a.action, &kinds, &fair, s.scheduling_policies.len()) {
            err(format!("actions[{i}]"), e.to_string());
        }
    }
    if list.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(Problems {
            file: s.name.clone(),
            list,
        }))
    }
}

#[cfg(test)]
mod tests {
    //! Scenarios edited after loading, which only code inside the crate can make: the
    //! engine refuses them with the field's path, or runs them, and never panics. (These were
    //! integration tests while `Scenario`'s fields were public.)

    use crate::model::{Action, CeId, PolicyId, QueueId, RetryStrategy};
    use crate::workload::{RuntimeModel, WorkloadEntry};
    use crate::{Options, Scenario, SimDuration, SimTime, Simulation};

    /// A message for people: no Rust `Option` text, no CamelCase type names.
    fn assert_for_people(message: &str) {
        assert!(!message.contains("Some(") && !message.contains("None"), "{message}");
        for word in message.split(|c: char| !c.is_ascii_alphanumeric()) {
            let camel = word.len() > 1
                && word.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                && word.chars().skip(1).any(|c| c.is_ascii_uppercase())
                && word.chars().any(|c| c.is_ascii_lowercase());
            assert!(!camel, "`{word}` in {message:?}");
        }
    }

    fn no_panic<T>(name: &str, f: impl FnOnce() -> T) -> T {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| panic!("{name} panicked"))
    }

    /// "You can specify between 1 and 10 attempts." (API model, `RetryStrategy.attempts`):
    /// a definition edited to `u32::MAX` attempts is refused by `Simulation::new`, with the
    /// field's path and the limit's sentence.
    #[test]
    fn a_definition_edited_to_u32_max_attempts_is_refused() {
        let mut sc = Scenario::builder("api")
            .fargate_compute_environment("ce", 1, 0.0)
            .job_queue("q", 1, &["ce"])
            .fargate_job_definition("d", 1.0, 2048)
            .build()
            .expect("valid scenario");
        sc.job_definitions[0].retry_strategy = RetryStrategy {
            attempts: u32::MAX,
            evaluate_on_exit: Vec::new(),
        };
        let err = Simulation::new(&sc, Options::default()).err().expect("refused");
        assert_eq!(err.problems()[0].path, "jobDefinitions[0]");
        assert_eq!(
            err.problems()[0].message,
            "retryStrategy.attempts must be from 1 to 10, found 4294967295"
        );
    }

    #[test]
    fn edited_scenarios_are_refused_not_panicked_on() {
        let base = Scenario::builder("edit")
            .fargate_compute_environment("ce", 4, 0.0)
            .job_queue("q", 1, &["ce"])
            .fargate_job_definition("d", 1.0, 2048)
            .submit(0.0, "w", "q", "d", RuntimeModel::fixed(5.0))
            .action_json(serde_json::json!({"at": 10, "updateJobQueue": {"jobQueue": "q", "priority": 2}}))
            .action_json(serde_json::json!({"at": 20, "updateJobQueue": {"jobQueue": "q", "priority": 3}}))
            .build()
            .unwrap();
        type Edit = Box<dyn Fn(&mut Scenario)>;
        let edits: Vec<(&str, Edit)> = vec![
            (
                "jobQueues[0]",
                Box::new(|s| s.job_queues[0].compute_environments = vec![CeId(5)]),
            ),
            (
                "jobQueues[0]",
                Box::new(|s| s.job_queues[0].compute_environments.clear()),
            ),
            (
                "jobQueues[0]",
                Box::new(|s| s.job_queues[0].scheduling_policy = Some(PolicyId(0))),
            ),
            (
                "workload[0].submitJob.jobQueue",
                Box::new(|s| {
                    if let WorkloadEntry::Submission { template, .. } = &mut s.workload[0] {
                        template.job_queue = QueueId(9);
                    }
                }),
            ),
            (
                "workload[0].submitJob",
                Box::new(|s| {
                    if let WorkloadEntry::Submission { template, .. } = &mut s.workload[0] {
                        template.array_size = Some(1_000_000);
                    }
                }),
            ),
            ("actions[1].at", Box::new(|s| s.actions[1].at = SimTime::ZERO)),
            (
                "actions[0]",
                Box::new(|s| {
                    if let Action::UpdateJobQueue { job_queue, .. } = &mut s.actions[0].action {
                        *job_queue = QueueId(4);
                    }
                }),
            ),
            (
                "computeEnvironments[0].computeResources",
                Box::new(|s| s.compute_environments[0].max_vcpus = u32::MAX),
            ),
            (
                "jobDefinitions[0]",
                Box::new(|s| s.job_definitions[0].timeout = Some(SimDuration::from_secs(1))),
            ),
        ];
        for (path, edit) in edits {
            let mut s = base.clone();
            edit(&mut s);
            let err = Simulation::new(&s, Options::default())
                .err()
                .unwrap_or_else(|| panic!("{path}: accepted"));
            assert_eq!(err.problems()[0].path, path);
            assert_for_people(&err.to_string());
        }
        assert!(Simulation::new(&base, Options::default()).is_ok());
    }

    /// Sets one kind of field of `s` to an extreme value.
    fn edit_extreme(s: &mut Scenario, kind: usize, u: u32, x: f64) {
        let ms = |v: u32| SimDuration::from_millis(u64::from(v) * 1000);
        match kind {
            0 => s.compute_environments.iter_mut().for_each(|c| c.max_vcpus = u),
            1 => s.compute_environments.iter_mut().for_each(|c| {
                c.min_vcpus = u;
                c.desired_vcpus = Some(u);
            }),
            2 => s
                .compute_environments
                .iter_mut()
                .for_each(|c| c.interruptions_per_hour = x),
            3 => s.compute_environments.iter_mut().for_each(|c| {
                c.prices.vcpu_hour = x;
                c.prices.spot_discount = x;
                c.prices.instance_hour = Some(x);
            }),
            4 => s.job_definitions.iter_mut().for_each(|d| d.resources.millivcpus = u),
            5 => s.job_definitions.iter_mut().for_each(|d| {
                d.resources.memory_mib = u;
                d.resources.gpus = u.min(8);
            }),
            6 => s.scheduling_policies.iter_mut().for_each(|p| {
                p.compute_reservation = u;
                p.share_decay = ms(u);
                p.share_distribution.iter_mut().for_each(|w| w.weight_factor = x);
            }),
            7 => s.job_queues.iter_mut().for_each(|q| q.priority = u),
            8 => s.workload.iter_mut().for_each(|w| {
                if let WorkloadEntry::Submission { at, .. } = w {
                    *at = SimTime::from_millis(u64::from(u) * 1_000_000);
                }
            }),
            9 => s.compute_environments.iter_mut().for_each(|c| {
                c.startup = ms(u);
                c.instance_launch = SimDuration::from_millis(u64::from(u));
                c.scale_in_idle = SimDuration::ZERO;
                c.interruption_notice = ms(u);
            }),
            10 => s
                .compute_environments
                .iter_mut()
                .for_each(|c| c.reserved_memory_mib = Some(u)),
            11 => s.compute_environments.iter_mut().for_each(|c| c.instance_types.clear()),
            _ => s.until = Some(SimTime::from_millis(u64::from(u))),
        }
    }

    #[test]
    fn scenarios_edited_to_extremes_are_refused_or_run_without_panic() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/");
        let mut ran = 0;
        for file in ["quickstart", "compare-ec2-spot", "teams-fair-share", "timeout-retry"] {
            let base = Scenario::from_file(format!("{dir}{file}.json")).unwrap();
            for kind in 0..13 {
                for (u, x) in [(0, 0.0), (1, -1.0), (u32::MAX, f64::NAN), (4_294_967, f64::INFINITY)] {
                    let mut s = base.clone();
                    edit_extreme(&mut s, kind, u, x);
                    let name = format!("{file}: edit {kind} with {u} / {x}");
                    ran += no_panic(&name, || {
                        let options = Options {
                            until: Some(SimTime::from_millis(2 * 86_400_000)),
                            ..Options::default()
                        };
                        let Ok(mut sim) = Simulation::new(&s, options) else {
                            return 0;
                        };
                        for _ in 0..50_000 {
                            if !sim.step() {
                                break;
                            }
                        }
                        let _ = sim.clone().finish();
                        1
                    });
                }
            }
        }
        assert!(ran > 150, "{ran} of 208 edited scenarios ran");
    }
}
