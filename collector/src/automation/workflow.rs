//! Workflow definitions, as written in the configuration and checked when it loads.
//!
//! A workflow has a [`Trigger`], optional `conditions` (a rule over the person's facts,
//! checked when the trigger fires), a [`Reentry`] policy and a list of [`Step`]s:
//! actions, `wait`s and `if` checks. Triggers, steps and re-entry are written as
//! one-key maps (`{temperature: hot}`, `- wait: 2d`, `{cooldown: 7d}`) so the YAML
//! reads like the marketing plan it is.
//!
//! ```yaml
//! workflows:
//!   - id: hot-lead-handoff
//!     trigger: { temperature: hot }
//!     conditions: { fact: known, op: eq, value: true }
//!     steps:
//!       - crm: crm
//!       - notify: { webhook: sales-chat, text: "Hot lead {email}: {score} points" }
//! ```

use kindling_core::rules::Rule;
use kindling_core::scoring::{EventMatcher, Temperature};
use serde::Deserialize;

use crate::config::error::ConfigError;
use crate::profiles::stage::Stage;

/// A length of time written as `30s`, `15m`, `12h`, `2d` or `8w`; kept in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span(pub i64);

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let duration = humantime::parse_duration(&text).map_err(|error| {
            serde::de::Error::custom(format!(
                "{error}: expected a length of time such as 30s, 15m, 12h or 2d"
            ))
        })?;
        let millis = i64::try_from(duration.as_millis())
            .map_err(|_| serde::de::Error::custom("too long a time"))?;
        Ok(Span(millis))
    }
}

/// What starts a workflow for a person.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "TriggerSpec")]
pub enum Trigger {
    /// A stored event matching (type, name, path, url, props).
    Event(EventMatcher),
    /// The lead form with this id submitted.
    Form(String),
    /// The score reaching this many points from below.
    ScoreAbove(i32),
    /// The temperature becoming this.
    Temperature(Temperature),
    /// The lifecycle stage becoming this.
    Stage(Stage),
    SegmentEntered(String),
    SegmentLeft(String),
    /// No activity for this long (found by the scheduler).
    Inactive(Span),
    /// A conversion of the block with this id.
    BlockConverted(String),
}

/// The map form of [`Trigger`]: exactly one member.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct TriggerSpec {
    event: Option<EventMatcher>,
    form: Option<String>,
    score_above: Option<i32>,
    temperature: Option<Temperature>,
    stage: Option<Stage>,
    segment_entered: Option<String>,
    segment_left: Option<String>,
    inactive_for: Option<Span>,
    block_converted: Option<String>,
}

impl TryFrom<TriggerSpec> for Trigger {
    type Error = &'static str;

    fn try_from(spec: TriggerSpec) -> Result<Self, Self::Error> {
        let TriggerSpec {
            event,
            form,
            score_above,
            temperature,
            stage,
            segment_entered,
            segment_left,
            inactive_for,
            block_converted,
        } = spec;
        let mut found = Vec::new();
        found.extend(event.map(Trigger::Event));
        found.extend(form.map(Trigger::Form));
        found.extend(score_above.map(Trigger::ScoreAbove));
        found.extend(temperature.map(Trigger::Temperature));
        found.extend(stage.map(Trigger::Stage));
        found.extend(segment_entered.map(Trigger::SegmentEntered));
        found.extend(segment_left.map(Trigger::SegmentLeft));
        found.extend(inactive_for.map(Trigger::Inactive));
        found.extend(block_converted.map(Trigger::BlockConverted));
        exactly_one(
            found,
            "a trigger has exactly one of event, form, score_above, temperature, stage, \
             segment_entered, segment_left, inactive_for, block_converted",
        )
    }
}

