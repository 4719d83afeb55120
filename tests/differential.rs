//! Scenarios on which batchsim disagreed with independent implementations of the contract
//! (Python, written from `docs/CONTRACT.md` alone, fourteenth session: EC2 and Fargate with
//! fair share, `jobStateTimeLimitActions`, actions and billing). Each file in
//! `tests/data/differential/` is a minimised scenario; each test names the contract or AWS
//! sentence that decides it and fails without its fix.

mod common;

use batchsim::{JobRecord, JobStatus, Report, Scenario};

fn run(name: &str) -> (Report, Vec<JobRecord>) {
    common::run_data_file("differential", name)
}

fn secs(t: Option<batchsim::SimTime>) -> f64 {
    t.map_or(f64::NAN, |t| t.as_secs_f64())
}

const CANCELLED_MAX_RESOURCE: &str =
    "Canceled by JobStateTimeLimit action due to reason: MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE";

/// Fargate `maxvCpus` 4; a and b need 4 vCPUs; b is the head from 0 and waits its turn (no
/// reason), so its 600 s clock runs out with nothing to do. At 1000 an action lowers
/// `maxvCpus` to 2: b now has `COMPUTE_ENVIRONMENT_MAX_RESOURCE` and has been the head for
/// 1000 s. CONTRACT 6: "cancel a head-of-queue job left RUNNABLE longer than
/// `maxTimeSeconds` for the given reason"; it is cancelled at 1000 (it stayed RUNNABLE for
/// ever: the reason was only looked at when the clock ran out).
#[test]
fn a_reason_that_comes_after_the_head_clock_ran_out_cancels_the_head() {
    let (r, jobs) = run("reason-after-the-head-clock-ran-out");
    assert_eq!(jobs[1].status, JobStatus::Failed);
    assert_eq!(jobs[1].status_reason.as_deref(), Some(CANCELLED_MAX_RESOURCE));
    assert_eq!(secs(jobs[1].stopped_at), 1000.0);
    assert_eq!((r.jobs.cancelled, r.jobs.unfinished), (1, 0));
}

/// `maxvCpus` 1: B is the head from 0 and runs at 100; both jobs are done at 200. B's head
/// clock (600 s) did nothing: the run ends at 200 (CONTRACT 7.2: "the time of the last
/// event"), not at 600, and `utilizationOfMax` is 200 / (1 x 200) = 1 (was 1/3).
#[test]
fn the_head_clock_of_a_dispatched_head_is_no_event() {
    let (r, _) = run("head-clock-after-the-run-ended");
    assert_eq!(r.end_seconds, 200.0);
    assert_eq!(r.compute_environments["ce0"].utilization_of_max, 1.0);
}

/// The same on EC2 (an m5.2xlarge kept for `minvCpus`): the array's last child is the head
/// from 110 to 140; the run ends at 170 with its last job, not at 110 + 700 = 810, and the
/// kept instance is billed to 170 (cost 0.0181 instead of 0.0864).
#[test]
fn the_head_clock_of_a_dispatched_head_bills_nothing_on_ec2() {
    let (r, _) = run("head-clock-of-a-dispatched-head");
    assert_eq!(r.end_seconds, 170.0);
    assert_eq!(r.compute_environments["ce1"].vcpu_seconds_provisioned, 8.0 * 170.0);
}

