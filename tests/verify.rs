//! `tollgate verify` end to end: the real binary, on a real PostgreSQL that it starts itself (or
//! on one the test starts and hands over with `--database-url`). Never mocked, never skipped:
//! when PostgreSQL cannot start, these tests fail with the reason.

mod common;

use std::path::Path;

use common::pr::server;
use common::{git, json, stderr, stdout, tollgate, write};
use serde_json::Value;

fn findings<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

fn migration<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id)
        .unwrap_or_else(|| panic!("no migration {id} in {report:#}"))
}

fn verify_json(dir: &Path, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["verify", "--format", "json"];
    args.extend_from_slice(extra);
    let out = tollgate(dir, &args);
    let code = out.status.code().unwrap_or(-1);
    assert_ne!(code, 2, "verify failed to run: {}", stderr(&out));
    (code, json(&out))
}

/// golang-migrate: a users table, then the migration under test.
fn golang(dir: &Path, up: &str, down: &str) {
    write(
        dir,
        "migrations/000001_users.up.sql",
        "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, nickname text, phone text);\n",
    );
    write(
        dir,
        "migrations/000001_users.down.sql",
        "DROP TABLE users;\n",
    );
    write(dir, "migrations/000002_change.up.sql", up);
    write(dir, "migrations/000002_change.down.sql", down);
}

#[test]
fn a_down_that_forgets_an_index_fails_the_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    golang(
        dir.path(),
        "CREATE INDEX users_email_idx ON users (email);\n",
        "-- forgot the index\nSELECT 1;\n",
    );
    let (code, report) = verify_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let f = findings(&report, "down-does-not-restore");
    assert_eq!(f.len(), 1, "{report:#}");
    assert_eq!(f[0]["path"], "migrations/000002_change.down.sql");
    assert_eq!(f[0]["severity"], "error");
    assert!(
        f[0]["message"]
            .as_str()
            .unwrap()
            .contains("index `users_email_idx` is new"),
        "{}",
        f[0]["message"]
    );
    // The up then cannot run again: the index is still there.
    let again = findings(&report, "migration-failed");
    assert!(
        again[0]["message"].as_str().unwrap().contains("42P07"),
        "{again:#?}"
    );
    let v = &migration(&report, "000002_change")["verify"];
    assert_eq!(v["up"]["ok"], true);
    assert_eq!(v["down"]["ok"], true);
    assert_eq!(v["reup"]["ok"], false);
    // The base migration round-trips.
    let base = &migration(&report, "000001_users")["verify"];
    assert_eq!(base["roundtrip"].as_array().unwrap().len(), 0);
}

#[test]
fn a_down_that_re_creates_a_column_with_another_type_is_named() {
    let dir = tempfile::tempdir().unwrap();
    golang(
        dir.path(),
        "ALTER TABLE users DROP COLUMN nickname;\n",
        "ALTER TABLE users ADD COLUMN nickname varchar(50);\n",
    );
    let (code, report) = verify_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let f = findings(&report, "down-does-not-restore");
    assert!(
        f[0]["message"]
            .as_str()
            .unwrap()
            .ends_with("column `users.nickname`: type `text` → `character varying(50)`"),
        "{report:#}"
    );
    let out = tollgate(dir.path(), &["verify", "--color", "never"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    // The per-migration table.
    let row = text
        .lines()
        .find(|l| l.starts_with("000002_change"))
        .unwrap_or_else(|| panic!("{text}"));
    let cells: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(
        &cells[..7],
        ["000002_change", "destructive", "✓", "✓", "✓", "1", "diff"],
        "{row}"
    );
    assert!(text.contains("result: FAIL"), "{text}");
}

#[test]
fn a_down_that_fails_points_at_its_statement() {
    let dir = tempfile::tempdir().unwrap();
    golang(
        dir.path(),
        "ALTER TABLE users ADD COLUMN city text;\n",
        "-- undo\nALTER TABLE users DROP COLUMN town;\n",
    );
    let (code, report) = verify_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let f = findings(&report, "migration-failed");
    assert_eq!(f.len(), 1, "{report:#}");
    assert_eq!(f[0]["path"], "migrations/000002_change.down.sql");
    assert_eq!(f[0]["line"], 2);
    assert_eq!(f[0]["direction"], "down");
    // A down's failure is not capped to info like a down's style findings.
    assert_eq!(f[0]["severity"], "error");
    let m = f[0]["message"].as_str().unwrap();
    assert!(
        m.contains("the down fails") && m.contains("SQLSTATE 42703") && m.contains("town"),
        "{m}"
    );
}

#[test]
fn a_non_transactional_up_that_fails_half_way_says_what_it_left_behind() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "db/migrations/20240101000000_users.sql",
        "-- migrate:up\nCREATE TABLE users (id bigint PRIMARY KEY, email text);\n-- migrate:down\nDROP TABLE users;\n",
    );
    write(
        dir.path(),
        "db/migrations/20240201000000_index.sql",
        "-- migrate:up transaction:false\n\
         CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n\
         ALTER TABLE users ADD COLUMN nickname text;\n\
         ALTER TABLE users ADD COLUMN team_id bigint REFERENCES teams (id);\n\
         -- migrate:down\n\
         DROP INDEX CONCURRENTLY users_email_idx;\n",
    );
    let (code, report) = verify_json(dir.path(), &["db/migrations"]);
    assert_eq!(code, 1);
    let f = findings(&report, "migration-failed");
    assert_eq!(f.len(), 1, "{report:#}");
    assert_eq!(f[0]["path"], "db/migrations/20240201000000_index.sql");
    assert_eq!(f[0]["line"], 4, "{:#}", f[0]);
    let m = f[0]["message"].as_str().unwrap();
    assert!(m.contains("statement 3 of 3") && m.contains("42P01"), "{m}");
    assert!(
        m.contains("the 2 statements before it stayed applied")
            && m.contains("index `users_email_idx` is new")
            && m.contains("column `users.nickname` is new"),
        "{m}"
    );
    let up = &migration(&report, "20240201000000_index")["verify"]["up"];
    assert_eq!(up["executed"], 2);
    assert_eq!(up["left_behind"].as_array().unwrap().len(), 2, "{up:#}");
}

