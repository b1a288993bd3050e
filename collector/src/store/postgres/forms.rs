//! Lead form submissions with their consents and double opt-in tokens, and spam
//! counters.

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};

use crate::store::contract::StoreResult;
use crate::store::records::{Confirmation, SubmissionRecord};

const CONFIRMATION_COLUMNS: &str =
    "token, site, submission, person, visitor, email, form, created_ms, confirmed_ms";

fn confirmation_of(row: &PgRow) -> Result<Confirmation, sqlx::Error> {
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

/// See [`WriteTx::submission_since`](crate::store::contract::WriteTx::submission_since).
pub(super) async fn submission_since(
    connection: &mut PgConnection,
    site: &str,
    form: &str,
    email: &str,
    since_ms: i64,
) -> StoreResult<Option<String>> {
    let row = sqlx::query(
        "SELECT id FROM submissions
         WHERE site = $1 AND form = $2 AND email = $3 AND received_ms >= $4
         ORDER BY received_ms LIMIT 1",
    )
    .bind(site)
    .bind(form)
    .bind(email)
    .bind(since_ms)
    .fetch_optional(&mut *connection)
    .await?;
    Ok(row.map(|row| row.try_get("id")).transpose()?)
}

/// See [`WriteTx::insert_submission`](crate::store::contract::WriteTx::insert_submission).
pub(super) async fn insert_submission(
    connection: &mut PgConnection,
    site: &str,
    record: &SubmissionRecord,
    person: &str,
    visitor: &str,
    now_ms: i64,
) -> StoreResult<()> {
    let confirmed = record.confirmation.is_none().then_some(now_ms);
    let stored = sqlx::query(
        "INSERT INTO submissions (site, id, form, person, visitor, email, page, block, variant,
            fields, received_ms, confirmed_ms)
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
    .bind(now_ms)
    .bind(confirmed)
    .execute(&mut *connection)
    .await?;
    if stored.rows_affected() == 0 {
        // A resend of a stored submission: its consents and token are stored.
        return Ok(());
    }
    for consent in &record.consents {
        sqlx::query(
            "INSERT INTO consents (site, submission, field, person, form, text, version, page,
                given_ms, confirmed_ms)
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
        .bind(now_ms)
        .bind(confirmed)
        .execute(&mut *connection)
        .await?;
    }
    if let Some(token) = &record.confirmation {
        sqlx::query(
            "INSERT INTO confirmations (token, site, submission, person, visitor, email, form,
                created_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(token)
        .bind(site)
        .bind(&record.id)
        .bind(person)
        .bind(visitor)
        .bind(&record.email)
        .bind(&record.form)
        .bind(now_ms)
        .execute(&mut *connection)
        .await?;
    }
    Ok(())
}

/// See [`WriteTx::count_spam`](crate::store::contract::WriteTx::count_spam).
pub(super) async fn count_spam(
    connection: &mut PgConnection,
    site: &str,
    form: &str,
    reason: &str,
    day: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO form_spam (site, form, reason, day, count) VALUES ($1, $2, $3, $4, 1)
         ON CONFLICT (site, form, reason, day) DO UPDATE SET count = form_spam.count + 1",
    )
    .bind(site)
    .bind(form)
    .bind(reason)
    .bind(day)
    .execute(&mut *connection)
    .await?;
    Ok(())
}

/// See [`WriteTx::confirmation`](crate::store::contract::WriteTx::confirmation).
pub(super) async fn confirmation(
    connection: &mut PgConnection,
    token: &str,
) -> StoreResult<Option<Confirmation>> {
    let sql = format!("SELECT {CONFIRMATION_COLUMNS} FROM confirmations WHERE token = $1");
    let row = sqlx::query(&sql).bind(token).fetch_optional(&mut *connection).await?;
    Ok(row.as_ref().map(confirmation_of).transpose()?)
}

/// See [`WriteTx::confirm`](crate::store::contract::WriteTx::confirm).
pub(super) async fn confirm(
    connection: &mut PgConnection,
    confirmation: &Confirmation,
    now_ms: i64,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE confirmations SET confirmed_ms = $1 WHERE token = $2 AND confirmed_ms IS NULL",
    )
    .bind(now_ms)
    .bind(&confirmation.token)
    .execute(&mut *connection)
    .await?;
    for sql in [
        "UPDATE submissions SET confirmed_ms = $1
         WHERE site = $2 AND id = $3 AND confirmed_ms IS NULL",
        "UPDATE consents SET confirmed_ms = $1
         WHERE site = $2 AND submission = $3 AND confirmed_ms IS NULL",
    ] {
        sqlx::query(sql)
            .bind(now_ms)
            .bind(&confirmation.site)
            .bind(&confirmation.submission)
            .execute(&mut *connection)
            .await?;
    }
    Ok(())
}

/// See [`Store::confirmations`](crate::store::contract::Store::confirmations).
pub(super) async fn confirmations(
    connection: &mut PgConnection,
    site: &str,
    pending: bool,
    limit: u32,
) -> StoreResult<Vec<Confirmation>> {
    let sql = format!(
        "SELECT {CONFIRMATION_COLUMNS} FROM confirmations
         WHERE site = $1 AND (NOT $2 OR confirmed_ms IS NULL)
         ORDER BY created_ms DESC LIMIT $3"
    );
    let rows = sqlx::query(&sql)
        .bind(site)
        .bind(pending)
        .bind(i64::from(limit))
        .fetch_all(&mut *connection)
        .await?;
    Ok(rows.iter().map(confirmation_of).collect::<Result<_, _>>()?)
}
