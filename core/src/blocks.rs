//! Personalization blocks: where a block appears ([`Placement`]), when it appears
//! ([`Trigger`], checked against [`PageSignals`]), how often ([`Caps`] over an
//! [`Exposure`]), which variant a visitor sees ([`variant_index`]) and which catalogue
//! items a recommendation block lists ([`recommend`]).
//!
//! The collector decides which blocks a page may show and re-checks caps when it
//! records an impression; the widget watches triggers with the same code on the state
//! the collector returned, so both sides agree on every rule.

use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use crate::units::{DAY_MS, page_path};

/// Where a block is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    /// Inside the page's `[data-kindling-slot="NAME"]` element.
    Inline,
    /// A centred dialog over a backdrop.
    Modal,
    /// A card sliding in at the bottom corner.
    SlideIn,
    /// A full-width bar fixed to the top of the viewport.
    TopBar,
    /// A full-width bar fixed to the bottom of the viewport.
    BottomBar,
}

impl Placement {
    /// The name used on the wire and in the configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            Placement::Inline => "inline",
            Placement::Modal => "modal",
            Placement::SlideIn => "slide_in",
            Placement::TopBar => "top_bar",
            Placement::BottomBar => "bottom_bar",
        }
    }

    /// The placement with this name.
    pub fn parse(name: &str) -> Option<Placement> {
        [
            Placement::Inline,
            Placement::Modal,
            Placement::SlideIn,
            Placement::TopBar,
            Placement::BottomBar,
        ]
        .into_iter()
        .find(|placement| placement.as_str() == name)
    }
}

/// How a block arranges its image, text and calls to action, picked per block.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// Headline, text and calls to action, an image above them if there is one.
    #[default]
    Standard,
    /// The image beside the text (above it on narrow screens).
    ImageBeside,
    /// The image across the top, edge to edge.
    ImageTop,
    /// One line: headline, short text and the calls to action side by side.
    Compact,
}

impl Layout {
    /// The name used on the wire and in the configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            Layout::Standard => "standard",
            Layout::ImageBeside => "image_beside",
            Layout::ImageTop => "image_top",
            Layout::Compact => "compact",
        }
    }

    /// The layout with this name.
    pub fn parse(name: &str) -> Option<Layout> {
        [Layout::Standard, Layout::ImageBeside, Layout::ImageTop, Layout::Compact]
            .into_iter()
            .find(|layout| layout.as_str() == name)
    }

    pub fn is_standard(&self) -> bool {
        *self == Layout::Standard
    }
}

/// When a block appears once the page may show it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "on", rename_all = "snake_case")]
pub enum Trigger {
    /// As soon as the page is ready.
    #[default]
    Immediate,
    /// After this many seconds on the page.
    Delay { seconds: u32 },
    /// Once the visitor has scrolled this far down the page (percent).
    Scroll { percent: u8 },
    /// When the visitor is about to leave: the pointer leaves through the top of the
    /// viewport (desktop) or a fast scroll back up (touch screens).
    ExitIntent,
    /// After this many seconds without input.
    Inactivity { seconds: u32 },
    /// On a click of an element matching this CSS selector.
    Click { selector: String },
}

/// What the widget has seen on the page so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PageSignals {
    /// Time since the page (or route) was shown.
    pub elapsed_ms: u64,
    /// The deepest scroll reached, percent of the page.
    pub scroll_percent: u8,
    /// Time since the visitor's last input.
    pub idle_ms: u64,
    /// An exit intent was seen (see [`ExitIntent`]).
    pub exit_intent: bool,
    /// The trigger's selector was clicked.
    pub clicked: bool,
}

impl Trigger {
    /// Whether the trigger has fired on the page `signals` describe.
    pub fn fires(&self, signals: &PageSignals) -> bool {
        match self {
            Trigger::Immediate => true,
            Trigger::Delay { seconds } => signals.elapsed_ms >= u64::from(*seconds) * 1000,
            Trigger::Scroll { percent } => signals.scroll_percent >= (*percent).min(100),
            Trigger::ExitIntent => signals.exit_intent,
            Trigger::Inactivity { seconds } => signals.idle_ms >= u64::from(*seconds) * 1000,
            Trigger::Click { .. } => signals.clicked,
        }
    }
}

