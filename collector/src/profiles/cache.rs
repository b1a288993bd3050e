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

use std::collections::VecDeque;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hashbrown::HashTable;

use crate::profiles::document::decode;
use crate::profiles::engine::Person;
use crate::store::{Store, StoreError};

/// How long an entry is trusted.
pub const TTL: Duration = Duration::from_secs(30);
/// Visitors kept, over all shards.
pub const CAPACITY: usize = 100_000;
const SHARDS: usize = 16;

/// One visitor's entry.
struct Entry {
    site: Box<str>,
    visitor: Box<str>,
    /// The hash of (site, visitor), computed once: it picks the shard and places the
    /// entry in the shard's table, which never hashes a key again.
    hash: u64,
    person: Option<Arc<Person>>,
    stored_at: Instant,
    /// The group commit the person is as of (see [`PersonCache::committed`]).
    version: u64,
    /// When it was put, in the shard's count of puts: unique within the shard.
    put: u64,
}

impl Entry {
    fn is(&self, hash: u64, site: &str, visitor: &str) -> bool {
        self.hash == hash && *self.visitor == *visitor && *self.site == *site
    }
}

/// A visitor's person as of a group commit, to put in a shard.
struct Put<'a> {
    hash: u64,
    site: &'a str,
    visitor: &'a str,
    person: Option<Arc<Person>>,
    version: u64,
}

/// One shard: the entries, and their places in the order they were put (hash and put
/// number), so that a full shard drops the oldest in constant time. An entry put again
/// goes to the back; its earlier places no longer match its `put` and are skipped.
#[derive(Default)]
struct Shard {
    entries: HashTable<Entry>,
    order: VecDeque<(u64, u64)>,
    puts: u64,
}

impl Shard {
    fn get(&self, hash: u64, site: &str, visitor: &str) -> Option<&Entry> {
        self.entries.find(hash, |entry| entry.is(hash, site, visitor))
    }

    /// Puts `new` unless the visitor's entry is as of a newer commit; keeps at most
    /// `capacity` entries.
    fn put(&mut self, new: Put<'_>, capacity: usize) {
        let Put { hash, site, visitor, person, version } = new;
        let put = self.puts + 1;
        match self.entries.find_mut(hash, |entry| entry.is(hash, site, visitor)) {
            Some(entry) if entry.version > version => return,
            Some(entry) => {
                entry.person = person;
                entry.stored_at = Instant::now();
                entry.version = version;
                entry.put = put;
            }
            None => {
                let entry = Entry {
                    site: site.into(),
                    visitor: visitor.into(),
                    hash,
                    person,
                    stored_at: Instant::now(),
                    version,
                    put,
                };
                self.entries.insert_unique(hash, entry, |entry| entry.hash);
                while self.entries.len() > capacity && self.drop_oldest() {}
            }
        }
        self.puts = put;
        self.order.push_back((hash, put));
        if self.order.len() > 2 * capacity.max(self.entries.len()) {
            let entries = &self.entries;
            self.order
                .retain(|&(hash, put)| entries.find(hash, |entry| entry.put == put).is_some());
        }
    }

    /// Drops the entry put longest ago; false if there is none.
    fn drop_oldest(&mut self) -> bool {
        while let Some((hash, put)) = self.order.pop_front() {
            if let Ok(entry) = self.entries.find_entry(hash, |entry| entry.put == put) {
                entry.remove();
                return true;
            }
        }
        false
    }
}

/// The cache; share it behind an `Arc`.
pub struct PersonCache {
    shards: Vec<Mutex<Shard>>,
    /// SipHash with a random key: the keys come from clients and the cache lives long,
    /// so a hash whose seed could be learnt from timing is not an option.
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
        let person = match store.person_of_visitor(site, visitor).await? {
            Some(doc) => Some(Arc::new(decode(&doc)?)),
            None => None,
        };
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
        let hash = self.hash(site, visitor);
        let new = Put { hash, site, visitor, person, version };
        self.shard(hash).put(new, self.per_shard);
    }

    /// Forgets every visitor of person `id` on `site` (after an admin change).
    pub fn forget_person(&self, site: &str, id: &str) {
        for shard in &self.shards {
            let mut shard = shard.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            shard.entries.retain(|entry| {
                *entry.site != *site || entry.person.as_ref().is_none_or(|person| person.id != id)
            });
        }
    }

    fn get(&self, site: &str, visitor: &str) -> Option<Option<Arc<Person>>> {
        let hash = self.hash(site, visitor);
        let shard = self.shard(hash);
        let entry = shard.get(hash, site, visitor)?;
        (entry.stored_at.elapsed() < TTL).then(|| entry.person.clone())
    }

    fn hash(&self, site: &str, visitor: &str) -> u64 {
        self.hasher.hash_one((site, visitor))
    }

    /// The shard of `hash`, picked by bits the shard's table does not use to place
    /// entries (it uses the lowest and the top seven).
    fn shard(&self, hash: u64) -> std::sync::MutexGuard<'_, Shard> {
        let index = (hash >> 32) as usize % SHARDS;
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
        // Visitors whose names start alike share a hash: entries are still told apart.
        fn put(visitor: &str) -> Put<'_> {
            let hash = u64::from(visitor.as_bytes()[0]);
            Put { hash, site: "site", visitor, person: None, version: 0 }
        }
        let mut shard = Shard::default();
        shard.put(put("a"), 2);
        shard.put(put("b"), 2);
        shard.put(put("a"), 2);
        shard.put(put("c"), 2);
        let mut kept: Vec<&str> = shard.entries.iter().map(|entry| &*entry.visitor).collect();
        kept.sort_unstable();
        assert_eq!(kept, ["a", "c"], "b was put longest ago; a was put again");
        for n in 0..100 {
            shard.put(put("a"), 2);
            shard.put(put(&n.to_string()), 2);
        }
        assert_eq!(shard.entries.len(), 2);
        assert!(shard.order.len() <= 4, "skipped places are cleared: {}", shard.order.len());
    }
}
