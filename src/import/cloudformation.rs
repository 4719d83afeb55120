//! CloudFormation templates (JSON or YAML; `cdk synth` and SAM output are templates too).
//!
//! The Batch resources (`AWS::Batch::ComputeEnvironment`, `JobQueue`, `JobDefinition`,
//! `SchedulingPolicy`) are read with the intrinsic functions that wire them together
//! resolved: `Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`, `Fn::If` (with `Conditions` built
//! from `Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or`, `Condition`), `Fn::Select`,
//! `Fn::Split`, `Fn::FindInMap`, `Fn::GetAZs`, `Fn::Base64`, `Fn::ToJsonString`,
//! `Fn::Length`, and `AWS::NoValue`. Parameters take the value given with `--param`, else
//! their `Default`; one with neither is an error naming it.
//!
//! A `Ref` or `Fn::GetAtt` to a Batch resource gives its ARN
//! (`arn:aws:batch:<region>:<account>:job-queue/<name>`), which the scenario reads as the
//! name; to any other resource, a stand-in (its logical ID), since the simulator does not
//! read the fields such references fill (roles, subnets, security groups, launch
//! templates). `Fn::ImportValue` (another stack's output) also gives a stand-in, with a note.
//! `AWS::Batch::ConsumableResource` becomes an entry of the scenario's `consumableResources`.
//! A resource that has no name property takes its logical ID. Resources of other services
//! are ignored and listed in the notes.

use super::error::ImportError;
use super::setup::{request, ObjectKind, Revision, Setup};
use super::shapes::{self, Style};
use super::ImportOptions;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The pseudo parameters' values (overridable with `--param AWS::Region=...`).
const REGION: &str = "us-east-1";
const ACCOUNT: &str = "123456789012";

/// Deeper than any template; guards against reference cycles and hostile nesting.
const MAX_DEPTH: usize = 64;

/// The Batch resource types read, with what they become and their name property.
fn batch_kind(kind: &str) -> Option<(Option<ObjectKind>, &'static str, &'static str)> {
    // (scenario kind, or None for a job definition), name property, ARN resource type.
    match kind {
        "AWS::Batch::ComputeEnvironment" => Some((
            Some(ObjectKind::ComputeEnvironment),
            "ComputeEnvironmentName",
            "compute-environment",
        )),
        "AWS::Batch::JobQueue" => Some((Some(ObjectKind::JobQueue), "JobQueueName", "job-queue")),
        "AWS::Batch::SchedulingPolicy" => Some((Some(ObjectKind::SchedulingPolicy), "Name", "scheduling-policy")),
        "AWS::Batch::JobDefinition" => Some((None, "JobDefinitionName", "job-definition")),
        "AWS::Batch::ConsumableResource" => Some((
            Some(ObjectKind::ConsumableResource),
            "ConsumableResourceName",
            "consumable-resource",
        )),
        _ => None,
    }
}

struct Template<'a> {
    file: &'a str,
    doc: &'a Map<String, Value>,
    /// Parameter values (given or default), as CloudFormation passes them: strings, or lists
    /// for `List<...>` and `CommaDelimitedList` types.
    params: HashMap<String, Value>,
    /// Logical ID -> (name, ARN) of every Batch resource.
    batch: HashMap<String, (String, String)>,
    resources: &'a Map<String, Value>,
    conditions: HashMap<String, bool>,
    /// Notes made while resolving.
    notes: Vec<String>,
}

