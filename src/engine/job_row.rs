//! A job's row of the per-job table (CONTRACT section 5), made new or written over a kept one.
//!
//! A row names the job, its queue, share, definition and compute environment with shared
//! `Arc<str>`s. Made new, a row takes a clone of each (an atomic increment, and a decrement
//! when it is dropped: twelve a row). The command line's table writer only reads rows
//! (`Recorder`'s borrowed sink), so the recorder keeps its rows' places and has each new row
//! written over an old one: a name that is the same allocation as the one there stays, and
//! most rows of a run repeat the previous row's names.

use super::ce_set::CeSet;
use super::jobs::{Job, Reason};
use super::queue_set::QueueSet;
use super::Simulation;
use crate::report::JobRecord;
use std::sync::Arc;

impl Simulation {
    /// The per-job table row of a job.
    pub(super) fn record_of(&self, job: &Job) -> JobRecord {
        record_of(&self.queues, &self.ces, job)
    }
}

/// The per-job table row of `job`, made new.
pub(super) fn record_of(queues: &QueueSet, ces: &CeSet, job: &Job) -> JobRecord {
    // The names are the job's own, so `fill_record` keeps them; it writes everything else.
    let mut r = JobRecord {
        job_id: job.id(),
        job_name: job.spec.name.clone(),
        job_queue: queues[job.queue()].name.clone(),
        share_identifier: job.spec.share.clone(),
        job_definition: job.spec.definition.clone(),
        compute_environment: None,
        status: job.status,
        status_reason: None,
        attempts: 0,
        resources: job.resources(),
        submitted_at: job.submitted_at,
        runnable_at: None,
        started_at: None,
        stopped_at: None,
        wait: None,
        dispatched_at: None,
        exit_code: None,
        cost: 0.0,
        command: job.spec.command.clone(),
    };
    fill_record(queues, ces, job, &mut r);
    r
}

/// Writes `job`'s row over `r` (any row): each name replaced only when it is not the same
/// allocation already, every other cell written.
#[inline]
pub(super) fn fill_record(queues: &QueueSet, ces: &CeSet, job: &Job, r: &mut JobRecord) {
    keep_or_set(&mut r.job_name, &job.spec.name);
    keep_or_set(&mut r.job_queue, &queues[job.queue()].name);
    keep_or_set(&mut r.share_identifier, &job.spec.share);
    keep_or_set(&mut r.job_definition, &job.spec.definition);
    match (job.last_ce(), &mut r.compute_environment) {
        (Some(c), Some(kept)) => keep_or_set(kept, &ces[c].name),
        (Some(c), place) => *place = Some(ces[c].name.clone()),
        (None, place) => *place = None,
    }
    if !Arc::ptr_eq(&r.command, &job.spec.command) {
        r.command = job.spec.command.clone();
    }
    r.job_id = job.id();
    r.status = job.status;
    r.status_reason = job.status_reason().map(Reason::to_cow);
    r.attempts = job.attempts();
    r.resources = job.resources();
    r.submitted_at = job.submitted_at;
    r.runnable_at = job.runnable_at.get();
    r.started_at = job.started_at().get();
    r.stopped_at = job.stopped_at().get();
    r.wait = job
        .first_dispatch()
        .get()
        .zip(job.runnable_at.get())
        .map(|(d, r)| d.since(r));
    r.dispatched_at = job.first_dispatch().get();
    // A live attempt has not exited: the code of an earlier one is not the last's.
    r.exit_code = job.exit_code().filter(|_| job.attempt().is_none());
    r.cost = job.cost();
}

/// `name` in `place`, which is left alone when it already is that allocation.
#[inline(always)]
fn keep_or_set(place: &mut Arc<str>, name: &Arc<str>) {
    if !Arc::ptr_eq(place, name) {
        *place = name.clone();
    }
}
