//! `rename-enum-value`: Renames an enum value that running code still writes and reads.

use super::{Ctx, Hits, Namespace, RuleMeta};
use crate::model::Class;
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "rename-enum-value",
    class: Some(Class::Destructive),
    summary: "Renames an enum value that running code still writes and reads.",
};

pub fn check(ctx: &Ctx, op: &Op, hits: &mut Hits) {
    if let Op::RenameEnumValue {
        type_name,
        from,
        to,
    } = op
    {
        if ctx.created_here(Namespace::Type, type_name) {
            return;
        }
        hits.push(
            &META,
            format!("renames value '{from}' of enum `{type_name}` to '{to}'; running code still writes '{from}' and fails"),
            "add the new value, ship code that writes it, backfill the rows, then stop accepting the old value",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn flags_rename() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"CREATE TYPE status AS ENUM ('draft');
---
ALTER TYPE status RENAME VALUE 'draft' TO 'pending';"#
        ));
    }

    #[test]
    fn ignores_new_type() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"CREATE TYPE s2 AS ENUM ('a');
ALTER TYPE s2 RENAME VALUE 'a' TO 'b';"#
        ));
    }

    const META_ID: &str = super::META.id;
}
