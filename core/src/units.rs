//! Units several parts of the model count in: the day (per-day caps, decay periods,
//! active days) and the path of a page URL (rules, goals, aggregates, the pages a
//! visitor has read).

/// One UTC day in milliseconds; per-day caps and decay periods count in these.
pub const DAY_MS: u64 = 86_400_000;

/// Longest path a visitor's pages keep, in bytes (cut on a character boundary).
pub const MAX_PATH_LEN: usize = 256;

/// The path a pageview counts under: no query or fragment, no trailing `/` (but `/`
/// itself), at most [`MAX_PATH_LEN`] bytes.
pub fn page_path(url: &str) -> &str {
    let trimmed = path_of(url).trim_end_matches('/');
    let path = if trimmed.is_empty() { "/" } else { trimmed };
    let mut end = path.len().min(MAX_PATH_LEN);
    while !path.is_char_boundary(end) {
        end -= 1;
    }
    path.get(..end).unwrap_or(path)
}

/// The path of a URL: `"https://a.com/blog/x?y#z"` → `"/blog/x"`; `"/"` when it has
/// none. Relative URLs keep their path as written (`"/a?b"` → `"/a"`).
pub fn path_of(url: &str) -> &str {
    let without_authority = match url.split_once("://") {
        Some((scheme, rest)) if !scheme.contains(['/', '?', '#']) => after_authority(rest),
        _ => url.strip_prefix("//").map_or(url, after_authority),
    };
    let path = without_authority.split(['?', '#']).next().unwrap_or_default();
    if path.is_empty() { "/" } else { path }
}

/// What follows the `host:port` part.
fn after_authority(rest: &str) -> &str {
    rest.find(['/', '?', '#']).and_then(|start| rest.get(start..)).unwrap_or_default()
}
