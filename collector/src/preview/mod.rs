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

/// Why a preview cannot be made; each names what was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PreviewError {
    #[error("no such site")]
    UnknownSite,
    #[error("no such block")]
    UnknownBlock,
    #[error("no such variant")]
    UnknownVariant,
    #[error("no such form")]
    UnknownForm,
    #[error("name a block or a form")]
    NothingToShow,
}

impl PreviewError {
    /// The field of the request at fault.
    pub fn field(self) -> &'static str {
        match self {
            PreviewError::UnknownSite => "site",
            PreviewError::UnknownBlock | PreviewError::NothingToShow => "block",
            PreviewError::UnknownVariant => "variant",
            PreviewError::UnknownForm => "form",
        }
    }
}

impl Preview {
    /// A preview of `catalog`'s site `site`: block `block` in `variant` (its first when
    /// none) and/or form `form`, in `lang` (`pl`, else English).
    pub fn of(
        catalog: Catalog,
        site: &str,
        block: Option<&str>,
        variant: Option<&str>,
        form: Option<&str>,
        lang: Option<&str>,
    ) -> Result<Preview, PreviewError> {
        let found = catalog.site(site).ok_or(PreviewError::UnknownSite)?;
        let block = match block {
            Some(name) => {
                let block = found
                    .blocks
                    .iter()
                    .find(|block| block.id == name)
                    .ok_or(PreviewError::UnknownBlock)?;
                let variant = match variant {
                    Some(wanted) => block
                        .variants
                        .iter()
                        .find(|candidate| candidate.id == wanted)
                        .ok_or(PreviewError::UnknownVariant)?,
                    None => &block.variants[0],
                };
                Some((block.id.clone(), variant.id.clone()))
            }
            None => None,
        };
        if form.is_some_and(|form| found.form(form).is_none()) {
            return Err(PreviewError::UnknownForm);
        }
        if block.is_none() && form.is_none() {
            return Err(PreviewError::NothingToShow);
        }
        Ok(Preview {
            site: found.key.clone(),
            catalog: Arc::new(catalog),
            block,
            form: form.map(str::to_owned),
            lang: if lang == Some("pl") { "pl" } else { "en" },
            created: Instant::now(),
        })
    }

    /// The ids of the previewed block's variants.
    pub fn variants(&self) -> Vec<String> {
        let site = self.catalog.site(&self.site);
        let block = self.block.as_ref().and_then(|(name, _)| {
            site.and_then(|site| site.blocks.iter().find(|block| &block.id == name))
        });
        block.map(|block| block.variants.iter().map(|v| v.id.clone()).collect()).unwrap_or_default()
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
