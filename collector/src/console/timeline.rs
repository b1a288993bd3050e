//! A person's events as a timeline, latest first: kind, page (URL and title),
//! referrer, channel and campaign, click ids, device, targets, values and custom
//! properties. Everything an event carries came from a visitor's browser: shown as
//! text, URLs linked only when they are web URLs ([`url`]).

use maud::{Markup, html};

use crate::console::format::{segment, url, when};
use crate::store::StoredEvent;

/// Events shown at most; the JSON export has them all.
pub const MAX_SHOWN: usize = 300;

/// The id of an event's entry, for links from its score lines.
pub fn anchor(event: &str) -> String {
    ["event-", &segment(event)].concat()
}

/// The timeline of `events` (stored oldest first, bot traffic after the rest).
pub fn render(events: &[StoredEvent]) -> Markup {
    let mut latest: Vec<&StoredEvent> = events.iter().collect();
    latest.sort_by_key(|event| std::cmp::Reverse(event.received_ms));
    let shown = &latest[..latest.len().min(MAX_SHOWN)];
    html! {
        section.card aria-labelledby="timeline-title" {
            h2 #timeline-title { "Timeline" }
            @if events.is_empty() { p.muted { "No event yet." } }
            @if latest.len() > shown.len() {
                p.muted { "The latest " (shown.len()) " of " (latest.len()) " events; the data export has them all." }
            }
            ol.timeline {
                @for event in shown { (entry(event)) }
            }
        }
    }
}

fn entry(event: &StoredEvent) -> Markup {
    let utm = [
        ("utm_source", &event.utm_source),
        ("utm_medium", &event.utm_medium),
        ("utm_campaign", &event.utm_campaign),
        ("utm_term", &event.utm_term),
        ("utm_content", &event.utm_content),
    ];
    html! {
        li #(anchor(&event.id)) {
            div.event-head {
                span.badge.kind { (event.kind) }
                @if let Some(name) = &event.name { strong { (name) } }
                @if event.bot { span.badge.bot { "bot" } }
                span.muted { (when(event.received_ms)) }
            }
            dl.event {
                @if !event.url.is_empty() { div { dt { "Page" } dd { (url(&event.url)) } } }
                @if let Some(title) = &event.title { div { dt { "Title" } dd { (title) } } }
                @if let Some(referrer) = &event.referrer { div { dt { "Referrer" } dd { (url(referrer)) } } }
                @if let Some(channel) = &event.channel { div { dt { "Channel" } dd { (channel) } } }
                @for (name, value) in utm {
                    @if let Some(value) = value { div { dt { (name) } dd { (value) } } }
                }
                @if let Some(click) = &event.click_id { div { dt { "Click id" } dd { (click) } } }
                @if let Some(target) = &event.target { div { dt { "Target" } dd { (url(target)) } } }
                @if let Some(value) = event.value { div { dt { "Value" } dd { (value) } } }
                @if let Some(device) = &event.device { div { dt { "Device" } dd { (device) } } }
                @if let Some(props) = &event.props { div { dt { "Properties" } dd { code.props { (props) } } } }
            }
        }
    }
}
