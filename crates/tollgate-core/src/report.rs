//! The one report model every output renders (human, JSON, SARIF, GitHub, WASM).
//!
//! Field names are a public contract (`docs/json-report.md`): fields may be added, never renamed.
//! Lines and columns are 1-based; `start`/`end` are byte offsets in the file named by `path`.

use serde::Serialize;

use crate::model::{Class, Severity, TransactionMode};

pub const REPORT_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub version: u32,
    pub tool: Tool,
    pub migrations: Vec<MigrationReport>,
    pub findings: Vec<Finding>,
    pub summary: Summary,
    /// Plain notices for the user ("no migrations yet: nothing to check").
    pub notices: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileRef {
    pub path: String,
}

/// A migration's class: the worst class among its up statements, or `empty`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MigrationClass {
    Additive,
    Risky,
    Unknown,
    Destructive,
    Empty,
}

impl MigrationClass {
    pub fn from_class(c: Option<Class>) -> MigrationClass {
        match c {
            None => MigrationClass::Empty,
            Some(Class::Additive) => MigrationClass::Additive,
            Some(Class::Risky) => MigrationClass::Risky,
            Some(Class::Unknown) => MigrationClass::Unknown,
            Some(Class::Destructive) => MigrationClass::Destructive,
        }
    }

    pub fn class(self) -> Option<Class> {
        match self {
            MigrationClass::Empty => None,
            MigrationClass::Additive => Some(Class::Additive),
            MigrationClass::Risky => Some(Class::Risky),
            MigrationClass::Unknown => Some(Class::Unknown),
            MigrationClass::Destructive => Some(Class::Destructive),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MigrationClass::Empty => "empty",
            MigrationClass::Additive => "additive",
            MigrationClass::Risky => "risky",
            MigrationClass::Unknown => "unknown",
            MigrationClass::Destructive => "destructive",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Up,
    Down,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct MigrationReport {
    pub id: String,
    pub up: FileRef,
    pub down: Option<FileRef>,
    pub class: MigrationClass,
    /// The class of the down side (informational; a destructive down is normal).
    pub down_class: Option<MigrationClass>,
    pub transaction: TransactionMode,
    /// The policy says this migration needs the review label before merge.
    pub needs_review: bool,
    pub statements: Vec<StatementReport>,
    /// What `tollgate verify` saw when it ran the migration on PostgreSQL; absent from `check`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verify: Option<crate::verify::MigrationVerify>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatementReport {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub start: usize,
    pub end: usize,
    pub kind: String,
    pub class: Class,
    pub parsed: bool,
    pub direction: Direction,
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    /// The class this finding gives its statement; `null` for findings about the analysis itself
    /// (suppressions).
    pub class: Option<Class>,
    pub message: String,
    pub help: String,
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    /// UTF-16 columns, for editors.
    pub column_utf16: usize,
    pub end_column_utf16: usize,
    pub start: usize,
    pub end: usize,
    /// The migration id, or `null` for findings outside any migration.
    pub migration: Option<String>,
    pub direction: Direction,
    pub doc_url: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub migrations: usize,
    pub destructive_migrations: usize,
    pub risky_migrations: usize,
    pub unknown_migrations: usize,
    pub unparsed_statements: usize,
    /// Findings that inline suppressions silenced.
    pub suppressed: usize,
    /// Migrations that need the review label.
    pub needs_review: usize,
    /// Whether the findings fail the policy (exit code 1).
    pub failed: bool,
}

impl Report {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}
