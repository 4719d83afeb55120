//! A compute environment's Spot market settings: `simulation.interruptionsPerHour` (a number,
//! or rates by instance type or family), `simulation.spotPriceHistory` (SPOT: a price file)
//! and `simulation.unavailable` (FARGATE_SPOT: windows without capacity).
//!
//! The price file is the JSON that `aws ec2 describe-spot-price-history` prints
//! (`{"SpotPriceHistory": [{"AvailabilityZone", "InstanceType", "ProductDescription",
//! "SpotPrice", "Timestamp"}]}`, newest first as EC2 returns it) or a CSV with the columns
//! `timestamp,instanceType,spotPrice[,availabilityZone]` (a header line optional, `#`
//! comments); gzip is read directly. Timestamps are ISO 8601 or numbers of seconds. Rules
//! (README, "Spot price histories"):
//! - records are sorted by time (EC2 lists the newest first); the earliest timestamp is time
//!   0, or `start` when given (records before it set the price at time 0);
//! - records whose `ProductDescription` does not start with `Linux/UNIX` are skipped (the
//!   containers run on Linux);
//! - several Availability Zones: the lowest price in force at each moment
//!   ([`PriceSteps::lowest_of`]);
//! - a type the file does not name keeps the fixed discount; a name that is no known type
//!   (catalog or `simulation.instanceTypes`) is an error, with a suggestion.

use super::ctx::Ctx;
use super::raw::{RawComputeEnvironment, RawSpotPriceHistory};
use crate::model::instance_catalog;
use crate::model::spot_market::{PriceSteps, SpotPriceHistory};
use crate::model::{ComputeEnvironment, ComputeEnvironmentType};
use crate::time::SimTime;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

/// Reads the Spot settings of compute environment `i` into `ce`.
pub(super) fn settings(ctx: &mut Ctx, i: usize, raw: &RawComputeEnvironment, ce: &mut ComputeEnvironment, dir: &Path) {
    let Some(sim) = &raw.simulation else { return };
    let p = format!("computeEnvironments[{i}].simulation");
    if let Some(v) = &sim.interruptions_per_hour {
        let ip = format!("{p}.interruptionsPerHour");
        interruptions(ctx, &ip, v, ce);
        startable(ctx, &ip, ce);
    }
    if let Some(h) = &sim.spot_price_history {
        let hp = format!("{p}.spotPriceHistory");
        if ce.kind != ComputeEnvironmentType::Spot {
            ctx.err(
                hp,
                format!(
                    "a Spot price history applies to SPOT compute environments only, not {}",
                    ce.kind.as_str()
                ),
            );
        } else if let Some(history) = history(ctx, &hp, h, ce, dir) {
            ce.spot_market.price_history = Some(Arc::new(history));
        }
    }
    if let Some(windows) = &sim.unavailable {
        let wp = format!("{p}.unavailable");
        if ce.kind != ComputeEnvironmentType::FargateSpot {
            ctx.err(
                wp,
                format!(
                    "unavailable windows apply to FARGATE_SPOT compute environments only, not {}",
                    ce.kind.as_str()
                ),
            );
            return;
        }
        for (k, w) in windows.iter().enumerate() {
            let start = ctx.time(&format!("{wp}[{k}].start"), w.start);
            let end = ctx.time(&format!("{wp}[{k}].end"), w.end);
            match (start, end) {
                (Some(s), Some(e)) if e > s => ce.spot_market.unavailable.push((s, e)),
                (Some(s), Some(e)) => ctx.err(
                    format!("{wp}[{k}].end"),
                    format!(
                        "must be after start ({} s), found {} s",
                        s.as_secs_f64(),
                        e.as_secs_f64()
                    ),
                ),
                _ => {}
            }
        }
        ce.spot_market.unavailable.sort();
    }
}

/// The most reclaims a task or instance may expect during one `startupSeconds`: at more, fewer
/// than one dispatch in e^6 (about 400) would reach RUNNING.
pub(crate) const MAX_RECLAIMS_PER_STARTUP: f64 = 6.0;

