//! What the rule editors (a block's audience, a segment) do with a rule before it is
//! saved: read the builder's rows as a rule checked against the facts it may use, count
//! who of the last 30 days it matches, and judge it against one person.

use kindling_core::rules::Rule;

use crate::clock::unix_millis;
use crate::console::error::ConsoleError;
use crate::editing::fields::Problems;
use crate::editing::rule::RuleRows;
use crate::error::ApiError;
use crate::personalize::reach::{self, Explained, Reach};
use crate::profiles::document::decode;
use crate::profiles::view::lookup;
use crate::state::AppState;
use crate::store::PersonKey;

/// The field the tester's person is posted in.
pub const TEST_PERSON: &str = "test.person";

/// A rule being edited: its rows, the facts it may read, and the field its problems
/// are shown at.
pub struct Edited<'a> {
    pub rows: &'a RuleRows,
    pub facts: &'a [&'a str],
    pub field: &'a str,
}

impl Edited<'_> {
    /// The rule (`Some(None)`: everyone), or `None` with a problem at the field.
    pub fn rule(&self, problems: &mut Problems) -> Option<Option<Rule>> {
        let Some(value) = self.rows.to_value() else { return Some(None) };
        let rule = serde_yaml_ng::from_value::<Rule>(value)
            .map_err(|error| error.to_string())
            .and_then(|rule| {
                rule.validate(self.facts)
                    .map(|()| rule)
                    .map_err(|error| format!("{}: {}", error.message(), error.fact()))
            });
        match rule {
            Ok(rule) => Some(Some(rule)),
            Err(problem) => {
                problems.add(self.field, problem);
                None
            }
        }
    }

    /// Who of site `site`'s persons of the last 30 days the rule matches.
    pub async fn count(
        &self,
        app: &AppState,
        site: &str,
        problems: &mut Problems,
    ) -> Result<Option<Reach>, ConsoleError> {
        let Some(rule) = self.rule(problems) else { return Ok(None) };
        let counted = reach::count(&app.store, site, rule.as_ref(), unix_millis())
            .await
            .map_err(ApiError::from)?;
        Ok(Some(counted))
    }

    /// Why the rule matches `who` (an email or a person's id) or not; `None` with a
    /// problem at [`TEST_PERSON`] when there is no such person.
    pub async fn test(
        &self,
        app: &AppState,
        site: &str,
        who: &str,
        problems: &mut Problems,
    ) -> Result<Option<(String, Option<Explained>)>, ConsoleError> {
        let Some(rule) = self.rule(problems) else { return Ok(None) };
        if who.is_empty() {
            problems.add(TEST_PERSON, "enter an email or a person's id");
            return Ok(None);
        }
        let key = if who.contains('@') {
            PersonKey::Email(who.to_owned())
        } else {
            PersonKey::Id(who.to_owned())
        };
        let stored = app.store.profile(site, &lookup(&key)).await.map_err(ApiError::from)?;
        let Some(person) = stored.and_then(|stored| decode(&stored.doc).ok()) else {
            problems.add(TEST_PERSON, "no person with this email or id on this site");
            return Ok(None);
        };
        let facts = reach::profile_facts(&person, unix_millis());
        let explained = rule.as_ref().map(|rule| reach::explain(rule, &facts));
        Ok(Some((who.to_owned(), explained)))
    }
}
