//! Running wrk: a load (`Load`, paced or not), its result line parsed into
//! `WrkResult`, and the check that a measurement had no errors.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::common::*;
use crate::task::{TaskError, TaskResult, fail};
use crate::tools::ensure_wrk;

/// What wrk sends.
#[derive(Clone, Copy)]
pub(super) struct Load {
    /// Events per request.
    pub(super) events: u32,
    /// Requests/s to pace at; 0 for as fast as possible.
    pub(super) rate: f64,
    /// Check every answer (200, all accepted, no duplicates).
    pub(super) check: bool,
}

impl Load {
    pub(super) fn single() -> Load {
        Load { events: 1, rate: 0.0, check: false }
    }
}

/// How wrk paces a run and whether it checks the answers.
#[derive(Clone, Copy)]
pub(super) struct Pace {
    /// Requests/s to pace at; 0 for as fast as possible.
    pub(super) rate: f64,
    /// Check every answer (what is checked is the script's business).
    pub(super) check: bool,
}

pub(super) struct Wrk {
    pub(super) binary: PathBuf,
    pub(super) script: PathBuf,
    /// The script's parameters common to all its runs.
    pub(super) env: Vec<(&'static str, String)>,
}

impl Wrk {
    /// Runs the ingest script for `seconds` against `url`; its output is kept in
    /// `work/wrk-LABEL.*`.
    pub(super) fn run(
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
    pub(super) fn run_paced(
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
pub(super) struct WrkResult {
    pub(super) requests: f64,
    pub(super) duration_us: f64,
    pub(super) status_errors: f64,
    pub(super) socket_errors: f64,
    pub(super) p50_us: f64,
    pub(super) p99_us: f64,
    pub(super) checked: f64,
    pub(super) bad: f64,
    pub(super) pacing: String,
    pub(super) sample: Option<String>,
    /// wrk's whole output, for lines of a script's own.
    pub(super) stdout: String,
    /// CPU time the server under load used during the run (all its threads, user and
    /// system), when it could be read.
    pub(super) server_cpu_s: Option<f64>,
}

impl WrkResult {
    pub(super) fn parse(stdout: &str) -> Option<WrkResult> {
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
    pub(super) fn server_cpu_us_per_request(&self) -> f64 {
        self.server_cpu_s.map_or(f64::NAN, |cpu| cpu * 1e6 / self.requests)
    }

    /// Answered requests per second, not counting error statuses.
    pub(super) fn ok_rps(&self) -> f64 {
        (self.requests - self.status_errors).max(0.0) / (self.duration_us / 1e6)
    }

    pub(super) fn errors(&self) -> f64 {
        self.status_errors + self.socket_errors
    }
}

/// Fails when a run answered nothing; warns about runs with errors.
pub(super) fn check_runs(runs: &[(&str, &WrkResult)]) -> TaskResult<()> {
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

/// wrk with a script of `xtask/bench/` and its fixed parameters (installing wrk when
/// missing).
pub(super) fn wrk(root: &Path, script: &str, env: Vec<(&'static str, String)>) -> TaskResult<Wrk> {
    let wrk = Wrk { binary: ensure_wrk()?, script: root.join("xtask/bench").join(script), env };
    if !wrk.script.is_file() {
        return fail(format!("the wrk script {} is missing", wrk.script.display()));
    }
    Ok(wrk)
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
}
