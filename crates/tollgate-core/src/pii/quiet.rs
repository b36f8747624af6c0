//! The values of one column in which the search found nothing, kept so that the same value
//! met again is not searched again.
//!
//! A column that is not named like personal data is searched value by value for e-mails, IP
//! addresses, IBANs, phone numbers and the like ([`PiiPolicy::search`]). Many such columns
//! repeat a few values row after row: the browser of a login, a status text, a product
//! description, a JSON template. The search of a long value is the most expensive part of a
//! dump's scan (a user agent has a dozen dotted versions to look at), and its result depends
//! only on the policy and the value's bytes. A [`Quiet`] keeps, per column, the last values whose
//! search found nothing: a value found in it is skipped, which is what searching it would
//! have done (nothing found: nothing counted). Values in which something was found are never
//! kept: they are searched and counted every time.
//!
//! It costs a hash of the value on every lookup, so a column whose values rarely come back
//! (free text, hashes, e-mail bodies) stops using it after a trial of [`TRIAL`] lookups with
//! fewer than one hit in eight. Memory is bounded per value ([`MAX_BYTES`]), per column
//! ([`SLOTS`]) and per collector (the budget the caller passes, [`BUDGET`]).
//!
//! [`PiiPolicy::search`]: super::PiiPolicy

/// Longest value kept.
pub(super) const MAX_BYTES: usize = 256;
/// Values kept per column (a power of two): a value's slot is chosen by its hash, a new value
/// replaces the one in its slot.
const SLOTS: usize = 64;
/// Lookups after which a column stops using a memo unless one in eight was a hit (this memo
/// and the collector's memo of named columns).
pub(super) const TRIAL: u32 = 4096;

/// The trial of a memo: its first [`TRIAL`] lookups, and how many were hits.
#[derive(Debug, Default)]
pub(super) struct Trial {
    lookups: u32,
    hits: u32,
}

impl Trial {
    /// Counts one lookup; `true` when it ends the trial with fewer than one hit in eight: the
    /// memo should be given up.
    #[inline]
    pub fn failed_after(&mut self, hit: bool) -> bool {
        if self.lookups == TRIAL {
            return false;
        }
        self.lookups += 1;
        self.hits += u32::from(hit);
        self.lookups == TRIAL && self.hits < TRIAL / 8
    }
}
/// Bytes of values all the memos of one collector may hold together (the collector's
/// default budget).
pub(super) const BUDGET: usize = 8 << 20;

/// A hash of a value's bytes, eight at a time (not for hash tables: the slot index and a
/// quick reject before the bytes are compared).
#[inline]
pub(super) fn hash(v: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut h = (v.len() as u64).wrapping_mul(K);
    let mut chunks = v.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().unwrap_or([0; 8]));
        h = (h ^ w).wrapping_mul(K).rotate_left(29);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let w = rest
            .iter()
            .rev()
            .fold(0u64, |w, &b| (w << 8) | u64::from(b));
        h = (h ^ w).wrapping_mul(K).rotate_left(29);
    }
    // MurmurHash3's finaliser: every input bit reaches the low bits that pick the slot.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 33)
}

#[derive(Debug, Default)]
struct Slot {
    hash: u64,
    /// Empty for a free slot (an empty value is never searched: see `prescan`).
    value: Box<[u8]>,
}

/// The memo of one column.
#[derive(Debug)]
pub(super) struct Quiet {
    slots: Vec<Slot>,
    trial: Trial,
    /// Given up: the column's values rarely came back.
    off: bool,
}

impl Quiet {
    pub fn new() -> Box<Quiet> {
        Box::new(Quiet {
            slots: (0..SLOTS).map(|_| Slot::default()).collect(),
            trial: Trial::default(),
            off: false,
        })
    }

    /// Whether the column still uses its memo.
    #[inline]
    pub fn on(&self) -> bool {
        !self.off
    }

    /// Whether `v` (of hash `h`) is one of the values kept. Ends the trial after [`TRIAL`]
    /// lookups: the values' bytes are then given back, and how many is subtracted from `used`.
    #[inline]
    pub fn seen(&mut self, v: &[u8], h: u64, used: &mut usize) -> bool {
        let slot = &self.slots[(h as usize) % SLOTS];
        let hit = slot.hash == h && *slot.value == *v;
        if self.trial.failed_after(hit) {
            self.off = true;
            for slot in &mut self.slots {
                *used -= slot.value.len();
                *slot = Slot::default();
            }
        }
        hit
    }

