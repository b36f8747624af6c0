//! `orphan-down-migration`: A down migration without its up migration.

use super::{Ctx, Hits, RuleMeta};
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "orphan-down-migration",
    class: None,
    summary: "A down migration without its up migration.",
};

/// Not an op rule: source discovery emits it.
pub fn check(_ctx: &Ctx, _op: &Op, _hits: &mut Hits) {}
