//! What an Amazon EKS node offers pods: the memory and CPU the kubelet leaves allocatable.
//!
//! AWS Batch on Amazon EKS runs jobs as pods on EC2 nodes of the cluster, so the memory a job
//! can use on a node is Kubernetes' *allocatable* memory, not what the ECS agent registers:
//! the memory the OS sees (nominal minus the OS/kernel share, as for ECS:
//! [`super::instance_catalog::os_memory_mib`]) minus the kubelet's `kube-reserved` memory and
//! its hard eviction threshold. The EKS-optimized Amazon Linux AMI sets them
//! (`templates/al2/runtime/bootstrap.sh` of `awslabs/amazon-eks-ami`, read 2026-12-01):
//!
//! * `kube-reserved` memory = 11 MiB x max pods + 255 MiB ("KubeReserved is a function of
//!   pod density"), [`kube_reserved_memory_mib`];
//! * `--eviction-hard memory.available<100Mi` ([`EVICTION_HARD_MIB`]);
//! * max pods per type from `eni-max-pods.txt` of the same repository (commit
//!   `0254c5b490f819627461d1b24f87e440cbdb251f`; "# of ENI * (# of IPv4 per ENI - 1) + 2"),
//!   [`max_pods`]; a type not in it (a custom type) gets the kubelet's default of 110.
//!
//! The same script reserves CPU for `kube-reserved` (`get_cpu_millicores_to_reserve`: ranges
//! 0, 1000, 2000, 4000 millicores and the rest, reserved at 600, 100, 50 and 25 hundredths of
//! a percent, each range rounded down): 6% of the first core, 1% of the second, 0.5% of the
//! next two, 0.25% of every core above four ([`kube_reserved_millicores`]); a pod asking for
//! all the vCPUs of a node type does not fit it. The node's vCPUs still count whole for
//! `maxvCpus` and billing. Not modelled: DaemonSets' requests, `systemReserved` (not set by
//! default).

use super::instance_catalog::{os_memory_mib, InstanceType};

/// The kubelet's hard eviction threshold on the EKS-optimized AMI, in MiB
/// (`memory.available<100Mi`).
pub const EVICTION_HARD_MIB: u64 = 100;

/// The kubelet's default `maxPods`, for types `eni-max-pods.txt` does not list.
pub const DEFAULT_MAX_PODS: u64 = 110;

/// Max pods of a type on the EKS-optimized AMI (`eni-max-pods.txt`), else
/// [`DEFAULT_MAX_PODS`].
pub fn max_pods(instance_type: &InstanceType) -> u64 {
    MAX_PODS
        .iter()
        .find(|(n, _)| *n == instance_type.name)
        .map_or(DEFAULT_MAX_PODS, |(_, p)| *p)
}

/// `kube-reserved` memory for a node of `max_pods` pods: 11 MiB x max pods + 255 MiB.
pub fn kube_reserved_memory_mib(max_pods: u64) -> u64 {
    11 * max_pods + 255
}

/// CPU (millicores) the EKS-optimized AMI reserves for `kube-reserved` on a node of `vcpus`
/// vCPUs: 2 vCPUs 70, 4 vCPUs 80, 16 vCPUs 110, 96 vCPUs 310.
pub fn kube_reserved_millicores(vcpus: u32) -> u64 {
    let total = u64::from(vcpus) * 1000;
    let ranges = [
        (0, 1000, 600),
        (1000, 2000, 100),
        (2000, 4000, 50),
        (4000, u64::MAX, 25),
    ];
    ranges
        .iter()
        .filter(|(start, _, _)| total > *start)
        .map(|(start, end, pct)| (total.min(*end) - start) * pct / 100 / 100)
        .sum()
}

/// Memory (MiB) a node of this type leaves allocatable to pods: nominal - OS/kernel share -
/// `kube-reserved` - the eviction threshold. `m5.large`: 8192 - 559 - (11 x 29 + 255) - 100 =
/// 6959.
pub fn allocatable_memory_mib(instance_type: &InstanceType) -> u64 {
    instance_type
        .memory_mib
        .saturating_sub(os_memory_mib(instance_type))
        .saturating_sub(kube_reserved_memory_mib(max_pods(instance_type)))
        .saturating_sub(EVICTION_HARD_MIB)
}

