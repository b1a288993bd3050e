//! Rate limits on the public API: per client IP and per site, each a token bucket
//! (GCRA, `governor`), and the lead forms' own submission limits. Over the limit a request gets 429 with `Retry-After`.
//!
//! The client IP is the TCP peer's address. Behind a reverse proxy every request
//! would share the proxy's address, so `--trust-forwarded-for` makes the collector
//! read the last address of `X-Forwarded-For` (the one the proxy added) instead;
//! without that flag the header is ignored, since any client can send it.
//! Addresses are used only here, in memory: none is stored.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

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
                .map_err(|wait| self.refusal(wait.wait_time_from(self.clock.now())))?;
        }
        if let Some(limiter) = &self.per_site
            && let Err(wait) = limiter.check_key(&site.to_owned())
        {
            return Err(self.refusal(wait.wait_time_from(self.clock.now())));
        }
        Ok(())
    }

    /// Forgets idle keys so the maps do not grow without bound; run periodically.
    pub fn forget_idle(&self) {
        self.submissions.forget_idle();
        if let Some(limiter) = &self.per_ip {
            limiter.retain_recent();
        }
        if let Some(limiter) = &self.per_site {
            limiter.retain_recent();
        }
    }

    fn refusal(&self, wait: Duration) -> ApiError {
        ApiError::RateLimited {
            retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
        }
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
