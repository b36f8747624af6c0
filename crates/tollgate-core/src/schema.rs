//! A static model of the schema, replayed from the migration history.
//!
//! The rules use it to know a column's type and nullability before a statement runs (a type
//! change to the same type is a no-op; `varchar(100)` → `varchar(255)` widens). It follows
//! creates, alters, renames and drops. Statements it cannot follow mark the tables they touch as
//! uncertain, so verdicts that depend on them can say so instead of guessing.

use std::collections::{BTreeMap, BTreeSet};

use crate::ops::{ObjectKind, ObjectName, Op};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub data_type: Option<String>,
    pub not_null: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    pub columns: Vec<Column>,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns.iter_mut().find(|c| c.name == name)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Schema {
    pub tables: BTreeMap<String, Table>,
    pub enums: BTreeMap<String, Vec<String>>,
    pub views: BTreeSet<String>,
    /// Tables whose shape we could not follow (unparsed DDL, DO blocks).
    pub uncertain: BTreeSet<String>,
    /// Shapes from an ORM's own schema snapshot (MikroORM `.snapshot-*.json`). Only a hint:
    /// consulted when the replayed history does not know the table, and only to tell the user
    /// more, never to decide a verdict.
    pub hints: BTreeMap<String, Table>,
}

impl Schema {
    pub fn table(&self, name: &ObjectName) -> Option<&Table> {
        self.tables.get(&name.key())
    }

    pub fn column(&self, table: &ObjectName, column: &str) -> Option<&Column> {
        self.table(table)?.column(column)
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

    /// Applies one op of an up migration.
    pub fn apply(&mut self, op: &Op) {
        match op {
            Op::CreateTable { table, columns, .. } => {
                let cols = columns
                    .iter()
                    .map(|c| Column {
                        name: c.name.clone(),
                        data_type: c.data_type.clone(),
                        not_null: c.not_null || c.primary_key,
                    })
                    .collect();
                self.tables.insert(table.key(), Table { columns: cols });
                self.uncertain.remove(&table.key());
            }
            Op::Drop {
                kind: ObjectKind::Table,
                names,
                ..
            } => {
                for n in names {
                    self.tables.remove(&n.key());
                    self.uncertain.remove(&n.key());
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
                if let Some(t) = self.tables.remove(&from.key()) {
                    self.tables.insert(to.key(), t);
                }
                if self.uncertain.remove(&from.key()) {
                    self.uncertain.insert(to.key());
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
                        t.columns.push(Column {
                            name: column.name.clone(),
                            data_type: column.data_type.clone(),
                            not_null: column.not_null || column.primary_key,
                        });
                    }
                }
            }
            Op::DropColumn { table, column, .. } => {
                if let Some(t) = self.tables.get_mut(&table.key()) {
                    t.columns.retain(|c| &c.name != column);
                }
            }
            Op::RenameColumn { table, from, to } => {
                if let Some(c) = self
                    .tables
                    .get_mut(&table.key())
                    .and_then(|t| t.column_mut(from))
                {
                    c.name = to.clone();
                }
            }
            Op::AlterColumnType {
                table,
                column,
                new_type,
                ..
            } => {
                if let Some(c) = self
                    .tables
                    .get_mut(&table.key())
                    .and_then(|t| t.column_mut(column))
                {
                    c.data_type = new_type.clone();
                }
            }
            Op::SetNotNull { table, column } => {
                if let Some(c) = self
                    .tables
                    .get_mut(&table.key())
                    .and_then(|t| t.column_mut(column))
                {
                    c.not_null = true;
                }
            }
            Op::DropNotNull { table, column } => {
                if let Some(c) = self
                    .tables
                    .get_mut(&table.key())
                    .and_then(|t| t.column_mut(column))
                {
                    c.not_null = false;
                }
            }
            Op::AddConstraint {
                table,
                kind: crate::ops::ConstraintKind::PrimaryKey,
                columns,
                ..
            } => {
                if let Some(t) = self.tables.get_mut(&table.key()) {
                    for col in columns {
                        if let Some(c) = t.column_mut(col) {
                            c.not_null = true;
                        }
                    }
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
}
