//! `--html FILE` on `run`, `sweep` and `merge`: one self-contained page (nothing fetched
//! from the network) with every queue and compute environment, output that changes nothing
//! else, write failures that are exit 1 naming the file, and a real browser's rendering.
//!
//! The two browser tests (the run report, the calibration page) need Chromium. `build.rs`
//! looks for it when the tests are built: found, they run in a plain `cargo test` and check
//! the screenshots' pixels; not found, they are `#[ignore]`d with the reason, which `cargo test` prints beside its name (`ignored,
//! Chromium not found ...`), never a silent `ok` for a check that did not run. `.ci/run`
//! installs Chromium when missing and runs it with `cargo test --test html --
//! --include-ignored renders_in_headless_chromium` (ignored or not, as they were
//! built before Chromium was installed), where a missing Chromium fails it.

mod common;

use common::{batchsim, scenario_path, temp_dir};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a page must not have: anything that loads from an address, or runs.
const NETWORK: [&str; 7] = ["http://", "https://", "<script", "<link", "<img", "@import", "url("];

fn html_of_run(tag: &str, scenario: &str) -> (PathBuf, String) {
    let dir = temp_dir(tag);
    let page = dir.join("report.html");
    let p = page.display().to_string();
    let o = batchsim(&["run", &scenario_path(scenario), "--html", &p]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&page).unwrap();
    (page, text)
}