#[test]
fn a_concurrent_index_runs_outside_a_transaction_and_fails_inside_one() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "db/migrations/20240101000000_users.sql",
        "-- migrate:up\nCREATE TABLE users (id bigint PRIMARY KEY, email text);\n-- migrate:down\nDROP TABLE users;\n",
    );
    write(
        dir.path(),
        "db/migrations/20240201000000_index.sql",
        "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n\
         -- migrate:down transaction:false\nDROP INDEX CONCURRENTLY users_email_idx;\n",
    );
    let (code, report) = verify_json(dir.path(), &[]);
    assert_eq!(code, 0, "{report:#}");
    let v = &migration(&report, "20240201000000_index")["verify"];
    assert_eq!(v["reup"]["ok"], true, "{v:#}");
    // SHARE UPDATE EXCLUSIVE blocks neither reads nor writes: no lock finding.
    assert!(v["locks"].as_array().unwrap().is_empty(), "{v:#}");

    // The same index in a wrapped migration fails like it would in production.
    write(
        dir.path(),
        "db/migrations/20240201000000_index.sql",
        "-- migrate:up\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n\
         -- migrate:down\nDROP INDEX users_email_idx;\n",
    );
    let (code, report) = verify_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let f = findings(&report, "migration-failed");
    assert!(
        f[0]["message"].as_str().unwrap().contains("25001"),
        "{f:#?}"
    );
    assert_eq!(f[0]["line"], 2);
}

#[test]
fn ddl_in_a_do_block_that_fools_the_static_analysis_is_a_classification_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    // tollgate reads through EXECUTE of literals, formats and concatenations; a DO block that
    // calls a helper an earlier migration defined is beyond any static analysis.
    write(
        dir.path(),
        "migrations/000001_users.up.sql",
        "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, phone text);\n\
         CREATE FUNCTION retire_column(t text, c text) RETURNS void LANGUAGE plpgsql AS $$\n\
         BEGIN\n  EXECUTE format('ALTER TABLE %I DROP COLUMN %I', t, c);\nEND\n$$;\n",
    );
    write(
        dir.path(),
        "migrations/000001_users.down.sql",
        "DROP FUNCTION retire_column(text, text);\nDROP TABLE users;\n",
    );
    write(
        dir.path(),
        "migrations/000002_change.up.sql",
        "DO $$\nBEGIN\n  PERFORM retire_column('users', 'phone');\nEND\n$$;\n",
    );
    write(
        dir.path(),
        "migrations/000002_change.down.sql",
        "ALTER TABLE users ADD COLUMN phone text;\n",
    );
    // The static view first: the DO block does not look destructive.
    let out = tollgate(dir.path(), &["check", "--format", "json"]);
    let check = json(&out);
    assert_ne!(migration(&check, "000002_change")["class"], "destructive");

    let (code, report) = verify_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let f = findings(&report, "classification-mismatch");
    assert_eq!(f.len(), 1, "{report:#}");
    let m = f[0]["message"].as_str().unwrap();
    assert!(
        m.starts_with("static analysis: ") && m.contains("column `users.phone` is missing"),
        "{m}"
    );
    assert_eq!(f[0]["path"], "migrations/000002_change.up.sql");
    assert_eq!(f[0]["severity"], "error");
}

