//! `POST /v1/boot`: the widget's first call on a page. Answers, in one response, the
//! visitor's state and the blocks the page shows: inline content for its slots and
//! the overlays whose triggers the widget watches. Reads only: the person comes from
//! the profile cache (or the database once), and nothing is written until the page's
//! events arrive.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::USER_AGENT;
use axum::response::Response;
use kindling_core::ids::is_uuid;
use kindling_core::limits::{MAX_SLOTS, MAX_TEXT_LEN, MAX_URL_LEN};
use kindling_core::wire::{BootRequest, BootResponse, VisitorState};

use crate::clock::unix_millis;
use crate::cors;
use crate::error::ApiError;
use crate::forms::view::forms_for_page;
use crate::json::JsonBody;
use crate::personalize::decide::decide;
use crate::personalize::facts::Visit;
use crate::profiles::Person;
use crate::ratelimit::ClientIp;
use crate::state::AppState;

/// Handles `POST /v1/boot`.
#[utoipa::path(
    post,
    path = "/v1/boot",
    tag = "widget",
    summary = "The visitor's state and the page's blocks and forms",
    description = "The widget's first call on a page. Reads only. The JSON body may be sent as \
        `text/plain` (no preflight).",
    params(("Origin" = Option<String>, Header, description = "A browser page's origin; the \
        site must allow it")),
    request_body(content(
        (BootRequest = "application/json"),
        (BootRequest = "text/plain"),
    )),
    responses(
        (status = 200, description = "What the page shows this visitor", body = BootResponse),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::UnknownSite),
        (status = 403, response = crate::openapi::OriginNotAllowed),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 429, response = crate::openapi::RateLimited),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
pub async fn boot(
    State(app): State<AppState>,
    client: ClientIp,
    headers: HeaderMap,
    body: Result<JsonBody<BootRequest>, ApiError>,
) -> Response {
    let outcome = async {
        let JsonBody(request) = body?;
        let site = &app.catalog.site(&request.site).ok_or(ApiError::UnknownSite)?;
        cors::check_origin(site, &headers)?;
        app.limits.check(client.0, &site.key)?;
        validate(&request)?;
        let person = if request.new_visitor {
            None
        } else {
            app.people.person(&app.store, &site.key, &request.visitor).await?
        };
        let user_agent = headers.get(USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
        let visit = Visit::of(
            &request.url,
            request.referrer.as_deref(),
            request.session.as_deref().unwrap_or(""),
            request.context.as_ref(),
            user_agent,
        );
        let decisions = decide(
            site,
            person.as_deref(),
            &request.visitor,
            &visit,
            &request.slots,
            unix_millis(),
        );
        let forms = forms_for_page(site, &request.forms, &decisions, person.as_deref());
        Ok(Json(BootResponse {
            visitor: visitor_state(&request.visitor, person.as_deref()),
            decisions,
            forms,
        }))
    }
    .await;
    cors::respond(&app.catalog.load(), &headers, outcome)
}

/// What the widget is told of the visitor.
pub fn visitor_state(visitor: &str, person: Option<&Person>) -> VisitorState {
    let fresh;
    let person = match person {
        Some(person) => person,
        None => {
            fresh = Person::new(visitor.to_owned(), 0);
            &fresh
        }
    };
    VisitorState {
        id: visitor.to_owned(),
        score: person.score,
        temperature: person.temperature.as_str().to_owned(),
        stage: person.stage.as_str().to_owned(),
        segments: person.segments.clone(),
    }
}

fn validate(request: &BootRequest) -> Result<(), ApiError> {
    if !is_uuid(&request.visitor) {
        return Err(ApiError::invalid("visitor", "must be a lowercase hyphenated UUID"));
    }
    if request.session.as_deref().is_some_and(|session| !is_uuid(session)) {
        return Err(ApiError::invalid("session", "must be a lowercase hyphenated UUID"));
    }
    if request.url.len() > MAX_URL_LEN {
        return Err(ApiError::invalid("url", "longer than the URL limit"));
    }
    if request.referrer.as_ref().is_some_and(|referrer| referrer.len() > MAX_URL_LEN) {
        return Err(ApiError::invalid("referrer", "longer than the URL limit"));
    }
    if request
        .context
        .as_ref()
        .and_then(|context| context.language.as_ref())
        .is_some_and(|l| l.len() > MAX_TEXT_LEN)
    {
        return Err(ApiError::invalid("context.language", "longer than the text limit"));
    }
    if request.slots.len() > MAX_SLOTS {
        return Err(ApiError::invalid("slots", "too many slots"));
    }
    if let Some(index) = request.slots.iter().position(|slot| slot.len() > MAX_TEXT_LEN) {
        return Err(ApiError::invalid(format!("slots[{index}]"), "slot name too long"));
    }
    if request.forms.len() > MAX_SLOTS {
        return Err(ApiError::invalid("forms", "too many forms"));
    }
    Ok(())
}
