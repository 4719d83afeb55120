//! Plain Terraform configuration (`.tf`), parsed with the `hcl-rs` crate.
//!
//! The `aws_batch_*` resources are read with their arguments evaluated where they are
//! literal or refer to what the file itself says: `var.x` (a `variable` block's `default`, or
//! `--param x=VALUE`), `local.x`, another Batch resource's `name`, `arn` or `id`
//! (`aws_batch_compute_environment.foo.arn`), and the functions `jsonencode`, `tostring`,
//! `tonumber`, `lower`, `upper`. An argument that cannot be resolved (a data source, another
//! provider's resource, a module output) is left out and named in a note, never guessed;
//! nested blocks become lists of objects, as in `terraform show -json`.

use super::error::ImportError;
use super::setup::Setup;
use super::terraform::{resource, tf_kind, TfKind};
use super::ImportOptions;

mod module;
use hcl::eval::{Context, Evaluate, FuncArgs, FuncDef, ParamType};
use hcl::{Body, Expression, ObjectKey, Structure};
use serde_json::{Map, Value};

/// Reads a `.tf` file into `setup`.
pub(crate) fn read(file: &str, text: &str, options: &ImportOptions, setup: &mut Setup) -> Result<(), ImportError> {
    let body = hcl::parse(text).map_err(|e| match e {
        hcl::Error::Parse(p) => ImportError::Syntax {
            file: file.to_owned(),
            format: "HCL",
            line: p.location().line(),
            column: p.location().column(),
            message: p.message().to_owned(),
        },
        other => ImportError::Syntax {
            file: file.to_owned(),
            format: "HCL",
            line: 0,
            column: 0,
            message: other.to_string(),
        },
    })?;
    let mut notes = Vec::new();
    let mut ctx = base_context();

    // Variables: --param, else the default.
    let mut vars = hcl::Map::new();
    for block in body.blocks().filter(|b| b.identifier.as_str() == "variable") {
        let Some(name) = block.labels.first().map(|l| l.as_str().to_owned()) else {
            continue;
        };
        if let Some(v) = options.param(&name) {
            vars.insert(name, param_value(&block.body, v, &ctx));
            continue;
        }
        let default = block.body.attributes().find(|a| a.key.as_str() == "default");
        match default.map(|a| a.expr.evaluate(&ctx)) {
            Some(Ok(v)) => {
                vars.insert(name, v);
            }
            _ => notes.push(format!(
                "{file}: variable `{name}` has no default; give it with --param {name}=VALUE (arguments using it are left out)"
            )),
        }
    }
    ctx.declare_var("var", hcl::Value::Object(vars));

    // Locals, in passes so that one may use another declared later.
    let mut locals = hcl::Map::new();
    let pending: Vec<&hcl::Attribute> = body
        .blocks()
        .filter(|b| b.identifier.as_str() == "locals")
        .flat_map(|b| b.body.attributes())
        .collect();
    for _ in 0..=pending.len().min(16) {
        let mut progress = false;
        for a in &pending {
            if locals.contains_key(a.key.as_str()) {
                continue;
            }
            if let Ok(v) = a.expr.evaluate(&ctx) {
                locals.insert(a.key.as_str().to_owned(), v);
                progress = true;
                ctx.declare_var("local", hcl::Value::Object(locals.clone()));
            }
        }
        if !progress {
            break;
        }
    }
    ctx.declare_var("local", hcl::Value::Object(locals));

    // The Batch resources, their names first (so that they can refer to each other).
    let batch: Vec<(&str, String, &Body, TfKind)> = body
        .blocks()
        .filter(|b| b.identifier.as_str() == "resource" && b.labels.len() == 2)
        .filter_map(|b| {
            let ty = b.labels[0].as_str();
            tf_kind(ty).map(|k| (ty, b.labels[1].as_str().to_owned(), &b.body, k))
        })
        .collect();
    let mut by_type: Vec<(String, hcl::Map<String, hcl::Value>)> = Vec::new();
    for (ty, label, body, kind) in &batch {
        let name_attrs: &[&str] = match kind {
            TfKind::Object(super::setup::ObjectKind::ComputeEnvironment) => &["compute_environment_name", "name"],
            _ => &["name"],
        };
        let name = body
            .attributes()
            .find(|a| name_attrs.contains(&a.key.as_str()))
            .and_then(|a| a.expr.evaluate(&ctx).ok())
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| label.clone());
        let arn_type = ty.trim_start_matches("aws_batch_").replace('_', "-");
        let tail = if matches!(kind, TfKind::JobDefinition) {
            format!("{name}:1")
        } else {
            name.clone()
        };
        let arn = format!("arn:aws:batch:us-east-1:123456789012:{arn_type}/{tail}");
        let mut attrs = hcl::Map::new();
        attrs.insert("name".to_owned(), hcl::Value::String(name.clone()));
        attrs.insert("compute_environment_name".to_owned(), hcl::Value::String(name));
        attrs.insert("arn".to_owned(), hcl::Value::String(arn.clone()));
        attrs.insert("id".to_owned(), hcl::Value::String(arn));
        match by_type.iter_mut().find(|(t, _)| t == ty) {
            Some((_, m)) => {
                m.insert(label.clone(), hcl::Value::Object(attrs));
            }
            None => {
                let mut m = hcl::Map::new();
                m.insert(label.clone(), hcl::Value::Object(attrs));
                by_type.push(((*ty).to_owned(), m));
            }
        }
    }
    for (ty, m) in by_type {
        ctx.declare_var(ty, hcl::Value::Object(m));
    }

    let mut found = batch.len();
    let mut ignored = Vec::new();
    for block in body.blocks().filter(|b| b.identifier.as_str() == "module") {
        let label = block.labels.first().map(|l| l.as_str()).unwrap_or_default();
        if module::read(file, label, &block.body, &ctx, &mut notes, setup)? {
            found += 1;
        } else {
            ignored.push(format!("module.{label}"));
        }
    }
    for block in body.blocks().filter(|b| b.identifier.as_str() == "resource") {
        let labels: Vec<&str> = block.labels.iter().map(|l| l.as_str()).collect();
        if labels.len() != 2 || tf_kind(labels[0]).is_none() {
            ignored.push(labels.join("."));
        }
    }
    for (ty, label, body, kind) in &batch {
        let address = format!("{ty}.{label}");
        let values = evaluate_body(body, &ctx, &address, &mut notes, 0);
        resource(file, kind, label, &values, &address, setup)?;
    }
    let prefix = format!("{file}: ");
    setup.notes.extend(notes.into_iter().map(|n| {
        if n.starts_with(&prefix) {
            n
        } else {
            format!("{prefix}{n}")
        }
    }));
    if found == 0 {
        setup.notes.push(format!("{file}: no aws_batch_* resources"));
    }
    if !ignored.is_empty() {
        setup.notes.push(format!(
            "{file}: resources ignored (not simulated): {}",
            ignored.join(", ")
        ));
    }
    Ok(())
}

