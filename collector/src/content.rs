//! Marketer content made safe for visitors' pages: markdown rendered to HTML and
//! sanitized to a small subset when the configuration is loaded, and CTA links checked.
//! The widget inserts the result into a shadow root without further processing.

use std::collections::HashSet;
use std::sync::LazyLock;

/// Tags a block body may contain.
const ALLOWED_TAGS: &[&str] = &[
    "a", "b", "br", "code", "em", "h3", "h4", "i", "li", "ol", "p", "s", "small", "strong", "sub",
    "sup", "u", "ul",
];

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::empty();
    builder
        .tags(ALLOWED_TAGS.iter().copied().collect::<HashSet<_>>())
        .add_tag_attributes("a", ["href", "title"])
        .url_schemes(["http", "https", "mailto", "tel"].into_iter().collect())
        .link_rel(Some("noopener noreferrer"));
    builder
});

/// Renders a block body (markdown with optional inline HTML) to sanitized HTML.
pub fn render_body(markdown: &str) -> String {
    let parser = pulldown_cmark::Parser::new(markdown);
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, parser);
    SANITIZER.clean(&html).to_string().trim().to_owned()
}

/// What [`is_safe_link`] accepts, for configuration errors.
pub const LINK_HELP: &str = "must be an http(s) URL or a path starting with a single /, \
     without control characters";

/// True for an absolute `http(s)` URL or a site path (`/pricing`), judged as a browser
/// reads it: browsers drop tabs and line breaks anywhere in a URL and read `\` as `/`,
/// so `/\evil.example` and `/<tab>/evil.example` lead off-site. A link with any
/// control character is refused, and a site path is `/` followed by neither `/` nor `\`.
pub fn is_safe_link(url: &str) -> bool {
    let url = url.trim_matches(' ');
    if url.chars().any(char::is_control) {
        return false;
    }
    let lower = url.to_ascii_lowercase();
    is_site_path(&lower) || lower.starts_with("https://") || lower.starts_with("http://")
}

/// `/` and then anything but another `/` or `\`.
fn is_site_path(url: &str) -> bool {
    url.strip_prefix('/').is_some_and(|rest| !rest.starts_with(['/', '\\']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_markdown_and_strips_scripts_and_handlers() {
        let html = render_body(
            "Close the books **3× faster**.\n\n<script>alert(1)</script>\n\nSee \
             <a href=\"javascript:alert(1)\" onclick=\"x()\">x</a> and [ok](https://example.com)",
        );
        assert!(html.contains("<strong>3× faster</strong>"), "{html}");
        assert!(!html.contains("script"), "{html}");
        assert!(!html.contains("javascript"), "{html}");
        assert!(!html.contains("onclick"), "{html}");
        assert!(html.contains("href=\"https://example.com\""), "{html}");
        assert!(html.contains("rel=\"noopener noreferrer\""), "{html}");
    }

    #[test]
    fn links_must_be_http_or_site_relative() {
        for good in ["/pricing.html", "https://example.com/x", "HTTP://example.com"] {
            assert!(is_safe_link(good), "{good}");
        }
        for bad in ["javascript:alert(1)", "//evil.example", "data:text/html,x", "pricing"] {
            assert!(!is_safe_link(bad), "{bad}");
        }
    }

    #[test]
    fn site_paths_that_browsers_read_as_another_host_are_refused() {
        for bad in [
            "/\\evil.example/",
            "/\\/evil.example/",
            "/\t/evil.example/",
            "/\n/evil.example/",
            "/\r/evil.example/",
            "\t//evil.example/",
            "/pricing\n",
            "/pri\u{0}cing",
            "https://example.com/\u{7f}",
            "java\tscript:alert(1)",
        ] {
            assert!(!is_safe_link(bad), "{bad:?}");
        }
        for good in ["/", "/pricing?plan=pro#faq", " /pricing ", "/a\\b"] {
            assert!(is_safe_link(good), "{good:?}");
        }
    }
}
