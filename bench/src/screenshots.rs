//! `kindling-bench screenshots --out DIR`: what a visitor sees on the demo, as PNG
//! files of the viewport in headless Chromium, for reviewing the widget's design
//! (`cargo xtask screenshots`): the home page's hero on a phone (390 × 844), the pricing
//! page's exit modal and the welcome-back bar on a laptop (1366 × 900), and the demo
//! request form on a phone. The widget is the bundle the end-to-end tests use
//! (`KINDLING_WIDGET_DIST`).

use std::path::{Path, PathBuf};
use std::time::Duration;

use kindling_e2e::{Browser, Stack};

const READY: &str = "return !!window.kindling && window.kindling.loaded === true;";

/// Starts a later visit on the next load, as if the visitor came back hours later.
const AGE_THE_VISIT: &str = "const parts = localStorage.getItem('kindling.session').split('.');
     const earlier = Date.now() - 2 * 60 * 60 * 1000;
     parts[1] = String(earlier - 1000); parts[2] = String(earlier);
     localStorage.setItem('kindling.session', parts.join('.'));
     return true;";

const EXIT_INTENT: &str = "document.documentElement.dispatchEvent(new MouseEvent('mouseout', \
     {clientY: -4, bubbles: true})); return true;";

/// Writes the screenshots into `out`, of the demo or of the `site` pages with their
/// `config`; returns the files written.
pub async fn run(
    out: &Path,
    site: Option<PathBuf>,
    config: Option<PathBuf>,
) -> Result<Vec<String>, String> {
    std::fs::create_dir_all(out).map_err(|error| format!("{}: {error}", out.display()))?;
    let stack = Stack::start_with_config(
        site.unwrap_or_else(kindling_demo_site::site_dir),
        config.unwrap_or_else(kindling_demo_site::demo_config),
    )
    .await;
    let mut written = Vec::new();

    let phone = Browser::start().await;
    size(&phone, 390, 844).await?;
    open(&phone, &format!("{}/", stack.site)).await?;
    written.push(shoot(&phone, out, "home-mobile").await?);
    open(&phone, &format!("{}/demo.html", stack.site)).await?;
    phone
        .eval("document.querySelector('[data-kindling-lead-form]').scrollIntoView(); return true;")
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    written.push(shoot(&phone, out, "demo-form-mobile").await?);
    phone.close().await;

    let laptop = Browser::start().await;
    size(&laptop, 1366, 900).await?;
    open(&laptop, &format!("{}/pricing.html", stack.site)).await?;
    // Exit intent is ignored in the first 3 seconds of a page view.
    tokio::time::sleep(Duration::from_millis(3_300)).await;
    laptop.eval(EXIT_INTENT).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    written.push(shoot(&laptop, out, "pricing-modal").await?);
    for _ in 0..2 {
        laptop.eval(AGE_THE_VISIT).await;
        open(&laptop, &format!("{}/", stack.site)).await?;
    }
    written.push(shoot(&laptop, out, "welcome-back-bar").await?);
    laptop.close().await;
    Ok(written)
}

async fn size(browser: &Browser, width: u32, height: u32) -> Result<(), String> {
    browser.client.set_window_size(width, height).await.map_err(|error| error.to_string())
}

/// Opens `url` and gives the widget a moment to draw.
async fn open(browser: &Browser, url: &str) -> Result<(), String> {
    browser.client.goto(url).await.map_err(|error| format!("open {url}: {error}"))?;
    browser.wait_for("the widget", READY).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    Ok(())
}

async fn shoot(browser: &Browser, out: &Path, name: &str) -> Result<String, String> {
    let png = browser.client.screenshot().await.map_err(|error| error.to_string())?;
    let file = out.join(format!("{name}.png"));
    std::fs::write(&file, png).map_err(|error| format!("{}: {error}", file.display()))?;
    Ok(file.display().to_string())
}
