//! Constraints: `FIGURE OP BOUND`, judged on a one-sided confidence bound over the seeds.
//!
//! `<=` and `<` hold when the figure's upper bound does (`upper <= BOUND`), `>=` and `>`
//! when its lower bound does, `==` when both do (so, with any spread between seeds, only
//! when every seed has exactly the bound: `jobs.queued == 0`). A point where some seed has
//! no value for the figure (a p95 of a queue where nothing started) does not meet it.

use super::bound::Estimate;
use super::figure::Quantity;
use std::str::FromStr;

/// A comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Op {
    /// `<=`
    Le,
    /// `<`
    Lt,
    /// `>=`
    Ge,
    /// `>`
    Gt,
    /// `==`
    Eq,
}

impl Op {
    /// As written.
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Le => "<=",
            Op::Lt => "<",
            Op::Ge => ">=",
            Op::Gt => ">",
            Op::Eq => "==",
        }
    }
}

/// One `FIGURE OP BOUND`.
#[derive(Clone, Debug, PartialEq)]
pub struct Constraint {
    /// The figure.
    pub quantity: Quantity,
    /// The comparison.
    pub op: Op,
    /// The bound.
    pub bound: f64,
}

impl FromStr for Constraint {
    type Err = String;

    /// `FIGURE<=X`, `FIGURE >= X`, `FIGURE == X`, `FIGURE < X`, `FIGURE > X`.
    fn from_str(s: &str) -> Result<Constraint, String> {
        let mut depth = 0usize;
        let at = s.char_indices().find(|&(_, c)| {
            match c {
                '[' => depth += 1,
                ']' => depth = depth.saturating_sub(1),
                _ => {}
            }
            depth == 0 && matches!(c, '<' | '>' | '=' | '!')
        });
        let Some((i, _)) = at else {
            return Err(format!(
                "`{s}` has no comparison; write FIGURE OP BOUND with OP one of <=, <, >=, >, =="
            ));
        };
        let rest = &s[i..];
        let end = rest
            .find(|c: char| !matches!(c, '<' | '>' | '=' | '!'))
            .unwrap_or(rest.len());
        let op = match &rest[..end] {
            "<=" => Op::Le,
            "<" => Op::Lt,
            ">=" => Op::Ge,
            ">" => Op::Gt,
            "==" => Op::Eq,
            "=" => return Err(format!("`{s}`: `=` is not a comparison; did you mean `==`?")),
            "=<" => return Err(format!("`{s}`: `=<` is not a comparison; did you mean `<=`?")),
            "=>" => return Err(format!("`{s}`: `=>` is not a comparison; did you mean `>=`?")),
            other => {
                return Err(format!(
                    "`{s}`: `{other}` is not a comparison; use one of <=, <, >=, >, =="
                ))
            }
        };
        let quantity: Quantity = s[..i].parse()?;
        let number = rest[end..].trim();
        let bound: f64 = number
            .parse()
            .ok()
            .filter(|b: &f64| b.is_finite())
            .ok_or_else(|| format!("`{s}`: the bound `{number}` is not a number"))?;
        Ok(Constraint { quantity, op, bound })
    }
}

impl std::fmt::Display for Constraint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} {}", self.quantity.text, self.op.symbol(), self.bound)
    }
}

