//! Channel: the one marketing channel a visit is credited to, decided from its
//! [`Attribution`] (campaign parameters, click id) and its referrer. The widget and the
//! collector both call [`classify`], so reports and on-page targeting agree.
//!
//! The rules are GA4-like and applied in this order; the first that decides wins:
//!
//! 1. **Paid click ids.** A Google (`gclid`, `gbraid`, `wbraid`, `dclid`) or Microsoft
//!    (`msclkid`) click id is [`Channel::PaidSearch`]; a LinkedIn, TikTok or Twitter one
//!    is [`Channel::PaidSocial`]. Meta's `fbclid` is also added to organic Facebook and
//!    Instagram links, so on its own it only counts as a social signal (rules 2–4).
//! 2. **`utm_medium`** (case-insensitive):
//!    - `cpc`, `ppc`, `paid`, `paidsearch`, `paid_search`, `paid-search`, `sem` →
//!      PaidSearch, or PaidSocial when the source, the referrer or an `fbclid` says social;
//!    - `paid_social`, `paidsocial`, `paid-social`, `social_paid`, `social-paid` → PaidSocial;
//!    - `email`, `e-mail`, `e_mail`, `newsletter` → Email;
//!    - `affiliate`, `affiliates`, `partner` → Affiliate;
//!    - `social`, `social-network`, `social_network`, `social-media`, `sm` → Social;
//!    - `organic` → OrganicSearch; `referral` → Referral;
//!    - `display`, `banner`, `cpm` → Referral: there is no display channel, and calling
//!      bought impressions search or social would be wrong;
//!    - any other medium decides nothing.
//! 3. **`utm_source`**: a search engine (name like `google` or domain like `bing.com`) →
//!    OrganicSearch; a social network → Social; an email tool (`newsletter`, `email`,
//!    `mailchimp`, `brevo`, `sendgrid`, `hubspot_email`) → Email; any other source →
//!    Referral, or Social when the URL also carries an `fbclid`.
//! 4. **`fbclid`** without a source or a known medium → Social.
//! 5. **Referrer**: none, or on the site's own host → Direct; a webmail host → Email; a
//!    search engine → OrganicSearch; a social network → Social; anything else → Referral.
//!
//! Hosts match on label boundaries: `m.facebook.com` is Facebook, `notfacebook.com` is
//! not. `google` and `pinterest` match on any country domain (`google.co.uk`).

use alloc::string::String;

use serde::{Deserialize, Serialize};

use crate::attribution::{AdNetwork, Attribution, host_of};

/// Where a visit came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Direct,
    OrganicSearch,
    PaidSearch,
    Social,
    PaidSocial,
    Email,
    Referral,
    Affiliate,
}

impl Channel {
    /// Every channel, in declaration order.
    pub const ALL: [Channel; 8] = [
        Channel::Direct,
        Channel::OrganicSearch,
        Channel::PaidSearch,
        Channel::Social,
        Channel::PaidSocial,
        Channel::Email,
        Channel::Referral,
        Channel::Affiliate,
    ];

    /// The snake_case name, the same as its serde form.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Direct => "direct",
            Channel::OrganicSearch => "organic_search",
            Channel::PaidSearch => "paid_search",
            Channel::Social => "social",
            Channel::PaidSocial => "paid_social",
            Channel::Email => "email",
            Channel::Referral => "referral",
            Channel::Affiliate => "affiliate",
        }
    }

    /// The channel named by [`Channel::as_str`]; `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        Channel::ALL.into_iter().find(|channel| channel.as_str() == text)
    }
}

const PAID_SEARCH_MEDIUMS: &[&str] =
    &["cpc", "ppc", "paid", "paidsearch", "paid_search", "paid-search", "sem"];
const PAID_SOCIAL_MEDIUMS: &[&str] =
    &["paid_social", "paidsocial", "paid-social", "social_paid", "social-paid"];
