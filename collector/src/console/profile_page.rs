//! A person's page: the summary (score, temperature, stage, first and last touch), the
//! actions an editor may take, traits with their source, consents, segments and their
//! history, stage history, the score explained line by line, and the timeline of
//! events ([`timeline`](super::timeline)); and the erasure's confirmation page. Every
//! value here is stored data, much of it sent by visitors: maud escapes it all.

use maud::{Markup, html};

use crate::accounts::Role;
use crate::console::format::{person_path, prop, query, url, when};
use crate::console::layout::{Chrome, page};
use crate::console::leads_page::temperature;
use crate::console::timeline;
use crate::profiles::stage::Stage;
use crate::profiles::view::ProfileView;

const STAGES: [Stage; 5] = [Stage::Anonymous, Stage::Lead, Stage::Mql, Stage::Sql, Stage::Customer];

fn display_name(view: &ProfileView) -> String {
    view.person.email.clone().unwrap_or_else(|| ["Anonymous person ", &view.person.id].concat())
}

/// The profile page of `view`.
pub fn render(chrome: &Chrome<'_>, view: &ProfileView) -> Markup {
    let site = chrome.sites.key();
    let name = display_name(view);
    let content = html! {
        nav.breadcrumb aria-label="Breadcrumb" {
            a href={ "/admin/leads?" (query([("site", site)])) } { "Leads" }
            " / "
            span aria-current="page" { (name) }
        }
        (summary(view, &name))
        @if chrome.actor.may(Role::Editor) {
            (actions(site, view))
        }
        div.grid-2 {
            (traits(view))
            (consents(view))
        }
        div.grid-2 {
            (segments(view))
            (stages(view))
        }
        (score(view))
        (timeline::render(&view.events))
        section.card aria-labelledby="visitors-title" {
            h2 #visitors-title { "Devices (visitor ids)" }
            ul.plain { @for visitor in &view.visitors { li { code { (visitor) } } } }
        }
    };
    page(chrome, &name, content)
}

fn summary(view: &ProfileView, name: &str) -> Markup {
    let person = &view.person;
    let aggregates = &person.aggregates;
    html! {
        section.card.summary aria-labelledby="person-title" {
            div.summary-head {
                div {
                    h1 #person-title { (name) }
                    @if let Some(full) = person.traits.get("name") { p.muted { (prop(&full.value)) } }
                }
                div.score-box {
                    span.score-value { (person.score) }
                    span.muted { "score" }
                }
            }
            p.badges {
                (temperature(person.temperature.as_str()))
                span.badge { "Stage: " (person.stage.as_str()) }
                @if person.marketing_consent { span.badge.ok { "Marketing consent" } }
                @else { span.badge { "No marketing consent" } }
            }
            dl.facts {
                div { dt { "First seen" } dd { (when(person.created_ms)) } }
                div { dt { "Last seen" } dd { (when(person.last_activity_ms)) } }
                div { dt { "In stage since" } dd { (when(person.stage_since_ms)) } }
                div { dt { "Visits" } dd { (aggregates.visits) } }
                div { dt { "Page views" } dd { (aggregates.pageviews) } }
                div { dt { "Forms submitted" } dd { (aggregates.forms_submitted) } }
                div { dt { "First touch" } dd { (touch(aggregates.first_touch.as_ref())) } }
                div { dt { "Last touch" } dd { (touch(aggregates.last_touch.as_ref())) } }
                div { dt { "Person id" } dd { code { (person.id) } } }
            }
        }
    }
}

fn touch(touch: Option<&kindling_core::profile::Touch>) -> Markup {
    html! {
        @match touch {
            Some(touch) => {
                (touch.channel)
                @for part in [&touch.source, &touch.medium, &touch.campaign].into_iter().flatten() {
                    " · " (part)
                }
            }
            None => "—",
        }
    }
}

fn actions(site: &str, view: &ProfileView) -> Markup {
    let id = &view.person.id;
    html! {
        section.card.actions aria-labelledby="actions-title" {
            h2 #actions-title { "Actions" }
            div.action-row {
                form.inline method="post" action=(person_path(id, "stage", site)) {
                    label for="stage-choice" { "Lifecycle stage" }
                    select #stage-choice name="stage" {
                        @for stage in STAGES {
                            option value=(stage.as_str()) selected[stage == view.person.stage] {
                                (stage.as_str())
                            }
                        }
                    }
                    button.button type="submit" { "Set stage" }
                }
                form.inline method="post" action=(person_path(id, "customer", site)) {
                    button.button.secondary type="submit" { "Mark as customer" }
                }
                a.button.secondary href=(person_path(id, "export", site)) download {
                    "Export data (JSON)"
                }
                a.button.danger href=(person_path(id, "erase", site)) { "Erase…" }
            }
        }
    }
}

