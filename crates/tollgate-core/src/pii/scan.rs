//! Search of free text (a `payload` column, a JSON document, a line of a README) for
//! self-validating personal values.

use super::policy::{number_kind, MIN_DIGITS};
use super::validate;
use super::{PiiKind, PiiPolicy};

/// The ASCII bytes that end a word when looking for e-mails and IP addresses: whitespace,
/// brackets, quotes and `,;|=&` (other characters end a word when they are Unicode
/// whitespace, see [`break_at`]).
const ASCII_BREAK: [bool; 128] = {
    let mut t = [false; 128];
    let mut i = 0;
    while i < 128 {
        t[i] = matches!(
            i as u8,
            b'\t'
                | b'\n'
                | 0x0b
                | 0x0c
                | b'\r'
                | b' '
                | b'<'
                | b'>'
                | b'('
                | b')'
                | b'['
                | b']'
                | b'{'
                | b'}'
                | b'"'
                | b'\''
                | b'`'
                | b','
                | b';'
                | b'|'
                | b'='
                | b'&'
        );
        i += 1;
    }
    t
};

/// At most this many groups are joined into one number candidate (`+33 6 12 34 56 78` has 6,
/// a Maltese IBAN in groups of 4 has 8).
const MAX_GROUPS: usize = 10;

/// A cheap necessary condition for [`validate::parse_ip`] to accept `s` (a word, so without
/// whitespace): at most 64 bytes, an optional `/32` or `/128` suffix, and before it either
/// digits with exactly three dots (IPv4) or hex digits, dots and at least two colons (IPv6).
/// Most words with a `.` or `:` (`22.60`, `10:30:00.123+02`, `Mozilla/5.0`) fail it without
/// being parsed.
fn ip_candidate(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() > 64 || b.len() < 2 {
        return false;
    }
    let addr = match memchr::memchr(b'/', b) {
        Some(i) => {
            if !matches!(&b[i + 1..], b"32" | b"128") {
                return false;
            }
            &b[..i]
        }
        None => b,
    };
    let (mut dots, mut colons, mut hex_letters) = (0, 0, false);
    for &c in addr {
        match c {
            b'0'..=b'9' => {}
            b'a'..=b'f' | b'A'..=b'F' => hex_letters = true,
            b'.' => dots += 1,
            b':' => colons += 1,
            _ => return false,
        }
    }
    if colons >= 2 {
        true
    } else {
        colons == 0 && dots == 3 && !hex_letters
    }
}

/// How a byte next to a `.` or `:` bears on the word around it (see [`cannot_yield_at`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Neighbour {
    /// An ASCII word break ([`ASCII_BREAK`]): the word ends there.
    Break,
    /// A byte an IP address word can hold: hex digits, `.`, `:`, the `/` of a prefix length,
    /// the `!` and `?` of trailing punctuation; and any byte of a multi-byte character, which
    /// may be Unicode whitespace (a break).
    Maybe,
    /// Any other ASCII byte: no IP address word holds it.
    Never,
}

const NEIGHBOUR: [Neighbour; 256] = {
    let mut t = [Neighbour::Never; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = if c >= 0x80 {
            Neighbour::Maybe
        } else if ASCII_BREAK[i] {
            Neighbour::Break
        } else if c.is_ascii_hexdigit() || matches!(c, b'.' | b':' | b'/' | b'!' | b'?') {
            Neighbour::Maybe
        } else {
            Neighbour::Never
        };
        i += 1;
    }
    t
};

/// Whether the `.` or `:` at byte `at` of `b` can be passed over by the word search, from its
/// two neighbours alone, without changing what it finds: either it is a word by itself (a
/// break on both sides, as after a JSON key), or a neighbour inside its word can't be part of
/// an IP address. In the second case the word may still hold an e-mail; then its `@`, which is
/// never passed over, brings the search back to the same word. (The `:` of a `mailto:` prefix
/// is passed over too: what follows the prefix is reached through its own `.`, `:` or `@`.)
#[inline]
fn cannot_yield_at(b: &[u8], at: usize) -> bool {
    let left = match at {
        0 => Neighbour::Break,
        _ => NEIGHBOUR[usize::from(b[at - 1])],
    };
    let right = b
        .get(at + 1)
        .map_or(Neighbour::Break, |&c| NEIGHBOUR[usize::from(c)]);
    left == Neighbour::Never
        || right == Neighbour::Never
        || (left == Neighbour::Break && right == Neighbour::Break)
}

/// Whether the character that starts at byte `i` of `text` (not a continuation byte) is a
/// word break, and its length.
#[inline]
fn break_at(text: &str, i: usize) -> (bool, usize) {
    let c = text.as_bytes()[i];
    if c < 0x80 {
        (ASCII_BREAK[usize::from(c)], 1)
    } else {
        let ch = text[i..].chars().next().unwrap_or(' ');
        (ch.is_whitespace(), ch.len_utf8())
    }
}

/// The word (maximal run of characters that are not breaks: [`ASCII_BREAK`], Unicode
/// whitespace) around the ASCII byte at `at`, as a byte range, and whether it holds an `@`
/// (seen on the way: the word is not read again for it).
fn word_around(text: &str, at: usize) -> (usize, usize, bool) {
    let b = text.as_bytes();
    let mut has_at = b[at] == b'@';
    let mut start = at;
    while start > 0 {
        let mut i = start - 1;
        // Back to the first byte of the character before `start`.
        while i > 0 && (0x80..0xc0).contains(&b[i]) {
            i -= 1;
        }
        if break_at(text, i).0 {
            break;
        }
        has_at |= b[i] == b'@';
        start = i;
    }
    let mut end = at + 1;
    while end < b.len() {
        let (brk, len) = break_at(text, end);
        if brk {
            break;
        }
        has_at |= b[end] == b'@';
        end += len;
    }
    (start, end, has_at)
}

