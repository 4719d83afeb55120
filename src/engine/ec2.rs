//! EC2 and SPOT capacity: instances of the compute environment's types, jobs packed onto
//! them by vCPU, memory and GPU.
//!
//! Modelling choices (AWS leaves them open; documented in the README):
//! - A job goes to a ready instance if one has room (best fit: the instance it leaves the
//!   fewest free vCPUs on, then the least memory, then the oldest); else it claims room on an
//!   instance that is launching; else the compute environment launches an instance for it.
//! - The type launched: `BEST_FIT` takes the cheapest type that holds the job and keeps the
//!   compute environment within its limit; a pricier type that fits when the cheapest would
//!   not is taken rather than launching nothing (CONTRACT 7.14 g). The other strategies take
//!   the type that fits with the lowest price per vCPU.
//! - The limit: only `BEST_FIT` on On-Demand (EC2) never passes `maxvCpus`; every other
//!   combination (`BEST_FIT` on SPOT included) may pass it by at most one instance. AWS (API
//!   model, `ComputeResource.allocationStrategy`): "With any allocation strategy except
//!   BEST_FIT using On-Demand (EC2) compute resources, Batch might need to exceed maxvCpus to
//!   meet your capacity requirements. In this event, Batch never exceeds maxvCpus by more than
//!   a single instance."
//! - `minvCpus`/`desiredvCpus` capacity is made of the largest allowed types that do not
//!   overshoot what is still missing, else the smallest type (ties: cheaper per vCPU, then
//!   listed order), never past `maxvCpus` under `BEST_FIT` on EC2 (CONTRACT 7.14 e).

use super::instance_table::InstanceTable;
use super::room_index::RoomIndex;
use crate::model::instance_catalog::{InstanceType, UnknownInstanceType};
use crate::model::{AllocationStrategy, ComputeEnvironment, Resources};
use crate::time::SimTime;
use std::collections::BTreeSet;

/// Free capacity of an instance, in the units jobs ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Room {
    /// milli-vCPUs.
    pub millivcpus: u64,
    /// MiB.
    pub memory_mib: u64,
    /// GPUs.
    pub gpus: u64,
}

impl Room {
    /// The room a requirement takes.
    pub fn of(r: &Resources) -> Room {
        Room {
            millivcpus: u64::from(r.millivcpus),
            memory_mib: u64::from(r.memory_mib),
            gpus: u64::from(r.gpus),
        }
    }

    /// Whether `need` fits.
    pub fn holds(&self, need: &Room) -> bool {
        self.millivcpus >= need.millivcpus && self.memory_mib >= need.memory_mib && self.gpus >= need.gpus
    }

    /// Takes `need` (which must fit).
    pub fn take(&mut self, need: &Room) {
        self.millivcpus -= need.millivcpus;
        self.memory_mib -= need.memory_mib;
        self.gpus -= need.gpus;
    }

    /// Gives `need` back.
    pub fn give(&mut self, need: &Room) {
        self.millivcpus += need.millivcpus;
        self.memory_mib += need.memory_mib;
        self.gpus += need.gpus;
    }
}

/// One instance type a compute environment can launch, with what jobs can use of it.
#[derive(Clone, Debug)]
pub struct PoolType {
    /// The catalog (or custom) type.
    pub instance_type: InstanceType,
    /// Capacity jobs can use: the memory ECS registers for the type (EKS: the kubelet's
    /// allocatable memory), or the nominal memory less `reservedMemoryMiB` when that is set.
    pub room: Room,
    /// Dollars per hour actually paid (Spot discount and overrides applied; with a Spot price
    /// history, the price in force now, capped at the bid).
    pub price_per_hour: f64,
    /// The position in `instanceTypes` of the entry it comes from (the `*_ORDERED` and
    /// `*_PRIORITIZED` strategies follow it).
    pub entry: usize,
    /// milli-vCPUs of each instance that jobs cannot use (EKS nodes: the kubelet's reserved
    /// CPU, [`crate::model::eks_node::kube_reserved_millicores`]); the instance still counts
    /// whole (`room`) for `maxvCpus` and billing.
    pub reserved_millivcpus: u64,
    /// `room` less the reserved CPU (kept, not recomputed: the packing path reads it).
    fit: Room,
    /// Its Spot market: price history, bid, interruption rate (`spot_market.rs`).
    pub spot: super::spot_market::SpotPool,
}

impl PoolType {
    /// What jobs can use of one instance: its room less the reserved CPU.
    #[inline]
    pub fn usable(&self) -> Room {
        self.fit
    }
}

/// Compares two types by price per vCPU (CONTRACT 7.14 g; shared with
/// [`crate::policy::AwsScaleOut`]).
fn per_vcpu_cmp(a: &PoolType, b: &PoolType) -> std::cmp::Ordering {
    crate::policy::scale_out_per_vcpu_cmp(a.price_per_hour, a.room.millivcpus, b.price_per_hour, b.room.millivcpus)
}

/// The order in which a multi-node job's nodes prefer new instance types: cheaper first,
/// then fewer vCPUs, then name ([`Pool::plan_nodes`]; the candidates a custom placement is
/// shown are sorted by it too).
pub(crate) fn cheaper_node_type(a: &PoolType, b: &PoolType) -> std::cmp::Ordering {
    a.price_per_hour
        .total_cmp(&b.price_per_hour)
        .then(a.room.millivcpus.cmp(&b.room.millivcpus))
        .then(a.instance_type.name.cmp(&b.instance_type.name))
}

