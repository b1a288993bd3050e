//! Events and visitors: inserting a group's events in multi-row statements, counting
//! them on their visitors, attaching visitors to persons, reading events back.

use std::collections::HashMap;

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Postgres, QueryBuilder, Row};

use super::rows::ROWS_PER_STATEMENT;
use crate::store::contract::StoreResult;
use crate::store::records::{
    DeviceState, DeviceView, EventQuery, RemovedEvent, StoredEvent, VisitorCounts, VisitorSeen,
};

/// The columns [`event_of`] reads, of `events` named `e`.
pub(super) const EVENT_COLUMNS: &str = "e.id, e.site, e.visitor, e.session, e.kind, e.url,
    e.title, e.referrer, e.name, e.target, e.value, e.props, e.channel, e.utm_source,
    e.utm_medium, e.utm_campaign, e.utm_term, e.utm_content, e.click_id, e.device, e.bot,
    e.received_ms, e.client_offset_ms";

/// An event from a row of [`EVENT_COLUMNS`].
pub(super) fn event_of(row: &PgRow) -> Result<StoredEvent, sqlx::Error> {
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

/// See [`WriteTx::insert_events`](crate::store::contract::WriteTx::insert_events): the
/// statements return the (site, id) of the rows they inserted, each the first
/// occurrence of its pair in `events` (a later repeat conflicts with it).
pub(super) async fn insert(
    connection: &mut PgConnection,
    events: &[&StoredEvent],
) -> StoreResult<Vec<bool>> {
    let mut first: HashMap<(&str, &str), usize> = HashMap::with_capacity(events.len());
    for (at, event) in events.iter().enumerate() {
        first.entry((event.site.as_str(), event.id.as_str())).or_insert(at);
    }
    let mut inserted = vec![false; events.len()];
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
            let site: String = row.try_get("site")?;
            let id: String = row.try_get("id")?;
            if let Some(&at) = first.get(&(site.as_str(), id.as_str()))
                && let Some(new) = inserted.get_mut(at)
            {
                *new = true;
            }
        }
    }
    Ok(inserted)
}

