//! The columns of a sweep's table, and the figures of one run they read.
//!
//! A column is a metric of a scope: the whole run (`waitP95`), a job queue
//! (`queues[critical].waitP95`), a share (`shares[teamA].waitP95`) or a compute environment
//! (`computeEnvironments[fargate-spot].utilizationOfMax`); the scope names are the report's
//! keys. `[*]` stands for every queue, share or compute environment, in name order; `wait`
//! and `turnaround` for their seven statistics (`waitCount` ... `waitMax`); `default` for
//! the contract's columns ([`DEFAULT_COLUMNS`]).
//!
//! A statistic of no samples (a queue where nothing started) is [`Figure::Empty`], never 0:
//! a blocked queue must not look ideal.

use super::SweepError;
use crate::report::{CeReport, JobCounts, JobRecord, Report, Stats, StatsAccumulator};
use std::collections::BTreeMap;

/// The columns of `batchsim sweep` without `--columns` (CONTRACT section 3), after `seed`
/// and the settings.
pub const DEFAULT_COLUMNS: &str = "succeeded,failed,unfinished,waitMean,waitP50,waitP95,waitP99,utilization,cost";

/// One statistic of a [`Stats`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Stat {
    /// Number of samples.
    Count,
    /// Mean.
    Mean,
    /// Median.
    P50,
    /// 90th percentile.
    P90,
    /// 95th percentile.
    P95,
    /// 99th percentile.
    P99,
    /// Largest sample.
    Max,
}

impl Stat {
    /// Every statistic, in column order.
    pub const ALL: [Stat; 7] = [
        Stat::Count,
        Stat::Mean,
        Stat::P50,
        Stat::P90,
        Stat::P95,
        Stat::P99,
        Stat::Max,
    ];

    fn suffix(self) -> &'static str {
        match self {
            Stat::Count => "Count",
            Stat::Mean => "Mean",
            Stat::P50 => "P50",
            Stat::P90 => "P90",
            Stat::P95 => "P95",
            Stat::P99 => "P99",
            Stat::Max => "Max",
        }
    }

    /// This statistic of `s`: the count always, the others empty when there is no sample.
    pub fn of(self, s: &Stats) -> Figure {
        if self == Stat::Count {
            return Figure::Count(s.count);
        }
        let value = match self {
            Stat::Count | Stat::Mean => s.mean,
            Stat::P50 => s.p50,
            Stat::P90 => s.p90,
            Stat::P95 => s.p95,
            Stat::P99 => s.p99,
            Stat::Max => s.max,
        };
        value.map_or(Figure::Empty, Figure::Number)
    }
}

/// What a column measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Metric {
    /// Jobs submitted.
    Submitted,
    /// Jobs that ended SUCCEEDED.
    Succeeded,
    /// Jobs that ended FAILED.
    Failed,
    /// Jobs cancelled before they ran.
    Cancelled,
    /// Jobs not terminal at the end.
    Unfinished,
    /// Wait (first dispatch minus first RUNNABLE), seconds.
    Wait(Stat),
    /// Turnaround (terminal time minus submission), seconds.
    Turnaround(Stat),
    /// A share's vCPU-seconds of RUNNING time.
    VcpuSeconds,
    /// A compute environment's dispatched attempts.
    JobsStarted,
    /// A compute environment's `maxvCpus` at the end.
    MaxvCpus,
    /// vCPU-seconds of RUNNING time on a compute environment.
    VcpuSecondsUsed,
    /// vCPU-seconds provisioned by a compute environment.
    VcpuSecondsProvisioned,
    /// Used / provisioned vCPU-seconds (the run: over every compute environment).
    Utilization,
    /// Used / `maxvCpus` integrated over the run.
    UtilizationOfMax,
    /// Spot reclaims.
    Interruptions,
    /// EC2/SPOT instances launched.
    InstancesLaunched,
    /// Dollars.
    Cost,
    /// A compute environment's dollars not attributed to any attempt.
    IdleCost,
}

/// The unit of a metric (for the summary's headers and digits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unit {
    /// A number of things.
    Count,
    /// Seconds.
    Seconds,
    /// vCPU-seconds.
    VcpuSeconds,
    /// A fraction (0..1).
    Ratio,
    /// US dollars.
    Dollars,
}

/// Which kind of scope a metric applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Run,
    Queue,
    Share,
    Ce,
}

