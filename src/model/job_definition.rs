//! Job definitions (RegisterJobDefinition) and their revisions.

use super::instance_catalog::Architecture;
use super::{Resources, RetryStrategy};
use crate::time::SimDuration;
use std::collections::BTreeMap;

/// `platformCapabilities`: where a job definition's jobs can run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Platform {
    /// EC2/SPOT compute environments (AWS's default).
    #[default]
    Ec2,
    /// FARGATE/FARGATE_SPOT compute environments.
    Fargate,
    /// An EKS job definition (`eksProperties`, no `platformCapabilities`): EC2/SPOT
    /// compute environments of an Amazon EKS cluster.
    Eks,
}

/// Whether a revision can still be submitted to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum JobDefinitionStatus {
    /// Usable.
    #[default]
    Active,
    /// Deregistered.
    Inactive,
}

/// One node range of a multi-node parallel job definition.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeRange {
    /// First node index covered.
    pub from: u32,
    /// Last node index covered (inclusive).
    pub to: u32,
    /// What each node of the range needs.
    pub resources: Resources,
}

/// `nodeProperties` of a `multinode` job definition.
#[derive(Clone, Debug, PartialEq)]
pub struct MultiNode {
    /// `numNodes`.
    pub num_nodes: u32,
    /// `mainNode`.
    pub main_node: u32,
    /// `nodeRangeProperties`, resolved to ranges.
    pub ranges: Vec<NodeRange>,
}

/// One revision of a job definition.
#[derive(Clone, Debug, PartialEq)]
pub struct JobDefinition {
    /// `jobDefinitionName`.
    pub name: String,
    /// Revision number: 1 for the first registration of a name, then 2, 3, ...
    pub revision: u32,
    /// ACTIVE or INACTIVE.
    pub status: JobDefinitionStatus,
    /// `platformCapabilities`.
    pub platform: Platform,
    /// vCPU, memory and GPU from `resourceRequirements` (or the legacy `vcpus`/`memory`).
    pub resources: Resources,
    /// `retryStrategy`.
    pub retry_strategy: RetryStrategy,
    /// `timeout.attemptDurationSeconds`.
    pub timeout: Option<SimDuration>,
    /// `schedulingPriority` (fair-share queues; higher first).
    pub scheduling_priority: u32,
    /// `parameters`: defaults for `Ref::name` placeholders in the command.
    pub parameters: BTreeMap<String, String>,
    /// `containerProperties.command`.
    pub command: Vec<String>,
    /// `nodeProperties` of a multi-node parallel job definition.
    pub multinode: Option<MultiNode>,
    /// `containerProperties.runtimePlatform.cpuArchitecture` (or the ECS task's): "The vCPU
    /// architecture. The default value is X86_64." It sets the Fargate price and keeps the
    /// job off Fargate Spot when `ARM64`; on EC2 the instance types decide.
    pub cpu_architecture: Architecture,
    /// `consumableResourceProperties.consumableResourceList`: the consumable resources each
    /// job of this definition needs, sorted by resource (one entry per resource).
    pub consumable_resources: Vec<super::ConsumableRequirement>,
}

impl JobDefinition {
    /// A container job definition with the given resources and AWS's defaults otherwise.
    pub fn container(name: impl Into<String>, platform: Platform, resources: Resources) -> Self {
        JobDefinition {
            name: name.into(),
            revision: 1,
            status: JobDefinitionStatus::Active,
            platform,
            resources,
            retry_strategy: RetryStrategy::default(),
            timeout: None,
            scheduling_priority: 0,
            parameters: BTreeMap::new(),
            command: Vec::new(),
            multinode: None,
            cpu_architecture: Architecture::X86_64,
            consumable_resources: Vec::new(),
        }
    }

    /// `name:revision`, as the per-job table prints it.
    pub fn name_revision(&self) -> String {
        format!("{}:{}", self.name, self.revision)
    }
}

/// A reference to a job definition: `name`, `name:rev` or an ARN ending in either.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobDefinitionRef {
    /// The job definition name.
    pub name: String,
    /// A revision, when the reference names one.
    pub revision: Option<u32>,
}

