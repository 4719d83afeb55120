//! Custom decisions installed in a run: job choice with state, placement, scale-out and
//! backfilling, and the two examples that show them (`examples/round_robin.rs`,
//! `examples/spread_placement.rs`), run here so that they stay right.

mod common;

#[allow(dead_code)]
#[path = "../examples/round_robin.rs"]
mod round_robin;
#[allow(dead_code)]
#[path = "../examples/spread_placement.rs"]
mod spread_placement;

use batchsim::model::{Backfill, CeId};
use batchsim::model::{QueueId, QueuePriorityMode};
use batchsim::policy::{
    AttemptOutcome, AwsCycle, AwsOrder, AwsReservation, AwsScaleOut, BackfillCandidate, BackfillPolicy, CeCapacity,
    CrossQueueAsk, CrossQueueRule, Easy, FairShare, Fifo, Greedy, HeadReservation, JobInfo, JobPolicy, PlaceOn,
    PlacementCandidate, PlacementPolicy, QueueView, QueuedJob, ReservationAsk, ReservationRule, ScaleOutPolicy,
    ScaleOutView, StrictPriority,
};
use batchsim::{DecisionError, JobId, JobStatus, Options, Resources, Scenario, SimDuration, SimTime, Simulation};
use common::{fargate_ce, fargate_def, load, queue};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

fn with_records() -> Options {
    Options {
        record_jobs: true,
        ..Options::default()
    }
}

fn secs(s: u64) -> SimTime {
    SimTime::from_millis(s * 1000)
}

// ---------------------------------------------------------------------------------------
// The examples
// ---------------------------------------------------------------------------------------

#[test]
fn round_robin_example_serves_the_shares_in_turn() {
    round_robin::check_policy();
    // Fair share favours A (weight 0.1): after one job of each share, A's three others go
    // first (0.1 x its usage stays below B's 1 x its usage), then B's second.
    let (fair, told) = round_robin::start_order(None).unwrap();
    assert_eq!(fair, ["A1", "B1", "C1", "A2", "A3", "A4", "B2"]);
    assert_eq!(told, 0);
    // Round robin ignores the weights: A B C A B A A, each start told once.
    let (rr, told) = round_robin::start_order(Some(round_robin::RoundRobin::default())).unwrap();
    assert_eq!(rr, ["A1", "B1", "C1", "A2", "B2", "A3", "A4"]);
    assert_eq!(told, 7);
}

#[test]
fn spread_example_places_each_job_on_the_emptiest_compute_environment() {
    spread_placement::check_placement();
    // AWS: "The job scheduler uses the order of the compute environments to determine which
    // compute environment should run a given job": small (first) takes four, then large.
    assert_eq!(
        spread_placement::placements(false).unwrap(),
        ["small", "small", "small", "small", "large", "large"]
    );
    // Spread: large has more free vCPUs until both have 4 free (a tie goes to the queue's
    // order: small), then large (4 against 3).
    assert_eq!(
        spread_placement::placements(true).unwrap(),
        ["large", "large", "large", "large", "small", "large"]
    );
}

// ---------------------------------------------------------------------------------------
// The built-ins through the custom path give the engine's results
// ---------------------------------------------------------------------------------------

/// Installs every built-in decision of `scenario` as a custom one.
fn install_builtins(sim: &mut Simulation, scenario: &Scenario) {
    for q in scenario.job_queues() {
        let policy: Box<dyn JobPolicy> = match q.scheduling_policy {
            Some(p) => Box::new(FairShare::new(scenario.scheduling_policies()[p.index()].clone())),
            None => Box::new(Fifo),
        };
        sim.set_policy(&q.name, policy).unwrap();
        sim.set_placement(&q.name, Box::new(AwsOrder)).unwrap();
        sim.set_reservation_rule(&q.name, Box::new(AwsReservation)).unwrap();
        let backfill: Option<Box<dyn BackfillPolicy>> = match q.backfill {
            Backfill::Easy => Some(Box::new(Easy)),
            Backfill::Greedy => Some(Box::new(Greedy)),
            _ => None,
        };
        if let Some(b) = backfill {
            sim.set_backfill(&q.name, b).unwrap();
        }
    }
    for ce in scenario.compute_environments() {
        let rule: Box<dyn CrossQueueRule> = match ce.queue_priority {
            QueuePriorityMode::Strict => Box::new(StrictPriority),
            _ => Box::new(AwsCycle),
        };
        sim.set_cross_queue_rule(&ce.name, rule).unwrap();
        assert_eq!(
            sim.set_scale_out(
                &ce.name,
                match ce.scale_out {
                    batchsim::model::ScaleOutMode::Demand => Box::new(batchsim::policy::DemandScaleOut),
                    _ => Box::new(AwsScaleOut),
                }
            )
            .is_ok(),
            ce.kind.has_instances(),
            "scale-out is for EC2/SPOT compute environments only"
        );
    }
}

