//! The set-up gathered from every input, and the scenario written from it.

use super::history::{self, RecordedJob};
use super::shapes::{self, Style};
use crate::scenario::arn_tail;
use serde_json::{json, Map, Value};

/// One object of the set-up, with the input it came from.
#[derive(Clone, Debug, PartialEq)]
struct Named {
    name: String,
    body: Value,
}

/// One revision of a job definition.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Revision {
    /// `jobDefinitionName`.
    pub name: String,
    /// The revision number the input gives (describe output, Terraform state), if any.
    pub revision: Option<u32>,
    /// `false` for an INACTIVE (deregistered) revision.
    pub active: bool,
    /// The RegisterJobDefinition body.
    pub body: Value,
}

/// The set-up read so far: request bodies in the order the inputs give them, plus notes for
/// the user (what was ignored, what could not be resolved).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Setup {
    compute_environments: Vec<Named>,
    scheduling_policies: Vec<Named>,
    job_queues: Vec<Named>,
    job_definitions: Vec<Revision>,
    consumable_resources: Vec<Named>,
    /// Notes, in the order they were made.
    pub notes: Vec<String>,
    /// The inputs read, in order.
    pub sources: Vec<String>,
    /// Jobs read from job history, in input order.
    pub history: Vec<RecordedJob>,
    /// What the history recorded of each job, array children included, in input order.
    pub runs: Vec<history::RecordedRun>,
}

/// The kinds of object a scenario holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ObjectKind {
    /// A compute environment.
    ComputeEnvironment,
    /// A job queue.
    JobQueue,
    /// A scheduling policy.
    SchedulingPolicy,
    /// A consumable resource (`CreateConsumableResource`).
    ConsumableResource,
}

impl ObjectKind {
    /// The request shape of this kind.
    pub fn shape(self) -> &'static str {
        match self {
            ObjectKind::ComputeEnvironment => shapes::COMPUTE_ENVIRONMENT,
            ObjectKind::JobQueue => shapes::JOB_QUEUE,
            ObjectKind::SchedulingPolicy => shapes::SCHEDULING_POLICY,
            ObjectKind::ConsumableResource => shapes::CONSUMABLE_RESOURCE,
        }
    }

    /// The field that holds the object's name.
    pub fn name_field(self) -> &'static str {
        match self {
            ObjectKind::ComputeEnvironment => "computeEnvironmentName",
            ObjectKind::JobQueue => "jobQueueName",
            ObjectKind::SchedulingPolicy => "name",
            ObjectKind::ConsumableResource => "consumableResourceName",
        }
    }

    fn label(self) -> &'static str {
        match self {
            ObjectKind::ComputeEnvironment => "compute environment",
            ObjectKind::JobQueue => "job queue",
            ObjectKind::SchedulingPolicy => "scheduling policy",
            ObjectKind::ConsumableResource => "consumable resource",
        }
    }
}

/// Converts a resource's properties to the request shape `kind_shape` (whose name is in
/// `name_field`), notes the properties left out (their paths start at `path`) and gives the
/// object `default_name` when it has none.
/// Keeps a compute environment's recorded ECS cluster (describe-compute-environments
/// `ecsClusterArn`, Terraform `ecs_cluster_arn`; read-only on AWS: "The Amazon Resource Name
/// (ARN) of the underlying Amazon ECS cluster that the compute environment uses", API model,
/// `ComputeEnvironmentDetail.ecsClusterArn`) as `simulation.ecsClusterArn` of its request
/// `body`: the simulation ignores it, `batchsim calibrate` finds the compute environment a
/// history job ran on from its task ARN's cluster ([`crate::import::cluster_of_task`]).
pub(crate) fn keep_cluster(body: &mut Value, arn: Option<&Value>) {
    let (Some(Value::String(arn)), Value::Object(o)) = (arn, body) else {
        return;
    };
    if arn.is_empty() {
        return;
    }
    let sim = o.entry("simulation").or_insert_with(|| json!({}));
    if let Value::Object(sim) = sim {
        sim.insert("ecsClusterArn".into(), Value::String(arn.clone()));
    }
}

