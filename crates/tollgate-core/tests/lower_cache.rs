//! The statement cache editors use (`check_cached`): a report made with statements lowered in
//! earlier calls, at other places in other files, must equal the report made from scratch.

use proptest::prelude::*;
use tollgate_core::engine::{check_cached, LowerCache};
use tollgate_core::model::TransactionMode;
use tollgate_core::source::{MigrationInput, Project};
use tollgate_core::{check, Policy};

const HISTORY: &str = "\
CREATE TABLE users (id integer PRIMARY KEY, email varchar(255) NOT NULL, legacy text, score int);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id integer);
CREATE INDEX idx_a ON users (email);
";

/// Whole statements of every shape the engine reads differently: parsed by sqlparser, read by
/// the fallback, with `DO` and function bodies (nested spans), dynamic SQL, suppressions,
/// transactions, multi-byte text and an unterminated quote.
const STATEMENTS: &[&str] = &[
    "ALTER TABLE users DROP COLUMN legacy;",
    "ALTER TABLE users ADD COLUMN note text;",
    "CREATE INDEX CONCURRENTLY idx_b ON users (score);",
    "CREATE INDEX idx_c ON orders (user_id);",
    "UPDATE users SET score = 0 WHERE id < 100;",
    "DO $$ BEGIN ALTER TABLE users DROP COLUMN legacy; END $$;",
    "DO $$ BEGIN IF true THEN EXECUTE 'ALTER TABLE orders DROP COLUMN user_id'; END IF; END $$;",
    "DO $d$ BEGIN EXECUTE format('DROP TABLE %I', 'orders'); END $d$;",
    "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN DELETE FROM users; TRUNCATE orders; END $$;",
    "CREATE OR REPLACE FUNCTION g() RETURNS int LANGUAGE sql AS 'SELECT 1';",
    "REINDEX TABLE users;",
    "ALTER TABLE users ALTER COLUMN email TYPE varchar(10);",
    "ALTER TABLE users ALTER COLUMN score SET NOT NULL;",
    "-- tollgate:allow drop-table -- reviewed\nDROP TABLE orders;",
    "/* é😀 */ COMMENT ON TABLE users IS 'utilisateurs é😀';",
    "BEGIN;",
    "COMMIT;",
    "SET lock_timeout = '5s';",
    "ALTER TABLE users RENAME COLUMN email TO mail;",
    "CREATE TABLE t (id int, 😀 text);",
    "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id);",
    "TRUNCATE users;",
    "VACUUM FULL users;",
    "ALTER TABLE users ADD COLUMN a int, DROP COLUMN legacy;",
    "CREATE TYPE mood AS ENUM ('a', 'b');",
    "SELECT 'unterminated",
];

fn statement() -> impl Strategy<Value = String> {
    let lead = prop::sample::select(vec!["", "\n", "  ", "-- note\n", "/* x */ ", "\n\n\t"]);
    (lead, prop::sample::select(STATEMENTS.to_vec())).prop_map(|(l, s)| format!("{l}{s}\n"))
}

/// Up to four migrations of up to eight statements each.
fn history() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(
        prop::collection::vec(statement(), 0..8).prop_map(|v| v.concat()),
        1..4,
    )
}

