//! Summary statistics of a stream of durations: count, mean, percentiles, max.
//!
//! Samples are integer milliseconds. The first [`EXACT_LIMIT`] samples of an accumulator are
//! kept as they are (64 KiB), so small runs get exact percentiles (linear interpolation
//! between closest ranks). Past that the accumulator folds them into a logarithmic histogram
//! whose buckets are 0.5% wide (relative), so a run of any length uses constant memory and
//! every percentile stays within 1% relative error ("Percentiles are exact or within 1%
//! relative error", CONTRACT section 4). Count, mean and max are always exact.
//!
//! Memory is bounded per statistic at 64 KiB (issue 13: a report holds one statistic per
//! queue and per share, and 131,072 exact samples each took 100 MiB over 100 queues): the
//! exact samples never grow past [`EXACT_LIMIT`] (the vector is not let double past it), and
//! the histogram of any run's times (they stop near 2^50 ms) has at most 3,500 buckets of 8
//! bytes, 28 KiB.

use serde::Serialize;

/// Samples kept exactly before an accumulator switches to the bounded-memory histogram:
/// 8,192 samples of 8 bytes, 64 KiB (131,072 before issue 13 bounded a statistic's memory).
pub const EXACT_LIMIT: usize = 1 << 13;

/// Relative half-width of a histogram bucket.
const ALPHA: f64 = 0.005;

/// Count, mean, percentiles and max of a set of durations, in seconds (CONTRACT section 4).
///
/// With no sample (`count` 0) every figure is `None` (`null` in the JSON report, `-` in the
/// text summary and the sweep tables): an empty set has no mean, no percentile and no max,
/// and must not read as a perfect zero.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Stats {
    /// Number of samples.
    pub count: u64,
    /// Arithmetic mean (`None` when there are no samples).
    pub mean: Option<f64>,
    /// Median (`None` when there are no samples).
    pub p50: Option<f64>,
    /// 90th percentile (`None` when there are no samples).
    pub p90: Option<f64>,
    /// 95th percentile (`None` when there are no samples).
    pub p95: Option<f64>,
    /// 99th percentile (`None` when there are no samples).
    pub p99: Option<f64>,
    /// Largest sample (`None` when there are no samples).
    pub max: Option<f64>,
}

impl Stats {
    /// True when there is no sample (every figure is `None`).
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

/// A wait block of the report (the run's `waitSeconds`, each queue's and each share's): the
/// [`Stats`] of the waits of jobs dispatched at least once, and the jobs that became RUNNABLE
/// but were never dispatched, still waiting when the run stopped (they have no wait sample).
///
/// In JSON the [`Stats`] keys come first, then `neverStarted` and `oldestWaitSeconds`
/// (additions to CONTRACT section 4's `Stats`).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WaitStats {
    /// Waits of the jobs dispatched at least once: first dispatch minus first RUNNABLE.
    #[serde(flatten)]
    pub stats: Stats,
    /// Jobs that became RUNNABLE and were never dispatched (still waiting at the end).
    pub never_started: u64,
    /// How long the oldest of the `never_started` jobs had waited when the run stopped: end
    /// time minus its first RUNNABLE time, in seconds (`None` when `never_started` is 0).
    pub oldest_wait_seconds: Option<f64>,
}

/// Collects duration samples (milliseconds) and summarises them as [`Stats`].
#[derive(Clone, Debug, Default)]
pub struct StatsAccumulator {
    count: u64,
    sum_ms: u128,
    max_ms: u64,
    exact: Vec<u64>,
    sketch: Option<Sketch>,
}

impl StatsAccumulator {
    /// An empty accumulator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one sample.
    pub fn record(&mut self, ms: u64) {
        self.count += 1;
        self.sum_ms += u128::from(ms);
        self.max_ms = self.max_ms.max(ms);
        match &mut self.sketch {
            Some(s) => s.add(ms),
            None if self.exact.len() < EXACT_LIMIT => self.exact.push(ms),
            None => {
                // Full (64 KiB, the vector never grew past it): the histogram takes over.
                let mut s = Sketch::default();
                for &v in &self.exact {
                    s.add(v);
                }
                s.add(ms);
                self.exact = Vec::new();
                self.sketch = Some(s);
            }
        }
    }

    /// Number of samples so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Bytes the accumulator holds on the heap (its samples or its histogram).
    #[cfg(test)]
    fn heap_bytes(&self) -> usize {
        let sketch = self.sketch.as_ref().map_or(0, |s| s.buckets.capacity() * 8);
        self.exact.capacity() * 8 + sketch
    }

