//! Blocks as the collector serves them: compiled from the configuration once, with
//! every variant's content rendered and sanitized, links checked, the audience rule
//! validated against the facts it may read and the schedule parsed, so deciding never
//! touches raw configuration.

use kindling_core::blocks::{Caps, CatalogItem, Layout, Placement, Trigger};
use kindling_core::limits::MAX_TEXT_LEN;
use kindling_core::rules::Rule;
use kindling_core::wire::{BlockContent, Cta, CtaAction, Image};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::config::blocks::{BlockConfig, CtaConfig, GoalConfig, VariantConfig};
use crate::config::error::ConfigError;
use crate::content;
use crate::personalize::facts::AUDIENCE_FACTS;

/// Calls to action a variant may have.
pub const MAX_CTAS: usize = 2;
/// Items a recommendation block may list.
pub const MAX_RECOMMENDATIONS: usize = 10;

/// A block ready to decide on.
#[derive(Debug, Clone)]
pub struct Block {
    pub id: String,
    pub name: String,
    pub placement: Placement,
    pub layout: Layout,
    /// The slot of an inline block; empty for overlays.
    pub slot: String,
    pub priority: i32,
    pub audience: Option<Rule>,
    /// Shown only when a workflow asks for it (`show_block`).
    pub workflow_only: bool,
    pub trigger: Trigger,
    pub policy: BlockPolicy,
    /// Shown from (inclusive) and until (exclusive), Unix milliseconds.
    pub start_ms: Option<i64>,
    pub end_ms: Option<i64>,
    /// For recommendation blocks: how many catalogue items to list.
    pub recommend: Option<usize>,
    pub variants: Vec<Variant>,
    /// The variants' weights, in order, for [`kindling_core::blocks::variant_index`].
    pub weights: Vec<u32>,
}

/// What the profile engine needs of a block: its caps and its goal.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockPolicy {
    pub id: String,
    pub caps: Caps,
    pub goal: Option<Goal>,
}

/// What counts as a block's conversion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Goal {
    /// A click on one of the block's calls to action.
    Click,
    /// A submission of this form.
    Form(String),
    /// A custom event of this name.
    Event(String),
}

/// One variant, in wire form.
#[derive(Debug, Clone)]
pub struct Variant {
    pub id: String,
    pub content: BlockContent,
}

impl Block {
    /// Whether the schedule allows the block at `now_ms`.
    pub fn scheduled(&self, now_ms: i64) -> bool {
        self.start_ms.is_none_or(|start| now_ms >= start)
            && self.end_ms.is_none_or(|end| now_ms < end)
    }

