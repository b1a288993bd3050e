//! [`ReportReads`] and [`ReportWrites`] on SQLite: upserts adding to the rollup rows,
//! and reads summing them over a range of days by their primary keys.

use async_trait::async_trait;
use rusqlite::{Connection, Row, params};

use super::SqliteStore;
use super::tx::SqliteTx;
use crate::store::error::StoreResult;
use crate::store::records::{
    BlockMeasures, ExposureMeasures, FUNNEL_BREAKDOWNS, HourCount, LeadTimes, ReportCounts,
    StageCounts, TrafficMeasures,
};
use crate::store::reports::{LeadScores, ReportReads, ReportWrites, TrafficDay};

const ADD_FUNNEL: &str = "INSERT INTO report_funnel
        (site, dimension, day, value, persons, leads, mqls, sqls, customers)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
     ON CONFLICT (site, dimension, day, value) DO UPDATE SET
        persons = persons + excluded.persons, leads = leads + excluded.leads,
        mqls = mqls + excluded.mqls, sqls = sqls + excluded.sqls,
        customers = customers + excluded.customers";

const ADD_TRAFFIC: &str = "INSERT INTO report_traffic
        (site, dimension, day, value, pageviews, visits, leads, mqls)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
     ON CONFLICT (site, dimension, day, value) DO UPDATE SET
        pageviews = pageviews + excluded.pageviews, visits = visits + excluded.visits,
        leads = leads + excluded.leads, mqls = mqls + excluded.mqls";

const ADD_HOUR: &str = "INSERT INTO report_hours
        (site, hour, pageviews, visits, leads, mqls, visitors)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
     ON CONFLICT (site, hour) DO UPDATE SET
        pageviews = pageviews + excluded.pageviews, visits = visits + excluded.visits,
        leads = leads + excluded.leads, mqls = mqls + excluded.mqls,
        visitors = visitors + excluded.visitors";

const ADD_RETURN: &str = "INSERT INTO report_returns (site, day, previous, visitors)
     VALUES (?1, ?2, ?3, ?4)
     ON CONFLICT (site, day, previous) DO UPDATE SET visitors = visitors + excluded.visitors";

const ADD_BLOCK: &str = "INSERT INTO report_blocks
        (site, day, block, variant, impressions, clicks, dismissals)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
     ON CONFLICT (site, day, block, variant) DO UPDATE SET
        impressions = impressions + excluded.impressions, clicks = clicks + excluded.clicks,
        dismissals = dismissals + excluded.dismissals";

const ADD_EXPOSURE: &str = "INSERT INTO report_exposures
        (site, day, block, variant, persons, converted, leads, mqls, sqls)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
     ON CONFLICT (site, day, block, variant) DO UPDATE SET
        persons = persons + excluded.persons, converted = converted + excluded.converted,
        leads = leads + excluded.leads, mqls = mqls + excluded.mqls,
        sqls = sqls + excluded.sqls";

const PUT_LEAD: &str = "INSERT OR REPLACE INTO report_leads
        (site, person, day, first_seen_ms, lead_ms, mql_ms, sql_ms, customer_ms, first_channel,
         first_source, first_campaign, first_landing, last_channel, last_source,
         last_campaign, last_landing)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)";

const LEAD_COLUMNS: &str =
    "day, first_seen_ms, lead_ms, mql_ms, sql_ms, customer_ms, first_channel,
     first_source, first_campaign, first_landing, last_channel, last_source,
     last_campaign, last_landing";

