//! `POST /admin/api/previews` (anyone signed in): a preview of a block (in one of its
//! variants) or a form of any revision, drawn by the real widget bundle on a preview
//! host page the collector serves ([`preview`](crate::preview)). Answers the page's
//! address, which works for 30 minutes.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiError;
use crate::json::JsonBody;
use crate::preview::{LIFETIME, Preview};
use crate::revisions::{RevisionError, document};
use crate::state::AppState;

/// The preview routes of the admin.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create))
}

/// What to preview.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct Wanted {
    /// The revision; the live one when not given.
    revision: Option<i64>,
    site: String,
    /// A block of the site…
    block: Option<String>,
    /// …in this variant (its first when not given).
    variant: Option<String>,
    /// A form of the site, embedded in the page (with or without a block).
    form: Option<String>,
    /// `en` (default) or `pl`.
    lang: Option<String>,
}

/// Where the preview is.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Made {
    /// The host page's path, to frame.
    url: String,
    /// Seconds it works for.
    expires_in: u64,
}

#[utoipa::path(
    post,
    path = "/admin/api/previews",
    tag = "admin",
    summary = "A preview of a block or form of a revision, drawn by the real widget",
    request_body = Wanted,
    responses(
        (status = 201, description = "The preview page", body = Made),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 404, response = crate::openapi::NotFound),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn create(
    State(app): State<AppState>,
    JsonBody(wanted): JsonBody<Wanted>,
) -> Result<(axum::http::StatusCode, Json<Made>), ApiError> {
    let revision = match wanted.revision {
        Some(id) => app.store.revision(id).await?,
        None => app.store.live_revision().await?,
    }
    .ok_or(ApiError::NotFound)?;
    let catalog = document::compile(&revision.document)
        .map_err(|problem| ApiError::from(RevisionError::Invalid(problem)))?;
    let lang = match wanted.lang.as_deref() {
        None | Some("en" | "pl") => wanted.lang.as_deref(),
        Some(_) => return Err(ApiError::invalid("lang", "en or pl")),
    };
    let preview = Preview::of(
        catalog,
        &wanted.site,
        wanted.block.as_deref(),
        wanted.variant.as_deref(),
        wanted.form.as_deref(),
        lang,
    )
    .map_err(|error| ApiError::invalid(error.field(), error.to_string()))?;
    let token = app.previews.add(preview);
    let made = Made { url: format!("/preview/{token}"), expires_in: LIFETIME.as_secs() };
    Ok((axum::http::StatusCode::CREATED, Json(made)))
}