/// Scrolled up at least this many pixels ...
pub const EXIT_SCROLL_UP_PX: i32 = 120;
/// ... within this many milliseconds counts as an exit intent on touch screens.
pub const EXIT_SCROLL_UP_MS: u64 = 300;
/// Exit intent is ignored this early in a page view: a reader has not read yet.
pub const EXIT_MIN_ELAPSED_MS: u64 = 3_000;

/// Recognises exit intent from pointer and scroll positions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExitIntent {
    /// The scroll position (px) and time (ms) where the current upward run began.
    run_start: Option<(i32, u64)>,
    last_y: i32,
}

impl ExitIntent {
    /// The pointer left the document at viewport height `client_y` with no element
    /// to go to: leaving through the top edge means heading for the tabs or the
    /// address bar.
    pub fn pointer_left(client_y: i32, elapsed_ms: u64) -> bool {
        client_y <= 0 && elapsed_ms >= EXIT_MIN_ELAPSED_MS
    }

    /// Feeds a scroll position (`y` px from the top) at time `now_ms`; true when the
    /// visitor has just scrolled up fast (a touch visitor reaching for the address bar).
    pub fn scrolled(&mut self, y: i32, now_ms: u64, elapsed_ms: u64) -> bool {
        let going_up = y < self.last_y;
        self.last_y = y;
        if !going_up {
            self.run_start = None;
            return false;
        }
        let (start_y, start_ms) = *self.run_start.get_or_insert((y.saturating_add(1), now_ms));
        let fast = now_ms.saturating_sub(start_ms) <= EXIT_SCROLL_UP_MS;
        if !fast {
            self.run_start = Some((y, now_ms));
            return false;
        }
        start_y.saturating_sub(y) >= EXIT_SCROLL_UP_PX && elapsed_ms >= EXIT_MIN_ELAPSED_MS
    }
}

/// How often a block may be shown to one visitor. A conversion always ends it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Caps {
    /// Impressions ever.
    pub per_visitor: Option<u32>,
    /// Impressions within one visit.
    pub per_session: Option<u32>,
    /// Impressions within one UTC day.
    pub per_day: Option<u32>,
    /// Days the block stays hidden after the visitor dismissed it.
    pub dismiss_days: Option<u32>,
}

/// One person's history with one block: what [`Caps`] are checked against.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Exposure {
    /// Impressions ever.
    pub impressions: u32,
    /// The UTC day (days since the epoch) of the latest impression ...
    pub day: u64,
    /// ... and the impressions on that day.
    pub day_impressions: u32,
    /// The visit of the latest impression ...
    pub session: String,
    /// ... and the impressions in that visit.
    pub session_impressions: u32,
    /// The latest dismissal, Unix milliseconds; 0 if never.
    pub dismissed_ms: u64,
    /// The block's goal was reached.
    pub converted: bool,
    /// The variant shown first (kept for attributing the conversion).
    pub variant: String,
}

/// Why a block may not be shown now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CapReached {
    Converted,
    Dismissed,
    PerVisitor,
    PerSession,
    PerDay,
}

impl CapReached {
    /// A short explanation for API answers and logs.
    pub fn message(self) -> &'static str {
        match self {
            CapReached::Converted => "the visitor already converted on this block",
            CapReached::Dismissed => "the visitor dismissed this block recently",
            CapReached::PerVisitor => "the block's per-visitor cap is reached",
            CapReached::PerSession => "the block's per-session cap is reached",
            CapReached::PerDay => "the block's per-day cap is reached",
        }
    }
}

impl Caps {
    /// Whether one more impression is allowed in visit `session` at `now_ms`.
    pub fn check(&self, exposure: &Exposure, session: &str, now_ms: u64) -> Result<(), CapReached> {
        if exposure.converted {
            return Err(CapReached::Converted);
        }
        if let Some(days) = self.dismiss_days
            && exposure.dismissed_ms > 0
            && now_ms < exposure.dismissed_ms.saturating_add(u64::from(days) * DAY_MS)
        {
            return Err(CapReached::Dismissed);
        }
        if self.per_visitor.is_some_and(|cap| exposure.impressions >= cap) {
            return Err(CapReached::PerVisitor);
        }
        if self
            .per_session
            .is_some_and(|cap| exposure.session == session && exposure.session_impressions >= cap)
        {
            return Err(CapReached::PerSession);
        }
        if self
            .per_day
            .is_some_and(|cap| exposure.day == now_ms / DAY_MS && exposure.day_impressions >= cap)
        {
            return Err(CapReached::PerDay);
        }
        Ok(())
    }
}

