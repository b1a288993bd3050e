//! A webhook's test delivery (the owner area: the route needs an owner):
//!
//! - `POST /admin/api/webhooks/test` `{"site", "webhook"}`: sends one test body
//!   (`"type": "kindling.test"`, `"test": true`, no person data) to the webhook as the
//!   live configuration has it, once, exactly as deliveries go
//!   ([`dispatch::post`]: the same signature and
//!   idempotency headers, the same target check, the same timeout), but not through the
//!   outbox: nothing is stored and nothing retried. The answer says what the receiver
//!   said: `delivered` (a 2xx), its `status`, the first [`BODY_LIMIT`] bytes of its body
//!   as text, `elapsed_ms`, and `error` when there was no answer or the target is
//!   refused (`refused: true`; an answer, not a failure of the request). An unknown
//!   site or webhook is a 404 naming `site` or `webhook`.
//!
//! Each test is written to the audit log (`webhook.test`, subject `webhook:SITE/ID`)
//! before anything is sent, so nothing leaves that the log does not show. The console's
//! settings page sends its tests through [`test_delivery`] too.

use std::time::Instant;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kindling_core::wire::{ErrorBody, ErrorDetail};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::accounts::Actor;
use crate::accounts::audit;
use crate::automation::dispatch::{self, Outgoing, SendError};
use crate::clock::unix_millis;
use crate::error::ApiError;
use crate::json::JsonBody;
use crate::state::AppState;

/// The most of a receiver's answer kept, in bytes.
pub const BODY_LIMIT: usize = 2048;

/// The type every test body carries.
pub const TEST_TYPE: &str = "kindling.test";

/// The webhook routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(test))
}

/// The webhook to test.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestRequest {
    /// The site key.
    pub site: String,
    /// The webhook's id in the site's `webhooks:`.
    pub webhook: String,
}

/// What the receiver of a test delivery said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TestOutcome {
    /// The receiver answered with a 2xx status.
    pub delivered: bool,
    /// The receiver's status; none when it did not answer.
    pub status: Option<u16>,
    /// The start of the receiver's answer (at most 2 KB), as text.
    pub body: Option<String>,
    /// From the target check to the end of the answer.
    pub elapsed_ms: u64,
    /// Why there was no answer, or its body could not be read.
    pub error: Option<String>,
    /// The target may not be delivered to (a private address, say): nothing was sent.
    pub refused: bool,
}

/// Why a test delivery was not made.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("there is no site with this key")]
    UnknownSite,
    #[error("the site has no webhook with this id")]
    UnknownWebhook,
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl IntoResponse for WebhookError {
    fn into_response(self) -> Response {
        let field = match self {
            WebhookError::Api(error) => return error.into_response(),
            WebhookError::UnknownSite => "site",
            WebhookError::UnknownWebhook => "webhook",
        };
        let detail = ErrorDetail {
            code: "not_found".to_owned(),
            message: self.to_string(),
            field: Some(field.to_owned()),
        };
        (StatusCode::NOT_FOUND, Json(ErrorBody { error: detail })).into_response()
    }
}

#[utoipa::path(
    post,
    path = "/admin/api/webhooks/test",
    tag = "admin",
    summary = "Sends one signed test body to a webhook and says what its receiver answered",
    request_body = TestRequest,
    responses(
        (status = 200, description = "What the receiver said, or why nothing was sent",
            body = TestOutcome),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 404, response = crate::openapi::NotFound),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn test(
    State(app): State<AppState>,
    actor: Actor,
    JsonBody(request): JsonBody<TestRequest>,
) -> Result<Json<TestOutcome>, WebhookError> {
    Ok(Json(test_delivery(&app, &actor, &request.site, &request.webhook).await?))
}

/// Sends the test body to webhook `webhook` of site `site` as the live configuration
/// has it, once, after writing `actor`'s audit entry.
pub async fn test_delivery(
    app: &AppState,
    actor: &Actor,
    site: &str,
    webhook: &str,
) -> Result<TestOutcome, WebhookError> {
    let site = app.catalog.site(site).ok_or(WebhookError::UnknownSite)?;
    let endpoint = site
        .webhooks
        .iter()
        .find(|endpoint| endpoint.name == webhook)
        .ok_or(WebhookError::UnknownWebhook)?;
    record(app, actor, &site.key, &endpoint.name).await?;
    let key = uuid::Uuid::now_v7().to_string();
    let body = test_body(&site.key, &endpoint.name, &key, unix_millis()).to_string();
    let outgoing =
        Outgoing { url: &endpoint.url, secret: &endpoint.secret, key: &key, body: &body };
    let started = Instant::now();
    let mut outcome = match dispatch::post(&outgoing, app.webhook_allow_private).await {
        Ok(response) => answered(response).await,
        Err(error) => unanswered(&error),
    };
    outcome.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    tracing::info!(site = %site.key, webhook = %endpoint.name, delivered = outcome.delivered,
        status = outcome.status, "webhook test delivery sent");
    Ok(outcome)
}

