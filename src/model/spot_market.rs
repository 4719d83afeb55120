//! Spot markets: a Spot price per instance type that changes over time (read from a
//! `describe-spot-price-history` file or a CSV by `scenario::spot_prices`), interruption rates
//! per instance type or family (pools), and windows in which Fargate Spot starts no task.
//!
//! A price history is a step function per instance type: the price recorded at a timestamp is
//! in force from then until the next record of that type. EC2's API reference
//! (`DescribeSpotPriceHistory`): "The price is valid within the time period that you
//! specified; the response merely indicates the last time that the price changed." Before a
//! type's first record its first price applies. With several Availability Zones the price at
//! each moment is the lowest of the zones' prices then in force, the zone a Spot Fleet asking
//! for the lowest price would pick.
//!
//! ```
//! use batchsim::model::spot_market::PriceSteps;
//! use batchsim::SimTime;
//!
//! let s = |secs: u64| SimTime::from_millis(secs * 1000);
//! // 0.03 $/h from 0 s, 0.06 $/h from 1800 s.
//! let steps = PriceSteps::new(vec![(s(1800), 0.06), (s(0), 0.03)]).unwrap();
//! assert_eq!(steps.price_at(s(1799)), 0.03);
//! assert_eq!(steps.price_at(s(1800)), 0.06);
//! // One hour across the step: half an hour at each price.
//! assert!((steps.cost(s(0), s(3600), f64::INFINITY) - 0.045).abs() < 1e-12);
//! // Capped at 0.04 $/h (a bid): 0.015 + 0.02.
//! assert!((steps.cost(s(0), s(3600), 0.04) - 0.035).abs() < 1e-12);
//! assert_eq!(steps.next_change_after(s(0)), Some(s(1800)));
//! ```

use crate::model::InstanceType;
use crate::time::SimTime;
use std::collections::BTreeMap;
use std::sync::Arc;

/// One instance type's Spot price (dollars per hour) over simulated time: steps sorted by
/// time, strictly increasing, the first at time 0.
#[derive(Clone, Debug, PartialEq)]
pub struct PriceSteps {
    steps: Vec<(SimTime, f64)>,
    max: f64,
}

impl PriceSteps {
    /// The step function through `points` (time, price), in any order: sorted by time (the
    /// last of several prices at one time wins, in the order given), the first price moved
    /// to time 0. `None` when `points` is empty.
    pub fn new(mut points: Vec<(SimTime, f64)>) -> Option<PriceSteps> {
        points.sort_by_key(|p| p.0);
        let mut steps: Vec<(SimTime, f64)> = Vec::with_capacity(points.len());
        for (t, p) in points {
            match steps.last_mut() {
                Some(last) if last.0 == t => last.1 = p,
                Some(last) if last.1 == p => {}
                _ => steps.push((t, p)),
            }
        }
        steps.first_mut()?.0 = SimTime::ZERO;
        let max = steps.iter().map(|s| s.1).fold(0.0, f64::max);
        Some(PriceSteps { steps, max })
    }

    /// The lowest price in force at each moment among several series (one per Availability
    /// Zone; a series counts from its first record on). `None` when all are empty.
    pub fn lowest_of(series: Vec<Vec<(SimTime, f64)>>) -> Option<PriceSteps> {
        let mut sorted: Vec<Vec<(SimTime, f64)>> = series.into_iter().filter(|s| !s.is_empty()).collect();
        for s in &mut sorted {
            s.sort_by_key(|p| p.0);
        }
        let mut times: Vec<SimTime> = sorted.iter().flatten().map(|p| p.0).collect();
        times.sort();
        times.dedup();
        let points = times
            .into_iter()
            .filter_map(|t| {
                sorted
                    .iter()
                    .filter_map(|s| {
                        let k = s.partition_point(|p| p.0 <= t);
                        (k > 0).then(|| s[k - 1].1)
                    })
                    .min_by(f64::total_cmp)
                    .map(|p| (t, p))
            })
            .collect();
        PriceSteps::new(points)
    }

    /// The steps (time, dollars per hour).
    pub fn steps(&self) -> &[(SimTime, f64)] {
        &self.steps
    }

    /// The highest price of the history.
    pub fn max_price(&self) -> f64 {
        self.max
    }

    /// The price in force at `t`.
    pub fn price_at(&self, t: SimTime) -> f64 {
        let k = self.steps.partition_point(|s| s.0 <= t);
        self.steps[k.saturating_sub(1)].1
    }

    /// The first time after `t` at which the price changes.
    pub fn next_change_after(&self, t: SimTime) -> Option<SimTime> {
        let k = self.steps.partition_point(|s| s.0 <= t);
        self.steps.get(k).map(|s| s.0)
    }

    /// The first step after `t` whose price satisfies `pred` (linear in the steps passed).
    pub fn next_step_where(&self, t: SimTime, pred: impl Fn(f64) -> bool) -> Option<SimTime> {
        let k = self.steps.partition_point(|s| s.0 <= t);
        self.steps[k..].iter().find(|s| pred(s.1)).map(|s| s.0)
    }

    /// Dollars for one instance from `from` to `to` at the price in force each moment, never
    /// more than `cap` dollars per hour.
    pub fn cost(&self, from: SimTime, to: SimTime, cap: f64) -> f64 {
        if to <= from {
            return 0.0;
        }
        let mut k = self.steps.partition_point(|s| s.0 <= from).saturating_sub(1);
        let mut at = from;
        let mut dollars = 0.0;
        while at < to {
            let end = self.steps.get(k + 1).map_or(to, |s| s.0.min(to));
            dollars += end.since(at).as_millis() as f64 / 3_600_000.0 * self.steps[k].1.min(cap);
            at = end;
            k += 1;
        }
        dollars
    }
}

