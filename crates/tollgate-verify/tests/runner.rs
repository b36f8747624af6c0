//! The runner against a real PostgreSQL that the test starts: round trips that hold and ones
//! that don't, failures mapped to their statement, locks and rewrites.

mod common;

use tollgate_verify::run::{
    run, run_tuned, Mode, RunMigration, RunOptions, RunReport, RunStatement,
};
use tollgate_verify::SnapshotMode;

fn stmts(path: &str, sql: &[&str]) -> Vec<RunStatement> {
    sql.iter()
        .enumerate()
        .map(|(i, s)| RunStatement {
            sql: s.to_string(),
            path: path.to_string(),
            line: i + 1,
            column: 1,
            start: 0,
            end: s.len(),
            verbatim: false,
            transaction_control: matches!(
                s.trim().to_ascii_uppercase().as_str(),
                "BEGIN;" | "COMMIT;" | "BEGIN" | "COMMIT"
            ),
        })
        .collect()
}

fn migration(id: &str, up: &[&str], down: Option<&[&str]>, checked: bool) -> RunMigration {
    RunMigration {
        id: id.to_string(),
        up: stmts(&format!("{id}.up.sql"), up),
        down: down.map(|d| stmts(&format!("{id}.down.sql"), d)),
        transactional: true,
        checked,
    }
}

const BASE: &[&str] = &[
    "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, nickname text, phone text);",
    "INSERT INTO users SELECT i, 'u' || i || '@example.com', 'n' || i, '06' FROM generate_series(1, 100) i;",
];

async fn verify(migrations: Vec<RunMigration>, mode: Mode) -> RunReport {
    let server = common::ephemeral().await;
    let db = server.scratch().await.expect("scratch database");
    let mut all = vec![migration("000_base", BASE, None, false)];
    all.extend(migrations);
    let opts = RunOptions {
        mode,
        ..RunOptions::default()
    };
    let report = run(&db.url, &all, &opts).await.expect("run");
    db.drop_db().await.expect("drop");
    server.shutdown().await;
    report
}

fn messages(changes: &[tollgate_verify::Change]) -> Vec<String> {
    changes.iter().map(|c| c.message.clone()).collect()
}

/// Verifies one migration after the base.
async fn one(m: RunMigration) -> tollgate_verify::run::MigrationOutcome {
    let report = verify(vec![m], Mode::Roundtrip).await;
    assert!(report.base_error.is_none(), "{report:#?}");
    report.migrations.into_iter().next().expect("one outcome")
}

#[tokio::test]
async fn a_down_that_reverses_its_up_round_trips() {
    let m = one(migration(
        "001_add_col",
        &[
            "ALTER TABLE users ADD COLUMN city text;",
            "CREATE INDEX users_city_idx ON users (city);",
        ],
        Some(&[
            "DROP INDEX users_city_idx;",
            "ALTER TABLE users DROP COLUMN city;",
        ]),
        true,
    ))
    .await;
    assert!(
        m.up.ok && m.down.as_ref().unwrap().ok && m.reup.as_ref().unwrap().ok,
        "{m:#?}"
    );
    assert!(m.roundtrip.is_empty(), "{:?}", messages(&m.roundtrip));
    assert_eq!(messages(&m.effect).len(), 2, "{:?}", messages(&m.effect));
}

#[tokio::test]
async fn a_down_that_forgets_an_index() {
    let m = one(migration(
        "002_index",
        &["CREATE INDEX users_email_idx ON users (email);"],
        Some(&["SELECT 1;"]),
        true,
    ))
    .await;
    let r = messages(&m.roundtrip);
    assert!(r.iter().any(|s| s.contains("users_email_idx")), "{r:?}");
    // Re-applying the up then fails: the index is still there.
    let reup = m.reup.as_ref().unwrap();
    assert!(!reup.ok);
    assert_eq!(
        reup.error.as_ref().unwrap().sqlstate.as_deref(),
        Some("42P07")
    );
}

#[tokio::test]
async fn a_down_that_re_creates_a_column_with_another_type() {
    let m = one(migration(
        "003_retype",
        &["ALTER TABLE users DROP COLUMN nickname;"],
        Some(&["ALTER TABLE users ADD COLUMN nickname varchar(50);"]),
        true,
    ))
    .await;
    let r = messages(&m.roundtrip);
    assert!(
        r.iter()
            .any(|s| s.contains("nickname") && s.contains("character varying(50)")),
        "{r:?}"
    );
    assert!(
        m.effect.iter().any(|c| c.loses_data),
        "dropping a column loses data"
    );
}

