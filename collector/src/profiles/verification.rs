//! Identity verification: a site's backend proves who its signed-in user is by signing
//! the user's email with the site's identity secret, as Intercom's identity
//! verification does. The page passes the signature with the email to `identify`
//! (`kindling.identify({email, signature})`); the collector recomputes it and, when it
//! matches, the visitor has proved the identity and its browser is shown its person.
//! An unsigned email (typed in a form, or an `identify` without a signature) proves
//! nothing: see [`crate::lifecycle::device`] for what that browser is shown instead.
//!
//! The signature is HMAC-SHA256, keyed with the secret, of the email trimmed and
//! lowercased, as lowercase hex (64 characters). The signature is taken out of the
//! event before it is stored: it is not a trait.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::config::{ConfigError, IdentityConfig};
use crate::profiles::traits::normalize_email;
use crate::store::StoredEvent;

/// The property of an `identify` event that carries the signature.
pub const SIGNATURE_PROP: &str = "signature";

/// Shortest accepted identity secret.
pub const MIN_SECRET_LEN: usize = 32;

/// A site's identity secret.
#[derive(Clone)]
pub struct IdentitySecret(String);

impl std::fmt::Debug for IdentitySecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdentitySecret(<redacted>)")
    }
}

impl IdentitySecret {
    /// The secret `config` gives (at `path` in the configuration).
    pub fn compile(config: &IdentityConfig, path: &str) -> Result<Self, ConfigError> {
        let secret = match (&config.secret, &config.secret_env) {
            (Some(secret), None) => secret.clone(),
            (None, Some(variable)) => std::env::var(variable).map_err(|_| {
                ConfigError::at(
                    format!("{path}.secret_env"),
                    format!("the environment variable {variable} is not set"),
                )
            })?,
            _ => {
                return Err(ConfigError::at(
                    path,
                    "identity has exactly one of secret, secret_env",
                ));
            }
        };
        if secret.len() < MIN_SECRET_LEN {
            return Err(ConfigError::at(
                format!("{path}.secret"),
                "an identity secret has at least 32 characters",
            ));
        }
        Ok(IdentitySecret(secret))
    }

    /// The signature of `email`, as a site's backend computes it.
    pub fn sign(&self, email: &str) -> Option<String> {
        let email = normalize_email(email)?;
        Some(hex::encode(self.mac(&email).finalize().into_bytes()))
    }

    /// Whether `signature` is this secret's for `email`; compared in constant time.
    pub fn verifies(&self, email: &str, signature: &str) -> bool {
        let (Some(email), Ok(signature)) =
            (normalize_email(email), hex::decode(signature.trim().to_ascii_lowercase()))
        else {
            return false;
        };
        self.mac(&email).verify_slice(&signature).is_ok()
    }

    fn mac(&self, email: &str) -> Hmac<Sha256> {
        // HMAC takes a key of any length.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(self.0.as_bytes())
            .unwrap_or_else(|_| unreachable!());
        mac.update(email.as_bytes());
        mac
    }
}

/// Takes the signatures out of `events`' `identify` properties; returns the email one
/// of them proves with `secret` (none without a secret, or when none checks out).
pub fn take_proof(events: &mut [StoredEvent], secret: Option<&IdentitySecret>) -> Option<String> {
    let mut proven = None;
    for event in events.iter_mut().filter(|event| event.kind == "identify") {
        let Some(props) = &event.props else { continue };
        let Ok(serde_json::Value::Object(mut props)) = serde_json::from_str(props) else {
            continue;
        };
        let Some(signature) = props.remove(SIGNATURE_PROP) else { continue };
        let email = props.get("email").and_then(serde_json::Value::as_str);
        if let (Some(secret), Some(email), Some(signature)) = (secret, email, signature.as_str())
            && secret.verifies(email, signature)
        {
            proven = normalize_email(email);
        }
        event.props = (!props.is_empty()).then(|| serde_json::Value::Object(props).to_string());
    }
    proven
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> IdentitySecret {
        IdentitySecret("an identity secret of at least thirty-two bytes".to_owned())
    }

    #[test]
    fn a_signature_verifies_for_its_email_only() {
        let signature = secret().sign(" Kim@Example.com ").expect("an email");
        assert_eq!(signature.len(), 64);
        assert!(secret().verifies("kim@example.com", &signature));
        assert!(secret().verifies("kim@example.com", &signature.to_uppercase()));
        assert!(!secret().verifies("kim@example.org", &signature));
        assert!(!secret().verifies("kim@example.com", &signature[..62]));
        assert!(!secret().verifies("kim@example.com", "not hex"));
        let other = IdentitySecret("another secret, also thirty-two bytes long".to_owned());
        assert!(!other.verifies("kim@example.com", &signature));
    }

    #[test]
    fn the_signature_is_taken_out_and_proves_its_email() {
        let signature = secret().sign("kim@example.com").expect("an email");
        let mut event = StoredEvent::new("e1", "pk", "v1", "s1", "identify", "https://x.test/", 1);
        event.props = Some(
            serde_json::json!({"email": "kim@example.com", "signature": signature, "plan": "pro"})
                .to_string(),
        );
        let mut events = vec![event];
        assert_eq!(take_proof(&mut events, Some(&secret())), Some("kim@example.com".to_owned()));
        let props: serde_json::Value =
            serde_json::from_str(events[0].props.as_deref().expect("props")).expect("JSON");
        assert_eq!(props, serde_json::json!({"email": "kim@example.com", "plan": "pro"}));

        let mut forged = events.clone();
        forged[0].props = Some(
            serde_json::json!({"email": "kim@example.com", "signature": "00".repeat(32)})
                .to_string(),
        );
        assert_eq!(take_proof(&mut forged, Some(&secret())), None);
        assert_eq!(forged[0].props.as_deref(), Some(r#"{"email":"kim@example.com"}"#));
        let mut unsigned_site = events;
        unsigned_site[0].props =
            Some(format!(r#"{{"email":"kim@example.com","signature":"{signature}"}}"#));
        assert_eq!(take_proof(&mut unsigned_site, None), None, "no secret, no proof");
    }
}
