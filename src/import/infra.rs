//! `--infra FILE` of `run`, `validate` and `sweep`: set-up imported from each FILE (any input
//! kind [`super::Importer`] recognises) added to a scenario document that may hold only a
//! workload and actions.
//!
//! Each FILE is imported on its own, exactly as `batchsim import FILE` would, and its
//! compute environments, scheduling policies, job queues and job definitions are appended
//! after the scenario's own (in the order the files are given); its actions (the
//! deregistrations of INACTIVE revisions) and its workload (job history given as `--infra`)
//! are appended too. A name defined twice (in the scenario and a FILE, or in two FILEs) is an
//! error naming both places, as AWS refuses a second compute environment, queue or
//! scheduling policy of one name in an account and Region: there is no precedence rule. A
//! job definition is refused too: AWS would register it as the next revision, but then the
//! revision numbers would depend on the order of the files.
//!
//! ```
//! use batchsim::import::{add_infra_str, ImportOptions};
//! use serde_json::json;
//!
//! let mut scenario = json!({"workload": [{"at": 0, "runtime": {"distribution": "fixed", "seconds": 60},
//!     "submitJob": {"jobName": "a", "jobQueue": "q", "jobDefinition": "d"}}]});
//! let infra = r#"{"computeEnvironments": [{"computeEnvironmentName": "ce", "type": "MANAGED",
//!     "computeResources": {"type": "FARGATE", "maxvCpus": 4}}]}"#;
//! let added = add_infra_str(&mut scenario, "work.json", &[(infra, "ces.json")], &ImportOptions::default())?;
//! assert_eq!(scenario["computeEnvironments"][0]["computeEnvironmentName"], "ce");
//! assert_eq!(added.origin_of("computeEnvironments[0].type"), Some("ces.json"));
//! # Ok::<(), batchsim::import::ImportError>(())
//! ```

use super::{ImportError, ImportOptions, Importer};
use crate::error::{Error, Problems};
use serde_json::{Map, Value};
use std::path::Path;

/// The set-up sections of a scenario, with the field that names an object and what it is.
const SECTIONS: [(&str, &str, &str); 5] = [
    ("consumableResources", "consumableResourceName", "consumable resource"),
    ("computeEnvironments", "computeEnvironmentName", "compute environment"),
    ("schedulingPolicies", "name", "scheduling policy"),
    ("jobQueues", "jobQueueName", "job queue"),
    ("jobDefinitions", "jobDefinitionName", "job definition"),
];

/// What was added to a scenario from `--infra` files: where each added object came from,
/// and the notes of the imports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Added {
    /// `(section, first index, count, file)`: in `section` (`jobQueues`, `workload`, ...) of
    /// the merged document, the `count` entries from `first` on came from `file`.
    pub ranges: Vec<(String, usize, usize, String)>,
    /// The import notes (ignored resources, left-out properties), one line each.
    pub notes: Vec<String>,
}

impl Added {
    /// The `--infra` file a JSON path of the merged document (`jobQueues[3].priority`) is
    /// in, or `None` when it is in the scenario file itself.
    pub fn origin_of(&self, path: &str) -> Option<&str> {
        let open = path.find('[')?;
        let (section, rest) = path.split_at(open);
        let index: usize = rest[1..].split(']').next()?.parse().ok()?;
        self.ranges
            .iter()
            .find(|(s, first, count, _)| s == section && (*first..first + count).contains(&index))
            .map(|(_, _, _, file)| file.as_str())
    }

    /// `e` with every problem at a path that came from an `--infra` file saying so
    /// (`... (from --infra FILE)`), so that the user knows which file to fix.
    pub fn explain(&self, e: Error) -> Error {
        match e {
            Error::Invalid(Problems { file, list }) => Error::Invalid(Problems {
                file,
                list: list
                    .into_iter()
                    .map(|mut p| {
                        if let Some(origin) = self.origin_of(&p.path) {
                            p.message = format!("{} (from --infra {origin})", p.message);
                        }
                        p
                    })
                    .collect(),
            }),
            other => other,
        }
    }
}

/// Adds the set-up imported from each file of `infra` to `scenario` (read from
/// `scenario_file`, which names it in messages). See the module documentation.
pub fn add_infra(
    scenario: &mut Value,
    scenario_file: &str,
    infra: &[impl AsRef<Path>],
    options: &ImportOptions,
) -> Result<Added, ImportError> {
    let texts = super::read_inputs(infra)?;
    let refs: Vec<(&str, &str)> = texts.iter().map(|(f, t)| (t.as_str(), f.as_str())).collect();
    add_infra_str(scenario, scenario_file, &refs, options)
}