    /// The samples' quantiles at the probabilities `ps` (each in 0..=1), in seconds, with the
    /// same interpolation and accuracy as [`StatsAccumulator::stats`]; all 0 when there are
    /// no samples. Sorts once for the whole list.
    pub fn quantiles(&self, ps: &[f64]) -> Vec<f64> {
        if self.count == 0 {
            return vec![0.0; ps.len()];
        }
        let clamp = |p: f64| if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) };
        match &self.sketch {
            Some(s) => ps.iter().map(|&p| s.quantile(clamp(p), self.count) / 1000.0).collect(),
            None => {
                let mut sorted = self.exact.clone();
                sorted.sort_unstable();
                ps.iter().map(|&p| exact_quantile(&sorted, clamp(p)) / 1000.0).collect()
            }
        }
    }

    /// The summary, in seconds (every figure `None` when there are no samples).
    pub fn stats(&self) -> Stats {
        if self.count == 0 {
            return Stats::default();
        }
        let secs = |ms: f64| ms / 1000.0;
        let pct: Box<dyn Fn(f64) -> f64> = match &self.sketch {
            Some(s) => Box::new(move |p| s.quantile(p, self.count)),
            None => {
                let mut sorted = self.exact.clone();
                sorted.sort_unstable();
                Box::new(move |p| exact_quantile(&sorted, p))
            }
        };
        Stats {
            count: self.count,
            mean: Some(secs(self.sum_ms as f64 / self.count as f64)),
            p50: Some(secs(pct(0.50))),
            p90: Some(secs(pct(0.90))),
            p95: Some(secs(pct(0.95))),
            p99: Some(secs(pct(0.99))),
            max: Some(secs(self.max_ms as f64)),
        }
    }
}

/// Linear interpolation between closest ranks over sorted samples: `h = (n-1) p`.
fn exact_quantile(sorted: &[u64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    let (a, b) = (sorted[lo] as f64, sorted[hi] as f64);
    a + (h - lo as f64) * (b - a)
}

/// Logarithmic histogram: bucket `i` holds values in `(g^(i-1), g^i]`, `g = (1+a)/(1-a)`;
/// a bucket's representative `2 g^i / (g + 1)` is within `a` of everything in it. Zero is
/// counted apart, exactly.
#[derive(Clone, Debug, Default)]
struct Sketch {
    zeros: u64,
    buckets: Vec<u64>,
}

fn gamma() -> f64 {
    (1.0 + ALPHA) / (1.0 - ALPHA)
}

/// `1 / ln(gamma)`, computed once.
fn inv_ln_gamma() -> f64 {
    static V: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *V.get_or_init(|| 1.0 / gamma().ln())
}

/// Samples from here up take the bucket formula itself (never reached by a run: times stop
/// at about 2^50 ms).
const FAST_LIMIT: u64 = 1 << 53;

/// What makes [`Sketch::index`] a table lookup instead of a logarithm, with the same answer.
struct IndexTable {
    /// `lo[i]`: the smallest sample whose bucket is at least `i` (`u64::MAX` past the last).
    lo: Vec<u64>,
    /// Per octave `e` and top eight mantissa bits `j`: the bucket of the smallest integer at
    /// least `2^e (1 + j/256)`. A cell spans well under one bucket (`1/256` of an octave
    /// against `ln 2 / ln gamma`, about 69 buckets per octave).
    cell: Vec<u16>,
}

impl IndexTable {
    fn get() -> &'static IndexTable {
        static T: std::sync::OnceLock<IndexTable> = std::sync::OnceLock::new();
        T.get_or_init(IndexTable::build)
    }

    /// About two logarithms per bucket and one per cell, once per process.
    fn build() -> IndexTable {
        let last = Sketch::formula_index(FAST_LIMIT - 1);
        let mut lo = vec![1u64; last + 2];
        for (i, slot) in lo.iter_mut().enumerate().skip(1).take(last) {
            let estimate = ((i as f64 - 1.0) / inv_ln_gamma()).exp() as u64;
            let mut x = estimate.clamp(1, FAST_LIMIT - 1);
            while x > 1 && Sketch::formula_index(x - 1) >= i {
                x -= 1;
            }
            while Sketch::formula_index(x) < i {
                x += 1;
            }
            *slot = x;
        }
        lo[last + 1] = u64::MAX;
        let mut cell = Vec::with_capacity(53 * 256);
        for e in 0..53u32 {
            for j in 0..256u64 {
                let first = ((256 + j) << e).div_ceil(256);
                cell.push(Sketch::formula_index(first.min(FAST_LIMIT - 1)) as u16);
            }
        }
        IndexTable { lo, cell }
    }
}

