//! Accessibility checks with axe-core, run in the page the browser shows. The script
//! comes from the npm package `axe-core` that `cargo xtask test` installs under
//! `target/tools` and names in `KINDLING_AXE_CORE`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::Browser;

/// axe-core's script: `KINDLING_AXE_CORE`, or one installed as `axe-core-*` under
/// `target/tools`.
pub fn script_path() -> PathBuf {
    if let Some(path) = std::env::var_os("KINDLING_AXE_CORE") {
        return PathBuf::from(path);
    }
    let tools = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/tools");
    let mut installed: Vec<PathBuf> = std::fs::read_dir(&tools)
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.file_name().to_string_lossy().starts_with("axe-core-"))
        .map(|entry| entry.path().join("node_modules/axe-core/axe.min.js"))
        .filter(|script| script.is_file())
        .collect();
    installed.sort();
    installed.pop().unwrap_or_else(|| {
        panic!("no axe-core under {}: run `cargo xtask test`, which installs it", tools.display())
    })
}

/// Runs axe-core's rules for WCAG 2.2 A and AA and its best practices on the whole
/// page, or on the elements `arguments[0]` selects (and their open shadow roots) when
/// it is a selector, and reports what it calls violations.
const RUN: &str = r#"
  const done = arguments[arguments.length - 1];
  const include = arguments[0] ? Array.from(document.querySelectorAll(arguments[0])) : null;
  if (include && !include.length) { done([]); return; }
  const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];
  const context = include ? { include } : document;
  axe.run(context, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }).then(
    (results) => done(results.violations.map((rule) => ({
      id: rule.id, impact: rule.impact, help: rule.help, url: rule.helpUrl,
      nodes: rule.nodes.map((node) => ({
        target: node.target.join(' '), html: node.html, summary: node.failureSummary,
      })),
    }))),
    (error) => done([{ id: 'axe-error', impact: 'critical', help: String(error), url: '', nodes: [] }]),
  );
"#;

/// The violations axe-core finds in the page the browser shows, each as readable text:
/// the rule, its impact and help, then every element that breaks it.
pub async fn violations(browser: &Browser, script: &str) -> Vec<String> {
    run(browser, script, Value::Null).await
}

/// The violations axe-core finds in the elements `selector` matches and their shadow
/// roots, as [`violations`] reports them.
pub async fn violations_within(browser: &Browser, script: &str, selector: &str) -> Vec<String> {
    run(browser, script, Value::String(selector.to_owned())).await
}

async fn run(browser: &Browser, script: &str, selector: Value) -> Vec<String> {
    let loaded = format!("{script}\n;return typeof window.axe === 'object';");
    assert_eq!(browser.eval(&loaded).await, Value::Bool(true), "axe-core loads in the page");
    let found = browser.client.execute_async(RUN, vec![selector]).await.expect("axe-core runs");
    found.as_array().map(|rules| rules.iter().map(describe).collect()).unwrap_or_default()
}

fn describe(rule: &Value) -> String {
    let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
    let mut out = format!(
        "{} ({}): {} <{}>",
        text(&rule["id"]),
        text(&rule["impact"]),
        text(&rule["help"]),
        text(&rule["url"])
    );
    for node in rule["nodes"].as_array().into_iter().flatten() {
        out.push_str(&format!("\n    at {}: {}", text(&node["target"]), text(&node["html"])));
        for line in text(&node["summary"]).lines() {
            out.push_str(&format!("\n      {line}"));
        }
    }
    out
}
