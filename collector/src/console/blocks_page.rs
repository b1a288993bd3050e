//! The markup of the block pages ([`blocks`](super::blocks)): the list, and the editor
//! with its sections (basics, audience with "who would see this?" and the tester, when
//! and how often, goal, variants with their calls to action).

use maud::{Markup, html};

use crate::accounts::Role;
use crate::console::form_parts::{Control, step_button};
use crate::console::format::query;
use crate::console::layout::{Chrome, page};
use crate::console::rule_builder::{self, PAGE_FACTS};
use crate::editing::block::{BlockForm, CAPS, CtaForm, MAX_CTAS, MAX_VARIANTS, VariantForm};
use crate::editing::fields::Problems;
use crate::personalize::facts::AUDIENCE_FACTS;
use crate::personalize::reach::{Explained, Reach};
use crate::store::RevisionRow;

const PLACEMENTS: &[(&str, &str)] = &[
    ("inline", "Inline, in a slot of the page"),
    ("modal", "Modal dialog"),
    ("slide_in", "Slide-in card"),
    ("top_bar", "Bar at the top"),
    ("bottom_bar", "Bar at the bottom"),
];

const LAYOUTS: &[(&str, &str)] = &[
    ("standard", "Text with calls to action (an image above)"),
    ("image_beside", "Image beside the text"),
    ("image_top", "Image across the top"),
    ("compact", "Compact, one line"),
];

const TRIGGERS: &[(&str, &str)] = &[
    ("immediate", "At once"),
    ("delay", "After a delay"),
    ("scroll", "After scrolling"),
    ("exit_intent", "When about to leave"),
    ("inactivity", "After inactivity"),
    ("click", "On a click"),
];

const GOALS: &[(&str, &str)] = &[
    ("none", "None"),
    ("click", "A click on a call to action"),
    ("form", "A form submitted"),
    ("event", "A named event"),
];

const CTA_KINDS: &[(&str, &str)] =
    &[("url", "Opens a link"), ("form", "Opens a form"), ("dismiss", "Closes the block")];

/// The blocks of `revision`.
pub fn list(
    chrome: &Chrome<'_>,
    blocks: &[BlockForm],
    revision: &RevisionRow,
    live: i64,
) -> Markup {
    let site = chrome.sites.key();
    let content = html! {
        div.page-head {
            h1 { "Blocks" }
            @if chrome.actor.may(Role::Editor) {
                a.button href={ "/admin/blocks/new?" (query([("site", site)])) } { "New block" }
            }
        }
        (working_on(revision.id, revision.id == live, site))
        @if blocks.is_empty() {
            p.empty { "No blocks on this site yet." }
        } @else {
            div.table-wrap {
                table.data {
                    caption.visually-hidden { "Blocks of this site" }
                    thead { tr { th scope="col" { "Block" } th scope="col" { "Placement" } th scope="col" { "Audience" } th scope="col" { "Variants" } th scope="col" { "Priority" } } }
                    tbody {
                        @for block in blocks {
                            tr {
                                td { a href={ "/admin/blocks/" (crate::console::format::segment(&block.id)) "?" (query([("site", site)])) } { (title(block)) } br; code { (block.id) } }
                                td { (placement_label(&block.placement)) @if !block.slot.is_empty() { " · " code { (block.slot) } } }
                                td { @if block.audience.to_value().is_none() { "Everyone" } @else { (block.audience.rows.len() - 1) " conditions and groups" } }
                                td.num { (block.variants.len()) }
                                td.num { (block.priority) }
                            }
                        }
                    }
                }
            }
        }
    };
    page(chrome, "Blocks", content)
}

fn title(block: &BlockForm) -> &str {
    if block.name.is_empty() { &block.id } else { &block.name }
}

fn placement_label(placement: &str) -> &'static str {
    PLACEMENTS.iter().find(|(name, _)| *name == placement).map_or("Inline", |(_, label)| label)
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
    pub form: &'a BlockForm,
    /// The id the block had when it was loaded (`None`: a new block).
    pub original: Option<&'a str>,
    pub base: i64,
    pub base_live: bool,
    pub form_ids: &'a [String],
    pub problems: &'a Problems,
    pub notice: Option<&'a str>,
    pub message: &'a str,
    pub test_person: &'a str,
    pub reach: Option<&'a Reach>,
    pub tested: Option<(&'a str, Option<&'a Explained>)>,
}

