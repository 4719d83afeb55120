//! An [`Outcome`] as text, JSON, and its evaluated points as CSV or JSON.

use super::{Estimate, Outcome, Point, Problem, Search};
use crate::sweep::round6;
use serde_json::{json, Map, Value};
use std::fmt::Write as _;

/// A number as JSON, rounded to 6 decimals (`null` for none).
fn number(x: Option<f64>) -> Value {
    x.map_or(Value::Null, |x| json!(round6(x)))
}

fn estimate_json(e: &Estimate) -> Value {
    json!({"mean": number(e.mean), "upper": number(e.upper), "lower": number(e.lower),
           "samples": e.samples, "runs": e.runs})
}

/// A CSV cell, quoted when needed (RFC 4180).
fn cell(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

fn csv_number(x: Option<f64>) -> String {
    x.map_or("-".to_owned(), |x| round6(x).to_string())
}

impl Outcome {
    /// One point as JSON: `order`, `settings` (`{PATH: value}`), `figures` (`{FIGURE:
    /// {"mean", "upper", "lower", "samples", "runs"}}`), `holds` (`{CONSTRAINT: bool}`),
    /// `feasible`.
    pub fn point_json(&self, problem: &Problem, p: &Point) -> Value {
        let mut settings = Map::new();
        for (v, value) in problem.vary.iter().zip(&p.values) {
            settings.insert(v.path().to_owned(), value.json.clone());
        }
        let mut figures = Map::new();
        figures.insert(problem.objective.text.clone(), estimate_json(&p.objective));
        let mut holds = Map::new();
        for ((c, e), h) in problem.constraints.iter().zip(&p.constraints).zip(&p.holds) {
            figures.insert(c.quantity.text.clone(), estimate_json(e));
            holds.insert(c.to_string(), json!(h));
        }
        json!({"order": p.order, "settings": settings, "figures": figures, "holds": holds,
               "feasible": p.feasible})
    }

    /// The whole outcome as JSON (`batchsim optimize --format json`): `search`,
    /// `objective`, `constraints`, `seeds`, `confidence`, `feasible`, `best` (a point, or
    /// `null`), `binding` (`{"constraint", "figure", "value", "bound", "sentence"}` or
    /// `null`), `closest` (a point when none is feasible, else `null`), `evaluated` (every
    /// point, in the order of the values) and `warnings`.
    pub fn to_json(&self, problem: &Problem) -> Value {
        let point = |i: Option<usize>| i.map_or(Value::Null, |i| self.point_json(problem, &self.points[i]));
        let binding = match (self.best, self.binding) {
            (Some(b), Some(j)) => {
                let c = &problem.constraints[j];
                let e = &self.points[b].constraints[j];
                json!({"constraint": c.to_string(), "figure": c.quantity.text, "side": c.side(e),
                       "value": number(c.compared(e)), "bound": c.bound, "sentence": self.sentence(problem)})
            }
            _ => Value::Null,
        };
        json!({
            "search": match self.search { Search::Bisection => "bisection", Search::Grid => "grid" },
            "assumedMonotone": self.search == Search::Bisection,
            "objective": problem.objective.text,
            "constraints": problem.constraints.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "seeds": {"first": problem.seeds.first(), "last": problem.seeds.last()},
            "confidence": problem.confidence,
            "feasible": self.best.is_some(),
            "best": point(self.best),
            "binding": binding,
            "closest": point(self.closest),
            "evaluated": self.points.iter().map(|p| self.point_json(problem, p)).collect::<Vec<_>>(),
            "warnings": self.warnings,
        })
    }

    /// The evaluated points as CSV: `order`, each setting, `feasible`, the objective's
    /// mean, and per constraint its mean, the compared bound (`upper(...)` for `<=` and
    /// `<`, `lower(...)` for `>=` and `>`, both for `==`) and whether it holds. Empty
    /// figures are `-`.
    pub fn points_csv(&self, problem: &Problem) -> String {
        let mut header: Vec<String> = vec!["order".into()];
        header.extend(problem.vary.iter().map(|v| v.path().to_owned()));
        header.push("feasible".into());
        header.push(format!("mean({})", problem.objective.text));
        for c in &problem.constraints {
            let q = &c.quantity.text;
            header.push(format!("mean({q})"));
            for side in sides(c.op) {
                header.push(format!("{side}({q})"));
            }
            header.push(format!("holds({c})"));
        }
        let mut out = header.iter().map(|h| cell(h)).collect::<Vec<_>>().join(",");
        out.push('\n');
        for p in &self.points {
            let mut row: Vec<String> = vec![p.order.to_string()];
            row.extend(p.values.iter().map(|v| cell(&v.text)));
            row.push(p.feasible.to_string());
            row.push(csv_number(p.objective.mean));
            for ((c, e), h) in problem.constraints.iter().zip(&p.constraints).zip(&p.holds) {
                row.push(csv_number(e.mean));
                for side in sides(c.op) {
                    row.push(csv_number(if *side == "upper" { e.upper } else { e.lower }));
                }
                row.push(h.to_string());
            }
            out.push_str(&row.join(","));
            out.push('\n');
        }
        out
    }

    /// The sentence on what binds: `binds: p95 wait of queue `critical` at 580.2 s (upper
    /// 95% bound over 10 seeds; mean 561.3 s), bound 600 s`.
    pub fn sentence(&self, problem: &Problem) -> String {
        let Some(b) = self.best else {
            return format!(
                "no feasible set-up among the {} evaluated point{}",
                self.points.len(),
                if self.points.len() == 1 { "" } else { "s" }
            );
        };
        let Some(j) = self.binding else {
            return if problem.constraints.is_empty() {
                "nothing binds: no constraint".into()
            } else {
                "nothing binds: no evaluated point with a better objective fails a constraint".into()
            };
        };
        let c = &problem.constraints[j];
        let e = &self.points[b].constraints[j];
        let q = &c.quantity;
        let value = c.compared(e).map_or("-".into(), |x| q.show(x));
        let mean = e.mean.map_or("-".into(), |x| q.show(x));
        format!(
            "binds: {} at {value} ({} {}% bound over {} seed{}; mean {mean}), bound {} ({})",
            q.describe(),
            c.side(e),
            round6(problem.confidence * 100.0),
            e.runs,
            if e.runs == 1 { "" } else { "s" },
            q.show(c.bound),
            c
        )
    }

    /// The text summary (`batchsim optimize` without `--format json`).
    pub fn to_text(&self, problem: &Problem) -> String {
        let mut o = String::new();
        let seeds = problem.seeds;
        let what = match self.search {
            Search::Bisection => format!(
                "bisection over {}={} (assumes feasibility is monotone in it; checked on the evaluated points)",
                problem.vary[0].path(),
                problem.vary[0].values.text()
            ),
            Search::Grid => format!(
                "grid over {}",
                problem
                    .vary
                    .iter()
                    .map(|v| format!("{}={}", v.path(), v.values.text()))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        };
        let _ = writeln!(
            o,
            "optimize: {what}; {} point{} x {} seed{} ({}..{}), one-sided {}% bounds",
            self.points.len(),
            if self.points.len() == 1 { "" } else { "s" },
            seeds.count(),
            if seeds.count() == 1 { "" } else { "s" },
            seeds.first(),
            seeds.last(),
            round6(problem.confidence * 100.0),
        );
        let shown = self.best.or(self.closest).map(|i| (i, &self.points[i]));
        if let Some((_, p)) = shown {
            let label: Vec<String> = problem
                .vary
                .iter()
                .zip(&p.values)
                .map(|(v, x)| format!("{}={}", v.path(), x.text))
                .collect();
            let _ = writeln!(
                o,
                "{}: {}",
                if self.best.is_some() { "best" } else { "closest" },
                label.join(" ")
            );
            let q = &problem.objective;
            let mean = p.objective.mean.map_or("-".into(), |x| q.show(x));
            let _ = writeln!(o, "  minimize {}: mean {mean}", q.text);
            for ((c, e), h) in problem.constraints.iter().zip(&p.constraints).zip(&p.holds) {
                let show = |x: Option<f64>| x.map_or("-".to_owned(), |x| c.quantity.show(x));
                let missing = if e.complete() {
                    String::new()
                } else {
                    format!(" (a value in {} of {} runs)", e.samples, e.runs)
                };
                let _ = writeln!(
                    o,
                    "  {c}: mean {}, {} bound {}{missing}: {}",
                    show(e.mean),
                    c.side(e),
                    show(c.compared(e)),
                    if *h { "holds" } else { "fails" }
                );
            }
        }
        let _ = writeln!(o, "{}", self.sentence(problem));
        o.push_str(&self.points_text(problem));
        o
    }

    /// The evaluated points as an aligned text table.
    fn points_text(&self, problem: &Problem) -> String {
        let mut rows: Vec<Vec<String>> = Vec::new();
        let mut header = vec!["order".to_owned()];
        header.extend(
            problem
                .vary
                .iter()
                .map(|v| v.setting.last_key().unwrap_or(v.path()).to_owned()),
        );
        header.push("feasible".into());
        header.push(format!("mean {}", problem.objective.text));
        for c in &problem.constraints {
            header.push(format!("{} {}", c.side(&Estimate::of(&[], 0.95)), c.quantity.text));
        }
        rows.push(header);
        for (i, p) in self.points.iter().enumerate() {
            let mut row = vec![p.order.to_string()];
            row.extend(p.values.iter().map(|v| v.text.clone()));
            let mark = if Some(i) == self.best { " (best)" } else { "" };
            row.push(format!("{}{mark}", if p.feasible { "yes" } else { "no" }));
            row.push(p.objective.mean.map_or("-".into(), |x| problem.objective.show(x)));
            for (c, e) in problem.constraints.iter().zip(&p.constraints) {
                row.push(c.compared(e).map_or("-".into(), |x| c.quantity.show(x)));
            }
            rows.push(row);
        }
        let widths: Vec<usize> = (0..rows[0].len())
            .map(|k| rows.iter().map(|r| r[k].chars().count()).max().unwrap_or(0))
            .collect();
        let mut o = String::from("evaluated points, in the order of the values:\n");
        for r in rows {
            let line: Vec<String> = r.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
            let _ = writeln!(o, "  {}", line.join("  ").trim_end());
        }
        o
    }
}

/// The compared bounds of an operator.
fn sides(op: super::Op) -> &'static [&'static str] {
    match op {
        super::Op::Le | super::Op::Lt => &["upper"],
        super::Op::Ge | super::Op::Gt => &["lower"],
        super::Op::Eq => &["upper", "lower"],
    }
}
