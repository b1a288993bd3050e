//! A block as the block editor's form holds it: every setting as the text of its field,
//! read from a document's block, from a posted form, and written back as the block's
//! YAML value. Checking what the values mean is the configuration validator's job;
//! this only refuses what cannot be written at all (a priority that is not a number).
//!
//! Field names: `id`, `name`, `placement`, `layout`, `slot`, `priority`, `workflow_only`,
//! `trigger.on|seconds|percent|selector`, `caps.per_visitor|per_session|per_day|dismiss_days`,
//! `schedule.start|end`, `goal.kind|target`, `recommend.limit`, the audience builder's
//! rows under `audience` ([`RuleRows`]), and per variant `variants[i].id|weight|headline|
//! body|image.url|image.alt` with its calls to action `variants[i].ctas[j].label|kind|target`.

use serde_yaml_ng::{Mapping, Value};

use crate::editing::fields::{Fields, Problems};
use crate::editing::rule::RuleRows;
use crate::editing::yaml::{keyed, lookup, put, put_text, scalar_text};

/// Calls to action a variant may have.
pub const MAX_CTAS: usize = 2;

/// Variants a block may have in the editor.
pub const MAX_VARIANTS: usize = 10;

/// The block editor's form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlockForm {
    pub id: String,
    pub name: String,
    pub placement: String,
    /// `standard`, `image_beside`, `image_top` or `compact`.
    pub layout: String,
    pub slot: String,
    pub priority: String,
    pub workflow_only: bool,
    pub trigger: TriggerForm,
    pub caps: CapsForm,
    pub schedule_start: String,
    pub schedule_end: String,
    /// `none`, `click`, `form` or `event`.
    pub goal_kind: String,
    /// The form or event of a `form` or `event` goal.
    pub goal_target: String,
    /// Empty unless a recommendation block.
    pub recommend_limit: String,
    pub audience: RuleRows,
    pub variants: Vec<VariantForm>,
}

/// When an overlay appears.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TriggerForm {
    /// `immediate`, `delay`, `scroll`, `exit_intent`, `inactivity` or `click`.
    pub on: String,
    pub seconds: String,
    pub percent: String,
    pub selector: String,
}

/// How often a block may be shown; blank is no limit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CapsForm {
    pub per_visitor: String,
    pub per_session: String,
    pub per_day: String,
    pub dismiss_days: String,
}

/// One variant.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VariantForm {
    pub id: String,
    pub weight: String,
    pub headline: String,
    pub body: String,
    pub image_url: String,
    pub image_alt: String,
    pub ctas: Vec<CtaForm>,
}

/// A call to action: `kind` is `url`, `form` or `dismiss`; `target` the link or form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CtaForm {
    pub label: String,
    pub kind: String,
    pub target: String,
}

/// The caps' fields, with their labels.
pub const CAPS: [(&str, &str); 4] = [
    ("per_visitor", "Times per visitor, ever"),
    ("per_session", "Times per visit"),
    ("per_day", "Times per day"),
    ("dismiss_days", "Days hidden after a dismissal"),
];

impl CapsForm {
    /// The value of cap `name` (one of [`CAPS`]).
    pub fn get(&self, name: &str) -> &str {
        match name {
            "per_visitor" => &self.per_visitor,
            "per_session" => &self.per_session,
            "per_day" => &self.per_day,
            _ => &self.dismiss_days,
        }
    }
}

impl BlockForm {
    /// A new block's form: inline, one variant.
    pub fn new_block() -> BlockForm {
        BlockForm {
            placement: "inline".to_owned(),
            layout: "standard".to_owned(),
            priority: "0".to_owned(),
            trigger: TriggerForm { on: "immediate".to_owned(), ..TriggerForm::default() },
            goal_kind: "click".to_owned(),
            variants: vec![VariantForm::new("a")],
            ..BlockForm::default()
        }
    }

