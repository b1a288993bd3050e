//! Cross-site request forgery: a browser sends the session cookie with any request to
//! the collector, whichever site's page made it. So a change (any method but GET and
//! HEAD) authenticated by the cookie is taken only when the browser says it comes from
//! the admin's own origin:
//!
//! - with `Sec-Fetch-Site` (every current browser sends it), only `same-origin`;
//! - without it, only an `Origin` whose host and port are the request's `Host`;
//! - with neither header, never.
//!
//! Requests with an API token are not checked: a page of another site cannot make a
//! browser send one. Signing in, which has no session yet, is refused only when the
//! headers show another site ([`not_cross_site`]), so scripts may sign in without them.

use axum::http::header::{HOST, ORIGIN};
use axum::http::{HeaderMap, HeaderValue, Method};

const FETCH_SITE: &str = "sec-fetch-site";

/// GET and HEAD read; every other method may change something.
pub fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD)
}

/// Whether the headers show the request was made by a page of the admin's own origin.
pub fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get(FETCH_SITE) {
        return site.as_bytes().eq_ignore_ascii_case(b"same-origin");
    }
    match (headers.get(ORIGIN), headers.get(HOST)) {
        (Some(origin), Some(host)) => origin_is_host(origin, host),
        _ => false,
    }
}

/// Whether the headers do not show another site: same-origin, typed by the user
/// (`Sec-Fetch-Site: none`), or sent by a script with neither header.
pub fn not_cross_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get(FETCH_SITE) {
        let site = site.as_bytes();
        return site.eq_ignore_ascii_case(b"same-origin") || site.eq_ignore_ascii_case(b"none");
    }
    match headers.get(ORIGIN) {
        Some(origin) => headers.get(HOST).is_some_and(|host| origin_is_host(origin, host)),
        None => true,
    }
}

/// Whether `origin`'s host and port are `host` (the port may be left out of either
/// where it is the scheme's default).
fn origin_is_host(origin: &HeaderValue, host: &HeaderValue) -> bool {
    let (Ok(origin), Ok(host)) = (origin.to_str(), host.to_str()) else { return false };
    let Ok(url) = url::Url::parse(origin) else { return false };
    let Some(name) = url.host_str() else { return false };
    let host = host.trim().to_ascii_lowercase();
    match url.port_or_known_default() {
        Some(port) => host == format!("{name}:{port}") || (url.port().is_none() && host == name),
        None => host == name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn changes_need_the_browser_to_vouch_for_the_origin() {
        let host = ("host", "admin.example.com:8080");
        assert!(same_origin(&headers(&[("sec-fetch-site", "same-origin")])));
        for site in ["same-site", "cross-site", "none"] {
            let sent = headers(&[
                ("sec-fetch-site", site),
                ("origin", "http://admin.example.com:8080"),
                host,
            ]);
            assert!(!same_origin(&sent), "{site} wins over a matching Origin");
        }
        assert!(same_origin(&headers(&[("origin", "http://admin.example.com:8080"), host])));
        assert!(!same_origin(&headers(&[("origin", "http://admin.example.com:8081"), host])));
        assert!(!same_origin(&headers(&[("origin", "https://evil.example"), host])));
        assert!(!same_origin(&headers(&[("origin", "null"), host])));
        assert!(!same_origin(&headers(&[host])), "neither header");
        let default_port = ("host", "admin.example.com");
        assert!(same_origin(&headers(&[("origin", "https://admin.example.com"), default_port])));
        let explicit = ("host", "admin.example.com:443");
        assert!(same_origin(&headers(&[("origin", "https://admin.example.com"), explicit])));
    }

    #[test]
    fn sign_in_is_refused_only_from_another_site() {
        assert!(not_cross_site(&HeaderMap::new()), "a script");
        assert!(not_cross_site(&headers(&[("sec-fetch-site", "none")])));
        assert!(!not_cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(!not_cross_site(&headers(&[
            ("origin", "https://evil.example"),
            ("host", "a.example")
        ])));
        assert!(is_safe(&Method::GET) && is_safe(&Method::HEAD) && !is_safe(&Method::OPTIONS));
    }
}