#[test]
fn run_html_is_self_contained_and_names_every_queue_share_and_ce() {
    let s = scenario_path("teams-fair-share.json");
    let json = batchsim(&["run", &s, "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let (_, page) = html_of_run("html-fair", "teams-fair-share.json");
    assert!(page.starts_with("<!DOCTYPE html>") && page.ends_with("</html>\n"));
    for needle in NETWORK {
        assert!(!page.contains(needle), "the page has {needle}");
    }
    for q in report["queues"].as_object().unwrap().keys() {
        assert!(page.contains(&format!("<td>wait, queue {q}</td>")), "queue {q}");
        for share in report["queues"][q]["shares"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.keys())
        {
            assert!(
                page.contains(&format!("<td>share {share}</td>")),
                "share {share} of {q}"
            );
        }
    }
    for ce in report["computeEnvironments"].as_object().unwrap().keys() {
        assert!(page.contains(&format!("<td>{ce}</td>")), "ce {ce}");
        assert!(page.contains(&format!(">{ce} maxvCpus<")), "ce {ce} in the chart");
    }
    // The cost total as the report has it, and the chart's four panels.
    let total = report["cost"]["total"].as_f64().unwrap();
    assert!(
        page.contains(&format!("<td>total</td><td>${total:.2}</td>")),
        "total ${total:.2}"
    );
    for panel in ["Queue depth", "vCPUs in use", "Cost so far", "Wait time distribution"] {
        assert!(page.contains(panel), "panel {panel}");
    }
    assert!(page.contains("log scale"));
}

#[test]
fn html_changes_nothing_else_and_is_deterministic() {
    let s = scenario_path("compare-ec2-spot.json");
    let dir = temp_dir("html-same");
    let (a, b) = (dir.join("a.html"), dir.join("b.html"));
    let plain = batchsim(&["run", &s, "--format", "json"]);
    let with = batchsim(&["run", &s, "--format", "json", "--html", &a.display().to_string()]);
    assert!(with.status.success(), "{}", String::from_utf8_lossy(&with.stderr));
    assert_eq!(plain.stdout, with.stdout, "--html must not change the report");
    let text = batchsim(&["run", &s, "--html", &b.display().to_string()]);
    assert_eq!(batchsim(&["run", &s]).stdout, text.stdout);
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    // `-` is standard output, which then carries the page only.
    let out = batchsim(&["run", &s, "--html", "-"]);
    assert!(out.status.success());
    assert_eq!(out.stdout, std::fs::read(&a).unwrap());
    let clash = batchsim(&["run", &s, "--format", "json", "--html", "-"]);
    assert_eq!(clash.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&clash.stderr).contains("--html -: standard output already carries"));
}

#[test]
fn unwritable_html_is_exit_1_naming_the_file() {
    let s = scenario_path("quickstart.json");
    let o = batchsim(&["run", &s, "--html", "/nonexistent-dir/r.html"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--html /nonexistent-dir/r.html: cannot write"), "{err}");
    let full = batchsim(&["run", &s, "--html", "/dev/full"]);
    assert_eq!(full.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&full.stderr).contains("--html /dev/full: cannot write"));
    let sweep = batchsim(&[
        "sweep",
        &s,
        "--seeds",
        "1..2",
        "--html",
        "/dev/full",
        "--out",
        "/dev/null",
    ]);
    assert_eq!(sweep.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&sweep.stderr).contains("--html /dev/full: cannot write"));
}

#[test]
fn sweep_html_charts_each_column_with_its_interval() {
    let s = scenario_path("priority-fargate-spot.json");
    let dir = temp_dir("html-sweep");
    let (page, table) = (dir.join("sweep.html"), dir.join("sweep.csv"));
    let args = [
        "sweep",
        &s,
        "--seeds",
        "1..3",
        "--set",
        "computeEnvironments[fargate-spot].computeResources.maxvCpus=32,64,128",
        "--columns",
        "queues[*].waitP95,cost",
    ];
    let plain = batchsim(&args);
    let mut with: Vec<&str> = args.to_vec();
    let (p, t) = (page.display().to_string(), table.display().to_string());
    with.extend(["--html", &p, "--out", &t]);
    let o = batchsim(&with);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        plain.stdout,
        std::fs::read(&table).unwrap(),
        "--html must not change the table"
    );
    let html = std::fs::read_to_string(&page).unwrap();
    for needle in NETWORK {
        assert!(!html.contains(needle), "the page has {needle}");
    }
    for caption in ["queues[batch].waitP95 (s)", "queues[critical].waitP95 (s)", "cost ($)"] {
        assert!(
            html.contains(&format!("<figcaption>{caption}</figcaption>")),
            "{caption}"
        );
    }
    // Three seeds: every mean of the summary has its half-width, as on stderr.
    let stderr = String::from_utf8_lossy(&o.stderr);
    let first = stderr
        .lines()
        .find(|l| l.starts_with("  ") && l.contains('±'))
        .unwrap_or_else(|| panic!("no interval on stderr: {stderr}"));
    let cells: Vec<&str> = first.split("  ").map(str::trim).filter(|c| c.contains('±')).collect();
    assert_eq!(cells.len(), 3, "{first}");
    for cell in cells {
        assert!(html.contains(&format!("<td>{cell}</td>")), "{cell} not on the page");
    }
    assert!(html.contains("fill-opacity=\"0.18\""), "no confidence band");
    // A shard has part of the runs only.
    let shard = batchsim(&["sweep", &s, "--seeds", "1..2", "--shard", "1/2", "--html", &p]);
    assert_eq!(shard.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&shard.stderr).contains("give --html to batchsim merge"));
}

/// The Chromium binary: `$CHROMIUM`, else the first of `chromium`, `chromium-browser`,
/// `google-chrome` on `PATH`.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |d| d.join(name)))
        .find(|p| p.is_file())
}

/// A headless screenshot of `page` at `width` x `height` into `png`, killed after 3 minutes.
fn screenshot(browser: &Path, page: &Path, png: &Path, width: u32, height: u32) {
    let profile = png.with_extension("profile");
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            &format!("--user-data-dir={}", profile.display()),
            &format!("--screenshot={}", png.display()),
            &format!("--window-size={width},{height}"),
            &format!("file://{}", page.display()),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "chromium: {status}");
            break;
        }
        if started.elapsed() > Duration::from_secs(180) {
            let _ = child.kill();
            panic!("chromium took more than 3 minutes");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A decoded screenshot: width, height, RGB pixels.
fn decode(png: &Path) -> (u32, u32, Vec<[u8; 3]>) {
    let file = std::io::BufReader::new(std::fs::File::open(png).unwrap());
    let mut reader = png::Decoder::new(file).read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    let step = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => panic!("unexpected colour type {other:?}"),
    };
    let pixels = buf[..info.buffer_size()]
        .chunks_exact(step)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    (info.width, info.height, pixels)
}

