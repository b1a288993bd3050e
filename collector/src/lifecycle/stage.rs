//! A stage set by hand (sales accepted an SQL, a customer was won): the person's
//! temperature, stage and segments settled again and the workflows the change starts
//! enrolled, saved in one transaction.

use std::sync::Arc;

use crate::automation::enroll::{Before, enroll};
use crate::profiles::document::{decode, persist};
use crate::profiles::engine::Changes;
use crate::profiles::model::ProfileModel;
use crate::profiles::stage::Stage;
use crate::profiles::state::ProfileState;
use crate::store::{self, PersonKey, Store, StoreResult};

/// Sets person `id`'s stage; none if there is no such person.
pub async fn set_stage(
    store: &Arc<dyn Store>,
    site: &str,
    id: &str,
    stage: Stage,
    cause: &str,
    model: &Arc<ProfileModel>,
    now: i64,
) -> StoreResult<Option<ProfileState>> {
    let (site, id, cause, model) =
        (site.to_owned(), id.to_owned(), cause.to_owned(), Arc::clone(model));
    store::write(store, move |tx| {
        if !tx.lock_person(&site, &id)? {
            return Ok(None);
        }
        let Some(doc) = tx.find_person(&site, &PersonKey::Id(id))? else { return Ok(None) };
        let mut person = decode(&doc)?;
        let mut changes = Changes::default();
        let before = Before::of(&person);
        person.set_stage(stage, &cause, now, &mut changes);
        person.settle(&model, now, None, &mut changes);
        enroll(&mut person, &before, &[], &changes, &model.workflows, now);
        persist(tx, &[(&site, &person, &changes)], now)?;
        Ok(Some(ProfileState::of(&person)))
    })
    .await
}
