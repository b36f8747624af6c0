//! `drop-view`: Drops a view that this migration does not re-create.

use super::{Ctx, Hits, Namespace, RuleMeta};
use crate::model::Class;
use crate::ops::{ObjectKind, Op};

pub const META: RuleMeta = RuleMeta {
    id: "drop-view",
    class: Some(Class::Destructive),
    summary: "Drops a view that this migration does not re-create.",
};

pub fn check(ctx: &Ctx, op: &Op, hits: &mut Hits) {
    if let Op::Drop {
        kind: ObjectKind::View,
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
                format!("drops view `{v}` without re-creating it; queries that read it fail"),
                "remove every reader first; to change a view, drop and re-create it in the same migration or use CREATE OR REPLACE VIEW",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn flags_drop() {
        insta::assert_snapshot!(run_rule(META_ID, r#"DROP VIEW member_stats;"#));
    }

    #[test]
    fn ignores_rebuild() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"DROP VIEW IF EXISTS member_stats;
CREATE VIEW member_stats AS SELECT 1 AS n;"#
        ));
    }

    const META_ID: &str = super::META.id;
}
