//! Everything stored about one person, as the admin API shows it and the workflow
//! hand-off sends it: the person, its visitors, their events, the history of its
//! score, stage and segments, and the consents it gave.

use std::sync::Arc;

use crate::profiles::document::decode;
use crate::profiles::engine::Person;
use crate::profiles::traits::normalize_email;
use crate::store::{
    ConsentLine, PersonKey, ScoreLine, SegmentLine, StageLine, Store, StoreResult, StoredEvent,
    StoredProfile,
};

/// A person's whole profile (events: not bot traffic first, then bot traffic, each
/// oldest first; lines oldest first).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ProfileView {
    pub person: Person,
    pub visitors: Vec<String>,
    pub events: Vec<StoredEvent>,
    pub score_changes: Vec<ScoreLine>,
    pub stage_changes: Vec<StageLine>,
    pub segment_changes: Vec<SegmentLine>,
    /// The consents the person gave (form, field, exact text and version, page, when).
    pub consents: Vec<ConsentLine>,
}

impl ProfileView {
    /// The view of what the store read.
    pub fn of(stored: StoredProfile) -> StoreResult<ProfileView> {
        Ok(ProfileView {
            person: decode(&stored.doc)?,
            visitors: stored.visitors,
            events: stored.events,
            score_changes: stored.score_changes,
            stage_changes: stored.stage_changes,
            segment_changes: stored.segment_changes,
            consents: stored.consents,
        })
    }
}

/// `key` as the store looks it up: an email normalized as the collector stores it.
pub fn lookup(key: &PersonKey) -> PersonKey {
    match key {
        PersonKey::Email(email) => PersonKey::Email(normalize_email(email).unwrap_or_default()),
        other => other.clone(),
    }
}

/// The profile of the person found by `key`.
pub async fn view(
    store: &Arc<dyn Store>,
    site: &str,
    key: &PersonKey,
) -> StoreResult<Option<ProfileView>> {
    store.profile(site, &lookup(key)).await?.map(ProfileView::of).transpose()
}
