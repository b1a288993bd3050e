//! Rate limits on the public API: per client IP and per site, each a token bucket
//! (GCRA, `governor`), and the lead forms' own submission limits; the admin sign-in
//! attempts per client IP ([`Limits::check_login`]); and the wrong admin or API tokens
//! one client IP may try ([`TokenFailures`]). Over the limit a request gets 429 with
//! `Retry-After`.
//!
//! The client IP is the TCP peer's address. Behind a reverse proxy every request
//! would share the proxy's address, so `--trust-forwarded-for` makes the collector
//! read the last address of `X-Forwarded-For` (the one the proxy added) instead;
//! without that flag the header is ignored, since any client can send it.
//! Addresses are used only here, in memory: none is stored.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::http::request::Parts;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::ApiError;
use crate::forms::spam::FormLimits;
use crate::settings::Settings;

/// The limiters of one collector process.
pub struct Limits {
    /// Lead form submissions, per IP and form and per form.
    pub submissions: FormLimits,
    /// Wrong admin and API tokens, per IP.
    pub admin_tokens: TokenFailures,
    /// Sign-in attempts, per IP.
    logins: Option<DefaultKeyedRateLimiter<IpAddr>>,
    per_ip: Option<DefaultKeyedRateLimiter<IpAddr>>,
    per_site: Option<DefaultKeyedRateLimiter<String>>,
    trust_forwarded_for: bool,
    clock: DefaultClock,
}

impl Limits {
    /// Limiters from the settings; a rate of 0 turns a limit off.
    pub fn new(settings: &Settings) -> Self {
        Limits {
            submissions: FormLimits::new(
                settings.form_rate_limit_ip,
                settings.form_rate_limit_form,
            ),
            admin_tokens: TokenFailures::new(settings.admin_token_failures),
            logins: NonZeroU32::new(settings.login_attempts_ip)
                .map(|n| RateLimiter::keyed(Quota::per_minute(n))),
            per_ip: quota(settings.rate_limit_ip).map(RateLimiter::keyed),
            per_site: quota(settings.rate_limit_site).map(RateLimiter::keyed),
            trust_forwarded_for: settings.trust_forwarded_for,
            clock: DefaultClock::default(),
        }
    }

    /// Counts one request from `ip` for `site`; fails when either is over its limit.
    pub fn check(&self, ip: IpAddr, site: &str) -> Result<(), ApiError> {
        if let Some(limiter) = &self.per_ip {
            limiter
                .check_key(&ip)
                .map_err(|wait| rate_limited(wait.wait_time_from(self.clock.now())))?;
        }
        if let Some(limiter) = &self.per_site
            && let Err(wait) = limiter.check_key(&site.to_owned())
        {
            return Err(rate_limited(wait.wait_time_from(self.clock.now())));
        }
        Ok(())
    }

    /// Counts one sign-in attempt from `ip`; fails when it is one too many.
    pub fn check_login(&self, ip: IpAddr) -> Result<(), ApiError> {
        match &self.logins {
            Some(limiter) => limiter
                .check_key(&ip)
                .map_err(|wait| rate_limited(wait.wait_time_from(self.clock.now()))),
            None => Ok(()),
        }
    }

    /// Forgets idle keys so the maps do not grow without bound; run periodically.
    pub fn forget_idle(&self) {
        self.submissions.forget_idle();
        self.admin_tokens.forget_idle();
        if let Some(limiter) = &self.per_ip {
            limiter.retain_recent();
        }
        if let Some(limiter) = &self.per_site {
            limiter.retain_recent();
        }
        if let Some(limiter) = &self.logins {
            limiter.retain_recent();
        }
    }

    /// Whether the client's IP and protocol are read from the proxy's headers.
    pub fn trusts_forwarded(&self) -> bool {
        self.trust_forwarded_for
    }
}

/// The 429 for a client that may retry after `wait` (whole seconds, rounded up).
fn rate_limited(wait: Duration) -> ApiError {
    ApiError::RateLimited { retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0) }
}

