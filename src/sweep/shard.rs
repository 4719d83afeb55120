//! # Sharded sweeps: one sweep split over the tasks of an array job, merged back
//!
//! `batchsim sweep ... --shard I/N --out PART` runs shard `I` (1-based) of `N`: run `k`
//! (0-based, in the sweep's row order, see [`Grid::run_at`]) belongs to shard
//! `k mod N + 1`. The slices are disjoint, together they are every run, and which runs a
//! shard holds depends only on `k` and `N`. `--shard auto/N` takes `I` from the array job's
//! index ([`Shard::parse`]). `batchsim merge PART...` checks the parts ([`merge`]) and
//! writes the table and the summary the unsharded sweep would have written.
//!
//! ## The part file
//!
//! JSON lines, UTF-8. The first line is the header ([`PartHeader`]):
//!
//! ```text
//! {"batchsimSweepPart":1,"version":"0.1.0","sweep":"<32 hex digits>","shard":"2/4",
//!  "runs":16,"rows":4,"seeds":"1..4","set":["computeEnvironments[0].computeResources.maxvCpus=4,8"],
//!  "columns":null,"untilMillis":null,"format":"csv","elapsedSeconds":0.41,"threads":2}
//! ```
//!
//! (one line in the file). `sweep` is the [`SweepId`]; `runs` the sweep's total, `rows` this
//! part's; `set`, `columns` (`null`: not given) and `untilMillis` are the flags as the
//! sweep read them; `elapsedSeconds` and `threads` are the shard's wall time and thread
//! count (the only parts of a merge's summary that are not the unsharded sweep's). Then one
//! line per run of the shard, in run order:
//!
//! ```text
//! {"run":5,"seed":2,"combination":1,"figures":{"jobs":{...},"wait":{...},"turnaround":{...},
//!  "utilization":"0.55","cost":"0.0123","queues":{...},"shares":{...},"computeEnvironments":{...}}}
//! ```
//!
//! `figures` is the run's [`Figures`], every field under its report name. Real numbers are
//! JSON strings holding Rust's shortest round-trip form (`"0.1"`, `"1e-7"`, `"NaN"`), so
//! that they read back bit for bit and the merged table and intervals are exactly the
//! unsharded sweep's.

use super::columns::{parse_columns, ColumnSpec, Figures, GroupFigures};
use super::{Format, Grid, Row, Seeds, Setting, SweepError};
use crate::report::{CeReport, JobCounts, Stats};
use crate::SimTime;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The part format's version (the header's `batchsimSweepPart`).
pub const PART_FORMAT: u32 = 1;

/// The environment variables `--shard auto/N` reads, in order, with the index each gives
/// to shard 1: AWS Batch array jobs (`AWS_BATCH_JOB_ARRAY_INDEX`, 0 to N-1), Slurm job
/// arrays submitted with `--array=1-N` (`SLURM_ARRAY_TASK_ID`, 1 to N) and Kubernetes
/// Indexed Jobs (`JOB_COMPLETION_INDEX`, 0 to N-1).
pub const ARRAY_INDEX_VARIABLES: [(&str, u64); 3] = [
    ("AWS_BATCH_JOB_ARRAY_INDEX", 0),
    ("SLURM_ARRAY_TASK_ID", 1),
    ("JOB_COMPLETION_INDEX", 0),
];

/// Why a shard cannot be chosen, or parts cannot be read or merged.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ShardError {
    /// A bad `--shard` value.
    #[error("`{text}`: {reason}")]
    Shard {
        /// As written.
        text: String,
        /// What is wrong.
        reason: String,
    },
    /// `auto/N` outside an array job.
    #[error("`auto/{count}` takes the shard from an array job's index, but none of {} is set; give the shard as I/{count}",
            ARRAY_INDEX_VARIABLES.map(|(v, _)| v).join(", "))]
    NoArrayIndex {
        /// N.
        count: u32,
    },
    /// An array index that does not name a shard.
    #[error("`auto/{count}`: {variable}={value}: {reason}")]
    ArrayIndex {
        /// The variable.
        variable: &'static str,
        /// Its value.
        value: String,
        /// N.
        count: u32,
        /// What is wrong.
        reason: String,
    },
    /// A part that cannot be read.
    #[error("{}: cannot read: {source}", file.display())]
    Read {
        /// The part.
        file: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// A file that is not a well-formed part.
    #[error("{}:{line}: not a batchsim sweep part: {reason}", file.display())]
    Malformed {
        /// The file.
        file: PathBuf,
        /// The line (1-based).
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// A part written by another version of batchsim.
    #[error("{}: written by batchsim {found}; this is batchsim {expected}, which may write the table differently: run every shard and the merge with one version", file.display())]
    Version {
        /// The part.
        file: PathBuf,
        /// Its version.
        found: String,
        /// This binary's.
        expected: String,
    },
    /// A part of another sweep.
    #[error("foreign part: {} is of sweep {id}, not of sweep {expected} like {like}: {differs}", file.display())]
    Foreign {
        /// The part.
        file: PathBuf,
        /// Its sweep id.
        id: SweepId,
        /// The sweep id of the other parts.
        expected: SweepId,
        /// The parts of that sweep, as a list.
        like: String,
        /// What differs.
        differs: String,
    },
    /// Parts of one sweep split into different numbers of shards.
    #[error("{}: shard {shard}, but {} is shard {other_shard}: every part must come from one --shard I/N split", file.display(), other.display())]
    Split {
        /// The part.
        file: PathBuf,
        /// Its shard.
        shard: Shard,
        /// A part split otherwise.
        other: PathBuf,
        /// Its shard.
        other_shard: Shard,
    },
    /// Two parts of the same shard.
    #[error("duplicate part: {} and {} are both shard {shard}", first.display(), second.display())]
    Duplicate {
        /// The first part of the shard.
        first: PathBuf,
        /// The second.
        second: PathBuf,
        /// The shard.
        shard: Shard,
    },
    /// Nothing to merge.
    #[error("no part to merge")]
    NoParts,
    /// Shards without a part.
    #[error("missing part{}: {} of sweep {id} (no part given is {})",
            if missing.len() == 1 { "" } else { "s" }, shard_list(missing, *count),
            if missing.len() == 1 { "that shard" } else { "one of those shards" })]
    Missing {
        /// The shards (1-based) without a part.
        missing: Vec<u32>,
        /// N.
        count: u32,
        /// The sweep.
        id: SweepId,
    },
    /// A part whose rows are not its shard's.
    #[error("{}: {reason}", file.display())]
    Incomplete {
        /// The part.
        file: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A header whose flags do not make a sweep (edited by hand).
    #[error("{}: the header's flags: {source}", file.display())]
    Flags {
        /// The part.
        file: PathBuf,
        /// The problem.
        source: Box<SweepError>,
    },
}

