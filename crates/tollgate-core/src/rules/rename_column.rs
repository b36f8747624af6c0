//! `rename-column`: Renames a column that running code still queries by its old name.

use super::{Ctx, Hits, RuleMeta};
use crate::model::Class;
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "rename-column",
    class: Some(Class::Destructive),
    summary: "Renames a column that running code still queries by its old name.",
};

pub fn check(ctx: &Ctx, op: &Op, hits: &mut Hits) {
    if let Op::RenameColumn { table, from, to } = op {
        if ctx.table_is_new(table) || ctx.column_is_new(table, from) {
            return;
        }
        hits.push(
            &META,
            format!("renames column `{table}.{from}` to `{to}`; running code still uses `{from}` and fails until it is redeployed"),
            "expand and contract: add the new column, write to both, backfill, switch reads, then drop the old column in a later migration",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn flags_rename() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"ALTER TABLE users RENAME COLUMN phone TO phone_number;"#
        ));
    }

    #[test]
    fn ignores_new_table() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"CREATE TABLE a (x int);
ALTER TABLE a RENAME COLUMN x TO y;"#
        ));
    }

    const META_ID: &str = super::META.id;
}
