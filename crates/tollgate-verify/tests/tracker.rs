//! Incremental catalog snapshots (the runner's default) against full ones: on histories made
//! to hit what re-reading only the changed objects could miss, every incremental snapshot is
//! compared with a full read (`SnapshotMode::Checked` fails on the first difference), and the
//! report must be the one full snapshots give. Each history runs twice incrementally: from the
//! event triggers' change log (the default for a superuser, which the tests' cluster gives) and
//! from the statistics counters (the default for any other role).

mod common;

use tollgate_verify::run::{run_with, Mode, RunMigration, RunOptions, RunReport, RunStatement};
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
            transaction_control: false,
        })
        .collect()
}

fn m(id: &str, up: &[&str], down: &[&str]) -> RunMigration {
    RunMigration {
        id: id.to_string(),
        up: stmts(&format!("{id}.up.sql"), up),
        down: Some(stmts(&format!("{id}.down.sql"), down)),
        transactional: true,
        checked: true,
    }
}

fn base(up: &[&str]) -> RunMigration {
    RunMigration {
        id: "000_base".to_string(),
        up: stmts("000_base.up.sql", up),
        down: None,
        transactional: true,
        checked: false,
    }
}

/// The report without its timings, locks in a stable order.
fn normalized(mut r: RunReport) -> String {
    common::zero_timings(&mut r);
    r.change_log = false;
    for o in &mut r.migrations {
        o.locks
            .sort_by(|a, b| (a.statement, &a.relation).cmp(&(b.statement, &b.relation)));
    }
    format!("{r:#?}")
}

async fn run_mode(migrations: &[RunMigration], mode: Mode, how: SnapshotMode) -> RunReport {
    let server = common::ephemeral().await;
    let db = server.scratch().await.expect("scratch database");
    let opts = RunOptions {
        mode,
        ..RunOptions::default()
    };
    let report = run_with(&db.url, migrations, &opts, how).await;
    db.drop_db().await.expect("drop");
    server.shutdown().await;
    report.unwrap_or_else(|e| panic!("{how:?}: {e}"))
}

/// Runs `migrations` with every incremental snapshot checked against a full one, and with full
/// snapshots only; the two reports must be the same.
async fn same_as_full(migrations: Vec<RunMigration>, mode: Mode) -> RunReport {
    let checked = run_mode(&migrations, mode, SnapshotMode::Checked).await;
    let counters = run_mode(&migrations, mode, SnapshotMode::CheckedCounters).await;
    let full = run_mode(&migrations, mode, SnapshotMode::Full).await;
    assert!(!counters.change_log);
    let full = normalized(full);
    assert_eq!(normalized(counters), full, "counters");
    assert_eq!(normalized(checked.clone()), full, "change log");
    checked
}

fn messages(changes: &[tollgate_verify::Change]) -> Vec<String> {
    changes.iter().map(|c| c.message.clone()).collect()
}

const BASE: &[&str] = &[
    "CREATE TYPE mood AS ENUM ('sad', 'ok');",
    "CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE, nickname text, \
     phone varchar(20), created_at timestamptz DEFAULT now(), mood mood);",
    "CREATE TABLE orders (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, \
     user_id bigint REFERENCES users (id), total numeric(10,2) CHECK (total >= 0));",
    "CREATE INDEX orders_user_id_idx ON orders (user_id);",
    "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS \
     $$ BEGIN NEW.created_at := now(); RETURN NEW; END $$;",
    "CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();",
    "CREATE VIEW user_emails AS SELECT id, email FROM users;",
    "CREATE SEQUENCE tickets;",
    "CREATE TABLE marker (n int);",
    "INSERT INTO users (email) SELECT 'u' || i || '@example.com' FROM generate_series(1, 50) i;",
];