const EMAIL_MEDIUMS: &[&str] = &["email", "e-mail", "e_mail", "newsletter"];
const AFFILIATE_MEDIUMS: &[&str] = &["affiliate", "affiliates", "partner"];
const SOCIAL_MEDIUMS: &[&str] =
    &["social", "social-network", "social_network", "social-media", "sm"];
const DISPLAY_MEDIUMS: &[&str] = &["display", "banner", "cpm"];

const SEARCH_SOURCES: &[&str] = &[
    "google",
    "bing",
    "duckduckgo",
    "yahoo",
    "yandex",
    "baidu",
    "ecosia",
    "brave",
    "startpage",
    "qwant",
    "naver",
    "seznam",
    "ask",
];
const SOCIAL_SOURCES: &[&str] = &[
    "facebook",
    "fb",
    "meta",
    "instagram",
    "ig",
    "linkedin",
    "twitter",
    "x",
    "reddit",
    "youtube",
    "tiktok",
    "pinterest",
    "threads",
    "bluesky",
    "bsky",
    "mastodon",
    "hackernews",
    "hacker_news",
    "ycombinator",
    "quora",
    "vk",
    "wykop",
];
const EMAIL_SOURCES: &[&str] =
    &["newsletter", "email", "mailchimp", "brevo", "sendgrid", "hubspot_email"];

/// Search engines besides Google (matched by brand on any country domain).
const SEARCH_DOMAINS: &[&str] = &[
    "bing.com",
    "duckduckgo.com",
    "yahoo.com",
    "yandex.ru",
    "yandex.com",
    "baidu.com",
    "ecosia.org",
    "search.brave.com",
    "startpage.com",
    "qwant.com",
    "naver.com",
    "seznam.cz",
    "ask.com",
];
/// Social networks besides Pinterest (matched by brand on any country domain).
const SOCIAL_DOMAINS: &[&str] = &[
    "facebook.com",
    "fb.com",
    "instagram.com",
    "linkedin.com",
    "lnkd.in",
    "t.co",
    "twitter.com",
    "x.com",
    "reddit.com",
    "youtube.com",
    "youtu.be",
    "tiktok.com",
    "threads.net",
    "bsky.app",
    "mastodon.social",
    "news.ycombinator.com",
    "quora.com",
    "vk.com",
    "wykop.pl",
];
/// Webmail hosts; checked before search engines (`mail.google.com` is not a search).
const WEBMAIL_DOMAINS: &[&str] =
    &["mail.google.com", "outlook.live.com", "outlook.office.com", "mail.yahoo.com"];

/// The channel a visit is credited to; see the module docs for the rules.
///
/// `referrer` is the full referrer URL; `own_host` is the site's host (no port). A
/// referrer on the same host, on a subdomain of it, or on a parent domain of it counts
/// as no referrer.
pub fn classify(
    attribution: &Attribution,
    referrer: Option<&str>,
    own_host: Option<&str>,
) -> Channel {
    let network = attribution.click_id.as_ref().map(|click_id| click_id.network);
    match network {
        Some(AdNetwork::Google | AdNetwork::Microsoft) => return Channel::PaidSearch,
        Some(AdNetwork::LinkedIn | AdNetwork::TikTok | AdNetwork::Twitter) => {
            return Channel::PaidSocial;
        }
        Some(AdNetwork::Meta) | None => {}
    }
    let from_meta = network == Some(AdNetwork::Meta);
    let referrer_host = referrer
        .and_then(host_of)
        .filter(|host| !own_host.is_some_and(|own| is_same_site(host, own)));
    let referrer_host = referrer_host.as_deref();
    let source = attribution.utm.source.as_deref().map(str::to_ascii_lowercase);
    let source = source.as_deref();

    if let Some(medium) = attribution.utm.medium.as_deref() {
        let social = from_meta
            || source.is_some_and(is_social_source)
            || referrer_host.is_some_and(is_social_host);
        if let Some(channel) = channel_for_medium(&medium.to_ascii_lowercase(), social) {
            return channel;
        }
    }
    if let Some(source) = source {
        return channel_for_source(source, from_meta);
    }
    if from_meta {
        return Channel::Social;
    }
    channel_for_referrer(referrer_host)
}

