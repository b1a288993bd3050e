//! The owner's settings page of a site (markup in [`settings_page`](super::settings_page)):
//!
//! - `GET /admin/settings?site=KEY`: the site as the live configuration has it: key,
//!   name, allowed origins, whether signed-in identities are verified, and its webhooks
//!   (id, URL, where the secret comes from, which workflow steps send to it). Secrets
//!   are never shown: a webhook says only "secret set" or the environment variable it
//!   is read from;
//! - `POST /admin/settings/webhooks/{id}/test?site=KEY`: sends the webhook a test
//!   delivery ([`admin::webhooks::test_delivery`](crate::admin::webhooks::test_delivery),
//!   as the API does) and answers with the page again, showing what the receiver said:
//!   its status, the time taken and the start of its body, or why nothing answered.
//!
//! The page changes nothing itself: settings are changed in the configuration editor,
//! which it links to. Every route needs an owner: the console's router puts them
//! behind [`require_owner_page`](crate::accounts::gate::require_owner_page).

use std::sync::Arc;

use axum::extract::{Path, State};
use maud::Markup;

use crate::accounts::Actor;
use crate::admin::webhooks::{self, TestOutcome, WebhookError};
use crate::automation::workflow::{Step, Trigger};
use crate::config::file::{ConfigFile, SiteConfig};
use crate::console::error::ConsoleError;
use crate::console::format::query;
use crate::console::layout::{Chrome, Section};
use crate::console::settings_page::{
    self as page, SecretSource, SiteSettings, Tested, Use, Webhook,
};
use crate::console::site::SiteChoice;
use crate::error::ApiError;
use crate::sites::Site;
use crate::state::AppState;

/// `/admin/settings?site=…`.
pub fn settings_path(site: &str) -> String {
    ["/admin/settings?", &query([("site", site)])].concat()
}

/// `GET /admin/settings`.
pub async fn show(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
) -> Result<Markup, ConsoleError> {
    shown(&app, &actor, &sites, None).await
}

/// `POST /admin/settings/webhooks/{id}/test`: the test delivery, then the page with
/// what the receiver said.
pub async fn test(
    State(app): State<AppState>,
    actor: Actor,
    sites: SiteChoice,
    Path(id): Path<String>,
) -> Result<Markup, ConsoleError> {
    let outcome = webhooks::test_delivery(&app, &actor, sites.key(), &id).await.map_err(
        |error| match error {
            WebhookError::UnknownSite => ConsoleError::UnknownSite,
            WebhookError::UnknownWebhook => ConsoleError::NotFound,
            WebhookError::Api(error) => ConsoleError::Api(error),
        },
    )?;
    shown(&app, &actor, &sites, Some((&id, &outcome))).await
}

/// The page, with a test's outcome when one was sent.
async fn shown(
    app: &AppState,
    actor: &Actor,
    sites: &SiteChoice,
    tested: Option<(&str, &TestOutcome)>,
) -> Result<Markup, ConsoleError> {
    let written = written(app, &sites.current.key).await?;
    let settings = settings(&sites.current, written.as_ref());
    let chrome = Chrome { actor, sites, section: Section::Settings };
    let tested = tested.map(|(webhook, outcome)| Tested { webhook, outcome });
    Ok(page::show(&chrome, &settings, tested.as_ref()))
}

/// The site `key` as the document of the served revision writes it: what the compiled
/// site no longer says (origins as written, where secrets come from). None when the
/// revision or the site in it cannot be had (a publish just replaced it).
async fn written(app: &AppState, key: &str) -> Result<Option<SiteConfig>, ConsoleError> {
    let revision = app.store.revision(app.catalog.revision()).await.map_err(ApiError::from)?;
    let Some(revision) = revision else { return Ok(None) };
    let Ok(document) = ConfigFile::from_yaml(&revision.document) else { return Ok(None) };
    Ok(document.sites.into_iter().find(|site| site.key == key))
}

/// What the page shows of `site`.
fn settings(site: &Arc<Site>, written: Option<&SiteConfig>) -> SiteSettings {
    let webhooks = site
        .webhooks
        .iter()
        .map(|endpoint| {
            let config =
                written.and_then(|site| site.webhooks.iter().find(|hook| hook.id == endpoint.name));
            Webhook {
                id: endpoint.name.clone(),
                url: endpoint.url.clone(),
                secret: match config.and_then(|hook| hook.secret_env.clone()) {
                    Some(variable) => SecretSource::Environment(variable),
                    None => SecretSource::Inline,
                },
                uses: uses(site, &endpoint.name),
            }
        })
        .collect();
    SiteSettings {
        key: site.key.clone(),
        name: site.name.clone(),
        origins: written.map(|site| site.origins.clone()),
        identity: site.identity.is_some(),
        webhooks,
    }
}

/// The workflow steps of `site` that send to webhook `id`.
fn uses(site: &Site, id: &str) -> Vec<Use> {
    let mut found = Vec::new();
    for workflow in &site.profiles.workflows {
        for step in &workflow.steps {
            let sends = match step {
                Step::Webhook(to) if to == id => "the lead as JSON",
                Step::Crm(to) if to == id => "the CRM hand-off",
                Step::Notify { webhook, .. } if webhook == id => "a notification text",
                _ => continue,
            };
            found.push(Use {
                workflow: workflow.name.clone().unwrap_or_else(|| workflow.id.clone()),
                sends,
                trigger: trigger_text(&workflow.trigger),
            });
        }
    }
    found
}

/// What starts a workflow, in words.
fn trigger_text(trigger: &Trigger) -> String {
    match trigger {
        Trigger::Event(matcher) => {
            let written = serde_json::to_string(matcher).unwrap_or_default();
            format!("an event matching {written}")
        }
        Trigger::Form(form) => format!("the form {form} is submitted"),
        Trigger::ScoreAbove(points) => format!("the score reaches {points}"),
        Trigger::Temperature(temperature) => format!("the lead turns {}", temperature.as_str()),
        Trigger::Stage(stage) => format!("the lead becomes {}", stage.as_str()),
        Trigger::SegmentEntered(segment) => format!("the lead enters the segment {segment}"),
        Trigger::SegmentLeft(segment) => format!("the lead leaves the segment {segment}"),
        Trigger::Inactive(span) => {
            let quiet = std::time::Duration::from_millis(u64::try_from(span.0).unwrap_or(0));
            format!("no activity for {}", humantime::format_duration(quiet))
        }
        Trigger::BlockConverted(block) => format!("the block {block} converts"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::automation::workflow::Span;

    #[test]
    fn triggers_read_as_words() {
        assert_eq!(trigger_text(&Trigger::ScoreAbove(70)), "the score reaches 70");
        assert_eq!(trigger_text(&Trigger::Inactive(Span(2 * 86_400_000))), "no activity for 2days");
        assert_eq!(trigger_text(&Trigger::Form("demo".to_owned())), "the form demo is submitted");
    }
}
