//! `personal-data-in-dump`: A committed database dump, export or seed file holds personal data.

use super::{Ctx, Hits, RuleMeta};
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "personal-data-in-dump",
    class: None,
    summary: "A committed database dump, export or seed file holds personal data.",
};

/// Not an op rule: `tollgate check` runs the dump guard over `dumps.scan`; `tollgate dumps` is the same guard on its own (see
/// `tollgate-cli/src/dumps.rs`, and `tests/dumps.rs` for the end-to-end tests).
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
