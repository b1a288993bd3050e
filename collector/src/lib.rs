//! Kindling's collector: an axum server that takes events from the widget, stores
//! them durably, decides what content each visitor sees, and serves the widget bundle.
//!
//! Modules by domain, dependencies running one way (HTTP handlers → domain → store):
//! - HTTP: [`boot`] (`POST /v1/boot`), [`ingest`] (`POST /v1/events` and the event
//!   writer), [`forms`] (lead forms), [`admin`] (`/admin/api/*` and `/metrics`), [`console`]
//!   (the admin web pages under `/admin`), [`health`],
//!   [`metrics`], [`assets`] (the widget bundle), [`openapi`] (`GET /openapi.json`, the
//!   API document); [`cors`], [`ratelimit`], [`json`] and [`error`] around them;
//!   [`state`]: what the handlers share;
//! - domain: [`lifecycle`] (what happens to a person, saved with its cause),
//!   [`profiles`] (persons, identity, scoring, stages, segments), [`personalize`]
//!   (blocks, decisions, block reports), [`automation`] (workflows, webhooks and their
//!   outbox), [`sites`] and [`config`] (the configuration), [`live`] (the configuration
//!   being served, swapped whole on publish), [`accounts`] (admin users and roles),
//!   [`content`] (sanitizing), [`editing`] (structured edits of the configuration);
//! - [`store`]: SQLite and PostgreSQL storage of plain records, and migrations;
//! - [`settings`], [`telemetry`], [`clock`].
//!
//! This file only wires them: [`router`] merges each area's routes, each registered
//! from the annotation that documents it, into the router and the API document;
//! [`serve`] starts the background tasks and serves.

pub mod accounts;
pub mod admin;
pub mod assets;
pub mod automation;
pub mod boot;
pub mod clock;
pub mod config;
pub mod console;
pub mod content;
pub mod cors;
pub mod editing;
pub mod error;
pub mod export;
pub mod forms;
pub mod health;
pub mod ingest;
pub mod json;
pub mod lifecycle;
pub mod live;
pub mod metrics;
pub mod openapi;
pub mod personalize;
pub mod preview;
pub mod profiles;
pub mod ratelimit;
pub mod reporting;
pub mod revisions;
pub mod server;
pub mod settings;
pub mod sites;
pub mod state;
pub mod store;
pub mod telemetry;

use std::future::Future;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::HeaderValue;
use axum::http::header::X_CONTENT_TYPE_OPTIONS;
use axum::{Extension, Router};
use kindling_core::limits::MAX_BODY_BYTES;
use std::time::Duration;
use tokio::net::TcpListener;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;

pub use config::ConfigFile;
pub use settings::Settings;
pub use sites::Catalog;
pub use state::{AppState, Services};
pub use store::Store;

/// Why the collector could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("configuration: {0}")]
    Config(#[from] config::ConfigError),
    #[error("storage: {0}")]
    Store(#[from] store::StoreError),
    #[error("configuration: {0}")]
    Revisions(#[from] revisions::history::StartupError),
    #[error("server: {0}")]
    Io(#[from] std::io::Error),
}

/// Builds the whole router; tests call this directly. Every answer (the APIs' JSON,
/// pages, bundle files, errors) carries `X-Content-Type-Options: nosniff`, so a
/// browser never reads it as another type than the one it is sent as.
pub fn router(state: AppState, settings: &Settings) -> Router {
    let public = OpenApiRouter::new()
        .routes(routes!(boot::boot, cors::boot_preflight))
        .routes(routes!(ingest::events, cors::events_preflight))
        .merge(forms::router())
        .merge(preview::api::router())
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES));
    let (api, document) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(public)
        .merge(admin::router(&state))
        .merge(health::router())
        .routes(routes!(openapi::document))
        .split_for_parts();
    let console = console::router(&state);
    api.with_state(state)
        .layer(Extension(openapi::Document::of(&document)))
        .merge(console)
        .merge(assets::router(settings.widget_dir.as_deref()))
        .fallback(error::not_found)
        .layer(RequestBodyTimeoutLayer::new(Duration::from_secs(settings.body_timeout_secs.max(1))))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(SetResponseHeaderLayer::if_not_present(
            X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(
            // Failing requests are logged where they fail, once per interval when the
            // store cannot write: a line for each would fill the very disk that is full.
            TraceLayer::new_for_http().on_failure(
                tower_http::trace::DefaultOnFailure::new().level(tracing::Level::DEBUG),
            ),
        )
}

/// Opens the store, loads the configuration and serves on `listener` until `shutdown`
/// resolves, then finishes in-flight requests.
pub async fn serve(
    settings: Settings,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    let store = store::open(&settings.database).await?;
    let catalog = Arc::new(revisions::history::start(&store, settings.config.as_deref()).await?);
    let following = tokio::spawn(revisions::follow::run(Arc::clone(&store), Arc::clone(&catalog)));
    let people = Arc::new(profiles::cache::PersonCache::default());
    let due_steps = Arc::new(tokio::sync::Notify::new());
    let (writer, writing) =
        ingest::Writer::spawn(Arc::clone(&store), Arc::clone(&people), Arc::clone(&due_steps));
    let limits = Arc::new(ratelimit::Limits::new(&settings));
    let forgetting = tokio::spawn(forget_idle_clients(Arc::clone(&limits)));
    let decaying = tokio::spawn(lifecycle::decay::run(
        Arc::clone(&store),
        Arc::clone(&catalog),
        std::time::Duration::from_secs(settings.decay_interval_secs.max(1)),
    ));
    let wake = Arc::new(tokio::sync::Notify::new());
    let outbox = automation::outbox::Outbox::new(Arc::clone(&store), Arc::clone(&wake));
    let metrics = Arc::new(metrics::Metrics::default());
    let dispatcher = automation::dispatch::Dispatcher::spawn(
        Arc::clone(&store),
        Arc::clone(&catalog),
        automation::dispatch::DispatchPolicy::from_settings(&settings),
        wake,
        Arc::clone(&metrics),
    );
    let runner = automation::runner::Runner::spawn(
        Arc::clone(&store),
        Arc::clone(&catalog),
        Arc::clone(&people),
        outbox.clone(),
        Arc::clone(&metrics),
        due_steps,
    );
    let state = AppState::new(Services {
        store,
        writer,
        limits,
        catalog,
        people,
        admin_token: settings.admin_token.as_deref().map(Arc::from),
        accounts: accounts::Policy::from_settings(&settings),
        previews: preview::Previews::default(),
        outbox,
        webhook_allow_private: settings.webhook_allow_private,
        metrics,
    });
    // The stand-in hash unknown emails are checked against, made before the first
    // sign-in so that one takes no longer than the others.
    tokio::task::spawn_blocking(accounts::password::warm_up);
    let app = router(state, &settings);
    tracing::info!(listen = %listener.local_addr()?, ?settings, "collector listening");
    server::serve(listener, app, server::ConnectionLimits::from_settings(&settings), shutdown)
        .await;
    // Every request is answered and every handle to the writer dropped: let it finish
    // the last group commit before returning.
    forgetting.abort();
    following.abort();
    decaying.abort();
    runner.stop().await;
    dispatcher.stop().await;
    if writing.await.is_err() {
        tracing::error!("the event writer stopped abnormally");
    }
    tracing::info!("collector stopped");
    Ok(())
}

/// Drops rate-limit state of clients idle for a while, once a minute.
async fn forget_idle_clients(limits: Arc<ratelimit::Limits>) {
    let mut every_minute = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        every_minute.tick().await;
        limits.forget_idle();
    }
}

/// Resolves on SIGTERM or ctrl-c.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
