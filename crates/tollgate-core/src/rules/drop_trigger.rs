//! `drop-trigger`: Drops a trigger that this migration does not re-create.

use super::{Ctx, Hits, Namespace, RuleMeta};
use crate::model::Class;
use crate::ops::{ObjectKind, ObjectName, Op};

pub const META: RuleMeta = RuleMeta {
    id: "drop-trigger",
    class: Some(Class::Destructive),
    summary: "Drops a trigger that this migration does not re-create.",
};

pub fn check(ctx: &Ctx, op: &Op, hits: &mut Hits) {
    if let Op::Drop {
        kind: ObjectKind::Trigger,
        names,
        table,
        ..
    } = op
    {
        for t in names {
            let key = ObjectName::new(crate::engine::trigger_key(&t.name, table.as_ref()));
            if ctx.created_here(Namespace::Trigger, &key)
                || ctx.recreated_later(Namespace::Trigger, &key)
            {
                continue;
            }
            let on = table
                .as_ref()
                .map(|t| format!(" on `{t}`"))
                .unwrap_or_default();
            hits.push(
                &META,
                format!("drops trigger `{}`{on} without re-creating it; whatever it maintained stops being maintained", t.name),
                "make sure nothing relies on what the trigger kept up to date, or re-create it in the same migration",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn flags_drop() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"DROP TRIGGER trg_members_updated ON members;"#
        ));
    }

    #[test]
    fn ignores_replacement() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"DROP TRIGGER IF EXISTS trg_members_updated ON members;
CREATE TRIGGER trg_members_updated BEFORE UPDATE ON members FOR EACH ROW EXECUTE FUNCTION touch();"#
        ));
    }

    const META_ID: &str = super::META.id;
}
