//! The markup of the form pages ([`forms`](super::forms)): the list, and the editor
//! with its sections (basics, fields with their kind's settings, steps and progressive
//! profiling, after sending, spam defences).

use maud::{Markup, html};

use crate::accounts::Role;
use crate::console::form_parts::{Control, step_button};
use crate::console::format::{query, segment};
use crate::console::layout::{Chrome, page};
use crate::editing::fields::Problems;
use crate::editing::form::{FieldForm, FormForm, MAX_FIELDS};
use crate::store::RevisionRow;

/// The kinds of field the core supports, with their labels.
const KINDS: &[(&str, &str)] = &[
    ("text", "Text"),
    ("email", "Email address"),
    ("tel", "Phone number"),
    ("number", "Number"),
    ("url", "Web address"),
    ("textarea", "Text, several lines"),
    ("select", "Choice from a list"),
    ("radio", "Choice of radio buttons"),
    ("checkbox", "Yes/no box"),
    ("country", "Country"),
    ("consent", "Consent"),
    ("hidden", "Hidden, filled in"),
];

/// What fills a hidden field.
const SOURCES: &[(&str, &str)] = &[
    ("", "None"),
    ("utm_source", "Campaign source (utm_source)"),
    ("utm_medium", "Campaign medium (utm_medium)"),
    ("utm_campaign", "Campaign name (utm_campaign)"),
    ("utm_term", "Campaign term (utm_term)"),
    ("utm_content", "Campaign content (utm_content)"),
    ("referrer", "Referrer of the visit's first page"),
    ("landing", "The visit's first page"),
    ("page", "The page the form is on"),
    ("block", "The block showing the form"),
    ("variant", "The block's variant"),
];

/// The forms of `revision`.
pub fn list(chrome: &Chrome<'_>, forms: &[FormForm], revision: &RevisionRow, live: i64) -> Markup {
    let site = chrome.sites.key();
    let content = html! {
        div.page-head {
            h1 { "Forms" }
            div.action-row {
                a.button.secondary href={ "/admin/config/forms?" (query([("site", site)])) } { "Edit as YAML" }
                @if chrome.actor.may(Role::Editor) {
                    a.button href={ "/admin/forms/new?" (query([("site", site)])) } { "New form" }
                }
            }
        }
        (working_on(revision.id, revision.id == live, site))
        @if forms.is_empty() {
            p.empty { "No forms on this site yet." }
        } @else {
            div.table-wrap {
                table.data {
                    caption.visually-hidden { "Forms of this site" }
                    thead { tr { th scope="col" { "Form" } th scope="col" { "Fields" } th scope="col" { "Steps" } th scope="col" { "Double opt-in" } } }
                    tbody {
                        @for form in forms {
                            tr {
                                td { a href={ "/admin/forms/" (segment(&form.id)) "?" (query([("site", site)])) } { (title(form)) } br; code { (form.id) } }
                                td.num { (form.fields.len()) }
                                td.num { (form.steps.lines().filter(|line| !line.trim().is_empty()).count().max(1)) }
                                td { @if form.double_opt_in { "Yes" } @else { "No" } }
                            }
                        }
                    }
                }
            }
        }
    };
    page(chrome, "Forms", content)
}

fn title(form: &FormForm) -> &str {
    if form.name.is_empty() { &form.id } else { &form.name }
}

fn working_on(id: i64, live: bool, site: &str) -> Markup {
    html! {
        p.muted {
            "Editing "
            a href={ "/admin/revisions/" (id) "?" (query([("site", site)])) } { "revision #" (id) }
            @if live { " (live)." } @else { " (a draft, not published yet)." }
            " Saving makes a new draft; visitors see it once it is published."
        }
    }
}

/// What the editor shows.
pub struct EditorView<'a> {
    pub form: &'a FormForm,
    /// The id the form had when it was loaded (`None`: a new form).
    pub original: Option<&'a str>,
    pub base: i64,
    pub base_live: bool,
    pub problems: &'a Problems,
    pub notice: Option<&'a str>,
    pub message: &'a str,
}

