//! `concurrently-in-transaction`: A CONCURRENTLY operation inside a transaction fails at run time.

use super::{Ctx, Hits, RuleMeta};
use crate::model::Class;
use crate::ops::{ObjectKind, Op};

pub const META: RuleMeta = RuleMeta {
    id: "concurrently-in-transaction",
    class: Some(Class::Risky),
    summary: "A CONCURRENTLY operation inside a transaction fails at run time.",
};

pub fn check(ctx: &Ctx, op: &Op, hits: &mut Hits) {
    let what = match op {
        Op::CreateIndex {
            concurrently: true, ..
        } => "CREATE INDEX CONCURRENTLY",
        Op::Drop {
            kind: ObjectKind::Index,
            concurrently: true,
            ..
        } => "DROP INDEX CONCURRENTLY",
        Op::Reindex {
            concurrently: true, ..
        } => "REINDEX CONCURRENTLY",
        _ => return,
    };
    if !ctx.in_transaction() {
        return;
    }
    // A MikroORM migration that opted out of its own transaction is still inside the batch's
    // master transaction: that case has its own rule, with its own fix.
    if ctx.batch_transaction
        && ctx.transaction == crate::model::TransactionMode::NonTransactional
        && !ctx.in_explicit_transaction
        && !ctx.in_do_block
    {
        let meta = &super::mikro_orm_all_or_nothing::META;
        hits.push(
            meta,
            format!("{what} fails: isTransactional() is false, but MikroORM's allOrNothing (on by default) still runs every pending migration in one master transaction"),
            "set `migrations: { allOrNothing: false }` in mikro-orm.config and keep isTransactional() returning false, with this statement in its own migration",
        );
        return;
    }
    let why = if ctx.in_do_block {
        "inside a DO block, which always runs in a transaction"
    } else if ctx.in_explicit_transaction {
        "inside an explicit BEGIN … COMMIT"
    } else {
        "in a migration that its tool wraps in a transaction"
    };
    hits.push(
        &META,
        format!("{what} runs {why}: PostgreSQL rejects it at run time"),
        "put it in its own migration and turn the tool's transaction off for that migration (for example `-- no-transaction`, `transaction:false`, `runInTransaction:false`)",
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn flags_explicit_begin() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"BEGIN;
CREATE INDEX CONCURRENTLY idx_users_email ON users (email);
COMMIT;"#
        ));
    }

    #[test]
    fn ignores_outside_transaction() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"CREATE INDEX CONCURRENTLY idx_users_email ON users (email);"#
        ));
    }

    const META_ID: &str = super::META.id;
}