#[test]
fn widening_a_column_is_not_a_mismatch_and_a_re_added_column_is_only_reordered() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "migrations/000001_users.up.sql",
        "CREATE TABLE users (id integer PRIMARY KEY, name varchar(50), fax text, email text);\n",
    );
    write(
        dir.path(),
        "migrations/000001_users.down.sql",
        "DROP TABLE users;\n",
    );
    write(
        dir.path(),
        "migrations/000002_widen.up.sql",
        "ALTER TABLE users ALTER COLUMN name TYPE text;\n",
    );
    write(
        dir.path(),
        "migrations/000002_widen.down.sql",
        "ALTER TABLE users ALTER COLUMN name TYPE varchar(50);\n",
    );
    write(
        dir.path(),
        "migrations/000003_drop_fax.up.sql",
        "ALTER TABLE users DROP COLUMN fax;\n",
    );
    write(
        dir.path(),
        "migrations/000003_drop_fax.down.sql",
        "ALTER TABLE users ADD COLUMN fax text;\n",
    );
    let (_, report) = verify_json(dir.path(), &[]);
    assert!(
        findings(&report, "classification-mismatch").is_empty(),
        "{report:#}"
    );
    assert!(
        findings(&report, "down-does-not-restore").is_empty(),
        "{report:#}"
    );
    let rt = &migration(&report, "000003_drop_fax")["verify"]["roundtrip"];
    assert_eq!(rt[0]["kind"], "reordered", "{rt:#}");
}

#[test]
fn with_data_the_values_a_down_cannot_bring_back_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    golang(
        dir.path(),
        "ALTER TABLE users DROP COLUMN phone;\n",
        "ALTER TABLE users ADD COLUMN phone text;\n",
    );
    write(
        dir.path(),
        "migrations/000003_drop_nickname.up.sql",
        "ALTER TABLE users DROP COLUMN nickname;\n",
    );
    // What a schema-diff generator writes: fine on an empty table, fails once it holds rows.
    write(
        dir.path(),
        "migrations/000003_drop_nickname.down.sql",
        "alter table \"users\" add column \"nickname\" varchar(255) not null;\n",
    );
    let (code, report) = verify_json(dir.path(), &["--with-data", "--rows", "250"]);
    assert_eq!(code, 1);
    let lost = findings(&report, "down-loses-data");
    assert_eq!(lost.len(), 1, "{report:#}");
    assert!(
        lost[0]["message"]
            .as_str()
            .unwrap()
            .contains("down re-creates `users.phone` but its 250 values are gone"),
        "{:#}",
        lost[0]
    );
    let data = &migration(&report, "000002_change")["verify"]["data"];
    assert_eq!(data["filled"][0], "users", "{data:#}");
    let failed = findings(&report, "migration-failed");
    assert_eq!(failed.len(), 1, "{report:#}");
    assert_eq!(
        failed[0]["path"],
        "migrations/000003_drop_nickname.down.sql"
    );
    assert!(failed[0]["message"].as_str().unwrap().contains("23502"));

    // Without data the same down passes: it is the data that proves it wrong.
    let (_, report) = verify_json(dir.path(), &[]);
    assert!(
        findings(&report, "migration-failed").is_empty(),
        "{report:#}"
    );
    assert!(migration(&report, "000002_change")["verify"]["data"].is_null());
}