/// A `--param` value for a variable: as Terraform's `-var` reads it, a string for a `string`
/// (or untyped) variable, else an HCL expression (`["a", "b"]`, `128`, `{ k = "v" }`); text
/// that does not read as one stays a string.
fn param_value(variable: &Body, text: &str, ctx: &Context) -> hcl::Value {
    let typed = variable
        .attributes()
        .find(|a| a.key.as_str() == "type")
        .is_some_and(|a| !matches!(&a.expr, Expression::Variable(v) if v.as_str() == "string"));
    if typed {
        if let Ok(body) = hcl::parse(&format!("v = {text}\n")) {
            if let Some(v) = body.attributes().next().and_then(|a| a.expr.evaluate(ctx).ok()) {
                return v;
            }
        }
    }
    hcl::Value::String(text.to_owned())
}

/// The functions a Batch resource's arguments commonly use.
fn base_context() -> Context<'static> {
    let mut ctx = Context::new();
    ctx.declare_func("jsonencode", FuncDef::new(jsonencode, [ParamType::Any]));
    ctx.declare_func("tostring", FuncDef::new(tostring, [ParamType::Any]));
    ctx.declare_func("tonumber", FuncDef::new(tonumber, [ParamType::Any]));
    ctx.declare_func("lower", FuncDef::new(lower, [ParamType::String]));
    ctx.declare_func("upper", FuncDef::new(upper, [ParamType::String]));
    ctx
}

fn jsonencode(args: FuncArgs) -> Result<hcl::Value, String> {
    serde_json::to_string(&args[0])
        .map(hcl::Value::String)
        .map_err(|e| e.to_string())
}

fn tostring(args: FuncArgs) -> Result<hcl::Value, String> {
    Ok(hcl::Value::String(match &args[0] {
        hcl::Value::String(s) => s.clone(),
        other => other.to_string(),
    }))
}

