//! What the bundle's routes share: the cache policies and which names are bundle
//! file names.

/// Cache policy of the loader: short, so releases roll out within minutes.
pub const LOADER_CACHE: &str = "public, max-age=300";
/// Cache policy of content-hashed files.
pub const HASHED_CACHE: &str = "public, max-age=31536000, immutable";
/// Longest name served under `/w/`; bundle names are about 25 bytes.
pub const MAX_NAME_LEN: usize = 128;

/// A plain file name: 1 to [`MAX_NAME_LEN`] letters, digits, `.`, `-` or `_`, not
/// starting with `.`.
pub fn is_bundle_name(name: &str) -> bool {
    (1..=MAX_NAME_LEN).contains(&name.len())
        && !name.starts_with('.')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}
