//! The collector: aggregates the cells of one file into [`Evidence`] per `(table, column,
//! kind)` and decides which evidence blocks.
//!
//! Decision (thresholds from `[thresholds]` in `policies/pii.toml`):
//! - a cell under a column named like personal data ([`PiiPolicy::column_kind`]) is judged
//!   against that kind only ([`PiiPolicy::validates`]); the column blocks when it holds at
//!   least `min_named_values` validated, non-synthetic values. Such cells never feed the
//!   unnamed detection, even when they hold another kind of value (simple and predictable:
//!   the column is reported anyway).
//! - every other cell (unknown column, no column, free text) is searched for self-validating
//!   values ([`PiiPolicy::find_values`]); those block only when at least
//!   `min_unnamed_distinct` distinct non-synthetic values of one kind appear in the whole file,
//!   and then every unnamed evidence of that kind with a real value blocks.
//! - cells of columns declared in `[non_personal]` are skipped entirely.
//! - seed rows: in a table whose e-mails (under an e-mail column) are all synthetic
//!   (`example.com`, `.test`), the other named columns describe made-up people too, so they do
//!   not block.
//! - baseline: a value whose [`value_fingerprint`] is in the baseline given to
//!   [`Collector::with_baseline`] counts like a synthetic one, and the fingerprint is reported
//!   as used.
//!
//! Memory stays flat: distinct values are tracked as 64-bit hashes, at most [`DISTINCT_CAP`]
//! per evidence and `min_unnamed_distinct` per kind for the file-wide count; samples are
//! redacted as they are taken, at most [`MAX_SAMPLES`] per evidence; no raw value is kept.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasherDefault, DefaultHasher, Hash, Hasher};

use serde::Serialize;

use super::quiet::{self, Quiet, Trial};
use super::redact::{fingerprint, redact};
use super::validate;
use super::{PiiKind, PiiPolicy};

/// `Evidence::distinct` stops counting here.
pub const DISTINCT_CAP: usize = 1000;
/// At most this many redacted samples per evidence.
pub const MAX_SAMPLES: usize = 3;
/// Distinct values redacted per evidence while looking for distinct samples.
const SAMPLE_TRIES: u32 = 32;
/// Free text is searched in its first this many bytes only.
pub const SCAN_LIMIT: usize = 64 * 1024;

const KINDS: usize = PiiKind::ALL.len();

/// Personal data found in one `(table, column, kind)`. Holds no raw value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// The archive member the values were read from (`backup.tar.gz!data/users.csv`); `None`
    /// for the file itself.
    pub member: Option<String>,
    pub table: Option<String>,
    pub column: Option<String>,
    pub kind: PiiKind,
    /// True when the column's name says it is personal ([`PiiPolicy::column_kind`]); false
    /// when the values were recognised in a column (or text) with no personal name.
    pub named: bool,
    /// Validated values, synthetic and baselined ones included.
    pub count: u64,
    /// Validated values that are neither synthetic nor baselined: what blocks.
    pub real: u64,
    /// Distinct validated values, counted up to [`DISTINCT_CAP`].
    pub distinct: u64,
    /// 1-based line of the first real value (of the first validated one when none is real).
    pub first_line: u64,
    /// Redacted samples ([`super::redact()`]), at most [`MAX_SAMPLES`], distinct: of real
    /// values when there are any, else of the synthetic ones.
    pub samples: Vec<String>,
    /// Whether this evidence fails the check (see the module documentation).
    pub blocking: bool,
    /// Every value was synthetic (reserved e-mail domain, documentation IP, test card, example
    /// IBAN): seed data, never blocking.
    pub synthetic_only: bool,
    /// Values matched by a baseline fingerprint (counted in `count`, never blocking).
    pub baselined: u64,
    /// [`value_fingerprint`]s of the distinct real values that were not baselined, when there
    /// are fewer than [`DISTINCT_CAP`] of them (else empty: too many to baseline one by one).
    /// Not serialised: a hash of a personal value is still personal data, so it is only ever
    /// written to a baseline file on request.
    #[serde(skip)]
    pub fingerprints: Vec<String>,
}

/// The baseline fingerprint of a personal value: [`fingerprint`] of the kind and the value's
/// normal form (phones in international form, IPs parsed, IBANs and card numbers without
/// spaces, the rest lower-cased), so `06 12 34 56 78` and `+33612345678` agree.
pub fn value_fingerprint(kind: PiiKind, value: &str) -> String {
    let rule = format!("personal-data-in-dump:{}", kind.as_str());
    format!("value:{}", fingerprint(&rule, &normal_form(kind, value)))
}

fn normal_form(kind: PiiKind, value: &str) -> String {
    let v = validate::trim(value);
    match kind {
        PiiKind::Phone => match validate::parse_phone(v) {
            Some(p) => format!("+{}{}", p.country_code, p.national),
            None => v.chars().filter(char::is_ascii_digit).collect(),
        },
        PiiKind::IpAddress => match validate::parse_ip(v) {
            Some(ip) => ip.to_string(),
            None => v.to_lowercase(),
        },
        PiiKind::Iban | PiiKind::CardNumber | PiiKind::NationalId => v
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_uppercase())
            .collect(),
        _ => v.to_lowercase(),
    }
}

/// How the cells of a column are judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Declared in `[non_personal]`: skipped.
    Skip,
    /// Named like personal data of this kind.
    Named(PiiKind),
    /// Searched for self-validating values.
    Unnamed,
}

#[derive(Debug)]
struct ColumnSlot {
    class: Class,
    /// Index into `Collector::entries`, per kind.
    entries: [Option<usize>; KINDS],
    /// For a named column: the judgement and distinct-value hash of recent short values.
    memo: Option<Box<Memo>>,
    /// For any other column: recent values in which the search found nothing.
    quiet: Option<Box<Quiet>>,
}

#[derive(Debug, Default)]
struct TableSlot {
    /// The declared columns, for the sibling rule.
    declared: Vec<String>,
    /// Column slots, found through `column_index`; cells arrive row by row, so the slot after
    /// the last one used is tried first (`next`), which spares hashing the name.
    columns: Vec<(String, ColumnSlot)>,
    column_index: HashMap<String, usize>,
    next: usize,
    /// Cells without a column.
    free: Option<ColumnSlot>,
}

#[derive(Debug)]
struct Entry {
    member: Option<String>,
    table: Option<String>,
    column: Option<String>,
    kind: PiiKind,
    named: bool,
    count: u64,
    real: u64,
    distinct: ValueHashes,
    first_line: u64,
    samples: Vec<String>,
    sample_tries: u32,
    /// Samples of synthetic or baselined values, shown only when there is no real one.
    other_samples: Vec<String>,
    first_real_line: u64,
    baselined: u64,
    fingerprints: Vec<String>,
}

/// Aggregates the cells of one file; see the module documentation.
#[derive(Debug)]
pub struct Collector<'p> {
    policy: &'p PiiPolicy,
    reference_year: i32,
    slots: Slots,
    acc: Acc<'p>,
}

