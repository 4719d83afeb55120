//! `retryStrategy`: how many attempts a job gets and which failures are retried.

/// What an `evaluateOnExit` entry decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryStrategy {
    /// Total attempts allowed, 1 to 10.
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
        if attempts_done >= self.attempts {
            return false;
        }
        self.evaluate_on_exit
            .iter()
            .find(|e| e.matches(status_reason, reason, exit_code))
            .is_none_or(|e| e.action == RetryAction::Retry)
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
    fn default_is_a_single_attempt() {
        assert!(!RetryStrategy::default().should_retry(1, "", "", Some(1)));
    }
}
