//! `batchsim compare`: one workload on Lambda, AWS Batch on Fargate and AWS Batch on EC2 (the
//! decision of issue 15), each set up from the scenario by one rule, with the jobs each
//! platform cannot run.
//!
//! The set-up of platform P (`lambda`, `fargate`, `ec2`) is the scenario with:
//! - its compute environments replaced by one, named P, of P's kind (LAMBDA, FARGATE, EC2
//!   with `instanceTypes: ["optimal"]`), whose `maxvCpus` is the sum of the scenario's
//!   compute environments' `maxvCpus`; its `simulation` block is that of the scenario's first
//!   compute environment of P's kind, if there is one (so a LAMBDA compute environment in the
//!   scenario sets the Lambda concurrency, keep-alive and prices), else the defaults;
//! - every job queue's `computeEnvironmentOrder` the one compute environment P;
//! - the job definitions' `platformCapabilities` P's (LAMBDA runs either);
//! - the workload entries whose job definition (with the entry's resource overrides) P can
//!   never run moved to a queue `<queue>-impossible` on a DISABLED compute environment
//!   `impossible`. On Fargate their definitions take the smallest Fargate size so that the
//!   scenario stays valid; on Fargate a definition of a size Fargate does not sell takes the
//!   smallest size that holds it;
//! - Lambda: the top-level `simulation` (Batch's scheduler latency) dropped, since an
//!   invocation does not pass through Batch's job queue scheduler; Fargate and EC2 keep it;
//! - `ec2Capacity` kept for EC2 only; consumable resources kept everywhere; Spot compute
//!   environments replaced (the platforms are On-Demand; an On-Demand set-up with no
//!   compute environment of its own kind takes the `simulation` block of the Spot twin
//!   without its Spot-only fields); `updateComputeEnvironment` actions dropped. Each run
//!   says what it carried and dropped ([`PlatformRun::set_up`]).
//!
//! While the run goes on, a job that reaches its queue's head with a `MISCONFIGURATION:`
//! reason and that P can never run (a job of an `-impossible` queue, or a trace line whose
//! own vCPUs or memory P cannot hold) is cancelled at once, as a `jobStateTimeLimitActions`
//! CANCEL entry would after its `maxTimeSeconds`: the jobs behind it are not blocked, and
//! its dependants fail as AWS fails them ([`DependencyFailed`]).
//!
//! Impossible on Lambda: over 6 vCPUs, over 10,240 MB, GPUs, multi-node, and every job whose
//! attempt ran into the 900 s limit (status reason [`REASON_LAMBDA_TIMEOUT`](crate::model::lambda::REASON_LAMBDA_TIMEOUT)); on Fargate:
//! what no Fargate task size holds (over 32 vCPUs or 240 GiB), GPUs, multi-node; on EC2: what no `optimal` instance type holds.
//! Every run uses the scenario's seed, so the three see the same arrivals and run times.

use crate::model::instance_catalog;
use crate::model::lambda;
use crate::model::Resources;
use crate::report::Report;
use crate::{Error, Options, Scenario, Simulation};
use serde_json::Value;
use std::path::Path;
use std::sync::{Arc, Mutex};

mod derive;
mod outcome;
mod render;
mod response;

pub use derive::derive;
use derive::{fargate_size, IMPOSSIBLE_SUFFIX};
pub use outcome::{DependencyFailed, Impossible, REASON_PREFIX};
pub use render::{to_json, to_text};
pub use response::{Response, ResponseTarget};

/// A platform `compare` runs the workload on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Platform {
    /// AWS Lambda (a LAMBDA compute environment, a simulation extension).
    Lambda,
    /// AWS Batch on Fargate.
    Fargate,
    /// AWS Batch on EC2 On-Demand instances (`optimal` types).
    Ec2,
}

/// The platform names `--platforms` takes, in their order.
pub const PLATFORM_NAMES: [&str; 3] = ["lambda", "fargate", "ec2"];