/// An ARM64 job needing 4 vCPUs on a queue with FARGATE (`maxvCpus` 2) and FARGATE_SPOT
/// (`maxvCpus` 1). Fargate Spot never runs ARM64 ("Fargate Spot is not supported for ARM64
/// ... you can attach both FARGATE and FARGATE_SPOT compute environments to the same job
/// queue", API reference), so the job skips it and FARGATE's `maxvCpus` decides: 7.9,
/// `COMPUTE_ENVIRONMENT_MAX_RESOURCE` "when every attached CE's `maxvCpus` is below the job's
/// need" (both are), not `JOB_RESOURCE_REQUIREMENT` ("no ... task size of the attached CEs
/// can hold it": FARGATE has a 4-vCPU ARM64 size). The queue's MAX_RESOURCE entry fires at
/// 600.
#[test]
fn an_arm64_job_on_fargate_and_fargate_spot_is_blocked_by_fargate_maxvcpus() {
    let (_, jobs) = run("arm64-job-blocked-by-fargate-maxvcpus");
    assert_eq!(jobs[0].status_reason.as_deref(), Some(CANCELLED_MAX_RESOURCE));
    assert_eq!(secs(jobs[0].stopped_at), 600.0);
}

/// Fair share on `big` (max 4): a1 (share a) and b1 (share b) run; a2 (2 vCPUs) and b2 (4)
/// wait. At 500 the queue moves to `other` (max 2, busy with another queue's x until 2000).
/// R is equal, so a2 is the pick and waits its turn (no reason). At 1000 b1 ends on `big`,
/// which the queue no longer lists: share b's R drops to 0 (CONTRACT 6: R "is the vCPUs its
/// jobs hold now"), b2 becomes the pick, with `COMPUTE_ENVIRONMENT_MAX_RESOURCE` (4 > 2), and
/// is cancelled at 1600; a2 runs when x ends, at 2000. Before, the queue slept on its old
/// pick until `other` freed at 2000, picked b2 then, blocked on it ("a fair-share queue
/// blocks on the job its policy picks", 7.7) and a2 waited until 2600.
#[test]
fn a_fair_share_pick_is_made_again_when_usage_ends_on_a_compute_environment_the_queue_left() {
    let (r, jobs) = run("fair-share-pick-after-usage-ends-on-a-detached-ce");
    assert_eq!(jobs[4].status_reason.as_deref(), Some(CANCELLED_MAX_RESOURCE));
    assert_eq!(secs(jobs[4].stopped_at), 1600.0);
    assert_eq!(secs(jobs[3].started_at), 2000.0);
    assert_eq!((r.jobs.cancelled, r.jobs.succeeded), (1, 4));
}

/// `desiredvCpus` 4 (two c5.large) READY at 0 scale in at once (`scaleInIdleSeconds` 0). At
/// 30 an update sets only `maxvCpus`: nothing is relaunched (7.14 e: the desired capacity
/// "Raised later by an action, it launches normally"; nothing was raised, and AWS moves the
/// desired count with demand). Only the job's own instance is launched: 3 in all (was 5).
#[test]
fn an_update_that_names_no_minimum_or_desired_count_launches_nothing() {
    let (r, _) = run("update-of-maxvcpus-launches-no-desired-capacity");
    let ce = &r.compute_environments["ce0"];
    assert_eq!((ce.instances_launched, ce.vcpu_seconds_provisioned), (3, 180.0));
}

/// The same with `state: ENABLED` sent to an enabled compute environment at 100, after
/// `desiredvCpus` 2 was set (and scaled in) at 10: one launch, not two.
#[test]
fn re_enabling_an_enabled_compute_environment_launches_nothing() {
    let (r, _) = run("update-of-state-launches-no-desired-capacity");
    assert_eq!(r.compute_environments["ce1"].instances_launched, 1);
}

/// ce0 (launch 0) is at its limit at 0, so child 1:2 claims room on an instance launching
/// on ce1 (READY at 30). At 10 ce0's idle c5.large scales in and child 1:3 launches an
/// m5.xlarge there, READY at once with room left for 1:2. The pass repeats (CONTRACT 6:
/// "The pass repeats until nothing more is placed"), and 7.14 c: "a later pass gives the
/// claimed job any READY room it fits": 1:2 starts at 10 on ce0, not at 30 on ce1.
#[test]
fn a_claimed_job_takes_ready_room_made_later_in_the_same_pass() {
    let (r, jobs) = run("claimed-job-gets-ready-room-made-mid-pass");
    let started: Vec<f64> = jobs.iter().map(|j| secs(j.started_at)).collect();
    assert_eq!(started, [0.0, 0.0, 10.0, 10.0]);
    assert_eq!(jobs[2].compute_environment.as_deref(), Some("ce0"));
    assert_eq!(r.end_seconds, 120.0);
}

