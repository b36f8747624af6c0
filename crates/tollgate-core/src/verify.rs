//! What `tollgate verify` learnt about a migration by running it on a real PostgreSQL, as part of
//! the one report model ([`crate::report::MigrationReport::verify`]).
//!
//! The runner lives in the `tollgate-verify` crate (it needs a database); these are the plain
//! data it produces, so every output (human, JSON, SARIF, GitHub) renders the same thing.
//! Field names are a public contract (`docs/json-report.md`).

use std::fmt;

use serde::Serialize;

/// How an object changed from `before` to `after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Only in `after`.
    Added,
    /// Only in `before`.
    Removed,
    /// In both, different.
    Changed,
    /// A table's columns are all there, in another order. A dropped column that a down adds
    /// back comes back last: ALTER TABLE cannot put it where it was, and nothing but `SELECT *`
    /// and `COPY` without a column list can tell. Not counted as a failed round trip.
    Reordered,
}

/// One difference between two catalog snapshots.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// What changed: its kind and name, e.g. `column users.nickname`, `index audit.log_at_idx`.
    pub object: String,
    /// Added, removed or changed.
    pub kind: ChangeKind,
    /// One line for people, e.g. ``column `users.nickname`: type `text` → `character varying(50)` ``.
    pub message: String,
    /// Whether going from `before` to `after` throws data away (or may): a removed table,
    /// column or materialized view, a column type change, a removed enum label.
    pub loses_data: bool,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A server error, mapped back to the statement that raised it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StatementError {
    /// Index of the statement in its side (0-based).
    pub statement: usize,
    pub path: String,
    /// 1-based, in the migration's file (inside a TypeScript migration: in the SQL string).
    pub line: usize,
    pub column: usize,
    /// Byte offsets of the failing statement in its file.
    #[serde(skip)]
    pub start: usize,
    #[serde(skip)]
    pub end: usize,
    pub sqlstate: Option<String>,
    pub message: String,
    pub detail: Option<String>,
    pub hint: Option<String>,
}

impl StatementError {
    /// `SQLSTATE 42P01: relation "x" does not exist (detail: …; hint: …)`.
    pub fn describe(&self) -> String {
        let mut s = match &self.sqlstate {
            Some(code) => format!("SQLSTATE {code}: {}", self.message),
            None => self.message.clone(),
        };
        let extra: Vec<String> = [("detail", &self.detail), ("hint", &self.hint)]
            .into_iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}: {v}")))
            .collect();
        if !extra.is_empty() {
            s.push_str(&format!(" ({})", extra.join("; ")));
        }
        s
    }
}

/// One step: up, down or re-up.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Step {
    pub ok: bool,
    pub ms: u64,
    /// Statements that completed.
    pub executed: usize,
    /// Statements in the step.
    pub statements: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<StatementError>,
    /// What a failed step left behind because it ran outside a transaction (catalog changes
    /// that stayed).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub left_behind: Vec<String>,
}

/// A lock an up statement held on a relation that existed before the migration.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LockEvent {
    pub relation: String,
    /// `AccessExclusive`, `Exclusive`, `ShareRowExclusive` or `Share` (the strongest seen).
    pub mode: String,
    /// Index of the statement that first held it.
    pub statement: usize,
    pub path: String,
    pub line: usize,
    #[serde(skip)]
    pub start: usize,
    #[serde(skip)]
    pub end: usize,
    /// From the statement's start to the end of the transaction (or of the statement, outside
    /// one), in milliseconds.
    pub held_ms: u64,
    /// Whether the migration had set `lock_timeout` when the lock was taken.
    pub lock_timeout_set: bool,
    /// `reads and writes` (ACCESS EXCLUSIVE) or `writes` (EXCLUSIVE, SHARE, SHARE ROW
    /// EXCLUSIVE).
    pub blocks: &'static str,
}

/// How much a lock mode blocks, for keeping the strongest one seen: ACCESS EXCLUSIVE (4) blocks
/// reads and writes; EXCLUSIVE, SHARE ROW EXCLUSIVE and SHARE block writes; others (0) neither.
pub fn lock_strength(mode: &str) -> u8 {
    match mode {
        "AccessExclusive" => 4,
        "Exclusive" => 3,
        "ShareRowExclusive" => 2,
        "Share" => 1,
        _ => 0,
    }
}

/// Data that did not come back after up → down (`--with-data`).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DataLoss {
    /// `users` or `users.phone`.
    pub object: String,
    /// Rows (for a table) or non-null values (for a column) before the up.
    pub before: u64,
    /// After up → down; `null` when the table or column did not come back at all.
    pub after: Option<u64>,
    pub message: String,
}

/// The data round trip of one migration (`--with-data`).
#[derive(Debug, Clone, Serialize, Default)]
pub struct DataCheck {
    /// Tables filled with generated rows before the up.
    pub filled: Vec<String>,
    /// Tables that could not be filled, with the reason.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_filled: Vec<String>,
    pub lost: Vec<DataLoss>,
}

/// What `tollgate verify` found about one migration.
#[derive(Debug, Clone, Serialize, Default)]
pub struct MigrationVerify {
    /// The migration id (also the report's; kept here for the runner's own use).
    #[serde(skip)]
    pub id: String,
    pub up: Step,
    /// `null` in `--mode up`, or when the migration has no down.
    pub down: Option<Step>,
    pub reup: Option<Step>,
    /// The catalog after up → down compared with before up; empty when the down restores it.
    pub roundtrip: Vec<Change>,
    /// What the up changed in the catalog (the database's view of its effect).
    pub effect: Vec<Change>,
    /// `null` without `--with-data`.
    pub data: Option<DataCheck>,
    pub locks: Vec<LockEvent>,
    /// Relations whose storage was rewritten (relfilenode changed) by the up.
    pub rewrites: Vec<String>,
    pub ms: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_reads_as_one_line_with_its_detail_and_hint() {
        let e = StatementError {
            statement: 0,
            path: "m.sql".into(),
            line: 1,
            column: 1,
            start: 0,
            end: 0,
            sqlstate: Some("23502".into()),
            message: "column \"name\" of relation \"users\" contains null values".into(),
            detail: None,
            hint: Some("add a default".into()),
        };
        assert_eq!(
            e.describe(),
            "SQLSTATE 23502: column \"name\" of relation \"users\" contains null values (hint: add a default)"
        );
    }
}