fn project(parts: &[String], transaction: TransactionMode) -> Project {
    let mut p = Project::default();
    let all = std::iter::once(HISTORY.to_string()).chain(parts.iter().cloned());
    for (i, text) in all.enumerate() {
        let f = p.add_file(format!("m/{i:03}.sql"), text);
        let mut m = MigrationInput::from_file(format!("{i:03}"), f, transaction);
        m.checked = i > 0;
        p.migrations.push(m);
    }
    p
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// The cache is warmed on other histories made of the same statements (so hits come from
    /// other positions, other files and other neighbours), then used for `parts`.
    #[test]
    fn cached_reports_equal_fresh_ones(
        warm in prop::collection::vec(history(), 0..3),
        parts in history(),
        transactional in any::<bool>(),
    ) {
        let transaction = if transactional { TransactionMode::Transactional } else { TransactionMode::Unknown };
        let policy = &Policy::default_policy();
        let cache = LowerCache::new();
        for w in &warm {
            let p = project(w, transaction);
            prop_assert_eq!(json(&check_cached(&p, policy, &cache)), json(&check(&p, policy)));
            cache.sweep();
        }
        let p = project(&parts, transaction);
        let fresh = json(&check(&p, policy));
        prop_assert_eq!(&json(&check_cached(&p, policy, &cache)), &fresh);
        // Twice: the second call reads every statement from the cache.
        prop_assert_eq!(&json(&check_cached(&p, policy, &cache)), &fresh);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Arbitrary text (binary-looking, unterminated, multi-byte): the cache never panics and
    /// changes nothing, on the first read and when every statement comes from it.
    #[test]
    fn arbitrary_text_through_the_cache(a in "\\PC{0,200}", b in "\\PC{0,200}") {
        let policy = &Policy::default_policy();
        let cache = LowerCache::new();
        for text in [&a, &b, &a] {
            let p = project(std::slice::from_ref(text), TransactionMode::Unknown);
            prop_assert_eq!(json(&check_cached(&p, policy, &cache)), json(&check(&p, policy)));
            cache.sweep();
        }
    }
}

#[test]
fn a_keystroke_lowers_only_the_statement_that_changed() {
    let policy = &Policy::default_policy();
    let cache = LowerCache::new();
    let text = |n: &str| {
        format!("ALTER TABLE users ADD COLUMN {n} text;\nDROP INDEX idx_a;\nUPDATE users SET score = 1;\n")
    };
    let first = project(&[text("no")], TransactionMode::Unknown);
    check_cached(&first, policy, &cache);
    cache.sweep();
    let before = cache.stats();
    let second = project(&[text("not")], TransactionMode::Unknown);
    assert_eq!(
        json(&check_cached(&second, policy, &cache)),
        json(&check(&second, policy))
    );
    let after = cache.stats();
    // The history's three statements and two of the migration's come from the cache.
    assert_eq!(after.hits - before.hits, 5);
    assert_eq!(after.misses - before.misses, 1);
}

#[test]
fn entries_unused_for_four_rounds_are_dropped() {
    let policy = &Policy::default_policy();
    let cache = LowerCache::new();
    let old = project(
        &["ALTER TABLE users ADD COLUMN old text;\n".into()],
        TransactionMode::Unknown,
    );
    check_cached(&old, policy, &cache);
    cache.sweep();
    let entries = cache.stats().entries;
    assert_eq!(
        entries, 4,
        "three history statements and one of the migration"
    );
    let other = project(
        &["ALTER TABLE users ADD COLUMN new text;\n".into()],
        TransactionMode::Unknown,
    );
    for round in 0..4 {
        check_cached(&other, policy, &cache);
        cache.sweep();
        // `old`'s statement is kept for three more rounds, then dropped.
        let expected = if round < 3 { 5 } else { 4 };
        assert_eq!(cache.stats().entries, expected, "after round {round}");
    }
}

#[test]
fn the_cache_keeps_at_most_its_byte_limit_of_statement_text() {
    let policy = &Policy::default_policy();
    let history_bytes: usize = HISTORY.lines().map(|l| l.len()).sum();
    // Room for the history and one small migration, not for a second one.
    let cache = LowerCache::with_max_bytes(history_bytes + 60);
    let a = project(
        &["ALTER TABLE users ADD COLUMN a text;\n".into()],
        TransactionMode::Unknown,
    );
    check_cached(&a, policy, &cache);
    cache.sweep();
    assert_eq!(cache.stats().entries, 4, "under the limit: everything kept");
    let b = project(
        &["ALTER TABLE users ADD COLUMN b text;\n".into()],
        TransactionMode::Unknown,
    );
    check_cached(&b, policy, &cache);
    cache.sweep();
    // Over the limit with `a` kept: only what this round used stays.
    assert_eq!(cache.stats().entries, 4);
    let before = cache.stats();
    check_cached(&a, policy, &cache);
    let after = cache.stats();
    assert_eq!(
        after.misses - before.misses,
        1,
        "`a`'s statement was dropped"
    );
    // A single round over the limit leaves nothing.
    let tiny = LowerCache::with_max_bytes(10);
    check_cached(&a, policy, &tiny);
    tiny.sweep();
    assert_eq!(tiny.stats().entries, 0);
    assert_eq!(
        json(&check_cached(&a, policy, &tiny)),
        json(&check(&a, policy))
    );
}
