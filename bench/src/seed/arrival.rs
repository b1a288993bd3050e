//! Where a visit comes from: its landing URL (with campaign parameters and click ids)
//! and referrer, drawn per visit, and the channel and campaign the collector derives
//! from them, with the same `kindling_core` functions ingest uses.
//!
//! Shares of first visits: direct 30 %, organic search 35 % (Google, some Bing and
//! DuckDuckGo), social 12 % (LinkedIn organic and paid, X, Facebook, Reddit), paid
//! search 10 % (Google Ads `gclid` with `utm_*`, some Microsoft Ads), email 5 %
//! (`utm_medium=email`), referral 8 % (review sites, forums, partners). Returning
//! visits come more often directly or from email.

use kindling_core::attribution::{self, Attribution};
use kindling_core::channel::{self, Channel};

use crate::body::Ids;

use super::rhythm::{chance, weighted};

/// The demo site's public address in the generated history.
pub const ORIGIN: &str = "https://www.brightline.example";

/// How a visit arrived, and what the collector makes of it.
pub struct Arrival {
    pub landing: String,
    pub referrer: Option<String>,
    pub attribution: Attribution,
    pub channel: Channel,
}

impl Arrival {
    fn new(path: &str, query: &str, referrer: Option<&str>) -> Arrival {
        let landing = format!("{ORIGIN}{path}{query}");
        let attribution = attribution::from_url(&landing);
        let own_host = attribution::host_of(&landing);
        let channel = channel::classify(&attribution, referrer, own_host.as_deref());
        Arrival { landing, referrer: referrer.map(str::to_owned), attribution, channel }
    }

    /// The landing page's path, without the query.
    pub fn path(&self) -> &str {
        let rest = self.landing.strip_prefix(ORIGIN).unwrap_or("/");
        rest.split('?').next().unwrap_or("/")
    }
}

const SEARCH_TERMS: [&str; 5] = [
    "month+end+close+software",
    "bank+reconciliation+automation",
    "cash+flow+forecast+tool",
    "brightline+pricing",
    "accounts+receivable+matching",
];

const REFERRAL_SITES: [&str; 6] = [
    "https://www.g2.com/categories/financial-close",
    "https://www.capterra.com/financial-close-software/",
    "https://news.ycombinator.com/item?id=41234567",
    "https://www.reddit.com/r/Accounting/comments/1abcde/close_tools/",
    "https://accountingweekly.example/reviews/close-tools-2026",
    "https://partners.ledgerly.example/integrations",
];

/// A landing page for a channel: `(path, weight)`.
const DIRECT_LANDINGS: [(&str, u32); 4] =
    [("/", 70), ("/pricing.html", 15), ("/demo.html", 5), ("/tour/", 10)];
const SEARCH_LANDINGS: [(&str, u32); 6] = [
    ("/blog/month-end-close-checklist.html", 28),
    ("/blog/cash-flow-forecasting-mistakes.html", 22),
    ("/", 30),
    ("/pricing.html", 10),
    ("/ebook.html", 7),
    ("/blog/", 3),
];
const CAMPAIGN_LANDINGS: [(&str, u32); 5] = [
    ("/ebook.html", 35),
    ("/blog/month-end-close-checklist.html", 20),
    ("/customers/northwind.html", 15),
    ("/", 20),
    ("/demo.html", 10),
];
const PAID_LANDINGS: [(&str, u32); 4] =
    [("/", 40), ("/pricing.html", 30), ("/demo.html", 15), ("/ebook.html", 15)];

fn landing(rng: &mut Ids, table: &[(&'static str, u32)]) -> &'static str {
    let weights: Vec<u32> = table.iter().map(|(_, weight)| *weight).collect();
    table[weighted(rng, &weights)].0
}

fn any<'a>(rng: &mut Ids, items: &[&'a str]) -> &'a str {
    items[usize::try_from(rng.below(items.len() as u64)).unwrap_or(0)]
}