fn shard_list(shards: &[u32], count: u32) -> String {
    let names: Vec<String> = shards.iter().map(|i| format!("shard {i}/{count}")).collect();
    names.join(", ")
}

/// One slice of a sweep's runs: shard `index` (1-based) of `count`, holding the runs `k`
/// with `k mod count == index - 1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Shard {
    index: u32,
    count: u32,
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// Shard `index` (1 to `count`) of `count` (at least 1).
    pub fn new(index: u32, count: u32) -> Result<Shard, ShardError> {
        let bad = |reason: String| ShardError::Shard {
            text: format!("{index}/{count}"),
            reason,
        };
        if count == 0 {
            return Err(bad("N must be at least 1".into()));
        }
        if index == 0 || index > count {
            return Err(bad(format!(
                "I counts from 1 to N: shards are 1/{count} to {count}/{count}"
            )));
        }
        Ok(Shard { index, count })
    }

    /// Parses `I/N`, or `auto/N` with `I` from the first of `ARRAY_INDEX_VARIABLES` that
    /// `env` knows (`env` is `|name| std::env::var(name).ok()` on the command line).
    pub fn parse(text: &str, env: impl Fn(&str) -> Option<String>) -> Result<Shard, ShardError> {
        let bad = |reason: String| ShardError::Shard {
            text: text.to_owned(),
            reason,
        };
        let (i, n) = text
            .split_once('/')
            .ok_or_else(|| bad("write I/N (shard I of N, from 1), e.g. 2/8, or auto/N".into()))?;
        let number = |t: &str, what: &str| {
            t.trim()
                .parse::<u32>()
                .map_err(|_| bad(format!("`{t}` is not {what} (a whole number)")))
        };
        let count = number(n, "a number of shards N")?;
        if i.trim() != "auto" {
            let index = number(i, "a shard I")?;
            return Shard::new(index, count).map_err(|e| match e {
                ShardError::Shard { reason, .. } => bad(reason),
                other => other,
            });
        }
        Shard::new(1, count).map_err(|e| match e {
            ShardError::Shard { reason, .. } => bad(reason),
            other => other,
        })?;
        let (variable, base, value) = ARRAY_INDEX_VARIABLES
            .iter()
            .find_map(|&(v, base)| env(v).map(|value| (v, base, value)))
            .ok_or(ShardError::NoArrayIndex { count })?;
        let wrong = |reason: String| ShardError::ArrayIndex {
            variable,
            value: value.clone(),
            count,
            reason,
        };
        let given: u64 = value
            .trim()
            .parse()
            .map_err(|_| wrong("not an array index (a whole number)".into()))?;
        let last = u64::from(count) - 1 + base;
        if given < base || given > last {
            let how = if base == 1 {
                format!("batchsim assumes a 1-based array, `--array=1-{count}`")
            } else {
                "the index counts from 0".to_owned()
            };
            return Err(wrong(format!(
                "{count} shards take the indices {base} to {last} ({how})"
            )));
        }
        Ok(Shard {
            index: (given - base + 1) as u32,
            count,
        })
    }

    /// I (1 to N).
    pub fn index(self) -> u32 {
        self.index
    }

    /// N.
    pub fn count(self) -> u32 {
        self.count
    }

    /// Whether run `run` (0-based) is in this shard.
    pub fn holds(self, run: usize) -> bool {
        run % self.count as usize == self.index as usize - 1
    }

    /// The runs of this shard among `total`, in order.
    pub fn runs(self, total: usize) -> impl Iterator<Item = usize> {
        (self.index as usize - 1..total).step_by(self.count as usize)
    }

    /// How many of `total` runs this shard holds.
    pub fn len(self, total: usize) -> usize {
        let first = self.index as usize - 1;
        if total <= first {
            0
        } else {
            (total - first).div_ceil(self.count as usize)
        }
    }

    /// Whether this shard holds none of `total` runs (more shards than runs).
    pub fn is_empty(self, total: usize) -> bool {
        self.len(total) == 0
    }
}

