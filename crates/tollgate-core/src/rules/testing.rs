//! Test support for rule files: runs one rule through the whole engine, on top of a small
//! history, and renders what it found.

use crate::engine;
use crate::model::{Level, TransactionMode};
use crate::policy::Policy;
use crate::source::{MigrationInput, Project};

/// A history every rule test starts from, so "existing" tables really exist.
pub const BASE_HISTORY: &str = "\
CREATE TABLE clubs (id bigserial PRIMARY KEY, name text NOT NULL);
CREATE TABLE users (id integer PRIMARY KEY, email varchar(255) NOT NULL, nickname text, club_id bigint, phone text, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE members (id bigint PRIMARY KEY, user_id integer NOT NULL);
CREATE TABLE sessions (id bigint PRIMARY KEY, expires_at timestamptz);
CREATE INDEX idx_users_email ON users (email);
CREATE VIEW member_stats AS SELECT 1 AS n;
CREATE MATERIALIZED VIEW club_stats AS SELECT 1 AS n;
";

/// Builds a project: the base history, then each `\n---\n`-separated part of `sql` as its own
/// migration; only the last one is checked.
pub fn project(sql: &str, transaction: TransactionMode) -> Project {
    let mut project = Project::default();
    let parts: Vec<&str> = sql.split("\n---\n").collect();
    let mut all = vec![BASE_HISTORY];
    all.extend(parts.iter().copied());
    let last = all.len() - 1;
    for (i, text) in all.into_iter().enumerate() {
        let file = project.add_file(format!("migrations/{i:03}.sql"), text);
        let mut m = MigrationInput::from_file(format!("{i:03}"), file, transaction);
        m.checked = i == last;
        project.migrations.push(m);
    }
    project
}

/// Runs the engine and renders the findings of `rule` (switched on when it is opt-in).
pub fn run_rule(rule: &str, sql: &str) -> String {
    run_rule_with(rule, sql, TransactionMode::Unknown)
}

pub fn run_rule_with(rule: &str, sql: &str, transaction: TransactionMode) -> String {
    run_rule_with_policy(rule, sql, transaction, |_| {})
}

/// Like [`run_rule_with`], with a policy tweak (for example an older PostgreSQL version).
pub fn run_rule_with_policy(
    rule: &str,
    sql: &str,
    transaction: TransactionMode,
    tweak: impl FnOnce(&mut Policy),
) -> String {
    let policy = policy_for(rule, tweak);
    let report = engine::check(&project(sql, transaction), &policy);
    let m = &report.migrations[0];
    let head = format!("migration class: {}\n", m.class.as_str());
    render(head, &report, rule, false)
}

/// Like [`run_rule_with`] for a last migration with a down: renders the findings of `rule` in
/// both directions.
pub fn run_rule_down(rule: &str, up: &str, down: &str, transaction: TransactionMode) -> String {
    let policy = policy_for(rule, |_| {});
    let mut p = project(up, transaction);
    let file = p.add_file("migrations/last.down.sql", down);
    p.migrations.last_mut().expect("a migration").down =
        Some(crate::source::SqlPart::whole_file(file));
    let report = engine::check(&p, &policy);
    let m = &report.migrations[0];
    let head = format!(
        "migration class: {}, down class: {}\n",
        m.class.as_str(),
        m.down_class.map_or("-", |c| c.as_str())
    );
    render(head, &report, rule, true)
}

/// The default policy with `tweak` applied and `rule` switched on when it is opt-in.
fn policy_for(rule: &str, tweak: impl FnOnce(&mut Policy)) -> Policy {
    let mut policy = Policy::default_policy();
    tweak(&mut policy);
    if policy.level(rule) == Level::Off {
        policy
            .set_rule_level(rule, Level::Warning)
            .expect("known rule");
    }
    policy
}

/// One line per finding of `rule` (prefixed with its direction when asked), with its help.
fn render(mut out: String, report: &crate::report::Report, rule: &str, direction: bool) -> String {
    for f in report.findings.iter().filter(|f| f.rule == rule) {
        let dir = if direction {
            format!("{} ", f.direction.as_str())
        } else {
            String::new()
        };
        out.push_str(&format!(
            "{dir}{}:{}-{}:{} {} [{}] {}\n  help: {}\n",
            f.line,
            f.column,
            f.end_line,
            f.end_column,
            f.severity,
            f.class.map_or("-", |c| c.as_str()),
            f.message,
            f.help
        ));
    }
    out
}