/// One instance.
#[derive(Clone, Debug)]
pub struct Instance {
    /// Index into [`Pool::types`].
    pub type_index: usize,
    /// When the launch was decided (provisioned time starts here; billing after
    /// `instancePendingSeconds`, see `instances::ec2_billed_seconds`).
    pub launched_at: SimTime,
    /// Ready to run containers.
    pub ready: bool,
    /// A Spot interruption notice came: nothing new is placed.
    pub noticed: bool,
    /// Free room (after running attempts and claims).
    pub free: Room,
    /// Attempts running or starting on it.
    pub attempts: u32,
    /// Jobs waiting for it to be ready: (slot, job id).
    pub claims: Vec<(u32, crate::model::JobId)>,
    /// Attempts on it: (slot, attempt id).
    pub running: Vec<(u32, u64)>,
    /// Since when it has had no attempt and no claim.
    pub idle_since: Option<SimTime>,
    /// Some job has run (started) on it.
    pub has_run: bool,
    /// Counts idle periods; a scale-in check belongs to one.
    pub idle_epoch: u32,
    /// The scale-in check of the current idle period, while pending. Being kept for
    /// `minvCpus` or terminated cancels it, so that no check that cannot end anything is
    /// left to become the run's last event (CONTRACT 7.2); a check of an earlier idle
    /// period left pending comes before the current one's and ends nothing.
    pub scale_in_check: Option<super::queue::EventKey>,
    /// Pending Spot notice/reclaim events.
    pub spot_events: [Option<super::queue::EventKey>; 2],
}

impl Instance {
    /// True when nothing runs on it or waits for it.
    pub fn is_idle(&self) -> bool {
        self.attempts == 0 && self.claims.is_empty()
    }
}

/// Takes instance `id` out of its index: the one [`reindex`] entered it in, by the same
/// rule (its free room, readiness and notice change only through [`Pool`], which takes it
/// out first).
fn unindex(ready: &mut RoomIndex, launching: &mut RoomIndex, i: &Instance, id: u32) {
    if i.noticed {
        return;
    }
    let found = if i.ready {
        ready.remove(&i.free, id)
    } else {
        i.free.millivcpus == 0 || launching.remove(&i.free, id)
    };
    debug_assert!(found, "instance {id} is in the index its state names");
}

/// Enters instance `id` in its index: ready and un-noticed ones, launching ones with free
/// room.
fn reindex(ready: &mut RoomIndex, launching: &mut RoomIndex, i: &Instance, id: u32) {
    if i.noticed {
        return;
    }
    if i.ready {
        ready.insert(&i.free, id);
    } else if i.free.millivcpus > 0 {
        launching.insert(&i.free, id);
    }
}

/// Where a job can go on an EC2/SPOT compute environment now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Ec2Placement {
    /// On a ready instance.
    Ready(u32),
    /// Claim room on a launching instance.
    Launching(u32),
    /// Launch an instance of this type and claim room on it.
    Launch(usize),
}

/// Where one node of a multi-node parallel job goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NodeSlot {
    /// An idle ready instance, taken whole.
    Idle(u32),
    /// A new instance of this type.
    Launch(usize),
}

/// The instances of one EC2/SPOT compute environment.
#[derive(Clone, Debug)]
pub struct Pool {
    /// Types it may launch, in the order of `instanceTypes`.
    pub types: Vec<PoolType>,
    /// Live instances by id (`instance_table.rs`).
    pub instances: InstanceTable,
    next_id: u32,
    /// vCPUs (milli) of live instances, launching ones included.
    pub provisioned_millivcpus: u64,
    /// vCPUs (milli) of READY instances.
    pub ready_millivcpus: u64,
    /// A SPOT compute environment (BEST_FIT may pass `maxvCpus` by one instance there).
    pub spot: bool,
    /// Ready, un-noticed instances by (free vCPUs, free memory, id): best-fit search.
    ready_index: RoomIndex,
    /// Launching instances with free room, by the same key.
    launching_index: RoomIndex,
    /// A launch was wanted of a type whose Spot price is above the bid (`spot_market.rs`).
    pub(crate) bid_wait: std::cell::Cell<bool>,
}