/// What identifies a sweep: a 128-bit FNV-1a hash of the scenario file's bytes (and of the
/// trace files it reads, [`SweepId::of_file`]), the batchsim version and every flag that
/// shapes the rows ([`SweepFlags`]). Two parts with
/// the same id are slices of the same sweep. Written as 32 hexadecimal digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SweepId(u128);

impl fmt::Display for SweepId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:032x}", self.0)
    }
}

impl std::str::FromStr for SweepId {
    type Err = String;

    fn from_str(s: &str) -> Result<SweepId, String> {
        if s.len() != 32 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("`{s}` is not a sweep id (32 hexadecimal digits)"));
        }
        u128::from_str_radix(s, 16)
            .map(SweepId)
            .map_err(|e| format!("`{s}`: {e}"))
    }
}

/// 128-bit FNV-1a, every field preceded by its length (so that fields cannot run into each
/// other).
struct Fnv(u128);

impl Fnv {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;

    fn bytes(&mut self, data: &[u8]) {
        for &b in (data.len() as u64).to_le_bytes().iter().chain(data) {
            self.0 ^= u128::from(b);
            self.0 = self.0.wrapping_mul(Fnv::PRIME);
        }
    }
}

/// The flags of `batchsim sweep` that shape its output: the same scenario under the same
/// flags and version gives the same table.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepFlags {
    /// `--seeds`.
    pub seeds: Seeds,
    /// `--set`, in order.
    pub settings: Vec<Setting>,
    /// `--columns` as written (`None`: not given; the summary then shows fewer columns).
    pub columns: Option<String>,
    /// `--until`.
    pub until: Option<SimTime>,
    /// `--format`.
    pub format: Format,
}

impl SweepFlags {
    /// Each setting as `PATH=V1,V2,...` (what [`Setting`]'s parser reads back).
    fn setting_texts(&self) -> Vec<String> {
        self.settings
            .iter()
            .map(|s| {
                let values: Vec<&str> = s.values.iter().map(|v| v.text.as_str()).collect();
                format!("{}={}", s.path_text, values.join(","))
            })
            .collect()
    }

    /// The columns to parse (the default when not given).
    pub fn column_specs(&self) -> Result<Vec<ColumnSpec>, SweepError> {
        parse_columns(self.columns.as_deref().unwrap_or(super::columns::DEFAULT_COLUMNS))
    }
}

impl SweepId {
    /// The id of a sweep under `flags` of a scenario whose file's bytes are `inputs[0]`
    /// (then the bytes of the trace files it reads, if any), by this version of batchsim.
    pub fn of(inputs: &[&[u8]], flags: &SweepFlags) -> SweepId {
        let mut h = Fnv(Fnv::OFFSET);
        h.bytes(b"batchsim sweep id 1");
        for input in inputs {
            h.bytes(b"input");
            h.bytes(input);
        }
        h.bytes(env!("CARGO_PKG_VERSION").as_bytes());
        h.bytes(&flags.seeds.first().to_le_bytes());
        h.bytes(&flags.seeds.last().to_le_bytes());
        for s in flags.setting_texts() {
            h.bytes(b"set");
            h.bytes(s.as_bytes());
        }
        match &flags.columns {
            Some(c) => h.bytes(format!("columns {c}").as_bytes()),
            None => h.bytes(b"default columns"),
        }
        match flags.until {
            Some(t) => h.bytes(format!("until {}", t.as_millis()).as_bytes()),
            None => h.bytes(b"until as the scenario"),
        }
        h.bytes(format_name(flags.format).as_bytes());
        SweepId(h.0)
    }

    /// The id of a sweep of the scenario file `scenario` under `flags`: its bytes and those
    /// of the trace files its workload names (`workload[*].trace.path`, relative to its
    /// folder; a trace path that `--set` changes counts by the setting's text only).
    pub fn of_file(scenario: &Path, flags: &SweepFlags) -> Result<SweepId, ShardError> {
        Self::of_files(scenario, &[], flags)
    }

    /// [`SweepId::of_file`] with the set-up files added by `--infra` (their bytes, in order,
    /// after the scenario's and its traces').
    pub fn of_files(scenario: &Path, infra: &[PathBuf], flags: &SweepFlags) -> Result<SweepId, ShardError> {
        let read = |file: &Path| {
            std::fs::read(file).map_err(|source| ShardError::Read {
                file: file.to_owned(),
                source,
            })
        };
        let mut inputs = vec![read(scenario)?];
        let traces: Vec<PathBuf> = serde_json::from_slice::<serde_json::Value>(&inputs[0])
            .ok()
            .and_then(|v| v.get("workload").and_then(serde_json::Value::as_array).cloned())
            .unwrap_or_default()
            .iter()
            .filter_map(|e| e.pointer("/trace/path").and_then(serde_json::Value::as_str))
            .map(|rel| scenario.parent().unwrap_or(Path::new("")).join(rel))
            .collect();
        for t in traces.iter().chain(infra) {
            inputs.push(read(t)?);
        }
        let slices: Vec<&[u8]> = inputs.iter().map(Vec::as_slice).collect();
        Ok(SweepId::of(&slices, flags))
    }
}

