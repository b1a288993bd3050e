//! Persons: their documents with the columns indexed beside them, found by id, visitor
//! or email, held for the transaction, saved in multi-row statements, folded into
//! another person or erased; and the lists of persons the workflow runner, decay and
//! the leads list read.

use std::collections::HashMap;

use sqlx::{PgConnection, Postgres, QueryBuilder, Row};

use super::rows::ROWS_PER_STATEMENT;
use crate::store::contract::StoreResult;
use crate::store::records::{ActivePerson, KnownQuery, PersonKey, PersonRow};

/// See [`WriteTx::person_docs`](crate::store::contract::WriteTx::person_docs): one `IN`
/// list per site, so the primary key answers each lookup.
pub(super) async fn docs(
    connection: &mut PgConnection,
    keys: &[(&str, &str)],
) -> StoreResult<Vec<Option<String>>> {
    // Each key once, numbered; the documents found by number.
    let mut numbers: HashMap<(&str, &str), usize> = HashMap::with_capacity(keys.len());
    let mut ids_by_site: HashMap<&str, Vec<&str>> = HashMap::new();
    for &(site, id) in keys {
        let next = numbers.len();
        numbers.entry((site, id)).or_insert_with(|| {
            ids_by_site.entry(site).or_default().push(id);
            next
        });
    }
    let mut found: Vec<Option<String>> = vec![None; numbers.len()];
    for (site, ids) in &ids_by_site {
        for chunk in ids.chunks(ROWS_PER_STATEMENT) {
            let mut query =
                QueryBuilder::<Postgres>::new("SELECT site, id, doc FROM persons WHERE site = ");
            query.push_bind(*site).push(" AND id IN (");
            let mut separated = query.separated(", ");
            for id in chunk {
                separated.push_bind(*id);
            }
            query.push(")");
            for row in query.build().fetch_all(&mut *connection).await? {
                let site: String = row.try_get("site")?;
                let id: String = row.try_get("id")?;
                let number = numbers.get(&(site.as_str(), id.as_str()));
                if let Some(doc) = number.and_then(|&number| found.get_mut(number)) {
                    *doc = Some(row.try_get("doc")?);
                }
            }
        }
    }
    Ok(keys
        .iter()
        .map(|key| numbers.get(key).and_then(|&number| found.get(number)).cloned().flatten())
        .collect())
}

/// A person by id.
const BY_ID: &str = "SELECT id, doc FROM persons WHERE site = $1 AND id = $2";

/// The person of a visitor.
const BY_VISITOR: &str = "SELECT p.id, p.doc FROM visitors v
    JOIN persons p ON p.site = v.site AND p.id = v.person
    WHERE v.site = $1 AND v.id = $2";

/// What a visitor's browser may be shown: its device view, else its person.
const SHOWN_TO_VISITOR: &str = "SELECT p.id, COALESCE(v.device_view, p.doc) AS doc FROM visitors v
    JOIN persons p ON p.site = v.site AND p.id = v.person
    WHERE v.site = $1 AND v.id = $2";

/// A person by email, as given (at most one per site: index `persons_site_email`).
const BY_EMAIL: &str = "SELECT id, doc FROM persons WHERE site = $1 AND email = $2";

/// The id and document of the person `sql` (one of the above) finds by `value`.
async fn row_by(
    connection: &mut PgConnection,
    sql: &str,
    site: &str,
    value: &str,
) -> StoreResult<Option<(String, String)>> {
    let row = sqlx::query(sql).bind(site).bind(value).fetch_optional(&mut *connection).await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some((row.try_get("id")?, row.try_get("doc")?)))
}

/// The id and document of the person found by `key`.
pub(super) async fn find_row(
    connection: &mut PgConnection,
    site: &str,
    key: &PersonKey,
) -> StoreResult<Option<(String, String)>> {
    match key {
        PersonKey::Id(id) => row_by(connection, BY_ID, site, id).await,
        PersonKey::Visitor(visitor) => row_by(connection, BY_VISITOR, site, visitor).await,
        PersonKey::Email(email) => row_by(connection, BY_EMAIL, site, email).await,
    }
}

/// See [`WriteTx::find_person`](crate::store::contract::WriteTx::find_person).
pub(super) async fn find(
    connection: &mut PgConnection,
    site: &str,
    key: &PersonKey,
) -> StoreResult<Option<String>> {
    Ok(find_row(connection, site, key).await?.map(|(_, doc)| doc))
}

/// See [`Store::person_of_visitor`](crate::store::contract::Store::person_of_visitor).
pub(super) async fn doc_of_visitor(
    connection: &mut PgConnection,
    site: &str,
    visitor: &str,
) -> StoreResult<Option<String>> {
    Ok(row_by(connection, SHOWN_TO_VISITOR, site, visitor).await?.map(|(_, doc)| doc))
}

