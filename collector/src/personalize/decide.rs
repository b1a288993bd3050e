//! The blocks one page shows one visitor.
//!
//! Blocks are tried highest priority first, after any block a workflow asked to show
//! (`show_block`), which skips its audience rule until it is seen; a `workflow_only`
//! block shows only then. A block is eligible
//! when its schedule is running, its audience rule holds on the person's and the
//! visit's facts, and its caps allow one more impression. Each slot on the page gets the first eligible
//! inline block for it; each overlay placement (modal, slide-in, top bar, bottom bar)
//! gets the first eligible block of that placement, which the widget shows when its
//! trigger fires. The variant is bucketed on the person's id (a new visitor's person
//! takes the visitor's id, so the first page already sees the final variant).

use std::collections::HashSet;

use kindling_core::blocks::{Placement, funnel_stage_for, recommend, variant_index};
use kindling_core::profile::page_path;
use kindling_core::wire::{Decision, Link};

use crate::personalize::blocks::Block;
use crate::personalize::facts::{Visit, VisitFacts};
use crate::profiles::Person;
use crate::sites::Site;

/// Decides the blocks for `visit`'s page with its `slots`. `person` is the visitor's
/// profile, `None` for a visitor never seen before.
pub fn decide(
    site: &Site,
    person: Option<&Person>,
    visitor: &str,
    visit: &Visit<'_>,
    slots: &[String],
    now_ms: i64,
) -> Vec<Decision> {
    let fresh;
    let person = match person {
        Some(person) => person,
        None => {
            fresh = Person::new(visitor.to_owned(), now_ms);
            &fresh
        }
    };
    let facts = (VisitFacts::new(visit, &person.segments), person.facts(Some(visit.url), now_ms));
    let now_u = u64::try_from(now_ms).unwrap_or(0);
    let mut filled: HashSet<&str> = HashSet::new();
    let mut overlays: HashSet<Placement> = HashSet::new();
    let mut decisions = Vec::new();
    // Blocks a workflow asked to show come first and skip their audience rule.
    let queued = |block: &&Block| person.journeys.show.contains(&block.id);
    let in_order =
        site.blocks.iter().filter(queued).chain(site.blocks.iter().filter(|b| !queued(b)));
    for block in in_order {
        let wanted = match block.placement {
            Placement::Inline => {
                slots.contains(&block.slot) && !filled.contains(block.slot.as_str())
            }
            overlay => !overlays.contains(&overlay),
        };
        if !wanted || !block.scheduled(now_ms) {
            continue;
        }
        if let Some(exposure) = person.exposures.get(&block.id)
            && block.policy.caps.check(exposure, visit.session, now_u).is_err()
        {
            continue;
        }
        let asked_for = person.journeys.show.contains(&block.id);
        if !asked_for
            && (block.workflow_only
                || block.audience.as_ref().is_some_and(|rule| !rule.evaluate(&facts)))
        {
            continue;
        }
        match block.placement {
            Placement::Inline => filled.insert(block.slot.as_str()),
            overlay => overlays.insert(overlay),
        };
        decisions.push(decision(site, block, person, Some(visit.url)));
    }
    decisions
}

/// `block` shown as its variant `variant` at once, whoever the visitor: what a preview
/// draws. `None` when the block has no such variant.
pub fn forced(site: &Site, block: &Block, variant: &str, visitor: &str) -> Option<Decision> {
    let index = block.variants.iter().position(|candidate| candidate.id == variant)?;
    let person = Person::new(visitor.to_owned(), 0);
    let mut decision = decision(site, block, &person, None);
    decision.variant = block.variants[index].id.clone();
    decision.content = block.variants[index].content.clone();
    decision.trigger = kindling_core::blocks::Trigger::Immediate;
    Some(decision)
}

/// `block`'s decision for `person` on `page` (its URL; a recommendation never offers
/// it).
fn decision(site: &Site, block: &Block, person: &Person, page: Option<&str>) -> Decision {
    let variant = &block.variants
        [variant_index(&person.id, &block.id, &block.weights).min(block.variants.len() - 1)];
    let mut content = variant.content.clone();
    if let Some(limit) = block.recommend {
        let stage = funnel_stage_for(person.stage.as_str(), person.temperature.as_str());
        let aggregates = &person.aggregates;
        let current = page.map(page_path);
        content.items =
            recommend(&site.catalog, &aggregates.pages, current, &aggregates.topics, stage, limit)
                .into_iter()
                .map(|index| Link {
                    title: site.catalog[index].title.clone(),
                    url: site.catalog[index].url.clone(),
                })
                .collect();
    }
    Decision {
        slot: block.slot.clone(),
        block: block.id.clone(),
        variant: variant.id.clone(),
        placement: block.placement,
        layout: block.layout,
        trigger: block.trigger.clone(),
        content,
    }
}
