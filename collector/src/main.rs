//! The `kindling-collector` binary: parse settings, install logging, bind, serve until
//! SIGTERM or ctrl-c; or, as `kindling-collector export …`, write a site's leads as CSV
//! or JSON; or, as `kindling-collector config …`, check, export or import the
//! configuration; or, as `kindling-collector user …`, add or list the admin's users.
//! Everything else lives in the library so tests can drive it.

use clap::Parser;
use kindling_collector::revisions::cli::{self, ConfigArgs};
use kindling_collector::{Settings, accounts, export, serve, shutdown_signal, telemetry};

/// mimalloc rather than the system's allocator: the request path and the group commit
/// allocate and free many small objects from several threads, where glibc's malloc
/// measured about a sixth of the collector's CPU under load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    if std::env::args().nth(1).as_deref() == Some("user") {
        let args = accounts::cli::UserArgs::parse_from(std::env::args().skip(1));
        return match accounts::cli::run(&args).await {
            Ok(report) => {
                println!("{report}");
                std::process::ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("user: {error}");
                std::process::ExitCode::FAILURE
            }
        };
    }
    if std::env::args().nth(1).as_deref() == Some("export") {
        let args = export::ExportArgs::parse_from(std::env::args().skip(1));
        return match export::run(&args).await {
            Ok(count) => {
                eprintln!("exported {count} leads");
                std::process::ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("export failed: {error}");
                std::process::ExitCode::FAILURE
            }
        };
    }
    if std::env::args().nth(1).as_deref() == Some("config") {
        let args = ConfigArgs::parse_from(std::env::args().skip(1));
        return match cli::run(args).await {
            Ok(done) => {
                eprintln!("{done}");
                std::process::ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("config: {error}");
                std::process::ExitCode::FAILURE
            }
        };
    }
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
