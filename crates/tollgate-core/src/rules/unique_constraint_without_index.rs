//! `unique-constraint-without-index`: Adds a UNIQUE, PRIMARY KEY or EXCLUDE constraint that builds its index under a lock.

use super::{Ctx, Hits, RuleMeta};
use crate::model::Class;
use crate::ops::{ConstraintKind, Op};

pub const META: RuleMeta = RuleMeta {
    id: "unique-constraint-without-index",
    class: Some(Class::Risky),
    summary: "Adds a UNIQUE, PRIMARY KEY or EXCLUDE constraint that builds its index under a lock.",
};

pub fn check(ctx: &Ctx, op: &Op, hits: &mut Hits) {
    match op {
        Op::AddConstraint {
            table,
            name,
            kind:
                kind @ (ConstraintKind::Unique | ConstraintKind::PrimaryKey | ConstraintKind::Exclude),
            using_index: false,
            ..
        } => {
            if ctx.table_is_new(table) {
                return;
            }
            let name = name.as_ref().map(|n| format!(" `{n}`")).unwrap_or_default();
            hits.push(
                &META,
                format!("adds {} constraint{name} to `{table}`: its index is built while the table is locked against writes", kind.label()),
                "CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT … UNIQUE USING INDEX (or PRIMARY KEY USING INDEX)",
            );
        }
        Op::AddColumn { table, column, .. }
            if (column.unique || column.primary_key) && !ctx.table_is_new(table) =>
        {
            hits.push(
                &META,
                format!("adds column `{table}.{}` with a {} constraint: its index is built while the table is locked", column.name, if column.primary_key { "PRIMARY KEY" } else { "UNIQUE" }),
                "add the column plain, CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT … USING INDEX",
            );
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn flags_unique() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);"#
        ));
    }

    #[test]
    fn ignores_using_index() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;"#
        ));
    }

    const META_ID: &str = super::META.id;
}
