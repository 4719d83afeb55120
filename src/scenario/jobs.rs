//! Validation of job definitions, workload entries and actions.

use super::raw::*;
use super::suggest::suggest;
use super::validate::{
    arn_tail, ce_order, ce_state, check_name, check_share_identifier, queue_state, time_limit_actions, Ctx,
};
use crate::model::job_definition::{JobDefinitionRef, MultiNode, NodeRange};
use crate::model::resources::{check_fargate, fargate_min_memory};
use crate::model::*;
use crate::time::SimTime;
use crate::workload::{
    ArrayDependency, ArrivalProcess, Dependency, Distribution, JobTemplate, ResourceOverrides, RuntimeModel,
    TraceFormat, WorkloadEntry,
};
use std::collections::BTreeMap;
use std::path::Path;

type Converted = (Vec<JobDefinition>, Vec<WorkloadEntry>, Vec<TimedAction>);

/// Default memory of an EC2 job definition that gives none (MiB).
const DEFAULT_EC2_MEMORY_MIB: u32 = 2048;

pub(super) fn convert_jobs(
    ctx: &mut Ctx,
    raw: &RawScenario,
    queues: &[Option<JobQueue>],
    until: Option<SimTime>,
    base_dir: &Path,
) -> Option<Converted> {
    let defs: Vec<Option<JobDefinition>> = raw
        .job_definitions
        .iter()
        .enumerate()
        .map(|(i, d)| job_definition(ctx, &format!("jobDefinitions[{i}]"), d))
        .collect();
    // Every registration in file order, including timed ones, to check references statically.
    let mut registrations: Vec<(String, Option<JobDefinition>)> = raw
        .job_definitions
        .iter()
        .zip(&defs)
        .map(|(r, d)| (r.job_definition_name.clone().unwrap_or_default(), d.clone()))
        .collect();
    for a in &raw.actions {
        if let Some(d) = &a.register_job_definition {
            registrations.push((d.job_definition_name.clone().unwrap_or_default(), None));
        }
    }
    let statics = StaticDefs { registrations };
    let workload = workload(ctx, raw, queues, &statics, until, base_dir);
    let actions = actions(ctx, raw, queues);
    Some((defs.into_iter().flatten().collect(), workload?, actions?))
}

/// The job definitions a reference could mean, known before the run.
struct StaticDefs {
    registrations: Vec<(String, Option<JobDefinition>)>,
}

impl StaticDefs {
    fn names(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.registrations.iter().map(|(n, _)| n.as_str()).collect();
        v.dedup();
        v
    }

    /// Checks a reference; returns the revision it most likely means (for resource checks).
    fn check(&self, ctx: &mut Ctx, path: &str, reference: &str) -> Option<&JobDefinition> {
        let r = JobDefinitionRef::parse(reference);
        let revisions: Vec<&Option<JobDefinition>> = self
            .registrations
            .iter()
            .filter(|(n, _)| *n == r.name)
            .map(|(_, d)| d)
            .collect();
        if revisions.is_empty() {
            let hint = suggest(&r.name, self.names())
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            ctx.err(path, format!("unknown job definition `{reference}`{hint}"));
            return None;
        }
        match r.revision {
            Some(rev) if rev == 0 || rev as usize > revisions.len() => {
                ctx.err(
                    path,
                    format!(
                        "job definition `{}` has {} revision(s); there is no revision {rev}",
                        r.name,
                        revisions.len()
                    ),
                );
                None
            }
            Some(rev) => revisions[rev as usize - 1].as_ref(),
            None => revisions.iter().rev().find_map(|d| d.as_ref()),
        }
    }
}

fn parse_vcpus(ctx: &mut Ctx, path: &str, value: &str) -> Option<u32> {
    match value.trim().parse::<f64>() {
        Ok(v) if v > 0.0 && v <= 1_000_000.0 && (v * 1000.0).fract() == 0.0 => Some((v * 1000.0) as u32),
        _ => {
            ctx.err(
                path,
                format!("VCPU must be a positive number of vCPUs (e.g. \"1\", \"0.25\"), found \"{value}\""),
            );
            None
        }
    }
}

