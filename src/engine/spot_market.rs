//! Spot markets in the engine: each SPOT type's price over time (`simulation.spotPriceHistory`)
//! and `bidPercentage`, interruption rates by pool, and Fargate Spot windows without capacity.
//!
//! - **Price in force.** At the start of every dispatch pass (only when some compute
//!   environment has a price history or windows, `Simulation::spot_on`) each type's
//!   `price_per_hour` is set to the price then in force, capped at the bid, so the scale-out
//!   choice and the attributed attempt rates read the current price. An instance is billed
//!   per second at the price in force each second (`PoolType::bill`).
//! - **`bidPercentage`.** API model, `ComputeResource.bidPercentage`: "The maximum percentage
//!   that a Spot Instance price can be when compared with the On-Demand price for that
//!   instance type before instances are launched. ... You always pay the lowest (market)
//!   price and never more than your maximum percentage. If you leave this field empty, the
//!   default value is 100% of the On-Demand price." A type whose price is above the bid is
//!   not launched (`SpotPool::priced_out`); the job waits or another type that holds it is
//!   chosen. When a job wanted such a type, the compute environment wakes when the type's
//!   price falls to the bid.
//! - **A price above the bid interrupts.** EC2 User Guide, *Spot Instance interruptions*:
//!   Amazon EC2 may interrupt a Spot Instance for "Price: The Spot price is higher than your
//!   maximum price." A READY instance of a type priced out gets the interruption notice at
//!   once (it takes no new job) and is reclaimed `interruptionNoticeSeconds` later; an
//!   instance still launching is noticed when it is READY if its price is still above the
//!   bid (the pass after it is READY sees it). To see every crossing on time the compute
//!   environment wakes at the next step, of each type with live instances, whose price is
//!   above the bid (found once and kept until then).
//! - **Fargate Spot windows.** While `simulation.unavailable` holds the clock a FARGATE_SPOT
//!   compute environment starts no task (it is full; running tasks run on), so jobs go to the
//!   next compute environment of their queue's `computeEnvironmentOrder`; it wakes at the
//!   window's end.
//!
//! Without a price history or windows nothing here runs and no event is scheduled.

use super::ec2::PoolType;
use super::event::Event;
use super::Simulation;
use crate::model::spot_market::PriceSteps;
use crate::model::{CeId, ComputeEnvironment, ComputeEnvironmentType, InstanceType};
use crate::report::metrics::SpotPaid;
use crate::time::{SimDuration, SimTime};
use std::sync::Arc;

/// The Spot side of one instance type of a pool.
#[derive(Clone, Debug)]
pub struct SpotPool {
    /// Its price history (SPOT with `spotPriceHistory` naming the type).
    pub steps: Option<Arc<PriceSteps>>,
    /// The most paid per hour: `bidPercentage` (default 100) of On-Demand with a history;
    /// infinite otherwise (the fixed discount already applies the bid).
    pub cap_hour: f64,
    /// The On-Demand price per hour.
    pub on_demand_hour: f64,
    /// Reclaims per hour of an instance of this type (0 on EC2).
    pub interruptions_per_hour: f64,
    /// The price now is above the bid: no instance of this type is launched.
    pub priced_out: bool,
    /// Live instances of this type (launching ones included).
    pub live: u32,
    /// Until when `price_per_hour` and `priced_out` hold (the next step of the history).
    valid_until: Option<SimTime>,
    /// The next time the price passes above the bid, as computed at some earlier time (valid
    /// until then: the history does not change).
    rise: Option<(SimTime, Option<SimTime>)>,
    /// The next time the price falls to the bid or below, likewise.
    fall: Option<(SimTime, Option<SimTime>)>,
}

