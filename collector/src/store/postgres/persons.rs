//! Persons: their documents with the indexed columns beside them, the lines explaining
//! their changes, their whole stored profile, merges and erasure.

use std::collections::HashMap;

use sqlx::{PgConnection, Postgres, QueryBuilder, Row};

use super::events::{EVENT_COLUMNS, ROWS_PER_STATEMENT, event_of};
use crate::store::contract::StoreResult;
use crate::store::records::{
    KnownQuery, PersonKey, PersonLines, PersonRow, ScoreLine, SegmentLine, StageLine, StoredEvent,
    StoredProfile,
};

/// See [`WriteTx::person_docs`](crate::store::contract::WriteTx::person_docs): one `IN`
/// list per site.
pub async fn docs(
    connection: &mut PgConnection,
    keys: &[(&str, &str)],
) -> StoreResult<Vec<Option<String>>> {
    let mut sites: Vec<&str> = keys.iter().map(|(site, _)| *site).collect();
    sites.sort_unstable();
    sites.dedup();
    let mut found: HashMap<(String, String), String> = HashMap::new();
    for site in sites {
        let ids: Vec<&str> = keys.iter().filter(|(s, _)| *s == site).map(|(_, id)| *id).collect();
        for chunk in ids.chunks(ROWS_PER_STATEMENT) {
            let mut query =
                QueryBuilder::<Postgres>::new("SELECT site, id, doc FROM persons WHERE site = ");
            query.push_bind(site).push(" AND id IN (");
            let mut separated = query.separated(", ");
            for id in chunk {
                separated.push_bind(*id);
            }
            query.push(")");
            for row in query.build().fetch_all(&mut *connection).await? {
                found.insert((row.try_get("site")?, row.try_get("id")?), row.try_get("doc")?);
            }
        }
    }
    Ok(keys
        .iter()
        .map(|(site, id)| found.remove(&((*site).to_owned(), (*id).to_owned())))
        .collect())
}

/// The (id, document) of the person found by `key`.
async fn find_row(
    connection: &mut PgConnection,
    site: &str,
    key: &PersonKey,
) -> StoreResult<Option<(String, String)>> {
    let (sql, value) = match key {
        PersonKey::Id(id) => ("SELECT id, doc FROM persons WHERE site = $1 AND id = $2", id),
        PersonKey::Visitor(visitor) => (
            "SELECT p.id, p.doc FROM visitors v JOIN persons p ON p.site = v.site AND p.id = v.person
             WHERE v.site = $1 AND v.id = $2",
            visitor,
        ),
        PersonKey::Email(email) => (
            "SELECT id, doc FROM persons WHERE site = $1 AND email = $2 ORDER BY id LIMIT 1",
            email,
        ),
    };
    let row = sqlx::query(sql).bind(site).bind(value).fetch_optional(&mut *connection).await?;
    Ok(row
        .map(|row| Ok::<_, sqlx::Error>((row.try_get("id")?, row.try_get("doc")?)))
        .transpose()?)
}

/// The document of the person found by `key`.
pub async fn find(
    connection: &mut PgConnection,
    site: &str,
    key: &PersonKey,
) -> StoreResult<Option<String>> {
    Ok(find_row(connection, site, key).await?.map(|(_, doc)| doc))
}

/// See [`WriteTx::lock_person`](crate::store::contract::WriteTx::lock_person).
pub async fn lock(connection: &mut PgConnection, site: &str, id: &str) -> StoreResult<bool> {
    let row = sqlx::query("SELECT 1 FROM persons WHERE site = $1 AND id = $2 FOR UPDATE")
        .bind(site)
        .bind(id)
        .fetch_optional(&mut *connection)
        .await?;
    Ok(row.is_some())
}