/// Rejects a rate at which no attempt can be expected to start. A reclaim while STARTING ends
/// the attempt without using up a retry (CONTRACT 7.4: AWS counts an attempt once the job is
/// "placed into the RUNNING state"), and reclaims are Poisson, so a dispatch reaches RUNNING
/// with probability `e^(-rate x startup)`: at `1e300` per hour and 30 s of startup, never, so
/// the job would be dispatched and reclaimed until the end of time, and a run without `until`
/// would not end (CONTRACT 7.10, "a run must end"); with `until` it would cycle once a
/// millisecond per task until then (the fuzz tests found both). Within the bound a job
/// needs at most e^6 (about 400) dispatches on average to start, so the work per job is
/// bounded. The lowest rate the compute environment can apply (its default or a type's own)
/// is the one checked, so a scenario is rejected only when every instance type it may launch
/// is too often reclaimed.
fn startable(ctx: &mut Ctx, path: &str, ce: &ComputeEnvironment) {
    let lowest = ce
        .spot_market
        .interruptions_by_type
        .values()
        .copied()
        .fold(ce.interruptions_per_hour, f64::min);
    let startup = ce.startup.as_secs_f64();
    let expected = lowest * startup / 3600.0;
    if expected > MAX_RECLAIMS_PER_STARTUP {
        ctx.err(
            path,
            format!(
                "at {} reclaims per hour and startupSeconds {startup}, an attempt is expected to be reclaimed {expected:.3e} times before it starts (at most {MAX_RECLAIMS_PER_STARTUP}): a reclaim while STARTING does not use up a retry, so its job would be dispatched again for ever; lower the rate or the startup",
                if lowest >= 1e9 { format!("{lowest:e}") } else { lowest.to_string() }
            ),
        );
    }
}

/// A JSON path step for key `k` (quoted when it is not an identifier, as the schema writes).
fn key_path(p: &str, k: &str) -> String {
    if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        format!("{p}.{k}")
    } else {
        format!("{p}[{}]", serde_json::Value::String(k.to_owned()))
    }
}

fn rate(ctx: &mut Ctx, path: &str, v: &Value) -> Option<f64> {
    match v.as_f64() {
        Some(r) if r.is_finite() && r >= 0.0 => Some(r),
        Some(r) => {
            ctx.err(path, format!("must be a rate of 0 or more, found {r}"));
            None
        }
        None => {
            ctx.err(path, format!("expected a number (reclaims per hour), found {v}"));
            None
        }
    }
}

/// `interruptionsPerHour`: a number (every task or instance), or on SPOT an object of rates
/// by instance type or family with an optional `default`.
fn interruptions(ctx: &mut Ctx, p: &str, v: &Value, ce: &mut ComputeEnvironment) {
    let not_spot = |ctx: &mut Ctx, path: &str| {
        ctx.err(
            path,
            format!(
                "only SPOT and FARGATE_SPOT capacity is interrupted; this compute environment is {}",
                ce.kind.as_str()
            ),
        )
    };
    match v {
        Value::Object(map) => {
            if ce.kind != ComputeEnvironmentType::Spot {
                ctx.err(
                    p,
                    format!(
                        "rates by instance type apply to SPOT compute environments only; {} takes one number",
                        ce.kind.as_str()
                    ),
                );
                return;
            }
            let known = known_names(ce);
            for (k, x) in map {
                let path = key_path(p, k);
                let Some(r) = rate(ctx, &path, x) else { continue };
                if k == "default" {
                    ce.interruptions_per_hour = r;
                } else if known.contains(k) {
                    ce.spot_market.interruptions_by_type.insert(k.clone(), r);
                } else {
                    let hint = instance_catalog::closest_match(k, known.iter().map(String::as_str).chain(["default"]))
                        .map(|m| format!("; did you mean `{m}`?"))
                        .unwrap_or_default();
                    ctx.err(
                        path,
                        format!("`{k}` is not an instance type or family of the catalog or `simulation.instanceTypes`, nor `default`{hint}"),
                    );
                }
            }
        }
        _ => {
            let Some(r) = rate(ctx, p, v) else { return };
            if r > 0.0 && !ce.kind.is_spot() {
                not_spot(ctx, p);
            } else {
                ce.interruptions_per_hour = r;
            }
        }
    }
}

/// Every type and family name a rate or a price may name: the catalog's and the compute
/// environment's own types.
fn known_names(ce: &ComputeEnvironment) -> Vec<String> {
    let mut names: Vec<String> = instance_catalog::builtin().iter().map(|t| t.name.to_string()).collect();
    names.extend(instance_catalog::families().into_iter().map(str::to_owned));
    for t in &ce.custom_instance_types {
        names.push(t.name.to_string());
        names.push(t.family().to_owned());
    }
    names
}

/// One price record before time mapping.
#[derive(Debug)]
struct Record {
    /// Milliseconds on the file's clock.
    at_ms: i128,
    instance_type: String,
    zone: String,
    price: f64,
}

