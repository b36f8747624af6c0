//! The migration runner: applies the base migrations, then runs each checked migration up →
//! down → up on a scratch database, snapshotting the catalog around each step, and traces
//! the locks and rewrites each up statement causes on relations that existed before it.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;
use sqlx::postgres::PgRow;
use sqlx::{Connection, Either, PgConnection, Row};

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
    /// The snapshots followed the event triggers' change log to the end of the run (a
    /// superuser's run; see the tracker): for tests and benchmarks, not part of the report.
    #[serde(skip)]
    pub change_log: bool,
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
    map_error_at(e, index, st, 0)
}

/// [`map_error`] for a statement sent inside a larger message, `offset` characters from its
/// start (PostgreSQL's error position counts from the start of the message).
fn map_error_at(e: &sqlx::Error, index: usize, st: &RunStatement, offset: usize) -> StatementError {
    let (sqlstate, message, detail, hint, position) = match e {
        sqlx::Error::Database(db) => {
            let pg = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>();
            (
                db.code().map(|c| c.to_string()),
                db.message().to_string(),
                pg.and_then(|p| p.detail().map(str::to_string)),
                pg.and_then(|p| p.hint().map(str::to_string)),
                pg.and_then(|p| match p.position() {
                    Some(sqlx::postgres::PgErrorPosition::Original(n)) if n > offset => {
                        Some(n - offset)
                    }
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

/// What one multi-statement message (simple query protocol) gave back: the rows of every
/// statement in order, and the error that stopped it, if any (the server runs nothing after it).
struct Sent {
    rows: Vec<PgRow>,
    /// Commands the server completed: 0 with an error when the message did not parse
    /// (PostgreSQL parses the whole message before it runs its first statement).
    completed: usize,
    error: Option<sqlx::Error>,
}

async fn send(conn: &mut PgConnection, sql: String) -> Sent {
    let mut out = Sent {
        rows: Vec::new(),
        completed: 0,
        error: None,
    };
    let mut stream = sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).fetch_many(&mut *conn);
    loop {
        match std::future::poll_fn(|cx| stream.as_mut().poll_next(cx)).await {
            None => break,
            Some(Ok(Either::Left(_))) => out.completed += 1,
            Some(Ok(Either::Right(row))) => out.rows.push(row),
            Some(Err(e)) => {
                out.error = Some(e);
                break;
            }
        }
    }
    out
}

/// The rows of `sql` (a tail: see [`run_side`]) that are not markers.
async fn run_tail(conn: &mut PgConnection, sql: &str) -> Result<Vec<PgRow>, VerifyError> {
    let sent = send(conn, sql.to_string()).await;
    match sent.error {
        Some(e) => Err(VerifyError::Sql(e.to_string())),
        None => Ok(sent.rows),
    }
}

/// The text of the column `tollgate_flushed` in `rows` (what [`Tracker::flush_sql`] returns).
fn flushed_at(rows: &[PgRow]) -> Option<String> {
    rows.iter()
        .find_map(|r| r.try_get::<String, _>("tollgate_flushed").ok())
}

/// A marker row in a batched message: `tollgate_mark` is the index of the statement just run
/// (`-1`: none yet, after `BEGIN`; `-2`: after `COMMIT`), `tollgate_at` the server's clock.
/// No string literal: a statement's unterminated quote cannot pair with one of ours.
fn mark_sql(i: i64) -> String {
    format!(
        "SELECT ({i})::int8 AS tollgate_mark, \
         EXTRACT(EPOCH FROM pg_catalog.clock_timestamp())::float8 AS tollgate_at"
    )
}

/// The marker after statement `i` of a traced up, with the relation locks the session holds and
/// its `lock_timeout` (the query of [`held_locks`]).
fn lock_mark_sql(i: i64) -> String {
    format!(
        "SELECT ({i})::int8 AS tollgate_mark, \
         EXTRACT(EPOCH FROM pg_catalog.clock_timestamp())::float8 AS tollgate_at, \
         l.relation::int8 AS oid, l.mode::text AS mode, s.lock_timeout \
         FROM (SELECT pg_catalog.current_setting('lock_timeout') AS lock_timeout) s \
         LEFT JOIN pg_catalog.pg_locks l ON l.pid = pg_catalog.pg_backend_pid() \
           AND l.locktype = 'relation' AND l.granted"
    )
}

/// Settings that change how the server splits a message into statements: a statement that
/// sets one must run before the next one is parsed, so its side is not batched.
fn changes_lexing(sql: &str) -> bool {
    let s = sql.to_ascii_lowercase();
    s.contains("standard_conforming_strings") || s.contains("backslash_quote")
}

/// A statement that may deallocate the session's prepared statements (`DEALLOCATE ALL`,
/// `DISCARD ALL`): the driver's cache of them must be forgotten after it, or tollgate's next
/// catalog query fails with "prepared statement … does not exist".
fn drops_prepared(sql: &str) -> bool {
    let s = sql.to_ascii_lowercase();
    s.contains("deallocate") || s.contains("discard")
}

/// After a side, forgets the driver's prepared statements if the side may have deallocated
/// them (closing one that is gone is not an error).
async fn after_side(conn: &mut PgConnection, statements: &[RunStatement]) {
    if statements.iter().any(|s| drops_prepared(&s.sql)) {
        let _ = conn.clear_cached_statements().await;
    }
}

/// What [`run_side`] returns: the step, the locks traced, the rows of the tail when it ran.
type SideResult = (Step, Vec<LockEvent>, Option<Vec<PgRow>>);

/// Runs a transactional side (or a traced up of one statement outside a transaction: see
/// [`run_side`]) as ONE message: `BEGIN`, each statement followed by a marker (for
/// an up, the marker reads the locks the transaction holds, as [`trace_locks`] does between
/// statements), `COMMIT`, a marker, then `tail`. PostgreSQL runs such a message statement by
/// statement in one transaction block: the same transaction as `BEGIN`, the statements and
/// `COMMIT` sent one by one, minus the round trips. `statement_timeout` applies to each
/// statement on its own (PostgreSQL 13 and later, which verify requires). On an error, the
/// markers received say which statement failed, and the error's position, which counts from
/// the start of the message, is taken back to that statement's text.
///
/// `None` when the message did not parse, so nothing ran: the side must then run statement by
/// statement, for the server to say what it says of each statement on its own.
async fn run_batched(
    conn: &mut PgConnection,
    statements: &[RunStatement],
    trace: Option<&BTreeMap<u32, String>>,
    default_lock_timeout: &str,
    tail: Option<&str>,
) -> Result<Option<SideResult>, VerifyError> {
    let start = Instant::now();
    let n = statements.len();
    let mut sql =
        String::with_capacity(statements.iter().map(|s| s.sql.len() + 600).sum::<usize>() + 200);
    let mut chars = 0usize;
    let mut push = |sql: &mut String, part: &str| -> usize {
        let at = chars;
        sql.push_str(part);
        chars += part.chars().count();
        at
    };
    push(&mut sql, "BEGIN;\n");
    push(&mut sql, &mark_sql(-1));
    push(&mut sql, ";\n");
    let mut offsets = Vec::with_capacity(n);
    for (i, st) in statements.iter().enumerate() {
        offsets.push(push(&mut sql, &st.sql));
        // On a line of its own: a statement may end with a `--` comment or without `;`.
        push(&mut sql, "\n;\n");
        let mark = if trace.is_some() {
            lock_mark_sql(i as i64)
        } else {
            mark_sql(i as i64)
        };
        push(&mut sql, &mark);
        push(&mut sql, ";\n");
    }
    let commit_offset = push(&mut sql, "COMMIT;\n");
    push(&mut sql, &mark_sql(-2));
    push(&mut sql, ";\n");
    if let Some(t) = tail {
        push(&mut sql, t);
    }
    let sent = send(conn, sql).await;
    if sent.error.is_some() && sent.completed == 0 {
        return Ok(None);
    }

    // The markers, in order: (statement, server clock, lock rows).
    let mut marks: BTreeMap<i64, f64> = BTreeMap::new();
    let mut held: Vec<Vec<(u32, String)>> = vec![Vec::new(); n];
    let mut timeouts: Vec<Option<String>> = vec![None; n];
    let mut tail_rows = Vec::new();
    for row in sent.rows {
        let Ok(mark) = row.try_get::<i64, _>("tollgate_mark") else {
            if marks.contains_key(&-2) {
                tail_rows.push(row);
            }
            continue;
        };
        let at: f64 = row
            .try_get("tollgate_at")
            .map_err(|e| VerifyError::Sql(e.to_string()))?;
        marks.entry(mark).or_insert(at);
        if trace.is_some() && mark >= 0 && (mark as usize) < n {
            let i = mark as usize;
            if timeouts[i].is_none() {
                timeouts[i] = row
                    .try_get::<Option<String>, _>("lock_timeout")
                    .ok()
                    .flatten();
            }
            let oid = row.try_get::<Option<i64>, _>("oid").ok().flatten();
            let mode = row.try_get::<Option<String>, _>("mode").ok().flatten();
            if let (Some(oid), Some(mode)) = (oid, mode) {
                held[i].push((oid as u32, mode));
            }
        }
    }
    // Statements that completed (their marker came back).
    let done = (0..n)
        .take_while(|i| marks.contains_key(&(*i as i64)))
        .count();

    let mut step = Step {
        statements: n,
        executed: done,
        ..Step::default()
    };
    let mut locks: Vec<LockEvent> = Vec::new();
    let mut seen: BTreeMap<u32, usize> = BTreeMap::new();
    let mut lock_timeout_set = false;
    for (i, st) in statements.iter().enumerate().take(done) {
        if sets_lock_timeout(&st.sql) {
            lock_timeout_set = true;
        }
        if let Some(before) = trace {
            record_locks(
                before,
                st,
                i,
                std::mem::take(&mut held[i]),
                timeouts[i].take(),
                &mut seen,
                &mut locks,
                None,
                lock_timeout_set,
                default_lock_timeout,
            );
        }
    }
    // A tail that failed after the side committed: the side stands, the rows of the tail do
    // not (the tracker then reads for itself, and the session is set up again).
    let mut tail_failed = false;
    if let Some(e) = sent.error {
        if done == n && marks.contains_key(&-2) {
            tail_failed = true;
        } else if done < n {
            // Statement `done` failed: the transaction block is aborted.
            step.error = Some(map_error_at(&e, done, &statements[done], offsets[done]));
            let _ = exec(conn, "ROLLBACK").await;
        } else if !marks.contains_key(&-2) {
            // `COMMIT` failed (a deferred constraint): the transaction is over.
            if let Some(st) = statements.last() {
                step.error = Some(map_error_at(&e, n - 1, st, commit_offset));
            }
        }
        if !tail_failed {
            step.ms = ms(start);
            return Ok(Some((step, locks, None)));
        }
    }
    if done < n || !marks.contains_key(&-2) {
        return Err(VerifyError::Sql(
            "a batched migration side did not return all its markers; \
             run again with TOLLGATE_VERIFY_BATCH=0 and report this"
                .to_string(),
        ));
    }
    // Locks inside a transaction are held until its end.
    let end = marks[&-2];
    for l in locks.iter_mut() {
        let began = marks[&(l.statement as i64 - 1)];
        l.held_ms = ((end - began).max(0.0) * 1000.0) as u64;
    }
    step.ok = true;
    step.ms = ms(start);
    let tail_rows = if tail_failed {
        None
    } else {
        tail.map(|_| tail_rows)
    };
    Ok(Some((step, locks, tail_rows)))
}

/// Runs one side. Returns the step, for an up the locks it traced, and the rows of `tail` (SQL
/// run right after the side when it succeeded, in its last message when it can: the session
/// settings and the tracker's statistics flush) when the side succeeded. `batch`: a
/// transactional side goes as one message (see [`run_batched`]).
#[allow(clippy::too_many_arguments)]
async fn run_side(
    conn: &mut PgConnection,
    statements: &[RunStatement],
    transactional: bool,
    trace: Option<&BTreeMap<u32, String>>,
    default_lock_timeout: &str,
    batch: bool,
    tail: Option<&str>,
) -> Result<SideResult, VerifyError> {
    let own_tx = statements.iter().any(|s| s.transaction_control);
    // A traced up of ONE statement outside a transaction runs in a transaction of its own
    // anyway (`BEGIN`, the statement, the lock read, `COMMIT`: see [`run_side_stepwise`]), which
    // is exactly what a batched side of one statement sends, in one message instead of four.
    // A statement that refuses a transaction block (`CONCURRENTLY`, 25001) has done nothing:
    // it then runs bare, statement by statement, as before.
    let alone = !transactional && trace.is_some() && statements.len() == 1;
    if batch
        && (transactional || alone)
        && !own_tx
        && !statements.iter().any(|s| changes_lexing(&s.sql))
    {
        if let Some(done) = run_batched(conn, statements, trace, default_lock_timeout, tail).await?
        {
            let refused = done
                .0
                .error
                .as_ref()
                .is_some_and(|e| e.statement == 0 && e.sqlstate.as_deref() == Some("25001"));
            if !(alone && refused) {
                after_side(conn, statements).await;
                return Ok(done);
            }
        }
    }
    let (step, locks) =
        run_side_stepwise(conn, statements, transactional, trace, default_lock_timeout).await?;
    after_side(conn, statements).await;
    // A tail that fails leaves the rows to the tracker and the session to the next migration
    // (see [`run_batched`]).
    let rows = match tail {
        Some(t) if step.ok => run_tail(conn, t).await.ok(),
        _ => None,
    };
    Ok((step, locks, rows))
}

/// Runs one side statement by statement. Returns the step and, for an up, the locks it traced.
async fn run_side_stepwise(
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
    if let Some(before) = trace {
        let (held, timeout) = held_locks(conn)
            .await
            .map_err(|e| VerifyError::Sql(e.to_string()))?;
        record_locks(
            before,
            st,
            i,
            held,
            timeout,
            seen,
            locks,
            (!in_tx).then(|| ms(t)),
            lock_timeout_set,
            default_lock_timeout,
        );
    }
    Ok(())
}

/// Records the blocking locks in `held` (read after statement `i`) on relations of `before`:
/// one event per relation, with the strongest mode seen. `held_ms`: how long they have been
/// held, when the statement ran outside a transaction (otherwise 0, filled in at its end).
#[allow(clippy::too_many_arguments)]
fn record_locks(
    before: &BTreeMap<u32, String>,
    st: &RunStatement,
    i: usize,
    held: Vec<(u32, String)>,
    timeout: Option<String>,
    seen: &mut BTreeMap<u32, usize>,
    locks: &mut Vec<LockEvent>,
    held_ms: Option<u64>,
    lock_timeout_set: bool,
    default_lock_timeout: &str,
) {
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
            held_ms: held_ms.unwrap_or(0),
            lock_timeout_set: lock_timeout_set || timeout.as_deref() != Some(default_lock_timeout),
            blocks: what,
        });
    }
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
    let batch = std::env::var("TOLLGATE_VERIFY_BATCH").as_deref() != Ok("0");
    run_tuned(url, migrations, opts, snapshots, batch).await
}

/// [`run_with`], saying whether a transactional side goes to the server as one message
/// (`batch`, the default; `TOLLGATE_VERIFY_BATCH=0` turns it off) or statement by statement.
/// The report is the same either way.
pub async fn run_tuned(
    url: &str,
    migrations: &[RunMigration],
    opts: &RunOptions,
    snapshots: SnapshotMode,
    batch: bool,
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
    let mut carried: Option<Arc<Snapshot>> = None;
    // The session was set up again at the end of the last side (its tail), with the time of the
    // statistics flush when the tracker asked for one: the next migration need not do either.
    let mut ready: Option<Option<String>> = None;
    // SQL run after a side that succeeded, in its last message when possible: the tracker's
    // statistics flush (so the snapshot that follows needs no round trip for it), and the
    // session settings when the migration's next step is the next migration.
    let tail_for = |tracker: &Tracker, reset: bool| -> Option<String> {
        let flush = tracker.flush_sql();
        match (reset, flush) {
            (false, None) => None,
            (false, Some(f)) => Some(format!("{f};\n")),
            (true, None) => Some(format!("{session}\n")),
            (true, Some(f)) => Some(format!("{session}\n{f};\n")),
        }
    };
    for m in migrations {
        if !m.checked {
            carried = None;
            ready = None;
            let (step, _, _) = run_side(
                &mut conn,
                &m.up,
                m.transactional,
                None,
                &default_lock_timeout,
                batch,
                None,
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
        let flushed = match ready.take() {
            Some(flushed) => flushed,
            None => {
                // With the flush for the snapshot that follows, when there is one.
                let tail = if carried.is_none() {
                    tail_for(&tracker, true)
                } else {
                    Some(session.clone())
                };
                match run_tail(&mut conn, tail.as_deref().unwrap_or(&session)).await {
                    Ok(rows) => flushed_at(&rows),
                    // The tracker's part failed (its change log is gone): the session alone,
                    // and the tracker reads for itself.
                    Err(_) if tail.as_deref() != Some(session.as_str()) => {
                        run_tail(&mut conn, &session).await?;
                        None
                    }
                    Err(e) => return Err(e),
                }
            }
        };
        let start = Instant::now();
        let mut out = MigrationOutcome {
            id: m.id.clone(),
            ..MigrationOutcome::default()
        };
        let mut before = match carried.take() {
            Some(s) => s,
            None => tracker.snapshot_flushed(&mut conn, flushed).await?,
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
        // When the up is the migration's last step, the next migration's session set-up rides
        // along with it.
        let up_last = opts.mode == Mode::Up || m.down.is_none();
        let (up, locks, tail_rows) = run_side(
            &mut conn,
            &m.up,
            m.transactional,
            Some(&rels),
            &default_lock_timeout,
            batch,
            tail_for(&tracker, up_last).as_deref(),
        )
        .await?;
        out.locks = locks;
        let up_flushed = tail_rows.as_deref().and_then(flushed_at);
        if up_last && tail_rows.is_some() {
            ready = Some(None);
        }
        let after_up = tracker.snapshot_flushed(&mut conn, up_flushed).await?;
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
            carried = Some(after_up);
        } else {
            // Not needed any more: the tracker can update its snapshot in place for the
            // down instead of copying it.
            drop(after_up);
        }
        if opts.mode == Mode::Roundtrip {
            if let Some(down) = &m.down {
                let (d, _, tail_rows) = run_side(
                    &mut conn,
                    down,
                    m.transactional,
                    None,
                    &default_lock_timeout,
                    batch,
                    tail_for(&tracker, false).as_deref(),
                )
                .await?;
                let down_ok = d.ok;
                out.down = Some(d);
                if down_ok {
                    let down_flushed = tail_rows.as_deref().and_then(flushed_at);
                    let after_down = tracker.snapshot_flushed(&mut conn, down_flushed).await?;
                    out.roundtrip = diff(&before, &after_down);
                    if let (Some(c), Some(d)) = (&counts, out.data.as_mut()) {
                        d.lost = data::compare(&mut conn, &after_down, c).await;
                    }
                    let (r, _, tail_rows) = run_side(
                        &mut conn,
                        &m.up,
                        m.transactional,
                        None,
                        &default_lock_timeout,
                        batch,
                        tail_for(&tracker, true).as_deref(),
                    )
                    .await?;
                    if let Some(rows) = tail_rows {
                        ready = Some(flushed_at(&rows));
                    }
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
    report.change_log = tracker.uses_change_log();
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
