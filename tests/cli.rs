//! End-to-end tests of the `tollgate` binary: exit codes, bad input, config, output formats.

mod common;

use std::process::Output;

use common::{json, stderr, stdout, tollgate, write};

/// An error is one line on stderr, names the file, and never shows a panic or backtrace.
fn assert_clean_error(o: &Output, must_contain: &[&str]) {
    assert_eq!(o.status.code(), Some(2), "stderr: {}", stderr(o));
    let err = stderr(o);
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "error must be one line: {err}"
    );
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
    for m in must_contain {
        assert!(err.contains(m), "`{m}` missing from: {err}");
    }
}

#[test]
fn additive_migration_passes_with_exit_0() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "migrations/001_init.up.sql",
        "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n",
    );
    write(
        d.path(),
        "migrations/001_init.down.sql",
        "DROP TABLE users;\n",
    );
    let o = tollgate(d.path(), &["check"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("result: pass"));
}

#[test]
fn destructive_migration_fails_with_exit_1() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "migrations/001_init.sql",
        "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
    );
    write(
        d.path(),
        "migrations/002_drop.sql",
        "ALTER TABLE users DROP COLUMN email;\n",
    );
    let o = tollgate(d.path(), &["check"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("drop-column"), "{out}");
    assert!(out.contains("docs/rules/drop-column.md"), "{out}");
    assert!(out.contains("help:"), "{out}");
}

#[test]
fn json_report_has_the_documented_shape() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "db/migrations/001_users.up.sql",
        "CREATE TABLE users (id int PRIMARY KEY, nick text);\n",
    );
    write(
        d.path(),
        "db/migrations/001_users.down.sql",
        "DROP TABLE users;\n",
    );
    write(
        d.path(),
        "db/migrations/002_rename.up.sql",
        "-- rename\nALTER TABLE users RENAME COLUMN nick TO nickname;\n",
    );
    let o = tollgate(d.path(), &["check", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(v["version"], 1);
    assert_eq!(v["tool"]["name"], "tollgate");
    let m = &v["migrations"];
    assert_eq!(m[0]["id"], "001_users");
    assert_eq!(m[0]["up"]["path"], "db/migrations/001_users.up.sql");
    assert_eq!(m[0]["down"]["path"], "db/migrations/001_users.down.sql");
    assert_eq!(m[0]["class"], "additive");
    assert_eq!(m[1]["down"], serde_json::Value::Null);
    assert_eq!(m[1]["class"], "destructive");
    let s = &m[1]["statements"][0];
    for key in [
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "kind",
        "class",
        "parsed",
    ] {
        assert!(!s[key].is_null(), "statement lacks {key}: {s}");
    }
    assert_eq!(s["line"], 2);
    assert_eq!(s["column"], 1);
    assert_eq!(s["kind"], "alter_table");
    assert_eq!(s["parsed"], true);
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "rename-column")
        .unwrap();
    for key in [
        "rule",
        "severity",
        "class",
        "message",
        "help",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "migration",
        "doc_url",
    ] {
        assert!(!f[key].is_null(), "finding lacks {key}: {f}");
    }
    assert_eq!(f["severity"], "error");
    assert_eq!(f["migration"], "002_rename");
    assert_eq!(
        (f["line"].as_u64(), f["end_line"].as_u64()),
        (Some(2), Some(2))
    );
    assert_eq!(f["end_column"], 50);
    let sum = &v["summary"];
    assert_eq!(sum["migrations"], 2);
    assert_eq!(sum["destructive_migrations"], 1);
    assert!(sum["errors"].as_u64().unwrap() >= 1);
    for key in [
        "errors",
        "warnings",
        "infos",
        "migrations",
        "destructive_migrations",
    ] {
        assert!(sum[key].is_u64(), "summary lacks {key}");
    }
}

#[test]
fn non_utf8_file_is_a_clean_error() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "migrations/001.sql",
        b"CREATE TABLE caf\xe9 (id int);\n",
    );
    let o = tollgate(d.path(), &["check"]);
    assert_clean_error(&o, &["migrations/001.sql", "not valid UTF-8", "offset 16"]);
}

