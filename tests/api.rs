//! The embedding API end to end: arrays, dependencies and retries through `submit`, the
//! state of ended jobs, typed errors with messages for people, `apply` with checked ids,
//! several observers, forking a run with `Clone`, and odd-but-legal call sequences that
//! must never panic.

mod common;

use batchsim::engine::{
    ApplyError, DefinitionError, InvalidAction, JobEvent, JobQueueRef, Refusal, SubmitError, SubmitJob,
};
use batchsim::model::JobDefinitionRef;
use batchsim::model::ResolveError;
use batchsim::model::{Action, CeId, JobDefinition, Platform, PolicyId, QueueId, RetryStrategy};
use batchsim::policy::{JobPolicy, QueueView, QueuedJob};
use batchsim::workload::RuntimeModel;
use batchsim::{JobId, JobStatus, Options, Resources, Scenario, SimDuration, SimTime, Simulation};
use std::sync::{Arc, Mutex};

/// One Fargate CE of `vcpus` (no startup), FIFO queue `q`, 1-vCPU definition `d`.
fn scenario(vcpus: u32) -> Scenario {
    Scenario::builder("api")
        .fargate_compute_environment("ce", vcpus, 0.0)
        .job_queue("q", 1, &["ce"])
        .fargate_job_definition("d", 1.0, 2048)
        .build()
        .expect("valid scenario")
}

fn sim(vcpus: u32) -> Simulation {
    Simulation::new(&scenario(vcpus), Options::default()).expect("simulation")
}

fn job(name: &str, seconds: f64) -> SubmitJob {
    SubmitJob::new(
        name,
        JobQueueRef::new("q"),
        JobDefinitionRef::parse("d"),
        RuntimeModel::fixed(seconds),
    )
}

fn failing(name: &str, seconds: f64, code: i32) -> SubmitJob {
    let mut m = RuntimeModel::fixed(seconds);
    m.exit_code = code;
    SubmitJob::new(name, JobQueueRef::new("q"), JobDefinitionRef::parse("d"), m)
}

fn secs(s: u64) -> SimTime {
    SimTime::from_millis(s * 1000)
}

/// Every event any observer saw, in order.
fn record(sim: &mut Simulation) -> Arc<Mutex<Vec<JobEvent>>> {
    let log = Arc::new(Mutex::new(Vec::new()));
    let l = log.clone();
    sim.add_observer(move |e| l.lock().unwrap().push(e.clone()));
    log
}

/// (time s, job id, status) of every event with `status`.
fn times_of(log: &Mutex<Vec<JobEvent>>, status: JobStatus) -> Vec<(u64, String)> {
    log.lock()
        .unwrap()
        .iter()
        .filter(|e| e.status == status)
        .map(|e| (e.time.as_millis() / 1000, e.job.to_string()))
        .collect()
}

#[test]
fn an_array_submitted_through_the_api_runs_its_children_by_index() {
    let mut s = sim(1);
    for i in 0..16 {
        s.submit(&job(&format!("filler{i}"), 1.0)).unwrap();
    }
    let log = record(&mut s);
    let parent = s.submit(&job("render", 10.0).array(4)).unwrap();
    assert_eq!(parent, JobId::new(17));
    let child = JobId::child(17, 3);
    assert_eq!(s.job_status(child), Some(JobStatus::Runnable));
    assert_eq!(
        s.job_status(parent),
        Some(JobStatus::Pending),
        "a parent is PENDING while children run"
    );
    while s.step() {}
    // One vCPU: the 16 fillers take 16 s, then the children one after the other by index.
    let children: Vec<(u64, String)> = times_of(&log, JobStatus::Running)
        .into_iter()
        .filter(|(_, j)| j.starts_with("17:"))
        .collect();
    assert_eq!(
        children,
        [(16, "17:0"), (26, "17:1"), (36, "17:2"), (46, "17:3")].map(|(t, j)| (t, j.to_string()))
    );
    assert_eq!(s.job_status(child), Some(JobStatus::Succeeded));
    assert_eq!(s.job_status(parent), Some(JobStatus::Succeeded));
    let report = s.finish();
    assert_eq!(
        report.jobs.succeeded, 20,
        "16 fillers and 4 children; the parent is not counted"
    );
    assert_eq!(report.end_seconds, 56.0);
}

#[test]
fn sequential_children_run_one_at_a_time_and_a_failed_one_fails_the_rest() {
    let mut s = sim(4);
    let log = record(&mut s);
    let ok = s.submit(&job("seq", 10.0).array(3).sequential()).unwrap();
    while s.step() {}
    assert_eq!(
        times_of(&log, JobStatus::Running),
        [(0, "1:0"), (10, "1:1"), (20, "1:2")].map(|(t, j)| (t, j.to_string())),
        "four vCPUs free, yet one child at a time"
    );
    assert_eq!(s.job_status(ok), Some(JobStatus::Succeeded));

    let mut s = sim(4);
    let log = record(&mut s);
    let bad = s.submit(&failing("seq", 10.0, 3).array(3).sequential()).unwrap();
    while s.step() {}
    assert_eq!(
        times_of(&log, JobStatus::Running).len(),
        1,
        "later children never start"
    );
    let failed = log
        .lock()
        .unwrap()
        .iter()
        .filter(|e| e.status == JobStatus::Failed)
        .map(|e| {
            (
                e.job.to_string(),
                e.status_reason.clone().unwrap_or_default(),
                e.exit_code,
            )
        })
        .collect::<Vec<_>>();
    assert_eq!(
        failed,
        [
            (
                "1:0".to_string(),
                "Essential container in task exited".to_string(),
                Some(3)
            ),
            ("1:1".to_string(), "Dependent job 1:0 failed".to_string(), None),
            ("1:2".to_string(), "Dependent job 1:1 failed".to_string(), None),
        ]
    );
    assert_eq!(s.job_status(bad), Some(JobStatus::Failed));
}

