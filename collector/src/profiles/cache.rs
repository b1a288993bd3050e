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
//! at once. The cache is bounded: a full shard drops an arbitrary entry for each one it
//! takes in.

use std::collections::HashMap;
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
}

/// The cache; share it behind an `Arc`.
pub struct PersonCache {
    shards: Vec<Mutex<HashMap<Key, Entry>>>,
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
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
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
        match shard.get(&key) {
            Some(entry) if entry.version > version => return,
            Some(_) => {}
            None => {
                if shard.len() >= self.per_shard
                    && let Some(victim) = shard.keys().next().cloned()
                {
                    shard.remove(&victim);
                }
            }
        }
        shard.insert(key, Entry { person, stored_at: Instant::now(), version });
    }

    /// Forgets every visitor of person `id` on `site` (after an admin change).
    pub fn forget_person(&self, site: &str, id: &str) {
        for shard in &self.shards {
            let mut shard = shard.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            shard.retain(|(entry_site, _), entry| {
                &**entry_site != site || entry.person.as_ref().is_none_or(|person| person.id != id)
            });
        }
    }

    fn get(&self, site: &str, visitor: &str) -> Option<Option<Arc<Person>>> {
        let key: Key = (site.into(), visitor.into());
        let shard = self.shard(site, visitor);
        let entry = shard.get(&key)?;
        (entry.stored_at.elapsed() < TTL).then(|| entry.person.clone())
    }

    fn shard(&self, site: &str, visitor: &str) -> std::sync::MutexGuard<'_, HashMap<Key, Entry>> {
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
        let kept: usize =
            cache.shards.iter().map(|shard| shard.lock().expect("not poisoned").len()).sum();
        assert!(kept <= 32, "{kept}");
        assert!(cache.get("site", "999").is_some(), "the newest entry is kept");
    }
}
