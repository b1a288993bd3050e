//! `cargo xtask bench handoff [--json] [--leads N]`: speed to lead, from the request
//! that makes a lead hot to its CRM hand-off arriving at a receiver, idle and while 16
//! clients load the collector, read as a ratio against a bare signed webhook round trip
//! measured in the same run (target: under one second). A benchmark, not a test.
//!
//! It builds the release `kindling-bench`, whose `handoff` subcommand runs a webhook
//! receiver and the collector (SQLite, one site with a hot-lead workflow) in one
//! process; see `bench/src/handoff.rs` for the three measurements.

use std::process::Command;

use crate::task::{TaskResult, fail};
use crate::tools::workspace_root;

/// Parsed `kindling-bench handoff` line (milliseconds).
#[derive(Debug, Clone, PartialEq)]
struct Handoff {
    leads: u64,
    baseline_p50: f64,
    baseline_p99: f64,
    idle_p50: f64,
    idle_p99: f64,
    loaded_p50: f64,
    loaded_p99: f64,
    load_rps: f64,
    metric_mean: f64,
}

impl Handoff {
    fn parse(line: &str) -> Option<Handoff> {
        let rest = line.strip_prefix("handoff ")?;
        let value = |name: &str| super::common::field_number(rest, name);
        Some(Handoff {
            leads: value("leads")? as u64,
            baseline_p50: value("baseline_p50_ms")?,
            baseline_p99: value("baseline_p99_ms")?,
            idle_p50: value("idle_p50_ms")?,
            idle_p99: value("idle_p99_ms")?,
            loaded_p50: value("loaded_p50_ms")?,
            loaded_p99: value("loaded_p99_ms")?,
            load_rps: value("load_rps")?,
            metric_mean: value("metric_mean_ms")?,
        })
    }
}

pub fn run(json: bool, leads: u64) -> TaskResult<()> {
    let root = workspace_root();
    super::common::build_bench(&root)?;
    println!(
        "xtask: hand-off benchmark: {leads} leads idle, {leads} under load, against a bare signed webhook"
    );
    let output = Command::new(root.join("target/release/kindling-bench"))
        .args(["handoff", "--leads", &leads.to_string()])
        .output()?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let Some(found) = stdout.lines().rev().find_map(Handoff::parse) else {
        return fail(format!(
            "kindling-bench handoff failed ({}): {}{}",
            output.status,
            stdout,
            String::from_utf8_lossy(&output.stderr)
        ));
    };
    let ratio = |ms: f64| ms / found.baseline_p50;
    println!("| measurement | p50 | p99 | p50 / baseline p50 |");
    println!("|---|---|---|---|");
    println!(
        "| bare signed webhook, new connection (baseline) | {:.2} ms | {:.2} ms | 1 |",
        found.baseline_p50, found.baseline_p99
    );
    println!(
        "| speed to lead, idle collector | {:.2} ms | {:.2} ms | {:.1} |",
        found.idle_p50,
        found.idle_p99,
        ratio(found.idle_p50)
    );
    println!(
        "| speed to lead, under load ({:.0} requests/s) | {:.2} ms | {:.2} ms | {:.1} |",
        found.load_rps,
        found.loaded_p50,
        found.loaded_p99,
        ratio(found.loaded_p50)
    );
    println!(
        "xtask: the collector's kindling_speed_to_lead_seconds (event received to hand-off leaving): mean {:.2} ms over {} hand-offs; target under 1000 ms",
        found.metric_mean,
        found.leads * 2
    );
    if json {
        println!(
            "{{\"leads\":{},\"baseline_p50_ms\":{:.3},\"baseline_p99_ms\":{:.3},\"idle_p50_ms\":{:.3},\"idle_p99_ms\":{:.3},\"loaded_p50_ms\":{:.3},\"loaded_p99_ms\":{:.3},\"load_rps\":{:.1},\"metric_mean_ms\":{:.3},\"idle_ratio\":{:.2},\"loaded_ratio\":{:.2}}}",
            found.leads,
            found.baseline_p50,
            found.baseline_p99,
            found.idle_p50,
            found.idle_p99,
            found.loaded_p50,
            found.loaded_p99,
            found.load_rps,
            found.metric_mean,
            ratio(found.idle_p50),
            ratio(found.loaded_p50)
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_bench_line() {
        let line = "handoff leads=100 baseline_p50_ms=0.344 baseline_p99_ms=1.883 idle_p50_ms=3.477 \
                    idle_p99_ms=5.913 loaded_p50_ms=20.077 loaded_p99_ms=33.276 load_rps=1526.8 metric_mean_ms=11.310";
        let found = Handoff::parse(line).expect("parses");
        assert_eq!(found.leads, 100);
        assert_eq!(found.loaded_p99, 33.276);
        assert!(Handoff::parse("handoff leads=1").is_none());
        assert!(Handoff::parse("render runs=1").is_none());
    }
}