#[test]
fn binary_file_is_a_clean_error() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "migrations/001.sql",
        b"PGDMP\x00\x01\x0e\x00binary",
    );
    let o = tollgate(d.path(), &["check"]);
    assert_clean_error(&o, &["migrations/001.sql", "binary file", "paths.exclude"]);
}

#[test]
fn empty_file_is_an_empty_migration() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "migrations/001_empty.sql", "");
    write(
        d.path(),
        "migrations/002_comments.sql",
        "-- nothing yet\n/* still nothing */\n",
    );
    let o = tollgate(d.path(), &["check", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let v = json(&o);
    assert_eq!(v["migrations"][0]["class"], "empty");
    assert_eq!(v["migrations"][1]["class"], "empty");
    assert_eq!(v["findings"].as_array().unwrap().len(), 0);
}

#[test]
fn fifty_megabyte_file_is_analysed() {
    let d = tempfile::tempdir().unwrap();
    let mut sql = String::with_capacity(52 * 1024 * 1024);
    sql.push_str("CREATE TABLE audit (id bigint PRIMARY KEY, payload text);\n");
    let row = format!(
        "INSERT INTO audit (id, payload) VALUES ({{}}, '{}');\n",
        "x".repeat(200)
    );
    let mut i = 0u64;
    while sql.len() < 50 * 1024 * 1024 {
        sql.push_str(&row.replace("{}", &i.to_string()));
        i += 1;
    }
    sql.push_str("DROP TABLE users;\n");
    write(d.path(), "migrations/001_seed.sql", &sql);
    write(d.path(), "tollgate.toml", "require_down = \"never\"\n");
    let o = tollgate(d.path(), &["check", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v = json(&o);
    let stmts = v["migrations"][0]["statements"].as_array().unwrap().len() as u64;
    assert_eq!(stmts, i + 2);
    let last = v["findings"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["rule"], "drop-table");
    assert_eq!(last["line"].as_u64().unwrap(), i + 2);
}

#[test]
fn unterminated_quote_is_reported_not_skipped() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "migrations/001.sql",
        "ALTER TABLE users DROP COLUMN email;\nINSERT INTO t VALUES ('oops);\n",
    );
    let o = tollgate(d.path(), &["check", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"drop-column"), "{rules:?}");
    let st = &v["migrations"][0]["statements"][1];
    assert_eq!(st["parsed"], false);
    assert_eq!(st["line"], 2);
}

#[test]
fn unterminated_dollar_quote_is_reported_not_skipped() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "migrations/001.sql",
        "DROP TABLE users;\nDO $$ BEGIN\n  DROP TABLE members;\n",
    );
    let o = tollgate(d.path(), &["check", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(
        v["migrations"][0]["statements"].as_array().unwrap().len(),
        2
    );
    assert_eq!(v["migrations"][0]["statements"][1]["parsed"], false);
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule"] == "unparsed-statement" && f["line"] == 2));
}

#[test]
fn unterminated_comment_is_reported_not_skipped() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "migrations/001.sql",
        "TRUNCATE sessions;\n/* forgot to close\nDROP TABLE users;\n",
    );
    let o = tollgate(d.path(), &["check", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule"] == "truncate-table"));
}

#[test]
fn directory_without_sql_passes_with_a_notice() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "src/main.ts", "console.log('hi')\n");
    let o = tollgate(d.path(), &["check"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).contains("no migrations yet: nothing to check"),
        "{}",
        stdout(&o)
    );
    let o = tollgate(d.path(), &["check", "src"]);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn require_migrations_turns_the_notice_into_a_failure() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "tollgate.toml", "require_migrations = true\n");
    let o = tollgate(d.path(), &["check"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn missing_path_is_a_clean_error() {
    let d = tempfile::tempdir().unwrap();
    let o = tollgate(d.path(), &["check", "nope/migrations"]);
    assert_clean_error(&o, &["nope/migrations", "no such file"]);
}

#[test]
fn broken_config_names_file_line_and_key() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "tollgate.toml",
        "fail_on = \"error\"\n\n[rules]\ndrop-tabel = \"off\"\n",
    );
    write(d.path(), "migrations/001.sql", "SELECT 1;\n");
    let o = tollgate(d.path(), &["check"]);
    assert_clean_error(&o, &["tollgate.toml:4", "drop-tabel", "drop-table"]);

    write(d.path(), "tollgate.toml", "fail_onn = \"error\"\n");
    let o = tollgate(d.path(), &["check"]);
    assert_clean_error(&o, &["tollgate.toml:1", "fail_onn"]);

    write(d.path(), "tollgate.toml", "[rules\n");
    let o = tollgate(d.path(), &["check"]);
    assert_clean_error(&o, &["tollgate.toml:1"]);
}

