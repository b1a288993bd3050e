//! The configuration's revisions in the console (markup in
//! [`revisions_page`](super::revisions_page)):
//!
//! - `GET /admin/revisions`: the history, newest first, the live one marked;
//! - `GET /admin/revisions/new[?from=ID]`: the YAML editor, holding the live document
//!   (or revision `ID`'s); `POST /admin/revisions`: saves it as a draft;
//! - `GET /admin/revisions/{id}`: one revision: its problem beside the path it names,
//!   its diff against the live one, its blocks with preview links, publish and restore;
//! - `POST /admin/revisions/{id}/publish`, `POST /admin/revisions/{id}/restore`;
//! - `GET /admin/revisions/{id}/preview?site=&block=&variant=&lang=`: the block (or
//!   `form=`) drawn by the real widget in sandboxed frames at desktop and mobile width.
//!
//! Saving and publishing go through [`revisions`](crate::revisions) exactly as the API
//! does; inline secrets are redacted for all but owners there too.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::Markup;
use serde::Deserialize;

use crate::accounts::{Actor, Role};
use crate::console::error::ConsoleError;
use crate::console::layout::{Chrome, Section};
use crate::console::revisions_page::{self as page, PreviewFrames};
use crate::console::site::SiteChoice;
use crate::error::ApiError;
use crate::preview::Preview;
use crate::revisions::{Author, RevisionError, diff, document, history, secrets};
use crate::state::AppState;

/// `document` as `actor` may see it.
fn shown_to(actor: &Actor, document: String) -> String {
    if actor.may(Role::Owner) { document } else { secrets::redact(&document) }
}

/// `GET /admin/revisions`.
pub async fn list(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
) -> Result<Markup, ConsoleError> {
    let revisions = app.store.revisions(None, 100).await.map_err(ApiError::from)?;
    let live = app.store.live_revision_id().await.map_err(ApiError::from)?;
    let chrome = Chrome { actor: &actor, sites: &sites, section: Section::Revisions };
    Ok(page::list(&chrome, &revisions, live))
}

#[derive(Debug, Deserialize)]
pub struct From {
    from: Option<i64>,
}

/// `GET /admin/revisions/new`.
pub async fn editor(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
    Query(from): Query<From>,
) -> Result<Markup, ConsoleError> {
    let base = match from.from {
        Some(id) => app.store.revision(id).await.map_err(ApiError::from)?,
        None => app.store.live_revision().await.map_err(ApiError::from)?,
    };
    let text = shown_to(&actor, base.map(|base| base.document).unwrap_or_default());
    let chrome = Chrome { actor: &actor, sites: &sites, section: Section::Revisions };
    Ok(page::editor(&chrome, &text, "", None))
}

/// The editor's fields.
#[derive(Debug, Deserialize)]
pub struct Draft {
    document: String,
    #[serde(default)]
    message: String,
}

/// `POST /admin/revisions`: saves the draft, then shows it.
pub async fn save(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
    Form(draft): Form<Draft>,
) -> Result<Response, ConsoleError> {
    let chrome = Chrome { actor: &actor, sites: &sites, section: Section::Revisions };
    let refused = |problem: &str| {
        (
            StatusCode::BAD_REQUEST,
            page::editor(&chrome, &draft.document, &draft.message, Some(problem)),
        )
            .into_response()
    };
    if draft.document.len() > document::MAX_DOCUMENT_BYTES {
        return Ok(refused("The document is larger than 1 MiB."));
    }
    let author = Author::from(&actor);
    let document = draft.document.replace("\r\n", "\n");
    match history::save(&app.store, &author, document, draft.message.clone(), "console").await {
        Ok((id, _)) => Ok(Redirect::to(&revision_path(id, sites.key(), None)).into_response()),
        Err(RevisionError::SecretsHidden) => Ok(refused(
            "A redacted secret cannot be matched with the live revision's: ask an owner.",
        )),
        Err(error) => Err(ApiError::from(error).into()),
    }
}

fn revision_path(id: i64, site: &str, note: Option<&str>) -> String {
    let mut path = format!("/admin/revisions/{id}?site={}", crate::console::format::segment(site));
    if let Some(note) = note {
        path.push_str("&done=");
        path.push_str(note);
    }
    path
}

#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
}

/// `GET /admin/revisions/{id}`.
pub async fn show(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
    Path(id): Path<i64>,
    Query(done): Query<Done>,
) -> Result<Markup, ConsoleError> {
    shown(&app, &actor, &sites, id, done.done.as_deref(), None).await
}

