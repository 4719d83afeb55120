//! Lines skipped on purpose: a value the log marks as missing (CONTRACT 2.3). They are counted
//! per reason and reported as warnings; lines that cannot be read at all are errors instead
//! ([`super::BadLine`]).

use std::fmt;

/// Why a data line was skipped: one of its used values is missing.
///
/// SWF marks a missing value with a negative number (`-1`); CSV with an empty cell or a
/// negative number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SkipReason {
    /// Submit time missing: SWF field 2 negative; CSV `submitSeconds` empty or a negative
    /// number of seconds.
    SubmitMissing,
    /// Run time missing: SWF field 4 negative; CSV `runSeconds` empty or negative.
    RunMissing,
    /// Processors missing: SWF fields 5 and 8 both missing or `<= 0`; CSV `vcpus` empty or not
    /// above 0 (after rounding to milli-vCPUs).
    ProcessorsMissing,
}

impl SkipReason {
    /// Every reason, in the order the warnings list them.
    pub const ALL: [SkipReason; 3] = [
        SkipReason::SubmitMissing,
        SkipReason::RunMissing,
        SkipReason::ProcessorsMissing,
    ];

    /// The text used in warnings, e.g. `run time missing`.
    pub fn label(self) -> &'static str {
        match self {
            SkipReason::SubmitMissing => "submit time missing",
            SkipReason::RunMissing => "run time missing",
            SkipReason::ProcessorsMissing => "processors missing",
        }
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Lines skipped, counted per reason. Each skipped line counts once, under the first missing
/// value in field order (submit, run, processors).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SkipCounts {
    /// Lines skipped as [`SkipReason::SubmitMissing`].
    pub submit_missing: u64,
    /// Lines skipped as [`SkipReason::RunMissing`].
    pub run_missing: u64,
    /// Lines skipped as [`SkipReason::ProcessorsMissing`].
    pub processors_missing: u64,
}

impl SkipCounts {
    /// The count for one reason.
    pub fn get(&self, reason: SkipReason) -> u64 {
        match reason {
            SkipReason::SubmitMissing => self.submit_missing,
            SkipReason::RunMissing => self.run_missing,
            SkipReason::ProcessorsMissing => self.processors_missing,
        }
    }

    /// Counts one more skipped line for `reason`.
    pub fn add(&mut self, reason: SkipReason) {
        let slot = match reason {
            SkipReason::SubmitMissing => &mut self.submit_missing,
            SkipReason::RunMissing => &mut self.run_missing,
            SkipReason::ProcessorsMissing => &mut self.processors_missing,
        };
        *slot = slot.saturating_add(1);
    }

    /// All skipped lines.
    pub fn total(&self) -> u64 {
        SkipReason::ALL
            .iter()
            .fold(0u64, |sum, r| sum.saturating_add(self.get(*r)))
    }

    /// True when no line was skipped.
    pub fn is_empty(&self) -> bool {
        self.total() == 0
    }

    /// The report warnings for a trace called `file_name`, one per reason with a non-zero
    /// count, in [`SkipReason::ALL`] order, e.g.
    /// `trace KTH-SP2-1996-2.1-cln.swf.gz: 3 lines skipped (run time missing)`
    /// (`1 line skipped` for a single line). Empty when nothing was skipped.
    pub fn warnings(&self, file_name: &str) -> Vec<String> {
        SkipReason::ALL
            .iter()
            .filter_map(|&reason| {
                let n = self.get(reason);
                (n > 0).then(|| {
                    let noun = if n == 1 { "line" } else { "lines" };
                    format!("trace {file_name}: {n} {noun} skipped ({})", reason.label())
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_exact_format_and_none_when_clean() {
        let counts = SkipCounts {
            run_missing: 3,
            ..SkipCounts::default()
        };
        assert_eq!(
            counts.warnings("KTH-SP2-1996-2.1-cln.swf.gz"),
            vec!["trace KTH-SP2-1996-2.1-cln.swf.gz: 3 lines skipped (run time missing)"]
        );
        let mut counts = SkipCounts::default();
        assert!(counts.is_empty() && counts.warnings("x").is_empty());
        counts.add(SkipReason::SubmitMissing);
        counts.add(SkipReason::ProcessorsMissing);
        counts.add(SkipReason::ProcessorsMissing);
        assert_eq!(counts.total(), 3);
        assert_eq!(
            counts.warnings("t.csv"),
            vec![
                "trace t.csv: 1 line skipped (submit time missing)",
                "trace t.csv: 2 lines skipped (processors missing)"
            ]
        );
    }
}
