//! Decoding the blocks the collector decided on: [`Decision`] with its placement,
//! trigger and content.
//!
//! A decision whose placement, trigger or call to action this widget does not know is
//! left out rather than shown in a way its author did not mean; an unknown layout is
//! drawn as the standard one. Texts the collector
//! always sends are read leniently (missing reads as empty): fewer checks, less wasm.

use kindling_core::blocks::{Layout, Placement, Trigger};
use kindling_core::wire::{BlockContent, Cta, CtaAction, Decision, Image, Link};
use wasm_bindgen::JsValue;

use super::{Decode, get, list, string, text};

/// Most calls to action a block shows.
const MAX_CTAS: usize = 2;

impl Decode for Decision {
    fn decode(value: &JsValue) -> Option<Self> {
        let block = string(value, "block")?;
        let placement = match string(value, "placement") {
            Some(name) => Placement::parse(&name)?,
            None => Placement::Inline,
        };
        let layout = match string(value, "layout") {
            Some(name) => Layout::parse(&name).unwrap_or_default(),
            None => Layout::Standard,
        };
        let trigger = get(value, "trigger");
        let trigger =
            if trigger.is_object() { Trigger::decode(&trigger)? } else { Trigger::Immediate };
        let content = get(value, "content");
        let image = get(&content, "image");
        let mut ctas = list(&get(&content, "ctas"));
        ctas.truncate(MAX_CTAS);
        Some(Decision {
            slot: text(value, "slot"),
            block,
            variant: text(value, "variant"),
            placement,
            layout,
            trigger,
            content: BlockContent {
                headline: text(&content, "headline"),
                body_html: text(&content, "body_html"),
                image: image
                    .is_object()
                    .then(|| Image { url: text(&image, "url"), alt: text(&image, "alt") }),
                ctas,
                items: list(&get(&content, "items")),
            },
        })
    }
}

impl Decode for Trigger {
    fn decode(value: &JsValue) -> Option<Self> {
        let number = |key| get(value, key).as_f64().unwrap_or(0.0) as u32;
        Some(match string(value, "on")?.as_str() {
            "immediate" => Trigger::Immediate,
            "delay" => Trigger::Delay { seconds: number("seconds") },
            "scroll" => Trigger::Scroll { percent: number("percent").min(100) as u8 },
            "exit_intent" => Trigger::ExitIntent,
            "inactivity" => Trigger::Inactivity { seconds: number("seconds") },
            "click" => Trigger::Click { selector: text(value, "selector") },
            _ => return None,
        })
    }
}

impl Decode for Cta {
    fn decode(value: &JsValue) -> Option<Self> {
        let action = match string(value, "action")?.as_str() {
            "link" => CtaAction::Link,
            "form" => CtaAction::Form,
            "dismiss" => CtaAction::Dismiss,
            _ => return None,
        };
        Some(Cta { label: text(value, "label"), action, target: text(value, "target") })
    }
}

impl Decode for Link {
    fn decode(value: &JsValue) -> Option<Self> {
        Some(Link { title: text(value, "title"), url: text(value, "url") })
    }
}
