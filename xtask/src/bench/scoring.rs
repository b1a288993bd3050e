//! `cargo xtask bench scoring`: the pure profile work per event against the collector's
//! ingest time per event (see the module docs of `bench`).

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use super::common::*;
use super::ingest::*;
use super::server::*;
use super::wrk::*;
use crate::task::{TaskResult, fail};
use crate::tools::workspace_root;

pub(super) fn run(json: bool, seconds: u64) -> TaskResult<()> {
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
pub(super) struct PureScoring {
    pub(super) events: f64,
    pub(super) batches: f64,
    pub(super) us_per_event: f64,
    pub(super) engine_us: f64,
    pub(super) decode_us: f64,
    pub(super) encode_us: f64,
    /// Its description of the stream and of the persons it made.
    pub(super) notes: Vec<String>,
}

impl PureScoring {
    pub(super) fn json_us(&self) -> f64 {
        self.decode_us + self.encode_us
    }

    pub(super) fn json_share(&self) -> f64 {
        self.json_us() / self.us_per_event
    }
}

/// Runs `kindling-bench scoring` and reads its last line.
pub(super) fn pure_scoring(
    bench: &Path,
    work: &Path,
    demo: &Path,
    seconds: u64,
) -> TaskResult<PureScoring> {
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

pub(super) struct ScoringResults {
    pub(super) pure: PureScoring,
    pub(super) single: WrkResult,
}

impl ScoringResults {
    pub(super) fn ingest_us(&self) -> f64 {
        1e6 / self.single.ok_rps()
    }

    pub(super) fn ratio(&self) -> f64 {
        self.pure.us_per_event / self.ingest_us()
    }

    pub(super) fn print(&self) {
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

    pub(super) fn json(&self, seconds: u64) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

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
