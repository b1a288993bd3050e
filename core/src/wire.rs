//! The JSON protocol between the widget and the collector.
//!
//! One type per message, shared by both sides so the format cannot drift:
//! - `POST /v1/boot`: [`BootRequest`] → [`BootResponse`] (visitor state and the
//!   decisions for the page's content slots);
//! - `POST /v1/events`: [`EventBatch`] → [`EventsAccepted`];
//! - lead forms: [`FormView`] (in boot answers and `GET /v1/forms/{form}`),
//!   `POST /v1/forms/{form}/submissions`: [`FormSubmission`] → [`SubmissionAccepted`],
//!   or 422 with [`FormRejected`];
//! - any error: [`ErrorBody`] with a machine-readable code and the offending field.
//!
//! Field names are short and snake_case; unknown fields are ignored so older widgets
//! keep working against newer collectors. Keep the number of distinct types the widget
//! deserializes small: every derived type costs wasm size.

use alloc::string::String;
use alloc::vec::Vec;

use alloc::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::blocks::{Layout, Placement, Trigger};
use crate::forms::Field;

/// `POST /v1/boot`: the widget's first call on every page load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BootRequest {
    /// The site's public key (`data-site` on the script tag).
    pub site: String,
    /// The anonymous visitor id the widget keeps first-party.
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
    )]
    pub visitor: String,
    /// The page's full URL.
    pub url: String,
    /// `document.referrer`, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrer: Option<String>,
    /// Names of the `[data-kindling-slot]` elements found on the page.
    #[serde(default)]
    pub slots: Vec<String>,
    /// The current visit's id (UUID), for per-visit caps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
    )]
    pub session: Option<String>,
    /// What the widget knows of the visit (visit number, language, device).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Context>,
    /// The widget made the visitor id on this very page: the collector cannot know the
    /// visitor yet and need not look.
    #[serde(default, skip_serializing_if = "is_false")]
    pub new_visitor: bool,
    /// Ids of the lead forms the page embeds (`[data-kindling-lead-form]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forms: Vec<String>,
}

fn is_false(flag: &bool) -> bool {
    !*flag
}

/// The answer to [`BootRequest`]: everything the widget needs for this page in one
/// round trip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BootResponse {
    pub visitor: VisitorState,
    /// One decision per slot that has something to show (slots without one stay
    /// empty), then the overlay blocks (modal, slide-in, bars) whose triggers the
    /// widget watches.
    #[serde(default)]
    pub decisions: Vec<Decision>,
    /// The forms the page embeds and the forms its decisions' calls to action open,
    /// as this visitor is to see them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forms: Vec<FormView>,
}

/// What the collector knows of the visitor, as far as the widget needs it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VisitorState {
    pub id: String,
    #[serde(default)]
    pub score: i32,
    #[serde(default)]
    pub temperature: String,
    #[serde(default)]
    pub stage: String,
    #[serde(default)]
    pub segments: Vec<String>,
}

/// A block chosen for this visitor on this page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Decision {
    /// For inline blocks, the `data-kindling-slot` name the content goes into; empty
    /// for overlays.
    #[serde(default)]
    pub slot: String,
    /// The block's id in the configuration.
    pub block: String,
    /// The variant of the block this visitor sees.
    pub variant: String,
    #[serde(default = "inline")]
    pub placement: Placement,
    /// How the block arranges its content (`standard` when absent).
    #[serde(default, skip_serializing_if = "Layout::is_standard")]
    pub layout: Layout,
    #[serde(default)]
    pub trigger: Trigger,
    pub content: BlockContent,
}

fn inline() -> Placement {
    Placement::Inline
}

/// What a block shows. `body_html` is sanitized by the collector when the
/// configuration is loaded; the widget inserts it into a shadow root with DOM APIs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BlockContent {
    pub headline: String,
    #[serde(default)]
    pub body_html: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Image>,
    /// At most two calls to action.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ctas: Vec<Cta>,
    /// A recommendation block's items, ranked for the visitor.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Link>,
}

/// An image with its text alternative (empty for a decorative image).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Image {
    pub url: String,
    #[serde(default)]
    pub alt: String,
}

/// A call to action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cta {
    pub label: String,
    pub action: CtaAction,
    /// For `link`, an `http(s)` URL or a site path (checked by the collector); for
    /// `form`, the form's id; empty for `dismiss`.
    #[serde(default)]
    pub target: String,
}