#[test]
fn locks_on_existing_tables_and_rewrites_are_traced() {
    let dir = tempfile::tempdir().unwrap();
    golang(
        dir.path(),
        "ALTER TABLE users ALTER COLUMN id TYPE numeric(30);\n",
        "ALTER TABLE users ALTER COLUMN id TYPE bigint;\n",
    );
    write(
        dir.path(),
        "migrations/000003_guarded.up.sql",
        "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN city text;\n",
    );
    write(
        dir.path(),
        "migrations/000003_guarded.down.sql",
        "ALTER TABLE users DROP COLUMN city;\n",
    );
    let (_, report) = verify_json(dir.path(), &[]);
    let unguarded = findings(&report, "blocking-lock-without-timeout");
    assert_eq!(unguarded.len(), 1, "{report:#}");
    assert_eq!(unguarded[0]["migration"], "000002_change");
    assert!(unguarded[0]["message"]
        .as_str()
        .unwrap()
        .contains("ACCESS EXCLUSIVE on `users` (blocks reads and writes, line 1)"));
    let rewrite = findings(&report, "table-rewrite");
    assert_eq!(rewrite.len(), 1, "{report:#}");
    assert!(rewrite[0]["message"].as_str().unwrap().contains("`users`"));
    // The guarded migration's lock is an info, at its statement.
    let guarded = findings(&report, "blocking-lock");
    assert_eq!(guarded.len(), 1, "{report:#}");
    assert_eq!(guarded[0]["line"], 2);
    assert_eq!(guarded[0]["severity"], "info");
    let locks = &migration(&report, "000003_guarded")["verify"]["locks"];
    assert_eq!(locks[0]["lock_timeout_set"], true, "{locks:#}");
    // SET lock_timeout in one migration does not carry over to the next one's verdict.
    assert_eq!(
        migration(&report, "000002_change")["verify"]["locks"][0]["lock_timeout_set"],
        false
    );
}

#[test]
fn the_mikro_orm_example_runs_as_mikro_orm_would() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/monorepo");
    let (code, report) = verify_json(&example, &[]);
    assert_eq!(code, 1);
    // allOrNothing keeps CONCURRENTLY inside MikroORM's transaction: production fails here,
    // and the error points into the TypeScript file, at the SQL inside `addSql`.
    let f = findings(&report, "migration-failed");
    assert_eq!(f.len(), 1, "{report:#}");
    assert_eq!(
        f[0]["path"],
        "apps/api/src/migrations/Migration20240505091500.ts"
    );
    assert_eq!(f[0]["line"], 11);
    assert_eq!(f[0]["column"], 18);
    assert!(f[0]["message"].as_str().unwrap().contains("25001"));
    // Everything before it round-trips.
    for id in [
        "Migration20240110093012",
        "Migration20240301_add_licences",
        "AddMemberPhone",
    ] {
        let v = &migration(&report, id)["verify"];
        assert_eq!(v["up"]["ok"], true, "{id}: {v:#}");
        assert_eq!(v["reup"]["ok"], true, "{id}: {v:#}");
    }
    assert!(report["notices"].as_array().unwrap().iter().any(|n| n
        .as_str()
        .unwrap()
        .starts_with("not verified, because an earlier migration failed")));
}

fn databases(rt: &tokio::runtime::Runtime, url: &str) -> Vec<String> {
    rt.block_on(async {
        let mut conn = tollgate_verify::connect(url).await.unwrap();
        sqlx::query_scalar::<_, String>("SELECT datname::text FROM pg_database ORDER BY 1")
            .fetch_all(&mut conn)
            .await
            .unwrap()
    })
}

#[test]
fn every_layout_verifies_on_a_given_server_which_is_left_as_it_was() {
    let (rt, server) = server();
    let url = server.admin_url().to_string();
    let before = databases(&rt, &url);
    let layouts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/layouts");
    let mut seen = Vec::new();
    for entry in std::fs::read_dir(&layouts).unwrap() {
        let dir = entry.unwrap().path();
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_tollgate"))
            .args(["verify", ".", "--format", "json"])
            .current_dir(&dir)
            .env("DATABASE_URL", &url)
            .output()
            .unwrap();
        assert_ne!(out.status.code(), Some(2), "{name}: {}", stderr(&out));
        let report = json(&out);
        let migrations = report["migrations"].as_array().unwrap();
        assert!(!migrations.is_empty(), "{name}");
        // Every migration ran, and the first one applied.
        assert_eq!(
            migrations[0]["verify"]["up"]["ok"], true,
            "{name}: {report:#}"
        );
        let failed: Vec<&Value> = findings(&report, "migration-failed");
        if name == "liquibase" {
            // The fixture's `orders-3` inserts an order for a user that no changeset creates.
            assert_eq!(failed.len(), 1, "{name}: {report:#}");
            assert!(failed[0]["message"].as_str().unwrap().contains("23503"));
        } else {
            assert!(failed.is_empty(), "{name}: {failed:#?}");
            assert!(
                migrations.iter().all(|m| m["verify"]["up"]["ok"] == true),
                "{name}: {report:#}"
            );
        }
        assert!(
            findings(&report, "down-does-not-restore").is_empty(),
            "{name}"
        );
        seen.push(name);
    }
    seen.sort();
    assert_eq!(
        seen,
        [
            "dbmate",
            "diesel",
            "flyway",
            "golang-migrate",
            "liquibase",
            "ory",
            "plain",
            "prisma",
            "sqlx"
        ]
    );
    // Each run worked in its own scratch database and dropped it.
    assert_eq!(databases(&rt, &url), before);
    rt.block_on(server.shutdown());
}

