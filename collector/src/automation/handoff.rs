//! The JSON bodies workflows send. Three documented shapes, each with a `schema` name
//! that changes only when the shape does:
//!
//! - `kindling.crm_handoff.v1` ([`crm`]): the lead for a CRM — profile, traits, consent,
//!   score with the reasons that made it, temperature, stage, segments, tags, first and
//!   last touch attribution, and the timeline (the latest [`TIMELINE_EVENTS`] events,
//!   oldest first, bots left out).
//! - `kindling.webhook.v1` ([`webhook`]): the same lead without the score reasons and
//!   timeline, for any system.
//! - `kindling.notify.v1` ([`notify`]): a `text` for a chat or e-mail service (Slack and
//!   Mattermost incoming webhooks take it as it is) with the lead's essentials.
//!
//! Every body names the site, the workflow, the step and what triggered the run.

use serde_json::{Value, json};

use crate::profiles::Person;
use crate::profiles::journeys::Run;
use crate::profiles::view::ProfileView;

/// Most events in a hand-off's timeline.
pub const TIMELINE_EVENTS: usize = 200;
/// Most score reasons in a hand-off.
pub const SCORE_REASONS: usize = 100;

/// The run's part of every body.
fn workflow_part(site: &str, run: &Run) -> Value {
    json!({
        "site": site,
        "workflow": run.workflow,
        "step": run.step,
        "run": run.id,
        "trigger": { "cause": run.cause, "at_ms": run.caused_ms },
    })
}

/// The lead as every body describes it.
fn lead(person: &Person) -> Value {
    let traits: serde_json::Map<String, Value> =
        person.traits.iter().map(|(name, value)| (name.clone(), json!(value.value))).collect();
    json!({
        "id": person.id,
        "email": person.email,
        "traits": traits,
        "marketing_consent": person.marketing_consent,
        "score": person.score,
        "temperature": person.temperature.as_str(),
        "stage": person.stage.as_str(),
        "segments": person.segments,
        "tags": person.tags,
        "attribution": {
            "first_touch": person.aggregates.first_touch,
            "last_touch": person.aggregates.last_touch,
        },
        "first_seen_ms": person.created_ms,
        "last_activity_ms": person.last_activity_ms,
    })
}

fn with(mut body: Value, members: Value) -> Value {
    if let (Value::Object(body), Value::Object(members)) = (&mut body, members) {
        body.extend(members);
    }
    body
}

/// `kindling.crm_handoff.v1`: `view` is the person's stored history (its person is the
/// current one; `person` wins where they differ).
pub fn crm(site: &str, run: &Run, person: &Person, view: Option<&ProfileView>) -> Value {
    let mut lead = lead(person);
    let reasons: Vec<Value> = view
        .map(|view| {
            let skip = view.score_changes.len().saturating_sub(SCORE_REASONS);
            view.score_changes[skip..]
                .iter()
                .map(|line| {
                    json!({
                        "rule": line.rule,
                        "reason": line.reason,
                        "points": line.points,
                        "score": line.score,
                        "at_ms": line.at_ms,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    if let Value::Object(lead) = &mut lead {
        lead.insert("score_reasons".to_owned(), Value::Array(reasons));
    }
    let timeline: Vec<Value> = view
        .map(|view| {
            let humans: Vec<_> = view.events.iter().filter(|event| !event.bot).collect();
            let skip = humans.len().saturating_sub(TIMELINE_EVENTS);
            humans[skip..]
                .iter()
                .map(|event| {
                    let props: Value = event
                        .props
                        .as_deref()
                        .and_then(|props| serde_json::from_str(props).ok())
                        .unwrap_or(Value::Null);
                    json!({
                        "id": event.id,
                        "at_ms": event.received_ms,
                        "type": event.kind,
                        "name": event.name,
                        "url": event.url,
                        "title": event.title,
                        "props": props,
                        "channel": event.channel,
                        "utm_source": event.utm_source,
                        "utm_campaign": event.utm_campaign,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    with(
        json!({ "schema": "kindling.crm_handoff.v1", "lead": lead, "timeline": timeline }),
        workflow_part(site, run),
    )
}

/// `kindling.webhook.v1`.
pub fn webhook(site: &str, run: &Run, person: &Person) -> Value {
    with(json!({ "schema": "kindling.webhook.v1", "lead": lead(person) }), workflow_part(site, run))
}

/// `kindling.notify.v1`, with `template` filled in ([`fill`]).
pub fn notify(site: &str, run: &Run, person: &Person, template: &str) -> Value {
    let essentials = json!({
        "id": person.id,
        "email": person.email,
        "score": person.score,
        "temperature": person.temperature.as_str(),
        "stage": person.stage.as_str(),
    });
    with(
        json!({
            "schema": "kindling.notify.v1",
            "text": fill(template, person, &run.workflow),
            "lead": essentials,
        }),
        workflow_part(site, run),
    )
}

/// Fills `{email}`, `{score}`, `{temperature}`, `{stage}`, `{workflow}` and
/// `{trait.NAME}` in `template`; an unknown or missing value reads as `-`.
pub fn fill(template: &str, person: &Person, workflow: &str) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let name = &after[..close];
        let value = match name {
            "email" => person.email.clone(),
            "score" => Some(person.score.to_string()),
            "temperature" => Some(person.temperature.as_str().to_owned()),
            "stage" => Some(person.stage.as_str().to_owned()),
            "workflow" => Some(workflow.to_owned()),
            other => other.strip_prefix("trait.").and_then(|name| {
                person.traits.get(name).map(|found| match &found.value {
                    kindling_core::wire::PropValue::Text(text) => text.clone(),
                    kindling_core::wire::PropValue::Number(number) => number.to_string(),
                    kindling_core::wire::PropValue::Bool(flag) => flag.to_string(),
                })
            }),
        };
        out.push_str(value.as_deref().unwrap_or("-"));
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notification_fills_known_names_and_marks_missing_ones() {
        let mut person = Person::new("p".to_owned(), 0);
        person.email = Some("ana@acme.example".to_owned());
        person.score = 72;
        let text = fill("Hot: {email} ({score}) {trait.company} {workflow} {x", &person, "w");
        assert_eq!(text, "Hot: ana@acme.example (72) - w {x");
    }
}
