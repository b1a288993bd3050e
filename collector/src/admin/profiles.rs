//! One person's profile:
//!
//! - `GET /admin/api/profile?site=KEY&(id|visitor|email)=…`: a profile with its
//!   timeline (events, score changes with reasons, stage and segment changes);
//! - `GET /admin/api/profile/export?…`: the same as a JSON download (data-subject
//!   access);
//! - `DELETE /admin/api/profile?…`: the person and everything about them (erasure);
//! - `POST /admin/api/profile/stage?…` `{"stage": "sql", "cause": "…"}`: set a stage;
//! - `POST /admin/api/profile/customer?…`: record a customer conversion;
//! - `POST /admin/api/person-events` `{"site", "email", "name", "props"?, "id"?}`: a
//!   custom event on a known person's behalf, from a server such as the mailing tool
//!   (`email_opened`); scored like the widget's events, de-duplicated by `id`.

use axum::Json;
use axum::extract::State;
use axum::http::header::CONTENT_DISPOSITION;
use axum::response::IntoResponse;
use kindling_core::wire::EventsAccepted;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::admin::params::{ProfileParams, site};
use crate::clock::unix_millis;
use crate::error::ApiError;
use crate::json::{JsonBody, QueryParams};
use crate::lifecycle::group::WriteBatch;
use crate::lifecycle::stage;
use crate::profiles::stage::Stage;
use crate::profiles::state::ProfileState;
use crate::profiles::view::{self, ProfileView};
use crate::sites::Site;
use crate::state::AppState;
use crate::store::{self, PersonKey, StoredEvent};

/// The profile routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(profile, delete_profile))
        .routes(routes!(export_profile))
        .routes(routes!(set_stage))
        .routes(routes!(record_customer))
        .routes(routes!(person_event))
}

async fn view(app: &AppState, params: &ProfileParams) -> Result<ProfileView, ApiError> {
    site(app, &params.site)?;
    view::view(&app.store, &params.site, &params.key()?).await?.ok_or(ApiError::NotFound)
}

#[utoipa::path(
    get,
    path = "/admin/api/profile",
    tag = "admin",
    summary = "A person's profile and timeline",
    params(ProfileParams),
    responses(
        (status = 200, description = "The profile", body = ProfileView),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 404, response = crate::openapi::NotFound),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn profile(
    State(app): State<AppState>,
    QueryParams(params): QueryParams<ProfileParams>,
) -> Result<Json<ProfileView>, ApiError> {
    Ok(Json(view(&app, &params).await?))
}

#[utoipa::path(
    get,
    path = "/admin/api/profile/export",
    tag = "admin",
    summary = "A person's profile as a JSON download (data-subject access)",
    params(ProfileParams),
    responses(
        (status = 200, description = "The profile, as an attachment", body = ProfileView,
            headers(("Content-Disposition" = String))),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 404, response = crate::openapi::NotFound),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn export_profile(
    State(app): State<AppState>,
    QueryParams(params): QueryParams<ProfileParams>,
) -> Result<impl IntoResponse, ApiError> {
    Ok(attachment(view(&app, &params).await?))
}

/// `view` as a JSON download named after the person (data-subject access).
pub fn attachment(view: ProfileView) -> impl IntoResponse {
    let disposition = format!("attachment; filename=\"kindling-profile-{}.json\"", view.person.id);
    ([(CONTENT_DISPOSITION, disposition)], Json(view))
}

/// The answer to an erasure.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Deleted {
    /// The id of the person deleted.
    deleted: String,
}

#[utoipa::path(
    delete,
    path = "/admin/api/profile",
    tag = "admin",
    summary = "Erases the person and everything about them",
    params(ProfileParams),
    responses(
        (status = 200, description = "Erased", body = Deleted),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 404, response = crate::openapi::NotFound),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn delete_profile(
    State(app): State<AppState>,
    QueryParams(params): QueryParams<ProfileParams>,
) -> Result<Json<Deleted>, ApiError> {
    let person = view(&app, &params).await?.person;
    erase(&app, &params.site, &person.id).await?;
    Ok(Json(Deleted { deleted: person.id }))
}

/// Erases person `id` of `site` and everything stored about them, and forgets them in
/// the boot cache; false when there was no such person.
pub async fn erase(app: &AppState, site: &str, id: &str) -> Result<bool, ApiError> {
    let (site_key, person) = (site.to_owned(), id.to_owned());
    let deleted =
        store::write(&app.store, move |tx| crate::lifecycle::erase::erase(tx, &site_key, &person))
            .await?;
    app.people.forget_person(site, id);
    tracing::info!(site, person = id, deleted, "person erased on request");
    Ok(deleted)
}

/// A stage to set, and why.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct StageChangeBody {
    /// `anonymous`, `lead`, `mql`, `sql` or `customer`.
    #[schema(value_type = Stage)]
    stage: String,
    /// Recorded with the change; `set_by_api` when not given.
    #[serde(default)]
    cause: Option<String>,
}

