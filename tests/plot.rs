//! `batchsim run --plot`: a well-formed SVG with the run's names and axis labels, output that
//! does not change the report or the job table, and a small file for a long run.

mod common;

use common::{batchsim, scenario_path, temp_dir};

/// Every element is closed, in order (a small XML well-formedness check).
fn assert_balanced(svg: &str) {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = svg;
    while let Some(i) = rest.find('<') {
        let j = rest[i..].find('>').expect("unterminated tag");
        let tag = &rest[i + 1..i + j];
        assert!(!tag.contains('<'), "`<` inside a tag: {tag}");
        rest = &rest[i + j + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name.trim()), "mismatched </{name}>");
        } else if !tag.ends_with('/') {
            stack.push(tag.split_whitespace().next().unwrap().to_owned());
        }
        // Text between tags must not hold a bare `&` that starts no entity.
        let text_end = rest.find('<').unwrap_or(rest.len());
        for (k, _) in rest[..text_end].match_indices('&') {
            let entity = &rest[k..text_end.min(k + 6)];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"]
                    .iter()
                    .any(|e| entity.starts_with(e)),
                "bare & in text: {entity}"
            );
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    assert!(!svg.contains("NaN") && !svg.contains("inf"), "non-finite coordinates");
}

#[test]
fn plot_is_well_formed_labelled_and_changes_nothing_else() {
    let dir = temp_dir("plot-labels");
    let s = scenario_path("priority-fargate-spot.json");
    let svg_path = dir.join("run.svg").display().to_string();
    let (a_csv, b_csv) = (
        dir.join("a.csv").display().to_string(),
        dir.join("b.csv").display().to_string(),
    );
    let plain = batchsim(&["run", &s, "--format", "json", "--jobs", &a_csv]);
    let plotted = batchsim(&["run", &s, "--format", "json", "--jobs", &b_csv, "--plot", &svg_path]);
    assert!(plotted.status.success(), "{}", String::from_utf8_lossy(&plotted.stderr));
    assert_eq!(plain.stdout, plotted.stdout, "--plot must not change the report");
    assert_eq!(std::fs::read(&a_csv).unwrap(), std::fs::read(&b_csv).unwrap());
    let text_plain = batchsim(&["run", &s]);
    let text_plotted = batchsim(&["run", &s, "--plot", &svg_path]);
    assert_eq!(text_plain.stdout, text_plotted.stdout);

    let svg = std::fs::read_to_string(&svg_path).unwrap();
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert_balanced(&svg);
    for needle in [
        "priority-fargate-spot (seed 42)",
        ">critical<",
        ">batch<",
        ">fargate-ondemand<",
        ">fargate-spot<",
        ">fargate-spot maxvCpus<",
        "simulated time (hours)",
        "RUNNABLE jobs",
        ">vCPUs<",
        "Wait time distribution",
        "fraction of jobs waiting",
        "stroke-dasharray",
    ] {
        assert!(svg.contains(needle), "SVG lacks {needle}");
    }
    // Deterministic like the rest of the output.
    let again = dir.join("again.svg").display().to_string();
    assert!(batchsim(&["run", &s, "--plot", &again]).status.success());
    assert_eq!(svg, std::fs::read_to_string(&again).unwrap());
}

#[test]
fn long_run_draws_a_small_file() {
    let dir = temp_dir("plot-long");
    // 200,000 jobs of one second on average, 90 a second, on 100 vCPUs: about 400,000
    // instants, each observed, downsampled to at most 2,000 buckets per series.
    let scenario = r#"{
      "name": "long",
      "computeEnvironments": [{"computeEnvironmentName": "fargate", "type": "MANAGED",
        "computeResources": {"type": "FARGATE", "maxvCpus": 100}, "simulation": {"startupSeconds": 0}}],
      "jobQueues": [{"jobQueueName": "q", "priority": 1,
        "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "fargate"}]}],
      "jobDefinitions": [{"jobDefinitionName": "d", "type": "container", "platformCapabilities": ["FARGATE"],
        "containerProperties": {"resourceRequirements": [{"type": "VCPU", "value": "1"}, {"type": "MEMORY", "value": "2048"}]}}],
      "workload": [{"arrivals": {"process": "poisson", "ratePerHour": 324000}, "count": 200000,
        "submitJob": {"jobName": "w", "jobQueue": "q", "jobDefinition": "d"},
        "runtime": {"distribution": "exponential", "meanSeconds": 1}}]
    }"#;
    let path = dir.join("long.json");
    std::fs::write(&path, scenario).unwrap();
    let svg_path = dir.join("long.svg").display().to_string();
    let o = batchsim(&["run", &path.display().to_string(), "--plot", &svg_path]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    assert_balanced(&svg);
    assert!(svg.len() < 250_000, "{} bytes", svg.len());
    // Each drawn step line has at most ~2,000 buckets (a move and a horizontal and vertical
    // segment per bucket at most).
    for d in svg.split(" d=\"").skip(1) {
        let d = &d[..d.find('"').unwrap()];
        let segments = d.matches(['H', 'V']).count();
        assert!(segments <= 2 * 2000 + 2, "{segments} segments in one path");
    }
    assert!(svg.contains("(n=200000)"));
}

#[test]
fn unwritable_plot_path_is_an_output_error() {
    let o = batchsim(&[
        "run",
        &scenario_path("quickstart.json"),
        "--plot",
        "/nonexistent-dir/x.svg",
    ]);
    // A file that cannot be written is exit 1 (2 is bad input), found before the run.
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--plot") && err.contains("/nonexistent-dir/x.svg"),
        "{err}"
    );
}

/// The cost panel's source: `Simulation::cost_so_far` never goes down over a run (an EC2
/// instance's bill grows by the second while it is up and moves, unchanged, into the billed
/// sum when it terminates) and ends at each compute environment's `cost` in the report, on
/// an EC2 Spot scenario (instances launched, reclaimed and scaled in) and a Fargate one.
#[test]
fn cost_so_far_rises_to_the_reports_cost() {
    for name in ["compare-ec2-spot.json", "priority-fargate-spot.json"] {
        let scenario = batchsim::Scenario::from_file(std::path::Path::new(&scenario_path(name))).unwrap();
        let mut sim = batchsim::Simulation::new(&scenario, batchsim::Options::default()).unwrap();
        let names: Vec<String> = sim.compute_environment_usage().into_iter().map(|c| c.name).collect();
        let mut last: Vec<f64> = sim.cost_so_far().collect();
        assert!(last.iter().all(|&c| c == 0.0), "{name}: {last:?} before the run");
        let mut rises = 0;
        while sim.step() {
            let now: Vec<f64> = sim.cost_so_far().collect();
            for (a, b) in last.iter().zip(&now) {
                assert!(
                    b + 1e-9 >= *a,
                    "{name}: cost went down from {a} to {b} at {:?}",
                    sim.now()
                );
                rises += usize::from(b > a);
            }
            last = now;
        }
        let report = sim.finish();
        assert!(rises > 10, "{name}: {rises} rises");
        for (ce, so_far) in names.iter().zip(&last) {
            let cost = report.compute_environments[ce].cost;
            assert!(cost > 1.0, "{name}/{ce}: ${cost}");
            // What is still up at the end (Fargate tasks, instances to the stop time) is
            // billed by `finish` only.
            assert!(
                *so_far <= cost + 1e-9 && *so_far > 0.9 * cost,
                "{name}/{ce}: {so_far} of {cost}"
            );
        }
    }
}