impl Platform {
    /// The name on the command line and in the output: `lambda`, `fargate`, `ec2`.
    pub fn name(self) -> &'static str {
        match self {
            Platform::Lambda => "lambda",
            Platform::Fargate => "fargate",
            Platform::Ec2 => "ec2",
        }
    }

    /// Reads a comma-separated list (`lambda,fargate,ec2`); the error names the bad entry and
    /// suggests the closest name.
    pub fn parse_list(text: &str) -> Result<Vec<Platform>, String> {
        let mut out = Vec::new();
        for word in text.split(',').map(str::trim) {
            let p = match word.to_ascii_lowercase().as_str() {
                "lambda" => Platform::Lambda,
                "fargate" => Platform::Fargate,
                "ec2" => Platform::Ec2,
                "" => {
                    return Err(
                        "an empty platform name (a comma too many?); the platforms are lambda, fargate, ec2".into(),
                    )
                }
                _ => {
                    let hint = crate::suggest::suggest(word, PLATFORM_NAMES)
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default();
                    return Err(format!(
                        "{} is not a platform (lambda, fargate, ec2){hint}",
                        crate::suggest::quote(word)
                    ));
                }
            };
            if out.contains(&p) {
                return Err(format!("`{word}` is listed twice"));
            }
            out.push(p);
        }
        Ok(out)
    }

    pub(crate) fn kind(self) -> &'static str {
        match self {
            Platform::Lambda => "LAMBDA",
            Platform::Fargate => "FARGATE",
            Platform::Ec2 => "EC2",
        }
    }

    /// Why this platform can never run a job needing `r` (`multinode`: a multi-node job).
    pub(crate) fn cannot_hold(self, r: &Resources, multinode: bool) -> Option<String> {
        if multinode && self != Platform::Ec2 {
            return Some(format!("multi-node parallel jobs do not run on {}", self.title()));
        }
        match self {
            Platform::Lambda => lambda::size_problem(r),
            Platform::Fargate => match fargate_size(r) {
                Some(_) => None,
                None if r.gpus > 0 => Some("Fargate does not offer GPUs".to_owned()),
                None => {
                    let top = crate::model::resources::fargate_vcpu_options().max().unwrap_or(0);
                    let mem = crate::model::resources::fargate_memory_options(top)
                        .into_iter()
                        .max()
                        .unwrap_or(0);
                    Some(format!(
                        "needs {} vCPUs and {} MiB; no Fargate task size holds it (the largest is {} vCPUs, {} GiB)",
                        r.vcpus(),
                        r.memory_mib,
                        top / 1000,
                        mem / 1024
                    ))
                }
            },
            Platform::Ec2 => {
                let types = instance_catalog::expand("optimal").unwrap_or_default();
                let holds = types.iter().any(|t| {
                    t.vcpus * 1000 >= r.millivcpus
                        && instance_catalog::registered_memory_mib(t) >= u64::from(r.memory_mib)
                        && t.gpus >= r.gpus
                });
                (!holds).then(|| {
                    format!(
                        "needs {} vCPUs and {} MiB; no `optimal` instance type holds it",
                        r.vcpus(),
                        r.memory_mib
                    )
                })
            }
        }
    }

    pub(crate) fn title(self) -> &'static str {
        match self {
            Platform::Lambda => "Lambda",
            Platform::Fargate => "Fargate",
            Platform::Ec2 => "EC2",
        }
    }
}

/// What `compare` adds to each platform's run.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct CompareOptions {
    /// `--response-seconds`/`--response-share`: the response-time question.
    pub response: Option<ResponseTarget>,
}

impl CompareOptions {
    /// Options asking the response-time question for `target`.
    pub fn with_response(target: ResponseTarget) -> CompareOptions {
        CompareOptions { response: Some(target) }
    }
}

/// One platform's run.
#[derive(Clone, Debug)]
pub struct PlatformRun {
    /// The platform.
    pub platform: Platform,
    /// The report of the run on its set-up.
    pub report: Report,
    /// What it cannot run.
    pub impossible: Impossible,
    /// The jobs that failed because a job they depend on is one it cannot run.
    pub dependency_failed: DependencyFailed,
    /// LAMBDA: cold starts over the run (0 elsewhere).
    pub cold_starts: u64,
    /// What the set-up carried over from the scenario, and what it dropped (sentences).
    pub set_up: Vec<String>,
    /// The response-time figures, when asked for.
    pub response: Option<Response>,
}

/// Runs the scenario `doc` (read from `path`) on each platform.
pub fn compare(doc: &Value, path: &Path, platforms: &[Platform]) -> Result<Vec<PlatformRun>, Error> {
    let original = Scenario::from_value_at(doc, path)?;
    platforms
        .iter()
        .map(|&p| run_platform_with(doc, &original, path, p, &CompareOptions::default()))
        .collect()
}

