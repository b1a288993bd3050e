//! The OpenAPI 3.1 document of the collector's HTTP API: `GET /openapi.json`, public,
//! built once when the router is, cacheable (`Cache-Control`, `ETag`).
//!
//! Each route is registered from the `#[utoipa::path]` annotation on its handler
//! (through `utoipa_axum`'s `routes!`), so it is served at exactly the path and methods
//! its documentation names; the widget bundle's routes, which are file services, carry
//! their annotations in [`assets`](crate::assets). Schemas come from the request and
//! response types themselves: the wire types through `kindling-core`'s `openapi`
//! feature, the collector's own types by their derives.
//!
//! This module holds what operations share: the document's header and tags, the admin
//! API's security schemes ([`require_sign_in`], applied by the admin router to every
//! route behind its gate, as the gate is), the error responses, and the handler
//! serving the document.

use axum::body::Bytes;
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_ORIGIN, CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, http};
use kindling_core::wire::ErrorBody;
use sha2::{Digest, Sha256};
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{OpenApi, Ref, RefOr};
use utoipa::{Modify, ToResponse};

/// Where the document is served.
pub const DOCUMENT_PATH: &str = "/openapi.json";

/// Cache policy of the document: it changes only with a new release.
pub const DOCUMENT_CACHE: &str = "public, max-age=300";

/// The bearer scheme (an API token or the deprecated admin token), as operations name it.
pub const ADMIN_TOKEN: &str = "admin_token";

/// The session cookie's scheme, as operations name it.
pub const SESSION: &str = "session";

/// The document's header, shared components and the routes that are not handlers.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Kindling collector",
        description = "Takes events and lead forms from the Kindling widget, decides what each \
            visitor sees, and answers the site owner's admin API. Every error is JSON: \
            `{\"error\": {\"code\", \"message\", \"field\"}}` (plain HTML form posts and the \
            confirmation link answer with pages). Public endpoints take their JSON bodies as \
            `application/json` or as `text/plain` (what `sendBeacon` and preflight-free \
            `fetch` send).",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    paths(crate::assets::loader, crate::assets::bundle_file),
    components(
        schemas(ErrorBody),
        responses(
            PreflightAllowed,
            BadRequest,
            UnknownSite,
            MissingToken,
            LoginFailed,
            Forbidden,
            Conflict,
            OriginNotAllowed,
            NotFound,
            PreviewGone,
            PayloadTooLarge,
            UnsupportedMediaType,
            RateLimited,
            Unavailable,
            Internal
        )
    ),
    modifiers(&AdminTokenScheme),
    tags(
        (name = "widget", description = "What the widget and the site's pages call: boot, \
            events, lead forms, the double opt-in link."),
        (name = "admin", description = "The site owner's API: signed in with a session \
            cookie or an API token."),
        (name = "preview", description = "Preview pages and the widget API under them: a \
            block or form of any revision drawn by the real widget, nothing stored."),
        (name = "probes", description = "Liveness and readiness."),
        (name = "bundle", description = "The widget's files, when a bundle is installed."),
        (name = "document", description = "This document."),
    )
)]
pub struct ApiDoc;

/// Adds the admin API's schemes: `Authorization: Bearer kdl_…` (an API token, or the
/// deprecated `--admin-token`) and the `kindling_session` cookie.
struct AdminTokenScheme;

impl Modify for AdminTokenScheme {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            ADMIN_TOKEN,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A user's API token (`kdl_…`), or the deprecated `--admin-token`.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            SESSION,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "kindling_session",
                "The session cookie `POST /admin/api/session` sets. Changes sent with it \
                 must come from the admin's own origin (`Sec-Fetch-Site: same-origin`, or \
                 an `Origin` matching `Host`).",
            ))),
        );
    }
}

/// Marks every operation of `openapi` as needing a session or a bearer token,
/// answering 401 without one, 403 to a role that may not, and 429 to an IP that sent
/// too many wrong tokens.
pub fn require_sign_in(openapi: &mut OpenApi) {
    for item in openapi.paths.paths.values_mut() {
        for operation in operations_mut(item) {
            operation.security = Some(vec![
                SecurityRequirement::new(ADMIN_TOKEN, [""; 0]),
                SecurityRequirement::new(SESSION, [""; 0]),
            ]);
            let responses = &mut operation.responses.responses;
            responses.insert("401".to_owned(), response_ref("MissingToken"));
            responses.entry("403".to_owned()).or_insert_with(|| response_ref("Forbidden"));
            responses.entry("429".to_owned()).or_insert_with(|| response_ref("RateLimited"));
        }
    }
}

fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.options,
        &mut item.head,
        &mut item.patch,
        &mut item.trace,
    ]
    .into_iter()
    .filter_map(Option::as_mut)
}