impl Pool {
    /// The pool of `ce`, with the types it may launch; `Err` names an unknown type.
    pub fn new(ce: &ComputeEnvironment, reserved_memory_mib: Option<u64>) -> Result<Pool, UnknownInstanceType> {
        let found = crate::model::instance_catalog::expand_all_with(&ce.instance_types, &ce.custom_instance_types)?;
        // Spot pays the discounted price, never above `bidPercentage` of On-Demand (the price
        // is an average: a bid below it is taken as the price paid, not as missing capacity).
        let spot_factor = match (ce.kind.is_spot(), ce.bid_percentage) {
            (false, _) => 1.0,
            (true, None) => 1.0 - ce.prices.spot_discount,
            (true, Some(bid)) => (1.0 - ce.prices.spot_discount).min(f64::from(bid) / 100.0),
        };
        // Each type's entry: the first entry that names it (as `expand_all_with` keeps it).
        let mut entries: Vec<(&str, usize)> = Vec::new();
        for (k, entry) in ce.instance_types.iter().enumerate() {
            for t in crate::model::instance_catalog::expand_with(entry, &ce.custom_instance_types)? {
                if !entries.iter().any(|(n, _)| *n == t.name) {
                    entries.push((&t.name, k));
                }
            }
        }
        let entry_of = |name: &str| entries.iter().find(|(n, _)| *n == name).map_or(0, |e| e.1);
        let types: Vec<PoolType> = found
            .into_iter()
            .map(|t| {
                let on_demand = ce.prices.instance_hour.unwrap_or(t.price_per_hour);
                let spot = super::spot_market::spot_pool(ce, t, on_demand);
                PoolType {
                    fit: Room::default(),
                    entry: entry_of(&t.name),
                    reserved_millivcpus: match ce.eks {
                        true => {
                            crate::model::eks_node::kube_reserved_millicores(t.vcpus).min(u64::from(t.vcpus) * 1000)
                        }
                        false => 0,
                    },
                    room: Room {
                        millivcpus: u64::from(t.vcpus) * 1000,
                        memory_mib: match (ce.eks, reserved_memory_mib) {
                            // EKS nodes: what the kubelet leaves allocatable.
                            (true, None) => crate::model::eks_node::allocatable_memory_mib(t),
                            _ => crate::model::instance_catalog::usable_memory_mib(t, reserved_memory_mib),
                        },
                        gpus: u64::from(t.gpus),
                    },
                    price_per_hour: spot.initial_price().unwrap_or(on_demand * spot_factor),
                    spot,
                    instance_type: t.clone(),
                }
            })
            .map(|mut t| {
                t.fit = Room {
                    millivcpus: t.room.millivcpus - t.reserved_millivcpus,
                    ..t.room
                };
                t
            })
            .collect();
        Ok(Pool {
            types,
            instances: InstanceTable::default(),
            next_id: 1,
            provisioned_millivcpus: 0,
            ready_millivcpus: 0,
            spot: ce.kind.is_spot(),
            ready_index: RoomIndex::default(),
            launching_index: RoomIndex::default(),
            bid_wait: Default::default(),
        })
    }

    /// Takes instance `id` out of the indexes (before its free room changes).
    fn unindex(&mut self, id: u32) {
        if let Some(i) = self.instances.get(&id) {
            unindex(&mut self.ready_index, &mut self.launching_index, i, id);
        }
    }

    /// Changes instance `id` by `f`, keeping the indexes: one look-up of the instance.
    fn change(&mut self, id: u32, f: impl FnOnce(&mut Instance)) {
        let Some(i) = self.instances.get_mut(&id) else {
            return;
        };
        unindex(&mut self.ready_index, &mut self.launching_index, i, id);
        f(i);
        reindex(&mut self.ready_index, &mut self.launching_index, i, id);
    }

    /// Whether launches must keep the compute environment within `maxvCpus` (BEST_FIT on
    /// On-Demand); otherwise a launch may pass it by one instance.
    pub fn never_past_max(&self, strategy: AllocationStrategy) -> bool {
        strategy == AllocationStrategy::BestFit && !self.spot
    }

    /// Whether launching a type of `millivcpus` now stays within the limit: `maxvCpus` itself
    /// when [`Pool::never_past_max`], else while the provisioned vCPUs are below it.
    pub(super) fn may_launch(&self, millivcpus: u64, max_vcpus: u32, strategy: AllocationStrategy) -> bool {
        let max = u64::from(max_vcpus) * 1000;
        if self.never_past_max(strategy) {
            self.provisioned_millivcpus + millivcpus <= max
        } else {
            self.provisioned_millivcpus < max
        }
    }

    /// Whether some type could ever hold `r` within `max_vcpus` (BEST_FIT on EC2) or with
    /// `max_vcpus > 0` (the others may pass it by one instance).
    pub fn could_ever_fit(&self, r: &Resources, max_vcpus: u32, strategy: AllocationStrategy) -> bool {
        let need = Room::of(r);
        let max = u64::from(max_vcpus) * 1000;
        self.types.iter().any(|t| {
            t.usable().holds(&need)
                && if self.never_past_max(strategy) {
                    t.room.millivcpus <= max
                } else {
                    max > 0
                }
        }) || self
            .instances
            .values()
            .any(|i| self.types[i.type_index].usable().holds(&need))
    }

    /// Whether some type of the pool holds `r` (live instances are of these types), whatever
    /// `maxvCpus` says.
    pub fn some_type_holds(&self, r: &Resources) -> bool {
        let need = Room::of(r);
        self.types.iter().any(|t| t.usable().holds(&need))
    }

    /// The most free milli-vCPUs of a READY instance that takes jobs (0 when none has any).
    pub fn max_ready_free_millivcpus(&self) -> u64 {
        self.ready_index.max_free_millivcpus(None)
    }

    /// The READY instance a job needing `r` would go to now (best fit), if any.
    pub fn ready_room(&self, r: &Resources) -> Option<u32> {
        self.ready_index.best_fit(&Room::of(r))
    }

