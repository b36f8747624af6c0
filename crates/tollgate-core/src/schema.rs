//! A static model of the schema, replayed from the migration history.
//!
//! The rules use it to know a column's type, nullability and default before a statement runs (a
//! type change to the same type is a no-op; `varchar(100)` → `varchar(255)` widens), and which
//! constraints and indexes a table has (a foreign key without an index). It follows creates,
//! alters, renames and drops. Statements it cannot follow mark the tables they touch as
//! uncertain, so verdicts that depend on them can say so instead of guessing.
//!
//! Unnamed constraints and indexes get the name PostgreSQL would choose (`users_pkey`,
//! `users_email_key`, `book_author_id_fkey`, `book_author_id_idx`), so a later `DROP CONSTRAINT`
//! or `DROP INDEX` by that name finds them.

use std::collections::{BTreeMap, BTreeSet};

use crate::ops::{
    ColumnDef, ConstraintDef, ConstraintKind, DefaultKind, ObjectKind, ObjectName, Op,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub data_type: Option<String>,
    pub not_null: bool,
    /// The column's default ([`DefaultKind::None`] when it has none).
    pub default: DefaultKind,
}

impl Column {
    /// A nullable column of unknown type, without a default.
    pub fn named(name: impl Into<String>) -> Self {
        Column {
            name: name.into(),
            data_type: None,
            not_null: false,
            default: DefaultKind::None,
        }
    }

    fn from_def(c: &ColumnDef) -> Self {
        Column {
            name: c.name.clone(),
            data_type: c.data_type.clone(),
            not_null: c.not_null || c.primary_key,
            default: c.default,
        }
    }
}

/// A table constraint (PRIMARY KEY, UNIQUE, FOREIGN KEY, CHECK, EXCLUDE, NOT NULL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Constraint {
    /// The declared name, or the one PostgreSQL chose; `None` only when neither is known.
    pub name: Option<String>,
    pub kind: ConstraintKind,
    /// The constrained columns in order; empty when unknown (CHECK, `USING INDEX`).
    pub columns: Vec<String>,
    /// The referenced table of a foreign key.
    pub references: Option<ObjectName>,
}

/// An index made with `CREATE INDEX`. The indexes PostgreSQL builds for PRIMARY KEY and UNIQUE
/// constraints are not listed here: they live with their [`Constraint`], and
/// [`Table::has_index_leading_with`] looks at both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    /// The index name (without schema: an index lives in its table's schema).
    pub name: Option<String>,
    /// Key columns in order; an expression key is its text in parentheses (`(lower(email))`).
    pub columns: Vec<String>,
    pub unique: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    pub columns: Vec<Column>,
    pub constraints: Vec<Constraint>,
    pub indexes: Vec<Index>,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns.iter_mut().find(|c| c.name == name)
    }

    pub fn constraint(&self, name: &str) -> Option<&Constraint> {
        self.constraints
            .iter()
            .find(|c| c.name.as_deref() == Some(name))
    }

    pub fn index(&self, name: &str) -> Option<&Index> {
        self.indexes
            .iter()
            .find(|i| i.name.as_deref() == Some(name))
    }

    pub fn primary_key(&self) -> Option<&Constraint> {
        self.constraints
            .iter()
            .find(|c| c.kind == ConstraintKind::PrimaryKey)
    }

    /// The key column lists of every index of the table: `CREATE INDEX` ones and the ones
    /// PostgreSQL builds for PRIMARY KEY and UNIQUE constraints.
    pub fn index_keys(&self) -> impl Iterator<Item = &[String]> {
        let constraint_keys = self
            .constraints
            .iter()
            .filter(|c| matches!(c.kind, ConstraintKind::PrimaryKey | ConstraintKind::Unique))
            .map(|c| c.columns.as_slice());
        self.indexes
            .iter()
            .map(|i| i.columns.as_slice())
            .chain(constraint_keys)
            .filter(|k| !k.is_empty())
    }

    /// Some index (including PRIMARY KEY and UNIQUE constraints) can look rows up by `columns`:
    /// its first `columns.len()` key columns are those columns, in any order.
    pub fn has_index_leading_with(&self, columns: &[String]) -> bool {
        self.index_keys().any(|k| key_leads_with(k, columns))
    }

    fn add_constraint(&mut self, table: &ObjectName, def: ConstraintDef) {
        let ConstraintDef {
            kind,
            name,
            columns,
            references,
        } = def;
        if matches!(kind, ConstraintKind::PrimaryKey | ConstraintKind::NotNull) {
            for col in &columns {
                if let Some(c) = self.column_mut(col) {
                    c.not_null = true;
                }
            }
        }
        let name = name.or_else(|| default_constraint_name(&table.name, kind, &columns));
        self.constraints.push(Constraint {
            name,
            kind,
            columns,
            references,
        });
    }

    /// Drops what PostgreSQL drops with a column: the column, and the constraints and indexes
    /// that use it. Returns the names of the dropped indexes.
    fn drop_column(&mut self, column: &str) -> Vec<String> {
        self.columns.retain(|c| c.name != column);
        self.constraints
            .retain(|c| !c.columns.iter().any(|k| key_uses(k, column)));
        let mut dropped = Vec::new();
        self.indexes.retain(|i| {
            let uses = i.columns.iter().any(|k| key_uses(k, column));
            if uses {
                dropped.extend(i.name.clone());
            }
            !uses
        });
        dropped
    }

    fn rename_column(&mut self, from: &str, to: &str) {
        if let Some(c) = self.column_mut(from) {
            c.name = to.to_string();
        }
        let keys = self
            .constraints
            .iter_mut()
            .flat_map(|c| c.columns.iter_mut())
            .chain(self.indexes.iter_mut().flat_map(|i| i.columns.iter_mut()));
        for k in keys.filter(|k| *k == from) {
            *k = to.to_string();
        }
    }
}

