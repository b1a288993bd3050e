//! `POST /v1/events`: takes a batch of events from the widget and answers 2xx only once
//! they are committed.
//!
//! The request path validates cheaply ([`validate`]), flags crawlers and headless
//! browsers as bot traffic, derives the visit's channel and campaign, and hands the
//! rows to the group-commit [`writer`], which shares one transaction among all
//! concurrent requests. Invalid events are refused one by one, naming their field;
//! the valid ones of the same batch are kept. A resend of a stored event id counts as
//! a duplicate and is stored once.

pub mod validate;
pub mod writer;

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::USER_AGENT;
use axum::response::Response;
use kindling_core::bots::is_bot;
use kindling_core::wire::EventsAccepted;

use crate::error::ApiError;
use crate::json::JsonBody;
use crate::ratelimit::ClientIp;
use crate::store::WriteBatch;
use crate::{AppState, cors, unix_millis};

pub use writer::Writer;

/// Handles `POST /v1/events`.
pub async fn events(
    State(app): State<AppState>,
    client: ClientIp,
    headers: HeaderMap,
    body: Result<JsonBody<validate::RawBatch>, ApiError>,
) -> Response {
    let outcome = async {
        let JsonBody(batch) = body?;
        let site = app.catalog.site(&batch.site).ok_or(ApiError::UnknownSite)?;
        cors::check_origin(site, &headers)?;
        app.limits.check(client.0, &site.key)?;
        let user_agent = headers.get(USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
        let now = unix_millis();
        let request = validate::Request { site: &site.key, user_agent, bot: is_bot(user_agent), now };
        let checked = validate::batch(&batch, &request)?;
        let write = WriteBatch {
            site: site.key.clone(),
            visitor: batch.visitor.clone(),
            visit: batch.context.as_ref().map_or(1, |context| context.visit.max(1)),
            seen_ms: now,
            bot: request.bot,
            events: checked.events,
            model: Arc::clone(&site.profiles),
        };
        let committed = app.writer.write(write).await?;
        Ok(Json(EventsAccepted {
            accepted: committed.outcome.inserted,
            duplicates: committed.outcome.duplicates,
            rejected: checked.rejected,
            visitor: committed.visitor,
        }))
    }
    .await;
    cors::respond(&app.catalog, &headers, outcome)
}
