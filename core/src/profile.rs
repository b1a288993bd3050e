//! Profile: the behaviour aggregates of one person (visits, pages, engagement, forms,
//! content blocks, first and last touch), kept incrementally event by event, merged
//! when two identities turn out to be one person, and offered to [`crate::rules`] as
//! facts.
//!
//! [`Aggregates::observe`] folds in one event; [`Aggregates::merge`] folds in another
//! person's aggregates and gives the same result as observing both histories in time
//! order, as long as no list reached its cap. To make that hold, every list is kept
//! sorted (not in arrival order) and without duplicates:
//!
//! - `sessions`: the ids of the latest [`MAX_SESSIONS`] sessions. Session ids are
//!   UUIDv7, so sorted order is start order: when the list is full the oldest id is
//!   dropped, and an id older than every kept one is taken as already counted. `visits`
//!   counts every session id not seen before, so resent events do not add visits.
//! - `pages`: the distinct paths of pageviews (without query, fragment or trailing
//!   `/`, cut to [`MAX_PATH_LEN`] bytes). `distinct_pages` counts them exactly up to
//!   [`MAX_PAGES`] and then stops growing (a lower bound: "500 or more").
//! - `topics`: the lowercased first segment of content pages, pages at least two
//!   segments deep (`/blog/x` → `blog`; `/pricing` has none), up to [`MAX_TOPICS`].
//!
//! Counters saturate. Events themselves are not deduplicated here (that is the event
//! id's job): observing the same pageview twice counts two pageviews.
//!
//! `blocks_*` count `block_impression`, `block_click` and `block_conversion` events; `engaged_ms` adds up the `value` of engagement events.

use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use crate::attribution::Attribution;
use crate::channel::Channel;
use crate::rules::{Facts, Value};
use crate::units::DAY_MS;
pub use crate::units::{MAX_PATH_LEN, page_path};
use crate::wire::{ClientEvent, EventKind};

/// Most paths kept in [`Aggregates::pages`].
pub const MAX_PAGES: usize = 500;
/// Most topics kept in [`Aggregates::topics`].
pub const MAX_TOPICS: usize = 50;
/// Most session ids kept in [`Aggregates::sessions`].
pub const MAX_SESSIONS: usize = 100;

/// Every fact [`ProfileFacts`] provides, for [`crate::rules::Rule::validate`].
pub const FACT_NAMES: &[&str] = &[
    "visits",
    "pageviews",
    "distinct_pages",
    "engaged_seconds",
    "forms_submitted",
    "blocks_seen",
    "blocks_clicked",
    "blocks_converted",
    "days_since_last_seen",
    "first_touch.channel",
    "first_touch.source",
    "first_touch.medium",
    "first_touch.campaign",
    "last_touch.channel",
    "last_touch.source",
    "last_touch.medium",
    "last_touch.campaign",
    "topics",
    "pages",
];

/// What a person has done, in totals. Missing fields read as their defaults, so stored
/// aggregates survive new fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Aggregates {
    pub visits: u32,
    pub pageviews: u32,
    pub distinct_pages: u32,
    pub engaged_ms: u64,
    pub forms_submitted: u32,
    pub blocks_seen: u32,
    pub blocks_clicked: u32,
    pub blocks_converted: u32,
    /// The earliest event, Unix milliseconds; 0 before any.
    pub first_seen_ms: u64,
    /// The latest event, Unix milliseconds; 0 before any.
    pub last_seen_ms: u64,
    pub first_touch: Option<Touch>,
    pub last_touch: Option<Touch>,
    /// Paths seen, sorted; at most [`MAX_PAGES`]. `distinct_pages` is exact only while
    /// the list is not full and stays at [`MAX_PAGES`] after.
    pub pages: Vec<String>,
    /// Topics seen (first path segment of content pages, lowercased), sorted; at most
    /// [`MAX_TOPICS`].
    pub topics: Vec<String>,
    /// The latest [`MAX_SESSIONS`] session ids, sorted (UUIDv7: oldest first); `visits`
    /// counts every new one.
    pub sessions: Vec<String>,
}

/// Where a visit came from: campaign parameters and the channel credited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Touch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medium: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    /// A [`Channel`] name (`"organic_search"`, ...).
    pub channel: String,
    /// When it happened; [`Aggregates::observe`] stamps it with the event's time.
    pub at_ms: u64,
    /// The path of the visit's first page, on the touch of a visit's first pageview;
    /// a later touch of the same visit keeps it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub landing: Option<String>,
    /// The host of the page that linked to the visit's first page, when another site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrer: Option<String>,
}