/// `eni-max-pods.txt` rows for the built-in catalog's types.
#[rustfmt::skip]
const MAX_PODS: &[(&str, u64)] = &[
    ("c4.large", 29),
    ("c4.xlarge", 58),
    ("c4.2xlarge", 58),
    ("c4.4xlarge", 234),
    ("c4.8xlarge", 234),
    ("c5.large", 29),
    ("c5.xlarge", 58),
    ("c5.2xlarge", 58),
    ("c5.4xlarge", 234),
    ("c5.9xlarge", 234),
    ("c5.12xlarge", 234),
    ("c5.18xlarge", 737),
    ("c5.24xlarge", 737),
    ("c5.metal", 737),
    ("c6i.large", 29),
    ("c6i.xlarge", 58),
    ("c6i.2xlarge", 58),
    ("c6i.4xlarge", 234),
    ("c6i.8xlarge", 234),
    ("c6i.12xlarge", 234),
    ("c6i.16xlarge", 737),
    ("c6i.24xlarge", 737),
    ("c6i.32xlarge", 737),
    ("c6i.metal", 737),
    ("c7i.large", 29),
    ("c7i.xlarge", 58),
    ("c7i.2xlarge", 58),
    ("c7i.4xlarge", 234),
    ("c7i.8xlarge", 234),
    ("c7i.12xlarge", 234),
    ("c7i.16xlarge", 737),
    ("c7i.24xlarge", 737),
    ("c7i.metal-24xl", 737),
    ("c7i.48xlarge", 737),
    ("c7i.metal-48xl", 737),
    ("m4.large", 20),
    ("m4.xlarge", 58),
    ("m4.2xlarge", 58),
    ("m4.4xlarge", 234),
    ("m4.10xlarge", 234),
    ("m4.16xlarge", 234),
    ("m5.large", 29),
    ("m5.xlarge", 58),
    ("m5.2xlarge", 58),
    ("m5.4xlarge", 234),
    ("m5.8xlarge", 234),
    ("m5.12xlarge", 234),
    ("m5.16xlarge", 737),
    ("m5.24xlarge", 737),
    ("m5.metal", 737),
    ("m6i.large", 29),
    ("m6i.xlarge", 58),
    ("m6i.2xlarge", 58),
    ("m6i.4xlarge", 234),
    ("m6i.8xlarge", 234),
    ("m6i.12xlarge", 234),
    ("m6i.16xlarge", 737),
    ("m6i.24xlarge", 737),
    ("m6i.32xlarge", 737),
    ("m6i.metal", 737),
    ("m7i.large", 29),
    ("m7i.xlarge", 58),
    ("m7i.2xlarge", 58),
    ("m7i.4xlarge", 234),
    ("m7i.8xlarge", 234),
    ("m7i.12xlarge", 234),
    ("m7i.16xlarge", 737),
    ("m7i.24xlarge", 737),
    ("m7i.metal-24xl", 737),
    ("m7i.48xlarge", 737),
    ("m7i.metal-48xl", 737),
    ("r4.large", 29),
    ("r4.xlarge", 58),
    ("r4.2xlarge", 58),
    ("r4.4xlarge", 234),
    ("r4.8xlarge", 234),
    ("r4.16xlarge", 737),
    ("r5.large", 29),
    ("r5.xlarge", 58),
    ("r5.2xlarge", 58),
    ("r5.4xlarge", 234),
    ("r5.8xlarge", 234),
    ("r5.12xlarge", 234),
    ("r5.16xlarge", 737),
    ("r5.24xlarge", 737),
    ("r5.metal", 737),
    ("r6i.large", 29),
    ("r6i.xlarge", 58),
    ("r6i.2xlarge", 58),
    ("r6i.4xlarge", 234),
    ("r6i.8xlarge", 234),
    ("r6i.12xlarge", 234),
    ("r6i.16xlarge", 737),
    ("r6i.24xlarge", 737),
    ("r6i.32xlarge", 737),
    ("r6i.metal", 737),
    ("g4dn.xlarge", 29),
    ("g4dn.2xlarge", 29),
    ("g4dn.4xlarge", 29),
    ("g4dn.8xlarge", 58),
    ("g4dn.12xlarge", 234),
    ("g4dn.16xlarge", 58),
    ("g4dn.metal", 737),
    ("g5.xlarge", 58),
    ("g5.2xlarge", 58),
    ("g5.4xlarge", 234),
    ("g5.8xlarge", 234),
    ("g5.12xlarge", 737),
    ("g5.16xlarge", 234),
    ("g5.24xlarge", 737),
    ("g5.48xlarge", 345),
    ("p3.2xlarge", 58),
    ("p3.8xlarge", 234),
    ("p3.16xlarge", 234),
    ("m6g.medium", 8),
    ("m6g.large", 29),
    ("m6g.xlarge", 58),
    ("m6g.2xlarge", 58),
    ("m6g.4xlarge", 234),
    ("m6g.8xlarge", 234),
    ("m6g.12xlarge", 234),
    ("m6g.16xlarge", 737),
    ("m6g.metal", 737),
    ("c6g.medium", 8),
    ("c6g.large", 29),
    ("c6g.xlarge", 58),
    ("c6g.2xlarge", 58),
    ("c6g.4xlarge", 234),
    ("c6g.8xlarge", 234),
    ("c6g.12xlarge", 234),
    ("c6g.16xlarge", 737),
    ("c6g.metal", 737),
    ("r6g.medium", 8),
    ("r6g.large", 29),
    ("r6g.xlarge", 58),
    ("r6g.2xlarge", 58),
    ("r6g.4xlarge", 234),
    ("r6g.8xlarge", 234),
    ("r6g.12xlarge", 234),
    ("r6g.16xlarge", 737),
    ("r6g.metal", 737),
    ("c7g.medium", 8),
    ("c7g.large", 29),
    ("c7g.xlarge", 58),
    ("c7g.2xlarge", 58),
    ("c7g.4xlarge", 234),
    ("c7g.8xlarge", 234),
    ("c7g.12xlarge", 234),
    ("c7g.16xlarge", 737),
    ("c7g.metal", 737),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::instance_catalog::{builtin, lookup, Architecture};

    #[test]
    fn every_built_in_type_has_its_max_pods() {
        for t in builtin() {
            assert!(MAX_PODS.iter().any(|(n, _)| *n == t.name), "{}", t.name);
        }
        assert_eq!(MAX_PODS.len(), builtin().len());
        assert_eq!(max_pods(lookup("m5.large").unwrap()), 29);
        assert_eq!(max_pods(lookup("m4.large").unwrap()), 20);
        assert_eq!(max_pods(lookup("c6g.medium").unwrap()), 8);
        let custom = InstanceType::new("node", 4, 16384, 0, Architecture::X86_64, 0.0);
        assert_eq!(max_pods(&custom), 110);
    }

    /// bootstrap.sh: `memory_to_reserve=$((11 * $max_num_pods + 255))`, eviction at 100 Mi.
    #[test]
    fn allocatable_memory_follows_the_eks_ami() {
        assert_eq!(kube_reserved_memory_mib(29), 574);
        assert_eq!(
            allocatable_memory_mib(lookup("m5.large").unwrap()),
            8192 - 559 - 574 - 100
        );
        let custom = InstanceType::new("node", 4, 16384, 0, Architecture::X86_64, 0.0);
        assert_eq!(allocatable_memory_mib(&custom), 16384 - (11 * 110 + 255) - 100);
        for t in builtin() {
            assert!(allocatable_memory_mib(t) < crate::model::instance_catalog::registered_memory_mib(t));
        }
    }

    /// bootstrap.sh `get_cpu_millicores_to_reserve`: "cpu_ranges=(0 1000 2000 4000
    /// $total_cpu_on_instance)" reserved at "(600 100 50 25)" hundredths of a percent: 6% of
    /// the first core, 1% of the second, 0.5% of the next two, 0.25% of the rest.
    #[test]
    fn reserved_cpu_follows_the_eks_ami() {
        assert_eq!(kube_reserved_millicores(1), 60);
        assert_eq!(kube_reserved_millicores(2), 60 + 10);
        assert_eq!(kube_reserved_millicores(4), 60 + 10 + 10);
        assert_eq!(kube_reserved_millicores(5), 80 + 2, "2.5 rounded down");
        assert_eq!(kube_reserved_millicores(16), 80 + 30);
        assert_eq!(kube_reserved_millicores(96), 80 + 230);
        assert_eq!(kube_reserved_millicores(0), 0);
    }
}
