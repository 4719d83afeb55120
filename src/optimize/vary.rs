//! `--vary PATH=LO..HI[:STEP]` or `--vary PATH=V1,V2,...`: a setting and the values the
//! search may give it.
//!
//! PATH is a `--set` path ([`crate::sweep::Setting`]). A range holds whole numbers: `LO`,
//! `LO + STEP`, `LO + 2 STEP`, ... and always `HI` (STEP 1 without `:STEP`), so
//! `16..1024:64` is 16, 80, ..., 976, 1024. A list holds JSON values (or strings), tried in
//! the order written: instance families, allocation strategies, Spot/On-Demand orders.

use crate::sweep::{SetValue, Setting};
use serde_json::Value;
use std::str::FromStr;

/// The values of a [`Vary`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Values {
    /// Whole numbers from `lo` to `hi` by `step` (`hi` always included).
    Range {
        /// The first value.
        lo: i64,
        /// The last value.
        hi: i64,
        /// The step (at least 1).
        step: u64,
    },
    /// Values as written.
    List(Vec<SetValue>),
}

/// One setting of the search.
#[derive(Clone, Debug, PartialEq)]
pub struct Vary {
    /// The path (its parsed steps; its `values` are unused).
    pub setting: Setting,
    /// The values.
    pub values: Values,
}

impl FromStr for Vary {
    type Err = String;

    fn from_str(s: &str) -> Result<Vary, String> {
        let mut setting: Setting = s
            .parse()
            .map_err(|e: String| e.replace("PATH=V1,V2,...", "PATH=LO..HI or PATH=V1,V2,..."))?;
        let values = match setting.values.as_slice() {
            [one] if one.text.contains("..") && one.json.is_string() && !one.text.starts_with('"') => {
                range(&one.text).map_err(|reason| format!("`{}`: {reason}", one.text))?
            }
            _ => Values::List(setting.values.clone()),
        };
        setting.values.clear();
        Ok(Vary { setting, values })
    }
}

/// Parses `LO..HI` or `LO..HI:STEP`.
fn range(text: &str) -> Result<Values, String> {
    let (span, step) = match text.split_once(':') {
        Some((span, step)) => (span, Some(step.trim())),
        None => (text, None),
    };
    let (lo, hi) = span.split_once("..").ok_or("write LO..HI")?;
    let hi = hi.strip_prefix('=').unwrap_or(hi);
    let int = |t: &str, which: &str| {
        let t = t.trim();
        t.parse::<i64>().map_err(|_| {
            if t.is_empty() {
                format!("the range lacks its {which} value (write LO..HI, e.g. 16..1024)")
            } else {
                format!("`{t}` is not a whole number (a range is LO..HI of whole numbers; for other values write a list V1,V2,...)")
            }
        })
    };
    let (lo, hi) = (int(lo, "first")?, int(hi, "last")?);
    if hi < lo {
        return Err(format!(
            "the range is empty: {hi} is smaller than {lo} (LO..HI includes both)"
        ));
    }
    let step = match step {
        None => 1,
        Some(t) => match t.parse::<u64>() {
            Ok(0) | Err(_) => return Err(format!("the step `{t}` is not a whole number of at least 1")),
            Ok(n) => n,
        },
    };
    Ok(Values::Range { lo, hi, step })
}

impl Values {
    /// How many values.
    pub fn len(&self) -> u128 {
        match self {
            Values::Range { lo, hi, step } => {
                let span = (i128::from(*hi) - i128::from(*lo)) as u128;
                let step = u128::from(*step);
                span / step + 1 + u128::from(span % step != 0)
            }
            Values::List(v) => v.len() as u128,
        }
    }

    /// Never: a range holds at least one value, a parsed list too.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Value `k` (0-based; the last one for `k` past the end).
    pub fn get(&self, k: u128) -> SetValue {
        match self {
            Values::Range { lo, hi, step } => {
                let v = i128::from(*lo).saturating_add((k as i128).saturating_mul(i128::from(*step)));
                let v = v.min(i128::from(*hi)) as i64;
                SetValue {
                    text: v.to_string(),
                    json: Value::from(v),
                }
            }
            Values::List(list) => list[(k as usize).min(list.len().saturating_sub(1))].clone(),
        }
    }

    /// As written back: `16..1024`, `16..1024:64`, `a,b,c`.
    pub fn text(&self) -> String {
        match self {
            Values::Range { lo, hi, step: 1 } => format!("{lo}..{hi}"),
            Values::Range { lo, hi, step } => format!("{lo}..{hi}:{step}"),
            Values::List(list) => list.iter().map(|v| v.text.as_str()).collect::<Vec<_>>().join(","),
        }
    }
}

impl Vary {
    /// The path as written.
    pub fn path(&self) -> &str {
        &self.setting.path_text
    }

    /// The `--set` setting giving it value `k` alone.
    pub(crate) fn at(&self, k: u128) -> Setting {
        Setting {
            values: vec![self.values.get(k)],
            ..self.setting.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_lists() {
        let v: Vary = "computeEnvironments[0].computeResources.maxvCpus=16..1024"
            .parse()
            .unwrap();
        assert_eq!(v.path(), "computeEnvironments[0].computeResources.maxvCpus");
        assert_eq!(
            v.values,
            Values::Range {
                lo: 16,
                hi: 1024,
                step: 1
            }
        );
        assert_eq!(v.values.len(), 1009);
        assert_eq!(v.values.get(0).json, Value::from(16));
        assert_eq!(v.values.get(1008).text, "1024");
        let s: Vary = "x=16..1024:64".parse().unwrap();
        // 16, 80, ..., 976 (16 values), then 1024.
        assert_eq!(s.values.len(), 17);
        assert_eq!(s.values.get(15).text, "976");
        assert_eq!(s.values.get(16).text, "1024");
        assert_eq!(s.values.text(), "16..1024:64");
        assert_eq!("x=4..=8:2".parse::<Vary>().unwrap().values.len(), 3);
        assert_eq!("x=-3..-3".parse::<Vary>().unwrap().values.len(), 1);
        let full: Vary = format!("x={}..{}", i64::MIN, i64::MAX).parse().unwrap();
        assert_eq!(full.values.len(), 1u128 << 64);
        assert_eq!(full.values.get(u128::MAX).text, i64::MAX.to_string());
        let l: Vary = r#"x.strategy=BEST_FIT,SPOT_CAPACITY_OPTIMIZED,["a","b"],"1..2""#
            .parse()
            .unwrap();
        let Values::List(values) = &l.values else {
            panic!("a list")
        };
        assert_eq!(values.len(), 4);
        assert_eq!(values[2].json, serde_json::json!(["a", "b"]));
        assert_eq!(values[3].json, serde_json::json!("1..2"));
        assert_eq!(l.at(1).values[0].text, "SPOT_CAPACITY_OPTIMIZED");
    }

    #[test]
    fn bad_ranges_say_why() {
        let err = |s: &str| s.parse::<Vary>().unwrap_err();
        assert!(err("x=1024..16").contains("the range is empty"));
        assert!(err("x=1..abc").contains("`abc` is not a whole number"));
        assert!(err("x=1.5..3").contains("`1.5` is not a whole number"));
        assert!(err("x=..3").contains("lacks its first value"));
        assert!(err("x=1..3:0").contains("the step `0`"));
        assert!(err("x=1..3:-1").contains("the step `-1`"));
        assert!(
            err("maxvCpus").contains("PATH=LO..HI or PATH=V1,V2,..."),
            "{}",
            err("maxvCpus")
        );
        assert!(err("a..b=1..2").contains("empty name"));
    }
}