    /// The form of a block as a document holds it.
    pub fn of(block: &Value) -> BlockForm {
        let text = |value: Option<&Value>| value.map(scalar_text).unwrap_or_default();
        let at = |path: &[&str]| text(lookup(block, path));
        let goal = block.get("goal");
        let (goal_kind, goal_target) = match goal {
            None => ("none".to_owned(), String::new()),
            Some(goal) if goal.get("form").is_some() => ("form".to_owned(), text(goal.get("form"))),
            Some(goal) if goal.get("event").is_some() => {
                ("event".to_owned(), text(goal.get("event")))
            }
            Some(_) => ("click".to_owned(), String::new()),
        };
        let variants = block
            .get("variants")
            .and_then(Value::as_sequence)
            .map(|variants| variants.iter().map(VariantForm::of).collect())
            .unwrap_or_default();
        BlockForm {
            id: at(&["id"]),
            name: at(&["name"]),
            placement: block.get("placement").map_or("inline".to_owned(), scalar_text),
            layout: block.get("layout").map_or("standard".to_owned(), scalar_text),
            slot: at(&["slot"]),
            priority: block.get("priority").map_or("0".to_owned(), scalar_text),
            workflow_only: block.get("workflow_only").and_then(Value::as_bool).unwrap_or(false),
            trigger: TriggerForm {
                on: block
                    .get("trigger")
                    .and_then(|trigger| trigger.get("on"))
                    .map_or("immediate".to_owned(), scalar_text),
                seconds: at(&["trigger", "seconds"]),
                percent: at(&["trigger", "percent"]),
                selector: at(&["trigger", "selector"]),
            },
            caps: CapsForm {
                per_visitor: at(&["caps", "per_visitor"]),
                per_session: at(&["caps", "per_session"]),
                per_day: at(&["caps", "per_day"]),
                dismiss_days: at(&["caps", "dismiss_days"]),
            },
            schedule_start: at(&["schedule", "start"]),
            schedule_end: at(&["schedule", "end"]),
            goal_kind,
            goal_target,
            recommend_limit: block
                .get("recommend")
                .map(|recommend| recommend.get("limit").map_or("3".to_owned(), scalar_text))
                .unwrap_or_default(),
            audience: RuleRows::of(block.get("audience")),
            variants,
        }
    }

    /// The form as posted.
    pub fn from_fields(fields: &Fields) -> BlockForm {
        let text = |name: &str| fields.text(name).unwrap_or_default();
        let variants = (0..fields.count("variants", "id").min(MAX_VARIANTS))
            .map(|index| VariantForm::from_fields(fields, index))
            .collect();
        BlockForm {
            id: text("id"),
            name: text("name"),
            placement: text("placement"),
            layout: text("layout"),
            slot: text("slot"),
            priority: text("priority"),
            workflow_only: fields.checked("workflow_only"),
            trigger: TriggerForm {
                on: text("trigger.on"),
                seconds: text("trigger.seconds"),
                percent: text("trigger.percent"),
                selector: text("trigger.selector"),
            },
            caps: CapsForm {
                per_visitor: text("caps.per_visitor"),
                per_session: text("caps.per_session"),
                per_day: text("caps.per_day"),
                dismiss_days: text("caps.dismiss_days"),
            },
            schedule_start: text("schedule.start"),
            schedule_end: text("schedule.end"),
            goal_kind: text("goal.kind"),
            goal_target: text("goal.target"),
            recommend_limit: text("recommend.limit"),
            audience: RuleRows::from_fields(fields, "audience"),
            variants,
        }
    }