#[tokio::test]
async fn changes_the_sql_does_not_name_are_seen() {
    let mut history = vec![base(BASE)];
    history.extend([
        // An index on a table the SQL never names, created by a function.
        m(
            "001_index_by_function",
            &[
                "CREATE FUNCTION add_index() RETURNS void LANGUAGE plpgsql AS \
                 $$ BEGIN EXECUTE 'CREATE INDEX hidden_idx ON ' || 'orders (total)'; END $$;",
                "SELECT add_index();",
            ],
            &["DROP INDEX hidden_idx;", "DROP FUNCTION add_index();"],
        ),
        // The same through a DO block, and a down that forgets it (the re-up tolerates it, so
        // the history goes on).
        m(
            "002_do_block",
            &["DO $$ BEGIN EXECUTE 'CREATE INDEX IF NOT EXISTS sneaky_idx ON users (nickname)'; END $$;"],
            &["SELECT 1;"],
        ),
        m(
            "003_drop_sneaky",
            &["DROP INDEX sneaky_idx;"],
            &["CREATE INDEX sneaky_idx ON users (nickname);"],
        ),
        // A function body, its settings.
        m(
            "004_function_body",
            &["CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS \
               $$ BEGIN NEW.created_at := clock_timestamp(); RETURN NEW; END $$;"],
            &["CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS \
               $$ BEGIN NEW.created_at := now(); RETURN NEW; END $$;"],
        ),
        // A trigger disabled, one added, one dropped.
        m(
            "005_triggers",
            &[
                "ALTER TABLE users DISABLE TRIGGER users_touch;",
                "CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW \
                 EXECUTE FUNCTION touch();",
            ],
            &[
                "DROP TRIGGER orders_touch ON orders;",
                "ALTER TABLE users ENABLE TRIGGER users_touch;",
            ],
        ),
        // An enum label (a down cannot remove it: reported).
        m(
            "006_enum",
            &["ALTER TYPE mood ADD VALUE IF NOT EXISTS 'happy' BEFORE 'ok';"],
            &["SELECT 1;"],
        ),
        // A view redefined, and one forgotten by its down.
        m(
            "007_views",
            &[
                "CREATE OR REPLACE VIEW user_emails AS SELECT id, email, nickname FROM users;",
                "CREATE MATERIALIZED VIEW IF NOT EXISTS order_totals AS SELECT user_id, sum(total) FROM orders \
                 GROUP BY user_id;",
            ],
            &[
                "DROP VIEW user_emails;",
                "CREATE VIEW user_emails AS SELECT id, email FROM users;",
            ],
        ),
        // Sequences: parameters and ownership.
        m(
            "008_sequences",
            &[
                "ALTER SEQUENCE tickets INCREMENT BY 10 MAXVALUE 100000;",
                "ALTER SEQUENCE tickets OWNED BY orders.id;",
            ],
            &["ALTER SEQUENCE tickets INCREMENT BY 1 NO MAXVALUE OWNED BY NONE;"],
        ),
        m(
            "009_sequence_owner_only",
            &["ALTER SEQUENCE tickets OWNED BY users.id;"],
            &["ALTER SEQUENCE tickets OWNED BY NONE;"],
        ),
        // Column defaults, NOT NULL, a type change that rewrites the table and rebuilds its
        // primary key (an identity column: its sequence changes type too).
        m(
            "010_columns",
            &[
                "ALTER TABLE users ALTER COLUMN nickname SET DEFAULT 'anon';",
                "ALTER TABLE users ALTER COLUMN created_at DROP DEFAULT;",
                "UPDATE users SET phone = '06' WHERE phone IS NULL;",
                "ALTER TABLE users ALTER COLUMN phone SET NOT NULL;",
            ],
            &[
                "ALTER TABLE users ALTER COLUMN phone DROP NOT NULL;",
                "ALTER TABLE users ALTER COLUMN nickname DROP DEFAULT;",
            ],
        ),
        m(
            "011_retype",
            &["ALTER TABLE orders ALTER COLUMN id TYPE bigint;"],
            &["ALTER TABLE orders ALTER COLUMN id TYPE int;"],
        ),
        // Constraints: one added, one dropped and not restored (a foreign key: its triggers go).
        m(
            "012_constraints",
            &[
                "ALTER TABLE orders DROP CONSTRAINT IF EXISTS orders_user_id_fkey;",
                "ALTER TABLE users ADD CONSTRAINT users_phone_check CHECK (phone <> '') NOT VALID;",
            ],
            &["ALTER TABLE users DROP CONSTRAINT users_phone_check;"],
        ),
        // A column renamed (the view and what else prints it are read again) and back.
        m(
            "013_rename",
            &["ALTER TABLE users RENAME COLUMN email TO mail;"],
            &["ALTER TABLE users RENAME COLUMN mail TO email;"],
        ),
        // A table dropped and re-created differently by its down.
        m(
            "014_drop_table",
            &["DROP TABLE marker;"],
            &["CREATE TABLE marker (n bigint);"],
        ),
        // A schema, a table in it, a truncate (new storage) and a comment (no snapshot change).
        m(
            "015_schema",
            &[
                "CREATE SCHEMA audit;",
                "CREATE TABLE audit.log (at timestamptz DEFAULT now(), what text);",
                "TRUNCATE orders;",
                "COMMENT ON TABLE users IS 'people';",
            ],
            &["DROP SCHEMA audit CASCADE;"],
        ),
        // The search path changes how every name prints: a full read.
        m(
            "016_search_path",
            &["SET search_path = audit, public;", "CREATE TABLE audit_only (x int);"],
            &["DROP TABLE audit_only;"],
        ),
    ]);
    let report = same_as_full(history, Mode::Roundtrip).await;
    assert!(report.base_error.is_none(), "{report:#?}");
    assert_eq!(
        report.migrations.len(),
        16,
        "every migration ran: {report:#?}"
    );
    let by_id = |id: &str| {
        report
            .migrations
            .iter()
            .find(|o| o.id == id)
            .unwrap_or_else(|| panic!("{id}: {report:#?}"))
    };
    let effect = messages(&by_id("001_index_by_function").effect);
    assert!(
        effect.iter().any(|s| s.contains("hidden_idx")),
        "{effect:?}"
    );
    let rt = messages(&by_id("002_do_block").roundtrip);
    assert!(rt.iter().any(|s| s.contains("sneaky_idx")), "{rt:?}");
    let effect = messages(&by_id("004_function_body").effect);
    assert!(
        effect.iter().any(|s| s.contains("body changed")),
        "{effect:?}"
    );
    let effect = messages(&by_id("005_triggers").effect);
    assert!(
        effect.iter().any(|s| s.contains("users_touch"))
            && effect.iter().any(|s| s.contains("orders_touch")),
        "{effect:?}"
    );
    let rt = messages(&by_id("006_enum").roundtrip);
    assert!(rt.iter().any(|s| s.contains("happy")), "{rt:?}");
    let rt = messages(&by_id("007_views").roundtrip);
    assert!(rt.iter().any(|s| s.contains("order_totals")), "{rt:?}");
    let effect = messages(&by_id("008_sequences").effect);
    assert!(effect.iter().any(|s| s.contains("owned by")), "{effect:?}");
    let effect = messages(&by_id("009_sequence_owner_only").effect);
    assert!(effect.iter().any(|s| s.contains("owned by")), "{effect:?}");
    let rt = messages(&by_id("010_columns").roundtrip);
    assert!(
        rt.iter()
            .any(|s| s.contains("default of `users.created_at`")),
        "{rt:?}"
    );
    assert!(by_id("011_retype").rewrites.iter().any(|r| r == "orders"));
    let rt = messages(&by_id("012_constraints").roundtrip);
    assert!(
        rt.iter().any(|s| s.contains("orders_user_id_fkey")),
        "{rt:?}"
    );
    let rt = messages(&by_id("014_drop_table").roundtrip);
    assert!(rt.iter().any(|s| s.contains("marker.n")), "{rt:?}");
    assert!(by_id("015_schema").roundtrip.is_empty());
}