impl Metric {
    /// The metric's name in a column (`waitP95`, `utilizationOfMax`).
    pub fn name(self) -> String {
        match self {
            Metric::Wait(s) => format!("wait{}", s.suffix()),
            Metric::Turnaround(s) => format!("turnaround{}", s.suffix()),
            other => other.plain_name().to_owned(),
        }
    }

    fn plain_name(self) -> &'static str {
        match self {
            Metric::Submitted => "submitted",
            Metric::Succeeded => "succeeded",
            Metric::Failed => "failed",
            Metric::Cancelled => "cancelled",
            Metric::Unfinished => "unfinished",
            Metric::Wait(_) => "wait",
            Metric::Turnaround(_) => "turnaround",
            Metric::VcpuSeconds => "vcpuSeconds",
            Metric::JobsStarted => "jobsStarted",
            Metric::MaxvCpus => "maxvCpus",
            Metric::VcpuSecondsUsed => "vcpuSecondsUsed",
            Metric::VcpuSecondsProvisioned => "vcpuSecondsProvisioned",
            Metric::Utilization => "utilization",
            Metric::UtilizationOfMax => "utilizationOfMax",
            Metric::Interruptions => "interruptions",
            Metric::InstancesLaunched => "instancesLaunched",
            Metric::Cost => "cost",
            Metric::IdleCost => "idleCost",
        }
    }

    /// Its unit.
    pub fn unit(self) -> Unit {
        match self {
            Metric::Wait(Stat::Count) | Metric::Turnaround(Stat::Count) => Unit::Count,
            Metric::Wait(_) | Metric::Turnaround(_) => Unit::Seconds,
            Metric::VcpuSeconds | Metric::VcpuSecondsUsed | Metric::VcpuSecondsProvisioned => Unit::VcpuSeconds,
            Metric::Utilization | Metric::UtilizationOfMax => Unit::Ratio,
            Metric::Cost | Metric::IdleCost => Unit::Dollars,
            _ => Unit::Count,
        }
    }

    /// The metrics a kind of scope has, in column order.
    fn of_kind(kind: Kind) -> Vec<Metric> {
        let counts = [
            Metric::Submitted,
            Metric::Succeeded,
            Metric::Failed,
            Metric::Cancelled,
            Metric::Unfinished,
        ];
        let waits = Stat::ALL.map(Metric::Wait);
        let turnarounds = Stat::ALL.map(Metric::Turnaround);
        match kind {
            Kind::Run => [&counts[..], &waits, &turnarounds, &[Metric::Utilization, Metric::Cost]].concat(),
            Kind::Queue => [&counts[..], &waits, &turnarounds, &[Metric::Cost]].concat(),
            Kind::Share => [
                &[Metric::Submitted, Metric::Succeeded, Metric::VcpuSeconds][..],
                &waits,
                &turnarounds,
                &[Metric::Cost],
            ]
            .concat(),
            Kind::Ce => vec![
                Metric::JobsStarted,
                Metric::MaxvCpus,
                Metric::VcpuSecondsUsed,
                Metric::VcpuSecondsProvisioned,
                Metric::Utilization,
                Metric::UtilizationOfMax,
                Metric::Interruptions,
                Metric::InstancesLaunched,
                Metric::Cost,
                Metric::IdleCost,
            ],
        }
    }
}

/// Whose figure a column is.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Scope {
    /// The whole run.
    Run,
    /// One job queue, by name.
    Queue(String),
    /// One share identifier.
    Share(String),
    /// One compute environment, by name.
    ComputeEnvironment(String),
}

/// One column of the table: a metric of a scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    /// Whose figure.
    pub scope: Scope,
    /// Which figure.
    pub metric: Metric,
}

impl Column {
    /// The column's header: `waitP95`, `queues[critical].waitP95`, ...
    pub fn name(&self) -> String {
        let m = self.metric.name();
        match &self.scope {
            Scope::Run => m,
            Scope::Queue(q) => format!("queues[{q}].{m}"),
            Scope::Share(s) => format!("shares[{s}].{m}"),
            Scope::ComputeEnvironment(c) => format!("computeEnvironments[{c}].{m}"),
        }
    }

