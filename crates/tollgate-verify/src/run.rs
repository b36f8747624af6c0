//! The migration runner: applies the base migrations, then runs each checked migration up →
//! down → up on a scratch database, snapshotting the catalog around each step, and traces
//! the locks and rewrites each up statement causes on relations that existed before it.

use std::collections::BTreeMap;
use std::time::Instant;

use serde::Serialize;
use sqlx::{Connection, PgConnection, Row};

use crate::tracker::{SnapshotMode, Tracker};
use crate::{data, diff, Snapshot, VerifyError};

/// One statement to send, with where it stands in its file.
#[derive(Debug, Clone)]
pub struct RunStatement {
    pub sql: String,
    pub path: String,
    pub line: usize,
    pub column: usize,
    /// Byte offsets of the statement in its file.
    pub start: usize,
    pub end: usize,
    /// `sql` is exactly the file's text at `start..end` (not an unescaped TypeScript string),
    /// so an error position inside it maps to a byte in the file.
    pub verbatim: bool,
    /// `BEGIN`, `COMMIT`, ... written in the migration itself.
    pub transaction_control: bool,
}

/// A migration as the runner sees it.
#[derive(Debug, Clone)]
pub struct RunMigration {
    pub id: String,
    pub up: Vec<RunStatement>,
    pub down: Option<Vec<RunStatement>>,
    /// Runs inside one transaction (the tool's default, unless the migration says otherwise).
    pub transactional: bool,
    /// `false`: a base migration, applied (up only) to build the starting schema.
    pub checked: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Apply the ups only.
    Up,
    /// up → down → up, comparing catalog snapshots.
    Roundtrip,
}

#[derive(Debug, Clone)]
pub struct RunOptions {
    pub mode: Mode,
    /// `statement_timeout` for every session, in milliseconds.
    pub statement_timeout_ms: u64,
    /// `lock_timeout` for every session, in milliseconds.
    pub lock_timeout_ms: u64,
    /// Fill the tables each checked migration touches with generated rows before its up, and
    /// report what did not come back after up → down.
    pub with_data: bool,
    /// Rows generated per table with `with_data`.
    pub rows: u64,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            mode: Mode::Roundtrip,
            statement_timeout_ms: 60_000,
            lock_timeout_ms: 10_000,
            with_data: false,
            rows: 1_000,
        }
    }
}

use tollgate_core::verify::lock_strength;
pub use tollgate_core::verify::{
    DataCheck, DataLoss, LockEvent, MigrationVerify as MigrationOutcome, StatementError, Step,
};

/// The result of a whole run.
#[derive(Debug, Clone, Serialize, Default)]
pub struct RunReport {
    /// A base migration that failed: nothing after it was run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_error: Option<(String, StatementError)>,
    pub migrations: Vec<MigrationOutcome>,
}

fn ms(since: Instant) -> u64 {
    since.elapsed().as_millis() as u64
}

fn blocks(mode: &str) -> Option<&'static str> {
    match mode {
        "AccessExclusiveLock" => Some("reads and writes"),
        "ExclusiveLock" | "ShareLock" | "ShareRowExclusiveLock" => Some("writes"),
        _ => None,
    }
}

fn sets_lock_timeout(sql: &str) -> bool {
    let s: String = sql
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase();
    s.contains("lock_timeout")
        && (s.starts_with("set ") || s.contains("set_config") || s.contains(" set lock_timeout"))
}

fn map_error(e: &sqlx::Error, index: usize, st: &RunStatement) -> StatementError {
    let (sqlstate, message, detail, hint, position) = match e {
        sqlx::Error::Database(db) => {
            let pg = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>();
            (
                db.code().map(|c| c.to_string()),
                db.message().to_string(),
                pg.and_then(|p| p.detail().map(str::to_string)),
                pg.and_then(|p| p.hint().map(str::to_string)),
                pg.and_then(|p| match p.position() {
                    Some(sqlx::postgres::PgErrorPosition::Original(n)) => Some(n),
                    _ => None,
                }),
            )
        }
        other => (None, other.to_string(), None, None, None),
    };
    // PostgreSQL's position is 1-based, in characters, into the statement text.
    let (mut line, mut column) = (st.line, st.column);
    let mut start = st.start;
    if let Some(pos) = position {
        for (i, (b, c)) in st.sql.char_indices().enumerate() {
            if i + 1 == pos {
                if st.verbatim {
                    start = st.start + b;
                }
                break;
            }
            if c == '\n' {
                line += 1;
                column = 1;
            } else {
                column += 1;
            }
        }
    }
    StatementError {
        statement: index,
        path: st.path.clone(),
        line,
        column,
        start,
        end: st.end.max(start),
        sqlstate,
        message,
        detail,
        hint,
    }
}

