//! The demo site's static server. It serves `demo-site/site/` from its own origin, as
//! a customer's web server would, replacing `%%KINDLING_ORIGIN%%` in HTML pages with
//! the collector's origin so the pasted script tag points at the running collector.
//!
//! - `/` and `/dir/` serve `index.html`; `/tour/*` serves the product tour's
//!   single-page app (`tour/index.html`); unknown paths get `404.html` with status 404.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// The placeholder in the pages' script tag.
pub const ORIGIN_PLACEHOLDER: &str = "%%KINDLING_ORIGIN%%";

/// The site folder shipped in this crate.
pub fn site_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("site")
}

/// The demo configuration shipped in this crate (`demo.yaml`).
pub fn demo_config() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("demo.yaml")
}

struct DemoSite {
    dir: PathBuf,
    collector_origin: String,
}

/// A router serving `dir` with the script tag pointed at `collector_origin`.
pub fn router(dir: PathBuf, collector_origin: impl Into<String>) -> Router {
    let site = Arc::new(DemoSite { dir, collector_origin: collector_origin.into() });
    Router::new().fallback(serve_page).with_state(site)
}

async fn serve_page(State(site): State<Arc<DemoSite>>, request: Request) -> Response {
    let path = request.uri().path();
    let Some(relative) = safe_relative(path) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let mut file = site.dir.join(&relative);
    if path.ends_with('/') || file.is_dir() {
        file = file.join("index.html");
    }
    if !file.is_file() && path.starts_with("/tour/") {
        file = site.dir.join("tour/index.html");
    }
    match tokio::fs::read(&file).await {
        Ok(bytes) => page_response(&site, &file, bytes, StatusCode::OK),
        Err(_) => match tokio::fs::read(site.dir.join("404.html")).await {
            Ok(bytes) => page_response(&site, Path::new("404.html"), bytes, StatusCode::NOT_FOUND),
            Err(_) => StatusCode::NOT_FOUND.into_response(),
        },
    }
}

fn page_response(site: &DemoSite, file: &Path, bytes: Vec<u8>, status: StatusCode) -> Response {
    let extension = file.extension().and_then(|e| e.to_str()).unwrap_or("");
    let content_type = match extension {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "txt" => "text/plain; charset=utf-8",
        "png" => "image/png",
        _ => "application/octet-stream",
    };
    let body = if extension == "html" {
        String::from_utf8_lossy(&bytes)
            .replace(ORIGIN_PLACEHOLDER, &site.collector_origin)
            .into_bytes()
    } else {
        bytes
    };
    let mut response = (status, body).into_response();
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// The request path as a relative file path, refusing anything that climbs out.
fn safe_relative(path: &str) -> Option<PathBuf> {
    let relative = PathBuf::from(path.trim_start_matches('/'));
    relative.components().all(|c| matches!(c, Component::Normal(_))).then_some(relative)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_paths_that_climb_out() {
        assert_eq!(safe_relative("/blog/post.html"), Some(PathBuf::from("blog/post.html")));
        assert_eq!(safe_relative("/../etc/passwd"), None);
        assert_eq!(safe_relative("/blog/../../x"), None);
    }
}