/// The page of revision `id`, with `refusal` (why a publish was refused) if any.
async fn shown(
    app: &AppState,
    actor: &Actor,
    sites: &SiteChoice,
    id: i64,
    done: Option<&str>,
    refusal: Option<&str>,
) -> Result<Markup, ConsoleError> {
    let revision =
        app.store.revision(id).await.map_err(ApiError::from)?.ok_or(ConsoleError::NotFound)?;
    let live = app.store.live_revision().await.map_err(ApiError::from)?;
    let compiled = document::compile(&revision.document);
    let live_id = live.as_ref().map_or(0, |live| live.id);
    let live_text = shown_to(actor, live.map(|live| live.document).unwrap_or_default());
    let text = shown_to(actor, revision.document.clone());
    let lines = diff::lines(&live_text, &text);
    let chrome = Chrome { actor, sites, section: Section::Revisions };
    let view = page::RevisionView {
        revision: &revision,
        live: live_id == id,
        problem: compiled.as_ref().err(),
        catalog: compiled.as_ref().ok(),
        lines: &lines,
        done,
        refusal,
    };
    Ok(page::revision(&chrome, &view))
}

/// `POST /admin/revisions/{id}/publish`.
pub async fn publish(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
    Path(id): Path<i64>,
) -> Result<Response, ConsoleError> {
    let published = history::publish(&app.store, &app.catalog, &Author::from(&actor), id).await;
    answer(&app, &actor, &sites, id, published.map(|()| id), "published").await
}

/// `POST /admin/revisions/{id}/restore`.
pub async fn restore(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
    Path(id): Path<i64>,
) -> Result<Response, ConsoleError> {
    let restored =
        history::restore(&app.store, &app.catalog, &Author::from(&actor), id, None).await;
    answer(&app, &actor, &sites, id, restored, "restored").await
}

/// After a publish or restore of revision `id`: the live revision's page with `done`,
/// or `id`'s page again saying why not.
async fn answer(
    app: &AppState,
    actor: &Actor,
    sites: &SiteChoice,
    id: i64,
    outcome: Result<i64, RevisionError>,
    done: &str,
) -> Result<Response, ConsoleError> {
    let (status, why) = match outcome {
        Ok(live) => {
            return Ok(Redirect::to(&revision_path(live, sites.key(), Some(done))).into_response());
        }
        Err(RevisionError::Invalid(_)) => (
            StatusCode::BAD_REQUEST,
            "It is not valid: fix the problem shown and save a new draft.",
        ),
        Err(RevisionError::OwnerPartsChanged) => (
            StatusCode::FORBIDDEN,
            "It changes sites, webhooks or identity secrets: an owner must publish it.",
        ),
        Err(RevisionError::NotFound(_)) => return Err(ConsoleError::NotFound),
        Err(error) => return Err(ApiError::from(error).into()),
    };
    Ok((status, shown(app, actor, sites, id, None, Some(why)).await?).into_response())
}

/// What to preview.
#[derive(Debug, Deserialize)]
pub struct Wanted {
    block: Option<String>,
    variant: Option<String>,
    form: Option<String>,
    lang: Option<String>,
}

/// `GET /admin/revisions/{id}/preview`.
pub async fn preview(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
    Path(id): Path<i64>,
    Query(wanted): Query<Wanted>,
) -> Result<Markup, ConsoleError> {
    let revision =
        app.store.revision(id).await.map_err(ApiError::from)?.ok_or(ConsoleError::NotFound)?;
    let catalog = document::compile(&revision.document).map_err(|_| ConsoleError::BadInput {
        field: "revision",
        message: "this revision is not valid",
    })?;
    let preview = Preview::of(
        catalog,
        sites.key(),
        wanted.block.as_deref(),
        wanted.variant.as_deref(),
        wanted.form.as_deref(),
        wanted.lang.as_deref(),
    )
    .map_err(|_| ConsoleError::NotFound)?;
    let (block, lang, variants) = (preview.block.clone(), preview.lang, preview.variants());
    let token = app.previews.add(preview);
    let chrome = Chrome { actor: &actor, sites: &sites, section: Section::Revisions };
    let frames = PreviewFrames {
        revision: id,
        url: format!("/preview/{token}"),
        block: block.as_ref().map(|(b, v)| (b.as_str(), v.as_str())),
        form: wanted.form.as_deref(),
        variants: &variants,
        lang,
    };
    Ok(page::preview(&chrome, &frames))
}