/// Reads a CloudFormation template into `setup`.
pub(crate) fn read(file: &str, doc: &Value, options: &ImportOptions, setup: &mut Setup) -> Result<(), ImportError> {
    let Some(doc) = doc.as_object() else {
        return Err(ImportError::invalid(file, "", "a CloudFormation template is an object"));
    };
    let empty = Map::new();
    let resources = match doc.get("Resources") {
        Some(Value::Object(r)) => r,
        None => &empty,
        Some(_) => {
            return Err(ImportError::invalid(
                file,
                "Resources",
                "expected an object of resources",
            ))
        }
    };
    let mut t = Template {
        file,
        doc,
        params: HashMap::new(),
        batch: HashMap::new(),
        resources,
        conditions: HashMap::new(),
        notes: Vec::new(),
    };
    t.read_parameters(options)?;
    t.read_conditions()?;
    t.name_batch_resources();

    let mut ignored = Vec::new();
    for (id, resource) in resources {
        let path = format!("Resources.{id}");
        let kind = resource.get("Type").and_then(Value::as_str).unwrap_or_default();
        let Some((scenario_kind, _, _)) = batch_kind(kind) else {
            ignored.push(format!("{id} ({kind})"));
            continue;
        };
        if let Some(c) = resource.get("Condition") {
            let c = c.as_str().unwrap_or_default();
            match t.conditions.get(c) {
                Some(true) => {}
                Some(false) => {
                    t.notes
                        .push(format!("{file}: {path} left out: its condition `{c}` is false"));
                    continue;
                }
                None => {
                    return Err(ImportError::invalid(
                        file,
                        format!("{path}.Condition"),
                        format!("unknown condition `{c}`"),
                    ))
                }
            }
        }
        let props_path = format!("{path}.Properties");
        let properties = match resource.get("Properties") {
            Some(p) => t.resolve(p, &props_path, 0)?.unwrap_or(Value::Object(Map::new())),
            None => Value::Object(Map::new()),
        };
        let name = t.batch.get(id).map(|(n, _)| n.clone()).unwrap_or_else(|| id.clone());
        let mut notes = Vec::new();
        match scenario_kind {
            Some(k) => {
                let body = request(
                    (k.shape(), k.name_field()),
                    &properties,
                    Style::CloudFormation,
                    &props_path,
                    &name,
                    &mut notes,
                    file,
                );
                setup.notes.append(&mut notes);
                setup.add(k, body, file);
            }
            None => {
                let mut body = request(
                    (shapes::JOB_DEFINITION, "jobDefinitionName"),
                    &properties,
                    Style::CloudFormation,
                    &props_path,
                    &name,
                    &mut notes,
                    file,
                );
                // CloudFormation accepts `Container`; the API takes `container`.
                if let Some(Value::String(ty)) = body.get_mut("type") {
                    *ty = ty.to_ascii_lowercase();
                }
                setup.notes.append(&mut notes);
                setup.add_revision(
                    Revision {
                        name,
                        revision: None,
                        active: true,
                        body,
                    },
                    file,
                );
            }
        }
    }
    setup.notes.append(&mut t.notes);
    if !ignored.is_empty() {
        setup.notes.push(format!(
            "{file}: resources ignored (not simulated): {}",
            ignored.join(", ")
        ));
    }
    Ok(())
}

