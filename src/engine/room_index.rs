//! Instances by free room, for the best-fit search of an EC2/SPOT pool (`ec2.rs`).
//!
//! Best fit is the first instance in (free vCPUs, free memory, id) order whose free room
//! holds the job. The instances are kept in runs of equal free vCPUs, each run ordered by
//! (free memory, id) and carrying its GPUs (`room_run.rs`: short sorted chunks), beside a
//! flat array of the runs' free vCPUs and largest free memory. A search walks that array
//! from the job's vCPUs, skips every run whose largest free memory is too small without
//! touching it, and enters a run at the first instance with enough memory: no look-up of the
//! instances, two binary searches per run that can hold the job. (A B-tree of (vCPUs,
//! memory, id) with one range query per run, and an instance look-up per entry, was more
//! than half of an EC2 run's instructions with a few thousand instances up.)

use super::ec2::Room;
use super::queue::SeqHasher;
use super::room_run::{Entry, RoomRun};
use std::cell::Cell;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

/// How many needs without room an index remembers.
const MISSES: usize = 4;

/// Needs that no instance of an index holds, learned from searches that found nothing: a
/// need at least as large as one of them (in vCPUs, memory and GPUs) finds nothing either,
/// without a search. A removal or a shrinking room cannot make a need fit, so only an
/// instance entered with room that holds a remembered need takes that need off. (A pass
/// asks again and again for room for the same few shapes of claimed jobs while READY room
/// is full; those searches were a tenth of a Spot run's instructions.) Cells: searches take
/// `&self`.
#[derive(Clone, Debug, Default)]
struct Misses {
    /// The needs, most recent first; `len` of them are in use.
    needs: [Cell<Room>; MISSES],
    len: Cell<u8>,
}

impl Misses {
    /// Whether `r` holds one of the remembered needs: for a need, that no instance holds it;
    /// for an entered instance's free room, that it takes some needs off.
    #[inline]
    fn cover(&self, r: &Room) -> bool {
        let len = usize::from(self.len.get());
        self.needs.iter().take(len).any(|m| r.holds(&m.get()))
    }

    /// Remembers that no instance holds `need`: it goes first, the needs it implies (those at
    /// least as large) go, and the oldest one goes when all places are in use.
    fn learn(&self, need: Room) {
        let mut kept = [Room::default(); MISSES];
        kept[0] = need;
        let mut len = 1;
        for m in self.needs.iter().take(usize::from(self.len.get())) {
            let m = m.get();
            if len < MISSES && !m.holds(&need) {
                kept[len] = m;
                len += 1;
            }
        }
        for (cell, m) in self.needs.iter().zip(kept) {
            cell.set(m);
        }
        self.len.set(len as u8);
    }

    /// An instance with free room `free` is entered: the needs it holds are no longer
    /// without room.
    #[inline]
    fn entered(&self, free: &Room) {
        let len = usize::from(self.len.get());
        // Room that holds no remembered need changes nothing.
        if !self.cover(free) {
            return;
        }
        let mut kept = 0;
        for k in 0..len {
            let m = self.needs[k].get();
            if !free.holds(&m) {
                self.needs[kept].set(m);
                kept += 1;
            }
        }
        self.len.set(kept as u8);
    }

    /// The needs in use (for tests).
    #[cfg(test)]
    fn used(&self) -> Vec<Room> {
        let len = usize::from(self.len.get());
        self.needs.iter().take(len).map(Cell::get).collect()
    }
}

