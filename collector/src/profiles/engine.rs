//! How a person changes when events arrive: aggregates, traits and email from
//! `identify`, behaviour points (with caps), fit points, temperature, stage and segment
//! membership — each change recorded with its cause in [`Changes`], so a score can be
//! explained line by line and the same events replayed give the same person.

use kindling_core::attribution::host_of;
use kindling_core::profile::{Aggregates, Observed, Touch, page_path};
use kindling_core::rules::{Facts, Value};
use kindling_core::scoring::{Award, CapUsage, ScoredEvent, Temperature, temperature};
use kindling_core::wire::{EventKind, PropValue};
use serde::{Deserialize, Serialize};

use crate::profiles::exposures::{self, Exposures, Refused};
use crate::profiles::journeys::Journeys;
use crate::profiles::model::ProfileModel;
use crate::profiles::progress::{Progress, Settled};
use crate::profiles::stage::{Stage, StageFacts};
use crate::profiles::traits::{self, Traits};
use crate::store::StoredEvent;

/// A person's profile, stored as one JSON document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Person {
    /// The id of the visitor the person was first seen as (a merge keeps the id of
    /// the person merged into), so a first page view already buckets A/B variants
    /// by the id the person keeps.
    pub id: String,
    pub email: Option<String>,
    pub created_ms: i64,
    pub last_activity_ms: i64,
    pub last_decay_ms: i64,
    pub score: i32,
    pub temperature: Temperature,
    pub stage: Stage,
    pub stage_since_ms: i64,
    pub marketing_consent: bool,
    /// Submitted one of the stage policy's SQL forms (a demo or offer request).
    #[serde(default)]
    pub sales_requested: bool,
    #[schema(value_type = Object)]
    pub traits: Traits,
    #[schema(value_type = Object)]
    pub aggregates: Aggregates,
    /// How often each behaviour rule paid out (caps).
    #[schema(value_type = Object)]
    pub usage: CapUsage,
    /// Fit rules currently credited.
    pub fit: Vec<String>,
    /// Segments the person is in.
    pub segments: Vec<String>,
    /// Impressions, dismissals and conversions per block.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub exposures: Exposures,
    /// Labels set and removed by workflows (the `tags` fact).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Where the person is in the site's workflows.
    #[serde(default, skip_serializing_if = "Journeys::is_empty")]
    #[schema(value_type = Object)]
    pub journeys: Journeys,
    /// What the reports have counted of the person.
    #[serde(default, skip_serializing_if = "is_default")]
    #[schema(value_type = Object)]
    pub progress: Progress,
}

fn is_default(progress: &Progress) -> bool {
    *progress == Progress::default()
}

/// One line of a score's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreChange {
    pub at_ms: i64,
    pub rule: String,
    pub reason: &'static str,
    pub points: i32,
    /// The score after this change.
    pub score: i32,
    pub event_id: Option<String>,
}

/// A move between lifecycle stages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageChange {
    pub at_ms: i64,
    pub from: Stage,
    pub to: Stage,
    pub cause: String,
}

/// Entering or leaving a segment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentChange {
    pub at_ms: i64,
    pub segment: String,
    pub entered: bool,
}

/// Everything that changed, to store beside the person.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Changes {
    pub scores: Vec<ScoreChange>,
    pub stages: Vec<StageChange>,
    pub segments: Vec<SegmentChange>,
    /// Impressions over their block's caps: not to be stored.
    pub refused: Vec<Refused>,
    /// Conversions the events completed, to store as events.
    pub derived: Vec<StoredEvent>,
    /// What the reports count of the person, to take away (-1) and add (1).
    pub progress: Vec<(Progress, i64)>,
}

impl Changes {
    /// Appends `other`'s lines after this one's.
    pub fn extend(&mut self, other: Changes) {
        self.scores.extend(other.scores);
        self.stages.extend(other.stages);
        self.segments.extend(other.segments);
        self.refused.extend(other.refused);
        self.derived.extend(other.derived);
        self.progress.extend(other.progress);
    }
}

/// Whether `event` may make its visitor known by email: an `identify`, or a lead
/// form's `form_submit`, which carries the submitted values.
pub fn reveals_email(event: &StoredEvent) -> bool {
    match event.kind.as_str() {
        "identify" => true,
        "form_submit" => event.props.as_deref().is_some_and(|props| props.contains("\"email\"")),
        _ => false,
    }
}

