//! `update-rows`: Backfills rows with UPDATE inside the migration.

use super::{Ctx, Hits, RuleMeta};
use crate::model::Class;
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "update-rows",
    class: Some(Class::Risky),
    summary: "Backfills rows with UPDATE inside the migration.",
};

pub fn check(ctx: &Ctx, op: &Op, hits: &mut Hits) {
    if let Op::Update { table, has_where } = op {
        if ctx.table_is_new(table) {
            return;
        }
        let scope = if *has_where {
            "rows of"
        } else {
            "every row of"
        };
        hits.push(
            &META,
            format!("backfills {scope} `{table}` in the migration; row locks are held until the migration commits"),
            "backfill in small batches outside the schema migration (or in a non-transactional migration), so locks stay short",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn flags_backfill() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"UPDATE users SET nickname = lower(email) WHERE nickname IS NULL;"#
        ));
    }

    #[test]
    fn ignores_new_table() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"CREATE TABLE t (a int);
UPDATE t SET a = 1;"#
        ));
    }

    const META_ID: &str = super::META.id;
}
