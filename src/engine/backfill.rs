//! Backfilling on FIFO queues (CONTRACT sections 2.2 and 7.8): policy experiments AWS does
//! not offer.
//!
//! - `greedy`: behind a blocked head, any later job that fits starts.
//! - `easy` (EASY backfilling): the head gets a reservation at its *shadow time*, the
//!   earliest time enough capacity frees for it on one bin (a Fargate compute environment, or
//!   an EC2 instance), computed from the running attempts' estimated ends. A later job with an
//!   estimate may start now if it fits and either ends (by its estimate, counted from RUNNING)
//!   by the shadow time or fits in the *extra* capacity: what is free at the shadow time
//!   beyond the head's need. A job without an estimate is never backfilled, and while a
//!   running attempt on a bin that could hold the head lacks one, nothing is (CONTRACT 7.8:
//!   "with a running job lacking an estimate nothing is backfilled": that bin's shadow time
//!   cannot be known, and it could be the earliest).

use super::backfill_index::{class_of, Leaf, Mins};
use super::capacity::Placement;
use super::ec2::{Ec2Placement, Room};
use super::jobs::{Job, JobSlot};
use super::rooms::Rooms;
use super::Simulation;
use crate::model::{Backfill, CeId, JobId, JobStatus, QueueId, Resources};
use crate::policy::{BackfillCandidate, BackfillPolicy, Easy, Greedy, HeadReservation, InstanceId};
use crate::time::SimTime;

/// Where the head's reservation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Bin {
    ce: CeId,
    instance: Option<u32>,
}

/// A Fargate compute environment has no memory or GPU limit of its own.
fn vcpu_room(millivcpus: u64) -> Room {
    Room {
        millivcpus,
        memory_mib: u64::MAX / 4,
        gpus: u64::MAX / 4,
    }
}