#[tokio::test]
async fn a_re_up_that_differs_from_the_up_leaves_the_next_migration_exact() {
    // The up adds a column whose name depends on data the down does not restore, so the re-up
    // builds another schema than the up did: the next migration must start from the schema the
    // re-up left, not from the one the up left.
    let history = vec![
        base(BASE),
        m(
            "001_data_dependent",
            &[
                "DO $$ BEGIN \
                   IF EXISTS (SELECT 1 FROM marker) THEN \
                     ALTER TABLE users ADD COLUMN second text; \
                   ELSE \
                     ALTER TABLE users ADD COLUMN first text; \
                   END IF; \
                 END $$;",
                "INSERT INTO marker VALUES (1);",
            ],
            &["ALTER TABLE users DROP COLUMN IF EXISTS first;"],
        ),
        m(
            "002_next",
            &["ALTER TABLE orders ADD COLUMN note text;"],
            &["ALTER TABLE orders DROP COLUMN note;"],
        ),
    ];
    let report = same_as_full(history, Mode::Roundtrip).await;
    let next = &report.migrations[1];
    assert_eq!(messages(&next.effect), ["column `orders.note` is new"]);
    assert!(next.roundtrip.is_empty(), "{:?}", messages(&next.roundtrip));
}

#[tokio::test]
async fn a_renamed_column_is_seen_wherever_it_prints() {
    // A renamed column is read incrementally: the table and what depends on it (a view, a
    // view on that view, a foreign key from another table, an owned sequence, an index
    // expression, a CHECK, a trigger's WHEN, a SQL-standard function body, a generated column,
    // a materialized view); a view's column renamed too. Every snapshot is checked against a
    // full read.
    let history = vec![
        base(BASE),
        m(
            "001_dependents",
            &[
                "CREATE TABLE accounts (code text PRIMARY KEY, label text, \
                 n int CHECK (n > 0), twice int GENERATED ALWAYS AS (n * 2) STORED);",
                "CREATE TABLE ledger (account text REFERENCES accounts (code), amount int);",
                "CREATE SEQUENCE account_seq OWNED BY accounts.n;",
                "CREATE INDEX accounts_lower_idx ON accounts (lower(label));",
                "CREATE VIEW account_labels AS SELECT code, label FROM accounts;",
                "CREATE VIEW account_labels_2 AS SELECT label FROM account_labels;",
                "CREATE MATERIALIZED VIEW account_codes AS SELECT code FROM accounts;",
                "CREATE FUNCTION count_accounts() RETURNS bigint LANGUAGE sql \
                 BEGIN ATOMIC SELECT count(label) FROM accounts; END;",
                "CREATE TRIGGER accounts_touch BEFORE UPDATE ON accounts FOR EACH ROW \
                 WHEN (OLD.label IS DISTINCT FROM NEW.label) EXECUTE FUNCTION touch();",
            ],
            &[
                "DROP FUNCTION count_accounts();",
                "DROP MATERIALIZED VIEW account_codes;",
                "DROP VIEW account_labels_2;",
                "DROP VIEW account_labels;",
                "DROP TABLE ledger;",
                "DROP TABLE accounts;",
                "DROP SEQUENCE IF EXISTS account_seq;",
            ],
        ),
        m(
            "002_rename",
            &[
                "ALTER TABLE accounts RENAME COLUMN code TO account_code;",
                "ALTER TABLE accounts RENAME COLUMN label TO title;",
                "ALTER TABLE accounts RENAME COLUMN n TO amount;",
            ],
            &[
                "ALTER TABLE accounts RENAME COLUMN account_code TO code;",
                "ALTER TABLE accounts RENAME COLUMN title TO label;",
                "ALTER TABLE accounts RENAME COLUMN amount TO n;",
            ],
        ),
        m(
            "003_view_column",
            &["ALTER VIEW account_labels RENAME COLUMN label TO name;"],
            &["ALTER VIEW account_labels RENAME COLUMN name TO label;"],
        ),
        m(
            "004_rename_not_undone",
            &["ALTER TABLE orders RENAME COLUMN total TO amount;"],
            &["SELECT 1;"],
        ),
    ];
    let report = same_as_full(history, Mode::Roundtrip).await;
    assert!(report.base_error.is_none(), "{report:#?}");
    assert_eq!(report.migrations.len(), 4, "{report:#?}");
    let effect = messages(&report.migrations[1].effect);
    for what in [
        "view `account_labels`",
        "ledger_account_fkey",
        "account_seq",
        "accounts_lower_idx",
        "accounts_touch",
        "count_accounts",
        "account_codes",
    ] {
        assert!(
            effect.iter().any(|s| s.contains(what)),
            "{what}: {effect:?}"
        );
    }
    assert!(report.migrations[1].roundtrip.is_empty());
    let effect = messages(&report.migrations[2].effect);
    assert!(
        effect.iter().any(|s| s.contains("account_labels_2")),
        "{effect:?}"
    );
    assert!(!report.migrations[3].roundtrip.is_empty());
}

