use super::sweep::sweep_page;
use super::*;
use crate::report::plot::{wait_probabilities, CeSeries, NamedSeries, WaitCurve};
use crate::report::{CeReport, CostReport, JobCounts, QueueReport, QueueShareReport};
use crate::sweep::Table;
use std::collections::BTreeMap;

/// Every `<name ...>` is closed by `</name>` or self-closed, in order (void HTML elements
/// excepted).
fn balanced(page: &str) -> Result<(), String> {
    let body = page.find("<html").map_or(page, |i| &page[i..]);
    let mut stack: Vec<String> = Vec::new();
    let mut rest = body;
    while let Some(i) = rest.find('<') {
        let j = rest[i..].find('>').ok_or("unclosed `<`")?;
        let tag = &rest[i + 1..i + j];
        rest = &rest[i + j + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            match stack.pop() {
                Some(open) if open == name.trim() => {}
                other => return Err(format!("</{name}> closes {other:?}")),
            }
        } else if !tag.ends_with('/') {
            let name = tag.split_whitespace().next().unwrap_or("").to_owned();
            if !matches!(name.as_str(), "meta" | "br") {
                stack.push(name);
            }
        }
    }
    match stack.as_slice() {
        [] => Ok(()),
        s => Err(format!("unclosed {s:?}")),
    }
}

fn stats(count: u64, v: f64) -> Stats {
    Stats {
        count,
        mean: Some(v),
        p50: Some(v),
        p90: Some(v),
        p95: Some(v),
        p99: Some(v),
        max: Some(v),
    }
}

/// A report whose names need escaping: two queues (one fair-share with a share), two
/// compute environments.
fn report() -> Report {
    let share = QueueShareReport {
        submitted: 3,
        succeeded: 3,
        vcpu_seconds: 90.0,
        used_fraction: 1.0,
        weight_factor: 0.5,
        target_fraction: 1.0,
        wait_seconds: WaitStats {
            stats: stats(3, 12.0),
            ..WaitStats::default()
        },
        cost: 0.25,
    };
    let queues = BTreeMap::from([
        (
            "q<script>&\"x\"".to_owned(),
            QueueReport {
                submitted: 3,
                succeeded: 3,
                wait_seconds: WaitStats {
                    stats: stats(3, 12.0),
                    ..WaitStats::default()
                },
                cost: 0.25,
                shares: BTreeMap::from([("team 'a' & <b>".to_owned(), share)]),
                ..QueueReport::default()
            },
        ),
        (
            "blocked".to_owned(),
            QueueReport {
                submitted: 2,
                unfinished: 2,
                queued: 2,
                wait_seconds: WaitStats {
                    stats: Stats::default(),
                    never_started: 2,
                    oldest_wait_seconds: Some(7200.0),
                },
                ..QueueReport::default()
            },
        ),
    ]);
    let ces = BTreeMap::from([
        (
            "ce<1>".to_owned(),
            CeReport {
                jobs_started: 3,
                max_vcpus: 16,
                utilization: 0.5,
                utilization_of_max: 0.25,
                cost: 1.25,
                idle_cost: 1.0,
                ..CeReport::default()
            },
        ),
        ("fargate&spot".to_owned(), CeReport::default()),
    ]);
    Report {
        scenario: "nightly <etl> & \"co\"".into(),
        seed: 7,
        end_seconds: 7200.0,
        events: 40,
        jobs: JobCounts {
            submitted: 5,
            succeeded: 3,
            unfinished: 2,
            queued: 2,
            ..JobCounts::default()
        },
        wait_seconds: WaitStats {
            stats: stats(3, 12.0),
            never_started: 2,
            oldest_wait_seconds: Some(7200.0),
        },
        turnaround_seconds: stats(3, 42.0),
        queues,
        shares: BTreeMap::new(),
        compute_environments: ces,
        cost: CostReport { total: 1.25, idle: 1.0 },
        warnings: vec!["skipped line 3: <bad> & 'odd'".into()],
        consumable_resources: Default::default(),
    }
}

