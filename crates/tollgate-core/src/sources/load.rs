//! Migration files (already read) into a [`Project`], exactly as their tools read them. The CLI
//! and the WASM build both go through here, so the same files give the same migrations, ids,
//! order, transaction modes and layout problems everywhere.

use std::collections::BTreeMap;

use crate::policy::Policy;
use crate::source::{MigrationInput, Project, SourceIssue, SqlChunk, SqlPart};
use crate::sources::layout::{self, LayoutFile, ProblemKind};
use crate::sources::typescript::{self, DownState};
use crate::sources::Tool;
use crate::span::Span;
use crate::{SourceMap, TransactionMode};

/// One comparable part of a version: numbers compare by value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum VersionKey {
    Num(u128),
    Text(String),
}

pub fn version_key(v: &layout::Version) -> Vec<VersionKey> {
    v.0.iter()
        .map(|p| match p {
            layout::VersionPart::Num(n) => VersionKey::Num(*n),
            layout::VersionPart::Text(t) => VersionKey::Text(t.clone()),
        })
        .collect()
}

/// Splits a name into comparable parts: numeric runs by value, the rest as text.
pub fn natural_key(s: &str) -> Vec<VersionKey> {
    let mut out = Vec::new();
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let digit = bytes[i].is_ascii_digit();
        while i < bytes.len() && bytes[i].is_ascii_digit() == digit {
            i += 1;
        }
        let run = &s[start..i];
        out.push(match (digit, run.parse::<u128>()) {
            (true, Ok(n)) => VersionKey::Num(n),
            _ => VersionKey::Text(run.to_string()),
        });
    }
    out
}

/// A SQL-side file of one migrations directory.
pub struct SqlFile<'a> {
    /// Relative to the migrations directory, with `/` separators (the layout reads it).
    pub rel: &'a str,
    /// As the user sees it (reports use it).
    pub shown: &'a str,
    pub text: &'a str,
}

/// Where a planned migration came from: indexes into the given files (up first), and its
/// version as the tool orders it.
pub struct Planned {
    pub files: Vec<usize>,
    pub version: Vec<VersionKey>,
}

/// Plans one migrations directory with its layout and adds its migrations and layout problems
/// to `project`. Files enter the project once each, in the order they are first used.
pub fn add_sql_dir(project: &mut Project, files: &[SqlFile], policy: &Policy) -> Vec<Planned> {
    let layout_files: Vec<LayoutFile> = files
        .iter()
        .map(|f| LayoutFile {
            path: f.rel,
            text: f.text,
        })
        .collect();
    let plan = layout::plan(&layout_files, policy.layout);
    let mut file_index: BTreeMap<String, usize> = BTreeMap::new();
    let position = |rel: &str| files.iter().position(|f| f.rel == rel).unwrap_or(0);
    let mut index_of = |rel: &str, project: &mut Project| -> usize {
        if let Some(i) = file_index.get(rel) {
            return *i;
        }
        let f = &files[position(rel)];
        let i = project.add_file(f.shown, f.text);
        file_index.insert(rel.to_string(), i);
        i
    };
    let mut planned = Vec::new();
    for m in &plan.migrations {
        let up_file = index_of(&m.up.path, project);
        let down = m.down.as_ref().map(|d| SqlPart {
            file: index_of(&d.path, project),
            chunks: d.chunks.clone(),
        });
        let mut input = MigrationInput::from_file(m.id.clone(), up_file, m.transaction);
        input.order_key = m.version_text.clone();
        input.up = SqlPart {
            file: up_file,
            chunks: m.up.chunks.clone(),
        };
        input.down = down;
        input.tool = m.tool;
        project.migrations.push(input);
        let mut used = vec![position(&m.up.path)];
        if let Some(d) = &m.down {
            used.push(position(&d.path));
        }
        planned.push(Planned {
            files: used,
            version: version_key(&m.version),
        });
    }
    for p in &plan.problems {
        let file = index_of(&p.path, project);
        let (rule, help) = match p.kind {
            ProblemKind::DuplicateVersion => (
                "duplicate-migration-version",
                "give the newer migration a new version (a fresh timestamp) before merging",
            ),
            ProblemKind::OrphanDown => (
                "orphan-down-migration",
                "rename it to match its up migration, or delete it",
            ),
            ProblemKind::Unrecognised => (
                "unrecognised-migration-file",
                "move it out of the migrations directory or name it the way the tool expects",
            ),
        };
        project.issues.push(SourceIssue {
            rule,
            file,
            span: Span::default(),
            message: p.message.clone(),
            help: help.into(),
            migration: None,
        });
    }
    planned
}

