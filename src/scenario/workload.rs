//! Validation of the workload (submissions, streams, traces, their SubmitJob templates and
//! runtime models); the entry point for everything job-related.

mod recorded;
mod trace;

use super::actions::actions;
use super::ctx::{check_name, check_share_identifier, Ctx};
use super::definitions::{job_definition, requirements, retry_strategy, timeout};
use super::raw::*;
use crate::model::arn_tail;
use crate::model::job_definition::JobDefinitionRef;
use crate::model::resources::check_fargate;
use crate::model::*;
use crate::suggest::{quote, suggest};
use crate::time::SimTime;
use crate::workload::{
    ArrayDependency, ArrivalProcess, Dependency, Distribution, JobTemplate, ResourceOverrides, RuntimeModel,
    TraceFormat, WorkloadEntry,
};
use std::path::Path;

type Converted = (Vec<JobDefinition>, Vec<WorkloadEntry>, Vec<TimedAction>);

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

    /// Every registration of the definition a reference names, in order.
    fn revisions(&self, r: &JobDefinitionRef) -> Vec<&Option<JobDefinition>> {
        self.registrations
            .iter()
            .filter(|(n, _)| *n == r.name)
            .map(|(_, d)| d)
            .collect()
    }

    /// The revision a valid reference most likely means, without reporting anything.
    fn likely(&self, reference: &str) -> Option<&JobDefinition> {
        let r = JobDefinitionRef::parse(reference);
        let revisions = self.revisions(&r);
        match r.revision {
            Some(rev) => revisions
                .get((rev as usize).checked_sub(1)?)
                .copied()
                .and_then(Option::as_ref),
            None => revisions.iter().rev().find_map(|d| d.as_ref()),
        }
    }

    /// Checks a reference; returns the revision it most likely means (for resource checks).
    fn check(&self, ctx: &mut Ctx, path: &str, reference: &str) -> Option<&JobDefinition> {
        let r = JobDefinitionRef::parse(reference);
        let revisions = self.revisions(&r);
        if revisions.is_empty() {
            let hint = suggest(&r.name, self.names())
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            ctx.err(path, format!("unknown job definition {}{hint}", quote(reference)));
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

struct TemplateCtx<'a> {
    queues: &'a [Option<JobQueue>],
    statics: &'a StaticDefs,
    ce_kinds: Vec<Option<ComputeEnvironmentType>>,
    ce_eks: Vec<Option<bool>>,
}

/// The `submitJob` template and `runtime` model of a submission or stream entry.
fn template_and_runtime(
    ctx: &mut Ctx,
    tc: &TemplateCtx<'_>,
    p: &str,
    e: &RawWorkloadEntry,
) -> (Option<JobTemplate>, Option<RuntimeModel>) {
    let t = e
        .submit_job
        .as_ref()
        .and_then(|s| template(ctx, tc, &format!("{p}.submitJob"), s, None));
    let r = e
        .runtime
        .as_ref()
        .and_then(|r| runtime(ctx, &format!("{p}.runtime"), r));
    (t, r)
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
    // An EKS pod's size comes from its job definition; overriding it per submission is not
    // modelled, so it is refused rather than dropped (other overrides change nothing here).
    if let Some(pod) = raw
        .eks_properties_override
        .as_ref()
        .and_then(|o| o.get("podProperties"))
    {
        for list in ["containers", "initContainers"] {
            let resized = pod
                .get(list)
                .and_then(|c| c.as_array())
                .and_then(|c| c.iter().position(|c| c.get("resources").is_some_and(|r| !r.is_null())));
            if let Some(k) = resized {
                ctx.err(
                    format!("{p}.eksPropertiesOverride.podProperties.{list}[{k}].resources"),
                    "overriding an EKS pod's resources per submission is not simulated; register a job definition revision with the size instead",
                );
            }
        }
    }
    if let Some(c) = &raw.consumable_resource_properties_override {
        let at = format!("{p}.consumableResourcePropertiesOverride");
        t.consumable_override = super::consumable::requirements(ctx, &at, c, false);
        let definition = def.as_ref().map_or(&[][..], |d| &d.consumable_resources[..]);
        super::consumable::check_merged(ctx, &at, definition, &t.consumable_override);
    }
    if let Some(ranges) = raw
        .node_overrides
        .as_ref()
        .and_then(|n| n.get("nodePropertyOverrides")?.as_array().cloned())
    {
        for (k, r) in ranges.iter().enumerate() {
            if r.get("consumableResourcePropertiesOverride")
                .is_some_and(|v| !v.is_null())
            {
                ctx.err(
                    format!("{p}.nodeOverrides.nodePropertyOverrides[{k}].consumableResourcePropertiesOverride"),
                    "consumable resources per node range are not simulated; use the submission's consumableResourcePropertiesOverride",
                );
            }
        }
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
            // A LAMBDA queue runs ECS job definitions of either platform.
            .filter(|k| !k.is_lambda())
            .map(|k| k.is_fargate());
        let resources = t.resource_overrides.apply(def.resources);
        match (fargate_queue, def.platform) {
            (Some(true), Platform::Ec2 | Platform::Eks) => ctx.err(format!("{p}.jobDefinition"), format!("job definition `{}` is for EC2 (platformCapabilities) but job queue `{}` has Fargate compute environments", def.name, q.name)),
            (Some(false), Platform::Fargate) => ctx.err(format!("{p}.jobDefinition"), format!("job definition `{}` is for FARGATE but job queue `{}` has EC2 compute environments", def.name, q.name)),
            (Some(true), Platform::Fargate) if t.resource_overrides != ResourceOverrides::default() => {
                if let Err(e) = check_fargate(&resources) {
                    ctx.err(format!("{p}.containerOverrides"), e);
                }
            }
            _ => {}
        }
        let eks_queue = q
            .compute_environments
            .first()
            .and_then(|c| tc.ce_eks.get(c.index()).copied().flatten());
        match (eks_queue, def.platform == Platform::Eks) {
            (Some(false), true) => ctx.err(format!("{p}.jobDefinition"), format!("job definition `{}` is an EKS one (eksProperties) but job queue `{}` has ECS compute environments (no eksConfiguration)", def.name, q.name)),
            (Some(true), false) => ctx.err(format!("{p}.jobDefinition"), format!("job definition `{}` is an ECS one but job queue `{}` has EKS compute environments (eksConfiguration): give the definition eksProperties", def.name, q.name)),
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
            let found = crate::scenario::ctx::found_number(v);
            let max = crate::time::MAX_SECONDS;
            ctx.err(
                format!("{p}.{field}"),
                format!("must be {what} and at most {max:e} seconds, found {found}"),
            );
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
        ce_eks: ctx.ce_eks.clone(),
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
            let t = e
                .submit_job
                .as_ref()
                .and_then(|s| template(ctx, &tc, &format!("{p}.submitJob"), s, Some(&default_name)));
            let queue_known = e
                .submit_job
                .as_ref()
                .and_then(|s| s.job_queue.as_deref())
                .is_some_and(|q| ctx.queue_names.iter().any(|n| n == arn_tail(q)));
            let queue_names = ctx.queue_names.clone();
            let rules = trace::RowRules {
                queue_names: &queue_names,
                queues,
                ce_kinds: &tc.ce_kinds,
                template: t.as_ref().filter(|_| queue_known),
                platform: t
                    .as_ref()
                    .and_then(|t| tc.statics.likely(&t.job_definition))
                    .map(|d| d.platform),
            };
            let records = trace::check_trace(ctx, &p, &path, format, &rules);
            let Some(t) = t else {
                ok = false;
                continue;
            };
            WorkloadEntry::Trace {
                path,
                format,
                template: t,
                records,
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
                        // A missing `seconds` is reported by the structure check.
                        if let Some(s) = arr.seconds {
                            ctx.err(
                                format!("{p}.arrivals.seconds"),
                                format!("must be at least 0.001 seconds, found {s}"),
                            );
                        }
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
            if let (None, Some(count)) = (end, e.count) {
                // Without `end`, `count` arrivals must stay within the simulated time bound
                // (CONTRACT 2.3): the last one expected (Poisson) or exact (every).
                let (last, how) = match process {
                    ArrivalProcess::Poisson { rate_per_hour } => (
                        count as f64 * 3600.0 / rate_per_hour,
                        format!("at {rate_per_hour} per hour"),
                    ),
                    ArrivalProcess::Every { interval } => (
                        count.saturating_sub(1) as f64 * interval.as_secs_f64(),
                        format!("every {} s", interval.as_secs_f64()),
                    ),
                };
                let last = start.as_secs_f64() + last;
                if last.is_nan() || last > crate::time::MAX_SECONDS {
                    ctx.err(
                        format!("{p}.arrivals"),
                        format!(
                            "{count} arrivals {how} from {} s would run to about {last:e} s, past the largest simulated time ({:e} s); give `end`, a smaller `count` or a higher rate",
                            start.as_secs_f64(),
                            crate::time::MAX_SECONDS
                        ),
                    );
                }
            }
            let (t, r) = template_and_runtime(ctx, &tc, &p, e);
            if let Some(raw) = &e.runtime {
                recorded::recorded_attempts(ctx, &format!("{p}.runtime"), raw, true);
                recorded::child_attempts(ctx, &format!("{p}.runtime"), raw, true, None);
            }
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
            let (t, r) = template_and_runtime(ctx, &tc, &p, e);
            let recorded = e.runtime.as_ref().map_or_else(Vec::new, |raw| {
                recorded::recorded_attempts(ctx, &format!("{p}.runtime"), raw, false)
            });
            let child_recorded = e.runtime.as_ref().map_or_else(Default::default, |raw| {
                let size = t.as_ref().map(|t| t.array_size);
                recorded::child_attempts(ctx, &format!("{p}.runtime"), raw, false, size)
            });
            let (Some(at), Some(template), Some(runtime)) = (at, t, r) else {
                ok = false;
                continue;
            };
            named.push((template.job_name.clone(), at, i, template.array_size));
            WorkloadEntry::Submission {
                at,
                template,
                runtime,
                recorded,
                child_recorded,
            }
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
                    format!("{} does not name an earlier submission's jobName{hint}", quote(&d.job)),
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
                        "N_TO_N needs two array jobs of the same size ({} is {}, this job is {})",
                        quote(base),
                        array_size(target.3),
                        array_size(template.array_size)
                    ),
                );
            }
        }
    }
    ok.then(|| out.into_iter().map(|(_, e)| e).collect())
}

