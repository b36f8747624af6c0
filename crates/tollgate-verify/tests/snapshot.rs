//! Catalog snapshots and their diff, on a real PostgreSQL.

mod common;

use common::ephemeral;
use sqlx::{Connection, PgConnection};
use std::fmt::Write as _;
use tollgate_verify::{diff, snapshot, Change, ChangeKind, Snapshot};

async fn run(conn: &mut PgConnection, sql: &str) {
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut *conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

fn render(changes: &[Change]) -> String {
    let mut out = String::new();
    for c in changes {
        let sign = match c.kind {
            ChangeKind::Added => '+',
            ChangeKind::Removed => '-',
            ChangeKind::Changed => '~',
            ChangeKind::Reordered => '^',
        };
        let loses = if c.loses_data { "  [loses data]" } else { "" };
        writeln!(out, "{sign} [{}] {}{loses}", c.object, c.message).unwrap();
    }
    out
}

/// `(title, setup, change)`: the diff from after `setup` to after `change`.
const CASES: &[(&str, &str, &str)] = &[
    (
        "column added and removed",
        "CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL, phone text)",
        "ALTER TABLE users DROP COLUMN phone; ALTER TABLE users ADD COLUMN nickname text",
    ),
    (
        "column type",
        "CREATE TABLE users (id int, nickname text)",
        "ALTER TABLE users ALTER COLUMN nickname TYPE varchar(50)",
    ),
    (
        "not null",
        "CREATE TABLE users (id int NOT NULL, email text)",
        "ALTER TABLE users ALTER COLUMN id DROP NOT NULL, ALTER COLUMN email SET NOT NULL",
    ),
    (
        "default",
        "CREATE TABLE users (id int, created_at timestamptz DEFAULT now(), n int)",
        "ALTER TABLE users ALTER COLUMN created_at DROP DEFAULT, ALTER COLUMN n SET DEFAULT 1",
    ),
    (
        "identity",
        "CREATE TABLE users (id int NOT NULL)",
        "ALTER TABLE users ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY",
    ),
    (
        "generated column",
        "CREATE TABLE items (price int, qty int, total int GENERATED ALWAYS AS (price * qty) STORED)",
        "ALTER TABLE items ALTER COLUMN total DROP EXPRESSION",
    ),
    (
        "collation",
        "CREATE TABLE users (name text)",
        "ALTER TABLE users ALTER COLUMN name TYPE text COLLATE \"POSIX\"",
    ),
    (
        "column order",
        "CREATE TABLE users (id int, email text, name text)",
        "ALTER TABLE users DROP COLUMN email; ALTER TABLE users ADD COLUMN email text",
    ),
    (
        "tables and schemas",
        "CREATE TABLE users (id int); CREATE TABLE orders (id int)",
        "DROP TABLE orders; CREATE SCHEMA audit; CREATE TABLE audit.log (at timestamptz); \
         CREATE TABLE invoices (id int)",
    ),
    (
        "schema removed",
        "CREATE SCHEMA staging",
        "DROP SCHEMA staging",
    ),
    (
        "constraints",
        "CREATE TABLE users (id int PRIMARY KEY, email text UNIQUE); \
         CREATE TABLE orders (id int, user_id int REFERENCES users ON DELETE CASCADE, qty int)",
        "ALTER TABLE users DROP CONSTRAINT users_email_key; \
         ALTER TABLE orders ADD CONSTRAINT orders_qty_check CHECK (qty > 0) NOT VALID; \
         ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey, \
           ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users ON DELETE RESTRICT",
    ),
    (
        "indexes",
        "CREATE TABLE users (id int, email text, name text); \
         CREATE INDEX users_email_idx ON users (email); CREATE INDEX users_name_idx ON users (name); \
         CREATE INDEX users_id_idx ON users (id)",
        "DROP INDEX users_email_idx; CREATE UNIQUE INDEX users_lower_email_idx ON users (lower(email)); \
         DROP INDEX users_name_idx; CREATE INDEX users_name_idx ON users (name, id); \
         UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'users_id_idx'::regclass",
    ),
    (
        "views",
        "CREATE TABLE users (id int, name text); \
         CREATE VIEW names AS SELECT name FROM users; \
         CREATE MATERIALIZED VIEW counts AS SELECT count(*) AS n FROM users; \
         CREATE VIEW ids AS SELECT id FROM users",
        "CREATE OR REPLACE VIEW names AS SELECT name, id FROM users; \
         DROP MATERIALIZED VIEW counts; \
         DROP VIEW ids; CREATE MATERIALIZED VIEW ids AS SELECT id FROM users; \
         CREATE VIEW everyone AS SELECT * FROM users",
    ),
    (
        "sequences",
        "CREATE TABLE users (id serial); CREATE SEQUENCE tickets; CREATE SEQUENCE old_seq",
        "ALTER SEQUENCE tickets INCREMENT BY 10 MAXVALUE 1000 CYCLE; \
         ALTER SEQUENCE users_id_seq OWNED BY NONE; DROP SEQUENCE old_seq; \
         CREATE SEQUENCE invoice_no AS int",
    ),
    (
        "enum label added",
        "CREATE TYPE status AS ENUM ('a', 'b')",
        "ALTER TYPE status ADD VALUE 'c'",
    ),
    (
        "enum label removed or renamed",
        "CREATE TYPE status AS ENUM ('a', 'b', 'c'); CREATE TYPE mood AS ENUM ('sad', 'ok')",
        "DROP TYPE status; CREATE TYPE status AS ENUM ('a', 'b'); \
         ALTER TYPE mood RENAME VALUE 'ok' TO 'happy'; CREATE TYPE empty AS ENUM ()",
    ),
    (
        "functions and procedures",
        "CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql AS 'SELECT a + b'; \
         CREATE FUNCTION one() RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 1'; \
         CREATE FUNCTION two() RETURNS int LANGUAGE sql AS 'SELECT 2'; \
         CREATE FUNCTION atomic() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END; \
         CREATE PROCEDURE tidy() LANGUAGE sql AS 'SELECT 1'",
        "CREATE OR REPLACE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql AS 'SELECT a + b + 0'; \
         CREATE OR REPLACE FUNCTION one() RETURNS int LANGUAGE plpgsql STABLE STRICT SECURITY DEFINER \
           SET search_path = public AS 'BEGIN RETURN 1; END'; \
         DROP FUNCTION two(); CREATE FUNCTION two() RETURNS bigint LANGUAGE sql AS 'SELECT 2'; \
         CREATE OR REPLACE FUNCTION atomic() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 2; END; \
         DROP PROCEDURE tidy(); CREATE FUNCTION add(a bigint, b bigint) RETURNS bigint LANGUAGE sql AS 'SELECT a + b'",
    ),
    (
        "triggers",
        "CREATE TABLE users (id int, touched timestamptz); \
         CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN NEW.touched := now(); RETURN NEW; END'; \
         CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch(); \
         CREATE TRIGGER users_old BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION touch()",
        "ALTER TABLE users DISABLE TRIGGER users_touch; DROP TRIGGER users_old ON users; \
         CREATE TRIGGER users_ins BEFORE INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch()",
    ),
    (
        "extensions (their objects are not listed)",
        "CREATE EXTENSION hstore VERSION '1.7'",
        "ALTER EXTENSION hstore UPDATE TO '1.8'; CREATE EXTENSION citext; DROP EXTENSION plpgsql CASCADE",
    ),
    (
        "partitions and persistence",
        "CREATE TABLE events (at date, kind text) PARTITION BY RANGE (at); \
         CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01'); \
         CREATE TABLE scratch (id int)",
        "ALTER TABLE events DETACH PARTITION events_2024; ALTER TABLE scratch SET UNLOGGED",
    ),
];

#[tokio::test]
async fn diff_reports_each_kind_of_change() {
    let server = ephemeral().await;
    let db = server.scratch().await.unwrap();
    let mut conn = db.connect().await.unwrap();
    let mut report = String::new();
    for (title, setup, change) in CASES {
        // Each case runs in a transaction that is rolled back, so cases do not meet.
        run(&mut conn, "BEGIN").await;
        run(&mut conn, setup).await;
        let before = snapshot(&mut conn).await.unwrap();
        run(&mut conn, change).await;
        let after = snapshot(&mut conn).await.unwrap();
        run(&mut conn, "ROLLBACK").await;

        let changes = diff(&before, &after);
        assert!(!changes.is_empty(), "{title}: no change found");
        assert_ne!(before, after, "{title}");
        assert!(diff(&before, &before).is_empty(), "{title}");
        // The way back names the same objects.
        let mut there: Vec<_> = changes.iter().map(|c| c.object.clone()).collect();
        let mut back: Vec<_> = diff(&after, &before)
            .into_iter()
            .map(|c| c.object)
            .collect();
        there.sort();
        back.sort();
        if !title.starts_with("views") && !title.starts_with("functions") {
            // (a view that became a materialized view is named by its kind before the change)
            assert_eq!(there, back, "{title}");
        }
        writeln!(report, "## {title}\n{}", render(&changes)).unwrap();
    }
    insta::assert_snapshot!(report);
    conn.close().await.unwrap();
    db.drop_db().await.unwrap();
    server.shutdown().await;
}

/// Everything a snapshot records, for one schema with one object of each kind.
#[tokio::test]
async fn snapshot_records_every_kind_of_object() {
    let server = ephemeral().await;
    let db = server.scratch().await.unwrap();
    let mut conn = db.connect().await.unwrap();
    let empty = snapshot(&mut conn).await.unwrap();
    run(
        &mut conn,
        "CREATE EXTENSION citext; \
         CREATE SCHEMA app; \
         CREATE TYPE app.status AS ENUM ('new', 'done'); \
         CREATE TABLE app.users ( \
           id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, \
           email citext NOT NULL UNIQUE, \
           name text COLLATE \"C\" DEFAULT 'anon', \
           status app.status NOT NULL DEFAULT 'new', \
           score numeric(10,2), \
           doubled numeric GENERATED ALWAYS AS (score * 2) STORED, \
           CHECK (score >= 0)); \
         CREATE TABLE orders (id serial PRIMARY KEY, user_id bigint REFERENCES app.users, at date); \
         CREATE INDEX orders_at_idx ON orders (at) WHERE at IS NOT NULL; \
         CREATE VIEW app.active AS SELECT id, email FROM app.users WHERE status <> 'done'; \
         CREATE MATERIALIZED VIEW order_counts AS SELECT user_id, count(*) AS n FROM orders GROUP BY user_id; \
         CREATE SEQUENCE app.tickets AS integer START 100 INCREMENT 5; \
         CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$; \
         CREATE TRIGGER users_touch BEFORE UPDATE ON app.users FOR EACH ROW EXECUTE FUNCTION app.touch(); \
         CREATE PROCEDURE tidy(days int) LANGUAGE sql AS $$DELETE FROM orders WHERE at < now() - make_interval(days => days)$$",
    )
    .await;
    let mut snap = snapshot(&mut conn).await.unwrap();

    // Every relation with storage is in `storage`, with its oid and relfilenode.
    let mut relations: Vec<_> = snap.storage.keys().cloned().collect();
    relations.sort();
    assert_eq!(
        relations,
        [
            "app.tickets",
            "app.users",
            "app.users_email_key",
            "app.users_id_seq",
            "app.users_pkey",
            "order_counts",
            "orders",
            "orders_at_idx",
            "orders_id_seq",
            "orders_pkey",
        ]
    );
    assert!(snap
        .storage
        .values()
        .all(|&(oid, node)| oid > 0 && node > 0));
    snap.storage.clear();
    insta::assert_debug_snapshot!(snap);

    // Extension objects stay out: only the extension and plpgsql are there.
    assert_eq!(
        snap.extensions.keys().collect::<Vec<_>>(),
        ["citext", "plpgsql"]
    );
    assert!(empty.tables.is_empty() && empty.functions.is_empty());
    assert_eq!(empty.schemas.iter().collect::<Vec<_>>(), ["public"]);

    conn.close().await.unwrap();
    server.shutdown().await;
}

#[tokio::test]
async fn rolled_back_ddl_leaves_an_identical_snapshot_and_a_rewrite_shows_in_storage() {
    let server = ephemeral().await;
    let db = server.scratch().await.unwrap();
    let mut conn = db.connect().await.unwrap();
    run(
        &mut conn,
        "CREATE TABLE users (id int PRIMARY KEY, nickname text); \
         CREATE INDEX users_nickname_idx ON users (nickname); \
         INSERT INTO users SELECT g, 'n' || g FROM generate_series(1, 100) g",
    )
    .await;
    let first = snapshot(&mut conn).await.unwrap();

    run(
        &mut conn,
        "BEGIN; \
         ALTER TABLE users ADD COLUMN phone text, ALTER COLUMN nickname TYPE varchar(50); \
         CREATE TABLE t (id int); DROP INDEX users_nickname_idx; CREATE TYPE e AS ENUM ('x'); \
         ROLLBACK",
    )
    .await;
    let again = snapshot(&mut conn).await.unwrap();
    assert_eq!(first, again);
    assert_eq!(first.storage, again.storage);
    assert!(diff(&first, &again).is_empty());

    // A type change rewrites the table and its indexes: new relfilenodes, same oids…
    run(
        &mut conn,
        "ALTER TABLE users ALTER COLUMN nickname TYPE varchar(50)",
    )
    .await;
    let rewritten = snapshot(&mut conn).await.unwrap();
    let (oid_before, node_before) = first.storage["users"];
    let (oid_after, node_after) = rewritten.storage["users"];
    assert_eq!(oid_before, oid_after);
    assert_ne!(node_before, node_after, "the table was not rewritten");
    assert_ne!(
        first.storage["users_pkey"].1,
        rewritten.storage["users_pkey"].1
    );
    // …while the compared snapshot differs in the type only.
    let changes = diff(&first, &rewritten);
    assert_eq!(changes.len(), 1, "{changes:#?}");
    assert_eq!(
        changes[0].message,
        "column `users.nickname`: type `text` → `character varying(50)`"
    );
    assert!(changes[0].loses_data);
    let mut only_type = first.clone();
    only_type.tables.get_mut("users").unwrap().columns[1].data_type =
        "character varying(50)".into();
    assert_eq!(only_type, rewritten);

    // A change that needs no rewrite keeps the relfilenode.
    run(&mut conn, "ALTER TABLE users ADD COLUMN phone text").await;
    let added = snapshot(&mut conn).await.unwrap();
    assert_eq!(added.storage["users"], rewritten.storage["users"]);
    assert_eq!(
        render(&diff(&rewritten, &added)),
        "+ [column users.phone] column `users.phone` is new\n"
    );

    // The snapshot is the same from another session.
    let mut other = db.connect().await.unwrap();
    let seen_elsewhere = snapshot(&mut other).await.unwrap();
    assert_eq!(seen_elsewhere, added);
    assert_eq!(seen_elsewhere.storage, added.storage);

    other.close().await.unwrap();
    conn.close().await.unwrap();
    db.drop_db().await.unwrap();
    server.shutdown().await;
}

/// A `Snapshot` is plain data that the runner can keep and compare later.
#[test]
fn snapshot_is_send_and_static() {
    fn check<T: Send + Sync + 'static>() {}
    check::<Snapshot>();
    check::<Change>();
}
