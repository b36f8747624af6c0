//! `schema-sync-at-startup`: The production start command runs schema sync (db:sync, schema:update, prisma db push), bypassing migrations.

use super::{Ctx, Hits, RuleMeta};
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "schema-sync-at-startup",
    class: None,
    summary: "The production start command runs schema sync (db:sync, schema:update, prisma db push), bypassing migrations.",
};

/// Not an op rule: deploy checks emit it.
pub fn check(_ctx: &Ctx, _op: &Op, _hits: &mut Hits) {}
