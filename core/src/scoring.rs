//! Scoring: explainable lead scores. A [`ScoringModel`] (from the site's YAML/JSON
//! configuration) turns events and profile changes into [`Award`]s, one line each of
//! "rule, points, why"; a person's score is the sum of their awards, and the list is
//! the explanation.
//!
//! ```json
//! {"rules": [{"id": "pricing", "points": 10, "when": {"type": "pageview", "path": "/pricing*"}, "cap": {"per_day": 1}},
//!            {"id": "demo", "points": 40, "when": {"type": "form_submit", "name": "demo-request"}}],
//!  "fit": [{"id": "enterprise", "points": 15, "rule": {"fact": "trait.company_size", "op": "gte", "value": 250}}],
//!  "decay": {"after_days": 60, "points": -20},
//!  "thresholds": {"warm": 30, "hot": 70}}
//! ```
//!
//! Three sources of points, all pure functions of their inputs:
//!
//! - **Behaviour** ([`ScoringModel::score_event`]): every rule whose `when` matches an
//!   event pays its points, unless its cap is used up. `cap: {per_day: n}` allows `n`
//!   payouts per UTC day (`at_ms / 86_400_000`), `cap: {ever: n}` allows `n` in total.
//!   Payouts are counted in a [`CapUsage`] the caller stores per person. Only the
//!   latest day's count is kept, so an event dated before that day cannot be checked
//!   against its own day and is refused by a per-day cap (never over-paying).
//!   Rule ids are expected to be unique: rules sharing an id share their counts.
//! - **Fit** ([`ScoringModel::rescore_fit`]): points while a [`Rule`] holds on the
//!   person's facts (traits and aggregates). Re-evaluated when the facts change; a rule
//!   that stops holding takes its (current) points back. A credited rule that is no
//!   longer in the model is dropped from the credited set without an award (its points
//!   are unknown).
//! - **Decay** ([`ScoringModel::decay_due`]): after `after_days` without activity, a
//!   scheduler applies `points` (negative) once per full period, never taking the score
//!   below `floor` (default 0) and never raising a score already below it. A decay
//!   with `points >= 0` or `after_days == 0` does nothing.
//!
//! [`temperature`] buckets a score into cold / warm / hot with the model's thresholds.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use crate::rules::{Facts, Rule, glob_match};
use crate::wire::{ClientEvent, EventKind, PropValue};

pub use crate::units::{DAY_MS, path_of};

/// The rule name on decay awards.
pub const DECAY_RULE: &str = "decay";

/// A site's scoring configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoringModel {
    /// Behaviour rules: points for events.
    #[serde(default)]
    pub rules: Vec<BehaviourRule>,
    /// Fit rules: points while the profile matches.
    #[serde(default)]
    pub fit: Vec<FitRule>,
    /// Inactivity decay; none when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decay: Option<Decay>,
    #[serde(default)]
    pub thresholds: Thresholds,
}

/// Points for events that match.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BehaviourRule {
    pub id: String,
    pub points: i32,
    #[serde(rename = "when")]
    pub matcher: EventMatcher,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<Cap>,
}

/// Which events a behaviour rule pays for. All given parts must match; an empty
/// matcher matches every event.
///
/// `type` is the wire name of the event kind (`"pageview"`, `"form_submit"`, ...),
/// `name` the event's name (exact, ASCII case-insensitive), `path` a glob on the URL's
/// path ([`path_of`]), `url` a glob on the whole URL ([`glob_match`]), `props` equalities
/// on event properties (text ASCII case-insensitive, numbers numerically, no coercion
/// between types; a missing property does not match).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventMatcher {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<EventKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty", with = "crate::wire::props")]
    pub props: Vec<(String, PropValue)>,
}

/// How often a behaviour rule may pay: `{per_day: n}` or `{ever: n}`.
///
/// Written as a one-key map in JSON and YAML alike (YAML libraries would otherwise
/// expect `!per_day n` tags for enum variants).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "CapSpec", into = "CapSpec")]
pub enum Cap {
    PerDay(u32),
    Ever(u32),
}

/// The map form of [`Cap`].
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CapSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    per_day: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ever: Option<u32>,
}

impl TryFrom<CapSpec> for Cap {
    type Error = &'static str;

    fn try_from(spec: CapSpec) -> Result<Self, Self::Error> {
        match (spec.per_day, spec.ever) {
            (Some(n), None) => Ok(Cap::PerDay(n)),
            (None, Some(n)) => Ok(Cap::Ever(n)),
            _ => Err("a cap is either {per_day: n} or {ever: n}"),
        }
    }
}

impl From<Cap> for CapSpec {
    fn from(cap: Cap) -> Self {
        match cap {
            Cap::PerDay(n) => CapSpec { per_day: Some(n), ever: None },
            Cap::Ever(n) => CapSpec { per_day: None, ever: Some(n) },
        }
    }
}

/// Points while `rule` holds on the profile's facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FitRule {
    pub id: String,
    pub points: i32,
    pub rule: Rule,
}

/// Inactivity decay: `points` (negative) each time `after_days` pass without activity,
/// applied by a scheduler; never below `floor` (default 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decay {
    pub after_days: u32,
    pub points: i32,
    #[serde(default)]
    pub floor: i32,
}

/// Where warm and hot begin (inclusive). Defaults: warm 30, hot 70.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    pub warm: i32,
    pub hot: i32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds { warm: 30, hot: 70 }
    }
}

/// A score's bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Temperature {
    Cold,
    Warm,
    Hot,
}

impl Temperature {
    /// The snake_case name, the same as its serde form.
    pub fn as_str(self) -> &'static str {
        match self {
            Temperature::Cold => "cold",
            Temperature::Warm => "warm",
            Temperature::Hot => "hot",
        }
    }
}

