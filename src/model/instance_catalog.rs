//! Built-in catalog of EC2 instance types that EC2/SPOT compute environments pack jobs onto.
//!
//! Each row gives an instance type's vCPUs, memory (MiB), GPUs, CPU architecture and
//! **us-east-1 Linux On-Demand price per hour**. A compute environment's
//! `computeResources.instanceTypes` entries are turned into concrete rows by [`expand`] (or by
//! [`expand_with`], which also takes the custom types a scenario declares under
//! `"simulation": {"instanceTypes": [...]}`).
//!
//! # What the table holds
//!
//! Every size AWS sells of these families, `metal` sizes **included**:
//!
//! | arch | families |
//! | --- | --- |
//! | x86_64 | c4, c5, c6i, c7i, m4, m5, m6i, m7i, r4, r5, r6i, g4dn (GPU), g5 (GPU), p3 (GPU) |
//! | arm64 | m6g, c6g, r6g, c7g |
//!
//! Metal sizes in the table: `c5.metal`, `c6i.metal`, `c7i.metal-24xl`, `c7i.metal-48xl`,
//! `m5.metal`, `m6i.metal`, `m7i.metal-24xl`, `m7i.metal-48xl`, `r5.metal`, `r6i.metal`,
//! `g4dn.metal`, `m6g.metal`, `c6g.metal`, `r6g.metal`, `c7g.metal` (c4, m4, r4, g5 and p3 have
//! no metal size). A family name in `instanceTypes` expands to its metal sizes too;
//! [`InstanceType::is_metal`] tells them apart. `p3dn.24xlarge` is family `p3dn`, not `p3`, and is
//! not in the table. Rows of one family are contiguous and sorted by (vCPUs, memory, price,
//! name), so a metal size comes right after the virtualized size of the same shape.
//!
//! Memory is nominal: GiB as AWS advertises it x 1024 (so `c4.large` 3.75 GiB = 3840 MiB,
//! `r4.large` 15.25 GiB = 15616 MiB). What jobs can use is less; see
//! [`registered_memory_mib`] and "Memory available to jobs" below.
//!
//! # Sources (snapshot of 2026-01-19)
//!
//! * **Prices**: `pkg/providers/pricing/zz_generated.pricing_aws.go` of
//!   `aws/karpenter-provider-aws` (commit `031e72b6099630e960dacb88b48a7e9bb780945f`), header
//!   "generated at 2026-01-19T13:23:24Z for us-east-1". Karpenter generates this file from the
//!   AWS Price List API (On-Demand, Linux, shared tenancy). Prices are US dollars per
//!   instance-hour, copied unchanged; see [`PRICE_SNAPSHOT_DATE`] and [`PRICE_REGION`].
//! * **vCPUs, memory, architecture**: `src/constants/ec2-info.ts` of `hoonoh/aws-spot-price`
//!   (commit `2543ff004551065fe7eadd9adf27021b965d2678`), a table generated from EC2
//!   `DescribeInstanceTypes` (`vCpu`, `memoryGiB`, `architectures`).
//! * **GPUs**: the AWS Batch User Guide page "Run GPU jobs" (`batch/latest/userguide/gpu-jobs.html`),
//!   which lists GPUs, vCPUs and memory for every g4dn (except metal), g5 and p3 size; for
//!   `g4dn.metal` (8 x NVIDIA T4) an EC2 `DescribeInstanceTypes` output (`GpuInfo`) quoted in a
//!   public repository.
//!
//! Prices checked against AWS-published figures: `m5.large` $0.096 (AWS Batch facts of this
//! project), `c5.large` $0.085, and the EC2 Auto Scaling User Guide's "Spot price per unit hour
//! example" (us-east-1 On-Demand `c5.2xlarge` $0.34, `c5.4xlarge` $0.68, `c5.12xlarge` $2.04,
//! `c5.18xlarge` $3.06, `c5.24xlarge` $4.08): all equal. Third-party pages agree on
//! `g4dn.4xlarge` $1.204 and `g5.xlarge` $1.006.
//!
//! Two quirks of the price list are kept as published: the Graviton metal sizes cost more than
//! the 16xlarge of the same shape (`c6g.metal` $2.3066 vs `c6g.16xlarge` $2.176, `m6g.metal`
//! $2.6112, `r6g.metal` $3.4191; `c7g.metal` = `c7g.16xlarge` = $2.32), and `c7i.metal-24xl` /
//! `m7i.metal-24xl` cost 10% more than the 24xlarge. Prices change rarely but do change, and other
//! Regions differ; a scenario that needs other prices declares custom instance types.
//!
//! # `optimal`, `default_x86_64`, `default_arm64`
//!
//! The AWS Batch API reference (`ComputeResource.instanceTypes`) says Batch chooses for you with
//! `optimal` "to select instance types (from the c4, m4, r4, c5, m5, and r5 instance families)
//! that match the demand of your job queues", `default_x86_64` "(from the m6i, c6i, r6i, and c7i
//! instance families)" and `default_arm64` "(from the m6g, c6g, r6g, and c7g instance families)"
//! (the reference calls the latter "x86 based", an evident slip), and adds: "Starting on
//! 11/01/2025 the behavior of optimal is going to be changed to match default_x86_64. During the
//! change your instance families could be updated to a newer generation."
//!
//! The AWS HPC blog post introducing the default categories describes the old `optimal`: Batch
//! translated it to c4, m4 and r4 where the Region has them, else to the lowest-cost
//! generation there, "most often" c5, m5 and r5 — "a simple mapping and nothing more", so
//! "from the C, M and R families" never meant a cost or performance search over all C/M/R
//! generations. Within the chosen families Batch picks sizes that fit the queued jobs, per the
//! compute environment's allocation strategy.
//!
//! **batchsim** follows today's documentation: `optimal` and `default_x86_64` expand to every
//! size of m6i, c6i, r6i and c7i ([`OPTIMAL_FAMILIES`], [`DEFAULT_X86_64_FAMILIES`]);
//! `default_arm64` to every size of m6g, c6g, r6g and c7g ([`DEFAULT_ARM64_FAMILIES`]).
//! Choosing a size among them is the allocation strategy's job, not this module's. The older
//! c4/m4/r4 and c5/m5/r5 families stay in the table so that scenarios can name them.
//!
//! # Memory available to jobs
//!
//! The AWS Batch User Guide page "Compute resource memory management"
//! (`batch/latest/userguide/memory-management.html`, read 2026-12-01) says:
//!
//! * "When the Amazon ECS container agent registers a compute resource into a compute
//!   environment, the agent must determine how much memory the compute resource has available
//!   to reserve for your jobs. Because of platform memory overhead and memory occupied by the
//!   system kernel, this number is different than the installed memory amount for Amazon EC2
//!   instances."
//! * "Suppose that you specify 8192 MiB for the job, and none of your compute resources have
//!   8192 MiB or greater of memory available to satisfy this requirement. Then, the job can't
//!   be placed in your compute environment. If you're using a managed compute environment, AWS
//!   Batch must launch a larger instance type to accommodate the request."
//! * "The default AWS Batch compute resource AMI also reserves 32 MiB of memory for the Amazon
//!   ECS container agent and other critical system processes. This memory isn't available for
//!   job allocation." ([`ECS_RESERVED_MEMORY_MIB`]; the ECS guide, "Reserving Amazon ECS Linux
//!   container instance memory": with `ECS_RESERVED_MEMORY` set "the agent registers the total
//!   memory minus" that value.)
//! * The agent reads the OS total memory (Docker `ReadMemInfo()`); the page's example is an
//!   `m4.large` whose `free -b` total is 8373026816 bytes, "7985 MiB available for tasks": an
//!   OS/kernel share of 207 MiB on that AMI.
//!
//! So what a type registers is **nominal memory - OS/kernel share - 32 MiB**
//! ([`registered_memory_mib`]), and that is what batchsim packs jobs into by default. AWS
//! publishes no per-type OS share; the figures in the table ([`InstanceType::os_memory_mib`])
//! are **measured** ones: `memoryOverheadBytes` in
//! `pkg/providers/instancetype/zz_generated.memory_overhead.go` of
//! `aws/karpenter-provider-aws` (commit `15e87699c9922be5431e71225f54e6716fa48428`), generated by
//! launching each type and taking the EC2 `DescribeInstanceTypes` memory minus the memory the
//! node reported (`MemTotal`, the same figure the ECS agent reads; EKS-optimized Amazon Linux
//! 2 AMI), in bytes; the table holds them in MiB, rounded up. Examples: `m4.large` 266 MiB
//! (AWS's own example above: 207 MiB on the older ECS AMI), `m5.large` 559, `m6i.large` 405,
//! `c6g.large` 280, `r5.24xlarge` 20749 (2.6%). Two rows of that file are not measurements
//! (`m4.10xlarge` and `r6g.4xlarge` give the whole memory) and c7i/m7i are newer than it;
//! those types get Karpenter's documented default for types it has not measured,
//! `VM_MEMORY_OVERHEAD_PERCENT` = 7.5% of the nominal memory
//! ([`UNMEASURED_OS_MEMORY_PER_MILLE`]). Custom types declared in a scenario have no OS
//! share: their `memoryMiB` is taken as what the OS sees (only the agent's 32 MiB goes).
//! `simulation.reservedMemoryMiB` on a compute environment overrides all this: jobs then use
//! the nominal memory minus that value ([`usable_memory_mib`]; 0 gives the nominal memory,
//! batchsim's rule before 2026-12).