    /// Whether [`Pool::ready_room`] is known to find nothing for `r` without a search (no
    /// READY room has come since a search for no more than `r` found none).
    #[inline]
    pub fn ready_room_known_none(&self, r: &Resources) -> bool {
        self.ready_index.known_without_room(&Room::of(r))
    }

    /// An upper bound on the milli-vCPUs of any job [`Pool::plan`] places now (with
    /// `may_launch`), excluding ready instance `except`: the most free on a ready or
    /// launching instance, or the largest type it may launch. A job needing more is never
    /// placed (backfilling skips it without asking).
    pub fn max_placeable_millivcpus(&self, max_vcpus: u32, strategy: AllocationStrategy, except: Option<u32>) -> u64 {
        let launch = self
            .types
            .iter()
            .filter(|t| self.may_launch(t.room.millivcpus, max_vcpus, strategy))
            .map(|t| t.room.millivcpus)
            .max()
            .unwrap_or(0);
        self.ready_index
            .max_free_millivcpus(except)
            .max(self.launching_index.max_free_millivcpus(except))
            .max(launch)
    }

    /// An upper bound on the memory and the GPUs of any job with vCPUs that [`Pool::plan`]
    /// places now (with `may_launch`; `millivcpus` unused, `u64::MAX`): the most memory free
    /// on a ready or launching instance with a free vCPU, the most GPUs of a type when such
    /// an instance has a GPU free, and the most a type it may launch registers. A job needing
    /// more is never placed (backfilling skips it without asking: a backlog of jobs no
    /// instance has the memory or the GPUs for was a search of every one at every pass).
    pub fn max_placeable(&self, max_vcpus: u32, strategy: AllocationStrategy) -> Room {
        let gpus_of = |t: &PoolType| t.usable().gpus.max(t.room.gpus);
        let mut most = Room {
            millivcpus: u64::MAX,
            memory_mib: self
                .ready_index
                .max_free_memory_mib()
                .max(self.launching_index.max_free_memory_mib()),
            gpus: match self.ready_index.has_free_gpu() || self.launching_index.has_free_gpu() {
                true => self.types.iter().map(gpus_of).max().unwrap_or(0),
                false => 0,
            },
        };
        for t in self
            .types
            .iter()
            .filter(|t| self.may_launch(t.room.millivcpus, max_vcpus, strategy))
        {
            most.memory_mib = most.memory_mib.max(t.usable().memory_mib.max(t.room.memory_mib));
            most.gpus = most.gpus.max(gpus_of(t));
        }
        most
    }

    /// Where a job needing `r` goes now, if anywhere; `may_launch` is false for a DISABLED
    /// compute environment.
    pub fn plan(
        &self,
        r: &Resources,
        max_vcpus: u32,
        strategy: AllocationStrategy,
        may_launch: bool,
    ) -> Option<Ec2Placement> {
        if let Some(p) = self.plan_existing(r) {
            return Some(p);
        }
        if !may_launch {
            return None;
        }
        self.launch_type(r, max_vcpus, strategy).map(Ec2Placement::Launch)
    }

    /// Room for a job needing `r` on a live instance: the best-fit READY one, else the
    /// best-fit launching one.
    pub fn plan_existing(&self, r: &Resources) -> Option<Ec2Placement> {
        let need = Room::of(r);
        if let Some(id) = self.ready_index.best_fit(&need) {
            return Some(Ec2Placement::Ready(id));
        }
        self.launching_index.best_fit(&need).map(Ec2Placement::Launching)
    }

    /// The type the built-in scale-out launches for a job needing `r` (CONTRACT 7.14 g), the
    /// rule [`crate::policy::AwsScaleOut`] states over a `Pool::scale_out_view`
    /// (`decisions.rs`).
    pub fn launch_type(&self, r: &Resources, max_vcpus: u32, strategy: AllocationStrategy) -> Option<usize> {
        self.launch_type_with(r, max_vcpus, strategy, |_| None)
    }