/// The data views and the built-ins written against them decide as the engine's own fast
/// paths do: every bundled scenario gives the same report and job table both ways.
#[test]
fn the_built_ins_installed_as_custom_decisions_change_nothing() {
    let mut names: Vec<_> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    assert!(names.len() >= 10, "{names:?}");
    for path in names {
        let scenario = Scenario::from_file(&path).unwrap();
        let builtin = Simulation::new(&scenario, with_records()).unwrap().run_with_records();
        let mut sim = Simulation::new(&scenario, with_records()).unwrap();
        install_builtins(&mut sim, &scenario);
        let mut custom = sim.run_with_records();
        assert!(builtin.0.jobs.submitted > 0, "{}", path.display());
        // A custom reservation rule may read the active shares on any queue, so a queue it
        // holds is woken when a lingering share goes inactive even where
        // `computeReservation` is 0: wake-up events the built-in does not need, nothing else.
        assert!(custom.0.events >= builtin.0.events, "{}", path.display());
        custom.0.events = builtin.0.events;
        assert_eq!(builtin.0, custom.0, "report of {}", path.display());
        assert_eq!(builtin.1, custom.1, "job table of {}", path.display());
    }
}

// ---------------------------------------------------------------------------------------
// Job policies: what they see, what they are told
// ---------------------------------------------------------------------------------------

/// What a recording policy saw and was told.
#[derive(Default)]
struct Seen {
    picks: Vec<(Option<JobInfo>, Vec<CeCapacity>)>,
    starts: Vec<(String, CeId, SimTime)>,
    ends: Vec<(String, AttemptOutcome, SimTime)>,
}

/// FIFO, recording.
struct Recording(Arc<Mutex<Seen>>);

impl JobPolicy for Recording {
    fn pick<'a>(&mut self, view: &QueueView<'a>) -> Option<&'a QueuedJob> {
        let job = Fifo.pick(view)?;
        let mut seen = self.0.lock().unwrap();
        seen.picks.push((view.details(job), view.capacity().to_vec()));
        Some(job)
    }
    fn on_start(&mut self, job: &JobInfo, ce: CeId, now: SimTime) {
        self.0.lock().unwrap().starts.push((job.name.to_string(), ce, now));
    }
    fn on_end(&mut self, job: &JobInfo, outcome: AttemptOutcome, now: SimTime) {
        self.0.lock().unwrap().ends.push((job.name.to_string(), outcome, now));
    }
}

