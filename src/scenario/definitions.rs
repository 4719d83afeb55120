//! Validation of job definitions (RegisterJobDefinition bodies, in `jobDefinitions` and in
//! `registerJobDefinition` actions): resources, retry strategies, timeouts, multi-node ranges.

use super::ctx::{check_name, Ctx};
use super::raw::*;
use crate::model::instance_catalog::Architecture;
use crate::model::job_definition::{MultiNode, NodeRange};
use crate::model::resources::{check_fargate, fargate_min_memory};
use crate::model::*;
use crate::workload::ResourceOverrides;

/// Default memory of an EC2 job definition that gives none (MiB).
const DEFAULT_EC2_MEMORY_MIB: u32 = 2048;

fn parse_vcpus(ctx: &mut Ctx, path: &str, value: &str) -> Option<u32> {
    match value.trim().parse::<f64>() {
        Ok(v) if v > 0.0 && v <= 1_000_000.0 && (v * 1000.0).fract() == 0.0 => Some((v * 1000.0) as u32),
        _ => {
            ctx.err(
                path,
                format!(
                    "VCPU must be a positive number of vCPUs (e.g. \"1\", \"0.25\"), found {}",
                    crate::suggest::quote(value)
                ),
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
                format!(
                    "{what} must be a whole number of at least {min}, found {}",
                    crate::suggest::quote(value)
                ),
            );
            None
        }
    }
}

/// The resource fields of `resourceRequirements` (plus legacy `vcpus`/`memory`), as overrides.
pub(super) fn requirements(
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

/// `runtimePlatform`: "The vCPU architecture. The default value is X86_64. Valid values are
/// X86_64 and ARM64." (API model, `RuntimePlatform.cpuArchitecture`). Windows containers are
/// not modelled: an `operatingSystemFamily` other than `LINUX` is refused.
fn cpu_architecture(ctx: &mut Ctx, p: &str, raw: &RawRuntimePlatform) -> Architecture {
    if let Some(os) = raw.operating_system_family.as_deref().filter(|os| *os != "LINUX") {
        ctx.err(
            format!("{p}.operatingSystemFamily"),
            format!("\"{os}\" is not modelled: batchsim runs LINUX jobs only"),
        );
    }
    match raw.cpu_architecture.as_deref() {
        None | Some("X86_64") => Architecture::X86_64,
        Some("ARM64") => Architecture::Arm64,
        Some(other) => {
            let hint = crate::scenario::suggest::suggest(other, ["X86_64", "ARM64"])
                .map(|s| format!("; did you mean \"{s}\"?"))
                .unwrap_or_default();
            ctx.err(
                format!("{p}.cpuArchitecture"),
                format!("\"{other}\" is not one of X86_64, ARM64{hint}"),
            );
            Architecture::X86_64
        }
    }
}

pub(super) fn retry_strategy(ctx: &mut Ctx, p: &str, raw: &RawRetryStrategy) -> RetryStrategy {
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
                    format!(
                        "must be digits, optionally ending with `*`, found {}",
                        crate::suggest::quote(code)
                    ),
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

pub(super) fn timeout(ctx: &mut Ctx, p: &str, raw: &RawTimeout) -> Option<crate::time::SimDuration> {
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
    let eks = raw.eks_properties.is_some();
    if eks && !raw.platform_capabilities.is_empty() {
        ctx.err(
            format!("{p}.platformCapabilities"),
            "an EKS job definition (eksProperties) takes no platformCapabilities; AWS: \"If the job runs on Amazon EKS resources, then you must not specify platformCapabilities.\"",
        );
    }
    if eks && (raw.container_properties.is_some() || raw.ecs_properties.is_some()) {
        ctx.err(
            format!("{p}.eksProperties"),
            "give eksProperties or containerProperties/ecsProperties, not both; AWS: \"This must not be specified for Amazon ECS based job definitions.\"",
        );
    }
    let platform = match raw.platform_capabilities.as_slice() {
        _ if eks => Platform::Eks,
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
    let platform_path = if raw.container_properties.is_some() {
        format!("{p}.containerProperties.runtimePlatform")
    } else {
        format!("{p}.ecsProperties.taskProperties[0].runtimePlatform")
    };
    let runtime_platform = match &raw.container_properties {
        Some(c) => c.runtime_platform.as_ref(),
        None => raw
            .ecs_properties
            .as_ref()
            .and_then(|e| e.task_properties.first())
            .and_then(|t| t.runtime_platform.as_ref()),
    };
    let cpu_architecture =
        runtime_platform.map_or(Architecture::X86_64, |rp| cpu_architecture(ctx, &platform_path, rp));
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
        _ => DEFAULT_EC2_MEMORY_MIB,
    };
    let mut resources = Resources {
        millivcpus,
        memory_mib: overrides.memory_mib.unwrap_or(memory_default),
        gpus: overrides.gpus.unwrap_or(0),
    };
    if let (Some(e), false) = (&raw.eks_properties, multinode) {
        // Sized from the pod's requests (or limits); refused without them.
        // (Without them the errors are recorded and the scenario is refused.)
        if let Some((r, c)) = super::eks::pod_resources(ctx, &format!("{p}.eksProperties"), e) {
            resources = r;
            command = c;
        }
    }
    // Where the resources were given: a multi-container ECS job's sum is its task's.
    let resources_path = match (&raw.container_properties, &raw.ecs_properties) {
        (None, Some(_)) => format!("{p}.ecsProperties.taskProperties[0].containers"),
        _ => format!("{p}.containerProperties.resourceRequirements"),
    };
    if platform == Platform::Eks {
        // vCPUs in steps of 0.25 (checked with the values).
    } else if platform == Platform::Fargate {
        if let Err(e) = check_fargate(&resources) {
            ctx.err(resources_path, e);
        }
    } else if millivcpus % 1000 != 0 {
        ctx.err(
            resources_path,
            format!("EC2 jobs take whole vCPUs, found {}", resources.vcpus()),
        );
    }
    let mut def = JobDefinition::container(name, platform, resources);
    if let Some(c) = &raw.consumable_resource_properties {
        def.consumable_resources =
            super::consumable::requirements(ctx, &format!("{p}.consumableResourceProperties"), c, true);
    }
    if let Some(n) = &raw.node_properties {
        for (k, r) in n.node_range_properties.iter().enumerate() {
            if r.consumable_resource_properties.as_ref().is_some_and(|v| !v.is_null()) {
                ctx.err(
                    format!("{p}.nodeProperties.nodeRangeProperties[{k}].consumableResourceProperties"),
                    "consumable resources per node range are not simulated; give them in the job definition's consumableResourceProperties",
                );
            }
        }
    }
    def.cpu_architecture = cpu_architecture;
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
