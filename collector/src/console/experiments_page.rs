//! The markup of the blocks and experiments page ([`reports`](super::reports)): per
//! block, a warning when the split departs from the weights, the verdict per variant,
//! the variants' figures (persons first shown, impressions, clicks, CTR, dismissals,
//! goal, leads, MQLs, SQLs), and each metric against the control with P(beats
//! control) and the 95 % credible interval of the difference; a bar chart of MQLs per
//! 1,000 persons; and the method the numbers use.

use maud::{Markup, html};

use crate::console::charts::bars::{Bar, bar_chart};
use crate::console::layout::{Chrome, page};
use crate::console::numbers::{count, ratio_percent};
use crate::console::report_parts::report_tabs;
use crate::console::report_range::{Chosen, picker};
use crate::reporting::experiments::{BlockExperiment, ExperimentsReport, Metric, VariantResult};

fn metric_label(metric: &str) -> &'static str {
    match metric {
        "ctr" => "Clicks per impression",
        "goal" => "Reached the goal",
        "leads" => "Became leads",
        "mqls" => "Became MQLs",
        _ => "Became SQLs",
    }
}

/// The page.
pub fn render(chrome: &Chrome<'_>, chosen: &Chosen, report: &ExperimentsReport) -> Markup {
    let site = chrome.sites.key();
    let content = html! {
        div.page-head { h1 { "Blocks and experiments" } }
        (report_tabs(site, "blocks"))
        (picker("/admin/reports/blocks", &[("site", site)], chosen))
        @if report.blocks.is_empty() {
            p.empty-state {
                "No block was shown in this range. Publish a block (Blocks), or pick a "
                "longer range."
            }
        }
        @for block in &report.blocks {
            (section(block))
        }
        details.method {
            summary { "How these numbers are computed" }
            p { (report.method) }
        }
    };
    page(chrome, "Blocks and experiments", content)
}

fn section(block: &BlockExperiment) -> Markup {
    let id = ["block-", &block.block].concat();
    let bars: Vec<Bar> = block
        .variants
        .iter()
        .map(|variant| Bar { label: variant.variant.clone(), value: per_thousand(variant, "mqls") })
        .collect();
    html! {
        section.report-section aria-labelledby=(id) {
            h2 id=(id) { (block.name) " " span.muted { "(" (block.block) ")" } }
            @if block.sample_ratio_mismatch {
                p.notice.warning role="alert" {
                    strong { "Sample ratio mismatch. " }
                    "The visitors per variant depart from the configured weights (p = "
                    (format!("{:.1e}", block.split_p_value.unwrap_or(0.0)))
                    "): the split is broken somewhere (caching, a redirect, bots), so no result below can be trusted yet."
                }
            }
            @if !block.verdicts.is_empty() {
                ul.verdicts { @for verdict in &block.verdicts { li { (verdict) } } }
            }
            div.table-wrap role="region" aria-label={ (block.name) " variants table" } tabindex="0" {
                table.report-table {
                    caption.visually-hidden { (block.name) ": variants" }
                    thead { tr {
                        th scope="col" { "Variant" }
                        th.num scope="col" { "Weight" }
                        th.num scope="col" { "Visitors" }
                        th.num scope="col" { "Impressions" }
                        th.num scope="col" { "Clicks" }
                        th.num scope="col" { "CTR" }
                        th.num scope="col" { "Dismissals" }
                        th.num scope="col" { "Goal" }
                        th.num scope="col" { "Leads" }
                        th.num scope="col" { "MQLs" }
                        th.num scope="col" { "SQLs" }
                    } }
                    tbody {
                        @for v in &block.variants {
                            tr {
                                th scope="row" { (v.variant) @if v.control { " " span.badge { "control" } } }
                                td.num { (v.weight) }
                                td.num { (count(v.persons)) }
                                td.num { (count(v.impressions)) }
                                td.num { (count(v.clicks)) }
                                td.num { (rate(v, "ctr")) }
                                td.num { (count(v.dismissals)) }
                                td.num { (hits(v, "goal")) }
                                td.num { (hits(v, "leads")) }
                                td.num { (hits(v, "mqls")) }
                                td.num { (hits(v, "sqls")) }
                            }
                        }
                    }
                }
            }
            @if block.variants.len() > 1 {
                (comparisons(block))
            }
            (bar_chart(&[&id, "-mqls"].concat(), "MQLs per 1,000 visitors shown the variant", &bars))
        }
    }
}

fn comparisons(block: &BlockExperiment) -> Markup {
    html! {
        div.table-wrap role="region" aria-label="Against the control" tabindex="0" {
            table.report-table {
                caption { "Against the control (" (block.variants[0].variant) ")" }
                thead { tr {
                    th scope="col" { "Variant" }
                    th scope="col" { "Metric" }
                    th.num scope="col" { "Rate" }
                    th.num scope="col" { "P(beats control)" }
                    th.num scope="col" { "Difference (95% interval)" }
                } }
                tbody {
                    @for v in block.variants.iter().skip(1) {
                        @for m in &v.metrics {
                            tr {
                                th scope="row" { (v.variant) }
                                td { (metric_label(m.metric)) }
                                td.num { (ratio_percent(m.rate)) }
                                (versus(m))
                            }
                        }
                    }
                }
            }
        }
    }
}

fn versus(metric: &Metric) -> Markup {
    match &metric.versus_control {
        Some(c) => html! {
            td.num { (format!("{:.0}%", c.probability_to_beat_control * 100.0)) }
            td.num { (points(c.difference_low)) " to " (points(c.difference_high)) }
        },
        None => html! { td.num { "—" } td.num { "—" } },
    }
}

/// A difference of rates in percentage points.
fn points(value: f64) -> String {
    let text = format!("{:+.2} pp", value * 100.0);
    text.replacen('-', "\u{2212}", 1)
}

fn find<'a>(variant: &'a VariantResult, name: &str) -> Option<&'a Metric> {
    variant.metrics.iter().find(|m| m.metric == name)
}

fn rate(variant: &VariantResult, name: &str) -> String {
    find(variant, name).map_or_else(|| "—".to_owned(), |m| ratio_percent(m.rate))
}

fn hits(variant: &VariantResult, name: &str) -> String {
    find(variant, name).map_or_else(|| "—".to_owned(), |m| count(m.hits))
}

fn per_thousand(variant: &VariantResult, name: &str) -> u64 {
    find(variant, name).map_or(0, |m| (m.rate * 1000.0).round() as u64)
}
