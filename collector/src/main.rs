//! The `kindling-collector` binary: parse settings, install logging, bind, serve until
//! SIGTERM or ctrl-c. Everything else lives in the library so tests can drive it.

use clap::Parser;
use kindling_collector::{Settings, serve, shutdown_signal, telemetry};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let settings = Settings::parse();
    telemetry::init(settings.log_format);
    let listener = match tokio::net::TcpListener::bind(settings.listen).await {
        Ok(listener) => listener,
        Err(error) => {
            tracing::error!(listen = %settings.listen, %error, "cannot bind the listen address");
            return std::process::ExitCode::FAILURE;
        }
    };
    match serve(settings, listener, shutdown_signal()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "collector stopped");
            std::process::ExitCode::FAILURE
        }
    }
}
