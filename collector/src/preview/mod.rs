//! Previews: a block or form of any revision drawn by the real widget bundle, before
//! visitors see it. An admin asks for one (`POST /admin/api/previews`, see
//! [`admin::previews`](crate::admin::previews)) and gets a short-lived, unguessable
//! address; the preview host page there ([`page`]) loads `/kindling.js` with its API
//! pointed at routes of that address ([`api`]), which answer as the collector would
//! for a new visitor, with the chosen variant decided at once, and store nothing.
//! The admin shows the page in sandboxed frames at desktop and mobile widths.

pub mod api;
pub mod page;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::sites::Catalog;

/// How long a preview's address works.
pub const LIFETIME: Duration = Duration::from_secs(30 * 60);

/// Previews kept at most; the oldest goes first.
pub const MAX_PREVIEWS: usize = 1000;

/// What one preview shows.
#[derive(Debug)]
pub struct Preview {
    /// The revision's configuration, compiled.
    pub catalog: Arc<Catalog>,
    pub site: String,
    /// The block to show, and its variant.
    pub block: Option<(String, String)>,
    /// The form to embed in the page.
    pub form: Option<String>,
    /// `en` or `pl`: the page's language, which the widget's texts follow.
    pub lang: &'static str,
    created: Instant,
}

impl Preview {
    pub fn new(
        catalog: Arc<Catalog>,
        site: String,
        block: Option<(String, String)>,
        form: Option<String>,
        lang: &'static str,
    ) -> Preview {
        Preview { catalog, site, block, form, lang, created: Instant::now() }
    }
}

/// The previews in memory, by token. (A preview lives on the collector that made it;
/// behind a load balancer without sticky sessions, its frame may reach another one
/// and answer 404.)
#[derive(Debug, Default)]
pub struct Previews {
    by_token: Mutex<HashMap<String, Arc<Preview>>>,
}

impl Previews {
    /// Keeps `preview`; returns its token.
    pub fn add(&self, preview: Preview) -> String {
        let token = crate::accounts::secret::random_text(32);
        let mut previews = self.by_token.lock().unwrap_or_else(PoisonError::into_inner);
        previews.retain(|_, kept| kept.created.elapsed() < LIFETIME);
        if previews.len() >= MAX_PREVIEWS
            && let Some(oldest) =
                previews.iter().min_by_key(|(_, kept)| kept.created).map(|(key, _)| key.clone())
        {
            previews.remove(&oldest);
        }
        previews.insert(token.clone(), Arc::new(preview));
        token
    }

    /// The preview of `token`, while it lives.
    pub fn get(&self, token: &str) -> Option<Arc<Preview>> {
        let previews = self.by_token.lock().unwrap_or_else(PoisonError::into_inner);
        previews.get(token).filter(|kept| kept.created.elapsed() < LIFETIME).cloned()
    }
}