impl Simulation {
    /// After the head of FIFO queue `q` could not be placed: start later jobs as the queue's
    /// backfilling policy allows (a custom one, else its `backfill` mode: [`Easy`] or
    /// [`Greedy`]). Returns whether any started.
    pub(super) fn backfill(&mut self, q: QueueId, head: JobSlot) -> bool {
        let qr = &self.queues[q];
        let mode = qr.spec.backfill;
        if mode == Backfill::None && qr.backfill_policy.0.is_none() {
            return false;
        }
        let custom = qr.backfill_policy.0.clone();
        let head_id = match self.jobs.get(head) {
            Some(j) => j.id(),
            None => return false,
        };
        let reserves = match &custom {
            Some(p) => p.lock().reserves(),
            None => mode == Backfill::Easy,
        };
        let mut reservation = match reserves {
            true => match self.easy_reservation(q, head) {
                Some(r) => {
                    if let Some(j) = self.jobs.get_mut(head) {
                        j.progress_mut().reserved_at.set_if_none(r.shadow);
                    }
                    Some(r)
                }
                // A head no compute environment could ever run (it has no bin) has no
                // start to protect: later jobs "do not delay that reservation" whatever
                // they do (the MISCONFIGURATION reasons; jobStateTimeLimitActions may
                // still cancel it). Nor has one that only a DISABLED compute environment
                // could run (section 6: a CE takes a job "if it is ENABLED and the job
                // fits"): until an action enables it, there is no time at which the head
                // could start, so no reservation; one is made at the pass after (7.8: "the
                // reservation is recomputed at every pass"). Found by an independent
                // implementation: the queue backfilled nothing while a CE sat idle.
                None if self.can_never_run(q, head) || !self.has_easy_bin(q, head) => None,
                None => return false,
            },
            false => None,
        };
        let mut placed = false;
        let mut cursor = head_id;
        // The memory and GPU bounds hold for the whole loop: placing a job only takes room,
        // and a launch only adds an instance of a type that could be launched before it.
        // So does the set of consumable resources with nothing left: starting a job only
        // takes units.
        let limits = self.queues[q].spec.compute_environments.iter().fold(
            PassLimits {
                memory: 0,
                gpus: 0,
                exhausted: self.consumables.as_deref().map_or(0, |c| c.exhausted_mask()),
            },
            |l, c| {
                let r = self.ces[*c].max_placeable();
                PassLimits {
                    memory: l.memory.max(r.memory_mib),
                    gpus: l.gpus.max(r.gpus),
                    ..l
                }
            },
        );
        // The jobs skipped for a resource with nothing left are not visited, so the queue
        // waits on every such resource one of its jobs needs: its return wakes the queue.
        let skipped = limits.exhausted & self.queues[q].backfill_index.consumables_any();
        if skipped != 0 {
            self.consumable_wait_all(q, skipped);
        }
        // Candidates in submission order, each the first after the last one looked at that
        // could start at all (see `BackfillBounds`): the same jobs, in the same order, as a
        // scan of the backlog would try, without visiting those that cannot.
        loop {
            // A custom policy may admit any job that can be placed: only that bound holds.
            let bounds = self.backfill_bounds(q, reservation.as_ref().filter(|_| custom.is_none()), limits);
            let hit = self.queues[q]
                .backfill_index
                .first_after(cursor, &|m: &Mins| bounds.may_hold(m), &|l: &Leaf| bounds.admits(l));
            let Some((id, slot)) = hit else { break };
            cursor = id;
            let slot = JobSlot(slot);
            let Some(job) = self.jobs.get(slot) else { continue };
            if job.status != JobStatus::Runnable || job.spec.nodes.is_some() {
                continue;
            }
            let (estimate, need) = (job.estimate().get(), job.resources());
            if custom.is_none() && mode == Backfill::Easy && estimate.is_none() {
                // `Easy` refuses it: no need to place it first.
                continue;
            }
            if let Some(r) = self.consumable_short(slot) {
                // Its resource's return wakes the queue for another look.
                self.consumable_wait(q, slot, r, false);
                continue;
            }
            // The queue's compute environments in order, each where it would place the job,
            // until the policy admits one: a job refused on the head's bin may start on
            // another (it cannot delay the reservation there). A custom placement names one.
            let by_order = self.queues[q].placement.0.is_none();
            let mut custom_place = if by_order { None } else { self.find_ce(q, slot) };
            let mut next = 0;
            loop {
                let option = match by_order {
                    true => self.next_ce_placing(q, slot, &mut next),
                    false => custom_place.take(),
                };
                let Some((ce, placement)) = option else { break };
                let (instance, new_instance) = match &placement {
                    Placement::Instance(Ec2Placement::Ready(id) | Ec2Placement::Launching(id)) => {
                        (Some(InstanceId(*id)), false)
                    }
                    Placement::Task => (None, false),
                    _ => (None, true),
                };
                let candidate = BackfillCandidate {
                    id,
                    resources: need,
                    estimate,
                    ce,
                    instance,
                    new_instance,
                    running_at: self.running_from_now(ce, &placement),
                };
                let admitted = match &custom {
                    Some(p) => p.lock().admit(&candidate, reservation.as_mut()),
                    None if mode == Backfill::Easy => Easy.admit(&candidate, reservation.as_mut()),
                    None => Greedy.admit(&candidate, reservation.as_mut()),
                };
                if !admitted {
                    continue;
                }
                match placement {
                    Placement::Task => self.dispatch(slot, ce, Rooms::default()),
                    p => self.place_on_instances(slot, ce, p),
                }
                placed = true;
                break;
            }
        }
        placed
    }

    /// What any job could need and still start now (see [`BackfillBounds`]), within the
    /// pass's `limits`.
    fn backfill_bounds(&self, q: QueueId, reservation: Option<&HeadReservation>, limits: PassLimits) -> BackfillBounds {
        let ces = &self.queues[q].spec.compute_environments;
        let all = ces
            .iter()
            .map(|c| self.ces[*c].max_placeable_millivcpus(None))
            .max()
            .unwrap_or(0);
        let Some(res) = reservation else {
            return BackfillBounds {
                all,
                limits,
                easy: None,
            };
        };
        let elsewhere = ces
            .iter()
            .map(|&c| match (c == res.ce, res.instance) {
                (false, _) => self.ces[c].max_placeable_millivcpus(None),
                (true, None) => 0,
                (true, Some(i)) => self.ces[c].max_placeable_millivcpus(Some(i.0)),
            })
            .max()
            .unwrap_or(0);
        let earliest_running = self.kernel.now + self.ces[res.ce].spec.startup;
        BackfillBounds {
            all,
            limits,
            easy: Some(EasyBounds::new(
                all,
                elsewhere.max(res.extra_millivcpus),
                res.shadow.as_millis().saturating_sub(earliest_running.as_millis()),
            )),
        }
    }

