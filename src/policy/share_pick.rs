//! Fair share's pick without a pass over every share: the best few shares of the last full
//! pass, a certified lower bound for all the others, and the set's log of changed shares.
//!
//! The pick is the share with the lowest `w x (R + H/D)` (ties: the smaller identifier). The
//! full pass ([`QueueView::lowest_weighted_usage`]) costs one score per share with RUNNABLE
//! jobs at every pick, and a pass picks again after each placement: with 1,000 shares that is
//! most of a run. Between two picks few shares change (the one placed, the one whose job
//! ended), and every other score moves only with time, by a bounded amount:
//!
//! - In a view of scale `x` (`1 / e^((now - base)/D)`, falling as time passes) a share's score
//!   is `w (2R + (G - R D e_last) x / D)`: linear in `x`, slope `s = w (G - R D e_last) / D`.
//! - The full pass at `x0` keeps the [`KEEP`] best shares (`top`) and `bound`, the lowest score
//!   of the others. At a later `x1 <= x0` (same base: the set's `stamp`), each other share
//!   scores at least `L = bound - s_max (x0 - x1) - margin`, where `s_max` bounds every
//!   share's `|s|` and `margin` covers the rounding of two evaluations (each within a few
//!   ulps of the terms it sums, whose size `m_max` bounds).
//! - A pick scores the kept shares and the changed ones exactly (the same expression as the
//!   full pass, [`super::runnable::share_score`]) and answers with their best when its score
//!   is below `L`: no other share can be as low, so the answer is the full pass's, bit for
//!   bit. Otherwise, or when the kept shares run out, the set's stamp moved, or too many
//!   shares changed, it does the full pass again.
//!
//! A changed share that stays out of `top` must score at least `L + margin` (then it keeps
//! the bound at any later pick); else it joins `top`.

use super::runnable::{share_score, QueueView, ShareView};

/// Shares a full pass keeps as candidates.
const KEEP: usize = 4;
/// The most candidates a cache holds (kept ones plus changed ones that joined) before a
/// full pass starts afresh.
const MOST: usize = 2 * KEEP;
/// Up to this many shares with RUNNABLE jobs, a pick scores them all (no cache).
const SMALL: usize = 2 * KEEP;
/// Relative rounding allowance: each score is a handful of operations on terms of size at
/// most `m_max`, each rounding within 2^-53 relative, then put on the comparison grid
/// ([`super::runnable::on_grid`]: within 2^-37 of the score, which is at most `m_max / D`);
/// two evaluations take at most 1.5e-11, and 1e-10 leaves a factor of over six.
const ROUNDING: f64 = 1e-10;

/// What one fair-share policy remembers of its last full pass over one set.
#[derive(Clone, Debug, Default)]
pub(super) struct SharePick {
    /// The set ([`super::RunnableSet`] id) and its stamp the cache was made for.
    set: u64,
    stamp: u64,
    /// The set's change log read up to here.
    seen: usize,
    /// The view scale of the full pass (`x0`).
    x0: f64,
    /// The lowest score at `x0` of the shares not in `top` (`+inf` when there are none).
    bound: f64,
    /// Bounds on every share's `|slope|` and on the size of its score's terms, both times
    /// `D` (divided once where the bound is read, not once per share scanned: a positive
    /// divisor keeps the maximum's place, so `s_max / D` is the largest `|slope|` exactly).
    s_max: f64,
    m_max: f64,
    /// Candidate share numbers (the full pass's best, then changed shares that joined):
    /// the first `len` (a fixed array: no allocation per pass).
    top: [u32; MOST],
    len: usize,
    /// The candidates' scores, at view scale `xs` (a pick at the same instant reuses them).
    scores: [f64; MOST],
    xs: f64,
    /// Whether the cache holds a full pass at all.
    valid: bool,
}

/// A share's `|slope|` in `x` and a bound on the size of its score's terms at any view
/// scale up to `x` (`G x`, and `R D (1 - e_last x)` with `0 <= e_last x <= 1`; see the
/// module docs), both times `D`: `|w (G - R D e_last)|` and `w (G x + 4 R D)`.
#[inline(always)]
fn slope_and_size(w: f64, r: f64, g: f64, e_last: f64, x: f64, d: f64) -> (f64, f64) {
    let slope = w * (g - r * d * e_last);
    let size = w * (g.abs() * x + 4.0 * r * d);
    (slope.abs(), size)
}

impl SharePick {
    /// The cache no longer describes any set.
    pub(super) fn clear(&mut self) {
        self.valid = false;
    }

    /// Share `s` leaves the candidates.
    fn forget(&mut self, s: u32) {
        if let Some(at) = self.top[..self.len].iter().position(|&t| t == s) {
            self.top.copy_within(at + 1..self.len, at);
            self.scores.copy_within(at + 1..self.len, at);
            self.len -= 1;
        }
    }

