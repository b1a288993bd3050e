//! The admin API (`/admin/api/*`), behind a bearer token (`--admin-token`).
//!
//! - `GET /admin/api/events?site=KEY[&visitor=ID][&type=KIND][&limit=N]`: stored
//!   events, newest first (limit 1–1000, default 100);
//! - `GET /admin/api/profile?site=KEY&(id|visitor|email)=…`: a profile with its
//!   timeline (events, score changes with reasons, stage and segment changes);
//! - `GET /admin/api/profile/export?…`: the same as a JSON download (data-subject
//!   access);
//! - `DELETE /admin/api/profile?…`: the person and everything about them (erasure);
//! - `POST /admin/api/profile/stage?…` `{"stage": "sql", "cause": "…"}`: set a stage;
//! - `POST /admin/api/profile/customer?…`: record a customer conversion;
//! - `POST /admin/api/person-events` `{"site", "email", "name", "props"?, "id"?}`: a
//!   custom event on a known person's behalf, from a server such as the mailing tool
//!   (`email_opened`); scored like the widget's events, de-duplicated by `id`;
//! - `GET /admin/api/reports/blocks?site=KEY[&from=MS][&until=MS]`: impressions,
//!   unique visitors, clicks, CTR, dismissals, conversions, conversion rate and the
//!   probability to beat the control, per block and variant (default: the last 30
//!   days);
//! - `GET /admin/api/reports/forms?site=KEY[&from=MS][&until=MS]` and
//!   `GET /admin/api/forms/confirmations?site=KEY[&pending=true][&limit=N]`: see
//!   [`forms::admin`](crate::forms::admin);
//! - `GET /admin/api/outbox/dead?site=KEY[&limit=N]` and
//!   `POST /admin/api/outbox/{id}/replay?site=KEY`: see
//!   [`automation::admin`](crate::automation::admin);
//! - `GET /admin/api/leads?site=KEY[&temperature=][&stage=][&segment=][&source=]
//!   [&min_score=][&max_score=][&limit=][&offset=]`: known persons, best score first;
//! - `GET /admin/api/leads/export?site=KEY[&format=csv|json][&…the same filters]`:
//!   every matching lead as a download (see [`export`](crate::export)).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::http::header::CONTENT_DISPOSITION;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use crate::clock::unix_millis;
use crate::error::ApiError;
use crate::json::JsonBody;
use crate::lifecycle::group::WriteBatch;
use crate::lifecycle::stage;
use crate::profiles::Stage;
use crate::profiles::leads::{self, LeadFilter};
use crate::profiles::state::ProfileState;
use crate::profiles::view::{self, ProfileView};
use crate::sites::Site;
use crate::state::AppState;
use crate::store::{self, EventQuery, PersonKey, StoredEvent};

/// The admin routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/api/events", get(list_events))
        .route("/admin/api/profile", get(profile).delete(delete_profile))
        .route("/admin/api/profile/export", get(export_profile))
        .route("/admin/api/profile/stage", post(set_stage))
        .route("/admin/api/profile/customer", post(record_customer))
        .route("/admin/api/leads", get(list_leads))
        .route("/admin/api/leads/export", get(export_leads))
        .route("/admin/api/person-events", post(person_event))
        .route("/admin/api/reports/blocks", get(block_report))
        .merge(crate::forms::admin::router())
        .merge(crate::automation::admin::router())
}

#[derive(Debug, Deserialize)]
struct EventsParams {
    site: String,
    visitor: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    limit: Option<u32>,
}

async fn list_events(
    State(app): State<AppState>,
    headers: HeaderMap,
    params: Result<Query<EventsParams>, QueryRejection>,
) -> Result<Json<Vec<StoredEvent>>, ApiError> {
    authorize(&app, &headers)?;
    let Query(params) =
        params.map_err(|rejection| ApiError::invalid("query", rejection.body_text()))?;
    let limit = list_limit(params.limit)?;
    let query = EventQuery { site: params.site, visitor: params.visitor, kind: params.kind, limit };
    Ok(Json(app.store.events(&query).await?))
}

/// A list's `limit`: 1–1000, 100 when not given.
pub(crate) fn list_limit(limit: Option<u32>) -> Result<u32, ApiError> {
    let limit = limit.unwrap_or(100);
    if (1..=1000).contains(&limit) {
        Ok(limit)
    } else {
        Err(ApiError::invalid("limit", "must be between 1 and 1000"))
    }
}

/// Checks `Authorization: Bearer <token>` in constant time.
pub(crate) fn authorize(app: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let expected = app.admin_token.as_deref().ok_or(ApiError::Unauthorized)?;
    let given = headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .ok_or(ApiError::Unauthorized)?;
    let same_length = given.len() == expected.len();
    let difference = given.bytes().zip(expected.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b));
    if same_length && difference == 0 { Ok(()) } else { Err(ApiError::Unauthorized) }
}