fn parse_whole(ctx: &mut Ctx, path: &str, what: &str, value: &str, min: u64) -> Option<u32> {
    match value.trim().parse::<u64>() {
        Ok(v) if v >= min && v <= u64::from(u32::MAX) => Some(v as u32),
        _ => {
            ctx.err(
                path,
                format!("{what} must be a whole number of at least {min}, found \"{value}\""),
            );
            None
        }
    }
}

/// The resource fields of `resourceRequirements` (plus legacy `vcpus`/`memory`), as overrides.
fn requirements(
    ctx: &mut Ctx,
    p: &str,
    reqs: &[RawResourceRequirement],
    vcpus: Option<i64>,
    memory: Option<i64>,
) -> ResourceOverrides {
    let mut o = ResourceOverrides::default();
    if let Some(v) = vcpus {
        o.millivcpus = ctx
            .int_in(&format!("{p}.vcpus"), Some(v), 1, 1_000_000)
            .map(|v| v * 1000);
    }
    if let Some(m) = memory {
        o.memory_mib = ctx.int_in(&format!("{p}.memory"), Some(m), 4, i64::from(u32::MAX));
    }
    for (k, r) in reqs.iter().enumerate() {
        let rp = format!("{p}.resourceRequirements[{k}].value");
        let (Some(kind), Some(value)) = (&r.kind, &r.value) else {
            continue;
        };
        match kind.as_str() {
            "VCPU" => o.millivcpus = parse_vcpus(ctx, &rp, value).or(o.millivcpus),
            "MEMORY" => o.memory_mib = parse_whole(ctx, &rp, "MEMORY (MiB)", value, 4).or(o.memory_mib),
            "GPU" => o.gpus = parse_whole(ctx, &rp, "GPU", value, 0).or(o.gpus),
            _ => {}
        }
    }
    o
}

fn retry_strategy(ctx: &mut Ctx, p: &str, raw: &RawRetryStrategy) -> RetryStrategy {
    let attempts = ctx.int_in(&format!("{p}.attempts"), raw.attempts, 1, 10).unwrap_or(1);
    if raw.evaluate_on_exit.len() > 5 {
        ctx.err(
            format!("{p}.evaluateOnExit"),
            format!("at most 5 entries, found {}", raw.evaluate_on_exit.len()),
        );
    }
    let mut rules = Vec::new();
    for (k, e) in raw.evaluate_on_exit.iter().enumerate() {
        let ep = format!("{p}.evaluateOnExit[{k}]");
        for (field, v) in [
            ("onStatusReason", &e.on_status_reason),
            ("onReason", &e.on_reason),
            ("onExitCode", &e.on_exit_code),
        ] {
            if v.as_ref().is_some_and(|s| s.len() > 512) {
                ctx.err(format!("{ep}.{field}"), "a pattern is at most 512 characters");
            }
        }
        if let Some(code) = &e.on_exit_code {
            let body = code.strip_suffix('*').unwrap_or(code);
            if !body.chars().all(|c| c.is_ascii_digit()) || (body.is_empty() && !code.ends_with('*')) {
                ctx.err(
                    format!("{ep}.onExitCode"),
                    format!("must be digits, optionally ending with `*`, found \"{code}\""),
                );
            }
        }
        let action = match e.action.as_deref().map(str::to_ascii_uppercase).as_deref() {
            Some("RETRY") => RetryAction::Retry,
            Some("EXIT") => RetryAction::Exit,
            Some(other) => {
                ctx.err(format!("{ep}.action"), format!("\"{other}\" is not one of RETRY, EXIT"));
                continue;
            }
            None => continue,
        };
        rules.push(EvaluateOnExit {
            on_status_reason: e.on_status_reason.clone(),
            on_reason: e.on_reason.clone(),
            on_exit_code: e.on_exit_code.clone(),
            action,
        });
    }
    RetryStrategy {
        attempts,
        evaluate_on_exit: rules,
    }
}

fn timeout(ctx: &mut Ctx, p: &str, raw: &RawTimeout) -> Option<crate::time::SimDuration> {
    let secs = raw.attempt_duration_seconds?;
    if secs < 60 {
        ctx.err(
            format!("{p}.attemptDurationSeconds"),
            format!("must be at least 60 seconds, found {secs}"),
        );
        return None;
    }
    crate::time::SimDuration::from_secs_f64(secs as f64)
}

