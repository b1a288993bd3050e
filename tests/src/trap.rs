//! Traps for script that must never run in a page: a script installed before any page
//! script of every new document (through the DevTools protocol) records dialogs
//! (`alert`, `confirm`, `prompt`), calls of the `__xss` marker payloads use, and every
//! Content-Security-Policy violation the page reports; [`findings`] reads them with
//! what the page's markup gives away (handler attributes, links to other schemes,
//! foreign scripts and frames). A [`Beacon`] on its own port records every request a
//! payload makes there.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{StatusCode, Uri};
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::Browser;

/// Runs first in every new document of the tab, and in its frames.
const INIT_SCRIPT: &str = r#"(() => {
  if (window.__trap) return;
  const trap = { dialogs: [], calls: [], violations: [] };
  Object.defineProperty(window, '__trap', { value: trap });
  for (const name of ['alert', 'confirm', 'prompt', 'print']) {
    window[name] = (...args) => { trap.dialogs.push(name + '(' + args.map(String).join(', ') + ')'); };
  }
  window.__xss = (what) => { trap.calls.push(String(what)); };
  document.addEventListener('securitypolicyviolation', (event) => {
    const blocked = event.blockedURI || 'inline';
    const sample = event.sample ? ' (' + event.sample + ')' : '';
    trap.violations.push(event.effectiveDirective + ' blocked ' + blocked + sample);
  }, true);
})();"#;

/// What the page's trap recorded and what its markup shows that should not be there.
const FINDINGS: &str = r#"
  const found = [];
  const trap = window.__trap;
  if (!trap) return ['no trap in this page: the script of new documents did not run'];
  found.push(...trap.dialogs.map((call) => 'a dialog opened: ' + call));
  found.push(...trap.calls.map((what) => 'a payload ran: ' + what));
  found.push(...trap.violations.map((what) => 'Content-Security-Policy violation: ' + what));
  const assets = location.origin + '/admin/assets/';
  for (const element of document.querySelectorAll('*')) {
    const tag = element.tagName.toLowerCase();
    for (const attribute of element.attributes) {
      if (attribute.name.startsWith('on') || attribute.name === 'srcdoc') {
        found.push('an attribute ' + attribute.name + '="' + attribute.value + '" on <' + tag + '>');
      }
    }
  }
  for (const link of document.querySelectorAll('a[href], area[href]')) {
    if (!['http:', 'https:'].includes(link.protocol)) {
      found.push('a link to ' + link.getAttribute('href'));
    }
  }
  for (const form of document.forms) {
    if (new URL(form.action, location.href).origin !== location.origin) {
      found.push('a form posting to ' + form.getAttribute('action'));
    }
  }
  for (const script of document.scripts) {
    if (!script.src.startsWith(assets)) found.push('a script: ' + script.outerHTML.slice(0, 160));
  }
  for (const element of document.querySelectorAll('svg, iframe, frame, object, embed, base, meta[http-equiv]')) {
    found.push('an element made of data: ' + element.outerHTML.slice(0, 160));
  }
  for (const image of document.images) {
    if (!image.src.startsWith(assets)) found.push('an image: ' + image.outerHTML.slice(0, 160));
  }
  return found;
"#;

/// Installs the trap for every document the browser opens from now on.
pub async fn install(browser: &Browser) {
    browser
        .devtools("Page.addScriptToEvaluateOnNewDocument", json!({ "source": INIT_SCRIPT }))
        .await;
}

/// What went wrong in the page the browser shows, once it has loaded and had a moment
/// to report violations: empty when nothing ran, nothing was blocked and the markup
/// holds nothing made of data.
pub async fn findings(browser: &Browser) -> Vec<String> {
    browser.wait_for("the page to load", "return document.readyState === 'complete';").await;
    tokio::time::sleep(Duration::from_millis(250)).await;
    match browser.eval(FINDINGS).await {
        Value::Array(items) => {
            items.iter().map(|item| item.as_str().unwrap_or("?").to_owned()).collect()
        }
        other => vec![format!("the findings script answered {other}")],
    }
}

/// An HTTP listener on its own port that answers 204 and remembers every request.
pub struct Beacon {
    /// `http://127.0.0.1:PORT`.
    pub origin: String,
    hits: Arc<Mutex<Vec<String>>>,
}

impl Beacon {
    pub async fn start() -> Beacon {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the beacon");
        let origin = format!("http://{}", listener.local_addr().expect("address"));
        let hits = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&hits);
        let router = axum::Router::new().fallback(move |uri: Uri| {
            let recorded = Arc::clone(&recorded);
            async move {
                recorded.lock().expect("hits").push(uri.to_string());
                StatusCode::NO_CONTENT
            }
        });
        tokio::spawn(async move { axum::serve(listener, router).await });
        Beacon { origin, hits }
    }

    /// The requests received so far.
    pub fn hits(&self) -> Vec<String> {
        self.hits.lock().expect("hits").clone()
    }
}
