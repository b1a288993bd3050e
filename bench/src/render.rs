//! `render`: how soon the demo home page shows its Kindling hero, and whether anything
//! moves when it does, in headless Chromium (the end-to-end harness: a real collector
//! on SQLite, the demo site on a second origin, the built widget bundle).
//!
//! Each run is a new visitor (storage and the visitor cookie cleared) opening the home
//! page. Read from the page's own timeline (`performance`, ms from navigation start):
//! the page's first contentful paint (the baseline: the site without Kindling) and the
//! widget's `kindling:inline-drawn` mark (the hero is in the DOM; the next frame paints
//! it), plus the page's cumulative layout shift. The first run is reported apart: it
//! fetches and compiles the bundle; later runs come from the browser's cache, as a
//! visitor's second page does.

use std::time::Duration;

use kindling_e2e::{Browser, Stack};
use serde_json::Value;

/// What the runs measured.
#[derive(Debug, Clone)]
pub struct Report {
    pub runs: usize,
    pub first_fcp_ms: f64,
    pub first_drawn_ms: f64,
    /// Medians over the runs after the first.
    pub fcp_ms: f64,
    pub drawn_ms: f64,
    /// The largest cumulative layout shift of any run.
    pub cls_max: f64,
}

impl Report {
    /// Time to the hero over time to the page's first paint (median runs).
    pub fn ratio(&self) -> f64 {
        self.drawn_ms / self.fcp_ms
    }

    /// The line `xtask bench render` parses.
    pub fn line(&self) -> String {
        format!(
            "render runs={} first_fcp_ms={:.1} first_drawn_ms={:.1} fcp_ms={:.1} drawn_ms={:.1} ratio={:.3} cls_max={:.4}",
            self.runs,
            self.first_fcp_ms,
            self.first_drawn_ms,
            self.fcp_ms,
            self.drawn_ms,
            self.ratio(),
            self.cls_max
        )
    }
}

/// Waits for the hero and the first contentful paint, polling every 100 ms (observers
/// of paint and mark entries delayed the widget under throttling), then reads the
/// timeline: `[fcp, drawn, layout shift, longest task, [[url, start, end], ...]]`.
pub(crate) const TIMING: &str = "const done = arguments[0];
    const deadline = Date.now() + 30000;
    let longest = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) longest = Math.max(longest, entry.duration);
    }).observe({type: 'longtask', buffered: true});
    (function poll() {
      const drawn = performance.getEntriesByName('kindling:inline-drawn')[0];
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      if (drawn && fcp) {
        let cls = 0;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) { if (!entry.hadRecentInput) cls += entry.value; }
        }).observe({type: 'layout-shift', buffered: true});
        const requests = performance.getEntriesByType('resource')
          .map((e) => [e.name, e.startTime, e.responseEnd]);
        setTimeout(() => done([fcp.startTime, drawn.startTime, cls, longest, requests]), 300);
      } else if (Date.now() > deadline) {
        done(null);
      } else {
        setTimeout(poll, 100);
      }
    })();";

pub(crate) const FORGET_THE_VISITOR: &str = "localStorage.clear(); sessionStorage.clear();
    document.cookie = 'kd_vid=; max-age=0; path=/'; return true;";

/// Opens the demo home page `runs` + 1 times as new visitors.
pub async fn run(runs: usize) -> Result<Report, String> {
    let stack = Stack::demo().await;
    let browser = Browser::start().await;
    let home = format!("{}/", stack.site);
    let mut samples: Vec<(f64, f64, f64)> = Vec::with_capacity(runs + 1);
    for _ in 0..=runs {
        let timing = open_and_time(&browser, &home).await?;
        let numbers: Vec<f64> = timing
            .as_array()
            .ok_or("the hero was not drawn within 30 s")?
            .iter()
            .filter_map(serde_json::Value::as_f64)
            .collect();
        let [fcp, drawn, cls, ..] = numbers[..] else {
            return Err(format!("unexpected timing {timing}"));
        };
        samples.push((fcp, drawn, cls));
        browser.eval(FORGET_THE_VISITOR).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    browser.close().await;
    let (first_fcp_ms, first_drawn_ms, _) = samples[0];
    let later = &samples[1..];
    Ok(Report {
        runs,
        first_fcp_ms,
        first_drawn_ms,
        fcp_ms: median(later.iter().map(|sample| sample.0).collect()),
        drawn_ms: median(later.iter().map(|sample| sample.1).collect()),
        cls_max: samples.iter().map(|sample| sample.2).fold(0.0, f64::max),
    })
}

/// Opens `url` and reads its timeline once the hero is drawn ([`TIMING`]).
pub(crate) async fn open_and_time(browser: &Browser, url: &str) -> Result<Value, String> {
    browser.client.goto(url).await.map_err(|error| format!("open {url}: {error}"))?;
    browser.client.execute_async(TIMING, vec![]).await.map_err(|error| error.to_string())
}

pub(crate) fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(Vec::new()).is_nan());
    }
}