#[tokio::test]
async fn a_down_that_fails_is_mapped_to_its_statement() {
    let m = one(migration(
        "004_down_fails",
        &["CREATE TABLE audit (id int);"],
        Some(&["SELECT 1;", "DROP TABLE audit_log;"]),
        true,
    ))
    .await;
    let d = m.down.as_ref().unwrap();
    assert!(!d.ok);
    let e = d.error.as_ref().unwrap();
    assert_eq!(e.sqlstate.as_deref(), Some("42P01"), "{e:?}");
    assert_eq!(
        (e.path.as_str(), e.line, e.statement),
        ("004_down_fails.down.sql", 2, 1)
    );
    assert!(e.message.contains("audit_log"), "{e:?}");
    assert!(m.reup.is_none());
}

#[tokio::test]
async fn a_failed_non_transactional_up_says_where_it_stopped_and_what_it_left() {
    let mut m = migration(
        "001_concurrently",
        &[
            "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);",
            "ALTER TABLE users ADD COLUMN city text;",
            "ALTER TABLE users ADD COLUMN city text;",
            "ALTER TABLE users ADD COLUMN never_reached text;",
        ],
        Some(&[
            "DROP INDEX CONCURRENTLY users_email_idx;",
            "ALTER TABLE users DROP COLUMN city;",
        ]),
        true,
    );
    m.transactional = false;
    let report = verify(vec![m], Mode::Roundtrip).await;
    let up = &report.migrations[0].up;
    assert!(!up.ok);
    assert_eq!(up.executed, 2);
    let e = up.error.as_ref().unwrap();
    assert_eq!((e.line, e.sqlstate.as_deref()), (3, Some("42701")), "{e:?}");
    let left = up.left_behind.join("\n");
    assert!(left.contains("users_email_idx"), "{left}");
    assert!(left.contains("city"), "{left}");
    assert!(!left.contains("never_reached"), "{left}");
}

#[tokio::test]
async fn a_concurrent_index_round_trips_outside_a_transaction() {
    let mut m = migration(
        "001_concurrently",
        &["CREATE INDEX CONCURRENTLY users_email_idx ON users (email);"],
        Some(&["DROP INDEX CONCURRENTLY users_email_idx;"]),
        true,
    );
    m.transactional = false;
    let report = verify(vec![m], Mode::Roundtrip).await;
    let m = &report.migrations[0];
    assert!(m.up.ok, "{m:#?}");
    assert!(m.roundtrip.is_empty(), "{:?}", messages(&m.roundtrip));
    assert!(m.reup.as_ref().unwrap().ok);
}

#[tokio::test]
async fn locks_and_rewrites_on_existing_tables_are_traced() {
    let report = verify(
        vec![migration(
            "001_retype",
            &[
                "ALTER TABLE users ALTER COLUMN phone TYPE varchar(20);",
                "CREATE TABLE fresh (id int);",
                "ALTER TABLE fresh ADD COLUMN x int;",
            ],
            Some(&[
                "DROP TABLE fresh;",
                "ALTER TABLE users ALTER COLUMN phone TYPE text;",
            ]),
            true,
        )],
        Mode::Up,
    )
    .await;
    let m = &report.migrations[0];
    assert!(m.up.ok, "{m:#?}");
    assert!(m.down.is_none(), "--mode up runs no down");
    let lock = m
        .locks
        .iter()
        .find(|l| l.relation == "users")
        .unwrap_or_else(|| panic!("{:#?}", m.locks));
    assert_eq!(lock.mode, "AccessExclusive");
    assert_eq!(lock.statement, 0);
    assert!(!lock.lock_timeout_set);
    assert!(
        m.locks.iter().all(|l| l.relation != "fresh"),
        "a table created by the migration is nobody else's: {:#?}",
        m.locks
    );
    assert!(m.rewrites.iter().any(|r| r == "users"), "{:?}", m.rewrites);
    assert!(
        m.effect.iter().any(|c| c.loses_data),
        "a type change is data-losing: {:?}",
        messages(&m.effect)
    );
}

