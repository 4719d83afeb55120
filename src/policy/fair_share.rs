//! Fair share: AWS Batch's fair-share scheduling policy.

use super::{JobPolicy, QueueView, QueuedJob};
use crate::model::SchedulingPolicy as FairsharePolicy;

/// Weights by share number, for the set they were computed for.
#[derive(Clone, Debug, Default)]
struct WeightCache {
    /// The [`RunnableSet`](super::RunnableSet) id the numbers belong to.
    set: u64,
    /// By share number; NaN: not looked up yet (a weight is a finite positive number).
    weights: Vec<f64>,
    /// The last full pass's best shares and bounds ([`super::share_pick`]), boxed (200
    /// bytes a queue's policy need not carry inline).
    pick: Box<super::share_pick::SharePick>,
}

/// Picks the share with the lowest `weightFactor x (R + H / D)` (ties: lexicographic share
/// identifier), then that share's first job (higher `schedulingPriority` first, then
/// submission order). CONTRACT section 6.
#[derive(Clone, Debug)]
pub struct FairShare {
    policy: FairsharePolicy,
    /// Each share's weight by share number: a set never renumbers its shares, so the weight
    /// is looked up by name once per share and set (a view of another set starts afresh).
    weights: std::cell::RefCell<WeightCache>,
}

impl PartialEq for FairShare {
    fn eq(&self, other: &Self) -> bool {
        self.policy == other.policy
    }
}

impl FairShare {
    /// The fair-share policy for `policy`'s weights.
    pub fn new(policy: FairsharePolicy) -> FairShare {
        FairShare {
            policy,
            weights: std::cell::RefCell::new(WeightCache::default()),
        }
    }

    /// The scheduling policy this picks for.
    pub fn policy(&self) -> &FairsharePolicy {
        &self.policy
    }
}

impl JobPolicy for FairShare {
    fn pick<'a>(&mut self, view: &QueueView<'a>) -> Option<&'a QueuedJob> {
        self.choose(view)
    }

    fn clone_box(&self) -> Option<Box<dyn JobPolicy>> {
        Some(Box::new(self.clone()))
    }
}

impl FairShare {
    /// The pick, without `&mut` (the engine's static path; the weight cache is interior).
    /// Most picks score only a few shares: the best few of the last full pass and the
    /// shares changed since, answered when a certified bound shows no other share can be
    /// as low (`policy/share_pick.rs`); else one pass over the usage numbers of the shares
    /// with RUNNABLE jobs ([`QueueView::lowest_weighted_usage`]), the same answer bit for
    /// bit. Only the winner's first job is looked up, and the cache is borrowed once per
    /// pick.
    pub(crate) fn choose<'a>(&self, view: &QueueView<'a>) -> Option<&'a QueuedJob> {
        let mut cache = self.weights.borrow_mut();
        let set = view.set_id();
        if cache.set != set {
            cache.set = set;
            cache.weights.clear();
            cache.pick.clear();
        }
        // Every share number of the set has a slot (new shares start unknown).
        let n = view.share_count();
        if cache.weights.len() < n {
            cache.weights.resize(n, f64::NAN);
        }
        let WeightCache { weights, pick, .. } = &mut *cache;
        let best = pick.pick(view, |i| {
            let w = weights[i];
            if !w.is_nan() {
                return w;
            }
            let w = view.share_at(i).map_or(1.0, |s| self.policy.weight_of(s.identifier()));
            weights[i] = w;
            w
        });
        // Only shares with RUNNABLE jobs are scored: the winner has a first job.
        best.and_then(|share| share.head())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::JobId;
    use crate::model::ShareWeight;
    use crate::policy::{QueuedJob, RunnableSet};
    use crate::time::{SimDuration, SimTime};
    use crate::Resources;

    fn policy(weights: &[(&str, f64)]) -> FairShare {
        FairShare::new(FairsharePolicy {
            name: "fs".into(),
            share_decay: SimDuration::from_secs(600),
            compute_reservation: 0,
            share_distribution: weights
                .iter()
                .map(|(s, w)| ShareWeight {
                    share_identifier: (*s).into(),
                    weight_factor: *w,
                })
                .collect(),
        })
    }

    fn job(n: u64, prio: u32) -> QueuedJob {
        QueuedJob::new(JobId::new(n), Resources::new(1.0, 2048)).with_priority(prio)
    }

    #[test]
    fn idle_shares_tie_on_identifier_and_usage_moves_the_pick() {
        let mut p = policy(&[]);
        let mut set = RunnableSet::new(Some(SimDuration::from_secs(600)));
        set.insert_in_share("b", job(1, 0));
        set.insert_in_share("a", job(2, 0));
        set.insert_in_share("a", job(3, 0));
        let t = SimTime::ZERO;
        assert_eq!(
            p.pick(&set.view(t)).map(|j| j.id),
            Some(JobId::new(2)),
            "tie: lexicographic a < b"
        );
        set.remove(JobId::new(2));
        set.add_held("a", 1000, t);
        assert_eq!(
            p.pick(&set.view(t)).map(|j| j.id),
            Some(JobId::new(1)),
            "a now holds a vCPU, b goes next"
        );
    }

    #[test]
    fn lower_weight_is_preferred_at_equal_usage() {
        let mut p = policy(&[("a", 1.0), ("b", 0.125)]);
        let mut set = RunnableSet::new(Some(SimDuration::from_secs(600)));
        set.insert_in_share("a", job(1, 0));
        set.insert_in_share("b", job(2, 0));
        set.add_held("a", 1000, SimTime::ZERO);
        set.add_held("b", 7000, SimTime::ZERO);
        // a: 1 x 1 = 1; b: 0.125 x 7 = 0.875.
        assert_eq!(p.pick(&set.view(SimTime::ZERO)).map(|j| j.id), Some(JobId::new(2)));
    }

    #[test]
    fn inside_a_share_priority_then_submission() {
        let mut p = policy(&[]);
        let mut set = RunnableSet::new(Some(SimDuration::from_secs(600)));
        set.insert_in_share("a", job(1, 1));
        set.insert_in_share("a", job(2, 9));
        assert_eq!(p.pick(&set.view(SimTime::ZERO)).map(|j| j.id), Some(JobId::new(2)));
    }
}
