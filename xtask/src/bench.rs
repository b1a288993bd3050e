//! `cargo xtask bench ingest [--json] [--seconds N]`: ingest throughput and latency,
//! read as ratios against baselines measured in the same run on the same machine.
//! A benchmark, not a test: neither `cargo xtask test` nor CI runs it.
//!
//! Five measurements, each after a 2 s warm-up, `--seconds` long (default 10); every
//! database is a fresh SQLite file on disk, in a folder under `target/bench/` removed
//! at the end:
//!
//! 1. **HTTP baseline**: `kindling-bench baseline`, a bare axum handler that only reads
//!    the body (same axum, hyper and tokio as the collector), loaded like the collector
//!    with single-event bodies → requests/s;
//! 2. **storage ceiling**: `kindling-bench storage`, the collector's own SQLite store
//!    committing the same rows on its group commit lane (`Store::commit_blocking`, as
//!    the event writer does; 50-event request batches, 1,000 rows a transaction), no
//!    HTTP → rows/s;
//! 3. **the collector** (release build; `--rate-limit-ip 0 --rate-limit-site 0`; one
//!    site allowing origin `*`), single-event requests → requests/s (= events/s);
//! 4. the same with 50-event requests → events/s;
//! 5. single-event requests paced at half the peak of (3) → p50/p99 latency.
//!
//! The load generator is `wrk` (installed from Debian when missing and running as root)
//! with `xtask/bench/ingest.lua`, which gives every request a new visitor, session and
//! event ids (UUIDv7), since the collector stores a resent id once. Its parameters:
//! `wrk -t1 -c32 -d<N>s --timeout 5s -s xtask/bench/ingest.lua URL`. One wrk thread
//! leaves the other of the two cores to the server under test (wrk's Lua body building
//! costs CPU too); 32 connections keep enough requests in flight for the collector's
//! group commit to share an fsync among many requests, while staying a realistic
//! number of concurrent clients. The warm-ups of the collector runs check every answer
//! (200, all events accepted, no duplicates); measured runs do not, so checking costs
//! them nothing. The half-load run paces requests with wrk's `delay()` hook against a
//! monotonic clock: an open-loop approximation (a connection sends only once its
//! previous answer is in, and latency counts from the actual send).
//!
//! Printed: a table of requests/s, events/s, p50/p99 latency and errors per
//! measurement, the ratios single_rps/baseline_rps and
//! batch_events_per_s/storage_rows_per_s, and the CPU time the server used per request
//! in the baseline and single-event runs (all its threads, from `/proc`): steadier from
//! run to run than requests/s on a shared machine, so a change of the code shows there
//! first; with `--json`, the last line is one JSON
//! object: `{"baseline_rps":..,"single_rps":..,"single_ratio":..,
//! "storage_rows_per_s":..,"batch_events_per_s":..,"batch_ratio":..,
//! "p99_ms_half_load":..,` then more keys`}`.
//!
//! `cargo xtask bench handoff [--json] [--leads N]`: speed to lead against a bare
//! signed webhook; see [`handoff`] (`xtask/src/bench/handoff.rs`).
//!
//! `cargo xtask bench decide [--json] [--seconds N]`: `POST /v1/boot` with 20 blocks
//! and a pool of returning visitors against the same HTTP baseline; see
//! [`decide`] (`xtask/src/bench/decide.rs`).
//!
//! `cargo xtask bench scoring [--json] [--seconds N]`: the cost of keeping profiles
//! (profile update, scoring, segment evaluation) per event, next to the cost of
//! ingesting an event, both measured in the same run on this machine. Two measurements,
//! `--seconds` long each (default 5):
//!
//! 1. **pure scoring**: `kindling-bench scoring` (see `bench/src/scoring.rs`), in one
//!    process on one thread, no HTTP, no SQL: on a generated stream of demo-site traffic
//!    (many visitors of 5–50 events over several sessions: pageviews of the demo's
//!    pages, scrolls, named CTA clicks, engagement, `ebook` and `demo-request` forms
//!    with `identify` traits), in request-sized batches of 1–5 events, exactly what the
//!    collector does per batch: decode the person's JSON document, `Person::apply` with
//!    the profile model of `demo-site/demo.yaml` (aggregates, behaviour points with
//!    caps, fit re-scoring, temperature, stage policy, segments), encode the person.
//!    After one checking pass and 1 s of warm-up. → **`scoring_us_per_event`** = the
//!    time of those three steps / events; also split into the engine and the JSON;
//! 2. **ingest**: the collector run of `bench ingest`'s measurement 3 (same code path:
//!    release build, fresh SQLite file, site `pk_bench`, wrk with single-event requests
//!    as fast as possible, 2 s checked warm-up) → **`ingest_us_per_event`** =
//!    1e6 / (events/s): the wall time per event of the collector under load. It shares
//!    the machine's cores with wrk and includes the collector's own profile work (with
//!    the `pk_bench` site's model, which has no rules, for a new visitor per request).
//!
//! **`ratio`** = scoring_us_per_event / ingest_us_per_event. Target (documented, not
//! asserted): under 0.10. Printed: both numbers, the split of the pure scoring into
//! engine and JSON (decode, encode), the ratio and these definitions; with `--json`,
//! the last line is one JSON object:
//! `{"scoring_us_per_event":..,"ingest_us_per_event":..,"ratio":..,` then more keys`}`.