fn format_name(f: Format) -> &'static str {
    match f {
        Format::Csv => "csv",
        Format::Json => "json",
        Format::Jsonl => "jsonl",
    }
}

/// A part's first line: which sweep, which shard, and the flags to write the table with.
#[derive(Clone, Debug, PartialEq)]
pub struct PartHeader {
    /// The batchsim version that wrote it.
    pub version: String,
    /// The sweep.
    pub sweep: SweepId,
    /// This part's shard.
    pub shard: Shard,
    /// The sweep's runs (all shards).
    pub runs: usize,
    /// The flags.
    pub flags: SweepFlags,
    /// The shard's wall time, seconds.
    pub elapsed_seconds: f64,
    /// The threads it ran on.
    pub threads: usize,
}

/// A part: its header and its rows, each with its run index.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    /// The header.
    pub header: PartHeader,
    /// The rows, in run order, with their run indices.
    pub rows: Vec<(usize, Row)>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct HeaderLine {
    batchsim_sweep_part: u32,
    version: String,
    sweep: String,
    shard: String,
    runs: usize,
    rows: usize,
    seeds: String,
    set: Vec<String>,
    columns: Option<String>,
    until_millis: Option<u64>,
    format: String,
    elapsed_seconds: f64,
    threads: usize,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RowLine {
    run: usize,
    seed: u64,
    combination: usize,
    figures: FiguresLine,
}

/// A real number written as Rust's shortest round-trip text (exact when read back).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Exact(f64);

impl Serialize for Exact {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{:?}", self.0))
    }
}

