//! `classification-mismatch`: The static analysis called a migration additive, risky or unknown, but the database shows it lost data.

use super::{Ctx, Hits, RuleMeta};
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "classification-mismatch",
    class: None,
    summary: "The static analysis called a migration additive, risky or unknown, but the database shows it lost data.",
};

/// Not an op rule: `tollgate verify` emits it from what the database did, at the up migration
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
