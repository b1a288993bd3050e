//! The markup of the audit log page ([`audit`](super::audit)): the filters (a `GET`
//! form, so a filtered log is a link), the entries with who, what, when and to what,
//! and the links to older entries. Subjects and details hold what users typed (emails,
//! token names): maud escapes them like any value.

use maud::{Markup, html};

use crate::console::audit_log::{AuditQuery, Gathered, MAX_SCAN};
use crate::console::format::{query, when};
use crate::console::layout::{Chrome, page};
use crate::store::accounts::AuditEntry;

/// The actions written today (`accounts::audit`), offered by the action filter.
const ACTIONS: [&str; 14] = [
    "login",
    "login.failed",
    "login.locked",
    "session.signout_all",
    "user.add",
    "user.role",
    "user.password",
    "user.activate",
    "user.deactivate",
    "user.remove",
    "token.create",
    "token.revoke",
    "config.save",
    "config.publish",
];

/// The log page.
pub fn render(chrome: &Chrome<'_>, asked: &AuditQuery, gathered: &Gathered) -> Markup {
    let site = chrome.sites.key();
    let here = |before: &str| {
        let pairs = [("site", site), ("action", &asked.action), ("actor", &asked.actor)];
        ["/admin/audit?", &query(pairs.into_iter().chain([("before", before)]))].concat()
    };
    let content = html! {
        div.page-head { h1 { "Audit log" } }
        (filters(site, asked))
        @if gathered.entries.is_empty() {
            p.empty {
                @if gathered.cut { "No entry matches among the " (MAX_SCAN) " looked at; look at older ones below." }
                @else { "No entry matches." }
            }
        } @else {
            (entries(site, &gathered.entries))
        }
        nav.pager aria-label="Pages of the log" {
            @if !asked.before.is_empty() { a href=(here("")) { "Newest" } }
            @if let Some(older) = gathered.older { a href=(here(&older.to_string())) { "Older entries" } }
        }
        @if gathered.cut && !gathered.entries.is_empty() {
            p.muted { "This page looked at the most entries one page does (" (MAX_SCAN) "): older matches may follow." }
        }
    };
    page(chrome, "Audit log", content)
}

fn filters(site: &str, asked: &AuditQuery) -> Markup {
    let known = ACTIONS.contains(&asked.action.as_str()) || asked.action.is_empty();
    html! {
        form.filters method="get" action="/admin/audit" role="search" aria-label="Filter the log" {
            input type="hidden" name="site" value=(site);
            div.field {
                label for="audit-action" { "Action" }
                select #audit-action name="action" {
                    option value="" selected[asked.action.is_empty()] { "Any action" }
                    @for action in ACTIONS {
                        option value=(action) selected[asked.action == action] { (action) }
                    }
                    @if !known { option value=(asked.action) selected { (asked.action) } }
                }
            }
            div.field {
                label for="audit-actor" { "Who (part of the email)" }
                input #audit-actor type="search" name="actor" value=(asked.actor) maxlength="254";
            }
            div.actions {
                button.button type="submit" { "Filter" }
                a.button.secondary href={ "/admin/audit?" (query([("site", site)])) } { "Clear" }
            }
        }
    }
}

fn entries(site: &str, entries: &[AuditEntry]) -> Markup {
    html! {
        div.table-wrap role="region" aria-labelledby="audit-caption" tabindex="0" {
            table.data {
                caption.visually-hidden #audit-caption { "Audit entries, newest first" }
                thead { tr { th scope="col" { "When" } th scope="col" { "Who" } th scope="col" { "What" } th scope="col" { "Target" } th scope="col" { "Detail" } } }
                tbody {
                    @for entry in entries {
                        tr {
                            td { (when(entry.at_ms)) }
                            td { (who(site, entry)) }
                            td { code { (entry.action) } }
                            td.url { (entry.subject) }
                            td { @if entry.detail != "{}" { code.props { (entry.detail) } } }
                        }
                    }
                }
            }
        }
    }
}

/// The actor, linking to their entries; nobody for a failed sign-in.
fn who(site: &str, entry: &AuditEntry) -> Markup {
    let theirs =
        ["/admin/audit?", &query([("site", site), ("actor", &entry.actor_email)])].concat();
    html! {
        @if entry.actor_email.is_empty() { span.muted { "nobody signed in" } }
        @else { a href=(theirs) { (entry.actor_email) } }
    }
}