/// Where the cells of each table and column go.
#[derive(Debug, Default)]
struct Slots {
    tables: Vec<(String, TableSlot)>,
    table_index: HashMap<String, usize>,
    /// The table of the last cell: consecutive cells almost always share it.
    last_table: usize,
    no_table: TableSlot,
    /// The table of the last [`Collector::columns`] call (`None`: no table) and, per position
    /// in its list, the index of the column's slot: [`Collector::cell_at`] goes straight there.
    header_table: Option<usize>,
    header: Vec<usize>,
}

/// What has been found so far.
#[derive(Debug)]
struct Acc<'p> {
    entries: Vec<Entry>,
    /// File-wide distinct real values per kind found outside personal columns, capped at
    /// `min_unnamed_distinct`.
    unnamed_distinct: [ValueHashes; KINDS],
    /// The archive member being read.
    member: Option<String>,
    baseline: Option<&'p HashSet<String>>,
    baseline_used: BTreeSet<String>,
    /// Bytes held by the columns' [`Quiet`] memos, and how many they may hold together
    /// ([`quiet::BUDGET`]).
    quiet_used: usize,
    quiet_budget: usize,
}

/// A set of [`value_hash`]es. They are SipHash outputs already: the set uses them as its own
/// hash instead of hashing them again.
type ValueHashes = HashSet<u64, BuildHasherDefault<Prehashed>>;

#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used; anything else is folded in rather than lost.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// The identity of a value for distinct counting: its kind-specific normal form, hashed.
fn value_hash(kind: PiiKind, value: &str) -> u64 {
    let mut h = DefaultHasher::new();
    kind.hash(&mut h);
    let v = validate::trim(value);
    match kind {
        PiiKind::Phone => match validate::phone_parts(v) {
            Some((code, nsn)) => (code, nsn.as_str()).hash(&mut h),
            None => v
                .bytes()
                .filter(u8::is_ascii_digit)
                .for_each(|b| b.hash(&mut h)),
        },
        PiiKind::IpAddress => match validate::parse_ip(v) {
            Some(ip) => ip.hash(&mut h),
            None => v.hash(&mut h),
        },
        PiiKind::Iban | PiiKind::CardNumber | PiiKind::NationalId => v
            .bytes()
            .filter(u8::is_ascii_alphanumeric)
            .map(|b| b.to_ascii_uppercase())
            .for_each(|b| b.hash(&mut h)),
        _ if v.is_ascii() && v.len() <= 256 => {
            // The same bytes as `to_lowercase`, without allocating.
            let mut buf = [0u8; 256];
            let lower = &mut buf[..v.len()];
            lower.copy_from_slice(v.as_bytes());
            lower.make_ascii_lowercase();
            std::str::from_utf8(lower).unwrap_or(v).hash(&mut h);
        }
        _ => v.to_lowercase().hash(&mut h),
    }
    h.finish()
}

impl<'p> Collector<'p> {
    /// A collector for one file. `reference_year` (the current year) bounds plausible dates of
    /// birth; the core reads no clock.
    pub fn new(policy: &'p PiiPolicy, reference_year: i32) -> Self {
        Collector {
            policy,
            reference_year,
            slots: Slots::default(),
            acc: Acc {
                entries: Vec::new(),
                unnamed_distinct: std::array::from_fn(|_| ValueHashes::default()),
                member: None,
                baseline: None,
                baseline_used: BTreeSet::new(),
                quiet_used: 0,
                quiet_budget: quiet::BUDGET,
            },
        }
    }

    /// A collector that counts values whose [`value_fingerprint`] is in `baseline` as
    /// suppressed (see [`Collector::finish_with_baseline`]).
    pub fn with_baseline(
        policy: &'p PiiPolicy,
        reference_year: i32,
        baseline: &'p HashSet<String>,
    ) -> Self {
        let mut c = Collector::new(policy, reference_year);
        if !baseline.is_empty() {
            c.acc.baseline = Some(baseline);
        }
        c
    }

    /// The cells that follow come from this archive member (`None`: the file itself). Column
    /// declarations do not carry over from one member to the next.
    pub fn member(&mut self, path: Option<&str>) {
        if self.acc.member.as_deref() == path {
            return;
        }
        self.acc.member = path.map(str::to_string);
        self.slots = Slots::default();
        self.acc.quiet_used = 0;
    }

    /// Declares a table's columns (from a COPY header, INSERT column list or CSV header) before
    /// its rows. Cheap when repeated with the same list (one INSERT per row). The list also
    /// gives the positions [`Collector::cell_at`] refers to.
    pub fn columns(&mut self, table: Option<&str>, columns: &[String]) {
        let policy = self.policy;
        let slots = &mut self.slots;
        let table_i = table.map(|t| slots.table_of(t));
        let slot = match table_i {
            Some(i) => &mut slots.tables[i].1,
            None => &mut slots.no_table,
        };
        let table_name = table.unwrap_or("");
        if slot.declared == columns {
            if slots.header_table == table_i && slots.header.len() == columns.len() {
                // The same list as the last call: the same positions.
                return;
            }
        } else {
            slot.declared = columns.to_vec();
            let siblings: Vec<&str> = slot.declared.iter().map(String::as_str).collect();
            for (name, column) in slot.columns.iter_mut() {
                column.class = classify(policy, table_name, name, &siblings);
            }
        }
        let header: Vec<usize> = columns
            .iter()
            .map(|name| slot.column_of(policy, table_name, name))
            .collect();
        slots.header_table = table_i;
        slots.header = header;
    }

    /// One cell. `line` is 1-based in the (decompressed) stream.
    pub fn cell(&mut self, table: Option<&str>, column: Option<&str>, value: &str, line: u64) {
        let policy = self.policy;
        let slots = &mut self.slots;
        let slot = match table {
            Some(t) => {
                let i = slots.table_of(t);
                &mut slots.tables[i].1
            }
            None => &mut slots.no_table,
        };
        let column_slot = match column {
            Some(name) => {
                let i = match slot.columns.get(slot.next) {
                    Some((n, _)) if n == name => slot.next,
                    _ => slot.column_of(policy, table.unwrap_or(""), name),
                };
                slot.next = if i + 1 == slot.columns.len() {
                    0
                } else {
                    i + 1
                };
                &mut slot.columns[i].1
            }
            None => slot.free.get_or_insert(ColumnSlot {
                class: Class::Unnamed,
                entries: [None; KINDS],
                memo: None,
                quiet: None,
            }),
        };
        self.acc.take(
            policy,
            self.reference_year,
            column_slot,
            table,
            column,
            value,
            line,
        );
    }