/// The Spot side of type `t` of `ce`, priced at `on_demand` per hour, at time 0.
pub(super) fn spot_pool(ce: &ComputeEnvironment, t: &InstanceType, on_demand: f64) -> SpotPool {
    let spot = ce.kind == ComputeEnvironmentType::Spot;
    let steps = ce
        .spot_market
        .price_history
        .as_ref()
        .filter(|_| spot)
        .and_then(|h| h.types.get(&*t.name).cloned());
    let cap_hour = match &steps {
        Some(_) => on_demand * f64::from(ce.bid_percentage.unwrap_or(100)) / 100.0,
        None => f64::INFINITY,
    };
    let priced_out = steps.as_ref().is_some_and(|s| s.price_at(SimTime::ZERO) > cap_hour);
    SpotPool {
        steps,
        cap_hour,
        on_demand_hour: on_demand,
        interruptions_per_hour: if spot {
            ce.spot_market.interruptions_for(t, ce.interruptions_per_hour)
        } else {
            0.0
        },
        priced_out,
        live: 0,
        valid_until: Some(SimTime::ZERO),
        rise: None,
        fall: None,
    }
}

/// The first step after `now` where the price is above the bid (`above`) or at most it,
/// cached in `cache`: an answer found at time c holds for every time from c up to it.
fn next_crossing(
    steps: &PriceSteps,
    cap: f64,
    above: bool,
    now: SimTime,
    cache: &mut Option<(SimTime, Option<SimTime>)>,
) -> Option<SimTime> {
    if let Some((from, next)) = *cache {
        if from <= now && next.is_none_or(|t| now < t) {
            return next;
        }
    }
    let next = steps.next_step_where(now, |p| (p > cap) == above);
    *cache = Some((now, next));
    next
}

impl SpotPool {
    /// The price paid per hour at time 0 with a history (market, capped at the bid).
    pub fn initial_price(&self) -> Option<f64> {
        self.steps
            .as_ref()
            .map(|s| s.price_at(SimTime::ZERO).min(self.cap_hour))
    }
}

impl PoolType {
    /// The bill of one instance of this type launched at `launched_at`, `pending` in EC2's
    /// `pending` state, billed until `end` (per second from `running`, 60 s minimum): at the
    /// price in force each second, capped at the bid, with a history; else at
    /// `price_per_hour`.
    pub(crate) fn bill(&self, launched_at: SimTime, pending: SimDuration, end: SimTime) -> f64 {
        let Some(steps) = &self.spot.steps else {
            return super::instances::ec2_bill(self.price_per_hour, launched_at, pending, end);
        };
        let seconds = super::instances::ec2_billed_seconds(launched_at, pending, end);
        let from = launched_at + pending;
        steps.cost(
            from,
            from + SimDuration::from_millis(seconds * 1000),
            self.spot.cap_hour,
        )
    }

    /// With a price history: what [`PoolType::bill`] bills, with the hours and their
    /// On-Demand price (the report's `spotPricePaidMean`, `spotPaidOfOnDemand`).
    pub(crate) fn spot_paid(&self, launched_at: SimTime, pending: SimDuration, end: SimTime) -> Option<SpotPaid> {
        self.spot.steps.as_ref()?;
        let hours = super::instances::ec2_billed_seconds(launched_at, pending, end) as f64 / 3600.0;
        Some(SpotPaid {
            dollars: self.bill(launched_at, pending, end),
            hours,
            on_demand: hours * self.spot.on_demand_hour,
        })
    }
}

impl Simulation {
    /// Brings every dynamic Spot compute environment to the current instant (start of a
    /// dispatch pass).
    pub(super) fn sync_spot_markets(&mut self) {
        for c in self.ces.ids() {
            self.sync_spot(c);
        }
    }