/// Rule 2: what a (lowercase) medium says, if it is a known one.
fn channel_for_medium(medium: &str, social: bool) -> Option<Channel> {
    let is = |list: &[&str]| list.contains(&medium);
    Some(if is(PAID_SEARCH_MEDIUMS) {
        if social { Channel::PaidSocial } else { Channel::PaidSearch }
    } else if is(PAID_SOCIAL_MEDIUMS) {
        Channel::PaidSocial
    } else if is(EMAIL_MEDIUMS) {
        Channel::Email
    } else if is(AFFILIATE_MEDIUMS) {
        Channel::Affiliate
    } else if is(SOCIAL_MEDIUMS) {
        Channel::Social
    } else if medium == "organic" {
        Channel::OrganicSearch
    } else if medium == "referral" || is(DISPLAY_MEDIUMS) {
        Channel::Referral
    } else {
        return None;
    })
}

/// Rule 3: what a (lowercase) source says.
fn channel_for_source(source: &str, from_meta: bool) -> Channel {
    if SEARCH_SOURCES.contains(&source) || is_search_host(source) {
        Channel::OrganicSearch
    } else if is_social_source(source) || from_meta {
        Channel::Social
    } else if EMAIL_SOURCES.contains(&source) {
        Channel::Email
    } else {
        Channel::Referral
    }
}

/// Rule 5: what the (external, lowercase) referrer host says.
fn channel_for_referrer(host: Option<&str>) -> Channel {
    let Some(host) = host else {
        return Channel::Direct;
    };
    if is_on_any(host, WEBMAIL_DOMAINS) {
        Channel::Email
    } else if is_search_host(host) {
        Channel::OrganicSearch
    } else if is_social_host(host) {
        Channel::Social
    } else {
        Channel::Referral
    }
}

fn is_social_source(source: &str) -> bool {
    SOCIAL_SOURCES.contains(&source) || is_social_host(source)
}

fn is_search_host(host: &str) -> bool {
    is_brand_host(host, "google") || is_on_any(host, SEARCH_DOMAINS)
}

fn is_social_host(host: &str) -> bool {
    is_brand_host(host, "pinterest") || is_on_any(host, SOCIAL_DOMAINS)
}

fn is_on_any(host: &str, domains: &[&str]) -> bool {
    domains.iter().any(|domain| is_on_domain(host, domain))
}

/// True when `host` is `domain` or a subdomain of it (`m.facebook.com` on `facebook.com`).
fn is_on_domain(host: &str, domain: &str) -> bool {
    host.strip_suffix(domain).is_some_and(|prefix| prefix.is_empty() || prefix.ends_with('.'))
}

/// True when `host` has a `brand` label followed only by one or two TLD-like labels
/// (2–3 letters): `www.google.com`, `google.co.uk`, `pinterest.de`.
fn is_brand_host(host: &str, brand: &str) -> bool {
    let mut labels = host.rsplit('.');
    for tld_labels in 0..=2 {
        match labels.next() {
            Some(label) if label == brand => return tld_labels >= 1,
            Some(label) if tld_labels < 2 && is_tld_like(label) => {}
            _ => return false,
        }
    }
    false
}

fn is_tld_like(label: &str) -> bool {
    (2..=3).contains(&label.len()) && label.bytes().all(|byte| byte.is_ascii_alphabetic())
}

