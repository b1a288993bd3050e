//! Driving Kindling's lead forms in the page: they live in the shadow root of their
//! host (`[data-kindling-lead-form="ID"]`, or the modal overlay a block opens), so
//! every query goes through it.

use std::time::Duration;

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use serde_json::Value;

use crate::Browser;

/// A script expression for the shadow root of form `form`'s host.
pub fn root(form: &str) -> String {
    format!("(document.querySelector('[data-kindling-lead-form=\"{form}\"]') || {{}}).shadowRoot")
}

/// Waits until form `form` is drawn.
pub async fn wait_drawn(browser: &Browser, form: &str) {
    let root = root(form);
    browser
        .wait_for(
            &format!("the {form} form"),
            &format!("const r = {root}; return !!(r && r.querySelector('form.kd-form'));"),
        )
        .await;
}

/// Sets `values` (field name → value; checkboxes and radios by `true`/their value) in
/// form `form`, on every step, as input events would. Fields the form does not ask
/// (progressive profiling left them out) are skipped.
pub async fn set_values(browser: &Browser, form: &str, values: &[(&str, &str)]) {
    let root = root(form);
    let pairs: Vec<Value> =
        values.iter().map(|(name, value)| serde_json::json!([name, value])).collect();
    let script = format!(
        "const r = {root};
         for (const [name, value] of {pairs}) {{
           const inputs = r.querySelectorAll('[name=\"' + name + '\"]');
           for (const input of inputs) {{
             if (input.type === 'checkbox') input.checked = value === 'true';
             else if (input.type === 'radio') input.checked = input.value === value;
             else input.value = value;
             input.dispatchEvent(new Event('input', {{bubbles: true, composed: true}}));
             input.dispatchEvent(new Event('change', {{bubbles: true, composed: true}}));
           }}
         }}
         return true;",
        pairs = Value::Array(pairs)
    );
    browser.eval(&script).await;
}

/// Clicks through the steps of form `form` and sends it.
pub async fn send(browser: &Browser, form: &str) {
    let root = root(form);
    let script = format!(
        "const r = {root};
         for (let i = 0; i < 10; i++) {{
           const next = r.querySelector('[data-kd=next]');
           if (!next || next.hidden) break;
           next.click();
         }}
         r.querySelector('button[type=submit]').click();
         return true;"
    );
    browser.eval(&script).await;
}

/// Fills and sends form `form`, waiting out its minimum fill time first, and waits for
/// its thank-you.
pub async fn fill_and_send(browser: &Browser, form: &str, values: &[(&str, &str)]) {
    wait_drawn(browser, form).await;
    set_values(browser, form, values).await;
    tokio::time::sleep(Duration::from_millis(3_100)).await;
    send(browser, form).await;
    wait_success(browser, form).await;
}

/// Waits for form `form`'s thank-you.
pub async fn wait_success(browser: &Browser, form: &str) {
    let root = root(form);
    browser
        .wait_for(
            &format!("the {form} thank-you"),
            &format!("const r = {root}; return !!(r && r.querySelector('#kd-success'));"),
        )
        .await;
}

/// The names of form `form`'s drawn fields, in order (the honeypot left out).
pub async fn field_names(browser: &Browser, form: &str) -> Vec<String> {
    let root = root(form);
    let names = browser
        .eval(&format!(
            "const r = {root};
             return [...r.querySelectorAll('form.kd-form [name]')]
               .filter(e => e.id !== 'kd-hp').map(e => e.name)
               .filter((n, i, all) => all.indexOf(n) === i);"
        ))
        .await;
    names
        .as_array()
        .map(|names| names.iter().filter_map(|n| n.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// The focused element's `name` (or `id`), looking through shadow roots.
pub async fn focused(browser: &Browser) -> String {
    let value = browser
        .eval(
            "let a = document.activeElement;
             while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
             return a ? (a.name || a.id || a.tagName) : '';",
        )
        .await;
    value.as_str().unwrap_or_default().to_owned()
}

/// Presses `key` as a real keyboard would.
pub async fn press(browser: &Browser, key: Key) {
    let key: char = key.into();
    let keys = KeyActions::new("keyboard".to_owned())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    browser.client.perform_actions(keys).await.expect("key pressed");
}

/// Types `text` into the focused element, key by key.
pub async fn type_text(browser: &Browser, text: &str) {
    let mut keys = KeyActions::new("keyboard".to_owned());
    for character in text.chars() {
        keys = keys
            .then(KeyAction::Down { value: character })
            .then(KeyAction::Up { value: character });
    }
    browser.client.perform_actions(keys).await.expect("text typed");
}
