//! The markup of the scoring editor ([`scoring`](super::scoring)): thresholds, decay,
//! behaviour rules, fit rules (the open one in the rule builder, the others summed up
//! and carried as hidden rows) and the stage policy.

use maud::{Markup, html};

use crate::accounts::Role;
use crate::console::form_parts::{Control, id_of, step_button};
use crate::console::format::query;
use crate::console::layout::{Chrome, page};
use crate::console::rule_builder;
use crate::editing::fields::Problems;
use crate::editing::rule::{Node, OPS, RuleRows};
use crate::editing::scoring::{CAP_KINDS, ScoringForm};
use crate::editing::scoring_rows::{BehaviourForm, FitForm};
use crate::profiles::facts::KNOWN_FACTS;
use kindling_core::wire::EventKind;

/// What the editor shows.
pub struct ScoringView<'a> {
    pub form: &'a ScoringForm,
    /// The revision the form was read from.
    pub base: i64,
    /// The forms that may be SQL forms.
    pub choices: &'a [String],
    pub problems: &'a Problems,
    pub notice: Option<&'a str>,
    pub message: &'a str,
}

/// The scoring editor.
pub fn editor(chrome: &Chrome<'_>, view: &ScoringView<'_>) -> Markup {
    let site = chrome.sites.key();
    let on_site = query([("site", site)]);
    let problems = view.problems;
    let content = html! {
        div.page-head {
            h1 { "Scoring and stages" }
            div.action-row {
                a.button.secondary href={ "/admin/config/scoring?" (on_site) } { "Edit scoring as YAML" }
                a.button.secondary href={ "/admin/config/stages?" (on_site) } { "Edit stages as YAML" }
            }
        }
        p.muted {
            "From " a href={ "/admin/revisions/" (view.base) "?" (on_site) } { "revision #" (view.base) }
            ". Saving makes a draft; publish it from its revision page."
        }
        @if let Some(notice) = view.notice { p.notice.error role="alert" { (notice) } }
        @for general in ["scoring", "stages"] {
            @if let Some(problem) = problems.at(general) { p.notice.error role="alert" { (problem) } }
        }
        form.editor method="post" action={ "/admin/scoring?" (on_site) } {
            button.visually-hidden type="submit" name="action" value="save" tabindex="-1" aria-hidden="true" { "Save" }
            input type="hidden" name="fit_open" value=(view.form.fit_open);
            (thresholds(view.form, problems))
            (behaviour(view.form, problems))
            (fit(view.form, problems))
            (stages(view, problems))
            @if chrome.actor.may(Role::Editor) {
                section.card.save-bar aria-label="Save" {
                    (Control::new("message", "Note for the history (optional)", problems).text(view.message))
                    div.action-row {
                        button.button type="submit" name="action" value="save" { "Save draft" }
                    }
                }
            }
        }
    };
    page(chrome, "Scoring and stages", content)
}

fn thresholds(form: &ScoringForm, problems: &Problems) -> Markup {
    html! {
        section.card aria-labelledby="thresholds-title" {
            h2 #thresholds-title { "Temperature" }
            div.grid-fields {
                (Control::new("thresholds.warm", "Warm from (points)", problems).input("number", &form.warm))
                (Control::new("thresholds.hot", "Hot from (points)", problems).input("number", &form.hot))
            }
            h3 { "Decay" }
            p.muted { "Points taken after days without activity. Leave all three blank for no decay." }
            div.grid-fields {
                (Control::new("decay.after_days", "After days without activity", problems).input("number", &form.decay_after_days))
                (Control::new("decay.points", "Points (negative)", problems).input("number", &form.decay_points))
                (Control::new("decay.floor", "Never below", problems).hint("Blank is 0.").input("number", &form.decay_floor))
            }
        }
    }
}

