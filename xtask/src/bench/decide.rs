//! `cargo xtask bench decide [--json] [--seconds N]`: the throughput and latency of
//! `POST /v1/boot` (the widget's first call on every page: the visitor's state and the
//! blocks the page shows), read as a ratio against the HTTP baseline measured in the
//! same run on the same machine. A benchmark, not a test.
//!
//! The site is `pk_bench` of `xtask/bench/decide.yaml`: 20 blocks — inline blocks
//! competing for the hero, sidebar and footer slots, overlays (modal, slide-in, top and
//! bottom bars) with their triggers — with audiences on the page, the visit, the device,
//! the language and the profile (segments, temperature, score, known), priorities,
//! caps, a schedule, a recommendation list and 1–3 weighted variants; plus the scoring
//! rules and segments the audiences read.
//!
//! Visitors: `kindling-bench pool` writes [`POOL_VISITORS`] visitor ids once; before
//! each collector measurement, `kindling-bench prime` posts each of them a first
//! visit through `POST /v1/events` (a pageview, and for some a campaign landing, a
//! block seen or dismissed, an identify; see `bench/src/prime.rs`), checking every
//! answer, so that they have persons in the database and in the collector's person
//! cache. `xtask/bench/decide.lua` then sends boot requests: [`NEW_SHARE`] of them from
//! new visitors (new ids, flagged `new_visitor` as the widget flags an id it made on
//! the page, so the collector looks nothing up), the others from pooled visitors drawn
//! at random (half continuing their first visit, half on a later one); six pages with
//! their slots, a third from Google, three languages, 30 % phones.
//!
//! Four measurements, each after a 2 s warm-up, `--seconds` long (default 10), with
//! the same wrk parameters as `bench ingest` (`-t1 -c32 --timeout 5s`: one wrk thread,
//! leaving the other of the two cores to the server):
//!
//! 1. **HTTP baseline**: `kindling-bench baseline`, the bare axum handler of `bench
//!    ingest` (it reads the body and answers `200 OK` with nothing), sent the same boot
//!    bodies → requests/s;
//! 2. **decide**: the release collector (fresh SQLite file, `--rate-limit-ip 0
//!    --rate-limit-site 0`), primed, as fast as possible → requests/s;
//! 3. the same (a fresh, primed collector) paced at half the peak of (2) → p50/p99
//!    latency (wrk's `delay()` against a monotonic clock, as in `bench ingest`);
//! 4. the baseline of (1) paced like (3) → p50/p99 latency: the floor that HTTP, wrk
//!    and whatever else runs on the machine put under (3).
//!
//! The warm-ups of the collector runs check every answer (200, the visitor's state, a
//! list of decisions) and count the blocks decided and the answers whose visitor has
//! segments (a primed person was found); the measured runs do not check. The person
//! cache keeps an entry for 30 s (`collector/src/profiles/cache.rs`): priming, warm-up
//! and the default 10 s fit in that window, so pooled visitors are served from memory;
//! with a longer `--seconds`, their entries expire during the measurement and are
//! read from the database again (a warning says so).
//!
//! Printed: a table of requests/s, p50/p99 latency and errors per measurement, the
//! ratio decide_rps/baseline_rps (target: at least [`TARGET_RATIO`]), p50/p99 at half
//! load (target: p99 under [`TARGET_P99_MS`] ms) next to the baseline's at the same
//! pace, then what the warm-ups saw and the machine's load average before and after
//! (other work on the machine shows in every figure, most in the p99); with
//! `--json`, the last line is one JSON object: `{"baseline_rps":..,"decide_rps":..,
//! "decide_ratio":..,"p50_ms_half_load":..,"p99_ms_half_load":..,` then more keys`}`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::common::{
    WARMUP_SECONDS, WRK_CONNECTIONS, WRK_THREADS, WRK_TIMEOUT, build_release, field, field_number,
    free_loopback_addr, number, run_bounded, target_dir,
};
use super::ingest::collector_command;
use super::server::{Server, WorkDir};
use super::wrk::{Pace, Wrk, WrkResult, check_runs, wrk};
use crate::task::{TaskError, TaskResult, fail};
use crate::tools::workspace_root;

