//! `reindex-without-concurrently`: Rebuilds an index without CONCURRENTLY, blocking writes.

use super::{Ctx, Hits, RuleMeta};
use crate::model::Class;
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "reindex-without-concurrently",
    class: Some(Class::Risky),
    summary: "Rebuilds an index without CONCURRENTLY, blocking writes.",
};

pub fn check(_ctx: &Ctx, op: &Op, hits: &mut Hits) {
    if let Op::Reindex {
        concurrently: false,
        target,
    } = op
    {
        let what = target
            .as_ref()
            .map(|t| format!(" `{t}`"))
            .unwrap_or_default();
        hits.push(
            &META,
            format!("REINDEX{what} without CONCURRENTLY blocks writes (and reads that use the index) until it ends"),
            "use REINDEX … CONCURRENTLY (PostgreSQL 12+) outside a transaction",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn flags_reindex() {
        insta::assert_snapshot!(run_rule(META_ID, r#"REINDEX TABLE users;"#));
    }

    #[test]
    fn ignores_concurrent() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"REINDEX INDEX CONCURRENTLY idx_users_email;"#
        ));
    }

    const META_ID: &str = super::META.id;
}
