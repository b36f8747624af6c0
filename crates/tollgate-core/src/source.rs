//! The source model: files the user owns, and the SQL read from them.
//!
//! A migration's SQL is either a whole `.sql` file, or text extracted from somewhere else (a
//! TypeScript `addSql('…')` literal, one half of a dbmate file). A [`SourceMap`] maps every byte
//! of the extracted SQL back to the byte in the real file, so findings point at the user's file.

use crate::model::TransactionMode;

/// A file as read by the caller (the core never reads files itself).
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as shown to the user ('/'-separated, relative where possible).
    pub path: String,
    pub text: String,
}

/// Maps offsets in extracted SQL to offsets in the file it came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum SourceMap {
    /// The SQL *is* the file text.
    #[default]
    Identity,
    /// Pieces of SQL copied from the file: `(sql_offset, file_offset)` pairs, sorted by
    /// `sql_offset`. An SQL offset maps through the last piece that starts at or before it.
    Pieces(Vec<(usize, usize)>),
}

impl SourceMap {
    /// A contiguous slice of the file starting at `file_offset`.
    pub fn shifted(file_offset: usize) -> SourceMap {
        SourceMap::Pieces(vec![(0, file_offset)])
    }

    pub fn to_file(&self, sql_offset: usize) -> usize {
        match self {
            SourceMap::Identity => sql_offset,
            SourceMap::Pieces(pieces) => {
                let idx = pieces.partition_point(|(s, _)| *s <= sql_offset);
                match idx.checked_sub(1).map(|i| pieces[i]) {
                    Some((s, f)) => f + (sql_offset - s),
                    None => sql_offset,
                }
            }
        }
    }
}

/// One piece of SQL that its tool sends to the server as one query: a whole `.sql` file, one half
/// of a dbmate file, or the argument of one `this.addSql(…)` call.
#[derive(Debug, Clone, Default)]
pub struct SqlChunk {
    /// The SQL when it differs from the file text; `None` means the whole file is the SQL.
    pub sql: Option<String>,
    pub map: SourceMap,
    /// Where the chunk stands in the file (the whole `addSql(…)` call), for findings about the
    /// chunk itself. `None` for whole files.
    pub span: Option<crate::span::Span>,
    /// Why (part of) this chunk cannot be read statically: `${…}` interpolation, a non-literal
    /// argument, `this.execute(…)`, a query builder. What is literal is still analysed.
    pub unanalysable: Option<String>,
}

impl SqlChunk {
    pub fn whole_file() -> SqlChunk {
        SqlChunk::default()
    }

    /// SQL copied from the file starting at `file_offset`, byte for byte.
    pub fn slice(sql: impl Into<String>, file_offset: usize) -> SqlChunk {
        SqlChunk {
            sql: Some(sql.into()),
            map: SourceMap::shifted(file_offset),
            span: None,
            unanalysable: None,
        }
    }

    pub fn text<'a>(&'a self, file: &'a SourceFile) -> &'a str {
        self.sql.as_deref().unwrap_or(&file.text)
    }
}

/// The SQL of one side (up or down) of a migration: the chunks it runs, in order.
#[derive(Debug, Clone)]
pub struct SqlPart {
    /// Index into [`Project::files`].
    pub file: usize,
    pub chunks: Vec<SqlChunk>,
}

impl SqlPart {
    pub fn whole_file(file: usize) -> SqlPart {
        SqlPart {
            file,
            chunks: vec![SqlChunk::whole_file()],
        }
    }
}

/// One migration, as its tool sees it.
#[derive(Debug, Clone)]
pub struct MigrationInput {
    pub id: String,
    /// The key its tool orders by (already applied: inputs arrive in order).
    pub order_key: String,
    pub up: SqlPart,
    pub down: Option<SqlPart>,
    pub transaction: TransactionMode,
    /// `false` for migrations that are only replayed into the schema model (for example those
    /// already on the base branch) and not reported.
    pub checked: bool,
    /// The tool that runs it.
    pub tool: crate::sources::Tool,
    /// The tool runs the whole batch of pending migrations in one outer transaction (MikroORM's
    /// `allOrNothing`), whatever the migration itself says.
    pub batch_transaction: bool,
    /// Where findings about the migration as a whole point (a TypeScript class declaration);
    /// `None` means the start of the up file.
    pub span: Option<crate::span::Span>,
}

impl MigrationInput {
    /// A checked migration whose up is a whole file, with no down.
    pub fn from_file(id: impl Into<String>, file: usize, transaction: TransactionMode) -> Self {
        let id = id.into();
        MigrationInput {
            order_key: id.clone(),
            id,
            up: SqlPart::whole_file(file),
            down: None,
            transaction,
            checked: true,
            tool: crate::sources::Tool::Plain,
            batch_transaction: false,
            span: None,
        }
    }
}

/// A finding about the sources rather than a statement: layout problems, history integrity,
/// deployment files. The file may be one no migration uses (a Dockerfile).
#[derive(Debug, Clone)]
pub struct SourceIssue {
    /// A rule id from the registry.
    pub rule: &'static str,
    /// Index into [`Project::files`].
    pub file: usize,
    pub span: crate::span::Span,
    pub message: String,
    pub help: String,
    pub migration: Option<String>,
}

/// Everything the engine needs: files and migrations in the order their tool runs them.
#[derive(Debug, Clone, Default)]
pub struct Project {
    pub files: Vec<SourceFile>,
    pub migrations: Vec<MigrationInput>,
    pub issues: Vec<SourceIssue>,
    /// Table shapes from an ORM snapshot file (MikroORM `.snapshot-*.json`): hints only.
    pub schema_hints: Vec<(crate::ops::ObjectName, crate::schema::Table)>,
    /// The anonymisation script ([`Project::files`] index), when the project has one: checked
    /// migrations that add a personal column it does not mask are reported
    /// (`personal-column-not-anonymized`).
    pub anonymize_script: Option<usize>,
}

impl Project {
    pub fn add_file(&mut self, path: impl Into<String>, text: impl Into<String>) -> usize {
        self.files.push(SourceFile {
            path: path.into(),
            text: text.into(),
        });
        self.files.len() - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_map_back() {
        let map = SourceMap::Pieces(vec![(0, 10), (5, 40)]);
        assert_eq!(map.to_file(0), 10);
        assert_eq!(map.to_file(4), 14);
        assert_eq!(map.to_file(5), 40);
        assert_eq!(map.to_file(9), 44);
        assert_eq!(SourceMap::Identity.to_file(7), 7);
    }
}
