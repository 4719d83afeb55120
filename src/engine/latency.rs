//! Scheduler and scaling latency: the scheduler's evaluation cycle, the SUBMITTED ->
//! RUNNABLE delay and a compute environment's scale-out cooldown (issue 11, item 14).
//!
//! All three are off (0) by default, and then nothing here schedules an event or changes a
//! decision: a run is exactly the run without them.
//!
//! - **The cycle** (`simulation.schedulingIntervalSeconds`): "the AWS Batch Scheduler
//!   periodically evaluates jobs in the queue and moves them forward as appropriate ... with
//!   each scheduling interval" (AWS re:Post answer). A dispatch pass (CONTRACT 7.1 step 4)
//!   runs only at an instant that is a multiple of the interval. When something changes
//!   between cycles, one [`Event::SchedulerCycle`] is scheduled at the next multiple (at most
//!   one is pending); nothing else is scheduled, so a cycle costs a pass only when a pass is
//!   needed, and a run with no work ends.
//! - **The SUBMITTED delay** (`simulation.submittedToRunnableSeconds`): a SUBMITTED job "has
//!   not yet been evaluated by the scheduler. The scheduler evaluates the job to determine if
//!   it has any outstanding dependencies" (User Guide, *Job states*); the evaluation, an
//!   [`Event::JobEvaluated`], comes this long after the submission and moves the job to
//!   PENDING or RUNNABLE.
//! - **The scale-out cooldown** (`computeEnvironments[].simulation.scaleOutCooldownSeconds`):
//!   after an EC2/SPOT compute environment launched instances for jobs at `t`, it launches
//!   no more for jobs before `t` + cooldown; at that instant an
//!   [`Event::ScaleOutCooldownEnd`] wakes the queues that use it. Ready and launching room is
//!   used meanwhile; standing capacity (`minvCpus`, `desiredvCpus`) is not held back.
//!
//! The new events are ordered like every other engine event, by (time, creation), in step 3
//! of CONTRACT 7.1 (after the instant's submissions and actions).

use super::capacity::CeRuntime;
use super::event::Event;
use super::jobs::JobSlot;
use super::Simulation;
use crate::model::{CeId, JobId, JobStatus};

/// What the latency model keeps between instants.
#[derive(Clone, Debug, Default)]
pub(crate) struct LatencyState {
    /// The scheduler's settings (from the scenario's top-level `simulation`).
    pub scheduler: crate::model::SchedulerLatency,
    /// The instant of the pending [`Event::SchedulerCycle`], if one is scheduled.
    pub next_cycle: Option<crate::time::SimTime>,
    /// Some compute environment has a scale-out cooldown.
    pub cooldowns: bool,
    /// Cycles visited so far (each one [`Event::SchedulerCycle`]).
    pub cycles: u64,
}

impl CeRuntime {
    /// Whether this compute environment may decide a scale-out (launch instances for jobs)
    /// now: not inside the cooldown of an earlier decision (as of the last pass).
    pub fn may_scale_out(&self) -> bool {
        !self.scale_out_held
    }
}

impl Simulation {
    /// CONTRACT 7.1 step 4 with a scheduling cycle: the dispatch pass when one is needed and
    /// this instant is a cycle; else, when one is needed, a [`Event::SchedulerCycle`] at the
    /// next cycle (never more than one pending).
    pub(super) fn pass_if_due(&mut self) {
        if !self.dispatch_needed {
            return;
        }
        let now = self.kernel.now;
        let cycle = self.latency.scheduler.cycle_at_or_after(now);
        if cycle == now {
            if self.latency.cooldowns {
                self.refresh_scale_out_holds();
            }
            self.dispatch_pass();
        } else if !self.some_queue_would_move() {
            // The pass would visit no queue (each is empty or resting on a blocked head): it
            // is done now, so that no empty cycle is visited (nor extends the run).
            self.dispatch_needed = false;
        } else if self.latency.next_cycle != Some(cycle) {
            self.kernel.schedule(cycle, Event::SchedulerCycle);
            self.latency.next_cycle = Some(cycle);
        }
    }

    /// Whether a dispatch pass would look at some queue (the test `dispatch_pass` skips
    /// queues by).
    fn some_queue_would_move(&self) -> bool {
        self.queues
            .iter()
            .any(|q| !(q.stalled || (q.set.is_empty() && q.claimed.is_empty())))
    }

    /// The cycle's event: the pass itself runs after the instant's other events
    /// ([`Simulation::pass_if_due`]; a pass was needed when the event was scheduled, and
    /// only a pass clears that).
    ///
    /// A cycle is when a pass runs, not something that happens in the simulated world, so it
    /// is not counted in `events` (as passes are not): the report does not depend on how
    /// often a queue rests, which a custom policy never does (`tests/custom_decisions.rs`).
    pub(super) fn scheduler_cycle(&mut self) {
        self.latency.next_cycle = None;
        self.latency.cycles += 1;
        self.kernel.events_processed = self.kernel.events_processed.saturating_sub(1);
    }

