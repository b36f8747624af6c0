//! `drop-type`: Drops a type or domain that existing columns or code may use.

use super::{Ctx, Hits, Namespace, RuleMeta};
use crate::model::Class;
use crate::ops::{ObjectKind, Op};

pub const META: RuleMeta = RuleMeta {
    id: "drop-type",
    class: Some(Class::Destructive),
    summary: "Drops a type or domain that existing columns or code may use.",
};

pub fn check(ctx: &Ctx, op: &Op, hits: &mut Hits) {
    if let Op::Drop {
        kind: kind @ (ObjectKind::Type | ObjectKind::Domain),
        names,
        ..
    } = op
    {
        for t in names
            .iter()
            .filter(|t| !ctx.created_here(Namespace::Type, t))
        {
            let enum_note = if ctx.schema.enums.contains_key(&t.key()) {
                " (an enum)"
            } else {
                ""
            };
            hits.push(
                &META,
                format!("drops {} `{t}`{enum_note}; columns and functions that use it break", kind.label()),
                "convert every column that uses the type first (expand → backfill → switch → contract), then drop it in a later migration",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn flags_enum() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"CREATE TYPE mood AS ENUM ('ok');
---
DROP TYPE mood;"#
        ));
    }

    #[test]
    fn ignores_new() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"CREATE TYPE tmp AS ENUM ('a');
DROP TYPE tmp;"#
        ));
    }

    const META_ID: &str = super::META.id;
}
