//! The markup of the funnel page ([`reports`](super::reports)): the range picker, the
//! stages' key figures against the previous period, the funnel chart of the cohort
//! (or of the row picked), the median times between stages, and the breakdown table
//! whose rows pick the chart's row. Breakdown values come from visitors' URLs and
//! campaign parameters: maud escapes them like any value.

use maud::{Markup, html};

use crate::console::charts::funnel::{Step, funnel_chart};
use crate::console::format::query;
use crate::console::layout::{Chrome, page};
use crate::console::numbers::{count, duration_ms, percent};
use crate::console::report_parts::{kpi, report_tabs, unsigned};
use crate::console::report_range::{Chosen, compared_picker, pairs};
use crate::reporting::funnel::{FunnelReport, Stages};
use crate::store::records::FUNNEL_BREAKDOWNS;

/// What each breakdown is called.
pub fn breakdown_label(name: &str) -> &'static str {
    match name {
        "first_channel" => "First-touch channel",
        "first_source" => "First-touch source",
        "first_campaign" => "First-touch campaign",
        "first_landing" => "First-touch landing page",
        "last_channel" => "Last-touch channel",
        "last_source" => "Last-touch source",
        "last_campaign" => "Last-touch campaign",
        _ => "Last-touch landing page",
    }
}

/// The funnel page.
pub fn render(chrome: &Chrome<'_>, chosen: &Chosen, report: &FunnelReport) -> Markup {
    let site = chrome.sites.key();
    let range_pairs = pairs(chosen);
    let link = |breakdown: &str, value: Option<&str>| {
        let mut all: Vec<(&str, &str)> = vec![("site", site), ("breakdown", breakdown)];
        all.extend(range_pairs.iter().map(|(k, v)| (*k, v.as_str())));
        if let Some(value) = value {
            all.push(("value", value));
        }
        ["/admin/reports/funnel?", &query(all)].concat()
    };
    let csv = {
        let mut all: Vec<(&str, &str)> = vec![("site", site), ("breakdown", report.breakdown)];
        all.extend(range_pairs.iter().map(|(k, v)| (*k, v.as_str())));
        all.push(("format", "csv"));
        ["/admin/reports/funnel?", &query(all)].concat()
    };
    let caption = match &report.selected {
        Some(value) => format!("{}: {value}", breakdown_label(report.breakdown)),
        None => "Everyone first seen in the range".to_owned(),
    };
    let content = html! {
        div.page-head { h1 { "Funnel" } }
        (report_tabs(site, "funnel"))
        (compared_picker("/admin/reports/funnel", &[("site", site), ("breakdown", report.breakdown)], chosen))
        (figures(&report.total, &report.previous_total))
        @if report.total.visitors == 0 {
            p.empty-state {
                "Nobody was first seen in this range. Pick a longer range, or check that the "
                "snippet is on the site's pages."
            }
        } @else {
            div.report-pair {
                (funnel_chart("funnel-chart", &caption, &steps(&report.shown)))
                (times(report))
            }
            h2 #breakdown { "Breakdown" }
            nav.report-presets aria-label="Breakdowns" {
                @for name in FUNNEL_BREAKDOWNS {
                    a href=(link(name, None)) aria-current=[(name == report.breakdown).then_some("true")] { (breakdown_label(name)) }
                }
            }
            (table(report, &link))
            p { a href=(csv) download { "Download this table (CSV)" } }
        }
        p.muted {
            "The cohort is everyone first seen in the range; later stages count whenever "
            "they were reached, and a skipped stage counts as passed. The last touch is "
            "the visit a person became a lead in."
        }
    };
    page(chrome, "Funnel", content)
}

fn steps(stages: &Stages) -> Vec<Step> {
    stages
        .steps()
        .into_iter()
        .map(|(label, n)| Step { label: label.to_owned(), count: unsigned(n) })
        .collect()
}

fn figures(total: &Stages, previous: &Stages) -> Markup {
    html! {
        div.kpis {
            @for ((label, now), (_, before)) in total.steps().into_iter().zip(previous.steps()) {
                (kpi(label, now, before))
            }
        }
    }
}

fn times(report: &FunnelReport) -> Markup {
    let times = &report.times;
    let rows = [
        ("First visit → lead", times.visitor_to_lead_ms),
        ("Lead → MQL", times.lead_to_mql_ms),
        ("MQL → SQL", times.mql_to_sql_ms),
        ("SQL → customer", times.sql_to_customer_ms),
    ];
    let shown = &report.shown;
    html! {
        section.report-times aria-labelledby="times-title" {
            h2 #times-title { "Median time between stages" }
            dl.facts {
                @for (label, ms) in rows {
                    div { dt { (label) } dd { (ms.map_or_else(|| "—".to_owned(), duration_ms)) } }
                }
            }
            p.muted {
                "End to end: " (percent(unsigned(shown.customers), unsigned(shown.visitors)))
                " of visitors became customers, " (percent(unsigned(shown.mqls), unsigned(shown.visitors)))
                " became MQLs."
            }
        }
    }
}

fn table(report: &FunnelReport, link: &dyn Fn(&str, Option<&str>) -> String) -> Markup {
    html! {
        div.table-wrap role="region" aria-label="Breakdown table" tabindex="0" {
            table.report-table {
                caption.visually-hidden { "Funnel by " (breakdown_label(report.breakdown)) }
                thead { tr {
                    th scope="col" { (breakdown_label(report.breakdown)) }
                    th.num scope="col" { "Visitors" }
                    th.num scope="col" { "Leads" }
                    th.num scope="col" { "Visitor → lead" }
                    th.num scope="col" { "MQLs" }
                    th.num scope="col" { "Lead → MQL" }
                    th.num scope="col" { "SQLs" }
                    th.num scope="col" { "MQL → SQL" }
                    th.num scope="col" { "Customers" }
                    th.num scope="col" { "End to end" }
                } }
                tbody {
                    @for row in &report.rows {
                        @let picked = report.selected.as_deref() == Some(row.value.as_str());
                        tr aria-current=[picked.then_some("true")] {
                            th scope="row" {
                                a href={ (link(report.breakdown, (!picked).then_some(row.value.as_str()))) "#breakdown" } { (row.value) }
                            }
                            (cells(&row.stages))
                        }
                    }
                }
                tfoot { tr { th scope="row" { "All" } (cells(&report.total)) } }
            }
        }
    }
}

fn cells(s: &Stages) -> Markup {
    let n = |value: i64| count(unsigned(value));
    let rate = |part: i64, whole: i64| percent(unsigned(part), unsigned(whole));
    html! {
        td.num { (n(s.visitors)) }
        td.num { (n(s.leads)) }
        td.num { (rate(s.leads, s.visitors)) }
        td.num { (n(s.mqls)) }
        td.num { (rate(s.mqls, s.leads)) }
        td.num { (n(s.sqls)) }
        td.num { (rate(s.sqls, s.mqls)) }
        td.num { (n(s.customers)) }
        td.num { (rate(s.customers, s.visitors)) }
    }
}
