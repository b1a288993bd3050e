//! Our extractors, whose every failure is an [`ApiError`] naming the field at fault:
//! [`JsonBody`] reads at most [`MAX_BODY_BYTES`] and accepts `text/plain` (what
//! `sendBeacon` and preflight-free `fetch` send) as well as `application/json`;
//! [`QueryParams`] reads the query string.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use kindling_core::limits::MAX_BODY_BYTES;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// The query string parsed into `T`; a bad or missing parameter is a 400 naming
/// `query` with what was wrong.
pub struct QueryParams<T>(pub T);

impl<S, T> FromRequestParts<S> for QueryParams<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(params) = Query::<T>::from_request_parts(parts, state)
            .await
            .map_err(|rejection| ApiError::invalid("query", rejection.body_text()))?;
        Ok(QueryParams(params))
    }
}

/// A request body parsed as JSON into `T`.
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let essence = content_type.split(';').next().unwrap_or("").trim();
        if !matches!(essence, "application/json" | "text/plain" | "") {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(request, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge { limit: MAX_BODY_BYTES }
            } else {
                ApiError::MalformedJson { message: rejection.body_text() }
            }
        })?;
        parse(&bytes).map(JsonBody)
    }
}

/// Parses `bytes` into `T`, naming the JSON path of the first problem.
///
/// A body is parsed without tracking paths first; only a body that fails is parsed
/// again with [`serde_path_to_error`], which stops at the same problem and names its
/// path. So valid bodies, nearly all of them, do not pay for the path tracking.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).or_else(|_| parse_naming_the_path(bytes))
}

fn parse_naming_the_path<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        if error.inner().is_syntax() || error.inner().is_eof() {
            return ApiError::MalformedJson { message: error.into_inner().to_string() };
        }
        let (field, message) = field_problem(error);
        ApiError::invalid(field.unwrap_or_else(|| ".".to_owned()), message)
    })?;
    deserializer.end().map_err(|error| ApiError::MalformedJson { message: error.to_string() })?;
    Ok(value)
}

/// The JSON path of a data error (none for the document itself) and its message
/// without serde's position suffix. serde names a missing or unknown field only in its
/// message ("missing field `site`", "unknown field `x`"), with the path of the object
/// that lacks or has it.
pub(crate) fn field_problem(
    error: serde_path_to_error::Error<serde_json::Error>,
) -> (Option<String>, String) {
    let path = error.path().to_string();
    let message = error.into_inner().to_string();
    let message = message.split(" at line ").next().unwrap_or_default().to_owned();
    let unknown = message.starts_with("unknown field `");
    let missing = message
        .strip_prefix("missing field `")
        .or_else(|| message.strip_prefix("unknown field `"))
        .and_then(|rest| rest.split('`').next());
    let field = match (path.as_str(), missing) {
        // The path of an unknown field already ends with its name.
        (path, Some(_)) if unknown && path != "." => Some(path.to_owned()),
        (".", Some(name)) => Some(name.to_owned()),
        (".", None) => None,
        (path, Some(name)) => Some(format!("{path}.{name}")),
        (path, None) => Some(path.to_owned()),
    };
    (field, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kindling_core::wire::EventBatch;

    fn field_of(error: ApiError) -> String {
        match error {
            ApiError::InvalidField { field, .. } => field,
            other => panic!("expected an invalid field, got {other:?}"),
        }
    }

    #[test]
    fn names_the_nested_field_at_fault() {
        let body =
            br#"{"site":"k","visitor":"v","events":[{"id":"x","type":"nope","url":"/","ts":1}]}"#;
        let error = parse::<EventBatch>(body).expect_err("rejected");
        assert_eq!(field_of(error), "events[0].type");
    }

    #[test]
    fn names_a_missing_top_level_field() {
        let error = parse::<EventBatch>(br#"{"visitor":"v","events":[]}"#).expect_err("rejected");
        assert_eq!(field_of(error), "site");
    }

    #[test]
    fn syntax_errors_are_malformed_json() {
        let error = parse::<EventBatch>(br#"{"site": "#).expect_err("rejected");
        assert!(matches!(error, ApiError::MalformedJson { .. }), "{error:?}");
        let error = parse::<EventBatch>(br#"{"site":"k","visitor":"v","events":[]} x"#)
            .expect_err("rejected");
        assert!(matches!(error, ApiError::MalformedJson { .. }), "{error:?}");
    }
}
