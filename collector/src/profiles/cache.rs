//! Persons in memory, by visitor, for `POST /v1/boot`: a page view asks for its
//! visitor's person before anything is written, and most visitors come back within
//! minutes, so keeping the latest persons in memory takes the database off that path.
//!
//! Every request the event writer answers puts its visitor's committed person here
//! before the answer leaves, so the visitor's next page sees its own latest state.
//! Requests of one visitor may be answered out of order (two group commits, two tasks),
//! so each entry carries the number of the group commit it is as of
//! ([`PersonCache::committed`]), and an older one never replaces a newer one; a person
//! read from the store counts as of the latest commit numbered before the read.
//!
//! Entries expire after [`TTL`] so changes made elsewhere (the decay scheduler, the
//! admin API, another collector on the same PostgreSQL database, another visitor of the
//! same person) show within that time; the admin API also forgets a person it changes
//! at once. The cache is bounded: a full shard drops the entry put longest ago for each
//! one it takes in.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::profiles::Person;
use crate::store::{Store, StoreError};

/// How long an entry is trusted.
pub const TTL: Duration = Duration::from_secs(30);
/// Visitors kept, over all shards.
pub const CAPACITY: usize = 100_000;
const SHARDS: usize = 16;

type Key = (Box<str>, Box<str>);

struct Entry {
    person: Option<Arc<Person>>,
    stored_at: Instant,
    /// The group commit the person is as of (see [`PersonCache::committed`]).
    version: u64,
    /// When it was put, in the shard's count of puts.
    put: u64,
}

/// One shard: the entries, and their keys in the order they were put, so that a full
/// shard drops the oldest in constant time. An entry put again goes to the back; its
/// earlier places in the queue no longer match its `put` and are skipped.
#[derive(Default)]
struct Shard {
    entries: HashMap<Arc<Key>, Entry>,
    order: VecDeque<(Arc<Key>, u64)>,
    puts: u64,
}

impl Shard {
    fn insert(&mut self, key: Key, mut entry: Entry, capacity: usize) {
        self.puts += 1;
        entry.put = self.puts;
        let key = Arc::new(key);
        self.order.push_back((Arc::clone(&key), self.puts));
        if self.entries.insert(key, entry).is_none() {
            while self.entries.len() > capacity && self.drop_oldest() {}
        }
        if self.order.len() > 2 * capacity.max(self.entries.len()) {
            let entries = &self.entries;
            self.order.retain(|(key, put)| entries.get(key).is_some_and(|entry| entry.put == *put));
        }
    }

    /// Drops the entry put longest ago; false if there is none.
    fn drop_oldest(&mut self) -> bool {
        while let Some((key, put)) = self.order.pop_front() {
            if self.entries.get(&key).is_some_and(|entry| entry.put == put) {
                self.entries.remove(&key);
                return true;
            }
        }
        false
    }
}

/// The cache; share it behind an `Arc`.
pub struct PersonCache {
    shards: Vec<Mutex<Shard>>,
    hasher: RandomState,
    per_shard: usize,
    /// How many group commits the event writer has numbered.
    commits: AtomicU64,
}

impl Default for PersonCache {
    fn default() -> Self {
        PersonCache::with_capacity(CAPACITY)
    }
}

impl PersonCache {
    /// A cache holding about `capacity` visitors.
    pub fn with_capacity(capacity: usize) -> Self {
        PersonCache {
            shards: (0..SHARDS).map(|_| Mutex::default()).collect(),
            hasher: RandomState::new(),
            per_shard: capacity.div_ceil(SHARDS).max(1),
            commits: AtomicU64::new(0),
        }
    }

    /// The person of `visitor` on `site` (none for a visitor never seen), from memory
    /// when fresh, else from `store`.
    pub async fn person(
        &self,
        store: &Arc<dyn Store>,
        site: &str,
        visitor: &str,
    ) -> Result<Option<Arc<Person>>, StoreError> {
        if let Some(hit) = self.get(site, visitor) {
            return Ok(hit);
        }
        // What the store gives is at least as new as every commit numbered by now.
        let version = self.commits.load(Ordering::Acquire);
        let person = store.person_of_visitor(site, visitor).await?.map(Arc::new);
        self.put(site, visitor, person.clone(), version);
        Ok(person)
    }

    /// Numbers a group commit that has just been made durable; its persons are put
    /// with this number.
    pub fn committed(&self) -> u64 {
        self.commits.fetch_add(1, Ordering::AcqRel) + 1
    }

