//! The markup of the settings page ([`settings`](super::settings)): the site's key,
//! name, origins and identity verification, its webhooks with a test button each, and
//! a test's outcome. Secrets never reach it: a webhook's is described by
//! [`SecretSource`] alone. The receiver's answer is shown as text in a `pre`, escaped
//! like every value `maud` puts in a page.

use maud::{Markup, html};

use crate::admin::webhooks::{BODY_LIMIT, TestOutcome};
use crate::console::format::{query, segment};
use crate::console::layout::{Chrome, page};

/// The path sending webhook `id` a test delivery.
pub fn test_path(id: &str, site: &str) -> String {
    format!("/admin/settings/webhooks/{}/test?{}", segment(id), query([("site", site)]))
}

/// What the page shows of a site.
pub struct SiteSettings {
    pub key: String,
    pub name: String,
    /// Allowed origins as written; none when the document could not be read.
    pub origins: Option<Vec<String>>,
    /// Signed-in identities are verified (an identity secret is set).
    pub identity: bool,
    pub webhooks: Vec<Webhook>,
}

/// A webhook as the page shows it.
pub struct Webhook {
    pub id: String,
    pub url: String,
    pub secret: SecretSource,
    /// The workflow steps sending to it.
    pub uses: Vec<Use>,
}

/// Where a webhook's secret comes from: all that is said of it.
pub enum SecretSource {
    /// Written in the configuration.
    Inline,
    /// Read from this environment variable.
    Environment(String),
}

/// A workflow step sending to a webhook.
pub struct Use {
    /// The workflow's name, or its id.
    pub workflow: String,
    /// What the step sends.
    pub sends: &'static str,
    /// What starts the workflow, in words.
    pub trigger: String,
}

/// A test delivery just made.
pub struct Tested<'a> {
    pub webhook: &'a str,
    pub outcome: &'a TestOutcome,
}

/// The settings page, with `tested`'s outcome at the top when a test was sent.
pub fn show(chrome: &Chrome<'_>, settings: &SiteSettings, tested: Option<&Tested<'_>>) -> Markup {
    let editor = ["/admin/revisions/new?", &query([("site", settings.key.as_str())])].concat();
    let content = html! {
        div.page-head { h1 { "Settings" } }
        p {
            "These settings are part of the configuration. To change them, edit it in the "
            a href=(editor) { "configuration editor" }
            " and publish the new revision."
        }
        @if let Some(tested) = tested { (outcome(tested)) }
        (site_card(settings))
        (webhooks_card(chrome, settings))
    };
    page(chrome, "Settings", content)
}

fn site_card(settings: &SiteSettings) -> Markup {
    html! {
        section.card aria-labelledby="site-title" {
            h2 #site-title { "Site" }
            dl.facts {
                div { dt { "Key" } dd { code { (settings.key) } } }
                div { dt { "Name" } dd { (settings.name) } }
                div {
                    dt { "Allowed origins" }
                    dd {
                        @match &settings.origins {
                            Some(origins) if origins.is_empty() => { "None: no page may call the public API." }
                            Some(origins) => { ul { @for origin in origins { li { code { (origin) } } } } }
                            None => { span.muted { "See the configuration." } }
                        }
                    }
                }
                div {
                    dt { "Signed-in identities" }
                    dd { @if settings.identity { "Verified (secret set)" } @else { "Not verified" } }
                }
            }
        }
    }
}

fn webhooks_card(chrome: &Chrome<'_>, settings: &SiteSettings) -> Markup {
    html! {
        section.card aria-labelledby="webhooks-title" {
            h2 #webhooks-title { "Webhooks" }
            @if settings.webhooks.is_empty() {
                p.empty { "No webhooks are configured for this site." }
            } @else {
                p.muted {
                    "A test delivery sends one signed body of type " code { "kindling.test" }
                    ", with no person data, exactly as deliveries are sent; it is not retried."
                }
                div.table-wrap role="region" aria-labelledby="webhooks-caption" tabindex="0" {
                    table.data {
                        caption #webhooks-caption.visually-hidden { "Webhooks, by id" }
                        thead { tr { th scope="col" { "Id" } th scope="col" { "URL" } th scope="col" { "Secret" } th scope="col" { "Sent by" } th scope="col" { "Test" } } }
                        tbody {
                            @for webhook in &settings.webhooks { (row(chrome, webhook)) }
                        }
                    }
                }
            }
        }
    }
}

fn row(chrome: &Chrome<'_>, webhook: &Webhook) -> Markup {
    html! {
        tr {
            th scope="row" { code { (webhook.id) } }
            td { span.url { (webhook.url) } }
            td {
                @match &webhook.secret {
                    SecretSource::Inline => { "Secret set" }
                    SecretSource::Environment(variable) => { "From environment (" code { (variable) } ")" }
                }
            }
            td {
                @if webhook.uses.is_empty() {
                    span.muted { "No workflow step" }
                } @else {
                    ul {
                        @for used in &webhook.uses {
                            li { (used.workflow) ": " (used.sends) ", when " (used.trigger) }
                        }
                    }
                }
            }
            td {
                form.inline method="post" action=(test_path(&webhook.id, chrome.sites.key())) {
                    button.button.secondary type="submit" {
                        "Send test delivery" span.visually-hidden { " to " (webhook.id) }
                    }
                }
            }
        }
    }
}

/// What the receiver of a test said.
fn outcome(tested: &Tested<'_>) -> Markup {
    let outcome = tested.outcome;
    html! {
        section.card aria-labelledby="test-title" {
            h2 #test-title { "Test delivery to " code { (tested.webhook) } }
            @if outcome.delivered {
                p.notice role="status" { "Delivered: the receiver accepted it." }
            } @else if outcome.refused {
                p.notice.error role="alert" { "Not sent: the target is refused." }
            } @else {
                p.notice.error role="alert" { "Not delivered." }
            }
            dl.facts {
                div {
                    dt { "Status" }
                    dd { @match outcome.status { Some(status) => { "HTTP " (status) } None => { "No answer" } } }
                }
                div { dt { "Time" } dd { (outcome.elapsed_ms) " ms" } }
                @if let Some(error) = &outcome.error { div { dt { "Error" } dd { (error) } } }
            }
            @if let Some(body) = &outcome.body {
                h3 { "The receiver's answer (at most " (BODY_LIMIT / 1024) " KB)" }
                @if body.is_empty() {
                    p.muted { "Empty." }
                } @else {
                    pre { code.props { (body) } }
                }
            }
        }
    }
}
