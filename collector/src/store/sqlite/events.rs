//! Events and visitors: inserting a group's events, counting them on their visitors,
//! reading them back.

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::store::contract::StoreResult;
use crate::store::records::{
    DeviceState, DeviceView, EventQuery, RemovedEvent, StoredEvent, VisitorCounts, VisitorSeen,
};

/// The columns [`event_of`] reads, in its order.
pub const EVENT_COLUMNS: &str = "e.id, e.site, e.visitor, e.session, e.kind, e.url, e.title,
    e.referrer, e.name, e.target, e.value, e.props, e.channel, e.utm_source, e.utm_medium,
    e.utm_campaign, e.utm_term, e.utm_content, e.click_id, e.device, e.bot, e.received_ms,
    e.client_offset_ms";

const INSERT_EVENT: &str = "INSERT INTO events (site, id, visitor, kind, url, title, referrer,
        received_ms, client_offset_ms, session, name, target, value, props, channel, utm_source,
        utm_medium, utm_campaign, utm_term, utm_content, click_id, device, bot)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
        ?19, ?20, ?21, ?22, ?23)
     ON CONFLICT (site, id) DO NOTHING";

const UPSERT_VISITOR: &str = "INSERT INTO visitors (site, id, first_seen_ms, last_seen_ms,
        visits, events, bot, person)
     VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, ?2)
     ON CONFLICT (site, id) DO UPDATE SET
        prior_seen_ms = visitors.last_seen_ms,
        prior_visits = visitors.visits,
        last_seen_ms = MAX(visitors.last_seen_ms, excluded.last_seen_ms),
        visits = MAX(visitors.visits, excluded.visits),
        events = visitors.events + excluded.events,
        bot = visitors.bot OR excluded.bot,
        person = COALESCE(visitors.person, excluded.person)
     RETURNING visits, events, person, device_view, prior_seen_ms, prior_visits";

/// An event from a row of [`EVENT_COLUMNS`].
pub fn event_of(row: &Row<'_>) -> rusqlite::Result<StoredEvent> {
    Ok(StoredEvent {
        id: row.get(0)?,
        site: row.get(1)?,
        visitor: row.get(2)?,
        session: row.get(3)?,
        kind: row.get(4)?,
        url: row.get(5)?,
        title: row.get(6)?,
        referrer: row.get(7)?,
        name: row.get(8)?,
        target: row.get(9)?,
        value: row.get(10)?,
        props: row.get(11)?,
        channel: row.get(12)?,
        utm_source: row.get(13)?,
        utm_medium: row.get(14)?,
        utm_campaign: row.get(15)?,
        utm_term: row.get(16)?,
        utm_content: row.get(17)?,
        click_id: row.get(18)?,
        device: row.get(19)?,
        bot: row.get(20)?,
        received_ms: row.get(21)?,
        client_offset_ms: row.get(22)?,
    })
}

/// See [`WriteTx::insert_events`](crate::store::contract::WriteTx::insert_events).
pub fn insert(connection: &Connection, events: &[&StoredEvent]) -> StoreResult<Vec<bool>> {
    let mut insert = connection.prepare_cached(INSERT_EVENT)?;
    let mut inserted = Vec::with_capacity(events.len());
    for event in events {
        let changed = insert.execute(params![
            event.site,
            event.id,
            event.visitor,
            event.kind,
            event.url,
            event.title,
            event.referrer,
            event.received_ms,
            event.client_offset_ms,
            event.session,
            event.name,
            event.target,
            event.value,
            event.props,
            event.channel,
            event.utm_source,
            event.utm_medium,
            event.utm_campaign,
            event.utm_term,
            event.utm_content,
            event.click_id,
            event.device,
            event.bot,
        ])?;
        inserted.push(changed > 0);
    }
    Ok(inserted)
}

