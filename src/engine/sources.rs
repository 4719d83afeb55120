//! The workload's sources: every entry's next submission (single submissions, lazily
//! generated streams, traces read line by line), merged in (time, entry) order, with the
//! random streams that draw each attempt's runtime.

use super::jobs::JobSpec;
use crate::model::job_definition::JobDefinitionId;
use crate::model::{QueueId, Resources};
use crate::time::{SimDuration, SimTime};
use crate::workload::arrivals::ArrivalClock;
use crate::workload::rng::{stream, StreamKind};
use crate::workload::runtime::AttemptPlan;
use crate::workload::trace::{TraceReader, TraceRecord};
use crate::workload::{JobTemplate, RuntimeModel, WorkloadEntry};
use rand_chacha::ChaCha8Rng;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;

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
        reader: Box<TraceReader>,
        next: Option<TraceRecord>,
        last: SimTime,
    },
}

pub(super) struct EntryState {
    pub(super) template: Arc<JobTemplate>,
    pub(super) runtime: Option<RuntimeModel>,
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
    pub(super) queue: QueueId,
    pub(super) def_id: JobDefinitionId,
    pub(super) spec: Arc<JobSpec>,
    pub(super) resources: Resources,
    pub(super) priority: u32,
    pub(super) fair: bool,
}

/// One submission due now, from workload entry `entry`.
pub struct Submission {
    /// The workload entry.
    pub entry: u32,
    /// For trace entries: the line.
    pub record: Option<Box<TraceRecord>>,
}

/// Every workload entry's next submission, merged in (time, entry) order.
pub(crate) struct Sources {
    pub(super) entries: Vec<EntryState>,
    heap: BinaryHeap<Reverse<(SimTime, u32)>>,
    pub trace_errors: Vec<String>,
    /// Runtimes of jobs submitted through the library API: first attempts, retries.
    pub api_runtimes: ChaCha8Rng,
    api_retries: ChaCha8Rng,
}

impl Sources {
    pub fn new(workload: &[WorkloadEntry], seed: u64) -> Result<Sources, String> {
        let mut s = Sources {
            entries: Vec::new(),
            heap: BinaryHeap::new(),
            trace_errors: Vec::new(),
            api_runtimes: stream(seed, StreamKind::Api, 0),
            api_retries: stream(seed, StreamKind::Api, 1),
        };
        for (i, e) in workload.iter().enumerate() {
            let idx = i as u64;
            let (template, runtime, kind) = match e {
                WorkloadEntry::Submission { at, template, runtime } => {
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
                WorkloadEntry::Trace { path, format, template } => {
                    let reader = TraceReader::open(path, *format).map_err(|e| e.to_string())?;
                    (
                        template,
                        None,
                        EntryKind::Trace {
                            reader: Box::new(reader),
                            next: None,
                            last: SimTime::ZERO,
                        },
                    )
                }
            };
            s.entries.push(EntryState {
                template: Arc::new(template.clone()),
                runtime,
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
                        // A log whose submit times go backwards is replayed in file order.
                        let t = SimTime::from_millis(r.submit_ms).max(*last);
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

    /// Draws a first-attempt plan for entry `i`.
    pub(super) fn first_plan(&mut self, i: u32) -> AttemptPlan {
        let e = &mut self.entries[i as usize];
        match &e.runtime {
            Some(m) => m.sample(&mut e.runtime_rng),
            None => AttemptPlan {
                runtime: SimDuration::ZERO,
                exit_code: 0,
            },
        }
    }

    /// Draws the plan of a retry of a job from entry `i` (`first` for traces).
    pub fn retry_plan(&mut self, i: u32, first: AttemptPlan, own: Option<&RuntimeModel>) -> AttemptPlan {
        if let Some(m) = own {
            return m.sample(&mut self.api_retries);
        }
        let e = &mut self.entries[i as usize];
        match &e.runtime {
            Some(m) => m.sample(&mut e.retry_rng),
            None => first,
        }
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
