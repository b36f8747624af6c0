//! `down-restores-schema-only`: A destructive up whose down can bring back the schema but not the data.

use super::{Ctx, Hits, RuleMeta};
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "down-restores-schema-only",
    class: None,
    summary: "A destructive up whose down can bring back the schema but not the data.",
};

/// Not an op rule: the engine compares what the up drops with what the down re-creates.
pub fn check(_ctx: &Ctx, _op: &Op, _hits: &mut Hits) {}
