//! `unused-suppression`: A tollgate:allow comment suppressed nothing.

use super::{Ctx, Hits, RuleMeta};
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "unused-suppression",
    class: None,
    summary: "A tollgate:allow comment suppressed nothing.",
};

/// Not an op rule: the engine emits it after applying suppressions.
pub fn check(_ctx: &Ctx, _op: &Op, _hits: &mut Hits) {}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn reports_unused() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"-- tollgate:allow drop-column -- not needed
CREATE TABLE t (a int);"#
        ));
    }

    #[test]
    fn reports_allow_that_does_not_leak() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"-- tollgate:allow drop-table -- sessions are disposable
DROP TABLE sessions;
DROP TABLE members;"#
        ));
    }

    #[test]
    fn quiet_when_used() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"-- tollgate:allow drop-table -- sessions are disposable
DROP TABLE sessions;"#
        ));
    }

    const META_ID: &str = super::META.id;
}
