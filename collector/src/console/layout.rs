//! The frame of every signed-in console page: the document head and brand
//! ([`frame`](super::frame)), a skip link, the header (site switcher, the signed-in
//! actor's email and role), the left navigation and the `main` landmark.

use maud::{DOCTYPE, Markup, html};

use crate::accounts::{Actor, Role};
use crate::console::format::query;
use crate::console::frame::{brand, head};
use crate::console::site::SiteChoice;

/// The console's sections, in navigation order. Only those with a page are linked,
/// and only for a role that may open it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Leads,
    Reports,
    Blocks,
    Forms,
    Scoring,
    Workflows,
    Revisions,
    Audit,
    Users,
    Account,
    Settings,
}

impl Section {
    const ALL: [Section; 11] = [
        Section::Leads,
        Section::Reports,
        Section::Blocks,
        Section::Forms,
        Section::Scoring,
        Section::Workflows,
        Section::Revisions,
        Section::Audit,
        Section::Users,
        Section::Account,
        Section::Settings,
    ];

    fn label(self) -> &'static str {
        match self {
            Section::Leads => "Leads",
            Section::Reports => "Reports",
            Section::Blocks => "Blocks",
            Section::Forms => "Forms",
            Section::Scoring => "Scoring",
            Section::Workflows => "Workflows",
            Section::Revisions => "Revisions",
            Section::Audit => "Audit log",
            Section::Users => "Users",
            Section::Account => "My account",
            Section::Settings => "Settings",
        }
    }

    /// The section's page.
    fn path(self) -> Option<&'static str> {
        match self {
            Section::Leads => Some("/admin/leads"),
            Section::Reports => Some("/admin/reports/funnel"),
            Section::Blocks => Some("/admin/blocks"),
            Section::Forms => Some("/admin/forms"),
            Section::Scoring => Some("/admin/scoring"),
            Section::Workflows => Some("/admin/config/workflows"),
            Section::Revisions => Some("/admin/revisions"),
            Section::Audit => Some("/admin/audit"),
            Section::Users => Some("/admin/users"),
            Section::Account => Some("/admin/account"),
            Section::Settings => Some("/admin/settings"),
        }
    }

    /// The role the section's page needs (the server checks it; the link only follows).
    fn needs(self) -> Role {
        if matches!(self, Section::Users | Section::Settings) { Role::Owner } else { Role::Viewer }
    }
}

/// What the frame of a signed-in page shows around its content.
pub struct Chrome<'a> {
    pub actor: &'a Actor,
    pub sites: &'a SiteChoice,
    pub section: Section,
}

/// A signed-in page titled `title` with `content` in its `main`.
pub fn page(chrome: &Chrome<'_>, title: &str, content: Markup) -> Markup {
    let site = chrome.sites.key();
    let home = ["/admin/leads?", &query([("site", site)])].concat();
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body {
                a.skip href="#main" { "Skip to content" }
                header.topbar {
                    (brand(&home))
                    (switcher(chrome.sites))
                    div.who {
                        span.visually-hidden { "Signed in as " }
                        span.who-email { (chrome.actor.email) }
                        span.badge.role { (chrome.actor.role.as_str()) }
                        form.sign-out method="post" action="/admin/logout" {
                            button.button.secondary type="submit" { "Sign out" }
                        }
                    }
                }
                div.shell {
                    nav.sidebar aria-label="Console" {
                        ul {
                            @for section in Section::ALL {
                                @if let Some(path) = section.path().filter(|_| chrome.actor.may(section.needs())) {
                                    li {
                                        a href={ (path) "?" (query([("site", site)])) }
                                            aria-current=[(section == chrome.section).then_some("page")]
                                        { (section.label()) }
                                    }
                                }
                            }
                        }
                    }
                    main #main tabindex="-1" { (content) }
                }
            }
        }
    }
}

/// The site switcher: a form choosing `?site=` for the leads list; just the site's
/// name when there is one site.
fn switcher(sites: &SiteChoice) -> Markup {
    html! {
        @if sites.all.len() > 1 {
            form.site-switch method="get" action="/admin/leads" {
                label for="site-switch" { "Site" }
                select #site-switch name="site" {
                    @for site in &sites.all {
                        option value=(site.key) selected[site.key == sites.key()] {
                            (site.name) " (" (site.key) ")"
                        }
                    }
                }
                button.button.secondary type="submit" { "Switch" }
            }
        } @else {
            p.site-name { span.visually-hidden { "Site: " } (sites.current.name) }
        }
    }
}
