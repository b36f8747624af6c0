//! The rule registry. Each rule lives in its own file with its metadata, its check and its
//! tests; this module lists them in one place for the engine, the policy, the docs and WASM.
//!
//! A rule looks at one [`Op`] with the [`Ctx`] of its statement and pushes [`Hit`]s. Rules never
//! decide severities: the policy does. A hit's class always counts toward the statement's class,
//! even when the policy switches the rule off, so the review-label gate stays honest.

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};

use crate::model::{Class, TransactionMode};
use crate::ops::{ObjectKind, ObjectName, Op};
use crate::policy::Policy;
use crate::schema::Schema;
use rename_as_drop_add::ColumnPairing;

pub mod applied_migration_changed;
pub mod blocking_lock;
pub mod blocking_lock_without_timeout;
pub mod classification_mismatch;
pub mod cluster_table;
pub mod concurrently_in_transaction;
pub mod constraint_without_not_valid;
pub mod create_index_without_concurrently;
pub mod ddl_in_function_body;
pub mod delete_rows;
pub mod down_does_not_restore;
pub mod down_loses_data;
pub mod down_restores_schema_only;
pub mod drop_column;
pub mod drop_database;
pub mod drop_enum_value;
pub mod drop_function;
pub mod drop_index_without_concurrently;
pub mod drop_materialized_view;
pub mod drop_schema;
pub mod drop_sequence;
pub mod drop_table;
pub mod drop_trigger;
pub mod drop_type;
pub mod drop_view;
pub mod dump_not_scanned;
pub mod duplicate_migration_version;
pub mod enum_value_in_transaction;
pub mod fails_on_populated_table;
pub mod foreign_key_without_index;
pub mod invalid_suppression;
pub mod lock_table;
pub mod lock_timeout_missing;
pub mod locking_statement;
pub mod migration_failed;
pub mod migration_failure_ignored;
pub mod mikro_orm_all_or_nothing;
pub mod missing_down;
pub mod opaque_dump;
pub mod orphan_down_migration;
pub mod out_of_order_migration;
pub mod personal_column_not_anonymized;
pub mod personal_data_in_dump;
pub mod prefer_jsonb;
pub mod reindex_without_concurrently;
pub mod rename_as_drop_add;
pub mod rename_column;
pub mod rename_enum_value;
pub mod rename_object;
pub mod rename_table;
pub mod schema_sync_at_startup;
pub mod set_not_null;
pub mod split_statement;
pub mod table_rewrite;
pub mod truncate_table;
pub mod type_change_rewrite;
pub mod unanalysable_sql;
pub mod unique_constraint_without_index;
pub mod unknown_rule_in_suppression;
pub mod unknown_statement;
pub mod unparsed_statement;
pub mod unrecognised_migration_file;
pub mod unsafe_type_change;
pub mod unused_suppression;
pub mod update_rows;
pub mod vacuum_full;
pub mod volatile_default;

/// Static description of a rule.
#[derive(Debug, Clone, Copy)]
pub struct RuleMeta {
    /// Stable kebab-case id, used in config, suppressions and reports.
    pub id: &'static str,
    /// The class a hit of this rule gives its statement; `None` for rules about the analysis
    /// itself (suppressions, parse depth).
    pub class: Option<Class>,
    pub summary: &'static str,
}

impl RuleMeta {
    /// The rule's documentation page.
    pub fn doc_url(&self) -> String {
        doc_url(self.id)
    }
}

pub const DOCS_BASE: &str = "https://github.com/tollgate-dev/tollgate/blob/main/docs/rules/";

pub fn doc_url(id: &str) -> String {
    format!("{DOCS_BASE}{id}.md")
}

pub type CheckFn = fn(&Ctx, &Op, &mut Hits);

#[derive(Clone, Copy)]
pub struct Rule {
    pub meta: RuleMeta,
    pub check: CheckFn,
}

