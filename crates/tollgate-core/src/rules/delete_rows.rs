//! `delete-rows`: Deletes rows from an existing table.

use super::{Ctx, Hits, RuleMeta};
use crate::model::Class;
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "delete-rows",
    class: Some(Class::Destructive),
    summary: "Deletes rows from an existing table.",
};

pub fn check(ctx: &Ctx, op: &Op, hits: &mut Hits) {
    if let Op::Delete { table, has_where } = op {
        if ctx.table_is_new(table) {
            return;
        }
        let message = if *has_where {
            format!("deletes rows from `{table}`")
        } else {
            format!("deletes every row of `{table}`")
        };
        hits.push(
            &META,
            message,
            "keep data fixes out of schema migrations where you can; otherwise back the rows up first and delete in small batches",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn flags_delete() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"DELETE FROM sessions WHERE expires_at < now();"#
        ));
    }

    #[test]
    fn ignores_new_table() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"CREATE TABLE staging (id int);
DELETE FROM staging;"#
        ));
    }

    const META_ID: &str = super::META.id;
}
