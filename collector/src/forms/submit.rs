//! A lead form's submission sent by the widget (JSON), and what every submission goes
//! through, whichever way it was sent ([`accept`]; the plain HTML form without
//! JavaScript is [`noscript`](super::noscript)).
//!
//! In order: the site, the form and the caller's origin are checked; the rate limits
//! and the spam defences ([`spam`](super::spam)) run; every value is checked with
//! `kindling_core::forms::check` against the fields this person was asked
//! ([`view`](super::view)), and all problems are answered at once as a 422 in the
//! visitor's language. An accepted submission becomes one `form_submit` event carrying
//! the answers, committed by the group-commit writer in one transaction with the
//! submission row, its consent records and its double opt-in token; the profile
//! engine then creates or merges the person by email and records the answers as
//! traits with the source `form:<id>`. The same person sending the same form again
//! within the form's dedupe window gets the earlier submission back and stores
//! nothing; a resend of the same submission id is stored once.

use std::collections::BTreeMap;

use axum::Json;
use axum::http::header::{ACCEPT_LANGUAGE, CONTENT_TYPE, USER_AGENT};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use kindling_core::bots::is_bot;
use kindling_core::forms::{FieldKind, Lang, Problem, check_all, message_for};
use kindling_core::ids::is_uuid;
use kindling_core::limits::{MAX_TEXT_LEN, MAX_URL_LEN, has_nul};
use kindling_core::wire::{
    Context, ErrorBody, ErrorDetail, FieldError, FormRejected, FormSubmission, FormSuccess,
    SubmissionAccepted,
};
use serde_json::{Map, Value};

use crate::clock::unix_millis;
use crate::error::ApiError;
use crate::forms::definition::Form;
use crate::forms::spam::{self, Spam};
use crate::forms::view::fields_to_check;
use crate::lifecycle::group::WriteBatch;
use crate::personalize::decide::decide;
use crate::personalize::facts::Visit;
use crate::profiles::traits::normalize_email;
use crate::ratelimit::ClientIp;
use crate::sites::Site;
use crate::state::AppState;
use crate::store::{self, ConsentGiven, StoredEvent, SubmissionRecord};
use crate::{cors, json};

/// Most values one submission may carry.
pub const MAX_VALUES: usize = 60;

/// A submission as both entry points hand it over.
#[derive(Debug, Clone, Default)]
pub struct Input {
    pub site: String,
    pub visitor: String,
    pub id: String,
    pub session: String,
    pub url: String,
    pub values: Vec<(String, String)>,
    /// None for plain HTML forms, which cannot measure it.
    pub elapsed_ms: Option<u64>,
    pub honeypot: String,
    pub block: Option<String>,
    pub variant: Option<String>,
    pub lang: Lang,
    pub context: Option<Context>,
    pub slots: Vec<String>,
}

impl Input {
    /// The widget's JSON submission, its texts to be shown in `lang`.
    pub fn from_submission(submission: FormSubmission, lang: Lang) -> Input {
        Input {
            site: submission.site,
            visitor: submission.visitor,
            id: submission.id,
            session: submission.session,
            url: submission.url,
            values: submission.values.into_iter().collect(),
            elapsed_ms: Some(submission.elapsed_ms),
            honeypot: submission.honeypot,
            block: submission.block,
            variant: submission.variant,
            lang,
            context: submission.context,
            slots: submission.slots,
        }
    }
}

/// Why a submission was not accepted.
#[derive(Debug)]
pub enum Refusal {
    /// The request itself is wrong (site, form, origin, body, limits, storage).
    Api(ApiError),
    /// Values failed their checks: 422 with every field at fault.
    Invalid(Vec<FieldError>),
    /// Refused as spam: 403, counted, nothing stored.
    Spam(Spam),
}

impl From<ApiError> for Refusal {
    fn from(error: ApiError) -> Self {
        Refusal::Api(error)
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Api(error) => error.into_response(),
            Refusal::Invalid(fields) => {
                let first = fields.first().map(|problem| ["values.", &problem.field].concat());
                let count = fields.len();
                let message = if count == 1 {
                    "1 field needs attention".to_owned()
                } else {
                    format!("{count} fields need attention")
                };
                let error =
                    ErrorDetail { code: "invalid_fields".to_owned(), message, field: first };
                (StatusCode::UNPROCESSABLE_ENTITY, Json(FormRejected { error, fields }))
                    .into_response()
            }
            Refusal::Spam(_) => {
                let error = ErrorDetail {
                    code: "spam".to_owned(),
                    message: "the submission was refused as spam".to_owned(),
                    field: None,
                };
                (StatusCode::FORBIDDEN, Json(ErrorBody { error })).into_response()
            }
        }
    }
}