    /// The column's figure in one run.
    pub fn value(&self, f: &Figures) -> Figure {
        let group = |g: Option<&GroupFigures>| -> Figure {
            let zero = GroupFigures::absent();
            let g = g.unwrap_or(&zero);
            match self.metric {
                Metric::Submitted => Figure::Count(g.submitted),
                Metric::Succeeded => Figure::Count(g.succeeded),
                Metric::Failed => g.failed.map_or(Figure::Empty, Figure::Count),
                Metric::Cancelled => g.cancelled.map_or(Figure::Empty, Figure::Count),
                Metric::Unfinished => g.unfinished.map_or(Figure::Empty, Figure::Count),
                Metric::VcpuSeconds => g.vcpu_seconds.map_or(Figure::Empty, Figure::Number),
                Metric::Wait(s) => s.of(&g.wait),
                Metric::Turnaround(s) => g.turnaround.as_ref().map_or(Figure::Empty, |t| s.of(t)),
                Metric::Cost => Figure::Number(g.cost),
                _ => Figure::Empty,
            }
        };
        match &self.scope {
            Scope::Run => match self.metric {
                Metric::Submitted => Figure::Count(f.jobs.submitted),
                Metric::Succeeded => Figure::Count(f.jobs.succeeded),
                Metric::Failed => Figure::Count(f.jobs.failed),
                Metric::Cancelled => Figure::Count(f.jobs.cancelled),
                Metric::Unfinished => Figure::Count(f.jobs.unfinished),
                Metric::Wait(s) => s.of(&f.wait),
                Metric::Turnaround(s) => s.of(&f.turnaround),
                Metric::Utilization => Figure::Number(f.utilization),
                Metric::Cost => Figure::Number(f.cost),
                _ => Figure::Empty,
            },
            Scope::Queue(q) => group(f.queues.get(q)),
            Scope::Share(s) => group(f.shares.get(s)),
            Scope::ComputeEnvironment(c) => {
                let Some(ce) = f.compute_environments.get(c) else {
                    return Figure::Empty;
                };
                match self.metric {
                    Metric::JobsStarted => Figure::Count(ce.jobs_started),
                    Metric::MaxvCpus => Figure::Count(u64::from(ce.max_vcpus)),
                    Metric::VcpuSecondsUsed => Figure::Number(ce.vcpu_seconds_used),
                    Metric::VcpuSecondsProvisioned => Figure::Number(ce.vcpu_seconds_provisioned),
                    Metric::Utilization => Figure::Number(ce.utilization),
                    Metric::UtilizationOfMax => Figure::Number(ce.utilization_of_max),
                    Metric::Interruptions => Figure::Count(ce.interruptions),
                    Metric::InstancesLaunched => Figure::Count(ce.instances_launched),
                    Metric::Cost => Figure::Number(ce.cost),
                    Metric::IdleCost => Figure::Number(ce.idle_cost),
                    _ => Figure::Empty,
                }
            }
        }
    }
}

/// One cell of the table.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Figure {
    /// A whole number.
    Count(u64),
    /// A measurement.
    Number(f64),
    /// No value: a statistic of no samples (`-` in CSV and text, `null` in JSON).
    Empty,
}

impl Figure {
    /// The value as a number (`None` when empty).
    pub fn as_f64(self) -> Option<f64> {
        match self {
            Figure::Count(n) => Some(n as f64),
            Figure::Number(x) => Some(x),
            Figure::Empty => None,
        }
    }
}

/// The figures of one group (a job queue or a share) in one run.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupFigures {
    /// Jobs submitted.
    pub submitted: u64,
    /// Ended SUCCEEDED.
    pub succeeded: u64,
    /// Ended FAILED (queues only).
    pub failed: Option<u64>,
    /// Cancelled (queues only).
    pub cancelled: Option<u64>,
    /// Not terminal at the end (queues only).
    pub unfinished: Option<u64>,
    /// vCPU-seconds of RUNNING time (shares only).
    pub vcpu_seconds: Option<f64>,
    /// Waits.
    pub wait: Stats,
    /// Turnarounds, when the run kept its job records.
    pub turnaround: Option<Stats>,
    /// Dollars attributed to the group's attempts ([`crate::report::CostReport`]).
    pub cost: f64,
}

impl GroupFigures {
    /// A group with no job in a run (a share nobody used in it).
    fn absent() -> GroupFigures {
        GroupFigures {
            submitted: 0,
            succeeded: 0,
            failed: Some(0),
            cancelled: Some(0),
            unfinished: Some(0),
            vcpu_seconds: Some(0.0),
            wait: Stats::default(),
            turnaround: Some(Stats::default()),
            cost: 0.0,
        }
    }
}

