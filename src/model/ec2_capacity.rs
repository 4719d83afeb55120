//! The account's EC2 capacity (scenario `ec2Capacity`, a simulation extension): how many
//! instances of a type EC2 supplies at once, windows in which it supplies none
//! (insufficient-capacity errors), and the account's vCPU quotas.
//!
//! AWS (API model, `ComputeResource.allocationStrategy`) names the two reasons an allocation
//! strategy falls back: "The allocation strategy to use for the compute resource if not
//! enough instances of the best fitting instance type can be allocated. This might be because
//! of availability of the instance type in the Region or Amazon EC2 service limits." The
//! quotas are EC2's vCPU-based limits: "Running On-Demand Standard (A, C, D, H, I, M, R, T,
//! Z) instances" and "All Standard (A, C, D, H, I, M, R, T, Z) Spot Instance Requests"
//! (Amazon EC2 service quotas); here each counts every instance of the EC2 (respectively
//! SPOT) compute environments, whatever its family.
//!
//! Without `ec2Capacity` EC2 supplies every instance asked for (nothing changes).

use crate::time::SimTime;

/// Which instance types an entry applies to: an exact name (`m5.large`), a family (`m5` or
/// `m5.*`), or `*` (every type).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypePattern(pub String);

impl TypePattern {
    /// Whether type `name` (of family `family`) matches.
    pub fn matches(&self, name: &str, family: &str) -> bool {
        let p = self.0.as_str();
        p == "*" || p == name || p == family || p.strip_suffix(".*") == Some(family)
    }
}

/// At most `max_instances` live instances (across compute environments) of the matching
/// types at once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstanceLimit {
    /// The types it counts together.
    pub instance_types: Vec<TypePattern>,
    /// The most instances of them alive at once.
    pub max_instances: u32,
}

/// From `start` (inclusive) to `end` (exclusive) EC2 supplies no instance of the matching
/// types: a launch of one is refused (`InsufficientInstanceCapacity`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CapacityWindow {
    /// The types it refuses.
    pub instance_types: Vec<TypePattern>,
    /// First instant refused.
    pub start: SimTime,
    /// First instant supplied again.
    pub end: SimTime,
}

impl CapacityWindow {
    /// Whether `t` falls in the window.
    pub fn covers(&self, t: SimTime) -> bool {
        self.start <= t && t < self.end
    }
}

/// Scenario `ec2Capacity`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ec2CapacityModel {
    /// `instanceLimits`.
    pub instance_limits: Vec<InstanceLimit>,
    /// `insufficientCapacity`.
    pub insufficient_capacity: Vec<CapacityWindow>,
    /// `onDemandVcpuQuota`: vCPUs of all EC2 compute environments' instances at once.
    pub on_demand_vcpus: Option<u32>,
    /// `spotVcpuQuota`: vCPUs of all SPOT compute environments' instances at once.
    pub spot_vcpus: Option<u32>,
}

impl Ec2CapacityModel {
    /// The instants at which a window opens or closes, sorted, without repeats.
    pub fn window_edges(&self) -> Vec<SimTime> {
        let mut edges: Vec<SimTime> = self
            .insufficient_capacity
            .iter()
            .flat_map(|w| [w.start, w.end])
            .collect();
        edges.sort();
        edges.dedup();
        edges
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_names_families_and_everything() {
        let p = |s: &str| TypePattern(s.into());
        assert!(p("m5.*").matches("m5.large", "m5"));
        assert!(p("m5").matches("m5.large", "m5"));
        assert!(!p("m5.*").matches("m5a.large", "m5a"));
        assert!(p("m5.large").matches("m5.large", "m5"));
        assert!(!p("m5.large").matches("m5.xlarge", "m5"));
        assert!(p("*").matches("c5.large", "c5"));
        let w = CapacityWindow {
            instance_types: vec![p("*")],
            start: SimTime::from_millis(10),
            end: SimTime::from_millis(20),
        };
        assert!(!w.covers(SimTime::from_millis(9)));
        assert!(w.covers(SimTime::from_millis(10)));
        assert!(!w.covers(SimTime::from_millis(20)), "end is exclusive");
    }
}
