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
//! `cargo xtask bench reports [--json] [--database URL] [--runs N] [--from D --until D]`:
//! the console's report pages on a seeded database against a plain count of the same
//! range; see [`reports`] (`xtask/src/bench/reports.rs`).
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

use clap::Subcommand;

mod common;
mod decide;
mod handoff;
mod ingest;
mod render;
mod reports;
mod scoring;
mod server;
mod wrk;

use crate::task::TaskResult;

/// Builds the release `kindling-bench`; returns its path.
pub fn build_bench_binary(root: &std::path::Path) -> TaskResult<std::path::PathBuf> {
    common::build_bench(root)?;
    Ok(common::target_dir(root).join("release").join("kindling-bench"))
}

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
        /// `mobile`: Lighthouse's mobile throttling (150 ms RTT, 1.6 Mbit/s, CPU 4×),
        /// cache off; prints script time, longest task and the request waterfall too.
        #[arg(long, value_parser = ["mobile"])]
        throttle: Option<String>,
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
    /// The console's report pages on a seeded database (`cargo xtask seed`) against a
    /// plain count of the same range's events.
    Reports(reports::ReportsArgs),
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
        Bench::Ingest { json, seconds } => ingest::run(json, seconds),
        Bench::Decide { json, seconds } => decide::run(json, seconds),
        Bench::Render { json, runs, throttle: None } => render::run(json, runs),
        Bench::Render { json, runs, throttle: Some(_) } => render::run_mobile(json, runs),
        Bench::Scoring { json, seconds } => scoring::run(json, seconds),
        Bench::Handoff { json, leads } => handoff::run(json, leads),
        Bench::Reports(args) => reports::run_reports(&args),
    }
}
