//! `kindling-bench`: the Rust half of `cargo xtask bench ingest`, `bench scoring`,
//! `bench decide` and `bench render`, which run it (see `xtask/src/bench.rs`). Six
//! subcommands:
//!
//! - `baseline --listen 127.0.0.1:PORT`: a bare axum server that only reads request
//!   bodies ([`baseline`]), the HTTP ceiling the collector is compared with;
//! - `storage [--seconds 10] [--rows N] [--per-commit 1000] [--events-per-request 50]
//!   [--config PATH]`:
//!   the collector's SQLite store driven directly, no HTTP ([`storage`]); prints
//!   `storage rows=.. commits=.. seconds=.. rows_per_s=..` as its last line;
//! - `scoring [--seconds 5] [--warmup 1] [--visitors 1000] [--config demo-site/demo.yaml]
//!   [--site pk_demo_brightline]`: the collector's pure in-memory profile work per
//!   event — person JSON decode, `Person::apply`, JSON encode — on a generated stream
//!   of demo-site traffic ([`scoring`]); prints `scoring events=.. batches=.. seconds=..
//!   us_per_event=.. engine_us_per_event=.. decode_us_per_event=..
//!   encode_us_per_event=.. json_share=..` as its last line;
//! - `pool --visitors 10000 --out FILE`: a pool of returning visitors for `bench decide`
//!   ([`prime`]), one `VISITOR SESSION` line each;
//! - `prime --pool FILE --url http://127.0.0.1:PORT/v1/events [--concurrency 32]`: posts
//!   every pooled visitor's first visit to the collector and checks each answer
//!   ([`prime`]); prints `prime visitors=.. events=.. seconds=.. requests_per_s=..` as its
//!   last line.
//!
//! - `handoff [--leads 200] [--load-clients 16]`: speed to lead end to end, idle and
//!   under load, against a bare signed webhook round trip ([`handoff`]); prints
//!   `handoff leads=.. baseline_p50_ms=.. baseline_p99_ms=.. idle_p50_ms=.. idle_p99_ms=..
//!   loaded_p50_ms=.. loaded_p99_ms=.. load_rps=.. metric_mean_ms=..` as its last line;
//! - `render [--runs 20] [--throttle mobile]`: the demo home page in headless Chromium,
//!   opened by new visitors ([`render`]); prints `render runs=.. first_fcp_ms=..
//!   first_drawn_ms=.. fcp_ms=.. drawn_ms=.. ratio=.. cls_max=..` as its last line (needs
//!   the widget bundle and ChromeDriver, as the end-to-end tests do); throttled like a
//!   phone ([`render_mobile`]), `waterfall START END URL` lines and `render-mobile
//!   runs=.. fcp_ms=.. drawn_ms=.. ratio=.. from_loader_ms=.. script_ms=..
//!   longest_task_ms=.. cls_max=..`;
//! - `screenshots --out DIR [--site DIR --config FILE]`: the demo as a visitor sees it, PNG files of the viewport
//!   at phone and laptop sizes ([`screenshots`]; same needs as `render`);
//! - `seed [--events 1000000] [--database URL] [--days 90] [--config demo-site/demo.yaml]
//!   [--site pk_demo_brightline]`: a generated history of the demo site written through
//!   the collector's own group commit, dated in the past ([`seed`]); prints `seed
//!   events=.. visitors=.. leads=.. seconds=.. events_per_s=..` as its last line;
//! - `reports --url http://127.0.0.1:PORT --database URL --email E --password P
//!   [--runs 30] [--from YYYY-MM-DD --until YYYY-MM-DD] [--json]`: signs in and times the
//!   report pages against a plain count of the same range ([`reports`]).
//!
//! It is a tool, not a test: nothing here runs under `cargo test` but unit tests of the
//! body builders.

