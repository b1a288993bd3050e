//! The leads list's markup: the filter form (every control labelled, usable without
//! script), the table of leads, the pager and the CSV export link of the same query.

use kindling_core::channel::Channel;
use maud::{Markup, html};

use crate::console::format::{person_path, prop, when};
use crate::console::layout::{Chrome, page};
use crate::console::leads_query::{LeadsQuery, PER_PAGE, TEMPERATURES};
use crate::profiles::Person;
use crate::profiles::leads::LeadSort;
use crate::profiles::stage::Stage;

const STAGES: [Stage; 5] = [Stage::Anonymous, Stage::Lead, Stage::Mql, Stage::Sql, Stage::Customer];

fn sort_label(sort: LeadSort) -> &'static str {
    match sort {
        LeadSort::Score => "Score, highest first",
        LeadSort::LastSeen => "Last seen, latest first",
        LeadSort::FirstSeen => "First seen, latest first",
        LeadSort::Email => "Email, A to Z",
    }
}

/// The page: `leads` are page `number` of what `query` matches; `more` when a next
/// page has some.
pub fn render(
    chrome: &Chrome<'_>,
    query: &LeadsQuery,
    leads: &[Person],
    number: u32,
    more: bool,
) -> Markup {
    let site = chrome.sites.key();
    let search = query.to_query(site);
    let first = (number - 1) * PER_PAGE + 1;
    let content = html! {
        div.page-head {
            div {
                h1 { "Leads" }
                p.muted {
                    @if leads.is_empty() { "No lead matches." }
                    @else { "Showing " (first) "–" (first - 1 + leads.len() as u32) }
                }
            }
            a.button.secondary href={ "/admin/leads/export?" (search) } download {
                "Export CSV"
            }
        }
        @if !query.erased.is_empty() {
            p.notice role="status" { "The person and everything stored about them were erased." }
        }
        (filters(chrome, query))
        @if leads.is_empty() {
            div.empty { p { "No known person matches these filters." } }
        } @else {
            (table(site, leads))
        }
        (pager(&search, number, more))
    };
    page(chrome, "Leads", content)
}

fn select(id: &str, label: &str, current: &str, options: &[(String, String)]) -> Markup {
    html! {
        div.field {
            label for=(id) { (label) }
            select #(id) name=(id) {
                option value="" selected[current.is_empty()] { "Any" }
                @for (value, text) in options {
                    option value=(value) selected[current == value] { (text) }
                }
            }
        }
    }
}

fn input(id: &str, label: &str, kind: &str, value: &str) -> Markup {
    html! {
        div.field {
            label for=(id) { (label) }
            input #(id) name=(id) type=(kind) value=(value);
        }
    }
}

fn filters(chrome: &Chrome<'_>, query: &LeadsQuery) -> Markup {
    let owned = |values: &[&str]| -> Vec<(String, String)> {
        values.iter().map(|value| ((*value).to_owned(), (*value).to_owned())).collect()
    };
    let stages: Vec<&str> = STAGES.iter().map(|stage| stage.as_str()).collect();
    let segments: Vec<&str> =
        chrome.sites.current.profiles.segments.iter().map(|segment| segment.id.as_str()).collect();
    let channels: Vec<&str> = Channel::ALL.iter().map(|channel| channel.as_str()).collect();
    let sorts: Vec<(String, String)> = LeadSort::ALL
        .iter()
        .map(|sort| (sort.as_str().to_owned(), sort_label(*sort).to_owned()))
        .collect();
    let sort = if query.sort.is_empty() { LeadSort::default().as_str() } else { &query.sort };
    html! {
        form.filters method="get" action="/admin/leads" role="search" aria-label="Filter leads" {
            input type="hidden" name="site" value=(chrome.sites.key());
            div.field.wide {
                label for="q" { "Search by email or name" }
                input #q name="q" type="search" value=(query.q) data-search-shortcut;
            }
            (select("temperature", "Temperature", &query.temperature, &owned(&TEMPERATURES)))
            (select("stage", "Stage", &query.stage, &owned(&stages)))
            (select("segment", "Segment", &query.segment, &owned(&segments)))
            (select("channel", "First-touch channel", &query.channel, &owned(&channels)))
            (input("min_score", "Score from", "number", &query.min_score))
            (input("max_score", "Score to", "number", &query.max_score))
            fieldset.range {
                legend { "First seen" }
                (input("first_from", "From", "date", &query.first_from))
                (input("first_to", "To", "date", &query.first_to))
            }
            fieldset.range {
                legend { "Last seen" }
                (input("last_from", "From", "date", &query.last_from))
                (input("last_to", "To", "date", &query.last_to))
            }
            div.field {
                label for="sort" { "Sort by" }
                select #sort name="sort" {
                    @for (value, text) in &sorts {
                        option value=(value) selected[sort == value] { (text) }
                    }
                }
            }
            div.actions {
                button.button type="submit" { "Apply filters" }
                a.button.secondary href={ "/admin/leads?" (crate::console::format::query([("site", chrome.sites.key())])) } {
                    "Reset"
                }
            }
        }
    }
}

fn name_of(lead: &Person) -> String {
    lead.traits.get("name").map(|name| prop(&name.value)).unwrap_or_default()
}

fn table(site: &str, leads: &[Person]) -> Markup {
    html! {
        div.table-wrap role="region" aria-labelledby="leads-caption" tabindex="0" {
            table.data {
                caption #leads-caption.visually-hidden { "Leads" }
                thead {
                    tr {
                        th scope="col" { "Email" }
                        th scope="col" { "Name" }
                        th scope="col" .num { "Score" }
                        th scope="col" { "Temperature" }
                        th scope="col" { "Stage" }
                        th scope="col" { "Segments" }
                        th scope="col" { "First touch" }
                        th scope="col" { "First seen" }
                        th scope="col" { "Last seen" }
                    }
                }
                tbody {
                    @for lead in leads {
                        tr {
                            td {
                                a href=(person_path(&lead.id, "", site)) {
                                    (lead.email.as_deref().unwrap_or(&lead.id))
                                }
                            }
                            td { (name_of(lead)) }
                            td.num { (lead.score) }
                            td { (temperature(lead.temperature.as_str())) }
                            td { span.badge { (lead.stage.as_str()) } }
                            td { (lead.segments.join(", ")) }
                            td {
                                @if let Some(touch) = &lead.aggregates.first_touch {
                                    (touch.channel)
                                    @if let Some(source) = &touch.source { " · " (source) }
                                }
                            }
                            td { (when(lead.created_ms)) }
                            td { (when(lead.last_activity_ms)) }
                        }
                    }
                }
            }
        }
    }
}

/// A temperature badge, coloured by class and named in words.
pub fn temperature(name: &str) -> Markup {
    html! { span class={ "badge temp-" (name) } { (name) } }
}

fn pager(search: &str, number: u32, more: bool) -> Markup {
    html! {
        @if number > 1 || more {
            nav.pager aria-label="Pages" {
                @if number > 1 {
                    a.button.secondary rel="prev" href={ "/admin/leads?" (search) "&page=" (number - 1) } {
                        "Previous"
                    }
                }
                span aria-current="page" { "Page " (number) }
                @if more {
                    a.button.secondary rel="next" href={ "/admin/leads?" (search) "&page=" (number + 1) } {
                        "Next"
                    }
                }
            }
        }
    }
}
