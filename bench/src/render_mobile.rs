//! `render --throttle mobile`: the demo home page as a phone on a slow network sees it,
//! with Lighthouse's mobile throttling applied through the DevTools protocol (150 ms
//! round trip, 1.6 Mbit/s down, 750 kbit/s up, the CPU slowed 4×) and the cache off,
//! so every run is a first visit of a new visitor.
//!
//! Read per run, from the page's timeline and the DevTools `Performance` metrics: the
//! page's first contentful paint (the baseline), the hero drawn
//! (`kindling:inline-drawn`), the time from the loader's request to the hero, the main
//! thread's script time (`ScriptDuration`) up to 300 ms after the hero, the longest
//! task, and the layout shift. Medians over the runs; the request waterfall of the
//! median run is printed too.

use std::time::Duration;

use kindling_e2e::{Browser, Stack};

use crate::render::{FORGET_THE_VISITOR, median, open_and_time};
use serde_json::{Value, json};

/// One run's figures.
#[derive(Debug, Clone)]
struct Run {
    fcp_ms: f64,
    drawn_ms: f64,
    loader_start_ms: f64,
    script_ms: f64,
    longest_task_ms: f64,
    cls: f64,
    waterfall: Vec<(String, f64, f64)>,
}

/// The medians of the runs.
#[derive(Debug, Clone)]
pub struct Report {
    pub runs: usize,
    pub fcp_ms: f64,
    pub drawn_ms: f64,
    pub from_loader_ms: f64,
    pub script_ms: f64,
    pub longest_task_ms: f64,
    pub cls_max: f64,
    /// The median run's requests: URL, start and end (ms from navigation start).
    pub waterfall: Vec<(String, f64, f64)>,
}

impl Report {
    pub fn ratio(&self) -> f64 {
        self.drawn_ms / self.fcp_ms
    }

    /// The line `xtask bench render --throttle mobile` parses.
    pub fn line(&self) -> String {
        format!(
            "render-mobile runs={} fcp_ms={:.1} drawn_ms={:.1} ratio={:.3} from_loader_ms={:.1} script_ms={:.1} longest_task_ms={:.1} cls_max={:.4}",
            self.runs,
            self.fcp_ms,
            self.drawn_ms,
            self.ratio(),
            self.from_loader_ms,
            self.script_ms,
            self.longest_task_ms,
            self.cls_max
        )
    }
}

/// The main thread's script time so far, in ms.
async fn script_ms(browser: &Browser) -> f64 {
    let metrics = browser.devtools("Performance.getMetrics", json!({})).await;
    metrics["metrics"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|metric| metric["name"] == "ScriptDuration")
        .and_then(|metric| metric["value"].as_f64())
        .map_or(0.0, |seconds| seconds * 1000.0)
}

/// Opens the demo home page `runs` times, throttled, as new visitors.
pub async fn run(runs: usize) -> Result<Report, String> {
    let stack = Stack::demo().await;
    let browser = Browser::start().await;
    let home = format!("{}/", stack.site);
    browser.devtools("Network.enable", json!({})).await;
    browser.devtools("Performance.enable", json!({})).await;
    browser.devtools("Network.setCacheDisabled", json!({"cacheDisabled": true})).await;
    browser
        .devtools(
            "Network.emulateNetworkConditions",
            json!({"offline": false, "latency": 150, "downloadThroughput": 204_800,
                   "uploadThroughput": 96_000}),
        )
        .await;
    browser.devtools("Emulation.setCPUThrottlingRate", json!({"rate": 4})).await;
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        browser.client.goto("about:blank").await.map_err(|error| error.to_string())?;
        tokio::time::sleep(Duration::from_millis(200)).await;
        let before = script_ms(&browser).await;
        let timing = open_and_time(&browser, &home).await?;
        let after = script_ms(&browser).await;
        samples.push(parse(&timing, if after >= before { after - before } else { after })?);
        browser.eval(FORGET_THE_VISITOR).await;
    }
    browser.close().await;
    let median_of = |read: fn(&Run) -> f64| median(samples.iter().map(read).collect());
    let drawn_ms = median_of(|run| run.drawn_ms);
    let middle = samples
        .iter()
        .min_by(|a, b| (a.drawn_ms - drawn_ms).abs().total_cmp(&(b.drawn_ms - drawn_ms).abs()))
        .map(|run| run.waterfall.clone())
        .unwrap_or_default();
    Ok(Report {
        runs,
        fcp_ms: median_of(|run| run.fcp_ms),
        drawn_ms,
        from_loader_ms: median_of(|run| run.drawn_ms - run.loader_start_ms),
        script_ms: median_of(|run| run.script_ms),
        longest_task_ms: median_of(|run| run.longest_task_ms),
        cls_max: samples.iter().map(|run| run.cls).fold(0.0, f64::max),
        waterfall: middle,
    })
}

fn parse(timing: &Value, script_ms: f64) -> Result<Run, String> {
    let parts = timing.as_array().ok_or("the hero was not drawn within 30 s")?;
    let number = |index: usize| parts.get(index).and_then(Value::as_f64).unwrap_or(f64::NAN);
    let waterfall: Vec<(String, f64, f64)> = parts
        .get(4)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|request| {
            let request = request.as_array()?;
            Some((
                request.first()?.as_str()?.to_owned(),
                request.get(1)?.as_f64()?,
                request.get(2)?.as_f64()?,
            ))
        })
        .collect();
    let loader_start_ms = waterfall
        .iter()
        .find(|(url, _, _)| url.ends_with("/kindling.js"))
        .map_or(f64::NAN, |(_, start, _)| *start);
    Ok(Run {
        fcp_ms: number(0),
        drawn_ms: number(1),
        cls: number(2),
        longest_task_ms: number(3),
        loader_start_ms,
        script_ms,
        waterfall,
    })
}
