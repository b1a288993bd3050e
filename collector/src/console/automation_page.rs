//! The markup of the automation report ([`automation_report`](super::automation_report)):
//! each workflow's runs and steps, the webhook deliveries per endpoint with the dead
//! letters (and, for editors and owners, a button replaying each), and the speed to
//! lead per day with its median and 99th percentile. Endpoint names, leads and the
//! receivers' error texts are data: maud escapes them like any value.

use maud::{Markup, html};

use crate::accounts::Role;
use crate::automation::deliveries::{EndpointDeliveries, Speed, SpeedToLead};
use crate::automation::report::{WorkflowReport, WorkflowsReport};
use crate::console::charts::line::{LineChart, Series, line_chart};
use crate::console::format::{person_path, query, segment, time};
use crate::console::layout::{Chrome, page};
use crate::console::numbers::{NONE, count, duration_ms};
use crate::console::report_parts::report_tabs;
use crate::console::report_range::{Chosen, day_text, pairs, picker};
use crate::store::OutboxMessage;

/// The page's path.
pub const PATH: &str = "/admin/reports/automation";

/// The most dead letters the page lists.
pub const MAX_DEAD_LETTERS: u32 = 100;

/// What the page shows.
#[derive(Debug)]
pub struct AutomationView {
    pub workflows: WorkflowsReport,
    pub endpoints: Vec<EndpointDeliveries>,
    /// Oldest first.
    pub dead_letters: Vec<OutboxMessage>,
    pub speed: SpeedToLead,
}

/// The path replaying dead letter `id` of `site`.
pub fn replay_path(id: &str, site: &str) -> String {
    format!("{PATH}/replay/{}?{}", segment(id), query([("site", site)]))
}

/// The automation page; `replayed` names the message just replayed.
pub fn render(
    chrome: &Chrome<'_>,
    chosen: &Chosen,
    view: &AutomationView,
    replayed: Option<&str>,
) -> Markup {
    let site = chrome.sites.key();
    let range_pairs = pairs(chosen);
    let csv = |table: &str| {
        let mut all: Vec<(&str, &str)> = vec![("site", site)];
        all.extend(range_pairs.iter().map(|(k, v)| (*k, v.as_str())));
        all.extend([("format", "csv"), ("table", table)]);
        [PATH, "?", &query(all)].concat()
    };
    let may_replay = chrome.actor.may(Role::Editor);
    let content = html! {
        div.page-head { h1 { "Automation" } }
        (report_tabs(site, "automation"))
        @if let Some(id) = replayed {
            p.notice role="status" { "Message " code { (id) } " was sent again." }
        }
        (picker(PATH, &[("site", site)], chosen))
        (speed_figures(&view.speed.total))
        (workflows(&view.workflows.workflows, &csv("workflows")))
        (deliveries(&view.endpoints, &csv("deliveries")))
        (dead_letters(&view.dead_letters, site, may_replay))
        (speed_chart(&view.speed))
        p.muted {
            "Runs and deliveries count what started or was created in the range; speed to "
            "lead is the time from what made a lead hot to its CRM hand-off being delivered, "
            "for hand-offs delivered in the range. Dead letters are listed whenever they died."
        }
    };
    page(chrome, "Automation", content)
}

fn ms_text(ms: Option<i64>) -> String {
    ms.map_or_else(|| NONE.to_owned(), duration_ms)
}

fn speed_figures(total: &Speed) -> Markup {
    let figure = |label: &str, ms: Option<i64>| {
        html! {
            div.kpi {
                span.kpi-label { (label) }
                span.kpi-value { (ms_text(ms)) }
                span.kpi-change.same { "CRM hand-offs delivered: " (count(total.handoffs)) }
            }
        }
    };
    html! {
        div.kpis {
            (figure("Speed to lead, median", total.p50_ms))
            (figure("Speed to lead, 99th percentile", total.p99_ms))
        }
    }
}