/// The block editor.
pub fn editor(chrome: &Chrome<'_>, view: &EditorView<'_>) -> Markup {
    let site = chrome.sites.key();
    let form = view.form;
    let problems = view.problems;
    let heading = match view.original {
        Some(_) => format!("Edit block {}", title(form)),
        None => "New block".to_owned(),
    };
    let editor = chrome.actor.may(Role::Editor);
    let content = html! {
        p.breadcrumb { a href={ "/admin/blocks?" (query([("site", site)])) } { "Blocks" } " / " (heading) }
        h1 { (heading) }
        (working_on(view.base, view.base_live, site))
        @if let Some(notice) = view.notice { p.notice.error role="alert" { (notice) } }
        @if !problems.is_empty() {
            div.notice.error role="alert" {
                "Not saved: check the fields marked below."
                ul { @for problem in &problems.list { li { code { (problem.field) } ": " (problem.message) } } }
            }
        }
        form.editor method="post" action={ "/admin/blocks?" (query([("site", site)])) } {
            // Enter in a text field saves (the first submit button of the form).
            button.visually-hidden type="submit" name="action" value="save" tabindex="-1" aria-hidden="true" { "Save" }
            input type="hidden" name="original" value=(view.original.unwrap_or_default());
            (basics(form, problems))
            (audience(view))
            (timing(form, problems))
            (goal(form, view.form_ids, problems))
            section.card aria-labelledby="variants-title" {
                h2 #variants-title { "Variants" }
                p.muted { "Visitors are split between variants by weight. The body is Markdown; HTML outside a small safe set is removed." }
                @for (index, variant) in form.variants.iter().enumerate() {
                    (variant_fields(index, variant, form.variants.len(), problems))
                }
                @if form.variants.len() < MAX_VARIANTS { (step_button("add-variant", "Add variant", "")) }
            }
            @if editor {
                section.card.save-bar aria-label="Save" {
                    (Control::new("message", "Note for the history (optional)", problems).text(view.message))
                    div.action-row {
                        button.button type="submit" name="action" value="save" { "Save draft" }
                        button.button.secondary type="submit" name="action" value="save-preview" { "Save and preview" }
                        @if view.original.is_some() {
                            button.button.danger type="submit" name="action" value="delete" formnovalidate { "Delete block" }
                        }
                    }
                }
            }
        }
    };
    page(chrome, &heading, content)
}

fn basics(form: &BlockForm, problems: &Problems) -> Markup {
    html! {
        section.card aria-labelledby="basics-title" {
            h2 #basics-title { "Basics" }
            div.grid-fields {
                (Control::new("id", "Id", problems).hint("Letters, digits, - and _; reports and workflows use it.").text(&form.id))
                (Control::new("name", "Name", problems).text(&form.name))
                (Control::new("placement", "Placement", problems).select(PLACEMENTS, &form.placement))
                (Control::new("layout", "Layout", problems).select(LAYOUTS, &form.layout))
                (Control::new("slot", "Slot", problems).hint("For inline blocks: the page's data-kindling-slot name.").text(&form.slot))
                (Control::new("priority", "Priority", problems).hint("The highest wins where blocks compete.").input("number", &form.priority))
                (Control::new("recommend.limit", "Recommend pages from the catalogue (how many)", problems).hint("Blank: not a recommendation block.").input("number", &form.recommend_limit))
            }
            (Control::new("workflow_only", "Shown only when a workflow asks for it", problems).checkbox(form.workflow_only))
        }
    }
}

fn audience(view: &EditorView<'_>) -> Markup {
    let facts: Vec<&str> = AUDIENCE_FACTS
        .iter()
        .copied()
        .filter(|fact| *fact != "page.")
        .chain(PAGE_FACTS.iter().copied())
        .collect();
    html! {
        section.card aria-labelledby="audience-title" {
            h2 #audience-title { "Audience" }
            p.muted { "Who sees the block. An empty rule is everyone. Facts: score, temperature, stage, segments, page.path, page.utm_source, page.channel, device, language, visit, trait.NAME and more (docs/configuration.md)." }
            (rule_builder::checked_builder(&rule_builder::Checked {
                prefix: "audience",
                rows: &view.form.audience,
                facts: &facts,
                problems: view.problems,
                reach: view.reach,
                test_person: view.test_person,
                tested: view.tested,
            }))
        }
    }
}

