//! Passwords: Argon2id hashes in PHC strings (`$argon2id$v=19$m=19456,t=2,p=1$…`),
//! with the `argon2` crate's default parameters (19 MiB of memory, 2 passes, 1 lane;
//! OWASP's minimum for Argon2id). A hash names its own parameters, so hashes made with
//! other ones still verify. Passwords are 12 characters to 1024 bytes long.
//!
//! Hashing takes tens of milliseconds of one core: it runs on a blocking thread, a few
//! at a time ([`HASHING_AT_ONCE`]), so sign-in attempts cannot take every core. An
//! unknown email is verified against a hash of a random password ([`verify`] with
//! `None`), so it takes as long as a known one.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use tokio::sync::Semaphore;

use crate::accounts::error::AccountError;

/// Fewest characters of a password.
pub const MIN_CHARS: usize = 12;
/// Most bytes of a password (hashing is bounded, and so is a request).
pub const MAX_BYTES: usize = 1024;
/// Hashes computed at once.
pub const HASHING_AT_ONCE: usize = 4;

static HASHING: Semaphore = Semaphore::const_new(HASHING_AT_ONCE);

/// Ok when `password` is long enough and not too long.
pub fn check(password: &str) -> Result<(), AccountError> {
    if password.len() > MAX_BYTES {
        Err(AccountError::PasswordTooLong)
    } else if password.chars().count() < MIN_CHARS {
        Err(AccountError::PasswordTooShort)
    } else {
        Ok(())
    }
}

/// The Argon2id hash of `password`, with a random salt; `password` must pass [`check`].
pub fn hash(password: &str) -> Result<String, AccountError> {
    check(password)?;
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    let hashed = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|error| AccountError::Hashing(error.to_string()))?;
    Ok(hashed.to_string())
}

/// Whether `password` is the one `stored` is a hash of. With no `stored` hash it
/// checks against a stand-in, taking as long, and is false.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    let (stored, real) = match stored {
        Some(stored) => (stored, true),
        None => (stand_in(), false),
    };
    // A password past the limit cannot be right: it is never hashed (so nobody makes
    // the collector hash megabytes), and answers as fast as any wrong one.
    if password.len() > MAX_BYTES {
        return false;
    }
    let Ok(parsed) = PasswordHash::new(stored) else {
        tracing::warn!("a stored password hash cannot be read; that user cannot sign in");
        return false;
    };
    let right = Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok();
    right && real
}

/// [`hash`] on a blocking thread, a few at a time.
pub async fn hash_off_thread(password: String) -> Result<String, AccountError> {
    let _permit = HASHING.acquire().await.map_err(|_| AccountError::Hashing("closed".into()))?;
    tokio::task::spawn_blocking(move || hash(&password))
        .await
        .map_err(|error| AccountError::Hashing(error.to_string()))?
}

/// [`verify`] on a blocking thread, a few at a time.
pub async fn verify_off_thread(password: String, stored: Option<String>) -> bool {
    let Ok(_permit) = HASHING.acquire().await else { return false };
    tokio::task::spawn_blocking(move || verify(&password, stored.as_deref())).await.unwrap_or(false)
}

/// The hash unknown emails are verified against: of a random password, with the
/// same parameters as every new hash. Made once, on first use (or [`warm_up`]).
fn stand_in() -> &'static str {
    static STAND_IN: OnceLock<String> = OnceLock::new();
    STAND_IN.get_or_init(|| {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        let password = crate::accounts::secret::random_text(24);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .unwrap_or_default()
    })
}

/// Makes the stand-in hash now, so the first sign-in with an unknown email takes no
/// longer than any other.
pub fn warm_up() {
    stand_in();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify_only_their_password() {
        let hashed = hash("correct horse battery").expect("hashed");
        assert!(hashed.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hashed}");
        assert!(verify("correct horse battery", Some(&hashed)));
        assert!(!verify("correct horse batterY", Some(&hashed)));
        assert_ne!(hash("correct horse battery").expect("hashed"), hashed, "salted");
        assert!(!verify("correct horse battery", None), "the stand-in never matches");
        assert!(!verify("correct horse battery", Some("not a hash")));
    }

    #[test]
    fn length_is_checked_in_characters_and_bytes() {
        assert!(matches!(check("short"), Err(AccountError::PasswordTooShort)));
        assert!(matches!(check("ąęśćżźńółąęś"), Ok(())), "12 characters, more bytes");
        assert!(matches!(check(&"x".repeat(1024)), Ok(())));
        assert!(matches!(check(&"x".repeat(1025)), Err(AccountError::PasswordTooLong)));
        assert!(!verify(&"x".repeat(1025), None));
    }
}