/// A submission sent as JSON (by the widget) or `text/plain` JSON; see the module docs.
pub async fn submit_json(
    app: &AppState,
    form: &str,
    client: ClientIp,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let outcome = async {
        let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if !matches!(essence.as_str(), "application/json" | "text/plain" | "") {
            return Err(ApiError::UnsupportedMediaType);
        }
        let submission: FormSubmission = json::parse(body)?;
        let site = &app.catalog.site(&submission.site).ok_or(ApiError::UnknownSite)?;
        cors::check_origin(site, headers)?;
        let lang = submission
            .lang
            .as_deref()
            .or_else(|| headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()))
            .map_or(Lang::En, Lang::from_tag);
        let input = Input::from_submission(submission, lang);
        Ok(match accept(app, site, form, client, headers, input).await {
            Ok(accepted) => Json(accepted).into_response(),
            Err(refusal) => refusal.into_response(),
        })
    }
    .await;
    cors::respond(&app.catalog.load(), headers, outcome)
}

/// Checks, stores and answers one submission of `form_id` on `site`.
pub async fn accept(
    app: &AppState,
    site: &Site,
    form_id: &str,
    client: ClientIp,
    headers: &HeaderMap,
    input: Input,
) -> Result<SubmissionAccepted, Refusal> {
    let form = site.form(form_id).ok_or(ApiError::UnknownForm)?;
    app.limits.check(client.0, &site.key)?;
    check_shape(&input)?;
    let now = unix_millis();
    if !app.limits.submissions.allow(client.0, &site.key, &form.id) {
        count_spam(app, site, form, Spam::RateLimited, now).await;
        return Err(ApiError::RateLimited { retry_after_secs: 60 }.into());
    }
    let user_agent = headers.get(USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
    let spam = if is_bot(user_agent) {
        Some(Spam::Bot)
    } else if !input.honeypot.is_empty() {
        Some(Spam::Honeypot)
    } else if input.elapsed_ms.is_some_and(|elapsed| elapsed < form.min_fill_ms) {
        Some(Spam::TooFast)
    } else {
        None
    };
    if let Some(spam) = spam {
        count_spam(app, site, form, spam, now).await;
        return Err(Refusal::Spam(spam));
    }
    let person =
        app.people.person(&app.store, &site.key, &input.visitor).await.map_err(ApiError::from)?;
    let values: Vec<(String, String)> =
        input.values.iter().map(|(name, value)| (name.clone(), value.trim().to_owned())).collect();
    let fields = fields_to_check(form, person.as_deref(), &values);
    let mut problems = check_all(&fields, &values);
    let email = form.fields.iter().find(|field| field.kind == FieldKind::Email).and_then(|field| {
        values.iter().find(|(name, _)| *name == field.name).map(|(name, value)| (name, value))
    });
    let normalized = email.and_then(|(_, value)| normalize_email(value));
    if let Some((name, _)) = email
        && !problems.iter().any(|(field, _)| field == name)
    {
        match &normalized {
            None => problems.push((name.clone(), Problem::Email)),
            Some(address) if spam::is_disposable(address) => {
                count_spam(app, site, form, Spam::DisposableEmail, now).await;
                problems.push((name.clone(), Problem::Disposable));
            }
            Some(_) => {}
        }
    }
    let Some(email) = normalized.filter(|_| problems.is_empty()) else {
        let errors = problems
            .into_iter()
            .map(|(name, problem)| {
                let message = match form.field(&name) {
                    Some(field) => message_for(field, problem, input.lang),
                    None => problem.message(input.lang),
                };
                FieldError { field: name, code: problem.code().to_owned(), message }
            })
            .collect();
        return Err(Refusal::Invalid(errors));
    };
    let record = record_of(form, &input, &values, email, now);
    let event = submit_event(form, &input, &values, now);
    let batch = WriteBatch {
        site: site.key.clone(),
        visitor: input.visitor.clone(),
        visit: input.context.as_ref().map_or(1, |context| context.visit.max(1)),
        seen_ms: now,
        bot: false,
        events: vec![event],
        model: std::sync::Arc::clone(&site.profiles),
        submission: Some(Box::new(record)),
        verified: None,
    };
    let committed = app.writer.write(batch).await?;
    let decisions = match &committed.shown {
        Some(person) if !input.slots.is_empty() => {
            let referrer = input.context.as_ref().and_then(|c| c.referrer.as_deref());
            let visit =
                Visit::of(&input.url, referrer, &input.session, input.context.as_ref(), user_agent);
            Some(decide(site, Some(person), &input.visitor, &visit, &input.slots, now))
        }
        _ => None,
    };
    Ok(SubmissionAccepted {
        duplicate: committed.repeat_of.is_some(),
        submission: committed.repeat_of.unwrap_or(input.id),
        confirmation_pending: form.double_opt_in,
        success: success_of(form),
        decisions,
    })
}

/// The form's success action as the widget shows it.
pub fn success_of(form: &Form) -> FormSuccess {
    FormSuccess {
        message: form.success.message.clone().unwrap_or_default(),
        redirect: form.success.redirect.clone(),
        download: form.success.download.clone(),
    }
}

/// Ids, sizes and counts, before anything is looked up.
pub fn check_shape(input: &Input) -> Result<(), ApiError> {
    if !is_uuid(&input.visitor) {
        return Err(ApiError::invalid("visitor", "must be a lowercase hyphenated UUID"));
    }
    if !is_uuid(&input.id) {
        return Err(ApiError::invalid("id", "must be a lowercase hyphenated UUID"));
    }
    if !input.session.is_empty() && !is_uuid(&input.session) {
        return Err(ApiError::invalid("session", "must be a lowercase hyphenated UUID"));
    }
    if input.url.is_empty() || input.url.len() > MAX_URL_LEN {
        return Err(ApiError::invalid("url", "must be the page's address, at most the URL limit"));
    }
    if input.values.len() > MAX_VALUES {
        return Err(ApiError::invalid("values", "more values than any form has"));
    }
    if let Some((name, _)) = input.values.iter().find(|(name, _)| name.len() > MAX_TEXT_LEN) {
        return Err(ApiError::invalid(
            ["values.", name.get(..40).unwrap_or("")].concat(),
            "field name too long",
        ));
    }
    if has_nul(&input.url) {
        return Err(ApiError::invalid("url", "must not contain a NUL character"));
    }
    if let Some((name, _)) =
        input.values.iter().find(|(name, value)| has_nul(name) || has_nul(value))
    {
        let name: String = name.chars().filter(|c| *c != '\0').take(40).collect();
        return Err(ApiError::invalid(
            ["values.", &name].concat(),
            "must not contain a NUL character",
        ));
    }
    for (field, value) in [("block", &input.block), ("variant", &input.variant)] {
        if value.as_deref().is_some_and(has_nul) {
            return Err(ApiError::invalid(field, "must not contain a NUL character"));
        }
        if value.as_ref().is_some_and(|value| value.len() > MAX_TEXT_LEN) {
            return Err(ApiError::invalid(field, "longer than the text limit"));
        }
    }
    if input.honeypot.len() > MAX_URL_LEN {
        return Err(ApiError::invalid("honeypot", "longer than the URL limit"));
    }
    Ok(())
}

/// The submission row, with its consents and (double opt-in) token.
fn record_of(
    form: &Form,
    input: &Input,
    values: &[(String, String)],
    email: String,
    now: i64,
) -> SubmissionRecord {
    let given = |name: &str| values.iter().any(|(n, value)| n == name && is_checked(value));
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
    SubmissionRecord {
        id: input.id.clone(),
        form: form.id.clone(),
        email,
        page: input.url.clone(),
        block: input.block.clone(),
        variant: input.variant.clone(),
        fields_json: serde_json::to_string(&known).unwrap_or_else(|_| "{}".to_owned()),
        consents,
        confirmation: form.double_opt_in.then(new_token),
        repeat_since_ms: now - i64::try_from(form.dedupe_ms).unwrap_or(i64::MAX / 2),
    }
}

/// The `form_submit` event: the answers the profile takes as traits (typed by field
/// kind: numbers for number fields and for choices whose options are all numbers,
/// booleans for checkboxes), `marketing_consent` when a consent was given and needs no confirmation.
fn submit_event(form: &Form, input: &Input, values: &[(String, String)], now: i64) -> StoredEvent {
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
                consented |= is_checked(value);
                continue;
            }
            FieldKind::Checkbox => Value::Bool(is_checked(value)),
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
    let session = if input.session.is_empty() { &input.visitor } else { &input.session };
    let mut event = StoredEvent::new(
        &input.id,
        &input.site,
        &input.visitor,
        session,
        "form_submit",
        &input.url,
        now,
    );
    event.name = Some(form.id.clone());
    event.target = input.block.clone();
    event.props = Some(Value::Object(props).to_string());
    event
}

/// A number where the text is one, else the text.
fn number_or_text(value: &str) -> Value {
    value
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map_or_else(|| Value::String(value.to_owned()), Value::Number)
}

fn is_checked(value: &str) -> bool {
    matches!(value, "true" | "on")
}

/// A double opt-in token: 244 random bits, URL-safe.
fn new_token() -> String {
    [uuid::Uuid::new_v4().simple().to_string(), uuid::Uuid::new_v4().simple().to_string()].concat()
}

async fn count_spam(app: &AppState, site: &Site, form: &Form, spam: Spam, now: i64) {
    let (key, id, reason) = (site.key.clone(), form.id.clone(), spam.as_str());
    let day = now.div_euclid(86_400_000);
    let counted = store::write(&app.store, move |tx| tx.count_spam(&key, &id, reason, day)).await;
    if let Err(error) = counted {
        tracing::warn!(%error, form = %form.id, reason = spam.as_str(), "could not count refused spam");
    }
}
