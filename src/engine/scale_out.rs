//! Demand-sized scale-out in the engine (`simulation.scaleOut: "demand"`): when a job needs
//! a new instance, the compute environment decides once for the queue's RUNNABLE jobs that no
//! live instance takes, launches the plan's instances, and the jobs then claim their room in
//! normal pass order (CONTRACT 7.14 a-c are kept: the job being placed claims room on one of
//! the new instances, the next jobs find launching room, claims stay non-binding, scale-in
//! runs after the pass).
//!
//! The demand: the job being placed, then the queue's other RUNNABLE jobs in submission
//! order (single-node, of an architecture the compute environment runs), each left out when
//! a live instance has room for it (a best-fit index look-up per change of shape; several
//! such jobs may count on one room, which only makes the demand smaller: the jobs left over
//! start another decision in the same pass), until their vCPUs reach what `maxvCpus` leaves
//! (or 4,096 jobs). Its cost grows with the demand, not with the queue or the instances: a
//! FIFO queue is read lazily in order, and the plan works on runs of equal jobs.

use super::ec2::{Ec2Placement, Room};
use super::jobs::JobSlot;
use super::Simulation;
use crate::model::{CeId, Resources, ScaleOutMode};
use crate::policy::{DemandScaleOut, ScaleOutPolicy};

/// The most jobs one demand holds.
const MAX_DEMAND_JOBS: usize = 4096;

impl Simulation {
    /// Whether `ce` sizes its scale-outs for the demand.
    #[inline]
    pub(super) fn demand_sized(&self, ce: CeId) -> bool {
        self.ces[ce].spec.scale_out == ScaleOutMode::Demand
    }

    /// The job in `slot` needs an instance of type `t` on `ce` (the per-job answer): launches
    /// the demand's plan and returns the live instance the job takes (best fit).
    pub(super) fn launch_for_demand(&mut self, slot: JobSlot, ce: CeId, t: usize) -> u32 {
        let demand = self.demand(slot, ce);
        let Some(&first) = demand.first() else {
            return self.launch_instance(ce, t, false);
        };
        let c = &self.ces[ce];
        let Some(pool) = &c.pool else { return 0 };
        let (max, strategy) = (c.spec.max_vcpus, c.spec.allocation_strategy);
        let view = pool.scale_out_view(ce, max, strategy, |i| self.ec2_available(ce, i));
        let plan = match &c.scale_out.0 {
            Some(custom) => custom.lock().launch_plan(&demand, &view),
            None => DemandScaleOut.launch_plan(&demand, &view),
        };
        // The first instance must hold the job being placed (else the per-job answer).
        let first_holds = plan
            .instances
            .first()
            .and_then(|&i| pool.types.get(i))
            .is_some_and(|ty| ty.usable().holds(&Room::of(&first)));
        let instances = if first_holds { plan.instances } else { vec![t] };
        for (k, i) in instances.into_iter().enumerate() {
            let c = &self.ces[ce];
            let Some(pool) = &c.pool else { break };
            let Some(ty) = pool.types.get(i) else { break };
            let ok = pool.may_launch(ty.room.millivcpus, max, strategy) && self.ec2_available(ce, i) != Some(0);
            if !ok {
                if k == 0 {
                    // Checked before (the per-job answer); cannot fail, but never launch
                    // nothing for the job.
                    return self.launch_instance(ce, t, false);
                }
                break;
            }
            let id = self.launch_instance(ce, i, false);
            if k > 0
                && self.ces[ce]
                    .pool
                    .as_ref()
                    .is_some_and(|p| p.instances.get(&id).is_some_and(|x| x.ready))
            {
                // Ready at once (no launch time) and unclaimed: it settles after the pass.
                self.ces[ce].settle.push(id);
                self.scale_in_pending = true;
            }
        }
        match self.ces[ce].pool.as_ref().and_then(|p| p.plan_existing(&first)) {
            Some(Ec2Placement::Ready(id) | Ec2Placement::Launching(id)) => id,
            _ => self.launch_instance(ce, t, false),
        }
    }

    /// The demand the job in `slot` starts (see the module docs).
    fn demand(&self, slot: JobSlot, ce: CeId) -> Vec<Resources> {
        let Some(job) = self.jobs.get(slot) else {
            return Vec::new();
        };
        let mut out = vec![job.resources()];
        let c = &self.ces[ce];
        let Some(pool) = &c.pool else { return out };
        let max = u64::from(c.spec.max_vcpus) * 1000;
        let mut headroom = max.saturating_sub(pool.provisioned_millivcpus + u64::from(job.resources().millivcpus));
        if headroom == 0 {
            return out;
        }
        let qr = &self.queues[job.queue()];
        let view = qr.set.view(self.kernel.now);
        // Whether a job of this shape has room on a live instance (best-fit index look-ups,
        // one per change of shape; the job being placed has none).
        let mut last: (Resources, bool) = (job.resources(), false);
        for queued in view.jobs_in_submission_order() {
            if out.len() >= MAX_DEMAND_JOBS || headroom == 0 {
                break;
            }
            if queued.slot == slot.0 {
                continue;
            }
            let Some(other) = self.jobs.get(JobSlot(queued.slot)) else {
                continue;
            };
            if other.spec.nodes.is_some() || !c.runs_architecture(other.spec.architecture) {
                continue;
            }
            if other.resources() != last.0 {
                last = (other.resources(), pool.plan_existing(&other.resources()).is_some());
            }
            if last.1 {
                continue;
            }
            headroom = headroom.saturating_sub(u64::from(other.resources().millivcpus));
            out.push(other.resources());
        }
        out
    }
}
