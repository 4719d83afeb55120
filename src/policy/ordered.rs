//! An ordered collection of queued jobs that is O(1) for the common FIFO case.
//!
//! Jobs mostly arrive in order (a later submission has a larger key) and leave from the
//! front. Those go to a deque; the rest (a retried job that keeps its place, a higher
//! priority inside a share) go to a B-tree. The smallest key is the smaller of the two fronts.

use std::collections::{BTreeMap, VecDeque};

/// Keyed items in key order.
///
/// A key removed from the middle of the deque (a backfilled job) leaves a tombstone instead
/// of shifting the deque (which cost O(n) per removal, quadratic over a backlog); the ends
/// of the deque are never tombstones, and the deque is compacted when they are the majority.
#[derive(Clone, Debug)]
pub struct Ordered<K: Ord + Copy, V> {
    /// In key order, every key larger than the one before; `None` marks a removed key.
    run: VecDeque<(K, Option<V>)>,
    /// Tombstones in `run`.
    dead: usize,
    /// Everything that did not arrive in order.
    rest: BTreeMap<K, V>,
}

impl<K: Ord + Copy, V> Default for Ordered<K, V> {
    fn default() -> Self {
        Ordered {
            run: VecDeque::new(),
            dead: 0,
            rest: BTreeMap::new(),
        }
    }
}

impl<K: Ord + Copy, V> Ordered<K, V> {
    /// Inserts; returns the previous value under `key`, if any.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        if self.run.back().is_none_or(|(last, _)| key > *last) && !self.rest.contains_key(&key) {
            self.run.push_back((key, Some(value)));
            return None;
        }
        if let Ok(i) = self.run.binary_search_by(|(k, _)| k.cmp(&key)) {
            let old = self.run[i].1.replace(value);
            if old.is_none() {
                self.dead -= 1;
            }
            return old;
        }
        self.rest.insert(key, value)
    }

    /// Removes `key`.
    pub fn remove(&mut self, key: &K) -> Option<V> {
        if let Some((k, _)) = self.run.front() {
            if k == key {
                let v = self.run.pop_front().and_then(|(_, v)| v);
                self.trim();
                return v;
            }
        }
        if let Some(v) = self.rest.remove(key) {
            return Some(v);
        }
        let i = self.run.binary_search_by(|(k, _)| k.cmp(key)).ok()?;
        let v = self.run[i].1.take()?;
        self.dead += 1;
        self.trim();
        if self.dead > 32 && self.dead * 2 > self.run.len() {
            self.run.retain(|(_, v)| v.is_some());
            self.dead = 0;
        }
        Some(v)
    }

    /// Drops tombstones from both ends of the deque.
    fn trim(&mut self) {
        while self.run.front().is_some_and(|(_, v)| v.is_none()) {
            self.run.pop_front();
            self.dead -= 1;
        }
        while self.run.back().is_some_and(|(_, v)| v.is_none()) {
            self.run.pop_back();
            self.dead -= 1;
        }
    }

    /// The item with the smallest key.
    pub fn first(&self) -> Option<&V> {
        let run = self.run.front().and_then(|(k, v)| v.as_ref().map(|v| (k, v)));
        match (run, self.rest.first_key_value()) {
            (Some((a, va)), Some((b, vb))) => Some(if a < b { va } else { vb }),
            (Some((_, v)), None) | (None, Some((_, v))) => Some(v),
            (None, None) => None,
        }
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.run.len() - self.dead + self.rest.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The values in key order.
    pub fn values(&self) -> impl Iterator<Item = &V> + '_ {
        Merge {
            a: self
                .run
                .iter()
                .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
                .peekable(),
            b: self.rest.iter().peekable(),
        }
    }
}

/// Merges two key-ordered iterators.
struct Merge<'a, K: Ord + 'a, V: 'a, A: Iterator<Item = (&'a K, &'a V)>, B: Iterator<Item = (&'a K, &'a V)>> {
    a: std::iter::Peekable<A>,
    b: std::iter::Peekable<B>,
}

impl<'a, K: Ord + 'a, V: 'a, A: Iterator<Item = (&'a K, &'a V)>, B: Iterator<Item = (&'a K, &'a V)>> Iterator
    for Merge<'a, K, V, A, B>
{
    type Item = &'a V;
    fn next(&mut self) -> Option<&'a V> {
        let take_a = match (self.a.peek(), self.b.peek()) {
            (Some((ka, _)), Some((kb, _))) => ka < kb,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return None,
        };
        if take_a {
            self.a.next().map(|(_, v)| v)
        } else {
            self.b.next().map(|(_, v)| v)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn behaves_like_a_btreemap(ops in proptest::collection::vec((0u8..3, 0u32..60), 0..300)) {
            let mut o: Ordered<u32, u32> = Ordered::default();
            let mut m: BTreeMap<u32, u32> = BTreeMap::new();
            for (i, (op, k)) in ops.into_iter().enumerate() {
                match op {
                    0 | 1 => prop_assert_eq!(o.insert(k, i as u32), m.insert(k, i as u32)),
                    _ => prop_assert_eq!(o.remove(&k), m.remove(&k)),
                }
                prop_assert_eq!(o.len(), m.len());
                prop_assert_eq!(o.first(), m.values().next());
                let a: Vec<_> = o.values().copied().collect();
                let b: Vec<_> = m.values().copied().collect();
                prop_assert_eq!(a, b);
            }
        }
    }

    #[test]
    fn removals_from_the_middle_compact_and_keep_order() {
        let mut o: Ordered<u32, u32> = Ordered::default();
        for k in 0..1000 {
            o.insert(k, k);
        }
        for k in (1..999).filter(|k| k % 3 != 0) {
            assert_eq!(o.remove(&k), Some(k));
        }
        assert_eq!(o.remove(&5), None);
        assert_eq!(o.len(), 1000 - 666);
        assert!(o.run.len() < 1000, "compacted");
        let want: Vec<u32> = (0..1000).filter(|k| k % 3 == 0 || *k == 999).collect();
        assert_eq!(o.values().copied().collect::<Vec<_>>(), want);
        for k in want {
            assert_eq!(o.first(), Some(&k));
            assert_eq!(o.remove(&k), Some(k));
        }
        assert!(o.is_empty());
        assert_eq!((o.run.len(), o.dead), (0, 0));
    }

    #[test]
    fn in_order_arrivals_stay_in_the_deque() {
        let mut o: Ordered<u32, ()> = Ordered::default();
        for k in 0..100 {
            o.insert(k, ());
        }
        assert!(o.rest.is_empty());
        o.insert(50, ());
        assert!(o.rest.is_empty(), "replacing keeps the deque");
        o.remove(&50);
        assert_eq!(
            (o.len(), o.dead),
            (99, 1),
            "a removal from the middle leaves a tombstone"
        );
        o.insert(50, ());
        assert_eq!((o.len(), o.dead), (100, 0), "and the key comes back in place");
        assert!(o.rest.is_empty());
        o.remove(&0);
        o.insert(0, ());
        assert_eq!(o.rest.len(), 1, "a key before the run goes to the tree");
        assert_eq!(o.first(), Some(&()));
    }
}