use std::borrow::Cow;
use std::fmt;

/// CPU architecture of an instance type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Architecture {
    /// 64-bit x86 (Intel, AMD).
    X86_64,
    /// 64-bit Arm (AWS Graviton).
    Arm64,
}

impl Architecture {
    /// The name EC2 uses for the architecture: `"x86_64"` or `"arm64"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Architecture::X86_64 => "x86_64",
            Architecture::Arm64 => "arm64",
        }
    }
}

impl fmt::Display for Architecture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One EC2 instance type: capacity and On-Demand price.
///
/// Built-in rows borrow their names (`Cow::Borrowed`); custom types declared in a scenario
/// file own theirs (see [`InstanceType::new`]).
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceType {
    /// Instance type name, e.g. `"m5.large"` (custom types may use any name, e.g. `"sp2node"`).
    pub name: Cow<'static, str>,
    /// Number of vCPUs.
    pub vcpus: u32,
    /// Nominal memory in MiB (advertised GiB x 1024), without any reservation.
    pub memory_mib: u64,
    /// Number of GPUs (0 for none).
    pub gpus: u32,
    /// CPU architecture.
    pub architecture: Architecture,
    /// On-Demand price in US dollars per instance-hour (built-in rows: us-east-1, Linux).
    pub price_per_hour: f64,
    /// Memory (MiB) the hypervisor, firmware and kernel take, so that the OS sees
    /// `memory_mib - os_memory_mib` (what the ECS agent reads): measured per type for the
    /// built-in rows (see the module docs, "Memory available to jobs"); `None` when no
    /// measurement exists, and then [`registered_memory_mib`] uses
    /// [`UNMEASURED_OS_MEMORY_PERCENT`]. Custom types ([`InstanceType::new`]) have `Some(0)`:
    /// their declared memory is what the OS sees.
    pub os_memory_mib: Option<u64>,
}

impl InstanceType {
    /// Creates an instance type, e.g. a custom one from a scenario file.
    pub fn new(
        name: impl Into<Cow<'static, str>>,
        vcpus: u32,
        memory_mib: u64,
        gpus: u32,
        architecture: Architecture,
        price_per_hour: f64,
    ) -> Self {
        InstanceType {
            name: name.into(),
            vcpus,
            memory_mib,
            gpus,
            architecture,
            price_per_hour,
            os_memory_mib: Some(0),
        }
    }

    /// The family: the part of the name before the first `.` (`"m5"` for `"m5.large"`), or the
    /// whole name when it has no `.`.
    pub fn family(&self) -> &str {
        family_of(&self.name)
    }

    /// The size: the part after the first `.` (`"large"`, `"metal-24xl"`), if any.
    pub fn size(&self) -> Option<&str> {
        self.name.split_once('.').map(|(_, size)| size)
    }

    /// Whether this is a bare-metal size (`metal`, `metal-24xl`, ...).
    pub fn is_metal(&self) -> bool {
        self.size().is_some_and(|s| s.starts_with("metal"))
    }

    /// Price per vCPU-hour (what `BEST_FIT_PROGRESSIVE` prefers low); 0 when `vcpus` is 0.
    pub fn price_per_vcpu_hour(&self) -> f64 {
        if self.vcpus == 0 {
            0.0
        } else {
            self.price_per_hour / f64::from(self.vcpus)
        }
    }

