//! What every part of the scenario reader shares: the problem collector ([`Ctx`]) and the
//! checks of AWS names, share identifiers and states. A leaf: it uses no other part of the
//! reader but the raw structs' values it is given.

use crate::error::Problem;
use crate::model::instance_catalog::Architecture;
use crate::model::*;
use crate::suggest::{quote, suggest};
use crate::time::{SimDuration, SimTime};

/// Collects problems while converting.
pub(super) struct Ctx {
    pub problems: Vec<Problem>,
    pub ce_names: Vec<String>,
    pub ce_kinds: Vec<Option<ComputeEnvironmentType>>,
    pub ce_arch: Vec<Option<Architecture>>,
    /// Each compute environment's `(minvCpus, maxvCpus)` as created (actions are checked
    /// against them).
    pub ce_limits: Vec<Option<(u32, u32)>>,
    /// Per compute environment: an Amazon EKS one (`eksConfiguration`).
    pub ce_eks: Vec<Option<bool>>,
    pub queue_names: Vec<String>,
    pub policy_names: Vec<String>,
    /// `consumableResources` names, in file order ("" for an entry without one).
    pub consumable_names: Vec<String>,
    /// Per consumable resource: the most its total can be during the run.
    pub consumable_peaks: Vec<u64>,
}

impl Ctx {
    pub fn err(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            path: path.into(),
            message: message.into(),
        });
    }

    /// A non-negative number of seconds as a duration.
    pub fn duration(&mut self, path: &str, secs: Option<f64>) -> Option<SimDuration> {
        let s = secs?;
        let d = SimDuration::from_secs_f64(s);
        if d.is_none() {
            let found = found_number(s);
            self.err(
                path,
                format!(
                    "must be a number of seconds from 0 to {:e}, found {found}",
                    crate::time::MAX_SECONDS
                ),
            );
        }
        d
    }

    /// A non-negative time in seconds.
    pub fn time(&mut self, path: &str, secs: Option<f64>) -> Option<SimTime> {
        self.duration(path, secs).map(|d| SimTime::ZERO + d)
    }

    /// An integer within `lo..=hi`.
    pub fn int_in(&mut self, path: &str, v: Option<i64>, lo: i64, hi: i64) -> Option<u32> {
        let v = v?;
        if v < lo || v > hi {
            self.err(path, format!("must be from {lo} to {hi}, found {v}"));
            return None;
        }
        u32::try_from(v).ok()
    }

    /// A reference (name or ARN) to one of `names`; the error suggests the closest.
    pub fn reference(&mut self, path: &str, what: &str, reference: &str, names: &[String]) -> Option<u32> {
        let tail = arn_tail(reference);
        if let Some(i) = names.iter().position(|n| n == tail) {
            return Some(i as u32);
        }
        let hint = suggest(tail, names.iter().map(String::as_str))
            .map(|s| format!("; did you mean {}?", quote(s)))
            .unwrap_or_else(|| {
                if names.is_empty() {
                    format!(" (the scenario declares no {what}s)")
                } else {
                    format!(
                        " (declared: {})",
                        names.iter().map(|n| quote(n)).collect::<Vec<_>>().join(", ")
                    )
                }
            });
        self.err(path, format!("unknown {what} {}{hint}", quote(reference)));
        None
    }

    pub fn enum_value<T: Copy>(&mut self, path: &str, value: &str, options: &[(&str, T)]) -> Option<T> {
        if let Some((_, t)) = options.iter().find(|(n, _)| *n == value) {
            return Some(*t);
        }
        let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
        let hint = suggest(value, names.iter().copied())
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        self.err(path, format!("\"{value}\" is not one of {}{hint}", names.join(", ")));
        None
    }
}

/// True for an AWS name: 1 to 128 letters, numbers, hyphens and underscores.
pub(super) fn is_valid_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 128 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// AWS names: 1 to 128 letters, numbers, hyphens and underscores.
pub(super) fn check_name(ctx: &mut Ctx, path: &str, name: &str) {
    if !is_valid_name(name) {
        ctx.err(
            path,
            format!(
                "{} is not a valid name (1 to 128 letters, numbers, hyphens and underscores)",
                quote(name)
            ),
        );
    }
}

/// AWS: share identifiers are up to 255 letters and numbers (plus `*` at the end of a
/// `shareDistribution` prefix entry).
/// True for a share identifier AWS accepts: 1 to 255 letters, numbers, hyphens and
/// underscores (and, with `allow_star`, a final `*` for a prefix entry).
pub(super) fn is_valid_share_identifier(id: &str, allow_star: bool) -> bool {
    let body = if allow_star {
        id.strip_suffix('*').unwrap_or(id)
    } else {
        id
    };
    !id.is_empty() && id.len() <= 255 && body.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

pub(super) fn check_share_identifier(ctx: &mut Ctx, path: &str, id: &str, allow_star: bool) {
    if !is_valid_share_identifier(id, allow_star) {
        let star = if allow_star {
            " (a prefix entry ends with `*`)"
        } else {
            ""
        };
        ctx.err(
            path,
            format!(
                "{} is not a valid share identifier: 1 to 255 letters, numbers, hyphens and underscores{star}",
                quote(id)
            ),
        );
    }
}

pub(super) fn ce_state(ctx: &mut Ctx, path: &str, s: Option<&str>) -> Option<CeState> {
    ctx.enum_value(
        path,
        s?,
        &[("ENABLED", CeState::Enabled), ("DISABLED", CeState::Disabled)],
    )
}

pub(super) fn queue_state(ctx: &mut Ctx, path: &str, s: Option<&str>) -> Option<QueueState> {
    ctx.enum_value(
        path,
        s?,
        &[("ENABLED", QueueState::Enabled), ("DISABLED", QueueState::Disabled)],
    )
}

/// A number as an error message shows it: a huge value in exponent form (`1e308`), not as its
/// 300 digits.
pub(crate) fn found_number(v: f64) -> String {
    if v.abs() >= 1e15 {
        format!("{v:e}")
    } else {
        v.to_string()
    }
}