impl<'de> Deserialize<'de> for Exact {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Exact, D::Error> {
        let text = String::deserialize(d)?;
        text.parse::<f64>()
            .map(Exact)
            .map_err(|_| serde::de::Error::custom(format!("`{text}` is not a number")))
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StatsLine {
    count: u64,
    mean: Option<Exact>,
    p50: Option<Exact>,
    p90: Option<Exact>,
    p95: Option<Exact>,
    p99: Option<Exact>,
    max: Option<Exact>,
}

impl From<&Stats> for StatsLine {
    fn from(s: &Stats) -> StatsLine {
        StatsLine {
            count: s.count,
            mean: s.mean.map(Exact),
            p50: s.p50.map(Exact),
            p90: s.p90.map(Exact),
            p95: s.p95.map(Exact),
            p99: s.p99.map(Exact),
            max: s.max.map(Exact),
        }
    }
}

impl From<StatsLine> for Stats {
    fn from(s: StatsLine) -> Stats {
        Stats {
            count: s.count,
            mean: s.mean.map(|e| e.0),
            p50: s.p50.map(|e| e.0),
            p90: s.p90.map(|e| e.0),
            p95: s.p95.map(|e| e.0),
            p99: s.p99.map(|e| e.0),
            max: s.max.map(|e| e.0),
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct GroupLine {
    submitted: u64,
    succeeded: u64,
    failed: Option<u64>,
    cancelled: Option<u64>,
    unfinished: Option<u64>,
    vcpu_seconds: Option<Exact>,
    wait: StatsLine,
    turnaround: Option<StatsLine>,
    cost: Exact,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CeLine {
    jobs_started: u64,
    #[serde(rename = "maxvCpus")]
    max_vcpus: u32,
    vcpu_seconds_used: Exact,
    vcpu_seconds_provisioned: Exact,
    utilization: Exact,
    utilization_of_max: Exact,
    interruptions: u64,
    cost: Exact,
    idle_cost: Exact,
    instances_launched: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct JobsLine {
    submitted: u64,
    succeeded: u64,
    failed: u64,
    cancelled: u64,
    unfinished: u64,
    queued: u64,
    running: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FiguresLine {
    jobs: JobsLine,
    wait: StatsLine,
    turnaround: StatsLine,
    utilization: Exact,
    cost: Exact,
    queues: BTreeMap<String, GroupLine>,
    shares: BTreeMap<String, GroupLine>,
    compute_environments: BTreeMap<String, CeLine>,
}

impl From<&GroupFigures> for GroupLine {
    fn from(g: &GroupFigures) -> GroupLine {
        GroupLine {
            submitted: g.submitted,
            succeeded: g.succeeded,
            failed: g.failed,
            cancelled: g.cancelled,
            unfinished: g.unfinished,
            vcpu_seconds: g.vcpu_seconds.map(Exact),
            wait: (&g.wait).into(),
            turnaround: g.turnaround.as_ref().map(StatsLine::from),
            cost: Exact(g.cost),
        }
    }
}

impl From<GroupLine> for GroupFigures {
    fn from(g: GroupLine) -> GroupFigures {
        GroupFigures {
            submitted: g.submitted,
            succeeded: g.succeeded,
            failed: g.failed,
            cancelled: g.cancelled,
            unfinished: g.unfinished,
            vcpu_seconds: g.vcpu_seconds.map(|x| x.0),
            wait: g.wait.into(),
            turnaround: g.turnaround.map(Stats::from),
            cost: g.cost.0,
        }
    }
}

impl From<&CeReport> for CeLine {
    fn from(c: &CeReport) -> CeLine {
        CeLine {
            jobs_started: c.jobs_started,
            max_vcpus: c.max_vcpus,
            vcpu_seconds_used: Exact(c.vcpu_seconds_used),
            vcpu_seconds_provisioned: Exact(c.vcpu_seconds_provisioned),
            utilization: Exact(c.utilization),
            utilization_of_max: Exact(c.utilization_of_max),
            interruptions: c.interruptions,
            cost: Exact(c.cost),
            idle_cost: Exact(c.idle_cost),
            instances_launched: c.instances_launched,
        }
    }
}

impl From<CeLine> for CeReport {
    fn from(c: CeLine) -> CeReport {
        CeReport {
            jobs_started: c.jobs_started,
            max_vcpus: c.max_vcpus,
            vcpu_seconds_used: c.vcpu_seconds_used.0,
            vcpu_seconds_provisioned: c.vcpu_seconds_provisioned.0,
            utilization: c.utilization.0,
            utilization_of_max: c.utilization_of_max.0,
            interruptions: c.interruptions,
            cost: c.cost.0,
            idle_cost: c.idle_cost.0,
            instances_launched: c.instances_launched,
            spot_price_paid_mean: None,
            spot_paid_of_on_demand: None,
        }
    }
}

impl From<&Figures> for FiguresLine {
    fn from(f: &Figures) -> FiguresLine {
        let j = &f.jobs;
        FiguresLine {
            jobs: JobsLine {
                submitted: j.submitted,
                succeeded: j.succeeded,
                failed: j.failed,
                cancelled: j.cancelled,
                unfinished: j.unfinished,
                queued: j.queued,
                running: j.running,
            },
            wait: (&f.wait).into(),
            turnaround: (&f.turnaround).into(),
            utilization: Exact(f.utilization),
            cost: Exact(f.cost),
            queues: f.queues.iter().map(|(k, g)| (k.clone(), g.into())).collect(),
            shares: f.shares.iter().map(|(k, g)| (k.clone(), g.into())).collect(),
            compute_environments: f
                .compute_environments
                .iter()
                .map(|(k, c)| (k.clone(), c.into()))
                .collect(),
        }
    }
}

impl From<FiguresLine> for Figures {
    fn from(f: FiguresLine) -> Figures {
        let j = f.jobs;
        Figures {
            jobs: JobCounts {
                submitted: j.submitted,
                succeeded: j.succeeded,
                failed: j.failed,
                cancelled: j.cancelled,
                unfinished: j.unfinished,
                queued: j.queued,
                running: j.running,
            },
            wait: f.wait.into(),
            turnaround: f.turnaround.into(),
            utilization: f.utilization.0,
            cost: f.cost.0,
            queues: f.queues.into_iter().map(|(k, g)| (k, g.into())).collect(),
            shares: f.shares.into_iter().map(|(k, g)| (k, g.into())).collect(),
            compute_environments: f.compute_environments.into_iter().map(|(k, c)| (k, c.into())).collect(),
        }
    }
}

impl Part {
    /// The part as JSON lines (see the module's documentation).
    pub fn to_jsonl(&self) -> String {
        let h = &self.header;
        let header = HeaderLine {
            batchsim_sweep_part: PART_FORMAT,
            version: h.version.clone(),
            sweep: h.sweep.to_string(),
            shard: h.shard.to_string(),
            runs: h.runs,
            rows: self.rows.len(),
            seeds: format!("{}..{}", h.flags.seeds.first(), h.flags.seeds.last()),
            set: h.flags.setting_texts(),
            columns: h.flags.columns.clone(),
            until_millis: h.flags.until.map(SimTime::as_millis),
            format: format_name(h.flags.format).to_owned(),
            elapsed_seconds: h.elapsed_seconds,
            threads: h.threads,
        };
        let mut out = line(&header);
        for (run, row) in &self.rows {
            out.push_str(&line(&RowLine {
                run: *run,
                seed: row.seed,
                combination: row.combination,
                figures: (&row.figures).into(),
            }));
        }
        out
    }

    /// Reads the part file `file`: a well-formed header of this batchsim version, and
    /// exactly the rows of its shard, in order, each with the seed and combination of its
    /// run.
    pub fn read(file: &Path) -> Result<Part, ShardError> {
        let text = std::fs::read_to_string(file).map_err(|source| ShardError::Read {
            file: file.to_owned(),
            source,
        })?;
        Part::parse(&text, file)
    }

    /// [`Part::read`] of a part's text (`file` names it in messages).
    pub fn parse(text: &str, file: &Path) -> Result<Part, ShardError> {
        let malformed = |line: usize, reason: String| ShardError::Malformed {
            file: file.to_owned(),
            line,
            reason,
        };
        let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
        let (_, first) = lines
            .next()
            .ok_or_else(|| malformed(1, "the file is empty (a part's first line is its header)".into()))?;
        let head: serde_json::Value =
            serde_json::from_str(first).map_err(|e| malformed(1, format!("the first line is not JSON: {e}")))?;
        if head.get("batchsimSweepPart").and_then(serde_json::Value::as_u64) != Some(u64::from(PART_FORMAT)) {
            return Err(malformed(
                1,
                format!("the first line lacks \"batchsimSweepPart\":{PART_FORMAT} (write parts with batchsim sweep --shard I/N --out PART)"),
            ));
        }
        if let Some(found) = head.get("version").and_then(serde_json::Value::as_str) {
            if found != env!("CARGO_PKG_VERSION") {
                return Err(ShardError::Version {
                    file: file.to_owned(),
                    found: found.to_owned(),
                    expected: env!("CARGO_PKG_VERSION").to_owned(),
                });
            }
        }
        let h: HeaderLine = serde_json::from_value(head).map_err(|e| malformed(1, format!("header: {e}")))?;
        let declared_rows = h.rows;
        let header = header_of(h, file)?;
        let grid = grid_of(&header, file)?;
        if grid.runs() != header.runs {
            return Err(malformed(
                1,
                format!(
                    "\"runs\":{} but its seeds and settings make {} runs",
                    header.runs,
                    grid.runs()
                ),
            ));
        }
        let expected: Vec<usize> = header.shard.runs(header.runs).collect();
        if declared_rows != expected.len() {
            return Err(malformed(
                1,
                format!(
                    "\"rows\":{} but shard {} of {} runs holds {}",
                    declared_rows,
                    header.shard,
                    header.runs,
                    expected.len()
                ),
            ));
        }
        let mut rows = Vec::with_capacity(expected.len());
        for (n, l) in lines {
            let r: RowLine = serde_json::from_str(l).map_err(|e| malformed(n + 1, e.to_string()))?;
            let Some(&want) = expected.get(rows.len()) else {
                return Err(ShardError::Incomplete {
                    file: file.to_owned(),
                    reason: format!(
                        "line {}: more rows than the {} of shard {}",
                        n + 1,
                        expected.len(),
                        header.shard
                    ),
                });
            };
            if r.run != want {
                return Err(malformed(
                    n + 1,
                    format!("run {} where shard {} has run {want}", r.run, header.shard),
                ));
            }
            if grid.run_at(r.run) != Some((r.seed, r.combination)) {
                return Err(malformed(
                    n + 1,
                    format!(
                        "run {} is not seed {} combination {} in this sweep",
                        r.run, r.seed, r.combination
                    ),
                ));
            }
            rows.push((
                r.run,
                Row {
                    seed: r.seed,
                    combination: r.combination,
                    figures: r.figures.into(),
                },
            ));
        }
        if rows.len() != expected.len() {
            return Err(ShardError::Incomplete {
                file: file.to_owned(),
                reason: format!(
                    "truncated: {} of the {} rows of shard {}",
                    rows.len(),
                    expected.len(),
                    header.shard
                ),
            });
        }
        Ok(Part { header, rows })
    }
}

fn line<T: Serialize>(value: &T) -> String {
    // These structs have string keys and finite or string numbers only: serialising cannot
    // fail, but a failure would still be a line, never a panic.
    let mut s = serde_json::to_string(value).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    s.push('\n');
    s
}

fn header_of(h: HeaderLine, file: &Path) -> Result<PartHeader, ShardError> {
    let malformed = |reason: String| ShardError::Malformed {
        file: file.to_owned(),
        line: 1,
        reason,
    };
    let flags_error = |source| ShardError::Flags {
        file: file.to_owned(),
        source: Box::new(source),
    };
    let sweep = h.sweep.parse().map_err(|e| malformed(format!("\"sweep\": {e}")))?;
    let shard = Shard::parse(&h.shard, |_| None).map_err(|e| malformed(format!("\"shard\": {e}")))?;
    let seeds = h.seeds.parse().map_err(flags_error)?;
    let settings = h
        .set
        .iter()
        .map(|s| {
            s.parse::<Setting>().map_err(|reason| {
                flags_error(SweepError::Setting {
                    path: s.clone(),
                    reason,
                })
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let format = match h.format.as_str() {
        "csv" => Format::Csv,
        "json" => Format::Json,
        "jsonl" => Format::Jsonl,
        other => return Err(malformed(format!("\"format\": `{other}` is not csv, json or jsonl"))),
    };
    let flags = SweepFlags {
        seeds,
        settings,
        columns: h.columns,
        until: h.until_millis.map(SimTime::from_millis),
        format,
    };
    flags.column_specs().map_err(flags_error)?;
    Ok(PartHeader {
        version: h.version,
        sweep,
        shard,
        runs: h.runs,
        flags,
        elapsed_seconds: h.elapsed_seconds,
        threads: h.threads,
    })
}

fn grid_of(header: &PartHeader, file: &Path) -> Result<Grid, ShardError> {
    Grid::new(header.flags.seeds, header.flags.settings.clone()).map_err(|source| ShardError::Flags {
        file: file.to_owned(),
        source: Box::new(source),
    })
}

/// Parts merged: the sweep's rows in run order, ready for [`super::Table::of_grid`].
#[derive(Clone, Debug)]
pub struct Merged {
    /// The sweep.
    pub id: SweepId,
    /// Its flags (the table's format and columns).
    pub flags: SweepFlags,
    /// Its runs.
    pub grid: Grid,
    /// Every row, in run order.
    pub rows: Vec<Row>,
    /// The parts' wall times, summed (seconds).
    pub elapsed_seconds: f64,
    /// The parts' threads, summed.
    pub threads: usize,
}

/// Merges parts (each with the file it came from): all of one sweep (the id most of them
/// carry; another is foreign), of one split into N shards, each shard exactly once.
pub fn merge(parts: Vec<(PathBuf, Part)>) -> Result<Merged, ShardError> {
    let Some((first_file, first)) = parts.first() else {
        return Err(ShardError::NoParts);
    };
    // The sweep is the id most parts carry (the first part's on a tie).
    let mut votes: BTreeMap<SweepId, usize> = BTreeMap::new();
    for (_, p) in &parts {
        *votes.entry(p.header.sweep).or_default() += 1;
    }
    let most = votes.values().copied().max().unwrap_or(0);
    let id = if votes.get(&first.header.sweep) == Some(&most) {
        first.header.sweep
    } else {
        votes
            .iter()
            .find(|(_, &n)| n == most)
            .map_or(first.header.sweep, |(id, _)| *id)
    };
    let Some((like_file, like)) = parts.iter().find(|(_, p)| p.header.sweep == id) else {
        return Err(ShardError::NoParts);
    };
    // Same id, other flags: a header edited by hand.
    let foreign = |h: &PartHeader| h.sweep != id || h.flags != like.header.flags || h.runs != like.header.runs;
    if let Some((file, p)) = parts.iter().find(|(_, p)| foreign(&p.header)) {
        let like_files: Vec<String> = parts
            .iter()
            .filter(|(_, p)| !foreign(&p.header))
            .map(|(f, _)| f.display().to_string())
            .collect();
        return Err(ShardError::Foreign {
            file: file.clone(),
            id: p.header.sweep,
            expected: id,
            like: like_files.join(", "),
            differs: differences(&p.header, &like.header),
        });
    }
    let count = like.header.shard.count;
    let mut by_shard: BTreeMap<u32, &PathBuf> = BTreeMap::new();
    for (file, p) in &parts {
        if p.header.shard.count != count {
            return Err(ShardError::Split {
                file: file.clone(),
                shard: p.header.shard,
                other: like_file.clone(),
                other_shard: like.header.shard,
            });
        }
        if let Some(first) = by_shard.insert(p.header.shard.index, file) {
            return Err(ShardError::Duplicate {
                first: first.clone(),
                second: file.clone(),
                shard: p.header.shard,
            });
        }
    }
    let missing: Vec<u32> = (1..=count).filter(|i| !by_shard.contains_key(i)).collect();
    if !missing.is_empty() {
        return Err(ShardError::Missing { missing, count, id });
    }
    let grid = grid_of(&first.header, first_file)?;
    let total = first.header.runs;
    let elapsed_seconds = parts.iter().map(|(_, p)| p.header.elapsed_seconds).sum();
    let threads = parts.iter().map(|(_, p)| p.header.threads).sum();
    let flags = first.header.flags.clone();
    let first_file = first_file.clone();
    let mut slots: Vec<Option<Row>> = vec![None; total];
    for (_, p) in parts {
        for (run, row) in p.rows {
            if let Some(slot) = slots.get_mut(run) {
                *slot = Some(row);
            }
        }
    }
    // Every part was read with exactly its shard's rows, and every shard is here once.
    let rows: Vec<Row> = slots.into_iter().flatten().collect();
    if rows.len() != total {
        return Err(ShardError::Incomplete {
            file: first_file,
            reason: format!("the parts hold {} of the sweep's {total} runs", rows.len()),
        });
    }
    Ok(Merged {
        id,
        flags,
        grid,
        rows,
        elapsed_seconds,
        threads,
    })
}

/// What makes `a`'s sweep another than `b`'s, as a sentence.
fn differences(a: &PartHeader, b: &PartHeader) -> String {
    let mut out = Vec::new();
    if a.version != b.version {
        out.push(format!("version {} against {}", a.version, b.version));
    }
    let (fa, fb) = (&a.flags, &b.flags);
    if fa.seeds != fb.seeds {
        out.push(format!(
            "--seeds {}..{} against {}..{}",
            fa.seeds.first(),
            fa.seeds.last(),
            fb.seeds.first(),
            fb.seeds.last()
        ));
    }
    if fa.setting_texts() != fb.setting_texts() {
        out.push(format!(
            "--set [{}] against [{}]",
            fa.setting_texts().join(" "),
            fb.setting_texts().join(" ")
        ));
    }
    if fa.columns != fb.columns {
        let c = |c: &Option<String>| c.clone().unwrap_or_else(|| "(default)".into());
        out.push(format!("--columns {} against {}", c(&fa.columns), c(&fb.columns)));
    }
    if fa.until != fb.until {
        let u = |t: Option<SimTime>| t.map_or("(the scenario's)".into(), |t| format!("{}", t.as_secs_f64()));
        out.push(format!("--until {} against {}", u(fa.until), u(fb.until)));
    }
    if fa.format != fb.format {
        out.push(format!(
            "--format {} against {}",
            format_name(fa.format),
            format_name(fb.format)
        ));
    }
    if out.is_empty() {
        "same flags, so another scenario file (its bytes differ)".into()
    } else {
        out.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| vars.iter().find(|(v, _)| *v == k).map(|(_, x)| (*x).to_owned())
    }

    #[test]
    fn shards_are_disjoint_and_cover_every_run() {
        let total = 10;
        let mut seen = vec![0; total];
        for i in 1..=4 {
            let s = Shard::new(i, 4).unwrap();
            let runs: Vec<usize> = s.runs(total).collect();
            assert_eq!(runs.len(), s.len(total));
            assert!(runs.iter().all(|&r| s.holds(r)));
            for r in runs {
                seen[r] += 1;
            }
        }
        assert_eq!(seen, vec![1; total]);
        assert_eq!(Shard::new(2, 4).unwrap().runs(10).collect::<Vec<_>>(), [1, 5, 9]);
        assert_eq!(Shard::new(4, 4).unwrap().len(10), 2);
        assert!(Shard::new(5, 8).unwrap().is_empty(3));
    }

    #[test]
    fn shards_parse_from_flags_and_array_indices() {
        let none = env(&[]);
        assert_eq!(Shard::parse("2/4", &none).unwrap(), Shard { index: 2, count: 4 });
        let err = |t: &str| Shard::parse(t, env(&[])).unwrap_err().to_string();
        assert_eq!(err("0/4"), "`0/4`: I counts from 1 to N: shards are 1/4 to 4/4");
        assert_eq!(err("5/4"), "`5/4`: I counts from 1 to N: shards are 1/4 to 4/4");
        assert_eq!(err("1/0"), "`1/0`: N must be at least 1");
        assert!(err("3").contains("write I/N"));
        assert!(err("x/4").contains("`x` is not a shard I"));
        assert_eq!(
            err("auto/4"),
            "`auto/4` takes the shard from an array job's index, but none of AWS_BATCH_JOB_ARRAY_INDEX, \
             SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX is set; give the shard as I/4"
        );
        let auto = |vars: &[(&str, &str)]| Shard::parse("auto/4", env(vars)).map(|s| s.index);
        assert_eq!(auto(&[("AWS_BATCH_JOB_ARRAY_INDEX", "0")]).unwrap(), 1);
        assert_eq!(auto(&[("AWS_BATCH_JOB_ARRAY_INDEX", "3")]).unwrap(), 4);
        assert_eq!(auto(&[("SLURM_ARRAY_TASK_ID", "1")]).unwrap(), 1);
        assert_eq!(auto(&[("SLURM_ARRAY_TASK_ID", "4")]).unwrap(), 4);
        assert_eq!(auto(&[("JOB_COMPLETION_INDEX", "2")]).unwrap(), 3);
        // AWS Batch first, then Slurm, then Kubernetes.
        assert_eq!(
            auto(&[("JOB_COMPLETION_INDEX", "0"), ("SLURM_ARRAY_TASK_ID", "2")]).unwrap(),
            2
        );
        assert_eq!(
            auto(&[("AWS_BATCH_JOB_ARRAY_INDEX", "4")]).unwrap_err().to_string(),
            "`auto/4`: AWS_BATCH_JOB_ARRAY_INDEX=4: 4 shards take the indices 0 to 3 (the index counts from 0)"
        );
        assert_eq!(
            auto(&[("SLURM_ARRAY_TASK_ID", "0")]).unwrap_err().to_string(),
            "`auto/4`: SLURM_ARRAY_TASK_ID=0: 4 shards take the indices 1 to 4 (batchsim assumes a 1-based array, `--array=1-4`)"
        );
        assert!(auto(&[("JOB_COMPLETION_INDEX", "a")])
            .unwrap_err()
            .to_string()
            .contains("not an array index"));
    }

    #[test]
    fn the_id_changes_with_every_input_and_exact_numbers_round_trip() {
        let flags = SweepFlags {
            seeds: Seeds::new(1, 4).unwrap(),
            settings: vec!["a.b=1, 2".parse().unwrap()],
            columns: None,
            until: None,
            format: Format::Csv,
        };
        let id = SweepId::of(&[b"{}"], &flags);
        assert_eq!(id, SweepId::of(&[b"{}"], &flags.clone()));
        assert_eq!(id.to_string().len(), 32);
        assert_eq!(id.to_string().parse::<SweepId>().unwrap(), id);
        let other = |f: &dyn Fn(&mut SweepFlags)| {
            let mut g = flags.clone();
            f(&mut g);
            SweepId::of(&[b"{}"], &g)
        };
        assert_ne!(SweepId::of(&[b"{ }"], &flags), id);
        assert_ne!(SweepId::of(&[b"{}", b"trace"], &flags), id);
        assert_ne!(SweepId::of(&[b"{}", b""], &flags), id);
        assert_ne!(other(&|g| g.seeds = Seeds::new(1, 5).unwrap()), id);
        assert_ne!(other(&|g| g.settings.clear()), id);
        assert_ne!(other(&|g| g.columns = Some("default".into())), id);
        assert_ne!(other(&|g| g.until = Some(SimTime::from_millis(1))), id);
        assert_ne!(other(&|g| g.format = Format::Json), id);
        assert_eq!(flags.setting_texts(), ["a.b=1,2"]);
        for x in [0.1, 1e-7, 2368.3911000000003, f64::MAX, -0.0, f64::INFINITY] {
            let text = serde_json::to_string(&Exact(x)).unwrap();
            let back: Exact = serde_json::from_str(&text).unwrap();
            assert_eq!(back.0.to_bits(), x.to_bits(), "{text}");
        }
        let nan: Exact = serde_json::from_str("\"NaN\"").unwrap();
        assert!(nan.0.is_nan());
    }
}