fn traits(view: &ProfileView) -> Markup {
    html! {
        section.card aria-labelledby="traits-title" {
            h2 #traits-title { "Traits" }
            @if view.person.traits.is_empty() { p.muted { "No trait yet." } } @else {
                div.table-wrap role="region" aria-labelledby="traits-caption" tabindex="0" {
                    table.data {
                        caption #traits-caption.visually-hidden { "Traits with their source" }
                        thead { tr { th scope="col" { "Trait" } th scope="col" { "Value" } th scope="col" { "Source" } th scope="col" { "Updated" } } }
                        tbody {
                            @for (name, value) in &view.person.traits {
                                tr {
                                    th scope="row" { (name) }
                                    td { (prop(&value.value)) }
                                    td { code { (value.source) } }
                                    td { (when(value.at_ms)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn consents(view: &ProfileView) -> Markup {
    html! {
        section.card aria-labelledby="consents-title" {
            h2 #consents-title { "Consents" }
            @if view.consents.is_empty() { p.muted { "No consent recorded." } } @else {
                ul.records {
                    @for consent in &view.consents {
                        li {
                            p { strong { (consent.field) } " on form " code { (consent.form) } ", version " code { (consent.version) } }
                            blockquote { (consent.text) }
                            p.muted {
                                "Given " (when(consent.given_ms)) " on " (url(&consent.page))
                                @match consent.confirmed_ms {
                                    Some(at) => { "; confirmed " (when(at)) }
                                    None => { "; not confirmed yet" }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn segments(view: &ProfileView) -> Markup {
    html! {
        section.card aria-labelledby="segments-title" {
            h2 #segments-title { "Segments" }
            @if view.person.segments.is_empty() { p.muted { "In no segment." } } @else {
                p.badges { @for segment in &view.person.segments { span.badge { (segment) } } }
            }
            @if !view.segment_changes.is_empty() {
                h3 { "History" }
                ul.history {
                    @for change in view.segment_changes.iter().rev() {
                        li {
                            (when(change.at_ms)) " — "
                            @if change.entered { "entered " } @else { "left " }
                            strong { (change.segment) }
                        }
                    }
                }
            }
        }
    }
}

fn stages(view: &ProfileView) -> Markup {
    html! {
        section.card aria-labelledby="stages-title" {
            h2 #stages-title { "Stage history" }
            @if view.stage_changes.is_empty() { p.muted { "No stage change yet." } } @else {
                ul.history {
                    @for change in view.stage_changes.iter().rev() {
                        li {
                            (when(change.at_ms)) " — " (change.from) " → " strong { (change.to) }
                            " " span.muted { "(" (change.cause) ")" }
                        }
                    }
                }
            }
        }
    }
}

fn score(view: &ProfileView) -> Markup {
    html! {
        section.card aria-labelledby="score-title" {
            h2 #score-title { "Score, line by line" }
            @if view.score_changes.is_empty() { p.muted { "No point scored yet." } } @else {
                div.table-wrap role="region" aria-labelledby="score-caption" tabindex="0" {
                    table.data {
                        caption #score-caption.visually-hidden { "Points scored, latest first" }
                        thead {
                            tr {
                                th scope="col" { "When" }
                                th scope="col" { "Rule" }
                                th scope="col" { "Why" }
                                th scope="col" .num { "Points" }
                                th scope="col" .num { "Score after" }
                                th scope="col" { "Event" }
                            }
                        }
                        tbody {
                            @for line in view.score_changes.iter().rev() {
                                tr {
                                    td { (when(line.at_ms)) }
                                    td { code { (line.rule) } }
                                    td { (line.reason) }
                                    td.num class=(if line.points < 0 { "minus" } else { "plus" }) {
                                        @if line.points > 0 { "+" } (line.points)
                                    }
                                    td.num { (line.score) }
                                    td {
                                        @if let Some(event) = &line.event_id {
                                            a href={ "#" (timeline::anchor(event)) } { "view event" }
                                        } @else { "—" }
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

/// The erasure's confirmation page.
pub fn confirm_erase(chrome: &Chrome<'_>, view: &ProfileView) -> Markup {
    let site = chrome.sites.key();
    let id = &view.person.id;
    let name = display_name(view);
    let content = html! {
        section.card.confirm aria-labelledby="erase-title" {
            h1 #erase-title { "Erase " (name) "?" }
            p {
                "This deletes the person, their " (view.visitors.len()) " device(s), "
                (view.events.len()) " event(s) and the history of their score, stage and "
                "segments. It cannot be undone. Export their data first if they asked for it."
            }
            div.action-row {
                form.inline method="post" action=(person_path(id, "erase", site)) {
                    button.button.danger type="submit" { "Erase permanently" }
                }
                a.button.secondary href=(person_path(id, "", site)) { "Cancel" }
            }
        }
    };
    page(chrome, "Erase", content)
}
