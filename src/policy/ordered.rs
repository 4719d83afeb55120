//! An ordered collection of queued jobs that is O(1) for the common FIFO case.
//!
//! Jobs mostly arrive in order (a later submission has a larger key) and leave from the
//! front. Those go to a deque; the rest (a retried job that keeps its place, a higher
//! priority inside a share) go to a B-tree. The smallest key is the smaller of the two fronts.

use std::collections::{BTreeMap, VecDeque};

/// Keyed items in key order.
#[derive(Clone, Debug)]
pub struct Ordered<K: Ord + Copy, V> {
    /// In key order, every key larger than the one before.
    run: VecDeque<(K, V)>,
    /// Everything that did not arrive in order.
    rest: BTreeMap<K, V>,
}

impl<K: Ord + Copy, V> Default for Ordered<K, V> {
    fn default() -> Self {
        Ordered {
            run: VecDeque::new(),
            rest: BTreeMap::new(),
        }
    }
}

impl<K: Ord + Copy, V> Ordered<K, V> {
    /// Inserts; returns the previous value under `key`, if any.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        if self.run.back().is_none_or(|(last, _)| key > *last) && !self.rest.contains_key(&key) {
            self.run.push_back((key, value));
            return None;
        }
        if let Ok(i) = self.run.binary_search_by(|(k, _)| k.cmp(&key)) {
            return Some(std::mem::replace(&mut self.run[i].1, value));
        }
        self.rest.insert(key, value)
    }

    /// Removes `key`.
    pub fn remove(&mut self, key: &K) -> Option<V> {
        match self.run.front() {
            Some((k, _)) if k == key => return self.run.pop_front().map(|(_, v)| v),
            _ => {}
        }
        if let Some(v) = self.rest.remove(key) {
            return Some(v);
        }
        let i = self.run.binary_search_by(|(k, _)| k.cmp(key)).ok()?;
        self.run.remove(i).map(|(_, v)| v)
    }

    /// The item with the smallest key.
    pub fn first(&self) -> Option<&V> {
        match (self.run.front(), self.rest.first_key_value()) {
            (Some((a, va)), Some((b, vb))) => Some(if a < b { va } else { vb }),
            (Some((_, v)), None) | (None, Some((_, v))) => Some(v),
            (None, None) => None,
        }
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.run.len() + self.rest.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.run.is_empty() && self.rest.is_empty()
    }

    /// The values in key order.
    pub fn values(&self) -> impl Iterator<Item = &V> + '_ {
        Merge {
            a: self.run.iter().map(|(k, v)| (k, v)).peekable(),
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
    fn in_order_arrivals_stay_in_the_deque() {
        let mut o: Ordered<u32, ()> = Ordered::default();
        for k in 0..100 {
            o.insert(k, ());
        }
        assert!(o.rest.is_empty());
        o.insert(50, ());
        assert!(o.rest.is_empty(), "replacing keeps the deque");
        o.remove(&0);
        o.insert(0, ());
        assert_eq!(o.rest.len(), 1, "a key before the run goes to the tree");
        assert_eq!(o.first(), Some(&()));
    }
}
