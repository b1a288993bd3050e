//! The requests of one visit, as the widget and the form endpoint would send them: one
//! request per page (its pageview, then engagement, scroll milestones, named clicks,
//! the block impressions, clicks and dismissals of the demo configuration's blocks,
//! form views, starts, fields and abandons), and one request per lead form sent
//! (`form_submit` with the submission). Rows carry what ingest derives: the visit's
//! channel, campaign and click id on pageviews, the device class on every event.
//!
//! Per visit 1 to 8 pages (mean about 2.1); landing by channel, then pages picked by
//! weight, leaning to pricing, case study and demo once the visitor is a lead.
//! Crawlers browse 1 to 5 pages and send pageviews only.

use kindling_collector::sites::Site;
use kindling_collector::store::{StoredEvent, SubmissionRecord};
use kindling_core::device;

use crate::body::Ids;

use super::arrival::{self, Arrival, ORIGIN};
use super::rhythm::{chance, exponential, mix, weighted};
use super::submission::{self, Sent};
use super::visitor::Visitor;

/// One request's rows, as the collector would commit them.
pub struct Request {
    pub seen_ms: i64,
    pub visitor: String,
    pub visit: u32,
    pub bot: bool,
    pub events: Vec<StoredEvent>,
    pub submission: Option<Box<SubmissionRecord>>,
}

const DESKTOP: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";
const MOBILE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";
const CRAWLER: &str = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

/// The demo site's pages: path, title, weight as a next page for prospects and for leads.
const PAGES: [(&str, &str, u32, u32); 9] = [
    ("/", "Brightline: close the books in days", 10, 6),
    ("/pricing.html", "Pricing and plans", 14, 25),
    ("/blog/", "Blog", 8, 3),
    ("/blog/month-end-close-checklist.html", "Month-end close checklist", 10, 5),
    ("/blog/cash-flow-forecasting-mistakes.html", "Five cash-flow forecasting mistakes", 9, 5),
    ("/customers/northwind.html", "How Northwind closes in 4 days", 8, 20),
    ("/ebook.html", "The CFO's Guide (free e-book)", 8, 4),
    ("/demo.html", "Book a demo", 4, 12),
    ("/tour/", "Product tour", 10, 10),
];
const PAGE_COUNTS: [u32; 8] = [52, 21, 10, 6, 4, 3, 2, 2];

/// The visitor's id on `device` (0: the main one, 1: the second device of a merge).
pub fn visitor_id(seed: u64, visitor: &Visitor, device: u8) -> String {
    let mut ids = Ids::seeded(mix(seed ^ 0x5eed, u64::from(visitor.index) * 2 + u64::from(device)));
    let first = match (device, &visitor.lead) {
        (1, Some(lead)) => lead.second_device_at.unwrap_or(visitor.visits[0]),
        _ => visitor.visits[0],
    };
    ids.uuid(u64::try_from(first).unwrap_or(0))
}

/// What the generator of one visit needs.
pub struct VisitPlan<'a> {
    pub seed: u64,
    pub site: &'a Site,
    pub visitor: &'a Visitor,
    /// Index into the visitor's visits; ignored on the second device.
    pub visit: usize,
    pub device: u8,
    pub start_ms: i64,
}

/// Builds the rows of a visit.
struct Builder<'a> {
    plan: &'a VisitPlan<'a>,
    rng: Ids,
    visitor: String,
    session: String,
    arrival: Arrival,
    device: &'static str,
    at_ms: i64,
    requests: Vec<Request>,
    events: Vec<StoredEvent>,
}