/// The host of the other site that linked to `event`'s page, if any.
fn referrer_host(event: &StoredEvent) -> Option<String> {
    let host = host_of(event.referrer.as_deref()?)?;
    (host_of(&event.url).as_deref() != Some(host.as_str())).then_some(host)
}

/// The source traits from a form's submissions are recorded with: `form:<id>`.
pub fn form_source(form: &str) -> String {
    let mut source = String::with_capacity(5 + form.len());
    source.push_str("form:");
    source.push_str(form);
    source
}

impl Person {
    /// A new anonymous person.
    pub fn new(id: String, now_ms: i64) -> Person {
        Person {
            id,
            email: None,
            created_ms: now_ms,
            last_activity_ms: now_ms,
            last_decay_ms: 0,
            score: 0,
            temperature: Temperature::Cold,
            stage: Stage::Anonymous,
            stage_since_ms: now_ms,
            marketing_consent: false,
            sales_requested: false,
            traits: Traits::new(),
            aggregates: Aggregates::default(),
            usage: CapUsage::default(),
            fit: Vec::new(),
            segments: Vec::new(),
            exposures: Exposures::new(),
            tags: Vec::new(),
            journeys: Journeys::default(),
            progress: Progress::default(),
        }
    }

    /// Applies newly stored (non-bot) events in order, then re-evaluates fit,
    /// temperature, stage and segments.
    pub fn apply(&mut self, events: &[StoredEvent], model: &ProfileModel, now_ms: i64) -> Changes {
        let mut changes = Changes::default();
        let mut page: Option<String> = None;
        for event in events {
            if changes.derived.iter().any(|derived| derived.id == event.id) {
                // A stored conversion this replay has just derived again.
                continue;
            }
            let derived_before = changes.derived.len();
            self.apply_one(event, model, &mut page, &mut changes);
            let derived: Vec<StoredEvent> = changes.derived[derived_before..].to_vec();
            for conversion in &derived {
                self.apply_one(conversion, model, &mut page, &mut changes);
            }
        }
        self.settle(model, now_ms, page.as_deref(), &mut changes);
        changes
    }

    /// Applies one event; conversions it completes are added to `changes.derived`.
    fn apply_one(
        &mut self,
        event: &StoredEvent,
        model: &ProfileModel,
        page: &mut Option<String>,
        changes: &mut Changes,
    ) {
        {
            let Some(kind) = EventKind::parse(&event.kind) else { return };
            if let Err(reason) = exposures::observe(&mut self.exposures, event, kind, model) {
                changes.refused.push(Refused {
                    event_id: event.id.clone(),
                    visitor: event.visitor.clone(),
                    reason,
                });
                return;
            }
            let at = event.received_ms;
            let at_u = u64::try_from(at).unwrap_or(0);
            let touch = event.channel.as_ref().map(|channel| {
                let starts_visit = self.aggregates.sessions.binary_search(&event.session).is_err();
                Touch {
                    source: event.utm_source.clone(),
                    medium: event.utm_medium.clone(),
                    campaign: event.utm_campaign.clone(),
                    channel: channel.clone(),
                    at_ms: at_u,
                    landing: starts_visit.then(|| page_path(&event.url).to_owned()),
                    referrer: starts_visit.then(|| referrer_host(event)).flatten(),
                }
            });
            self.aggregates.observe(&Observed {
                kind,
                session: &event.session,
                url: &event.url,
                name: event.name.as_deref(),
                value: event.value,
                at_ms: at_u,
                touch,
            });
            let props = props_of(event);
            match kind {
                EventKind::Identify => self.identify(&props, "identify", at),
                EventKind::FormSubmit => {
                    let form = event.name.as_deref().unwrap_or("");
                    self.sales_requested |= model.stages.sql_forms.iter().any(|f| f == form);
                    if !props.is_empty() {
                        self.identify(&props, &form_source(form), at);
                    }
                }
                EventKind::Pageview => *page = Some(event.url.clone()),
                EventKind::BlockImpression => {
                    // A block a workflow asked for has now been shown.
                    let block = event.name.as_deref().unwrap_or("");
                    self.journeys.show.retain(|queued| queued != block);
                }
                _ => {}
            }
            let scored = ScoredEvent {
                kind,
                name: event.name.as_deref(),
                url: &event.url,
                props: &props,
                at_ms: at_u,
            };
            let awards = model.scoring.score_event(&scored, &mut self.usage);
            self.award(&awards, at, Some(&event.id), changes);
            self.last_activity_ms = self.last_activity_ms.max(at);
            let conversions = exposures::conversions(&mut self.exposures, event, kind, model);
            changes.derived.extend(conversions);
        }
    }

