//! A refused account form, shown again with its [`Problem`] beside the field it names:
//! which field an [`AccountError`] is about and the status of the page that says so,
//! the message's markup, and the control's `aria-describedby`. Account errors about no
//! field (storage, an unknown user or token) become [`ConsoleError`]s ([`page_error`]).

use axum::http::StatusCode;
use maud::{Markup, html};

use crate::accounts::AccountError;
use crate::console::error::ConsoleError;
use crate::error::ApiError;

/// Why a form was refused, and beside which field to say it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The form field the message goes beside: `email`, `password`, `role`, `name`, …
    pub field: &'static str,
    pub message: String,
    /// The status of the page showing the form again.
    pub status: StatusCode,
}

impl Problem {
    /// A problem with what was entered in `field`.
    pub fn invalid(field: &'static str, message: &str) -> Problem {
        Problem { field, message: message.to_owned(), status: StatusCode::BAD_REQUEST }
    }

    /// The problem `error` is, when it is about something entered or chosen.
    pub fn of(error: &AccountError) -> Option<Problem> {
        let (field, status) = match error {
            AccountError::InvalidEmail => ("email", StatusCode::BAD_REQUEST),
            AccountError::EmailTaken => ("email", StatusCode::CONFLICT),
            AccountError::PasswordTooShort | AccountError::PasswordTooLong => {
                ("password", StatusCode::BAD_REQUEST)
            }
            AccountError::InvalidName => ("name", StatusCode::BAD_REQUEST),
            AccountError::RoleAboveOwn => ("role", StatusCode::BAD_REQUEST),
            AccountError::LastOwner => ("role", StatusCode::CONFLICT),
            _ => return None,
        };
        Some(Problem { field, message: sentence(&error.to_string()), status })
    }

    /// The same problem, said beside `field` instead.
    pub fn at(self, field: &'static str) -> Problem {
        Problem { field, ..self }
    }
}

/// `text` with its first letter capitalized and a full stop.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let first = chars.next().map(|c| c.to_uppercase().collect::<String>()).unwrap_or_default();
    [first.as_str(), chars.as_str(), "."].concat()
}

/// The id of the message beside the control `id`.
fn message_id(id: &str) -> String {
    [id, "-error"].concat()
}

/// `problem`, if it names `field`.
fn about<'a>(problem: Option<&'a Problem>, field: &str) -> Option<&'a Problem> {
    problem.filter(|problem| problem.field == field)
}

/// The `aria-describedby` of the control `id` for `field`: its message, when there is one.
pub fn described_by(id: &str, problem: Option<&Problem>, field: &str) -> Option<String> {
    about(problem, field).map(|_| message_id(id))
}

/// Whether `problem` names `field` (for `aria-invalid`).
pub fn invalid(problem: Option<&Problem>, field: &str) -> Option<&'static str> {
    about(problem, field).map(|_| "true")
}

/// The message beside the control `id`, when `problem` names `field`.
pub fn message(id: &str, problem: Option<&Problem>, field: &str) -> Markup {
    html! {
        @if let Some(problem) = about(problem, field) {
            p.field-error #(message_id(id)) role="alert" { (problem.message) }
        }
    }
}

/// The error page of an account operation that failed for a reason no field names.
pub fn page_error(error: AccountError) -> ConsoleError {
    match error {
        AccountError::UnknownUser | AccountError::UnknownToken => ConsoleError::NotFound,
        other => ConsoleError::Api(ApiError::from(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_errors_name_their_field() {
        let taken = Problem::of(&AccountError::EmailTaken).expect("a field");
        assert_eq!((taken.field, taken.status), ("email", StatusCode::CONFLICT));
        assert_eq!(taken.message, "A user with this email exists.");
        let short = Problem::of(&AccountError::PasswordTooShort).expect("a field");
        assert_eq!(short.field, "password");
        assert_eq!(
            Problem::of(&AccountError::LastOwner).expect("a field").at("access").field,
            "access"
        );
        assert!(Problem::of(&AccountError::UnknownUser).is_none());
    }

    #[test]
    fn the_message_is_beside_its_field_only() {
        let problem = Problem::invalid("email", "<b>no</b>");
        let shown = message("add-email", Some(&problem), "email").into_string();
        assert_eq!(
            shown,
            r#"<p class="field-error" id="add-email-error" role="alert">&lt;b&gt;no&lt;/b&gt;</p>"#
        );
        assert!(message("add-role", Some(&problem), "role").into_string().is_empty());
        assert_eq!(
            described_by("add-email", Some(&problem), "email").as_deref(),
            Some("add-email-error")
        );
        assert_eq!(invalid(Some(&problem), "role"), None);
    }
}