impl JobDefinitionRef {
    /// Parses `name`, `name:3` or `arn:aws:batch:...:job-definition/name:3`.
    pub fn parse(reference: &str) -> JobDefinitionRef {
        let tail = reference.rsplit('/').next().unwrap_or(reference);
        if let Some((name, rev)) = tail.rsplit_once(':') {
            if let Ok(r) = rev.parse::<u32>() {
                return JobDefinitionRef {
                    name: name.to_owned(),
                    revision: Some(r),
                };
            }
        }
        JobDefinitionRef {
            name: tail.to_owned(),
            revision: None,
        }
    }
}

/// Why a job definition reference did not resolve.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// No job definition has that name.
    #[error("no job definition has that name")]
    UnknownName,
    /// The name exists but not that revision.
    #[error("no such revision")]
    UnknownRevision,
    /// Every revision of the name is INACTIVE (or the named revision is).
    #[error("it is INACTIVE")]
    Inactive,
}

/// Every registered revision, by name.
#[derive(Clone, Debug, Default)]
pub struct JobDefinitionRegistry {
    revisions: Vec<JobDefinition>,
    by_name: BTreeMap<String, Vec<usize>>,
}

/// Index of one revision in a [`JobDefinitionRegistry`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JobDefinitionId(pub u32);

impl JobDefinitionRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `def` as the next revision of its name (the given `revision` is replaced).
    pub fn register(&mut self, mut def: JobDefinition) -> JobDefinitionId {
        let list = self.by_name.entry(def.name.clone()).or_default();
        def.revision = list.len() as u32 + 1;
        def.status = JobDefinitionStatus::Active;
        let id = self.revisions.len();
        list.push(id);
        self.revisions.push(def);
        JobDefinitionId(id as u32)
    }

    /// The revision a reference means now: `name` is the latest ACTIVE revision.
    pub fn resolve(&self, reference: &str) -> Result<JobDefinitionId, ResolveError> {
        let r = JobDefinitionRef::parse(reference);
        let list = self.by_name.get(&r.name).ok_or(ResolveError::UnknownName)?;
        let id = match r.revision {
            Some(rev) => *list
                .get((rev as usize).wrapping_sub(1))
                .ok_or(ResolveError::UnknownRevision)?,
            None => *list
                .iter()
                .rev()
                .find(|&&i| self.revisions[i].status == JobDefinitionStatus::Active)
                .ok_or(ResolveError::Inactive)?,
        };
        if self.revisions[id].status == JobDefinitionStatus::Inactive {
            return Err(ResolveError::Inactive);
        }
        Ok(JobDefinitionId(id as u32))
    }

    /// Marks a revision INACTIVE (`name` alone deregisters the latest ACTIVE revision).
    pub fn deregister(&mut self, reference: &str) -> Result<JobDefinitionId, ResolveError> {
        let id = self.resolve(reference)?;
        self.revisions[id.0 as usize].status = JobDefinitionStatus::Inactive;
        Ok(id)
    }

    /// One revision.
    pub fn get(&self, id: JobDefinitionId) -> &JobDefinition {
        &self.revisions[id.0 as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(name: &str, vcpus: f64) -> JobDefinition {
        JobDefinition::container(name, Platform::Fargate, Resources::new(vcpus, 2048))
    }

    #[test]
    fn second_registration_is_revision_two_and_name_means_latest_active() {
        let mut r = JobDefinitionRegistry::new();
        let a1 = r.register(def("etl", 1.0));
        let a2 = r.register(def("etl", 2.0));
        assert_eq!(r.get(a2).revision, 2);
        assert_eq!(r.resolve("etl"), Ok(a2));
        assert_eq!(r.resolve("etl:1"), Ok(a1));
        assert_eq!(
            r.resolve("arn:aws:batch:us-east-1:123456789012:job-definition/etl:2"),
            Ok(a2)
        );
        assert_eq!(
            r.resolve("arn:aws:batch:us-east-1:123456789012:job-definition/etl"),
            Ok(a2)
        );
        r.deregister("etl").unwrap();
        assert_eq!(r.resolve("etl"), Ok(a1), "latest ACTIVE revision after deregistering 2");
        assert_eq!(r.resolve("etl:2"), Err(ResolveError::Inactive));
        assert_eq!(r.resolve("etl:3"), Err(ResolveError::UnknownRevision));
        assert_eq!(r.resolve("etl:0"), Err(ResolveError::UnknownRevision));
        assert_eq!(r.resolve("nope"), Err(ResolveError::UnknownName));
        r.deregister("etl:1").unwrap();
        assert_eq!(r.resolve("etl"), Err(ResolveError::Inactive));
    }
}
