//! The markup of the lead quality page ([`reports`](super::reports)): leads per
//! temperature now, the score distribution, the leads per temperature on the days
//! recorded, the scoring rules that gave the most points to the range's MQLs, and the
//! leads per segment.

use maud::{Markup, html};

use crate::console::charts::bars::{Bar, bar_chart};
use crate::console::charts::line::{LineChart, Series, line_chart};
use crate::console::layout::{Chrome, page};
use crate::console::numbers::count;
use crate::console::report_parts::{report_tabs, unsigned};
use crate::console::report_range::{Chosen, day_text, picker};
use crate::reporting::quality::{BUCKET_POINTS, QualityReport, TemperatureDay};

/// The page.
pub fn render(chrome: &Chrome<'_>, chosen: &Chosen, report: &QualityReport) -> Markup {
    let site = chrome.sites.key();
    let now = &report.now;
    let buckets: Vec<Bar> = report
        .score_buckets
        .iter()
        .map(|(low, leads)| Bar {
            label: format!("{low} to {}", low + i64::from(BUCKET_POINTS) - 1),
            value: unsigned(*leads),
        })
        .collect();
    let labels: Vec<String> = report.temperature_days.iter().map(|d| day_text(d.day)).collect();
    let series = |name: &str, pick: fn(&TemperatureDay) -> i64| Series {
        name: name.to_owned(),
        points: report.temperature_days.iter().map(|d| pick(d) as f64).collect(),
    };
    let temperatures =
        [series("Hot", |d| d.hot), series("Warm", |d| d.warm), series("Cold", |d| d.cold)];
    let content = html! {
        div.page-head { h1 { "Lead quality" } }
        (report_tabs(site, "quality"))
        (picker("/admin/reports/quality", &[("site", site)], chosen))
        div.kpis {
            div.kpi { span.kpi-label { "Hot leads now" } span.kpi-value { (count(unsigned(now.hot))) } }
            div.kpi { span.kpi-label { "Warm leads now" } span.kpi-value { (count(unsigned(now.warm))) } }
            div.kpi { span.kpi-label { "Cold leads now" } span.kpi-value { (count(unsigned(now.cold))) } }
        }
        @if now.hot + now.warm + now.cold == 0 {
            p.empty-state { "No lead yet: leads appear once a visitor leaves an email in a form or is identified." }
        } @else {
            div.report-pair {
                (bar_chart("score-chart", "Leads by score", &buckets))
                (line_chart(&LineChart { id: "temperature-chart", caption: "Leads by temperature, as recorded each day", labels: &labels, series: &temperatures }))
            }
            p.muted { "Temperatures are recorded once a day, the first time this page is read that day." }
            section.report-section aria-labelledby="rules-title" {
                h2 #rules-title { "Rules that made MQLs" }
                @if report.mql_rules.is_empty() {
                    p.muted { "Nobody became an MQL in this range." }
                } @else {
                    div.table-wrap role="region" aria-label="Rules table" tabindex="0" { table.report-table {
                        thead { tr { th scope="col" { "Rule" } th.num scope="col" { "Points" } th.num scope="col" { "MQLs it scored" } } }
                        tbody { @for rule in &report.mql_rules {
                            tr { th scope="row" { (rule.rule) } td.num { (rule.points) } td.num { (count(unsigned(rule.persons))) } }
                        } }
                    } }
                    p.muted { "Points the persons that became MQLs in the range had from each rule when they became MQLs." }
                }
            }
            section.report-section aria-labelledby="segments-title" {
                h2 #segments-title { "Leads by segment" }
                @if report.segments.is_empty() {
                    p.muted { "No lead is in a segment." }
                } @else {
                    div.table-wrap role="region" aria-label="Segments table" tabindex="0" { table.report-table {
                        thead { tr { th scope="col" { "Segment" } th.num scope="col" { "Leads" } } }
                        tbody { @for (segment, leads) in &report.segments {
                            tr { th scope="row" { (segment) } td.num { (count(unsigned(*leads))) } }
                        } }
                    } }
                }
            }
        }
    };
    page(chrome, "Lead quality", content)
}