/// `score >= hot` → Hot, else `score >= warm` → Warm, else Cold.
pub fn temperature(score: i32, thresholds: &Thresholds) -> Temperature {
    if score >= thresholds.hot {
        Temperature::Hot
    } else if score >= thresholds.warm {
        Temperature::Warm
    } else {
        Temperature::Cold
    }
}

/// An event as scoring sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoredEvent<'a> {
    pub kind: EventKind,
    pub name: Option<&'a str>,
    pub url: &'a str,
    pub props: &'a [(String, PropValue)],
    /// When it happened (the collector's clock), Unix milliseconds.
    pub at_ms: u64,
}

impl<'a> ScoredEvent<'a> {
    /// A wire event, dated `at_ms` by the collector.
    pub fn from_wire(event: &'a ClientEvent, at_ms: u64) -> Self {
        ScoredEvent {
            kind: event.kind,
            name: event.name.as_deref(),
            url: &event.url,
            props: &event.props,
            at_ms,
        }
    }
}

/// How often each behaviour rule has paid out, for caps; stored per person as JSON:
/// `{"pricing": {"total": 3, "day": 20103, "on_day": 1}}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CapUsage {
    by_rule: BTreeMap<String, RuleUsage>,
}

/// One rule's payouts: in total, and on the latest UTC day it paid.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RuleUsage {
    pub total: u32,
    /// The UTC day number (`at_ms / DAY_MS`) of the latest payout.
    pub day: u64,
    /// Payouts on `day`.
    pub on_day: u32,
}

impl CapUsage {
    /// The payouts recorded for `rule` (zeros when none).
    pub fn get(&self, rule: &str) -> RuleUsage {
        self.by_rule.get(rule).copied().unwrap_or_default()
    }

    /// Forgets rules that are no longer in `model`, to keep the stored form small.
    pub fn retain_rules_of(&mut self, model: &ScoringModel) {
        self.by_rule.retain(|id, _| model.rules.iter().any(|rule| rule.id == *id));
    }

    fn record(&mut self, rule: &str, day: u64) {
        let usage = match self.by_rule.get_mut(rule) {
            Some(usage) => usage,
            None => self.by_rule.entry(String::from(rule)).or_default(),
        };
        usage.record(day);
    }
}

impl RuleUsage {
    /// Whether `cap` allows one more payout on `day`.
    fn allows(self, cap: Option<Cap>, day: u64) -> bool {
        match cap {
            None => true,
            Some(Cap::Ever(limit)) => self.total < limit,
            Some(Cap::PerDay(limit)) if day == self.day => self.on_day < limit,
            Some(Cap::PerDay(limit)) if day > self.day || self.total == 0 => limit > 0,
            // An earlier day than the latest recorded: its count is gone, refuse.
            Some(Cap::PerDay(_)) => false,
        }
    }

    fn record(&mut self, day: u64) {
        self.total = self.total.saturating_add(1);
        if day == self.day {
            self.on_day = self.on_day.saturating_add(1);
        } else if day > self.day {
            self.day = day;
            self.on_day = 1;
        }
    }
}

/// One line of a score's explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Award {
    /// The behaviour or fit rule's id, or [`DECAY_RULE`].
    pub rule: String,
    pub points: i32,
    pub reason: Reason,
}

/// What kind of rule an award comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    Behaviour,
    Fit,
    Decay,
}

impl Reason {
    /// The snake_case name, the same as its serde form.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Behaviour => "behaviour",
            Reason::Fit => "fit",
            Reason::Decay => "decay",
        }
    }
}

/// The sum of the awards' points (saturating).
pub fn total(awards: &[Award]) -> i32 {
    awards.iter().fold(0i32, |sum, award| sum.saturating_add(award.points))
}

impl ScoringModel {
    /// Points `event` earns: one [`Award`] per matching behaviour rule whose cap
    /// allows it, in the model's order; records the payouts in `usage`.
    pub fn score_event(&self, event: &ScoredEvent<'_>, usage: &mut CapUsage) -> Vec<Award> {
        let day = event.at_ms / DAY_MS;
        let mut awards = Vec::new();
        for rule in &self.rules {
            if !rule.matcher.matches(event) || !usage.get(&rule.id).allows(rule.cap, day) {
                continue;
            }
            usage.record(&rule.id, day);
            awards.push(Award {
                rule: rule.id.clone(),
                points: rule.points,
                reason: Reason::Behaviour,
            });
        }
        awards
    }

    /// Fit awards for a profile whose facts changed: given the fit rule ids currently
    /// credited, `+points` for each rule that now holds and was not credited, `-points`
    /// for each credited rule that no longer holds; and the new credited set (the ids
    /// of the rules that hold, in the model's order).
    pub fn rescore_fit(
        &self,
        facts: &impl Facts,
        credited: &[String],
    ) -> (Vec<Award>, Vec<String>) {
        let mut awards = Vec::new();
        let mut now_credited = Vec::new();
        for fit in &self.fit {
            let holds = fit.rule.evaluate(facts);
            let was_credited = credited.contains(&fit.id);
            let points = match (holds, was_credited) {
                (true, false) => Some(fit.points),
                (false, true) => Some(fit.points.saturating_neg()),
                _ => None,
            };
            if let Some(points) = points {
                awards.push(Award { rule: fit.id.clone(), points, reason: Reason::Fit });
            }
            if holds && !now_credited.contains(&fit.id) {
                now_credited.push(fit.id.clone());
            }
        }
        (awards, now_credited)
    }

