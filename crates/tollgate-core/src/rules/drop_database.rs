//! `drop-database`: Drops a whole database.

use super::{Ctx, Hits, RuleMeta};
use crate::model::Class;
use crate::ops::{ObjectKind, Op};

pub const META: RuleMeta = RuleMeta {
    id: "drop-database",
    class: Some(Class::Destructive),
    summary: "Drops a whole database.",
};

pub fn check(_ctx: &Ctx, op: &Op, hits: &mut Hits) {
    if let Op::Drop {
        kind: ObjectKind::Database,
        names,
        ..
    } = op
    {
        for d in names {
            hits.push(
                &META,
                format!("drops database `{d}`"),
                "databases are not a migration's business: drop them by hand, after a backup, outside the migration history",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn flags_database() {
        insta::assert_snapshot!(run_rule(META_ID, r#"DROP DATABASE legacy;"#));
    }

    #[test]
    fn ignores_other_drops() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"DROP INDEX CONCURRENTLY idx_users_email;"#
        ));
    }

    const META_ID: &str = super::META.id;
}
