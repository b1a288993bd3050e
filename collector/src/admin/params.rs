//! What admin requests have in common: the site they are about, which person, a
//! list's limit and a report's time range.

use std::sync::Arc;

use serde::Deserialize;

use crate::clock::unix_millis;
use crate::error::ApiError;
use crate::sites::Site;
use crate::state::AppState;
use crate::store::PersonKey;

/// The configured site `key`, or a 400 naming `site`.
pub fn site(app: &AppState, key: &str) -> Result<Arc<Site>, ApiError> {
    app.catalog.site(key).ok_or_else(|| ApiError::invalid("site", "no such site"))
}

/// A list's `limit`: 1–1000, 100 when not given.
pub fn list_limit(limit: Option<u32>) -> Result<u32, ApiError> {
    let limit = limit.unwrap_or(100);
    if (1..=1000).contains(&limit) {
        Ok(limit)
    } else {
        Err(ApiError::invalid("limit", "must be between 1 and 1000"))
    }
}

/// Which person an admin call is about: exactly one of `id`, `visitor` or `email`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProfileParams {
    /// The site key.
    pub site: String,
    /// The person's id.
    pub id: Option<String>,
    /// One of the person's visitor ids.
    pub visitor: Option<String>,
    /// The person's email.
    pub email: Option<String>,
}

impl ProfileParams {
    pub fn key(&self) -> Result<PersonKey, ApiError> {
        match (&self.id, &self.visitor, &self.email) {
            (Some(id), None, None) => Ok(PersonKey::Id(id.clone())),
            (None, Some(visitor), None) => Ok(PersonKey::Visitor(visitor.clone())),
            (None, None, Some(email)) => Ok(PersonKey::Email(email.clone())),
            _ => Err(ApiError::invalid("query", "give exactly one of id, visitor or email")),
        }
    }
}

/// A report's site and time range.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// The site key.
    pub site: String,
    /// Start, in Unix milliseconds (inclusive); 30 days before `until` when not given.
    pub from: Option<i64>,
    /// End, in Unix milliseconds (exclusive); now when not given.
    pub until: Option<i64>,
}

/// Days a report covers when the query gives no start.
const REPORT_DEFAULT_DAYS: i64 = 30;

/// A report's `[from, until)` in milliseconds: until now and the 30 days before, unless
/// given.
pub fn report_range(params: &ReportParams) -> Result<(i64, i64), ApiError> {
    let until = params.until.unwrap_or_else(|| unix_millis() + 1);
    // Saturating: `until` is the caller's, and may be as early as time can be.
    let default_from =
        until.saturating_sub(REPORT_DEFAULT_DAYS * kindling_core::scoring::DAY_MS as i64);
    let from = params.from.unwrap_or(default_from);
    if from >= until {
        return Err(ApiError::invalid("from", "must be before until"));
    }
    Ok((from, until))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(from: Option<i64>, until: Option<i64>) -> Result<(i64, i64), ApiError> {
        report_range(&ReportParams { site: "pk".to_owned(), from, until })
    }

    #[test]
    fn a_report_covers_the_30_days_before_until_by_default() {
        let day = kindling_core::scoring::DAY_MS as i64;
        assert_eq!(range(None, Some(100 * day)).expect("a range"), (70 * day, 100 * day));
        assert_eq!(range(Some(5), Some(6)).expect("a range"), (5, 6));
        assert!(range(Some(6), Some(6)).is_err());
    }

    #[test]
    fn the_earliest_until_is_refused_not_overflowed() {
        let error = range(None, Some(i64::MIN)).expect_err("nothing is before it");
        assert!(
            matches!(&error, ApiError::InvalidField { field, .. } if field == "from"),
            "{error:?}"
        );
        assert!(range(Some(i64::MIN), Some(i64::MAX)).is_ok());
    }
}
