//! The configuration's revisions (any role reads; editors save, publish and restore;
//! changing sites, webhooks or identity secrets needs an owner):
//!
//! - `GET /admin/api/revisions[?before=ID&limit=N]`: revisions, newest first, without
//!   their documents, and the live revision's id;
//! - `POST /admin/api/revisions`: saves `{document, message}` as a draft (kept even
//!   when invalid; the answer names its first problem);
//! - `GET /admin/api/revisions/{id}`: one revision with its document and problem;
//! - `GET /admin/api/revisions/{id}/diff[?against=ID]`: lines changed from revision
//!   `against` (the live one by default) to this one;
//! - `POST /admin/api/revisions/{id}/publish`: makes it live, at once;
//! - `POST /admin/api/revisions/{id}/restore[?message=…]`: publishes a copy of it as a
//!   new revision;
//! - `GET /admin/api/config`: the live YAML, as stored (config as code);
//! - `POST /admin/api/config[?publish=true&message=…]`: a YAML body stored as a revision
//!   and, with `publish`, published.
//!
//! Inline secrets in documents are shown to owners only; everyone else reads them as
//! `<redacted>`, and a document saved with them redacted gets them back from the live
//! revision ([`secrets`](crate::revisions::secrets)).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::accounts::{Actor, Role};
use crate::admin::params::list_limit;
use crate::config::error::ConfigError;
use crate::error::ApiError;
use crate::json::{JsonBody, QueryParams};
use crate::revisions::diff::{self, DiffLine};
use crate::revisions::{Author, RevisionError, document, history, secrets};
use crate::state::AppState;
use crate::store::RevisionRow;

/// The revision routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, save))
        .routes(routes!(one))
        .routes(routes!(changes))
        .routes(routes!(publish))
        .routes(routes!(restore))
        .routes(routes!(export, import))
}

impl From<RevisionError> for ApiError {
    fn from(error: RevisionError) -> Self {
        match error {
            RevisionError::NotFound(_) => ApiError::NotFound,
            RevisionError::Invalid(problem) => {
                ApiError::InvalidConfig { path: problem.path, message: problem.message }
            }
            RevisionError::OwnerPartsChanged => ApiError::Forbidden { needs: "owner" },
            RevisionError::SecretsHidden => ApiError::invalid(
                "document",
                "a redacted secret cannot be matched with the live revision's; ask an owner",
            ),
            RevisionError::Store(error) => ApiError::Store(error),
        }
    }
}

/// `document` as `actor` may see it: inline secrets redacted for all but owners.
fn shown_to(actor: &Actor, document: String) -> String {
    if actor.may(Role::Owner) { document } else { secrets::redact(&document) }
}

/// A document's first problem, located by its path in the document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Problem {
    path: String,
    message: String,
}

impl From<ConfigError> for Problem {
    fn from(problem: ConfigError) -> Self {
        Problem { path: problem.path, message: problem.message }
    }
}

fn problem_of(text: &str) -> Option<Problem> {
    document::compile(text).err().map(Problem::from)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListParams {
    /// Only revisions with ids below this one (the next page).
    before: Option<i64>,
    /// 1 to 1000; 100 when not given.
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
}

/// A page of revisions.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Revisions {
    /// The id of the live revision (0: none yet).
    live: i64,
    /// Newest first; `document` left empty.
    revisions: Vec<RevisionRow>,
}

#[utoipa::path(
    get,
    path = "/admin/api/revisions",
    tag = "admin",
    summary = "The configuration's revisions, newest first",
    params(ListParams),
    responses(
        (status = 200, description = "A page of revisions", body = Revisions),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn list(
    State(app): State<AppState>,
    QueryParams(params): QueryParams<ListParams>,
) -> Result<Json<Revisions>, ApiError> {
    let limit = list_limit(params.limit)?;
    let revisions = app.store.revisions(params.before, limit).await?;
    Ok(Json(Revisions { live: app.store.live_revision_id().await?, revisions }))
}

/// A draft to save.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct Draft {
    /// The whole configuration, as YAML.
    document: String,
    /// What changed, for the history.
    #[serde(default)]
    message: String,
}

/// A saved revision and its document's first problem (none: it can be published).
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Saved {
    id: i64,
    problem: Option<Problem>,
}

#[utoipa::path(
    post,
    path = "/admin/api/revisions",
    tag = "admin",
    summary = "Saves a draft revision of the whole configuration",
    request_body = Draft,
    responses(
        (status = 201, description = "Stored, unpublished", body = Saved),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn save(
    State(app): State<AppState>,
    actor: Actor,
    JsonBody(draft): JsonBody<Draft>,
) -> Result<(axum::http::StatusCode, Json<Saved>), ApiError> {
    if draft.document.len() > document::MAX_DOCUMENT_BYTES {
        return Err(ApiError::invalid("document", "larger than 1 MiB"));
    }
    let author = Author::from(&actor);
    let (id, problem) =
        history::save(&app.store, &author, draft.document, draft.message, "api").await?;
    Ok((axum::http::StatusCode::CREATED, Json(Saved { id, problem: problem.map(Problem::from) })))
}

/// One revision, with its document's first problem.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Shown {
    #[serde(flatten)]
    revision: RevisionRow,
    live: bool,
    problem: Option<Problem>,
}

