//! The markup of the revisions pages ([`revisions`](super::revisions)): the history,
//! the YAML editor, one revision with its problem, diff, blocks and actions, and the
//! preview frames.

use maud::{Markup, html};

use crate::config::error::ConfigError;
use crate::console::format::{query, when};
use crate::console::layout::{Chrome, page};
use crate::revisions::diff::DiffLine;
use crate::sites::Catalog;
use crate::store::RevisionRow;

/// The history, newest first.
pub fn list(chrome: &Chrome<'_>, revisions: &[RevisionRow], live: i64) -> Markup {
    let site = chrome.sites.key();
    let content = html! {
        div.page-head {
            h1 { "Revisions" }
            div.action-row {
                @if chrome.actor.may(crate::accounts::Role::Editor) {
                    a.button href={ "/admin/revisions/new?" (query([("site", site)])) } { "Edit the configuration" }
                }
                a.button.secondary href="/admin/api/config" download { "Download the live YAML" }
            }
        }
        @if revisions.is_empty() {
            p.empty { "No revision yet: start the collector with --config, or edit the configuration." }
        } @else {
            div.table-wrap {
                table.data {
                    caption.visually-hidden { "Revisions, newest first" }
                    thead { tr { th scope="col" { "Revision" } th scope="col" { "Saved" } th scope="col" { "By" } th scope="col" { "Message" } th scope="col" { "From" } th scope="col" { "State" } } }
                    tbody {
                        @for revision in revisions {
                            tr {
                                td { a href={ "/admin/revisions/" (revision.id) "?" (query([("site", site)])) } { "#" (revision.id) } }
                                td { (when(revision.created_ms)) }
                                td { (revision.author_email) }
                                td { (revision.message) }
                                td { (revision.source) }
                                td { (state(revision, live)) }
                            }
                        }
                    }
                }
            }
        }
    };
    page(chrome, "Revisions", content)
}

fn state(revision: &RevisionRow, live: i64) -> Markup {
    html! {
        @if revision.id == live { span.badge.ok { "Live" } }
        @else if revision.published_ms.is_some() { span.badge { "Published before" } }
        @else { span.badge.kind { "Draft" } }
    }
}

/// The YAML editor holding `text`, with `problem` (why the last save was refused).
pub fn editor(chrome: &Chrome<'_>, text: &str, message: &str, problem: Option<&str>) -> Markup {
    let site = chrome.sites.key();
    let content = html! {
        p.breadcrumb { a href={ "/admin/revisions?" (query([("site", site)])) } { "Revisions" } " / New draft" }
        h1 { "Edit the configuration" }
        p.muted { "The whole configuration as YAML (the reference is docs/configuration.md). Saving makes a draft; nothing changes for visitors until it is published." }
        @if let Some(problem) = problem {
            p.notice.error role="alert" #editor-problem { (problem) }
        }
        form.card method="post" action={ "/admin/revisions?" (query([("site", site)])) } {
            div.field.wide {
                label for="document" { "Configuration (YAML)" }
                textarea #document.code name="document" rows="30" spellcheck="false" required
                    aria-describedby=[problem.map(|_| "editor-problem")] { (text) }
            }
            div.field.wide {
                label for="upload" { "Or load a YAML file into the editor" }
                input #upload type="file" accept=".yaml,.yml,text/yaml,application/yaml" data-loads="document";
            }
            div.field.wide {
                label for="message" { "What changed" }
                input #message type="text" name="message" value=(message) maxlength="500";
            }
            button.button type="submit" { "Save draft" }
        }
    };
    page(chrome, "Edit the configuration", content)
}

/// What the page of one revision shows.
pub struct RevisionView<'a> {
    pub revision: &'a RevisionRow,
    pub live: bool,
    pub problem: Option<&'a ConfigError>,
    pub catalog: Option<&'a Catalog>,
    pub lines: &'a [DiffLine],
    /// `published` or `restored`, after that action.
    pub done: Option<&'a str>,
    /// Why a publish or restore was refused.
    pub refusal: Option<&'a str>,
}

