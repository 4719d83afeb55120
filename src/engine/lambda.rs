//! LAMBDA compute environments (a simulation extension): concurrency, execution environments
//! kept warm for reuse, cold starts, the scaling rate, the 15-minute limit and the bill.
//!
//! Each attempt is one invocation of a function; a function is one memory size
//! ([`crate::model::lambda::memory_mb`] of the job's resources), so jobs of one job
//! definition share warm environments and a scaling rate. The rules and the AWS sentences
//! they rest on are in [`crate::model::lambda`]:
//! - an attempt is placed while the in-flight invocations stay under the function's
//!   concurrency (reserved, else the account's) and the vCPUs under `maxvCpus`;
//! - an idle environment of the function released less than `keepAliveSeconds` ago is reused
//!   (the most recently released first) and starts at once; otherwise the attempt is a cold
//!   start (`coldStartSeconds` before RUNNING, billed: INIT is billed since 2025-08-01);
//! - at most `scalingRate` new environments per function in a 10-second window; the window
//!   opens at the first cold start after the previous one closed, and when it closes the
//!   queues look again ([`super::event::Event::LambdaScalingWindow`]);
//! - an attempt's run is cut at 900 s with [`REASON_LAMBDA_TIMEOUT`] (not retried, like
//!   AWS Batch's own timeouts);
//! - the bill is GB-seconds from dispatch to end, by the millisecond, plus one request.

use super::capacity::CeRuntime;
use super::event::Event;
use super::queue::EventQueue;
use super::Simulation;
use crate::model::instance_catalog::Architecture;
use crate::model::lambda::{self, MAX_TIMEOUT, REASON_LAMBDA_TIMEOUT, SCALING_WINDOW};
use crate::model::{CeId, ComputeEnvironment, Resources};
use crate::time::{SimDuration, SimTime};
use std::collections::{BTreeMap, VecDeque};

/// One function's execution environments.
#[derive(Clone, Debug, Default)]
struct Function {
    /// Idle environments: when each was released, oldest first.
    idle: VecDeque<SimTime>,
    /// New environments created in the open scaling window.
    window_new: u32,
    /// A scaling window is open (its end is scheduled).
    window_open: bool,
}

/// The state of one LAMBDA compute environment.
#[derive(Clone, Debug, Default)]
pub(crate) struct LambdaPool {
    /// Invocations in flight.
    in_flight: u32,
    /// Functions by memory size (MB).
    functions: BTreeMap<u32, Function>,
    /// The simulation clock at the start of the current dispatch pass.
    now: SimTime,
    /// Cold starts so far.
    pub cold_starts: u64,
    /// Warm starts so far.
    pub warm_starts: u64,
}

impl LambdaPool {
    /// Whether an idle environment of `f` released at `t` is still kept at `now`.
    fn warm(keep_alive: SimDuration, t: SimTime, now: SimTime) -> bool {
        now.since(t) < keep_alive
    }

    /// Whether an attempt needing `r` can start now.
    pub fn can_start(&self, spec: &ComputeEnvironment, r: &Resources) -> bool {
        let Some(mb) = lambda::memory_mb(r) else { return false };
        if self.in_flight >= spec.lambda.concurrency() {
            return false;
        }
        match self.functions.get(&mb) {
            None => spec.lambda.scaling_rate > 0,
            Some(f) => {
                f.window_new < spec.lambda.scaling_rate
                    || f.idle
                        .back()
                        .is_some_and(|&t| Self::warm(spec.lambda.keep_alive, t, self.now))
            }
        }
    }

    /// Whether no attempt can start now (the concurrency is used up).
    pub fn is_full(&self, spec: &ComputeEnvironment) -> bool {
        self.in_flight >= spec.lambda.concurrency()
    }