fn timing(form: &BlockForm, problems: &Problems) -> Markup {
    let trigger = &form.trigger;
    html! {
        section.card aria-labelledby="timing-title" {
            h2 #timing-title { "When and how often" }
            div.grid-fields {
                (Control::new("trigger.on", "Appears", problems).hint("Overlays only; inline blocks show at once.").select(TRIGGERS, &trigger.on))
                (Control::new("trigger.seconds", "Seconds (delay, inactivity)", problems).input("number", &trigger.seconds))
                (Control::new("trigger.percent", "Percent scrolled", problems).input("number", &trigger.percent))
                (Control::new("trigger.selector", "CSS selector clicked", problems).text(&trigger.selector))
                (Control::new("schedule.start", "Shown from", problems).hint("RFC 3339, e.g. 2026-12-24T09:00:00Z; blank: now.").text(&form.schedule_start))
                (Control::new("schedule.end", "Shown until", problems).hint("Blank: no end.").text(&form.schedule_end))
                @for (name, label) in CAPS {
                    (Control::new(&format!("caps.{name}"), label, problems).hint("Blank: no limit.").input("number", form.caps.get(name)))
                }
            }
        }
    }
}

fn goal(form: &BlockForm, form_ids: &[String], problems: &Problems) -> Markup {
    let hint = if form_ids.is_empty() {
        "The form's or event's name.".to_owned()
    } else {
        format!("Forms: {}.", form_ids.join(", "))
    };
    html! {
        section.card aria-labelledby="goal-title" {
            h2 #goal-title { "Goal" }
            div.grid-fields {
                (Control::new("goal.kind", "Counts as converted", problems).select(GOALS, &form.goal_kind))
                (Control::new("goal.target", "Form or event", problems).hint(&hint).text(&form.goal_target))
            }
        }
    }
}

fn variant_fields(
    index: usize,
    variant: &VariantForm,
    count: usize,
    problems: &Problems,
) -> Markup {
    let name = |field: &str| format!("variants[{index}].{field}");
    let legend = format!(
        "Variant {}",
        if variant.id.is_empty() { (index + 1).to_string() } else { variant.id.clone() }
    );
    html! {
        fieldset.variant.flagged[problems.within(&format!("variants[{index}]"))] {
            legend { (legend) }
            div.grid-fields {
                (Control::new(&name("id"), "Variant id", problems).text(&variant.id))
                (Control::new(&name("weight"), "Weight", problems).input("number", &variant.weight))
            }
            (Control::new(&name("headline"), "Headline", problems).text(&variant.headline))
            (Control::new(&name("body"), "Body (Markdown)", problems).textarea(&variant.body, 5))
            div.grid-fields {
                (Control::new(&name("image.url"), "Image URL", problems).hint("https:// or a path of the site.").text(&variant.image_url))
                (Control::new(&name("image.alt"), "Image description", problems).hint("For screen readers; blank for a decorative image.").text(&variant.image_alt))
            }
            @for (cta_index, cta) in variant.ctas.iter().enumerate() {
                (cta_fields(index, cta_index, cta, problems))
            }
            div.action-row {
                @if variant.ctas.len() < MAX_CTAS {
                    (step_button(&format!("add-cta:{index}"), "Add call to action", &format!("to {legend}")))
                }
                @if count > 1 {
                    (step_button(&format!("remove-variant:{index}"), "Remove variant", &legend))
                }
            }
        }
    }
}

fn cta_fields(index: usize, cta_index: usize, cta: &CtaForm, problems: &Problems) -> Markup {
    let name = |field: &str| format!("variants[{index}].ctas[{cta_index}].{field}");
    let which = format!("call to action {} of variant {}", cta_index + 1, index + 1);
    html! {
        div.grid-fields.cta {
            (Control::new(&name("label"), "Button text", problems).text(&cta.label))
            (Control::new(&name("kind"), "It", problems).select(CTA_KINDS, &cta.kind))
            (Control::new(&name("target"), "Link or form", problems).hint("A link (https:// or /path) or a form's id; blank for a close button.").text(&cta.target))
            (step_button(&format!("remove-cta:{index}:{cta_index}"), "Remove", &which))
        }
    }
}
