//! `drop-index-without-concurrently`: Drops an index without CONCURRENTLY, blocking reads and writes on its table.

use super::{Ctx, Hits, Namespace, RuleMeta};
use crate::model::Class;
use crate::ops::{ObjectKind, Op};

pub const META: RuleMeta = RuleMeta {
    id: "drop-index-without-concurrently",
    class: Some(Class::Risky),
    summary: "Drops an index without CONCURRENTLY, blocking reads and writes on its table.",
};

pub fn check(ctx: &Ctx, op: &Op, hits: &mut Hits) {
    if let Op::Drop {
        kind: ObjectKind::Index,
        names,
        concurrently: false,
        ..
    } = op
    {
        for i in names
            .iter()
            .filter(|i| !ctx.created_here(Namespace::Index, i))
        {
            hits.push(
                &META,
                format!("drops index `{i}` without CONCURRENTLY: reads and writes on its table wait for the lock"),
                "use DROP INDEX CONCURRENTLY in a migration that does not run inside a transaction",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn flags_drop() {
        insta::assert_snapshot!(run_rule(META_ID, r#"DROP INDEX idx_users_email;"#));
    }

    #[test]
    fn ignores_concurrent() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"DROP INDEX CONCURRENTLY IF EXISTS idx_users_email;"#
        ));
    }

    const META_ID: &str = super::META.id;
}