/// Pixels of rows `rows` that are not (nearly) white, and those of the chart's first
/// colour (#1f77b4, the first queue's and CE's lines).
fn ink(w: u32, pixels: &[[u8; 3]], rows: std::ops::Range<u32>) -> (usize, usize) {
    let mut dark = 0;
    let mut blue = 0;
    for y in rows {
        for p in &pixels[(y * w) as usize..((y + 1) * w) as usize] {
            if p.iter().any(|&c| c < 235) {
                dark += 1;
            }
            let near = |c: u8, t: u8| c.abs_diff(t) < 40;
            if near(p[0], 0x1f) && near(p[1], 0x77) && near(p[2], 0xb4) {
                blue += 1;
            }
        }
    }
    (dark, blue)
}

/// Issue 14: the HTML report of the EC2 Spot comparison, rendered by a real browser, is a
/// page of tables and charts, not a blank or broken one.
#[test]
#[cfg_attr(
    not(batchsim_chromium),
    ignore = "Chromium not found when the tests were built ($CHROMIUM, or chromium, \
              chromium-browser, google-chrome on PATH): install it and rebuild, or run \
              .ci/run, which installs it and runs this test"
)]
fn html_report_renders_in_headless_chromium() {
    let browser = chromium().expect("Chromium not found (set CHROMIUM or install chromium)");
    let (page, _) = html_of_run("html-chromium", "compare-ec2-spot.json");
    let shot = page.with_file_name("screenshot.png");
    screenshot(&browser, &page, &shot, 1200, 1600);
    let bytes = std::fs::metadata(&shot).unwrap().len();
    assert!(bytes > 20_000, "{bytes} bytes: a blank page compresses to a few KB");
    let (w, h, pixels) = decode(&shot);
    assert_eq!((w, h), (1200, 1600));
    let total = (w * h) as usize;
    // The tables at the top: the title and the job counts.
    let (top, _) = ink(w, &pixels, 0..400);
    assert!(top > 5_000, "{top} inked pixels in the top 400 rows");
    // The whole view: text, grid lines and the chart's lines, on a white page.
    let (dark, blue) = ink(w, &pixels, 0..h);
    assert!(
        dark > total / 50 && dark < total / 2,
        "{dark} of {total} pixels not white"
    );
    assert!(blue > 1_000, "{blue} pixels of the chart's lines");
    eprintln!("screenshot: {} ({bytes} bytes, {dark} inked pixels)", shot.display());

    // The whole page, down to the cost and wait panels.
    let long = page.with_file_name("screenshot-full.png");
    screenshot(&browser, &page, &long, 1200, 3000);
    let (w, h, pixels) = decode(&long);
    assert_eq!((w, h), (1200, 3000));
    // The cost panel (rows 1640..1900 at this width): its axes, labels and the CE's line.
    let (cost, blue) = ink(w, &pixels, 1640..1900);
    assert!(
        cost > 5_000 && blue > 300,
        "{cost} inked, {blue} blue pixels in the cost panel"
    );
    // The wait panel below it: the distribution's black line, ticks and labels.
    let (wait, _) = ink(w, &pixels, 1980..2240);
    assert!(wait > 5_000, "{wait} inked pixels in the wait panel");
    // Nothing drawn below the page's end.
    let (below, _) = ink(w, &pixels, 2400..3000);
    assert_eq!(below, 0, "ink below the page");
    eprintln!("screenshot: {}", long.display());
}

