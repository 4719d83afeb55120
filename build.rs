//! Finds a headless browser for `tests/html.rs`: with Chromium found (`$CHROMIUM`, or
//! `chromium`, `chromium-browser`, `google-chrome` on `PATH`) the package is built with
//! `--cfg batchsim_chromium`, and the browser test runs in a plain `cargo test`; without it
//! the test is `#[ignore]`d with its reason, which `cargo test` prints beside it. Nothing
//! else depends on it.

use std::path::PathBuf;

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |d| d.join(name)))
        .find(|p| p.is_file())
}

fn main() {
    println!("cargo::rustc-check-cfg=cfg(batchsim_chromium)");
    println!("cargo::rerun-if-env-changed=CHROMIUM");
    println!("cargo::rerun-if-env-changed=PATH");
    println!("cargo::rerun-if-changed=build.rs");
    if let Some(browser) = chromium() {
        println!("cargo::rerun-if-changed={}", browser.display());
        println!("cargo::rustc-cfg=batchsim_chromium");
    }
}