/// What the columns read from one run: the report's figures, per queue, share and compute
/// environment, plus turnarounds per queue and share from the job records.
#[derive(Clone, Debug, PartialEq)]
pub struct Figures {
    /// Job counts of the run.
    pub jobs: JobCounts,
    /// Waits of the run.
    pub wait: Stats,
    /// Turnarounds of the run.
    pub turnaround: Stats,
    /// Used / provisioned vCPU-seconds over every compute environment (0 when nothing was
    /// provisioned, as the report's).
    pub utilization: f64,
    /// Dollars.
    pub cost: f64,
    /// Per job queue, by name.
    pub queues: BTreeMap<String, GroupFigures>,
    /// Per share identifier.
    pub shares: BTreeMap<String, GroupFigures>,
    /// Per compute environment, by name.
    pub compute_environments: BTreeMap<String, CeReport>,
}

impl Figures {
    /// The figures of a report; `records` (the run's job table, if kept) give the
    /// turnarounds per queue and share.
    pub fn of(r: &Report, records: Option<&[JobRecord]>) -> Figures {
        let (used, provisioned) = r.compute_environments.values().fold((0.0, 0.0), |(u, p), ce| {
            (u + ce.vcpu_seconds_used, p + ce.vcpu_seconds_provisioned)
        });
        let mut queue_turnaround: BTreeMap<&str, StatsAccumulator> = BTreeMap::new();
        let mut share_turnaround: BTreeMap<&str, StatsAccumulator> = BTreeMap::new();
        for rec in records.unwrap_or_default() {
            let Some(stopped) = rec.stopped_at else { continue };
            let ms = stopped.as_millis().saturating_sub(rec.submitted_at.as_millis());
            queue_turnaround.entry(&rec.job_queue).or_default().record(ms);
            if !rec.share_identifier.is_empty() {
                share_turnaround.entry(&rec.share_identifier).or_default().record(ms);
            }
        }
        let turnaround = |map: &BTreeMap<&str, StatsAccumulator>, name: &str| {
            records.map(|_| map.get(name).map(StatsAccumulator::stats).unwrap_or_default())
        };
        Figures {
            jobs: r.jobs.clone(),
            wait: r.wait_seconds.stats.clone(),
            turnaround: r.turnaround_seconds.clone(),
            utilization: if provisioned > 0.0 { used / provisioned } else { 0.0 },
            cost: r.cost.total,
            queues: r
                .queues
                .iter()
                .map(|(name, q)| {
                    let g = GroupFigures {
                        submitted: q.submitted,
                        succeeded: q.succeeded,
                        failed: Some(q.failed),
                        cancelled: Some(q.cancelled),
                        unfinished: Some(q.unfinished),
                        vcpu_seconds: None,
                        wait: q.wait_seconds.stats.clone(),
                        turnaround: turnaround(&queue_turnaround, name),
                        cost: q.cost,
                    };
                    (name.clone(), g)
                })
                .collect(),
            shares: r
                .shares
                .iter()
                .map(|(name, s)| {
                    let g = GroupFigures {
                        submitted: s.submitted,
                        succeeded: s.succeeded,
                        failed: None,
                        cancelled: None,
                        unfinished: None,
                        vcpu_seconds: Some(s.vcpu_seconds),
                        wait: s.wait_seconds.stats.clone(),
                        turnaround: turnaround(&share_turnaround, name),
                        cost: s.cost,
                    };
                    (name.clone(), g)
                })
                .collect(),
            compute_environments: r.compute_environments.clone(),
        }
    }
}

/// A scope as written in `--columns`: a name, or `None` for `[*]`.
#[derive(Clone, Debug, PartialEq, Eq)]
enum SpecScope {
    Run,
    Queue(Option<String>),
    Share(Option<String>),
    Ce(Option<String>),
}

impl SpecScope {
    fn kind(&self) -> Kind {
        match self {
            SpecScope::Run => Kind::Run,
            SpecScope::Queue(_) => Kind::Queue,
            SpecScope::Share(_) => Kind::Share,
            SpecScope::Ce(_) => Kind::Ce,
        }
    }
}

/// One item of a column list, before `[*]` is expanded (see the module's documentation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnSpec {
    /// As written.
    pub text: String,
    scope: SpecScope,
    metrics: Vec<Metric>,
}

