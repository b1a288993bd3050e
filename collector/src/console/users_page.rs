//! The markup of the users pages ([`users`](super::users)): the list, each row with
//! its role and access forms and a link to remove the user, the form adding one, and
//! the removal's confirmation. A refused form's problem is beside its control
//! ([`fields`](super::fields)).

use maud::{Markup, html};

use crate::accounts::Role;
use crate::accounts::users::UserView;
use crate::clock::unix_millis;
use crate::console::account_forms::{Problem, described_by, invalid, message};
use crate::console::format::{query, segment, when};
use crate::console::layout::{Chrome, page};

/// The roles, most first.
const ROLES: [Role; 3] = [Role::Owner, Role::Editor, Role::Viewer];

/// `/admin/users?site=…`, saying what was `done` when something was.
pub fn users_path(site: &str, done: Option<Done>) -> String {
    let done = done.map_or("", Done::as_str);
    ["/admin/users?", &query([("site", site), ("done", done)])].concat()
}

/// The path of user `id`'s `action`.
pub fn user_path(id: &str, action: &str, site: &str) -> String {
    format!("/admin/users/{}/{action}?{}", segment(id), query([("site", site)]))
}

/// What the list says was done, after a change (`?done=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    Added,
    Role,
    Access,
    Removed,
}

impl Done {
    pub fn as_str(self) -> &'static str {
        match self {
            Done::Added => "added",
            Done::Role => "role",
            Done::Access => "access",
            Done::Removed => "removed",
        }
    }

    pub fn parse(text: &str) -> Option<Done> {
        [Done::Added, Done::Role, Done::Access, Done::Removed]
            .into_iter()
            .find(|done| done.as_str() == text)
    }

    fn message(self) -> &'static str {
        match self {
            Done::Added => "The user was added: give them their password; they can sign in now.",
            Done::Role => "The role was changed; the user signs in again to use it.",
            Done::Access => "Whether the user may sign in was changed.",
            Done::Removed => "The user was removed, with their sessions and API tokens.",
        }
    }
}

/// The add form as shown: what was entered, and why it was refused.
pub struct Adding<'a> {
    pub email: &'a str,
    pub role: Role,
    pub problem: Option<&'a Problem>,
}

/// What the list shows.
pub struct Listing<'a> {
    pub users: &'a [UserView],
    pub adding: Adding<'a>,
    /// A row's refused change: the user's id, and why.
    pub refused: Option<(&'a str, &'a Problem)>,
    pub done: Option<Done>,
}

/// The users list and the add form.
pub fn list(chrome: &Chrome<'_>, listing: &Listing<'_>) -> Markup {
    let site = chrome.sites.key();
    let audit = ["/admin/audit?", &query([("site", site), ("action", "login")])].concat();
    let content = html! {
        div.page-head { h1 { "Users" } }
        @if let Some(done) = listing.done { p.notice role="status" { (done.message()) } }
        section.card aria-labelledby="users-title" {
            h2 #users-title { "Who may sign in" }
            div.table-wrap role="region" aria-labelledby="users-caption" tabindex="0" {
                table.data {
                    caption #users-caption.visually-hidden { "Users, by email" }
                    thead { tr { th scope="col" { "Email" } th scope="col" { "Role" } th scope="col" { "Added" } th scope="col" { "Sign-in" } th scope="col" { "Remove" } } }
                    tbody {
                        @for (n, user) in listing.users.iter().enumerate() {
                            @let problem = listing.refused.filter(|(id, _)| *id == user.id).map(|(_, p)| p);
                            (row(chrome, n, user, problem))
                        }
                    }
                }
            }
            p.muted { "Sign-ins are in the " a href=(audit) { "audit log" } "." }
        }
        (add_form(site, &listing.adding))
    };
    page(chrome, "Users", content)
}

