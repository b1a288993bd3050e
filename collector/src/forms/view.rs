//! Progressive profiling: which of a form's fields one person is asked, and which
//! values may be filled in for them.
//!
//! Fields outside the form's queue are asked unless the profile already knows them
//! (a trait of the same name); the email and consent fields are always asked, since a
//! submission is keyed by the one and must record the other. Of the queue, the first
//! `ask_at_most` questions the profile cannot answer yet are asked. Hidden fields are
//! always sent. The server checks a submission against the same rule, so a question
//! the visitor was not shown is never required of them.

use std::collections::BTreeMap;

use kindling_core::forms::{Field, FieldKind};
use kindling_core::wire::{CtaAction, Decision, FormSuccess, FormView, PropValue};

use crate::forms::definition::Form;
use crate::profiles::Person;
use crate::sites::Site;

/// The form as `person` (none: not known yet) is to see it.
pub fn view_for(form: &Form, person: Option<&Person>) -> FormView {
    let fields: Vec<Field> =
        form.fields.iter().filter(|field| asked(form, field, person)).cloned().collect();
    let steps = form
        .steps
        .iter()
        .map(|step| {
            step.iter()
                .filter(|name| fields.iter().any(|field| field.name == **name))
                .cloned()
                .collect::<Vec<_>>()
        })
        .filter(|step| !step.is_empty())
        .collect();
    let values = match (form.prefill, person) {
        (true, Some(person)) => fields
            .iter()
            .filter_map(|field| Some((field.name.clone(), known_value(person, &field.name)?)))
            .collect(),
        _ => BTreeMap::new(),
    };
    FormView {
        id: form.id.clone(),
        fields,
        steps,
        values,
        submit: form.submit.clone(),
        success: FormSuccess {
            message: form.success.message.clone().unwrap_or_default(),
            redirect: form.success.redirect.clone(),
            download: form.success.download.clone(),
        },
    }
}

/// The forms a page shows: those it embeds (`requested`, unknown ids left out) and
/// those its decisions' calls to action open, each once.
pub fn forms_for_page(
    site: &Site,
    requested: &[String],
    decisions: &[Decision],
    person: Option<&Person>,
) -> Vec<FormView> {
    let opened = decisions
        .iter()
        .flat_map(|decision| decision.content.ctas.iter())
        .filter(|cta| cta.action == CtaAction::Form)
        .map(|cta| &cta.target);
    let mut ids: Vec<&String> = Vec::new();
    for id in requested.iter().chain(opened) {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids.into_iter().filter_map(|id| site.form(id)).map(|form| view_for(form, person)).collect()
}

/// Whether `field` is asked of `person` now.
pub fn asked(form: &Form, field: &Field, person: Option<&Person>) -> bool {
    match field.kind {
        FieldKind::Hidden | FieldKind::Email | FieldKind::Consent => return true,
        _ => {}
    }
    let knows = |name: &str| person.is_some_and(|person| known_value(person, name).is_some());
    if form.queue.contains(&field.name) {
        return form
            .queue
            .iter()
            .filter(|name| !knows(name))
            .take(form.ask_at_most)
            .any(|name| *name == field.name);
    }
    form.queue.is_empty() || !knows(&field.name)
}

/// What the profile knows for a field named `name`, as the text a form would hold.
fn known_value(person: &Person, name: &str) -> Option<String> {
    if name == "email" {
        return person.email.clone();
    }
    Some(match &person.traits.get(name)?.value {
        PropValue::Text(text) => text.clone(),
        PropValue::Bool(flag) => flag.to_string(),
        PropValue::Number(number) => number.to_string(),
    })
}

/// The fields to check a submission from `person` against: the form's, each required
/// only where the form requires it and the person was asked it (a queue question is
/// required only when it is answered, since an earlier view may not have shown it).
pub fn fields_to_check(
    form: &Form,
    person: Option<&Person>,
    submitted: &[(String, String)],
) -> Vec<Field> {
    form.fields
        .iter()
        .map(|field| {
            let answered = submitted.iter().any(|(name, _)| *name == field.name);
            let in_queue = form.queue.contains(&field.name);
            let required = field.required && asked(form, field, person) && (!in_queue || answered);
            Field { required, ..field.clone() }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ConfigFile;
    use crate::profiles::traits::Trait;

    fn demo_form() -> Form {
        let yaml = r#"
sites:
  - key: pk_test
    name: Test
    origins: ["*"]
    forms:
      - id: demo
        prefill: true
        fields:
          - { name: email, kind: email, label: Email, required: true }
          - { name: name, label: Name, required: true }
          - { name: company, label: Company, required: true }
          - { name: role, label: Role, required: true }
          - { name: size, kind: number, label: Size, required: true }
          - { name: phone, kind: tel, label: Phone }
          - { name: campaign, kind: hidden, source: utm_campaign }
        steps: [[email, name, company], [role, size, phone]]
        progressive: { ask_at_most: 1, queue: [role, size, phone] }
"#;
        let catalog = ConfigFile::from_yaml(yaml).expect("parses").compile().expect("compiles");
        catalog.site("pk_test").expect("site").forms[0].clone()
    }

    fn person_knowing(traits: &[&str]) -> Person {
        let mut person = Person::new("p".to_owned(), 0);
        person.email = Some("ann@example.com".to_owned());
        for name in traits {
            let value = PropValue::Text(format!("{name} value"));
            person
                .traits
                .insert((*name).to_owned(), Trait { value, source: "form:x".to_owned(), at_ms: 0 });
        }
        person
    }

    fn names(view: &FormView) -> Vec<&str> {
        view.fields.iter().map(|field| field.name.as_str()).collect()
    }

    #[test]
    fn a_stranger_sees_the_base_fields_and_the_first_queue_question() {
        let view = view_for(&demo_form(), None);
        assert_eq!(names(&view), ["email", "name", "company", "role", "campaign"]);
        assert_eq!(view.steps, [vec!["email", "name", "company"], vec!["role"]]);
        assert!(view.values.is_empty());
    }

    #[test]
    fn known_answers_are_not_asked_again_and_the_queue_moves_on() {
        let person = person_knowing(&["name", "company", "role"]);
        let view = view_for(&demo_form(), Some(&person));
        assert_eq!(names(&view), ["email", "size", "campaign"]);
        assert_eq!(view.steps, [vec!["email"], vec!["size"]]);
        assert_eq!(view.values.get("email").map(String::as_str), Some("ann@example.com"));
    }

    #[test]
    fn unasked_questions_are_not_required() {
        let form = demo_form();
        let person = person_knowing(&["name", "company", "role"]);
        let checked = fields_to_check(&form, Some(&person), &[]);
        let required: Vec<&str> =
            checked.iter().filter(|f| f.required).map(|f| f.name.as_str()).collect();
        // `size` is asked but in the queue and not answered: an older view may not have shown it.
        assert_eq!(required, ["email"]);
        let answered = [("size".to_owned(), String::new())];
        let checked = fields_to_check(&form, Some(&person), &answered);
        assert!(checked.iter().any(|f| f.name == "size" && f.required));
        let checked = fields_to_check(&form, None, &[]);
        let required: Vec<&str> =
            checked.iter().filter(|f| f.required).map(|f| f.name.as_str()).collect();
        assert_eq!(required, ["email", "name", "company"]);
    }
}
