//! One run of a [`super::room_index::RoomIndex`]: the instances with the same free vCPUs,
//! sorted by (free memory, id), each with its free GPUs.
//!
//! A run is a list of short sorted chunks (at most [`CHUNK`] entries each, in order, none
//! empty unless it is the only one): an entry or a removal is a binary search over the
//! chunks' last keys, one within the chunk, and a shift of at most a chunk's entries. A
//! B-tree per run cost about 300 instructions per entry or removal (the node walk with tuple
//! comparisons, rebalancing); one sorted vector per run shifted thousands of entries per
//! change in a pool with a few thousand instances up (ec2-packing: 2.2 G -> 5.1 G
//! instructions, most of them `memmove`).

/// One instance in a run: its free memory and id (the run's order) and its free GPUs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    /// Free MiB.
    pub(crate) memory: u64,
    /// The instance.
    pub(crate) id: u32,
    /// Free GPUs.
    pub(crate) gpus: u64,
}

impl Entry {
    /// The run's order: free memory, then id.
    #[inline]
    fn key(&self) -> (u64, u32) {
        (self.memory, self.id)
    }
}

/// The most entries of a chunk; a chunk past it is split in two.
const CHUNK: usize = 48;

/// The instances of one run, in (free memory, id) order.
#[derive(Clone, Debug, Default)]
pub(crate) struct RoomRun {
    /// Sorted chunks whose concatenation is the run; only the first may be empty (when the
    /// run is; its buffer is kept for the next entry).
    chunks: Vec<Vec<Entry>>,
    /// Entries in all chunks.
    len: usize,
}

impl RoomRun {
    /// The position of the first chunk whose last key is at least `key` (the chunk that
    /// holds `key` or would take it; `chunks.len()` when all are below it).
    #[inline]
    fn chunk_of(&self, key: (u64, u32)) -> usize {
        self.chunks.partition_point(|c| c.last().is_some_and(|e| e.key() < key))
    }

    /// How many instances the run holds.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Whether the run holds no instance.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The largest free memory in the run (0 when empty).
    #[inline]
    pub(crate) fn max_memory(&self) -> u64 {
        self.chunks.last().and_then(|c| c.last()).map_or(0, |e| e.memory)
    }

    /// The first entry, when the run holds exactly one.
    #[inline]
    pub(crate) fn only(&self) -> Option<&Entry> {
        match self.len {
            1 => self.chunks.iter().find_map(|c| c.first()),
            _ => None,
        }
    }

    /// Enters `entry`; an entry of the same key is replaced (its GPUs, as a map's value).
    pub(crate) fn insert(&mut self, entry: Entry) {
        let key = entry.key();
        if self.chunks.is_empty() {
            self.chunks.push(Vec::with_capacity(CHUNK + 1));
        }
        // Past every chunk's last key: the last chunk takes it at its end.
        let c = self.chunk_of(key).min(self.chunks.len() - 1);
        let Some(chunk) = self.chunks.get_mut(c) else {
            return;
        };
        let at = chunk.partition_point(|e| e.key() < key);
        if let Some(e) = chunk.get_mut(at).filter(|e| e.key() == key) {
            e.gpus = entry.gpus;
            return;
        }
        chunk.insert(at, entry);
        self.len += 1;
        if chunk.len() > CHUNK {
            let mut upper = Vec::with_capacity(CHUNK + 1);
            upper.extend(chunk.drain(CHUNK / 2..));
            self.chunks.insert(c + 1, upper);
        }
    }

    /// Removes the entry of `key` (free memory, id); returns whether it was there.
    pub(crate) fn remove(&mut self, key: (u64, u32)) -> bool {
        let c = self.chunk_of(key);
        let Some(chunk) = self.chunks.get_mut(c) else {
            return false;
        };
        let at = chunk.partition_point(|e| e.key() < key);
        if chunk.get(at).is_none_or(|e| e.key() != key) {
            return false;
        }
        chunk.remove(at);
        self.len -= 1;
        if chunk.is_empty() && self.chunks.len() > 1 {
            self.chunks.remove(c);
        }
        true
    }

    /// The first instance in the run's order with at least `memory` free MiB and `gpus`
    /// free GPUs.
    pub(crate) fn first_holding(&self, memory: u64, gpus: u64) -> Option<u32> {
        let c = self
            .chunks
            .partition_point(|c| c.last().is_some_and(|e| e.memory < memory));
        let chunks = self.chunks.get(c..)?;
        let (head, rest) = chunks.split_first()?;
        let at = head.partition_point(|e| e.memory < memory);
        head[at..]
            .iter()
            .chain(rest.iter().flatten())
            .find(|e| e.gpus >= gpus)
            .map(|e| e.id)
    }

    /// The entries in order (for tests).
    #[cfg(test)]
    fn entries(&self) -> Vec<Entry> {
        self.chunks.iter().flatten().copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn entry(memory: u64, id: u32, gpus: u64) -> Entry {
        Entry { memory, id, gpus }
    }

    proptest::proptest! {
        /// After any entries and removals the run holds what a map of (memory, id) holds, in
        /// its order, and finds what a scan of the map finds.
        #[test]
        fn a_run_is_a_sorted_map(
            ops in proptest::collection::vec((0u64..30, 0u32..200, 0u64..3, proptest::bool::ANY), 0..600),
            needs in proptest::collection::vec((0u64..32, 0u64..3), 1..8),
        ) {
            let mut run = RoomRun::default();
            let mut plain: BTreeMap<(u64, u32), u64> = BTreeMap::new();
            for (m, id, g, add) in ops {
                if add {
                    run.insert(entry(m * 100, id, g));
                    plain.insert((m * 100, id), g);
                } else {
                    proptest::prop_assert_eq!(run.remove((m * 100, id)), plain.remove(&(m * 100, id)).is_some());
                }
                proptest::prop_assert_eq!(run.len(), plain.len());
            }
            let listed: Vec<Entry> = plain.iter().map(|(&(m, id), &g)| entry(m, id, g)).collect();
            proptest::prop_assert_eq!(run.entries(), listed.clone());
            proptest::prop_assert_eq!(run.max_memory(), listed.last().map_or(0, |e| e.memory));
            proptest::prop_assert_eq!(run.only().copied(), (listed.len() == 1).then(|| listed[0]));
            for (m, g) in needs {
                let scan = listed.iter().find(|e| e.memory >= m * 100 && e.gpus >= g).map(|e| e.id);
                proptest::prop_assert_eq!(run.first_holding(m * 100, g), scan);
            }
        }
    }

    #[test]
    fn chunks_split_and_empty_ones_go() {
        let mut run = RoomRun::default();
        for id in 0..200 {
            run.insert(entry(u64::from(id % 7) * 512, id, 0));
        }
        assert_eq!(run.len(), 200);
        assert!(run.chunks.len() > 1, "split past {CHUNK}");
        assert!(run.chunks.iter().all(|c| c.len() <= CHUNK));
        assert_eq!(run.first_holding(3000, 0), Some(6), "memory 3072, lowest id");
        for id in 0..200 {
            assert!(run.remove((u64::from(id % 7) * 512, id)));
        }
        assert!(run.is_empty());
        assert_eq!(run.chunks.len(), 1, "the last chunk's buffer is kept");
        assert_eq!(run.first_holding(0, 0), None);
        assert_eq!(run.max_memory(), 0);
    }
}
