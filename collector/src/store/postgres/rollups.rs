//! The report counts of a PostgreSQL transaction, added when it commits: summed per
//! row, then one upsert per rollup table (arrays unnested), tables in a fixed order
//! and rows in key order. Every collector takes the locks of shared rows (today's
//! `all` row, say) in one order and last, so two transactions never wait on each
//! other in a cycle.

use std::collections::BTreeMap;

use sqlx::PgConnection;

use crate::store::error::StoreResult;
use crate::store::records::{
    BlockCount, BlockMeasures, ExposureCount, ExposureMeasures, FormCount, FormRowKey, FunnelCount,
    HourCount, ReportCounts, ReturnCount, StageCounts, TrafficCount, TrafficMeasures,
};

const ADD_FUNNEL: &str = "INSERT INTO report_funnel AS r
        (site, dimension, day, value, persons, leads, mqls, sqls, customers)
     SELECT * FROM UNNEST($1::text[], $2::text[], $3::bigint[], $4::text[], $5::bigint[],
        $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[])
     ON CONFLICT (site, dimension, day, value) DO UPDATE SET
        persons = r.persons + excluded.persons, leads = r.leads + excluded.leads,
        mqls = r.mqls + excluded.mqls, sqls = r.sqls + excluded.sqls,
        customers = r.customers + excluded.customers";

const ADD_TRAFFIC: &str = "INSERT INTO report_traffic AS r
        (site, dimension, day, value, pageviews, visits, leads, mqls)
     SELECT * FROM UNNEST($1::text[], $2::text[], $3::bigint[], $4::text[], $5::bigint[],
        $6::bigint[], $7::bigint[], $8::bigint[])
     ON CONFLICT (site, dimension, day, value) DO UPDATE SET
        pageviews = r.pageviews + excluded.pageviews, visits = r.visits + excluded.visits,
        leads = r.leads + excluded.leads, mqls = r.mqls + excluded.mqls";

const ADD_HOURS: &str = "INSERT INTO report_hours AS r
        (site, hour, pageviews, visits, leads, mqls, visitors)
     SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[],
        $6::bigint[], $7::bigint[])
     ON CONFLICT (site, hour) DO UPDATE SET
        pageviews = r.pageviews + excluded.pageviews, visits = r.visits + excluded.visits,
        leads = r.leads + excluded.leads, mqls = r.mqls + excluded.mqls,
        visitors = r.visitors + excluded.visitors";

const ADD_RETURNS: &str = "INSERT INTO report_returns AS r (site, day, previous, visitors)
     SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::bigint[], $4::bigint[])
     ON CONFLICT (site, day, previous) DO UPDATE SET visitors = r.visitors + excluded.visitors";

const ADD_BLOCKS: &str = "INSERT INTO report_blocks AS r
        (site, day, block, variant, impressions, clicks, dismissals)
     SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bigint[],
        $6::bigint[], $7::bigint[])
     ON CONFLICT (site, day, block, variant) DO UPDATE SET
        impressions = r.impressions + excluded.impressions, clicks = r.clicks + excluded.clicks,
        dismissals = r.dismissals + excluded.dismissals";

const ADD_EXPOSURES: &str = "INSERT INTO report_exposures AS r
        (site, day, block, variant, persons, converted, leads, mqls, sqls)
     SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bigint[],
        $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[])
     ON CONFLICT (site, day, block, variant) DO UPDATE SET
        persons = r.persons + excluded.persons, converted = r.converted + excluded.converted,
        leads = r.leads + excluded.leads, mqls = r.mqls + excluded.mqls,
        sqls = r.sqls + excluded.sqls";

const PUT_LEAD: &str = "INSERT INTO report_leads
        (site, person, day, first_seen_ms, lead_ms, mql_ms, sql_ms, customer_ms, first_channel,
         first_source, first_campaign, first_landing, last_channel, last_source,
         last_campaign, last_landing)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
     ON CONFLICT (site, person) DO UPDATE SET day = excluded.day,
        first_seen_ms = excluded.first_seen_ms, lead_ms = excluded.lead_ms,
        mql_ms = excluded.mql_ms, sql_ms = excluded.sql_ms,
        customer_ms = excluded.customer_ms, first_channel = excluded.first_channel,
        first_source = excluded.first_source, first_campaign = excluded.first_campaign,
        first_landing = excluded.first_landing, last_channel = excluded.last_channel,
        last_source = excluded.last_source, last_campaign = excluded.last_campaign,
        last_landing = excluded.last_landing";

