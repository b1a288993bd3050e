//! Lead forms: their definitions, compiled from the configuration ([`definition`]);
//! what one visitor is asked ([`view`], progressive profiling); submissions from the
//! widget ([`submit`]) and from plain HTML forms ([`noscript`]), guarded by [`spam`];
//! double opt-in ([`confirm`]); reports ([`report`]; their admin API is in [`admin`](crate::admin);
//! the console page's drop-off per field in [`field_report`], from the views the
//! rollup counts, [`views`]).
//! Every value is checked with `kindling_core::forms`, the same function the widget
//! runs in the browser.
//!
//! Public routes: `GET /v1/forms/{form}?site=KEY&visitor=ID` (the form as that visitor
//! is to see it), `POST /v1/forms/{form}/submissions`, `GET /v1/confirm/{token}`.

pub mod confirm;
pub mod definition;
pub mod endpoint;
pub mod field_report;
pub mod noscript;
pub mod report;
pub mod spam;
pub mod submit;
pub mod view;
pub mod views;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use kindling_core::ids::is_uuid;
use kindling_core::wire::FormView;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::cors;
use crate::error::ApiError;
use crate::state::AppState;

/// The forms' public routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(show))
        .routes(routes!(endpoint::submissions, cors::submissions_preflight))
        .routes(routes!(confirm::confirm))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ShowParams {
    /// The site's public key.
    site: String,
    /// The visitor's id (a lowercase hyphenated UUID), for progressive profiling.
    visitor: Option<String>,
}

/// `GET /v1/forms/{form}?site=KEY[&visitor=ID]`: the form as the visitor is to see it.
#[utoipa::path(
    get,
    path = "/v1/forms/{form}",
    tag = "widget",
    operation_id = "form_view",
    summary = "A lead form as this visitor is to see it",
    params(
        ("form" = String, Path, description = "The form's id"),
        ShowParams,
        ("Origin" = Option<String>, Header, description = "A browser page's origin; the \
            site must allow it"),
    ),
    responses(
        (status = 200, description = "The fields to ask this time", body = FormView),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::UnknownSite),
        (status = 403, response = crate::openapi::OriginNotAllowed),
        (status = 404, response = crate::openapi::NotFound),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn show(
    State(app): State<AppState>,
    Path(form): Path<String>,
    headers: HeaderMap,
    params: Result<Query<ShowParams>, QueryRejection>,
) -> Response {
    let outcome = async {
        let Query(params) =
            params.map_err(|rejection| ApiError::invalid("query", rejection.body_text()))?;
        let site = &app.catalog.site(&params.site).ok_or(ApiError::UnknownSite)?;
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
    cors::respond(&app.catalog.load(), &headers, outcome)
}