/// The form editor.
pub fn editor(chrome: &Chrome<'_>, view: &EditorView<'_>) -> Markup {
    let site = chrome.sites.key();
    let form = view.form;
    let problems = view.problems;
    let heading = match view.original {
        Some(_) => format!("Edit form {}", title(form)),
        None => "New form".to_owned(),
    };
    let content = html! {
        p.breadcrumb { a href={ "/admin/forms?" (query([("site", site)])) } { "Forms" } " / " (heading) }
        h1 { (heading) }
        (working_on(view.base, view.base_live, site))
        @if let Some(notice) = view.notice { p.notice.error role="alert" { (notice) } }
        @if !problems.is_empty() {
            div.notice.error role="alert" {
                "Not saved: check the fields marked below."
                ul { @for problem in &problems.list { li { code { (problem.field) } ": " (problem.message) } } }
            }
        }
        form.editor method="post" action={ "/admin/forms?" (query([("site", site)])) } {
            // Enter in a text field saves (the first submit button of the form).
            button.visually-hidden type="submit" name="action" value="save" tabindex="-1" aria-hidden="true" { "Save" }
            input type="hidden" name="original" value=(view.original.unwrap_or_default());
            (basics(form, problems))
            (field_list(form, problems))
            (steps(form, problems))
            (after_sending(form, problems))
            @if chrome.actor.may(Role::Editor) { (save_bar(view)) }
        }
    };
    page(chrome, &heading, content)
}

fn basics(form: &FormForm, problems: &Problems) -> Markup {
    html! {
        section.card aria-labelledby="basics-title" {
            h2 #basics-title { "Basics" }
            div.grid-fields {
                (Control::new("id", "Id", problems).hint("Letters, digits, - and _; blocks, workflows and reports use it.").text(&form.id))
                (Control::new("name", "Name", problems).text(&form.name))
                (Control::new("submit", "Submit button", problems).hint("Blank: the widget's own (\"Send\").").text(&form.submit))
            }
            (Control::new("prefill", "Fill in what is known of the visitor", problems).checkbox(form.prefill))
            (Control::new("double_opt_in", "Double opt-in: consent counts once the visitor confirms by email", problems).checkbox(form.double_opt_in))
        }
    }
}

fn field_list(form: &FormForm, problems: &Problems) -> Markup {
    html! {
        section.card aria-labelledby="fields-title" {
            h2 #fields-title { "Fields" }
            p.muted { "A lead form needs an email field. After changing a kind, press \"Show each kind's settings\" to see what it needs." }
            @if let Some(problem) = problems.at("fields") { p.field-problem { (problem) } }
            @for (index, field) in form.fields.iter().enumerate() {
                (field_fields(index, field, form.fields.len(), problems))
            }
            div.action-row {
                @if form.fields.len() < MAX_FIELDS { (step_button("add-field", "Add field", "")) }
                (step_button("refresh", "Show each kind's settings", ""))
            }
        }
    }
}