impl Exposure {
    /// Counts an impression of `variant` in visit `session` at `now_ms`.
    pub fn record_impression(&mut self, variant: &str, session: &str, now_ms: u64) {
        self.impressions = self.impressions.saturating_add(1);
        let day = now_ms / DAY_MS;
        if self.day == day {
            self.day_impressions = self.day_impressions.saturating_add(1);
        } else {
            self.day = day;
            self.day_impressions = 1;
        }
        if self.session == session {
            self.session_impressions = self.session_impressions.saturating_add(1);
        } else {
            self.session = String::from(session);
            self.session_impressions = 1;
        }
        if self.variant.is_empty() {
            self.variant = String::from(variant);
        }
    }

    /// Notes a dismissal at `now_ms`.
    pub fn record_dismissal(&mut self, now_ms: u64) {
        self.dismissed_ms = self.dismissed_ms.max(now_ms);
    }
}

/// The variant (index into `weights`) that `key` (a person) sees of `block`: a hash of
/// both, so the choice is the same on every visit and device of the person and
/// independent between blocks. Zero weights are never chosen; all zero gives 0.
pub fn variant_index(key: &str, block: &str, weights: &[u32]) -> usize {
    let total: u64 = weights.iter().map(|&weight| u64::from(weight)).sum();
    if total == 0 {
        return 0;
    }
    let mut point = bucket_hash(key, block) % total;
    for (index, &weight) in weights.iter().enumerate() {
        if point < u64::from(weight) {
            return index;
        }
        point -= u64::from(weight);
    }
    0
}

/// FNV-1a (64 bit) of `key`, a separator and `block`, with a final avalanche so close
/// keys spread evenly over the buckets.
fn bucket_hash(key: &str, block: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in key.bytes().chain(core::iter::once(0xff)).chain(block.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    // splitmix64's finalizer.
    hash ^= hash >> 30;
    hash = hash.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    hash ^= hash >> 27;
    hash = hash.wrapping_mul(0x94d0_49bb_1331_11eb);
    hash ^ (hash >> 31)
}

/// Where in the buying journey a piece of content helps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FunnelStage {
    Awareness,
    Consideration,
    Decision,
}

/// One entry of a site's content catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogItem {
    pub title: String,
    /// An absolute URL or a site path.
    pub url: String,
    /// The topic it belongs to, as profiles name topics (first path segment).
    pub topic: String,
    pub stage: FunnelStage,
}

/// The funnel stage that fits a lifecycle stage and score: newcomers get awareness
/// content, leads and warm visitors consideration, qualified leads decision content.
pub fn funnel_stage_for(lifecycle_stage: &str, temperature: &str) -> FunnelStage {
    match (lifecycle_stage, temperature) {
        ("mql" | "sql" | "opportunity" | "customer", _) | (_, "hot") => FunnelStage::Decision,
        ("lead", _) | (_, "warm") => FunnelStage::Consideration,
        _ => FunnelStage::Awareness,
    }
}

/// Ranks `items` for a visitor: items on a topic they read first, then the closer to
/// their funnel stage the better, then catalogue order; items whose path they have
/// already seen or are reading (`current`, a path as [`page_path`] counts it) are left
/// out. Returns at most `limit` indexes into `items`.
pub fn recommend(
    items: &[CatalogItem],
    seen_paths: &[String],
    current: Option<&str>,
    topics: &[String],
    stage: FunnelStage,
    limit: usize,
) -> Vec<usize> {
    let mut ranked: Vec<(u32, usize)> = items
        .iter()
        .enumerate()
        .filter(|(_, item)| {
            let path = page_path(&item.url);
            current != Some(path) && !seen_paths.iter().any(|seen| seen == path)
        })
        .map(|(index, item)| {
            let on_topic = topics.iter().any(|topic| topic.eq_ignore_ascii_case(&item.topic));
            let distance = (item.stage as i32 - stage as i32).unsigned_abs();
            let rank = if on_topic { 0 } else { 10 } + distance;
            (rank, index)
        })
        .collect();
    ranked.sort_unstable();
    ranked.into_iter().take(limit).map(|(_, index)| index).collect()
}

#[cfg(test)]
mod tests {
    use alloc::string::ToString;
    use alloc::vec;

    use super::*;

    const T0: u64 = 1_760_000_000_000;

    #[test]
    fn placements_round_trip_their_names() {
        for name in ["inline", "modal", "slide_in", "top_bar", "bottom_bar"] {
            assert_eq!(Placement::parse(name).map(Placement::as_str), Some(name));
        }
        assert_eq!(Placement::parse("popup"), None);
    }