/// See [`WriteTx::lock_person`](crate::store::contract::WriteTx::lock_person).
pub(super) async fn lock(connection: &mut PgConnection, site: &str, id: &str) -> StoreResult<bool> {
    let row = sqlx::query("SELECT 1 FROM persons WHERE site = $1 AND id = $2 FOR UPDATE")
        .bind(site)
        .bind(id)
        .fetch_optional(&mut *connection)
        .await?;
    Ok(row.is_some())
}

/// See [`WriteTx::save_persons`](crate::store::contract::WriteTx::save_persons). A
/// person given twice is saved as given last: one statement may not update a row twice.
pub(super) async fn save(
    connection: &mut PgConnection,
    persons: &[PersonRow<'_>],
    now_ms: i64,
) -> StoreResult<()> {
    let last: HashMap<(&str, &str), usize> =
        persons.iter().enumerate().map(|(at, person)| ((person.site, person.id), at)).collect();
    let rows: Vec<&PersonRow<'_>> = persons
        .iter()
        .enumerate()
        .filter(|(at, person)| last.get(&(person.site, person.id)) == Some(at))
        .map(|(_, person)| person)
        .collect();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut query = QueryBuilder::<Postgres>::new(
            "INSERT INTO persons (site, id, email, score, temperature, stage, last_activity_ms,
                updated_ms, doc, next_run_ms) ",
        );
        query.push_values(chunk.iter(), |mut row, person| {
            row.push_bind(person.site)
                .push_bind(person.id)
                .push_bind(person.email)
                .push_bind(person.score)
                .push_bind(person.temperature)
                .push_bind(person.stage)
                .push_bind(person.last_activity_ms)
                .push_bind(now_ms)
                .push_bind(person.doc.as_str())
                .push_bind(person.next_run_ms);
        });
        query.push(
            " ON CONFLICT (site, id) DO UPDATE SET email = excluded.email, score = excluded.score,
                temperature = excluded.temperature, stage = excluded.stage,
                last_activity_ms = excluded.last_activity_ms, updated_ms = excluded.updated_ms,
                doc = excluded.doc, next_run_ms = excluded.next_run_ms",
        );
        query.build().execute(&mut *connection).await?;
    }
    Ok(())
}

/// See [`WriteTx::fold_person`](crate::store::contract::WriteTx::fold_person).
pub(super) async fn fold(
    connection: &mut PgConnection,
    site: &str,
    from: &str,
    to: &str,
) -> StoreResult<()> {
    for sql in [
        "UPDATE visitors SET person = $1 WHERE site = $2 AND person = $3",
        "UPDATE score_changes SET person = $1 WHERE site = $2 AND person = $3",
        "UPDATE stage_changes SET person = $1 WHERE site = $2 AND person = $3",
        "UPDATE segment_changes SET person = $1 WHERE site = $2 AND person = $3",
        "UPDATE submissions SET person = $1 WHERE site = $2 AND person = $3",
        "UPDATE consents SET person = $1 WHERE site = $2 AND person = $3",
        "UPDATE confirmations SET person = $1 WHERE site = $2 AND person = $3",
    ] {
        sqlx::query(sql).bind(to).bind(site).bind(from).execute(&mut *connection).await?;
    }
    for sql in [
        "DELETE FROM report_leads WHERE site = $1 AND person = $2",
        "DELETE FROM persons WHERE site = $1 AND id = $2",
    ] {
        sqlx::query(sql).bind(site).bind(from).execute(&mut *connection).await?;
    }
    Ok(())
}

/// See [`WriteTx::delete_person`](crate::store::contract::WriteTx::delete_person).
pub(super) async fn delete(
    connection: &mut PgConnection,
    site: &str,
    id: &str,
) -> StoreResult<bool> {
    sqlx::query(
        "DELETE FROM events WHERE site = $1 AND visitor IN
            (SELECT id FROM visitors WHERE site = $1 AND person = $2)",
    )
    .bind(site)
    .bind(id)
    .execute(&mut *connection)
    .await?;
    for sql in [
        "DELETE FROM visitors WHERE site = $1 AND person = $2",
        "DELETE FROM score_changes WHERE site = $1 AND person = $2",
        "DELETE FROM stage_changes WHERE site = $1 AND person = $2",
        "DELETE FROM segment_changes WHERE site = $1 AND person = $2",
        "DELETE FROM consents WHERE site = $1 AND person = $2",
        "DELETE FROM submissions WHERE site = $1 AND person = $2",
        "DELETE FROM confirmations WHERE site = $1 AND person = $2",
        "DELETE FROM report_leads WHERE site = $1 AND person = $2",
    ] {
        sqlx::query(sql).bind(site).bind(id).execute(&mut *connection).await?;
    }
    let deleted = sqlx::query("DELETE FROM persons WHERE site = $1 AND id = $2")
        .bind(site)
        .bind(id)
        .execute(&mut *connection)
        .await?;
    Ok(deleted.rows_affected() > 0)
}