/// The requests of the visit `plan` describes, in time order.
pub fn requests(plan: &VisitPlan<'_>) -> Vec<Request> {
    let visitor = plan.visitor;
    let salt = u64::from(visitor.index) << 8 | (plan.visit as u64) << 1 | u64::from(plan.device);
    let mut rng = Ids::seeded(mix(plan.seed ^ 0x0007_1517, salt));
    let returning = plan.visit > 0 && plan.device == 0;
    let arrival = if plan.device == 1 {
        arrival::draw(&mut rng, true)
    } else {
        arrival::draw(&mut rng, returning)
    };
    let (agent, viewport, touch) = match (visitor.bot, visitor.mobile ^ (plan.device == 1)) {
        (true, _) => (CRAWLER, None, 0),
        (false, true) => (MOBILE, Some(390), 5),
        (false, false) => (DESKTOP, Some(1440), 0),
    };
    let device = device::classify(agent, viewport, touch).as_str();
    let session = rng.uuid(u64::try_from(plan.start_ms).unwrap_or(0));
    let mut builder = Builder {
        plan,
        rng,
        visitor: visitor_id(plan.seed, visitor, plan.device),
        session,
        arrival,
        device,
        at_ms: plan.start_ms,
        requests: Vec::new(),
        events: Vec::new(),
    };
    builder.browse();
    builder.requests
}

