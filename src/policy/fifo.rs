//! FIFO: AWS Batch's default queue order.

use super::{JobPolicy, QueueView, QueuedJob};

/// First in, first out: the RUNNABLE job submitted first (a retried job keeps its place).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Fifo;

impl JobPolicy for Fifo {
    fn pick<'a>(&mut self, view: &QueueView<'a>) -> Option<&'a QueuedJob> {
        view.shares().filter_map(|s| s.head()).min_by_key(|j| j.id)
    }

    fn clone_box(&self) -> Option<Box<dyn JobPolicy>> {
        Some(Box::new(*self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::JobId;
    use crate::policy::RunnableSet;
    use crate::{Resources, SimTime};

    #[test]
    fn earliest_submission_first_across_any_grouping() {
        let mut set = RunnableSet::new(None);
        for n in [5, 3, 9] {
            set.insert(QueuedJob::new(JobId::new(n), Resources::new(1.0, 2048)));
        }
        set.insert(QueuedJob::new(JobId::child(2, 7), Resources::new(1.0, 2048)));
        assert_eq!(
            Fifo.pick(&set.view(SimTime::ZERO)).map(|j| j.id),
            Some(JobId::child(2, 7))
        );
        set.remove(JobId::child(2, 7));
        assert_eq!(Fifo.pick(&set.view(SimTime::ZERO)).map(|j| j.id), Some(JobId::new(3)));
        assert_eq!(
            Fifo.pick(&RunnableSet::new(None).view(SimTime::ZERO)).map(|j| j.id),
            None
        );
    }
}