    /// A new job stays SUBMITTED for `submittedToRunnableSeconds`; `true` when it was
    /// deferred so (the caller settles it now otherwise).
    pub(super) fn defer_evaluation(&mut self, slot: JobSlot) -> bool {
        let delay = self.latency.scheduler.submitted_to_runnable;
        if delay.is_zero() {
            return false;
        }
        let Some(id) = self.jobs.get(slot).map(|j| j.id()) else {
            return false;
        };
        let at = self.kernel.now + delay;
        self.kernel.schedule(at, Event::JobEvaluated { slot, id });
        true
    }

    /// The scheduler evaluates a SUBMITTED job: PENDING or RUNNABLE (or FAILED, when a
    /// dependency had already failed). A job cancelled, or failed by a dependency, while
    /// SUBMITTED is gone: nothing to do.
    pub(super) fn job_evaluated(&mut self, slot: JobSlot, id: JobId) {
        if self
            .jobs
            .get(slot)
            .is_some_and(|j| j.id() == id && j.status == JobStatus::Submitted)
        {
            self.evaluate_submitted(slot);
        }
    }

    /// Called when compute environment `ce` launches instances for a job: the first launch
    /// of an instant is a scale-out decision and starts its cooldown.
    pub(super) fn scaled_out(&mut self, ce: CeId) {
        let now = self.kernel.now;
        let c = &mut self.ces[ce];
        let cooldown = c.spec.scale_out_cooldown;
        if cooldown.is_zero() || c.last_scale_out == Some(now) {
            return;
        }
        c.last_scale_out = Some(now);
        self.kernel.schedule(now + cooldown, Event::ScaleOutCooldownEnd { ce });
    }

    /// A cooldown is over: the queues that use `ce` look again (jobs may launch instances).
    pub(super) fn scale_out_cooldown_over(&mut self, ce: CeId) {
        self.capacity_changed(ce);
    }

    /// Before a pass: which compute environments are inside a cooldown now. The instant of
    /// the decision itself is not (all the launches of one pass are one decision).
    fn refresh_scale_out_holds(&mut self) {
        let now = self.kernel.now;
        for c in &mut self.ces {
            let cooldown = c.spec.scale_out_cooldown;
            c.scale_out_held = c.last_scale_out.is_some_and(|t| now > t && now < t + cooldown);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Options, Scenario, Simulation};

    fn sparse(interval: &str) -> Simulation {
        let text = format!(
            r#"{{"simulation": {{"schedulingIntervalSeconds": {interval}}},
              "computeEnvironments": [{{"computeEnvironmentName": "f", "type": "MANAGED",
                 "computeResources": {{"type": "FARGATE", "maxvCpus": 4}}, "simulation": {{"startupSeconds": 0}}}}],
              "jobQueues": [{{"jobQueueName": "q", "priority": 1,
                 "computeEnvironmentOrder": [{{"order": 1, "computeEnvironment": "f"}}]}}],
              "jobDefinitions": [{{"jobDefinitionName": "d", "type": "container", "platformCapabilities": ["FARGATE"],
                 "containerProperties": {{"resourceRequirements": [{{"type": "VCPU", "value": "1"}}, {{"type": "MEMORY", "value": "2048"}}]}}}}],
              "workload": [{{"arrivals": {{"process": "every", "seconds": 86400.5}}, "count": 10,
                 "submitJob": {{"jobName": "j", "jobQueue": "q", "jobDefinition": "d"}},
                 "runtime": {{"distribution": "fixed", "seconds": 60}}}}]}}"#
        );
        let s = Scenario::from_json_str(&text, "sparse.json").expect("valid");
        Simulation::new(&s, Options::default()).expect("runs")
    }

    #[test]
    fn a_cycle_is_visited_only_when_a_pass_is_needed() {
        // A 1 ms cycle over ten jobs a day apart: 8.6 * 10^8 cycles in the run. Each job
        // needs one (it became RUNNABLE between two); its end frees capacity no job waits
        // for, which needs none.
        let mut sim = sparse("0.001");
        while sim.step() {}
        assert_eq!(sim.latency.cycles, 0, "every submission falls on a 1 ms cycle");
        let mut sim = sparse("7");
        while sim.step() {}
        // The first job (at 0 s) falls on a cycle; the others (at 86400.5 s x k) do not.
        assert_eq!(sim.latency.cycles, 9);
        let report = sim.finish();
        assert_eq!(report.jobs.succeeded, 10);
        // Cycles are not events: submissions and ends only.
        assert_eq!(report.events, 20);
        assert_eq!(report.wait_seconds.stats.count, 10);
    }
}