    /// One cell of the column at `index` in the list last given to [`Collector::columns`],
    /// which must be the list of `table`; `column` is its name (`None` past the end of the
    /// list). Same result as [`Collector::cell`], without looking the names up.
    pub fn cell_at(
        &mut self,
        table: Option<&str>,
        column: Option<&str>,
        index: usize,
        value: &str,
        line: u64,
    ) {
        let slots = &mut self.slots;
        let Some(&i) = slots.header.get(index) else {
            return self.cell(table, column, value, line);
        };
        let slot = match slots.header_table {
            Some(t) => &mut slots.tables[t].1,
            None => &mut slots.no_table,
        };
        debug_assert_eq!(Some(slot.columns[i].0.as_str()), column);
        let column_slot = &mut slot.columns[i].1;
        self.acc.take(
            self.policy,
            self.reference_year,
            column_slot,
            table,
            column,
            value,
            line,
        );
    }

    /// The non-NULL values of one row of `table`, each with its position in `columns`, the list
    /// last given to [`Collector::columns`]. Same result as one [`Collector::cell_at`] per
    /// value, in order.
    pub fn row(
        &mut self,
        table: Option<&str>,
        columns: &[String],
        values: &[(usize, &str)],
        line: u64,
    ) {
        let header_len = self.slots.header.len();
        if values.iter().any(|&(index, _)| index >= header_len) {
            // More fields than declared columns: the rare path, value by value.
            for &(index, value) in values {
                let column = columns.get(index).map(String::as_str);
                self.cell_at(table, column, index, value, line);
            }
            return;
        }
        // What `cell_at` does per value, with the table's slot looked up once per row.
        let Collector {
            policy,
            reference_year,
            slots,
            acc,
        } = self;
        let slot = match slots.header_table {
            Some(t) => &mut slots.tables[t].1,
            None => &mut slots.no_table,
        };
        for &(index, value) in values {
            let column = columns.get(index).map(String::as_str);
            let i = slots.header[index];
            debug_assert_eq!(Some(slot.columns[i].0.as_str()), column);
            acc.take(
                policy,
                *reference_year,
                &mut slot.columns[i].1,
                table,
                column,
                value,
                line,
            );
        }
    }

    /// The evidence, ordered by member, first line, then table, column and kind.
    pub fn finish(self) -> Vec<Evidence> {
        self.finish_with_baseline().0
    }

    /// The evidence, and the baseline fingerprints that matched at least one value.
    pub fn finish_with_baseline(self) -> (Vec<Evidence>, BTreeSet<String>) {
        let thresholds = self.policy.thresholds;
        let unnamed_blocks: Vec<bool> = self
            .acc
            .unnamed_distinct
            .iter()
            .map(|s| s.len() as u64 >= thresholds.min_unnamed_distinct)
            .collect();
        let mut out: Vec<Evidence> = self
            .acc
            .entries
            .into_iter()
            .map(|e| {
                let blocking = if e.named {
                    e.real >= thresholds.min_named_values
                } else {
                    e.real > 0 && unnamed_blocks[e.kind.index()]
                };
                let complete = e.distinct.len() < DISTINCT_CAP;
                Evidence {
                    member: e.member,
                    table: e.table,
                    column: e.column,
                    kind: e.kind,
                    named: e.named,
                    count: e.count,
                    real: e.real,
                    distinct: e.distinct.len() as u64,
                    first_line: if e.real > 0 {
                        e.first_real_line
                    } else {
                        e.first_line
                    },
                    samples: if e.samples.is_empty() {
                        e.other_samples
                    } else {
                        e.samples
                    },
                    blocking,
                    synthetic_only: e.real == 0 && e.baselined == 0,
                    baselined: e.baselined,
                    fingerprints: if complete { e.fingerprints } else { Vec::new() },
                }
            })
            .collect();
        // Seed rows: made-up people have made-up e-mails.
        let mut seed_tables: Vec<(Option<String>, Option<String>)> = Vec::new();
        for e in &out {
            if e.kind == PiiKind::Email && e.named && e.synthetic_only {
                let key = (e.member.clone(), e.table.clone());
                let all_synthetic = out.iter().all(|o| {
                    o.member != key.0
                        || o.table != key.1
                        || o.kind != PiiKind::Email
                        || o.synthetic_only
                });
                if all_synthetic && !seed_tables.contains(&key) {
                    seed_tables.push(key);
                }
            }
        }
        for e in out.iter_mut() {
            if e.named && seed_tables.contains(&(e.member.clone(), e.table.clone())) {
                e.blocking = false;
            }
        }
        out.sort_by(|a, b| {
            (&a.member, a.first_line, &a.table, &a.column, a.kind).cmp(&(
                &b.member,
                b.first_line,
                &b.table,
                &b.column,
                b.kind,
            ))
        });
        (out, self.acc.baseline_used)
    }
}

impl Slots {
    /// The index of a table's slot, created on first use.
    fn table_of(&mut self, t: &str) -> usize {
        let i = match self.tables.get(self.last_table) {
            Some((name, _)) if name == t => self.last_table,
            _ => match self.table_index.get(t) {
                Some(&i) => i,
                None => {
                    self.tables.push((t.to_string(), TableSlot::default()));
                    self.table_index
                        .insert(t.to_string(), self.tables.len() - 1);
                    self.tables.len() - 1
                }
            },
        };
        self.last_table = i;
        i
    }
}

impl TableSlot {
    /// The index of a column's slot, created (and classified with the declared columns as
    /// siblings) on first use.
    fn column_of(&mut self, policy: &PiiPolicy, table: &str, name: &str) -> usize {
        if let Some(&i) = self.column_index.get(name) {
            return i;
        }
        let siblings: Vec<&str> = self.declared.iter().map(String::as_str).collect();
        let class = classify(policy, table, name, &siblings);
        self.columns.push((
            name.to_string(),
            ColumnSlot {
                class,
                entries: [None; KINDS],
                memo: None,
                quiet: None,
            },
        ));
        self.column_index
            .insert(name.to_string(), self.columns.len() - 1);
        self.columns.len() - 1
    }
}

/// Where a cell is: its table and column, and its 1-based line.
#[derive(Clone, Copy)]
struct Place<'a> {
    table: Option<&'a str>,
    column: Option<&'a str>,
    line: u64,
}

/// A validated value, as [`Acc::count`] takes it.
struct Found<'v> {
    kind: PiiKind,
    value: &'v str,
    synthetic: bool,
    /// Found under a column named like personal data.
    named: bool,
}

/// Values of at most this many bytes are remembered by a [`Memo`].
const MEMO_BYTES: usize = 24;
/// Slots of a [`Memo`] (a power of two).
const MEMO_SLOTS: usize = 256;

/// What a named column's recent short values were judged to be, so that a value seen again
/// (a city, a first name, a zip code: named columns of few distinct values) is not judged and
/// hashed again. A slot per value, chosen by a cheap hash of its bytes; a new value replaces
/// the one in its slot. Both results depend only on the policy, the kind, the reference year
/// and the value's bytes, which the slot keeps whole: a hit gives what computing would.
#[derive(Debug)]
struct Memo {
    /// The kind the results are for (a later header can rename the column).
    kind: PiiKind,
    slots: Vec<MemoSlot>,
    /// A column of values that rarely come back (e-mails, phone numbers, IP addresses) stops
    /// paying for the memo after its trial.
    trial: Trial,
    off: bool,
}

