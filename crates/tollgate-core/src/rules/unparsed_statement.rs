//! `unparsed-statement`: sqlparser could not parse the statement; tollgate's token-level fallback classified it.

use super::{Ctx, Hits, RuleMeta};
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "unparsed-statement",
    class: None,
    summary:
        "sqlparser could not parse the statement; tollgate's token-level fallback classified it.",
};

/// Not an op rule: the engine emits it for every statement sqlparser rejects; the fallback's ops still go through every other rule.
pub fn check(_ctx: &Ctx, _op: &Op, _hits: &mut Hits) {}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn reports_fallback_statement() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"REINDEX INDEX CONCURRENTLY idx_users_email;"#
        ));
    }

    #[test]
    fn quiet_for_parsed() {
        insta::assert_snapshot!(run_rule(META_ID, r#"CREATE TABLE t (a int);"#));
    }

    const META_ID: &str = super::META.id;
}