    /// Checks and compiles one configured block; `path` locates it in the file.
    pub fn compile(
        config: &BlockConfig,
        catalog: &[CatalogItem],
        path: &str,
    ) -> Result<Block, ConfigError> {
        check_id(&config.id, &format!("{path}.id"))?;
        let slot = match (config.placement, &config.slot) {
            (Placement::Inline, Some(slot)) if !slot.is_empty() && slot.len() <= MAX_TEXT_LEN => {
                slot.clone()
            }
            (Placement::Inline, _) => {
                return Err(ConfigError::at(
                    format!("{path}.slot"),
                    "an inline block needs a slot",
                ));
            }
            (_, Some(_)) => {
                return Err(ConfigError::at(
                    format!("{path}.slot"),
                    "only inline blocks go into a slot",
                ));
            }
            (_, None) => String::new(),
        };
        if let Some(rule) = &config.audience {
            rule.validate(&AUDIENCE_FACTS).map_err(|error| {
                ConfigError::at(
                    format!("{path}.audience"),
                    format!("{}: {}", error.message(), error.fact()),
                )
            })?;
        }
        if let Trigger::Click { selector } = &config.trigger
            && (selector.trim().is_empty() || selector.len() > MAX_TEXT_LEN)
        {
            return Err(ConfigError::at(
                format!("{path}.trigger.selector"),
                "needs a CSS selector",
            ));
        }
        if config.placement == Placement::Inline && config.trigger != Trigger::Immediate {
            return Err(ConfigError::at(
                format!("{path}.trigger"),
                "inline blocks show at once; triggers are for overlays",
            ));
        }
        let start_ms = config
            .schedule
            .start
            .as_deref()
            .map(|at| parse_time(at, &format!("{path}.schedule.start")))
            .transpose()?;
        let end_ms = config
            .schedule
            .end
            .as_deref()
            .map(|at| parse_time(at, &format!("{path}.schedule.end")))
            .transpose()?;
        if let (Some(start), Some(end)) = (start_ms, end_ms)
            && end <= start
        {
            return Err(ConfigError::at(format!("{path}.schedule.end"), "must be after the start"));
        }
        let goal = config
            .goal
            .as_ref()
            .map(|goal| compile_goal(goal, &format!("{path}.goal")))
            .transpose()?;
        let recommend = match &config.recommend {
            Some(recommend) if recommend.limit == 0 || recommend.limit > MAX_RECOMMENDATIONS => {
                return Err(ConfigError::at(format!("{path}.recommend.limit"), "use 1 to 10"));
            }
            Some(_) if catalog.is_empty() => {
                return Err(ConfigError::at(
                    format!("{path}.recommend"),
                    "the site has no catalog to recommend from",
                ));
            }
            Some(recommend) => Some(recommend.limit),
            None => None,
        };
        if config.variants.is_empty() {
            return Err(ConfigError::at(format!("{path}.variants"), "needs a variant"));
        }
        let mut variants: Vec<Variant> = Vec::with_capacity(config.variants.len());
        for (index, variant) in config.variants.iter().enumerate() {
            let variant_path = format!("{path}.variants[{index}]");
            let compiled = compile_variant(variant, &variant_path)?;
            if variants.iter().any(|other| other.id == compiled.id) {
                return Err(ConfigError::at(format!("{variant_path}.id"), "duplicate variant id"));
            }
            variants.push(compiled);
        }
        let weights: Vec<u32> = config.variants.iter().map(|variant| variant.weight).collect();
        if weights.iter().all(|&weight| weight == 0) {
            return Err(ConfigError::at(
                format!("{path}.variants"),
                "at least one variant needs a weight above 0",
            ));
        }
        Ok(Block {
            id: config.id.clone(),
            name: config.name.clone().unwrap_or_else(|| config.id.clone()),
            placement: config.placement,
            layout: config.layout,
            slot,
            priority: config.priority,
            audience: config.audience.clone(),
            workflow_only: config.workflow_only,
            trigger: config.trigger.clone(),
            policy: BlockPolicy { id: config.id.clone(), caps: config.caps, goal },
            start_ms,
            end_ms,
            recommend,
            variants,
            weights,
        })
    }
}

fn compile_variant(variant: &VariantConfig, path: &str) -> Result<Variant, ConfigError> {
    check_id(&variant.id, &format!("{path}.id"))?;
    if variant.headline.trim().is_empty() || variant.headline.len() > MAX_TEXT_LEN {
        return Err(ConfigError::at(
            format!("{path}.headline"),
            "needs a headline of at most 512 bytes",
        ));
    }
    if variant.ctas.len() > MAX_CTAS {
        return Err(ConfigError::at(format!("{path}.ctas"), "at most two calls to action"));
    }
    let ctas = variant
        .ctas
        .iter()
        .enumerate()
        .map(|(index, cta)| compile_cta(cta, &format!("{path}.ctas[{index}]")))
        .collect::<Result<Vec<_>, _>>()?;
    let image = match &variant.image {
        Some(image) if !content::is_safe_link(&image.url) => {
            return Err(ConfigError::at(format!("{path}.image.url"), content::LINK_HELP));
        }
        Some(image) => Some(Image { url: image.url.clone(), alt: image.alt.clone() }),
        None => None,
    };
    Ok(Variant {
        id: variant.id.clone(),
        content: BlockContent {
            headline: variant.headline.clone(),
            body_html: content::render_body(&variant.body),
            image,
            ctas,
            items: Vec::new(),
        },
    })
}

