//! Bot detection from the `User-Agent` header: crawlers, monitors, link previewers,
//! headless browsers and HTTP libraries, so they are not counted as visitors or leads.
//!
//! The check is a substring match against [`BOT_MARKERS`]; it is deliberately cheap
//! and errs towards "human". Desktop apps built on Electron (`Electron/`) are real
//! users and are not flagged. The generic `bot` marker also matches the few phone
//! models with "bot" in their name (e.g. Cubot); that is an accepted loss.

/// Lowercase substrings that mark a user agent as automated.
pub const BOT_MARKERS: &[&str] = &[
    // Generic crawler words.
    "bot",
    "crawl",
    "spider",
    "slurp",
    // Headless and automated browsers.
    "headlesschrome",
    "phantomjs",
    "puppeteer",
    "playwright",
    "selenium",
    // Performance and uptime monitors.
    "lighthouse",
    "pagespeed",
    "pingdom",
    "uptimerobot",
    "statuscake",
    // Link previews.
    "facebookexternalhit",
    "embedly",
    "preview",
    // HTTP libraries and command-line tools.
    "python-requests",
    "python-urllib",
    "aiohttp",
    "go-http-client",
    "curl/",
    "wget/",
    "okhttp",
    "java/",
    "libwww",
    "httpclient",
    "axios/",
    "node-fetch",
    "scrapy",
    // SEO tools, AI crawlers and Google's special agents.
    "ahrefs",
    "semrush",
    "mj12",
    "dotbot",
    "petalbot",
    "bytespider",
    "gptbot",
    "ccbot",
    "claudebot",
    "perplexity",
    "google-inspectiontool",
    "feedfetcher",
    "mediapartners",
];

/// True for a blank user agent or one containing any of [`BOT_MARKERS`]
/// (ASCII case-insensitive).
pub fn is_bot(user_agent: &str) -> bool {
    if user_agent.trim().is_empty() {
        return true;
    }
    let lowercase = user_agent.to_ascii_lowercase();
    BOT_MARKERS.iter().any(|marker| lowercase.contains(marker))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DESKTOP_CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 \
        (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    const MOBILE_SAFARI: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) \
        AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
    const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
    const ANDROID_CHROME: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 \
        (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";
    const EDGE_MAC: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 \
        (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0";
    const ELECTRON_APP: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) \
        AppleWebKit/537.36 (KHTML, like Gecko) Slack/4.41.105 Chrome/128.0.6613.186 \
        Electron/32.2.5 Safari/537.36";

    #[test]
    fn real_browsers_are_not_bots() {
        for user_agent in
            [DESKTOP_CHROME, MOBILE_SAFARI, FIREFOX, ANDROID_CHROME, EDGE_MAC, ELECTRON_APP]
        {
            assert!(!is_bot(user_agent), "{user_agent}");
        }
    }

    #[test]
    fn known_bots_are_bots() {
        for user_agent in [
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Googlebot/2.1; \
             +http://www.google.com/bot.html) Chrome/131.0.6778.204 Safari/537.36",
            "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
             HeadlessChrome/131.0.0.0 Safari/537.36",
            "curl/8.5.0",
            "python-requests/2.32.3",
            "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; \
             +https://openai.com/gptbot)",
            "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
            "Mozilla/5.0 (compatible; Yahoo! Slurp; http://help.yahoo.com/help/us/ysearch/slurp)",
            "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
            "Mozilla/5.0 (compatible; Google-InspectionTool/1.0)",
            "Mediapartners-Google",
            "Wget/1.21.4",
            "Go-http-client/2.0",
            "okhttp/4.12.0",
            "axios/1.7.9",
            "Java/17.0.2",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
             Chrome/131.0.0.0 Safari/537.36 Chrome-Lighthouse",
        ] {
            assert!(is_bot(user_agent), "{user_agent}");
        }
    }

    #[test]
    fn blank_user_agents_are_bots() {
        for user_agent in ["", " ", "\t\n"] {
            assert!(is_bot(user_agent), "{user_agent:?}");
        }
    }

    #[test]
    fn matching_ignores_ascii_case() {
        assert!(is_bot("SOMECRAWLER/1.0"));
        assert!(is_bot("Scrapy/2.11 (+https://scrapy.org)"));
    }

    #[test]
    fn every_marker_is_lowercase_and_matches_itself() {
        for marker in BOT_MARKERS {
            assert_eq!(*marker, marker.to_ascii_lowercase(), "{marker}");
            assert!(is_bot(marker), "{marker}");
        }
    }
}