#[tokio::test]
async fn mode_up_and_shared_names_match_full_snapshots() {
    // Overloaded functions and a table named like one in another schema switch the cache off
    // (how a name prints then depends on the search path); the report stays exact.
    let history = vec![
        base(BASE),
        m(
            "001_overload",
            &[
                "CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'SELECT $1';",
                "CREATE FUNCTION f(text) RETURNS text LANGUAGE sql AS 'SELECT $1';",
            ],
            &["DROP FUNCTION f(int);", "DROP FUNCTION f(text);"],
        ),
        m(
            "002_same_name",
            &["CREATE SCHEMA other;", "CREATE TABLE other.users (id int);"],
            &["DROP SCHEMA other CASCADE;"],
        ),
        m(
            "003_after",
            &["ALTER TABLE users ADD COLUMN city text;"],
            &["ALTER TABLE users DROP COLUMN city;"],
        ),
    ];
    same_as_full(history.clone(), Mode::Up).await;
    same_as_full(history, Mode::Roundtrip).await;
}

#[tokio::test]
async fn a_transaction_left_open_by_a_migration_is_read_in_full() {
    // A migration that opens a transaction and never commits it: the next snapshots run
    // inside it, where the statistics say nothing about its uncommitted changes.
    let mut open = m(
        "001_left_open",
        &["BEGIN;", "CREATE TABLE left_open (x int);"],
        &["DROP TABLE left_open;"],
    );
    open.transactional = false;
    open.up[0].transaction_control = true;
    let history = vec![
        base(BASE),
        open,
        m(
            "002_next",
            &["ALTER TABLE orders ADD COLUMN note text;"],
            &["ALTER TABLE orders DROP COLUMN note;"],
        ),
    ];
    same_as_full(history, Mode::Roundtrip).await;
}