    /// The block's document value, or the fields that cannot be written.
    pub fn to_value(&self) -> Result<Value, Problems> {
        let mut problems = Problems::default();
        let mut block = Mapping::new();
        put(&mut block, "id", Value::from(self.id.as_str()));
        put_text(&mut block, "name", &self.name);
        if self.placement != "inline" {
            put(&mut block, "placement", Value::from(self.placement.as_str()));
        }
        if !matches!(self.layout.as_str(), "" | "standard") {
            put(&mut block, "layout", Value::from(self.layout.as_str()));
        }
        put_text(&mut block, "slot", &self.slot);
        if let Some(priority) = integer(&self.priority, "priority", &mut problems, true)
            && priority != 0
        {
            put(&mut block, "priority", Value::from(priority));
        }
        if self.workflow_only {
            put(&mut block, "workflow_only", Value::from(true));
        }
        if let Some(audience) = self.audience.to_value() {
            put(&mut block, "audience", audience);
        }
        if let Some(trigger) = self.trigger.to_value(&mut problems) {
            put(&mut block, "trigger", trigger);
        }
        let mut caps = Mapping::new();
        for (name, _) in CAPS {
            if let Some(cap) =
                integer(self.caps.get(name), &format!("caps.{name}"), &mut problems, false)
            {
                put(&mut caps, name, Value::from(cap));
            }
        }
        if !caps.is_empty() {
            put(&mut block, "caps", Value::Mapping(caps));
        }
        let mut schedule = Mapping::new();
        put_text(&mut schedule, "start", &self.schedule_start);
        put_text(&mut schedule, "end", &self.schedule_end);
        if !schedule.is_empty() {
            put(&mut block, "schedule", Value::Mapping(schedule));
        }
        match self.goal_kind.as_str() {
            "click" => put(&mut block, "goal", keyed("click", Value::from(true))),
            kind @ ("form" | "event") => {
                put(&mut block, "goal", keyed(kind, Value::from(self.goal_target.as_str())));
            }
            _ => {}
        }
        if let Some(limit) = integer(&self.recommend_limit, "recommend.limit", &mut problems, false)
        {
            put(&mut block, "recommend", keyed("limit", Value::from(limit)));
        }
        let variants = self
            .variants
            .iter()
            .enumerate()
            .map(|(index, variant)| variant.to_value(index, &mut problems))
            .collect();
        put(&mut block, "variants", Value::Sequence(variants));
        if problems.is_empty() { Ok(Value::Mapping(block)) } else { Err(problems) }
    }

    /// Applies an editor button (`add-variant`, `remove-variant:1`, `add-cta:0`,
    /// `remove-cta:0:1`, `rule-add-condition:2`, `rule-add-group:0`, `rule-remove:3`);
    /// an unknown action changes nothing.
    pub fn apply(&mut self, action: &str) {
        let (name, args) = action.split_once(':').unwrap_or((action, ""));
        let numbers: Vec<usize> = args.split(':').filter_map(|n| n.parse().ok()).collect();
        match (name, numbers.as_slice()) {
            ("add-variant", []) if self.variants.len() < MAX_VARIANTS => {
                let id = next_variant_id(&self.variants);
                self.variants.push(VariantForm::new(&id));
            }
            ("remove-variant", [index]) if *index < self.variants.len() => {
                self.variants.remove(*index);
            }
            ("add-cta", [index]) => {
                if let Some(variant) = self.variants.get_mut(*index)
                    && variant.ctas.len() < MAX_CTAS
                {
                    variant.ctas.push(CtaForm { kind: "url".to_owned(), ..CtaForm::default() });
                }
            }
            ("remove-cta", [index, cta]) => {
                if let Some(variant) = self.variants.get_mut(*index)
                    && *cta < variant.ctas.len()
                {
                    variant.ctas.remove(*cta);
                }
            }
            ("rule-add-condition", [row]) => self.audience.add_condition(*row),
            ("rule-add-group", [row]) => self.audience.add_group(*row),
            ("rule-remove", [row]) => self.audience.remove(*row),
            _ => {}
        }
    }
}

impl TriggerForm {
    fn to_value(&self, problems: &mut Problems) -> Option<Value> {
        let mut trigger = Mapping::new();
        put(&mut trigger, "on", Value::from(self.on.as_str()));
        match self.on.as_str() {
            "" | "immediate" => return None,
            "delay" | "inactivity" => {
                let seconds = integer(&self.seconds, "trigger.seconds", problems, false);
                put(&mut trigger, "seconds", Value::from(seconds.unwrap_or(0)));
            }
            "scroll" => {
                let percent = integer(&self.percent, "trigger.percent", problems, false);
                put(&mut trigger, "percent", Value::from(percent.unwrap_or(0)));
            }
            "click" => put(&mut trigger, "selector", Value::from(self.selector.as_str())),
            _ => {}
        }
        Some(Value::Mapping(trigger))
    }
}

