//! `dump-not-scanned`: A dump could not be read to the end (size, ratio, nesting or time limit, or a corrupt file).

use super::{Ctx, Hits, RuleMeta};
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "dump-not-scanned",
    class: None,
    summary: "A dump could not be read to the end (size, ratio, nesting or time limit, or a corrupt file).",
};

/// Not an op rule: Emitted by the dump guard (`tollgate-cli/src/dumps.rs`): a dump that was not read to the end
/// is never passed silently.
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