/// The configuration with the site `pk_bench` and its blocks (relative to the workspace).
const CONFIG: &str = "xtask/bench/decide.yaml";
/// Blocks in [`CONFIG`].
const BLOCKS: usize = 20;
/// Returning visitors primed before each collector measurement.
const POOL_VISITORS: usize = 10_000;
/// The share of boot requests from new visitors.
const NEW_SHARE: f64 = 0.2;
/// decide_rps / baseline_rps should be at least this.
const TARGET_RATIO: f64 = 0.35;
/// p99 latency at half the peak rate should be under this.
const TARGET_P99_MS: f64 = 2.0;
/// How long the collector's person cache keeps an entry (`profiles::cache::TTL`).
const PERSON_CACHE_TTL_SECONDS: f64 = 30.0;
/// How long priming may take.
const PRIME_TIMEOUT: Duration = Duration::from_secs(180);

pub(super) fn run(json: bool, seconds: u64) -> TaskResult<()> {
    let root = workspace_root();
    let config = root.join(CONFIG);
    if !config.is_file() {
        return fail(format!("the benchmark's configuration {} is missing", config.display()));
    }
    let (collector, bench) = build_release(&root)?;
    let load_start = load_average();
    let work = WorkDir::create(&target_dir(&root).join("bench"), "decide")?;
    let pool = work.path.join("pool.txt");
    let mut command = Command::new(&bench);
    command.arg("pool").args(["--visitors", &POOL_VISITORS.to_string()]).arg("--out").arg(&pool);
    let out = run_bounded(command, Duration::from_secs(60), &work.path, "pool")?;
    if !out.status.success() {
        return fail(format!("kindling-bench pool failed ({}): {}", out.status, out.stderr));
    }
    let wrk = wrk(
        &root,
        "decide.lua",
        vec![
            ("KINDLING_BENCH_POOL", pool.display().to_string()),
            ("KINDLING_BENCH_NEW_SHARE", format!("{NEW_SHARE:.3}")),
        ],
    )?;
    let ctx = Context { wrk, bench, collector, config, pool, work: &work.path, seconds };

    println!(
        "xtask: decide benchmark: {seconds} s per measurement after {WARMUP_SECONDS} s of warm-up; \
         wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} --timeout {WRK_TIMEOUT} -s xtask/bench/decide.lua; \
         site pk_bench of {CONFIG} ({BLOCKS} blocks); {POOL_VISITORS} returning visitors primed \
         before each collector run, {:.0} % of requests from new visitors",
        NEW_SHARE * 100.0
    );

    println!("xtask: [1/4] HTTP baseline: bare axum handler, the same boot bodies");
    let baseline = ctx.baseline_run("baseline", 0.0)?;
    println!("xtask: [2/4] collector POST /v1/boot, as fast as possible");
    let peak = ctx.collector_run("peak", 0.0)?;
    let half_target = peak.measured.ok_rps() / 2.0;
    println!(
        "xtask: [3/4] collector POST /v1/boot paced at {half_target:.0} requests/s (half the peak)"
    );
    let half = ctx.collector_run("half-load", half_target)?;
    println!(
        "xtask: [4/4] HTTP baseline paced at {half_target:.0} requests/s: the latency floor of \
         HTTP, wrk and this machine at that pace"
    );
    let baseline_half = ctx.baseline_run("baseline-half-load", half_target)?;
    drop(ctx);
    work.remove()?;

    let load = (load_start, load_average());
    let results = Results { baseline, peak, half, baseline_half, half_target, load };
    results.check()?;
    results.print();
    if json {
        println!("{}", results.json(seconds));
    }
    Ok(())
}

struct Context<'a> {
    wrk: Wrk,
    bench: PathBuf,
    collector: PathBuf,
    config: PathBuf,
    pool: PathBuf,
    work: &'a Path,
    seconds: u64,
}