/// A queue's head waits for capacity that never frees (no reason), so its 600 s clock can
/// do nothing; nothing else happens after 50. The run ends at 50 (was 750: the clock that
/// fired for nothing was the last event). The job stays RUNNABLE, reported unfinished.
#[test]
fn the_head_clock_of_a_head_without_a_reason_is_no_event() {
    let (r, _) = run("head-clock-of-a-head-without-a-reason");
    assert_eq!((r.end_seconds, r.jobs.unfinished), (50.0, 1));
}

/// The same on EC2, where the head's reason is not one the queue's actions name: ends at 30
/// (was 730).
#[test]
fn the_head_clock_of_a_head_whose_reason_no_action_names_is_no_event() {
    let (r, _) = run("head-clock-of-a-head-without-a-reason-on-ec2");
    assert_eq!((r.end_seconds, r.jobs.unfinished), (30.0, 1));
}

/// At 60 an r5.xlarge launched READY at once for a job has room left, and the claimed
/// children 4:0 and 4:1 (earlier by submission than the jobs after it) take it in that pass,
/// before the queue's later jobs (README: a claimed job gets READY room "before the queue's
/// later jobs", the room made within the pass included). They start at 60, not 70; the run
/// ends at 130.
#[test]
fn claimed_jobs_take_room_made_in_the_pass_before_later_jobs() {
    let (r, jobs) = run("claimed-job-before-later-job-in-the-same-pass");
    let started = |id: &str| {
        let j = jobs.iter().find(|j| j.job_id.to_string() == id).expect("job");
        secs(j.started_at)
    };
    assert_eq!((started("4:0"), started("4:1"), started("4:2")), (60.0, 60.0, 70.0));
    assert_eq!(r.end_seconds, 130.0);
}

