//! The rules of sessions and sign-in, as the settings give them: how long a session
//! lasts unused and at most, how often its last use is noted, when a cookie is
//! `Secure`, how long a lock after too many wrong passwords lasts.

use crate::settings::Settings;

/// Wrong passwords in a row that lock an account.
pub const LOCK_AFTER_FAILURES: i64 = 10;

/// The longest a session's or token's last use goes unnoted: reads are not writes.
pub const TOUCH_EVERY_MS: i64 = 60_000;

/// Sessions and sign-in, from the settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// A session unused this long has ended.
    pub idle_ms: i64,
    /// A session this old has ended, however much it is used.
    pub max_age_ms: i64,
    /// How long an account stays locked.
    pub lock_ms: i64,
    /// Every session cookie is `Secure`.
    pub secure_cookies: bool,
    /// `X-Forwarded-Proto: https` makes a cookie `Secure` (behind a trusted proxy).
    pub trust_forwarded_proto: bool,
}

impl Policy {
    pub fn from_settings(settings: &Settings) -> Policy {
        let ms = |secs: u64| i64::try_from(secs.saturating_mul(1000)).unwrap_or(i64::MAX);
        Policy {
            idle_ms: ms(settings.admin_session_idle_secs.max(1)),
            max_age_ms: ms(settings.admin_session_max_secs.max(1)),
            lock_ms: ms(settings.login_lock_secs),
            secure_cookies: settings.admin_secure_cookies,
            trust_forwarded_proto: settings.trust_forwarded_for,
        }
    }

    /// How often a session's last use is noted: once a minute, or a quarter of the idle
    /// time when that is shorter, so a session in use never looks idle.
    pub fn touch_every_ms(&self) -> i64 {
        (self.idle_ms / 4).clamp(1, TOUCH_EVERY_MS)
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy::from_settings(&Settings::new("sqlite://kindling.db"))
    }
}
