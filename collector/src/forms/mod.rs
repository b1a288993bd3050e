//! Lead forms: their definitions, compiled from the configuration ([`definition`]);
//! what one visitor is asked ([`view`], progressive profiling); submissions from the
//! widget ([`submit`]) and from plain HTML forms ([`noscript`]), guarded by [`spam`];
//! double opt-in ([`confirm`]); reports ([`report`]; their admin API is in [`admin`](crate::admin)).
//! Every value is checked with `kindling_core::forms`, the same function the widget
//! runs in the browser.
//!
//! Public routes: `GET /v1/forms/{form}?site=KEY&visitor=ID` (the form as that visitor
//! is to see it), `POST /v1/forms/{form}/submissions`, `GET /v1/confirm/{token}`.

pub mod confirm;
pub mod definition;
pub mod endpoint;
pub mod noscript;
pub mod report;
pub mod spam;
pub mod submit;
pub mod view;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use kindling_core::ids::is_uuid;
use serde::Deserialize;

use crate::cors;
use crate::error::ApiError;
use crate::state::AppState;

/// The forms' public routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/forms/{form}", get(show))
        .route("/v1/forms/{form}/submissions", post(endpoint::submissions).options(cors::preflight))
        .route("/v1/confirm/{token}", get(confirm::confirm))
}

#[derive(Debug, Deserialize)]
struct ShowParams {
    site: String,
    visitor: Option<String>,
}

/// `GET /v1/forms/{form}?site=KEY[&visitor=ID]`: the form as the visitor is to see it.
async fn show(
    State(app): State<AppState>,
    Path(form): Path<String>,
    headers: HeaderMap,
    params: Result<Query<ShowParams>, QueryRejection>,
) -> Response {
    let outcome = async {
        let Query(params) =
            params.map_err(|rejection| ApiError::invalid("query", rejection.body_text()))?;
        let site = app.catalog.site(&params.site).ok_or(ApiError::UnknownSite)?;
        cors::check_origin(site, &headers)?;
        let form = site.form(&form).ok_or(ApiError::UnknownForm)?;
        let person = match params.visitor.as_deref() {
            Some(visitor) if is_uuid(visitor) => {
                app.people.person(&app.store, &site.key, visitor).await?
            }
            Some(_) => {
                return Err(ApiError::invalid("visitor", "must be a lowercase hyphenated UUID"));
            }
            None => None,
        };
        Ok(Json(view::view_for(form, person.as_deref())))
    }
    .await;
    cors::respond(&app.catalog, &headers, outcome)
}