fn node_range(text: &str, num_nodes: u32) -> Option<(u32, u32)> {
    let last = num_nodes.checked_sub(1)?;
    let (a, b) = match text.split_once(':') {
        Some((a, b)) => (a, b),
        None => (text, text),
    };
    let from = if a.is_empty() { 0 } else { a.parse().ok()? };
    let to = if b.is_empty() { last } else { b.parse().ok()? };
    (from <= to && to <= last).then_some((from, to))
}

pub(super) fn job_definition(ctx: &mut Ctx, p: &str, raw: &RawJobDefinition) -> Option<JobDefinition> {
    let name = raw.job_definition_name.clone()?;
    check_name(ctx, &format!("{p}.jobDefinitionName"), &name);
    let multinode = match raw.kind.as_deref() {
        Some("multinode") => true,
        Some("container") | None => false,
        Some(other) => {
            ctx.err(
                format!("{p}.type"),
                format!("\"{other}\" is not one of container, multinode"),
            );
            false
        }
    };
    let platform = match raw.platform_capabilities.as_slice() {
        [] => Platform::Ec2,
        [one] if one == "EC2" => Platform::Ec2,
        [one] if one == "FARGATE" => Platform::Fargate,
        [one] => {
            ctx.err(
                format!("{p}.platformCapabilities[0]"),
                format!("\"{one}\" is not one of EC2, FARGATE"),
            );
            Platform::Ec2
        }
        _ => {
            ctx.err(format!("{p}.platformCapabilities"), "give one platform: EC2 or FARGATE");
            Platform::Ec2
        }
    };
    let mut overrides = ResourceOverrides::default();
    let mut command = Vec::new();
    if let Some(c) = &raw.container_properties {
        overrides = requirements(
            ctx,
            &format!("{p}.containerProperties"),
            &c.resource_requirements,
            c.vcpus,
            c.memory,
        );
        command = c.command.clone();
    } else if let Some(ecs) = &raw.ecs_properties {
        // Multi-container ECS jobs: the task needs the sum of its containers.
        let mut sum = ResourceOverrides::default();
        for (t, task) in ecs.task_properties.iter().enumerate().take(1) {
            for (k, c) in task.containers.iter().enumerate() {
                let o = requirements(
                    ctx,
                    &format!("{p}.ecsProperties.taskProperties[{t}].containers[{k}]"),
                    &c.resource_requirements,
                    None,
                    None,
                );
                let add = |a: Option<u32>, b: Option<u32>| match (a, b) {
                    (None, None) => None,
                    (a, b) => Some(a.unwrap_or(0).saturating_add(b.unwrap_or(0))),
                };
                sum = ResourceOverrides {
                    millivcpus: add(sum.millivcpus, o.millivcpus),
                    memory_mib: add(sum.memory_mib, o.memory_mib),
                    gpus: add(sum.gpus, o.gpus),
                };
                if command.is_empty() {
                    command = c.command.clone();
                }
            }
        }
        overrides = sum;
    }
    let millivcpus = overrides.millivcpus.unwrap_or(1000);
    let memory_default = match platform {
        Platform::Fargate => fargate_min_memory(millivcpus).unwrap_or(2048),
        Platform::Ec2 => DEFAULT_EC2_MEMORY_MIB,
    };
    let resources = Resources {
        millivcpus,
        memory_mib: overrides.memory_mib.unwrap_or(memory_default),
        gpus: overrides.gpus.unwrap_or(0),
    };
    if platform == Platform::Fargate {
        if let Err(e) = check_fargate(&resources) {
            ctx.err(format!("{p}.containerProperties.resourceRequirements"), e);
        }
    } else if millivcpus % 1000 != 0 {
        ctx.err(
            format!("{p}.containerProperties.resourceRequirements"),
            format!("EC2 jobs take whole vCPUs, found {}", resources.vcpus()),
        );
    }
    let mut def = JobDefinition::container(name, platform, resources);
    def.command = command;
    def.parameters = raw.parameters.clone();
    if let Some(r) = &raw.retry_strategy {
        def.retry_strategy = retry_strategy(ctx, &format!("{p}.retryStrategy"), r);
    }
    if let Some(t) = &raw.timeout {
        def.timeout = timeout(ctx, &format!("{p}.timeout"), t);
    }
    def.scheduling_priority = ctx
        .int_in(&format!("{p}.schedulingPriority"), raw.scheduling_priority, 0, 9999)
        .unwrap_or(0);
    if multinode {
        def.multinode = multinode_properties(ctx, p, raw, platform);
        if let Some(m) = &def.multinode {
            if let Some(main) = m.ranges.iter().find(|r| (r.from..=r.to).contains(&m.main_node)) {
                def.resources = main.resources;
            }
        }
    } else if raw.node_properties.is_some() {
        ctx.err(
            format!("{p}.nodeProperties"),
            "applies to `type: multinode` job definitions only",
        );
    }
    Some(def)
}