impl Context<'_> {
    /// Starts the bare axum baseline, warms it up, then measures at `rate` (0: as fast
    /// as possible), and stops it.
    fn baseline_run(&self, name: &str, rate: f64) -> TaskResult<WrkResult> {
        let addr = free_loopback_addr()?;
        let mut command = Command::new(&self.bench);
        command.arg("baseline").arg("--listen").arg(addr.to_string());
        let server =
            Server::start("baseline", command, addr, &self.work.join(format!("{name}.log")))?;
        let url = format!("http://{addr}/v1/boot");
        let pace = Pace { rate, check: false };
        let warmup = format!("{name}-warmup");
        self.wrk.run_paced(&url, pace, &[], WARMUP_SECONDS, self.work, &warmup)?;
        let measured = self.wrk.run_paced(&url, pace, &[], self.seconds, self.work, name)?;
        server.stop()?;
        Ok(measured)
    }

    /// Starts a collector on a fresh database, primes the pool's visitors, warms up
    /// checking every answer, then measures at `rate` (0: as fast as possible)
    /// unchecked, and stops it.
    fn collector_run(&self, name: &str, rate: f64) -> TaskResult<CollectorRun> {
        let addr = free_loopback_addr()?;
        let command = collector_command(&self.collector, addr, self.work, name, &self.config);
        let server =
            Server::start("collector", command, addr, &self.work.join(format!("{name}.log")))?;
        let primed = self.prime(addr, name)?;
        println!(
            "xtask:   primed {:.0} visitors ({:.0} events) in {:.1} s",
            primed.visitors, primed.events, primed.seconds
        );
        if primed.seconds + (WARMUP_SECONDS + self.seconds) as f64 > PERSON_CACHE_TTL_SECONDS {
            println!(
                "xtask:   note: priming, warm-up and measurement take longer than the person \
                 cache's {PERSON_CACHE_TTL_SECONDS:.0} s: pooled visitors' persons will be read \
                 from the database again during the measurement"
            );
        }
        let url = format!("http://{addr}/v1/boot");
        let warmup = self.wrk.run_paced(
            &url,
            Pace { rate, check: true },
            &[],
            WARMUP_SECONDS,
            self.work,
            &format!("{name}-warmup"),
        )?;
        if warmup.checked == 0.0 || warmup.bad > 0.0 {
            let sample = warmup.sample.as_deref().unwrap_or("(no answer)");
            return fail(format!(
                "the collector did not answer every boot request during the warm-up ({} of {} \
                 answers wrong; first: {sample}); the numbers would be meaningless",
                warmup.bad, warmup.checked
            ));
        }
        let seen = Seen::parse(&warmup.stdout).ok_or_else(|| {
            TaskError(format!("no decide line in wrk's output: {}", warmup.stdout))
        })?;
        if seen.with_segments == 0.0 || seen.decisions == 0.0 {
            return fail(format!(
                "the warm-up's answers show no primed person or no block ({} answers, {} with \
                 segments, {} decisions); the numbers would be meaningless",
                seen.answers, seen.with_segments, seen.decisions
            ));
        }
        let measured = self.wrk.run_paced(
            &url,
            Pace { rate, check: false },
            &[],
            self.seconds,
            self.work,
            name,
        )?;
        server.stop()?;
        Ok(CollectorRun { measured, primed, seen })
    }

    /// Runs `kindling-bench prime` against the collector on `addr`.
    fn prime(&self, addr: SocketAddr, name: &str) -> TaskResult<Primed> {
        let mut command = Command::new(&self.bench);
        command
            .arg("prime")
            .arg("--pool")
            .arg(&self.pool)
            .args(["--url", &format!("http://{addr}/v1/events")])
            .args(["--concurrency", &WRK_CONNECTIONS.to_string()]);
        let out = run_bounded(command, PRIME_TIMEOUT, self.work, &format!("{name}-prime"))?;
        if !out.status.success() {
            return fail(format!(
                "kindling-bench prime failed ({}): {}{}",
                out.status, out.stderr, out.stdout
            ));
        }
        Primed::parse(&out.stdout).ok_or_else(|| {
            TaskError(format!("cannot read kindling-bench prime's result: {:?}", out.stdout))
        })
    }
}

/// What `kindling-bench prime` did.
struct Primed {
    visitors: f64,
    events: f64,
    seconds: f64,
}

impl Primed {
    fn parse(stdout: &str) -> Option<Primed> {
        let line = stdout.lines().rev().find(|line| line.starts_with("prime "))?;
        let get = |name: &str| field_number(line, name);
        Some(Primed {
            visitors: get("visitors")?,
            events: get("events")?,
            seconds: get("seconds")?,
        })
    }
}

/// What a checked warm-up saw in the answers (`kindling-bench-wrk-decide`).
struct Seen {
    answers: f64,
    decisions: f64,
    with_segments: f64,
    /// Decisions by block id, most frequent first.
    blocks: Vec<(String, f64)>,
}

