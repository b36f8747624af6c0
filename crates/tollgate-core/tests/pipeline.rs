//! The whole core pipeline on statement forms that matter: the ones sqlparser 0.64 rejects,
//! DO blocks, dynamic SQL, transactions, and arbitrary input that must never panic.

use proptest::prelude::*;
use tollgate_core::model::{Class, TransactionMode};
use tollgate_core::report::Report;
use tollgate_core::source::{MigrationInput, Project};
use tollgate_core::Policy;

const HISTORY: &str = "\
CREATE TABLE users (id integer PRIMARY KEY, email varchar(255) NOT NULL, legacy text, score int);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id integer);
CREATE INDEX idx_a ON users (email);
CREATE INDEX idx_orders_user ON orders (user_id);
";

fn run(sql: &str, transaction: TransactionMode) -> Report {
    let mut p = Project::default();
    for (i, text) in [HISTORY, sql].into_iter().enumerate() {
        let f = p.add_file(format!("m/{i}.sql"), text);
        let mut m = MigrationInput::from_file(i.to_string(), f, transaction);
        m.checked = i == 1;
        p.migrations.push(m);
    }
    tollgate_core::check(&p, &Policy::default_policy())
}

fn rules(r: &Report) -> Vec<String> {
    r.findings.iter().map(|f| f.rule.clone()).collect()
}

/// (statement, expected statement class, a rule that must fire or "" for none)
const REJECTED_FORMS: &[(&str, Class, &str)] = &[
    ("DO $$ BEGIN ALTER TABLE users DROP COLUMN legacy; END $$;", Class::Destructive, "drop-column"),
    ("REINDEX INDEX CONCURRENTLY idx_a;", Class::Additive, ""),
    ("REINDEX TABLE users;", Class::Risky, "reindex-without-concurrently"),
    ("CREATE STATISTICS s1 (dependencies) ON email, legacy FROM users;", Class::Additive, ""),
    ("DROP INDEX CONCURRENTLY IF EXISTS idx_a;", Class::Additive, ""),
    ("ALTER INDEX IF EXISTS idx_a RENAME TO idx_b;", Class::Additive, ""),
    ("COMMENT ON CONSTRAINT users_pkey ON users IS 'primary key';", Class::Additive, ""),
    ("ALTER TABLE users ADD CONSTRAINT users_legacy_nn NOT NULL legacy;", Class::Risky, "set-not-null"),
    ("ALTER TABLE users ALTER COLUMN email SET STATISTICS 500;", Class::Additive, ""),
    ("CREATE FUNCTION f() RETURNS int LANGUAGE sql COST 100 AS $$ select 1 $$;", Class::Additive, ""),
    (
        "ALTER TABLE users ADD COLUMN a int, DROP COLUMN legacy, ALTER COLUMN score TYPE bigint USING score::bigint, ADD CONSTRAINT x NOT NULL score;",
        Class::Destructive,
        // A column added and another dropped in one statement reads as a rename that loses data.
        "rename-as-drop-add",
    ),
];

#[test]
fn statements_sqlparser_rejects_are_classified_by_the_fallback() {
    for (sql, class, rule) in REJECTED_FORMS {
        let r = run(sql, TransactionMode::Unknown);
        let st = &r.migrations[0].statements[0];
        assert!(
            !st.parsed,
            "{sql}: expected the fallback, but sqlparser parsed it"
        );
        assert_eq!(st.class, *class, "{sql}: {:?}", rules(&r));
        let found = rules(&r);
        assert!(
            found.iter().any(|f| f == "unparsed-statement"),
            "{sql}: {found:?}"
        );
        assert!(
            !found.iter().any(|f| f == "unknown-statement"),
            "{sql}: {found:?}"
        );
        if !rule.is_empty() {
            assert!(
                found.iter().any(|f| f == rule),
                "{sql}: {rule} missing from {found:?}"
            );
        }
    }
}

#[test]
fn multi_action_alter_reports_every_action() {
    let r = run(REJECTED_FORMS[10].0, TransactionMode::Unknown);
    let found = rules(&r);
    for rule in ["rename-as-drop-add", "type-change-rewrite", "set-not-null"] {
        assert!(
            found.iter().any(|f| f == rule),
            "{rule} missing from {found:?}"
        );
    }
}