impl Builder<'_> {
    fn browse(&mut self) {
        let visitor = self.plan.visitor;
        let lead = visitor.lead.as_ref().filter(|_| !visitor.bot);
        let converting = lead.filter(|lead| self.plan.device == 0 && lead.visit == self.plan.visit);
        let demo =
            lead.filter(|lead| self.plan.device == 0 && lead.demo_visit == Some(self.plan.visit));
        let pages = if visitor.bot {
            1 + self.rng.below(5) as usize
        } else if self.plan.device == 1 {
            1 + self.rng.below(2) as usize
        } else {
            1 + weighted(&mut self.rng, &PAGE_COUNTS)
        };
        let known = visitor.known_before(self.plan.visit) || self.plan.device == 1;
        let mut path = self.arrival.path().to_owned();
        let mut previous: Option<String> = None;
        for page in 0..pages {
            let last = page + 1 == pages;
            if last {
                if let Some(lead) = converting {
                    path = form_page(lead.form).to_owned();
                } else if demo.is_some() {
                    path = "/demo.html".to_owned();
                }
            }
            let url =
                if page == 0 { self.arrival.landing.clone() } else { format!("{ORIGIN}{path}") };
            let referrer = match &previous {
                Some(prior) => Some(prior.clone()),
                None => self.arrival.referrer.clone(),
            };
            self.page(&path, &url, referrer, page == 0, known);
            if last {
                if let Some(lead) = converting {
                    self.send_form(lead.form, &url);
                } else if demo.is_some() {
                    self.send_form("demo-request", &url);
                } else if self.plan.device == 1 {
                    let form = if lead.is_some_and(|lead| lead.form == "callback") {
                        "newsletter"
                    } else {
                        "callback"
                    };
                    self.send_form(form, &url);
                }
            }
            previous = Some(format!("{ORIGIN}{path}"));
            self.at_ms += 5_000 + exponential(&mut self.rng, 50_000.0) as i64;
            path = self.next_page(known);
        }
    }

    fn next_page(&mut self, known: bool) -> String {
        let weights: Vec<u32> = PAGES
            .iter()
            .map(|(_, _, prospect, lead)| if known { *lead } else { *prospect })
            .collect();
        PAGES[weighted(&mut self.rng, &weights)].0.to_owned()
    }

    fn event(&mut self, kind: &str, url: &str, offset_ms: i64) -> StoredEvent {
        let at = self.at_ms + offset_ms;
        let id = self.rng.uuid(u64::try_from(at).unwrap_or(0));
        let mut event =
            StoredEvent::new(&id, &self.plan.site.key, &self.visitor, &self.session, kind, url, at);
        event.device = Some(self.device.to_owned());
        event.bot = self.plan.visitor.bot;
        event.client_offset_ms = offset_ms;
        event
    }

    /// A pageview and what follows it on the page, sent as one request.
    fn page(&mut self, path: &str, url: &str, referrer: Option<String>, first: bool, known: bool) {
        let title = PAGES.iter().find(|(p, ..)| *p == path).map(|(_, title, ..)| *title);
        let mut view = self.event("pageview", url, 0);
        view.title = title.map(str::to_owned);
        view.referrer = referrer;
        let utm = &self.arrival.attribution.utm;
        view.channel = Some(self.arrival.channel.as_str().to_owned());
        view.utm_source = utm.source.clone();
        view.utm_medium = utm.medium.clone();
        view.utm_campaign = utm.campaign.clone();
        view.utm_term = utm.term.clone();
        view.utm_content = utm.content.clone();
        view.click_id = self
            .arrival
            .attribution
            .click_id
            .as_ref()
            .map(|click| format!("{}:{}", click.network.as_str(), click.value));
        self.events.push(view);
        if !self.plan.visitor.bot {
            self.on_page(path, url, first, known);
        }
        self.flush();
    }

    fn on_page(&mut self, path: &str, url: &str, first: bool, known: bool) {
        let mut offset = 1_000;
        if first && self.plan.visit >= 2 && self.plan.device == 0 {
            self.block("welcome-back", "a", url, &mut offset, 0.05, 0.3);
        }
        let depth = weighted(&mut self.rng, &[62, 20, 10, 6, 2]);
        for milestone in 1..=depth {
            offset += 3_000 + self.rng.below(20_000) as i64;
            let mut scroll = self.event("scroll", url, offset);
            scroll.value = Some(25.0 * milestone as f64);
            self.events.push(scroll);
        }
        match path {
            "/" => {
                let (block, variant) = if known
                    && self.plan.visitor.lead.as_ref().is_some_and(|l| l.demo_visit.is_some())
                {
                    ("hero-hot", "a")
                } else if known {
                    ("hero-ebook-readers", "a")
                } else {
                    ("hero-welcome", self.plan.visitor.hero_variant)
                };
                self.block(block, variant, url, &mut offset, 0.07, 0.0);
            }
            "/pricing.html" => {
                if chance(&mut self.rng, 0.08) {
                    self.click("cta_book_demo", url, &mut offset);
                }
                if chance(&mut self.rng, 0.35) {
                    self.block("pricing-exit", "a", url, &mut offset, 0.1, 0.5);
                }
            }
            "/blog/month-end-close-checklist.html"
            | "/blog/cash-flow-forecasting-mistakes.html" => {
                if depth >= 2 && chance(&mut self.rng, 0.6) {
                    self.block("blog-case-study", "a", url, &mut offset, 0.06, 0.3);
                }
                if depth >= 3 {
                    self.block("reading-list", "a", url, &mut offset, 0.08, 0.0);
                }
                if chance(&mut self.rng, 0.04) {
                    self.click("cta_case_study", url, &mut offset);
                }
                self.form_seen("newsletter", url, &mut offset, 0.6);
            }
            "/ebook.html" => self.form_seen("ebook", url, &mut offset, 0.95),
            "/demo.html" => self.form_seen("demo-request", url, &mut offset, 0.95),
            _ => {}
        }
        if chance(&mut self.rng, 0.45) {
            let mut engaged = self.event("engagement", url, offset + 2_000);
            engaged.value = Some((3_000.0 + exponential(&mut self.rng, 40_000.0)).round());
            self.events.push(engaged);
        }
    }

    fn click(&mut self, name: &str, url: &str, offset: &mut i64) {
        *offset += 2_000 + self.rng.below(10_000) as i64;
        let mut click = self.event("click", url, *offset);
        click.name = Some(name.to_owned());
        self.events.push(click);
    }

    /// A block shown, then perhaps clicked or dismissed.
    fn block(
        &mut self,
        block: &str,
        variant: &str,
        url: &str,
        offset: &mut i64,
        click: f64,
        dismiss: f64,
    ) {
        for (kind, p) in
            [("block_impression", 1.0), ("block_click", click), ("block_dismiss", dismiss)]
        {
            if kind == "block_dismiss"
                && self.events.last().is_some_and(|e| e.kind == "block_click")
            {
                break;
            }
            if !chance(&mut self.rng, p) {
                continue;
            }
            *offset += 1_500 + self.rng.below(8_000) as i64;
            let mut event = self.event(kind, url, *offset);
            event.name = Some(block.to_owned());
            event.target = Some(variant.to_owned());
            if kind == "block_click" {
                event.value = Some(0.0);
            }
            self.events.push(event);
        }
    }

    /// A form shown (with probability `p`), sometimes started and left.
    fn form_seen(&mut self, form: &str, url: &str, offset: &mut i64, p: f64) {
        if !chance(&mut self.rng, p) {
            return;
        }
        *offset += 1_000;
        let mut view = self.event("form_view", url, *offset);
        view.name = Some(form.to_owned());
        self.events.push(view);
        if chance(&mut self.rng, 0.1) {
            let count = 1 + self.rng.below(3) as usize;
            let reached = self.form_fields(form, url, offset, count);
            *offset += 5_000;
            let mut left = self.event("form_abandon", url, *offset);
            left.name = Some(form.to_owned());
            left.target = reached;
            self.events.push(left);
        }
    }

    /// `form_start`, then `count` `form_field` events; returns the last field reached.
    fn form_fields(
        &mut self,
        form: &str,
        url: &str,
        offset: &mut i64,
        count: usize,
    ) -> Option<String> {
        *offset += 2_000;
        let mut start = self.event("form_start", url, *offset);
        start.name = Some(form.to_owned());
        self.events.push(start);
        let names: Vec<String> = self
            .plan
            .site
            .form(form)
            .map(|definition| {
                definition.fields.iter().map(|field| field.name.clone()).take(count).collect()
            })
            .unwrap_or_default();
        for name in &names {
            *offset += 3_000 + self.rng.below(6_000) as i64;
            let mut field = self.event("form_field", url, *offset);
            field.name = Some(form.to_owned());
            field.target = Some(name.clone());
            self.events.push(field);
        }
        names.last().cloned()
    }

    /// A lead form filled in and sent: its field events, then the submission request.
    fn send_form(&mut self, form_id: &str, url: &str) {
        let (Some(form), Some(lead)) =
            (self.plan.site.form(form_id), self.plan.visitor.lead.as_ref())
        else {
            return;
        };
        let mut offset = 20_000;
        self.form_fields(form_id, url, &mut offset, 4);
        self.flush_at(offset);
        let at = self.at_ms + offset + 8_000;
        let id = self.rng.uuid(u64::try_from(at).unwrap_or(0));
        let landing = self.arrival.landing.clone();
        let sent = Sent {
            id,
            site: &self.plan.site.key,
            visitor: &self.visitor,
            session: &self.session,
            url,
            at_ms: at,
            campaign: self.arrival.attribution.utm.campaign.as_deref(),
            landing: &landing,
        };
        let (mut event, record) = submission::submit(form, &lead.answers, &sent, &mut self.rng);
        event.device = Some(self.device.to_owned());
        self.requests.push(Request {
            seen_ms: at,
            visitor: self.visitor.clone(),
            visit: self.visit_number(),
            bot: false,
            events: vec![event],
            submission: Some(Box::new(record)),
        });
        self.at_ms = at;
    }

    fn visit_number(&self) -> u32 {
        if self.plan.device == 1 {
            1
        } else {
            u32::try_from(self.plan.visit + 1).unwrap_or(u32::MAX)
        }
    }

    fn flush(&mut self) {
        let last = self.events.last().map_or(0, |event| event.client_offset_ms);
        self.flush_at(last);
    }

    /// Sends the page's pending events as one request, `offset_ms` after the page opened:
    /// every row gets the request's arrival time, and its own time as the client offset.
    fn flush_at(&mut self, offset_ms: i64) {
        if self.events.is_empty() {
            return;
        }
        let seen = self.at_ms + offset_ms + 500;
        let mut events = std::mem::take(&mut self.events);
        for event in &mut events {
            event.client_offset_ms = (self.at_ms + event.client_offset_ms) - seen;
            event.received_ms = seen;
        }
        self.requests.push(Request {
            seen_ms: seen,
            visitor: self.visitor.clone(),
            visit: self.visit_number(),
            bot: self.plan.visitor.bot,
            events,
            submission: None,
        });
    }
}

/// The page a lead form is sent from.
fn form_page(form: &str) -> &'static str {
    match form {
        "ebook" => "/ebook.html",
        "demo-request" => "/demo.html",
        "newsletter" => "/blog/month-end-close-checklist.html",
        _ => "/",
    }
}