impl VariantForm {
    fn new(id: &str) -> VariantForm {
        VariantForm { id: id.to_owned(), weight: "1".to_owned(), ..VariantForm::default() }
    }

    fn of(variant: &Value) -> VariantForm {
        let text = |path: &[&str]| lookup(variant, path).map(scalar_text).unwrap_or_default();
        let ctas = variant
            .get("ctas")
            .and_then(Value::as_sequence)
            .map(|ctas| ctas.iter().map(CtaForm::of).collect())
            .unwrap_or_default();
        VariantForm {
            id: text(&["id"]),
            weight: variant.get("weight").map_or("1".to_owned(), scalar_text),
            headline: text(&["headline"]),
            body: text(&["body"]),
            image_url: text(&["image", "url"]),
            image_alt: text(&["image", "alt"]),
            ctas,
        }
    }

    fn from_fields(fields: &Fields, index: usize) -> VariantForm {
        let prefix = format!("variants[{index}]");
        let text = |name: &str| fields.text(&format!("{prefix}.{name}")).unwrap_or_default();
        let ctas = (0..fields.count(&format!("{prefix}.ctas"), "label").min(MAX_CTAS))
            .map(|cta| CtaForm {
                label: text(&format!("ctas[{cta}].label")),
                kind: text(&format!("ctas[{cta}].kind")),
                target: text(&format!("ctas[{cta}].target")),
            })
            .collect();
        VariantForm {
            id: text("id"),
            weight: text("weight"),
            headline: text("headline"),
            body: fields.get(&format!("{prefix}.body")).unwrap_or_default().trim_end().to_owned(),
            image_url: text("image.url"),
            image_alt: text("image.alt"),
            ctas,
        }
    }

    fn to_value(&self, index: usize, problems: &mut Problems) -> Value {
        let prefix = format!("variants[{index}]");
        let mut variant = Mapping::new();
        put(&mut variant, "id", Value::from(self.id.as_str()));
        if let Some(weight) = integer(&self.weight, &format!("{prefix}.weight"), problems, false)
            && weight != 1
        {
            put(&mut variant, "weight", Value::from(weight));
        }
        put(&mut variant, "headline", Value::from(self.headline.as_str()));
        put_text(&mut variant, "body", &self.body);
        if !self.image_url.is_empty() {
            let mut image = Mapping::new();
            put(&mut image, "url", Value::from(self.image_url.as_str()));
            put_text(&mut image, "alt", &self.image_alt);
            put(&mut variant, "image", Value::Mapping(image));
        }
        let ctas: Vec<Value> = self.ctas.iter().map(CtaForm::to_value).collect();
        if !ctas.is_empty() {
            put(&mut variant, "ctas", Value::Sequence(ctas));
        }
        Value::Mapping(variant)
    }
}

impl CtaForm {
    fn of(cta: &Value) -> CtaForm {
        let label = cta.get("label").map(scalar_text).unwrap_or_default();
        let (kind, target) = if let Some(form) = cta.get("form") {
            ("form", scalar_text(form))
        } else if cta.get("dismiss").and_then(Value::as_bool) == Some(true) {
            ("dismiss", String::new())
        } else {
            ("url", cta.get("url").map(scalar_text).unwrap_or_default())
        };
        CtaForm { label, kind: kind.to_owned(), target }
    }

    fn to_value(&self) -> Value {
        let mut cta = Mapping::new();
        put(&mut cta, "label", Value::from(self.label.as_str()));
        match self.kind.as_str() {
            "dismiss" => put(&mut cta, "dismiss", Value::from(true)),
            "form" => put(&mut cta, "form", Value::from(self.target.as_str())),
            _ => put(&mut cta, "url", Value::from(self.target.as_str())),
        }
        Value::Mapping(cta)
    }
}

