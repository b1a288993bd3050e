//! Any text as a block body: rendered and sanitized. Must never panic, and the HTML
//! must hold only the allowed tags and attributes, no `script` element and no link a
//! browser would follow to a `javascript:` (or other non-allowed) scheme.

#![no_main]

use kindling_collector::content::render_body;
use kindling_fuzz::markup::{scheme_of, tags};
use libfuzzer_sys::fuzz_target;

const ALLOWED_TAGS: &[&str] = &[
    "a", "b", "br", "code", "em", "h3", "h4", "i", "li", "ol", "p", "s", "small", "strong", "sub",
    "sup", "u", "ul",
];

/// Attributes any allowed tag may carry: ammonia's defaults, which `Builder::empty()`
/// keeps (it empties only the tags).
const GENERIC_ATTRIBUTES: &[&str] = &["lang", "title"];

/// Attributes of one tag: the link's, and the list numbering markdown writes (`3. item`).
const TAG_ATTRIBUTES: &[(&str, &str)] =
    &[("a", "href"), ("a", "hreflang"), ("a", "rel"), ("ol", "start")];

const ALLOWED_SCHEMES: &[&str] = &["http", "https", "mailto", "tel"];

fuzz_target!(|markdown: &str| {
    let html = render_body(markdown);
    let tags = tags(&html).unwrap_or_else(|| panic!("unexpected markup: {html}"));
    for tag in &tags {
        let name = tag.name.strip_prefix('/').unwrap_or(&tag.name).to_ascii_lowercase();
        assert!(ALLOWED_TAGS.contains(&name.as_str()), "tag {name:?} in {html}");
        for (attribute, value) in &tag.attributes {
            let allowed = GENERIC_ATTRIBUTES.contains(&attribute.as_str())
                || TAG_ATTRIBUTES.contains(&(name.as_str(), attribute.as_str()));
            assert!(allowed, "attribute {attribute:?} on {name:?} in {html}");
            if attribute == "href"
                && let Some(scheme) = scheme_of(value)
            {
                assert!(ALLOWED_SCHEMES.contains(&scheme.as_str()), "href {value:?} in {html}");
            }
        }
    }
});
