//! Events that can change nothing, taken off the event queue before the clock moves to them.
//!
//! CONTRACT 7.2: `endSeconds` is "the time of the last event (actions and scale-ins
//! included)". A scale-in check that can end no instance, or a `jobStateTimeLimitActions`
//! clock that can cancel no head, is no event of the run: as the last one it would set
//! `endSeconds` and bill kept instances to it. Rather than cancel such checks wherever they
//! may become void (a cancelled set that is never empty costs a look-up per event; for
//! scale-in checks that was 5.2% on ec2-packing), the next event is looked at before the
//! clock moves to it (when no submission or action comes first), and dropped while it is
//! void. Both kinds stay void once they are: whatever happens in their own instant before
//! them cannot make them do something that a pass would not then do.

use super::event::Event;
use super::Simulation;
use crate::model::CeId;

impl Simulation {
    /// Takes the next engine events off the queue while they are checks that can do
    /// nothing, before the clock moves to them: such a check is no event of the run, and as
    /// the last one it would set `endSeconds` and bill kept instances to it (CONTRACT 7.2,
    /// 7.14 d, 7.9). A scale-in check stays void whatever happens first: its instance is
    /// gone or has started another idle period (epochs only grow), is busy (its next idle
    /// period has a new epoch), or is one the minimum keeps; the last is remembered as
    /// kept, as [`Simulation::scale_in`] would keep it, and every change that could free it
    /// (an instance READY, new limits) reviews the kept instances. A head clock: see
    /// [`Simulation::head_clock_is_void`]. Costs one look at the next event per step, in
    /// runs with instances or head clocks (`void_checks_on`).
    pub(super) fn drop_void_events(&mut self) {
        loop {
            let Some((at, &event)) = self.kernel.events.peek() else {
                return;
            };
            // Judged only when nothing but its own instant comes before it: a head clock
            // is void if its head has no reason now, and a reason that came in between
            // (an action) would have made it fire. What its instant's submissions and
            // actions do first, a pass then sees (a late reason cancels the head there).
            if self.kernel.next_outside_time().is_some_and(|t| t < at) {
                return;
            }
            let void = match event {
                Event::ScaleInCheck { ce, instance, epoch } => self.scale_in_check_is_void(ce, instance, epoch),
                Event::StateTimeLimit { slot, head_since_ms } => self.head_clock_is_void(slot, head_since_ms, at),
                _ => false,
            };
            if !void {
                return;
            }
            self.kernel.events.pop();
        }
    }

    /// Whether instance `instance`'s scale-in check of idle period `epoch` would end
    /// nothing (see [`Simulation::drop_void_events`]); an instance the minimum keeps is
    /// remembered as kept.
    fn scale_in_check_is_void(&mut self, ce: CeId, instance: u32, epoch: u32) -> bool {
        let c = &mut self.ces[ce];
        let min = u64::from(c.spec.min_vcpus) * 1000;
        let Some(pool) = c.pool.as_mut() else { return true };
        let ready = pool.ready_millivcpus;
        match pool.instances.get_mut(&instance) {
            None => true,
            Some(i) if i.idle_epoch != epoch => true,
            Some(i) if !i.is_idle() => {
                i.scale_in_check = None;
                true
            }
            Some(i) => {
                let vcpus = pool.types[i.type_index].room.millivcpus;
                let kept = ready.saturating_sub(vcpus) < min;
                if kept {
                    i.scale_in_check = None;
                    c.scale_in_kept.insert(instance);
                }
                kept
            }
        }
    }
}
