//! `rename-table`: Renames a table that running code still queries by its old name.

use super::{Ctx, Hits, RuleMeta};
use crate::model::Class;
use crate::ops::{ObjectKind, Op};

pub const META: RuleMeta = RuleMeta {
    id: "rename-table",
    class: Some(Class::Destructive),
    summary: "Renames a table that running code still queries by its old name.",
};

pub fn check(ctx: &Ctx, op: &Op, hits: &mut Hits) {
    if let Op::Rename {
        kind: ObjectKind::Table,
        from,
        to,
    } = op
    {
        if ctx.table_is_new(from) {
            return;
        }
        hits.push(
            &META,
            format!("renames table `{from}` to `{to}`; running code still queries `{from}` and fails until it is redeployed"),
            "expand and contract: create the new table (or a view named after the old one), write to both, backfill, switch reads, then drop the old name",
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
            r#"ALTER TABLE users RENAME TO accounts;"#
        ));
    }

    #[test]
    fn ignores_new_table() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"CREATE TABLE a (id int);
ALTER TABLE a RENAME TO b;"#
        ));
    }

    const META_ID: &str = super::META.id;
}