use std::fs::File;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use clap::Subcommand;

mod decide;
mod handoff;
mod render;

use crate::tools::{ensure_wrk, run as run_command, workspace_root};
use crate::{TaskError, TaskResult, fail};

/// wrk's threads (`-t`): one, leaving the second core to the server.
const WRK_THREADS: u32 = 1;
/// wrk's connections (`-c`).
const WRK_CONNECTIONS: u32 = 32;
/// wrk's `--timeout`: an answer slower than this counts as an error.
const WRK_TIMEOUT: &str = "5s";
/// Unmeasured load before every measurement.
const WARMUP_SECONDS: u64 = 2;
/// Clock ticks per second of `/proc/PID/stat`'s CPU times (fixed for user space).
const USER_HZ: f64 = 100.0;
/// Unmeasured seconds of the pure scoring measurement (after its checking pass).
const SCORING_WARMUP_SECONDS: u64 = 1;
/// The share of the per-event ingest time the pure scoring should stay under.
const SCORING_TARGET_RATIO: f64 = 0.10;
/// The demo configuration (relative to the workspace) and its site, whose profile model
/// the pure scoring uses.
const DEMO_CONFIG: &str = "demo-site/demo.yaml";
const DEMO_SITE: &str = "pk_demo_brightline";
/// Events per request of the batch measurement (and of the storage ceiling's batches).
const BATCH_EVENTS: u32 = 50;
/// Rows per transaction of the storage ceiling.
const STORAGE_ROWS_PER_COMMIT: u32 = 1000;
/// The benchmark's site, as in `bench/src/body.rs` and `xtask/bench/ingest.lua`; the
/// storage ceiling reads the same file.
const SITE_CONFIG: &str =
    "sites:\n  - key: pk_bench\n    name: Ingest benchmark\n    origins: [\"*\"]\n";
/// How long a server may take to answer `/healthz` after starting.
const START_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a server may take to stop after SIGTERM before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// The benchmarks.
#[derive(Subcommand)]
pub enum Bench {
    /// Ingest throughput and latency against an HTTP baseline and a storage ceiling.
    Ingest {
        /// Also print one JSON object as the last line.
        #[arg(long)]
        json: bool,
        /// Seconds per measurement (after a 2 s warm-up each).
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
        seconds: u64,
    },
    /// `POST /v1/boot` throughput and latency against an HTTP baseline, with 20 blocks
    /// and a pool of returning visitors.
    Decide {
        /// Also print one JSON object as the last line.
        #[arg(long)]
        json: bool,
        /// Seconds per measurement (after a 2 s warm-up each).
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=600))]
        seconds: u64,
    },
    /// Time to the Kindling hero on the demo home page in headless Chromium, against
    /// the page's first contentful paint, and Kindling's layout shift.
    Render {
        /// Also print one JSON object as the last line.
        #[arg(long)]
        json: bool,
        /// New visitors measured (one more, cold, is reported apart).
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=500))]
        runs: u64,
    },
    /// Speed to lead (event to CRM hand-off received), idle and under load, against a
    /// bare signed webhook round trip.
    Handoff {
        /// Also print one JSON object as the last line.
        #[arg(long)]
        json: bool,
        /// Leads per measurement.
        #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(1..=10_000))]
        leads: u64,
    },
    /// Profile update + scoring + segments per event (pure, in-process) against the
    /// collector's ingest time per event.
    Scoring {
        /// Also print one JSON object as the last line.
        #[arg(long)]
        json: bool,
        /// Seconds per measurement (after a warm-up each).
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=600))]
        seconds: u64,
    },
}

pub fn run(bench: Bench) -> TaskResult<()> {
    match bench {
        Bench::Ingest { json, seconds } => ingest(json, seconds),
        Bench::Decide { json, seconds } => decide::run(json, seconds),
        Bench::Render { json, runs } => render::run(json, runs),
        Bench::Scoring { json, seconds } => scoring(json, seconds),
        Bench::Handoff { json, leads } => handoff::run(json, leads),
    }
}

