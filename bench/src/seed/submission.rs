//! A lead form sent: the `form_submit` event and the submission row, made from the
//! site's form definition the way the collector's form endpoint makes them (answers
//! typed by field kind, the email normalized and carried as `email`, consents with
//! their text and version, a confirmation token for double opt-in, the dedupe window).

use std::collections::BTreeMap;

use kindling_collector::forms::definition::Form;
use kindling_collector::profiles::traits::normalize_email;
use kindling_collector::store::{ConsentGiven, StoredEvent, SubmissionRecord};
use kindling_core::forms::FieldKind;
use serde_json::{Map, Value};

use crate::body::Ids;

use super::visitor::Answers;

/// Where a submission happens.
pub struct Sent<'a> {
    pub id: String,
    pub site: &'a str,
    pub visitor: &'a str,
    pub session: &'a str,
    pub url: &'a str,
    pub at_ms: i64,
    pub campaign: Option<&'a str>,
    pub landing: &'a str,
}

/// The values a lead gives on `form`, by field name.
fn values(form: &Form, answers: &Answers, sent: &Sent<'_>) -> Vec<(String, String)> {
    form.fields
        .iter()
        .filter_map(|field| {
            let value = match (field.kind, field.name.as_str()) {
                (FieldKind::Email, _) => answers.email.clone(),
                (FieldKind::Consent, _) => {
                    let required = field.required || form.double_opt_in;
                    if answers.consent || required { "true".to_owned() } else { return None }
                }
                (FieldKind::Tel, _) => answers.phone.clone(),
                (_, "name") => answers.name.clone(),
                (_, "company") => answers.company.clone(),
                (_, "company_size") => answers.company_size.to_owned(),
                (_, "role") => answers.role.to_owned(),
                (_, "timeline") => answers.timeline.to_owned(),
                (_, "slot") => "morning".to_owned(),
                (_, "campaign") => sent.campaign.unwrap_or("").to_owned(),
                (_, "landing") => sent.landing.to_owned(),
                _ => return None,
            };
            Some((field.name.clone(), value))
        })
        .collect()
}

/// The `form_submit` event and the submission row of `answers` sent on `form`.
pub fn submit(
    form: &Form,
    answers: &Answers,
    sent: &Sent<'_>,
    rng: &mut Ids,
) -> (StoredEvent, SubmissionRecord) {
    let values = values(form, answers, sent);
    let given = |name: &str| values.iter().any(|(n, value)| n == name && value == "true");
    let mut props = Map::new();
    let mut consented = false;
    for field in &form.fields {
        let Some((_, value)) = values.iter().find(|(name, _)| *name == field.name) else {
            continue;
        };
        if value.is_empty() {
            continue;
        }
        let typed = match field.kind {
            FieldKind::Hidden => continue,
            FieldKind::Consent => {
                consented |= value == "true";
                continue;
            }
            FieldKind::Checkbox => Value::Bool(value == "true"),
            FieldKind::Select | FieldKind::Radio
                if field.options.iter().all(|option| option.value.parse::<f64>().is_ok()) =>
            {
                number_or_text(value)
            }
            FieldKind::Number => number_or_text(value),
            FieldKind::Email => {
                Value::String(normalize_email(value).unwrap_or_else(|| value.clone()))
            }
            _ => Value::String(value.clone()),
        };
        let name =
            if field.kind == FieldKind::Email { "email".to_owned() } else { field.name.clone() };
        props.insert(name, typed);
    }
    if consented && !form.double_opt_in {
        props.insert("marketing_consent".to_owned(), Value::Bool(true));
    }
    let mut event = StoredEvent::new(
        &sent.id,
        sent.site,
        sent.visitor,
        sent.session,
        "form_submit",
        sent.url,
        sent.at_ms,
    );
    event.name = Some(form.id.clone());
    event.props = Some(Value::Object(props).to_string());
    let consents = form
        .fields
        .iter()
        .filter(|field| field.kind == FieldKind::Consent && given(&field.name))
        .filter_map(|field| {
            let consent = field.consent.as_ref()?;
            Some(ConsentGiven {
                field: field.name.clone(),
                text: consent.text.clone(),
                version: consent.version.clone(),
            })
        })
        .collect();
    let known: BTreeMap<&str, &str> = values
        .iter()
        .filter(|(name, _)| form.field(name).is_some())
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    let record = SubmissionRecord {
        id: sent.id.clone(),
        form: form.id.clone(),
        email: normalize_email(&answers.email).unwrap_or_else(|| answers.email.clone()),
        page: sent.url.to_owned(),
        block: None,
        variant: None,
        fields_json: serde_json::to_string(&known).unwrap_or_else(|_| "{}".to_owned()),
        consents,
        confirmation: form
            .double_opt_in
            .then(|| format!("{:016x}{:016x}", rng.below(u64::MAX), rng.below(u64::MAX))),
        repeat_since_ms: sent.at_ms - i64::try_from(form.dedupe_ms).unwrap_or(i64::MAX / 2),
    };
    (event, record)
}

fn number_or_text(value: &str) -> Value {
    value
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map_or_else(|| Value::String(value.to_owned()), Value::Number)
}
