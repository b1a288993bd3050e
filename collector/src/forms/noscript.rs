//! The same lead form posted without JavaScript: a plain `<form method="post"
//! action="https://COLLECTOR/v1/forms/FORM/submissions">` inside `<noscript>` sends
//! `application/x-www-form-urlencoded`. Field inputs carry the form's field names;
//! a few reserved names carry what the widget would send:
//!
//! - `_site` (required): the site key;
//! - `_visitor`: a visitor id, if the page has one (a new one is made otherwise);
//! - `_page`: the page's address (else the `Referer` header);
//! - `_redirect`: where to go back to (else `_page`); it must be on an origin the site
//!   allows, or the collector answers with its own page;
//! - `_hp`: the honeypot, an input hidden from people (CSS off-screen).
//!
//! The posting page must be on an origin the site allows, judged by `Origin` or else
//! `Referer`, as [`check_sender`] explains.
//!
//! Accepted: `303 See Other` back to the form's own redirect, or to the page with
//! `kindling_form=sent` added to its query; without an allowed page to go back to, a
//! short thank-you page. Refused: a short page (422 with each field's problem, 403 for
//! spam) linking back. A plain form cannot measure its fill time, so the minimum fill
//! time does not apply; the other defences do.

use axum::http::header::{LOCATION, ORIGIN, REFERER};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use kindling_core::forms::Lang;
use kindling_core::wire::SubmissionAccepted;

use crate::cors;
use crate::error::ApiError;
use crate::forms::submit::{Input, Refusal, accept};
use crate::ratelimit::ClientIp;
use crate::sites::Site;
use crate::state::AppState;

/// What a plain form posts, as the API document describes it (the handler reads the
/// pairs as they come): the reserved fields, then one field per form field, by name.
#[derive(utoipa::ToSchema)]
pub struct PlainFormPost {
    /// The site key.
    #[schema(rename = "_site")]
    pub site: String,
    /// The visitor id, if the page has one.
    #[schema(rename = "_visitor", required = false)]
    pub visitor: String,
    /// The page's address (else `Referer`).
    #[schema(rename = "_page", required = false)]
    pub page: String,
    /// Where to go back to, on an origin the site allows (else `_page`).
    #[schema(rename = "_redirect", required = false)]
    pub redirect: String,
    /// The honeypot: empty for people.
    #[schema(rename = "_hp", required = false)]
    pub honeypot: String,
    /// The page's language tag, for the answer's page.
    #[schema(rename = "_lang", required = false)]
    pub lang: String,
}

/// Handles a URL-encoded submission of `form`.
pub async fn submit(
    app: &AppState,
    form: &str,
    client: ClientIp,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let (mut input, redirect) = parse_body(body);
    let Some(site) = &app.catalog.site(&input.site) else {
        return page(StatusCode::UNAUTHORIZED, "Unknown site", &[], None);
    };
    if let Err(refused) = check_sender(site, headers) {
        return cors::respond(&app.catalog.load(), headers, Err::<Response, _>(refused));
    }
    if input.url.is_empty() {
        input.url = headers
            .get(REFERER)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
    }
    if !kindling_core::ids::is_uuid(&input.visitor) {
        input.visitor = uuid::Uuid::now_v7().to_string();
    }
    input.id = uuid::Uuid::now_v7().to_string();
    let back = redirect
        .and_then(|url| allowed_return(site, &url))
        .or_else(|| allowed_return(site, &input.url));
    let lang = input.lang;
    match accept(app, site, form, client, headers, input).await {
        Ok(accepted) => sent(&accepted, back.as_deref(), lang),
        Err(Refusal::Invalid(fields)) => {
            let lines: Vec<String> = fields
                .iter()
                .map(|problem| {
                    let label = site
                        .form(form)
                        .and_then(|form| form.field(&problem.field))
                        .map_or(problem.field.as_str(), |field| field.label.as_str());
                    [label, ": ", &problem.message].concat()
                })
                .collect();
            let title =
                if lang == Lang::Pl { "Popraw formularz" } else { "Please correct the form" };
            page(StatusCode::UNPROCESSABLE_ENTITY, title, &lines, back.as_deref())
        }
        Err(Refusal::Spam(_)) => {
            let title = if lang == Lang::Pl {
                "Nie mogliśmy przyjąć formularza"
            } else {
                "We could not accept this submission"
            };
            page(StatusCode::FORBIDDEN, title, &[], back.as_deref())
        }
        Err(Refusal::Api(error)) => page(error.status(), &error.to_string(), &[], back.as_deref()),
    }
}

/// A URL-encoded body read into the submission it carries and the `_redirect` it asks
/// for: the reserved names fill their parts of the input, every other name is a value.
pub fn parse_body(body: &[u8]) -> (Input, Option<String>) {
    let mut input = Input { lang: Lang::En, ..Input::default() };
    let mut redirect = None;
    for (name, value) in form_urlencoded::parse(body) {
        match name.as_ref() {
            "_site" => input.site = value.into_owned(),
            "_visitor" => input.visitor = value.into_owned(),
            "_page" => input.url = value.into_owned(),
            "_redirect" => redirect = Some(value.into_owned()),
            "_hp" => input.honeypot = value.into_owned(),
            "_lang" => input.lang = Lang::from_tag(&value),
            _ => input.values.push((name.into_owned(), value.into_owned())),
        }
    }
    (input, redirect)
}

