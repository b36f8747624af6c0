//! `out-of-order-migration`: A new migration is older than the newest one on the base branch: it runs late in production and early on a fresh database.

use super::{Ctx, Hits, RuleMeta};
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "out-of-order-migration",
    class: None,
    summary: "A new migration is older than the newest one on the base branch: it runs late in production and early on a fresh database.",
};

/// Not an op rule: the CLI emits it with --base.
pub fn check(_ctx: &Ctx, _op: &Op, _hits: &mut Hits) {}
