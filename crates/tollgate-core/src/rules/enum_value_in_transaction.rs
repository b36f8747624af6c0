//! `enum-value-in-transaction`: ALTER TYPE … ADD VALUE inside a transaction fails before PostgreSQL 12.

use super::{Ctx, Hits, RuleMeta};
use crate::model::Class;
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "enum-value-in-transaction",
    class: Some(Class::Risky),
    summary: "ALTER TYPE … ADD VALUE inside a transaction fails before PostgreSQL 12.",
};

pub fn check(ctx: &Ctx, op: &Op, hits: &mut Hits) {
    if let Op::AddEnumValue {
        type_name, value, ..
    } = op
    {
        if ctx.policy.postgres_version >= 12
            || !(ctx.in_transaction() || ctx.transaction == crate::model::TransactionMode::Unknown)
        {
            return;
        }
        hits.push(
            &META,
            format!("ALTER TYPE `{type_name}` ADD VALUE '{value}' cannot run inside a transaction block before PostgreSQL 12"),
            "run it in a migration that is not wrapped in a transaction, or upgrade to PostgreSQL 12+",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::model::TransactionMode;
    use crate::rules::testing::{run_rule_with, run_rule_with_policy};

    #[test]
    fn flags_add_value_in_a_transaction_before_postgres_12() {
        insta::assert_snapshot!(run_rule_with_policy(
            META_ID,
            "CREATE TYPE mood AS ENUM ('ok');\n---\nALTER TYPE mood ADD VALUE 'sad';",
            TransactionMode::Transactional,
            |p| p.postgres_version = 11
        ));
    }

    #[test]
    fn quiet_outside_a_transaction_before_postgres_12() {
        insta::assert_snapshot!(run_rule_with_policy(
            META_ID,
            "CREATE TYPE mood AS ENUM ('ok');\n---\nALTER TYPE mood ADD VALUE 'sad';",
            TransactionMode::NonTransactional,
            |p| p.postgres_version = 11
        ));
    }

    #[test]
    fn quiet_on_postgres_12_and_later() {
        // The default policy assumes PostgreSQL 15.
        insta::assert_snapshot!(run_rule_with(
            META_ID,
            "CREATE TYPE mood AS ENUM ('ok');\n---\nALTER TYPE mood ADD VALUE 'sad';",
            TransactionMode::Transactional
        ));
    }

    const META_ID: &str = super::META.id;
}
