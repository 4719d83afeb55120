//! One line of the Standard Workload Format (Parallel Workloads Archive): 18
//! whitespace-separated numbers, `-1` meaning "missing". The fields used are listed in the
//! module documentation of [`super`].

use super::error::BadLine;
use super::input::{read_capped_line, Decoded};
use super::number::{parse_scaled, NumError};
use super::skip::SkipReason;
use super::{Next, Rejected, TraceRecord, MAX_LINE_BYTES, MAX_TRACE_MS};

/// Number of fields on a Standard Workload Format line.
const SWF_FIELDS: usize = 18;

/// A bad value of SWF field `k` (1-based).
fn bad(k: usize, text: &str, e: NumError) -> Rejected {
    let what = format!("field {k}");
    let text = text.to_owned();
    Rejected::Bad(match e {
        NumError::Syntax => BadLine::NotANumber { what, text },
        NumError::Range => BadLine::OutOfRange { what, text },
    })
}

/// Parses one SWF data line (not a comment, not blank). A value is checked where it is used,
/// in field order (submit, run, processors, requested time): the first problem decides
/// whether the line is skipped (a missing value) or bad.
pub(super) fn parse_swf_line(text: &str, line: u64) -> Result<TraceRecord, Rejected> {
    let fields: Vec<&str> = text.split_ascii_whitespace().collect();
    if fields.len() != SWF_FIELDS {
        return Err(Rejected::Bad(BadLine::FieldCount { found: fields.len() }));
    }
    // values[k - 1] is field k (1-based as in the SWF definition), in thousandths.
    let mut values = [0i128; SWF_FIELDS];
    let mut ranges = [false; SWF_FIELDS];
    for (k, (field, slot)) in fields.iter().zip(values.iter_mut()).enumerate() {
        match parse_scaled(field, 3) {
            Ok(v) => *slot = v,
            Err(NumError::Range) => ranges[k] = true,
            Err(e) => return Err(bad(k + 1, field, e)),
        }
    }
    let field = |k: usize| {
        if ranges[k - 1] {
            Err(bad(k, fields[k - 1], NumError::Range))
        } else {
            Ok(values[k - 1])
        }
    };
    let thousandths = |k: usize, missing: SkipReason| -> Result<u64, Rejected> {
        let v = field(k)?;
        if v < 0 {
            return Err(Rejected::Skip(missing));
        }
        u64::try_from(v)
            .ok()
            .filter(|&ms| ms <= MAX_TRACE_MS)
            .ok_or_else(|| bad(k, fields[k - 1], NumError::Range))
    };
    let submit_ms = thousandths(2, SkipReason::SubmitMissing)?;
    let run_ms = thousandths(4, SkipReason::RunMissing)?;
    // A missing/non-positive field 5 falls back on field 8 before its own range matters.
    let (k, processors) = match field(5)? {
        p if p > 0 => (5, p),
        _ => match field(8)? {
            p if p > 0 => (8, p),
            _ => return Err(Rejected::Skip(SkipReason::ProcessorsMissing)),
        },
    };
    let millivcpus = u32::try_from(processors).map_err(|_| bad(k, fields[k - 1], NumError::Range))?;
    let requested = field(9)?;
    let estimate_ms = if requested < 0 {
        None
    } else {
        let ms = u64::try_from(requested).map_err(|_| bad(9, fields[8], NumError::Range))?;
        Some(ms.max(run_ms))
    };
    let user = match field(12) {
        Ok(v) if v >= 0 && v % 1000 == 0 => u32::try_from(v / 1000).ok(),
        _ => None,
    };
    Ok(TraceRecord {
        line,
        submit_ms,
        run_ms,
        millivcpus,
        memory_mib: None,
        estimate_ms,
        job_queue: None,
        share_identifier: None,
        job_name: None,
        user,
    })
}

/// The reading state of an SWF trace: the decompressed input, the line buffer and number.
pub(super) struct SwfBody {
    input: Decoded,
    buf: Vec<u8>,
    line: u64,
}

impl SwfBody {
    /// Reads `input` from its start.
    pub(super) fn new(input: Decoded) -> SwfBody {
        SwfBody {
            input,
            buf: Vec::new(),
            line: 0,
        }
    }

    /// The next data line, parsed; blank lines and `;` comment lines are passed over.
    pub(super) fn next(&mut self) -> Next {
        loop {
            let status = read_capped_line(&mut self.input, &mut self.buf, MAX_LINE_BYTES);
            let too_long = match status {
                Err(e) => return Next::Failed(self.line.saturating_add(1), e),
                Ok(None) => return Next::End,
                Ok(Some(too_long)) => too_long,
            };
            self.line = self.line.saturating_add(1);
            if too_long {
                return Next::Row(self.line, Err(Rejected::Bad(BadLine::TooLong)));
            }
            // Comment and blank lines carry no data: they are passed over before decoding, so
            // a header comment in Latin-1 (some archive logs have one) does not stop the log.
            if is_comment_or_blank(&self.buf, self.line == 1) {
                continue;
            }
            let Ok(text) = std::str::from_utf8(&self.buf) else {
                return Next::Row(self.line, Err(Rejected::Bad(BadLine::NotUtf8 { column: None })));
            };
            // A byte order mark at the start of the file is not part of the first line.
            let text = if self.line == 1 {
                text.trim_start_matches('\u{feff}')
            } else {
                text
            };
            let trimmed = text.trim();
            if trimmed.is_empty() || trimmed.starts_with(';') {
                continue;
            }
            return Next::Row(self.line, parse_swf_line(trimmed, self.line));
        }
    }
}

/// Whether a raw line is blank or a `;` comment (after leading white space and, on the first
/// line, a UTF-8 byte order mark), read as bytes so that its encoding does not matter.
fn is_comment_or_blank(line: &[u8], first: bool) -> bool {
    let line = if first {
        line.strip_prefix(b"\xef\xbb\xbf".as_slice()).unwrap_or(line)
    } else {
        line
    };
    match line.iter().find(|b| !b.is_ascii_whitespace()) {
        None => true,
        Some(&b) => b == b';',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejected(text: &str) -> Rejected {
        parse_swf_line(text, 1).expect_err("rejected")
    }

    #[test]
    fn bad_values_name_their_field() {
        assert_eq!(
            rejected("1 0 0 7x 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1"),
            Rejected::Bad(BadLine::NotANumber {
                what: "field 4".into(),
                text: "7x".into()
            })
        );
        assert_eq!(
            rejected("1 0 0 10 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1"),
            Rejected::Bad(BadLine::FieldCount { found: 17 })
        );
        assert_eq!(
            rejected("1 1e30 0 10 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1"),
            Rejected::Bad(BadLine::OutOfRange {
                what: "field 2".into(),
                text: "1e30".into()
            })
        );
        assert_eq!(
            rejected("3 0 0 10 5e6 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 1e99"),
            Rejected::Bad(BadLine::OutOfRange {
                what: "field 5".into(),
                text: "5e6".into()
            })
        );
        // An unused field out of range does not matter.
        assert!(parse_swf_line("4 0 0 10 5 -1 -1 1 10 -1 1 4294967296 1 -1 -1 -1 -1 1e99", 1).is_ok());
        // The first problem in field order decides: submit missing before a bad run time.
        assert_eq!(
            rejected("1 -1 0 1e99 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1"),
            Rejected::Skip(SkipReason::SubmitMissing)
        );
    }
}