impl Sketch {
    /// The bucket of a sample: `ceil(ln(ms) / ln(gamma))`.
    fn formula_index(ms: u64) -> usize {
        ((ms as f64).ln() * inv_ln_gamma()).ceil().max(0.0) as usize
    }

    /// [`Sketch::formula_index`] without the logarithm: the cell of the sample's octave and
    /// leading bits gives the bucket or the one below it, and the boundaries say which.
    fn index(ms: u64) -> usize {
        if ms == 0 || ms >= FAST_LIMIT {
            return Self::formula_index(ms);
        }
        let t = IndexTable::get();
        let e = 63 - ms.leading_zeros();
        let j = if e >= 8 { ms >> (e - 8) } else { ms << (8 - e) } & 255;
        let mut i = usize::from(t.cell[(e as usize) << 8 | j as usize]);
        while t.lo[i + 1] <= ms {
            i += 1;
        }
        i
    }

    fn value(index: usize) -> f64 {
        let g = gamma();
        (2.0 * g.powi(index as i32) / (g + 1.0)).max(1.0)
    }

    #[inline]
    fn add(&mut self, ms: u64) {
        if ms == 0 {
            self.zeros += 1;
            return;
        }
        let i = Self::index(ms);
        match self.buckets.get_mut(i) {
            Some(b) => *b += 1,
            None => self.grow_to(i),
        }
    }

    /// The first sample in bucket `i` past the buckets so far (rare: the vector grows to the
    /// largest bucket seen).
    #[cold]
    fn grow_to(&mut self, i: usize) {
        self.buckets.resize(i + 1, 0);
        self.buckets[i] = 1;
    }

    /// The value of the sample at 0-based rank `r`.
    fn at_rank(&self, r: u64) -> f64 {
        if r < self.zeros {
            return 0.0;
        }
        let mut seen = self.zeros;
        for (i, &c) in self.buckets.iter().enumerate() {
            seen += c;
            if r < seen {
                return Self::value(i);
            }
        }
        self.buckets.len().checked_sub(1).map_or(0.0, Self::value)
    }

    fn quantile(&self, p: f64, count: u64) -> f64 {
        let h = (count - 1) as f64 * p;
        let (lo, hi) = (h.floor() as u64, h.ceil() as u64);
        let (a, b) = (self.at_rank(lo), self.at_rank(hi));
        a + (h - lo as f64) * (b - a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The table lookup gives the formula's bucket, at bucket edges too.
        #[test]
        fn table_index_is_the_formula(ms in 1u64..FAST_LIMIT, small in 1u64..100_000, edge in 0usize..3_000) {
            prop_assert_eq!(Sketch::index(ms), Sketch::formula_index(ms));
            prop_assert_eq!(Sketch::index(small), Sketch::formula_index(small));
            let lo = &IndexTable::get().lo;
            let x = lo[edge.min(lo.len() - 2)];
            for v in [x.saturating_sub(1).max(1), x, x + 1] {
                prop_assert_eq!(Sketch::index(v), Sketch::formula_index(v));
            }
        }
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "200,000 look-ups: too slow for Miri; quantiles_match_the_summary and the sketch property test use the table"
    )]
    fn table_index_matches_on_every_small_sample() {
        for ms in 1..200_000 {
            assert_eq!(Sketch::index(ms), Sketch::formula_index(ms), "{ms}");
        }
        assert_eq!(Sketch::index(FAST_LIMIT - 1), Sketch::formula_index(FAST_LIMIT - 1));
    }

    #[test]
    fn empty_has_no_figures() {
        let s = StatsAccumulator::new().stats();
        assert_eq!(s, Stats::default());
        assert!(s.is_empty());
        assert_eq!(
            (s.mean, s.p50, s.p90, s.p95, s.p99, s.max),
            (None, None, None, None, None, None)
        );
        let json = serde_json::to_value(&s).expect("serialise");
        assert_eq!(
            json,
            serde_json::json!({"count": 0, "mean": null, "p50": null, "p90": null,
                               "p95": null, "p99": null, "max": null})
        );
    }

    #[test]
    fn wait_block_flattens_the_stats_and_adds_the_never_started_jobs() {
        let mut acc = StatsAccumulator::new();
        acc.record(2_500);
        let w = WaitStats {
            stats: acc.stats(),
            never_started: 3,
            oldest_wait_seconds: Some(60.0),
        };
        let json = serde_json::to_string(&w).expect("serialise");
        assert_eq!(
            json,
            r#"{"count":1,"mean":2.5,"p50":2.5,"p90":2.5,"p95":2.5,"p99":2.5,"max":2.5,"neverStarted":3,"oldestWaitSeconds":60.0}"#
        );
        let empty = serde_json::to_string(&WaitStats::default()).expect("serialise");
        assert_eq!(
            empty,
            r#"{"count":0,"mean":null,"p50":null,"p90":null,"p95":null,"p99":null,"max":null,"neverStarted":0,"oldestWaitSeconds":null}"#
        );
    }

