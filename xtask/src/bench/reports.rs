//! `cargo xtask bench reports [--database URL] [--runs 30] [--from YYYY-MM-DD --until
//! YYYY-MM-DD] [--json]`: the console's report pages on a seeded database (made by
//! `cargo xtask seed`; by default `sqlite:target/seed/history.db`), against a plain
//! count of the same range's events run directly on the database.
//!
//! Builds the release collector and `kindling-bench`, adds a console owner to the
//! database with `kindling-collector user add` (kept if it is already there), starts
//! the collector on the database with the demo configuration, then runs
//! `kindling-bench reports` (see `bench/src/reports.rs`), which signs in, times
//! `--runs` GETs of each report page after 2 warm-ups (p50, p95) and the baseline query
//! as many times, and prints the table (and with `--json` one JSON object). Pages that
//! answer 404 are reported as missing. Default range: the last 30 days.

use std::io::Write;
use std::process::{Command, Stdio};

use super::common::*;
use super::ingest::collector_command_on;
use super::server::{Server, WorkDir};
use crate::task::{TaskError, TaskResult, fail};
use crate::tools::{run, workspace_root};

/// The console owner the benchmark signs in as.
const OWNER_EMAIL: &str = "reports-bench@kindling.example";
const OWNER_PASSWORD: &str = "reports-bench-password";

/// What `cargo xtask bench reports` was asked for.
#[derive(clap::Args)]
pub struct ReportsArgs {
    /// Also print one JSON object as the last line.
    #[arg(long)]
    json: bool,
    /// The seeded database: `sqlite:PATH` or `postgres://…`.
    #[arg(long, default_value = "sqlite:target/seed/history.db")]
    database: String,
    /// Measured requests per page (and baseline queries).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    runs: u64,
    /// First day of the range (default: 29 days before `--until`).
    #[arg(long)]
    from: Option<String>,
    /// Last day of the range, included (default: today, UTC).
    #[arg(long)]
    until: Option<String>,
}

pub fn run_reports(args: &ReportsArgs) -> TaskResult<()> {
    let root = workspace_root();
    let (collector, bench) = build_release(&root)?;
    let work = WorkDir::create(&root.join("target/bench"), "reports")?;
    add_owner(&collector, &args.database)?;
    let addr = free_loopback_addr()?;
    let config = root.join(DEMO_CONFIG);
    let mut command = collector_command_on(&collector, addr, &args.database, &config);
    command.current_dir(&root).args(["--login-attempts-ip", "1000"]);
    let server = Server::start("collector", command, addr, &work.path.join("collector.log"))?;
    let mut measure = Command::new(bench);
    measure
        .current_dir(&root)
        .arg("reports")
        .args(["--url", &format!("http://{addr}")])
        .args(["--database", &args.database])
        .args(["--site", DEMO_SITE])
        .args(["--email", OWNER_EMAIL])
        .env("KINDLING_BENCH_PASSWORD", OWNER_PASSWORD)
        .args(["--runs", &args.runs.to_string()]);
    if let Some(from) = &args.from {
        measure.args(["--from", from]);
    }
    if let Some(until) = &args.until {
        measure.args(["--until", until]);
    }
    if args.json {
        measure.arg("--json");
    }
    let measured = run(&mut measure);
    // A seeded history leaves the collector due workflow steps and webhooks to work
    // through, which may keep it from stopping in time; the figures stand regardless.
    if let Err(error) = server.stop() {
        eprintln!("xtask: note: {error}");
    }
    measured?;
    work.remove()
}

/// Adds the benchmark's owner to the database; an owner already there is kept.
fn add_owner(collector: &std::path::Path, database: &str) -> TaskResult<()> {
    let mut child = Command::new(collector)
        .args(["user", "add", "--email", OWNER_EMAIL, "--role", "owner", "--database", database])
        .env_remove("KINDLING_DATABASE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| TaskError(format!("cannot run {}: {error}", collector.display())))?;
    if let Some(mut stdin) = child.stdin.take() {
        writeln!(stdin, "{OWNER_PASSWORD}")?;
    }
    let out = child.wait_with_output()?;
    let said = String::from_utf8_lossy(&out.stderr).to_lowercase();
    if out.status.success() || said.contains("already") || said.contains("exists") {
        Ok(())
    } else {
        fail(format!("adding the benchmark's owner failed: {}", said.trim()))
    }
}
