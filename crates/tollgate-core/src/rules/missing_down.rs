//! `missing-down`: A migration without a working down migration (none, empty, or MikroORM's inherited throwing down()).

use super::{Ctx, Hits, RuleMeta};
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "missing-down",
    class: None,
    summary: "A migration without a working down migration (none, empty, or MikroORM's inherited throwing down()).",
};

/// Not an op rule: the engine emits it per migration, following `require_down`.
pub fn check(_ctx: &Ctx, _op: &Op, _hits: &mut Hits) {}