fn multinode_properties(ctx: &mut Ctx, p: &str, raw: &RawJobDefinition, platform: Platform) -> Option<MultiNode> {
    if platform == Platform::Fargate {
        ctx.err(
            format!("{p}.platformCapabilities"),
            "multi-node parallel jobs run on EC2 only",
        );
    }
    let Some(np) = &raw.node_properties else {
        ctx.err(p, "a multinode job definition needs `nodeProperties`");
        return None;
    };
    let pp = format!("{p}.nodeProperties");
    let num_nodes = ctx.int_in(&format!("{pp}.numNodes"), np.num_nodes, 1, 1000)?;
    let main_node = ctx.int_in(&format!("{pp}.mainNode"), np.main_node, 0, i64::from(num_nodes) - 1)?;
    let mut ranges = Vec::new();
    for (k, r) in np.node_range_properties.iter().enumerate() {
        let rp = format!("{pp}.nodeRangeProperties[{k}]");
        let Some(target) = &r.target_nodes else { continue };
        let Some((from, to)) = node_range(target, num_nodes) else {
            ctx.err(
                format!("{rp}.targetNodes"),
                format!(
                    "\"{target}\" is not a node range of 0..{} (e.g. \"0:3\", \"4:\")",
                    num_nodes - 1
                ),
            );
            continue;
        };
        if ranges.iter().any(|o: &NodeRange| from <= o.to && o.from <= to) {
            ctx.err(
                format!("{rp}.targetNodes"),
                format!("\"{target}\" overlaps another node range"),
            );
        }
        let c = r.container.clone().unwrap_or_default();
        let o = requirements(
            ctx,
            &format!("{rp}.container"),
            &c.resource_requirements,
            c.vcpus,
            c.memory,
        );
        let resources = Resources {
            millivcpus: o.millivcpus.unwrap_or(1000),
            memory_mib: o.memory_mib.unwrap_or(DEFAULT_EC2_MEMORY_MIB),
            gpus: o.gpus.unwrap_or(0),
        };
        ranges.push(NodeRange { from, to, resources });
    }
    let covered: u32 = ranges.iter().map(|r| r.to - r.from + 1).sum();
    if covered != num_nodes {
        ctx.err(
            format!("{pp}.nodeRangeProperties"),
            format!("the node ranges cover {covered} of {num_nodes} nodes; every node needs exactly one range"),
        );
    }
    Some(MultiNode {
        num_nodes,
        main_node,
        ranges,
    })
}

struct TemplateCtx<'a> {
    queues: &'a [Option<JobQueue>],
    statics: &'a StaticDefs,
    ce_kinds: Vec<Option<ComputeEnvironmentType>>,
}

