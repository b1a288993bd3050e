//! The marketer's admin console: server-rendered pages under `/admin` (the JSON API
//! stays under `/admin/api`). Routes:
//!
//! - `GET /admin`: redirects to the leads list;
//! - `GET /admin/leads` ([`leads`]): search, filters, sort and pages of known persons,
//!   `GET /admin/leads/export`: what the list shows, as CSV;
//! - `GET /admin/leads/{id}` ([`profile`]): one person's profile, and its actions:
//!   `POST …/stage`, `POST …/customer`, `GET …/export` (data-subject access, JSON),
//!   `GET …/erase` (the confirmation step) and `POST …/erase`;
//! - `/admin/blocks…` ([`blocks`]): the blocks of the newest revision and the block
//!   editor (audience builder, "who would see this?", the rule tester, triggers, caps,
//!   schedule, goal, variants), saving each change as a draft;
//! - `/admin/forms…` ([`forms`]): the lead forms and the form editor (fields of every
//!   kind, steps, progressive profiling, success, spam), saving each change as a draft;
//! - `/admin/segments…` ([`segments`]): the segments and their editor (the rule
//!   builder, who is in it, the tester);
//! - `GET|POST /admin/scoring` ([`scoring`]): the scoring and stages editor
//!   (thresholds, decay, behaviour and fit rules, MQL and SQL), saving a draft;
//! - `/admin/config/{section}` ([`sections`]): one part of the site's configuration
//!   (forms, scoring, segments, stages, workflows, catalogue; webhooks for owners) as
//!   YAML, saved as a draft;
//! - `/admin/revisions…` ([`revisions`]): the configuration's history, the YAML
//!   editor, a revision's problem and diff, publish, restore and previews in frames;
//! - `/admin/users…` ([`users`]): the owner's users: list, add, change a role or
//!   whether one may sign in, remove (with a confirmation step);
//! - `/admin/account…` ([`account`]): anyone's own account: API tokens (made, shown
//!   once, revoked) and signing out everywhere;
//! - `GET /admin/audit` ([`audit`]): the audit log, filtered by action and actor;
//! - `GET /admin/reports/funnel`, `/admin/reports/traffic` ([`reports`]): the funnel, and
//!   traffic and sources, over a range of days, with charts and CSV downloads;
//! - `GET /admin/reports/automation` ([`automation_report`]): workflows, webhook
//!   deliveries and dead letters (`POST …/replay/{id}` sends one again), speed to lead;
//! - `/admin/settings…` ([`settings`]): the owner's view of a site's settings and
//!   webhooks (secrets never shown), and a webhook's test delivery;
//! - `GET|POST /admin/login`, `POST /admin/logout` ([`login`]): signing in and out,
//!   outside the gate;
//! - `GET /admin/assets/{name}` ([`assets`]): the stylesheet, script and logo, embedded
//!   in the binary under content-hashed names; served without sign-in.
//!
//! Every page is behind the admin sign-in layer ([`signed_in`], the one place it is
//! applied) and takes the [`Actor`](crate::accounts::Actor) it found: reading needs a
//! viewer and changing an editor, the users pages an owner, one's own account anyone
//! signed in; beyond that, roles only decide which buttons a page shows. Every answer carries the console's security headers
//! ([`security_headers`]); pages with data are `Cache-Control: no-store`. Markup is
//! written with `maud`, which escapes every value put in it; [`format`] turns stored,
//! visitor-controlled values into text and safe links. Changes are HTML form posts
//! answered with a 303 redirect.

pub mod account;
pub mod account_forms;
pub mod account_page;
pub mod assets;
pub mod audit;
pub mod audit_log;
pub mod audit_page;
pub mod automation_csv;
pub mod automation_page;
pub mod automation_report;
pub mod blocks;
pub mod blocks_page;
pub mod charts;
pub mod drafts;
pub mod error;
pub mod experiments_page;
pub mod form_parts;
pub mod format;
pub mod forms;
pub mod forms_page;
pub mod forms_report;
pub mod forms_report_csv;
pub mod forms_report_page;
pub mod frame;
pub mod funnel_page;
pub mod layout;
pub mod leads;
pub mod leads_page;
pub mod leads_query;
pub mod login;
pub mod numbers;
pub mod parts;
pub mod profile;
pub mod profile_page;
pub mod quality_page;
pub mod report_csv;
pub mod report_parts;
pub mod report_range;
pub mod reports;
pub mod revisions;
pub mod revisions_page;
pub mod rule_builder;
pub mod rule_checks;
pub mod scoring;
pub mod scoring_page;
pub mod sections;
pub mod sections_page;
pub mod segments;
pub mod segments_page;
pub mod settings;
pub mod settings_page;
pub mod site;
pub mod timeline;
pub mod traffic_page;
pub mod users;
pub mod users_page;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::HeaderValue;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_FRAME_OPTIONS,
};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::Redirect;
use axum::routing::{get, post};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::accounts::gate;
use crate::state::AppState;

