//! Forms as the collector serves them, compiled from the configuration: fields checked
//! for what their kind needs (options, consent text, a hidden field's source), steps
//! and the progressive-profiling queue naming real fields, the success action's link
//! checked. Every mistake is reported with its path in the file.

use std::collections::HashSet;

use kindling_core::forms::{Field, FieldKind};

use crate::config::error::ConfigError;
use crate::config::forms::FormConfig;
use crate::content;
use crate::personalize::blocks::check_id;

/// Fields a form may have.
pub const MAX_FIELDS: usize = 40;

/// A form ready to show and to take submissions.
#[derive(Debug, Clone)]
pub struct Form {
    pub id: String,
    pub name: String,
    pub fields: Vec<Field>,
    /// Field names per step; one step with every field when not configured.
    pub steps: Vec<Vec<String>>,
    /// Questions asked at most this many at a time, in this order, once earlier ones
    /// are answered (progressive profiling); empty: no queue.
    pub queue: Vec<String>,
    pub ask_at_most: usize,
    /// Known values may be filled in for the visitor.
    pub prefill: bool,
    /// Consent is stored unconfirmed until the visitor follows the confirmation link.
    pub double_opt_in: bool,
    /// The submit button's label; empty: the widget's own.
    pub submit: String,
    pub success: Success,
    /// Submissions faster than this after the form was shown are robots.
    pub min_fill_ms: u64,
    /// The same person sending the same form again within this window is one lead.
    pub dedupe_ms: u64,
}

/// What the visitor sees after sending.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Success {
    pub message: Option<String>,
    pub redirect: Option<String>,
    /// A lead magnet's download link.
    pub download: Option<String>,
}

impl Form {
    /// The field named `name`.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|field| field.name == name)
    }

    /// Checks and compiles one configured form; `path` locates it in the file.
    pub fn compile(config: &FormConfig, path: &str) -> Result<Form, ConfigError> {
        check_id(&config.id, &format!("{path}.id"))?;
        if config.fields.is_empty() || config.fields.len() > MAX_FIELDS {
            return Err(ConfigError::at(format!("{path}.fields"), "needs 1 to 40 fields"));
        }
        let mut names = HashSet::new();
        for (index, field) in config.fields.iter().enumerate() {
            let field_path = format!("{path}.fields[{index}]");
            check_field(field, &field_path)?;
            if !names.insert(field.name.as_str()) {
                return Err(ConfigError::at(format!("{field_path}.name"), "duplicate field name"));
            }
        }
        if !config.fields.iter().any(|field| field.kind == FieldKind::Email) {
            return Err(ConfigError::at(
                format!("{path}.fields"),
                "a lead form needs an email field: submissions create or merge the person by email",
            ));
        }
        let visible: Vec<&str> = config
            .fields
            .iter()
            .filter(|f| f.kind != FieldKind::Hidden)
            .map(|f| f.name.as_str())
            .collect();
        let steps = if config.steps.is_empty() {
            vec![visible.iter().map(|name| (*name).to_owned()).collect()]
        } else {
            let mut placed = HashSet::new();
            for (step, names_in_step) in config.steps.iter().enumerate() {
                if names_in_step.is_empty() {
                    return Err(ConfigError::at(format!("{path}.steps[{step}]"), "an empty step"));
                }
                for (at, name) in names_in_step.iter().enumerate() {
                    let here = format!("{path}.steps[{step}][{at}]");
                    if !visible.contains(&name.as_str()) {
                        return Err(ConfigError::at(here, "not a visible field of this form"));
                    }
                    if !placed.insert(name.as_str()) {
                        return Err(ConfigError::at(
                            here,
                            "the field is in an earlier step already",
                        ));
                    }
                }
            }
            if let Some(missing) = visible.iter().find(|name| !placed.contains(*name)) {
                return Err(ConfigError::at(
                    format!("{path}.steps"),
                    format!("no step asks for {missing}"),
                ));
            }
            config.steps.clone()
        };
        let (queue, ask_at_most) = match &config.progressive {
            Some(progressive) => {
                if progressive.ask_at_most == 0 {
                    return Err(ConfigError::at(
                        format!("{path}.progressive.ask_at_most"),
                        "must be at least 1",
                    ));
                }
                for (at, name) in progressive.queue.iter().enumerate() {
                    if !visible.contains(&name.as_str()) {
                        return Err(ConfigError::at(
                            format!("{path}.progressive.queue[{at}]"),
                            "not a visible field of this form",
                        ));
                    }
                }
                (progressive.queue.clone(), progressive.ask_at_most)
            }
            None => (Vec::new(), 0),
        };
        let success = &config.success;
        let links = [("redirect", &success.redirect), ("download", &success.download)];
        for (name, link) in links {
            if link.as_deref().is_some_and(|url| !content::is_safe_link(url)) {
                return Err(ConfigError::at(format!("{path}.success.{name}"), content::LINK_HELP));
            }
        }
        if success.redirect.is_some() && success.download.is_some() {
            return Err(ConfigError::at(
                format!("{path}.success"),
                "a redirect or a download, not both",
            ));
        }
        Ok(Form {
            id: config.id.clone(),
            name: config.name.clone().unwrap_or_else(|| config.id.clone()),
            fields: config.fields.clone(),
            steps,
            queue,
            ask_at_most,
            prefill: config.prefill,
            double_opt_in: config.double_opt_in,
            submit: config.submit.clone().unwrap_or_default(),
            success: Success {
                message: success.message.clone(),
                redirect: success.redirect.clone(),
                download: success.download.clone(),
            },
            min_fill_ms: u64::from(config.spam.min_seconds) * 1000,
            dedupe_ms: u64::from(config.spam.dedupe_minutes) * 60_000,
        })
    }
}