#[test]
fn n_to_n_children_wait_for_their_partner() {
    let mut s = sim(4);
    let log = record(&mut s);
    // A's children take 30, 10 s? No: one model per submission; A's children all take 30 s,
    // B's children 5 s. B:i starts when A:i ends.
    let a = s.submit(&job("a", 30.0).array(2)).unwrap();
    s.run_until(secs(10));
    let b = s.submit(&job("b", 5.0).array(2).n_to_n(a)).unwrap();
    assert_eq!(b, JobId::new(2));
    assert_eq!(s.job_status(JobId::child(2, 0)), Some(JobStatus::Pending));
    while s.step() {}
    assert_eq!(
        times_of(&log, JobStatus::Running),
        [(0, "1:0"), (0, "1:1"), (30, "2:0"), (30, "2:1")].map(|(t, j)| (t, j.to_string()))
    );
    assert_eq!(s.job_status(b), Some(JobStatus::Succeeded));
    // N_TO_N needs two arrays of the same size.
    let mut s = sim(4);
    let a = s.submit(&job("a", 30.0).array(2)).unwrap();
    assert_eq!(
        s.submit(&job("b", 5.0).array(3).n_to_n(a)),
        Err(SubmitError::NToN { job: a })
    );
    let single = s.submit(&job("c", 5.0)).unwrap();
    assert_eq!(
        s.submit(&job("d", 5.0).array(2).n_to_n(single)),
        Err(SubmitError::NToN { job: single })
    );
}

#[test]
fn a_failed_child_fails_the_parent_and_its_dependents() {
    let mut s = sim(4);
    let parent = s.submit(&job("arr", 60.0).array(3)).unwrap();
    let after = s.submit(&job("after", 5.0).depends_on(parent)).unwrap();
    s.run_until(secs(10));
    assert!(s.terminate_job(JobId::child(1, 1), "operator"));
    while s.step() {}
    assert_eq!(s.job_status(JobId::child(1, 0)), Some(JobStatus::Succeeded));
    assert_eq!(s.job_status(JobId::child(1, 1)), Some(JobStatus::Failed));
    assert_eq!(s.job_status(parent), Some(JobStatus::Failed));
    assert_eq!(s.job_status(after), Some(JobStatus::Failed));
    let report = s.finish();
    assert_eq!((report.jobs.succeeded, report.jobs.failed), (2, 2));
}

#[test]
fn dependents_are_released_when_the_array_succeeds() {
    let mut s = sim(4);
    let log = record(&mut s);
    let parent = s.submit(&job("arr", 20.0).array(3)).unwrap();
    let after = s.submit(&job("after", 5.0).depends_on(parent)).unwrap();
    let on_child = s.submit(&job("child-dep", 5.0).depends_on(JobId::child(1, 2))).unwrap();
    assert_eq!(s.job_status(after), Some(JobStatus::Pending));
    while s.step() {}
    let runs = times_of(&log, JobStatus::Running);
    assert!(runs.contains(&(20, after.to_string())), "{runs:?}");
    // 4 vCPUs: three children and nothing else at 0; the child dependent starts at 20 too.
    assert!(runs.contains(&(20, on_child.to_string())), "{runs:?}");
    assert_eq!(s.job_status(after), Some(JobStatus::Succeeded));
    // A dependency on an array that already succeeded is met at once.
    let late = s.submit(&job("late", 5.0).depends_on(parent)).unwrap();
    assert_eq!(s.job_status(late), Some(JobStatus::Runnable));
}

#[test]
fn retries_through_submit_draw_each_attempt_and_observers_see_them() {
    let mut s = sim(4);
    let log = record(&mut s);
    let retry = RetryStrategy {
        attempts: 3,
        evaluate_on_exit: Vec::new(),
    };
    let id = s.submit(&failing("flaky", 10.0, 2).retry(retry)).unwrap();
    while s.step() {}
    assert_eq!(s.job_status(id), Some(JobStatus::Failed));
    let ends: Vec<_> = log
        .lock()
        .unwrap()
        .iter()
        .filter(|e| e.exit_code.is_some())
        .map(|e| {
            (
                e.time.as_millis() / 1000,
                e.status,
                e.attempt,
                e.exit_code,
                e.compute_environment.clone(),
            )
        })
        .collect();
    let ce = Some("ce".to_string());
    assert_eq!(
        ends,
        [
            (10, JobStatus::Runnable, 1, Some(2), ce.clone()),
            (20, JobStatus::Runnable, 2, Some(2), ce.clone()),
            (30, JobStatus::Failed, 3, Some(2), ce.clone()),
        ]
    );
    assert_eq!(s.finish().jobs.failed, 1);
}

#[test]
fn a_timed_out_attempt_has_no_exit_code() {
    let mut s = sim(4);
    let log = record(&mut s);
    s.submit(&job("slow", 600.0).timeout(SimDuration::from_secs(60)))
        .unwrap();
    while s.step() {}
    let end = log.lock().unwrap().last().cloned().unwrap();
    assert_eq!(end.status, JobStatus::Failed);
    assert_eq!(
        end.status_reason.as_deref(),
        Some("Job attempt duration exceeded timeout")
    );
    assert_eq!((end.attempt, end.exit_code), (1, None));
    assert_eq!(end.time, secs(60));
}

#[test]
fn ended_jobs_keep_their_status() {
    let mut s = sim(1);
    let a = s.submit(&job("a", 10.0)).unwrap();
    let b = s.submit(&failing("b", 10.0, 1)).unwrap();
    let c = s.submit(&job("c", 10.0)).unwrap();
    assert!(s.cancel_job(c, "not needed"));
    while s.step() {}
    assert_eq!(s.job_status(a), Some(JobStatus::Succeeded));
    assert_eq!(s.job_status(b), Some(JobStatus::Failed));
    assert_eq!(s.job_status(c), Some(JobStatus::Failed));
    assert_eq!(s.job_status(JobId::new(4)), None, "never issued");
    // A workload job is remembered after its end when records are kept.
    let sc = Scenario::builder("w")
        .fargate_compute_environment("ce", 1, 0.0)
        .job_queue("q", 1, &["ce"])
        .fargate_job_definition("d", 1.0, 2048)
        .submit(0.0, "w", "q", "d", RuntimeModel::fixed(5.0))
        .build()
        .unwrap();
    let mut plain = Simulation::new(&sc, Options::default()).unwrap();
    let mut kept = Simulation::new(
        &sc,
        Options {
            record_jobs: true,
            ..Options::default()
        },
    )
    .unwrap();
    while plain.step() {}
    while kept.step() {}
    assert_eq!(plain.job_status(JobId::new(1)), None);
    assert_eq!(kept.job_status(JobId::new(1)), Some(JobStatus::Succeeded));
}

