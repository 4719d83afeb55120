//! What a job asks for: vCPUs, memory and GPUs, and the Fargate size rules.

use std::fmt;

/// A job's resource requirement (or a capacity): vCPUs in thousandths, memory in MiB, GPUs.
///
/// vCPUs are kept in milli-vCPUs because Fargate sells 0.25 and 0.5 vCPU tasks; all capacity
/// arithmetic is then exact integer arithmetic.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Resources {
    /// vCPUs x 1000 (`250` is 0.25 vCPU).
    pub millivcpus: u32,
    /// Memory in MiB.
    pub memory_mib: u32,
    /// Number of GPUs.
    pub gpus: u32,
}

impl Resources {
    /// A requirement of `vcpus` vCPUs (fractions allowed) and `memory_mib` MiB, no GPU.
    pub fn new(vcpus: f64, memory_mib: u32) -> Resources {
        Resources {
            millivcpus: (vcpus * 1000.0).round() as u32,
            memory_mib,
            gpus: 0,
        }
    }

    /// vCPUs as a number (`0.25`).
    pub fn vcpus(&self) -> f64 {
        f64::from(self.millivcpus) / 1000.0
    }

    /// Memory in GB as AWS bills it (MiB / 1024).
    pub fn memory_gb(&self) -> f64 {
        f64::from(self.memory_mib) / 1024.0
    }
}

impl fmt::Display for Resources {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} vCPU, {} MiB", self.vcpus(), self.memory_mib)?;
        if self.gpus > 0 {
            write!(f, ", {} GPU", self.gpus)?;
        }
        Ok(())
    }
}

/// The Fargate task sizes: for each vCPU value, the memory range and step in MiB
/// (AWS Batch `resourceRequirements` for Fargate; 32 vCPU as listed by the API model).
const FARGATE_SIZES: &[(u32, &[u32])] = &[(250, &[512, 1024, 2048]), (500, &[1024, 2048, 3072, 4096])];

/// `(millivcpus, min MiB, max MiB, step MiB)` for the larger sizes.
const FARGATE_RANGES: &[(u32, u32, u32, u32)] = &[
    (1000, 2048, 8192, 1024),
    (2000, 4096, 16384, 1024),
    (4000, 8192, 30720, 1024),
    (8000, 16384, 61440, 4096),
    (16000, 32768, 122880, 8192),
    (32000, 65536, 245760, 8192),
];

/// The memory values (MiB) Fargate allows with `millivcpus`; empty when that vCPU value is
/// not a Fargate size.
pub fn fargate_memory_options(millivcpus: u32) -> Vec<u32> {
    if let Some((_, list)) = FARGATE_SIZES.iter().find(|(v, _)| *v == millivcpus) {
        return list.to_vec();
    }
    FARGATE_RANGES
        .iter()
        .find(|(v, ..)| *v == millivcpus)
        .map(|&(_, lo, hi, step)| (lo..=hi).step_by(step as usize).collect())
        .unwrap_or_default()
}

/// The vCPU values Fargate sells, in milli-vCPUs.
pub fn fargate_vcpu_options() -> impl Iterator<Item = u32> {
    FARGATE_SIZES
        .iter()
        .map(|(v, _)| *v)
        .chain(FARGATE_RANGES.iter().map(|(v, ..)| *v))
}

/// Checks a requirement against the Fargate sizes; the error says what would be valid.
pub fn check_fargate(r: &Resources) -> Result<(), String> {
    if r.gpus > 0 {
        return Err("Fargate does not offer GPUs".into());
    }
    let options = fargate_memory_options(r.millivcpus);
    if options.is_empty() {
        let valid: Vec<String> = fargate_vcpu_options()
            .map(|v| (f64::from(v) / 1000.0).to_string())
            .collect();
        return Err(format!(
            "{} vCPU is not a Fargate size (valid: {})",
            r.vcpus(),
            valid.join(", ")
        ));
    }
    if options.contains(&r.memory_mib) {
        return Ok(());
    }
    let (lo, hi) = (options[0], options[options.len() - 1]);
    let step = if options.len() > 1 { options[1] - options[0] } else { 0 };
    Err(format!(
        "{} MiB is not a valid Fargate memory size for {} vCPU (valid: {lo} to {hi} MiB in steps of {step} MiB)",
        r.memory_mib,
        r.vcpus()
    ))
}

/// The smallest memory Fargate allows with `millivcpus`, if that is a Fargate size.
pub fn fargate_min_memory(millivcpus: u32) -> Option<u32> {
    fargate_memory_options(millivcpus).first().copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fargate_table_matches_aws() {
        assert_eq!(fargate_memory_options(250), vec![512, 1024, 2048]);
        assert_eq!(fargate_memory_options(500), vec![1024, 2048, 3072, 4096]);
        assert_eq!(fargate_memory_options(1000).len(), 7);
        assert_eq!(fargate_memory_options(4000).last(), Some(&30720));
        assert_eq!(fargate_memory_options(8000)[1], 20480);
        assert_eq!(fargate_memory_options(16000).last(), Some(&122880));
        assert!(fargate_memory_options(3000).is_empty());
    }

    #[test]
    fn check_fargate_explains() {
        assert!(check_fargate(&Resources::new(1.0, 2048)).is_ok());
        assert!(check_fargate(&Resources::new(0.25, 512)).is_ok());
        let e = check_fargate(&Resources::new(1.0, 1024)).unwrap_err();
        assert!(e.contains("2048 to 8192"), "{e}");
        let e = check_fargate(&Resources::new(3.0, 8192)).unwrap_err();
        assert!(e.contains("not a Fargate size"), "{e}");
        let mut g = Resources::new(1.0, 2048);
        g.gpus = 1;
        assert!(check_fargate(&g).is_err());
    }
}
