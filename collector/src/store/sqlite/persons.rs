//! Persons: their documents with the indexed columns beside them, the lines explaining
//! their changes, their whole stored profile, merges and erasure.

use rusqlite::{Connection, OptionalExtension, params};

use super::events::{EVENT_COLUMNS, event_of};
use crate::store::contract::StoreResult;
use crate::store::records::{
    ActivePerson, ConsentLine, KnownQuery, PersonKey, PersonLines, PersonRow, ScoreLine,
    SegmentLine, StageLine, StoredEvent, StoredProfile,
};

const SAVE_PERSON: &str = "INSERT INTO persons (site, id, email, score, temperature, stage,
        last_activity_ms, updated_ms, doc, next_run_ms)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
     ON CONFLICT (site, id) DO UPDATE SET email = excluded.email, score = excluded.score,
        temperature = excluded.temperature, stage = excluded.stage,
        last_activity_ms = excluded.last_activity_ms, updated_ms = excluded.updated_ms,
        doc = excluded.doc, next_run_ms = excluded.next_run_ms";

/// See [`WriteTx::person_docs`](crate::store::contract::WriteTx::person_docs).
pub fn docs(connection: &Connection, keys: &[(&str, &str)]) -> StoreResult<Vec<Option<String>>> {
    let mut load =
        connection.prepare_cached("SELECT doc FROM persons WHERE site = ?1 AND id = ?2")?;
    let mut docs = Vec::with_capacity(keys.len());
    for (site, id) in keys {
        docs.push(load.query_row(params![site, id], |row| row.get(0)).optional()?);
    }
    Ok(docs)
}

/// The (id, document) of the person found by `key`.
fn find_row(
    connection: &Connection,
    site: &str,
    key: &PersonKey,
) -> StoreResult<Option<(String, String)>> {
    let (sql, value) = match key {
        PersonKey::Id(id) => ("SELECT id, doc FROM persons WHERE site = ?1 AND id = ?2", id),
        PersonKey::Visitor(visitor) => (
            "SELECT p.id, p.doc FROM visitors v JOIN persons p ON p.site = v.site AND p.id = v.person
             WHERE v.site = ?1 AND v.id = ?2",
            visitor,
        ),
        PersonKey::Email(email) => (
            "SELECT id, doc FROM persons WHERE site = ?1 AND email = ?2 ORDER BY id LIMIT 1",
            email,
        ),
    };
    let row = connection
        .prepare_cached(sql)?
        .query_row(params![site, value], |row| Ok((row.get(0)?, row.get(1)?)));
    Ok(row.optional()?)
}

/// See [`Store::person_of_visitor`](crate::store::contract::Store::person_of_visitor).
pub fn shown(connection: &Connection, site: &str, key: &PersonKey) -> StoreResult<Option<String>> {
    let PersonKey::Visitor(visitor) = key else { return find(connection, site, key) };
    let doc = connection
        .prepare_cached(
            "SELECT COALESCE(v.device_view, p.doc) FROM visitors v
             JOIN persons p ON p.site = v.site AND p.id = v.person
             WHERE v.site = ?1 AND v.id = ?2",
        )?
        .query_row(params![site, visitor], |row| row.get(0))
        .optional()?;
    Ok(doc)
}

/// The document of the person found by `key`.
pub fn find(connection: &Connection, site: &str, key: &PersonKey) -> StoreResult<Option<String>> {
    Ok(find_row(connection, site, key)?.map(|(_, doc)| doc))
}

/// See [`WriteTx::lock_person`](crate::store::contract::WriteTx::lock_person): the writer's
/// transaction already holds the database's write lock.
pub fn exists(connection: &Connection, site: &str, id: &str) -> StoreResult<bool> {
    let found = connection
        .prepare_cached("SELECT 1 FROM persons WHERE site = ?1 AND id = ?2")?
        .query_row(params![site, id], |_| Ok(()))
        .optional()?;
    Ok(found.is_some())
}

