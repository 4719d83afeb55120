//! EKS job definitions (`eksProperties`): the pod's size, from its containers'
//! `resources.requests` (or `limits`).
//!
//! AWS Batch User Guide, *Memory and vCPU considerations for AWS Batch on Amazon EKS*:
//!
//! * "At least one vCPU `requests` or `limits` value must be specified." (the same for
//!   memory);
//! * "The vCPU value must be entered in whole numbers or in increments of 0.25." and "vCPU
//!   values can't be specified in milliCPU form. For example, `100m` isn't a valid value.";
//! * "Memory values must be in mebibytes (MiBs)." (API model: "using whole integers, with a
//!   "Mi" suffix", "at least 4 MiB");
//! * "If both are specified, the `requests` value must be less than or equal to the `limits`
//!   value" (vCPU), "must be equal to the `limits` value" (memory, GPU);
//! * "AWS Batch uses the `requests` value for scaling decisions. If a `requests` value isn't
//!   specified, the `limits` value is copied to the `requests` value."
//!
//! The pod needs the sum of its `containers` and, as Kubernetes counts a pod's request (init
//! containers run one at a time before the others: "These containers run before application
//! containers, always runs to completion", API model), at least the largest init container,
//! resource by resource.

use super::ctx::Ctx;
use super::raw::{RawEksContainer, RawEksProperties};
use crate::model::Resources;

/// One resource of one container: the value AWS Batch schedules by (requests, else limits).
fn quantity(
    ctx: &mut Ctx,
    p: &str,
    c: &RawEksContainer,
    key: &str,
    parse: fn(&str) -> Result<u32, String>,
    both: Both,
) -> Option<u32> {
    let res = c.resources.as_ref()?;
    let mut read = |side: &str, v: Option<&String>| -> Option<u32> {
        let v = v?;
        match parse(v) {
            Ok(x) => Some(x),
            Err(e) => {
                ctx.err(format!("{p}.resources.{side}.{key}"), e);
                None
            }
        }
    };
    let req = read("requests", res.requests.get(key));
    let lim = read("limits", res.limits.get(key));
    if let (Some(r), Some(l)) = (req, lim) {
        let bad = match both {
            Both::AtMost => r > l,
            Both::Equal => r != l,
        };
        if bad {
            let rule = match both {
                Both::AtMost => "less than or equal to",
                Both::Equal => "equal to",
            };
            ctx.err(
                format!("{p}.resources.requests.{key}"),
                format!(
                    "the requests value ({}) must be {rule} the limits value ({})",
                    res.requests[key], res.limits[key]
                ),
            );
        }
    }
    req.or(lim)
}

#[derive(Clone, Copy)]
enum Both {
    AtMost,
    Equal,
}

/// `cpu`: a whole number or a multiple of 0.25, at least 0.25, no milliCPU form.
fn parse_cpu(v: &str) -> Result<u32, String> {
    let t = v.trim();
    match t.parse::<f64>() {
        Ok(x) if (0.25..=100_000.0).contains(&x) && (x * 4.0).fract() == 0.0 => Ok((x * 1000.0) as u32),
        _ if t.ends_with('m') => Err(format!(
            "\"{v}\": vCPU values can't be in milliCPU form; give vCPUs in steps of 0.25 (e.g. \"0.25\", \"2\")"
        )),
        _ => Err(format!(
            "\"{v}\" is not a vCPU count: a whole number or a multiple of 0.25, at least 0.25"
        )),
    }
}

/// `memory`: whole MiB with the `Mi` suffix, at least 4.
fn parse_memory(v: &str) -> Result<u32, String> {
    let t = v.trim();
    match t.strip_suffix("Mi").map(str::parse::<u32>) {
        Some(Ok(m)) if m >= 4 => Ok(m),
        Some(Ok(_)) => Err(format!("\"{v}\": a job needs at least 4 MiB (\"4Mi\")")),
        _ => Err(format!(
            "\"{v}\" is not a memory value: whole mebibytes with the \"Mi\" suffix (e.g. \"2048Mi\")"
        )),
    }
}

/// `nvidia.com/gpu`: a whole number.
fn parse_gpu(v: &str) -> Result<u32, String> {
    v.trim()
        .parse::<u32>()
        .map_err(|_| format!("\"{v}\" is not a GPU count: a whole number"))
}

/// The pod's size and its first container's command; `None` (with errors) when it gives no
/// vCPU or no memory value.
pub(super) fn pod_resources(ctx: &mut Ctx, p: &str, eks: &RawEksProperties) -> Option<(Resources, Vec<String>)> {
    let pp = format!("{p}.podProperties");
    let Some(pod) = &eks.pod_properties else {
        ctx.err(
            &pp,
            "an EKS job definition needs podProperties with at least one container",
        );
        return None;
    };
    if pod.containers.is_empty() {
        ctx.err(
            format!("{pp}.containers"),
            "an EKS job definition needs at least one container",
        );
        return None;
    }
    let mut size = |list: &str, c: &RawEksContainer, k: usize| {
        let cp = format!("{pp}.{list}[{k}]");
        (
            quantity(ctx, &cp, c, "cpu", parse_cpu, Both::AtMost),
            quantity(ctx, &cp, c, "memory", parse_memory, Both::Equal),
            quantity(ctx, &cp, c, "nvidia.com/gpu", parse_gpu, Both::Equal),
        )
    };
    let add = |a: Option<u32>, b: Option<u32>| match (a, b) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(0).saturating_add(b.unwrap_or(0))),
    };
    let mut sum = (None, None, None);
    for (k, c) in pod.containers.iter().enumerate() {
        let s = size("containers", c, k);
        sum = (add(sum.0, s.0), add(sum.1, s.1), add(sum.2, s.2));
    }
    for (k, c) in pod.init_containers.iter().enumerate() {
        let s = size("initContainers", c, k);
        sum = (sum.0.max(s.0), sum.1.max(s.1), sum.2.max(s.2));
    }
    let (cpu, memory, gpus) = sum;
    let mut ok = true;
    for (what, v) in [("vCPU (`cpu`)", cpu), ("memory", memory)] {
        if v.is_none() {
            ctx.err(
                format!("{pp}.containers"),
                format!("no container gives a {what} value in resources.requests or resources.limits; AWS: \"At least one {} requests or limits value must be specified.\"", if what == "memory" { "memory" } else { "vCPU" }),
            );
            ok = false;
        }
    }
    let resources = Resources {
        millivcpus: cpu?,
        memory_mib: memory?,
        gpus: gpus.unwrap_or(0),
    };
    let command = pod.containers[0].command.clone();
    ok.then_some((resources, command))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_parse_as_aws_documents_them() {
        assert_eq!(parse_cpu("0.25"), Ok(250));
        assert_eq!(parse_cpu("2"), Ok(2000));
        assert!(parse_cpu("0.3").is_err());
        assert!(parse_cpu("0").is_err());
        assert!(parse_cpu("100m").unwrap_err().contains("milliCPU"));
        assert_eq!(parse_memory("2048Mi"), Ok(2048));
        assert!(parse_memory("2Gi").unwrap_err().contains("\"Mi\" suffix"));
        assert!(parse_memory("2048").is_err());
        assert!(parse_memory("2Mi").unwrap_err().contains("at least 4 MiB"));
        assert_eq!(parse_gpu("1"), Ok(1));
        assert!(parse_gpu("0.5").is_err());
    }
}