fn tonumber(args: FuncArgs) -> Result<hcl::Value, String> {
    match &args[0] {
        hcl::Value::Number(n) => Ok(hcl::Value::Number(*n)),
        hcl::Value::String(s) => s
            .trim()
            .parse::<i64>()
            .map(hcl::Value::from)
            .or_else(|_| s.trim().parse::<f64>().map(hcl::Value::from))
            .map_err(|_| format!("`{s}` is not a number")),
        other => Err(format!("`{other}` is not a number")),
    }
}

fn lower(args: FuncArgs) -> Result<hcl::Value, String> {
    Ok(hcl::Value::String(args[0].as_str().unwrap_or_default().to_lowercase()))
}

fn upper(args: FuncArgs) -> Result<hcl::Value, String> {
    Ok(hcl::Value::String(args[0].as_str().unwrap_or_default().to_uppercase()))
}

/// Evaluates `expr` as far as it can: an object or list whose members do not all resolve
/// keeps the ones that do (each other one named in a note), `jsonencode` of such an object
/// encodes what resolved. `None` when nothing resolved.
fn partial(expr: &Expression, ctx: &Context, path: &str, notes: &mut Vec<String>, depth: usize) -> Option<Value> {
    if depth > 64 {
        notes.push(format!("{path}: left out: nested too deeply"));
        return None;
    }
    match expr {
        Expression::Object(o) => {
            let mut out = Map::new();
            for (k, v) in o {
                let key = match k {
                    ObjectKey::Identifier(i) => i.as_str().to_owned(),
                    ObjectKey::Expression(e) => match e.evaluate(ctx) {
                        Ok(hcl::Value::String(s)) => s,
                        Ok(other) => other.to_string(),
                        Err(e) => {
                            notes.push(format!(
                                "{path}: a key left out: cannot be resolved from this file ({})",
                                one_line(&e)
                            ));
                            continue;
                        }
                    },
                    _ => continue,
                };
                if let Some(v) = partial(v, ctx, &super::shapes::join(path, &key), notes, depth + 1) {
                    out.insert(key, v);
                }
            }
            Some(Value::Object(out))
        }
        Expression::Array(items) => Some(Value::Array(
            items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| partial(v, ctx, &format!("{path}[{i}]"), notes, depth + 1))
                .collect(),
        )),
        Expression::Parenthesis(inner) => partial(inner, ctx, path, notes, depth + 1),
        Expression::FuncCall(f)
            if f.name.namespace.is_empty() && f.name.name.as_str() == "jsonencode" && f.args.len() == 1 =>
        {
            partial(&f.args[0], ctx, path, notes, depth + 1).map(|v| Value::String(v.to_string()))
        }
        other => match other.evaluate(ctx) {
            Ok(v) => match serde_json::to_value(&v) {
                Ok(j) => Some(j),
                Err(e) => {
                    notes.push(format!("{path}: left out: {e}"));
                    None
                }
            },
            Err(e) => {
                notes.push(format!(
                    "{path}: left out: cannot be resolved from this file ({})",
                    one_line(&e)
                ));
                None
            }
        },
    }
}

