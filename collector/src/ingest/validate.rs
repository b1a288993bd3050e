//! Validation of an event batch: the envelope must be right or the whole request is
//! refused; each event is then checked on its own, so one bad event does not cost the
//! others. Accepted events come out as rows ready to store, with what the collector
//! derives: the visit's channel and campaign (on pageviews), the device class and
//! the bot flag.

use kindling_core::attribution::{self, Attribution};
use kindling_core::channel::{self, Channel};
use kindling_core::device;
use kindling_core::ids::is_uuid;
use kindling_core::limits::{
    MAX_EVENTS_PER_BATCH, MAX_PROP_KEY_LEN, MAX_PROPS, MAX_SLOTS, MAX_TEXT_LEN, MAX_URL_LEN,
    has_nul,
};
use kindling_core::wire::{ClientEvent, Context, EventKind, PropValue, Rejection};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::error::ApiError;
use crate::store::StoredEvent;

/// How far a client's clock may be from the collector's before the offset is clamped.
pub const MAX_CLOCK_SKEW_MS: i64 = 24 * 60 * 60 * 1000;

/// The batch envelope; events stay raw until checked one by one.
#[derive(Debug, Deserialize)]
pub struct RawBatch {
    pub site: String,
    pub visitor: String,
    #[serde(default)]
    pub context: Option<Context>,
    pub events: Vec<Box<RawValue>>,
    /// The page's slots, for new decisions in the answer.
    #[serde(default)]
    pub slots: Vec<String>,
}

/// What the request tells besides its body.
pub struct Request<'a> {
    pub site: &'a str,
    pub user_agent: &'a str,
    pub bot: bool,
    pub now: i64,
}

/// The outcome of checking a batch.
#[derive(Debug)]
pub struct Checked {
    pub events: Vec<StoredEvent>,
    /// Each accepted event's position in the batch.
    pub positions: Vec<u32>,
    pub rejected: Vec<Rejection>,
}

/// Checks `batch`. Fails when the envelope is wrong or every event is refused.
pub fn batch(batch: &RawBatch, request: &Request<'_>) -> Result<Checked, ApiError> {
    if !is_uuid(&batch.visitor) {
        return Err(ApiError::invalid("visitor", "must be a lowercase hyphenated UUID"));
    }
    if batch.events.is_empty() {
        return Err(ApiError::invalid("events", "must hold at least one event"));
    }
    if batch.events.len() > MAX_EVENTS_PER_BATCH {
        return Err(ApiError::invalid("events", "more than 100 events in one batch"));
    }
    if let Some(context) = &batch.context {
        check_context(context)?;
    }
    if batch.slots.len() > MAX_SLOTS {
        return Err(ApiError::invalid("slots", "too many slots"));
    }
    if let Some(index) = batch.slots.iter().position(|slot| slot.len() > MAX_TEXT_LEN) {
        return Err(ApiError::invalid(format!("slots[{index}]"), "slot name too long"));
    }
    let visit = Visit::of(batch, request.user_agent);
    let mut checked = Checked {
        events: Vec::with_capacity(batch.events.len()),
        positions: Vec::with_capacity(batch.events.len()),
        rejected: Vec::new(),
    };
    for (index, raw) in batch.events.iter().enumerate() {
        match parse_event(raw, index).and_then(|event| check_event(&event, index).map(|()| event)) {
            Ok(event) => {
                checked.events.push(row(event, batch, request, &visit));
                checked.positions.push(u32::try_from(index).unwrap_or(u32::MAX));
            }
            Err((field, message)) => checked.rejected.push(Rejection {
                index: u32::try_from(index).unwrap_or(u32::MAX),
                field,
                message,
            }),
        }
    }
    if checked.events.is_empty()
        && let Some(first) = checked.rejected.first()
    {
        return Err(ApiError::invalid(first.field.clone(), first.message.clone()));
    }
    Ok(checked)
}

type Problem = (String, String);