/// Reads and checks the price file; problems are reported at `{p}.path` (file and line or
/// record in the message) or `{p}.start`.
fn history(
    ctx: &mut Ctx,
    p: &str,
    h: &RawSpotPriceHistory,
    ce: &ComputeEnvironment,
    dir: &Path,
) -> Option<SpotPriceHistory> {
    let rel = h.path.as_deref()?;
    let pp = format!("{p}.path");
    let file = dir.join(rel);
    let shown = file.display().to_string();
    let text = match read_maybe_gzip(&file) {
        Ok(t) => t,
        Err(e) => {
            ctx.err(pp, format!("cannot read the Spot price file {shown}: {e}"));
            return None;
        }
    };
    let csv = match h.format.as_deref() {
        Some("csv") => true,
        Some(_) => false,
        None => rel.trim_end_matches(".gz").ends_with(".csv"),
    };
    let parsed = if csv { read_csv(&text) } else { read_json(&text) };
    let mut records = match parsed {
        Ok(r) => r,
        Err(e) => {
            ctx.err(pp, format!("{shown}: {e}"));
            return None;
        }
    };
    if records.is_empty() {
        ctx.err(pp, format!("{shown}: no Linux/UNIX Spot price in the file"));
        return None;
    }
    let known = known_names(ce);
    for r in &records {
        if !known.contains(&r.instance_type) {
            let hint = instance_catalog::closest_match(&r.instance_type, known.iter().map(String::as_str))
                .map(|m| format!("; did you mean `{m}`?"))
                .unwrap_or_default();
            ctx.err(
                pp,
                format!(
                    "{shown}: `{}` is not an instance type of the catalog or `simulation.instanceTypes`{hint}",
                    r.instance_type
                ),
            );
            return None;
        }
    }
    // EC2 lists the newest first: order by time (stable, so the file's order breaks ties).
    records.sort_by_key(|r| r.at_ms);
    let origin = match &h.start {
        None => records[0].at_ms,
        Some(v) => match timestamp_ms(v) {
            Ok(ms) => ms,
            Err(e) => {
                ctx.err(format!("{p}.start"), e);
                return None;
            }
        },
    };
    // (type, zone) -> points on the simulation's clock.
    let mut series: BTreeMap<String, BTreeMap<String, Vec<(SimTime, f64)>>> = BTreeMap::new();
    for r in records {
        let ms = (r.at_ms - origin).max(0);
        let Ok(ms) = u64::try_from(ms) else { continue };
        if ms as f64 / 1000.0 > crate::time::MAX_SECONDS {
            ctx.err(
                pp,
                format!(
                    "{shown}: a timestamp lies more than {:e} s after the start",
                    crate::time::MAX_SECONDS
                ),
            );
            return None;
        }
        series
            .entry(r.instance_type)
            .or_default()
            .entry(r.zone)
            .or_default()
            .push((SimTime::from_millis(ms), r.price));
    }
    let types = series
        .into_iter()
        .filter_map(|(t, zones)| Some((t, Arc::new(PriceSteps::lowest_of(zones.into_values().collect())?))))
        .collect();
    Some(SpotPriceHistory {
        file: rel.to_owned(),
        types,
    })
}

fn read_maybe_gzip(path: &Path) -> std::io::Result<String> {
    let bytes = std::fs::read(path)?;
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut text = String::new();
        flate2::read::MultiGzDecoder::new(&bytes[..]).read_to_string(&mut text)?;
        Ok(text)
    } else {
        String::from_utf8(bytes).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
    }
}

/// A timestamp: an ISO 8601 string or a number of seconds, as milliseconds.
fn timestamp_ms(v: &Value) -> Result<i128, String> {
    match v {
        Value::String(s) => match s.trim().parse::<f64>() {
            Ok(secs) => secs_ms(secs),
            Err(_) => crate::workload::trace::timestamp::parse_iso8601(s.trim())
                .map_err(|e| format!("`{s}` is not a timestamp: {e}")),
        },
        Value::Number(n) => secs_ms(n.as_f64().unwrap_or(f64::NAN)),
        other => Err(format!(
            "expected a timestamp (ISO 8601 text or seconds), found {other}"
        )),
    }
}

fn secs_ms(secs: f64) -> Result<i128, String> {
    if secs.is_finite() && secs.abs() < 1e15 {
        Ok((secs * 1000.0).round() as i128)
    } else {
        Err(format!("`{secs}` is not a time in seconds"))
    }
}

fn price(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(p) if p.is_finite() && p >= 0.0 => Ok(p),
        Ok(p) => Err(format!("the price must be 0 or more dollars per hour, found {p}")),
        Err(_) => Err(format!("`{text}` is not a price")),
    }
}

fn linux(product: Option<&str>) -> bool {
    product.is_none_or(|d| d.starts_with("Linux/UNIX"))
}