    /// [`Pool::launch_type`] when EC2 supplies `available(type index)` more instances of each
    /// type (`None`: no limit; the scenario's `ec2Capacity`): `BEST_FIT` waits when its type
    /// cannot be had, the other strategies take another type (API model,
    /// `CRAllocationStrategy`).
    pub fn launch_type_with(
        &self,
        r: &Resources,
        max_vcpus: u32,
        strategy: AllocationStrategy,
        available: impl Fn(usize) -> Option<u32>,
    ) -> Option<usize> {
        let need = Room::of(r);
        if !self.never_past_max(strategy) && self.provisioned_millivcpus >= u64::from(max_vcpus) * 1000 {
            // At the limit, a limit no type may pass: nothing launches, whatever the type
            // (`may_launch` does not depend on it here). Only the bid wait is noted, as the
            // search below notes it (a priced-out type that holds the job).
            if self.types.iter().any(|t| t.spot.priced_out && t.usable().holds(&need)) {
                self.bid_wait.set(true);
            }
            return None;
        }
        let allowed = |t: &PoolType| {
            if t.spot.priced_out && t.usable().holds(&need) {
                self.bid_wait.set(true);
            }
            !t.spot.priced_out && self.may_launch(t.room.millivcpus, max_vcpus, strategy)
        };
        let supplied = |i: usize| available(i) != Some(0);
        let fitting = || {
            self.types
                .iter()
                .enumerate()
                .filter(|(_, t)| t.usable().holds(&need) && allowed(t))
        };
        let per_vcpu = |(_, a): &(usize, &PoolType), (_, b): &(usize, &PoolType)| {
            per_vcpu_cmp(a, b)
                .then(a.price_per_hour.total_cmp(&b.price_per_hour))
                .then(a.instance_type.name.cmp(&b.instance_type.name))
        };
        let rank = |i: usize| crate::policy::scale_out_availability_rank(available(i));
        let best = match strategy {
            AllocationStrategy::BestFit => {
                // CONTRACT 7.14 g: the cheapest type that holds the job within the limit;
                // BEST_FIT "waits for the additional instances to be available".
                let best = self.cheapest_fitting_where(&need, allowed)?;
                return supplied(best.0).then_some(best.0);
            }
            AllocationStrategy::BestFitProgressiveOrdered => {
                fitting().filter(|(i, _)| supplied(*i)).min_by(|(_, a), (_, b)| {
                    a.entry
                        .cmp(&b.entry)
                        .then(a.price_per_hour.total_cmp(&b.price_per_hour))
                })
            }
            AllocationStrategy::SpotCapacityOptimizedPrioritized => {
                fitting().filter(|(i, _)| supplied(*i)).min_by(|a, b| {
                    rank(a.0)
                        .cmp(&rank(b.0))
                        .then(
                            a.1.spot
                                .interruptions_per_hour
                                .total_cmp(&b.1.spot.interruptions_per_hour),
                        )
                        .then(a.1.entry.cmp(&b.1.entry))
                        .then(a.1.price_per_hour.total_cmp(&b.1.price_per_hour))
                })
            }
            // The same order as `AwsScaleOut` (policy/scale_out.rs): SPOT_CAPACITY_OPTIMIZED
            // the pools EC2 has most of, then the lowest interruption rate;
            // SPOT_PRICE_CAPACITY_OPTIMIZED only the pools within twice the lowest rate;
            // then the lowest price per vCPU.
            _ => {
                let supplied = || fitting().filter(|(i, _)| supplied(*i));
                let most = crate::policy::scale_out_price_capacity_threshold(
                    strategy,
                    supplied().map(|(_, t)| t.spot.interruptions_per_hour),
                );
                supplied()
                    .filter(|(_, t)| t.spot.interruptions_per_hour <= most)
                    .min_by(|a, b| {
                        let capacity = match strategy {
                            AllocationStrategy::SpotCapacityOptimized => rank(a.0).cmp(&rank(b.0)),
                            _ => std::cmp::Ordering::Equal,
                        };
                        capacity
                            .then(crate::policy::scale_out_capacity_cmp(
                                strategy,
                                a.1.spot.interruptions_per_hour,
                                b.1.spot.interruptions_per_hour,
                            ))
                            .then_with(|| per_vcpu(a, b))
                    })
            }
        }?;
        Some(best.0)
    }

    /// One instance per node of a multi-node parallel job: idle ready instances that hold the
    /// node first (the smallest such), new instances of the cheapest fitting type for the
    /// rest; `None` unless every node gets one and the new instances keep the compute
    /// environment within `maxvCpus`.
    pub fn plan_nodes(&self, nodes: &[Resources], max_vcpus: u32) -> Option<Vec<NodeSlot>> {
        let mut taken = BTreeSet::new();
        let mut added = 0u64;
        let mut out = Vec::with_capacity(nodes.len());
        for node in nodes {
            let need = Room::of(node);
            let idle = self
                .instances
                .iter()
                .filter(|(id, i)| i.ready && !i.noticed && i.is_idle() && !taken.contains(id))
                .filter(|(_, i)| self.types[i.type_index].usable().holds(&need))
                .min_by_key(|(id, i)| (self.types[i.type_index].room, *id));
            if let Some((id, _)) = idle {
                taken.insert(id);
                out.push(NodeSlot::Idle(id));
                continue;
            }
            let (t, ty) = self.cheapest_fitting(&need)?;
            added += ty.room.millivcpus;
            out.push(NodeSlot::Launch(t));
        }
        (self.provisioned_millivcpus + added <= u64::from(max_vcpus) * 1000).then_some(out)
    }

    /// Whether every node of a multi-node job fits some type, all within `maxvCpus`.
    pub fn could_ever_fit_nodes(&self, nodes: &[Resources], max_vcpus: u32) -> bool {
        let mut total = 0u64;
        for node in nodes {
            match self.cheapest_fitting(&Room::of(node)) {
                Some((_, t)) => total += t.room.millivcpus,
                None => return false,
            }
        }
        total <= u64::from(max_vcpus) * 1000
    }

    fn cheapest_fitting(&self, need: &Room) -> Option<(usize, &PoolType)> {
        self.cheapest_fitting_where(need, |_| true)
    }

    /// The cheapest type that holds `need` among those `keep` accepts (ties: fewer vCPUs,
    /// then name).
    fn cheapest_fitting_where(&self, need: &Room, keep: impl Fn(&PoolType) -> bool) -> Option<(usize, &PoolType)> {
        self.types
            .iter()
            .enumerate()
            .filter(|(_, t)| t.usable().holds(need) && keep(t))
            .min_by(|(_, a), (_, b)| cheaper_node_type(a, b))
    }

