//! `cargo xtask test`: checks that no module files import each other in a cycle
//! ([`cycles`]), installs what is missing (and starts PostgreSQL for the tests
//! that run on both backends), builds the widget bundle, then runs
//! every test: the native unit and integration tests with the end-to-end tests in
//! headless Chromium (`cargo test --workspace`), then the widget's own tests in
//! Chromium through wasm-bindgen-test-runner and ChromeDriver.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::task::{TaskResult, fail};
use crate::tools::{ensure_browser_tools, ensure_bundle_tools, workspace_root};
use crate::{bundle, cycles};

pub fn run() -> TaskResult<()> {
    cycles::run()?;
    let bundle_tools = ensure_bundle_tools()?;
    let browser = ensure_browser_tools()?;
    ensure_postgres()?;
    bundle::build(&bundle_tools)?;
    let root = workspace_root();

    let mut tally = Tally::default();
    println!("xtask: native, integration and end-to-end tests");
    tally.run(
        Command::new(env!("CARGO"))
            .current_dir(&root)
            .args(["test", "--workspace", "--exclude", "kindling-widget"])
            .env("KINDLING_WIDGET_DIST", bundle::dist_dir())
            .env("CHROMEDRIVER", &browser.chromedriver)
            .env("KINDLING_AXE_CORE", &browser.axe_core),
    )?;

    println!("xtask: widget tests in headless Chromium");
    tally.run(
        Command::new(env!("CARGO"))
            .current_dir(&root)
            .args(["test", "-p", "kindling-widget", "--target", "wasm32-unknown-unknown"])
            .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", &browser.wasm_bindgen_test_runner)
            .env("CHROMEDRIVER", &browser.chromedriver)
            .env("WASM_BINDGEN_TEST_TIMEOUT", "60"),
    )?;
    println!("tests: {} passed, {} failed", tally.passed, tally.failed);
    Ok(())
}

/// The PostgreSQL tests need a server on 127.0.0.1:5432 that trusts local connections
/// (`KINDLING_TEST_POSTGRES` names another). Starts the machine's clusters if they
/// are installed but down.
pub fn ensure_postgres() -> TaskResult<()> {
    if std::env::var_os("KINDLING_TEST_POSTGRES").is_some() || postgres_ready() {
        return Ok(());
    }
    let clusters: Vec<String> = std::fs::read_dir("/etc/postgresql")
        .map(|entries| entries.filter_map(|e| e.ok()?.file_name().into_string().ok()).collect())
        .unwrap_or_default();
    if clusters.is_empty() {
        return fail(
            "PostgreSQL is not running on 127.0.0.1:5432 and not installed: start one that \
             trusts local connections, or set KINDLING_TEST_POSTGRES to a server URL",
        );
    }
    for version in &clusters {
        println!("xtask: starting PostgreSQL {version}");
        let _ = Command::new("pg_ctlcluster")
            .args(["--skip-systemctl-redirect", version, "main", "start"])
            .status();
    }
    for _ in 0..60 {
        if postgres_ready() {
            return Ok(());
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    fail("PostgreSQL did not become ready on 127.0.0.1:5432")
}

fn postgres_ready() -> bool {
    Command::new("pg_isready")
        .args(["-q", "-h", "127.0.0.1", "-p", "5432"])
        .status()
        .is_ok_and(|status| status.success())
}

/// Counts of every test binary's `test result:` line, for one closing summary.
#[derive(Default)]
struct Tally {
    passed: u64,
    failed: u64,
}

impl Tally {
    /// Runs `command`, echoing its output and adding up its test results.
    fn run(&mut self, command: &mut Command) -> TaskResult<()> {
        let shown = format!("{command:?}");
        let mut child = command.stdout(Stdio::piped()).spawn()?;
        if let Some(stdout) = child.stdout.take() {
            for line in BufReader::new(stdout).lines() {
                let line = line?;
                println!("{line}");
                self.add(&line);
            }
        }
        let status = child.wait()?;
        if status.success() { Ok(()) } else { fail(format!("{shown} failed ({status})")) }
    }

    /// Reads `test result: ok. 6 passed; 0 failed; ...`.
    fn add(&mut self, line: &str) {
        let Some(rest) = line.strip_prefix("test result: ") else { return };
        for part in rest.split([';', '.']) {
            let mut words = part.split_whitespace();
            if let (Some(count), Some(kind)) = (words.next(), words.next()) {
                match (count.parse::<u64>(), kind) {
                    (Ok(n), "passed") => self.passed += n,
                    (Ok(n), "failed") => self.failed += n,
                    _ => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Tally;

    #[test]
    fn adds_up_libtest_and_wasm_bindgen_test_summaries() {
        let mut tally = Tally::default();
        tally.add("test result: ok. 12 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s");
        tally.add(
            "test result: FAILED. 5 passed; 2 failed; 0 ignored; 0 filtered out; finished in 0.07s",
        );
        tally.add("running 3 tests");
        assert_eq!((tally.passed, tally.failed), (17, 2));
    }
}