fn workflows(workflows: &[WorkflowReport], csv: &str) -> Markup {
    html! {
        section.report-section aria-labelledby="workflows-title" {
            h2 #workflows-title { "Workflows" }
            @if workflows.is_empty() {
                p.muted { "No workflow is configured for this site." }
            } @else {
                div.table-wrap role="region" aria-label="Workflow steps table" tabindex="0" {
                    table.report-table {
                        thead { tr {
                            th scope="col" { "Workflow and step" }
                            th.num scope="col" { "Started or taken" }
                            th.num scope="col" { "Finished" }
                            th.num scope="col" { "Stopped" }
                        } }
                        @for workflow in workflows {
                            tbody {
                                tr {
                                    th scope="row" { strong { (workflow.name.as_deref().unwrap_or(&workflow.id)) } }
                                    td.num { (count(workflow.started)) }
                                    td.num { (count(workflow.finished)) }
                                    td.num { (count(workflow.stopped)) }
                                }
                                @for step in &workflow.steps {
                                    tr {
                                        th scope="row" { "Step " (step.index + 1) ": " (step.action) }
                                        td.num { (count(step.taken)) }
                                        td.num { (NONE) }
                                        td.num { (count(step.stopped)) }
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

fn deliveries(endpoints: &[EndpointDeliveries], csv: &str) -> Markup {
    html! {
        section.report-section aria-labelledby="deliveries-title" {
            h2 #deliveries-title { "Webhook deliveries" }
            @if endpoints.is_empty() {
                p.muted { "No webhook message was created in this range." }
            } @else {
                div.table-wrap role="region" aria-label="Deliveries table" tabindex="0" {
                    table.report-table #deliveries {
                        thead { tr {
                            th scope="col" { "Endpoint" }
                            th.num scope="col" { "Delivered" }
                            th.num scope="col" { "Retrying" }
                            th.num scope="col" { "Pending" }
                            th.num scope="col" { "Dead" }
                        } }
                        tbody {
                            @for endpoint in endpoints {
                                tr {
                                    th scope="row" { (endpoint.endpoint) }
                                    td.num { (count(endpoint.delivered)) }
                                    td.num { (count(endpoint.retrying)) }
                                    td.num { (count(endpoint.pending)) }
                                    td.num { (count(endpoint.dead)) }
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

fn dead_letters(letters: &[OutboxMessage], site: &str, may_replay: bool) -> Markup {
    html! {
        section.report-section aria-labelledby="dead-title" {
            h2 #dead-title { "Dead letters" }
            @if letters.is_empty() {
                p.muted #no-dead-letters { "No dead letter: every message was delivered or is still being tried." }
            } @else {
                p.muted {
                    "Messages whose every attempt failed, oldest first (up to "
                    (MAX_DEAD_LETTERS) "). A replay sends one again under the same id."
                }
                div.table-wrap role="region" aria-label="Dead letters" tabindex="0" {
                    table.report-table #dead-letters {
                        thead { tr {
                            th scope="col" { "Created" }
                            th scope="col" { "Endpoint" }
                            th scope="col" { "Lead" }
                            th.num scope="col" { "Attempts" }
                            th scope="col" { "Last error" }
                            @if may_replay { th scope="col" { span.visually-hidden { "Replay" } } }
                        } }
                        tbody {
                            @for letter in letters {
                                tr {
                                    td { (time(letter.created_ms)) }
                                    td { (letter.endpoint) }
                                    td { a href=(person_path(&letter.lead, "", site)) { (letter.lead) } }
                                    td.num { (letter.attempts) }
                                    td { (letter.last_error.as_deref().unwrap_or(NONE)) }
                                    @if may_replay {
                                        td {
                                            form.inline method="post" action=(replay_path(&letter.id, site)) {
                                                button.button.secondary type="submit" { "Replay" }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn speed_chart(speed: &SpeedToLead) -> Markup {
    let labels: Vec<String> = speed.days.iter().map(|day| day_text(day.day)).collect();
    let seconds = |pick: fn(&Speed) -> Option<i64>| -> Vec<f64> {
        speed.days.iter().map(|day| pick(&day.speed).unwrap_or(0) as f64 / 1000.0).collect()
    };
    let series = [
        Series { name: "Median (s)".to_owned(), points: seconds(|s| s.p50_ms) },
        Series { name: "99th percentile (s)".to_owned(), points: seconds(|s| s.p99_ms) },
    ];
    html! {
        section.report-section aria-labelledby="speed-title" {
            h2 #speed-title { "Speed to lead" }
            @if speed.total.handoffs == 0 {
                p.muted { "No CRM hand-off was delivered in this range." }
            } @else {
                (line_chart(&LineChart { id: "speed-chart", caption: "Speed to lead per day, in seconds", labels: &labels, series: &series }))
                div.table-wrap role="region" aria-label="Speed to lead table" tabindex="0" {
                    table.report-table #speed {
                        thead { tr {
                            th scope="col" { "Day" }
                            th.num scope="col" { "Hand-offs" }
                            th.num scope="col" { "Median" }
                            th.num scope="col" { "99th percentile" }
                        } }
                        tbody {
                            @for day in speed.days.iter().filter(|day| day.speed.handoffs > 0) {
                                tr {
                                    th scope="row" { (day_text(day.day)) }
                                    td.num { (count(day.speed.handoffs)) }
                                    td.num { (ms_text(day.speed.p50_ms)) }
                                    td.num { (ms_text(day.speed.p99_ms)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
