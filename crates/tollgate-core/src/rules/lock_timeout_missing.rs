//! `lock-timeout-missing`: A dangerous lock is taken before any lock_timeout is set.

use super::{Ctx, Hits, RuleMeta};
use crate::model::Class;
use crate::ops::{ObjectKind, Op};

pub const META: RuleMeta = RuleMeta {
    id: "lock-timeout-missing",
    class: Some(Class::Risky),
    summary: "A dangerous lock is taken before any lock_timeout is set.",
};

pub fn check(ctx: &Ctx, op: &Op, hits: &mut Hits) {
    if ctx.lock_timeout_set {
        return;
    }
    let table = match op {
        Op::AddColumn { table, .. }
        | Op::DropColumn { table, .. }
        | Op::RenameColumn { table, .. }
        | Op::AlterColumnType { table, .. }
        | Op::SetNotNull { table, .. }
        | Op::DropNotNull { table, .. }
        | Op::SetDefault { table, .. }
        | Op::DropDefault { table, .. }
        | Op::AddConstraint { table, .. }
        | Op::DropConstraint { table, .. }
        | Op::CreateTrigger { table, .. }
        | Op::CreateIndex {
            table,
            concurrently: false,
            ..
        } => table,
        Op::Rename {
            kind: ObjectKind::Table,
            from,
            ..
        } => from,
        Op::Drop {
            kind: ObjectKind::Table,
            names,
            ..
        }
        | Op::Truncate { tables: names }
        | Op::LockTable { tables: names, .. } => match names.first() {
            Some(t) => t,
            None => return,
        },
        _ => return,
    };
    if ctx.table_is_new(table) {
        return;
    }
    hits.push(
        &META,
        format!("takes a heavy lock on `{table}` with no lock_timeout set: if it has to wait, every query on `{table}` queues behind it"),
        "start the migration with SET lock_timeout = '5s' (and retry on failure)",
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn flags_without_timeout() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"ALTER TABLE users ADD COLUMN bio text;"#
        ));
    }

    #[test]
    fn ignores_with_timeout() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"SET lock_timeout = '5s';
ALTER TABLE users ADD COLUMN bio text;"#
        ));
    }

    const META_ID: &str = super::META.id;
}