    /// Keeps the queue's backfilling index in step as job `slot` enters its RUNNABLE set.
    pub(super) fn backfill_index_insert(&mut self, slot: JobSlot) {
        if !self.backfill_on {
            return;
        }
        let Some(job) = self.jobs.live(slot) else { return };
        let r = job.resources();
        // The memory and GPU bounds are of jobs with vCPUs: one without is never held back
        // by them.
        let (memory_mib, gpus) = match job.spec.nodes.is_some() {
            true => (u64::MAX, u64::MAX),
            false if r.millivcpus == 0 => (0, 0),
            false => (u64::from(r.memory_mib), u64::from(r.gpus)),
        };
        let leaf = Leaf {
            millivcpus: if job.spec.nodes.is_some() {
                u64::MAX
            } else {
                u64::from(r.millivcpus)
            },
            estimate_ms: job
                .estimate()
                .get()
                .map_or(u64::MAX, |e| e.as_millis().min(u64::MAX - 1)),
            memory_mib,
            gpus,
            // A job that holds its units already is never short of them.
            consumables: match self.consumables.as_deref() {
                Some(c) if !c.holders.contains(&job.id()) => super::consumable::needs_mask(&job.spec.consumables),
                _ => 0,
            },
        };
        let (q, id) = (job.queue(), job.id());
        self.queues[q].backfill_index.insert(id, slot.0, leaf);
    }

    /// Keeps the queue's backfilling index in step as job `id` leaves queue `q`'s RUNNABLE
    /// set.
    pub(super) fn backfill_index_remove(&mut self, q: QueueId, id: JobId) {
        if self.backfill_on {
            self.queues[q].backfill_index.remove(id);
        }
    }

    /// A job of queue `q` took room on `ce`: every other queue that reserves room for its
    /// head (EASY, or a custom policy that reserves) and rests on a blocked head looks again,
    /// since its head's shadow time may have moved later and let a later job start before it
    /// (CONTRACT 7.8: "the reservation is recomputed at every pass"; 6: "The pass repeats
    /// until nothing more is placed"). Its own placements are counted as its pass makes them.
    pub(super) fn reservations_may_move(&mut self, q: QueueId, ce: CeId) {
        for i in 0..self.ces[ce].attached.len() {
            let other = self.ces[ce].attached[i];
            let qr = &mut self.queues[other];
            if other != q && qr.stalled && (qr.spec.backfill == Backfill::Easy || qr.backfill_policy.0.is_some()) {
                qr.stalled = false;
            }
        }
    }

    /// When an attempt placed now would reach RUNNING.
    fn running_from_now(&self, ce: CeId, placement: &Placement) -> SimTime {
        let startup = self.ces[ce].spec.startup;
        let ready = match placement {
            Placement::Instance(Ec2Placement::Launching(_)) => self.kernel.now + self.ces[ce].spec.instance_launch,
            _ => self.kernel.now,
        };
        ready + startup
    }

    /// The compute environments of queue `q` where the head `job` could get a reservation:
    /// ENABLED ones (section 6) that could ever run it, in the queue's order.
    fn easy_bin_ces<'a>(&'a self, q: QueueId, job: &'a Job) -> impl Iterator<Item = CeId> + 'a {
        self.queues[q]
            .spec
            .compute_environments
            .iter()
            .copied()
            .filter(move |&ce| self.ces[ce].enabled() && self.ce_could_ever_run(ce, job))
    }

    /// Whether some compute environment of queue `q` could give the job in `head` a
    /// reservation ([`Simulation::easy_bin_ces`]).
    fn has_easy_bin(&self, q: QueueId, head: JobSlot) -> bool {
        self.jobs
            .get(head)
            .is_some_and(|job| self.easy_bin_ces(q, job).next().is_some())
    }

    /// The head's reservation on the bin where it could start earliest, or `None` when it
    /// can start on none of them (or a running attempt there has no estimate).
    fn easy_reservation(&self, q: QueueId, head: JobSlot) -> Option<HeadReservation> {
        let job = self.jobs.get(head)?;
        let need = job.resources();
        let mut best: Option<HeadReservation> = None;
        for ce in self.easy_bin_ces(q, job) {
            let c = &self.ces[ce];
            // (bin, room free now, vCPUs in use above `maxvCpus`, attempts on it)
            let bins: Vec<(Bin, Room, u64, Vec<u32>)> = match &c.pool {
                None => {
                    // An action may have lowered `maxvCpus` below what runs: the first
                    // vCPUs that free only pay that back.
                    let max = u64::from(c.spec.max_vcpus) * 1000;
                    vec![(
                        Bin { ce, instance: None },
                        vcpu_room(max.saturating_sub(c.used_millivcpus)),
                        c.used_millivcpus.saturating_sub(max),
                        c.attempts.iter().copied().collect(),
                    )]
                }
                Some(pool) => pool
                    .instances
                    .iter()
                    .filter(|(_, i)| {
                        i.ready && !i.noticed && pool.types[i.type_index].usable().holds(&room_of(&need, false))
                    })
                    .map(|(id, i)| {
                        (
                            Bin { ce, instance: Some(id) },
                            i.free,
                            0,
                            i.running.iter().map(|r| r.0).collect(),
                        )
                    })
                    .collect(),
            };
            for (bin, free, debt, attempts) in bins {
                let r = self.shadow(job.id(), bin, free, debt, &attempts, &need)?;
                let better = best.is_none_or(|b| r.shadow < b.shadow);
                if better {
                    best = Some(r);
                }
            }
        }
        best
    }

