//! What explains a person: the events of its visitors and the lines of its score,
//! stage and segment changes (appended in multi-row statements), read back one person
//! at a time as its whole stored profile.

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Postgres, QueryBuilder, Row};

use super::events::{EVENT_COLUMNS, event_of};
use super::persons;
use super::rows::ROWS_PER_STATEMENT;
use crate::store::contract::StoreResult;
use crate::store::records::{
    ConsentLine, PersonKey, PersonLines, ScoreLine, SegmentLine, StageLine, StoredEvent,
    StoredProfile,
};

/// See [`WriteTx::insert_lines`](crate::store::contract::WriteTx::insert_lines): one
/// statement per kind of line (and per [`ROWS_PER_STATEMENT`] lines), whatever the
/// number of persons.
pub(super) async fn insert_lines(
    connection: &mut PgConnection,
    lines: &[PersonLines<'_>],
) -> StoreResult<()> {
    let scores: Vec<(&PersonLines<'_>, &ScoreLine)> = lines
        .iter()
        .flat_map(|person| person.scores.iter().map(move |line| (person, line)))
        .collect();
    for chunk in scores.chunks(ROWS_PER_STATEMENT) {
        let mut query = QueryBuilder::<Postgres>::new(
            "INSERT INTO score_changes (site, person, at_ms, rule, reason, points, score,
                event_id) ",
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

/// The events of the persons' visitors that are bot traffic (or not), oldest first.
async fn events_of(
    connection: &mut PgConnection,
    site: &str,
    persons: &[&str],
    bot: bool,
) -> StoreResult<Vec<StoredEvent>> {
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM events e
         JOIN visitors v ON v.site = e.site AND v.id = e.visitor
         WHERE v.site = $1 AND v.person = ANY($2) AND e.bot = $3
         ORDER BY e.received_ms, e.seq"
    );
    let rows =
        sqlx::query(&sql).bind(site).bind(persons).bind(bot).fetch_all(&mut *connection).await?;
    Ok(rows.iter().map(event_of).collect::<Result<_, _>>()?)
}

/// See [`WriteTx::history`](crate::store::contract::WriteTx::history).
pub(super) async fn events(
    connection: &mut PgConnection,
    site: &str,
    persons: &[&str],
) -> StoreResult<Vec<StoredEvent>> {
    events_of(connection, site, persons, false).await
}

/// See [`Store::profile`](crate::store::contract::Store::profile).
pub(super) async fn profile(
    connection: &mut PgConnection,
    site: &str,
    key: &PersonKey,
) -> StoreResult<Option<StoredProfile>> {
    let Some((id, doc)) = persons::find_row(connection, site, key).await? else {
        return Ok(None);
    };
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
    Ok(Some(StoredProfile {
        doc,
        visitors,
        events,
        score_changes: score_lines(connection, site, &id).await?,
        stage_changes: stage_lines(connection, site, &id).await?,
        segment_changes: segment_lines(connection, site, &id).await?,
        consents: consent_lines(connection, site, &id).await?,
    }))
}

/// The rows `sql` selects for one person (`$1` the site, `$2` the person), each read
/// by `of`.
async fn of_person<T>(
    connection: &mut PgConnection,
    site: &str,
    person: &str,
    sql: &'static str,
    of: impl Fn(&PgRow) -> Result<T, sqlx::Error>,
) -> StoreResult<Vec<T>> {
    let rows = sqlx::query(sql).bind(site).bind(person).fetch_all(&mut *connection).await?;
    Ok(rows.iter().map(of).collect::<Result<_, sqlx::Error>>()?)
}

/// A person's consents, oldest first.
async fn consent_lines(
    connection: &mut PgConnection,
    site: &str,
    person: &str,
) -> StoreResult<Vec<ConsentLine>> {
    of_person(
        connection,
        site,
        person,
        "SELECT submission, form, field, text, version, page, given_ms, confirmed_ms
         FROM consents WHERE site = $1 AND person = $2 ORDER BY given_ms, submission, field",
        |row| {
            Ok(ConsentLine {
                submission: row.try_get("submission")?,
                form: row.try_get("form")?,
                field: row.try_get("field")?,
                text: row.try_get("text")?,
                version: row.try_get("version")?,
                page: row.try_get("page")?,
                given_ms: row.try_get("given_ms")?,
                confirmed_ms: row.try_get("confirmed_ms")?,
            })
        },
    )
    .await
}

/// A person's score changes, oldest first.
async fn score_lines(
    connection: &mut PgConnection,
    site: &str,
    person: &str,
) -> StoreResult<Vec<ScoreLine>> {
    of_person(
        connection,
        site,
        person,
        "SELECT at_ms, rule, reason, points, score, event_id FROM score_changes
         WHERE site = $1 AND person = $2 ORDER BY seq",
        |row| {
            Ok(ScoreLine {
                at_ms: row.try_get("at_ms")?,
                rule: row.try_get("rule")?,
                reason: row.try_get("reason")?,
                points: row.try_get("points")?,
                score: row.try_get("score")?,
                event_id: row.try_get("event_id")?,
            })
        },
    )
    .await
}

/// A person's stage changes, oldest first.
async fn stage_lines(
    connection: &mut PgConnection,
    site: &str,
    person: &str,
) -> StoreResult<Vec<StageLine>> {
    of_person(
        connection,
        site,
        person,
        "SELECT at_ms, from_stage, to_stage, cause FROM stage_changes
         WHERE site = $1 AND person = $2 ORDER BY seq",
        |row| {
            Ok(StageLine {
                at_ms: row.try_get("at_ms")?,
                from: row.try_get("from_stage")?,
                to: row.try_get("to_stage")?,
                cause: row.try_get("cause")?,
            })
        },
    )
    .await
}

/// A person's segment changes, oldest first.
async fn segment_lines(
    connection: &mut PgConnection,
    site: &str,
    person: &str,
) -> StoreResult<Vec<SegmentLine>> {
    of_person(
        connection,
        site,
        person,
        "SELECT at_ms, segment, entered FROM segment_changes
         WHERE site = $1 AND person = $2 ORDER BY seq",
        |row| {
            Ok(SegmentLine {
                at_ms: row.try_get("at_ms")?,
                segment: row.try_get("segment")?,
                entered: row.try_get("entered")?,
            })
        },
    )
    .await
}