    /// An instance's whole room, as a requirement (a multi-node job's node takes it all).
    pub fn whole_room(&self, id: u32) -> Resources {
        let room = self
            .instances
            .get(&id)
            .map(|i| self.types[i.type_index].usable())
            .unwrap_or_default();
        Resources {
            millivcpus: u32::try_from(room.millivcpus).unwrap_or(u32::MAX),
            memory_mib: u32::try_from(room.memory_mib).unwrap_or(u32::MAX),
            gpus: u32::try_from(room.gpus).unwrap_or(u32::MAX),
        }
    }

    /// Starts an instance of `type_index` (ready now when `ready`); returns its id.
    pub fn launch(&mut self, type_index: usize, now: SimTime, ready: bool) -> u32 {
        let id = self.next_id;
        self.next_id += 1;
        self.types[type_index].spot.live += 1;
        let t = &self.types[type_index];
        self.provisioned_millivcpus += t.room.millivcpus;
        if ready {
            self.ready_millivcpus += t.room.millivcpus;
        }
        self.instances.insert(
            id,
            Instance {
                type_index,
                launched_at: now,
                ready,
                noticed: false,
                free: t.usable(),
                attempts: 0,
                claims: Vec::new(),
                running: Vec::new(),
                idle_since: Some(now),
                has_run: false,
                idle_epoch: 0,
                scale_in_check: None,
                spot_events: [None, None],
            },
        );
        if let Some(i) = self.instances.get(&id) {
            reindex(&mut self.ready_index, &mut self.launching_index, i, id);
        }
        id
    }

    /// Takes room for a job on an instance (an attempt when ready, a claim otherwise).
    #[cfg(test)]
    pub fn occupy(&mut self, id: u32, r: &Resources) {
        self.change(id, |i| {
            i.free.take(&Room::of(r));
            i.idle_since = None;
        });
    }

    /// Takes room for a job on an instance, as [`Pool::occupy`]; when the instance is still
    /// launching, records the job's claim on it (slot, job id) and returns true.
    pub(crate) fn occupy_or_claim(&mut self, id: u32, r: &Resources, claim: (u32, crate::model::JobId)) -> bool {
        let mut launching = false;
        self.change(id, |i| {
            i.free.take(&Room::of(r));
            i.idle_since = None;
            if !i.ready {
                i.claims.push(claim);
                launching = true;
            }
        });
        launching
    }

    /// Takes room for a job on READY instance `id` (an attempt): [`Pool::occupy_or_claim`]
    /// where no claim can be recorded.
    pub(crate) fn occupy_ready(&mut self, id: u32, r: &Resources) {
        self.change(id, |i| {
            debug_assert!(i.ready, "instance {id} is READY");
            i.free.take(&Room::of(r));
            i.idle_since = None;
        });
    }

    /// Gives back the room of job `job`'s claim on instance `id` and takes the claim off
    /// the instance: [`Pool::release`] and the claim's removal in one change.
    pub(crate) fn release_claim(&mut self, id: u32, r: &Resources, job: crate::model::JobId) {
        self.change(id, |i| {
            i.free.give(&Room::of(r));
            i.claims.retain(|c| c.1 != job);
        });
    }

    /// Gives back a job's room.
    pub fn release(&mut self, id: u32, r: &Resources) {
        self.change(id, |i| i.free.give(&Room::of(r)));
    }

    /// Marks an instance ready.
    pub fn set_ready(&mut self, id: u32) {
        let Some(i) = self.instances.get(&id) else { return };
        if !i.ready {
            self.ready_millivcpus += self.types[i.type_index].room.millivcpus;
        }
        self.change(id, |i| i.ready = true);
    }

    /// Marks an instance as noticed (Spot): nothing new is placed on it.
    pub fn set_noticed(&mut self, id: u32) {
        self.unindex(id);
        if let Some(i) = self.instances.get_mut(&id) {
            i.noticed = true;
        }
    }

    /// Removes an instance; returns it.
    pub fn terminate(&mut self, id: u32) -> Option<Instance> {
        self.unindex(id);
        let i = self.instances.remove(&id)?;
        self.types[i.type_index].spot.live -= 1;
        let mv = self.types[i.type_index].room.millivcpus;
        self.provisioned_millivcpus -= mv;
        if i.ready {
            self.ready_millivcpus = self.ready_millivcpus.saturating_sub(mv);
        }
        Some(i)
    }

    /// The type to launch next to build up standing capacity (CONTRACT 7.14 e): the largest
    /// type that does not overshoot what is missing, else the smallest type; ties: cheaper
    /// per vCPU, then listed order (`min_by` keeps the first of equals). `None` when that
    /// type may not be launched within the limit (BEST_FIT on EC2 never passes `maxvCpus`).
    pub fn type_for_capacity(
        &self,
        missing_millivcpus: u64,
        max_vcpus: u32,
        strategy: AllocationStrategy,
    ) -> Option<usize> {
        let sized = self
            .types
            .iter()
            .enumerate()
            .filter(|(_, t)| t.room.millivcpus > 0 && !t.spot.priced_out);
        let under = sized
            .clone()
            .filter(|(_, t)| t.room.millivcpus <= missing_millivcpus)
            .min_by(|(_, a), (_, b)| b.room.millivcpus.cmp(&a.room.millivcpus).then(per_vcpu_cmp(a, b)));
        let (i, t) = under.or_else(|| {
            sized.min_by(|(_, a), (_, b)| a.room.millivcpus.cmp(&b.room.millivcpus).then(per_vcpu_cmp(a, b)))
        })?;
        self.may_launch(t.room.millivcpus, max_vcpus, strategy).then_some(i)
    }

