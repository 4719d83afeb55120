//! A sweep's table: one row per run, written as CSV, JSON or JSON lines, and the mean with
//! its 95% confidence interval over seeds per combination.

use super::columns::{resolve, Column, ColumnSpec, Figure};
use super::{Grid, Row, Setting, Sweep};
use serde_json::{Map, Value};
use std::fmt::Write as _;

/// How a table is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// A header line, then one line per run; empty figures are `-`.
    Csv,
    /// One JSON array of one object per run; empty figures are `null`.
    Json,
    /// One JSON object per line; empty figures are `null`.
    Jsonl,
}

/// The rows of a sweep under chosen columns.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// The settings (one column each after `seed`).
    pub settings: Vec<Setting>,
    /// The figure columns.
    pub columns: Vec<Column>,
    /// The rows, in run order.
    pub rows: Vec<TableRow>,
}

/// One row of a [`Table`].
#[derive(Clone, Debug, PartialEq)]
pub struct TableRow {
    /// The run's seed.
    pub seed: u64,
    /// The combination (index into the sweep's combinations).
    pub combination: usize,
    /// Which value of each setting.
    pub values: Vec<usize>,
    /// One figure per column.
    pub figures: Vec<Figure>,
}

/// The mean of a column over the seeds of one combination.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    /// Mean of the runs that have the figure (`None`: none has it).
    pub mean: Option<f64>,
    /// Half-width of the 95% confidence interval (Student t); `None` under two samples.
    pub half_width: Option<f64>,
    /// Runs that have the figure.
    pub samples: usize,
    /// Runs of the combination.
    pub runs: usize,
}

/// `x` rounded to 6 decimals (microseconds, micro-dollars): printed in the shortest form
/// that reads back as that value, without the noise of interpolated percentiles.
pub fn round6(x: f64) -> f64 {
    let r = (x * 1e6).round() / 1e6;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

/// Quotes a CSV cell when needed (RFC 4180).
fn cell(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

impl Table {
    /// The table of `rows` (from `sweep`) under `specs`; `[*]` covers the names of every row.
    pub fn new(sweep: &Sweep, rows: &[Row], specs: &[ColumnSpec]) -> Table {
        Table::of_grid(sweep.grid(), rows, specs)
    }

    /// The table of `rows` (runs of `grid`) under `specs`, as [`Table::new`]: for rows read
    /// back without their scenario (`batchsim merge`).
    pub fn of_grid(sweep: &Grid, rows: &[Row], specs: &[ColumnSpec]) -> Table {
        let figures: Vec<_> = rows.iter().map(|r| &r.figures).collect();
        let columns = resolve(specs, &figures);
        let rows = rows
            .iter()
            .map(|r| TableRow {
                seed: r.seed,
                combination: r.combination,
                values: sweep.combination(r.combination).to_vec(),
                figures: columns.iter().map(|c| c.value(&r.figures)).collect(),
            })
            .collect();
        Table {
            settings: sweep.settings().to_vec(),
            columns,
            rows,
        }
    }

    /// The header cells: `seed`, the settings' paths, the columns.
    pub fn header(&self) -> Vec<String> {
        std::iter::once("seed".to_owned())
            .chain(self.settings.iter().map(|s| s.path_text.clone()))
            .chain(self.columns.iter().map(Column::name))
            .collect()
    }

    /// The table in `format`.
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Csv => self.to_csv(),
            Format::Json => {
                let rows: Vec<String> = self.objects().map(|o| format!("  {}", Value::Object(o))).collect();
                if rows.is_empty() {
                    "[]\n".into()
                } else {
                    format!("[\n{}\n]\n", rows.join(",\n"))
                }
            }
            Format::Jsonl => self.objects().map(|o| format!("{}\n", Value::Object(o))).collect(),
        }
    }

    /// CSV: a header, then one line per run; empty figures are `-`.
    pub fn to_csv(&self) -> String {
        let mut o = String::new();
        let header: Vec<String> = self.header().iter().map(|h| cell(h)).collect();
        o.push_str(&header.join(","));
        o.push('\n');
        for r in &self.rows {
            let _ = write!(o, "{}", r.seed);
            for (s, &v) in self.settings.iter().zip(&r.values) {
                let _ = write!(o, ",{}", cell(&s.values[v].text));
            }
            for f in &r.figures {
                match f {
                    Figure::Count(n) => {
                        let _ = write!(o, ",{n}");
                    }
                    Figure::Number(x) => {
                        let _ = write!(o, ",{}", round6(*x));
                    }
                    Figure::Empty => o.push_str(",-"),
                }
            }
            o.push('\n');
        }
        o
    }

    /// One JSON object per row: `seed`, each setting's path with its value (JSON), each
    /// column with its figure (`null` when empty).
    fn objects(&self) -> impl Iterator<Item = Map<String, Value>> + '_ {
        let names: Vec<String> = self.columns.iter().map(Column::name).collect();
        self.rows.iter().map(move |r| {
            let mut o = Map::new();
            o.insert("seed".into(), r.seed.into());
            for (s, &v) in self.settings.iter().zip(&r.values) {
                o.insert(s.path_text.clone(), s.values[v].json.clone());
            }
            for (name, f) in names.iter().zip(&r.figures) {
                let v = match f {
                    Figure::Count(n) => Value::from(*n),
                    Figure::Number(x) => serde_json::Number::from_f64(round6(*x)).map_or(Value::Null, Value::Number),
                    Figure::Empty => Value::Null,
                };
                o.insert(name.clone(), v);
            }
            o
        })
    }

    /// Per combination (in order), the interval of column `column` over its runs.
    pub fn intervals(&self, column: usize, combinations: usize) -> Vec<Interval> {
        (0..combinations)
            .map(|c| {
                let of_combination: Vec<&TableRow> = self.rows.iter().filter(|r| r.combination == c).collect();
                let xs: Vec<f64> = of_combination
                    .iter()
                    .filter_map(|r| r.figures.get(column).and_then(|f| f.as_f64()))
                    .collect();
                let (mean, half_width) = mean_ci(&xs);
                Interval {
                    mean,
                    half_width,
                    samples: xs.len(),
                    runs: of_combination.len(),
                }
            })
            .collect()
    }
}

