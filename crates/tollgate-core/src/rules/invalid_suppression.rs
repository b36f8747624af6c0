//! `invalid-suppression`: A tollgate:allow comment is malformed or has no reason.

use super::{Ctx, Hits, RuleMeta};
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "invalid-suppression",
    class: None,
    summary: "A tollgate:allow comment is malformed or has no reason.",
};

/// Not an op rule: the engine emits it while reading suppression comments.
pub fn check(_ctx: &Ctx, _op: &Op, _hits: &mut Hits) {}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn reports_missing_reason() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"-- tollgate:allow drop-table
DROP TABLE sessions;"#
        ));
    }

    #[test]
    fn quiet_for_valid() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"-- tollgate:allow drop-table -- disposable
DROP TABLE sessions;"#
        ));
    }

    const META_ID: &str = super::META.id;
}