/// The one member a map form gave, or `problem` when it gave none or several.
fn exactly_one<T>(mut found: Vec<T>, problem: &'static str) -> Result<T, &'static str> {
    match (found.pop(), found.is_empty()) {
        (Some(one), true) => Ok(one),
        _ => Err(problem),
    }
}

/// One step of a workflow.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "StepSpec")]
pub enum Step {
    /// Pause the run; the scheduler resumes it.
    Wait(Span),
    /// Go on only while the rule holds on the person; otherwise the run ends.
    If(Rule),
    /// A generic JSON webhook to the endpoint with this id.
    Webhook(String),
    /// The CRM hand-off (profile, score reasons, attribution, timeline) to this endpoint.
    Crm(String),
    /// A short human-readable text for a chat or e-mail service.
    Notify {
        webhook: String,
        text: String,
    },
    SetStage(Stage),
    Tag(String),
    Untag(String),
    /// Points added (or taken, when negative).
    Score(i32),
    /// Show this block on the next page that has a place for it.
    ShowBlock(String),
}

/// A notification: the endpoint and the text, where `{email}`, `{score}`,
/// `{temperature}`, `{stage}`, `{workflow}` and `{trait.NAME}` are filled in.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct NotifySpec {
    webhook: String,
    text: String,
}

/// The map form of [`Step`]: exactly one member.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StepSpec {
    wait: Option<Span>,
    #[serde(rename = "if")]
    check: Option<Rule>,
    webhook: Option<String>,
    crm: Option<String>,
    notify: Option<NotifySpec>,
    set_stage: Option<Stage>,
    tag: Option<String>,
    untag: Option<String>,
    score: Option<i32>,
    show_block: Option<String>,
}

impl TryFrom<StepSpec> for Step {
    type Error = &'static str;

    fn try_from(spec: StepSpec) -> Result<Self, Self::Error> {
        let StepSpec {
            wait,
            check,
            webhook,
            crm,
            notify,
            set_stage,
            tag,
            untag,
            score,
            show_block,
        } = spec;
        let mut found = Vec::new();
        found.extend(wait.map(Step::Wait));
        found.extend(check.map(Step::If));
        found.extend(webhook.map(Step::Webhook));
        found.extend(crm.map(Step::Crm));
        found.extend(notify.map(|n| Step::Notify { webhook: n.webhook, text: n.text }));
        found.extend(set_stage.map(Step::SetStage));
        found.extend(tag.map(Step::Tag));
        found.extend(untag.map(Step::Untag));
        found.extend(score.map(Step::Score));
        found.extend(show_block.map(Step::ShowBlock));
        exactly_one(
            found,
            "a step has exactly one of wait, if, webhook, crm, notify, set_stage, tag, untag, \
             score, show_block",
        )
    }
}

/// When a person may enter a workflow again. Whatever the policy, a person is never in
/// two runs of the same workflow at once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(try_from = "ReentrySpec")]
pub enum Reentry {
    /// Once per person, ever (the default).
    #[default]
    Once,
    /// Every time the trigger fires (an inactivity trigger: once per quiet spell).
    Always,
    /// Again once this long has passed since the last entry.
    Cooldown(Span),
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum ReentrySpec {
    Word(String),
    Cooldown { cooldown: Span },
}

impl TryFrom<ReentrySpec> for Reentry {
    type Error = &'static str;

    fn try_from(spec: ReentrySpec) -> Result<Self, Self::Error> {
        match spec {
            ReentrySpec::Word(word) if word == "once" => Ok(Reentry::Once),
            ReentrySpec::Word(word) if word == "always" => Ok(Reentry::Always),
            ReentrySpec::Cooldown { cooldown } => Ok(Reentry::Cooldown(cooldown)),
            ReentrySpec::Word(_) => Err("re-entry is once, always or {cooldown: 7d}"),
        }
    }
}

/// A workflow as configured.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workflow {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    pub trigger: Trigger,
    /// Checked on the person when the trigger fires; the workflow starts only if true.
    #[serde(default)]
    pub conditions: Option<Rule>,
    #[serde(default)]
    pub reentry: Reentry,
    pub steps: Vec<Step>,
}

