//! `drop-materialized-view`: Drops a materialized view that this migration does not re-create.

use super::{Ctx, Hits, Namespace, RuleMeta};
use crate::model::Class;
use crate::ops::{ObjectKind, Op};

pub const META: RuleMeta = RuleMeta {
    id: "drop-materialized-view",
    class: Some(Class::Destructive),
    summary: "Drops a materialized view that this migration does not re-create.",
};

pub fn check(ctx: &Ctx, op: &Op, hits: &mut Hits) {
    if let Op::Drop {
        kind: ObjectKind::MaterializedView,
        names,
        ..
    } = op
    {
        for v in names {
            if ctx.created_here(Namespace::View, v) || ctx.recreated_later(Namespace::View, v) {
                continue;
            }
            hits.push(
                &META,
                format!("drops materialized view `{v}`; queries that read it fail from now on"),
                "remove every reader first; to change its definition, drop and re-create it in the same migration",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn flags_drop() {
        insta::assert_snapshot!(run_rule(META_ID, r#"DROP MATERIALIZED VIEW club_stats;"#));
    }

    #[test]
    fn ignores_rebuild() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"DROP MATERIALIZED VIEW club_stats;
CREATE MATERIALIZED VIEW club_stats AS SELECT 1 AS n;"#
        ));
    }

    const META_ID: &str = super::META.id;
}