pub(crate) fn request(
    (kind_shape, name_field): (&str, &str),
    properties: &Value,
    style: Style,
    path: &str,
    default_name: &str,
    notes: &mut Vec<String>,
    source: &str,
) -> Value {
    let mut dropped = Vec::new();
    let mut body = shapes::convert(kind_shape, properties, style, path, &mut dropped).unwrap_or_else(|| json!({}));
    if let Value::Object(o) = &mut body {
        if !o.get(name_field).is_some_and(Value::is_string) {
            let mut named = Map::new();
            named.insert(name_field.to_owned(), Value::String(default_name.to_owned()));
            named.extend(std::mem::take(o));
            *o = named;
        }
    } else {
        body = json!({ name_field: default_name });
    }
    if !dropped.is_empty() {
        notes.push(format!(
            "{source}: left out (not in the {} request): {}",
            kind_shape.trim_end_matches("Request"),
            dropped.join(", ")
        ));
    }
    body
}

impl Setup {
    /// Adds a compute environment, queue or policy (a request body with its name); a second
    /// object of the same kind and name is left out with a note.
    pub fn add(&mut self, kind: ObjectKind, body: Value, source: &str) {
        let name = body
            .get(kind.name_field())
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let list = match kind {
            ObjectKind::ComputeEnvironment => &mut self.compute_environments,
            ObjectKind::JobQueue => &mut self.job_queues,
            ObjectKind::SchedulingPolicy => &mut self.scheduling_policies,
            ObjectKind::ConsumableResource => &mut self.consumable_resources,
        };
        if list.iter().any(|n| n.name == name) {
            self.notes.push(format!(
                "{source}: {} `{name}` is already imported; this one is left out",
                kind.label()
            ));
            return;
        }
        list.push(Named { name, body });
    }

    /// Adds a job definition revision.
    pub fn add_revision(&mut self, revision: Revision, source: &str) {
        if revision.revision.is_some()
            && self
                .job_definitions
                .iter()
                .any(|r| r.name == revision.name && r.revision == revision.revision)
        {
            self.notes.push(format!(
                "{source}: job definition `{}:{}` is already imported; this one is left out",
                revision.name,
                revision.revision.unwrap_or_default()
            ));
            return;
        }
        self.job_definitions.push(revision);
    }

    /// The scenario: `name`, a description naming the inputs, the objects in input order,
    /// the workload of the job history read (empty without one) and the actions that keep
    /// INACTIVE revisions deregistered.
    ///
    /// References by ARN become names. Job definitions are registered name by name (in the
    /// order each name first appears), revisions in ascending number, so that revision `n`
    /// of the account is revision `n` in the scenario: a revision number missing from the
    /// input is filled with a copy of the next revision, deregistered at time 0 like every
    /// INACTIVE revision.
    pub fn build_scenario(&mut self, name: &str) -> Value {
        let mut out = Map::new();
        out.insert("name".into(), Value::String(name.to_owned()));
        out.insert(
            "description".into(),
            Value::String(format!("Imported by batchsim import from {}", self.sources.join(", "))),
        );
        let ces: Vec<Value> = self.compute_environments.iter().map(|n| n.body.clone()).collect();
        let policies: Vec<Value> = self.scheduling_policies.iter().map(|n| n.body.clone()).collect();
        let queues: Vec<Value> = self.job_queues.iter().map(|n| queue_references(&n.body)).collect();
        let (definitions, actions) = self.revisions();
        if !self.consumable_resources.is_empty() {
            // Only when some were imported: other imports keep their bytes.
            let resources = self.consumable_resources.iter().map(|n| n.body.clone()).collect();
            out.insert("consumableResources".into(), Value::Array(resources));
        }
        out.insert("computeEnvironments".into(), Value::Array(ces));
        out.insert("schedulingPolicies".into(), Value::Array(policies));
        out.insert("jobQueues".into(), Value::Array(queues));
        out.insert("jobDefinitions".into(), Value::Array(definitions));
        let workload = history::workload(&self.history, &mut self.notes);
        out.insert("workload".into(), Value::Array(workload));
        out.insert("actions".into(), Value::Array(actions));
        Value::Object(out)
    }

