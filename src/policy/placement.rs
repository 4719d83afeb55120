//! Placement: which compute environment of a queue, and which instance on it, a job goes to.
//!
//! The engine shows a [`PlacementPolicy`] the queue's compute environments in their order
//! (`computeEnvironmentOrder`), each with whether it may take the job now and where there is
//! room, and acts on the answer. The built-in [`AwsOrder`] is AWS's rule: "The job scheduler
//! uses the order of the compute environments to determine which compute environment should
//! run a given job" (User Guide, job queues: the first in order that can take the job), and
//! on an EC2/SPOT compute environment the best fit among its instances.
//!
//! ```
//! use batchsim::model::CeId;
//! use batchsim::policy::{AwsOrder, CeCapacity, PlaceOn, PlacementCandidate, PlacementPolicy};
//! use batchsim::{JobId, Resources};
//!
//! let fargate = |ce: u32, free_vcpus: u64| PlacementCandidate::fargate(CeCapacity {
//!     ce: CeId(ce), name: format!("ce{ce}"), enabled: true, fargate: true, max_vcpus: 4,
//!     used_millivcpus: 4000 - free_vcpus * 1000, free_millivcpus: free_vcpus * 1000,
//!     free_memory_mib: None, launchable_millivcpus: 0, instances: 0,
//! });
//! let job = Resources::new(2.0, 4096);
//! let ces = [fargate(0, 1), fargate(1, 3), fargate(2, 4)];
//! // The first compute environment in order with room: ce1 (ce0 has 1 vCPU free).
//! assert_eq!(AwsOrder.place(JobId::new(1), &job, &ces), Some(PlaceOn::Task { ce: CeId(1) }));
//! ```

use super::{CeCapacity, InstanceId, InstanceOption, InstanceRoom};
use crate::model::{CeId, JobId, Resources};

/// One compute environment of the queue, as a placement sees it for one job.
#[derive(Clone, Debug, PartialEq)]
pub struct PlacementCandidate {
    /// Its capacity now.
    pub capacity: CeCapacity,
    /// May take the job now: ENABLED, not held by the `strict` cross-queue rule
    /// (`queuePriority`), and the queue's `computeReservation` leaves room for the job.
    pub eligible: bool,
    /// EC2/SPOT: READY instances that take jobs (no Spot notice), each with its free room.
    pub ready: Vec<InstanceRoom>,
    /// EC2/SPOT: instances still launching that have free room (a job placed there claims
    /// room and starts when the instance is READY).
    pub launching: Vec<InstanceRoom>,
    /// EC2/SPOT: the instance type the compute environment would launch for the job now
    /// (its [`super::ScaleOutPolicy`]'s answer), if any.
    pub launch: Option<InstanceOption>,
}

impl PlacementCandidate {
    /// A Fargate compute environment (no instances), eligible when ENABLED.
    pub fn fargate(capacity: CeCapacity) -> PlacementCandidate {
        PlacementCandidate {
            eligible: capacity.enabled,
            capacity,
            ready: Vec::new(),
            launching: Vec::new(),
            launch: None,
        }
    }

    /// Whether a Fargate task needing `r` fits under `maxvCpus` now.
    pub fn task_fits(&self, r: &Resources) -> bool {
        self.capacity.fargate && self.capacity.free_millivcpus >= u64::from(r.millivcpus)
    }
}

/// Where a job goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PlaceOn {
    /// A Fargate task on `ce`.
    Task {
        /// The compute environment.
        ce: CeId,
    },
    /// An instance of `ce` (READY: the job starts; launching: the job claims room on it).
    Instance {
        /// The compute environment.
        ce: CeId,
        /// One of the candidate's `ready` or `launching` instances.
        instance: InstanceId,
    },
    /// A new instance of `ce`, of the candidate's `launch` type.
    Launch {
        /// The compute environment.
        ce: CeId,
    },
}

/// Decides where a job goes, among the queue's compute environments in order: a single-node
/// job with [`PlacementPolicy::place`], a multi-node parallel job with
/// [`PlacementPolicy::place_nodes`] (AWS's rule unless overridden). An
/// answer the engine cannot apply (a compute environment that is not eligible or not among
/// the candidates, an instance without room, a launch where `launch` is `None`) places
/// nothing, as `None` does. After `None` for a FIFO queue's head the engine asks again
/// when the queue or the capacity of its compute environments changes. `place` may be
/// asked without its answer being used (backfilling and the fair-share rest check probe
/// where a job would go): keep no state that assumes the job was placed. Must be
/// deterministic.
pub trait PlacementPolicy: Send {
    /// Where job `job`, needing `need`, goes now, or `None` (it waits).
    fn place(&mut self, job: JobId, need: &Resources, ces: &[PlacementCandidate]) -> Option<PlaceOn>;

