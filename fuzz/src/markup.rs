//! Reads the HTML the block body sanitizer writes (html5ever's serialization): text
//! with `&`, `<` and `>` escaped, tags whose attribute values are double-quoted with
//! `&` and `"` escaped (and `<`, `>` by current html5ever; a raw one is read too). So
//! the markup can be told from the text without an HTML parser, and checked for what
//! must never reach a page.

/// One tag as written: its name (`/a` for an end tag) and its attributes, values
/// unescaped.
#[derive(Debug, PartialEq)]
pub struct Tag {
    pub name: String,
    pub attributes: Vec<(String, String)>,
}

/// The tags of `html` in order; `None` when it is not shaped as the serializer writes.
pub fn tags(html: &str) -> Option<Vec<Tag>> {
    let mut tags = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        let name_end = rest.find([' ', '>'])?;
        let mut tag = Tag { name: rest[..name_end].to_owned(), attributes: Vec::new() };
        rest = &rest[name_end..];
        while let Some(attribute) = rest.strip_prefix(' ') {
            let (name, after_name) = attribute.split_once("=\"")?;
            let (value, after_value) = after_name.split_once('"')?;
            tag.attributes.push((name.to_owned(), unescape(value)));
            rest = after_value;
        }
        rest = rest.strip_prefix('>')?;
        tags.push(tag);
    }
    Some(tags)
}

/// The scheme a browser would follow `href` to: tabs and line breaks anywhere and
/// leading controls and spaces dropped, lowercased, up to the first `:` (none for a
/// relative reference).
pub fn scheme_of(href: &str) -> Option<String> {
    let cleaned: String = href
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let (scheme, _) = cleaned.split_once(':')?;
    let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    is_scheme.then(|| scheme.to_ascii_lowercase())
}

/// An attribute value as written, back to its text (the serializer escapes only
/// these).
fn unescape(value: &str) -> String {
    [("&quot;", "\""), ("&lt;", "<"), ("&gt;", ">"), ("&nbsp;", "\u{a0}"), ("&amp;", "&")]
        .iter()
        .fold(value.to_owned(), |text, (escaped, character)| text.replace(escaped, character))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tags_and_attribute_values_holding_angle_brackets() {
        let html = "<p>a &lt;b&gt; <a href=\"/x?a=1&amp;b=2\" title=\"<script> &lt;&quot;q&quot;&gt;\" \
                    rel=\"noopener noreferrer\">x</a></p>";
        let read = tags(html).expect("well formed");
        let names: Vec<&str> = read.iter().map(|tag| tag.name.as_str()).collect();
        assert_eq!(names, ["p", "a", "/a", "/p"]);
        assert_eq!(read[1].attributes[0], ("href".to_owned(), "/x?a=1&b=2".to_owned()));
        assert_eq!(read[1].attributes[1].1, "<script> <\"q\">");
    }

    #[test]
    fn finds_the_scheme_a_browser_follows() {
        assert_eq!(scheme_of(" \u{1}Java\tScript:alert(1)").as_deref(), Some("javascript"));
        assert_eq!(scheme_of("https://example.com").as_deref(), Some("https"));
        assert_eq!(scheme_of("/a:b"), None);
        assert_eq!(scheme_of("?q=a:b"), None);
    }
}