    /// Sets traits (and the email, marketing consent) from a source such as a form.
    pub fn identify(&mut self, props: &[(String, PropValue)], source: &str, at_ms: i64) {
        if let Some(email) = traits::absorb(&mut self.traits, props, source, at_ms) {
            self.email = Some(email);
        }
        let consent = props
            .iter()
            .any(|(name, value)| name == "marketing_consent" && *value == PropValue::Bool(true));
        self.marketing_consent |= consent;
    }

    /// Adds `awards` to the score, one history line each.
    pub fn award(
        &mut self,
        awards: &[Award],
        at_ms: i64,
        event_id: Option<&str>,
        changes: &mut Changes,
    ) {
        for award in awards {
            self.score += award.points;
            changes.scores.push(ScoreChange {
                at_ms,
                rule: award.rule.clone(),
                reason: award.reason.as_str(),
                points: award.points,
                score: self.score,
                event_id: event_id.map(str::to_owned),
            });
        }
    }

    /// Re-evaluates what follows from the profile: fit points, temperature, stage and
    /// segments. `page` is the page of the latest pageview, for `page.*` facts.
    pub fn settle(
        &mut self,
        model: &ProfileModel,
        now_ms: i64,
        page: Option<&str>,
        changes: &mut Changes,
    ) {
        let now_u = u64::try_from(now_ms).unwrap_or(0);
        let (fit_awards, credited) = {
            let facts = (PersonFacts { person: self, page }, self.aggregates.facts_at(now_u));
            model.scoring.rescore_fit(&facts, &self.fit)
        };
        self.fit = credited;
        self.award(&fit_awards, now_ms, None, changes);
        self.temperature = temperature(self.score, &model.scoring.thresholds);

        let stage_facts = StageFacts {
            current: self.stage,
            known: self.email.is_some(),
            score: self.score,
            marketing_consent: self.marketing_consent,
            sql_form_submitted: self.sales_requested,
        };
        if let Some((stage, cause)) = model.stages.next(&stage_facts) {
            self.set_stage(stage, cause, now_ms, changes);
        }

        let members: Vec<String> = {
            let facts = (PersonFacts { person: self, page }, self.aggregates.facts_at(now_u));
            model
                .segments
                .iter()
                .filter(|s| s.rule.evaluate(&facts))
                .map(|s| s.id.clone())
                .collect()
        };
        for left in self.segments.iter().filter(|id| !members.contains(id)) {
            changes.segments.push(SegmentChange {
                at_ms: now_ms,
                segment: left.clone(),
                entered: false,
            });
        }
        for entered in members.iter().filter(|id| !self.segments.contains(id)) {
            changes.segments.push(SegmentChange {
                at_ms: now_ms,
                segment: entered.clone(),
                entered: true,
            });
        }
        self.segments = members;
        self.count_progress(now_ms, changes);
    }

    /// Moves the progress the reports count on, noting the difference in `changes`.
    fn count_progress(&mut self, now_ms: i64, changes: &mut Changes) {
        let next = self.progress.next(Settled {
            aggregates: &self.aggregates,
            exposures: &self.exposures,
            segments: &self.segments,
            stage: (self.stage, self.stage_since_ms),
            moves: changes.stages.iter().map(|change| (change.to, change.at_ms)),
            now_ms,
        });
        if next != self.progress {
            let counted = std::mem::replace(&mut self.progress, next.clone());
            changes.progress.push((counted, -1));
            changes.progress.push((next, 1));
        }
    }

    /// The person's facts for rules: its own, then its aggregates at `now_ms`; `page`
    /// answers the `page.*` facts.
    pub fn facts<'a>(&'a self, page: Option<&'a str>, now_ms: i64) -> impl Facts + 'a {
        (
            PersonFacts { person: self, page },
            self.aggregates.facts_at(u64::try_from(now_ms).unwrap_or(0)),
        )
    }

    /// Moves to `stage` (from the policy or the admin API), recording why.
    pub fn set_stage(&mut self, stage: Stage, cause: &str, at_ms: i64, changes: &mut Changes) {
        if stage == self.stage {
            return;
        }
        changes.stages.push(StageChange {
            at_ms,
            from: self.stage,
            to: stage,
            cause: cause.to_owned(),
        });
        self.stage = stage;
        self.stage_since_ms = at_ms;
    }
}