    /// Where multi-node job `job`, whose nodes need `nodes` (in node order), goes now: one
    /// instance per node, all on one compute environment, or `None` (it waits). An answer
    /// naming an instance twice, one that is not idle or too small for its node, a type not
    /// offered or too small, or new instances past `maxvCpus`, places nothing. The default
    /// is AWS's rule, [`AwsOrder::place_nodes_in_order`].
    fn place_nodes(
        &mut self,
        job: JobId,
        nodes: &[Resources],
        ces: &[super::NodesCandidate],
    ) -> Option<super::NodesOn> {
        let _ = job;
        AwsOrder::place_nodes_in_order(nodes, ces)
    }

    /// A copy for a copy of the simulation; `None` (the default) shares this one (exact only
    /// for a placement without state).
    fn clone_box(&self) -> Option<Box<dyn PlacementPolicy>> {
        None
    }
}

impl super::Forkable for dyn PlacementPolicy {
    fn fork_box(&self) -> Option<Box<Self>> {
        self.clone_box()
    }
}

/// AWS's placement: the first eligible compute environment in order that can take the job;
/// on EC2/SPOT the READY instance it fits best (fewest free vCPUs left, then least free
/// memory, then the oldest), else room on a launching instance (the same order), else a new
/// instance (CONTRACT 7.14).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AwsOrder;

impl AwsOrder {
    /// The best-fit instance of `instances` for `need`.
    pub fn best_fit(instances: &[InstanceRoom], need: &Resources) -> Option<InstanceId> {
        instances
            .iter()
            .filter(|i| i.holds(need))
            .min_by_key(|i| (i.free_millivcpus, i.free_memory_mib, i.id))
            .map(|i| i.id)
    }
}

impl PlacementPolicy for AwsOrder {
    fn place(&mut self, _job: JobId, need: &Resources, ces: &[PlacementCandidate]) -> Option<PlaceOn> {
        ces.iter().filter(|c| c.eligible).find_map(|c| {
            let ce = c.capacity.ce;
            if c.capacity.fargate {
                return c.task_fits(need).then_some(PlaceOn::Task { ce });
            }
            if let Some(instance) = Self::best_fit(&c.ready, need).or_else(|| Self::best_fit(&c.launching, need)) {
                return Some(PlaceOn::Instance { ce, instance });
            }
            c.launch.as_ref().map(|_| PlaceOn::Launch { ce })
        })
    }

    fn clone_box(&self) -> Option<Box<dyn PlacementPolicy>> {
        Some(Box::new(*self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ec2(ce: u32, ready: &[(u32, u64, u64)], launch: bool) -> PlacementCandidate {
        let room = |&(id, cpu, mem): &(u32, u64, u64)| InstanceRoom {
            id: InstanceId(id),
            instance_type: "m5.large".into(),
            ready: true,
            free_millivcpus: cpu * 1000,
            free_memory_mib: mem,
            free_gpus: 0,
            total_millivcpus: 2000,
        };
        PlacementCandidate {
            capacity: CeCapacity {
                ce: CeId(ce),
                name: format!("ce{ce}"),
                enabled: true,
                fargate: false,
                max_vcpus: 16,
                used_millivcpus: 0,
                free_millivcpus: 0,
                free_memory_mib: Some(0),
                launchable_millivcpus: 0,
                instances: ready.len(),
            },
            eligible: true,
            ready: ready.iter().map(room).collect(),
            launching: Vec::new(),
            launch: launch.then(|| InstanceOption {
                index: 0,
                name: "m5.large".into(),
                millivcpus: 2000,
                memory_mib: 8192,
                gpus: 0,
                price_per_hour: 0.096,
                within_limit: true,
                available: None,
                entry: 0,
                interruptions_per_hour: 0.0,
                priced_out: false,
            }),
        }
    }

    #[test]
    fn best_fit_then_order_then_launch() {
        let job = Resources::new(1.0, 2048);
        // ce0: instance 1 has 2 vCPUs free, instance 2 one (best fit), instance 3 one but
        // too little memory.
        let ces = [
            ec2(0, &[(1, 2, 8000), (2, 1, 4000), (3, 1, 1000)], true),
            ec2(1, &[], true),
        ];
        assert_eq!(
            AwsOrder.place(JobId::new(1), &job, &ces),
            Some(PlaceOn::Instance {
                ce: CeId(0),
                instance: InstanceId(2)
            })
        );
        // ce0 full and unable to launch: ce1 launches.
        let ces = [ec2(0, &[(1, 0, 0)], false), ec2(1, &[], true)];
        assert_eq!(
            AwsOrder.place(JobId::new(1), &job, &ces),
            Some(PlaceOn::Launch { ce: CeId(1) })
        );
        // Not eligible (e.g. `strict`): skipped even with room.
        let mut held = ec2(0, &[(1, 2, 8000)], true);
        held.eligible = false;
        assert_eq!(AwsOrder.place(JobId::new(1), &job, &[held, ec2(1, &[], false)]), None);
    }
}
