//! README's examples, run: every ```text block of README.md that shows a `$ command` with
//! its output is run with the built binary and compared with what README shows, so the
//! examples cannot drift from the tool.
//!
//! The convention (also described in README's Development section):
//!
//! - A checked block is preceded, on the line just before its opening fence, by
//!   `<!-- example -->` or `<!-- example: OPTIONS -->`; a block with commands that cannot be
//!   checked is preceded by `<!-- example: not checked: REASON -->`. A ```text block with a
//!   `$ ` line and neither marker fails this test, so a new example cannot be forgotten.
//! - Each block runs in a fresh temporary directory holding a symbolic link `scenarios` to
//!   the bundled scenarios, so `scenarios/NAME.json` works as from the repository root.
//!   Options, separated by spaces (`copy=`'s DEST may name a folder, which is made):
//!   `files=DIR` copies every file of the repository folder
//!   DIR into it; `copy=SRC:DEST` copies the repository file SRC to DEST, and
//!   `copy=SRC:DEST:N` only its first N bytes (a truncated file).
//! - A line starting with `$ ` is a command (lines ending with `\` continue it); it is run
//!   by `sh` with the built `batchsim` first on `PATH` and `RAYON_NUM_THREADS=2`, and its
//!   stdout and stderr, in the order written, are compared with the lines that follow it, up
//!   to the next command. Blank lines at the end of an output are not compared.
//! - A line `...` ends the shown output: the lines before it must be the output's first
//!   lines, the rest is not compared. In a line, `…` stands for any text (a figure that
//!   varies from run to run, such as a time).
//!
//! When the tool's output changes on purpose, rewrite the blocks with
//! `BATCHSIM_BLESS=1 cargo test --test readme` and read `git diff README.md` before
//! committing it: lines with `…` and the `...` ends are kept as they are.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The placeholder for text that varies within a line.
const ANY: &str = "…";
/// The line that ends a shown output.
const MORE: &str = "...";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn bless() -> bool {
    std::env::var_os("BATCHSIM_BLESS").is_some_and(|v| v != "0")
}

/// One `$ command` of a block and the lines README shows after it.
struct Step {
    /// The command's lines, without the `$ ` (continuation lines as they are).
    command: Vec<String>,
    /// The shown output lines.
    shown: Vec<String>,
}

/// One checked block: where its lines are in README, its options and its steps.
struct Example {
    /// 0-based index of the first line inside the fence.
    first: usize,
    /// 0-based index of the closing fence.
    end: usize,
    options: String,
    steps: Vec<Step>,
}

/// Splits a block's lines into steps.
fn steps(lines: &[&str]) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let mut continued = false;
    for line in lines {
        if continued {
            let step = steps.last_mut().expect("a continued command");
            step.command.push((*line).to_string());
            continued = line.ends_with('\\');
        } else if let Some(cmd) = line.strip_prefix("$ ") {
            steps.push(Step {
                command: vec![cmd.to_string()],
                shown: Vec::new(),
            });
            continued = cmd.ends_with('\\');
        } else if let Some(step) = steps.last_mut() {
            step.shown.push((*line).to_string());
        } else {
            panic!("README: a line before the first command of an example block: {line:?}");
        }
    }
    steps
}

/// The checked blocks of README, and the problems of unmarked ones.
fn examples(readme: &str) -> (Vec<Example>, Vec<String>) {
    let lines: Vec<&str> = readme.lines().collect();
    let mut found = Vec::new();
    let mut problems = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if !lines[i].starts_with("```") {
            i += 1;
            continue;
        }
        let open = i;
        let end = (open + 1..lines.len())
            .find(|&j| lines[j].starts_with("```"))
            .unwrap_or_else(|| panic!("README line {}: a fence that is never closed", open + 1));
        i = end + 1;
        let body = &lines[open + 1..end];
        if lines[open] != "```text" || !body.iter().any(|l| l.starts_with("$ ")) {
            continue;
        }
        let marker = open.checked_sub(1).map_or("", |p| lines[p].trim());
        let Some(inner) = marker.strip_prefix("<!-- example").and_then(|m| m.strip_suffix("-->")) else {
            problems.push(format!(
                "README line {}: an example block with no `<!-- example -->` marker before it",
                open + 1
            ));
            continue;
        };
        let options = inner.trim().trim_start_matches(':').trim();
        if options.starts_with("not checked:") {
            continue;
        }
        found.push(Example {
            first: open + 1,
            end,
            options: options.to_string(),
            steps: steps(body),
        });
    }
    (found, problems)
}