    fn revisions(&mut self) -> (Vec<Value>, Vec<Value>) {
        let mut names: Vec<String> = Vec::new();
        for r in &self.job_definitions {
            if !names.contains(&r.name) {
                names.push(r.name.clone());
            }
        }
        let mut definitions = Vec::new();
        let mut actions = Vec::new();
        for name in names {
            let mut numbered: Vec<&Revision> = self
                .job_definitions
                .iter()
                .filter(|r| r.name == name && r.revision.is_some())
                .collect();
            numbered.sort_by_key(|r| r.revision);
            let unnumbered = self
                .job_definitions
                .iter()
                .filter(|r| r.name == name && r.revision.is_none());
            let mut next = 1u32;
            let mut filled = Vec::new();
            let mut renumbered = Vec::new();
            for r in numbered.iter().copied().chain(unnumbered) {
                let mut number = r.revision.unwrap_or(next).max(next);
                if number - next > MAX_FILLED_REVISIONS {
                    renumbered.push(number);
                    number = next;
                }
                // Fill the gap below this revision with deregistered copies of it.
                while next < number {
                    definitions.push(r.body.clone());
                    actions.push(deregister(&name, next));
                    filled.push(next);
                    next += 1;
                }
                definitions.push(r.body.clone());
                if !r.active {
                    actions.push(deregister(&name, number));
                }
                next = number.saturating_add(1);
            }
            if !renumbered.is_empty() {
                self.notes.push(format!(
                    "job definition `{name}`: revision numbers {} are too far above the previous one to fill the gap; registered as the next revision",
                    renumbered.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
                ));
            }
            if !filled.is_empty() {
                self.notes.push(format!(
                    "job definition `{name}`: revision{} {} not in the input; registered as a copy of the next revision and deregistered at time 0 so the revision numbers stay the account's",
                    if filled.len() == 1 { "" } else { "s" },
                    filled.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
                ));
            }
        }
        (definitions, actions)
    }
}

/// The largest gap in revision numbers filled with deregistered copies.
const MAX_FILLED_REVISIONS: u32 = 1000;

fn deregister(name: &str, revision: u32) -> Value {
    json!({"at": 0, "deregisterJobDefinition": {"jobDefinition": format!("{name}:{revision}")}})
}

/// A queue body with its compute environment and scheduling policy references as names.
fn queue_references(body: &Value) -> Value {
    let mut body = body.clone();
    if let Some(order) = body.get_mut("computeEnvironmentOrder").and_then(Value::as_array_mut) {
        for entry in order {
            if let Some(Value::String(ce)) = entry.get_mut("computeEnvironment") {
                *ce = arn_tail(ce).to_owned();
            }
        }
    }
    if let Some(Value::String(p)) = body.get_mut("schedulingPolicyArn") {
        *p = arn_tail(p).to_owned();
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(rev: Option<u32>, active: bool) -> Revision {
        Revision {
            name: "etl".into(),
            revision: rev,
            active,
            body: json!({"jobDefinitionName": "etl", "type": "container"}),
        }
    }

    #[test]
    fn revisions_keep_their_numbers_and_inactive_ones_are_deregistered() {
        let mut s = Setup::default();
        s.add_revision(def(Some(4), true), "a");
        s.add_revision(def(Some(2), false), "a");
        s.add_revision(def(Some(2), true), "b");
        let v = s.clone().build_scenario("x");
        let mut s2 = s.clone();
        let _ = s2.build_scenario("x");
        assert!(
            s2.notes.last().unwrap().contains("revisions 1, 3 not in the input"),
            "{:?}",
            s2.notes
        );
        assert_eq!(v["jobDefinitions"].as_array().unwrap().len(), 4);
        let actions: Vec<&str> = v["actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["deregisterJobDefinition"]["jobDefinition"].as_str().unwrap())
            .collect();
        assert_eq!(actions, ["etl:1", "etl:2", "etl:3"]);
        assert_eq!(s.notes.len(), 1, "{:?}", s.notes);
    }

    #[test]
    fn queue_references_become_names_and_duplicates_are_noted() {
        let mut s = Setup::default();
        let q = json!({"jobQueueName": "q", "priority": 1, "schedulingPolicyArn": "arn:aws:batch:us-east-1:1:scheduling-policy/fs",
            "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "arn:aws:batch:us-east-1:1:compute-environment/ce"}]});
        s.add(ObjectKind::JobQueue, q.clone(), "a.json");
        s.add(ObjectKind::JobQueue, q, "b.json");
        assert_eq!(s.notes.len(), 1);
        let v = s.build_scenario("x");
        assert_eq!(
            v["jobQueues"][0]["computeEnvironmentOrder"][0]["computeEnvironment"],
            "ce"
        );
        assert_eq!(v["jobQueues"][0]["schedulingPolicyArn"], "fs");
    }

    #[test]
    fn a_request_without_its_name_takes_the_default() {
        let mut notes = Vec::new();
        let body = request(
            (shapes::JOB_QUEUE, "jobQueueName"),
            &json!({"Priority": 5, "Bogus": 1}),
            Style::CloudFormation,
            "Resources.Q.Properties",
            "Q",
            &mut notes,
            "t.yaml",
        );
        assert_eq!(body, json!({"jobQueueName": "Q", "priority": 5}));
        assert!(notes[0].contains("Resources.Q.Properties.Bogus"), "{notes:?}");
    }
}
