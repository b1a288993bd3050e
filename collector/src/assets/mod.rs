//! The widget bundle, as built by `cargo xtask bundle` into the widget folder
//! (`--widget-dir`), or embedded in the binary ([`embedded`], built by `cargo xtask
//! dist`):
//!
//! - `GET /kindling.js`: the loader the site pastes; a stable URL, cached 5 minutes so
//!   a new release reaches visitors quickly;
//! - `GET /w/{name}`: the JS glue and the wasm under content-hashed names, cached for a
//!   year as immutable.
//!
//! A `/w/` name that is not a plain file name of at most [`MAX_NAME_LEN`] bytes
//! (letters, digits, `.`, `-`, `_`, not starting with `.`) is a JSON 404 before the
//! file system is asked, so long or odd names never reach it; a name of no file is
//! the same JSON 404. The cache policies apply to files served, never to errors.
//!
//! Files are served precompressed (`.br`, `.gz` beside each file) by `Accept-Encoding`,
//! with `Access-Control-Allow-Origin: *` because the glue is imported and the wasm
//! fetched cross-origin by the host page.

use std::convert::Infallible;
use std::path::Path;

use axum::Router;
use axum::extract::Request;
use axum::http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, CACHE_CONTROL};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{Next, from_fn};
use axum::response::{IntoResponse, Response};
use kindling_core::wire::ErrorBody;
use tower::{Layer, service_fn};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::error::ApiError;

pub mod embedded;
pub mod names;

pub use names::{HASHED_CACHE, LOADER_CACHE, MAX_NAME_LEN, is_bundle_name};

/// Routes serving the bundle in `dir`; without one, the bundle embedded in the binary
/// (if it was built with one); else none.
pub fn router<S: Clone + Send + Sync + 'static>(dir: Option<&Path>) -> Router<S> {
    let Some(dir) = dir else {
        return embedded::Bundle::embedded().map(embedded::Bundle::router).unwrap_or_default();
    };
    if !dir.join("kindling.js").is_file() {
        tracing::warn!(dir = %dir.display(), "no widget bundle found; run `cargo xtask bundle`");
        return Router::new();
    }
    let loader = ServeFile::new(dir.join("kindling.js")).precompressed_br().precompressed_gzip();
    let files = ServeDir::new(dir.join("w"))
        .precompressed_br()
        .precompressed_gzip()
        .not_found_service(service_fn(|_: Request| async {
            Ok::<_, Infallible>(ApiError::NotFound.into_response())
        }));
    let hashed = from_fn(only_bundle_names).layer(files);
    Router::new()
        .route_service("/kindling.js", loader)
        .layer(SetResponseHeaderLayer::overriding(CACHE_CONTROL, cached_when_found(LOADER_CACHE)))
        .merge(Router::new().nest_service("/w", hashed).layer(SetResponseHeaderLayer::overriding(
            CACHE_CONTROL,
            cached_when_found(HASHED_CACHE),
        )))
        .layer(SetResponseHeaderLayer::overriding(
            ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        ))
}

/// `GET /kindling.js`, documented here; served by the file service [`router`] mounts.
#[utoipa::path(
    get,
    path = "/kindling.js",
    tag = "bundle",
    summary = "The loader the site pastes",
    description = "Served with `Cache-Control: public, max-age=300` and, by \
        `Accept-Encoding`, precompressed (`br`, `gzip`). 404 when no bundle is installed.",
    responses(
        (status = 200, description = "The loader", content_type = "text/javascript",
            body = String, headers(("Cache-Control" = String))),
        (status = 404, description = "No such file, or no bundle installed (`not_found`)",
            body = ErrorBody),
    )
)]
#[expect(dead_code, reason = "carries the documentation of a file service")]
pub(crate) fn loader() {}

/// `GET /w/{name}`, documented here; served by the file service [`router`] mounts.
#[utoipa::path(
    get,
    path = "/w/{name}",
    tag = "bundle",
    summary = "A content-hashed file of the bundle (JS glue, wasm)",
    description = "Served with `Cache-Control: public, max-age=31536000, immutable` and, by \
        `Accept-Encoding`, precompressed (`br`, `gzip`).",
    params(("name" = String, Path, description = "A bundle file name: letters, digits, `.`, \
        `-`, `_`, not starting with `.`, at most 128 bytes", max_length = 128)),
    responses(
        (status = 200, description = "The file", headers(("Cache-Control" = String)),
            content(("text/javascript"), ("application/wasm"))),
        (status = 404, description = "No such file, or no bundle installed (`not_found`)",
            body = ErrorBody),
    )
)]
#[expect(dead_code, reason = "carries the documentation of a file service")]
pub(crate) fn bundle_file() {}

/// `policy` as the `Cache-Control` of a file served (or of a 304 about it), none on an
/// error: a 404 cached for a year would hide a file uploaded a moment later.
fn cached_when_found(policy: &'static str) -> impl Fn(&Response) -> Option<HeaderValue> + Clone {
    move |response| {
        let status = response.status();
        (status.is_success() || status == StatusCode::NOT_MODIFIED)
            .then(|| HeaderValue::from_static(policy))
    }
}

/// Passes a request for `/NAME` (the path under `/w`) on when NAME is a bundle file name.
async fn only_bundle_names(request: Request, next: Next) -> Response {
    match request.uri().path().strip_prefix('/') {
        Some(name) if is_bundle_name(name) => next.run(request).await,
        _ => ApiError::NotFound.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_short_file_names_are_bundle_names() {
        for good in ["kindling-0123456789.js", "kindling-0123456789.wasm", "a_b.js"] {
            assert!(is_bundle_name(good), "{good}");
        }
        let long = "a".repeat(MAX_NAME_LEN + 1);
        for bad in ["", ".hidden", "..", "a/b", "%2e%2e%2fsecret", "a%00", "a b", long.as_str()] {
            assert!(!is_bundle_name(bad), "{bad}");
        }
    }
}