/// `word` without its trailing `.`, `:`, `!` and `?` (sentence punctuation after an address).
#[inline]
fn trim_end_punctuation(word: &str) -> &str {
    let b = word.as_bytes();
    let mut n = b.len();
    while n > 0 && matches!(b[n - 1], b'.' | b':' | b'!' | b'?') {
        n -= 1;
    }
    // An ASCII byte ends before `n`: a char boundary.
    &word[..n]
}

/// Whether `b` is a timestamp, timestamp with time zone or date as PostgreSQL prints them
/// (`2024-01-15`, `2024-01-15 10:30:00`, `2024-01-15 10:30:00.123456+02`, `...-03:30`) with a
/// year that does not start with 0, or a UUID in lower case: text that provably holds no
/// self-validating value (see the `the_shapes_hold_nothing` tests), skipped without searching.
/// The fixed parts are checked eight bytes at a time; `holds_nothing_bytewise` (tests) is the
/// same test byte by byte.
#[inline]
fn holds_nothing(b: &[u8]) -> bool {
    /// The high bit of each byte `i` in `bytes`.
    const fn at(bytes: &[usize]) -> u64 {
        let mut m = 0;
        let mut k = 0;
        while k < bytes.len() {
            m |= 0x80 << (8 * bytes[k]);
            k += 1;
        }
        m
    }
    if b.len() == 36 {
        // `8-4-4-4-12` lower-case hex digits: dashes at 8, 13, 18 and 23.
        const DASHES: [u64; 5] = [0, at(&[0, 5]), at(&[2, 7]), 0, 0];
        return [0, 8, 16, 24, 28].iter().zip(DASHES).all(|(&k, dashes)| {
            let w = word_at(b, k);
            let hex = digit_mask(w) | range_mask(w, b'a', b'f');
            let dash = eq_mask(w, b'-');
            hex | dash == HI && dash == dashes
        });
    }
    if b.len() < 10 || !(b'1'..=b'9').contains(&b[0]) {
        return false;
    }
    // `YYYY-MM-`
    let w = word_at(b, 0);
    if digit_mask(w) != at(&[0, 1, 2, 3, 5, 6]) || eq_mask(w, b'-') != at(&[4, 7]) {
        return false;
    }
    if b.len() == 10 {
        let w = word_at(b, 8);
        return digit_mask(w) == at(&[0, 1]);
    }
    // `DD HH:MM` then `:SS`
    if b.len() < 19 {
        return false;
    }
    let w = word_at(b, 8);
    if digit_mask(w) != at(&[0, 1, 3, 4, 6, 7])
        || eq_mask(w, b' ') != at(&[2])
        || eq_mask(w, b':') != at(&[5])
        || !(b[16] == b':' && b[17].is_ascii_digit() && b[18].is_ascii_digit())
    {
        return false;
    }
    timestamp_tail(&b[19..])
}

/// What may follow `YYYY-MM-DD HH:MM:SS` in [`holds_nothing`]: nothing, or `.` and 1 to 6
/// digits, then nothing or `+HH`/`-HH` and optionally `:MM` and `:SS`.
fn timestamp_tail(b: &[u8]) -> bool {
    let d = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    let mut i = 0;
    if at(0, b'.') {
        i = 1;
        while d(i) {
            i += 1;
        }
        if !(2..=7).contains(&i) {
            return false;
        }
    }
    if i == b.len() {
        return true;
    }
    if !(matches!(b[i], b'+' | b'-') && d(i + 1) && d(i + 2)) {
        return false;
    }
    i += 3;
    for _ in 0..2 {
        if i == b.len() {
            return true;
        }
        if !(at(i, b':') && d(i + 1) && d(i + 2)) {
            return false;
        }
        i += 3;
    }
    i == b.len()
}

#[cfg(test)]
/// [`holds_nothing`] byte by byte: the definition the tests check it against.
///
/// Whether `b` is a timestamp, timestamp with time zone or date as PostgreSQL prints them
/// (`2024-01-15`, `2024-01-15 10:30:00`, `2024-01-15 10:30:00.123456+02`, `...-03:30`) with a
/// year that does not start with 0, or a UUID in lower case: text that provably holds no
/// self-validating value (see the `the_shapes_hold_nothing` tests), skipped without searching.
fn holds_nothing_bytewise(b: &[u8]) -> bool {
    let d = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    if b.len() == 36 {
        return b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
        });
    }
    // YYYY-MM-DD
    if !(b.len() >= 10
        && (b'1'..=b'9').contains(&b[0])
        && d(1)
        && d(2)
        && d(3)
        && at(4, b'-')
        && d(5)
        && d(6)
        && at(7, b'-')
        && d(8)
        && d(9))
    {
        return false;
    }
    if b.len() == 10 {
        return true;
    }
    // ` HH:MM:SS`
    if !(at(10, b' ') && d(11) && d(12) && at(13, b':') && d(14) && d(15) && at(16, b':'))
        || !(d(17) && d(18))
    {
        return false;
    }
    let mut i = 19;
    // `.` and 1 to 6 digits
    if at(i, b'.') {
        let mut n = 0;
        i += 1;
        while d(i) {
            i += 1;
            n += 1;
        }
        if !(1..=6).contains(&n) {
            return false;
        }
    }
    if i == b.len() {
        return true;
    }
    // `+HH`, `-HH`, then optional `:MM` and `:SS`
    if !(matches!(b[i], b'+' | b'-') && d(i + 1) && d(i + 2)) {
        return false;
    }
    i += 3;
    for _ in 0..2 {
        if i == b.len() {
            return true;
        }
        if !(at(i, b':') && d(i + 1) && d(i + 2)) {
            return false;
        }
        i += 3;
    }
    i == b.len()
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// The bytes of `w` equal to `c`, as the high bit of each byte (exact: no byte is flagged
/// because of a neighbour).
#[inline]
fn eq_mask(w: u64, c: u8) -> u64 {
    let x = w ^ (LO * u64::from(c));
    !(((x & !HI).wrapping_add(!HI)) | x) & HI
}

