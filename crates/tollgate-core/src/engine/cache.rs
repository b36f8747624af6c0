//! Lowered statements kept between analyses, for editors.
//!
//! An editor lints the file on every keystroke, and a keystroke changes one statement: the
//! others come back with the same text. Lowering (sqlparser's tokenizer and parser, the token
//! fallback, the `DO` and function bodies) is most of the work, and its result depends on the
//! statement's text alone, so a [`LowerCache`] keeps it by text and the next analysis lowers
//! only the statements it has not seen. The rules, the policy and the report are computed
//! afresh every time: only the reading of single statements is reused.
//!
//! Entries store their spans relative to the start of their text and are moved to where the
//! text is found now. [`LowerCache::sweep`] ends a round: entries no analysis used in the last
//! [`KEEP_ROUNDS`] rounds are dropped, and the cache never holds more than [`MAX_BYTES`] of
//! statement text (by default), so its memory follows the files being edited.

use std::cell::RefCell;
use std::collections::HashMap;

use super::{Nested, Stmt};
use crate::span::Span;

/// Rounds an unused entry survives: an editor switching between a few files keeps them all.
pub const KEEP_ROUNDS: u64 = 4;
/// Statement text the cache may hold (keys; the lowered values are about as large).
pub const MAX_BYTES: usize = 16 << 20;

/// See the [module documentation](self).
#[derive(Debug)]
pub struct LowerCache {
    inner: RefCell<Inner>,
    max_bytes: usize,
}

impl Default for LowerCache {
    fn default() -> LowerCache {
        LowerCache::with_max_bytes(MAX_BYTES)
    }
}

#[derive(Debug, Default)]
struct Inner {
    entries: HashMap<Box<str>, Entry>,
    round: u64,
    hits: u64,
    misses: u64,
}

#[derive(Debug)]
struct Entry {
    /// The statement with every span relative to the start of the key's text.
    stmt: Stmt,
    used: u64,
}

/// Keeps the entries whose last round passes `keep`; returns the text they hold.
fn retain(entries: &mut HashMap<Box<str>, Entry>, keep: impl Fn(u64) -> bool) -> usize {
    let mut bytes = 0;
    entries.retain(|k, e| {
        let kept = keep(e.used);
        if kept {
            bytes += k.len();
        }
        kept
    });
    bytes
}

/// How many statements were found in the cache and how many were lowered, since it was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CacheStats {
    pub entries: usize,
    pub hits: u64,
    pub misses: u64,
}

impl LowerCache {
    pub fn new() -> LowerCache {
        LowerCache::default()
    }

    /// A cache that holds at most `max_bytes` of statement text after a round ([`MAX_BYTES`]
    /// for [`LowerCache::new`]).
    pub fn with_max_bytes(max_bytes: usize) -> LowerCache {
        LowerCache {
            inner: RefCell::default(),
            max_bytes,
        }
    }

    /// The statement whose text is `sql[from..to]`, from the cache or from `lower`; its spans
    /// are absolute (in `sql`).
    pub(super) fn get_or_lower(
        &self,
        sql: &str,
        from: usize,
        to: usize,
        lower: impl FnOnce() -> Stmt,
    ) -> Stmt {
        let key = &sql[from..to];
        let mut inner = self.inner.borrow_mut();
        let round = inner.round;
        if let Some(entry) = inner.entries.get_mut(key) {
            entry.used = round;
            let mut stmt = entry.stmt.clone();
            inner.hits += 1;
            drop(inner);
            move_stmt(&mut stmt, |s| s.offset(from));
            return stmt;
        }
        inner.misses += 1;
        drop(inner);
        let stmt = lower();
        let mut relative = stmt.clone();
        move_stmt(&mut relative, |s| Span::new(s.start - from, s.end - from));
        let mut inner = self.inner.borrow_mut();
        inner.entries.insert(
            key.into(),
            Entry {
                stmt: relative,
                used: round,
            },
        );
        stmt
    }

    /// Ends a round (one lint call): drops the entries unused for [`KEEP_ROUNDS`] rounds, and
    /// all but this round's when the cache holds more than [`MAX_BYTES`] of text.
    pub fn sweep(&self) {
        let mut inner = self.inner.borrow_mut();
        let round = inner.round;
        let keep_from = round.saturating_sub(KEEP_ROUNDS - 1);
        let max = self.max_bytes;
        if retain(&mut inner.entries, |used| used >= keep_from) > max
            && retain(&mut inner.entries, |used| used == round) > max
        {
            inner.entries.clear();
        }
        inner.round += 1;
    }

    pub fn stats(&self) -> CacheStats {
        let inner = self.inner.borrow();
        CacheStats {
            entries: inner.entries.len(),
            hits: inner.hits,
            misses: inner.misses,
        }
    }
}

/// Applies `f` to every span a statement holds (its own and its nested statements').
fn move_stmt(stmt: &mut Stmt, f: impl Fn(Span) -> Span + Copy) {
    stmt.span = f(stmt.span);
    for n in stmt.do_body.iter_mut().chain(stmt.fn_body.iter_mut()) {
        move_nested(n, f);
    }
}

fn move_nested(n: &mut Nested, f: impl Fn(Span) -> Span + Copy) {
    n.span = f(n.span);
    for c in &mut n.nested {
        move_nested(c, f);
    }
}
