//! An ordered collection of queued jobs that is O(1) for the common FIFO case.
//!
//! Jobs mostly arrive in order (a later submission has a larger key) and leave from the
//! front. Those go to a deque; the rest (a retried job that keeps its place, a higher
//! priority inside a share) go to a B-tree. The smallest key is the smaller of the two fronts.

use std::collections::{BTreeMap, VecDeque};

/// An item of an [`Ordered`]: it carries its own key (the deque stores the items alone, no
/// key beside each) and can be marked removed in place (a tombstone keeps its key, so the
/// deque stays searchable by key).
pub trait Entry: Copy {
    /// The order.
    type Key: Ord + Copy;
    /// The item's key.
    fn key(&self) -> Self::Key;
    /// Whether the item is a tombstone.
    fn is_dead(&self) -> bool;
    /// Makes the item a tombstone (its key unchanged).
    fn kill(&mut self);
}

/// Items in key order.
///
/// A key removed from the middle of the deque (a backfilled job) leaves a tombstone instead
/// of shifting the deque (which cost O(n) per removal, quadratic over a backlog); the ends
/// of the deque are never tombstones, and the deque is compacted when they are the majority.
#[derive(Clone, Debug)]
pub struct Ordered<V: Entry> {
    /// In key order, every key larger than the one before; tombstones marked by
    /// [`Entry::kill`].
    run: VecDeque<V>,
    /// Tombstones in `run`.
    dead: usize,
    /// Everything that did not arrive in order.
    rest: BTreeMap<V::Key, V>,
}

impl<V: Entry> Default for Ordered<V> {
    fn default() -> Self {
        Ordered {
            run: VecDeque::new(),
            dead: 0,
            rest: BTreeMap::new(),
        }
    }
}

impl<V: Entry> Ordered<V> {
    /// Inserts; returns the previous item with the same key, if any.
    pub fn insert(&mut self, value: V) -> Option<V> {
        let key = value.key();
        if self.run.back().is_none_or(|last| key > last.key()) && !self.rest.contains_key(&key) {
            self.run.push_back(value);
            return None;
        }
        if let Ok(i) = self.run.binary_search_by(|v| v.key().cmp(&key)) {
            let old = std::mem::replace(&mut self.run[i], value);
            if old.is_dead() {
                self.dead -= 1;
                return None;
            }
            return Some(old);
        }
        self.rest.insert(key, value)
    }

    /// Removes `key`.
    pub fn remove(&mut self, key: &V::Key) -> Option<V> {
        if let Some(front) = self.run.front() {
            if front.key() == *key {
                let v = self.run.pop_front();
                self.trim();
                return v;
            }
        }
        if let Some(v) = self.rest.remove(key) {
            return Some(v);
        }
        let i = self.run.binary_search_by(|v| v.key().cmp(key)).ok()?;
        let v = self.run[i];
        if v.is_dead() {
            return None;
        }
        self.run[i].kill();
        self.dead += 1;
        self.trim();
        if self.dead > 32 && self.dead * 2 > self.run.len() {
            self.run.retain(|v| !v.is_dead());
            self.dead = 0;
        }
        Some(v)
    }

    /// Drops tombstones from both ends of the deque.
    fn trim(&mut self) {
        while self.run.front().is_some_and(|v| v.is_dead()) {
            self.run.pop_front();
            self.dead -= 1;
        }
        while self.run.back().is_some_and(|v| v.is_dead()) {
            self.run.pop_back();
            self.dead -= 1;
        }
    }

    /// The item with the smallest key.
    pub fn first(&self) -> Option<&V> {
        match (self.run.front(), self.rest.first_key_value()) {
            (Some(a), Some((b, vb))) => Some(if a.key() < *b { a } else { vb }),
            (Some(v), None) | (None, Some((_, v))) => Some(v),
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
            a: self.run.iter().filter(|v| !v.is_dead()).peekable(),
            b: self.rest.values().peekable(),
        }
    }
}

/// Merges two key-ordered iterators.
struct Merge<'a, V: Entry + 'a, A: Iterator<Item = &'a V>, B: Iterator<Item = &'a V>> {
    a: std::iter::Peekable<A>,
    b: std::iter::Peekable<B>,
}

