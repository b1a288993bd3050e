//! The widget's API for a preview, under `/preview/{token}/v1/…`: boot answers a new
//! visitor with the previewed block decided at once (variant chosen, trigger
//! immediate) and the forms the page asks for; a form answers its view for a new
//! visitor; events and submissions are acknowledged and stored nowhere.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use kindling_core::wire::{
    BootRequest, BootResponse, EventBatch, EventsAccepted, FormSubmission, SubmissionAccepted,
    VisitorSummary,
};

use crate::boot::visitor_state;
use crate::error::ApiError;
use crate::forms::view::{forms_for_page, view_for};
use crate::json::JsonBody;
use crate::personalize::decide::forced;
use crate::preview::Preview;
use crate::sites::Site;
use crate::state::AppState;

/// The preview of `token` and its site.
fn previewed(
    app: &AppState,
    token: &str,
) -> Result<(std::sync::Arc<Preview>, std::sync::Arc<Site>), ApiError> {
    let preview = app.previews.get(token).ok_or(ApiError::PreviewGone)?;
    let site = preview.catalog.site(&preview.site).cloned().ok_or(ApiError::UnknownSite)?;
    Ok((preview, site))
}

/// `POST /preview/{token}/v1/boot`.
#[utoipa::path(
    post,
    path = "/preview/{token}/v1/boot",
    tag = "preview",
    summary = "Boot for a preview: the previewed block decided at once",
    params(("token" = String, Path, description = "The preview's token")),
    request_body(content(
        (BootRequest = "application/json"),
        (BootRequest = "text/plain"),
    )),
    responses(
        (status = 200, description = "What the preview page shows", body = BootResponse),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 404, response = crate::openapi::NotFound),
        (status = 410, response = crate::openapi::PreviewGone),
    )
)]
pub async fn boot(
    State(app): State<AppState>,
    Path(token): Path<String>,
    JsonBody(request): JsonBody<BootRequest>,
) -> Result<Json<BootResponse>, ApiError> {
    let (preview, site) = previewed(&app, &token)?;
    let decisions: Vec<_> = preview
        .block
        .as_ref()
        .and_then(|(block, variant)| {
            let block = site.blocks.iter().find(|candidate| &candidate.id == block)?;
            forced(&site, block, variant, &request.visitor)
        })
        .into_iter()
        .collect();
    let forms = forms_for_page(&site, &request.forms, &decisions, None);
    Ok(Json(BootResponse { visitor: visitor_state(&request.visitor, None), decisions, forms }))
}

/// `POST /preview/{token}/v1/events`: acknowledged, not stored.
#[utoipa::path(
    post,
    path = "/preview/{token}/v1/events",
    tag = "preview",
    summary = "Events of a preview page: acknowledged, stored nowhere",
    params(("token" = String, Path, description = "The preview's token")),
    request_body(content(
        (EventBatch = "application/json"),
        (EventBatch = "text/plain"),
    )),
    responses(
        (status = 200, description = "Acknowledged", body = EventsAccepted),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 404, response = crate::openapi::NotFound),
        (status = 410, response = crate::openapi::PreviewGone),
    )
)]
pub async fn events(
    State(app): State<AppState>,
    Path(token): Path<String>,
    JsonBody(batch): JsonBody<EventBatch>,
) -> Result<Json<EventsAccepted>, ApiError> {
    previewed(&app, &token)?;
    let accepted = u32::try_from(batch.events.len()).unwrap_or(u32::MAX);
    Ok(Json(EventsAccepted {
        accepted,
        duplicates: 0,
        rejected: Vec::new(),
        visitor: VisitorSummary { visits: 1, events: accepted, ..VisitorSummary::default() },
        decisions: None,
    }))
}

/// `GET /preview/{token}/v1/forms/{form}`: the form as a new visitor sees it.
#[utoipa::path(
    get,
    path = "/preview/{token}/v1/forms/{form}",
    tag = "preview",
    summary = "A form of a preview, as a new visitor sees it",
    params(
        ("token" = String, Path, description = "The preview's token"),
        ("form" = String, Path, description = "The form's id"),
    ),
    responses(
        (status = 200, description = "The form", body = kindling_core::wire::FormView),
        (status = 404, response = crate::openapi::NotFound),
        (status = 410, response = crate::openapi::PreviewGone),
    )
)]
pub async fn form(
    State(app): State<AppState>,
    Path((token, form)): Path<(String, String)>,
) -> Response {
    match previewed(&app, &token) {
        Ok((_, site)) => match site.form(&form) {
            Some(form) => Json(view_for(form, None)).into_response(),
            None => ApiError::UnknownForm.into_response(),
        },
        Err(error) => error.into_response(),
    }
}

/// `POST /preview/{token}/v1/forms/{form}/submissions`: the form's success, nothing
/// stored.
#[utoipa::path(
    post,
    path = "/preview/{token}/v1/forms/{form}/submissions",
    tag = "preview",
    summary = "A submission in a preview: the form's success, nothing stored",
    params(
        ("token" = String, Path, description = "The preview's token"),
        ("form" = String, Path, description = "The form's id"),
    ),
    request_body(content(
        (FormSubmission = "application/json"),
        (FormSubmission = "text/plain"),
    )),
    responses(
        (status = 200, description = "The form's success", body = SubmissionAccepted),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 404, response = crate::openapi::NotFound),
        (status = 410, response = crate::openapi::PreviewGone),
    )
)]
pub async fn submit(
    State(app): State<AppState>,
    Path((token, form)): Path<(String, String)>,
    JsonBody(submission): JsonBody<FormSubmission>,
) -> Result<Json<SubmissionAccepted>, ApiError> {
    let (_, site) = previewed(&app, &token)?;
    let form = site.form(&form).ok_or(ApiError::UnknownForm)?;
    Ok(Json(SubmissionAccepted {
        submission: submission.id,
        duplicate: false,
        confirmation_pending: false,
        success: view_for(form, None).success,
        decisions: None,
    }))
}

/// The preview routes: the host page and the widget's API under it.
pub fn router() -> utoipa_axum::router::OpenApiRouter<AppState> {
    use utoipa_axum::routes;
    utoipa_axum::router::OpenApiRouter::new()
        .routes(routes!(crate::preview::page::host))
        .routes(routes!(boot))
        .routes(routes!(events))
        .routes(routes!(form))
        .routes(routes!(submit))
}