/// Refuses a post from a page `site` does not allow, with the JSON API's 403: the
/// `Origin` header decides, or without one the origin of the `Referer`. A post with
/// neither is accepted: some privacy-minded browsers send neither with a real form
/// post, while current browsers send `Origin` (at worst `null`, refused) with every
/// cross-site one.
fn check_sender(site: &Site, headers: &HeaderMap) -> Result<(), ApiError> {
    let header = |name| headers.get(name).map(|value| value.to_str().unwrap_or_default());
    let sender = match (header(ORIGIN), header(REFERER)) {
        (Some(origin), _) => origin.to_owned(),
        (None, Some(referer)) => url::Url::parse(referer)
            .map_or_else(|_| referer.to_owned(), |url| url.origin().ascii_serialization()),
        (None, None) => return Ok(()),
    };
    if site.allows_origin(&sender) {
        Ok(())
    } else {
        Err(ApiError::OriginNotAllowed { origin: sender })
    }
}

/// The answer to an accepted plain submission.
fn sent(accepted: &SubmissionAccepted, back: Option<&str>, lang: Lang) -> Response {
    let target = accepted.success.redirect.clone().or_else(|| back.map(with_sent_marker));
    if let Some(target) = target
        && let Ok(location) = HeaderValue::from_str(&target)
    {
        let mut response = StatusCode::SEE_OTHER.into_response();
        response.headers_mut().insert(LOCATION, location);
        return response;
    }
    let title = match (accepted.success.message.as_str(), lang) {
        ("", Lang::Pl) => "Dziękujemy!",
        ("", Lang::En) => "Thank you!",
        (message, _) => message,
    };
    let link = accepted.success.download.as_deref();
    page(StatusCode::OK, title, &[], link)
}

/// `url` with `kindling_form=sent` added to its query (before any fragment).
fn with_sent_marker(url: &str) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (url, None),
    };
    let separator = if base.contains('?') { "&" } else { "?" };
    let mut marked = [base, separator, "kindling_form=sent"].concat();
    if let Some(fragment) = fragment {
        marked.push('#');
        marked.push_str(fragment);
    }
    marked
}

/// `text` as a browser reads it, when it is an absolute http(s) address on an origin
/// `site` allows. The address is parsed as browsers parse it (a `\\` ends the host like
/// a `/`, credentials come before the host), and the origin compared is the parsed
/// one; the caller redirects to the parsed form, so what was checked is what is sent.
pub fn allowed_return(site: &Site, text: &str) -> Option<String> {
    let url = url::Url::parse(text).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return None;
    }
    site.allows_origin(&url.origin().ascii_serialization()).then(|| url.into())
}

/// A minimal page: a title, lines of text, and a link (back to the form, or the
/// download a form gives).
fn page(status: StatusCode, title: &str, lines: &[String], link: Option<&str>) -> Response {
    let mut html = String::from(
        "<!doctype html><meta charset=utf-8><meta name=viewport content=\"width=device-width\">\
         <title>",
    );
    html.push_str(&escape(title));
    html.push_str("</title><main><h1>");
    html.push_str(&escape(title));
    html.push_str("</h1>");
    if !lines.is_empty() {
        html.push_str("<ul>");
        for line in lines {
            html.push_str("<li>");
            html.push_str(&escape(line));
            html.push_str("</li>");
        }
        html.push_str("</ul>");
    }
    if let Some(link) = link {
        let escaped = escape(link);
        html.push_str("<p><a href=\"");
        html.push_str(&escaped);
        html.push_str("\">");
        html.push_str(&escaped);
        html.push_str("</a></p>");
    }
    html.push_str("</main>");
    (status, Html(html)).into_response()
}

/// `text` safe inside HTML text and double-quoted attributes.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ConfigFile;
    use crate::sites::Catalog;

    fn site_allowing(origin: &str) -> std::sync::Arc<Site> {
        let yaml = format!("sites:\n  - key: pk_a\n    name: A\n    origins: [\"{origin}\"]\n");
        let catalog =
            Catalog::compile(&ConfigFile::from_yaml(&yaml).expect("parses")).expect("compiles");
        std::sync::Arc::clone(catalog.site("pk_a").expect("the site"))
    }

    #[test]
    fn returns_only_to_hosts_the_site_allows_as_a_browser_reads_them() {
        let site = site_allowing("https://*.example.com");
        for refused in [
            "https://evil.example\\.example.com/",
            "https://evil.example\\@shop.example.com/",
            "https:/\\evil.example/.example.com",
            "https://evil.example/.example.com",
            "https://example.com.evil.example/",
            "https://shop.example.com@evil.example/",
            "https://badexample.com/",
            "https://example.com/",
            "http://shop.example.com/",
            "https://shop.example.com:8443/",
            "javascript:alert(1)//.example.com",
            "/thanks",
            "",
        ] {
            assert_eq!(allowed_return(&site, refused), None, "{refused}");
        }
        assert_eq!(
            allowed_return(&site, "https://Shop.Example.com/thanks?x=1#top").as_deref(),
            Some("https://shop.example.com/thanks?x=1#top")
        );
        assert_eq!(
            allowed_return(&site, "https://a.b.example.com:443").as_deref(),
            Some("https://a.b.example.com/")
        );
    }
}
