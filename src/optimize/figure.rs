//! The figures an objective or a constraint reads from a run.
//!
//! A figure is written either as a sweep column ([`crate::sweep::columns`]: `cost`,
//! `waitP95`, `queues[critical].waitP95`, `computeEnvironments[spot].utilizationOfMax`), or
//! as a path of keys into the report's JSON (`cost.total`, `waitSeconds.p95`,
//! `queues.critical.waitSeconds.p95`, `jobs.queued`). A column names exactly one figure (no
//! `[*]`, no `wait` for seven). A report path is checked against the first run's report: a
//! key that does not exist is an error listing the keys that do.

use crate::scenario::suggest::suggest;
use crate::sweep::{parse_columns, Column, ColumnSpec, Figures, Metric, Scope, Stat, Unit};
use serde_json::Value;
use std::str::FromStr;

/// Where a figure is read.
#[derive(Clone, Debug, PartialEq)]
enum Source {
    /// A sweep column.
    Column(Column, ColumnSpec),
    /// Keys into the report's JSON.
    Report(Vec<String>),
}

/// One figure of a run, by name.
#[derive(Clone, Debug, PartialEq)]
pub struct Quantity {
    /// As written.
    pub text: String,
    source: Source,
}

impl FromStr for Quantity {
    type Err = String;

    /// A column name, or a dotted path into the report (see the module's documentation).
    fn from_str(s: &str) -> Result<Quantity, String> {
        let text = s.trim();
        if text.is_empty() {
            return Err("an empty figure (write e.g. `cost` or `queues[critical].waitP95`)".into());
        }
        if text.contains('.') && !text.contains('[') {
            let keys: Vec<String> = text.split('.').map(|k| k.trim().to_owned()).collect();
            if keys.iter().any(String::is_empty) {
                return Err(format!(
                    "`{text}` has an empty key (write e.g. `queues.critical.waitSeconds.p95`)"
                ));
            }
            return Ok(Quantity {
                text: text.to_owned(),
                source: Source::Report(keys),
            });
        }
        if text.contains("[*]") {
            return Err(format!(
                "`{text}`: `[*]` is every name; a figure names one (e.g. `queues[critical].waitP95`)"
            ));
        }
        let mut specs = parse_columns(text).map_err(|e| e.to_string())?;
        let columns = crate::sweep::columns::resolve(&specs, &[]);
        match (specs.len(), columns.len()) {
            (1, 1) => Ok(Quantity {
                text: text.to_owned(),
                source: Source::Column(columns[0].clone(), specs.remove(0)),
            }),
            (1, n) if n > 1 => Err(format!(
                "`{text}` is {n} figures; name one statistic (e.g. `{text}P95`)"
            )),
            _ => Err(format!("`{text}` is more than one figure; name one")),
        }
    }
}

impl Quantity {
    /// The column's spec (to check the queue or compute environment it names), if a column.
    pub(crate) fn column_spec(&self) -> Option<&ColumnSpec> {
        match &self.source {
            Source::Column(_, spec) => Some(spec),
            Source::Report(_) => None,
        }
    }

    /// Whether it needs the runs' job records (turnarounds per queue or share).
    pub(crate) fn needs_records(&self) -> bool {
        self.column_spec().is_some_and(ColumnSpec::needs_records)
    }

    /// Whether it reads the report's JSON.
    pub(crate) fn needs_report(&self) -> bool {
        matches!(self.source, Source::Report(_))
    }

    /// Its value in one run: `Ok(None)` for a statistic of no samples (`null` in the
    /// report); `Err` when the report path does not lead to a number.
    pub(crate) fn value(&self, figures: &Figures, report: Option<&Value>) -> Result<Option<f64>, String> {
        match &self.source {
            Source::Column(c, _) => Ok(c.value(figures).as_f64()),
            Source::Report(keys) => {
                let Some(mut here) = report else {
                    return Err("no report to read".into());
                };
                let mut walked = String::new();
                for key in keys {
                    let at = if walked.is_empty() {
                        "the report".to_owned()
                    } else {
                        format!("`{walked}`")
                    };
                    let Value::Object(map) = here else {
                        return Err(format!("{at} is not an object, so it has no `{key}`"));
                    };
                    let Some(next) = map.get(key) else {
                        let hint = suggest(key, map.keys().map(String::as_str))
                            .map(|s| format!("did you mean `{s}`? "))
                            .unwrap_or_default();
                        let keys: Vec<&str> = map.keys().map(String::as_str).collect();
                        return Err(format!("{at} has no `{key}`; {hint}it has: {}", keys.join(", ")));
                    };
                    if !walked.is_empty() {
                        walked.push('.');
                    }
                    walked.push_str(key);
                    here = next;
                }
                match here {
                    Value::Number(n) => Ok(n.as_f64()),
                    Value::Null => Ok(None),
                    Value::Object(map) => {
                        let keys: Vec<&str> = map.keys().map(String::as_str).collect();
                        Err(format!(
                            "`{walked}` is an object, not a number; it has: {}",
                            keys.join(", ")
                        ))
                    }
                    _ => Err(format!("`{walked}` is not a number")),
                }
            }
        }
    }

