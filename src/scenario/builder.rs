//! Building a scenario in code. The builder writes the same AWS request shapes a scenario
//! file holds and validates them the same way, so a scenario built in code obeys exactly the
//! rules of one read from a file.

use super::Scenario;
use crate::error::Error;
use crate::workload::{Distribution, RuntimeModel};
use serde_json::{json, Map, Value};

/// Builds a [`Scenario`] step by step.
///
/// ```
/// use batchsim::workload::RuntimeModel;
/// use batchsim::{Options, Scenario, Simulation};
///
/// let scenario = Scenario::builder("in-code")
///     .seed(7)
///     .fargate_compute_environment("fargate", 8, 0.0)
///     .job_queue("q", 1, &["fargate"])
///     .fargate_job_definition("work", 2.0, 4096)
///     .stream_every(30.0, 10, "w", "q", "work", RuntimeModel::fixed(120.0))
///     .build()?;
/// let report = Simulation::new(&scenario, Options::default())?.run();
/// assert_eq!(report.jobs.succeeded, 10);
/// assert_eq!(report.compute_environments["fargate"].vcpu_seconds_used, 10.0 * 2.0 * 120.0);
/// # Ok::<(), batchsim::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ScenarioBuilder {
    doc: Map<String, Value>,
}

fn push(doc: &mut Map<String, Value>, key: &str, v: Value) {
    if let Value::Array(a) = doc.entry(key).or_insert_with(|| Value::Array(Vec::new())) {
        a.push(v);
    }
}

/// A runtime model as the scenario file writes it.
pub(crate) fn runtime_json(m: &RuntimeModel) -> Value {
    let mut v = match m.distribution {
        Distribution::Fixed { seconds } => json!({"distribution": "fixed", "seconds": seconds}),
        Distribution::Exponential { mean_seconds } => {
            json!({"distribution": "exponential", "meanSeconds": mean_seconds})
        }
        Distribution::Uniform {
            min_seconds,
            max_seconds,
        } => {
            json!({"distribution": "uniform", "minSeconds": min_seconds, "maxSeconds": max_seconds})
        }
        Distribution::LogNormal { median_seconds, sigma } => {
            json!({"distribution": "lognormal", "medianSeconds": median_seconds, "sigma": sigma})
        }
    };
    if m.exit_code != 0 {
        v["exitCode"] = json!(m.exit_code);
    }
    if m.failure_probability > 0.0 {
        v["failureProbability"] = json!(m.failure_probability);
        v["failureExitCode"] = json!(m.failure_exit_code);
    }
    v
}

impl Scenario {
    /// Starts building a scenario named `name`.
    pub fn builder(name: &str) -> ScenarioBuilder {
        let mut doc = Map::new();
        doc.insert("name".into(), json!(name));
        ScenarioBuilder { doc }
    }
}

impl ScenarioBuilder {
    /// Sets `seed`.
    pub fn seed(mut self, seed: u64) -> Self {
        self.doc.insert("seed".into(), json!(seed));
        self
    }

    /// Sets `until` (seconds).
    pub fn until(mut self, seconds: f64) -> Self {
        self.doc.insert("until".into(), json!(seconds));
        self
    }

    /// Adds any CreateComputeEnvironment body (plus `simulation`).
    pub fn compute_environment_json(mut self, body: Value) -> Self {
        push(&mut self.doc, "computeEnvironments", body);
        self
    }

    /// Adds a FARGATE compute environment of `max_vcpus` with a task startup time.
    pub fn fargate_compute_environment(self, name: &str, max_vcpus: u32, startup_seconds: f64) -> Self {
        self.compute_environment_json(json!({"computeEnvironmentName": name, "type": "MANAGED",
            "computeResources": {"type": "FARGATE", "maxvCpus": max_vcpus},
            "simulation": {"startupSeconds": startup_seconds}}))
    }

    /// Adds a FARGATE_SPOT compute environment reclaiming tasks at `interruptions_per_hour`.
    pub fn fargate_spot_compute_environment(
        self,
        name: &str,
        max_vcpus: u32,
        startup_seconds: f64,
        interruptions_per_hour: f64,
    ) -> Self {
        self.compute_environment_json(json!({"computeEnvironmentName": name, "type": "MANAGED",
            "computeResources": {"type": "FARGATE_SPOT", "maxvCpus": max_vcpus},
            "simulation": {"startupSeconds": startup_seconds, "interruptionsPerHour": interruptions_per_hour}}))
    }

    /// Adds an EC2 (On-Demand) compute environment of the given instance types.
    pub fn ec2_compute_environment(self, name: &str, instance_types: &[&str], min_vcpus: u32, max_vcpus: u32) -> Self {
        self.compute_environment_json(json!({"computeEnvironmentName": name, "type": "MANAGED",
            "computeResources": {"type": "EC2", "minvCpus": min_vcpus, "maxvCpus": max_vcpus, "instanceTypes": instance_types}}))
    }

    /// Adds any CreateSchedulingPolicy body.
    pub fn scheduling_policy_json(mut self, body: Value) -> Self {
        push(&mut self.doc, "schedulingPolicies", body);
        self
    }