/// The instances of one index (ready, or launching) by free room. A run, once made, stays
/// when it empties: there are as many runs as distinct free-vCPU values seen, which whole-
/// vCPU jobs keep to the largest type's vCPUs plus one.
#[derive(Clone, Debug, Default)]
pub(crate) struct RoomIndex {
    /// Free milli-vCPUs of each run, ascending.
    cpus: Vec<u64>,
    /// The largest free memory of each run (same positions as `cpus`; 0 when empty).
    max_memory: Vec<u64>,
    /// Each run's instances by (free memory, id).
    runs: Vec<RoomRun>,
    /// Instances without a free vCPU (most of a packed pool), by id: (free memory, free
    /// GPUs). Only a job needing no vCPU could go there, so they are kept out of the runs
    /// (an instance filling up or freeing its last vCPU was an update of the largest run)
    /// and scanned for such a job.
    full: HashMap<u64, (u64, u64), BuildHasherDefault<SeqHasher>>,
    /// Needs no instance here holds (see [`Misses`]).
    misses: Misses,
    /// How many instances of the runs (with a free vCPU) have a free GPU.
    with_free_gpu: usize,
    /// One past the position of the last run holding an instance (0: none does). Emptied
    /// runs stay, so the most free vCPUs are read here rather than by walking down the empty
    /// runs above (asked at every look for READY room for claimed jobs).
    top: usize,
}

impl RoomIndex {
    /// Enters instance `id` with free room `free`.
    pub(crate) fn insert(&mut self, free: &Room, id: u32) {
        self.misses.entered(free);
        if free.millivcpus == 0 {
            self.full.insert(u64::from(id), (free.memory_mib, free.gpus));
            return;
        }
        let k = match self.cpus.binary_search(&free.millivcpus) {
            Ok(k) => k,
            Err(k) => {
                self.cpus.insert(k, free.millivcpus);
                self.max_memory.insert(k, 0);
                self.runs.insert(k, RoomRun::default());
                if self.top > k {
                    self.top += 1;
                }
                k
            }
        };
        self.top = self.top.max(k + 1);
        self.runs[k].insert(Entry {
            memory: free.memory_mib,
            id,
            gpus: free.gpus,
        });
        self.max_memory[k] = self.max_memory[k].max(free.memory_mib);
        self.with_free_gpu += usize::from(free.gpus > 0);
    }

    /// Removes instance `id`, entered with free room `free`; returns whether it was there.
    pub(crate) fn remove(&mut self, free: &Room, id: u32) -> bool {
        if free.millivcpus == 0 {
            return self.full.remove(&u64::from(id)).is_some();
        }
        let Ok(k) = self.cpus.binary_search(&free.millivcpus) else {
            return false;
        };
        let run = &mut self.runs[k];
        if !run.remove((free.memory_mib, id)) {
            return false;
        }
        // An emptied run stays (with its buffer): instances move between a few runs all the
        // time, and a run made and dropped at each move was an allocation per move.
        self.max_memory[k] = run.max_memory();
        self.with_free_gpu -= usize::from(free.gpus > 0);
        if k + 1 == self.top {
            while self.top > 0 && self.runs[self.top - 1].is_empty() {
                self.top -= 1;
            }
        }
        true
    }

    /// The first instance in (free vCPUs, free memory, id) order whose free room holds
    /// `need`.
    pub(crate) fn best_fit(&self, need: &Room) -> Option<u32> {
        if self.misses.cover(need) {
            return None;
        }
        let found = self.search(need);
        if found.is_none() {
            self.misses.learn(*need);
        }
        found
    }

    /// Whether a search is known to find nothing for `need` without searching (a need at
    /// least as large as one a search found no room for, none come since).
    #[inline]
    pub(crate) fn known_without_room(&self, need: &Room) -> bool {
        self.misses.cover(need)
    }

    /// [`RoomIndex::best_fit`] by a search of the runs.
    fn search(&self, need: &Room) -> Option<u32> {
        if need.millivcpus == 0 {
            // The instances without a free vCPU come first in the order; the least memory
            // that holds the job, then the lowest id (the scan's order does not matter).
            let first = self
                .full
                .iter()
                .filter(|(_, &(memory, gpus))| memory >= need.memory_mib && gpus >= need.gpus)
                .map(|(&id, &(memory, _))| (memory, id))
                .min();
            if let Some((_, id)) = first {
                return u32::try_from(id).ok();
            }
        }
        let start = self.cpus.partition_point(|&c| c < need.millivcpus);
        // An empty run's largest memory is 0, which only a job needing no memory passes.
        (start..self.cpus.len())
            .filter(|&k| self.max_memory[k] >= need.memory_mib)
            .find_map(|k| self.runs[k].first_holding(need.memory_mib, need.gpus))
    }

