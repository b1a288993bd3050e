//! The markup of the account page ([`account`](super::account)): who one is, a token
//! just made (its secret, this once), one's API tokens with a revoke button each, the
//! form making one, and signing out everywhere.

use maud::{Markup, html};

use crate::accounts::Role;
use crate::accounts::tokens::CreatedToken;
use crate::console::account_forms::{Problem, described_by, invalid, message};
use crate::console::format::{query, segment, when};
use crate::console::layout::{Chrome, page};
use crate::store::accounts::TokenRow;

/// The roles, least first.
const ROLES: [Role; 3] = [Role::Viewer, Role::Editor, Role::Owner];

/// The path revoking token `id`.
pub fn revoke_path(id: &str, site: &str) -> String {
    format!("/admin/account/tokens/{}/revoke?{}", segment(id), query([("site", site)]))
}

/// What the page says was done, after a change (`?done=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    Revoked,
}

impl Done {
    pub fn as_str(self) -> &'static str {
        match self {
            Done::Revoked => "revoked",
        }
    }

    pub fn parse(text: &str) -> Option<Done> {
        (text == "revoked").then_some(Done::Revoked)
    }
}

/// The token form as shown: what was entered, and why it was refused.
pub struct Naming<'a> {
    pub name: &'a str,
    pub role: Role,
    pub problem: Option<&'a Problem>,
}

/// The account page; `tokens` is none for the admin token, which is nobody's.
pub fn render(
    chrome: &Chrome<'_>,
    tokens: Option<&[TokenRow]>,
    naming: &Naming<'_>,
    created: Option<&CreatedToken>,
    done: Option<Done>,
) -> Markup {
    let actor = chrome.actor;
    let content = html! {
        div.page-head { h1 { "My account" } }
        @if done == Some(Done::Revoked) { p.notice role="status" { "The token was revoked: it no longer works." } }
        @if let Some(created) = created { (secret(created)) }
        section.card aria-labelledby="me-title" {
            h2 #me-title { "Signed in as" }
            dl.facts {
                div { dt { "Email" } dd { (actor.email) } }
                div { dt { "Role" } dd { span.badge.role { (actor.role.as_str()) } } }
            }
        }
        @match tokens {
            Some(tokens) => {
                (token_list(chrome, tokens))
                (token_form(chrome, naming))
                (everywhere(chrome))
            }
            None => p.notice { "The admin token belongs to nobody: sign in as a user to have API tokens and sessions." },
        }
    };
    page(chrome, "My account", content)
}

/// The token just made, shown this once.
fn secret(created: &CreatedToken) -> Markup {
    html! {
        section.card.secret aria-labelledby="secret-title" {
            h2 #secret-title { "Your new token “" (created.about.name) "”" }
            p #secret-note role="status" {
                strong { "Copy it now: it will not be shown again." }
                " Send it as " code { "Authorization: Bearer …" } "; revoke it below when it is no longer needed."
            }
            div.field.wide {
                label for="new-token" { "Token" }
                input #new-token.code type="text" readonly value=(created.token) autocomplete="off"
                    spellcheck="false" aria-describedby="secret-note";
            }
        }
    }
}

fn token_list(chrome: &Chrome<'_>, tokens: &[TokenRow]) -> Markup {
    let site = chrome.sites.key();
    html! {
        section.card aria-labelledby="tokens-title" {
            h2 #tokens-title { "API tokens" }
            p.muted { "Scripts send a token as " code { "Authorization: Bearer kdl_…" } " to " code { "/admin/api" } "; it acts with its role, never more than yours." }
            @if tokens.is_empty() { p.muted { "No token yet." } } @else {
                div.table-wrap role="region" aria-labelledby="tokens-caption" tabindex="0" {
                    table.data {
                        caption #tokens-caption.visually-hidden { "Your API tokens, newest first" }
                        thead { tr { th scope="col" { "Name" } th scope="col" { "Acts as" } th scope="col" { "Made" } th scope="col" { "Last used" } th scope="col" { "Revoke" } } }
                        tbody {
                            @for token in tokens {
                                tr {
                                    th scope="row" { (token.name) }
                                    td { span.badge.role { (token.role) } }
                                    td { (when(token.created_ms)) }
                                    td { @match token.last_used_ms { Some(at) => (when(at)), None => "never" } }
                                    td {
                                        form.inline method="post" action=(revoke_path(&token.id, site)) {
                                            button.button.danger type="submit" {
                                                "Revoke" span.visually-hidden { " " (token.name) }
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

fn token_form(chrome: &Chrome<'_>, naming: &Naming<'_>) -> Markup {
    let site = chrome.sites.key();
    let problem = naming.problem;
    html! {
        section aria-labelledby="make-title" {
            h2 #make-title { "Make a token" }
            form.filters method="post" action={ "/admin/account/tokens?" (query([("site", site)])) } {
                div.field {
                    label for="token-name" { "What it is for" }
                    input #token-name type="text" name="name" value=(naming.name) required maxlength="100"
                        autocomplete="off" aria-invalid=[invalid(problem, "name")]
                        aria-describedby=[described_by("token-name", problem, "name")];
                    (message("token-name", problem, "name"))
                }
                div.field {
                    label for="token-role" { "Acts as" }
                    select #token-role name="role" aria-invalid=[invalid(problem, "role")]
                        aria-describedby=[described_by("token-role", problem, "role")] {
                        @for role in ROLES.into_iter().filter(|role| chrome.actor.may(*role)) {
                            option value=(role.as_str()) selected[role == naming.role] { (role.as_str()) }
                        }
                    }
                    (message("token-role", problem, "role"))
                }
                div.actions { button.button type="submit" { "Make token" } }
            }
        }
    }
}

fn everywhere(chrome: &Chrome<'_>) -> Markup {
    let site = chrome.sites.key();
    html! {
        section.card aria-labelledby="sessions-title" {
            h2 #sessions-title { "Sessions" }
            p #everywhere-note { "Signs you out of every browser you are signed in on, this one included. Your API tokens keep working." }
            form method="post" action={ "/admin/account/sign-out-everywhere?" (query([("site", site)])) } {
                button.button.danger type="submit" aria-describedby="everywhere-note" { "Sign out everywhere" }
            }
        }
    }
}