#[test]
fn the_unknown_dependency_error_names_the_unknown_job() {
    let mut s = sim(1);
    let a = s.submit(&job("a", 10.0)).unwrap();
    let err = s
        .submit(&job("b", 1.0).depends_on(a).depends_on(JobId::new(99)))
        .unwrap_err();
    assert_eq!(err, SubmitError::UnknownDependency { job: JobId::new(99) });
    assert!(err
        .to_string()
        .starts_with("job 99 in dependsOn is not a job of this simulation"));
    let err = s.submit(&job("b", 1.0).depends_on(JobId::child(1, 0))).unwrap_err();
    assert_eq!(
        err,
        SubmitError::UnknownDependency {
            job: JobId::child(1, 0)
        }
    );
    let arr = s.submit(&job("arr", 1.0).array(2)).unwrap();
    let err = s
        .submit(&job("b", 1.0).depends_on(JobId::child(arr.submission, 2)))
        .unwrap_err();
    assert_eq!(
        err,
        SubmitError::UnknownDependency {
            job: JobId::child(2, 2)
        }
    );
}

/// No Rust debug text or identifier in a message ([`common::not_for_people`]).
fn assert_for_people(message: &str) {
    if let Some(why) = common::not_for_people(message) {
        panic!("{why} in {message:?}");
    }
}

#[test]
fn errors_are_sentences_for_people() {
    let sc = Scenario::builder("msgs")
        .fargate_compute_environment("ce", 4, 0.0)
        .job_queue("q", 1, &["ce"])
        .fargate_job_definition("d", 1.0, 2048)
        .action_json(serde_json::json!({"at": 0, "updateJobQueue": {"jobQueue": "q", "state": "DISABLED"}}))
        .build()
        .unwrap();
    let mut s = sim(1);
    let mut messages = Vec::new();
    let bad = [
        SubmitJob::from_names("a", "nope", "d", RuntimeModel::fixed(1.0)),
        SubmitJob::from_names("a", "q", "nope", RuntimeModel::fixed(1.0)),
        SubmitJob::from_names("a", "q", "d:7", RuntimeModel::fixed(1.0)),
        job("a", 1.0).share("s"),
        job("a", 1.0).array(1),
        job("a", 1.0).depends_on(JobId::new(5)),
        job("a\u{1b}[31m", 1.0),
    ];
    for r in &bad {
        messages.push(s.submit(r).unwrap_err().to_string());
    }
    assert_eq!(
        messages[1],
        "job definition `nope` cannot be used at 0 s (no job definition has that name): submission of `a` refused"
    );
    assert_eq!(
        messages[2],
        "job definition `d:7` cannot be used at 0 s (no such revision): submission of `a` refused"
    );
    assert!(
        messages[6].starts_with("`a\\u{1b}[31m` is not a valid job name"),
        "{}",
        messages[6]
    );
    assert!(s.apply(&Action::DeregisterJobDefinition("d".into())).is_ok());
    messages.push(s.submit(&job("a", 1.0)).unwrap_err().to_string());
    assert!(messages[7].contains("(it is INACTIVE)"), "{}", messages[7]);
    let mut d = Simulation::new(&sc, Options::default()).unwrap();
    d.step();
    messages.push(d.submit(&job("a", 1.0)).unwrap_err().to_string());
    assert!(messages[8].contains("DISABLED"), "{}", messages[8]);
    for a in [
        Action::UpdateComputeEnvironment {
            compute_environment: CeId(9),
            state: None,
            min_vcpus: None,
            max_vcpus: Some(1),
            desired_vcpus: None,
        },
        Action::UpdateJobQueue {
            job_queue: QueueId(0),
            state: None,
            priority: None,
            compute_environments: None,
            scheduling_policy: Some(PolicyId(0)),
            state_time_limit_actions: None,
        },
    ] {
        messages.push(s.apply(&a).unwrap_err().to_string());
    }
    s.apply(&Action::DeregisterJobDefinition("zzz".into())).unwrap();
    s.apply(&Action::CancelJob {
        job: "ghost".into(),
        reason: "r".into(),
    })
    .unwrap();
    messages.extend(s.finish().warnings);
    for m in &messages {
        assert_for_people(m);
    }
    assert_eq!(messages.len(), 13, "{messages:#?}");
}

#[test]
fn apply_checks_ids_and_limits() {
    let mut s = sim(4);
    let ce = |id: u32| Action::UpdateComputeEnvironment {
        compute_environment: CeId(id),
        state: None,
        min_vcpus: None,
        max_vcpus: Some(8),
        desired_vcpus: None,
    };
    let queue = |id: u32, ces: Option<Vec<CeId>>, policy: Option<PolicyId>| Action::UpdateJobQueue {
        job_queue: QueueId(id),
        state: None,
        priority: Some(3),
        compute_environments: ces,
        scheduling_policy: policy,
        state_time_limit_actions: None,
    };
    assert_eq!(
        s.apply(&ce(1)),
        Err(ApplyError::UnknownComputeEnvironment { id: CeId(1), count: 1 })
    );
    assert_eq!(
        s.apply(&ce(1)).unwrap_err().to_string(),
        "compute environment 1 is not one of the 1 of this simulation"
    );
    assert_eq!(
        s.apply(&queue(7, None, None)),
        Err(ApplyError::UnknownQueue {
            id: QueueId(7),
            count: 1
        })
    );
    assert!(matches!(
        s.apply(&queue(0, Some(vec![CeId(u32::MAX)]), None)),
        Err(ApplyError::UnknownComputeEnvironment { .. })
    ));
    // "You can associate up to three compute environments with a job queue." (API model,
    // `CreateJobQueueRequest.computeEnvironmentOrder`): the typed reason says which rule, its
    // Display the sentence.
    let empty = s.apply(&queue(0, Some(vec![]), None));
    assert_eq!(
        empty,
        Err(ApplyError::Invalid {
            reason: InvalidAction::QueueComputeEnvironments { count: 0 }
        })
    );
    assert_eq!(
        empty.unwrap_err().to_string(),
        "a job queue has 1 to 3 compute environments, found 0"
    );
    assert_eq!(
        s.apply(&queue(0, Some(vec![CeId(0), CeId(0)]), None)),
        Err(ApplyError::Invalid {
            reason: InvalidAction::ListedTwice { id: CeId(0) }
        })
    );
    assert!(matches!(
        s.apply(&queue(0, None, Some(PolicyId(3)))),
        Err(ApplyError::UnknownPolicy { .. })
    ));
    let mut forever = JobDefinition::container("d", Platform::Fargate, Resources::new(1.0, 2048));
    forever.retry_strategy.attempts = u32::MAX;
    let refused = s.apply(&Action::RegisterJobDefinition(forever));
    assert!(
        matches!(
            refused,
            Err(ApplyError::Invalid {
                reason: InvalidAction::JobDefinition(DefinitionError::Retry(_))
            })
        ),
        "{refused:?}"
    );
    assert_eq!(
        refused.unwrap_err().to_string(),
        format!("retryStrategy.attempts must be from 1 to 10, found {}", u32::MAX)
    );
    assert!(matches!(
        s.apply(&Action::UpdateComputeEnvironment {
            compute_environment: CeId(0),
            state: None,
            min_vcpus: Some(2),
            max_vcpus: None,
            desired_vcpus: None
        }),
        Err(ApplyError::Invalid {
            reason: InvalidAction::FargateMinOrDesired
        })
    ));
    // Good ones apply.
    assert_eq!(s.apply(&ce(0)), Ok(()));
    assert_eq!(s.apply(&queue(0, Some(vec![CeId(0)]), None)), Ok(()));
    assert_eq!(s.compute_environment_usage()[0].max_vcpus, 8);
}

