//! `cargo xtask bench ingest`: the HTTP baseline, the storage ceiling, and the collector
//! at single-event, batched and half load (see the module docs of `bench`).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::common::*;
use super::server::*;
use super::wrk::*;
use crate::task::{TaskResult, fail};
use crate::tools::workspace_root;

pub(super) fn run(json: bool, seconds: u64) -> TaskResult<()> {
    let root = workspace_root();
    let wrk = wrk(&root, "ingest.lua", Vec::new())?;
    let (collector, bench) = build_release(&root)?;
    let work = WorkDir::create(&target_dir(&root).join("bench"), "ingest")?;
    let config = work.path.join("bench.yaml");
    std::fs::write(&config, SITE_CONFIG)?;
    let ctx = Context { wrk, work: &work.path, seconds, collector, config };

    println!(
        "xtask: ingest benchmark: {seconds} s per measurement after {WARMUP_SECONDS} s of warm-up; \
         wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} --timeout {WRK_TIMEOUT} -s xtask/bench/ingest.lua"
    );

    println!("xtask: [1/5] HTTP baseline: bare axum handler, 1 event/request");
    let baseline = {
        let addr = free_loopback_addr()?;
        let mut command = Command::new(&bench);
        command.arg("baseline").arg("--listen").arg(addr.to_string());
        let server = Server::start("baseline", command, addr, &work.path.join("baseline.log"))?;
        let url = format!("http://{addr}/v1/events");
        ctx.wrk.run(&url, Load::single(), WARMUP_SECONDS, &work.path, "baseline-warmup")?;
        let measured = server
            .measuring_cpu(|| ctx.wrk.run(&url, Load::single(), seconds, &work.path, "baseline"))?;
        server.stop()?;
        measured
    };

    println!(
        "xtask: [2/5] storage ceiling: SqliteStore::commit, {STORAGE_ROWS_PER_COMMIT} rows/transaction \
         ({BATCH_EVENTS}-event batches), no HTTP"
    );
    let storage = storage_ceiling(&bench, &work.path, &ctx.config, seconds)?;

    println!("xtask: [3/5] collector, 1 event/request, as fast as possible");
    let single = ctx.collector_run("single", Load::single())?;
    println!("xtask: [4/5] collector, {BATCH_EVENTS} events/request, as fast as possible");
    let batch =
        ctx.collector_run("batch", Load { events: BATCH_EVENTS, rate: 0.0, check: false })?;
    let half_target = single.ok_rps() / 2.0;
    println!(
        "xtask: [5/5] collector, 1 event/request paced at {half_target:.0} requests/s (half the peak)"
    );
    let half =
        ctx.collector_run("half-load", Load { events: 1, rate: half_target, check: false })?;
    drop(ctx);
    work.remove()?;

    let results = Results { baseline, storage, single, batch, half, half_target };
    results.check()?;
    results.print_table();
    if json {
        println!("{}", results.json(seconds));
    }
    Ok(())
}

/// What the collector runs share.
pub(super) struct Context<'a> {
    pub(super) wrk: Wrk,
    pub(super) work: &'a Path,
    pub(super) seconds: u64,
    pub(super) collector: PathBuf,
    pub(super) config: PathBuf,
}

impl Context<'_> {
    /// Starts a collector on a fresh database, warms it up checking every answer, then
    /// measures `load` unchecked, and stops it.
    pub(super) fn collector_run(&self, name: &str, load: Load) -> TaskResult<WrkResult> {
        let addr = free_loopback_addr()?;
        let command = collector_command(&self.collector, addr, self.work, name, &self.config);
        let server =
            Server::start("collector", command, addr, &self.work.join(format!("{name}.log")))?;
        let url = format!("http://{addr}/v1/events");
        let warmup = self.wrk.run(
            &url,
            Load { check: true, ..load },
            WARMUP_SECONDS,
            self.work,
            &format!("{name}-warmup"),
        )?;
        if warmup.checked == 0.0 || warmup.bad > 0.0 {
            let sample = warmup.sample.as_deref().unwrap_or("(no answer)");
            return fail(format!(
                "the collector did not accept every event during the warm-up ({} of {} answers wrong; \
                 first: {sample}); the numbers would be meaningless",
                warmup.bad, warmup.checked
            ));
        }
        let measured =
            server.measuring_cpu(|| self.wrk.run(&url, load, self.seconds, self.work, name))?;
        server.stop()?;
        Ok(measured)
    }
}

/// The release collector on `addr` with a fresh SQLite file `work/NAME.db`, the
/// configuration `config` and no rate limits; nothing else may leak in from the
/// environment.
pub(super) fn collector_command(
    collector: &Path,
    addr: SocketAddr,
    work: &Path,
    name: &str,
    config: &Path,
) -> Command {
    let database = work.join(format!("{name}.db"));
    collector_command_on(collector, addr, &format!("sqlite://{}", database.display()), config)
}

/// The release collector on `addr` serving `database` (a URL) with the configuration
/// `config` and no rate limits; nothing else may leak in from the environment.
pub(super) fn collector_command_on(
    collector: &Path,
    addr: SocketAddr,
    database: &str,
    config: &Path,
) -> Command {
    let mut command = Command::new(collector);
    command
        .arg("--listen")
        .arg(addr.to_string())
        .arg("--database")
        .arg(database)
        .arg("--config")
        .arg(config)
        .args(["--rate-limit-ip", "0", "--rate-limit-site", "0"]);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("KINDLING_") || key == "RUST_LOG" {
            command.env_remove(key);
        }
    }
    command
}