#[derive(Debug, Clone, Copy)]
struct MemoSlot {
    /// The value's bytes, as [`memo_key`] gives them.
    key: [u64; 3],
    /// The value's length; `u8::MAX` for an empty slot.
    len: u8,
    /// [`PiiPolicy::judge_named`] of the value.
    judged: Option<bool>,
    /// [`value_hash`] of the value, once needed.
    hash: Option<u64>,
}

/// The bytes of a value of at most [`MEMO_BYTES`] bytes as three little-endian words, zero
/// bytes past its end: with the length, equal keys are equal values.
#[inline]
fn memo_key(v: &[u8]) -> [u64; 3] {
    let word = |at: usize| {
        if at < v.len() {
            super::scan::word_at(v, at)
        } else {
            0
        }
    };
    [word(0), word(8), word(16)]
}

impl Memo {
    fn new(kind: PiiKind) -> Box<Memo> {
        Box::new(Memo {
            kind,
            slots: vec![
                MemoSlot {
                    key: [0; 3],
                    len: u8::MAX,
                    judged: None,
                    hash: None,
                };
                MEMO_SLOTS
            ],
            trial: Trial::default(),
            off: false,
        })
    }

    /// [`Memo::slot`], counted towards the trial.
    #[inline]
    fn lookup(&mut self, key: [u64; 3], len: usize) -> (&mut MemoSlot, bool) {
        let (slot, hit) = self.slot(key, len);
        // Still answers this lookup; the column's later values are judged directly.
        self.off |= self.trial.failed_after(hit);
        (&mut self.slots[slot], hit)
    }

    /// The index of the slot of the value of length `len` and [`memo_key`] `key`, and whether
    /// it holds that value.
    #[inline]
    fn slot(&self, key: [u64; 3], len: usize) -> (usize, bool) {
        let h = (key[0] ^ key[1].rotate_left(21) ^ key[2].rotate_left(42) ^ len as u64)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let i = (h >> 56) as usize % MEMO_SLOTS;
        let slot = &self.slots[i];
        (i, usize::from(slot.len) == len && slot.key == key)
    }
}

impl Acc<'_> {
    /// Judges one cell of a column (see the module documentation). Inlined into the row
    /// loop: most values are settled here (skipped columns; ids, amounts, dates and flags in
    /// which the search would find nothing), the rest in the out-of-line [`Acc::named`] and
    /// [`Acc::unnamed`].
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn take(
        &mut self,
        policy: &PiiPolicy,
        reference_year: i32,
        column_slot: &mut ColumnSlot,
        table: Option<&str>,
        column: Option<&str>,
        value: &str,
        line: u64,
    ) {
        match column_slot.class {
            Class::Skip => {}
            Class::Named(kind) => {
                let place = Place {
                    table,
                    column,
                    line,
                };
                self.named(policy, reference_year, kind, column_slot, place, value);
            }
            Class::Unnamed => {
                let text = truncate(value, SCAN_LIMIT);
                if let Some(pre) = super::scan::prescan(text) {
                    let place = Place {
                        table,
                        column,
                        line,
                    };
                    self.unnamed(policy, column_slot, place, text, pre);
                }
            }
        }
    }

    /// Counts a validated value in the entry of its column and kind (created on first use);
    /// `hash` gives its [`value_hash`]. Whether a baseline fingerprint matched it.
    fn count(
        &mut self,
        found: Found<'_>,
        slot_entries: &mut [Option<usize>; KINDS],
        place: Place<'_>,
        hash: impl FnOnce() -> u64,
    ) -> bool {
        let Place {
            table,
            column,
            line,
        } = place;
        let Found {
            kind,
            value,
            synthetic,
            named,
        } = found;
        let baselined =
            !synthetic && baselined(self.baseline, &mut self.baseline_used, kind, value);
        let index = entry_index(
            &mut self.entries,
            slot_entries,
            &self.member,
            table,
            column,
            kind,
            named,
        );
        record(
            &mut self.entries[index],
            kind,
            value,
            synthetic,
            baselined,
            line,
            hash,
        );
        baselined
    }

    /// A cell of a column named like personal data of `kind`.
    #[inline(never)]
    fn named(
        &mut self,
        policy: &PiiPolicy,
        reference_year: i32,
        kind: PiiKind,
        column_slot: &mut ColumnSlot,
        place: Place<'_>,
        value: &str,
    ) {
        // Short values of a file without a baseline go through the column's memo.
        let memo = if value.len() <= MEMO_BYTES && self.baseline.is_none() {
            let memo = column_slot.memo.get_or_insert_with(|| Memo::new(kind));
            if memo.kind != kind {
                *memo = Memo::new(kind);
            }
            if memo.off {
                None
            } else {
                let key = memo_key(value.as_bytes());
                let (slot, hit) = memo.lookup(key, value.len());
                if !hit {
                    *slot = MemoSlot {
                        key,
                        len: value.len() as u8,
                        judged: policy.judge_named(kind, value, reference_year),
                        hash: None,
                    };
                }
                Some(*slot)
            }
        } else {
            None
        };
        let judged = match memo {
            Some(slot) => slot.judged,
            None => policy.judge_named(kind, value, reference_year),
        };
        if let Some(synthetic) = judged {
            let hash = || match memo.and_then(|slot| slot.hash) {
                Some(h) => h,
                None => {
                    let h = value_hash(kind, value);
                    if memo.is_some() {
                        if let Some(memo) = column_slot.memo.as_mut() {
                            let key = memo_key(value.as_bytes());
                            let (slot, _) = memo.slot(key, value.len());
                            memo.slots[slot].hash = Some(h);
                        }
                    }
                    h
                }
            };
            let found = Found {
                kind,
                value,
                synthetic,
                named: true,
            };
            self.count(found, &mut column_slot.entries, place, hash);
        }
    }

    /// A cell of any other column, `text` its first [`SCAN_LIMIT`] bytes, which
    /// [`super::scan::prescan`] let through: searched.
    #[inline(never)]
    fn unnamed(
        &mut self,
        policy: &PiiPolicy,
        column_slot: &mut ColumnSlot,
        place: Place<'_>,
        text: &str,
        pre: super::scan::Prescan,
    ) {
        let threshold = policy.thresholds.min_unnamed_distinct;
        let b = text.as_bytes();
        // A value met again in which the search found nothing: nothing to count.
        let mut remember = None;
        if b.len() <= quiet::MAX_BYTES {
            let memo = column_slot.quiet.get_or_insert_with(Quiet::new);
            if memo.on() {
                let h = quiet::hash(b);
                if memo.seen(b, h, &mut self.quiet_used) {
                    return;
                }
                remember = Some(h);
            }
        }
        let found = policy.search(text, pre);
        if found.is_empty() {
            if let (Some(h), Some(memo)) = (remember, column_slot.quiet.as_mut()) {
                memo.remember(b, h, &mut self.quiet_used, self.quiet_budget);
            }
            return;
        }
        for (kind, found) in found {
            let synthetic = policy.is_synthetic(kind, found);
            let found_value = Found {
                kind,
                value: found,
                synthetic,
                named: false,
            };
            let hash = || value_hash(kind, found);
            let baselined = self.count(found_value, &mut column_slot.entries, place, hash);
            let seen = &mut self.unnamed_distinct[kind.index()];
            if !synthetic && !baselined && (seen.len() as u64) < threshold {
                seen.insert(value_hash(kind, found));
            }
        }
    }
}

