//! `runtime.attempts`: the recorded attempts of a job from a history, checked
//! (see [`crate::workload::RecordedAttempt`]).

use super::super::ctx::Ctx;
use super::super::raw::RawRuntime;
use crate::model::retry::MAX_ATTEMPTS;
use crate::time::{SimDuration, MAX_SECONDS};
use crate::workload::RecordedAttempt;
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
    if list.is_empty() {
        ctx.err(&p, "give at least one recorded attempt, or leave `attempts` out");
        return Vec::new();
    }
    // AWS: "You can specify between 1 and 10 attempts" (API model, RetryStrategy.attempts).
    if list.len() > MAX_ATTEMPTS as usize {
        ctx.err(
            &p,
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
                ctx.err(format!("{ap}.seconds"), format!("must be 0 or more, found {secs}"));
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
