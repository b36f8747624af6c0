//! `create-index-without-concurrently`: Builds an index on an existing table without CONCURRENTLY, blocking writes.

use super::{Ctx, Hits, RuleMeta};
use crate::model::Class;
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "create-index-without-concurrently",
    class: Some(Class::Risky),
    summary: "Builds an index on an existing table without CONCURRENTLY, blocking writes.",
};

pub fn check(ctx: &Ctx, op: &Op, hits: &mut Hits) {
    if let Op::CreateIndex {
        table,
        concurrently: false,
        name,
        ..
    } = op
    {
        if ctx.table_is_new(table) {
            return;
        }
        let name = name.as_ref().map(|n| format!(" `{n}`")).unwrap_or_default();
        hits.push(
            &META,
            format!("builds index{name} on existing table `{table}` without CONCURRENTLY: writes to the table block until the build ends"),
            "use CREATE INDEX CONCURRENTLY in a migration that does not run inside a transaction",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn flags_plain_index() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"CREATE INDEX idx_users_email ON users (email);"#
        ));
    }

    #[test]
    fn ignores_concurrent() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"CREATE INDEX CONCURRENTLY idx_users_email ON users (email);"#
        ));
    }

    #[test]
    fn ignores_new_table() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"CREATE TABLE t (a int);
CREATE INDEX ON t (a);"#
        ));
    }

    const META_ID: &str = super::META.id;
}
