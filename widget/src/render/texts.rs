//! The few words the widget writes itself (a block's own texts come from the
//! collector), in English and Polish, chosen by the page's language (`<html lang>`,
//! else the browser's).

use crate::{browser, page};

/// The widget's own texts in one language.
pub struct Texts {
    /// The accessible name of a block's close button.
    pub close: &'static str,
}

const ENGLISH: Texts = Texts { close: "Close" };
const POLISH: Texts = Texts { close: "Zamknij" };

/// The texts for the page's language; English when it is not one the widget knows.
pub fn texts() -> &'static Texts {
    let root = page::document().map(|document| browser::property(&document, "documentElement"));
    let mut language =
        root.map(|root| browser::property(&root, "lang")).ok().and_then(|lang| lang.as_string());
    if language.as_deref().is_none_or(str::is_empty) {
        language = browser::navigator_property("language").as_string();
    }
    let polish = language
        .and_then(|language| language.get(..2).map(|prefix| prefix.eq_ignore_ascii_case("pl")));
    if polish == Some(true) { &POLISH } else { &ENGLISH }
}