/// What a call to action does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CtaAction {
    Link,
    Form,
    Dismiss,
}

impl CtaAction {
    /// The name used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            CtaAction::Link => "link",
            CtaAction::Form => "form",
            CtaAction::Dismiss => "dismiss",
        }
    }
}

/// A titled link (a recommended item).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Link {
    pub title: String,
    pub url: String,
}

/// `POST /v1/events`: a batch of events from one visitor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventBatch {
    pub site: String,
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
    )]
    pub visitor: String,
    /// What the widget knows of the visit; sent with every batch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Context>,
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 100))]
    pub events: Vec<ClientEvent>,
    /// The `[data-kindling-slot]` names on the current page: when the batch changes
    /// what the visitor should see, the answer carries new decisions for them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slots: Vec<String>,
}

/// The visit an event batch belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Context {
    /// The visitor's 1-based visit number (sessions so far).
    pub visit: u32,
    /// When the visitor was first seen, by the client's clock (ms since the epoch).
    #[serde(default)]
    pub first_visit_ms: u64,
    /// The URL the visit started on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub landing: Option<String>,
    /// The referrer the visit came from (outside the site).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrer: Option<String>,
    /// `navigator.language`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// The browser window's width in CSS pixels (`outerWidth`: unlike the viewport's
    /// `innerWidth`, read without forcing a layout of the page; `innerWidth` while the
    /// browser does not know the window's size yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub viewport: Option<u32>,
    /// `navigator.maxTouchPoints`.
    #[serde(default)]
    pub touch: u32,
    /// Events the widget had to drop from its full offline queue since it last said so.
    #[serde(default)]
    pub dropped: u32,
}

/// One event as the widget records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClientEvent {
    /// Client-generated UUID: a resend of the same event is stored once.
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
    )]
    pub id: String,
    #[serde(rename = "type")]
    pub kind: EventKind,
    /// The session (visit) id, a UUID.
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
    )]
    pub session: String,
    /// The page's full URL when the event happened.
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// For pageviews: the previous page (inside a single-page app) or the external
    /// referrer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrer: Option<String>,
    /// What the event is about: the CTA's `data-kindling-track` name, a form's id, a
    /// custom event's name, a block's id (block events).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A link's destination (clicks), a form field's name (form events) or the
    /// variant's id (block events).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// A measure: scroll depth in percent, engaged milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// Custom properties (`track`) or traits (`identify`).
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "props")]
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, PropValue>))]
    pub props: Vec<(String, PropValue)>,
    /// The client's clock, milliseconds since the Unix epoch. The collector's clock is
    /// the authority; this is kept only as an offset.
    pub ts: u64,
}

/// A property value: text, number or true/false.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum PropValue {
    Bool(bool),
    Number(f64),
    Text(String),
}

/// The kinds of event the protocol knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A page was shown (first load or a single-page-app route change).
    Pageview,
    /// A click on a tracked element, an outbound link or a file download.
    Click,
    /// A scroll depth milestone (`value`: 25, 50, 75 or 100).
    Scroll,
    /// Time the page was visible and the visitor active (`value`: milliseconds).
    Engagement,
    /// A lead form was shown (`name`: the form).
    FormView,
    /// The first interaction with a form (`name`: the form).
    FormStart,
    /// A form field completed (`target`: the field's name; never its value).
    FormField,
    /// A form started and left unsent (`target`: the last field reached).
    FormAbandon,
    /// A form sent.
    FormSubmit,
    /// The visitor made known (`props`: email and traits).
    Identify,
    /// A site-defined event (`name`, `props`).
    Custom,
    /// A block was shown (`name`: the block, `target`: the variant).
    BlockImpression,
    /// A block's call to action was used (`value`: its position, 0 or 1).
    BlockClick,
    /// A block was closed by the visitor.
    BlockDismiss,
    /// A block's goal was reached; the collector derives these from the goal events.
    BlockConversion,
}

impl EventKind {
    /// Every kind, in the order of the protocol's documentation.
    pub const ALL: [EventKind; 15] = [
        EventKind::Pageview,
        EventKind::Click,
        EventKind::Scroll,
        EventKind::Engagement,
        EventKind::FormView,
        EventKind::FormStart,
        EventKind::FormField,
        EventKind::FormAbandon,
        EventKind::FormSubmit,
        EventKind::Identify,
        EventKind::Custom,
        EventKind::BlockImpression,
        EventKind::BlockClick,
        EventKind::BlockDismiss,
        EventKind::BlockConversion,
    ];