/// The ASCII digits of `w`, as the high bit of each byte (exact).
#[inline]
fn digit_mask(w: u64) -> u64 {
    // Per byte below 0x80 (no carry crosses bytes): +0x50 sets the high bit from b'0' on,
    // +0x46 from b'9' + 1 on.
    let low = w & !HI;
    low.wrapping_add(0x50 * LO) & !low.wrapping_add(0x46 * LO) & !w & HI
}

/// How many bytes a mask of [`eq_mask`] or [`digit_mask`] flags (the x86-64 baseline has no
/// `popcnt`: the flags, as ones, are summed into the top byte by a multiplication).
#[inline]
fn flags(mask: u64) -> usize {
    ((mask >> 7).wrapping_mul(LO) >> 56) as usize
}

/// What the search needs to know of a value of at most 32 bytes, read eight bytes at a time.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct ShortScan {
    /// ASCII digits.
    digits: usize,
    /// The first `@`, `.` or `:` (0 when there is none).
    first: usize,
    /// Whether a word can hold an e-mail or an IP address: there is an `@`, or at least three
    /// dots, or at least two colons.
    words: bool,
}

impl ShortScan {
    #[inline]
    fn of(b: &[u8]) -> ShortScan {
        debug_assert!(b.len() <= 32);
        // Per byte, how many of the (at most four) words flag it: the counts are summed
        // across the bytes once, at the end.
        let (mut digits, mut ats, mut dots, mut colons) = (0u64, 0u64, 0u64, 0u64);
        let mut first = None;
        for k in 0..b.len().div_ceil(8) {
            let w = word_at(b, 8 * k);
            digits += digit_mask(w) >> 7;
            let (at, dot, colon) = (eq_mask(w, b'@'), eq_mask(w, b'.'), eq_mask(w, b':'));
            ats |= at;
            dots += dot >> 7;
            colons += colon >> 7;
            let special = at | dot | colon;
            if first.is_none() && special != 0 {
                first = Some(8 * k + (special.trailing_zeros() / 8) as usize);
            }
        }
        let sum = |per_byte: u64| (per_byte.wrapping_mul(LO) >> 56) as usize;
        ShortScan {
            digits: sum(digits),
            first: first.unwrap_or(0),
            words: first.is_some() && (ats != 0 || sum(dots) >= 3 || sum(colons) >= 2),
        }
    }
}

/// The eight bytes of `b` from `at` (which is within `b`) as a little-endian word, zero bytes
/// past the end (a zero is neither a digit nor one of `@.:`). Read from the slice itself, not
/// through a padded copy: the loads stay plain loads.
#[inline(always)]
pub(super) fn word_at(b: &[u8], at: usize) -> u64 {
    let le8 = |s: &[u8]| u64::from_le_bytes(s.try_into().unwrap_or([0; 8]));
    let le4 = |s: &[u8]| u64::from(u32::from_le_bytes(s.try_into().unwrap_or([0; 4])));
    let rest = b.len() - at;
    if rest >= 8 {
        le8(&b[at..at + 8])
    } else if b.len() >= 8 {
        // The last eight bytes, shifted down past the ones before `at`.
        le8(&b[b.len() - 8..]) >> (8 * (8 - rest))
    } else if rest >= 4 {
        // Two overlapping halves: the bytes both hold are the same, so or-ing them is exact.
        le4(&b[at..at + 4]) | (le4(&b[b.len() - 4..]) << (8 * (rest - 4)))
    } else {
        b[at..]
            .iter()
            .rev()
            .fold(0, |w, &c| (w << 8) | u64::from(c))
    }
}

