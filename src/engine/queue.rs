//! The event queue: a min-heap of events ordered by `(time, sequence number)`.
//!
//! Events of the same instant come out in the order they were scheduled (the sequence number
//! breaks ties), which is what makes a run reproducible. Cancellation is lazy: a cancelled
//! event stays in the heap, marked, and is skipped when it reaches the top, so cancelling costs
//! O(1) and never reorders anything.
//!
//! The heap is the 4-ary `QuadHeap` (half the levels of a binary heap; see its docs) over
//! 32-byte entries, and the cancelled set hashes sequence numbers with one multiplication
//! (`SeqHasher`) instead of SipHash: sequence numbers are not chosen by an attacker, and
//! hashing them was a quarter of the instructions of a Spot run with reclaims.

use super::quad_heap::QuadHeap;
use crate::time::SimTime;
use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

/// The handle of a scheduled event, used to cancel it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventKey(std::num::NonZeroU64);

impl EventKey {
    /// The sequence number (keys are stored plus one, so `Option<EventKey>` takes 8 bytes).
    fn seq(self) -> u64 {
        self.0.get() - 1
    }
}

/// A heap entry: `(time, sequence)` packed in a `u128` (one comparison per step) and the
/// event.
#[derive(Clone, Copy)]
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
    /// The earliest key is the smallest (the quad heap is a min-heap).
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.cmp(&other.0)
    }
}

fn key(at: SimTime, seq: u64) -> u128 {
    (u128::from(at.as_millis()) << 64) | u128::from(seq)
}

/// Hashes a `u64` sequence number with one multiplication (Fibonacci hashing): distinct
/// numbers spread over the table, at a fraction of SipHash's cost.
#[derive(Default, Clone, Copy)]
pub(crate) struct SeqHasher(u64);

impl Hasher for SeqHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// A set of sequence numbers hashed by [`SeqHasher`].
type SeqSet = HashSet<u64, BuildHasherDefault<SeqHasher>>;

/// A priority queue of events keyed by `(time, sequence number)`, with cancellation.
#[derive(Clone)]
pub struct EventQueue<E> {
    heap: QuadHeap<Entry<E>>,
    next_seq: u64,
    cancelled: SeqSet,
}

impl<E: Copy> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            heap: QuadHeap::default(),
            next_seq: 0,
            cancelled: SeqSet::default(),
        }
    }
}

impl<E: Copy> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        Self::default()
    }

    /// Schedules `event` at `at`; it comes out after every event already scheduled for `at`.
    pub fn schedule(&mut self, at: SimTime, event: E) -> EventKey {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Entry(key(at, seq), event));
        EventKey(std::num::NonZeroU64::MIN.saturating_add(seq))
    }

    /// Cancels a scheduled event. Cancelling an event that already came out, or twice, is a
    /// no-op that returns `false`. (The engine does not cancel today: a stale event is
    /// recognised by its attempt id when it comes out. Kept, and tested, for the parts that
    /// will schedule instance events they may withdraw.)
    #[allow(dead_code)]
    pub fn cancel(&mut self, key: EventKey) -> bool {
        let seq = key.seq();
        if seq >= self.next_seq || !self.heap.iter().any(|e| e.0 as u64 == seq) {
            return false;
        }
        let new = self.cancelled.insert(seq);
        self.compact_if_mostly_cancelled();
        new
    }

    /// Cancels without checking that the event is still queued: O(1). Only for keys whose
    /// event is known not to have come out yet.
    pub fn cancel_pending(&mut self, key: EventKey) {
        self.cancelled.insert(key.seq());
        self.compact_if_mostly_cancelled();
    }

    /// When cancelled entries outnumber live ones, drops them all at once (O(n)), so the heap
    /// stays within twice the live events: a Spot run that cancels and reschedules reclaim
    /// timers would otherwise carry a growing tail of dead entries through every pop.
    fn compact_if_mostly_cancelled(&mut self) {
        let dead = self.cancelled.len();
        if dead < 1024 || dead * 2 < self.heap.len() {
            return;
        }
        let cancelled = std::mem::take(&mut self.cancelled);
        self.heap.retain(|e| !cancelled.contains(&(e.0 as u64)));
    }

    fn drop_cancelled_top(&mut self) {
        if self.cancelled.is_empty() {
            return;
        }
        while let Some(top) = self.heap.peek().map(|e| e.0) {
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
        self.heap.peek().map(|e| SimTime::from_millis((e.0 >> 64) as u64))
    }

    /// The earliest live event and its time, left in place.
    pub fn peek(&mut self) -> Option<(SimTime, &E)> {
        self.drop_cancelled_top();
        self.heap
            .peek()
            .map(|e| (SimTime::from_millis((e.0 >> 64) as u64), &e.1))
    }

    /// Removes and returns the earliest live event.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        self.drop_cancelled_top();
        self.heap
            .pop()
            .map(|Entry(k, e)| (SimTime::from_millis((k >> 64) as u64), e))
    }

    /// Removes and returns the earliest live event if it is due at or before `t`.
    #[inline]
    pub fn pop_due(&mut self, t: SimTime) -> Option<(SimTime, E)> {
        match self.peek_time() {
            Some(at) if at <= t => self.pop(),
            _ => None,
        }
    }

    /// Number of queued entries, cancelled ones included (tests and the benchmark).
    #[allow(dead_code)]
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True when no entry (live or cancelled) is queued.
    #[allow(dead_code)]
    pub fn is_empty(&self) -> bool {
        self.heap.len() == 0
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