fn outside(mut mig: RunMigration) -> RunMigration {
    mig.transactional = false;
    mig
}

const INHERIT_BASE: &[&str] = &[
    "CREATE TABLE events (id int, at date) PARTITION BY RANGE (at);",
    "CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');",
    "CREATE TABLE events_2027 PARTITION OF events FOR VALUES FROM ('2027-01-01') TO ('2028-01-01') \
     PARTITION BY RANGE (id);",
    "CREATE TABLE events_2027_low PARTITION OF events_2027 FOR VALUES FROM (0) TO (1000);",
    "CREATE TABLE parent_rows (id int, note text);",
    "CREATE TABLE child_rows (extra int) INHERITS (parent_rows);",
    "CREATE TYPE pair AS (a int, b int);",
    "CREATE TABLE pairs OF pair;",
    "CREATE ROLE app_owner;",
    "GRANT CREATE, USAGE ON SCHEMA public TO app_owner;",
];

#[tokio::test]
async fn what_the_change_log_cannot_name_is_still_seen() {
    // Changes the event triggers report on another object than the one that changed, or not at
    // all: recursion into partitions and children, typed tables, storage changed by
    // maintenance commands, privileges and comments, a migration run as another role, and a
    // catalog no snapshot reads (a collation). Every snapshot is checked against a full read, from the change log and from
    // the counters.
    let mut history = vec![base(BASE), base(INHERIT_BASE)];
    history[1].id = "000_base_2".to_string();
    history.extend([
        m(
            "001_recurse",
            &[
                "ALTER TABLE events ADD COLUMN kind text NOT NULL DEFAULT 'x';",
                "ALTER TABLE parent_rows ADD COLUMN tag text;",
            ],
            &[
                "ALTER TABLE events DROP COLUMN kind;",
                "ALTER TABLE parent_rows DROP COLUMN tag;",
            ],
        ),
        m(
            "002_detach",
            &["ALTER TABLE events DETACH PARTITION events_2026;"],
            &["ALTER TABLE events ATTACH PARTITION events_2026 \
               FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');"],
        ),
        m(
            "003_no_inherit",
            &["ALTER TABLE child_rows NO INHERIT parent_rows;"],
            &["ALTER TABLE child_rows INHERIT parent_rows;"],
        ),
        m(
            "004_typed_table",
            &["ALTER TYPE pair ADD ATTRIBUTE c int CASCADE;"],
            &["ALTER TYPE pair DROP ATTRIBUTE c CASCADE;"],
        ),
        m(
            "005_privileges_and_comments",
            &[
                "GRANT SELECT ON users TO app_owner;",
                "COMMENT ON COLUMN users.email IS 'where we write';",
                "ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO app_owner;",
            ],
            &[
                "ALTER DEFAULT PRIVILEGES REVOKE SELECT ON TABLES FROM app_owner;",
                "COMMENT ON COLUMN users.email IS NULL;",
                "REVOKE SELECT ON users FROM app_owner;",
            ],
        ),
        m(
            "006_as_another_role",
            &[
                "SET ROLE app_owner;",
                "CREATE TABLE owned_by_app (id int PRIMARY KEY, label text);",
                "RESET ROLE;",
            ],
            &["DROP TABLE owned_by_app;"],
        ),
        outside(m(
            "007_maintenance",
            &[
                "VACUUM FULL orders;",
                "CLUSTER users USING users_pkey;",
                "REINDEX TABLE orders;",
            ],
            &["SELECT 1;"],
        )),
        outside(m(
            "008_concurrently",
            &["CREATE INDEX CONCURRENTLY users_nickname_idx ON users (nickname);"],
            &["DROP INDEX CONCURRENTLY users_nickname_idx;"],
        )),
        m(
            "009_replica_role",
            &[
                "SET session_replication_role = replica;",
                "ALTER TABLE users ADD COLUMN quiet text;",
                "SET session_replication_role = origin;",
            ],
            &["ALTER TABLE users DROP COLUMN quiet;"],
        ),
        m(
            "010_collation",
            &["CREATE COLLATION ordinal (provider = libc, locale = 'C');"],
            &["DROP COLLATION ordinal;"],
        ),
        m(
            "011_after",
            &["ALTER TABLE orders ADD COLUMN note text;"],
            &["ALTER TABLE orders DROP COLUMN note;"],
        ),
    ]);
    let report = same_as_full(history, Mode::Roundtrip).await;
    assert!(report.base_error.is_none(), "{report:#?}");
    assert_eq!(report.migrations.len(), 11, "{report:#?}");
    assert!(report.change_log, "the run should have used the change log");
    let by_id = |id: &str| report.migrations.iter().find(|o| o.id == id).unwrap();
    assert!(
        messages(&by_id("001_recurse").effect)
            .iter()
            .any(|s| s.contains("events_2027_low.kind")),
        "{:?}",
        messages(&by_id("001_recurse").effect)
    );
    assert!(!by_id("007_maintenance").rewrites.is_empty());
    for o in &report.migrations {
        assert!(
            o.roundtrip.is_empty(),
            "{}: {:?}",
            o.id,
            messages(&o.roundtrip)
        );
    }
}

