//! Reading a whole trace up front, as `validate` and scenario loading do: every bad line found
//! (the first few kept with their line numbers, the rest counted), lines skipped, records
//! read, and the error that stopped reading, if one did. Streaming: nothing but the summary is
//! kept, and the file is closed when [`check`] returns.

use super::error::shown;
use super::{SkipCounts, TraceError, TraceFormat, TraceReader, TraceRecord};
use std::path::Path;

/// How many bad lines a [`TraceCheck`] lists one by one; further ones are only counted.
pub const LISTED_BAD_LINES: usize = 5;

/// What reading a trace through found.
#[derive(Debug)]
pub struct TraceCheck {
    /// Usable records read (each passed to the row check of [`check`]).
    pub records: u64,
    /// Lines skipped for a missing value (warnings, not errors).
    pub skipped: SkipCounts,
    /// The first [`LISTED_BAD_LINES`] bad lines: line number and what is wrong (a
    /// [`super::BadLine`] or the row check's message), in file order.
    pub bad_lines: Vec<(u64, String)>,
    /// Bad lines in all, listed or not.
    pub bad_total: u64,
    /// The error that stopped reading (open failure, bad CSV header, read or decompression
    /// failure), if any; the counts above are those read until then.
    pub fatal: Option<TraceError>,
}

impl TraceCheck {
    /// True when nothing is wrong (skipped lines are not wrong).
    #[cfg(test)]
    pub fn is_ok(&self) -> bool {
        self.bad_total == 0 && self.fatal.is_none()
    }

    /// One message per problem, each naming the file (quoted) and the line: the listed bad
    /// lines, then `N more bad lines not listed (M in all)` when there were more, then the
    /// error that stopped reading. Empty when nothing is wrong (skipped lines are not wrong).
    pub fn messages(&self, path: &Path) -> Vec<String> {
        let file = shown(path);
        let mut out: Vec<String> = self
            .bad_lines
            .iter()
            .map(|(line, problem)| format!("{file} line {line}: {problem}"))
            .collect();
        let unlisted = self.bad_total.saturating_sub(self.bad_lines.len() as u64);
        if unlisted > 0 {
            let noun = if unlisted == 1 { "line" } else { "lines" };
            out.push(format!(
                "{file}: {unlisted} more bad {noun} not listed ({} in all)",
                self.bad_total
            ));
        }
        match &self.fatal {
            None => {}
            Some(e @ TraceError::Open { .. }) => out.push(format!("{file}: {}", e.reason())),
            Some(e) => match e.line() {
                Some(line) => out.push(format!("{file} line {line}: {}", e.reason())),
                None => out.push(format!("{file}: {}", e.reason())),
            },
        }
        out
    }
}

/// Reads the trace at `path` through, calling `row` on every usable record: a message it
/// returns makes that line bad too (for rules the reader cannot know, such as which job
/// queues exist). One file is open at a time, and only while a block is read.
pub fn check(path: &Path, format: TraceFormat, mut row: impl FnMut(&TraceRecord) -> Option<String>) -> TraceCheck {
    let mut out = TraceCheck {
        records: 0,
        skipped: SkipCounts::default(),
        bad_lines: Vec::new(),
        bad_total: 0,
        fatal: None,
    };
    let mut reader = match TraceReader::open(path, format) {
        Ok(reader) => reader,
        Err(e) => {
            out.fatal = Some(e);
            return out;
        }
    };
    let bad = |out: &mut TraceCheck, line: u64, problem: String| {
        out.bad_total = out.bad_total.saturating_add(1);
        if out.bad_lines.len() < LISTED_BAD_LINES {
            out.bad_lines.push((line, problem));
        }
    };
    for item in reader.by_ref() {
        match item {
            Ok(record) => {
                out.records = out.records.saturating_add(1);
                if let Some(problem) = row(&record) {
                    bad(&mut out, record.line, problem);
                }
            }
            Err(TraceError::Line { line, problem, .. }) => bad(&mut out, line, problem.to_string()),
            Err(e) => out.fatal = Some(e),
        }
    }
    out.skipped = *reader.skipped();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn temp(name: &str, text: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("batchsim-trace-check-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write");
        path
    }

    const GOOD: &str = "1 0 0 10 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1\n";

    #[test]
    fn lists_the_first_bad_lines_then_counts() {
        let mut text = String::from("; header\n");
        text.push_str(GOOD);
        for i in 0..8 {
            text.push_str(&format!("{i} x\n"));
        }
        text.push_str("2 0 0 -1 1 -1 -1 1 10 -1 1 1 1 -1 -1 -1 -1 -1\n");
        let path = temp("many-bad.swf", text.as_bytes());
        let c = check(&path, TraceFormat::Swf, |_| None);
        assert_eq!(c.records, 1);
        assert_eq!(c.bad_total, 8);
        assert_eq!(c.skipped.run_missing, 1);
        assert!(!c.is_ok());
        let lines: Vec<u64> = c.bad_lines.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![3, 4, 5, 6, 7]);
        let m = c.messages(&path);
        assert_eq!(m.len(), 6);
        let file = format!("`{}`", path.display());
        assert_eq!(
            m[0],
            format!("{file} line 3: 2 fields, but a Standard Workload Format line has 18")
        );
        assert_eq!(m[5], format!("{file}: 3 more bad lines not listed (8 in all)"));
    }

    #[test]
    fn row_check_makes_lines_bad_and_fatal_errors_come_last() {
        let path = temp(
            "rows.csv",
            b"submitSeconds,runSeconds,vcpus,jobQueue\n0,1,1,a\n1,1,1,zz\n2,x,1,a\n",
        );
        let c = check(&path, TraceFormat::Csv, |r| {
            (r.job_queue.as_deref() == Some("zz")).then(|| "unknown job queue `zz`".to_string())
        });
        assert_eq!(c.records, 2);
        assert_eq!(
            c.bad_lines,
            vec![
                (3, "unknown job queue `zz`".to_string()),
                (4, "runSeconds: `x` is not a number".to_string())
            ]
        );
        let c = check(&path.with_file_name("absent.csv"), TraceFormat::Csv, |_| None);
        assert!(matches!(c.fatal, Some(TraceError::Open { .. })));
        let m = c.messages(Path::new("absent.csv"));
        assert_eq!(
            m,
            vec!["`absent.csv`: cannot open: No such file or directory (os error 2)"]
        );
        let path = temp("header.csv", b"submitSeconds,runSecond,vcpus\n");
        let m = check(&path, TraceFormat::Csv, |_| None).messages(Path::new("h.csv"));
        assert_eq!(
            m,
            vec!["`h.csv` line 1: bad CSV header: column 2 is `runSecond` but must be `runSeconds` (did you mean `runSeconds`?); the header must start with submitSeconds,runSeconds,vcpus"]
        );
    }
}