    /// Dollars per hour of the instances in `rooms` attributed to an attempt taking that
    /// room: each instance's price times the room's share of the instance's vCPUs.
    pub fn attributed_rate(&self, rooms: &[(u32, Resources)]) -> f64 {
        rooms
            .iter()
            .filter_map(|(id, room)| {
                let t = &self.types[self.instances.get(id)?.type_index];
                let whole = t.room.millivcpus.max(1) as f64;
                Some(t.price_per_hour * room.millivcpus as f64 / whole)
            })
            .sum()
    }

    /// AWS-style instance id of instance `id` of compute environment `ce`: `i-`, the
    /// compute environment in at least 4 hex digits, the instance in at least 13 (as
    /// `format!("i-{ce:04x}{id:013x}")`, written without the formatting machinery: every
    /// Spot reclaim names its instance in the status reason).
    pub fn instance_name(ce: u32, id: u32) -> String {
        let mut name = String::with_capacity(19);
        name.push_str("i-");
        push_hex(&mut name, u64::from(ce), 4);
        push_hex(&mut name, u64::from(id), 13);
        name
    }
}

/// Appends `v` in lowercase hex, zero-padded to at least `width` digits (`{v:0width$x}`).
fn push_hex(out: &mut String, v: u64, width: usize) {
    let digits = (16 - v.leading_zeros() as usize / 4).max(1);
    out.extend(std::iter::repeat_n('0', width.saturating_sub(digits)));
    for k in (0..digits).rev() {
        let nibble = ((v >> (4 * k)) & 0xf) as u32;
        out.push(char::from_digit(nibble, 16).unwrap_or('0'));
    }
}

#[cfg(test)]
mod tests {

    use super::*;

    #[test]
    fn instance_names_are_the_formatted_ones() {
        for ce in [0, 1, 0xabc, 0xffff, 0x1_0000, u32::MAX] {
            for id in [0, 1, 42, 0xdead_beef, u32::MAX] {
                assert_eq!(Pool::instance_name(ce, id), format!("i-{ce:04x}{id:013x}"));
            }
        }
        let mut s = String::new();
        push_hex(&mut s, u64::MAX, 4);
        assert_eq!(s, "ffffffffffffffff");
    }
    use crate::model::ComputeEnvironmentType;

    fn ce(types: &[&str], max: u32, strategy: AllocationStrategy) -> ComputeEnvironment {
        let mut c = ComputeEnvironment::fargate("ec2", max, false);
        c.kind = ComputeEnvironmentType::Ec2;
        c.instance_types = types.iter().map(|s| s.to_string()).collect();
        c.allocation_strategy = strategy;
        c
    }

    #[test]
    fn best_fit_launches_the_cheapest_fitting_type_and_respects_max() {
        let pool = Pool::new(&ce(&["m5"], 4, AllocationStrategy::BestFit), Some(0)).unwrap();
        let job = Resources::new(2.0, 4096);
        let Some(Ec2Placement::Launch(t)) = pool.plan(&job, 4, AllocationStrategy::BestFit, true) else {
            panic!()
        };
        assert_eq!(pool.types[t].instance_type.name, "m5.large");
        let big = Resources::new(2.0, 16384);
        let Some(Ec2Placement::Launch(t)) = pool.plan(&big, 4, AllocationStrategy::BestFit, true) else {
            panic!()
        };
        assert_eq!(pool.types[t].instance_type.name, "m5.xlarge", "memory decides");
        let huge = Resources::new(8.0, 1024);
        assert_eq!(
            pool.plan(&huge, 4, AllocationStrategy::BestFit, true),
            None,
            "m5.2xlarge would pass maxvCpus 4"
        );
        assert_eq!(pool.plan(&job, 4, AllocationStrategy::BestFit, false), None);
    }

    /// AWS Batch User Guide, "Compute resource memory management": "Suppose that you specify
    /// 8192 MiB for the job, and none of your compute resources have 8192 MiB or greater of
    /// memory available to satisfy this requirement. Then, the job can't be placed in your
    /// compute environment. If you're using a managed compute environment, AWS Batch must
    /// launch a larger instance type to accommodate the request."
    #[test]
    fn a_job_asking_for_the_nominal_memory_gets_a_larger_type() {
        let pool = Pool::new(&ce(&["m5"], 100, AllocationStrategy::BestFit), None).unwrap();
        assert_eq!(
            pool.types[0].room.memory_mib,
            8192 - 559 - 32,
            "m5.large registers 7601 MiB"
        );
        for mib in [8192, 7680, 7602] {
            let Some(Ec2Placement::Launch(t)) =
                pool.plan(&Resources::new(2.0, mib), 100, AllocationStrategy::BestFit, true)
            else {
                panic!()
            };
            assert_eq!(pool.types[t].instance_type.name, "m5.xlarge", "{mib} MiB");
        }
        let Some(Ec2Placement::Launch(t)) =
            pool.plan(&Resources::new(2.0, 7601), 100, AllocationStrategy::BestFit, true)
        else {
            panic!()
        };
        assert_eq!(pool.types[t].instance_type.name, "m5.large");
        // `reservedMemoryMiB: 0` restores the nominal memory.
        let nominal = Pool::new(&ce(&["m5"], 100, AllocationStrategy::BestFit), Some(0)).unwrap();
        let Some(Ec2Placement::Launch(t)) =
            nominal.plan(&Resources::new(2.0, 8192), 100, AllocationStrategy::BestFit, true)
        else {
            panic!()
        };
        assert_eq!(nominal.types[t].instance_type.name, "m5.large");
    }