/// Runs `kindling-bench storage` and reads its rows/s.
pub(super) fn storage_ceiling(
    bench: &Path,
    work: &Path,
    config: &Path,
    seconds: u64,
) -> TaskResult<f64> {
    let mut command = Command::new(bench);
    command
        .arg("storage")
        .args(["--seconds", &seconds.to_string(), "--warmup", &WARMUP_SECONDS.to_string()])
        .args(["--per-commit", &STORAGE_ROWS_PER_COMMIT.to_string()])
        .args(["--events-per-request", &BATCH_EVENTS.to_string()])
        .arg("--dir")
        .arg(work)
        .arg("--config")
        .arg(config);
    let limit = Duration::from_secs(seconds + WARMUP_SECONDS + 60);
    let out = run_bounded(command, limit, work, "storage")?;
    if !out.status.success() {
        return fail(format!(
            "kindling-bench storage failed ({}): {}{}",
            out.status, out.stderr, out.stdout
        ));
    }
    let line =
        out.stdout.lines().rev().find(|line| line.starts_with("storage ")).unwrap_or_default();
    match field_number(line, "rows_per_s") {
        Some(rows_per_s) if rows_per_s > 0.0 => Ok(rows_per_s),
        _ => fail(format!("cannot read rows_per_s from kindling-bench storage: {:?}", out.stdout)),
    }
}

pub(super) struct Results {
    pub(super) baseline: WrkResult,
    pub(super) storage: f64,
    pub(super) single: WrkResult,
    pub(super) batch: WrkResult,
    pub(super) half: WrkResult,
    pub(super) half_target: f64,
}

impl Results {
    pub(super) fn check(&self) -> TaskResult<()> {
        check_runs(&[
            ("baseline", &self.baseline),
            ("single", &self.single),
            ("batch", &self.batch),
            ("half-load", &self.half),
        ])
    }

    pub(super) fn single_ratio(&self) -> f64 {
        self.single.ok_rps() / self.baseline.ok_rps()
    }

    pub(super) fn batch_events_per_s(&self) -> f64 {
        self.batch.ok_rps() * f64::from(BATCH_EVENTS)
    }

    pub(super) fn batch_ratio(&self) -> f64 {
        self.batch_events_per_s() / self.storage
    }

    pub(super) fn print_table(&self) {
        println!();
        println!(
            "{:<40} {:>11} {:>11} {:>8} {:>8} {:>7}",
            "measurement", "requests/s", "events/s", "p50 ms", "p99 ms", "errors"
        );
        let row = |name: &str, run: &WrkResult, events: u32| {
            println!(
                "{name:<40} {:>11.1} {:>11.1} {:>8.3} {:>8.3} {:>7}",
                run.ok_rps(),
                run.ok_rps() * f64::from(events),
                run.p50_us / 1000.0,
                run.p99_us / 1000.0,
                run.errors()
            );
        };
        row("1 HTTP baseline (bare axum), 1 event", &self.baseline, 1);
        println!(
            "{:<40} {:>11} {:>11.1} {:>8} {:>8} {:>7}",
            format!("2 storage ceiling ({STORAGE_ROWS_PER_COMMIT} rows/tx)"),
            "-",
            self.storage,
            "-",
            "-",
            "-"
        );
        row("3 collector, 1 event/request", &self.single, 1);
        row(&format!("4 collector, {BATCH_EVENTS} events/request"), &self.batch, BATCH_EVENTS);
        row(&format!("5 collector, 1 event @ {:.0}/s (half)", self.half_target), &self.half, 1);
        println!();
        println!("single_rps / baseline_rps               = {:.4}", self.single_ratio());
        println!("batch_events_per_s / storage_rows_per_s = {:.4}", self.batch_ratio());
        println!(
            "p50 / p99 at half load                  = {:.3} / {:.3} ms",
            self.half.p50_us / 1000.0,
            self.half.p99_us / 1000.0
        );
        println!(
            "server CPU per request, 1 event         = {:.1} µs baseline, {:.1} µs collector",
            self.baseline.server_cpu_us_per_request(),
            self.single.server_cpu_us_per_request()
        );
    }

    pub(super) fn json(&self, seconds: u64) -> String {
        let pairs: [(&str, String); 20] = [
            ("baseline_rps", number(self.baseline.ok_rps(), 1)),
            ("single_rps", number(self.single.ok_rps(), 1)),
            ("single_ratio", number(self.single_ratio(), 4)),
            ("storage_rows_per_s", number(self.storage, 1)),
            ("batch_events_per_s", number(self.batch_events_per_s(), 1)),
            ("batch_ratio", number(self.batch_ratio(), 4)),
            ("p99_ms_half_load", number(self.half.p99_us / 1000.0, 3)),
            ("p50_ms_half_load", number(self.half.p50_us / 1000.0, 3)),
            ("half_load_rps", number(self.half.ok_rps(), 1)),
            ("half_load_target_rps", number(self.half_target, 1)),
            ("batch_rps", number(self.batch.ok_rps(), 1)),
            ("single_p50_ms", number(self.single.p50_us / 1000.0, 3)),
            ("single_p99_ms", number(self.single.p99_us / 1000.0, 3)),
            ("baseline_cpu_us_per_request", number(self.baseline.server_cpu_us_per_request(), 1)),
            ("single_cpu_us_per_request", number(self.single.server_cpu_us_per_request(), 1)),
            ("batch_events_per_request", BATCH_EVENTS.to_string()),
            (
                "errors",
                number(
                    self.baseline.errors()
                        + self.single.errors()
                        + self.batch.errors()
                        + self.half.errors(),
                    0,
                ),
            ),
            ("seconds", seconds.to_string()),
            ("wrk_threads", WRK_THREADS.to_string()),
            ("wrk_connections", WRK_CONNECTIONS.to_string()),
        ];
        let body: Vec<String> =
            pairs.iter().map(|(key, value)| format!("\"{key}\":{value}")).collect();
        format!("{{{}}}", body.join(","))
    }
}
