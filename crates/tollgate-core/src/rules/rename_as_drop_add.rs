//! `rename-as-drop-add`: A rename written as drop + add: the old column or table is dropped and a
//! look-alike added in the same migration, so every value is lost while `up` succeeds.
//!
//! ORM generators do this when a property is renamed *and* its type changes (drop the old column,
//! add a new one), or when an entity's table name changes (create the new table, drop the old).
//! This rule supersedes `drop-column` / `drop-table` on the statements it pairs, so a reviewer
//! sees one finding that says what probably happened.

use super::{Ctx, Hits, RuleMeta, Shape, ShapeEvent};
use crate::model::Class;
use crate::ops::{ObjectKind, ObjectName, Op};

pub const META: RuleMeta = RuleMeta {
    id: "rename-as-drop-add",
    class: Some(Class::Destructive),
    summary: "A column or table is dropped and a look-alike added in the same migration: a rename that loses every row.",
};

/// How alike two tables' column sets must be (shared names over the larger set) to pair them.
const TABLE_LIKENESS: f64 = 0.6;

pub fn check(ctx: &Ctx, op: &Op, hits: &mut Hits) {
    match op {
        Op::DropColumn { table, column, .. } => {
            let partners = column_partners(ctx, table, column);
            if partners.is_empty() {
                return;
            }
            let old_type = ctx
                .schema
                .column(table, column)
                .and_then(|c| c.data_type.clone());
            let uncertain = uncertain_note(ctx, table);
            let (message, help) = if let Some((_, t)) = partners.iter().find(|(n, _)| n == column) {
                (
                    format!(
                        "drops column `{table}.{column}` and adds it again{}: every value is lost, and `up` still succeeds{uncertain}",
                        type_change(old_type.as_deref(), t.as_deref())
                    ),
                    format!(
                        "change the type in place instead: `ALTER TABLE {table} ALTER COLUMN {column} TYPE … USING …` (check the data converts first), or add a new column, backfill it, and drop the old one in a later release"
                    ),
                )
            } else {
                let names = partners
                    .iter()
                    .map(|(n, t)| {
                        format!("`{n}`{}", type_change(old_type.as_deref(), t.as_deref()))
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                let (new, _) = &partners[0];
                (
                    format!(
                        "drops column `{table}.{column}` and adds {names} to the same table in the same migration: if this is a rename, every value of `{column}` is lost, and `up` still succeeds{uncertain}"
                    ),
                    format!(
                        "rename instead: `ALTER TABLE {table} RENAME COLUMN {column} TO {new};`, then change the type with `ALTER COLUMN {new} TYPE … USING …`; or expand and contract: add `{new}`, backfill it from `{column}` (`UPDATE {table} SET {new} = {column}`), switch the code, and drop `{column}` in a later release"
                    ),
                )
            };
            hits.push(&META, message, help);
        }
        Op::Drop {
            kind: ObjectKind::Table,
            names,
            ..
        } => {
            for old in names {
                let Some((new, shared)) = table_partner(ctx, old) else {
                    continue;
                };
                let uncertain = uncertain_note(ctx, old);
                let mut cols = shared
                    .iter()
                    .take(4)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ");
                if shared.len() > 4 {
                    cols.push_str(", …");
                }
                hits.push(
                    &META,
                    format!(
                        "drops table `{old}` and creates `{new}` with nearly the same columns ({cols}) in the same migration: if this is a rename, every row of `{old}` is lost, and `up` still succeeds{uncertain}"
                    ),
                    format!(
                        "rename instead: `ALTER TABLE {old} RENAME TO {new};`, then alter what differs; or create `{new}`, copy the rows (`INSERT INTO {new} SELECT … FROM {old}`), switch the code, and drop `{old}` in a later release"
                    ),
                );
            }
        }
        _ => {}
    }
}

fn uncertain_note(ctx: &Ctx, table: &ObjectName) -> &'static str {
    if ctx.schema.is_uncertain(table) {
        " (the table's history could not be fully followed)"
    } else {
        ""
    }
}

fn type_change(old: Option<&str>, new: Option<&str>) -> String {
    match (old, new) {
        (Some(o), Some(n)) if o != n => format!(" (`{o}` → `{n}`)"),
        (None, Some(n)) => format!(" (`{n}`)"),
        _ => String::new(),
    }
}

/// The column added to `table` in this migration part that looks like the dropped `column`'s
/// replacement. Drops and adds on one table are paired one to one: an add of the same name
/// first, then the nearest add by statement. Adds that are dropped again, or backfilled before
/// the drop (`UPDATE` between the add and the drop), are not replacements. Empty when the drop is
/// exempt (the table or column is new here) or has no partner.
pub(crate) fn column_partners(
    ctx: &Ctx,
    table: &ObjectName,
    column: &str,
) -> Vec<(String, Option<String>)> {
    if ctx.table_is_new(table) || ctx.column_is_new(table, column) {
        return Vec::new();
    }
    // The pairing of a table's drops and adds depends only on the part, not on the statement
    // asking: it is made once per table (`MigrationScope::column_pairings`), and this drop's
    // partner is the first pairing made for it.
    ctx.scope
        .column_pairings(&table.key())
        .iter()
        .find(|p| p.drop_at == ctx.stmt_index && p.dropped == column)
        .map(|p| vec![(p.added.clone(), p.data_type.clone())])
        .unwrap_or_default()
}

/// A dropped column paired with the added column that looks like its replacement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ColumnPairing {
    /// The statement of the drop.
    pub drop_at: usize,
    pub dropped: String,
    pub added: String,
    pub data_type: Option<String>,
}