    fn sync_spot(&mut self, ce: CeId) {
        let now = self.kernel.now;
        let c = &mut self.ces[ce];
        if !c.spec.spot_market.is_dynamic() {
            return;
        }
        let until = c.spec.spot_market.unavailable_until(now);
        c.spot_unavailable = until.is_some();
        if let Some(end) = until {
            self.wake_spot(ce, end);
        }
        let Some(pool) = self.ces[ce].pool.as_mut() else {
            return;
        };
        let mut any_out = false;
        for t in pool.types.iter_mut() {
            let Some(steps) = &t.spot.steps else { continue };
            // The price holds until the next step: look it up only when that has come.
            if t.spot.valid_until.is_some_and(|u| u <= now) {
                let p = steps.price_at(now);
                t.price_per_hour = p.min(t.spot.cap_hour);
                t.spot.priced_out = p > t.spot.cap_hour;
                t.spot.valid_until = steps.next_change_after(now);
            }
            any_out |= t.spot.priced_out && t.spot.live > 0;
        }
        if !any_out {
            return;
        }
        let doomed: Vec<u32> = pool
            .instances
            .iter()
            .filter(|(_, i)| i.ready && !i.noticed && pool.types[i.type_index].spot.priced_out)
            .map(|(id, _)| id)
            .collect();
        for id in doomed {
            self.price_interruption(ce, id);
        }
    }

    /// The Spot price of instance `id` rose above the bid: notice now, reclaim after the
    /// notice time.
    fn price_interruption(&mut self, ce: CeId, id: u32) {
        let at = self.kernel.now + self.ces[ce].spec.interruption_notice;
        let Some(pool) = self.ces[ce].pool.as_mut() else {
            return;
        };
        pool.set_noticed(id);
        let Some(i) = pool.instances.get_mut(&id) else { return };
        let old = std::mem::take(&mut i.spot_events);
        for k in old.into_iter().flatten() {
            self.kernel.events.cancel_pending(k);
        }
        let k = self.kernel.schedule(at, Event::InstanceReclaimed { ce, instance: id });
        if let Some(i) = self.ces[ce].pool.as_mut().and_then(|p| p.instances.get_mut(&id)) {
            i.spot_events = [None, Some(k)];
        }
    }

    /// After a dispatch pass: wakes each price-history compute environment when a price
    /// crosses the bid in a way that matters: a type a job waited for falls to the bid, or a
    /// type with live instances passes above it.
    pub(super) fn spot_after_pass(&mut self) {
        let now = self.kernel.now;
        for c in self.ces.ids() {
            if self.ces[c].spec.spot_market.price_history.is_none() {
                continue;
            }
            let Some(pool) = self.ces[c].pool.as_mut() else {
                continue;
            };
            let wanted = pool.bid_wait.take();
            let next = pool
                .types
                .iter_mut()
                .filter_map(|t| {
                    let steps = t.spot.steps.as_ref()?;
                    let cap = t.spot.cap_hour;
                    if t.spot.priced_out {
                        // A job waits for this type: wake when its price falls to the bid.
                        wanted
                            .then(|| next_crossing(steps, cap, false, now, &mut t.spot.fall))
                            .flatten()
                    } else if t.spot.live > 0 && steps.max_price() > cap {
                        // Its instances are interrupted when the price passes the bid.
                        next_crossing(steps, cap, true, now, &mut t.spot.rise)
                    } else {
                        None
                    }
                })
                .min();
            if let Some(t) = next {
                self.wake_spot(c, t);
            }
        }
    }

    /// Schedules a [`Event::SpotMarket`] for `ce` at `at` unless one is due no later.
    fn wake_spot(&mut self, ce: CeId, at: SimTime) {
        let c = &mut self.ces[ce];
        if c.spot_wake.is_some_and(|w| w <= at && w >= self.kernel.now) {
            return;
        }
        c.spot_wake = Some(at);
        self.kernel.schedule(at, Event::SpotMarket { ce });
    }

    /// A price change or a window's end: bring the compute environment up to date and let
    /// its queues try again.
    pub(super) fn spot_market_event(&mut self, ce: CeId) {
        let now = self.kernel.now;
        let c = &mut self.ces[ce];
        if c.spot_wake == Some(now) {
            c.spot_wake = None;
        }
        self.sync_spot(ce);
        self.capacity_changed(ce);
    }
}
