//! `cargo xtask fuzz --seconds N [TARGET]`: runs the libFuzzer targets in `fuzz/`
//! (every one, or the one named) for N seconds each through cargo-fuzz, installed into
//! `target/tools` when missing, then prints per target how many inputs ran and
//! whether one crashed. Not part of `test` or CI.
//!
//! cargo-fuzz needs nightly features; `RUSTC_BOOTSTRAP=1` lets the stable toolchain
//! build them. Targets are built without a sanitizer: the code under test has no
//! `unsafe` of its own, so a panic is what a fuzzer finds, and runs are faster.
//! Each run reads the seed corpus in `fuzz/corpus/<target>` and writes the inputs it
//! finds to `fuzz/target/corpus/<target>`, so the seeds in the repository stay as they
//! are while later runs start from what earlier ones found. Crashing inputs go to
//! `fuzz/artifacts/<target>`, each run's whole log to `fuzz/target/logs/<target>.log`.

use std::path::Path;
use std::process::Command;

use crate::task::{TaskResult, fail};
use crate::tools::{ensure_cargo_fuzz, run, workspace_root};

/// The targets in `fuzz/fuzz_targets`, in the order they run.
pub const TARGETS: &[&str] =
    &["event_batch", "form_submission", "config_yaml", "rules", "markdown"];

/// Seconds one input may take before libFuzzer reports it as a hang.
const INPUT_TIMEOUT_SECS: u64 = 10;

/// What one target's run came to.
struct Outcome {
    target: &'static str,
    executions: Option<u64>,
    coverage: Option<u64>,
    crash: Option<String>,
}

pub fn run_targets(seconds: u64, only: Option<&str>) -> TaskResult<()> {
    let targets: Vec<&'static str> = match only {
        None => TARGETS.to_vec(),
        Some(name) => match TARGETS.iter().find(|target| **target == name) {
            Some(target) => vec![*target],
            None => {
                return fail(format!("no fuzz target {name}; there are {}", TARGETS.join(", ")));
            }
        },
    };
    let cargo_fuzz = ensure_cargo_fuzz()?;
    let fuzz_dir = workspace_root().join("fuzz");
    println!("xtask: building the fuzz targets");
    run(&mut fuzz_command(&cargo_fuzz, &fuzz_dir, "build"))?;
    let logs = fuzz_dir.join("target/logs");
    std::fs::create_dir_all(&logs)?;
    let mut outcomes = Vec::new();
    for target in targets {
        println!("xtask: fuzzing {target} for {seconds} s");
        let found = fuzz_dir.join("target/corpus").join(target);
        std::fs::create_dir_all(&found)?;
        let output = fuzz_command(&cargo_fuzz, &fuzz_dir, "run")
            .arg(target)
            .arg(&found)
            .arg(fuzz_dir.join("corpus").join(target))
            .arg("--")
            .arg(format!("-max_total_time={seconds}"))
            .arg(format!("-timeout={INPUT_TIMEOUT_SECS}"))
            .arg("-print_final_stats=1")
            .output()?;
        let log = [output.stdout, output.stderr].concat();
        let log = String::from_utf8_lossy(&log);
        std::fs::write(logs.join(format!("{target}.log")), log.as_bytes())?;
        let outcome = outcome_of(target, &log, output.status.success());
        if outcome.crash.is_some() {
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            for line in tail.iter().rev() {
                eprintln!("  {line}");
            }
        }
        outcomes.push(outcome);
    }
    report(&outcomes, seconds);
    let crashed: Vec<&str> =
        outcomes.iter().filter(|outcome| outcome.crash.is_some()).map(|o| o.target).collect();
    if crashed.is_empty() { Ok(()) } else { fail(format!("crashed: {}", crashed.join(", "))) }
}

/// `cargo fuzz <action>` on the fuzz crate, built into its own target folder.
fn fuzz_command(cargo_fuzz: &Path, fuzz_dir: &Path, action: &str) -> Command {
    let mut command = Command::new(cargo_fuzz);
    command
        .current_dir(workspace_root())
        .args(["fuzz", action, "--sanitizer", "none", "--fuzz-dir"])
        .arg(fuzz_dir)
        .env("RUSTC_BOOTSTRAP", "1")
        .env("CARGO_TARGET_DIR", fuzz_dir.join("target"));
    command
}

/// Reads libFuzzer's final lines: `#N DONE cov: C ...`, `stat::number_of_executed_units: N`,
/// and on a crash the path of the input it wrote.
fn outcome_of(target: &'static str, log: &str, succeeded: bool) -> Outcome {
    let number_after = |line: &str, key: &str| -> Option<u64> {
        let rest = &line[line.find(key)? + key.len()..];
        rest.split_whitespace().next()?.parse().ok()
    };
    let executions = log
        .lines()
        .find_map(|line| number_after(line, "stat::number_of_executed_units:"))
        .or_else(|| {
            let done = log.lines().find(|line| line.starts_with('#') && line.contains("\tDONE"))?;
            number_after(done, "#")
        });
    let coverage = log
        .lines()
        .filter(|line| line.starts_with('#'))
        .filter_map(|line| number_after(line, "cov:"))
        .next_back();
    let artifact = log.lines().find_map(|line| {
        let rest = &line[line.find("Test unit written to ")? + "Test unit written to ".len()..];
        Some(rest.trim().to_owned())
    });
    let crash = match artifact {
        Some(path) => Some(path),
        None if !succeeded => Some("the run failed; see its log".to_owned()),
        None => None,
    };
    Outcome { target, executions, coverage, crash }
}

fn report(outcomes: &[Outcome], seconds: u64) {
    println!("{:<16} {:>8} {:>14} {:>8}  result", "target", "seconds", "executions", "cov");
    for outcome in outcomes {
        let shown = |number: Option<u64>| number.map_or_else(|| "?".to_owned(), |n| n.to_string());
        let result = match &outcome.crash {
            Some(input) => format!("CRASH: {input}"),
            None => "no crash".to_owned(),
        };
        println!(
            "{:<16} {:>8} {:>14} {:>8}  {result}",
            outcome.target,
            seconds,
            shown(outcome.executions),
            shown(outcome.coverage),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_executions_coverage_and_the_crashing_input() {
        let done = "#2\tINITED cov: 10 ft: 11 corp: 1/1b exec/s: 0 rss: 30Mb\n\
                    #40960\tDONE   cov: 812 ft: 3001 corp: 90/4Kb lim: 4096 exec/s: 341 rss: 60Mb\n\
                    Done 40960 runs in 121 second(s)\n\
                    stat::number_of_executed_units: 40961\n";
        let outcome = outcome_of("rules", done, true);
        assert_eq!(outcome.executions, Some(40961));
        assert_eq!(outcome.coverage, Some(812));
        assert!(outcome.crash.is_none());
        let without_stats = done.lines().take(2).collect::<Vec<_>>().join("\n");
        assert_eq!(outcome_of("rules", &without_stats, true).executions, Some(40960));

        let crashed = "#512\tNEW    cov: 99 ft: 120 corp: 9/80b\n\
                       thread '<unnamed>' panicked at src/lib.rs:3:5\n\
                       ==1== ERROR: libFuzzer: deadly signal\n\
                       artifact_prefix='fuzz/artifacts/rules/'; Test unit written to fuzz/artifacts/rules/crash-ab12\n\
                       stat::number_of_executed_units: 600\n";
        let outcome = outcome_of("rules", crashed, false);
        assert_eq!(outcome.executions, Some(600));
        assert_eq!(outcome.crash.as_deref(), Some("fuzz/artifacts/rules/crash-ab12"));
    }
}
