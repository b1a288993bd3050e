//! Events and visitors: inserting a group's events in multi-row statements, counting
//! them on their visitors, reading them back.

use std::collections::HashMap;

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Postgres, QueryBuilder, Row};

use crate::store::contract::StoreResult;
use crate::store::records::{EventQuery, RemovedEvent, StoredEvent, VisitorCounts, VisitorSeen};

/// Rows per multi-row statement: an event row's 23 parameters stay far below
/// PostgreSQL's limit of 65,535 parameters.
pub const ROWS_PER_STATEMENT: usize = 400;

/// The columns [`event_of`] reads.
pub const EVENT_COLUMNS: &str = "e.id, e.site, e.visitor, e.session, e.kind, e.url, e.title,
    e.referrer, e.name, e.target, e.value, e.props, e.channel, e.utm_source, e.utm_medium,
    e.utm_campaign, e.utm_term, e.utm_content, e.click_id, e.device, e.bot, e.received_ms,
    e.client_offset_ms";

/// An event from a row of [`EVENT_COLUMNS`].
pub fn event_of(row: &PgRow) -> Result<StoredEvent, sqlx::Error> {
    Ok(StoredEvent {
        id: row.try_get("id")?,
        site: row.try_get("site")?,
        visitor: row.try_get("visitor")?,
        session: row.try_get("session")?,
        kind: row.try_get("kind")?,
        url: row.try_get("url")?,
        title: row.try_get("title")?,
        referrer: row.try_get("referrer")?,
        name: row.try_get("name")?,
        target: row.try_get("target")?,
        value: row.try_get("value")?,
        props: row.try_get("props")?,
        channel: row.try_get("channel")?,
        utm_source: row.try_get("utm_source")?,
        utm_medium: row.try_get("utm_medium")?,
        utm_campaign: row.try_get("utm_campaign")?,
        utm_term: row.try_get("utm_term")?,
        utm_content: row.try_get("utm_content")?,
        click_id: row.try_get("click_id")?,
        device: row.try_get("device")?,
        bot: row.try_get("bot")?,
        received_ms: row.try_get("received_ms")?,
        client_offset_ms: row.try_get("client_offset_ms")?,
    })
}

/// See [`WriteTx::insert_events`](crate::store::contract::WriteTx::insert_events).
pub async fn insert(
    connection: &mut PgConnection,
    events: &[&StoredEvent],
) -> StoreResult<Vec<bool>> {
    let mut stored: HashMap<(String, String), bool> = HashMap::new();
    for chunk in events.chunks(ROWS_PER_STATEMENT) {
        let mut query = QueryBuilder::<Postgres>::new(
            "INSERT INTO events (site, id, visitor, kind, url, title, referrer, received_ms,
                client_offset_ms, session, name, target, value, props, channel, utm_source,
                utm_medium, utm_campaign, utm_term, utm_content, click_id, device, bot) ",
        );
        query.push_values(chunk.iter(), |mut row, event| {
            row.push_bind(&event.site)
                .push_bind(&event.id)
                .push_bind(&event.visitor)
                .push_bind(&event.kind)
                .push_bind(&event.url)
                .push_bind(&event.title)
                .push_bind(&event.referrer)
                .push_bind(event.received_ms)
                .push_bind(event.client_offset_ms)
                .push_bind(&event.session)
                .push_bind(&event.name)
                .push_bind(&event.target)
                .push_bind(event.value)
                .push_bind(&event.props)
                .push_bind(&event.channel)
                .push_bind(&event.utm_source)
                .push_bind(&event.utm_medium)
                .push_bind(&event.utm_campaign)
                .push_bind(&event.utm_term)
                .push_bind(&event.utm_content)
                .push_bind(&event.click_id)
                .push_bind(&event.device)
                .push_bind(event.bot);
        });
        query.push(" ON CONFLICT (site, id) DO NOTHING RETURNING site, id");
        for row in query.build().fetch_all(&mut *connection).await? {
            stored.insert((row.try_get("site")?, row.try_get("id")?), false);
        }
    }
    // The first occurrence of a pair the insert returned is the one inserted.
    Ok(events
        .iter()
        .map(|event| match stored.get_mut(&(event.site.clone(), event.id.clone())) {
            Some(taken) if !*taken => {
                *taken = true;
                true
            }
            _ => false,
        })
        .collect())
}

