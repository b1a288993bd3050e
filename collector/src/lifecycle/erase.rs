//! An erasure (a data subject's request): the person deleted with everything stored
//! about them, and taken out of the report rollups — their progress in the funnel and
//! the traffic and form views their events had added — in the same transaction.

use crate::forms::views::FormTally;
use crate::lifecycle::form_views;
use crate::lifecycle::traffic::uncount_history;
use crate::profiles::document::decode;
use crate::profiles::tally::Tally;
use crate::store::{PersonKey, StoreResult, WriteTx};

/// Erases person `id` of `site`; false if there is no such person.
pub fn erase(tx: &mut dyn WriteTx, site: &str, id: &str) -> StoreResult<bool> {
    let mut tally = Tally::new();
    let mut forms = FormTally::default();
    if let Some(doc) = tx.find_person(site, &PersonKey::Id(id.to_owned()))? {
        let person = decode(&doc)?;
        tally.progress(site, &person.progress, -1);
        let history = tx.history(site, &[id])?;
        uncount_history(&mut tally, site, &history);
        form_views::uncount_history(&mut forms, site, &history);
    }
    let mut counts = tally.into_counts();
    counts.forms = forms.into_counts();
    if !counts.is_empty() {
        tx.add_report_counts(&counts)?;
    }
    tx.delete_person(site, id)
}
