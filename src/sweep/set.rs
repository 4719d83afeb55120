//! `--set PATH=V1,V2,...`: a path into the scenario's JSON and the values to put there.
//!
//! A path is keys and brackets: `computeEnvironments[0].computeResources.maxvCpus`. A
//! bracket holds an index (`[0]`), a name (`[fargate-spot]`, the element whose name is
//! `fargate-spot`) or a field and its value (`[name=fargate-spot]`, `[jobQueueName=low]`).
//! An element's *name* is its `name` field, else its one field ending in `Name`
//! (`computeEnvironmentName`, `jobQueueName`, `jobDefinitionName`, ...).
//!
//! Values are separated by commas outside brackets, braces and quotes. Each is JSON when it
//! reads as JSON (`64`, `true`, `null`, `"x"`, `[1,2]`, `{"a":1}`), else a string (`SPOT`).

use crate::scenario::suggest::suggest;
use serde_json::Value;
use std::fmt::Write as _;
use std::str::FromStr;

/// One step of a path into the scenario's JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Step {
    /// `.key`
    Key(String),
    /// `[3]`
    Index(usize),
    /// `[name]` (`field` `None`: the element's name) or `[field=value]`.
    Named {
        /// The field compared, `None` for the element's name.
        field: Option<String>,
        /// The value it must have.
        value: String,
    },
}

/// One value of a setting: as written (CSV cell, labels) and as JSON.
#[derive(Clone, Debug, PartialEq)]
pub struct SetValue {
    /// As written on the command line.
    pub text: String,
    /// As put into the scenario.
    pub json: Value,
}

/// One `PATH=V1,V2,...`: every value is tried in turn (with every value of the other
/// settings).
#[derive(Clone, Debug, PartialEq)]
pub struct Setting {
    /// The path as written (the column header).
    pub path_text: String,
    /// The path, parsed.
    pub path: Vec<Step>,
    /// The values, in order.
    pub values: Vec<SetValue>,
}

impl FromStr for Setting {
    type Err = String;

    /// Parses `PATH=V1,V2,...`; the message says what is wrong.
    fn from_str(s: &str) -> Result<Setting, String> {
        let split = split_assignment(s).ok_or_else(|| format!("expected PATH=V1,V2,..., found `{s}`"))?;
        let (path_text, list) = (s[..split].trim(), &s[split + 1..]);
        let path = parse_path(path_text)?;
        // The run's seed is the sweep's own column: a setting of it would be overwritten by
        // `--seeds` and repeat the `seed` column.
        if matches!(path.as_slice(), [Step::Key(k)] if k == "seed") {
            return Err(format!(
                "`{path_text}` cannot be set: every run takes its seed from `--seeds` (write e.g. `--seeds 5..6`)"
            ));
        }
        let mut values = Vec::new();
        for v in split_values(list) {
            let v = v.trim();
            if v.is_empty() {
                return Err(format!("`{s}` has an empty value (values are separated by commas)"));
            }
            values.push(SetValue {
                text: v.to_owned(),
                json: parse_value(v),
            });
        }
        Ok(Setting {
            path_text: path_text.to_owned(),
            path,
            values,
        })
    }
}

impl Setting {
    /// The path's last key (`maxvCpus`), if it ends in one.
    pub fn last_key(&self) -> Option<&str> {
        match self.path.last() {
            Some(Step::Key(k)) => Some(k),
            _ => None,
        }
    }
}

/// The `=` between the path and the values: the first one outside brackets (else the first
/// one: the path's parser then says which bracket is open).
fn split_assignment(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '=' if depth == 0 => return Some(i),
            _ => {}
        }
    }
    s.find('=')
}

