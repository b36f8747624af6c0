//! `unknown-rule-in-suppression`: A tollgate:allow comment names a rule id that does not exist.

use super::{Ctx, Hits, RuleMeta};
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "unknown-rule-in-suppression",
    class: None,
    summary: "A tollgate:allow comment names a rule id that does not exist.",
};

/// Not an op rule: the engine emits it while reading suppression comments.
pub fn check(_ctx: &Ctx, _op: &Op, _hits: &mut Hits) {}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn reports_typo() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"-- tollgate:allow drop-tabel -- cleanup
DROP TABLE sessions;"#
        ));
    }

    #[test]
    fn quiet_for_known() {
        insta::assert_snapshot!(run_rule(
            META_ID,
            r#"-- tollgate:allow drop-table -- cleanup
DROP TABLE sessions;"#
        ));
    }

    const META_ID: &str = super::META.id;
}
