//! AWS Lambda as a what-if platform (a simulation extension: AWS Batch has no Lambda compute
//! environments): the documented sizes, limits and prices, and how a Batch job maps onto a
//! Lambda function.
//!
//! AWS sentences each rule rests on (AWS Lambda Developer Guide unless said otherwise):
//! - Memory and CPU: "You can configure memory between 128 MB and 10,240 MB in 1-MB
//!   increments. At 1,769 MB, a function has the equivalent of one vCPU (one vCPU-second of
//!   credits per second)." (Configuring Lambda function memory); up to 6 vCPUs at the top
//!   ("New for AWS Lambda – Functions with Up to 10 GB of Memory and 6 vCPUs", AWS News Blog).
//! - Timeout: "you can adjust this in increments of 1 second up to a maximum value of 900
//!   seconds (15 minutes)." (Configure Lambda function timeout)
//! - Concurrency: "By default, Lambda provides your account with a total concurrency limit of
//!   1,000 concurrent executions across all functions in an AWS Region." (Understanding Lambda
//!   function scaling); reserved concurrency "represents the maximum number of concurrent
//!   instances allocated to your function" (Configuring reserved concurrency), and "you can
//!   reserve concurrency for as many functions as you like, as long as you leave at least 100
//!   simultaneous executions unreserved" (API reference, `PutFunctionConcurrency`).
//! - Scaling rate: "In each AWS Region, and for each function, your concurrency scaling rate
//!   is 1,000 execution environment instances every 10 seconds" (Lambda scaling behavior).
//! - Keep-alive: "the Lambda service retains the execution environment for a
//!   non-deterministic period of time. During this time, if another request arrives for the
//!   same function, the service may reuse the environment." (Operator Guide, Lambda execution
//!   environments). AWS documents no period: batchsim keeps an idle environment
//!   [`DEFAULT_KEEP_ALIVE`] (300 s) by default, a setting (`keepAliveSeconds`).
//! - Cold starts are billed: "Effective August 1, 2025, AWS will standardize billing for the
//!   initialization (INIT) phase across all AWS Lambda function configurations." (AWS Compute
//!   Blog, "AWS Lambda standardizes billing for INIT Phase"); duration "is calculated from the
//!   time your code begins executing until it returns or otherwise terminates, rounded up to
//!   the nearest 1ms" (AWS Lambda pricing page).

use super::instance_catalog::Architecture;
use super::resources::Resources;
use crate::time::SimDuration;

/// Smallest function memory, MB (Lambda's MB are MiB: a GB-second is 1,024 MB for a second).
pub const MIN_MEMORY_MB: u32 = 128;
/// Largest function memory, MB: "between 128 MB and 10,240 MB".
pub const MAX_MEMORY_MB: u32 = 10_240;
/// Memory that gives one vCPU: "At 1,769 MB, a function has the equivalent of one vCPU".
pub const MB_PER_VCPU: u32 = 1_769;
/// Most vCPUs a function gets (at 10,240 MB).
pub const MAX_VCPUS: u32 = 6;
/// The longest invocation: "a maximum value of 900 seconds (15 minutes)".
pub const MAX_TIMEOUT: SimDuration = SimDuration::from_secs(900);
/// The default account concurrency: "a total concurrency limit of 1,000 concurrent
/// executions".
pub const DEFAULT_ACCOUNT_CONCURRENCY: u32 = 1_000;
/// What reserved concurrency must leave to the account: "at least 100 simultaneous
/// executions unreserved".
pub const UNRESERVED_MINIMUM: u32 = 100;
/// New execution environments per function per [`SCALING_WINDOW`]: "1,000 execution
/// environment instances every 10 seconds".
pub const DEFAULT_SCALING_RATE: u32 = 1_000;
/// The window of the scaling rate.
pub const SCALING_WINDOW: SimDuration = SimDuration::from_secs(10);
/// How long an idle execution environment is kept for reuse. AWS: "a non-deterministic
/// period of time"; batchsim's choice (a setting, `keepAliveSeconds`).
pub const DEFAULT_KEEP_ALIVE: SimDuration = SimDuration::from_secs(300);
/// The latency of a new execution environment (INIT) before the handler runs. AWS documents
/// no figure (it varies with runtime and package); batchsim's choice (a setting,
/// `coldStartSeconds`, kept as the compute environment's `startup`).
pub const DEFAULT_COLD_START: SimDuration = SimDuration::from_secs(1);

/// us-east-1 Lambda duration price, x86, dollars per GB-second: $0.0000166667 (AWS Lambda
/// pricing page, first tier "First 6 Billion GB-seconds / month", as quoted by CloudChipr,
/// "AWS Lambda Pricing Breakdown"; read 2026-12-01). Tiered discounts and the free tier are
/// not modelled.
pub const GB_SECOND_X86: f64 = 0.000_016_666_7;
/// us-east-1 Lambda duration price, Arm (Graviton), dollars per GB-second: $0.0000133334
/// (same sources as [`GB_SECOND_X86`], first tier "First 7.5 Billion GB-seconds / month").
pub const GB_SECOND_ARM64: f64 = 0.000_013_333_4;
/// us-east-1 Lambda request price, both architectures: $0.20 per 1M requests (same sources
/// as [`GB_SECOND_X86`]).
pub const REQUEST_PER_MILLION: f64 = 0.20;

/// The status reason of an attempt that reached Lambda's 15-minute limit (Lambda's own log
/// line for a timed-out invocation).
pub const REASON_LAMBDA_TIMEOUT: &str = "Task timed out after 900.00 seconds";

