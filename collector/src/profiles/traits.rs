//! Traits of a person (name, company, role, company size, industry, country, phone and
//! custom ones), each with where it came from and when it was last set. The email is
//! not a trait: it is the person's key, normalized by [`normalize_email`].

use std::collections::BTreeMap;

use kindling_core::rules::Value;
use kindling_core::wire::PropValue;
use serde::{Deserialize, Serialize};

/// Longest accepted email address, in bytes.
pub const MAX_EMAIL_LEN: usize = 254;

/// One trait's value and provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trait {
    pub value: PropValue,
    /// `identify`, `form:<id>`, `api`.
    pub source: String,
    pub at_ms: i64,
}

/// A person's traits by name.
pub type Traits = BTreeMap<String, Trait>;

/// Sets every property but `email` as a trait from `source`; returns the email, if one
/// was given and is valid.
pub fn absorb(
    traits: &mut Traits,
    props: &[(String, PropValue)],
    source: &str,
    at_ms: i64,
) -> Option<String> {
    let mut email = None;
    for (name, value) in props {
        if name == "email" {
            if let PropValue::Text(text) = value {
                email = normalize_email(text);
            }
            continue;
        }
        traits
            .insert(name.clone(), Trait { value: value.clone(), source: source.to_owned(), at_ms });
    }
    email
}

/// Lowercased, trimmed, and plausibly an address (`local@domain.tld`), or none.
pub fn normalize_email(text: &str) -> Option<String> {
    let email = text.trim().to_lowercase();
    let (local, domain) = email.split_once('@')?;
    let plausible = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.contains(char::is_whitespace)
        && email.len() <= MAX_EMAIL_LEN
        && email.matches('@').count() == 1;
    plausible.then_some(email)
}

/// A trait as a rule fact.
pub fn fact_value(value: &PropValue) -> Value {
    match value {
        PropValue::Bool(flag) => Value::Bool(*flag),
        PropValue::Number(number) => Value::Number(*number),
        PropValue::Text(text) => Value::Text(text.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalized_or_refused() {
        assert_eq!(normalize_email("  Ada@Example.COM "), Some("ada@example.com".to_owned()));
        for bad in
            ["", "ada", "ada@", "@example.com", "ada@example", "a b@example.com", "a@b@example.com"]
        {
            assert_eq!(normalize_email(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn traits_keep_their_source_and_time() {
        let mut traits = Traits::new();
        let props = vec![
            ("email".to_owned(), PropValue::Text("Ada@Example.com".to_owned())),
            ("company_size".to_owned(), PropValue::Number(500.0)),
        ];
        let email = absorb(&mut traits, &props, "identify", 42);
        assert_eq!(email.as_deref(), Some("ada@example.com"));
        assert_eq!(traits["company_size"].source, "identify");
        assert_eq!(traits["company_size"].at_ms, 42);
        assert!(!traits.contains_key("email"));
    }
}
