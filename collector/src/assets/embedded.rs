//! The widget bundle embedded in the binary (see `build.rs`), served as the files of
//! `--widget-dir` are: the loader under `/kindling.js`, the hashed files under `/w/`,
//! each in the best encoding the browser accepts (`br`, `gzip`, or as is), with an
//! `ETag` and the same cache policies.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, ETAG, IF_NONE_MATCH, VARY,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use crate::assets::names::{HASHED_CACHE, LOADER_CACHE, is_bundle_name};
use crate::error::ApiError;

/// The files `build.rs` embedded, by their path in the bundle folder; none unless the
/// binary was built with `KINDLING_EMBED_WIDGET`.
static FILES: &[(&str, &[u8])] = include!(concat!(env!("OUT_DIR"), "/embedded_widget.rs"));

/// A bundle held in memory.
#[derive(Debug, Default)]
pub struct Bundle {
    files: HashMap<String, File>,
}

/// One file of the bundle in its encodings.
#[derive(Debug)]
struct File {
    raw: Bytes,
    brotli: Option<Bytes>,
    gzip: Option<Bytes>,
    /// A digest of the raw content.
    tag: String,
}

impl Bundle {
    /// The bundle embedded in this binary, if it has one.
    pub fn embedded() -> Option<Bundle> {
        let files =
            FILES.iter().map(|(name, bytes)| ((*name).to_owned(), Bytes::from_static(bytes)));
        let bundle = Bundle::from_files(files);
        (!bundle.files.is_empty()).then_some(bundle)
    }

    /// A bundle of `files` named by their path in a bundle folder (`kindling.js`,
    /// `w/kindling-….wasm`, and `.br`/`.gz` beside any of them).
    pub fn from_files(files: impl IntoIterator<Item = (String, Bytes)>) -> Bundle {
        let mut all: HashMap<String, Bytes> = files.into_iter().collect();
        let names: Vec<String> = all
            .keys()
            .filter(|name| !name.ends_with(".br") && !name.ends_with(".gz"))
            .cloned()
            .collect();
        let mut bundle = Bundle::default();
        for name in names {
            let raw = all.remove(&name).unwrap_or_default();
            let digest = Sha256::digest(&raw);
            let file = File {
                brotli: all.remove(&format!("{name}.br")),
                gzip: all.remove(&format!("{name}.gz")),
                tag: hex::encode(&digest[..8]),
                raw,
            };
            bundle.files.insert(name, file);
        }
        bundle
    }

    /// The routes serving this bundle.
    pub fn router<S: Clone + Send + Sync + 'static>(self) -> Router<S> {
        Router::new()
            .route("/kindling.js", get(loader))
            .route("/w/{name}", get(hashed))
            .with_state(Arc::new(self))
    }

    fn serve(&self, name: &str, cache: &'static str, request: &HeaderMap) -> Response {
        let Some(file) = self.files.get(name) else { return ApiError::NotFound.into_response() };
        let (encoding, body) =
            match (accepts(request, "br"), &file.brotli, accepts(request, "gzip"), &file.gzip) {
                (true, Some(brotli), _, _) => (Some("br"), brotli.clone()),
                (_, _, true, Some(gzip)) => (Some("gzip"), gzip.clone()),
                _ => (None, file.raw.clone()),
            };
        let tag =
            format!("\"{}{}\"", file.tag, encoding.map(|e| format!("-{e}")).unwrap_or_default());
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type(name)));
        headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
        headers.insert(VARY, HeaderValue::from_static("accept-encoding"));
        if let Ok(value) = HeaderValue::from_str(&tag) {
            headers.insert(ETAG, value);
        }
        if let Some(encoding) = encoding {
            headers.insert(CONTENT_ENCODING, HeaderValue::from_static(encoding));
        }
        let unchanged = request
            .get(IF_NONE_MATCH)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|given| given.split(',').any(|one| one.trim() == tag));
        if unchanged {
            return (StatusCode::NOT_MODIFIED, headers).into_response();
        }
        (headers, body).into_response()
    }
}

async fn loader(State(bundle): State<Arc<Bundle>>, headers: HeaderMap) -> Response {
    bundle.serve("kindling.js", LOADER_CACHE, &headers)
}

async fn hashed(
    State(bundle): State<Arc<Bundle>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !is_bundle_name(&name) {
        return ApiError::NotFound.into_response();
    }
    bundle.serve(&format!("w/{name}"), HASHED_CACHE, &headers)
}

/// Whether `Accept-Encoding` takes `coding` (named, and not with `q=0`).
fn accepts(headers: &HeaderMap, coding: &str) -> bool {
    let Some(accepted) = headers.get(ACCEPT_ENCODING).and_then(|value| value.to_str().ok()) else {
        return false;
    };
    accepted.split(',').any(|item| {
        let mut parts = item.split(';').map(str::trim);
        let name = parts.next().unwrap_or_default();
        let refused = parts.any(|parameter| {
            parameter.strip_prefix("q=").and_then(|q| q.parse::<f32>().ok()) == Some(0.0)
        });
        name.eq_ignore_ascii_case(coding) && !refused
    })
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    use super::*;

    fn bundle() -> Router {
        Bundle::from_files([
            ("kindling.js".to_owned(), Bytes::from_static(b"loader")),
            ("kindling.js.br".to_owned(), Bytes::from_static(b"loader-br")),
            ("w/k-1.wasm".to_owned(), Bytes::from_static(b"wasm")),
            ("w/k-1.wasm.gz".to_owned(), Bytes::from_static(b"wasm-gz")),
        ])
        .router()
    }

    async fn get(path: &str, encoding: &str, tag: Option<&str>) -> Response {
        let mut request = Request::get(path).header(ACCEPT_ENCODING, encoding);
        if let Some(tag) = tag {
            request = request.header(IF_NONE_MATCH, tag);
        }
        bundle().oneshot(request.body(Body::empty()).expect("request")).await.expect("answer")
    }

    async fn body(response: Response) -> Vec<u8> {
        axum::body::to_bytes(response.into_body(), 1024).await.expect("body").to_vec()
    }

    #[tokio::test]
    async fn files_are_served_in_the_best_accepted_encoding() {
        let loader = get("/kindling.js", "gzip, br", None).await;
        assert_eq!(loader.headers()[CONTENT_ENCODING], "br");
        assert_eq!(loader.headers()[CACHE_CONTROL], LOADER_CACHE);
        let tag = loader.headers()[ETAG].to_str().expect("tag").to_owned();
        assert_eq!(body(loader).await, b"loader-br");
        assert_eq!(body(get("/kindling.js", "gzip, br;q=0", None).await).await, b"loader");

        let wasm = get("/w/k-1.wasm", "gzip", None).await;
        assert_eq!(wasm.headers()[CONTENT_TYPE], "application/wasm");
        assert_eq!(wasm.headers()[CACHE_CONTROL], HASHED_CACHE);
        assert_eq!(body(wasm).await, b"wasm-gz");

        assert_eq!(get("/kindling.js", "br", Some(&tag)).await.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(get("/w/nothing.js", "br", None).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(get("/w/..%2fkindling.js", "br", None).await.status(), StatusCode::NOT_FOUND);
    }
}
