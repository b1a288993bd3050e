//! The audit log page, `GET /admin/audit[?action=A][&actor=TEXT][&before=ID]` (markup
//! in [`audit_page`]): who did what to what and when, newest first,
//! 50 entries a page; filtered by action (exactly) and by actor (a part of the email,
//! any case). As for the API's `GET /admin/api/audit`, any signed-in user may read it.
//!
//! The store reads the log in order only, so a page is gathered batch by batch,
//! looking at no more than 5,000 entries (see [`audit_log`](super::audit_log)): past that, the page ends where it stopped and
//! its "older" link goes on from there.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use maud::Markup;

use crate::accounts::Actor;
use crate::console::audit_log::{AuditQuery, gather};
use crate::console::audit_page;
use crate::console::error::ConsoleError;
use crate::console::layout::{Chrome, Section};
use crate::console::site::SiteChoice;
use crate::state::AppState;

/// `GET /admin/audit`.
pub async fn list(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> Result<Markup, ConsoleError> {
    let bad = ConsoleError::BadInput { field: "query", message: "use the page's filters" };
    let Query(query) = query.map_err(|_| bad)?;
    let gathered = gather(&app, query.before()?, &query.filter()).await?;
    let chrome = Chrome { actor: &actor, sites: &sites, section: Section::Audit };
    Ok(audit_page::render(&chrome, &query, &gathered))
}
