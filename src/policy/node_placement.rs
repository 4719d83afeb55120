//! Placement of a multi-node parallel job: which compute environment, and for each node an
//! idle instance or a new one.
//!
//! AWS runs each node of a multi-node parallel job on an instance of its own ("Multi-node
//! parallel jobs enable you to run single jobs that span multiple Amazon EC2 instances",
//! User Guide, multi-node parallel jobs), and all nodes start together. A
//! [`PlacementPolicy`](super::PlacementPolicy) answers where with
//! [`PlacementPolicy::place_nodes`](super::PlacementPolicy::place_nodes) over
//! [`NodesCandidate`]s; the built-in rule, [`AwsOrder::place_nodes_in_order`], takes the
//! first eligible compute environment in queue order where every node gets an instance:
//! idle READY instances that hold the node first (in the order given, the smallest type
//! first), new instances of the first type that holds it for the rest (the order given,
//! cheapest first), within `maxvCpus`.
//!
//! ```
//! use batchsim::model::CeId;
//! use batchsim::policy::{AwsOrder, CeCapacity, InstanceId, InstanceRoom, NodeOn, NodesCandidate};
//! use batchsim::Resources;
//!
//! let idle = |id: u32| InstanceRoom {
//!     id: InstanceId(id), instance_type: "m5.xlarge".into(), ready: true,
//!     free_millivcpus: 4000, free_memory_mib: 15_000, free_gpus: 0, total_millivcpus: 4000,
//! };
//! let ce = NodesCandidate {
//!     capacity: CeCapacity {
//!         ce: CeId(0), name: "ec2".into(), enabled: true, fargate: false, max_vcpus: 16,
//!         used_millivcpus: 0, free_millivcpus: 8000, free_memory_mib: Some(30_000),
//!         launchable_millivcpus: 8000, instances: 2,
//!     },
//!     eligible: true,
//!     idle: vec![idle(1), idle(2)],
//!     types: Vec::new(),
//! };
//! let node = Resources::new(2.0, 4096);
//! // Two nodes, two idle instances: one each.
//! let on = AwsOrder::place_nodes_in_order(&[node, node], &[ce.clone()]).unwrap();
//! assert_eq!(on.nodes, [NodeOn::Idle(InstanceId(1)), NodeOn::Idle(InstanceId(2))]);
//! // Three nodes and nothing to launch: the job waits.
//! assert_eq!(AwsOrder::place_nodes_in_order(&[node, node, node], &[ce]), None);
//! ```

use super::{AwsOrder, CeCapacity, InstanceId, InstanceOption, InstanceRoom};
use crate::model::{CeId, Resources};

/// One compute environment of the queue, as a multi-node placement sees it for one job.
#[derive(Clone, Debug, PartialEq)]
pub struct NodesCandidate {
    /// Its capacity now.
    pub capacity: CeCapacity,
    /// May take the job now: an EC2 compute environment (multi-node parallel jobs do not run
    /// on Fargate or Spot), ENABLED, running the job's architecture, not held by the
    /// cross-queue rule, and the queue's reservation rule leaves room for the job's vCPUs.
    pub eligible: bool,
    /// Idle READY instances (no job, no claim, no Spot notice), each with its whole room,
    /// in the order AWS's rule takes them: the smallest type first, then the oldest.
    pub idle: Vec<InstanceRoom>,
    /// The types it may launch now, cheapest first (then fewer vCPUs, then name); empty
    /// inside a scale-out cooldown.
    pub types: Vec<NodeType>,
}

/// An instance type a multi-node job's node may launch.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeType {
    /// The type as a scale-out decision sees it (`millivcpus`, `memory_mib`, `gpus`: what a
    /// node can use of it).
    pub option: InstanceOption,
    /// What one instance counts against `maxvCpus`: the whole instance (an EKS node's
    /// kubelet-reserved CPU included).
    pub counted_millivcpus: u64,
}

/// Where one node goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NodeOn {
    /// One of the candidate's `idle` instances, taken whole.
    Idle(InstanceId),
    /// A new instance of the type whose [`InstanceOption::index`] this is.
    Launch(usize),
}