impl Touch {
    /// The touch of a landing page's attribution, credited to `channel`.
    pub fn from_attribution(attribution: &Attribution, channel: Channel, at_ms: u64) -> Self {
        Touch {
            source: attribution.utm.source.clone(),
            medium: attribution.utm.medium.clone(),
            campaign: attribution.utm.campaign.clone(),
            channel: String::from(channel.as_str()),
            at_ms,
            landing: None,
            referrer: None,
        }
    }

    /// Whether `other` credits the same channel and campaign.
    fn same_attribution(&self, other: &Touch) -> bool {
        self.channel == other.channel
            && self.source == other.source
            && self.medium == other.medium
            && self.campaign == other.campaign
    }
}

/// An event as aggregates see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Observed<'a> {
    pub kind: EventKind,
    /// The session (visit) id.
    pub session: &'a str,
    pub url: &'a str,
    pub name: Option<&'a str>,
    /// For engagement events: engaged milliseconds.
    pub value: Option<f64>,
    /// When it happened (the collector's clock), Unix milliseconds.
    pub at_ms: u64,
    /// Present on pageviews that carry attribution.
    pub touch: Option<Touch>,
}

impl<'a> Observed<'a> {
    /// A wire event, dated `at_ms` by the collector, with the visit's touch if any.
    pub fn from_wire(event: &'a ClientEvent, at_ms: u64, touch: Option<Touch>) -> Self {
        Observed {
            kind: event.kind,
            session: &event.session,
            url: &event.url,
            name: event.name.as_deref(),
            value: event.value,
            at_ms,
            touch,
        }
    }
}

impl Aggregates {
    /// Folds one event into the aggregates.
    pub fn observe(&mut self, event: &Observed<'_>) {
        self.note_time(event.at_ms, event.at_ms);
        self.note_session(event.session);
        match event.kind {
            EventKind::Pageview => self.note_pageview(event.url),
            EventKind::Engagement => {
                self.engaged_ms = self.engaged_ms.saturating_add(engaged_ms(event.value));
            }
            EventKind::FormSubmit => self.forms_submitted = self.forms_submitted.saturating_add(1),
            EventKind::BlockImpression => self.blocks_seen = self.blocks_seen.saturating_add(1),
            EventKind::BlockClick => self.blocks_clicked = self.blocks_clicked.saturating_add(1),
            EventKind::BlockConversion => {
                self.blocks_converted = self.blocks_converted.saturating_add(1)
            }
            _ => {}
        }
        if let Some(touch) = &event.touch {
            let stamped = Touch { at_ms: event.at_ms, ..touch.clone() };
            self.note_first_touch(&stamped);
            self.note_last_touch(&stamped);
        }
    }

    /// Merges another person's aggregates into these (identity merge). The result is
    /// what observing both histories in time order gives, while no list is full; the
    /// earlier first touch and the later last touch win (on a tie, `self`'s first
    /// touch and `other`'s last touch).
    pub fn merge(&mut self, other: &Aggregates) {
        let shared_sessions =
            other.sessions.iter().filter(|id| self.sessions.binary_search(id).is_ok()).count();
        let new_visits =
            other.visits.saturating_sub(u32::try_from(shared_sessions).unwrap_or(u32::MAX));
        self.visits = self.visits.saturating_add(new_visits);
        for id in &other.sessions {
            insert_session(&mut self.sessions, id);
        }

        self.pageviews = self.pageviews.saturating_add(other.pageviews);
        for path in &other.pages {
            if insert_sorted(&mut self.pages, path, MAX_PAGES) {
                self.distinct_pages = self.distinct_pages.saturating_add(1);
            }
        }
        for topic in &other.topics {
            insert_sorted(&mut self.topics, topic, MAX_TOPICS);
        }
        self.engaged_ms = self.engaged_ms.saturating_add(other.engaged_ms);
        self.forms_submitted = self.forms_submitted.saturating_add(other.forms_submitted);
        self.blocks_seen = self.blocks_seen.saturating_add(other.blocks_seen);
        self.blocks_clicked = self.blocks_clicked.saturating_add(other.blocks_clicked);
        self.blocks_converted = self.blocks_converted.saturating_add(other.blocks_converted);

        self.note_time(other.first_seen_ms, other.last_seen_ms);
        if let Some(touch) = &other.first_touch {
            self.note_first_touch(touch);
        }
        if let Some(touch) = &other.last_touch {
            self.note_last_touch(touch);
        }
    }

