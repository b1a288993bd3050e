//! `POST /v1/events`: takes a batch of events from the widget and answers 2xx only once
//! they are committed.
//!
//! The request path validates cheaply ([`validate`]), flags crawlers and headless
//! browsers as bot traffic, derives the visit's channel and campaign, and hands the
//! rows to the group-commit [`writer`], which shares one transaction among all
//! concurrent requests. Invalid events are refused one by one, naming their field;
//! the valid ones of the same batch are kept. A resend of a stored event id counts as
//! a duplicate and is stored once.
//!
//! When the batch names the page's slots and changed what the visitor should see (a
//! new temperature, stage or segment, a new page, a form sent, a block used), the
//! answer carries the page's decisions again, so the page can change without a
//! reload. An impression over its block's caps is refused here, by the profile.

pub mod validate;
pub mod writer;

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::USER_AGENT;
use axum::response::Response;
use kindling_core::bots::is_bot;
use kindling_core::wire::{EventBatch, EventsAccepted, Rejection};

use crate::clock::unix_millis;
use crate::cors;
use crate::error::ApiError;
use crate::json::JsonBody;
use crate::lifecycle::group::WriteBatch;
use crate::personalize::decide::decide;
use crate::personalize::facts::Visit;
use crate::profiles::verification::take_proof;
use crate::ratelimit::ClientIp;
use crate::state::AppState;

pub use writer::Writer;

/// Event types after which the answer re-decides the page's blocks even when the
/// profile's temperature, stage and segments stayed the same.
const RECONSIDER: &[&str] =
    &["pageview", "form_submit", "identify", "block_click", "block_dismiss"];

/// Handles `POST /v1/events`.
#[utoipa::path(
    post,
    path = "/v1/events",
    tag = "widget",
    summary = "A batch of events, answered once committed",
    description = "Events are checked one by one: invalid ones are refused in `rejected`, \
        naming their field, and the valid ones of the same batch are kept (400 only when the \
        envelope is wrong or every event is refused). A resend of a stored event id counts \
        in `duplicates`. The JSON body may be sent as `text/plain` (no preflight).",
    params(("Origin" = Option<String>, Header, description = "A browser page's origin; the \
        site must allow it")),
    request_body(content(
        (EventBatch = "application/json"),
        (EventBatch = "text/plain"),
    )),
    responses(
        (status = 200, description = "The batch is committed", body = EventsAccepted),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::UnknownSite),
        (status = 403, response = crate::openapi::OriginNotAllowed),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 429, response = crate::openapi::RateLimited),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
pub async fn events(
    State(app): State<AppState>,
    client: ClientIp,
    headers: HeaderMap,
    body: Result<JsonBody<validate::RawBatch>, ApiError>,
) -> Response {
    let outcome = async {
        let JsonBody(batch) = body?;
        let site = &app.catalog.site(&batch.site).ok_or(ApiError::UnknownSite)?;
        cors::check_origin(site, &headers)?;
        app.limits.check(client.0, &site.key)?;
        let user_agent = headers.get(USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
        let now = unix_millis();
        let request =
            validate::Request { site: &site.key, user_agent, bot: is_bot(user_agent), now };
        let checked = validate::batch(&batch, &request)?;
        let refusable: Vec<(String, u32)> = checked
            .events
            .iter()
            .zip(&checked.positions)
            .map(|(event, &at)| (event.id.clone(), at))
            .collect();
        let page = checked.events.last().map(|event| (event.url.clone(), event.session.clone()));
        let reconsider =
            checked.events.iter().any(|event| RECONSIDER.contains(&event.kind.as_str()));
        let mut events = checked.events;
        let verified = take_proof(&mut events, site.identity.as_ref());
        let write = WriteBatch {
            site: site.key.clone(),
            visitor: batch.visitor.clone(),
            visit: batch.context.as_ref().map_or(1, |context| context.visit.max(1)),
            seen_ms: now,
            bot: request.bot,
            events,
            model: Arc::clone(&site.profiles),
            submission: None,
            verified,
        };
        let committed = app.writer.write(write).await?;
        let mut rejected = checked.rejected;
        for refused in &committed.refused {
            if let Some((_, index)) = refusable.iter().find(|(id, _)| *id == refused.event_id) {
                rejected.push(Rejection {
                    index: *index,
                    field: format!("events[{index}].name"),
                    message: refused.reason.message().to_owned(),
                });
            }
        }
        rejected.sort_by_key(|rejection| rejection.index);
        let decisions = match (&committed.shown, page) {
            (Some(person), Some((url, session)))
                if !batch.slots.is_empty() && (committed.changed || reconsider) =>
            {
                let context = batch.context.as_ref();
                let referrer = context.and_then(|context| context.referrer.as_deref());
                let visit = Visit::of(&url, referrer, &session, context, user_agent);
                Some(decide(site, Some(person), &batch.visitor, &visit, &batch.slots, now))
            }
            _ => None,
        };
        Ok(Json(EventsAccepted {
            accepted: committed.outcome.inserted,
            duplicates: committed.outcome.duplicates,
            rejected,
            visitor: committed.visitor,
            decisions,
        }))
    }
    .await;
    cors::respond(&app.catalog.load(), &headers, outcome)
}
