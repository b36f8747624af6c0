//! `unrecognised-migration-file`: A file in a migrations directory that does not follow the directory's layout.

use super::{Ctx, Hits, RuleMeta};
use crate::ops::Op;

pub const META: RuleMeta = RuleMeta {
    id: "unrecognised-migration-file",
    class: None,
    summary: "A file in a migrations directory that does not follow the directory's layout.",
};

/// Not an op rule: source discovery emits it.
pub fn check(_ctx: &Ctx, _op: &Op, _hits: &mut Hits) {}
