//! Helpers shared by the integration tests. Every test runs against a real PostgreSQL cluster
//! started by the crate itself; a cluster that cannot start fails the test (never skips it).

#![allow(dead_code)]

use sqlx::{Connection, PgConnection};
use tollgate_verify::{Server, ServerOptions};

/// A new throwaway cluster, or a panic with the reason.
pub async fn ephemeral() -> Server {
    match Server::start(&ServerOptions::default()).await {
        Ok(server) => server,
        Err(e) => panic!("the test cluster did not start: {e}"),
    }
}

pub async fn connect(url: &str) -> PgConnection {
    PgConnection::connect(url)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {url}: {e}"))
}

/// Runs `sql` (one or more statements) on `url`.
pub async fn exec(url: &str, sql: &str) {
    let mut conn = connect(url).await;
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    conn.close().await.unwrap();
}

/// Whether database `name` exists on the server of `admin_url`.
pub async fn db_exists(admin_url: &str, name: &str) -> bool {
    let mut conn = connect(admin_url).await;
    let found: Option<i32> = sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(name)
        .fetch_optional(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    found.is_some()
}

/// Whether something accepts TCP connections on 127.0.0.1:`port`.
pub fn port_open(port: u16) -> bool {
    std::net::TcpStream::connect_timeout(
        &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        std::time::Duration::from_secs(2),
    )
    .is_ok()
}

/// Sets every timing of a run report to zero (they differ between two runs of the same thing).
pub fn zero_timings(r: &mut tollgate_verify::run::RunReport) {
    for o in &mut r.migrations {
        o.ms = 0;
        o.up.ms = 0;
        for s in [&mut o.down, &mut o.reup].into_iter().flatten() {
            s.ms = 0;
        }
        for l in &mut o.locks {
            l.held_ms = 0;
        }
    }
}