/// An UpdateComputeEnvironment through `apply` is checked against the values it leaves, as
/// a scenario's timed updates are when the file loads: AWS (API model,
/// `ComputeResourceUpdate.desiredvCpus`): "When you update the desiredvCpus setting, the
/// value must be between the minvCpus and maxvCpus values." Nothing changes on a refusal.
#[test]
fn apply_refuses_limits_that_leave_min_above_max_or_desired_outside() {
    let sc = Scenario::builder("limits")
        .ec2_compute_environment("ce", &["m5.large"], 2, 16)
        .job_queue("q", 1, &["ce"])
        .ec2_job_definition("d", 1.0, 2048)
        .build()
        .expect("valid scenario");
    let mut s = Simulation::new(&sc, Options::default()).expect("simulation");
    let update = |min: Option<u32>, max: Option<u32>, desired: Option<u32>| Action::UpdateComputeEnvironment {
        compute_environment: CeId(0),
        state: None,
        min_vcpus: min,
        max_vcpus: max,
        desired_vcpus: desired,
    };
    // The maximum below the current minimum (2).
    let below = s.apply(&update(None, Some(1), None));
    assert_eq!(
        below,
        Err(ApplyError::Invalid {
            reason: InvalidAction::MinAboveMax { min: 2, max: 1 }
        })
    );
    assert_eq!(
        below.unwrap_err().to_string(),
        "the update leaves minvCpus (2) above maxvCpus (1); a compute environment's minimum must not exceed its maximum"
    );
    assert_eq!(
        s.apply(&update(Some(20), None, None)),
        Err(ApplyError::Invalid {
            reason: InvalidAction::MinAboveMax { min: 20, max: 16 }
        })
    );
    // desiredvCpus against the limits the same request leaves.
    let outside = s.apply(&update(Some(4), Some(8), Some(9)));
    assert_eq!(
        outside,
        Err(ApplyError::Invalid {
            reason: InvalidAction::DesiredOutsideLimits {
                desired: 9,
                min: 4,
                max: 8
            }
        })
    );
    assert_eq!(
        outside.unwrap_err().to_string(),
        "desiredvCpus must be between minvCpus (4) and maxvCpus (8), found 9"
    );
    assert!(matches!(
        s.apply(&update(None, None, Some(1))),
        Err(ApplyError::Invalid {
            reason: InvalidAction::DesiredOutsideLimits { desired: 1, .. }
        })
    ));
    // Nothing changed; a consistent request applies.
    assert_eq!(s.compute_environment_usage()[0].max_vcpus, 16);
    assert_eq!(s.apply(&update(Some(4), Some(8), Some(6))), Ok(()));
    assert_eq!(s.compute_environment_usage()[0].max_vcpus, 8);
}

/// `cancel_job` of a SEQUENTIAL array through the library is one request for every child,
/// as a scenario's `cancelJob` is (AWS CancelJob: "Batch attempts to cancel all child jobs"):
/// the PENDING children end cancelled with the reason, not "Dependent job ... failed".
#[test]
fn cancel_job_of_a_sequential_array_cancels_every_child() {
    let mut s = sim(1);
    s.submit(&job("x", 100.0)).unwrap();
    let array = s.submit(&job("a", 50.0).array(3).sequential()).unwrap();
    s.run_until(secs(10));
    assert!(s.cancel_job(array, "R"));
    while s.step() {}
    for i in 0..3 {
        assert_eq!(s.job_status(JobId::child(array.submission, i)), Some(JobStatus::Failed));
    }
    let report = s.finish();
    // Cancelled, each of them: a failed dependency would count as failed (CONTRACT 7.6).
    assert_eq!(
        (report.jobs.cancelled, report.jobs.failed, report.jobs.succeeded),
        (3, 0, 1)
    );
}

#[test]
fn a_retry_strategy_of_u32_max_attempts_is_refused_or_capped() {
    let mut s = sim(1);
    let forever = RetryStrategy {
        attempts: u32::MAX,
        evaluate_on_exit: Vec::new(),
    };
    let err = s.submit(&failing("f", 1.0, 1).retry(forever.clone())).unwrap_err();
    assert_eq!(
        err.to_string(),
        "retryStrategy.attempts must be from 1 to 10, found 4294967295"
    );
    // Edited into a scenario (only code inside the crate can): refused by Simulation::new,
    // with the field's path; see the unit tests of `engine/limits.rs`.
}

#[test]
fn several_observers_see_the_same_events() {
    let mut s = sim(2);
    let first = record(&mut s);
    let second = record(&mut s);
    s.submit(&job("a", 5.0)).unwrap();
    while s.step() {}
    let a = first.lock().unwrap().clone();
    assert_eq!(a, *second.lock().unwrap());
    let states: Vec<JobStatus> = a.iter().map(|e| e.status).collect();
    assert_eq!(
        states,
        [
            JobStatus::Submitted,
            JobStatus::Runnable,
            JobStatus::Starting,
            JobStatus::Running,
            JobStatus::Succeeded
        ]
    );
    assert_eq!(a[0].compute_environment, None);
    assert_eq!(a[2].compute_environment.as_deref(), Some("ce"));
    assert_eq!((a[4].attempt, a[4].exit_code), (1, Some(0)));
    // set_observer replaces them all.
    let only = Arc::new(Mutex::new(0));
    let o = only.clone();
    s.set_observer(move |_| *o.lock().unwrap() += 1);
    s.submit(&job("b", 5.0)).unwrap();
    while s.step() {}
    assert_eq!(*only.lock().unwrap(), 5);
    assert_eq!(first.lock().unwrap().len(), 5);
}