#[test]
fn a_custom_policy_sees_details_and_capacity_and_is_told_of_starts_and_ends() {
    // Two vCPUs; three 1-vCPU jobs: a (25 s) at 0; b at 10, which always fails and is
    // retried once; c at 20, which runs 100 s under a 60 s timeout.
    let mut flaky = fargate_def("flaky", "1", "2048");
    flaky["retryStrategy"] = json!({"attempts": 2});
    let mut capped = fargate_def("capped", "1", "2048");
    capped["timeout"] = json!({"attemptDurationSeconds": 60});
    let job = |at: u32, name: &str, def: &str, runtime: Value| {
        json!({"at": at, "submitJob": {"jobName": name, "jobQueue": "q", "jobDefinition": def},
               "runtime": runtime})
    };
    let scenario = json!({
        "computeEnvironments": [fargate_ce("ce", 2)],
        "jobQueues": [queue("q", 1, &["ce"])],
        "jobDefinitions": [fargate_def("work", "1", "2048"), flaky, capped],
        "workload": [
            job(0, "a", "work", json!({"distribution": "fixed", "seconds": 25})),
            job(10, "b", "flaky", json!({"distribution": "fixed", "seconds": 25, "failureProbability": 1})),
            job(20, "c", "capped", json!({"distribution": "fixed", "seconds": 100})),
        ],
    });
    let scenario = load(&scenario);
    let seen = Arc::new(Mutex::new(Seen::default()));
    let mut sim = Simulation::new(&scenario, Options::default()).unwrap();
    sim.set_policy("q", Box::new(Recording(seen.clone()))).unwrap();
    let report = sim.run();
    assert_eq!((report.jobs.succeeded, report.jobs.failed), (1, 2));
    let seen = seen.lock().unwrap();
    // The first pick: job a, with everything the engine knows of it, and 2 vCPUs free.
    let (info, capacity) = &seen.picks[0];
    let info = info.as_ref().expect("details in a run");
    assert_eq!((&*info.name, &*info.definition), ("a", "work:1"));
    assert_eq!((info.definition_name(), info.definition_revision()), ("work", Some(1)));
    assert_eq!(info.submitted_at, SimTime::ZERO);
    assert_eq!(
        info.runtime_estimate,
        Some(SimDuration::from_secs(25)),
        "the drawn run time"
    );
    assert_eq!(info.requested_runtime, None, "no timeout");
    assert_eq!(capacity.len(), 1);
    assert_eq!(
        (
            capacity[0].name.as_str(),
            capacity[0].free_millivcpus,
            capacity[0].fargate
        ),
        ("ce", 2000, true)
    );
    // c (at 20) waits for a to end at 25: picked while the CE is full, told its timeout.
    let c = seen
        .picks
        .iter()
        .find(|(i, _)| i.as_ref().is_some_and(|i| &*i.name == "c"))
        .expect("c picked");
    assert_eq!(c.1[0].free_millivcpus, 0);
    assert_eq!(
        c.0.as_ref().unwrap().requested_runtime,
        Some(SimDuration::from_secs(60))
    );
    let starts: Vec<_> = seen.starts.iter().map(|(n, c, t)| (n.as_str(), *c, *t)).collect();
    assert_eq!(
        starts,
        [
            ("a", CeId(0), secs(0)),
            ("b", CeId(0), secs(10)),
            ("c", CeId(0), secs(25)),
            ("b", CeId(0), secs(35))
        ]
    );
    let ends: Vec<_> = seen.ends.iter().map(|(n, o, t)| (n.as_str(), *o, *t)).collect();
    assert_eq!(
        ends,
        [
            ("a", AttemptOutcome::Succeeded, secs(25)),
            ("b", AttemptOutcome::Retried, secs(35)),
            ("b", AttemptOutcome::Failed, secs(60)),
            ("c", AttemptOutcome::Failed, secs(85))
        ]
    );
}

/// A stateful policy's copy goes with a fork ([`JobPolicy::clone_box`]): both futures are
/// the same, and a queue snapshot (asked on a copy) changes nothing.
#[test]
fn a_stateful_policy_forks_with_the_simulation_and_snapshots_leave_it_alone() {
    let scenario = round_robin::scenario().unwrap();
    let run = |snapshot: bool, fork_at: Option<u64>| {
        let mut sim = Simulation::new(&scenario, with_records()).unwrap();
        sim.set_policy("q", Box::new(round_robin::RoundRobin::default()))
            .unwrap();
        if let Some(t) = fork_at {
            sim.run_until(secs(t));
        }
        if snapshot {
            let order: Vec<String> = sim
                .queue_snapshot("q", usize::MAX)
                .unwrap()
                .iter()
                .map(|e| e.share_identifier.clone())
                .collect();
            // Round robin on its own copy, never told of these starts: the share after the
            // one served last, then that share again until it is empty.
            let want: &[&str] = match fork_at {
                Some(50) => &["B", "B", "C", "A", "A", "A"],
                _ => &["A", "A", "A", "B"],
            };
            assert_eq!(order, want, "at {fork_at:?}");
        }
        let fork = sim.clone();
        let names = |(_, r): (batchsim::Report, Vec<batchsim::JobRecord>)| {
            let mut r = r;
            r.sort_by_key(|r| (r.started_at, r.job_id));
            r.into_iter().map(|r| r.job_name.to_string()).collect::<Vec<_>>()
        };
        (names(sim.run_with_records()), names(fork.run_with_records()))
    };
    let want = ["A1", "B1", "C1", "A2", "B2", "A3", "A4"];
    for (snapshot, fork_at) in [
        (false, None),
        (true, Some(50)),
        (false, Some(150)),
        (true, Some(250)),
        (false, Some(250)),
    ] {
        let (a, b) = run(snapshot, fork_at);
        assert_eq!(a, want, "snapshot {snapshot}, fork at {fork_at:?}");
        assert_eq!(b, want, "the fork, snapshot {snapshot}, fork at {fork_at:?}");
    }
}

