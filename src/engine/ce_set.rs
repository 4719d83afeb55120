//! The compute environments of a run, by [`CeId`]: each one's capacity (a Fargate or
//! Lambda pool, or an EC2/EKS instance pool, [`CeRuntime`]) and the queues attached to it.
//!
//! A component that owns its data: the rest of the engine reaches a compute environment by
//! its id (`ces[c]`) and never sees the vector inside.

use super::capacity::CeRuntime;
use crate::model::{CeId, QueueId};

/// Every compute environment of the run, in scenario order.
#[derive(Clone)]
pub(crate) struct CeSet {
    ces: Vec<CeRuntime>,
}

impl CeSet {
    /// The compute environments, in scenario order (`ces[i]` has id `CeId(i)`).
    pub fn new(ces: Vec<CeRuntime>) -> CeSet {
        debug_assert!(ces.iter().enumerate().all(|(i, c)| c.id.index() == i));
        CeSet { ces }
    }

    /// Number of compute environments.
    pub fn len(&self) -> usize {
        self.ces.len()
    }

    /// Every id, in scenario order (not borrowing the set, so the caller may change
    /// compute environments while it walks them).
    pub fn ids(&self) -> impl Iterator<Item = CeId> + use<> {
        (0..self.ces.len() as u32).map(CeId)
    }

    /// Every compute environment, in scenario order.
    pub fn iter(&self) -> std::slice::Iter<'_, CeRuntime> {
        self.ces.iter()
    }

    /// Forgets every compute environment's attached queues (before [`CeSet::attach`]es).
    pub fn detach_all(&mut self) {
        for c in &mut self.ces {
            c.attached.clear();
        }
    }

    /// Attaches queue `q` to compute environment `c` (after those attached before it: call
    /// in the queues' visiting order).
    pub fn attach(&mut self, c: CeId, q: QueueId) {
        if let Some(ce) = self.ces.get_mut(c.index()) {
            ce.attached.push(q);
        }
    }
}

impl std::ops::Index<CeId> for CeSet {
    type Output = CeRuntime;
    fn index(&self, c: CeId) -> &CeRuntime {
        &self.ces[c.index()]
    }
}

impl std::ops::IndexMut<CeId> for CeSet {
    fn index_mut(&mut self, c: CeId) -> &mut CeRuntime {
        &mut self.ces[c.index()]
    }
}

impl<'a> IntoIterator for &'a mut CeSet {
    type Item = &'a mut CeRuntime;
    type IntoIter = std::slice::IterMut<'a, CeRuntime>;
    fn into_iter(self) -> Self::IntoIter {
        self.ces.iter_mut()
    }
}

impl<'a> IntoIterator for &'a CeSet {
    type Item = &'a CeRuntime;
    type IntoIter = std::slice::Iter<'a, CeRuntime>;
    fn into_iter(self) -> Self::IntoIter {
        self.ces.iter()
    }
}