/// Every rule, in documentation order.
pub static RULES: &[Rule] = &[
    Rule {
        meta: drop_table::META,
        check: drop_table::check,
    },
    Rule {
        meta: drop_column::META,
        check: drop_column::check,
    },
    Rule {
        meta: drop_schema::META,
        check: drop_schema::check,
    },
    Rule {
        meta: drop_database::META,
        check: drop_database::check,
    },
    Rule {
        meta: drop_materialized_view::META,
        check: drop_materialized_view::check,
    },
    Rule {
        meta: drop_sequence::META,
        check: drop_sequence::check,
    },
    Rule {
        meta: drop_type::META,
        check: drop_type::check,
    },
    Rule {
        meta: drop_enum_value::META,
        check: drop_enum_value::check,
    },
    Rule {
        meta: rename_enum_value::META,
        check: rename_enum_value::check,
    },
    Rule {
        meta: truncate_table::META,
        check: truncate_table::check,
    },
    Rule {
        meta: delete_rows::META,
        check: delete_rows::check,
    },
    Rule {
        meta: rename_table::META,
        check: rename_table::check,
    },
    Rule {
        meta: rename_column::META,
        check: rename_column::check,
    },
    Rule {
        meta: rename_object::META,
        check: rename_object::check,
    },
    Rule {
        meta: unsafe_type_change::META,
        check: unsafe_type_change::check,
    },
    Rule {
        meta: rename_as_drop_add::META,
        check: rename_as_drop_add::check,
    },
    Rule {
        meta: split_statement::META,
        check: split_statement::check,
    },
    Rule {
        meta: drop_view::META,
        check: drop_view::check,
    },
    Rule {
        meta: drop_function::META,
        check: drop_function::check,
    },
    Rule {
        meta: drop_trigger::META,
        check: drop_trigger::check,
    },
    Rule {
        meta: create_index_without_concurrently::META,
        check: create_index_without_concurrently::check,
    },
    Rule {
        meta: drop_index_without_concurrently::META,
        check: drop_index_without_concurrently::check,
    },
    Rule {
        meta: reindex_without_concurrently::META,
        check: reindex_without_concurrently::check,
    },
    Rule {
        meta: set_not_null::META,
        check: set_not_null::check,
    },
    Rule {
        meta: constraint_without_not_valid::META,
        check: constraint_without_not_valid::check,
    },
    Rule {
        meta: unique_constraint_without_index::META,
        check: unique_constraint_without_index::check,
    },
    Rule {
        meta: foreign_key_without_index::META,
        check: foreign_key_without_index::check,
    },
    Rule {
        meta: volatile_default::META,
        check: volatile_default::check,
    },
    Rule {
        meta: fails_on_populated_table::META,
        check: fails_on_populated_table::check,
    },
    Rule {
        meta: type_change_rewrite::META,
        check: type_change_rewrite::check,
    },
    Rule {
        meta: vacuum_full::META,
        check: vacuum_full::check,
    },
    Rule {
        meta: cluster_table::META,
        check: cluster_table::check,
    },
    Rule {
        meta: lock_table::META,
        check: lock_table::check,
    },
    Rule {
        meta: locking_statement::META,
        check: locking_statement::check,
    },
    Rule {
        meta: update_rows::META,
        check: update_rows::check,
    },
    Rule {
        meta: enum_value_in_transaction::META,
        check: enum_value_in_transaction::check,
    },
    Rule {
        meta: concurrently_in_transaction::META,
        check: concurrently_in_transaction::check,
    },
    Rule {
        meta: lock_timeout_missing::META,
        check: lock_timeout_missing::check,
    },
    Rule {
        meta: prefer_jsonb::META,
        check: prefer_jsonb::check,
    },
    Rule {
        meta: ddl_in_function_body::META,
        check: ddl_in_function_body::check,
    },
    Rule {
        meta: unparsed_statement::META,
        check: unparsed_statement::check,
    },
    Rule {
        meta: unknown_statement::META,
        check: unknown_statement::check,
    },
    Rule {
        meta: unanalysable_sql::META,
        check: unanalysable_sql::check,
    },
    Rule {
        meta: unknown_rule_in_suppression::META,
        check: unknown_rule_in_suppression::check,
    },
    Rule {
        meta: unused_suppression::META,
        check: unused_suppression::check,
    },
    Rule {
        meta: invalid_suppression::META,
        check: invalid_suppression::check,
    },
    Rule {
        meta: missing_down::META,
        check: missing_down::check,
    },
    Rule {
        meta: personal_data_in_dump::META,
        check: personal_data_in_dump::check,
    },
    Rule {
        meta: opaque_dump::META,
        check: opaque_dump::check,
    },
    Rule {
        meta: dump_not_scanned::META,
        check: dump_not_scanned::check,
    },
    Rule {
        meta: personal_column_not_anonymized::META,
        check: personal_column_not_anonymized::check,
    },
    Rule {
        meta: migration_failed::META,
        check: migration_failed::check,
    },
    Rule {
        meta: down_does_not_restore::META,
        check: down_does_not_restore::check,
    },
    Rule {
        meta: down_loses_data::META,
        check: down_loses_data::check,
    },
    Rule {
        meta: blocking_lock::META,
        check: blocking_lock::check,
    },
    Rule {
        meta: blocking_lock_without_timeout::META,
        check: blocking_lock_without_timeout::check,
    },
    Rule {
        meta: table_rewrite::META,
        check: table_rewrite::check,
    },
    Rule {
        meta: classification_mismatch::META,
        check: classification_mismatch::check,
    },
    Rule {
        meta: down_restores_schema_only::META,
        check: down_restores_schema_only::check,
    },
    Rule {
        meta: mikro_orm_all_or_nothing::META,
        check: mikro_orm_all_or_nothing::check,
    },
    Rule {
        meta: duplicate_migration_version::META,
        check: duplicate_migration_version::check,
    },
    Rule {
        meta: out_of_order_migration::META,
        check: out_of_order_migration::check,
    },
    Rule {
        meta: applied_migration_changed::META,
        check: applied_migration_changed::check,
    },
    Rule {
        meta: orphan_down_migration::META,
        check: orphan_down_migration::check,
    },
    Rule {
        meta: unrecognised_migration_file::META,
        check: unrecognised_migration_file::check,
    },
    Rule {
        meta: schema_sync_at_startup::META,
        check: schema_sync_at_startup::check,
    },
    Rule {
        meta: migration_failure_ignored::META,
        check: migration_failure_ignored::check,
    },
];

