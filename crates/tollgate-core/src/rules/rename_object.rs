//! `rename-object`: Renames a schema, type, view, sequence or function that running code still uses.

use super::{Ctx, Hits, Namespace, RuleMeta};
use crate::model::Class;
use crate::ops::{ObjectKind, Op};

pub const META: RuleMeta = RuleMeta {
    id: "rename-object",
    class: Some(Class::Destructive),
    summary: "Renames a schema, type, view, sequence or function that running code still uses.",
};

pub fn check(ctx: &Ctx, op: &Op, hits: &mut Hits) {
    if let Op::Rename { kind, from, to } = op {
        let ns = Namespace::of(*kind);
        let relevant = matches!(
            kind,
            ObjectKind::Schema
                | ObjectKind::Type
                | ObjectKind::Domain
                | ObjectKind::View
                | ObjectKind::MaterializedView
                | ObjectKind::Sequence
                | ObjectKind::Function
                | ObjectKind::Procedure
        );
        if !relevant || ctx.created_here(ns, from) {
            return;
        }
        hits.push(
            &META,
            format!("renames {} `{from}` to `{to}`; running code that uses the old name fails", kind.label()),
            "create the object under its new name next to the old one, move the readers, then drop the old name in a later migration",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn flags_view_rename() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"ALTER VIEW member_stats RENAME TO club_member_stats;"#
        ));
    }

    #[test]
    fn ignores_index_rename() {
        insta::assert_snapshot!(run_rule(META_ID, r#"ALTER INDEX idx_a RENAME TO idx_b;"#));
    }

    const META_ID: &str = super::META.id;
}