/// See [`WriteTx::remove_events`](crate::store::contract::WriteTx::remove_events).
pub(super) async fn remove(
    connection: &mut PgConnection,
    events: &[RemovedEvent<'_>],
) -> StoreResult<()> {
    for event in events {
        let deleted = sqlx::query("DELETE FROM events WHERE site = $1 AND id = $2")
            .bind(event.site)
            .bind(event.id)
            .execute(&mut *connection)
            .await?;
        if deleted.rows_affected() > 0 {
            sqlx::query(
                "UPDATE visitors SET events = events - 1
                 WHERE site = $1 AND id = $2 AND events > 0",
            )
            .bind(event.site)
            .bind(event.visitor)
            .execute(&mut *connection)
            .await?;
        }
    }
    Ok(())
}

/// See [`WriteTx::upsert_visitors`](crate::store::contract::WriteTx::upsert_visitors):
/// the rows each statement returns are matched back to `visitors` by (site, id).
pub(super) async fn upsert_visitors(
    connection: &mut PgConnection,
    visitors: &[VisitorSeen<'_>],
) -> StoreResult<Vec<VisitorCounts>> {
    let index: HashMap<(&str, &str), usize> =
        visitors.iter().enumerate().map(|(at, seen)| ((seen.site, seen.id), at)).collect();
    let mut counts = vec![VisitorCounts::default(); visitors.len()];
    for chunk in visitors.chunks(ROWS_PER_STATEMENT) {
        let mut query = QueryBuilder::<Postgres>::new(
            "INSERT INTO visitors (site, id, first_seen_ms, last_seen_ms, visits, events, bot,
                person) ",
        );
        query.push_values(chunk.iter(), |mut row, seen| {
            row.push_bind(seen.site)
                .push_bind(seen.id)
                .push_bind(seen.seen_ms)
                .push_bind(seen.seen_ms)
                .push_bind(seen.visit)
                .push_bind(seen.new_events)
                .push_bind(seen.bot)
                // A new visitor's person takes its id.
                .push_bind(seen.id);
        });
        query.push(
            " ON CONFLICT (site, id) DO UPDATE SET
                prior_seen_ms = visitors.last_seen_ms,
                prior_visits = visitors.visits,
                last_seen_ms = GREATEST(visitors.last_seen_ms, excluded.last_seen_ms),
                visits = GREATEST(visitors.visits, excluded.visits),
                events = visitors.events + excluded.events,
                bot = visitors.bot OR excluded.bot,
                person = COALESCE(visitors.person, excluded.person)
             RETURNING site, id, visits, events, person, device_view, prior_seen_ms, prior_visits",
        );
        for row in query.build().fetch_all(&mut *connection).await? {
            let site: String = row.try_get("site")?;
            let id: String = row.try_get("id")?;
            let visits: i32 = row.try_get("visits")?;
            let events: i32 = row.try_get("events")?;
            let Some(&at) = index.get(&(site.as_str(), id.as_str())) else { continue };
            if let Some(counted) = counts.get_mut(at) {
                *counted = VisitorCounts {
                    visits: u32::try_from(visits).unwrap_or(0),
                    events: u32::try_from(events).unwrap_or(0),
                    person: row.try_get("person")?,
                    device_view: row.try_get("device_view")?,
                    prior_seen_ms: row.try_get("prior_seen_ms")?,
                    prior_visits: u32::try_from(row.try_get::<i32, _>("prior_visits")?)
                        .unwrap_or(0),
                };
            }
        }
    }
    Ok(counts)
}

/// See [`WriteTx::device_state`](crate::store::contract::WriteTx::device_state).
pub(super) async fn device_state(
    connection: &mut PgConnection,
    site: &str,
    visitor: &str,
) -> StoreResult<DeviceState> {
    let row = sqlx::query(
        "SELECT device_view, verified_ms IS NOT NULL AS verified FROM visitors
         WHERE site = $1 AND id = $2",
    )
    .bind(site)
    .bind(visitor)
    .fetch_optional(&mut *connection)
    .await?;
    let Some(row) = row else { return Ok(DeviceState::default()) };
    Ok(DeviceState { device_view: row.try_get("device_view")?, verified: row.try_get("verified")? })
}

/// See [`WriteTx::save_device_views`](crate::store::contract::WriteTx::save_device_views).
pub(super) async fn save_device_views(
    connection: &mut PgConnection,
    views: &[DeviceView<'_>],
) -> StoreResult<()> {
    for view in views {
        sqlx::query("UPDATE visitors SET device_view = $3 WHERE site = $1 AND id = $2")
            .bind(view.site)
            .bind(view.visitor)
            .bind(view.view)
            .execute(&mut *connection)
            .await?;
    }
    Ok(())
}

/// See [`WriteTx::verify_visitor`](crate::store::contract::WriteTx::verify_visitor).
pub(super) async fn verify_visitor(
    connection: &mut PgConnection,
    site: &str,
    visitor: &str,
    now_ms: i64,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE visitors SET verified_ms = COALESCE(verified_ms, $3), device_view = NULL
         WHERE site = $1 AND id = $2",
    )
    .bind(site)
    .bind(visitor)
    .bind(now_ms)
    .execute(&mut *connection)
    .await?;
    Ok(())
}

/// See [`WriteTx::plain_visitors`](crate::store::contract::WriteTx::plain_visitors).
pub(super) async fn plain_visitors(
    connection: &mut PgConnection,
    site: &str,
    person: &str,
) -> StoreResult<Vec<String>> {
    let ids = sqlx::query_scalar(
        "SELECT id FROM visitors WHERE site = $1 AND person = $2
           AND device_view IS NULL AND verified_ms IS NULL ORDER BY id",
    )
    .bind(site)
    .bind(person)
    .fetch_all(&mut *connection)
    .await?;
    Ok(ids)
}

/// See [`WriteTx::attach_visitor`](crate::store::contract::WriteTx::attach_visitor).
pub(super) async fn attach_visitor(
    connection: &mut PgConnection,
    site: &str,
    visitor: &str,
    person: &str,
    now_ms: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO visitors (site, id, first_seen_ms, last_seen_ms, person)
         VALUES ($1, $2, $3, $3, $4)
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
pub(super) async fn query(
    connection: &mut PgConnection,
    query: &EventQuery,
) -> StoreResult<Vec<StoredEvent>> {
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM events e
         WHERE e.site = $1 AND ($2::TEXT IS NULL OR e.visitor = $2)
           AND ($3::TEXT IS NULL OR e.kind = $3)
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
