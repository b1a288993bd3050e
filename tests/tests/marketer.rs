//! The marketer's day in Chromium, against a running collector that never restarts: sign
//! in to the console, add a slide-in for visitors from a LinkedIn campaign in the YAML
//! editor, preview it drawn by the real widget, publish it; a visitor in another
//! browser arriving with `?utm_source=linkedin` sees it on the next page load;
//! restoring the earlier revision takes it away again. The same slide-in made in the
//! block editor, by keyboard, with its audience built and counted, previewed and
//! published, reaches the same visitors.

use std::time::{Duration, Instant};

use fantoccini::Locator;
use fantoccini::key::Key;
use kindling_e2e::{ADMIN_TOKEN, Browser, Stack};
use serde_json::json;

const EMAIL: &str = "marketer@example.com";
const PASSWORD: &str = "a long marketer password";
const BLOCK: &str = "linkedin-offer";
const HEADLINE: &str = "Welcome, LinkedIn readers: 20% off the first year";

/// The block the marketer adds, as YAML under the site's `blocks:`.
const NEW_BLOCK: &str = "      - id: linkedin-offer\n        placement: slide_in\n        priority: 100\n        audience: { fact: page.utm_source, op: eq, value: linkedin }\n        variants:\n          - id: a\n            headline: \"Welcome, LinkedIn readers: 20% off the first year\"\n            ctas:\n              - { label: See pricing, url: /pricing.html }\n";

/// Whether the page shows the slide-in, drawn.
fn slide_in_drawn() -> String {
    format!(
        "const o = document.querySelector('[data-kindling-overlay=\"{BLOCK}\"]');
         return !!(o && o.shadowRoot && o.shadowRoot.textContent.includes({HEADLINE:?}));"
    )
}

const HERO_DRAWN: &str = "const s = document.querySelector('[data-kindling-slot=\"hero\"]');
     return !!(s && s.shadowRoot && s.shadowRoot.querySelector('h2'));";

/// Adds the marketer, an editor, with the admin token.
async fn add_marketer(stack: &Stack) {
    let added = reqwest::Client::new()
        .post(format!("{}/admin/api/users", stack.collector))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"email": EMAIL, "password": PASSWORD, "role": "editor"}))
        .send()
        .await
        .expect("user added");
    assert!(added.status().is_success(), "{}", added.status());
}

async fn sign_in(browser: &Browser, stack: &Stack) {
    browser
        .client
        .goto(&format!("{}/admin/login?next=/admin/revisions/new", stack.collector))
        .await
        .expect("sign-in page");
    let script = format!(
        "document.getElementById('email').value = {EMAIL:?};
         document.getElementById('password').value = {PASSWORD:?};
         document.querySelector('form').submit(); return true;"
    );
    browser.eval(&script).await;
    browser
        .wait_for("the editor", "return location.pathname === '/admin/revisions/new' && !!document.getElementById('document');")
        .await;
}

/// Submits the page's form whose action starts with `action`.
async fn submit(browser: &Browser, action: &str) {
    let script = format!(
        "const f = [...document.querySelectorAll('form')].find(f => f.getAttribute('action').startsWith({action:?}));
         if (!f) return false; f.submit(); return true;"
    );
    assert_eq!(browser.eval(&script).await, json!(true), "a form posting to {action}");
}