/// Rebuilds one person from the whole history of several (an identity merge): the
/// events of all are replayed in time order into `id`, so caps, aggregates and points
/// come out as if one visitor had done everything. Stages set by hand, traits set by
/// hand, marketing consent, tags and workflow journeys are kept from the merged persons.
pub fn rebuild(
    id: String,
    merged: &[&Person],
    events: &[StoredEvent],
    model: &ProfileModel,
    now_ms: i64,
) -> Person {
    let created = merged.iter().map(|p| p.created_ms).min().unwrap_or(now_ms);
    let mut person = Person::new(id, created);
    person.apply(events, model, now_ms);
    // What the reports counted of the persons, not of the replay (which reaches its
    // stages now).
    person.progress = Progress::default();
    for old in merged {
        for (name, value) in &old.traits {
            let newer = person.traits.get(name).is_none_or(|mine| mine.at_ms < value.at_ms);
            if newer {
                person.traits.insert(name.clone(), value.clone());
            }
        }
        person.marketing_consent |= old.marketing_consent;
        person.sales_requested |= old.sales_requested;
        if person.email.is_none() {
            person.email.clone_from(&old.email);
        }
        if old.stage > person.stage {
            person.stage = old.stage;
            person.stage_since_ms = old.stage_since_ms;
        }
        person.last_decay_ms = person.last_decay_ms.max(old.last_decay_ms);
        person.journeys.merge(&old.journeys);
        person.progress.absorb(&old.progress);
        for tag in &old.tags {
            if !person.tags.contains(tag) {
                person.tags.push(tag.clone());
            }
        }
    }
    person.settle(model, now_ms, None, &mut Changes::default());
    person
}

/// An event's properties, from the stored JSON object.
pub fn props_of(event: &StoredEvent) -> Vec<(String, PropValue)> {
    let Some(json) = &event.props else { return Vec::new() };
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(json) else {
        return Vec::new();
    };
    map.into_iter()
        .filter_map(|(key, value)| {
            let value = match value {
                serde_json::Value::Bool(flag) => PropValue::Bool(flag),
                serde_json::Value::Number(number) => PropValue::Number(number.as_f64()?),
                serde_json::Value::String(text) => PropValue::Text(text),
                _ => return None,
            };
            Some((key, value))
        })
        .collect()
}

/// The person's own facts: score, temperature, stage, known, traits, current page.
struct PersonFacts<'a> {
    person: &'a Person,
    page: Option<&'a str>,
}