fn template(
    ctx: &mut Ctx,
    tc: &TemplateCtx<'_>,
    p: &str,
    raw: &RawSubmitJob,
    default_name: Option<&str>,
) -> Option<JobTemplate> {
    let name = match (&raw.job_name, default_name) {
        (Some(n), _) => {
            check_name(ctx, &format!("{p}.jobName"), n);
            n.clone()
        }
        (None, Some(d)) => d.to_owned(),
        (None, None) => return None,
    };
    let queue_names = ctx.queue_names.clone();
    let queue_id = ctx
        .reference(
            &format!("{p}.jobQueue"),
            "job queue",
            raw.job_queue.as_deref()?,
            &queue_names,
        )
        .map(QueueId);
    let queue = queue_id.and_then(|q| tc.queues.get(q.index())).and_then(Option::as_ref);
    let def_ref = raw.job_definition.clone()?;
    let def = tc.statics.check(ctx, &format!("{p}.jobDefinition"), &def_ref).cloned();
    let mut t = JobTemplate::new(name, queue_id.unwrap_or(QueueId(0)), def_ref);
    if let Some(share) = &raw.share_identifier {
        check_share_identifier(ctx, &format!("{p}.shareIdentifier"), share, false);
        t.share_identifier = Some(share.clone());
    }
    if let Some(q) = queue {
        match (q.scheduling_policy.is_some(), raw.share_identifier.is_some()) {
            (true, false) => ctx.err(
                p,
                format!(
                    "missing `shareIdentifier`: job queue `{}` has a fair-share scheduling policy",
                    q.name
                ),
            ),
            (false, true) => ctx.err(
                format!("{p}.shareIdentifier"),
                format!(
                    "job queue `{}` is FIFO (no scheduling policy); AWS refuses a shareIdentifier there",
                    q.name
                ),
            ),
            _ => {}
        }
    }
    t.scheduling_priority_override = ctx.int_in(
        &format!("{p}.schedulingPriorityOverride"),
        raw.scheduling_priority_override,
        0,
        9999,
    );
    if let Some(a) = &raw.array_properties {
        t.array_size = ctx.int_in(&format!("{p}.arrayProperties.size"), a.size, 2, 10_000);
    }
    if raw.depends_on.len() > 20 {
        ctx.err(
            format!("{p}.dependsOn"),
            format!("a job can depend on at most 20 jobs, found {}", raw.depends_on.len()),
        );
    }
    for (k, d) in raw.depends_on.iter().enumerate() {
        let kind = match d.kind.as_deref() {
            None => None,
            Some(k2) => ctx.enum_value(
                &format!("{p}.dependsOn[{k}].type"),
                k2,
                &[
                    ("N_TO_N", ArrayDependency::NToN),
                    ("SEQUENTIAL", ArrayDependency::Sequential),
                ],
            ),
        };
        match &d.job_id {
            Some(id) => t.depends_on.push(Dependency { job: id.clone(), kind }),
            None if kind == Some(ArrayDependency::Sequential) => t.depends_on.push(Dependency {
                job: String::new(),
                kind,
            }),
            None => ctx.err(
                format!("{p}.dependsOn[{k}]"),
                "missing `jobId` (only a SEQUENTIAL dependency of an array job on itself may omit it)",
            ),
        }
    }
    if let Some(o) = &raw.container_overrides {
        t.resource_overrides = requirements(
            ctx,
            &format!("{p}.containerOverrides"),
            &o.resource_requirements,
            o.vcpus,
            o.memory,
        );
        t.command = o.command.clone();
    }
    if let Some(r) = &raw.retry_strategy {
        t.retry_strategy = Some(retry_strategy(ctx, &format!("{p}.retryStrategy"), r));
    }
    if let Some(to) = &raw.timeout {
        t.timeout = timeout(ctx, &format!("{p}.timeout"), to);
    }
    t.parameters = raw.parameters.clone();
    if let (Some(q), Some(def)) = (queue, def) {
        let fargate_queue = q
            .compute_environments
            .first()
            .and_then(|c| tc.ce_kinds.get(c.index()).copied().flatten())
            .map(|k| k.is_fargate());
        let resources = t.resource_overrides.apply(def.resources);
        match (fargate_queue, def.platform) {
            (Some(true), Platform::Ec2) => ctx.err(format!("{p}.jobDefinition"), format!("job definition `{}` is for EC2 (platformCapabilities) but job queue `{}` has Fargate compute environments", def.name, q.name)),
            (Some(false), Platform::Fargate) => ctx.err(format!("{p}.jobDefinition"), format!("job definition `{}` is for FARGATE but job queue `{}` has EC2 compute environments", def.name, q.name)),
            (Some(true), Platform::Fargate) if t.resource_overrides != ResourceOverrides::default() => {
                if let Err(e) = check_fargate(&resources) {
                    ctx.err(format!("{p}.containerOverrides"), e);
                }
            }
            _ => {}
        }
        if t.array_size.is_some() && def.multinode.is_some() {
            ctx.err(
                format!("{p}.arrayProperties"),
                "multi-node parallel jobs cannot be array jobs",
            );
        }
        let spot = q
            .compute_environments
            .iter()
            .any(|c| tc.ce_kinds.get(c.index()).copied().flatten() == Some(ComputeEnvironmentType::Spot));
        if def.multinode.is_some() && spot {
            ctx.err(
                format!("{p}.jobDefinition"),
                format!(
                    "multi-node parallel job definition `{}` cannot run on SPOT compute environments (job queue `{}`)",
                    def.name, q.name
                ),
            );
        }
    }
    Some(t)
}