/// The arrival of a visit; `returning` for every visit after the first.
pub fn draw(rng: &mut Ids, returning: bool) -> Arrival {
    let weights: [u32; 6] = if returning { [45, 22, 8, 7, 12, 6] } else { [30, 35, 12, 10, 5, 8] };
    match weighted(rng, &weights) {
        0 => Arrival::new(landing(rng, &DIRECT_LANDINGS), "", None),
        1 => {
            let engine = if chance(rng, 0.87) {
                "https://www.google.com/"
            } else if chance(rng, 0.75) {
                "https://www.bing.com/"
            } else {
                "https://duckduckgo.com/"
            };
            Arrival::new(landing(rng, &SEARCH_LANDINGS), "", Some(engine))
        }
        2 => social(rng),
        3 => paid_search(rng),
        4 => {
            let campaign = any(rng, &["2026-10-digest", "2026-11-digest", "close-webinar"]);
            let query = format!("?utm_source=newsletter&utm_medium=email&utm_campaign={campaign}");
            Arrival::new(landing(rng, &CAMPAIGN_LANDINGS), &query, None)
        }
        _ => {
            let site = any(rng, &REFERRAL_SITES);
            Arrival::new(landing(rng, &SEARCH_LANDINGS), "", Some(site))
        }
    }
}

fn social(rng: &mut Ids) -> Arrival {
    let page = landing(rng, &CAMPAIGN_LANDINGS);
    match weighted(rng, &[45, 25, 12, 10, 8]) {
        0 => Arrival::new(
            page,
            "?utm_source=linkedin&utm_medium=social&utm_campaign=close-in-2-days",
            Some("https://www.linkedin.com/"),
        ),
        1 => {
            let query = format!(
                "?utm_source=linkedin&utm_medium=paid&utm_campaign=cfo-guide&li_fat_id={:016x}",
                rng.below(u64::MAX)
            );
            Arrival::new(page, &query, Some("https://www.linkedin.com/"))
        }
        2 => Arrival::new(page, "", Some("https://t.co/")),
        3 => {
            let query = format!("?fbclid=IwAR{:016x}", rng.below(u64::MAX));
            Arrival::new(page, &query, Some("https://www.facebook.com/"))
        }
        _ => Arrival::new(page, "", Some("https://www.reddit.com/")),
    }
}

fn paid_search(rng: &mut Ids) -> Arrival {
    let page = landing(rng, &PAID_LANDINGS);
    let term = any(rng, &SEARCH_TERMS);
    if chance(rng, 0.85) {
        let campaign =
            if term.starts_with("brightline") { "brand-search" } else { "close-software" };
        let query = format!(
            "?utm_source=google&utm_medium=cpc&utm_campaign={campaign}&utm_term={term}&gclid=Cj0K{:016x}",
            rng.below(u64::MAX)
        );
        Arrival::new(page, &query, Some("https://www.google.com/"))
    } else {
        let query = format!(
            "?utm_source=bing&utm_medium=cpc&utm_campaign=close-software&utm_term={term}&msclkid={:032x}",
            u128::from(rng.below(u64::MAX))
        );
        Arrival::new(page, &query, Some("https://www.bing.com/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_come_out_as_the_collector_classifies_them() {
        let mut rng = Ids::seeded(11);
        let mut counts = std::collections::BTreeMap::new();
        for _ in 0..10_000 {
            *counts.entry(draw(&mut rng, false).channel.as_str()).or_insert(0) += 1;
        }
        let share = |name: &str| f64::from(*counts.get(name).unwrap_or(&0)) / 10_000.0;
        assert!((0.25..0.35).contains(&share("direct")), "{counts:?}");
        assert!(share("organic_search") > 0.25, "{counts:?}");
        assert!(share("paid_search") > 0.05, "{counts:?}");
        assert!(share("email") > 0.02, "{counts:?}");
    }
}