#[tokio::test]
async fn a_migration_that_resets_the_session_loses_only_the_change_log() {
    // `RESET ALL` empties the log, `DISCARD TEMP` drops its triggers, `DEALLOCATE ALL` the
    // statement that reads it (and the driver's own): the tracker notices, goes back to the
    // counters with a full read, and the report is still exact.
    for reset in ["RESET ALL;", "DISCARD TEMP;", "DEALLOCATE ALL;"] {
        let history = vec![
            base(BASE),
            m(
                "001_reset",
                &[reset, "ALTER TABLE users ADD COLUMN after_reset text;"],
                &["ALTER TABLE users DROP COLUMN after_reset;"],
            ),
            m(
                "002_next",
                &["CREATE INDEX orders_total_idx ON orders (total);"],
                &["DROP INDEX orders_total_idx;"],
            ),
        ];
        let report = same_as_full(history, Mode::Roundtrip).await;
        assert_eq!(report.migrations.len(), 2, "{reset} {report:#?}");
        assert!(
            !report.change_log,
            "{reset}: the log should have been given up"
        );
        assert_eq!(
            messages(&report.migrations[0].effect),
            ["column `users.after_reset` is new"],
            "{reset}"
        );
        for o in &report.migrations {
            assert!(
                o.up.ok && o.reup.as_ref().is_some_and(|r| r.ok),
                "{reset} {o:#?}"
            );
            assert!(
                o.roundtrip.is_empty(),
                "{reset}: {:?}",
                messages(&o.roundtrip)
            );
        }
    }
}