pub(crate) async fn exec(conn: &mut PgConnection, sql: &str) -> Result<(), sqlx::Error> {
    // The migration's own SQL, sent as written with the simple query protocol.
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut *conn)
        .await
        .map(|_| ())
}

/// Tables, views and materialized views (by oid) that exist now, with their display names.
/// Indexes and sequences are left out: their locks follow their table's.
async fn relations(conn: &mut PgConnection) -> Result<BTreeMap<u32, String>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT c.oid::int8 AS oid, CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END AS name
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p', 'm', 'v', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .iter()
        .map(|r| (r.get::<i64, _>("oid") as u32, r.get::<String, _>("name")))
        .collect())
}

/// The relation locks this session holds, and its `lock_timeout` (one round trip).
async fn held_locks(
    conn: &mut PgConnection,
) -> Result<(Vec<(u32, String)>, Option<String>), sqlx::Error> {
    let rows = sqlx::query(
        "SELECT l.relation::int8 AS oid, l.mode, s.lock_timeout \
         FROM (SELECT current_setting('lock_timeout') AS lock_timeout) s \
         LEFT JOIN pg_locks l ON l.pid = pg_backend_pid() AND l.locktype = 'relation' \
           AND l.granted",
    )
    .fetch_all(&mut *conn)
    .await?;
    let timeout = rows.first().map(|r| r.get::<String, _>("lock_timeout"));
    Ok((
        rows.iter()
            .filter_map(|r| {
                Some((
                    r.get::<Option<i64>, _>("oid")? as u32,
                    r.get::<Option<String>, _>("mode")?,
                ))
            })
            .collect(),
        timeout,
    ))
}

/// Runs one side. Returns the step and, for an up, the locks it traced.
async fn run_side(
    conn: &mut PgConnection,
    statements: &[RunStatement],
    transactional: bool,
    trace: Option<&BTreeMap<u32, String>>,
    default_lock_timeout: &str,
) -> Result<(Step, Vec<LockEvent>), VerifyError> {
    let start = Instant::now();
    let own_tx = statements.iter().any(|s| s.transaction_control);
    let wrap = transactional && !own_tx;
    let mut step = Step {
        statements: statements.len(),
        ..Step::default()
    };
    let mut locks: Vec<LockEvent> = Vec::new();
    let mut seen: BTreeMap<u32, usize> = BTreeMap::new();
    let mut stmt_starts: Vec<Instant> = Vec::new();
    let mut lock_timeout_set = false;
    if wrap {
        exec(conn, "BEGIN")
            .await
            .map_err(|e| VerifyError::Sql(e.to_string()))?;
    }
    for (i, st) in statements.iter().enumerate() {
        let t = Instant::now();
        stmt_starts.push(t);
        if sets_lock_timeout(&st.sql) {
            lock_timeout_set = true;
        }
        // Outside a transaction a statement's locks end with it, before pg_locks can be read:
        // an up statement runs in a transaction of its own, which is what autocommit does
        // anyway. Those that refuse a transaction block (CONCURRENTLY, VACUUM) run bare.
        let single = trace.is_some() && !wrap && !own_tx && !st.transaction_control;
        let mut traced = trace.is_some();
        if single {
            exec(conn, "BEGIN")
                .await
                .map_err(|e| VerifyError::Sql(e.to_string()))?;
        }
        let result = match exec(conn, &st.sql).await {
            Err(e) if single && sqlstate(&e).as_deref() == Some("25001") => {
                let _ = exec(conn, "ROLLBACK").await;
                traced = false;
                exec(conn, &st.sql).await
            }
            r => r,
        };
        let result = match result {
            Ok(()) if single && traced => {
                // Read the locks before the statement's own transaction ends.
                match trace_locks(
                    conn,
                    trace,
                    st,
                    i,
                    &mut seen,
                    &mut locks,
                    false,
                    lock_timeout_set,
                    default_lock_timeout,
                    t,
                )
                .await
                {
                    Ok(()) => exec(conn, "COMMIT").await,
                    Err(e) => {
                        let _ = exec(conn, "ROLLBACK").await;
                        return Err(e);
                    }
                }
            }
            r => r,
        };
        if let Err(e) = result {
            step.error = Some(map_error(&e, i, st));
            if wrap {
                let _ = exec(conn, "ROLLBACK").await;
            } else {
                // A migration's own transaction left open by the failure.
                let _ = exec(conn, "ROLLBACK").await;
            }
            step.ms = ms(start);
            return Ok((step, locks));
        }
        step.executed += 1;
        if single || !traced {
            continue;
        }
        trace_locks(
            conn,
            trace,
            st,
            i,
            &mut seen,
            &mut locks,
            wrap || own_tx,
            lock_timeout_set,
            default_lock_timeout,
            t,
        )
        .await?;
    }
    if wrap {
        if let Err(e) = exec(conn, "COMMIT").await {
            let last = statements.len().saturating_sub(1);
            if let Some(st) = statements.get(last) {
                step.error = Some(map_error(&e, last, st));
            }
            step.ms = ms(start);
            return Ok((step, locks));
        }
    }
    // Locks inside a transaction are held until its end.
    let end = Instant::now();
    for l in locks.iter_mut() {
        if l.held_ms == 0 {
            l.held_ms = end.duration_since(stmt_starts[l.statement]).as_millis() as u64;
        }
    }
    step.ok = true;
    step.ms = ms(start);
    Ok((step, locks))
}

