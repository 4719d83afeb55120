//! `retryStrategy`: how many attempts a job gets and which failures are retried.

/// Fewest attempts AWS accepts: "You can specify between 1 and 10 attempts" (API model,
/// `RetryStrategy.attempts`).
pub const MIN_ATTEMPTS: u32 = 1;
/// Most attempts AWS accepts (API model, `RetryStrategy.attempts`: "between 1 and 10").
pub const MAX_ATTEMPTS: u32 = 10;
/// Most `evaluateOnExit` entries: "Array of up to 5 objects" (API model,
/// `RetryStrategy.evaluateOnExit`).
pub const MAX_EVALUATE_ON_EXIT: usize = 5;
/// Longest `onStatusReason`, `onReason` or `onExitCode` pattern: "can contain up to 512
/// characters" (API model, `EvaluateOnExit`).
pub const MAX_PATTERN_LEN: usize = 512;

/// Why a [`RetryStrategy`] breaks an AWS limit.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RetryLimitError {
    /// `attempts` outside 1..=10.
    #[error("retryStrategy.attempts must be from {MIN_ATTEMPTS} to {MAX_ATTEMPTS}, found {0}")]
    Attempts(u32),
    /// More than 5 `evaluateOnExit` entries.
    #[error("retryStrategy.evaluateOnExit has at most {MAX_EVALUATE_ON_EXIT} entries, found {0}")]
    TooManyRules(usize),
    /// A pattern longer than 512 characters.
    #[error("retryStrategy.evaluateOnExit[{0}]: a pattern is at most {MAX_PATTERN_LEN} characters")]
    PatternTooLong(usize),
}

/// What an `evaluateOnExit` entry decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RetryAction {
    /// Run the job again (if attempts remain).
    Retry,
    /// Fail the job now.
    Exit,
}

/// One `evaluateOnExit` entry: globs matched against the failed attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvaluateOnExit {
    /// Matched against the attempt's status reason.
    pub on_status_reason: Option<String>,
    /// Matched against the container's reason (empty for a plain exit).
    pub on_reason: Option<String>,
    /// Matched against the exit code (empty when there is none, e.g. a Spot reclaim).
    pub on_exit_code: Option<String>,
    /// The decision when every given glob matches.
    pub action: RetryAction,
}

/// A job's `retryStrategy`.
///
/// ```
/// use batchsim::model::RetryStrategy;
///
/// let forever = RetryStrategy { attempts: u32::MAX, evaluate_on_exit: Vec::new() };
/// assert!(forever.check().is_err(), "AWS accepts 1 to 10 attempts");
/// // Even unchecked, no job gets more than 10 attempts.
/// assert!(!forever.should_retry(10, "", "", Some(1)));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryStrategy {
    /// Total attempts allowed, 1 to 10 (`MIN_ATTEMPTS`, `MAX_ATTEMPTS`); a value outside
    /// counts as the nearest bound.
    pub attempts: u32,
    /// Tried in order; the first match decides.
    pub evaluate_on_exit: Vec<EvaluateOnExit>,
}

impl Default for RetryStrategy {
    /// One attempt, no rules.
    fn default() -> Self {
        RetryStrategy {
            attempts: 1,
            evaluate_on_exit: Vec::new(),
        }
    }
}

/// AWS's glob: exact match, or prefix match when the pattern ends with `*`.
pub fn glob_matches(pattern: &str, value: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => value.starts_with(prefix),
        None => pattern == value,
    }
}

impl EvaluateOnExit {
    /// True when every glob this entry gives matches (a missing value is the empty string).
    pub fn matches(&self, status_reason: &str, reason: &str, exit_code: Option<i32>) -> bool {
        let code = exit_code.map(|c| c.to_string()).unwrap_or_default();
        let ok = |glob: &Option<String>, value: &str| glob.as_deref().is_none_or(|g| glob_matches(g, value));
        ok(&self.on_status_reason, status_reason) && ok(&self.on_reason, reason) && ok(&self.on_exit_code, &code)
    }
}

impl RetryStrategy {
    /// Whether a failed attempt is retried. `attempts_done` counts the attempt that just
    /// failed. The first matching `evaluateOnExit` entry decides; none matching means retry
    /// while attempts remain.
    pub fn should_retry(&self, attempts_done: u32, status_reason: &str, reason: &str, exit_code: Option<i32>) -> bool {
        if attempts_done >= self.attempts.clamp(MIN_ATTEMPTS, MAX_ATTEMPTS) {
            return false;
        }
        self.evaluate_on_exit
            .iter()
            .find(|e| e.matches(status_reason, reason, exit_code))
            .is_none_or(|e| e.action == RetryAction::Retry)
    }
}

