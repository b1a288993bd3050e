//! The facts an audience rule reads about the current visit and page, layered over a
//! profile's own facts (score, stage, aggregates, traits; see `profiles::model`).
//!
//! | fact | value |
//! |---|---|
//! | `page.url`, `page.path` | the page being shown |
//! | `page.referrer` | where the visit came from |
//! | `page.utm_source` ... `page.utm_content`, `page.channel` | the page's campaign and the channel it credits |
//! | `segments` | the profile's segments (a list: `segments contains pricing-interest`) |
//! | `device` | `desktop`, `tablet` or `mobile` |
//! | `language` | the browser's language (`pl-PL`) |
//! | `visit` | this visit's number, 1 for a first visit |
//! | `returning` | true from the second visit on |

use kindling_core::attribution::{self, Attribution, host_of};
use kindling_core::channel::{self, Channel};
use std::sync::LazyLock;

use kindling_core::device::{self, DeviceClass};
use kindling_core::rules::{Facts, Value};
use kindling_core::scoring::path_of;
use kindling_core::wire::Context;

use crate::profiles::facts::KNOWN_FACTS;

/// The facts of the visit, beside the profile's (`page.*` is a profile fact family).
const VISIT_FACTS: &[&str] = &["segments", "device", "language", "visit", "returning"];

/// The fact names audience rules may use: the profile's and the visit's.
pub static AUDIENCE_FACTS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| KNOWN_FACTS.iter().chain(VISIT_FACTS).copied().collect());

/// What the widget told us about the page and the visit.
#[derive(Debug, Clone, Default)]
pub struct Visit<'a> {
    pub url: &'a str,
    pub referrer: Option<&'a str>,
    /// 1-based; 0 when unknown.
    pub number: u32,
    pub session: &'a str,
    pub language: Option<&'a str>,
    pub device: Option<DeviceClass>,
}

impl<'a> Visit<'a> {
    /// The visit of a page at `url` as the widget describes it (`context`), with the
    /// device from the request's user agent.
    pub fn of(
        url: &'a str,
        referrer: Option<&'a str>,
        session: &'a str,
        context: Option<&'a Context>,
        user_agent: &str,
    ) -> Visit<'a> {
        Visit {
            url,
            referrer,
            number: context.map_or(0, |context| context.visit),
            session,
            language: context.and_then(|context| context.language.as_deref()),
            device: Some(device::classify(
                user_agent,
                context.and_then(|context| context.viewport),
                context.map_or(0, |context| context.touch),
            )),
        }
    }
}

/// [`Visit`] and the profile's segments as rule facts.
pub struct VisitFacts<'a> {
    pub visit: &'a Visit<'a>,
    pub segments: &'a [String],
    attribution: Attribution,
}

impl<'a> VisitFacts<'a> {
    pub fn new(visit: &'a Visit<'a>, segments: &'a [String]) -> Self {
        VisitFacts { visit, segments, attribution: attribution::from_url(visit.url) }
    }

    fn channel(&self) -> Channel {
        let own_host = host_of(self.visit.url);
        channel::classify(&self.attribution, self.visit.referrer, own_host.as_deref())
    }
}

impl Facts for VisitFacts<'_> {
    fn fact(&self, name: &str) -> Value {
        let text =
            |value: Option<&str>| value.map_or(Value::Null, |text| Value::Text(text.to_owned()));
        match name {
            "page.url" => Value::Text(self.visit.url.to_owned()),
            "page.path" => Value::Text(path_of(self.visit.url).to_owned()),
            "page.referrer" => text(self.visit.referrer),
            "page.utm_source" => text(self.attribution.utm.source.as_deref()),
            "page.utm_medium" => text(self.attribution.utm.medium.as_deref()),
            "page.utm_campaign" => text(self.attribution.utm.campaign.as_deref()),
            "page.utm_term" => text(self.attribution.utm.term.as_deref()),
            "page.utm_content" => text(self.attribution.utm.content.as_deref()),
            "page.channel" => Value::Text(self.channel().as_str().to_owned()),
            "segments" => {
                Value::List(self.segments.iter().map(|id| Value::Text(id.clone())).collect())
            }
            "device" => self
                .visit
                .device
                .map_or(Value::Null, |device| Value::Text(device.as_str().to_owned())),
            "language" => text(self.visit.language),
            "visit" if self.visit.number > 0 => Value::Number(f64::from(self.visit.number)),
            "returning" if self.visit.number > 0 => Value::Bool(self.visit.number > 1),
            _ => Value::Null,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visit_facts_read_the_page_and_the_visit() {
        let visit = Visit {
            url: "https://shop.example/pricing?utm_source=newsletter&utm_medium=email",
            referrer: None,
            number: 3,
            session: "s",
            language: Some("pl-PL"),
            device: Some(DeviceClass::Mobile),
        };
        let segments = vec!["pricing-interest".to_owned()];
        let facts = VisitFacts::new(&visit, &segments);
        assert_eq!(facts.fact("page.path"), Value::Text("/pricing".into()));
        assert_eq!(facts.fact("page.utm_source"), Value::Text("newsletter".into()));
        assert_eq!(facts.fact("page.channel"), Value::Text("email".into()));
        assert_eq!(facts.fact("returning"), Value::Bool(true));
        assert_eq!(facts.fact("visit"), Value::Number(3.0));
        assert_eq!(facts.fact("device"), Value::Text("mobile".into()));
        assert_eq!(facts.fact("language"), Value::Text("pl-PL".into()));
        assert_eq!(facts.fact("page.referrer"), Value::Null);
        assert_eq!(
            facts.fact("segments"),
            Value::List(vec![Value::Text("pricing-interest".into())])
        );
        let unknown = Visit { url: "/", ..Visit::default() };
        assert_eq!(VisitFacts::new(&unknown, &[]).fact("returning"), Value::Null);
    }
}