fn row(chrome: &Chrome<'_>, n: usize, user: &UserView, problem: Option<&Problem>) -> Markup {
    let site = chrome.sites.key();
    let (role_id, access_id) = (format!("role-{n}"), format!("access-{n}"));
    html! {
        tr {
            th scope="row" {
                (user.email)
                @if user.id == chrome.actor.user { " " span.badge { "you" } }
            }
            td {
                form.inline method="post" action=(user_path(&user.id, "role", site)) {
                    label.visually-hidden for=(role_id) { "Role of " (user.email) }
                    select #(role_id) name="role" aria-invalid=[invalid(problem, "role")]
                        aria-describedby=[described_by(&role_id, problem, "role")] {
                        @for role in ROLES {
                            option value=(role.as_str()) selected[role == user.role] { (role.as_str()) }
                        }
                    }
                    button.button.secondary type="submit" {
                        "Change" span.visually-hidden { " the role of " (user.email) }
                    }
                }
                (message(&role_id, problem, "role"))
            }
            td { (when(user.created_ms)) }
            td { (access(site, user, &access_id, problem)) }
            td {
                a.button.danger href=(user_path(&user.id, "remove", site)) {
                    "Remove…" span.visually-hidden { " " (user.email) }
                }
            }
        }
    }
}

/// Whether the user may sign in, and the button that changes it.
fn access(site: &str, user: &UserView, id: &str, problem: Option<&Problem>) -> Markup {
    let locked = user.locked_until_ms.filter(|until| *until > unix_millis());
    html! {
        p.badges {
            @if !user.active { span.badge { "Disabled" } }
            @else if let Some(until) = locked { span.badge { "Locked until " (when(until)) } }
            @else { span.badge.ok { "Active" } }
        }
        form.inline method="post" action=(user_path(&user.id, "access", site)) {
            input type="hidden" name="active" value=(!user.active);
            button.button.secondary #(id) type="submit"
                aria-describedby=[described_by(id, problem, "access")] {
                @if user.active { "Disable" } @else { "Enable" }
                span.visually-hidden { " " (user.email) }
            }
        }
        (message(id, problem, "access"))
    }
}

fn add_form(site: &str, adding: &Adding<'_>) -> Markup {
    let problem = adding.problem;
    html! {
        section aria-labelledby="add-title" {
            h2 #add-title { "Add a user" }
            form.filters method="post" action={ "/admin/users?" (query([("site", site)])) } {
                div.field {
                    label for="add-email" { "Email" }
                    input #add-email type="email" name="email" value=(adding.email) required maxlength="254" autocomplete="off"
                        aria-invalid=[invalid(problem, "email")] aria-describedby=[described_by("add-email", problem, "email")];
                    (message("add-email", problem, "email"))
                }
                div.field {
                    label for="add-password" { "Initial password" }
                    input #add-password type="password" name="password" required minlength="12" autocomplete="new-password"
                        aria-invalid=[invalid(problem, "password")]
                        aria-describedby={ "add-password-hint" @if invalid(problem, "password").is_some() { " add-password-error" } };
                    p.muted.hint #add-password-hint { "At least 12 characters. Give it to them yourself." }
                    (message("add-password", problem, "password"))
                }
                div.field {
                    label for="add-role" { "Role" }
                    select #add-role name="role" aria-invalid=[invalid(problem, "role")]
                        aria-describedby=[described_by("add-role", problem, "role")] {
                        @for role in ROLES {
                            option value=(role.as_str()) selected[role == adding.role] { (role.as_str()) }
                        }
                    }
                    (message("add-role", problem, "role"))
                }
                div.actions { button.button type="submit" { "Add user" } }
            }
        }
    }
}

/// The removal's confirmation, with why the last try was refused.
pub fn confirm_remove(chrome: &Chrome<'_>, user: &UserView, problem: Option<&Problem>) -> Markup {
    let site = chrome.sites.key();
    let content = html! {
        p.breadcrumb { a href=(users_path(site, None)) { "Users" } " / Remove" }
        section.card.confirm aria-labelledby="remove-title" {
            h1 #remove-title { "Remove " (user.email) "?" }
            p {
                "They can no longer sign in: their sessions end and their API tokens stop "
                "working. The audit log keeps what they did. This cannot be undone; to stop "
                "them signing in for a while, disable them instead."
            }
            (message("remove", problem, "remove"))
            div.action-row {
                form.inline method="post" action=(user_path(&user.id, "remove", site)) {
                    button.button.danger #remove type="submit"
                        aria-describedby=[described_by("remove", problem, "remove")] { "Remove permanently" }
                }
                a.button.secondary href=(users_path(site, None)) { "Cancel" }
            }
        }
    };
    page(chrome, "Remove a user", content)
}