/// A webhook endpoint as configured: the secret is given inline or, better, named by
/// the environment variable holding it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    pub id: String,
    pub url: String,
    #[serde(default)]
    pub secret: Option<String>,
    #[serde(default)]
    pub secret_env: Option<String>,
}

/// Most steps in one workflow.
pub const MAX_STEPS: usize = 50;

/// What a site defines that workflows refer to, for [`Workflow::check`].
pub struct Names<'a> {
    pub webhooks: &'a [String],
    pub forms: &'a [&'a str],
    pub blocks: &'a [&'a str],
    pub segments: &'a [&'a str],
    pub facts: &'a [&'a str],
}

impl Workflow {
    /// The inactivity this workflow waits for, if that is its trigger.
    pub fn inactivity(&self) -> Option<Span> {
        match self.trigger {
            Trigger::Inactive(span) => Some(span),
            _ => None,
        }
    }

    /// Whether a step of the workflow hands leads to a CRM.
    pub fn hands_off(&self) -> bool {
        self.steps.iter().any(|step| matches!(step, Step::Crm(_)))
    }

    /// Checks every name the workflow uses; `path` locates it in the configuration.
    pub fn check(&self, names: &Names<'_>, path: &str) -> Result<(), ConfigError> {
        crate::personalize::blocks::check_id(&self.id, &format!("{path}.id"))?;
        if self.steps.is_empty() || self.steps.len() > MAX_STEPS {
            return Err(ConfigError::at(
                format!("{path}.steps"),
                format!("a workflow has 1 to {MAX_STEPS} steps"),
            ));
        }
        let known = |list: &[&str], name: &str| list.contains(&name);
        let trigger_problem = match &self.trigger {
            Trigger::Form(form) if !known(names.forms, form) => {
                Some("no form of this site has this id")
            }
            Trigger::BlockConverted(block) if !known(names.blocks, block) => {
                Some("no block of this site has this id")
            }
            Trigger::SegmentEntered(segment) | Trigger::SegmentLeft(segment)
                if !known(names.segments, segment) =>
            {
                Some("no segment of this site has this id")
            }
            Trigger::Inactive(span) if span.0 < 1_000 => Some("inactivity of at least 1s"),
            _ => None,
        };
        if let Some(problem) = trigger_problem {
            return Err(ConfigError::at(format!("{path}.trigger"), problem));
        }
        if let Some(rule) = &self.conditions {
            rule.validate(names.facts).map_err(|error| {
                ConfigError::at(
                    format!("{path}.conditions"),
                    format!("{}: {}", error.message(), error.fact()),
                )
            })?;
        }
        for (index, step) in self.steps.iter().enumerate() {
            let at = format!("{path}.steps[{index}]");
            let webhook = |id: &str| names.webhooks.iter().any(|known| known == id);
            let problem = match step {
                Step::Webhook(id) | Step::Crm(id) | Step::Notify { webhook: id, .. }
                    if !webhook(id) =>
                {
                    Some("no webhook of this site has this id".to_owned())
                }
                Step::ShowBlock(block) if !known(names.blocks, block) => {
                    Some("no block of this site has this id".to_owned())
                }
                Step::Tag(tag) | Step::Untag(tag) if tag.is_empty() || tag.len() > 64 => {
                    Some("a tag is 1 to 64 bytes".to_owned())
                }
                Step::If(rule) => rule
                    .validate(names.facts)
                    .err()
                    .map(|error| format!("{}: {}", error.message(), error.fact())),
                _ => None,
            };
            if let Some(problem) = problem {
                return Err(ConfigError::at(at, problem));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(yaml: &str) -> Result<Workflow, String> {
        serde_yaml_ng::from_str(yaml).map_err(|error| error.to_string())
    }

    #[test]
    fn triggers_steps_and_reentry_read_as_one_key_maps() {
        let workflow = parse(
            "id: nurture\ntrigger: { form: ebook }\nreentry: { cooldown: 7d }\nsteps:\n  \
             - wait: 2d\n  - if: { fact: score, op: gte, value: 10 }\n  - show_block: banner\n  \
             - notify: { webhook: chat, text: 'Hi {email}' }\n",
        )
        .expect("parses");
        assert_eq!(workflow.trigger, Trigger::Form("ebook".to_owned()));
        assert_eq!(workflow.reentry, Reentry::Cooldown(Span(7 * 86_400_000)));
        assert_eq!(workflow.steps[0], Step::Wait(Span(2 * 86_400_000)));
        assert!(matches!(workflow.steps[1], Step::If(_)));
        assert_eq!(workflow.steps[2], Step::ShowBlock("banner".to_owned()));
        let defaults = parse("id: a\ntrigger: { temperature: hot }\nsteps: [ { crm: crm } ]\n")
            .expect("parses");
        assert_eq!(defaults.reentry, Reentry::Once);
        assert_eq!(defaults.trigger, Trigger::Temperature(Temperature::Hot));
    }

    #[test]
    fn a_trigger_or_step_with_two_members_or_a_bad_time_is_refused() {
        let two = parse("id: a\ntrigger: { form: x, stage: mql }\nsteps: [ { tag: t } ]\n");
        assert!(two.expect_err("refused").contains("exactly one of"));
        let step = parse("id: a\ntrigger: { form: x }\nsteps: [ { tag: t, score: 3 } ]\n");
        assert!(step.expect_err("refused").contains("exactly one of"));
        let time = parse("id: a\ntrigger: { inactive_for: soon }\nsteps: [ { tag: t } ]\n");
        assert!(time.expect_err("refused").contains("30s, 15m"));
        let reentry = parse("id: a\ntrigger: { form: x }\nreentry: twice\nsteps: [ { tag: t } ]\n");
        assert!(reentry.expect_err("refused").contains("once, always"));
    }

    #[test]
    fn every_name_a_workflow_uses_must_exist() {
        let webhooks = ["crm".to_owned()];
        let names = Names {
            webhooks: &webhooks,
            forms: &["ebook"],
            blocks: &["banner"],
            segments: &["hot_leads"],
            facts: &["score", "pages"],
        };
        let check =
            |yaml: &str| parse(yaml).expect("parses").check(&names, "w").map_err(|e| e.to_string());
        assert_eq!(check("id: a\ntrigger: { form: ebook }\nsteps: [ { crm: crm } ]\n"), Ok(()));
        let problems = [
            ("id: a\ntrigger: { form: demo }\nsteps: [ { crm: crm } ]\n", "w.trigger: no form"),
            (
                "id: a\ntrigger: { form: ebook }\nsteps: [ { webhook: erp } ]\n",
                "w.steps[0]: no webhook",
            ),
            (
                "id: a\ntrigger: { form: ebook }\nsteps: [ { show_block: bar } ]\n",
                "w.steps[0]: no block",
            ),
            (
                "id: a\ntrigger: { segment_left: cold }\nsteps: [ { tag: t } ]\n",
                "w.trigger: no segment",
            ),
            (
                "id: a\ntrigger: { form: ebook }\nsteps: [ { if: { fact: scroe, op: gt, value: 1 } } ]\n",
                "w.steps[0]: ",
            ),
            (
                "id: a\ntrigger: { form: ebook }\nconditions: { fact: x, op: exists }\nsteps: [ { tag: t } ]\n",
                "w.conditions: ",
            ),
            (
                "id: a\ntrigger: { form: ebook }\nsteps: []\n",
                "w.steps: a workflow has 1 to 50 steps",
            ),
        ];
        for (yaml, expected) in problems {
            let problem = check(yaml).expect_err(yaml);
            assert!(problem.starts_with(expected), "{problem} for {yaml}");
        }
    }
}