    #[test]
    fn packing_fills_ready_then_launching_instances_best_fit() {
        let mut pool = Pool::new(&ce(&["m5.large"], 100, AllocationStrategy::BestFit), Some(0)).unwrap();
        let a = pool.launch(0, SimTime::ZERO, true);
        let b = pool.launch(0, SimTime::ZERO, true);
        let job = Resources::new(1.0, 2048);
        pool.occupy(b, &job);
        // b has 1 vCPU free, a has 2: best fit is b.
        assert_eq!(
            pool.plan(&job, 100, AllocationStrategy::BestFit, true),
            Some(Ec2Placement::Ready(b))
        );
        pool.occupy(b, &job);
        assert_eq!(
            pool.plan(&job, 100, AllocationStrategy::BestFit, true),
            Some(Ec2Placement::Ready(a))
        );
        pool.occupy(a, &Resources::new(2.0, 1024));
        let c = pool.launch(0, SimTime::ZERO, false);
        assert_eq!(
            pool.plan(&job, 100, AllocationStrategy::BestFit, true),
            Some(Ec2Placement::Launching(c))
        );
        // Memory-bound: 6 GiB jobs, one per m5.large.
        pool.occupy(c, &Resources::new(1.0, 6144));
        assert!(matches!(
            pool.plan(&Resources::new(1.0, 6144), 100, AllocationStrategy::BestFit, true),
            Some(Ec2Placement::Launch(_))
        ));
        assert_eq!(pool.provisioned_millivcpus, 6000);
        pool.terminate(a);
        assert_eq!(pool.provisioned_millivcpus, 4000);
    }

    #[test]
    fn progressive_may_pass_max_by_one_instance() {
        let pool = Pool::new(&ce(&["c5", "m5"], 3, AllocationStrategy::BestFitProgressive), Some(0)).unwrap();
        let job = Resources::new(4.0, 4096);
        let Some(Ec2Placement::Launch(t)) = pool.plan(&job, 3, AllocationStrategy::BestFitProgressive, true) else {
            panic!()
        };
        assert_eq!(pool.types[t].instance_type.vcpus, 4);
        assert_eq!(pool.types[t].instance_type.name, "c5.xlarge", "cheapest per vCPU");
    }

    #[test]
    fn at_a_limit_no_type_may_pass_nothing_launches() {
        let strategy = AllocationStrategy::BestFitProgressive;
        let mut pool = Pool::new(&ce(&["c5", "m5"], 3, strategy), Some(0)).unwrap();
        let job = Resources::new(1.0, 1024);
        let t = pool.launch_type(&job, 3, strategy).unwrap();
        assert_eq!(pool.types[t].instance_type.name, "c5.large");
        pool.launch(t, SimTime::ZERO, false);
        assert_eq!(
            pool.launch_type(&job, 3, strategy),
            Some(t),
            "2 of 3 vCPUs: one more may pass"
        );
        pool.launch(t, SimTime::ZERO, false);
        assert_eq!(pool.launch_type(&job, 3, strategy), None, "4 vCPUs: at the limit");
        assert_eq!(pool.launch_type(&job, 4, strategy), None, "exactly at it");
        assert!(pool.launch_type(&job, 5, strategy).is_some());
        assert!(!pool.bid_wait.get(), "no type is priced out");
        pool.types[t].spot.priced_out = true;
        assert_eq!(pool.launch_type(&job, 4, strategy), None);
        assert!(pool.bid_wait.get(), "a priced-out type that holds the job is noted");
    }

    #[test]
    fn standing_capacity_uses_large_types_first() {
        let pool = Pool::new(&ce(&["m5"], 100, AllocationStrategy::BestFit), Some(0)).unwrap();
        let t = pool
            .type_for_capacity(16_000, 100, AllocationStrategy::BestFit)
            .unwrap();
        assert_eq!(pool.types[t].instance_type.vcpus, 16);
        let t = pool.type_for_capacity(1_000, 100, AllocationStrategy::BestFit).unwrap();
        assert_eq!(
            pool.types[t].instance_type.name, "m5.large",
            "overshoot with the smallest"
        );
        // maxvCpus 1: the smallest m5 (2 vCPU) would pass it; BEST_FIT on EC2 never does.
        assert_eq!(pool.type_for_capacity(1_000, 1, AllocationStrategy::BestFit), None);
        assert_eq!(Pool::instance_name(1, 42), "i-0001000000000002a");
    }
}