/// Splits at commas outside `[]`, `{}` and `"..."`.
pub(crate) fn split_values(list: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut quoted, mut escaped, mut start) = (0usize, false, false, 0);
    for (i, c) in list.char_indices() {
        if quoted {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => quoted = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            '[' | '{' => depth += 1,
            ']' | '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                out.push(&list[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&list[start..]);
    out
}

/// A command-line value as JSON when it reads as JSON, else a string.
pub fn parse_value(text: &str) -> Value {
    serde_json::from_str::<Value>(text).unwrap_or_else(|_| Value::String(text.to_owned()))
}

/// Parses `a.b[0].c[name=x]`.
pub fn parse_path(text: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    let mut rest = text;
    let empty = || format!("path `{text}` has an empty name (write `a.b[0].c`)");
    loop {
        let end = rest.find(['.', '[']).unwrap_or(rest.len());
        let key = &rest[..end];
        if key.is_empty() && (steps.is_empty() && !rest.starts_with('[') || !steps.is_empty()) {
            return Err(empty());
        }
        if !key.is_empty() {
            steps.push(Step::Key(key.to_owned()));
        }
        rest = &rest[end..];
        while let Some(inner_start) = rest.strip_prefix('[') {
            let close = inner_start
                .find(']')
                .ok_or_else(|| format!("path `{text}`: `[` without `]`"))?;
            steps.push(bracket(text, &inner_start[..close])?);
            rest = &inner_start[close + 1..];
        }
        match rest.strip_prefix('.') {
            Some(r) => rest = r,
            None if rest.is_empty() => break,
            None => return Err(format!("path `{text}`: expected `.` or `[` after `]`")),
        }
        if rest.is_empty() {
            return Err(empty());
        }
    }
    if steps.is_empty() {
        return Err(empty());
    }
    Ok(steps)
}

fn bracket(text: &str, inner: &str) -> Result<Step, String> {
    let inner = inner.trim();
    if inner.is_empty() {
        return Err(format!("path `{text}`: `[]` is empty (write an index or a name)"));
    }
    if inner.bytes().all(|b| b.is_ascii_digit()) {
        return inner
            .parse::<usize>()
            .map(Step::Index)
            .map_err(|_| format!("path `{text}`: `[{inner}]` is too large an index"));
    }
    Ok(match inner.split_once('=') {
        Some((field, value)) => Step::Named {
            field: (field.trim() != "name").then(|| field.trim().to_owned()),
            value: value.trim().to_owned(),
        },
        None => Step::Named {
            field: None,
            value: inner.to_owned(),
        },
    })
}

/// A concrete step: a key or an index (names resolved).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Concrete {
    Key(String),
    Index(usize),
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The element's name: its `name` field, else its one string field ending in `Name`.
fn element_name(v: &Value) -> Option<&str> {
    let map = v.as_object()?;
    if let Some(Value::String(n)) = map.get("name") {
        return Some(n);
    }
    let mut names = map
        .iter()
        .filter(|(k, v)| k.ends_with("Name") && v.is_string())
        .filter_map(|(_, v)| v.as_str());
    match (names.next(), names.next()) {
        (Some(n), None) => Some(n),
        _ => None,
    }
}

/// A field's value as text, for `[field=value]`.
fn field_text(v: &Value, field: &str) -> Option<String> {
    match v.as_object()?.get(field)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The one object a path may pass through without the file having it: the `simulation`
/// extension (of the scenario, a compute environment or a queue), whose fields are all
/// optional.
const OPTIONAL_OBJECT: &str = "simulation";

/// Resolves the path's names against `root`; every step but the last must exist (the last
/// may add a key to an object: the scenario's validation then judges the name).
pub(crate) fn resolve(root: &Value, path: &[Step]) -> Result<Vec<Concrete>, String> {
    let absent_extension = Value::Object(Default::default());
    let mut here = Some(root);
    let mut shown = String::new();
    let mut out = Vec::with_capacity(path.len());
    for (i, step) in path.iter().enumerate() {
        let last = i + 1 == path.len();
        let at = if shown.is_empty() {
            "the scenario".to_owned()
        } else {
            format!("`{shown}`")
        };
        let Some(node) = here else {
            return Err(format!("{at} does not exist"));
        };
        match step {
            Step::Key(k) => {
                let Value::Object(map) = node else {
                    return Err(format!("{at} is {}, not an object with `{k}`", kind(node)));
                };
                // A missing `simulation` extension object (every field of it optional) is
                // made by `set`, so `simulation.schedulingIntervalSeconds=0,30` needs no
                // `simulation` in the file; any other missing step is a mistake.
                if !last && !map.contains_key(k) && k != OPTIONAL_OBJECT {
                    let hint = suggest(k, map.keys().map(String::as_str))
                        .map(|s| format!("; did you mean `{s}`?"))
                        .unwrap_or_default();
                    return Err(format!("{at} has no `{k}`{hint}"));
                }
                if !shown.is_empty() {
                    shown.push('.');
                }
                shown.push_str(k);
                here = map.get(k).or((k == OPTIONAL_OBJECT).then_some(&absent_extension));
                out.push(Concrete::Key(k.clone()));
            }
            Step::Index(n) => {
                let Value::Array(items) = node else {
                    return Err(format!("{at} is {}, not an array", kind(node)));
                };
                let len = items.len();
                let Some(item) = items.get(*n) else {
                    return Err(format!(
                        "{at} has {len} element{}, so there is no [{n}]",
                        if len == 1 { "" } else { "s" }
                    ));
                };
                let _ = write!(shown, "[{n}]");
                here = Some(item);
                out.push(Concrete::Index(*n));
            }
            Step::Named { field, value } => {
                let Value::Array(items) = node else {
                    return Err(format!("{at} is {}, not an array", kind(node)));
                };
                let name_of = |v: &Value| match field {
                    Some(f) => field_text(v, f),
                    None => element_name(v).map(str::to_owned),
                };
                let what = match field {
                    Some(f) => format!("with `{f}` `{value}`"),
                    None => format!("named `{value}`"),
                };
                let found: Vec<usize> = (0..items.len())
                    .filter(|&j| name_of(&items[j]).as_deref() == Some(value.as_str()))
                    .collect();
                match found[..] {
                    [j] => {
                        let _ = write!(shown, "[{j}]");
                        here = Some(&items[j]);
                        out.push(Concrete::Index(j));
                    }
                    [] => {
                        let names: Vec<String> = items.iter().filter_map(name_of).collect();
                        let hint = suggest(value, names.iter().map(String::as_str))
                            .map(|s| format!("; did you mean `{s}`?"))
                            .unwrap_or_default();
                        return Err(format!("{at} has no element {what}{hint}"));
                    }
                    _ => {
                        return Err(format!(
                            "{at} has {} elements {what} (at {}); use an index",
                            found.len(),
                            found.iter().map(|j| format!("[{j}]")).collect::<Vec<_>>().join(", ")
                        ))
                    }
                }
            }
        }
    }
    Ok(out)
}

/// Writes `new` at the resolved `path` (from [`resolve`] on the same shape of value).
pub(crate) fn set(root: &mut Value, path: &[Concrete], new: Value) -> Result<(), String> {
    let Some((last, init)) = path.split_last() else {
        return Err("the path is empty".into());
    };
    let mut here = root;
    for step in init {
        if let (Concrete::Key(k), Value::Object(map)) = (step, &mut *here) {
            if k == OPTIONAL_OBJECT && !map.contains_key(k) {
                map.insert(k.clone(), Value::Object(Default::default()));
            }
        }
        let next = match step {
            Concrete::Key(k) => here.get_mut(k.as_str()),
            Concrete::Index(n) => here.get_mut(*n),
        };
        here = next.ok_or("the path does not exist")?;
    }
    match (last, here) {
        (Concrete::Key(k), Value::Object(map)) => {
            map.insert(k.clone(), new);
            Ok(())
        }
        (Concrete::Index(n), Value::Array(items)) if *n < items.len() => {
            items[*n] = new;
            Ok(())
        }
        _ => Err("the path does not exist".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn setting(s: &str) -> Setting {
        s.parse().unwrap()
    }

    #[test]
    fn parses_paths_and_values() {
        let s = setting("computeEnvironments[0].computeResources.maxvCpus=32, 64,x,true,1.5");
        assert_eq!(s.path_text, "computeEnvironments[0].computeResources.maxvCpus");
        assert_eq!(
            s.path,
            vec![
                Step::Key("computeEnvironments".into()),
                Step::Index(0),
                Step::Key("computeResources".into()),
                Step::Key("maxvCpus".into()),
            ]
        );
        let values: Vec<Value> = s.values.iter().map(|v| v.json.clone()).collect();
        assert_eq!(values, vec![json!(32), json!(64), json!("x"), json!(true), json!(1.5)]);
        assert_eq!(s.last_key(), Some("maxvCpus"));
        assert!("maxvCpus".parse::<Setting>().unwrap_err().contains("PATH=V1,V2"));
        assert!("a..b=1".parse::<Setting>().unwrap_err().contains("empty name"));
        assert!("a.=1".parse::<Setting>().unwrap_err().contains("empty name"));
        assert!("a[0=1".parse::<Setting>().unwrap_err().contains("without `]`"));
        assert!("a[]=1".parse::<Setting>().unwrap_err().contains("`[]` is empty"));
        assert!("a[0]x=1"
            .parse::<Setting>()
            .unwrap_err()
            .contains("expected `.` or `[`"));
        assert!("a=1,,2".parse::<Setting>().unwrap_err().contains("empty value"));
        assert!("a[99999999999999999999999]=1"
            .parse::<Setting>()
            .unwrap_err()
            .contains("too large"));
        assert_eq!(parse_path("a[1][2].b").unwrap().len(), 4);
        let seed = "seed=5,6".parse::<Setting>().unwrap_err();
        assert!(seed.contains("takes its seed from `--seeds`"), "{seed}");
    }

    #[test]
    fn names_and_json_values() {
        let s = setting("computeEnvironments[name=fargate-spot].computeResources.maxvCpus=8");
        assert_eq!(
            s.path[1],
            Step::Named {
                field: None,
                value: "fargate-spot".into()
            }
        );
        assert_eq!(setting("a[fargate-spot].b=1").path[1], s.path[1]);
        let f = setting("jobQueues[jobQueueName=low].priority=1");
        assert_eq!(
            f.path[1],
            Step::Named {
                field: Some("jobQueueName".into()),
                value: "low".into()
            }
        );
        let l = setting(r#"x.types=["m5.large","c5.xlarge"],[],{"a":[1,2]},"q,r",null"#);
        let values: Vec<Value> = l.values.iter().map(|v| v.json.clone()).collect();
        assert_eq!(
            values,
            vec![
                json!(["m5.large", "c5.xlarge"]),
                json!([]),
                json!({"a": [1, 2]}),
                json!("q,r"),
                Value::Null
            ]
        );
        assert_eq!(l.values[0].text, r#"["m5.large","c5.xlarge"]"#);
    }

    #[test]
    fn resolves_names_or_explains() {
        let v = json!({"computeEnvironments": [
            {"computeEnvironmentName": "od", "computeResources": {"maxvCpus": 4}},
            {"computeEnvironmentName": "fargate-spot", "computeResources": {"maxvCpus": 8}}],
            "schedulingPolicies": [{"name": "p", "arn": "x"}]});
        let at = |p: &str| resolve(&v, &parse_path(p).unwrap());
        assert_eq!(
            at("computeEnvironments[fargate-spot].computeResources.maxvCpus").unwrap(),
            at("computeEnvironments[1].computeResources.maxvCpus").unwrap()
        );
        assert_eq!(at("computeEnvironments[name=od]").unwrap()[1], Concrete::Index(0));
        assert_eq!(
            at("computeEnvironments[computeEnvironmentName=od]").unwrap()[1],
            Concrete::Index(0)
        );
        assert_eq!(
            at("schedulingPolicies[p].shareDecaySeconds").unwrap()[1],
            Concrete::Index(0)
        );
        let err = at("computeEnvironments[fargate-spt].computeResources").unwrap_err();
        assert_eq!(
            err,
            "`computeEnvironments` has no element named `fargate-spt`; did you mean `fargate-spot`?"
        );
        let err = at("computeEnvironments[3].x").unwrap_err();
        assert!(
            err.contains("`computeEnvironments` has 2 elements, so there is no [3]"),
            "{err}"
        );
        let err = at("computeEnvironments[0].computeResource.x").unwrap_err();
        assert!(
            err.contains("no `computeResource`; did you mean `computeResources`?"),
            "{err}"
        );
        assert!(at("computeEnvironments.x")
            .unwrap_err()
            .contains("is an array, not an object"));
        assert_eq!(at("seed[x]").unwrap_err(), "the scenario has no `seed`");
        let twice = json!({"jobDefinitions": [{"jobDefinitionName": "d"}, {"jobDefinitionName": "d"}]});
        let err = resolve(&twice, &parse_path("jobDefinitions[d].type").unwrap()).unwrap_err();
        assert!(
            err.contains("has 2 elements named `d` (at [0], [1]); use an index"),
            "{err}"
        );
    }

    /// Issue 11 item 14's settings sweep without a `simulation` object in the file: `set`
    /// makes it; a misspelt object is still refused.
    #[test]
    fn a_missing_simulation_object_is_made() {
        let mut doc = json!({"seed": 1, "computeEnvironments": [{"computeEnvironmentName": "ce"}]});
        for path in [
            "simulation.schedulingIntervalSeconds",
            "computeEnvironments[ce].simulation.startupSeconds",
        ] {
            let steps = parse_path(path).unwrap();
            let concrete = resolve(&doc, &steps).unwrap();
            set(&mut doc, &concrete, json!(30)).unwrap();
        }
        assert_eq!(doc["simulation"], json!({"schedulingIntervalSeconds": 30}));
        assert_eq!(
            doc["computeEnvironments"][0]["simulation"],
            json!({"startupSeconds": 30})
        );
        let err = resolve(&doc, &parse_path("simulaton.schedulingIntervalSeconds").unwrap()).unwrap_err();
        assert!(err.contains("did you mean `simulation`?"), "{err}");
    }

    #[test]
    fn set_writes_the_resolved_path() {
        let mut v =
            json!({"computeEnvironments": [{"computeEnvironmentName": "ce", "computeResources": {"maxvCpus": 4}}]});
        let path = resolve(
            &v,
            &parse_path("computeEnvironments[ce].computeResources.maxvCpus").unwrap(),
        )
        .unwrap();
        set(&mut v, &path, json!(64)).unwrap();
        assert_eq!(v["computeEnvironments"][0]["computeResources"]["maxvCpus"], 64);
        let path = resolve(
            &v,
            &parse_path("computeEnvironments[0].computeResources.instanceTypes").unwrap(),
        )
        .unwrap();
        set(&mut v, &path, json!(["m5.large"])).unwrap();
        assert_eq!(
            v["computeEnvironments"][0]["computeResources"]["instanceTypes"][0],
            "m5.large"
        );
        assert!(set(&mut v, &[], json!(1)).is_err());
    }
}