/// One revision.
pub fn revision(chrome: &Chrome<'_>, view: &RevisionView<'_>) -> Markup {
    let site = chrome.sites.key();
    let revision = view.revision;
    let editor = chrome.actor.may(crate::accounts::Role::Editor);
    let here = format!("/admin/revisions/{}", revision.id);
    let content = html! {
        p.breadcrumb { a href={ "/admin/revisions?" (query([("site", site)])) } { "Revisions" } " / #" (revision.id) }
        div.page-head {
            h1 { "Revision #" (revision.id) " " (state(revision, if view.live { revision.id } else { 0 })) }
            @if editor {
                div.action-row {
                    a.button.secondary href={ "/admin/revisions/new?" (query([("site", site), ("from", &revision.id.to_string())])) } { "Edit from this one" }
                    @if !view.live && view.problem.is_none() {
                        form method="post" action={ (here) "/publish?" (query([("site", site)])) } {
                            button.button type="submit" { "Publish" }
                        }
                        @if revision.published_ms.is_some() {
                            form method="post" action={ (here) "/restore?" (query([("site", site)])) } {
                                button.button.secondary type="submit" { "Restore as a new revision" }
                            }
                        }
                    }
                }
            }
        }
        @match view.done {
            Some("published") => p.notice role="status" { "Published: visitors see it now." },
            Some("restored") => p.notice role="status" { "Restored and published as this new revision." },
            Some("saved") => p.notice role="status" { "Saved as this draft. Check the changes below, preview them, then publish." },
            _ => {}
        }
        @if let Some(refusal) = view.refusal {
            p.notice.error role="alert" { "Not published. " (refusal) }
        }
        p.muted { "Saved " (crate::console::format::when(revision.created_ms)) " by " (revision.author_email) " from " (revision.source) @if !revision.message.is_empty() { ": " (revision.message) } }
        @if let Some(problem) = view.problem {
            section.card.problem aria-labelledby="problem-title" {
                h2 #problem-title { "This revision cannot be published" }
                p { "At " code { (if problem.path.is_empty() { "the document" } else { problem.path.as_str() }) } ": " (problem.message) }
            }
        }
        section.card aria-labelledby="diff-title" {
            h2 #diff-title { "Changes against the live revision" }
            @if view.lines.is_empty() {
                p.muted { "None: it is the same document." }
            } @else {
                div.table-wrap {
                    table.data.diff {
                        caption.visually-hidden { "Lines removed and added" }
                        tbody {
                            @for line in view.lines {
                                @let class = match line.op { "+" => "plus", "-" => "minus", _ => "" };
                                tr { td.num aria-label=(label(line.op)) { (line.op) } td.(class) { code { (line.text) } } }
                            }
                        }
                    }
                }
            }
        }
        @if let Some(site_config) = view.catalog.and_then(|catalog| catalog.site(site)) {
            section.card aria-labelledby="blocks-title" {
                h2 #blocks-title { "Blocks and forms of " (site_config.name) }
                ul {
                    @for block in &site_config.blocks {
                        li {
                            code { (block.id) } " (" (block.placement.as_str()) ") preview: "
                            @for variant in &block.variants {
                                @for lang in ["en", "pl"] {
                                    a href={ (here) "/preview?" (query([("site", site), ("block", &block.id), ("variant", &variant.id), ("lang", lang)])) } { (variant.id) " · " (lang) }
                                    " "
                                }
                            }
                        }
                    }
                    @for form in &site_config.forms {
                        li {
                            "form " code { (form.id) } " preview: "
                            @for lang in ["en", "pl"] {
                                a href={ (here) "/preview?" (query([("site", site), ("form", &form.id), ("lang", lang)])) } { (lang) }
                                " "
                            }
                        }
                    }
                }
            }
        }
    };
    page(chrome, &format!("Revision {}", revision.id), content)
}

fn label(op: &str) -> &'static str {
    match op {
        "+" => "added",
        "-" => "removed",
        "…" => "lines left out",
        _ => "unchanged",
    }
}

/// What the preview page frames.
pub struct PreviewFrames<'a> {
    pub revision: i64,
    pub url: String,
    pub block: Option<(&'a str, &'a str)>,
    pub form: Option<&'a str>,
    pub variants: &'a [String],
    pub lang: &'a str,
}

/// The preview, at desktop and mobile widths.
pub fn preview(chrome: &Chrome<'_>, frames: &PreviewFrames<'_>) -> Markup {
    let site = chrome.sites.key();
    let back = format!("/admin/revisions/{}?{}", frames.revision, query([("site", site)]));
    let what = match (frames.block, frames.form) {
        (Some((block, variant)), _) => format!("block {block}, variant {variant}"),
        (None, Some(form)) => format!("form {form}"),
        (None, None) => String::new(),
    };
    let content = html! {
        p.breadcrumb { a href=(back) { "Revision #" (frames.revision) } " / Preview" }
        h1 { "Preview: " (what) " (" (frames.lang) ")" }
        @if let Some((block, _)) = frames.block {
            p.action-row {
                @for variant in frames.variants {
                    a.button.secondary href={ "/admin/revisions/" (frames.revision) "/preview?" (query([("site", site), ("block", block), ("variant", variant), ("lang", frames.lang)])) } { "Variant " (variant) }
                }
            }
        }
        p.muted { "Drawn by the widget itself, as a new visitor would see it; nothing is recorded." }
        div.previews {
            figure.preview.desktop {
                figcaption { "Desktop, 1280 px" }
                iframe src=(frames.url) title="Desktop preview" width="1280" height="720" sandbox="allow-scripts allow-same-origin" loading="lazy" {}
            }
            figure.preview.mobile {
                figcaption { "Mobile, 390 px" }
                iframe src=(frames.url) title="Mobile preview" width="390" height="844" sandbox="allow-scripts allow-same-origin" loading="lazy" {}
            }
        }
    };
    page(chrome, "Preview", content)
}