fn behaviour(form: &ScoringForm, problems: &Problems) -> Markup {
    html! {
        section.card aria-labelledby="rules-title" {
            h2 #rules-title { "Behaviour rules" }
            p.muted { "Points for each event that matches every part given; a cap limits how often a rule pays." }
            @if form.rules.is_empty() { p.empty { "No behaviour rules yet." } }
            @for (index, rule) in form.rules.iter().enumerate() {
                (behaviour_rule(index, rule, form.rules.len(), problems))
            }
            div.action-row { (step_button("behaviour-add", "Add behaviour rule", "")) }
        }
    }
}

fn behaviour_rule(index: usize, rule: &BehaviourForm, count: usize, problems: &Problems) -> Markup {
    let item = format!("rules[{index}]");
    let name = |key: &str| format!("{item}.{key}");
    let (id, points, kind, event, path, url, cap, cap_count) = (
        name("id"),
        name("points"),
        name("type"),
        name("name"),
        name("path"),
        name("url"),
        name("cap"),
        name("cap_count"),
    );
    let kinds: Vec<(&str, &str)> = std::iter::once(("", "Any event"))
        .chain(EventKind::ALL.iter().map(|kind| (kind.as_str(), kind.as_str())))
        .collect();
    let which = format!("rule {}", index + 1);
    html! {
        fieldset.variant.flagged[problems.within(&item)] {
            legend { "Rule " (index + 1) @if !rule.id.is_empty() { ": " (rule.id) } }
            @if let Some(problem) = problems.at(&item) { p.field-problem role="alert" { (problem) } }
            input type="hidden" name=(name("kept")) value=(rule.kept);
            div.grid-fields {
                (Control::new(&id, "Id", problems).text(&rule.id))
                (Control::new(&points, "Points", problems).input("number", &rule.points))
                (Control::new(&kind, "Event type", problems).select(&kinds, &rule.kind))
                (Control::new(&event, "Event name", problems).hint("A form, click or custom event's name; blank for any.").text(&rule.name))
                (Control::new(&path, "Page path", problems).hint("A glob: /pricing*").text(&rule.path))
                (Control::new(&url, "Whole URL", problems).hint("A glob on the URL; blank for any.").text(&rule.url))
                (Control::new(&cap, "Limit", problems).select(&CAP_KINDS, &rule.cap))
                (Control::new(&cap_count, "Times", problems).input("number", &rule.cap_count))
            }
            div.action-row {
                @if index > 0 { (step_button(&format!("behaviour-up:{index}"), "Move up", &which)) }
                @if index + 1 < count { (step_button(&format!("behaviour-down:{index}"), "Move down", &which)) }
                (step_button(&format!("behaviour-remove:{index}"), "Remove", &which))
            }
        }
    }
}

fn fit(form: &ScoringForm, problems: &Problems) -> Markup {
    let facts: Vec<&str> = KNOWN_FACTS.iter().copied().filter(|fact| *fact != "page.").collect();
    html! {
        section.card aria-labelledby="fit-title" {
            h2 #fit-title { "Fit rules" }
            p.muted { "Points while a person's profile matches the rule; taken back when it stops matching." }
            @if form.fit.is_empty() { p.empty { "No fit rules yet." } }
            @for (index, rule) in form.fit.iter().enumerate() {
                (fit_rule(index, rule, index == form.fit_open, &facts, problems))
            }
            div.action-row { (step_button("fit-add", "Add fit rule", "")) }
        }
    }
}