/// Makes the block's directory as its options say.
fn prepare(options: &str, dir: &Path) {
    #[cfg(unix)]
    std::os::unix::fs::symlink(root().join("scenarios"), dir.join("scenarios")).expect("link scenarios/");
    for option in options.split_whitespace() {
        if let Some(src) = option.strip_prefix("files=") {
            let from = root().join(src);
            for entry in std::fs::read_dir(&from).unwrap_or_else(|e| panic!("{src}: {e}")) {
                let path = entry.expect("dir entry").path();
                std::fs::copy(&path, dir.join(path.file_name().expect("a file name")))
                    .unwrap_or_else(|e| panic!("copy {}: {e}", path.display()));
            }
        } else if let Some(spec) = option.strip_prefix("copy=") {
            let parts: Vec<&str> = spec.split(':').collect();
            let bytes = std::fs::read(root().join(parts[0])).unwrap_or_else(|e| panic!("{spec}: {e}"));
            let keep = match parts.get(2) {
                Some(n) => n.parse::<usize>().expect("copy=SRC:DEST:N with N a number"),
                None => bytes.len(),
            };
            let dest = dir.join(parts.get(1).unwrap_or_else(|| panic!("copy={spec}: no DEST")));
            if let Some(parent) = dest.parent() {
                std::fs::create_dir_all(parent).expect("DEST's folder");
            }
            std::fs::write(dest, &bytes[..keep.min(bytes.len())]).expect("write copy");
        } else {
            panic!("README example: unknown option `{option}` (files=DIR, copy=SRC:DEST[:N])");
        }
    }
}

