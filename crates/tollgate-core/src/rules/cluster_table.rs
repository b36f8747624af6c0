//! `cluster-table`: CLUSTER rewrites the table under an ACCESS EXCLUSIVE lock.

use super::{Ctx, Hits, RuleMeta};
use crate::model::Class;
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "cluster-table",
    class: Some(Class::Risky),
    summary: "CLUSTER rewrites the table under an ACCESS EXCLUSIVE lock.",
};

pub fn check(ctx: &Ctx, op: &Op, hits: &mut Hits) {
    if let Op::Cluster { table } = op {
        if table.as_ref().is_some_and(|t| ctx.table_is_new(t)) {
            return;
        }
        let what = table
            .as_ref()
            .map(|t| format!("`{t}`"))
            .unwrap_or_else(|| "every clustered table".into());
        hits.push(
            &META,
            format!("CLUSTER rewrites {what} under an ACCESS EXCLUSIVE lock"),
            "run pg_repack outside the migration instead",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn flags_cluster() {
        insta::assert_snapshot!(run_rule(META_ID, r#"CLUSTER users USING users_pkey;"#));
    }

    #[test]
    fn ignores_new_table() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"CREATE TABLE t (a int);
CLUSTER t;"#
        ));
    }

    const META_ID: &str = super::META.id;
}
