//! Clicks worth knowing: on elements marked `data-kindling-track="name"` (a CTA), on
//! links to other sites (`name` = `outbound`) and on file downloads (`name` =
//! `download`). The link's destination goes in `target`. Every click is also handed on
//! to the overlays' click triggers.

use alloc::borrow::ToOwned;
use alloc::string::String;

use kindling_core::attribution::host_of;
use kindling_core::wire::EventKind;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event};

use crate::blocks::triggers;
use crate::track::record::{Details, record};
use crate::{browser, page};

/// File types whose links count as downloads.
const DOWNLOAD_EXTENSIONS: &[&str] = &[
    "pdf", "zip", "rar", "7z", "gz", "dmg", "exe", "msi", "pkg", "doc", "docx", "xls", "xlsx",
    "ppt", "pptx", "csv", "txt", "epub", "mp3", "mp4", "mov",
];

pub fn install() {
    if let Ok(document) = page::document() {
        browser::listen(&document, "click", on_click);
    }
}

fn on_click(event: Event) {
    let Some(element) = event.target().and_then(|target| target.dyn_into::<Element>().ok()) else {
        return;
    };
    triggers::clicked(&element);
    let tracked = element.closest("[data-kindling-track]").ok().flatten();
    let link = element.closest("a[href]").ok().flatten();
    let href = link.as_ref().and_then(resolved_href);
    let name = match (&tracked, &href) {
        (Some(tracked), _) => tracked.get_attribute("data-kindling-track"),
        (None, Some(href)) if is_download(link.as_ref(), href) => Some("download".to_owned()),
        (None, Some(href)) if is_outbound(href) => Some("outbound".to_owned()),
        _ => None,
    };
    let Some(name) = name.filter(|name| !name.is_empty()) else { return };
    record(EventKind::Click, Details { name: Some(name), target: href, ..Details::default() });
}

/// The link's absolute URL, as the browser resolved it.
fn resolved_href(link: &Element) -> Option<String> {
    js_sys::Reflect::get(link, &"href".into()).ok()?.as_string().filter(|href| !href.is_empty())
}

fn is_outbound(href: &str) -> bool {
    let here = page::url().ok().and_then(|url| host_of(&url));
    matches!(host_of(href), Some(host) if Some(&host) != here.as_ref())
}

fn is_download(link: Option<&Element>, href: &str) -> bool {
    if link.is_some_and(|link| link.has_attribute("download")) {
        return true;
    }
    let path = href.split(['?', '#']).next().unwrap_or("");
    let file = path.rsplit('/').next().unwrap_or("");
    file.rsplit_once('.').is_some_and(|(_, extension)| {
        DOWNLOAD_EXTENSIONS.iter().any(|known| known.eq_ignore_ascii_case(extension))
    })
}