fn field_fields(index: usize, field: &FieldForm, count: usize, problems: &Problems) -> Markup {
    let name = |key: &str| format!("fields[{index}].{key}");
    let legend = format!(
        "Field {}",
        if field.name.is_empty() { (index + 1).to_string() } else { field.name.clone() }
    );
    let kept = field.kept_keys();
    html! {
        fieldset.form-field.flagged[problems.within(&format!("fields[{index}]"))] {
            legend { (legend) }
            div.grid-fields {
                (Control::new(&name("name"), "Name", problems).hint("The key the value is stored under.").text(&field.name))
                (Control::new(&name("kind"), "Kind", problems).select(KINDS, &field.kind))
                (Control::new(&name("label"), "Label", problems).text(&field.label))
                (Control::new(&name("placeholder"), "Placeholder", problems).text(&field.placeholder))
                (Control::new(&name("help"), "Help under the input", problems).text(&field.help))
            }
            (Control::new(&name("required"), "Required", problems).checkbox(field.required))
            @if field.has_options() {
                (Control::new(&name("options"), "Options", problems).hint("One per line: value|Label (a line without | is both).").textarea(&field.options, 4))
            }
            @if field.kind == "consent" || !field.consent_text.is_empty() || !field.consent_version.is_empty() {
                (Control::new(&name("consent.text"), "Consent text", problems).hint("The exact text the visitor agrees to; kept with the lead.").textarea(&field.consent_text, 3))
                (Control::new(&name("consent.version"), "Consent version", problems).hint("Change it whenever the text changes.").text(&field.consent_version))
            }
            @if field.kind == "hidden" || !field.source.is_empty() {
                (Control::new(&name("source"), "Filled in with", problems).select(SOURCES, &field.source))
            }
            input type="hidden" name=(name("kept")) value=(field.kept);
            @if !kept.is_empty() || problems.at(&name("kept")).is_some() {
                p.hint {
                    "Also kept as written (edit as YAML to change): "
                    @for (at, key) in kept.iter().enumerate() { @if at > 0 { ", " } code { (key) } }
                    @if let Some(problem) = problems.at(&name("kept")) { " " span.field-problem { (problem) } }
                }
            }
            div.action-row {
                @if index > 0 { (step_button(&format!("field-up:{index}"), "Move up", &legend)) }
                @if index + 1 < count { (step_button(&format!("field-down:{index}"), "Move down", &legend)) }
                (step_button(&format!("remove-field:{index}"), "Remove field", &legend))
            }
        }
    }
}

fn steps(form: &FormForm, problems: &Problems) -> Markup {
    html! {
        section.card aria-labelledby="steps-title" {
            h2 #steps-title { "Steps and progressive profiling" }
            (Control::new("steps", "Steps", problems).hint("One line per step, its field names separated by commas, e.g. \"email, name\". Every visible field in one step; blank: a single step.").textarea(&form.steps, 3))
            div.grid-fields {
                (Control::new("progressive.ask_at_most", "Ask at most this many questions at a time", problems).hint("Blank: no progressive profiling.").input("number", &form.ask_at_most))
                (Control::new("progressive.queue", "Questions asked once earlier ones are known", problems).hint("Field names in order, separated by commas.").text(&form.queue))
            }
        }
    }
}

fn after_sending(form: &FormForm, problems: &Problems) -> Markup {
    html! {
        section.card aria-labelledby="success-title" {
            h2 #success-title { "After sending" }
            (Control::new("success.message", "Message", problems).textarea(&form.success_message, 2))
            div.grid-fields {
                (Control::new("success.redirect", "Then go to", problems).hint("A link (https:// or /path); blank: stay. Not with a download.").text(&form.success_redirect))
                (Control::new("success.download", "Or offer a download", problems).hint("The lead magnet's link; blank: none.").text(&form.success_download))
            }
        }
        section.card aria-labelledby="spam-title" {
            h2 #spam-title { "Spam defences" }
            div.grid-fields {
                (Control::new("spam.min_seconds", "Seconds before a submission counts as human", problems).hint("3 by default.").input("number", &form.min_seconds))
                (Control::new("spam.dedupe_minutes", "Minutes within which a repeat is the same lead", problems).hint("10 by default.").input("number", &form.dedupe_minutes))
            }
        }
    }
}

fn save_bar(view: &EditorView<'_>) -> Markup {
    html! {
        section.card.save-bar aria-label="Save" {
            (Control::new("message", "Note for the history (optional)", view.problems).text(view.message))
            div.action-row {
                button.button type="submit" name="action" value="save" { "Save draft" }
                button.button.secondary type="submit" name="action" value="save-preview" { "Save and preview" }
                @if view.original.is_some() {
                    button.button.danger type="submit" name="action" value="delete" formnovalidate { "Delete form" }
                }
            }
        }
    }
}
