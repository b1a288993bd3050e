//! A person's history with each block: impressions checked against the block's caps
//! (an impression over a cap is refused and not stored), dismissals, and conversions.
//!
//! Conversions are derived here, not sent by the widget: when an event reaches the
//! goal of a block the person has seen and not yet converted on (a click on its call
//! to action, a form submitted, a named event), a `block_conversion` event is made
//! with an id derived from the goal event's, so replaying a history (an identity
//! merge) derives the same event again instead of a second one.

use std::collections::BTreeMap;

use kindling_core::blocks::{CapReached, Exposure};
use kindling_core::wire::EventKind;

use crate::personalize::blocks::Goal;
use crate::profiles::model::ProfileModel;
use crate::store::StoredEvent;

/// Exposures by block id.
pub type Exposures = BTreeMap<String, Exposure>;

/// An event the profile refused: an impression beyond its block's caps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub event_id: String,
    pub visitor: String,
    pub reason: CapReached,
}

/// Notes a block event in `exposures`; an impression the block's caps do not allow is
/// refused and leaves everything unchanged. Events of blocks no longer configured are
/// kept without caps.
pub fn observe(
    exposures: &mut Exposures,
    event: &StoredEvent,
    kind: EventKind,
    model: &ProfileModel,
) -> Result<(), CapReached> {
    let Some(block) = event.name.as_deref() else { return Ok(()) };
    let at_ms = u64::try_from(event.received_ms).unwrap_or(0);
    match kind {
        EventKind::BlockImpression => {
            let exposure = exposures.entry(block.to_owned()).or_default();
            if let Some(policy) = model.blocks.iter().find(|policy| policy.id == block) {
                policy.caps.check(exposure, &event.session, at_ms)?;
            }
            exposure.record_impression(
                event.target.as_deref().unwrap_or(""),
                &event.session,
                at_ms,
            );
        }
        EventKind::BlockDismiss => {
            exposures.entry(block.to_owned()).or_default().record_dismissal(at_ms)
        }
        EventKind::BlockConversion => {
            if let Some(exposure) = exposures.get_mut(block) {
                exposure.converted = true;
            }
        }
        _ => {}
    }
    Ok(())
}

/// The conversions `event` completes: one derived `block_conversion` per block whose
/// goal it reaches, marking those exposures converted.
pub fn conversions(
    exposures: &mut Exposures,
    event: &StoredEvent,
    kind: EventKind,
    model: &ProfileModel,
) -> Vec<StoredEvent> {
    let name = event.name.as_deref().unwrap_or("");
    let mut derived = Vec::new();
    for policy in &model.blocks {
        let reached = match &policy.goal {
            Some(Goal::Click) => kind == EventKind::BlockClick && name == policy.id,
            Some(Goal::Form(form)) => kind == EventKind::FormSubmit && name == form,
            Some(Goal::Event(goal)) => kind == EventKind::Custom && name == goal,
            None => false,
        };
        let Some(exposure) = exposures.get_mut(&policy.id) else { continue };
        if !reached || exposure.converted || exposure.impressions == 0 {
            continue;
        }
        exposure.converted = true;
        derived.push(StoredEvent {
            name: Some(policy.id.clone()),
            target: Some(exposure.variant.clone()),
            device: event.device.clone(),
            bot: event.bot,
            client_offset_ms: event.client_offset_ms,
            ..StoredEvent::new(
                &conversion_id(&event.id, &policy.id),
                &event.site,
                &event.visitor,
                &event.session,
                EventKind::BlockConversion.as_str(),
                &event.url,
                event.received_ms,
            )
        });
    }
    derived
}

/// The id of the conversion of `block` that event `source` completed.
pub fn conversion_id(source: &str, block: &str) -> String {
    format!("{source}/conversion/{block}")
}
