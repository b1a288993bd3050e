//! Settings of the collector: command-line flags, each also read from a `KINDLING_*`
//! environment variable. Tests build the struct directly and never touch the process
//! environment.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, ValueEnum};

/// How the collector runs. Every flag has an environment variable of the same name.
#[derive(Clone, Parser)]
#[command(name = "kindling-collector", version, about = "Kindling's collector")]
pub struct Settings {
    /// Address to listen on.
    #[arg(long, env = "KINDLING_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Database URL; the scheme picks the backend. `sqlite://PATH` (created if missing).
    #[arg(long, env = "KINDLING_DATABASE", default_value = "sqlite://kindling.db")]
    pub database: String,

    /// The configuration file (YAML): sites, their allowed origins and content blocks.
    #[arg(long, env = "KINDLING_CONFIG")]
    pub config: Option<PathBuf>,

    /// Folder with the built widget bundle (`cargo xtask bundle`): `kindling.js` and `w/`.
    #[arg(long, env = "KINDLING_WIDGET_DIR")]
    pub widget_dir: Option<PathBuf>,

    /// Deprecated: a bearer token for the admin API that acts as an owner. Create users
    /// (`kindling-collector user add`) and their API tokens instead.
    #[arg(long, env = "KINDLING_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,

    /// Seconds an admin session may go unused before it ends (8 hours).
    #[arg(long, env = "KINDLING_ADMIN_SESSION_IDLE_SECS", default_value_t = 28_800)]
    pub admin_session_idle_secs: u64,

    /// Seconds an admin session lasts at most, however much it is used (7 days).
    #[arg(long, env = "KINDLING_ADMIN_SESSION_MAX_SECS", default_value_t = 604_800)]
    pub admin_session_max_secs: u64,

    /// Mark the admin session cookie `Secure` on every answer, for a collector served
    /// over https (behind a proxy, `--trust-forwarded-for` with `X-Forwarded-Proto: https`
    /// does it per request).
    #[arg(long, env = "KINDLING_ADMIN_SECURE_COOKIES")]
    pub admin_secure_cookies: bool,

    /// Sign-in attempts one client IP may make per minute; past that it gets 429.
    /// 0 turns the limit off.
    #[arg(long, env = "KINDLING_LOGIN_ATTEMPTS_IP", default_value_t = 30)]
    pub login_attempts_ip: u32,

    /// Seconds an account stays locked after 10 wrong passwords in a row (15 minutes).
    #[arg(long, env = "KINDLING_LOGIN_LOCK_SECS", default_value_t = 900)]
    pub login_lock_secs: u64,

    /// Wrong admin tokens one client IP may send per minute; past that it is refused
    /// (429) for a while, whatever token it sends. 0 turns the limit off.
    #[arg(long, env = "KINDLING_ADMIN_TOKEN_FAILURES", default_value_t = 10)]
    pub admin_token_failures: u32,

    /// Requests per second one client IP may make to the public API (burst: twice
    /// that). 0 turns the limit off.
    #[arg(long, env = "KINDLING_RATE_LIMIT_IP", default_value_t = 30)]
    pub rate_limit_ip: u32,

    /// Requests per second one site may receive on the public API (burst: twice
    /// that). 0 turns the limit off.
    #[arg(long, env = "KINDLING_RATE_LIMIT_SITE", default_value_t = 2000)]
    pub rate_limit_site: u32,

    /// Submissions of one lead form one client IP may send per minute. 0 turns the
    /// limit off.
    #[arg(long, env = "KINDLING_FORM_RATE_LIMIT_IP", default_value_t = 10)]
    pub form_rate_limit_ip: u32,

    /// Submissions one lead form may receive per minute from everyone. 0 turns the
    /// limit off.
    #[arg(long, env = "KINDLING_FORM_RATE_LIMIT_FORM", default_value_t = 600)]
    pub form_rate_limit_form: u32,

    /// Take the client IP from the last `X-Forwarded-For` entry: set it only behind a
    /// reverse proxy that adds that header.
    #[arg(long, env = "KINDLING_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,

    /// Deliver webhooks to loopback and private addresses too (for installations that
    /// deliver inside their own network, and tests). Off: only public addresses.
    #[arg(long, env = "KINDLING_WEBHOOK_ALLOW_PRIVATE")]
    pub webhook_allow_private: bool,

    /// The first webhook retry's longest delay, in milliseconds; each retry doubles it
    /// (up to an hour), with full jitter.
    #[arg(long, env = "KINDLING_WEBHOOK_RETRY_BASE_MS", default_value_t = 1000)]
    pub webhook_retry_base_ms: u64,

