//! The kernel: the clock, the event queue and the sources of what happens next.
//!
//! It owns everything that decides *when* something happens: the simulated time, the
//! engine's own events (with cancellation), the workload's submissions (streams, traces,
//! single submissions, merged by time) and the scenario's timed actions. It knows nothing of
//! jobs, queues or capacity: [`Simulation`](super::Simulation) asks it for the next instant
//! and for what is due then, in the order of CONTRACT section 7.1 (submissions, then
//! actions in file order, then events in creation order), and applies each.

use super::event::Event;
use super::queue::{EventKey, EventQueue};
use super::sources::{Sources, Submission};
use crate::model::{Action, TimedAction};
use crate::time::SimTime;

/// The clock, the event queue, the submissions and the timed actions of one run.
#[derive(Clone)]
pub(crate) struct Kernel {
    /// The simulated time now.
    pub now: SimTime,
    /// Where the run stops (`Options::until`, else the scenario's `until`).
    pub until: Option<SimTime>,
    /// Nothing left to happen, or the clock reached `until`.
    pub stopped: bool,
    /// The engine's own events (timers, instance life cycle, fair-share expiries).
    pub events: EventQueue<Event>,
    /// The workload's submissions, merged by time.
    pub sources: Sources,
    /// The scenario's timed actions, in time order.
    actions: Vec<TimedAction>,
    /// The first action not applied yet.
    next_action: usize,
    /// Submissions, actions and events applied so far.
    pub events_processed: u64,
}

impl Kernel {
    /// A kernel at time zero.
    pub fn new(sources: Sources, actions: Vec<TimedAction>, until: Option<SimTime>) -> Kernel {
        debug_assert!(actions.windows(2).all(|w| w[0].at <= w[1].at), "actions in time order");
        Kernel {
            now: SimTime::ZERO,
            until,
            stopped: false,
            events: EventQueue::new(),
            sources,
            actions,
            next_action: 0,
            events_processed: 0,
        }
    }

    /// The time of the next thing due (submission, action or event), if any.
    #[inline]
    pub fn next_time(&mut self) -> Option<SimTime> {
        let a = self.sources.peek_time();
        let b = self.actions.get(self.next_action).map(|a| a.at);
        let c = self.events.peek_time();
        [a, b, c].into_iter().flatten().min()
    }

    /// The time of the next submission or timed action, if any (the engine's own events
    /// aside).
    pub fn next_outside_time(&mut self) -> Option<SimTime> {
        let a = self.sources.peek_time();
        let b = self.actions.get(self.next_action).map(|a| a.at);
        match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Moves the clock to the next instant and returns it; `None` (and the run stopped)
    /// when nothing is left or the next instant is at or past `until` (the clock then
    /// rests at `until`).
    pub fn advance(&mut self) -> Option<SimTime> {
        let Some(t) = self.next_time() else {
            self.stopped = true;
            return None;
        };
        if let Some(u) = self.until.filter(|&u| t >= u) {
            self.now = u;
            self.stopped = true;
            return None;
        }
        self.now = t;
        Some(t)
    }

    /// The next workload submission due at `t`, counted as applied.
    pub fn due_submission(&mut self, t: SimTime) -> Option<Submission> {
        while self.sources.peek_time() == Some(t) {
            if let Some(sub) = self.sources.pop(t) {
                self.events_processed += 1;
                return Some(sub);
            }
        }
        None
    }

    /// The next timed action due at `t`, counted as applied.
    pub fn due_action(&mut self, t: SimTime) -> Option<Action> {
        let due = self.actions.get(self.next_action).filter(|a| a.at == t)?;
        let action = due.action.clone();
        self.next_action += 1;
        self.events_processed += 1;
        Some(action)
    }

    /// The next engine event due at `t`, counted as applied.
    pub fn due_event(&mut self, t: SimTime) -> Option<Event> {
        let (_, event) = self.events.pop_due(t)?;
        self.events_processed += 1;
        Some(event)
    }

    /// Schedules `event` at `at` (never before now); the key cancels it.
    pub fn schedule(&mut self, at: SimTime, event: Event) -> EventKey {
        debug_assert!(at >= self.now, "an event in the past");
        self.events.schedule(at, event)
    }

    /// Moves the clock to `t` without applying anything (the library API's `run_until`),
    /// never past `until`.
    pub fn rest_at(&mut self, t: SimTime) {
        if !self.stopped && t > self.now {
            self.now = self.until.map_or(t, |u| t.min(u));
        }
    }

    /// `Err(end)` once the clock reached `until`.
    pub fn check_open(&self) -> Result<(), SimTime> {
        match self.until {
            Some(u) if self.stopped && self.now >= u => Err(self.now),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    fn kernel(actions: Vec<TimedAction>, until: Option<SimTime>) -> Kernel {
        let sources = Sources::new(&[], 1).expect("no workload");
        Kernel::new(sources, actions, until)
    }

    fn action_at(ms: u64) -> TimedAction {
        TimedAction {
            at: SimTime::from_millis(ms),
            action: Action::DeregisterJobDefinition("d".into()),
        }
    }

    #[test]
    fn instants_come_in_time_order_and_events_after_actions() {
        let mut k = kernel(vec![action_at(5), action_at(5), action_at(9)], None);
        k.schedule(
            SimTime::from_millis(5),
            Event::ShareExpiry {
                queue: crate::model::QueueId(0),
            },
        );
        k.schedule(
            SimTime::from_millis(7),
            Event::ShareExpiry {
                queue: crate::model::QueueId(0),
            },
        );
        assert_eq!(k.advance(), Some(SimTime::from_millis(5)));
        assert!(k.due_submission(k.now).is_none());
        assert!(k.due_action(k.now).is_some());
        assert!(k.due_action(k.now).is_some());
        assert!(k.due_action(k.now).is_none(), "the third action is at 9");
        assert!(k.due_event(k.now).is_some());
        assert!(k.due_event(k.now).is_none(), "the second event is at 7");
        assert_eq!(k.advance(), Some(SimTime::from_millis(7)));
        assert!(k.due_event(k.now).is_some());
        assert_eq!(k.advance(), Some(SimTime::from_millis(9)));
        assert!(k.due_action(k.now).is_some());
        assert_eq!(k.advance(), None);
        assert!(k.stopped);
        assert_eq!(k.events_processed, 5);
    }

    #[test]
    fn the_clock_stops_at_until() {
        let mut k = kernel(vec![action_at(5), action_at(20)], Some(SimTime::from_millis(10)));
        assert_eq!(k.advance(), Some(SimTime::from_millis(5)));
        assert!(k.due_action(k.now).is_some());
        assert_eq!(k.advance(), None, "the next action is past until");
        assert_eq!(k.now, SimTime::from_millis(10));
        assert_eq!(k.check_open(), Err(SimTime::from_millis(10)));
    }

    #[test]
    fn a_cancelled_event_is_never_due() {
        let mut k = kernel(Vec::new(), None);
        let key = k.schedule(
            SimTime::from_millis(3),
            Event::ShareExpiry {
                queue: crate::model::QueueId(0),
            },
        );
        k.events.cancel_pending(key);
        assert_eq!(k.advance(), None);
        assert_eq!(k.events_processed, 0);
    }

    #[test]
    fn resting_never_passes_until() {
        let mut k = kernel(Vec::new(), Some(SimTime::from_millis(10)));
        k.rest_at(SimTime::from_millis(4));
        assert_eq!(k.now, SimTime::from_millis(4));
        k.rest_at(SimTime::from_millis(40));
        assert_eq!(k.now, SimTime::from_millis(10));
    }
}