    /// Starts an invocation needing `r` at `now`: its latency before RUNNING (0 on a warm
    /// environment, the cold start otherwise), and the end of a scaling window it opened.
    fn start(&mut self, spec: &ComputeEnvironment, r: &Resources, now: SimTime) -> (SimDuration, Option<SimTime>) {
        self.in_flight += 1;
        let mb = lambda::memory_mb(r).unwrap_or(lambda::MAX_MEMORY_MB);
        let keep = spec.lambda.keep_alive;
        let f = self.functions.entry(mb).or_default();
        while f.idle.front().is_some_and(|&t| !Self::warm(keep, t, now)) {
            f.idle.pop_front();
        }
        if f.idle.pop_back().is_some() {
            self.warm_starts += 1;
            return (SimDuration::ZERO, None);
        }
        self.cold_starts += 1;
        f.window_new += 1;
        let window = (!f.window_open).then(|| {
            f.window_open = true;
            now + SCALING_WINDOW
        });
        (spec.startup, window)
    }

    /// An invocation needing `r` ended at `now`: its environment goes idle.
    #[cold]
    fn release(&mut self, r: &Resources, now: SimTime) {
        self.in_flight = self.in_flight.saturating_sub(1);
        let mb = lambda::memory_mb(r).unwrap_or(lambda::MAX_MEMORY_MB);
        self.functions.entry(mb).or_default().idle.push_back(now);
    }

    /// The scaling window of the function of `memory_mb` closed.
    fn close_window(&mut self, memory_mb: u32) {
        if let Some(f) = self.functions.get_mut(&memory_mb) {
            f.window_new = 0;
            f.window_open = false;
        }
    }
}

impl CeRuntime {
    /// Dispatch on a LAMBDA compute environment: takes a warm environment or makes a cold
    /// start (scheduling the end of a scaling window it opens); the latency before RUNNING.
    /// Other kinds: their `startup`.
    #[inline]
    pub(super) fn start_latency(&mut self, r: &Resources, now: SimTime, events: &mut EventQueue<Event>) -> SimDuration {
        match self.lambda.is_none() {
            true => self.spec.startup,
            false => self.lambda_start(r, now, events),
        }
    }

    #[cold]
    #[inline(never)]
    fn lambda_start(&mut self, r: &Resources, now: SimTime, events: &mut EventQueue<Event>) -> SimDuration {
        let Some(pool) = self.lambda.as_mut() else {
            return self.spec.startup;
        };
        let (latency, window) = pool.start(&self.spec, r, now);
        if let Some(at) = window {
            let memory_mb = lambda::memory_mb(r).unwrap_or(lambda::MAX_MEMORY_MB);
            events.schedule(at, Event::LambdaScalingWindow { ce: self.id, memory_mb });
        }
        latency
    }

    /// An attempt needing `r` ended at `now` (LAMBDA: its environment goes idle).
    #[inline]
    pub(super) fn task_released(&mut self, r: &Resources, now: SimTime) {
        if let Some(pool) = self.lambda.as_mut() {
            pool.release(r, now);
        }
    }

    /// The longest an attempt may run here with the job's own `timeout`: on LAMBDA, at most
    /// 900 s ("a maximum value of 900 seconds (15 minutes)").
    #[inline]
    pub(super) fn attempt_limit(&self, timeout: Option<SimDuration>) -> Option<SimDuration> {
        match self.lambda {
            Some(_) => Some(timeout.map_or(MAX_TIMEOUT, |t| t.min(MAX_TIMEOUT))),
            None => timeout,
        }
    }

    /// The status reason of a timed-out attempt: Lambda's when its 900 s limit (not the
    /// job's shorter timeout) ended it.
    pub(super) fn timeout_reason(&self, timeout: Option<SimDuration>) -> &'static str {
        match self.lambda {
            Some(_) if timeout.is_none_or(|t| t > MAX_TIMEOUT) => REASON_LAMBDA_TIMEOUT,
            _ => super::attempt::REASON_TIMEOUT,
        }
    }
}

/// A LAMBDA attempt's bill: the function's memory for `billed` (dispatch to end) at the
/// architecture's GB-second price, plus one request.
pub(crate) fn lambda_cost(ce: &ComputeEnvironment, r: &Resources, arch: Architecture, billed: SimDuration) -> f64 {
    let mb = lambda::memory_mb(r).unwrap_or(lambda::MAX_MEMORY_MB);
    ce.lambda.attempt_cost(mb, arch, billed)
}

