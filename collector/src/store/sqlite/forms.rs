//! Lead form submissions with their consents and double opt-in tokens, and spam
//! counters.

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::store::contract::StoreResult;
use crate::store::records::{Confirmation, SubmissionRecord};

const CONFIRMATION_COLUMNS: &str =
    "token, site, submission, person, visitor, email, form, created_ms, confirmed_ms";

fn confirmation_of(row: &Row<'_>) -> rusqlite::Result<Confirmation> {
    Ok(Confirmation {
        token: row.get(0)?,
        site: row.get(1)?,
        submission: row.get(2)?,
        person: row.get(3)?,
        visitor: row.get(4)?,
        email: row.get(5)?,
        form: row.get(6)?,
        created_ms: row.get(7)?,
        confirmed_ms: row.get(8)?,
    })
}

/// See [`WriteTx::submission_since`](crate::store::contract::WriteTx::submission_since).
pub fn submission_since(
    connection: &Connection,
    site: &str,
    form: &str,
    email: &str,
    since_ms: i64,
) -> StoreResult<Option<String>> {
    let id = connection
        .prepare_cached(
            "SELECT id FROM submissions
             WHERE site = ?1 AND form = ?2 AND email = ?3 AND received_ms >= ?4
             ORDER BY received_ms LIMIT 1",
        )?
        .query_row(params![site, form, email, since_ms], |row| row.get(0))
        .optional()?;
    Ok(id)
}

/// See [`WriteTx::insert_submission`](crate::store::contract::WriteTx::insert_submission).
pub fn insert_submission(
    connection: &Connection,
    site: &str,
    record: &SubmissionRecord,
    person: &str,
    visitor: &str,
    now_ms: i64,
) -> StoreResult<()> {
    let confirmed = record.confirmation.is_none().then_some(now_ms);
    let stored = connection
        .prepare_cached(
            "INSERT INTO submissions (site, id, form, person, visitor, email, page, block,
                variant, fields, received_ms, confirmed_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
             ON CONFLICT (site, id) DO NOTHING",
        )?
        .execute(params![
            site,
            record.id,
            record.form,
            person,
            visitor,
            record.email,
            record.page,
            record.block,
            record.variant,
            record.fields_json,
            now_ms,
            confirmed,
        ])?;
    if stored == 0 {
        // A resend of a stored submission: its consents and token are stored.
        return Ok(());
    }
    let mut consent = connection.prepare_cached(
        "INSERT INTO consents (site, submission, field, person, form, text, version, page,
            given_ms, confirmed_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for given in &record.consents {
        consent.execute(params![
            site,
            record.id,
            given.field,
            person,
            record.form,
            given.text,
            given.version,
            record.page,
            now_ms,
            confirmed,
        ])?;
    }
    if let Some(token) = &record.confirmation {
        connection
            .prepare_cached(
                "INSERT INTO confirmations (token, site, submission, person, visitor, email,
                    form, created_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                token,
                site,
                record.id,
                person,
                visitor,
                record.email,
                record.form,
                now_ms
            ])?;
    }
    Ok(())
}

/// See [`WriteTx::count_spam`](crate::store::contract::WriteTx::count_spam).
pub fn count_spam(
    connection: &Connection,
    site: &str,
    form: &str,
    reason: &str,
    day: i64,
) -> StoreResult<()> {
    connection
        .prepare_cached(
            "INSERT INTO form_spam (site, form, reason, day, count) VALUES (?1, ?2, ?3, ?4, 1)
             ON CONFLICT (site, form, reason, day) DO UPDATE SET count = form_spam.count + 1",
        )?
        .execute(params![site, form, reason, day])?;
    Ok(())
}

/// See [`WriteTx::confirmation`](crate::store::contract::WriteTx::confirmation).
pub fn confirmation(connection: &Connection, token: &str) -> StoreResult<Option<Confirmation>> {
    let sql = format!("SELECT {CONFIRMATION_COLUMNS} FROM confirmations WHERE token = ?1");
    Ok(connection.prepare_cached(&sql)?.query_row(params![token], confirmation_of).optional()?)
}

/// See [`WriteTx::confirm`](crate::store::contract::WriteTx::confirm).
pub fn confirm(
    connection: &Connection,
    confirmation: &Confirmation,
    now_ms: i64,
) -> StoreResult<()> {
    connection
        .prepare_cached(
            "UPDATE confirmations SET confirmed_ms = ?1 WHERE token = ?2 AND confirmed_ms IS NULL",
        )?
        .execute(params![now_ms, confirmation.token])?;
    for sql in [
        "UPDATE submissions SET confirmed_ms = ?1
         WHERE site = ?2 AND id = ?3 AND confirmed_ms IS NULL",
        "UPDATE consents SET confirmed_ms = ?1
         WHERE site = ?2 AND submission = ?3 AND confirmed_ms IS NULL",
    ] {
        connection.prepare_cached(sql)?.execute(params![
            now_ms,
            confirmation.site,
            confirmation.submission
        ])?;
    }
    Ok(())
}

/// See [`Store::confirmations`](crate::store::contract::Store::confirmations).
pub fn confirmations(
    connection: &Connection,
    site: &str,
    pending: bool,
    limit: u32,
) -> StoreResult<Vec<Confirmation>> {
    let sql = format!(
        "SELECT {CONFIRMATION_COLUMNS} FROM confirmations
         WHERE site = ?1 AND (?2 = 0 OR confirmed_ms IS NULL)
         ORDER BY created_ms DESC LIMIT ?3"
    );
    let rows = connection
        .prepare_cached(&sql)?
        .query_map(params![site, i32::from(pending), i64::from(limit)], confirmation_of)?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}