/// Pairs the drops and adds of columns of one table (`events`: its shape events in statement
/// order), in the order they are made: drops and adds are paired one to one, an add of the same
/// name first, then the nearest add by statement. Adds that are dropped again, or backfilled
/// before the drop (`UPDATE` between the add and the drop), are not replacements.
pub(crate) fn pair_columns(events: &[&ShapeEvent]) -> Vec<ColumnPairing> {
    // Drops of columns that existed before this part, in order.
    let drops: Vec<(usize, &str)> = events
        .iter()
        .filter_map(|e| match &e.what {
            Shape::DropColumn(n)
                if !events.iter().any(|a| {
                    matches!(&a.what, Shape::AddColumn { name, .. } if name == n) && a.stmt < e.stmt
                }) =>
            {
                Some((e.stmt, n.as_str()))
            }
            _ => None,
        })
        .collect();
    let mut adds: Vec<(usize, &str, &Option<String>)> = events
        .iter()
        .filter_map(|e| match &e.what {
            Shape::AddColumn { name, data_type } => {
                let dropped_again = events.iter().any(|d| {
                    matches!(&d.what, Shape::DropColumn(n) if n == name) && d.stmt > e.stmt
                });
                (!dropped_again).then_some((e.stmt, name.as_str(), data_type))
            }
            _ => None,
        })
        .collect();
    let backfilled = |add_at: usize, drop_at: usize| {
        add_at < drop_at
            && events
                .iter()
                .any(|w| w.what == Shape::Write && w.stmt > add_at && w.stmt < drop_at)
    };
    let mut pairings = Vec::new();
    let mut paired = vec![false; drops.len()];
    for exact in [true, false] {
        for (k, &(drop_at, dropped)) in drops.iter().enumerate() {
            if paired[k] {
                continue;
            }
            let pick = adds
                .iter()
                .enumerate()
                .filter(|(_, (at, name, _))| {
                    (*name == dropped) == exact
                        && !backfilled(*at, drop_at)
                        && !(*at == drop_at && *name == dropped)
                })
                .min_by_key(|(_, (at, _, _))| at.abs_diff(drop_at))
                .map(|(i, _)| i);
            if let Some(i) = pick {
                paired[k] = true;
                let (_, name, data_type) = adds.remove(i);
                pairings.push(ColumnPairing {
                    drop_at,
                    dropped: dropped.to_string(),
                    added: name.to_string(),
                    data_type: data_type.clone(),
                });
            }
        }
    }
    pairings
}