/// An array size for messages: `an array of 10 jobs`, or `not an array job`.
fn array_size(size: Option<u32>) -> String {
    match size {
        Some(n) => format!("an array of {n} jobs"),
        None => "not an array job".to_owned(),
    }
}

/// The default bound on the jobs a scenario may generate (`batchsim run --max-jobs`,
/// `batchsim sweep --max-jobs`): 10^8. A queued job costs about 500 bytes (measured), a
/// finished one next to nothing (it is dropped as it ends), so 10^8 jobs queued at once
/// would need about 50 GB.
pub const DEFAULT_MAX_JOBS: u64 = 100_000_000;

/// The most jobs workload entry `entry` may generate, computed before running: a single
/// submission 1, a stream its `count` or its arrivals over `[start, end)` (`end`, or `until`
/// when it has none: the Poisson rate times the span, or the span over the interval),
/// whichever is smaller; a trace its lines that submit a job (counted when it was
/// validated); an array counts its children and its parent. `None` for a stream with no
/// bound at all.
pub fn jobs_of_entry(entry: &WorkloadEntry, until: Option<SimTime>) -> Option<f64> {
    let per = |t: &crate::workload::JobTemplate| t.array_size.map_or(1.0, |n| f64::from(n) + 1.0);
    match entry {
        WorkloadEntry::Submission { template, .. } => Some(per(template)),
        WorkloadEntry::Stream {
            arrivals,
            start,
            end,
            count,
            template,
            ..
        } => {
            let span = end
                .or(until)
                .map(|e| e.as_secs_f64() - start.as_secs_f64())
                .map(|s| s.max(0.0));
            let by_span = span.map(|s| match arrivals {
                ArrivalProcess::Poisson { rate_per_hour } => s * rate_per_hour / 3600.0,
                ArrivalProcess::Every { interval } => (s / interval.as_secs_f64()).ceil(),
            });
            let n = match (count.map(|c| c as f64), by_span) {
                (Some(c), Some(s)) => c.min(s),
                (Some(c), None) => c,
                (None, Some(s)) => s,
                (None, None) => return None,
            };
            Some(n * per(template))
        }
        WorkloadEntry::Trace { template, records, .. } => Some(*records as f64 * per(template)),
    }
}

