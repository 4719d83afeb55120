//! `simulation.lambda`: the settings of a LAMBDA compute environment (a simulation
//! extension; see [`crate::model::lambda`] for the AWS sentences behind each limit).

use super::ctx::Ctx;
use super::raw::RawLambda;
use crate::model::lambda::{MAX_TIMEOUT, UNRESERVED_MINIMUM};
use crate::model::ComputeEnvironment;

/// Reads `raw` (at JSON path `p`) into `ce`'s Lambda settings and cold start.
pub(super) fn lambda_settings(ctx: &mut Ctx, p: &str, raw: &RawLambda, ce: &mut ComputeEnvironment) {
    if !ce.kind.is_lambda() {
        ctx.err(
            p,
            format!("applies to LAMBDA compute environments only, not {}", ce.kind.as_str()),
        );
        return;
    }
    let l = &mut ce.lambda;
    if let Some(v) = ctx.int_in(
        &format!("{p}.accountConcurrency"),
        raw.account_concurrency,
        i64::from(UNRESERVED_MINIMUM),
        10_000_000,
    ) {
        l.account_concurrency = v;
    }
    if raw.reserved_concurrency.is_some() {
        // "as long as you leave at least 100 simultaneous executions unreserved"
        // (PutFunctionConcurrency).
        let most = i64::from(l.account_concurrency - UNRESERVED_MINIMUM);
        let path = format!("{p}.reservedConcurrency");
        if raw.reserved_concurrency.is_some_and(|v| v > most && v >= 1) {
            ctx.err(
                path,
                format!(
                    "must leave at least 100 of the account's {} concurrent executions unreserved: at most {most}, found {}",
                    l.account_concurrency,
                    raw.reserved_concurrency.unwrap_or_default()
                ),
            );
        } else if let Some(v) = ctx.int_in(&path, raw.reserved_concurrency, 1, most) {
            l.reserved_concurrency = Some(v);
        }
    }
    if let Some(v) = ctx.int_in(&format!("{p}.scalingRate"), raw.scaling_rate, 1, 10_000_000) {
        l.scaling_rate = v;
    }
    if let Some(d) = ctx.duration(&format!("{p}.keepAliveSeconds"), raw.keep_alive_seconds) {
        l.keep_alive = d;
    }
    if let Some(d) = ctx.duration(&format!("{p}.coldStartSeconds"), raw.cold_start_seconds) {
        if d > MAX_TIMEOUT {
            ctx.err(
                format!("{p}.coldStartSeconds"),
                format!("must be at most 900 s, found {} s", d.as_secs_f64()),
            );
        } else {
            ce.startup = d;
        }
    }
    let l = &mut ce.lambda;
    for (field, value, target) in [
        ("gbSecond", raw.gb_second, &mut l.gb_second),
        ("arm64GbSecond", raw.arm64_gb_second, &mut l.arm64_gb_second),
        ("requestPerMillion", raw.request_per_million, &mut l.request_per_million),
    ] {
        if let Some(v) = value {
            if v.is_finite() && v >= 0.0 {
                *target = v;
            } else {
                ctx.err(
                    format!("{p}.{field}"),
                    format!("must be a price of 0 or more, found {v}"),
                );
            }
        }
    }
}
