//! The parts of a site's configuration that have a section editor of their own
//! ([`sections`](super::sections)), with what each holds and who may change it.

use crate::console::error::ConsoleError;
use crate::console::layout::Section;

/// A part of a site's configuration with an editor of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part {
    /// The site's key it is written under (`scoring`).
    pub key: &'static str,
    pub title: &'static str,
    pub about: &'static str,
    /// Only owners may change it.
    pub owners_only: bool,
    pub section: Section,
}

/// Every part with an editor, in the order the pages list them.
pub const PARTS: &[Part] = &[
    Part {
        key: "forms",
        title: "Forms",
        about: "Lead forms: fields of every kind, steps, progressive profiling, consent texts with versions, spam settings, double opt-in and what happens after a submission.",
        owners_only: false,
        section: Section::Forms,
    },
    Part {
        key: "scoring",
        title: "Scoring",
        about: "Behaviour rules (points per event, with caps), fit rules over traits, decay and the warm and hot thresholds.",
        owners_only: false,
        section: Section::Scoring,
    },
    Part {
        key: "segments",
        title: "Segments",
        about: "Named rules over profiles; members are kept up to date as profiles change.",
        owners_only: false,
        section: Section::Scoring,
    },
    Part {
        key: "stages",
        title: "Stages",
        about: "When a lead becomes an MQL or an SQL by itself: scores and forms.",
        owners_only: false,
        section: Section::Scoring,
    },
    Part {
        key: "workflows",
        title: "Workflows",
        about: "Nurturing workflows: a trigger, conditions, steps (wait, if, score, tag, stage, show a block, webhook, CRM hand-off) and re-entry.",
        owners_only: false,
        section: Section::Workflows,
    },
    Part {
        key: "catalog",
        title: "Content catalogue",
        about: "Pages recommendation blocks choose from: title, URL, topic and funnel stage.",
        owners_only: false,
        section: Section::Blocks,
    },
    Part {
        key: "webhooks",
        title: "Webhooks",
        about: "Endpoints workflows send signed webhooks to. Secrets are write-only: a secret left as shown is kept.",
        owners_only: true,
        section: Section::Settings,
    },
];

pub fn part(name: &str) -> Result<&'static Part, ConsoleError> {
    PARTS.iter().find(|part| part.key == name).ok_or(ConsoleError::NotFound)
}
