//! The simulation's own events (submissions and actions are fed from their own sources).

use super::jobs::JobSlot;
use crate::model::{CeId, JobId, QueueId};

/// Something the engine scheduled for later. Job events carry the attempt id, so an event
/// that outlived its attempt (terminated, interrupted) is recognised and ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A STARTING job's container is up: RUNNING.
    TaskRunning {
        /// The job.
        slot: JobSlot,
        /// Its attempt.
        attempt: u64,
    },
    /// The attempt's run time (or its timeout) is over.
    AttemptEnd {
        /// The job.
        slot: JobSlot,
        /// Its attempt.
        attempt: u64,
        /// True when the timeout ended it.
        timed_out: bool,
    },
    /// A Fargate Spot task is reclaimed.
    TaskReclaimed {
        /// The job.
        slot: JobSlot,
        /// Its attempt.
        attempt: u64,
    },
    /// An EC2 instance finished launching.
    InstanceReady {
        /// The compute environment.
        ce: CeId,
        /// The instance.
        instance: u32,
    },
    /// A Spot interruption notice for an instance.
    InstanceNotice {
        /// The compute environment.
        ce: CeId,
        /// The instance.
        instance: u32,
    },
    /// A Spot instance is reclaimed.
    InstanceReclaimed {
        /// The compute environment.
        ce: CeId,
        /// The instance.
        instance: u32,
    },
    /// An instance has been idle for `scaleInIdleSeconds`: check whether to terminate it.
    ScaleInCheck {
        /// The compute environment.
        ce: CeId,
        /// The instance.
        instance: u32,
        /// The idle period this check belongs to (the instance's idle epoch).
        epoch: u32,
    },
    /// A head job's `jobStateTimeLimitActions` time is up.
    StateTimeLimit {
        /// The job.
        slot: JobSlot,
        /// When it became head (the check belongs to that period).
        head_since_ms: u64,
    },
    /// A fair-share queue that could not place a job: a share of it goes inactive now (the
    /// decay period since its last job is over), so `computeReservation` may allow more.
    ShareExpiry {
        /// The queue.
        queue: QueueId,
    },
    /// A Spot price change or the end of a Fargate Spot window without capacity
    /// (`spot_market.rs`).
    SpotMarket {
        /// The compute environment.
        ce: CeId,
    },
    /// A LAMBDA function's 10-second scaling window closed: it may create new execution
    /// environments again.
    LambdaScalingWindow {
        /// The compute environment.
        ce: CeId,
        /// The function (its memory size, MB).
        memory_mb: u32,
    },
    /// The scheduler's next evaluation cycle (`simulation.schedulingIntervalSeconds`): a
    /// dispatch pass is due at this instant.
    SchedulerCycle,
    /// The scheduler evaluates a SUBMITTED job (`simulation.submittedToRunnableSeconds`
    /// after its submission): PENDING or RUNNABLE.
    JobEvaluated {
        /// The job.
        slot: JobSlot,
        /// Its id (the slot may have been reused if the job was cancelled meanwhile).
        id: JobId,
    },
    /// A compute environment's scale-out cooldown is over: it may launch instances for jobs.
    ScaleOutCooldownEnd {
        /// The compute environment.
        ce: CeId,
    },
    /// An insufficient-capacity window of the scenario's `ec2Capacity` closed: EC2/SPOT
    /// compute environments may launch its types again.
    Ec2CapacityReturns,
}
