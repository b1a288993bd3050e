//! One visitor's whole history, decided up front from its index and the seed alone, so
//! the schedule and the event generator agree without keeping state: whether it is a
//! crawler, its device, when each visit starts, and, for the few who become leads, the
//! visit they fill a form on, what they answer, whether they come back for a demo,
//! reveal the same email from a second device or are won as customers.
//!
//! Distributions: 2.2 % of visitors are crawlers (one visit each, about 2 % of the
//! requests); of people, 78 % visit once, the
//! others 2 to 20 times (an exponential tail), days apart; 5 % become leads, who also
//! come back more often. Forms: `ebook` 45 %, `newsletter` 30 %, `demo-request` 15 %,
//! `callback` 10 %; 15 % of leads with later visits request a demo on one of them; 3 %
//! use a second device (identity merge); 2 % of the others are won as customers.

use crate::body::Ids;

use super::rhythm::{self, DAY_MS, HOUR_MS, Window, chance, exponential, mix, unit, weighted};

/// Share of visitors that are crawlers.
const BOT_SHARE: f64 = 0.022;
/// Share of people that visit once.
const SINGLE_VISIT_SHARE: f64 = 0.78;
/// Share of people that become leads.
const LEAD_SHARE: f64 = 0.05;
/// Share of leads won as customers.
const CUSTOMER_SHARE: f64 = 0.02;
/// Share of leads that reveal their email again from a second device.
const SECOND_DEVICE_SHARE: f64 = 0.03;
/// Most visits of one visitor.
const MAX_VISITS: usize = 20;

/// The lead forms of the demo configuration, with the share of leads using each first.
pub const LEAD_FORMS: [(&str, u32); 4] =
    [("ebook", 45), ("newsletter", 30), ("demo-request", 15), ("callback", 10)];

/// A visitor's planned history.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub index: u32,
    pub bot: bool,
    pub mobile: bool,
    /// Visit start times, increasing, all in the window.
    pub visits: Vec<i64>,
    /// The hero variant this visitor's split gives (`tour` or `guide`).
    pub hero_variant: &'static str,
    pub lead: Option<Lead>,
}

/// What a lead does.
#[derive(Debug, Clone)]
pub struct Lead {
    /// The form of the first submission.
    pub form: &'static str,
    /// The visit (index into [`Visitor::visits`]) it is sent on.
    pub visit: usize,
    /// A later visit with a demo request.
    pub demo_visit: Option<usize>,
    /// When sales mark the lead won.
    pub customer_at: Option<i64>,
    /// When the same person, on another device, sends another form with the same email.
    pub second_device_at: Option<i64>,
    pub answers: Answers,
}

/// What a lead answers on forms.
#[derive(Debug, Clone)]
pub struct Answers {
    pub email: String,
    pub name: String,
    pub company: String,
    pub company_size: &'static str,
    pub role: &'static str,
    pub phone: String,
    pub timeline: &'static str,
    pub consent: bool,
}

impl Visitor {
    /// The history of visitor `index`.
    pub fn of(seed: u64, index: u32, window: &Window) -> Visitor {
        let mut rng = Ids::seeded(mix(seed, u64::from(index)));
        let bot = chance(&mut rng, BOT_SHARE);
        let mobile = chance(&mut rng, 0.38);
        let hero_variant = if chance(&mut rng, 0.5) { "tour" } else { "guide" };
        let becomes_lead = !bot && chance(&mut rng, LEAD_SHARE);
        let mut count = if bot || chance(&mut rng, SINGLE_VISIT_SHARE) {
            1
        } else {
            2 + exponential(&mut rng, 2.0) as usize
        };
        if becomes_lead && chance(&mut rng, 0.6) {
            count += 1 + usize::try_from(rng.below(5)).unwrap_or(0);
        }
        let visits = visit_times(&mut rng, window, count.min(MAX_VISITS));
        let lead = becomes_lead.then(|| plan_lead(&mut rng, index, &visits, window));
        Visitor { index, bot, mobile, visits, hero_variant, lead }
    }

    /// True when the visitor had sent a lead form before visit `visit` (an index).
    pub fn known_before(&self, visit: usize) -> bool {
        self.lead.as_ref().is_some_and(|lead| lead.visit < visit)
    }
}

/// `count` visit starts: the first by the rhythm, each next one 30 minutes to weeks
/// later (exponential, mean 4 days, kept by the rhythm), none past the window.
fn visit_times(rng: &mut Ids, window: &Window, count: usize) -> Vec<i64> {
    let mut times = vec![window.draw(rng)];
    while times.len() < count {
        let last = *times.last().unwrap_or(&window.start_ms);
        let mut next = None;
        for _ in 0..8 {
            let at = last + HOUR_MS / 2 + exponential(rng, 4.0 * DAY_MS as f64) as i64;
            if at < window.end_ms - HOUR_MS / 2 && window.keeps(rng, at) {
                next = Some(at);
                break;
            }
        }
        match next {
            Some(at) => times.push(at),
            None => break,
        }
    }
    times
}