#[test]
fn an_observer_added_mid_run_knows_the_attempts_already_running() {
    let mut s = sim(2);
    let a = s.submit(&failing("a", 10.0, 4)).unwrap();
    s.run_until(secs(5));
    let log = record(&mut s);
    while s.step() {}
    let seen = log.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].job, a);
    assert_eq!(seen[0].status, JobStatus::Failed);
    assert_eq!(seen[0].compute_environment.as_deref(), Some("ce"));
    assert_eq!(
        (seen[0].attempt, seen[0].exit_code, seen[0].time),
        (1, Some(4), secs(10))
    );
}

/// Newest job first: a custom policy, to see that a fork keeps it.
#[derive(Clone)]
struct Newest;

impl JobPolicy for Newest {
    fn pick<'a>(&mut self, view: &QueueView<'a>) -> Option<&'a QueuedJob> {
        view.jobs_in_submission_order().max_by_key(|j| j.id)
    }
    fn clone_box(&self) -> Option<Box<dyn JobPolicy>> {
        Some(Box::new(self.clone()))
    }
}

/// Newest first too, without `clone_box`: forks share it.
struct SharedNewest;

impl JobPolicy for SharedNewest {
    fn pick<'a>(&mut self, view: &QueueView<'a>) -> Option<&'a QueuedJob> {
        Newest.pick(view)
    }
}

#[test]
fn a_fork_goes_on_as_the_original_and_can_take_another_future() {
    fn assert_send_clone<T: Send + Clone>() {}
    assert_send_clone::<Simulation>();

    for shared in [false, true] {
        fork_with_policy(shared);
    }
}

fn fork_with_policy(shared: bool) {
    let mut s = sim(1);
    let policy: Box<dyn JobPolicy> = if shared {
        Box::new(SharedNewest)
    } else {
        Box::new(Newest)
    };
    s.set_policy("q", policy).unwrap();
    for i in 0..5 {
        s.submit(&job(&format!("j{i}"), 10.0)).unwrap();
    }
    let log = record(&mut s);
    s.run_until(secs(15));
    let mut fork = s.clone();
    // The same future...
    let mut same = s.clone();
    while s.step() {}
    while same.step() {}
    assert_eq!(s.report(), same.report());
    // ... and another one: the fork gets twice the capacity at 15 s.
    let fork_log = record(&mut fork);
    fork.apply(&Action::UpdateComputeEnvironment {
        compute_environment: CeId(0),
        state: None,
        min_vcpus: None,
        max_vcpus: Some(2),
        desired_vcpus: None,
    })
    .unwrap();
    while fork.step() {}
    // Newest first, one at a time: 5 at 0 s, 4 at 10 s, then 3, 2, 1; the original ends at
    // 50 s. The fork, with 2 vCPUs from 15 s, still newest first (it copied the policy):
    // 3 at 15 s, 2 at 20 s, 1 at 25 s, ending at 35 s.
    assert_eq!(s.now(), secs(50));
    assert_eq!(fork.now(), secs(35));
    let order: Vec<(u64, String)> = times_of(&log, JobStatus::Running);
    assert_eq!(
        order,
        [(0, "5"), (10, "4"), (20, "3"), (30, "2"), (40, "1")].map(|(t, j)| (t, j.to_string()))
    );
    assert_eq!(
        times_of(&fork_log, JobStatus::Running),
        [(15, "3"), (20, "2"), (25, "1")].map(|(t, j)| (t, j.to_string()))
    );
    // The original's observer is not the copies': after 15 s it saw the original's four
    // ends and three starts (STARTING and RUNNING each), nothing of the copies.
    assert_eq!(log.lock().unwrap().iter().filter(|e| e.time > secs(15)).count(), 10);
}