/// Which person an admin call is about.
#[derive(Debug, Deserialize)]
struct ProfileParams {
    site: String,
    id: Option<String>,
    visitor: Option<String>,
    email: Option<String>,
}

impl ProfileParams {
    fn key(&self) -> Result<PersonKey, ApiError> {
        match (&self.id, &self.visitor, &self.email) {
            (Some(id), None, None) => Ok(PersonKey::Id(id.clone())),
            (None, Some(visitor), None) => Ok(PersonKey::Visitor(visitor.clone())),
            (None, None, Some(email)) => Ok(PersonKey::Email(email.clone())),
            _ => Err(ApiError::invalid("query", "give exactly one of id, visitor or email")),
        }
    }
}

pub(crate) fn query<T>(params: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    params
        .map(|Query(params)| params)
        .map_err(|rejection| ApiError::invalid("query", rejection.body_text()))
}

pub(crate) fn site<'a>(app: &'a AppState, key: &str) -> Result<&'a std::sync::Arc<Site>, ApiError> {
    app.catalog.site(key).ok_or_else(|| ApiError::invalid("site", "no such site"))
}

async fn view(app: &AppState, params: &ProfileParams) -> Result<ProfileView, ApiError> {
    site(app, &params.site)?;
    view::view(&app.store, &params.site, &params.key()?).await?.ok_or(ApiError::NotFound)
}

async fn profile(
    State(app): State<AppState>,
    headers: HeaderMap,
    params: Result<Query<ProfileParams>, QueryRejection>,
) -> Result<Json<ProfileView>, ApiError> {
    authorize(&app, &headers)?;
    Ok(Json(view(&app, &query(params)?).await?))
}

async fn export_profile(
    State(app): State<AppState>,
    headers: HeaderMap,
    params: Result<Query<ProfileParams>, QueryRejection>,
) -> Result<impl IntoResponse, ApiError> {
    authorize(&app, &headers)?;
    let view = view(&app, &query(params)?).await?;
    let disposition = format!("attachment; filename=\"kindling-profile-{}.json\"", view.person.id);
    Ok(([(CONTENT_DISPOSITION, disposition)], Json(view)))
}

async fn delete_profile(
    State(app): State<AppState>,
    headers: HeaderMap,
    params: Result<Query<ProfileParams>, QueryRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    authorize(&app, &headers)?;
    let params = query(params)?;
    let person = view(&app, &params).await?.person;
    let (site_key, id) = (params.site.clone(), person.id.clone());
    store::write(&app.store, move |tx| tx.delete_person(&site_key, &id)).await?;
    app.people.forget_person(&params.site, &person.id);
    tracing::info!(site = %params.site, person = %person.id, "person deleted on request");
    Ok(Json(serde_json::json!({"deleted": person.id})))
}

#[derive(Debug, Deserialize)]
struct StageChangeBody {
    stage: String,
    #[serde(default)]
    cause: Option<String>,
}

async fn set_stage(
    State(app): State<AppState>,
    headers: HeaderMap,
    params: Result<Query<ProfileParams>, QueryRejection>,
    body: Result<JsonBody<StageChangeBody>, ApiError>,
) -> Result<Json<ProfileStateBody>, ApiError> {
    authorize(&app, &headers)?;
    let JsonBody(body) = body?;
    let stage = Stage::parse(&body.stage)
        .ok_or_else(|| ApiError::invalid("stage", "one of anonymous, lead, mql, sql, customer"))?;
    let cause = body.cause.unwrap_or_else(|| "set_by_api".to_owned());
    change_stage(&app, &query(params)?, stage, &cause).await
}

async fn record_customer(
    State(app): State<AppState>,
    headers: HeaderMap,
    params: Result<Query<ProfileParams>, QueryRejection>,
) -> Result<Json<ProfileStateBody>, ApiError> {
    authorize(&app, &headers)?;
    change_stage(&app, &query(params)?, Stage::Customer, "customer_conversion").await
}

async fn change_stage(
    app: &AppState,
    params: &ProfileParams,
    stage: Stage,
    cause: &str,
) -> Result<Json<ProfileStateBody>, ApiError> {
    let site = site(app, &params.site)?;
    let person = view(app, params).await?.person;
    let state = stage::set_stage(
        &app.store,
        &site.key,
        &person.id,
        stage,
        cause,
        &site.profiles,
        unix_millis(),
    )
    .await?
    .ok_or(ApiError::NotFound)?;
    app.people.forget_person(&site.key, &person.id);
    Ok(Json(ProfileStateBody::from(person.id, state)))
}