pub fn find(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.meta.id == id)
}

pub fn is_known(id: &str) -> bool {
    find(id).is_some()
}

/// Which side of a migration is being analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
}

/// What a rule found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub rule: &'static str,
    pub class: Option<Class>,
    pub message: String,
    pub help: String,
}

#[derive(Debug, Default)]
pub struct Hits {
    pub items: Vec<Hit>,
}

impl Hits {
    pub fn push(&mut self, meta: &RuleMeta, message: impl Into<String>, help: impl Into<String>) {
        self.items.push(Hit {
            rule: meta.id,
            class: meta.class,
            message: message.into(),
            help: help.into(),
        });
    }

    /// A hit whose class differs from the rule's usual class (for example a type change that is
    /// only risky for one pair of types).
    pub fn push_class(
        &mut self,
        meta: &RuleMeta,
        class: Option<Class>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.items.push(Hit {
            rule: meta.id,
            class,
            message: message.into(),
            help: help.into(),
        });
    }
}

/// Groups of object kinds that share a namespace for the same-migration exemptions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Namespace {
    Relation,
    View,
    Index,
    Function,
    Trigger,
    Type,
    Sequence,
    Schema,
    Column,
    Other,
}

impl Namespace {
    pub fn of(kind: ObjectKind) -> Namespace {
        match kind {
            ObjectKind::Table => Namespace::Relation,
            ObjectKind::View | ObjectKind::MaterializedView => Namespace::View,
            ObjectKind::Index => Namespace::Index,
            ObjectKind::Function | ObjectKind::Procedure => Namespace::Function,
            ObjectKind::Trigger => Namespace::Trigger,
            ObjectKind::Type | ObjectKind::Domain => Namespace::Type,
            ObjectKind::Sequence => Namespace::Sequence,
            ObjectKind::Schema => Namespace::Schema,
            _ => Namespace::Other,
        }
    }
}

/// Objects created (or re-created) in one migration part, with the index of the statement that
/// created them. Built before the rules run, so rules can look ahead for replacements.
#[derive(Debug, Default, Clone)]
pub struct MigrationScope {
    created: Vec<(Namespace, String, usize)>,
    /// `created` by namespace and key: the statements that created each object, so that the
    /// rules' lookups (several per statement) don't scan the whole part.
    created_by_key: HashMap<Namespace, HashMap<String, Vec<usize>>>,
    /// For a down: what its up created. Reversing those is the down's job, not a loss.
    inherited: Vec<(Namespace, String)>,
    /// `inherited` by namespace, for the lookups (by `&str`, without building a key).
    inherited_keys: HashMap<Namespace, HashSet<String>>,
    /// Indexes created in this part: (table key, key columns, statement index). Includes the
    /// indexes PostgreSQL builds for PRIMARY KEY and UNIQUE constraints.
    indexes: Vec<(String, Vec<String>, usize)>,
    shapes: Vec<ShapeEvent>,
    /// The drop + add column pairings of `rename-as-drop-add` per table key, made from `shapes`
    /// on first use (once per part instead of once per dropped column).
    column_pairings: OnceCell<HashMap<String, Vec<ColumnPairing>>>,
}

