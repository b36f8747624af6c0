//! `truncate-table`: Empties a table.

use super::{Ctx, Hits, RuleMeta};
use crate::model::Class;
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "truncate-table",
    class: Some(Class::Destructive),
    summary: "Empties a table.",
};

pub fn check(ctx: &Ctx, op: &Op, hits: &mut Hits) {
    if let Op::Truncate { tables } = op {
        for t in tables.iter().filter(|t| !ctx.table_is_new(t)) {
            hits.push(
                &META,
                format!("empties table `{t}`"),
                "if the data is disposable, say so in a suppression with a reason; otherwise archive it first and delete in batches",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn flags_truncate() {
        insta::assert_snapshot!(run_rule(META_ID, r#"TRUNCATE TABLE sessions;"#));
    }

    #[test]
    fn ignores_new_table() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"CREATE TABLE staging (id int);
TRUNCATE staging;"#
        ));
    }

    const META_ID: &str = super::META.id;
}
