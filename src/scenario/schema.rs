//! Structural check of a scenario document against the AWS Batch request shapes.
//!
//! [`check_scenario`] walks a parsed scenario (`serde_json::Value`) and reports every
//! unknown field (with a "did you mean" suggestion), wrong JSON type, bad enum value and
//! missing required field, each with the JSON path where it is. It checks structure
//! only: ranges and references between objects are checked elsewhere.
//!
//! # Schemas
//!
//! Two embedded JSON files describe the shapes, in one format:
//!
//! - `aws_model.json` is generated from the botocore model of AWS Batch
//!   (`service-2.json`): the transitive closure of the input shapes of the operations in
//!   [`OPERATIONS`] (see the generator test in this file). Regenerate it with
//!   `UPDATE_AWS_MODEL=1 cargo test aws_model_is_up_to_date`.
//! - `extensions.json` is hand-written: the batchsim-only shapes (the scenario root
//!   `Scenario`, the `simulation` blocks, workload entries, runtimes, actions).
//!
//! Each file is one JSON object mapping a shape name to a shape. A shape keeps the
//! botocore keys that matter for structure, with references written as plain shape
//! names (botocore's `{"shape": "X"}` becomes `"X"`):
//!
//! | key | meaning |
//! |-----|---------|
//! | `type` | `structure`, `list`, `map`, `string`, `integer`/`long` (a JSON integer), `float`/`double` (any JSON number), `boolean`; any other type accepts every value |
//! | `members` | structure: field name -> shape name |
//! | `required` | structure: fields that must be present (a `null` counts as absent) |
//! | `enum` | string: the allowed values (case-sensitive) |
//! | `member` | list: shape of the elements |
//! | `key`, `value` | map: shapes of the keys and of the values |
//! | `documentation` | ignored (only used in `extensions.json`) |
//!
//! `extensions.json` may also use these constructs, which botocore lacks:
//!
//! | key | meaning |
//! |-----|---------|
//! | `"type": "number"` | any JSON number (same as `double`) |
//! | `extends` | structure: inherit the `members` (and, unless given here, `required`, `oneOf`, `discriminator`, `variantMembers`) of another structure; own `members` are added. A `required` given here **replaces** the inherited list. |
//! | `oneOf` | structure: exactly one of these fields must be present; none or several is reported at the object's path |
//! | `discriminator` + `variantMembers` | structure: the string field `discriminator` selects a variant; `variantMembers` maps each value to the fields it takes. Those fields are required for that value and refused (`meanSeconds does not apply to distribution "fixed" (it takes seconds)`) for the other values. Fields in no list are allowed for every value. |
//! | `"type": "union"` + `variants` | an object whose shape is chosen by which key it has: `variants` is a list of `{"when": "key", "shape": "S", "label": "..."}`, tried in order; the first whose `when` key is present (not `null`) is used, a variant without `when` is the default. An unknown key is suggested against the fields of all variants; a key of another variant is reported as ``field `k` does not apply to <label>``. |
//!
//! # Paths and messages
//!
//! Paths look like `jobQueues[1].computeEnvironmentOrder[0].computeEnvironment`; a key that
//! is not an identifier is quoted (`parameters["a b"]`); a problem with the document itself
//! is at `(root)`. Diagnostics come in document order: an object's own problems (missing
//! fields, `oneOf`, union) before those of its fields, fields in the order the parsed
//! `serde_json::Map` iterates them (the file's order with serde_json's `preserve_order`
//! feature, alphabetical without it).

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::sync::OnceLock;

use serde_json::{Map, Value};

use crate::suggest::suggest;

/// The generated AWS Batch model (see the module documentation).
const AWS_MODEL: &str = include_str!("aws_model.json");
/// The hand-written batchsim shapes (see the module documentation).
const EXTENSIONS: &str = include_str!("extensions.json");

/// Name of the shape of a whole scenario document (defined in `extensions.json`).
pub const SCENARIO_SHAPE: &str = "Scenario";

/// The AWS Batch operations whose input shapes `aws_model.json` holds (documentation of the
/// generated file; nothing reads it).
#[allow(dead_code)]
pub const OPERATIONS: [&str; 12] = [
    "CreateComputeEnvironment",
    "CreateJobQueue",
    "CreateSchedulingPolicy",
    "RegisterJobDefinition",
    "SubmitJob",
    "UpdateComputeEnvironment",
    "UpdateJobQueue",
    "CancelJob",
    "TerminateJob",
    "DeregisterJobDefinition",
    "CreateConsumableResource",
    "UpdateConsumableResource",
];

/// Guard against runaway recursion (the schemas are not recursive, so real paths are
/// far shorter than this).
const MAX_DEPTH: usize = 256;

/// One structural problem, with the JSON path where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Where the problem is, e.g. `jobQueues[1].priority`, or `(root)`.
    pub path: String,
    /// What is wrong, e.g. ``unknown field `maxVcpus`; did you mean `maxvCpus`?``.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Checks a whole scenario document; returns every problem found, in document order.
pub fn check_scenario(root: &serde_json::Value) -> Vec<Diagnostic> {
    check_shape(SCENARIO_SHAPE, root)
}

/// Checks `value` against one named shape (e.g. `"SubmitJobRequest"`), with paths
/// relative to `value`. An unknown shape name accepts everything.
pub fn check_shape(shape: &str, value: &serde_json::Value) -> Vec<Diagnostic> {
    let mut walker = Walker {
        schema: schema(),
        path: Vec::new(),
        out: Vec::new(),
    };
    walker.walk(shape, value);
    walker.out
}

// ---------------------------------------------------------------------------
// Schema

/// One shape, resolved (`extends` applied).
#[derive(Debug)]
enum Shape {
    Structure(Structure),
    List(String),
    Map {
        key: String,
        value: String,
    },
    /// Allowed values; empty means any string.
    String(Vec<String>),
    Integer,
    Number,
    Boolean,
    Union(Vec<Variant>),
    /// A botocore type this checker does not know (blob, timestamp, ...): anything goes.
    Any,
}

#[derive(Debug, Default, Clone)]
struct Structure {
    /// Field name -> shape name, sorted by field name.
    members: Vec<(String, String)>,
    required: Vec<String>,
    one_of: Vec<String>,
    discriminator: Option<String>,
    /// Discriminator value -> the fields that value takes.
    variant_members: Vec<(String, Vec<String>)>,
}

impl Structure {
    fn member(&self, name: &str) -> Option<&str> {
        self.members
            .binary_search_by(|(n, _)| n.as_str().cmp(name))
            .ok()
            .map(|i| self.members[i].1.as_str())
    }

    fn is_variant_specific(&self, field: &str) -> bool {
        self.variant_members
            .iter()
            .any(|(_, fields)| fields.iter().any(|f| f == field))
    }
}

#[derive(Debug)]
struct Variant {
    when: Option<String>,
    shape: String,
    label: String,
}

#[derive(Debug)]
struct Schema {
    shapes: HashMap<String, Shape>,
}

fn schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        Schema::load(AWS_MODEL, EXTENSIONS).unwrap_or_else(|e| panic!("embedded scenario schema is invalid: {e}"))
    })
}

impl Schema {
    /// Parses and resolves both schema files, and checks that they are consistent
    /// (every referenced shape exists, required fields are members, ...).
    fn load(aws: &str, extensions: &str) -> Result<Schema, String> {
        let aws: Value = serde_json::from_str(aws).map_err(|e| format!("aws_model.json: {e}"))?;
        let ext: Value = serde_json::from_str(extensions).map_err(|e| format!("extensions.json: {e}"))?;
        let mut raw: HashMap<&str, &Map<String, Value>> = HashMap::new();
        for (file, doc) in [("aws_model.json", &aws), ("extensions.json", &ext)] {
            let obj = doc.as_object().ok_or_else(|| format!("{file}: not an object"))?;
            for (name, shape) in obj {
                let shape = shape
                    .as_object()
                    .ok_or_else(|| format!("{file}: shape {name} is not an object"))?;
                if raw.insert(name.as_str(), shape).is_some() {
                    return Err(format!("{file}: shape {name} is defined twice"));
                }
            }
        }
        let mut shapes = HashMap::new();
        for (&name, &def) in &raw {
            shapes.insert(name.to_string(), parse_shape(name, def, &raw, 0)?);
        }
        let schema = Schema { shapes };
        schema.validate()?;
        Ok(schema)
    }