    #[test]
    fn triggers_fire_on_their_signal_only() {
        let quiet = PageSignals::default();
        assert!(Trigger::Immediate.fires(&quiet));
        let delay = Trigger::Delay { seconds: 5 };
        assert!(!delay.fires(&PageSignals { elapsed_ms: 4_999, ..quiet }));
        assert!(delay.fires(&PageSignals { elapsed_ms: 5_000, ..quiet }));
        let scroll = Trigger::Scroll { percent: 50 };
        assert!(!scroll.fires(&PageSignals { scroll_percent: 49, elapsed_ms: 60_000, ..quiet }));
        assert!(scroll.fires(&PageSignals { scroll_percent: 75, ..quiet }));
        assert!(
            Trigger::Scroll { percent: 200 }.fires(&PageSignals { scroll_percent: 100, ..quiet })
        );
        assert!(!Trigger::ExitIntent.fires(&PageSignals { elapsed_ms: 60_000, ..quiet }));
        assert!(Trigger::ExitIntent.fires(&PageSignals { exit_intent: true, ..quiet }));
        let idle = Trigger::Inactivity { seconds: 10 };
        assert!(!idle.fires(&PageSignals { idle_ms: 9_000, elapsed_ms: 60_000, ..quiet }));
        assert!(idle.fires(&PageSignals { idle_ms: 10_000, ..quiet }));
        let click = Trigger::Click { selector: "#pricing".to_string() };
        assert!(!click.fires(&PageSignals { elapsed_ms: 60_000, ..quiet }));
        assert!(click.fires(&PageSignals { clicked: true, ..quiet }));
    }

    #[test]
    fn pointer_exit_needs_the_top_edge_and_some_reading() {
        assert!(ExitIntent::pointer_left(0, 5_000));
        assert!(ExitIntent::pointer_left(-3, 5_000));
        assert!(!ExitIntent::pointer_left(12, 5_000));
        assert!(!ExitIntent::pointer_left(0, 1_000));
    }

    #[test]
    fn fast_scroll_up_is_exit_intent_slow_is_not() {
        let mut fast = ExitIntent::default();
        assert!(!fast.scrolled(2_000, T0, 10_000));
        assert!(!fast.scrolled(1_950, T0 + 50, 10_000));
        assert!(fast.scrolled(1_800, T0 + 150, 10_000));

        let mut slow = ExitIntent::default();
        slow.scrolled(2_000, T0, 10_000);
        for step in 1..20 {
            assert!(!slow.scrolled(2_000 - step * 20, T0 + step as u64 * 400, 10_000));
        }

        let mut down = ExitIntent::default();
        for step in 0..10 {
            assert!(!down.scrolled(step * 300, T0 + step as u64 * 10, 10_000));
        }
        let mut early = ExitIntent::default();
        early.scrolled(2_000, T0, 100);
        assert!(!early.scrolled(1_500, T0 + 50, 100));
    }

    #[test]
    fn caps_count_visits_days_and_lifetime() {
        let caps = Caps {
            per_visitor: Some(3),
            per_session: Some(1),
            per_day: Some(2),
            dismiss_days: None,
        };
        let mut exposure = Exposure::default();
        assert_eq!(caps.check(&exposure, "s1", T0), Ok(()));
        exposure.record_impression("a", "s1", T0);
        assert_eq!(caps.check(&exposure, "s1", T0), Err(CapReached::PerSession));
        assert_eq!(caps.check(&exposure, "s2", T0), Ok(()));
        exposure.record_impression("a", "s2", T0);
        assert_eq!(caps.check(&exposure, "s3", T0), Err(CapReached::PerDay));
        assert_eq!(caps.check(&exposure, "s3", T0 + DAY_MS), Ok(()));
        exposure.record_impression("b", "s3", T0 + DAY_MS);
        assert_eq!(exposure.variant, "a", "the first variant shown is kept");
        assert_eq!(caps.check(&exposure, "s4", T0 + 5 * DAY_MS), Err(CapReached::PerVisitor));
    }