    /// Notes `visitor`'s person as of group commit `version`, unless the entry is
    /// newer already.
    pub fn put(&self, site: &str, visitor: &str, person: Option<Arc<Person>>, version: u64) {
        let key: Key = (site.into(), visitor.into());
        let mut shard = self.shard(site, visitor);
        if shard.entries.get(&key).is_some_and(|entry| entry.version > version) {
            return;
        }
        let entry = Entry { person, stored_at: Instant::now(), version, put: 0 };
        shard.insert(key, entry, self.per_shard);
    }

    /// Forgets every visitor of person `id` on `site` (after an admin change).
    pub fn forget_person(&self, site: &str, id: &str) {
        for shard in &self.shards {
            let mut shard = shard.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            shard.entries.retain(|key, entry| {
                let (entry_site, _) = key.as_ref();
                &**entry_site != site || entry.person.as_ref().is_none_or(|person| person.id != id)
            });
        }
    }

    fn get(&self, site: &str, visitor: &str) -> Option<Option<Arc<Person>>> {
        let key: Key = (site.into(), visitor.into());
        let shard = self.shard(site, visitor);
        let entry = shard.entries.get(&key)?;
        (entry.stored_at.elapsed() < TTL).then(|| entry.person.clone())
    }

    fn shard(&self, site: &str, visitor: &str) -> std::sync::MutexGuard<'_, Shard> {
        let index = (self.hasher.hash_one((site, visitor)) as usize) % SHARDS;
        self.shards[index].lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn puts_are_read_back_and_forgotten_by_person() {
        let cache = PersonCache::with_capacity(64);
        let person = Arc::new(Person::new("p1".into(), 0));
        cache.put("site", "v1", Some(Arc::clone(&person)), 1);
        cache.put("site", "v2", Some(person), 1);
        cache.put("site", "v3", None, 1);
        assert_eq!(cache.get("site", "v1").flatten().map(|p| p.id.clone()).as_deref(), Some("p1"));
        assert_eq!(cache.get("site", "v3"), Some(None), "a visitor known to have no person");
        assert_eq!(cache.get("other", "v1"), None);
        cache.forget_person("site", "p1");
        assert_eq!(cache.get("site", "v1"), None);
        assert_eq!(cache.get("site", "v2"), None);
        assert_eq!(cache.get("site", "v3"), Some(None));
    }

    #[test]
    fn an_older_commit_never_replaces_a_newer_one() {
        let cache = PersonCache::with_capacity(64);
        let older = Arc::new(Person::new("older".into(), 0));
        let newer = Arc::new(Person::new("newer".into(), 0));
        cache.put("site", "v1", Some(newer), 8);
        cache.put("site", "v1", Some(Arc::clone(&older)), 7);
        assert_eq!(
            cache.get("site", "v1").flatten().map(|p| p.id.clone()).as_deref(),
            Some("newer")
        );
        cache.put("site", "v1", Some(older), 9);
        assert_eq!(
            cache.get("site", "v1").flatten().map(|p| p.id.clone()).as_deref(),
            Some("older")
        );
    }

    #[test]
    fn the_cache_stays_bounded() {
        let cache = PersonCache::with_capacity(32);
        for n in 0..1_000_u64 {
            cache.put("site", &n.to_string(), None, n);
        }
        let kept: usize = cache
            .shards
            .iter()
            .map(|shard| shard.lock().expect("not poisoned").entries.len())
            .sum();
        assert!(kept <= 32, "{kept}");
        assert!(cache.get("site", "999").is_some(), "the newest entry is kept");
    }

    #[test]
    fn a_full_shard_drops_the_entry_put_longest_ago() {
        let entry = || Entry { person: None, stored_at: Instant::now(), version: 0, put: 0 };
        let key = |visitor: &str| -> Key { ("site".into(), visitor.into()) };
        let mut shard = Shard::default();
        shard.insert(key("a"), entry(), 2);
        shard.insert(key("b"), entry(), 2);
        shard.insert(key("a"), entry(), 2);
        shard.insert(key("c"), entry(), 2);
        let mut kept: Vec<&str> = shard.entries.keys().map(|key| &*key.1).collect();
        kept.sort_unstable();
        assert_eq!(kept, ["a", "c"], "b was put longest ago; a was put again");
        for n in 0..100 {
            shard.insert(key("a"), entry(), 2);
            shard.insert(key(&n.to_string()), entry(), 2);
        }
        assert_eq!(shard.entries.len(), 2);
        assert!(shard.order.len() <= 4, "skipped places are cleared: {}", shard.order.len());
    }
}