const ADD_FORM_COUNTS: &str = "INSERT INTO report_forms AS r
        (site, day, form, measure, detail, count)
     SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[],
        $6::bigint[])
     ON CONFLICT (site, day, form, measure, detail) DO UPDATE SET count = r.count + excluded.count";

/// Adds the forms rollup's rows.
async fn add_forms(connection: &mut PgConnection, rows: &[FormCount]) -> StoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    sqlx::query(ADD_FORM_COUNTS)
        .bind(rows.iter().map(|r| r.site.as_str()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.day).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.form.as_str()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.measure).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.detail.as_str()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.count).collect::<Vec<_>>())
        .execute(&mut *connection)
        .await?;
    Ok(())
}

pub(super) async fn add(connection: &mut PgConnection, counts: &ReportCounts) -> StoreResult<()> {
    if !counts.funnel.is_empty() {
        let rows = &counts.funnel;
        sqlx::query(ADD_FUNNEL)
            .bind(rows.iter().map(|r| r.site.as_str()).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.dimension).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.day).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.value.as_str()).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.stages.persons).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.stages.leads).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.stages.mqls).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.stages.sqls).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.stages.customers).collect::<Vec<_>>())
            .execute(&mut *connection)
            .await?;
    }
    if !counts.traffic.is_empty() {
        let rows = &counts.traffic;
        sqlx::query(ADD_TRAFFIC)
            .bind(rows.iter().map(|r| r.site.as_str()).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.dimension).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.day).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.value.as_str()).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.measures.pageviews).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.measures.visits).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.measures.leads).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.measures.mqls).collect::<Vec<_>>())
            .execute(&mut *connection)
            .await?;
    }
    if !counts.hours.is_empty() {
        let rows = &counts.hours;
        sqlx::query(ADD_HOURS)
            .bind(rows.iter().map(|r| r.site.as_str()).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.hour).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.measures.pageviews).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.measures.visits).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.measures.leads).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.measures.mqls).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.visitors).collect::<Vec<_>>())
            .execute(&mut *connection)
            .await?;
    }
    if !counts.returns.is_empty() {
        let rows = &counts.returns;
        sqlx::query(ADD_RETURNS)
            .bind(rows.iter().map(|r| r.site.as_str()).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.day).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.previous).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.visitors).collect::<Vec<_>>())
            .execute(&mut *connection)
            .await?;
    }
    if !counts.blocks.is_empty() {
        let rows = &counts.blocks;
        sqlx::query(ADD_BLOCKS)
            .bind(rows.iter().map(|r| r.site.as_str()).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.day).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.block.as_str()).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.variant.as_str()).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.measures.impressions).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.measures.clicks).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.measures.dismissals).collect::<Vec<_>>())
            .execute(&mut *connection)
            .await?;
    }
    if !counts.exposures.is_empty() {
        let rows = &counts.exposures;
        sqlx::query(ADD_EXPOSURES)
            .bind(rows.iter().map(|r| r.site.as_str()).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.day).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.block.as_str()).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.variant.as_str()).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.measures.persons).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.measures.converted).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.measures.leads).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.measures.mqls).collect::<Vec<_>>())
            .bind(rows.iter().map(|r| r.measures.sqls).collect::<Vec<_>>())
            .execute(&mut *connection)
            .await?;
    }
    if !counts.segments.is_empty() {
        let rows = &counts.segments;
        sqlx::query(
            "INSERT INTO report_segments AS r (site, segment, leads)
             SELECT * FROM UNNEST($1::text[], $2::text[], $3::bigint[])
             ON CONFLICT (site, segment) DO UPDATE SET leads = r.leads + excluded.leads",
        )
        .bind(rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.1.as_str()).collect::<Vec<_>>())
        .bind(rows.iter().map(|r| r.2).collect::<Vec<_>>())
        .execute(&mut *connection)
        .await?;
    }
    add_forms(connection, &counts.forms).await?;
    for lead in &counts.leads {
        match &lead.row {
            Some(t) => {
                let mut query = sqlx::query(PUT_LEAD)
                    .bind(&lead.site)
                    .bind(&lead.person)
                    .bind(t.day)
                    .bind(t.first_seen_ms)
                    .bind(t.lead_ms)
                    .bind(t.mql_ms)
                    .bind(t.sql_ms)
                    .bind(t.customer_ms);
                for value in &t.values {
                    query = query.bind(value);
                }
                query.execute(&mut *connection).await?;
            }
            None => {
                sqlx::query("DELETE FROM report_leads WHERE site = $1 AND person = $2")
                    .bind(&lead.site)
                    .bind(&lead.person)
                    .execute(&mut *connection)
                    .await?;
            }
        }
    }
    Ok(())
}

