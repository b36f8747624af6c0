//! `drop-column`: Drops a column and every value stored in it.

use super::{Ctx, Hits, RuleMeta};
use crate::model::Class;
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "drop-column",
    class: Some(Class::Destructive),
    summary: "Drops a column and every value stored in it.",
};

pub fn check(ctx: &Ctx, op: &Op, hits: &mut Hits) {
    if let Op::DropColumn { table, column, .. } = op {
        if ctx.table_is_new(table) || ctx.column_is_new(table, column) {
            return;
        }
        // A drop paired with an add is reported, more precisely, by rename-as-drop-add.
        if !super::rename_as_drop_add::column_partners(ctx, table, column).is_empty() {
            return;
        }
        hits.push(
            &META,
            format!("drops column `{table}.{column}` and every value stored in it"),
            "expand and contract: ship code that no longer reads or writes the column, then drop it in a later migration after a backup",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn flags_existing_column() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"ALTER TABLE users DROP COLUMN nickname;"#
        ));
    }

    #[test]
    fn ignores_column_added_here() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"ALTER TABLE users ADD COLUMN scratch int;
ALTER TABLE users DROP COLUMN scratch;"#
        ));
    }

    const META_ID: &str = super::META.id;
}