/// The problems of a scenario that must not load.
fn refused(name: &str) -> Vec<String> {
    let path = format!("{}/tests/data/differential/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let e = Scenario::from_file(&path).expect_err("refused");
    e.problems().iter().map(|p| p.to_string()).collect()
}

/// An `updateComputeEnvironment` that leaves `minvCpus` above `maxvCpus` (12 over 4 at 70 s)
/// or names a `desiredvCpus` outside them is refused at its path, following the limits
/// through the actions before it: AWS, "When you update the desiredvCpus setting, the value
/// must be between the minvCpus and maxvCpus values" (API model). They ran, and the engine
/// kept a minimum past the maximum.
#[test]
fn an_update_that_leaves_the_limits_inconsistent_is_refused() {
    assert_eq!(
        refused("action-raises-the-minimum-above-the-maximum"),
        ["actions[1].updateComputeEnvironment.computeResources.minvCpus: leaves minvCpus (12) above maxvCpus (4) at 70 s; a compute environment's minimum must not exceed its maximum"]
    );
    let desired = refused("action-sets-desired-above-the-maximum");
    assert_eq!(desired.len(), 2);
    assert!(
        desired[0].starts_with(
            "actions[0].updateComputeEnvironment.computeResources.desiredvCpus: must be between minvCpus (0) and maxvCpus (6) at 30 s, found 12"
        ),
        "{desired:?}"
    );
}

/// The head is the head from 0 with no reason; at 400 an action lowers `maxvCpus` below its
/// need, so it has one before its 1,200 s clock runs out: it is cancelled at 1200 (7.9: "the
/// clock starts when the job becomes its queue's head"). A first version of the void-event
/// look judged the clock at 0, before the action, and dropped it: the job stayed RUNNABLE.
#[test]
fn a_reason_that_comes_before_the_head_clock_runs_out_cancels_at_the_clock() {
    let (r, jobs) = run("reason-before-the-head-clock-runs-out");
    assert_eq!(jobs[0].status_reason.as_deref(), Some(CANCELLED_MAX_RESOURCE));
    assert_eq!((secs(jobs[0].stopped_at), r.end_seconds), (1200.0, 1200.0));
}

/// The same with a new head: job 3 becomes the head at 1200 when job 2 starts, gets its
/// reason from an action, and is cancelled when its clock runs out at 2200, not at the next
/// event that happened to come (2400.25).
#[test]
fn the_clock_of_a_new_head_cancels_at_its_own_time() {
    let (_, jobs) = run("head-clock-of-a-new-head-after-an-action");
    assert_eq!(jobs[2].status_reason.as_deref(), Some(CANCELLED_MAX_RESOURCE));
    assert_eq!(secs(jobs[2].stopped_at), 2200.0);
}

/// `computeReservation` 75 on a fair-share queue whose array (share t1) the reservation
/// never lets through, beside a kept `minvCpus` instance. Share C's last job ends at 705 and
/// C goes inactive at 705 + 3,600: with one share fewer the reserve only grows, `(c/100)^A`
/// ("It reserves 25% if there are two fair share identifiers. It reserves 12.5% if there are
/// three", API model), so nothing can start then. The run ends at 705 (it ended at 4,305 on
/// a pass that placed nothing, and billed the kept instance to it: $0.41 instead of $0.07).
#[test]
fn a_share_going_inactive_under_compute_reservation_is_no_event() {
    let (r, _) = run("reservation-share-expiry-lets-nothing-through");
    assert_eq!((r.end_seconds, r.jobs.unfinished), (705.0, 4));
    assert!(r.cost.total < 0.07, "{}", r.cost.total);
}

/// Fair share with `computeReservation` 60 on Fargate (`maxvCpus` 12), from an independent
/// implementation of sections 6 and 7.7 (fifteenth session). Share d's first jobs end by 65,
/// so d lingers until 95; j4 (share c, 4 vCPUs) is refused at 85 (4 + 4 > 12 x (1 - 0.6^2) =
/// 7.68) and is the pick again at 88, when j5 (share d) joins and d is active again. From 88
/// to 669 nothing changes (section 6: a pass runs when "a job becomes RUNNABLE, capacity
/// frees or arrives, an action applies"), so j5 waits for j3's end at 669 and both j4 and j5
/// start at 674. batchsim ran a pass at 95, d's former expiry, where the drifted pick let j5
/// start at 100.
#[test]
fn a_share_that_is_active_again_before_its_expiry_wakes_nothing() {
    let (r, jobs) = run("share-back-before-its-expiry-wakes-nothing");
    assert_eq!(secs(jobs[4].started_at), 674.0);
    assert_eq!(secs(jobs[4].stopped_at), 1124.0);
    assert_eq!(secs(jobs[3].started_at), 674.0);
    assert_eq!(r.end_seconds, 1124.0);
}

/// j1 (share b, 4 vCPUs) never fits under `computeReservation` 20 on 4 vCPUs (3.2 with one
/// share, 3.84 with two); j2 (share a) ends at 790 and a lingers until 1390, but j3 (share a)
/// joins at 1222, so nothing happens at 1390: the run ends at 1222 (CONTRACT 7.2: "the time
/// of the last event"), not at 1390.
#[test]
fn a_share_that_is_active_again_before_its_expiry_is_no_last_event() {
    let (r, jobs) = run("share-back-before-its-expiry-is-no-last-event");
    assert_eq!(r.end_seconds, 1222.0);
    assert_eq!(secs(jobs[1].stopped_at), 790.0);
    assert_eq!(r.jobs.unfinished, 2);
}

/// The same scenario with AWS's rule installed as a custom reservation rule, which (unlike
/// the built-in) gets a wake-up at a lingering share's expiry, since a custom rule may read
/// the active shares any way: the wake-up set for d's expiry at 95 goes when d is active
/// again at 88 (there is no other lingering share to wake for), so the run is the built-in's.
#[test]
fn a_custom_reservation_rule_loses_its_wake_up_when_the_share_is_active_again() {
    use batchsim::policy::AwsReservation;
    let path = format!(
        "{}/tests/data/differential/share-back-before-its-expiry-wakes-nothing.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let scenario = Scenario::from_file(&path).unwrap();
    let options = batchsim::Options {
        record_jobs: true,
        ..batchsim::Options::default()
    };
    let mut sim = batchsim::Simulation::new(&scenario, options).unwrap();
    sim.set_reservation_rule("fs0", Box::new(AwsReservation)).unwrap();
    let (r, jobs) = sim.run_with_records();
    let (built_in, built_in_jobs) = run("share-back-before-its-expiry-wakes-nothing");
    assert_eq!(secs(jobs[4].started_at), 674.0);
    assert_eq!(r.end_seconds, built_in.end_seconds);
    assert_eq!(jobs, built_in_jobs);
}

/// (status reason of each job, cancelled count, failed count).
fn endings(r: &Report, jobs: &[JobRecord]) -> (Vec<String>, u64, u64) {
    let reasons = jobs
        .iter()
        .map(|j| j.status_reason.as_deref().unwrap_or("").to_string())
        .collect();
    (reasons, r.jobs.cancelled, r.jobs.failed)
}

/// A SEQUENTIAL array of 3 behind x on a 1-vCPU compute environment; at 10 `cancelJob` names
/// the array: child 0 is RUNNABLE, children 1 and 2 PENDING. One request cancels every child
/// (CONTRACT 7.6: "an array parent in PENDING: all children are cancelled"; AWS CancelJob:
/// "Batch attempts to cancel all child jobs"), the PENDING ones "after all dependency jobs are
/// completed" (7.6), which is at once: all three end cancelled with the reason, none with
/// "Dependent job ... failed" (child 0's cancel failed child 1 before the request reached it).
/// Found by an independent implementation (fifteenth session).
#[test]
fn cancelling_a_sequential_array_cancels_every_child() {
    let (r, jobs) = run("cancel-of-a-sequential-array");
    let (reasons, cancelled, failed) = endings(&r, &jobs);
    assert_eq!(reasons[1..], ["R", "R", "R"]);
    assert_eq!((cancelled, failed), (3, 0));
    assert!(jobs[1..].iter().all(|j| secs(j.stopped_at) == 10.0));
}

/// The same by TerminateJob while child 0 is RUNNING: it is terminated (FAILED, counted
/// failed), and the later children, which had not reached STARTING, are cancelled (AWS
/// TerminateJob: "Jobs that have not progressed to the STARTING state are cancelled").
#[test]
fn terminating_a_sequential_array_cancels_the_children_not_yet_started() {
    let (r, jobs) = run("terminate-of-a-sequential-array");
    let (reasons, cancelled, failed) = endings(&r, &jobs);
    assert_eq!(reasons, ["R", "R", "R"]);
    assert_eq!((cancelled, failed), (2, 1));
}

/// `cancelJob` by the array's id ("2") instead of its name: the same outcome as by name
/// (CONTRACT 7.3: an id and a name mean the same job). The children were visited in the job
/// table's slot order, which depends on where an earlier, finished array's slots were
/// reused, so the number that ended cancelled was that array's size.
#[test]
fn cancelling_an_array_by_id_is_cancelling_it_by_name() {
    let (r, jobs) = run("cancel-of-a-sequential-array-by-id");
    let (reasons, cancelled, _) = endings(&r, &jobs);
    assert_eq!(reasons[2..6], ["R", "R", "R", "R"]);
    assert_eq!(cancelled, 4);
}
