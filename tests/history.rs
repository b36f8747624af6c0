//! `tollgate check --base`: real git repositories built in temp dirs, with a base branch and a
//! feature branch, covering added, modified, renamed and deleted migrations, out-of-order
//! versions and shallow clones.

mod common;

use common::{git, json, tollgate, write};

fn rules_of(v: &serde_json::Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect()
}

/// A repository whose `main` holds two migrations; HEAD is a `feature` branch off it.
fn repo() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    git(p, &["init", "-q", "-b", "main"]);
    write(p, "tollgate.toml", "require_down = \"never\"\n");
    write(
        p,
        "db/migrations/000001_users.up.sql",
        "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
    );
    write(
        p,
        "db/migrations/000002_orders.up.sql",
        "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\n",
    );
    git(p, &["add", "-A"]);
    git(p, &["commit", "-q", "-m", "base"]);
    git(p, &["checkout", "-q", "-b", "feature"]);
    d
}

#[test]
fn only_added_migrations_are_checked_and_history_is_replayed() {
    let d = repo();
    let p = d.path();
    write(
        p,
        "db/migrations/000003_drop_email.up.sql",
        "ALTER TABLE users DROP COLUMN email;\n",
    );
    git(p, &["add", "-A"]);
    git(p, &["commit", "-q", "-m", "feature"]);
    let o = tollgate(p, &["check", "--base", "main", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    let ids: Vec<&str> = v["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["000003_drop_email"]);
    assert_eq!(rules_of(&v), vec!["drop-column"]);
}

#[test]
fn uncommitted_and_untracked_migrations_count_as_changed() {
    let d = repo();
    let p = d.path();
    write(
        p,
        "db/migrations/000003_index.up.sql",
        "CREATE INDEX idx ON orders (user_id);\n",
    );
    let v = json(&tollgate(
        p,
        &["check", "--base", "main", "--format", "json"],
    ));
    assert_eq!(v["migrations"].as_array().unwrap().len(), 1);
    assert_eq!(rules_of(&v), vec!["create-index-without-concurrently"]);
}

#[test]
fn modified_migration_on_base_is_an_error() {
    let d = repo();
    let p = d.path();
    write(
        p,
        "db/migrations/000001_users.up.sql",
        "CREATE TABLE users (id bigint PRIMARY KEY, email text, name text);\n",
    );
    git(p, &["commit", "-q", "-am", "edit an applied migration"]);
    let o = tollgate(p, &["check", "--base", "main", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "applied-migration-changed")
        .expect("finding");
    assert!(
        f["message"].as_str().unwrap().contains("was modified"),
        "{f}"
    );
    assert_eq!(f["path"], "db/migrations/000001_users.up.sql");
}

#[test]
fn renamed_and_deleted_migrations_on_base_are_errors() {
    let d = repo();
    let p = d.path();
    git(
        p,
        &[
            "mv",
            "db/migrations/000002_orders.up.sql",
            "db/migrations/000002_create_orders.up.sql",
        ],
    );
    git(p, &["rm", "-q", "db/migrations/000001_users.up.sql"]);
    git(p, &["commit", "-q", "-m", "rename and delete"]);
    let v = json(&tollgate(
        p,
        &["check", "--base", "main", "--format", "json"],
    ));
    let msgs: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "applied-migration-changed")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    assert!(msgs
        .iter()
        .any(|m| m.contains("000001_users.up.sql") && m.contains("was deleted")));
    assert!(msgs
        .iter()
        .any(|m| m.contains("was renamed to `db/migrations/000002_create_orders.up.sql`")));
}

#[test]
fn migration_older_than_the_newest_on_base_is_out_of_order() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    git(p, &["init", "-q", "-b", "main"]);
    write(p, "tollgate.toml", "require_down = \"never\"\n");
    write(
        p,
        "migrations/20240101000000_a.up.sql",
        "CREATE TABLE a (id int);\n",
    );
    write(
        p,
        "migrations/20240301000000_c.up.sql",
        "CREATE TABLE c (id int);\n",
    );
    git(p, &["add", "-A"]);
    git(p, &["commit", "-q", "-m", "base"]);
    git(p, &["checkout", "-q", "-b", "feature"]);
    write(
        p,
        "migrations/20240201000000_b.up.sql",
        "CREATE TABLE b (id int);\n",
    );
    write(
        p,
        "migrations/20240401000000_d.up.sql",
        "CREATE TABLE d (id int);\n",
    );
    git(p, &["add", "-A"]);
    git(p, &["commit", "-q", "-m", "two new"]);
    let v = json(&tollgate(
        p,
        &["check", "--base", "main", "--format", "json"],
    ));
    let ooo: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "out-of-order-migration")
        .map(|f| f["migration"].as_str().unwrap())
        .collect();
    assert_eq!(ooo, vec!["20240201000000_b"]);
}

#[test]
fn shallow_clone_without_the_merge_base_says_what_to_fetch() {
    let d = repo();
    let origin = d.path();
    // Move the feature branch two commits past main, then clone it shallowly.
    write(
        origin,
        "db/migrations/000003_x.up.sql",
        "CREATE TABLE x (id int);\n",
    );
    git(origin, &["add", "-A"]);
    git(origin, &["commit", "-q", "-m", "x"]);
    write(
        origin,
        "db/migrations/000004_y.up.sql",
        "CREATE TABLE y (id int);\n",
    );
    git(origin, &["add", "-A"]);
    git(origin, &["commit", "-q", "-m", "y"]);
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.display());
    git(
        clone.path(),
        &[
            "clone", "-q", "--depth", "1", "--branch", "feature", &url, "c",
        ],
    );
    let c = clone.path().join("c");
    // The base ref is not there at all.
    let o = tollgate(&c, &["check", "--base", "main"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("shallow clone") && err.contains("fetch"),
        "{err}"
    );
    // The base ref is there, but its history is cut off before the merge-base.
    git(&c, &["fetch", "-q", "--depth", "1", "origin", "main:main"]);
    let o = tollgate(&c, &["check", "--base", "main"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("fetch-depth: 0"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

#[test]
fn base_outside_a_repository_is_a_clean_error() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "migrations/001.sql", "SELECT 1;\n");
    let o = tollgate(d.path(), &["check", "--base", "main"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not inside a git repository"));
}