    /// Its unit, when known.
    pub fn unit(&self) -> Option<Unit> {
        match &self.source {
            Source::Column(c, _) => Some(c.metric.unit()),
            Source::Report(keys) => {
                let last = keys.last().map(String::as_str).unwrap_or_default();
                if keys.iter().any(|k| k == "cost") {
                    Some(Unit::Dollars)
                } else if keys.iter().any(|k| k.ends_with("Seconds"))
                    && !matches!(
                        last,
                        "count" | "neverStarted" | "vcpuSecondsUsed" | "vcpuSecondsProvisioned"
                    )
                {
                    Some(Unit::Seconds)
                } else {
                    None
                }
            }
        }
    }

    /// In words, for the sentence on what binds: `p95 wait of queue `critical``.
    pub fn describe(&self) -> String {
        let Source::Column(c, _) = &self.source else {
            return format!("`{}`", self.text);
        };
        let (what, stat) = match c.metric {
            Metric::Wait(s) => ("wait", s),
            Metric::Turnaround(s) => ("turnaround", s),
            Metric::Cost => ("cost", Stat::Count),
            _ => return format!("`{}`", self.text),
        };
        let stat = match stat {
            Stat::Count if what == "cost" => "",
            Stat::Count => "number of samples of the ",
            Stat::Mean => "mean ",
            Stat::P50 => "median ",
            Stat::P90 => "p90 ",
            Stat::P95 => "p95 ",
            Stat::P99 => "p99 ",
            Stat::Max => "longest ",
        };
        let whose = match &c.scope {
            Scope::Run => String::new(),
            Scope::Queue(q) => format!(" of queue `{q}`"),
            Scope::Share(s) => format!(" of share `{s}`"),
            Scope::ComputeEnvironment(ce) => format!(" of compute environment `{ce}`"),
        };
        format!("{stat}{what}{whose}")
    }

    /// A value in its unit: `580.2 s`, `$12.34`, `0.871`, `3`.
    pub fn show(&self, x: f64) -> String {
        match self.unit() {
            Some(Unit::Seconds) => format!("{} s", trim(x, 1)),
            Some(Unit::Dollars) => format!("${x:.2}"),
            Some(Unit::Ratio) => trim(x, 3),
            _ => trim(x, 2),
        }
    }
}

/// `x` with at most `digits` decimals, without trailing zeros.
fn trim(x: f64, digits: usize) -> String {
    let s = format!("{x:.digits$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    };
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{JobCounts, Stats};
    use std::collections::BTreeMap;

    fn figures() -> Figures {
        Figures {
            jobs: JobCounts::default(),
            wait: Stats {
                count: 2,
                p95: Some(12.5),
                ..Stats::default()
            },
            turnaround: Stats::default(),
            utilization: 0.5,
            cost: 2.25,
            queues: BTreeMap::new(),
            shares: BTreeMap::new(),
            compute_environments: BTreeMap::new(),
        }
    }

    #[test]
    fn columns_and_report_paths() {
        let f = figures();
        let report = serde_json::json!({"cost": {"total": 2.25},
            "queues": {"critical": {"waitSeconds": {"p95": null, "count": 0}}}});
        let q = |s: &str| s.parse::<Quantity>().unwrap();
        assert_eq!(q("cost").value(&f, None), Ok(Some(2.25)));
        assert_eq!(q("waitP95").value(&f, None), Ok(Some(12.5)));
        assert_eq!(q("cost.total").value(&f, Some(&report)), Ok(Some(2.25)));
        assert_eq!(q("queues.critical.waitSeconds.p95").value(&f, Some(&report)), Ok(None));
        assert_eq!(q("queues.critical.waitSeconds.p95").unit(), Some(Unit::Seconds));
        assert_eq!(q("queues.critical.waitSeconds.count").unit(), None);
        assert_eq!(q("cost.total").unit(), Some(Unit::Dollars));
        let err = q("queues.critcal.waitSeconds.p95")
            .value(&f, Some(&report))
            .unwrap_err();
        assert_eq!(
            err,
            "`queues` has no `critcal`; did you mean `critical`? it has: critical"
        );
        let err = q("queues.critical").value(&f, Some(&report)).unwrap_err();
        assert!(err.contains("is an object, not a number; it has: waitSeconds"), "{err}");
        assert!(!q("queues[critical].waitP95").needs_report() && q("cost.total").needs_report());
        assert_eq!(q("queues[critical].waitP95").describe(), "p95 wait of queue `critical`");
        assert_eq!(q("cost").describe(), "cost");
        assert_eq!(q("utilization").describe(), "`utilization`");
        assert_eq!(q("queues[critical].waitP95").show(580.25), "580.2 s");
        assert_eq!(q("cost").show(12.345), "$12.35");
    }

    #[test]
    fn bad_figures_say_why() {
        let err = |s: &str| s.parse::<Quantity>().unwrap_err();
        assert!(err("waitp95").contains("did you mean `waitP95`?"), "{}", err("waitp95"));
        assert!(err("queues[*].waitP95").contains("`[*]` is every name"));
        assert!(
            err("queues[q].wait").contains("is 7 figures"),
            "{}",
            err("queues[q].wait")
        );
        assert!(err("cost,waitP95").contains("more than one figure"));
        assert!(err("default").contains("more than one figure"));
        assert!(err("cost..total").contains("empty key"));
        assert!(err(" ").contains("an empty figure"));
    }
}
