//! The two searches: bisection over one range, and the grid over every combination.
//!
//! **Bisection** assumes that feasibility is monotone in the setting: the feasible values
//! are one end of the range (`[x*, HI]`, as for `maxvCpus` against a wait bound, or
//! `[LO, x*]`, as for `maxvCpus` against a cost bound). It evaluates both ends, then halves
//! the gap between the last infeasible and the first feasible value until they are
//! neighbours: about `log2(values) + 2` points instead of every value. The best point is
//! then the feasible one of least objective among those evaluated (the boundary or the far
//! end, when the objective is monotone too). Both assumptions are checked on the evaluated
//! points afterwards (`monotone`); a violation is a warning, not an error.
//!
//! **The grid** evaluates every combination (the last setting varying fastest), up to
//! [`super::MAX_POINTS`].

use super::{Estimate, Point, Problem, Quantity};

/// What bisection found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Found {
    /// Neither end is feasible (so, by the assumption, no value is).
    NoneFeasible,
    /// Both ends are feasible (so every value is).
    AllFeasible,
    /// `feasible` is the last feasible value next to the infeasible `infeasible`.
    Boundary {
        /// The feasible neighbour.
        feasible: u128,
        /// The infeasible neighbour.
        infeasible: u128,
    },
}

/// Bisection over the values `0..n` (`n >= 1`), `feasible(k)` evaluating value `k`.
pub(crate) fn bisect<E>(n: u128, mut feasible: impl FnMut(u128) -> Result<bool, E>) -> Result<Found, E> {
    let first = feasible(0)?;
    if n <= 1 {
        return Ok(if first { Found::AllFeasible } else { Found::NoneFeasible });
    }
    let last = feasible(n - 1)?;
    Ok(match (first, last) {
        (false, false) => Found::NoneFeasible,
        (true, true) => Found::AllFeasible,
        // The ends differ: bisect for the boundary between the index whose answer is the
        // first end's (`lo`) and the one whose answer is the last end's (`hi`).
        (first, _) => {
            let (mut lo, mut hi) = (0, n - 1);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if feasible(mid)? == first {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            let (feasible, infeasible) = if first { (lo, hi) } else { (hi, lo) };
            Found::Boundary { feasible, infeasible }
        }
    })
}

/// Every combination of `sizes[i]` values, the last varying fastest.
pub(crate) fn grid(sizes: &[u128]) -> Vec<Vec<u128>> {
    let mut out: Vec<Vec<u128>> = vec![Vec::new()];
    for &n in sizes {
        out = out
            .into_iter()
            .flat_map(|prefix| {
                (0..n).map(move |k| {
                    let mut c = prefix.clone();
                    c.push(k);
                    c
                })
            })
            .collect();
    }
    out
}

/// Whether `xs` never goes both up and down (ties allowed).
pub(crate) fn monotone(xs: &[f64]) -> bool {
    let pairs = || xs.windows(2);
    pairs().all(|w| w[0] <= w[1]) || pairs().all(|w| w[0] >= w[1])
}

/// Warnings for the figures that are not monotone over the evaluated points (in value
/// order), as bisection assumes.
pub(crate) fn monotonicity(problem: &Problem, points: &[Point]) -> Vec<String> {
    let path = problem.vary[0].path();
    let mut figures: Vec<(&Quantity, Vec<(String, f64)>)> = Vec::new();
    let series = |pick: &dyn Fn(&Point) -> &Estimate| -> Vec<(String, f64)> {
        points
            .iter()
            .filter_map(|p| pick(p).mean.map(|m| (p.values[0].text.clone(), m)))
            .collect()
    };
    figures.push((&problem.objective, series(&|p| &p.objective)));
    for (j, c) in problem.constraints.iter().enumerate() {
        figures.push((&c.quantity, series(&|p| &p.constraints[j])));
    }
    let mut out = Vec::new();
    for (q, s) in figures {
        let means: Vec<f64> = s.iter().map(|(_, m)| *m).collect();
        if monotone(&means) || out.iter().any(|w: &String| w.contains(&format!("`{}`", q.text))) {
            continue;
        }
        let shown: Vec<String> = s.iter().map(|(v, m)| format!("{} at {v}", q.show(*m))).collect();
        out.push(format!(
            "bisection assumes monotone figures, but the mean of `{}` is not monotone in {path} over the evaluated \
             points ({}); the answer may not be the best value: check with a grid (--search grid) near it",
            q.text,
            shown.join(", ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;

    /// Bisection on a synthetic monotone function: the smallest k with k^2 >= 500 is 23.
    #[test]
    fn bisection_finds_the_boundary_in_log_steps() {
        let mut calls = Vec::new();
        let found = bisect(1000, |k| {
            calls.push(k);
            Ok::<_, Infallible>(k * k >= 500)
        })
        .unwrap();
        assert_eq!(
            found,
            Found::Boundary {
                feasible: 23,
                infeasible: 22
            }
        );
        // Both ends, then at most ceil(log2(999)) = 10 halvings.
        assert!(calls.len() <= 12, "{calls:?}");
        assert_eq!(calls[..2], [0, 999]);
        let mut seen = calls.clone();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), calls.len(), "no value evaluated twice");
    }

    #[test]
    fn bisection_from_the_other_side_and_edge_cases() {
        // Feasible at the low end: the largest k with k <= 70.
        let found = bisect(100, |k| Ok::<_, Infallible>(k <= 70)).unwrap();
        assert_eq!(
            found,
            Found::Boundary {
                feasible: 70,
                infeasible: 71
            }
        );
        assert_eq!(
            bisect(100, |_| Ok::<_, Infallible>(false)).unwrap(),
            Found::NoneFeasible
        );
        assert_eq!(bisect(100, |_| Ok::<_, Infallible>(true)).unwrap(), Found::AllFeasible);
        assert_eq!(bisect(1, |_| Ok::<_, Infallible>(true)).unwrap(), Found::AllFeasible);
        assert_eq!(
            bisect(2, |k| Ok::<_, Infallible>(k == 1)).unwrap(),
            Found::Boundary {
                feasible: 1,
                infeasible: 0
            }
        );
        // A range of 2^64 values takes 64 halvings, not forever.
        let mut calls = 0;
        let found = bisect(1u128 << 64, |k| {
            calls += 1;
            Ok::<_, Infallible>(k >= 12_345_678_901)
        })
        .unwrap();
        assert_eq!(
            found,
            Found::Boundary {
                feasible: 12_345_678_901,
                infeasible: 12_345_678_900
            }
        );
        assert!(calls <= 66, "{calls}");
        // Errors stop the search.
        assert_eq!(
            bisect(10, |k| if k == 9 { Err("boom") } else { Ok(false) }),
            Err("boom")
        );
    }

    #[test]
    fn grid_and_monotone() {
        let g = grid(&[2, 3]);
        assert_eq!(g.len(), 6);
        assert_eq!(
            (g[0].clone(), g[1].clone(), g[3].clone()),
            (vec![0, 0], vec![0, 1], vec![1, 0])
        );
        assert_eq!(grid(&[]), vec![Vec::<u128>::new()]);
        assert!(monotone(&[3.0, 2.0, 2.0, 1.0]) && monotone(&[1.0, 1.0, 5.0]) && monotone(&[]));
        assert!(!monotone(&[1.0, 3.0, 2.0]));
    }
}
