//! Runtime models: how long an attempt runs and how it exits.

use crate::time::SimDuration;
use rand::Rng;
use rand_distr::{Distribution as _, StandardNormal};

/// The distribution of an attempt's run time (seconds in the file).
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Distribution {
    /// `fixed {seconds}`.
    Fixed {
        /// Run time.
        seconds: f64,
    },
    /// `exponential {meanSeconds}`.
    Exponential {
        /// Mean run time.
        mean_seconds: f64,
    },
    /// `uniform {minSeconds, maxSeconds}`.
    Uniform {
        /// Shortest.
        min_seconds: f64,
        /// Longest.
        max_seconds: f64,
    },
    /// `lognormal {medianSeconds, sigma}`: `median x e^(sigma Z)`, Z standard normal.
    LogNormal {
        /// Median run time.
        median_seconds: f64,
        /// Shape.
        sigma: f64,
    },
}

/// A runtime model: a distribution plus how the attempt exits.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RuntimeModel {
    /// Run time distribution.
    pub distribution: Distribution,
    /// `exitCode` of a normal end (default 0; non-zero fails every attempt).
    pub exit_code: i32,
    /// `failureProbability`: chance an attempt exits with `failure_exit_code` instead.
    pub failure_probability: f64,
    /// `failureExitCode` (default 1).
    pub failure_exit_code: i32,
}

/// One drawn attempt: how long it runs and its exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AttemptPlan {
    /// Run time once RUNNING.
    pub runtime: SimDuration,
    /// Exit code when it ends by itself.
    pub exit_code: i32,
}

impl RuntimeModel {
    /// A fixed run time that always succeeds.
    pub fn fixed(seconds: f64) -> RuntimeModel {
        RuntimeModel::new(Distribution::Fixed { seconds })
    }

    /// `distribution` with exit code 0 and no random failures.
    pub fn new(distribution: Distribution) -> RuntimeModel {
        RuntimeModel {
            distribution,
            exit_code: 0,
            failure_probability: 0.0,
            failure_exit_code: 1,
        }
    }

    /// The mean run time in seconds.
    pub fn mean_seconds(&self) -> f64 {
        match self.distribution {
            Distribution::Fixed { seconds } => seconds,
            Distribution::Exponential { mean_seconds } => mean_seconds,
            Distribution::Uniform {
                min_seconds,
                max_seconds,
            } => (min_seconds + max_seconds) / 2.0,
            Distribution::LogNormal { median_seconds, sigma } => median_seconds * (sigma * sigma / 2.0).exp(),
        }
    }

    /// Draws one attempt. Consumes a fixed number of values per call for a given model, so
    /// streams stay aligned.
    pub fn sample(&self, rng: &mut impl Rng) -> AttemptPlan {
        let secs = match self.distribution {
            Distribution::Fixed { seconds } => seconds,
            Distribution::Exponential { mean_seconds } => {
                let e: f64 = rng.sample(rand_distr::Exp1);
                mean_seconds * e
            }
            Distribution::Uniform {
                min_seconds,
                max_seconds,
            } => {
                let u: f64 = rng.random();
                min_seconds + u * (max_seconds - min_seconds)
            }
            Distribution::LogNormal { median_seconds, sigma } => {
                let z: f64 = StandardNormal.sample(rng);
                median_seconds * (sigma * z).exp()
            }
        };
        let exit_code = if self.failure_probability > 0.0 && rng.random::<f64>() < self.failure_probability {
            self.failure_exit_code
        } else {
            self.exit_code
        };
        AttemptPlan {
            runtime: SimDuration::from_secs_f64(secs)
                .unwrap_or(SimDuration::from_secs_f64(crate::time::MAX_SECONDS).unwrap_or_default()),
            exit_code,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::rng::{stream, StreamKind};

    fn mean_of(model: RuntimeModel, n: usize) -> f64 {
        let mut rng = stream(1, StreamKind::Runtimes, 0);
        (0..n)
            .map(|_| model.sample(&mut rng).runtime.as_secs_f64())
            .sum::<f64>()
            / n as f64
    }

    #[test]
    fn sample_means_match_the_models() {
        let n = 200_000;
        for (model, want) in [
            (
                RuntimeModel::new(Distribution::Exponential { mean_seconds: 600.0 }),
                600.0,
            ),
            (
                RuntimeModel::new(Distribution::Uniform {
                    min_seconds: 10.0,
                    max_seconds: 30.0,
                }),
                20.0,
            ),
            (
                RuntimeModel::new(Distribution::LogNormal {
                    median_seconds: 100.0,
                    sigma: 0.5,
                }),
                100.0 * (0.125f64).exp(),
            ),
        ] {
            let got = mean_of(model, n);
            assert!((got - want).abs() / want < 0.01, "{model:?}: mean {got}, want {want}");
            assert!((model.mean_seconds() - want).abs() < 1e-9);
        }
        assert_eq!(mean_of(RuntimeModel::fixed(12.5), 10), 12.5);
    }

    #[test]
    fn failure_probability_sets_the_failure_exit_code() {
        let mut m = RuntimeModel::fixed(1.0);
        m.failure_probability = 0.25;
        m.failure_exit_code = 3;
        let mut rng = stream(5, StreamKind::Runtimes, 0);
        let n = 40_000;
        let failed = (0..n).filter(|_| m.sample(&mut rng).exit_code == 3).count();
        let frac = failed as f64 / n as f64;
        assert!((frac - 0.25).abs() < 0.01, "{frac}");
    }
}