/// The 97.5% quantile of Student's t with `df` degrees of freedom (two-sided 95%).
pub fn t_975(df: u64) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::NAN,
        1..=30 => TABLE[df as usize - 1],
        _ => {
            // Cornish-Fisher expansion around the normal quantile (error < 1e-4 past 30 df).
            let z: f64 = 1.959_963_984_540_054;
            let n = df as f64;
            let g1 = (z.powi(3) + z) / 4.0;
            let g2 = (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / 96.0;
            let g3 = (3.0 * z.powi(7) + 19.0 * z.powi(5) + 17.0 * z.powi(3) - 15.0 * z) / 384.0;
            z + g1 / n + g2 / (n * n) + g3 / (n * n * n)
        }
    }
}

/// Mean and half-width of the 95% confidence interval (no mean for no sample, no
/// half-width under two).
pub fn mean_ci(xs: &[f64]) -> (Option<f64>, Option<f64>) {
    let n = xs.len();
    if n == 0 {
        return (None, None);
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    if n < 2 {
        return (Some(mean), None);
    }
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    (Some(mean), Some(t_975(n as u64 - 1) * (var / n as f64).sqrt()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_rounded_to_micro_units() {
        assert_eq!(round6(2368.3911000000003).to_string(), "2368.3911");
        assert_eq!(round6(1.0).to_string(), "1");
        assert_eq!(round6(-0.0000001).to_string(), "0");
        assert_eq!(round6(65.23205987222215).to_string(), "65.23206");
    }

    #[test]
    fn student_t_and_intervals() {
        assert_eq!(t_975(1), 12.706);
        assert!((t_975(31) - 2.0395).abs() < 1e-3, "{}", t_975(31));
        assert!((t_975(120) - 1.9799).abs() < 1e-3);
        assert!((t_975(1_000_000) - 1.95997).abs() < 1e-4);
        let (m, h) = mean_ci(&[1.0, 2.0, 3.0]);
        assert_eq!(m, Some(2.0));
        // s = 1, t(2) = 4.303, n = 3.
        assert!((h.unwrap() - 4.303 / 3f64.sqrt()).abs() < 1e-9);
        assert_eq!(mean_ci(&[5.0]), (Some(5.0), None));
        assert_eq!(mean_ci(&[]), (None, None));
    }

    #[test]
    fn cells_are_quoted_when_needed() {
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"x\""), "\"say \"\"x\"\"\"");
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("[1,\"a\"]"), "\"[1,\"\"a\"\"]\"");
    }
}