mod baseline;
mod body;
mod database;
mod handoff;
mod prime;
mod render;
mod render_mobile;
mod reports;
mod scoring;
mod screenshots;
mod seed;
mod storage;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "kindling-bench",
    about = "Baselines and helpers for `cargo xtask bench ingest`, `bench scoring` and `bench decide`"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve a bare axum handler that only reads the body, until SIGTERM or ctrl-c.
    Baseline {
        /// Address to listen on (loopback only).
        #[arg(long)]
        listen: SocketAddr,
    },
    /// Insert event rows straight into the collector's SQLite store; print rows/s.
    Storage {
        /// Stop after this many measured rows.
        #[arg(long)]
        rows: Option<u64>,
        /// Stop after this many seconds of measuring.
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        /// Unmeasured seconds of committing first.
        #[arg(long, default_value_t = 2.0)]
        warmup: f64,
        /// Rows per transaction.
        #[arg(long, default_value_t = 1000)]
        per_commit: usize,
        /// Events per request-sized batch (each batch also updates its visitor).
        #[arg(long, default_value_t = 50)]
        events_per_request: usize,
        /// Folder to create the temporary database in (default: the system's).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// The collector's configuration (YAML) with the site `pk_bench` (default: built in).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Time the collector's in-memory profile work (decode, Person::apply, encode) per
    /// event on generated demo-site traffic; print µs/event.
    Scoring {
        /// Seconds of measuring.
        #[arg(long, default_value_t = 5.0)]
        seconds: f64,
        /// Unmeasured seconds first (after one checking pass over the stream).
        #[arg(long, default_value_t = 1.0)]
        warmup: f64,
        /// Visitors in the generated stream (5 to 50 events each).
        #[arg(long, default_value_t = 1000)]
        visitors: usize,
        /// The configuration file with the site's profile model (default: the demo's).
        #[arg(long)]
        config: Option<PathBuf>,
        /// The site whose profile model scores the stream.
        #[arg(long, default_value = scoring::DEMO_SITE)]
        site: String,
    },
    /// Speed to lead end to end (event request to CRM hand-off received), idle and
    /// under load, against a bare signed webhook round trip.
    Handoff {
        /// Leads per measurement.
        #[arg(long, default_value_t = 200)]
        leads: usize,
        /// Clients sending pageviews during the loaded measurement.
        #[arg(long, default_value_t = 16)]
        load_clients: usize,
    },
    /// Write a pool of new visitor ids (and a session each) for `bench decide`.
    Pool {
        /// Visitors in the pool.
        #[arg(long, default_value_t = 10_000)]
        visitors: usize,
        /// The file to write, one `VISITOR SESSION` line per visitor.
        #[arg(long)]
        out: PathBuf,
    },
    /// Open the demo home page in headless Chromium as new visitors; print the time to
    /// the Kindling hero next to the page's first paint, and the layout shift.
    Render {
        /// Measured runs (one more, the first, is reported apart; throttled, every run
        /// is cold).
        #[arg(long, default_value_t = 20)]
        runs: usize,
        /// `mobile`: Lighthouse's mobile network and CPU throttling, cache off.
        #[arg(long)]
        throttle: Option<String>,
    },
    /// Screenshots of the demo as a visitor sees it, as PNG files in `--out`.
    Screenshots {
        #[arg(long)]
        out: PathBuf,
        /// The site's pages (default: the demo's), for comparing with another version.
        #[arg(long)]
        site: Option<PathBuf>,
        /// Its configuration (default: the demo's).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Write a generated history of the demo site into a database, dated in the past.
    Seed {
        /// Events to generate (about one visitor per ten).
        #[arg(long, default_value_t = 1_000_000)]
        events: u64,
        /// The collector's database: `sqlite:PATH` or `postgres://…`.
        #[arg(long, default_value = "sqlite:target/seed/history.db")]
        database: String,
        /// Days of history, ending now.
        #[arg(long, default_value_t = 90)]
        days: u32,
        /// The configuration file with the site (default: the demo's).
        #[arg(long)]
        config: Option<PathBuf>,
        /// The site the history is of.
        #[arg(long, default_value = scoring::DEMO_SITE)]
        site: String,
    },
    /// Time the console's report pages on a seeded database against a plain count.
    Reports(reports::Options),
    /// Post each pooled visitor's first visit to the collector; fail on any wrong answer.
    Prime {
        /// The pool written by `pool`.
        #[arg(long)]
        pool: PathBuf,
        /// The collector's events endpoint, `http://127.0.0.1:PORT/v1/events`.
        #[arg(long)]
        url: String,
        /// Requests in flight.
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Baseline { listen } => baseline::serve(listen).await,
        Command::Storage { rows, seconds, warmup, per_commit, events_per_request, dir, config } => {
            let options = storage::Options {
                rows,
                seconds,
                warmup_seconds: warmup,
                per_commit,
                events_per_request,
                dir,
                config,
            };
            storage::run(&options).await.map(|report| {
                println!(
                    "storage rows={} commits={} seconds={:.3} rows_per_s={:.1}",
                    report.rows,
                    report.commits,
                    report.commit_seconds,
                    report.rows_per_s()
                );
            })
        }
        Command::Scoring { seconds, warmup, visitors, config, site } => {
            let options = scoring::Options {
                seconds,
                warmup_seconds: warmup,
                visitors,
                config: config.unwrap_or_else(scoring::demo_config),
                site,
            };
            scoring::run(&options).map(|report| println!("{}", report.line()))
        }
        Command::Render { runs, throttle: None } => {
            render::run(runs.max(1)).await.map(|report| println!("{}", report.line()))
        }
        Command::Render { runs, throttle: Some(throttle) } if throttle == "mobile" => {
            render_mobile::run(runs.max(1)).await.map(|report| {
                for (url, start, end) in &report.waterfall {
                    println!("waterfall {start:.1} {end:.1} {url}");
                }
                println!("{}", report.line());
            })
        }
        Command::Render { throttle: Some(throttle), .. } => {
            Err(format!("--throttle {throttle}: only `mobile` is known"))
        }
        Command::Screenshots { out, site, config } => {
            screenshots::run(&out, site, config).await.map(|files| {
                for file in files {
                    println!("{file}");
                }
            })
        }
        Command::Handoff { leads, load_clients } => {
            let options = handoff::Options { leads: leads.max(1), load_clients };
            handoff::run(&options).await.map(|report| println!("{}", report.line()))
        }
        Command::Seed { events, database, days, config, site } => {
            let options = seed::Options {
                events,
                database,
                days,
                config: config.unwrap_or_else(scoring::demo_config),
                site,
            };
            seed::run(&options).await.map(|report| println!("{}", report.line()))
        }
        Command::Reports(options) => reports::run(&options).await,
        Command::Pool { visitors, out } => prime::write_pool(&out, visitors),
        Command::Prime { pool, url, concurrency } => match prime::read_pool(&pool) {
            Ok(pool) => prime::prime(&url, &pool, concurrency).await.map(|report| {
                println!(
                    "prime visitors={} events={} seconds={:.3} requests_per_s={:.1}",
                    report.visitors,
                    report.events,
                    report.seconds,
                    report.visitors as f64 / report.seconds
                );
            }),
            Err(error) => Err(error),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("kindling-bench: {error}");
            ExitCode::FAILURE
        }
    }
}
