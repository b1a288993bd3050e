//! Which site a console page is about: `?site=KEY`, the first configured site by key
//! when not given. [`SiteChoice`] is an extractor that also lists every site, for the
//! switcher in the header.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::console::error::ConsoleError;
use crate::sites::Site;
use crate::state::AppState;

/// The site a page is about, and every configured site by key.
#[derive(Debug, Clone)]
pub struct SiteChoice {
    pub current: Arc<Site>,
    /// Every site, sorted by key.
    pub all: Vec<Arc<Site>>,
}

impl SiteChoice {
    /// The chosen site's key.
    pub fn key(&self) -> &str {
        &self.current.key
    }

    /// Chooses `wanted` (the first by key when none) among `sites`.
    pub fn choose(mut all: Vec<Arc<Site>>, wanted: Option<&str>) -> Result<Self, ConsoleError> {
        all.sort_by(|a, b| a.key.cmp(&b.key));
        let current = match wanted.filter(|key| !key.is_empty()) {
            Some(key) => {
                all.iter().find(|site| site.key == key).ok_or(ConsoleError::UnknownSite)?
            }
            None => all.first().ok_or(ConsoleError::NoSites)?,
        };
        Ok(SiteChoice { current: Arc::clone(current), all })
    }
}

impl FromRequestParts<AppState> for SiteChoice {
    type Rejection = ConsoleError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let wanted = form_urlencoded::parse(query.as_bytes())
            .find(|(name, _)| name == "site")
            .map(|(_, value)| value.into_owned());
        let catalog = app.catalog.load();
        SiteChoice::choose(catalog.sites().cloned().collect(), wanted.as_deref())
    }
}