    /// Sort key inside a family: vCPUs, then memory, then price, then name.
    fn size_order(&self) -> (u32, u64, f64, &str) {
        (self.vcpus, self.memory_mib, self.price_per_hour, &self.name)
    }
}

/// Date of the price snapshot (`zz_generated.pricing_aws.go`, generated 2026-01-19T13:23:24Z).
pub const PRICE_SNAPSHOT_DATE: &str = "2026-01-19";

/// Region of the built-in prices.
pub const PRICE_REGION: &str = "us-east-1";

/// Families batchsim uses for `optimal` (same as `default_x86_64`, as AWS documents since
/// 11/01/2025).
pub const OPTIMAL_FAMILIES: &[&str] = &["m6i", "c6i", "r6i", "c7i"];

/// Families of `default_x86_64` (AWS Batch API reference).
pub const DEFAULT_X86_64_FAMILIES: &[&str] = &["m6i", "c6i", "r6i", "c7i"];

/// Families of `default_arm64` (AWS Batch API reference).
pub const DEFAULT_ARM64_FAMILIES: &[&str] = &["m6g", "c6g", "r6g", "c7g"];

/// The keywords `computeResources.instanceTypes` accepts besides type and family names.
pub const KEYWORDS: &[&str] = &["optimal", "default_x86_64", "default_arm64"];

/// Memory (MiB) the default AWS Batch AMI reserves for the ECS agent and system processes
/// (`ECS_RESERVED_MEMORY`), per the AWS Batch User Guide.
pub const ECS_RESERVED_MEMORY_MIB: u64 = 32;

/// Share of the nominal memory taken as the OS/kernel share of a type with no measured figure
/// ([`InstanceType::os_memory_mib`] `None`: c7i, m7i, `m4.10xlarge`, `r6g.4xlarge`): Karpenter's
/// documented default `VM_MEMORY_OVERHEAD_PERCENT` = 0.075, "The VM memory overhead as a
/// percent that will be subtracted from the total memory for all instance types" (Karpenter
/// settings reference), in per mille.
pub const UNMEASURED_OS_MEMORY_PER_MILLE: u64 = 75;

/// [`UNMEASURED_OS_MEMORY_PER_MILLE`] as a percentage (7.5), for documentation and reports.
pub const UNMEASURED_OS_MEMORY_PERCENT: f64 = 7.5;

/// The OS/kernel share of `instance_type`'s memory in MiB: the measured figure, else
/// [`UNMEASURED_OS_MEMORY_PER_MILLE`] of the nominal memory (rounded up).
pub fn os_memory_mib(instance_type: &InstanceType) -> u64 {
    instance_type
        .os_memory_mib
        .unwrap_or_else(|| (instance_type.memory_mib * UNMEASURED_OS_MEMORY_PER_MILLE).div_ceil(1000))
}

/// Memory an instance of this type registers with ECS, which is what jobs can use, in MiB:
/// the nominal memory minus the OS/kernel share ([`os_memory_mib`]) minus the
/// [`ECS_RESERVED_MEMORY_MIB`] the default AWS Batch AMI reserves. `m5.large`: 8192 - 559 - 32
/// = 7601, so a job asking for 8192 MiB (or 7680) does not fit it and AWS Batch launches a
/// larger type. A compute environment's `simulation.reservedMemoryMiB` replaces both
/// deductions (see [`usable_memory_mib`]).
pub fn registered_memory_mib(instance_type: &InstanceType) -> u64 {
    instance_type
        .memory_mib
        .saturating_sub(os_memory_mib(instance_type))
        .saturating_sub(ECS_RESERVED_MEMORY_MIB)
}

/// Memory jobs can use on an instance of this type: [`registered_memory_mib`], or, when the
/// compute environment sets `simulation.reservedMemoryMiB` (`reserved`), the nominal memory
/// minus that.
pub fn usable_memory_mib(instance_type: &InstanceType, reserved: Option<u64>) -> u64 {
    match reserved {
        Some(r) => instance_type.memory_mib.saturating_sub(r),
        None => registered_memory_mib(instance_type),
    }
}

/// An entry of `computeResources.instanceTypes` that names no known type, family or keyword.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownInstanceType {
    /// The entry as given.
    pub name: String,
    /// The closest known name (type, family or keyword), for a "did you mean" hint.
    pub suggestion: Option<String>,
}

impl fmt::Display for UnknownInstanceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown instance type \"{}\"", self.name)?;
        if let Some(s) = &self.suggestion {
            write!(f, "; did you mean \"{s}\"?")?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownInstanceType {}

/// The built-in table: rows grouped by family (in the order of the module docs' table), sizes
/// sorted within a family.
pub fn builtin() -> &'static [InstanceType] {
    &BUILTIN
}

/// Looks up one built-in type by exact name (`"m5.large"`).
pub fn lookup(name: &str) -> Option<&'static InstanceType> {
    BUILTIN.iter().find(|t| t.name == name)
}

/// The built-in families, in table order (`"c4"`, `"c5"`, ...).
pub fn families() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for t in BUILTIN.iter() {
        let fam = family_of(&t.name);
        if out.last() != Some(&fam) {
            out.push(fam);
        }
    }
    out
}

/// Every built-in size of one family, smallest first; `None` if the family is not built in.
pub fn family(name: &str) -> Option<&'static [InstanceType]> {
    let start = BUILTIN.iter().position(|t| t.family() == name)?;
    let len = BUILTIN[start..].iter().take_while(|t| t.family() == name).count();
    Some(&BUILTIN[start..start + len])
}

/// Expands one entry of `computeResources.instanceTypes` into concrete built-in types:
/// an exact type name gives that type; a family name (`"m5"`) every size of the family,
/// smallest first; `"optimal"` and `"default_x86_64"` every size of m6i, c6i, r6i and c7i;
/// `"default_arm64"` every size of m6g, c6g, r6g and c7g (see the module docs).
///
/// Names are case-sensitive, as in AWS. An unknown entry gives [`UnknownInstanceType`] with the
/// closest known name (by edit distance, see [`closest_match`]) when one is close enough.
pub fn expand(entry: &str) -> Result<Vec<&'static InstanceType>, UnknownInstanceType> {
    expand_with(entry, &[])
}

