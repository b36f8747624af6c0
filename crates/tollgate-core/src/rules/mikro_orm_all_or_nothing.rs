//! `mikro-orm-all-or-nothing`: CONCURRENTLY in a MikroORM migration that still runs inside the allOrNothing master transaction.

use super::{Ctx, Hits, RuleMeta};
use crate::model::Class;
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "mikro-orm-all-or-nothing",
    class: Some(Class::Risky),
    summary: "CONCURRENTLY in a MikroORM migration that still runs inside the allOrNothing master transaction.",
};

/// Not an op rule: the engine emits it for MikroORM migrations, which know their transaction settings.
pub fn check(_ctx: &Ctx, _op: &Op, _hits: &mut Hits) {}