/// A workload that may generate more jobs than the bound ([`check_job_bound`]).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum JobBoundError {
    /// One entry alone may pass the bound.
    #[error(
        "workload[{entry}]: may generate about {jobs:.3e} jobs, over the bound of {max_jobs} (raise it with --max-jobs N)"
    )]
    Entry {
        /// The entry's index in `workload`.
        entry: usize,
        /// About how many jobs it may generate.
        jobs: f64,
        /// The bound.
        max_jobs: u64,
    },
    /// The entries together may pass the bound.
    #[error(
        "workload: the entries may generate about {jobs:.3e} jobs in all, over the bound of {max_jobs} (raise it with --max-jobs N)"
    )]
    Total {
        /// About how many jobs they may generate.
        jobs: f64,
        /// The bound.
        max_jobs: u64,
    },
}

/// Refuses a scenario whose workload may generate more than `max_jobs` jobs (see
/// [`jobs_of_entry`]; `until` overrides the scenario's). The error names the entry (JSON
/// path) and the count.
pub fn check_job_bound(scenario: &super::Scenario, until: Option<SimTime>, max_jobs: u64) -> Result<(), JobBoundError> {
    let until = until.or(scenario.until);
    let mut total = 0.0;
    for (i, entry) in scenario.workload.iter().enumerate() {
        let Some(n) = jobs_of_entry(entry, until) else { continue };
        if n > max_jobs as f64 {
            return Err(JobBoundError::Entry {
                entry: i,
                jobs: n,
                max_jobs,
            });
        }
        total += n;
    }
    if total > max_jobs as f64 {
        return Err(JobBoundError::Total { jobs: total, max_jobs });
    }
    Ok(())
}