    /// Adds a fair-share policy with the given `(shareIdentifier, weightFactor)` entries.
    pub fn fair_share_policy(
        self,
        name: &str,
        share_decay_seconds: u32,
        compute_reservation: u32,
        weights: &[(&str, f64)],
    ) -> Self {
        let dist: Vec<Value> = weights
            .iter()
            .map(|(s, w)| json!({"shareIdentifier": s, "weightFactor": w}))
            .collect();
        self.scheduling_policy_json(json!({"name": name, "fairsharePolicy": {
            "shareDecaySeconds": share_decay_seconds, "computeReservation": compute_reservation, "shareDistribution": dist}}))
    }

    /// Adds any CreateJobQueue body.
    pub fn job_queue_json(mut self, body: Value) -> Self {
        push(&mut self.doc, "jobQueues", body);
        self
    }

    /// Adds a FIFO job queue over compute environments (in order).
    pub fn job_queue(self, name: &str, priority: u32, compute_environments: &[&str]) -> Self {
        let order: Vec<Value> = compute_environments
            .iter()
            .enumerate()
            .map(|(i, c)| json!({"order": i + 1, "computeEnvironment": c}))
            .collect();
        self.job_queue_json(json!({"jobQueueName": name, "priority": priority, "computeEnvironmentOrder": order}))
    }

    /// Adds a fair-share job queue using scheduling policy `policy`.
    pub fn fair_share_queue(self, name: &str, priority: u32, compute_environments: &[&str], policy: &str) -> Self {
        let order: Vec<Value> = compute_environments
            .iter()
            .enumerate()
            .map(|(i, c)| json!({"order": i + 1, "computeEnvironment": c}))
            .collect();
        self.job_queue_json(
            json!({"jobQueueName": name, "priority": priority, "computeEnvironmentOrder": order,
            "schedulingPolicyArn": policy}),
        )
    }

    /// Adds any RegisterJobDefinition body.
    pub fn job_definition_json(mut self, body: Value) -> Self {
        push(&mut self.doc, "jobDefinitions", body);
        self
    }

    fn container_def(self, name: &str, platform: &str, vcpus: f64, memory_mib: u32) -> Self {
        self.job_definition_json(
            json!({"jobDefinitionName": name, "type": "container", "platformCapabilities": [platform],
            "containerProperties": {"resourceRequirements": [
                {"type": "VCPU", "value": vcpus.to_string()}, {"type": "MEMORY", "value": memory_mib.to_string()}]}}),
        )
    }

    /// Adds a Fargate container job definition.
    pub fn fargate_job_definition(self, name: &str, vcpus: f64, memory_mib: u32) -> Self {
        self.container_def(name, "FARGATE", vcpus, memory_mib)
    }

    /// Adds an EC2 container job definition.
    pub fn ec2_job_definition(self, name: &str, vcpus: f64, memory_mib: u32) -> Self {
        self.container_def(name, "EC2", vcpus, memory_mib)
    }

    /// Adds any workload entry (submission, stream or trace).
    pub fn workload_json(mut self, entry: Value) -> Self {
        push(&mut self.doc, "workload", entry);
        self
    }

    /// Submits one job at `at` seconds.
    pub fn submit(self, at: f64, job_name: &str, job_queue: &str, job_definition: &str, runtime: RuntimeModel) -> Self {
        self.workload_json(
            json!({"at": at, "submitJob": {"jobName": job_name, "jobQueue": job_queue, "jobDefinition": job_definition},
            "runtime": runtime_json(&runtime)}),
        )
    }

    /// A stream of `count` submissions, one every `seconds` from t = 0.
    pub fn stream_every(
        self,
        seconds: f64,
        count: u64,
        job_name: &str,
        job_queue: &str,
        job_definition: &str,
        runtime: RuntimeModel,
    ) -> Self {
        self.stream(
            json!({"process": "every", "seconds": seconds}),
            count,
            job_name,
            job_queue,
            job_definition,
            runtime,
        )
    }

    /// A Poisson stream of `count` submissions at `rate_per_hour`.
    pub fn stream_poisson(
        self,
        rate_per_hour: f64,
        count: u64,
        job_name: &str,
        job_queue: &str,
        job_definition: &str,
        runtime: RuntimeModel,
    ) -> Self {
        self.stream(
            json!({"process": "poisson", "ratePerHour": rate_per_hour}),
            count,
            job_name,
            job_queue,
            job_definition,
            runtime,
        )
    }

    fn stream(
        self,
        arrivals: Value,
        count: u64,
        job_name: &str,
        job_queue: &str,
        job_definition: &str,
        runtime: RuntimeModel,
    ) -> Self {
        self.workload_json(json!({"arrivals": arrivals, "count": count,
            "submitJob": {"jobName": job_name, "jobQueue": job_queue, "jobDefinition": job_definition},
            "runtime": runtime_json(&runtime)}))
    }

    /// Adds a timed action (`{"at": ..., "updateComputeEnvironment": {...}}` etc.).
    pub fn action_json(mut self, action: Value) -> Self {
        push(&mut self.doc, "actions", action);
        self
    }

    /// The scenario document built so far.
    pub fn to_json(&self) -> Value {
        Value::Object(self.doc.clone())
    }

    /// Validates and returns the scenario.
    pub fn build(&self) -> Result<Scenario, Error> {
        let name = self
            .doc
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("built")
            .to_owned();
        Scenario::from_value(&self.to_json(), &name)
    }
}
