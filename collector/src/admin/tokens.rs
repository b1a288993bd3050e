//! API tokens (anyone signed in, for their own tokens):
//!
//! - `GET /admin/api/tokens[?all=true]`: one's own tokens, newest first; everyone's
//!   with `all=true`, for an owner. Never the secrets;
//! - `POST /admin/api/tokens` `{"name", "role"?}`: makes a token acting with one's role
//!   or a lower one; the answer is the only time the token (`kdl_…`) is shown;
//! - `DELETE /admin/api/tokens/{id}`: revokes one's own token, or anyone's for an owner.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::accounts::actor::{Actor, Role};
use crate::accounts::tokens::{self, CreatedToken};
use crate::error::ApiError;
use crate::json::{JsonBody, QueryParams};
use crate::state::AppState;
use crate::store::accounts::TokenRow;

/// The tokens routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(revoke))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListParams {
    /// Everyone's tokens (owners only).
    all: Option<bool>,
}

/// A token to make.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What it is for: 1 to 100 characters.
    pub name: String,
    /// At most the user's own role, which it is when not given.
    pub role: Option<Role>,
}

#[utoipa::path(
    get,
    path = "/admin/api/tokens",
    tag = "admin",
    summary = "API tokens, newest first (never their secrets)",
    params(ListParams),
    responses(
        (status = 200, description = "The tokens", body = Vec<TokenRow>),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn list(
    State(app): State<AppState>,
    actor: Actor,
    QueryParams(params): QueryParams<ListParams>,
) -> Result<Json<Vec<TokenRow>>, ApiError> {
    let all = params.all.unwrap_or(false);
    if all {
        actor.require(Role::Owner)?;
    }
    Ok(Json(tokens::list(&app.store, &actor, all).await?))
}

#[utoipa::path(
    post,
    path = "/admin/api/tokens",
    tag = "admin",
    summary = "Makes an API token; the answer is the only time it is shown",
    request_body = NewToken,
    responses(
        (status = 201, description = "Made", body = CreatedToken),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn create(
    State(app): State<AppState>,
    actor: Actor,
    JsonBody(new): JsonBody<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    let created = tokens::create(&app.store, &actor, &new.name, new.role).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

#[utoipa::path(
    delete,
    path = "/admin/api/tokens/{id}",
    tag = "admin",
    summary = "Revokes an API token: one's own, or anyone's for an owner",
    params(("id" = String, Path, description = "The token's id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, response = crate::openapi::NotFound),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn revoke(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    tokens::revoke(&app.store, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