/// Parses one event, as [`crate::json::parse`] does a body: without tracking JSON
/// paths, then again with them only for an event that fails, to name its field.
fn parse_event(raw: &RawValue, index: usize) -> Result<ClientEvent, Problem> {
    serde_json::from_str(raw.get()).or_else(|_| parse_event_naming_the_path(raw, index))
}

fn parse_event_naming_the_path(raw: &RawValue, index: usize) -> Result<ClientEvent, Problem> {
    let mut deserializer = serde_json::Deserializer::from_str(raw.get());
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let (field, message) = crate::json::field_problem(error);
        let field =
            field.map_or_else(|| format!("events[{index}]"), |f| format!("events[{index}].{f}"));
        (field, message)
    })
}

fn check_event(event: &ClientEvent, index: usize) -> Result<(), Problem> {
    let problem =
        |field: &str, message: &str| (format!("events[{index}].{field}"), message.to_owned());
    if !is_uuid(&event.id) {
        return Err(problem("id", "must be a lowercase hyphenated UUID"));
    }
    if !is_uuid(&event.session) {
        return Err(problem("session", "must be a lowercase hyphenated UUID"));
    }
    if event.url.is_empty() || event.url.len() > MAX_URL_LEN {
        return Err(problem("url", "must be 1 to 2048 bytes"));
    }
    let too_long =
        |text: &Option<String>, limit: usize| text.as_ref().is_some_and(|t| t.len() > limit);
    if too_long(&event.referrer, MAX_URL_LEN) {
        return Err(problem("referrer", "longer than 2048 bytes"));
    }
    if too_long(&event.target, MAX_URL_LEN) {
        return Err(problem("target", "longer than 2048 bytes"));
    }
    if too_long(&event.title, MAX_TEXT_LEN) {
        return Err(problem("title", "longer than 512 bytes"));
    }
    if too_long(&event.name, MAX_TEXT_LEN) {
        return Err(problem("name", "longer than 512 bytes"));
    }
    let texts = [
        ("id", Some(event.id.as_str())),
        ("session", Some(event.session.as_str())),
        ("url", Some(event.url.as_str())),
        ("title", event.title.as_deref()),
        ("referrer", event.referrer.as_deref()),
        ("name", event.name.as_deref()),
        ("target", event.target.as_deref()),
    ];
    if let Some((field, _)) = texts.iter().find(|(_, text)| text.is_some_and(has_nul)) {
        return Err(problem(field, "must not contain a NUL character"));
    }
    if event.value.is_some_and(|value| !value.is_finite()) {
        return Err(problem("value", "must be a finite number"));
    }
    if matches!(event.kind, EventKind::Custom) && event.name.as_deref().is_none_or(str::is_empty) {
        return Err(problem("name", "custom events need a name"));
    }
    match event.kind {
        EventKind::BlockConversion => {
            return Err(problem(
                "type",
                "block conversions are derived by the collector from the block's goal",
            ));
        }
        EventKind::BlockImpression | EventKind::BlockClick | EventKind::BlockDismiss => {
            if event.name.as_deref().is_none_or(str::is_empty) {
                return Err(problem("name", "block events need the block's id"));
            }
            if event.target.as_deref().is_none_or(str::is_empty) {
                return Err(problem("target", "block events need the variant's id"));
            }
        }
        _ => {}
    }
    if event.props.len() > MAX_PROPS {
        return Err(problem("props", "more than 25 properties"));
    }
    for (key, value) in &event.props {
        if key.is_empty() || key.len() > MAX_PROP_KEY_LEN {
            return Err(problem("props", "property names must be 1 to 64 bytes"));
        }
        if has_nul(key) {
            return Err(problem("props", "property names must not contain a NUL character"));
        }
        if matches!(value, PropValue::Text(text) if has_nul(text)) {
            return Err((
                format!("events[{index}].props.{key}"),
                "must not contain a NUL character".to_owned(),
            ));
        }
        if matches!(value, PropValue::Text(text) if text.len() > MAX_TEXT_LEN) {
            return Err((
                format!("events[{index}].props.{key}"),
                "longer than 512 bytes".to_owned(),
            ));
        }
    }
    Ok(())
}