impl ReportWrites for SqliteTx<'_> {
    fn add_report_counts(&mut self, counts: &ReportCounts) -> StoreResult<()> {
        let connection = self.connection();
        let mut add = connection.prepare_cached(ADD_FUNNEL)?;
        for row in &counts.funnel {
            let s = &row.stages;
            add.execute(params![
                row.site,
                row.dimension,
                row.day,
                row.value,
                s.persons,
                s.leads,
                s.mqls,
                s.sqls,
                s.customers
            ])?;
        }
        let mut add = connection.prepare_cached(ADD_TRAFFIC)?;
        for row in &counts.traffic {
            let m = &row.measures;
            add.execute(params![
                row.site,
                row.dimension,
                row.day,
                row.value,
                m.pageviews,
                m.visits,
                m.leads,
                m.mqls
            ])?;
        }
        let mut add = connection.prepare_cached(ADD_HOUR)?;
        for row in &counts.hours {
            let m = &row.measures;
            add.execute(params![
                row.site,
                row.hour,
                m.pageviews,
                m.visits,
                m.leads,
                m.mqls,
                row.visitors
            ])?;
        }
        let mut add = connection.prepare_cached(ADD_RETURN)?;
        for row in &counts.returns {
            add.execute(params![row.site, row.day, row.previous, row.visitors])?;
        }
        let mut add = connection.prepare_cached(ADD_BLOCK)?;
        for row in &counts.blocks {
            let m = &row.measures;
            add.execute(params![
                row.site,
                row.day,
                row.block,
                row.variant,
                m.impressions,
                m.clicks,
                m.dismissals
            ])?;
        }
        let mut add = connection.prepare_cached(ADD_EXPOSURE)?;
        for row in &counts.exposures {
            let m = &row.measures;
            add.execute(params![
                row.site,
                row.day,
                row.block,
                row.variant,
                m.persons,
                m.converted,
                m.leads,
                m.mqls,
                m.sqls
            ])?;
        }
        let mut add = connection.prepare_cached(
            "INSERT INTO report_segments (site, segment, leads) VALUES (?1, ?2, ?3)
             ON CONFLICT (site, segment) DO UPDATE SET leads = leads + excluded.leads",
        )?;
        for (site, segment, leads) in &counts.segments {
            add.execute(params![site, segment, leads])?;
        }
        for lead in &counts.leads {
            match &lead.row {
                Some(t) => {
                    let v = &t.values;
                    connection.prepare_cached(PUT_LEAD)?.execute(params![
                        lead.site,
                        lead.person,
                        t.day,
                        t.first_seen_ms,
                        t.lead_ms,
                        t.mql_ms,
                        t.sql_ms,
                        t.customer_ms,
                        v[0],
                        v[1],
                        v[2],
                        v[3],
                        v[4],
                        v[5],
                        v[6],
                        v[7]
                    ])?;
                }
                None => {
                    connection
                        .prepare_cached("DELETE FROM report_leads WHERE site = ?1 AND person = ?2")?
                        .execute(params![lead.site, lead.person])?;
                }
            }
        }
        super::form_reports::add(connection, &counts.forms)?;
        Ok(())
    }

    fn open_form_views(&mut self, site: &str, visitor: &str) -> StoreResult<Option<String>> {
        super::form_reports::open_views(self.connection(), site, visitor)
    }

    fn save_open_form_views(
        &mut self,
        site: &str,
        visitor: &str,
        views: Option<&str>,
    ) -> StoreResult<()> {
        super::form_reports::save_open_views(self.connection(), site, visitor, views)
    }

    fn record_temperatures(
        &mut self,
        site: &str,
        day: i64,
        counts: &[(String, i64)],
    ) -> StoreResult<()> {
        let mut insert = self.connection().prepare_cached(
            "INSERT INTO report_temperatures (site, day, temperature, leads)
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT (site, day, temperature) DO NOTHING",
        )?;
        for (temperature, leads) in counts {
            insert.execute(params![site, day, temperature, leads])?;
        }
        Ok(())
    }
}

fn measures(row: &Row<'_>, from: usize) -> rusqlite::Result<TrafficMeasures> {
    Ok(TrafficMeasures {
        pageviews: row.get(from)?,
        visits: row.get(from + 1)?,
        leads: row.get(from + 2)?,
        mqls: row.get(from + 3)?,
    })
}

fn lead_times(row: &Row<'_>) -> rusqlite::Result<LeadTimes> {
    let mut values: [String; 8] = Default::default();
    for (at, value) in values.iter_mut().enumerate() {
        *value = row.get(6 + at)?;
    }
    Ok(LeadTimes {
        day: row.get(0)?,
        first_seen_ms: row.get(1)?,
        lead_ms: row.get(2)?,
        mql_ms: row.get(3)?,
        sql_ms: row.get(4)?,
        customer_ms: row.get(5)?,
        values,
    })
}

