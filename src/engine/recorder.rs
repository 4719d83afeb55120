//! The per-job table as the run goes: rows in submission order, each given out as soon as
//! its job and every job submitted before it have ended.
//!
//! Jobs end out of order, and the table (CONTRACT section 5) is in order of submission. The
//! recorder keeps a window from the oldest job whose row is not out yet to the newest job:
//! a live job holds its place (its slot), an ended one its finished row. Whenever the front
//! of the window is a finished row, it goes out, to the sink when one is set (the command
//! line writes it to the file at once), else to a list the library hands back. Nothing is
//! sorted, and with a sink the memory is that of the window, not of the run: in an M/M/c run
//! it holds the jobs submitted since the oldest job still in flight.

use super::jobs::JobSlot;
use crate::report::JobRecord;
use std::collections::VecDeque;

/// Where rows go once they are final, in submission order.
pub(crate) enum RecordSink {
    /// Takes each row (the library's [`crate::Simulation::set_record_sink`]).
    Owned(Box<dyn FnMut(JobRecord) + Send>),
    /// Reads each row, dropped after (the command line's table writer): a row that waited
    /// is read where it waited, one that goes out at once is never moved (a row is about
    /// 250 bytes, and its moves were a tenth of the table's cost).
    Borrowed(Box<dyn FnMut(&JobRecord) + Send>),
}

impl RecordSink {
    /// Gives `record` to the sink.
    #[inline]
    fn send(&mut self, record: JobRecord) {
        match self {
            RecordSink::Owned(sink) => sink(record),
            RecordSink::Borrowed(sink) => sink(&record),
        }
    }
}

/// A place in the window: 8 bytes (a queued job of a run writing `--jobs` holds one).
#[derive(Clone, Copy)]
enum Row {
    /// The job is live in this slot (its row is made when asked, or when it ends).
    Live(JobSlot),
    /// The job has ended; its row waits at this index of `ended`.
    Done(u32),
}

/// `fill` writes over the row in `place`, or `make` makes one when there is none.
#[inline]
fn write_over(place: &mut Option<JobRecord>, make: impl FnOnce() -> JobRecord, fill: impl FnOnce(&mut JobRecord)) {
    match place {
        Some(kept) => fill(kept),
        None => *place = Some(make()),
    }
}

/// The per-job table being written.
#[derive(Default)]
pub(crate) struct Recorder {
    window: VecDeque<Row>,
    /// Rows of jobs that ended before an older one, waiting for their turn, in reused
    /// places (`free`): no allocation per row once the run's most have been seen (a box
    /// per row was most of the table's cost beside the cells).
    /// With a reading sink, a free place keeps the last row it held, to be written over.
    ended: Vec<Option<JobRecord>>,
    free: Vec<u32>,
    /// With a reading sink, the last row that went out at once, to be written over.
    scratch: Option<JobRecord>,
    /// The row number (0-based, in submission order) of `window[0]`.
    first: u64,
    /// Rows out of the window, when no sink is set.
    done: Vec<JobRecord>,
    sink: Option<RecordSink>,
}

impl Clone for Recorder {
    /// A fork keeps the rows but not the sink (a sink writes one run's table).
    fn clone(&self) -> Self {
        Recorder {
            window: self.window.clone(),
            ended: self.ended.clone(),
            free: self.free.clone(),
            scratch: None,
            first: self.first,
            done: self.done.clone(),
            sink: None,
        }
    }
}

impl Recorder {
    /// Sends every row from now on to `sink` (rows already out are sent first).
    pub fn set_sink(&mut self, mut sink: RecordSink) {
        for r in self.done.drain(..) {
            sink.send(r);
        }
        self.sink = Some(sink);
    }

    /// A new schedulable job in `slot`: returns its row number.
    pub fn admit(&mut self, slot: JobSlot) -> u64 {
        self.window.push_back(Row::Live(slot));
        self.first + self.window.len() as u64 - 1
    }

    /// Row `row` is final; rows at the front that are final go out.
    pub fn finished(&mut self, row: u64, record: JobRecord) {
        if self.take_oldest(row) {
            // The oldest row: out at once, without waiting in `ended`.
            self.emit(record);
        } else {
            self.wait(row, |place| *place = Some(record));
        }
        self.send_final_rows();
    }

    /// Row `row` is final, as [`Recorder::finished`] with the row `make` makes. With a
    /// reading sink, `fill` writes the row over one kept instead (the last row that went out
    /// at once, or the last a reused place held), so that its names, most often the same
    /// allocations, are not cloned and dropped again (`job_row.rs`); `make` is called only
    /// when there is none yet.
    pub fn finished_with(&mut self, row: u64, make: impl FnOnce() -> JobRecord, fill: impl FnOnce(&mut JobRecord)) {
        if !matches!(self.sink, Some(RecordSink::Borrowed(_))) {
            return self.finished(row, make());
        }
        if self.take_oldest(row) {
            write_over(&mut self.scratch, make, fill);
            if let (Some(RecordSink::Borrowed(sink)), Some(record)) = (&mut self.sink, &self.scratch) {
                sink(record);
            }
        } else {
            self.wait(row, |place| write_over(place, make, fill));
        }
        self.send_final_rows();
    }

