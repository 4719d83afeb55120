//! `runtime.attempts` and `runtime.childAttempts`: the recorded attempts of a job from a
//! history, and of each child of an array job, checked (see
//! [`crate::workload::RecordedAttempt`] and [`crate::workload::ChildAttempts`]).

use super::super::ctx::Ctx;
use super::super::raw::{RawRecordedAttempt, RawRuntime};
use crate::model::retry::MAX_ATTEMPTS;
use crate::time::{SimDuration, MAX_SECONDS};
use crate::workload::{ChildAttempts, RecordedAttempt};
use std::sync::Arc;

/// The recorded attempts of `raw` (`p` is the runtime's path); empty without `attempts`.
/// `stream` says the entry submits many jobs, which one recording cannot describe.
pub(super) fn recorded_attempts(ctx: &mut Ctx, p: &str, raw: &RawRuntime, stream: bool) -> Vec<RecordedAttempt> {
    let Some(list) = &raw.attempts else {
        return Vec::new();
    };
    let p = format!("{p}.attempts");
    if stream {
        ctx.err(
            &p,
            "recorded attempts replay one job: give them on a single submission (`at`), not a stream",
        );
        return Vec::new();
    }
    attempt_list(ctx, &p, list)
}

/// The checked attempts of one recorded job (`p` is the list's path).
fn attempt_list(ctx: &mut Ctx, p: &str, list: &[RawRecordedAttempt]) -> Vec<RecordedAttempt> {
    if list.is_empty() {
        ctx.err(p, "give at least one recorded attempt, or leave `attempts` out");
        return Vec::new();
    }
    // AWS: "You can specify between 1 and 10 attempts" (API model, RetryStrategy.attempts).
    if list.len() > MAX_ATTEMPTS as usize {
        ctx.err(
            p,
            format!("a job has at most {MAX_ATTEMPTS} attempts on AWS, found {}", list.len()),
        );
        return Vec::new();
    }
    let mut out = Vec::with_capacity(list.len());
    for (k, a) in list.iter().enumerate() {
        let ap = format!("{p}[{k}]");
        let Some(secs) = a.seconds else { continue };
        let runtime = match SimDuration::from_secs_f64(secs) {
            Some(d) if secs.is_finite() && (0.0..=MAX_SECONDS).contains(&secs) => d,
            _ => {
                ctx.err(
                    format!("{ap}.seconds"),
                    format!(
                        "must be 0 or more and at most {MAX_SECONDS:e} seconds, found {}",
                        crate::scenario::ctx::found_number(secs)
                    ),
                );
                continue;
            }
        };
        let exit_code = match a.exit_code.map(i32::try_from) {
            Some(Ok(c)) => Some(c),
            Some(Err(_)) => {
                ctx.err(
                    format!("{ap}.exitCode"),
                    format!("{} is out of the range of exit codes", a.exit_code.unwrap_or_default()),
                );
                continue;
            }
            None => None,
        };
        // Neither an exit code nor a reason: an ordinary exit with 0.
        let exit_code = exit_code.or(a.status_reason.is_none().then_some(0));
        out.push(RecordedAttempt {
            runtime,
            exit_code,
            status_reason: a.status_reason.as_deref().map(Arc::from),
        });
    }
    out
}

/// The recorded attempts of each child of an array job, `runtime.childAttempts` of `raw`
/// (`p` is the runtime's path); empty without it. `array_size` is the submission's
/// `arrayProperties.size` (`None`: not an array job, or the template did not check);
/// `stream` as for [`recorded_attempts`].
pub(super) fn child_attempts(
    ctx: &mut Ctx,
    p: &str,
    raw: &RawRuntime,
    stream: bool,
    array_size: Option<Option<u32>>,
) -> ChildAttempts {
    let Some(list) = &raw.child_attempts else {
        return ChildAttempts::default();
    };
    let p = format!("{p}.childAttempts");
    if stream {
        ctx.err(
            &p,
            "recorded attempts replay one array job: give them on a single submission (`at`), not a stream",
        );
        return ChildAttempts::default();
    }
    let size = match array_size {
        Some(Some(size)) => size,
        Some(None) => {
            ctx.err(
                &p,
                "replays the children of an array job: give `submitJob.arrayProperties.size`, or give the job's attempts as `attempts`",
            );
            return ChildAttempts::default();
        }
        // The template has errors of its own: the indexes cannot be checked against it.
        None => u32::MAX,
    };
    if list.is_empty() {
        ctx.err(
            &p,
            "give at least one child's recorded attempts, or leave `childAttempts` out",
        );
        return ChildAttempts::default();
    }
    let mut children: Vec<(u32, Vec<RecordedAttempt>)> = Vec::with_capacity(list.len());
    let mut first_at: std::collections::BTreeMap<u32, usize> = std::collections::BTreeMap::new();
    for (k, child) in list.iter().enumerate() {
        let cp = format!("{p}[{k}]");
        let index = match child.index.map(u32::try_from) {
            Some(Ok(i)) if i < size => i,
            Some(Ok(i)) => {
                ctx.err(
                    format!("{cp}.index"),
                    format!(
                        "{i} is past the array's last child (arrayProperties.size {size}: indexes 0 to {})",
                        size - 1
                    ),
                );
                continue;
            }
            Some(Err(_)) => {
                ctx.err(
                    format!("{cp}.index"),
                    format!(
                        "must be an array index from 0, found {}",
                        child.index.unwrap_or_default()
                    ),
                );
                continue;
            }
            // A missing `index` or `attempts` is the structural check's message.
            None => continue,
        };
        if let Some(first) = first_at.insert(index, k) {
            ctx.err(
                format!("{cp}.index"),
                format!("child {index} is listed twice (also at childAttempts[{first}])"),
            );
            continue;
        }
        let Some(attempts) = &child.attempts else { continue };
        let attempts = attempt_list(ctx, &format!("{cp}.attempts"), attempts);
        if !attempts.is_empty() {
            children.push((index, attempts));
        }
    }
    // Duplicates were refused above.
    ChildAttempts::new(children).unwrap_or_default()
}