    #[test]
    fn exact_percentiles_interpolate_between_closest_ranks() {
        let mut acc = StatsAccumulator::new();
        for ms in [0, 10_000, 20_000, 30_000, 40_000] {
            acc.record(ms);
        }
        let s = acc.stats();
        assert_eq!(s.count, 5);
        assert_eq!(s.mean, Some(20.0));
        assert_eq!(s.p50, Some(20.0));
        let near = |got: Option<f64>, want: f64| got.is_some_and(|g| (g - want).abs() < 1e-9);
        assert!(near(s.p90, 36.0), "{:?}", s.p90);
        assert!(near(s.p95, 38.0), "{:?}", s.p95);
        assert!(near(s.p99, 39.6), "{:?}", s.p99);
        assert_eq!(s.max, Some(40.0));
    }

    #[test]
    fn quantiles_match_the_summary() {
        let mut acc = StatsAccumulator::new();
        assert_eq!(acc.quantiles(&[0.0, 1.0]), vec![0.0, 0.0]);
        for ms in [0, 10_000, 20_000, 30_000, 40_000] {
            acc.record(ms);
        }
        let q = acc.quantiles(&[0.0, 0.5, 0.95, 1.0]);
        let s = acc.stats();
        assert_eq!(q, vec![0.0, s.p50.unwrap(), s.p95.unwrap(), s.max.unwrap()]);
    }

    #[test]
    fn single_sample_is_every_percentile() {
        let mut acc = StatsAccumulator::new();
        acc.record(1_500);
        let s = acc.stats();
        assert_eq!(
            (s.p50, s.p99, s.max, s.mean),
            (Some(1.5), Some(1.5), Some(1.5), Some(1.5))
        );
    }

    /// Issue 13: at most 64 KiB per statistic, at any count, for times up to the largest a
    /// scenario reaches (2^50 ms), in either phase.
    #[test]
    #[cfg_attr(miri, ignore = "a million samples: too slow for Miri")]
    fn a_statistic_holds_at_most_64_kib() {
        let mut acc = StatsAccumulator::new();
        let mut most = 0;
        for i in 0..1_000_000u64 {
            // Over every octave up to 2^50 ms, so that every bucket is used.
            acc.record(i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 14);
            if i % 1000 == 0 || i as usize == EXACT_LIMIT - 1 {
                most = most.max(acc.heap_bytes());
            }
        }
        most = most.max(acc.heap_bytes());
        assert!(most <= 64 * 1024, "{most} bytes");
        assert!(
            acc.sketch.as_ref().is_some_and(|s| s.buckets.len() > 3_000),
            "every bucket used"
        );
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "three times the exact limit of samples: too slow for Miri; the sketch property test covers the same code"
    )]
    fn sketch_takes_over_past_the_exact_limit_within_one_percent() {
        let mut acc = StatsAccumulator::new();
        let n = EXACT_LIMIT as u64 * 3;
        // A deterministic spread over five decades, with a block of zeros.
        let sample = |i: u64| if i % 10 == 0 { 0 } else { (i * 7919) % 10_000_000 };
        let mut all: Vec<u64> = (0..n).map(sample).collect();
        for &v in &all {
            acc.record(v);
        }
        assert!(acc.sketch.is_some() && acc.exact.is_empty());
        all.sort_unstable();
        let s = acc.stats();
        for (got, p) in [(s.p50, 0.5), (s.p90, 0.9), (s.p95, 0.95), (s.p99, 0.99)] {
            let (got, want) = (got.expect("samples"), exact_quantile(&all, p) / 1000.0);
            assert!((got - want).abs() <= 0.01 * want, "p{p}: got {got}, want {want}");
        }
        assert_eq!(s.count, n);
        assert_eq!(s.max, Some(*all.last().unwrap() as f64 / 1000.0));
    }

    proptest! {
        #[test]
        fn sketch_quantiles_are_within_one_percent(values in proptest::collection::vec(0u64..10_000_000_000, 1..400),
                                                   p in 0.0f64..=1.0) {
            let mut sk = Sketch::default();
            for &v in &values { sk.add(v); }
            let mut sorted = values.clone();
            sorted.sort_unstable();
            let want = exact_quantile(&sorted, p);
            let got = sk.quantile(p, values.len() as u64);
            prop_assert!((got - want).abs() <= 0.01 * want + 1.0, "got {} want {}", got, want);
        }
    }
}