/// See [`WriteTx::remove_events`](crate::store::contract::WriteTx::remove_events).
pub async fn remove(connection: &mut PgConnection, events: &[RemovedEvent<'_>]) -> StoreResult<()> {
    for event in events {
        let deleted = sqlx::query("DELETE FROM events WHERE site = $1 AND id = $2")
            .bind(event.site)
            .bind(event.id)
            .execute(&mut *connection)
            .await?;
        if deleted.rows_affected() > 0 {
            sqlx::query(
                "UPDATE visitors SET events = events - 1 WHERE site = $1 AND id = $2 AND events > 0",
            )
            .bind(event.site)
            .bind(event.visitor)
            .execute(&mut *connection)
            .await?;
        }
    }
    Ok(())
}

/// See [`WriteTx::upsert_visitors`](crate::store::contract::WriteTx::upsert_visitors).
pub async fn upsert_visitors(
    connection: &mut PgConnection,
    visitors: &[VisitorSeen<'_>],
) -> StoreResult<Vec<VisitorCounts>> {
    let mut counts: HashMap<(String, String), VisitorCounts> = HashMap::new();
    for chunk in visitors.chunks(ROWS_PER_STATEMENT) {
        let mut query = QueryBuilder::<Postgres>::new(
            "INSERT INTO visitors (site, id, first_seen_ms, last_seen_ms, visits, events, bot, person) ",
        );
        query.push_values(chunk.iter(), |mut row, seen| {
            row.push_bind(seen.site)
                .push_bind(seen.id)
                .push_bind(seen.seen_ms)
                .push_bind(seen.seen_ms)
                .push_bind(seen.visit)
                .push_bind(seen.new_events)
                .push_bind(seen.bot)
                .push_bind(seen.id);
        });
        query.push(
            " ON CONFLICT (site, id) DO UPDATE SET
                last_seen_ms = GREATEST(visitors.last_seen_ms, excluded.last_seen_ms),
                visits = GREATEST(visitors.visits, excluded.visits),
                events = visitors.events + excluded.events,
                bot = visitors.bot OR excluded.bot,
                person = COALESCE(visitors.person, excluded.person)
             RETURNING site, id, visits, events, person",
        );
        for row in query.build().fetch_all(&mut *connection).await? {
            let visits: i32 = row.try_get("visits")?;
            let events: i32 = row.try_get("events")?;
            counts.insert(
                (row.try_get("site")?, row.try_get("id")?),
                VisitorCounts {
                    visits: u32::try_from(visits).unwrap_or(0),
                    events: u32::try_from(events).unwrap_or(0),
                    person: row.try_get("person")?,
                },
            );
        }
    }
    Ok(visitors
        .iter()
        .map(|seen| counts.remove(&(seen.site.to_owned(), seen.id.to_owned())).unwrap_or_default())
        .collect())
}

/// See [`WriteTx::attach_visitor`](crate::store::contract::WriteTx::attach_visitor).
pub async fn attach_visitor(
    connection: &mut PgConnection,
    site: &str,
    visitor: &str,
    person: &str,
    now_ms: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO visitors (site, id, first_seen_ms, last_seen_ms, person) VALUES ($1, $2, $3, $3, $4)
         ON CONFLICT (site, id) DO UPDATE SET person = excluded.person",
    )
    .bind(site)
    .bind(visitor)
    .bind(now_ms)
    .bind(person)
    .execute(&mut *connection)
    .await?;
    Ok(())
}

/// See [`Store::events`](crate::store::contract::Store::events).
pub async fn query(
    connection: &mut PgConnection,
    query: &EventQuery,
) -> StoreResult<Vec<StoredEvent>> {
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM events e
         WHERE e.site = $1 AND ($2::TEXT IS NULL OR e.visitor = $2) AND ($3::TEXT IS NULL OR e.kind = $3)
         ORDER BY e.seq DESC LIMIT $4"
    );
    let rows = sqlx::query(&sql)
        .bind(&query.site)
        .bind(&query.visitor)
        .bind(&query.kind)
        .bind(i64::from(query.limit))
        .fetch_all(&mut *connection)
        .await?;
    Ok(rows.iter().map(event_of).collect::<Result<_, _>>()?)
}