fn runtime(ctx: &mut Ctx, p: &str, raw: &RawRuntime) -> Option<RuntimeModel> {
    let nonneg = |ctx: &mut Ctx, field: &str, v: Option<f64>, positive: bool| -> Option<f64> {
        let v = v?;
        let ok = v.is_finite() && v <= crate::time::MAX_SECONDS && if positive { v > 0.0 } else { v >= 0.0 };
        if !ok {
            let what = if positive { "more than 0" } else { "0 or more" };
            ctx.err(format!("{p}.{field}"), format!("must be {what}, found {v}"));
        }
        ok.then_some(v)
    };
    let distribution = match raw.distribution.as_deref()? {
        "fixed" => Distribution::Fixed {
            seconds: nonneg(ctx, "seconds", raw.seconds, false)?,
        },
        "exponential" => Distribution::Exponential {
            mean_seconds: nonneg(ctx, "meanSeconds", raw.mean_seconds, true)?,
        },
        "uniform" => {
            let (lo, hi) = (
                nonneg(ctx, "minSeconds", raw.min_seconds, false)?,
                nonneg(ctx, "maxSeconds", raw.max_seconds, false)?,
            );
            if hi < lo {
                ctx.err(
                    format!("{p}.maxSeconds"),
                    format!("must be at least minSeconds ({lo}), found {hi}"),
                );
                return None;
            }
            Distribution::Uniform {
                min_seconds: lo,
                max_seconds: hi,
            }
        }
        "lognormal" => {
            let median = nonneg(ctx, "medianSeconds", raw.median_seconds, true)?;
            let sigma = raw.sigma?;
            if !(sigma.is_finite() && (0.0..=10.0).contains(&sigma)) {
                ctx.err(format!("{p}.sigma"), format!("must be from 0 to 10, found {sigma}"));
                return None;
            }
            Distribution::LogNormal {
                median_seconds: median,
                sigma,
            }
        }
        _ => return None,
    };
    let mut m = RuntimeModel::new(distribution);
    if let Some(c) = raw.exit_code {
        m.exit_code = i32::try_from(c).unwrap_or_else(|_| {
            ctx.err(
                format!("{p}.exitCode"),
                format!("{c} is out of the range of exit codes"),
            );
            0
        });
    }
    if let Some(c) = raw.failure_exit_code {
        m.failure_exit_code = i32::try_from(c).unwrap_or_else(|_| {
            ctx.err(
                format!("{p}.failureExitCode"),
                format!("{c} is out of the range of exit codes"),
            );
            1
        });
        if c == 0 {
            ctx.err(format!("{p}.failureExitCode"), "a failure exits with a non-zero code");
        }
    }
    if let Some(f) = raw.failure_probability {
        if (0.0..=1.0).contains(&f) {
            m.failure_probability = f;
        } else {
            ctx.err(
                format!("{p}.failureProbability"),
                format!("must be a probability from 0 to 1, found {f}"),
            );
        }
    }
    Some(m)
}

