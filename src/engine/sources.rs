//! The workload's sources: every entry's next submission (single submissions, lazily
//! generated streams, traces read line by line), merged in (time, entry) order, with the
//! random streams that draw each attempt's runtime.

use super::jobs::JobSpec;
use crate::model::job_definition::JobDefinitionId;
use crate::time::{SimDuration, SimTime};
use crate::workload::arrivals::ArrivalClock;
use crate::workload::rng::{stream, StreamKind};
use crate::workload::runtime::AttemptPlan;
use crate::workload::trace::{TraceError, TraceReader, TraceRecord};
use crate::workload::{ChildAttempts, JobTemplate, RecordedAttempt, RuntimeModel, TraceFormat, WorkloadEntry};
use rand_chacha::ChaCha8Rng;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;

#[derive(Clone)]
pub(super) enum EntryKind {
    Once {
        at: SimTime,
        done: bool,
    },
    Stream {
        clock: ArrivalClock,
        rng: Box<ChaCha8Rng>,
        next: Option<SimTime>,
    },
    Trace {
        reader: ReplayableTrace,
        next: Option<TraceRecord>,
        last: SimTime,
    },
}

/// A trace reader that can be copied (for [`super::Simulation`]'s `Clone`): a copy opens the
/// file again and reads it up to the same point, so both go on from the same line.
pub(super) struct ReplayableTrace {
    /// `None` in a copy that could not reopen the file: the entry ends there.
    reader: Option<Box<TraceReader>>,
    path: std::path::PathBuf,
    format: TraceFormat,
    /// Calls of `next` so far.
    reads: u64,
    /// A copy that could not reopen the file: the original's warnings then, and why.
    lost: Vec<String>,
    /// Submissions whose submit time was earlier than the line before (replayed in file
    /// order, at the time before), and the most one was moved, in milliseconds.
    late: (u64, u64),
}

impl ReplayableTrace {
    fn open(path: &std::path::Path, format: TraceFormat) -> Result<ReplayableTrace, TraceError> {
        let reader = TraceReader::open(path, format)?;
        Ok(ReplayableTrace {
            reader: Some(Box::new(reader)),
            path: path.to_path_buf(),
            format,
            reads: 0,
            lost: Vec::new(),
            late: (0, 0),
        })
    }

    fn next(&mut self) -> Option<Result<TraceRecord, TraceError>> {
        let r = self.reader.as_mut()?;
        self.reads += 1;
        r.next()
    }

    fn warnings(&self) -> Vec<String> {
        let mut w = self.reader.as_ref().map(|r| r.warnings()).unwrap_or_default();
        let (count, most_ms) = self.late;
        // (A copy that lost its reader carries the original's warnings, this one included.)
        if let Some(name) = self.reader.as_ref().map(|r| r.file_name()).filter(|_| count > 0) {
            let (s, were) = if count == 1 { ("", "was") } else { ("s", "were") };
            w.push(format!(
                "trace {name}: {count} submission{s} with a submit time earlier than the line before {were} submitted in file order, at most {} s late",
                crate::time::SimDuration::from_millis(most_ms)
            ));
        }
        w.extend(self.lost.iter().cloned());
        w
    }

    /// A submission at `submit_ms` replayed at `at_ms`, the time of the line before.
    fn note_late(&mut self, submit_ms: u64, at_ms: u64) {
        if at_ms > submit_ms {
            self.late.0 += 1;
            self.late.1 = self.late.1.max(at_ms - submit_ms);
        }
    }
}

impl Clone for ReplayableTrace {
    fn clone(&self) -> Self {
        let reopened = self.reader.as_ref().map(|_| TraceReader::open(&self.path, self.format));
        let (reader, lost) = match reopened {
            None => (None, self.lost.clone()),
            Some(Ok(mut r)) => {
                for _ in 0..self.reads {
                    if r.next().is_none() {
                        break;
                    }
                }
                (Some(Box::new(r)), Vec::new())
            }
            Some(Err(e)) => {
                let mut lost = self.warnings();
                lost.push(format!(
                    "{e}: a copy of the simulation could not reopen the trace; the rest of it was not replayed"
                ));
                (None, lost)
            }
        };
        ReplayableTrace {
            reader,
            path: self.path.clone(),
            format: self.format,
            reads: self.reads,
            lost,
            late: self.late,
        }
    }
}

#[derive(Clone)]
pub(super) struct EntryState {
    pub(super) template: Arc<JobTemplate>,
    pub(super) runtime: Option<RuntimeModel>,
    /// A history's recorded attempts of this submission, replayed in order (`None` for
    /// drawn runtimes).
    pub(super) recorded: Option<Arc<[RecordedAttempt]>>,
    /// An array submission replaying a history: each child's recorded attempts, looked up
    /// by array index at dispatch (`None` otherwise).
    pub(super) children: Option<Arc<ChildAttempts>>,
    pub(super) kind: EntryKind,
    pub(super) runtime_rng: ChaCha8Rng,
    pub(super) retry_rng: ChaCha8Rng,
    /// The spec built for the last resolved job definition (streams reuse it).
    pub(super) spec: Option<(JobDefinitionId, Arc<JobSpec>)>,
    /// The last submission's resolution, valid while the configuration generation holds.
    pub(super) prepared: Option<(u64, Prepared)>,
}

