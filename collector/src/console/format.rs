//! Stored values as the console shows them: times in UTC, dates of date inputs, trait
//! values, query strings and path segments, and URLs — which visitors control — as
//! text, linked only when they are `http(s)` URLs, and then with
//! `rel="noopener noreferrer nofollow"`. Markup made here escapes like any other.

use kindling_core::wire::PropValue;
use maud::{Markup, html};
use time::{Date, Month, OffsetDateTime, Time};

/// Milliseconds in a day.
pub const DAY_MS: i64 = 86_400_000;

fn utc(ms: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()
}

/// `2025-11-24 16:00 UTC`; a dash for 0 (never).
pub fn time(ms: i64) -> String {
    match utc(ms).filter(|_| ms > 0) {
        Some(at) => format!(
            "{:04}-{:02}-{:02} {:02}:{:02} UTC",
            at.year(),
            u8::from(at.month()),
            at.day(),
            at.hour(),
            at.minute()
        ),
        None => "—".to_owned(),
    }
}

/// The `datetime` attribute of a `<time>`: `2025-11-24T16:00:00Z`.
pub fn machine_time(ms: i64) -> String {
    utc(ms)
        .and_then(|at| at.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

/// A `<time>` element for `ms`.
pub fn when(ms: i64) -> Markup {
    html! { time datetime=(machine_time(ms)) { (time(ms)) } }
}

/// The start (UTC) of the day `text` names as `YYYY-MM-DD`, in Unix milliseconds.
pub fn parse_day(text: &str) -> Option<i64> {
    let mut parts = text.splitn(3, '-');
    let year = parts.next()?.parse().ok()?;
    let month = Month::try_from(parts.next()?.parse::<u8>().ok()?).ok()?;
    let day = parts.next()?.parse().ok()?;
    let date = Date::from_calendar_date(year, month, day).ok()?;
    let start = date.with_time(Time::MIDNIGHT).assume_utc();
    i64::try_from(start.unix_timestamp_nanos() / 1_000_000).ok()
}

/// A trait's value as text.
pub fn prop(value: &PropValue) -> String {
    match value {
        PropValue::Text(text) => text.clone(),
        PropValue::Number(number) => number.to_string(),
        PropValue::Bool(flag) => flag.to_string(),
    }
}

/// `url` parsed, when it is an absolute `http:` or `https:` URL, the only kind linked.
pub fn web_url(url: &str) -> Option<url::Url> {
    url::Url::parse(url).ok().filter(|parsed| matches!(parsed.scheme(), "http" | "https"))
}

/// `url` as a link out when it is a web URL (to its parsed form, so the browser
/// cannot read another scheme into it), else as text; shown as given either way.
pub fn url(url: &str) -> Markup {
    html! {
        @if let Some(parsed) = web_url(url) {
            a.url href=(parsed.as_str()) rel="noopener noreferrer nofollow" { (url) }
        } @else {
            span.url { (url) }
        }
    }
}

/// `pairs` as a query string (`a=1&b=x%20y`), leaving out empty values.
pub fn query<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        if !value.is_empty() {
            out.append_pair(name, value);
        }
    }
    out.finish()
}

/// `text` as one path segment: unreserved characters kept, every other byte
/// percent-encoded.
pub fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The path of person `id`'s page (and of its actions, after it) on `site`.
pub fn person_path(id: &str, action: &str, site: &str) -> String {
    let action = if action.is_empty() { String::new() } else { ["/", action].concat() };
    format!("/admin/leads/{}{action}?{}", segment(id), query([("site", site)]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_urls_are_links() {
        for bad in [
            "javascript:alert(1)",
            " javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html,x",
            "//evil.example/",
            "/relative",
            "vbscript:x",
        ] {
            assert!(web_url(bad).is_none(), "{bad}");
            assert!(!url(bad).into_string().contains("href"), "{bad}");
        }
        let link = url("https://example.com/?a=\"><script>").into_string();
        assert!(link.contains(r#"rel="noopener noreferrer nofollow""#), "{link}");
        assert!(!link.contains("<script>") && link.contains("&quot;&gt;&lt;script&gt;"), "{link}");
    }

    #[test]
    fn days_times_and_paths() {
        assert_eq!(parse_day("2025-11-24"), Some(1_763_942_400_000));
        assert_eq!(parse_day("2025-13-01"), None);
        assert_eq!(parse_day("yesterday"), None);
        assert_eq!(time(1_764_000_000_000), "2025-11-24 16:00 UTC");
        assert_eq!(time(0), "—");
        assert_eq!(segment("a b/c?d"), "a%20b%2Fc%3Fd");
        assert_eq!(person_path("p 1", "erase", "pk&x"), "/admin/leads/p%201/erase?site=pk%26x");
        assert_eq!(query([("a", "1"), ("b", ""), ("c", "x y")]), "a=1&c=x+y");
    }
}
