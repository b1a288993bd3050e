//! What the report pages share: the tabs between reports and a key figure with its
//! change against the previous period.

use maud::{Markup, html};

use crate::console::format::query;
use crate::console::numbers::{change, count};

/// The report pages, as (name, label).
const REPORTS: [(&str, &str); 6] = [
    ("funnel", "Funnel"),
    ("traffic", "Traffic and sources"),
    ("blocks", "Blocks and experiments"),
    ("forms", "Forms"),
    ("quality", "Lead quality"),
    ("automation", "Automation"),
];

/// Counts are never negative; a rollup row going below zero would be a bug shown as 0.
pub fn unsigned(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

/// Links to every report page, the current one marked.
pub fn report_tabs(site: &str, current: &str) -> Markup {
    html! {
        nav.report-presets.report-tabs aria-label="Reports" {
            @for (name, label) in REPORTS {
                a href={ "/admin/reports/" (name) "?" (query([("site", site)])) }
                    aria-current=[(name == current).then_some("page")] { (label) }
            }
        }
    }
}

/// A key figure: `now`, and how it changed from `before`.
pub fn kpi(label: &str, now: i64, before: i64) -> Markup {
    let (now, before) = (unsigned(now), unsigned(before));
    let direction = match now.cmp(&before) {
        std::cmp::Ordering::Greater => "up",
        std::cmp::Ordering::Less => "down",
        std::cmp::Ordering::Equal => "same",
    };
    html! {
        div.kpi {
            span.kpi-label { (label) }
            span.kpi-value { (count(now)) }
            span class={ "kpi-change " (direction) } {
                @match change(now, before) {
                    Some(changed) => { (changed) " vs previous period" }
                    None => { "No previous period data" }
                }
            }
        }
    }
}
