//! "Who would see this?" for scripts, as the console's rule editors answer it
//! ([`personalize::reach`](crate::personalize::reach)); reads only, so any signed-in
//! role may ask:
//!
//! - `GET /admin/api/audience/reach?site=KEY&rule=JSON`: how many of the site's persons
//!   active in the last 30 days, and leads among them, the rule matches (no `rule`:
//!   everyone);
//! - `GET /admin/api/audience/test?site=KEY&rule=JSON&email=E` (or `&id=ID`): the rule
//!   judged against one person, part by part, with the person's value of each fact.
//!
//! The rule is an audience rule as in the configuration, written as JSON, and is
//! checked against the audience facts (an unknown fact is a 400 naming `rule`).

use axum::Json;
use axum::extract::State;
use kindling_core::rules::Rule;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::admin::params::site;
use crate::clock::unix_millis;
use crate::error::ApiError;
use crate::json::QueryParams;
use crate::personalize::facts::AUDIENCE_FACTS;
use crate::personalize::reach::{self, Explained, Reach};
use crate::profiles::document::decode;
use crate::profiles::view::lookup;
use crate::state::AppState;
use crate::store::PersonKey;

/// The audience routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(count)).routes(routes!(test))
}

/// Which rule, on which site, and for the test, which person.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AudienceParams {
    /// The site key.
    pub site: String,
    /// The rule as JSON (`{"fact":"page.utm_source","op":"eq","value":"linkedin"}`).
    pub rule: Option<String>,
    /// For the test: the person's email ...
    pub email: Option<String>,
    /// ... or id.
    pub id: Option<String>,
}

/// The rule of `params`, checked.
fn rule_of(params: &AudienceParams) -> Result<Option<Rule>, ApiError> {
    let Some(text) = params.rule.as_deref().filter(|text| !text.trim().is_empty()) else {
        return Ok(None);
    };
    let rule: Rule = serde_json::from_str(text)
        .map_err(|error| ApiError::invalid("rule", format!("not a rule: {error}")))?;
    rule.validate(&AUDIENCE_FACTS).map_err(|error| {
        ApiError::invalid("rule", format!("{}: {}", error.message(), error.fact()))
    })?;
    Ok(Some(rule))
}

#[utoipa::path(
    get,
    path = "/admin/api/audience/reach",
    tag = "admin",
    summary = "How many visitors and leads of the last 30 days an audience rule matches",
    params(AudienceParams),
    responses(
        (status = 200, description = "The counts", body = Reach),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn count(
    State(app): State<AppState>,
    QueryParams(params): QueryParams<AudienceParams>,
) -> Result<Json<Reach>, ApiError> {
    let site = site(&app, &params.site)?;
    let rule = rule_of(&params)?;
    Ok(Json(reach::count(&app.store, &site.key, rule.as_ref(), unix_millis()).await?))
}

/// A rule judged against one person.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Tested {
    /// Whether the rule holds for the person (an empty rule: everyone).
    pub matches: bool,
    /// Part by part; none for an empty rule.
    pub explained: Option<Explained>,
}

#[utoipa::path(
    get,
    path = "/admin/api/audience/test",
    tag = "admin",
    summary = "Why an audience rule matches one person or not",
    params(AudienceParams),
    responses(
        (status = 200, description = "The rule, part by part", body = Tested),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 404, response = crate::openapi::NotFound),
        (status = 503, response = crate::openapi::Unavailable),
    )
)]
async fn test(
    State(app): State<AppState>,
    QueryParams(params): QueryParams<AudienceParams>,
) -> Result<Json<Tested>, ApiError> {
    let site = site(&app, &params.site)?;
    let rule = rule_of(&params)?;
    let key = match (&params.email, &params.id) {
        (Some(email), None) => PersonKey::Email(email.clone()),
        (None, Some(id)) => PersonKey::Id(id.clone()),
        _ => return Err(ApiError::invalid("email", "give exactly one of email and id")),
    };
    let stored = app.store.profile(&site.key, &lookup(&key)).await?.ok_or(ApiError::NotFound)?;
    let person = decode(&stored.doc)?;
    let facts = reach::profile_facts(&person, unix_millis());
    let explained = rule.as_ref().map(|rule| reach::explain(rule, &facts));
    Ok(Json(Tested { matches: explained.as_ref().is_none_or(Explained::holds), explained }))
}