impl MigrationScope {
    pub fn record(&mut self, ns: Namespace, key: String, stmt: usize) {
        self.created_by_key
            .entry(ns)
            .or_default()
            .entry(key.clone())
            .or_default()
            .push(stmt);
        self.created.push((ns, key, stmt));
    }

    fn created_between(&self, ns: Namespace, key: &str, lo: usize, hi: usize) -> bool {
        (lo == 0
            && self
                .inherited_keys
                .get(&ns)
                .is_some_and(|keys| keys.contains(key)))
            || self
                .created_by_key
                .get(&ns)
                .and_then(|keys| keys.get(key))
                .is_some_and(|stmts| stmts.iter().any(|i| *i >= lo && *i < hi))
    }

    /// Everything this part created, to hand to its down.
    pub fn creations(&self) -> Vec<(Namespace, String)> {
        self.created
            .iter()
            .map(|(n, k, _)| (*n, k.clone()))
            .chain(self.inherited.iter().cloned())
            .collect()
    }

    pub fn inherit(&mut self, from_up: Vec<(Namespace, String)>) {
        self.inherited_keys.clear();
        for (ns, key) in &from_up {
            self.inherited_keys
                .entry(*ns)
                .or_default()
                .insert(key.clone());
        }
        self.inherited = from_up;
    }

    /// Records an index on table `table_key` (an [`ObjectName::key`]) created by statement
    /// `stmt` of this part.
    pub fn record_index(&mut self, table_key: String, columns: Vec<String>, stmt: usize) {
        if !columns.is_empty() {
            self.indexes.push((table_key, columns, stmt));
        }
    }

    /// Records the indexes `op` creates: `CREATE INDEX`, and the ones PostgreSQL builds for the
    /// PRIMARY KEY and UNIQUE constraints of `CREATE TABLE`, `ADD COLUMN` and `ADD CONSTRAINT`.
    pub fn record_indexes(&mut self, op: &Op, stmt: usize) {
        use crate::ops::ConstraintKind as K;
        let backed = |k: K| matches!(k, K::PrimaryKey | K::Unique);
        match op {
            Op::CreateIndex { table, columns, .. } => {
                self.record_index(table.key(), columns.clone(), stmt)
            }
            Op::CreateTable {
                table, constraints, ..
            } => {
                for c in constraints.iter().filter(|c| backed(c.kind)) {
                    self.record_index(table.key(), c.columns.clone(), stmt);
                }
            }
            Op::AddColumn { table, column, .. } if column.primary_key || column.unique => {
                self.record_index(table.key(), vec![column.name.clone()], stmt)
            }
            Op::AddConstraint {
                table,
                kind,
                columns,
                ..
            } if backed(*kind) => self.record_index(table.key(), columns.clone(), stmt),
            _ => {}
        }
    }

    /// Key columns of the indexes created anywhere in this part on table `table_key`, before or
    /// after the current statement.
    pub fn indexes_created_in_part<'s>(
        &'s self,
        table_key: &'s str,
    ) -> impl Iterator<Item = &'s [String]> + 's {
        self.indexes
            .iter()
            .filter(move |(t, _, _)| t == table_key)
            .map(|(_, cols, _)| cols.as_slice())
    }

    /// Records the table and column shapes a statement adds, drops or writes, for the
    /// drop + add pairing of `rename-as-drop-add`.
    pub fn record_shapes(&mut self, ops: &[Op], stmt: usize) {
        self.column_pairings.take();
        for op in ops {
            match op {
                Op::AddColumn { table, column, .. } => self.shapes.push(ShapeEvent {
                    stmt,
                    table: table.key(),
                    what: Shape::AddColumn {
                        name: column.name.clone(),
                        data_type: column.data_type.clone(),
                    },
                }),
                Op::DropColumn { table, column, .. } => self.shapes.push(ShapeEvent {
                    stmt,
                    table: table.key(),
                    what: Shape::DropColumn(column.clone()),
                }),
                Op::CreateTable { table, columns, .. } => self.shapes.push(ShapeEvent {
                    stmt,
                    table: table.key(),
                    what: Shape::CreateTable {
                        display: table.to_string(),
                        columns: columns.iter().map(|c| c.name.clone()).collect(),
                    },
                }),
                Op::Drop {
                    kind: ObjectKind::Table,
                    names,
                    ..
                } => {
                    for n in names {
                        self.shapes.push(ShapeEvent {
                            stmt,
                            table: n.key(),
                            what: Shape::DropTable,
                        });
                    }
                }
                Op::Insert { table } | Op::Update { table, .. } => self.shapes.push(ShapeEvent {
                    stmt,
                    table: table.key(),
                    what: Shape::Write,
                }),
                _ => {}
            }
        }
    }

    /// Table and column shape changes recorded by [`MigrationScope::record_shapes`].
    pub fn shapes(&self) -> &[ShapeEvent] {
        &self.shapes
    }

    /// The drop + add column pairings of the table `table_key` in this part, in the order
    /// [`rename_as_drop_add::pair_columns`] makes them.
    pub(crate) fn column_pairings(&self, table_key: &str) -> &[ColumnPairing] {
        self.column_pairings
            .get_or_init(|| {
                let mut by_table: HashMap<&str, Vec<&ShapeEvent>> = HashMap::new();
                for e in &self.shapes {
                    by_table.entry(e.table.as_str()).or_default().push(e);
                }
                by_table
                    .into_iter()
                    .map(|(table, events)| {
                        (table.to_string(), rename_as_drop_add::pair_columns(&events))
                    })
                    .collect()
            })
            .get(table_key)
            .map_or(&[], Vec::as_slice)
    }
}

