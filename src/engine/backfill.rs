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
//!   running attempt on the bin lacks one, nothing is.

use super::capacity::Placement;
use super::ec2::{Ec2Placement, Room};
use super::jobs::JobSlot;
use super::Simulation;
use crate::model::{Backfill, CeId, JobStatus, QueueId, Resources};
use crate::time::SimTime;

/// Where the head's reservation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Bin {
    ce: CeId,
    instance: Option<u32>,
}

/// The head's reservation: bin, shadow time, extra room.
#[derive(Clone, Copy, Debug)]
struct Reservation {
    bin: Bin,
    shadow: SimTime,
    extra: Room,
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
    /// `backfill` allows. Returns whether any started.
    pub(super) fn backfill(&mut self, q: QueueId, head: JobSlot) -> bool {
        let mode = self.queues[q.index()].spec.backfill;
        if mode == Backfill::None {
            return false;
        }
        let head_id = match self.jobs.get(head) {
            Some(j) => j.id,
            None => return false,
        };
        let mut reservation = match mode {
            Backfill::Easy => match self.easy_reservation(q, head) {
                Some(r) => {
                    if let Some(j) = self.jobs.get_mut(head) {
                        j.reserved_at.get_or_insert(r.shadow);
                    }
                    Some(r)
                }
                None => return false,
            },
            _ => None,
        };
        let candidates: Vec<JobSlot> = self.queues[q.index()]
            .set
            .view(self.now)
            .jobs_in_submission_order()
            .filter(|j| j.id > head_id)
            .map(|j| JobSlot(j.slot))
            .collect();
        let mut placed = false;
        for slot in candidates {
            let Some(job) = self.jobs.get(slot) else { continue };
            if job.status != JobStatus::Runnable || job.spec.nodes.is_some() {
                continue;
            }
            let (estimate, need) = (job.estimate, job.resources);
            if mode == Backfill::Easy && estimate.is_none() {
                continue;
            }
            let Some((ce, placement)) = self.find_ce(q, slot) else {
                continue;
            };
            if let Some(res) = reservation.as_mut() {
                let bin = match &placement {
                    Placement::Task => Some(Bin { ce, instance: None }),
                    Placement::Instance(Ec2Placement::Ready(id) | Ec2Placement::Launching(id)) => Some(Bin {
                        ce,
                        instance: Some(*id),
                    }),
                    _ => None,
                };
                if bin == Some(res.bin) {
                    let start = self.running_from_now(ce, &placement);
                    let ends_in_time = estimate.is_some_and(|e| start + e <= res.shadow);
                    let room = room_of(&need, res.bin.instance.is_none());
                    if !ends_in_time {
                        if !res.extra.holds(&room) {
                            continue;
                        }
                        res.extra.take(&room);
                    }
                }
            }
            match placement {
                Placement::Task => self.dispatch(slot, ce, Vec::new()),
                p => self.place_on_instances(slot, ce, p),
            }
            placed = true;
        }
        placed
    }

    /// When an attempt placed now would reach RUNNING.
    fn running_from_now(&self, ce: CeId, placement: &Placement) -> SimTime {
        let startup = self.ces[ce.index()].spec.startup;
        let ready = match placement {
            Placement::Instance(Ec2Placement::Launching(_)) => self.now + self.ces[ce.index()].spec.instance_launch,
            _ => self.now,
        };
        ready + startup
    }

    /// The head's reservation on the bin where it could start earliest, or `None` when it
    /// can start on none of them (or a running attempt there has no estimate).
    fn easy_reservation(&self, q: QueueId, head: JobSlot) -> Option<Reservation> {
        let job = self.jobs.get(head)?;
        let need = job.resources;
        let mut best: Option<Reservation> = None;
        for &ce in &self.queues[q.index()].spec.compute_environments {
            let c = &self.ces[ce.index()];
            if !c.enabled() || !self.ce_could_ever_run(ce, job) {
                continue;
            }
            let bins: Vec<(Bin, Room, Vec<u32>)> = match &c.pool {
                None => {
                    let free = (u64::from(c.spec.max_vcpus) * 1000).saturating_sub(c.used_millivcpus);
                    vec![(
                        Bin { ce, instance: None },
                        vcpu_room(free),
                        c.attempts.iter().copied().collect(),
                    )]
                }
                Some(pool) => pool
                    .instances
                    .iter()
                    .filter(|(_, i)| {
                        i.ready && !i.noticed && pool.types[i.type_index].room.holds(&room_of(&need, false))
                    })
                    .map(|(id, i)| {
                        (
                            Bin {
                                ce,
                                instance: Some(*id),
                            },
                            i.free,
                            i.running.iter().map(|r| r.0).collect(),
                        )
                    })
                    .collect(),
            };
            for (bin, free, attempts) in bins {
                let r = self.shadow(bin, free, &attempts, &need)?;
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
    fn shadow(&self, bin: Bin, free: Room, slots: &[u32], need: &Resources) -> Option<Reservation> {
        let startup = self.ces[bin.ce.index()].spec.startup;
        let mut ends: Vec<(SimTime, Room)> = Vec::with_capacity(slots.len());
        for &s in slots {
            let job = self.jobs.get(JobSlot(s))?;
            let a = job.attempt.as_ref()?;
            let running = a.running_at.unwrap_or(a.dispatched_at + startup);
            let end = (running + job.estimate?).max(self.now);
            let taken = a
                .rooms
                .iter()
                .find(|(id, _)| Some(*id) == bin.instance)
                .map_or(job.resources, |(_, r)| *r);
            ends.push((end, room_of(&taken, bin.instance.is_none())));
        }
        ends.sort_by_key(|(t, _)| *t);
        let want = room_of(need, bin.instance.is_none());
        let mut room = free;
        let mut shadow = if room.holds(&want) { Some(self.now) } else { None };
        let mut i = 0;
        while shadow.is_none() && i < ends.len() {
            let t = ends[i].0;
            while i < ends.len() && ends[i].0 == t {
                room.give(&ends[i].1);
                i += 1;
            }
            if room.holds(&want) {
                shadow = Some(t);
            }
        }
        let shadow = shadow?;
        // Everything free at the shadow time: attempts ending exactly then free their room too.
        while i < ends.len() && ends[i].0 == shadow {
            room.give(&ends[i].1);
            i += 1;
        }
        room.take(&want);
        Some(Reservation {
            bin,
            shadow,
            extra: room,
        })
    }

    /// Heads that started later than their first EASY reservation (should stay 0 when
    /// estimates hold, as a trace's raised requested time and timeouts do).
    pub fn reservation_misses(&self) -> u64 {
        self.reservation_misses
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
