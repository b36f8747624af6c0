//! `drop-schema`: Drops a schema and everything in it.

use super::{Ctx, Hits, Namespace, RuleMeta};
use crate::model::Class;
use crate::ops::{ObjectKind, Op};

pub const META: RuleMeta = RuleMeta {
    id: "drop-schema",
    class: Some(Class::Destructive),
    summary: "Drops a schema and everything in it.",
};

pub fn check(ctx: &Ctx, op: &Op, hits: &mut Hits) {
    if let Op::Drop {
        kind: ObjectKind::Schema,
        names,
        cascade,
        ..
    } = op
    {
        for s in names
            .iter()
            .filter(|s| !ctx.created_here(Namespace::Schema, s))
        {
            let extra = if *cascade {
                " with CASCADE, taking every table, view and function in it"
            } else {
                ""
            };
            hits.push(
                &META,
                format!("drops schema `{s}`{extra}"),
                "move what must survive out of the schema first, back it up, and drop it in a dedicated, reviewed migration",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn flags_schema() {
        insta::assert_snapshot!(run_rule(META_ID, r#"DROP SCHEMA reporting CASCADE;"#));
    }

    #[test]
    fn ignores_schema_created_here() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"CREATE SCHEMA scratch;
DROP SCHEMA scratch;"#
        ));
    }

    const META_ID: &str = super::META.id;
}