/// Whether a visitor arriving on the home page from LinkedIn sees the slide-in.
async fn visitor_sees_it(visitor: &Browser, stack: &Stack) -> bool {
    visitor.client.goto(&format!("{}/?utm_source=linkedin", stack.site)).await.expect("home");
    visitor.wait_for("the hero", HERO_DRAWN).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    visitor.eval(&format!("return (() => {{ {} }})();", slide_in_drawn())).await == json!(true)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_published_slide_in_reaches_linkedin_visitors_and_a_restore_removes_it() {
    let stack = Stack::demo().await;
    add_marketer(&stack).await;

    let visitor = Browser::start().await;
    assert!(!visitor_sees_it(&visitor, &stack).await, "not before it is published");

    let marketer = Browser::start().await;
    sign_in(&marketer, &stack).await;
    let edit = format!(
        "const area = document.getElementById('document');
         area.value = area.value.replace('    blocks:\\n', '    blocks:\\n' + {NEW_BLOCK:?});
         document.getElementById('message').value = 'Slide-in for the LinkedIn campaign';
         return area.value.includes('{BLOCK}');"
    );
    assert_eq!(marketer.eval(&edit).await, json!(true));
    submit(&marketer, "/admin/revisions?").await;
    marketer
        .wait_for("the draft's page", "return /^\\/admin\\/revisions\\/\\d+$/.test(location.pathname) && document.body.textContent.includes('Draft');")
        .await;
    let draft = marketer.eval("return location.pathname;").await;

    // The preview: the real widget in a frame draws the slide-in of the draft.
    let open_preview = format!(
        "const a = [...document.querySelectorAll('a')].find(a => a.href.includes('block={BLOCK}') && a.href.includes('lang=en'));
         location.href = a.href; return true;"
    );
    marketer.eval(&open_preview).await;
    let in_frame = format!(
        "const f = document.querySelector('iframe[title=\"Mobile preview\"]');
         const d = f && f.contentDocument; if (!d) return false;
         const o = d.querySelector('[data-kindling-overlay=\"{BLOCK}\"]');
         return !!(o && o.shadowRoot && o.shadowRoot.textContent.includes({HEADLINE:?}));"
    );
    marketer.wait_for("the slide-in drawn in the preview frame", &in_frame).await;
    assert!(!visitor_sees_it(&visitor, &stack).await, "a draft and its preview reach no visitor");

    marketer
        .client
        .goto(&format!("{}{}", stack.collector, draft.as_str().expect("path")))
        .await
        .expect("draft");
    submit(&marketer, &format!("{}/publish", draft.as_str().expect("path"))).await;
    let published = Instant::now();
    marketer
        .wait_for("published", "return document.body.textContent.includes('visitors see it now');")
        .await;
    assert!(visitor_sees_it(&visitor, &stack).await, "published: the next page load shows it");
    println!("publish → served on the next load: {:?}", published.elapsed());

    // Restore the revision the collector started with.
    marketer.client.goto(&format!("{}/admin/revisions", stack.collector)).await.expect("history");
    let first = marketer
        .eval("const links = [...document.querySelectorAll('table a')]; return links[links.length - 1].getAttribute('href');")
        .await;
    let first = first.as_str().expect("a link").to_owned();
    marketer.client.goto(&format!("{}{first}", stack.collector)).await.expect("first revision");
    let path = first.split('?').next().expect("path").to_owned();
    submit(&marketer, &format!("{path}/restore")).await;
    marketer
        .wait_for(
            "restored",
            "return document.body.textContent.includes('Restored and published');",
        )
        .await;
    assert!(!visitor_sees_it(&visitor, &stack).await, "restored: gone again");

    marketer.close().await;
    visitor.close().await;
}

/// The field of the block editor posting `name` (`variants[0].headline`).
async fn field(browser: &Browser, name: &str) -> fantoccini::elements::Element {
    let selector = format!("[name=\"{name}\"]");
    browser.client.find(Locator::Css(&selector)).await.unwrap_or_else(|_| panic!("field {name}"))
}

/// Presses the editor's button whose action is `action` with the keyboard, then waits
/// for the page it answers with.
async fn press(browser: &Browser, action: &str, then: &str) {
    let selector = format!("button[value=\"{action}\"]");
    let button = browser.client.find(Locator::Css(&selector)).await.expect("the button");
    button.send_keys(Key::Enter.to_string().as_str()).await.expect("Enter on the button");
    browser.wait_for(&format!("the answer to {action}"), then).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slide_in_made_in_the_block_editor_reaches_linkedin_visitors() {
    let stack = Stack::demo().await;
    add_marketer(&stack).await;
    let marketer = Browser::start().await;
    sign_in(&marketer, &stack).await;
    let site = kindling_e2e::DEMO_SITE_KEY;
    marketer
        .client
        .goto(&format!("{}/admin/blocks/new?site={site}", stack.collector))
        .await
        .expect("the block editor");

    field(&marketer, "id").await.send_keys(BLOCK).await.expect("id");
    field(&marketer, "placement").await.select_by_value("slide_in").await.expect("placement");
    field(&marketer, "priority").await.clear().await.expect("cleared");
    field(&marketer, "priority").await.send_keys("100").await.expect("priority");
    field(&marketer, "variants[0].headline").await.send_keys(HEADLINE).await.expect("headline");
    press(
        &marketer,
        "rule-add-condition:0",
        "return !!document.querySelector('[name=\"audience.1.fact\"]');",
    )
    .await;
    field(&marketer, "audience.1.fact").await.send_keys("page.utm_source").await.expect("fact");
    field(&marketer, "audience.1.value").await.send_keys("linkedin").await.expect("value");
    press(&marketer, "reach", "return !!document.getElementById('reach');").await;
    let reach = marketer.eval("return document.getElementById('reach').textContent;").await;
    assert!(reach.as_str().is_some_and(|text| text.contains("visitors")), "{reach}");
    assert_eq!(
        marketer
            .eval("return document.querySelector('[name=\"variants[0].headline\"]').value;")
            .await,
        json!(HEADLINE),
        "the form comes back as it was"
    );

    press(&marketer, "save-preview", "return location.pathname.endsWith('/preview');").await;
    let in_frame = format!(
        "const f = document.querySelector('iframe[title=\"Desktop preview\"]');
         const d = f && f.contentDocument; if (!d) return false;
         const o = d.querySelector('[data-kindling-overlay=\"{BLOCK}\"]');
         return !!(o && o.shadowRoot && o.shadowRoot.textContent.includes({HEADLINE:?}));"
    );
    marketer.wait_for("the new slide-in in the preview frame", &in_frame).await;
    let draft = marketer.eval("return location.pathname.replace(/\\/preview$/, '');").await;
    let draft = draft.as_str().expect("the draft's path").to_owned();

    let visitor = Browser::start().await;
    assert!(!visitor_sees_it(&visitor, &stack).await, "not before it is published");
    marketer.client.goto(&format!("{}{draft}?site={site}", stack.collector)).await.expect("draft");
    submit(&marketer, &format!("{draft}/publish")).await;
    marketer
        .wait_for("published", "return document.body.textContent.includes('visitors see it now');")
        .await;
    assert!(visitor_sees_it(&visitor, &stack).await, "published from the block editor");
    marketer.close().await;
    visitor.close().await;
}