#[tokio::test]
async fn a_role_that_is_not_a_superuser_gets_the_same_report_from_the_counters() {
    // Event triggers need a superuser: a CI role with `CREATEDB` and its own scratch database
    // takes its snapshots from the statistics counters, and the report is the full one.
    let history = vec![
        base(BASE),
        m(
            "001_add",
            &[
                "ALTER TABLE users ADD COLUMN city text;",
                "CREATE INDEX users_city_idx ON users (city);",
            ],
            &[
                "DROP INDEX users_city_idx;",
                "ALTER TABLE users DROP COLUMN city;",
            ],
        ),
        m(
            "002_forgets",
            &["ALTER TABLE orders ADD COLUMN note text;"],
            &["SELECT 1;"],
        ),
    ];
    let server = common::ephemeral().await;
    let mut reports = Vec::new();
    for how in [SnapshotMode::Checked, SnapshotMode::Full] {
        let db = server.scratch().await.expect("scratch database");
        common::exec(&db.url, "CREATE ROLE ci_role LOGIN CREATEDB").await;
        common::exec(
            &db.url,
            &format!("ALTER DATABASE \"{}\" OWNER TO ci_role", db.name),
        )
        .await;
        common::exec(&db.url, "ALTER SCHEMA public OWNER TO ci_role").await;
        let url = db.url.replacen("tollgate@", "ci_role@", 1);
        assert_ne!(url, db.url);
        let opts = RunOptions {
            mode: Mode::Roundtrip,
            ..RunOptions::default()
        };
        let report = run_with(&url, &history, &opts, how)
            .await
            .unwrap_or_else(|e| panic!("{how:?}: {e}"));
        db.drop_db().await.expect("drop");
        common::exec(server.admin_url(), "DROP ROLE ci_role").await;
        assert!(!report.change_log);
        reports.push(normalized(report));
    }
    assert_eq!(reports[0], reports[1]);
    assert!(reports[0].contains("orders.note"), "{}", reports[0]);
    server.shutdown().await;
}
