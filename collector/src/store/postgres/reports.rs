//! [`ReportReads`] and [`ReportWrites`] on PostgreSQL: a transaction's report counts
//! are kept until it commits ([`rollups`](super::rollups) adds them); reads sum rows
//! over a range of days by their primary keys.

use async_trait::async_trait;
use sqlx::Row;
use sqlx::postgres::PgRow;

use super::PostgresStore;
use super::form_reports;
use super::tx::PgTx;
use crate::store::error::StoreResult;
use crate::store::records::{
    BlockMeasures, ExposureMeasures, FUNNEL_BREAKDOWNS, HourCount, LeadTimes, ReportCounts,
    StageCounts, TrafficMeasures,
};
use crate::store::reports::{LeadScores, ReportReads, ReportWrites, TrafficDay};

const LEAD_COLUMNS: &str =
    "day, first_seen_ms, lead_ms, mql_ms, sql_ms, customer_ms, first_channel,
     first_source, first_campaign, first_landing, last_channel, last_source,
     last_campaign, last_landing";

impl ReportWrites for PgTx {
    fn add_report_counts(&mut self, counts: &ReportCounts) -> StoreResult<()> {
        self.reports.push(counts.clone());
        Ok(())
    }

    fn record_temperatures(
        &mut self,
        site: &str,
        day: i64,
        counts: &[(String, i64)],
    ) -> StoreResult<()> {
        let insert = sqlx::query(
            "INSERT INTO report_temperatures (site, day, temperature, leads)
             SELECT $1, $2, * FROM UNNEST($3::text[], $4::bigint[])
             ON CONFLICT (site, day, temperature) DO NOTHING",
        )
        .bind(site)
        .bind(day)
        .bind(counts.iter().map(|c| c.0.as_str()).collect::<Vec<_>>())
        .bind(counts.iter().map(|c| c.1).collect::<Vec<_>>());
        self.run(|connection| insert.execute(connection))?;
        Ok(())
    }

    fn open_form_views(&mut self, site: &str, visitor: &str) -> StoreResult<Option<String>> {
        self.run(|connection| form_reports::open_views(connection, site, visitor))
    }

    fn save_open_form_views(
        &mut self,
        site: &str,
        visitor: &str,
        views: Option<&str>,
    ) -> StoreResult<()> {
        self.run(|connection| form_reports::save_open_views(connection, site, visitor, views))
    }
}

fn measures(row: &PgRow, from: usize) -> Result<TrafficMeasures, sqlx::Error> {
    Ok(TrafficMeasures {
        pageviews: row.try_get(from)?,
        visits: row.try_get(from + 1)?,
        leads: row.try_get(from + 2)?,
        mqls: row.try_get(from + 3)?,
    })
}

fn lead_times(row: &PgRow) -> Result<LeadTimes, sqlx::Error> {
    let mut values: [String; 8] = Default::default();
    for (at, value) in values.iter_mut().enumerate() {
        *value = row.try_get(6 + at)?;
    }
    Ok(LeadTimes {
        day: row.try_get(0)?,
        first_seen_ms: row.try_get(1)?,
        lead_ms: row.try_get(2)?,
        mql_ms: row.try_get(3)?,
        sql_ms: row.try_get(4)?,
        customer_ms: row.try_get(5)?,
        values,
    })
}