impl Facts for PersonFacts<'_> {
    fn fact(&self, name: &str) -> Value {
        let person = self.person;
        match name {
            "score" => Value::Number(f64::from(person.score)),
            "temperature" => Value::Text(person.temperature.as_str().to_owned()),
            "stage" => Value::Text(person.stage.as_str().to_owned()),
            "known" => Value::Bool(person.email.is_some()),
            "marketing_consent" => Value::Bool(person.marketing_consent),
            "tags" => Value::List(person.tags.iter().cloned().map(Value::Text).collect()),
            "email_domain" => person
                .email
                .as_deref()
                .and_then(|email| email.split_once('@'))
                .map_or(Value::Null, |(_, domain)| Value::Text(domain.to_owned())),
            "page.url" => self.page.map_or(Value::Null, |url| Value::Text(url.to_owned())),
            "page.path" => self.page.map_or(Value::Null, |url| {
                Value::Text(kindling_core::scoring::path_of(url).to_owned())
            }),
            other => match other.strip_prefix("trait.") {
                Some(trait_name) => person
                    .traits
                    .get(trait_name)
                    .map_or(Value::Null, |t| traits::fact_value(&t.value)),
                None => Value::Null,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ConfigFile;

    const MODEL: &str = r#"
sites:
  - key: pk_t
    name: T
    origins: ['*']
    scoring:
      rules:
        - { id: pricing, points: 10, when: { type: pageview, path: "/pricing*" }, cap: { per_day: 1 } }
        - { id: blog, points: 2, when: { type: pageview, path: "/blog/*" }, cap: { per_day: 3 } }
        - { id: ebook, points: 20, when: { type: form_submit, name: ebook }, cap: { ever: 1 } }
        - { id: demo, points: 40, when: { type: form_submit, name: demo-request } }
        - { id: cta, points: 3, when: { type: click, name: cta_book_demo } }
      fit:
        - { id: enterprise, points: 15, rule: { fact: trait.company_size, op: gte, value: 250 } }
    segments:
      - { id: pricing, rule: { fact: pages, op: matches, value: "/pricing*" } }
      - { id: returning, rule: { fact: visits, op: gte, value: 3 } }
"#;

    fn model() -> ProfileModel {
        let catalog = ConfigFile::from_yaml(MODEL).expect("parses").compile().expect("compiles");
        ProfileModel::clone(&catalog.site("pk_t").expect("site").profiles)
    }

    /// A small deterministic generator (xorshift64*).
    struct Random(u64);

    impl Random {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    fn stream(random: &mut Random) -> Vec<StoredEvent> {
        let count = 1 + random.below(60);
        let mut at = 1_764_000_000_000i64;
        let mut session = 0;
        (0..count)
            .map(|n| {
                at += i64::try_from(random.below(6 * 3_600_000)).unwrap_or(0);
                if random.below(8) == 0 {
                    session += 1;
                }
                let (kind, url, name, props) = match random.below(7) {
                    0 => ("pageview", "https://a.example/pricing.html", None, None),
                    1 => ("pageview", "https://a.example/blog/close", None, None),
                    2 => ("click", "https://a.example/", Some("cta_book_demo"), None),
                    3 => ("form_submit", "https://a.example/ebook.html", Some("ebook"), None),
                    4 => ("form_submit", "https://a.example/demo.html", Some("demo-request"), None),
                    5 => (
                        "identify",
                        "https://a.example/",
                        None,
                        Some(r#"{"email":"a@b.example","company_size":500}"#),
                    ),
                    _ => ("scroll", "https://a.example/", None, None),
                };
                StoredEvent {
                    name: name.map(str::to_owned),
                    props: props.map(str::to_owned),
                    ..StoredEvent::new(
                        &format!("0190f3c2-7d2a-7c4e-8a8b-{n:012x}"),
                        "pk_t",
                        "v",
                        &format!("0190f3c2-7d2a-7c4e-8a8b-{session:012x}"),
                        kind,
                        url,
                        at,
                    )
                }
            })
            .collect()
    }

    /// The property behind "recomputing a score from the stored events gives exactly
    /// the incremental score": a person updated batch by batch as requests arrive
    /// (and stored as JSON between them) equals the person rebuilt from all events in
    /// one pass, and in both the score's lines add up to the score.
    #[test]
    fn incremental_updates_equal_a_recomputation_from_the_stored_events() {
        let model = model();
        let mut random = Random(0x5eed_1234_abcd_9876);
        for case in 0..200 {
            let events = stream(&mut random);
            let now = events.last().map_or(0, |e| e.received_ms);

            let mut incremental = Person::new("p".to_owned(), 0);
            let mut lines = 0;
            let mut start = 0;
            while start < events.len() {
                let end = (start + 1 + random.below(5) as usize).min(events.len());
                let batch_now = events[end - 1].received_ms;
                let changes = incremental.apply(&events[start..end], &model, batch_now);
                lines += changes.scores.iter().map(|c| c.points).sum::<i32>();
                let stored = serde_json::to_string(&incremental).expect("encodes");
                incremental = serde_json::from_str(&stored).expect("decodes");
                start = end;
            }
            incremental.settle(&model, now, None, &mut Changes::default());

            let mut recomputed = Person::new("p".to_owned(), 0);
            let changes = recomputed.apply(&events, &model, now);
            let recomputed_lines: i32 = changes.scores.iter().map(|c| c.points).sum();

            assert_eq!(incremental.score, recomputed.score, "case {case}: score");
            assert_eq!(lines, incremental.score, "case {case}: incremental lines add up");
            assert_eq!(recomputed_lines, recomputed.score, "case {case}: recomputed lines add up");
            assert_eq!(incremental.aggregates, recomputed.aggregates, "case {case}: aggregates");
            assert_eq!(incremental.usage, recomputed.usage, "case {case}: caps");
            assert_eq!(incremental.segments, recomputed.segments, "case {case}: segments");
            assert_eq!(incremental.stage, recomputed.stage, "case {case}: stage");
            assert_eq!(incremental.temperature, recomputed.temperature, "case {case}: temperature");
        }
    }
}