impl<'a, V: Entry + 'a, A: Iterator<Item = &'a V>, B: Iterator<Item = &'a V>> Iterator for Merge<'a, V, A, B> {
    type Item = &'a V;
    fn next(&mut self) -> Option<&'a V> {
        let take_a = match (self.a.peek(), self.b.peek()) {
            (Some(a), Some(b)) => a.key() < b.key(),
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return None,
        };
        if take_a {
            self.a.next()
        } else {
            self.b.next()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A key and a value; value `u32::MAX` marks a tombstone.
    #[derive(Clone, Copy, Debug, PartialEq)]
    struct Kv(u32, u32);

    impl Entry for Kv {
        type Key = u32;
        fn key(&self) -> u32 {
            self.0
        }
        fn is_dead(&self) -> bool {
            self.1 == u32::MAX
        }
        fn kill(&mut self) {
            self.1 = u32::MAX;
        }
    }

    /// The values in key order.
    fn vals(o: &Ordered<Kv>) -> Vec<u32> {
        o.values().map(|kv| kv.1).collect()
    }

    proptest! {
        #[test]
        fn behaves_like_a_btreemap(ops in proptest::collection::vec((0u8..3, 0u32..60), 0..300)) {
            let mut o: Ordered<Kv> = Ordered::default();
            let mut m: BTreeMap<u32, u32> = BTreeMap::new();
            for (i, (op, k)) in ops.into_iter().enumerate() {
                match op {
                    0 | 1 => prop_assert_eq!(o.insert(Kv(k, i as u32)).map(|kv| kv.1), m.insert(k, i as u32)),
                    _ => prop_assert_eq!(o.remove(&k).map(|kv| kv.1), m.remove(&k)),
                }
                prop_assert_eq!(o.len(), m.len());
                prop_assert_eq!(o.first().map(|kv| kv.1), m.values().next().copied());
                let b: Vec<_> = m.values().copied().collect();
                prop_assert_eq!(vals(&o), b);
            }
        }
    }

    #[test]
    fn removals_from_the_middle_compact_and_keep_order() {
        let mut o: Ordered<Kv> = Ordered::default();
        for k in 0..1000 {
            o.insert(Kv(k, k));
        }
        for k in (1..999).filter(|k| k % 3 != 0) {
            assert_eq!(o.remove(&k), Some(Kv(k, k)));
        }
        assert_eq!(o.remove(&5), None);
        assert_eq!(o.len(), 1000 - 666);
        assert!(o.run.len() < 1000, "compacted");
        let want: Vec<u32> = (0..1000).filter(|k| k % 3 == 0 || *k == 999).collect();
        assert_eq!(vals(&o), want);
        for k in want {
            assert_eq!(o.first(), Some(&Kv(k, k)));
            assert_eq!(o.remove(&k), Some(Kv(k, k)));
        }
        assert!(o.is_empty());
        assert_eq!((o.run.len(), o.dead), (0, 0));
    }

    #[test]
    fn in_order_arrivals_stay_in_the_deque() {
        let mut o: Ordered<Kv> = Ordered::default();
        for k in 0..100 {
            o.insert(Kv(k, 0));
        }
        assert!(o.rest.is_empty());
        assert_eq!(o.insert(Kv(50, 7)), Some(Kv(50, 0)), "replacing returns the old item");
        assert!(o.rest.is_empty(), "replacing keeps the deque");
        o.remove(&50);
        assert_eq!(
            (o.len(), o.dead),
            (99, 1),
            "a removal from the middle leaves a tombstone"
        );
        assert_eq!(o.remove(&50), None, "a tombstone is not an item");
        assert_eq!(o.insert(Kv(50, 1)), None);
        assert_eq!((o.len(), o.dead), (100, 0), "and the key comes back in place");
        assert!(o.rest.is_empty());
        o.remove(&0);
        o.insert(Kv(0, 2));
        assert_eq!(o.rest.len(), 1, "a key before the run goes to the tree");
        assert_eq!(o.first(), Some(&Kv(0, 2)));
    }
}
