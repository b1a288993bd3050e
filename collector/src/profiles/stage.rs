//! Lifecycle stages: anonymous → lead → MQL → SQL → customer.
//!
//! Automatic moves only go forward: a known email makes a lead; a score at the MQL
//! threshold with marketing consent makes an MQL; a score at the SQL threshold or a
//! submission of one of the SQL forms (a demo or offer request) makes an SQL. Sales can
//! set any stage through the admin API (accepting an SQL, recording a customer).

use serde::{Deserialize, Serialize};

/// A lifecycle stage, in order.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Anonymous,
    Lead,
    Mql,
    Sql,
    Customer,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Anonymous => "anonymous",
            Stage::Lead => "lead",
            Stage::Mql => "mql",
            Stage::Sql => "sql",
            Stage::Customer => "customer",
        }
    }

    pub fn parse(text: &str) -> Option<Stage> {
        [Stage::Anonymous, Stage::Lead, Stage::Mql, Stage::Sql, Stage::Customer]
            .into_iter()
            .find(|stage| stage.as_str() == text)
    }
}

/// When a profile moves on by itself; from the site's configuration (`stages:`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct StagePolicy {
    /// Score at which a lead with marketing consent becomes an MQL.
    pub mql_score: i32,
    /// Score at which a lead becomes an SQL.
    pub sql_score: i32,
    /// Forms whose submission makes the person an SQL (demo and offer requests).
    pub sql_forms: Vec<String>,
}

impl Default for StagePolicy {
    fn default() -> Self {
        StagePolicy { mql_score: 50, sql_score: 90, sql_forms: vec!["demo-request".to_owned()] }
    }
}

/// What the stage policy looks at.
pub struct StageFacts {
    pub current: Stage,
    pub known: bool,
    pub score: i32,
    pub marketing_consent: bool,
    /// A form of `sql_forms` was just submitted.
    pub sql_form_submitted: bool,
}

impl StagePolicy {
    /// The stage the profile moves to now, with the cause, if it moves.
    pub fn next(&self, facts: &StageFacts) -> Option<(Stage, &'static str)> {
        if !facts.known {
            return None;
        }
        let target = if facts.sql_form_submitted {
            (Stage::Sql, "sql_form_submitted")
        } else if facts.score >= self.sql_score {
            (Stage::Sql, "sql_score_reached")
        } else if facts.score >= self.mql_score && facts.marketing_consent {
            (Stage::Mql, "mql_score_reached")
        } else {
            (Stage::Lead, "email_known")
        };
        (target.0 > facts.current).then_some(target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(current: Stage, score: i32, consent: bool, form: bool) -> StageFacts {
        StageFacts {
            current,
            known: true,
            score,
            marketing_consent: consent,
            sql_form_submitted: form,
        }
    }

    #[test]
    fn moves_forward_only() {
        let policy = StagePolicy::default();
        assert_eq!(
            policy.next(&facts(Stage::Anonymous, 0, false, false)),
            Some((Stage::Lead, "email_known"))
        );
        assert_eq!(
            policy.next(&facts(Stage::Lead, 55, true, false)),
            Some((Stage::Mql, "mql_score_reached"))
        );
        assert_eq!(
            policy.next(&facts(Stage::Lead, 55, false, false)),
            None,
            "MQL needs marketing consent"
        );
        assert_eq!(
            policy.next(&facts(Stage::Mql, 95, true, false)),
            Some((Stage::Sql, "sql_score_reached"))
        );
        assert_eq!(
            policy.next(&facts(Stage::Lead, 10, false, true)),
            Some((Stage::Sql, "sql_form_submitted"))
        );
        assert_eq!(policy.next(&facts(Stage::Sql, 10, false, false)), None, "never backwards");
        assert_eq!(policy.next(&facts(Stage::Customer, 100, true, true)), None);
        let anonymous = StageFacts { known: false, ..facts(Stage::Anonymous, 100, true, true) };
        assert_eq!(policy.next(&anonymous), None, "anonymous visitors stay anonymous");
    }
}
