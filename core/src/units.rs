//! Units several parts of the model count in: the day (per-day caps, decay periods,
//! active days) and the path of a page URL (rules, goals, aggregates).

/// One UTC day in milliseconds; per-day caps and decay periods count in these.
pub const DAY_MS: u64 = 86_400_000;

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
