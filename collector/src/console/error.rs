//! Why a console page could not be shown: [`ConsoleError`], answered with a plain HTML
//! page and the matching status. Failures of the domain and the store arrive as the
//! API's [`ApiError`] and keep its status; internal details are logged where they
//! happen, never shown.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;

use crate::console::frame;
use crate::error::ApiError;

/// Why a console request failed.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    #[error("no such page")]
    NotFound,
    #[error("there is no person with this id on this site")]
    UnknownPerson,
    #[error("there is no site with this key")]
    UnknownSite,
    #[error("no site is configured yet: add one to the configuration file")]
    NoSites,
    #[error("{field}: {message}")]
    BadInput { field: &'static str, message: &'static str },
    #[error("{0}")]
    Api(#[from] ApiError),
}

impl ConsoleError {
    fn status(&self) -> StatusCode {
        match self {
            ConsoleError::NotFound | ConsoleError::UnknownPerson | ConsoleError::UnknownSite => {
                StatusCode::NOT_FOUND
            }
            ConsoleError::NoSites => StatusCode::SERVICE_UNAVAILABLE,
            ConsoleError::BadInput { .. } => StatusCode::BAD_REQUEST,
            ConsoleError::Api(ApiError::NotFound) => StatusCode::NOT_FOUND,
            ConsoleError::Api(error) => error.status(),
        }
    }

    fn title(&self) -> &'static str {
        match self.status() {
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::BAD_REQUEST => "Check what you entered",
            StatusCode::UNAUTHORIZED => "Sign in first",
            StatusCode::FORBIDDEN => "Not allowed",
            StatusCode::SERVICE_UNAVAILABLE => "Unavailable",
            _ => "Something went wrong",
        }
    }
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        let message = match &self {
            ConsoleError::Api(ApiError::Store(_)) => {
                "Storage is unavailable; try again in a moment.".to_owned()
            }
            ConsoleError::Api(ApiError::NotFound) => ConsoleError::UnknownPerson.to_string(),
            other => other.to_string(),
        };
        let title = self.title();
        let body = html! {
            h1 { (title) }
            p { (message) }
            p { a href="/admin/leads" { "Back to the leads" } }
        };
        (self.status(), frame::bare(title, body)).into_response()
    }
}