impl Constraint {
    /// Which bound of the figure is compared: "upper" for `<=`/`<`, "lower" for `>=`/`>`,
    /// the one farther from the bound for `==`.
    pub fn side(&self, e: &Estimate) -> &'static str {
        match self.op {
            Op::Le | Op::Lt => "upper",
            Op::Ge | Op::Gt => "lower",
            Op::Eq => match (e.upper, e.lower) {
                (Some(u), Some(l)) if (l - self.bound).abs() > (u - self.bound).abs() => "lower",
                _ => "upper",
            },
        }
    }

    /// The bound of the figure that is compared (see [`Constraint::side`]).
    pub fn compared(&self, e: &Estimate) -> Option<f64> {
        if self.side(e) == "upper" {
            e.upper
        } else {
            e.lower
        }
    }

    /// Whether the estimate meets the constraint.
    pub fn holds(&self, e: &Estimate) -> bool {
        let (Some(u), Some(l)) = (e.upper, e.lower) else {
            return false;
        };
        e.complete()
            && match self.op {
                Op::Le => u <= self.bound,
                Op::Lt => u < self.bound,
                Op::Ge => l >= self.bound,
                Op::Gt => l > self.bound,
                Op::Eq => u <= self.bound && l >= self.bound,
            }
    }

    /// How far the estimate is inside the constraint, relative to the bound's size (at
    /// least 1): positive inside, negative outside, minus infinity without a value.
    pub fn slack(&self, e: &Estimate) -> f64 {
        let (Some(u), Some(l)) = (e.upper, e.lower) else {
            return f64::NEG_INFINITY;
        };
        if !e.complete() {
            return f64::NEG_INFINITY;
        }
        let raw = match self.op {
            Op::Le | Op::Lt => self.bound - u,
            Op::Ge | Op::Gt => l - self.bound,
            Op::Eq => -(u - self.bound).max(self.bound - l),
        };
        raw / self.bound.abs().max(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn estimate(values: &[f64]) -> Estimate {
        Estimate::of(&values.iter().map(|&v| Some(v)).collect::<Vec<_>>(), 0.95)
    }

    #[test]
    fn parses_operators_and_bounds() {
        let c: Constraint = "queues[critical].waitP95 <= 600".parse().unwrap();
        assert_eq!(
            (c.quantity.text.as_str(), c.op, c.bound),
            ("queues[critical].waitP95", Op::Le, 600.0)
        );
        assert_eq!(c.to_string(), "queues[critical].waitP95 <= 600");
        let c: Constraint = "jobs.queued==0".parse().unwrap();
        assert_eq!((c.quantity.text.as_str(), c.op), ("jobs.queued", Op::Eq));
        assert_eq!("utilization>0.5".parse::<Constraint>().unwrap().op, Op::Gt);
        assert_eq!("utilization >= 0.5".parse::<Constraint>().unwrap().op, Op::Ge);
        assert_eq!("cost<1e3".parse::<Constraint>().unwrap().bound, 1000.0);
        let err = |s: &str| s.parse::<Constraint>().unwrap_err();
        assert!(err("cost = 3").contains("did you mean `==`?"));
        assert!(err("cost =< 3").contains("did you mean `<=`?"));
        assert!(err("cost != 3").contains("`!=` is not a comparison"));
        assert!(err("cost 3").contains("has no comparison"));
        assert!(err("cost <= abc").contains("the bound `abc` is not a number"));
        assert!(err("cost <= inf").contains("is not a number"));
        assert!(err("waitp95 <= 3").contains("did you mean `waitP95`?"));
    }

    #[test]
    fn holds_on_the_one_sided_bound() {
        // Mean 14, upper bound 17.01, lower bound 10.99 (see bound.rs).
        let e = estimate(&[10.0, 12.0, 14.0, 16.0, 18.0]);
        let c = |s: &str| s.parse::<Constraint>().unwrap();
        // The mean meets 15 but the upper bound does not.
        assert!(!c("cost <= 15").holds(&e));
        assert!(c("cost <= 17.1").holds(&e));
        assert!(c("cost >= 10.9").holds(&e) && !c("cost >= 11").holds(&e));
        assert!(!c("cost == 14").holds(&e));
        assert!(c("cost == 0").holds(&estimate(&[0.0, 0.0, 0.0])));
        assert!(!c("cost == 0").holds(&estimate(&[0.0, 1.0, 0.0])));
        assert!(!c("cost < 0").holds(&estimate(&[0.0, 0.0])));
        let missing = Estimate::of(&[Some(1.0), None], 0.95);
        assert!(!c("cost <= 100").holds(&missing));
        assert_eq!(c("cost <= 100").slack(&missing), f64::NEG_INFINITY);
        assert!((c("cost <= 20").slack(&e) - (20.0 - 17.014_887) / 20.0).abs() < 1e-5);
        assert_eq!(c("cost >= 11").side(&e), "lower");
    }
}
