//! Driving the admin console in the browser: accounts made through the admin API, and
//! signing in through the console's own form.

use serde_json::json;

use crate::{ADMIN_TOKEN, Browser, Stack};

/// Adds a console user with `role` (`owner`, `editor`, `viewer`) through the admin API.
pub async fn add_user(stack: &Stack, email: &str, password: &str, role: &str) {
    let added = reqwest::Client::new()
        .post(format!("{}/admin/api/users", stack.collector))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"email": email, "password": password, "role": role}))
        .send()
        .await
        .expect("the admin API answers");
    assert!(added.status().is_success(), "adding {email}: {}", added.status());
}

/// Fills in and sends the sign-in form of the page the browser shows.
pub async fn submit_sign_in(browser: &Browser, email: &str, password: &str) {
    browser.wait_for("the sign-in form", "return !!document.getElementById('password');").await;
    let script = format!(
        "document.getElementById('email').value = {email:?};
         document.getElementById('password').value = {password:?};
         document.querySelector('form[action=\"/admin/login\"]').submit(); return true;"
    );
    browser.eval(&script).await;
}

/// Signs in on the login page and waits until the browser shows `landing` (a path
/// with its query), where the form sends it.
pub async fn sign_in(browser: &Browser, stack: &Stack, email: &str, password: &str, landing: &str) {
    let next = url_encoded(landing);
    let login = format!("{}/admin/login?next={next}", stack.collector);
    browser.client.goto(&login).await.expect("the sign-in page");
    submit_sign_in(browser, email, password).await;
    wait_for_path(browser, landing).await;
}

/// Waits until the browser shows `path` (with its query) of the collector.
pub async fn wait_for_path(browser: &Browser, path: &str) {
    let script = format!(
        "return location.pathname + location.search === {path:?} && document.readyState === 'complete';"
    );
    browser.wait_for(&format!("the page {path}"), &script).await;
}

/// `text` percent-encoded for a query value.
pub fn url_encoded(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