fn response_ref(name: &str) -> RefOr<utoipa::openapi::Response> {
    RefOr::Ref(Ref::from_response_name(name))
}

/// A CORS preflight answered for an origin some site allows.
#[derive(ToResponse)]
#[response(
    description = "Some site allows the origin",
    headers(
        ("Access-Control-Allow-Origin" = String),
        ("Access-Control-Allow-Methods" = String),
        ("Access-Control-Allow-Headers" = String),
        ("Access-Control-Max-Age" = String),
    )
)]
pub struct PreflightAllowed;

/// The body is not JSON (`malformed_json`), or a field or query parameter is
/// wrong (`invalid_field`, `field` names it).
#[derive(ToResponse)]
pub struct BadRequest(pub ErrorBody);

/// The site key is unknown (`unknown_site`).
#[derive(ToResponse)]
pub struct UnknownSite(pub ErrorBody);

/// Not signed in: no session, and no right API token or admin token (`unauthorized`).
#[derive(ToResponse)]
pub struct MissingToken(pub ErrorBody);

/// Wrong email or password (`login_failed`).
#[derive(ToResponse)]
pub struct LoginFailed(pub ErrorBody);

/// The role may not do this (`forbidden`), or a change sent with the session cookie
/// came from another site (`csrf`).
#[derive(ToResponse)]
pub struct Forbidden(pub ErrorBody);

/// It would clash with what is stored (`conflict`): a taken email, the last owner.
#[derive(ToResponse)]
pub struct Conflict(pub ErrorBody);

/// The request's `Origin` is not one the site allows (`origin_not_allowed`).
#[derive(ToResponse)]
pub struct OriginNotAllowed(pub ErrorBody);

/// The preview expired or never existed (`preview_gone`).
#[derive(ToResponse)]
pub struct PreviewGone(pub ErrorBody);

/// Nothing here by that name (`not_found`, `unknown_form`).
#[derive(ToResponse)]
pub struct NotFound(pub ErrorBody);

/// The body is larger than the limit (`payload_too_large`).
#[derive(ToResponse)]
pub struct PayloadTooLarge(pub ErrorBody);

/// The body is neither `application/json` nor `text/plain` (`unsupported_media_type`).
#[derive(ToResponse)]
pub struct UnsupportedMediaType(pub ErrorBody);

/// Too many requests from this client (`rate_limited`); retry after `Retry-After`
/// seconds.
#[derive(ToResponse)]
#[response(headers(("Retry-After" = u64, description = "Seconds to wait before retrying")))]
pub struct RateLimited(pub ErrorBody);

/// Storage is unavailable; retry later (`unavailable`).
#[derive(ToResponse)]
pub struct Unavailable(pub ErrorBody);

/// The collector failed (`internal`); logged on its side.
#[derive(ToResponse)]
pub struct Internal(pub ErrorBody);

/// The serialized document and its entity tag.
#[derive(Clone)]
pub struct Document {
    json: Bytes,
    etag: HeaderValue,
}

impl Document {
    /// Serializes `openapi` once.
    pub fn of(openapi: &OpenApi) -> Document {
        let json = Bytes::from(openapi.to_json().unwrap_or_else(|error| {
            tracing::error!(%error, "the OpenAPI document could not be serialized");
            String::from("{}")
        }));
        let digest = Sha256::digest(&json);
        let etag = HeaderValue::from_str(&format!("\"{}\"", hex::encode(&digest[..16])))
            .unwrap_or_else(|_| HeaderValue::from_static("\"\""));
        Document { json, etag }
    }
}

/// `GET /openapi.json`.
#[utoipa::path(
    get,
    path = DOCUMENT_PATH,
    tag = "document",
    operation_id = "openapi_document",
    summary = "This OpenAPI document",
    params(("If-None-Match" = Option<String>, Header, description = "An earlier answer's `ETag`")),
    responses(
        (status = 200, description = "The document", content_type = "application/json",
            body = Object,
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Unchanged since the `ETag` sent"),
    )
)]
pub async fn document(Extension(document): Extension<Document>, headers: HeaderMap) -> Response {
    let unchanged =
        headers.get(IF_NONE_MATCH).and_then(|value| value.to_str().ok()).is_some_and(|tags| {
            let ours = document.etag.to_str().unwrap_or_default();
            tags.split(',').map(str::trim).any(|tag| tag == ours || tag == "*")
        });
    let mut response = if unchanged {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(CONTENT_TYPE, HeaderValue::from_static("application/json"))], document.json.clone())
            .into_response()
    };
    let answer: &mut http::HeaderMap = response.headers_mut();
    answer.insert(ETAG, document.etag);
    answer.insert(CACHE_CONTROL, HeaderValue::from_static(DOCUMENT_CACHE));
    answer.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    response
}
