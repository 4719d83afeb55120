//! Free capacity of compute environments and instances, as decisions see it.

use crate::model::{CeId, Resources};

/// An EC2/SPOT instance of one compute environment (numbered from 1 in launch order; the
/// per-job table names it `i-...`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InstanceId(pub u32);

/// One live instance's free room.
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceRoom {
    /// The instance.
    pub id: InstanceId,
    /// Its type (`m5.large`).
    pub instance_type: String,
    /// READY (running containers); `false` while it launches.
    pub ready: bool,
    /// Free milli-vCPUs (after running attempts and claims).
    pub free_millivcpus: u64,
    /// Free memory, MiB.
    pub free_memory_mib: u64,
    /// Free GPUs.
    pub free_gpus: u64,
    /// What jobs can use of the whole instance, milli-vCPUs.
    pub total_millivcpus: u64,
}

impl InstanceRoom {
    /// Whether a job needing `r` fits the free room.
    pub fn holds(&self, r: &Resources) -> bool {
        self.free_millivcpus >= u64::from(r.millivcpus)
            && self.free_memory_mib >= u64::from(r.memory_mib)
            && self.free_gpus >= u64::from(r.gpus)
    }
}

/// A compute environment's capacity now, as a job policy sees it ([`super::QueueView::capacity`]).
#[derive(Clone, Debug, PartialEq)]
pub struct CeCapacity {
    /// The compute environment.
    pub ce: CeId,
    /// `computeEnvironmentName`.
    pub name: String,
    /// ENABLED (takes new jobs).
    pub enabled: bool,
    /// FARGATE or FARGATE_SPOT (no instances: a job takes vCPUs of `maxvCpus`).
    pub fargate: bool,
    /// Current `maxvCpus`.
    pub max_vcpus: u32,
    /// milli-vCPUs held by dispatched attempts.
    pub used_millivcpus: u64,
    /// milli-vCPUs a job could take now without a launch: on Fargate `maxvCpus` less what
    /// attempts hold; on EC2/SPOT the free vCPUs of the READY instances that take jobs.
    pub free_millivcpus: u64,
    /// Free memory (MiB) of those READY instances; `None` on Fargate (no memory limit of
    /// its own).
    pub free_memory_mib: Option<u64>,
    /// EC2/SPOT: milli-vCPUs that may still be launched before `maxvCpus` (0 on Fargate).
    pub launchable_millivcpus: u64,
    /// Live instances (0 on Fargate).
    pub instances: usize,
}
