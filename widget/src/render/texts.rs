//! The few words the widget writes itself (a block's own texts and a form's labels come
//! from the collector), in English and Polish, chosen by the page's language
//! (`<html lang>`, else the browser's).

use alloc::string::String;

use kindling_core::forms::Lang;

use crate::{browser, page};

/// The widget's own texts in one language.
pub struct Texts {
    /// The accessible name of a block's close button.
    pub close: &'static str,
    /// A form's submit button, when the form names none.
    pub send: &'static str,
    /// A multi-step form's buttons.
    pub next: &'static str,
    pub back: &'static str,
    /// "Step 1 of 2": the words before and between the numbers.
    pub step: &'static str,
    pub of: &'static str,
    /// A form dialog's name when the block that opened it gave none.
    pub form: &'static str,
    /// A select's first option, when the field names no placeholder.
    pub choose: &'static str,
    /// After sending, when the form has no message of its own.
    pub thanks: &'static str,
    /// After sending, when the address is still to be confirmed (double opt-in).
    pub confirm: &'static str,
    /// A lead magnet's download link.
    pub download: &'static str,
    /// The collector refused the submission as spam (403).
    pub refused: &'static str,
    /// Too many submissions (429).
    pub too_many: &'static str,
    /// No answer, or a server error.
    pub failed: &'static str,
}

const ENGLISH: Texts = Texts {
    close: "Close",
    send: "Send",
    next: "Next",
    back: "Back",
    step: "Step ",
    of: " of ",
    form: "Form",
    choose: "Choose…",
    thanks: "Thank you!",
    confirm: "Check your inbox to confirm.",
    download: "Download",
    refused: "We could not accept this. Please check your answers and try again.",
    too_many: "Too many attempts. Please try again in a minute.",
    failed: "Could not send. Please try again.",
};
const POLISH: Texts = Texts {
    close: "Zamknij",
    send: "Wyślij",
    next: "Dalej",
    back: "Wstecz",
    step: "Krok ",
    of: " z ",
    form: "Formularz",
    choose: "Wybierz…",
    thanks: "Dziękujemy!",
    confirm: "Sprawdź skrzynkę e-mail, aby potwierdzić.",
    download: "Pobierz",
    refused: "Nie możemy tego przyjąć. Sprawdź odpowiedzi i spróbuj ponownie.",
    too_many: "Zbyt wiele prób. Spróbuj ponownie za minutę.",
    failed: "Nie udało się wysłać. Spróbuj ponownie.",
};

/// The texts for the page's language; English when it is not one the widget knows.
pub fn texts() -> &'static Texts {
    if lang() == Lang::Pl { &POLISH } else { &ENGLISH }
}

/// The language of the widget's texts and of form messages.
pub fn lang() -> Lang {
    Lang::from_tag(&language().unwrap_or_default())
}

/// The page's language tag (`<html lang>`), else the browser's.
pub fn language() -> Option<String> {
    let root = page::document().map(|document| browser::property(&document, "documentElement"));
    root.map(|root| browser::property(&root, "lang"))
        .ok()
        .and_then(|lang| lang.as_string())
        .filter(|lang| !lang.is_empty())
        .or_else(|| browser::navigator_property("language").as_string())
}