impl Template<'_> {
    fn read_parameters(&mut self, options: &ImportOptions) -> Result<(), ImportError> {
        for (name, value) in [
            ("AWS::Region", REGION.to_owned()),
            ("AWS::AccountId", ACCOUNT.to_owned()),
            ("AWS::Partition", "aws".to_owned()),
            ("AWS::URLSuffix", "amazonaws.com".to_owned()),
            ("AWS::StackName", stack_name(self.file)),
        ] {
            let v = options.param(name).map(str::to_owned).unwrap_or(value);
            self.params.insert(name.to_owned(), Value::String(v));
        }
        let stack_id = format!(
            "arn:aws:cloudformation:{}:{}:stack/{}/00000000-0000-0000-0000-000000000000",
            self.pseudo("AWS::Region"),
            self.pseudo("AWS::AccountId"),
            self.pseudo("AWS::StackName")
        );
        self.params.insert("AWS::StackId".into(), Value::String(stack_id));
        self.params
            .insert("AWS::NotificationARNs".into(), Value::Array(Vec::new()));
        let Some(params) = self.doc.get("Parameters") else {
            return Ok(());
        };
        let Some(params) = params.as_object() else {
            return Err(ImportError::invalid(
                self.file,
                "Parameters",
                "expected an object of parameters",
            ));
        };
        let mut missing = Vec::new();
        for (name, def) in params {
            let ty = def.get("Type").and_then(Value::as_str).unwrap_or("String");
            let value = match (options.param(name), def.get("Default")) {
                (Some(v), _) => Value::String(v.to_owned()),
                (None, Some(d)) => match d {
                    Value::Number(n) => Value::String(n.to_string()),
                    Value::Bool(b) => Value::String(b.to_string()),
                    other => other.clone(),
                },
                (None, None) => {
                    missing.push(name.clone());
                    continue;
                }
            };
            let list = ty.starts_with("List<") || ty == "CommaDelimitedList";
            let value = match value {
                Value::String(s) if list => {
                    Value::Array(s.split(',').map(|p| Value::String(p.trim().to_owned())).collect())
                }
                other => other,
            };
            self.params.insert(name.clone(), value);
        }
        if !missing.is_empty() {
            let first = &missing[0];
            return Err(ImportError::invalid(
                self.file,
                format!("Parameters.{first}"),
                format!(
                    "parameter{} {} {} no Default; give {} with --param (e.g. --param {first}=VALUE)",
                    if missing.len() == 1 { "" } else { "s" },
                    missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", "),
                    if missing.len() == 1 { "has" } else { "have" },
                    if missing.len() == 1 { "it" } else { "them" },
                ),
            ));
        }
        Ok(())
    }

    fn pseudo(&self, name: &str) -> String {
        self.params
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    }

    fn read_conditions(&mut self) -> Result<(), ImportError> {
        let Some(conds) = self.doc.get("Conditions").and_then(Value::as_object) else {
            return Ok(());
        };
        for name in conds.keys() {
            let v = self.condition(name, 0)?;
            self.conditions.insert(name.clone(), v);
        }
        Ok(())
    }

    fn condition(&mut self, name: &str, depth: usize) -> Result<bool, ImportError> {
        if let Some(v) = self.conditions.get(name) {
            return Ok(*v);
        }
        let path = format!("Conditions.{name}");
        let Some(expr) = self.doc.get("Conditions").and_then(|c| c.get(name)) else {
            return Err(ImportError::invalid(
                self.file,
                path,
                format!("unknown condition `{name}`"),
            ));
        };
        let v = self.eval_condition(expr, &path, depth + 1)?;
        self.conditions.insert(name.to_owned(), v);
        Ok(v)
    }

    fn eval_condition(&mut self, expr: &Value, path: &str, depth: usize) -> Result<bool, ImportError> {
        if depth > MAX_DEPTH {
            return Err(ImportError::invalid(
                self.file,
                path,
                "conditions nest too deeply (a cycle?)",
            ));
        }
        let bad = |what: &str| ImportError::invalid(self.file, path, what.to_owned());
        let Some((f, arg)) = single(expr) else {
            return match expr {
                Value::Bool(b) => Ok(*b),
                Value::String(s) if s == "true" || s == "false" => Ok(s == "true"),
                _ => Err(bad(
                    "expected a condition (Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition)",
                )),
            };
        };
        let args = || arg.as_array().cloned().unwrap_or_default();
        match f {
            "Condition" => {
                let name = arg.as_str().ok_or_else(|| bad("`Condition` takes a condition name"))?;
                self.condition(name, depth)
            }
            "Fn::Equals" => {
                let a = args();
                if a.len() != 2 {
                    return Err(bad("`Fn::Equals` takes two values"));
                }
                let x = self.resolve(&a[0], &format!("{path}.Fn::Equals[0]"), depth)?;
                let y = self.resolve(&a[1], &format!("{path}.Fn::Equals[1]"), depth)?;
                Ok(as_text(x.as_ref()) == as_text(y.as_ref()))
            }
            "Fn::Not" => {
                let a = args();
                let [c] = a.as_slice() else {
                    return Err(bad("`Fn::Not` takes one condition"));
                };
                Ok(!self.eval_condition(c, &format!("{path}.Fn::Not[0]"), depth + 1)?)
            }
            "Fn::And" | "Fn::Or" => {
                let mut out = f == "Fn::And";
                for (i, c) in args().iter().enumerate() {
                    let v = self.eval_condition(c, &format!("{path}.{f}[{i}]"), depth + 1)?;
                    out = if f == "Fn::And" { out && v } else { out || v };
                }
                Ok(out)
            }
            _ => Err(bad(&format!("`{f}` is not a condition function"))),
        }
    }

    /// Gives every Batch resource its name (the name property, if it resolves without
    /// referring to other resources' names, else the logical ID) and its ARN.
    fn name_batch_resources(&mut self) {
        let mut named = HashMap::new();
        for (id, r) in self.resources {
            let Some((kind, name_prop, arn_type)) = r.get("Type").and_then(Value::as_str).and_then(batch_kind) else {
                continue;
            };
            let name = r
                .get("Properties")
                .and_then(|p| p.get(name_prop))
                .and_then(|n| self.resolve(n, "", MAX_DEPTH / 2).ok().flatten())
                .and_then(|n| n.as_str().map(str::to_owned))
                .unwrap_or_else(|| id.clone());
            let tail = if kind.is_none() {
                format!("{name}:1")
            } else {
                name.clone()
            };
            let arn = format!(
                "arn:aws:batch:{}:{}:{arn_type}/{tail}",
                self.pseudo("AWS::Region"),
                self.pseudo("AWS::AccountId")
            );
            named.insert(id.clone(), (name, arn));
        }
        self.batch = named;
    }

    /// The value of `Ref name`.
    fn reference(&self, name: &str, path: &str) -> Result<Option<Value>, ImportError> {
        if name == "AWS::NoValue" {
            return Ok(None);
        }
        if let Some(v) = self.params.get(name) {
            return Ok(Some(v.clone()));
        }
        if let Some((_, arn)) = self.batch.get(name) {
            return Ok(Some(Value::String(arn.clone())));
        }
        if self.resources.contains_key(name) {
            return Ok(Some(Value::String(name.to_owned())));
        }
        let known = self
            .params
            .keys()
            .map(String::as_str)
            .chain(self.resources.keys().map(String::as_str));
        let hint = crate::scenario::suggest::suggest(name, known)
            .map(|s| format!("; did you mean `{s}`?"))
            .unwrap_or_default();
        Err(ImportError::invalid(
            self.file,
            path,
            format!("unresolvable `Ref` to `{name}`: no parameter or resource has that name{hint}"),
        ))
    }

    /// The value of `Fn::GetAtt [id, attribute]`.
    fn attribute(&self, id: &str, attr: &str, path: &str) -> Result<Value, ImportError> {
        if let Some((name, arn)) = self.batch.get(id) {
            let lower = attr.to_ascii_lowercase();
            return Ok(Value::String(if lower.ends_with("arn") {
                arn.clone()
            } else if lower.ends_with("name") {
                name.clone()
            } else {
                format!("{id}.{attr}")
            }));
        }
        if self.resources.contains_key(id) {
            return Ok(Value::String(format!("{id}.{attr}")));
        }
        Err(ImportError::invalid(
            self.file,
            path,
            format!("unresolvable `Fn::GetAtt` to `{id}.{attr}`: no resource `{id}`"),
        ))
    }

    /// Resolves the intrinsic functions in `value`; `None` is `AWS::NoValue` (the property
    /// is left out).
    fn resolve(&mut self, value: &Value, path: &str, depth: usize) -> Result<Option<Value>, ImportError> {
        if depth > MAX_DEPTH {
            return Err(ImportError::invalid(self.file, path, "nested too deeply"));
        }
        let bad = |p: &str, what: String| ImportError::invalid(self.file, p, what);
        if let Some((f, arg)) = single(value) {
            let here = format!("{path}.{f}");
            let list = |v: &Value| v.as_array().cloned();
            return match f {
                "Ref" => {
                    let name = arg.as_str().ok_or_else(|| bad(&here, "`Ref` takes a name".into()))?;
                    self.reference(name, path)
                }
                "Fn::GetAtt" => {
                    let (id, attr) = match arg {
                        Value::Array(a) if a.len() == 2 => {
                            let attr = self.resolve(&a[1], &format!("{here}[1]"), depth + 1)?;
                            (a[0].as_str().unwrap_or_default().to_owned(), as_text(attr.as_ref()))
                        }
                        Value::String(s) => match s.split_once('.') {
                            Some((a, b)) => (a.to_owned(), b.to_owned()),
                            None => (s.clone(), String::new()),
                        },
                        _ => return Err(bad(&here, "`Fn::GetAtt` takes [resource, attribute]".into())),
                    };
                    self.attribute(&id, &attr, path).map(Some)
                }
                "Fn::Sub" => {
                    let (text, vars) = match arg {
                        Value::String(s) => (s.clone(), Map::new()),
                        Value::Array(a) if a.len() == 2 && a[0].is_string() => {
                            let mut vars = Map::new();
                            if let Some(m) = a[1].as_object() {
                                for (k, v) in m {
                                    let r = self.resolve(v, &format!("{here}[1].{k}"), depth + 1)?;
                                    vars.insert(k.clone(), r.unwrap_or(Value::Null));
                                }
                            }
                            (a[0].as_str().unwrap_or_default().to_owned(), vars)
                        }
                        _ => return Err(bad(&here, "`Fn::Sub` takes a string or [string, variables]".into())),
                    };
                    self.substitute(&text, &vars, &here).map(|s| Some(Value::String(s)))
                }
                "Fn::Join" => {
                    let a = list(arg).filter(|a| a.len() == 2);
                    let Some(a) = a else {
                        return Err(bad(&here, "`Fn::Join` takes [delimiter, list]".into()));
                    };
                    let delim = as_text(Some(&a[0]));
                    let items = self.resolve(&a[1], &format!("{here}[1]"), depth + 1)?;
                    let parts: Vec<String> = match items {
                        Some(Value::Array(items)) => items.iter().map(|i| as_text(Some(i))).collect(),
                        Some(other) => vec![as_text(Some(&other))],
                        None => Vec::new(),
                    };
                    Ok(Some(Value::String(parts.join(&delim))))
                }
                "Fn::If" => {
                    let a = list(arg).filter(|a| a.len() == 3);
                    let Some(a) = a else {
                        return Err(bad(&here, "`Fn::If` takes [condition, then, else]".into()));
                    };
                    let name = a[0].as_str().unwrap_or_default();
                    let c = match self.conditions.get(name) {
                        Some(c) => *c,
                        None => self
                            .condition(name, depth)
                            .map_err(|_| bad(&format!("{here}[0]"), format!("unknown condition `{name}`")))?,
                    };
                    let k = if c { 1 } else { 2 };
                    self.resolve(&a[k], &format!("{here}[{k}]"), depth + 1)
                }
                "Fn::Select" => {
                    let a = list(arg).filter(|a| a.len() == 2);
                    let Some(a) = a else {
                        return Err(bad(&here, "`Fn::Select` takes [index, list]".into()));
                    };
                    let index = self.resolve(&a[0], &format!("{here}[0]"), depth + 1)?;
                    let index: usize = as_text(index.as_ref()).parse().map_err(|_| {
                        bad(
                            &format!("{here}[0]"),
                            "`Fn::Select` index must be a whole number".into(),
                        )
                    })?;
                    match self.resolve(&a[1], &format!("{here}[1]"), depth + 1)? {
                        Some(Value::Array(items)) => items
                            .get(index)
                            .cloned()
                            .map(Some)
                            .ok_or_else(|| bad(&here, format!("index {index} is past the end of the list"))),
                        _ => Err(bad(&format!("{here}[1]"), "`Fn::Select` needs a list".into())),
                    }
                }
                "Fn::Split" => {
                    let a = list(arg).filter(|a| a.len() == 2);
                    let Some(a) = a else {
                        return Err(bad(&here, "`Fn::Split` takes [delimiter, string]".into()));
                    };
                    let delim = as_text(Some(&a[0]));
                    let s = self.resolve(&a[1], &format!("{here}[1]"), depth + 1)?;
                    let s = as_text(s.as_ref());
                    if delim.is_empty() {
                        return Ok(Some(Value::Array(vec![Value::String(s)])));
                    }
                    Ok(Some(Value::Array(
                        s.split(delim.as_str()).map(|p| Value::String(p.to_owned())).collect(),
                    )))
                }
                "Fn::FindInMap" => {
                    let a = list(arg).filter(|a| a.len() >= 3);
                    let Some(a) = a else {
                        return Err(bad(&here, "`Fn::FindInMap` takes [map, key, key]".into()));
                    };
                    let mut keys = Vec::new();
                    for (i, k) in a.iter().take(3).enumerate() {
                        keys.push(as_text(self.resolve(k, &format!("{here}[{i}]"), depth + 1)?.as_ref()));
                    }
                    self.doc
                        .get("Mappings")
                        .and_then(|m| m.get(&keys[0]))
                        .and_then(|m| m.get(&keys[1]))
                        .and_then(|m| m.get(&keys[2]))
                        .cloned()
                        .map(Some)
                        .ok_or_else(|| bad(&here, format!("no mapping `{}.{}.{}`", keys[0], keys[1], keys[2])))
                }
                "Fn::GetAZs" => {
                    let region = match self.resolve(arg, &here, depth + 1)? {
                        Some(Value::String(s)) if !s.is_empty() => s,
                        _ => self.pseudo("AWS::Region"),
                    };
                    Ok(Some(Value::Array(
                        ["a", "b", "c"]
                            .iter()
                            .map(|z| Value::String(format!("{region}{z}")))
                            .collect(),
                    )))
                }
                "Fn::Base64" => self.resolve(arg, &here, depth + 1),
                "Fn::ToJsonString" => {
                    let v = self.resolve(arg, &here, depth + 1)?;
                    Ok(Some(Value::String(v.unwrap_or(Value::Null).to_string())))
                }
                "Fn::Length" => match self.resolve(arg, &here, depth + 1)? {
                    Some(Value::Array(a)) => Ok(Some(Value::from(a.len()))),
                    _ => Err(bad(&here, "`Fn::Length` needs a list".into())),
                },
                "Fn::ImportValue" | "Fn::Cidr" | "Fn::Transform" => {
                    self.notes.push(format!(
                        "{}: {path}: `{f}` cannot be resolved from this template alone; a stand-in value is used",
                        self.file
                    ));
                    Ok(Some(Value::String(format!("{f}-stand-in"))))
                }
                _ => self.resolve_members(value, path, depth),
            };
        }
        self.resolve_members(value, path, depth)
    }

    fn resolve_members(&mut self, value: &Value, path: &str, depth: usize) -> Result<Option<Value>, ImportError> {
        Ok(Some(match value {
            Value::Object(o) => {
                let mut out = Map::new();
                for (k, v) in o {
                    if let Some(v) = self.resolve(v, &shapes::join(path, k), depth + 1)? {
                        out.insert(k.clone(), v);
                    }
                }
                Value::Object(out)
            }
            Value::Array(a) => {
                let mut out = Vec::new();
                for (i, v) in a.iter().enumerate() {
                    if let Some(v) = self.resolve(v, &format!("{path}[{i}]"), depth + 1)? {
                        out.push(v);
                    }
                }
                Value::Array(out)
            }
            other => other.clone(),
        }))
    }

    /// `Fn::Sub`: `${Name}` (a variable, parameter or resource), `${Id.Attribute}`, and
    /// `${!Literal}` for a literal `${Literal}`.
    fn substitute(&self, text: &str, vars: &Map<String, Value>, path: &str) -> Result<String, ImportError> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                return Ok(out);
            };
            let name = after[..end].trim();
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            } else if let Some(v) = vars.get(name) {
                out.push_str(&as_text(Some(v)));
            } else if let Some((id, attr)) = name.split_once('.').filter(|_| !self.params.contains_key(name)) {
                out.push_str(&as_text(Some(&self.attribute(id, attr, path)?)));
            } else {
                out.push_str(&as_text(self.reference(name, path)?.as_ref()));
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// `{"Fn::X": arg}` (or `Ref`, `Condition`) as (function, argument).
fn single(v: &Value) -> Option<(&str, &Value)> {
    let o = v.as_object()?;
    if o.len() != 1 {
        return None;
    }
    let (k, a) = o.iter().next()?;
    (k == "Ref" || k == "Condition" || k.starts_with("Fn::")).then_some((k.as_str(), a))
}

/// A resolved value as CloudFormation turns it into text (lists joined with commas).
fn as_text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) => a.iter().map(|i| as_text(Some(i))).collect::<Vec<_>>().join(","),
        Some(other) => other.to_string(),
    }
}

