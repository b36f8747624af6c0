//! `locking-statement`: A statement that rewrites or heavily locks an existing table.

use super::{Ctx, Hits, RuleMeta};
use crate::model::Class;
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "locking-statement",
    class: Some(Class::Risky),
    summary: "A statement that rewrites or heavily locks an existing table.",
};

pub fn check(ctx: &Ctx, op: &Op, hits: &mut Hits) {
    if let Op::Locking { what, table } = op {
        if table.as_ref().is_some_and(|t| ctx.table_is_new(t)) {
            return;
        }
        let on = table
            .as_ref()
            .map(|t| format!(" on `{t}`"))
            .unwrap_or_default();
        hits.push(
            &META,
            format!("{what}{on}: readers or writers wait until it finishes"),
            "run it at a quiet time with lock_timeout set, or use the non-blocking variant (for example REFRESH MATERIALIZED VIEW CONCURRENTLY)",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn flags_refresh() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"REFRESH MATERIALIZED VIEW club_stats;"#
        ));
    }

    #[test]
    fn ignores_concurrent_refresh() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"REFRESH MATERIALIZED VIEW CONCURRENTLY club_stats;"#
        ));
    }

    const META_ID: &str = super::META.id;
}
