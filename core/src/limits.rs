//! Size limits of the public protocol. The collector enforces them and answers with a
//! JSON error naming the field; the widget respects them before sending. They are
//! documented in docs/api.md's "Limits" section: change both together.

/// Largest accepted request body on the public endpoints, in bytes.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Most events in one `POST /v1/events` batch.
pub const MAX_EVENTS_PER_BATCH: usize = 100;
/// Longest accepted URL (page, referrer, CTA target), in bytes.
pub const MAX_URL_LEN: usize = 2048;
/// Longest accepted short text (title, names, keys), in bytes.
pub const MAX_TEXT_LEN: usize = 512;
/// Most content slots one boot request may ask decisions for.
pub const MAX_SLOTS: usize = 32;
/// Most properties on one event (`track` props, `identify` traits).
pub const MAX_PROPS: usize = 25;
/// Longest property name, in bytes.
pub const MAX_PROP_KEY_LEN: usize = 64;

/// Whether `text` holds a NUL character. No text column of PostgreSQL can store one, so
/// the collector refuses it on input, with either backend.
pub fn has_nul(text: &str) -> bool {
    text.contains('\0')
}