fn funnel_rows(
    connection: &Connection,
    site: &str,
    (from, until): (i64, i64),
    dimension: &str,
) -> StoreResult<Vec<(String, StageCounts)>> {
    let mut query = connection.prepare_cached(
        "SELECT value, SUM(persons), SUM(leads), SUM(mqls), SUM(sqls), SUM(customers)
         FROM report_funnel WHERE site = ?1 AND dimension = ?2 AND day >= ?3 AND day < ?4
         GROUP BY value ORDER BY SUM(persons) DESC, value",
    )?;
    let rows = query.query_map(params![site, dimension, from, until], |row| {
        Ok((
            row.get(0)?,
            StageCounts {
                persons: row.get(1)?,
                leads: row.get(2)?,
                mqls: row.get(3)?,
                sqls: row.get(4)?,
                customers: row.get(5)?,
            },
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn leads_of(
    connection: &Connection,
    site: &str,
    (from, until): (i64, i64),
    filter: Option<(&str, String)>,
) -> StoreResult<Vec<LeadTimes>> {
    let base = format!(
        "SELECT {LEAD_COLUMNS} FROM report_leads WHERE site = ?1 AND day >= ?2 AND day < ?3"
    );
    let rows = match filter.filter(|(column, _)| FUNNEL_BREAKDOWNS.contains(column)) {
        // The column is one of the fixed breakdown names, never the caller's text.
        Some((column, value)) => connection
            .prepare_cached(&format!("{base} AND {column} = ?4"))?
            .query_map(params![site, from, until, value], lead_times)?
            .collect::<Result<_, _>>()?,
        None => connection
            .prepare_cached(&base)?
            .query_map(params![site, from, until], lead_times)?
            .collect::<Result<_, _>>()?,
    };
    Ok(rows)
}

fn traffic_days(
    connection: &Connection,
    site: &str,
    (from, until): (i64, i64),
) -> StoreResult<Vec<TrafficDay>> {
    let mut days: Vec<TrafficDay> = connection
        .prepare_cached(
            "SELECT day, pageviews, visits, leads, mqls FROM report_traffic
             WHERE site = ?1 AND dimension = 'all' AND day >= ?2 AND day < ?3 ORDER BY day",
        )?
        .query_map(params![site, from, until], |row| {
            Ok(TrafficDay { day: row.get(0)?, measures: measures(row, 1)?, visitors: 0 })
        })?
        .collect::<Result<_, _>>()?;
    let mut visitors = connection.prepare_cached(
        "SELECT day, SUM(visitors) FROM report_returns
         WHERE site = ?1 AND day >= ?2 AND day < ?3 GROUP BY day",
    )?;
    for row in visitors.query_map(params![site, from, until], |row| {
        Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?))
    })? {
        let (day, count) = row?;
        match days.binary_search_by_key(&day, |known| known.day) {
            Ok(at) => days[at].visitors = count,
            Err(at) => {
                days.insert(at, TrafficDay { day, visitors: count, ..TrafficDay::default() })
            }
        }
    }
    Ok(days)
}

fn traffic_rows(
    connection: &Connection,
    site: &str,
    (from, until): (i64, i64),
    dimension: &str,
    limit: u32,
) -> StoreResult<Vec<(String, TrafficMeasures)>> {
    let order = if dimension == "page" { "SUM(pageviews)" } else { "SUM(visits)" };
    let rows = connection
        .prepare_cached(&format!(
            "SELECT value, SUM(pageviews), SUM(visits), SUM(leads), SUM(mqls) FROM report_traffic
             WHERE site = ?1 AND dimension = ?2 AND day >= ?3 AND day < ?4
             GROUP BY value ORDER BY {order} DESC, SUM(leads) DESC, value LIMIT ?5"
        ))?
        .query_map(params![site, dimension, from, until, i64::from(limit)], |row| {
            Ok((row.get(0)?, measures(row, 1)?))
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

fn distinct_visitors(
    connection: &Connection,
    site: &str,
    (from, until): (i64, i64),
) -> StoreResult<i64> {
    Ok(connection
        .prepare_cached(
            "SELECT COALESCE(SUM(visitors), 0) FROM report_returns
             WHERE site = ?1 AND day >= ?2 AND day < ?3 AND previous < ?2",
        )?
        .query_row(params![site, from, until], |row| row.get(0))?)
}

fn traffic_hours(
    connection: &Connection,
    site: &str,
    (from, until): (i64, i64),
) -> StoreResult<Vec<HourCount>> {
    let rows = connection
        .prepare_cached(
            "SELECT hour, pageviews, visits, leads, mqls, visitors FROM report_hours
             WHERE site = ?1 AND hour >= ?2 AND hour < ?3 ORDER BY hour",
        )?
        .query_map(params![site, from, until], |row| {
            Ok(HourCount {
                site: String::new(),
                hour: row.get(0)?,
                measures: measures(row, 1)?,
                visitors: row.get(5)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

fn block_rows(
    connection: &Connection,
    site: &str,
    (from, until): (i64, i64),
) -> StoreResult<Vec<(String, String, BlockMeasures)>> {
    let rows = connection
        .prepare_cached(
            "SELECT block, variant, SUM(impressions), SUM(clicks), SUM(dismissals)
             FROM report_blocks WHERE site = ?1 AND day >= ?2 AND day < ?3
             GROUP BY block, variant ORDER BY block, variant",
        )?
        .query_map(params![site, from, until], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                BlockMeasures {
                    impressions: row.get(2)?,
                    clicks: row.get(3)?,
                    dismissals: row.get(4)?,
                },
            ))
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

fn exposure_rows(
    connection: &Connection,
    site: &str,
    (from, until): (i64, i64),
) -> StoreResult<Vec<(String, String, ExposureMeasures)>> {
    let rows = connection
        .prepare_cached(
            "SELECT block, variant, SUM(persons), SUM(converted), SUM(leads), SUM(mqls),
                SUM(sqls)
             FROM report_exposures WHERE site = ?1 AND day >= ?2 AND day < ?3
             GROUP BY block, variant ORDER BY block, variant",
        )?
        .query_map(params![site, from, until], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                ExposureMeasures {
                    persons: row.get(2)?,
                    converted: row.get(3)?,
                    leads: row.get(4)?,
                    mqls: row.get(5)?,
                    sqls: row.get(6)?,
                },
            ))
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

fn pairs(connection: &Connection, sql: &str, site: &str) -> StoreResult<Vec<(String, i64)>> {
    let rows = connection
        .prepare_cached(sql)?
        .query_map(params![site], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

fn lead_scores(connection: &Connection, site: &str, width: i32) -> StoreResult<LeadScores> {
    let buckets = connection
        .prepare_cached(
            // The known persons' index alone; without statistics the planner would read
            // every known person's row through the email index.
            "SELECT (score - ((score % ?2) + ?2) % ?2) AS bucket, COUNT(*)
             FROM persons INDEXED BY persons_known_quality
             WHERE site = ?1 AND email IS NOT NULL GROUP BY bucket ORDER BY bucket",
        )?
        .query_map(params![site, width.max(1)], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let temperatures = pairs(
        connection,
        "SELECT temperature, COUNT(*) FROM persons WHERE site = ?1 AND email IS NOT NULL
         GROUP BY temperature ORDER BY temperature",
        site,
    )?;
    Ok(LeadScores { buckets, temperatures })
}

fn mql_points(
    connection: &Connection,
    site: &str,
    (from_ms, until_ms): (i64, i64),
    limit: u32,
) -> StoreResult<Vec<(String, i64, i64)>> {
    let rows = connection
        .prepare_cached(
            "SELECT s.rule, SUM(s.points), COUNT(DISTINCT s.person)
             FROM report_leads l JOIN score_changes s ON s.site = l.site AND s.person = l.person
             WHERE l.site = ?1 AND l.mql_ms >= ?2 AND l.mql_ms < ?3 AND s.at_ms <= l.mql_ms
             GROUP BY s.rule ORDER BY SUM(s.points) DESC, s.rule LIMIT ?4",
        )?
        .query_map(params![site, from_ms, until_ms, i64::from(limit)], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

fn temperature_days(
    connection: &Connection,
    site: &str,
    (from, until): (i64, i64),
) -> StoreResult<Vec<(i64, String, i64)>> {
    let rows = connection
        .prepare_cached(
            "SELECT day, temperature, leads FROM report_temperatures
             WHERE site = ?1 AND day >= ?2 AND day < ?3 ORDER BY day, temperature",
        )?
        .query_map(params![site, from, until], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

impl SqliteStore {
    /// Runs `read` on a reader connection with its own copy of `site`.
    async fn on_site<T, F>(&self, site: &str, read: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &str) -> StoreResult<T> + Send + 'static,
    {
        let site = site.to_owned();
        self.readers.read(move |connection| read(connection, &site)).await
    }
}

#[async_trait]
impl ReportReads for SqliteStore {
    async fn segment_leads(&self, site: &str) -> StoreResult<Vec<(String, i64)>> {
        const LEADS: &str = "SELECT segment, leads FROM report_segments
             WHERE site = ?1 AND leads > 0 ORDER BY leads DESC, segment";
        self.on_site(site, |c, site| pairs(c, LEADS, site)).await
    }

    async fn lead_scores(&self, site: &str, width: i32) -> StoreResult<LeadScores> {
        self.on_site(site, move |c, site| lead_scores(c, site, width)).await
    }

    async fn mql_points(
        &self,
        site: &str,
        from_ms: i64,
        until_ms: i64,
        limit: u32,
    ) -> StoreResult<Vec<(String, i64, i64)>> {
        self.on_site(site, move |c, site| mql_points(c, site, (from_ms, until_ms), limit)).await
    }

    async fn temperature_days(
        &self,
        site: &str,
        days: (i64, i64),
    ) -> StoreResult<Vec<(i64, String, i64)>> {
        self.on_site(site, move |c, site| temperature_days(c, site, days)).await
    }

    async fn block_rows(
        &self,
        site: &str,
        days: (i64, i64),
    ) -> StoreResult<Vec<(String, String, BlockMeasures)>> {
        self.on_site(site, move |c, site| block_rows(c, site, days)).await
    }

    async fn exposure_rows(
        &self,
        site: &str,
        days: (i64, i64),
    ) -> StoreResult<Vec<(String, String, ExposureMeasures)>> {
        self.on_site(site, move |c, site| exposure_rows(c, site, days)).await
    }

    async fn funnel_rows(
        &self,
        site: &str,
        days: (i64, i64),
        dimension: &'static str,
    ) -> StoreResult<Vec<(String, StageCounts)>> {
        self.on_site(site, move |c, site| funnel_rows(c, site, days, dimension)).await
    }

    async fn lead_times(
        &self,
        site: &str,
        days: (i64, i64),
        filter: Option<(&'static str, String)>,
    ) -> StoreResult<Vec<LeadTimes>> {
        self.on_site(site, move |c, site| leads_of(c, site, days, filter)).await
    }

    async fn traffic_days(&self, site: &str, days: (i64, i64)) -> StoreResult<Vec<TrafficDay>> {
        self.on_site(site, move |c, site| traffic_days(c, site, days)).await
    }

    async fn traffic_rows(
        &self,
        site: &str,
        days: (i64, i64),
        dimension: &'static str,
        limit: u32,
    ) -> StoreResult<Vec<(String, TrafficMeasures)>> {
        self.on_site(site, move |c, site| traffic_rows(c, site, days, dimension, limit)).await
    }

    async fn distinct_visitors(&self, site: &str, days: (i64, i64)) -> StoreResult<i64> {
        self.on_site(site, move |c, site| distinct_visitors(c, site, days)).await
    }

    async fn traffic_hours(&self, site: &str, hours: (i64, i64)) -> StoreResult<Vec<HourCount>> {
        self.on_site(site, move |c, site| traffic_hours(c, site, hours)).await
    }
}