/// A migration class read from a TypeScript or JavaScript file, with the key its tool sorts by.
pub struct ScriptMigration {
    pub key: Vec<VersionKey>,
    pub input: MigrationInput,
}

/// Reads the MikroORM and TypeORM migration classes of one script file and adds the file to
/// `project` when it holds any. `stem` is the file name without extensions. A file that looks
/// like a migration but does not parse becomes an unanalysable migration: it must not vanish.
/// Extraction problems that do not stop the analysis go to `notices`.
pub fn add_script_file(
    project: &mut Project,
    stem: &str,
    shown: &str,
    text: &str,
    all_or_nothing: bool,
    notices: &mut Vec<String>,
) -> Vec<ScriptMigration> {
    let mut out = Vec::new();
    if !typescript::may_contain_migration(text) {
        return out;
    }
    let extracted = typescript::extract(shown, text);
    if extracted.migrations.is_empty() {
        if let Some(problem) = extracted.problems.first() {
            let file = project.add_file(shown, text);
            let mut input =
                MigrationInput::from_file(stem.to_string(), file, TransactionMode::Unknown);
            input.up = SqlPart {
                file,
                chunks: vec![SqlChunk {
                    sql: Some(String::new()),
                    map: SourceMap::shifted(problem.span.start),
                    span: Some(problem.span),
                    unanalysable: Some(format!(
                        "the file does not parse as a migration: {}",
                        problem.message
                    )),
                }],
            };
            out.push(ScriptMigration {
                key: vec![VersionKey::Text(stem.to_string())],
                input,
            });
        }
        return out;
    }
    for p in &extracted.problems {
        notices.push(format!("{shown}: {}", p.message));
    }
    let file = project.add_file(shown, text);
    let several = extracted.migrations.len() > 1;
    for m in extracted.migrations {
        let id = match (&m.name_override, several) {
            (Some(n), _) => n.clone(),
            (None, true) => m.class_name.clone(),
            (None, false) => stem.to_string(),
        };
        // MikroORM runs migrations sorted by file name (an `override name` only changes what it
        // records); TypeORM by the timestamp that ends the class name.
        let key = match m.tool {
            Tool::TypeOrm => {
                let digits: String = m
                    .class_name
                    .chars()
                    .rev()
                    .take_while(|c| c.is_ascii_digit())
                    .collect();
                let ts: String = digits.chars().rev().collect();
                natural_key(if ts.is_empty() { &m.class_name } else { &ts })
            }
            // A plain string comparison, as MikroORM sorts its file list.
            _ if several => vec![VersionKey::Text(format!("{stem}.{}", m.class_name))],
            _ => vec![VersionKey::Text(stem.to_string())],
        };
        let transaction = match m.transactional {
            Some(false) => TransactionMode::NonTransactional,
            _ => TransactionMode::Transactional,
        };
        let mut input = MigrationInput::from_file(id.clone(), file, transaction);
        input.order_key = id;
        input.tool = m.tool;
        input.batch_transaction = m.tool == Tool::MikroOrm && all_or_nothing;
        input.span = Some(Span::new(m.span.start, m.span.start));
        input.up = SqlPart { file, chunks: m.up };
        input.down = match m.down {
            DownState::Present(chunks) => Some(SqlPart { file, chunks }),
            DownState::Missing => None,
        };
        out.push(ScriptMigration { key, input });
    }
    out
}

/// The file name without its extensions (`Migration20240101.ts` → `Migration20240101`), as
/// the tools name script migrations.
pub fn stem(file_name: &str) -> &str {
    file_name.split('.').next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_keys_compare_numbers_by_value() {
        assert!(natural_key("V10__b") > natural_key("V9__a"));
        assert_eq!(
            natural_key("20240101_x"),
            vec![VersionKey::Num(20240101), VersionKey::Text("_x".into())]
        );
        assert_eq!(stem("Migration2024.ts"), "Migration2024");
        assert_eq!(stem("m.spec.ts"), "m");
    }
}