impl Seen {
    fn parse(stdout: &str) -> Option<Seen> {
        let line =
            stdout.lines().find_map(|line| line.strip_prefix("kindling-bench-wrk-decide "))?;
        let get = |name: &str| field_number(line, name);
        let listed = field(line, "blocks").unwrap_or("");
        let mut blocks: Vec<(String, f64)> = listed
            .split(',')
            .filter_map(|pair| pair.split_once(':'))
            .filter_map(|(block, count)| Some((block.to_owned(), count.parse::<f64>().ok()?)))
            .collect();
        blocks.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Some(Seen {
            answers: get("answers")?,
            decisions: get("decisions")?,
            with_segments: get("with_segments")?,
            blocks,
        })
    }

    fn decisions_per_answer(&self) -> f64 {
        self.decisions / self.answers
    }

    fn segments_share(&self) -> f64 {
        self.with_segments / self.answers
    }
}

/// One collector measurement and what preceded it.
struct CollectorRun {
    measured: WrkResult,
    primed: Primed,
    seen: Seen,
}

struct Results {
    baseline: WrkResult,
    peak: CollectorRun,
    half: CollectorRun,
    /// The baseline at the pace of `half`.
    baseline_half: WrkResult,
    half_target: f64,
    /// The machine's load average before and after the measurements.
    load: (Option<f64>, Option<f64>),
}

impl Results {
    fn check(&self) -> TaskResult<()> {
        check_runs(&[
            ("baseline", &self.baseline),
            ("peak", &self.peak.measured),
            ("half-load", &self.half.measured),
            ("baseline half-load", &self.baseline_half),
        ])
    }

    fn ratio(&self) -> f64 {
        self.peak.measured.ok_rps() / self.baseline.ok_rps()
    }

    fn p99_ms(&self) -> f64 {
        self.half.measured.p99_us / 1000.0
    }

    fn print(&self) {
        println!();
        println!(
            "{:<44} {:>11} {:>8} {:>8} {:>7}",
            "measurement", "requests/s", "p50 ms", "p99 ms", "errors"
        );
        let row = |name: &str, run: &WrkResult| {
            println!(
                "{name:<44} {:>11.1} {:>8.3} {:>8.3} {:>7}",
                run.ok_rps(),
                run.p50_us / 1000.0,
                run.p99_us / 1000.0,
                run.errors()
            );
        };
        row("1 HTTP baseline (bare axum), boot bodies", &self.baseline);
        row("2 collector /v1/boot, as fast as possible", &self.peak.measured);
        row(
            &format!("3 collector /v1/boot @ {:.0}/s (half)", self.half_target),
            &self.half.measured,
        );
        row(
            &format!("4 HTTP baseline @ {:.0}/s (same pace)", self.half_target),
            &self.baseline_half,
        );
        println!();
        let met = |yes: bool| if yes { "met" } else { "NOT met" };
        println!(
            "decide_rps / baseline_rps = {:.4} (target: at least {TARGET_RATIO:.2}, {})",
            self.ratio(),
            met(self.ratio() >= TARGET_RATIO)
        );
        println!(
            "p50 / p99 at half load    = {:.3} / {:.3} ms (target: p99 under {TARGET_P99_MS:.0} ms, {})",
            self.half.measured.p50_us / 1000.0,
            self.p99_ms(),
            met(self.p99_ms() < TARGET_P99_MS)
        );
        println!(
            "p50 / p99 of the baseline at that pace = {:.3} / {:.3} ms (what HTTP, wrk and the \
             machine's other load cost alone)",
            self.baseline_half.p50_us / 1000.0,
            self.baseline_half.p99_us / 1000.0
        );
        println!();
        let seen = &self.peak.seen;
        println!(
            "warm-up of run 2: {:.2} decisions per answer, {:.0} % of answers with segments (a \
             primed person), {} of {BLOCKS} blocks decided; per 100 answers:",
            seen.decisions_per_answer(),
            100.0 * seen.segments_share(),
            seen.blocks.len()
        );
        let shares: Vec<String> = seen
            .blocks
            .iter()
            .map(|(block, count)| format!("{block} {:.0}", 100.0 * count / seen.answers))
            .collect();
        for line in shares.chunks(6) {
            println!("  {}", line.join(", "));
        }
        println!(
            "priming: {:.0} visitors in {:.1} s and {:.1} s ({:.0} events each time)",
            self.peak.primed.visitors,
            self.peak.primed.seconds,
            self.half.primed.seconds,
            self.peak.primed.events
        );
        let shown = |load: Option<f64>| load.map_or_else(|| "?".to_owned(), |l| format!("{l:.2}"));
        println!(
            "machine: load average (1 min) {} before, {} after, on {} CPUs; wrk and the server \
             share them with whatever else runs",
            shown(self.load.0),
            shown(self.load.1),
            std::thread::available_parallelism().map_or(0, usize::from)
        );
    }