    /// Whether `row` is the oldest row of the window; if so it leaves the window.
    fn take_oldest(&mut self, row: u64) -> bool {
        let oldest = row == self.first && !self.window.is_empty();
        if oldest {
            self.window.pop_front();
            self.first += 1;
        }
        oldest
    }

    /// Row `row` (not the oldest) waits for its turn: `write` puts it in a place of `ended`
    /// (a reused one when there is one: it may hold an old row, to be written over).
    fn wait(&mut self, row: u64, write: impl FnOnce(&mut Option<JobRecord>)) {
        let Some(i) = row
            .checked_sub(self.first)
            .map(|i| i as usize)
            .filter(|&i| i < self.window.len())
        else {
            debug_assert!(false, "row {row} is not in the window");
            return;
        };
        let at = match self.free.pop() {
            Some(at) => at,
            None => {
                self.ended.push(None);
                self.ended.len() as u32 - 1
            }
        };
        if let Some(place) = self.ended.get_mut(at as usize) {
            write(place);
        }
        self.window[i] = Row::Done(at);
    }

    /// The rows at the front of the window that are final go out.
    fn send_final_rows(&mut self) {
        while let Some(&Row::Done(at)) = self.window.front() {
            self.window.pop_front();
            self.first += 1;
            match &mut self.sink {
                // Read where it waited, and kept there to be written over: no move.
                Some(RecordSink::Borrowed(sink)) => {
                    if let Some(record) = self.ended.get(at as usize).and_then(Option::as_ref) {
                        sink(record);
                    } else {
                        debug_assert!(false, "an ended row taken twice");
                    }
                    self.free.push(at);
                }
                _ => {
                    if let Some(record) = self.take_ended(at) {
                        self.emit(record);
                    }
                }
            }
        }
    }

    /// The waiting row at `at`, taken (its place is free again).
    fn take_ended(&mut self, at: u32) -> Option<JobRecord> {
        let record = self.ended.get_mut(at as usize)?.take();
        debug_assert!(record.is_some(), "an ended row taken twice");
        self.free.push(at);
        record
    }

    fn emit(&mut self, record: JobRecord) {
        match self.sink.as_mut() {
            Some(sink) => sink.send(record),
            None => self.done.push(record),
        }
    }

    /// The final state of ended job `id`, from the rows kept (not those given to a sink).
    pub fn ended_status(&self, id: crate::model::JobId) -> Option<crate::model::JobStatus> {
        let kept = self.done.iter().rev().find(|r| r.job_id == id).map(|r| r.status);
        kept.or_else(|| {
            self.window.iter().find_map(|r| match r {
                Row::Done(at) => self.ended[*at as usize]
                    .as_ref()
                    .filter(|r| r.job_id == id)
                    .map(|r| r.status),
                Row::Live(_) => None,
            })
        })
    }

    /// Every row not given to the sink, in submission order; live jobs' rows come from
    /// `live` (their state now).
    pub fn rows(&self, live: impl Fn(JobSlot) -> Option<JobRecord>) -> Vec<JobRecord> {
        let mut out = self.done.clone();
        out.extend(self.window.iter().filter_map(|r| match r {
            Row::Live(slot) => live(*slot),
            Row::Done(at) => self.ended[*at as usize].clone(),
        }));
        out
    }

