//! The per-attempt table (`batchsim run --attempts FILE`): one row per dispatch of a job, for
//! analysis next to the per-job table.
//!
//! The per-job table (CONTRACT section 5) keeps the contract's columns; what a row per job
//! cannot hold (every attempt's dispatch and end, the instance it ran on, its exit code and
//! its cost) is here. AWS's `describe-jobs` lists a job's `attempts` the same way
//! (`AttemptDetail`: `startedAt`, `stoppedAt`, `statusReason`, `container.exitCode`), but
//! only for attempts that reached RUNNING; this table also has the dispatches that ended
//! while STARTING (a Spot reclaim, a termination), with an empty `startedAt`. So the rows
//! with a `startedAt` of one job are its job row's `attempts`.

use super::csv_row::Cells;
use crate::model::{JobId, JobStatus};
use crate::time::SimTime;
use std::io::{self, Write};

/// The header line of the attempt table.
pub const HEADER: &str = "jobId,jobName,attempt,jobQueue,shareIdentifier,computeEnvironment,instanceIds,instanceTypes,dispatchedAt,startedAt,stoppedAt,status,exitCode,statusReason,cost";

/// One attempt: a dispatch of a job to a compute environment, to its end (or to the end of
/// the run).
#[derive(Clone, Debug, PartialEq)]
pub struct AttemptRecord {
    /// The job's id.
    pub job_id: JobId,
    /// `jobName`.
    pub job_name: String,
    /// 1 for the job's first dispatch, 2 for the next, ... (dispatches that ended while
    /// STARTING count here, unlike the job row's `attempts`).
    pub attempt: u32,
    /// `jobQueue` name.
    pub job_queue: String,
    /// `shareIdentifier` (empty on FIFO queues).
    pub share_identifier: String,
    /// Compute environment name.
    pub compute_environment: String,
    /// EC2/SPOT: the instances it ran on (one per node), AWS-style ids; empty on Fargate.
    pub instance_ids: Vec<String>,
    /// EC2/SPOT: their instance types, in the same order.
    pub instance_types: Vec<String>,
    /// Dispatch (STARTING).
    pub dispatched_at: SimTime,
    /// RUNNING, if reached.
    pub started_at: Option<SimTime>,
    /// End of the attempt (`None`: still STARTING or RUNNING when the run stopped).
    pub stopped_at: Option<SimTime>,
    /// SUCCEEDED or FAILED when it ended; STARTING or RUNNING when the run stopped first.
    pub status: JobStatus,
    /// The container's exit code, when it exited (not for timeouts, reclaims, terminations).
    pub exit_code: Option<i32>,
    /// The attempt's status reason (`Essential container in task exited`, the reclaim or
    /// timeout reason, ...; empty while live).
    pub status_reason: Option<String>,
    /// Dollars attributed to the attempt ([`crate::report::CostReport`]).
    pub cost: f64,
}

/// One row, in the job table's dialect and number forms ([`super::csv`]).
fn write_row<W: Write>(w: &mut Cells<W>, r: &AttemptRecord) -> io::Result<()> {
    match r.job_id.array_index {
        None => w.uint(r.job_id.submission),
        Some(i) => w.uint_pair(r.job_id.submission, b':', i),
    }
    w.text(r.job_name.as_bytes());
    w.uint(u64::from(r.attempt));
    w.text(r.job_queue.as_bytes());
    w.text(r.share_identifier.as_bytes());
    w.text(r.compute_environment.as_bytes());
    w.text(r.instance_ids.join(" ").as_bytes());
    w.text(r.instance_types.join(" ").as_bytes());
    w.millis(Some(r.dispatched_at.as_millis()));
    w.millis(r.started_at.map(SimTime::as_millis));
    w.millis(r.stopped_at.map(SimTime::as_millis));
    w.plain(r.status.as_str().as_bytes());
    match r.exit_code {
        Some(c) => w.int(i64::from(c)),
        None => w.empty(),
    }
    w.text(r.status_reason.as_deref().unwrap_or("").as_bytes());
    // The shortest form that reads back as the same f64: rounding to cents would hide
    // Fargate's per-second bills.
    w.display(r.cost);
    w.end_row()
}

/// An attempt table written row by row (the command line streams rows as attempts end).
pub struct AttemptWriter<W: Write> {
    w: Cells<W>,
}

impl<W: Write> AttemptWriter<W> {
    /// Starts a table on `out` with the header line.
    pub fn new(out: W) -> io::Result<AttemptWriter<W>> {
        let mut w = Cells::new(out);
        w.header(HEADER)?;
        Ok(AttemptWriter { w })
    }

    /// Writes one row.
    pub fn row(&mut self, r: &AttemptRecord) -> io::Result<()> {
        write_row(&mut self.w, r)
    }

    /// Writes what is buffered, flushes it and hands the output back.
    pub fn finish(self) -> io::Result<W> {
        self.w.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_has_every_column_and_empty_cells_for_missing_values() {
        let r = AttemptRecord {
            job_id: JobId::child(7, 2),
            job_name: "render, final".into(),
            attempt: 2,
            job_queue: "q".into(),
            share_identifier: String::new(),
            compute_environment: "spot".into(),
            instance_ids: vec!["i-0000000100000003".into()],
            instance_types: vec!["m5.large".into()],
            dispatched_at: SimTime::from_millis(120_000),
            started_at: None,
            stopped_at: Some(SimTime::from_millis(125_500)),
            status: JobStatus::Failed,
            exit_code: None,
            status_reason: Some("Host EC2 (instance i-0000000100000003) terminated.".into()),
            cost: 0.000_066,
        };
        let mut w = AttemptWriter::new(Vec::new()).expect("memory");
        w.row(&r).expect("memory");
        let text = String::from_utf8(w.finish().expect("memory")).expect("UTF-8");
        assert_eq!(
            text,
            format!(
                "{HEADER}\n7:2,\"render, final\",2,q,,spot,i-0000000100000003,m5.large,120,,125.5,FAILED,,\
                 Host EC2 (instance i-0000000100000003) terminated.,0.000066\n"
            )
        );
        assert_eq!(HEADER.split(',').count(), 15);
    }
}