    /// The aggregates as rule facts, with `days_since_last_seen` counted at `now_ms`.
    pub fn facts_at(&self, now_ms: u64) -> ProfileFacts<'_> {
        ProfileFacts { aggregates: self, now_ms }
    }

    /// Widens the seen period to include `first_ms..=last_ms` (0: none).
    fn note_time(&mut self, first_ms: u64, last_ms: u64) {
        if first_ms != 0 && (self.first_seen_ms == 0 || first_ms < self.first_seen_ms) {
            self.first_seen_ms = first_ms;
        }
        self.last_seen_ms = self.last_seen_ms.max(last_ms);
    }

    fn note_session(&mut self, id: &str) {
        if !id.is_empty() && insert_session(&mut self.sessions, id) {
            self.visits = self.visits.saturating_add(1);
        }
    }

    fn note_pageview(&mut self, url: &str) {
        self.pageviews = self.pageviews.saturating_add(1);
        let path = page_path(url);
        if insert_sorted(&mut self.pages, path, MAX_PAGES) {
            self.distinct_pages = self.distinct_pages.saturating_add(1);
        }
        if let Some(topic) = topic_of(path) {
            insert_sorted(&mut self.topics, &topic, MAX_TOPICS);
        }
    }

    fn note_first_touch(&mut self, touch: &Touch) {
        if self.first_touch.as_ref().is_none_or(|first| touch.at_ms < first.at_ms) {
            self.first_touch = Some(touch.clone());
        }
    }

    fn note_last_touch(&mut self, touch: &Touch) {
        match &mut self.last_touch {
            Some(last) if touch.at_ms < last.at_ms => {}
            Some(last) if touch.landing.is_none() && last.same_attribution(touch) => {
                // A later page of the same visit: the visit's landing page stays.
                last.at_ms = touch.at_ms;
            }
            _ => self.last_touch = Some(touch.clone()),
        }
    }
}

/// Whole engaged milliseconds of an engagement event's value (0 when unusable).
fn engaged_ms(value: Option<f64>) -> u64 {
    match value {
        Some(ms) if ms.is_finite() && ms > 0.0 => ms as u64,
        _ => 0,
    }
}

/// The lowercased first segment of a path at least two segments deep.
fn topic_of(path: &str) -> Option<String> {
    let mut segments = path.split('/').filter(|segment| !segment.is_empty());
    let first = segments.next()?;
    segments.next()?;
    Some(first.to_ascii_lowercase())
}

/// Inserts `item` into the sorted `list` unless it is there or the list holds `max`;
/// true when inserted.
fn insert_sorted(list: &mut Vec<String>, item: &str, max: usize) -> bool {
    match list.binary_search_by(|kept| kept.as_str().cmp(item)) {
        Err(at) if list.len() < max => {
            list.insert(at, String::from(item));
            true
        }
        _ => false,
    }
}

/// Adds a session id to the sorted list, dropping the oldest beyond [`MAX_SESSIONS`];
/// true when it is a session not counted before.
fn insert_session(sessions: &mut Vec<String>, id: &str) -> bool {
    match sessions.binary_search_by(|kept| kept.as_str().cmp(id)) {
        Ok(_) => false,
        // Older than every kept session of a full list: counted long ago.
        Err(0) if sessions.len() >= MAX_SESSIONS => false,
        Err(at) => {
            sessions.insert(at, String::from(id));
            let excess = sessions.len().saturating_sub(MAX_SESSIONS);
            sessions.drain(..excess);
            true
        }
    }
}

/// [`Aggregates`] as rule facts at a moment; see [`FACT_NAMES`].
#[derive(Debug, Clone, Copy)]
pub struct ProfileFacts<'a> {
    aggregates: &'a Aggregates,
    now_ms: u64,
}

impl Facts for ProfileFacts<'_> {
    fn fact(&self, name: &str) -> Value {
        let aggregates = self.aggregates;
        match name {
            "visits" => aggregates.visits.into(),
            "pageviews" => aggregates.pageviews.into(),
            "distinct_pages" => aggregates.distinct_pages.into(),
            "engaged_seconds" => Value::Number(aggregates.engaged_ms as f64 / 1000.0),
            "forms_submitted" => aggregates.forms_submitted.into(),
            "blocks_seen" => aggregates.blocks_seen.into(),
            "blocks_clicked" => aggregates.blocks_clicked.into(),
            "blocks_converted" => aggregates.blocks_converted.into(),
            "days_since_last_seen" => self.days_since_last_seen(),
            "topics" => texts(&aggregates.topics),
            "pages" => texts(&aggregates.pages),
            _ => {
                if let Some(field) = name.strip_prefix("first_touch.") {
                    touch_fact(aggregates.first_touch.as_ref(), field)
                } else if let Some(field) = name.strip_prefix("last_touch.") {
                    touch_fact(aggregates.last_touch.as_ref(), field)
                } else {
                    Value::Null
                }
            }
        }
    }
}

