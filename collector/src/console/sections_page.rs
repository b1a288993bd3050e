//! The markup of a section editor ([`sections`](super::sections)): the parts of the
//! configuration with an editor, and one part's YAML in a text area with the problem
//! that refused the last save.

use maud::{Markup, html};

use crate::accounts::Role;
use crate::console::format::query;
use crate::console::layout::{Chrome, page};
use crate::console::parts::{PARTS, Part};

/// What a section editor shows.
pub struct SectionView<'a> {
    pub part: &'a Part,
    /// The revision the text comes from.
    pub base: i64,
    pub text: &'a str,
    pub message: &'a str,
    pub problem: Option<&'a str>,
}

/// The editor of one part.
pub fn section(chrome: &Chrome<'_>, view: &SectionView<'_>) -> Markup {
    let site = chrome.sites.key();
    let part = view.part;
    let owner = chrome.actor.may(Role::Owner);
    let may_save = chrome.actor.may(if part.owners_only { Role::Owner } else { Role::Editor });
    let content = html! {
        nav.tabs aria-label="Configuration" {
            ul {
                li { a href={ "/admin/blocks?" (query([("site", site)])) } { "Blocks" } }
                li { a href={ "/admin/segments?" (query([("site", site)])) } { "Segments (rules)" } }
                @for other in PARTS.iter().filter(|other| owner || !other.owners_only) {
                    li {
                        a href={ "/admin/config/" (other.key) "?" (query([("site", site)])) }
                            aria-current=[(other.key == part.key).then_some("page")] { (other.title) }
                    }
                }
                li { a href={ "/admin/revisions/new?" (query([("site", site)])) } { "Whole YAML" } }
            }
        }
        h1 { (part.title) }
        p.muted { (part.about) }
        p.muted {
            "This site's " code { (part.key) } " section of "
            a href={ "/admin/revisions/" (view.base) "?" (query([("site", site)])) } { "revision #" (view.base) }
            ", as YAML (reference: docs/configuration.md). Saving makes a new draft; visitors see it once it is published. Comments are not kept."
        }
        @if let Some(problem) = view.problem {
            p.notice.error role="alert" #section-problem { "Not saved. " (problem) }
        }
        form.card method="post" action={ "/admin/config/" (part.key) "?" (query([("site", site)])) } {
            div.field.wide {
                label for="section-text" { (part.title) " (YAML)" }
                textarea #section-text.code name="text" rows="24" spellcheck="false"
                    readonly[!may_save]
                    aria-invalid=[view.problem.map(|_| "true")]
                    aria-describedby=[view.problem.map(|_| "section-problem")] { (view.text) }
            }
            @if may_save {
                div.field.wide {
                    label for="section-message" { "Note for the history (optional)" }
                    input #section-message type="text" name="message" value=(view.message);
                }
                div.action-row { button.button type="submit" { "Save draft" } }
            }
        }
    };
    page(chrome, part.title, content)
}