/// Wrong admin tokens per client IP: `per_minute` of them in a burst, then one more
/// each `60 / per_minute` seconds. An IP over that is refused (429) until it may try
/// again, before its token is even compared, so a right guess cannot be told from a
/// wrong one while refused.
pub struct TokenFailures {
    failures: Option<DefaultKeyedRateLimiter<IpAddr>>,
    refused_until: Mutex<HashMap<IpAddr, Instant>>,
    clock: DefaultClock,
}

impl TokenFailures {
    /// `per_minute` wrong tokens per IP; 0 turns the limit off.
    pub fn new(per_minute: u32) -> Self {
        TokenFailures {
            failures: NonZeroU32::new(per_minute).map(|n| RateLimiter::keyed(Quota::per_minute(n))),
            refused_until: Mutex::new(HashMap::new()),
            clock: DefaultClock::default(),
        }
    }

    /// The 429 for `ip` while it is refused.
    pub fn refusal(&self, ip: IpAddr) -> Option<ApiError> {
        let until = *self.refused().get(&ip)?;
        let wait = until.checked_duration_since(Instant::now())?;
        Some(rate_limited(wait))
    }

    /// Counts one wrong token from `ip`; the 429 when that is one too many.
    pub fn failed(&self, ip: IpAddr) -> Option<ApiError> {
        let Err(over) = self.failures.as_ref()?.check_key(&ip) else { return None };
        let wait = over.wait_time_from(self.clock.now());
        self.refused().insert(ip, Instant::now() + wait);
        Some(rate_limited(wait))
    }

    /// Forgets IPs whose refusal is over and idle counts; run periodically.
    pub fn forget_idle(&self) {
        let now = Instant::now();
        self.refused().retain(|_, until| *until > now);
        if let Some(limiter) = &self.failures {
            limiter.retain_recent();
        }
    }

    fn refused(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, Instant>> {
        // The map holds plain instants: one left by a panicking thread is still valid.
        self.refused_until.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// `per_second` with a burst of twice that; none for 0.
fn quota(per_second: u32) -> Option<Quota> {
    let rate = NonZeroU32::new(per_second)?;
    Some(
        Quota::per_second(rate).allow_burst(rate.saturating_mul(NonZeroU32::MIN.saturating_add(1))),
    )
}

/// The client's IP address, as [`Limits`] is told to read it.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl<S> FromRequestParts<S> for ClientIp
where
    Arc<Limits>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if Arc::<Limits>::from_ref(state).trust_forwarded_for {
            let forwarded = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|value| value.to_str().ok())
                .flat_map(|value| value.split(','))
                .filter_map(|entry| entry.trim().parse::<IpAddr>().ok())
                .next_back();
            if let Some(ip) = forwarded {
                return Ok(ClientIp(ip));
            }
        }
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip());
        Ok(ClientIp(peer.unwrap_or(IpAddr::from([0, 0, 0, 0]))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_tokens_past_the_budget_refuse_the_ip_for_a_while() {
        let failures = TokenFailures::new(3);
        let (one, two) = (IpAddr::from([10, 0, 0, 1]), IpAddr::from([10, 0, 0, 2]));
        for _ in 0..3 {
            assert!(failures.refusal(one).is_none());
            assert!(failures.failed(one).is_none(), "within the budget");
        }
        let Some(ApiError::RateLimited { retry_after_secs }) = failures.failed(one) else {
            panic!("the fourth wrong token in a minute is refused");
        };
        assert!((1..=20).contains(&retry_after_secs), "{retry_after_secs}");
        assert!(matches!(failures.refusal(one), Some(ApiError::RateLimited { .. })));
        assert!(failures.refusal(two).is_none(), "another IP has its own budget");
        failures.forget_idle();
        assert!(failures.refusal(one).is_some(), "still refused after a clean-up");

        let off = TokenFailures::new(0);
        assert!((0..100).all(|_| off.failed(one).is_none() && off.refusal(one).is_none()));
    }
}
