//! `batchsim merge PART... [--out FILE]`: joins the parts of a sharded sweep
//! (`batchsim sweep ... --shard I/N --out PART`, format: [`crate::sweep::shard`]) into the
//! table and the confidence-interval summary the unsharded sweep writes, byte for byte
//! (the summary's first line gives the parts' summed wall time and threads).
//!
//! Refused (exit 2, naming the file or the shard): a file that is not a part or is
//! truncated, a part of another sweep (other scenario bytes, flags or batchsim version), a
//! part of another split (`--shard I/M`), two parts of one shard, a shard without a part.

use super::output::{Pending, Target};
use super::sweep::{emit, Done, HtmlOut};
use super::CliError;
use crate::sweep::shard::{merge as merge_parts, Part};
use std::path::PathBuf;
use std::time::Duration;

/// Arguments of `batchsim merge`.
#[derive(clap::Args, Debug)]
pub struct MergeArgs {
    /// The part files, one per shard, in any order.
    #[arg(required = true, value_name = "PART")]
    parts: Vec<PathBuf>,
    /// Writes the table to this file instead of stdout (`-` is stdout).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Also writes the sweep as one self-contained HTML page to this file, as
    /// `batchsim sweep --html` does; `-` is standard output (the table then needs `--out`).
    #[arg(long, value_name = "FILE.html")]
    html: Option<PathBuf>,
}

/// Runs `batchsim merge`.
pub(super) fn merge(args: &MergeArgs) -> Result<(), CliError> {
    let bad = |e: crate::sweep::ShardError| CliError::BadInput(e.to_string());
    let parts = args
        .parts
        .iter()
        .map(|p| Part::read(p).map(|part| (p.clone(), part)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(bad)?;
    let merged = merge_parts(parts).map_err(bad)?;
    let specs = merged
        .flags
        .column_specs()
        .map_err(|e| CliError::BadInput(format!("--columns {e}")))?;
    let out = match args.out.as_deref().map(|p| Target::of("--out", p)) {
        Some(Target::File { flag, path }) => Some(Pending::create(flag, &path)?),
        _ => None,
    };
    let title = format!("sweep {}", merged.id);
    let html = HtmlOut::open(args.html.as_deref(), out.is_some(), &title)?;
    let done = Done {
        elapsed: Duration::try_from_secs_f64(merged.elapsed_seconds).unwrap_or_default(),
        threads: merged.threads,
    };
    emit(&merged.grid, &merged.rows, &specs, &merged.flags, out, html, done)
}