/// See [`WriteTx::decay_candidates`](crate::store::contract::WriteTx::decay_candidates):
/// rows another transaction holds are skipped, not waited for.
pub(super) async fn decay_candidates(
    connection: &mut PgConnection,
    site: &str,
    inactive_through_ms: i64,
    above_score: i32,
    limit: u32,
) -> StoreResult<Vec<String>> {
    let rows = sqlx::query(
        "SELECT doc FROM persons WHERE site = $1 AND last_activity_ms <= $2 AND score > $3
         ORDER BY last_activity_ms LIMIT $4 FOR UPDATE SKIP LOCKED",
    )
    .bind(site)
    .bind(inactive_through_ms)
    .bind(above_score)
    .bind(i64::from(limit))
    .fetch_all(&mut *connection)
    .await?;
    Ok(rows.iter().map(|row| row.try_get("doc")).collect::<Result<_, _>>()?)
}

/// See [`Store::known_persons`](crate::store::contract::Store::known_persons).
pub(super) async fn known(
    connection: &mut PgConnection,
    site: &str,
    query: &KnownQuery,
) -> StoreResult<Vec<String>> {
    let sql = format!(
        "SELECT doc FROM persons
         WHERE site = $1 AND email IS NOT NULL
           AND ($2::TEXT IS NULL OR temperature = $2) AND ($3::TEXT IS NULL OR stage = $3)
           AND ($4::INTEGER IS NULL OR score >= $4) AND ($5::INTEGER IS NULL OR score <= $5)
           AND ($6::BIGINT IS NULL OR last_activity_ms >= $6)
           AND ($7::BIGINT IS NULL OR last_activity_ms < $7)
         {} LIMIT $8",
        query.order.sql()
    );
    let rows = sqlx::query(&sql)
        .bind(site)
        .bind(&query.temperature)
        .bind(&query.stage)
        .bind(query.min_score)
        .bind(query.max_score)
        .bind(query.active_from_ms)
        .bind(query.active_until_ms)
        .bind(i64::from(query.limit))
        .fetch_all(&mut *connection)
        .await?;
    Ok(rows.iter().map(|row| row.try_get("doc")).collect::<Result<_, _>>()?)
}

/// See [`Store::due_runs`](crate::store::contract::Store::due_runs) (partial index
/// `persons_next_run`).
pub(super) async fn due_runs(
    connection: &mut PgConnection,
    now_ms: i64,
    limit: u32,
) -> StoreResult<Vec<(String, String)>> {
    let rows = sqlx::query(
        "SELECT site, id FROM persons WHERE next_run_ms IS NOT NULL AND next_run_ms <= $1
         ORDER BY next_run_ms LIMIT $2",
    )
    .bind(now_ms)
    .bind(i64::from(limit))
    .fetch_all(&mut *connection)
    .await?;
    Ok(rows
        .iter()
        .map(|row| Ok((row.try_get("site")?, row.try_get("id")?)))
        .collect::<Result<_, sqlx::Error>>()?)
}

/// See [`Store::quiet_persons`](crate::store::contract::Store::quiet_persons).
pub(super) async fn quiet(
    connection: &mut PgConnection,
    site: &str,
    after_ms: i64,
    until_ms: i64,
    limit: u32,
) -> StoreResult<Vec<(String, i64)>> {
    let rows = sqlx::query(
        "SELECT id, last_activity_ms FROM persons
         WHERE site = $1 AND last_activity_ms > $2 AND last_activity_ms <= $3
         ORDER BY last_activity_ms LIMIT $4",
    )
    .bind(site)
    .bind(after_ms)
    .bind(until_ms)
    .bind(i64::from(limit))
    .fetch_all(&mut *connection)
    .await?;
    Ok(rows
        .iter()
        .map(|row| Ok((row.try_get("id")?, row.try_get("last_activity_ms")?)))
        .collect::<Result<_, sqlx::Error>>()?)
}

/// See [`Store::active_persons`](crate::store::contract::Store::active_persons).
pub(super) async fn active(
    connection: &mut PgConnection,
    site: &str,
    since_ms: i64,
    before: Option<&(i64, String)>,
    limit: u32,
) -> StoreResult<Vec<ActivePerson>> {
    let (before_ms, before_id) = before.map_or((None, None), |(ms, id)| (Some(*ms), Some(id)));
    let rows = sqlx::query(
        "SELECT id, last_activity_ms, doc FROM persons
         WHERE site = $1 AND last_activity_ms >= $2
           AND ($3::BIGINT IS NULL OR (last_activity_ms, id) < ($3, $4))
         ORDER BY last_activity_ms DESC, id DESC LIMIT $5",
    )
    .bind(site)
    .bind(since_ms)
    .bind(before_ms)
    .bind(before_id)
    .bind(i64::from(limit))
    .fetch_all(&mut *connection)
    .await?;
    Ok(rows
        .iter()
        .map(|row| {
            Ok(ActivePerson {
                id: row.try_get("id")?,
                last_activity_ms: row.try_get("last_activity_ms")?,
                doc: row.try_get("doc")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()?)
}
