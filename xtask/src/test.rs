//! `cargo xtask test`: installs what is missing, builds the widget bundle, then runs
//! every test: the native unit and integration tests with the end-to-end tests in
//! headless Chromium (`cargo test --workspace`), then the widget's own tests in
//! Chromium through wasm-bindgen-test-runner and ChromeDriver.

use std::process::Command;

use crate::TaskResult;
use crate::tools::{ensure_browser_tools, ensure_bundle_tools, run as run_command, workspace_root};
use crate::bundle;

pub fn run() -> TaskResult<()> {
    let bundle_tools = ensure_bundle_tools()?;
    let browser = ensure_browser_tools()?;
    bundle::build(&bundle_tools)?;
    let root = workspace_root();

    println!("xtask: native, integration and end-to-end tests");
    run_command(Command::new(env!("CARGO"))
        .current_dir(&root)
        .args(["test", "--workspace", "--exclude", "kindling-widget"])
        .env("KINDLING_WIDGET_DIST", bundle::dist_dir())
        .env("CHROMEDRIVER", &browser.chromedriver))?;

    println!("xtask: widget tests in headless Chromium");
    run_command(Command::new(env!("CARGO"))
        .current_dir(&root)
        .args(["test", "-p", "kindling-widget", "--target", "wasm32-unknown-unknown"])
        .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", &browser.wasm_bindgen_test_runner)
        .env("CHROMEDRIVER", &browser.chromedriver)
        .env("WASM_BINDGEN_TEST_TIMEOUT", "60"))?;
    Ok(())
}