/// A table created in this migration part whose columns look like those of the dropped `old`
/// (and into which no rows were copied before the drop), with the shared column names.
pub(crate) fn table_partner(ctx: &Ctx, old: &ObjectName) -> Option<(String, Vec<String>)> {
    if ctx.table_is_new(old) {
        return None;
    }
    let old_cols: Vec<&str> = ctx
        .schema
        .table(old)?
        .columns
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    if old_cols.is_empty() {
        return None;
    }
    let key = old.key();
    let drop_at = ctx.stmt_index;
    let shapes = ctx.scope.shapes();
    let mut best: Option<(f64, String, Vec<String>)> = None;
    for e in shapes {
        let Shape::CreateTable { display, columns } = &e.what else {
            continue;
        };
        if e.table == key || columns.is_empty() {
            continue;
        }
        let copied = e.stmt < drop_at
            && shapes.iter().any(|w| {
                w.table == e.table && w.what == Shape::Write && w.stmt > e.stmt && w.stmt < drop_at
            });
        if copied {
            continue;
        }
        let shared: Vec<String> = columns
            .iter()
            .filter(|c| old_cols.contains(&c.as_str()))
            .cloned()
            .collect();
        let likeness = shared.len() as f64 / old_cols.len().max(columns.len()) as f64;
        if likeness >= TABLE_LIKENESS && best.as_ref().is_none_or(|(b, _, _)| likeness > *b) {
            best = Some((likeness, display.clone(), shared));
        }
    }
    best.map(|(_, name, shared)| (name, shared))
}

#[cfg(test)]
mod tests {
    use crate::model::TransactionMode;
    use crate::rules::testing::{run_rule, run_rule_down};

    const META_ID: &str = super::META.id;

    #[test]
    fn flags_column_renamed_with_type_change() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"alter table "users" drop column "nickname";

alter table "users" add column "display_name" varchar(80) null;"#
        ));
    }

    #[test]
    fn flags_add_before_drop_and_one_statement() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"alter table "users" add column "mobile" varchar(32) null, drop column "phone";"#
        ));
    }

    #[test]
    fn flags_column_dropped_and_re_added() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"alter table "users" drop column "club_id";
alter table "users" add column "club_id" uuid null;"#
        ));
    }

    #[test]
    fn flags_table_renamed_as_create_and_drop() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"create table "app_user" ("id" int not null, "email" varchar(255) not null, "nickname" text null, "club_id" bigint null, "phone" text null, "created_at" timestamptz not null default now(), constraint "app_user_pkey" primary key ("id"));

drop table if exists "users" cascade;"#
        ));
    }

    #[test]
    fn supersedes_drop_column_and_drop_table() {
        let out = crate::rules::testing::run_rule(
            "drop-column",
            r#"alter table "users" drop column "nickname";
alter table "users" add column "display_name" varchar(80) null;
alter table "users" drop column "phone";"#,
        );
        assert!(!out.contains("nickname"), "{out}");
        assert!(out.contains("phone"), "{out}");
    }

    #[test]
    fn safe_rename_gets_nothing() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"alter table "users" rename column "nickname" to "display_name";
alter table "users" alter column "display_name" type varchar(80) using ("display_name"::varchar(80));
alter table "users" rename to "app_user";"#
        ));
    }

    #[test]
    fn backfilled_expand_and_contract_gets_nothing() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"alter table "users" add column "display_name" varchar(80) null;
update "users" set "display_name" = left("nickname", 80);
alter table "users" drop column "nickname";
create table "sessions_v2" ("id" bigint not null, "expires_at" timestamptz null, primary key ("id"));
insert into "sessions_v2" select "id", "expires_at" from "sessions";
drop table "sessions";"#
        ));
    }

    #[test]
    fn unrelated_tables_and_new_columns_get_nothing() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"create table "tag" ("id" serial primary key, "label" text not null);
drop table "sessions";
create table "scratch" ("a" int);
alter table "scratch" drop column "a";
alter table "scratch" add column "b" int;"#
        ));
    }

    #[test]
    fn down_reversing_the_up_is_not_a_rename() {
        insta::assert_snapshot!(run_rule_down(
            META_ID,
            r#"alter table "users" add column "display_name" varchar(80) null;"#,
            r#"alter table "users" drop column "display_name";"#,
            TransactionMode::Transactional,
        ));
    }
}
