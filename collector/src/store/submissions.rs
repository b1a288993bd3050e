//! Lead form submissions, written once for both backends like `people`: the submission
//! row, its consent records and its double opt-in token are stored in the group
//! commit's transaction, with the `form_submit` event that carries it. Also the spam
//! counters, confirmations and the counts form reports read.

/// Days a double opt-in token stays valid.
pub const CONFIRMATION_DAYS: i64 = 7;

/// A lead form submission, committed together with its `form_submit` event.
#[derive(Debug, Clone, PartialEq)]
pub struct SubmissionRecord {
    /// The submission's id: its `form_submit` event's.
    pub id: String,
    pub form: String,
    /// The normalized email the person is found or created by.
    pub email: String,
    pub page: String,
    pub block: Option<String>,
    pub variant: Option<String>,
    /// Every value sent, hidden fields included, as a JSON object.
    pub fields_json: String,
    /// The consents given (checked consent fields).
    pub consents: Vec<ConsentGiven>,
    /// Double opt-in: the confirmation token; consent waits for it.
    pub confirmation: Option<String>,
    /// A submission of the same form by the same email received at or after this time
    /// makes this one a repeat, which is not stored.
    pub repeat_since_ms: i64,
}

/// One consent a submission gave: the field, and the exact text and version shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentGiven {
    pub field: String,
    pub text: String,
    pub version: String,
}

/// A double opt-in token's state.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Confirmation {
    pub token: String,
    pub site: String,
    pub submission: String,
    pub person: String,
    pub visitor: String,
    pub email: String,
    pub form: String,
    pub created_ms: i64,
    pub confirmed_ms: Option<i64>,
}

/// What following a confirmation link did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmed {
    /// Confirmed now.
    Now(Confirmation),
    /// Confirmed by an earlier visit of the link.
    Already(Confirmation),
    /// Older than [`CONFIRMATION_DAYS`].
    Expired,
    Unknown,
}

/// Counts a form report is built from, for one site and time range.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormCounts {
    /// `(form, kind, count)` of views and starts.
    pub events: Vec<(String, String, u64)>,
    /// `(form, last field reached, count)` of abandons (their sum: the form's abandons).
    pub abandoned_at: Vec<(String, String, u64)>,
    /// `(form, stored submissions, confirmed)`.
    pub submissions: Vec<(String, u64, u64)>,
    /// `(form, field, version, given, confirmed)` of consents.
    pub consents: Vec<(String, String, String, u64, u64)>,
    /// `(form, reason, count)` of refused spam.
    pub spam: Vec<(String, String, u64)>,
}