#[utoipa::path(
    get,
    path = "/admin/api/revisions/{id}",
    tag = "admin",
    summary = "One revision with its document",
    params(("id" = i64, Path, description = "The revision's id")),
    responses(
        (status = 200, description = "The revision", body = Shown),
        (status = 404, response = crate::openapi::NotFound),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn one(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> Result<Json<Shown>, ApiError> {
    let mut revision = app.store.revision(id).await?.ok_or(ApiError::NotFound)?;
    let live = app.store.live_revision_id().await? == id;
    let problem = problem_of(&revision.document);
    revision.document = shown_to(&actor, revision.document);
    Ok(Json(Shown { revision, live, problem }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct DiffParams {
    /// The revision compared with; the live one when not given.
    against: Option<i64>,
}

/// The lines that turn revision `from` into revision `to`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Changes {
    from: i64,
    to: i64,
    lines: Vec<DiffLine>,
}

#[utoipa::path(
    get,
    path = "/admin/api/revisions/{id}/diff",
    tag = "admin",
    summary = "What a revision changes, against the live one or another",
    params(("id" = i64, Path, description = "The revision's id"), DiffParams),
    responses(
        (status = 200, description = "Changed lines with their context", body = Changes),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 404, response = crate::openapi::NotFound),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn changes(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    QueryParams(params): QueryParams<DiffParams>,
) -> Result<Json<Changes>, ApiError> {
    let to = app.store.revision(id).await?.ok_or(ApiError::NotFound)?;
    let from = match params.against {
        Some(against) => Some(
            app.store
                .revision(against)
                .await?
                .ok_or_else(|| ApiError::invalid("against", "no such revision"))?,
        ),
        None => app.store.live_revision().await?,
    };
    let (from_id, from_text) = from.map(|from| (from.id, from.document)).unwrap_or_default();
    let (from_text, to_text) = (shown_to(&actor, from_text), shown_to(&actor, to.document));
    Ok(Json(Changes { from: from_id, to: id, lines: diff::lines(&from_text, &to_text) }))
}

/// The live revision after a publish or restore.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Live {
    live: i64,
}

#[utoipa::path(
    post,
    path = "/admin/api/revisions/{id}/publish",
    tag = "admin",
    summary = "Makes a revision live, at once and on every collector",
    params(("id" = i64, Path, description = "The revision's id")),
    responses(
        (status = 200, description = "Live", body = Live),
        (status = 400, description = "The document is not valid (`invalid_config`, `field` \
            is its path in the document)", body = kindling_core::wire::ErrorBody),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn publish(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
) -> Result<Json<Live>, ApiError> {
    history::publish(&app.store, &app.catalog, &Author::from(&actor), id).await?;
    Ok(Json(Live { live: id }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct RestoreParams {
    /// For the history; `Restore revision N` when not given.
    message: Option<String>,
}

#[utoipa::path(
    post,
    path = "/admin/api/revisions/{id}/restore",
    tag = "admin",
    summary = "Publishes a copy of an earlier revision as a new revision",
    params(("id" = i64, Path, description = "The revision to restore"), RestoreParams),
    responses(
        (status = 200, description = "The new live revision", body = Live),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn restore(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<i64>,
    QueryParams(params): QueryParams<RestoreParams>,
) -> Result<Json<Live>, ApiError> {
    let author = Author::from(&actor);
    let live = history::restore(&app.store, &app.catalog, &author, id, params.message).await?;
    Ok(Json(Live { live }))
}

#[utoipa::path(
    get,
    path = "/admin/api/config",
    tag = "admin",
    summary = "The live configuration as YAML, exactly as it was saved",
    responses(
        (status = 200, description = "The live document", content_type = "application/yaml",
            body = String),
        (status = 404, response = crate::openapi::NotFound),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn export(State(app): State<AppState>, actor: Actor) -> Result<Response, ApiError> {
    let live = app.store.live_revision().await?.ok_or(ApiError::NotFound)?;
    let disposition = format!("attachment; filename=\"kindling-revision-{}.yaml\"", live.id);
    Ok((
        [
            (CONTENT_TYPE, "application/yaml; charset=utf-8".to_owned()),
            (CONTENT_DISPOSITION, disposition),
        ],
        shown_to(&actor, live.document),
    )
        .into_response())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ImportParams {
    /// Publish the imported revision at once.
    #[serde(default)]
    publish: bool,
    /// For the history.
    message: Option<String>,
}

#[utoipa::path(
    post,
    path = "/admin/api/config",
    tag = "admin",
    summary = "Imports a YAML document as a revision, and publishes it if asked",
    params(ImportParams),
    request_body(content = String, content_type = "application/yaml"),
    responses(
        (status = 201, description = "Stored (and published if asked)", body = Saved),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn import(
    State(app): State<AppState>,
    actor: Actor,
    QueryParams(params): QueryParams<ImportParams>,
    text: String,
) -> Result<(axum::http::StatusCode, Json<Saved>), ApiError> {
    if text.len() > document::MAX_DOCUMENT_BYTES {
        return Err(ApiError::invalid("document", "larger than 1 MiB"));
    }
    if params.publish
        && let Err(problem) = document::compile(&text)
    {
        return Err(RevisionError::Invalid(problem).into());
    }
    let author = Author::from(&actor);
    let message = params.message.unwrap_or_else(|| "Imported".to_owned());
    let (id, problem) = history::save(&app.store, &author, text, message, "api").await?;
    if params.publish {
        history::publish(&app.store, &app.catalog, &author, id).await?;
    }
    Ok((axum::http::StatusCode::CREATED, Json(Saved { id, problem: problem.map(Problem::from) })))
}
