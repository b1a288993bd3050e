//! Double opt-in: `GET /v1/confirm/{token}`, the link the site's mailing tool sends to
//! the address a double opt-in form received. Following it confirms the submission
//! and its consent records (time stamped) and gives the person marketing consent
//! through the event writer, as an `identify` event whose id is derived from the
//! submission, so following the link again changes nothing. Tokens are valid for
//! [`CONFIRMATION_DAYS`] days; the admin API lists
//! them (`GET /admin/api/forms/confirmations`).

use axum::extract::{Path, State};
use axum::http::header::ACCEPT_LANGUAGE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use kindling_core::forms::Lang;

use crate::clock::unix_millis;
use crate::error::ApiError;
use crate::lifecycle::group::WriteBatch;
use crate::state::AppState;
use crate::store::{self, Confirmation, StoreResult, StoredEvent, WriteTx};

/// Longest token accepted.
const MAX_TOKEN_LEN: usize = 128;

/// Days a double opt-in token stays valid.
pub const CONFIRMATION_DAYS: i64 = 7;

const DAY_MS: i64 = 86_400_000;

/// What following a confirmation link did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmed {
    /// Confirmed now.
    Now(Confirmation),
    /// Confirmed by an earlier visit of the link.
    Already(Confirmation),
    /// Older than [`CONFIRMATION_DAYS`].
    Expired,
    Unknown,
}

/// Confirms the submission and consents `token` stands for, unless the token is
/// unknown, confirmed already or expired.
pub fn confirm_token(tx: &mut dyn WriteTx, token: &str, now: i64) -> StoreResult<Confirmed> {
    let Some(mut confirmation) = tx.confirmation(token)? else { return Ok(Confirmed::Unknown) };
    if confirmation.confirmed_ms.is_some() {
        return Ok(Confirmed::Already(confirmation));
    }
    if now - confirmation.created_ms > CONFIRMATION_DAYS * DAY_MS {
        return Ok(Confirmed::Expired);
    }
    tx.confirm(&confirmation, now)?;
    confirmation.confirmed_ms = Some(now);
    Ok(Confirmed::Now(confirmation))
}

/// Handles `GET /v1/confirm/{token}`.
#[utoipa::path(
    get,
    path = "/v1/confirm/{token}",
    tag = "widget",
    operation_id = "confirm_subscription",
    summary = "The double opt-in link: confirms a submission's consent",
    description = "Answers a short page in the visitor's language (`Accept-Language`: English \
        or Polish). Following the link again changes nothing.",
    params(("token" = String, Path, description = "The token the admin API lists")),
    responses(
        (status = 200, description = "Confirmed (now or earlier)", content_type = "text/html",
            body = String),
        (status = 404, description = "No such token", content_type = "text/html", body = String),
        (status = 410, description = "The token has expired", content_type = "text/html",
            body = String),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
pub async fn confirm(
    State(app): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let app = &app;
    let lang = headers
        .get(ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .map_or(Lang::En, Lang::from_tag);
    let outcome = async {
        if token.is_empty() || token.len() > MAX_TOKEN_LEN {
            return Ok(Confirmed::Unknown);
        }
        let now = unix_millis();
        let confirmed = store::write(&app.store, move |tx| confirm_token(tx, &token, now)).await?;
        if let Confirmed::Now(confirmation) | Confirmed::Already(confirmation) = &confirmed {
            give_consent(app, confirmation, now).await?;
        }
        Ok::<_, ApiError>(confirmed)
    }
    .await;
    let (status, en, pl) = match outcome {
        Ok(Confirmed::Now(_) | Confirmed::Already(_)) => (
            StatusCode::OK,
            "Thank you: your subscription is confirmed.",
            "Dziękujemy: subskrypcja potwierdzona.",
        ),
        Ok(Confirmed::Expired) => (
            StatusCode::GONE,
            "This confirmation link has expired. Please sign up again.",
            "Ten link potwierdzający wygasł. Zapisz się ponownie.",
        ),
        Ok(Confirmed::Unknown) => (
            StatusCode::NOT_FOUND,
            "This confirmation link is not valid.",
            "Ten link potwierdzający jest nieprawidłowy.",
        ),
        Err(error) => return error.into_response(),
    };
    let text = if lang == Lang::Pl { pl } else { en };
    let html = [
        "<!doctype html><meta charset=utf-8><meta name=viewport content=\"width=device-width\"><title>",
        text,
        "</title><main><h1>",
        text,
        "</h1></main>",
    ]
    .concat();
    (status, Html(html)).into_response()
}

/// Gives the confirmed person marketing consent; an event id derived from the
/// submission makes a second visit of the link (or a retry) a duplicate.
async fn give_consent(
    app: &AppState,
    confirmation: &Confirmation,
    now: i64,
) -> Result<(), ApiError> {
    let Some(site) = app.catalog.site(&confirmation.site) else { return Ok(()) };
    let id = [confirmation.submission.as_str(), "/confirmed"].concat();
    let mut event = StoredEvent::new(
        &id,
        &site.key,
        &confirmation.visitor,
        &confirmation.visitor,
        "identify",
        "",
        now,
    );
    event.name = Some(confirmation.form.clone());
    event.props = Some(r#"{"marketing_consent":true}"#.to_owned());
    let batch = WriteBatch {
        site: site.key.clone(),
        visitor: confirmation.visitor.clone(),
        visit: 1,
        seen_ms: now,
        bot: false,
        events: vec![event],
        model: std::sync::Arc::clone(&site.profiles),
        submission: None,
        verified: None,
    };
    app.writer.write(batch).await?;
    Ok(())
}
