//! Compute environment capacity: what fits where, and the capacity events.

use super::Simulation;
use crate::model::{CeId, CeState, ComputeEnvironment, QueueId, Resources};
use crate::time::SimTime;
use crate::workload::rng::{stream, StreamKind};
use rand_chacha::ChaCha8Rng;

/// The engine's state of one compute environment.
pub(crate) struct CeRuntime {
    /// The definition, as changed by actions (state, vCPU limits).
    pub spec: ComputeEnvironment,
    /// milli-vCPUs held by dispatched attempts (Fargate: the tasks' vCPUs).
    pub used_millivcpus: u64,
    /// Queues that list this compute environment, in visiting order.
    pub attached: Vec<QueueId>,
    /// Spot reclaim draws.
    pub interruptions: ChaCha8Rng,
}

impl CeRuntime {
    pub fn new(spec: ComputeEnvironment, seed: u64, index: usize) -> Result<CeRuntime, String> {
        if !spec.kind.is_fargate() {
            return Err(format!(
                "compute environment `{}` is {}: EC2 and SPOT compute environments are not supported yet by this build (FARGATE and FARGATE_SPOT are)",
                spec.name,
                spec.kind.as_str()
            ));
        }
        Ok(CeRuntime {
            spec,
            used_millivcpus: 0,
            attached: Vec::new(),
            interruptions: stream(seed, StreamKind::Interruptions, index as u64),
        })
    }

    /// ENABLED compute environments take new jobs.
    pub fn enabled(&self) -> bool {
        self.spec.state == CeState::Enabled
    }

    fn max_millivcpus(&self) -> u64 {
        u64::from(self.spec.max_vcpus) * 1000
    }

    /// Whether a job needing `r` can be placed now.
    pub fn fits_now(&self, r: &Resources) -> bool {
        self.used_millivcpus + u64::from(r.millivcpus) <= self.max_millivcpus()
    }

    /// Whether a job needing `r` could ever be placed here (with everything else idle).
    pub fn could_ever_fit(&self, r: &Resources) -> bool {
        u64::from(r.millivcpus) <= self.max_millivcpus()
    }
}

impl Simulation {
    /// Brings a compute environment to its starting size (EC2: `desiredvCpus`/`minvCpus`).
    pub(super) fn start_compute_environment(&mut self, ce: CeId) {
        self.metrics.ces[ce.index()].max_since = SimTime::ZERO;
    }

    /// Capacity changed on `ce` (freed, added, limits or state changed): every queue that
    /// uses it must look again.
    pub(super) fn capacity_changed(&mut self, ce: CeId) {
        for i in 0..self.ces[ce.index()].attached.len() {
            let q = self.ces[ce.index()].attached[i];
            self.queues[q.index()].stalled = false;
        }
        self.dispatch_needed = true;
    }

    /// Integrates `maxvCpus` up to now (before it changes, and at the end).
    pub(super) fn integrate_max(&mut self, ce: CeId, now: SimTime) {
        let m = &mut self.metrics.ces[ce.index()];
        let span = u128::from(now.since(m.max_since).as_millis());
        m.max_vcpu_ms += span * u128::from(self.ces[ce.index()].spec.max_vcpus);
        m.max_since = now;
    }

    pub(super) fn instance_ready(&mut self, _ce: CeId, _instance: u32) {}
    pub(super) fn instance_notice(&mut self, _ce: CeId, _instance: u32) {}
    pub(super) fn instance_reclaimed(&mut self, _ce: CeId, _instance: u32) {}
    pub(super) fn scale_in_check(&mut self, _ce: CeId, _instance: u32, _idle_since_ms: u64) {}
}

impl Simulation {
    /// At the end of the run: instances still up are accounted to `end`.
    pub(super) fn close_capacity(&mut self, _end: SimTime) {}
}