impl ProfileFacts<'_> {
    /// Whole days since the last event; null when never seen.
    fn days_since_last_seen(&self) -> Value {
        let last_seen_ms = self.aggregates.last_seen_ms;
        if last_seen_ms == 0 {
            return Value::Null;
        }
        Value::Number((self.now_ms.saturating_sub(last_seen_ms) / DAY_MS) as f64)
    }
}

fn touch_fact(touch: Option<&Touch>, field: &str) -> Value {
    let Some(touch) = touch else {
        return Value::Null;
    };
    let text = match field {
        "channel" => Some(&touch.channel),
        "source" => touch.source.as_ref(),
        "medium" => touch.medium.as_ref(),
        "campaign" => touch.campaign.as_ref(),
        _ => None,
    };
    text.map_or(Value::Null, |text| Value::Text(text.clone()))
}

fn texts(items: &[String]) -> Value {
    Value::List(items.iter().map(|item| Value::Text(item.clone())).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attribution::from_url;
    use crate::rules::Rule;
    use std::string::ToString;
    use std::vec;

    /// 2025-01-15 00:00:00 UTC.
    const T0: u64 = 1_736_899_200_000;
    const MINUTE: u64 = 60_000;

    fn observed<'a>(kind: EventKind, session: &'a str, url: &'a str, at_ms: u64) -> Observed<'a> {
        Observed { kind, session, url, name: None, value: None, at_ms, touch: None }
    }

    fn pageview<'a>(session: &'a str, url: &'a str, at_ms: u64) -> Observed<'a> {
        observed(EventKind::Pageview, session, url, at_ms)
    }

    fn custom(name: &'static str, at_ms: u64) -> Observed<'static> {
        Observed { name: Some(name), ..observed(EventKind::Custom, "s1", "/", at_ms) }
    }

    fn touch(channel: &str, source: Option<&str>) -> Touch {
        Touch {
            source: source.map(str::to_string),
            medium: None,
            campaign: None,
            channel: channel.to_string(),
            at_ms: 0,
            landing: None,
            referrer: None,
        }
    }

    fn observe_all(events: &[Observed<'_>]) -> Aggregates {
        let mut aggregates = Aggregates::default();
        for event in events {
            aggregates.observe(event);
        }
        aggregates
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|item| item.to_string()).collect()
    }

    #[test]
    fn counts_a_small_history() {
        let engaged = |value, at_ms| Observed {
            value: Some(value),
            ..observed(EventKind::Engagement, "s1", "/", at_ms)
        };
        let aggregates = observe_all(&[
            pageview("s1", "https://shop.test/", T0),
            pageview("s1", "https://shop.test/blog/rust?ref=x", T0 + MINUTE),
            engaged(15_500.7, T0 + 2 * MINUTE),
            engaged(f64::NAN, T0 + 2 * MINUTE),
            engaged(-5.0, T0 + 2 * MINUTE),
            pageview("s2", "https://shop.test/blog/rust/", T0 + 3 * MINUTE),
            pageview("s2", "https://shop.test/Docs/start#install", T0 + 4 * MINUTE),
            observed(EventKind::FormSubmit, "s2", "/contact", T0 + 5 * MINUTE),
            observed(EventKind::BlockImpression, "s2", "/", T0 + 6 * MINUTE),
            observed(EventKind::BlockImpression, "s2", "/", T0 + 6 * MINUTE),
            observed(EventKind::BlockClick, "s2", "/", T0 + 7 * MINUTE),
            observed(EventKind::BlockConversion, "s2", "/", T0 + 8 * MINUTE),
            observed(EventKind::BlockDismiss, "s2", "/", T0 + 8 * MINUTE),
            custom("block_impression", T0 + 8 * MINUTE),
            observed(EventKind::Click, "s2", "/", T0 - MINUTE),
        ]);
        assert_eq!(
            aggregates,
            Aggregates {
                visits: 2,
                pageviews: 4,
                distinct_pages: 3,
                engaged_ms: 15_500,
                forms_submitted: 1,
                blocks_seen: 2,
                blocks_clicked: 1,
                blocks_converted: 1,
                first_seen_ms: T0 - MINUTE,
                last_seen_ms: T0 + 8 * MINUTE,
                first_touch: None,
                last_touch: None,
                pages: strings(&["/", "/Docs/start", "/blog/rust"]),
                topics: strings(&["blog", "docs"]),
                sessions: strings(&["s1", "s2"]),
            }
        );
    }

    #[test]
    fn visits_count_each_session_once() {
        let mut aggregates = Aggregates::default();
        for _ in 0..3 {
            aggregates.observe(&pageview("s1", "/", T0));
        }
        aggregates.observe(&pageview("", "/", T0));
        assert_eq!((aggregates.visits, aggregates.pageviews), (1, 4));
    }

    #[test]
    fn pages_and_topics_are_normalised() {
        for (url, path, topic) in [
            ("https://a.test", "/", None),
            ("https://a.test/?x=1", "/", None),
            ("https://a.test//", "/", None),
            ("https://a.test/pricing/", "/pricing", None),
            ("/Blog/Post", "/Blog/Post", Some("blog")),
            ("/blog//post/", "/blog//post", Some("blog")),
            ("https://a.test/en/docs/x#y", "/en/docs/x", Some("en")),
        ] {
            assert_eq!(page_path(url), path, "{url}");
            assert_eq!(topic_of(path).as_deref(), topic, "{url}");
        }
        let long = std::format!("/{}", "ż".repeat(200));
        let kept = page_path(&long);
        assert!(kept.len() <= MAX_PATH_LEN && long.starts_with(kept));
        assert_eq!(kept.len(), MAX_PATH_LEN - 1, "cut before a split character");
    }

    #[test]
    fn touches_keep_the_earliest_and_the_latest() {
        let with_touch =
            |at_ms, touch: Touch| Observed { touch: Some(touch), ..pageview("s1", "/", at_ms) };
        let aggregates = observe_all(&[
            with_touch(T0 + 10, touch("email", Some("newsletter"))),
            with_touch(T0, touch("organic_search", Some("google"))),
            pageview("s1", "/", T0 + 50),
            with_touch(T0 + 20, touch("paid_search", Some("google"))),
            with_touch(T0 + 5, touch("social", None)),
        ]);
        let first = aggregates.first_touch.expect("first touch");
        assert_eq!((first.channel.as_str(), first.at_ms), ("organic_search", T0));
        let last = aggregates.last_touch.expect("last touch");
        assert_eq!(
            (last.channel.as_str(), last.at_ms),
            ("paid_search", T0 + 20),
            "stamped with the event time"
        );
    }

    #[test]
    fn touch_from_attribution() {
        let attribution =
            from_url("https://a.test/?utm_source=Newsletter&utm_medium=email&utm_campaign=Spring");
        let touch = Touch::from_attribution(&attribution, Channel::Email, 7);
        assert_eq!(
            touch,
            Touch {
                source: Some("newsletter".to_string()),
                medium: Some("email".to_string()),
                campaign: Some("Spring".to_string()),
                channel: "email".to_string(),
                at_ms: 7,
                landing: None,
                referrer: None,
            }
        );
        let json = serde_json::to_value(Touch::from_attribution(
            &Attribution::default(),
            Channel::Direct,
            1,
        ))
        .expect("serializes");
        assert_eq!(json, serde_json::json!({"channel": "direct", "at_ms": 1}));
    }

    #[test]
    fn pages_stop_at_their_cap_and_distinct_pages_with_them() {
        let urls: Vec<String> =
            (0..MAX_PAGES + 20).map(|index| std::format!("/p/{index:04}")).collect();
        let mut aggregates = Aggregates::default();
        for (index, url) in urls.iter().enumerate() {
            aggregates.observe(&Observed { url, ..pageview("s1", "/", T0 + index as u64) });
        }
        assert_eq!(aggregates.pages.len(), MAX_PAGES);
        assert_eq!(aggregates.distinct_pages as usize, MAX_PAGES);
        assert_eq!(aggregates.pageviews as usize, MAX_PAGES + 20);
        assert!(aggregates.pages.is_sorted());
        assert_eq!(
            aggregates.pages.last().map(String::as_str),
            Some("/p/0499"),
            "the first 500 seen"
        );
    }

    #[test]
    fn topics_stop_at_their_cap() {
        let urls: Vec<String> =
            (0..MAX_TOPICS + 5).map(|index| std::format!("/t{index:02}/x")).collect();
        let mut aggregates = Aggregates::default();
        for url in &urls {
            aggregates.observe(&Observed { url, ..pageview("s1", "/", T0) });
        }
        assert_eq!(aggregates.topics.len(), MAX_TOPICS);
        assert!(aggregates.topics.is_sorted());
    }

    #[test]
    fn sessions_keep_the_latest_and_do_not_recount_older_ones() {
        let ids: Vec<String> =
            (0..MAX_SESSIONS + 10).map(|index| std::format!("0190-{index:04}")).collect();
        let mut aggregates = Aggregates::default();
        for id in &ids {
            aggregates.observe(&pageview(id, "/", T0));
        }
        assert_eq!(aggregates.visits as usize, MAX_SESSIONS + 10);
        assert_eq!(aggregates.sessions.len(), MAX_SESSIONS);
        assert_eq!(aggregates.sessions.first(), ids.get(10), "the oldest were dropped");
        // A late event of a dropped session is not a new visit; a new session is.
        aggregates.observe(&pageview(&ids[0], "/", T0));
        assert_eq!(aggregates.visits as usize, MAX_SESSIONS + 10);
        aggregates.observe(&pageview("0190-9999", "/", T0));
        assert_eq!(aggregates.visits as usize, MAX_SESSIONS + 11);
        assert_eq!(aggregates.sessions.len(), MAX_SESSIONS);
        assert_eq!(aggregates.sessions.last().map(String::as_str), Some("0190-9999"));
    }

    #[test]
    fn merging_with_nothing_changes_nothing() {
        let history = observe_all(&[
            Observed { touch: Some(touch("email", None)), ..pageview("s1", "/blog/a", T0) },
            observed(EventKind::BlockClick, "s1", "/", T0 + 1),
        ]);
        let mut merged = history.clone();
        merged.merge(&Aggregates::default());
        assert_eq!(merged, history);
        let mut empty = Aggregates::default();
        empty.merge(&history);
        assert_eq!(empty, history);
    }

    #[test]
    fn merging_shared_sessions_counts_them_once() {
        let mut anonymous = observe_all(&[pageview("s1", "/", T0), pageview("s2", "/a", T0 + 1)]);
        let known = observe_all(&[pageview("s2", "/b", T0 + 2), pageview("s3", "/", T0 + 3)]);
        anonymous.merge(&known);
        assert_eq!(anonymous.visits, 3);
        assert_eq!(anonymous.pageviews, 4);
        assert_eq!(anonymous.distinct_pages, 3);
        assert_eq!(anonymous.sessions, strings(&["s1", "s2", "s3"]));
        assert_eq!((anonymous.first_seen_ms, anonymous.last_seen_ms), (T0, T0 + 3));
    }

    #[test]
    fn facts_cover_every_documented_name() {
        let mut aggregates = observe_all(&[
            Observed {
                touch: Some(Touch {
                    campaign: Some("Spring".to_string()),
                    ..touch("email", Some("newsletter"))
                }),
                ..pageview("s1", "/blog/rust", T0)
            },
            Observed {
                touch: Some(touch("direct", None)),
                ..pageview("s2", "/pricing", T0 + 3 * DAY_MS)
            },
            Observed {
                value: Some(90_500.0),
                ..observed(EventKind::Engagement, "s2", "/", T0 + 3 * DAY_MS)
            },
            observed(EventKind::FormSubmit, "s2", "/", T0 + 3 * DAY_MS),
            observed(EventKind::BlockImpression, "s2", "/", T0 + 3 * DAY_MS),
        ]);
        aggregates.blocks_clicked = 2;
        aggregates.blocks_converted = 1;
        let now = T0 + 10 * DAY_MS + 5;
        let facts = aggregates.facts_at(now);
        let text = |value: &str| Value::Text(value.to_string());
        for (name, expected) in [
            ("visits", Value::Number(2.0)),
            ("pageviews", Value::Number(2.0)),
            ("distinct_pages", Value::Number(2.0)),
            ("engaged_seconds", Value::Number(90.5)),
            ("forms_submitted", Value::Number(1.0)),
            ("blocks_seen", Value::Number(1.0)),
            ("blocks_clicked", Value::Number(2.0)),
            ("blocks_converted", Value::Number(1.0)),
            ("days_since_last_seen", Value::Number(7.0)),
            ("first_touch.channel", text("email")),
            ("first_touch.source", text("newsletter")),
            ("first_touch.medium", Value::Null),
            ("first_touch.campaign", text("Spring")),
            ("last_touch.channel", text("direct")),
            ("last_touch.source", Value::Null),
            ("last_touch.medium", Value::Null),
            ("last_touch.campaign", Value::Null),
            ("topics", Value::List(vec![text("blog")])),
            ("pages", Value::List(vec![text("/blog/rust"), text("/pricing")])),
        ] {
            assert_eq!(facts.fact(name), expected, "{name}");
        }
        let names: Vec<&str> = FACT_NAMES.to_vec();
        assert_eq!(names.len(), 19);
        for unknown in ["", "visit", "first_touch.", "first_touch.term", "last_touch", "trait.role"]
        {
            assert_eq!(facts.fact(unknown), Value::Null, "{unknown}");
        }
    }

    #[test]
    fn facts_of_someone_never_seen() {
        let nobody = Aggregates::default();
        let facts = nobody.facts_at(T0);
        assert_eq!(facts.fact("days_since_last_seen"), Value::Null);
        assert_eq!(facts.fact("first_touch.channel"), Value::Null);
        assert_eq!(facts.fact("visits"), Value::Number(0.0));
        assert_eq!(facts.fact("pages"), Value::List(vec![]));
        // A clock behind the last event counts as zero days.
        let seen = observe_all(&[pageview("s", "/", T0)]);
        assert_eq!(seen.facts_at(T0 - DAY_MS).fact("days_since_last_seen"), Value::Number(0.0));
    }

    #[test]
    fn rules_read_profile_facts() {
        let aggregates = observe_all(&[
            Observed {
                touch: Some(touch("paid_search", Some("google"))),
                ..pageview("s1", "/pricing/teams", T0)
            },
            pageview("s2", "/blog/x", T0 + DAY_MS),
            pageview("s3", "/", T0 + 2 * DAY_MS),
        ]);
        let rule: Rule = serde_json::from_str(
            r#"{"all": [{"fact": "visits", "op": "gte", "value": 3},
                        {"fact": "pages", "op": "matches", "value": "/pricing*"},
                        {"fact": "topics", "op": "contains", "value": "BLOG"},
                        {"fact": "first_touch.channel", "op": "in", "value": ["paid_search", "paid_social"]},
                        {"fact": "days_since_last_seen", "op": "lt", "value": 7},
                        {"fact": "last_touch.campaign", "op": "missing"}]}"#,
        )
        .expect("rule parses");
        assert_eq!(rule.validate(FACT_NAMES), Ok(()));
        assert!(rule.evaluate(&aggregates.facts_at(T0 + 3 * DAY_MS)));
        assert!(!rule.evaluate(&aggregates.facts_at(T0 + 9 * DAY_MS)));
    }

    #[test]
    fn serde_round_trip_and_missing_fields() {
        let aggregates = observe_all(&[
            Observed { touch: Some(touch("email", Some("x"))), ..pageview("s1", "/blog/a", T0) },
            observed(EventKind::BlockClick, "s1", "/", T0 + 1),
        ]);
        let json = serde_json::to_string(&aggregates).expect("serializes");
        assert_eq!(serde_json::from_str::<Aggregates>(&json).expect("parses"), aggregates);
        let old: Aggregates =
            serde_json::from_str(r#"{"visits": 4, "unknown_later_field": 1}"#).expect("parses");
        assert_eq!(old, Aggregates { visits: 4, ..Aggregates::default() });
    }

    #[test]
    fn from_wire_reads_the_event() {
        let wire = ClientEvent {
            id: "e".to_string(),
            kind: EventKind::Engagement,
            session: "s".to_string(),
            url: "/x".to_string(),
            title: None,
            referrer: None,
            name: Some("n".to_string()),
            target: None,
            value: Some(1500.0),
            props: vec![],
            ts: 1,
        };
        let event = Observed::from_wire(&wire, 42, None);
        assert_eq!(
            event,
            Observed {
                kind: EventKind::Engagement,
                session: "s",
                url: "/x",
                name: Some("n"),
                value: Some(1500.0),
                at_ms: 42,
                touch: None,
            }
        );
    }

    /// A small seeded xorshift64* generator: reproducible cases, no dependency.
    struct Rng(u64);

    impl Rng {
        fn new(seed: u64) -> Self {
            Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
        }

        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }

        fn below(&mut self, bound: u64) -> u64 {
            self.next() % bound
        }

        fn pick<T: Copy>(&mut self, items: &[T]) -> T {
            items[self.below(items.len() as u64) as usize]
        }

        fn chance(&mut self, percent: u64) -> bool {
            self.below(100) < percent
        }
    }

    const KINDS: [EventKind; 7] = [
        EventKind::Pageview,
        EventKind::Pageview,
        EventKind::Engagement,
        EventKind::FormSubmit,
        EventKind::Custom,
        EventKind::Click,
        EventKind::Identify,
    ];
    const URLS: [&str; 8] = [
        "https://shop.test/",
        "https://shop.test/pricing",
        "https://shop.test/pricing/?plan=team",
        "https://shop.test/blog/rust",
        "https://shop.test/Blog/wasm#top",
        "/docs/start",
        "/docs/api/v1",
        "https://shop.test/careers/",
    ];
    const NAMES: [&str; 5] =
        ["block_impression", "block_click", "block_conversion", "signup", "demo"];
    const CHANNELS: [&str; 4] = ["direct", "email", "organic_search", "paid_social"];
    const SOURCES: [Option<&str>; 3] = [None, Some("google"), Some("newsletter")];

    struct Generated {
        kind: EventKind,
        session: String,
        url: &'static str,
        name: Option<&'static str>,
        value: Option<f64>,
        at_ms: u64,
        touch: Option<Touch>,
    }

    impl Generated {
        fn observed(&self) -> Observed<'_> {
            Observed {
                kind: self.kind,
                session: &self.session,
                url: self.url,
                name: self.name,
                value: self.value,
                at_ms: self.at_ms,
                touch: self.touch.clone(),
            }
        }
    }

    /// A stream whose times are `T0 + k * 2 + parity`: unique across the two streams of a
    /// case, so "in time order" is well defined.
    fn random_stream(rng: &mut Rng, parity: u64) -> Vec<Generated> {
        let mut slot = rng.below(1000);
        (0..rng.below(60))
            .map(|_| {
                slot += 1 + rng.below(5 * 24 * 60);
                let kind = rng.pick(&KINDS);
                Generated {
                    kind,
                    session: std::format!("0190-{:02}", rng.below(40)),
                    url: rng.pick(&URLS),
                    name: rng.chance(70).then(|| rng.pick(&NAMES)),
                    value: rng.chance(80).then(|| rng.below(120_000) as f64 + 0.25),
                    at_ms: T0 + slot * 2 * MINUTE + parity,
                    touch: (kind == EventKind::Pageview && rng.chance(30)).then(|| Touch {
                        source: rng.pick(&SOURCES).map(str::to_string),
                        medium: None,
                        campaign: rng.chance(50).then(|| std::format!("c{}", rng.below(3))),
                        channel: rng.pick(&CHANNELS).to_string(),
                        at_ms: rng.below(10),
                        landing: None,
                        referrer: None,
                    }),
                }
            })
            .collect()
    }

    fn observe_generated<'a>(events: impl IntoIterator<Item = &'a Generated>) -> Aggregates {
        let mut aggregates = Aggregates::default();
        for generated in events {
            aggregates.observe(&generated.observed());
        }
        aggregates
    }

    #[test]
    fn generated_histories_merge_like_one_history() {
        let (mut shared_sessions, mut touches_from_second) = (0, 0);
        for case in 0..200u64 {
            let mut rng = Rng::new(case + 1);
            let first = random_stream(&mut rng, 0);
            let second = random_stream(&mut rng, 1);

            let mut together: Vec<&Generated> = first.iter().chain(&second).collect();
            together.sort_by_key(|generated| generated.at_ms);
            let expected = observe_generated(together);

            let (first_alone, second_alone) =
                (observe_generated(&first), observe_generated(&second));
            let mut merged = first_alone.clone();
            merged.merge(&second_alone);
            assert_eq!(merged, expected, "case {case}");
            let mut reversed = second_alone.clone();
            reversed.merge(&first_alone);
            assert_eq!(reversed, expected, "case {case}, merged the other way");

            // Merging in pieces: observing a prefix, merging the rest's aggregates.
            let cut = rng.below(first.len() as u64 + 1) as usize;
            let mut pieces = observe_generated(&first[..cut]);
            pieces.merge(&observe_generated(&first[cut..]));
            assert_eq!(pieces, first_alone, "case {case}, cut at {cut}");

            touches_from_second += usize::from(
                expected.first_touch.is_some() && expected.first_touch == second_alone.first_touch,
            );
            touches_from_second += usize::from(
                expected.last_touch.is_some() && expected.last_touch == second_alone.last_touch,
            );
            shared_sessions +=
                first_alone.sessions.iter().filter(|id| second_alone.sessions.contains(id)).count();
            assert!(expected.sessions.len() < MAX_SESSIONS && expected.pages.len() < MAX_PAGES);
        }
        assert!(shared_sessions > 500, "the streams share sessions: {shared_sessions}");
        assert!(touches_from_second > 100, "touches come from either side: {touches_from_second}");
    }
}
