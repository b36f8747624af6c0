//! `drop-function`: Drops a function or procedure that this migration does not re-create.

use super::{Ctx, Hits, Namespace, RuleMeta};
use crate::model::Class;
use crate::ops::{ObjectKind, Op};

pub const META: RuleMeta = RuleMeta {
    id: "drop-function",
    class: Some(Class::Destructive),
    summary: "Drops a function or procedure that this migration does not re-create.",
};

pub fn check(ctx: &Ctx, op: &Op, hits: &mut Hits) {
    if let Op::Drop {
        kind: kind @ (ObjectKind::Function | ObjectKind::Procedure),
        names,
        ..
    } = op
    {
        for f in names {
            if ctx.created_here(Namespace::Function, f)
                || ctx.recreated_later(Namespace::Function, f)
            {
                continue;
            }
            hits.push(
                &META,
                format!("drops {} `{f}` without re-creating it; triggers, defaults and code that call it fail", kind.label()),
                "remove every caller first (triggers, defaults, views, application code), then drop it in a later migration",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn flags_drop() {
        insta::assert_snapshot!(run_rule(META_ID, r#"DROP FUNCTION touch_updated_at();"#));
    }

    #[test]
    fn ignores_replacement() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"DROP FUNCTION IF EXISTS touch_updated_at();
CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;"#
        ));
    }

    const META_ID: &str = super::META.id;
}