/// wrk with a script of `xtask/bench/` and its fixed parameters (installing wrk when
/// missing).
fn wrk(root: &Path, script: &str, env: Vec<(&'static str, String)>) -> TaskResult<Wrk> {
    let wrk = Wrk { binary: ensure_wrk()?, script: root.join("xtask/bench").join(script), env };
    if !wrk.script.is_file() {
        return fail(format!("the wrk script {} is missing", wrk.script.display()));
    }
    Ok(wrk)
}

/// Builds the release `kindling-bench`.
fn build_bench(root: &Path) -> TaskResult<()> {
    run_command(Command::new(env!("CARGO")).current_dir(root).args([
        "build",
        "--release",
        "-p",
        "kindling-bench",
    ]))
}

/// Builds the release collector and `kindling-bench`; returns their paths.
fn build_release(root: &Path) -> TaskResult<(PathBuf, PathBuf)> {
    run_command(Command::new(env!("CARGO")).current_dir(root).args([
        "build",
        "--release",
        "-p",
        "kindling-collector",
        "-p",
        "kindling-bench",
    ]))?;
    let release = target_dir(root).join("release");
    Ok((release.join("kindling-collector"), release.join("kindling-bench")))
}

fn ingest(json: bool, seconds: u64) -> TaskResult<()> {
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

fn scoring(json: bool, seconds: u64) -> TaskResult<()> {
    let root = workspace_root();
    let wrk = wrk(&root, "ingest.lua", Vec::new())?;
    let demo = root.join(DEMO_CONFIG);
    if !demo.is_file() {
        return fail(format!("the demo configuration {} is missing", demo.display()));
    }
    let (collector, bench) = build_release(&root)?;
    let work = WorkDir::create(&target_dir(&root).join("bench"), "scoring")?;
    let config = work.path.join("bench.yaml");
    std::fs::write(&config, SITE_CONFIG)?;

    println!(
        "xtask: scoring benchmark: {seconds} s per measurement; the pure scoring next to the \
         collector's ingest time per event"
    );
    println!(
        "xtask: [1/2] pure scoring: kindling-bench scoring, {DEMO_CONFIG} site {DEMO_SITE}: \
         person JSON decode + Person::apply + JSON encode per batch, one thread, no I/O \
         (after one checking pass and {SCORING_WARMUP_SECONDS} s of warm-up)"
    );
    let pure = pure_scoring(&bench, &work.path, &demo, seconds)?;
    for line in &pure.notes {
        println!("xtask:   {line}");
    }

    println!(
        "xtask: [2/2] ingest: the collector, 1 event/request, as fast as possible (measurement 3 \
         of `bench ingest`: wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS}, {WARMUP_SECONDS} s checked warm-up)"
    );
    let ctx = Context { wrk, work: &work.path, seconds, collector, config };
    let single = ctx.collector_run("single", Load::single())?;
    drop(ctx);
    work.remove()?;
    if !(single.ok_rps() > 0.0 && single.ok_rps().is_finite()) {
        return fail("the collector answered no request successfully");
    }
    if single.errors() > 0.0 {
        println!(
            "xtask: warning: the collector run had {} error statuses and {} socket errors/timeouts",
            single.status_errors, single.socket_errors
        );
    }

    let results = ScoringResults { pure, single };
    results.print();
    if json {
        println!("{}", results.json(seconds));
    }
    Ok(())
}

/// What `kindling-bench scoring` measured (µs per event).
struct PureScoring {
    events: f64,
    batches: f64,
    us_per_event: f64,
    engine_us: f64,
    decode_us: f64,
    encode_us: f64,
    /// Its description of the stream and of the persons it made.
    notes: Vec<String>,
}

impl PureScoring {
    fn json_us(&self) -> f64 {
        self.decode_us + self.encode_us
    }

    fn json_share(&self) -> f64 {
        self.json_us() / self.us_per_event
    }
}

/// Runs `kindling-bench scoring` and reads its last line.
fn pure_scoring(bench: &Path, work: &Path, demo: &Path, seconds: u64) -> TaskResult<PureScoring> {
    let mut command = Command::new(bench);
    command
        .arg("scoring")
        .args(["--seconds", &seconds.to_string()])
        .args(["--warmup", &SCORING_WARMUP_SECONDS.to_string()])
        .arg("--config")
        .arg(demo)
        .args(["--site", DEMO_SITE]);
    let limit = Duration::from_secs(seconds + SCORING_WARMUP_SECONDS + 60);
    let out = run_bounded(command, limit, work, "scoring")?;
    if !out.status.success() {
        return fail(format!(
            "kindling-bench scoring failed ({}): {}{}",
            out.status, out.stderr, out.stdout
        ));
    }
    let line =
        out.stdout.lines().rev().find(|line| line.starts_with("scoring ")).unwrap_or_default();
    let get = |name: &str| field_number(line, name);
    let parsed = (|| {
        Some(PureScoring {
            events: get("events")?,
            batches: get("batches")?,
            us_per_event: get("us_per_event")?,
            engine_us: get("engine_us_per_event")?,
            decode_us: get("decode_us_per_event")?,
            encode_us: get("encode_us_per_event")?,
            notes: out
                .stdout
                .lines()
                .filter(|line| !line.starts_with("scoring "))
                .map(str::to_owned)
                .collect(),
        })
    })();
    match parsed {
        Some(pure) if pure.events > 0.0 && pure.us_per_event > 0.0 => Ok(pure),
        _ => fail(format!("cannot read kindling-bench scoring's result: {:?}", out.stdout)),
    }
}

struct ScoringResults {
    pure: PureScoring,
    single: WrkResult,
}

impl ScoringResults {
    fn ingest_us(&self) -> f64 {
        1e6 / self.single.ok_rps()
    }

    fn ratio(&self) -> f64 {
        self.pure.us_per_event / self.ingest_us()
    }

    fn print(&self) {
        let pure = &self.pure;
        let share = |us: f64| 100.0 * us / pure.us_per_event;
        println!();
        println!("{:<58} {:>10} {:>7}", "measurement", "µs/event", "share");
        println!(
            "{:<58} {:>10.3} {:>6.1}%",
            "scoring_us_per_event (pure, in-process, one thread)", pure.us_per_event, 100.0
        );
        println!(
            "{:<58} {:>10.3} {:>6.1}%",
            "  engine: Person::apply",
            pure.engine_us,
            share(pure.engine_us)
        );
        println!(
            "{:<58} {:>10.3} {:>6.1}%",
            "  JSON: person decode + encode, once per batch",
            pure.json_us(),
            share(pure.json_us())
        );
        println!(
            "{:<58} {:>10.3} {:>6.1}%",
            "    decode (serde_json::from_str::<Person>)",
            pure.decode_us,
            share(pure.decode_us)
        );
        println!(
            "{:<58} {:>10.3} {:>6.1}%",
            "    encode (serde_json::to_string)",
            pure.encode_us,
            share(pure.encode_us)
        );
        println!(
            "{:<58} {:>10.3}",
            format!("ingest_us_per_event (collector, 1e6 / {:.1} events/s)", self.single.ok_rps()),
            self.ingest_us()
        );
        println!();
        let verdict = if self.ratio() < SCORING_TARGET_RATIO { "met" } else { "NOT met" };
        println!(
            "ratio = scoring_us_per_event / ingest_us_per_event = {:.4} (target: under {SCORING_TARGET_RATIO:.2}, {verdict})",
            self.ratio()
        );
        println!(
            "pure scoring: {:.0} events in {:.0} batches ({:.2} events/batch); JSON is {:.1} % of it, \
             the engine {:.1} %; collector p50/p99 {:.3}/{:.3} ms",
            pure.events,
            pure.batches,
            pure.events / pure.batches,
            100.0 * pure.json_share(),
            share(pure.engine_us),
            self.single.p50_us / 1000.0,
            self.single.p99_us / 1000.0
        );
        println!();
        println!("definitions:");
        println!(
            "  scoring_us_per_event: in-process (kindling-bench scoring), one thread, no HTTP/SQL/fsync: per \
             batch of 1-5 events of one visitor"
        );
        println!(
            "    (a generated, seeded stream of demo-site traffic), decode the person's JSON document (none \
             on its first batch),"
        );
        println!(
            "    Person::apply with {DEMO_CONFIG}'s model (aggregates, behaviour points with caps, fit, \
             temperature, stage, segments),"
        );
        println!("    encode the person to JSON; total time of the three / events.");
        println!(
            "  ingest_us_per_event: 1e6 / events/s of the release collector (SQLite, synchronous=FULL, site \
             pk_bench without rules)"
        );
        println!(
            "    under wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS}, 1 event/request, a new visitor per request: wall \
             time per event under load, sharing the cores with wrk."
        );
        println!("  ratio: scoring_us_per_event / ingest_us_per_event.");
    }

    fn json(&self, seconds: u64) -> String {
        let pure = &self.pure;
        let pairs: [(&str, String); 17] = [
            ("scoring_us_per_event", number(pure.us_per_event, 4)),
            ("ingest_us_per_event", number(self.ingest_us(), 3)),
            ("ratio", number(self.ratio(), 5)),
            ("engine_us_per_event", number(pure.engine_us, 4)),
            ("json_us_per_event", number(pure.json_us(), 4)),
            ("json_share", number(pure.json_share(), 4)),
            ("decode_us_per_event", number(pure.decode_us, 4)),
            ("encode_us_per_event", number(pure.encode_us, 4)),
            ("scoring_events", number(pure.events, 0)),
            ("scoring_batches", number(pure.batches, 0)),
            ("single_rps", number(self.single.ok_rps(), 1)),
            ("single_p50_ms", number(self.single.p50_us / 1000.0, 3)),
            ("single_p99_ms", number(self.single.p99_us / 1000.0, 3)),
            ("errors", number(self.single.errors(), 0)),
            ("target_ratio", number(SCORING_TARGET_RATIO, 2)),
            ("seconds", seconds.to_string()),
            ("wrk_connections", WRK_CONNECTIONS.to_string()),
        ];
        let body: Vec<String> =
            pairs.iter().map(|(key, value)| format!("\"{key}\":{value}")).collect();
        format!("{{{}}}", body.join(","))
    }
}

fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from) {
        Some(dir) if dir.is_absolute() => dir,
        Some(dir) => root.join(dir),
        None => root.join("target"),
    }
}