    /// At the end of the run: every row still in the window goes out (live jobs with their
    /// state now), and the rows kept for the library are handed back.
    pub fn close(&mut self, live: impl Fn(JobSlot) -> Option<JobRecord>) -> Vec<JobRecord> {
        while let Some(r) = self.window.pop_front() {
            self.first += 1;
            let record = match r {
                Row::Live(slot) => live(slot),
                Row::Done(at) => self.take_ended(at),
            };
            if let Some(record) = record {
                self.emit(record);
            }
        }
        std::mem::take(&mut self.done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{JobId, JobStatus, Resources};
    use crate::time::SimTime;
    use std::sync::{Arc, Mutex};

    fn record(n: u64) -> JobRecord {
        JobRecord {
            job_id: JobId::new(n),
            job_name: format!("j{n}").into(),
            job_queue: "q".into(),
            share_identifier: "".into(),
            job_definition: "d:1".into(),
            compute_environment: None,
            status: JobStatus::Succeeded,
            status_reason: None,
            attempts: 1,
            resources: Resources::new(1.0, 2048),
            submitted_at: SimTime::ZERO,
            runnable_at: None,
            started_at: None,
            stopped_at: None,
            wait: None,
            dispatched_at: None,
            exit_code: None,
            cost: 0.0,
            command: Vec::new().into(),
        }
    }

    /// A recorder whose sink collects the rows' submission numbers.
    fn sunk() -> (Recorder, Arc<Mutex<Vec<u64>>>) {
        let got = Arc::new(Mutex::new(Vec::new()));
        let mut r = Recorder::default();
        let sink = got.clone();
        r.set_sink(RecordSink::Owned(Box::new(move |rec| {
            sink.lock().expect("lock").push(rec.job_id.submission)
        })));
        (r, got)
    }

    /// The same with a sink that reads the rows.
    fn read() -> (Recorder, Arc<Mutex<Vec<u64>>>) {
        let got = Arc::new(Mutex::new(Vec::new()));
        let mut r = Recorder::default();
        let sink = got.clone();
        r.set_sink(RecordSink::Borrowed(Box::new(move |rec| {
            sink.lock().expect("lock").push(rec.job_id.submission)
        })));
        (r, got)
    }

    #[test]
    fn rows_come_out_in_submission_order_as_soon_as_they_can() {
        for (mut r, got) in [sunk(), read()] {
            in_order(&mut r, &got);
        }
    }

    fn in_order(r: &mut Recorder, got: &Mutex<Vec<u64>>) {
        let rows: Vec<u64> = (1..=4).map(|n| r.admit(JobSlot(n as u32))).collect();
        assert_eq!(rows, [0, 1, 2, 3]);
        r.finished(2, record(3));
        r.finished(1, record(2));
        assert!(got.lock().expect("lock").is_empty(), "job 1 is still live");
        r.finished(0, record(1));
        assert_eq!(*got.lock().expect("lock"), [1, 2, 3]);
        // Job 4 is live at the end: its row comes from its state then.
        let rest = r.close(|slot| Some(record(u64::from(slot.0))));
        assert!(rest.is_empty(), "everything went to the sink");
        assert_eq!(*got.lock().expect("lock"), [1, 2, 3, 4]);
    }

    /// Rows written over kept ones (a reading sink) are the rows given, in submission
    /// order, however many places are reused; a row is made only when none is kept.
    #[test]
    fn rows_written_over_kept_ones_are_the_rows_given() {
        let got = Arc::new(Mutex::new(Vec::new()));
        let mut r = Recorder::default();
        let sink = got.clone();
        r.set_sink(RecordSink::Borrowed(Box::new(move |rec| {
            sink.lock()
                .expect("lock")
                .push(format!("{}:{}", rec.job_id.submission, rec.job_name))
        })));
        let made = std::cell::Cell::new(0);
        let finish = |r: &mut Recorder, row: u64, n: u64| {
            r.finished_with(
                row,
                || {
                    made.set(made.get() + 1);
                    record(n)
                },
                |kept| *kept = record(n),
            )
        };
        // Three rounds of five jobs ending newest first: one row out at once a round, four
        // waiting, then every place reused.
        for round in 0..3u64 {
            let rows: Vec<u64> = (0..5).map(|i| r.admit(JobSlot((5 * round + i) as u32))).collect();
            for (i, row) in rows.iter().enumerate().rev() {
                finish(&mut r, *row, 5 * round + i as u64 + 1);
            }
        }
        let want: Vec<String> = (1..=15).map(|n| format!("{n}:j{n}")).collect();
        assert_eq!(*got.lock().expect("lock"), want);
        assert_eq!(made.get(), 5, "four waiting places and the one row out at once");
    }

    #[test]
    fn without_a_sink_rows_are_kept_and_listed_with_live_ones() {
        let mut r = Recorder::default();
        for n in 1..=3 {
            r.admit(JobSlot(n));
        }
        r.finished(1, record(2));
        let ids: Vec<u64> = r
            .rows(|slot| Some(record(10 + u64::from(slot.0))))
            .iter()
            .map(|x| x.job_id.submission)
            .collect();
        assert_eq!(ids, [11, 2, 13], "live rows in their place");
        r.finished(0, record(1));
        r.finished(2, record(3));
        let all: Vec<u64> = r.close(|_| None).iter().map(|x| x.job_id.submission).collect();
        assert_eq!(all, [1, 2, 3]);
    }

    /// Rows that end before an older one wait in reused places: 1,000 jobs ending each just
    /// before the one submitted ahead of it need one place, not 1,000.
    #[test]
    fn waiting_rows_reuse_their_places() {
        for (mut r, got) in [sunk(), read()] {
            for pair in 0..500u64 {
                let (a, b) = (2 * pair + 1, 2 * pair + 2);
                let (ra, rb) = (r.admit(JobSlot(a as u32)), r.admit(JobSlot(b as u32)));
                r.finished(rb, record(b));
                r.finished(ra, record(a));
            }
            assert_eq!(r.ended.len(), 1, "one place, reused");
            assert_eq!(*got.lock().expect("lock"), (1..=1000).collect::<Vec<u64>>());
        }
    }
}
