//! Scheduling policies (CreateSchedulingPolicy with `fairsharePolicy`).

use crate::time::SimDuration;

/// One `shareDistribution` entry: an identifier, or a prefix when it ends with `*`.
#[derive(Clone, Debug, PartialEq)]
pub struct ShareWeight {
    /// `shareIdentifier` as written (`teamA` or `team*`).
    pub share_identifier: String,
    /// `weightFactor`: lower gets more capacity.
    pub weight_factor: f64,
}

impl ShareWeight {
    /// True when this entry covers `share`.
    pub fn covers(&self, share: &str) -> bool {
        match self.share_identifier.strip_suffix('*') {
            Some(prefix) => share.starts_with(prefix),
            None => self.share_identifier == share,
        }
    }
}

/// A fair-share scheduling policy.
#[derive(Clone, Debug, PartialEq)]
pub struct SchedulingPolicy {
    /// `name`.
    pub name: String,
    /// `shareDecaySeconds` (0 in the file means the 600 s default).
    pub share_decay: SimDuration,
    /// `computeReservation`, 0 to 99.
    pub compute_reservation: u32,
    /// `shareDistribution`.
    pub share_distribution: Vec<ShareWeight>,
}

impl SchedulingPolicy {
    /// The weight of `share`: its exact entry, else the longest prefix entry that covers it,
    /// else 1.0.
    pub fn weight_of(&self, share: &str) -> f64 {
        if let Some(w) = self.share_distribution.iter().find(|w| w.share_identifier == share) {
            return w.weight_factor;
        }
        self.share_distribution
            .iter()
            .filter(|w| w.covers(share))
            .max_by_key(|w| w.share_identifier.len())
            .map_or(1.0, |w| w.weight_factor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_exact_then_prefix_then_default() {
        let p = SchedulingPolicy {
            name: "p".into(),
            share_decay: SimDuration::from_secs(600),
            compute_reservation: 0,
            share_distribution: vec![
                ShareWeight {
                    share_identifier: "team*".into(),
                    weight_factor: 0.5,
                },
                ShareWeight {
                    share_identifier: "teamA".into(),
                    weight_factor: 0.125,
                },
            ],
        };
        assert_eq!(p.weight_of("teamA"), 0.125);
        assert_eq!(p.weight_of("teamB"), 0.5);
        assert_eq!(p.weight_of("other"), 1.0);
    }
}
