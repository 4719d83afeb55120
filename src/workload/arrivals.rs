//! Arrival processes of workload streams.

use crate::time::{SimDuration, SimTime};
use rand::Rng;

/// How a stream's submissions are spaced.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum ArrivalProcess {
    /// `{"process": "poisson", "ratePerHour": r}`: exponential gaps with mean 3600/r s; the
    /// first arrival comes one gap after `start`.
    Poisson {
        /// Mean arrivals per hour.
        rate_per_hour: f64,
    },
    /// `{"process": "every", "seconds": s}`: the first arrival at `start`, then every `s`.
    Every {
        /// The gap.
        interval: SimDuration,
    },
}

/// The arrival times of one stream, generated lazily (a stream of a million jobs costs no
/// memory until it is read). No arrival lies past [`crate::time::MAX_SECONDS`]: a stream
/// whose next draw would is over.
#[derive(Clone, Debug)]
pub struct ArrivalClock {
    process: ArrivalProcess,
    /// Poisson: the mean gap in seconds, `3600 / ratePerHour` (one division per stream, not
    /// per arrival).
    mean_gap_secs: f64,
    next: SimTime,
    end: Option<SimTime>,
    remaining: Option<u64>,
}

impl ArrivalClock {
    /// The clock of a stream; draws the first Poisson gap from `rng`.
    pub fn new(
        process: ArrivalProcess,
        start: SimTime,
        end: Option<SimTime>,
        count: Option<u64>,
        rng: &mut impl Rng,
    ) -> Self {
        let mut clock = ArrivalClock {
            process,
            mean_gap_secs: match process {
                ArrivalProcess::Poisson { rate_per_hour } => 3600.0 / rate_per_hour,
                ArrivalProcess::Every { .. } => 0.0,
            },
            next: start,
            end,
            remaining: count,
        };
        if matches!(process, ArrivalProcess::Poisson { .. }) {
            clock.next = start + clock.gap(rng);
        }
        clock
    }

    fn gap(&self, rng: &mut impl Rng) -> SimDuration {
        match self.process {
            ArrivalProcess::Every { interval } => interval,
            ArrivalProcess::Poisson { .. } => {
                // The ziggurat sampler of the unit exponential: exact, and a few times faster
                // than `-ln(1 - u)` (no logarithm on the common path).
                let e: f64 = rng.sample(rand_distr::Exp1);
                let secs = e * self.mean_gap_secs;
                SimDuration::from_secs_f64(secs).unwrap_or(SimDuration::from_millis(u64::MAX / 4))
            }
        }
    }

    /// The next arrival time, or `None` when the stream is over. Advances the clock.
    pub fn next_arrival(&mut self, rng: &mut impl Rng) -> Option<SimTime> {
        if self.remaining == Some(0) {
            return None;
        }
        let t = self.next;
        // Past the simulated time bound (a Poisson draw far in the tail) the stream ends,
        // instead of piling arrivals at the saturated end of time.
        if self.end.is_some_and(|end| t >= end) || t.as_millis() as f64 > crate::time::MAX_SECONDS * 1000.0 {
            self.remaining = Some(0);
            return None;
        }
        if let Some(r) = &mut self.remaining {
            *r -= 1;
        }
        self.next = t + self.gap(rng);
        Some(t)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn no_arrival_lies_past_the_time_bound() {
        let mut rng = super::super::rng::stream(0, super::super::rng::StreamKind::Arrivals, 0);
        let p = ArrivalProcess::Poisson { rate_per_hour: 1e-9 };
        let mut clock = ArrivalClock::new(p, SimTime::ZERO, None, Some(5), &mut rng);
        let times: Vec<_> = std::iter::from_fn(|| clock.next_arrival(&mut rng)).take(10).collect();
        assert_eq!(
            times,
            Vec::<SimTime>::new(),
            "the first gap (mean 3.6e12 s) is past 1e12 s"
        );
        let p = ArrivalProcess::Every {
            interval: SimDuration::from_secs(400_000_000_000),
        };
        let mut clock = ArrivalClock::new(p, SimTime::ZERO, None, Some(5), &mut rng);
        let times: Vec<_> = std::iter::from_fn(|| clock.next_arrival(&mut rng))
            .map(|t| t.as_secs_f64())
            .collect();
        assert_eq!(times, [0.0, 4e11, 8e11]);
    }

    use super::*;
    use crate::workload::rng::{stream, StreamKind};

    #[test]
    fn every_starts_at_start_and_end_is_exclusive() {
        let mut rng = stream(0, StreamKind::Arrivals, 0);
        let p = ArrivalProcess::Every {
            interval: SimDuration::from_secs(30),
        };
        let mut c = ArrivalClock::new(
            p,
            SimTime::from_millis(1000),
            Some(SimTime::from_millis(91_000)),
            None,
            &mut rng,
        );
        let times: Vec<u64> = std::iter::from_fn(|| c.next_arrival(&mut rng))
            .map(|t| t.as_millis())
            .collect();
        assert_eq!(times, [1000, 31_000, 61_000]);
    }

    #[test]
    fn count_stops_first_when_smaller() {
        let mut rng = stream(0, StreamKind::Arrivals, 0);
        let p = ArrivalProcess::Every {
            interval: SimDuration::from_secs(1),
        };
        let mut c = ArrivalClock::new(
            p,
            SimTime::ZERO,
            Some(SimTime::from_millis(1_000_000)),
            Some(4),
            &mut rng,
        );
        assert_eq!(std::iter::from_fn(|| c.next_arrival(&mut rng)).count(), 4);
    }

    #[test]
    fn poisson_rate_is_respected() {
        let mut rng = stream(3, StreamKind::Arrivals, 0);
        let p = ArrivalProcess::Poisson { rate_per_hour: 120.0 };
        let hours = 500;
        let end = SimTime::from_millis(hours * 3_600_000);
        let mut c = ArrivalClock::new(p, SimTime::ZERO, Some(end), None, &mut rng);
        let n = std::iter::from_fn(|| c.next_arrival(&mut rng)).count() as f64;
        let want = 120.0 * hours as f64;
        // Poisson count: sd = sqrt(60000) ~ 245, so 3% is over 7 sd.
        assert!((n - want).abs() / want < 0.03, "{n} arrivals, want about {want}");
    }
}