/// Like [`expand`], but the compute environment's custom types (scenario
/// `simulation.instanceTypes`) extend the catalog: a custom type can be named exactly, and a
/// family name also expands to the custom types of that family (e.g. `"hpc"` for
/// `"hpc.node"`). A custom type with the name of a built-in one replaces it. Keywords expand to
/// built-in families only.
pub fn expand_with<'a>(entry: &str, custom: &'a [InstanceType]) -> Result<Vec<&'a InstanceType>, UnknownInstanceType> {
    let keyword_families = match entry {
        "optimal" => Some(OPTIMAL_FAMILIES),
        "default_x86_64" => Some(DEFAULT_X86_64_FAMILIES),
        "default_arm64" => Some(DEFAULT_ARM64_FAMILIES),
        _ => None,
    };
    if let Some(fams) = keyword_families {
        return Ok(fams.iter().flat_map(|f| family(f).unwrap_or(&[])).collect());
    }
    if let Some(t) = custom.iter().find(|t| t.name == entry) {
        return Ok(vec![t]);
    }
    if let Some(t) = lookup(entry) {
        return Ok(vec![t]);
    }
    let mut members: Vec<&'a InstanceType> = family(entry)
        .unwrap_or(&[])
        .iter()
        .filter(|b| !custom.iter().any(|c| c.name == b.name))
        .collect();
    members.extend(custom.iter().filter(|c| c.family() == entry));
    if !members.is_empty() {
        members.sort_by(|a, b| {
            let (ka, kb) = (a.size_order(), b.size_order());
            // A total order (prices are validated finite; total_cmp needs no NaN case).
            ka.0.cmp(&kb.0)
                .then(ka.1.cmp(&kb.1))
                .then(ka.2.total_cmp(&kb.2))
                .then(ka.3.cmp(kb.3))
        });
        return Ok(members);
    }
    let mut candidates: Vec<&'a str> = Vec::new();
    candidates.extend(KEYWORDS.iter().copied());
    candidates.extend(families());
    for t in BUILTIN.iter() {
        candidates.push(&t.name);
    }
    for c in custom {
        candidates.push(c.family());
        candidates.push(&c.name);
    }
    Err(UnknownInstanceType {
        name: entry.to_string(),
        suggestion: closest_match(entry, candidates).map(str::to_string),
    })
}

/// Expands a whole `computeResources.instanceTypes` list with [`expand_with`], keeping the
/// first occurrence of each type name (entries may overlap, e.g. `["m5", "m5.large"]`).
/// Stops at the first unknown entry.
pub fn expand_all_with<'a, S: AsRef<str>>(
    entries: &[S],
    custom: &'a [InstanceType],
) -> Result<Vec<&'a InstanceType>, UnknownInstanceType> {
    let mut out: Vec<&'a InstanceType> = Vec::new();
    for entry in entries {
        for t in expand_with(entry.as_ref(), custom)? {
            if !out.iter().any(|o| o.name == t.name) {
                out.push(t);
            }
        }
    }
    Ok(out)
}

/// The candidate closest to `input`, as `crate::suggest::suggest` ranks them
/// (case-insensitive edit distance at most `max(2, input length / 3)`; ties go to the earliest
/// candidate). Returns `None` for an exact (case-sensitive) match too, since there is nothing to
/// suggest.
pub fn closest_match<'c>(input: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let candidates: Vec<&'c str> = candidates.into_iter().collect();
    if candidates.contains(&input) {
        return None;
    }
    crate::suggest::suggest(input, candidates)
}

fn family_of(name: &str) -> &str {
    name.split_once('.').map_or(name, |(fam, _)| fam)
}

const X86: Architecture = Architecture::X86_64;
const ARM: Architecture = Architecture::Arm64;

/// GiB to MiB.
const fn gib(n: u64) -> u64 {
    n * 1024
}

/// One built-in row: name, vCPUs, memory MiB, GPUs, architecture, $/hour, OS share MiB.
const fn row(
    name: &'static str,
    vcpus: u32,
    memory_mib: u64,
    gpus: u32,
    architecture: Architecture,
    price_per_hour: f64,
    os_memory_mib: Option<u64>,
) -> InstanceType {
    InstanceType {
        name: Cow::Borrowed(name),
        vcpus,
        memory_mib,
        gpus,
        architecture,
        price_per_hour,
        os_memory_mib,
    }
}

/// Number of built-in rows.
const BUILTIN_LEN: usize = 150;