#[test]
fn one_unparseable_statement_never_hides_the_others() {
    let r = run("REINDEX TABLE users;\nDROP TABLE orders;\nFROBNICATE;\nALTER TABLE users DROP COLUMN legacy;", TransactionMode::Unknown);
    let found = rules(&r);
    assert!(found.contains(&"drop-table".to_string()));
    assert!(found.contains(&"drop-column".to_string()));
    assert!(found.contains(&"unknown-statement".to_string()));
    assert_eq!(r.migrations[0].statements.len(), 4);
}

#[test]
fn do_block_findings_point_at_the_inner_statement() {
    let sql = "DO $$\nBEGIN\n  IF EXISTS (SELECT 1 FROM pg_tables WHERE tablename = 'orders') THEN\n    DROP TABLE orders;\n  END IF;\nEND $$;";
    let r = run(sql, TransactionMode::Unknown);
    let f = r
        .findings
        .iter()
        .find(|f| f.rule == "drop-table")
        .expect("drop-table inside DO");
    assert_eq!((f.line, f.column), (4, 5));
    assert!(f.message.contains("inside a DO block"));
    assert_eq!(r.migrations[0].class.as_str(), "destructive");
}

#[test]
fn do_block_with_conditional_additive_ddl_stays_additive() {
    let sql = "DO $$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'users_email_check') THEN\n    ALTER TABLE users ADD CONSTRAINT users_email_check CHECK (email LIKE '%@%') NOT VALID;\n  END IF;\nEND $$;";
    let r = run(sql, TransactionMode::Unknown);
    assert_eq!(
        r.migrations[0].class.as_str(),
        "additive",
        "{:?}",
        rules(&r)
    );
}

#[test]
fn execute_of_a_literal_is_analysed_and_dynamic_sql_is_unknown() {
    let r = run(
        "DO $$ BEGIN EXECUTE 'DROP TABLE orders'; END $$;",
        TransactionMode::Unknown,
    );
    assert!(
        rules(&r).contains(&"drop-table".to_string()),
        "{:?}",
        rules(&r)
    );

    let r = run(
        "DO $$ DECLARE t text; BEGIN FOR t IN SELECT tablename FROM pg_tables LOOP EXECUTE format('TRUNCATE %I', t); END LOOP; END $$;",
        TransactionMode::Unknown,
    );
    let found = rules(&r);
    assert!(
        found.contains(&"unknown-statement".to_string()),
        "{found:?}"
    );
    assert!(found.contains(&"truncate-table".to_string()), "{found:?}");
    assert_eq!(r.migrations[0].class.as_str(), "destructive");
}

#[test]
fn concurrently_inside_do_or_a_transaction_fails() {
    let r = run(
        "DO $$ BEGIN CREATE INDEX CONCURRENTLY i ON users (legacy); END $$;",
        TransactionMode::Unknown,
    );
    assert!(rules(&r).contains(&"concurrently-in-transaction".to_string()));
    let r = run(
        "CREATE INDEX CONCURRENTLY i ON users (legacy);",
        TransactionMode::Transactional,
    );
    assert!(rules(&r).contains(&"concurrently-in-transaction".to_string()));
    let r = run(
        "BEGIN;\nDROP INDEX CONCURRENTLY idx_a;\nCOMMIT;",
        TransactionMode::Unknown,
    );
    assert!(rules(&r).contains(&"concurrently-in-transaction".to_string()));
    let r = run(
        "CREATE INDEX CONCURRENTLY i ON users (legacy);",
        TransactionMode::NonTransactional,
    );
    assert!(!rules(&r).contains(&"concurrently-in-transaction".to_string()));
}

#[test]
fn views_rebuilt_in_every_migration_stay_quiet() {
    let mut p = Project::default();
    let base = p.add_file("m/0.sql", HISTORY);
    p.migrations.push(MigrationInput::from_file(
        "0",
        base,
        TransactionMode::Unknown,
    ));
    for i in 1..=5 {
        let sql = format!(
            "DROP VIEW IF EXISTS user_stats;\nDROP FUNCTION IF EXISTS stats_v();\nCREATE FUNCTION stats_v() RETURNS int LANGUAGE sql AS $$ SELECT {i} $$;\nCREATE VIEW user_stats AS SELECT id, {i} AS v FROM users;\n"
        );
        let f = p.add_file(format!("m/{i}.sql"), sql);
        p.migrations.push(MigrationInput::from_file(
            i.to_string(),
            f,
            TransactionMode::Unknown,
        ));
    }
    let mut policy = Policy::default_policy();
    policy.require_down = tollgate_core::policy::RequireDown::Never;
    let r = tollgate_core::check(&p, &policy);
    assert!(r.findings.is_empty(), "{:?}", rules(&r));
    assert!(r.migrations.iter().all(|m| m.class.as_str() == "additive"));
}