    /// The kind with this wire name.
    pub fn parse(name: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|kind| kind.as_str() == name)
    }

    /// The name used on the wire and in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Pageview => "pageview",
            EventKind::Click => "click",
            EventKind::Scroll => "scroll",
            EventKind::Engagement => "engagement",
            EventKind::FormView => "form_view",
            EventKind::FormStart => "form_start",
            EventKind::FormField => "form_field",
            EventKind::FormAbandon => "form_abandon",
            EventKind::FormSubmit => "form_submit",
            EventKind::Identify => "identify",
            EventKind::Custom => "custom",
            EventKind::BlockImpression => "block_impression",
            EventKind::BlockClick => "block_click",
            EventKind::BlockDismiss => "block_dismiss",
            EventKind::BlockConversion => "block_conversion",
        }
    }
}

/// Properties travel as a JSON object; kept in order as pairs (also used by
/// `scoring`'s event matchers).
pub(crate) mod props {
    use alloc::string::String;
    use alloc::vec::Vec;
    use core::fmt;

    use serde::de::{MapAccess, Visitor};
    use serde::ser::SerializeMap;
    use serde::{Deserializer, Serializer};

    use super::PropValue;

    pub fn serialize<S: Serializer>(
        props: &[(String, PropValue)],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(props.len()))?;
        for (key, value) in props {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<(String, PropValue)>, D::Error> {
        struct PairsVisitor;
        impl<'de> Visitor<'de> for PairsVisitor {
            type Value = Vec<(String, PropValue)>;
            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str("an object of text, number or boolean values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut pairs = Vec::new();
                while let Some(pair) = map.next_entry::<String, PropValue>()? {
                    pairs.push(pair);
                }
                Ok(pairs)
            }
        }
        deserializer.deserialize_map(PairsVisitor)
    }
}

/// The answer to an accepted [`EventBatch`]: every counted event is committed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventsAccepted {
    /// Events stored by this request.
    pub accepted: u32,
    /// Events already stored by an earlier request with the same id.
    pub duplicates: u32,
    /// Events refused, each with the reason; the others in the batch were kept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rejected: Vec<Rejection>,
    /// The visitor as the collector now knows them.
    pub visitor: VisitorSummary,
    /// New decisions for the batch's slots and overlays, present only when the batch
    /// changed what the visitor should see.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decisions: Option<Vec<Decision>>,
}

/// One refused event of a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rejection {
    /// Its position in the batch.
    pub index: u32,
    /// The JSON path of the field at fault (`events[3].url`).
    pub field: String,
    pub message: String,
}

/// What the collector knows of a visitor after a batch: counts, and the profile's
/// score, temperature, lifecycle stage and segments (bot traffic has no profile).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VisitorSummary {
    pub visits: u32,
    pub events: u32,
    #[serde(default)]
    pub score: i32,
    #[serde(default)]
    pub temperature: String,
    #[serde(default)]
    pub stage: String,
    #[serde(default)]
    pub segments: Vec<String>,
}

/// The body of every error response: `{"error": {"code", "message", "field"}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// A machine-readable code, a human-readable message and, where one field is at
/// fault, its JSON path (`events[3].url`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// A lead form as one visitor is to see it: progressive profiling has already left out
/// what the profile knows and brought in the next questions of the form's queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormView {
    pub id: String,
    /// The fields asked this time, hidden ones included, in the form's order.
    pub fields: Vec<Field>,
    /// Field names per step, naming only fields of `fields`; one step unless the form
    /// is multi-step. Hidden fields are in no step.
    pub steps: Vec<Vec<String>>,
    /// Values to fill in, by field name (where the site allows prefilling).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, String>,
    /// The submit button's label; empty: the widget's own ("Send", "Wyślij").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub submit: String,
    #[serde(default)]
    pub success: FormSuccess,
}

/// What the visitor sees once a form is sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormSuccess {
    /// A thank-you message; empty: the widget's own.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// Where to send the visitor instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect: Option<String>,
    /// A lead magnet's download link, revealed after sending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub download: Option<String>,
}