    /// The earliest time `need` fits on a bin with `free` room now, as the attempts in
    /// `slots` end by their estimates; `None` when one of them has no estimate or it never fits.
    /// The first `debt` milli-vCPUs that free (use above a lowered `maxvCpus`) do not count.
    fn shadow(
        &self,
        head: JobId,
        bin: Bin,
        free: Room,
        mut debt: u64,
        slots: &[u32],
        need: &Resources,
    ) -> Option<HeadReservation> {
        let startup = self.ces[bin.ce].spec.startup;
        let mut ends: Vec<(SimTime, Room)> = Vec::with_capacity(slots.len());
        for &s in slots {
            let job = self.jobs.get(JobSlot(s))?;
            let a = job.attempt()?;
            let running = a.running_at.unwrap_or(a.dispatched_at + startup);
            let end = (running + job.estimate().get()?).max(self.kernel.now);
            let taken = a
                .rooms
                .iter()
                .find(|(id, _)| Some(*id) == bin.instance)
                .map_or(job.resources(), |(_, r)| *r);
            ends.push((end, room_of(&taken, bin.instance.is_none())));
        }
        ends.sort_by_key(|(t, _)| *t);
        let want = room_of(need, bin.instance.is_none());
        let mut room = free;
        let mut give = |room: &mut Room, freed: &Room| {
            let mut freed = *freed;
            let paid = debt.min(freed.millivcpus);
            debt -= paid;
            freed.millivcpus -= paid;
            room.give(&freed);
        };
        let mut shadow = if room.holds(&want) { Some(self.kernel.now) } else { None };
        let mut i = 0;
        while shadow.is_none() && i < ends.len() {
            let t = ends[i].0;
            while i < ends.len() && ends[i].0 == t {
                give(&mut room, &ends[i].1);
                i += 1;
            }
            if room.holds(&want) {
                shadow = Some(t);
            }
        }
        let shadow = shadow?;
        // Everything free at the shadow time: attempts ending exactly then free their room too.
        while i < ends.len() && ends[i].0 == shadow {
            give(&mut room, &ends[i].1);
            i += 1;
        }
        room.take(&want);
        Some(HeadReservation {
            head,
            ce: bin.ce,
            instance: bin.instance.map(InstanceId),
            shadow,
            extra_millivcpus: room.millivcpus,
            extra_memory_mib: room.memory_mib,
            extra_gpus: room.gpus,
        })
    }

    /// Heads that started later than their first EASY reservation (should stay 0 when
    /// estimates hold, as a trace's raised requested time and timeouts do).
    pub fn reservation_misses(&self) -> u64 {
        self.ledger.reservation_misses
    }
}

/// A requirement as room; on a Fargate bin only vCPUs count.
fn room_of(r: &Resources, fargate: bool) -> Room {
    let mut room = Room::of(r);
    if fargate {
        room.memory_mib = 0;
        room.gpus = 0;
    }
    room
}

/// What holds for a whole backfilling pass: the most memory (MiB) and GPUs any compute
/// environment of the queue could place for a job with vCPUs, and the consumable resources
/// (bits by index) with nothing available.
#[derive(Clone, Copy, Debug)]
struct PassLimits {
    memory: u64,
    gpus: u64,
    exhausted: u64,
}

impl PassLimits {
    /// Whether a job needing at least these could start (with vCPUs).
    fn allow(&self, memory: u64, gpus: u64, consumables: u64) -> bool {
        memory <= self.memory && gpus <= self.gpus && consumables & self.exhausted == 0
    }
}

/// Necessary conditions for a job to start in one backfilling step: a job that fails them
/// would be skipped by the step's checks, so the index does not offer it.
#[derive(Clone, Copy, Debug)]
struct BackfillBounds {
    /// The most milli-vCPUs any compute environment of the queue could place now.
    all: u64,
    /// Memory, GPUs and consumable resources.
    limits: PassLimits,
    /// EASY (with the head's reservation).
    easy: Option<EasyBounds>,
}

