//! `not-null-column-without-default`: Adds a NOT NULL column without a default to an existing table: fails on the first row.

use super::{Ctx, Hits, RuleMeta};
use crate::model::Class;
use crate::ops::{DefaultKind, Op};

pub const META: RuleMeta = RuleMeta {
    id: "not-null-column-without-default",
    class: Some(Class::Risky),
    summary:
        "Adds a NOT NULL column without a default to an existing table: fails on the first row.",
};

pub fn check(ctx: &Ctx, op: &Op, hits: &mut Hits) {
    let Op::AddColumn { table, column, .. } = op else {
        return;
    };
    if ctx.table_is_new(table)
        || !column.not_null
        || column.default != DefaultKind::None
        || column.identity
        || column.generated_stored
    {
        return;
    }
    let direction = match ctx.direction {
        crate::rules::Direction::Up => "up",
        crate::rules::Direction::Down => "down",
    };
    hits.push(
        &META,
        format!("adds NOT NULL column `{table}.{}` without a default ({direction}): fails as soon as the table holds a row", column.name),
        "add the column nullable (or with a default), backfill it, then SET NOT NULL in a later step",
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn flags_not_null() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL;"#
        ));
    }

    #[test]
    fn ignores_with_default() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL DEFAULT 0;"#
        ));
    }

    const META_ID: &str = super::META.id;
}