/// The `describe-spot-price-history` JSON; errors name the line (syntax) or the record.
fn read_json(text: &str) -> Result<Vec<Record>, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("line {} column {}: {e}", e.line(), e.column()))?;
    let list = v.get("SpotPriceHistory").and_then(Value::as_array).ok_or(
        "expected an object with a `SpotPriceHistory` list (the output of `aws ec2 describe-spot-price-history`)",
    )?;
    let mut out = Vec::new();
    for (k, r) in list.iter().enumerate() {
        let at = |field: &str| format!("SpotPriceHistory[{k}].{field}");
        let text_of = |field: &str| -> Result<String, String> {
            match r.get(field) {
                Some(Value::String(s)) => Ok(s.clone()),
                Some(Value::Number(n)) => Ok(n.to_string()),
                Some(other) => Err(format!("{}: expected text, found {other}", at(field))),
                None => Err(format!("{}: missing", at(field))),
            }
        };
        if !linux(r.get("ProductDescription").and_then(Value::as_str)) {
            continue;
        }
        let instance_type = text_of("InstanceType")?;
        let price = price(&text_of("SpotPrice")?).map_err(|e| format!("{}: {e}", at("SpotPrice")))?;
        let at_ms = timestamp_ms(r.get("Timestamp").unwrap_or(&Value::Null))
            .map_err(|e| format!("{}: {e}", at("Timestamp")))?;
        let zone = r
            .get("AvailabilityZone")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        out.push(Record {
            at_ms,
            instance_type,
            zone,
            price,
        });
    }
    Ok(out)
}

/// The CSV form; errors name the line.
fn read_csv(text: &str) -> Result<Vec<Record>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    for (k, row) in reader.records().enumerate() {
        let row = row.map_err(|e| format!("{e}"))?;
        let line = row.position().map_or(k as u64 + 1, csv::Position::line);
        if k == 0 && row.get(0).is_some_and(|c| c.eq_ignore_ascii_case("timestamp")) {
            continue;
        }
        let bad = |e: String| format!("line {line}: {e}");
        if !(3..=4).contains(&row.len()) {
            return Err(bad(format!(
                "expected timestamp,instanceType,spotPrice[,availabilityZone], found {} fields",
                row.len()
            )));
        }
        let at_ms = timestamp_ms(&Value::String(row[0].to_owned())).map_err(bad)?;
        let price = price(&row[2]).map_err(bad)?;
        out.push(Record {
            at_ms,
            instance_type: row[1].to_owned(),
            zone: row.get(3).unwrap_or("").to_owned(),
            price,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_records_sorted_and_filtered() {
        let text = r#"{"SpotPriceHistory": [
            {"Timestamp": "2014-01-06T04:32:53.000Z", "ProductDescription": "Linux/UNIX (Amazon VPC)", "InstanceType": "m5.large", "SpotPrice": "0.080000", "AvailabilityZone": "us-west-1a"},
            {"Timestamp": "2014-01-06T04:00:00.000Z", "ProductDescription": "Windows", "InstanceType": "m5.large", "SpotPrice": "0.5", "AvailabilityZone": "us-west-1a"}]}"#;
        let r = read_json(text).unwrap();
        assert_eq!(r.len(), 1, "Windows skipped");
        assert!((r[0].price - 0.08).abs() < 1e-12);
        let bad = read_json(
            r#"{"SpotPriceHistory": [{"InstanceType": "m5.large", "SpotPrice": "-1", "Timestamp": "2014-01-06T04:32:53Z"}]}"#,
        );
        assert_eq!(
            bad.err().unwrap(),
            "SpotPriceHistory[0].SpotPrice: the price must be 0 or more dollars per hour, found -1"
        );
        assert!(read_json("{\n  \"SpotPriceHistory\": [\n  }")
            .unwrap_err()
            .starts_with("line 3"));
    }

    #[test]
    fn csv_lines_and_header() {
        let r = read_csv("timestamp,instanceType,spotPrice\n0,m5.large,0.03\n# note\n1800,m5.large,0.06,us-east-1a\n")
            .unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].at_ms, 1_800_000);
        assert_eq!(r[1].zone, "us-east-1a");
        assert_eq!(
            read_csv("0,m5.large,0.03\n60,m5.large,abc\n").err().unwrap(),
            "line 2: `abc` is not a price"
        );
        assert!(read_csv("0,m5.large\n").unwrap_err().starts_with("line 1: expected"));
        assert_eq!(timestamp_ms(&Value::from("1970-01-01T00:01:00+00:00")).unwrap(), 60_000);
    }
}