/// The audit entry of a test, written before it is sent.
async fn record(app: &AppState, actor: &Actor, site: &str, webhook: &str) -> Result<(), ApiError> {
    let actor = actor.clone();
    let subject = format!("webhook:{site}/{webhook}");
    let detail = json!({"site": site, "webhook": webhook});
    crate::store::write(&app.store, move |tx| {
        audit::append(tx, &actor, "webhook.test", &subject, &detail, unix_millis()).map(|_| ())
    })
    .await?;
    Ok(())
}

/// The body of a test delivery: marked as a test, about no person.
pub fn test_body(site: &str, webhook: &str, id: &str, now_ms: i64) -> Value {
    json!({
        "schema": "kindling.test.v1",
        "type": TEST_TYPE,
        "test": true,
        "id": id,
        "site": site,
        "webhook": webhook,
        "sent_ms": now_ms,
        "text": "A test delivery from Kindling. It carries no person data; nothing needs \
                 to be done with it.",
    })
}

/// The receiver's status and the start of its body.
async fn answered(mut response: reqwest::Response) -> TestOutcome {
    let status = response.status();
    let mut bytes: Vec<u8> = Vec::new();
    let mut error = None;
    while bytes.len() < BODY_LIMIT {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            Ok(None) => break,
            Err(failed) => {
                error = Some(format!("reading the answer: {}", dispatch::describe(&failed)));
                break;
            }
        }
    }
    TestOutcome {
        delivered: status.is_success(),
        status: Some(status.as_u16()),
        body: Some(text_start(&bytes)),
        elapsed_ms: 0,
        error,
        refused: false,
    }
}

/// Why nothing answered.
fn unanswered(error: &SendError) -> TestOutcome {
    TestOutcome {
        delivered: false,
        status: None,
        body: None,
        elapsed_ms: 0,
        error: Some(error.to_string()),
        refused: matches!(error, SendError::Refused(_)),
    }
}

/// The first [`BODY_LIMIT`] bytes of `bytes` as text, not cut inside a character;
/// bytes that are not UTF-8 become U+FFFD.
fn text_start(bytes: &[u8]) -> String {
    let mut end = bytes.len().min(BODY_LIMIT);
    // Back to the start of a character cut by the limit (at most 3 bytes back).
    for _ in 0..3 {
        if end < bytes.len() && end > 0 && bytes[end] & 0xC0 == 0x80 {
            end -= 1;
        }
    }
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_answer_is_cut_at_the_limit_but_not_inside_a_character() {
        assert_eq!(text_start(b"ok"), "ok");
        let long = "a".repeat(BODY_LIMIT + 10);
        assert_eq!(text_start(long.as_bytes()).len(), BODY_LIMIT);
        let euro = format!("{}€", "a".repeat(BODY_LIMIT - 1));
        assert_eq!(text_start(euro.as_bytes()), "a".repeat(BODY_LIMIT - 1), "€ left out whole");
        assert_eq!(text_start(&[b'a', 0xff, b'b']), "a\u{fffd}b");
    }

    #[test]
    fn the_test_body_is_marked_and_carries_no_person() {
        let body = test_body("pk_a", "crm", "id-1", 5);
        assert_eq!(body["type"], TEST_TYPE);
        assert_eq!(body["test"], true);
        assert_eq!((body["site"].as_str(), body["webhook"].as_str()), (Some("pk_a"), Some("crm")));
        for person in ["person", "lead", "email", "traits", "profile"] {
            assert!(body.get(person).is_none(), "{person} in {body}");
        }
    }

    #[test]
    fn a_refused_target_is_an_answer_saying_so() {
        let refused = SendError::Refused(crate::automation::target::TargetError::NotPublic(
            "127.0.0.1".parse().expect("address"),
        ));
        let outcome = unanswered(&refused);
        assert!(outcome.refused && !outcome.delivered && outcome.status.is_none());
        assert!(outcome.error.as_deref().is_some_and(|e| e.contains("not a public address")));
    }
}
