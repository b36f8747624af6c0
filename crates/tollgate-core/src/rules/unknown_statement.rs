//! `unknown-statement`: tollgate could not understand the statement at all.

use super::{Ctx, Hits, RuleMeta};
use crate::model::Class;
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "unknown-statement",
    class: Some(Class::Unknown),
    summary: "tollgate could not understand the statement at all.",
};

pub fn check(_ctx: &Ctx, op: &Op, hits: &mut Hits) {
    if let Op::Unknown { reason } = op {
        hits.push(
            &META,
            format!("tollgate could not analyse this statement: {reason}"),
            "with fail_closed (the default) it counts as destructive: rewrite it in a form tollgate reads, or suppress it with a reason after review",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::run_rule;

    #[test]
    fn flags_garbage() {
        insta::assert_snapshot!(run_rule(META_ID, r#"FROBNICATE the_database;"#));
    }

    #[test]
    fn ignores_known() {
        insta::assert_snapshot!(run_rule(META_ID, r#"CREATE TABLE t (a int);"#));
    }

    const META_ID: &str = super::META.id;
}