#[test]
fn migration_class_is_the_worst_up_statement() {
    let r = run(
        "CREATE TABLE t (a int);\nCREATE INDEX ON users (legacy);\nDROP TABLE orders;",
        TransactionMode::Unknown,
    );
    assert_eq!(r.migrations[0].class.as_str(), "destructive");
    let r = run(
        "CREATE TABLE t (a int);\nCREATE INDEX ON users (legacy);",
        TransactionMode::Unknown,
    );
    assert_eq!(r.migrations[0].class.as_str(), "risky");
    let r = run("FROBNICATE users;", TransactionMode::Unknown);
    assert_eq!(r.migrations[0].class.as_str(), "unknown");
    assert!(
        r.migrations[0].needs_review,
        "fail closed: unknown needs review"
    );
}

fn sqlish() -> impl Strategy<Value = String> {
    let atoms = prop::sample::select(vec![
        "ALTER TABLE users ",
        "DROP ",
        "COLUMN ",
        "legacy",
        ";",
        "\n",
        "DO $$ BEGIN ",
        " END $$",
        "$$",
        "$x$",
        "'",
        "\"",
        "E'\\'",
        "/*",
        "*/",
        "--",
        "(",
        ")",
        ",",
        "CREATE INDEX CONCURRENTLY ",
        "ON ",
        "users ",
        "EXECUTE ",
        "format('%I', t)",
        "BEGIN;",
        "COMMIT;",
        "-- tollgate:allow drop-table -- r\n",
        "TYPE ",
        "varchar(2) ",
        "USING ",
        "::int",
        "SET lock_timeout = '1s'",
        "\\connect x\n",
        "é",
        "😀",
        "IF ",
        "THEN ",
        "END IF",
        "LOOP ",
        "CREATE FUNCTION f() RETURNS int AS ",
        "SELECT f()",
        "TRUNCATE ",
    ]);
    prop::collection::vec(atoms, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn check_never_panics_and_positions_are_in_bounds(sql in sqlish()) {
        let r = run(&sql, TransactionMode::Unknown);
        for f in &r.findings {
            prop_assert!(f.line >= 1 && f.column >= 1);
            prop_assert!(f.start <= f.end);
            if f.path == "m/1.sql" {
                prop_assert!(f.end <= sql.len());
            }
        }
        for s in &r.migrations[0].statements {
            prop_assert!(s.start < s.end && s.end <= sql.len());
        }
    }

    #[test]
    fn check_never_panics_on_arbitrary_text(sql in "\\PC{0,200}") {
        let _ = run(&sql, TransactionMode::Unknown);
    }
}

/// DDL the schema model cannot follow for sure (inside a DO block, or read only by the token
/// fallback) marks its table uncertain, and later verdicts on that table say so.
#[test]
fn verdicts_on_tables_the_model_lost_track_of_say_so() {
    for unsure in [
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1) THEN ALTER TABLE users ALTER COLUMN email TYPE text; END IF; END $$;",
        "ALTER TABLE users ALTER COLUMN email SET COMPRESSION lz4, ALTER COLUMN email TYPE text;",
    ] {
        let sql = format!(
            "{unsure}\nALTER TABLE users ALTER COLUMN email TYPE varchar(20);\nALTER TABLE users ADD COLUMN tenant int NOT NULL;"
        );
        let r = run(&sql, TransactionMode::Unknown);
        let later: Vec<&str> = r
            .findings
            .iter()
            .filter(|f| f.line > 1 && matches!(f.rule.as_str(), "unsafe-type-change" | "fails-on-populated-table"))
            .map(|f| f.message.as_str())
            .collect();
        assert_eq!(later.len(), 2, "{unsure}: {:#?}", r.findings);
        for m in later {
            assert!(
                m.contains("could not be fully followed"),
                "{unsure}: {m}"
            );
        }
    }
    // Without the unsure statement, the verdicts are plain.
    let r = run(
        "ALTER TABLE users ALTER COLUMN email TYPE varchar(20);",
        TransactionMode::Unknown,
    );
    assert!(r
        .findings
        .iter()
        .all(|f| !f.message.contains("could not be fully followed")));
}
