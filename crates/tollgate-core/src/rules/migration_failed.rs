//! `migration-failed`: An up, down or re-up fails on a real PostgreSQL (`tollgate verify`).

use super::{Ctx, Hits, RuleMeta};
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "migration-failed",
    class: None,
    summary: "An up, down or re-up fails on a real PostgreSQL (`tollgate verify`).",
};

/// Not an op rule: `tollgate verify` emits it from what the database did, at the failing statement
/// (`tollgate-cli/src/verify.rs`).
pub fn check(_ctx: &Ctx, _op: &Op, _hits: &mut Hits) {}

#[cfg(test)]
mod tests {
    #[test]
    fn registered_with_its_default_level() {
        assert!(crate::rules::find(super::META.id).is_some());
        assert_eq!(
            crate::policy::Policy::default_policy().level(super::META.id),
            crate::model::Level::Error
        );
    }
}
