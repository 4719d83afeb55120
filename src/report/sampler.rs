//! The chart's sampler: step-function series observed at every step of a run (queue depths,
//! vCPUs in use, dollars so far) turned into at most a fixed number of time buckets, each
//! holding the series' maximum and time-weighted mean over the bucket, so peaks survive and
//! memory stays bounded however long the run is. Pure (no I/O); [`super::plot`] draws what
//! it hands over.

/// Buckets a [`MaxSampler`] keeps by default at the end of a run (per series).
pub const DEFAULT_MAX_POINTS: usize = 2000;

/// Max-preserving downsampler of several step-function series sharing one time axis.
///
/// A value recorded at time `t` holds until the next record. Time is cut into buckets of
/// equal width (a power of two of milliseconds); each bucket keeps, per series, the largest
/// value held at any moment inside it, and its time-weighted mean. When the buckets would
/// reach twice the requested number, neighbours are merged pairwise (the maximum of the two,
/// the sum of their integrals) and the width doubles, so memory is `O(series x max_points)`
/// for a run of any length, and every peak is kept (the test `a_spike_survives_merging`).
#[derive(Clone, Debug)]
pub struct MaxSampler {
    series: usize,
    max_points: usize,
    width_ms: u64,
    /// Bucket maxima, bucket-major: bucket `k`, series `i` at `k * series + i`.
    buckets: Vec<f64>,
    /// Integrals (value x ms) over each bucket, laid out like `buckets`.
    sums: Vec<f64>,
    current: Vec<f64>,
    last_ms: u64,
}

/// What a [`MaxSampler`] hands over: per series, one maximum per bucket.
#[derive(Clone, Debug, PartialEq)]
pub struct Sampled {
    /// Width of a bucket, in seconds (bucket `k` covers `[k w, (k+1) w)`).
    pub bucket_seconds: f64,
    /// The end of the observed period, in seconds (the last bucket may stop short of its width).
    pub end_seconds: f64,
    /// Per series (in the order of [`MaxSampler::record`]'s values), the maximum of each bucket.
    pub series: Vec<Vec<f64>>,
    /// Per series, the time-weighted mean of each bucket (over its part before the end).
    pub means: Vec<Vec<f64>>,
}

impl MaxSampler {
    /// A sampler of `series` series (all 0 until first recorded) that returns at most
    /// `max_points` buckets per series (at least 2).
    pub fn new(series: usize, max_points: usize) -> MaxSampler {
        MaxSampler {
            series,
            max_points: max_points.max(2),
            width_ms: 1,
            buckets: Vec::new(),
            sums: Vec::new(),
            current: vec![0.0; series],
            last_ms: 0,
        }
    }

    fn len(&self) -> usize {
        self.buckets.len().checked_div(self.series).unwrap_or(0)
    }

    /// Merges buckets pairwise and doubles the width.
    fn coarsen(&mut self) {
        let n = self.series;
        let len = self.len();
        let mut merged = Vec::with_capacity(len.div_ceil(2) * n);
        let mut sums = Vec::with_capacity(len.div_ceil(2) * n);
        for pair in 0..len.div_ceil(2) {
            for i in 0..n {
                let (a, b) = (2 * pair * n + i, (2 * pair + 1) * n + i);
                let max_b = self.buckets.get(b).copied().unwrap_or(f64::NEG_INFINITY);
                merged.push(self.buckets[a].max(max_b));
                sums.push(self.sums[a] + self.sums.get(b).copied().unwrap_or(0.0));
            }
        }
        self.buckets = merged;
        self.sums = sums;
        // Saturating: a record near `u64::MAX` ms must not wrap the width to 0.
        self.width_ms = self.width_ms.saturating_mul(2);
    }

    /// Makes the bucket holding `t_ms` exist (coarsening if needed); returns its index. New
    /// buckets start with the values held into them; with `changes_at_t`, the bucket of
    /// `t_ms` only counts them if they held for part of it (`t_ms` is not its start).
    fn reach(&mut self, t_ms: u64, changes_at_t: bool) -> usize {
        let cap = 2 * self.max_points as u64;
        while t_ms / self.width_ms >= cap {
            self.coarsen();
        }
        let k = (t_ms / self.width_ms) as usize;
        let n = self.series;
        while self.len() < k {
            self.buckets.extend_from_slice(&self.current);
        }
        if self.len() == k {
            if changes_at_t && t_ms % self.width_ms == 0 {
                self.buckets.resize((k + 1) * n, f64::NEG_INFINITY);
            } else {
                self.buckets.extend_from_slice(&self.current);
            }
        }
        self.sums.resize(self.buckets.len(), 0.0);
        k
    }

    /// Adds the held values over `[from, to)` to the buckets' integrals (which must exist).
    fn integrate(&mut self, from: u64, to: u64) {
        let (w, n) = (self.width_ms, self.series);
        let mut s = from;
        while s < to {
            let k = (s / w) as usize;
            // The bucket's end, or `to` when it lies past `u64::MAX` (no wrap: a wrapped end
            // before `s` never advanced the loop).
            let e = (k as u64 + 1).checked_mul(w).map_or(to, |b| b.min(to));
            let d = (e - s) as f64;
            for (sum, v) in self.sums[k * n..(k + 1) * n].iter_mut().zip(&self.current) {
                *sum += v * d;
            }
            s = e;
        }
    }

    /// Records the series' values from time `t_ms` on (milliseconds; a time earlier than the
    /// previous record counts as that time). `values` has one value per series.
    pub fn record(&mut self, t_ms: u64, values: &[f64]) {
        debug_assert_eq!(values.len(), self.series);
        let t = t_ms.max(self.last_ms);
        let from = self.last_ms;
        self.last_ms = t;
        if self.series == 0 {
            return;
        }
        let k = self.reach(t, true);
        self.integrate(from, t);
        let n = self.series;
        for (i, &v) in values.iter().enumerate().take(n) {
            let b = &mut self.buckets[k * n + i];
            *b = b.max(v);
            self.current[i] = v;
        }
    }

