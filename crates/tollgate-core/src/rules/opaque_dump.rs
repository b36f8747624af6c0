//! `opaque-dump`: A custom-format or binary dump that cannot be read row by row is committed.

use super::{Ctx, Hits, RuleMeta};
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "opaque-dump",
    class: None,
    summary: "A custom-format or binary dump that cannot be read row by row is committed.",
};

/// Not an op rule: Emitted by the dump guard (`tollgate-cli/src/dumps.rs`) for pg_dump custom and directory formats
/// not listed in `dumps.allow_opaque`.
pub fn check(_ctx: &Ctx, _op: &Op, _hits: &mut Hits) {}

#[cfg(test)]
mod tests {
    #[test]
    fn registered_and_an_error_by_default() {
        assert!(crate::rules::find(super::META.id).is_some());
        assert_eq!(
            crate::policy::Policy::default_policy().level(super::META.id),
            crate::model::Level::Error
        );
    }
}
