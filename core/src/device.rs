//! Device class (desktop, tablet, mobile) from the user agent, corrected with what the
//! browser reports about the screen.
//!
//! The user agent is checked first (ASCII case-insensitive):
//! - `ipad`, `tablet`, `kindle`, `silk/`, or `android` without `mobile` → Tablet;
//! - `mobi`, `iphone`, `ipod`, `android`, `windows phone` → Mobile;
//! - anything else → Desktop.
//!
//! Two corrections apply to a Desktop answer: iPadOS Safari sends a Mac user agent, so a
//! `macintosh` UA with more than one touch point is a Tablet; and a viewport narrower
//! than [`MOBILE_MAX_WIDTH`] is Mobile (responsive emulation, unknown user agents).

use serde::{Deserialize, Serialize};

/// Viewports narrower than this many CSS pixels count as mobile.
pub const MOBILE_MAX_WIDTH: u32 = 600;

const TABLET_MARKERS: &[&str] = &["ipad", "tablet", "kindle", "silk/"];
const MOBILE_MARKERS: &[&str] = &["mobi", "iphone", "ipod", "android", "windows phone"];

/// The kind of device a visit comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceClass {
    Desktop,
    Tablet,
    Mobile,
}

impl DeviceClass {
    /// The snake_case name, the same as its serde form.
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceClass::Desktop => "desktop",
            DeviceClass::Tablet => "tablet",
            DeviceClass::Mobile => "mobile",
        }
    }
}

/// The device class for a user agent, the viewport width in CSS pixels (when known)
/// and `navigator.maxTouchPoints`.
pub fn classify(user_agent: &str, viewport_width: Option<u32>, touch_points: u32) -> DeviceClass {
    let ua = user_agent.to_ascii_lowercase();
    let has_any = |markers: &[&str]| markers.iter().any(|marker| ua.contains(marker));
    let android_tablet = ua.contains("android") && !ua.contains("mobile");
    if has_any(TABLET_MARKERS) || android_tablet {
        DeviceClass::Tablet
    } else if has_any(MOBILE_MARKERS) {
        DeviceClass::Mobile
    } else if ua.contains("macintosh") && touch_points > 1 {
        DeviceClass::Tablet
    } else if viewport_width.is_some_and(|width| width < MOBILE_MAX_WIDTH) {
        DeviceClass::Mobile
    } else {
        DeviceClass::Desktop
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WINDOWS_CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 \
        (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    const MAC_SAFARI: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) \
        AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15";
    const LINUX_FIREFOX: &str =
        "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
    const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) \
        AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
    const IPOD: &str = "Mozilla/5.0 (iPod touch; CPU iPhone OS 15_8 like Mac OS X) \
        AppleWebKit/605.1.15 (KHTML, like Gecko) Version/15.6 Safari/604.1";
    const ANDROID_PHONE: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 \
        (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";
    const ANDROID_FIREFOX_PHONE: &str =
        "Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0";
    const ANDROID_TABLET: &str = "Mozilla/5.0 (Linux; Android 13; SM-X710) \
        AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    const OLD_IPAD: &str = "Mozilla/5.0 (iPad; CPU OS 12_5 like Mac OS X) AppleWebKit/605.1.15 \
        (KHTML, like Gecko) Version/12.1 Mobile/15E148 Safari/604.1";
    const KINDLE_FIRE: &str = "Mozilla/5.0 (Linux; U; Android 4.0.3; en-us; KFTT \
        Build/IML74K) AppleWebKit/537.36 (KHTML, like Gecko) Silk/3.68 like Chrome/39.0 \
        Mobile Safari/537.36";
    const WINDOWS_PHONE: &str = "Mozilla/5.0 (Windows Phone 10.0; Android 6.0.1; Microsoft; \
        Lumia 950) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/52.0 Mobile Safari/537.36 \
        Edge/15.15063";
    const OPERA_MINI: &str = "Opera/9.80 (J2ME/MIDP; Opera Mini/9.80; U; en) Presto/2.12 \
        Mobi Version/12.02";

    #[test]
    fn names_match_serde() {
        for class in [DeviceClass::Desktop, DeviceClass::Tablet, DeviceClass::Mobile] {
            let json = serde_json::to_string(&class).expect("serializes");
            assert_eq!(json, std::format!("\"{}\"", class.as_str()));
        }
    }

    #[test]
    fn desktop_browsers() {
        for ua in [WINDOWS_CHROME, MAC_SAFARI, LINUX_FIREFOX, ""] {
            assert_eq!(classify(ua, Some(1440), 0), DeviceClass::Desktop, "{ua}");
            assert_eq!(classify(ua, None, 0), DeviceClass::Desktop, "{ua}");
        }
    }

    #[test]
    fn phones() {
        for ua in [IPHONE, IPOD, ANDROID_PHONE, ANDROID_FIREFOX_PHONE, WINDOWS_PHONE, OPERA_MINI] {
            assert_eq!(classify(ua, Some(390), 5), DeviceClass::Mobile, "{ua}");
            // The user agent wins over a wide viewport (landscape, desktop-site mode).
            assert_eq!(classify(ua, Some(1024), 5), DeviceClass::Mobile, "{ua}");
        }
    }

    #[test]
    fn tablets() {
        for ua in [ANDROID_TABLET, OLD_IPAD, KINDLE_FIRE, "SomeBrowser (Tablet; rv:1)"] {
            assert_eq!(classify(ua, Some(800), 5), DeviceClass::Tablet, "{ua}");
            // Split-screen on a tablet can be narrow: still a tablet.
            assert_eq!(classify(ua, Some(320), 5), DeviceClass::Tablet, "{ua}");
        }
    }

    #[test]
    fn ipados_with_a_mac_user_agent_is_a_tablet_by_touch_points() {
        assert_eq!(classify(MAC_SAFARI, Some(1024), 5), DeviceClass::Tablet);
        assert_eq!(classify(MAC_SAFARI, Some(1024), 1), DeviceClass::Desktop);
        assert_eq!(classify(MAC_SAFARI, Some(1024), 0), DeviceClass::Desktop);
        // Touch screens on Windows are still desktops.
        assert_eq!(classify(WINDOWS_CHROME, Some(1366), 10), DeviceClass::Desktop);
    }

    #[test]
    fn narrow_viewport_turns_desktop_into_mobile() {
        assert_eq!(classify(WINDOWS_CHROME, Some(375), 0), DeviceClass::Mobile);
        assert_eq!(classify("", Some(599), 0), DeviceClass::Mobile);
        assert_eq!(classify("", Some(600), 0), DeviceClass::Desktop);
        assert_eq!(classify("", Some(0), 0), DeviceClass::Mobile);
    }

    #[test]
    fn matching_ignores_ascii_case() {
        assert_eq!(classify("MOZILLA (IPHONE)", None, 0), DeviceClass::Mobile);
        assert_eq!(classify("mozilla (IPad)", None, 0), DeviceClass::Tablet);
    }
}
