//! `type-change-rewrite`: Changes a column's type in a way that keeps the data but rewrites the table.

use super::{Ctx, Hits, RuleMeta};
use crate::model::Class;
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "type-change-rewrite",
    class: Some(Class::Risky),
    summary: "Changes a column's type in a way that keeps the data but rewrites the table.",
};

pub fn check(ctx: &Ctx, op: &Op, hits: &mut Hits) {
    if let Op::AlterColumnType {
        table,
        column,
        new_type,
        using,
    } = op
    {
        if ctx.table_is_new(table) || ctx.column_is_new(table, column) {
            return;
        }
        if let Some(super::unsafe_type_change::Verdict::Rewrite(message)) =
            super::unsafe_type_change::judge(
                ctx,
                table,
                column,
                new_type.as_deref(),
                using.as_deref(),
            )
        {
            hits.push(
                &META,
                message,
                "add a new column of the new type, backfill it in batches, switch reads and writes, then drop the old column",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn flags_int_to_bigint() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"ALTER TABLE users ALTER COLUMN id TYPE bigint;"#
        ));
    }

    #[test]
    fn ignores_varchar_to_text() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"ALTER TABLE users ALTER COLUMN email TYPE text;"#
        ));
    }

    const META_ID: &str = super::META.id;
}