fn fit_rule(
    index: usize,
    rule: &FitForm,
    open: bool,
    facts: &[&str],
    problems: &Problems,
) -> Markup {
    let item = format!("fit[{index}]");
    let (id, points, prefix) =
        (format!("{item}.id"), format!("{item}.points"), format!("{item}.rule"));
    let which = format!("fit rule {}", index + 1);
    html! {
        fieldset.variant.flagged[problems.within(&item)] {
            legend { "Fit rule " (index + 1) @if !rule.id.is_empty() { ": " (rule.id) } }
            input type="hidden" name={ (item) ".kept" } value=(rule.kept);
            div.grid-fields {
                (Control::new(&id, "Id", problems).text(&rule.id))
                (Control::new(&points, "Points", problems).input("number", &rule.points))
            }
            @if let Some(problem) = problems.at(&prefix) {
                p.field-problem id={ (id_of(&prefix)) "-problem" } role="alert" { (problem) }
            }
            @if open {
                (rule_builder::builder(&prefix, &rule.rule, facts, problems))
            } @else {
                p { "Matches when " (summary(&rule.rule, 0)) }
                (hidden_rows(&prefix, &rule.rule))
            }
            div.action-row {
                @if !open { (step_button(&format!("fit-edit:{index}"), "Edit rule", &which)) }
                (step_button(&format!("fit-remove:{index}"), "Remove", &which))
            }
        }
    }
}

/// A rule's rows as hidden fields, for a fit rule whose builder is closed.
fn hidden_rows(prefix: &str, rows: &RuleRows) -> Markup {
    html! {
        @for (index, row) in rows.rows.iter().enumerate() {
            input type="hidden" name={ (prefix) "." (index) ".depth" } value=(row.depth);
            @match &row.node {
                Node::Group(kind) => {
                    input type="hidden" name={ (prefix) "." (index) ".kind" } value=(kind.as_str());
                }
                Node::Condition { fact, op, value } => {
                    input type="hidden" name={ (prefix) "." (index) ".kind" } value="condition";
                    input type="hidden" name={ (prefix) "." (index) ".fact" } value=(fact);
                    input type="hidden" name={ (prefix) "." (index) ".op" } value=(op);
                    input type="hidden" name={ (prefix) "." (index) ".value" } value=(value);
                }
            }
        }
    }
}

/// Row `index` of a rule in words.
fn summary(rows: &RuleRows, index: usize) -> String {
    match &rows.rows[index].node {
        Node::Condition { fact, op, value } => {
            let test = OPS.iter().find(|(name, _)| name == op).map_or(op.as_str(), |(_, l)| l);
            format!("{fact} {test} {value}").trim_end().to_owned()
        }
        Node::Group(kind) => {
            let parts: Vec<String> =
                rows.children(index).into_iter().map(|at| summary(rows, at)).collect();
            format!("{} ({})", kind.label(), parts.join("; "))
        }
    }
}

fn stages(view: &ScoringView<'_>, problems: &Problems) -> Markup {
    let form = view.form;
    let forms = "stages.sql_forms";
    html! {
        section.card aria-labelledby="stages-title" {
            h2 #stages-title { "Stages" }
            p.muted { "A lead with marketing consent becomes an MQL at the MQL score; any lead becomes an SQL at the SQL score or on sending one of the SQL forms." }
            div.grid-fields {
                (Control::new("stages.mql_score", "MQL from (points)", problems).input("number", &form.mql_score))
                (Control::new("stages.sql_score", "SQL from (points)", problems).input("number", &form.sql_score))
            }
            input type="hidden" name="stages.choices" value=(view.choices.len());
            fieldset.variant.flagged[problems.within(forms)] aria-describedby=[problems.at(forms).map(|_| format!("{}-problem", id_of(forms)))] {
                legend { "SQL forms" }
                @if let Some(problem) = problems.at(forms) {
                    p.field-problem id={ (id_of(forms)) "-problem" } role="alert" { (problem) }
                }
                @if view.choices.is_empty() { p.empty { "This site has no forms." } }
                @else { ul.plain.choices {
                    @for (k, choice) in view.choices.iter().enumerate() {
                        @let name = format!("{forms}[{k}]");
                        li.field.check {
                            input id=(id_of(&name)) type="checkbox" name=(name) value=(choice)
                                checked[form.sql_forms.contains(choice)];
                            label for=(id_of(&name)) { (choice) }
                        }
                    }
                } }
            }
        }
    }
}
