//! The console's own files — one stylesheet, one small script, the logo — embedded in
//! the binary (`include_bytes!`, from `src/console/assets/`, apart from the widget
//! bundle) and served at `GET /admin/assets/{stem}.{hash}.{ext}`, where `hash` is the
//! start of the file's SHA-256. A name changes whenever the content does, so answers
//! are `Cache-Control: public, max-age=31536000, immutable`, with the hash as `ETag`
//! (`If-None-Match` answered with 304). Pages link them by [`href`].

use std::sync::LazyLock;

use axum::Router;
use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::AppState;

/// Where the assets are served.
const PREFIX: &str = "/admin/assets/";

/// Hex digits of the content hash in a name.
const HASH_LEN: usize = 16;

/// One of the console's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asset {
    Css,
    Js,
    Logo,
}

impl Asset {
    const ALL: [Asset; 3] = [Asset::Css, Asset::Js, Asset::Logo];

    fn source(self) -> (&'static str, &'static str, &'static str, &'static [u8]) {
        match self {
            Asset::Css => {
                ("console", "css", "text/css; charset=utf-8", include_bytes!("assets/console.css"))
            }
            Asset::Js => (
                "console",
                "js",
                "text/javascript; charset=utf-8",
                include_bytes!("assets/console.js"),
            ),
            Asset::Logo => ("logo", "svg", "image/svg+xml", include_bytes!("assets/logo.svg")),
        }
    }

    /// The file's bytes as embedded.
    pub fn bytes(self) -> &'static [u8] {
        self.source().3
    }
}

/// An asset with its hashed name and tag, computed once.
struct Hashed {
    asset: Asset,
    /// `console.0123456789abcdef.css`
    file: String,
    etag: HeaderValue,
}

static HASHED: LazyLock<Vec<Hashed>> = LazyLock::new(|| {
    Asset::ALL
        .into_iter()
        .map(|asset| {
            let (stem, ext, _, bytes) = asset.source();
            let digest = hex::encode(Sha256::digest(bytes));
            let hash = &digest[..HASH_LEN];
            let etag = HeaderValue::from_str(&format!("\"{hash}\""))
                .unwrap_or_else(|_| HeaderValue::from_static("\"0\""));
            Hashed { asset, file: format!("{stem}.{hash}.{ext}"), etag }
        })
        .collect()
});

fn hashed(asset: Asset) -> Option<&'static Hashed> {
    HASHED.iter().find(|hashed| hashed.asset == asset)
}

/// The path pages link `asset` by.
pub fn href(asset: Asset) -> String {
    [PREFIX, hashed(asset).map_or("", |hashed| hashed.file.as_str())].concat()
}

/// The assets' route.
pub fn router() -> Router<AppState> {
    Router::new().route("/admin/assets/{file}", get(serve))
}

/// `GET /admin/assets/{file}`: the asset of that hashed name.
/// An unknown name is the 404 of any unknown path.
async fn serve(Path(file): Path<String>, headers: HeaderMap) -> Result<Response, ApiError> {
    let found = HASHED.iter().find(|hashed| hashed.file == file).ok_or(ApiError::NotFound)?;
    let (_, _, content_type, bytes) = found.asset.source();
    let cache = (CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    let etag = (ETAG, found.etag.clone());
    let fresh = headers.get(IF_NONE_MATCH).is_some_and(|given| {
        given.to_str().is_ok_and(|given| {
            given.split(',').any(|tag| {
                let tag = tag.trim();
                tag == "*" || tag.trim_start_matches("W/").as_bytes() == found.etag.as_bytes()
            })
        })
    });
    if fresh {
        return Ok((StatusCode::NOT_MODIFIED, [cache, etag]).into_response());
    }
    let kind = (CONTENT_TYPE, HeaderValue::from_static(content_type));
    Ok(([kind, cache, etag], bytes).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_the_content_hash() {
        let css = href(Asset::Css);
        let digest = hex::encode(Sha256::digest(Asset::Css.bytes()));
        assert_eq!(css, format!("/admin/assets/console.{}.css", &digest[..HASH_LEN]));
        assert!(href(Asset::Js).ends_with(".js") && href(Asset::Logo).ends_with(".svg"));
    }
}