impl Simulation {
    /// The scaling window of a LAMBDA function closed: it may create environments again.
    pub(super) fn lambda_window_closed(&mut self, ce: CeId, memory_mb: u32) {
        if let Some(pool) = self.ces[ce].lambda.as_mut() {
            pool.close_window(memory_mb);
            self.capacity_changed(ce);
        }
    }

    /// Gives the LAMBDA pools the clock before a dispatch pass (they judge keep-alive by it).
    pub(super) fn sync_lambda_clocks(&mut self) {
        let now = self.kernel.now;
        for c in &mut self.ces {
            if let Some(pool) = c.lambda.as_mut() {
                pool.now = now;
            }
        }
    }

    /// Cold starts per compute environment (0 on the other kinds), in scenario order.
    pub fn lambda_cold_starts(&self) -> impl Iterator<Item = (&str, u64)> + '_ {
        self.ces
            .iter()
            .map(|c| (c.spec.name.as_str(), c.lambda.as_ref().map_or(0, |p| p.cold_starts)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(concurrency: u32, rate: u32) -> ComputeEnvironment {
        let mut ce = ComputeEnvironment::fargate("fn", 1000, false);
        ce.kind = crate::model::ComputeEnvironmentType::Lambda;
        ce.startup = SimDuration::from_secs(1);
        ce.lambda.account_concurrency = concurrency;
        ce.lambda.scaling_rate = rate;
        ce
    }

    #[test]
    fn warm_environments_are_reused_within_the_keep_alive() {
        let s = spec(1000, 1000);
        let r = Resources::new(1.0, 2048);
        let mut p = LambdaPool::default();
        let t0 = SimTime::ZERO;
        // Two cold starts; the first opens the scaling window.
        assert_eq!(
            p.start(&s, &r, t0),
            (SimDuration::from_secs(1), Some(t0 + SCALING_WINDOW))
        );
        assert_eq!(p.start(&s, &r, t0), (SimDuration::from_secs(1), None));
        let t1 = SimTime::from_millis(60_000);
        p.release(&r, t1);
        p.release(&r, t1);
        // Within 300 s: warm, no latency.
        let t2 = SimTime::from_millis(60_000 + 299_999);
        assert_eq!(p.start(&s, &r, t2).0, SimDuration::ZERO);
        p.release(&r, t2);
        // 300 s after the other one's release it is gone; the one released at t2 is kept.
        let t3 = SimTime::from_millis(60_000 + 300_000);
        assert_eq!(p.start(&s, &r, t3).0, SimDuration::ZERO);
        assert_eq!(p.start(&s, &r, t3).0, SimDuration::from_secs(1));
        assert_eq!((p.cold_starts, p.warm_starts), (3, 2));
        // Another memory size is another function: cold.
        assert_eq!(p.start(&s, &r, t3).0, SimDuration::from_secs(1));
        assert_eq!(p.start(&s, &Resources::new(1.0, 4096), t3).0, SimDuration::from_secs(1));
    }

    #[test]
    fn concurrency_and_scaling_rate_bound_new_starts() {
        let s = spec(3, 2);
        let r = Resources::new(1.0, 2048);
        let mut p = LambdaPool::default();
        assert!(p.can_start(&s, &r));
        p.start(&s, &r, SimTime::ZERO);
        p.start(&s, &r, SimTime::ZERO);
        // Two new environments used the window's rate of 2.
        assert!(!p.can_start(&s, &r));
        p.close_window(2048);
        assert!(p.can_start(&s, &r));
        p.start(&s, &r, SimTime::ZERO);
        // Three in flight: the concurrency of 3 is used up.
        assert!(p.is_full(&s) && !p.can_start(&s, &r));
        // Too big for Lambda: never.
        let q = LambdaPool::default();
        assert!(!q.can_start(&s, &Resources::new(8.0, 2048)));
    }
}
