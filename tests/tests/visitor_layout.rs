//! What a visitor sees on every demo page, at 390 × 844 and 1366 × 900, in Chromium: no
//! layout shift; every block fits its box (nothing clipped, every call to action inside
//! the block and the viewport); a slot without a block shows its default content; and
//! axe-core finds no violation in Kindling's slots, forms and overlays (their shadow
//! roots included).

use std::time::Duration;

use kindling_e2e::{Browser, Stack, axe};
use serde_json::Value;

const READY: &str = "return !!window.kindling && window.kindling.loaded === true;";

const PAGES: [&str; 9] = [
    "/",
    "/pricing.html",
    "/demo.html",
    "/ebook.html",
    "/blog/index.html",
    "/blog/month-end-close-checklist.html",
    "/blog/cash-flow-forecasting-mistakes.html",
    "/customers/northwind.html",
    "/tour/",
];

/// Kindling's hosts on a page.
const HOSTS: &str = "[data-kindling-slot], [data-kindling-lead-form], kindling-overlay";

/// What is wrong with the page's slots, blocks and overlays, as readable lines.
const PROBLEMS: &str = r#"
  const found = [];
  const viewport = { width: innerWidth, height: innerHeight };
  const inside = (inner, outer) => inner.top >= outer.top - 1 && inner.bottom <= outer.bottom + 1
    && inner.left >= outer.left - 1 && inner.right <= outer.right + 1;
  for (const host of document.querySelectorAll('[data-kindling-slot], kindling-overlay')) {
    const name = host.getAttribute('data-kindling-slot') || host.getAttribute('data-kindling-overlay');
    const block = host.shadowRoot && host.shadowRoot.querySelector('.kd-block');
    if (!block) {
      const text = host.textContent.trim();
      if (!text || host.offsetHeight === 0) found.push(name + ': an empty slot shows nothing');
      continue;
    }
    if (block.scrollHeight > block.clientHeight + 1) {
      found.push(name + ': clipped, ' + block.scrollHeight + ' px of content in ' + block.clientHeight);
    }
    const box = block.getBoundingClientRect();
    for (const cta of block.querySelectorAll('.kd-cta')) {
      const r = cta.getBoundingClientRect();
      if (!inside(r, box)) found.push(name + ': "' + cta.textContent + '" is outside its block');
      if (host.tagName === 'KINDLING-OVERLAY' && !inside(r, { top: 0, left: 0, bottom: viewport.height, right: viewport.width })) {
        found.push(name + ': "' + cta.textContent + '" is outside the viewport');
      }
    }
  }
  return found;
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_demo_page_fits_its_blocks_moves_nothing_and_passes_axe_at_both_widths() {
    let stack = Stack::demo().await;
    let axe_script = std::fs::read_to_string(axe::script_path()).expect("axe-core");
    let mut problems = Vec::new();
    for (width, height) in [(390, 844), (1366, 900)] {
        let browser = Browser::start().await;
        browser.client.set_window_size(width, height).await.expect("window size");
        for path in PAGES {
            browser.client.goto(&format!("{}{path}", stack.site)).await.expect("page");
            browser.wait_for("the widget", READY).await;
            // Blocks are drawn from the boot answer; forms from their own request.
            tokio::time::sleep(Duration::from_millis(800)).await;
            let shift = browser.layout_shift().await;
            if shift != 0.0 {
                problems.push(format!("{width} px {path}: layout shift {shift}"));
            }
            if let Value::Array(found) = browser.eval(PROBLEMS).await {
                for line in found {
                    problems.push(format!("{width} px {path}: {}", line.as_str().unwrap_or("?")));
                }
            }
            for violation in axe::violations_within(&browser, &axe_script, HOSTS).await {
                problems.push(format!("{width} px {path}: {violation}"));
            }
        }
        browser.close().await;
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
