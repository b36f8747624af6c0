//! `duplicate-migration-version`: Two migrations share a version; the tool runs one of them, or refuses to run.

use super::{Ctx, Hits, RuleMeta};
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "duplicate-migration-version",
    class: None,
    summary: "Two migrations share a version; the tool runs one of them, or refuses to run.",
};

/// Not an op rule: source discovery emits it.
pub fn check(_ctx: &Ctx, _op: &Op, _hits: &mut Hits) {}