/// A change to a table's shape (or a write to it) in one migration part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeEvent {
    pub stmt: usize,
    /// [`ObjectName::key`] of the table.
    pub table: String,
    pub what: Shape,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shape {
    AddColumn {
        name: String,
        data_type: Option<String>,
    },
    DropColumn(String),
    CreateTable {
        display: String,
        columns: Vec<String>,
    },
    DropTable,
    /// `INSERT` or `UPDATE`: rows are copied or backfilled.
    Write,
}

/// The context a rule sees for one statement.
pub struct Ctx<'a> {
    pub policy: &'a Policy,
    pub direction: Direction,
    pub transaction: TransactionMode,
    /// The tool wraps the whole batch in one transaction (MikroORM `allOrNothing`).
    pub batch_transaction: bool,
    /// Inside an explicit `BEGIN … COMMIT` of this file.
    pub in_explicit_transaction: bool,
    /// The statement sits inside a `DO` block (or a function called by the migration).
    pub in_do_block: bool,
    /// A `SET lock_timeout` ran earlier in this migration part.
    pub lock_timeout_set: bool,
    pub scope: &'a MigrationScope,
    pub stmt_index: usize,
    /// The schema as it stands just before this statement, replayed from the history.
    pub schema: &'a Schema,
}

impl Ctx<'_> {
    /// Created earlier in this migration part (Atlas and squawk exempt those too).
    pub fn created_here(&self, ns: Namespace, name: &ObjectName) -> bool {
        self.scope
            .created_between(ns, &name.key(), 0, self.stmt_index)
    }

    /// Re-created later in this migration part: a drop followed by a create is a replacement.
    pub fn recreated_later(&self, ns: Namespace, name: &ObjectName) -> bool {
        self.scope
            .created_between(ns, &name.key(), self.stmt_index + 1, usize::MAX)
    }

    /// A table (or materialized view, which indexes and locks the same way) created earlier in
    /// this migration part.
    pub fn table_is_new(&self, table: &ObjectName) -> bool {
        let key = table.key();
        [Namespace::Relation, Namespace::View]
            .into_iter()
            .any(|ns| self.scope.created_between(ns, &key, 0, self.stmt_index))
    }

    /// A column added earlier in this migration part.
    pub fn column_is_new(&self, table: &ObjectName, column: &str) -> bool {
        self.scope.created_between(
            Namespace::Column,
            &column_key(table, column),
            0,
            self.stmt_index,
        )
    }

    /// The statement runs inside a transaction block, so CONCURRENTLY and friends fail.
    pub fn in_transaction(&self) -> bool {
        self.in_explicit_transaction
            || self.in_do_block
            || self.batch_transaction
            || self.transaction == TransactionMode::Transactional
    }
}

pub fn column_key(table: &ObjectName, column: &str) -> String {
    format!("{}.{column}", table.key())
}

#[cfg(test)]
pub(crate) mod testing;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case_and_documented() {
        let mut seen = std::collections::HashSet::new();
        for r in RULES {
            let id = r.meta.id;
            assert!(seen.insert(id), "duplicate rule id {id}");
            assert!(
                id.chars().all(|c| c.is_ascii_lowercase() || c == '-') && !id.starts_with('-'),
                "{id} is not kebab-case"
            );
            let doc = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../docs/rules")
                .join(format!("{id}.md"));
            assert!(
                doc.exists(),
                "rule {id} has no doc page at {}",
                doc.display()
            );
        }
    }
}
