//! The account's EC2 capacity in a run (scenario `ec2Capacity`): how many more instances of
//! each type EC2 supplies now, and what a refusal does.
//!
//! - A launch is refused when the type is in an insufficient-capacity window, when one more
//!   instance would pass an `instanceLimits` entry that counts it (live instances of every
//!   compute environment), or when its vCPUs would pass the On-Demand (EC2 compute
//!   environments) or Spot (SPOT ones) vCPU quota. `BEST_FIT` then waits; the other
//!   strategies take another type (`Pool::launch_type_with`, [`crate::policy::DemandScaleOut`]).
//! - A head job that no compute environment of its queue can take only because EC2 cannot
//!   supply the instances it asked for gets `CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY` (CONTRACT
//!   7.9; `blocked.rs`), and its `jobStateTimeLimitActions` action fires after `maxTimeSeconds`.
//! - When a window that refused a launch closes, or an instance ends, the compute
//!   environments look again.
//! - The `minvCpus`/`desiredvCpus` capacity (CONTRACT 7.14 e) is never refused; its instances
//!   count toward the limits and quotas.

use super::ec2::Pool;
use super::event::Event;
use super::jobs::Job;
use super::Simulation;
use crate::model::ec2_capacity::Ec2CapacityModel;
use crate::model::CeId;
use crate::time::SimTime;
use std::collections::BTreeSet;

/// Which entries of the model one type of one compute environment is counted by.
#[derive(Clone, Debug, Default)]
struct TypeRules {
    limits: Vec<u32>,
    windows: Vec<u32>,
}

/// The capacity model and what is in use of it.
#[derive(Clone, Debug)]
pub(crate) struct Ec2Capacity {
    model: Ec2CapacityModel,
    /// Per compute environment, per pool type.
    rules: Vec<Vec<TypeRules>>,
    /// Live instances counted by each `instanceLimits` entry.
    limit_counts: Vec<u32>,
    /// vCPUs of live instances: On-Demand (EC2) and Spot.
    on_demand_vcpus: u64,
    spot_vcpus: u64,
    /// Window ends already scheduled as wake-ups.
    wakes: BTreeSet<SimTime>,
}

impl Ec2Capacity {
    pub(crate) fn new(model: &Ec2CapacityModel, ces: &super::ce_set::CeSet) -> Ec2Capacity {
        let rules = ces
            .iter()
            .map(|c| {
                let Some(pool) = &c.pool else { return Vec::new() };
                pool.types
                    .iter()
                    .map(|t| {
                        let (name, family) = (&t.instance_type.name, t.instance_type.family());
                        let hit = |types: &[crate::model::ec2_capacity::TypePattern]| {
                            types.iter().any(|p| p.matches(name, family))
                        };
                        TypeRules {
                            limits: (0..model.instance_limits.len() as u32)
                                .filter(|&i| hit(&model.instance_limits[i as usize].instance_types))
                                .collect(),
                            windows: (0..model.insufficient_capacity.len() as u32)
                                .filter(|&i| hit(&model.insufficient_capacity[i as usize].instance_types))
                                .collect(),
                        }
                    })
                    .collect()
            })
            .collect();
        Ec2Capacity {
            model: model.clone(),
            rules,
            limit_counts: vec![0; model.instance_limits.len()],
            on_demand_vcpus: 0,
            spot_vcpus: 0,
            wakes: BTreeSet::new(),
        }
    }

    fn rules(&self, ce: CeId, t: usize) -> Option<&TypeRules> {
        self.rules.get(ce.index())?.get(t)
    }

    /// How many more instances of type `t` of `ce`'s pool EC2 supplies at `now` (`None`: no
    /// limit).
    pub(crate) fn available(&self, ce: CeId, pool: &Pool, t: usize, now: SimTime) -> Option<u32> {
        let rules = self.rules(ce, t)?;
        if rules
            .windows
            .iter()
            .any(|&w| self.model.insufficient_capacity[w as usize].covers(now))
        {
            return Some(0);
        }
        let mut left: Option<u64> = None;
        let mut cap = |n: u64| left = Some(left.map_or(n, |l| l.min(n)));
        for &l in &rules.limits {
            let max = self.model.instance_limits[l as usize].max_instances;
            cap(u64::from(max.saturating_sub(self.limit_counts[l as usize])));
        }
        let (quota, used) = match pool.spot {
            false => (self.model.on_demand_vcpus, self.on_demand_vcpus),
            true => (self.model.spot_vcpus, self.spot_vcpus),
        };
        if let Some(q) = quota {
            let vcpus = u64::from(pool.types[t].instance_type.vcpus).max(1);
            cap(u64::from(q).saturating_sub(used) / vcpus);
        }
        left.map(|l| u32::try_from(l).unwrap_or(u32::MAX))
    }