fn sqlstate(e: &sqlx::Error) -> Option<String> {
    match e {
        sqlx::Error::Database(db) => db.code().map(|c| c.to_string()),
        _ => None,
    }
}

/// Records the blocking locks this session holds after statement `i` on relations that
/// existed before the migration: one event per relation, with the strongest mode seen.
#[allow(clippy::too_many_arguments)]
async fn trace_locks(
    conn: &mut PgConnection,
    trace: Option<&BTreeMap<u32, String>>,
    st: &RunStatement,
    i: usize,
    seen: &mut BTreeMap<u32, usize>,
    locks: &mut Vec<LockEvent>,
    in_tx: bool,
    lock_timeout_set: bool,
    default_lock_timeout: &str,
    t: Instant,
) -> Result<(), VerifyError> {
    {
        if let Some(before) = trace {
            let (held, timeout) = held_locks(conn)
                .await
                .map_err(|e| VerifyError::Sql(e.to_string()))?;
            for (oid, mode) in held {
                let (Some(name), Some(what)) = (before.get(&oid), blocks(&mode)) else {
                    continue;
                };
                // One event per relation, with the strongest mode it was held in.
                let mode_name = mode.trim_end_matches("Lock").to_string();
                if let Some(&k) = seen.get(&oid) {
                    if lock_strength(&mode_name) > lock_strength(&locks[k].mode) {
                        locks[k].mode = mode_name;
                        locks[k].blocks = what;
                    }
                    continue;
                }
                seen.insert(oid, locks.len());
                locks.push(LockEvent {
                    relation: name.clone(),
                    mode: mode_name,
                    statement: i,
                    path: st.path.clone(),
                    line: st.line,
                    start: st.start,
                    end: st.end,
                    held_ms: if in_tx { 0 } else { ms(t) },
                    lock_timeout_set: lock_timeout_set
                        || timeout.as_deref() != Some(default_lock_timeout),
                    blocks: what,
                });
            }
        }
    }
    Ok(())
}

async fn current_lock_timeout(conn: &mut PgConnection) -> Option<String> {
    sqlx::query_scalar::<_, String>("SELECT current_setting('lock_timeout')")
        .fetch_one(&mut *conn)
        .await
        .ok()
}

/// Runs the migrations on `url` (a scratch database this run created), with incremental catalog
/// snapshots (or as `TOLLGATE_VERIFY_SNAPSHOTS` says: see [`SnapshotMode::from_env`]).
pub async fn run(
    url: &str,
    migrations: &[RunMigration],
    opts: &RunOptions,
) -> Result<RunReport, VerifyError> {
    run_with(url, migrations, opts, SnapshotMode::from_env()).await
}

