//! The owner's user management (the owner area: every route needs an owner):
//!
//! - `GET /admin/api/users`: every user, by email;
//! - `POST /admin/api/users` `{"email", "password", "role"}`: adds a user (409 when the
//!   email is taken);
//! - `PATCH /admin/api/users/{id}` `{"role"?, "active"?, "password"?}`: changes a user;
//!   a new role or password, or a deactivation, ends their sessions;
//! - `DELETE /admin/api/users/{id}`: removes a user, their sessions and tokens.
//!
//! The last active owner cannot be demoted, deactivated or removed (409).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::accounts::actor::{Actor, Role};
use crate::accounts::users::{self, UserChange, UserView};
use crate::error::ApiError;
use crate::json::JsonBody;
use crate::state::AppState;

/// The users routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, add)).routes(routes!(change, remove))
}

/// A user to add.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    pub email: String,
    /// 12 characters to 1024 bytes.
    pub password: String,
    pub role: Role,
}

#[utoipa::path(
    get,
    path = "/admin/api/users",
    tag = "admin",
    summary = "Every admin user, by email",
    responses(
        (status = 200, description = "The users", body = Vec<UserView>),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn list(State(app): State<AppState>) -> Result<Json<Vec<UserView>>, ApiError> {
    Ok(Json(users::list(&app.store).await?))
}

#[utoipa::path(
    post,
    path = "/admin/api/users",
    tag = "admin",
    summary = "Adds an admin user",
    request_body = NewUser,
    responses(
        (status = 201, description = "Added", body = UserView),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 409, response = crate::openapi::Conflict),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn add(
    State(app): State<AppState>,
    actor: Actor,
    JsonBody(new): JsonBody<NewUser>,
) -> Result<(StatusCode, Json<UserView>), ApiError> {
    let user = users::add(&app.store, &actor, &new.email, new.password, new.role).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

#[utoipa::path(
    patch,
    path = "/admin/api/users/{id}",
    tag = "admin",
    summary = "Changes a user's role, password or whether they may sign in",
    params(("id" = String, Path, description = "The user's id")),
    request_body = UserChange,
    responses(
        (status = 200, description = "The user after the change", body = UserView),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn change(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
    JsonBody(change): JsonBody<UserChange>,
) -> Result<Json<UserView>, ApiError> {
    Ok(Json(users::change(&app.store, &actor, &id, change).await?))
}

#[utoipa::path(
    delete,
    path = "/admin/api/users/{id}",
    tag = "admin",
    summary = "Removes a user, their sessions and their tokens",
    params(("id" = String, Path, description = "The user's id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn remove(
    State(app): State<AppState>,
    actor: Actor,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    users::remove(&app.store, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