/// [`add_infra`] with the inputs given as `(text, file name)`.
pub fn add_infra_str(
    scenario: &mut Value,
    scenario_file: &str,
    infra: &[(&str, &str)],
    options: &ImportOptions,
) -> Result<Added, ImportError> {
    let mut added = Added::default();
    let Value::Object(target) = scenario else {
        // Not a scenario object: validation says so; nothing to add to.
        return Ok(added);
    };
    // Where each name is defined: (section, name) -> a place in words.
    let mut defined: Vec<(&str, String, String)> = Vec::new();
    for (section, field, _) in SECTIONS {
        for (i, object) in list(target, section).iter().enumerate() {
            if let Some(name) = object.get(field).and_then(Value::as_str) {
                if !defined.iter().any(|(s, n, _)| *s == section && n == name) {
                    defined.push((section, name.to_owned(), format!("{scenario_file} ({section}[{i}])")));
                }
            }
        }
    }
    for (text, file) in infra {
        let mut importer = Importer::new(options.clone());
        importer.add_str(text, file)?;
        let imported = importer.finish("infra")?;
        added.notes.extend(imported.notes);
        let Value::Object(mut doc) = imported.scenario else {
            continue;
        };
        for (section, field, label) in SECTIONS {
            let objects = take(&mut doc, section);
            let mut seen_here: Vec<String> = Vec::new();
            for object in &objects {
                let Some(name) = object.get(field).and_then(Value::as_str) else {
                    continue;
                };
                // Revisions of one job definition come one after the other from one file.
                if seen_here.iter().any(|n| n == name) {
                    continue;
                }
                if let Some((_, _, first)) = defined.iter().find(|(s, n, _)| *s == section && n == name) {
                    return Err(ImportError::Duplicate {
                        file: (*file).to_owned(),
                        what: format!("{label} `{name}`"),
                        first: first.clone(),
                        why: if section == "jobDefinitions" {
                            "a job definition's revisions come from one place, so that their numbers are the account's (define it in one file)"
                        } else {
                            "a name is defined once (AWS refuses a second object of the same name)"
                        },
                    });
                }
                seen_here.push(name.to_owned());
            }
            for name in seen_here {
                defined.push((section, name, (*file).to_owned()));
            }
            append(target, section, objects, file, &mut added);
        }
        for section in ["workload", "actions"] {
            let entries = take(&mut doc, section);
            append(target, section, entries, file, &mut added);
        }
    }
    Ok(added)
}

/// The list at `key` of a document (empty when missing or not a list).
fn list<'a>(doc: &'a Map<String, Value>, key: &str) -> &'a [Value] {
    doc.get(key).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn take(doc: &mut Map<String, Value>, key: &str) -> Vec<Value> {
    match doc.remove(key) {
        Some(Value::Array(a)) => a,
        _ => Vec::new(),
    }
}

/// Appends `entries` from `file` to the list at `section` of `target` (created when missing;
/// a `section` that is not a list is left as it is for validation to report).
fn append(target: &mut Map<String, Value>, section: &str, entries: Vec<Value>, file: &str, added: &mut Added) {
    if entries.is_empty() {
        return;
    }
    let slot = target
        .entry(section.to_owned())
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(a) = slot {
        added
            .ranges
            .push((section.to_owned(), a.len(), entries.len(), file.to_owned()));
        a.extend(entries);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const CES: &str = r#"{"computeEnvironments": [{"computeEnvironmentName": "ce", "type": "MANAGED",
        "computeResources": {"type": "FARGATE", "maxvCpus": 4}}]}"#;
    const QUEUES: &str = r#"{"jobQueues": [{"jobQueueName": "q", "priority": 1, "state": "ENABLED",
        "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "arn:aws:batch:us-east-1:1:compute-environment/ce"}]}]}"#;

    #[test]
    fn set_up_is_appended_in_file_order_and_origins_are_known() {
        let mut s = json!({"name": "w", "computeEnvironments": [{"computeEnvironmentName": "own", "type": "MANAGED",
            "computeResources": {"type": "FARGATE", "maxvCpus": 2}}]});
        let added = add_infra_str(
            &mut s,
            "w.json",
            &[(CES, "ces.json"), (QUEUES, "queues.json")],
            &ImportOptions::default(),
        )
        .unwrap();
        assert_eq!(s["computeEnvironments"][1]["computeEnvironmentName"], "ce");
        assert_eq!(
            s["jobQueues"][0]["computeEnvironmentOrder"][0]["computeEnvironment"],
            "ce"
        );
        assert_eq!(added.origin_of("computeEnvironments[0].type"), None);
        assert_eq!(added.origin_of("computeEnvironments[1]"), Some("ces.json"));
        assert_eq!(added.origin_of("jobQueues[0].priority"), Some("queues.json"));
        assert_eq!(added.origin_of("workload[0]"), None);
        assert_eq!(s["name"], "w");
    }

    #[test]
    fn a_name_defined_twice_names_both_places() {
        let mut s = json!({"computeEnvironments": [{"computeEnvironmentName": "ce"}]});
        let e = add_infra_str(&mut s, "w.json", &[(CES, "ces.json")], &ImportOptions::default())
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "ces.json: compute environment `ce` is already defined in w.json (computeEnvironments[0]); \
             a name is defined once (AWS refuses a second object of the same name)"
        );
        let mut s = json!({});
        let e = add_infra_str(
            &mut s,
            "w.json",
            &[(CES, "a.json"), (CES, "b.json")],
            &ImportOptions::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("b.json: compute environment `ce` is already defined in a.json;"),
            "{e}"
        );
    }

    #[test]
    fn a_job_definition_in_two_places_is_refused_too() {
        let defs = r#"{"jobDefinitions": [{"jobDefinitionName": "d", "revision": 2, "status": "ACTIVE", "type": "container"},
            {"jobDefinitionName": "d", "revision": 1, "status": "INACTIVE", "type": "container"}]}"#;
        let mut s = json!({});
        let added = add_infra_str(&mut s, "w.json", &[(defs, "defs.json")], &ImportOptions::default()).unwrap();
        assert_eq!(
            s["jobDefinitions"].as_array().unwrap().len(),
            2,
            "two revisions of one file"
        );
        assert_eq!(added.origin_of("actions[0]"), Some("defs.json"));
        let e = add_infra_str(&mut s, "w.json", &[(defs, "again.json")], &ImportOptions::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("again.json: job definition `d` is already defined in w.json (jobDefinitions[0]); a job definition's revisions"),
            "{e}"
        );
    }

    #[test]
    fn bad_infra_input_names_the_file_and_the_path() {
        let mut s = json!({});
        let e = add_infra_str(
            &mut s,
            "w.json",
            &[(r#"{"hello": 1}"#, "x.json")],
            &ImportOptions::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("x.json: (root): not an input batchsim can import"), "{e}");
    }
}
