//! Attribution: campaign parameters (`utm_*`) and ad-network click ids read from a
//! page URL, plus the small URL helpers that needs (host extraction, percent-decoding).
//!
//! The widget reads the landing page's URL once per session; the collector reads the
//! same fields from the URL it receives, so both agree on what a visit came from.
//! [`crate::channel`] turns the result into one marketing channel.
//!
//! Values are percent-decoded, trimmed, capped at [`MAX_VALUE_LEN`] bytes and empty
//! ones are dropped. `utm_source` and `utm_medium` are ASCII-lowercased (they are
//! compared against known names; ASCII keeps Unicode case tables out of the widget).

use alloc::string::String;
use alloc::vec::Vec;

/// Longest kept parameter value, in bytes (cut on a character boundary).
pub const MAX_VALUE_LEN: usize = 256;

/// The five standard campaign parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Utm {
    pub source: Option<String>,
    pub medium: Option<String>,
    pub campaign: Option<String>,
    pub term: Option<String>,
    pub content: Option<String>,
}

impl Utm {
    /// True when no campaign parameter is set.
    pub fn is_empty(&self) -> bool {
        self.source.is_none()
            && self.medium.is_none()
            && self.campaign.is_none()
            && self.term.is_none()
            && self.content.is_none()
    }
}

/// An ad network's click id (`gclid`, `fbclid`, ...) and the network it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClickId {
    pub network: AdNetwork,
    pub value: String,
}

/// The ad networks whose click ids are recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdNetwork {
    Google,
    Microsoft,
    Meta,
    LinkedIn,
    TikTok,
    Twitter,
}

impl AdNetwork {
    /// Stable lowercase name: `"google"`, `"microsoft"`, `"meta"`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            AdNetwork::Google => "google",
            AdNetwork::Microsoft => "microsoft",
            AdNetwork::Meta => "meta",
            AdNetwork::LinkedIn => "linkedin",
            AdNetwork::TikTok => "tiktok",
            AdNetwork::Twitter => "twitter",
        }
    }

    /// The network a click-id parameter name (already lowercase) belongs to.
    fn from_param(name: &str) -> Option<Self> {
        Some(match name {
            "gclid" | "gbraid" | "wbraid" | "dclid" => AdNetwork::Google,
            "msclkid" => AdNetwork::Microsoft,
            "fbclid" => AdNetwork::Meta,
            "li_fat_id" => AdNetwork::LinkedIn,
            "ttclid" => AdNetwork::TikTok,
            "twclid" => AdNetwork::Twitter,
            _ => return None,
        })
    }
}

/// Everything a landing URL says about where the visit came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attribution {
    pub utm: Utm,
    pub click_id: Option<ClickId>,
}

impl Attribution {
    /// True when the URL carried neither campaign parameters nor a click id.
    pub fn is_empty(&self) -> bool {
        self.utm.is_empty() && self.click_id.is_none()
    }
}

