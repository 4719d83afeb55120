//! Scale-in with `minvCpus` (CONTRACT 7.14 d: "an instance idle for `scaleInIdleSeconds`
//! that is still idle after the pass is terminated (oldest idle first), unless that takes
//! the READY instances below `minvCpus`; the check is made again at every instant after the
//! pass") and the run's end (7.2: `endSeconds` is "the time of the last event (actions and
//! scale-ins included)"). The scenarios in `tests/data/scale_in/` are ones on which batchsim
//! disagreed with an independent implementation; each test fails without its fix.

mod common;

use batchsim::Report;

fn run(name: &str) -> (Report, Vec<batchsim::JobRecord>) {
    common::run_data_file("scale_in", name)
}

fn provisioned(r: &Report, ce: &str) -> f64 {
    r.compute_environments[ce].vcpu_seconds_provisioned
}

/// `minvCpus` 1 keeps a c5.large (2 vCPUs) READY from 0. At 80 a 4-vCPU job launches an
/// m5.xlarge, READY at once (`instanceLaunchSeconds` 0): the m5.xlarge now keeps the
/// minimum and the idle c5.large goes at 80 (idle time 0). It stayed until 90: with no
/// launch time no `InstanceReady` came, and only that looked at kept instances again.
/// Provisioned: 2 x 80 + 4 x 10 = 200 vCPU-seconds (was 220).
#[test]
fn an_instance_ready_at_once_lets_the_one_kept_for_the_minimum_go() {
    let (r, _) = run("zero-launch-kept-min-instance-not-reviewed");
    assert_eq!((r.end_seconds, provisioned(&r, "ce0")), (90.0, 200.0));
}

/// The same with room at stake: three r5.large kept for `desiredvCpus` 6 should go at 50.25
/// when a c5.2xlarge READY at once takes over the minimum; kept, they filled `maxvCpus` and
/// the third job waited for 110.25 instead of starting at 90.999 on a new instance.
#[test]
fn kept_instances_that_are_no_longer_needed_free_the_limit_for_a_launch() {
    let (_, records) = run("zero-launch-kept-min-blocks-launch");
    let started: Vec<f64> = records
        .iter()
        .map(|j| j.started_at.map_or(f64::NAN, |t| t.as_secs_f64()))
        .collect();
    assert_eq!(started, [50.25, 60.0, 90.999]);
}

/// `minvCpus` 1, two r5.large idle from 20 and 25, `scaleInIdleSeconds` 600: the first goes
/// at 620; the second is then the minimum, and its check at 625 can end nothing. The run
/// ends at 620, where the last instance was scaled in (was 625: the check counted as an
/// event, and the kept instance was billed to it).
#[test]
fn a_scale_in_check_that_can_end_nothing_is_no_event() {
    let (r, _) = run("scalein-noop-check-extends-end");
    assert_eq!((r.end_seconds, provisioned(&r, "ce0")), (620.0, 2450.0));
}

/// `minvCpus` 2: a c5.large READY at 0 is the minimum, kept without a check; an r5.xlarge
/// (4 vCPUs) launched for the first job is READY at 60 and takes over the minimum, but the
/// c5.large's idle time runs out only at 600. Then it goes; the r5.xlarge, idle from 240,
/// is the minimum and stays. Ends at 600 with 2 x 600 + 4 x 600 = 3,600 vCPU-seconds (was
/// 840 and 5,040: the c5.large was never looked at again, and the r5.xlarge's check at 840,
/// which could end nothing, ended the run).
#[test]
fn a_kept_instance_goes_when_its_idle_time_runs_out_after_the_minimum_grew() {
    let (r, _) = run("kept-min-instance-goes-when-its-time-runs-out");
    assert_eq!((r.end_seconds, provisioned(&r, "ce0")), (600.0, 3600.0));
    assert_eq!(r.jobs.succeeded, r.jobs.submitted);
}