/// One set of counts adding up all of `all`, rows summed per key and in key order; a
/// person's lead row is the last one given.
pub(super) fn merged(all: Vec<ReportCounts>) -> ReportCounts {
    let mut funnel = BTreeMap::new();
    let mut traffic = BTreeMap::new();
    let mut hours = BTreeMap::new();
    let mut returns = BTreeMap::new();
    let mut leads = BTreeMap::new();
    let mut blocks = BTreeMap::new();
    let mut exposures = BTreeMap::new();
    let mut segments: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut forms: BTreeMap<FormRowKey, i64> = BTreeMap::new();
    for counts in all {
        for row in counts.forms {
            *forms.entry((row.site, row.day, row.form, row.measure, row.detail)).or_default() +=
                row.count;
        }
        for row in counts.funnel {
            let sum: &mut FunnelCount = funnel
                .entry((row.site.clone(), row.dimension, row.day, row.value.clone()))
                .or_insert_with(|| FunnelCount { stages: StageCounts::default(), ..row.clone() });
            let (s, r) = (&mut sum.stages, row.stages);
            s.persons += r.persons;
            s.leads += r.leads;
            s.mqls += r.mqls;
            s.sqls += r.sqls;
            s.customers += r.customers;
        }
        for row in counts.traffic {
            let sum: &mut TrafficCount = traffic
                .entry((row.site.clone(), row.dimension, row.day, row.value.clone()))
                .or_insert_with(|| TrafficCount {
                    measures: TrafficMeasures::default(),
                    ..row.clone()
                });
            add_measures(&mut sum.measures, row.measures);
        }
        for row in counts.hours {
            let sum: &mut HourCount =
                hours.entry((row.site.clone(), row.hour)).or_insert_with(|| HourCount {
                    visitors: 0,
                    measures: TrafficMeasures::default(),
                    ..row.clone()
                });
            add_measures(&mut sum.measures, row.measures);
            sum.visitors += row.visitors;
        }
        for row in counts.returns {
            let sum: &mut ReturnCount = returns
                .entry((row.site.clone(), row.day, row.previous))
                .or_insert_with(|| ReturnCount { visitors: 0, ..row.clone() });
            sum.visitors += row.visitors;
        }
        for row in counts.blocks {
            let sum: &mut BlockCount = blocks
                .entry((row.site.clone(), row.day, row.block.clone(), row.variant.clone()))
                .or_insert_with(|| BlockCount {
                    measures: BlockMeasures::default(),
                    ..row.clone()
                });
            sum.measures.impressions += row.measures.impressions;
            sum.measures.clicks += row.measures.clicks;
            sum.measures.dismissals += row.measures.dismissals;
        }
        for row in counts.exposures {
            let sum: &mut ExposureCount = exposures
                .entry((row.site.clone(), row.day, row.block.clone(), row.variant.clone()))
                .or_insert_with(|| ExposureCount {
                    measures: ExposureMeasures::default(),
                    ..row.clone()
                });
            let (s, r) = (&mut sum.measures, row.measures);
            s.persons += r.persons;
            s.converted += r.converted;
            s.leads += r.leads;
            s.mqls += r.mqls;
            s.sqls += r.sqls;
        }
        for (site, segment, leads) in counts.segments {
            *segments.entry((site, segment)).or_default() += leads;
        }
        for lead in counts.leads {
            leads.insert((lead.site.clone(), lead.person.clone()), lead);
        }
    }
    ReportCounts {
        funnel: funnel.into_values().collect(),
        traffic: traffic.into_values().collect(),
        hours: hours.into_values().collect(),
        returns: returns.into_values().collect(),
        blocks: blocks.into_values().collect(),
        exposures: exposures.into_values().collect(),
        segments: segments.into_iter().map(|((site, segment), n)| (site, segment, n)).collect(),
        leads: leads.into_values().collect(),
        forms: FormCount::rows(forms),
    }
}

fn add_measures(sum: &mut TrafficMeasures, more: TrafficMeasures) {
    sum.pageviews += more.pageviews;
    sum.visits += more.visits;
    sum.leads += more.leads;
    sum.mqls += more.mqls;
}
