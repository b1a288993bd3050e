use super::*;
use crate::editing::document::Working;

fn yaml(text: &str) -> Value {
    serde_yaml_ng::from_str(text).expect("yaml")
}

/// The sections of every site of the document at `path` (from the crate's folder).
fn sections_of(path: &str) -> Vec<(Option<Value>, Option<Value>)> {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let document = Working::parse(&std::fs::read_to_string(file).expect("read")).expect("YAML");
    let root = yaml(&document.text());
    let sites = root["sites"].as_sequence().expect("sites").clone();
    sites.iter().map(|site| (site.get("scoring").cloned(), site.get("stages").cloned())).collect()
}

/// The form's sections after a trip through posted fields.
fn through_fields(form: &ScoringForm, scoring: Option<&Value>, stages: Option<&Value>) -> Sections {
    let mut pairs = vec![
        ("thresholds.warm".to_owned(), form.warm.clone()),
        ("thresholds.hot".to_owned(), form.hot.clone()),
        ("decay.after_days".to_owned(), form.decay_after_days.clone()),
        ("decay.points".to_owned(), form.decay_points.clone()),
        ("decay.floor".to_owned(), form.decay_floor.clone()),
        ("stages.mql_score".to_owned(), form.mql_score.clone()),
        ("stages.sql_score".to_owned(), form.sql_score.clone()),
        ("stages.choices".to_owned(), form.sql_forms.len().to_string()),
    ];
    for (k, sql) in form.sql_forms.iter().enumerate() {
        pairs.push((format!("stages.sql_forms[{k}]"), sql.clone()));
    }
    for (i, rule) in form.rules.iter().enumerate() {
        for (key, value) in [
            ("id", &rule.id),
            ("points", &rule.points),
            ("type", &rule.kind),
            ("name", &rule.name),
            ("path", &rule.path),
            ("url", &rule.url),
            ("cap", &rule.cap),
            ("cap_count", &rule.cap_count),
            ("kept", &rule.kept),
        ] {
            pairs.push((format!("rules[{i}].{key}"), value.clone()));
        }
    }
    for (i, fit) in form.fit.iter().enumerate() {
        pairs.push((format!("fit[{i}].id"), fit.id.clone()));
        pairs.push((format!("fit[{i}].points"), fit.points.clone()));
        pairs.push((format!("fit[{i}].kept"), fit.kept.clone()));
        for (k, row) in fit.rule.rows.iter().enumerate() {
            let prefix = format!("fit[{i}].rule.{k}");
            pairs.push((format!("{prefix}.depth"), row.depth.to_string()));
            match &row.node {
                crate::editing::rule::Node::Group(kind) => {
                    pairs.push((format!("{prefix}.kind"), kind.as_str().to_owned()));
                }
                crate::editing::rule::Node::Condition { fact, op, value } => {
                    pairs.push((format!("{prefix}.kind"), "condition".to_owned()));
                    pairs.push((format!("{prefix}.fact"), fact.clone()));
                    pairs.push((format!("{prefix}.op"), op.clone()));
                    pairs.push((format!("{prefix}.value"), value.clone()));
                }
            }
        }
    }
    let posted = ScoringForm::from_fields(&Fields::new(pairs));
    assert_eq!(&posted, form, "the fields carry the whole form");
    let known = form.sql_forms.clone();
    (
        posted.to_scoring(scoring).expect("scoring"),
        posted.to_stages(stages, &known).expect("stages"),
    )
}

type Sections = (Option<Value>, Option<Value>);

#[test]
fn the_examples_come_back_as_written() {
    let mut sites = sections_of("../demo-site/demo.yaml");
    sites.extend(sections_of("tests/fixtures/console.yaml"));
    assert!(sites.iter().filter(|(scoring, _)| scoring.is_some()).count() >= 2);
    for (scoring, stages) in sites {
        let form = ScoringForm::of(scoring.as_ref(), stages.as_ref());
        let back = through_fields(&form, scoring.as_ref(), stages.as_ref());
        assert_eq!(back, (scoring.clone(), stages.clone()), "{scoring:?} {stages:?}");
    }
}

#[test]
fn keys_the_editor_does_not_show_are_kept_and_defaults_not_added() {
    let scoring = yaml(
        "{rules: [{id: plan, points: 5, when: {type: custom, name: upgrade, props: {plan: pro}}, cap: {ever: 1}}]}",
    );
    let mut form = ScoringForm::of(Some(&scoring), None);
    assert_eq!(
        (form.warm.as_str(), form.sql_forms.as_slice()),
        ("30", &["demo-request".to_owned()][..])
    );
    form.rules[0].points = "7".into();
    form.rules[0].name = String::new();
    let written = form.to_scoring(Some(&scoring)).expect("writable").expect("a section");
    assert_eq!(
        written,
        yaml(
            "{rules: [{id: plan, points: 7, when: {type: custom, props: {plan: pro}}, cap: {ever: 1}}]}"
        )
    );
    assert_eq!(
        form.to_stages(None, &["demo-request".into()]).expect("stages"),
        None,
        "defaults stay unwritten"
    );
    assert_eq!(ScoringForm::of(None, None).to_scoring(None).expect("scoring"), None);
}

#[test]
fn problems_name_their_field() {
    let mut form = ScoringForm::of(None, None);
    form.hot = "10".into();
    form.apply("behaviour-add");
    form.apply("behaviour-add");
    form.rules[1].id = "rule_1".into();
    form.rules[0].points = "lots".into();
    form.apply("fit-add");
    form.fit[0].rule = RuleRows::default();
    let problems = form.to_scoring(None).expect_err("refused");
    for field in ["thresholds.hot", "rules[0].points", "rules[1].id", "fit[0].rule"] {
        assert!(problems.at(field).is_some(), "{field}: {problems:?}");
    }
    form.sql_forms.push("nope".into());
    assert!(
        form.to_stages(None, &["demo-request".into()])
            .expect_err("x")
            .at("stages.sql_forms")
            .is_some()
    );
}

#[test]
fn buttons_change_the_rows() {
    let mut form = ScoringForm::of(None, None);
    for action in ["behaviour-add", "behaviour-add", "behaviour-down:0", "fit-add", "fit-add"] {
        form.apply(action);
    }
    assert_eq!(form.rules.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["rule_2", "rule_1"]);
    assert_eq!(form.fit_open, 1);
    form.apply("rule-add-group:0");
    assert_eq!((form.fit[0].rule.rows.len(), form.fit[1].rule.rows.len()), (2, 4));
    form.apply("fit-edit:0");
    form.apply("rule-remove:1");
    form.apply("fit-remove:1");
    form.apply("behaviour-remove:0");
    assert_eq!((form.fit.len(), form.fit[0].rule.rows.len(), form.rules.len()), (1, 1, 1));
}

#[test]
fn validator_paths_become_fields() {
    assert_eq!(scoring_field(".rules[2].points"), "rules[2].points");
    assert_eq!(scoring_field(".rules[2].when.type"), "rules[2].type");
    assert_eq!(scoring_field(".rules[2].when.props"), "rules[2]");
    assert_eq!(scoring_field(".rules[0].cap.per_day"), "rules[0].cap");
    assert_eq!(scoring_field(".fit[1].rule.any[0]"), "fit[1].rule");
    assert_eq!(scoring_field(".thresholds.hot"), "thresholds.hot");
    assert_eq!(scoring_field(""), "scoring");
    assert_eq!(stages_field(".sql_forms[0]"), "stages.sql_forms");
    assert_eq!(stages_field(".other"), "stages");
}
