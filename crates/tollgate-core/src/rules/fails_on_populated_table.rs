//! `fails-on-populated-table`: Adds a NOT NULL column without a default to a table that may hold
//! rows, in an up or a down: it fails as soon as the table has one row.

use super::{Ctx, Direction, Hits, RuleMeta};
use crate::model::Class;
use crate::ops::{DefaultKind, Op};

pub const META: RuleMeta = RuleMeta {
    id: "fails-on-populated-table",
    class: Some(Class::Risky),
    summary: "Adds a NOT NULL column without a default to an existing table (up or down): fails as soon as the table holds a row.",
};

pub fn check(ctx: &Ctx, op: &Op, hits: &mut Hits) {
    let Op::AddColumn { table, column, .. } = op else {
        return;
    };
    if ctx.table_is_new(table)
        || !column.not_null
        || column.default != DefaultKind::None
        || column.identity
        || column.generated_stored
    {
        return;
    }
    let (side, why) = match ctx.direction {
        Direction::Up => (
            "up",
            "an empty development or CI database does not show it; production does, mid-deploy",
        ),
        Direction::Down => (
            "down",
            "the down passes on an empty CI database and fails on the production data it is meant to roll back",
        ),
    };
    let uncertain = if ctx.schema.is_uncertain(table) {
        " (the table's history could not be fully followed)"
    } else {
        ""
    };
    hits.push(
        &META,
        format!(
            "the {side} adds NOT NULL column `{table}.{}` without a default: it fails as soon as `{table}` holds a row; {why}{uncertain}",
            column.name
        ),
        "give the column a constant default (`… NOT NULL DEFAULT 'x'`), or add it nullable, backfill it, then SET NOT NULL in a later step",
    );
}

#[cfg(test)]
mod tests {
    use crate::model::TransactionMode;
    use crate::rules::testing::{run_rule, run_rule_down};

    #[test]
    fn flags_not_null() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL;"#
        ));
    }

    #[test]
    fn flags_generator_style_down() {
        // The generator reverses "drop name, add full_name" by dropping full_name and adding
        // name back as NOT NULL: fine on an empty database, fails on real rows.
        insta::assert_snapshot!(run_rule_down(
            META_ID,
            r#"alter table "users" drop column "nickname";
alter table "users" add column "full_name" text null;"#,
            r#"alter table "users" drop column "full_name";
alter table "users" add column "nickname" varchar(255) not null;"#,
            TransactionMode::Transactional,
        ));
    }

    #[test]
    fn ignores_with_default() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL DEFAULT 0;"#
        ));
    }

    #[test]
    fn ignores_nullable_identity_and_new_tables() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"ALTER TABLE users ADD COLUMN note text;
ALTER TABLE users ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
CREATE TABLE tags (id int PRIMARY KEY);
ALTER TABLE tags ADD COLUMN label text NOT NULL;"#
        ));
    }

    #[test]
    fn safe_down_gets_nothing() {
        insta::assert_snapshot!(run_rule_down(
            META_ID,
            r#"alter table "users" add column "full_name" text null;"#,
            r#"alter table "users" drop column "full_name";"#,
            TransactionMode::Transactional,
        ));
    }

    const META_ID: &str = super::META.id;
}