// ---------------------------------------------------------------------------------------
// Placement and scale-out
// ---------------------------------------------------------------------------------------

/// One EC2 compute environment of m5 types (up to 64 vCPUs), one 1-vCPU job at 0.
fn one_ec2_job() -> Scenario {
    load(&json!({
        "computeEnvironments": [{"computeEnvironmentName": "ec2", "type": "MANAGED",
            "computeResources": {"type": "EC2", "minvCpus": 0, "maxvCpus": 64, "instanceTypes": ["m5"],
                                 "allocationStrategy": "BEST_FIT"},
            "simulation": {"instanceLaunchSeconds": 60, "startupSeconds": 0}},
            fargate_ce("fargate", 4)],
        "jobQueues": [queue("q", 1, &["ec2"])],
        "jobDefinitions": [{"jobDefinitionName": "d", "type": "container", "platformCapabilities": ["EC2"],
            "containerProperties": {"resourceRequirements": [
                {"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "2048"}]}}],
        "workload": [{"at": 0, "submitJob": {"jobName": "j", "jobQueue": "q", "jobDefinition": "d"},
                      "runtime": {"distribution": "fixed", "seconds": 100}}],
    }))
}

/// Launches the largest type within the limit.
struct Largest(Arc<Mutex<Vec<ScaleOutView>>>);

impl ScaleOutPolicy for Largest {
    fn instance_type(&mut self, need: &Resources, view: &ScaleOutView) -> Option<usize> {
        self.0.lock().unwrap().push(view.clone());
        let t = view.types.iter().filter(|t| t.within_limit && t.holds(need));
        t.max_by_key(|t| t.millivcpus).map(|t| t.index)
    }
}

/// Answers with a type that does not exist.
struct Nonsense;

impl ScaleOutPolicy for Nonsense {
    fn instance_type(&mut self, _: &Resources, view: &ScaleOutView) -> Option<usize> {
        Some(view.types.len() + 7)
    }
}

#[test]
fn a_custom_scale_out_decides_the_type_launched_and_a_bad_answer_launches_nothing() {
    let scenario = one_ec2_job();
    let provisioned_at_1s = |scale_out: Option<Box<dyn ScaleOutPolicy>>| {
        let mut sim = Simulation::new(&scenario, Options::default()).unwrap();
        if let Some(s) = scale_out {
            sim.set_scale_out("ec2", s).unwrap();
        }
        sim.run_until(secs(1));
        let usage = &sim.compute_environment_usage()[0];
        (usage.vcpus_provisioned, usage.instances)
    };
    // BEST_FIT (CONTRACT 7.14 g): the cheapest type that holds the job, an m5.large.
    assert_eq!(provisioned_at_1s(None), (2.0, 1));
    assert_eq!(provisioned_at_1s(Some(Box::new(AwsScaleOut))), (2.0, 1));
    let views = Arc::new(Mutex::new(Vec::new()));
    assert_eq!(
        provisioned_at_1s(Some(Box::new(Largest(views.clone())))),
        (64.0, 1),
        "m5.16xlarge: the largest within maxvCpus 64 (BEST_FIT on EC2 never passes it)"
    );
    let views = views.lock().unwrap();
    let within: Vec<&str> = views[0]
        .types
        .iter()
        .filter(|t| t.within_limit)
        .map(|t| t.name.as_str())
        .collect();
    assert!(
        within.contains(&"m5.16xlarge") && !within.contains(&"m5.24xlarge"),
        "{within:?}"
    );
    assert_eq!((views[0].max_vcpus, views[0].provisioned_millivcpus), (64, 0));
    assert_eq!(provisioned_at_1s(Some(Box::new(Nonsense))), (0.0, 0));

    let mut sim = Simulation::new(&scenario, Options::default()).unwrap();
    assert_eq!(
        sim.set_scale_out("fargate", Box::new(AwsScaleOut)),
        Err(DecisionError::NoInstances { name: "fargate".into() }),
        "no instances to launch"
    );
    assert_eq!(
        sim.set_scale_out("ec3", Box::new(AwsScaleOut)).unwrap_err().to_string(),
        "no compute environment is named `ec3` (did you mean `ec2`?)"
    );
}

/// Places on a compute environment that is not the queue's.
struct Elsewhere;

impl PlacementPolicy for Elsewhere {
    fn place(&mut self, _: JobId, _: &Resources, _: &[PlacementCandidate]) -> Option<PlaceOn> {
        Some(PlaceOn::Task { ce: CeId(1) })
    }
}

#[test]
fn a_placement_answer_outside_the_candidates_places_nothing() {
    let scenario = one_ec2_job();
    let mut sim = Simulation::new(&scenario, Options::default()).unwrap();
    sim.set_placement("q", Box::new(Elsewhere)).unwrap();
    assert!(matches!(
        sim.set_placement("nope", Box::new(AwsOrder)),
        Err(DecisionError::UnknownQueue { .. })
    ));
    sim.run_until(secs(500));
    assert_eq!(sim.job_status(JobId::new(1)), Some(JobStatus::Runnable));
    assert_eq!(
        sim.compute_environment_usage()[1].vcpus_in_use,
        0.0,
        "the Fargate CE is not the queue's"
    );
    // AWS's order through the custom path runs it (after the 60 s launch).
    let mut sim = Simulation::new(&scenario, with_records()).unwrap();
    sim.set_placement("q", Box::new(AwsOrder)).unwrap();
    let (_, records) = sim.run_with_records();
    assert_eq!(records[0].started_at, Some(secs(60)));
    assert_eq!(records[0].compute_environment.as_deref(), Some("ec2"));
}

// ---------------------------------------------------------------------------------------
// Backfilling
// ---------------------------------------------------------------------------------------

/// EASY, recording the reservation and the candidates it was offered.
struct RecordingEasy(Arc<Mutex<Offers>>);

/// The candidates a backfilling policy was offered, with the reservation then.
type Offers = Vec<(BackfillCandidate, Option<HeadReservation>)>;

impl BackfillPolicy for RecordingEasy {
    fn reserves(&self) -> bool {
        true
    }
    fn admit(&mut self, c: &BackfillCandidate, reservation: Option<&mut HeadReservation>) -> bool {
        self.0.lock().unwrap().push((*c, reservation.as_deref().copied()));
        Easy.admit(c, reservation)
    }
}

/// Admits nothing.
struct Never;

impl BackfillPolicy for Never {
    fn admit(&mut self, _: &BackfillCandidate, _: Option<&mut HeadReservation>) -> bool {
        false
    }
}

#[test]
fn a_custom_backfill_decides_who_passes_a_blocked_head() {
    // Four vCPUs, no backfilling in the file. `big` (2 vCPUs, 100 s, timeout 100 s) at 0;
    // `huge` (4 vCPUs) at 1 cannot start before `big` ends; `small` (1 vCPU, 10 s, timeout
    // 60 s) at 2 fits beside `big`.
    let def = |name: &str, vcpus: &str, timeout: u32| {
        let memory = (vcpus.parse::<u32>().unwrap() * 2048).to_string();
        let mut d = fargate_def(name, vcpus, &memory);
        d["timeout"] = json!({"attemptDurationSeconds": timeout});
        d
    };
    let job = |at: u32, name: &str, seconds: u32| {
        json!({"at": at, "submitJob": {"jobName": name, "jobQueue": "q", "jobDefinition": name},
               "runtime": {"distribution": "fixed", "seconds": seconds}})
    };
    let scenario = load(&json!({
        "computeEnvironments": [fargate_ce("ce", 4)],
        "jobQueues": [queue("q", 1, &["ce"])],
        "jobDefinitions": [def("big", "2", 100), def("huge", "4", 100), def("small", "1", 60)],
        "workload": [job(0, "big", 100), job(1, "huge", 100), job(2, "small", 10)],
    }));
    let small_start = |backfill: Option<Box<dyn BackfillPolicy>>| {
        let mut sim = Simulation::new(&scenario, with_records()).unwrap();
        if let Some(b) = backfill {
            sim.set_backfill("q", b).unwrap();
        }
        let (_, records) = sim.run_with_records();
        records[2].started_at
    };
    // FIFO without backfilling: small waits for huge (100..200).
    assert_eq!(small_start(None), Some(secs(200)));
    assert_eq!(small_start(Some(Box::new(Greedy))), Some(secs(2)));
    assert_eq!(small_start(Some(Box::new(Never))), Some(secs(200)));
    let seen = Arc::new(Mutex::new(Vec::new()));
    assert_eq!(small_start(Some(Box::new(RecordingEasy(seen.clone())))), Some(secs(2)));
    let seen = seen.lock().unwrap();
    let (candidate, reservation) = seen[0];
    // huge may start when big ends by its estimate (its timeout): at 100 s, nothing to spare.
    let reservation = reservation.expect("EASY reserves");
    assert_eq!(
        (
            reservation.head,
            reservation.ce,
            reservation.instance,
            reservation.shadow
        ),
        (JobId::new(2), CeId(0), None, secs(100))
    );
    assert_eq!(reservation.extra_millivcpus, 0);
    // small ends by 2 + 60 <= 100: it may start.
    assert_eq!(
        (
            candidate.id,
            candidate.estimate,
            candidate.running_at,
            candidate.new_instance
        ),
        (JobId::new(3), Some(SimDuration::from_secs(60)), secs(2), false)
    );
    let mut sim = Simulation::new(&scenario, Options::default()).unwrap();
    assert_eq!(
        sim.set_backfill("nope", Box::new(Greedy)).unwrap_err().to_string(),
        "no job queue is named `nope`"
    );
}

/// Installing backfilling in the middle of a run starts from the live jobs.
#[test]
fn backfilling_installed_mid_run_sees_the_jobs_already_queued() {
    let scenario = load(&json!({
        "computeEnvironments": [fargate_ce("ce", 4)],
        "jobQueues": [queue("q", 1, &["ce"])],
        "jobDefinitions": [fargate_def("big", "2", "4096"), fargate_def("huge", "4", "8192"), fargate_def("small", "1", "2048")],
        "workload": [
            {"at": 0, "submitJob": {"jobName": "big", "jobQueue": "q", "jobDefinition": "big"},
             "runtime": {"distribution": "fixed", "seconds": 100}},
            {"at": 1, "submitJob": {"jobName": "huge", "jobQueue": "q", "jobDefinition": "huge"},
             "runtime": {"distribution": "fixed", "seconds": 100}},
            {"at": 2, "submitJob": {"jobName": "small", "jobQueue": "q", "jobDefinition": "small"},
             "runtime": {"distribution": "fixed", "seconds": 10}}],
    }));
    let mut sim = Simulation::new(&scenario, with_records()).unwrap();
    sim.run_until(secs(50));
    assert_eq!(sim.job_status(JobId::new(3)), Some(JobStatus::Runnable));
    sim.set_backfill("q", Box::new(Greedy)).unwrap();
    sim.run_until(secs(50));
    assert_eq!(
        sim.job_status(JobId::new(3)),
        Some(JobStatus::Running),
        "started at 50 s"
    );
    let (_, records) = sim.run_with_records();
    assert_eq!(records[2].started_at, Some(secs(50)));
}

// ---------------------------------------------------------------------------------------
// The cross-queue rule
// ---------------------------------------------------------------------------------------

/// Two queues share a 2-vCPU Fargate compute environment. At t=0 the high queue has A (1
/// vCPU, 100 s) and B (2 vCPUs, 50 s, which cannot start beside A); the low queue has C (1
/// vCPU, 10 s).
fn shared_ce(queue_priority: &str) -> Value {
    let mut ce = fargate_ce("ce", 2);
    ce["simulation"]["queuePriority"] = json!(queue_priority);
    let at0 = |name: &str, q: &str, def: &str, secs: u64| {
        json!({"at": 0, "submitJob": {"jobName": name, "jobQueue": q, "jobDefinition": def},
               "runtime": {"distribution": "fixed", "seconds": secs}})
    };
    json!({
        "computeEnvironments": [ce],
        "jobQueues": [queue("high", 10, &["ce"]), queue("low", 1, &["ce"])],
        "jobDefinitions": [fargate_def("one", "1", "2048"), fargate_def("two", "2", "4096")],
        "workload": [at0("A", "high", "one", 100), at0("B", "high", "two", 50), at0("C", "low", "one", 10)]
    })
}

/// When each job of [`shared_ce`] started (`None`: never), A, B, C.
fn starts(sim: Simulation) -> Vec<Option<f64>> {
    let (_, rows) = sim.run_with_records();
    rows.iter().map(|r| r.started_at.map(|t| t.as_secs_f64())).collect()
}

/// A rule that never lets one queue use the compute environment.
struct NeverLend(QueueId);

impl CrossQueueRule for NeverLend {
    fn may_use(&mut self, ask: &CrossQueueAsk<'_>) -> bool {
        assert_eq!(ask.attached.len(), 2, "both queues are shown");
        ask.queue != self.0
    }
}

#[test]
fn the_cross_queue_rule_decides_what_a_lower_queue_may_use() {
    let aws = load(&shared_ce("aws"));
    // AWS's cycle: C takes the vCPU B cannot use (t=0); B starts when A ends (t=100).
    let default = starts(Simulation::new(&aws, with_records()).unwrap());
    assert_eq!(default, vec![Some(0.0), Some(100.0), Some(0.0)]);
    // Strict, installed on an "aws" scenario: C waits while B (which the compute environment
    // could fit) is RUNNABLE, then while B runs: it starts when B ends (t=150).
    let mut sim = Simulation::new(&aws, with_records()).unwrap();
    sim.set_cross_queue_rule("ce", Box::new(StrictPriority)).unwrap();
    let strict = starts(sim);
    assert_eq!(strict, vec![Some(0.0), Some(100.0), Some(150.0)]);
    // The same as the scenario's own "strict" setting.
    let setting = starts(Simulation::new(&load(&shared_ce("strict")), with_records()).unwrap());
    assert_eq!(strict, setting);
    // Installed mid-run, the rule counts the jobs already queued.
    let mut sim = Simulation::new(&aws, with_records()).unwrap();
    sim.set_cross_queue_rule("ce", Box::new(NeverLend(QueueId(1)))).unwrap();
    let (report, rows) = sim.run_with_records();
    assert_eq!(rows[2].started_at, None, "C never gets the compute environment");
    assert_eq!(report.jobs.succeeded, 2);
    assert_eq!(report.jobs.unfinished, 1);
    // An unknown compute environment is an error with the closest name.
    let mut sim = Simulation::new(&aws, with_records()).unwrap();
    assert!(matches!(
        sim.set_cross_queue_rule("cf", Box::new(AwsCycle)),
        Err(DecisionError::UnknownComputeEnvironment { suggestion: Some(ref s), .. }) if s == "ce"
    ));
}

// ---------------------------------------------------------------------------------------
// The reservation rule
// ---------------------------------------------------------------------------------------

/// A fair-share queue (`computeReservation` 50, decay 600 s) on an 8-vCPU Fargate compute
/// environment: share A submits eight 1-vCPU jobs of 1,000 s at t=0, share B three of 300 s
/// at t=100 (the case of `tests/fair_share.rs`,
/// `compute_reservation_keeps_capacity_for_a_share_that_arrives_later`).
fn reserving_queue() -> Value {
    let jobs = |at: u64, share: &str, count: usize, secs: u64| -> Vec<Value> {
        (0..count)
            .map(|_| {
                json!({"at": at, "submitJob": {"jobName": share, "jobQueue": "q", "jobDefinition": "d",
                                                 "shareIdentifier": share},
                       "runtime": {"distribution": "fixed", "seconds": secs}})
            })
            .collect()
    };
    let mut workload = jobs(0, "A", 8, 1000);
    workload.extend(jobs(100, "B", 3, 300));
    let mut q = queue("q", 1, &["ce"]);
    q["schedulingPolicyArn"] = json!("fs");
    json!({
        "computeEnvironments": [fargate_ce("ce", 8)],
        "schedulingPolicies": [{"name": "fs", "fairsharePolicy": {"shareDecaySeconds": 600, "computeReservation": 50}}],
        "jobQueues": [q],
        "jobDefinitions": [fargate_def("d", "1", "2048")],
        "workload": workload,
    })
}

/// Start times in seconds, by job id (A1..A8, then B1..B3).
fn start_secs(sim: Simulation) -> Vec<f64> {
    let (_, rows) = sim.run_with_records();
    rows.iter()
        .map(|r| r.started_at.map_or(f64::NAN, |t| t.as_secs_f64()))
        .collect()
}

/// Reserves nothing, and records what it was asked.
struct NoReserve(Arc<Mutex<Vec<ReservationAsk>>>);

impl ReservationRule for NoReserve {
    fn allows(&mut self, ask: &ReservationAsk) -> bool {
        self.0.lock().unwrap().push(*ask);
        true
    }
}

/// Lets a queue hold at most this many vCPUs of any compute environment.
struct Cap(u64);

impl ReservationRule for Cap {
    fn allows(&mut self, ask: &ReservationAsk) -> bool {
        ask.held_millivcpus + u64::from(ask.job_millivcpus) <= self.0 * 1000
    }
}

#[test]
fn the_reservation_rule_decides_what_a_fair_share_queue_keeps_free() {
    let scenario = load(&reserving_queue());
    // AWS's rule, the scenario's own: one active share may hold 8 x (1 - 0.5) = 4 vCPUs, two
    // 8 x (1 - 0.25) = 6 (the figures `tests/fair_share.rs` derives step by step).
    let builtin = start_secs(Simulation::new(&scenario, with_records()).unwrap());
    assert_eq!(
        builtin,
        [0.0, 0.0, 0.0, 0.0, 400.0, 700.0, 1000.0, 1000.0, 100.0, 100.0, 400.0]
    );
    // The built-in installed as a custom rule: the same.
    let mut sim = Simulation::new(&scenario, with_records()).unwrap();
    sim.set_reservation_rule("q", Box::new(AwsReservation)).unwrap();
    assert_eq!(start_secs(sim), builtin);
    // A rule that reserves nothing: A takes all 8 vCPUs at t=0, B waits until A's jobs end.
    let asks = Arc::new(Mutex::new(Vec::new()));
    let mut sim = Simulation::new(&scenario, with_records()).unwrap();
    sim.set_reservation_rule("q", Box::new(NoReserve(asks.clone())))
        .unwrap();
    assert_eq!(
        start_secs(sim),
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1000.0, 1000.0, 1000.0]
    );
    let asks = asks.lock().unwrap();
    // Each job asked once, and B's first once more at t=100, while A held all 8 vCPUs (the
    // rule is asked before the compute environment's own room): the queue's setting, its
    // active shares and what it held before the job.
    assert_eq!(asks.len(), 12, "{asks:?}");
    assert!(asks
        .iter()
        .all(|a| a.compute_reservation == 50 && a.max_vcpus == 8 && a.job_millivcpus == 1000));
    let held: Vec<u64> = asks.iter().map(|a| a.held_millivcpus / 1000).collect();
    assert_eq!(held, [0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2]);
    let active: Vec<usize> = asks.iter().map(|a| a.active_shares).collect();
    // At t=1000 A's jobs have ended but A stays active for its decay period (600 s).
    assert_eq!(active, [1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2]);
}

#[test]
fn a_reservation_rule_applies_to_fifo_queues_too() {
    // Six 1-vCPU jobs of 100 s at t=0 on an 8-vCPU FIFO queue, capped at 2 vCPUs: two at a
    // time, at 0, 100 and 200.
    let workload: Vec<Value> = (0..6)
        .map(|_| {
            json!({"at": 0, "submitJob": {"jobName": "j", "jobQueue": "q", "jobDefinition": "d"},
                   "runtime": {"distribution": "fixed", "seconds": 100}})
        })
        .collect();
    let scenario = load(&json!({
        "computeEnvironments": [fargate_ce("ce", 8)],
        "jobQueues": [queue("q", 1, &["ce"])],
        "jobDefinitions": [fargate_def("d", "1", "2048")],
        "workload": workload,
    }));
    let mut sim = Simulation::new(&scenario, with_records()).unwrap();
    sim.set_reservation_rule("q", Box::new(Cap(2))).unwrap();
    assert_eq!(start_secs(sim), [0.0, 0.0, 100.0, 100.0, 200.0, 200.0]);
    // An unknown queue is an error with the closest name, and nothing changes.
    let mut sim = Simulation::new(&scenario, with_records()).unwrap();
    assert!(matches!(
        sim.set_reservation_rule("qq", Box::new(Cap(2))),
        Err(DecisionError::UnknownQueue { suggestion: Some(ref s), .. }) if s == "q"
    ));
    assert_eq!(start_secs(sim), [0.0; 6]);
}