fn compile_cta(cta: &CtaConfig, path: &str) -> Result<Cta, ConfigError> {
    if cta.label.trim().is_empty() || cta.label.len() > MAX_TEXT_LEN {
        return Err(ConfigError::at(format!("{path}.label"), "needs a label"));
    }
    let (action, target) = match (&cta.url, &cta.form, cta.dismiss) {
        (Some(url), None, false) if content::is_safe_link(url) => (CtaAction::Link, url.clone()),
        (Some(_), None, false) => {
            return Err(ConfigError::at(format!("{path}.url"), content::LINK_HELP));
        }
        (None, Some(form), false) => {
            check_id(form, &format!("{path}.form"))?;
            (CtaAction::Form, form.clone())
        }
        (None, None, true) => (CtaAction::Dismiss, String::new()),
        _ => return Err(ConfigError::at(path, "give exactly one of url, form or dismiss: true")),
    };
    Ok(Cta { label: cta.label.clone(), action, target })
}

fn compile_goal(goal: &GoalConfig, path: &str) -> Result<Goal, ConfigError> {
    match (goal.click, &goal.form, &goal.event) {
        (true, None, None) => Ok(Goal::Click),
        (false, Some(form), None) => {
            check_id(form, &format!("{path}.form"))?;
            Ok(Goal::Form(form.clone()))
        }
        (false, None, Some(event)) if !event.is_empty() && event.len() <= MAX_TEXT_LEN => {
            Ok(Goal::Event(event.clone()))
        }
        _ => Err(ConfigError::at(path, "give exactly one of click: true, form or event")),
    }
}

fn parse_time(text: &str, path: &str) -> Result<i64, ConfigError> {
    let at = OffsetDateTime::parse(text, &Rfc3339).map_err(|_| {
        ConfigError::at(path, "expected an RFC 3339 time such as 2026-12-01T00:00:00Z")
    })?;
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000)
        .map_err(|_| ConfigError::at(path, "out of range"))
}

