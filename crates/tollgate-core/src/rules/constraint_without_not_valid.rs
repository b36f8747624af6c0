//! `constraint-without-not-valid`: Adds a FOREIGN KEY or CHECK constraint that validates every row under a lock.

use super::{Ctx, Hits, RuleMeta};
use crate::model::Class;
use crate::ops::{ConstraintKind, Op};

pub const META: RuleMeta = RuleMeta {
    id: "constraint-without-not-valid",
    class: Some(Class::Risky),
    summary: "Adds a FOREIGN KEY or CHECK constraint that validates every row under a lock.",
};

pub fn check(ctx: &Ctx, op: &Op, hits: &mut Hits) {
    if let Op::AddConstraint {
        table,
        name,
        kind: kind @ (ConstraintKind::ForeignKey | ConstraintKind::Check),
        not_valid: false,
        ..
    } = op
    {
        if ctx.table_is_new(table) {
            return;
        }
        let name = name.as_ref().map(|n| format!(" `{n}`")).unwrap_or_default();
        let lock = if *kind == ConstraintKind::ForeignKey {
            "SHARE ROW EXCLUSIVE locks on both tables"
        } else {
            "an ACCESS EXCLUSIVE lock"
        };
        hits.push(
            &META,
            format!("adds {} constraint{name} to `{table}` and validates every row under {lock}", kind.label()),
            "add the constraint with NOT VALID, then run ALTER TABLE … VALIDATE CONSTRAINT in a later migration (it takes a lighter lock)",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn flags_fk() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"ALTER TABLE users ADD CONSTRAINT fk_club FOREIGN KEY (club_id) REFERENCES clubs (id);"#
        ));
    }

    #[test]
    fn ignores_not_valid() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"ALTER TABLE users ADD CONSTRAINT fk_club FOREIGN KEY (club_id) REFERENCES clubs (id) NOT VALID;"#
        ));
    }

    const META_ID: &str = super::META.id;
}
