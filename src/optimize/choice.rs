//! Choosing among the evaluated points: the best, the closest when none is feasible, and
//! the constraint that binds.
//!
//! - **Best**: the feasible point of least objective mean (rounded to 6 decimals, so that
//!   summation noise does not decide; a point missing the objective in some seed ranks
//!   last), ties going to the point first in the order of the values.
//! - **Closest** (only without a feasible point): least total violation, each constraint's
//!   shortfall relative to its bound's size (at least 1).
//! - **Binding**: of the constraints failed by points ranking before the best (a better
//!   objective, or an equal one earlier in the order of values), the one with least slack
//!   at the best point; none when no such point was evaluated.

use super::{Constraint, Point};

/// What [`choose`] picked (indices into the points, and into the constraints).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Choice {
    pub(crate) best: Option<usize>,
    pub(crate) closest: Option<usize>,
    pub(crate) binding: Option<usize>,
}

/// Picks among `points` (in the order of the values) under `constraints`.
pub(crate) fn choose(constraints: &[Constraint], points: &[Point]) -> Choice {
    let rank = |p: &Point| match (p.objective.complete(), p.objective.mean) {
        (true, Some(m)) => crate::sweep::round6(m),
        _ => f64::INFINITY,
    };
    let best = (0..points.len())
        .filter(|&i| points[i].feasible)
        .min_by(|&a, &b| rank(&points[a]).total_cmp(&rank(&points[b])).then(a.cmp(&b)));
    let violation = |p: &Point| -> f64 {
        let total: f64 = constraints
            .iter()
            .zip(&p.constraints)
            .map(|(c, e)| (-c.slack(e)).max(0.0))
            .sum();
        if total.is_nan() {
            f64::INFINITY
        } else {
            total
        }
    };
    let closest = match best {
        Some(_) => None,
        None => {
            (0..points.len()).min_by(|&a, &b| violation(&points[a]).total_cmp(&violation(&points[b])).then(a.cmp(&b)))
        }
    };
    let binding = best.and_then(|b| {
        let better = |i: usize| rank(&points[i]).total_cmp(&rank(&points[b])).then(i.cmp(&b)).is_lt();
        (0..constraints.len())
            .filter(|&j| (0..points.len()).any(|i| better(i) && !points[i].holds[j]))
            .min_by(|&x, &y| {
                let slack = |j: usize| constraints[j].slack(&points[b].constraints[j]);
                slack(x).total_cmp(&slack(y)).then(x.cmp(&y))
            })
    });
    Choice { best, closest, binding }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimize::Estimate;

    /// A point of one seed per value: objective `objective`, constraint figures `figures`.
    fn point(k: u128, objective: Option<f64>, figures: &[f64], constraints: &[Constraint]) -> Point {
        let estimates: Vec<Estimate> = figures.iter().map(|&x| Estimate::of(&[Some(x)], 0.95)).collect();
        let holds: Vec<bool> = constraints.iter().zip(&estimates).map(|(c, e)| c.holds(e)).collect();
        Point {
            values: Vec::new(),
            order: k as usize + 1,
            objective: Estimate::of(&[objective], 0.95),
            feasible: holds.iter().all(|&h| h),
            constraints: estimates,
            holds,
            key: vec![k],
        }
    }

    fn constraints() -> Vec<Constraint> {
        vec!["waitP95 <= 600".parse().unwrap(), "utilization >= 0.5".parse().unwrap()]
    }

    #[test]
    fn the_best_is_the_cheapest_feasible_and_the_constraint_failed_below_binds() {
        let c = constraints();
        let points = [
            point(0, Some(1.0), &[900.0, 0.9], &c),  // cheapest, fails the wait bound
            point(1, Some(2.0), &[580.0, 0.51], &c), // feasible
            point(2, Some(3.0), &[100.0, 0.9], &c),  // feasible, dearer
        ];
        let got = choose(&c, &points);
        assert_eq!(
            got,
            Choice {
                best: Some(1),
                closest: None,
                binding: Some(0)
            }
        );
        // The utilization constraint is tighter at the best point (slack 0.01 against
        // 20 / 600 = 0.033), but no better point fails it: the wait binds.
        assert!(c[1].slack(&points[1].constraints[1]) < c[0].slack(&points[1].constraints[0]));
    }

    #[test]
    fn ties_go_to_the_earlier_point_which_then_binds() {
        let c = constraints();
        // Same cost to 6 decimals (summation noise): the earlier value is preferred.
        let points = [
            point(0, Some(2.000_000_1), &[100.0, 0.4], &c), // fails utilization
            point(1, Some(2.0), &[100.0, 0.9], &c),
            point(2, Some(2.0), &[50.0, 0.9], &c),
        ];
        assert_eq!(
            choose(&c, &points),
            Choice {
                best: Some(1),
                closest: None,
                binding: Some(1)
            }
        );
        // Nothing better evaluated: nothing binds.
        assert_eq!(choose(&c, &points[1..]).binding, None);
    }

    #[test]
    fn a_point_without_the_objective_ranks_last() {
        let c = constraints();
        let points = [
            point(0, None, &[100.0, 0.9], &c),
            point(1, Some(7.0), &[100.0, 0.9], &c),
        ];
        assert_eq!(choose(&c, &points).best, Some(1));
    }

    #[test]
    fn without_a_feasible_point_the_closest_has_least_relative_violation() {
        let c = constraints();
        let points = [
            point(0, Some(1.0), &[1200.0, 0.9], &c), // 600 s over: 1.0 of the bound
            point(1, Some(2.0), &[660.0, 0.3], &c),  // 0.1 + 0.2 (the bound 0.5 counts as 1)
            point(2, Some(3.0), &[700.0, 0.9], &c),  // 100 s over: 0.167
        ];
        assert_eq!(
            choose(&c, &points),
            Choice {
                best: None,
                closest: Some(2),
                binding: None
            }
        );
    }
}
