//! The audit log as the console pages it: the page's query ([`AuditQuery`]), what it
//! filters by, and one page gathered batch by batch ([`Gathered`]), looking at no more
//! than [`MAX_SCAN`] entries, since the store reads the log in order only.

use serde::Deserialize;

use crate::console::error::ConsoleError;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::accounts::AuditEntry;

/// Entries a page.
pub const PER_PAGE: usize = 50;

/// Entries read from the store at a time.
const BATCH: u32 = 500;

/// The most entries one page looks at.
pub const MAX_SCAN: usize = 5_000;

/// The page's query, as sent.
#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub actor: String,
    #[serde(default)]
    pub before: String,
}

impl AuditQuery {
    /// The entry the page starts below; none for the newest.
    pub fn before(&self) -> Result<Option<i64>, ConsoleError> {
        let bad = ConsoleError::BadInput { field: "before", message: "not an entry number" };
        match self.before.trim() {
            "" => Ok(None),
            text => text.parse().map(Some).map_err(|_| bad),
        }
    }

    pub fn filter(&self) -> Filter {
        Filter { action: self.action.trim().to_owned(), actor: self.actor.trim().to_lowercase() }
    }
}

/// Which entries a page shows: empty parts match every entry.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub action: String,
    /// Lower-cased.
    pub actor: String,
}

impl Filter {
    pub fn matches(&self, entry: &AuditEntry) -> bool {
        (self.action.is_empty() || entry.action == self.action)
            && (self.actor.is_empty() || entry.actor_email.to_lowercase().contains(&self.actor))
    }
}

/// One page of the log, gathered batch by batch.
#[derive(Debug, Default)]
pub struct Gathered {
    pub entries: Vec<AuditEntry>,
    /// Where the next page starts below, when there may be one.
    pub older: Option<i64>,
    /// Entries looked at.
    pub scanned: usize,
    /// Whether the page stopped at [`MAX_SCAN`] rather than at a full page or the end.
    pub cut: bool,
    cursor: Option<i64>,
}

impl Gathered {
    /// Takes the next `batch` (a full one when the log may go on); returns whether the
    /// page needs another.
    pub fn feed(&mut self, batch: Vec<AuditEntry>, full: bool, filter: &Filter) -> bool {
        for entry in batch {
            let id = entry.id;
            if filter.matches(&entry) {
                if self.entries.len() == PER_PAGE {
                    self.older = self.entries.last().map(|last| last.id);
                    return false;
                }
                self.entries.push(entry);
            }
            self.scanned += 1;
            self.cursor = Some(id);
        }
        if !full {
            return false;
        }
        if self.scanned >= MAX_SCAN {
            (self.older, self.cut) = (self.cursor, true);
            return false;
        }
        true
    }
}

/// The page of entries below `before` that `filter` matches.
pub async fn gather(
    app: &AppState,
    before: Option<i64>,
    filter: &Filter,
) -> Result<Gathered, ConsoleError> {
    let mut gathered = Gathered { cursor: before, ..Gathered::default() };
    loop {
        let batch = app.store.audit(gathered.cursor, BATCH).await.map_err(ApiError::from)?;
        let full = batch.len() == BATCH as usize;
        if !gathered.feed(batch, full, filter) {
            return Ok(gathered);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: i64, action: &str, actor: &str) -> AuditEntry {
        AuditEntry {
            id,
            at_ms: id,
            actor_id: None,
            actor_email: actor.to_owned(),
            action: action.to_owned(),
            subject: String::new(),
            detail: "{}".to_owned(),
        }
    }

    fn log(ids: std::ops::RangeInclusive<i64>, action: &str) -> Vec<AuditEntry> {
        ids.rev().map(|id| entry(id, action, "Ann@Example.com")).collect()
    }

    #[test]
    fn a_page_is_full_at_fifty_and_goes_on_below_its_last_entry() {
        let mut page = Gathered::default();
        assert!(!page.feed(log(1..=120, "login"), false, &Filter::default()));
        assert_eq!(page.entries.len(), PER_PAGE);
        assert_eq!((page.entries[0].id, page.older, page.cut), (120, Some(71), false));
        let mut last = Gathered::default();
        assert!(!last.feed(log(1..=50, "login"), false, &Filter::default()));
        assert_eq!((last.entries.len(), last.older), (50, None), "the log ends with the page");
    }

    #[test]
    fn filters_match_the_action_and_part_of_the_actor_in_any_case() {
        let filter = Filter { action: "user.add".into(), actor: "ann@".into() };
        assert!(filter.matches(&entry(1, "user.add", "ANN@example.com")));
        assert!(!filter.matches(&entry(1, "user.remove", "ann@example.com")));
        assert!(!filter.matches(&entry(1, "user.add", "bob@example.com")));
        let mut page = Gathered::default();
        let mixed = [log(11..=20, "login"), log(1..=10, "user.add")].concat();
        assert!(!page.feed(mixed, false, &filter));
        assert_eq!(
            page.entries.iter().map(|e| e.id).collect::<Vec<_>>(),
            (1..=10).rev().collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_page_stops_looking_after_the_most_entries() {
        let filter = Filter { action: "user.add".into(), ..Filter::default() };
        let mut page = Gathered::default();
        let mut next = 10_000;
        while page.feed(log(next - 499..=next, "login"), true, &filter) {
            next -= 500;
        }
        assert_eq!((page.scanned, page.cut), (MAX_SCAN, true));
        assert_eq!(
            page.older,
            Some(10_000 - MAX_SCAN as i64 + 1),
            "goes on below the last looked at"
        );
        assert!(page.entries.is_empty());
    }
}
