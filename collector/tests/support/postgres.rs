//! A fresh PostgreSQL database per test on the local server
//! (`KINDLING_TEST_POSTGRES`, default `postgres://postgres@127.0.0.1:5432/test`),
//! dropped when the test ends.

use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::Connection;
use sqlx::postgres::PgConnection;

static NEXT: AtomicU32 = AtomicU32::new(0);

fn admin_url() -> String {
    std::env::var("KINDLING_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

pub struct TestDatabase {
    pub url: String,
    name: String,
}

impl TestDatabase {
    pub async fn create() -> TestDatabase {
        let admin = admin_url();
        let mut connection = PgConnection::connect(&admin).await.unwrap_or_else(|error| {
            panic!("PostgreSQL at {admin} does not answer ({error}); `cargo xtask test` starts it")
        });
        let name = format!(
            "kindling_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut connection)
            .await
            .expect("old database dropped");
        sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
            .execute(&mut connection)
            .await
            .expect("database created");
        let base = admin.rsplit_once('/').map_or(admin.as_str(), |(base, _)| base);
        TestDatabase { url: format!("{base}/{name}"), name }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop runs outside async code: a small runtime of its own does the cleanup.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
            if let Ok(runtime) = runtime {
                runtime.block_on(async {
                    if let Ok(mut connection) = PgConnection::connect(&admin_url()).await {
                        let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                        let _ = sqlx::raw_sql(&drop).execute(&mut connection).await;
                    }
                });
            }
        })
        .join();
    }
}