    /// Checks cross references once everything is parsed.
    fn validate(&self) -> Result<(), String> {
        let exists = |owner: &str, name: &str| {
            if self.shapes.contains_key(name) {
                Ok(())
            } else {
                Err(format!("shape {owner} refers to unknown shape {name}"))
            }
        };
        for (name, shape) in &self.shapes {
            match shape {
                Shape::Structure(st) => {
                    for (_, s) in &st.members {
                        exists(name, s)?;
                    }
                    let fields = st
                        .required
                        .iter()
                        .chain(&st.one_of)
                        .chain(&st.discriminator)
                        .chain(st.variant_members.iter().flat_map(|(_, f)| f));
                    for f in fields {
                        if st.member(f).is_none() {
                            return Err(format!("shape {name}: {f} is not a member"));
                        }
                    }
                    if let Some(d) = &st.discriminator {
                        let values = match st.member(d).and_then(|s| self.shapes.get(s)) {
                            Some(Shape::String(values)) if !values.is_empty() => values,
                            _ => return Err(format!("shape {name}: {d} is not an enum")),
                        };
                        for (v, _) in &st.variant_members {
                            if !values.contains(v) {
                                return Err(format!("shape {name}: {v} is not a {d}"));
                            }
                        }
                    } else if !st.variant_members.is_empty() {
                        return Err(format!("shape {name}: variantMembers needs a discriminator"));
                    }
                }
                Shape::List(member) => exists(name, member)?,
                Shape::Map { key, value } => {
                    exists(name, key)?;
                    exists(name, value)?;
                }
                Shape::Union(variants) => {
                    for v in variants {
                        match self.shapes.get(&v.shape) {
                            Some(Shape::Structure(_)) => {}
                            _ => return Err(format!("shape {name}: variant {} is not a structure", v.shape)),
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}

fn str_list(name: &str, key: &str, v: Option<&Value>) -> Result<Vec<String>, String> {
    let Some(v) = v else { return Ok(Vec::new()) };
    let arr = v
        .as_array()
        .ok_or_else(|| format!("shape {name}: {key} is not a list"))?;
    arr.iter()
        .map(|s| {
            s.as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("shape {name}: {key} holds a non-string"))
        })
        .collect()
}

fn shape_ref(name: &str, def: &Map<String, Value>, key: &str) -> Result<String, String> {
    def.get(key)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| format!("shape {name}: {key} must be a shape name"))
}

fn parse_shape(
    name: &str,
    def: &Map<String, Value>,
    raw: &HashMap<&str, &Map<String, Value>>,
    depth: usize,
) -> Result<Shape, String> {
    const KNOWN: [&str; 13] = [
        "type",
        "members",
        "required",
        "enum",
        "member",
        "key",
        "value",
        "documentation",
        "extends",
        "oneOf",
        "discriminator",
        "variantMembers",
        "variants",
    ];
    for k in def.keys() {
        if !KNOWN.contains(&k.as_str()) {
            return Err(format!("shape {name}: unknown key {k}"));
        }
    }
    let ty = def
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("shape {name}: no type"))?;
    Ok(match ty {
        "structure" => Shape::Structure(parse_structure(name, def, raw, depth)?),
        "list" => Shape::List(shape_ref(name, def, "member")?),
        "map" => Shape::Map {
            key: shape_ref(name, def, "key")?,
            value: shape_ref(name, def, "value")?,
        },
        "string" => Shape::String(str_list(name, "enum", def.get("enum"))?),
        "integer" | "long" => Shape::Integer,
        "float" | "double" | "number" => Shape::Number,
        "boolean" => Shape::Boolean,
        "union" => {
            let list = def
                .get("variants")
                .and_then(Value::as_array)
                .ok_or_else(|| format!("shape {name}: a union needs variants"))?;
            let mut variants = Vec::new();
            for v in list {
                let v = v
                    .as_object()
                    .ok_or_else(|| format!("shape {name}: a variant is not an object"))?;
                variants.push(Variant {
                    when: v.get("when").and_then(Value::as_str).map(str::to_string),
                    shape: shape_ref(name, v, "shape")?,
                    label: v
                        .get("label")
                        .and_then(Value::as_str)
                        .unwrap_or("this kind of entry")
                        .to_string(),
                });
            }
            Shape::Union(variants)
        }
        _ => Shape::Any,
    })
}

fn parse_structure(
    name: &str,
    def: &Map<String, Value>,
    raw: &HashMap<&str, &Map<String, Value>>,
    depth: usize,
) -> Result<Structure, String> {
    let mut st = match def.get("extends") {
        None => Structure::default(),
        Some(base) => {
            let base = base
                .as_str()
                .ok_or_else(|| format!("shape {name}: extends must be a shape name"))?;
            let base_def = raw
                .get(base)
                .ok_or_else(|| format!("shape {name} extends unknown shape {base}"))?;
            if depth > 16 {
                return Err(format!("shape {name}: extends chain too long (a cycle?)"));
            }
            if base_def.get("type").and_then(Value::as_str) != Some("structure") {
                return Err(format!("shape {name} extends {base}, not a structure"));
            }
            parse_structure(base, base_def, raw, depth + 1)?
        }
    };
    if let Some(members) = def.get("members") {
        let members = members
            .as_object()
            .ok_or_else(|| format!("shape {name}: members is not an object"))?;
        for (field, shape) in members {
            let shape = shape
                .as_str()
                .ok_or_else(|| format!("shape {name}: member {field} must be a shape name"))?;
            st.members.retain(|(n, _)| n != field);
            st.members.push((field.clone(), shape.to_string()));
        }
    }
    st.members.sort();
    if def.contains_key("required") {
        st.required = str_list(name, "required", def.get("required"))?;
    }
    if def.contains_key("oneOf") {
        st.one_of = str_list(name, "oneOf", def.get("oneOf"))?;
    }
    if let Some(d) = def.get("discriminator") {
        let d = d
            .as_str()
            .ok_or_else(|| format!("shape {name}: discriminator must be a field name"))?;
        st.discriminator = Some(d.to_string());
    }
    if let Some(vm) = def.get("variantMembers") {
        let vm = vm
            .as_object()
            .ok_or_else(|| format!("shape {name}: variantMembers is not an object"))?;
        st.variant_members = vm
            .iter()
            .map(|(value, fields)| Ok((value.clone(), str_list(name, value, Some(fields))?)))
            .collect::<Result<_, String>>()?;
    }
    Ok(st)
}

/// The fields of all variants of a union, in variant order, without repeats.
fn union_fields<'s>(schema: &'s Schema, variants: &'s [Variant]) -> Vec<&'s str> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for v in variants {
        if let Some(Shape::Structure(st)) = schema.shapes.get(&v.shape) {
            for (n, _) in &st.members {
                if seen.insert(n.as_str()) {
                    out.push(n.as_str());
                }
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Paths and wording

#[derive(Debug, Clone, Copy)]
enum Seg<'v> {
    Key(&'v str),
    Index(usize),
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Every field name known at one shape: e.g. known_fields("SubmitJobRequest") (the tests
/// check the embedded model with it).
///
/// Structures give their members (inherited ones included) in alphabetical order; a
/// union gives the fields of all its variants. Other shapes and unknown names give `None`.
#[cfg(test)]
fn known_fields(shape: &str) -> Option<Vec<&'static str>> {
    let schema = schema();
    match schema.shapes.get(shape)? {
        Shape::Structure(st) => Some(st.members.iter().map(|(n, _)| n.as_str()).collect()),
        Shape::Union(variants) => Some(union_fields(schema, variants)),
        _ => None,
    }
}

/// A JSON string literal for `s`.
fn quoted(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
}

/// A JSON string literal for a value shown in a message, cut short when very long.
fn quoted_value(s: &str) -> String {
    const MAX: usize = 100;
    match s.char_indices().nth(MAX) {
        None => quoted(s),
        Some((cut, _)) => {
            let q = quoted(&s[..cut]);
            format!("{}...\"", &q[..q.len() - 1])
        }
    }
}

fn render_path(path: &[Seg<'_>]) -> String {
    if path.is_empty() {
        return "(root)".to_string();
    }
    let mut s = String::new();
    for (i, seg) in path.iter().enumerate() {
        match seg {
            Seg::Index(n) => {
                s.push('[');
                s.push_str(&n.to_string());
                s.push(']');
            }
            Seg::Key(k) if is_identifier(k) => {
                if i > 0 {
                    s.push('.');
                }
                s.push_str(k);
            }
            Seg::Key(k) => {
                s.push('[');
                s.push_str(&quoted(k));
                s.push(']');
            }
        }
    }
    s
}

fn found(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer".to_string(),
        Value::Number(_) => "a number".to_string(),
        Value::String(_) => "a string".to_string(),
        Value::Array(_) => "a list".to_string(),
        Value::Object(_) => "an object".to_string(),
    }
}

/// `a`, `a and b`, `a, b and c` (each name in backticks when `ticks`).
fn join_names<S: AsRef<str>>(names: &[S], ticks: bool) -> String {
    let names: Vec<String> = names
        .iter()
        .map(|n| {
            if ticks {
                format!("`{}`", n.as_ref())
            } else {
                n.as_ref().to_string()
            }
        })
        .collect();
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

// ---------------------------------------------------------------------------
// Walker

/// Enums AWS documents as case-insensitive: `EvaluateOnExit.action` ("The values aren't case
/// sensitive", AWS Batch API reference; CONTRACT 7.5).
const CASE_INSENSITIVE_ENUMS: &[&str] = &["RetryAction"];

struct Walker<'s, 'v> {
    schema: &'s Schema,
    path: Vec<Seg<'v>>,
    out: Vec<Diagnostic>,
}

/// How a structure was reached through a union: all variants and the chosen one.
type UnionCtx<'s> = Option<(&'s [Variant], usize)>;

fn present(obj: &Map<String, Value>, field: &str) -> bool {
    obj.get(field).is_some_and(|v| !v.is_null())
}

impl<'s, 'v> Walker<'s, 'v> {
    fn report(&mut self, message: String) {
        self.out.push(Diagnostic {
            path: render_path(&self.path),
            message,
        });
    }

    fn at<F: FnOnce(&mut Self)>(&mut self, seg: Seg<'v>, f: F) {
        self.path.push(seg);
        f(self);
        self.path.pop();
    }

    fn expected(&mut self, what: &str, v: &Value) {
        self.report(format!("expected {what}, found {}", found(v)));
    }

    fn walk(&mut self, shape_name: &str, v: &'v Value) {
        if self.path.len() > MAX_DEPTH {
            return;
        }
        let schema = self.schema;
        let Some(shape) = schema.shapes.get(shape_name) else {
            return;
        };
        match shape {
            Shape::Structure(st) => match v.as_object() {
                Some(obj) => self.walk_structure(st, obj, None),
                None => self.expected("an object", v),
            },
            Shape::Union(variants) => match v.as_object() {
                Some(obj) => self.walk_union(variants, obj),
                None => self.expected("an object", v),
            },
            Shape::List(member) => match v.as_array() {
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.at(Seg::Index(i), |w| w.walk(member, item));
                    }
                }
                None => self.expected("a list", v),
            },
            Shape::Map { key, value } => match v.as_object() {
                Some(obj) => {
                    for (k, item) in obj {
                        self.at(Seg::Key(k), |w| {
                            if let Some(Shape::String(values)) = schema.shapes.get(key) {
                                w.check_enum(values, k);
                            }
                            w.walk(value, item);
                        });
                    }
                }
                None => self.expected("an object", v),
            },
            Shape::String(values) => match v.as_str() {
                Some(s) if CASE_INSENSITIVE_ENUMS.contains(&shape_name) => {
                    let upper = s.to_ascii_uppercase();
                    self.check_enum(values, &upper);
                }
                Some(s) => self.check_enum(values, s),
                None => self.expected("a string", v),
            },
            Shape::Integer => match v {
                Value::Number(n) if n.is_i64() || n.is_u64() => {}
                Value::Number(n) => self.report(format!("expected an integer, found {n}")),
                _ => self.expected("an integer", v),
            },
            Shape::Number => {
                if !v.is_number() {
                    self.expected("a number", v);
                }
            }
            Shape::Boolean => {
                if !v.is_boolean() {
                    self.expected("true/false", v);
                }
            }
            Shape::Any => {}
        }
    }

    fn check_enum(&mut self, values: &[String], s: &str) {
        if values.is_empty() || values.iter().any(|x| x == s) {
            return;
        }
        let mut msg = format!("{} is not one of {}", quoted_value(s), values.join(", "));
        if let Some(best) = suggest(s, values.iter().map(String::as_str)) {
            msg.push_str(&format!("; did you mean `{best}`?"));
        }
        self.report(msg);
    }

    fn walk_union(&mut self, variants: &'s [Variant], obj: &'v Map<String, Value>) {
        let chosen = variants
            .iter()
            .position(|v| v.when.as_deref().is_some_and(|k| present(obj, k)))
            .or_else(|| variants.iter().position(|v| v.when.is_none()));
        let Some(i) = chosen else {
            let keys: Vec<&str> = variants.iter().filter_map(|v| v.when.as_deref()).collect();
            self.report(format!("expected one of the fields {}", join_names(&keys, true)));
            return;
        };
        if let Some(Shape::Structure(st)) = self.schema.shapes.get(&variants[i].shape) {
            self.walk_structure(st, obj, Some((variants, i)));
        }
    }

    fn walk_structure(&mut self, st: &'s Structure, obj: &'v Map<String, Value>, union: UnionCtx<'s>) {
        // The variant selected by the discriminator, when it is a known value.
        let variant = st.discriminator.as_deref().and_then(|d| {
            let value = obj.get(d)?.as_str()?;
            let (value, fields) = st.variant_members.iter().find(|(v, _)| v == value)?;
            Some((d, value.as_str(), fields.as_slice()))
        });

        // The object's own problems first.
        let variant_fields = variant.map(|(_, _, f)| f).unwrap_or_default();
        for field in st.required.iter().chain(variant_fields) {
            if !present(obj, field) {
                self.report(format!("missing required field `{field}`"));
            }
        }
        if !st.one_of.is_empty() {
            let given: Vec<&str> = obj
                .iter()
                .filter(|(k, v)| !v.is_null() && st.one_of.contains(k))
                .map(|(k, _)| k.as_str())
                .collect();
            if given.len() != 1 {
                let found = if given.is_empty() {
                    "none".to_string()
                } else {
                    join_names(&given, true)
                };
                self.report(format!(
                    "expected exactly one of {}; found {found}",
                    join_names(&st.one_of, true)
                ));
            }
        }

        // Then each field, in the map's order.
        for (k, v) in obj {
            self.at(Seg::Key(k), |w| {
                let Some(shape) = st.member(k) else {
                    w.unknown_field(k, st, union);
                    return;
                };
                if v.is_null() {
                    return;
                }
                if let Some((d, value, fields)) = variant {
                    if st.is_variant_specific(k) && !fields.iter().any(|f| f == k) {
                        let takes = if fields.is_empty() {
                            "no parameters".to_string()
                        } else {
                            join_names(fields, false)
                        };
                        w.report(format!(
                            "{k} does not apply to {d} {} (it takes {takes})",
                            quoted(value)
                        ));
                        return;
                    }
                }
                w.walk(shape, v);
            });
        }
    }

    fn unknown_field(&mut self, k: &str, st: &'s Structure, union: UnionCtx<'s>) {
        let schema = self.schema;
        let best = match union {
            Some((variants, chosen)) => {
                let elsewhere = variants.iter().enumerate().any(|(i, v)| {
                    i != chosen
                        && matches!(schema.shapes.get(&v.shape),
                                    Some(Shape::Structure(o)) if o.member(k).is_some())
                });
                if elsewhere {
                    let label = &variants[chosen].label;
                    self.report(format!("field `{k}` does not apply to {label}"));
                    return;
                }
                suggest(k, union_fields(schema, variants))
            }
            None => suggest(k, st.members.iter().map(|(n, _)| n.as_str())),
        };
        match best {
            Some(best) => self.report(format!("unknown field `{k}`; did you mean `{best}`?")),
            None => match nested_owner(schema, st, k) {
                Some(owner) => self.report(format!(
                    "unknown field `{k}` here; it belongs inside `{owner}` (`{owner}.{k}`)"
                )),
                None => self.report(format!("unknown field `{k}`")),
            },
        }
    }
}

/// The field of `st` whose object (or list of objects) has a field named `k`: where a field
/// put one level too high belongs (`arrayProperties` beside `submitJob` instead of in it).
/// The first in name order when several have one.
fn nested_owner<'a>(schema: &Schema, st: &'a Structure, k: &str) -> Option<&'a str> {
    st.members.iter().find_map(|(name, shape)| {
        let mut shape = schema.shapes.get(shape)?;
        if let Shape::List(item) = shape {
            shape = schema.shapes.get(item)?;
        }
        match shape {
            Shape::Structure(o) if o.member(k).is_some() => Some(name.as_str()),
            _ => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;
    use std::collections::BTreeMap;

    // -----------------------------------------------------------------------
    // Generator of aws_model.json

    /// Writes `v` as compact JSON with object keys sorted, whatever the serde_json
    /// features (`preserve_order` or not).
    fn write_sorted(v: &Value, out: &mut String) {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                out.push('{');
                for (i, k) in keys.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&quoted(k));
                    out.push(':');
                    write_sorted(&m[k], out);
                }
                out.push('}');
            }
            Value::Array(a) => {
                out.push('[');
                for (i, x) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_sorted(x, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }

    /// Builds the text of `aws_model.json` from botocore's `service-2.json`.
    fn generate_aws_model(service: &Value) -> Result<String, String> {
        let shapes = service
            .get("shapes")
            .and_then(Value::as_object)
            .ok_or("service-2.json has no shapes")?;
        let target = |v: &Value, what: &str| -> Result<String, String> {
            v.get("shape")
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| format!("{what}: no shape reference"))
        };
        let mut todo = Vec::new();
        for op in OPERATIONS {
            let input = service
                .pointer(&format!("/operations/{op}/input"))
                .ok_or_else(|| format!("operation {op} has no input"))?;
            todo.push(target(input, op)?);
        }
        let mut model: BTreeMap<String, Value> = BTreeMap::new();
        while let Some(name) = todo.pop() {
            if model.contains_key(&name) {
                continue;
            }
            let def = shapes
                .get(&name)
                .and_then(Value::as_object)
                .ok_or_else(|| format!("unknown shape {name}"))?;
            let mut out = Map::new();
            for key in ["type", "required", "enum"] {
                if let Some(v) = def.get(key) {
                    out.insert(key.to_string(), v.clone());
                }
            }
            if let Some(members) = def.get("members").and_then(Value::as_object) {
                let mut m = Map::new();
                for (field, r) in members {
                    let shape = target(r, &format!("{name}.{field}"))?;
                    todo.push(shape.clone());
                    m.insert(field.clone(), Value::String(shape));
                }
                out.insert("members".to_string(), Value::Object(m));
            }
            for key in ["member", "key", "value"] {
                if let Some(r) = def.get(key) {
                    let shape = target(r, &format!("{name}.{key}"))?;
                    todo.push(shape.clone());
                    out.insert(key.to_string(), Value::String(shape));
                }
            }
            model.insert(name, Value::Object(out));
        }
        let mut text = String::from("{\n");
        for (i, (name, shape)) in model.iter().enumerate() {
            if i > 0 {
                text.push_str(",\n");
            }
            text.push_str(&quoted(name));
            text.push(':');
            write_sorted(shape, &mut text);
        }
        text.push_str("\n}\n");
        Ok(text)
    }

    #[test]
    fn aws_model_is_up_to_date() {
        let source = concat!(env!("CARGO_MANIFEST_DIR"), "/data/aws-batch-api/service-2.json");
        let text = std::fs::read_to_string(source)
            .unwrap_or_else(|e| panic!("{source} (vendored AWS API model) cannot be read: {e}"));
        let service: Value = serde_json::from_str(&text).expect("service-2.json parses");
        let generated = generate_aws_model(&service).expect("model generates");
        let committed = concat!(env!("CARGO_MANIFEST_DIR"), "/src/scenario/aws_model.json");
        if std::env::var("UPDATE_AWS_MODEL").as_deref() == Ok("1") {
            std::fs::write(committed, &generated).expect("aws_model.json written");
            eprintln!("note: rewrote {committed}");
            return;
        }
        assert!(
            generated == AWS_MODEL,
            "src/scenario/aws_model.json is out of date with {source}; \
             regenerate it with UPDATE_AWS_MODEL=1 cargo test aws_model_is_up_to_date"
        );
    }

    // -----------------------------------------------------------------------
    // Helpers

    fn diag(path: &str, message: &str) -> Diagnostic {
        Diagnostic {
            path: path.to_string(),
            message: message.to_string(),
        }
    }

    fn check(doc: Value) -> Vec<Diagnostic> {
        check_scenario(&doc)
    }

    /// A small valid scenario, used as a base for targeted edits and for mutation.
    fn base() -> Value {
        json!({
            "name": "nightly-etl",
            "description": "two queues on one Fargate CE",
            "seed": 42,
            "until": 86400.5,
            "computeEnvironments": [{
                "computeEnvironmentName": "fargate",
                "type": "MANAGED",
                "state": "ENABLED",
                "computeResources": {
                    "type": "FARGATE", "maxvCpus": 256,
                    "subnets": ["subnet-1"], "securityGroupIds": ["sg-1"]
                },
                "simulation": {
                    "startupSeconds": 30, "instanceLaunchSeconds": 90.5,
                    "scaleInIdleSeconds": 300, "interruptionsPerHour": 0.1,
                    "interruptionNoticeSeconds": 120, "queuePriority": "strict",
                    "prices": {"vcpuHour": 0.04048, "gbHour": 0.004445, "spotDiscount": 0.7,
                               "instanceHour": 1},
                    "instanceTypes": [{"instanceType": "sp2node", "vcpus": 100,
                                       "memoryMiB": 1048576, "gpus": 0, "pricePerHour": 0.0,
                                       "architecture": "x86_64"}]
                }
            }],
            "schedulingPolicies": [{
                "name": "fair",
                "fairsharePolicy": {"shareDecaySeconds": 3600, "computeReservation": 10,
                                    "shareDistribution": [{"shareIdentifier": "teamA", "weightFactor": 0.5},
                                                          {"shareIdentifier": "team*", "weightFactor": 1}]}
            }],
            "jobQueues": [{
                "jobQueueName": "high", "priority": 10, "state": "ENABLED",
                "schedulingPolicyArn": "fair",
                "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "fargate"}],
                "jobStateTimeLimitActions": [{"reason": "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY",
                                              "state": "RUNNABLE", "maxTimeSeconds": 600,
                                              "action": "CANCEL"}],
                "simulation": {"backfill": "easy"}
            }],
            "jobDefinitions": [{
                "jobDefinitionName": "etl", "type": "container",
                "platformCapabilities": ["FARGATE"],
                "containerProperties": {
                    "image": "public.ecr.aws/amazonlinux/amazonlinux:2023",
                    "command": ["echo", "hello"],
                    "resourceRequirements": [{"type": "VCPU", "value": "1"},
                                             {"type": "MEMORY", "value": "2048"}]
                },
                "retryStrategy": {"attempts": 3,
                                  "evaluateOnExit": [{"onStatusReason": "Host EC2*", "action": "RETRY"}]},
                "timeout": {"attemptDurationSeconds": 3600}
            }],
            "workload": [
                {"at": 0, "submitJob": {"jobName": "prep", "jobQueue": "high", "jobDefinition": "etl",
                                        "shareIdentifier": "teamA"},
                 "runtime": {"distribution": "fixed", "seconds": 300, "exitCode": 0}},
                {"arrivals": {"process": "poisson", "ratePerHour": 120},
                 "start": 0, "end": 3600, "count": 1000,
                 "submitJob": {"jobName": "s", "jobQueue": "high", "jobDefinition": "etl:1",
                               "shareIdentifier": "teamB", "arrayProperties": {"size": 100},
                               "dependsOn": [{"jobId": "prep", "type": "N_TO_N"}]},
                 "runtime": {"distribution": "exponential", "meanSeconds": 600,
                             "failureProbability": 0.05, "failureExitCode": 1}},
                {"arrivals": {"process": "every", "seconds": 30}, "count": 10,
                 "submitJob": {"jobName": "e", "jobQueue": "high", "jobDefinition": "etl"},
                 "runtime": {"distribution": "uniform", "minSeconds": 1, "maxSeconds": 2}},
                {"trace": {"path": "traces/KTH-SP2.swf.gz", "format": "swf"},
                 "submitJob": {"jobQueue": "high", "jobDefinition": "etl", "shareIdentifier": "teamA"}},
                {"at": 5.5, "submitJob": {"jobName": "ln", "jobQueue": "high", "jobDefinition": "etl"},
                 "runtime": {"distribution": "lognormal", "medianSeconds": 60, "sigma": 0.5}}
            ],
            "actions": [
                {"at": 43200, "updateComputeEnvironment": {"computeEnvironment": "fargate",
                                                           "computeResources": {"maxvCpus": 512}}},
                {"at": 50000, "updateJobQueue": {"jobQueue": "high", "state": "DISABLED"}},
                {"at": 60000, "registerJobDefinition": {"jobDefinitionName": "etl", "type": "container"}},
                {"at": 60001, "deregisterJobDefinition": {"jobDefinition": "etl:1"}},
                {"at": 60002, "cancelJob": {"jobId": "prep", "reason": "what if"}},
                {"at": 60003, "terminateJob": {"jobId": "s", "reason": "what if"}}
            ]
        })
    }

    /// `base()` with the value at a JSON pointer replaced (or added to its object).
    fn with(pointer: &str, value: Value) -> Value {
        let mut doc = base();
        let (parent, last) = pointer.rsplit_once('/').expect("a pointer");
        match doc.pointer_mut(parent).expect("parent exists in base()") {
            Value::Object(m) => {
                m.insert(last.to_string(), value);
            }
            Value::Array(a) => a[last.parse::<usize>().expect("an index")] = value,
            _ => panic!("{parent} is not a container"),
        }
        doc
    }

    /// `base()` with one object field removed or added.
    fn edit(pointer: &str, f: impl FnOnce(&mut Map<String, Value>)) -> Value {
        let mut doc = base();
        let obj = doc
            .pointer_mut(pointer)
            .and_then(Value::as_object_mut)
            .expect("object in base()");
        f(obj);
        doc
    }

    // -----------------------------------------------------------------------
    // Schema and API

    #[test]
    fn schema_loads_and_is_consistent() {
        let schema = Schema::load(AWS_MODEL, EXTENSIONS).expect("schemas load");
        assert!(matches!(schema.shapes.get(SCENARIO_SHAPE), Some(Shape::Structure(_))));
        // Extension shape names must not shadow AWS ones (load refuses duplicates).
        assert!(Schema::load(AWS_MODEL, r#"{"String":{"type":"string"}}"#).is_err());
        // Typos in the extension format are caught.
        assert!(Schema::load(AWS_MODEL, r#"{"X":{"type":"structure","membres":{}}}"#).is_err());
        assert!(Schema::load(AWS_MODEL, r#"{"X":{"type":"list","member":"Nope"}}"#).is_err());
        assert!(Schema::load(AWS_MODEL, r#"{"X":{"type":"structure","required":["a"]}}"#).is_err());
    }

    #[test]
    fn known_fields_lists_members() {
        let submit = known_fields("SubmitJobRequest").expect("a structure");
        assert!(submit.contains(&"jobName") && submit.contains(&"containerOverrides"));
        let mut sorted = submit.clone();
        sorted.sort_unstable();
        assert_eq!(submit, sorted);
        // Inherited members plus the extension.
        let ce = known_fields("ScenarioComputeEnvironment").expect("a structure");
        assert!(ce.contains(&"computeResources") && ce.contains(&"simulation"));
        let top = known_fields(SCENARIO_SHAPE).expect("a structure");
        assert_eq!(top.len(), 13);
        assert!(top.contains(&"simulation"), "the scheduler's latencies");
        assert!(top.contains(&"consumableResources"));
        let entry = known_fields("WorkloadEntry").expect("a union");
        for f in [
            "trace",
            "arrivals",
            "at",
            "submitJob",
            "runtime",
            "start",
            "end",
            "count",
        ] {
            assert!(entry.contains(&f), "{f}");
        }
        assert_eq!(known_fields("String"), None);
        assert_eq!(known_fields("NoSuchShape"), None);
    }

    #[test]
    fn valid_scenario_has_no_diagnostics() {
        assert_eq!(check(base()), vec![]);
        assert_eq!(check(json!({})), vec![]);
    }

    #[test]
    fn paths_render() {
        use Seg::*;
        assert_eq!(render_path(&[]), "(root)");
        assert_eq!(
            render_path(&[Key("jobQueues"), Index(1), Key("computeEnvironmentOrder"), Index(0)]),
            "jobQueues[1].computeEnvironmentOrder[0]"
        );
        assert_eq!(render_path(&[Key("tags"), Key("Name")]), "tags.Name");
        assert_eq!(render_path(&[Key("parameters"), Key("a b")]), r#"parameters["a b"]"#);
        assert_eq!(render_path(&[Key("x\"y")]), r#"["x\"y"]"#);
        assert_eq!(render_path(&[Key("1st")]), r#"["1st"]"#);
    }

    // -----------------------------------------------------------------------
    // Unknown fields

    #[test]
    fn misspelt_field_at_depth() {
        let doc = with(
            "/jobQueues/0/computeEnvironmentOrder/0",
            json!({"computeEnvironmnt": "fargate", "order": 1}),
        );
        assert_eq!(
            check(doc),
            vec![
                diag(
                    "jobQueues[0].computeEnvironmentOrder[0]",
                    "missing required field `computeEnvironment`"
                ),
                diag(
                    "jobQueues[0].computeEnvironmentOrder[0].computeEnvironmnt",
                    "unknown field `computeEnvironmnt`; did you mean `computeEnvironment`?"
                ),
            ]
        );
    }

    #[test]
    fn case_only_difference_is_suggested() {
        let doc = with(
            "/computeEnvironments/0/computeResources",
            json!({"type": "FARGATE", "maxVcpus": 256}),
        );
        assert_eq!(
            check(doc),
            vec![
                diag(
                    "computeEnvironments[0].computeResources",
                    "missing required field `maxvCpus`"
                ),
                diag(
                    "computeEnvironments[0].computeResources.maxVcpus",
                    "unknown field `maxVcpus`; did you mean `maxvCpus`?"
                ),
            ]
        );
    }

    #[test]
    fn unknown_top_level_keys() {
        assert_eq!(
            check(json!({"jobQueue": [], "zzzzqqqq": 1})),
            vec![
                diag("jobQueue", "unknown field `jobQueue`; did you mean `jobQueues`?"),
                diag("zzzzqqqq", "unknown field `zzzzqqqq`"),
            ]
        );
        // A null does not hide a typo.
        assert_eq!(
            check(json!({"sede": null})),
            vec![diag("sede", "unknown field `sede`; did you mean `seed`?")]
        );
        assert_eq!(
            check(json!({"a b": 1})),
            vec![diag(r#"["a b"]"#, "unknown field `a b`")]
        );
    }

    #[test]
    fn simulation_blocks_are_checked() {
        let doc = with(
            "/computeEnvironments/0/simulation",
            json!({"instanceTypes": [{"instanceType": "x", "memoryMib": 1, "vcpus": 2}],
                   "prices": {"vcpuHours": 1},
                   "queuePriority": "Strict"}),
        );
        assert_eq!(
            check(doc),
            vec![
                diag(
                    "computeEnvironments[0].simulation.instanceTypes[0]",
                    "missing required field `memoryMiB`"
                ),
                diag(
                    "computeEnvironments[0].simulation.instanceTypes[0].memoryMib",
                    "unknown field `memoryMib`; did you mean `memoryMiB`?"
                ),
                diag(
                    "computeEnvironments[0].simulation.prices.vcpuHours",
                    "unknown field `vcpuHours`; did you mean `vcpuHour`?"
                ),
                diag(
                    "computeEnvironments[0].simulation.queuePriority",
                    r#""Strict" is not one of aws, strict; did you mean `strict`?"#
                ),
            ]
        );
        let doc = with("/jobQueues/0/simulation", json!({"backfil": "easy"}));
        assert_eq!(
            check(doc),
            vec![diag(
                "jobQueues[0].simulation.backfil",
                "unknown field `backfil`; did you mean `backfill`?"
            )]
        );
    }

    // -----------------------------------------------------------------------
    // Types

    #[test]
    fn wrong_types() {
        let doc = with("/jobQueues/0/priority", json!("10"));
        assert_eq!(
            check(doc),
            vec![diag("jobQueues[0].priority", "expected an integer, found a string")]
        );
        let doc = with("/computeEnvironments/0/computeResources/maxvCpus", json!(2.5));
        assert_eq!(
            check(doc),
            vec![diag(
                "computeEnvironments[0].computeResources.maxvCpus",
                "expected an integer, found 2.5"
            )]
        );
        let doc = with("/computeEnvironments/0/computeResources/subnets", json!("subnet-1"));
        assert_eq!(
            check(doc),
            vec![diag(
                "computeEnvironments[0].computeResources.subnets",
                "expected a list, found a string"
            )]
        );
        let doc = with("/computeEnvironments/0/computeResources/subnets/0", json!(7));
        assert_eq!(
            check(doc),
            vec![diag(
                "computeEnvironments[0].computeResources.subnets[0]",
                "expected a string, found an integer"
            )]
        );
        let doc = with("/jobDefinitions/0/propagateTags", json!("yes"));
        assert_eq!(
            check(doc),
            vec![diag(
                "jobDefinitions[0].propagateTags",
                "expected true/false, found a string"
            )]
        );
        let doc = with("/until", json!("soon"));
        assert_eq!(check(doc), vec![diag("until", "expected a number, found a string")]);
        let doc = with("/seed", json!(true));
        assert_eq!(check(doc), vec![diag("seed", "expected an integer, found true")]);
        let doc = with("/jobQueues/0/computeEnvironmentOrder", json!({"order": 1}));
        assert_eq!(
            check(doc),
            vec![diag(
                "jobQueues[0].computeEnvironmentOrder",
                "expected a list, found an object"
            )]
        );
        let doc = with("/workload/0", json!([1]));
        assert_eq!(
            check(doc),
            vec![diag("workload[0]", "expected an object, found a list")]
        );
        let doc = with("/workload/0/runtime/seconds", json!("300"));
        assert_eq!(
            check(doc),
            vec![diag("workload[0].runtime.seconds", "expected a number, found a string")]
        );
    }

    #[test]
    fn numbers() {
        // float/double/number accept integers and fractions; integer/long refuse fractions.
        let doc = with(
            "/schedulingPolicies/0/fairsharePolicy/shareDistribution/0/weightFactor",
            json!(1),
        );
        assert_eq!(check(doc), vec![]);
        let doc = with("/seed", json!(2.0));
        assert_eq!(check(doc), vec![diag("seed", "expected an integer, found 2.0")]);
        let doc = with("/seed", json!(u64::MAX));
        assert_eq!(check(doc), vec![]);
        let doc = with("/seed", json!(-3));
        assert_eq!(check(doc), vec![]);
    }

    #[test]
    fn root_must_be_an_object() {
        assert_eq!(
            check(json!([])),
            vec![diag("(root)", "expected an object, found a list")]
        );
        assert_eq!(
            check(json!(null)),
            vec![diag("(root)", "expected an object, found null")]
        );
        assert_eq!(
            check(json!(3.5)),
            vec![diag("(root)", "expected an object, found a number")]
        );
    }

    #[test]
    fn map_entries() {
        let doc = with(
            "/jobDefinitions/0/parameters",
            json!({"a b": 1, "inputFile": "s3://b/k", "n": 2}),
        );
        assert_eq!(
            check(doc),
            vec![
                diag(
                    r#"jobDefinitions[0].parameters["a b"]"#,
                    "expected a string, found an integer"
                ),
                diag("jobDefinitions[0].parameters.n", "expected a string, found an integer"),
            ]
        );
        let doc = with("/computeEnvironments/0/computeResources/tags", json!({"Name": false}));
        assert_eq!(
            check(doc),
            vec![diag(
                "computeEnvironments[0].computeResources.tags.Name",
                "expected a string, found false"
            )]
        );
        let doc = with("/jobQueues/0/tags", json!(["Name"]));
        assert_eq!(
            check(doc),
            vec![diag("jobQueues[0].tags", "expected an object, found a list")]
        );
    }

    // -----------------------------------------------------------------------
    // Enums

    #[test]
    fn bad_enums() {
        let doc = with("/computeEnvironments/0/computeResources/type", json!("FARGATEE"));
        assert_eq!(
            check(doc),
            vec![diag(
                "computeEnvironments[0].computeResources.type",
                r#""FARGATEE" is not one of EC2, SPOT, FARGATE, FARGATE_SPOT, ECS_MANAGED_INSTANCES, LAMBDA; did you mean `FARGATE`?"#
            )]
        );
        // Enums are case-sensitive; the case-insensitive match is suggested.
        let doc = with("/jobQueues/0/state", json!("enabled"));
        assert_eq!(
            check(doc),
            vec![diag(
                "jobQueues[0].state",
                r#""enabled" is not one of ENABLED, DISABLED; did you mean `ENABLED`?"#
            )]
        );
        let doc = with("/workload/0/runtime/distribution", json!("gaussian"));
        assert_eq!(
            check(doc),
            vec![diag(
                "workload[0].runtime.distribution",
                r#""gaussian" is not one of fixed, exponential, uniform, lognormal"#
            )]
        );
        let doc = with("/computeEnvironments/0/type", json!(1));
        assert_eq!(
            check(doc),
            vec![diag(
                "computeEnvironments[0].type",
                "expected a string, found an integer"
            )]
        );
    }

    #[test]
    fn long_values_are_cut_in_messages() {
        let long = "é".repeat(300);
        let doc = with("/jobQueues/0/state", json!(long));
        let d = check(doc);
        assert_eq!(d.len(), 1);
        assert!(d[0]
            .message
            .starts_with(&format!("\"{}...\" is not one of", "é".repeat(100))));
    }

    // -----------------------------------------------------------------------
    // Required fields and null

    #[test]
    fn missing_required() {
        let doc = edit("/workload/0/submitJob", |o| {
            o.remove("jobQueue");
        });
        assert_eq!(
            check(doc),
            vec![diag("workload[0].submitJob", "missing required field `jobQueue`")]
        );
        let doc = with("/jobDefinitions/0", json!({}));
        assert_eq!(
            check(doc),
            vec![
                diag("jobDefinitions[0]", "missing required field `jobDefinitionName`"),
                diag("jobDefinitions[0]", "missing required field `type`"),
            ]
        );
        // A required field inside an AWS sub-shape.
        let doc = with("/jobDefinitions/0/containerProperties/logConfiguration", json!({}));
        assert_eq!(
            check(doc),
            vec![diag(
                "jobDefinitions[0].containerProperties.logConfiguration",
                "missing required field `logDriver`"
            )]
        );
    }

    #[test]
    fn null_counts_as_absent() {
        let doc = edit("/jobQueues/0", |o| {
            o.insert("state".into(), Value::Null);
            o.insert("simulation".into(), Value::Null);
            o.insert("tags".into(), Value::Null);
        });
        assert_eq!(check(doc), vec![]);
        let doc = edit("/jobQueues/0", |o| {
            o.insert("priority".into(), Value::Null);
        });
        assert_eq!(
            check(doc),
            vec![diag("jobQueues[0]", "missing required field `priority`")]
        );
        let doc = with("/workload", Value::Null);
        assert_eq!(check(doc), vec![]);
        // A null list element is not a field: it is a type error.
        let doc = with("/computeEnvironments/0/computeResources/subnets/0", Value::Null);
        assert_eq!(
            check(doc),
            vec![diag(
                "computeEnvironments[0].computeResources.subnets[0]",
                "expected a string, found null"
            )]
        );
    }

    // -----------------------------------------------------------------------
    // Workload union, arrivals and runtime variants

    #[test]
    fn stream_without_runtime() {
        let doc = edit("/workload/1", |o| {
            o.remove("runtime");
        });
        assert_eq!(
            check(doc),
            vec![diag("workload[1]", "missing required field `runtime`")]
        );
    }

    #[test]
    fn submission_without_at_and_with_stream_fields() {
        let doc = with(
            "/workload/0",
            json!({"count": 3, "runtime": {"distribution": "fixed", "seconds": 1},
                   "submitJob": {"jobName": "a", "jobQueue": "high", "jobDefinition": "etl"}}),
        );
        assert_eq!(
            check(doc),
            vec![
                diag("workload[0]", "missing required field `at`"),
                diag(
                    "workload[0].count",
                    "field `count` does not apply to a single submission (one without `trace` or `arrivals`)"
                ),
            ]
        );
    }

    #[test]
    fn trace_entries() {
        // jobName is optional in a trace template, jobQueue is not.
        let doc = edit("/workload/3/submitJob", |o| {
            o.remove("jobQueue");
        });
        assert_eq!(
            check(doc),
            vec![diag("workload[3].submitJob", "missing required field `jobQueue`")]
        );
        // But it is still required in a stream template.
        let doc = edit("/workload/1/submitJob", |o| {
            o.remove("jobName");
        });
        assert_eq!(
            check(doc),
            vec![diag("workload[1].submitJob", "missing required field `jobName`")]
        );
        let doc = edit("/workload/3", |o| {
            o.insert("runtime".into(), json!({"distribution": "fixed", "seconds": 1}));
            o.insert("runtme".into(), json!(1));
        });
        assert_eq!(
            check(doc),
            vec![
                diag(
                    "workload[3].runtime",
                    "field `runtime` does not apply to a trace entry (one with `trace`)"
                ),
                diag("workload[3].runtme", "unknown field `runtme`; did you mean `runtime`?"),
            ]
        );
        let doc = with("/workload/3/trace", json!({"format": "SWF", "pth": "x"}));
        assert_eq!(
            check(doc),
            vec![
                diag("workload[3].trace", "missing required field `path`"),
                diag(
                    "workload[3].trace.format",
                    r#""SWF" is not one of swf, csv; did you mean `swf`?"#
                ),
                diag("workload[3].trace.pth", "unknown field `pth`; did you mean `path`?"),
            ]
        );
    }

    #[test]
    fn unknown_entry_key_is_suggested_from_all_entry_keys() {
        // `arivals` is a typo in what becomes a single submission: suggested from the union.
        let doc = with(
            "/workload/1",
            json!({"arivals": {"process": "every", "seconds": 30}, "at": 0,
                   "runtime": {"distribution": "fixed", "seconds": 1},
                   "submitJob": {"jobName": "a", "jobQueue": "high", "jobDefinition": "etl"}}),
        );
        assert_eq!(
            check(doc),
            vec![diag(
                "workload[1].arivals",
                "unknown field `arivals`; did you mean `arrivals`?"
            )]
        );
    }

    #[test]
    fn arrivals_variants() {
        let doc = with("/workload/1/arrivals", json!({"process": "poisson", "seconds": 30}));
        assert_eq!(
            check(doc),
            vec![
                diag("workload[1].arrivals", "missing required field `ratePerHour`"),
                diag(
                    "workload[1].arrivals.seconds",
                    r#"seconds does not apply to process "poisson" (it takes ratePerHour)"#
                ),
            ]
        );
        let doc = with("/workload/1/arrivals", json!({"seconds": 30}));
        assert_eq!(
            check(doc),
            vec![diag("workload[1].arrivals", "missing required field `process`")]
        );
    }

    #[test]
    fn runtime_variants() {
        let doc = with(
            "/workload/2/runtime",
            json!({"distribution": "fixed", "meanSeconds": 600, "seconds": 5}),
        );
        assert_eq!(
            check(doc),
            vec![diag(
                "workload[2].runtime.meanSeconds",
                r#"meanSeconds does not apply to distribution "fixed" (it takes seconds)"#
            )]
        );
        let doc = with(
            "/workload/2/runtime",
            json!({"distribution": "uniform", "minSeconds": 1, "sigma": 2}),
        );
        assert_eq!(
            check(doc),
            vec![
                diag("workload[2].runtime", "missing required field `maxSeconds`"),
                diag(
                    "workload[2].runtime.sigma",
                    r#"sigma does not apply to distribution "uniform" (it takes minSeconds and maxSeconds)"#
                ),
            ]
        );
        let doc = with("/workload/2/runtime", json!({"distribution": "lognormal"}));
        assert_eq!(
            check(doc),
            vec![
                diag("workload[2].runtime", "missing required field `medianSeconds`"),
                diag("workload[2].runtime", "missing required field `sigma`"),
            ]
        );
        // Unknown distribution: only that is reported; parameters are type-checked.
        let doc = with(
            "/workload/2/runtime",
            json!({"distribution": "weibull", "seconds": "x"}),
        );
        assert_eq!(
            check(doc),
            vec![
                diag(
                    "workload[2].runtime.distribution",
                    r#""weibull" is not one of fixed, exponential, uniform, lognormal"#
                ),
                diag("workload[2].runtime.seconds", "expected a number, found a string"),
            ]
        );
        // Common options are allowed with every distribution.
        let doc = with(
            "/workload/2/runtime",
            json!({"distribution": "exponential", "exitCode": 3, "failureExitCode": 1,
                   "failureProbability": 0.5, "meanSeconds": 1}),
        );
        assert_eq!(check(doc), vec![]);
        let doc = with(
            "/workload/2/runtime",
            json!({"distribution": "fixed", "exitCode": 0.5, "seconds": 1}),
        );
        assert_eq!(
            check(doc),
            vec![diag("workload[2].runtime.exitCode", "expected an integer, found 0.5")]
        );
    }

    // -----------------------------------------------------------------------
    // Actions

    const OPS: &str = "`updateComputeEnvironment`, `updateJobQueue`, `registerJobDefinition`, \
                       `deregisterJobDefinition`, `cancelJob`, `terminateJob` and `updateConsumableResource`";

    #[test]
    fn action_with_two_operations() {
        let doc = edit("/actions/3", |o| {
            o.insert("terminateJob".into(), json!({"jobId": "prep", "reason": "r"}));
        });
        assert_eq!(
            check(doc),
            vec![diag(
                "actions[3]",
                &format!("expected exactly one of {OPS}; found `deregisterJobDefinition` and `terminateJob`")
            )]
        );
    }

    #[test]
    fn action_without_operation() {
        let doc = with("/actions/0", json!({"updateJobQeue": {"jobQueue": "high"}}));
        assert_eq!(
            check(doc),
            vec![
                diag("actions[0]", "missing required field `at`"),
                diag("actions[0]", &format!("expected exactly one of {OPS}; found none")),
                diag(
                    "actions[0].updateJobQeue",
                    "unknown field `updateJobQeue`; did you mean `updateJobQueue`?"
                ),
            ]
        );
        // The operation bodies are AWS request shapes.
        let doc = with("/actions/4/cancelJob", json!({"jobId": "prep"}));
        assert_eq!(
            check(doc),
            vec![diag("actions[4].cancelJob", "missing required field `reason`")]
        );
        let doc = with(
            "/actions/0/updateComputeEnvironment/computeResources",
            json!({"maxvCpu": 1}),
        );
        assert_eq!(
            check(doc),
            vec![diag(
                "actions[0].updateComputeEnvironment.computeResources.maxvCpu",
                "unknown field `maxvCpu`; did you mean `maxvCpus`?"
            )]
        );
    }

    // -----------------------------------------------------------------------
    // Real AWS request bodies

    #[test]
    fn aws_only_fields_are_accepted() {
        let doc = json!({
            "computeEnvironments": [{
                "computeEnvironmentName": "ec2", "type": "MANAGED",
                "serviceRole": "arn:aws:iam::123456789012:role/AWSBatchServiceRole",
                "tags": {"Name": "batch", "cost-center": "42"},
                "computeResources": {"type": "EC2", "maxvCpus": 64,
                                     "subnets": ["subnet-0a1b"], "securityGroupIds": ["sg-0c2d"],
                                     "instanceRole": "ecsInstanceRole", "ec2KeyPair": "k"}
            }],
            "jobDefinitions": [{
                "jobDefinitionName": "app", "type": "container",
                "containerProperties": {
                    "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:latest",
                    "command": ["python", "main.py", "Ref::input"],
                    "environment": [{"name": "STAGE", "value": "prod"}],
                    "jobRoleArn": "arn:aws:iam::123456789012:role/app",
                    "logConfiguration": {"logDriver": "awslogs",
                                         "options": {"awslogs-group": "/aws/batch/job"}},
                    "secrets": [{"name": "TOKEN", "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/t"}]
                }
            }]
        });
        assert_eq!(check(doc), vec![]);
    }

    /// A full `aws batch create-compute-environment --generate-cli-skeleton` style body.
    #[test]
    fn cli_skeleton_create_compute_environment() {
        let body = json!({
            "computeEnvironmentName": "spot-ce",
            "type": "MANAGED",
            "state": "ENABLED",
            "unmanagedvCpus": 0,
            "computeResources": {
                "type": "SPOT",
                "allocationStrategy": "SPOT_PRICE_CAPACITY_OPTIMIZED",
                "minvCpus": 0,
                "maxvCpus": 256,
                "desiredvCpus": 0,
                "instanceTypes": ["c5", "m5", "r5.2xlarge"],
                "imageId": "ami-0abcdef1234567890",
                "subnets": ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"],
                "securityGroupIds": ["sg-0123456789abcdef0"],
                "ec2KeyPair": "batch-admin",
                "instanceRole": "arn:aws:iam::123456789012:instance-profile/ecsInstanceRole",
                "tags": {"Name": "batch-spot", "team": "data-eng"},
                "placementGroup": "batch-cluster-pg",
                "bidPercentage": 60,
                "spotIamFleetRole": "arn:aws:iam::123456789012:role/AmazonEC2SpotFleetTaggingRole",
                "launchTemplate": {
                    "launchTemplateName": "batch-lt",
                    "version": "$Latest",
                    "overrides": [{
                        "launchTemplateName": "batch-lt-graviton",
                        "version": "3",
                        "targetInstanceTypes": ["c7g.2xlarge"],
                        "userdataType": "EKS_BOOTSTRAP_SH"
                    }],
                    "userdataType": "EKS_BOOTSTRAP_SH"
                },
                "ec2Configuration": [
                    {"imageType": "ECS_AL2023", "imageIdOverride": "ami-0abcdef1234567890"},
                    {"imageType": "ECS_AL2_NVIDIA"}
                ],
                "scalingPolicy": {"minScaleDownDelayMinutes": 20},
                "capacityTags": {"billing": "batch"}
            },
            "serviceRole": "arn:aws:iam::123456789012:role/aws-service-role/batch.amazonaws.com/AWSServiceRoleForBatch",
            "tags": {"project": "etl", "env": "prod"},
            "eksConfiguration": {
                "eksClusterArn": "arn:aws:eks:us-east-1:123456789012:cluster/batch",
                "kubernetesNamespace": "batch-jobs",
                "accessEntry": {"desiredState": "ENABLED"}
            },
            "context": "nightly",
            "ecsSettings": {"containerInsights": "ENABLED"}
        });
        assert_eq!(check(json!({"computeEnvironments": [body]})), vec![]);
        assert_eq!(check_shape("CreateComputeEnvironmentRequest", &body), vec![]);
    }

    /// Full create-job-queue, create-scheduling-policy, register-job-definition and
    /// submit-job bodies.
    #[test]
    fn cli_bodies_for_other_operations() {
        let queue = json!({
            "jobQueueName": "high", "state": "ENABLED",
            "schedulingPolicyArn": "arn:aws:batch:us-east-1:123456789012:scheduling-policy/fair",
            "priority": 100, "jobQueueType": "ECS_FARGATE",
            "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "arn:aws:batch:us-east-1:123456789012:compute-environment/spot-ce"}],
            "tags": {"team": "data"},
            "jobStateTimeLimitActions": [{"reason": "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT",
                                          "state": "RUNNABLE", "maxTimeSeconds": 3600, "action": "CANCEL"}]
        });
        let policy = json!({
            "name": "fair",
            "fairsharePolicy": {"shareDecaySeconds": 600, "computeReservation": 25,
                                "shareDistribution": [{"shareIdentifier": "teamA", "weightFactor": 0.125}]},
            "tags": {"team": "data"}
        });
        let jobdef = json!({
            "jobDefinitionName": "etl", "type": "container",
            "parameters": {"inputFile": "s3://bucket/in.csv"},
            "schedulingPriority": 50,
            "containerProperties": {
                "image": "public.ecr.aws/docker/library/python:3.12",
                "command": ["python", "-c", "print(1)"],
                "jobRoleArn": "arn:aws:iam::123456789012:role/job",
                "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
                "volumes": [{"name": "scratch", "host": {"sourcePath": "/scratch"}},
                            {"name": "efs", "efsVolumeConfiguration": {"fileSystemId": "fs-12345678",
                             "rootDirectory": "/", "transitEncryption": "ENABLED"}}],
                "environment": [{"name": "LOG_LEVEL", "value": "info"}],
                "mountPoints": [{"containerPath": "/scratch", "readOnly": false, "sourceVolume": "scratch"}],
                "readonlyRootFilesystem": false, "privileged": false,
                "ulimits": [{"hardLimit": 4096, "name": "nofile", "softLimit": 1024}],
                "user": "nobody",
                "resourceRequirements": [{"value": "0.5", "type": "VCPU"}, {"value": "1024", "type": "MEMORY"}],
                "linuxParameters": {"initProcessEnabled": true, "sharedMemorySize": 64},
                "logConfiguration": {"logDriver": "awslogs",
                                     "options": {"awslogs-group": "/aws/batch/job", "awslogs-stream-prefix": "etl"},
                                     "secretOptions": []},
                "secrets": [{"name": "DB_PASSWORD", "valueFrom": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db"}],
                "networkConfiguration": {"assignPublicIp": "ENABLED"},
                "fargatePlatformConfiguration": {"platformVersion": "LATEST"},
                "enableExecuteCommand": false,
                "ephemeralStorage": {"sizeInGiB": 30},
                "runtimePlatform": {"operatingSystemFamily": "LINUX", "cpuArchitecture": "ARM64"},
                "repositoryCredentials": {"credentialsParameter": "arn:aws:secretsmanager:us-east-1:123456789012:secret:reg"}
            },
            "retryStrategy": {"attempts": 3, "evaluateOnExit": [
                {"onStatusReason": "Host EC2*", "action": "RETRY"},
                {"onExitCode": "1", "onReason": "*", "action": "exit"}]},
            "propagateTags": true,
            "timeout": {"attemptDurationSeconds": 600},
            "tags": {"team": "data"},
            "platformCapabilities": ["FARGATE"]
        });
        let submit = json!({
            "jobName": "etl-run", "jobQueue": "high", "shareIdentifier": "teamA",
            "schedulingPriorityOverride": 10, "arrayProperties": {"size": 10},
            "dependsOn": [{"jobId": "prep", "type": "SEQUENTIAL"}],
            "jobDefinition": "etl:3", "parameters": {"inputFile": "s3://bucket/other.csv"},
            "containerOverrides": {"command": ["python", "x.py"], "environment": [{"name": "A", "value": "1"}],
                                   "resourceRequirements": [{"value": "1", "type": "VCPU"}]},
            "retryStrategy": {"attempts": 2}, "propagateTags": false,
            "timeout": {"attemptDurationSeconds": 120}, "tags": {"run": "nightly"}
        });
        let doc = json!({
            "schedulingPolicies": [policy],
            "jobQueues": [queue],
            "jobDefinitions": [jobdef],
            "workload": [{"at": 0, "submitJob": submit,
                          "runtime": {"distribution": "fixed", "seconds": 60}}]
        });
        // `"action": "exit"` is lower case: AWS enums are case-sensitive, but
        // `EvaluateOnExit.action` is documented as not case sensitive (CONTRACT 7.5).
        assert_eq!(check(doc), vec![]);
    }

    // -----------------------------------------------------------------------
    // Several problems

    #[test]
    fn multiple_problems_in_document_order() {
        // Keys of each object are in alphabetical order, so the expected order is the
        // same with and without serde_json's `preserve_order`.
        let doc = json!({
            "computeEnvironments": [{
                "computeEnvironmentName": "ce",
                "computeResources": {"maxvCpus": "many", "type": "EC2"},
                "type": "MANAGED"
            }],
            "jobQueues": [
                {"jobQueueName": "ok", "priority": 1},
                {"computeEnvironmentOrder": [{"computeEnvironment": "ce", "order": 1.5}],
                 "jobQueueName": "q", "priority": 1, "state": "ON"}
            ],
            "seed": "x",
            "workload": [
                {"at": 1, "runtime": {"distribution": "fixed", "seconds": 1},
                 "submitJob": {"jobName": "a", "jobQueue": "q"}},
                {"arrivals": {"process": "every", "seconds": 1},
                 "submitJob": {"jobDefinition": "d", "jobName": "b", "jobQueue": "q"}}
            ],
            "zzz": 1
        });
        assert_eq!(
            check(doc),
            vec![
                diag(
                    "computeEnvironments[0].computeResources.maxvCpus",
                    "expected an integer, found a string"
                ),
                diag(
                    "jobQueues[1].computeEnvironmentOrder[0].order",
                    "expected an integer, found 1.5"
                ),
                diag("jobQueues[1].state", r#""ON" is not one of ENABLED, DISABLED"#),
                diag("seed", "expected an integer, found a string"),
                diag("workload[0].submitJob", "missing required field `jobDefinition`"),
                diag("workload[1]", "missing required field `runtime`"),
                diag("zzz", "unknown field `zzz`"),
            ]
        );
    }

    // -----------------------------------------------------------------------
    // Never panic

    /// Field names and values that steer random documents deep into the schema.
    const WORDS: &[&str] = &[
        "computeEnvironments",
        "jobQueues",
        "jobDefinitions",
        "workload",
        "actions",
        "schedulingPolicies",
        "seed",
        "until",
        "name",
        "simulation",
        "computeResources",
        "type",
        "maxvCpus",
        "computeEnvironmentOrder",
        "order",
        "computeEnvironment",
        "tags",
        "parameters",
        "containerProperties",
        "logConfiguration",
        "options",
        "trace",
        "arrivals",
        "at",
        "submitJob",
        "runtime",
        "distribution",
        "process",
        "seconds",
        "meanSeconds",
        "fixed",
        "poisson",
        "every",
        "cancelJob",
        "updateJobQueue",
        "instanceTypes",
        "prices",
        "fairsharePolicy",
        "shareDistribution",
        "FARGATE",
    ];

    fn arb_key() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => prop::sample::select(WORDS).prop_map(str::to_string),
            1 => "\\PC{0,12}",
        ]
    }

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_filter_map("finite", |f| serde_json::Number::from_f64(f).map(Value::Number)),
            arb_key().prop_map(Value::String),
        ];
        leaf.prop_recursive(6, 96, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((arb_key(), inner), 0..8).prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    /// Every JSON pointer in `v`.
    fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                    pointers(x, p, out);
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    pointers(x, format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
        out.push(at);
    }

    fn well_formed(d: &[Diagnostic]) -> bool {
        d.iter().all(|d| !d.path.is_empty() && !d.message.is_empty())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn random_documents_never_panic(v in arb_json()) {
            prop_assert!(well_formed(&check_scenario(&v)));
            for shape in ["WorkloadEntry", "Action", "ScenarioComputeEnvironment",
                          "RegisterJobDefinitionRequest", "Runtime"] {
                prop_assert!(well_formed(&check_shape(shape, &v)));
            }
        }

        #[test]
        fn mutated_scenarios_never_panic(
            pick in any::<prop::sample::Index>(),
            how in 0..3u8,
            value in arb_json(),
            key in arb_key(),
        ) {
            let mut doc = base();
            let mut all = Vec::new();
            pointers(&doc, String::new(), &mut all);
            let target = pick.get(&all).clone();
            let (parent, last) = target.rsplit_once('/').unwrap_or(("", ""));
            match how {
                0 => {
                    if let Some(slot) = doc.pointer_mut(&target) {
                        *slot = value;
                    }
                }
                1 => match doc.pointer_mut(parent) {
                    // Rename a field.
                    Some(Value::Object(m)) => {
                        if let Some(x) = m.remove(last) {
                            m.insert(key, x);
                        }
                    }
                    Some(Value::Array(a)) if !a.is_empty() => {
                        a.remove(0);
                    }
                    _ => {}
                },
                _ => {
                    // Add a field next to an existing one.
                    if let Some(Value::Object(m)) = doc.pointer_mut(parent) {
                        m.insert(key, value);
                    }
                }
            }
            let d = check_scenario(&doc);
            prop_assert!(well_formed(&d));
        }
    }
}