    #[test]
    fn dismissal_hides_for_the_configured_days_and_conversion_for_good() {
        let caps = Caps { dismiss_days: Some(7), ..Caps::default() };
        let mut exposure = Exposure::default();
        exposure.record_dismissal(T0);
        assert_eq!(caps.check(&exposure, "s", T0 + 6 * DAY_MS), Err(CapReached::Dismissed));
        assert_eq!(caps.check(&exposure, "s", T0 + 7 * DAY_MS), Ok(()));
        assert_eq!(
            Caps::default().check(&exposure, "s", T0),
            Ok(()),
            "no dismiss_days: dismissal only closes"
        );
        exposure.converted = true;
        assert_eq!(
            Caps::default().check(&exposure, "s", T0 + 400 * DAY_MS),
            Err(CapReached::Converted)
        );
    }

    #[test]
    fn variants_are_stable_and_follow_the_weights() {
        let weights = [50, 30, 20];
        let mut counts = [0u32; 3];
        for n in 0..30_000 {
            let key = alloc::format!("0190a1b2-c3d4-7e5f-8a9b-{n:012x}");
            let index = variant_index(&key, "hero", &weights);
            assert_eq!(index, variant_index(&key, "hero", &weights), "same person, same variant");
            counts[index] += 1;
        }
        for (count, weight) in counts.iter().zip(weights) {
            let share = f64::from(*count) / 30_000.0 * 100.0;
            assert!((share - f64::from(weight)).abs() < 1.5, "{counts:?}");
        }
        assert_eq!(variant_index("x", "hero", &[0, 0]), 0);
        assert!((0..200).all(|n| variant_index(&n.to_string(), "b", &[0, 5, 0]) == 1));
    }

    #[test]
    fn blocks_bucket_independently() {
        let same = (0..2_000)
            .filter(|n| {
                let key = n.to_string();
                variant_index(&key, "hero", &[1, 1]) == variant_index(&key, "banner", &[1, 1])
            })
            .count();
        assert!((900..1_100).contains(&same), "{same}");
    }

    fn item(url: &str, topic: &str, stage: FunnelStage) -> CatalogItem {
        CatalogItem {
            title: url.to_string(),
            url: url.to_string(),
            topic: topic.to_string(),
            stage,
        }
    }

    #[test]
    fn recommendations_prefer_read_topics_and_the_visitors_stage_and_skip_seen_pages() {
        let items = vec![
            item("/blog/intro", "blog", FunnelStage::Awareness),
            item("https://example.com/guides/roi", "guides", FunnelStage::Consideration),
            item("/customers/acme", "customers", FunnelStage::Decision),
            item("/blog/pricing-guide", "blog", FunnelStage::Decision),
            item("/guides/setup", "guides", FunnelStage::Awareness),
        ];
        let seen = vec!["/blog/intro".to_string()];
        let topics = vec!["blog".to_string()];
        let picked = recommend(&items, &seen, None, &topics, FunnelStage::Decision, 3);
        assert_eq!(picked, vec![3, 2, 1]);
        let newcomer = recommend(&items, &[], None, &[], FunnelStage::Awareness, 2);
        assert_eq!(newcomer, vec![0, 4]);
        let reading = recommend(&items, &[], Some("/blog/intro"), &[], FunnelStage::Awareness, 2);
        assert_eq!(reading, vec![4, 1], "the page being read is left out");
        assert!(recommend(&items, &[], None, &[], FunnelStage::Awareness, 0).is_empty());
    }

    #[test]
    fn funnel_stage_follows_lifecycle_and_temperature() {
        assert_eq!(funnel_stage_for("anonymous", "cold"), FunnelStage::Awareness);
        assert_eq!(funnel_stage_for("anonymous", "warm"), FunnelStage::Consideration);
        assert_eq!(funnel_stage_for("lead", "cold"), FunnelStage::Consideration);
        assert_eq!(funnel_stage_for("mql", "cold"), FunnelStage::Decision);
        assert_eq!(funnel_stage_for("anonymous", "hot"), FunnelStage::Decision);
    }

    #[test]
    fn triggers_read_from_their_configuration_form() {
        let parse = |json: &str| serde_json::from_str::<Trigger>(json).expect("a trigger");
        assert_eq!(parse(r#"{"on":"delay","seconds":5}"#), Trigger::Delay { seconds: 5 });
        assert_eq!(parse(r#"{"on":"exit_intent"}"#), Trigger::ExitIntent);
        assert_eq!(
            parse(r##"{"on":"click","selector":"#go"}"##),
            Trigger::Click { selector: "#go".to_string() }
        );
        assert!(serde_json::from_str::<Trigger>(r#"{"on":"hover"}"#).is_err());
    }
}
