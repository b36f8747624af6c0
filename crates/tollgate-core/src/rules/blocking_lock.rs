//! `blocking-lock`: An up statement held a lock that blocks reads or writes on a table that existed before the migration.

use super::{Ctx, Hits, RuleMeta};
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "blocking-lock",
    class: None,
    summary: "An up statement held a lock that blocks reads or writes on a table that existed before the migration.",
};

/// Not an op rule: `tollgate verify` emits it from what the database did, at the statement that took the lock
/// (`tollgate-cli/src/verify.rs`).
pub fn check(_ctx: &Ctx, _op: &Op, _hits: &mut Hits) {}

#[cfg(test)]
mod tests {
    #[test]
    fn registered_with_its_default_level() {
        assert!(crate::rules::find(super::META.id).is_some());
        assert_eq!(
            crate::policy::Policy::default_policy().level(super::META.id),
            crate::model::Level::Info
        );
    }
}
