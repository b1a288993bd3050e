//! `GET /admin/api/forms/confirmations?site=KEY[&pending=true][&limit=N]`: double
//! opt-in tokens, newest first (limit 1–1000, default 100), each with the address to
//! send it to and the path of its confirmation link (`/v1/confirm/TOKEN`), for a
//! mailing tool to poll.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::admin::params::{list_limit, site};
use crate::error::ApiError;
use crate::json::QueryParams;
use crate::state::AppState;
use crate::store::Confirmation;

/// The confirmations route.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(confirmations))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ConfirmationParams {
    /// The site key.
    site: String,
    /// Only tokens not confirmed yet.
    #[serde(default)]
    pending: bool,
    /// 1 to 1000; 100 when not given.
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
}

/// A confirmation token with its link's path.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct ConfirmationLine {
    #[serde(flatten)]
    confirmation: Confirmation,
    confirm_path: String,
}

#[utoipa::path(
    get,
    path = "/admin/api/forms/confirmations",
    tag = "admin",
    summary = "Double opt-in tokens, newest first, for a mailing tool to send",
    params(ConfirmationParams),
    responses(
        (status = 200, description = "The tokens", body = Vec<ConfirmationLine>),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn confirmations(
    State(app): State<AppState>,
    QueryParams(params): QueryParams<ConfirmationParams>,
) -> Result<Json<Vec<ConfirmationLine>>, ApiError> {
    let site = &site(&app, &params.site)?;
    let limit = list_limit(params.limit)?;
    let lines = app.store.confirmations(&site.key, params.pending, limit).await?;
    Ok(Json(
        lines
            .into_iter()
            .map(|confirmation| ConfirmationLine {
                confirm_path: ["/v1/confirm/", &confirmation.token].concat(),
                confirmation,
            })
            .collect(),
    ))
}