/// Runs one command in `dir`: its stdout and stderr lines, in the order written.
fn run(command: &[String], dir: &Path) -> Vec<String> {
    let bin = Path::new(env!("CARGO_BIN_EXE_batchsim"));
    let path = std::env::join_paths(
        std::iter::once(bin.parent().expect("the binary's folder").to_path_buf())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .expect("PATH");
    let script = format!("{{ {}\n}} 2>&1", command.join("\n"));
    let out = Command::new("sh")
        .arg("-c")
        .arg(&script)
        .current_dir(dir)
        .env("PATH", path)
        .env("RAYON_NUM_THREADS", "2")
        .output()
        .expect("run sh");
    let text = String::from_utf8(out.stdout).expect("utf-8 output");
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    trim_blank_end(&mut lines);
    lines
}

fn trim_blank_end(lines: &mut Vec<String>) {
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
}

/// Whether `actual` matches the shown line `shown`, where `…` stands for any text.
fn line_matches(shown: &str, actual: &str) -> bool {
    let pieces: Vec<&str> = shown.split(ANY).collect();
    if pieces.len() == 1 {
        return shown == actual;
    }
    let (first, last) = (pieces[0], pieces[pieces.len() - 1]);
    let Some(mut rest) = actual.strip_prefix(first) else {
        return false;
    };
    for piece in &pieces[1..pieces.len() - 1] {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// The shown lines a step's output should have: `actual` where it differs, the shown line
/// where it matches (keeping its `…`), cut at a `...` as the shown output is.
fn regenerated(shown: &[String], actual: &[String]) -> Vec<String> {
    let blank_end = shown.iter().rev().take_while(|l| l.trim().is_empty()).count();
    let shown = &shown[..shown.len() - blank_end];
    let cut = shown.iter().position(|l| l == MORE);
    let keep = cut.map_or(actual.len(), |c| c.min(actual.len()));
    let mut out: Vec<String> = actual[..keep]
        .iter()
        .enumerate()
        .map(|(i, a)| match shown.get(i) {
            Some(s) if line_matches(s, a) => s.clone(),
            _ => a.clone(),
        })
        .collect();
    if cut.is_some() && actual.len() > keep {
        out.push(MORE.to_string());
    }
    out.extend(std::iter::repeat_n(String::new(), blank_end));
    out
}

fn temp_dir(n: usize) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("batchsim-readme-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

#[test]
fn readme_examples_show_what_the_tool_prints() {
    let path = root().join("README.md");
    let readme = std::fs::read_to_string(&path).expect("read README.md");
    let (examples, mut problems) = examples(&readme);
    let mut lines: Vec<String> = readme.lines().map(str::to_string).collect();
    // Rewritten from the last block up, so earlier blocks' line numbers stay right.
    for (n, example) in examples.iter().enumerate().rev() {
        let dir = temp_dir(n);
        prepare(&example.options, &dir);
        let mut block = Vec::new();
        for step in &example.steps {
            let actual = run(&step.command, &dir);
            let want = regenerated(&step.shown, &actual);
            if want != step.shown {
                let at = want
                    .iter()
                    .zip(&step.shown)
                    .position(|(a, b)| a != b)
                    .unwrap_or(want.len().min(step.shown.len()));
                problems.push(format!(
                    "README line {}: `$ {}` prints, at output line {}:\n  {:?}\nwhere README shows:\n  {:?}",
                    example.first + 1,
                    step.command[0],
                    at + 1,
                    want.get(at).map_or("<end>", String::as_str),
                    step.shown.get(at).map_or("<end>", String::as_str),
                ));
            }
            block.extend(step.command.iter().enumerate().map(
                |(i, c)| {
                    if i == 0 {
                        format!("$ {c}")
                    } else {
                        c.clone()
                    }
                },
            ));
            block.extend(want);
        }
        lines.splice(example.first..example.end, block);
        let _ = std::fs::remove_dir_all(&dir);
    }
    if bless() {
        let mut text = lines.join("\n");
        text.push('\n');
        std::fs::write(&path, text).expect("write README.md");
        return;
    }
    assert!(
        problems.is_empty(),
        "{}\n(if the tool's output changed on purpose: BATCHSIM_BLESS=1 cargo test --test readme)",
        problems.join("\n")
    );
    assert!(
        examples.len() >= 6,
        "expected README's 6 checked examples, found {}",
        examples.len()
    );
}

#[test]
fn placeholders_and_elision_match_as_documented() {
    assert!(line_matches("in … s on 2 threads", "in 0.52 s on 2 threads"));
    assert!(!line_matches("in … s on 2 threads", "in 0.52 s on 3 threads"));
    assert!(line_matches("a…b…c", "a-x-b-y-c"));
    assert!(!line_matches("a…b…c", "a-x-c"));
    assert!(!line_matches("exact", "exact but longer"));
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    // A `...` keeps only the output's first lines; a changed one is regenerated.
    assert_eq!(
        regenerated(&s(&["one", "two", "..."]), &s(&["one", "TWO", "three"])),
        s(&["one", "TWO", "..."])
    );
    // Shown blank lines at the end are kept; a placeholder line that still matches is kept.
    assert_eq!(
        regenerated(&s(&["took … s", ""]), &s(&["took 9 s"])),
        s(&["took … s", ""])
    );
    // Output longer than shown, with no `...`, is a difference.
    assert_eq!(regenerated(&s(&["a"]), &s(&["a", "b"])), s(&["a", "b"]));
    let (found, problems) = examples("x\n```text\n$ batchsim\nout\n```\n");
    assert!(found.is_empty());
    assert_eq!(problems.len(), 1, "an unmarked example is refused");
}
