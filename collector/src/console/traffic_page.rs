//! The markup of the traffic page ([`reports`](super::reports)): key figures against
//! the previous period, visitors and leads over time (per day, or per hour for short
//! ranges), and the channels, sources, campaigns, referrers, landing pages and pages
//! with their lead and MQL rates. Values come from visitors' URLs, referrers and
//! campaign parameters: maud escapes them like any value.

use maud::{Markup, html};

use crate::console::charts::line::{LineChart, Series, line_chart};
use crate::console::format::{query, time};
use crate::console::layout::{Chrome, page};
use crate::console::numbers::{count, percent};
use crate::console::report_parts::{kpi, report_tabs, unsigned};
use crate::console::report_range::{Chosen, compared_picker, day_text, pairs};
use crate::reporting::traffic::{Breakdown, Interval, MAX_HOURLY_DAYS, Point, TrafficReport};

/// What each breakdown is called.
pub fn breakdown_label(dimension: &str) -> &'static str {
    match dimension {
        "channel" => "Channels",
        "source" => "Sources",
        "campaign" => "Campaigns",
        "referrer" => "Referrers",
        "landing" => "Landing pages",
        _ => "Pages",
    }
}

/// The traffic page.
pub fn render(chrome: &Chrome<'_>, chosen: &Chosen, report: &TrafficReport) -> Markup {
    let site = chrome.sites.key();
    let range_pairs = pairs(chosen);
    let here = |extra: &[(&str, &str)]| {
        let mut all: Vec<(&str, &str)> = vec![("site", site)];
        all.extend(range_pairs.iter().map(|(k, v)| (*k, v.as_str())));
        all.extend(extra.iter().copied());
        ["/admin/reports/traffic?", &query(all)].concat()
    };
    let hourly = report.interval == Interval::Hour;
    let interval = if hourly { "hour" } else { "day" };
    let (t, p) = (&report.totals, &report.previous_totals);
    let content = html! {
        div.page-head { h1 { "Traffic and sources" } }
        (report_tabs(site, "traffic"))
        (compared_picker("/admin/reports/traffic", &[("site", site), ("interval", interval)], chosen))
        div.kpis {
            (kpi("Visitors", t.visitors, p.visitors))
            (kpi("Visits", t.visits, p.visits))
            (kpi("Pageviews", t.pageviews, p.pageviews))
            (kpi("Leads", t.leads, p.leads))
            (kpi("MQLs", t.mqls, p.mqls))
        }
        @if t.visits == 0 && t.pageviews == 0 {
            p.empty-state {
                "No visit in this range. Pick a longer range, or check that the snippet is on "
                "the site's pages (and that visitors gave consent where it is required)."
            }
        } @else {
            nav.report-presets aria-label="Interval" {
                a href=(here(&[("interval", "day")])) aria-current=[(!hourly).then_some("true")] { "Per day" }
                @if chosen.range.days() <= MAX_HOURLY_DAYS {
                    a href=(here(&[("interval", "hour")])) aria-current=[hourly.then_some("true")] { "Per hour" }
                }
            }
            (charts(report))
            p { a href=(here(&[("interval", interval), ("format", "csv"), ("table", "series")])) download { "Download the series (CSV)" } }
            @for breakdown in &report.breakdowns {
                (table(breakdown, &here(&[("format", "csv"), ("table", breakdown.dimension)])))
            }
        }
        p.muted {
            "Visitors are distinct browsers; a visit is credited to where its first page came "
            "from; leads and MQLs to the visit the person became a lead in, on the day it happened."
        }
    };
    page(chrome, "Traffic and sources", content)
}

/// The label of a point of the series.
pub fn point_label(point: &Point, interval: Interval) -> String {
    match interval {
        Interval::Day => day_text(point.start_ms.div_euclid(crate::console::format::DAY_MS)),
        Interval::Hour => time(point.start_ms).trim_end_matches(" UTC").to_owned(),
    }
}

fn charts(report: &TrafficReport) -> Markup {
    let labels: Vec<String> =
        report.series.iter().map(|point| point_label(point, report.interval)).collect();
    let series = |name: &str, pick: fn(&Point) -> i64| Series {
        name: name.to_owned(),
        points: report.series.iter().map(|point| pick(point) as f64).collect(),
    };
    let visitors = [
        series("Visitors", |p| p.totals.visitors),
        series("Visits", |p| p.totals.visits),
        series("Pageviews", |p| p.totals.pageviews),
    ];
    let leads = [series("Leads", |p| p.totals.leads), series("MQLs", |p| p.totals.mqls)];
    let per = if report.interval == Interval::Hour { "hour" } else { "day" };
    let (visits_caption, leads_caption) =
        (format!("Visitors, visits and pageviews per {per}"), format!("Leads and MQLs per {per}"));
    html! {
        div.report-pair {
            (line_chart(&LineChart { id: "traffic-chart", caption: &visits_caption, labels: &labels, series: &visitors }))
            (line_chart(&LineChart { id: "leads-chart", caption: &leads_caption, labels: &labels, series: &leads }))
        }
    }
}

fn table(breakdown: &Breakdown, csv: &str) -> Markup {
    let pages = breakdown.dimension == "page";
    let id = ["breakdown-", breakdown.dimension].concat();
    html! {
        section.report-section aria-labelledby=(id) {
            h2 id=(id) { (breakdown_label(breakdown.dimension)) }
            @if breakdown.rows.is_empty() {
                p.muted { "Nothing in this range." }
            } @else {
                div.table-wrap role="region" aria-label={ (breakdown_label(breakdown.dimension)) " table" } tabindex="0" {
                    table.report-table {
                        thead { tr {
                            th scope="col" { (breakdown_label(breakdown.dimension)) }
                            @if pages {
                                th.num scope="col" { "Pageviews" }
                            } @else {
                                th.num scope="col" { "Visits" }
                                th.num scope="col" { "Leads" }
                                th.num scope="col" { "Lead rate" }
                                th.num scope="col" { "MQLs" }
                                th.num scope="col" { "MQL rate" }
                            }
                        } }
                        tbody {
                            @for row in &breakdown.rows {
                                tr {
                                    th scope="row" { (row.value) }
                                    @if pages {
                                        td.num { (count(unsigned(row.pageviews))) }
                                    } @else {
                                        td.num { (count(unsigned(row.visits))) }
                                        td.num { (count(unsigned(row.leads))) }
                                        td.num { (percent(unsigned(row.leads), unsigned(row.visits))) }
                                        td.num { (count(unsigned(row.mqls))) }
                                        td.num { (percent(unsigned(row.mqls), unsigned(row.visits))) }
                                    }
                                }
                            }
                        }
                    }
                }
                p { a href=(csv) download { "Download (CSV)" } }
            }
        }
    }
}