/// A Spot price history: a [`PriceSteps`] per instance type name.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct SpotPriceHistory {
    /// The file it was read from, as the scenario names it (for messages).
    pub file: String,
    /// Prices by instance type name.
    pub types: BTreeMap<String, Arc<PriceSteps>>,
}

/// A compute environment's Spot market settings (`simulation.spotPriceHistory`, the object
/// form of `simulation.interruptionsPerHour`, `simulation.unavailable`). The default (no
/// history, no per-type rates, no windows) is the fixed-discount model.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct SpotSettings {
    /// SPOT: the Spot price of each type over time; types it lacks are priced at the fixed
    /// discount (`prices.spotDiscount`).
    pub price_history: Option<Arc<SpotPriceHistory>>,
    /// SPOT: reclaims per hour per instance by instance type or family name (a type's own
    /// entry first, then its family's); other types use `interruptionsPerHour`'s default.
    pub interruptions_by_type: BTreeMap<String, f64>,
    /// FARGATE_SPOT: `[start, end)` windows in which no new task starts.
    pub unavailable: Vec<(SimTime, SimTime)>,
}

impl SpotSettings {
    /// True when the compute environment uses a Spot market feature the engine must follow
    /// over time (a price history or unavailable windows).
    pub fn is_dynamic(&self) -> bool {
        self.price_history.is_some() || !self.unavailable.is_empty()
    }

    /// The interruption rate of instance type `t`: its own entry, its family's, else
    /// `default`.
    pub fn interruptions_for(&self, t: &InstanceType, default: f64) -> f64 {
        self.interruptions_by_type
            .get(&*t.name)
            .or_else(|| self.interruptions_by_type.get(t.family()))
            .copied()
            .unwrap_or(default)
    }

    /// The end of the unavailable window that holds `t`, if one does.
    pub fn unavailable_until(&self, t: SimTime) -> Option<SimTime> {
        self.unavailable
            .iter()
            .filter(|w| w.0 <= t && t < w.1)
            .map(|w| w.1)
            .max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(secs: u64) -> SimTime {
        SimTime::from_millis(secs * 1000)
    }

    #[test]
    fn steps_sort_merge_and_start_at_zero() {
        let p = PriceSteps::new(vec![(s(300), 0.5), (s(100), 0.2), (s(200), 0.2), (s(300), 0.4)]).unwrap();
        // 100 s is moved to 0; 200 s repeats the price; at 300 s the last given (0.4) wins.
        assert_eq!(p.steps(), &[(s(0), 0.2), (s(300), 0.4)]);
        assert_eq!(p.max_price(), 0.4);
        assert_eq!(p.next_change_after(s(300)), None);
        assert_eq!(p.next_step_where(s(0), |x| x > 0.3), Some(s(300)));
        assert_eq!(p.next_step_where(s(300), |x| x > 0.3), None);
        assert!(PriceSteps::new(Vec::new()).is_none());
    }

    #[test]
    fn lowest_zone_wins_at_each_moment() {
        // Zone a: 0.10 from 0, 0.30 from 100. Zone b: 0.20 from 50, 0.05 from 200.
        let a = vec![(s(0), 0.10), (s(100), 0.30)];
        let b = vec![(s(50), 0.20), (s(200), 0.05)];
        let p = PriceSteps::lowest_of(vec![a, b]).unwrap();
        assert_eq!(p.steps(), &[(s(0), 0.10), (s(100), 0.20), (s(200), 0.05)]);
    }

    #[test]
    fn cost_integrates_each_step_and_caps() {
        let p = PriceSteps::new(vec![(s(0), 0.36), (s(10), 0.72)]).unwrap();
        // 10 s at 0.36 $/h + 50 s at 0.72 $/h = 0.001 + 0.01.
        assert!((p.cost(s(0), s(60), f64::INFINITY) - 0.011).abs() < 1e-12);
        assert!((p.cost(s(0), s(60), 0.36) - 0.006).abs() < 1e-12);
        assert!((p.cost(s(20), s(30), f64::INFINITY) - 0.002).abs() < 1e-12);
        assert_eq!(p.cost(s(30), s(20), f64::INFINITY), 0.0);
    }

    #[test]
    fn rates_by_type_then_family_then_default() {
        let mut set = SpotSettings::default();
        set.interruptions_by_type.insert("m5".into(), 0.5);
        set.interruptions_by_type.insert("m5.large".into(), 0.1);
        let large = crate::model::instance_catalog::lookup("m5.large").unwrap();
        let xl = crate::model::instance_catalog::lookup("m5.xlarge").unwrap();
        let c5 = crate::model::instance_catalog::lookup("c5.large").unwrap();
        assert_eq!(set.interruptions_for(large, 2.0), 0.1);
        assert_eq!(set.interruptions_for(xl, 2.0), 0.5);
        assert_eq!(set.interruptions_for(c5, 2.0), 2.0);
        set.unavailable = vec![(s(10), s(20)), (s(15), s(30))];
        assert_eq!(set.unavailable_until(s(9)), None);
        assert_eq!(set.unavailable_until(s(16)), Some(s(30)));
        assert_eq!(set.unavailable_until(s(30)), None);
        assert!(set.is_dynamic());
    }
}
