//! `drop-sequence`: Drops a sequence; columns that default to it start failing.

use super::{Ctx, Hits, Namespace, RuleMeta};
use crate::model::Class;
use crate::ops::{ObjectKind, Op};

pub const META: RuleMeta = RuleMeta {
    id: "drop-sequence",
    class: Some(Class::Destructive),
    summary: "Drops a sequence; columns that default to it start failing.",
};

pub fn check(ctx: &Ctx, op: &Op, hits: &mut Hits) {
    if let Op::Drop {
        kind: ObjectKind::Sequence,
        names,
        ..
    } = op
    {
        for s in names
            .iter()
            .filter(|s| !ctx.created_here(Namespace::Sequence, s))
        {
            hits.push(
                &META,
                format!("drops sequence `{s}`; defaults and code that call nextval on it start failing"),
                "drop the defaults that use it and ship code that no longer calls it first, then drop it in a later migration",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn flags_drop() {
        insta::assert_snapshot!(run_rule(META_ID, r#"DROP SEQUENCE invoice_number_seq;"#));
    }

    #[test]
    fn ignores_new() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"CREATE SEQUENCE s;
DROP SEQUENCE s;"#
        ));
    }

    const META_ID: &str = super::META.id;
}