    fn json(&self, seconds: u64) -> String {
        let seen = &self.peak.seen;
        let pairs: [(&str, String); 24] = [
            ("baseline_rps", number(self.baseline.ok_rps(), 1)),
            ("decide_rps", number(self.peak.measured.ok_rps(), 1)),
            ("decide_ratio", number(self.ratio(), 4)),
            ("p50_ms_half_load", number(self.half.measured.p50_us / 1000.0, 3)),
            ("p99_ms_half_load", number(self.p99_ms(), 3)),
            ("half_load_rps", number(self.half.measured.ok_rps(), 1)),
            ("half_load_target_rps", number(self.half_target, 1)),
            ("baseline_p50_ms_half_load", number(self.baseline_half.p50_us / 1000.0, 3)),
            ("baseline_p99_ms_half_load", number(self.baseline_half.p99_us / 1000.0, 3)),
            ("decide_p50_ms", number(self.peak.measured.p50_us / 1000.0, 3)),
            ("decide_p99_ms", number(self.peak.measured.p99_us / 1000.0, 3)),
            ("decisions_per_answer", number(seen.decisions_per_answer(), 3)),
            ("segments_share", number(seen.segments_share(), 3)),
            ("blocks_decided", seen.blocks.len().to_string()),
            ("blocks", BLOCKS.to_string()),
            ("pool_visitors", POOL_VISITORS.to_string()),
            ("new_share", number(NEW_SHARE, 2)),
            (
                "errors",
                number(
                    self.baseline.errors()
                        + self.peak.measured.errors()
                        + self.half.measured.errors()
                        + self.baseline_half.errors(),
                    0,
                ),
            ),
            ("load_average_before", number(self.load.0.unwrap_or(f64::NAN), 2)),
            ("load_average_after", number(self.load.1.unwrap_or(f64::NAN), 2)),
            ("target_ratio", number(TARGET_RATIO, 2)),
            ("target_p99_ms", number(TARGET_P99_MS, 1)),
            ("seconds", seconds.to_string()),
            ("wrk_connections", WRK_CONNECTIONS.to_string()),
        ];
        let body: Vec<String> =
            pairs.iter().map(|(key, value)| format!("\"{key}\":{value}")).collect();
        format!("{{{}}}", body.join(","))
    }
}

/// The 1-minute load average (Linux), when readable.
fn load_average() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configuration_has_the_blocks_announced() {
        let text = std::fs::read_to_string(workspace_root().join(CONFIG)).expect("readable");
        let blocks = text
            .lines()
            .skip_while(|line| line.trim() != "blocks:")
            .take_while(|line| line.trim() != "forms:")
            .filter(|line| line.starts_with("      - id: "))
            .count();
        assert_eq!(blocks, BLOCKS);
    }

    #[test]
    fn reads_what_the_warmup_saw() {
        let out = "kindling-bench-wrk requests=10 duration_us=1000000 status_errors=0 \
                   connect_errors=0 read_errors=0 write_errors=0 timeouts=0 p50_us=700 \
                   p90_us=900 p99_us=1500 mean_us=750.5 max_us=4000 checked=10 bad=0 pacing=none\n\
                   kindling-bench-wrk-decide answers=10 decisions=25 with_segments=6 \
                   blocks=footer-default:5,hero-default:10,top-bar-promo:10\n";
        let seen = Seen::parse(out).expect("parsed");
        assert!((seen.decisions_per_answer() - 2.5).abs() < 1e-9);
        assert!((seen.segments_share() - 0.6).abs() < 1e-9);
        let order: Vec<&str> = seen.blocks.iter().map(|(block, _)| block.as_str()).collect();
        assert_eq!(order, ["hero-default", "top-bar-promo", "footer-default"]);
        assert!(Seen::parse("kindling-bench-wrk requests=1\n").is_none());
        let primed = Primed::parse(
            "prime visitors=10000 events=16334 seconds=6.731 requests_per_s=1485.7\n",
        )
        .expect("parsed");
        assert!((primed.events - 16334.0).abs() < 1e-9);
    }
}