/// Parses a column list (`default,queues[*].waitP95,computeEnvironments[spot].cost`).
pub fn parse_columns(list: &str) -> Result<Vec<ColumnSpec>, SweepError> {
    let mut out = Vec::new();
    for item in super::set::split_values(list) {
        let item = item.trim();
        if item == "default" {
            out.extend(parse_columns(DEFAULT_COLUMNS)?);
            continue;
        }
        out.push(parse_item(item)?);
    }
    Ok(out)
}

fn parse_item(item: &str) -> Result<ColumnSpec, SweepError> {
    let bad = |reason: String| SweepError::Column {
        column: item.to_owned(),
        reason,
    };
    if item.is_empty() {
        return Err(bad("an empty column (columns are separated by commas)".into()));
    }
    let (scope, metric) = match item.split_once('[') {
        None => (SpecScope::Run, item),
        Some((group, rest)) => {
            let (name, metric) = rest
                .split_once("].")
                .ok_or_else(|| bad(format!("write `{group}[NAME].METRIC`, e.g. `queues[*].waitP95`")))?;
            let name = name.trim();
            if name.is_empty() {
                return Err(bad("`[]` is empty (write a name or `*`)".into()));
            }
            let name = (name != "*").then(|| name.to_owned());
            let scope = match group {
                "queues" | "jobQueues" => SpecScope::Queue(name),
                "shares" => SpecScope::Share(name),
                "computeEnvironments" => SpecScope::Ce(name),
                other => {
                    let hint = crate::scenario::suggest::suggest(other, ["queues", "shares", "computeEnvironments"])
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default();
                    return Err(bad(format!(
                        "`{other}` is not a group (queues, shares, computeEnvironments){hint}"
                    )));
                }
            };
            (scope, metric)
        }
    };
    let allowed = Metric::of_kind(scope.kind());
    let metrics: Vec<Metric> = match metric {
        "wait" => Stat::ALL.map(Metric::Wait).to_vec(),
        "turnaround" => Stat::ALL.map(Metric::Turnaround).to_vec(),
        m => allowed.iter().copied().filter(|a| a.name() == m).collect(),
    };
    if metrics.is_empty() || metrics.iter().any(|m| !allowed.contains(m)) {
        let names: Vec<String> = allowed.iter().map(|m| m.name()).collect();
        let hint = crate::scenario::suggest::suggest(metric, names.iter().map(String::as_str))
            .map(|s| format!("did you mean `{s}`? "))
            .unwrap_or_default();
        let whose = match scope.kind() {
            Kind::Run => "a run",
            Kind::Queue => "a queue",
            Kind::Share => "a share",
            Kind::Ce => "a compute environment",
        };
        return Err(bad(format!(
            "`{metric}` is not a figure of {whose}; {hint}{whose} has: {}",
            names.join(", ")
        )));
    }
    Ok(ColumnSpec {
        text: item.to_owned(),
        scope,
        metrics,
    })
}

impl ColumnSpec {
    /// Whether the column needs the runs' job records (turnarounds per queue or share).
    pub fn needs_records(&self) -> bool {
        self.scope != SpecScope::Run && self.metrics.iter().any(|m| matches!(m, Metric::Turnaround(_)))
    }

    /// The queue or compute environment it names, to check before running.
    pub(crate) fn named(&self) -> Option<(&'static str, &str)> {
        match &self.scope {
            SpecScope::Queue(Some(q)) => Some(("queue", q)),
            SpecScope::Ce(Some(c)) => Some(("compute environment", c)),
            _ => None,
        }
    }
}