#[test]
fn config_is_found_by_walking_up_and_flags_merge_with_it() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "tollgate.toml",
        "require_down = \"never\"\n[rules]\ndrop-column = \"warning\"\n",
    );
    write(
        d.path(),
        "app/migrations/001.sql",
        "CREATE TABLE t (a int, b int);\n",
    );
    write(
        d.path(),
        "app/migrations/002.sql",
        "ALTER TABLE t DROP COLUMN b;\nUPDATE t SET a = 1;\n",
    );
    let sub = d.path().join("app");
    // The file turned drop-column into a warning: warnings don't fail by default.
    let o = tollgate(&sub, &["check", "migrations"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // A flag changes only what it names; the file's setting stays.
    let o = tollgate(
        &sub,
        &[
            "check",
            "migrations",
            "--fail-on",
            "warning",
            "--format",
            "json",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    let sev: Vec<(String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        sev.contains(&("drop-column".into(), "warning".into())),
        "{sev:?}"
    );
    let o = tollgate(
        &sub,
        &[
            "check",
            "migrations",
            "--rule",
            "update-rows=off",
            "--format",
            "json",
        ],
    );
    let v = json(&o);
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["rule"] != "update-rows"));
    let o = tollgate(&sub, &["check", "migrations", "--rule", "nope=off"]);
    assert_clean_error(&o, &["nope"]);
}

#[test]
fn suppression_applies_to_the_next_statement_only() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "migrations/001.sql",
        "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n",
    );
    write(
        d.path(),
        "migrations/002.sql",
        "-- tollgate:allow drop-table -- a was replaced by b in v3\nDROP TABLE a;\nDROP TABLE b;\n",
    );
    let o = tollgate(d.path(), &["check", "--format", "json"]);
    let v = json(&o);
    let drops: Vec<u64> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "drop-table")
        .map(|f| f["line"].as_u64().unwrap())
        .collect();
    assert_eq!(drops, vec![3], "only the second DROP is reported");
    assert_eq!(v["summary"]["suppressed"], 1);
    // The class stays honest: a suppressed drop is still destructive.
    assert_eq!(v["migrations"][1]["class"], "destructive");
}

#[test]
fn file_wide_suppression_covers_the_file_only() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "migrations/001.sql",
        "CREATE TABLE a (id int, x int);\n",
    );
    write(d.path(), "migrations/002.sql", "-- tollgate:allow-file update-rows -- seed corrections\nUPDATE a SET x = 1;\nUPDATE a SET x = 2;\n");
    write(d.path(), "migrations/003.sql", "UPDATE a SET x = 3;\n");
    let v = json(&tollgate(d.path(), &["check", "--format", "json"]));
    let lines: Vec<(String, u64)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "update-rows")
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(lines, vec![("migrations/003.sql".to_string(), 1)]);
}