async fn with_data(migrations: Vec<RunMigration>) -> RunReport {
    let server = common::ephemeral().await;
    let db = server.scratch().await.expect("scratch database");
    let mut all = vec![migration(
        "000_base",
        &[
            BASE[0],
            BASE[1],
            "CREATE TYPE plan AS ENUM ('free', 'pro');",
            "CREATE TABLE teams (id serial PRIMARY KEY, owner bigint NOT NULL REFERENCES users (id), plan plan NOT NULL, tags text[] NOT NULL, meta jsonb, since date NOT NULL, code char(4) CHECK (code <> ''), UNIQUE (owner, since));",
        ],
        None,
        false,
    )];
    all.extend(migrations);
    let opts = RunOptions {
        with_data: true,
        ..RunOptions::default()
    };
    let report = run(&db.url, &all, &opts).await.expect("run");
    db.drop_db().await.expect("drop");
    server.shutdown().await;
    assert!(report.base_error.is_none(), "{report:#?}");
    report
}

#[tokio::test]
async fn the_data_round_trip_names_the_values_a_down_does_not_bring_back() {
    let report = with_data(vec![
        migration(
            "010_drop_phone",
            &["ALTER TABLE users DROP COLUMN phone;"],
            Some(&["ALTER TABLE users ADD COLUMN phone text;"]),
            true,
        ),
        migration(
            "011_retype_code",
            &["ALTER TABLE teams ALTER COLUMN code TYPE char(2) USING left(code, 2);"],
            Some(&["ALTER TABLE teams ALTER COLUMN code TYPE char(4);"]),
            true,
        ),
        migration(
            "012_safe",
            &["ALTER TABLE teams ADD COLUMN note text;"],
            Some(&["ALTER TABLE teams DROP COLUMN note;"]),
            true,
        ),
    ])
    .await;
    let [drop, retype, safe] = &report.migrations[..] else {
        panic!("{report:#?}")
    };
    let data = drop.data.as_ref().unwrap();
    assert_eq!(data.filled, ["users"], "{data:#?}");
    let lost: Vec<&str> = data.lost.iter().map(|l| l.message.as_str()).collect();
    // 100 seeded rows, then 1,000 generated ones.
    assert_eq!(
        lost,
        ["down re-creates `users.phone` but its 1,100 values are gone"]
    );
    // Every column type of `teams` has a generator, and the foreign key does not get in the way.
    let data = retype.data.as_ref().unwrap();
    assert_eq!(data.filled, ["teams"], "{data:#?}");
    assert!(data.not_filled.is_empty(), "{data:#?}");
    let lost: Vec<&str> = data.lost.iter().map(|l| l.message.as_str()).collect();
    assert_eq!(
        lost,
        ["the values of `teams.code` came back changed (the 1,000 values differ from before the up)"]
    );
    // Already filled: not filled twice, and nothing is lost.
    let data = safe.data.as_ref().unwrap();
    assert!(data.filled.is_empty() && data.lost.is_empty(), "{data:#?}");
}

