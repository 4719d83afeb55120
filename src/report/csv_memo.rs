//! What a job table remembers from one row to the next: the cells that repeat.
//!
//! A row's queue, share, definition, compute environment, status and status reason are most
//! often the previous row's (one queue and definition, the same reason for every job that
//! succeeded), and the names are shared `Arc<str>`s, so "the same as before" is a comparison
//! of addresses. [`QuoteMemo`] keeps the bytes of the last row's cells from `jobQueue` to
//! `statusReason` with what they were written from, and copies them when a row repeats them;
//! otherwise it writes the cells, remembering per name column whether the dialect quotes the
//! name (asking `csv_core` of each byte was a fifth of a row's cost; callgrind, M/M/100).
//!
//! A remembered name is held (an `Arc` clone), so its allocation cannot be reused for
//! another name while it is compared against; a status reason is remembered only when it is
//! a `'static` text, whose address is never another text's.

use super::csv_row::Cells;
use super::JobRecord;
use crate::model::JobStatus;
use std::borrow::Cow;
use std::io::Write;
use std::sync::Arc;

/// The name columns whose quoting is remembered, by index in [`QuoteMemo::names`].
const JOB_NAME: usize = 0;
const QUEUE: usize = 1;
const SHARE: usize = 2;
const DEFINITION: usize = 3;
const CE: usize = 4;

/// What a row's cells from `jobQueue` to `statusReason` were written from.
struct MiddleKey {
    queue: Arc<str>,
    share: Arc<str>,
    definition: Arc<str>,
    ce: Option<Arc<str>>,
    status: JobStatus,
    reason: Option<&'static str>,
}

impl MiddleKey {
    /// The key of `r`'s cells, when its status reason can be remembered (none, or
    /// `'static`).
    fn of(r: &JobRecord) -> Option<MiddleKey> {
        let reason = match &r.status_reason {
            None => None,
            Some(Cow::Borrowed(s)) => Some(*s),
            Some(Cow::Owned(_)) => return None,
        };
        Some(MiddleKey {
            queue: Arc::clone(&r.job_queue),
            share: Arc::clone(&r.share_identifier),
            definition: Arc::clone(&r.job_definition),
            ce: r.compute_environment.clone(),
            status: r.status,
            reason,
        })
    }

    /// Whether `r`'s cells are the ones this key wrote.
    #[inline]
    fn matches(&self, r: &JobRecord) -> bool {
        let reason = match (&r.status_reason, self.reason) {
            (None, None) => true,
            (Some(Cow::Borrowed(s)), Some(kept)) => std::ptr::eq(*s, kept),
            _ => false,
        };
        let ce = match (&r.compute_environment, &self.ce) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        };
        reason
            && ce
            && r.status == self.status
            && Arc::ptr_eq(&r.job_queue, &self.queue)
            && Arc::ptr_eq(&r.job_definition, &self.definition)
            && Arc::ptr_eq(&r.share_identifier, &self.share)
    }
}

/// A job table's memory of the cells that repeat (see the module's documentation).
#[derive(Default)]
pub(super) struct QuoteMemo {
    names: [Option<(Arc<str>, bool)>; 5],
    reason: Option<(&'static str, bool)>,
    /// The last remembered row's cells from `jobQueue` to `statusReason` (with the comma
    /// before each), and what they were written from.
    middle: Vec<u8>,
    middle_key: Option<MiddleKey>,
}

impl QuoteMemo {
    /// `r`'s job name as a cell.
    #[inline]
    pub(super) fn job_name<W: Write>(&mut self, w: &mut Cells<W>, r: &JobRecord) {
        self.name(w, JOB_NAME, &r.job_name);
    }

    /// `r`'s cells from `jobQueue` to `statusReason` (the cell before them is written).
    #[inline]
    pub(super) fn middle<W: Write>(&mut self, w: &mut Cells<W>, r: &JobRecord) {
        if self.middle_key.as_ref().is_some_and(|k| k.matches(r)) {
            w.raw(&self.middle);
            return;
        }
        let mark = w.mark();
        self.name(w, QUEUE, &r.job_queue);
        self.name(w, SHARE, &r.share_identifier);
        self.name(w, DEFINITION, &r.job_definition);
        match &r.compute_environment {
            Some(ce) => self.name(w, CE, ce),
            None => w.empty(),
        }
        w.plain(r.status.as_str().as_bytes());
        self.reason(w, r.status_reason.as_ref());
        self.middle_key = MiddleKey::of(r);
        if self.middle_key.is_some() {
            self.middle.clear();
            self.middle.extend_from_slice(w.since(mark));
        }
    }

    /// Column `i`'s name `s` as a cell (quoted when the dialect says so).
    #[inline]
    fn name<W: Write>(&mut self, w: &mut Cells<W>, i: usize, s: &Arc<str>) {
        let quote = match &self.names[i] {
            Some((kept, quote)) if Arc::ptr_eq(kept, s) => *quote,
            _ => {
                let quote = w.needs_quotes(s.as_bytes());
                self.names[i] = Some((Arc::clone(s), quote));
                quote
            }
        };
        w.text_known(s.as_bytes(), quote);
    }

    /// A status reason as a cell (empty when there is none).
    #[inline]
    fn reason<W: Write>(&mut self, w: &mut Cells<W>, reason: Option<&Cow<'static, str>>) {
        match reason {
            Some(Cow::Borrowed(s)) => {
                let quote = match self.reason {
                    Some((kept, quote)) if std::ptr::eq(kept, *s) => quote,
                    _ => {
                        let quote = w.needs_quotes(s.as_bytes());
                        self.reason = Some((s, quote));
                        quote
                    }
                };
                w.text_known(s.as_bytes(), quote);
            }
            Some(Cow::Owned(s)) => w.text(s.as_bytes()),
            None => w.empty(),
        }
    }
}