/// The stack name used for `AWS::StackName`: the file stem.
fn stack_name(file: &str) -> String {
    std::path::Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("stack")
        .replace('.', "-")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn import(doc: Value, params: &[(&str, &str)]) -> Result<(Value, Vec<String>), ImportError> {
        let mut s = Setup::default();
        let options = ImportOptions {
            params: params.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect(),
            ..ImportOptions::default()
        };
        read("stack.json", &doc, &options, &mut s)?;
        let v = s.build_scenario("x");
        Ok((v, s.notes))
    }

    fn template() -> Value {
        json!({
        "Parameters": {"Max": {"Type": "Number", "Default": 64}, "Env": {"Type": "String", "Default": "dev"},
                       "Subnets": {"Type": "List<AWS::EC2::Subnet::Id>", "Default": "subnet-1,subnet-2"}},
        "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
                       "NotProd": {"Fn::Not": [{"Condition": "IsProd"}]},
                       "Both": {"Fn::And": [{"Condition": "NotProd"}, {"Fn::Or": [true, {"Condition": "IsProd"}]}]}},
        "Resources": {
          "Role": {"Type": "AWS::IAM::Role", "Properties": {}},
          "Ce": {"Type": "AWS::Batch::ComputeEnvironment", "Properties": {
              "Type": "MANAGED", "ServiceRole": {"Fn::GetAtt": ["Role", "Arn"]},
              "ComputeResources": {"Type": "FARGATE", "MaxvCpus": {"Ref": "Max"}, "Subnets": {"Ref": "Subnets"},
                "SecurityGroupIds": [{"Fn::If": ["IsProd", "sg-prod", {"Ref": "AWS::NoValue"}]}]}}},
          "Queue": {"Type": "AWS::Batch::JobQueue", "Properties": {
              "JobQueueName": {"Fn::Sub": "${Env}-${AWS::Region}-queue"},
              "Priority": {"Fn::If": ["IsProd", 100, 10]},
              "ComputeEnvironmentOrder": [{"Order": 1, "ComputeEnvironment": {"Ref": "Ce"}}],
              "SchedulingPolicyArn": {"Fn::GetAtt": ["Policy", "Arn"]}}},
          "Policy": {"Type": "AWS::Batch::SchedulingPolicy", "Properties": {
              "Name": {"Fn::Join": ["-", ["fs", {"Ref": "Env"}]]},
              "FairsharePolicy": {"ShareDecaySeconds": 3600, "ShareDistribution": [{"ShareIdentifier": "a", "WeightFactor": 0.5}]}}},
          "Def": {"Type": "AWS::Batch::JobDefinition", "Condition": "Both", "Properties": {
              "Type": "Container", "PlatformCapabilities": ["FARGATE"],
              "ContainerProperties": {"Image": "busybox", "ResourceRequirements": [
                  {"Type": "VCPU", "Value": 1}, {"Type": "MEMORY", "Value": "2048"}]}}},
          "ProdOnly": {"Type": "AWS::Batch::JobQueue", "Condition": "IsProd", "Properties": {"Priority": 1}}
        }})
    }

    #[test]
    fn intrinsics_resolve_and_references_become_names() {
        let (v, notes) = import(template(), &[]).unwrap();
        let ce = &v["computeEnvironments"][0];
        assert_eq!(ce["computeEnvironmentName"], "Ce");
        assert_eq!(ce["computeResources"]["maxvCpus"], 64);
        assert_eq!(ce["computeResources"]["subnets"], json!(["subnet-1", "subnet-2"]));
        assert_eq!(ce["computeResources"]["securityGroupIds"], json!([]));
        let q = &v["jobQueues"][0];
        assert_eq!(q["jobQueueName"], "dev-us-east-1-queue");
        assert_eq!(q["priority"], 10);
        assert_eq!(q["computeEnvironmentOrder"][0]["computeEnvironment"], "Ce");
        assert_eq!(q["schedulingPolicyArn"], "fs-dev");
        assert_eq!(v["jobQueues"].as_array().unwrap().len(), 1, "ProdOnly is left out");
        assert_eq!(v["jobDefinitions"][0]["jobDefinitionName"], "Def");
        assert_eq!(v["jobDefinitions"][0]["type"], "container");
        assert_eq!(
            v["jobDefinitions"][0]["containerProperties"]["resourceRequirements"][0]["value"],
            "1"
        );
        assert!(notes.iter().any(|n| n.contains("Role (AWS::IAM::Role)")), "{notes:?}");
        assert!(notes.iter().any(|n| n.contains("ProdOnly left out")), "{notes:?}");
        crate::Scenario::from_value(&v, "x.json").unwrap();
    }

    #[test]
    fn params_from_the_command_line_win() {
        let (v, notes) = import(template(), &[("Env", "prod"), ("Max", "256")]).unwrap();
        assert_eq!(v["jobQueues"][0]["priority"], 100);
        assert_eq!(v["jobQueues"][1]["jobQueueName"], "ProdOnly");
        assert_eq!(v["computeEnvironments"][0]["computeResources"]["maxvCpus"], 256);
        assert_eq!(
            v["computeEnvironments"][0]["computeResources"]["securityGroupIds"],
            json!(["sg-prod"])
        );
        assert!(v["jobDefinitions"].as_array().unwrap().is_empty(), "{notes:?}");
    }

    #[test]
    fn an_unresolvable_ref_names_the_template_path() {
        let mut t = template();
        t["Resources"]["Queue"]["Properties"]["ComputeEnvironmentOrder"][0]["ComputeEnvironment"] =
            json!({"Ref": "Cee"});
        let e = import(t, &[]).unwrap_err().to_string();
        assert_eq!(
            e,
            "stack.json: Resources.Queue.Properties.ComputeEnvironmentOrder[0].ComputeEnvironment: \
             unresolvable `Ref` to `Cee`: no parameter or resource has that name; did you mean `Ce`?"
        );
    }

    #[test]
    fn a_parameter_without_a_default_needs_a_value() {
        let t = json!({"Parameters": {"VpcId": {"Type": "AWS::EC2::VPC::Id"}}, "Resources": {}});
        let e = import(t.clone(), &[]).unwrap_err().to_string();
        assert!(
            e.starts_with("stack.json: Parameters.VpcId: parameter `VpcId` has no Default"),
            "{e}"
        );
        assert!(import(t, &[("VpcId", "vpc-1")]).is_ok());
    }

    #[test]
    fn sub_handles_literals_attributes_and_variables() {
        let t = json!({"Resources": {
            "Ce": {"Type": "AWS::Batch::ComputeEnvironment", "Properties": {"ComputeEnvironmentName": "ce-a", "Type": "UNMANAGED"}},
            "Q": {"Type": "AWS::Batch::JobQueue", "Properties": {"Priority": 1,
                "JobQueueName": {"Fn::Sub": ["${Prefix}-${!Lit}", {"Prefix": {"Fn::GetAtt": "Ce.ComputeEnvironmentName"}}]},
                "Tags": {"arn": {"Fn::Sub": "${Ce.ComputeEnvironmentArn}"}},
                "ComputeEnvironmentOrder": [{"Order": {"Fn::Select": [1, {"Fn::Split": [",", "0,1"]}]},
                    "ComputeEnvironment": {"Fn::GetAtt": ["Ce", "ComputeEnvironmentArn"]}}]}}}});
        let (v, _) = import(t, &[]).unwrap();
        let q = &v["jobQueues"][0];
        assert_eq!(q["jobQueueName"], "ce-a-${Lit}");
        assert_eq!(
            q["tags"]["arn"],
            "arn:aws:batch:us-east-1:123456789012:compute-environment/ce-a"
        );
        assert_eq!(
            q["computeEnvironmentOrder"][0],
            json!({"order": 1, "computeEnvironment": "ce-a"})
        );
    }

    #[test]
    fn cycles_and_bad_shapes_are_errors_not_panics() {
        let t = json!({"Conditions": {"A": {"Condition": "B"}, "B": {"Condition": "A"}}, "Resources": {}});
        assert!(import(t, &[]).is_err());
        assert!(import(json!({"Resources": []}), &[]).is_err());
        assert!(import(json!([1]), &[]).is_err());
        let t = json!({"Resources": {"Q": {"Type": "AWS::Batch::JobQueue", "Properties": {"Priority": {"Fn::Select": ["x", []]}}}}});
        assert!(import(t, &[]).is_err());
    }
}