fn plan_lead(rng: &mut Ids, index: u32, visits: &[i64], window: &Window) -> Lead {
    let weights: Vec<u32> = LEAD_FORMS.iter().map(|(_, weight)| *weight).collect();
    let form = LEAD_FORMS[weighted(rng, &weights)].0;
    // Most leads convert early in their history.
    let visit = ((unit(rng) * unit(rng)) * visits.len() as f64) as usize;
    let visit = visit.min(visits.len() - 1);
    let later = visits.len() - 1 - visit;
    let demo_visit = (form != "demo-request" && later > 0 && chance(rng, 0.15))
        .then(|| visit + 1 + usize::try_from(rng.below(later as u64)).unwrap_or(0));
    let second_device_at = chance(rng, SECOND_DEVICE_SHARE)
        .then(|| visits[visit] + HOUR_MS + exponential(rng, 3.0 * DAY_MS as f64) as i64)
        .filter(|at| *at < window.end_ms - HOUR_MS);
    let last = *visits.last().unwrap_or(&window.start_ms);
    let customer_at = (second_device_at.is_none() && chance(rng, CUSTOMER_SHARE))
        .then(|| last + DAY_MS + exponential(rng, 10.0 * DAY_MS as f64) as i64)
        .filter(|at| *at < window.end_ms - HOUR_MS);
    Lead { form, visit, demo_visit, customer_at, second_device_at, answers: answers(rng, index) }
}

const FIRST_NAMES: [&str; 12] = [
    "Ana", "Ben", "Chloe", "David", "Elif", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kofi",
    "Lena",
];
const LAST_NAMES: [&str; 10] = [
    "Novak", "Schmidt", "Okafor", "Dubois", "Rossi", "Tanaka", "Garcia", "Larsen", "Kowalski",
    "Moreau",
];
const COMPANIES: [&str; 10] = [
    "Northwind",
    "Contoso",
    "Fabrikam",
    "Tailspin",
    "Wingtip",
    "Litware",
    "Proseware",
    "Adatum",
    "Woodgrove",
    "Lucerne",
];
const ROLES: [(&str, u32); 7] = [
    ("cfo", 15),
    ("controller", 20),
    ("finance director", 10),
    ("vp finance", 5),
    ("accountant", 25),
    ("operations manager", 15),
    ("founder", 10),
];
const SIZES: [(&str, u32); 4] = [("25", 40), ("150", 30), ("500", 20), ("2000", 10)];
const TIMELINES: [(&str, u32); 3] = [("now", 30), ("later", 40), ("exploring", 30)];

fn pick<T: Copy>(rng: &mut Ids, table: &[(T, u32)]) -> T {
    let weights: Vec<u32> = table.iter().map(|(_, weight)| *weight).collect();
    table[weighted(rng, &weights)].0
}

fn answers(rng: &mut Ids, index: u32) -> Answers {
    let first = FIRST_NAMES[usize::try_from(rng.below(12)).unwrap_or(0)];
    let last = LAST_NAMES[usize::try_from(rng.below(10)).unwrap_or(0)];
    let company = COMPANIES[usize::try_from(rng.below(10)).unwrap_or(0)];
    Answers {
        email: format!(
            "{}.{}{index}@{}.example",
            first.to_lowercase(),
            last.to_lowercase(),
            company.to_lowercase()
        ),
        name: format!("{first} {last}"),
        company: format!("{company} {}", ["Ltd", "GmbH", "Inc", "SA"][(index % 4) as usize]),
        company_size: pick(rng, &SIZES),
        role: pick(rng, &ROLES),
        phone: format!("+44 20 7946 {:04}", rng.below(10_000)),
        timeline: pick(rng, &TIMELINES),
        consent: rhythm::chance(rng, 0.6),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_index_gives_the_same_history() {
        let window = Window::ending(1_764_979_200_000, 90);
        let first = Visitor::of(1, 42, &window);
        let again = Visitor::of(1, 42, &window);
        assert_eq!(first.visits, again.visits);
        assert!(first.visits.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn about_one_visitor_in_twenty_becomes_a_lead() {
        let window = Window::ending(1_764_979_200_000, 90);
        let leads = (0..20_000).filter(|i| Visitor::of(3, *i, &window).lead.is_some()).count();
        assert!((800..1200).contains(&leads), "{leads}");
    }
}