    /// Keeps `v`, of hash `h`, in which the search found nothing, when it is short enough and
    /// the budget allows; `used` counts the bytes kept by every memo of the collector, which
    /// may hold `budget` together.
    pub fn remember(&mut self, v: &[u8], h: u64, used: &mut usize, budget: usize) {
        if self.off || v.is_empty() || v.len() > MAX_BYTES {
            return;
        }
        let slot = &mut self.slots[(h as usize) % SLOTS];
        let freed = slot.value.len();
        if *used - freed + v.len() > budget {
            return;
        }
        *used = *used - freed + v.len();
        *slot = Slot {
            hash: h,
            value: v.into(),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_it_kept_and_nothing_else() {
        let mut used = 0;
        let mut q = Quiet::new();
        let a = b"Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/120.0";
        let b = b"Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/121.0";
        assert!(!q.seen(a, hash(a), &mut used));
        q.remember(a, hash(a), &mut used, BUDGET);
        assert_eq!(used, a.len());
        assert!(q.seen(a, hash(a), &mut used));
        assert!(!q.seen(b, hash(b), &mut used));
        // A forged hash still needs the same bytes.
        assert!(!q.seen(b, hash(a), &mut used));
        // Too long: not kept.
        let long = vec![b'x'; MAX_BYTES + 1];
        q.remember(&long, hash(&long), &mut used, BUDGET);
        assert!(!q.seen(&long, hash(&long), &mut used));
        assert_eq!(used, a.len());
    }

    #[test]
    fn a_replaced_value_gives_its_bytes_back() {
        let mut used = 0;
        let mut q = Quiet::new();
        // Two values in the same slot.
        let values: Vec<Vec<u8>> = (0..10_000u32)
            .map(|i| format!("value number {i}").into_bytes())
            .collect();
        let slot = |v: &[u8]| (hash(v) as usize) % SLOTS;
        let first = &values[0];
        let second = values[1..]
            .iter()
            .find(|v| slot(v) == slot(first))
            .expect("two values share a slot");
        q.remember(first, hash(first), &mut used, BUDGET);
        q.remember(second, hash(second), &mut used, BUDGET);
        assert_eq!(used, second.len());
        assert!(!q.seen(first, hash(first), &mut used));
        assert!(q.seen(second, hash(second), &mut used));
    }

    #[test]
    fn a_column_of_values_that_never_come_back_gives_up() {
        let mut used = 0;
        let mut q = Quiet::new();
        for i in 0..TRIAL {
            let v = format!("free text {i}");
            assert!(!q.seen(v.as_bytes(), hash(v.as_bytes()), &mut used));
            q.remember(v.as_bytes(), hash(v.as_bytes()), &mut used, BUDGET);
        }
        assert!(!q.on());
        assert_eq!(used, 0);
        q.remember(b"free text 1", hash(b"free text 1"), &mut used, BUDGET);
        assert_eq!(used, 0);
    }

    #[test]
    fn a_column_of_repeated_values_keeps_it() {
        let mut used = 0;
        let mut q = Quiet::new();
        for i in 0..2 * TRIAL {
            let v = format!("status {}", i % 5);
            if !q.seen(v.as_bytes(), hash(v.as_bytes()), &mut used) {
                q.remember(v.as_bytes(), hash(v.as_bytes()), &mut used, BUDGET);
            }
        }
        assert!(q.on());
    }

    #[test]
    fn the_budget_bounds_all_memos_together() {
        let mut used = BUDGET - 10;
        let mut q = Quiet::new();
        q.remember(b"0123456789a", hash(b"0123456789a"), &mut used, BUDGET);
        assert_eq!(used, BUDGET - 10);
        q.remember(b"0123456789", hash(b"0123456789"), &mut used, BUDGET);
        assert_eq!(used, BUDGET);
        assert!(q.seen(b"0123456789", hash(b"0123456789"), &mut used));
    }

    #[test]
    fn hash_tells_lengths_and_tails_apart() {
        assert_ne!(hash(b"abc"), hash(b"abc\0"));
        assert_ne!(hash(b"abcdefgh1"), hash(b"abcdefgh2"));
        assert_ne!(hash(b""), hash(b"\0"));
        // Values that differ in one byte spread over the slots.
        let slots: std::collections::HashSet<usize> = (b'0'..=b'9')
            .map(|c| (hash(&[b's', b't', b'a', b't', b'u', b's', b' ', c]) as usize) % SLOTS)
            .collect();
        assert!(slots.len() >= 6, "{slots:?}");
    }
}
