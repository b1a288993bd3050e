//! Any bytes as a lead form submission, both as the widget's JSON and as a plain HTML
//! form's URL-encoded body: read into the submission, its shape checked, then every
//! value checked against each form of the forms fixture the way `accept` does. A
//! `_redirect` is judged against the site's origins: one let through, read again as a
//! browser reads it, must be on an allowed origin. Must never panic.

#![no_main]

use kindling_collector::forms::noscript::{allowed_return, parse_body};
use kindling_collector::forms::submit::{Input, MAX_VALUES, check_shape};
use kindling_collector::forms::view::fields_to_check;
use kindling_collector::json;
use kindling_collector::profiles::traits::normalize_email;
use kindling_core::forms::{FieldKind, Lang, check_all, message_for};
use kindling_core::wire::FormSubmission;
use kindling_fuzz::fixtures::forms_site;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    if let Ok(submission) = json::parse::<FormSubmission>(body) {
        let lang = submission.lang.as_deref().map_or(Lang::En, Lang::from_tag);
        check_values(&Input::from_submission(submission, lang));
    }
    let (input, redirect) = parse_body(body);
    check_values(&input);
    for back in [redirect.as_deref(), Some(input.url.as_str())].into_iter().flatten() {
        if let Some(returned) = allowed_return(forms_site(), back) {
            let parsed = url::Url::parse(&returned).expect("a return address parses again");
            let origin = parsed.origin().ascii_serialization();
            assert!(forms_site().allows_origin(&origin), "{back:?} returns to {returned:?}");
        }
    }
});

fn check_values(input: &Input) {
    if check_shape(input).is_err() {
        return;
    }
    assert!(input.values.len() <= MAX_VALUES);
    let values: Vec<(String, String)> =
        input.values.iter().map(|(name, value)| (name.clone(), value.trim().to_owned())).collect();
    for form in forms_site().forms.iter() {
        let fields = fields_to_check(form, None, &values);
        let problems = check_all(&fields, &values);
        for (name, problem) in &problems {
            let message = match form.field(name) {
                Some(field) => message_for(field, *problem, input.lang),
                None => problem.message(input.lang),
            };
            assert!(!message.is_empty());
        }
        if problems.is_empty()
            && let Some(email) = form.fields.iter().find(|field| field.kind == FieldKind::Email)
            && let Some((_, value)) = values.iter().find(|(name, _)| *name == email.name)
        {
            let _ = normalize_email(value);
        }
    }
}
