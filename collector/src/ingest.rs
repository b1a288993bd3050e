//! `POST /v1/events`: takes a batch of events from the widget, validates it, and
//! answers 2xx only once the events are committed. A resend of an event id already
//! stored is counted as a duplicate and stored once.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use kindling_core::ids::is_uuid;
use kindling_core::limits::{MAX_EVENTS_PER_BATCH, MAX_TEXT_LEN, MAX_URL_LEN};
use kindling_core::wire::{ClientEvent, EventBatch, EventsAccepted};

use crate::error::ApiError;
use crate::json::JsonBody;
use crate::store::StoredEvent;
use crate::{AppState, cors, unix_millis};

/// How far a client's clock may be from the collector's before the offset is clamped.
pub const MAX_CLOCK_SKEW_MS: i64 = 24 * 60 * 60 * 1000;

/// Handles `POST /v1/events`.
pub async fn events(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Result<JsonBody<EventBatch>, ApiError>,
) -> Response {
    let outcome = async {
        let JsonBody(batch) = body?;
        let site = app.catalog.site(&batch.site).ok_or(ApiError::UnknownSite)?;
        cors::check_origin(site, &headers)?;
        validate(&batch)?;
        let now = unix_millis();
        let rows: Vec<StoredEvent> =
            batch.events.iter().map(|event| stored(&site.key, &batch.visitor, event, now)).collect();
        app.store.touch_visitor(&site.key, &batch.visitor, now).await?;
        let outcome = app.store.insert_events(&rows).await?;
        Ok(Json(EventsAccepted { accepted: outcome.inserted, duplicates: outcome.duplicates }))
    }
    .await;
    cors::respond(&app.catalog, &headers, outcome)
}

fn validate(batch: &EventBatch) -> Result<(), ApiError> {
    if !is_uuid(&batch.visitor) {
        return Err(ApiError::invalid("visitor", "must be a lowercase hyphenated UUID"));
    }
    if batch.events.is_empty() {
        return Err(ApiError::invalid("events", "must hold at least one event"));
    }
    if batch.events.len() > MAX_EVENTS_PER_BATCH {
        return Err(ApiError::invalid("events", "too many events in one batch"));
    }
    for (index, event) in batch.events.iter().enumerate() {
        let field = |name: &str| format!("events[{index}].{name}");
        if !is_uuid(&event.id) {
            return Err(ApiError::invalid(field("id"), "must be a lowercase hyphenated UUID"));
        }
        if event.url.is_empty() || event.url.len() > MAX_URL_LEN {
            return Err(ApiError::invalid(field("url"), "must be 1 to 2048 bytes"));
        }
        if event.referrer.as_ref().is_some_and(|referrer| referrer.len() > MAX_URL_LEN) {
            return Err(ApiError::invalid(field("referrer"), "longer than 2048 bytes"));
        }
        if event.title.as_ref().is_some_and(|title| title.len() > MAX_TEXT_LEN) {
            return Err(ApiError::invalid(field("title"), "longer than 512 bytes"));
        }
    }
    Ok(())
}

fn stored(site: &str, visitor: &str, event: &ClientEvent, now: i64) -> StoredEvent {
    let client_ms = i64::try_from(event.ts).unwrap_or(i64::MAX);
    StoredEvent {
        id: event.id.clone(),
        site: site.to_owned(),
        visitor: visitor.to_owned(),
        kind: event.kind.as_str().to_owned(),
        url: event.url.clone(),
        title: event.title.clone(),
        referrer: event.referrer.clone(),
        received_ms: now,
        client_offset_ms: client_ms.saturating_sub(now).clamp(-MAX_CLOCK_SKEW_MS, MAX_CLOCK_SKEW_MS),
    }
}