/// `POST /v1/forms/{form}/submissions` from the widget (`application/json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FormSubmission {
    pub site: String,
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
    )]
    pub visitor: String,
    /// A UUID the widget made for this submission: a resend is stored once.
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
    )]
    pub id: String,
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(pattern = "^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?$")
    )]
    pub session: String,
    /// The page the form was sent from.
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub url: String,
    /// Every value as the browser has it, by field name (checkboxes and consents:
    /// `true` or empty).
    pub values: BTreeMap<String, String>,
    /// Milliseconds from the form being shown to being sent.
    pub elapsed_ms: u64,
    /// The honeypot input: empty for people.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub honeypot: String,
    /// The block (and its variant) the form was opened from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// The page's language tag, for the messages of a 422.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Context>,
    /// The page's slots, for new decisions in the answer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slots: Vec<String>,
}

/// The answer to an accepted [`FormSubmission`]: the lead is committed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubmissionAccepted {
    /// The submission's id: the one sent, or the earlier submission this one repeats.
    pub submission: String,
    /// The same person sent the same form a moment ago; that submission stands.
    #[serde(default, skip_serializing_if = "is_false")]
    pub duplicate: bool,
    /// Double opt-in: consent waits for the visitor to follow the emailed link.
    #[serde(default, skip_serializing_if = "is_false")]
    pub confirmation_pending: bool,
    pub success: FormSuccess,
    /// New decisions for the page's slots and overlays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decisions: Option<Vec<Decision>>,
}

/// A 422 answer: `error` as every error, then every field at fault with the message
/// the widget shows for it (the same words it shows itself).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FormRejected {
    pub error: ErrorDetail,
    pub fields: Vec<FieldError>,
}

/// One field's problem in a [`FormRejected`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    /// [`Problem::code`](crate::forms::Problem::code).
    pub code: String,
    pub message: String,
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
            context: None,
            slots: vec![],
            events: vec![ClientEvent {
                id: "0190f3c2-7d2a-7c4e-8a8b-0123456789ac".into(),
                kind: EventKind::Pageview,
                session: "0190f3c2-7d2a-7c4e-8a8b-0123456789ad".into(),
                url: "https://example.com/".into(),
                title: Some("Home".into()),
                referrer: None,
                name: None,
                target: None,
                value: None,
                props: vec![
                    ("plan".into(), PropValue::Text("growth".into())),
                    ("seats".into(), PropValue::Number(12.0)),
                    ("trial".into(), PropValue::Bool(true)),
                ],
                ts: 1_764_000_000_000,
            }],
        };
        let json = serde_json::to_value(&batch).expect("serializes");
        assert_eq!(json["events"][0]["type"], "pageview");
        assert!(json["events"][0].get("referrer").is_none(), "{json}");
        assert_eq!(json["events"][0]["props"]["seats"], 12.0, "{json}");
        assert_eq!(json["events"][0]["props"]["plan"], "growth", "{json}");
        let back: EventBatch = serde_json::from_value(json).expect("parses");
        assert_eq!(back, batch);
    }

    #[test]
    fn boot_response_tolerates_missing_optional_parts_and_unknown_fields() {
        let json = r#"{"visitor":{"id":"v","score":3},"decisions":[
            {"slot":"hero","block":"b","variant":"a","content":{"headline":"Hi"}}]}"#;
        let response: BootResponse = serde_json::from_str(json).expect("parses");
        assert_eq!(response.decisions[0].content.body_html, "");
        assert!(response.decisions[0].content.ctas.is_empty());
        assert_eq!(response.decisions[0].placement, Placement::Inline);
        assert_eq!(response.decisions[0].trigger, Trigger::Immediate);
    }

    #[test]
    fn unknown_event_kinds_are_rejected() {
        let json = r#"{"id":"x","type":"teleport","session":"s","url":"/","ts":1}"#;
        let error = serde_json::from_str::<ClientEvent>(json).expect_err("must fail");
        assert!(error.to_string().contains("teleport"), "{error}");
    }
}

#[cfg(test)]
mod prop_tests {
    use super::*;

    #[test]
    fn props_refuse_nested_values() {
        let json =
            r#"{"id":"x","type":"custom","session":"s","url":"/","ts":1,"props":{"a":{"b":1}}}"#;
        assert!(serde_json::from_str::<ClientEvent>(json).is_err());
        let json = r#"{"id":"x","type":"custom","session":"s","url":"/","ts":1,"props":{"a":"1","b":2.5,"c":false}}"#;
        let event: ClientEvent = serde_json::from_str(json).expect("flat props parse");
        assert_eq!(event.props.len(), 3);
        assert_eq!(event.props[1], ("b".into(), PropValue::Number(2.5)));
    }
}