/// Reads `utm_source`, `utm_medium`, `utm_campaign`, `utm_term`, `utm_content`
/// (parameter names case-insensitive) and the first click id from the URL's query
/// string; the `#fragment` is ignored. When a parameter repeats, its first non-empty
/// value wins.
pub fn from_url(url: &str) -> Attribution {
    let without_fragment = url.split_once('#').map_or(url, |(before, _)| before);
    let Some((_, query)) = without_fragment.split_once('?') else {
        return Attribution::default();
    };
    let mut attribution = Attribution::default();
    for pair in query.split('&') {
        let (raw_name, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = percent_decode(raw_name).to_ascii_lowercase();
        let Some(value) = clean_value(raw_value) else {
            continue;
        };
        let utm = &mut attribution.utm;
        let slot = match name.as_str() {
            "utm_source" => &mut utm.source,
            "utm_medium" => &mut utm.medium,
            "utm_campaign" => &mut utm.campaign,
            "utm_term" => &mut utm.term,
            "utm_content" => &mut utm.content,
            _ => {
                if attribution.click_id.is_none() {
                    attribution.click_id =
                        AdNetwork::from_param(&name).map(|network| ClickId { network, value });
                }
                continue;
            }
        };
        if slot.is_none() {
            *slot = Some(value);
        }
    }
    let utm = &mut attribution.utm;
    for lowercased in [&mut utm.source, &mut utm.medium].into_iter().flatten() {
        lowercased.make_ascii_lowercase();
    }
    attribution
}

/// A decoded, trimmed, length-capped parameter value; `None` when empty.
fn clean_value(raw: &str) -> Option<String> {
    let decoded = percent_decode(raw);
    let trimmed = truncate_on_char_boundary(decoded.trim(), MAX_VALUE_LEN);
    (!trimmed.is_empty()).then(|| String::from(trimmed))
}

/// The longest prefix of `text` of at most `max_len` bytes that ends on a char boundary.
fn truncate_on_char_boundary(text: &str, max_len: usize) -> &str {
    let mut end = text.len().min(max_len);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default()
}

/// Lowercased host of an absolute `http(s)` URL, without port or userinfo:
/// `"https://User@WWW.Google.com:443/x?y"` → `"www.google.com"`. `None` for relative
/// or non-http URLs. A trailing dot (`example.com.`) is dropped; IPv6 hosts keep
/// their brackets.
pub fn host_of(url: &str) -> Option<String> {
    let rest = strip_prefix_ignore_case(url, "https://")
        .or_else(|| strip_prefix_ignore_case(url, "http://"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_and_port = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    let host = if host_and_port.starts_with('[') {
        host_and_port.split_once(']').map(|(ipv6, _)| ipv6)?
    } else {
        host_and_port.split_once(':').map_or(host_and_port, |(host, _)| host)
    };
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.is_empty() {
        return None;
    }
    let mut out = String::from(host);
    if out.starts_with('[') {
        out.push(']');
    }
    out.make_ascii_lowercase();
    Some(out)
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| text.get(prefix.len()..)).flatten()
}

/// Percent-decoding as in form-encoded query strings: `+` is a space, `%XX` is a byte.
/// Invalid escapes are kept literally; invalid UTF-8 is replaced lossily (U+FFFD).
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        let escaped = match (byte, bytes.get(index + 1), bytes.get(index + 2)) {
            (b'%', Some(&high), Some(&low)) => hex_value(high).zip(hex_value(low)),
            _ => None,
        };
        match (byte, escaped) {
            (_, Some((high, low))) => {
                out.push((high << 4) | low);
                index += 3;
                continue;
            }
            (b'+', None) => out.push(b' '),
            (other, None) => out.push(other),
        }
        index += 1;
    }
    match String::from_utf8(out) {
        Ok(decoded) => decoded,
        Err(error) => String::from_utf8_lossy(error.as_bytes()).into_owned(),
    }
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    fn some(text: &str) -> Option<String> {
        Some(text.to_string())
    }

    #[test]
    fn reads_all_utm_parameters() {
        let attribution = from_url(
            "https://example.com/landing?utm_source=Google&utm_medium=CPC&utm_campaign=Spring+Sale\
             &utm_term=red%20shoes&utm_content=Banner_A",
        );
        assert_eq!(
            attribution.utm,
            Utm {
                source: some("google"),
                medium: some("cpc"),
                campaign: some("Spring Sale"),
                term: some("red shoes"),
                content: some("Banner_A"),
            }
        );
        assert_eq!(attribution.click_id, None);
        assert!(!attribution.is_empty());
    }

    #[test]
    fn parameter_names_are_case_insensitive_and_first_value_wins() {
        let attribution =
            from_url("https://x.test/?UTM_Source=Newsletter&utm_source=other&Utm_Medium=Email");
        assert_eq!(attribution.utm.source, some("newsletter"));
        assert_eq!(attribution.utm.medium, some("email"));
    }

    #[test]
    fn empty_and_blank_values_are_ignored() {
        let attribution = from_url("https://x.test/?utm_source=&utm_medium=+%20+&utm_campaign");
        assert!(attribution.is_empty(), "{attribution:?}");
        let attribution = from_url("https://x.test/?utm_source=&utm_source=bing");
        assert_eq!(attribution.utm.source, some("bing"));
    }

    #[test]
    fn values_are_trimmed_and_only_source_and_medium_lowercased() {
        let attribution =
            from_url("https://x.test/?utm_source=+LinkedIn+&utm_campaign=%20Q3%20Launch%20");
        assert_eq!(attribution.utm.source, some("linkedin"));
        assert_eq!(attribution.utm.campaign, some("Q3 Launch"));
    }

    #[test]
    fn fragment_is_ignored() {
        let attribution = from_url("https://x.test/page?utm_source=a#utm_medium=b&gclid=c");
        assert_eq!(attribution.utm.source, some("a"));
        assert_eq!(attribution.utm.medium, None);
        assert_eq!(attribution.click_id, None);
        assert!(from_url("https://x.test/#?utm_source=a").is_empty());
    }

    #[test]
    fn urls_without_query_are_empty() {
        for url in ["", "https://x.test/", "/relative/path", "https://x.test/?", "?&&="] {
            assert!(from_url(url).is_empty(), "{url}");
        }
    }

    #[test]
    fn relative_urls_with_query_are_read() {
        let attribution = from_url("/pricing?utm_medium=social");
        assert_eq!(attribution.utm.medium, some("social"));
    }

    #[test]
    fn values_are_truncated_on_a_char_boundary() {
        let long = "a".repeat(300);
        let attribution = from_url(&std::format!("https://x.test/?utm_campaign={long}"));
        assert_eq!(attribution.utm.campaign.map(|value| value.len()), Some(MAX_VALUE_LEN));

        // 255 ASCII bytes then a 2-byte "é": the "é" would straddle byte 256.
        let straddling = std::format!("{}%C3%A9", "a".repeat(255));
        let attribution = from_url(&std::format!("https://x.test/?utm_term={straddling}"));
        assert_eq!(attribution.utm.term, Some("a".repeat(255)));
    }

    #[test]
    fn recognises_every_click_id() {
        for (param, network) in [
            ("gclid", AdNetwork::Google),
            ("gbraid", AdNetwork::Google),
            ("wbraid", AdNetwork::Google),
            ("dclid", AdNetwork::Google),
            ("msclkid", AdNetwork::Microsoft),
            ("fbclid", AdNetwork::Meta),
            ("li_fat_id", AdNetwork::LinkedIn),
            ("ttclid", AdNetwork::TikTok),
            ("twclid", AdNetwork::Twitter),
        ] {
            let attribution = from_url(&std::format!("https://x.test/?{param}=Abc-123_x"));
            assert_eq!(
                attribution.click_id,
                Some(ClickId { network, value: "Abc-123_x".to_string() }),
                "{param}"
            );
            assert!(attribution.utm.is_empty());
        }
    }

    #[test]
    fn first_non_empty_click_id_wins_and_names_are_case_insensitive() {
        let attribution = from_url("https://x.test/?gclid=&FBCLID=meta1&gclid=google1");
        assert_eq!(
            attribution.click_id,
            Some(ClickId { network: AdNetwork::Meta, value: "meta1".to_string() })
        );
    }

    #[test]
    fn click_id_and_utm_together() {
        let attribution = from_url("https://x.test/?utm_source=google&utm_medium=cpc&gclid=xyz");
        assert_eq!(attribution.utm.source, some("google"));
        assert_eq!(attribution.click_id.map(|id| id.network), Some(AdNetwork::Google));
    }

    #[test]
    fn unrelated_parameters_are_ignored() {
        assert!(from_url("https://x.test/?q=shoes&page=2&utm=1&clid=3").is_empty());
    }

    #[test]
    fn network_names() {
        let names = [
            AdNetwork::Google,
            AdNetwork::Microsoft,
            AdNetwork::Meta,
            AdNetwork::LinkedIn,
            AdNetwork::TikTok,
            AdNetwork::Twitter,
        ]
        .map(AdNetwork::as_str);
        assert_eq!(names, ["google", "microsoft", "meta", "linkedin", "tiktok", "twitter"]);
    }

    #[test]
    fn host_of_strips_scheme_userinfo_port_and_case() {
        assert_eq!(host_of("https://User@WWW.Google.com:443/x?y"), some("www.google.com"));
        assert_eq!(host_of("http://example.com"), some("example.com"));
        assert_eq!(host_of("HTTPS://Example.COM?x=1"), some("example.com"));
        assert_eq!(host_of("https://example.com#top"), some("example.com"));
        assert_eq!(host_of("https://user:pa:ss@host.test:8080/"), some("host.test"));
        assert_eq!(host_of("https://example.com./path"), some("example.com"));
        assert_eq!(host_of("http://[::1]:8080/"), some("[::1]"));
        assert_eq!(host_of("https://mail.google.com/mail/u/0/"), some("mail.google.com"));
    }

    #[test]
    fn host_of_rejects_relative_and_non_http_urls() {
        for url in [
            "",
            "/path",
            "example.com/path",
            "//example.com/path",
            "ftp://example.com/",
            "android-app://com.google.android.gm/",
            "https://",
            "https:///path",
            "https://:443/",
            "https://user@/",
            "http://[::1",
        ] {
            assert_eq!(host_of(url), None, "{url}");
        }
    }

    #[test]
    fn percent_decode_handles_plus_escapes_and_utf8() {
        assert_eq!(percent_decode("a+b%20c"), "a b c");
        assert_eq!(percent_decode("%C5%BC%C3%B3%C5%82w"), "żółw");
        assert_eq!(percent_decode("%2B%2b"), "++");
        assert_eq!(percent_decode("plain"), "plain");
        assert_eq!(percent_decode(""), "");
    }

    #[test]
    fn percent_decode_keeps_invalid_escapes() {
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%%41"), "%A");
        assert_eq!(percent_decode("żółw%"), "żółw%");
    }

    #[test]
    fn percent_decode_replaces_invalid_utf8() {
        assert_eq!(percent_decode("a%FFb"), "a\u{FFFD}b");
        assert_eq!(percent_decode("%C5"), "\u{FFFD}");
    }
}