    /// Decay due at `now_ms` for a profile last active at `last_activity_ms`, last
    /// decayed at `last_decay_ms` (0 if never), with score `score`: one award per full
    /// `after_days` period since the later of the two, each of `points` except that the
    /// total stops at the floor (the last award may be smaller; none when the score is
    /// at or below the floor). Empty when no decay is configured or none is due.
    ///
    /// Store [`ScoringModel::decayed_through`] as the new `last_decay_ms`, so a part
    /// period already elapsed still counts next time.
    pub fn decay_due(
        &self,
        score: i32,
        last_activity_ms: u64,
        last_decay_ms: u64,
        now_ms: u64,
    ) -> Vec<Award> {
        let Some(decay) = self.decay else {
            return Vec::new();
        };
        let periods = decay.periods_due(last_activity_ms, last_decay_ms, now_ms);
        let mut room_above_floor = i64::from(score) - i64::from(decay.floor);
        let mut awards = Vec::new();
        for _ in 0..periods {
            if room_above_floor <= 0 {
                break;
            }
            let points = i64::from(decay.points).max(-room_above_floor);
            room_above_floor += points;
            let points = i32::try_from(points).unwrap_or(decay.points);
            awards.push(Award { rule: String::from(DECAY_RULE), points, reason: Reason::Decay });
        }
        awards
    }

    /// The end of the last full decay period elapsed at `now_ms` (the value to store as
    /// the last decay time once [`ScoringModel::decay_due`]'s awards are applied);
    /// `None` when no period is due.
    pub fn decayed_through(
        &self,
        last_activity_ms: u64,
        last_decay_ms: u64,
        now_ms: u64,
    ) -> Option<u64> {
        let decay = self.decay?;
        let periods = decay.periods_due(last_activity_ms, last_decay_ms, now_ms);
        let elapsed = periods.checked_mul(decay.period_ms())?;
        (periods > 0).then(|| last_activity_ms.max(last_decay_ms).saturating_add(elapsed))
    }
}

impl Decay {
    fn period_ms(self) -> u64 {
        u64::from(self.after_days).saturating_mul(DAY_MS)
    }

    /// Full periods elapsed since the later of last activity and last decay.
    fn periods_due(self, last_activity_ms: u64, last_decay_ms: u64, now_ms: u64) -> u64 {
        if self.points >= 0 || self.after_days == 0 {
            return 0;
        }
        let since = last_activity_ms.max(last_decay_ms);
        now_ms.saturating_sub(since) / self.period_ms()
    }
}

impl EventMatcher {
    /// Whether every given part matches `event`.
    pub fn matches(&self, event: &ScoredEvent<'_>) -> bool {
        self.kind.is_none_or(|kind| kind == event.kind)
            && self.name.as_deref().is_none_or(|name| {
                event.name.is_some_and(|actual| actual.eq_ignore_ascii_case(name))
            })
            && self.path.as_deref().is_none_or(|pattern| glob_match(pattern, path_of(event.url)))
            && self.url.as_deref().is_none_or(|pattern| glob_match(pattern, event.url))
            && self.props.iter().all(|(key, expected)| {
                prop_of(event.props, key).is_some_and(|actual| same_prop(actual, expected))
            })
    }
}

/// The first property named `key`.
fn prop_of<'a>(props: &'a [(String, PropValue)], key: &str) -> Option<&'a PropValue> {
    props.iter().find(|(name, _)| name == key).map(|(_, value)| value)
}

