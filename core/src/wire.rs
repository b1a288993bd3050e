//! The JSON protocol between the widget and the collector.
//!
//! One type per message, shared by both sides so the format cannot drift:
//! - `POST /v1/boot`: [`BootRequest`] → [`BootResponse`] (visitor state and the
//!   decisions for the page's content slots);
//! - `POST /v1/events`: [`EventBatch`] → [`EventsAccepted`];
//! - any error: [`ErrorBody`] with a machine-readable code and the offending field.
//!
//! Field names are short and snake_case; unknown fields are ignored so older widgets
//! keep working against newer collectors. Keep the number of distinct types the widget
//! deserializes small: every derived type costs wasm size.

use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

/// `POST /v1/boot`: the widget's first call on every page load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BootRequest {
    /// The site's public key (`data-site` on the script tag).
    pub site: String,
    /// The anonymous visitor id the widget keeps first-party.
    pub visitor: String,
    /// The page's full URL.
    pub url: String,
    /// `document.referrer`, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrer: Option<String>,
    /// Names of the `[data-kindling-slot]` elements found on the page.
    #[serde(default)]
    pub slots: Vec<String>,
}

/// The answer to [`BootRequest`]: everything the widget needs for this page in one
/// round trip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BootResponse {
    pub visitor: VisitorState,
    /// One decision per slot that has something to show; slots without one stay empty.
    #[serde(default)]
    pub decisions: Vec<Decision>,
}

/// What the collector knows of the visitor, as far as the widget needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitorState {
    pub id: String,
}

/// The content chosen for one slot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// The `data-kindling-slot` name this content goes into.
    pub slot: String,
    /// The block's id in the configuration.
    pub block: String,
    /// The variant of the block this visitor sees.
    pub variant: String,
    pub content: BlockContent,
}

/// What a block shows. `body_html` is sanitized by the collector when the
/// configuration is loaded; the widget inserts it into a shadow root as is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockContent {
    pub headline: String,
    #[serde(default)]
    pub body_html: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cta: Option<Cta>,
}

/// A call to action: a labelled link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cta {
    pub label: String,
    /// An `http(s)` URL or a site-relative path; checked by the collector.
    pub url: String,
}

/// `POST /v1/events`: a batch of events from one visitor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventBatch {
    pub site: String,
    pub visitor: String,
    pub events: Vec<ClientEvent>,
}

/// One event as the widget records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientEvent {
    /// Client-generated UUID: a resend of the same event is stored once.
    pub id: String,
    #[serde(rename = "type")]
    pub kind: EventKind,
    /// The page's full URL when the event happened.
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrer: Option<String>,
    /// The client's clock, milliseconds since the Unix epoch. The collector's clock is
    /// the authority; this is kept only as an offset.
    pub ts: u64,
}

/// The kinds of event the protocol knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Pageview,
}

impl EventKind {
    /// The name used on the wire and in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Pageview => "pageview",
        }
    }
}

/// The answer to an accepted [`EventBatch`]: every counted event is committed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventsAccepted {
    /// Events stored by this request.
    pub accepted: u32,
    /// Events already stored by an earlier request with the same id.
    pub duplicates: u32,
}

/// The body of every error response: `{"error": {"code", "message", "field"}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// A machine-readable code, a human-readable message and, where one field is at
/// fault, its JSON path (`events[3].url`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;
    use std::vec;

    #[test]
    fn event_batch_uses_the_documented_field_names() {
        let batch = EventBatch {
            site: "pk_demo".into(),
            visitor: "0190f3c2-7d2a-7c4e-8a8b-0123456789ab".into(),
            events: vec![ClientEvent {
                id: "0190f3c2-7d2a-7c4e-8a8b-0123456789ac".into(),
                kind: EventKind::Pageview,
                url: "https://example.com/".into(),
                title: Some("Home".into()),
                referrer: None,
                ts: 1_764_000_000_000,
            }],
        };
        let json = serde_json::to_value(&batch).expect("serializes");
        assert_eq!(json["events"][0]["type"], "pageview");
        assert!(json["events"][0].get("referrer").is_none(), "{json}");
        let back: EventBatch = serde_json::from_value(json).expect("parses");
        assert_eq!(back, batch);
    }

    #[test]
    fn boot_response_tolerates_missing_optional_parts_and_unknown_fields() {
        let json = r#"{"visitor":{"id":"v","score":3},"decisions":[
            {"slot":"hero","block":"b","variant":"a","content":{"headline":"Hi"}}]}"#;
        let response: BootResponse = serde_json::from_str(json).expect("parses");
        assert_eq!(response.decisions[0].content.body_html, "");
        assert_eq!(response.decisions[0].content.cta, None);
    }

    #[test]
    fn unknown_event_kinds_are_rejected() {
        let json = r#"{"id":"x","type":"teleport","url":"/","ts":1}"#;
        let error = serde_json::from_str::<ClientEvent>(json).expect_err("must fail");
        assert!(error.to_string().contains("teleport"), "{error}");
    }
}