/// The columns of `specs` over the names seen in `figures` (`[*]` in name order), without
/// repeats.
pub fn resolve(specs: &[ColumnSpec], figures: &[&Figures]) -> Vec<Column> {
    let names = |pick: fn(&Figures) -> Vec<&String>| -> Vec<String> {
        let mut all: Vec<String> = figures.iter().flat_map(|f| pick(f)).cloned().collect();
        all.sort();
        all.dedup();
        all
    };
    let mut out: Vec<Column> = Vec::new();
    for spec in specs {
        let scopes: Vec<Scope> = match &spec.scope {
            SpecScope::Run => vec![Scope::Run],
            SpecScope::Queue(Some(q)) => vec![Scope::Queue(q.clone())],
            SpecScope::Share(Some(s)) => vec![Scope::Share(s.clone())],
            SpecScope::Ce(Some(c)) => vec![Scope::ComputeEnvironment(c.clone())],
            SpecScope::Queue(None) => names(|f| f.queues.keys().collect())
                .into_iter()
                .map(Scope::Queue)
                .collect(),
            SpecScope::Share(None) => names(|f| f.shares.keys().collect())
                .into_iter()
                .map(Scope::Share)
                .collect(),
            SpecScope::Ce(None) => names(|f| f.compute_environments.keys().collect())
                .into_iter()
                .map(Scope::ComputeEnvironment)
                .collect(),
        };
        for scope in scopes {
            for &metric in &spec.metrics {
                let c = Column {
                    scope: scope.clone(),
                    metric,
                };
                if !out.contains(&c) {
                    out.push(c);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &str, f: &Figures) -> Vec<String> {
        resolve(&parse_columns(list).unwrap(), &[f])
            .iter()
            .map(Column::name)
            .collect()
    }

    fn figures() -> Figures {
        let stats = |count: u64, p95: f64| Stats {
            count,
            p95: (count > 0).then_some(p95),
            ..Stats::default()
        };
        let queue = |wait: Stats| GroupFigures {
            submitted: 3,
            succeeded: 1,
            failed: Some(0),
            cancelled: Some(0),
            unfinished: Some(2),
            vcpu_seconds: None,
            wait,
            turnaround: None,
            cost: 1.25,
        };
        Figures {
            jobs: JobCounts::default(),
            wait: stats(1, 5.0),
            turnaround: Stats::default(),
            utilization: 1.0,
            cost: 2.5,
            queues: [
                ("blocked".into(), queue(stats(0, 0.0))),
                ("fast".into(), queue(stats(1, 5.0))),
            ]
            .into(),
            shares: BTreeMap::new(),
            compute_environments: [("ce".to_owned(), CeReport::default())].into(),
        }
    }

    #[test]
    fn default_is_the_contract_columns() {
        assert_eq!(names("default", &figures()).join(","), DEFAULT_COLUMNS);
    }

    #[test]
    fn wildcards_expand_in_name_order_without_repeats() {
        let f = figures();
        assert_eq!(
            names(
                "queues[*].waitP95,queues[fast].waitP95,computeEnvironments[*].utilizationOfMax",
                &f
            ),
            [
                "queues[blocked].waitP95",
                "queues[fast].waitP95",
                "computeEnvironments[ce].utilizationOfMax"
            ]
        );
        assert_eq!(names("queues[fast].wait", &f).len(), 7);
        assert_eq!(names("shares[*].waitP95", &f), Vec::<String>::new());
    }

    #[test]
    fn empty_statistics_are_empty_never_zero() {
        let f = figures();
        let value = |list: &str| resolve(&parse_columns(list).unwrap(), &[&f])[0].value(&f);
        assert_eq!(value("queues[blocked].waitP95"), Figure::Empty);
        assert_eq!(value("queues[blocked].waitCount"), Figure::Count(0));
        assert_eq!(value("queues[fast].waitP95"), Figure::Number(5.0));
        assert_eq!(value("queues[fast].unfinished"), Figure::Count(2));
        assert_eq!(value("turnaroundP95"), Figure::Empty);
        // A share no job used in this run: nothing submitted, no wait.
        assert_eq!(value("shares[nobody].submitted"), Figure::Count(0));
        assert_eq!(value("shares[nobody].waitMean"), Figure::Empty);
        assert_eq!(value("cost"), Figure::Number(2.5));
    }

    #[test]
    fn bad_columns_say_what_exists() {
        let err = |list: &str| parse_columns(list).unwrap_err().to_string();
        assert!(err("waitp95").contains("did you mean `waitP95`?"), "{}", err("waitp95"));
        assert!(err("queues[q].vcpuSeconds").contains("is not a figure of a queue"));
        assert!(err("shares[s].failed").contains("a share has: submitted, succeeded, vcpuSeconds"));
        assert!(
            err("queue[q].waitP95").contains("did you mean `queues`?"),
            "{}",
            err("queue[q].waitP95")
        );
        assert!(err("queues[q]").contains("write `queues[NAME].METRIC`"));
        assert!(err("queues[].waitP95").contains("`[]` is empty"));
        assert!(err("cost,,succeeded").contains("an empty column"));
        assert!(
            parse_columns("computeEnvironments[a,b].cost").is_ok(),
            "commas inside brackets"
        );
        let spec = &parse_columns("queues[q].turnaroundP95,shares[*].waitP95").unwrap();
        assert!(spec[0].needs_records() && !spec[1].needs_records());
        assert!(!parse_columns("turnaroundP95").unwrap()[0].needs_records());
    }
}
