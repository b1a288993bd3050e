//! Secrets written inline in a document (`webhooks[].secret`, `identity.secret`) are
//! shown only to owners: for everyone else a document's text has each of them replaced
//! by [`REDACTED`]. A document saved with [`REDACTED`] in place of secrets gets them back
//! from the document it was based on, in order, so an editor can change blocks in a
//! document whose secrets they never saw. (Secrets named by `secret_env` are never in
//! a document at all: the better choice.)

use serde_yaml_ng::Value;

/// What a hidden secret reads as.
pub const REDACTED: &str = "<redacted>";

/// The inline secrets of `text`, in the order they are written.
fn secrets(text: &str) -> Vec<String> {
    let Ok(parsed) = serde_yaml_ng::from_str::<Value>(text) else { return Vec::new() };
    let sites = parsed.get("sites").and_then(Value::as_sequence).cloned().unwrap_or_default();
    let mut found = Vec::new();
    for site in &sites {
        let webhooks = site.get("webhooks").and_then(Value::as_sequence);
        let holders = webhooks.into_iter().flatten().chain(site.get("identity"));
        for holder in holders {
            if let Some(secret) = holder.get("secret").and_then(Value::as_str)
                && !secret.is_empty()
                && secret != REDACTED
            {
                found.push(secret.to_owned());
            }
        }
    }
    // In the order they are written, which is how `restore` matches them.
    found.sort_by_key(|secret| text.find(secret.as_str()));
    found
}

/// `text` with every inline secret replaced by [`REDACTED`].
pub fn redact(text: &str) -> String {
    let mut shown = text.to_owned();
    let mut hidden = secrets(text);
    // Longest first, so a secret containing another is replaced whole.
    hidden.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
    for secret in hidden {
        shown = shown.replace(&secret, REDACTED);
    }
    shown
}

/// `text` with each [`REDACTED`] replaced by the secret `based_on` holds in that place
/// (the n-th redacted secret by the n-th secret); `None` when the counts differ.
pub fn restore(text: &str, based_on: &str) -> Option<String> {
    let redacted = text.matches(REDACTED).count();
    if redacted == 0 {
        return Some(text.to_owned());
    }
    let earlier = secrets(based_on);
    if earlier.len() != redacted {
        return None;
    }
    let mut restored = String::with_capacity(text.len());
    let mut rest = text;
    for secret in earlier {
        let (before, after) = rest.split_once(REDACTED)?;
        restored.push_str(before);
        restored.push_str(&secret);
        rest = after;
    }
    restored.push_str(rest);
    Some(restored)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCUMENT: &str = "sites:\n  - key: pk_a\n    identity: { secret: id-s3cret }\n    webhooks:\n      - { id: crm, url: 'https://crm.example', secret: wh-s3cret }\n";

    #[test]
    fn secrets_are_hidden_and_given_back_in_place() {
        let shown = redact(DOCUMENT);
        assert!(!shown.contains("s3cret"), "{shown}");
        assert_eq!(shown.matches(REDACTED).count(), 2);
        let edited = shown.replace("pk_a", "pk_a # edited");
        let restored = restore(&edited, DOCUMENT).expect("restored");
        assert_eq!(restored, DOCUMENT.replace("pk_a", "pk_a # edited"));
        assert_eq!(restore(DOCUMENT, "sites: []"), Some(DOCUMENT.to_owned()));
        assert_eq!(restore(&shown, "sites: []"), None);
    }
}