/// What a field's kind needs of its definition.
fn check_field(field: &Field, path: &str) -> Result<(), ConfigError> {
    check_id(&field.name, &format!("{path}.name"))?;
    match field.kind {
        FieldKind::Select | FieldKind::Radio if field.options.is_empty() => {
            Err(ConfigError::at(format!("{path}.options"), "a select or radio field needs options"))
        }
        FieldKind::Consent
            if field
                .consent
                .as_ref()
                .is_none_or(|c| c.text.trim().is_empty() || c.version.trim().is_empty()) =>
        {
            Err(ConfigError::at(
                format!("{path}.consent"),
                "a consent field needs its exact text and a version",
            ))
        }
        FieldKind::Hidden if field.source.is_none() => {
            Err(ConfigError::at(format!("{path}.source"), "a hidden field needs a source"))
        }
        FieldKind::Hidden => Ok(()),
        _ if field.label.trim().is_empty() => {
            Err(ConfigError::at(format!("{path}.label"), "needs a label"))
        }
        _ if field.pattern.as_deref().is_some_and(str::is_empty) => {
            Err(ConfigError::at(format!("{path}.pattern"), "an empty pattern"))
        }
        _ => match (field.min_length, field.max_length) {
            (Some(min), Some(max)) if min > max => {
                Err(ConfigError::at(format!("{path}.min_length"), "is above max_length"))
            }
            _ => Ok(()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ConfigFile;

    const FIELDS: &str = "
          - { name: email, kind: email, label: Work email, required: true }
          - { name: name, label: Name }
          - { name: company, label: Company }
          - { name: size, kind: select, label: Size, options: [ { value: '25', label: '1-49' }, { value: '500', label: '250+' } ] }
          - { name: consent, kind: consent, label: News, consent: { text: Send me the newsletter, version: '2026-11' } }
          - { name: campaign, kind: hidden, source: utm_campaign }
";

    fn compile(form_yaml: &str) -> Result<Form, ConfigError> {
        let yaml = format!(
            "sites:\n  - key: pk_t\n    name: T\n    origins: ['*']\n    forms:\n{form_yaml}"
        );
        let catalog = ConfigFile::from_yaml(&yaml)?.compile()?;
        Ok(catalog.site("pk_t").expect("site").forms[0].clone())
    }

    #[test]
    fn a_full_form_compiles() {
        let form = compile(&format!(
            "      - id: demo-request
        fields:{FIELDS}
        steps: [ [email, name], [company, size, consent] ]
        progressive: {{ ask_at_most: 2, queue: [company, size] }}
        double_opt_in: true
        success: {{ message: Thanks, download: /files/guide.pdf }}
        spam: {{ min_seconds: 4, dedupe_minutes: 5 }}
"
        ))
        .expect("compiles");
        assert_eq!(form.steps.len(), 2);
        assert_eq!(form.queue, vec!["company", "size"]);
        assert_eq!(form.ask_at_most, 2);
        assert!(form.double_opt_in);
        assert_eq!(form.success.download.as_deref(), Some("/files/guide.pdf"));
        assert_eq!((form.min_fill_ms, form.dedupe_ms), (4_000, 300_000));
        let one_step =
            compile(&format!("      - id: ebook\n        fields:{FIELDS}")).expect("compiles");
        assert_eq!(
            one_step.steps,
            vec![vec!["email", "name", "company", "size", "consent"]],
            "hidden fields are not asked"
        );
        assert_eq!((one_step.min_fill_ms, one_step.dedupe_ms), (3_000, 600_000), "the defaults");
    }

    #[test]
    fn mistakes_are_named_by_path() {
        let cases = [
            ("fields: [ { name: phone, kind: tel, label: Phone } ]", "fields"),
            (
                "fields: [ { name: email, kind: email, label: E }, { name: email, label: F } ]",
                "fields[1].name",
            ),
            (
                "fields: [ { name: email, kind: email, label: E }, { name: s, kind: select, label: S } ]",
                "fields[1].options",
            ),
            (
                "fields: [ { name: email, kind: email, label: E }, { name: c, kind: consent, label: C } ]",
                "fields[1].consent",
            ),
            (
                "fields: [ { name: email, kind: email, label: E }, { name: h, kind: hidden } ]",
                "fields[1].source",
            ),
            ("fields: [ { name: email, kind: email, label: '' } ]", "fields[0].label"),
            (
                "fields: [ { name: email, kind: email, label: E, min_length: 9, max_length: 3 } ]",
                "fields[0].min_length",
            ),
            (
                "fields: [ { name: email, kind: email, label: E } ], steps: [ [email, phone] ]",
                "steps[0][1]",
            ),
            (
                "fields: [ { name: email, kind: email, label: E }, { name: n, label: N } ], steps: [ [email] ]",
                "steps",
            ),
            (
                "fields: [ { name: email, kind: email, label: E } ], steps: [ [email], [email] ]",
                "steps[1][0]",
            ),
            (
                "fields: [ { name: email, kind: email, label: E } ], progressive: { ask_at_most: 0, queue: [] }",
                "progressive.ask_at_most",
            ),
            (
                "fields: [ { name: email, kind: email, label: E } ], success: { redirect: 'javascript:x' }",
                "success.redirect",
            ),
            (
                "fields: [ { name: email, kind: email, label: E } ], success: { redirect: /a, download: /b }",
                "success",
            ),
        ];
        for (yaml, path) in cases {
            let error = compile(&format!("      - {{ id: f, {yaml} }}\n")).expect_err(yaml);
            assert_eq!(error.path, format!("sites[0].forms[0].{path}"), "{yaml}: {error}");
        }
        let duplicate = "      - { id: f, fields: [ { name: email, kind: email, label: E } ] }\n      - { id: f, fields: [ { name: email, kind: email, label: E } ] }\n";
        assert_eq!(compile(duplicate).expect_err("duplicate").path, "sites[0].forms[1].id");
    }
}
