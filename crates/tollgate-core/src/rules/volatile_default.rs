//! `volatile-default`: Adds a column whose default or generated value rewrites the whole table.

use super::{Ctx, Hits, RuleMeta};
use crate::model::Class;
use crate::ops::{DefaultKind, Op};

pub const META: RuleMeta = RuleMeta {
    id: "volatile-default",
    class: Some(Class::Risky),
    summary: "Adds a column whose default or generated value rewrites the whole table.",
};

pub fn check(ctx: &Ctx, op: &Op, hits: &mut Hits) {
    let Op::AddColumn { table, column, .. } = op else {
        return;
    };
    if ctx.table_is_new(table) {
        return;
    }
    let col = format!("`{table}.{}`", column.name);
    let message = if column.generated_stored {
        format!("adds generated column {col}: every row is computed and the table rewritten under an ACCESS EXCLUSIVE lock")
    } else if column.identity {
        format!("adds identity/serial column {col}: every existing row gets a value, rewriting the table")
    } else {
        match column.default {
            DefaultKind::Volatile => format!("adds column {col} with a volatile default: every row is rewritten under an ACCESS EXCLUSIVE lock"),
            DefaultKind::Unknown => format!("adds column {col} with a default tollgate cannot judge; if it is volatile, the table is rewritten"),
            DefaultKind::Constant if ctx.policy.postgres_version < 11 => {
                format!("adds column {col} with a default: before PostgreSQL 11 every row is rewritten")
            }
            _ => return,
        }
    };
    hits.push(
        &META,
        message,
        "add the column without a default (or with a constant one), set the default for new rows, then backfill existing rows in batches",
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn flags_uuid_default() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"ALTER TABLE users ADD COLUMN public_id uuid DEFAULT gen_random_uuid();"#
        ));
    }

    #[test]
    fn ignores_constant_default() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT true;"#
        ));
    }

    const META_ID: &str = super::META.id;
}
