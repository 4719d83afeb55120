//! A 4-ary min-heap: the engine's event queue.
//!
//! Taking the smallest item out of a heap is a chain of dependent steps, one per level: which
//! child is smallest decides where to look next. A 4-ary heap has half the levels of a binary
//! heap, and the four children of a node sit in one 64-byte line for 16-byte items and are
//! compared independently (two pairs, then the winners), so the chain is about half as long.
//! Taking out uses Floyd's method: the hole goes down to the bottom along the smallest
//! children, then the last item climbs back up from there (usually a step or two).

/// A min-heap of `Copy` items ordered by `Ord`, four children per node.
#[derive(Clone, Debug)]
pub(crate) struct QuadHeap<T> {
    items: Vec<T>,
}

impl<T> Default for QuadHeap<T> {
    fn default() -> Self {
        QuadHeap { items: Vec::new() }
    }
}

impl<T: Ord + Copy> QuadHeap<T> {
    /// The smallest item.
    pub fn peek(&self) -> Option<&T> {
        self.items.first()
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Keeps only the items for which `keep` holds, then restores the heap order (bottom-up,
    /// O(n)). Equal items may come out in another order afterwards; the engine's items are
    /// all distinct (each carries its sequence number).
    pub fn retain(&mut self, keep: impl FnMut(&T) -> bool) {
        self.items.retain(keep);
        let n = self.items.len();
        for start in (0..n / 4 + 1).rev() {
            self.sift_down(start);
        }
    }

    /// Moves the item at `pos` down to its place.
    fn sift_down(&mut self, mut pos: usize) {
        let items = &mut self.items[..];
        let n = items.len();
        if pos >= n {
            return;
        }
        let item = items[pos];
        loop {
            let first = 4 * pos + 1;
            if first >= n {
                break;
            }
            let mut m = first;
            for c in first + 1..(first + 4).min(n) {
                if items[c] < items[m] {
                    m = c;
                }
            }
            if items[m] >= item {
                break;
            }
            items[pos] = items[m];
            pos = m;
        }
        items[pos] = item;
    }

    /// Every item, in heap (not sorted) order (for `EventQueue::cancel`).
    #[allow(dead_code)]
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.items.iter()
    }

    /// Adds an item.
    pub fn push(&mut self, item: T) {
        let mut pos = self.items.len();
        self.items.push(item);
        while pos > 0 {
            let parent = (pos - 1) / 4;
            let above = self.items[parent];
            if item >= above {
                break;
            }
            self.items[pos] = above;
            pos = parent;
        }
        self.items[pos] = item;
    }

    /// Takes out the smallest item.
    pub fn pop(&mut self) -> Option<T> {
        let last = self.items.pop()?;
        let Some(&top) = self.items.first() else {
            return Some(last);
        };
        let items = &mut self.items[..];
        let n = items.len();
        let mut pos = 0;
        loop {
            let first = 4 * pos + 1;
            if let Some(kids) = items.get(first..first + 4) {
                let a = usize::from(kids[1] < kids[0]);
                let b = 2 + usize::from(kids[3] < kids[2]);
                let m = if kids[b] < kids[a] { b } else { a };
                items[pos] = kids[m];
                pos = first + m;
            } else if first < n {
                let mut m = first;
                for c in first + 1..n {
                    if items[c] < items[m] {
                        m = c;
                    }
                }
                items[pos] = items[m];
                pos = m;
            } else {
                break;
            }
        }
        while pos > 0 {
            let parent = (pos - 1) / 4;
            let above = items[parent];
            if last >= above {
                break;
            }
            items[pos] = above;
            pos = parent;
        }
        items[pos] = last;
        Some(top)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;

    #[test]
    fn pops_in_order() {
        let mut h = QuadHeap::default();
        for v in [5, 1, 9, 3, 7, 2, 8, 6, 4, 0] {
            h.push(v);
        }
        let out: Vec<i32> = std::iter::from_fn(|| h.pop()).collect();
        assert_eq!(out, (0..10).collect::<Vec<_>>());
        assert_eq!(h.len(), 0);
        assert_eq!(h.peek(), None);
    }

    proptest! {
        /// After `retain`, pops give the kept items in order.
        #[test]
        fn retain_keeps_the_heap_order(items in prop::collection::vec(0u32..1000, 0..400), modulus in 1u32..5) {
            let mut h = QuadHeap::default();
            for &v in &items {
                h.push(v);
            }
            h.retain(|v| v % modulus == 0);
            let mut want: Vec<u32> = items.iter().copied().filter(|v| v % modulus == 0).collect();
            want.sort();
            let got: Vec<u32> = std::iter::from_fn(|| h.pop()).collect();
            prop_assert_eq!(got, want);
        }

        /// Any interleaving of pushes and pops gives what the standard binary heap gives.
        #[test]
        fn agrees_with_the_binary_heap(ops in prop::collection::vec(prop::option::of(0u32..1000), 1..600)) {
            let mut quad = QuadHeap::default();
            let mut binary = BinaryHeap::new();
            for op in ops {
                match op {
                    Some(v) => {
                        quad.push(v);
                        binary.push(Reverse(v));
                    }
                    None => prop_assert_eq!(quad.pop(), binary.pop().map(|r| r.0)),
                }
                prop_assert_eq!(quad.len(), binary.len());
                prop_assert_eq!(quad.peek().copied(), binary.peek().map(|r| r.0));
            }
        }
    }
}
