//! The secrets sessions and API tokens are made of, and how they are stored: 32
//! random bytes from the operating system, base64url without padding (43 characters);
//! an API token is that behind `kdl_`, so scanners and people can tell it for what it
//! is. The store only ever sees a secret's SHA-256, in hex ([`digest`]): a copy of
//! the database lets nobody in.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// What every API token starts with.
pub const TOKEN_PREFIX: &str = "kdl_";

/// `bytes` random bytes, base64url.
pub fn random_text(bytes: usize) -> String {
    let mut random = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut random);
    URL_SAFE_NO_PAD.encode(random)
}

/// A new session id (256 bits).
pub fn session_id() -> String {
    random_text(32)
}

/// A new API token: `kdl_` and 256 bits.
pub fn api_token() -> String {
    [TOKEN_PREFIX, &random_text(32)].concat()
}

/// How a secret is stored: its SHA-256, hex.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_256_random_bits_in_base64url() {
        let (one, two) = (session_id(), session_id());
        assert_eq!(one.len(), 43);
        assert_ne!(one, two);
        assert!(one.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        let token = api_token();
        assert!(token.starts_with("kdl_") && token.len() == 47, "{token}");
        assert_eq!(digest("abc").len(), 64);
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