    /// `(score, share)` better than `(b, j)`: lower score, ties to the smaller identifier.
    #[inline]
    fn better(view: &QueueView<'_>, a: (f64, usize), b: (f64, usize)) -> bool {
        let shares = &view.set.shares;
        a.0 < b.0 || (a.0 == b.0 && shares[a.1].identifier < shares[b.1].identifier)
    }

    /// Fair share's pick in `view` (a set tracking decay), with `weight` each share's
    /// weight by number: the same share as [`QueueView::lowest_weighted_usage`].
    pub(super) fn pick<'a>(
        &mut self,
        view: &QueueView<'a>,
        mut weight: impl FnMut(usize) -> f64,
    ) -> Option<ShareView<'a>> {
        let set = view.set;
        let Some(d) = set.decay_ms else {
            return view.lowest_weighted_usage(weight);
        };
        if set.nonempty.len() <= SMALL {
            // A few shares: their scores cost less than the cache's bookkeeping.
            self.valid = false;
            return view.lowest_weighted_usage(weight);
        }
        let x1 = view.inv_scale;
        let reusable = self.valid
            && self.set == set.id()
            && self.stamp == set.stamp
            && self.seen <= set.touched.len()
            && x1 <= self.x0;
        if reusable {
            if let Some(best) = self.reuse(view, d, &mut weight) {
                return Some(view.share_view(best));
            }
        }
        self.full_pass(view, d, &mut weight).map(|i| view.share_view(i))
    }

    /// The pick from the cache, when it can be certified; `None` to do a full pass.
    fn reuse(&mut self, view: &QueueView<'_>, d: f64, weight: &mut impl FnMut(usize) -> f64) -> Option<usize> {
        let set = view.set;
        let x1 = view.inv_scale;
        let changed = &set.touched[self.seen..];
        if changed.len() > KEEP {
            return None;
        }
        // The changed shares, once each: they leave `top` and are scored afresh.
        let mut fresh: [(f64, u32); KEEP] = [(0.0, 0); KEEP];
        let mut n = 0;
        for &s in changed {
            if fresh[..n].iter().any(|&(_, f)| f == s) {
                continue;
            }
            self.forget(s);
            let i = s as usize;
            if set.shares.get(i).is_none_or(|sh| sh.jobs.is_empty()) {
                continue;
            }
            let u = set.usage.get(i)?;
            let w = weight(i);
            let (slope, size) = slope_and_size(w, u.r, u.g, u.e_last, x1, d);
            self.s_max = self.s_max.max(slope);
            self.m_max = self.m_max.max(size);
            fresh[n] = (share_score(w, u, x1, d), s);
            n += 1;
        }
        self.seen = set.touched.len();
        let margin = ROUNDING * (self.m_max / d);
        let low = self.bound - self.s_max / d * (self.x0 - x1) - margin;
        if !low.is_finite() && self.bound.is_finite() {
            return None;
        }
        if x1.to_bits() != self.xs.to_bits() {
            // Time moved: the kept candidates' scores at the new scale.
            for k in 0..self.len {
                let i = self.top[k] as usize;
                self.scores[k] = share_score(weight(i), set.usage.get(i)?, x1, d);
            }
            self.xs = x1;
        }
        for &(score, s) in &fresh[..n] {
            // Out of `top` only with room to spare (it then bounds later picks too).
            if score.is_nan() || score < low + margin {
                if self.len == MOST {
                    return None;
                }
                self.top[self.len] = s;
                self.scores[self.len] = score;
                self.len += 1;
            }
        }
        let mut best: Option<(f64, usize)> = None;
        for k in 0..self.len {
            let c = (self.scores[k], self.top[k] as usize);
            if best.is_none_or(|b| Self::better(view, c, b)) {
                best = Some(c);
            }
        }
        let (score, i) = best?;
        (score < low).then_some(i)
    }

    /// Scores every share with RUNNABLE jobs, keeps the best [`KEEP`] and the bounds;
    /// returns the best.
    fn full_pass(&mut self, view: &QueueView<'_>, d: f64, weight: &mut impl FnMut(usize) -> f64) -> Option<usize> {
        let set = view.set;
        let x0 = view.inv_scale;
        // The best KEEP + 1 so far, sorted (the first `n`): the last one is the bound.
        let mut best = [(0.0f64, 0usize); KEEP + 1];
        let mut n = 0;
        let (mut s_max, mut m_max) = (0.0f64, 0.0f64);
        for &i in &set.nonempty {
            let Some(u) = set.usage.get(i) else { continue };
            let w = weight(i);
            let score = share_score(w, u, x0, d);
            let (slope, size) = slope_and_size(w, u.r, u.g, u.e_last, x0, d);
            s_max = s_max.max(slope);
            m_max = m_max.max(size);
            if n <= KEEP || Self::better(view, (score, i), best[KEEP]) {
                let at = best[..n].partition_point(|&b| Self::better(view, b, (score, i)));
                n = (n + 1).min(KEEP + 1);
                best.copy_within(at..n - 1, at + 1);
                best[at] = (score, i);
            }
        }
        let bound = if n > KEEP { best[KEEP].0 } else { f64::INFINITY };
        let kept = n.min(KEEP);
        let (mut top, mut scores) = ([0u32; MOST], [0.0f64; MOST]);
        for k in 0..kept {
            (top[k], scores[k]) = (best[k].1 as u32, best[k].0);
        }
        *self = SharePick {
            set: set.id(),
            stamp: set.stamp,
            seen: set.touched.len(),
            x0,
            bound,
            s_max,
            m_max,
            top,
            len: kept,
            scores,
            xs: x0,
            valid: true,
        };
        (n > 0).then_some(best[0].1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::JobId;
    use crate::policy::{QueuedJob, RunnableSet};
    use crate::time::{SimDuration, SimTime};
    use crate::Resources;

    fn job(n: u64) -> QueuedJob {
        QueuedJob::new(JobId::new(n), Resources::new(1.0, 2048))
    }

    /// Twenty shares, each with a job, usage spread out: after the first pick, a placement
    /// and the pick after it at the same instant are answered from the cache, and agree
    /// with the full pass.
    #[test]
    fn a_pick_after_a_placement_needs_no_full_pass() {
        let mut set = RunnableSet::new(Some(SimDuration::from_secs(3600)));
        let names: Vec<String> = (0..20).map(|i| format!("s{i:02}")).collect();
        for (i, n) in names.iter().enumerate() {
            set.insert_in_share(n, job(i as u64 + 1));
            set.insert_in_share(n, job(i as u64 + 101));
            set.add_held(n, 1000 * i as i64, SimTime::ZERO);
        }
        let now = SimTime::from_millis(600_000);
        let weight = |_: usize| 1.0;
        let mut cache = SharePick::default();
        let first = cache.pick(&set.view(now), weight).map(|s| s.index());
        assert_eq!(first, Some(0), "the share that held nothing");
        assert!(cache.valid && cache.len == KEEP);
        // The pick is placed: its job leaves, its share holds a vCPU more.
        let id = set
            .view(now)
            .share("s00")
            .and_then(|s| s.head())
            .map(|j| j.id)
            .expect("job");
        set.remove(id);
        set.add_held("s00", 1000, now);
        let x0 = cache.x0;
        let cached = cache.pick(&set.view(now), weight).map(|s| s.index());
        assert_eq!(cache.x0.to_bits(), x0.to_bits(), "no full pass");
        assert_eq!(cached, set.view(now).lowest_weighted_usage(weight).map(|s| s.index()));
    }

    proptest::proptest! {
        /// Whatever happens between picks (jobs in and out, usage up and down, time moving
        /// by little or by enough to move the base, a new decay time), the cached pick is
        /// the full pass's.
        #[test]
        fn the_cached_pick_is_the_full_pass_pick(
            ops in proptest::collection::vec((0u8..7, 0u8..24, 0u64..4_000, 0u64..120_000), 1..300),
            decay in 1u64..5_000,
            big in 0u64..4,
        ) {
            let mut set = RunnableSet::new(Some(SimDuration::from_secs(decay)));
            let names: Vec<String> = (0..24).map(|i| format!("share-{i}")).collect();
            let weight = |i: usize| 0.5 + (i % 4) as f64 * 0.25;
            let mut cache = SharePick::default();
            let (mut t, mut next) = (0u64, 1u64);
            for (op, share, amount, dt) in ops {
                // Mostly small steps, some at the same instant, some long (rebases).
                t += match op {
                    0 => 0,
                    6 if big > 0 => dt * 1000 * big,
                    _ => dt % 5_000,
                };
                let now = SimTime::from_millis(t);
                let name = &names[share as usize];
                match op {
                    0..=2 => {
                        set.insert_in_share(name, job(next));
                        next += 1;
                    }
                    3 => {
                        let first = set.view(now).share(name).and_then(|s| s.head().map(|j| j.id));
                        if let Some(id) = first {
                            set.remove(id);
                            set.add_held(name, 1000 + amount as i64, now);
                        }
                    }
                    4 => {
                        let held = set.view(now).share(name).map_or(0.0, |s| s.vcpus_held());
                        set.add_held(name, -((held * 1000.0) as i64).min(amount as i64), now);
                    }
                    5 if amount < 40 => set.set_decay(Some(SimDuration::from_secs(1 + amount)), now),
                    _ => {}
                }
                let view = set.view(now);
                let want = view.lowest_weighted_usage(weight).map(|s| s.index());
                let got = cache.pick(&view, weight).map(|s| s.index());
                proptest::prop_assert_eq!(got, want);
            }
        }
    }
}
