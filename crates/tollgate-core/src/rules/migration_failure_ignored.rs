//! `migration-failure-ignored`: The start command carries on when migrations fail (`|| true`, `;` instead of `&&`).

use super::{Ctx, Hits, RuleMeta};
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "migration-failure-ignored",
    class: None,
    summary: "The start command carries on when migrations fail (`|| true`, `;` instead of `&&`).",
};

/// Not an op rule: deploy checks emit it.
pub fn check(_ctx: &Ctx, _op: &Op, _hits: &mut Hits) {}
