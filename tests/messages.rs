//! Messages for people (issue 16, item 4): every error a mutated scenario produces, loaded
//! and then set up to run, is scanned for Rust's debug text (`Some(`, `None`, `Ok(`, `Err(`,
//! CamelCase identifiers) and raw control characters (a name with a newline or an ANSI escape
//! must be quoted escaped).

mod common;

use batchsim::{Options, Scenario, Simulation};
use serde_json::Value;

/// Bad values put in place of each leaf in turn.
fn bad_values() -> Vec<Value> {
    vec![
        Value::Null,
        Value::from(-1),
        Value::from(1e300),
        Value::from("x\u{1b}[31m\nred"),
        Value::Array(vec![]),
        serde_json::json!({"Some": 1}),
        Value::from(true),
        Value::from(""),
    ]
}

/// Every path to a leaf of `v`.
fn leaves(v: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        Value::Object(m) => m.iter().for_each(|(k, x)| {
            path.push(k.clone());
            leaves(x, path, out);
            path.pop();
        }),
        Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| {
            path.push(i.to_string());
            leaves(x, path, out);
            path.pop();
        }),
        _ => out.push(path.clone()),
    }
}

fn set(v: &mut Value, path: &[String], to: Value) {
    let mut at = v;
    for k in path {
        at = match at {
            Value::Object(m) => m.get_mut(k).expect("a key"),
            Value::Array(a) => &mut a[k.parse::<usize>().expect("an index")],
            _ => unreachable!(),
        };
    }
    *at = to;
}

/// What is wrong with a message, if anything: [`common::not_for_people`], or a line that
/// starts with the injected value's second line (a raw line break from a value).
fn flaw(message: &str) -> Option<String> {
    if message.lines().any(|l| l.starts_with("red")) {
        return Some("a raw newline from a value".into());
    }
    common::not_for_people(message)
}

#[test]
fn no_message_of_a_mutated_scenario_shows_debug_text_or_raw_control_characters() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
    let mut checked = 0;
    let mut bad = Vec::new();
    for name in [
        "quickstart",
        "teams-fair-share",
        "compare-ec2-spot",
        "timeout-retry",
        "nightly-pipeline",
        "priority-fargate-spot",
    ] {
        let text = std::fs::read_to_string(format!("{dir}/{name}.json")).unwrap();
        let base: Value = serde_json::from_str(&text).unwrap();
        let mut paths = Vec::new();
        leaves(&base, &mut Vec::new(), &mut paths);
        for path in &paths {
            for value in bad_values() {
                let mut v = base.clone();
                set(&mut v, path, value.clone());
                let message = match Scenario::from_value(&v, &format!("{name}.json")) {
                    Err(e) => e.to_string(),
                    Ok(s) => match Simulation::new(&s, Options::default()) {
                        Err(e) => e.to_string(),
                        Ok(_) => continue,
                    },
                };
                checked += 1;
                if let Some(why) = flaw(&message) {
                    bad.push(format!("{name} {}={value}: {why}: {message}", path.join(".")));
                }
            }
        }
    }
    assert!(checked > 1_000, "only {checked} messages");
    assert!(
        bad.is_empty(),
        "{} of {checked} messages:\n{}",
        bad.len(),
        bad[..bad.len().min(20)].join("\n")
    );
}