impl RetryStrategy {
    /// Checks AWS's limits: 1 to 10 attempts, at most 5 `evaluateOnExit` entries, patterns of
    /// at most 512 characters.
    pub fn check(&self) -> Result<(), RetryLimitError> {
        if !(MIN_ATTEMPTS..=MAX_ATTEMPTS).contains(&self.attempts) {
            return Err(RetryLimitError::Attempts(self.attempts));
        }
        if self.evaluate_on_exit.len() > MAX_EVALUATE_ON_EXIT {
            return Err(RetryLimitError::TooManyRules(self.evaluate_on_exit.len()));
        }
        for (i, e) in self.evaluate_on_exit.iter().enumerate() {
            let long = [&e.on_status_reason, &e.on_reason, &e.on_exit_code]
                .into_iter()
                .flatten()
                .any(|p| p.chars().count() > MAX_PATTERN_LEN);
            if long {
                return Err(RetryLimitError::PatternTooLong(i));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(status: Option<&str>, reason: Option<&str>, code: Option<&str>, action: RetryAction) -> EvaluateOnExit {
        EvaluateOnExit {
            on_status_reason: status.map(str::to_owned),
            on_reason: reason.map(str::to_owned),
            on_exit_code: code.map(str::to_owned),
            action,
        }
    }

    #[test]
    fn globs_are_exact_or_trailing_star() {
        assert!(glob_matches("Host EC2*", "Host EC2 (instance i-1) terminated."));
        assert!(!glob_matches("Host EC2", "Host EC2 (instance i-1) terminated."));
        assert!(glob_matches("*", ""));
        assert!(glob_matches("1", "1"));
        assert!(!glob_matches("1", "137"));
        assert!(glob_matches("13*", "137"));
    }

    #[test]
    fn the_usual_spot_rule_retries_only_reclaims() {
        let s = RetryStrategy {
            attempts: 3,
            evaluate_on_exit: vec![
                rule(Some("Host EC2*"), None, None, RetryAction::Retry),
                rule(None, Some("*"), None, RetryAction::Exit),
            ],
        };
        assert!(s.should_retry(1, "Host EC2 (instance i-0a) terminated.", "", None));
        assert!(!s.should_retry(1, "Essential container in task exited", "", Some(1)));
        assert!(
            !s.should_retry(3, "Host EC2 (instance i-0a) terminated.", "", None),
            "attempts used up"
        );
    }

    #[test]
    fn no_rule_matching_means_retry_and_exit_code_matches_as_text() {
        let s = RetryStrategy {
            attempts: 2,
            evaluate_on_exit: vec![rule(None, None, Some("2"), RetryAction::Exit)],
        };
        assert!(s.should_retry(1, "Essential container in task exited", "", Some(1)));
        assert!(!s.should_retry(1, "Essential container in task exited", "", Some(2)));
        // A missing exit code is the empty string: "2" does not match it, "*" does.
        assert!(s.should_retry(1, "Your Spot Task was interrupted.", "", None));
        assert!(rule(None, None, Some("*"), RetryAction::Exit).matches("x", "", None));
    }

    #[test]
    fn limits_are_checked_and_attempts_capped() {
        let s = |attempts| RetryStrategy {
            attempts,
            evaluate_on_exit: Vec::new(),
        };
        assert_eq!(s(0).check(), Err(RetryLimitError::Attempts(0)));
        assert_eq!(s(11).check(), Err(RetryLimitError::Attempts(11)));
        assert_eq!(s(1).check(), Ok(()));
        assert_eq!(s(10).check(), Ok(()));
        assert!(s(u32::MAX).should_retry(9, "", "", Some(1)));
        assert!(
            !s(u32::MAX).should_retry(10, "", "", Some(1)),
            "never more than 10 attempts"
        );
        assert!(!s(0).should_retry(1, "", "", Some(1)), "0 counts as 1");
        let mut many = s(3);
        many.evaluate_on_exit = vec![rule(None, None, Some("1"), RetryAction::Exit); 6];
        assert_eq!(many.check(), Err(RetryLimitError::TooManyRules(6)));
        many.evaluate_on_exit = vec![rule(Some(&"x".repeat(513)), None, None, RetryAction::Exit)];
        assert_eq!(many.check(), Err(RetryLimitError::PatternTooLong(0)));
        assert_eq!(
            s(11).check().map_err(|e| e.to_string()),
            Err("retryStrategy.attempts must be from 1 to 10, found 11".to_string())
        );
    }

    #[test]
    fn default_is_a_single_attempt() {
        assert!(!RetryStrategy::default().should_retry(1, "", "", Some(1)));
    }
}
