//! The form views the forms rollup counts, from what a transaction stores or erases:
//! each visitor's open views are read, moved on by the visitor's new form events and
//! saved again ([`count_group`]); an erasure replays the person's events to take away
//! what they had added ([`uncount_history`]). The rules are [`views`]'.

use foldhash::{HashMap, HashMapExt};

use crate::forms::views::{self, FormTally, OpenViews};
use crate::lifecycle::traffic::Seen;
use crate::store::{StoreResult, StoredEvent, WriteTx};

/// Moves the open views of the group's visitors that sent form events.
pub fn count_group(
    tx: &mut dyn WriteTx,
    visitors: &[Seen<'_>],
    tally: &mut FormTally,
) -> StoreResult<()> {
    for seen in visitors {
        if !seen.events.iter().any(|event| event.kind.starts_with("form_")) {
            continue;
        }
        let stored = tx.open_form_views(seen.site, seen.visitor)?;
        let mut open = OpenViews::parse(stored.as_deref());
        for event in &seen.events {
            open.observe(seen.site, event, tally, 1);
        }
        let now = open.stored();
        if now != stored {
            tx.save_open_form_views(seen.site, seen.visitor, now.as_deref())?;
        }
    }
    Ok(())
}

/// Takes away what the erased `events` (a person's, not bot traffic, oldest first)
/// added to the forms rollup.
pub fn uncount_history(tally: &mut FormTally, site: &str, events: &[StoredEvent]) {
    let mut by_visitor: HashMap<&str, Vec<&StoredEvent>> = HashMap::new();
    for event in events.iter().filter(|event| event.kind.starts_with("form_")) {
        by_visitor.entry(event.visitor.as_str()).or_default().push(event);
    }
    for events in by_visitor.values() {
        views::replay(site, events, tally, -1);
    }
}
