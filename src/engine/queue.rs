//! The event queue: a min-heap of events ordered by `(time, sequence number)`.
//!
//! Events of the same instant come out in the order they were scheduled (the sequence number
//! breaks ties), which is what makes a run reproducible. Cancellation is lazy: a cancelled
//! event stays in the heap, marked, and is skipped when it reaches the top, so cancelling costs
//! O(1) and never reorders anything.

use crate::time::SimTime;
use std::collections::{BinaryHeap, HashSet};

/// The handle of a scheduled event, used to cancel it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventKey(std::num::NonZeroU64);

impl EventKey {
    /// The sequence number (keys are stored plus one, so `Option<EventKey>` takes 8 bytes).
    fn seq(self) -> u64 {
        self.0.get() - 1
    }
}

/// A min-heap keyed by `(time, sequence)` packed in a `u128` (one comparison per step), on
/// top of the standard binary heap (whose hole-based sifting is hard to beat).
#[derive(Clone)]
struct KeyedHeap<E> {
    items: BinaryHeap<Entry<E>>,
}

#[derive(Clone)]
struct Entry<E>(u128, E);

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    /// Reversed: `BinaryHeap` is a max-heap and the earliest key must come out first.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other.0.cmp(&self.0)
    }
}

fn key(at: SimTime, seq: u64) -> u128 {
    (u128::from(at.as_millis()) << 64) | u128::from(seq)
}

impl<E> KeyedHeap<E> {
    fn push(&mut self, k: u128, e: E) {
        self.items.push(Entry(k, e));
    }

    fn peek_key(&self) -> Option<u128> {
        self.items.peek().map(|e| e.0)
    }

    fn pop(&mut self) -> Option<(u128, E)> {
        self.items.pop().map(|e| (e.0, e.1))
    }
}

/// A priority queue of events keyed by `(time, sequence number)`, with cancellation.
#[derive(Clone)]
pub struct EventQueue<E> {
    heap: KeyedHeap<E>,
    next_seq: u64,
    cancelled: HashSet<u64>,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            heap: KeyedHeap {
                items: BinaryHeap::new(),
            },
            next_seq: 0,
            cancelled: HashSet::new(),
        }
    }
}

impl<E> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        Self::default()
    }

    /// Schedules `event` at `at`; it comes out after every event already scheduled for `at`.
    pub fn schedule(&mut self, at: SimTime, event: E) -> EventKey {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(key(at, seq), event);
        EventKey(std::num::NonZeroU64::MIN.saturating_add(seq))
    }

    /// Cancels a scheduled event. Cancelling an event that already came out, or twice, is a
    /// no-op that returns `false`.
    pub fn cancel(&mut self, key: EventKey) -> bool {
        let seq = key.seq();
        if seq >= self.next_seq || !self.heap.items.iter().any(|e| e.0 as u64 == seq) {
            return false;
        }
        self.cancelled.insert(seq)
    }

    /// Cancels without checking that the event is still queued: O(1). Only for keys whose
    /// event is known not to have come out yet.
    pub fn cancel_pending(&mut self, key: EventKey) {
        self.cancelled.insert(key.seq());
    }

    fn drop_cancelled_top(&mut self) {
        if self.cancelled.is_empty() {
            return;
        }
        while let Some(top) = self.heap.peek_key() {
            if self.cancelled.remove(&(top as u64)) {
                self.heap.pop();
            } else {
                break;
            }
        }
    }

    /// The time of the earliest live event.
    pub fn peek_time(&mut self) -> Option<SimTime> {
        self.drop_cancelled_top();
        self.heap.peek_key().map(|k| SimTime::from_millis((k >> 64) as u64))
    }

    /// Removes and returns the earliest live event.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        self.drop_cancelled_top();
        self.heap
            .pop()
            .map(|(k, e)| (SimTime::from_millis((k >> 64) as u64), e))
    }

    /// Removes and returns the earliest live event if it is due at or before `t`.
    pub fn pop_due(&mut self, t: SimTime) -> Option<(SimTime, E)> {
        match self.peek_time() {
            Some(at) if at <= t => self.pop(),
            _ => None,
        }
    }

    /// Number of queued entries, cancelled ones included.
    pub fn len(&self) -> usize {
        self.heap.items.len()
    }

    /// True when no entry (live or cancelled) is queued.
    pub fn is_empty(&self) -> bool {
        self.heap.items.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn same_instant_events_keep_scheduling_order() {
        let mut q = EventQueue::new();
        let t = SimTime::from_millis(5);
        q.schedule(t, "b1");
        q.schedule(SimTime::from_millis(1), "a");
        q.schedule(t, "b2");
        q.schedule(t, "b3");
        let order: Vec<_> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, ["a", "b1", "b2", "b3"]);
    }

    #[test]
    fn cancelled_events_never_come_out() {
        let mut q = EventQueue::new();
        let k1 = q.schedule(SimTime::from_millis(1), 1);
        let _k2 = q.schedule(SimTime::from_millis(2), 2);
        let k3 = q.schedule(SimTime::from_millis(3), 3);
        assert!(q.cancel(k1));
        assert!(!q.cancel(k1), "second cancel is a no-op");
        q.cancel_pending(k3);
        assert_eq!(q.peek_time(), Some(SimTime::from_millis(2)));
        assert_eq!(q.pop(), Some((SimTime::from_millis(2), 2)));
        assert_eq!(q.pop(), None);
        assert!(!q.cancel(k3), "already gone");
    }

    #[test]
    fn pop_due_respects_the_horizon() {
        let mut q = EventQueue::new();
        q.schedule(SimTime::from_millis(10), ());
        assert!(q.pop_due(SimTime::from_millis(9)).is_none());
        assert!(q.pop_due(SimTime::from_millis(10)).is_some());
    }

    proptest! {
        #[test]
        fn pops_are_sorted_by_time_then_sequence(times in proptest::collection::vec(0u64..50, 0..200),
                                                 cancel_mask in proptest::collection::vec(any::<bool>(), 200)) {
            let mut q = EventQueue::new();
            let keys: Vec<_> = times.iter().enumerate()
                .map(|(i, &t)| q.schedule(SimTime::from_millis(t), i)).collect();
            let mut live = Vec::new();
            for (i, k) in keys.iter().enumerate() {
                if cancel_mask[i] { q.cancel_pending(*k); } else { live.push((times[i], i)); }
            }
            live.sort();
            let got: Vec<_> = std::iter::from_fn(|| q.pop()).map(|(t, i)| (t.as_millis(), i)).collect();
            prop_assert_eq!(got, live);
        }
    }
}