#[tokio::test]
async fn with_data_a_down_that_adds_a_not_null_column_fails() {
    // The migration generator's down for a dropped `name varchar(255) not null`: fine on an
    // empty table, fails as soon as the table has rows.
    let report = with_data(vec![migration(
        "010_drop_nickname",
        &["ALTER TABLE users DROP COLUMN nickname;"],
        Some(&[r#"alter table "users" add column "nickname" varchar(255) not null;"#]),
        true,
    )])
    .await;
    let m = &report.migrations[0];
    let down = m.down.as_ref().unwrap();
    assert!(!down.ok, "{m:#?}");
    let e = down.error.as_ref().unwrap();
    assert_eq!(e.sqlstate.as_deref(), Some("23502"), "{e:#?}");
}

/// The report without its timings.
fn untimed(mut r: RunReport) -> String {
    common::zero_timings(&mut r);
    format!("{r:#?}")
}

/// Runs the history with each transactional side sent as one message (the default) and
/// statement by statement, on two scratch databases of one server: the reports must be the
/// same. Returns the batched one.
async fn batched_as_stepwise(migrations: Vec<RunMigration>, mode: Mode) -> RunReport {
    let server = common::ephemeral().await;
    let mut all = vec![migration("000_base", BASE, None, false)];
    all.extend(migrations);
    let opts = RunOptions {
        mode,
        ..RunOptions::default()
    };
    let mut reports = Vec::new();
    for batch in [true, false] {
        let db = server.scratch().await.expect("scratch database");
        let report = run_tuned(&db.url, &all, &opts, SnapshotMode::Checked, batch)
            .await
            .unwrap_or_else(|e| panic!("batch {batch}: {e}"));
        db.drop_db().await.expect("drop");
        reports.push(report);
    }
    server.shutdown().await;
    let stepwise = reports.pop().unwrap();
    let batched = reports.pop().unwrap();
    assert_eq!(untimed(batched.clone()), untimed(stepwise));
    batched
}

#[tokio::test]
async fn an_error_in_the_middle_of_a_batched_down_is_located_at_its_statement() {
    let report = batched_as_stepwise(
        vec![migration(
            "001_two_columns",
            &[
                "ALTER TABLE users ADD COLUMN city text;",
                "ALTER TABLE users ADD COLUMN zip text;",
            ],
            Some(&[
                "ALTER TABLE users DROP COLUMN zip;",
                // Fails at `ctiy`, on the second line of the second statement.
                "UPDATE users\n   SET nickname = ctiy;",
                "ALTER TABLE users DROP COLUMN city;",
            ]),
            true,
        )],
        Mode::Roundtrip,
    )
    .await;
    let m = &report.migrations[0];
    let d = m.down.as_ref().unwrap();
    assert!(!d.ok, "{m:#?}");
    assert_eq!(d.executed, 1);
    let e = d.error.as_ref().unwrap();
    assert_eq!(e.sqlstate.as_deref(), Some("42703"), "{e:?}");
    // Line 2 of the statement (which starts on line 2 of its file), column 19 of that line.
    assert_eq!((e.statement, e.line, e.column), (1, 3, 19), "{e:?}");
    // The transaction was rolled back: the up's schema is what is left, and no re-up ran.
    assert!(m.reup.is_none());
}

#[tokio::test]
async fn a_syntax_error_in_a_batched_side_is_reported_as_the_statement_alone_gives_it() {
    // The whole message is parsed before anything runs: the runner then runs the side statement
    // by statement, so the report names the first statement and PostgreSQL's message for it.
    let report = batched_as_stepwise(
        vec![migration(
            "001_bad_down",
            &["CREATE TABLE t1 (id int);", "CREATE TABLE t2 (id int);"],
            Some(&["DROP TABLE t2;", "SELECT (1", "DROP TABLE t1;"]),
            true,
        )],
        Mode::Roundtrip,
    )
    .await;
    let d = report.migrations[0].down.as_ref().unwrap();
    let e = d.error.as_ref().unwrap();
    assert_eq!(
        (e.statement, e.sqlstate.as_deref()),
        (1, Some("42601")),
        "{e:?}"
    );
    assert!(e.message.contains("end of input"), "{e:?}");
    assert_eq!(d.executed, 1);
}

#[tokio::test]
async fn a_deferred_constraint_failing_at_commit_is_mapped_to_the_last_statement() {
    let report = batched_as_stepwise(
        vec![migration(
            "001_deferred",
            &[
                "CREATE TABLE parent (id int PRIMARY KEY);",
                "CREATE TABLE child (p int REFERENCES parent DEFERRABLE INITIALLY DEFERRED);",
                "INSERT INTO child VALUES (1);",
                "SELECT 1;",
            ],
            Some(&["DROP TABLE child;", "DROP TABLE parent;"]),
            true,
        )],
        Mode::Roundtrip,
    )
    .await;
    let up = &report.migrations[0].up;
    assert!(!up.ok);
    assert_eq!(up.executed, 4);
    let e = up.error.as_ref().unwrap();
    assert_eq!(
        (e.statement, e.sqlstate.as_deref()),
        (3, Some("23503")),
        "{e:?}"
    );
}

#[tokio::test]
async fn batched_sides_trace_the_same_locks_and_report_the_same_round_trips() {
    let mut concurrently = migration(
        "003_concurrently",
        &["CREATE INDEX CONCURRENTLY users_email_idx ON users (email);"],
        Some(&["DROP INDEX CONCURRENTLY users_email_idx;"]),
        true,
    );
    concurrently.transactional = false;
    let report = batched_as_stepwise(
        vec![
            migration(
                "001_retype",
                &[
                    "SET lock_timeout = '5s';",
                    "ALTER TABLE users ALTER COLUMN phone TYPE varchar(20);",
                    "CREATE TABLE fresh (id int, user_id bigint REFERENCES users (id));",
                    "-- a comment that ends the statement without a newline",
                ],
                Some(&[
                    "DROP TABLE fresh;",
                    "ALTER TABLE users ALTER COLUMN phone TYPE text -- no semicolon",
                ]),
                true,
            ),
            migration(
                "002_lock_only",
                &["LOCK TABLE users IN SHARE MODE;", "SELECT 'it''s; fine';"],
                Some(&["SELECT 1;"]),
                true,
            ),
            concurrently,
            migration(
                "004_forgets",
                &["CREATE INDEX users_nick_idx ON users (nickname);"],
                Some(&["SELECT 1;"]),
                true,
            ),
        ],
        Mode::Roundtrip,
    )
    .await;
    let [retype, lock_only, conc, forgets] = &report.migrations[..] else {
        panic!("{report:#?}")
    };
    assert!(retype.reup.as_ref().is_some_and(|r| r.ok), "{retype:#?}");
    assert!(
        retype.roundtrip.is_empty(),
        "{:?}",
        messages(&retype.roundtrip)
    );
    let users = retype.locks.iter().find(|l| l.relation == "users").unwrap();
    assert_eq!(
        (users.mode.as_str(), users.statement),
        ("AccessExclusive", 1)
    );
    assert!(users.lock_timeout_set);
    let users = lock_only
        .locks
        .iter()
        .find(|l| l.relation == "users")
        .unwrap();
    assert_eq!(
        (users.mode.as_str(), users.lock_timeout_set),
        ("Share", false)
    );
    assert!(conc.reup.as_ref().is_some_and(|r| r.ok), "{conc:#?}");
    let reup = forgets.reup.as_ref().unwrap();
    assert_eq!(
        reup.error.as_ref().and_then(|e| e.sqlstate.as_deref()),
        Some("42P07")
    );
}

#[tokio::test]
async fn a_single_statement_up_outside_a_transaction_goes_as_one_message_with_the_same_report() {
    // One statement outside a transaction: its traced up is `BEGIN`, the statement, the lock
    // read and `COMMIT` in one message; CONCURRENTLY refuses the block and runs bare.
    let alone = |id: &str, up: &str, down: &str| {
        let mut m = migration(id, &[up], Some(&[down]), true);
        m.transactional = false;
        m
    };
    let report = batched_as_stepwise(
        vec![
            alone(
                "001_retype",
                "ALTER TABLE users ALTER COLUMN phone TYPE varchar(20);",
                "ALTER TABLE users ALTER COLUMN phone TYPE text;",
            ),
            alone(
                "002_concurrently",
                "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);",
                "DROP INDEX CONCURRENTLY users_email_idx;",
            ),
            alone(
                "003_lock_with_timeout",
                "SET lock_timeout = '5s'; -- then nothing else",
                "SELECT 1;",
            ),
            alone(
                "004_fails",
                // Fails at `nosuchtype`, on the second line.
                "ALTER TABLE users\n  ADD COLUMN bad nosuchtype;",
                "ALTER TABLE users DROP COLUMN bad;",
            ),
        ],
        Mode::Roundtrip,
    )
    .await;
    let [retype, conc, timeout, fails] = &report.migrations[..] else {
        panic!("{report:#?}")
    };
    assert!(retype.reup.as_ref().is_some_and(|r| r.ok), "{retype:#?}");
    let users = retype.locks.iter().find(|l| l.relation == "users").unwrap();
    assert_eq!(
        (users.mode.as_str(), users.statement, users.lock_timeout_set),
        ("AccessExclusive", 0, false)
    );
    assert!(!retype.rewrites.is_empty(), "{retype:#?}");
    assert!(conc.up.ok && conc.locks.is_empty(), "{conc:#?}");
    assert!(conc.reup.as_ref().is_some_and(|r| r.ok), "{conc:#?}");
    assert!(timeout.up.ok, "{timeout:#?}");
    assert!(!fails.up.ok);
    let e = fails.up.error.as_ref().unwrap();
    assert_eq!(
        (e.statement, e.line, e.column, e.sqlstate.as_deref()),
        (0, 2, 18, Some("42704")),
        "{e:?}"
    );
}
