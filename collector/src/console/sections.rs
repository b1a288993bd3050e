//! Editors of one part of a site's configuration at a time (markup in
//! [`sections_page`](super::sections_page)): `GET /admin/config/{section}` shows the
//! section of the newest revision as YAML, with its reference and an example;
//! `POST /admin/config/{section}` saves it into that revision's document as a new draft,
//! refused with the problem (its path inside the section) when the configuration's
//! validator finds one the edit brought in. Sections: forms, scoring, segments,
//! stages, workflows and the content catalogue; webhooks for owners only (their secrets
//! are the owner's), whose secrets are never shown.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::Markup;
use serde::Deserialize;
use serde_yaml_ng::Value;

use crate::accounts::{Actor, Role};
use crate::console::drafts::{self, Saved};
use crate::console::error::ConsoleError;
use crate::console::layout::Chrome;
use crate::console::parts::{Part, part};
use crate::console::sections_page::{self as page, SectionView};
use crate::console::site::SiteChoice;
use crate::error::ApiError;
use crate::revisions::secrets::REDACTED;

/// `part`'s YAML as the editor shows it: webhooks' inline secrets hidden.
fn shown(part: &Part, value: Option<&Value>) -> String {
    let Some(value) = value else { return String::new() };
    let mut value = value.clone();
    if part.key == "webhooks" {
        for webhook in value.as_sequence_mut().into_iter().flatten() {
            if let Some(secret) = webhook.get_mut("secret")
                && secret.as_str().is_some_and(|secret| !secret.is_empty())
            {
                *secret = Value::from(REDACTED);
            }
        }
    }
    serde_yaml_ng::to_string(&value).unwrap_or_default()
}

/// Gives each webhook of `edited` whose secret reads [`REDACTED`] the secret the
/// webhook with its id has in `before`; names the first that has none.
fn keep_secrets(edited: &mut Value, before: Option<&Value>) -> Result<(), String> {
    let earlier = |id: &Value| {
        before
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
            .find(|webhook| webhook.get("id") == Some(id))
            .and_then(|webhook| webhook.get("secret"))
            .cloned()
    };
    for webhook in edited.as_sequence_mut().into_iter().flatten() {
        if webhook.get("secret").and_then(Value::as_str) != Some(REDACTED) {
            continue;
        }
        let id = webhook.get("id").cloned().unwrap_or(Value::Null);
        let secret = earlier(&id).ok_or_else(|| {
            format!(
                "webhook {}: write its secret again",
                serde_yaml_ng::to_string(&id).unwrap_or_default().trim()
            )
        })?;
        if let Some(slot) = webhook.get_mut("secret") {
            *slot = secret;
        }
    }
    Ok(())
}

/// `GET /admin/config/{section}`.
pub async fn show(
    State(app): State<crate::state::AppState>,
    actor: Actor,
    sites: SiteChoice,
    Path(name): Path<String>,
) -> Result<Markup, ConsoleError> {
    let part = part(&name)?;
    if part.owners_only && !actor.may(Role::Owner) {
        return Err(ApiError::Forbidden { needs: "owner" }.into());
    }
    let (base, document) = drafts::working(&app).await?;
    let base = base.id;
    let value = document.section(sites.key(), part.key).map_err(|_| ConsoleError::UnknownSite)?;
    let text = shown(part, value.as_ref());
    let chrome = Chrome { actor: &actor, sites: &sites, section: part.section };
    Ok(page::section(&chrome, &SectionView { part, base, text: &text, message: "", problem: None }))
}

/// The section editor's fields.
#[derive(Debug, Deserialize)]
pub struct Edited {
    text: String,
    #[serde(default)]
    message: String,
}

/// `POST /admin/config/{section}`.
pub async fn save(
    State(app): State<crate::state::AppState>,
    actor: Actor,
    sites: SiteChoice,
    Path(name): Path<String>,
    Form(edited): Form<Edited>,
) -> Result<Response, ConsoleError> {
    let part = part(&name)?;
    if part.owners_only && !actor.may(Role::Owner) {
        return Err(ApiError::Forbidden { needs: "owner" }.into());
    }
    let (base, mut document) = drafts::working(&app).await?;
    let (base, base_text) = (base.id, base.document);
    let text = edited.text.replace("\r\n", "\n");
    let chrome = Chrome { actor: &actor, sites: &sites, section: part.section };
    let refused = |problem: String| {
        let view = SectionView {
            part,
            base,
            text: &text,
            message: &edited.message,
            problem: Some(&problem),
        };
        (StatusCode::BAD_REQUEST, page::section(&chrome, &view)).into_response()
    };
    let mut value = if text.trim().is_empty() {
        None
    } else {
        match serde_yaml_ng::from_str::<Value>(&text) {
            Ok(value) => Some(value),
            Err(error) => return Ok(refused(format!("This is not YAML: {error}"))),
        }
    };
    if part.key == "webhooks"
        && let Some(value) = value.as_mut()
    {
        let before = document.section(sites.key(), part.key).ok().flatten();
        if let Err(problem) = keep_secrets(value, before.as_ref()) {
            return Ok(refused(problem));
        }
    }
    let site_index = document.site_index(sites.key()).map_err(|_| ConsoleError::UnknownSite)?;
    document.set_section(sites.key(), part.key, value).map_err(|_| ConsoleError::UnknownSite)?;
    let item = format!("sites[{site_index}].{}", part.key);
    let message = if edited.message.trim().is_empty() {
        format!("Edit {}", part.title.to_lowercase())
    } else {
        edited.message.clone()
    };
    match drafts::save(&app, &actor, &base_text, document.text(), &item, message).await? {
        Saved::Draft(id) => Ok(Redirect::to(&drafts::saved_path(id, sites.key())).into_response()),
        Saved::Inside { path, message } => {
            let at =
                if path.is_empty() { part.key.to_owned() } else { format!("{}{path}", part.key) };
            Ok(refused(format!("{at}: {message}")))
        }
        Saved::Elsewhere { path, message } => {
            Ok(refused(format!("This change makes {path} invalid: {message}")))
        }
    }
}