fn classify(policy: &PiiPolicy, table: &str, column: &str, siblings: &[&str]) -> Class {
    if policy.is_non_personal(table, column).is_some() {
        return Class::Skip;
    }
    match policy.column_kind(table, column, siblings) {
        Some(kind) => Class::Named(kind),
        None => Class::Unnamed,
    }
}

fn baselined(
    baseline: Option<&HashSet<String>>,
    used: &mut BTreeSet<String>,
    kind: PiiKind,
    value: &str,
) -> bool {
    let Some(baseline) = baseline else {
        return false;
    };
    let fp = value_fingerprint(kind, value);
    if baseline.contains(&fp) {
        used.insert(fp);
        true
    } else {
        false
    }
}

fn entry_index(
    entries: &mut Vec<Entry>,
    slot_entries: &mut [Option<usize>; KINDS],
    member: &Option<String>,
    table: Option<&str>,
    column: Option<&str>,
    kind: PiiKind,
    named: bool,
) -> usize {
    if let Some(i) = slot_entries[kind.index()] {
        // A column reclassified by a later header keeps its entry, which now says how the
        // column is named.
        entries[i].named = named;
        return i;
    }
    entries.push(Entry {
        member: member.clone(),
        table: table.map(str::to_string),
        column: column.map(str::to_string),
        kind,
        named,
        count: 0,
        real: 0,
        distinct: ValueHashes::default(),
        first_line: u64::MAX,
        samples: Vec::new(),
        sample_tries: 0,
        other_samples: Vec::new(),
        first_real_line: u64::MAX,
        baselined: 0,
        fingerprints: Vec::new(),
    });
    let i = entries.len() - 1;
    slot_entries[kind.index()] = Some(i);
    i
}