/// A LAMBDA compute environment's settings (`simulation.lambda`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LambdaSettings {
    /// `accountConcurrency`: the account's concurrent executions in the Region.
    pub account_concurrency: u32,
    /// `reservedConcurrency`: the function's reserved concurrency, if any (at most
    /// `account_concurrency - 100`).
    pub reserved_concurrency: Option<u32>,
    /// `scalingRate`: new execution environments per function per 10 seconds.
    pub scaling_rate: u32,
    /// `keepAliveSeconds`: how long an idle execution environment is reused.
    pub keep_alive: SimDuration,
    /// `gbSecond`: x86 dollars per GB-second.
    pub gb_second: f64,
    /// `arm64GbSecond`: Arm dollars per GB-second.
    pub arm64_gb_second: f64,
    /// `requestPerMillion`: dollars per million requests (one request per attempt).
    pub request_per_million: f64,
}

impl Default for LambdaSettings {
    fn default() -> Self {
        LambdaSettings {
            account_concurrency: DEFAULT_ACCOUNT_CONCURRENCY,
            reserved_concurrency: None,
            scaling_rate: DEFAULT_SCALING_RATE,
            keep_alive: DEFAULT_KEEP_ALIVE,
            gb_second: GB_SECOND_X86,
            arm64_gb_second: GB_SECOND_ARM64,
            request_per_million: REQUEST_PER_MILLION,
        }
    }
}

impl LambdaSettings {
    /// Concurrent executions the function may have: its reserved concurrency, else the
    /// account's.
    pub fn concurrency(&self) -> u32 {
        self.reserved_concurrency.unwrap_or(self.account_concurrency)
    }

    /// The bill of one attempt: `memory_mb` for `billed` (dispatch to end, INIT included),
    /// rounded up to the millisecond (already whole milliseconds), plus one request.
    pub fn attempt_cost(&self, memory_mb: u32, arch: Architecture, billed: SimDuration) -> f64 {
        let per_gb_second = match arch {
            Architecture::Arm64 => self.arm64_gb_second,
            _ => self.gb_second,
        };
        let gb_seconds = f64::from(memory_mb) / 1024.0 * (billed.as_millis() as f64 / 1000.0);
        gb_seconds * per_gb_second + self.request_per_million / 1_000_000.0
    }
}

/// Why a job cannot run as a Lambda function at all (its size), if it cannot.
pub fn size_problem(r: &Resources) -> Option<String> {
    if r.gpus > 0 {
        return Some(format!("needs {} GPU(s); Lambda has none", r.gpus));
    }
    if r.millivcpus > MAX_VCPUS * 1000 {
        return Some(format!("needs {} vCPUs, over Lambda's {MAX_VCPUS}", r.vcpus()));
    }
    if r.memory_mib > MAX_MEMORY_MB {
        return Some(format!("needs {} MiB of memory, over Lambda's 10,240 MB", r.memory_mib));
    }
    None
}

/// The function memory (MB) a job runs with: enough for its memory and for its vCPUs at
/// 1,769 MB per vCPU (so it gets at least the CPU it asked for), at least 128 MB, at most
/// 10,240 MB (which gives the 6 vCPUs of the top size); `None` when it cannot run
/// ([`size_problem`]).
pub fn memory_mb(r: &Resources) -> Option<u32> {
    if size_problem(r).is_some() {
        return None;
    }
    let for_cpu = (u64::from(r.millivcpus) * u64::from(MB_PER_VCPU)).div_ceil(1000);
    let mb = u64::from(r.memory_mib).max(for_cpu).max(u64::from(MIN_MEMORY_MB));
    Some(mb.min(u64::from(MAX_MEMORY_MB)) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_covers_the_cpu_share() {
        // "At 1,769 MB, a function has the equivalent of one vCPU": 2 vCPUs need 3,538 MB.
        assert_eq!(memory_mb(&Resources::new(2.0, 2048)), Some(3538));
        assert_eq!(memory_mb(&Resources::new(1.0, 4096)), Some(4096));
        assert_eq!(memory_mb(&Resources::new(0.25, 64)), Some(443));
        assert_eq!(memory_mb(&Resources::new(0.0625, 64)), Some(MIN_MEMORY_MB));
        // 6 vCPUs is the top size, 10,240 MB.
        assert_eq!(memory_mb(&Resources::new(6.0, 1024)), Some(MAX_MEMORY_MB));
        assert_eq!(memory_mb(&Resources::new(6.5, 1024)), None);
        assert_eq!(memory_mb(&Resources::new(1.0, 10_241)), None);
        assert!(size_problem(&Resources::new(1.0, 10_241)).is_some_and(|s| s.contains("10,240 MB")));
    }

    #[test]
    fn an_attempt_is_billed_by_the_millisecond_plus_a_request() {
        let s = LambdaSettings::default();
        // 2,048 MB for 1.5 s = 3 GB-s: 3 x 0.0000166667 + 0.20 / 1M.
        let c = s.attempt_cost(2048, Architecture::X86_64, SimDuration::from_millis(1500));
        assert!((c - (3.0 * 0.000_016_666_7 + 0.000_000_2)).abs() < 1e-15, "{c}");
        let arm = s.attempt_cost(2048, Architecture::Arm64, SimDuration::from_millis(1500));
        assert!((arm - (3.0 * 0.000_013_333_4 + 0.000_000_2)).abs() < 1e-15, "{arm}");
        assert_eq!(s.concurrency(), 1000);
        let reserved = LambdaSettings {
            reserved_concurrency: Some(10),
            ..s
        };
        assert_eq!(reserved.concurrency(), 10);
    }
}