/// Runs the scenario `doc` (read from `path`; `original` is it, validated) on `platform`'s
/// set-up ([`derive()`]).
pub fn run_platform(doc: &Value, original: &Scenario, path: &Path, platform: Platform) -> Result<PlatformRun, Error> {
    run_platform_with(doc, original, path, platform, &CompareOptions::default())
}

/// [`run_platform`] with `compare`'s options.
///
/// A job the platform can never run is cancelled (FAILED, status reason starting with
/// [`REASON_PREFIX`]) as soon as it is its queue's head with a `MISCONFIGURATION:` reason,
/// what a `jobStateTimeLimitActions` CANCEL entry does after its `maxTimeSeconds`: the jobs
/// behind it are not blocked, and the jobs that depend on it fail, as on AWS.
pub fn run_platform_with(
    doc: &Value,
    original: &Scenario,
    path: &Path,
    platform: Platform,
    options: &CompareOptions,
) -> Result<PlatformRun, Error> {
    let (derived, size_reasons) = derive(doc, original, platform);
    let scenario = Scenario::from_value_at(&derived, path)?;
    let mut sim = Simulation::new(&scenario, Options::default())?;
    // The records are read as jobs end, not kept: a long workload compares in flat memory
    // (every record was kept, 220 bytes a job: 2 x 10^7 jobs aborted on a 4.4 GB vector).
    let read = Arc::new(Mutex::new((
        outcome::Outcomes::new(platform),
        options.response.map(Response::new),
    )));
    let sink = Arc::clone(&read);
    sim.set_record_sink(move |r| {
        if let Ok(mut read) = sink.lock() {
            read.0.add(&r);
            if let Some(resp) = read.1.as_mut() {
                resp.add(&r);
            }
        }
    });
    loop {
        let more = sim.step();
        let mut cancelled = false;
        for head in sim.never_runnable_heads() {
            let why = if head.queue.ends_with(IMPOSSIBLE_SUFFIX) {
                let name = head
                    .definition
                    .rsplit_once(':')
                    .map_or(head.definition.as_str(), |(n, _)| n);
                let quoted = format!("`{name}` ");
                size_reasons
                    .iter()
                    .find(|r| r.starts_with(&quoted))
                    .cloned()
                    .or_else(|| Some(format!("`{name}` is not a size {} runs", platform.title())))
            } else {
                // A trace line's own size (or a size no definition check saw).
                platform
                    .cannot_hold(&head.resources, head.multinode)
                    .map(|why| format!("a `{}` job {why}", head.definition))
            };
            if let Some(why) = why {
                cancelled |= sim.cancel_job(head.job, &outcome::cancel_reason(platform, &why));
            }
        }
        if !more && !cancelled {
            break;
        }
    }
    let cold_starts = sim.lambda_cold_starts().map(|(_, n)| n).sum();
    let report = sim.finish();
    let (outcomes, response) = match Arc::try_unwrap(read).map(Mutex::into_inner) {
        Ok(Ok(read)) => read,
        // The sink went with the simulation, so neither can happen.
        _ => {
            debug_assert!(false, "the record sink outlived its simulation");
            (outcome::Outcomes::new(platform), options.response.map(Response::new))
        }
    };
    let (impossible, dependency_failed) = outcomes.finish();
    Ok(PlatformRun {
        platform,
        report,
        impossible,
        dependency_failed,
        cold_starts,
        set_up: derive::set_up_notes(doc, platform),
        response,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Resources;

    #[test]
    fn platform_lists_are_read_with_suggestions() {
        assert_eq!(
            Platform::parse_list("ec2,Lambda"),
            Ok(vec![Platform::Ec2, Platform::Lambda])
        );
        let e = Platform::parse_list("lambda,ec3").expect_err("bad");
        assert!(
            e.contains("`ec3` is not a platform") && e.contains("did you mean `ec2`?"),
            "{e}"
        );
        assert!(Platform::parse_list("ec2,ec2").is_err());
        assert_eq!(fargate_size(&Resources::new(0.3, 100)), Some(Resources::new(0.5, 1024)));
        assert_eq!(
            fargate_size(&Resources::new(17.0, 100)),
            Some(Resources::new(32.0, 65536))
        );
        assert_eq!(fargate_size(&Resources::new(33.0, 100)), None);
        let why = Platform::Fargate.cannot_hold(&Resources::new(33.0, 100), false);
        assert_eq!(
            why.as_deref(),
            Some("needs 33 vCPUs and 100 MiB; no Fargate task size holds it (the largest is 32 vCPUs, 240 GiB)")
        );
    }
}