fn same_prop(actual: &PropValue, expected: &PropValue) -> bool {
    match (actual, expected) {
        (PropValue::Bool(actual), PropValue::Bool(expected)) => actual == expected,
        (PropValue::Number(actual), PropValue::Number(expected)) => actual == expected,
        (PropValue::Text(actual), PropValue::Text(expected)) => {
            actual.eq_ignore_ascii_case(expected)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Value;
    use std::collections::HashMap;
    use std::string::ToString;
    use std::vec;

    const BRIEF_MODEL: &str = r#"{
        "rules": [{"id": "pricing", "points": 10, "when": {"type": "pageview", "path": "/pricing*"}, "cap": {"per_day": 1}},
                  {"id": "demo", "points": 40, "when": {"type": "form_submit", "name": "demo-request"}}],
        "fit": [{"id": "enterprise", "points": 15, "rule": {"fact": "trait.company_size", "op": "gte", "value": 250}}],
        "decay": {"after_days": 60, "points": -20},
        "thresholds": {"warm": 30, "hot": 70}
    }"#;

    /// 2025-01-15 00:00:00 UTC.
    const DAY_START: u64 = 1_736_899_200_000;
    const HOUR: u64 = 3_600_000;

    fn model(json: &str) -> ScoringModel {
        serde_json::from_str(json).expect("model parses")
    }

    fn event(
        kind: EventKind,
        name: Option<&'static str>,
        url: &'static str,
        at_ms: u64,
    ) -> ScoredEvent<'static> {
        ScoredEvent { kind, name, url, props: &[], at_ms }
    }

    fn pageview(url: &'static str, at_ms: u64) -> ScoredEvent<'static> {
        event(EventKind::Pageview, None, url, at_ms)
    }

    fn ids(awards: &[Award]) -> Vec<&str> {
        awards.iter().map(|award| award.rule.as_str()).collect()
    }

    fn facts(pairs: &[(&str, Value)]) -> BTreeMap<String, Value> {
        pairs.iter().map(|(name, value)| (name.to_string(), value.clone())).collect()
    }

    #[test]
    fn parses_the_documented_model() {
        let parsed = model(BRIEF_MODEL);
        assert_eq!(parsed.rules.len(), 2);
        assert_eq!(
            parsed.rules[0],
            BehaviourRule {
                id: "pricing".to_string(),
                points: 10,
                matcher: EventMatcher {
                    kind: Some(EventKind::Pageview),
                    path: Some("/pricing*".to_string()),
                    ..EventMatcher::default()
                },
                cap: Some(Cap::PerDay(1)),
            }
        );
        assert_eq!(parsed.rules[1].matcher.kind, Some(EventKind::FormSubmit));
        assert_eq!(parsed.rules[1].matcher.name.as_deref(), Some("demo-request"));
        assert_eq!(parsed.rules[1].cap, None);
        assert_eq!(parsed.fit[0].id, "enterprise");
        assert_eq!(parsed.fit[0].rule.facts(), vec!["trait.company_size"]);
        assert_eq!(parsed.decay, Some(Decay { after_days: 60, points: -20, floor: 0 }));
        assert_eq!(parsed.thresholds, Thresholds { warm: 30, hot: 70 });

        let written = serde_json::to_string(&parsed).expect("serializes");
        assert_eq!(model(&written), parsed, "{written}");
    }

    #[test]
    fn every_part_of_a_model_is_optional() {
        let empty = model("{}");
        assert_eq!(empty, ScoringModel::default());
        assert_eq!(empty.thresholds, Thresholds { warm: 30, hot: 70 });
        let partial = model(
            r#"{"thresholds": {"hot": 50}, "decay": {"after_days": 7, "points": -5, "floor": 10}}"#,
        );
        assert_eq!(partial.thresholds, Thresholds { warm: 30, hot: 50 });
        assert_eq!(partial.decay, Some(Decay { after_days: 7, points: -5, floor: 10 }));
        let ever =
            model(r#"{"rules": [{"id": "x", "points": 1, "when": {}, "cap": {"ever": 3}}]}"#);
        assert_eq!(ever.rules[0].cap, Some(Cap::Ever(3)));
        assert_eq!(ever.rules[0].matcher, EventMatcher::default());
    }

    #[test]
    fn typos_in_a_model_are_refused() {
        for (json, expected) in [
            (r#"{"rule": []}"#, "unknown field `rule`"),
            (r#"{"rules": [{"id": "x", "points": 1, "wen": {}}]}"#, "unknown field `wen`"),
            (
                r#"{"rules": [{"id": "x", "points": 1, "when": {"kind": "click"}}]}"#,
                "unknown field `kind`",
            ),
            (
                r#"{"rules": [{"id": "x", "points": 1, "when": {"type": "tap"}}]}"#,
                "unknown variant `tap`",
            ),
            (
                r#"{"rules": [{"id": "x", "points": 1, "when": {}, "cap": {"daily": 1}}]}"#,
                "unknown field `daily`",
            ),
            (r#"{"rules": [{"id": "x", "points": 1.5, "when": {}}]}"#, "invalid type"),
            (
                r#"{"rules": [{"id": "x", "points": 1, "when": {"props": {"a": [1]}}}]}"#,
                "did not match",
            ),
            (
                r#"{"fit": [{"id": "x", "points": 1, "rule": {"fact": "a", "op": "eq", "valeu": 1}}]}"#,
                "unknown field `valeu`",
            ),
            (r#"{"decay": {"after_days": 1, "points": -1, "flor": 0}}"#, "unknown field `flor`"),
            (r#"{"thresholds": {"warm": 1, "cold": 0}}"#, "unknown field `cold`"),
        ] {
            let error = serde_json::from_str::<ScoringModel>(json).expect_err(json).to_string();
            assert!(error.contains(expected), "{json}: {error}");
        }
    }

    #[test]
    fn matcher_props_are_a_map_in_order() {
        let parsed = model(
            r#"{"rules": [{"id": "plan", "points": 5, "when": {"type": "custom", "name": "signup", "props": {"plan": "Growth", "seats": 10, "annual": true}}}]}"#,
        );
        let matcher = &parsed.rules[0].matcher;
        assert_eq!(
            matcher.props,
            vec![
                ("plan".to_string(), PropValue::Text("Growth".to_string())),
                ("seats".to_string(), PropValue::Number(10.0)),
                ("annual".to_string(), PropValue::Bool(true)),
            ]
        );
        let json = serde_json::to_value(&parsed).expect("serializes");
        assert_eq!(
            json["rules"][0]["when"]["props"],
            serde_json::json!({"plan": "Growth", "seats": 10.0, "annual": true})
        );
        assert_eq!(json["rules"][0]["when"]["type"], "custom");
        assert!(json["rules"][0].get("cap").is_none());
    }

    #[test]
    fn matchers_check_every_given_part() {
        let props = vec![
            ("plan".to_string(), PropValue::Text("GROWTH".to_string())),
            ("seats".to_string(), PropValue::Number(10.0)),
            ("annual".to_string(), PropValue::Bool(true)),
        ];
        let signup = ScoredEvent {
            kind: EventKind::Custom,
            name: Some("Signup"),
            url: "https://shop.test/app/welcome?step=2#top",
            props: &props,
            at_ms: DAY_START,
        };
        let matcher =
            |json: &str| -> EventMatcher { serde_json::from_str(json).expect("matcher parses") };
        for (json, expected) in [
            (r#"{}"#, true),
            (r#"{"type": "custom"}"#, true),
            (r#"{"type": "pageview"}"#, false),
            (r#"{"name": "signup"}"#, true),
            (r#"{"name": "sign"}"#, false),
            (r#"{"path": "/app/*"}"#, true),
            (r#"{"path": "/app/welcome"}"#, true),
            (r#"{"path": "/app"}"#, false),
            (r#"{"path": "*step*"}"#, false),
            (r#"{"url": "https://shop.test/*"}"#, true),
            (r#"{"url": "*step=2*"}"#, true),
            (r#"{"url": "https://other.test/*"}"#, false),
            (r#"{"props": {"plan": "growth"}}"#, true),
            (r#"{"props": {"plan": "growth", "seats": 10, "annual": true}}"#, true),
            (r#"{"props": {"seats": 11}}"#, false),
            (r#"{"props": {"seats": "10"}}"#, false),
            (r#"{"props": {"annual": false}}"#, false),
            (r#"{"props": {"coupon": "x"}}"#, false),
            (
                r#"{"type": "custom", "name": "SIGNUP", "path": "/app/*", "props": {"annual": true}}"#,
                true,
            ),
            (r#"{"type": "custom", "name": "SIGNUP", "path": "/blog/*"}"#, false),
        ] {
            assert_eq!(matcher(json).matches(&signup), expected, "{json}");
        }
        let unnamed = ScoredEvent { name: None, ..signup };
        assert!(!matcher(r#"{"name": "signup"}"#).matches(&unnamed));
    }

    #[test]
    fn scores_the_documented_model() {
        let parsed = model(BRIEF_MODEL);
        let mut usage = CapUsage::default();
        let awards = parsed
            .score_event(&pageview("https://shop.test/pricing?plan=team", DAY_START), &mut usage);
        assert_eq!(
            awards,
            vec![Award { rule: "pricing".to_string(), points: 10, reason: Reason::Behaviour }]
        );
        // Capped at one a day.
        let again = parsed.score_event(
            &pageview("https://shop.test/pricing/teams", DAY_START + HOUR),
            &mut usage,
        );
        assert_eq!(again, vec![]);
        let next_day = parsed.score_event(&pageview("/pricing", DAY_START + DAY_MS), &mut usage);
        assert_eq!(ids(&next_day), vec!["pricing"]);
        assert_eq!(
            usage.get("pricing"),
            RuleUsage { total: 2, day: DAY_START / DAY_MS + 1, on_day: 1 }
        );
        let demo = event(EventKind::FormSubmit, Some("Demo-Request"), "/demo", DAY_START + DAY_MS);
        assert_eq!(parsed.score_event(&demo, &mut usage)[0].points, 40);
        assert_eq!(parsed.score_event(&demo, &mut usage)[0].points, 40, "uncapped");
        assert_eq!(usage.get("demo").total, 2);
        assert_eq!(parsed.score_event(&pageview("/blog", DAY_START), &mut usage), vec![]);

        let json = serde_json::to_value(&usage).expect("serializes");
        let day = DAY_START / DAY_MS + 1;
        assert_eq!(json["pricing"], serde_json::json!({"total": 2, "day": day, "on_day": 1}));
        assert_eq!(serde_json::from_value::<CapUsage>(json).expect("parses"), usage);
    }

    #[test]
    fn one_event_can_pay_several_rules_in_model_order() {
        let parsed = model(
            r#"{"rules": [{"id": "any-page", "points": 1, "when": {"type": "pageview"}},
                          {"id": "blog", "points": 2, "when": {"path": "/blog/*"}},
                          {"id": "never", "points": 100, "when": {"type": "pageview"}, "cap": {"ever": 0}},
                          {"id": "penalty", "points": -3, "when": {"url": "*careers*"}}]}"#,
        );
        let mut usage = CapUsage::default();
        let awards = parsed
            .score_event(&pageview("https://x.test/blog/careers-at-x", DAY_START), &mut usage);
        assert_eq!(ids(&awards), vec!["any-page", "blog", "penalty"]);
        assert_eq!(total(&awards), 0);
        assert_eq!(usage.get("never"), RuleUsage::default());
        assert!(!serde_json::to_string(&usage).expect("serializes").contains("never"));
    }

    #[test]
    fn ever_caps_count_across_days() {
        let parsed = model(
            r#"{"rules": [{"id": "webinar", "points": 5, "when": {"name": "webinar"}, "cap": {"ever": 2}}]}"#,
        );
        let mut usage = CapUsage::default();
        let paid: Vec<usize> = (0..5)
            .map(|day| {
                let webinar =
                    event(EventKind::Custom, Some("webinar"), "/", DAY_START + day * DAY_MS);
                parsed.score_event(&webinar, &mut usage).len()
            })
            .collect();
        assert_eq!(paid, vec![1, 1, 0, 0, 0]);
    }

    #[test]
    fn per_day_caps_refuse_events_older_than_the_latest_day() {
        let parsed =
            model(r#"{"rules": [{"id": "p", "points": 1, "when": {}, "cap": {"per_day": 2}}]}"#);
        let mut usage = CapUsage::default();
        let mut paid = |at_ms| parsed.score_event(&pageview("/", at_ms), &mut usage).len();
        assert_eq!(paid(DAY_START + DAY_MS), 1);
        assert_eq!(paid(DAY_START), 0, "a day earlier than the latest recorded");
        assert_eq!(paid(DAY_START + DAY_MS + HOUR), 1);
        assert_eq!(paid(DAY_START + DAY_MS + 2 * HOUR), 0);
        assert_eq!(paid(DAY_START + 2 * DAY_MS), 1);
        // The epoch's first day works like any other.
        let mut fresh = CapUsage::default();
        assert_eq!(parsed.score_event(&pageview("/", 5), &mut fresh).len(), 1);
        assert_eq!(parsed.score_event(&pageview("/", 6), &mut fresh).len(), 1);
        assert_eq!(parsed.score_event(&pageview("/", 7), &mut fresh).len(), 0);
    }

    #[test]
    fn usage_can_forget_removed_rules() {
        let parsed = model(r#"{"rules": [{"id": "a", "points": 1, "when": {}}]}"#);
        let mut usage = CapUsage::default();
        usage.record("a", 1);
        usage.record("gone", 1);
        usage.retain_rules_of(&parsed);
        assert_eq!(usage.get("a").total, 1);
        assert_eq!(usage.get("gone"), RuleUsage::default());
    }

    #[test]
    fn fit_is_added_and_taken_back() {
        let parsed = model(
            r#"{"fit": [{"id": "enterprise", "points": 15, "rule": {"fact": "trait.company_size", "op": "gte", "value": 250}},
                        {"id": "decision-maker", "points": 10, "rule": {"fact": "trait.role", "op": "in", "value": ["ceo", "cto"]}},
                        {"id": "not-a-student", "points": -30, "rule": {"fact": "trait.email", "op": "ends_with", "value": ".edu"}}]}"#,
        );
        let fit =
            |points, rule: &str| Award { rule: rule.to_string(), points, reason: Reason::Fit };
        let (awards, credited) = parsed.rescore_fit(&facts(&[]), &[]);
        assert_eq!((awards, credited.clone()), (vec![], vec![]));

        let big = facts(&[
            ("trait.company_size", Value::Number(500.0)),
            ("trait.role", Value::from("CTO")),
        ]);
        let (awards, credited) = parsed.rescore_fit(&big, &credited);
        assert_eq!(awards, vec![fit(15, "enterprise"), fit(10, "decision-maker")]);
        assert_eq!(credited, vec!["enterprise".to_string(), "decision-maker".to_string()]);

        // Nothing changed: nothing to award.
        let (awards, same) = parsed.rescore_fit(&big, &credited);
        assert_eq!((awards, &same), (vec![], &credited));

        // The company shrank and the email turned out academic.
        let small = facts(&[
            ("trait.company_size", Value::Number(20.0)),
            ("trait.role", Value::from("cto")),
            ("trait.email", Value::from("a@uni.EDU")),
        ]);
        let (awards, credited) = parsed.rescore_fit(&small, &credited);
        assert_eq!(awards, vec![fit(-15, "enterprise"), fit(-30, "not-a-student")]);
        assert_eq!(credited, vec!["decision-maker".to_string(), "not-a-student".to_string()]);
        let (awards, credited) = parsed.rescore_fit(&facts(&[]), &credited);
        assert_eq!(awards, vec![fit(-10, "decision-maker"), fit(30, "not-a-student")]);
        assert!(credited.is_empty());
    }

    #[test]
    fn fit_drops_credits_for_rules_no_longer_in_the_model() {
        let parsed = model(r#"{"fit": [{"id": "a", "points": 5, "rule": {"all": []}}]}"#);
        let (awards, credited) =
            parsed.rescore_fit(&facts(&[]), &["gone".to_string(), "a".to_string()]);
        assert_eq!(awards, vec![]);
        assert_eq!(credited, vec!["a".to_string()]);
    }

    #[test]
    fn temperature_uses_inclusive_thresholds() {
        let thresholds = Thresholds::default();
        for (score, expected) in [
            (i32::MIN, Temperature::Cold),
            (-5, Temperature::Cold),
            (29, Temperature::Cold),
            (30, Temperature::Warm),
            (69, Temperature::Warm),
            (70, Temperature::Hot),
            (i32::MAX, Temperature::Hot),
        ] {
            assert_eq!(temperature(score, &thresholds), expected, "{score}");
        }
        // Hot wins when the thresholds overlap.
        assert_eq!(temperature(10, &Thresholds { warm: 20, hot: 10 }), Temperature::Hot);
        for (temperature, name) in
            [(Temperature::Cold, "cold"), (Temperature::Warm, "warm"), (Temperature::Hot, "hot")]
        {
            assert_eq!(temperature.as_str(), name);
            assert_eq!(serde_json::to_value(temperature).expect("serializes"), name);
        }
        for (reason, name) in
            [(Reason::Behaviour, "behaviour"), (Reason::Fit, "fit"), (Reason::Decay, "decay")]
        {
            assert_eq!(reason.as_str(), name);
            assert_eq!(serde_json::to_value(reason).expect("serializes"), name);
        }
    }

    fn decaying(floor: i32) -> ScoringModel {
        ScoringModel {
            decay: Some(Decay { after_days: 60, points: -20, floor }),
            ..ScoringModel::default()
        }
    }

    fn decay_points(awards: &[Award]) -> Vec<i32> {
        assert!(
            awards.iter().all(|award| award.rule == DECAY_RULE && award.reason == Reason::Decay)
        );
        awards.iter().map(|award| award.points).collect()
    }

    #[test]
    fn decay_applies_once_per_full_period() {
        let model = decaying(0);
        let active = DAY_START;
        assert_eq!(model.decay_due(100, active, 0, active + 60 * DAY_MS - 1), vec![]);
        assert_eq!(decay_points(&model.decay_due(100, active, 0, active + 60 * DAY_MS)), vec![-20]);
        assert_eq!(
            decay_points(&model.decay_due(100, active, 0, active + 179 * DAY_MS)),
            vec![-20, -20]
        );
        assert_eq!(
            decay_points(&model.decay_due(100, active, 0, active + 180 * DAY_MS)),
            vec![-20, -20, -20]
        );
        assert_eq!(
            model.decay_due(100, active, 0, active - DAY_MS),
            vec![],
            "clock before activity"
        );
    }

    #[test]
    fn decay_stops_at_the_floor() {
        let active = DAY_START;
        let years_later = active + 10 * 365 * DAY_MS;
        assert_eq!(
            decay_points(&decaying(0).decay_due(45, active, 0, years_later)),
            vec![-20, -20, -5]
        );
        assert_eq!(
            decay_points(&decaying(10).decay_due(45, active, 0, years_later)),
            vec![-20, -15]
        );
        assert_eq!(decaying(10).decay_due(10, active, 0, years_later), vec![], "at the floor");
        assert_eq!(decaying(0).decay_due(-40, active, 0, years_later), vec![], "below the floor");
        assert_eq!(
            decay_points(&decaying(-30).decay_due(0, active, 0, years_later)),
            vec![-20, -10]
        );
        let extreme = decaying(i32::MIN).decay_due(i32::MAX, 0, 0, 2 * 60 * DAY_MS);
        assert_eq!(decay_points(&extreme), vec![-20, -20]);
    }

    #[test]
    fn activity_and_earlier_decay_reset_the_clock() {
        let model = decaying(0);
        let start = DAY_START;
        // Decayed at day 60; a day 100 check is only 40 days later.
        assert_eq!(model.decay_due(100, start, start + 60 * DAY_MS, start + 100 * DAY_MS), vec![]);
        assert_eq!(model.decay_due(100, start, start + 60 * DAY_MS, start + 120 * DAY_MS).len(), 1);
        // Active again at day 90: nothing until day 150.
        let active_again = start + 90 * DAY_MS;
        assert_eq!(
            model.decay_due(100, active_again, start + 60 * DAY_MS, start + 149 * DAY_MS),
            vec![]
        );
        assert_eq!(
            model.decay_due(100, active_again, start + 60 * DAY_MS, start + 150 * DAY_MS).len(),
            1
        );
    }

    #[test]
    fn decayed_through_keeps_part_periods() {
        let model = decaying(0);
        let start = DAY_START;
        assert_eq!(model.decayed_through(start, 0, start + 59 * DAY_MS), None);
        assert_eq!(
            model.decayed_through(start, 0, start + 100 * DAY_MS),
            Some(start + 60 * DAY_MS)
        );
        assert_eq!(
            model.decayed_through(start, 0, start + 130 * DAY_MS),
            Some(start + 120 * DAY_MS)
        );
        // Storing it makes the next due date the end of the next full period.
        let stored = start + 60 * DAY_MS;
        assert_eq!(model.decay_due(100, start, stored, start + 119 * DAY_MS), vec![]);
        assert_eq!(model.decay_due(100, start, stored, start + 120 * DAY_MS).len(), 1);
        assert_eq!(ScoringModel::default().decayed_through(0, 0, u64::MAX), None);
    }

    #[test]
    fn no_decay_without_a_usable_configuration() {
        let far = DAY_START + 1000 * DAY_MS;
        assert_eq!(ScoringModel::default().decay_due(100, DAY_START, 0, far), vec![]);
        for decay in [
            Decay { after_days: 0, points: -20, floor: 0 },
            Decay { after_days: 30, points: 0, floor: 0 },
            Decay { after_days: 30, points: 5, floor: 0 },
        ] {
            let model = ScoringModel { decay: Some(decay), ..ScoringModel::default() };
            assert_eq!(model.decay_due(100, DAY_START, 0, far), vec![], "{decay:?}");
            assert_eq!(model.decayed_through(DAY_START, 0, far), None, "{decay:?}");
        }
    }

    #[test]
    fn path_of_cases() {
        for (url, expected) in [
            ("https://a.com/blog/x?y#z", "/blog/x"),
            ("https://a.com", "/"),
            ("https://a.com/", "/"),
            ("https://a.com?x=1", "/"),
            ("https://a.com#top", "/"),
            ("http://user@a.com:8080/p/q/", "/p/q/"),
            ("HTTPS://A.COM/Case", "/Case"),
            ("//cdn.a.com/x.js?v=1", "/x.js"),
            ("/pricing?plan=team", "/pricing"),
            ("/blog#comments", "/blog"),
            ("/redirect?to=https://b.com/x", "/redirect"),
            ("", "/"),
            ("?q=1", "/"),
            ("relative/path", "relative/path"),
        ] {
            assert_eq!(path_of(url), expected, "{url}");
        }
    }

    #[test]
    fn from_wire_borrows_the_event() {
        let wire = ClientEvent {
            id: "e".to_string(),
            kind: EventKind::Click,
            session: "s".to_string(),
            url: "https://a.test/x".to_string(),
            title: None,
            referrer: None,
            name: Some("cta".to_string()),
            target: None,
            value: None,
            props: vec![("k".to_string(), PropValue::Bool(true))],
            ts: 1,
        };
        let scored = ScoredEvent::from_wire(&wire, 99);
        assert_eq!(scored.kind, EventKind::Click);
        assert_eq!(scored.name, Some("cta"));
        assert_eq!(scored.url, "https://a.test/x");
        assert_eq!(scored.props.len(), 1);
        assert_eq!(scored.at_ms, 99);
    }

    /// A small seeded xorshift64* generator: reproducible cases, no dependency.
    struct Rng(u64);

    impl Rng {
        fn new(seed: u64) -> Self {
            Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
        }

        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }

        fn below(&mut self, bound: u64) -> u64 {
            self.next() % bound
        }

        fn pick<T: Copy>(&mut self, items: &[T]) -> T {
            items[self.below(items.len() as u64) as usize]
        }

        fn chance(&mut self, percent: u64) -> bool {
            self.below(100) < percent
        }
    }

    const KINDS: [EventKind; 5] = [
        EventKind::Pageview,
        EventKind::Click,
        EventKind::FormSubmit,
        EventKind::Custom,
        EventKind::Identify,
    ];
    const NAMES: [&str; 4] = ["demo-request", "signup", "Webinar", "cta"];
    const URLS: [&str; 6] = [
        "https://shop.test/",
        "https://shop.test/pricing",
        "https://shop.test/pricing/teams?x=1",
        "https://shop.test/blog/rust",
        "/blog/wasm#top",
        "https://shop.test/docs/start",
    ];
    const PATHS: [&str; 5] = ["/pricing*", "/blog/*", "/*", "/docs/start", "*s*"];

    fn random_model(rng: &mut Rng) -> ScoringModel {
        let rules = (0..1 + rng.below(6))
            .map(|index| BehaviourRule {
                id: std::format!("r{index}"),
                points: rng.below(41) as i32 - 10,
                matcher: EventMatcher {
                    kind: rng.chance(60).then(|| rng.pick(&KINDS)),
                    name: rng.chance(30).then(|| rng.pick(&NAMES).to_ascii_uppercase()),
                    path: rng.chance(40).then(|| rng.pick(&PATHS).to_string()),
                    url: rng.chance(10).then(|| "https://shop.test/*".to_string()),
                    props: Vec::new(),
                },
                cap: match rng.below(3) {
                    0 => None,
                    1 => Some(Cap::PerDay(rng.below(3) as u32)),
                    _ => Some(Cap::Ever(rng.below(5) as u32)),
                },
            })
            .collect();
        ScoringModel { rules, ..ScoringModel::default() }
    }

    struct Generated {
        kind: EventKind,
        name: Option<&'static str>,
        url: &'static str,
        at_ms: u64,
    }

    impl Generated {
        fn scored(&self) -> ScoredEvent<'_> {
            ScoredEvent {
                kind: self.kind,
                name: self.name,
                url: self.url,
                props: &[],
                at_ms: self.at_ms,
            }
        }
    }

    fn random_stream(rng: &mut Rng, in_time_order: bool) -> Vec<Generated> {
        let mut at_ms = DAY_START;
        (0..rng.below(80))
            .map(|_| {
                at_ms = if in_time_order {
                    at_ms + rng.below(DAY_MS / 2)
                } else {
                    DAY_START + rng.below(5 * DAY_MS)
                };
                Generated {
                    kind: rng.pick(&KINDS),
                    name: rng.chance(60).then(|| rng.pick(&NAMES)),
                    url: rng.pick(&URLS),
                    at_ms,
                }
            })
            .collect()
    }

    /// Caps checked the naive way, with a count per (rule, day) and per rule: valid
    /// for streams in time order.
    fn reference_awards(model: &ScoringModel, stream: &[Generated]) -> Vec<Vec<Award>> {
        let mut per_day: HashMap<(String, u64), u32> = HashMap::new();
        let mut ever: HashMap<String, u32> = HashMap::new();
        stream
            .iter()
            .map(|generated| {
                let day = generated.at_ms / DAY_MS;
                let mut awards = Vec::new();
                for rule in &model.rules {
                    if !rule.matcher.matches(&generated.scored()) {
                        continue;
                    }
                    let today = per_day.entry((rule.id.clone(), day)).or_default();
                    let total = ever.entry(rule.id.clone()).or_default();
                    let allowed = match rule.cap {
                        None => true,
                        Some(Cap::PerDay(limit)) => *today < limit,
                        Some(Cap::Ever(limit)) => *total < limit,
                    };
                    if allowed {
                        *today += 1;
                        *total += 1;
                        awards.push(Award {
                            rule: rule.id.clone(),
                            points: rule.points,
                            reason: Reason::Behaviour,
                        });
                    }
                }
                awards
            })
            .collect()
    }

    #[test]
    fn generated_streams_score_the_same_incrementally_and_never_exceed_caps() {
        let (mut paid, mut refused) = (0, 0);
        for case in 0..200u64 {
            let mut rng = Rng::new(case + 1);
            let model = random_model(&mut rng);
            let in_time_order = case % 4 != 0;
            let stream = random_stream(&mut rng, in_time_order);

            // One pass, one usage.
            let mut usage = CapUsage::default();
            let one_pass: Vec<Vec<Award>> = stream
                .iter()
                .map(|generated| model.score_event(&generated.scored(), &mut usage))
                .collect();

            // Event by event, the usage stored as JSON and read back between events,
            // the way the collector keeps it per profile.
            let mut stored = serde_json::to_string(&CapUsage::default()).expect("serializes");
            let mut incremental = Vec::new();
            for generated in &stream {
                let mut usage: CapUsage = serde_json::from_str(&stored).expect("parses");
                incremental.push(model.score_event(&generated.scored(), &mut usage));
                stored = serde_json::to_string(&usage).expect("serializes");
            }
            assert_eq!(incremental, one_pass, "case {case}");
            assert_eq!(
                serde_json::from_str::<CapUsage>(&stored).expect("parses"),
                usage,
                "case {case}"
            );
            let sum = |lists: &[Vec<Award>]| lists.iter().map(|awards| total(awards)).sum::<i32>();
            assert_eq!(sum(&incremental), sum(&one_pass), "case {case}");

            // Caps are never exceeded, whatever the order.
            let mut per_day: HashMap<(&str, u64), u32> = HashMap::new();
            let mut ever: HashMap<&str, u32> = HashMap::new();
            for (generated, awards) in stream.iter().zip(&one_pass) {
                for award in awards {
                    *per_day.entry((&award.rule, generated.at_ms / DAY_MS)).or_default() += 1;
                    *ever.entry(&award.rule).or_default() += 1;
                }
            }
            for rule in &model.rules {
                match rule.cap {
                    Some(Cap::PerDay(limit)) => {
                        for ((id, day), count) in &per_day {
                            assert!(
                                *id != rule.id || *count <= limit,
                                "case {case}: {id} day {day}"
                            );
                        }
                    }
                    Some(Cap::Ever(limit)) => {
                        assert!(
                            ever.get(rule.id.as_str()).copied().unwrap_or(0) <= limit,
                            "case {case}"
                        );
                    }
                    None => {}
                }
                assert_eq!(
                    usage.get(&rule.id).total,
                    ever.get(rule.id.as_str()).copied().unwrap_or(0)
                );
            }

            // In time order, nothing is refused that the naive count would allow.
            if in_time_order {
                assert_eq!(one_pass, reference_awards(&model, &stream), "case {case}");
            }

            for (generated, awards) in stream.iter().zip(&one_pass) {
                let matching =
                    model.rules.iter().filter(|rule| rule.matcher.matches(&generated.scored()));
                refused += matching.count() - awards.len();
                paid += awards.len();
            }
        }
        // The generator exercises both sides of the caps.
        assert!(paid > 1000 && refused > 1000, "paid {paid}, refused {refused}");
    }
}
