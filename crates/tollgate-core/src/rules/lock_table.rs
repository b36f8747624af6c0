//! `lock-table`: Takes an explicit table lock inside a migration.

use super::{Ctx, Hits, RuleMeta};
use crate::model::Class;
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "lock-table",
    class: Some(Class::Risky),
    summary: "Takes an explicit table lock inside a migration.",
};

pub fn check(ctx: &Ctx, op: &Op, hits: &mut Hits) {
    if let Op::LockTable { tables, mode } = op {
        for t in tables.iter().filter(|t| !ctx.table_is_new(t)) {
            hits.push(
                &META,
                format!("locks `{t}` in {mode} mode for the rest of the transaction"),
                "keep the transaction short and set lock_timeout first, so the migration gives up instead of queueing every query behind it",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn flags_lock() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"LOCK TABLE users IN ACCESS EXCLUSIVE MODE;"#
        ));
    }

    #[test]
    fn ignores_new_table() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"CREATE TABLE t (a int);
LOCK TABLE t;"#
        ));
    }

    const META_ID: &str = super::META.id;
}