    /// An instance of type `t` of `ce` came (`delta` 1) or went (`delta` -1).
    pub(crate) fn count(&mut self, ce: CeId, pool: &Pool, t: usize, came: bool) {
        let vcpus = pool.types.get(t).map_or(0, |x| u64::from(x.instance_type.vcpus));
        let Some(rules) = self.rules.get(ce.index()).and_then(|r| r.get(t)) else {
            return;
        };
        for &l in &rules.limits {
            let n = &mut self.limit_counts[l as usize];
            *n = if came { n.saturating_add(1) } else { n.saturating_sub(1) };
        }
        let used = if pool.spot {
            &mut self.spot_vcpus
        } else {
            &mut self.on_demand_vcpus
        };
        *used = if came {
            *used + vcpus
        } else {
            used.saturating_sub(vcpus)
        };
    }

    /// The earliest end, after `now`, of a window open at `now`, not yet scheduled.
    fn next_wake(&mut self, now: SimTime) -> Option<SimTime> {
        let end = self
            .model
            .insufficient_capacity
            .iter()
            .filter(|w| w.covers(now))
            .map(|w| w.end)
            .min()?;
        self.wakes.insert(end).then_some(end)
    }
}

impl Simulation {
    /// How many more instances of type `t` EC2 supplies to `ce` now (`None`: no limit or no
    /// capacity model).
    pub(super) fn ec2_available(&self, ce: CeId, t: usize) -> Option<u32> {
        let cap = self.ec2_capacity.as_deref()?;
        let pool = self.ces[ce].pool.as_ref()?;
        cap.available(ce, pool, t, self.kernel.now)
    }

    /// The capacity model counts an instance of type `t` that came or went.
    pub(super) fn ec2_count(&mut self, ce: CeId, t: usize, came: bool) {
        let Some(cap) = self.ec2_capacity.as_deref_mut() else {
            return;
        };
        let Some(pool) = self.ces[ce].pool.as_ref() else {
            return;
        };
        cap.count(ce, pool, t, came);
        if !came {
            // A limit or quota may allow a launch again, on any compute environment.
            for c in self.ces.ids() {
                if self.ces[c].pool.is_some() {
                    self.capacity_changed(c);
                }
            }
        }
    }

    /// The job in `slot` of queue `q` could not be placed: if EC2 could not supply its
    /// instances on some compute environment of the queue while an insufficient-capacity
    /// window is open, look again when the window closes.
    pub(super) fn ec2_wake_if_short(&mut self, q: crate::model::QueueId, slot: super::jobs::JobSlot) {
        let short = self.jobs.get(slot).is_some_and(|job| {
            self.queues[q]
                .spec
                .compute_environments
                .iter()
                .any(|&ce| self.short_of_capacity(ce, job))
        });
        if !short {
            return;
        }
        let now = self.kernel.now;
        let Some(cap) = self.ec2_capacity.as_deref_mut() else {
            return;
        };
        if let Some(end) = cap.next_wake(now) {
            self.kernel.schedule(end, Event::Ec2CapacityReturns);
        }
    }

    /// A window closed: every EC2/SPOT compute environment looks again.
    pub(super) fn ec2_capacity_returns(&mut self) {
        for c in self.ces.ids() {
            if self.ces[c].pool.is_some() {
                self.capacity_changed(c);
            }
        }
    }

    /// Whether `ce` cannot take `job` now only because EC2 cannot supply the instances it
    /// would launch for it: enabled, no live instance has room, a type would be launched
    /// without the capacity model and none is with it.
    pub(super) fn short_of_capacity(&self, ce: CeId, job: &Job) -> bool {
        let c = &self.ces[ce];
        if self.ec2_capacity.is_none()
            || job.spec.nodes.is_some()
            || !self.ce_eligible(job.queue(), ce, job.resources().millivcpus)
        {
            return false;
        }
        let Some(pool) = &c.pool else { return false };
        pool.plan_existing(&job.resources()).is_none()
            && c.launch_type(&job.resources()).is_some()
            && c.launch_type_with(&job.resources(), |t| self.ec2_available(ce, t))
                .is_none()
    }
}
