//! Device views: what the browser of a visitor is shown when the visitor has not
//! proved to be its person (see `docs/identity.md`).
//!
//! An email typed in a form, or sent by an unsigned `identify`, links the visitor to
//! the person with that email on the server (the events score that person, the lead
//! is handed on), but proves nothing about who typed it. So from the first merge on,
//! each visitor of the merged person that has not proved the identity (by a signature
//! of the site's backend) is given a device view: a person document built from what
//! that device itself sent, before the merge and after it. Its browser is answered,
//! prefilled and personalized from its device view, never from the person's.
//!
//! A device view is a [`Person`] under the id of the person it stands in for, updated
//! by the same profile engine as any person; it starts no workflow and writes no
//! lines (it explains nothing, triggers nothing: the person does).

use std::sync::Arc;

use crate::profiles::document::{decode, row};
use crate::profiles::engine::{Changes, Person};
use crate::profiles::model::ProfileModel;
use crate::profiles::state::ProfileState;
use crate::store::{DeviceView, StoreResult, StoredEvent, WriteTx};

/// A device view standing in for person `person_id`, from what the device has: `own`.
pub fn view_for(own: &Person, person_id: &str) -> Person {
    let mut view = own.clone();
    view.id = person_id.to_owned();
    view
}

/// A device view being updated by one commit.
pub struct Updated {
    pub view: Person,
    pub changes: Changes,
    temperature_before: Option<kindling_core::scoring::Temperature>,
}

impl Updated {
    /// The stored device view `doc`, to be updated.
    pub fn load(doc: &str) -> StoreResult<Updated> {
        let view = decode(doc)?;
        Ok(Updated {
            temperature_before: Some(view.temperature),
            view,
            changes: Changes::default(),
        })
    }

    /// A new device view, as `view` stands.
    pub fn new(view: Person) -> Updated {
        Updated { temperature_before: None, view, changes: Changes::default() }
    }

    /// Applies newly stored events of the device.
    pub fn apply(&mut self, events: &[StoredEvent], model: &ProfileModel, now_ms: i64) {
        let changes = self.view.apply(events, model, now_ms);
        self.changes.extend(changes);
    }

    /// Saves the view as `visitor`'s; returns what the browser is answered.
    pub fn save(
        self,
        tx: &mut dyn WriteTx,
        site: &str,
        visitor: &str,
    ) -> StoreResult<ProfileState> {
        let doc = row(site, &self.view)?.doc;
        tx.save_device_views(&[DeviceView { site, visitor, view: Some(&doc) }])?;
        let view = Arc::new(self.view);
        Ok(ProfileState::after(&view, &self.changes, self.temperature_before))
    }
}

/// Before `twin` absorbs another person's data: each of its visitors that has neither
/// proved the identity nor a device view keeps seeing `twin` as it is now.
pub fn freeze_plain_visitors(tx: &mut dyn WriteTx, site: &str, twin: &Person) -> StoreResult<()> {
    let plain = tx.plain_visitors(site, &twin.id)?;
    if plain.is_empty() {
        return Ok(());
    }
    let doc = row(site, twin)?.doc;
    let views: Vec<DeviceView<'_>> =
        plain.iter().map(|visitor| DeviceView { site, visitor, view: Some(&doc) }).collect();
    tx.save_device_views(&views)
}