/// See [`WriteTx::remove_events`](crate::store::contract::WriteTx::remove_events).
pub fn remove(connection: &Connection, events: &[RemovedEvent<'_>]) -> StoreResult<()> {
    let mut delete = connection.prepare_cached("DELETE FROM events WHERE site = ?1 AND id = ?2")?;
    let mut uncount = connection.prepare_cached(
        "UPDATE visitors SET events = events - 1 WHERE site = ?1 AND id = ?2 AND events > 0",
    )?;
    for event in events {
        if delete.execute(params![event.site, event.id])? > 0 {
            uncount.execute(params![event.site, event.visitor])?;
        }
    }
    Ok(())
}

/// See [`WriteTx::upsert_visitors`](crate::store::contract::WriteTx::upsert_visitors).
pub fn upsert_visitors(
    connection: &Connection,
    visitors: &[VisitorSeen<'_>],
) -> StoreResult<Vec<VisitorCounts>> {
    let mut upsert = connection.prepare_cached(UPSERT_VISITOR)?;
    let mut counts = Vec::with_capacity(visitors.len());
    for seen in visitors {
        let row = params![seen.site, seen.id, seen.seen_ms, seen.visit, seen.new_events, seen.bot];
        counts.push(upsert.query_row(row, |row| {
            Ok(VisitorCounts {
                visits: u32::try_from(row.get::<_, i64>(0)?).unwrap_or(0),
                events: u32::try_from(row.get::<_, i64>(1)?).unwrap_or(0),
                person: row.get(2)?,
                device_view: row.get(3)?,
                prior_seen_ms: row.get(4)?,
                prior_visits: u32::try_from(row.get::<_, i64>(5)?).unwrap_or(0),
            })
        })?);
    }
    Ok(counts)
}

/// See [`WriteTx::device_state`](crate::store::contract::WriteTx::device_state).
pub fn device_state(
    connection: &Connection,
    site: &str,
    visitor: &str,
) -> StoreResult<DeviceState> {
    let state = connection
        .prepare_cached(
            "SELECT device_view, verified_ms IS NOT NULL FROM visitors WHERE site = ?1 AND id = ?2",
        )?
        .query_row(params![site, visitor], |row| {
            Ok(DeviceState { device_view: row.get(0)?, verified: row.get(1)? })
        })
        .optional()?;
    Ok(state.unwrap_or_default())
}

/// See [`WriteTx::save_device_views`](crate::store::contract::WriteTx::save_device_views).
pub fn save_device_views(connection: &Connection, views: &[DeviceView<'_>]) -> StoreResult<()> {
    let mut save = connection
        .prepare_cached("UPDATE visitors SET device_view = ?3 WHERE site = ?1 AND id = ?2")?;
    for view in views {
        save.execute(params![view.site, view.visitor, view.view])?;
    }
    Ok(())
}

/// See [`WriteTx::verify_visitor`](crate::store::contract::WriteTx::verify_visitor).
pub fn verify_visitor(
    connection: &Connection,
    site: &str,
    visitor: &str,
    now_ms: i64,
) -> StoreResult<()> {
    connection
        .prepare_cached(
            "UPDATE visitors SET verified_ms = COALESCE(verified_ms, ?3), device_view = NULL
             WHERE site = ?1 AND id = ?2",
        )?
        .execute(params![site, visitor, now_ms])?;
    Ok(())
}

/// See [`WriteTx::plain_visitors`](crate::store::contract::WriteTx::plain_visitors).
pub fn plain_visitors(
    connection: &Connection,
    site: &str,
    person: &str,
) -> StoreResult<Vec<String>> {
    let mut select = connection.prepare_cached(
        "SELECT id FROM visitors WHERE site = ?1 AND person = ?2
           AND device_view IS NULL AND verified_ms IS NULL ORDER BY id",
    )?;
    let rows = select.query_map(params![site, person], |row| row.get(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// See [`WriteTx::attach_visitor`](crate::store::contract::WriteTx::attach_visitor).
pub fn attach_visitor(
    connection: &Connection,
    site: &str,
    visitor: &str,
    person: &str,
    now_ms: i64,
) -> StoreResult<()> {
    connection.prepare_cached(
        "INSERT INTO visitors (site, id, first_seen_ms, last_seen_ms, person) VALUES (?1, ?2, ?3, ?3, ?4)
         ON CONFLICT (site, id) DO UPDATE SET person = excluded.person",
    )?
    .execute(params![site, visitor, now_ms, person])?;
    Ok(())
}

/// See [`Store::events`](crate::store::contract::Store::events).
pub fn query(connection: &Connection, query: &EventQuery) -> StoreResult<Vec<StoredEvent>> {
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM events e
         WHERE e.site = ?1 AND (?2 IS NULL OR e.visitor = ?2) AND (?3 IS NULL OR e.kind = ?3)
         ORDER BY e.seq DESC LIMIT ?4"
    );
    let mut statement = connection.prepare_cached(&sql)?;
    let rows = statement.query_map(
        params![query.site, query.visitor, query.kind, i64::from(query.limit)],
        event_of,
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}
