use super::*;

const DEMO: &str = include_str!("../../../../demo-site/demo.yaml");

fn demo_forms() -> Vec<Value> {
    let document: Value = serde_yaml_ng::from_str(DEMO).expect("demo YAML");
    let sites = document["sites"].as_sequence().expect("sites");
    sites
        .iter()
        .filter_map(|site| site.get("forms").and_then(Value::as_sequence))
        .flatten()
        .cloned()
        .collect()
}

#[test]
fn every_demo_form_comes_back_as_written() {
    let forms = demo_forms();
    assert!(forms.len() >= 4, "the demo's forms");
    for form in forms {
        let edited = FormForm::of(&form);
        assert_eq!(edited.to_value().expect("writable"), form, "{}", edited.id);
    }
}

#[test]
fn a_form_survives_its_fields_as_posted() {
    for form in demo_forms() {
        let edited = FormForm::of(&form);
        let mut pairs = vec![
            ("id".to_owned(), edited.id.clone()),
            ("name".to_owned(), edited.name.clone()),
            ("submit".to_owned(), edited.submit.clone()),
            ("steps".to_owned(), edited.steps.clone()),
            ("progressive.ask_at_most".to_owned(), edited.ask_at_most.clone()),
            ("progressive.queue".to_owned(), edited.queue.clone()),
            ("success.message".to_owned(), edited.success_message.clone()),
            ("success.redirect".to_owned(), edited.success_redirect.clone()),
            ("success.download".to_owned(), edited.success_download.clone()),
            ("spam.min_seconds".to_owned(), edited.min_seconds.clone()),
            ("spam.dedupe_minutes".to_owned(), edited.dedupe_minutes.clone()),
        ];
        for (flag, on) in [("prefill", edited.prefill), ("double_opt_in", edited.double_opt_in)] {
            if on {
                pairs.push((flag.to_owned(), "on".to_owned()));
            }
        }
        for (index, field) in edited.fields.iter().enumerate() {
            let name = |key: &str| format!("fields[{index}].{key}");
            for (key, value) in [
                ("name", &field.name),
                ("kind", &field.kind),
                ("label", &field.label),
                ("placeholder", &field.placeholder),
                ("help", &field.help),
                ("options", &field.options),
                ("consent.text", &field.consent_text),
                ("consent.version", &field.consent_version),
                ("source", &field.source),
                ("kept", &field.kept),
            ] {
                pairs.push((name(key), value.clone()));
            }
            if field.required {
                pairs.push((name("required"), "on".to_owned()));
            }
        }
        let posted = FormForm::from_fields(&Fields::new(pairs));
        assert_eq!(posted, edited, "{}", edited.id);
    }
}

#[test]
fn keys_the_editor_does_not_show_are_kept() {
    let field: Value = serde_yaml_ng::from_str(
        "{name: code, label: Code, pattern: '##-###', min_length: 2, message: {en: Wrong, pl: Zle}}",
    )
    .expect("yaml");
    let mut form = FieldForm::of(&field);
    assert_eq!(form.kept_keys(), ["pattern", "min_length", "message"], "in their order");
    form.label = "Postal code".into();
    let mut problems = Problems::default();
    let written = form.to_value(0, &mut problems);
    assert_eq!(written["pattern"], Value::from("##-###"));
    assert_eq!(written["message"]["pl"], Value::from("Zle"));
    assert_eq!(written["label"], Value::from("Postal code"));
    form.kept = "{label: sneaky}".into();
    assert_eq!(form.to_value(0, &mut problems)["label"], Value::from("Postal code"));
    form.kept = "[1]".into();
    form.to_value(3, &mut problems);
    assert!(problems.at("fields[3].kept").is_some());
}

#[test]
fn buttons_add_move_and_remove_fields() {
    let mut form = FormForm::new_form();
    form.apply("add-field");
    form.fields[1].name = "name".into();
    form.apply("field-up:1");
    assert_eq!(form.fields[0].name, "name");
    form.apply("field-down:0");
    form.apply("field-down:1");
    form.apply("field-up:0");
    assert_eq!(form.fields[1].name, "name");
    form.apply("remove-field:0");
    form.apply("remove-field:7");
    assert_eq!(form.fields.len(), 1);
    assert_eq!(form.fields[0].name, "name");
}

#[test]
fn defaults_are_left_out_and_numbers_checked() {
    let mut form = FormForm::new_form();
    form.id = "f".into();
    let value = form.to_value().expect("writable");
    assert!(value.get("spam").is_none() && value.get("progressive").is_none());
    form.min_seconds = "5".into();
    form.steps = "email\n\n".into();
    form.fields[0].options = "a|A\nb".into();
    let value = form.to_value().expect("writable");
    assert_eq!(value["spam"]["min_seconds"], Value::from(5));
    assert_eq!(value["steps"][0][0], Value::from("email"));
    assert_eq!(value["fields"][0]["options"][1]["label"], Value::from("b"));
    form.dedupe_minutes = "soon".into();
    form.queue = "email".into();
    let problems = form.to_value().expect_err("not writable");
    assert!(problems.at("spam.dedupe_minutes").is_some());
    assert!(problems.at("progressive.ask_at_most").is_some());
}

#[test]
fn validator_paths_name_editor_fields() {
    assert_eq!(field_of(".fields[2].options"), "fields[2].options");
    assert_eq!(field_of(".fields[1].consent"), "fields[1].consent.text");
    assert_eq!(field_of(".fields[0].min_length"), "fields[0].kept");
    assert_eq!(field_of(".steps[1][0]"), "steps");
    assert_eq!(field_of(".progressive.queue[0]"), "progressive.queue");
    assert_eq!(field_of(".progressive.ask_at_most"), "progressive.ask_at_most");
    assert_eq!(field_of(".success"), "success.redirect");
    assert_eq!(field_of(".id"), "id");
}