/// What a submission resolves to (cached per workload entry).
#[derive(Clone)]
pub(super) struct Prepared {
    /// The job spec: queue, resources, priority, name, share, definition.
    pub(super) spec: Arc<JobSpec>,
    /// The queue is a fair-share queue.
    pub(super) fair: bool,
}

/// One submission due now, from workload entry `entry`.
pub(crate) struct Submission {
    /// The workload entry.
    pub entry: u32,
    /// For trace entries: the line.
    pub record: Option<Box<TraceRecord>>,
}

/// Every workload entry's next submission, merged in (time, entry) order.
#[derive(Clone)]
pub(crate) struct Sources {
    pub(super) entries: Vec<EntryState>,
    heap: BinaryHeap<Reverse<(SimTime, u32)>>,
    pub trace_errors: Vec<String>,
    /// Runtimes of jobs submitted through the library API: first attempts, retries.
    api_runtimes: ChaCha8Rng,
    api_retries: ChaCha8Rng,
    /// Whether any entry carries recorded attempts (the dispatch path asks only then).
    pub(super) replaying: bool,
}

impl Sources {
    pub fn new(workload: &[WorkloadEntry], seed: u64) -> Result<Sources, TraceError> {
        let mut s = Sources {
            entries: Vec::new(),
            heap: BinaryHeap::new(),
            trace_errors: Vec::new(),
            api_runtimes: stream(seed, StreamKind::Api, 0),
            api_retries: stream(seed, StreamKind::Api, 1),
            replaying: false,
        };
        for (i, e) in workload.iter().enumerate() {
            let idx = i as u64;
            let mut recorded = None;
            let mut children = None;
            let (template, runtime, kind) = match e {
                WorkloadEntry::Submission {
                    at,
                    template,
                    runtime,
                    recorded: attempts,
                    child_recorded,
                } => {
                    if !attempts.is_empty() {
                        recorded = Some(Arc::from(attempts.as_slice()));
                        s.replaying = true;
                    }
                    if !child_recorded.is_empty() {
                        children = Some(Arc::new(child_recorded.clone()));
                        s.replaying = true;
                    }
                    (template, Some(*runtime), EntryKind::Once { at: *at, done: false })
                }
                WorkloadEntry::Stream {
                    arrivals,
                    start,
                    end,
                    count,
                    template,
                    runtime,
                } => {
                    let mut rng = stream(seed, StreamKind::Arrivals, idx);
                    let mut clock = ArrivalClock::new(*arrivals, *start, *end, *count, &mut rng);
                    let next = clock.next_arrival(&mut rng);
                    (
                        template,
                        Some(*runtime),
                        EntryKind::Stream {
                            clock,
                            rng: Box::new(rng),
                            next,
                        },
                    )
                }
                WorkloadEntry::Trace {
                    path, format, template, ..
                } => {
                    let reader = ReplayableTrace::open(path, *format)?;
                    (
                        template,
                        None,
                        EntryKind::Trace {
                            reader,
                            next: None,
                            last: SimTime::ZERO,
                        },
                    )
                }
            };
            s.entries.push(EntryState {
                template: Arc::new(template.clone()),
                runtime,
                recorded,
                children,
                kind,
                runtime_rng: stream(seed, StreamKind::Runtimes, idx),
                retry_rng: stream(seed, StreamKind::Retries, idx),
                spec: None,
                prepared: None,
            });
            s.advance(i as u32);
        }
        Ok(s)
    }