fn workload(
    ctx: &mut Ctx,
    raw: &RawScenario,
    queues: &[Option<JobQueue>],
    statics: &StaticDefs,
    until: Option<SimTime>,
    base_dir: &Path,
) -> Option<Vec<WorkloadEntry>> {
    let tc = TemplateCtx {
        queues,
        statics,
        ce_kinds: ctx.ce_kinds.clone(),
    };
    let mut out = Vec::new();
    // (job name, first submission time, entry index, array size) for dependency checks.
    let mut named: Vec<(String, SimTime, usize, Option<u32>)> = Vec::new();
    let mut ok = true;
    for (i, e) in raw.workload.iter().enumerate() {
        let p = format!("workload[{i}]");
        let entry = if let Some(trace) = &e.trace {
            let format = match trace.format.as_deref() {
                Some("swf") => TraceFormat::Swf,
                Some("csv") => TraceFormat::Csv,
                _ => {
                    ok = false;
                    continue;
                }
            };
            let Some(rel) = &trace.path else { continue };
            let path = base_dir.join(rel);
            if !path.is_file() {
                ctx.err(
                    format!("{p}.trace.path"),
                    format!(
                        "cannot read trace file `{}` (paths are relative to the scenario file)",
                        path.display()
                    ),
                );
            }
            let stem = Path::new(rel)
                .file_name()
                .and_then(|s| s.to_str())
                .unwrap_or("trace")
                .split('.')
                .next()
                .unwrap_or("trace")
                .to_owned();
            let default_name: String = stem
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                        c
                    } else {
                        '-'
                    }
                })
                .collect();
            let Some(t) = e
                .submit_job
                .as_ref()
                .and_then(|s| template(ctx, &tc, &format!("{p}.submitJob"), s, Some(&default_name)))
            else {
                ok = false;
                continue;
            };
            WorkloadEntry::Trace {
                path,
                format,
                template: t,
            }
        } else if let Some(arr) = &e.arrivals {
            let process = match arr.process.as_deref() {
                Some("poisson") => match arr.rate_per_hour {
                    Some(r) if r.is_finite() && r > 0.0 && r <= 3.6e9 => ArrivalProcess::Poisson { rate_per_hour: r },
                    Some(r) => {
                        ctx.err(
                            format!("{p}.arrivals.ratePerHour"),
                            format!("must be more than 0 and at most 3.6e9 (one per millisecond), found {r}"),
                        );
                        continue;
                    }
                    None => continue,
                },
                Some("every") => match arr.seconds.and_then(crate::time::SimDuration::from_secs_f64) {
                    Some(d) if !d.is_zero() => ArrivalProcess::Every { interval: d },
                    _ => {
                        ctx.err(
                            format!("{p}.arrivals.seconds"),
                            format!("must be at least 0.001 seconds, found {:?}", arr.seconds),
                        );
                        continue;
                    }
                },
                _ => continue,
            };
            let start = ctx.time(&format!("{p}.start"), e.start).unwrap_or(SimTime::ZERO);
            let end = ctx.time(&format!("{p}.end"), e.end);
            if end.is_some_and(|end| end < start) {
                ctx.err(format!("{p}.end"), "must not be before start");
            }
            if end.is_none() && e.count.is_none() && until.is_none() {
                ctx.err(
                    &p,
                    "a stream needs `end`, `count`, or the scenario's `until` (a run must end)",
                );
            }
            let t = e
                .submit_job
                .as_ref()
                .and_then(|s| template(ctx, &tc, &format!("{p}.submitJob"), s, None));
            let r = e
                .runtime
                .as_ref()
                .and_then(|r| runtime(ctx, &format!("{p}.runtime"), r));
            let (Some(template), Some(runtime)) = (t, r) else {
                ok = false;
                continue;
            };
            named.push((template.job_name.clone(), start, i, template.array_size));
            WorkloadEntry::Stream {
                arrivals: process,
                start,
                end,
                count: e.count,
                template,
                runtime,
            }
        } else {
            let at = ctx.time(&format!("{p}.at"), e.at);
            let t = e
                .submit_job
                .as_ref()
                .and_then(|s| template(ctx, &tc, &format!("{p}.submitJob"), s, None));
            let r = e
                .runtime
                .as_ref()
                .and_then(|r| runtime(ctx, &format!("{p}.runtime"), r));
            let (Some(at), Some(template), Some(runtime)) = (at, t, r) else {
                ok = false;
                continue;
            };
            named.push((template.job_name.clone(), at, i, template.array_size));
            WorkloadEntry::Submission { at, template, runtime }
        };
        out.push((i, entry));
    }
    // Dependencies name an earlier submission's jobName (`name` or `name:i`).
    for (i, entry) in &out {
        let (WorkloadEntry::Submission { template, .. } | WorkloadEntry::Stream { template, .. }) = entry else {
            continue;
        };
        let first = match entry {
            WorkloadEntry::Submission { at, .. } => *at,
            WorkloadEntry::Stream { start, .. } => *start,
            WorkloadEntry::Trace { .. } => continue,
        };
        for (k, d) in template.depends_on.iter().enumerate() {
            let dp = format!("workload[{i}].submitJob.dependsOn[{k}]");
            if d.job.is_empty() {
                if template.array_size.is_none() {
                    ctx.err(dp, "a SEQUENTIAL dependency without jobId applies to array jobs only");
                }
                continue;
            }
            let (base, index) = match d.job.rsplit_once(':') {
                Some((b, ix)) if ix.parse::<u32>().is_ok() => (b, ix.parse::<u32>().ok()),
                _ => (d.job.as_str(), None),
            };
            let earlier: Vec<&(String, SimTime, usize, Option<u32>)> = named
                .iter()
                .filter(|(n, t, j, _)| n == base && j != i && (*t < first || (*t == first && j < i)))
                .collect();
            let Some(target) = earlier.last() else {
                let names: Vec<&str> = named
                    .iter()
                    .filter(|(_, t, j, _)| j != i && *t <= first)
                    .map(|(n, ..)| n.as_str())
                    .collect();
                let hint = suggest(base, names)
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                ctx.err(
                    format!("{dp}.jobId"),
                    format!("`{}` does not name an earlier submission's jobName{hint}", d.job),
                );
                continue;
            };
            if let Some(ix) = index {
                if target.3.is_none_or(|size| ix >= size) {
                    ctx.err(
                        format!("{dp}.jobId"),
                        format!("`{}`: `{base}` has no array child {ix}", d.job),
                    );
                }
            }
            if d.kind == Some(ArrayDependency::NToN)
                && (template.array_size.is_none() || target.3 != template.array_size)
            {
                ctx.err(
                    format!("{dp}.type"),
                    format!(
                        "N_TO_N needs two array jobs of the same size (`{base}` has {:?}, this job {:?})",
                        target.3, template.array_size
                    ),
                );
            }
        }
    }
    ok.then(|| out.into_iter().map(|(_, e)| e).collect())
}

