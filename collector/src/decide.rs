//! `POST /v1/boot`: the widget's first call on a page. Records the visit and returns,
//! in one response, the visitor's state and the content decided for each slot.

use std::collections::HashSet;

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use kindling_core::ids::is_uuid;
use kindling_core::limits::{MAX_SLOTS, MAX_TEXT_LEN, MAX_URL_LEN};
use kindling_core::wire::{BootRequest, BootResponse, Decision, VisitorState};

use crate::error::ApiError;
use crate::json::JsonBody;
use crate::ratelimit::ClientIp;
use crate::sites::Site;
use crate::{AppState, cors, unix_millis};

/// Handles `POST /v1/boot`.
pub async fn boot(
    State(app): State<AppState>,
    client: ClientIp,
    headers: HeaderMap,
    body: Result<JsonBody<BootRequest>, ApiError>,
) -> Response {
    let outcome = async {
        let JsonBody(request) = body?;
        let site = app.catalog.site(&request.site).ok_or(ApiError::UnknownSite)?;
        cors::check_origin(site, &headers)?;
        app.limits.check(client.0, &site.key)?;
        validate(&request)?;
        let profile = app.store.touch_visitor(&site.key, &request.visitor, unix_millis()).await?;
        let profile = VisitorState {
            id: String::new(),
            score: profile.score,
            temperature: profile.temperature,
            stage: profile.stage,
            segments: profile.segments,
        };
        Ok(Json(BootResponse {
            visitor: VisitorState { id: request.visitor.clone(), ..profile },
            decisions: decide(site, &request.slots),
        }))
    }
    .await;
    cors::respond(&app.catalog, &headers, outcome)
}

fn validate(request: &BootRequest) -> Result<(), ApiError> {
    if !is_uuid(&request.visitor) {
        return Err(ApiError::invalid("visitor", "must be a lowercase hyphenated UUID"));
    }
    if request.url.len() > MAX_URL_LEN {
        return Err(ApiError::invalid("url", "longer than the URL limit"));
    }
    if request.referrer.as_ref().is_some_and(|referrer| referrer.len() > MAX_URL_LEN) {
        return Err(ApiError::invalid("referrer", "longer than the URL limit"));
    }
    if request.slots.len() > MAX_SLOTS {
        return Err(ApiError::invalid("slots", "too many slots"));
    }
    if let Some(index) = request.slots.iter().position(|slot| slot.len() > MAX_TEXT_LEN) {
        return Err(ApiError::invalid(format!("slots[{index}]"), "slot name too long"));
    }
    Ok(())
}

/// The content for each requested slot: the first block configured for it.
fn decide(site: &Site, slots: &[String]) -> Vec<Decision> {
    let mut seen = HashSet::new();
    slots
        .iter()
        .filter(|slot| seen.insert(slot.as_str()))
        .filter_map(|slot| {
            let block = site.blocks.iter().find(|block| &block.slot == slot)?;
            let variant = block.variants.first()?;
            Some(Decision {
                slot: slot.clone(),
                block: block.id.clone(),
                variant: variant.id.clone(),
                content: variant.content.clone(),
            })
        })
        .collect()
}
