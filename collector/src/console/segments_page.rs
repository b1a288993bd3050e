//! The markup of the segment pages ([`segments`](super::segments)): the list, and the
//! editor (id, name, the rule builder with "who would see this?" and the tester).

use maud::{Markup, html};

use crate::accounts::Role;
use crate::console::form_parts::Control;
use crate::console::format::{query, segment};
use crate::console::layout::{Chrome, page};
use crate::console::rule_builder::{self, Checked};
use crate::editing::fields::Problems;
use crate::editing::segment::SegmentForm;
use crate::personalize::reach::{Explained, Reach};
use crate::profiles::facts::KNOWN_FACTS;

/// The segments of revision `base`.
pub fn list(chrome: &Chrome<'_>, segments: &[SegmentForm], base: i64) -> Markup {
    let site = chrome.sites.key();
    let content = html! {
        div.page-head {
            h1 { "Segments" }
            div.action-row {
                @if chrome.actor.may(Role::Editor) {
                    a.button href={ "/admin/segments/new?" (query([("site", site)])) } { "New segment" }
                }
                a.button.secondary href={ "/admin/config/segments?" (query([("site", site)])) } { "Edit as YAML" }
            }
        }
        p.muted {
            "From " a href={ "/admin/revisions/" (base) "?" (query([("site", site)])) } { "revision #" (base) }
            ". Members are kept up to date as profiles change; blocks and workflows can test "
            code { "segments contains ID" } "."
        }
        @if segments.is_empty() {
            p.empty { "No segments on this site yet." }
        } @else {
            ul.records {
                @for item in segments {
                    li {
                        a href={ "/admin/segments/" (segment(&item.id)) "?" (query([("site", site)])) } {
                            @if item.name.is_empty() { (item.id) } @else { (item.name) }
                        }
                        " " code { (item.id) }
                    }
                }
            }
        }
    };
    page(chrome, "Segments", content)
}

/// What the editor shows.
pub struct SegmentView<'a> {
    pub form: &'a SegmentForm,
    pub original: Option<&'a str>,
    pub base: i64,
    pub problems: &'a Problems,
    pub notice: Option<&'a str>,
    pub message: &'a str,
    pub test_person: &'a str,
    pub reach: Option<&'a Reach>,
    pub tested: Option<(&'a str, Option<&'a Explained>)>,
}

impl<'a> SegmentView<'a> {
    /// The editor of `form` as loaded, with nothing found yet.
    pub fn new(form: &'a SegmentForm, original: Option<&'a str>, base: i64) -> SegmentView<'a> {
        static NONE: std::sync::LazyLock<Problems> = std::sync::LazyLock::new(Problems::default);
        SegmentView {
            form,
            original,
            base,
            problems: &NONE,
            notice: None,
            message: "",
            test_person: "",
            reach: None,
            tested: None,
        }
    }
}

/// The segment editor.
pub fn editor(chrome: &Chrome<'_>, view: &SegmentView<'_>) -> Markup {
    let site = chrome.sites.key();
    let heading = match view.original {
        Some(id) => format!("Edit segment {id}"),
        None => "New segment".to_owned(),
    };
    let facts: Vec<&str> = KNOWN_FACTS.iter().copied().filter(|fact| *fact != "page.").collect();
    let problems = view.problems;
    let content = html! {
        p.breadcrumb { a href={ "/admin/segments?" (query([("site", site)])) } { "Segments" } " / " (heading) }
        h1 { (heading) }
        @if let Some(notice) = view.notice { p.notice.error role="alert" { (notice) } }
        form.editor method="post" action={ "/admin/segments?" (query([("site", site)])) } {
            button.visually-hidden type="submit" name="action" value="save" tabindex="-1" aria-hidden="true" { "Save" }
            input type="hidden" name="original" value=(view.original.unwrap_or_default());
            section.card aria-labelledby="segment-title" {
                h2 #segment-title { "Segment" }
                div.grid-fields {
                    (Control::new("id", "Id", problems).hint("Rules test it as segments contains ID.").text(&view.form.id))
                    (Control::new("name", "Name", problems).text(&view.form.name))
                }
            }
            section.card aria-labelledby="rule-title" {
                h2 #rule-title { "Members" }
                p.muted { "Persons whose profile matches this rule: score, temperature, stage, known, tags, traits (trait.NAME), pages seen, visits, first and last touch, and more (docs/configuration.md)." }
                (rule_builder::checked_builder(&Checked {
                    prefix: "rule",
                    rows: &view.form.rule,
                    facts: &facts,
                    problems,
                    reach: view.reach,
                    test_person: view.test_person,
                    tested: view.tested,
                }))
            }
            @if chrome.actor.may(Role::Editor) {
                section.card.save-bar aria-label="Save" {
                    (Control::new("message", "Note for the history (optional)", problems).text(view.message))
                    div.action-row {
                        button.button type="submit" name="action" value="save" { "Save draft" }
                        @if view.original.is_some() {
                            button.button.danger type="submit" name="action" value="delete" formnovalidate { "Delete segment" }
                        }
                    }
                }
            }
        }
    };
    page(chrome, &heading, content)
}