/// [`run`] with the given way of taking catalog snapshots.
pub async fn run_with(
    url: &str,
    migrations: &[RunMigration],
    opts: &RunOptions,
    snapshots: SnapshotMode,
) -> Result<RunReport, VerifyError> {
    let mut conn = PgConnection::connect(url)
        .await
        .map_err(|e| VerifyError::Connect(e.to_string()))?;
    let session = format!(
        "SET statement_timeout = {}; SET lock_timeout = {}; SET client_min_messages = warning;",
        opts.statement_timeout_ms, opts.lock_timeout_ms
    );
    exec(&mut conn, &session)
        .await
        .map_err(|e| VerifyError::Sql(e.to_string()))?;
    let default_lock_timeout = current_lock_timeout(&mut conn).await.unwrap_or_default();
    let mut tracker = Tracker::new(&mut conn, snapshots).await?;
    let mut report = RunReport::default();
    let mut filler = data::Filler::new(opts.rows);
    // With `--mode up`, the schema after one up is the schema before the next (only the
    // session's `SET`s run in between): no need to read it again.
    let mut carried: Option<Snapshot> = None;
    for m in migrations {
        if !m.checked {
            carried = None;
            let (step, _) = run_side(
                &mut conn,
                &m.up,
                m.transactional,
                None,
                &default_lock_timeout,
            )
            .await?;
            if let Some(e) = step.error {
                report.base_error = Some((m.id.clone(), e));
                return Ok(report);
            }
            continue;
        }
        // Each migration starts from the session tollgate set up: a `SET lock_timeout` left by
        // the one before must not count as this one's.
        exec(&mut conn, &session)
            .await
            .map_err(|e| VerifyError::Sql(e.to_string()))?;
        let start = Instant::now();
        let mut out = MigrationOutcome {
            id: m.id.clone(),
            ..MigrationOutcome::default()
        };
        let mut before = match carried.take() {
            Some(s) => s,
            None => tracker.snapshot(&mut conn).await?,
        };
        let mut counts = None;
        if opts.with_data {
            let touched = data::touched_tables(&before, &m.up);
            let (check, c) = filler.fill(&mut conn, &before, &touched).await;
            out.data = Some(check);
            counts = Some(c);
            // Filling moved no catalog object, but sequences advanced: snapshot again so the
            // round trip compares like with like.
            before = tracker.snapshot(&mut conn).await?;
        }
        let rels = match tracker.relations() {
            Some(rels) => rels,
            None => relations(&mut conn)
                .await
                .map_err(|e| VerifyError::Sql(e.to_string()))?,
        };
        let (up, locks) = run_side(
            &mut conn,
            &m.up,
            m.transactional,
            Some(&rels),
            &default_lock_timeout,
        )
        .await?;
        out.locks = locks;
        let after_up = tracker.snapshot(&mut conn).await?;
        if !up.ok && !m.transactional {
            up_left_behind(&before, &after_up, &mut out, up);
            out.ms = ms(start);
            report.migrations.push(out);
            // The schema is now in an unknown state: later migrations would only add noise.
            break;
        }
        let up_ok = up.ok;
        out.up = up;
        out.effect = diff(&before, &after_up);
        out.rewrites = rewrites(&before, &after_up);
        if !up_ok {
            out.ms = ms(start);
            report.migrations.push(out);
            break;
        }
        if opts.mode == Mode::Up && !opts.with_data {
            carried = Some(after_up.clone());
        }
        if opts.mode == Mode::Roundtrip {
            if let Some(down) = &m.down {
                let (d, _) = run_side(
                    &mut conn,
                    down,
                    m.transactional,
                    None,
                    &default_lock_timeout,
                )
                .await?;
                let down_ok = d.ok;
                out.down = Some(d);
                if down_ok {
                    let after_down = tracker.snapshot(&mut conn).await?;
                    out.roundtrip = diff(&before, &after_down);
                    if let (Some(c), Some(d)) = (&counts, out.data.as_mut()) {
                        d.lost = data::compare(&mut conn, &after_down, c).await;
                    }
                    let (r, _) = run_side(
                        &mut conn,
                        &m.up,
                        m.transactional,
                        None,
                        &default_lock_timeout,
                    )
                    .await?;
                    let reup_ok = r.ok;
                    out.reup = Some(r);
                    if !reup_ok {
                        out.ms = ms(start);
                        report.migrations.push(out);
                        break;
                    }
                } else {
                    // The down failed: the schema is what the up left (transactional downs
                    // were rolled back); carry on from there.
                }
            }
        }
        out.ms = ms(start);
        report.migrations.push(out);
    }
    let _ = conn.close().await;
    if std::env::var_os("TOLLGATE_VERIFY_SNAPSHOT_STATS").is_some() {
        eprintln!("tollgate verify: snapshots: {:?}", tracker.stats);
    }
    Ok(report)
}

fn up_left_behind(before: &Snapshot, now: &Snapshot, out: &mut MigrationOutcome, mut up: Step) {
    up.left_behind = diff(before, now).into_iter().map(|c| c.message).collect();
    out.effect = diff(before, now);
    out.up = up;
}

/// Tables and materialized views whose storage the up rewrote; indexes only when no table was
/// (a rewritten table rebuilds all its indexes, a REINDEX only the index). Sequences are left
/// out: `ALTER SEQUENCE … RESTART` gives one new storage and copies nothing.
fn rewrites(before: &Snapshot, after: &Snapshot) -> Vec<String> {
    let changed: Vec<&String> = before
        .storage
        .iter()
        .filter(|(name, (oid, node))| {
            after
                .storage
                .get(*name)
                .is_some_and(|(oid2, node2)| oid == oid2 && node != node2)
        })
        .map(|(name, _)| name)
        .filter(|name| !before.sequences.contains_key(*name))
        .collect();
    let tables: Vec<String> = changed
        .iter()
        .filter(|n| {
            before.tables.contains_key(**n) || before.views.get(**n).is_some_and(|v| v.materialized)
        })
        .map(|n| n.to_string())
        .collect();
    if tables.is_empty() {
        changed.into_iter().cloned().collect()
    } else {
        tables
    }
}