/// See [`WriteTx::save_persons`](crate::store::contract::WriteTx::save_persons).
pub async fn save(
    connection: &mut PgConnection,
    persons: &[PersonRow<'_>],
    now_ms: i64,
) -> StoreResult<()> {
    for chunk in persons.chunks(ROWS_PER_STATEMENT) {
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

/// See [`WriteTx::insert_lines`](crate::store::contract::WriteTx::insert_lines).
pub async fn insert_lines(
    connection: &mut PgConnection,
    lines: &[PersonLines<'_>],
) -> StoreResult<()> {
    let scores: Vec<(&PersonLines<'_>, &ScoreLine)> = lines
        .iter()
        .flat_map(|person| person.scores.iter().map(move |line| (person, line)))
        .collect();
    for chunk in scores.chunks(ROWS_PER_STATEMENT) {
        let mut query = QueryBuilder::<Postgres>::new(
            "INSERT INTO score_changes (site, person, at_ms, rule, reason, points, score, event_id) ",
        );
        query.push_values(chunk.iter(), |mut row, (person, line)| {
            row.push_bind(person.site)
                .push_bind(person.person)
                .push_bind(line.at_ms)
                .push_bind(line.rule.as_str())
                .push_bind(line.reason.as_str())
                .push_bind(line.points)
                .push_bind(line.score)
                .push_bind(line.event_id.as_deref());
        });
        query.build().execute(&mut *connection).await?;
    }
    let stages: Vec<(&PersonLines<'_>, &StageLine)> = lines
        .iter()
        .flat_map(|person| person.stages.iter().map(move |line| (person, line)))
        .collect();
    for chunk in stages.chunks(ROWS_PER_STATEMENT) {
        let mut query = QueryBuilder::<Postgres>::new(
            "INSERT INTO stage_changes (site, person, at_ms, from_stage, to_stage, cause) ",
        );
        query.push_values(chunk.iter(), |mut row, (person, line)| {
            row.push_bind(person.site)
                .push_bind(person.person)
                .push_bind(line.at_ms)
                .push_bind(line.from.as_str())
                .push_bind(line.to.as_str())
                .push_bind(line.cause.as_str());
        });
        query.build().execute(&mut *connection).await?;
    }
    let segments: Vec<(&PersonLines<'_>, &SegmentLine)> = lines
        .iter()
        .flat_map(|person| person.segments.iter().map(move |line| (person, line)))
        .collect();
    for chunk in segments.chunks(ROWS_PER_STATEMENT) {
        let mut query = QueryBuilder::<Postgres>::new(
            "INSERT INTO segment_changes (site, person, at_ms, segment, entered) ",
        );
        query.push_values(chunk.iter(), |mut row, (person, line)| {
            row.push_bind(person.site)
                .push_bind(person.person)
                .push_bind(line.at_ms)
                .push_bind(line.segment.as_str())
                .push_bind(line.entered);
        });
        query.build().execute(&mut *connection).await?;
    }
    Ok(())
}

/// Events of the persons' visitors, bot traffic or not, oldest first.
async fn events_of(
    connection: &mut PgConnection,
    site: &str,
    persons: &[&str],
    bot: bool,
) -> StoreResult<Vec<StoredEvent>> {
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM events e JOIN visitors v ON v.site = e.site AND v.id = e.visitor
         WHERE v.site = $1 AND v.person = ANY($2) AND e.bot = $3 ORDER BY e.received_ms, e.seq"
    );
    let persons: Vec<String> = persons.iter().map(|person| (*person).to_owned()).collect();
    let rows =
        sqlx::query(&sql).bind(site).bind(&persons).bind(bot).fetch_all(&mut *connection).await?;
    Ok(rows.iter().map(event_of).collect::<Result<_, _>>()?)
}

/// See [`WriteTx::history`](crate::store::contract::WriteTx::history).
pub async fn history(
    connection: &mut PgConnection,
    site: &str,
    persons: &[&str],
) -> StoreResult<Vec<StoredEvent>> {
    events_of(connection, site, persons, false).await
}

/// See [`Store::profile`](crate::store::contract::Store::profile).
pub async fn profile(
    connection: &mut PgConnection,
    site: &str,
    key: &PersonKey,
) -> StoreResult<Option<StoredProfile>> {
    let Some((id, doc)) = find_row(connection, site, key).await? else { return Ok(None) };
    let visitors = sqlx::query(
        "SELECT id FROM visitors WHERE site = $1 AND person = $2 ORDER BY first_seen_ms",
    )
    .bind(site)
    .bind(&id)
    .fetch_all(&mut *connection)
    .await?
    .iter()
    .map(|row| row.try_get("id"))
    .collect::<Result<_, _>>()?;
    let mut events = events_of(connection, site, &[&id], false).await?;
    events.extend(events_of(connection, site, &[&id], true).await?);
    let score_changes = sqlx::query(
        "SELECT at_ms, rule, reason, points, score, event_id FROM score_changes
         WHERE site = $1 AND person = $2 ORDER BY seq",
    )
    .bind(site)
    .bind(&id)
    .fetch_all(&mut *connection)
    .await?
    .iter()
    .map(|row| {
        Ok(ScoreLine {
            at_ms: row.try_get("at_ms")?,
            rule: row.try_get("rule")?,
            reason: row.try_get("reason")?,
            points: row.try_get("points")?,
            score: row.try_get("score")?,
            event_id: row.try_get("event_id")?,
        })
    })
    .collect::<Result<_, sqlx::Error>>()?;
    let stage_changes = sqlx::query(
        "SELECT at_ms, from_stage, to_stage, cause FROM stage_changes
         WHERE site = $1 AND person = $2 ORDER BY seq",
    )
    .bind(site)
    .bind(&id)
    .fetch_all(&mut *connection)
    .await?
    .iter()
    .map(|row| {
        Ok(StageLine {
            at_ms: row.try_get("at_ms")?,
            from: row.try_get("from_stage")?,
            to: row.try_get("to_stage")?,
            cause: row.try_get("cause")?,
        })
    })
    .collect::<Result<_, sqlx::Error>>()?;
    let segment_changes = sqlx::query(
        "SELECT at_ms, segment, entered FROM segment_changes
         WHERE site = $1 AND person = $2 ORDER BY seq",
    )
    .bind(site)
    .bind(&id)
    .fetch_all(&mut *connection)
    .await?
    .iter()
    .map(|row| {
        Ok(SegmentLine {
            at_ms: row.try_get("at_ms")?,
            segment: row.try_get("segment")?,
            entered: row.try_get("entered")?,
        })
    })
    .collect::<Result<_, sqlx::Error>>()?;
    Ok(Some(StoredProfile { doc, visitors, events, score_changes, stage_changes, segment_changes }))
}

/// See [`WriteTx::fold_person`](crate::store::contract::WriteTx::fold_person).
pub async fn fold(
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
    ] {
        sqlx::query(sql).bind(to).bind(site).bind(from).execute(&mut *connection).await?;
    }
    sqlx::query("DELETE FROM persons WHERE site = $1 AND id = $2")
        .bind(site)
        .bind(from)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// See [`WriteTx::delete_person`](crate::store::contract::WriteTx::delete_person).
pub async fn delete(connection: &mut PgConnection, site: &str, id: &str) -> StoreResult<bool> {
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

/// See [`WriteTx::decay_candidates`](crate::store::contract::WriteTx::decay_candidates).
pub async fn decay_candidates(
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
pub async fn known(
    connection: &mut PgConnection,
    site: &str,
    query: &KnownQuery,
) -> StoreResult<Vec<String>> {
    let rows = sqlx::query(
        "SELECT doc FROM persons
         WHERE site = $1 AND email IS NOT NULL
           AND ($2::TEXT IS NULL OR temperature = $2) AND ($3::TEXT IS NULL OR stage = $3)
           AND ($4::INTEGER IS NULL OR score >= $4) AND ($5::INTEGER IS NULL OR score <= $5)
         ORDER BY score DESC, id LIMIT $6",
    )
    .bind(site)
    .bind(&query.temperature)
    .bind(&query.stage)
    .bind(query.min_score)
    .bind(query.max_score)
    .bind(i64::from(query.limit))
    .fetch_all(&mut *connection)
    .await?;
    Ok(rows.iter().map(|row| row.try_get("doc")).collect::<Result<_, _>>()?)
}

/// See [`Store::due_runs`](crate::store::contract::Store::due_runs).
pub async fn due_runs(
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
pub async fn quiet(
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