    /// Ends the observation at `end_ms` and returns at most `max_points` buckets per series.
    pub fn finish(mut self, end_ms: u64) -> Sampled {
        let end = end_ms.max(self.last_ms);
        if self.series > 0 {
            // The bucket holding the last instant with a duration.
            self.reach(end.saturating_sub(1).max(self.last_ms), false);
            self.integrate(self.last_ms, end);
            while self.len() > self.max_points {
                self.coarsen();
            }
        }
        let (n, w) = (self.series, self.width_ms);
        let len = self.len();
        let series = (0..n)
            .map(|i| (0..len).map(|k| self.buckets[k * n + i]).collect())
            .collect();
        let means = (0..n)
            .map(|i| {
                (0..len)
                    .map(|k| {
                        let start = (k as u64).saturating_mul(w);
                        let dur = (k as u64 + 1).saturating_mul(w).min(end).saturating_sub(start);
                        if dur == 0 {
                            self.buckets[k * n + i]
                        } else {
                            self.sums[k * n + i] / dur as f64
                        }
                    })
                    .collect()
            })
            .collect();
        Sampled {
            bucket_seconds: w as f64 / 1000.0,
            end_seconds: end as f64 / 1000.0,
            series,
            means,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Four buckets over 1,000 records: the one 50 among 1s is still the maximum after the
    /// merges (the example that was this type's doc test before the module became internal).
    #[test]
    fn a_spike_survives_merging() {
        let mut s = MaxSampler::new(1, 4);
        for t in 0..1000 {
            // A single spike to 50 at t = 333 ms, 1 elsewhere.
            s.record(t, &[if t == 333 { 50.0 } else { 1.0 }]);
        }
        let out = s.finish(1000);
        assert!(out.series[0].len() <= 4);
        assert_eq!(out.series[0].iter().cloned().fold(0.0, f64::max), 50.0);
    }

    /// Issue 16: a record near `u64::MAX` ms (a Poisson stream with a tiny rate) wrapped a
    /// bucket's end and `integrate` never ended.
    #[test]
    fn max_sampler_ends_on_times_near_u64_max() {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut s = MaxSampler::new(1, 100);
            s.record(0, &[1.0]);
            s.record(u64::MAX / 4, &[2.0]);
            s.record(u64::MAX - 5, &[3.0]);
            let _ = tx.send(s.finish(u64::MAX));
        });
        let out = rx
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("finish returns");
        assert!(out.series[0].len() <= 100);
        assert_eq!(out.series[0].iter().copied().fold(f64::MIN, f64::max), 3.0);
        assert_eq!(out.series[0][0], 1.0);
        assert!(
            out.means[0].iter().all(|m| m.is_finite() && (0.0..=3.0).contains(m)),
            "{:?}",
            out.means
        );
        assert_eq!(out.end_seconds, u64::MAX as f64 / 1000.0);
    }

    #[test]
    fn sampler_keeps_peaks_and_bounds_points() {
        let mut s = MaxSampler::new(2, 100);
        // One hour of steps every 10 ms; series 0 spikes once, series 1 is a ramp.
        let n = 360_000u64;
        for k in 0..n {
            let t = k * 10;
            s.record(t, &[if k == 123_457 { 999.0 } else { 1.0 }, k as f64]);
        }
        let out = s.finish(n * 10);
        assert!(
            out.series[0].len() <= 100 && out.series[0].len() >= 50,
            "{}",
            out.series[0].len()
        );
        assert_eq!(out.series[0].iter().cloned().fold(0.0, f64::max), 999.0);
        assert_eq!(out.series[0].iter().filter(|&&v| v == 999.0).count(), 1);
        // The ramp's bucket maxima increase and the last one is the last value.
        assert!(out.series[1].windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(*out.series[1].last().unwrap(), (n - 1) as f64);
        assert_eq!(out.end_seconds, 3600.0);
        assert!(out.bucket_seconds * out.series[0].len() as f64 >= 3600.0);
    }

    #[test]
    fn sampler_holds_values_between_records() {
        let mut s = MaxSampler::new(1, 10);
        s.record(0, &[5.0]);
        s.record(8, &[0.0]);
        let out = s.finish(10);
        // 1 ms buckets: 5 held over [0, 8), then 0.
        assert_eq!(out.bucket_seconds, 0.001);
        assert_eq!(out.series[0], vec![5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 0.0, 0.0]);
        assert_eq!(out.means[0], out.series[0]);
    }

    #[test]
    fn sampler_means_are_time_weighted() {
        let mut s = MaxSampler::new(1, 2);
        // 10 over [0, 1000), 0 over [1000, 4000), 8 over [4000, 6000), then 0 to the end.
        s.record(0, &[10.0]);
        s.record(1000, &[0.0]);
        s.record(4000, &[8.0]);
        s.record(6000, &[0.0]);
        let out = s.finish(8000);
        assert_eq!(out.bucket_seconds, 4.096);
        assert_eq!(out.series[0], vec![10.0, 8.0]);
        // [0, 4096): 10 for 1000 ms, 0, then 8 from 4000.
        assert!(
            (out.means[0][0] - (10_000.0 + 8.0 * 96.0) / 4096.0).abs() < 1e-9,
            "{:?}",
            out.means
        );
        // The last bucket stops at the end: [4096, 8000).
        assert!(
            (out.means[0][1] - 8.0 * 1904.0 / 3904.0).abs() < 1e-9,
            "{:?}",
            out.means
        );
    }
}
