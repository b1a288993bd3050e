//! Plain SQL on the collector's database, beside the collector's own code: what a seeded
//! history holds (events, visitors, leads), and the baseline query of the reports
//! benchmark. `sqlite:PATH` (or `sqlite://PATH`) is opened with rusqlite,
//! `postgres://…` with sqlx.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use sqlx::Row;
use sqlx::postgres::PgPoolOptions;

/// A connection to the collector's database.
pub enum Database {
    Sqlite(rusqlite::Connection),
    Postgres(sqlx::PgPool),
}

/// What a site's history holds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    pub events: i64,
    pub visitors: i64,
    pub leads: i64,
}

/// The file a `sqlite:` URL names, as the collector reads it.
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next().unwrap_or(path);
    (!path.is_empty()).then(|| PathBuf::from(path))
}

impl Database {
    pub async fn open(url: &str) -> Result<Database, String> {
        if let Some(file) = sqlite_file(url) {
            let connection = rusqlite::Connection::open(&file)
                .map_err(|error| format!("cannot open {}: {error}", file.display()))?;
            connection
                .busy_timeout(Duration::from_secs(30))
                .map_err(|error| format!("sqlite: {error}"))?;
            Ok(Database::Sqlite(connection))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new()
                .max_connections(1)
                .connect(url)
                .await
                .map_err(|error| format!("cannot connect to {url}: {error}"))?;
            Ok(Database::Postgres(pool))
        } else {
            Err(format!("{url} is neither sqlite: nor postgres://"))
        }
    }

    async fn count(&self, sql: &str, site: &str) -> Result<i64, String> {
        match self {
            Database::Sqlite(connection) => connection
                .query_row(sql, [site], |row| row.get(0))
                .map_err(|error| format!("{sql}: {error}")),
            Database::Postgres(pool) => {
                let sql = sql.replace('?', "$1");
                let row = sqlx::query(&sql)
                    .bind(site)
                    .fetch_one(pool)
                    .await
                    .map_err(|error| format!("{sql}: {error}"))?;
                row.try_get::<i64, _>(0).map_err(|error| format!("{sql}: {error}"))
            }
        }
    }

    /// On PostgreSQL, `VACUUM (ANALYZE)` after a bulk load, as autovacuum would do on
    /// a live database in time: statistics for the planner and visibility for
    /// index-only scans. Nothing on SQLite, whose statements do not rely on statistics.
    pub async fn vacuum_analyze(&self) -> Result<(), String> {
        if let Database::Postgres(pool) = self {
            sqlx::raw_sql("VACUUM (ANALYZE)")
                .execute(pool)
                .await
                .map_err(|error| format!("VACUUM (ANALYZE): {error}"))?;
        }
        Ok(())
    }

    /// Events, visitors and leads (persons with an email) of `site`.
    pub async fn counts(&self, site: &str) -> Result<Counts, String> {
        Ok(Counts {
            events: self.count("SELECT count(*) FROM events WHERE site = ?", site).await?,
            visitors: self.count("SELECT count(*) FROM visitors WHERE site = ?", site).await?,
            leads: self
                .count("SELECT count(*) FROM persons WHERE site = ? AND email IS NOT NULL", site)
                .await?,
        })
    }

    /// Times `SELECT count(*) FROM events WHERE site = ? AND received_ms >= ? AND
    /// received_ms < ?`; returns the count and the time it took.
    pub async fn time_events_in_range(
        &self,
        site: &str,
        from_ms: i64,
        until_ms: i64,
    ) -> Result<(i64, Duration), String> {
        const SQL: &str = "SELECT count(*) FROM events WHERE site = ?1 AND received_ms >= ?2 AND received_ms < ?3";
        let started = Instant::now();
        let count = match self {
            Database::Sqlite(connection) => connection
                .query_row(SQL, rusqlite::params![site, from_ms, until_ms], |row| row.get(0))
                .map_err(|error| format!("{SQL}: {error}"))?,
            Database::Postgres(pool) => {
                let sql = SQL.replace("?1", "$1").replace("?2", "$2").replace("?3", "$3");
                let row = sqlx::query(&sql)
                    .bind(site)
                    .bind(from_ms)
                    .bind(until_ms)
                    .fetch_one(pool)
                    .await
                    .map_err(|error| format!("{sql}: {error}"))?;
                row.try_get::<i64, _>(0).map_err(|error| format!("{sql}: {error}"))?
            }
        };
        Ok((count, started.elapsed()))
    }
}