fn chart(r: &Report) -> Chart {
    Chart {
        scenario: r.scenario.clone(),
        seed: r.seed,
        end_seconds: r.end_seconds,
        bucket_seconds: 3600.0,
        queues: r
            .queues
            .keys()
            .map(|name| NamedSeries {
                name: name.clone(),
                values: vec![2.0, 1.0],
                means: vec![1.5, 0.5],
            })
            .collect(),
        compute_environments: r
            .compute_environments
            .iter()
            .map(|(name, c)| CeSeries {
                name: name.clone(),
                in_use: vec![4.0, 0.0],
                in_use_mean: vec![2.0, 0.0],
                max_vcpus: vec![16.0, 16.0],
                provisioned: vec![8.0, 0.0],
                reclaims: vec![0.0, 1.0],
                cost: vec![0.5, c.cost],
                total_cost: c.cost,
            })
            .collect(),
        waits: vec![WaitCurve {
            name: "all jobs".into(),
            count: 3,
            probabilities: wait_probabilities(),
            quantiles: vec![12.0; wait_probabilities().len()],
        }],
        history: None,
    }
}

#[test]
fn esc_replaces_every_markup_character() {
    assert_eq!(esc(r#"<a href="x">&'"#), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    assert_eq!(esc("tab\tnew\nline\u{1b}[31m"), "tab\tnew\nline [31m");
    assert_eq!(esc("plain-name_1"), "plain-name_1");
}

#[test]
fn run_page_escapes_names_and_lists_every_queue_share_and_ce() {
    let r = report();
    let page = run_page(&r, Some(&chart(&r)), None);
    balanced(&page).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"));
    // Raw user text never reaches the page.
    for raw in ["<script>", "<etl>", "<b>", "ce<1>", "<bad>", "fargate&spot"] {
        assert!(!page.contains(raw), "unescaped {raw}");
    }
    for escaped in [
        "<title>batchsim: nightly &lt;etl&gt; &amp; &quot;co&quot; (seed 7)</title>",
        "<td>wait, queue q&lt;script&gt;&amp;&quot;x&quot;</td>",
        "<td>share team &#39;a&#39; &amp; &lt;b&gt;</td>",
        "<td>team &#39;a&#39; &amp; &lt;b&gt;</td>",
        "<td>ce&lt;1&gt;</td>",
        "<td>fargate&amp;spot</td>",
        "<li>skipped line 3: &lt;bad&gt; &amp; &#39;odd&#39;</li>",
    ] {
        assert!(page.contains(escaped), "missing {escaped}");
    }
    // Each queue in the jobs and cost tables (and the fair-share one in the fair-share
    // table), and in the waits table; each CE in its table and the chart.
    for (q, tables) in [("q&lt;script&gt;&amp;&quot;x&quot;", 3), ("blocked", 2)] {
        assert_eq!(page.matches(&format!("<td>queue {q}</td>")).count(), tables, "{q}");
        assert!(page.contains(&format!("<td>wait, queue {q}</td>")), "{q}");
    }
    for ce in ["ce&lt;1&gt;", "fargate&amp;spot"] {
        assert!(page.contains(&format!("<td>{ce}</td>")), "{ce}");
        assert!(page.contains(&format!(">{ce} maxvCpus<")), "{ce} in the chart");
    }
    // The blocked queue: no wait figures, its never-started jobs and oldest wait.
    assert!(page.contains("<td>wait, queue blocked</td><td>0</td><td>-</td><td>-</td><td>-</td><td>-</td><td>-</td><td>-</td><td>2</td><td>2.00 h</td>"));
    // Utilization, utilizationOfMax, cost and idle cost of the CE.
    assert!(page.contains("<td>50.0%</td><td>25.0%</td><td>0</td><td>$1.25</td><td>$1.00</td>"));
    assert!(page.contains("<tr class=\"total\"><td>total</td><td>$1.25</td></tr>"));
    // Fair share under its queue: weight, target, used.
    assert!(page.contains("<td>0.5</td><td>100.0%</td><td>100.0%</td><td>90</td>"));
    assert_eq!(page, run_page(&r, Some(&chart(&r)), None), "deterministic");
}

#[test]
fn consumable_resources_have_a_table_only_when_there_are_some() {
    let mut r = report();
    let page = run_page(&r, None, None);
    assert!(!page.contains("Consumable resources"));
    r.consumable_resources.insert(
        "licences<1>".into(),
        crate::report::ConsumableReport {
            resource_type: "REPLENISHABLE".into(),
            total_quantity: 4,
            in_use_quantity: 1,
            available_quantity: 3,
            peak_in_use: 4,
            acquisitions: 9,
            utilization: 0.5,
            jobs_waited: 2,
            wait_seconds: stats(2, 30.0),
            ..Default::default()
        },
    );
    let page = run_page(&r, None, None);
    balanced(&page).unwrap();
    assert!(page.contains("<h2>Consumable resources</h2>"));
    assert!(!page.contains("licences<1>"), "escaped");
    assert!(
        page.contains("<td>licences&lt;1&gt;</td><td>REPLENISHABLE</td><td>4</td><td>1</td><td>3</td><td>4</td><td>0</td><td>9</td><td>50.0%</td><td>2</td><td>0</td><td>2</td>"),
        "{page}"
    );
}

#[test]
fn pages_reference_no_network_resource() {
    let r = report();
    let page = run_page(&r, Some(&chart(&r)), None);
    assert!(page.contains("<svg width="), "the chart is inline");
    for needle in ["http://", "https://", "<script", "<link", "<img", "@import", "url("] {
        assert!(!page.contains(needle), "the page has {needle}");
    }
    // Without a chart the page still stands.
    let bare = run_page(&r, None, None);
    balanced(&bare).unwrap();
    assert!(!bare.contains("<svg"));
}

/// Two queues on 4 or 8 vCPUs, two seeds (the example of `crate::sweep`).
fn swept() -> (crate::sweep::Sweep, Table) {
    use crate::sweep::{parse_columns, Sweep, SweepOptions};
    let scenario: serde_json::Value = serde_json::from_str(
        r#"{
      "computeEnvironments": [{"computeEnvironmentName": "fargate", "type": "MANAGED",
         "computeResources": {"type": "FARGATE", "maxvCpus": 4},
         "simulation": {"startupSeconds": 0}}],
      "jobQueues": [
        {"jobQueueName": "batch", "priority": 1,
         "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "fargate"}]},
        {"jobQueueName": "critical", "priority": 10,
         "computeEnvironmentOrder": [{"order": 1, "computeEnvironment": "fargate"}]}],
      "jobDefinitions": [{"jobDefinitionName": "big", "type": "container",
         "platformCapabilities": ["FARGATE"],
         "containerProperties": {"resourceRequirements": [
           {"type": "VCPU", "value": "4"}, {"type": "MEMORY", "value": "8192"}]}}],
      "workload": [
        {"at": 0, "submitJob": {"jobName": "nightly", "jobQueue": "batch", "jobDefinition": "big"},
         "runtime": {"distribution": "exponential", "meanSeconds": 600}},
        {"at": 0, "submitJob": {"jobName": "urgent", "jobQueue": "critical", "jobDefinition": "big"},
         "runtime": {"distribution": "exponential", "meanSeconds": 60}}]
    }"#,
    )
    .unwrap();
    let settings = vec!["computeEnvironments[fargate].computeResources.maxvCpus=4,8"
        .parse()
        .unwrap()];
    let sweep = Sweep::from_value_at(
        &scenario,
        "two-queues.json",
        "1..3".parse().unwrap(),
        settings,
        SweepOptions::default(),
    )
    .unwrap();
    let rows = sweep.run_all().unwrap();
    let columns = parse_columns("queues[*].waitP95,cost").unwrap();
    let table = Table::new(&sweep, &rows, &columns);
    (sweep, table)
}

#[test]
fn sweep_page_has_intervals_a_banded_chart_per_column_and_every_run() {
    let (sweep, table) = swept();
    let page = sweep_page("two <queues>.json", sweep.grid(), &table);
    balanced(&page).unwrap();
    assert!(page.contains("<h1>Sweep of two &lt;queues&gt;.json</h1>"));
    assert!(page.contains("6 runs (3 seeds, 1..3, x 2 combinations)"));
    // One chart per column, each with the values of the setting as ticks.
    assert_eq!(page.matches("<figure>").count(), 3);
    for caption in ["queues[batch].waitP95 (s)", "queues[critical].waitP95 (s)", "cost ($)"] {
        assert!(
            page.contains(&format!("<figcaption>{caption}</figcaption>")),
            "{caption}"
        );
    }
    assert!(page.contains(">4</text>") && page.contains(">8</text>"));
    // The batch queue waits behind the critical job on 4 vCPUs only: its p95 varies over
    // the seeds there, so its chart has a band; the mean row says `± h`.
    assert!(page.contains("fill-opacity=\"0.18\""), "no confidence band");
    let intervals = table.intervals(0, 2);
    let (m, h) = (intervals[0].mean.unwrap(), intervals[0].half_width.unwrap());
    assert!(m > 0.0 && h > 0.0, "{m} ± {h}");
    assert!(page.contains(&format!("<td>{m:.1} ± {h:.1}</td>")));
    // Every run in the last table: seed, setting, three figures.
    assert_eq!(
        page.matches("<tr><td>").count() - 2 - 1,
        6,
        "rows: combinations, settings, runs"
    );
    for needle in ["http://", "https://", "<script"] {
        assert!(!page.contains(needle), "the page has {needle}");
    }
}

#[test]
fn sweep_page_without_settings_says_nothing_was_varied() {
    use crate::sweep::{parse_columns, Sweep, SweepOptions};
    let plain = Sweep::from_value_at(
        &serde_json::from_str(
            &std::fs::read_to_string(format!("{}/scenarios/quickstart.json", env!("CARGO_MANIFEST_DIR"))).unwrap(),
        )
        .unwrap(),
        "quickstart.json",
        "1".parse().unwrap(),
        Vec::new(),
        SweepOptions::default(),
    )
    .unwrap();
    let rows = plain.run_all().unwrap();
    let table = Table::new(&plain, &rows, &parse_columns("default").unwrap());
    let page = sweep_page("quickstart.json", plain.grid(), &table);
    balanced(&page).unwrap();
    assert!(page.contains("Nothing was varied"));
    assert!(page.contains("One seed: no confidence interval"));
    assert!(!page.contains("<figure>"));
}

#[test]
fn sweep_x_axis_is_to_scale_for_numbers_and_in_order_otherwise() {
    use super::sweep::x_positions;
    use crate::sweep::Grid;
    let grid = |set: &str| Grid::new("1".parse().unwrap(), vec![set.parse().unwrap()]).unwrap();
    assert_eq!(
        x_positions(&grid("a.maxvCpus=16,64,32")),
        (vec![16.0, 64.0, 32.0], true)
    );
    assert_eq!(
        x_positions(&grid("a.type=SPOT,EC2,FARGATE")),
        (vec![0.0, 1.0, 2.0], false)
    );
    // One non-number makes the whole axis ordinal.
    assert_eq!(x_positions(&grid("a.v=1,two")), (vec![0.0, 1.0], false));
    assert_eq!(
        x_positions(&Grid::new("1".parse().unwrap(), Vec::new()).unwrap()),
        (Vec::new(), false)
    );
}
