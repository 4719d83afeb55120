//! One-sided confidence bounds over seeds (Student t).
//!
//! A figure measured on `n` seeds has mean `m` and sample standard deviation `s`; its
//! one-sided upper bound at confidence `c` is `m + t(c, n - 1) s / sqrt(n)` and its lower
//! bound `m - t(c, n - 1) s / sqrt(n)`, where `t(c, df)` is the `c` quantile of Student's t
//! with `df` degrees of freedom. The seeds are independent replications, so the mean is
//! approximately normal and the bound holds with probability about `c`. With one seed there
//! is no spread to measure: both bounds are the value itself.

/// `ln Γ(x)` for `x > 0` (Lanczos, g = 7, nine terms; relative error under 1e-14).
fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x) Γ(1 - x) = π / sin(π x).
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let t = x + 7.5;
    let sum = G[1..]
        .iter()
        .enumerate()
        .fold(G[0], |acc, (i, g)| acc + g / (x + i as f64 + 1.0));
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// The continued fraction of the regularized incomplete beta function (modified Lentz).
fn beta_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..100_000 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// The regularized incomplete beta function `I_x(a, b)`.
fn incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front = (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln()).exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_fraction(b, a, 1.0 - x) / b
    }
}

/// `P(T <= t)` for Student's t with `df` degrees of freedom.
fn t_cdf(t: f64, df: f64) -> f64 {
    let tail = 0.5 * incomplete_beta(df / 2.0, 0.5, df / (df + t * t));
    if t >= 0.0 {
        1.0 - tail
    } else {
        tail
    }
}

/// The `p` quantile of Student's t with `df` degrees of freedom, for `0.5 <= p < 1` and
/// `df >= 1` (`NaN` otherwise): the `t` with `P(T <= t) = p`, found by bisection to 1e-12.
pub fn t_quantile(p: f64, df: u64) -> f64 {
    if df == 0 || !(0.5..1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.5 {
        return 0.0;
    }
    let df = df as f64;
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    while t_cdf(hi, df) < p && hi < 1e300 {
        hi *= 2.0;
    }
    for _ in 0..2_000 {
        let mid = 0.5 * (lo + hi);
        if t_cdf(mid, df) < p {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-12 * hi.max(1.0) {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// A figure over the seeds of one point: its mean and one-sided bounds.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    /// Mean over the runs that have the figure (`None`: no run has it).
    pub mean: Option<f64>,
    /// One-sided upper confidence bound (the mean itself with one sample).
    pub upper: Option<f64>,
    /// One-sided lower confidence bound (the mean itself with one sample).
    pub lower: Option<f64>,
    /// Runs that have the figure (a statistic of no samples has none).
    pub samples: usize,
    /// Runs of the point (one per seed).
    pub runs: usize,
}

impl Estimate {
    /// The estimate of the per-seed `values` (`None` for a run without the figure) at
    /// `confidence` (0.5 to 1, exclusive of 1).
    pub fn of(values: &[Option<f64>], confidence: f64) -> Estimate {
        let xs: Vec<f64> = values.iter().flatten().copied().collect();
        let n = xs.len();
        let mut e = Estimate {
            mean: None,
            upper: None,
            lower: None,
            samples: n,
            runs: values.len(),
        };
        if n == 0 {
            return e;
        }
        let mean = xs.iter().sum::<f64>() / n as f64;
        let half = if n < 2 {
            0.0
        } else {
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            t_quantile(confidence, n as u64 - 1) * (var / n as f64).sqrt()
        };
        e.mean = Some(mean);
        e.upper = Some(mean + half);
        e.lower = Some(mean - half);
        e
    }

    /// Whether every run has the figure.
    pub fn complete(&self) -> bool {
        self.runs > 0 && self.samples == self.runs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn student_t_quantiles_match_the_tables() {
        // Published one-sided critical values (e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.2).
        for (p, df, want) in [
            (0.95, 1, 6.313_752),
            (0.95, 4, 2.131_847),
            (0.95, 9, 1.833_113),
            (0.975, 9, 2.262_157),
            (0.99, 5, 3.364_930),
            (0.90, 29, 1.311_434),
            (0.95, 100, 1.660_234),
        ] {
            let got = t_quantile(p, df);
            assert!((got - want).abs() < 1e-5, "t({p}, {df}) = {got}, want {want}");
        }
        assert_eq!(t_quantile(0.5, 7), 0.0);
        assert!(t_quantile(1.0, 3).is_nan() && t_quantile(0.95, 0).is_nan() && t_quantile(0.4, 3).is_nan());
        // Far out, t tends to the normal quantile 1.644854.
        assert!((t_quantile(0.95, 1_000_000) - 1.644_854).abs() < 1e-5);
    }

    #[test]
    fn bounds_by_hand() {
        // 10, 12, 14, 16, 18: mean 14, s = sqrt(10), t(0.95, 4) = 2.131847;
        // half-width 2.131847 * sqrt(10) / sqrt(5) = 3.014887.
        let values: Vec<Option<f64>> = [10.0, 12.0, 14.0, 16.0, 18.0].map(Some).to_vec();
        let e = Estimate::of(&values, 0.95);
        assert_eq!(e.mean, Some(14.0));
        assert!((e.upper.unwrap() - 17.014_887).abs() < 1e-5, "{e:?}");
        assert!((e.lower.unwrap() - 10.985_113).abs() < 1e-5, "{e:?}");
        assert!(e.complete());
        // One seed: the value itself. A seed without the figure: incomplete.
        let one = Estimate::of(&[Some(3.0)], 0.95);
        assert_eq!((one.upper, one.lower), (Some(3.0), Some(3.0)));
        let partial = Estimate::of(&[Some(3.0), None], 0.95);
        assert_eq!((partial.samples, partial.runs, partial.complete()), (1, 2, false));
        let none = Estimate::of(&[None], 0.95);
        assert_eq!((none.mean, none.upper), (None, None));
        // Equal values: no spread, the bounds are the mean.
        let flat = Estimate::of(&[Some(0.0), Some(0.0), Some(0.0)], 0.99);
        assert_eq!((flat.upper, flat.lower), (Some(0.0), Some(0.0)));
    }
}