/// Block, variant and form ids: 1–64 characters of `[A-Za-z0-9_-]`.
pub fn check_id(id: &str, path: &str) -> Result<(), ConfigError> {
    let valid = !id.is_empty()
        && id.len() <= 64
        && id.bytes().all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-'));
    if valid {
        Ok(())
    } else {
        Err(ConfigError::at(path, "use 1-64 characters: letters, digits, _ or -"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ConfigFile;

    fn compile(blocks_yaml: &str) -> Result<Vec<Block>, ConfigError> {
        let yaml = format!(
            "sites:\n  - key: pk_t\n    name: T\n    origins: ['*']\n    catalog:\n      - {{ title: Intro, url: /blog/intro, topic: blog, stage: awareness }}\n    forms:\n      - {{ id: ebook, fields: [ {{ name: email, kind: email, label: Email }} ] }}\n    blocks:\n{blocks_yaml}"
        );
        let catalog = ConfigFile::from_yaml(&yaml)?.compile()?;
        Ok(catalog.site("pk_t").expect("site").blocks.clone())
    }

    #[test]
    fn a_full_block_compiles() {
        let blocks = compile(
            r#"      - id: exit-offer
        placement: modal
        priority: 5
        audience: { all: [ { fact: page.path, op: matches, value: "/pricing*" }, { fact: returning, op: eq, value: true } ] }
        trigger: { on: exit_intent }
        caps: { per_session: 1, dismiss_days: 7 }
        schedule: { start: "2026-11-01T00:00:00Z", end: "2026-12-01T00:00:00+01:00" }
        goal: { form: demo-request }
        variants:
          - id: a
            weight: 3
            headline: Before you go
            body: "**Free** guide <script>alert(1)</script>"
            image: { url: /img/guide.png, alt: The guide }
            ctas: [ { label: Get it, form: ebook }, { label: No thanks, dismiss: true } ]
          - { id: b, headline: Wait }
"#,
        )
        .expect("compiles");
        let block = &blocks[0];
        assert_eq!(block.placement, Placement::Modal);
        assert_eq!(block.slot, "");
        assert_eq!(block.weights, vec![3, 1]);
        assert_eq!(block.policy.goal, Some(Goal::Form("demo-request".into())));
        assert_eq!(block.start_ms, Some(1_793_491_200_000));
        assert_eq!(block.end_ms, Some(1_796_079_600_000));
        assert!(block.scheduled(1_793_491_200_000));
        assert!(!block.scheduled(1_793_491_199_999));
        assert!(!block.scheduled(1_796_079_600_000));
        let content = &block.variants[0].content;
        assert!(!content.body_html.contains("script"), "{}", content.body_html);
        assert_eq!(content.ctas[0].action, CtaAction::Form);
        assert_eq!(content.ctas[1].action, CtaAction::Dismiss);
    }

    #[test]
    fn mistakes_are_named_by_path() {
        let cases = [
            ("      - { id: x, variants: [ { id: a, headline: H } ] }\n", "blocks[0].slot"),
            (
                "      - { id: x, placement: modal, slot: hero, variants: [ { id: a, headline: H } ] }\n",
                "blocks[0].slot",
            ),
            (
                "      - { id: x, slot: hero, trigger: { on: delay, seconds: 3 }, variants: [ { id: a, headline: H } ] }\n",
                "blocks[0].trigger",
            ),
            (
                "      - { id: x, slot: hero, audience: { fact: shoe_size, op: gt, value: 3 }, variants: [ { id: a, headline: H } ] }\n",
                "blocks[0].audience",
            ),
            (
                "      - { id: x, slot: hero, schedule: { start: tomorrow }, variants: [ { id: a, headline: H } ] }\n",
                "blocks[0].schedule.start",
            ),
            (
                "      - { id: x, slot: hero, schedule: { start: '2026-12-01T00:00:00Z', end: '2026-11-01T00:00:00Z' }, variants: [ { id: a, headline: H } ] }\n",
                "blocks[0].schedule.end",
            ),
            (
                "      - { id: x, slot: hero, goal: { click: true, form: f }, variants: [ { id: a, headline: H } ] }\n",
                "blocks[0].goal",
            ),
            (
                "      - { id: x, slot: hero, variants: [ { id: a, headline: H, ctas: [ { label: L, url: 'javascript:alert(1)' } ] } ] }\n",
                "blocks[0].variants[0].ctas[0].url",
            ),
            (
                "      - { id: x, slot: hero, variants: [ { id: a, headline: H, ctas: [ { label: L, url: /a, dismiss: true } ] } ] }\n",
                "blocks[0].variants[0].ctas[0]",
            ),
            (
                "      - { id: x, slot: hero, variants: [ { id: a, headline: H, ctas: [ { label: A, url: /a }, { label: B, url: /b }, { label: C, url: /c } ] } ] }\n",
                "blocks[0].variants[0].ctas",
            ),
            (
                "      - { id: x, slot: hero, variants: [ { id: a, headline: H }, { id: a, headline: I } ] }\n",
                "blocks[0].variants[1].id",
            ),
            (
                "      - { id: x, slot: hero, variants: [ { id: a, weight: 0, headline: H } ] }\n",
                "blocks[0].variants",
            ),
            (
                "      - { id: x, slot: hero, recommend: { limit: 50 }, variants: [ { id: a, headline: H } ] }\n",
                "blocks[0].recommend.limit",
            ),
            (
                "      - { id: x, slot: hero, variants: [ { id: a, headline: H, image: { url: 'data:x' } } ] }\n",
                "blocks[0].variants[0].image.url",
            ),
        ];
        for (yaml, path) in cases {
            let error = compile(yaml).expect_err(yaml);
            assert_eq!(error.path, format!("sites[0].{path}"), "{yaml}: {error}");
        }
    }
}