#[async_trait]
impl ReportReads for PostgresStore {
    async fn segment_leads(&self, site: &str) -> StoreResult<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT segment, leads FROM report_segments WHERE site = $1 AND leads > 0
             ORDER BY leads DESC, segment",
        )
        .bind(site)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<_, sqlx::Error>>()?)
    }

    async fn lead_scores(&self, site: &str, width: i32) -> StoreResult<LeadScores> {
        let buckets = sqlx::query(
            "SELECT (score - ((score % $2) + $2) % $2)::bigint AS bucket, COUNT(*)::bigint
             FROM persons WHERE site = $1 AND email IS NOT NULL GROUP BY bucket ORDER BY bucket",
        )
        .bind(site)
        .bind(width.max(1))
        .fetch_all(&self.pool)
        .await?;
        let temperatures = sqlx::query(
            "SELECT temperature, COUNT(*)::bigint FROM persons
             WHERE site = $1 AND email IS NOT NULL GROUP BY temperature ORDER BY temperature",
        )
        .bind(site)
        .fetch_all(&self.pool)
        .await?;
        Ok(LeadScores {
            buckets: buckets
                .iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
                .collect::<Result<_, sqlx::Error>>()?,
            temperatures: temperatures
                .iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
                .collect::<Result<_, sqlx::Error>>()?,
        })
    }

    async fn mql_points(
        &self,
        site: &str,
        from_ms: i64,
        until_ms: i64,
        limit: u32,
    ) -> StoreResult<Vec<(String, i64, i64)>> {
        let rows = sqlx::query(
            "SELECT s.rule, SUM(s.points)::bigint, COUNT(DISTINCT s.person)::bigint
             FROM report_leads l JOIN score_changes s ON s.site = l.site AND s.person = l.person
             WHERE l.site = $1 AND l.mql_ms >= $2 AND l.mql_ms < $3 AND s.at_ms <= l.mql_ms
             GROUP BY s.rule ORDER BY SUM(s.points) DESC, s.rule LIMIT $4",
        )
        .bind(site)
        .bind(from_ms)
        .bind(until_ms)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect::<Result<_, sqlx::Error>>()?)
    }

    async fn temperature_days(
        &self,
        site: &str,
        (from, until): (i64, i64),
    ) -> StoreResult<Vec<(i64, String, i64)>> {
        let rows = sqlx::query(
            "SELECT day, temperature, leads FROM report_temperatures
             WHERE site = $1 AND day >= $2 AND day < $3 ORDER BY day, temperature",
        )
        .bind(site)
        .bind(from)
        .bind(until)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect::<Result<_, sqlx::Error>>()?)
    }

    async fn block_rows(
        &self,
        site: &str,
        (from, until): (i64, i64),
    ) -> StoreResult<Vec<(String, String, BlockMeasures)>> {
        let rows = sqlx::query(
            "SELECT block, variant, SUM(impressions)::bigint, SUM(clicks)::bigint,
                SUM(dismissals)::bigint
             FROM report_blocks WHERE site = $1 AND day >= $2 AND day < $3
             GROUP BY block, variant ORDER BY block, variant",
        )
        .bind(site)
        .bind(from)
        .bind(until)
        .fetch_all(&self.pool)
        .await?;
        let mut found = Vec::with_capacity(rows.len());
        for row in rows {
            found.push((
                row.try_get(0)?,
                row.try_get(1)?,
                BlockMeasures {
                    impressions: row.try_get(2)?,
                    clicks: row.try_get(3)?,
                    dismissals: row.try_get(4)?,
                },
            ));
        }
        Ok(found)
    }

    async fn exposure_rows(
        &self,
        site: &str,
        (from, until): (i64, i64),
    ) -> StoreResult<Vec<(String, String, ExposureMeasures)>> {
        let rows = sqlx::query(
            "SELECT block, variant, SUM(persons)::bigint, SUM(converted)::bigint,
                SUM(leads)::bigint, SUM(mqls)::bigint, SUM(sqls)::bigint
             FROM report_exposures WHERE site = $1 AND day >= $2 AND day < $3
             GROUP BY block, variant ORDER BY block, variant",
        )
        .bind(site)
        .bind(from)
        .bind(until)
        .fetch_all(&self.pool)
        .await?;
        let mut found = Vec::with_capacity(rows.len());
        for row in rows {
            found.push((
                row.try_get(0)?,
                row.try_get(1)?,
                ExposureMeasures {
                    persons: row.try_get(2)?,
                    converted: row.try_get(3)?,
                    leads: row.try_get(4)?,
                    mqls: row.try_get(5)?,
                    sqls: row.try_get(6)?,
                },
            ));
        }
        Ok(found)
    }

    async fn funnel_rows(
        &self,
        site: &str,
        (from, until): (i64, i64),
        dimension: &'static str,
    ) -> StoreResult<Vec<(String, StageCounts)>> {
        let rows = sqlx::query(
            "SELECT value, SUM(persons)::bigint, SUM(leads)::bigint, SUM(mqls)::bigint,
                SUM(sqls)::bigint, SUM(customers)::bigint
             FROM report_funnel WHERE site = $1 AND dimension = $2 AND day >= $3 AND day < $4
             GROUP BY value ORDER BY SUM(persons) DESC, value",
        )
        .bind(site)
        .bind(dimension)
        .bind(from)
        .bind(until)
        .fetch_all(&self.pool)
        .await?;
        let mut found = Vec::with_capacity(rows.len());
        for row in rows {
            found.push((
                row.try_get(0)?,
                StageCounts {
                    persons: row.try_get(1)?,
                    leads: row.try_get(2)?,
                    mqls: row.try_get(3)?,
                    sqls: row.try_get(4)?,
                    customers: row.try_get(5)?,
                },
            ));
        }
        Ok(found)
    }

    async fn lead_times(
        &self,
        site: &str,
        (from, until): (i64, i64),
        filter: Option<(&'static str, String)>,
    ) -> StoreResult<Vec<LeadTimes>> {
        let base = format!(
            "SELECT {LEAD_COLUMNS} FROM report_leads WHERE site = $1 AND day >= $2 AND day < $3"
        );
        let rows = match filter.filter(|(column, _)| FUNNEL_BREAKDOWNS.contains(column)) {
            // The column is one of the fixed breakdown names, never the caller's text.
            Some((column, value)) => {
                sqlx::query(&format!("{base} AND {column} = $4"))
                    .bind(site)
                    .bind(from)
                    .bind(until)
                    .bind(value)
                    .fetch_all(&self.pool)
                    .await?
            }
            None => {
                sqlx::query(&base).bind(site).bind(from).bind(until).fetch_all(&self.pool).await?
            }
        };
        Ok(rows.iter().map(lead_times).collect::<Result<_, _>>()?)
    }

    async fn traffic_days(
        &self,
        site: &str,
        (from, until): (i64, i64),
    ) -> StoreResult<Vec<TrafficDay>> {
        let rows = sqlx::query(
            "SELECT COALESCE(t.day, v.day), COALESCE(t.pageviews, 0), COALESCE(t.visits, 0),
                COALESCE(t.leads, 0), COALESCE(t.mqls, 0), COALESCE(v.visitors, 0)::bigint
             FROM (SELECT day, pageviews, visits, leads, mqls FROM report_traffic
                   WHERE site = $1 AND dimension = 'all' AND day >= $2 AND day < $3) t
             FULL JOIN (SELECT day, SUM(visitors) AS visitors FROM report_returns
                   WHERE site = $1 AND day >= $2 AND day < $3 GROUP BY day) v
             ON t.day = v.day ORDER BY 1",
        )
        .bind(site)
        .bind(from)
        .bind(until)
        .fetch_all(&self.pool)
        .await?;
        let mut days = Vec::with_capacity(rows.len());
        for row in rows {
            days.push(TrafficDay {
                day: row.try_get(0)?,
                measures: measures(&row, 1)?,
                visitors: row.try_get(5)?,
            });
        }
        Ok(days)
    }

    async fn traffic_rows(
        &self,
        site: &str,
        (from, until): (i64, i64),
        dimension: &'static str,
        limit: u32,
    ) -> StoreResult<Vec<(String, TrafficMeasures)>> {
        let order = if dimension == "page" { "SUM(pageviews)" } else { "SUM(visits)" };
        let rows = sqlx::query(&format!(
            "SELECT value, SUM(pageviews)::bigint, SUM(visits)::bigint, SUM(leads)::bigint,
                SUM(mqls)::bigint
             FROM report_traffic WHERE site = $1 AND dimension = $2 AND day >= $3 AND day < $4
             GROUP BY value ORDER BY {order} DESC, SUM(leads) DESC, value LIMIT $5"
        ))
        .bind(site)
        .bind(dimension)
        .bind(from)
        .bind(until)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        let mut found = Vec::with_capacity(rows.len());
        for row in rows {
            found.push((row.try_get(0)?, measures(&row, 1)?));
        }
        Ok(found)
    }

    async fn distinct_visitors(&self, site: &str, (from, until): (i64, i64)) -> StoreResult<i64> {
        let row = sqlx::query(
            "SELECT COALESCE(SUM(visitors), 0)::bigint FROM report_returns
             WHERE site = $1 AND day >= $2 AND day < $3 AND previous < $2",
        )
        .bind(site)
        .bind(from)
        .bind(until)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get(0)?)
    }

    async fn traffic_hours(
        &self,
        site: &str,
        (from, until): (i64, i64),
    ) -> StoreResult<Vec<HourCount>> {
        let rows = sqlx::query(
            "SELECT hour, pageviews, visits, leads, mqls, visitors FROM report_hours
             WHERE site = $1 AND hour >= $2 AND hour < $3 ORDER BY hour",
        )
        .bind(site)
        .bind(from)
        .bind(until)
        .fetch_all(&self.pool)
        .await?;
        let mut hours = Vec::with_capacity(rows.len());
        for row in rows {
            hours.push(HourCount {
                site: String::new(),
                hour: row.try_get(0)?,
                measures: measures(&row, 1)?,
                visitors: row.try_get(5)?,
            });
        }
        Ok(hours)
    }
}