/// True when two hosts are the same site: equal, or one a subdomain of the other.
fn is_same_site(referrer_host: &str, own_host: &str) -> bool {
    let own: String = own_host.to_ascii_lowercase();
    let own = own.strip_prefix('.').unwrap_or(&own);
    !own.is_empty() && (is_on_domain(referrer_host, own) || is_on_domain(own, referrer_host))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attribution::{ClickId, from_url};
    use std::string::ToString;

    fn from(url: &str) -> Channel {
        classify(&from_url(url), None, Some("shop.test"))
    }

    fn referred(referrer: &str) -> Channel {
        classify(&Attribution::default(), Some(referrer), Some("shop.test"))
    }

    #[test]
    fn names_round_trip_and_match_serde() {
        for channel in Channel::ALL {
            assert_eq!(Channel::parse(channel.as_str()), Some(channel));
            let json = serde_json::to_string(&channel).expect("serializes");
            assert_eq!(json, std::format!("\"{}\"", channel.as_str()));
            let back: Channel = serde_json::from_str(&json).expect("deserializes");
            assert_eq!(back, channel);
        }
        for bad in ["", "Direct", "organic-search", "paid search", "other"] {
            assert_eq!(Channel::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn search_and_microsoft_click_ids_are_paid_search() {
        for param in ["gclid", "gbraid", "wbraid", "dclid", "msclkid"] {
            assert_eq!(from(&std::format!("https://shop.test/?{param}=1")), Channel::PaidSearch);
        }
        // The click id outranks whatever the campaign parameters claim.
        assert_eq!(
            from("https://shop.test/?utm_source=newsletter&utm_medium=email&gclid=1"),
            Channel::PaidSearch
        );
    }

    #[test]
    fn social_ad_click_ids_are_paid_social() {
        for param in ["li_fat_id", "ttclid", "twclid"] {
            assert_eq!(from(&std::format!("https://shop.test/?{param}=1")), Channel::PaidSocial);
        }
    }

    #[test]
    fn fbclid_alone_is_social_but_paid_with_a_paid_medium() {
        assert_eq!(from("https://shop.test/?fbclid=abc"), Channel::Social);
        assert_eq!(from("https://shop.test/?fbclid=abc&utm_medium=cpc"), Channel::PaidSocial);
        assert_eq!(
            from("https://shop.test/?fbclid=abc&utm_medium=paid_social"),
            Channel::PaidSocial
        );
        assert_eq!(from("https://shop.test/?fbclid=abc&utm_source=spring"), Channel::Social);
        assert_eq!(
            from("https://shop.test/?fbclid=abc&utm_source=newsletter&utm_medium=email"),
            Channel::Email
        );
        assert_eq!(from("https://shop.test/?fbclid=abc&utm_medium=whatever"), Channel::Social);
    }

    #[test]
    fn paid_mediums_are_search_unless_something_says_social() {
        for medium in ["cpc", "ppc", "paid", "paidsearch", "paid_search", "paid-search", "sem"] {
            let url = std::format!("https://shop.test/?utm_source=google&utm_medium={medium}");
            assert_eq!(from(&url), Channel::PaidSearch, "{medium}");
        }
        assert_eq!(from("https://shop.test/?utm_medium=cpc"), Channel::PaidSearch);
        assert_eq!(
            from("https://shop.test/?utm_source=facebook&utm_medium=cpc"),
            Channel::PaidSocial
        );
        assert_eq!(
            from("https://shop.test/?utm_source=m.facebook.com&utm_medium=paid"),
            Channel::PaidSocial
        );
        let via_referrer = classify(
            &from_url("https://shop.test/?utm_medium=cpc"),
            Some("https://l.instagram.com/"),
            Some("shop.test"),
        );
        assert_eq!(via_referrer, Channel::PaidSocial);
    }

    #[test]
    fn known_mediums_decide() {
        for (medium, expected) in [
            ("paid_social", Channel::PaidSocial),
            ("paidsocial", Channel::PaidSocial),
            ("paid-social", Channel::PaidSocial),
            ("social_paid", Channel::PaidSocial),
            ("social-paid", Channel::PaidSocial),
            ("email", Channel::Email),
            ("e-mail", Channel::Email),
            ("e_mail", Channel::Email),
            ("newsletter", Channel::Email),
            ("affiliate", Channel::Affiliate),
            ("affiliates", Channel::Affiliate),
            ("partner", Channel::Affiliate),
            ("social", Channel::Social),
            ("social-network", Channel::Social),
            ("social_network", Channel::Social),
            ("social-media", Channel::Social),
            ("sm", Channel::Social),
            ("organic", Channel::OrganicSearch),
            ("referral", Channel::Referral),
            ("display", Channel::Referral),
            ("banner", Channel::Referral),
            ("cpm", Channel::Referral),
        ] {
            // The source points elsewhere on purpose: the medium must win.
            let url = std::format!("https://shop.test/?utm_source=google&utm_medium={medium}");
            assert_eq!(from(&url), expected, "{medium}");
        }
        assert_eq!(from("https://shop.test/?utm_medium=EMAIL"), Channel::Email);
    }

    #[test]
    fn hand_built_attribution_is_matched_case_insensitively() {
        let mut attribution = Attribution::default();
        attribution.utm.medium = Some("Paid_Social".to_string());
        assert_eq!(classify(&attribution, None, None), Channel::PaidSocial);
        attribution.utm.medium = None;
        attribution.utm.source = Some("LinkedIn".to_string());
        assert_eq!(classify(&attribution, None, None), Channel::Social);
    }

    #[test]
    fn source_alone_decides() {
        for (source, expected) in [
            ("google", Channel::OrganicSearch),
            ("bing", Channel::OrganicSearch),
            ("duckduckgo", Channel::OrganicSearch),
            ("yahoo", Channel::OrganicSearch),
            ("google.co.uk", Channel::OrganicSearch),
            ("www.bing.com", Channel::OrganicSearch),
            ("facebook", Channel::Social),
            ("linkedin", Channel::Social),
            ("twitter", Channel::Social),
            ("x", Channel::Social),
            ("instagram", Channel::Social),
            ("reddit", Channel::Social),
            ("youtube", Channel::Social),
            ("tiktok", Channel::Social),
            ("lnkd.in", Channel::Social),
            ("newsletter", Channel::Email),
            ("email", Channel::Email),
            ("mailchimp", Channel::Email),
            ("brevo", Channel::Email),
            ("sendgrid", Channel::Email),
            ("hubspot_email", Channel::Email),
            ("partner-blog", Channel::Referral),
            ("notfacebook.com", Channel::Referral),
        ] {
            let url = std::format!("https://shop.test/?utm_source={source}");
            assert_eq!(from(&url), expected, "{source}");
            // An unknown medium falls through to the source.
            let url = std::format!("https://shop.test/?utm_source={source}&utm_medium=qr");
            assert_eq!(from(&url), expected, "{source} with unknown medium");
        }
    }

    #[test]
    fn source_outranks_referrer() {
        let attribution = from_url("https://shop.test/?utm_source=newsletter");
        let channel = classify(&attribution, Some("https://www.google.com/"), Some("shop.test"));
        assert_eq!(channel, Channel::Email);
    }

    #[test]
    fn unknown_medium_without_source_uses_the_referrer() {
        let attribution = from_url("https://shop.test/?utm_medium=qr&utm_campaign=spring");
        assert_eq!(classify(&attribution, None, None), Channel::Direct);
        let channel = classify(&attribution, Some("https://www.bing.com/"), None);
        assert_eq!(channel, Channel::OrganicSearch);
    }

    #[test]
    fn search_engine_referrers_are_organic_search() {
        for referrer in [
            "https://www.google.com/",
            "https://google.com/search?q=x",
            "https://www.google.co.uk/",
            "https://www.google.com.au/",
            "https://www.google.pl/",
            "https://www.bing.com/search?q=x",
            "https://duckduckgo.com/",
            "https://search.yahoo.com/",
            "https://yandex.ru/",
            "https://www.baidu.com/",
            "https://www.ecosia.org/",
            "https://search.brave.com/",
            "https://www.startpage.com/",
            "https://www.qwant.com/",
            "https://search.naver.com/",
            "https://search.seznam.cz/",
            "https://www.ask.com/",
        ] {
            assert_eq!(referred(referrer), Channel::OrganicSearch, "{referrer}");
        }
    }

    #[test]
    fn social_referrers_are_social() {
        for referrer in [
            "https://www.facebook.com/",
            "https://m.facebook.com/",
            "https://l.facebook.com/l.php?u=x",
            "https://www.instagram.com/",
            "https://www.linkedin.com/feed/",
            "https://lnkd.in/abc",
            "https://t.co/abc",
            "https://twitter.com/",
            "https://x.com/",
            "https://old.reddit.com/",
            "https://www.youtube.com/",
            "https://www.tiktok.com/",
            "https://pinterest.com/",
            "https://pl.pinterest.co.uk/",
            "https://www.threads.net/",
            "https://bsky.app/",
            "https://mastodon.social/",
            "https://news.ycombinator.com/",
            "https://www.quora.com/",
            "https://vk.com/",
            "https://wykop.pl/",
        ] {
            assert_eq!(referred(referrer), Channel::Social, "{referrer}");
        }
    }

    #[test]
    fn webmail_referrers_are_email() {
        for referrer in [
            "https://mail.google.com/mail/u/0/",
            "https://outlook.live.com/",
            "https://outlook.office.com/mail/",
            "https://mail.yahoo.com/",
        ] {
            assert_eq!(referred(referrer), Channel::Email, "{referrer}");
        }
    }

    #[test]
    fn other_referrers_are_referral_on_label_boundaries() {
        for referrer in [
            "https://notfacebook.com/",
            "https://facebook.com.evil.test/",
            "https://mygoogle.com/",
            "https://google.example.com/",
            "https://t.com/",
            "https://blog.example.org/post",
            "http://localhost:3000/",
        ] {
            assert_eq!(referred(referrer), Channel::Referral, "{referrer}");
        }
    }

    #[test]
    fn missing_relative_or_internal_referrers_are_direct() {
        let none = Attribution::default();
        assert_eq!(classify(&none, None, None), Channel::Direct);
        assert_eq!(classify(&none, None, Some("shop.test")), Channel::Direct);
        for referrer in [
            "",
            "/pricing",
            "android-app://com.google.android.gm/",
            "https://shop.test/pricing",
            "https://SHOP.test:8443/",
            "https://www.shop.test/",
        ] {
            assert_eq!(referred(referrer), Channel::Direct, "{referrer}");
        }
        // The site on a subdomain, referred from its parent domain.
        let channel = classify(&none, Some("https://example.com/"), Some("Shop.Example.com"));
        assert_eq!(channel, Channel::Direct);
        // Siblings are different sites.
        let channel = classify(&none, Some("https://blog.example.com/"), Some("shop.example.com"));
        assert_eq!(channel, Channel::Referral);
        // Without an own host every external URL counts.
        let channel = classify(&none, Some("https://shop.test/"), None);
        assert_eq!(channel, Channel::Referral);
    }

    #[test]
    fn internal_search_referrer_is_not_search() {
        // Google's own site: a google.com referrer is internal, so Direct.
        let channel =
            classify(&Attribution::default(), Some("https://www.google.com/"), Some("google.com"));
        assert_eq!(channel, Channel::Direct);
    }

    #[test]
    fn brand_hosts_need_tld_like_suffixes() {
        assert!(is_brand_host("google.com", "google"));
        assert!(is_brand_host("www.google.co.uk", "google"));
        assert!(is_brand_host("pinterest.de", "pinterest"));
        assert!(!is_brand_host("google", "google"));
        assert!(!is_brand_host("google.evil.test", "google"));
        assert!(!is_brand_host("google.a.b.c", "google"));
        assert!(!is_brand_host("googleads.com", "google"));
        assert!(!is_brand_host("google.c0m", "google"));
    }

    #[test]
    fn meta_click_id_struct_is_social() {
        let attribution = Attribution {
            click_id: Some(ClickId { network: AdNetwork::Meta, value: "x".to_string() }),
            ..Attribution::default()
        };
        assert_eq!(classify(&attribution, Some("https://www.google.com/"), None), Channel::Social);
    }
}