/// What the collector runs share.
struct Context<'a> {
    wrk: Wrk,
    work: &'a Path,
    seconds: u64,
    collector: PathBuf,
    config: PathBuf,
}

impl Context<'_> {
    /// Starts a collector on a fresh database, warms it up checking every answer, then
    /// measures `load` unchecked, and stops it.
    fn collector_run(&self, name: &str, load: Load) -> TaskResult<WrkResult> {
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
fn collector_command(
    collector: &Path,
    addr: SocketAddr,
    work: &Path,
    name: &str,
    config: &Path,
) -> Command {
    let database = work.join(format!("{name}.db"));
    let mut command = Command::new(collector);
    command
        .arg("--listen")
        .arg(addr.to_string())
        .arg("--database")
        .arg(format!("sqlite://{}", database.display()))
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
fn storage_ceiling(bench: &Path, work: &Path, config: &Path, seconds: u64) -> TaskResult<f64> {
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

/// `key=value` pairs of a line.
fn fields(line: &str) -> impl Iterator<Item = (&str, &str)> {
    line.split_whitespace().filter_map(|word| word.split_once('='))
}

/// The value of the pair named `name` in a line.
fn field<'l>(line: &'l str, name: &str) -> Option<&'l str> {
    fields(line).find(|(key, _)| *key == name).map(|(_, value)| value)
}

/// The number of the pair named `name` in a line.
fn field_number(line: &str, name: &str) -> Option<f64> {
    field(line, name)?.parse().ok()
}

/// What wrk sends.
#[derive(Clone, Copy)]
struct Load {
    /// Events per request.
    events: u32,
    /// Requests/s to pace at; 0 for as fast as possible.
    rate: f64,
    /// Check every answer (200, all accepted, no duplicates).
    check: bool,
}

impl Load {
    fn single() -> Load {
        Load { events: 1, rate: 0.0, check: false }
    }
}

/// How wrk paces a run and whether it checks the answers.
#[derive(Clone, Copy)]
struct Pace {
    /// Requests/s to pace at; 0 for as fast as possible.
    rate: f64,
    /// Check every answer (what is checked is the script's business).
    check: bool,
}

struct Wrk {
    binary: PathBuf,
    script: PathBuf,
    /// The script's parameters common to all its runs.
    env: Vec<(&'static str, String)>,
}

impl Wrk {
    /// Runs the ingest script for `seconds` against `url`; its output is kept in
    /// `work/wrk-LABEL.*`.
    fn run(
        &self,
        url: &str,
        load: Load,
        seconds: u64,
        work: &Path,
        label: &str,
    ) -> TaskResult<WrkResult> {
        let pace = Pace { rate: load.rate, check: load.check };
        let events = [("KINDLING_BENCH_EVENTS", load.events.to_string())];
        self.run_paced(url, pace, &events, seconds, work, label)
    }

    /// Runs wrk for `seconds` against `url` with the script's parameters and `env`;
    /// no other `KINDLING_BENCH_*` variable reaches the script. Its output is kept in
    /// `work/wrk-LABEL.*`.
    fn run_paced(
        &self,
        url: &str,
        pace: Pace,
        env: &[(&str, String)],
        seconds: u64,
        work: &Path,
        label: &str,
    ) -> TaskResult<WrkResult> {
        let mut command = Command::new(&self.binary);
        command
            .arg(format!("-t{WRK_THREADS}"))
            .arg(format!("-c{WRK_CONNECTIONS}"))
            .arg(format!("-d{seconds}s"))
            .args(["--timeout", WRK_TIMEOUT])
            .arg("-s")
            .arg(&self.script)
            .arg(url);
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("KINDLING_BENCH_") {
                command.env_remove(key);
            }
        }
        command
            .env("KINDLING_BENCH_RATE", format!("{:.3}", pace.rate))
            .env("KINDLING_BENCH_THREADS", WRK_THREADS.to_string())
            .env("KINDLING_BENCH_CONNECTIONS", WRK_CONNECTIONS.to_string())
            .env("KINDLING_BENCH_CHECK", if pace.check { "1" } else { "0" })
            .envs(self.env.iter().map(|(key, value)| (key, value)))
            .envs(env.iter().map(|(key, value)| (key, value)));
        let out =
            run_bounded(command, Duration::from_secs(seconds + 30), work, &format!("wrk-{label}"))?;
        if !out.status.success() {
            return fail(format!("wrk failed ({}): {}{}", out.status, out.stderr, out.stdout));
        }
        let result = WrkResult::parse(&out.stdout).ok_or_else(|| {
            TaskError(format!(
                "no result line in wrk's output (script error?): {}{}",
                out.stderr, out.stdout
            ))
        })?;
        if pace.rate > 0.0 && result.pacing != "clock" {
            println!(
                "xtask: warning: wrk's Lua has no FFI clock; pacing falls back to a fixed delay \
                 per connection (closed loop)"
            );
        }
        Ok(result)
    }
}

/// What one wrk run measured (wrk's `done()` line).
struct WrkResult {
    requests: f64,
    duration_us: f64,
    status_errors: f64,
    socket_errors: f64,
    p50_us: f64,
    p99_us: f64,
    checked: f64,
    bad: f64,
    pacing: String,
    sample: Option<String>,
    /// wrk's whole output, for lines of a script's own.
    stdout: String,
    /// CPU time the server under load used during the run (all its threads, user and
    /// system), when it could be read.
    server_cpu_s: Option<f64>,
}

impl WrkResult {
    fn parse(stdout: &str) -> Option<WrkResult> {
        let line = stdout.lines().find_map(|line| line.strip_prefix("kindling-bench-wrk "))?;
        let get = |name: &str| field_number(line, name);
        let socket_errors =
            get("connect_errors")? + get("read_errors")? + get("write_errors")? + get("timeouts")?;
        Some(WrkResult {
            requests: get("requests")?,
            duration_us: get("duration_us")?,
            status_errors: get("status_errors")?,
            socket_errors,
            p50_us: get("p50_us")?,
            p99_us: get("p99_us")?,
            checked: get("checked")?,
            bad: get("bad")?,
            pacing: field(line, "pacing")?.to_owned(),
            sample: stdout
                .lines()
                .find_map(|line| line.strip_prefix("kindling-bench-wrk-sample "))
                .map(|sample| sample.chars().take(300).collect()),
            stdout: stdout.to_owned(),
            server_cpu_s: None,
        })
    }

    /// The server's CPU time per answered request, in µs (NaN when unknown).
    fn server_cpu_us_per_request(&self) -> f64 {
        self.server_cpu_s.map_or(f64::NAN, |cpu| cpu * 1e6 / self.requests)
    }

    /// Answered requests per second, not counting error statuses.
    fn ok_rps(&self) -> f64 {
        (self.requests - self.status_errors).max(0.0) / (self.duration_us / 1e6)
    }

    fn errors(&self) -> f64 {
        self.status_errors + self.socket_errors
    }
}

/// Fails when a run answered nothing; warns about runs with errors.
fn check_runs(runs: &[(&str, &WrkResult)]) -> TaskResult<()> {
    for (name, run) in runs {
        if !(run.ok_rps() > 0.0 && run.ok_rps().is_finite()) {
            return fail(format!("the {name} run answered no request successfully"));
        }
        if run.errors() > 0.0 {
            println!(
                "xtask: warning: the {name} run had {} error statuses and {} socket errors/timeouts",
                run.status_errors, run.socket_errors
            );
        }
    }
    Ok(())
}

struct Results {
    baseline: WrkResult,
    storage: f64,
    single: WrkResult,
    batch: WrkResult,
    half: WrkResult,
    half_target: f64,
}

impl Results {
    fn check(&self) -> TaskResult<()> {
        check_runs(&[
            ("baseline", &self.baseline),
            ("single", &self.single),
            ("batch", &self.batch),
            ("half-load", &self.half),
        ])
    }

    fn single_ratio(&self) -> f64 {
        self.single.ok_rps() / self.baseline.ok_rps()
    }

    fn batch_events_per_s(&self) -> f64 {
        self.batch.ok_rps() * f64::from(BATCH_EVENTS)
    }

    fn batch_ratio(&self) -> f64 {
        self.batch_events_per_s() / self.storage
    }

    fn print_table(&self) {
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

    fn json(&self, seconds: u64) -> String {
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

/// A JSON number with `decimals` decimals (`null` when not finite).
fn number(value: f64, decimals: usize) -> String {
    if value.is_finite() { format!("{value:.decimals$}") } else { "null".to_owned() }
}

/// A free port on 127.0.0.1 (asked of the OS, then released for the server to take).
fn free_loopback_addr() -> TaskResult<SocketAddr> {
    let listener = TcpListener::bind(("127.0.0.1", 0))?;
    Ok(listener.local_addr()?)
}

/// A server process, stopped (SIGTERM, then kill) when dropped, also on errors.
struct Server {
    name: &'static str,
    child: Option<Child>,
    addr: SocketAddr,
    log: PathBuf,
}

impl Server {
    /// Spawns `command` with output to `log` and waits until `GET /healthz` answers 200.
    fn start(
        name: &'static str,
        mut command: Command,
        addr: SocketAddr,
        log: &Path,
    ) -> TaskResult<Server> {
        let out = File::create(log)?;
        let err = out.try_clone()?;
        let child =
            command.stdin(Stdio::null()).stdout(out).stderr(err).spawn().map_err(|error| {
                TaskError(format!("cannot start {name} ({command:?}): {error}"))
            })?;
        let mut server = Server { name, child: Some(child), addr, log: log.to_path_buf() };
        server.wait_healthy()?;
        Ok(server)
    }

    fn wait_healthy(&mut self) -> TaskResult<()> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(child) = self.child.as_mut()
                && let Some(status) = child.try_wait()?
            {
                self.child = None;
                return fail(format!(
                    "{} exited ({status}) before answering: {}",
                    self.name,
                    tail(&self.log)
                ));
            }
            if healthz(self.addr) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return fail(format!(
                    "{} did not answer /healthz on {} within {START_TIMEOUT:?}: {}",
                    self.name,
                    self.addr,
                    tail(&self.log)
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Runs `load` and notes the CPU time the server used meanwhile.
    fn measuring_cpu(&self, load: impl FnOnce() -> TaskResult<WrkResult>) -> TaskResult<WrkResult> {
        let before = self.cpu_seconds();
        let mut measured = load()?;
        measured.server_cpu_s = before.zip(self.cpu_seconds()).map(|(start, end)| end - start);
        Ok(measured)
    }

    /// The CPU time (user and system, all threads, also those that ended) the server
    /// has used so far, from `/proc/PID/stat` in clock ticks of 1/100 s (Linux's
    /// `USER_HZ`); none where there is no such file.
    fn cpu_seconds(&self) -> Option<f64> {
        let pid = self.child.as_ref()?.id();
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // After the command name in parentheses: state is field 3, utime 14, stime 15.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let ticks = |field: usize| fields.get(field - 3)?.parse::<f64>().ok();
        Some((ticks(14)? + ticks(15)?) / USER_HZ)
    }

    /// Stops the server; fails when it had died during the run.
    fn stop(mut self) -> TaskResult<()> {
        self.terminate()
    }

    fn terminate(&mut self) -> TaskResult<()> {
        let Some(mut child) = self.child.take() else { return Ok(()) };
        if let Some(status) = child.try_wait()? {
            return fail(format!(
                "{} exited during the run ({status}): {}",
                self.name,
                tail(&self.log)
            ));
        }
        // SIGTERM: a graceful stop, as in production.
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + STOP_TIMEOUT;
        while Instant::now() < deadline {
            if child.try_wait()?.is_some() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        fail(format!("{} did not stop within {STOP_TIMEOUT:?} of SIGTERM; killed", self.name))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Err(error) = self.terminate() {
            eprintln!("xtask: {error}");
        }
    }
}

/// True when `GET /healthz` on `addr` answers 200.
fn healthz(addr: SocketAddr) -> bool {
    let attempt = || -> std::io::Result<bool> {
        let mut stream = TcpStream::connect_timeout(&addr, Duration::from_millis(500))?;
        stream.set_read_timeout(Some(Duration::from_secs(1)))?;
        stream.set_write_timeout(Some(Duration::from_secs(1)))?;
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer)?;
        Ok(answer.starts_with("HTTP/1.1 200"))
    };
    attempt().unwrap_or(false)
}

/// The end of a log file, for error messages.
fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let start = text.char_indices().rev().nth(1500).map_or(0, |(index, _)| index);
    format!("(log {}) {}", log.display(), &text[start..])
}

/// A finished bounded run.
struct Finished {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

/// A child killed when dropped.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Runs `command` to completion, killing it after `limit`; its output goes to
/// `work/LABEL.out` and `work/LABEL.err`, read back when it ends.
fn run_bounded(
    mut command: Command,
    limit: Duration,
    work: &Path,
    label: &str,
) -> TaskResult<Finished> {
    let out_path = work.join(format!("{label}.out"));
    let err_path = work.join(format!("{label}.err"));
    let shown = format!("{command:?}");
    let child = command
        .stdin(Stdio::null())
        .stdout(File::create(&out_path)?)
        .stderr(File::create(&err_path)?)
        .spawn()
        .map_err(|error| TaskError(format!("cannot run {shown}: {error}")))?;
    let mut child = KillOnDrop(child);
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.0.try_wait()? {
            break status;
        }
        if Instant::now() > deadline {
            return fail(format!("{shown} did not finish within {limit:?}; killed"));
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    Ok(Finished {
        status,
        stdout: std::fs::read_to_string(&out_path)?,
        stderr: std::fs::read_to_string(&err_path)?,
    })
}

/// This run's folder under `target/bench/`, removed when dropped. Folders that runs
/// stopped by ctrl-c left behind are removed when the next run starts.
struct WorkDir {
    path: PathBuf,
}

impl WorkDir {
    /// `parent/BENCH-PID`, e.g. `target/bench/ingest-1234`.
    fn create(parent: &Path, bench: &str) -> TaskResult<WorkDir> {
        std::fs::create_dir_all(parent)?;
        for entry in std::fs::read_dir(parent)?.flatten() {
            let name = entry.file_name();
            let stale = name
                .to_str()
                .and_then(|name| {
                    ["ingest-", "scoring-", "decide-"]
                        .iter()
                        .find_map(|prefix| name.strip_prefix(prefix))
                })
                .is_some_and(|pid| !Path::new("/proc").join(pid).exists());
            if stale {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let path = parent.join(format!("{bench}-{}", std::process::id()));
        if path.exists() {
            std::fs::remove_dir_all(&path)?;
        }
        std::fs::create_dir_all(&path)?;
        Ok(WorkDir { path })
    }

    fn remove(self) -> TaskResult<()> {
        std::fs::remove_dir_all(&self.path)
            .map_err(|error| TaskError(format!("cannot remove {}: {error}", self.path.display())))
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        if self.path.exists() {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_wrk_result_line() {
        let out = "Running 1s test\nkindling-bench-wrk requests=1000 duration_us=2000000 status_errors=10 \
                   connect_errors=0 read_errors=1 write_errors=0 timeouts=2 p50_us=700 p90_us=900 \
                   p99_us=1500 mean_us=750.5 max_us=4000 checked=0 bad=0 pacing=none\n";
        let result = WrkResult::parse(out).expect("parsed");
        assert!((result.ok_rps() - 495.0).abs() < 1e-9);
        assert!((result.errors() - 13.0).abs() < 1e-9);
        assert_eq!(result.pacing, "none");
        assert!(WrkResult::parse("Running 1s test\n").is_none());
    }

    #[test]
    fn the_scoring_json_starts_with_the_three_keys() {
        let out = "kindling-bench-wrk requests=3000 duration_us=1000000 status_errors=0 \
                   connect_errors=0 read_errors=0 write_errors=0 timeouts=0 p50_us=700 p90_us=900 \
                   p99_us=1500 mean_us=750.5 max_us=4000 checked=0 bad=0 pacing=none\n";
        let single = WrkResult::parse(out).expect("parsed");
        let pure = PureScoring {
            events: 1000.0,
            batches: 400.0,
            us_per_event: 2.0,
            engine_us: 1.0,
            decode_us: 0.5,
            encode_us: 0.5,
            notes: Vec::new(),
        };
        let json = ScoringResults { pure, single }.json(3);
        assert!(
            json.starts_with(
                r#"{"scoring_us_per_event":2.0000,"ingest_us_per_event":333.333,"ratio":0.00600,"#
            ),
            "{json}"
        );
        assert!(json.ends_with('}') && !json.contains('\n'), "{json}");
    }
}
