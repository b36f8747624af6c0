//! `applied-migration-changed`: A migration that already exists on the base branch was modified, renamed or deleted.

use super::{Ctx, Hits, RuleMeta};
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "applied-migration-changed",
    class: None,
    summary: "A migration that already exists on the base branch was modified, renamed or deleted.",
};

/// Not an op rule: the CLI emits it with --base.
pub fn check(_ctx: &Ctx, _op: &Op, _hits: &mut Hits) {}