/// The index of the first ASCII digit of `b` at or after `from`, looked for eight bytes at a
/// time.
fn next_digit(b: &[u8], from: usize) -> Option<usize> {
    let mut chunks = b[from..].chunks_exact(8);
    let mut base = from;
    for chunk in &mut chunks {
        let w = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let digits = digit_mask(w);
        if digits != 0 {
            return Some(base + (digits.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(u8::is_ascii_digit)
        .map(|k| base + k)
}

/// The bytes a number candidate of [`PiiPolicy::find_numbers`] is made of: digits, then capital
/// letters, `+` and the separators ` `, `.` and `-`; every other byte ends a run.
/// Kept as the byte-by-byte definition the tests check [`has_digit_run`] and [`end_mask`]
/// against.
#[cfg(test)]
#[derive(Clone, Copy, PartialEq, Eq)]
enum NumberByte {
    Digit,
    Other,
    End,
}

#[cfg(test)]
const NUMBER_BYTE: [NumberByte; 256] = {
    let mut t = [NumberByte::End; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        if c.is_ascii_digit() {
            t[i] = NumberByte::Digit;
        } else if c.is_ascii_uppercase() || matches!(c, b'+' | b' ' | b'.' | b'-') {
            t[i] = NumberByte::Other;
        }
        i += 1;
    }
    t
};

/// The bytes of `w` in `lo..=hi` (both below 0x80), as the high bit of each byte (exact, as
/// [`digit_mask`]).
#[inline]
fn range_mask(w: u64, lo: u8, hi: u8) -> u64 {
    let low = w & !HI;
    low.wrapping_add(u64::from(0x80 - lo) * LO)
        & !low.wrapping_add(u64::from(0x7f - hi) * LO)
        & !w
        & HI
}

/// The bytes of `w` that end a run of [`NUMBER_BYTE`] bytes ([`NumberByte::End`]), as the high
/// bit of each byte (exact).
#[inline]
fn end_mask(w: u64, digits: u64) -> u64 {
    let other =
        range_mask(w, b'A', b'Z') | range_mask(w, b'-', b'.') | eq_mask(w, b' ') | eq_mask(w, b'+');
    HI & !(digits | other)
}

/// Whether some run of [`NUMBER_BYTE`] bytes of `b` holds at least `n` digits: a necessary
/// condition for [`PiiPolicy::find_numbers`] to find anything, since a candidate is a `+` and
/// groups of digits and capitals joined by single spaces, dots or dashes, with at least
/// [`MIN_DIGITS`] digits. Password hashes, user agents and prose have digits, but not eight in
/// one run.
fn has_digit_run(b: &[u8], n: usize) -> bool {
    // Eight bytes at a time: the digits of a word and the bytes that end a run, as masks. A
    // word without a digit only matters when it ends the run; in a word with run-ending bytes
    // the digits before the first one extend the run and those after the last one start the
    // next; the runs between two of them (at most six bytes) are counted one by one only
    // when `n` is that small.
    if n == 0 {
        return true;
    }
    let mut run = 0;
    // A zero byte ends a run: the padding of the last word changes nothing.
    for w in (0..b.len()).step_by(8).map(|at| word_at(b, at)) {
        let digits = digit_mask(w);
        if digits == 0 {
            if run > 0 && end_mask(w, 0) != 0 {
                run = 0;
            }
            continue;
        }
        let ends = end_mask(w, digits);
        if ends == 0 {
            run += flags(digits);
            if run >= n {
                return true;
            }
            continue;
        }
        let first = ends.trailing_zeros();
        run += flags(digits & ((1u64 << first) - 1));
        if run >= n {
            return true;
        }
        let last = 63 - ends.leading_zeros();
        if n <= 6 {
            // The runs strictly between two run-ending bytes of this word.
            let mut between = ends & !(1u64 << first);
            let mut from = first;
            while between != 0 {
                let to = between.trailing_zeros();
                let inside = digits & ((1u64 << to) - 1) & !((1u64 << from << 1).wrapping_sub(1));
                if flags(inside) >= n {
                    return true;
                }
                from = to;
                between &= between - 1;
            }
        }
        run = flags(digits & !((1u64 << last << 1).wrapping_sub(1)));
        if run >= n {
            return true;
        }
    }
    false
}

/// What [`PiiPolicy::find_values`] learns of a text before searching it.
#[cfg_attr(test, derive(Debug, PartialEq, Eq))]
pub(super) enum Prescan {
    /// At most 32 bytes.
    Short(ShortScan),
    Long,
}

/// `None` when [`PiiPolicy::find_values`] finds nothing in `text` without searching (most
/// cells of a dump: ids, amounts, flags and dates; e-mails and IPs need one of `@.:`, every
/// number kind needs [`MIN_DIGITS`] digits), else what the search starts from
/// ([`PiiPolicy::search`]). Cheap enough to run before the call for every value: values of
/// fewer than eight bytes (amounts, codes, short words: the most common cells) are settled
/// inline, in one word.
#[inline(always)]
pub(super) fn prescan(text: &str) -> Option<Prescan> {
    let b = text.as_bytes();
    if b.len() >= MIN_DIGITS {
        return prescan_long(b);
    }
    if b.len() < 3 {
        return None;
    }
    // Fewer digits than a number needs, and no timestamp or UUID: only a word can yield.
    let w = word_at(b, 0);
    let (at, dot, colon) = (eq_mask(w, b'@'), eq_mask(w, b'.'), eq_mask(w, b':'));
    let special = at | dot | colon;
    if special == 0 || !(at != 0 || flags(dot) >= 3 || flags(colon) >= 2) {
        return None;
    }
    Some(Prescan::Short(ShortScan {
        digits: flags(digit_mask(w)),
        first: (special.trailing_zeros() / 8) as usize,
        words: true,
    }))
}

/// [`prescan`] of a value of at least [`MIN_DIGITS`] bytes.
#[inline(never)]
fn prescan_long(b: &[u8]) -> Option<Prescan> {
    if holds_nothing(b) {
        return None;
    }
    if b.len() > 32 {
        return Some(Prescan::Long);
    }
    // Short values, most of them: one pass for both questions. A word that yields needs an
    // `@` (an e-mail) or at least three dots or two colons (an IP, see [`ip_candidate`]):
    // amounts and times (`22.60`, `10:30`) are not searched.
    let short = ShortScan::of(b);
    (short.words || short.digits >= MIN_DIGITS).then_some(Prescan::Short(short))
}

/// [`prescan`] in one piece, as it was before values under eight bytes were settled inline:
/// the definition the tests hold it to.
#[cfg(test)]
fn prescan_whole(text: &str) -> Option<Prescan> {
    let b = text.as_bytes();
    if b.len() < 3 || holds_nothing(b) {
        return None;
    }
    if b.len() > 32 {
        return Some(Prescan::Long);
    }
    let short = ShortScan::of(b);
    (short.words || short.digits >= MIN_DIGITS).then_some(Prescan::Short(short))
}

impl PiiPolicy {
    /// The self-validating values in `text`, in order: e-mails and IP addresses as words
    /// (split on whitespace, brackets, quotes, `,;|=&`, trailing `.:!?` trimmed, `mailto:`
    /// dropped), and IBANs, NIRs, card numbers and phone numbers as runs of digit groups
    /// separated by single spaces, dots or dashes (`06 12 34 56 78`, `FR76 3000 ...`), the
    /// longest valid run first. Synthetic values are included (see [`PiiPolicy::is_synthetic`]).
    pub fn find_values<'t>(&self, text: &'t str) -> Vec<(PiiKind, &'t str)> {
        match prescan(text) {
            Some(pre) => self.search(text, pre),
            None => Vec::new(),
        }
    }

    /// [`PiiPolicy::find_values`] once [`prescan`] has let `text` through.
    pub(super) fn search<'t>(&self, text: &'t str, pre: Prescan) -> Vec<(PiiKind, &'t str)> {
        let mut out = Vec::new();
        let b = text.as_bytes();
        if let Prescan::Short(short) = pre {
            if short.words {
                self.find_words(text, short.first, &mut out);
            }
            if short.digits >= MIN_DIGITS && has_digit_run(b, MIN_DIGITS) {
                self.find_numbers(text, &mut out);
            }
            return out;
        }
        if let Some(first) = memchr::memchr3(b'@', b'.', b':', b) {
            self.find_words(text, first, &mut out);
        }
        if has_digit_run(b, MIN_DIGITS) {
            self.find_numbers(text, &mut out);
        }
        out
    }

    /// E-mails and IP addresses: the words that hold one of `@.:`, from the byte `first` (the
    /// first such byte) on.
    fn find_words<'t>(&self, text: &'t str, first: usize, out: &mut Vec<(PiiKind, &'t str)>) {
        let b = text.as_bytes();
        let mut at = first;
        loop {
            if b[at] != b'@' && cannot_yield_at(b, at) {
                match memchr::memchr3(b'@', b'.', b':', &b[at + 1..]) {
                    Some(k) => {
                        at += 1 + k;
                        continue;
                    }
                    None => return,
                }
            }
            let (start, end, has_at) = word_around(text, at);
            let word = &text[start..end];
            let word = word.strip_prefix("mailto:").unwrap_or(word);
            let trimmed = trim_end_punctuation(word);
            // The prefix and the punctuation trimmed off hold no `@`.
            if has_at {
                if validate::is_email(trimmed) {
                    out.push((PiiKind::Email, trimmed));
                }
            } else if ip_candidate(word) && validate::is_ip(word) {
                out.push((PiiKind::IpAddress, word));
            } else if trimmed != word && ip_candidate(trimmed) && validate::is_ip(trimmed) {
                out.push((PiiKind::IpAddress, trimmed));
            }
            match memchr::memchr3(b'@', b'.', b':', &b[end.min(b.len())..]) {
                Some(k) => at = end + k,
                None => return,
            }
        }
    }

    fn find_numbers<'t>(&self, text: &'t str, out: &mut Vec<(PiiKind, &'t str)>) {
        let b = text.as_bytes();
        let n = b.len();
        let alnum = |i: usize| i < n && b[i].is_ascii_alphanumeric();
        let digit = |i: usize| i < n && b[i].is_ascii_digit();
        let upper = |i: usize| i < n && b[i].is_ascii_uppercase();
        let mut i = 0;
        while i < n {
            // Not inside a code such as `RQ-0612345678`, `id_0612345678` or `v1.0612345678`.
            // A number starts with a digit, a `+` and a digit, or two capitals and two digits:
            // there is a digit at most 3 bytes on. Skip to there.
            match next_digit(b, i) {
                Some(d) if d > i + 3 => i = d - 3,
                Some(_) => {}
                None => break,
            }
            let boundary = i == 0
                || !(alnum(i - 1)
                    || matches!(b[i - 1], b'+' | b'_')
                    || (matches!(b[i - 1], b'-' | b'.' | b'/') && i >= 2 && alnum(i - 2)));
            let starts = digit(i)
                || (b[i] == b'+' && digit(i + 1))
                || (upper(i) && upper(i + 1) && digit(i + 2) && digit(i + 3));
            if !(boundary && starts) {
                i += 1;
                continue;
            }
            // Groups of digits and capitals separated by one space, dot or dash: the end of
            // each group, and the digits up to it.
            let mut groups = [(0usize, 0usize); MAX_GROUPS];
            let mut count = 0;
            let mut digits = 0;
            let mut j = i;
            loop {
                if b[j] == b'+' {
                    j += 1;
                }
                while digit(j) || upper(j) {
                    digits += usize::from(digit(j));
                    j += 1;
                }
                groups[count] = (j, digits);
                count += 1;
                let joins = j + 1 < n
                    && matches!(b[j], b' ' | b'.' | b'-')
                    && (digit(j + 1) || upper(j + 1));
                if count == MAX_GROUPS || !joins {
                    break;
                }
                j += 1;
            }
            let groups = &groups[..count];
            let found = groups.iter().rev().find_map(|&(end, digits)| {
                if digits < MIN_DIGITS {
                    return None;
                }
                // Glued to a word: `12abc`, `0612345678_old`, `0612345678-b`.
                if alnum(end)
                    || (end < n && b[end] == b'_')
                    || (matches!(b.get(end), Some(b'-' | b'/')) && alnum(end + 1))
                {
                    return None;
                }
                let candidate = &text[i..end];
                number_kind(candidate).map(|kind| (kind, candidate, end))
            });
            match found {
                Some((kind, candidate, end)) => {
                    out.push((kind, candidate));
                    i = end;
                }
                None => i = groups[0].0.max(i + 1),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The search as it was before the byte-level fast paths, kept as the oracle the fast
    /// paths are checked against.
    mod reference {
        use super::super::validate;
        use super::super::{PiiKind, MIN_DIGITS};

        pub fn is_word_break(c: char) -> bool {
            c.is_whitespace()
                || matches!(
                    c,
                    '<' | '>'
                        | '('
                        | ')'
                        | '['
                        | ']'
                        | '{'
                        | '}'
                        | '"'
                        | '\''
                        | '`'
                        | ','
                        | ';'
                        | '|'
                        | '='
                        | '&'
                )
        }

        fn number_kind(v: &str) -> Option<PiiKind> {
            if v.bytes().filter(u8::is_ascii_digit).count() < MIN_DIGITS {
                None
            } else if validate::is_iban(v) {
                Some(PiiKind::Iban)
            } else if validate::is_nir(v) {
                Some(PiiKind::NationalId)
            } else if validate::is_card_number(v) {
                Some(PiiKind::CardNumber)
            } else if validate::is_phone(v) {
                Some(PiiKind::Phone)
            } else {
                None
            }
        }

        pub fn find_values(text: &str) -> Vec<(PiiKind, &str)> {
            let mut out = Vec::new();
            for word in text.split(is_word_break) {
                if !word.contains(['@', '.', ':']) {
                    continue;
                }
                let word = word.strip_prefix("mailto:").unwrap_or(word);
                let trimmed = word.trim_end_matches(['.', ':', '!', '?']);
                if trimmed.contains('@') {
                    if validate::is_email(trimmed) {
                        out.push((PiiKind::Email, trimmed));
                    }
                } else if validate::is_ip(word) {
                    out.push((PiiKind::IpAddress, word));
                } else if trimmed != word && validate::is_ip(trimmed) {
                    out.push((PiiKind::IpAddress, trimmed));
                }
            }
            let b = text.as_bytes();
            let n = b.len();
            let alnum = |i: usize| i < n && b[i].is_ascii_alphanumeric();
            let digit = |i: usize| i < n && b[i].is_ascii_digit();
            let upper = |i: usize| i < n && b[i].is_ascii_uppercase();
            let mut i = 0;
            while i < n {
                let boundary = i == 0
                    || !(alnum(i - 1)
                        || matches!(b[i - 1], b'+' | b'_')
                        || (matches!(b[i - 1], b'-' | b'.' | b'/') && i >= 2 && alnum(i - 2)));
                let starts = digit(i)
                    || (b[i] == b'+' && digit(i + 1))
                    || (upper(i) && upper(i + 1) && digit(i + 2) && digit(i + 3));
                if !(boundary && starts) {
                    i += 1;
                    continue;
                }
                let mut groups: Vec<(usize, usize)> = Vec::new();
                let mut digits = 0;
                let mut j = i;
                loop {
                    if b[j] == b'+' {
                        j += 1;
                    }
                    while digit(j) || upper(j) {
                        digits += usize::from(digit(j));
                        j += 1;
                    }
                    groups.push((j, digits));
                    let joins = j + 1 < n
                        && matches!(b[j], b' ' | b'.' | b'-')
                        && (digit(j + 1) || upper(j + 1));
                    if groups.len() == 10 || !joins {
                        break;
                    }
                    j += 1;
                }
                let found = groups.iter().rev().find_map(|&(end, digits)| {
                    if digits < MIN_DIGITS {
                        return None;
                    }
                    if alnum(end)
                        || (end < n && b[end] == b'_')
                        || (matches!(b.get(end), Some(b'-' | b'/')) && alnum(end + 1))
                    {
                        return None;
                    }
                    let candidate = &text[i..end];
                    number_kind(candidate).map(|kind| (kind, candidate, end))
                });
                match found {
                    Some((kind, candidate, end)) => {
                        out.push((kind, candidate));
                        i = end;
                    }
                    None => i = groups[0].0.max(i + 1),
                }
            }
            out
        }
    }

    /// Groups of 4 characters separated by `sep` (none when empty).
    fn grouped(s: &str, sep: &str) -> String {
        let chars: Vec<char> = s.chars().collect();
        chars
            .chunks(4)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(sep)
    }

    /// Valid IBANs, card numbers and NIRs (checksums computed), written in groups or not.
    fn valid_numbers() -> impl Strategy<Value = String> {
        let sep = prop_oneof![Just(""), Just(" "), Just("-")];
        let bban = prop_oneof![
            "[0-9]{23}".prop_map(|b| ("FR", b)),
            "[0-9]{18}".prop_map(|b| ("DE", b)),
            "[0-9]{12}".prop_map(|b| ("BE", b)),
            "[0-9]{10,20}".prop_map(|b| ("XX", b)),
        ];
        let iban = (bban, sep.clone()).prop_map(|((cc, bban), sep)| {
            let probe = format!("{cc}00{bban}");
            let check = 98 - validate::iban_mod97(&probe);
            grouped(&format!("{cc}{check:02}{bban}"), sep)
        });
        let card = ("4[0-9]{11,14}|5[1-5][0-9]{13}|3[47][0-9]{12}", sep.clone()).prop_map(
            |(body, sep)| {
                let check = (0..10)
                    .find(|d| validate::luhn_valid(&format!("{body}{d}")))
                    .unwrap_or(0);
                grouped(&format!("{body}{check}"), sep)
            },
        );
        let nir =
            ("[12][0-9]{2}(0[1-9]|1[0-2])(2A|[0-9]{2})[0-9]{6}", sep).prop_map(|(body, sep)| {
                let key = validate::nir_key(&body).unwrap_or(0);
                format!("{}{sep}{key:02}", &body)
            });
        prop_oneof![iban, card, nir]
    }

    /// Text made of pieces that look like what the search looks for, or nearly.
    fn texty() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            valid_numbers(),
            "[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,7})?([+-][0-9]{2}(:[0-9]{2})?)?)?",
            "0[0-9]{3}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}[+-]0[0-9]",
            "[0-9a-fA-F]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            "[0-9]{8}-[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{12}",
            "\\+?[0-9]{1,4}([ .\\-][0-9]{1,4}){0,6}",
            "(\\+33|0033|0)[ .]?[1-9]([ .\\-]?[0-9]{2}){4}",
            "\\+[1-9][0-9 ]{7,16}",
            "[0-9]{13,19}",
            "[1-478][0-9]{14}",
            "[a-z.]{1,6}@[a-z\\-]{1,6}\\.[a-z]{2,3}[.:!?]?",
            "mailto:[a-z]{1,4}@[a-z]{2,4}\\.fr",
            "(mailto:)?[0-9a-fx]{0,3}[.:][0-9a-f.:!?/]{0,12}[a-z]{0,2}",
            "[a-z.:]{0,4}[0-9.:]{1,12}@?[a-z.:]{0,4}",
            "\\{\"[a-z]{1,4}\": \"[0-9.:]{0,16}\"\\}",
            "[0-9]{1,3}(\\.[0-9]{1,3}){2,4}(/32|/24)?[.:!?]?",
            "[0-9a-f]{0,4}(:[0-9a-f]{0,4}){1,8}(/128)?[.:!?]?",
            "::ffff:[0-9]{1,3}(\\.[0-9]{1,3}){3}",
            "[A-Z]{2}[0-9]{2}( ?[0-9A-Z]{4}){3,6}( ?[0-9]{1,3})?",
            "[0-9]{1,6}\\.[0-9]{1,4}",
            "[A-Za-z]{1,8}/[0-9.]{1,8}",
            "\\$2y\\$10\\$[a-zA-Z0-9./]{8,30}",
            "[a-z0-9/+ .\\-]{6,20}",
            ".{0,12}",
        ];
        let sep = prop_oneof![
            Just(" "),
            Just(""),
            Just("\t"),
            Just(", "),
            Just("\u{a0}"),
            Just("é"),
            Just("\""),
            Just("."),
            Just(":"),
            Just("-"),
            Just("_"),
            Just("\u{2003}"),
        ];
        prop::collection::vec((piece, sep), 0..6).prop_map(|v| {
            v.into_iter()
                .map(|(p, s)| format!("{p}{s}"))
                .collect::<String>()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn the_fast_search_finds_what_the_reference_finds(text in texty()) {
            prop_assert_eq!(find(&text), reference::find_values(&text));
        }

        #[test]
        fn the_fast_search_agrees_on_any_text(text in any::<String>()) {
            prop_assert_eq!(find(&text), reference::find_values(&text));
        }

        #[test]
        fn the_shapes_hold_nothing(
            ts in "[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,6})?([+-][0-9]{2}(:[0-9]{2}(:[0-9]{2})?)?)?)?",
            uuid in "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            digits in "[0-9]{8}-[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{12}",
        ) {
            for v in [&ts, &uuid, &digits] {
                prop_assert!(holds_nothing(v.as_bytes()), "{}", v);
                prop_assert!(reference::find_values(v).is_empty(), "{}", v);
            }
        }

        /// The word-at-a-time shape test says what the byte-by-byte one says, on shapes and
        /// near misses (a byte changed, cut short, made longer).
        #[test]
        fn holds_nothing_agrees_with_its_bytewise_definition(
            shape in prop_oneof![
                "[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,7})?([+-][0-9]{2}(:[0-9]{2}(:[0-9]{2})?)?)?)?",
                "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                "[0-9a-fA-F: .+/-]{0,40}",
            ],
            at in 0usize..40,
            byte in prop_oneof![Just(b'-'), Just(b':'), Just(b' '), Just(b'.'), Just(b'0'), Just(b'g'),
                Just(b'F'), Just(0u8), Just(0x80u8), Just(b'/' ), any::<u8>()],
            cut in 0usize..40,
            extra in "[0-9:+.-]{0,4}",
        ) {
            let mut variants = vec![shape.clone().into_bytes()];
            let mut changed = shape.clone().into_bytes();
            if let Some(c) = changed.get_mut(at) {
                *c = byte;
            }
            variants.push(changed);
            variants.push(shape.as_bytes()[..cut.min(shape.len())].to_vec());
            variants.push([shape.as_bytes(), extra.as_bytes()].concat());
            for v in &variants {
                prop_assert_eq!(holds_nothing(v), holds_nothing_bytewise(v), "{:?}", String::from_utf8_lossy(v));
            }
        }

        /// Values of every length, short ones settled inline included, are prescanned as by
        /// the whole function.
        #[test]
        fn prescan_agrees_with_its_whole_definition(
            v in prop_oneof!["[0-9@.:a-f -]{0,12}", "[0-9.:]{0,40}", ".{0,10}"],
        ) {
            prop_assert_eq!(prescan(&v), prescan_whole(&v), "{:?}", v);
        }

        #[test]
        fn next_digit_finds_the_first_digit(b in proptest::collection::vec(any::<u8>(), 0..40), from in 0usize..40) {
            let from = from.min(b.len());
            let expected = b[from..].iter().position(u8::is_ascii_digit).map(|k| from + k);
            prop_assert_eq!(next_digit(&b, from), expected);
        }

        #[test]
        fn digit_runs_are_counted_as_byte_by_byte(text in texty()) {
            let b = text.as_bytes();
            let mut longest = 0;
            let mut run = 0;
            for &c in b {
                match NUMBER_BYTE[usize::from(c)] {
                    NumberByte::Digit => run += 1,
                    NumberByte::Other => {}
                    NumberByte::End => run = 0,
                }
                longest = longest.max(run);
            }
            for n in [1, 2, MIN_DIGITS, 12] {
                prop_assert_eq!(has_digit_run(b, n), longest >= n, "{} {}", n, text);
            }
        }

        #[test]
        fn digit_runs_of_any_bytes_are_counted_as_byte_by_byte(b in proptest::collection::vec(
            prop_oneof![Just(b'0'), Just(b'9'), Just(b'5'), Just(b' '), Just(b'-'), Just(b'.'),
                Just(b'+'), Just(b'A'), Just(b'Z'), Just(b'a'), Just(b'/'), Just(b','), Just(b'@'),
                Just(b'['), Just(0u8), Just(0xb0u8), Just(0xc3u8), any::<u8>()],
            0..60,
        ), n in 0usize..14) {
            let mut longest = 0;
            let mut run = 0;
            for &c in &b {
                match NUMBER_BYTE[usize::from(c)] {
                    NumberByte::Digit => run += 1,
                    NumberByte::Other => {}
                    NumberByte::End => run = 0,
                }
                longest = longest.max(run);
            }
            prop_assert_eq!(has_digit_run(&b, n), longest >= n, "{} {:?}", n, b);
        }

        #[test]
        fn range_and_end_masks_are_exact(w in any::<u64>(), lo in 0u8..0x80, len in 0u8..0x80) {
            let hi = lo.saturating_add(len).min(0x7f);
            let bytes = w.to_le_bytes();
            let flagged = |m: u64| (0..8).filter(|k| m >> (8 * k + 7) & 1 == 1).collect::<Vec<_>>();
            let expected: Vec<usize> = (0..8).filter(|&k| (lo..=hi).contains(&bytes[k])).collect();
            prop_assert_eq!(flagged(range_mask(w, lo, hi)), expected);
            let ends: Vec<usize> = (0..8)
                .filter(|&k| NUMBER_BYTE[usize::from(bytes[k])] == NumberByte::End)
                .collect();
            prop_assert_eq!(flagged(end_mask(w, digit_mask(w))), ends);
        }

        #[test]
        fn word_at_reads_the_padded_bytes(b in proptest::collection::vec(any::<u8>(), 1..40), at in 0usize..40) {
            let at = at % b.len();
            let mut padded = [0u8; 8];
            let n = (b.len() - at).min(8);
            padded[..n].copy_from_slice(&b[at..at + n]);
            prop_assert_eq!(word_at(&b, at), u64::from_le_bytes(padded));
        }

        #[test]
        fn flags_counts_the_flagged_bytes(w in any::<u64>(), c in any::<u8>()) {
            let bytes = w.to_le_bytes();
            prop_assert_eq!(flags(eq_mask(w, c)), bytes.iter().filter(|&&x| x == c).count());
            prop_assert_eq!(flags(digit_mask(w)), bytes.iter().filter(|x| x.is_ascii_digit()).count());
        }

        #[test]
        fn a_number_needs_a_digit_run(text in texty()) {
            let policy = PiiPolicy::default_policy();
            let mut numbers = Vec::new();
            policy.find_numbers(&text, &mut numbers);
            prop_assert!(numbers.is_empty() || has_digit_run(text.as_bytes(), MIN_DIGITS), "{}", text);
        }

        #[test]
        fn the_short_scan_counts_byte_by_byte(b in proptest::collection::vec(
            prop_oneof![Just(b'@'), Just(b'.'), Just(b':'), Just(b'0'), Just(b'9'), Just(b'/'),
                Just(b'\xae'), Just(b'\xba'), Just(b'\xb0'), Just(0u8), any::<u8>()],
            0..=32,
        )) {
            let digits = b.iter().filter(|c| c.is_ascii_digit()).count();
            let count = |x: u8| b.iter().filter(|&&c| c == x).count();
            let first = b.iter().position(|c| matches!(c, b'@' | b'.' | b':'));
            let words = first.is_some() && (count(b'@') > 0 || count(b'.') >= 3 || count(b':') >= 2);
            prop_assert_eq!(
                ShortScan::of(&b),
                ShortScan { digits, first: first.unwrap_or(0), words }
            );
        }

        #[test]
        fn ip_candidate_is_necessary(s in "[0-9a-fA-F.:/%\\[\\]x]{0,20}|[0-9.]{7,15}(/[0-9]{1,3})?") {
            prop_assert!(ip_candidate(&s) || validate::parse_ip(&s).is_none(), "{}", s);
        }
    }

    #[test]
    fn ascii_breaks_are_the_word_breaks() {
        for b in 0u8..128 {
            assert_eq!(
                ASCII_BREAK[usize::from(b)],
                reference::is_word_break(char::from(b)),
                "{b:#x}"
            );
        }
    }

    #[test]
    fn what_the_shapes_leave_to_the_search() {
        // A year that starts with 0 is not skipped: its date and hour read as a French phone.
        assert!(!holds_nothing(b"0612-03-04 05:06:07+02"));
        assert_eq!(
            find("0612-03-04 05:06:07+02"),
            [(PiiKind::Phone, "0612-03-04 05")]
        );
        for not_a_shape in [
            "2024-01-15 10:30:00.1234567",
            "2024-01-15T10:30:00",
            "2024-01-15 10:30:00 BC",
            "C7F7FD41-F9C4-4A88-B4AA-152294603993",
            "2024-01-15 10:30:00+02:00:00:00",
        ] {
            assert!(!holds_nothing(not_a_shape.as_bytes()), "{not_a_shape}");
        }
    }

    fn find(text: &str) -> Vec<(PiiKind, &str)> {
        PiiPolicy::default_policy().find_values(text)
    }

    #[test]
    fn whole_values() {
        assert_eq!(
            find(" jean@gmail.com "),
            [(PiiKind::Email, "jean@gmail.com")]
        );
        assert_eq!(find("06 12 34 56 78"), [(PiiKind::Phone, "06 12 34 56 78")]);
        assert!(find("").is_empty());
        assert!(find("Jean Dupont").is_empty());
    }

    #[test]
    fn values_in_free_text() {
        assert_eq!(
            find("Contact: <jean.dupont@gmail.com>, tel 06 12 34 56 78 ou +33 7 12 34 56 78."),
            [
                (PiiKind::Email, "jean.dupont@gmail.com"),
                (PiiKind::Phone, "06 12 34 56 78"),
                (PiiKind::Phone, "+33 7 12 34 56 78"),
            ]
        );
        assert_eq!(
            find(r#"{"ip":"81.2.69.160","mail":"mailto:a.b@free.fr"}"#),
            [
                (PiiKind::IpAddress, "81.2.69.160"),
                (PiiKind::Email, "a.b@free.fr"),
            ]
        );
        assert_eq!(
            find("IBAN FR76 3000 6000 0112 3456 7890 189 MERCI"),
            [(PiiKind::Iban, "FR76 3000 6000 0112 3456 7890 189")]
        );
        assert_eq!(
            find("cb 4970-1012-3456-7893, exp 12/27"),
            [(PiiKind::CardNumber, "4970-1012-3456-7893")]
        );
        assert_eq!(
            find("login from 2a01:e0a:1:2::3: ok"),
            [(PiiKind::IpAddress, "2a01:e0a:1:2::3")]
        );
    }

    #[test]
    fn the_fast_paths_miss_nothing() {
        // A no-break space ends a word; an IP with a host prefix is an IP.
        assert_eq!(
            find("mail\u{a0}jean@gmail.com\u{a0}merci"),
            [(PiiKind::Email, "jean@gmail.com")]
        );
        assert_eq!(
            find("allow 81.2.69.160/32;"),
            [(PiiKind::IpAddress, "81.2.69.160/32")]
        );
        assert_eq!(find("from 2a01::1!"), [(PiiKind::IpAddress, "2a01::1")]);
    }

    #[test]
    fn no_false_positives_in_ordinary_text() {
        for text in [
            "Version 1.2.3 released on 2024-01-15 10:30:00+00",
            "Total: 1 234 567,89 EUR (ref A12-0612345678x)",
            "price 0.123456789 and ratio 3.14",
            "see https://example.org/docs#section",
            "order #0612345678901234567890",
            "\\x89504e470d0a1a0a0000000d49484452",
            "café crème 06h30",
        ] {
            assert!(find(text).is_empty(), "{text}: {:?}", find(text));
        }
    }

    #[test]
    fn never_panics_on_odd_text() {
        for text in [
            "+",
            "FR",
            "FR7",
            "é+3",
            "1 2 3 4 5 6 7 8 9 10 11 12 13",
            "++++",
            "06 ",
        ] {
            let _ = find(text);
        }
    }
}