/// `key` (an index's key columns) starts with `columns`, in any order: PostgreSQL can then use
/// it to find the rows matching `columns`, as it does for foreign-key checks.
pub fn key_leads_with(key: &[String], columns: &[String]) -> bool {
    if columns.is_empty() || key.len() < columns.len() {
        return false;
    }
    let lead = &key[..columns.len()];
    if lead == columns {
        return true;
    }
    let mut a: Vec<&String> = lead.iter().collect();
    let mut b: Vec<&String> = columns.iter().collect();
    a.sort();
    b.sort();
    a == b
}

/// An index or constraint key uses `column`: it is the column, or an expression naming it.
fn key_uses(key: &str, column: &str) -> bool {
    if key == column {
        return true;
    }
    if !key.starts_with('(') {
        return false;
    }
    // An expression: look for the column as a whole word (or quoted identifier).
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    key.match_indices(column).any(|(at, _)| {
        let before = key[..at].chars().next_back();
        let after = key[at + column.len()..].chars().next();
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}

/// PostgreSQL's `NAMEDATALEN - 1`: longer names are truncated.
const MAX_NAME: usize = 63;

/// The name PostgreSQL builds from `table`, `columns` and `label` (`makeObjectName`): the
/// table and column parts are shortened, longest first, until the name fits.
fn object_name(table: &str, columns: &[String], label: &str) -> String {
    let cols: Vec<&str> = columns.iter().map(|c| key_name_part(c)).collect();
    let name2 = cols.join("_");
    let overhead = label.len() + 1 + usize::from(!name2.is_empty());
    let avail = MAX_NAME.saturating_sub(overhead);
    let (mut n1, mut n2) = (table.len(), name2.len());
    while n1 + n2 > avail {
        if n1 > n2 {
            n1 -= 1;
        } else {
            n2 -= 1;
        }
    }
    let cut = |s: &str, n: usize| -> String {
        let mut end = n.min(s.len());
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s[..end].to_string()
    };
    let mut out = cut(table, n1);
    if !name2.is_empty() {
        out.push('_');
        out.push_str(&cut(&name2, n2));
    }
    out.push('_');
    out.push_str(label);
    out
}

/// The part of a generated name a key column gives: the column, the function of an expression
/// key (`(lower(email))` → `lower`), or `expr`.
fn key_name_part(key: &str) -> &str {
    if !key.starts_with('(') {
        return key;
    }
    let inner = key.trim_start_matches('(');
    let word_end = inner
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .unwrap_or(inner.len());
    match inner[word_end..].starts_with('(') {
        true if word_end > 0 => inner[..word_end].rsplit('.').next().unwrap_or("expr"),
        _ => "expr",
    }
}

/// The name PostgreSQL gives an unnamed constraint.
fn default_constraint_name(
    table: &str,
    kind: ConstraintKind,
    columns: &[String],
) -> Option<String> {
    Some(match kind {
        ConstraintKind::PrimaryKey => object_name(table, &[], "pkey"),
        ConstraintKind::Unique => object_name(table, columns, "key"),
        ConstraintKind::ForeignKey => object_name(table, columns, "fkey"),
        ConstraintKind::Check => object_name(table, columns, "check"),
        ConstraintKind::Exclude => object_name(table, columns, "excl"),
        ConstraintKind::NotNull => object_name(table, columns, "not_null"),
    })
}

/// The constraints a column declares inline (`ADD COLUMN a int REFERENCES t UNIQUE`).
fn inline_constraints(c: &ColumnDef) -> Vec<ConstraintDef> {
    let one = |kind| ConstraintDef {
        columns: vec![c.name.clone()],
        ..ConstraintDef::new(kind)
    };
    let mut out = Vec::new();
    if c.primary_key {
        out.push(one(ConstraintKind::PrimaryKey));
    }
    if c.unique {
        out.push(one(ConstraintKind::Unique));
    }
    if let Some(r) = &c.references {
        out.push(ConstraintDef {
            references: Some(r.clone()),
            ..one(ConstraintKind::ForeignKey)
        });
    }
    if c.check {
        out.push(one(ConstraintKind::Check));
    }
    out
}

#[derive(Debug, Clone, Default)]
pub struct Schema {
    pub tables: BTreeMap<String, Table>,
    pub enums: BTreeMap<String, Vec<String>>,
    pub views: BTreeSet<String>,
    /// Index key (`[schema.]name`, like [`ObjectName::key`]) → key of the table it belongs to,
    /// so `DROP INDEX name` and `ALTER INDEX name RENAME` find the table.
    pub index_tables: BTreeMap<String, String>,
    /// Tables whose shape we could not follow (unparsed DDL, DO blocks).
    pub uncertain: BTreeSet<String>,
    /// Shapes from an ORM's own schema snapshot (MikroORM `.snapshot-*.json`). Only a hint:
    /// consulted when the replayed history does not know the table, and only to tell the user
    /// more, never to decide a verdict.
    pub hints: BTreeMap<String, Table>,
}

/// The key of index `name` of a table in `schema` (an index lives in its table's schema).
fn index_key(schema: Option<&str>, name: &str) -> String {
    ObjectName {
        schema: schema.map(str::to_string),
        name: name.to_string(),
    }
    .key()
}

impl Schema {
    pub fn table(&self, name: &ObjectName) -> Option<&Table> {
        self.tables.get(&name.key())
    }

    pub fn column(&self, table: &ObjectName, column: &str) -> Option<&Column> {
        self.table(table)?.column(column)
    }

    /// An index by its (possibly schema-qualified) name, with the key of its table.
    pub fn index(&self, name: &ObjectName) -> Option<(&str, &Index)> {
        let table_key = self.index_tables.get(&name.key())?;
        let index = self.tables.get(table_key)?.index(&name.name)?;
        Some((table_key.as_str(), index))
    }

    /// A column from the ORM snapshot hint, when the history itself does not know the table.
    pub fn hinted_column(&self, table: &ObjectName, column: &str) -> Option<&Column> {
        if self.table(table).is_some() && !self.is_uncertain(table) {
            return None;
        }
        self.hints.get(&table.key())?.column(column)
    }

    pub fn is_uncertain(&self, table: &ObjectName) -> bool {
        self.uncertain.contains(&table.key())
    }

    /// Marks tables as not reliably followed.
    pub fn mark_uncertain(&mut self, table: &ObjectName) {
        self.uncertain.insert(table.key());
    }

    fn column_mut(&mut self, table: &ObjectName, column: &str) -> Option<&mut Column> {
        self.tables.get_mut(&table.key())?.column_mut(column)
    }

    /// Removes a table with its indexes, and the foreign keys of other tables that point at it
    /// (PostgreSQL refuses the drop without CASCADE, and drops them with it).
    fn remove_table(&mut self, key: &str) {
        if self.tables.remove(key).is_none() {
            return;
        }
        self.index_tables.retain(|_, t| t != key);
        for t in self.tables.values_mut() {
            t.constraints.retain(|c| {
                !(c.kind == ConstraintKind::ForeignKey
                    && c.references.as_ref().is_some_and(|r| r.key() == key))
            });
        }
    }

    /// A free index name for an unnamed `CREATE INDEX`, as PostgreSQL picks it (`t_a_b_idx`,
    /// then `t_a_b_idx1`, …).
    fn choose_index_name(&self, table: &ObjectName, columns: &[String]) -> String {
        let schema = table.schema.as_deref();
        let mut name = object_name(&table.name, columns, "idx");
        let mut n = 0;
        while self.index_tables.contains_key(&index_key(schema, &name)) {
            n += 1;
            name = object_name(&table.name, columns, &format!("idx{n}"));
        }
        name
    }

    fn drop_index(&mut self, name: &ObjectName) {
        if let Some(table_key) = self.index_tables.remove(&name.key()) {
            if let Some(t) = self.tables.get_mut(&table_key) {
                t.indexes
                    .retain(|i| i.name.as_deref() != Some(name.name.as_str()));
            }
        }
    }

    /// Applies one op of an up migration.
    pub fn apply(&mut self, op: &Op) {
        match op {
            Op::CreateTable {
                table,
                columns,
                constraints,
                ..
            } => {
                self.remove_table(&table.key());
                let mut t = Table {
                    columns: columns.iter().map(Column::from_def).collect(),
                    ..Table::default()
                };
                for c in constraints {
                    t.add_constraint(table, c.clone());
                }
                self.tables.insert(table.key(), t);
                self.uncertain.remove(&table.key());
            }
            Op::Drop {
                kind: ObjectKind::Table,
                names,
                ..
            } => {
                for n in names {
                    self.remove_table(&n.key());
                    self.uncertain.remove(&n.key());
                }
            }
            Op::Drop {
                kind: ObjectKind::Index,
                names,
                ..
            } => {
                for n in names {
                    self.drop_index(n);
                }
            }
            Op::Drop {
                kind: ObjectKind::Type | ObjectKind::Domain,
                names,
                ..
            } => {
                for n in names {
                    self.enums.remove(&n.key());
                }
            }
            Op::Drop {
                kind: ObjectKind::View | ObjectKind::MaterializedView,
                names,
                ..
            } => {
                for n in names {
                    self.views.remove(&n.key());
                }
            }
            Op::CreateView { view, .. } => {
                self.views.insert(view.key());
            }
            Op::Rename {
                kind: ObjectKind::Table,
                from,
                to,
            } => {
                let (old, new) = (from.key(), to.key());
                if let Some(t) = self.tables.remove(&old) {
                    // Indexes stay in the schema they were created in; only their table moves.
                    for v in self.index_tables.values_mut().filter(|v| **v == old) {
                        v.clone_from(&new);
                    }
                    self.tables.insert(new.clone(), t);
                }
                // Foreign keys follow the table they point at.
                for c in self
                    .tables
                    .values_mut()
                    .flat_map(|t| t.constraints.iter_mut())
                {
                    if c.references.as_ref().is_some_and(|r| r.key() == old) {
                        c.references = Some(to.clone());
                    }
                }
                if self.uncertain.remove(&old) {
                    self.uncertain.insert(new);
                }
            }
            Op::Rename {
                kind: ObjectKind::Index,
                from,
                to,
            } => {
                if let Some(table_key) = self.index_tables.remove(&from.key()) {
                    let schema = to.schema.as_deref().or(from.schema.as_deref());
                    self.index_tables
                        .insert(index_key(schema, &to.name), table_key.clone());
                    if let Some(t) = self.tables.get_mut(&table_key) {
                        for i in t
                            .indexes
                            .iter_mut()
                            .filter(|i| i.name.as_deref() == Some(from.name.as_str()))
                        {
                            i.name = Some(to.name.clone());
                        }
                    }
                }
            }
            Op::Rename {
                kind: ObjectKind::Type,
                from,
                to,
            } => {
                if let Some(labels) = self.enums.remove(&from.key()) {
                    self.enums.insert(to.key(), labels);
                }
            }
            Op::AddColumn { table, column, .. } => {
                if let Some(t) = self.tables.get_mut(&table.key()) {
                    if t.column(&column.name).is_none() {
                        t.columns.push(Column::from_def(column));
                        for c in inline_constraints(column) {
                            t.add_constraint(table, c);
                        }
                    }
                }
            }
            Op::DropColumn { table, column, .. } => {
                if let Some(t) = self.tables.get_mut(&table.key()) {
                    for name in t.drop_column(column) {
                        self.index_tables
                            .remove(&index_key(table.schema.as_deref(), &name));
                    }
                }
            }
            Op::RenameColumn { table, from, to } => {
                if let Some(t) = self.tables.get_mut(&table.key()) {
                    t.rename_column(from, to);
                }
            }
            Op::AlterColumnType {
                table,
                column,
                new_type,
                ..
            } => {
                if let Some(c) = self.column_mut(table, column) {
                    c.data_type = new_type.clone();
                }
            }
            Op::SetNotNull { table, column } => {
                if let Some(c) = self.column_mut(table, column) {
                    c.not_null = true;
                }
            }
            Op::DropNotNull { table, column } => {
                if let Some(c) = self.column_mut(table, column) {
                    c.not_null = false;
                }
            }
            Op::SetDefault {
                table,
                column,
                default,
            } => {
                if let Some(c) = self.column_mut(table, column) {
                    c.default = *default;
                }
            }
            Op::DropDefault { table, column } => {
                if let Some(c) = self.column_mut(table, column) {
                    c.default = DefaultKind::None;
                }
            }
            Op::AddConstraint {
                table,
                name,
                kind,
                using_index,
                columns,
                references,
                ..
            } => {
                let schema = table.schema.as_deref();
                let Some(t) = self.tables.get_mut(&table.key()) else {
                    return;
                };
                let mut columns = columns.clone();
                // `… USING INDEX i` turns index `i` into the constraint's index.
                if *using_index && columns.is_empty() {
                    if let Some(pos) = name
                        .as_deref()
                        .and_then(|n| t.indexes.iter().position(|i| i.name.as_deref() == Some(n)))
                    {
                        let index = t.indexes.remove(pos);
                        columns = index.columns;
                        if let Some(n) = index.name {
                            self.index_tables.remove(&index_key(schema, &n));
                        }
                    }
                }
                t.add_constraint(
                    table,
                    ConstraintDef {
                        kind: *kind,
                        name: name.clone(),
                        columns,
                        references: references.clone(),
                    },
                );
            }
            Op::DropConstraint {
                table,
                name: Some(name),
                ..
            } => {
                if let Some(t) = self.tables.get_mut(&table.key()) {
                    t.constraints.retain(|c| c.name.as_ref() != Some(name));
                }
            }
            Op::RenameConstraint { table, from, to } => {
                if let Some(t) = self.tables.get_mut(&table.key()) {
                    for c in t
                        .constraints
                        .iter_mut()
                        .filter(|c| c.name.as_ref() == Some(from))
                    {
                        c.name = Some(to.clone());
                    }
                }
            }
            Op::CreateIndex {
                name,
                table,
                unique,
                if_not_exists,
                columns,
                ..
            } => {
                if !self.tables.contains_key(&table.key()) {
                    return;
                }
                let schema = table.schema.as_deref();
                let name = match name {
                    Some(n) => n.name.clone(),
                    None => self.choose_index_name(table, columns),
                };
                let key = index_key(schema, &name);
                if self.index_tables.contains_key(&key) {
                    if *if_not_exists {
                        return;
                    }
                    // The history re-creates an index we think exists: trust the history.
                    self.drop_index(&ObjectName {
                        schema: schema.map(str::to_string),
                        name: name.clone(),
                    });
                }
                self.index_tables.insert(key, table.key());
                if let Some(t) = self.tables.get_mut(&table.key()) {
                    t.indexes.push(Index {
                        name: Some(name),
                        columns: columns.clone(),
                        unique: *unique,
                    });
                }
            }
            Op::CreateType {
                name,
                enum_labels: Some(labels),
            } => {
                self.enums.insert(name.key(), labels.clone());
            }
            Op::AddEnumValue {
                type_name, value, ..
            } => {
                if let Some(labels) = self.enums.get_mut(&type_name.key()) {
                    if !labels.contains(value) {
                        labels.push(value.clone());
                    }
                }
            }
            Op::RenameEnumValue {
                type_name,
                from,
                to,
            } => {
                if let Some(labels) = self.enums.get_mut(&type_name.key()) {
                    for l in labels.iter_mut().filter(|l| *l == from) {
                        l.clone_from(to);
                    }
                }
            }
            Op::Unknown { .. } => {}
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::ColumnDef;

    #[test]
    fn follows_renames_and_type_changes() {
        let mut s = Schema::default();
        let t = ObjectName::new("users");
        let mut email = ColumnDef::named("email");
        email.data_type = Some("varchar(100)".into());
        s.apply(&Op::CreateTable {
            table: t.clone(),
            columns: vec![email],
            constraints: vec![],
            if_not_exists: false,
        });
        s.apply(&Op::RenameColumn {
            table: t.clone(),
            from: "email".into(),
            to: "mail".into(),
        });
        s.apply(&Op::AlterColumnType {
            table: t.clone(),
            column: "mail".into(),
            new_type: Some("text".into()),
            using: None,
        });
        let renamed = ObjectName::new("accounts");
        s.apply(&Op::Rename {
            kind: ObjectKind::Table,
            from: t.clone(),
            to: renamed.clone(),
        });
        assert!(s.table(&t).is_none());
        assert_eq!(
            s.column(&renamed, "mail").unwrap().data_type.as_deref(),
            Some("text")
        );
    }

    /// Replays SQL through the real lowering, as the engine does.
    fn replay(sql: &str) -> Schema {
        let split = crate::split::split(sql);
        let mut s = Schema::default();
        for seg in &split.segments {
            if seg.kind != crate::split::SegmentKind::Statement {
                continue;
            }
            let lowered = crate::analyze::lower(sql, &split.tokens[seg.tokens.clone()]);
            for op in &lowered.ops {
                s.apply(op);
            }
        }
        s
    }

    fn n(name: &str) -> ObjectName {
        ObjectName::new(name)
    }

    fn cols(c: &[&str]) -> Vec<String> {
        c.iter().map(|c| c.to_string()).collect()
    }

    const BOOKS: &str = "
CREATE TABLE author (id serial PRIMARY KEY, name text NOT NULL DEFAULT 'x');
CREATE TABLE book (
    id bigint GENERATED ALWAYS AS IDENTITY,
    author_id int NOT NULL REFERENCES author (id) ON DELETE CASCADE,
    isbn text CONSTRAINT book_isbn_uq UNIQUE,
    title text,
    created_at timestamptz DEFAULT clock_timestamp(),
    CONSTRAINT book_pk PRIMARY KEY (id),
    CHECK (length(title) > 0)
);
";

    #[test]
    fn create_table_keeps_defaults_and_constraints() {
        let s = replay(BOOKS);
        let author = s.table(&n("author")).unwrap();
        assert_eq!(
            author.column("name").unwrap().default,
            DefaultKind::Constant
        );
        assert_eq!(author.column("id").unwrap().default, DefaultKind::None);
        assert!(author.column("id").unwrap().not_null);
        assert_eq!(
            author.primary_key().unwrap().name.as_deref(),
            Some("author_pkey")
        );

        let book = s.table(&n("book")).unwrap();
        assert_eq!(
            book.column("created_at").unwrap().default,
            DefaultKind::Volatile
        );
        let fk = book.constraint("book_author_id_fkey").unwrap();
        assert_eq!(fk.kind, ConstraintKind::ForeignKey);
        assert_eq!(fk.columns, cols(&["author_id"]));
        assert_eq!(fk.references, Some(n("author")));
        let uq = book.constraint("book_isbn_uq").unwrap();
        assert_eq!(
            (uq.kind, uq.columns.clone()),
            (ConstraintKind::Unique, cols(&["isbn"]))
        );
        assert_eq!(book.primary_key().unwrap().name.as_deref(), Some("book_pk"));
        assert!(book.column("id").unwrap().not_null);
        assert!(book
            .constraints
            .iter()
            .any(|c| c.kind == ConstraintKind::Check));
        // PRIMARY KEY and UNIQUE constraints are backed by an index.
        assert!(book.has_index_leading_with(&cols(&["id"])));
        assert!(book.has_index_leading_with(&cols(&["isbn"])));
        assert!(!book.has_index_leading_with(&cols(&["author_id"])));
        assert!(book.indexes.is_empty());
    }

    #[test]
    fn indexes_cover_leading_columns_in_any_order() {
        let s = replay(&format!(
            "{BOOKS}
CREATE INDEX book_author_title_idx ON book USING btree (author_id DESC, title text_pattern_ops);
CREATE UNIQUE INDEX ON book (lower(title));"
        ));
        let book = s.table(&n("book")).unwrap();
        let idx = book.index("book_author_title_idx").unwrap();
        assert_eq!(idx.columns, cols(&["author_id", "title"]));
        assert!(!idx.unique);
        // PostgreSQL's own name for the unnamed one.
        let expr = book.index("book_lower_idx").unwrap();
        assert_eq!(expr.columns, cols(&["(lower(title))"]));
        assert!(expr.unique);
        assert_eq!(s.index(&n("book_lower_idx")).unwrap().0, "book");

        assert!(book.has_index_leading_with(&cols(&["author_id"])));
        assert!(book.has_index_leading_with(&cols(&["author_id", "title"])));
        assert!(book.has_index_leading_with(&cols(&["title", "author_id"])));
        assert!(!book.has_index_leading_with(&cols(&["title"])));
        assert!(!book.has_index_leading_with(&cols(&["author_id", "isbn"])));
        assert!(!book.has_index_leading_with(&[]));
    }

    #[test]
    fn add_column_brings_its_constraints() {
        let s = replay(&format!(
            "{BOOKS}
ALTER TABLE book ADD COLUMN editor_id int REFERENCES author, ADD COLUMN slug text UNIQUE DEFAULT 'a';
ALTER TABLE book ADD COLUMN editor_id text;"
        ));
        let book = s.table(&n("book")).unwrap();
        let editor = book.column("editor_id").unwrap();
        assert_eq!(editor.data_type.as_deref(), Some("int"));
        let fk = book.constraint("book_editor_id_fkey").unwrap();
        assert_eq!(fk.references, Some(n("author")));
        assert_eq!(book.column("slug").unwrap().default, DefaultKind::Constant);
        assert!(book.constraint("book_slug_key").is_some());
        assert!(book.has_index_leading_with(&cols(&["slug"])));
    }

    #[test]
    fn drop_column_drops_its_constraints_and_indexes() {
        let s = replay(&format!(
            "{BOOKS}
CREATE INDEX book_author_title_idx ON book (author_id, title);
CREATE INDEX book_title_lower ON book ((lower(title)));
CREATE INDEX book_isbn_idx ON book (isbn);
ALTER TABLE book DROP COLUMN author_id;
ALTER TABLE book DROP COLUMN title;"
        ));
        let book = s.table(&n("book")).unwrap();
        assert!(book.column("author_id").is_none());
        assert!(book.constraint("book_author_id_fkey").is_none());
        assert!(book.index("book_author_title_idx").is_none());
        assert!(book.index("book_title_lower").is_none());
        assert!(s.index(&n("book_author_title_idx")).is_none());
        assert!(!s.index_tables.contains_key("book_title_lower"));
        assert!(book.index("book_isbn_idx").is_some());
        assert!(book.constraint("book_isbn_uq").is_some());
    }

    #[test]
    fn rename_column_follows_into_constraints_and_indexes() {
        let s = replay(&format!(
            "{BOOKS}
CREATE INDEX book_author_idx ON book (author_id);
ALTER TABLE book RENAME COLUMN author_id TO writer_id;"
        ));
        let book = s.table(&n("book")).unwrap();
        assert!(book.column("writer_id").is_some());
        assert_eq!(
            book.constraint("book_author_id_fkey").unwrap().columns,
            cols(&["writer_id"])
        );
        assert_eq!(
            book.index("book_author_idx").unwrap().columns,
            cols(&["writer_id"])
        );
        assert!(book.has_index_leading_with(&cols(&["writer_id"])));
        assert!(!book.has_index_leading_with(&cols(&["author_id"])));
    }

    #[test]
    fn drop_and_rename_index() {
        let s = replay(&format!(
            "{BOOKS}
CREATE INDEX book_author_idx ON book (author_id);
CREATE INDEX book_title_idx ON book (title);
ALTER INDEX book_title_idx RENAME TO book_title_ix;
DROP INDEX CONCURRENTLY IF EXISTS book_author_idx, missing_idx;"
        ));
        let book = s.table(&n("book")).unwrap();
        assert!(book.index("book_author_idx").is_none());
        assert!(!book.has_index_leading_with(&cols(&["author_id"])));
        assert!(book.index("book_title_idx").is_none());
        assert_eq!(
            book.index("book_title_ix").unwrap().columns,
            cols(&["title"])
        );
        assert_eq!(s.index_tables.keys().collect::<Vec<_>>(), ["book_title_ix"]);
        // The same name can be used again.
        let s = replay(&format!(
            "{BOOKS}
CREATE INDEX ix ON book (title);
DROP INDEX ix;
CREATE INDEX ix ON book (author_id);
CREATE INDEX IF NOT EXISTS ix ON book (isbn);"
        ));
        let book = s.table(&n("book")).unwrap();
        assert_eq!(book.indexes.len(), 1);
        assert_eq!(book.index("ix").unwrap().columns, cols(&["author_id"]));
    }

    #[test]
    fn unnamed_indexes_get_distinct_names() {
        let s = replay(&format!(
            "{BOOKS}
CREATE INDEX ON book (author_id);
CREATE INDEX ON book (author_id);
DROP INDEX book_author_id_idx1;"
        ));
        let book = s.table(&n("book")).unwrap();
        let names: Vec<_> = book.indexes.iter().map(|i| i.name.as_deref()).collect();
        assert_eq!(names, [Some("book_author_id_idx")]);
    }

    #[test]
    fn constraints_added_dropped_and_renamed() {
        let s = replay(&format!(
            "{BOOKS}
ALTER TABLE book ADD CONSTRAINT book_title_fk FOREIGN KEY (title) REFERENCES author (name) NOT VALID;
ALTER TABLE book ADD UNIQUE (title, author_id);
ALTER TABLE book RENAME CONSTRAINT book_isbn_uq TO book_isbn_key;
ALTER TABLE book DROP CONSTRAINT book_author_id_fkey;
ALTER TABLE book DROP CONSTRAINT IF EXISTS nothing_here;"
        ));
        let book = s.table(&n("book")).unwrap();
        let fk = book.constraint("book_title_fk").unwrap();
        assert_eq!(
            (fk.kind, fk.columns.clone(), fk.references.clone()),
            (
                ConstraintKind::ForeignKey,
                cols(&["title"]),
                Some(n("author"))
            )
        );
        assert_eq!(
            book.constraint("book_title_author_id_key").unwrap().columns,
            cols(&["title", "author_id"])
        );
        assert!(book.constraint("book_isbn_uq").is_none());
        assert!(book.constraint("book_isbn_key").is_some());
        assert!(book.constraint("book_author_id_fkey").is_none());
        assert!(book.has_index_leading_with(&cols(&["author_id", "title"])));
        assert!(book.has_index_leading_with(&cols(&["title"])));
    }

    #[test]
    fn primary_key_added_later_and_using_index() {
        let s = replay(
            "CREATE TABLE t (a int, b int);
CREATE UNIQUE INDEX t_b_idx ON t (b);
ALTER TABLE t ADD PRIMARY KEY (a);
ALTER TABLE t ADD UNIQUE USING INDEX t_b_idx;",
        );
        let t = s.table(&n("t")).unwrap();
        assert!(t.column("a").unwrap().not_null);
        assert_eq!(t.primary_key().unwrap().name.as_deref(), Some("t_pkey"));
        // The index became the constraint's.
        assert!(t.indexes.is_empty());
        assert!(s.index_tables.is_empty());
        assert_eq!(t.constraint("t_b_idx").unwrap().columns, cols(&["b"]));
        assert!(t.has_index_leading_with(&cols(&["b"])));
    }

    #[test]
    fn set_and_drop_default() {
        let s = replay(
            "CREATE TABLE t (a int, b timestamptz DEFAULT now());
ALTER TABLE t ALTER COLUMN a SET DEFAULT random();
ALTER TABLE t ALTER COLUMN b DROP DEFAULT;",
        );
        let t = s.table(&n("t")).unwrap();
        assert_eq!(t.column("a").unwrap().default, DefaultKind::Volatile);
        assert_eq!(t.column("b").unwrap().default, DefaultKind::None);
    }

    #[test]
    fn table_rename_keeps_indexes_and_constraints() {
        let s = replay(&format!(
            "{BOOKS}
CREATE INDEX book_author_idx ON book (author_id);
ALTER TABLE book RENAME TO volume;
ALTER TABLE author RENAME TO writer;
DROP INDEX book_author_idx;
CREATE INDEX volume_title_idx ON volume (title);"
        ));
        assert!(s.table(&n("book")).is_none());
        let volume = s.table(&n("volume")).unwrap();
        assert!(volume.index("book_author_idx").is_none());
        assert_eq!(s.index(&n("volume_title_idx")).unwrap().0, "volume");
        assert!(volume.has_index_leading_with(&cols(&["id"])));
        // The foreign key follows the table it points at.
        assert_eq!(
            volume.constraint("book_author_id_fkey").unwrap().references,
            Some(n("writer"))
        );
    }

    #[test]
    fn drop_table_forgets_its_indexes_and_foreign_keys_to_it() {
        let s = replay(&format!(
            "{BOOKS}
CREATE INDEX book_author_idx ON book (author_id);
DROP TABLE author CASCADE;
DROP TABLE book;
CREATE TABLE book (id int);
CREATE INDEX book_author_idx ON book (id);"
        ));
        let book = s.table(&n("book")).unwrap();
        assert_eq!(book.indexes.len(), 1);
        assert!(book.constraints.is_empty());
        let s = replay(&format!("{BOOKS}\nDROP TABLE author CASCADE;"));
        let book = s.table(&n("book")).unwrap();
        assert!(book.constraint("book_author_id_fkey").is_none());
    }

    #[test]
    fn schema_qualified_indexes() {
        let s = replay(
            "CREATE TABLE app.t (a int, b int);
CREATE INDEX t_a_idx ON app.t (a);
CREATE INDEX ON app.t (b);
DROP INDEX app.t_b_idx;",
        );
        let t = s.table(&ObjectName::qualified("app", "t")).unwrap();
        assert_eq!(t.indexes.len(), 1);
        assert!(s.index(&ObjectName::qualified("app", "t_a_idx")).is_some());
        assert!(s.index(&n("t_a_idx")).is_none());
    }

    #[test]
    fn generated_names_are_truncated_like_postgres() {
        let long = "a".repeat(40);
        let name = object_name(&long, &cols(&[&"b".repeat(40)]), "fkey");
        assert_eq!(name.len(), 63);
        assert_eq!(name, format!("{}_{}_fkey", "a".repeat(29), "b".repeat(28)));
        assert_eq!(
            object_name("t", &cols(&["(a + b)", "c"]), "idx"),
            "t_expr_c_idx"
        );
        assert_eq!(object_name("t", &cols(&["(s.f(a))"]), "idx"), "t_f_idx");
    }

    #[test]
    fn expression_keys_use_columns_by_whole_word() {
        assert!(key_uses("(lower(title))", "title"));
        assert!(!key_uses("(lower(subtitle))", "title"));
        assert!(!key_uses("subtitle", "title"));
    }
}
