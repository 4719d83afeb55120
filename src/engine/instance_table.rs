//! The live instances of an EC2/SPOT pool by id (`ec2.rs`).
//!
//! A pool numbers its instances 1, 2, 3, ... as it launches them and looks them up by id at
//! every placement, attempt end, claim and idle clock. A B-tree of the live instances was
//! searched at each of those (a few thousand instances up: 3-4 levels of key comparisons,
//! the most frequent search of an EC2 run). Here the ids from the oldest live instance to
//! the newest are a window of slots, so a look-up is a subtraction and a bounds check;
//! slots of ended instances inside the window stay empty (8 bytes each), and the window
//! moves on as its oldest instances end.

use super::ec2::Instance;
use std::collections::VecDeque;

/// Live instances by id, iterated in id order.
#[derive(Clone, Debug, Default)]
pub struct InstanceTable {
    /// The id of `slots[0]`.
    base: u32,
    /// Instance `base + k` at `k`, when live; the first and last slots are always live.
    slots: VecDeque<Option<Box<Instance>>>,
    /// How many slots are live.
    live: usize,
}

impl InstanceTable {
    /// The position of `id` in the window, if inside it.
    #[inline]
    fn slot(&self, id: u32) -> Option<usize> {
        let k = usize::try_from(id.checked_sub(self.base)?).ok()?;
        (k < self.slots.len()).then_some(k)
    }

    /// Instance `id`, if live.
    #[inline]
    pub fn get(&self, id: &u32) -> Option<&Instance> {
        self.slots.get(self.slot(*id)?)?.as_deref()
    }

    /// Instance `id`, if live, to change.
    #[inline]
    pub fn get_mut(&mut self, id: &u32) -> Option<&mut Instance> {
        let k = self.slot(*id)?;
        self.slots.get_mut(k)?.as_deref_mut()
    }

    /// Enters instance `id` (replacing one of that id, which is returned).
    pub fn insert(&mut self, id: u32, instance: Instance) -> Option<Instance> {
        let instance = Some(Box::new(instance));
        if self.slots.is_empty() {
            self.base = id;
            self.slots.push_back(instance);
            self.live = 1;
            return None;
        }
        if id < self.base {
            // Not how a pool numbers its instances (in launch order), but kept right.
            for _ in id + 1..self.base {
                self.slots.push_front(None);
            }
            self.slots.push_front(instance);
            self.base = id;
            self.live += 1;
            return None;
        }
        let k = (id - self.base) as usize;
        while self.slots.len() < k {
            self.slots.push_back(None);
        }
        if k == self.slots.len() {
            self.slots.push_back(instance);
            self.live += 1;
            return None;
        }
        let old = std::mem::replace(&mut self.slots[k], instance);
        if old.is_none() {
            self.live += 1;
        }
        old.map(|b| *b)
    }

    /// Removes instance `id`; returns it if it was live.
    pub fn remove(&mut self, id: &u32) -> Option<Instance> {
        let k = self.slot(*id)?;
        let old = self.slots[k].take()?;
        self.live -= 1;
        while self.slots.front().is_some_and(Option::is_none) {
            self.slots.pop_front();
            self.base = self.base.wrapping_add(1);
        }
        while self.slots.back().is_some_and(Option::is_none) {
            self.slots.pop_back();
        }
        Some(*old)
    }

    /// How many instances are live.
    pub fn len(&self) -> usize {
        self.live
    }

    /// The live instances with their ids, in id order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, &Instance)> + '_ {
        let base = self.base;
        self.slots
            .iter()
            .enumerate()
            .filter_map(move |(k, s)| s.as_deref().map(|i| (base + k as u32, i)))
    }

    /// The live instances, in id order.
    pub fn values(&self) -> impl Iterator<Item = &Instance> + '_ {
        self.slots.iter().filter_map(|s| s.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ec2::Room;
    use crate::time::SimTime;
    use std::collections::BTreeMap;

    fn instance(type_index: usize) -> Instance {
        Instance {
            type_index,
            launched_at: SimTime::ZERO,
            ready: false,
            noticed: false,
            free: Room::default(),
            attempts: 0,
            claims: Vec::new(),
            running: Vec::new(),
            idle_since: None,
            has_run: false,
            idle_epoch: 0,
            scale_in_check: None,
            spot_events: [None, None],
        }
    }

    proptest::proptest! {
        /// Entries, removals, look-ups and the id order agree with a B-tree of the same
        /// instances, whatever order ids come and go in.
        #[test]
        fn behaves_as_a_map_in_id_order(ops in proptest::collection::vec((0u32..40, proptest::bool::ANY), 0..300)) {
            let mut table = InstanceTable::default();
            let mut map: BTreeMap<u32, usize> = BTreeMap::new();
            for (n, (id, add)) in ops.into_iter().enumerate() {
                if add {
                    let old = table.insert(id, instance(n)).map(|i| i.type_index);
                    proptest::prop_assert_eq!(old, map.insert(id, n));
                } else {
                    let old = table.remove(&id).map(|i| i.type_index);
                    proptest::prop_assert_eq!(old, map.remove(&id));
                }
                proptest::prop_assert_eq!(table.len(), map.len());
                let listed: Vec<(u32, usize)> = table.iter().map(|(id, i)| (id, i.type_index)).collect();
                let expected: Vec<(u32, usize)> = map.iter().map(|(id, t)| (*id, *t)).collect();
                proptest::prop_assert_eq!(listed, expected);
                for probe in 0..42 {
                    proptest::prop_assert_eq!(table.get(&probe).map(|i| i.type_index), map.get(&probe).copied());
                }
            }
        }
    }

    #[test]
    fn the_window_moves_on_as_the_oldest_instances_end() {
        let mut table = InstanceTable::default();
        for id in 1..=5 {
            table.insert(id, instance(id as usize));
        }
        assert_eq!(table.remove(&1).map(|i| i.type_index), Some(1));
        assert_eq!(table.remove(&3).map(|i| i.type_index), Some(3));
        assert_eq!((table.base, table.slots.len()), (2, 4), "3 stays an empty slot");
        assert_eq!(table.remove(&2).map(|i| i.type_index), Some(2));
        assert_eq!((table.base, table.slots.len()), (4, 2), "2 and 3 left the window");
        assert!(table.get(&3).is_none() && table.get(&0).is_none() && table.get(&u32::MAX).is_none());
        assert_eq!(table.remove(&3).map(|i| i.type_index), None);
        table.get_mut(&5).expect("live").attempts = 7;
        assert_eq!(table.values().map(|i| i.attempts).collect::<Vec<_>>(), vec![0, 7]);
        assert_eq!(table.remove(&5).map(|i| i.attempts), Some(7));
        assert_eq!(table.remove(&4).map(|i| i.type_index), Some(4));
        assert!(table.len() == 0 && table.slots.is_empty());
    }
}