/// A profile's state after a change.
#[derive(Debug, serde::Serialize)]
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

#[derive(Debug, Deserialize)]
struct LeadsParams {
    site: String,
    temperature: Option<String>,
    stage: Option<String>,
    segment: Option<String>,
    source: Option<String>,
    min_score: Option<i32>,
    max_score: Option<i32>,
    limit: Option<u32>,
    offset: Option<u32>,
    /// Export only: `csv` (the default) or `json`.
    format: Option<crate::export::Format>,
}

impl LeadsParams {
    fn filter(&self, limit: u32) -> LeadFilter {
        LeadFilter {
            temperature: self.temperature.clone(),
            stage: self.stage.clone(),
            segment: self.segment.clone(),
            source: self.source.clone(),
            min_score: self.min_score,
            max_score: self.max_score,
            limit,
            offset: self.offset.unwrap_or(0),
        }
    }
}

async fn export_leads(
    State(app): State<AppState>,
    headers: HeaderMap,
    params: Result<Query<LeadsParams>, QueryRejection>,
) -> Result<impl IntoResponse, ApiError> {
    authorize(&app, &headers)?;
    let params = query(params)?;
    let site = site(&app, &params.site)?;
    let format = params.format.unwrap_or(crate::export::Format::Csv);
    let leads = crate::export::all_leads(&app.store, &site.key, &params.filter(0)).await?;
    let body = crate::export::render(&leads, format).map_err(|error| {
        tracing::error!(%error, "leads export failed");
        ApiError::Internal
    })?;
    let disposition = format!("attachment; filename=\"leads-{}.{}\"", site.key, format.extension());
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, format.content_type().to_owned()),
            (CONTENT_DISPOSITION, disposition),
        ],
        body,
    ))
}

async fn list_leads(
    State(app): State<AppState>,
    headers: HeaderMap,
    params: Result<Query<LeadsParams>, QueryRejection>,
) -> Result<Json<Vec<crate::profiles::Person>>, ApiError> {
    authorize(&app, &headers)?;
    let params = query(params)?;
    site(&app, &params.site)?;
    let limit = params.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::invalid("limit", "must be between 1 and 500"));
    }
    Ok(Json(leads::leads(&app.store, &params.site, &params.filter(limit)).await?))
}

/// An event a server records for a person it knows by email.
#[derive(Debug, Deserialize)]
struct PersonEventBody {
    site: String,
    email: String,
    name: String,
    #[serde(default)]
    props: serde_json::Map<String, serde_json::Value>,
    /// The sender's id for this event, so a resend is stored once (UUID; made here if
    /// absent).
    #[serde(default)]
    id: Option<String>,
}

/// Server events are stored under one visitor per person whose id is the person's id.
async fn person_event(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Result<JsonBody<PersonEventBody>, ApiError>,
) -> Result<Json<kindling_core::wire::EventsAccepted>, ApiError> {
    authorize(&app, &headers)?;
    let JsonBody(body) = body?;
    let site = site(&app, &body.site)?;
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
    };
    let committed = app.writer.write(batch).await?;
    Ok(Json(kindling_core::wire::EventsAccepted {
        accepted: committed.outcome.inserted,
        duplicates: committed.outcome.duplicates,
        rejected: Vec::new(),
        visitor: committed.visitor,
        decisions: None,
    }))
}

#[derive(Debug, Deserialize)]
pub(crate) struct ReportParams {
    pub site: String,
    pub from: Option<i64>,
    pub until: Option<i64>,
}

/// Days a report covers when the query gives no start.
const REPORT_DEFAULT_DAYS: i64 = 30;

/// A report's `[from, until)` in milliseconds: until now and the 30 days before, unless
/// given.
pub(crate) fn report_range(params: &ReportParams) -> Result<(i64, i64), ApiError> {
    let until = params.until.unwrap_or_else(|| unix_millis() + 1);
    let from =
        params.from.unwrap_or(until - REPORT_DEFAULT_DAYS * kindling_core::scoring::DAY_MS as i64);
    if from >= until {
        return Err(ApiError::invalid("from", "must be before until"));
    }
    Ok((from, until))
}

async fn block_report(
    State(app): State<AppState>,
    headers: HeaderMap,
    params: Result<Query<ReportParams>, QueryRejection>,
) -> Result<Json<crate::personalize::report::BlocksReport>, ApiError> {
    authorize(&app, &headers)?;
    let params = query(params)?;
    let site = site(&app, &params.site)?;
    let (from, until) = report_range(&params)?;
    let counts = app.store.block_counts(&site.key, from, until).await?;
    Ok(Json(crate::personalize::report::build(site, &counts, from, until)))
}