/// The policy of every console page: nothing inline, nothing from elsewhere, never
/// framed.
pub const CONTENT_SECURITY_POLICY_VALUE: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
     frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Form bodies of the console: a few fields, or a whole configuration document (at most
/// 1 MiB, up to three times that URL-encoded).
const MAX_FORM_BYTES: usize = 3 * crate::revisions::document::MAX_DOCUMENT_BYTES + 16 * 1024;

/// The console's routes, with their state.
pub fn router(state: &AppState) -> Router {
    let pages = Router::new()
        .route("/admin", get(home))
        .route("/admin/leads", get(leads::list))
        .route("/admin/leads/export", get(leads::export))
        .route("/admin/leads/{id}", get(profile::show))
        .route("/admin/leads/{id}/export", get(profile::export))
        .route("/admin/leads/{id}/stage", post(profile::set_stage))
        .route("/admin/leads/{id}/customer", post(profile::mark_customer))
        .route("/admin/leads/{id}/erase", get(profile::confirm_erase).post(profile::erase))
        .route("/admin/blocks", get(blocks::list).post(blocks::submit))
        .route("/admin/blocks/new", get(blocks::new))
        .route("/admin/blocks/{id}", get(blocks::edit))
        .route("/admin/forms", get(forms::list).post(forms::submit))
        .route("/admin/forms/new", get(forms::new))
        .route("/admin/forms/{id}", get(forms::edit))
        .route("/admin/segments", get(segments::list).post(segments::submit))
        .route("/admin/segments/new", get(segments::new))
        .route("/admin/segments/{id}", get(segments::edit))
        .route("/admin/scoring", get(scoring::show).post(scoring::submit))
        .route("/admin/config/{section}", get(sections::show).post(sections::save))
        .route("/admin/revisions", get(revisions::list).post(revisions::save))
        .route("/admin/revisions/new", get(revisions::editor))
        .route("/admin/revisions/{id}", get(revisions::show))
        .route("/admin/revisions/{id}/publish", post(revisions::publish))
        .route("/admin/revisions/{id}/restore", post(revisions::restore))
        .route("/admin/revisions/{id}/preview", get(revisions::preview))
        .route("/admin/audit", get(audit::list))
        .route("/admin/reports", get(reports::home))
        .route("/admin/reports/funnel", get(reports::funnel))
        .route("/admin/reports/traffic", get(reports::traffic))
        .route("/admin/reports/blocks", get(reports::blocks))
        .route("/admin/reports/quality", get(reports::quality))
        .route("/admin/reports/automation", get(automation_report::show))
        .route("/admin/reports/automation/replay/{id}", post(automation_report::replay))
        .route("/admin/reports/forms", get(forms_report::forms))
        .route("/admin/account", get(account::show));
    let owner = Router::new()
        .route("/admin/users", get(users::list).post(users::add))
        .route("/admin/users/{id}/role", post(users::set_role))
        .route("/admin/users/{id}/access", post(users::set_access))
        .route("/admin/users/{id}/remove", get(users::confirm_remove).post(users::remove))
        .route("/admin/settings", get(settings::show))
        .route("/admin/settings/webhooks/{id}/test", post(settings::test));
    let own = Router::new()
        .route("/admin/account/tokens", get(account::to_account).post(account::create))
        .route("/admin/account/tokens/{id}/revoke", get(account::to_account).post(account::revoke))
        .route(
            "/admin/account/sign-out-everywhere",
            get(account::to_account).post(account::sign_out_everywhere),
        );
    let sign_in = Router::new()
        .route("/admin/login", get(login::show).post(login::sign_in))
        .route("/admin/logout", post(login::sign_out));
    let console = signed_in(pages, owner, own, state)
        .layer(SetResponseHeaderLayer::if_not_present(
            CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .merge(sign_in)
        .merge(assets::router())
        .layer(DefaultBodyLimit::max(MAX_FORM_BYTES));
    security_headers(console).with_state(state.clone())
}

/// Puts the console's pages behind the admin sign-in, the one place the console applies
/// it: the gate finds the actor, then in `pages` reading needs a viewer and changing an
/// editor, `owner` needs an owner, and `own` (one's own account) anyone signed in; a
/// browser not signed in is sent to the login page.
fn signed_in(
    pages: Router<AppState>,
    owner: Router<AppState>,
    own: Router<AppState>,
    state: &AppState,
) -> Router<AppState> {
    pages
        .route_layer(from_fn(gate::require_page))
        .merge(owner.route_layer(from_fn(gate::require_owner_page)))
        .merge(own.route_layer(from_fn(account::require_signed_in_page)))
        .route_layer(from_fn_with_state(state.clone(), gate::authenticate))
}

/// Adds the console's security headers to every answer of `router`.
fn security_headers(router: Router<AppState>) -> Router<AppState> {
    router
        .layer(SetResponseHeaderLayer::overriding(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY_VALUE),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
}

/// `GET /admin`: the leads list is the console's first page.
async fn home() -> Redirect {
    Redirect::to("/admin/leads")
}