#[derive(Clone, Copy, Debug)]
struct EasyBounds {
    /// A job needing at most this many milli-vCPUs may start whatever its estimate: it fits
    /// a bin other than the reservation's, or the reservation's extra room.
    untimed: u64,
    /// Otherwise it must end by the shadow time: an estimate of at most this.
    in_time_ms: u64,
    /// `in_time_ms` in whole seconds, and the size class of the queue's largest placeable
    /// job: what [`BackfillBounds::may_hold`] compares at every node, computed once.
    in_time_s: u64,
    all_class: usize,
}

impl EasyBounds {
    fn new(all: u64, untimed: u64, in_time_ms: u64) -> EasyBounds {
        EasyBounds {
            untimed,
            in_time_ms,
            in_time_s: in_time_ms / 1000,
            all_class: class_of(all),
        }
    }
}

impl BackfillBounds {
    /// Whether the job could start.
    fn admits(&self, l: &Leaf) -> bool {
        match self.easy {
            _ if !self.limits.allow(l.memory_mib, l.gpus, l.consumables) => false,
            None => l.millivcpus <= self.all,
            Some(e) => {
                l.estimate_ms != u64::MAX
                    && l.millivcpus <= self.all
                    && (l.millivcpus <= e.untimed || l.estimate_ms <= e.in_time_ms)
            }
        }
    }

    /// Whether a set of jobs with these minimums could hold one that [`Self::admits`].
    fn may_hold(&self, m: &Mins) -> bool {
        match self.easy {
            _ if !self.limits.allow(m.memory_mib, m.gpus, m.consumables) => false,
            None => m.millivcpus <= self.all,
            Some(e) => {
                m.millivcpus_estimated <= self.all.min(e.untimed)
                    || (m.millivcpus_estimated <= self.all && u64::from(m.estimate_s_upto[e.all_class]) <= e.in_time_s)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::backfill_index::BackfillIndex;
    use proptest::prelude::*;

    fn id(n: u64) -> JobId {
        JobId {
            submission: n / 4 + 1,
            array_index: (n % 4 != 0).then_some((n % 4) as u32),
        }
    }

    proptest! {
        /// The index offers exactly what a scan of the backlog in id order would find first.
        #[test]
        fn first_after_is_the_first_admitted_job_of_a_scan(
            ops in proptest::collection::vec((any::<bool>(), 0u64..200, 0u64..6, 0u64..8), 0..300),
            queries in proptest::collection::vec((0u64..200, 0u64..7, 0u64..7, 0u64..9, any::<bool>(), 0u64..6, 0u64..3, 0u64..4), 1..20),
        ) {
            let mut index = BackfillIndex::default();
            let mut naive = std::collections::BTreeMap::new();
            for (add, n, cpu, est) in ops {
                let leaf = Leaf {
                    millivcpus: if cpu == 5 { u64::MAX } else { cpu * 700 },
                    estimate_ms: if est == 7 { u64::MAX } else { est * 1500 },
                    memory_mib: if cpu == 5 { u64::MAX } else { (n * 7 % 5) * 1024 },
                    gpus: if cpu == 5 { u64::MAX } else { n * 3 % 4 / 2 },
                    consumables: n % 4,
                };
                if add {
                    index.insert(id(n), n as u32, leaf);
                    naive.insert(id(n), (n as u32, leaf));
                } else {
                    prop_assert_eq!(index.remove(id(n)), naive.remove(&id(n)).is_some());
                }
                prop_assert_eq!(index.len(), naive.len());
            }
            for (after, all, untimed, in_time, easy, memory, gpus, exhausted) in queries {
                let bounds = BackfillBounds {
                    all: all * 700,
                    limits: PassLimits {
                        memory: if memory == 5 { u64::MAX } else { memory * 1024 },
                        gpus: if gpus == 2 { u64::MAX } else { gpus },
                        exhausted,
                    },
                    easy: easy.then(|| EasyBounds::new(all * 700, untimed * 700, in_time * 1500)),
                };
                let want = naive
                    .range((std::ops::Bound::Excluded(id(after)), std::ops::Bound::Unbounded))
                    .find(|(_, (_, l))| bounds.admits(l))
                    .map(|(k, (s, _))| (*k, *s));
                let got = index.first_after(id(after), &|m: &Mins| bounds.may_hold(m), &|l: &Leaf| bounds.admits(l));
                prop_assert_eq!(got, want);
            }
        }
    }
}