fn one_line(e: &impl std::fmt::Display) -> String {
    e.to_string().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A block body as JSON: attributes evaluated (left out with a note when they cannot be),
/// nested blocks as lists of objects.
fn evaluate_body(body: &Body, ctx: &Context, path: &str, notes: &mut Vec<String>, depth: usize) -> Value {
    let mut out = Map::new();
    if depth > 32 {
        return Value::Object(out);
    }
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => {
                let key = a.key.as_str();
                if matches!(key, "count" | "for_each" | "depends_on" | "provider") {
                    if key != "depends_on" && key != "provider" {
                        notes.push(format!(
                            "{path}: `{key}` is not expanded; the resource is imported once"
                        ));
                    }
                    continue;
                }
                if let Some(v) = partial(&a.expr, ctx, &format!("{path}.{key}"), notes, 0) {
                    out.insert(key.to_owned(), v);
                }
            }
            Structure::Block(b) => {
                let key = b.identifier.as_str();
                if matches!(key, "lifecycle" | "timeouts" | "provisioner" | "connection") {
                    continue;
                }
                if key == "dynamic" {
                    notes.push(format!(
                        "{path}: dynamic block `{}` left out: not expanded",
                        b.labels.first().map(|l| l.as_str()).unwrap_or_default()
                    ));
                    continue;
                }
                let v = evaluate_body(&b.body, ctx, &format!("{path}.{key}"), notes, depth + 1);
                match out.get_mut(key) {
                    Some(Value::Array(list)) => list.push(v),
                    _ => {
                        out.insert(key.to_owned(), Value::Array(vec![v]));
                    }
                }
            }
        }
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const TF: &str = r#"
variable "env" { default = "dev" }
variable "max" { default = 32 }
locals {
  prefix = "${var.env}-batch"
  queue  = "${local.prefix}-queue"
}
resource "aws_iam_role" "svc" { name = "svc" }
resource "aws_batch_compute_environment" "spot" {
  compute_environment_name = "${local.prefix}-spot"
  type         = "MANAGED"
  service_role = aws_iam_role.svc.arn
  compute_resources {
    type          = "SPOT"
    max_vcpus     = var.max
    min_vcpus     = 0
    instance_type = ["c5.large", "m5.large"]
    allocation_strategy = "SPOT_PRICE_CAPACITY_OPTIMIZED"
    subnets       = data.aws_subnets.private.ids
  }
}
resource "aws_batch_job_queue" "q" {
  name     = local.queue
  state    = "ENABLED"
  priority = 10
  compute_environment_order {
    order               = 1
    compute_environment = aws_batch_compute_environment.spot.arn
  }
}
resource "aws_batch_job_definition" "d" {
  name = "etl"
  type = "container"
  container_properties = jsonencode({
    image = "busybox"
    resourceRequirements = [{ type = "VCPU", value = "2" }, { type = "MEMORY", value = "4096" }]
  })
  retry_strategy { attempts = 3 }
}
"#;

    #[test]
    fn arguments_resolve_through_variables_locals_and_references() {
        let mut s = Setup::default();
        read("main.tf", TF, &ImportOptions::default(), &mut s).unwrap();
        let v = s.build_scenario("x");
        let ce = &v["computeEnvironments"][0];
        assert_eq!(ce["computeEnvironmentName"], "dev-batch-spot");
        assert_eq!(ce["computeResources"]["maxvCpus"], 32);
        assert_eq!(ce["computeResources"]["instanceTypes"], json!(["c5.large", "m5.large"]));
        assert!(ce.get("serviceRole").is_none());
        assert!(ce["computeResources"].get("subnets").is_none());
        let q = &v["jobQueues"][0];
        assert_eq!(q["jobQueueName"], "dev-batch-queue");
        assert_eq!(
            q["computeEnvironmentOrder"],
            json!([{"order": 1, "computeEnvironment": "dev-batch-spot"}])
        );
        let d = &v["jobDefinitions"][0];
        assert_eq!(d["containerProperties"]["resourceRequirements"][1]["value"], "4096");
        assert_eq!(d["retryStrategy"]["attempts"], 3);
        let notes = s.notes.join("\n");
        assert!(
            notes.contains("aws_batch_compute_environment.spot.service_role: left out"),
            "{notes}"
        );
        assert!(notes.contains("compute_resources.subnets: left out"), "{notes}");
        assert!(
            notes.contains("resources ignored (not simulated): aws_iam_role.svc"),
            "{notes}"
        );
    }

    #[test]
    fn params_set_variables_and_syntax_errors_have_a_position() {
        let mut s = Setup::default();
        let options = ImportOptions {
            params: vec![("env".into(), "prod".into())],
            ..ImportOptions::default()
        };
        read("main.tf", TF, &options, &mut s).unwrap();
        let v = s.build_scenario("x");
        assert_eq!(v["jobQueues"][0]["jobQueueName"], "prod-batch-queue");
        let options = ImportOptions {
            params: vec![("max".into(), "48".into()), ("env".into(), "[1]".into())],
            ..ImportOptions::default()
        };
        let mut s = Setup::default();
        read(
            "main.tf",
            &TF.replace("default = 32", "type = number"),
            &options,
            &mut s,
        )
        .unwrap();
        let v = s.build_scenario("x");
        assert_eq!(v["computeEnvironments"][0]["computeResources"]["maxvCpus"], 48);
        assert_eq!(v["computeEnvironments"][0]["computeEnvironmentName"], "[1]-batch-spot");
        let e = read("bad.tf", "resource \"a\" {\n  x = \n}", &options, &mut Setup::default()).unwrap_err();
        assert!(e.to_string().starts_with("bad.tf:"), "{e}");
        assert!(e.to_string().contains("malformed HCL"), "{e}");
    }
}