/// `calibrate --fit --html FILE` on the bundled account and its recorded history.
fn calibration_page(tag: &str) -> (PathBuf, String, std::process::Output) {
    let dir = temp_dir(tag);
    let page = dir.join("calibration.html");
    let bundled = |f: &str| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/import")
            .join(f)
            .display()
            .to_string()
    };
    let o = batchsim(&[
        "calibrate",
        &bundled("account.json"),
        "--history",
        &bundled("history/describe-jobs.json"),
        &bundled("history/events.jsonl"),
        "--fit",
        "--format",
        "json",
        "--html",
        &page.display().to_string(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&page).unwrap();
    (page, text, o)
}

/// Issue 12: the calibration "drawn in the chart": the HTML page has the error figures of
/// the report (the same numbers), the vCPU curves and the per-job waits, for the scenario
/// as given and at the fitted settings, and fetches nothing.
#[test]
fn calibrate_html_has_the_figures_and_both_charts() {
    let (_, page, out) = calibration_page("html-calibrate");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>") && page.ends_with("</html>\n"));
    for needle in NETWORK {
        assert!(!page.contains(needle), "the page has {needle}");
    }
    let given = report["overall"]["wait"]["meanAbsSeconds"].as_f64().unwrap();
    let fitted = report["fit"]["calibration"]["overall"]["wait"]["meanAbsSeconds"]
        .as_f64()
        .unwrap();
    // The wait charts' titles carry each calibration's mean error as the report has it.
    for e in [given, fitted] {
        assert!(
            page.contains(&format!("mean error {e:.1} s)</text>")),
            "{e:.1} s in a chart title"
        );
    }
    assert_eq!(page.matches("<svg ").count(), 4, "two charts, as given and fitted");
    assert_eq!(page.matches("<title>recorded</title>").count(), 2);
    // One dot per compared job in each wait chart, and one in each legend.
    let jobs = report["jobsCompared"].as_u64().unwrap() as usize;
    assert_eq!(page.matches("<circle ").count(), 2 * (jobs + 1));
    for q in report["queues"].as_array().unwrap() {
        let name = q["jobQueue"].as_str().unwrap();
        assert!(page.contains(&format!("<td>queue {name}</td>")), "queue {name}");
    }
    for ce in report["fit"]["perComputeEnvironment"].as_array().unwrap() {
        let name = ce["computeEnvironment"].as_str().unwrap();
        assert!(page.contains(&format!("<tr><td>{name}</td>")), "ce {name}");
    }
    assert!(page.contains("<code>startupSeconds</code> 60, <code>instanceLaunchSeconds</code> 180"));
    // The same inputs give the same bytes.
    let (_, again, _) = calibration_page("html-calibrate-again");
    assert_eq!(page, again);
}

/// The calibration page in a real browser: tables at the top, the charts' blue wait dots
/// and the black recorded curve below, nothing broken or blank.
#[test]
#[cfg_attr(
    not(batchsim_chromium),
    ignore = "Chromium not found when the tests were built ($CHROMIUM, or chromium, \
              chromium-browser, google-chrome on PATH): install it and rebuild, or run \
              .ci/run, which installs it and runs this test"
)]
fn calibrate_html_renders_in_headless_chromium() {
    let browser = chromium().expect("Chromium not found (set CHROMIUM or install chromium)");
    let (page, _, _) = calibration_page("html-calibrate-chromium");
    let shot = page.with_file_name("calibration.png");
    screenshot(&browser, &page, &shot, 1200, 3200);
    let (w, h, pixels) = decode(&shot);
    assert_eq!((w, h), (1200, 3200));
    let (top, _) = ink(w, &pixels, 0..300);
    assert!(top > 5_000, "{top} inked pixels in the title and the error table");
    let (dark, blue) = ink(w, &pixels, 0..h);
    let total = (w * h) as usize;
    assert!(
        dark > total / 50 && dark < total / 2,
        "{dark} of {total} pixels not white"
    );
    assert!(
        blue > 400,
        "{blue} pixels of the wait charts' dots (12 dots of radius 5)"
    );
    eprintln!("screenshot: {} ({dark} inked, {blue} blue pixels)", shot.display());
}