    /// Puts entry `i`'s next submission time on the heap.
    fn advance(&mut self, i: u32) {
        let e = &mut self.entries[i as usize];
        let next = match &mut e.kind {
            EntryKind::Once { at, done } => (!*done).then_some(*at),
            EntryKind::Stream { next, .. } => *next,
            EntryKind::Trace { reader, next, last } => {
                *next = None;
                match reader.next() {
                    Some(Ok(r)) => {
                        // A log whose submit times go backwards is replayed in file order
                        // (and the report's warnings say how many and by how much).
                        let t = SimTime::from_millis(r.submit_ms).max(*last);
                        reader.note_late(r.submit_ms, t.as_millis());
                        *last = t;
                        *next = Some(r);
                        Some(t)
                    }
                    Some(Err(err)) => {
                        self.trace_errors
                            .push(format!("{err}; the rest of the trace was not replayed"));
                        None
                    }
                    None => None,
                }
            }
        };
        if let Some(t) = next {
            self.heap.push(Reverse((t, i)));
        }
    }

    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|Reverse((t, _))| *t)
    }

    /// Takes the submission due at `t` with the lowest entry index.
    pub fn pop(&mut self, t: SimTime) -> Option<Submission> {
        let mut top = self.heap.peek_mut()?;
        let Reverse((at, i)) = *top;
        debug_assert_eq!(at, t);
        if let EntryKind::Stream { clock, rng, next } = &mut self.entries[i as usize].kind {
            // A stream's next arrival replaces it on the heap in place (one sift, no pop and
            // push).
            *next = clock.next_arrival(rng.as_mut());
            match *next {
                Some(n) => *top = Reverse((n, i)),
                None => {
                    std::collections::binary_heap::PeekMut::pop(top);
                }
            }
            return Some(Submission { entry: i, record: None });
        }
        std::collections::binary_heap::PeekMut::pop(top);
        let e = &mut self.entries[i as usize];
        let record = match &mut e.kind {
            EntryKind::Once { done, .. } => {
                *done = true;
                None
            }
            EntryKind::Stream { clock, rng, next } => {
                *next = clock.next_arrival(rng.as_mut());
                None
            }
            EntryKind::Trace { next, .. } => next.take().map(Box::new),
        };
        self.advance(i);
        Some(Submission { entry: i, record })
    }

    /// Draws a first-attempt plan for a job of entry `i`, or from `own` (a job submitted
    /// through the library API carries its own model; its entry is not a workload entry).
    pub(super) fn first_plan(&mut self, i: u32, own: Option<&RuntimeModel>) -> AttemptPlan {
        if let Some(m) = own {
            return m.sample(&mut self.api_runtimes);
        }
        match self.entries.get_mut(i as usize) {
            Some(EntryState {
                runtime: Some(m),
                runtime_rng,
                ..
            }) => m.sample(runtime_rng),
            _ => AttemptPlan {
                runtime: SimDuration::ZERO,
                exit_code: 0,
            },
        }
    }

    /// Draws the plan of a retry of a job from entry `i` (`first` for traces), or from `own`
    /// as [`Sources::first_plan`].
    pub fn retry_plan(&mut self, i: u32, first: AttemptPlan, own: Option<&RuntimeModel>) -> AttemptPlan {
        if let Some(m) = own {
            return m.sample(&mut self.api_retries);
        }
        match self.entries.get_mut(i as usize) {
            Some(EntryState {
                runtime: Some(m),
                retry_rng,
                ..
            }) => m.sample(retry_rng),
            _ => first,
        }
    }

    /// The recorded attempts of entry `i`'s job (array child `child`: its own, from
    /// `runtime.childAttempts`, else the entry's), when it replays a history.
    pub(super) fn recorded(&self, i: u32, child: Option<u32>) -> Option<&[RecordedAttempt]> {
        let e = self.entries.get(i as usize)?;
        child
            .and_then(|c| e.children.as_ref()?.get(c))
            .or(e.recorded.as_deref())
    }

    /// The plan of the attempt that replays recorded attempt number `replayed` (0-based) of
    /// entry `i`'s job (array child `child`): its run time (the exit code is
    /// [`RecordedAttempt::exit_code`], read when the attempt ends); `None` unless the job
    /// replays a history.
    pub(super) fn replay_plan(&self, i: u32, child: Option<u32>, replayed: u8) -> Option<AttemptPlan> {
        let a = RecordedAttempt::pick(self.recorded(i, child)?, usize::from(replayed))?;
        Some(AttemptPlan {
            runtime: a.runtime,
            exit_code: a.exit_code.unwrap_or(0),
        })
    }

    /// Warnings of trace readers (skipped lines, read errors).
    pub fn warnings(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for e in &self.entries {
            if let EntryKind::Trace { reader, .. } = &e.kind {
                out.extend(reader.warnings());
            }
        }
        out.extend(self.trace_errors.iter().cloned());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_for_an_index_that_is_no_workload_entry_are_drawn_without_panic() {
        let mut s = Sources::new(&[], 7).expect("no traces");
        let zero = AttemptPlan {
            runtime: SimDuration::ZERO,
            exit_code: 0,
        };
        assert_eq!(s.first_plan(u32::MAX, None), zero);
        let own = RuntimeModel::fixed(12.0);
        let p = s.first_plan(u32::MAX, Some(&own));
        assert_eq!(p.runtime, SimDuration::from_secs(12));
        let first = AttemptPlan {
            runtime: SimDuration::from_secs(3),
            exit_code: 1,
        };
        assert_eq!(s.retry_plan(u32::MAX, first, None), first);
        assert_eq!(
            s.retry_plan(u32::MAX, first, Some(&own)).runtime,
            SimDuration::from_secs(12)
        );
    }
}
