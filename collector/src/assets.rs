//! The widget bundle, as built by `cargo xtask bundle` into the widget folder:
//!
//! - `GET /kindling.js`: the loader the site pastes; a stable URL, cached 5 minutes so
//!   a new release reaches visitors quickly;
//! - `GET /w/{name}`: the JS glue and the wasm under content-hashed names, cached for a
//!   year as immutable.
//!
//! Files are served precompressed (`.br`, `.gz` beside each file) by `Accept-Encoding`,
//! with `Access-Control-Allow-Origin: *` because the glue is imported and the wasm
//! fetched cross-origin by the host page.

use std::path::Path;

use axum::Router;
use axum::http::HeaderValue;
use axum::http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, CACHE_CONTROL};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// Cache policy of the loader: short, so releases roll out within minutes.
pub const LOADER_CACHE: &str = "public, max-age=300";
/// Cache policy of content-hashed files.
pub const HASHED_CACHE: &str = "public, max-age=31536000, immutable";

/// Routes serving the bundle in `dir`, or none if `dir` has no loader.
pub fn router<S: Clone + Send + Sync + 'static>(dir: Option<&Path>) -> Router<S> {
    let Some(dir) = dir else {
        return Router::new();
    };
    if !dir.join("kindling.js").is_file() {
        tracing::warn!(dir = %dir.display(), "no widget bundle found; run `cargo xtask bundle`");
        return Router::new();
    }
    let loader = ServeFile::new(dir.join("kindling.js")).precompressed_br().precompressed_gzip();
    let hashed = ServeDir::new(dir.join("w")).precompressed_br().precompressed_gzip();
    Router::new()
        .route_service("/kindling.js", loader)
        .layer(SetResponseHeaderLayer::overriding(
            CACHE_CONTROL,
            HeaderValue::from_static(LOADER_CACHE),
        ))
        .merge(Router::new().nest_service("/w", hashed).layer(SetResponseHeaderLayer::overriding(
            CACHE_CONTROL,
            HeaderValue::from_static(HASHED_CACHE),
        )))
        .layer(SetResponseHeaderLayer::overriding(
            ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        ))
}