/// `scaleInIdleSeconds` 0, `minvCpus` 4: at 80 job B ends on c5.large i-2 and c5.large i-3
/// turns READY unclaimed (its claimant found other room at 60). After the pass both are
/// idle for 0 s, and READY 8 -> 4 keeps the minimum, so both go (7.14 d: "an instance idle
/// for `scaleInIdleSeconds` that is still idle after the pass is terminated"); E then runs on
/// the c5.xlarge. i-3's idle clock started only after the pass, so it was looked at after
/// another pass, where E took it and kept it to 110: 1,340 vCPU-seconds instead of 1,280.
#[test]
fn an_instance_ready_and_idle_after_the_pass_goes_with_the_others_at_idle_time_zero() {
    let (r, records) = run("zero-idle-time-instance-ready-after-pass");
    assert_eq!(provisioned(&r, "ce0"), 1280.0);
    assert_eq!(records[4].started_at.map(|t| t.as_secs_f64()), Some(80.0));
}

/// `minvCpus` 2: the m5.2xlarge is idle at 180 for no time (two jobs end, the third starts
/// at 180), idle again from 190, and from 600 (when the c5.xlarge goes) the minimum keeps
/// it. The check of its first idle period (due at 780) can end nothing: the run ends at
/// 600, billing 6,320 vCPU-seconds (was 780 and 7,760).
#[test]
fn the_check_of_an_idle_period_that_ended_at_once_is_no_event() {
    let (r, _) = run("check-of-an-idle-period-that-ended-at-once");
    assert_eq!((r.end_seconds, provisioned(&r, "ce0")), (600.0, 6320.0));
}

/// A DISABLED compute environment whose `minvCpus` is raised to 8 at 130 (four r5.large,
/// launch 0) and set to 8 again at 180: the four are the minimum and can never scale in, so
/// their checks at 730 end nothing; the run ends at 180, its last action (was 730, with
/// 5,040 vCPU-seconds billed instead of 640).
#[test]
fn the_check_of_an_instance_the_raised_minimum_keeps_is_no_event() {
    let (r, _) = run("check-of-an-instance-the-raised-minimum-keeps");
    assert_eq!((r.end_seconds, provisioned(&r, "ce0")), (180.0, 640.0));
}

/// `desiredvCpus` 6: three m5.large READY at 0 fill `maxvCpus` 6; a 4-vCPU job waits. At
/// 20 (`scaleInIdleSeconds` 20) two go, keeping the third for `minvCpus` 1; the pass that
/// follows at 20 launches a c5.2xlarge for the job, READY at once, which keeps the minimum
/// now, so the kept m5.large may go at 20 too (7.14 d: "the check is made again at every
/// instant after the pass"; README: kept instances are "reviewed again when an instance
/// becomes READY, launched with no launch time too"). It stayed until 120: that pass's
/// review waited for the next instant. 920 vCPU-seconds, not 1,120.
#[test]
fn a_zero_launch_instance_in_the_pass_after_a_scale_in_frees_the_kept_minimum() {
    let (r, _) = run("zero-launch-in-the-pass-after-a-scale-in");
    assert_eq!(provisioned(&r, "ce1"), 920.0);
}

/// `minvCpus` 1, `desiredvCpus` 6, `scaleInIdleSeconds` 0: the capacity READY at 0 (7.14 e)
/// is there for the pass after the submissions at 0 (7.1: submissions first, "then one
/// dispatch pass"; 7.14 d: scale-in "after the instant's dispatch pass"), so the job runs at 0
/// on the r5.xlarge that holds it. A first version of the scale-in review after a step's
/// opening pass ran before the run's first instant, ended that instance and made the job
/// wait 60 s for a new one.
#[test]
fn capacity_ready_at_zero_waits_for_the_first_pass() {
    let (r, records) = run("capacity-at-zero-waits-for-the-first-pass");
    assert_eq!(records[0].started_at.map(|t| t.as_secs_f64()), Some(0.0));
    assert_eq!((r.end_seconds, provisioned(&r, "ce1")), (30.0, 120.0));
}
