//! `GET /preview/{token}`: the preview host page. A plain page with the block's slot
//! (or the form's host element) and the real loader, its API pointed at this
//! preview's routes. Its own policy lets the widget run (`'wasm-unsafe-eval'`) and
//! lets only this collector's admin frame it.

use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, html};

use crate::error::ApiError;
use crate::state::AppState;

/// The preview page's policy: the widget's own script and wasm, its calls to this
/// collector, the images blocks may show; framed only by this collector's pages.
pub const POLICY: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; \
     connect-src 'self'; style-src 'self'; img-src https: data:; \
     font-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'self'";

/// Serves the host page of preview `token`.
#[utoipa::path(
    get,
    path = "/preview/{token}",
    tag = "preview",
    summary = "The preview host page: the block or form drawn by the real widget",
    params(("token" = String, Path, description = "The preview's token")),
    responses(
        (status = 200, description = "The page", content_type = "text/html", body = String),
        (status = 410, response = crate::openapi::PreviewGone),
    )
)]
pub async fn host(State(app): State<AppState>, Path(token): Path<String>) -> Response {
    let Some(preview) = app.previews.get(&token) else {
        return ApiError::PreviewGone.into_response();
    };
    let site = preview.catalog.site(&preview.site);
    let slot = preview.block.as_ref().and_then(|(block, _)| {
        site.and_then(|site| site.blocks.iter().find(|candidate| &candidate.id == block))
            .filter(|block| block.placement == kindling_core::blocks::Placement::Inline)
            .map(|block| block.slot.clone())
    });
    let api = format!("/preview/{token}");
    let page = html! {
        (DOCTYPE)
        html lang=(preview.lang) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Preview" }
            }
            body {
                main {
                    @if let Some(slot) = &slot {
                        div data-kindling-slot=(slot) {}
                    }
                    @if let Some(form) = &preview.form {
                        div data-kindling-lead-form=(form) {}
                    }
                }
                script async src="/kindling.js" data-site=(preview.site) data-api=(api) {}
            }
        }
    };
    (
        [
            (CONTENT_SECURITY_POLICY, POLICY),
            (CACHE_CONTROL, "no-store"),
            (REFERRER_POLICY, "no-referrer"),
        ],
        page,
    )
        .into_response()
}