#[utoipa::path(
    post,
    path = "/admin/api/profile/stage",
    tag = "admin",
    summary = "Sets a person's lifecycle stage",
    params(ProfileParams),
    request_body = StageChangeBody,
    responses(
        (status = 200, description = "The profile's state after the change",
            body = ProfileStateBody),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 404, response = crate::openapi::NotFound),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn set_stage(
    State(app): State<AppState>,
    QueryParams(params): QueryParams<ProfileParams>,
    body: Result<JsonBody<StageChangeBody>, ApiError>,
) -> Result<Json<ProfileStateBody>, ApiError> {
    let JsonBody(body) = body?;
    let stage = Stage::parse(&body.stage)
        .ok_or_else(|| ApiError::invalid("stage", "one of anonymous, lead, mql, sql, customer"))?;
    let cause = body.cause.unwrap_or_else(|| "set_by_api".to_owned());
    change_stage(&app, &params, stage, &cause).await
}

#[utoipa::path(
    post,
    path = "/admin/api/profile/customer",
    tag = "admin",
    summary = "Records a customer conversion",
    params(ProfileParams),
    responses(
        (status = 200, description = "The profile's state after the change",
            body = ProfileStateBody),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 404, response = crate::openapi::NotFound),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn record_customer(
    State(app): State<AppState>,
    QueryParams(params): QueryParams<ProfileParams>,
) -> Result<Json<ProfileStateBody>, ApiError> {
    change_stage(&app, &params, Stage::Customer, "customer_conversion").await
}

async fn change_stage(
    app: &AppState,
    params: &ProfileParams,
    stage: Stage,
    cause: &str,
) -> Result<Json<ProfileStateBody>, ApiError> {
    let site = &site(app, &params.site)?;
    let person = view(app, params).await?.person;
    let state = apply_stage(app, site, &person.id, stage, cause).await?;
    Ok(Json(ProfileStateBody::from(person.id, state)))
}

/// Sets person `id`'s stage for `cause` (re-scored and re-segmented as any change),
/// and forgets them in the boot cache; 404 when there is no such person.
pub async fn apply_stage(
    app: &AppState,
    site: &Site,
    id: &str,
    stage: Stage,
    cause: &str,
) -> Result<ProfileState, ApiError> {
    let state =
        stage::set_stage(&app.store, &site.key, id, stage, cause, &site.profiles, unix_millis())
            .await?
            .ok_or(ApiError::NotFound)?;
    app.people.forget_person(&site.key, id);
    Ok(state)
}

/// A profile's state after a change.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct ProfileStateBody {
    id: String,
    score: i32,
    temperature: String,
    stage: String,
    segments: Vec<String>,
}

impl ProfileStateBody {
    fn from(id: String, state: ProfileState) -> Self {
        ProfileStateBody {
            id,
            score: state.score,
            temperature: state.temperature,
            stage: state.stage,
            segments: state.segments,
        }
    }
}

/// An event a server records for a person it knows by email.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct PersonEventBody {
    /// The site key.
    site: String,
    /// The person's email.
    email: String,
    /// The custom event's name (`email_opened`), 1 to 512 bytes.
    #[schema(min_length = 1, max_length = 512)]
    name: String,
    /// Properties stored with the event.
    #[serde(default)]
    #[schema(value_type = Object)]
    props: serde_json::Map<String, serde_json::Value>,
    /// The sender's id for this event, so a resend is stored once (UUID; made here if
    /// absent).
    #[serde(default)]
    #[schema(pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    id: Option<String>,
}

/// Server events are stored under one visitor per person whose id is the person's id.
#[utoipa::path(
    post,
    path = "/admin/api/person-events",
    tag = "admin",
    summary = "A custom event on a known person's behalf, from a server",
    description = "Scored like the widget's events; a resend with the same `id` is stored once.",
    request_body = PersonEventBody,
    responses(
        (status = 200, description = "The event is committed", body = EventsAccepted),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn person_event(
    State(app): State<AppState>,
    body: Result<JsonBody<PersonEventBody>, ApiError>,
) -> Result<Json<EventsAccepted>, ApiError> {
    let JsonBody(body) = body?;
    let site = &site(&app, &body.site)?;
    if body.name.is_empty() || body.name.len() > kindling_core::limits::MAX_TEXT_LEN {
        return Err(ApiError::invalid("name", "must be 1 to 512 bytes"));
    }
    let id = body.id.unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    if !kindling_core::ids::is_uuid(&id) {
        return Err(ApiError::invalid("id", "must be a lowercase hyphenated UUID"));
    }
    let person = view::view(&app.store, &site.key, &PersonKey::Email(body.email.clone()))
        .await?
        .ok_or_else(|| ApiError::invalid("email", "no person with this email"))?
        .person;
    let now = unix_millis();
    let (site_key, visitor) = (site.key.clone(), person.id.clone());
    store::write(&app.store, move |tx| tx.attach_visitor(&site_key, &visitor, &visitor, now))
        .await?;
    let props = (!body.props.is_empty()).then(|| serde_json::Value::Object(body.props).to_string());
    let event = StoredEvent {
        name: Some(body.name),
        props,
        // Not a visit (no session): aggregates ignore events without one.
        ..StoredEvent::new(&id, &site.key, &person.id, "", "custom", "", now)
    };
    let batch = WriteBatch {
        site: site.key.clone(),
        visitor: person.id.clone(),
        visit: 0,
        seen_ms: now,
        bot: false,
        events: vec![event],
        model: std::sync::Arc::clone(&site.profiles),
        submission: None,
        verified: None,
    };
    let committed = app.writer.write(batch).await?;
    Ok(Json(EventsAccepted {
        accepted: committed.outcome.inserted,
        duplicates: committed.outcome.duplicates,
        rejected: Vec::new(),
        visitor: committed.visitor,
        decisions: None,
    }))
}