fn check_context(context: &Context) -> Result<(), ApiError> {
    let too_long =
        |text: &Option<String>, limit: usize| text.as_ref().is_some_and(|t| t.len() > limit);
    if too_long(&context.landing, MAX_URL_LEN) {
        return Err(ApiError::invalid("context.landing", "longer than 2048 bytes"));
    }
    if too_long(&context.referrer, MAX_URL_LEN) {
        return Err(ApiError::invalid("context.referrer", "longer than 2048 bytes"));
    }
    let texts = [
        ("context.landing", &context.landing),
        ("context.referrer", &context.referrer),
        ("context.language", &context.language),
    ];
    if let Some((field, _)) = texts.iter().find(|(_, text)| text.as_deref().is_some_and(has_nul)) {
        return Err(ApiError::invalid(*field, "must not contain a NUL character"));
    }
    if too_long(&context.language, 35) {
        return Err(ApiError::invalid("context.language", "longer than 35 bytes"));
    }
    Ok(())
}

/// What the batch says about the visit as a whole.
struct Visit {
    attribution: Attribution,
    channel: Channel,
    device: &'static str,
}

impl Visit {
    fn of(batch: &RawBatch, user_agent: &str) -> Visit {
        let context = batch.context.as_ref();
        let landing = context.and_then(|c| c.landing.as_deref()).unwrap_or("");
        let referrer = context.and_then(|c| c.referrer.as_deref());
        let attribution = attribution::from_url(landing);
        let own_host = attribution::host_of(landing);
        let channel = channel::classify(&attribution, referrer, own_host.as_deref());
        let device = device::classify(
            user_agent,
            context.and_then(|c| c.viewport),
            context.map_or(0, |c| c.touch),
        );
        Visit { attribution, channel, device: device.as_str() }
    }
}

fn row(event: ClientEvent, batch: &RawBatch, request: &Request<'_>, visit: &Visit) -> StoredEvent {
    let client_ms = i64::try_from(event.ts).unwrap_or(i64::MAX);
    let pageview = matches!(event.kind, EventKind::Pageview);
    let utm = &visit.attribution.utm;
    let on_pageview = |value: &Option<String>| if pageview { value.clone() } else { None };
    let props = (!event.props.is_empty()).then(|| {
        let object: serde_json::Map<String, serde_json::Value> =
            event.props.iter().map(|(key, value)| (key.clone(), prop_json(value))).collect();
        serde_json::Value::Object(object).to_string()
    });
    StoredEvent {
        id: event.id,
        site: request.site.to_owned(),
        visitor: batch.visitor.clone(),
        session: event.session,
        kind: event.kind.as_str().to_owned(),
        url: event.url,
        title: event.title,
        referrer: event.referrer,
        name: event.name,
        target: event.target,
        value: event.value,
        props,
        channel: pageview.then(|| visit.channel.as_str().to_owned()),
        utm_source: on_pageview(&utm.source),
        utm_medium: on_pageview(&utm.medium),
        utm_campaign: on_pageview(&utm.campaign),
        utm_term: on_pageview(&utm.term),
        utm_content: on_pageview(&utm.content),
        click_id: visit
            .attribution
            .click_id
            .as_ref()
            .filter(|_| pageview)
            .map(|click| format!("{}:{}", click.network.as_str(), click.value)),
        device: Some(visit.device.to_owned()),
        bot: request.bot,
        received_ms: request.now,
        client_offset_ms: client_ms
            .saturating_sub(request.now)
            .clamp(-MAX_CLOCK_SKEW_MS, MAX_CLOCK_SKEW_MS),
    }
}

fn prop_json(value: &PropValue) -> serde_json::Value {
    match value {
        PropValue::Bool(flag) => serde_json::Value::Bool(*flag),
        PropValue::Number(number) => serde_json::Number::from_f64(*number)
            .map_or(serde_json::Value::Null, serde_json::Value::Number),
        PropValue::Text(text) => serde_json::Value::String(text.clone()),
    }
}
