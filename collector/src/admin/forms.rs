//! `GET /admin/api/forms/confirmations?site=KEY[&pending=true][&limit=N]`: double
//! opt-in tokens, newest first (limit 1–1000, default 100), each with the address to
//! send it to and the path of its confirmation link (`/v1/confirm/TOKEN`), for a
//! mailing tool to poll.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::admin::params::{list_limit, site};
use crate::error::ApiError;
use crate::json::QueryParams;
use crate::state::AppState;
use crate::store::Confirmation;

/// The confirmations route.
pub fn router() -> Router<AppState> {
    Router::new().route("/admin/api/forms/confirmations", get(confirmations))
}

#[derive(Debug, Deserialize)]
struct ConfirmationParams {
    site: String,
    #[serde(default)]
    pending: bool,
    limit: Option<u32>,
}

/// A confirmation token with its link's path.
#[derive(Debug, Serialize)]
struct ConfirmationLine {
    #[serde(flatten)]
    confirmation: Confirmation,
    confirm_path: String,
}

async fn confirmations(
    State(app): State<AppState>,
    QueryParams(params): QueryParams<ConfirmationParams>,
) -> Result<Json<Vec<ConfirmationLine>>, ApiError> {
    let site = site(&app, &params.site)?;
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