fn actions(ctx: &mut Ctx, raw: &RawScenario, queues: &[Option<JobQueue>]) -> Option<Vec<TimedAction>> {
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
                .is_some_and(|k| k.is_fargate());
            if fargate
                && cr.is_some_and(|c| c.min_vcpus.is_some_and(|v| v != 0) || c.desired_vcpus.is_some_and(|v| v != 0))
            {
                ctx.err(
                    format!("{up}.computeResources"),
                    "minvCpus and desiredvCpus do not apply to Fargate compute environments",
                );
            }
            Action::UpdateComputeEnvironment {
                compute_environment: CeId(ce),
                state,
                min_vcpus: ctx.int_in(
                    &format!("{up}.computeResources.minvCpus"),
                    cr.and_then(|c| c.min_vcpus),
                    0,
                    max,
                ),
                max_vcpus: ctx.int_in(
                    &format!("{up}.computeResources.maxvCpus"),
                    cr.and_then(|c| c.max_vcpus),
                    0,
                    max,
                ),
                desired_vcpus: ctx.int_in(
                    &format!("{up}.computeResources.desiredvCpus"),
                    cr.and_then(|c| c.desired_vcpus),
                    0,
                    max,
                ),
            }
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
                    format!("unknown job definition `{reference}`{hint}"),
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
    // Stable: actions of one instant keep file order.
    out.sort_by_key(|a| a.at);
    Some(out)
}