    /// An upper bound on the free memory of any instance with a free vCPU (0 when none):
    /// the largest of the runs' (instances without a free vCPU hold no job).
    pub(crate) fn max_free_memory_mib(&self) -> u64 {
        self.max_memory[..self.top].iter().copied().max().unwrap_or(0)
    }

    /// Whether an instance with a free vCPU has a free GPU.
    pub(crate) fn has_free_gpu(&self) -> bool {
        self.with_free_gpu > 0
    }

    /// The most free milli-vCPUs of an instance other than `except` (0 when none).
    pub(crate) fn max_free_millivcpus(&self, except: Option<u32>) -> u64 {
        debug_assert!(
            self.runs[self.top..].iter().all(RoomRun::is_empty),
            "no instance above the top run"
        );
        if except.is_none() {
            return self.top.checked_sub(1).map_or(0, |k| self.cpus[k]);
        }
        (0..self.top)
            .rev()
            .find(|&k| match self.runs[k].len() {
                0 => false,
                1 => except.is_none_or(|e| self.runs[k].only().is_none_or(|only| only.id != e)),
                _ => true,
            })
            .map_or(0, |k| self.cpus[k])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    fn room(cpus: u64, mib: u64, gpus: u64) -> Room {
        Room {
            millivcpus: cpus * 1000,
            memory_mib: mib,
            gpus,
        }
    }

    /// An index beside a plain ordered set of the same entries, changed together.
    #[derive(Default)]
    struct Model {
        index: RoomIndex,
        /// (free vCPUs, free memory, id, free GPUs): the search's order.
        plain: BTreeSet<(u64, u64, u32, u64)>,
        live: BTreeMap<u32, Room>,
    }

    impl Model {
        /// Instance `id` leaves if present, then enters with `free` if `add`; false if the
        /// index did not find an instance it held.
        fn apply(&mut self, free: Room, id: u32, add: bool) -> bool {
            if let Some(old) = self.live.remove(&id) {
                if !self.index.remove(&old, id) {
                    return false;
                }
                self.plain.remove(&(old.millivcpus, old.memory_mib, id, old.gpus));
            }
            if add {
                self.index.insert(&free, id);
                self.plain.insert((free.millivcpus, free.memory_mib, id, free.gpus));
                self.live.insert(id, free);
            }
            true
        }

        /// The first entry in order whose room holds `need`, by a plain scan.
        fn scan(&self, need: &Room) -> Option<u32> {
            self.plain
                .iter()
                .find(|k| k.0 >= need.millivcpus && k.1 >= need.memory_mib && k.3 >= need.gpus)
                .map(|k| k.2)
        }
    }

    proptest::proptest! {
        /// The search finds the entry a plain scan in (free vCPUs, free memory, id) order
        /// finds, after any sequence of entries and removals.
        #[test]
        fn best_fit_is_the_first_entry_in_order_that_holds(
            ops in proptest::collection::vec((0u64..9, 0u64..40, 0u64..3, 0u32..60, proptest::bool::ANY), 0..400),
            needs in proptest::collection::vec((0u64..9, 0u64..40, 0u64..3), 1..8),
        ) {
            let mut model = Model::default();
            for (c, m, g, id, add) in ops {
                proptest::prop_assert!(model.apply(room(c, m * 512, g), id, add));
            }
            for (c, m, g) in needs {
                let need = room(c, m * 512, g);
                proptest::prop_assert_eq!(model.index.best_fit(&need), model.scan(&need));
            }
            for except in [None, model.live.keys().next().copied()] {
                let top = model.plain.iter().rev().find(|k| Some(k.2) != except).map_or(0, |k| k.0);
                proptest::prop_assert_eq!(model.index.max_free_millivcpus(except), top);
            }
        }
    }

    proptest::proptest! {
        /// Searches between the changes (the remembered needs without room at work) find
        /// what a plain scan finds at that moment.
        #[test]
        fn remembered_misses_never_hide_room(
            ops in proptest::collection::vec((0u64..5, 0u64..12, 0u64..2, 0u32..20, proptest::bool::ANY, 0u64..5, 0u64..12, 0u64..2), 0..300),
        ) {
            let mut model = Model::default();
            for (c, m, g, id, add, nc, nm, ng) in ops {
                proptest::prop_assert!(model.apply(room(c, m * 512, g), id, add));
                let need = room(nc, nm * 512, ng);
                proptest::prop_assert_eq!(model.index.best_fit(&need), model.scan(&need));
            }
        }
    }

    #[test]
    fn max_free_memory_is_the_most_an_instance_with_a_free_vcpu_has() {
        let mut index = RoomIndex::default();
        assert_eq!(index.max_free_memory_mib(), 0);
        index.insert(&room(2, 4096, 0), 1);
        index.insert(&room(4, 1024, 0), 2);
        // No free vCPU: no job with vCPUs goes there, whatever its memory.
        index.insert(&room(0, 65536, 0), 3);
        assert_eq!(index.max_free_memory_mib(), 4096);
        assert!(index.remove(&room(2, 4096, 0), 1));
        assert_eq!(index.max_free_memory_mib(), 1024);
        assert!(index.remove(&room(4, 1024, 0), 2));
        assert_eq!(index.max_free_memory_mib(), 0);
    }

    #[test]
    fn a_free_gpu_counts_only_on_an_instance_with_a_free_vcpu() {
        let mut index = RoomIndex::default();
        assert!(!index.has_free_gpu());
        index.insert(&room(0, 4096, 2), 1);
        assert!(!index.has_free_gpu(), "no vCPU free: no job with vCPUs goes there");
        index.insert(&room(2, 4096, 1), 2);
        index.insert(&room(2, 4096, 1), 3);
        assert!(index.has_free_gpu());
        assert!(!index.remove(&room(2, 4096, 1), 9), "not there: nothing changes");
        assert!(index.remove(&room(2, 4096, 1), 2));
        assert!(index.has_free_gpu());
        assert!(index.remove(&room(2, 4096, 1), 3));
        assert!(!index.has_free_gpu());
    }

    #[test]
    fn a_need_without_room_is_remembered_until_room_that_holds_it_comes() {
        let mut index = RoomIndex::default();
        index.insert(&room(2, 1024, 0), 1);
        assert_eq!(index.best_fit(&room(2, 2048, 0)), None);
        assert_eq!(index.misses.used(), &[room(2, 2048, 0)]);
        assert_eq!(index.best_fit(&room(1, 4096, 0)), None);
        assert_eq!(index.best_fit(&room(4, 4096, 0)), None, "implied by (2, 2048)");
        assert_eq!(index.misses.used(), &[room(1, 4096, 0), room(2, 2048, 0)]);
        assert_eq!(index.best_fit(&room(1, 2048, 0)), None, "a smaller need is searched");
        assert_eq!(
            index.misses.used(),
            &[room(1, 2048, 0)],
            "the larger needs it implies go"
        );
        // Room that holds none of them leaves them; room that holds one takes it off.
        index.insert(&room(8, 1024, 0), 2);
        assert_eq!(index.misses.used().len(), 1);
        assert!(index.remove(&room(2, 1024, 0), 1));
        index.insert(&room(1, 2048, 0), 1);
        assert!(index.misses.used().is_empty());
        assert_eq!(index.best_fit(&room(1, 2048, 0)), Some(1));
        for k in 0..6 {
            assert_eq!(index.best_fit(&room(0, 4096 + 512 * (5 - k), 0)), None);
        }
        assert_eq!(index.misses.used().len(), 1, "each smaller need replaces the last");
        for k in 0..6 {
            assert_eq!(index.best_fit(&room(2 + k, 2048 + 512 * (5 - k), 0)), None);
        }
        assert_eq!(index.misses.used().len(), MISSES, "the oldest goes");
    }

    #[test]
    fn a_run_too_short_of_memory_is_passed_over() {
        let mut index = RoomIndex::default();
        index.insert(&room(2, 1024, 0), 1);
        index.insert(&room(2, 512, 0), 2);
        index.insert(&room(4, 8192, 0), 3);
        index.insert(&room(4, 4096, 1), 4);
        assert_eq!(index.best_fit(&room(1, 600, 0)), Some(1), "fewest vCPUs left first");
        assert_eq!(index.best_fit(&room(1, 2048, 0)), Some(4), "then the least memory");
        assert_eq!(index.best_fit(&room(1, 2048, 1)), Some(4));
        assert_eq!(index.best_fit(&room(1, 8192, 1)), None, "no GPU beside that memory");
        assert_eq!(index.max_free_millivcpus(None), 4000);
        assert!(index.remove(&room(4, 8192, 0), 3));
        assert!(!index.remove(&room(4, 8192, 0), 3), "removed once");
        assert_eq!(
            index.max_free_millivcpus(Some(4)),
            2000,
            "the run of 4 vCPUs holds only 4"
        );
        assert!(index.remove(&room(4, 4096, 1), 4));
        assert_eq!(index.best_fit(&room(3, 0, 0)), None);
        assert_eq!(index.max_free_millivcpus(None), 2000);
        assert_eq!(index.top, 1, "the emptied run of 4 vCPUs is passed over");
        index.insert(&room(1, 512, 0), 5);
        assert_eq!((index.top, index.max_free_millivcpus(None)), (2, 2000), "a run below");
        index.insert(&room(3, 512, 0), 6);
        assert_eq!(index.max_free_millivcpus(None), 3000);
        assert!(index.remove(&room(3, 512, 0), 6));
        assert!(index.remove(&room(2, 1024, 0), 1));
        assert!(index.remove(&room(2, 512, 0), 2));
        assert_eq!(index.max_free_millivcpus(None), 1000);
        assert!(index.remove(&room(1, 512, 0), 5));
        assert_eq!((index.top, index.max_free_millivcpus(None)), (0, 0));
    }

    #[test]
    fn instances_without_a_free_vcpu_hold_only_jobs_needing_none() {
        let mut index = RoomIndex::default();
        index.insert(&room(0, 4096, 0), 7);
        index.insert(&room(0, 1024, 1), 9);
        index.insert(&room(0, 1024, 0), 8);
        index.insert(&room(1, 512, 0), 3);
        assert_eq!(index.best_fit(&room(1, 0, 0)), Some(3));
        assert_eq!(index.best_fit(&room(0, 1000, 0)), Some(8), "least memory, then id");
        assert_eq!(index.best_fit(&room(0, 1000, 1)), Some(9));
        assert_eq!(index.best_fit(&room(0, 2048, 0)), Some(7));
        assert_eq!(index.best_fit(&room(0, 8192, 0)), None);
        assert_eq!(
            index.best_fit(&room(0, 512, 1)),
            Some(9),
            "ahead of a run with vCPUs free"
        );
        assert!(index.remove(&room(1, 512, 0), 3));
        assert_eq!(index.max_free_millivcpus(None), 0, "none has a vCPU free");
        assert!(index.remove(&room(0, 1024, 1), 9));
        assert!(!index.remove(&room(0, 1024, 1), 9), "removed once");
        assert_eq!(index.best_fit(&room(0, 512, 1)), None);
    }
}