/// Counts one validated value; `hash` gives its [`value_hash`], asked for only while the
/// distinct values are counted.
fn record(
    entry: &mut Entry,
    kind: PiiKind,
    value: &str,
    synthetic: bool,
    baselined: bool,
    line: u64,
    hash: impl FnOnce() -> u64,
) {
    entry.count += 1;
    if baselined {
        entry.baselined += 1;
    } else if !synthetic {
        entry.real += 1;
    }
    entry.first_line = entry.first_line.min(line);
    if !synthetic && !baselined {
        entry.first_real_line = entry.first_real_line.min(line);
    }
    let new_value = entry.distinct.len() < DISTINCT_CAP && entry.distinct.insert(hash());
    if new_value && !synthetic && !baselined {
        entry.fingerprints.push(value_fingerprint(kind, value));
    }
    // Redact only values not seen before, and give up after a few tries when they all redact
    // alike (`j***@g***.com`).
    let real = !synthetic && !baselined;
    let samples = if real {
        &mut entry.samples
    } else {
        &mut entry.other_samples
    };
    if new_value && samples.len() < MAX_SAMPLES && entry.sample_tries < SAMPLE_TRIES {
        entry.sample_tries += u32::from(real);
        let sample = redact(kind, value);
        if !samples.contains(&sample) {
            samples.push(sample);
        }
    }
}

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    const YEAR: i32 = 2025;

    fn cols(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    /// Feeds COPY-like rows: a header then one cell per column per row, lines from `first_line`.
    fn feed_table(
        c: &mut Collector<'_>,
        table: &str,
        header: &[&str],
        rows: &[&[&str]],
        first_line: u64,
    ) {
        c.columns(Some(table), &cols(header));
        for (r, row) in rows.iter().enumerate() {
            for (col, value) in header.iter().zip(row.iter()) {
                c.cell(Some(table), Some(col), value, first_line + r as u64);
            }
        }
    }

    fn nir(body: &str) -> String {
        format!("{body}{:02}", validate::nir_key(body).unwrap())
    }

    const ADHERENT: &[&str] = &[
        "id",
        "prenom",
        "nom",
        "courriel",
        "telephone",
        "date_naissance",
        "numero_licence",
        "adresse",
        "cp",
        "ville",
        "photo",
        "notes_privees",
        "certificat_medical",
        "num_secu",
        "iban",
        "derniere_ip",
        "club_id",
        "categorie",
        "created_at",
    ];

    fn adherent_rows() -> Vec<Vec<String>> {
        let raw: [[&str; 19]; 4] = [
            [
                "1",
                "Jean-Baptiste",
                "Lefèvre",
                "jean-baptiste.lefevre@orange.fr",
                "06 12 34 56 78",
                "1987-04-23",
                "FFTT-0456789",
                "12 rue des Lilas",
                "69003",
                "Lyon",
                "photos/2024/lefevre.jpg",
                "Genou fragile, pas de compétition",
                "t",
                "",
                "FR81 2004 1010 0505 1234 5678 906",
                "81.2.69.160",
                "3",
                "Senior",
                "2024-09-01 10:00:00+02",
            ],
            [
                "2",
                "Amélie",
                "Rousseau",
                "amelie.rousseau1990@wanadoo.fr",
                "+33 7 98 76 54 32",
                "23/11/1990",
                "FFTT-0456790",
                "4 place Bellecour",
                "69002",
                "Lyon",
                "\\N",
                "\\N",
                "f",
                "",
                "FR7630006000011234567890189",
                "192.168.1.24",
                "3",
                "Senior",
                "2024-09-02 11:00:00+02",
            ],
            [
                "3",
                "Noé",
                "Garnier",
                "noe.garnier@laposte.net",
                "0478123456",
                "2012-02-29",
                "FFTT-0456791",
                "Chemin du Moulin",
                "69530",
                "Brignais",
                "",
                "Asthme : ventoline avant l'effort",
                "t",
                "",
                "",
                "2a01:e0a:1f2:3b0::17",
                "3",
                "Benjamin",
                "2024-09-03 09:30:00+02",
            ],
            [
                "4",
                "Anonyme",
                "xxx",
                "seed@example.com",
                "0000000000",
                "1900-01-01",
                "-",
                "n/a",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "127.0.0.1",
                "3",
                "Senior",
                "2024-09-04 08:00:00+02",
            ],
        ];
        raw.iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect())
            .collect()
    }

    fn run_adherent(policy: &PiiPolicy) -> (Vec<Evidence>, Vec<String>) {
        let mut rows = adherent_rows();
        let nir1 = nir("1870469123456");
        rows[0][13] = nir1.clone();
        let mut c = Collector::new(policy, YEAR);
        c.columns(Some("public.adherent"), &cols(ADHERENT));
        for (r, row) in rows.iter().enumerate() {
            for (col, value) in ADHERENT.iter().zip(row.iter()) {
                c.cell(Some("public.adherent"), Some(col), value, 40 + r as u64);
            }
        }
        let raw: Vec<String> = rows.into_iter().flatten().collect();
        (c.finish(), raw)
    }

    #[test]
    fn adherent_table() {
        let policy = PiiPolicy::default_policy();
        let (evidence, _) = run_adherent(&policy);
        insta::assert_json_snapshot!(evidence);
    }

    #[test]
    fn no_raw_value_in_evidence() {
        let policy = PiiPolicy::default_policy();
        let (evidence, raw) = run_adherent(&policy);
        let json = serde_json::to_string(&evidence).unwrap();
        // Table and column names are schema, not data (`derniere_ip` contains `rnie`): the
        // substring check runs on everything else.
        let without_names: Vec<Evidence> = evidence
            .iter()
            .cloned()
            .map(|e| Evidence {
                table: None,
                column: None,
                ..e
            })
            .collect();
        let debug = format!("{without_names:?}");
        // Values that are also column-independent labels (ids, category, "t") are not personal.
        let personal_columns = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15];
        for (i, value) in raw.iter().enumerate() {
            let col = i % ADHERENT.len();
            if !personal_columns.contains(&col) || value.chars().count() < 4 {
                continue;
            }
            if policy.is_placeholder(value) {
                continue;
            }
            assert!(!debug.contains(value.as_str()), "raw {value:?} in {debug}");
            assert!(!json.contains(value.as_str()), "raw {value:?} in {json}");
        }
        for email in [
            "jean-baptiste.lefevre@orange.fr",
            "amelie.rousseau1990@wanadoo.fr",
            "noe.garnier@laposte.net",
        ] {
            for part in email.split(['@', '.', '-']) {
                let chars: Vec<char> = part.chars().collect();
                for w in chars.windows(4) {
                    let sub: String = w.iter().collect();
                    assert!(!debug.contains(&sub), "{sub:?} of {email} in {debug}");
                }
            }
        }
    }

    #[test]
    fn product_table_is_not_personal() {
        let policy = PiiPolicy::default_policy();
        let mut c = Collector::new(&policy, YEAR);
        feed_table(
            &mut c,
            "product",
            &[
                "id",
                "name",
                "price",
                "sku",
                "filename",
                "description",
                "zipped",
                "created_at",
            ],
            &[
                &[
                    "1",
                    "Raquette Pro",
                    "129.90",
                    "RQ-0612345678",
                    "raquette.png",
                    "Bois massif, 7 plis",
                    "f",
                    "2024-01-15 10:30:00+00",
                ],
                &[
                    "2",
                    "Balles x3",
                    "4.50",
                    "BL-3",
                    "balles.png",
                    "Lot de 3 balles 40+",
                    "t",
                    "2024-01-16 09:00:00+00",
                ],
                &[
                    "3",
                    "Table Outdoor",
                    "899.00",
                    "TB-1",
                    "table.jpg",
                    "Résiste à la pluie. Version 1.2.3.4",
                    "f",
                    "2024-01-17 08:00:00+00",
                ],
            ],
            10,
        );
        let evidence = c.finish();
        insta::assert_json_snapshot!(evidence);
        assert!(evidence.iter().all(|e| !e.blocking));
    }

    #[test]
    fn seed_rows_on_reserved_domains_do_not_block() {
        let policy = PiiPolicy::default_policy();
        let mut c = Collector::new(&policy, YEAR);
        feed_table(
            &mut c,
            "users",
            &["id", "email", "name", "last_login_ip", "payload"],
            &[
                &[
                    "1",
                    "admin@example.com",
                    "\\N",
                    "203.0.113.7",
                    r#"{"contact":"ops@test.example"}"#,
                ],
                &[
                    "2",
                    "alice@shop.test",
                    "",
                    "2001:db8::42",
                    r#"{"contact":"alice@example.org"}"#,
                ],
                &["3", "bob@example.org", "-", "127.0.0.1", "{}"],
            ],
            5,
        );
        let evidence = c.finish();
        insta::assert_json_snapshot!(evidence);
        assert!(evidence.iter().all(|e| !e.blocking && e.synthetic_only));
    }

    #[test]
    fn a_lone_email_in_free_text_does_not_block() {
        let policy = PiiPolicy::default_policy();
        let mut c = Collector::new(&policy, YEAR);
        let readme = [
            "# Fixtures",
            "",
            "Questions: write to Marie Curie <marie.curie@sorbonne-universite.fr>.",
            "Run `make seed` to load the fixtures.",
        ];
        for (i, line) in readme.iter().enumerate() {
            c.cell(None, None, line, i as u64 + 1);
        }
        let evidence = c.finish();
        insta::assert_json_snapshot!(evidence);
        assert_eq!(evidence.len(), 1);
        assert!(!evidence[0].blocking);
    }

    #[test]
    fn unnamed_values_block_from_the_distinct_threshold() {
        let policy = PiiPolicy::default_policy();
        let run = |n: usize| {
            let mut c = Collector::new(&policy, YEAR);
            c.columns(Some("events"), &cols(&["id", "payload"]));
            for i in 0..n {
                // The same address twice per row: distinct counts it once.
                let v = format!("from joueur{i}@club-pongiste.fr to joueur{i}@club-pongiste.fr");
                c.cell(Some("events"), Some("payload"), &v, i as u64 + 1);
            }
            c.finish()
        };
        let four = run(4);
        assert_eq!(four.len(), 1);
        assert_eq!((four[0].count, four[0].distinct), (8, 4));
        assert!(!four[0].blocking);
        let five = run(5);
        assert!(five[0].blocking);
        assert!(!five[0].named);
        // Every address redacts to the same sample.
        assert_eq!(five[0].samples, ["j***@c***.fr"]);
    }

    #[test]
    fn unnamed_threshold_is_file_wide_across_columns() {
        let policy = PiiPolicy::default_policy();
        let mut c = Collector::new(&policy, YEAR);
        for (i, col) in ["a", "b", "c", "d", "e"].iter().enumerate() {
            c.cell(Some("t"), Some(col), &format!("+33 6 12 34 56 7{i}"), 1);
        }
        c.cell(None, None, "unrelated", 2);
        let evidence = c.finish();
        assert_eq!(evidence.len(), 5);
        assert!(evidence
            .iter()
            .all(|e| e.blocking && e.kind == PiiKind::Phone));
    }

    #[test]
    fn named_threshold_and_placeholders() {
        let mut policy = PiiPolicy::default_policy();
        policy
            .overlay_toml("[thresholds]\nmin_named_values = 2\n", "pii.toml")
            .unwrap();
        let mut c = Collector::new(&policy, YEAR);
        c.columns(None, &cols(&["email", "telephone"]));
        c.cell(None, Some("email"), "jean@free.fr", 2);
        c.cell(None, Some("email"), "anonymized", 3);
        c.cell(None, Some("telephone"), "06 12 34 56 78", 2);
        c.cell(None, Some("telephone"), "0612345678", 3);
        let evidence = c.finish();
        let email = evidence.iter().find(|e| e.kind == PiiKind::Email).unwrap();
        assert_eq!((email.count, email.blocking), (1, false));
        let phone = evidence.iter().find(|e| e.kind == PiiKind::Phone).unwrap();
        assert_eq!((phone.count, phone.distinct, phone.blocking), (2, 1, true));
        assert_eq!(phone.samples, ["+33 6 ** ** ** 78"]);
    }

    #[test]
    fn non_personal_columns_are_skipped() {
        let mut policy = PiiPolicy::default_policy();
        policy
            .overlay_toml(
                "[non_personal]\n\"club.email\" = \"the club's public contact address\"\n",
                "pii.toml",
            )
            .unwrap();
        let mut c = Collector::new(&policy, YEAR);
        c.columns(Some("club"), &cols(&["email"]));
        c.cell(Some("club"), Some("email"), "contact@ttclub-lyon.fr", 1);
        assert!(c.finish().is_empty());
    }

    #[test]
    fn a_later_header_reclassifies_columns() {
        let policy = PiiPolicy::default_policy();
        let mut c = Collector::new(&policy, YEAR);
        // `cp` seen before the header that shows its `ville` sibling.
        c.cell(Some("adherent"), Some("cp"), "69003", 1);
        c.columns(Some("adherent"), &cols(&["cp", "ville"]));
        c.cell(Some("adherent"), Some("cp"), "69002", 2);
        let evidence = c.finish();
        assert_eq!(evidence.len(), 1);
        assert_eq!(
            (evidence[0].kind, evidence[0].count, evidence[0].first_line),
            (PiiKind::Address, 1, 2)
        );
    }

    #[test]
    fn memory_is_capped() {
        let policy = PiiPolicy::default_policy();
        let mut c = Collector::new(&policy, YEAR);
        for i in 0..(DISTINCT_CAP as u64 + 500) {
            c.cell(
                Some("users"),
                Some("email"),
                &format!("user{i}@free.fr"),
                i + 1,
            );
            c.cell(None, None, &format!("see user{i}@free.fr"), i + 1);
        }
        assert!(c
            .acc
            .entries
            .iter()
            .all(|e| e.distinct.len() <= DISTINCT_CAP));
        assert!(c.acc.unnamed_distinct.iter().all(|s| s.len() <= 5));
        let evidence = c.finish();
        assert_eq!(evidence[0].distinct, DISTINCT_CAP as u64);
        assert_eq!(evidence[0].count, DISTINCT_CAP as u64 + 500);
        assert!(evidence.iter().all(|e| e.samples.len() <= MAX_SAMPLES));
    }

    #[test]
    fn cells_by_position_find_what_cells_by_name_find() {
        let policy = PiiPolicy::default_policy();
        let rows = adherent_rows();
        // The same cells, by name and by position: the adherent table, then a table whose
        // header changes half-way (the sibling rule reclassifies `cp`), cells of a table
        // without a header, cells past the end of a header, and a second member.
        // `mode`: 0 by name, 1 by position, 2 a row at a time.
        let feed = |mode: u8| {
            let mut c = Collector::new(&policy, YEAR);
            let table = |c: &mut Collector<'_>,
                         t: Option<&str>,
                         header: &[&str],
                         rows: &[Vec<String>],
                         line: u64| {
                let columns = cols(header);
                c.columns(t, &columns);
                for (r, row) in rows.iter().enumerate() {
                    let line = line + r as u64;
                    if mode == 2 {
                        let values: Vec<(usize, &str)> =
                            row.iter().map(String::as_str).enumerate().collect();
                        c.row(t, &columns, &values, line);
                        continue;
                    }
                    for (i, value) in row.iter().enumerate() {
                        let column = header.get(i).copied();
                        if mode == 1 {
                            c.cell_at(t, column, i, value, line);
                        } else {
                            c.cell(t, column, value, line);
                        }
                    }
                }
            };
            table(&mut c, Some("public.adherent"), ADHERENT, &rows, 40);
            let addr = |cp: &str, more: &str| vec![cp.to_string(), more.to_string()];
            table(
                &mut c,
                Some("club"),
                &["cp", "x"],
                &[addr("69003", "jean@free.fr")],
                50,
            );
            c.cell(Some("loose"), Some("note"), "+33 6 12 34 56 78", 55);
            table(
                &mut c,
                Some("club"),
                &["cp", "ville"],
                &[addr("69002", "Lyon")],
                60,
            );
            let long = vec![
                "1".to_string(),
                "06 12 34 56 78".to_string(),
                "81.2.69.160".to_string(),
            ];
            table(&mut c, None, &["id"], std::slice::from_ref(&long), 70);
            c.member(Some("b.tar!x.sql"));
            table(
                &mut c,
                Some("public.adherent"),
                &["email", "telephone"],
                &[long],
                80,
            );
            c.finish()
        };
        let by_name = feed(0);
        assert_eq!(feed(1), by_name);
        assert_eq!(feed(2), by_name);
        assert!(by_name.len() > 10);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// The memo of named columns changes nothing: the same cells through a collector with
        /// a baseline that matches no value (which does not use the memo) give the same
        /// evidence. Few distinct values, so that values come back, some of them in a slot
        /// another value has taken meanwhile; a header that renames the columns half-way; and
        /// enough distinct values in one column to reach the distinct cap.
        #[test]
        fn the_memo_of_named_columns_changes_nothing(
            picks in proptest::collection::vec((0usize..7, 0usize..40), 1..400),
            rename in 0usize..400,
        ) {
            let policy = PiiPolicy::default_policy();
            let pool = [
                "Lyon", "lyon ", "Paris", "N/A", "x", "null", "Élodie", "Jean-Baptiste",
                "06 12 34 56 78", "+33612345678", "0612345678", "01 23 45 67 89", "123",
                "jean@free.fr", "a@example.com", "JEAN@FREE.FR", "1987-04-23", "2031-01-01",
                "81.2.69.160", "192.0.2.1", "10.0.0.1", "69003", "75001", "", " ",
                "12 rue des Lilas", "une adresse assez longue pour ne pas tenir", "Ünïcödé",
                "Lyon\u{0}", "abcdefghijklmnopqrstuvwx", "abcdefghijklmnopqrstuvwxy",
            ];
            let headers = [
                cols(&["prenom", "telephone", "courriel", "date_naissance", "ip", "cp", "ville"]),
                cols(&["ville", "courriel", "telephone", "ip", "date_naissance", "prenom", "cp"]),
            ];
            let baseline: HashSet<String> = ["value:none".to_string()].into_iter().collect();
            let feed = |mut c: Collector<'_>| {
                for (r, &(col, pick)) in picks.iter().enumerate() {
                    let header = &headers[usize::from(r >= rename)];
                    c.columns(Some("t"), header);
                    let value = match pool.get(pick) {
                        Some(v) => v.to_string(),
                        None => format!("Nom{}", r * 7 + pick),
                    };
                    for _ in 0..1 + r % 3 {
                        c.cell_at(Some("t"), Some(&header[col]), col, &value, r as u64 + 1);
                    }
                }
                // Past the distinct cap in one named column.
                for i in 0..DISTINCT_CAP + 50 {
                    let name = format!("Ville{}", i % (DISTINCT_CAP + 20));
                    c.cell(Some("u"), Some("ville"), &name, 1000 + i as u64);
                }
                // Past the memo's trial in a column of values that do not come back, then
                // values that do.
                for i in 0..quiet::TRIAL as usize + 200 {
                    let phone = match i.checked_sub(quiet::TRIAL as usize) {
                        Some(k) => pool[8 + k % 4].to_string(),
                        None => format!("06 {:02} {:02} {:02} {:02}", i % 97, i % 89, i / 89 % 100, 12),
                    };
                    c.cell(Some("u"), Some("telephone"), &phone, 5000 + i as u64);
                }
                c.finish_with_baseline()
            };
            let with_memo = feed(Collector::new(&policy, YEAR));
            let without = feed(Collector::with_baseline(&policy, YEAR, &baseline));
            proptest::prop_assert_eq!(with_memo, without);
        }
    }

    #[test]
    fn the_memo_of_a_named_column_of_unique_values_turns_off() {
        let policy = PiiPolicy::default_policy();
        let mut c = Collector::new(&policy, YEAR);
        for i in 0..quiet::TRIAL + 10 {
            let phone = format!("06 {:02} {:02} {:02} 78", i % 100, i / 100 % 100, i % 7);
            c.cell(Some("t"), Some("telephone"), &phone, u64::from(i) + 1);
            c.cell(
                Some("t"),
                Some("ville"),
                ["Lyon", "Paris"][i as usize % 2],
                1,
            );
        }
        let table = &c.slots.tables[0].1;
        let memo_off = |name: &str| {
            let i = table.column_index[name];
            table.columns[i].1.memo.as_ref().map(|m| m.off)
        };
        assert_eq!(memo_off("telephone"), Some(true));
        assert_eq!(memo_off("ville"), Some(false));
    }

    #[test]
    fn values_searched_in_vain_are_kept_once_per_column() {
        let policy = PiiPolicy::default_policy();
        let mut c = Collector::new(&policy, YEAR);
        let ua = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0";
        for line in 1..=3 {
            c.cell(Some("t"), Some("agent"), ua, line);
            // Something found: searched and counted every time, never kept.
            c.cell(
                Some("t"),
                Some("agent"),
                "from 81.2.69.160 via curl/8.4",
                line,
            );
        }
        c.cell(Some("t"), Some("other"), ua, 4);
        assert_eq!(c.acc.quiet_used, 2 * ua.len());
        c.member(Some("b.sql"));
        assert_eq!(c.acc.quiet_used, 0);
        let evidence = c.finish();
        assert_eq!(evidence.len(), 1);
        assert_eq!(
            (evidence[0].kind, evidence[0].count),
            (PiiKind::IpAddress, 3)
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

        /// The memo of values in which the search of a column found nothing changes nothing:
        /// the same cells through a collector whose memos may keep nothing give the same
        /// evidence. Values that come back, with and without something to find, some longer
        /// than what a memo keeps, enough distinct ones to share slots, a column long enough
        /// to end the memo's trial, and a second archive member.
        #[test]
        fn the_memo_of_unnamed_columns_changes_nothing(
            picks in proptest::collection::vec((0usize..3, 0usize..80), 1..300),
            repeat in 1usize..30,
            switch in 0usize..300,
        ) {
            let policy = PiiPolicy::default_policy();
            let ua = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0";
            let pool: Vec<String> = vec![
                ua.to_string(),
                format!("{ua} 81.2.69.160"),
                "contact jean.dupont@free.fr 06 12 34 56 78".to_string(),
                "version 10.2.3.4.5 build 2024".to_string(),
                "192.0.2.1".to_string(),
                "81.2.69.160".to_string(),
                "FR76 3000 6000 0112 3456 7890 189".to_string(),
                "réf 12345678 Ünïcödé".to_string(),
                format!("{}{ua}", "x".repeat(quiet::MAX_BYTES - ua.len())),
                format!("{}{ua}", "x".repeat(quiet::MAX_BYTES + 1 - ua.len())),
                format!("{} jean@free.fr", "y".repeat(300)),
                "{\"ip\": \"81.2.69.160\", \"agent\": \"curl/8.4.0\"}".to_string(),
            ];
            let header = cols(&["id", "agent", "payload"]);
            let feed = |mut c: Collector<'_>| {
                for (r, &(col, pick)) in picks.iter().enumerate() {
                    if r == switch {
                        c.member(Some("second.sql.gz"));
                    }
                    c.columns(Some("t"), &header);
                    let value = match pool.get(pick) {
                        Some(v) => v.clone(),
                        None => format!("Gecko/{} Safari/537.{} 10.{}.0.1", pick, r % 4, pick % 7),
                    };
                    for k in 0..repeat {
                        let line = (r * 100 + k) as u64 + 1;
                        c.cell_at(Some("t"), Some(&header[col]), col, &value, line);
                    }
                }
                // A column of values that never come back, past the memo's trial, then one
                // that comes back.
                for i in 0..5000u32 {
                    let text = format!("ticket {i}: rappeler le 06 {:02} 34 56 78 v1.2.{i}", i % 100);
                    c.cell(Some("u"), Some("body"), &text, 10_000 + u64::from(i));
                    c.cell(Some("u"), Some("agent"), ua, 10_000 + u64::from(i));
                }
                c.finish_with_baseline()
            };
            let with_memo = feed(Collector::new(&policy, YEAR));
            let mut without = Collector::new(&policy, YEAR);
            without.acc.quiet_budget = 0;
            let without = feed(without);
            proptest::prop_assert_eq!(with_memo, without);
        }
    }

    #[test]
    fn value_hash_is_the_hash_of_the_normal_form() {
        let hash = |kind: PiiKind, normal: &dyn Fn(&mut DefaultHasher)| {
            let mut h = DefaultHasher::new();
            kind.hash(&mut h);
            normal(&mut h);
            h.finish()
        };
        for v in [
            "Paris",
            " PARIS ",
            "Élodie",
            "ÉLODIE",
            "x",
            &"A".repeat(300),
        ] {
            let lower = v.trim().to_lowercase();
            assert_eq!(
                value_hash(PiiKind::Name, v),
                hash(PiiKind::Name, &|h| lower.hash(h))
            );
        }
        for v in ["06 12 34 56 78", "+33612345678", "+44 20 7946 0018"] {
            let p = validate::parse_phone(v).unwrap();
            assert_eq!(
                value_hash(PiiKind::Phone, v),
                hash(PiiKind::Phone, &|h| (p.country_code, p.national.clone())
                    .hash(h))
            );
        }
    }

    #[test]
    fn truncate_respects_char_boundaries() {
        assert_eq!(truncate("héllo", 2), "h");
        assert_eq!(truncate("héllo", 3), "hé");
        assert_eq!(truncate("abc", 10), "abc");
    }
}