    /// How long after its creation a webhook is retried before it is dead-lettered, in
    /// seconds.
    #[arg(long, env = "KINDLING_WEBHOOK_RETRY_WINDOW_SECS", default_value_t = 86_400)]
    pub webhook_retry_window_secs: u64,

    /// Seconds between two passes of the inactivity decay.
    #[arg(long, env = "KINDLING_DECAY_INTERVAL_SECS", default_value_t = 300)]
    pub decay_interval_secs: u64,

    /// Most client connections open at once; further clients wait in the listen
    /// backlog until one closes.
    #[arg(long, env = "KINDLING_MAX_CONNECTIONS", default_value_t = 8192)]
    pub max_connections: usize,

    /// Seconds a client has to send a request's headers, and that an idle keep-alive
    /// connection stays open waiting for the next request.
    #[arg(long, env = "KINDLING_HEADER_TIMEOUT_SECS", default_value_t = 15)]
    pub header_timeout_secs: u64,

    /// Seconds a client has to send a request's body once its headers are in.
    #[arg(long, env = "KINDLING_BODY_TIMEOUT_SECS", default_value_t = 15)]
    pub body_timeout_secs: u64,

    /// Log output: human-readable `text` or one JSON object per line.
    #[arg(long, env = "KINDLING_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

/// Shape of the log output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

impl Settings {
    /// Settings for a collector on `database` with everything else at its default:
    /// the starting point for tests and embedders.
    pub fn new(database: impl Into<String>) -> Self {
        Settings {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database: database.into(),
            config: None,
            widget_dir: None,
            admin_token: None,
            admin_session_idle_secs: 28_800,
            admin_session_max_secs: 604_800,
            admin_secure_cookies: false,
            login_attempts_ip: 30,
            login_lock_secs: 900,
            admin_token_failures: 10,
            rate_limit_ip: 30,
            rate_limit_site: 2000,
            form_rate_limit_ip: 10,
            form_rate_limit_form: 600,
            trust_forwarded_for: false,
            webhook_allow_private: false,
            webhook_retry_base_ms: 1000,
            webhook_retry_window_secs: 86_400,
            decay_interval_secs: 300,
            max_connections: 8192,
            header_timeout_secs: 15,
            body_timeout_secs: 15,
            log_format: LogFormat::Text,
        }
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("listen", &self.listen)
            .field("database", &redact_password(&self.database))
            .field("config", &self.config)
            .field("widget_dir", &self.widget_dir)
            .field("admin_token", &self.admin_token.as_ref().map(|_| "<redacted>"))
            .field("admin_token_failures", &self.admin_token_failures)
            .field("admin_session_idle_secs", &self.admin_session_idle_secs)
            .field("admin_session_max_secs", &self.admin_session_max_secs)
            .field("admin_secure_cookies", &self.admin_secure_cookies)
            .field("login_attempts_ip", &self.login_attempts_ip)
            .field("login_lock_secs", &self.login_lock_secs)
            .field("rate_limit_ip", &self.rate_limit_ip)
            .field("rate_limit_site", &self.rate_limit_site)
            .field("form_rate_limit_ip", &self.form_rate_limit_ip)
            .field("form_rate_limit_form", &self.form_rate_limit_form)
            .field("trust_forwarded_for", &self.trust_forwarded_for)
            .field("webhook_allow_private", &self.webhook_allow_private)
            .field("webhook_retry_base_ms", &self.webhook_retry_base_ms)
            .field("webhook_retry_window_secs", &self.webhook_retry_window_secs)
            .field("decay_interval_secs", &self.decay_interval_secs)
            .field("max_connections", &self.max_connections)
            .field("header_timeout_secs", &self.header_timeout_secs)
            .field("body_timeout_secs", &self.body_timeout_secs)
            .field("log_format", &self.log_format)
            .finish()
    }
}

/// `scheme://user:secret@host/db` → `scheme://user:<redacted>@host/db`.
fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((credentials, host)) => match credentials.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:<redacted>@{host}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_secrets() {
        let mut settings = Settings::new("postgres://kindling:hunter2@db/kindling");
        settings.admin_token = Some("s3cret".into());
        let shown = format!("{settings:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("postgres://kindling:<redacted>@db/kindling"), "{shown}");
    }

    #[test]
    fn flags_parse_with_defaults() {
        let settings = Settings::try_parse_from(["kindling-collector", "--log-format", "json"])
            .expect("parses");
        assert_eq!(settings.log_format, LogFormat::Json);
        assert_eq!(settings.listen.port(), 8080);
    }
}
