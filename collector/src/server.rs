//! The HTTP server: accepts connections while fewer than the bound are open, serves
//! each over HTTP/1.1 with hyper, and drains them on shutdown.
//!
//! A client has [`ConnectionLimits::header_timeout`] to send a request's headers, and
//! an idle keep-alive connection is closed once it has waited that long for the next
//! request (hyper's header read timeout covers both). Bodies have their own timeout,
//! applied by the router ([`tower_http::timeout::RequestBodyTimeoutLayer`]). So a
//! client that opens connections and sends nothing, or sends slowly, holds each for
//! seconds, not forever, and never more than the bound at once.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::Service;

use crate::settings::Settings;

/// The server's bounds on its clients.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    pub max_connections: usize,
    pub header_timeout: Duration,
}

impl ConnectionLimits {
    pub fn from_settings(settings: &Settings) -> Self {
        ConnectionLimits {
            max_connections: settings.max_connections.max(1),
            header_timeout: Duration::from_secs(settings.header_timeout_secs.max(1)),
        }
    }
}

/// Serves `app` on `listener` until `shutdown` resolves, then waits for the open
/// connections to finish their requests.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) {
    let open = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut make_service = app.into_make_service_with_connect_info::<SocketAddr>();
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout);
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&open).acquire_owned() => permit,
            () = &mut shutdown => break,
        };
        let Ok(permit) = permit else { break };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of descriptors, or a connection reset before it was taken:
                    // wait a little rather than spin.
                    tracing::debug!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let Ok(service) = make_service.call(peer).await;
        let service = TowerToHyperService::new(service);
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, %peer, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}