#[test]
fn human_output_is_a_stable_snapshot() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "migrations/001_init.up.sql",
        "CREATE TABLE users (id int PRIMARY KEY, email varchar(100));\n",
    );
    write(
        d.path(),
        "migrations/001_init.down.sql",
        "DROP TABLE users;\n",
    );
    write(
        d.path(),
        "migrations/002_changes.up.sql",
        "SET lock_timeout = '5s';\nALTER TABLE users ALTER COLUMN email TYPE varchar(20);\nCREATE INDEX idx_users_email ON users (email);\n",
    );
    write(
        d.path(),
        "migrations/002_changes.down.sql",
        "DROP INDEX idx_users_email;\nALTER TABLE users ALTER COLUMN email TYPE varchar(100);\n",
    );
    let o = tollgate(d.path(), &["check", "--color", "never"]);
    assert_eq!(o.status.code(), Some(1));
    insta::assert_snapshot!(stdout(&o));
}

#[test]
fn rules_subcommand_lists_every_rule_with_its_level() {
    let d = tempfile::tempdir().unwrap();
    let o = tollgate(d.path(), &["rules"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out
        .lines()
        .any(|l| l.starts_with("drop-table") && l.contains("destructive") && l.contains("error")));
    assert!(out
        .lines()
        .any(|l| l.starts_with("prefer-jsonb") && l.contains("off")));
}

#[test]
fn usage_errors_exit_2() {
    let d = tempfile::tempdir().unwrap();
    let o = tollgate(d.path(), &["check", "--format", "yaml"]);
    assert_eq!(o.status.code(), Some(2));
    let o = tollgate(d.path(), &["frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn mikro_orm_snapshot_is_read_as_a_hint_only() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "src/migrations/Migration20240101000000.ts",
        "import { Migration } from '@mikro-orm/migrations';\n\nexport class Migration20240101000000 extends Migration {\n\n  override async up(): Promise<void> {\n    this.addSql(`alter table \"member\" alter column \"nickname\" type varchar(20);`);\n  }\n\n  override async down(): Promise<void> {\n    this.addSql(`alter table \"member\" alter column \"nickname\" type varchar(255);`);\n  }\n\n}\n",
    );
    write(
        d.path(),
        "src/migrations/.snapshot-app.json",
        r#"{"namespaces":["public"],"tables":[{"name":"member","schema":"public","columns":{"nickname":{"name":"nickname","type":"varchar(255)","nullable":true}}}]}"#,
    );
    let o = tollgate(d.path(), &["check", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "unsafe-type-change")
        .expect("finding");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("snapshot says it is `varchar(255)`"),
        "{f}"
    );
    assert_eq!(f["path"], "src/migrations/Migration20240101000000.ts");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(6), Some(18))
    );
}

#[test]
fn truncated_ts_migration_fails_closed() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "src/migrations/Migration20240101000000.ts",
        "import { Migration } from '@mikro-orm/migrations';\nexport class Migration20240101000000 extends Migration {\n  async up() { this.addSql(`drop table a;`\n",
    );
    let o = tollgate(d.path(), &["check", "--format", "json"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "a migration that does not parse must not pass"
    );
    let v = json(&o);
    assert_eq!(v["migrations"][0]["id"], "Migration20240101000000");
    assert_eq!(v["migrations"][0]["class"], "unknown");
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, vec!["unanalysable-sql"]);
    assert!(v["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("does not parse"));
}

#[test]
fn binary_migration_script_is_a_clean_error() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "src/migrations/Migration1.ts",
        b"export class M extends Migration {\x00\x01",
    );
    let o = tollgate(d.path(), &["check"]);
    assert_clean_error(&o, &["Migration1.ts", "binary file"]);
}

#[test]
fn broken_deploy_files_are_skipped_with_a_notice() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "app/Dockerfile", b"\xff\xfe");
    write(d.path(), "app/package.json", "{\"scripts\": {\"start\": ");
    let o = tollgate(d.path(), &["check", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json(&o);
    let notices = v["notices"].to_string();
    assert!(
        notices.contains("Dockerfile") && notices.contains("not valid UTF-8"),
        "{notices}"
    );
}
