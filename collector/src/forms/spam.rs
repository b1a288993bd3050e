//! Spam defences of lead forms, each cheap and each counted when it refuses something:
//! a honeypot input people never see, a minimum time between the form being shown and
//! sent, known crawler and headless-browser user agents, and per-IP and per-form rate
//! limits ([`FormLimits`]). Addresses at disposable-mailbox domains are refused as a
//! field error (the visitor can fix it), from the list in
//! `data/disposable_email_domains.txt`.

use std::collections::HashSet;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::LazyLock;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Why a submission was refused as spam; the name is what reports count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spam {
    /// The honeypot input was filled.
    Honeypot,
    /// Sent sooner after being shown than the form's minimum fill time.
    TooFast,
    /// Sent by a known crawler or automated browser.
    Bot,
    /// Over the per-IP or per-form submission limit.
    RateLimited,
    /// An address at a disposable-mailbox domain.
    DisposableEmail,
}

impl Spam {
    pub fn as_str(self) -> &'static str {
        match self {
            Spam::Honeypot => "honeypot",
            Spam::TooFast => "too_fast",
            Spam::Bot => "bot",
            Spam::RateLimited => "rate_limited",
            Spam::DisposableEmail => "disposable_email",
        }
    }
}

/// Disposable-mailbox domains, lowercase.
static DISPOSABLE: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../data/disposable_email_domains.txt")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
});

/// Whether `email` (normalized) is at a disposable-mailbox domain or a subdomain of one.
pub fn is_disposable(email: &str) -> bool {
    let Some((_, mut domain)) = email.rsplit_once('@') else { return false };
    loop {
        if DISPOSABLE.contains(domain) {
            return true;
        }
        match domain.split_once('.') {
            Some((_, parent)) if parent.contains('.') => domain = parent,
            _ => return false,
        }
    }
}

/// Submission rate limits: per client IP and form, and per form.
pub struct FormLimits {
    per_ip: Option<DefaultKeyedRateLimiter<(IpAddr, String)>>,
    per_form: Option<DefaultKeyedRateLimiter<String>>,
}

impl FormLimits {
    /// `per_ip_per_minute` submissions of one form from one IP, `per_form_per_minute`
    /// of one form in all; 0 turns a limit off.
    pub fn new(per_ip_per_minute: u32, per_form_per_minute: u32) -> Self {
        let quota = |per_minute: u32| NonZeroU32::new(per_minute).map(Quota::per_minute);
        FormLimits {
            per_ip: quota(per_ip_per_minute).map(RateLimiter::keyed),
            per_form: quota(per_form_per_minute).map(RateLimiter::keyed),
        }
    }

    /// Counts one submission of `form` (site key and form id) from `ip`; false when
    /// over a limit.
    pub fn allow(&self, ip: IpAddr, site: &str, form: &str) -> bool {
        let key = [site, "/", form].concat();
        let ip_ok = self.per_ip.as_ref().is_none_or(|l| l.check_key(&(ip, key.clone())).is_ok());
        ip_ok && self.per_form.as_ref().is_none_or(|limiter| limiter.check_key(&key).is_ok())
    }

    /// Forgets idle keys; run periodically.
    pub fn forget_idle(&self) {
        if let Some(limiter) = &self.per_ip {
            limiter.retain_recent();
        }
        if let Some(limiter) = &self.per_form {
            limiter.retain_recent();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disposable_domains_and_their_subdomains_are_known() {
        assert!(is_disposable("x@mailinator.com"));
        assert!(is_disposable("x@eu.mailinator.com"));
        assert!(!is_disposable("ann@example.com"));
        assert!(!is_disposable("ann@gmail.com"));
        assert!(!is_disposable("no-at-sign"));
        assert!(DISPOSABLE.len() > 5000);
    }

    #[test]
    fn limits_count_per_ip_and_per_form() {
        let limits = FormLimits::new(2, 3);
        let one = IpAddr::from([10, 0, 0, 1]);
        let two = IpAddr::from([10, 0, 0, 2]);
        assert!(limits.allow(one, "pk", "demo"));
        assert!(limits.allow(one, "pk", "demo"));
        assert!(!limits.allow(one, "pk", "demo"), "third from one IP in a minute");
        assert!(limits.allow(one, "pk", "ebook"), "another form has its own budget");
        assert!(limits.allow(two, "pk", "demo"));
        assert!(!limits.allow(two, "pk", "demo") || !limits.allow(two, "pk", "demo"));
        let off = FormLimits::new(0, 0);
        assert!((0..100).all(|_| off.allow(one, "pk", "demo")));
    }
}
