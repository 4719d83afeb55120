//! The measures of a calibration: wait error statistics, Spearman's rank correlation and
//! the mean difference of two step curves.

use super::WaitErrors;

/// Gathers (recorded, simulated) waits in milliseconds.
#[derive(Default)]
pub(crate) struct WaitErrorsBuilder {
    abs: Vec<f64>,
    rel: Vec<f64>,
    signed: f64,
}

impl WaitErrorsBuilder {
    /// Adds one job's waits.
    pub fn add(&mut self, recorded_ms: i64, simulated_ms: i64) {
        let d = (simulated_ms as f64 - recorded_ms as f64) / 1000.0;
        self.abs.push(d.abs());
        self.rel.push(d.abs() / (recorded_ms as f64 / 1000.0).max(1.0));
        self.signed += d;
    }

    /// The statistics (all 0 without jobs).
    pub fn finish(mut self) -> WaitErrors {
        let n = self.abs.len();
        if n == 0 {
            return WaitErrors::default();
        }
        self.abs.sort_by(f64::total_cmp);
        self.rel.sort_by(f64::total_cmp);
        WaitErrors {
            jobs: n,
            mean_seconds: self.abs.iter().sum::<f64>() / n as f64,
            p50_seconds: nearest_rank(&self.abs, 0.50),
            p95_seconds: nearest_rank(&self.abs, 0.95),
            mean_relative: self.rel.iter().sum::<f64>() / n as f64,
            p50_relative: nearest_rank(&self.rel, 0.50),
            p95_relative: nearest_rank(&self.rel, 0.95),
            bias_seconds: self.signed / n as f64,
        }
    }
}

/// The `q` quantile of sorted, non-empty `v` by nearest rank (the ceil(q n)-th value).
fn nearest_rank(v: &[f64], q: f64) -> f64 {
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[rank - 1]
}

/// Ranks from 1, ties taking their mean rank.
fn ranks(v: &[i64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by_key(|&i| (v[i], i));
    let mut out = vec![0.0; v.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
            j += 1;
        }
        let mean = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            out[k] = mean;
        }
        i = j + 1;
    }
    out
}

/// Spearman's rank correlation of `a` and `b` (the Pearson correlation of their ranks);
/// `None` for fewer than two values or when one side has a single value throughout.
pub(crate) fn spearman(a: &[i64], b: &[i64]) -> Option<f64> {
    if a.len() < 2 || a.len() != b.len() {
        return None;
    }
    let (ra, rb) = (ranks(a), ranks(b));
    let mean = (a.len() as f64 + 1.0) / 2.0;
    let (mut cov, mut va, mut vb) = (0.0, 0.0, 0.0);
    for (x, y) in ra.iter().zip(&rb) {
        cov += (x - mean) * (y - mean);
        va += (x - mean) * (x - mean);
        vb += (y - mean) * (y - mean);
    }
    (va > 0.0 && vb > 0.0).then(|| cov / (va * vb).sqrt())
}

/// Two step curves of intervals `(start, end, height)` (an open end lasts to the last time
/// of either curve): the mean over [0, last time] of their absolute difference, and the
/// mean of the first curve. Both 0 when the span is empty.
pub(crate) fn step_curve_difference(a: &[(i64, Option<i64>, f64)], b: &[(i64, Option<i64>, f64)]) -> (f64, f64) {
    let last = a
        .iter()
        .chain(b)
        .flat_map(|(s, e, _)| [Some(*s), *e])
        .flatten()
        .max()
        .unwrap_or(0);
    if last <= 0 {
        return (0.0, 0.0);
    }
    // (time, change of a, change of b)
    let mut steps: Vec<(i64, f64, f64)> = Vec::with_capacity(2 * (a.len() + b.len()));
    for (s, e, h) in a {
        steps.push(((*s).max(0), *h, 0.0));
        steps.push((e.unwrap_or(last).max(0), -*h, 0.0));
    }
    for (s, e, h) in b {
        steps.push(((*s).max(0), 0.0, *h));
        steps.push((e.unwrap_or(last).max(0), 0.0, -*h));
    }
    steps.sort_by_key(|s| s.0);
    let (mut ha, mut hb, mut t) = (0.0f64, 0.0f64, 0i64);
    let (mut diff, mut area) = (0.0, 0.0);
    for (at, da, db) in steps {
        let dt = at as f64 - t as f64;
        diff += (ha - hb).abs() * dt;
        area += ha * dt;
        t = at;
        ha += da;
        hb += db;
    }
    (diff / last as f64, area / last as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles_and_bias() {
        let mut b = WaitErrorsBuilder::default();
        for (r, s) in [(10_000, 20_000), (0, 0), (100_000, 90_000), (500, 2_500)] {
            b.add(r, s);
        }
        let e = b.finish();
        assert_eq!(e.jobs, 4);
        assert_eq!(e.mean_seconds, (10.0 + 0.0 + 10.0 + 2.0) / 4.0);
        assert_eq!(e.p50_seconds, 2.0, "2nd of [0, 2, 10, 10]");
        assert_eq!(e.p95_seconds, 10.0);
        assert_eq!(e.bias_seconds, (10.0 + 0.0 - 10.0 + 2.0) / 4.0);
        // 0.5 s recorded counts as 1 s: 2 s off is 200%.
        assert_eq!(e.p95_relative, 2.0);
        assert_eq!(WaitErrorsBuilder::default().finish(), WaitErrors::default());
    }

    #[test]
    fn spearman_of_orders_and_ties() {
        assert_eq!(spearman(&[1, 2, 3, 4], &[10, 20, 30, 40]), Some(1.0));
        assert_eq!(spearman(&[1, 2, 3, 4], &[40, 30, 20, 10]), Some(-1.0));
        assert_eq!(ranks(&[5, 1, 5, 3]), vec![3.5, 1.0, 3.5, 2.0]);
        // Two neighbours swapped out of four: 1 - 6 * 2 / (4 * 15) = 0.8.
        let r = spearman(&[1, 2, 3, 4], &[1, 3, 2, 4]).unwrap();
        assert!((r - 0.8).abs() < 1e-12, "{r}");
        assert_eq!(spearman(&[1], &[1]), None);
        assert_eq!(spearman(&[1, 2], &[7, 7]), None);
    }

    #[test]
    fn step_curves_differ_by_their_shift() {
        // 2 vCPUs over [0, 100) against the same over [50, 150): differ 2 on 100 of 150 ms.
        let (d, mean) = step_curve_difference(&[(0, Some(100), 2.0)], &[(50, Some(150), 2.0)]);
        assert!((d - 200.0 / 150.0).abs() < 1e-12, "{d}");
        assert!((mean - 200.0 / 150.0).abs() < 1e-12, "{mean}");
        let same = [(0, Some(10), 1.0), (5, None, 3.0)];
        assert_eq!(step_curve_difference(&same, &same).0, 0.0);
        assert_eq!(step_curve_difference(&[], &[]), (0.0, 0.0));
    }
}
