//! `drop-table`: Drops a table that existed before this migration, with all its rows.

use super::{Ctx, Hits, RuleMeta};
use crate::model::Class;
use crate::ops::{ObjectKind, Op};

pub const META: RuleMeta = RuleMeta {
    id: "drop-table",
    class: Some(Class::Destructive),
    summary: "Drops a table that existed before this migration, with all its rows.",
};

pub fn check(ctx: &Ctx, op: &Op, hits: &mut Hits) {
    if let Op::Drop {
        kind: ObjectKind::Table,
        names,
        ..
    } = op
    {
        // A drop paired with a look-alike create is reported by rename-as-drop-add.
        for t in names.iter().filter(|t| {
            !ctx.table_is_new(t) && super::rename_as_drop_add::table_partner(ctx, t).is_none()
        }) {
            hits.push(
                &META,
                format!("drops table `{t}` and every row in it"),
                "stop all reads and writes of the table in a release first, take a backup, then drop it in a later migration (or rename it to a `_deprecated` name and drop that later)",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn flags_existing_table() {
        insta::assert_snapshot!(run_rule(META_ID, r#"DROP TABLE users;"#));
    }

    #[test]
    fn ignores_table_created_here() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"CREATE TABLE tmp_import (id int);
DROP TABLE tmp_import;"#
        ));
    }

    const META_ID: &str = super::META.id;
}
