//! The HTTP baseline: a bare axum server, on the same axum, hyper and tokio as the
//! collector and served the same way (`axum::serve`, tokio's multi-threaded runtime),
//! whose `POST /v1/events` and `POST /v1/boot` only read the body and answer `200 OK`
//! with nothing. It shows what HTTP
//! alone costs on this machine with this load generator, so the collector's numbers
//! can be read as a share of it.

use std::net::SocketAddr;

use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{get, post};
use kindling_core::limits::MAX_BODY_BYTES;

/// Serves on `listen` (a loopback address) until SIGTERM or ctrl-c.
pub async fn serve(listen: SocketAddr) -> Result<(), String> {
    if !listen.ip().is_loopback() {
        return Err(format!("{listen}: the baseline only listens on a loopback address"));
    }
    let app = Router::new()
        .route("/v1/events", post(read_body))
        .route("/v1/boot", post(read_body))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .route("/healthz", get(|| async { "ok" }));
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|error| format!("cannot listen on {listen}: {error}"))?;
    axum::serve(listener, app)
        .with_graceful_shutdown(kindling_collector::shutdown_signal())
        .await
        .map_err(|error| format!("server: {error}"))
}

/// Reads the whole body and answers `200 OK`.
async fn read_body(body: Bytes) -> StatusCode {
    if body.is_empty() { StatusCode::BAD_REQUEST } else { StatusCode::OK }
}