/// The editor field a validator's path inside a block names (`variants[0].ctas[1].url`
/// is the call to action's target field).
pub fn field_of(path: &str) -> String {
    let path = path.trim_start_matches('.');
    if path.starts_with("goal") {
        return "goal.target".to_owned();
    }
    if path == "trigger" {
        return "trigger.on".to_owned();
    }
    if path == "recommend" {
        return "recommend.limit".to_owned();
    }
    for end in [".url", ".form", ".dismiss"] {
        if let Some(cta) = path.strip_suffix(end)
            && cta.contains(".ctas[")
            && !cta.ends_with(".image")
        {
            return format!("{cta}.target");
        }
    }
    path.to_owned()
}

fn next_variant_id(variants: &[VariantForm]) -> String {
    ('a'..='z')
        .map(String::from)
        .find(|id| variants.iter().all(|variant| &variant.id != id))
        .unwrap_or_else(|| format!("v{}", variants.len() + 1))
}

/// `text` as a whole number (blank: none); a problem at `field` when it is not one.
fn integer(text: &str, field: &str, problems: &mut Problems, signed: bool) -> Option<i64> {
    if text.is_empty() {
        return None;
    }
    match text.parse::<i64>() {
        Ok(number) if signed || number >= 0 => Some(number),
        _ => {
            problems
                .add(field, if signed { "a whole number" } else { "a whole number, 0 or more" });
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLOCK: &str = r#"
id: linkedin-offer
name: LinkedIn offer
placement: slide_in
layout: image_top
priority: 5
audience: { fact: page.utm_source, op: eq, value: linkedin }
trigger: { on: scroll, percent: 40 }
caps: { per_session: 1, dismiss_days: 7 }
schedule: { start: "2026-12-01T00:00:00Z" }
goal: { form: demo-request }
variants:
  - id: a
    weight: 2
    headline: "Hello <b>LinkedIn</b>"
    body: "Line one\n\nLine **two**"
    image: { url: "https://cdn.example/a.png", alt: A team }
    ctas:
      - { label: Book a demo, form: demo-request }
      - { label: No thanks, dismiss: true }
  - id: b
    headline: Other
    ctas: [{ label: Read, url: /blog }]
"#;

    #[test]
    fn a_block_comes_back_as_written() {
        let block: Value = serde_yaml_ng::from_str(BLOCK).expect("yaml");
        let form = BlockForm::of(&block);
        assert_eq!(form.to_value().expect("writable"), block);
    }

    #[test]
    fn buttons_add_and_remove_parts() {
        let mut form = BlockForm::new_block();
        form.apply("add-variant");
        form.apply("add-cta:1");
        form.apply("add-cta:1");
        form.apply("add-cta:1");
        assert_eq!(form.variants[1].id, "b");
        assert_eq!(form.variants[1].ctas.len(), MAX_CTAS);
        form.apply("remove-cta:1:0");
        form.apply("remove-variant:0");
        form.apply("remove-variant:9");
        assert_eq!(form.variants.len(), 1);
        assert_eq!(form.variants[0].ctas.len(), 1);
        form.apply("rule-add-condition:0");
        assert_eq!(form.audience.rows.len(), 2);
    }

    #[test]
    fn numbers_that_are_not_are_named() {
        let mut form = BlockForm::new_block();
        form.priority = "high".into();
        form.caps.per_day = "-1".into();
        form.variants[0].weight = "x".into();
        let problems = form.to_value().expect_err("not writable");
        assert!(problems.at("priority").is_some());
        assert!(problems.at("caps.per_day").is_some());
        assert!(problems.at("variants[0].weight").is_some());
    }

    #[test]
    fn validator_paths_name_editor_fields() {
        assert_eq!(field_of(".variants[0].ctas[1].url"), "variants[0].ctas[1].target");
        assert_eq!(field_of(".variants[0].image.url"), "variants[0].image.url");
        assert_eq!(field_of(".goal"), "goal.target");
        assert_eq!(field_of(".trigger"), "trigger.on");
        assert_eq!(field_of(".slot"), "slot");
    }
}
