//! `cargo xtask bench render [--json] [--runs N]`: how soon the demo home page shows
//! its Kindling hero, read as a ratio against the page's own first contentful paint in
//! the same runs, and the layout shift Kindling causes (target: 0). A benchmark, not a
//! test.
//!
//! It builds the widget bundle and the release `kindling-bench`, whose `render`
//! subcommand drives headless Chromium through the end-to-end harness (a real
//! collector on SQLite seeded from `demo-site/demo.yaml`, the demo site on a second
//! origin): each run is a new visitor opening `/`, timed from the page's own timeline
//! (`first-contentful-paint` and the widget's `kindling:inline-drawn` mark, ms from
//! navigation start). The first run fetches and compiles the bundle and is reported
//! apart; the others are medians.
//!
//! `--throttle mobile` runs the same page as a phone on a slow network (Lighthouse's
//! mobile throttling, cache off, every run a first visit) and adds the time from the
//! loader's request to the hero, the main thread's script time to 300 ms after it,
//! the longest task and the request waterfall of the median run.

use std::process::Command;

use crate::bundle;
use crate::task::{TaskResult, fail};
use crate::tools::{ensure_browser_tools, ensure_bundle_tools, workspace_root};

/// Parsed `kindling-bench render` line.
#[derive(Debug, Clone, PartialEq)]
struct Render {
    runs: u64,
    first_fcp_ms: f64,
    first_drawn_ms: f64,
    fcp_ms: f64,
    drawn_ms: f64,
    ratio: f64,
    cls_max: f64,
}

impl Render {
    fn parse(line: &str) -> Option<Render> {
        let rest = line.strip_prefix("render ")?;
        let value = |name: &str| super::common::field_number(rest, name);
        Some(Render {
            runs: value("runs")? as u64,
            first_fcp_ms: value("first_fcp_ms")?,
            first_drawn_ms: value("first_drawn_ms")?,
            fcp_ms: value("fcp_ms")?,
            drawn_ms: value("drawn_ms")?,
            ratio: value("ratio")?,
            cls_max: value("cls_max")?,
        })
    }
}

pub fn run(json: bool, runs: u64) -> TaskResult<()> {
    let heading = format!(
        "xtask: render benchmark: the demo home page in headless Chromium, {runs} new visitors (+1 cold)"
    );
    let stdout = bench_output(&heading, &["--runs", &runs.to_string()])?;
    let Some(render) = stdout.lines().rev().find_map(Render::parse) else {
        return fail(format!("kindling-bench render printed no result: {stdout}"));
    };
    println!("| measurement | result |");
    println!("|---|---|");
    println!(
        "| page's first contentful paint (baseline), median | {:.1} ms (cold: {:.1} ms) |",
        render.fcp_ms, render.first_fcp_ms
    );
    println!(
        "| Kindling hero in the page, median | {:.1} ms (cold: {:.1} ms) |",
        render.drawn_ms, render.first_drawn_ms
    );
    println!("| hero / first paint | **{:.2}** |", render.ratio);
    println!("| largest cumulative layout shift of a run | {:.4} (target 0) |", render.cls_max);
    if json {
        println!(
            "{{\"runs\":{},\"first_fcp_ms\":{:.1},\"first_drawn_ms\":{:.1},\"fcp_ms\":{:.1},\"drawn_ms\":{:.1},\"ratio\":{:.3},\"cls_max\":{:.4}}}",
            render.runs,
            render.first_fcp_ms,
            render.first_drawn_ms,
            render.fcp_ms,
            render.drawn_ms,
            render.ratio,
            render.cls_max
        );
    }
    Ok(())
}

/// `--throttle mobile`: runs the throttled benchmark and prints its table.
pub fn run_mobile(json: bool, runs: u64) -> TaskResult<()> {
    let heading = format!(
        "xtask: render benchmark, mobile throttling: the demo home page, {runs} cold new visitors"
    );
    let stdout = bench_output(&heading, &["--throttle", "mobile", "--runs", &runs.to_string()])?;
    let Some(line) = stdout.lines().rev().find_map(|line| line.strip_prefix("render-mobile "))
    else {
        return fail(format!("kindling-bench render printed no result: {stdout}"));
    };
    let value = |key: &str| -> f64 {
        line.split_whitespace()
            .find_map(|pair| pair.strip_prefix(key)?.strip_prefix('=')?.parse().ok())
            .unwrap_or(f64::NAN)
    };
    println!("request waterfall of the median run (ms from navigation start):");
    for request in stdout.lines().filter_map(|line| line.strip_prefix("waterfall ")) {
        println!("  {request}");
    }
    println!("| measurement (median) | result |");
    println!("|---|---|");
    println!("| page's first contentful paint (baseline) | {:.0} ms |", value("fcp_ms"));
    println!("| Kindling hero in the page | {:.0} ms |", value("drawn_ms"));
    println!("| hero / first paint | **{:.2}** (target ≤ 1.10) |", value("ratio"));
    println!("| loader request to hero | {:.0} ms (target ≤ 700) |", value("from_loader_ms"));
    println!("| script time to 300 ms after the hero, CPU 4× | {:.0} ms |", value("script_ms"));
    println!("| longest task | {:.0} ms |", value("longest_task_ms"));
    println!("| largest cumulative layout shift | {:.4} |", value("cls_max"));
    if json {
        let keys = ["runs", "fcp_ms", "drawn_ms", "ratio", "from_loader_ms", "script_ms"];
        let more = ["longest_task_ms", "cls_max"];
        let fields: Vec<String> =
            keys.iter().chain(&more).map(|key| format!("\"{key}\":{}", value(key))).collect();
        println!("{{{}}}", fields.join(","));
    }
    Ok(())
}

/// Builds the bundle and `kindling-bench`, prints `heading`, runs `kindling-bench
/// render ARGS` and returns what it printed.
fn bench_output(heading: &str, args: &[&str]) -> TaskResult<String> {
    let root = workspace_root();
    let bundle_tools = ensure_bundle_tools()?;
    let browser = ensure_browser_tools()?;
    bundle::build(&bundle_tools)?;
    super::common::build_bench(&root)?;
    println!("{heading}");
    let output = Command::new(root.join("target/release/kindling-bench"))
        .arg("render")
        .args(args)
        .env("KINDLING_WIDGET_DIST", bundle::dist_dir())
        .env("CHROMEDRIVER", &browser.chromedriver)
        .output()?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        return fail(format!(
            "kindling-bench render failed ({}): {stdout}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(stdout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_bench_line() {
        let line = "render runs=10 first_fcp_ms=180.0 first_drawn_ms=234.8 fcp_ms=64.0 drawn_ms=77.4 ratio=1.209 cls_max=0.0000";
        let render = Render::parse(line).expect("parses");
        assert_eq!(render.runs, 10);
        assert_eq!(render.drawn_ms, 77.4);
        assert_eq!(render.fcp_ms, 64.0);
        assert_eq!(render.cls_max, 0.0);
        assert!(Render::parse("storage rows=1").is_none());
        assert!(Render::parse("render runs=1").is_none());
    }
}