/// Where a multi-node job goes: one entry per node, in node order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodesOn {
    /// The compute environment.
    pub ce: CeId,
    /// Each node's instance.
    pub nodes: Vec<NodeOn>,
}

impl AwsOrder {
    /// AWS's rule for a multi-node job whose nodes need `nodes`: the first eligible compute
    /// environment where each node gets an idle instance that holds it (in `idle` order) or
    /// else a new instance of the first type in `types` that holds it, the new instances'
    /// vCPUs within what may still be launched (`launchable_millivcpus`).
    pub fn place_nodes_in_order(nodes: &[Resources], ces: &[NodesCandidate]) -> Option<NodesOn> {
        ces.iter().filter(|c| c.eligible).find_map(|c| {
            let mut taken: Vec<InstanceId> = Vec::with_capacity(nodes.len());
            let mut added = 0u64;
            let mut out = Vec::with_capacity(nodes.len());
            for node in nodes {
                if let Some(i) = c.idle.iter().find(|i| !taken.contains(&i.id) && i.holds(node)) {
                    taken.push(i.id);
                    out.push(NodeOn::Idle(i.id));
                    continue;
                }
                let t = c.types.iter().find(|t| t.option.holds(node))?;
                added += t.counted_millivcpus;
                out.push(NodeOn::Launch(t.option.index));
            }
            (added <= c.capacity.launchable_millivcpus).then_some(NodesOn {
                ce: c.capacity.ce,
                nodes: out,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(ce: u32, idle: &[(u32, u64)], types: &[(usize, u64)], launchable: u64) -> NodesCandidate {
        NodesCandidate {
            capacity: CeCapacity {
                ce: CeId(ce),
                name: format!("ce{ce}"),
                enabled: true,
                fargate: false,
                max_vcpus: 64,
                used_millivcpus: 0,
                free_millivcpus: 0,
                free_memory_mib: Some(0),
                launchable_millivcpus: launchable * 1000,
                instances: idle.len(),
            },
            eligible: true,
            idle: idle
                .iter()
                .map(|&(id, vcpus)| InstanceRoom {
                    id: InstanceId(id),
                    instance_type: "m5".into(),
                    ready: true,
                    free_millivcpus: vcpus * 1000,
                    free_memory_mib: vcpus * 4000,
                    free_gpus: 0,
                    total_millivcpus: vcpus * 1000,
                })
                .collect(),
            types: types
                .iter()
                .map(|&(index, vcpus)| NodeType {
                    option: InstanceOption {
                        index,
                        name: format!("t{index}"),
                        millivcpus: vcpus * 1000,
                        memory_mib: vcpus * 4000,
                        gpus: 0,
                        price_per_hour: 0.05 * vcpus as f64,
                        within_limit: true,
                        available: None,
                        entry: index,
                        interruptions_per_hour: 0.0,
                        priced_out: false,
                    },
                    counted_millivcpus: vcpus * 1000,
                })
                .collect(),
        }
    }

    #[test]
    fn idle_instances_first_then_launches_within_the_limit() {
        let node = Resources::new(4.0, 8000);
        // One idle 2-vCPU instance (too small), one idle 4-vCPU one; types of 2 and 4 vCPUs.
        let ce = candidate(0, &[(1, 2), (2, 4)], &[(0, 2), (1, 4)], 8);
        let on = AwsOrder::place_nodes_in_order(&[node, node, node], std::slice::from_ref(&ce)).unwrap();
        assert_eq!(on.ce, CeId(0));
        assert_eq!(
            on.nodes,
            [NodeOn::Idle(InstanceId(2)), NodeOn::Launch(1), NodeOn::Launch(1)]
        );
        // A fourth node would launch 12 vCPUs, more than the 8 launchable: the next eligible
        // compute environment takes the job.
        let other = candidate(1, &[], &[(0, 4)], 16);
        let on = AwsOrder::place_nodes_in_order(&[node; 4], &[ce.clone(), other]).unwrap();
        assert_eq!(on.ce, CeId(1));
        assert_eq!(on.nodes, [NodeOn::Launch(0); 4]);
        // Not eligible: skipped.
        let mut held = ce;
        held.eligible = false;
        assert_eq!(AwsOrder::place_nodes_in_order(&[node], &[held]), None);
    }
}