/// Expands the submission queries for one backend: `$db` is its sqlx database type and
/// `$connection` its connection type.
macro_rules! submission_queries {
    ($db:ty, $connection:ty) => {
        use sqlx::Row as _;

        use crate::store::StoreError;
        use crate::store::submissions::{
            CONFIRMATION_DAYS, Confirmation, Confirmed, FormCounts, SubmissionRecord,
        };

        const DAY_MS: i64 = 86_400_000;

        /// The earlier submission `record` repeats, if any.
        pub async fn repeat_of(
            connection: &mut $connection,
            site: &str,
            record: &SubmissionRecord,
        ) -> Result<Option<String>, StoreError> {
            let row = sqlx::query(
                "SELECT id FROM submissions
                 WHERE site = $1 AND form = $2 AND email = $3 AND received_ms >= $4
                 ORDER BY received_ms LIMIT 1",
            )
            .bind(site)
            .bind(&record.form)
            .bind(&record.email)
            .bind(record.repeat_since_ms)
            .fetch_optional(&mut *connection)
            .await?;
            Ok(row.map(|row| row.try_get("id")).transpose()?)
        }

        /// Stores the submission, its consents and its confirmation token.
        pub async fn insert(
            connection: &mut $connection,
            site: &str,
            record: &SubmissionRecord,
            person: &str,
            visitor: &str,
            now: i64,
        ) -> Result<(), StoreError> {
            let confirmed = record.confirmation.is_none().then_some(now);
            let stored = sqlx::query(
                "INSERT INTO submissions (site, id, form, person, visitor, email, page, block,
                    variant, fields, received_ms, confirmed_ms)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                 ON CONFLICT (site, id) DO NOTHING",
            )
            .bind(site)
            .bind(&record.id)
            .bind(&record.form)
            .bind(person)
            .bind(visitor)
            .bind(&record.email)
            .bind(&record.page)
            .bind(&record.block)
            .bind(&record.variant)
            .bind(&record.fields_json)
            .bind(now)
            .bind(confirmed)
            .execute(&mut *connection)
            .await?;
            if stored.rows_affected() == 0 {
                // A resend of a stored submission: its consents and token are stored.
                return Ok(());
            }
            for consent in &record.consents {
                sqlx::query(
                    "INSERT INTO consents (site, submission, field, person, form, text, version,
                        page, given_ms, confirmed_ms)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(site)
                .bind(&record.id)
                .bind(&consent.field)
                .bind(person)
                .bind(&record.form)
                .bind(&consent.text)
                .bind(&consent.version)
                .bind(&record.page)
                .bind(now)
                .bind(confirmed)
                .execute(&mut *connection)
                .await?;
            }
            if let Some(token) = &record.confirmation {
                sqlx::query(
                    "INSERT INTO confirmations (token, site, submission, person, visitor, email,
                        form, created_ms)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(token)
                .bind(site)
                .bind(&record.id)
                .bind(person)
                .bind(visitor)
                .bind(&record.email)
                .bind(&record.form)
                .bind(now)
                .execute(&mut *connection)
                .await?;
            }
            Ok(())
        }

        fn confirmation_of(row: &<$db as sqlx::Database>::Row) -> Result<Confirmation, StoreError> {
            Ok(Confirmation {
                token: row.try_get("token")?,
                site: row.try_get("site")?,
                submission: row.try_get("submission")?,
                person: row.try_get("person")?,
                visitor: row.try_get("visitor")?,
                email: row.try_get("email")?,
                form: row.try_get("form")?,
                created_ms: row.try_get("created_ms")?,
                confirmed_ms: row.try_get("confirmed_ms")?,
            })
        }

        const CONFIRMATION_COLUMNS: &str =
            "token, site, submission, person, visitor, email, form, created_ms, confirmed_ms";

        /// Confirms the submission and consents `token` stands for.
        pub async fn confirm(
            connection: &mut $connection,
            token: &str,
            now: i64,
        ) -> Result<Confirmed, StoreError> {
            let sql = format!("SELECT {CONFIRMATION_COLUMNS} FROM confirmations WHERE token = $1");
            let Some(row) = sqlx::query(&sql).bind(token).fetch_optional(&mut *connection).await?
            else {
                return Ok(Confirmed::Unknown);
            };
            let mut confirmation = confirmation_of(&row)?;
            if confirmation.confirmed_ms.is_some() {
                return Ok(Confirmed::Already(confirmation));
            }
            if now - confirmation.created_ms > CONFIRMATION_DAYS * DAY_MS {
                return Ok(Confirmed::Expired);
            }
            let site = confirmation.site.clone();
            let submission = confirmation.submission.clone();
            sqlx::query("UPDATE confirmations SET confirmed_ms = $1 WHERE token = $2")
                .bind(now)
                .bind(token)
                .execute(&mut *connection)
                .await?;
            for table in ["submissions", "consents"] {
                let column = if table == "submissions" { "id" } else { "submission" };
                let sql = format!(
                    "UPDATE {table} SET confirmed_ms = $1
                     WHERE site = $2 AND {column} = $3 AND confirmed_ms IS NULL"
                );
                sqlx::query(&sql)
                    .bind(now)
                    .bind(&site)
                    .bind(&submission)
                    .execute(&mut *connection)
                    .await?;
            }
            confirmation.confirmed_ms = Some(now);
            Ok(Confirmed::Now(confirmation))
        }

        /// A site's confirmation tokens, newest first; only unconfirmed ones if `pending`.
        pub async fn confirmations(
            connection: &mut $connection,
            site: &str,
            pending: bool,
            limit: u32,
        ) -> Result<Vec<Confirmation>, StoreError> {
            let sql = format!(
                "SELECT {CONFIRMATION_COLUMNS} FROM confirmations
                 WHERE site = $1 AND ($2 = 0 OR confirmed_ms IS NULL)
                 ORDER BY created_ms DESC LIMIT $3"
            );
            let rows = sqlx::query(&sql)
                .bind(site)
                .bind(i32::from(pending))
                .bind(i64::from(limit))
                .fetch_all(&mut *connection)
                .await?;
            rows.iter().map(confirmation_of).collect()
        }

        /// Counts one refused submission of `form` for `reason`.
        pub async fn count_spam(
            connection: &mut $connection,
            site: &str,
            form: &str,
            reason: &str,
            now: i64,
        ) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO form_spam (site, form, reason, day, count) VALUES ($1, $2, $3, $4, 1)
                 ON CONFLICT (site, form, reason, day) DO UPDATE SET count = form_spam.count + 1",
            )
            .bind(site)
            .bind(form)
            .bind(reason)
            .bind(now.div_euclid(DAY_MS))
            .execute(&mut *connection)
            .await?;
            Ok(())
        }

        /// What a form report needs, for `[from, until)`, bot traffic left out.
        pub async fn counts(
            connection: &mut $connection,
            site: &str,
            from: i64,
            until: i64,
        ) -> Result<FormCounts, StoreError> {
            let count = |row: &<$db as sqlx::Database>::Row, column: &str| -> Result<u64, StoreError> {
                Ok(u64::try_from(row.try_get::<i64, _>(column)?).unwrap_or(0))
            };
            let mut counts = FormCounts::default();
            let rows = sqlx::query(
                "SELECT name, kind, COUNT(*) AS n FROM events
                 WHERE site = $1 AND kind IN ('form_view', 'form_start')
                   AND received_ms >= $2 AND received_ms < $3 AND bot = $4 AND name IS NOT NULL
                 GROUP BY name, kind",
            )
            .bind(site)
            .bind(from)
            .bind(until)
            .bind(false)
            .fetch_all(&mut *connection)
            .await?;
            for row in &rows {
                counts.events.push((row.try_get("name")?, row.try_get("kind")?, count(row, "n")?));
            }
            let rows = sqlx::query(
                "SELECT name, COALESCE(target, '') AS field, COUNT(*) AS n FROM events
                 WHERE site = $1 AND kind = 'form_abandon'
                   AND received_ms >= $2 AND received_ms < $3 AND bot = $4 AND name IS NOT NULL
                 GROUP BY name, COALESCE(target, '')",
            )
            .bind(site)
            .bind(from)
            .bind(until)
            .bind(false)
            .fetch_all(&mut *connection)
            .await?;
            for row in &rows {
                counts.abandoned_at.push((row.try_get("name")?, row.try_get("field")?, count(row, "n")?));
            }
            let rows = sqlx::query(
                "SELECT form, COUNT(*) AS n, COUNT(confirmed_ms) AS confirmed FROM submissions
                 WHERE site = $1 AND received_ms >= $2 AND received_ms < $3
                 GROUP BY form",
            )
            .bind(site)
            .bind(from)
            .bind(until)
            .fetch_all(&mut *connection)
            .await?;
            for row in &rows {
                counts.submissions.push((row.try_get("form")?, count(row, "n")?, count(row, "confirmed")?));
            }
            let rows = sqlx::query(
                "SELECT form, field, version, COUNT(*) AS n, COUNT(confirmed_ms) AS confirmed
                 FROM consents WHERE site = $1 AND given_ms >= $2 AND given_ms < $3
                 GROUP BY form, field, version",
            )
            .bind(site)
            .bind(from)
            .bind(until)
            .fetch_all(&mut *connection)
            .await?;
            for row in &rows {
                counts.consents.push((
                    row.try_get("form")?,
                    row.try_get("field")?,
                    row.try_get("version")?,
                    count(row, "n")?,
                    count(row, "confirmed")?,
                ));
            }
            let rows = sqlx::query(
                "SELECT form, reason, CAST(SUM(count) AS BIGINT) AS n FROM form_spam
                 WHERE site = $1 AND day >= $2 AND day <= $3
                 GROUP BY form, reason",
            )
            .bind(site)
            .bind(from.div_euclid(DAY_MS))
            .bind((until - 1).div_euclid(DAY_MS))
            .fetch_all(&mut *connection)
            .await?;
            for row in &rows {
                counts.spam.push((row.try_get("form")?, row.try_get("reason")?, count(row, "n")?));
            }
            Ok(counts)
        }
    };
}

pub(crate) use submission_queries;