#[test]
fn a_fork_of_a_trace_replay_reads_on_from_the_same_line() {
    let dir = std::env::temp_dir().join(format!("batchsim-api-fork-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let trace = dir.join("t.csv");
    let mut csv = String::from("submitSeconds,runSeconds,vcpus\n");
    for i in 0..10 {
        csv.push_str(&format!("{},{},1\n", i * 10, 25));
    }
    std::fs::write(&trace, csv).unwrap();
    let sc = Scenario::builder("trace")
        .fargate_compute_environment("ce", 2, 0.0)
        .job_queue("q", 1, &["ce"])
        .fargate_job_definition("d", 1.0, 2048)
        .workload_json(
            serde_json::json!({"trace": {"path": trace.display().to_string(), "format": "csv"},
            "submitJob": {"jobQueue": "q", "jobDefinition": "d"}}),
        )
        .build()
        .unwrap();
    let whole = Simulation::new(&sc, Options::default()).unwrap().run();
    let mut s = Simulation::new(&sc, Options::default()).unwrap();
    s.run_until(secs(35));
    let fork = s.clone();
    assert_eq!(fork.run(), whole);
    assert_eq!(s.run(), whole);
    assert_eq!(whole.jobs.succeeded, 10);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs `f`, failing the test with `name` if it panics.
fn no_panic<T>(name: &str, f: impl FnOnce() -> T) -> T {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|_| panic!("{name} panicked"))
}

#[test]
fn odd_but_legal_call_sequences_never_panic() {
    let mut count = 0;
    let mut case = |name: &str, f: &dyn Fn()| {
        count += 1;
        no_panic(name, f);
    };
    case("step on an empty simulation ends it", &|| {
        let mut s = sim(1);
        assert!(!s.step());
        assert!(s.is_finished());
        assert!(!s.step(), "step after the end");
    });
    case("submit after an idle end resumes the run", &|| {
        let mut s = sim(1);
        while s.step() {}
        let id = s.submit(&job("late", 5.0)).unwrap();
        assert!(!s.is_finished());
        while s.step() {}
        assert_eq!(s.job_status(id), Some(JobStatus::Succeeded));
    });
    case("submit after until is refused", &|| {
        let sc = Scenario::builder("u")
            .until(100.0)
            .fargate_compute_environment("ce", 1, 0.0)
            .job_queue("q", 1, &["ce"])
            .fargate_job_definition("d", 1.0, 2048)
            .submit(0.0, "w", "q", "d", RuntimeModel::fixed(500.0))
            .build()
            .unwrap();
        let mut s = Simulation::new(&sc, Options::default()).unwrap();
        while s.step() {}
        assert_eq!(s.submit(&job("late", 5.0)), Err(SubmitError::Ended { at: secs(100) }));
        assert!(matches!(
            s.apply(&Action::DeregisterJobDefinition("d".into())),
            Err(ApplyError::Ended { .. })
        ));
        assert!(!s.cancel_job(JobId::new(1), "late"));
        assert_eq!(s.job_status(JobId::new(1)), Some(JobStatus::Running));
    });
    case("run_until in the past changes nothing", &|| {
        let mut s = sim(1);
        s.submit(&job("a", 50.0)).unwrap();
        s.run_until(secs(30));
        s.run_until(secs(10));
        assert_eq!(s.now(), secs(30));
        assert_eq!(s.job_status(JobId::new(1)), Some(JobStatus::Running));
    });
    case("run_until the same instant twice", &|| {
        let mut s = sim(1);
        s.run_until(secs(5));
        s.run_until(secs(5));
        assert_eq!(s.now(), secs(5));
    });
    case("run_until the end of time", &|| {
        let mut s = sim(1);
        s.submit(&job("a", 5.0)).unwrap();
        s.run_until(SimTime::MAX);
        assert_eq!(s.job_status(JobId::new(1)), Some(JobStatus::Succeeded));
    });
    case("submit at the end of time", &|| {
        let mut s = sim(1);
        s.run_until(SimTime::MAX);
        let a = s.submit(&job("a", 5.0)).unwrap();
        let b = s.submit(&job("b", 5.0)).unwrap();
        while s.step() {}
        assert_eq!(s.job_status(a), Some(JobStatus::Succeeded));
        assert_eq!(
            s.job_status(b),
            Some(JobStatus::Succeeded),
            "times saturate, nothing wraps"
        );
        let _ = s.finish();
    });
    case("a runtime past the time bound", &|| {
        let mut s = sim(1);
        let a = s.submit(&job("a", 1e300)).unwrap();
        s.run_until(secs(10));
        assert_eq!(s.job_status(a), Some(JobStatus::Running));
        while s.step() {}
        assert_eq!(s.now().as_secs_f64(), batchsim::time::MAX_SECONDS);
    });
    case("submission to an unknown queue", &|| {
        let mut s = sim(1);
        let r = SubmitJob::from_names("a", "nope", "d", RuntimeModel::fixed(1.0));
        assert_eq!(
            s.submit(&r),
            Err(SubmitError::UnknownQueue {
                queue: JobQueueRef::new("nope")
            })
        );
    });
    case("submission by queue ARN", &|| {
        let mut s = sim(1);
        let r = SubmitJob::from_names(
            "a",
            "arn:aws:batch:us-east-1:1:job-queue/q",
            "d",
            RuntimeModel::fixed(1.0),
        );
        assert!(s.submit(&r).is_ok());
    });
    case("unknown job definition", &|| {
        let refused = sim(1).submit(&SubmitJob::from_names("a", "q", "x", RuntimeModel::fixed(1.0)));
        assert_eq!(
            refused,
            Err(SubmitError::Refused {
                reason: Refusal::JobDefinition {
                    definition: "x".into(),
                    at: SimTime::ZERO,
                    reason: ResolveError::UnknownName,
                    job: "a".into(),
                }
            })
        );
        assert_eq!(
            refused.unwrap_err().to_string(),
            "job definition `x` cannot be used at 0 s (no job definition has that name): submission of `a` refused"
        );
    });
    case("job definition revision 0", &|| {
        assert!(matches!(
            sim(1).submit(&SubmitJob::from_names("a", "q", "d:0", RuntimeModel::fixed(1.0))),
            Err(SubmitError::Refused { .. })
        ));
    });
    case("job definition by huge revision", &|| {
        assert!(sim(1)
            .submit(&SubmitJob::from_names(
                "a",
                "q",
                "d:4294967295",
                RuntimeModel::fixed(1.0)
            ))
            .is_err());
    });
    case("share identifier on a FIFO queue", &|| {
        assert_eq!(
            sim(1).submit(&job("a", 1.0).share("s")),
            Err(SubmitError::Refused {
                reason: Refusal::ShareOnFifo {
                    queue: "q".into(),
                    job: "a".into()
                }
            })
        );
    });
    case("array of size 0, 1, 10001, u32::MAX", &|| {
        let mut s = sim(1);
        for n in [0, 1, 10_001, u32::MAX] {
            assert_eq!(
                s.submit(&job("a", 1.0).array(n)),
                Err(SubmitError::ArraySize { size: n })
            );
        }
    });
    case("array of the largest size", &|| {
        let mut s = sim(4);
        let id = s.submit(&job("a", 1.0).array(10_000)).unwrap();
        assert_eq!(
            s.job_status(JobId::child(id.submission, 9_999)),
            Some(JobStatus::Runnable)
        );
    });
    case("sequential without an array", &|| {
        assert_eq!(
            sim(1).submit(&job("a", 1.0).sequential()),
            Err(SubmitError::SequentialWithoutArray)
        );
    });
    case("21 dependencies", &|| {
        let mut s = sim(1);
        let a = s.submit(&job("a", 1.0)).unwrap();
        let mut r = job("b", 1.0);
        for _ in 0..21 {
            r = r.depends_on(a);
        }
        assert_eq!(s.submit(&r), Err(SubmitError::TooManyDependencies { count: 21 }));
    });
    case("20 dependencies on the same job", &|| {
        let mut s = sim(1);
        let a = s.submit(&job("a", 5.0)).unwrap();
        let mut r = job("b", 1.0);
        for _ in 0..20 {
            r = r.depends_on(a);
        }
        let b = s.submit(&r).unwrap();
        while s.step() {}
        assert_eq!(s.job_status(b), Some(JobStatus::Succeeded));
    });
    case("dependency on a job id of another simulation", &|| {
        let mut other = sim(1);
        let foreign = other.submit(&job("x", 1.0)).unwrap();
        let foreign = other.submit(&job("y", 1.0).depends_on(foreign)).unwrap();
        assert_eq!(
            sim(1).submit(&job("a", 1.0).depends_on(foreign)),
            Err(SubmitError::UnknownDependency { job: foreign })
        );
    });
    case("dependency on a failed job fails at once", &|| {
        let mut s = sim(1);
        let a = s.submit(&failing("a", 1.0, 1)).unwrap();
        while s.step() {}
        let b = s.submit(&job("b", 1.0).depends_on(a)).unwrap();
        assert_eq!(s.job_status(b), Some(JobStatus::Failed));
    });
    case("zero runtime", &|| {
        let mut s = sim(1);
        let a = s.submit(&job("a", 0.0)).unwrap();
        while s.step() {}
        assert_eq!(s.job_status(a), Some(JobStatus::Succeeded));
    });
    case("NaN, infinite and negative runtimes", &|| {
        let mut s = sim(1);
        for x in [f64::NAN, f64::INFINITY, -1.0] {
            assert!(matches!(s.submit(&job("a", x)), Err(SubmitError::Runtime { .. })));
        }
    });
    case("failure probability above 1", &|| {
        let mut m = RuntimeModel::fixed(1.0);
        m.failure_probability = 2.0;
        let r = SubmitJob::new("a", JobQueueRef::new("q"), JobDefinitionRef::parse("d"), m);
        assert!(matches!(sim(1).submit(&r), Err(SubmitError::Runtime { .. })));
    });
    case("vCPUs 0, negative, NaN, huge", &|| {
        let mut s = sim(1);
        for v in [0.0, -1.0, f64::NAN] {
            assert_eq!(s.submit(&job("a", 1.0).vcpus(v)), Err(SubmitError::Resources));
        }
        let big = s.submit(&job("big", 1.0).vcpus(1e12)).unwrap();
        s.run_until(secs(10));
        assert_eq!(s.job_status(big), Some(JobStatus::Runnable), "never fits, never panics");
    });
    case("timeout of 59 s and of u64::MAX ms", &|| {
        let mut s = sim(1);
        assert!(matches!(
            s.submit(&job("a", 1.0).timeout(SimDuration::from_secs(59))),
            Err(SubmitError::Timeout { .. })
        ));
        let a = s
            .submit(&job("a", 1.0).timeout(SimDuration::from_millis(u64::MAX)))
            .unwrap();
        while s.step() {}
        assert_eq!(s.job_status(a), Some(JobStatus::Succeeded));
    });
    case("scheduling priority 10000", &|| {
        assert_eq!(
            sim(1).submit(&job("a", 1.0).priority(10_000)),
            Err(SubmitError::SchedulingPriority { priority: 10_000 })
        );
    });
    case("retry attempts 0 and 11", &|| {
        let mut s = sim(1);
        for n in [0, 11] {
            let r = RetryStrategy {
                attempts: n,
                evaluate_on_exit: Vec::new(),
            };
            assert!(matches!(s.submit(&job("a", 1.0).retry(r)), Err(SubmitError::Retry(_))));
        }
    });
    case("ten attempts, all failing", &|| {
        let mut s = sim(1);
        let r = RetryStrategy {
            attempts: 10,
            evaluate_on_exit: Vec::new(),
        };
        let a = s.submit(&failing("a", 1.0, 1).retry(r)).unwrap();
        while s.step() {}
        assert_eq!(s.job_status(a), Some(JobStatus::Failed));
        assert_eq!(s.now(), secs(10));
    });
    case("cancel an unknown, ended and running job", &|| {
        let mut s = sim(1);
        assert!(!s.cancel_job(JobId::new(42), "x"));
        let a = s.submit(&job("a", 10.0)).unwrap();
        s.run_until(secs(1));
        assert!(s.cancel_job(a, "x"), "a live job");
        assert_eq!(
            s.job_status(a),
            Some(JobStatus::Running),
            "cancel does not stop a running job"
        );
        while s.step() {}
        assert!(!s.cancel_job(a, "again"));
        assert!(!s.terminate_job(a, "again"));
    });
    case("cancel twice", &|| {
        let mut s = sim(1);
        s.submit(&job("a", 10.0)).unwrap();
        let b = s.submit(&job("b", 10.0)).unwrap();
        assert!(s.cancel_job(b, "x"));
        assert!(!s.cancel_job(b, "x"));
        assert_eq!(s.job_status(b), Some(JobStatus::Failed));
    });
    case("terminate an array parent by id", &|| {
        let mut s = sim(4);
        let p = s.submit(&job("a", 10.0).array(3)).unwrap();
        s.run_until(secs(1));
        assert!(s.terminate_job(p, "stop"));
        while s.step() {}
        assert_eq!(s.job_status(p), Some(JobStatus::Failed));
        assert_eq!(s.finish().jobs.failed, 3);
    });
    case("terminate a job with an empty reason", &|| {
        let mut s = sim(1);
        let a = s.submit(&job("a", 10.0)).unwrap();
        s.run_until(secs(1));
        assert!(s.terminate_job(a, ""));
        assert_eq!(s.job_status(a), Some(JobStatus::Failed));
    });
    case("apply with ids of a larger simulation", &|| {
        let mut s = sim(1);
        assert!(s
            .apply(&Action::UpdateComputeEnvironment {
                compute_environment: CeId(3),
                state: None,
                min_vcpus: None,
                max_vcpus: None,
                desired_vcpus: None
            })
            .is_err());
    });
    case("apply maxvCpus 0, then submit", &|| {
        let mut s = sim(1);
        s.apply(&Action::UpdateComputeEnvironment {
            compute_environment: CeId(0),
            state: None,
            min_vcpus: None,
            max_vcpus: Some(0),
            desired_vcpus: None,
        })
        .unwrap();
        let a = s.submit(&job("a", 1.0)).unwrap();
        s.run_until(secs(100));
        assert_eq!(s.job_status(a), Some(JobStatus::Runnable));
    });
    case("apply maxvCpus above the engine's limit", &|| {
        assert!(sim(1)
            .apply(&Action::UpdateComputeEnvironment {
                compute_environment: CeId(0),
                state: None,
                min_vcpus: None,
                max_vcpus: Some(u32::MAX),
                desired_vcpus: None
            })
            .is_err());
    });
    case("queue with four compute environments", &|| {
        assert!(sim(1)
            .apply(&Action::UpdateJobQueue {
                job_queue: QueueId(0),
                state: None,
                priority: None,
                compute_environments: Some(vec![CeId(0); 4]),
                scheduling_policy: None,
                state_time_limit_actions: None
            })
            .is_err());
    });
    case("register a job definition then submit its revision 2", &|| {
        let mut s = sim(1);
        let d = JobDefinition::container("d", Platform::Fargate, Resources::new(0.5, 1024));
        s.apply(&Action::RegisterJobDefinition(d)).unwrap();
        let a = s
            .submit(&SubmitJob::new(
                "a",
                JobQueueRef::new("q"),
                JobDefinitionRef::parse("d:2"),
                RuntimeModel::fixed(1.0),
            ))
            .unwrap();
        while s.step() {}
        assert_eq!(s.job_status(a), Some(JobStatus::Succeeded));
    });
    case("register a multi-node definition of u32::MAX nodes", &|| {
        let mut d = JobDefinition::container("m", Platform::Ec2, Resources::new(1.0, 2048));
        d.multinode = Some(batchsim::model::MultiNode {
            num_nodes: u32::MAX,
            main_node: 0,
            ranges: Vec::new(),
        });
        assert!(sim(1).apply(&Action::RegisterJobDefinition(d)).is_err());
    });
    case("deregister twice", &|| {
        let mut s = sim(1);
        s.apply(&Action::DeregisterJobDefinition("d".into())).unwrap();
        s.apply(&Action::DeregisterJobDefinition("d".into())).unwrap();
        assert_eq!(s.report().warnings.len(), 1);
    });
    case("cancel by name through apply", &|| {
        let mut s = sim(1);
        s.submit(&job("a", 10.0)).unwrap();
        s.submit(&job("b", 10.0)).unwrap();
        s.apply(&Action::CancelJob {
            job: "2".into(),
            reason: "x".into(),
        })
        .unwrap();
        assert_eq!(s.job_status(JobId::new(2)), Some(JobStatus::Failed));
    });
    case("queue snapshot of an unknown queue, limit 0 and huge", &|| {
        let mut s = sim(1);
        assert_eq!(s.queue_snapshot("nope", 5), None);
        s.submit(&job("a", 10.0)).unwrap();
        s.submit(&job("b", 10.0)).unwrap();
        assert_eq!(s.queue_snapshot("q", 0), Some(Vec::new()));
        assert_eq!(s.queue_snapshot("q", usize::MAX).map(|v| v.len()), Some(2));
    });
    case("a custom policy that offers a job not in the queue", &|| {
        #[derive(Clone)]
        struct Stranger(QueuedJob);
        impl JobPolicy for Stranger {
            fn pick<'a>(&mut self, _: &QueueView<'a>) -> Option<&'a QueuedJob> {
                Some(Box::leak(Box::new(self.0)))
            }
        }
        let mut s = sim(1);
        s.submit(&job("a", 10.0)).unwrap();
        let stranger = QueuedJob::new(JobId::new(999), Resources::new(1.0, 2048));
        s.set_policy("q", Box::new(Stranger(stranger))).unwrap();
        assert_eq!(s.queue_snapshot("q", usize::MAX), Some(Vec::new()));
        s.run_until(secs(100));
        assert_eq!(
            s.job_status(JobId::new(1)),
            Some(JobStatus::Runnable),
            "offered nothing"
        );
    });
    case("set_policy on an unknown queue", &|| {
        let err = sim(1).set_policy("nope", Box::new(Newest)).unwrap_err();
        assert_eq!(err.to_string(), "no job queue is named `nope`");
    });
    case("lookups of unknown names", &|| {
        let s = sim(1);
        assert_eq!(s.queue_id("x"), None);
        assert_eq!(s.compute_environment_id(""), None);
        assert_eq!(s.scheduling_policy_id("p"), None);
        assert_eq!(s.compute_environment_id("ce"), Some(CeId(0)));
    });
    case("report and records mid-run, then finish", &|| {
        let mut s = sim(1);
        s.submit(&job("a", 10.0)).unwrap();
        s.run_until(secs(5));
        assert_eq!(s.report().jobs.unfinished, 1);
        assert!(s.job_records().is_empty(), "records were not asked for");
        assert_eq!(s.finish().end_seconds, 5.0);
    });
    case("observer added after the end, then clear", &|| {
        let mut s = sim(1);
        while s.step() {}
        s.add_observer(|_| {});
        s.clear_observers();
        s.clear_observers();
        s.submit(&job("a", 1.0)).unwrap();
        while s.step() {}
    });
    case(
        "an observer that panics: its panic comes through, the observer lock is not left poisoned",
        &|| {
            let mut s = sim(1);
            s.add_observer(|e| {
                if e.status == JobStatus::Running {
                    panic!("observer bug");
                }
            });
            s.submit(&job("a", 1.0)).unwrap();
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| while s.step() {}));
            assert!(r.is_err(), "the observer's own panic comes through");
            s.clear_observers();
            while s.step() {}
        },
    );
    case("clone a finished simulation", &|| {
        let mut s = sim(1);
        while s.step() {}
        let c = s.clone();
        assert!(c.is_finished());
    });
    case("job name of 128 characters and of 129", &|| {
        let mut s = sim(1);
        assert!(s.submit(&job(&"a".repeat(128), 1.0)).is_ok());
        assert!(matches!(
            s.submit(&job(&"a".repeat(129), 1.0)),
            Err(SubmitError::JobName { .. })
        ));
    });
    assert!(count >= 40, "{count} cases");
}

#[test]
fn a_fork_in_the_middle_of_every_kind_of_run_ends_as_the_whole_run() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/");
    let options = || Options {
        record_jobs: true,
        ..Options::default()
    };
    for file in [
        "compare-ec2-spot",
        "teams-fair-share",
        "nightly-pipeline",
        "timeout-retry",
        "priority-fargate-spot",
        "capacity-planning",
        "latency-realistic",
    ] {
        let sc = Scenario::from_file(format!("{dir}{file}.json")).unwrap();
        let (whole, whole_jobs) = Simulation::new(&sc, options()).unwrap().run_with_records();
        let mut s = Simulation::new(&sc, options()).unwrap();
        s.run_until(SimTime::from_secs_f64(whole.end_seconds / 2.0).unwrap());
        let fork = s.clone();
        let (a, a_jobs) = fork.run_with_records();
        let (b, b_jobs) = s.run_with_records();
        assert_eq!(a, whole, "{file}: the fork");
        assert_eq!(b, whole, "{file}: the original");
        assert_eq!(a_jobs, whole_jobs, "{file}: the fork's jobs");
        assert_eq!(b_jobs, whole_jobs, "{file}: the original's jobs");
    }
}