#[test]
fn with_base_only_the_new_migrations_are_verified_on_top_of_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    golang(
        d,
        "ALTER TABLE users ADD COLUMN city text;\n",
        "ALTER TABLE users DROP COLUMN city;\n",
    );
    git(d, &["add", "."]);
    git(d, &["commit", "-qm", "base"]);
    git(d, &["checkout", "-qb", "feature"]);
    write(
        d,
        "migrations/000003_index.up.sql",
        "CREATE INDEX users_city_idx ON users (city);\n",
    );
    write(
        d,
        "migrations/000003_index.down.sql",
        "DROP INDEX users_city_idx;\n",
    );
    git(d, &["add", "."]);
    git(d, &["commit", "-qm", "feature"]);
    let (code, report) = verify_json(d, &["--base", "main"]);
    assert_eq!(code, 0, "{report:#}");
    let ids: Vec<&str> = report["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["000003_index"]);
    assert_eq!(
        migration(&report, "000003_index")["verify"]["reup"]["ok"],
        true
    );

    // One file given: the migrations before it build the schema it runs on.
    let (code, report) = verify_json(d, &["migrations/000003_index.up.sql"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        report["migrations"].as_array().unwrap().len(),
        1,
        "{report:#}"
    );
}

#[test]
fn servers_that_cannot_be_used_are_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    golang(dir.path(), "SELECT 1;\n", "SELECT 1;\n");
    for (args, expect) in [
        (
            vec!["verify", "--database-url", "mysql://localhost/db"],
            "postgres",
        ),
        (
            vec!["verify", "--pg-bin", "/nonexistent/bin"],
            "/nonexistent/bin",
        ),
        (vec!["verify", "--lock-timeout", "soon"], "duration"),
    ] {
        let out = tollgate(dir.path(), &args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(expect), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        if args[1] != "--lock-timeout" {
            assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        }
    }
}

#[test]
fn a_repository_without_migrations_has_nothing_to_verify() {
    let dir = tempfile::tempdir().unwrap();
    let (code, report) = verify_json(dir.path(), &[]);
    assert_eq!(code, 0);
    assert!(report["notices"][0]
        .as_str()
        .unwrap()
        .contains("nothing to verify"));
}

#[test]
fn ctrl_c_stops_and_removes_the_throwaway_cluster() {
    let dir = tempfile::tempdir().unwrap();
    golang(dir.path(), "SELECT pg_sleep(60);\n", "SELECT 1;\n");
    // The cluster lives under TMPDIR: give the run one of its own to watch. PostgreSQL runs as
    // another user when the tests run as root, so it must be able to enter it.
    let tmp = tempfile::tempdir().unwrap();
    std::process::Command::new("chmod")
        .args(["755", tmp.path().to_str().unwrap()])
        .status()
        .unwrap();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .args(["verify", "--format", "json"])
        .current_dir(dir.path())
        .env("TMPDIR", tmp.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the cluster to be up and the sleeping migration to be running.
    let started = std::time::Instant::now();
    let running = || {
        std::process::Command::new("pgrep")
            .args(["-f", "pg_sleep|tollgate_.* SELECT"])
            .output()
            .map(|o| !o.stdout.is_empty())
            .unwrap_or(false)
    };
    while !running() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "the cluster never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    std::thread::sleep(std::time::Duration::from_millis(1500));
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}{}", stdout(&out));
    assert!(err.contains("interrupted"), "{err}");
    // Nothing is left: no server process, no files.
    let left = std::process::Command::new("pgrep")
        .args(["-f", &tmp.path().display().to_string()])
        .output()
        .unwrap();
    assert!(
        left.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&left.stdout)
    );
    let files: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert!(files.is_empty(), "{files:?}");
}
