//! `set-not-null`: SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock.

use super::{Ctx, Hits, RuleMeta};
use crate::model::Class;
use crate::ops::{ConstraintKind, Op};

pub const META: RuleMeta = RuleMeta {
    id: "set-not-null",
    class: Some(Class::Risky),
    summary: "SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock.",
};

pub fn check(ctx: &Ctx, op: &Op, hits: &mut Hits) {
    let (table, column) = match op {
        Op::SetNotNull { table, column } => (table, column.clone()),
        Op::AddConstraint {
            table,
            kind: ConstraintKind::NotNull,
            not_valid: false,
            columns,
            ..
        } => (table, columns.first().cloned().unwrap_or_default()),
        _ => return,
    };
    if ctx.table_is_new(table) || ctx.column_is_new(table, &column) {
        return;
    }
    if ctx
        .schema
        .column(table, &column)
        .is_some_and(|c| c.not_null)
    {
        return; // already NOT NULL: a no-op
    }
    hits.push(
        &META,
        format!("sets `{table}.{column}` NOT NULL: the whole table is scanned under an ACCESS EXCLUSIVE lock"),
        "add CHECK (col IS NOT NULL) NOT VALID, VALIDATE it in a later step, then SET NOT NULL (PostgreSQL 12+ skips the scan) and drop the check",
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn flags_set_not_null() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"ALTER TABLE users ALTER COLUMN nickname SET NOT NULL;"#
        ));
    }

    #[test]
    fn ignores_already_not_null() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"ALTER TABLE users ALTER COLUMN email SET NOT NULL;"#
        ));
    }

    const META_ID: &str = super::META.id;
}