#[rustfmt::skip]
static BUILTIN: [InstanceType; BUILTIN_LEN] = [
    // c4 (memory 3.75 GiB per 2 vCPU)
    row("c4.large",        2,  3840, 0, X86, 0.100, Some(127)),
    row("c4.xlarge",       4,  7680, 0, X86, 0.199, Some(258)),
    row("c4.2xlarge",      8, 15360, 0, X86, 0.398, Some(390)),
    row("c4.4xlarge",     16, 30720, 0, X86, 0.796, Some(680)),
    row("c4.8xlarge",     36, 61440, 0, X86, 1.591, Some(1112)),
    // c5
    row("c5.large",        2, gib(4),   0, X86, 0.085, Some(433)),
    row("c5.xlarge",       4, gib(8),   0, X86, 0.170, Some(560)),
    row("c5.2xlarge",      8, gib(16),  0, X86, 0.340, Some(869)),
    row("c5.4xlarge",     16, gib(32),  0, X86, 0.680, Some(1486)),
    row("c5.9xlarge",     36, gib(72),  0, X86, 1.530, Some(3521)),
    row("c5.12xlarge",    48, gib(96),  0, X86, 2.040, Some(3908)),
    row("c5.18xlarge",    72, gib(144), 0, X86, 3.060, Some(6728)),
    row("c5.24xlarge",    96, gib(192), 0, X86, 4.080, Some(7501)),
    row("c5.metal",       96, gib(192), 0, X86, 4.080, Some(3580)),
    // c6i
    row("c6i.large",       2, gib(4),   0, X86, 0.085, Some(273)),
    row("c6i.xlarge",      4, gib(8),   0, X86, 0.170, Some(406)),
    row("c6i.2xlarge",     8, gib(16),  0, X86, 0.340, Some(673)),
    row("c6i.4xlarge",    16, gib(32),  0, X86, 0.680, Some(1206)),
    row("c6i.8xlarge",    32, gib(64),  0, X86, 1.360, Some(2274)),
    row("c6i.12xlarge",   48, gib(96),  0, X86, 2.040, Some(3294)),
    row("c6i.16xlarge",   64, gib(128), 0, X86, 2.720, Some(4314)),
    row("c6i.24xlarge",   96, gib(192), 0, X86, 4.080, Some(6273)),
    row("c6i.32xlarge",  128, gib(256), 0, X86, 5.440, Some(8313)),
    row("c6i.metal",     128, gib(256), 0, X86, 5.440, Some(4414)),
    // c7i
    row("c7i.large",       2, gib(4),   0, X86, 0.08925, None),
    row("c7i.xlarge",      4, gib(8),   0, X86, 0.1785, None),
    row("c7i.2xlarge",     8, gib(16),  0, X86, 0.357, None),
    row("c7i.4xlarge",    16, gib(32),  0, X86, 0.714, None),
    row("c7i.8xlarge",    32, gib(64),  0, X86, 1.428, None),
    row("c7i.12xlarge",   48, gib(96),  0, X86, 2.142, None),
    row("c7i.16xlarge",   64, gib(128), 0, X86, 2.856, None),
    row("c7i.24xlarge",   96, gib(192), 0, X86, 4.284, None),
    row("c7i.metal-24xl", 96, gib(192), 0, X86, 4.7124, None),
    row("c7i.48xlarge",  192, gib(384), 0, X86, 8.568, None),
    row("c7i.metal-48xl",192, gib(384), 0, X86, 8.568, None),
    // m4
    row("m4.large",        2, gib(8),   0, X86, 0.100, Some(266)),
    row("m4.xlarge",       4, gib(16),  0, X86, 0.200, Some(406)),
    row("m4.2xlarge",      8, gib(32),  0, X86, 0.400, Some(686)),
    row("m4.4xlarge",     16, gib(64),  0, X86, 0.800, Some(1272)),
    row("m4.10xlarge",    40, gib(160), 0, X86, 2.000, None),
    row("m4.16xlarge",    64, gib(256), 0, X86, 3.200, Some(4248)),
    // m5
    row("m5.large",        2, gib(8),   0, X86, 0.096, Some(559)),
    row("m5.xlarge",       4, gib(16),  0, X86, 0.192, Some(868)),
    row("m5.2xlarge",      8, gib(32),  0, X86, 0.384, Some(1149)),
    row("m5.4xlarge",     16, gib(64),  0, X86, 0.768, Some(2718)),
    row("m5.8xlarge",     32, gib(128), 0, X86, 1.536, Some(5090)),
    row("m5.12xlarge",    48, gib(192), 0, X86, 2.304, Some(5540)),
    row("m5.16xlarge",    64, gib(256), 0, X86, 3.072, Some(7178)),
    row("m5.24xlarge",    96, gib(384), 0, X86, 4.608, Some(10573)),
    row("m5.metal",       96, gib(384), 0, X86, 4.608, Some(6652)),
    // m6i
    row("m6i.large",       2, gib(8),   0, X86, 0.096, Some(405)),
    row("m6i.xlarge",      4, gib(16),  0, X86, 0.192, Some(672)),
    row("m6i.2xlarge",     8, gib(32),  0, X86, 0.384, Some(1205)),
    row("m6i.4xlarge",    16, gib(64),  0, X86, 0.768, Some(2270)),
    row("m6i.8xlarge",    32, gib(128), 0, X86, 1.536, Some(4306)),
    row("m6i.12xlarge",   48, gib(192), 0, X86, 2.304, Some(6438)),
    row("m6i.16xlarge",   64, gib(256), 0, X86, 3.072, Some(8474)),
    row("m6i.24xlarge",   96, gib(384), 0, X86, 4.608, Some(12369)),
    row("m6i.32xlarge",  128, gib(512), 0, X86, 6.144, Some(16441)),
    row("m6i.metal",     128, gib(512), 0, X86, 6.144, Some(8510)),
    // m7i
    row("m7i.large",       2, gib(8),   0, X86, 0.1008, None),
    row("m7i.xlarge",      4, gib(16),  0, X86, 0.2016, None),
    row("m7i.2xlarge",     8, gib(32),  0, X86, 0.4032, None),
    row("m7i.4xlarge",    16, gib(64),  0, X86, 0.8064, None),
    row("m7i.8xlarge",    32, gib(128), 0, X86, 1.6128, None),
    row("m7i.12xlarge",   48, gib(192), 0, X86, 2.4192, None),
    row("m7i.16xlarge",   64, gib(256), 0, X86, 3.2256, None),
    row("m7i.24xlarge",   96, gib(384), 0, X86, 4.8384, None),
    row("m7i.metal-24xl", 96, gib(384), 0, X86, 5.32224, None),
    row("m7i.48xlarge",  192, gib(768), 0, X86, 9.6768, None),
    row("m7i.metal-48xl",192, gib(768), 0, X86, 9.6768, None),
    // r4 (memory 15.25 GiB per 2 vCPU)
    row("r4.large",        2,  15616, 0, X86, 0.133, Some(394)),
    row("r4.xlarge",       4,  31232, 0, X86, 0.266, Some(662)),
    row("r4.2xlarge",      8,  62464, 0, X86, 0.532, Some(1198)),
    row("r4.4xlarge",     16, 124928, 0, X86, 1.064, Some(2200)),
    row("r4.8xlarge",     32, 249856, 0, X86, 2.128, Some(4248)),
    row("r4.16xlarge",    64, 499712, 0, X86, 4.256, Some(7961)),
    // r5
    row("r5.large",        2, gib(16),  0, X86, 0.126, Some(699)),
    row("r5.xlarge",       4, gib(32),  0, X86, 0.252, Some(1148)),
    row("r5.2xlarge",      8, gib(64),  0, X86, 0.504, Some(2045)),
    row("r5.4xlarge",     16, gib(128), 0, X86, 1.008, Some(3742)),
    row("r5.8xlarge",     32, gib(256), 0, X86, 2.016, Some(7234)),
    row("r5.12xlarge",    48, gib(384), 0, X86, 3.024, Some(10628)),
    row("r5.16xlarge",    64, gib(512), 0, X86, 4.032, Some(13962)),
    row("r5.24xlarge",    96, gib(768), 0, X86, 6.048, Some(20749)),
    row("r5.metal",       96, gib(768), 0, X86, 6.048, Some(12796)),
    // r6i
    row("r6i.large",       2, gib(16),   0, X86, 0.126, Some(671)),
    row("r6i.xlarge",      4, gib(32),   0, X86, 0.252, Some(1204)),
    row("r6i.2xlarge",     8, gib(64),   0, X86, 0.504, Some(2269)),
    row("r6i.4xlarge",    16, gib(128),  0, X86, 1.008, Some(4302)),
    row("r6i.8xlarge",    32, gib(256),  0, X86, 2.016, Some(8466)),
    row("r6i.12xlarge",   48, gib(384),  0, X86, 3.024, Some(12534)),
    row("r6i.16xlarge",   64, gib(512),  0, X86, 4.032, Some(16602)),
    row("r6i.24xlarge",   96, gib(768),  0, X86, 6.048, Some(24561)),
    row("r6i.32xlarge",  128, gib(1024), 0, X86, 8.064, Some(32697)),
    row("r6i.metal",     128, gib(1024), 0, X86, 8.064, Some(16703)),
    // g4dn (NVIDIA T4)
    row("g4dn.xlarge",     4, gib(16),  1, X86, 0.526, Some(700)),
    row("g4dn.2xlarge",    8, gib(32),  1, X86, 0.752, Some(1149)),
    row("g4dn.4xlarge",   16, gib(64),  1, X86, 1.204, Some(2046)),
    row("g4dn.8xlarge",   32, gib(128), 1, X86, 2.176, Some(3746)),
    row("g4dn.12xlarge",  48, gib(192), 4, X86, 3.912, Some(5540)),
    row("g4dn.16xlarge",  64, gib(256), 1, X86, 4.352, Some(7178)),
    row("g4dn.metal",     96, gib(384), 8, X86, 7.824, Some(6652)),
    // g5 (NVIDIA A10G)
    row("g5.xlarge",       4, gib(16),  1, X86, 1.006, Some(590)),
    row("g5.2xlarge",      8, gib(32),  1, X86, 1.212, Some(1039)),
    row("g5.4xlarge",     16, gib(64),  1, X86, 1.624, Some(1936)),
    row("g5.8xlarge",     32, gib(128), 1, X86, 2.448, Some(3636)),
    row("g5.12xlarge",    48, gib(192), 4, X86, 5.672, Some(5430)),
    row("g5.16xlarge",    64, gib(256), 1, X86, 4.096, Some(7132)),
    row("g5.24xlarge",    96, gib(384), 4, X86, 8.144, Some(10529)),
    row("g5.48xlarge",   192, gib(768), 8, X86, 16.288, Some(20552)),
    // p3 (NVIDIA V100; memory 61 GiB per 8 vCPU)
    row("p3.2xlarge",      8,  62464, 1, X86, 3.060, Some(1198)),
    row("p3.8xlarge",     32, 249856, 4, X86, 12.240, Some(4248)),
    row("p3.16xlarge",    64, 499712, 8, X86, 24.480, Some(7961)),
    // m6g (Graviton2)
    row("m6g.medium",      1, gib(4),   0, ARM, 0.0385, Some(296)),
    row("m6g.large",       2, gib(8),   0, ARM, 0.077, Some(452)),
    row("m6g.xlarge",      4, gib(16),  0, ARM, 0.154, Some(766)),
    row("m6g.2xlarge",     8, gib(32),  0, ARM, 0.308, Some(1392)),
    row("m6g.4xlarge",    16, gib(64),  0, ARM, 0.616, Some(2646)),
    row("m6g.8xlarge",    32, gib(128), 0, ARM, 1.232, Some(5057)),
    row("m6g.12xlarge",   48, gib(192), 0, ARM, 1.848, Some(7565)),
    row("m6g.16xlarge",   64, gib(256), 0, ARM, 2.464, Some(9976)),
    row("m6g.metal",      64, gib(256), 0, ARM, 2.6112, Some(4918)),
    // c6g (Graviton2)
    row("c6g.medium",      1, gib(2),   0, ARM, 0.034, Some(209)),
    row("c6g.large",       2, gib(4),   0, ARM, 0.068, Some(280)),
    row("c6g.xlarge",      4, gib(8),   0, ARM, 0.136, Some(420)),
    row("c6g.2xlarge",     8, gib(16),  0, ARM, 0.272, Some(702)),
    row("c6g.4xlarge",    16, gib(32),  0, ARM, 0.544, Some(1267)),
    row("c6g.8xlarge",    32, gib(64),  0, ARM, 1.088, Some(2396)),
    row("c6g.12xlarge",   48, gib(96),  0, ARM, 1.632, Some(3477)),
    row("c6g.16xlarge",   64, gib(128), 0, ARM, 2.176, Some(4558)),
    row("c6g.metal",      64, gib(128), 0, ARM, 2.3066, Some(2517)),
    // r6g (Graviton2)
    row("r6g.medium",      1, gib(8),   0, ARM, 0.0504, Some(374)),
    row("r6g.large",       2, gib(16),  0, ARM, 0.1008, Some(608)),
    row("r6g.xlarge",      4, gib(32),  0, ARM, 0.2016, Some(1078)),
    row("r6g.2xlarge",     8, gib(64),  0, ARM, 0.4032, Some(2016)),
    row("r6g.4xlarge",    16, gib(128), 0, ARM, 0.8064, None),
    row("r6g.8xlarge",    32, gib(256), 0, ARM, 1.6128, Some(7458)),
    row("r6g.12xlarge",   48, gib(384), 0, ARM, 2.4192, Some(11022)),
    row("r6g.16xlarge",   64, gib(512), 0, ARM, 3.2256, Some(14585)),
    row("r6g.metal",      64, gib(512), 0, ARM, 3.4191, Some(9527)),
    // c7g (Graviton3)
    row("c7g.medium",      1, gib(2),   0, ARM, 0.0363, Some(209)),
    row("c7g.large",       2, gib(4),   0, ARM, 0.0725, Some(280)),
    row("c7g.xlarge",      4, gib(8),   0, ARM, 0.145, Some(420)),
    row("c7g.2xlarge",     8, gib(16),  0, ARM, 0.290, Some(702)),
    row("c7g.4xlarge",    16, gib(32),  0, ARM, 0.580, Some(1267)),
    row("c7g.8xlarge",    32, gib(64),  0, ARM, 1.160, Some(2396)),
    row("c7g.12xlarge",   48, gib(96),  0, ARM, 1.740, Some(3477)),
    row("c7g.16xlarge",   64, gib(128), 0, ARM, 2.320, Some(4558)),
    row("c7g.metal",      64, gib(128), 0, ARM, 2.320, Some(2521)),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&InstanceType]) -> Vec<String> {
        v.iter().map(|t| t.name.to_string()).collect()
    }

    #[test]
    fn known_rows() {
        let m5 = lookup("m5.large").unwrap();
        assert_eq!(
            (m5.vcpus, m5.memory_mib, m5.gpus, m5.architecture),
            (2, 8192, 0, Architecture::X86_64)
        );
        assert_eq!(m5.price_per_hour, 0.096);
        let c5 = lookup("c5.large").unwrap();
        assert_eq!((c5.vcpus, c5.memory_mib, c5.price_per_hour), (2, 4096, 0.085));
        // AWS EC2 Auto Scaling guide, us-east-1 On-Demand example prices.
        for (n, p) in [
            ("c5.2xlarge", 0.34),
            ("c5.4xlarge", 0.68),
            ("c5.12xlarge", 2.04),
            ("c5.18xlarge", 3.06),
            ("c5.24xlarge", 4.08),
        ] {
            assert_eq!(lookup(n).unwrap().price_per_hour, p, "{n}");
        }
        let c4 = lookup("c4.large").unwrap();
        assert_eq!((c4.vcpus, c4.memory_mib), (2, 3840));
        let r4 = lookup("r4.16xlarge").unwrap();
        assert_eq!((r4.vcpus, r4.memory_mib, r4.price_per_hour), (64, 488 * 1024, 4.256));
        let g = lookup("g4dn.12xlarge").unwrap();
        assert_eq!(
            (g.vcpus, g.memory_mib, g.gpus, g.price_per_hour),
            (48, 196_608, 4, 3.912)
        );
        let p = lookup("p3.16xlarge").unwrap();
        assert_eq!(
            (p.vcpus, p.memory_mib, p.gpus, p.price_per_hour),
            (64, 499_712, 8, 24.48)
        );
        let g5 = lookup("g5.48xlarge").unwrap();
        assert_eq!((g5.vcpus, g5.gpus), (192, 8));
        let arm = lookup("c6g.medium").unwrap();
        assert_eq!(
            (arm.vcpus, arm.memory_mib, arm.architecture, arm.price_per_hour),
            (1, 2048, Architecture::Arm64, 0.034)
        );
        let c7i = lookup("c7i.metal-48xl").unwrap();
        assert!(c7i.is_metal());
        assert_eq!((c7i.vcpus, c7i.memory_mib), (192, 384 * 1024));
        assert!(!lookup("c7i.48xlarge").unwrap().is_metal());
        assert!(lookup("m5.lage").is_none());
        assert!(lookup("M5.large").is_none());
    }

    #[test]
    fn family_counts() {
        let expected = [
            ("c4", 5),
            ("c5", 9),
            ("c6i", 10),
            ("c7i", 11),
            ("m4", 6),
            ("m5", 9),
            ("m6i", 10),
            ("m7i", 11),
            ("r4", 6),
            ("r5", 9),
            ("r6i", 10),
            ("g4dn", 7),
            ("g5", 8),
            ("p3", 3),
            ("m6g", 9),
            ("c6g", 9),
            ("r6g", 9),
            ("c7g", 9),
        ];
        assert_eq!(families(), expected.iter().map(|(f, _)| *f).collect::<Vec<_>>());
        for (fam, n) in expected {
            let v = expand(fam).unwrap();
            assert_eq!(v.len(), n, "{fam}");
            assert!(v.iter().all(|t| t.family() == fam));
            assert_eq!(family(fam).unwrap().len(), n);
        }
        assert_eq!(expected.iter().map(|(_, n)| n).sum::<usize>(), builtin().len());
        assert_eq!(
            names(&expand("p3").unwrap()),
            ["p3.2xlarge", "p3.8xlarge", "p3.16xlarge"]
        );
    }

    #[test]
    fn architectures_by_family() {
        for t in builtin() {
            let arm = matches!(t.family(), "m6g" | "c6g" | "r6g" | "c7g");
            let want = if arm { Architecture::Arm64 } else { Architecture::X86_64 };
            assert_eq!(t.architecture, want, "{}", t.name);
            let gpu = matches!(t.family(), "g4dn" | "g5" | "p3");
            assert_eq!(t.gpus > 0, gpu, "{}", t.name);
        }
    }

    #[test]
    fn keyword_expansion() {
        let opt = expand("optimal").unwrap();
        assert_eq!(opt, expand("default_x86_64").unwrap());
        assert_eq!(opt.len(), 10 + 10 + 10 + 11);
        let fams: Vec<&str> = opt.iter().map(|t| t.family()).collect();
        let mut uniq = fams.clone();
        uniq.dedup();
        assert_eq!(uniq, ["m6i", "c6i", "r6i", "c7i"]);
        assert!(opt.iter().all(|t| t.architecture == Architecture::X86_64));
        let arm = expand("default_arm64").unwrap();
        assert_eq!(arm.len(), 36);
        let mut fams: Vec<&str> = arm.iter().map(|t| t.family()).collect();
        fams.dedup();
        assert_eq!(fams, ["m6g", "c6g", "r6g", "c7g"]);
        assert!(arm.iter().all(|t| t.architecture == Architecture::Arm64));
    }

    #[test]
    fn exact_name_expansion() {
        assert_eq!(names(&expand("m5.large").unwrap()), ["m5.large"]);
        assert_eq!(names(&expand("g4dn.metal").unwrap()), ["g4dn.metal"]);
    }

    #[test]
    fn unknown_names_suggest() {
        let e = expand("m5.lage").unwrap_err();
        assert_eq!(e.name, "m5.lage");
        assert_eq!(e.suggestion.as_deref(), Some("m5.large"));
        assert_eq!(
            e.to_string(),
            "unknown instance type \"m5.lage\"; did you mean \"m5.large\"?"
        );
        assert_eq!(expand("optimum").unwrap_err().suggestion.as_deref(), Some("optimal"));
        assert_eq!(
            expand("default_arm").unwrap_err().suggestion.as_deref(),
            Some("default_arm64")
        );
        assert_eq!(expand("M5.Large").unwrap_err().suggestion.as_deref(), Some("m5.large"));
        assert_eq!(expand("c6gg").unwrap_err().suggestion.as_deref(), Some("c6g"));
        let far = expand("sp2node-xyz").unwrap_err();
        assert_eq!(far.suggestion, None);
        assert_eq!(far.to_string(), "unknown instance type \"sp2node-xyz\"");
        assert!(expand("").is_err());
    }

    #[test]
    fn custom_types_extend_the_catalog() {
        let custom = [
            InstanceType::new("sp2node", 100, 1_048_576, 0, Architecture::X86_64, 0.0),
            InstanceType::new(String::from("hpc.big"), 64, gib(512), 0, Architecture::X86_64, 1.0),
            InstanceType::new("hpc.small", 8, gib(32), 0, Architecture::X86_64, 0.1),
            InstanceType::new("m5.large", 2, gib(8), 0, Architecture::X86_64, 0.05),
        ];
        assert_eq!(names(&expand_with("sp2node", &custom).unwrap()), ["sp2node"]);
        assert_eq!(names(&expand_with("hpc", &custom).unwrap()), ["hpc.small", "hpc.big"]);
        let m5 = expand_with("m5", &custom).unwrap();
        assert_eq!(m5.len(), 9);
        assert_eq!(m5[0].price_per_hour, 0.05, "custom m5.large replaces the built-in one");
        assert_eq!(expand_with("m5.large", &custom).unwrap()[0].price_per_hour, 0.05);
        assert_eq!(
            expand_with("sp2nod", &custom).unwrap_err().suggestion.as_deref(),
            Some("sp2node")
        );
        assert!(expand("sp2node").is_err());
        let all = expand_all_with(&["m5", "m5.large", "sp2node"], &custom).unwrap();
        assert_eq!(all.len(), 10);
        assert!(expand_all_with(&["m5", "nope.large"], &custom).is_err());
    }

    #[test]
    fn no_duplicate_names() {
        let mut seen = std::collections::HashSet::new();
        for t in builtin() {
            assert!(seen.insert(&t.name), "duplicate {}", t.name);
            assert!(matches!(t.name, Cow::Borrowed(_)));
        }
    }

    #[test]
    fn sane_values() {
        for t in builtin() {
            assert!(t.price_per_hour > 0.0 && t.price_per_hour.is_finite(), "{}", t.name);
            assert!(t.vcpus > 0 && t.memory_mib >= 1024, "{}", t.name);
            assert!(t.name.contains('.'));
            assert!(t.price_per_vcpu_hour() > 0.0);
        }
    }

    #[test]
    fn sizes_sorted_within_family() {
        for fam in families() {
            let rows = family(fam).unwrap();
            for w in rows.windows(2) {
                assert!(
                    w[0].size_order() < w[1].size_order(),
                    "{} before {}",
                    w[0].name,
                    w[1].name
                );
                assert!(w[0].vcpus <= w[1].vcpus);
            }
        }
        // Families are contiguous.
        let fams = families();
        let mut dedup = fams.clone();
        dedup.sort_unstable();
        dedup.dedup();
        assert_eq!(dedup.len(), fams.len());
    }

    /// AWS Batch User Guide, "Compute resource memory management": "Suppose that you specify
    /// 8192 MiB for the job, and none of your compute resources have 8192 MiB or greater of
    /// memory available to satisfy this requirement. Then, the job can't be placed in your
    /// compute environment." and "The default AWS Batch compute resource AMI also reserves 32
    /// MiB of memory for the Amazon ECS container agent and other critical system processes."
    #[test]
    fn registered_memory_is_less_than_nominal() {
        let m5 = lookup("m5.large").unwrap();
        // 585805824 bytes measured (Karpenter's table) = 558.7 MiB, rounded up.
        assert_eq!(m5.os_memory_mib, Some(559));
        assert_eq!(registered_memory_mib(m5), 8192 - 559 - 32);
        assert_eq!(registered_memory_mib(lookup("m4.large").unwrap()), 8192 - 266 - 32);
        assert_eq!(registered_memory_mib(lookup("c6g.large").unwrap()), 4096 - 280 - 32);
        // Unmeasured: 7.5% of nominal (Karpenter's VM_MEMORY_OVERHEAD_PERCENT default).
        let c7i = lookup("c7i.large").unwrap();
        assert_eq!(c7i.os_memory_mib, None);
        assert_eq!(os_memory_mib(c7i), 308, "4096 x 0.075 = 307.2, rounded up");
        assert_eq!(registered_memory_mib(c7i), 4096 - 308 - 32);
        assert_eq!(os_memory_mib(lookup("r6g.4xlarge").unwrap()), 9831);
        // Every built-in type registers less than its nominal memory, so a job asking for
        // the nominal memory of a type never fits that type.
        for t in builtin() {
            let reg = registered_memory_mib(t);
            assert!(reg < t.memory_mib - ECS_RESERVED_MEMORY_MIB, "{}", t.name);
            assert!(
                reg * 100 > t.memory_mib * 88,
                "{}: OS share under 12% (c5.large: 433 of 4096)",
                t.name
            );
        }
        // Custom types: only the agent's 32 MiB.
        let tiny = InstanceType::new("t", 1, 16, 0, Architecture::Arm64, 0.0);
        assert_eq!(registered_memory_mib(&tiny), 0);
        let node = InstanceType::new("node", 1, 4096, 0, Architecture::Arm64, 0.0);
        assert_eq!(registered_memory_mib(&node), 4064);
        // The override: nominal minus `reservedMemoryMiB`.
        assert_eq!(usable_memory_mib(m5, Some(0)), 8192);
        assert_eq!(usable_memory_mib(m5, Some(256)), 7936);
        assert_eq!(usable_memory_mib(m5, None), 7601);
    }

    #[test]
    fn closest_match_helper() {
        assert_eq!(closest_match("abd", ["abc", "abe"]), Some("abc"));
        assert_eq!(closest_match("abc", ["abc"]), None);
        assert_eq!(closest_match("zzzzzz", ["abc"]), None);
    }

    #[test]
    fn accessors() {
        let t = lookup("m7i.metal-24xl").unwrap();
        assert_eq!(t.family(), "m7i");
        assert_eq!(t.size(), Some("metal-24xl"));
        assert!(t.is_metal());
        let c = InstanceType::new("sp2node", 1, 1024, 0, Architecture::X86_64, 0.0);
        assert_eq!((c.family(), c.size(), c.is_metal()), ("sp2node", None, false));
        assert_eq!(c.price_per_vcpu_hour(), 0.0);
        assert_eq!(Architecture::Arm64.to_string(), "arm64");
        assert_eq!(Architecture::X86_64.as_str(), "x86_64");
        assert_eq!(PRICE_REGION, "us-east-1");
        assert_eq!(PRICE_SNAPSHOT_DATE, "2026-01-19");
    }
}