/// See [`WriteTx::save_persons`](crate::store::contract::WriteTx::save_persons).
pub fn save(connection: &Connection, persons: &[PersonRow<'_>], now_ms: i64) -> StoreResult<()> {
    let mut save = connection.prepare_cached(SAVE_PERSON)?;
    for person in persons {
        save.execute(params![
            person.site,
            person.id,
            person.email,
            person.score,
            person.temperature,
            person.stage,
            person.last_activity_ms,
            now_ms,
            person.doc,
            person.next_run_ms,
        ])?;
    }
    Ok(())
}

/// See [`WriteTx::insert_lines`](crate::store::contract::WriteTx::insert_lines).
pub fn insert_lines(connection: &Connection, lines: &[PersonLines<'_>]) -> StoreResult<()> {
    if lines.iter().any(|person| !person.scores.is_empty()) {
        let mut insert = connection.prepare_cached(
            "INSERT INTO score_changes (site, person, at_ms, rule, reason, points, score, event_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for person in lines {
            for line in &person.scores {
                insert.execute(params![
                    person.site,
                    person.person,
                    line.at_ms,
                    line.rule,
                    line.reason,
                    line.points,
                    line.score,
                    line.event_id,
                ])?;
            }
        }
    }
    if lines.iter().any(|person| !person.stages.is_empty()) {
        let mut insert = connection.prepare_cached(
            "INSERT INTO stage_changes (site, person, at_ms, from_stage, to_stage, cause)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for person in lines {
            for line in &person.stages {
                insert.execute(params![
                    person.site,
                    person.person,
                    line.at_ms,
                    line.from,
                    line.to,
                    line.cause
                ])?;
            }
        }
    }
    if lines.iter().any(|person| !person.segments.is_empty()) {
        let mut insert = connection.prepare_cached(
            "INSERT INTO segment_changes (site, person, at_ms, segment, entered)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for person in lines {
            for line in &person.segments {
                insert.execute(params![
                    person.site,
                    person.person,
                    line.at_ms,
                    line.segment,
                    line.entered
                ])?;
            }
        }
    }
    Ok(())
}

/// Events of the persons' visitors, bot traffic or not, oldest first.
fn events_of(
    connection: &Connection,
    site: &str,
    persons: &[&str],
    bot: bool,
) -> StoreResult<Vec<StoredEvent>> {
    if persons.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (0..persons.len()).map(|at| format!("?{}", at + 3)).collect();
    let sql = format!(
        // CROSS JOIN keeps the persons' visitors first: SQLite's planner, without
        // statistics, would otherwise walk all of the site's events.
        "SELECT {EVENT_COLUMNS} FROM visitors v CROSS JOIN events e
           ON e.site = v.site AND e.visitor = v.id
         WHERE v.site = ?1 AND e.bot = ?2 AND v.person IN ({})
         ORDER BY e.received_ms, e.seq",
        placeholders.join(", ")
    );
    let mut values: Vec<&dyn rusqlite::ToSql> = vec![&site, &bot];
    values.extend(persons.iter().map(|person| person as &dyn rusqlite::ToSql));
    let mut statement = connection.prepare_cached(&sql)?;
    let events = statement.query_map(values.as_slice(), event_of)?.collect::<Result<_, _>>()?;
    Ok(events)
}

/// See [`WriteTx::history`](crate::store::contract::WriteTx::history).
pub fn history(
    connection: &Connection,
    site: &str,
    persons: &[&str],
) -> StoreResult<Vec<StoredEvent>> {
    events_of(connection, site, persons, false)
}

/// See [`Store::profile`](crate::store::contract::Store::profile).
pub fn profile(
    connection: &Connection,
    site: &str,
    key: &PersonKey,
) -> StoreResult<Option<StoredProfile>> {
    let Some((id, doc)) = find_row(connection, site, key)? else { return Ok(None) };
    let visitors = connection
        .prepare_cached(
            "SELECT id FROM visitors WHERE site = ?1 AND person = ?2 ORDER BY first_seen_ms",
        )?
        .query_map(params![site, id], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    let mut events = events_of(connection, site, &[&id], false)?;
    events.extend(events_of(connection, site, &[&id], true)?);
    let score_changes = connection
        .prepare_cached(
            "SELECT at_ms, rule, reason, points, score, event_id FROM score_changes
             WHERE site = ?1 AND person = ?2 ORDER BY seq",
        )?
        .query_map(params![site, id], |row| {
            Ok(ScoreLine {
                at_ms: row.get(0)?,
                rule: row.get(1)?,
                reason: row.get(2)?,
                points: row.get(3)?,
                score: row.get(4)?,
                event_id: row.get(5)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let stage_changes = connection
        .prepare_cached(
            "SELECT at_ms, from_stage, to_stage, cause FROM stage_changes
             WHERE site = ?1 AND person = ?2 ORDER BY seq",
        )?
        .query_map(params![site, id], |row| {
            Ok(StageLine {
                at_ms: row.get(0)?,
                from: row.get(1)?,
                to: row.get(2)?,
                cause: row.get(3)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    let segment_changes = connection
        .prepare_cached(
            "SELECT at_ms, segment, entered FROM segment_changes
             WHERE site = ?1 AND person = ?2 ORDER BY seq",
        )?
        .query_map(params![site, id], |row| {
            Ok(SegmentLine { at_ms: row.get(0)?, segment: row.get(1)?, entered: row.get(2)? })
        })?
        .collect::<Result<_, _>>()?;
    let consents = connection
        .prepare_cached(
            "SELECT submission, form, field, text, version, page, given_ms, confirmed_ms
             FROM consents WHERE site = ?1 AND person = ?2 ORDER BY given_ms, submission, field",
        )?
        .query_map(params![site, id], |row| {
            Ok(ConsentLine {
                submission: row.get(0)?,
                form: row.get(1)?,
                field: row.get(2)?,
                text: row.get(3)?,
                version: row.get(4)?,
                page: row.get(5)?,
                given_ms: row.get(6)?,
                confirmed_ms: row.get(7)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(Some(StoredProfile {
        doc,
        visitors,
        events,
        score_changes,
        stage_changes,
        segment_changes,
        consents,
    }))
}

/// See [`WriteTx::fold_person`](crate::store::contract::WriteTx::fold_person).
pub fn fold(connection: &Connection, site: &str, from: &str, to: &str) -> StoreResult<()> {
    for sql in [
        "UPDATE visitors SET person = ?1 WHERE site = ?2 AND person = ?3",
        "UPDATE score_changes SET person = ?1 WHERE site = ?2 AND person = ?3",
        "UPDATE stage_changes SET person = ?1 WHERE site = ?2 AND person = ?3",
        "UPDATE segment_changes SET person = ?1 WHERE site = ?2 AND person = ?3",
        "UPDATE submissions SET person = ?1 WHERE site = ?2 AND person = ?3",
        "UPDATE consents SET person = ?1 WHERE site = ?2 AND person = ?3",
        "UPDATE confirmations SET person = ?1 WHERE site = ?2 AND person = ?3",
    ] {
        connection.prepare_cached(sql)?.execute(params![to, site, from])?;
    }
    for sql in [
        "DELETE FROM report_leads WHERE site = ?1 AND person = ?2",
        "DELETE FROM persons WHERE site = ?1 AND id = ?2",
    ] {
        connection.prepare_cached(sql)?.execute(params![site, from])?;
    }
    Ok(())
}

/// See [`WriteTx::delete_person`](crate::store::contract::WriteTx::delete_person).
pub fn delete(connection: &Connection, site: &str, id: &str) -> StoreResult<bool> {
    connection
        .prepare_cached(
            "DELETE FROM events WHERE site = ?1 AND visitor IN
                (SELECT id FROM visitors WHERE site = ?1 AND person = ?2)",
        )?
        .execute(params![site, id])?;
    for sql in [
        "DELETE FROM visitors WHERE site = ?1 AND person = ?2",
        "DELETE FROM score_changes WHERE site = ?1 AND person = ?2",
        "DELETE FROM stage_changes WHERE site = ?1 AND person = ?2",
        "DELETE FROM segment_changes WHERE site = ?1 AND person = ?2",
        "DELETE FROM consents WHERE site = ?1 AND person = ?2",
        "DELETE FROM submissions WHERE site = ?1 AND person = ?2",
        "DELETE FROM confirmations WHERE site = ?1 AND person = ?2",
        "DELETE FROM report_leads WHERE site = ?1 AND person = ?2",
    ] {
        connection.prepare_cached(sql)?.execute(params![site, id])?;
    }
    let deleted = connection
        .prepare_cached("DELETE FROM persons WHERE site = ?1 AND id = ?2")?
        .execute(params![site, id])?;
    Ok(deleted > 0)
}

/// See [`WriteTx::decay_candidates`](crate::store::contract::WriteTx::decay_candidates).
pub fn decay_candidates(
    connection: &Connection,
    site: &str,
    inactive_through_ms: i64,
    above_score: i32,
    limit: u32,
) -> StoreResult<Vec<String>> {
    let docs = connection
        .prepare_cached(
            "SELECT doc FROM persons WHERE site = ?1 AND last_activity_ms <= ?2 AND score > ?3
             ORDER BY last_activity_ms LIMIT ?4",
        )?
        .query_map(params![site, inactive_through_ms, above_score, i64::from(limit)], |row| {
            row.get(0)
        })?
        .collect::<Result<_, _>>()?;
    Ok(docs)
}

/// See [`Store::known_persons`](crate::store::contract::Store::known_persons).
pub fn known(connection: &Connection, site: &str, query: &KnownQuery) -> StoreResult<Vec<String>> {
    let sql = format!(
        "SELECT doc FROM persons
         WHERE site = ?1 AND email IS NOT NULL
           AND (?2 IS NULL OR temperature = ?2) AND (?3 IS NULL OR stage = ?3)
           AND (?4 IS NULL OR score >= ?4) AND (?5 IS NULL OR score <= ?5)
           AND (?6 IS NULL OR last_activity_ms >= ?6) AND (?7 IS NULL OR last_activity_ms < ?7)
         {} LIMIT ?8",
        query.order.sql()
    );
    let docs = connection
        .prepare_cached(&sql)?
        .query_map(
            params![
                site,
                query.temperature,
                query.stage,
                query.min_score,
                query.max_score,
                query.active_from_ms,
                query.active_until_ms,
                i64::from(query.limit)
            ],
            |row| row.get(0),
        )?
        .collect::<Result<_, _>>()?;
    Ok(docs)
}

/// See [`Store::due_runs`](crate::store::contract::Store::due_runs).
pub fn due_runs(
    connection: &Connection,
    now_ms: i64,
    limit: u32,
) -> StoreResult<Vec<(String, String)>> {
    let due = connection
        .prepare_cached(
            "SELECT site, id FROM persons WHERE next_run_ms IS NOT NULL AND next_run_ms <= ?1
             ORDER BY next_run_ms LIMIT ?2",
        )?
        .query_map(params![now_ms, i64::from(limit)], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(due)
}

/// See [`Store::quiet_persons`](crate::store::contract::Store::quiet_persons).
pub fn quiet(
    connection: &Connection,
    site: &str,
    after_ms: i64,
    until_ms: i64,
    limit: u32,
) -> StoreResult<Vec<(String, i64)>> {
    let quiet = connection
        .prepare_cached(
            "SELECT id, last_activity_ms FROM persons
             WHERE site = ?1 AND last_activity_ms > ?2 AND last_activity_ms <= ?3
             ORDER BY last_activity_ms LIMIT ?4",
        )?
        .query_map(params![site, after_ms, until_ms, i64::from(limit)], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?
        .collect::<Result<_, _>>()?;
    Ok(quiet)
}

/// See [`Store::active_persons`](crate::store::contract::Store::active_persons).
pub fn active(
    connection: &Connection,
    site: &str,
    since_ms: i64,
    before: Option<&(i64, String)>,
    limit: u32,
) -> StoreResult<Vec<ActivePerson>> {
    let (before_ms, before_id) = before.map_or((None, None), |(ms, id)| (Some(*ms), Some(id)));
    let active = connection
        .prepare_cached(
            "SELECT id, last_activity_ms, doc FROM persons
             WHERE site = ?1 AND last_activity_ms >= ?2
               AND (?3 IS NULL OR (last_activity_ms, id) < (?3, ?4))
             ORDER BY last_activity_ms DESC, id DESC LIMIT ?5",
        )?
        .query_map(params![site, since_ms, before_ms, before_id, i64::from(limit)], |row| {
            Ok(ActivePerson { id: row.get(0)?, last_activity_ms: row.get(1)?, doc: row.get(2)? })
        })?
        .collect::<Result<_, _>>()?;
    Ok(active)
}
